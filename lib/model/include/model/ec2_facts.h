/*
 * The EC2 facts hoist carries built in, and the node allocatable an EKS AMI
 * would give an instance type. The instance-type and price tables are
 * generated from ../shared/testdata by scripts/gen-ec2-facts.py into
 * lib/model/ec2_facts_gen.c (read-only data, sorted by name, looked up by
 * binary search); model_eks_allocatable() is what hoist uses to build a
 * scale-from-zero template. Pure data and pure functions: nothing here
 * allocates, does I/O or keeps state, and every pointer returned points into
 * static read-only tables (borrowed, valid for the life of the process).
 *
 * Units: memory in MiB in the tables, bytes in struct model_eks_resources;
 * cpu in whole vCPUs in the tables, millicores in the allocatable; prices in
 * the region's currency per hour (USD, except CNY for cn-* regions).
 */
#ifndef HOIST_MODEL_EC2_FACTS_H
#define HOIST_MODEL_EC2_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum model_arch {
    MODEL_ARCH_UNKNOWN = 0,
    MODEL_ARCH_AMD64 = 1,
    MODEL_ARCH_ARM64 = 2,
};

/* Which source files knew a type (bits of model_ec2_type.sources). */
enum {
    MODEL_SRC_CA = 1,                /* cluster-autoscaler's ec2_instance_types.go */
    MODEL_SRC_ENI_MAX_PODS = 2,      /* amazon-eks-ami eni-max-pods.txt */
    MODEL_SRC_KARPENTER = 4,         /* Karpenter's instance-types reference */
    MODEL_SRC_EKS_INSTANCE_INFO = 8, /* amazon-eks-ami nodeadm instance-info.jsonl */
};

/* One instance type, 28 bytes. Strings are not stored in the row: read them
 * through the accessors below. 0 in a numeric field means "not known" (12
 * types are known only by name and ENI count: vcpu == 0 for them). */
struct model_ec2_type {
    uint32_t name_off;            /* private: offset of the name in the string pool */
    uint32_t memory_mib;          /* as EC2 reports MemoryInfo.SizeInMiB */
    uint32_t gpu_memory_mib;      /* per GPU, 0 when unknown or no GPU */
    uint16_t vcpu;                /* default vCPUs */
    uint16_t max_pods_eni;        /* ENIs*(IPv4 per ENI-1)+2 as the EKS AMI uses it */
    uint16_t karpenter_pods;      /* Karpenter's pods capacity, 0 when not listed */
    uint16_t price_row;           /* private: row in the price table, 0xFFFF none */
    uint8_t gpu_count;            /* GPUs (cluster-autoscaler counts Gaudi too) */
    uint8_t gpu_name_idx;         /* private: see model_ec2_type_gpu_name() */
    uint8_t gpu_manufacturer_idx; /* private */
    uint8_t arch;                 /* enum model_arch */
    uint8_t max_enis;             /* ENIs on the default network card, 0 unknown */
    uint8_t ipv4_per_eni;         /* IPv4 addresses per ENI, 0 unknown */
    uint8_t sources;              /* MODEL_SRC_* bits */
};

/* The type called name (borrowed, NUL-terminated), or NULL. O(log n). */
const struct model_ec2_type *model_ec2_type_find(const char *name);

/* Iteration in name order (strcmp), for tests and listings: i < count. */
size_t model_ec2_type_count(void);
const struct model_ec2_type *model_ec2_type_at(size_t i);

/* The strings of t (borrowed, static). Name never NULL; GPU name ("t4",
 * "h100") and manufacturer ("nvidia", "amd") NULL when unknown. */
const char *model_ec2_type_name(const struct model_ec2_type *t);
const char *model_ec2_type_gpu_name(const struct model_ec2_type *t);
const char *model_ec2_type_gpu_manufacturer(const struct model_ec2_type *t);

/* "amd64", "arm64", or NULL for MODEL_ARCH_UNKNOWN (static). */
const char *model_arch_name(enum model_arch arch);

/* ---- on-demand prices ---------------------------------------------------- */

/* Linux on-demand price of type in region (both borrowed) into *per_hour, in
 * the region's currency, which *currency (optional; static "USD" or "CNY")
 * names. The price expander only ever compares prices within one region, so
 * the currency never mixes. HS_ENOTFOUND (with a message naming both) when
 * the region is not in the table or has no price for the type; *per_hour and
 * *currency are untouched then. O(log n). */
enum hs_code model_ondemand_price(const char *region, const char *type, double *per_hour,
                                  const char **currency, struct hs_err *err);

