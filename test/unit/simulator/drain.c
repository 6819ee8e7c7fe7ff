/*
 * Tests of simulator/drain.c: cluster-autoscaler's drainability rules with
 * their reason names and flags, PDB budgets spent across a pass, and the
 * placement of the pods that must move. Node counts in each comment are
 * derived by hand.
 */
#include "hs_test.h"

#include <string.h>

#include "fixture.h"
#include "simulator/drain.h"

struct env {
    struct fx f;
    int32_t n[3];
    struct sim_drain_options o;
    struct sim_drain_env de;
    struct sim_controller ctrl[4];
    struct model_pdb *pdbs[2];
};

/* Three 4-cpu nodes. */
static void setup(struct env *e)
{
    memset(e, 0, sizeof(*e));
    fx_init(&e->f);
    const char *names[] = { "n0", "n1", "n2" };
    for (int i = 0; i < 3; i++)
        e->n[i] = fx_add_node(&e->f, names[i], 4000, 16 * GI, 110, NULL);
    sim_drain_options_init(&e->o);
    e->de.pdbs = e->pdbs;
}

static struct model_pod *rs_pod(struct env *e, const char *ns, const char *name, int64_t cpu,
                                int32_t node)
{
    struct model_pod *p = fx_pod(&e->f, ns, name, cpu, MI);
    fx_owner(&e->f, p, "ReplicaSet", "rs", "rs-uid");
    fx_label(&e->f, &p->labels, "app", "web");
    if (node >= 0)
        fx_bind(&e->f, p, node);
    return p;
}

/* One drain in a fork that is reverted, so cases do not see each other. */
static enum sim_drain_reason drain(struct env *e, int32_t node, struct sim_drain_result *r)
{
    struct sim_drainer *d = sim_drainer_new(e->f.s, &e->o, &e->de);
    struct sim_drain_result tmp;
    sim_snapshot_fork(e->f.s);
    enum sim_drain_reason why = sim_drain_node(d, node, r ? r : &tmp);
    sim_snapshot_revert(e->f.s);
    if (r)
        r->moves = NULL; /* borrowed from the drainer freed below */
    sim_drainer_free(&d);
    return why;
}

static struct model_pdb *pdb(struct env *e, const char *ns, int32_t allowed)
{
    struct model_pdb *b = HS_ARENA_NEW(&e->f.a, struct model_pdb);
    b->ns = fx_s(&e->f, ns);
    b->name = "pdb";
    const char *const v[] = { "web", NULL };
    fx_selector_add(&e->f, &b->selector, fx_req(&e->f, "app", MODEL_OP_IN, v));
    b->disruptions_allowed = allowed;
    e->pdbs[e->de.n_pdbs++] = b;
    return b;
}

/* n0 holds 2 pods of 1 cpu; n1 is empty: both move to n1 (first fit). */
static void test_moves(void **state)
{
    (void)state;
    struct env e;
    setup(&e);
    rs_pod(&e, "d", "a", 1000, e.n[0]);
    rs_pod(&e, "d", "b", 1000, e.n[0]);
    struct sim_drainer *d = sim_drainer_new(e.f.s, &e.o, &e.de);
    struct sim_drain_result r;
    assert_int_equal(sim_drain_node(d, e.n[0], &r), SIM_DRAIN_OK);
    assert_int_equal(r.n_moves, 2);
    assert_int_equal(r.moves[0].node, e.n[1]);
    assert_int_equal(r.moves[1].node, e.n[1]);
    assert_true(sim_snapshot_node_removed(e.f.s, e.n[0]));
    /* draining it again: already removed */
    assert_int_equal(sim_drain_node(d, e.n[0], &r), SIM_DRAIN_NODE_REMOVED);
    sim_drainer_free(&d);
    fx_release(&e.f);
}

/* n1, n2 hold 3.5 cpu each: a 1-cpu pod of n0 has no place. Nothing
 * changes. */
