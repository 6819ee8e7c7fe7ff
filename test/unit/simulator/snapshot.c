/*
 * Tests of simulator/snapshot.c: fork/commit/revert undo every kind of
 * change exactly (usage, pods, nodes, marks and the topology counts the
 * filters read), template nodes get their own name and hostname, and
 * building from a model cluster skips terminal pods.
 */
#include "hs_test.h"

#include "fixture.h"
#include "simulator/filter.h"

static void usage_is(struct fx *f, int32_t node, int64_t cpu, int64_t pods)
{
    struct sim_node_usage u;
    sim_snapshot_node_usage(f->s, node, &u);
    assert_int_equal(u.cpu_milli, cpu);
    assert_int_equal(u.pods, pods);
}

static void test_fork_revert(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *na, *nb;
    int32_t a = fx_add_node(&f, "a", 4000, 8 * GI, 110, &na);
    int32_t b = fx_add_node(&f, "b", 4000, 8 * GI, 110, &nb);
    fx_label(&f, &na->labels, "zone", "z1");
    fx_label(&f, &nb->labels, "zone", "z2");
    struct model_pod *w = fx_pod(&f, "d", "w", 1000, GI);
    fx_label(&f, &w->labels, "app", "w");
    int32_t wid = fx_bind(&f, w, a);
    struct model_pod *p = fx_pod(&f, "d", "p", 10, MI);
    fx_label(&f, &p->labels, "app", "w");
    fx_spread(&f, p, "zone", 1, "app", "w");
    assert_string_equal(fx_verdict(&f, p, a),
                        "node(s) didn't match pod topology spread constraints");
    assert_string_equal(fx_verdict(&f, p, b), "");

    sim_snapshot_fork(f.s);
    const struct sim_pod *sw = sim_snapshot_pod(f.s, wid);
    sim_snapshot_add_pod(f.s, sw, b);
    sim_snapshot_add_pod(f.s, sw, b);
    usage_is(&f, b, 2000, 2);
    assert_string_equal(fx_verdict(&f, p, b),
                        "node(s) didn't match pod topology spread constraints");
    sim_snapshot_fork(f.s);
    sim_snapshot_remove_pod(f.s, wid);
    usage_is(&f, a, 0, 0);
    sim_snapshot_mark_removed(f.s, b);
    int32_t t = sim_snapshot_add_template_node(f.s, na, fx_s(&f, "t0"), true);
    assert_int_equal(t, 2);
    sim_snapshot_commit(f.s);
    assert_int_equal(sim_snapshot_depth(f.s), 1);
    sim_snapshot_revert(f.s);
    assert_int_equal(sim_snapshot_depth(f.s), 0);
    assert_int_equal(sim_snapshot_n_nodes(f.s), 2);
    assert_false(sim_snapshot_node_removed(f.s, b));
    usage_is(&f, a, 1000, 1);
    usage_is(&f, b, 0, 0);
    assert_int_equal(sim_snapshot_pod_node(f.s, wid), a);
    assert_int_equal(sim_snapshot_find_node(f.s, fx_s(&f, "t0")), -1);
    assert_string_equal(fx_verdict(&f, p, a),
                        "node(s) didn't match pod topology spread constraints");
    assert_string_equal(fx_verdict(&f, p, b), "");
    fx_release(&f);
}

static void test_template_node(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *tmpl = fx_node(&f, "template", 2000, 4 * GI, 10);
    fx_label(&f, &tmpl->labels, "zone", "z1");
    int32_t i = sim_snapshot_add_template_node(f.s, tmpl, fx_s(&f, "new-0"), true);
    const struct model_node *n = sim_snapshot_node(f.s, i);
    assert_string_equal(n->name, "new-0");
    assert_string_equal(model_labels_get(&n->labels, fx_s(&f, "kubernetes.io/hostname")), "new-0");
    assert_string_equal(model_labels_get(&n->labels, fx_s(&f, "zone")), "z1");
    assert_string_equal(model_labels_get(&tmpl->labels, fx_s(&f, "kubernetes.io/hostname")),
                        "template");
    assert_int_equal(sim_snapshot_add_template_node(f.s, tmpl, fx_s(&f, "new-0"), true), -1);
    assert_int_equal(sim_snapshot_find_node(f.s, fx_s(&f, "new-0")), i);
    fx_release(&f);
}

static void test_build(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_cluster *c = model_cluster_new(f.t);
    struct model_node *n = fx_node(&f, "n", 4000, 8 * GI, 110);
    model_cluster_add_node(c, n);
    struct model_pod *run = fx_pod(&f, "d", "run", 1000, GI);
    run->node_name = n->name;
    struct model_pod *done = fx_pod(&f, "d", "done", 1000, GI);
    done->node_name = n->name;
    done->phase = MODEL_PHASE_SUCCEEDED;
    struct model_pod *failed = fx_pod(&f, "d", "failed", 1000, GI);
    failed->node_name = n->name;
    failed->phase = MODEL_PHASE_FAILED;
    struct model_pod *elsewhere = fx_pod(&f, "d", "elsewhere", 1000, GI);
    elsewhere->node_name = fx_s(&f, "gone");
    struct model_pod *pending = fx_pod(&f, "d", "pending", 1000, GI);
    model_cluster_add_pod(c, run);
    model_cluster_add_pod(c, done);
    model_cluster_add_pod(c, failed);
    model_cluster_add_pod(c, elsewhere);
    model_cluster_add_pod(c, pending);
    struct hs_err err = { 0 };
    assert_int_equal(sim_snapshot_build(f.s, c, &err), HS_OK);
    usage_is(&f, 0, 1000, 1);
    /* the same node twice */
    assert_int_equal(sim_snapshot_build(f.s, c, &err), HS_EINVAL);
    assert_string_equal(err.msg, "node 'n' appears twice");
    /* the cluster holds no references of its own here: just drop it */
    c->n_nodes = c->n_pods = 0;
    model_cluster_free(&c);
    fx_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fork_revert),
        cmocka_unit_test(test_template_node),
        cmocka_unit_test(test_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
