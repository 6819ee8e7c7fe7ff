/*
 * sim_estimate against sim__estimate_reference, the plain pod-by-pod
 * algorithm it must agree with, on seeded random workloads: existing nodes
 * in zones (some tainted, some without a zone), existing pods that feed
 * affinity and spread counts or carry anti-affinity, and pending
 * deployments mixing resources-only pods, hostname and zone spread (with
 * minDomains and node inclusion policies), self and cross affinity,
 * anti-affinity, tolerations, host ports, node selectors, GPUs, terminating
 * pods and pods naming a node. Every template of a seed runs both ways and
 * must give the same node count, the same number scheduled and the same
 * placement of every pod; the snapshot must come back unchanged. Then the
 * generalised twins: templates in zones whose existing nodes mirror each
 * other, answered from one another's run, against the reference too.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include "base/rng.h"
#include "fixture.h"
#include "sim_int.h"
#include "simulator/estimator.h"

#define MAXP 160

static const char *zones[] = { "z-a", "z-b", "z-c" };
static const char *apps[] = { "web", "db", "cache", "batch", "api", "queue" };
static const char *marks[] = { "a", "b", "c" };

static uint32_t pick(struct hs_rng *r, uint32_t n)
{
    return (uint32_t)hs_rng_below(r, n);
}

static bool chance(struct hs_rng *r, uint32_t percent)
{
    return pick(r, 100) < percent;
}

/* Existing nodes and the pods bound to them. */
static void existing(struct fx *f, struct hs_rng *r)
{
    uint32_t n = pick(r, 7);
    for (uint32_t i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "old-%u", i);
        struct model_node *nd = fx_node(f, name, 2000 + 1000 * pick(r, 7),
                                        (4 + 2 * (int64_t)pick(r, 7)) * GI, 5 + pick(r, 25));
        if (chance(r, 80))
            fx_label(f, &nd->labels, "zone", zones[pick(r, 3)]);
        if (chance(r, 15))
            fx_taint(f, nd, "dedicated", "x", MODEL_EFFECT_NO_SCHEDULE);
        int32_t ni = sim_snapshot_add_node(f->s, nd);
        uint32_t np = pick(r, 5);
        for (uint32_t k = 0; k < np; k++) {
            struct model_pod *p = fx_pod(f, "d", "old", 100 * (1 + pick(r, 5)), 256 * MI);
            const char *app = apps[pick(r, 6)];
            fx_owner(f, p, "ReplicaSet", app, app);
            fx_label(f, &p->labels, "app", app);
            if (chance(r, 50))
                fx_label(f, &p->labels, "mark", marks[pick(r, 3)]);
            if (chance(r, 15))
                fx_aff(f, p, true, chance(r, 50) ? "kubernetes.io/hostname" : "zone", "app",
                       apps[pick(r, 6)]);
            fx_bind(f, p, ni);
        }
    }
}

struct deploy {
    const char *app;
    int64_t cpus[3], mems[3];
    uint32_t n_sizes;
    uint32_t feat;
    const char *spread_sel; /* value of mark the spread selects */
    int32_t skew, min_domains;
    const char *other; /* an app for cross terms */
    const char *zone;  /* node selector */
};

enum {
    F_HOST_SPREAD = 1 << 0,
    F_ZONE_SPREAD = 1 << 1,
    F_SPREAD_SLOW = 1 << 2,
    F_AFF_SELF = 1 << 3,
    F_AFF_OTHER = 1 << 4,
    F_ANTI_SELF = 1 << 5,
    F_ANTI_OTHER = 1 << 6,
    F_TOLERATE = 1 << 7,
    F_PORT = 1 << 8,
    F_SELECTOR = 1 << 9,
    F_GPU = 1 << 10,
    F_ANTI_ZONE = 1 << 11,
    F_AFF_HOST = 1 << 12,
};

static void deploy_pick(struct hs_rng *r, struct deploy *d, uint32_t i)
{
    memset(d, 0, sizeof(*d));
    d->app = apps[i % 6];
    d->n_sizes = 1 + pick(r, 3);
    for (uint32_t k = 0; k < d->n_sizes; k++) {
        static const int64_t cpus[] = { 0, 100, 250, 500, 1000, 1500, 2500 };
        static const int64_t mems[] = { 0, 128, 256, 512, 1024, 2048 };
        d->cpus[k] = cpus[pick(r, 7)];
        d->mems[k] = mems[pick(r, 6)] * MI;
    }
    /* About a third resources-only; otherwise one or two features. */
    static const uint32_t feats[] = { F_HOST_SPREAD, F_ZONE_SPREAD, F_AFF_SELF,  F_AFF_OTHER,
                                      F_ANTI_SELF,   F_ANTI_OTHER,  F_TOLERATE,  F_PORT,
                                      F_SELECTOR,    F_GPU,         F_ANTI_ZONE, F_AFF_HOST };
    if (!chance(r, 33)) {
        d->feat |= feats[pick(r, HS_ARRAY_LEN(feats))];
        if (chance(r, 40))
            d->feat |= feats[pick(r, HS_ARRAY_LEN(feats))];
    }
    if ((d->feat & (F_HOST_SPREAD | F_ZONE_SPREAD)) && chance(r, 25))
        d->feat |= F_SPREAD_SLOW;
    d->spread_sel = marks[pick(r, 3)];
    d->skew = 1 + (int32_t)pick(r, 2);
    d->min_domains = chance(r, 20) ? 2 + (int32_t)pick(r, 3) : 0;
    d->other = apps[pick(r, 6)];
    d->zone = zones[pick(r, 3)];
}

