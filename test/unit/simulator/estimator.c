/*
 * Tests of simulator/estimator.c. Every expected node count is derived by
 * hand in the case's comment, following cluster-autoscaler's first-fit
 * decreasing: classes by cpu/alloc + mem/alloc descending, each pod first on
 * the new nodes already opened, then on the last one, then on a fresh one.
 */
#include "hs_test.h"

#include <stdio.h>

#include "fixture.h"
#include "simulator/estimator.h"

#define MAXP 64

struct run {
    const struct sim_pod *pods[MAXP];
    size_t n;
    const struct sim_pod *ds[4];
    size_t n_ds;
    int32_t placement[MAXP];
    struct sim_estimate out;
};

static struct model_pod *add(struct fx *f, struct run *r, int64_t cpu, const char *app)
{
    char name[32];
    snprintf(name, sizeof(name), "p%zu", r->n);
    struct model_pod *p = fx_pod(f, "d", name, cpu, MI);
    fx_owner(f, p, "ReplicaSet", app, app);
    fx_label(f, &p->labels, "app", app);
    return p;
}

static void push(struct fx *f, struct run *r, struct model_pod *p)
{
    r->pods[r->n++] = sim_pod_prepare(f->s, p);
}

static void estimate(struct fx *f, struct run *r, const struct model_node *tmpl, uint32_t max)
{
    struct sim_estimate_input in = { .tmpl = tmpl,
                                     .ds = r->ds,
                                     .n_ds = r->n_ds,
                                     .pods = r->pods,
                                     .n_pods = r->n,
                                     .max_nodes = max };
    r->out.placement = r->placement;
    size_t before = sim_snapshot_n_nodes(f->s);
    sim_estimate(f->s, &in, &r->out);
    assert_int_equal(sim_snapshot_n_nodes(f->s), before); /* reverted */
    assert_int_equal(sim_snapshot_depth(f->s), 0);
}

/* 10 pods of 1 cpu on 4-cpu nodes: 4 + 4 + 2 = 3 nodes. */
static void test_simple(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *t = fx_node(&f, "tmpl", 4000, 16 * GI, 110);
    struct run r = { 0 };
    for (int i = 0; i < 10; i++)
        push(&f, &r, add(&f, &r, 1000, "web"));
    estimate(&f, &r, t, 0);
    assert_int_equal(r.out.nodes, 3);
    assert_int_equal(r.out.scheduled, 10);
    assert_int_equal(r.placement[0], 0);
    assert_int_equal(r.placement[4], 1);
    assert_int_equal(r.placement[9], 2);
    fx_release(&f);
}

/* 5-cpu pods never fit a 4-cpu node: the first opens a node that stays
 * empty and the class stops there; 0 nodes, nothing scheduled. */
static void test_too_big(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *t = fx_node(&f, "tmpl", 4000, 16 * GI, 110);
    struct run r = { 0 };
    for (int i = 0; i < 3; i++)
        push(&f, &r, add(&f, &r, 5000, "big"));
    estimate(&f, &r, t, 0);
    assert_int_equal(r.out.nodes, 0);
    assert_int_equal(r.out.scheduled, 0);
    assert_int_equal(r.placement[2], -1);
    fx_release(&f);
}

/* The same 10 pods with --max-nodes-per-scaleup 2: 2 nodes of 4 = 8. */
static void test_cap(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *t = fx_node(&f, "tmpl", 4000, 16 * GI, 110);
    struct run r = { 0 };
    for (int i = 0; i < 10; i++)
        push(&f, &r, add(&f, &r, 1000, "web"));
    estimate(&f, &r, t, 2);
    assert_int_equal(r.out.nodes, 2);
    assert_int_equal(r.out.scheduled, 8);
    fx_release(&f);
}

/* A DaemonSet pod of 1 cpu on every node leaves 3: 10 pods -> 3+3+3+1 =
 * 4 nodes. */
static void test_daemonset(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *t = fx_node(&f, "tmpl", 4000, 16 * GI, 110);
    struct run r = { 0 };
    struct model_pod *ds = fx_pod(&f, "kube-system", "ds", 1000, MI);
    fx_owner(&f, ds, "DaemonSet", "ds", "ds-uid");
    r.ds[r.n_ds++] = sim_pod_prepare(f.s, ds);
    for (int i = 0; i < 10; i++)
        push(&f, &r, add(&f, &r, 1000, "web"));
    estimate(&f, &r, t, 0);
    assert_int_equal(r.out.nodes, 4);
    assert_int_equal(r.out.scheduled, 10);
    fx_release(&f);
}

/* Hostname anti-affinity among 5 pods of one app: one per node, 5 nodes. */
static void test_anti_affinity(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *t = fx_node(&f, "tmpl", 4000, 16 * GI, 110);
    struct run r = { 0 };
    for (int i = 0; i < 5; i++) {
        struct model_pod *p = add(&f, &r, 100, "nginx");
        fx_aff(&f, p, true, "kubernetes.io/hostname", "app", "nginx");
        push(&f, &r, p);
    }
    estimate(&f, &r, t, 0);
    assert_int_equal(r.out.nodes, 5);
    assert_int_equal(r.out.scheduled, 5);
    fx_release(&f);
}

/* First-fit decreasing with sizes 1,3,2,1,3,2 cpu on 4-cpu nodes. Order:
 * 3,3 (node0: 3, node1: 3), 2,2 (neither node0 nor node1 has 2 free: node2
 * takes both), 1,1 (first fit: node0 -> 4, then node1 -> 4). 3 nodes. */
