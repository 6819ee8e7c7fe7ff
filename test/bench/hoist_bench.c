/*
 * hoist-bench: the simulator's benchmark workloads, printing one JSON object
 * per run ({"workload", "pods", "groups", "nodes", "seconds": {phase: s},
 * "peak_rss_mib"}).
 *
 *   hoist-bench karpenter --pods N     Karpenter's scheduling benchmark pods
 *       against 400 instance types x 3 zones (1,200 single-AZ groups); phase
 *       "estimate" runs the estimator for every group over all N pods.
 *   hoist-bench cluster --nodes 5000 --pods-per-node 30 --pending 1000
 *       phases "snapshot" (build), "filter" (pending pods first-fit on the
 *       existing nodes), "drain" (drain simulation of every node).
 *   hoist-bench {karpenter,cluster} ... --plan   the whole planner (bench_plan.c)
 *   hoist-bench decode|aws|kube-cache ...   the workloads of lib/kube and
 *       lib/aws, which live in programs of their own beside this one
 *       (hoist-bench-decode, -aws, -kube-cache: they link modules this
 *       program does not); hoist-bench runs them with the same arguments.
 *
 * Times are the process's CPU time (CLOCK_PROCESS_CPUTIME_ID): the program
 * is single-threaded, and CPU time stays honest on a machine shared with
 * other work. A measuring program, not a test: it never asserts timings. Workloads are
 * generated from a fixed seed, so runs are repeatable.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/intern.h"
#include "base/rng.h"
#include "model/model.h"
#include "simulator/drain.h"
#include "simulator/estimator.h"
#include "simulator/filter.h"
#include "simulator/snapshot.h"

#define GIB (1024LL * 1024 * 1024)
#define MIB (1024LL * 1024)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

struct gen {
    struct hs_intern *t;
    struct hs_arena a;
    struct hs_rng rng;
};

static const char *I(struct gen *g, const char *s)
{
    return hs_intern_cstr(g->t, s);
}

/* Labels from pairs, sorted by key (keys given in order by the callers). */
static struct model_labels labels(struct gen *g, int n, const char *const *kv)
{
    struct model_labels l = { .n = (uint32_t)n };
    l.v = HS_ARENA_NEW_ARRAY(&g->a, struct model_label, (size_t)n);
    for (int i = 0; i < n; i++)
        l.v[i] = (struct model_label){ I(g, kv[2 * i]), I(g, kv[2 * i + 1]) };
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(l.v[j - 1].key, l.v[j].key) > 0; j--) {
            struct model_label x = l.v[j];
            l.v[j] = l.v[j - 1];
            l.v[j - 1] = x;
        }
    return l;
}

static struct model_label_selector selector(struct gen *g, const char *k, const char *v)
{
    struct model_label_selector s = { .present = true, .n = 1 };
    s.req = HS_ARENA_NEW(&g->a, struct model_requirement);
    s.req->key = I(g, k);
    s.req->op = MODEL_OP_IN;
    s.req->n_values = 1;
    s.req->values = HS_ARENA_NEW(&g->a, const char *);
    s.req->values[0] = I(g, v);
    return s;
}

static void owner(struct gen *g, struct model_pod *p, const char *kind, const char *name)
{
    p->n_owners = 1;
    p->owners = HS_ARENA_NEW(&g->a, struct model_owner_ref);
    p->owners->kind = I(g, kind);
    p->owners->name = name;
    p->owners->uid = name;
    p->owners->controller = true;
}

/* ---- karpenter ------------------------------------------------------------ */

static const char *label_values[] = { "a", "b", "c", "d", "e", "f", "g" };

