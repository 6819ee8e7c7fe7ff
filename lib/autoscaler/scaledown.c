/*
 * Scale-down, as cluster-autoscaler's planner decides it: every node of a
 * managed group that is not being deleted, not scale-down-disabled, and
 * whose utilization (max of cpu and memory requests over allocatable; GPU
 * nodes by GPU) is under its group's threshold is a candidate; a candidate
 * is unneeded when all its pods can move to the other nodes (the simulator's
 * drain rules and filters, PDB budgets and moves accumulating across
 * candidates) without taking its group below min or the cluster below the
 * resource minimums. Unneeded nodes are removed once their timer (unneeded,
 * or unready, time) has run, empty ones in bulk, non-empty ones a few at a
 * time, and never in a loop that scaled up or during a cooldown.
 *
 * Never does I/O and never reads a clock; changes the snapshot only through
 * the drainer, after marking the upcoming nodes removed so that no pod is
 * promised to a node that does not exist yet.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "planner_int.h"
#include "simulator/drain.h"

struct cand {
    const char *name;
    int32_t node; /* cluster/snapshot index */
    int32_t group;
    double util;
    bool gpu;
    bool ready;
    bool empty;    /* no pod to move and none blocking (before any simulation) */
    int64_t since; /* unneeded since (state), 0 = new */
};

struct unneeded {
    int32_t node, group;
    double util;
    bool ready;
    int64_t cores;          /* capacity, for --cores-total's minimum */
    struct asc_move *moves; /* plan arena */
    size_t n_moves;
};

/* The value of annotation key (plain string) in l, or NULL. */
static const char *annotation(const struct model_labels *l, const char *key)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].key, key) == 0)
            return l->v[i].value ? l->v[i].value : "";
    return NULL;
}

static const char *gpu_resource_of(const struct model_node *n)
{
    static const char *const names[] = { "nvidia.com/gpu", "amd.com/gpu", "habana.ai/gaudi" };
    for (size_t i = 0; i < HS_ARRAY_LEN(names); i++)
        for (uint32_t k = 0; k < n->allocatable.n_scalar; k++)
            if (strcmp(n->allocatable.scalar[k].name, names[i]) == 0 &&
                n->allocatable.scalar[k].value > 0)
                return n->allocatable.scalar[k].name;
    return NULL;
}

static int64_t scalar_of(const struct model_resources *r, const char *name)
{
    for (uint32_t k = 0; k < r->n_scalar; k++)
        if (r->scalar[k].name == name || strcmp(r->scalar[k].name, name) == 0)
            return r->scalar[k].value;
    return 0;
}

/* A pod cluster-autoscaler counts as a DaemonSet pod (see asc__is_daemonset_pod). */
static bool daemonset_pod(const struct model_pod *p)
{
    return asc__is_daemonset_pod(p);
}

/* A pod deleted longer ago than its terminationGracePeriodSeconds (30 when
 * unset) plus 30s: on its way out, not counted (cluster-autoscaler's
 * IsPodLongTerminating, used by its utilization). */
static bool long_terminating(const struct asc__ctx *c, const struct model_pod *p)
{
    int64_t grace = p->has_grace ? p->grace_seconds : 30;
    return p->deletion_ts && p->deletion_ts + grace + 30 < c->now_s;
}

/* Utilization of node i as cluster-autoscaler computes it, per resource:
 * the requests of its pods over allocatable. With
 * --ignore-daemonsets-utilization (or the group's option) DaemonSet pods,
 * and with --ignore-mirror-pods-utilization mirror pods, leave the sum AND
 * the allocatable (what is left for the other pods is the denominator);
 * long-terminating pods are left out. A GPU node is measured by its GPUs
 * alone; otherwise the larger of cpu and memory. */
