/*
 * asc_plan_run: one loop of the autoscaler, in DESIGN.md's order. It builds
 * the groups and their templates, maps nodes to groups by providerID, counts
 * health and upcoming nodes, loads the snapshot, then runs scale-up
 * (scaleup.c), scale-down (scaledown.c) and the status text (status.c), and
 * copies the result into the plan's arena.
 *
 * Pure: no I/O, no clock (the time is inputs->now), no global state. A
 * failure leaves the plan released and empty; it never returns half a plan.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "planner_int.h"
#include "simulator/snapshot.h"

void asc_options_init(struct asc_options *o)
{
    memset(o, 0, sizeof(*o));
    const int64_t s = ASC__NS_PER_S, m = 60 * s, h = 60 * m;
    o->expanders[0] = ASC_EXPANDER_LEAST_WASTE;
    o->n_expanders = 1;
    o->max_nodes_total = 0;
    o->cores_min = 0;
    o->cores_max = 320000;
    o->memory_min_gib = 0;
    o->memory_max_gib = 6400000;
    o->max_nodes_per_scaleup = 1000;
    o->new_pod_scale_up_delay = 0;
    o->expendable_pods_priority_cutoff = -10;
    o->scale_up_from_zero = true;
    o->enforce_node_group_min_size = false;
    o->balance_similar_node_groups = false;
    o->memory_difference_ratio = 0.015;
    o->max_allocatable_difference_ratio = 0.05;
    o->max_free_difference_ratio = 0.05;
    o->max_node_provision_time = 15 * m;
    o->initial_node_group_backoff_duration = 5 * m;
    o->max_node_group_backoff_duration = 30 * m;
    o->node_group_backoff_reset_timeout = 3 * h;
    o->max_total_unready_percentage = 45;
    o->ok_total_unready_count = 3;
    o->scale_down_enabled = true;
    o->scale_down_unready_enabled = true;
    o->scale_down_utilization_threshold = 0.5;
    o->scale_down_gpu_utilization_threshold = 0.5;
    o->scale_down_unneeded_time = 10 * m;
    o->scale_down_unready_time = 20 * m;
    o->scale_down_delay_after_add = 10 * m;
    o->scale_down_delay_after_delete = 0;
    o->scale_down_delay_after_failure = 3 * m;
    o->scale_down_non_empty_candidates_count = 30;
    o->max_scale_down_parallelism = 10;
    o->max_drain_parallelism = 1;
    o->skip_nodes_with_system_pods = true;
    o->skip_nodes_with_local_storage = true;
    o->skip_nodes_with_custom_controller_pods = true;
    o->min_replica_count = 0;
    o->ignore_daemonsets_utilization = false;
    o->ignore_mirror_pods_utilization = false;
    o->aws_use_static_instance_list = false;
}

void asc_plan_init(struct asc_plan *p)
{
    memset(p, 0, sizeof(*p));
    hs_arena_init(&p->arena, 0);
    p->healthy = true;
}

void asc_plan_release(struct asc_plan *p)
{
    hs_arena_release(&p->arena);
    memset(p, 0, sizeof(*p));
    hs_arena_init(&p->arena, 0);
    p->healthy = true;
}

/* ---- small helpers shared by the planner's files ---------------------------- */

const char *asc__strf(struct asc__ctx *c, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof(tmp))
        return hs_arena_strndup(&c->out->arena, tmp, (size_t)n);
    char *big = hs_malloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    const char *r = hs_arena_strndup(&c->out->arena, big, (size_t)n);
    hs_free(big);
    return r;
}

const char *asc__pod_key(struct asc__ctx *c, const struct model_pod *p)
{
    return asc__strf(c, "%s/%s", p->ns ? p->ns : "", p->name ? p->name : "");
}

void asc__warn(struct asc__ctx *c, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    HS_GROW(c->warnings, c->cap_warnings, c->n_warnings + 1);
    c->warnings[c->n_warnings++] = hs_arena_strndup(&c->out->arena, tmp, strlen(tmp));
}