static void test_no_place(void **state)
{
    (void)state;
    struct env e;
    setup(&e);
    struct model_pod *a = rs_pod(&e, "d", "a", 1000, e.n[0]);
    rs_pod(&e, "d", "f1", 3500, e.n[1]);
    rs_pod(&e, "d", "f2", 3500, e.n[2]);
    struct sim_drain_result r;
    assert_int_equal(drain(&e, e.n[0], &r), SIM_DRAIN_NO_PLACE);
    assert_ptr_equal(r.blocking, a);
    assert_string_equal(sim_drain_reason_name(r.reason), "NoPlaceToMovePods");
    assert_false(sim_snapshot_node_removed(e.f.s, e.n[0]));
    struct sim_node_usage u;
    sim_snapshot_node_usage(e.f.s, e.n[0], &u);
    assert_int_equal(u.cpu_milli, 1000);
    fx_release(&e.f);
}

static void test_replicated(void **state)
{
    (void)state;
    struct env e;
    setup(&e);
    struct model_pod *bare = fx_pod(&e.f, "d", "bare", 100, MI);
    fx_bind(&e.f, bare, e.n[0]);
    assert_int_equal(drain(&e, e.n[0], NULL), SIM_DRAIN_NOT_REPLICATED);
    fx_release(&e.f);
    /* safe-to-evict=true overrides */
    setup(&e);
    struct model_pod *safe = fx_pod(&e.f, "d", "safe", 100, MI);
    fx_label(&e.f, &safe->annotations, "cluster-autoscaler.kubernetes.io/safe-to-evict", "true");
    fx_bind(&e.f, safe, e.n[0]);
    assert_int_equal(drain(&e, e.n[0], NULL), SIM_DRAIN_OK);
    fx_release(&e.f);
}

static void test_custom_controller(void **state)
{
    (void)state;
    struct env e;
    setup(&e);
    struct model_pod *p = fx_pod(&e.f, "d", "rollout", 100, MI);
    fx_owner(&e.f, p, "Rollout", "r", "r-uid");
    fx_bind(&e.f, p, e.n[0]);
    assert_int_equal(drain(&e, e.n[0], NULL), SIM_DRAIN_NOT_REPLICATED);
    e.o.skip_nodes_with_custom_controller_pods = false;
    assert_int_equal(drain(&e, e.n[0], NULL), SIM_DRAIN_OK);
    fx_release(&e.f);
}

static void test_not_safe(void **state)
{
    (void)state;
    struct env e;
    setup(&e);
    struct model_pod *p = rs_pod(&e, "d", "p", 100, -1);
    fx_label(&e.f, &p->annotations, "cluster-autoscaler.kubernetes.io/safe-to-evict", "false");
    fx_bind(&e.f, p, e.n[0]);
    assert_int_equal(drain(&e, e.n[0], NULL), SIM_DRAIN_NOT_SAFE_TO_EVICT);
    assert_string_equal(sim_drain_reason_name(SIM_DRAIN_NOT_SAFE_TO_EVICT),
                        "NotSafeToEvictAnnotation");
    fx_release(&e.f);
}

static void test_local_storage(void **state)
{
    (void)state;
    struct env e;
    setup(&e);
    struct model_pod *h = rs_pod(&e, "d", "h", 100, -1);
    fx_volume(&e.f, h, "logs", MODEL_VOL_HOST_PATH, NULL);
    fx_bind(&e.f, h, e.n[0]);
    struct model_pod *m = rs_pod(&e, "d", "m", 100, -1);
    fx_volume(&e.f, m, "tmp", MODEL_VOL_EMPTY_DIR_MEMORY, NULL);
    fx_bind(&e.f, m, e.n[1]);
    struct model_pod *s = rs_pod(&e, "d", "s", 100, -1);
    fx_volume(&e.f, s, "scratch", MODEL_VOL_EMPTY_DIR, NULL);
    fx_volume(&e.f, s, "cache", MODEL_VOL_EMPTY_DIR, NULL);
    fx_label(&e.f, &s->annotations, "cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes",
             "scratch,cache");
    fx_bind(&e.f, s, e.n[2]);
    assert_int_equal(drain(&e, e.n[0], NULL), SIM_DRAIN_LOCAL_STORAGE);
    assert_int_equal(drain(&e, e.n[1], NULL), SIM_DRAIN_OK); /* memory emptyDir */
    assert_int_equal(drain(&e, e.n[2], NULL), SIM_DRAIN_OK); /* listed volumes */
    e.o.skip_nodes_with_local_storage = false;
    assert_int_equal(drain(&e, e.n[0], NULL), SIM_DRAIN_OK);
    fx_release(&e.f);
}

