/*
 * The bin-packing estimator, in cluster-autoscaler's order: equivalence
 * classes by descending cpu/alloc + mem/alloc of the template, each pod
 * first-fit on the new nodes already opened, then on the last opened node,
 * then on a fresh one; a class stops as soon as a fresh node stays empty, and
 * no more than max_nodes are opened. Runs inside a fork it reverts, so the
 * snapshot is unchanged on return. Never does I/O; allocates per call, not
 * per pod.
 *
 * The answer is the one the plain algorithm gives pod by pod (kept below as
 * sim__estimate_reference, for the unit tests that compare the two); it is
 * reached with less work by facts that hold because the estimator only adds
 * pods and nodes:
 *  - pods of one class are interchangeable, so consecutive pods that would
 *    land on the same node are bound as one run (sim__add_run) when nothing
 *    the class itself changes can turn the node against them;
 *  - a node that rejected a class for a node-local reason (resources,
 *    ports, taints, node affinity, volumes) rejects it until the revert, as
 *    does a node whose domain holds a pod an anti-affinity term forbids: such
 *    nodes are skipped through per-reason skip lists (union-find "next
 *    candidate" arrays) and a max-tree of free cpu, memory, storage and pod
 *    slots over the new nodes;
 *  - after a pod lands on node n, a node before n can only start to accept
 *    the next pod of the class if the class's own placement raised a
 *    spread minimum or gave an affinity domain its first match; only then
 *    does the search restart from the first new node;
 *  - pods bucketed by class, and the class order for a template's
 *    (cpu, memory) shape, are kept between calls over the same pods; the
 *    order sorts the classes' distinct (cpu, memory) requests, not classes;
 *  - a node refused for spread or affinity on a key other than the
 *    hostname means every new node is (they share that domain); on the
 *    hostname, it stays refused while the class is placed, until a spread
 *    minimum rises;
 *  - a template that differs from the previous call's only in label values
 *    whose domains every counter sees alike (the same number of pods, both
 *    live or both not) gets the same answer, when no pending pod selects
 *    nodes by those keys (see twin()); "the previous call" means the same
 *    snapshot contents, which a fork and its revert leave as they were.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "sim_int.h"
#include "simulator/estimator.h"

double sim_estimate_score(const struct model_pod *p, const struct model_node *tmpl)
{
    double score = 0;
    if (tmpl->allocatable.cpu_milli > 0)
        score += (double)p->requests.cpu_milli / (double)tmpl->allocatable.cpu_milli;
    if (tmpl->allocatable.memory > 0)
        score += (double)p->requests.memory / (double)tmpl->allocatable.memory;
    return score;
}

/* ---- pods bucketed by class -------------------------------------------- */

struct skip;

/* What a pod of the class needs of a node's free resources to be a
 * candidate (requests of 0 are not checked, as NodeResourcesFit does not). */
struct need {
    int64_t cpu, mem, eph;
};

/* What the estimator needs of a class, gathered once (its pods are alike). */
struct cls {
    struct sim__class *c;
    const struct sim_pod *sp; /* a pod of the class, for the filters */
    struct need need;
    bool per_pod;       /* a pod of the class can change its own verdict on a node */
    bool spread_self;   /* its pods count in one of its spread constraints */
    struct skip *local; /* nodes that rejected its local class */
    bool scalars;       /* it requests extended resources (not in the max-tree) */
    /* Every new node answers the node-object filters alike (they read no
     * node name or hostname: no node affinity, no volumes); node_r is that
     * answer in the estimate numbered node_serial. */
    bool node_same;
    uint64_t node_serial;
    enum sim_reason node_r;
};

/* The pods of one class, in input order. */
struct bucket {
    int64_t cpu, mem; /* the requests of its pods (alike in a class) */
    uint32_t first;   /* input index of the class's first pod */
    uint32_t start;   /* slice of sorted[] and index[] */
    uint32_t count;
    bool regular; /* every pod: no spec.nodeName, not terminating */
    bool ready;   /* info filled (on the bucket's first regular run) */
    struct cls info;
};

/* Buckets in the order cluster-autoscaler tries them for one template shape. */
struct shape {
    int64_t cpu, mem;
    uint32_t *order; /* bucket indices */
};

#define MAX_SHAPES 64

/* A union-find "next candidate" list over the new nodes (indices relative
 * to the first new node): nxt[j] == j unless j is skipped. Entries up to the
 * number of opened nodes are made on use. */
struct skip {
    int32_t *nxt;
    uint32_t len, cap;
    uint32_t *marked; /* the entries skipped, for skip_clear */
    uint32_t n_marked, cap_marked;
};

/* Free resources of a new node, or the component-wise max over a subtree. */
struct rfree {
    int64_t cpu, mem, eph, pods;
};

/* What twin() needs to know of a set of pending pods: whether any reads
 * node labels other than through topology keys, and, made on first use,
 * every class resolved, the counters their filters read and the keys of
 * spread constraints counted node by node (slow_many: too many to list,
 * treat every key as one). */
struct facts {
    /* The node label keys the pods select nodes by (node selectors,
     * required node affinity); sel_all: any key may be read (a volume,
     * matchFields, more keys than listed). */
    bool sel_all;
    const char *sel_keys[8];
    uint32_t n_sel_keys;
    bool ready, slow_many;
    const char *slow_keys[8];
    uint32_t n_slow_keys;
    uint8_t *reads; /* per counter id: whether the classes' filters read it */
    size_t n_reads, cap_reads;
};

/* What the estimator keeps for one array of pending pods: the buckets, the
 * orders, and the last answer. */
struct podset {
    /* the pods the buckets are for (a copy of the caller's array) */
    const struct sim_pod **pods;
    size_t n_pods, cap_pods;
    bool valid;
    uint64_t used; /* the cache's clock when last used */
    struct bucket *b;
    uint32_t nb;
    const struct sim_pod **sorted; /* pods, bucket by bucket */
    uint32_t *index;               /* input index of sorted[i] */
    struct shape shapes[MAX_SHAPES];
    uint32_t n_shapes;
    /* Buckets grouped by their pods' (cpu, memory) request, which alone
     * decides the score: a template's order sorts the groups, not the
     * buckets. by_req: bucket indices, group by group, ascending within. */
    uint32_t *by_req;
    uint32_t *req_start; /* n_req + 1 offsets into by_req */
    uint32_t n_req;

    int64_t sum_cpu, sum_mem; /* the pods' summed requests */
    struct facts f;           /* of these pods, for twin() */

    /* the last answer, for a twin template (see twin()) */
    struct {
        bool valid, has_placement;
        uint64_t state;         /* the snapshot's, after that run */
        struct model_node tmpl; /* a copy: arrays owned, strings referenced */
        const struct sim_pod **ds;
        size_t n_ds, cap_ds;
        uint32_t max_nodes;
        uint32_t nodes, scheduled;
        int32_t *placement;
        size_t cap_placement;
    } memo;
};

/* Pod arrays kept: the planner alternates between a few (the pods that fit
 * one zone's template, another's), each worth its buckets. */
#define N_SETS 4

struct sim__est_cache {
    struct podset cur;               /* the set of this call */
    struct podset other[N_SETS - 1]; /* the others, in no order */
    uint64_t clock;
    uint64_t memo_hits;
    uint64_t serial; /* estimates computed (not answered from a twin) */

    /* scratch of one run of the estimator */
    uint8_t *with_pods;
    size_t cap_with;
    struct rfree *tree; /* 2 * tsize entries, leaves at tsize.. */
    uint32_t tsize;
    uint32_t tree_used;  /* leaves the last run may have set */
    struct skip **skips; /* each allocated alone: pointers stay valid */
    uint32_t n_skips;
    size_t cap_skips;
    struct sim__map skip_by_key;
    int32_t *have_skips; /* HAVE counters with a skip list this run */
    uint32_t n_have_skips;
    size_t cap_have_skips;
};

