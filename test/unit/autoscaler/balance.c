/*
 * Tests of lib/autoscaler/balance.c: which template pairs are similar (the
 * three ratios, exact capacity, labels and the ignore lists, the
 * --balancing-label mode) and the split of N new nodes over similar groups
 * (smallest first, maxes respected, ties to the earliest). Nodes are built
 * by hand.
 */
#include "hs_test.h"

#include <string.h>

#include "asc_fx.h"
#include "autoscaler/balance.h"

#define MIB (1024LL * 1024)
#define GIB (1024LL * MIB)

struct fx {
    struct hs_intern *t;
    struct hs_arena a;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->t = hs_intern_new();
    hs_arena_init(&f->a, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    hs_arena_release(&f->a);
    hs_intern_free(&f->t);
    free(f);
    return 0;
}

/* An m5.large-shaped node in zone with the extra labels kv. */
static struct model_node node(struct fx *f, const char *zone, const struct fx_kv *extra,
                              uint32_t n_extra)
{
    struct fx_kv kv[16] = {
        { "kubernetes.io/arch", "amd64" },       { "node.kubernetes.io/instance-type", "m5.large" },
        { "topology.kubernetes.io/zone", zone }, { "topology.ebs.csi.aws.com/zone", zone },
        { "kubernetes.io/hostname", zone },
    };
    uint32_t n = 5;
    for (uint32_t i = 0; i < n_extra && n < 16; i++)
        kv[n++] = extra[i];
    struct model_node x;
    memset(&x, 0, sizeof(x));
    x.labels = fx_labels(&f->a, f->t, kv, n);
    x.capacity = (struct model_resources){
        .cpu_milli = 2000, .memory = 7577 * MIB, .ephemeral_storage = 20 * GIB, .pods = 29
    };
    x.allocatable = (struct model_resources){
        .cpu_milli = 1930, .memory = 6903 * MIB, .ephemeral_storage = 17 * GIB, .pods = 29
    };
    return x;
}

static void similar_pairs(void **state)
{
    struct fx *f = *state;
    struct asc_similarity s;
    asc_similarity_default(&s);
    const struct fx_kv eks_a[] = { { "eks.amazonaws.com/nodegroup", "ng-a" },
                                   { "topology.k8s.aws/zone-id", "use1-az1" } };
    const struct fx_kv eks_b[] = { { "eks.amazonaws.com/nodegroup", "ng-b" },
                                   { "topology.k8s.aws/zone-id", "use1-az2" } };
    struct model_node a = node(f, "us-east-1a", eks_a, 2);
    struct model_node b = node(f, "us-east-1b", eks_b, 2);

    /* Same machine, other zone and node group: similar. */
    assert_true(asc_nodes_similar(&a, NULL, &b, NULL, &s));
    assert_true(asc_nodes_similar(&b, NULL, &a, NULL, &s));

    /* Memory capacity within 1.5%: 7577 vs 7500 MiB is 1.0% apart. */
    b.capacity.memory = 7500 * MIB;
    assert_true(asc_nodes_similar(&a, NULL, &b, NULL, &s));
    /* ... 7400 MiB is 2.3% apart: not similar. */
    b.capacity.memory = 7400 * MIB;
    assert_false(asc_nodes_similar(&a, NULL, &b, NULL, &s));
    b.capacity.memory = a.capacity.memory;

    /* Any other capacity must be equal: 2000m vs 2001m is not. */
    b.capacity.cpu_milli = 2001;
    assert_false(asc_nodes_similar(&a, NULL, &b, NULL, &s));
    b.capacity.cpu_milli = 2000;

    /* Allocatable within 5%: 1930 vs 1840 (4.7%) yes, 1830 (5.2%) no. */
    b.allocatable.cpu_milli = 1840;
    assert_true(asc_nodes_similar(&a, NULL, &b, NULL, &s));
    b.allocatable.cpu_milli = 1830;
    assert_false(asc_nodes_similar(&a, NULL, &b, NULL, &s));
    b.allocatable.cpu_milli = 1930;

    /* Free within 5%: a DaemonSet taking 200m more on b leaves 1730m vs
     * 1930m free (10.4% apart): not similar. */
    struct model_resources used_a = { .cpu_milli = 0 }, used_b = { .cpu_milli = 200 };
    assert_false(asc_nodes_similar(&a, &used_a, &b, &used_b, &s));
    used_b.cpu_milli = 50; /* 1880 vs 1930: 2.6% */
    assert_true(asc_nodes_similar(&a, &used_a, &b, &used_b, &s));
    /* A wider free ratio accepts the 200m difference. */
    s.free_ratio = 0.2;
    used_b.cpu_milli = 200;
    assert_true(asc_nodes_similar(&a, &used_a, &b, &used_b, &s));
    s.free_ratio = 0.05;

    /* A GPU on one side only: capacity differs. */
    struct model_scalar gpu = { hs_intern_cstr(f->t, "nvidia.com/gpu"), 1 };
    b.capacity.scalar = &gpu;
    b.capacity.n_scalar = 1;
    assert_false(asc_nodes_similar(&a, NULL, &b, NULL, &s));
    /* "nvidia.com/gpu: 0" is the same as no GPU. */
    gpu.value = 0;
    assert_true(asc_nodes_similar(&a, NULL, &b, NULL, &s));
    b.capacity.n_scalar = 0;
    hs_intern_unref(f->t, gpu.name);

    model_node_unref_strings(&a, f->t);
    model_node_unref_strings(&b, f->t);
}

static void labels_and_ignore_lists(void **state)
{
    struct fx *f = *state;
    struct asc_similarity s;
    asc_similarity_default(&s);
    const struct fx_kv team_a[] = { { "team", "payments" }, { "lifecycle", "Ec2Spot" } };
    const struct fx_kv team_b[] = { { "team", "search" } };
    const struct fx_kv none[] = { { "alpha.eksctl.io/nodegroup-name", "x" } };
    struct model_node a = node(f, "us-east-1a", team_a, 2);
    struct model_node b = node(f, "us-east-1b", team_b, 1);
    struct model_node c = node(f, "us-east-1c", none, 1);

    /* A compared label with different values. */
    assert_false(asc_nodes_similar(&a, NULL, &b, NULL, &s));
    /* A compared label on one side only ("lifecycle" is ignored, "team"
     * is not). */
    assert_false(asc_nodes_similar(&a, NULL, &c, NULL, &s));
    assert_false(asc_nodes_similar(&c, NULL, &a, NULL, &s));
    /* --balancing-ignore-label team: now similar. */
    const char *const ign[] = { "team" };
    s.ignore_labels = ign;
    s.n_ignore_labels = 1;
    assert_true(asc_nodes_similar(&a, NULL, &b, NULL, &s));
    assert_true(asc_nodes_similar(&a, NULL, &c, NULL, &s));

    assert_true(asc_label_ignored_for_balance(NULL, "kubernetes.io/hostname"));
    assert_true(asc_label_ignored_for_balance(NULL, "topology.ebs.csi.aws.com/zone"));
    assert_true(asc_label_ignored_for_balance(NULL, "k8s.amazonaws.com/eniConfig"));
    assert_true(asc_label_ignored_for_balance(NULL, "kops.k8s.io/instancegroup"));
    assert_true(asc_label_ignored_for_balance(NULL, "topology.k8s.aws/zone-id"));
    assert_false(asc_label_ignored_for_balance(NULL, "node.kubernetes.io/instance-type"));
    assert_true(asc_label_ignored_for_balance(&s, "team"));

    /* --balancing-label: only these labels, both present and equal;
     * resources are not compared at all. */
    struct asc_similarity only;
    asc_similarity_default(&only);
    const char *const by[] = { "node.kubernetes.io/instance-type" };
    only.labels = by;
    only.n_labels = 1;
    b.allocatable.cpu_milli = 100;
    assert_true(asc_nodes_similar(&a, NULL, &b, NULL, &only));
    const char *const by_team[] = { "team" };
    only.labels = by_team;
    assert_false(asc_nodes_similar(&a, NULL, &b, NULL, &only));
    assert_false(asc_nodes_similar(&a, NULL, &c, NULL, &only)); /* c has no team */

    model_node_unref_strings(&a, f->t);
    model_node_unref_strings(&b, f->t);
    model_node_unref_strings(&c, f->t);
}

static void split(void **state)
{
    (void)state;
    /* Sizes 3, 1, 5 (max 10 each), 6 new nodes: 1->3 (2 nodes), then
     * 3,3 -> 4,4 -> 5,5 (4 nodes): 5, 5, 5. */
    struct asc_balance_slot s[] = { { 3, 10, 0 }, { 1, 10, 0 }, { 5, 10, 0 } };
    assert_int_equal(asc_balance_split(s, 3, 6), 6);
    assert_int_equal(s[0].new_size, 5);
    assert_int_equal(s[1].new_size, 5);
    assert_int_equal(s[2].new_size, 5);

    /* One more than divides evenly: the earliest of the smallest gets it.
     * 2, 2, 2 + 4 -> 4, 3, 3. */
    struct asc_balance_slot t[] = { { 2, 10, 0 }, { 2, 10, 0 }, { 2, 10, 0 } };
    assert_int_equal(asc_balance_split(t, 3, 4), 4);
    assert_int_equal(t[0].new_size, 4);
    assert_int_equal(t[1].new_size, 3);
    assert_int_equal(t[2].new_size, 3);

    /* Maxes respected: 0 (max 2), 0 (max 10), 4 (max 4, full) + 7 ->
     * 2 and 5, capped group untouched. */
    struct asc_balance_slot u[] = { { 0, 2, 0 }, { 0, 10, 0 }, { 4, 4, 0 } };
    assert_int_equal(asc_balance_split(u, 3, 7), 7);
    assert_int_equal(u[0].new_size, 2);
    assert_int_equal(u[1].new_size, 5);
    assert_int_equal(u[2].new_size, 4);

    /* More than the room left: capped at the total room (2 + 1). */
    struct asc_balance_slot v[] = { { 1, 3, 0 }, { 5, 6, 0 } };
    assert_int_equal(asc_balance_split(v, 2, 10), 3);
    assert_int_equal(v[0].new_size, 3);
    assert_int_equal(v[1].new_size, 6);

    /* A group above its max (max lowered) takes nothing. */
    struct asc_balance_slot w[] = { { 8, 5, 0 }, { 0, 5, 0 } };
    assert_int_equal(asc_balance_split(w, 2, 3), 3);
    assert_int_equal(w[0].new_size, 8);
    assert_int_equal(w[1].new_size, 3);
    assert_int_equal(asc_balance_split(w, 0, 3), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(similar_pairs, setup, teardown),
        cmocka_unit_test_setup_teardown(labels_and_ignore_lists, setup, teardown),
        cmocka_unit_test(split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