static void test_kube_system(void **state)
{
    (void)state;
    struct env e;
    setup(&e);
    rs_pod(&e, "kube-system", "dns", 100, e.n[0]);
    assert_int_equal(drain(&e, e.n[0], NULL), SIM_DRAIN_KUBE_SYSTEM);
    e.o.skip_nodes_with_system_pods = false;
    assert_int_equal(drain(&e, e.n[0], NULL), SIM_DRAIN_OK);
    fx_release(&e.f);
    setup(&e);
    rs_pod(&e, "kube-system", "dns", 100, e.n[0]);
    pdb(&e, "kube-system", 1);
    assert_int_equal(drain(&e, e.n[0], NULL), SIM_DRAIN_OK);
    fx_release(&e.f);
}

/* A PDB allowing 1 disruption: n0 with 2 matching pods is blocked
 * (NotEnoughPdb); in a pass over n1 and n2 with 1 pod each, n1 spends the
 * budget and n2 is blocked. */
static void test_pdb(void **state)
{
    (void)state;
    struct env e;
    setup(&e);
    rs_pod(&e, "d", "a", 100, e.n[0]);
    rs_pod(&e, "d", "b", 100, e.n[0]);
    rs_pod(&e, "d", "c", 100, e.n[1]);
    rs_pod(&e, "d", "x", 100, e.n[2]);
    pdb(&e, "d", 1);
    struct sim_drainer *d = sim_drainer_new(e.f.s, &e.o, &e.de);
    struct sim_drain_result r;
    assert_int_equal(sim_drain_node(d, e.n[0], &r), SIM_DRAIN_NOT_ENOUGH_PDB);
    assert_int_equal(sim_drain_node(d, e.n[1], &r), SIM_DRAIN_OK);
    assert_int_equal(sim_drain_node(d, e.n[2], &r), SIM_DRAIN_NOT_ENOUGH_PDB);
    sim_drainer_free(&d);
    /* a PDB of another namespace does not count */
    e.pdbs[0]->ns = fx_s(&e.f, "elsewhere");
    e.pdbs[0]->disruptions_allowed = 0;
    assert_int_equal(drain(&e, e.n[2], NULL), SIM_DRAIN_OK);
    fx_release(&e.f);
}

static void test_min_replicas(void **state)
{
    (void)state;
    struct env e;
    setup(&e);
    rs_pod(&e, "d", "a", 100, e.n[0]);
    e.o.min_replica_count = 2;
    e.ctrl[0] = (struct sim_controller){ .kind = fx_s(&e.f, "ReplicaSet"),
                                         .ns = fx_s(&e.f, "d"),
                                         .name = "rs",
                                         .has_replicas = true,
                                         .replicas = 1 };
    e.de.controllers = e.ctrl;
    e.de.n_controllers = 1;
    assert_int_equal(drain(&e, e.n[0], NULL), SIM_DRAIN_MIN_REPLICAS);
    assert_string_equal(sim_drain_reason_name(SIM_DRAIN_MIN_REPLICAS), "MinReplicasReached");
    e.ctrl[0].replicas = 3;
    assert_int_equal(drain(&e, e.n[0], NULL), SIM_DRAIN_OK);
    e.ctrl[0].name = "other";
    assert_int_equal(drain(&e, e.n[0], NULL), SIM_DRAIN_CONTROLLER_NOT_FOUND);
    fx_release(&e.f);
}