static struct model_pod *karpenter_pod(struct gen *g, int kind, int i)
{
    static const int64_t cpus[] = { 100, 250, 500, 1000, 1500 };
    static const int64_t mems[] = { 100, 256, 512, 1024, 2048, 4096 };
    static const char *owners[] = { "generic", "zone-spread", "host-spread", "zone-affinity",
                                    "host-anti" };
    struct model_pod *p = HS_ARENA_NEW(&g->a, struct model_pod);
    char name[32];
    snprintf(name, sizeof(name), "p-%d", i);
    p->ns = I(g, "default");
    p->name = hs_arena_strndup(&g->a, name, strlen(name));
    p->phase = MODEL_PHASE_PENDING;
    owner(g, p, "ReplicaSet", owners[kind]);
    const char *val = label_values[hs_rng_below(&g->rng, 7)];
    switch (kind) {
    case 0:
        p->labels = labels(g, 1, (const char *[]){ "my-label", val });
        break;
    case 1:
    case 2: {
        p->labels = labels(g, 1, (const char *[]){ "my-label", val });
        p->n_spreads = 1;
        p->spreads = HS_ARENA_NEW(&g->a, struct model_spread);
        p->spreads->max_skew = 1;
        p->spreads->do_not_schedule = true;
        p->spreads->topology_key =
            I(g, kind == 1 ? "topology.kubernetes.io/zone" : "kubernetes.io/hostname");
        p->spreads->selector = selector(g, "my-label", label_values[hs_rng_below(&g->rng, 7)]);
        break;
    }
    case 3:
        p->labels = labels(g, 1, (const char *[]){ "my-affinity", val });
        p->affinity = HS_ARENA_NEW(&g->a, struct model_pod_affinity);
        p->affinity->n_required = 1;
        p->affinity->required = HS_ARENA_NEW(&g->a, struct model_pod_affinity_term);
        p->affinity->required->selector = selector(g, "my-affinity", val);
        p->affinity->required->topology_key = I(g, "topology.kubernetes.io/zone");
        break;
    default:
        p->labels = labels(g, 1, (const char *[]){ "app", "nginx" });
        p->anti_affinity = HS_ARENA_NEW(&g->a, struct model_pod_affinity);
        p->anti_affinity->n_required = 1;
        p->anti_affinity->required = HS_ARENA_NEW(&g->a, struct model_pod_affinity_term);
        p->anti_affinity->required->selector = selector(g, "app", "nginx");
        p->anti_affinity->required->topology_key = I(g, "kubernetes.io/hostname");
        break;
    }
    p->requests.cpu_milli = cpus[hs_rng_below(&g->rng, 5)];
    p->requests.memory = mems[hs_rng_below(&g->rng, 6)] * MIB;
    return p;
}

static int run_karpenter(int n_pods, int n_types)
{
    struct gen g;
    g.t = hs_intern_new();
    hs_arena_init(&g.a, 1 << 20);
    hs_rng_seed(&g.rng, 42);
    size_t n_groups = (size_t)n_types * 3;
    struct model_node **tmpl = hs_malloc(n_groups * sizeof(*tmpl));
    for (int i = 0; i < n_types; i++) {
        for (int z = 0; z < 3; z++) {
            struct model_node *n = HS_ARENA_NEW(&g.a, struct model_node);
            char name[64], zone[32], type[32];
            snprintf(name, sizeof(name), "template-%d-%d", i, z);
            snprintf(zone, sizeof(zone), "test-zone-%d", z + 1);
            snprintf(type, sizeof(type), "fake-it-%d", i);
            n->name = I(&g, name);
            n->labels = labels(&g, 3,
                               (const char *[]){ "kubernetes.io/hostname", name,
                                                 "node.kubernetes.io/instance-type", type,
                                                 "topology.kubernetes.io/zone", zone });
            n->allocatable.cpu_milli = (i + 1) * 1000 - 100;
            n->allocatable.memory = 2LL * (i + 1) * GIB - 10 * MIB;
            n->allocatable.ephemeral_storage = 100 * GIB;
            n->allocatable.pods = 10LL * (i + 1);
            n->capacity = n->allocatable;
            tmpl[(size_t)i * 3 + (size_t)z] = n;
        }
    }
    struct sim_snapshot *s = sim_snapshot_new(g.t, NULL);
    const struct sim_pod **pods = hs_malloc((size_t)n_pods * sizeof(*pods));
    for (int i = 0; i < n_pods; i++)
        pods[i] = sim_pod_prepare(s, karpenter_pod(&g, i * 5 / n_pods, i));
    int32_t *placement = hs_malloc((size_t)n_pods * sizeof(*placement));
    double t0 = now_s();
    uint32_t best = UINT32_MAX;
    for (size_t k = 0; k < n_groups; k++) {
        struct sim_estimate_input in = {
            .tmpl = tmpl[k], .pods = pods, .n_pods = (size_t)n_pods, .max_nodes = 1000
        };
        struct sim_estimate out = { .placement = placement };
        sim_estimate(s, &in, &out);
        if (out.scheduled > 0 && out.nodes < best)
            best = out.nodes;
    }
    double t1 = now_s();
    printf("{\"workload\": \"karpenter\", \"pods\": %d, \"groups\": %zu, \"nodes\": %u, "
           "\"seconds\": {\"estimate\": %.4f}, \"peak_rss_mib\": %.1f}\n",
           n_pods, n_groups, best == UINT32_MAX ? 0 : best, t1 - t0, peak_rss_mib());
    hs_free(placement);
    hs_free(pods);
    sim_snapshot_free(&s);
    hs_free(tmpl);
    hs_arena_release(&g.a);
    hs_intern_free(&g.t);
    return 0;
}