static void tmpl_copy_release(struct sim_snapshot *s, struct model_node *t);

static void podset_release(struct sim_snapshot *s, struct podset *ps)
{
    tmpl_copy_release(s, &ps->memo.tmpl);
    hs_free(ps->memo.ds);
    hs_free(ps->memo.placement);
    hs_free(ps->pods);
    hs_free(ps->b);
    hs_free(ps->sorted);
    hs_free(ps->index);
    hs_free(ps->by_req);
    hs_free(ps->req_start);
    hs_free(ps->f.reads);
    for (uint32_t i = 0; i < ps->n_shapes; i++)
        hs_free(ps->shapes[i].order);
}

void sim__est_cache_free(struct sim_snapshot *s, struct sim__est_cache **cp)
{
    struct sim__est_cache *c = *cp;
    if (!c)
        return;
    podset_release(s, &c->cur);
    for (uint32_t i = 0; i < N_SETS - 1; i++)
        podset_release(s, &c->other[i]);
    hs_free(c->with_pods);
    hs_free(c->tree);
    for (uint32_t i = 0; i < c->n_skips; i++) {
        hs_free(c->skips[i]->nxt);
        hs_free(c->skips[i]->marked);
        hs_free(c->skips[i]);
    }
    hs_free(c->skips);
    sim__map_release(&c->skip_by_key);
    hs_free(c->have_skips);
    hs_free(c);
    *cp = NULL;
}

struct req_key {
    int64_t cpu, mem;
    uint32_t b;
};

static int req_cmp(const void *a, const void *b)
{
    const struct req_key *x = a, *y = b;
    if (x->cpu != y->cpu)
        return x->cpu < y->cpu ? -1 : 1;
    if (x->mem != y->mem)
        return x->mem < y->mem ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

static void group_by_request(struct sim__est_cache *c)
{
    hs_free(c->cur.by_req);
    hs_free(c->cur.req_start);
    c->cur.by_req = hs_malloc((c->cur.nb ? c->cur.nb : 1) * sizeof(*c->cur.by_req));
    c->cur.req_start = hs_malloc(((size_t)c->cur.nb + 1) * sizeof(*c->cur.req_start));
    struct req_key *k = hs_malloc((c->cur.nb ? c->cur.nb : 1) * sizeof(*k));
    for (uint32_t i = 0; i < c->cur.nb; i++)
        k[i] = (struct req_key){ c->cur.b[i].cpu, c->cur.b[i].mem, i };
    qsort(k, c->cur.nb, sizeof(*k), req_cmp);
    c->cur.n_req = 0;
    for (uint32_t i = 0; i < c->cur.nb; i++) {
        c->cur.by_req[i] = k[i].b;
        if (i == 0 || k[i - 1].cpu != k[i].cpu || k[i - 1].mem != k[i].mem)
            c->cur.req_start[c->cur.n_req++] = i;
    }
    c->cur.req_start[c->cur.n_req] = c->cur.nb;
    hs_free(k);
}

static void note_key(struct facts *f, const char *key)
{
    for (uint32_t i = 0; i < f->n_sel_keys; i++)
        if (f->sel_keys[i] == key)
            return;
    if (f->n_sel_keys == HS_ARRAY_LEN(f->sel_keys))
        f->sel_all = true;
    else
        f->sel_keys[f->n_sel_keys++] = key;
}

/* Notes the node label keys p selects nodes by: its node selector's and
 * its required node affinity's; matchFields (the node's name) or a volume
 * (a bound PV may name zones or nodes) make every key count. */
static void note_selects(struct facts *f, const struct model_pod *p)
{
    if (f->sel_all)
        return;
    for (uint32_t i = 0; i < p->node_selector.n; i++)
        note_key(f, p->node_selector.v[i].key);
    const struct model_node_affinity *na = p->node_affinity;
    for (uint32_t t = 0; na && na->has_required && t < na->n_required; t++) {
        const struct model_node_selector_term *term = &na->required[t];
        if (term->n_fields)
            f->sel_all = true;
        for (uint32_t e = 0; e < term->n_expr; e++)
            note_key(f, term->expr[e].key);
    }
    for (uint32_t v = 0; v < p->n_volumes; v++)
        if (p->volumes[v].kind == MODEL_VOL_PVC || p->volumes[v].kind == MODEL_VOL_EPHEMERAL)
            f->sel_all = true;
}

static bool selects_key(const struct facts *f, const char *key)
{
    if (f->sel_all)
        return true;
    for (uint32_t i = 0; i < f->n_sel_keys; i++)
        if (f->sel_keys[i] == key)
            return true;
    return false;
}

static bool podset_is(const struct podset *ps, const struct sim_estimate_input *in)
{
    return ps->valid && ps->n_pods == in->n_pods &&
           memcmp(ps->pods, in->pods, in->n_pods * sizeof(*ps->pods)) == 0;
}

/* Makes c->cur the set for in->pods: the current one, a kept one, or one
 * made now in place of the least recently used. */
static void bucket_pods(struct sim_snapshot *s, struct sim__est_cache *c,
                        const struct sim_estimate_input *in)
{
    size_t n = in->n_pods;
    c->clock++;
    if (podset_is(&c->cur, in)) {
        c->cur.used = c->clock;
        return;
    }
    /* Another set kept for these pods, or the one least recently used to
     * make them in (the current one is kept in its place). */
    uint32_t victim = 0;
    for (uint32_t i = 0; i < N_SETS - 1; i++) {
        if (podset_is(&c->other[i], in)) {
            victim = i;
            break;
        }
        if (c->other[i].used < c->other[victim].used)
            victim = i;
    }
    struct podset tmp = c->cur;
    c->cur = c->other[victim];
    c->other[victim] = tmp;
    c->cur.used = c->clock;
    if (podset_is(&c->cur, in))
        return;
    for (uint32_t i = 0; i < c->cur.n_shapes; i++)
        hs_free(c->cur.shapes[i].order);
    c->cur.n_shapes = 0;
    c->cur.memo.valid = false;
    c->cur.f.ready = false;
    c->cur.f.sel_all = false;
    c->cur.f.n_sel_keys = 0;
    HS_GROW(c->cur.pods, c->cur.cap_pods, n);
    memcpy(c->cur.pods, in->pods, n * sizeof(*c->cur.pods));
    c->cur.n_pods = n;
    size_t nc = s->n_classes;
    int32_t *bid = hs_malloc(nc * sizeof(*bid));
    memset(bid, 0xff, nc * sizeof(*bid));
    hs_free(c->cur.b);
    c->cur.b = hs_malloc(n * sizeof(*c->cur.b));
    c->cur.nb = 0;
    c->cur.sum_cpu = c->cur.sum_mem = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = in->pods[i]->cls->id;
        c->cur.sum_cpu += in->pods[i]->pod->requests.cpu_milli;
        c->cur.sum_mem += in->pods[i]->pod->requests.memory;
        if (bid[k] < 0) {
            bid[k] = (int32_t)c->cur.nb;
            c->cur.b[c->cur.nb++] = (struct bucket){ .cpu = in->pods[i]->pod->requests.cpu_milli,
                                                     .mem = in->pods[i]->pod->requests.memory,
                                                     .first = (uint32_t)i,
                                                     .regular = true };
        }
        struct bucket *b = &c->cur.b[bid[k]];
        b->count++;
        const struct model_pod *p = in->pods[i]->pod;
        if (p->node_name || p->deletion_ts != 0)
            b->regular = false;
        note_selects(&c->cur.f, p);
    }
    uint32_t off = 0;
    for (uint32_t k = 0; k < c->cur.nb; k++) {
        c->cur.b[k].start = off;
        off += c->cur.b[k].count;
        c->cur.b[k].count = 0;
    }
    hs_free(c->cur.sorted);
    hs_free(c->cur.index);
    c->cur.sorted = hs_malloc(n * sizeof(*c->cur.sorted));
    c->cur.index = hs_malloc(n * sizeof(*c->cur.index));
    for (size_t i = 0; i < n; i++) {
        struct bucket *b = &c->cur.b[bid[in->pods[i]->cls->id]];
        c->cur.sorted[b->start + b->count] = in->pods[i];
        c->cur.index[b->start + b->count++] = (uint32_t)i;
    }
    hs_free(bid);
    group_by_request(c);
    c->cur.valid = true;
}