static double utilization(struct asc__ctx *c, int32_t i, const struct asc__group *g, bool *gpu)
{
    const struct model_node *n = c->in->cluster->nodes[i];
    const char *gname = gpu_resource_of(n);
    bool skip_ds = g->g->options.ignore_daemonsets_utilization;
    int64_t cpu = 0, mem = 0, gpus = 0, cpu_off = 0, mem_off = 0, gpus_off = 0;
    const int32_t *ids;
    size_t np = sim_snapshot_node_pods(c->snap, i, &ids);
    for (size_t k = 0; k < np; k++) {
        const struct model_pod *p = sim_snapshot_pod(c->snap, ids[k])->pod;
        int64_t pg = gname ? scalar_of(&p->requests, gname) : 0;
        if ((skip_ds && daemonset_pod(p)) || (c->o->ignore_mirror_pods_utilization &&
                                              annotation(&p->annotations, ASC__ANN_MIRROR))) {
            cpu_off += p->requests.cpu_milli;
            mem_off += p->requests.memory;
            gpus_off += pg;
            continue;
        }
        if (long_terminating(c, p))
            continue;
        cpu += p->requests.cpu_milli;
        mem += p->requests.memory;
        gpus += pg;
    }
    *gpu = gname != NULL;
    if (gname) {
        int64_t alloc = scalar_of(&n->allocatable, gname) - gpus_off;
        return alloc > 0 ? (double)gpus / (double)alloc : 0;
    }
    double u = 0;
    int64_t acpu = n->allocatable.cpu_milli - cpu_off, amem = n->allocatable.memory - mem_off;
    if (acpu > 0)
        u = (double)cpu / (double)acpu;
    if (amem > 0) {
        double m = (double)mem / (double)amem;
        if (m > u)
            u = m;
    }
    return u;
}

/* ---- the drain rules' controller table ------------------------------------------
 *
 * cluster-autoscaler's replica-count rule looks a pod's controller up in its
 * listers: a ReplicaSet, ReplicationController, StatefulSet or Job (or the
 * DaemonSet of a pod marked as a DaemonSet pod by annotation) that does not
 * exist blocks the node (ControllerNotFound), and a ReplicaSet or
 * ReplicationController with spec.replicas below --min-replica-count blocks
 * it too (MinReplicasReached). The daemon's caches always hold those kinds;
 * `hoist simulate` holds what the user listed. So:
 *
 * - an input with no ReplicaSet, StatefulSet, ReplicationController or Job
 *   at all (DESIGN.md's `kubectl get nodes,pods,poddisruptionbudgets,
 *   daemonsets`) has no listers: the rule is off, as in cluster-autoscaler
 *   without listers;
 * - otherwise the rule is on, and a kind the input carries no object of is
 *   taken as not listed rather than as empty: every pod controller of that
 *   kind is entered as found (without a replica count), so listing only
 *   replicasets never blocks the nodes of Job or StatefulSet pods. */

struct ctl_table {
    struct sim_controller *v;
    size_t n, cap;
};

static void ctl_add(struct ctl_table *t, const char *kind, const char *ns, const char *name,
                    bool has_replicas, int32_t replicas)
{
    HS_GROW(t->v, t->cap, t->n + 1);
    t->v[t->n++] = (struct sim_controller){
        .kind = kind,
        .ns = ns,
        .name = name,
        .has_replicas = has_replicas,
        .replicas = replicas,
    };
}

/* Fills t; returns false when the rule is off (no controller objects). */
static bool build_controllers(struct asc__ctx *c, struct ctl_table *t)
{
    const struct model_cluster *cl = c->in->cluster;
    if (!cl->n_replicasets && !cl->n_statefulsets && !cl->n_replication_controllers && !cl->n_jobs)
        return false;
    enum { RS, SS, RC, JOB, DS, N_KINDS };
    static const char *const names[N_KINDS] = { "ReplicaSet", "StatefulSet",
                                                "ReplicationController", "Job", "DaemonSet" };
    const char *kind[N_KINDS];
    for (int k = 0; k < N_KINDS; k++)
        kind[k] = asc__name(c, "%s", names[k]);
    const bool listed[N_KINDS] = {
        [RS] = cl->n_replicasets > 0,
        [SS] = cl->n_statefulsets > 0,
        [RC] = cl->n_replication_controllers > 0,
        [JOB] = cl->n_jobs > 0,
        [DS] = cl->n_daemonsets > 0,
    };
    for (size_t i = 0; i < cl->n_replicasets; i++) {
        const struct model_workload *w = cl->replicasets[i];
        ctl_add(t, kind[RS], w->ns, w->name, w->has_replicas, w->replicas);
    }
    for (size_t i = 0; i < cl->n_statefulsets; i++) {
        const struct model_workload *w = cl->statefulsets[i];
        ctl_add(t, kind[SS], w->ns, w->name, w->has_replicas, w->replicas);
    }
    for (size_t i = 0; i < cl->n_replication_controllers; i++) {
        const struct model_workload *w = cl->replication_controllers[i];
        ctl_add(t, kind[RC], w->ns, w->name, w->has_replicas, w->replicas);
    }
    for (size_t i = 0; i < cl->n_jobs; i++)
        ctl_add(t, kind[JOB], cl->jobs[i]->ns, cl->jobs[i]->name, false, 0);
    for (size_t i = 0; i < cl->n_daemonsets; i++)
        ctl_add(t, kind[DS], cl->daemonsets[i]->ns, cl->daemonsets[i]->name, false, 0);
    /* kinds not listed: every controller of that kind counts as found */
    for (size_t i = 0; i < cl->n_pods; i++) {
        const struct model_pod *p = cl->pods[i];
        const struct model_owner_ref *o = model_pod_controller(p);
        if (!o || !o->kind || !p->node_name)
            continue;
        for (int k = 0; k < N_KINDS; k++)
            if (o->kind == kind[k] && !listed[k])
                ctl_add(t, kind[k], p->ns, o->name, false, 0);
        /* a pod marked as a DaemonSet pod by annotation is looked up as a
         * DaemonSet under its owner's name */
        const char *dsa =
            annotation(&p->annotations, "cluster-autoscaler.kubernetes.io/daemonset-pod");
        if (!listed[DS] && o->kind != kind[DS] && dsa && strcmp(dsa, "true") == 0)
            ctl_add(t, kind[DS], p->ns, o->name, false, 0);
    }
    return true;
}

