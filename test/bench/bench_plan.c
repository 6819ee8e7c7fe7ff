/*
 * hoist-bench's --plan workloads: the whole planner (lib/autoscaler's
 * asc_plan_run), not only the simulator, on generated clusters. Kept apart
 * from hoist_bench.c (the simulator's workloads) so each owner edits their
 * own file. A measuring program: it prints one JSON object and never
 * asserts a timing.
 *
 *   hoist-bench cluster --nodes N --pods-per-node P --pending Q --plan
 *       one planner call (phase "plan") on N m5.4xlarge nodes of one ASG,
 *       P-1 replicas and a DaemonSet pod per node, Q pending pods.
 *   hoist-bench karpenter --pods N --plan
 *       Karpenter's benchmark pods (the same five kinds, sizes and seed as
 *       hoist_bench.c's estimator workload) pending in an empty cluster of
 *       1,200 empty single-zone ASGs (400 instance types x 3 zones); the
 *       planner runs loop after loop, each loop's scale-up committed into
 *       the cluster as registered nodes (the group's template, an instance
 *       of its ASG) with the pods bound where the estimate packed them
 *       (asc_scale_up.pod_nodes), until a loop asks for nothing more. Phase
 *       "plan" is the CPU time of the planner calls only (not of the
 *       commits); nodes and cost_per_hour (0.1 per vCPU + 0.1 per GiB, as
 *       Karpenter's benchmark prices) are the final sizes'. With --balance,
 *       --balance-similar-node-groups is on (each type's three zonal
 *       groups are similar).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "autoscaler/plan.h"
#include "autoscaler/template.h"
#include "base/alloc.h"
#include "base/arena.h"
#include "base/intern.h"
#include "base/rng.h"
#include "model/asg.h"
#include "model/model.h"

int bench_plan_cluster(int n_nodes, int per_node, int n_pending);
int bench_plan_karpenter(int n_pods, int n_types, bool balance);

#define GIB (1024LL * 1024 * 1024)
#define MIB (1024LL * 1024)

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct model_labels one_label(struct hs_intern *t, struct hs_arena *a, const char *k,
                                     const char *v)
{
    struct model_labels l = { .n = 1 };
    l.v = HS_ARENA_NEW(a, struct model_label);
    l.v->key = hs_intern_cstr(t, k);
    l.v->value = hs_intern_cstr(t, v);
    return l;
}

static void set_owner(struct hs_intern *t, struct hs_arena *a, struct model_pod *p,
                      const char *kind, const char *name)
{
    p->n_owners = 1;
    p->owners = HS_ARENA_NEW(a, struct model_owner_ref);
    p->owners->kind = hs_intern_cstr(t, kind);
    p->owners->name = hs_arena_strndup(a, name, strlen(name));
    p->owners->controller = true;
}

int bench_plan_cluster(int n_nodes, int per_node, int n_pending)
{
    static const char *zones[] = { "us-east-1a", "us-east-1b", "us-east-1c" };
    struct hs_intern *t = hs_intern_new();
    struct model_cluster *c = model_cluster_new(t);
    struct hs_arena *a = &c->arena;
    struct model_asg_list asgs;
    model_asg_list_init(&asgs);
    struct model_asg *g = model_asg_list_add(&asgs);
    g->name = "general";
    g->min_size = 1;
    g->max_size = n_nodes + 1000;
    g->desired_capacity = n_nodes;
    for (int z = 0; z < 3; z++)
        model_asg_add_zone(&asgs, g, zones[z], strlen(zones[z]));
    struct model_asg_tag *tag = model_asg_add_tag(&asgs, g);
    tag->key = "k8s.io/cluster-autoscaler/enabled";
    tag->value = "true";

    char name[96];
    for (int i = 0; i < n_nodes; i++) {
        struct model_node *n = HS_ARENA_NEW(a, struct model_node);
        snprintf(name, sizeof(name), "ip-10-%d-%d-%d.ec2.internal", i / 65536, (i / 256) % 256,
                 i % 256);
        n->name = hs_intern_cstr(t, name);
        n->labels = one_label(t, a, "topology.kubernetes.io/zone", zones[i % 3]);
        snprintf(name, sizeof(name), "i-%017d", i);
        struct model_asg_instance *in = model_asg_add_instance(&asgs, g);
        in->id = hs_arena_strndup(&asgs.arena, name, strlen(name));
        in->zone = zones[i % 3];
        in->instance_type = "m5.4xlarge";
        in->lifecycle_state = "InService";
        snprintf(name, sizeof(name), "aws:///%s/i-%017d", zones[i % 3], i);
        n->provider_id = hs_arena_strndup(a, name, strlen(name));
        n->allocatable.cpu_milli = 15890;
        n->allocatable.memory = 57 * GIB;
        n->allocatable.ephemeral_storage = 100 * GIB;
        n->allocatable.pods = 110;
        n->capacity = n->allocatable;
        n->capacity.cpu_milli = 16000;
        n->ready = MODEL_COND_TRUE;
        model_cluster_add_node(c, n);
    }
    for (int i = 0; i < n_nodes; i++) {
        struct model_pod *ds = HS_ARENA_NEW(a, struct model_pod);
        ds->ns = hs_intern_cstr(t, "kube-system");
        ds->name = "aws-node";
        ds->labels = one_label(t, a, "k8s-app", "aws-node");
        set_owner(t, a, ds, "DaemonSet", "aws-node");
        ds->requests.cpu_milli = 50;
        ds->requests.memory = 64 * MIB;
        ds->phase = MODEL_PHASE_RUNNING;
        ds->node_name = c->nodes[i]->name;
        model_cluster_add_pod(c, ds);
        for (int k = 1; k < per_node; k++) {
            struct model_pod *p = HS_ARENA_NEW(a, struct model_pod);
            int d = (i * per_node + k) % 500;
            snprintf(name, sizeof(name), "app-%d", d);
            p->ns = hs_intern_cstr(t, "default");
            p->name = "replica";
            p->labels = one_label(t, a, "app", name);
            set_owner(t, a, p, "ReplicaSet", name);
            p->requests.cpu_milli = 100 + 50 * (d % 8);
            p->requests.memory = (256 + 128 * (d % 8)) * MIB;
            p->phase = MODEL_PHASE_RUNNING;
            p->node_name = c->nodes[i]->name;
            model_cluster_add_pod(c, p);
        }
    }
    for (int i = 0; i < n_pending; i++) {
        struct model_pod *p = HS_ARENA_NEW(a, struct model_pod);
        int d = i % 20;
        snprintf(name, sizeof(name), "pending-%d", d);
        p->ns = hs_intern_cstr(t, "default");
        snprintf(name, sizeof(name), "pending-%d-%d", d, i);
        p->name = hs_arena_strndup(a, name, strlen(name));
        snprintf(name, sizeof(name), "pending-%d", d);
        p->labels = one_label(t, a, "app", name);
        set_owner(t, a, p, "ReplicaSet", name);
        p->requests.cpu_milli = d % 4 == 3 ? 12000 : 500 + 100 * d;
        p->requests.memory = GIB;
        p->phase = MODEL_PHASE_PENDING;
        p->scheduled = MODEL_COND_FALSE;
        p->scheduled_reason = hs_intern_cstr(t, "Unschedulable");
        model_cluster_add_pod(c, p);
    }

    struct asc_options o;
    asc_options_init(&o);
    struct asc_tag_filter f = { 0 };
    f.key = "k8s.io/cluster-autoscaler/enabled";
    o.discovery = &f;
    o.n_discovery = 1;
    struct asc_inputs in = {
        .cluster = c, .asgs = &asgs, .now = 1795860000LL * 1000000000LL, .timers_expired = true
    };
    struct asc_state *s = asc_state_new();
    struct asc_plan p;
    struct hs_err err = { 0 };
    asc_plan_init(&p);
    double t0 = cpu_now();
    enum hs_code rc = asc_plan_run(s, &o, &in, &p, &err);
    double t1 = cpu_now();
    if (rc) {
        fprintf(stderr, "hoist-bench: %s\n", err.msg);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"workload\": \"cluster\", \"plan\": true, \"pods\": %zu, \"groups\": 1, "
           "\"nodes\": %d, \"seconds\": {\"plan\": %.4f}, \"peak_rss_mib\": %.1f}\n",
           c->n_pods, n_nodes, t1 - t0, (double)ru.ru_maxrss / 1024.0);
    fprintf(stderr,
            "hoist-bench: plan: %zu scale-up(s)%s%d, %zu no-scale-up, %zu scale-down, "
            "%zu unneeded, %zu unremovable\n",
            p.n_scale_up, p.n_scale_up ? " to " : "",
            p.n_scale_up ? (int)p.scale_up[0].new_size : 0, p.n_no_scale_up, p.n_scale_down,
            p.n_unneeded, p.n_unremovable);
    asc_plan_release(&p);
    asc_state_free(&s);
    model_asg_list_release(&asgs);
    /* The generator interned without the per-object bookkeeping the decoder
     * keeps, so the cluster's arena and the table are dropped whole. */
    c->n_nodes = c->n_pods = 0;
    model_cluster_free(&c);
    hs_intern_free(&t);
    return 0;
}