struct keyed {
    double score;
    uint32_t first;
    uint32_t b;
};

static int keyed_cmp(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* Bucket indices by descending score for tmpl, ties by first appearance
 * (bucket indices follow first appearance). */
static const uint32_t *shape_order(struct sim__est_cache *c, const struct model_node *tmpl)
{
    int64_t cpu = tmpl->allocatable.cpu_milli, mem = tmpl->allocatable.memory;
    for (uint32_t i = 0; i < c->cur.n_shapes; i++)
        if (c->cur.shapes[i].cpu == cpu && c->cur.shapes[i].mem == mem)
            return c->cur.shapes[i].order;
    if (c->cur.n_shapes == MAX_SHAPES) {
        for (uint32_t i = 0; i < c->cur.n_shapes; i++)
            hs_free(c->cur.shapes[i].order);
        c->cur.n_shapes = 0;
    }
    /* Request groups by score (first: the group's first bucket). */
    struct keyed *k = hs_malloc((c->cur.n_req ? c->cur.n_req : 1) * sizeof(*k));
    for (uint32_t g = 0; g < c->cur.n_req; g++) {
        uint32_t b0 = c->cur.by_req[c->cur.req_start[g]];
        k[g] = (struct keyed){ .score =
                                   sim_estimate_score(c->cur.sorted[c->cur.b[b0].start]->pod, tmpl),
                               .first = b0,
                               .b = g };
    }
    qsort(k, c->cur.n_req, sizeof(*k), keyed_cmp);
    struct shape *sh = &c->cur.shapes[c->cur.n_shapes++];
    sh->cpu = cpu;
    sh->mem = mem;
    sh->order = hs_malloc((c->cur.nb ? c->cur.nb : 1) * sizeof(*sh->order));
    uint32_t *pos = hs_malloc((c->cur.n_req ? c->cur.n_req : 1) * sizeof(*pos));
    uint32_t out = 0;
    for (uint32_t g = 0; g < c->cur.n_req;) {
        /* Groups of one score are merged by bucket index. */
        uint32_t h = g + 1;
        while (h < c->cur.n_req && k[h].score == k[g].score)
            h++;
        for (uint32_t x = g; x < h; x++)
            pos[x] = c->cur.req_start[k[x].b];
        for (;;) {
            uint32_t best = UINT32_MAX, bx = 0;
            for (uint32_t x = g; x < h; x++) {
                if (pos[x] < c->cur.req_start[k[x].b + 1] && c->cur.by_req[pos[x]] < best) {
                    best = c->cur.by_req[pos[x]];
                    bx = x;
                }
            }
            if (best == UINT32_MAX)
                break;
            sh->order[out++] = best;
            pos[bx]++;
        }
        g = h;
    }
    HS_BUG_ON(out != c->cur.nb);
    hs_free(pos);
    hs_free(k);
    return sh->order;
}

/* ---- twin templates ------------------------------------------------------ */

static bool reads_ctr(const struct sim_snapshot *s, const struct facts *f, int32_t id)
{
    if (s->ctrs[id].kind == SIM__CTR_HAVE)
        return true; /* any class may meet an existing pod's anti-affinity */
    return (size_t)id < f->n_reads && f->reads[id];
}

/* Whether the domains va and vb of topology key (all interned) look alike
 * to every counter the pending classes read (f->reads, and every HAVE
 * counter): both live or both not, and each such counter on the key
 * counting as many pods in one as in the other. Counters no pending class
 * reads (those of classes placed earlier) do not matter, and neither does
 * the key's liveness when no counter read is on it. */
static bool domains_alike(const struct sim_snapshot *s, const struct facts *f, const char *key,
                          const char *va, const char *vb)
{
    for (size_t i = 0; i < s->n_topos; i++) {
        const struct sim__topo *t = &s->topos[i];
        if (t->key != key)
            continue;
        int32_t da = sim__map_get(&t->doms, (uint64_t)(uintptr_t)va);
        int32_t db = sim__map_get(&t->doms, (uint64_t)(uintptr_t)vb);
        bool live_a = da >= 0 && t->dom_live[da] > 0, live_b = db >= 0 && t->dom_live[db] > 0;
        for (size_t k = 0; k < t->n_counters; k++) {
            if (!reads_ctr(s, f, t->counters[k]))
                continue;
            const struct sim__counter *ctr = &s->ctrs[t->counters[k]];
            int32_t na = da >= 0 && (uint32_t)da < ctr->cap_dom ? ctr->dom_cnt[da] : 0;
            int32_t nb = db >= 0 && (uint32_t)db < ctr->cap_dom ? ctr->dom_cnt[db] : 0;
            if (live_a != live_b || na != nb)
                return false;
        }
    }
    return true;
}

/* Fills f->ready's part for the classes of pods[0..n) (a pod per class or
 * more): resolves every class (so that every counter they read exists) and
 * lists the keys of spread constraints that count nodes one by one (node
 * inclusion policies, several constraints), which the counters compared by
 * domains_alike do not tell. */
static void facts_fill(struct sim_snapshot *s, struct facts *f, const struct sim_pod *const *pods,
                       size_t n, size_t stride)
{
    f->ready = true;
    f->slow_many = false;
    f->n_slow_keys = 0;
    for (size_t b = 0; b < n; b++)
        sim__resolve_class(s, pods[b * stride]->cls);
    f->n_reads = s->n_ctrs;
    HS_GROW(f->reads, f->cap_reads, s->n_ctrs + 1);
    memset(f->reads, 0, s->n_ctrs + 1);
    for (size_t b = 0; b < n; b++) {
        struct sim__class *k = pods[b * stride]->cls;
        for (uint32_t i = 0; i < k->n_spread; i++)
            f->reads[k->spread[i].ctr] = 1;
        for (uint32_t i = 0; i < k->n_aff; i++)
            f->reads[k->aff_ctr[i]] = 1;
        for (uint32_t i = 0; i < k->n_anti; i++)
            f->reads[k->anti_ctr[i]] = 1;
        for (uint32_t i = 0; !k->spread_fast && i < k->n_spread; i++) {
            const char *key = k->spread[i].c->topology_key;
            bool known = false;
            for (uint32_t x = 0; x < f->n_slow_keys && !known; x++)
                known = f->slow_keys[x] == key;
            if (known)
                continue;
            if (f->n_slow_keys == HS_ARRAY_LEN(f->slow_keys))
                f->slow_many = true;
            else
                f->slow_keys[f->n_slow_keys++] = key;
        }
    }
}

/* The podset's facts, made once per set of buckets (from each bucket's
 * first pod). */
static void podset_facts(struct sim_snapshot *s, struct podset *ps)
{
    const struct sim_pod **reps = hs_malloc((ps->nb ? ps->nb : 1) * sizeof(*reps));
    for (uint32_t b = 0; b < ps->nb; b++)
        reps[b] = ps->sorted[ps->b[b].start];
    facts_fill(s, &ps->f, reps, ps->nb, 1);
    hs_free(reps);
}

static bool slow_spread_on(const struct facts *f, const char *key)
{
    for (uint32_t x = 0; x < f->n_slow_keys; x++)
        if (f->slow_keys[x] == key)
            return true;
    return f->slow_many;
}

/* Whether templates a and b give the same answer by symmetry: equal but for
 * the values of some label keys (the hostname aside, which is each new
 * node's own name either way) that no pending pod selects nodes by (no
 * node selector or required node affinity names them, no pod has volumes
 * or matchFields), and when for each such key the two values name domains
 * that every counter sees alike (domains_alike; a value no node carries
 * names an empty, dead domain) and no pending class counts that key node by
 * node. Swapping the two values then maps the snapshot onto itself as far
 * as any filter can read it, and maps a's run onto b's step by step: each
 * new node of a sees in its domain the counts a new node of b sees in its
 * own, so every verdict, every placement and the node count are the same.
 * Without same_res (sim_twins_alike), the resources may differ: then every
 * filter's verdict but NodeResourcesFit's is the same on a and on b.
 */
static bool twin(struct sim_snapshot *s, struct podset *ps, struct facts *f,
                 const struct model_node *a, const struct model_node *b, bool same_res)
{
    if ((same_res && !model_resources_equal(&a->allocatable, &b->allocatable)) ||
        a->unschedulable != b->unschedulable || a->n_taints != b->n_taints ||
        a->labels.n != b->labels.n)
        return false;
    for (uint32_t i = 0; i < a->n_taints; i++)
        if (a->taints[i].key != b->taints[i].key || a->taints[i].value != b->taints[i].value ||
            a->taints[i].effect != b->taints[i].effect)
            return false;
    for (uint32_t i = 0; i < a->labels.n; i++) {
        const struct model_label *x = &a->labels.v[i], *y = &b->labels.v[i];
        if (x->key != y->key)
            return false;
        if (x->value == y->value || x->key == s->k_hostname)
            continue;
        if (selects_key(f, x->key))
            return false;
        if (!f->ready && ps) /* a podset's, made on first use */
            podset_facts(s, ps);
        if (slow_spread_on(f, x->key) || !domains_alike(s, f, x->key, x->value, y->value))
            return false;
    }
    return true;
}

/* ---- twin templates for single checks ---------------------------------- */

struct sim_twins {
    struct sim_snapshot *s;
    struct facts f;
};

struct sim_twins *sim_twins_new(struct sim_snapshot *s, const struct sim_pod *const *pods, size_t n)
{
    struct sim_twins *t = hs_calloc(1, sizeof(*t));
    t->s = s;
    for (size_t i = 0; i < n; i++)
        note_selects(&t->f, pods[i]->pod);
    facts_fill(s, &t->f, pods, n, 1);
    return t;
}

#ifdef HS_UNITTEST_BUILD
uint64_t sim__twins_hits;
#endif

bool sim_twins_alike(struct sim_twins *t, const struct model_node *a, const struct model_node *b)
{
#ifdef HS_UNITTEST_BUILD
    if (sim__estimate_plain)
        return false;
    bool alike = twin(t->s, NULL, &t->f, a, b, false);
    sim__twins_hits += alike;
    return alike;
#else
    return twin(t->s, NULL, &t->f, a, b, false);
#endif
}

void sim_twins_free(struct sim_twins **tp)
{
    struct sim_twins *t = *tp;
    if (!t)
        return;
    hs_free(t->f.reads);
    hs_free(t);
    *tp = NULL;
}

static const char *ref(const char *istr)
{
    return istr ? hs_intern_ref(istr) : NULL;
}

static void unref(struct sim_snapshot *s, const char *istr)
{
    if (istr)
        hs_intern_unref(s->intern, istr);
}

static void tmpl_copy_release(struct sim_snapshot *s, struct model_node *t)
{
    for (uint32_t i = 0; i < t->labels.n; i++) {
        unref(s, t->labels.v[i].key);
        unref(s, t->labels.v[i].value);
    }
    for (uint32_t i = 0; i < t->n_taints; i++) {
        unref(s, t->taints[i].key);
        unref(s, t->taints[i].value);
    }
    for (uint32_t i = 0; i < t->allocatable.n_scalar; i++)
        unref(s, t->allocatable.scalar[i].name);
    hs_free(t->labels.v);
    hs_free(t->taints);
    hs_free(t->allocatable.scalar);
    memset(t, 0, sizeof(*t));
}

/* What twin() reads of n, copied into t with references on its strings, so
 * that the caller may free n. */
static void tmpl_copy(struct sim_snapshot *s, struct model_node *t, const struct model_node *n)
{
    tmpl_copy_release(s, t);
    t->unschedulable = n->unschedulable;
    t->allocatable = n->allocatable;
    t->allocatable.scalar = NULL;
    if (n->allocatable.n_scalar) {
        t->allocatable.scalar = hs_malloc(n->allocatable.n_scalar * sizeof(struct model_scalar));
        for (uint32_t i = 0; i < n->allocatable.n_scalar; i++)
            t->allocatable.scalar[i] = (struct model_scalar){ ref(n->allocatable.scalar[i].name),
                                                              n->allocatable.scalar[i].value };
    }
    t->n_taints = n->n_taints;
    if (n->n_taints) {
        t->taints = hs_malloc(n->n_taints * sizeof(*t->taints));
        for (uint32_t i = 0; i < n->n_taints; i++)
            t->taints[i] = (struct model_taint){ ref(n->taints[i].key), ref(n->taints[i].value),
                                                 n->taints[i].effect };
    }
    t->labels.n = n->labels.n;
    if (n->labels.n) {
        t->labels.v = hs_malloc(n->labels.n * sizeof(*t->labels.v));
        for (uint32_t i = 0; i < n->labels.n; i++)
            t->labels.v[i] =
                (struct model_label){ ref(n->labels.v[i].key), ref(n->labels.v[i].value) };
    }
}

static bool memo_answer(struct sim_snapshot *s, struct sim__est_cache *c,
                        const struct sim_estimate_input *in, struct sim_estimate *out)
{
    if (!c->cur.memo.valid || c->cur.memo.state != s->state ||
        c->cur.memo.max_nodes != in->max_nodes || c->cur.memo.n_ds != in->n_ds ||
        (out->placement && !c->cur.memo.has_placement))
        return false;
    for (size_t i = 0; i < in->n_ds; i++)
        if (c->cur.memo.ds[i] != in->ds[i])
            return false;
    if (!twin(s, &c->cur, &c->cur.f, &c->cur.memo.tmpl, in->tmpl, true))
        return false;
    out->nodes = c->cur.memo.nodes;
    out->scheduled = c->cur.memo.scheduled;
    if (out->placement)
        memcpy(out->placement, c->cur.memo.placement, in->n_pods * sizeof(*out->placement));
    c->memo_hits++;
    return true;
}

static void memo_keep(struct sim_snapshot *s, struct sim__est_cache *c,
                      const struct sim_estimate_input *in, const struct sim_estimate *out)
{
    c->cur.memo.valid = true;
    c->cur.memo.state = s->state;
    tmpl_copy(s, &c->cur.memo.tmpl, in->tmpl);
    HS_GROW(c->cur.memo.ds, c->cur.memo.cap_ds, in->n_ds);
    for (size_t i = 0; i < in->n_ds; i++)
        c->cur.memo.ds[i] = in->ds[i];
    c->cur.memo.n_ds = in->n_ds;
    c->cur.memo.max_nodes = in->max_nodes;
    c->cur.memo.nodes = out->nodes;
    c->cur.memo.scheduled = out->scheduled;
    c->cur.memo.has_placement = out->placement != NULL;
    if (out->placement) {
        HS_GROW(c->cur.memo.placement, c->cur.memo.cap_placement, in->n_pods);
        memcpy(c->cur.memo.placement, out->placement, in->n_pods * sizeof(*out->placement));
    }
}

#ifdef HS_UNITTEST_BUILD
uint64_t sim__estimate_memo_hits(const struct sim_snapshot *s)
{
    return s->est ? s->est->memo_hits : 0;
}
#endif

/* ---- one run of the estimator -------------------------------------------- */

struct est {
    struct sim_snapshot *s;
    const struct sim_estimate_input *in;
    struct sim_estimate *out;
    struct sim__est_cache *c;
    int32_t first_new;
    int32_t last; /* last opened node, -1 before the first */
    uint32_t opened;
    struct skip *cls_skip;           /* SKIP_CLASS */
    struct sim_estimate_progress pr; /* kept when in->stop asks for it */
};

static void place(struct est *e, uint32_t input_index, int32_t node)
{
    uint8_t *w = &e->c->with_pods[node - e->first_new];
    e->pr.nodes += !*w;
    *w = 1;
    e->out->scheduled++;
    if (e->out->placement)
        e->out->placement[input_index] = node - e->first_new;
}

/* Adds n placed pods of requests r to the progress sums. */
static void placed_sums(struct est *e, const struct model_resources *r, uint32_t n)
{
    e->pr.placed_cpu_milli += (int64_t)n * r->cpu_milli;
    e->pr.placed_memory += (int64_t)n * r->memory;
}

static void open_node(struct est *e)
{
    struct sim_snapshot *s = e->s;
    e->last = sim_snapshot_add_template_node(s, e->in->tmpl, sim__pool_name(s, e->opened), true);
    HS_BUG_ON(e->last < 0);
    HS_GROW(e->c->with_pods, e->c->cap_with, e->opened + 1);
    e->c->with_pods[e->opened++] = 0;
    for (size_t d = 0; d < e->in->n_ds; d++)
        sim_snapshot_add_pod(s, e->in->ds[d], e->last);
}

/* The plain algorithm for the pods sps[0..n) of one class (index: their
 * input indices): pod by pod, each first-fit over the new nodes, then the
 * last node and fresh ones. */
static void bucket_by_pod(struct est *e, const struct sim_pod *const *sps, const uint32_t *index,
                          uint32_t n)
{
    struct sim_snapshot *s = e->s;
    uint32_t i = 0;
    /* First the new nodes already opened, first fit. */
    for (; i < n && e->last >= 0; i++) {
        const struct sim_pod *p = sps[i];
        int32_t node = sim__find_fit(s, p, e->first_new, -1, false, true);
        if (node < 0)
            break;
        sim_snapshot_add_pod(s, p, node);
        place(e, index[i], node);
        placed_sums(e, &p->pod->requests, 1);
    }
    /* Then the last node, and fresh ones. */
    for (; i < n; i++) {
        const struct sim_pod *p = sps[i];
        int32_t node = e->last >= 0 ? sim__find_fit(s, p, e->last, e->last + 1, false, false) : -1;
        if (node < 0) {
            if (e->last >= 0 && !e->c->with_pods[e->last - e->first_new])
                break; /* a fresh node would stay empty as well */
            if (e->in->max_nodes && e->opened >= e->in->max_nodes)
                break;
            open_node(e);
            node = sim__find_fit(s, p, e->last, e->last + 1, false, false);
            if (node < 0) {
                HS_V(4, "estimate: pod %s/%s does not fit a new %s node", p->pod->ns, p->pod->name,
                     e->in->tmpl->name);
                break;
            }
        }
        sim_snapshot_add_pod(s, p, node);
        place(e, index[i], node);
        placed_sums(e, &p->pod->requests, 1);
    }
}

static void begin(struct est *e, struct sim_snapshot *s, const struct sim_estimate_input *in,
                  struct sim_estimate *out)
{
    e->s = s;
    e->in = in;
    e->out = out;
    if (!s->est)
        s->est = hs_calloc(1, sizeof(*s->est));
    e->c = s->est;
    e->first_new = (int32_t)s->n_nodes;
    e->last = -1;
    e->opened = 0;
    e->cls_skip = NULL;
    memset(&e->pr, 0, sizeof(e->pr));
}

static void finish(struct est *e)
{
    e->c->tree_used = e->opened;
    for (uint32_t k = 0; k < e->opened; k++)
        e->out->nodes += e->c->with_pods[k];
    sim_snapshot_revert(e->s);
    HS_V(4, "estimate: %u pods need %u new %s nodes (%zu pending)", e->out->scheduled,
         e->out->nodes, e->in->tmpl->name, e->in->n_pods);
}

#ifdef HS_UNITTEST_BUILD
struct group {
    double score;
    uint32_t first; /* index of the class's first pod in the input */
    uint32_t start, count;
};

static int group_cmp(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* The plain algorithm, pod by pod, with no cache and no skipping: the
 * specification sim_estimate is tested against. */
void sim__estimate_reference(struct sim_snapshot *s, const struct sim_estimate_input *in,
                             struct sim_estimate *out)
{
    out->nodes = 0;
    out->scheduled = 0;
    for (size_t i = 0; out->placement && i < in->n_pods; i++)
        out->placement[i] = -1;
    if (in->n_pods == 0)
        return;

    /* Bucket the pods by class, classes in order of first appearance. */
    size_t nc = s->n_classes;
    int32_t *gid = hs_malloc(nc * sizeof(*gid));
    memset(gid, 0xff, nc * sizeof(*gid));
    struct group *g = hs_malloc(in->n_pods * sizeof(*g));
    uint32_t ng = 0;
    for (size_t i = 0; i < in->n_pods; i++) {
        uint32_t c = in->pods[i]->cls->id;
        if (gid[c] < 0) {
            gid[c] = (int32_t)ng;
            g[ng++] = (struct group){ .score = sim_estimate_score(in->pods[i]->pod, in->tmpl),
                                      .first = (uint32_t)i };
        }
        g[gid[c]].count++;
    }
    uint32_t *order = hs_malloc(in->n_pods * sizeof(*order));
    uint32_t off = 0;
    for (uint32_t k = 0; k < ng; k++) {
        g[k].start = off;
        off += g[k].count;
        g[k].count = 0;
    }
    for (size_t i = 0; i < in->n_pods; i++) {
        struct group *gr = &g[gid[in->pods[i]->cls->id]];
        order[gr->start + gr->count++] = (uint32_t)i;
    }
    qsort(g, ng, sizeof(*g), group_cmp);

    sim_snapshot_fork(s);
    int32_t first_new = (int32_t)s->n_nodes;
    int32_t last = -1;
    uint32_t opened = 0;
    uint8_t *with_pods = NULL;
    size_t cap_with = 0;
    for (uint32_t k = 0; k < ng; k++) {
        uint32_t i = 0;
        /* First the new nodes already opened, first fit. */
        for (; i < g[k].count && last >= 0; i++) {
            uint32_t pi = order[g[k].start + i];
            const struct sim_pod *p = in->pods[pi];
            int32_t node = sim__find_fit(s, p, first_new, -1, false, true);
            if (node < 0)
                break;
            sim_snapshot_add_pod(s, p, node);
            with_pods[node - first_new] = 1;
            out->scheduled++;
            if (out->placement)
                out->placement[pi] = node - first_new;
        }
        /* Then the last node, and fresh ones. */
        for (; i < g[k].count; i++) {
            uint32_t pi = order[g[k].start + i];
            const struct sim_pod *p = in->pods[pi];
            int32_t node = last >= 0 ? sim__find_fit(s, p, last, last + 1, false, false) : -1;
            if (node < 0) {
                if (last >= 0 && !with_pods[last - first_new])
                    break; /* a fresh node would stay empty as well */
                if (in->max_nodes && opened >= in->max_nodes)
                    break;
                last = sim_snapshot_add_template_node(s, in->tmpl, sim__pool_name(s, opened), true);
                HS_BUG_ON(last < 0);
                HS_GROW(with_pods, cap_with, opened + 1);
                with_pods[opened++] = 0;
                for (size_t d = 0; d < in->n_ds; d++)
                    sim_snapshot_add_pod(s, in->ds[d], last);
                node = sim__find_fit(s, p, last, last + 1, false, false);
                if (node < 0)
                    break;
            }
            sim_snapshot_add_pod(s, p, node);
            with_pods[node - first_new] = 1;
            out->scheduled++;
            if (out->placement)
                out->placement[pi] = node - first_new;
        }
    }
    for (uint32_t k = 0; k < opened; k++)
        out->nodes += with_pods[k];
    sim_snapshot_revert(s);
    hs_free(with_pods);
    hs_free(order);
    hs_free(g);
    hs_free(gid);
}
#endif

/* ---- skip lists ------------------------------------------------------------ */

/* SKIP_CLASS: the nodes that refused the class being placed for spread or
 * affinity, emptied when it starts and whenever a restart says a node
 * before may accept again (see learn()). */
enum skip_kind { SKIP_LOCAL = 1, SKIP_ANTI, SKIP_HAVE, SKIP_CLASS };

static struct skip *skip_get(struct est *e, enum skip_kind kind, uint32_t id)
{
    struct sim__est_cache *c = e->c;
    uint64_t key = ((uint64_t)kind << 40) | id;
    int32_t i = sim__map_get(&c->skip_by_key, key);
    if (i < 0) {
        HS_GROW(c->skips, c->cap_skips, c->n_skips + 1);
        i = (int32_t)c->n_skips++;
        c->skips[i] = hs_calloc(1, sizeof(*c->skips[i]));
        sim__map_put(&c->skip_by_key, key, i);
    }
    return c->skips[i];
}

/* The first j >= i not skipped in k (i itself when i is past the opened
 * nodes). */
static uint32_t skip_find(struct est *e, struct skip *k, uint32_t i)
{
    if (k->len < e->opened) {
        if (k->cap < e->opened) {
            uint32_t ncap = k->cap ? k->cap : 64;
            while (ncap < e->opened)
                ncap *= 2;
            k->nxt = hs_reallocarray(k->nxt, ncap, sizeof(*k->nxt));
            k->cap = ncap;
        }
        for (; k->len < e->opened; k->len++)
            k->nxt[k->len] = (int32_t)k->len;
    }
    while (i < k->len && (uint32_t)k->nxt[i] != i) {
        uint32_t n = (uint32_t)k->nxt[i];
        if (n < k->len)
            k->nxt[i] = k->nxt[n];
        i = n;
    }
    return i;
}

static void skip_mark(struct est *e, struct skip *k, uint32_t i)
{
    skip_find(e, k, i);
    k->nxt[i] = (int32_t)i + 1;
    if (k->n_marked == k->cap_marked) {
        k->cap_marked = k->cap_marked ? 2 * k->cap_marked : 64;
        k->marked = hs_reallocarray(k->marked, k->cap_marked, sizeof(*k->marked));
    }
    k->marked[k->n_marked++] = i;
}

/* Skips nothing again, in time proportional to the entries marked (only a
 * marked entry's nxt ever changes). */
static void skip_clear(struct skip *k)
{
    for (uint32_t x = 0; x < k->n_marked; x++)
        if (k->marked[x] < k->len)
            k->nxt[k->marked[x]] = (int32_t)k->marked[x];
    k->n_marked = 0;
}

/* ---- free-resource max-tree over the new nodes ------------------------------ */

#define NEG_INF INT64_MIN

static struct rfree node_free(const struct sim_snapshot *s, int32_t node)
{
    const struct sim__node *nd = &s->nodes[node];
    const struct model_resources *a = &nd->n->allocatable;
    return (struct rfree){ .cpu = a->cpu_milli - nd->req_cpu,
                           .mem = a->memory - nd->req_mem,
                           .eph = a->ephemeral_storage - nd->req_eph,
                           .pods = a->pods - (int64_t)nd->n_pods };
}

static inline int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static inline int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static void tree_pull(struct rfree *t, uint32_t x)
{
    const struct rfree *l = &t[2 * x], *r = &t[2 * x + 1];
    t[x] = (struct rfree){ .cpu = max64(l->cpu, r->cpu),
                           .mem = max64(l->mem, r->mem),
                           .eph = max64(l->eph, r->eph),
                           .pods = max64(l->pods, r->pods) };
}

/* Sets the leaf of new node j from the snapshot. */
static void tree_set(struct est *e, uint32_t j)
{
    struct sim__est_cache *c = e->c;
    if (j >= c->tsize) {
        uint32_t n = c->tsize ? c->tsize : 64;
        while (n <= j)
            n *= 2;
        c->tree = hs_reallocarray(c->tree, 2 * (size_t)n, sizeof(*c->tree));
        c->tsize = n;
        for (uint32_t x = 0; x < 2 * n; x++)
            c->tree[x] = (struct rfree){ NEG_INF, NEG_INF, NEG_INF, NEG_INF };
        for (uint32_t k = 0; k < j && k < e->opened; k++)
            c->tree[n + k] = node_free(e->s, e->first_new + (int32_t)k);
        for (uint32_t x = n - 1; x >= 1; x--)
            tree_pull(c->tree, x);
    }
    uint32_t x = c->tsize + j;
    c->tree[x] = node_free(e->s, e->first_new + (int32_t)j);
    for (x /= 2; x >= 1; x /= 2) {
        struct rfree old = c->tree[x];
        tree_pull(c->tree, x);
        if (memcmp(&old, &c->tree[x], sizeof(old)) == 0)
            break; /* the maxima above do not change either */
    }
}

/* Empties the tree: the leaves the last run set (tree_used) and their
 * ancestors, level by level, rather than the whole array. */
static void tree_reset(struct est *e)
{
    struct sim__est_cache *c = e->c;
    const struct rfree none = { NEG_INF, NEG_INF, NEG_INF, NEG_INF };
    if (c->tree_used > c->tsize)
        c->tree_used = c->tsize;
    uint32_t lo = c->tsize, hi = c->tsize + c->tree_used; /* [lo, hi) on one level */
    while (lo < hi) {
        for (uint32_t x = lo; x < hi; x++)
            c->tree[x] = none;
        if (lo == 1)
            break;
        lo /= 2;
        hi = (hi - 1) / 2 + 1;
    }
    c->tree_used = 0;
}

static inline bool could_fit(const struct rfree *f, const struct need *q)
{
    return f->pods >= 1 && (q->cpu <= 0 || f->cpu >= q->cpu) && (q->mem <= 0 || f->mem >= q->mem) &&
           (q->eph <= 0 || f->eph >= q->eph);
}

/* The first new node j >= from whose free resources could take the pod, or
 * -1. A subtree's maxima may come from different nodes, so the walk down
 * can end on a leaf that does not fit: the search goes on after it. */
static int32_t tree_first(const struct sim__est_cache *c, uint32_t from, uint32_t limit,
                          const struct need *q)
{
    const struct rfree *t = c->tree;
    while (from < limit && from < c->tsize) {
        uint32_t x = c->tsize + from;
        if (could_fit(&t[x], q))
            return (int32_t)from;
        /* up to the first subtree to the right that could fit */
        for (;;) {
            while (x & 1) {
                x /= 2;
                if (x <= 1)
                    return -1;
            }
            x++;
            if (could_fit(&t[x], q))
                break;
        }
        /* down to its leftmost leaf that could fit, if the maxima agree */
        while (x < c->tsize) {
            x *= 2;
            if (!could_fit(&t[x], q))
                x++;
        }
        from = x - c->tsize;
        if (from < limit && could_fit(&t[x], q))
            return (int32_t)from;
        from++;
    }
    return -1;
}

/* ---- one class ---------------------------------------------------------------- */

static void class_info(struct est *e, struct cls *k, const struct sim_pod *sp)
{
    struct sim_snapshot *s = e->s;
    struct sim__class *c = sp->cls;
    sim__resolve_class(s, c);
    memset(k, 0, sizeof(*k));
    k->c = c;
    k->sp = sp;
    const struct model_resources *r = &c->rep->requests;
    k->need = (struct need){ r->cpu_milli, r->memory, r->ephemeral_storage };
    bool anti_self = false;
    for (uint32_t i = 0; i < c->n_anti; i++)
        if (sim__term_matches(s, &c->anti[i], c->rep->ns, &c->rep->labels))
            anti_self = true;
    for (uint32_t i = 0; i < c->n_spread; i++)
        if (c->spread[i].self)
            k->spread_self = true;
    k->per_pod = c->rep->n_host_ports > 0 || anti_self || k->spread_self;
    k->local = skip_get(e, SKIP_LOCAL, c->local);
    k->scalars = r->n_scalar > 0;
    k->node_same = !c->has_req_aff && c->n_pvs == 0 && c->n_zones == 0;
}

/* sim__fast_check of the class's pod on new node j (live: the estimator
 * removes no node), with cpu, memory, storage and pod slots read from j's
 * leaf of the max-tree (exact: tree_set follows every change of a new
 * node), or known to fit (res_known), and the node-object filters answered
 * once per estimate when every new node answers them alike. */
static enum sim_reason check(struct est *e, struct cls *k, uint32_t j, bool res_known)
{
    struct sim_snapshot *s = e->s;
    int32_t node = e->first_new + (int32_t)j;
    if (k->scalars)
        return sim__fast_check(s, k->sp, node);
    if (!res_known && !could_fit(&e->c->tree[e->c->tsize + j], &k->need))
        return SIM_R_RESOURCES;
    if (!k->node_same)
        return sim__check_fitting(s, k->sp, node, NULL);
    if (k->node_serial != e->c->serial) {
        k->node_r = sim__node_object_check(s, k->sp, s->nodes[node].n);
        k->node_serial = e->c->serial;
    }
    return sim__check_fitting(s, k->sp, node, &k->node_r);
}

/* How many more pods of the class node's resources take. */
static uint32_t res_room(const struct sim_snapshot *s, const struct sim__class *c, int32_t node,
                         uint32_t want)
{
    const struct sim__node *nd = &s->nodes[node];
    const struct model_resources *a = &nd->n->allocatable;
    const struct model_resources *r = &c->rep->requests;
    int64_t q = a->pods - (int64_t)nd->n_pods;
    if (r->cpu_milli > 0)
        q = min64(q, (a->cpu_milli - nd->req_cpu) / r->cpu_milli);
    if (r->memory > 0)
        q = min64(q, (a->memory - nd->req_mem) / r->memory);
    if (r->ephemeral_storage > 0)
        q = min64(q, (a->ephemeral_storage - nd->req_eph) / r->ephemeral_storage);
    for (uint32_t i = 0; i < r->n_scalar; i++) {
        int64_t w = r->scalar[i].value;
        if (w == 0)
            continue;
        int64_t alloc = 0, used = 0;
        for (uint32_t j = 0; j < a->n_scalar && j < nd->n_scalar; j++) {
            if (a->scalar[j].name == r->scalar[i].name) {
                alloc = a->scalar[j].value;
                used = nd->req_scalar[j];
                break;
            }
        }
        q = min64(q, (alloc - used) / w);
    }
    if (q < 1)
        return 1; /* the caller checked that one fits */
    return q < (int64_t)want ? (uint32_t)q : want;
}

#define MAX_WATCH 8

/* Binds sps[0..n) on node as one run, or as many of them as surely land
 * there in a row (at least one; the caller checked it fits). Sets *restart
 * when nodes before node may accept the class's next pod.
 *
 * Why only a spread minimum restarts: a node m before node rejected the pod
 * for resources, ports, a static filter, anti-affinity (ours or an existing
 * pod's) — all of which only get worse as pods are added — or for spread or
 * required affinity. Spread at m depends on its domain's count (which only
 * grows) and on the minimum over domains (which may rise). Affinity at m
 * failed either for a missing key (static) or for a domain of m without a
 * match; node accepting the pod means its own domains have matches or no
 * pod matches anywhere yet (then m was not rejected for affinity), so the
 * pods bound here never give m's empty domain a match. */
static uint32_t bind_run(struct est *e, const struct cls *k, const struct sim_pod *const *sps,
                         const uint32_t *index, uint32_t n, int32_t node, bool *restart)
{
    struct sim_snapshot *s = e->s;
    const struct sim__class *c = k->c;
    uint32_t q = k->per_pod ? 1 : res_room(s, c, node, n);
    /* A spread minimum the class's own pods raise lets earlier nodes in. */
    int32_t mins[MAX_WATCH];
    bool watch = k->spread_self && c->spread_fast && c->n_spread <= MAX_WATCH;
    for (uint32_t i = 0; watch && i < c->n_spread; i++)
        mins[i] = sim__counter_min(s, &s->ctrs[c->spread[i].ctr]);
    sim__add_run(s, sps, q, node);
    for (uint32_t i = 0; i < q; i++)
        place(e, index[i], node);
    placed_sums(e, &c->rep->requests, q);
    tree_set(e, (uint32_t)(node - e->first_new));
    *restart = k->spread_self && !watch; /* a minimum not watched may rise */
    for (uint32_t i = 0; watch && i < c->n_spread; i++)
        if (sim__counter_min(s, &s->ctrs[c->spread[i].ctr]) != mins[i])
            *restart = true;
    return q;
}

/* Records that new node j rejected the class for reason r (SIM_OK: none).
 * Returns false when no new node can take the class at all. */
static bool learn(struct est *e, const struct cls *k, uint32_t j, enum sim_reason r)
{
    struct sim_snapshot *s = e->s;
    const struct sim__class *c = k->c;
    int32_t node = e->first_new + (int32_t)j;
    if (sim__reason_is_local(r)) {
        skip_mark(e, k->local, j);
        return true;
    }
    bool per_node = false;
    switch (r) {
    case SIM_R_SPREAD_MISSING_LABEL:
        /* New nodes share the template's label keys. */
        return false;
    case SIM_R_SPREAD:
        /* The verdict reads the node's domain of each constraint's key,
         * and the minimum over domains. New nodes share every label value
         * but the hostname: with no constraint on the hostname, every new
         * node is refused alike. Otherwise this one is refused until a
         * minimum rises, which only the class's own pods can do while it
         * is placed (bind_run reports it as a restart). */
        for (uint32_t i = 0; i < c->n_spread; i++)
            per_node |= c->spread[i].c->topology_key == s->k_hostname;
        if (!per_node)
            return false;
        skip_mark(e, e->cls_skip, j);
        return true;
    case SIM_R_AFFINITY:
        /* A node refuses when a term's domain holds no match (and the
         * first-pod exception does not apply, which only gets less likely
         * as pods are added); the class's own pods only land where their
         * domains hold matches already, so the node keeps refusing while
         * the class is placed. Terms off the hostname: every new node
         * alike. */
        for (uint32_t i = 0; i < c->n_aff; i++) {
            if (s->topos[s->ctrs[c->aff_ctr[i]].topo].node_dom[node] < 0)
                return false;
            per_node |= c->aff[i].key == s->k_hostname;
        }
        if (!per_node)
            return false;
        skip_mark(e, e->cls_skip, j);
        return true;
    case SIM_R_ANTI_AFFINITY:
        for (uint32_t i = 0; i < c->n_anti; i++) {
            const struct sim__counter *ctr = &s->ctrs[c->anti_ctr[i]];
            int32_t d = s->topos[ctr->topo].node_dom[node];
            if (d >= 0 && ctr->dom_cnt[d] > 0) {
                skip_mark(e, skip_get(e, SKIP_ANTI, (uint32_t)c->anti_ctr[i]), j);
                break;
            }
        }
        return true;
    case SIM_R_EXISTING_ANTI:
        for (size_t h = 0; h < s->n_haves; h++) {
            const struct sim__counter *hc = &s->ctrs[s->haves[h]];
            int32_t d = s->topos[hc->topo].node_dom[node];
            if (hc->total <= 0 || d < 0 || hc->dom_cnt[d] <= 0)
                continue;
            if (!sim__term_matches(s, &hc->terms[0], c->rep->ns, &c->rep->labels))
                continue;
            bool known = false;
            for (uint32_t x = 0; x < e->c->n_have_skips && !known; x++)
                known = e->c->have_skips[x] == s->haves[h];
            if (!known) {
                HS_GROW(e->c->have_skips, e->c->cap_have_skips, e->c->n_have_skips + 1);
                e->c->have_skips[e->c->n_have_skips++] = s->haves[h];
            }
            skip_mark(e, skip_get(e, SKIP_HAVE, (uint32_t)s->haves[h]), j);
            break;
        }
        return true;
    default:
        return true;
    }
}

/* The first new node at or after from where the class's next pod fits, or
 * -1: what sim__find_fit over the new nodes answers, skipping nodes known
 * to reject the class. */
static int32_t find_first(struct est *e, struct cls *k, uint32_t from)
{
    struct sim_snapshot *s = e->s;
    const struct sim__class *c = k->c;
    uint32_t j = from;
    for (;;) {
        int32_t t = tree_first(e->c, j, e->opened, &k->need);
        if (t < 0)
            return -1;
        j = (uint32_t)t;
        uint32_t x = skip_find(e, k->local, j);
        if (x == j)
            x = skip_find(e, e->cls_skip, j);
        for (uint32_t i = 0; i < c->n_anti && x == j; i++) {
            int32_t si = sim__map_get(&e->c->skip_by_key,
                                      ((uint64_t)SKIP_ANTI << 40) | (uint32_t)c->anti_ctr[i]);
            if (si >= 0)
                x = skip_find(e, e->c->skips[si], j);
        }
        for (uint32_t h = 0; h < e->c->n_have_skips && x == j; h++) {
            const struct sim__counter *hc = &s->ctrs[e->c->have_skips[h]];
            if (!sim__term_matches(s, &hc->terms[0], c->rep->ns, &c->rep->labels))
                continue;
            x = skip_find(e, skip_get(e, SKIP_HAVE, (uint32_t)e->c->have_skips[h]), j);
        }
        if (x != j) {
            j = x;
            continue;
        }
        /* tree_first found j's free resources take the pod */
        enum sim_reason r = check(e, k, j, true);
        if (r == SIM_OK)
            return (int32_t)j;
        if (!learn(e, k, j, r))
            return -1;
        j++;
    }
}

/* Asks in->stop with the progress so far, counting the class's `untried`
 * pods not tried yet (k: the class, NULL when none); sets out->stopped. */
static bool ask_stop(struct est *e, const struct cls *k, uint32_t untried)
{
    struct sim_estimate_progress p = e->pr;
    p.scheduled = e->out->scheduled;
    if (k && untried) {
        const struct model_resources *r = &k->c->rep->requests;
        p.rest_pods += untried;
        p.rest_cpu_milli += (int64_t)untried * r->cpu_milli;
        p.rest_memory += (int64_t)untried * r->memory;
    }
    if (e->in->stop(e->in->stop_ctx, &p))
        e->out->stopped = true;
    return e->out->stopped;
}

/* One class of regular pods, as bucket_by_pod would place them. */
static void bucket_runs(struct est *e, struct bucket *b)
{
    const struct sim_pod *const *sps = e->c->cur.sorted + b->start;
    const uint32_t *index = e->c->cur.index + b->start;
    uint32_t n = b->count;
    if (!b->ready) {
        class_info(e, &b->info, sps[0]);
        b->ready = true;
    }
    struct cls *k = &b->info;
    uint32_t i = 0;
    /* First the new nodes already opened, first fit. */
    uint32_t from = 0;
    skip_clear(e->cls_skip);
    while (i < n && e->last >= 0) {
        int32_t j = find_first(e, k, from);
        if (j < 0)
            break;
        bool restart;
        i += bind_run(e, k, sps + i, index + i, n - i, e->first_new + j, &restart);
        from = restart ? 0 : (uint32_t)j;
        if (restart)
            skip_clear(e->cls_skip);
    }
    /* Then the last node, and fresh ones. */
    while (i < n) {
        bool fits =
            e->last >= 0 && check(e, k, (uint32_t)(e->last - e->first_new), false) == SIM_OK;
        if (!fits) {
            if (e->last >= 0 && !e->c->with_pods[e->last - e->first_new])
                break; /* a fresh node would stay empty as well */
            if (e->in->max_nodes && e->opened >= e->in->max_nodes)
                break;
            /* each node opened may settle the caller's bound */
            if (e->in->stop && e->opened && ask_stop(e, k, n - i))
                return;
            open_node(e);
            tree_set(e, e->opened - 1);
            if (check(e, k, e->opened - 1, false) != SIM_OK) {
                HS_V(4, "estimate: pod %s/%s does not fit a new %s node", sps[i]->pod->ns,
                     sps[i]->pod->name, e->in->tmpl->name);
                break;
            }
        }
        bool restart;
        i += bind_run(e, k, sps + i, index + i, n - i, e->last, &restart);
    }
}

#ifdef HS_UNITTEST_BUILD
bool sim__estimate_plain;
uint64_t sim__estimate_stops;
#endif

void sim_estimate(struct sim_snapshot *s, const struct sim_estimate_input *in,
                  struct sim_estimate *out)
{
#ifdef HS_UNITTEST_BUILD
    if (sim__estimate_plain) {
        sim__estimate_reference(s, in, out);
        return;
    }
#endif
    out->nodes = 0;
    out->scheduled = 0;
    out->stopped = false;
    for (size_t i = 0; out->placement && i < in->n_pods; i++)
        out->placement[i] = -1;
    if (in->n_pods == 0)
        return;
    struct est e;
    begin(&e, s, in, out);
    struct sim__est_cache *c = e.c;
    bucket_pods(s, c, in);
    if (memo_answer(s, c, in, out))
        return;
    const uint32_t *order = shape_order(c, in->tmpl);
    for (uint32_t i = 0; i < c->n_skips; i++) {
        c->skips[i]->len = 0;
        c->skips[i]->n_marked = 0;
    }
    c->n_have_skips = 0;
    c->serial++;
    e.cls_skip = skip_get(&e, SKIP_CLASS, 0);
    tree_reset(&e);
    if (in->stop) {
        e.pr.rest_pods = (uint32_t)in->n_pods;
        e.pr.rest_cpu_milli = c->cur.sum_cpu;
        e.pr.rest_memory = c->cur.sum_mem;
    }
    sim_snapshot_fork(s);
    if (in->stop)
        ask_stop(&e, NULL, 0); /* the caller may need nothing of this run */
    for (uint32_t k = 0; k < c->cur.nb && !out->stopped; k++) {
        struct bucket *b = &c->cur.b[order[k]];
        if (in->stop) {
            /* the class's pods are tried now */
            e.pr.rest_pods -= b->count;
            e.pr.rest_cpu_milli -= (int64_t)b->count * b->cpu;
            e.pr.rest_memory -= (int64_t)b->count * b->mem;
        }
        if (b->regular) {
            bucket_runs(&e, b);
        } else {
            bucket_by_pod(&e, c->cur.sorted + b->start, c->cur.index + b->start, b->count);
            for (uint32_t j = 0; j < e.opened; j++)
                tree_set(&e, j);
        }
        if (in->stop && !out->stopped)
            ask_stop(&e, NULL, 0);
    }
#ifdef HS_UNITTEST_BUILD
    sim__estimate_stops += out->stopped;
#endif
    finish(&e);
    if (!out->stopped)
        memo_keep(s, c, in, out);
}