/* cluster-autoscaler's ScaleDownCandidatesSortingProcessor: empty nodes
 * first (its EmptySorting: no pod to move, none blocking), then nodes already
 * unneeded (their timers are running; its PreviousCandidates); CA leaves the
 * rest in lister order, hoist takes the least utilized, then by name. */
static int cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->empty != y->empty)
        return x->empty ? -1 : 1;
    if ((x->since != 0) != (y->since != 0))
        return x->since ? -1 : 1;
    if (x->util != y->util)
        return x->util < y->util ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int move_cmp(const void *a, const void *b)
{
    return strcmp(((const struct asc_move *)a)->pod, ((const struct asc_move *)b)->pod);
}

/* Whether the three cooldowns allow deleting now; sets c->cooldown_why. */
static bool cooldown_over(struct asc__ctx *c)
{
    const struct asc_state *s = c->state;
    int64_t now = c->in->now;
    if (c->scaled_up) {
        c->cooldown_why = "a scale-up is planned in this loop";
        return false;
    }
    if (c->in->timers_expired)
        return true;
    if (s->last_scale_up && now - s->last_scale_up < c->o->scale_down_delay_after_add) {
        c->cooldown_why = "--scale-down-delay-after-add has not passed since the last scale-up";
        return false;
    }
    if (s->last_scale_down && now - s->last_scale_down < c->o->scale_down_delay_after_delete) {
        c->cooldown_why = "--scale-down-delay-after-delete has not passed since the last deletion";
        return false;
    }
    if (s->last_scale_down_failure &&
        now - s->last_scale_down_failure < c->o->scale_down_delay_after_failure) {
        c->cooldown_why =
            "--scale-down-delay-after-failure has not passed since the last failed deletion";
        return false;
    }
    return true;
}

enum hs_code asc__scale_down(struct asc__ctx *c)
{
    const struct model_cluster *cl = c->in->cluster;
    if (!c->o->scale_down_enabled || !c->healthy)
        return HS_OK;

    /* upcoming nodes are no destination */
    for (size_t i = c->n_real_nodes; i < sim_snapshot_n_nodes(c->snap); i++)
        if (!sim_snapshot_node_removed(c->snap, (int32_t)i))
            sim_snapshot_mark_removed(c->snap, (int32_t)i);