void asc__unremovable(struct asc__ctx *c, const char *node, const char *reason)
{
    HS_GROW(c->unremovable, c->cap_unremovable, c->n_unremovable + 1);
    c->unremovable[c->n_unremovable++] = (struct asc_unremovable){
        .node = hs_arena_strndup(&c->out->arena, node, strlen(node)),
        .reason = reason,
    };
}

const char *asc__name(struct asc__ctx *c, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    HS_GROW(c->names, c->cap_names, c->n_names + 1);
    const char *s = hs_intern_cstr(c->intern, tmp);
    c->names[c->n_names++] = s;
    return s;
}

bool asc__being_deleted(const struct model_node *n)
{
    if (n->deletion_ts)
        return true;
    for (uint32_t i = 0; i < n->n_taints; i++)
        if (n->taints[i].key && strcmp(n->taints[i].key, ASC__TAINT_TO_BE_DELETED) == 0)
            return true;
    return false;
}

/* cluster-autoscaler's readiness: GetNodeReadiness (utils/kubernetes/ready.go)
 * wants the Ready condition True and none of the taints
 * node.kubernetes.io/not-ready, disk-pressure and network-unavailable (the
 * node lifecycle controller's taints for the DiskPressure and
 * NetworkUnavailable conditions, which GetNodeReadiness also reads and
 * hoist does not decode); FilterOutNodesWithStartupTaints (utils/taints)
 * then turns a ready node with a startup taint into an unready copy, and the
 * GPU processor one whose GPUs have not shown up (asc_node_gpu_unready). */
bool asc__node_ready(const struct asc__ctx *c, const struct model_node *n)
{
    if (n->ready != MODEL_COND_TRUE || asc_node_gpu_unready(n))
        return false;
    for (uint32_t i = 0; i < n->n_taints; i++) {
        const char *k = n->taints[i].key;
        if (!k)
            continue;
        if (strcmp(k, "node.kubernetes.io/not-ready") == 0 ||
            strcmp(k, "node.kubernetes.io/disk-pressure") == 0 ||
            strcmp(k, "node.kubernetes.io/network-unavailable") == 0 ||
            asc_taint_is_startup(&c->taints, k))
            return false;
    }
    return true;
}

/* cluster-autoscaler's IsDaemonSetPod: controlled by a DaemonSet, or
 * annotated cluster-autoscaler.kubernetes.io/daemonset-pod=true (how pods of
 * custom per-node controllers opt in). Such pods never ask for a scale-up
 * (its FilterOutDaemonSetPodListProcessor) and need no place when drained. */
bool asc__is_daemonset_pod(const struct model_pod *p)
{
    const struct model_owner_ref *o = model_pod_controller(p);
    if (o && o->kind && strcmp(o->kind, "DaemonSet") == 0)
        return true;
    for (uint32_t i = 0; i < p->annotations.n; i++)
        if (strcmp(p->annotations.v[i].key, "cluster-autoscaler.kubernetes.io/daemonset-pod") == 0)
            return p->annotations.v[i].value && strcmp(p->annotations.v[i].value, "true") == 0;
    return false;
}

int32_t asc__priority(const struct model_pod *p)
{
    return p->has_priority ? p->priority : 0;
}

bool asc__expendable(const struct model_pod *p, int32_t cutoff)
{
    return p->has_priority && p->priority < cutoff;
}

int64_t asc__cores(const struct model_resources *r)
{
    return (r->cpu_milli + 999) / 1000;
}

/* ---- nodes to groups ----------------------------------------------------------- */

struct inst_ref {
    const char *id; /* borrowed from the ASG list */
    uint32_t group;
};

static int inst_cmp(const void *a, const void *b)
{
    return strcmp(((const struct inst_ref *)a)->id, ((const struct inst_ref *)b)->id);
}