/* As model_ondemand_price for a table row t (borrowed), without searching
 * for the type again: O(1) after the region. */
enum hs_code model_ec2_type_ondemand_price(const struct model_ec2_type *t, const char *region,
                                           double *per_hour, const char **currency,
                                           struct hs_err *err);

/* Iteration over the priced regions (sorted), for tests: the name and
 * currency of region i (static), i < model_price_region_count(). */
size_t model_price_region_count(void);
const char *model_price_region_name(size_t i);
const char *model_price_region_currency(size_t i);

/* ---- EKS AMI node allocatable -------------------------------------------- */

/* How the nodes are set up. model_eks_options_default() gives what an EKS
 * optimized AMI (AL2 bootstrap.sh, AL2023 nodeadm) does with no user
 * overrides, plus Karpenter's estimate of the memory the kernel keeps. */
struct model_eks_options {
    /* kubelet maxPods set by the user (--max-pods, NodeConfig maxPods);
     * 0 = the AMI's default, the ENI max pods. The AMIs still size
     * kube-reserved memory from the ENI value, and so does this. */
    uint32_t max_pods;
    /* VPC CNI prefix delegation: pods = min(ENIs*((IPv4 per ENI-1)*16)+2,
     * 110 when vcpu <= 30 else 250), the value max-pods-calculator.sh
     * recommends. Ignored when max_pods is set. */
    bool prefix_delegation;
    /* Memory that never reaches the kubelet's capacity (kernel, firmware),
     * in basis points of the EC2 size: Karpenter's VM_MEMORY_OVERHEAD_PERCENT
     * (default 0.075 = 750). Rounded up to whole MiB as Karpenter does. */
    uint32_t vm_memory_overhead_bp;
    /* MiB Graviton (arm64) kernels reserve for CMA, taken before the
     * overhead (Karpenter: 64). */
    uint32_t arm64_cma_mib;
    /* Root volume size in bytes: the node's ephemeral-storage capacity
     * (EKS managed node groups and Karpenter default to 20 GiB). */
    int64_t root_volume_bytes;
};

/* Fills *o (borrowed) with hoist's defaults: max_pods 0, no prefix
 * delegation, 750 bp, 64 MiB, 20 GiB. */
void model_eks_options_default(struct model_eks_options *o);

/* The instance shape the computation needs; from a table row with
 * model_eks_shape_of(), or filled from `aws ec2 describe-instance-types`. */
struct model_eks_shape {
    uint32_t vcpu;
    uint32_t memory_mib;
    enum model_arch arch;
    uint32_t max_pods_eni; /* 0 = unknown: the AMIs then use 110 */
    uint32_t max_enis;     /* 0 = unknown (prefix delegation then gives the cap) */
    uint32_t ipv4_per_eni;
};

void model_eks_shape_of(const struct model_ec2_type *t, struct model_eks_shape *s);

struct model_eks_resources {
    int64_t cpu_milli;
    int64_t memory;            /* bytes */
    int64_t ephemeral_storage; /* bytes */
    int64_t pods;
};

struct model_eks_node {
    struct model_eks_resources capacity;    /* what the kubelet would report */
    struct model_eks_resources allocatable; /* capacity - reserved - eviction */
    int64_t kube_reserved_cpu_milli;
    int64_t kube_reserved_memory;            /* bytes */
    int64_t kube_reserved_ephemeral_storage; /* bytes */
    int64_t eviction_memory;                 /* bytes: memory.available<100Mi */
    int64_t eviction_ephemeral_storage;      /* bytes: nodefs.available<10% */
    int64_t reserve_pods;                    /* the max pods kube-reserved was sized for */
    bool pods_defaulted;                     /* ENI max pods unknown, 110 used */
};

/* Capacity and allocatable of a node of shape s (borrowed) set up as o
 * (borrowed; NULL = model_eks_options_default) into *out (borrowed, filled
 * on success only). HS_EINVAL when s has no vcpu or memory. Never
 * allocates. */
enum hs_code model_eks_allocatable(const struct model_eks_shape *s,
                                   const struct model_eks_options *o, struct model_eks_node *out,
                                   struct hs_err *err);

/* The EKS AMIs' kube-reserved CPU in millicores for vcpu cores: 6% of the
 * first core, 1% of the second, 0.5% of the third and fourth, 0.25% of each
 * core above four (integer millicores, each band rounded down). */
int64_t model_eks_kube_reserved_cpu_milli(uint32_t vcpu);

/* The EKS AMIs' kube-reserved memory in MiB: 11 MiB per pod + 255 MiB. */
int64_t model_eks_kube_reserved_memory_mib(uint32_t max_pods);

#endif