    struct cand *cands = hs_calloc(cl->n_nodes ? cl->n_nodes : 1, sizeof(*cands));
    size_t n_cands = 0;
    for (size_t i = 0; i < cl->n_nodes; i++) {
        const struct model_node *n = cl->nodes[i];
        int32_t gi = c->node_group[i];
        if (c->not_started[i])
            continue; /* upcoming: cluster-autoscaler leaves it out of allNodes */
        if (gi < 0) {
            asc__unremovable(c, n->name, "NotAutoscaled");
            continue;
        }
        struct asc__group *g = &c->gs[gi];
        if (asc__being_deleted(n)) {
            asc__unremovable(c, n->name, "CurrentlyBeingDeleted");
            continue;
        }
        const char *off = annotation(&n->annotations, ASC__ANN_SCALE_DOWN_OFF);
        if (off && strcmp(off, "true") == 0) {
            asc__unremovable(c, n->name, "ScaleDownDisabledAnnotation");
            continue;
        }
        bool gpu;
        double u = utilization(c, (int32_t)i, g, &gpu);
        /* cluster-autoscaler (eligibility.go): with --scale-down-unready-enabled=false
         * an unready node is skipped, after its utilization and before the threshold. */
        if (!c->o->scale_down_unready_enabled && !asc__node_ready(c, n)) {
            asc__unremovable(c, n->name, "ScaleDownUnreadyDisabled");
            continue;
        }
        double limit = gpu ? g->g->options.scale_down_gpu_utilization_threshold
                           : g->g->options.scale_down_utilization_threshold;
        /* cluster-autoscaler (eligibility.go, isNodeAtOrBelowUtilizationThreshold,
         * since PR #8975, in every release branch from 1.32): a node AT the
         * threshold is underutilized; only one above it is not. With a threshold
         * of 0 the empty nodes (e.g. only DaemonSet pods, ignored) can go. */
        if (u > limit) {
            asc__unremovable(c, n->name, "NotUnderutilized");
            continue;
        }
        /* cluster-autoscaler's PreFilteringScaleDownNodeProcessor: a group
         * already at its min size offers no candidates at all (reported here
         * after utilization, so a busy node still says NotUnderutilized). */
        if (g->g->target_size - g->being_deleted <= g->g->min_size) {
            asc__unremovable(c, n->name, "NodeGroupMinSizeReached");
            continue;
        }
        cands[n_cands++] = (struct cand){
            .name = n->name,
            .node = (int32_t)i,
            .group = gi,
            .util = u,
            .gpu = gpu,
            .ready = asc__node_ready(c, n),
            .since = asc_state_unneeded_since(c->state, n->name),
        };
    }
    struct sim_drain_options dopt;
    sim_drain_options_init(&dopt);
    dopt.skip_nodes_with_system_pods = c->o->skip_nodes_with_system_pods;
    dopt.skip_nodes_with_local_storage = c->o->skip_nodes_with_local_storage;
    dopt.skip_nodes_with_custom_controller_pods = c->o->skip_nodes_with_custom_controller_pods;
    dopt.min_replica_count = c->o->min_replica_count;
    dopt.now = c->now_s;
    struct ctl_table ctl = { 0 };
    bool ctl_on = build_controllers(c, &ctl);
    struct sim_drain_env denv = {
        .controllers = ctl_on ? ctl.v : NULL,
        .n_controllers = ctl_on ? ctl.n : 0,
        .pdbs = (struct model_pdb *const *)cl->pdbs,
        .n_pdbs = cl->n_pdbs,
    };
    struct sim_drainer *dr = sim_drainer_new(c->snap, &dopt, &denv);
    for (size_t k = 0; k < n_cands; k++) {
        const int32_t *ids;
        size_t np = sim_snapshot_node_pods(c->snap, cands[k].node, &ids);
        bool empty = true;
        for (size_t j = 0; j < np && empty; j++) {
            bool mv = false;
            empty = sim_drain_pod_rules(dr, sim_snapshot_pod(c->snap, ids[j])->pod, &mv) ==
                        SIM_DRAIN_OK &&
                    !mv;
        }
        cands[k].empty = empty;
    }
    if (n_cands)
        qsort(cands, n_cands, sizeof(*cands), cand_cmp);

    struct unneeded *un = hs_calloc(n_cands ? n_cands : 1, sizeof(*un));
    size_t n_un = 0;
    int32_t non_empty_checked = 0;
    /* Every candidate is simulated, whatever its group's size: as in
     * cluster-autoscaler's planner, a node found unneeded stops being a
     * destination for the next candidates even if min size or the resource
     * minimums keep it (those are checked when nodes are picked, below). */
    for (size_t k = 0; k < n_cands; k++) {
        const struct cand *cd = &cands[k];
        const struct model_node *n = cl->nodes[cd->node];
        /* --scale-down-non-empty-candidates-count: nodes with pods to move
         * are simulated only this many per loop */
        const int32_t *ids;
        size_t np = sim_snapshot_node_pods(c->snap, cd->node, &ids);
        bool any_move = false;
        for (size_t j = 0; j < np && !any_move; j++) {
            bool mv = false;
            sim_drain_pod_rules(dr, sim_snapshot_pod(c->snap, ids[j])->pod, &mv);
            any_move = mv;
        }
        if (any_move) {
            if (c->o->scale_down_non_empty_candidates_count > 0 &&
                non_empty_checked >= c->o->scale_down_non_empty_candidates_count)
                continue;
            non_empty_checked++;
        }
        struct sim_drain_result r;
        enum sim_drain_reason why = sim_drain_node(dr, cd->node, &r);
        if (why != SIM_DRAIN_OK) {
            asc__unremovable(c, n->name, sim_drain_reason_name(why));
            continue;
        }
        struct unneeded *u = &un[n_un++];
        u->node = cd->node;
        u->group = cd->group;
        u->util = cd->util;
        u->ready = cd->ready;
        u->cores = asc__cores(&n->capacity);
        u->n_moves = r.n_moves;
        u->moves = HS_ARENA_NEW_ARRAY(&c->out->arena, struct asc_move, r.n_moves ? r.n_moves : 1);
        for (size_t j = 0; j < r.n_moves; j++) {
            const struct model_pod *p = sim_snapshot_pod(c->snap, r.moves[j].pod_id)->pod;
            u->moves[j].pod = asc__pod_key(c, p);
            u->moves[j].node =
                asc__strf(c, "%s", sim_snapshot_node(c->snap, r.moves[j].node)->name);
        }
        qsort(u->moves, u->n_moves, sizeof(*u->moves), move_cmp);
        c->gs[cd->group].scale_down_candidates++;
    }
    sim_drainer_free(&dr);
    hs_free(ctl.v);