static struct model_pod *deploy_pod(struct fx *f, struct hs_rng *r, const struct deploy *d,
                                    uint32_t i)
{
    char name[32];
    snprintf(name, sizeof(name), "%s-%u", d->app, i);
    uint32_t sz = pick(r, d->n_sizes);
    struct model_pod *p = fx_pod(f, "d", name, d->cpus[sz], d->mems[sz]);
    fx_owner(f, p, "ReplicaSet", d->app, d->app);
    fx_label(f, &p->labels, "app", d->app);
    fx_label(f, &p->labels, "mark", marks[pick(r, 3)]);
    if (d->feat & (F_HOST_SPREAD | F_ZONE_SPREAD)) {
        if (d->feat & F_HOST_SPREAD) {
            struct model_spread *c =
                fx_spread(f, p, "kubernetes.io/hostname", d->skew, "mark", d->spread_sel);
            c->min_domains = d->min_domains;
        }
        if (d->feat & F_ZONE_SPREAD) {
            struct model_spread *c = fx_spread(f, p, "zone", d->skew, "mark", d->spread_sel);
            c->min_domains = d->min_domains;
            if (d->feat & F_SPREAD_SLOW)
                c->node_taints_policy = MODEL_POLICY_HONOR;
        }
    }
    if (d->feat & F_AFF_SELF)
        fx_aff(f, p, false, "zone", "app", d->app);
    if (d->feat & F_AFF_HOST)
        fx_aff(f, p, false, "kubernetes.io/hostname", "app", d->app);
    if (d->feat & F_AFF_OTHER)
        fx_aff(f, p, false, "zone", "app", d->other);
    if (d->feat & F_ANTI_SELF)
        fx_aff(f, p, true, "kubernetes.io/hostname", "app", d->app);
    if (d->feat & F_ANTI_ZONE)
        fx_aff(f, p, true, "zone", "app", d->app);
    if (d->feat & F_ANTI_OTHER)
        fx_aff(f, p, true, "kubernetes.io/hostname", "app", d->other);
    if (d->feat & F_TOLERATE)
        fx_tol(f, p, "dedicated", "x", false, MODEL_EFFECT_NO_SCHEDULE);
    if (d->feat & F_PORT)
        fx_port(f, p, 8080, MODEL_PROTO_TCP, NULL);
    if (d->feat & F_SELECTOR) {
        /* by zone (twins across zones must not be), or by a label every
         * template carries alike (twins across zones still are) */
        if (d->zone == zones[2])
            fx_label(f, &p->node_selector, "pool", "general");
        else
            fx_label(f, &p->node_selector, "zone", d->zone);
    }
    if (d->feat & F_GPU)
        fx_scalar(f, &p->requests, "nvidia.com/gpu", 1);
    if (chance(r, 3))
        p->deletion_ts = 1700000000;
    if (chance(r, 2))
        p->node_name = fx_s(f, chance(r, 50) ? "hoist-estimate-1" : "old-0");
    return p;
}

struct tmpl {
    struct model_node *n;
    const struct sim_pod *ds[2];
    size_t n_ds;
};

