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
 * placement of every pod; the snapshot must come back unchanged.
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
    if (d->feat & F_SELECTOR)
        fx_label(f, &p->node_selector, "zone", d->zone);
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
    if (chance(r, 15))
        fx_taint(f, t->n, "dedicated", "x", MODEL_EFFECT_NO_SCHEDULE);
    if (chance(r, 20))
        fx_scalar(f, &t->n->allocatable, "nvidia.com/gpu", 1 + pick(r, 4));
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

static uint64_t compared, placed, reused;

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
    print_message("%llu estimates compared (%llu from a twin's answer), %llu pods placed\n",
                  (unsigned long long)compared, (unsigned long long)reused,
                  (unsigned long long)placed);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_workloads),
        cmocka_unit_test(test_karpenter_like),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