    /* timers */
    const char **names = hs_calloc(n_un ? n_un : 1, sizeof(*names));
    for (size_t k = 0; k < n_un; k++)
        names[k] = cl->nodes[un[k].node]->name;
    asc_state_set_unneeded(c->state, names, n_un, c->in->now);
    hs_free(names);

    bool may_delete = cooldown_over(c);
    c->scale_down_cooldown = !may_delete;
    if (!may_delete && n_un)
        asc__warn(c, "scale-down waits: %s (%zu node(s) unneeded)", c->cooldown_why, n_un);

    /* pick, as cluster-autoscaler's RemovableAt and budget processor: empty
     * nodes first, then non-empty ones; each must have been unneeded long
     * enough, keep its group above min size and the cluster above
     * --cores-total/--memory-total's minimums (a node passing those counts
     * against them even when the budgets below leave it for a later loop);
     * then up to --max-scale-down-parallelism nodes, of which up to
     * --max-drain-parallelism non-empty. */
    int32_t *removed_in = hs_calloc(c->n_gs ? c->n_gs : 1, sizeof(*removed_in));
    int64_t cores_left = c->cores_total, mem_left = c->memory_total;
    const int64_t gib = 1024LL * 1024 * 1024;
    struct asc_plan *p = c->out;
    p->scale_down = HS_ARENA_NEW_ARRAY(&p->arena, struct asc_scale_down, n_un ? n_un : 1);
    p->unneeded = HS_ARENA_NEW_ARRAY(&p->arena, struct asc_scale_down, n_un ? n_un : 1);
    int32_t budget = c->o->max_scale_down_parallelism;
    int32_t drains = c->o->max_drain_parallelism;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < n_un; k++) {
            struct unneeded *u = &un[k];
            bool empty = u->n_moves == 0;
            if (empty != (pass == 0))
                continue;
            const struct model_node *n = cl->nodes[u->node];
            const struct asc__group *g = &c->gs[u->group];
            int64_t wait = u->ready ? g->g->options.scale_down_unneeded_time
                                    : g->g->options.scale_down_unready_time;
            int64_t since = asc_state_unneeded_since(c->state, n->name);
            if (!c->in->timers_expired && c->in->now - since < wait) {
                asc__unremovable(c, n->name,
                                 u->ready ? "NotUnneededLongEnough" : "NotUnreadyLongEnough");
                continue;
            }
            if (g->g->target_size - g->being_deleted - removed_in[u->group] <= g->g->min_size) {
                asc__unremovable(c, n->name, "NodeGroupMinSizeReached");
                continue;
            }
            if (cores_left - u->cores < c->o->cores_min ||
                mem_left - n->capacity.memory < c->o->memory_min_gib * gib) {
                asc__unremovable(c, n->name, "MinimalResourceLimitExceeded");
                continue;
            }
            removed_in[u->group]++;
            cores_left -= u->cores;
            mem_left -= n->capacity.memory;
            struct asc_scale_down *d;
            if (may_delete && budget > 0 && (empty || drains > 0)) {
                budget--;
                if (!empty)
                    drains--;
                d = &p->scale_down[p->n_scale_down++];
            } else {
                d = &p->unneeded[p->n_unneeded++];
            }
            d->node = asc__strf(c, "%s", n->name);
            d->group = asc__strf(c, "%s", g->g->name);
            d->empty = empty;
            d->utilization = u->util;
            d->moves = u->moves;
            d->n_moves = u->n_moves;
        }
    }
    if (p->n_scale_down)
        asc_state_scale_down_done(c->state, c->in->now);
    hs_free(un);
    hs_free(removed_in);
    hs_free(cands);
    return HS_OK;
}