/* The instance id of providerID "aws:///<zone>/<id>", or NULL. */
static const char *instance_of(const char *provider_id)
{
    if (!provider_id || strncmp(provider_id, "aws://", 6) != 0)
        return NULL;
    const char *slash = strrchr(provider_id, '/');
    return slash && slash[1] ? slash + 1 : NULL;
}

static void map_nodes(struct asc__ctx *c)
{
    const struct model_cluster *cl = c->in->cluster;
    size_t n_inst = 0;
    for (uint32_t g = 0; g < c->groups->n; g++)
        n_inst += c->groups->v[g].asg->n_instances;
    struct inst_ref *refs = hs_calloc(n_inst ? n_inst : 1, sizeof(*refs));
    size_t k = 0;
    for (uint32_t g = 0; g < c->groups->n; g++) {
        const struct model_asg *a = c->groups->v[g].asg;
        for (uint32_t i = 0; i < a->n_instances; i++)
            if (a->instances[i].id)
                refs[k++] = (struct inst_ref){ .id = a->instances[i].id, .group = g };
    }
    qsort(refs, k, sizeof(*refs), inst_cmp);
    c->node_group = hs_calloc(cl->n_nodes ? cl->n_nodes : 1, sizeof(*c->node_group));
    for (size_t i = 0; i < cl->n_nodes; i++) {
        c->node_group[i] = -1;
        struct inst_ref key = { .id = instance_of(cl->nodes[i]->provider_id) };
        if (!key.id || !k)
            continue;
        const struct inst_ref *r = bsearch(&key, refs, k, sizeof(*refs), inst_cmp);
        if (r)
            c->node_group[i] = (int32_t)r->group;
    }
    hs_free(refs);
}

/* Node counts, health, upcoming nodes, backoff and resource totals.
 *
 * A node is ready as asc__node_ready says; one that is not, created
 * less than 15 minutes ago (MaxNodeStartupTime), has not started yet, and an
 * older one is unready: cluster-autoscaler's updateReadinessStats
 * (clusterstate/clusterstate.go). Its GetUpcomingNodes counts as upcoming
 * for a group target - (ready + unready + long unregistered): the requested
 * instances that have not registered yet and the registered nodes that have
 * not started. RunOnce (core/static_autoscaler.go) puts a copy of the
 * group's template in the snapshot for each of them, and takes the
 * not-started nodes themselves (with the pods bound to them) out of the
 * snapshot and out of the node list scale-down picks candidates and
 * destinations from, so that a booting node is neither capacity the
 * pending pods can count on before it is ready nor removed before it has had
 * a chance to become ready. Here g->upcoming is the unregistered part,
 * g->not_started the registered one, and c->not_started marks those nodes;
 * setup() takes them out of the snapshot, scale-up adds both parts as
 * template nodes, scale-down skips them. A not-started node of no group
 * stays as it is (cluster-autoscaler replaces only groups' nodes). */
