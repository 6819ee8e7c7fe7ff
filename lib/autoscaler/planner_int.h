/*
 * The planner's internals shared by plan.c (setup and the loop's order),
 * scaleup.c, scaledown.c and status.c: one loop's working context. Built and
 * torn down inside asc_plan_run; nothing here outlives a call, and nothing
 * here does I/O or reads a clock. Never included outside lib/autoscaler and
 * its tests.
 */
#ifndef HOIST_AUTOSCALER_PLANNER_INT_H
#define HOIST_AUTOSCALER_PLANNER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "autoscaler/expander.h"
#include "autoscaler/nodegroup.h"
#include "autoscaler/plan.h"
#include "autoscaler/state.h"
#include "autoscaler/template.h"
#include "base/buf.h"
#include "base/rng.h"
#include "simulator/snapshot.h"

#define ASC__NS_PER_S 1000000000LL

/* cluster-autoscaler's node taint and annotations. */
#define ASC__TAINT_TO_BE_DELETED "ToBeDeletedByClusterAutoscaler"
#define ASC__ANN_SCALE_DOWN_OFF  "cluster-autoscaler.kubernetes.io/scale-down-disabled"
#define ASC__ANN_MIRROR          "kubernetes.io/config.mirror"
/* A node not Ready this long after creation is unready, not starting. */
#define ASC__MAX_NODE_STARTUP (15LL * 60 * ASC__NS_PER_S)

/* What the loop knows about one managed group. */
struct asc__group {
    const struct asc_node_group *g;  /* borrowed from the group set */
    const struct asc_template *tmpl; /* borrowed; NULL = no template */
    const struct sim_pod **ds;       /* heap: DaemonSet pods of a new node */
    size_t n_ds;
    struct model_resources ds_sum; /* their requests (arrays in the plan's scratch arena) */
    int32_t registered;            /* nodes of the group in the cluster */
    int32_t ready, unready, not_started, being_deleted;
    int32_t resource_unready;  /* of the unready: for GPUs not shown up yet */
    int32_t upcoming;          /* target - registered, >= 0: requested, not registered */
    int32_t long_unregistered; /* upcoming given up after the provision time */
    bool backoff;
    int32_t scale_down_candidates;
    int32_t new_size; /* after this plan's scale-up (target when none) */
};

struct asc__ctx {
    const struct asc_options *o;
    const struct asc_inputs *in;
    struct asc_state *state;
    struct asc_plan *out;
    struct hs_err *err;
    int64_t now_s; /* in->now in Unix seconds, for the model's times */

    struct hs_intern *intern; /* borrowed: the cluster's table */
    struct hs_arena scratch;  /* the loop's temporary arrays */
    struct asc_groups *groups;
    struct asc_templates *templates;
    struct asc_expander *expander;
    struct asc_priorities *priorities;
    struct asc__group *gs; /* heap, one per group (same index) */
    uint32_t n_gs;

    struct sim_snapshot *snap;
    size_t n_real_nodes; /* snapshot nodes 0..n are the cluster's nodes */
    /* The cluster as the snapshot sees it: in->cluster without the bound
     * expendable pods (priority below --expendable-pods-priority-cutoff),
     * which cluster-autoscaler leaves out of its snapshot: they neither
     * count in utilization nor need a place when their node goes, and a
     * pending pod may take their room. Points at in->cluster when none. */
    const struct model_cluster *snap_cluster;
    struct model_cluster view;               /* the copy snap_cluster points at, if any */
    struct model_pod **view_pods;            /* heap: its pods array */
    const struct model_namespace **ns_index; /* heap: namespaces by name pointer */
    size_t n_ns_index;
    struct asc_taint_config taints; /* startup and status taints (borrowed from o) */
    int32_t *node_group;            /* per cluster node: group index or -1 */
    /* per cluster node: a group's node that registered but has not started
     * (see count_cluster): out of the snapshot, replaced by an upcoming
     * node of its group, and no scale-down candidate */
    bool *not_started;
    struct hs_rng rng;
    const char **names; /* heap: interned names this loop made (refs held) */
    size_t n_names, cap_names;

    /* The cluster now. */
    int64_t nodes_total, nodes_ready, nodes_unready, nodes_not_started;
    int64_t nodes_resource_unready; /* of the unready: for GPUs not shown up yet */
    int64_t upcoming_total;
    int64_t cores_total;  /* capacity of registered + upcoming nodes, cores */
    int64_t memory_total; /* bytes */
    bool healthy;
    bool scaled_up;
    int32_t pending; /* pods waiting for a node, after the filters */
    bool scale_down_cooldown;
    const char *cooldown_why;

    /* Output being built (grown on the heap, copied into the plan's arena). */
    struct asc_unremovable *unremovable;
    size_t n_unremovable, cap_unremovable;
    const char **warnings;
    size_t n_warnings, cap_warnings;
};

/* A printf-formatted string in the plan's arena. */
const char *asc__strf(struct asc__ctx *c, const char *fmt, ...) HS_PRINTF(2, 3);
/* "ns/name" of p (borrowed), in the plan's arena. */
const char *asc__pod_key(struct asc__ctx *c, const struct model_pod *p);
/* qsort's comparison of two const char * (strcmp order). */
int asc__str_cmp(const void *a, const void *b);
void asc__warn(struct asc__ctx *c, const char *fmt, ...) HS_PRINTF(2, 3);
void asc__unremovable(struct asc__ctx *c, const char *node, const char *reason);
/* A new interned name kept alive until the loop ends (borrowed). */
const char *asc__name(struct asc__ctx *c, const char *fmt, ...) HS_PRINTF(2, 3);

/* Whether node n (borrowed) is ready as cluster-autoscaler judges it (see plan.c). */
bool asc__node_ready(const struct asc__ctx *c, const struct model_node *n);
/* Whether node (borrowed) carries the ToBeDeleted taint or a deletion time. */
bool asc__being_deleted(const struct model_node *n);
/* Whether p (borrowed) belongs to a DaemonSet. */
bool asc__is_daemonset_pod(const struct model_pod *p);
/* The pod's priority (0 when unset). */
int32_t asc__priority(const struct model_pod *p);
/* Whether p is expendable: a priority is set and is below cutoff (a pod
 * without spec.priority never is, as in cluster-autoscaler). */
bool asc__expendable(const struct model_pod *p, int32_t cutoff);
/* Cores as cluster-autoscaler counts a node's cpu capacity (rounded up). */
int64_t asc__cores(const struct model_resources *r);

/* The phases of one loop, in order (scaleup.c, scaledown.c, status.c). */
enum hs_code asc__scale_up(struct asc__ctx *c);
enum hs_code asc__scale_down(struct asc__ctx *c);
void asc__status(struct asc__ctx *c);

#endif