static void tmpl_pick(struct fx *f, struct hs_rng *r, struct tmpl *t, uint32_t i)
{
    char name[32];
    snprintf(name, sizeof(name), "tmpl-%u", i);
    t->n = fx_node(f, name, 1000 + 1000 * pick(r, 8), (2 + 2 * (int64_t)pick(r, 8)) * GI,
                   3 + pick(r, 20));
    if (chance(r, 85))
        fx_label(f, &t->n->labels, "zone", zones[pick(r, 3)]);
    fx_label(f, &t->n->labels, "pool", "general");
    if (chance(r, 15))
        fx_taint(f, t->n, "dedicated", "x", MODEL_EFFECT_NO_SCHEDULE);
    if (chance(r, 20))
        fx_scalar(f, &t->n->allocatable, "nvidia.com/gpu", 1 + pick(r, 4));
    /* an unschedulable template (no draw: the seeds' workloads stay as
     * they were): the node-object filters refuse every class alike */
    if (i == 3 && t->n->allocatable.pods % 4 == 0)
        t->n->unschedulable = true;
    t->n_ds = pick(r, 3);
    for (size_t k = 0; k < t->n_ds; k++) {
        struct model_pod *p = fx_pod(f, "kube-system", "ds", 50 + 50 * pick(r, 4), 64 * MI);
        fx_owner(f, p, "DaemonSet", "ds", "ds-uid");
        if (chance(r, 40)) {
            /* a DaemonSet pod that spread and anti-affinity terms count */
            p->ns = fx_s(f, "d");
            fx_label(f, &p->labels, "mark", marks[pick(r, 3)]);
            fx_label(f, &p->labels, "app", apps[pick(r, 6)]);
        }
        t->ds[k] = sim_pod_prepare(f->s, p);
    }
}

struct outcome {
    struct sim_estimate out;
    int32_t placement[MAXP];
};

static void run(struct fx *f, const struct sim_estimate_input *in, bool reference,
                struct outcome *o)
{
    size_t nodes = sim_snapshot_n_nodes(f->s);
    memset(o, 0, sizeof(*o));
    o->out.placement = o->placement;
    if (reference)
        sim__estimate_reference(f->s, in, &o->out);
    else
        sim_estimate(f->s, in, &o->out);
    assert_int_equal(sim_snapshot_n_nodes(f->s), nodes);
    assert_int_equal(sim_snapshot_depth(f->s), 0);
}

static void same(const struct outcome *a, const struct outcome *b, size_t n, uint64_t seed,
                 uint32_t t)
{
    if (a->out.nodes != b->out.nodes || a->out.scheduled != b->out.scheduled ||
        memcmp(a->placement, b->placement, n * sizeof(*a->placement)) != 0)
        print_message("seed %llu template %u differs\n", (unsigned long long)seed, t);
    assert_int_equal(a->out.nodes, b->out.nodes);
    assert_int_equal(a->out.scheduled, b->out.scheduled);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(a->placement[i], b->placement[i]);
}

static uint64_t compared, placed, reused, watched, stopped;

/* What a stop callback saw: every progress report, and when to say stop. */
struct watch {
    struct sim_estimate_progress seen[2 * MAXP + 2]; /* per class and per node opened */
    uint32_t n;
    uint32_t stop_at; /* say stop on this report (0-based) */
};

static bool watch_stop(void *ctx, const struct sim_estimate_progress *p)
{
    struct watch *w = ctx;
    assert_true(w->n < HS_ARRAY_LEN(w->seen));
    w->seen[w->n] = *p;
    return w->n++ == w->stop_at;
}

/* Every report bounds the finished answer o (of the pods in): at least as
 * many nodes, at most the pods placed plus those not tried, requests at
 * most the placed plus the rest; and the last report is the answer. */
static void check_progress(const struct watch *w, const struct sim_estimate_input *in,
                           const struct outcome *o)
{
    int64_t cpu = 0, mem = 0;
    for (size_t i = 0; i < in->n_pods; i++)
        if (o->placement[i] >= 0) {
            cpu += in->pods[i]->pod->requests.cpu_milli;
            mem += in->pods[i]->pod->requests.memory;
        }
    for (uint32_t k = 0; k < w->n; k++) {
        const struct sim_estimate_progress *p = &w->seen[k];
        assert_true(p->nodes <= o->out.nodes);
        assert_true(p->scheduled <= o->out.scheduled);
        assert_true(o->out.scheduled <= p->scheduled + p->rest_pods);
        assert_true(p->placed_cpu_milli <= cpu && cpu <= p->placed_cpu_milli + p->rest_cpu_milli);
        assert_true(p->placed_memory <= mem && mem <= p->placed_memory + p->rest_memory);
        if (k)
            assert_true(w->seen[k - 1].rest_pods >= p->rest_pods);
    }
    if (w->n) {
        const struct sim_estimate_progress *last = &w->seen[w->n - 1];
        assert_int_equal(last->rest_pods, 0);
        assert_int_equal(last->rest_cpu_milli, 0);
        assert_int_equal(last->rest_memory, 0);
        assert_int_equal(last->nodes, o->out.nodes);
        assert_int_equal(last->scheduled, o->out.scheduled);
        assert_int_equal(last->placed_cpu_milli, cpu);
        assert_int_equal(last->placed_memory, mem);
    }
}

#define MAXT 6

/* A copy of t's node with the zone label moved to another zone: a twin the
 * estimator may answer from t's run when nothing else tells zones apart. */