static void count_cluster(struct asc__ctx *c)
{
    const struct model_cluster *cl = c->in->cluster;
    c->not_started = hs_calloc(cl->n_nodes ? cl->n_nodes : 1, sizeof(*c->not_started));
    for (size_t i = 0; i < cl->n_nodes; i++) {
        const struct model_node *n = cl->nodes[i];
        struct asc__group *g = c->node_group[i] >= 0 ? &c->gs[c->node_group[i]] : NULL;
        bool ready = asc__node_ready(c, n);
        bool starting = !ready && n->creation_ts &&
                        c->in->now - n->creation_ts * ASC__NS_PER_S < ASC__MAX_NODE_STARTUP;
        c->nodes_total++;
        if (ready)
            c->nodes_ready++;
        else if (starting)
            c->nodes_not_started++;
        else
            c->nodes_unready++;
        /* unready only for its GPUs: cluster-autoscaler's ResourceUnready */
        bool res_unready =
            !ready && !starting && n->ready == MODEL_COND_TRUE && asc_node_gpu_unready(n);
        c->nodes_resource_unready += res_unready;
        c->cores_total += asc__cores(&n->capacity);
        c->memory_total += n->capacity.memory;
        if (!g)
            continue;
        g->registered++;
        if (ready) {
            g->ready++;
        } else if (starting) {
            g->not_started++;
            c->not_started[i] = true;
        } else {
            g->unready++;
            g->resource_unready += res_unready;
        }
        if (asc__being_deleted(n))
            g->being_deleted++;
    }
    c->healthy = asc_cluster_healthy(c->nodes_total, c->nodes_unready, c->o->ok_total_unready_count,
                                     c->o->max_total_unready_percentage);

    asc_state_forget_stale_backoff(c->state, c->in->now, c->o->node_group_backoff_reset_timeout);
    for (uint32_t i = 0; i < c->n_gs; i++) {
        struct asc__group *g = &c->gs[i];
        int32_t up = g->g->target_size - g->registered;
        if (up < 0)
            up = 0;
        if (asc_state_track_upcoming(c->state, g->g->name, up, c->in->now,
                                     g->g->options.max_node_provision_time)) {
            /* Requested nodes that never registered: the scale-up failed. */
            asc_state_scale_up_failed(
                c->state, g->g->name, c->in->now, c->o->initial_node_group_backoff_duration,
                c->o->max_node_group_backoff_duration, c->o->node_group_backoff_reset_timeout,
                "Timeout", "nodes did not register within max-node-provision-time");
            asc__warn(c,
                      "node group %s: %d requested node(s) did not register within "
                      "--max-node-provision-time; the group is backed off",
                      g->g->name, (int)up);
            g->long_unregistered = up;
            up = 0;
        }
        g->upcoming = up;
        g->new_size = g->g->target_size;
        g->backoff =
            !c->in->timers_expired && asc_state_in_backoff(c->state, g->g->name, c->in->now);
        c->upcoming_total += up;
        if (g->tmpl && up > 0) {
            c->cores_total += (int64_t)up * asc__cores(&g->tmpl->node.capacity);
            c->memory_total += (int64_t)up * g->tmpl->node.capacity.memory;
        }
    }
}

/* DaemonSet pods each group's new nodes would run, prepared for the simulator. */
static void prepare_daemonsets(struct asc__ctx *c)
{
    const struct model_cluster *cl = c->in->cluster;
    size_t nd = cl->n_daemonsets;
    if (!nd)
        return;
    const struct sim_pod **prepared = hs_calloc(nd, sizeof(*prepared));
    size_t *which = hs_calloc(nd, sizeof(*which));
    for (uint32_t i = 0; i < c->n_gs; i++) {
        struct asc__group *g = &c->gs[i];
        if (!g->tmpl)
            continue;
        size_t k = asc_daemonset_overhead((const struct model_daemonset *const *)cl->daemonsets, nd,
                                          &g->tmpl->node, which, &g->ds_sum, &c->scratch);
        g->ds = hs_calloc(k ? k : 1, sizeof(*g->ds));
        for (size_t j = 0; j < k; j++) {
            size_t d = which[j];
            if (!prepared[d])
                prepared[d] = sim_pod_prepare(c->snap, &cl->daemonsets[d]->template);
            g->ds[g->n_ds++] = prepared[d];
        }
    }
    hs_free(which);
    hs_free(prepared);
}

