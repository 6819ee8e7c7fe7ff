/*
 * Drain simulation with cluster-autoscaler's drainability rules (mirror,
 * long-terminating, custom controller, DaemonSet, safe-to-evict, terminal,
 * replicated, kube-system, not-safe-to-evict, local storage, PDB), in its
 * order, then the placement of every pod that must move, first fit over the
 * nodes still in the simulation. PDB budgets are spent across a pass of
 * several nodes. Changes the snapshot only through fork/commit/revert; never
 * does I/O and never reads a clock (the time is an option).
 */
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "simulator/drain.h"
#include "sim_int.h"

struct sim_drainer {
    struct sim_snapshot *s;
    struct sim_drain_options o;
    struct sim_drain_env env;
    int32_t *pdb_left; /* remaining disruptions per PDB */
    int32_t *pdb_use;  /* scratch: pods of this node per PDB */
    struct sim_move *moves;
    size_t n_moves, cap_moves;
    int32_t *tomove;
    size_t n_tomove, cap_tomove;
    /* interned names, references held */
    const char *k_kube_system, *k_mirror, *k_safe, *k_safe_local, *k_ds_pod;
    const char *k_rc, *k_ds, *k_job, *k_rs, *k_ss;
};

void sim_drain_options_init(struct sim_drain_options *o)
{
    memset(o, 0, sizeof(*o));
    o->skip_nodes_with_system_pods = true;
    o->skip_nodes_with_local_storage = true;
    o->skip_nodes_with_custom_controller_pods = true;
}

const char *sim_drain_reason_name(enum sim_drain_reason r)
{
    switch (r) {
    case SIM_DRAIN_OK:
        return "";
    case SIM_DRAIN_CONTROLLER_NOT_FOUND:
        return "ControllerNotFound";
    case SIM_DRAIN_MIN_REPLICAS:
        return "MinReplicasReached";
    case SIM_DRAIN_NOT_REPLICATED:
        return "NotReplicated";
    case SIM_DRAIN_LOCAL_STORAGE:
        return "LocalStorageRequested";
    case SIM_DRAIN_NOT_SAFE_TO_EVICT:
        return "NotSafeToEvictAnnotation";
    case SIM_DRAIN_KUBE_SYSTEM:
        return "UnmovableKubeSystemPod";
    case SIM_DRAIN_NOT_ENOUGH_PDB:
        return "NotEnoughPdb";
    case SIM_DRAIN_NO_PLACE:
        return "NoPlaceToMovePods";
    case SIM_DRAIN_NODE_REMOVED:
        return "NodeRemoved";
    }
    return "UnexpectedError";
}

struct sim_drainer *sim_drainer_new(struct sim_snapshot *s, const struct sim_drain_options *o,
                                    const struct sim_drain_env *env)
{
    struct sim_drainer *d = hs_calloc(1, sizeof(*d));
    d->s = s;
    d->o = *o;
    if (env)
        d->env = *env;
    size_t np = d->env.n_pdbs ? d->env.n_pdbs : 1;
    d->pdb_left = hs_calloc(np, sizeof(*d->pdb_left));
    d->pdb_use = hs_calloc(np, sizeof(*d->pdb_use));
    for (size_t i = 0; i < d->env.n_pdbs; i++)
        d->pdb_left[i] = d->env.pdbs[i]->disruptions_allowed;
    struct hs_intern *t = s->intern;
    d->k_kube_system = hs_intern_cstr(t, "kube-system");
    d->k_mirror = hs_intern_cstr(t, "kubernetes.io/config.mirror");
    d->k_safe = hs_intern_cstr(t, "cluster-autoscaler.kubernetes.io/safe-to-evict");
    d->k_safe_local =
        hs_intern_cstr(t, "cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes");
    d->k_ds_pod = hs_intern_cstr(t, "cluster-autoscaler.kubernetes.io/daemonset-pod");
    d->k_rc = hs_intern_cstr(t, "ReplicationController");
    d->k_ds = hs_intern_cstr(t, "DaemonSet");
    d->k_job = hs_intern_cstr(t, "Job");
    d->k_rs = hs_intern_cstr(t, "ReplicaSet");
    d->k_ss = hs_intern_cstr(t, "StatefulSet");
    return d;
}

void sim_drainer_free(struct sim_drainer **dp)
{
    struct sim_drainer *d = dp ? *dp : NULL;
    if (!d)
        return;
    struct hs_intern *t = d->s->intern;
    const char *k[] = { d->k_kube_system, d->k_mirror, d->k_safe, d->k_safe_local, d->k_ds_pod,
                        d->k_rc,          d->k_ds,     d->k_job,  d->k_rs,         d->k_ss };
    for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
        hs_intern_unref(t, k[i]);
    hs_free(d->pdb_left);
    hs_free(d->pdb_use);
    hs_free(d->moves);
    hs_free(d->tomove);
    hs_free(d);
    *dp = NULL;
}