static struct model_node *twin_of(struct fx *f, struct hs_rng *r, const struct model_node *t,
                                  uint32_t i)
{
    struct model_node *n = HS_ARENA_NEW(&f->a, struct model_node);
    *n = *t;
    char name[32];
    snprintf(name, sizeof(name), "twin-%u", i);
    n->name = fx_s(f, name);
    n->labels.v = HS_ARENA_NEW_ARRAY(&f->a, struct model_label, t->labels.n);
    memcpy(n->labels.v, t->labels.v, t->labels.n * sizeof(*n->labels.v));
    fx_label(f, &n->labels, "kubernetes.io/hostname", name);
    if (model_labels_get(&n->labels, fx_s(f, "zone")))
        fx_label(f, &n->labels, "zone", zones[pick(r, 3)]);
    return n;
}

static void one_seed(uint64_t seed)
{
    struct hs_rng r;
    hs_rng_seed(&r, seed);
    struct fx f;
    fx_init(&f);
    existing(&f, &r);
    const struct sim_pod *pods[MAXP];
    size_t n = 0;
    uint32_t nd = 1 + pick(&r, 8);
    for (uint32_t i = 0; i < nd && n < MAXP; i++) {
        struct deploy d;
        deploy_pick(&r, &d, i);
        uint32_t cnt = 1 + pick(&r, 30);
        for (uint32_t k = 0; k < cnt && n < MAXP; k++)
            pods[n++] = sim_pod_prepare(f.s, deploy_pod(&f, &r, &d, k));
    }
    /* Shuffle, so that classes interleave in the input. */
    for (size_t i = n; i > 1; i--) {
        size_t j = pick(&r, (uint32_t)i);
        const struct sim_pod *x = pods[i - 1];
        pods[i - 1] = pods[j];
        pods[j] = x;
    }
    /* Templates; some are twins of the one before (another zone). */
    uint32_t nt = 2 + pick(&r, MAXT - 1);
    struct tmpl tms[MAXT];
    struct sim_estimate_input in[MAXT];
    static struct outcome ref[MAXT], fast;
    for (uint32_t t = 0; t < nt; t++) {
        static const uint32_t caps[] = { 0, 0, 1, 2, 3, 5, 8, 1000 };
        if (t > 0 && chance(&r, 50)) {
            tms[t] = tms[t - 1];
            tms[t].n = twin_of(&f, &r, tms[t - 1].n, t);
            in[t] = in[t - 1];
            in[t].tmpl = tms[t].n;
            continue;
        }
        tmpl_pick(&f, &r, &tms[t], t);
        in[t] = (struct sim_estimate_input){ .tmpl = tms[t].n,
                                             .ds = tms[t].ds,
                                             .n_ds = tms[t].n_ds,
                                             .pods = pods,
                                             .n_pods = n,
                                             .max_nodes = caps[pick(&r, HS_ARRAY_LEN(caps))] };
    }
    for (uint32_t t = 0; t < nt; t++)
        run(&f, &in[t], true, &ref[t]);
    /* Back to back, so that twins may reuse an answer; then again from the
     * cached buckets and orders. */
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t t = 0; t < nt; t++) {
            run(&f, &in[t], false, &fast);
            same(&ref[t], &fast, n, seed, t);
            compared++;
            placed += fast.out.scheduled;
        }
    }
    /* The progress a stop callback is told bounds the answer; a run stopped
     * half-way says so and leaves the snapshot (run() checks) and the
     * caches as they were: the next run is the reference's again. */
    for (uint32_t t = 0; t < nt; t++) {
        static struct watch w;
        struct sim_estimate_input wi = in[t];
        wi.stop = watch_stop;
        wi.stop_ctx = &w;
        /* stopped on an early report (an answer from a twin's run is
         * never stopped: it is whole already) */
        w.n = 0;
        w.stop_at = pick(&r, 6);
        run(&f, &wi, false, &fast);
        if (w.n > w.stop_at) {
            assert_true(fast.out.stopped);
            assert_int_equal(w.n, w.stop_at + 1);
            stopped++;
        } else {
            assert_false(fast.out.stopped);
            same(&ref[t], &fast, n, seed, t);
        }
        /* watched to the end */
        w.n = 0;
        w.stop_at = UINT32_MAX;
        run(&f, &wi, false, &fast);
        same(&ref[t], &fast, n, seed, t);
        assert_false(fast.out.stopped);
        check_progress(&w, &wi, &fast);
        watched += w.n;
    }
    if (n > 1) {
        /* Fewer pods through the same array: the cache must notice. */
        for (uint32_t t = 0; t < nt; t++) {
            struct sim_estimate_input less = in[t];
            less.n_pods = n - 1;
            struct outcome a;
            run(&f, &less, true, &a);
            run(&f, &less, false, &fast);
            same(&a, &fast, n - 1, seed, t);
        }
    }
    /* The runs left the snapshot as it was: the first answer again. */
    struct outcome last;
    run(&f, &in[0], true, &last);
    same(&ref[0], &last, n, seed, 0);
    reused += sim__estimate_memo_hits(f.s);
    fx_release(&f);
}

