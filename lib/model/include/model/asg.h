/*
 * The AWS side of a node group as plain C data: Auto Scaling groups (sizes,
 * zones, launch template or configuration, mixed instances policy,
 * instances, tags), scaling activities, launch configurations, launch
 * template versions and EC2 instance-type facts. lib/aws fills these from
 * the live API's XML and from the JSON the `aws` CLI prints; the planner and
 * `hoist discover` read them.
 *
 * Pure data: this header must never name a JSON or XML type, do I/O or read
 * a clock. Nothing here knows about Kubernetes.
 *
 * Ownership. Each list type embeds an hs_arena; every string and array of
 * its elements is allocated from it (plain copies, not interned, so a list
 * can be built and dropped without a shared intern table). Elements are
 * borrowed from their list until model_*_list_release(). An absent string
 * is NULL; an absent number is MODEL_ABSENT unless said otherwise.
 *
 * Times are Unix seconds (UTC); 0 means absent.
 */
#ifndef HOIST_MODEL_ASG_H
#define HOIST_MODEL_ASG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

/* The value of an optional integer that the source did not carry. */
#define MODEL_ABSENT INT32_MIN

/* ---- Auto Scaling groups ------------------------------------------------ */

/* A launch template reference (LaunchTemplateSpecification). Every field is
 * NULL when absent; a reference has an id or a name. version is "$Latest",
 * "$Default" or a number, NULL meaning the template's default. */
struct model_lt_spec {
    const char *id;
    const char *name;
    const char *version;
};

/* True when s names a template (id or name set). s borrowed. */
bool model_lt_spec_present(const struct model_lt_spec *s);

/* One entry of MixedInstancesPolicy.LaunchTemplate.Overrides. */
struct model_asg_override {
    const char *instance_type;            /* NULL for a requirements-based override */
    int32_t weighted_capacity;            /* MODEL_ABSENT when not given */
    struct model_lt_spec launch_template; /* per-override template, or all NULL */
    bool has_instance_requirements;       /* InstanceRequirements given instead of a type */
};

struct model_instances_distribution {
    bool present;
    const char *on_demand_allocation_strategy;        /* "prioritized", "lowest-price" */
    int32_t on_demand_base_capacity;                  /* MODEL_ABSENT when not given */
    int32_t on_demand_percentage_above_base_capacity; /* 0..100, MODEL_ABSENT when not given */
    const char *spot_allocation_strategy;             /* "capacity-optimized", ... */
    int32_t spot_instance_pools;                      /* MODEL_ABSENT when not given */
    const char *spot_max_price;                       /* "" means the on-demand price */
};

struct model_mixed_instances_policy {
    bool present;
    struct model_lt_spec launch_template; /* LaunchTemplate.LaunchTemplateSpecification */
    struct model_asg_override *overrides; /* arena */
    uint32_t n_overrides, cap_overrides;
    struct model_instances_distribution distribution;
};

/* An instance of a group, as DescribeAutoScalingGroups lists it. */
struct model_asg_instance {
    const char *id;
    const char *zone;            /* AvailabilityZone */
    const char *lifecycle_state; /* "InService", "Pending", "Terminating", ... */
    const char *health_status;   /* "Healthy" or "Unhealthy" */
    const char *instance_type;
    const char *launch_configuration_name;
    struct model_lt_spec launch_template;
    bool protected_from_scale_in;
    int32_t weighted_capacity; /* MODEL_ABSENT when not given */
};

struct model_asg_tag {
    const char *key;
    const char *value; /* "" when the tag has an empty value */
    bool propagate_at_launch;
};

struct model_asg {
    const char *name;
    const char *arn;
    int32_t min_size; /* MODEL_ABSENT only for a malformed source */
    int32_t max_size;
    int32_t desired_capacity;
    int32_t default_cooldown; /* seconds; MODEL_ABSENT when not given */
    const char **zones;       /* AvailabilityZones, arena */
    uint32_t n_zones, cap_zones;
    const char *vpc_zone_identifier; /* comma-separated subnet ids, or NULL */
    struct model_lt_spec launch_template;
    const char *launch_configuration_name;
    struct model_mixed_instances_policy mixed;
    struct model_asg_instance *instances; /* arena */
    uint32_t n_instances, cap_instances;
    struct model_asg_tag *tags; /* arena, in the source's order */
    uint32_t n_tags, cap_tags;
    const char *status;            /* "Delete in progress" while being deleted, else NULL */
    const char *health_check_type; /* "EC2", "ELB" */
    int64_t created_time;
    bool capacity_rebalance;
};

/* The value of tag key (borrowed) on g (borrowed), borrowed, or NULL. */
const char *model_asg_tag_value(const struct model_asg *g, const char *key);

struct model_asg_list {
    struct hs_arena arena;
    struct model_asg *v; /* arena */
    uint32_t n, cap;
};

/* l: borrowed, embedded by the caller. Does not allocate. */
void model_asg_list_init(struct model_asg_list *l);
/* Frees everything l holds; l can be used again as after init. */
void model_asg_list_release(struct model_asg_list *l);
/* A new zeroed group at the end of l (borrowed from l; invalidated by the
 * next model_asg_list_add), with its numbers set to MODEL_ABSENT. */
struct model_asg *model_asg_list_add(struct model_asg_list *l);
/* The group named name (borrowed), borrowed from l, or NULL. */
const struct model_asg *model_asg_list_find(const struct model_asg_list *l, const char *name);

