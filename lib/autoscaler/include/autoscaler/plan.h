/*
 * The planner's contract: what one loop of the autoscaler decides (struct
 * asc_plan), from what (struct asc_inputs), under which settings (struct
 * asc_options, the flags of ../shared/FLAGS.md that the planner reads).
 * `hoist simulate`, `hoist replay` and the daemon all call asc_plan_run, so
 * what simulate prints is what the daemon does.
 *
 * The planner is pure: no I/O, no clock (time is inputs->now), no global
 * state; the same inputs, state and seed give the same plan, byte for byte
 * once printed. Everything in a plan is owned by the plan's arena.
 */
#ifndef HOIST_AUTOSCALER_PLAN_H
#define HOIST_AUTOSCALER_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "autoscaler/expander.h"
#include "autoscaler/nodegroup.h"
#include "base/arena.h"
#include "base/err.h"
#include "model/asg.h"
#include "model/model.h"

/* ---- settings --------------------------------------------------------------- */

/* --nodes specs (struct asc_node_spec), --node-group-auto-discovery tag
 * filters (struct asc_tag_filter) and the expanders (enum
 * asc_expander_kind) are the node-group module's types: see
 * autoscaler/nodegroup.h and autoscaler/expander.h. */

/* Durations are nanoseconds. Strings and arrays are borrowed. */
struct asc_options {
    const struct asc_node_spec *nodes;
    size_t n_nodes;
    const struct asc_tag_filter *discovery; /* ANDed within a spec, specs ORed */
    size_t n_discovery;

    enum asc_expander_kind expanders[6]; /* the chain, in order */
    size_t n_expanders;
    int32_t max_nodes_total; /* 0 = unlimited */
    int64_t cores_min, cores_max;
    int64_t memory_min_gib, memory_max_gib;
    int32_t max_nodes_per_scaleup;
    int64_t new_pod_scale_up_delay;
    int32_t expendable_pods_priority_cutoff;
    bool scale_up_from_zero;
    bool enforce_node_group_min_size;

    bool balance_similar_node_groups;
    const char *const *balancing_ignore_labels;
    size_t n_balancing_ignore_labels;
    const char *const *balancing_labels;
    size_t n_balancing_labels;
    double memory_difference_ratio;
    double max_allocatable_difference_ratio;
    double max_free_difference_ratio;

    int64_t max_node_provision_time;
    int64_t initial_node_group_backoff_duration;
    int64_t max_node_group_backoff_duration;
    int64_t node_group_backoff_reset_timeout;
    double max_total_unready_percentage;
    int32_t ok_total_unready_count;

    bool scale_down_enabled;
    bool scale_down_unready_enabled; /* false: unready nodes are never removed */
    double scale_down_utilization_threshold;
    double scale_down_gpu_utilization_threshold;
    int64_t scale_down_unneeded_time;
    int64_t scale_down_unready_time;
    int64_t scale_down_delay_after_add;
    int64_t scale_down_delay_after_delete;
    int64_t scale_down_delay_after_failure;
    int32_t scale_down_non_empty_candidates_count;
    int32_t max_scale_down_parallelism;
    int32_t max_drain_parallelism;
    bool skip_nodes_with_system_pods;
    bool skip_nodes_with_local_storage;
    bool skip_nodes_with_custom_controller_pods;
    int32_t min_replica_count;
    bool ignore_daemonsets_utilization;
    bool ignore_mirror_pods_utilization;

    const char *const *startup_taints; /* --startup-taint, --status-taint, --ignore-taint keys */
    size_t n_startup_taints;
    const char *const *status_taints;
    size_t n_status_taints;

    bool aws_use_static_instance_list;
};

/* The defaults of ../shared/FLAGS.md. */
void asc_options_init(struct asc_options *o);

/* ---- inputs ----------------------------------------------------------------- */

/* Everything borrowed for the duration of asc_plan_run. */
struct asc_inputs {
    const struct model_cluster *cluster; /* nodes, pods, PDBs, DaemonSets, PVCs, PVs */
    const struct model_asg_list *asgs;
    const struct model_instance_type_list *instance_types; /* NULL: the built-in table */
    const struct model_lt_version_list *lt_versions;       /* NULL when unknown */
    const struct model_launch_config_list *launch_configs; /* NULL when unknown */
    const char *region;          /* for prices and region labels; NULL: from the zones */
    const char *priority_config; /* the priority expander's `priorities` text, or NULL */
    int64_t now;                 /* Unix ns */
    uint64_t seed;               /* for the random expander and tie-breaks */
    /* `hoist simulate`: every timer (unneeded and unready time, the three
     * scale-down cooldowns, the new-pod delay, backoff) counts as expired, so
     * the plan shows what would happen once they are. Provisioning is the
     * exception: a node is long-unregistered only after the state itself saw
     * it requested --max-node-provision-time ago, because the files simulate
     * reads do not say when an instance was asked for, and treating every
     * requested node as failed would back off every group mid-scale-up. */
    bool timers_expired;
};