static void test_random_workloads(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 1500; seed++)
        one_seed(seed);
    print_message("%llu estimates compared (%llu from a twin's answer), %llu pods placed; "
                  "%llu progress reports checked, %llu runs stopped\n",
                  (unsigned long long)compared, (unsigned long long)reused,
                  (unsigned long long)placed, (unsigned long long)watched,
                  (unsigned long long)stopped);
    assert_true(watched > 1000 && stopped > 100);
}

/* The karpenter benchmark's five kinds at a small size, many templates. */
static void test_karpenter_like(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        struct hs_rng r;
        hs_rng_seed(&r, seed * 7919);
        struct fx f;
        fx_init(&f);
        const struct sim_pod *pods[MAXP];
        size_t n = MAXP;
        for (size_t i = 0; i < n; i++) {
            static const int64_t cpus[] = { 100, 250, 500, 1000, 1500 };
            static const int64_t mems[] = { 100, 256, 512, 1024, 2048, 4096 };
            static const char *owners[] = { "generic", "zone-spread", "host-spread",
                                            "zone-affinity", "host-anti" };
            int kind = (int)(i * 5 / n);
            struct model_pod *p =
                fx_pod(&f, "default", "p", cpus[pick(&r, 5)], mems[pick(&r, 6)] * MI);
            fx_owner(&f, p, "ReplicaSet", owners[kind], owners[kind]);
            const char *val = marks[pick(&r, 3)];
            switch (kind) {
            case 0:
                fx_label(&f, &p->labels, "my-label", val);
                break;
            case 1:
            case 2:
                fx_label(&f, &p->labels, "my-label", val);
                fx_spread(&f, p, kind == 1 ? "zone" : "kubernetes.io/hostname", 1, "my-label",
                          marks[pick(&r, 3)]);
                break;
            case 3:
                fx_label(&f, &p->labels, "my-affinity", val);
                fx_aff(&f, p, false, "zone", "my-affinity", val);
                break;
            default:
                fx_label(&f, &p->labels, "app", "nginx");
                fx_aff(&f, p, true, "kubernetes.io/hostname", "app", "nginx");
                break;
            }
            pods[i] = sim_pod_prepare(f.s, p);
        }
        struct model_node *tn[12];
        struct sim_estimate_input in[12];
        static struct outcome ref[12], fast;
        for (uint32_t t = 0; t < 12; t++) {
            char name[32];
            snprintf(name, sizeof(name), "t-%u", t);
            int64_t size = t / 3 + 1;
            tn[t] = fx_node(&f, name, size * 1000 - 100, 2 * size * GI - 10 * MI, 10 * size);
            fx_label(&f, &tn[t]->labels, "zone", zones[t % 3]);
            in[t] = (struct sim_estimate_input){
                .tmpl = tn[t], .pods = pods, .n_pods = n, .max_nodes = size % 2 ? 1000 : 20
            };
            run(&f, &in[t], true, &ref[t]);
        }
        uint64_t hits = sim__estimate_memo_hits(f.s);
        for (uint32_t t = 0; t < 12; t++) {
            run(&f, &in[t], false, &fast);
            same(&ref[t], &fast, n, seed, t);
        }
        /* The three zones of a size are twins: two of three answers reused. */
        assert_int_equal(sim__estimate_memo_hits(f.s) - hits, 8);
        fx_release(&f);
    }
}

/* One existing node of zone with pods like those of existing(), drawn from
 * r; called twice with the same draws for a mirrored pair. */
static void mirrored_node(struct fx *f, struct hs_rng *r, const char *zone, const char *name)
{
    struct model_node *nd = fx_node(f, name, 2000 + 1000 * pick(r, 7),
                                    (4 + 2 * (int64_t)pick(r, 7)) * GI, 5 + pick(r, 25));
    fx_label(f, &nd->labels, "zone", zone);
    if (chance(r, 15))
        fx_taint(f, nd, "dedicated", "x", MODEL_EFFECT_NO_SCHEDULE);
    int32_t ni = sim_snapshot_add_node(f->s, nd);
    uint32_t np = pick(r, 5);
    for (uint32_t k = 0; k < np; k++) {
        struct model_pod *p = fx_pod(f, "d", "old", 100 * (1 + pick(r, 5)), 256 * MI);
        const char *app = apps[pick(r, 6)];
        fx_owner(f, p, "ReplicaSet", app, app);
        fx_label(f, &p->labels, "app", app);
        fx_label(f, &p->labels, "mark", marks[pick(r, 3)]);
        if (chance(r, 15))
            fx_aff(f, p, true, chance(r, 50) ? "kubernetes.io/hostname" : "zone", "app",
                   apps[pick(r, 6)]);
        fx_bind(f, p, ni);
    }
}