/* ---- cluster -------------------------------------------------------------- */

static int run_cluster(int n_nodes, int per_node, int n_pending)
{
    struct gen g;
    g.t = hs_intern_new();
    hs_arena_init(&g.a, 1 << 20);
    hs_rng_seed(&g.rng, 7);
    struct model_cluster *c = model_cluster_new(g.t);
    static const char *zones[] = { "us-east-1a", "us-east-1b", "us-east-1c" };
    for (int i = 0; i < n_nodes; i++) {
        struct model_node *n = HS_ARENA_NEW(&g.a, struct model_node);
        char name[64];
        snprintf(name, sizeof(name), "ip-10-%d-%d-%d.ec2.internal", i / 65536, (i / 256) % 256,
                 i % 256);
        n->name = I(&g, name);
        n->labels = labels(&g, 4,
                           (const char *[]){ "kubernetes.io/hostname", name,
                                             "node.kubernetes.io/instance-type", "m5.4xlarge",
                                             "topology.kubernetes.io/zone", zones[i % 3],
                                             "eks.amazonaws.com/nodegroup", "general" });
        n->allocatable.cpu_milli = 15890;
        n->allocatable.memory = 57 * GIB;
        n->allocatable.ephemeral_storage = 100 * GIB;
        n->allocatable.pods = 110;
        n->capacity = n->allocatable;
        n->ready = MODEL_COND_TRUE;
        model_cluster_add_node(c, n);
    }
    /* Deployments of 300 pods; one in ten spreads over zones, one in twenty
     * keeps replicas apart per host. A DaemonSet pod on every node. */
    int n_deploy = n_nodes * (per_node - 1) / 300 + 1;
    struct model_pod **tmpl = hs_malloc((size_t)n_deploy * sizeof(*tmpl));
    for (int d = 0; d < n_deploy; d++) {
        struct model_pod *p = HS_ARENA_NEW(&g.a, struct model_pod);
        char app[32];
        snprintf(app, sizeof(app), "app-%d", d);
        p->ns = I(&g, d % 7 == 0 ? "payments" : "default");
        const char *appi = I(&g, app);
        p->labels = labels(&g, 2, (const char *[]){ "app", app, "pod-template-hash", "5d8f9c" });
        owner(&g, p, "ReplicaSet", appi);
        p->requests.cpu_milli = 100 + 50 * (int64_t)hs_rng_below(&g.rng, 8);
        p->requests.memory = (256 + 128 * (int64_t)hs_rng_below(&g.rng, 8)) * MIB;
        p->phase = MODEL_PHASE_RUNNING;
        if (d % 10 == 0) {
            p->n_spreads = 1;
            p->spreads = HS_ARENA_NEW(&g.a, struct model_spread);
            p->spreads->max_skew = 1;
            p->spreads->do_not_schedule = true;
            p->spreads->topology_key = I(&g, "topology.kubernetes.io/zone");
            p->spreads->selector = selector(&g, "app", app);
        } else if (d % 20 == 5) {
            p->anti_affinity = HS_ARENA_NEW(&g.a, struct model_pod_affinity);
            p->anti_affinity->n_required = 1;
            p->anti_affinity->required = HS_ARENA_NEW(&g.a, struct model_pod_affinity_term);
            p->anti_affinity->required->selector = selector(&g, "app", app);
            p->anti_affinity->required->topology_key = I(&g, "kubernetes.io/hostname");
        }
        tmpl[d] = p;
    }
    struct model_pod ds = { 0 };
    ds.ns = I(&g, "kube-system");
    ds.labels = labels(&g, 1, (const char *[]){ "k8s-app", "aws-node" });
    owner(&g, &ds, "DaemonSet", "aws-node");
    ds.requests.cpu_milli = 50;
    ds.requests.memory = 64 * MIB;
    ds.phase = MODEL_PHASE_RUNNING;
    int next = 0;
    for (int i = 0; i < n_nodes; i++) {
        struct model_pod *p = HS_ARENA_NEW(&g.a, struct model_pod);
        *p = ds;
        p->name = "aws-node";
        p->node_name = c->nodes[i]->name;
        model_cluster_add_pod(c, p);
        for (int k = 1; k < per_node; k++) {
            /* replica r of deployment d lands on node (d + r * 7) spread */
            struct model_pod *q = HS_ARENA_NEW(&g.a, struct model_pod);
            *q = *tmpl[next % n_deploy];
            next++;
            q->name = "replica";
            q->node_name = c->nodes[i]->name;
            model_cluster_add_pod(c, q);
        }
    }
    /* Pending: 20 deployments; one in four asks for more than a node has. */
    struct model_pod **pending = hs_malloc((size_t)n_pending * sizeof(*pending));
    for (int i = 0; i < n_pending; i++) {
        int d = i % 20;
        struct model_pod *p = HS_ARENA_NEW(&g.a, struct model_pod);
        *p = *tmpl[d % n_deploy];
        char app[32];
        snprintf(app, sizeof(app), "pending-%d", d);
        p->labels = labels(&g, 1, (const char *[]){ "app", app });
        owner(&g, p, "ReplicaSet", I(&g, app));
        p->requests.cpu_milli = d % 4 == 3 ? 20000 : 500 + 100 * d;
        p->requests.memory = GIB;
        p->phase = MODEL_PHASE_PENDING;
        p->node_name = NULL;
        p->name = "pending";
        pending[i] = p;
    }

    double t0 = now_s();
    struct sim_snapshot *s = sim_snapshot_new(g.t, NULL);
    struct hs_err err = { 0 };
    if (sim_snapshot_build(s, c, &err) != HS_OK) {
        fprintf(stderr, "hoist-bench: %s\n", err.msg);
        return 1;
    }
    double t1 = now_s();
    sim_snapshot_fork(s);
    int fit = 0;
    for (int i = 0; i < n_pending; i++) {
        const struct sim_pod *sp = sim_pod_prepare(s, pending[i]);
        int32_t node = sim_find_fit(s, sp, 0, -1, false);
        if (node >= 0) {
            sim_snapshot_add_pod(s, sp, node);
            fit++;
        }
    }
    sim_snapshot_revert(s);
    double t2 = now_s();
    struct sim_drain_options o;
    sim_drain_options_init(&o);
    struct sim_drainer *dr = sim_drainer_new(s, &o, NULL);
    sim_snapshot_fork(s);
    int removable = 0;
    for (int i = 0; i < n_nodes; i++) {
        struct sim_drain_result r;
        if (sim_drain_node(dr, i, &r) == SIM_DRAIN_OK)
            removable++;
    }
    sim_snapshot_revert(s);
    double t3 = now_s();
    printf("{\"workload\": \"cluster\", \"pods\": %zu, \"groups\": 0, \"nodes\": %d, "
           "\"seconds\": {\"snapshot\": %.4f, \"filter\": %.4f, \"drain\": %.4f}, "
           "\"peak_rss_mib\": %.1f}\n",
           c->n_pods + (size_t)n_pending, n_nodes, t1 - t0, t2 - t1, t3 - t2, peak_rss_mib());
    fprintf(stderr, "hoist-bench: %d of %d pending pods fit; %d of %d nodes removable\n", fit,
            n_pending, removable, n_nodes);
    sim_drainer_free(&dr);
    sim_snapshot_free(&s);
    hs_free(pending);
    hs_free(tmpl);
    c->n_nodes = c->n_pods = 0; /* the arena below owns every object */
    model_cluster_free(&c);
    hs_arena_release(&g.a);
    hs_intern_free(&g.t);
    return 0;
}

