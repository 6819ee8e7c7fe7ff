/*
 * Node groups: which Auto Scaling groups hoist manages, with what min and
 * max, with which per-group options, and which instance types each one can
 * launch. Built from the ASG descriptions (lib/aws fills struct
 * model_asg_list), the --nodes specs and the --node-group-auto-discovery tag
 * filters, as cluster-autoscaler's AWS provider does; what hoist cannot use
 * (a --nodes name no ASG has, an option tag with a bad value) is returned as
 * warnings for the caller to print, never silently dropped and never fatal.
 *
 * Pure: no I/O, no clock, no global state. The group set borrows the ASG,
 * launch configuration, launch template and instance-type lists it was built
 * from; they must outlive it and must not be added to meanwhile (an add may
 * move a list's array). Groups are sorted by name, so the same inputs always
 * give the same set.
 */
#ifndef HOIST_AUTOSCALER_NODEGROUP_H
#define HOIST_AUTOSCALER_NODEGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "model/asg.h"

/* The prefix of cluster-autoscaler's per-group option tags. */
#define ASC_OPTIONS_TAG_PREFIX "k8s.io/cluster-autoscaler/node-template/autoscaling-options/"

/* One --nodes flag: <min>:<max>:<name>. */
struct asc_node_spec {
    int32_t min, max;
    const char *name; /* borrowed */
};

/* One tag filter of --node-group-auto-discovery: the tag must be present
 * (value NULL) or have exactly value. spec numbers the flag it came from:
 * the filters of one spec are ANDed, the specs ORed, as cluster-autoscaler's
 * AWS provider does (one DescribeAutoScalingGroups tag query per spec). */
struct asc_tag_filter {
    const char *key;   /* borrowed */
    const char *value; /* borrowed, NULL = any value */
    unsigned spec;     /* which --node-group-auto-discovery, from 0 */
};

/* Bits of asc_group_options.from_tags: which options a tag set. */
enum {
    ASC_OPT_UTILIZATION = 1 << 0,     /* scaledownutilizationthreshold */
    ASC_OPT_GPU_UTILIZATION = 1 << 1, /* scaledowngpuutilizationthreshold */
    ASC_OPT_UNNEEDED_TIME = 1 << 2,   /* scaledownunneededtime */
    ASC_OPT_UNREADY_TIME = 1 << 3,    /* scaledownunreadytime */
    ASC_OPT_IGNORE_DS = 1 << 4,       /* ignoredaemonsetsutilization */
    ASC_OPT_PROVISION_TIME = 1 << 5,  /* maxnodeprovisiontime */
};

/* The options cluster-autoscaler lets a group override. Durations are
 * nanoseconds (as base/duration.h parses them). */
struct asc_group_options {
    double scale_down_utilization_threshold;
    double scale_down_gpu_utilization_threshold;
    int64_t scale_down_unneeded_time;
    int64_t scale_down_unready_time;
    bool ignore_daemonsets_utilization;
    int64_t max_node_provision_time;
    unsigned from_tags; /* ASC_OPT_* bits: which values came from the group's tags */
};

/* Fills *o (borrowed) with the flag defaults of FLAGS.md: 0.5, 0.5, 10m,
 * 20m, false, 15m, from_tags 0. */
void asc_group_options_default(struct asc_group_options *o);

/* Reads the option tags of asg (borrowed) over defaults (borrowed) into *out
 * (borrowed). Tag keys are ASC_OPTIONS_TAG_PREFIX + the lower-case names of
 * enum ASC_OPT_*; values parse as cluster-autoscaler parses them (Go's
 * ParseFloat, ParseDuration and ParseBool), and further must be a finite
 * number in [0, 1] for a threshold and a duration >= 0. A bad value or an
 * unknown option name leaves the default in place and appends one line
 * naming the ASG and the tag to *warn (see asc_warnings); warn may be NULL. */
struct asc_warnings;
void asc_group_options_from_tags(const struct model_asg *asg,
                                 const struct asc_group_options *defaults,
                                 struct asc_group_options *out, struct asc_warnings *warn);

/* Where a group's instance types came from. */
enum asc_type_source {
    ASC_TYPES_UNKNOWN = 0,     /* nothing says: no scale-from-zero template */
    ASC_TYPES_LAUNCH_CONFIG,   /* the launch configuration's type */
    ASC_TYPES_LAUNCH_TEMPLATE, /* the launch template version's type */
    ASC_TYPES_OVERRIDES,       /* the mixed instances policy's overrides */
    ASC_TYPES_INSTANCES,       /* fallback: the types of the group's instances */
};