static enum hs_code build_expander(struct asc__ctx *c)
{
    struct hs_buf spec;
    hs_buf_init(&spec);
    bool wants_priority = false;
    for (size_t i = 0; i < c->o->n_expanders; i++) {
        if (i)
            hs_buf_addc(&spec, ',');
        hs_buf_adds(&spec, asc_expander_name(c->o->expanders[i]));
        wants_priority |= c->o->expanders[i] == ASC_EXPANDER_PRIORITY;
    }
    if (!c->o->n_expanders)
        hs_buf_adds(&spec, "least-waste");
    hs_buf_addc(&spec, '\0');
    enum hs_code rc = asc_expander_new(spec.data, &c->expander, c->err);
    hs_buf_release(&spec);
    if (rc)
        return rc;
    if (c->in->priority_config) {
        rc = asc_priorities_parse(c->in->priority_config, strlen(c->in->priority_config),
                                  &c->priorities, c->err);
        if (rc) {
            hs_err_prefix(c->err, "priority expander configuration");
            return rc;
        }
    } else if (wants_priority) {
        asc__warn(c, "the priority expander has no priorities (--priority-config): as "
                     "cluster-autoscaler without its ConfigMap, it keeps no option and nothing "
                     "scales up");
    }
    return HS_OK;
}

/* ---- what the snapshot sees ------------------------------------------------------ */

static int ns_cmp(const void *a, const void *b)
{
    const struct model_namespace *x = *(const struct model_namespace *const *)a;
    const struct model_namespace *y = *(const struct model_namespace *const *)b;
    uintptr_t px = (uintptr_t)x->name, py = (uintptr_t)y->name;
    if (px != py)
        return px < py ? -1 : 1;
    return (uintptr_t)x < (uintptr_t)y ? -1 : (uintptr_t)x > (uintptr_t)y;
}

static int ns_key_cmp(const void *key, const void *elem)
{
    uintptr_t k = (uintptr_t)key;
    uintptr_t e = (uintptr_t)(*(const struct model_namespace *const *)elem)->name;
    return k < e ? -1 : k > e;
}

/* sim_env.ns_labels: the labels of namespace ns (interned) from the input's
 * Namespace objects, for namespaceSelector in pod affinity terms. A
 * namespace the input does not carry has no labels (an empty selector still
 * matches it; any other does not). */
static const struct model_labels *ns_labels(void *ctx, const char *ns)
{
    const struct asc__ctx *c = ctx;
    if (!c->n_ns_index || !ns)
        return NULL;
    const struct model_namespace *const *hit =
        bsearch(ns, c->ns_index, c->n_ns_index, sizeof(*c->ns_index), ns_key_cmp);
    return hit ? &(*hit)->labels : NULL;
}

/* Namespaces sorted by their interned name; when one is given twice (two
 * --cluster files), the last one decoded wins, whatever the addresses. */
static void index_namespaces(struct asc__ctx *c)
{
    const struct model_cluster *cl = c->in->cluster;
    if (!cl->n_namespaces)
        return;
    const struct model_namespace **v = hs_calloc(cl->n_namespaces, sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < cl->n_namespaces; i++) {
        bool dup = false;
        for (size_t j = i + 1; j < cl->n_namespaces && !dup; j++)
            dup = cl->namespaces[j]->name == cl->namespaces[i]->name;
        if (!dup && cl->namespaces[i]->name)
            v[n++] = cl->namespaces[i];
    }
    qsort(v, n, sizeof(*v), ns_cmp);
    c->ns_index = v;
    c->n_ns_index = n;
}

/* The cluster the snapshot is built from: without the expendable pods bound
 * to nodes (cluster-autoscaler drops them from its snapshot before both
 * scale-up and scale-down). A shallow copy whose pods array is ours. */
static void snapshot_view(struct asc__ctx *c)
{
    const struct model_cluster *cl = c->in->cluster;
    int32_t cutoff = c->o->expendable_pods_priority_cutoff;
    size_t drop = 0;
    for (size_t i = 0; i < cl->n_pods; i++)
        drop += cl->pods[i]->node_name && asc__expendable(cl->pods[i], cutoff);
    c->snap_cluster = cl;
    if (!drop)
        return;
    c->view_pods = hs_calloc(cl->n_pods - drop + 1, sizeof(*c->view_pods));
    size_t k = 0;
    for (size_t i = 0; i < cl->n_pods; i++)
        if (!(cl->pods[i]->node_name && asc__expendable(cl->pods[i], cutoff)))
            c->view_pods[k++] = cl->pods[i];
    memcpy(&c->view, cl, sizeof(c->view));
    c->view.pods = c->view_pods;
    c->view.n_pods = k;
    c->view.cap_pods = k;
    c->snap_cluster = &c->view;
}

