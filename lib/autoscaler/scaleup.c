/*
 * Scale-up, as cluster-autoscaler's orchestrator decides it: the pods
 * waiting for a node (PodScheduled=False/Unschedulable, not gated, not being
 * deleted, not expendable, not DaemonSet pods, no nominated node), minus
 * those that fit an existing or an upcoming node, minus those younger than
 * their scale-up delay; for every group that may grow, the
 * pods its template can take (every zone and type of the group, not only the
 * first) and the nodes the estimator needs for them; one option chosen by
 * the expander chain, balanced over similar groups when asked, and cut to
 * every limit. Pods no group can help are reported with each group's reason.
 *
 * Never does I/O, never reads a clock, never reimplements scheduling: every
 * fit is the simulator's (sim_filter, sim_find_fit, sim_estimate). Every
 * change to the snapshot is reverted, except the pending pods placed on
 * existing and upcoming nodes, which stay for scale-down to see.
 */
#include <stdlib.h>
#include <string.h>

#include "autoscaler/balance.h"
#include "base/alloc.h"
#include "base/duration.h"
#include "planner_int.h"
#include "simulator/estimator.h"
#include "simulator/filter.h"

/* cluster-autoscaler's words for a group skipped before any estimate. */
#define R_BACKOFF  "in backoff after failed scale-up"
#define R_MAX_SIZE "max node group size reached"
#define R_TOTAL    "max node total count already reached"
#define R_NO_TMPL  "no node template (the group's instance types are unknown)"
#define R_FROM_ZERO \
    "scale-up from zero is disabled (--scale-up-from-zero=false) and no node is ready"
#define R_UNHEALTHY "the cluster is unhealthy"
#define R_LIMIT     "cannot be placed on a new node within the node limits"

struct pend {
    const struct model_pod *pod;
    const struct sim_pod *sp;
    uint32_t cls; /* local class index */
    size_t order; /* index in the cluster's pod list */
};

/* One group's answer for the remaining pods. */
struct gopt {
    const char *skip;        /* the group cannot grow: why (all pods) */
    const char **cls_reason; /* per local class: why its pods do not fit, NULL = fits */
    /* Per remaining pod: new node index or -1; made for the chosen option
     * only (its estimate run again: the same input on the same snapshot
     * gives the same answer), not for 1,200 groups times 20,000 pods. */
    int32_t *placement;
    bool has_option;
    bool pruned;   /* its estimate was abandoned: the expander drops it (see struct prune) */
    bool estimate; /* may grow and takes some pod on its template: estimated */
    bool partial;  /* an option known to exist, its estimate stopped early (random) */
    bool labelled; /* packed on labelled_node() */
    struct asc_option opt;
    int32_t max_nodes; /* how many the estimate could open */
};

/* The pod annotation that overrides --new-pod-scale-up-delay for one pod. */
#define ANN_POD_SCALE_UP_DELAY "cluster-autoscaler.kubernetes.io/pod-scale-up-delay"

/* How long p must exist before it may trigger a scale-up, as
 * cluster-autoscaler's filterOutYoungPods (core/static_autoscaler.go)
 * decides it: --new-pod-scale-up-delay, or the pod's pod-scale-up-delay
 * annotation parsed as a Go duration (time.ParseDuration) when it is not
 * below that flag. An annotation that does not parse, or is below the flag,
 * keeps the flag's delay; cluster-autoscaler logs an error for each, and so
 * does the plan: one warning naming the pod and the annotation. */
static int64_t pod_scale_up_delay(struct asc__ctx *c, const struct model_pod *p)
{
    int64_t delay = c->o->new_pod_scale_up_delay;
    const char *v = NULL;
    for (uint32_t i = 0; i < p->annotations.n && !v; i++)
        if (strcmp(p->annotations.v[i].key, ANN_POD_SCALE_UP_DELAY) == 0)
            v = p->annotations.v[i].value ? p->annotations.v[i].value : "";
    if (!v)
        return delay;
    char flag[HS_DURATION_STR_MAX];
    hs_duration_format(delay, flag, sizeof(flag));
    struct hs_err err = { 0 };
    int64_t d = 0;
    if (hs_duration_parse(v, &d, &err)) {
        asc__warn(c, "pod %s/%s: annotation %s: %s; the pod waits --new-pod-scale-up-delay=%s",
                  p->ns ? p->ns : "", p->name ? p->name : "", ANN_POD_SCALE_UP_DELAY, err.msg,
                  flag);
        return delay;
    }
    if (d < delay) {
        asc__warn(c,
                  "pod %s/%s: annotation %s=%s is less than --new-pod-scale-up-delay=%s, which "
                  "the pod waits instead",
                  p->ns ? p->ns : "", p->name ? p->name : "", ANN_POD_SCALE_UP_DELAY, v, flag);
        return delay;
    }
    return d;
}

/* Whether p is too young to trigger a scale-up: filterOutYoungPods keeps a
 * pod whose age is above its delay. It runs after the pods that fit an
 * existing or upcoming node are filtered out (they take their room whatever
 * their age, and their annotation is never read). */
static bool pod_young(struct asc__ctx *c, const struct model_pod *p)
{
    int64_t delay = pod_scale_up_delay(c, p);
    return !c->in->timers_expired && p->creation_ts &&
           c->in->now - p->creation_ts * ASC__NS_PER_S <= delay;
}

enum pend_kind {
    PEND_NO,        /* not waiting for a node (or expendable) */
    PEND_NOMINATED, /* waits for a preemption on its nominated node */
    PEND_YES,       /* waits for a node */
};

/* What p is to scale-up. A pod whose status.nominatedNodeName names a node
 * of the cluster waits for the scheduler to preempt lower-priority pods
 * there: cluster-autoscaler (FilterOutExpendableAndSplit, applied by the
 * filter-out-expendable pod list processor before any other) asks no node
 * for it and forces it onto that node in its snapshot instead; a nominated
 * node that is gone makes it an ordinary pending pod. Expendable pods are
 * dropped before that check, DaemonSet pods after it. */
static enum pend_kind pod_pending(struct asc__ctx *c, const struct model_pod *p)
{
    if (p->node_name || p->deletion_ts || p->scheduling_gated)
        return PEND_NO;
    if (p->phase == MODEL_PHASE_SUCCEEDED || p->phase == MODEL_PHASE_FAILED)
        return PEND_NO;
    if (p->scheduled != MODEL_COND_FALSE || !p->scheduled_reason ||
        strcmp(p->scheduled_reason, "Unschedulable") != 0)
        return PEND_NO;
    if (asc__expendable(p, c->o->expendable_pods_priority_cutoff))
        return PEND_NO;
    if (p->nominated_node && sim_snapshot_find_node(c->snap, p->nominated_node) >= 0)
        return PEND_NOMINATED;
    if (asc__is_daemonset_pod(p))
        return PEND_NO;
    return PEND_YES;
}