/* DaemonSet and mirror pods stay: with the other nodes full, the node
 * still drains (nothing to move); a long-terminating pod is ignored too. */
static void test_ignored(void **state)
{
    (void)state;
    struct env e;
    setup(&e);
    rs_pod(&e, "d", "f1", 4000, e.n[1]);
    rs_pod(&e, "d", "f2", 4000, e.n[2]);
    struct model_pod *ds = fx_pod(&e.f, "kube-system", "ds", 100, MI);
    fx_owner(&e.f, ds, "DaemonSet", "ds", "ds-uid");
    fx_bind(&e.f, ds, e.n[0]);
    struct model_pod *mirror = fx_pod(&e.f, "kube-system", "static", 100, MI);
    fx_label(&e.f, &mirror->annotations, "kubernetes.io/config.mirror", "abc");
    fx_bind(&e.f, mirror, e.n[0]);
    struct model_pod *dying = rs_pod(&e, "d", "dying", 100, -1);
    dying->deletion_ts = 1000;
    fx_bind(&e.f, dying, e.n[0]);
    e.o.now = 1000 + 30 + 30 + 1;
    struct sim_drain_result r;
    assert_int_equal(drain(&e, e.n[0], &r), SIM_DRAIN_OK);
    assert_int_equal(r.n_moves, 0);
    /* within its grace period the dying pod must still move: no place */
    e.o.now = 1010;
    assert_int_equal(drain(&e, e.n[0], &r), SIM_DRAIN_NO_PLACE);
    assert_ptr_equal(r.blocking, dying);
    fx_release(&e.f);
}

/* A pass over three nodes with 2 pods of 1 cpu each (4-cpu nodes):
 * n0 -> both pods to n1 (n1 at 4 cpu); n1 -> its 4 pods need 4 cpu, n2 has
 * 2 free: NoPlaceToMovePods; n2 -> 2 pods, n1 is full and n0 removed:
 * NoPlaceToMovePods. One node of three goes. */
static void test_pass(void **state)
{
    (void)state;
    struct env e;
    setup(&e);
    for (int i = 0; i < 3; i++) {
        rs_pod(&e, "d", "a", 1000, e.n[i]);
        rs_pod(&e, "d", "b", 1000, e.n[i]);
    }
    struct sim_drainer *d = sim_drainer_new(e.f.s, &e.o, &e.de);
    struct sim_drain_result r;
    assert_int_equal(sim_drain_node(d, e.n[0], &r), SIM_DRAIN_OK);
    assert_int_equal(sim_drain_node(d, e.n[1], &r), SIM_DRAIN_NO_PLACE);
    assert_int_equal(sim_drain_node(d, e.n[2], &r), SIM_DRAIN_NO_PLACE);
    struct sim_node_usage u;
    sim_snapshot_node_usage(e.f.s, e.n[1], &u);
    assert_int_equal(u.cpu_milli, 4000);
    sim_drainer_free(&d);
    fx_release(&e.f);
}

/* A pod with anti-affinity to its own app cannot join another replica. */
static void test_anti_affinity(void **state)
{
    (void)state;
    struct env e;
    setup(&e);
    for (int i = 0; i < 3; i++) {
        struct model_pod *p = rs_pod(&e, "d", "a", 100, -1);
        fx_aff(&e.f, p, true, "kubernetes.io/hostname", "app", "web");
        fx_bind(&e.f, p, e.n[i]);
    }
    assert_int_equal(drain(&e, e.n[0], NULL), SIM_DRAIN_NO_PLACE);
    fx_release(&e.f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moves),        cmocka_unit_test(test_no_place),
        cmocka_unit_test(test_replicated),   cmocka_unit_test(test_custom_controller),
        cmocka_unit_test(test_not_safe),     cmocka_unit_test(test_local_storage),
        cmocka_unit_test(test_kube_system),  cmocka_unit_test(test_pdb),
        cmocka_unit_test(test_min_replicas), cmocka_unit_test(test_ignored),
        cmocka_unit_test(test_pass),         cmocka_unit_test(test_anti_affinity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