static enum hs_code setup(struct asc__ctx *c)
{
    const struct asc_options *o = c->o;
    const struct asc_inputs *in = c->in;
    enum hs_code rc;

    struct asc_cloud cloud = {
        .asgs = in->asgs,
        .launch_configs = in->launch_configs,
        .launch_templates = in->lt_versions,
        .instance_types = in->instance_types,
        .region = in->region,
    };
    struct asc_discovery d = {
        .nodes = o->nodes,
        .n_nodes = o->n_nodes,
        .filters = o->discovery,
        .n_filters = o->n_discovery,
    };
    asc_group_options_default(&d.defaults);
    d.defaults.scale_down_utilization_threshold = o->scale_down_utilization_threshold;
    d.defaults.scale_down_gpu_utilization_threshold = o->scale_down_gpu_utilization_threshold;
    d.defaults.scale_down_unneeded_time = o->scale_down_unneeded_time;
    d.defaults.scale_down_unready_time = o->scale_down_unready_time;
    d.defaults.ignore_daemonsets_utilization = o->ignore_daemonsets_utilization;
    d.defaults.max_node_provision_time = o->max_node_provision_time;
    if ((rc = asc_groups_build(&cloud, &d, &c->groups, c->err)))
        return rc;
    for (uint32_t i = 0; i < c->groups->warnings.n; i++)
        asc__warn(c, "%s", c->groups->warnings.v[i]);
    if (c->groups->n == 0)
        asc__warn(c, "no node group is managed: give --nodes or --node-group-auto-discovery");

    c->taints = (struct asc_taint_config){
        .startup = o->startup_taints,
        .n_startup = o->n_startup_taints,
        .status = o->status_taints,
        .n_status = o->n_status_taints,
    };
    struct asc_template_config tc = { .taints = &c->taints };
    const struct model_cluster *cl = in->cluster;
    if ((rc = asc_templates_build(c->groups, &cloud, (const struct model_node *const *)cl->nodes,
                                  cl->n_nodes, &tc, c->intern, &c->templates, c->err)))
        return rc;
    for (uint32_t i = 0; i < c->templates->warnings.n; i++)
        asc__warn(c, "%s", c->templates->warnings.v[i]);

    c->n_gs = c->groups->n;
    c->gs = hs_calloc(c->n_gs ? c->n_gs : 1, sizeof(*c->gs));
    for (uint32_t i = 0; i < c->n_gs; i++) {
        c->gs[i].g = &c->groups->v[i];
        c->gs[i].tmpl = asc_templates_of(c->templates, &c->groups->v[i]);
    }
    if ((rc = build_expander(c)))
        return rc;

    map_nodes(c);

    index_namespaces(c);
    snapshot_view(c);
    struct sim_env env = {
        .ns_labels = ns_labels,
        .ns_ctx = c,
        .pvcs = (struct model_pvc *const *)cl->pvcs,
        .n_pvcs = cl->n_pvcs,
        .pvs = (struct model_pv *const *)cl->pvs,
        .n_pvs = cl->n_pvs,
    };
    c->snap = sim_snapshot_new(c->intern, &env);
    if ((rc = sim_snapshot_build(c->snap, c->snap_cluster, c->err)))
        return rc;
    c->n_real_nodes = sim_snapshot_n_nodes(c->snap);
    count_cluster(c);
    for (size_t i = 0; i < cl->n_nodes; i++)
        if (c->not_started[i])
            sim_snapshot_mark_removed(c->snap, (int32_t)i);
    prepare_daemonsets(c);
    return HS_OK;
}