static uint64_t sym_runs, sym_hits;

/* Generalised twins: existing nodes in zones z-a and z-b that mirror each
 * other (same shapes, same pods), others in z-c, pending pods of every
 * kind; the template in each zone, in a random order, with a template node
 * added and taken away between runs as the planner does. Every answer must
 * be the reference's; in a mirrored cluster whose pending pods read no
 * node label, z-b right after z-a must be answered from z-a's run. Some
 * seeds break the mirror with one more pod, or add pods that select a
 * zone or count it node by node: the answers must still be the
 * reference's. */
static void symmetric_seed(uint64_t seed)
{
    struct hs_rng r;
    hs_rng_seed(&r, seed * 104729);
    struct fx f;
    fx_init(&f);
    uint32_t n_pairs = pick(&r, 5);
    for (uint32_t i = 0; i < n_pairs; i++) {
        char name[32];
        uint64_t draw = hs_rng_next(&r);
        struct hs_rng m;
        hs_rng_seed(&m, draw);
        snprintf(name, sizeof(name), "old-a-%u", i);
        mirrored_node(&f, &m, zones[0], name);
        hs_rng_seed(&m, draw);
        snprintf(name, sizeof(name), "old-b-%u", i);
        mirrored_node(&f, &m, zones[1], name);
    }
    uint32_t n_c = pick(&r, 3);
    for (uint32_t i = 0; i < n_c; i++) {
        char name[32];
        snprintf(name, sizeof(name), "old-c-%u", i);
        mirrored_node(&f, &r, zones[2], name);
    }
    bool broken = chance(&r, 25);
    if (broken && n_pairs) {
        /* one more matching pod on one side only */
        struct model_pod *p = fx_pod(&f, "d", "odd", 100, 128 * MI);
        fx_owner(&f, p, "ReplicaSet", "web", "web");
        fx_label(&f, &p->labels, "app", "web");
        fx_label(&f, &p->labels, "mark", marks[pick(&r, 3)]);
        fx_bind(&f, p, sim_snapshot_find_node(f.s, fx_s(&f, "old-a-0")));
    }
    bool label_readers = chance(&r, 20);
    const struct sim_pod *pods[MAXP];
    size_t n = 0;
    uint32_t nd = 1 + pick(&r, 6);
    for (uint32_t i = 0; i < nd && n < MAXP; i++) {
        struct deploy d;
        deploy_pick(&r, &d, i);
        if (!label_readers) {
            /* a zone spread with another constraint is counted node by
             * node too (spread_slow) */
            d.feat &= ~(uint32_t)(F_SELECTOR | F_SPREAD_SLOW);
            if (d.feat & F_ZONE_SPREAD)
                d.feat &= ~(uint32_t)F_HOST_SPREAD;
        }
        uint32_t cnt = 1 + pick(&r, 25);
        for (uint32_t k = 0; k < cnt && n < MAXP; k++)
            pods[n++] = sim_pod_prepare(f.s, deploy_pod(&f, &r, &d, k));
    }
    struct tmpl base;
    tmpl_pick(&f, &r, &base, 0);
    base.n->labels.n = 0;
    fx_label(&f, &base.n->labels, "kubernetes.io/hostname", "tmpl-0");
    fx_label(&f, &base.n->labels, "zone", zones[0]);
    struct model_node *tn[3];
    for (uint32_t z = 0; z < 3; z++) {
        tn[z] = HS_ARENA_NEW(&f.a, struct model_node);
        *tn[z] = *base.n;
        tn[z]->labels.v = HS_ARENA_NEW_ARRAY(&f.a, struct model_label, base.n->labels.n);
        memcpy(tn[z]->labels.v, base.n->labels.v, base.n->labels.n * sizeof(struct model_label));
        fx_label(&f, &tn[z]->labels, "zone", zones[z]);
    }
    uint32_t order[3] = { 0, 1, 2 };
    if (chance(&r, 50)) {
        order[0] = 2; /* z-c first: then z-a, and z-b after it */
        order[1] = 0;
        order[2] = 1;
    }
    uint32_t max_nodes = chance(&r, 50) ? 0 : 1 + pick(&r, 6);
    for (uint32_t x = 0; x < 3; x++) {
        uint32_t z = order[x];
        struct sim_estimate_input in = { .tmpl = tn[z],
                                         .ds = base.ds,
                                         .n_ds = base.n_ds,
                                         .pods = pods,
                                         .n_pods = n,
                                         .max_nodes = max_nodes };
        static struct outcome ref, fast;
        run(&f, &in, true, &ref);
        /* what the planner does between two groups' estimates */
        sim_snapshot_fork(f.s);
        sim_snapshot_add_template_node(f.s, tn[z], fx_s(&f, "template-node"), true);
        sim_snapshot_revert(f.s);
        uint64_t hits = sim__estimate_memo_hits(f.s);
        run(&f, &in, false, &fast);
        same(&ref, &fast, n, seed, z);
        sym_runs++;
        bool hit = sim__estimate_memo_hits(f.s) != hits;
        sym_hits += hit;
        if (z == 1 && x > 0 && order[x - 1] == 0 && !broken && !label_readers) {
            if (!hit)
                print_message("seed %llu: z-b not answered from z-a\n", (unsigned long long)seed);
            assert_true(hit);
        }
    }
    fx_release(&f);
}