static bool annotation_is(const struct model_pod *p, const char *key, const char *value)
{
    const char *v = model_labels_get(&p->annotations, key);
    return v && strcmp(v, value) == 0;
}

static bool pdb_matches(const struct model_pdb *b, const struct model_pod *p)
{
    return b->ns == p->ns && model_selector_matches(&b->selector, &p->labels);
}

static const struct sim_controller *find_controller(const struct sim_drainer *d, const char *kind,
                                                    const char *ns, const char *name)
{
    for (size_t i = 0; i < d->env.n_controllers; i++) {
        const struct sim_controller *c = &d->env.controllers[i];
        if (c->kind == kind && c->ns == ns && c->name && name && strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

static bool is_daemonset_pod(const struct sim_drainer *d, const struct model_pod *p)
{
    const struct model_owner_ref *o = model_pod_controller(p);
    if (o && o->kind == d->k_ds)
        return true;
    return annotation_is(p, d->k_ds_pod, "true");
}

/* HasBlockingLocalStorage: hostPath, or emptyDir not in memory, unless the
 * volume is named in safe-to-evict-local-volumes (comma-separated). */
static bool blocking_local_storage(const struct sim_drainer *d, const struct model_pod *p)
{
    const char *ok = model_labels_get(&p->annotations, d->k_safe_local);
    for (uint32_t i = 0; i < p->n_volumes; i++) {
        const struct model_volume *v = &p->volumes[i];
        if (v->kind != MODEL_VOL_HOST_PATH && v->kind != MODEL_VOL_EMPTY_DIR)
            continue;
        bool listed = false;
        size_t len = v->name ? strlen(v->name) : 0;
        for (const char *q = ok; q && *q && !listed;) {
            const char *e = strchr(q, ',');
            size_t n = e ? (size_t)(e - q) : strlen(q);
            listed = n == len && v->name && strncmp(q, v->name, n) == 0;
            q = e ? e + 1 : NULL;
        }
        if (!listed)
            return true;
    }
    return false;
}

/* cluster-autoscaler's custom-controller rule: the controller must exist in
 * the caller's table and have at least min_replica_count replicas. */
static enum sim_drain_reason controller_rule(const struct sim_drainer *d, const struct model_pod *p)
{
    const struct model_owner_ref *o = model_pod_controller(p);
    if (!o)
        return SIM_DRAIN_OK;
    const struct sim_controller *c = NULL;
    if (o->kind == d->k_rc) {
        c = find_controller(d, d->k_rc, p->ns, o->name);
        if (!c)
            return SIM_DRAIN_CONTROLLER_NOT_FOUND;
        if (c->has_replicas && c->replicas < d->o.min_replica_count)
            return SIM_DRAIN_MIN_REPLICAS;
    } else if (is_daemonset_pod(d, p)) {
        if (o->kind == d->k_ds)
            return SIM_DRAIN_OK;
        if (!find_controller(d, d->k_ds, p->ns, o->name))
            return SIM_DRAIN_CONTROLLER_NOT_FOUND;
    } else if (o->kind == d->k_job) {
        if (!find_controller(d, d->k_job, p->ns, o->name))
            return SIM_DRAIN_CONTROLLER_NOT_FOUND;
    } else if (o->kind == d->k_rs) {
        c = find_controller(d, d->k_rs, p->ns, o->name);
        if (!c)
            return SIM_DRAIN_CONTROLLER_NOT_FOUND;
        if (c->has_replicas && c->replicas < d->o.min_replica_count)
            return SIM_DRAIN_MIN_REPLICAS;
    } else if (o->kind == d->k_ss) {
        if (!find_controller(d, d->k_ss, p->ns, o->name))
            return SIM_DRAIN_CONTROLLER_NOT_FOUND;
    }
    return SIM_DRAIN_OK;
}

enum sim_drain_reason sim_drain_pod_rules(struct sim_drainer *d, const struct model_pod *p,
                                          bool *must_move)
{
    *must_move = false;
    /* mirror and long-terminating pods: skipped */
    if (model_labels_get(&p->annotations, d->k_mirror))
        return SIM_DRAIN_OK;
    /* cluster-autoscaler's IsPodLongTerminating: deleted, and its own
     * terminationGracePeriodSeconds (30 when unset) plus 30s have passed
     * since deletionTimestamp. */
    int64_t grace =
        p->has_grace ? p->grace_seconds : (d->o.grace_seconds > 0 ? d->o.grace_seconds : 30);
    if (p->deletion_ts && p->deletion_ts + grace + 30 < d->o.now)
        return SIM_DRAIN_OK;
    if (d->o.skip_nodes_with_custom_controller_pods && d->env.controllers) {
        enum sim_drain_reason r = controller_rule(d, p);
        if (r != SIM_DRAIN_OK)
            return r;
    }
    /* interrupting checks */
    if (is_daemonset_pod(d, p))
        return SIM_DRAIN_OK; /* stays; needs no place */
    if (annotation_is(p, d->k_safe, "true") || p->phase == MODEL_PHASE_SUCCEEDED ||
        p->phase == MODEL_PHASE_FAILED) {
        *must_move = true;
        return SIM_DRAIN_OK;
    }
    /* blocking checks */
    const struct model_owner_ref *o = model_pod_controller(p);
    bool replicated = o != NULL;
    if (replicated && d->o.skip_nodes_with_custom_controller_pods)
        replicated =
            o->kind == d->k_rc || o->kind == d->k_job || o->kind == d->k_rs || o->kind == d->k_ss;
    if (!replicated)
        return SIM_DRAIN_NOT_REPLICATED;
    if (d->o.skip_nodes_with_system_pods && p->ns == d->k_kube_system) {
        bool has_pdb = false;
        for (size_t i = 0; i < d->env.n_pdbs && !has_pdb; i++)
            has_pdb = pdb_matches(d->env.pdbs[i], p);
        if (!has_pdb)
            return SIM_DRAIN_KUBE_SYSTEM;
    }
    if (annotation_is(p, d->k_safe, "false"))
        return SIM_DRAIN_NOT_SAFE_TO_EVICT;
    if (d->o.skip_nodes_with_local_storage && blocking_local_storage(d, p))
        return SIM_DRAIN_LOCAL_STORAGE;
    for (size_t i = 0; i < d->env.n_pdbs; i++)
        if (pdb_matches(d->env.pdbs[i], p) && d->pdb_left[i] < 1)
            return SIM_DRAIN_NOT_ENOUGH_PDB;
    *must_move = true;
    return SIM_DRAIN_OK;
}

static enum sim_drain_reason finish(struct sim_drain_result *r, enum sim_drain_reason why,
                                    const struct model_pod *blocking)
{
    r->reason = why;
    r->blocking = blocking;
    return why;
}

enum sim_drain_reason sim_drain_node(struct sim_drainer *d, int32_t node,
                                     struct sim_drain_result *r)
{
    struct sim_snapshot *s = d->s;
    memset(r, 0, sizeof(*r));
    d->n_moves = 0;
    d->n_tomove = 0;
    r->moves = d->moves;
    if (s->nodes[node].removed)
        return finish(r, SIM_DRAIN_NODE_REMOVED, NULL);
    const struct sim__node *nd = &s->nodes[node];
    for (uint32_t i = 0; i < nd->n_pods; i++) {
        int32_t id = nd->pods[i];
        const struct model_pod *p = s->pods[id].sp->pod;
        bool move;
        enum sim_drain_reason why = sim_drain_pod_rules(d, p, &move);
        if (why != SIM_DRAIN_OK) {
            HS_V(4, "drain: node %s blocked by %s/%s: %s", nd->n->name, p->ns, p->name,
                 sim_drain_reason_name(why));
            return finish(r, why, p);
        }
        if (move) {
            HS_GROW(d->tomove, d->cap_tomove, d->n_tomove + 1);
            d->tomove[d->n_tomove++] = id;
        }
    }
    /* The budget must cover every pod of the node at once. */
    for (size_t b = 0; b < d->env.n_pdbs; b++) {
        d->pdb_use[b] = 0;
        for (size_t i = 0; i < d->n_tomove; i++) {
            const struct model_pod *p = s->pods[d->tomove[i]].sp->pod;
            if (pdb_matches(d->env.pdbs[b], p) && ++d->pdb_use[b] > d->pdb_left[b])
                return finish(r, SIM_DRAIN_NOT_ENOUGH_PDB, p);
        }
    }
    sim_snapshot_fork(s);
    sim_snapshot_mark_removed(s, node);
    for (size_t i = 0; i < d->n_tomove; i++) {
        int32_t id = d->tomove[i];
        const struct sim_pod *sp = s->pods[id].sp;
        sim_snapshot_remove_pod(s, id);
        int32_t to = sim_find_fit(s, sp, 0, -1, true);
        if (to < 0) {
            sim_snapshot_revert(s);
            d->n_moves = 0;
            HS_V(4, "drain: node %s: no place for %s/%s", nd->n->name, sp->pod->ns, sp->pod->name);
            return finish(r, SIM_DRAIN_NO_PLACE, sp->pod);
        }
        HS_GROW(d->moves, d->cap_moves, d->n_moves + 1);
        d->moves[d->n_moves++] =
            (struct sim_move){ .pod_id = sim_snapshot_add_pod(s, sp, to), .node = to };
    }
    sim_snapshot_commit(s);
    for (size_t b = 0; b < d->env.n_pdbs; b++)
        d->pdb_left[b] -= d->pdb_use[b];
    r->moves = d->moves;
    r->n_moves = d->n_moves;
    HS_V(4, "drain: node %s can go, %zu pods move", nd->n->name, d->n_moves);
    return finish(r, SIM_DRAIN_OK, NULL);
}