/* ---- karpenter --plan --------------------------------------------------------- */

static struct model_label_selector in_selector(struct hs_intern *t, struct hs_arena *a,
                                               const char *k, const char *v)
{
    struct model_label_selector s = { .present = true, .n = 1 };
    s.req = HS_ARENA_NEW(a, struct model_requirement);
    s.req->key = hs_intern_cstr(t, k);
    s.req->op = MODEL_OP_IN;
    s.req->n_values = 1;
    s.req->values = HS_ARENA_NEW(a, const char *);
    s.req->values[0] = hs_intern_cstr(t, v);
    return s;
}

/* One of Karpenter's benchmark pods, drawing from rng in the order
 * hoist_bench.c's generator does (so both workloads are the same pods). */
static struct model_pod *karpenter_pending(struct hs_intern *t, struct hs_arena *a,
                                           struct hs_rng *rng, int kind, int i)
{
    static const int64_t cpus[] = { 100, 250, 500, 1000, 1500 };
    static const int64_t mems[] = { 100, 256, 512, 1024, 2048, 4096 };
    static const char *owners[] = { "generic", "zone-spread", "host-spread", "zone-affinity",
                                    "host-anti" };
    static const char *vals[] = { "a", "b", "c", "d", "e", "f", "g" };
    struct model_pod *p = HS_ARENA_NEW(a, struct model_pod);
    char name[32];
    snprintf(name, sizeof(name), "p-%d", i);
    p->ns = hs_intern_cstr(t, "default");
    p->name = hs_arena_strndup(a, name, strlen(name));
    p->phase = MODEL_PHASE_PENDING;
    p->scheduled = MODEL_COND_FALSE;
    p->scheduled_reason = hs_intern_cstr(t, "Unschedulable");
    set_owner(t, a, p, "ReplicaSet", owners[kind]);
    const char *val = vals[hs_rng_below(rng, 7)];
    switch (kind) {
    case 0:
        p->labels = one_label(t, a, "my-label", val);
        break;
    case 1:
    case 2:
        p->labels = one_label(t, a, "my-label", val);
        p->n_spreads = 1;
        p->spreads = HS_ARENA_NEW(a, struct model_spread);
        p->spreads->max_skew = 1;
        p->spreads->do_not_schedule = true;
        p->spreads->topology_key =
            hs_intern_cstr(t, kind == 1 ? "topology.kubernetes.io/zone" : "kubernetes.io/hostname");
        p->spreads->selector = in_selector(t, a, "my-label", vals[hs_rng_below(rng, 7)]);
        break;
    case 3:
        p->labels = one_label(t, a, "my-affinity", val);
        p->affinity = HS_ARENA_NEW(a, struct model_pod_affinity);
        p->affinity->n_required = 1;
        p->affinity->required = HS_ARENA_NEW(a, struct model_pod_affinity_term);
        p->affinity->required->selector = in_selector(t, a, "my-affinity", val);
        p->affinity->required->topology_key = hs_intern_cstr(t, "topology.kubernetes.io/zone");
        break;
    default:
        p->labels = one_label(t, a, "app", "nginx");
        p->anti_affinity = HS_ARENA_NEW(a, struct model_pod_affinity);
        p->anti_affinity->n_required = 1;
        p->anti_affinity->required = HS_ARENA_NEW(a, struct model_pod_affinity_term);
        p->anti_affinity->required->selector = in_selector(t, a, "app", "nginx");
        p->anti_affinity->required->topology_key = hs_intern_cstr(t, "kubernetes.io/hostname");
        break;
    }
    p->requests.cpu_milli = cpus[hs_rng_below(rng, 5)];
    p->requests.memory = mems[hs_rng_below(rng, 6)] * MIB;
    p->requests.pods = 1;
    return p;
}