struct asc_node_group {
    const char *name;            /* borrowed from asg */
    const struct model_asg *asg; /* borrowed from the ASG list */
    int32_t min_size;            /* --nodes value when explicit, else the ASG's */
    int32_t max_size;
    int32_t target_size; /* DesiredCapacity */
    bool explicit_spec;  /* named by --nodes */
    struct asc_group_options options;
    const char *region; /* arena; "" when no zone and no region were given */
    const char **zones; /* borrowed from asg, AvailabilityZones order */
    uint32_t n_zones;
    /* Every type the group may launch, first-priority first, without
     * repeats (arena array of strings borrowed from the source lists). A
     * mixed instances policy lists all its overrides: hoist's templates
     * promise only what every one of them gives. */
    const char **instance_types;
    uint32_t n_instance_types;
    enum asc_type_source type_source;
    /* Spot only: a mixed instances policy with on-demand base 0 and 0%
     * on-demand above base, or a spot launch configuration. */
    bool spot;
};

/* A list of one-line messages (arena strings) the caller prints. */
struct asc_warnings {
    struct hs_arena *arena; /* borrowed: where messages are allocated */
    const char **v;         /* heap array, owned */
    uint32_t n, cap;
};

/* Appends a printf-formatted message to w (borrowed; NULL ignored). */
void asc_warnf(struct asc_warnings *w, const char *fmt, ...) HS_PRINTF(2, 3);

/* Everything the groups (and their templates) are read from. Lists are
 * borrowed and must outlive the group set. */
struct asc_cloud {
    const struct model_asg_list *asgs;                     /* required */
    const struct model_launch_config_list *launch_configs; /* NULL = none known */
    const struct model_lt_version_list *launch_templates;  /* NULL = none known */
    /* DescribeInstanceTypes facts; a type not listed here (or NULL) is read
     * from the built-in table (model/ec2_facts.h). */
    const struct model_instance_type_list *instance_types;
    const char *region; /* NULL = each group's region from its first zone */
};

/* What the command line asked for. Arrays borrowed for the call only. */
struct asc_discovery {
    const struct asc_node_spec *nodes; /* --nodes */
    size_t n_nodes;
    const struct asc_tag_filter *filters; /* every filter of every spec, grouped by spec */
    size_t n_filters;
    struct asc_group_options defaults; /* from the flags */
};

struct asc_groups {
    struct hs_arena arena;
    struct asc_node_group *v; /* arena, sorted by name */
    uint32_t n;
    struct asc_warnings warnings; /* in the order found */
};

/* Builds the managed groups (new; free with asc_groups_free) into *out.
 * A group is managed when --nodes names it, or when it has every tag of at
 * least one discovery spec (filters of a spec ANDed, specs ORed, as
 * cluster-autoscaler does). Explicit --nodes min/max win over the ASG's; discovered
 * groups use the ASG's. ASGs being deleted ("Delete in progress") are
 * skipped. Warnings: a --nodes name with no ASG, a group being deleted that
 * --nodes names, option tags with bad values, a group whose instance types
 * are unknown. Errors (HS_EINVAL, nothing built): a --nodes spec with min <
 * 0 or max < min or an empty name, a managed ASG without min or max size.
 * cloud and d are borrowed. */
enum hs_code asc_groups_build(const struct asc_cloud *cloud, const struct asc_discovery *d,
                              struct asc_groups **out, struct hs_err *err);

/* Frees g and clears *g. Accepts NULL. */
void asc_groups_free(struct asc_groups **g);

/* The group named name (borrowed), borrowed from g, or NULL. O(log n). */
const struct asc_node_group *asc_groups_find(const struct asc_groups *g, const char *name);

/* The region of zone (borrowed) into buf (borrowed, size bytes): the
 * dash-separated words up to the first one that starts with a digit, that
 * word cut to its digits ("us-east-1a" -> "us-east-1", "us-west-2-lax-1a"
 * -> "us-west-2", "us-gov-west-1b" -> "us-gov-west-1"). Returns false (buf
 * "") when zone has no such word or buf is too small. */
bool asc_region_of_zone(const char *zone, char *buf, size_t size);

#endif