static void teardown(struct asc__ctx *c)
{
    sim_snapshot_free(&c->snap);
    for (uint32_t i = 0; c->gs && i < c->n_gs; i++)
        hs_free(c->gs[i].ds);
    hs_free(c->gs);
    for (size_t i = 0; i < c->n_names; i++)
        hs_intern_unref(c->intern, c->names[i]);
    hs_free(c->names);
    hs_free(c->node_group);
    hs_free(c->not_started);
    hs_free(c->view_pods);
    hs_free(c->ns_index);
    asc_priorities_free(&c->priorities);
    asc_expander_free(&c->expander);
    asc_templates_free(&c->templates);
    asc_groups_free(&c->groups);
    hs_arena_release(&c->scratch);
    hs_free(c->unremovable);
    hs_free(c->warnings);
}

static int unremovable_cmp(const void *a, const void *b)
{
    const struct asc_unremovable *x = a, *y = b;
    return strcmp(x->node, y->node);
}

int asc__str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Moves the heap-grown lists into the plan's arena. */
static void finish(struct asc__ctx *c)
{
    struct asc_plan *p = c->out;
    if (c->n_unremovable) {
        qsort(c->unremovable, c->n_unremovable, sizeof(*c->unremovable), unremovable_cmp);
        p->unremovable = HS_ARENA_NEW_ARRAY(&p->arena, struct asc_unremovable, c->n_unremovable);
        memcpy(p->unremovable, c->unremovable, c->n_unremovable * sizeof(*c->unremovable));
        p->n_unremovable = c->n_unremovable;
    }
    const struct model_cluster *cl = c->in->cluster;
    size_t n_ns = 0;
    for (size_t i = 0; i < cl->n_nodes; i++)
        n_ns += c->not_started[i];
    if (n_ns) {
        p->not_started = HS_ARENA_NEW_ARRAY(&p->arena, const char *, n_ns);
        for (size_t i = 0; i < cl->n_nodes; i++)
            if (c->not_started[i])
                p->not_started[p->n_not_started++] =
                    hs_arena_strndup(&p->arena, cl->nodes[i]->name, strlen(cl->nodes[i]->name));
        qsort(p->not_started, p->n_not_started, sizeof(*p->not_started), asc__str_cmp);
    }
    if (c->n_warnings) {
        p->warnings = HS_ARENA_NEW_ARRAY(&p->arena, const char *, c->n_warnings);
        memcpy(p->warnings, c->warnings, c->n_warnings * sizeof(*c->warnings));
        p->n_warnings = c->n_warnings;
    }
    p->healthy = c->healthy;
}

enum hs_code asc_plan_run(struct asc_state *state, const struct asc_options *o,
                          const struct asc_inputs *in, struct asc_plan *out, struct hs_err *err)
{
    struct asc__ctx c;
    enum hs_code rc;

    memset(&c, 0, sizeof(c));
    c.o = o;
    c.in = in;
    c.state = state;
    c.out = out;
    c.err = err;
    c.now_s = in->now / ASC__NS_PER_S;
    c.intern = in->cluster->intern;
    hs_arena_init(&c.scratch, 0);
    hs_rng_seed(&c.rng, in->seed);

    if ((rc = setup(&c)))
        goto fail;
    if (!c.healthy)
        asc__warn(&c,
                  "the cluster is unhealthy: %lld of %lld nodes are unready (more than "
                  "--ok-total-unready-count=%d and --max-total-unready-percentage=%g%%); no "
                  "scale-up and no scale-down until it recovers",
                  (long long)c.nodes_unready, (long long)c.nodes_total,
                  (int)o->ok_total_unready_count, o->max_total_unready_percentage);
    if ((rc = asc__scale_up(&c)))
        goto fail;
    if ((rc = asc__scale_down(&c)))
        goto fail;
    finish(&c);
    asc__status(&c);
    teardown(&c);
    return HS_OK;

fail:
    teardown(&c);
    asc_plan_release(out);
    return rc;
}