int bench_plan_karpenter(int n_pods, int n_types, bool balance)
{
    static const char *zones[] = { "us-east-1a", "us-east-1b", "us-east-1c" };
    struct hs_intern *t = hs_intern_new();
    struct model_cluster *c = model_cluster_new(t);
    struct hs_arena *a = &c->arena;
    struct hs_rng rng;
    hs_rng_seed(&rng, 42);
    for (int i = 0; i < n_pods; i++)
        model_cluster_add_pod(c, karpenter_pending(t, a, &rng, i * 5 / n_pods, i));

    /* 400 types: i+1 vCPU, 2(i+1) GiB, ENIs giving 10(i+1) pods */
    struct model_instance_type_list types;
    model_instance_type_list_init(&types);
    char name[96];
    for (int i = 0; i < n_types; i++) {
        struct model_instance_type *it = model_instance_type_list_add(&types);
        snprintf(name, sizeof(name), "fake-it-%d", i);
        it->name = hs_arena_strndup(&types.arena, name, strlen(name));
        it->vcpu = i + 1;
        it->memory_mib = 2048LL * (i + 1);
        it->arch = "x86_64";
        it->max_enis = 2;
        it->ipv4_per_eni = 5 * (i + 1);
    }
    struct model_asg_list asgs;
    model_asg_list_init(&asgs);
    for (int i = 0; i < n_types; i++) {
        for (int z = 0; z < 3; z++) {
            struct model_asg *g = model_asg_list_add(&asgs);
            snprintf(name, sizeof(name), "ng-%03d-%c", i, 'a' + z);
            g->name = hs_arena_strndup(&asgs.arena, name, strlen(name));
            g->min_size = 0;
            g->max_size = 5000;
            g->desired_capacity = 0;
            model_asg_add_zone(&asgs, g, zones[z], strlen(zones[z]));
            g->mixed.present = true;
            struct model_asg_override *ov = model_asg_add_override(&asgs, g);
            ov->instance_type = types.v[i].name;
            ov->weighted_capacity = MODEL_ABSENT;
            struct model_asg_tag *tag = model_asg_add_tag(&asgs, g);
            tag->key = "k8s.io/cluster-autoscaler/enabled";
            tag->value = "true";
        }
    }

    struct asc_options o;
    asc_options_init(&o);
    struct asc_tag_filter f = { 0 };
    f.key = "k8s.io/cluster-autoscaler/enabled";
    o.discovery = &f;
    o.n_discovery = 1;
    o.max_nodes_per_scaleup = 1000;
    o.balance_similar_node_groups = balance; /* --balance: zones a, b, c share */
    struct asc_inputs in = { .cluster = c,
                             .asgs = &asgs,
                             .instance_types = &types,
                             .region = "us-east-1",
                             .now = 1795860000LL * 1000000000LL,
                             .timers_expired = true };
    struct hs_err err = { 0 };
    /* the templates the planner builds, to make the committed nodes */
    struct asc_cloud cloud = { .asgs = &asgs, .instance_types = &types, .region = "us-east-1" };
    struct asc_discovery d = { .filters = &f, .n_filters = 1 };
    asc_group_options_default(&d.defaults);
    struct asc_groups *groups = NULL;
    struct asc_templates *tmpls = NULL;
    struct asc_template_config tc = { 0 };
    if (asc_groups_build(&cloud, &d, &groups, &err) ||
        asc_templates_build(groups, &cloud, NULL, 0, &tc, t, &tmpls, &err)) {
        fprintf(stderr, "hoist-bench: %s\n", err.msg);
        return 1;
    }
    struct asc_state *s = asc_state_new();
    double total = 0;
    int loops = 0;
    size_t unhelped = 0;
    long serial = 0;
    for (; loops < 200; loops++) {
        struct asc_plan p;
        asc_plan_init(&p);
        double t0 = cpu_now();
        enum hs_code rc = asc_plan_run(s, &o, &in, &p, &err);
        total += cpu_now() - t0;
        if (rc) {
            fprintf(stderr, "hoist-bench: %s\n", err.msg);
            return 1;
        }
        unhelped = p.n_no_scale_up;
        size_t n_up = p.n_scale_up;
        for (size_t k = 0; k < p.n_scale_up; k++) {
            const struct asc_scale_up *u = &p.scale_up[k];
            struct model_asg *g = NULL;
            const struct asc_template *tp = NULL;
            for (uint32_t j = 0; j < asgs.n; j++)
                if (strcmp(asgs.v[j].name, u->group) == 0)
                    g = &asgs.v[j];
            for (uint32_t j = 0; j < groups->n; j++)
                if (strcmp(groups->v[j].name, u->group) == 0)
                    tp = asc_templates_of(tmpls, &groups->v[j]);
            if (!g || !tp)
                return 1;
            int32_t add = u->new_size - u->current_size;
            const char **names = hs_calloc((size_t)add, sizeof(*names));
            for (int32_t m = 0; m < add; m++) {
                struct model_node *n = HS_ARENA_NEW(a, struct model_node);
                *n = tp->node;
                snprintf(name, sizeof(name), "new-%ld", serial);
                n->name = hs_intern_cstr(t, name);
                /* the template's labels with this node's hostname */
                n->labels.v = HS_ARENA_NEW_ARRAY(a, struct model_label, tp->node.labels.n);
                memcpy(n->labels.v, tp->node.labels.v, tp->node.labels.n * sizeof(*n->labels.v));
                for (uint32_t l = 0; l < n->labels.n; l++)
                    if (strcmp(n->labels.v[l].key, "kubernetes.io/hostname") == 0)
                        n->labels.v[l].value = n->name;
                snprintf(name, sizeof(name), "i-%017ld", serial);
                struct model_asg_instance *inst = model_asg_add_instance(&asgs, g);
                inst->id = hs_arena_strndup(&asgs.arena, name, strlen(name));
                inst->zone = g->zones[0];
                inst->instance_type = types.v[0].name;
                inst->lifecycle_state = "InService";
                snprintf(name, sizeof(name), "aws:///%s/i-%017ld", g->zones[0], serial);
                n->provider_id = hs_arena_strndup(a, name, strlen(name));
                n->ready = MODEL_COND_TRUE;
                model_cluster_add_node(c, n);
                names[m] = n->name;
                serial++;
            }
            for (size_t q = 0; q < u->n_pods; q++) {
                const char *slash = strrchr(u->pods[q], '-');
                int idx = slash ? atoi(slash + 1) : -1;
                int32_t at = u->pod_nodes ? u->pod_nodes[q] : -1;
                if (idx < 0 || (size_t)idx >= c->n_pods || at < 0 || at >= add)
                    continue;
                struct model_pod *pod = c->pods[idx];
                pod->node_name = names[at];
                pod->phase = MODEL_PHASE_RUNNING;
                pod->scheduled = MODEL_COND_TRUE;
                pod->scheduled_reason = NULL;
            }
            hs_free(names);
            g->desired_capacity = u->new_size;
            fprintf(stderr, "hoist-bench: loop %d: %s %d -> %d for %zu pods (%.3f s)\n", loops,
                    u->group, (int)u->current_size, (int)u->new_size, u->n_pods, total);
        }
        asc_plan_release(&p);
        if (!n_up) {
            loops++;
            break;
        }
    }
    asc_templates_free(&tmpls);
    asc_groups_free(&groups);
    long nodes = 0;
    double cost = 0;
    for (uint32_t g = 0; g < asgs.n; g++) {
        int i = (int)(g / 3);
        nodes += asgs.v[g].desired_capacity;
        cost += asgs.v[g].desired_capacity * (0.1 * (i + 1) + 0.1 * 2.0 * (i + 1));
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"workload\": \"karpenter\", \"plan\": true, \"balance\": %s, \"pods\": %d, "
           "\"groups\": %u, "
           "\"loops\": %d, \"nodes\": %ld, \"cost_per_hour\": %.2f, \"unplaced\": %zu, "
           "\"seconds\": {\"plan\": %.4f}, \"peak_rss_mib\": %.1f}\n",
           balance ? "true" : "false", n_pods, asgs.n, loops, nodes, cost, unhelped, total,
           (double)ru.ru_maxrss / 1024.0);
    asc_state_free(&s);
    model_asg_list_release(&asgs);
    model_instance_type_list_release(&types);
    /* the committed nodes share the templates' strings without references:
     * drop the cluster's arena and the table whole, as above */
    c->n_nodes = c->n_pods = 0;
    model_cluster_free(&c);
    hs_intern_free(&t);
    return 0;
}