static void test_decreasing(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *t = fx_node(&f, "tmpl", 4000, 16 * GI, 110);
    struct run r = { 0 };
    int64_t sizes[] = { 1000, 3000, 2000, 1000, 3000, 2000 };
    for (int i = 0; i < 6; i++)
        push(&f, &r, add(&f, &r, sizes[i], "mix"));
    estimate(&f, &r, t, 0);
    assert_int_equal(r.out.nodes, 3);
    assert_int_equal(r.placement[1], 0);
    assert_int_equal(r.placement[4], 1);
    assert_int_equal(r.placement[2], 2);
    assert_int_equal(r.placement[5], 2);
    assert_int_equal(r.placement[0], 0);
    assert_int_equal(r.placement[3], 1);
    fx_release(&f);
}

/* A taint the pods do not tolerate: nothing fits, 0 nodes; the pods with a
 * toleration in the same run still get 1 node (2 pods of 1 cpu). */
static void test_taint(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *t = fx_node(&f, "tmpl", 4000, 16 * GI, 110);
    fx_taint(&f, t, "dedicated", "batch", MODEL_EFFECT_NO_SCHEDULE);
    struct run r = { 0 };
    push(&f, &r, add(&f, &r, 1000, "web"));
    push(&f, &r, add(&f, &r, 1000, "web"));
    for (int i = 0; i < 2; i++) {
        struct model_pod *p = add(&f, &r, 1000, "batch");
        fx_tol(&f, p, "dedicated", "batch", false, MODEL_EFFECT_NO_SCHEDULE);
        push(&f, &r, p);
    }
    estimate(&f, &r, t, 0);
    assert_int_equal(r.out.nodes, 1);
    assert_int_equal(r.out.scheduled, 2);
    assert_int_equal(r.placement[0], -1);
    fx_release(&f);
}

/* Zone spread against existing nodes: zone a holds 2 pods of app=w, zone
 * b none. A zone-a group: 2 + 1 - 0 > 1, nothing fits (0 nodes). A zone-b
 * group: counts go b=1,2,3,4 against min(a=2,b): 0+1-0, 1+1-1, 2+1-2,
 * 3+1-2 = 2 > 1 stops the 4th; 3 pods of 1 cpu on one 4-cpu node: 1 node. */
static void test_spread_existing(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *na = fx_node(&f, "a", 4000, 16 * GI, 2);
    fx_label(&f, &na->labels, "zone", "a");
    struct model_node *nb = fx_node(&f, "b", 4000, 16 * GI, 0);
    fx_label(&f, &nb->labels, "zone", "b");
    int32_t ia = sim_snapshot_add_node(f.s, na);
    sim_snapshot_add_node(f.s, nb);
    for (int i = 0; i < 2; i++) {
        struct model_pod *e = fx_pod(&f, "d", "e", 100, MI);
        fx_label(&f, &e->labels, "app", "w");
        fx_bind(&f, e, ia);
    }
    struct run r = { 0 };
    for (int i = 0; i < 4; i++) {
        struct model_pod *p = add(&f, &r, 1000, "w");
        fx_spread(&f, p, "zone", 1, "app", "w");
        push(&f, &r, p);
    }
    struct model_node *ta = fx_node(&f, "tmpl-a", 4000, 16 * GI, 110);
    fx_label(&f, &ta->labels, "zone", "a");
    estimate(&f, &r, ta, 0);
    assert_int_equal(r.out.nodes, 0);
    struct model_node *tb = fx_node(&f, "tmpl-b", 4000, 16 * GI, 110);
    fx_label(&f, &tb->labels, "zone", "b");
    estimate(&f, &r, tb, 0);
    assert_int_equal(r.out.nodes, 1);
    assert_int_equal(r.out.scheduled, 3);
    fx_release(&f);
}

/* Zone self-affinity: the first pod may start the group anywhere its zone
 * key exists; the other 5 follow it into the zone. 6 pods of 1 cpu: 2
 * nodes. A template without the zone label takes none (0 nodes). */
static void test_self_affinity(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct run r = { 0 };
    for (int i = 0; i < 6; i++) {
        struct model_pod *p = add(&f, &r, 1000, "x");
        fx_aff(&f, p, false, "zone", "app", "x");
        push(&f, &r, p);
    }
    struct model_node *t = fx_node(&f, "tmpl", 4000, 16 * GI, 110);
    fx_label(&f, &t->labels, "zone", "a");
    estimate(&f, &r, t, 0);
    assert_int_equal(r.out.nodes, 2);
    assert_int_equal(r.out.scheduled, 6);
    struct model_node *nozone = fx_node(&f, "tmpl2", 4000, 16 * GI, 110);
    estimate(&f, &r, nozone, 0);
    assert_int_equal(r.out.nodes, 0);
    fx_release(&f);
}

/* Pods per node: 3 pods max per node (alloc pods 3), 7 small pods: 3 nodes. */
static void test_pod_count(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *t = fx_node(&f, "tmpl", 4000, 16 * GI, 3);
    struct run r = { 0 };
    for (int i = 0; i < 7; i++)
        push(&f, &r, add(&f, &r, 10, "tiny"));
    estimate(&f, &r, t, 0);
    assert_int_equal(r.out.nodes, 3);
    fx_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),        cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_cap),           cmocka_unit_test(test_daemonset),
        cmocka_unit_test(test_anti_affinity), cmocka_unit_test(test_decreasing),
        cmocka_unit_test(test_taint),         cmocka_unit_test(test_spread_existing),
        cmocka_unit_test(test_self_affinity), cmocka_unit_test(test_pod_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