/* ---- the plan ---------------------------------------------------------------- */

struct asc_scale_up {
    const char *group;
    int32_t current_size; /* the group's target size before */
    int32_t new_size;
    const char **pods; /* "ns/name" of the pods this scale-up is for, sorted */
    size_t n_pods;
    /* For pods[i], the new node (0-based, in the order the estimate opened
     * them) that the estimate packed it on; NULL when the scale-up is
     * balanced over several groups (the pods are shared, not placed) or is
     * --enforce-node-group-min-size's. Not printed by simulate; callers that
     * commit a plan into a cluster (hoist-bench, replay) bind by it. */
    int32_t *pod_nodes;
};

struct asc_group_reason {
    const char *group;
    const char *reason; /* "Insufficient cpu", "max node group size reached", ... */
};

struct asc_no_scale_up {
    const char *pod;                  /* "ns/name" */
    struct asc_group_reason *reasons; /* one per group, sorted by group name */
    size_t n_reasons;
};

struct asc_move {
    const char *pod;  /* "ns/name" */
    const char *node; /* destination */
};

struct asc_scale_down {
    const char *node;
    const char *group;
    bool empty;
    double utilization;
    struct asc_move *moves; /* sorted by pod */
    size_t n_moves;
};

struct asc_unremovable {
    const char *node;
    const char *reason; /* cluster-autoscaler's names: NotUnderutilized, NotEnoughPdb, ... */
};

struct asc_plan {
    struct hs_arena arena;         /* owns every string and array below */
    struct asc_scale_up *scale_up; /* sorted by group */
    size_t n_scale_up;
    /* Pods no group that may grow takes on its template (cluster-autoscaler's
     * NotTriggerScaleUp), with every group's reason. */
    struct asc_no_scale_up *no_scale_up; /* sorted by pod */
    size_t n_no_scale_up;
    /* Pods some such group takes that this loop's scale-up does not place,
     * for a later loop: those another group would take (cluster-autoscaler's
     * pods awaiting evaluation) and those the node limits cut off (which
     * cluster-autoscaler names in neither list); "ns/name", sorted. */
    const char **awaiting;
    size_t n_awaiting;
    struct asc_scale_down *scale_down; /* in the order they would be removed */
    size_t n_scale_down;
    struct asc_unremovable *unremovable; /* sorted by node */
    size_t n_unremovable;
    const char **warnings; /* e.g. a --nodes name that matches no ASG */
    size_t n_warnings;
    /* Nodes found unneeded (their timers have run) that this loop does not
     * remove: a scale-up in the same loop, a cooldown, or the parallelism
     * limits hold them back; same shape and order as scale_down. */
    struct asc_scale_down *unneeded;
    size_t n_unneeded;
    /* Registered nodes of managed groups that have not started (not Ready,
     * created less than 15 minutes ago): each counts as an upcoming node of
     * its group (a copy of the template) instead of as itself, and is no
     * scale-down candidate, as in cluster-autoscaler. Sorted. */
    const char **not_started;
    size_t n_not_started;
    /* Added for the daemon (not printed by simulate's JSON): the cluster's
     * health this loop and the `status` text of the cluster-autoscaler-status
     * ConfigMap, in cluster-autoscaler's YAML layout (autoscaler/status.h). */
    bool healthy;
    const char *status;
};

void asc_plan_init(struct asc_plan *p);
void asc_plan_release(struct asc_plan *p);

/* ---- running the planner ------------------------------------------------------ */

/* What the planner remembers between loops: unneeded-since timers, group
 * backoff, upcoming (requested, not yet registered) nodes, the last scale-up,
 * deletion and failure times. Plain data (it can be saved and rebuilt after a
 * restart). */
struct asc_state;

struct asc_state *asc_state_new(void);     /* new */
void asc_state_free(struct asc_state **s); /* accepts NULL, clears *s */

/* One loop: fills out (initialised with asc_plan_init; borrowed) and updates
 * state (borrowed). o and in are borrowed. Bad input that only shows up here
 * (an ASG that names an unknown instance type and no DescribeInstanceTypes
 * data, a malformed priority config) is an error with one line naming it;
 * out is then released and empty. */
enum hs_code asc_plan_run(struct asc_state *state, const struct asc_options *o,
                          const struct asc_inputs *in, struct asc_plan *out, struct hs_err *err);

#endif
