/*
 * lib/autoscaler's internals shared between its files: the instance-type
 * facts a template is computed from (read from either the built-in table or
 * DescribeInstanceTypes facts), the EKS node computation and prices (facts.c,
 * the only file that includes model/ec2_facts.h), and a small label-set
 * builder over interned strings. Never included outside lib/autoscaler and
 * its tests.
 */
#ifndef HOIST_AUTOSCALER_ASC_INT_H
#define HOIST_AUTOSCALER_ASC_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/intern.h"
#include "model/model.h"

struct model_eks_options;

/* What hoist needs to know about an instance type. */
struct asc__type_facts {
    const char *name;    /* borrowed (static table or a caller's list) */
    uint32_t vcpu;       /* 0 = unknown */
    uint32_t memory_mib; /* 0 = unknown */
    const char *arch;    /* static "amd64"/"arm64", NULL unknown */
    uint32_t max_pods_eni;
    uint32_t max_enis;
    uint32_t ipv4_per_eni;
    uint32_t gpu_count;
    const char *gpu_manufacturer; /* borrowed, any case; NULL unknown */
};

/* The built-in facts of type name (borrowed) into *out; false when the
 * table does not know it. */
bool asc__builtin_type(const char *name, struct asc__type_facts *out);

/* Capacity and allocatable an EKS AMI gives a node of t (borrowed), set up
 * as o (borrowed, NULL = defaults), with the root volume replaced by
 * root_volume_bytes when > 0. Only cpu, memory, ephemeral-storage and pods
 * are filled (no scalars). HS_EINVAL for a type without vcpu or memory. */
enum hs_code asc__eks_resources(const struct asc__type_facts *t, const struct model_eks_options *o,
                                int64_t root_volume_bytes, struct model_resources *capacity,
                                struct model_resources *allocatable, struct hs_err *err);

/* On-demand price of type in region (both borrowed). */
enum hs_code asc__ondemand_price(const char *region, const char *type, double *per_hour,
                                 struct hs_err *err);

/* The extended resource name for a GPU of manufacturer (borrowed, any case,
 * NULL = unknown): "nvidia.com/gpu" (also for unknown, as cluster-autoscaler
 * does), "amd.com/gpu", "habana.ai/gaudi". Static. */
const char *asc__gpu_resource(const char *manufacturer);

/* A label set being built: keys unique, values replaced on set. Holds one
 * reference per interned key and value. Heap array. */
struct asc__labels {
    struct hs_intern *t; /* borrowed: set before use */
    struct model_label *v;
    size_t n, cap;
};

/* Sets key=value (plain strings, interned into b->t). */
void asc__labels_set(struct asc__labels *b, const char *key, const char *value);
/* Sets key=value, both already interned (borrowed; references taken). */
void asc__labels_set_interned(struct asc__labels *b, const char *key, const char *value);
/* Removes key (plain string) when present. */
void asc__labels_del(struct asc__labels *b, const char *key);
/* Copies b sorted by key into out (array from a), taking new references;
 * b is unchanged. */
void asc__labels_copy_out(const struct asc__labels *b, struct hs_arena *a,
                          struct model_labels *out);
/* Drops b's references and storage. */
void asc__labels_release(struct asc__labels *b);

/* Whether the taints of node (borrowed) are all tolerated by the
 * tolerations tol[0..n) (borrowed), for the effects that block scheduling
 * (NoSchedule, NoExecute). */
bool asc__tolerates_all(const struct model_toleration *tol, size_t n,
                        const struct model_node *node);

/* Required node affinity and nodeSelector of p (borrowed) against node
 * (borrowed), as the NodeAffinity filter evaluates them. */
bool asc__node_affinity_matches(const struct model_pod *p, const struct model_node *node);

#endif