static void test_symmetric_domains(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 600; seed++)
        symmetric_seed(seed);
    print_message("%llu estimates in mirrored zones, %llu answered from a twin's run\n",
                  (unsigned long long)sym_runs, (unsigned long long)sym_hits);
    assert_true(sym_hits > sym_runs / 5);
}

/* A change that stays (a pod bound outside any fork) ends the reuse: the
 * same template, estimated again, is computed, not answered. */
static void test_memo_follows_changes(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *old = fx_node(&f, "old", 4000, 8 * GI, 20);
    fx_label(&f, &old->labels, "zone", "z-a");
    int32_t oi = sim_snapshot_add_node(f.s, old);
    const struct sim_pod *pods[8];
    for (size_t i = 0; i < 8; i++) {
        struct model_pod *p = fx_pod(&f, "d", "p", 500, 512 * MI);
        fx_owner(&f, p, "ReplicaSet", "web", "web");
        fx_label(&f, &p->labels, "app", "web");
        fx_spread(&f, p, "zone", 1, "app", "web");
        pods[i] = sim_pod_prepare(f.s, p);
    }
    struct model_node *ta = fx_node(&f, "ta", 2000, 4 * GI, 10);
    fx_label(&f, &ta->labels, "zone", "z-b");
    struct model_node *tb = fx_node(&f, "tb", 2000, 4 * GI, 10);
    fx_label(&f, &tb->labels, "zone", "z-c");
    struct sim_estimate_input in = { .tmpl = ta, .pods = pods, .n_pods = 8 };
    static struct outcome ref, fast;
    run(&f, &in, false, &fast);
    /* z-b and z-c are both empty: alike */
    in.tmpl = tb;
    uint64_t hits = sim__estimate_memo_hits(f.s);
    run(&f, &in, false, &fast);
    run(&f, &in, true, &ref);
    same(&ref, &fast, 8, 0, 1);
    assert_int_equal(sim__estimate_memo_hits(f.s), hits + 1);
    /* a web pod in z-a stays: z-b and z-c are still alike to each other */
    struct model_pod *p = fx_pod(&f, "d", "bound", 100, 128 * MI);
    fx_owner(&f, p, "ReplicaSet", "web", "web");
    fx_label(&f, &p->labels, "app", "web");
    fx_bind(&f, p, oi);
    run(&f, &in, false, &fast);
    run(&f, &in, true, &ref);
    same(&ref, &fast, 8, 0, 2);
    assert_int_equal(sim__estimate_memo_hits(f.s), hits + 1);
    /* a web pod in z-b: z-b and z-c differ now */
    struct model_node *nb = fx_node(&f, "nb", 4000, 8 * GI, 20);
    fx_label(&f, &nb->labels, "zone", "z-b");
    int32_t bi = sim_snapshot_add_node(f.s, nb);
    struct model_pod *q = fx_pod(&f, "d", "bound-b", 100, 128 * MI);
    fx_owner(&f, q, "ReplicaSet", "web", "web");
    fx_label(&f, &q->labels, "app", "web");
    fx_bind(&f, q, bi);
    in.tmpl = ta;
    run(&f, &in, false, &fast);
    in.tmpl = tb;
    run(&f, &in, false, &fast);
    run(&f, &in, true, &ref);
    same(&ref, &fast, 8, 0, 3);
    assert_int_equal(sim__estimate_memo_hits(f.s), hits + 1);
    fx_release(&f);
}

/* Counters can agree while a spread that honours taints does not: z-a's
 * web pod is on a tainted node the pending pods do not tolerate, z-b's on
 * a plain one, so each zone's counter holds one pod, but the spread counts
 * only z-b (one pod). New nodes of z-a take two pods (0+1-0, then 1+1-1
 * against z-b's one; then 2+1-1 > 1); new nodes of z-b take all four (z-b
 * is the only domain: its count minus the minimum is 0). No twins. */