static int arg_int(int argc, char **argv, const char *name, int def)
{
    for (int i = 2; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return atoi(argv[i + 1]);
    return def;
}

int bench_plan_cluster(int n_nodes, int per_node, int n_pending); /* bench_plan.c */
int bench_plan_karpenter(int n_pods, int n_types, bool balance);  /* bench_plan.c */

/* Runs the sibling program hoist-bench-<name> from this program's folder with
 * argv[2..]; returns only when it cannot be started. */
static int run_sibling(const char *self, const char *name, int argc, char **argv)
{
    char path[4096];
    const char *slash = strrchr(self, '/');
    int dir = slash ? (int)(slash - self + 1) : 0;
    snprintf(path, sizeof(path), "%.*shoist-bench-%s", dir, self, name);
    char **args = calloc((size_t)argc, sizeof(char *));
    if (!args)
        return 1;
    args[0] = path;
    for (int i = 2; i < argc; i++)
        args[i - 1] = argv[i];
    execv(path, args);
    fprintf(stderr, "hoist-bench: cannot run %s: %s\n", path, strerror(errno));
    free(args);
    return 2;
}

static bool has_flag(int argc, char **argv, const char *name)
{
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return true;
    return false;
}

int main(int argc, char **argv)
{
    static const char *const siblings[] = { "decode", "aws", "kube-cache" };
    for (size_t i = 0; argc >= 2 && i < sizeof(siblings) / sizeof(siblings[0]); i++)
        if (strcmp(argv[1], siblings[i]) == 0)
            return run_sibling(argv[0], siblings[i], argc, argv);
    for (int i = 1; i < argc; i++) /* --plan: the whole planner (bench_plan.c) */
        if (strcmp(argv[i], "--plan") == 0 && strcmp(argv[1], "cluster") == 0)
            return bench_plan_cluster(arg_int(argc, argv, "--nodes", 5000),
                                      arg_int(argc, argv, "--pods-per-node", 30),
                                      arg_int(argc, argv, "--pending", 1000));
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--plan") == 0 && strcmp(argv[1], "karpenter") == 0)
            return bench_plan_karpenter(arg_int(argc, argv, "--pods", 20000),
                                        arg_int(argc, argv, "--groups", 1200) / 3,
                                        has_flag(argc, argv, "--balance"));
    if (argc >= 2 && strcmp(argv[1], "karpenter") == 0)
        return run_karpenter(arg_int(argc, argv, "--pods", 20000),
                             arg_int(argc, argv, "--groups", 1200) / 3);
    if (argc >= 2 && strcmp(argv[1], "cluster") == 0)
        return run_cluster(arg_int(argc, argv, "--nodes", 5000),
                           arg_int(argc, argv, "--pods-per-node", 30),
                           arg_int(argc, argv, "--pending", 1000));
    fprintf(stderr, "usage: hoist-bench karpenter [--pods N] [--groups G] [--plan [--balance]]\n"
                    "       hoist-bench cluster [--nodes N] [--pods-per-node P] [--pending Q] "
                    "[--plan]\n"
                    "       hoist-bench decode|aws|kube-cache [their flags]\n");
    return 2;
}