/* New zeroed elements of g's arrays, borrowed from l's arena (invalidated by
 * the next add to the same array). Numbers start as MODEL_ABSENT. */
struct model_asg_instance *model_asg_add_instance(struct model_asg_list *l, struct model_asg *g);
struct model_asg_tag *model_asg_add_tag(struct model_asg_list *l, struct model_asg *g);
struct model_asg_override *model_asg_add_override(struct model_asg_list *l, struct model_asg *g);
/* Appends zone (copied into l's arena) to g's zones. */
void model_asg_add_zone(struct model_asg_list *l, struct model_asg *g, const char *zone,
                        size_t len);

/* ---- scaling activities --------------------------------------------------- */

struct model_scaling_activity {
    const char *id;
    const char *asg_name;
    const char *description;
    const char *cause;
    const char *status_code;    /* "Successful", "Failed", "InProgress", "Cancelled", ... */
    const char *status_message; /* NULL when absent */
    int32_t progress;           /* 0..100; MODEL_ABSENT when not given */
    int64_t start_time;
    int64_t end_time;
};

struct model_activity_list {
    struct hs_arena arena;
    struct model_scaling_activity *v; /* arena */
    uint32_t n, cap;
};

void model_activity_list_init(struct model_activity_list *l);
void model_activity_list_release(struct model_activity_list *l);
/* A new zeroed activity (borrowed from l, invalidated by the next add). */
struct model_scaling_activity *model_activity_list_add(struct model_activity_list *l);

/* ---- launch configurations and launch template versions ------------------ */

struct model_launch_config {
    const char *name;
    const char *instance_type;
    const char *image_id;
    bool spot; /* SpotPrice given */
};

struct model_launch_config_list {
    struct hs_arena arena;
    struct model_launch_config *v; /* arena */
    uint32_t n, cap;
};

void model_launch_config_list_init(struct model_launch_config_list *l);
void model_launch_config_list_release(struct model_launch_config_list *l);
struct model_launch_config *model_launch_config_list_add(struct model_launch_config_list *l);

/* A tag a template puts on what it launches (TagSpecifications). */
struct model_lt_tag {
    const char *resource_type; /* "instance", "volume", ... */
    const char *key;
    const char *value;
};

/* What a node-group template needs from a launch template version. */
struct model_lt_version {
    const char *template_id;
    const char *template_name;
    int64_t version_number; /* 0 when absent */
    bool default_version;
    const char *instance_type; /* NULL when the version uses InstanceRequirements */
    const char *image_id;
    bool has_user_data;             /* UserData present (possibly empty) */
    bool has_instance_requirements; /* InstanceRequirements present */
    struct model_lt_tag *tags;      /* arena */
    uint32_t n_tags, cap_tags;
    int64_t create_time;
};

struct model_lt_version_list {
    struct hs_arena arena;
    struct model_lt_version *v; /* arena */
    uint32_t n, cap;
};

void model_lt_version_list_init(struct model_lt_version_list *l);
void model_lt_version_list_release(struct model_lt_version_list *l);
struct model_lt_version *model_lt_version_list_add(struct model_lt_version_list *l);
struct model_lt_tag *model_lt_version_add_tag(struct model_lt_version_list *l,
                                              struct model_lt_version *v);

/* ---- EC2 instance types ---------------------------------------------------- */

/* Facts of one instance type (DescribeInstanceTypes). Counts are 0 when the
 * source does not carry them. */
struct model_instance_type {
    const char *name; /* "m5.large" */
    int32_t vcpu;     /* VCpuInfo.DefaultVCpus */
    int64_t memory_mib;
    int32_t gpu_count;            /* sum of GpuInfo.Gpus[].Count */
    const char *gpu_name;         /* first GPU's name, or NULL */
    const char *gpu_manufacturer; /* first GPU's manufacturer ("NVIDIA"), or NULL */
    int64_t gpu_memory_mib;       /* GpuInfo.TotalGpuMemoryInMiB, else the sum over Gpus */
    const char *arch;             /* first of ProcessorInfo.SupportedArchitectures */
    int32_t max_enis;             /* NetworkInfo.MaximumNetworkInterfaces */
    int32_t ipv4_per_eni;         /* NetworkInfo.Ipv4AddressesPerInterface */
    int64_t ephemeral_storage_gb; /* InstanceStorageInfo.TotalSizeInGB */
    bool bare_metal;
};

struct model_instance_type_list {
    struct hs_arena arena;
    struct model_instance_type *v; /* arena */
    uint32_t n, cap;
};

void model_instance_type_list_init(struct model_instance_type_list *l);
void model_instance_type_list_release(struct model_instance_type_list *l);
struct model_instance_type *model_instance_type_list_add(struct model_instance_type_list *l);
/* The type named name (borrowed), borrowed from l, or NULL. */
const struct model_instance_type *
model_instance_type_list_find(const struct model_instance_type_list *l, const char *name);

/* ---- helpers for builders --------------------------------------------------- */

/* Grows an arena array *arr of *n elements (capacity *cap) by one zeroed
 * element and returns it (borrowed from a); align 0 means max_align_t. Old storage stays in the arena
 * until it is released: amortised waste below 2x. */
void *model_arena_push(struct hs_arena *a, void **arr, uint32_t *n, uint32_t *cap, size_t size,
                       size_t align);
#define MODEL_ARENA_PUSH(a, arr, n, cap) \
    model_arena_push((a), (void **)&(arr), &(n), &(cap), sizeof(*(arr)), 0)

#endif
