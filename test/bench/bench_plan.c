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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "autoscaler/plan.h"
#include "base/alloc.h"
#include "base/arena.h"
#include "base/intern.h"
#include "model/asg.h"
#include "model/model.h"

int bench_plan_cluster(int n_nodes, int per_node, int n_pending);

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