static void test_slow_spread_not_twins(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    for (int z = 0; z < 2; z++) {
        struct model_node *n = fx_node(&f, z ? "old-b" : "old-a", 4000, 8 * GI, 20);
        fx_label(&f, &n->labels, "zone", zones[z]);
        if (!z)
            fx_taint(&f, n, "dedicated", "x", MODEL_EFFECT_NO_SCHEDULE);
        int32_t ni = sim_snapshot_add_node(f.s, n);
        struct model_pod *p = fx_pod(&f, "d", "old", 100, 128 * MI);
        fx_owner(&f, p, "ReplicaSet", "old", "old");
        fx_label(&f, &p->labels, "app", "web");
        fx_bind(&f, p, ni);
    }
    const struct sim_pod *pods[4];
    for (size_t i = 0; i < 4; i++) {
        struct model_pod *p = fx_pod(&f, "d", "p", 500, 512 * MI);
        fx_owner(&f, p, "ReplicaSet", "web", "web");
        fx_label(&f, &p->labels, "app", "web");
        struct model_spread *c = fx_spread(&f, p, "zone", 1, "app", "web");
        c->node_taints_policy = MODEL_POLICY_HONOR;
        pods[i] = sim_pod_prepare(f.s, p);
    }
    static struct outcome ref, fast;
    const uint32_t want[2] = { 2, 4 };
    for (int z = 0; z < 2; z++) {
        struct model_node *t = fx_node(&f, "t", 8000, 16 * GI, 20);
        fx_label(&f, &t->labels, "zone", zones[z]);
        struct sim_estimate_input in = { .tmpl = t, .pods = pods, .n_pods = 4 };
        run(&f, &in, true, &ref);
        run(&f, &in, false, &fast);
        same(&ref, &fast, 4, 0, (uint32_t)z);
        assert_int_equal(fast.out.scheduled, want[z]);
    }
    assert_int_equal(sim__estimate_memo_hits(f.s), 0);
    fx_release(&f);
}

/* The planner alternates between pod arrays (the pods one zone's template
 * takes, then another's): the estimator keeps a few sets of buckets. Seven
 * subsets of one workload, each a slice of the same array or a copy, taken
 * in a scrambled order with two templates, more sets than are kept: every
 * answer must still be the reference's. */
static void test_alternating_pod_sets(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        struct hs_rng r;
        hs_rng_seed(&r, seed * 7393);
        struct fx f;
        fx_init(&f);
        existing(&f, &r);
        const struct sim_pod *pods[MAXP];
        size_t n = 0;
        uint32_t nd = 2 + pick(&r, 6);
        for (uint32_t i = 0; i < nd && n < MAXP; i++) {
            struct deploy d;
            deploy_pick(&r, &d, i);
            uint32_t cnt = 1 + pick(&r, 20);
            for (uint32_t k = 0; k < cnt && n < MAXP; k++)
                pods[n++] = sim_pod_prepare(f.s, deploy_pod(&f, &r, &d, k));
        }
        static const struct sim_pod *sets[7][MAXP];
        size_t n_set[7];
        for (uint32_t k = 0; k < 7; k++) {
            /* every pod but those of one class in seven */
            n_set[k] = 0;
            for (size_t i = 0; i < n; i++)
                if (k == 0 || sim_pod_class(pods[i]) % 7 != k)
                    sets[k][n_set[k]++] = pods[i];
        }
        struct tmpl tms[2];
        tmpl_pick(&f, &r, &tms[0], 0);
        tmpl_pick(&f, &r, &tms[1], 1);
        for (uint32_t step = 0; step < 40; step++) {
            uint32_t k = pick(&r, 7), t = pick(&r, 2);
            struct sim_estimate_input in = { .tmpl = tms[t].n,
                                             .ds = tms[t].ds,
                                             .n_ds = tms[t].n_ds,
                                             .pods = sets[k],
                                             .n_pods = n_set[k],
                                             .max_nodes = pick(&r, 2) ? 0 : 4 };
            static struct outcome ref, fast;
            run(&f, &in, true, &ref);
            run(&f, &in, false, &fast);
            same(&ref, &fast, n_set[k], seed, step);
            if (step % 9 == 8) {
                /* the same contents through another array */
                static const struct sim_pod *copy[MAXP];
                memcpy(copy, sets[k], n_set[k] * sizeof(*copy));
                in.pods = copy;
                run(&f, &in, false, &fast);
                same(&ref, &fast, n_set[k], seed, step);
            }
        }
        fx_release(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_workloads),      cmocka_unit_test(test_karpenter_like),
        cmocka_unit_test(test_symmetric_domains),     cmocka_unit_test(test_memo_follows_changes),
        cmocka_unit_test(test_slow_spread_not_twins), cmocka_unit_test(test_alternating_pod_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