static int pend_cmp(const void *a, const void *b)
{
    const struct pend *x = a, *y = b;
    int32_t px = asc__priority(x->pod), py = asc__priority(y->pod);
    if (px != py)
        return px > py ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Adds a node made from t's template, with its DaemonSet pods, to the snapshot. */
static int32_t add_template(struct asc__ctx *c, const struct asc__group *g,
                            const struct model_node *node, const char *name)
{
    int32_t idx = sim_snapshot_add_template_node(c->snap, node, name, true);
    HS_BUG_ON(idx < 0);
    for (size_t d = 0; d < g->n_ds; d++)
        sim_snapshot_add_pod(c->snap, g->ds[d], idx);
    return idx;
}

/* The scheduler's messages for the verdicts of one loop, made once per
 * distinct verdict: thousands of classes times hundreds of groups mostly
 * repeat "Insufficient cpu", and a message is only read for pods that no
 * group helps. Keyed by what the text depends on; the variant (for the
 * "a new node may be ..." suffix) by its node. */
struct why_key {
    uint32_t reason, resources;
    uint64_t scalars;
    const void *req;   /* the pod's requests when scalars name its resources */
    const void *taint; /* the refusing node's taint (SIM_R_TAINT) */
    const void *variant;
};

struct why_slot {
    struct why_key k;
    const char *text; /* plan arena; NULL = empty slot */
};

struct why_cache {
    struct why_slot *v;
    size_t cap, n; /* cap a power of two */
};

static uint64_t why_hash(const struct why_key *k)
{
    uint64_t h = 1469598103934665603ULL;
    const unsigned char *p = (const unsigned char *)k;
    for (size_t i = 0; i < sizeof(*k); i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

static const char *why_text(struct asc__ctx *c, struct why_cache *wc, const struct sim_verdict *v,
                            const struct asc_variant *va)
{
    struct why_key k;
    memset(&k, 0, sizeof(k));
    k.reason = (uint32_t)v->reason;
    k.resources = v->resources;
    k.scalars = v->scalars;
    k.req = v->scalars ? v->req : NULL;
    k.taint = v->reason == SIM_R_TAINT ? v->taint : NULL;
    k.variant = va;
    if (wc->n * 2 >= wc->cap) {
        size_t ncap = wc->cap ? wc->cap * 2 : 64;
        struct why_slot *nv = hs_calloc(ncap, sizeof(*nv));
        for (size_t i = 0; i < wc->cap; i++)
            if (wc->v[i].text) {
                size_t j = why_hash(&wc->v[i].k) & (ncap - 1);
                while (nv[j].text)
                    j = (j + 1) & (ncap - 1);
                nv[j] = wc->v[i];
            }
        hs_free(wc->v);
        wc->v = nv;
        wc->cap = ncap;
    }
    size_t j = why_hash(&k) & (wc->cap - 1);
    for (; wc->v[j].text; j = (j + 1) & (wc->cap - 1))
        if (memcmp(&wc->v[j].k, &k, sizeof(k)) == 0)
            return wc->v[j].text;
    struct hs_buf b;
    hs_buf_init(&b);
    sim_verdict_format(v, &b);
    hs_buf_addc(&b, '\0');
    const char *text = va ? asc__strf(c, "%s (a new node may be %s%s%s)", b.data,
                                      va->instance_type ? va->instance_type : "?",
                                      va->zone ? " in " : "", va->zone ? va->zone : "")
                          : asc__strf(c, "%s", b.data);
    hs_buf_release(&b);
    wc->v[j] = (struct why_slot){ .k = k, .text = text };
    wc->n++;
    return text;
}

/*
 * Template checks shared by similar groups. A loop checks every class on
 * every group's template: 3,400 classes times 1,200 groups in the karpenter
 * benchmark. Groups whose templates are twins but for their resources
 * (sim_twins_alike: the instance types of one zone, or zones every counter
 * sees alike) with the same DaemonSet pods get the same verdict from every
 * filter but NodeResourcesFit. The filters run in the scheduler's order, so
 * a class refused before NodeResourcesFit on one is refused alike on the
 * other; otherwise NodeResourcesFit runs on the group's own node, and when
 * it passes, the verdict is the one the filters after it gave on the first
 * group (kept once known).
 */
struct family {
    const struct asc__group *g; /* the first group checked in full */
    uint8_t *r;                 /* per class: its reason there (enum sim_reason) */
    const char **why;           /* per class: its text there (NULL = fits) */
    const char **after;         /* per class: what the filters after resources say */
    uint8_t *after_known;
};

#define N_FAMILIES 4

struct families {
    struct sim_twins *tw;
    struct family v[N_FAMILIES];
    uint32_t n, next;
    /* NodeResourcesFit reads only the pod's requests: classes with equal
     * requests share its verdict on a node. req[k]: the first class with
     * class k's requests; res_seen[j] (this group) tells res_why[j] holds
     * class j's resources verdict (NULL = fits). */
    uint32_t *req;
    uint8_t *res_seen;
    const char **res_why;
};

static void families_init(struct asc__ctx *c, struct families *fm, const struct sim_pod *const *rep,
                          uint32_t n_cls)
{
    memset(fm, 0, sizeof(*fm));
    fm->tw = sim_twins_new(c->snap, rep, n_cls);
    fm->req = hs_calloc(n_cls ? n_cls : 1, sizeof(*fm->req));
    fm->res_seen = hs_calloc(n_cls ? n_cls : 1, sizeof(*fm->res_seen));
    fm->res_why = hs_calloc(n_cls ? n_cls : 1, sizeof(*fm->res_why));
    /* a small open-addressing table of the distinct requests */
    size_t cap = 64;
    while (cap < 2 * (size_t)n_cls)
        cap *= 2;
    uint32_t *slot = hs_malloc(cap * sizeof(*slot));
    memset(slot, 0xff, cap * sizeof(*slot));
    for (uint32_t k = 0; k < n_cls; k++) {
        const struct model_resources *r = &rep[k]->pod->requests;
        uint64_t h = (uint64_t)r->cpu_milli * 0x9e3779b97f4a7c15ULL ^
                     (uint64_t)r->memory * 0xc2b2ae3d27d4eb4fULL ^ (uint64_t)r->n_scalar;
        size_t j = (size_t)(h >> 17) & (cap - 1);
        for (;; j = (j + 1) & (cap - 1)) {
            if (slot[j] == UINT32_MAX) {
                slot[j] = k;
                fm->req[k] = k;
                break;
            }
            if (model_resources_equal(&rep[slot[j]]->pod->requests, r)) {
                fm->req[k] = slot[j];
                break;
            }
        }
    }
    hs_free(slot);
}

static void families_release(struct families *fm)
{
    sim_twins_free(&fm->tw);
    hs_free(fm->req);
    hs_free(fm->res_seen);
    hs_free(fm->res_why);
    for (uint32_t i = 0; i < fm->n; i++) {
        hs_free(fm->v[i].r);
        hs_free(fm->v[i].why);
        hs_free(fm->v[i].after);
        hs_free(fm->v[i].after_known);
    }
}

static bool same_ds(const struct asc__group *a, const struct asc__group *b)
{
    return a->n_ds == b->n_ds &&
           (a->n_ds == 0 || memcmp(a->ds, b->ds, a->n_ds * sizeof(*a->ds)) == 0);
}

/* For every class (its first pod rep[k]), why a new node of group gi does
 * not take it (why[k], NULL = it does). A group of several zones or types
 * must fit the pod in every one of them (hoist's correction of
 * cluster-autoscaler's first-zone template): the packed template carries
 * only the labels every launch shares, so a pod that needs a zone or a type
 * fails it; such a pod is promised when every variant (each type in each
 * zone) takes it, and by_variants[k] tells the caller to pack it on a node
 * that has a variant's labels. Each node is added alone, as a new node
 * would be, once for all the classes (filters only read the snapshot). */
static void template_reasons(struct asc__ctx *c, struct why_cache *wc, struct families *fm,
                             uint32_t gi, const struct sim_pod *const *rep, uint32_t n_cls,
                             const char **why, bool *by_variants)
{
    const struct asc__group *g = &c->gs[gi];
    struct sim_verdict v;
    /* a family this group belongs to (single-variant groups only) */
    struct family *f = NULL;
    bool single = g->tmpl->n_variants <= 1;
    for (uint32_t i = 0; single && i < fm->n && !f; i++)
        if (same_ds(fm->v[i].g, g) &&
            sim_twins_alike(fm->tw, &fm->v[i].g->tmpl->node, &g->tmpl->node))
            f = &fm->v[i];
    bool founder = false;
    if (!f && single) {
        /* a new family, in place of the oldest when all are taken */
        f = &fm->v[fm->n < N_FAMILIES ? fm->n++ : fm->next++ % N_FAMILIES];
        f->g = g;
        f->r = hs_reallocarray(f->r, n_cls ? n_cls : 1, sizeof(*f->r));
        f->why = hs_reallocarray(f->why, n_cls ? n_cls : 1, sizeof(*f->why));
        f->after = hs_reallocarray(f->after, n_cls ? n_cls : 1, sizeof(*f->after));
        f->after_known =
            hs_reallocarray(f->after_known, n_cls ? n_cls : 1, sizeof(*f->after_known));
        founder = true;
    }
    sim_snapshot_fork(c->snap);
    int32_t idx =
        add_template(c, g, &g->tmpl->node, asc__name(c, "template-node-for-%s", g->g->name));
    if (f && !founder)
        memset(fm->res_seen, 0, n_cls ? n_cls : 1);
    for (uint32_t k = 0; k < n_cls; k++) {
        by_variants[k] = false;
        if (f && !founder) {
            enum sim_reason r = (enum sim_reason)f->r[k];
            if (r != SIM_OK && r < SIM_R_RESOURCES) {
                why[k] = f->why[k]; /* refused before resources: alike */
                continue;
            }
            uint32_t q = fm->req[k];
            if (!fm->res_seen[q]) {
                fm->res_seen[q] = 1;
                fm->res_why[q] = sim_filter_resources(c->snap, rep[q], idx, &v) == SIM_OK
                                     ? NULL
                                     : why_text(c, wc, &v, NULL);
            }
            if (fm->res_why[q]) {
                why[k] = fm->res_why[q];
                continue;
            }
            if (f->after_known[k]) {
                why[k] = f->after[k];
                continue;
            }
        }
        enum sim_reason r = sim_filter(c->snap, rep[k], idx, true, &v);
        why[k] = r == SIM_OK ? NULL : why_text(c, wc, &v, NULL);
        if (!f)
            continue;
        if (founder) {
            f->r[k] = (uint8_t)r;
            f->why[k] = why[k];
        }
        /* past resources here: what the later filters say holds for all */
        f->after_known[k] = r == SIM_OK || r > SIM_R_RESOURCES;
        f->after[k] = why[k];
    }
    sim_snapshot_revert(c->snap);
    if (single)
        return;
    const char **vwhy = hs_calloc(n_cls ? n_cls : 1, sizeof(*vwhy));
    for (uint32_t i = 0; i < g->tmpl->n_variants; i++) {
        const struct asc_variant *va = &g->tmpl->variants[i];
        sim_snapshot_fork(c->snap);
        int32_t vi =
            add_template(c, g, &va->node, asc__name(c, "template-node-for-%s-%u", g->g->name, i));
        for (uint32_t k = 0; k < n_cls; k++)
            if (!vwhy[k] && sim_filter(c->snap, rep[k], vi, true, &v) != SIM_OK)
                vwhy[k] = why_text(c, wc, &v, va);
        sim_snapshot_revert(c->snap);
    }
    for (uint32_t k = 0; k < n_cls; k++) {
        if (!why[k])
            why[k] = vwhy[k]; /* fits the packed node: every variant must agree */
        else if (!vwhy[k]) {
            why[k] = NULL; /* needs a zone or type every variant has */
            by_variants[k] = true;
        }
    }
    hs_free(vwhy);
}

/* The node g's estimate packs when some of its pods were promised by its
 * variants: the packed template's resources (what every launch gives) with
 * the first variant's labels, so the zone or type they need is there. */
static const struct model_node *labelled_node(struct asc__ctx *c, const struct asc__group *g)
{
    struct model_node *n = HS_ARENA_NEW(&c->scratch, struct model_node);
    *n = g->tmpl->variants[0].node;
    n->allocatable = g->tmpl->node.allocatable;
    n->capacity = g->tmpl->node.capacity;
    return n;
}

/* Cluster-wide resource limits one more node of g would break, or NULL. */
static const char *resource_limit(struct asc__ctx *c, const struct asc__group *g)
{
    const int64_t gib = 1024LL * 1024 * 1024;
    bool cpu = c->cores_total + asc__cores(&g->tmpl->node.capacity) > c->o->cores_max;
    bool mem = c->memory_total + g->tmpl->node.capacity.memory > c->o->memory_max_gib * gib;
    if (cpu && mem)
        return "max cluster cpu, memory limit reached";
    if (cpu)
        return "max cluster cpu limit reached";
    if (mem)
        return "max cluster memory limit reached";
    return NULL;
}

/* The nodes --max-nodes-total counts, as cluster-autoscaler's orchestrator
 * counts them (ScaleUp gets the ready nodes, plus its upcoming nodes): the
 * ready nodes, and every group's nodes on the way, requested but not
 * registered or registered but not started. Unready nodes do not count. */
static int64_t nodes_for_total(const struct asc__ctx *c)
{
    int64_t n = c->nodes_ready + c->upcoming_total;
    for (uint32_t i = 0; i < c->n_gs; i++)
        n += c->gs[i].not_started;
    return n;
}

/* How many nodes of g fit every limit (group room: group_room, or g's max
 * size less its size when negative; --max-nodes-total, --cores-total and
 * --memory-total when resources, --max-nodes-per-scaleup), given the nodes
 * this plan already adds. */
static int32_t room_within(const struct asc__ctx *c, const struct asc__group *g, int64_t group_room,
                           int64_t added_nodes, int64_t added_cores, int64_t added_mem,
                           bool resources)
{
    const int64_t gib = 1024LL * 1024 * 1024;
    int64_t room = group_room >= 0 ? group_room : (int64_t)g->g->max_size - g->new_size;
    if (c->o->max_nodes_total > 0) {
        int64_t left = c->o->max_nodes_total - (nodes_for_total(c) + added_nodes);
        if (left < room)
            room = left;
    }
    int64_t cores = resources ? asc__cores(&g->tmpl->node.capacity) : 0;
    if (cores > 0) {
        int64_t left = (c->o->cores_max - c->cores_total - added_cores) / cores;
        if (left < room)
            room = left;
    }
    int64_t mem = resources ? g->tmpl->node.capacity.memory : 0;
    if (mem > 0) {
        int64_t left = (c->o->memory_max_gib * gib - c->memory_total - added_mem) / mem;
        if (left < room)
            room = left;
    }
    if (c->o->max_nodes_per_scaleup > 0 && c->o->max_nodes_per_scaleup < room)
        room = c->o->max_nodes_per_scaleup;
    return room < 0 ? 0 : (int32_t)room;
}

static int32_t room_for(const struct asc__ctx *c, const struct asc__group *g, int64_t added_nodes,
                        int64_t added_cores, int64_t added_mem)
{
    return room_within(c, g, -1, added_nodes, added_cores, added_mem, true);
}

/* How many nodes g's estimate may open: cluster-autoscaler's estimation
 * limits (the group's room, or group_room, --max-nodes-total and
 * --max-nodes-per-scaleup) but not --cores-total and --memory-total, which
 * it applies to the chosen option only (ApplyLimits): the expander compares
 * the options uncut. */
static int32_t estimate_room(const struct asc__ctx *c, const struct asc__group *g,
                             int64_t group_room)
{
    return room_within(c, g, group_room, 0, 0, 0, false);
}

struct pod_at {
    const char *pod;
    int32_t node;
};

static int pod_at_cmp(const void *a, const void *b)
{
    return strcmp(((const struct pod_at *)a)->pod, ((const struct pod_at *)b)->pod);
}

/* pods (sorted by name; node -1 when unknown) go into the plan's arena;
 * placed: keep their node indices. */
static void add_scale_up(struct asc__ctx *c, struct asc_scale_up **v, size_t *n, size_t *cap,
                         uint32_t gi, int32_t new_size, const struct pod_at *pods, size_t n_pods,
                         bool placed)
{
    struct asc__group *g = &c->gs[gi];
    HS_GROW(*v, *cap, *n + 1);
    struct asc_scale_up *u = &(*v)[(*n)++];
    u->group = asc__strf(c, "%s", g->g->name);
    u->current_size = g->g->target_size;
    u->new_size = new_size;
    u->pods = HS_ARENA_NEW_ARRAY(&c->out->arena, const char *, n_pods ? n_pods : 1);
    u->pod_nodes = NULL;
    if (placed && n_pods)
        u->pod_nodes = HS_ARENA_NEW_ARRAY(&c->out->arena, int32_t, n_pods);
    for (size_t i = 0; i < n_pods; i++) {
        u->pods[i] = pods[i].pod;
        if (u->pod_nodes)
            u->pod_nodes[i] = pods[i].node;
    }
    u->n_pods = n_pods;
    g->new_size = new_size;
}

/* Scratch shared by the groups' estimates: the input pods and their
 * indices in left, the placement, the remaining pods' requests side by
 * side (for the options' sums); and which classes the input holds now
 * (fits[k]), so that a group taking the same classes as the group before
 * reuses the input as it is. */
struct est_buf {
    const struct sim_pod **in_pods;
    size_t *in_idx;
    size_t n_in;
    int32_t *place;
    int64_t *req_cpu, *req_mem;
    uint8_t *fits;
    bool have_fits;
};

/* The estimator's input for group gi (its option o, cls_reason filled):
 * the remaining pods its template takes (eb->in_pods), their indices in
 * left (eb->in_idx). */
static void group_input(struct asc__ctx *c, uint32_t gi, const struct gopt *o,
                        const struct pend *left, size_t n_left, uint32_t n_cls, struct est_buf *eb,
                        struct sim_estimate_input *ei)
{
    const struct asc__group *g = &c->gs[gi];
    bool same = eb->have_fits;
    for (uint32_t k = 0; k < n_cls; k++) {
        uint8_t f = !o->cls_reason[k];
        same &= eb->fits[k] == f;
        eb->fits[k] = f;
    }
    if (!same) {
        size_t n_in = 0;
        for (size_t i = 0; i < n_left; i++)
            if (eb->fits[left[i].cls]) {
                eb->in_idx[n_in] = i;
                eb->in_pods[n_in++] = left[i].sp;
            }
        eb->n_in = n_in;
        eb->have_fits = true;
    }
    *ei = (struct sim_estimate_input){
        .tmpl = o->labelled ? labelled_node(c, g) : &g->tmpl->node,
        .ds = g->ds,
        .n_ds = g->n_ds,
        .pods = eb->in_pods,
        .n_pods = eb->n_in,
        .max_nodes = (uint32_t)o->max_nodes,
    };
}

static int scale_up_cmp(const void *a, const void *b)
{
    return strcmp(((const struct asc_scale_up *)a)->group, ((const struct asc_scale_up *)b)->group);
}

/* --enforce-node-group-min-size: groups below their min grow to it. */
static void enforce_min(struct asc__ctx *c, struct asc_scale_up **v, size_t *n, size_t *cap)
{
    int64_t nodes = 0, cores = 0, mem = 0;
    for (uint32_t i = 0; i < c->n_gs; i++) {
        struct asc__group *g = &c->gs[i];
        if (!g->tmpl || g->backoff || g->g->target_size >= g->g->min_size)
            continue;
        int32_t want = g->g->min_size - g->g->target_size;
        int32_t room = room_for(c, g, nodes, cores, mem);
        if (want > room)
            want = room;
        if (want <= 0)
            continue;
        add_scale_up(c, v, n, cap, i, g->g->target_size + want, NULL, 0, false);
        nodes += want;
        cores += want * asc__cores(&g->tmpl->node.capacity);
        mem += want * g->tmpl->node.capacity.memory;
    }
}

static void no_scale_up(struct asc__ctx *c, struct pend *left, size_t n_left, struct gopt *go,
                        const bool *helped)
{
    size_t cnt = 0;
    for (size_t i = 0; i < n_left; i++)
        cnt += !helped[i];
    if (!cnt)
        return;
    struct asc_plan *p = c->out;
    p->no_scale_up = HS_ARENA_NEW_ARRAY(&p->arena, struct asc_no_scale_up, cnt);
    /* group names live in the group set: copied into the plan once, shared
     * by every pod's reasons */
    const char **names = HS_ARENA_NEW_ARRAY(&c->scratch, const char *, c->n_gs ? c->n_gs : 1);
    for (uint32_t g = 0; g < c->n_gs; g++)
        names[g] = asc__strf(c, "%s", c->gs[g].g->name);
    for (size_t i = 0; i < n_left; i++) {
        if (helped[i])
            continue;
        struct asc_no_scale_up *ns = &p->no_scale_up[p->n_no_scale_up++];
        ns->pod = asc__pod_key(c, left[i].pod);
        ns->reasons = HS_ARENA_NEW_ARRAY(&p->arena, struct asc_group_reason, c->n_gs ? c->n_gs : 1);
        for (uint32_t g = 0; g < c->n_gs; g++) {
            const char *why = go[g].skip;
            if (!why && go[g].cls_reason)
                why = go[g].cls_reason[left[i].cls];
            HS_BUG_ON(!why); /* a group with no reason takes the pod: it was helped */
            ns->reasons[ns->n_reasons++] =
                (struct asc_group_reason){ .group = names[g], .reason = why };
        }
    }
}

/* The pods a later loop looks at again: a group's template takes them, the
 * scale-up chosen does not place them (another group would: cluster-
 * autoscaler's "pods awaiting evaluation"; or the node limits cut them off,
 * which it names nowhere). */
static void awaiting(struct asc__ctx *c, const struct pend *left, size_t n_left, const bool *helped,
                     const bool *in_scale_up)
{
    size_t cnt = 0;
    for (size_t i = 0; i < n_left; i++)
        cnt += helped[i] && !in_scale_up[i];
    if (!cnt)
        return;
    struct asc_plan *p = c->out;
    p->awaiting = HS_ARENA_NEW_ARRAY(&p->arena, const char *, cnt);
    for (size_t i = 0; i < n_left; i++)
        if (helped[i] && !in_scale_up[i])
            p->awaiting[p->n_awaiting++] = asc__pod_key(c, left[i].pod);
    qsort(p->awaiting, p->n_awaiting, sizeof(*p->awaiting), asc__str_cmp);
}

static int no_scale_up_cmp(const void *a, const void *b)
{
    return strcmp(((const struct asc_no_scale_up *)a)->pod,
                  ((const struct asc_no_scale_up *)b)->pod);
}

/*
 * Estimates the expander would drop are abandoned half-way. When the chain's
 * first link keeps the options of lowest score (least-waste, least-nodes,
 * most-pods), every option scoring above the lowest is dropped there, before
 * any other link or the random draw sees it; so an estimate whose score is
 * proven, while it runs, to end above the best score of an option already
 * computed can stop: the options that reach the later links, their order
 * and the draw are the same. The proofs use what the estimator reports after
 * each class: the finished answer has at least as many nodes as now hold a
 * pod, at most the pods placed plus those not tried yet, and no node holds
 * more than its allocatable. For least-waste, with N nodes holding pods,
 * capacity C and allocatable A per node, and P + R the requests placed plus
 * those not tried yet, each resource's used fraction of the final N' >= N
 * nodes is at most min(A / C, (P + R) / (N * C)), so the waste is at least
 * the sum over cpu and memory of one minus that (kept above the best by a
 * margin far above rounding). When random is the only link, it draws among
 * the options without reading them: an estimate stops as soon as it places a
 * pod, which proves its option exists (the one drawn is estimated whole).
 * Abandoned groups are still "helped" by their template (which is all
 * cluster-autoscaler's reports read, and all balancing reads).
 */
#define PRUNE_MARGIN 1e-9

struct prune {
    enum asc_expander_kind kind; /* the link that decides among these options */
    bool on;                     /* it scores options, and this group may be abandoned */
    bool drop;                   /* the option is dropped whatever it is: stop at once */
    bool have_best;
    double best; /* the lowest score of the options computed so far */
    double cap_cpu, cap_mem, alloc_cpu, alloc_mem; /* the group being estimated */
};

static bool prune_stop(void *ctx, const struct sim_estimate_progress *p)
{
    const struct prune *pr = ctx;
    if (pr->drop)
        return true;
    if (pr->on && pr->kind == ASC_EXPANDER_RANDOM)
        return p->nodes > 0 && p->scheduled > 0; /* the option exists */
    if (!pr->on || !pr->have_best || p->nodes == 0)
        return false;
    switch (pr->kind) {
    case ASC_EXPANDER_LEAST_WASTE: {
        double n = (double)p->nodes;
        double uc = (double)(p->placed_cpu_milli + p->rest_cpu_milli) / (n * pr->cap_cpu);
        double um = (double)(p->placed_memory + p->rest_memory) / (n * pr->cap_mem);
        if (uc > pr->alloc_cpu / pr->cap_cpu)
            uc = pr->alloc_cpu / pr->cap_cpu;
        if (um > pr->alloc_mem / pr->cap_mem)
            um = pr->alloc_mem / pr->cap_mem;
        return (1.0 - uc) + (1.0 - um) > pr->best + PRUNE_MARGIN;
    }
    case ASC_EXPANDER_LEAST_NODES:
        return (double)p->nodes > pr->best;
    case ASC_EXPANDER_MOST_PODS:
        return -(double)((uint64_t)p->scheduled + p->rest_pods) > pr->best;
    default:
        return false;
    }
}

/* Group gi's option (o->cls_reason and o->max_nodes set): its estimate, and
 * the option's node count, pods and sums when it places any pod; pr may
 * abandon it (o->pruned) and keeps the best score so far. */
static void estimate_option(struct asc__ctx *c, struct gopt *go, uint32_t gi,
                            const struct pend *left, size_t n_left, uint32_t n_cls,
                            struct est_buf *eb, struct prune *pr)
{
    struct asc__group *g = &c->gs[gi];
    struct gopt *o = &go[gi];
    struct sim_estimate_input ei;
    group_input(c, gi, o, left, n_left, n_cls, eb, &ei);
    if (pr->on) {
        ei.stop = prune_stop;
        ei.stop_ctx = pr;
        pr->cap_cpu = (double)g->tmpl->node.capacity.cpu_milli;
        pr->cap_mem = (double)g->tmpl->node.capacity.memory;
        pr->alloc_cpu = (double)g->tmpl->node.allocatable.cpu_milli;
        pr->alloc_mem = (double)g->tmpl->node.allocatable.memory;
    }
    struct sim_estimate est = { .placement = eb->place };
    sim_estimate(c->snap, &ei, &est);
    /* random draws among the options without reading them: a run stopped
     * once it placed a pod (prune_stop) has proven its option exists */
    o->partial = est.stopped && pr->kind == ASC_EXPANDER_RANDOM;
    o->pruned = est.stopped && !o->partial;
    if (o->pruned || !est.nodes || !est.scheduled)
        return;
    o->has_option = true;
    o->opt.group = g->g;
    o->opt.node = &g->tmpl->node;
    o->opt.node_count = (int32_t)est.nodes;
    for (size_t j = 0; j < ei.n_pods; j++) {
        if (eb->place[j] < 0)
            continue;
        /* asc_option_add_pod's sums, from the side-by-side copies */
        size_t i = eb->in_idx[j];
        o->opt.n_pods++;
        o->opt.pods_cpu_milli += eb->req_cpu[i];
        o->opt.pods_memory += eb->req_mem[i];
    }
    double price;
    o->opt.has_price = asc_group_node_price(g->g, &price, NULL) == HS_OK;
    o->opt.node_price = o->opt.has_price ? price : 0;
    double score;
    if (asc_expander_score(pr->kind, &o->opt, &score) && (!pr->have_best || score < pr->best)) {
        pr->best = score;
        pr->have_best = true;
    }
}

static void similarity_options(const struct asc__ctx *c, struct asc_similarity *sim)
{
    asc_similarity_default(sim);
    sim->ignore_labels = c->o->balancing_ignore_labels;
    sim->n_ignore_labels = c->o->n_balancing_ignore_labels;
    sim->labels = c->o->balancing_labels;
    sim->n_labels = c->o->n_balancing_labels;
    sim->memory_ratio = c->o->memory_difference_ratio;
    sim->allocatable_ratio = c->o->max_allocatable_difference_ratio;
    sim->free_ratio = c->o->max_free_difference_ratio;
}

/* Whether group hi balances with group gi, as cluster-autoscaler's
 * ComputeSimilarNodeGroups decides: another group that may grow (not
 * skipped: not in backoff, below its max, within the resource limits),
 * whose template is similar to gi's, and whose template takes every class
 * gi's takes (it may take more). It reads the templates only, never the
 * estimates. */
static bool balance_peer(const struct asc__ctx *c, const struct gopt *go,
                         const struct asc_similarity *sim, uint32_t gi, uint32_t hi, uint32_t n_cls)
{
    const struct gopt *o = &go[gi], *p = &go[hi];
    if (hi == gi || p->skip || !p->cls_reason)
        return false;
    const struct asc__group *g = &c->gs[gi], *h = &c->gs[hi];
    if (!asc_nodes_similar(&g->tmpl->node, &g->ds_sum, &h->tmpl->node, &h->ds_sum, sim))
        return false;
    for (uint32_t k = 0; k < n_cls; k++)
        if (!o->cls_reason[k] && p->cls_reason[k])
            return false;
    return true;
}

static bool can_prune(enum asc_expander_kind k)
{
    return k == ASC_EXPANDER_LEAST_WASTE || k == ASC_EXPANDER_LEAST_NODES ||
           k == ASC_EXPANDER_MOST_PODS || k == ASC_EXPANDER_RANDOM;
}

/* Group gi's estimate, its cap widened to its similar groups' room when
 * balancing, abandoned as pr (its kind being what decides among the
 * options it competes with) allows. */
static void estimate_group(struct asc__ctx *c, struct gopt *go, uint32_t gi,
                           const struct pend *left, size_t n_left, uint32_t n_cls,
                           struct est_buf *eb, const struct asc_similarity *sim, struct prune *pr)
{
    struct asc__group *g = &c->gs[gi];
    struct gopt *o = &go[gi];
    if (c->o->balance_similar_node_groups) {
        /* cluster-autoscaler's estimate may open as many nodes as the group
         * and its similar groups have room for together
         * (sngCapacityThreshold): balancing shares them out */
        int64_t cap = (int64_t)g->g->max_size - g->new_size;
        for (uint32_t hi = 0; hi < c->n_gs; hi++)
            if (balance_peer(c, go, sim, gi, hi, n_cls))
                cap += c->gs[hi].g->max_size > c->gs[hi].new_size
                           ? c->gs[hi].g->max_size - c->gs[hi].new_size
                           : 0;
        o->max_nodes = estimate_room(c, g, cap);
    }
    /* least-waste drops an option whose node has no cpu or memory capacity:
     * never abandoned, it cannot set the best either */
    pr->on =
        pr->drop || (can_prune(pr->kind) &&
                     (pr->kind != ASC_EXPANDER_LEAST_WASTE ||
                      (g->tmpl->node.capacity.cpu_milli > 0 && g->tmpl->node.capacity.memory > 0)));
    estimate_option(c, go, gi, left, n_left, n_cls, eb, pr);
}

struct leveled {
    int64_t level; /* the group's priority; INT64_MIN: none the expander uses */
    uint32_t gi;
};

static int leveled_cmp(const void *a, const void *b)
{
    const struct leveled *x = a, *y = b;
    if (x->level != y->level)
        return x->level > y->level ? -1 : 1;
    return x->gi < y->gi ? -1 : x->gi > y->gi;
}

/*
 * Every estimable group's estimate. When the chain starts with priority,
 * its first link keeps only the options of the highest priority that has
 * any (groups without a priority, or below -1, only when no prioritised
 * group has an option; none at all without priorities): groups are
 * estimated priority by priority, from the highest, and once a priority
 * has an option the lower ones are abandoned unestimated. Within one
 * priority the next link decides (random when the chain ends there), and
 * its bound abandons estimates as for a chain that starts with it.
 */
static void estimate_all(struct asc__ctx *c, struct gopt *go, const struct pend *left,
                         size_t n_left, uint32_t n_cls, struct est_buf *eb)
{
    struct asc_similarity sim;
    similarity_options(c, &sim);
    enum asc_expander_kind first = asc_expander_at(c->expander, 0);
    if (first != ASC_EXPANDER_PRIORITY) {
        struct prune pr = { .kind = first };
        for (uint32_t gi = 0; gi < c->n_gs; gi++)
            if (go[gi].estimate)
                estimate_group(c, go, gi, left, n_left, n_cls, eb, &sim, &pr);
        return;
    }
    enum asc_expander_kind next =
        asc_expander_len(c->expander) > 1 ? asc_expander_at(c->expander, 1) : ASC_EXPANDER_RANDOM;
    struct leveled *lv = hs_calloc(c->n_gs ? c->n_gs : 1, sizeof(*lv));
    uint32_t n = 0;
    for (uint32_t gi = 0; gi < c->n_gs; gi++) {
        if (!go[gi].estimate)
            continue;
        int64_t prio;
        bool has = c->priorities && asc_priorities_of(c->priorities, c->gs[gi].g->name, &prio) &&
                   prio >= -1;
        lv[n++] = (struct leveled){ .level = has ? prio : INT64_MIN, .gi = gi };
    }
    qsort(lv, n, sizeof(*lv), leveled_cmp);
    bool decided = !c->priorities; /* without priorities no option is kept */
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i;
        struct prune pr = { .kind = next };
        bool any = false;
        for (; j < n && lv[j].level == lv[i].level; j++) {
            struct gopt *o = &go[lv[j].gi];
            /* once decided, the priority link drops the option: its
             * estimate stops before it starts (the estimator's reference
             * mode runs it whole, for the tests that compare plans) */
            pr.drop = decided;
            estimate_group(c, go, lv[j].gi, left, n_left, n_cls, eb, &sim, &pr);
            any |= o->has_option;
        }
        if (any && lv[i].level != INT64_MIN)
            decided = true;
        i = j;
    }
    hs_free(lv);
}

enum hs_code asc__scale_up(struct asc__ctx *c)
{
    const struct model_cluster *cl = c->in->cluster;
    struct pend *left = NULL;
    size_t n_left = 0, cap_left = 0;
    struct asc_scale_up *ups = NULL;
    size_t n_ups = 0, cap_ups = 0;
    struct gopt *go = NULL;
    bool *helped = NULL, *in_scale_up = NULL;
    struct pod_at *pods = NULL;
    uint32_t *local = NULL;

    /* 1. pending pods, highest priority first */
    const struct model_pod **nominated = NULL;
    size_t n_nominated = 0, cap_nominated = 0;
    for (size_t i = 0; i < cl->n_pods; i++) {
        const struct model_pod *p = cl->pods[i];
        enum pend_kind k = pod_pending(c, p);
        if (k == PEND_NO)
            continue;
        if (k == PEND_NOMINATED) {
            HS_GROW(nominated, cap_nominated, n_nominated + 1);
            nominated[n_nominated++] = p;
            continue;
        }
        HS_GROW(left, cap_left, n_left + 1);
        left[n_left++] = (struct pend){ .pod = p, .order = i };
    }
    if (n_left)
        qsort(left, n_left, sizeof(*left), pend_cmp);
    for (size_t i = 0; i < n_left; i++)
        left[i].sp = sim_pod_prepare(c->snap, left[i].pod);

    /* 2. upcoming nodes join the snapshot (kept: scale-down never moves a pod
     * onto them, they are marked removed there): the requested ones not
     * registered yet and, in place of each registered node that has not
     * started (taken out of the snapshot), a copy of the template too */
    for (uint32_t gi = 0; gi < c->n_gs; gi++) {
        struct asc__group *g = &c->gs[gi];
        if (!g->tmpl)
            continue;
        for (int32_t k = 0; k < g->upcoming + g->not_started; k++)
            add_template(c, g, &g->tmpl->node, asc__name(c, "upcoming-%s-%d", g->g->name, (int)k));
    }

    /* 2b. a pod waiting for a preemption takes room on its nominated node,
     * unchecked (cluster-autoscaler's ClusterSnapshot.ForceAddPod), before
     * any pending pod is fitted. A nominated node that has not started
     * (taken out of the snapshot, replaced by an upcoming node) holds
     * nothing: cluster-autoscaler fails its pod list processing there. */
    for (size_t i = 0; i < n_nominated; i++) {
        int32_t node = sim_snapshot_find_node(c->snap, nominated[i]->nominated_node);
        if (node >= 0 && !sim_snapshot_node_removed(c->snap, node))
            sim_snapshot_add_pod(c->snap, sim_pod_prepare(c->snap, nominated[i]), node);
    }
    hs_free(nominated);

    /* 3. pods that fit an existing or upcoming node need no new one; of the
     * rest, those not older than their scale-up delay wait */
    size_t kept = 0;
    for (size_t i = 0; i < n_left; i++) {
        int32_t node = sim_find_fit(c->snap, left[i].sp, 0, -1, false);
        if (node >= 0) {
            sim_snapshot_add_pod(c->snap, left[i].sp, node);
            continue;
        }
        if (pod_young(c, left[i].pod))
            continue;
        left[kept++] = left[i];
    }
    n_left = kept;
    c->pending = (int32_t)n_left;

    /* local equivalence classes of the remaining pods */
    size_t n_cls_all = sim_snapshot_n_classes(c->snap);
    local = hs_calloc(n_cls_all ? n_cls_all : 1, sizeof(*local));
    uint32_t n_cls = 0;
    const struct sim_pod **rep = hs_calloc(n_left ? n_left : 1, sizeof(*rep));
    for (size_t i = 0; i < n_left; i++) {
        uint32_t k = sim_pod_class(left[i].sp);
        if (!local[k]) {
            rep[n_cls] = left[i].sp;
            local[k] = ++n_cls;
        }
        left[i].cls = local[k] - 1;
    }

    if (n_left == 0) {
        if (c->o->enforce_node_group_min_size && c->healthy)
            enforce_min(c, &ups, &n_ups, &cap_ups);
        goto out;
    }

    /* 4. every group's answer */
    go = hs_calloc(c->n_gs ? c->n_gs : 1, sizeof(*go));
    const char *global_skip = NULL;
    if (!c->healthy)
        global_skip = R_UNHEALTHY;
    else if (!c->o->scale_up_from_zero && c->nodes_ready == 0)
        global_skip = R_FROM_ZERO;
    else if (c->o->max_nodes_total > 0 && nodes_for_total(c) >= c->o->max_nodes_total)
        global_skip = R_TOTAL;
    struct why_cache wc = { 0 };
    struct families fm;
    families_init(c, &fm, rep, n_cls);
    struct est_buf eb = {
        .in_pods = hs_calloc(n_left, sizeof(*eb.in_pods)),
        .in_idx = hs_calloc(n_left, sizeof(*eb.in_idx)),
        .place = hs_calloc(n_left, sizeof(*eb.place)),
        .req_cpu = hs_calloc(n_left, sizeof(*eb.req_cpu)),
        .req_mem = hs_calloc(n_left, sizeof(*eb.req_mem)),
        .fits = hs_calloc(n_cls ? n_cls : 1, sizeof(*eb.fits)),
    };
    for (size_t i = 0; i < n_left; i++) {
        eb.req_cpu[i] = left[i].pod->requests.cpu_milli;
        eb.req_mem[i] = left[i].pod->requests.memory;
    }
    helped = hs_calloc(n_left, sizeof(*helped));
    in_scale_up = hs_calloc(n_left, sizeof(*in_scale_up));
    /* per local class: some group that may grow takes it on its template */
    bool *cls_helped = hs_calloc(n_cls ? n_cls : 1, sizeof(*cls_helped));
    for (uint32_t gi = 0; gi < c->n_gs; gi++) {
        struct asc__group *g = &c->gs[gi];
        struct gopt *o = &go[gi];
        if (global_skip)
            o->skip = global_skip;
        else if (!g->tmpl)
            o->skip = R_NO_TMPL;
        else if (g->backoff)
            o->skip = R_BACKOFF;
        else if (g->g->target_size >= g->g->max_size)
            o->skip = R_MAX_SIZE;
        else
            o->skip = resource_limit(c, g);
        if (o->skip)
            continue;
        o->cls_reason = HS_ARENA_NEW_ARRAY(&c->scratch, const char *, n_cls);
        bool *by_variants = HS_ARENA_NEW_ARRAY(&c->scratch, bool, n_cls ? n_cls : 1);
        template_reasons(c, &wc, &fm, gi, rep, n_cls, o->cls_reason, by_variants);
        bool any = false;
        for (uint32_t k = 0; k < n_cls; k++) {
            any |= !o->cls_reason[k];
            o->labelled |= !o->cls_reason[k] && by_variants[k];
        }
        if (!any)
            continue;
        o->max_nodes = estimate_room(c, g, -1);
        if (o->max_nodes <= 0) {
            o->skip = R_LIMIT;
            continue;
        }
        for (uint32_t k = 0; k < n_cls; k++)
            cls_helped[k] |= !o->cls_reason[k];
        o->estimate = true;
    }
    hs_free(wc.v);
    families_release(&fm);
    estimate_all(c, go, left, n_left, n_cls, &eb);
    for (size_t i = 0; i < n_left; i++)
        helped[i] = cls_helped[left[i].cls];
    hs_free(cls_helped);

    /* 5. the expander chain picks one option */
    size_t n_opts = 0;
    struct asc_option *opts = hs_calloc(c->n_gs ? c->n_gs : 1, sizeof(*opts));
    uint32_t *opt_group = hs_calloc(c->n_gs ? c->n_gs : 1, sizeof(*opt_group));
    for (uint32_t gi = 0; gi < c->n_gs; gi++)
        if (go[gi].has_option) {
            opt_group[n_opts] = gi;
            opts[n_opts++] = go[gi].opt;
        }

    struct asc_expander_env env = {
        .cluster_nodes = (size_t)c->nodes_total,
        .priorities = c->priorities,
    };
    ptrdiff_t pick = n_opts ? asc_expander_choose(c->expander, opts, n_opts, &env, &c->rng) : -1;
    if (pick >= 0) {
        uint32_t gi = opt_group[pick];
        struct asc__group *g = &c->gs[gi];
        struct gopt *o = &go[gi];
        int32_t want = o->opt.node_count;
        {
            struct sim_estimate_input ei;
            group_input(c, gi, o, left, n_left, n_cls, &eb, &ei);
            struct sim_estimate est = { .placement = eb.place };
            sim_estimate(c->snap, &ei, &est);
            if (o->partial)
                want = (int32_t)est.nodes; /* now whole */
            HS_BUG_ON((int32_t)est.nodes != want);
            o->placement = HS_ARENA_NEW_ARRAY(&c->scratch, int32_t, n_left);
            for (size_t i = 0; i < n_left; i++)
                o->placement[i] = -1;
            for (size_t j = 0; j < ei.n_pods; j++)
                o->placement[eb.in_idx[j]] = eb.place[j];
        }

        /* as cluster-autoscaler's ScaleUp: the node count cut to
         * --max-nodes-total and the resource totals (with the chosen
         * group's node) first, then shared over the similar groups up to
         * their max sizes (BalanceScaleUpBetweenGroups) */
        want = room_within(c, g, want, 0, 0, 0, true);
        struct asc_balance_slot *slots = hs_calloc(c->n_gs, sizeof(*slots));
        uint32_t *slot_group = hs_calloc(c->n_gs, sizeof(*slot_group));
        int32_t *adds = hs_calloc(c->n_gs, sizeof(*adds));
        size_t n_slots = 0;
        struct asc_similarity sim;
        similarity_options(c, &sim);
        /* the expander's choice first: it gets the odd node */
        for (uint32_t k = 0; k <= c->n_gs; k++) {
            uint32_t oi = k == 0 ? gi : k - 1;
            struct asc__group *h = &c->gs[oi];
            if (k > 0 && (oi == gi || !c->o->balance_similar_node_groups ||
                          !balance_peer(c, go, &sim, gi, oi, n_cls)))
                continue;
            int32_t room = h->g->max_size > h->new_size ? h->g->max_size - h->new_size : 0;
            slots[n_slots] = (struct asc_balance_slot){ .current = h->g->target_size,
                                                        .max = h->g->target_size + room };
            slot_group[n_slots++] = oi;
        }
        asc_balance_split(slots, n_slots, want);

        /* balanced groups must stay within the cluster-wide limits together
         * (each group's own node may differ a little from the chosen one's) */
        int32_t granted = 0;
        int64_t nodes = 0, cores = 0, mem = 0;
        for (size_t s = 0; s < n_slots; s++) {
            struct asc__group *h = &c->gs[slot_group[s]];
            int32_t add = slots[s].new_size - slots[s].current;
            int32_t room = room_for(c, h, nodes, cores, mem);
            if (add > room)
                add = room;
            adds[s] = add > 0 ? add : 0;
            granted += adds[s];
            nodes += adds[s];
            cores += adds[s] * asc__cores(&h->tmpl->node.capacity);
            mem += adds[s] * h->tmpl->node.capacity.memory;
        }
        /* the pods of the chosen option that the nodes granted can take */
        pods = hs_calloc(n_left ? n_left : 1, sizeof(*pods));
        size_t n_pods = 0;
        for (size_t i = 0; i < n_left; i++)
            if (o->placement[i] >= 0 && o->placement[i] < granted) {
                pods[n_pods++] =
                    (struct pod_at){ .pod = asc__pod_key(c, left[i].pod), .node = o->placement[i] };
                in_scale_up[i] = true;
            }
        if (n_pods)
            qsort(pods, n_pods, sizeof(*pods), pod_at_cmp);
        for (size_t s = 0; s < n_slots; s++)
            if (adds[s] > 0)
                add_scale_up(c, &ups, &n_ups, &cap_ups, slot_group[s],
                             c->gs[slot_group[s]].g->target_size + adds[s], pods, n_pods,
                             n_slots == 1);
        hs_free(slots);
        hs_free(slot_group);
        hs_free(adds);
    }
    hs_free(opts);
    hs_free(opt_group);
    hs_free(eb.in_pods);
    hs_free(eb.in_idx);
    hs_free(eb.place);
    hs_free(eb.req_cpu);
    hs_free(eb.req_mem);
    hs_free(eb.fits);

    /* 6. pods no group can help, with every group's reason; and those some
     * group's template takes that this loop's scale-up does not place */
    no_scale_up(c, left, n_left, go, helped);
    awaiting(c, left, n_left, helped, in_scale_up);
    if (c->out->n_no_scale_up)
        qsort(c->out->no_scale_up, c->out->n_no_scale_up, sizeof(*c->out->no_scale_up),
              no_scale_up_cmp);
    if (!n_ups && c->o->enforce_node_group_min_size && c->healthy)
        enforce_min(c, &ups, &n_ups, &cap_ups);

out:
    if (n_ups) {
        qsort(ups, n_ups, sizeof(*ups), scale_up_cmp);
        c->out->scale_up = HS_ARENA_NEW_ARRAY(&c->out->arena, struct asc_scale_up, n_ups);
        memcpy(c->out->scale_up, ups, n_ups * sizeof(*ups));
        c->out->n_scale_up = n_ups;
        c->scaled_up = true;
        asc_state_scale_up_done(c->state, c->in->now);
    }
    hs_free(ups);
    hs_free(pods);
    hs_free(helped);
    hs_free(in_scale_up);
    hs_free(go);
    hs_free(rep);
    hs_free(local);
    hs_free(left);
    return HS_OK;
}
