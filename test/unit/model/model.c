/*
 * Tests of lib/model/model.c: a pod's effective request (containers, init
 * containers, sidecars, pod-level requests, overhead), label selector
 * matching, and the cluster's arrays (the workload controllers go to the
 * array of their kind) and reference release. Builds objects by hand; reads
 * no files.
 */
#include "hs_test.h"

#include <string.h>

#include "base/arena.h"
#include "base/intern.h"
#include "model/model.h"

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

static struct model_container_req ctr(int64_t cpu, int64_t mem, bool init, bool sidecar)
{
    struct model_container_req c;
    memset(&c, 0, sizeof(c));
    c.req.cpu_milli = cpu;
    c.req.memory = mem;
    c.init = init;
    c.restartable = sidecar;
    return c;
}

static void requests_containers_only(void **state)
{
    struct fx *f = *state;
    struct model_container_req c[] = { ctr(100, 1000, false, false), ctr(200, 24, false, false) };
    struct model_resources r;
    model_pod_requests(c, 2, NULL, NULL, &f->a, &r);
    assert_int_equal(r.cpu_milli, 300);
    assert_int_equal(r.memory, 1024);
}

static void requests_init_dominates_per_resource(void **state)
{
    struct fx *f = *state;
    /* init needs more cpu, containers more memory: the max is per resource */
    struct model_container_req c[] = { ctr(500, 10, true, false), ctr(100, 100, false, false) };
    struct model_resources r;
    model_pod_requests(c, 2, NULL, NULL, &f->a, &r);
    assert_int_equal(r.cpu_milli, 500);
    assert_int_equal(r.memory, 100);
}

static void requests_sidecar_before_init(void **state)
{
    struct fx *f = *state;
    /* sidecar 100m, then init 1000m, then container 300m:
     * running = 300 + 100 = 400; init phase = 1000 + 100 (sidecar started
     * before it) = 1100; effective 1100. */
    struct model_container_req c[] = { ctr(100, 0, true, true), ctr(1000, 0, true, false),
                                       ctr(300, 0, false, false) };
    struct model_resources r;
    model_pod_requests(c, 3, NULL, NULL, &f->a, &r);
    assert_int_equal(r.cpu_milli, 1100);
}

static void requests_sidecar_after_init(void **state)
{
    struct fx *f = *state;
    /* init 1000m first (no sidecar running yet), then sidecar 100m, then
     * container 300m: running = 400, init phase = 1000: effective 1000. */
    struct model_container_req c[] = { ctr(1000, 0, true, false), ctr(100, 0, true, true),
                                       ctr(300, 0, false, false) };
    struct model_resources r;
    model_pod_requests(c, 3, NULL, NULL, &f->a, &r);
    assert_int_equal(r.cpu_milli, 1000);
}

static void requests_sidecars_accumulate(void **state)
{
    struct fx *f = *state;
    /* two sidecars of 400m each then init 300m: the init phase needs
     * 400+400+300 = 1100 while running needs 400+400+100 = 900. */
    struct model_container_req c[] = { ctr(400, 0, true, true), ctr(400, 0, true, true),
                                       ctr(300, 0, true, false), ctr(100, 0, false, false) };
    struct model_resources r;
    model_pod_requests(c, 4, NULL, NULL, &f->a, &r);
    assert_int_equal(r.cpu_milli, 1100);
}

static void requests_overhead_and_pod_level(void **state)
{
    struct fx *f = *state;
    struct model_container_req c[] = { ctr(100, 100, false, false) };
    struct model_resources ovh = { .cpu_milli = 250, .memory = 50 };
    struct model_pod_level_req pl = { .has_cpu = true, .cpu_milli = 2000 };
    struct model_resources r;
    model_pod_requests(c, 1, &pl, &ovh, &f->a, &r);
    assert_int_equal(r.cpu_milli, 2250); /* pod-level replaces, overhead adds */
    assert_int_equal(r.memory, 150);
}

static void requests_scalars(void **state)
{
    struct fx *f = *state;
    const char *gpu = hs_intern_cstr(f->t, "nvidia.com/gpu");
    const char *hp = hs_intern_cstr(f->t, "hugepages-2Mi");
    struct model_scalar s1[] = { { hp, 4 }, { gpu, 1 } };
    struct model_scalar s2[] = { { gpu, 2 } };
    struct model_container_req c[] = { ctr(0, 0, false, false), ctr(0, 0, false, false),
                                       ctr(0, 0, true, false) };
    c[0].req.n_scalar = 2;
    c[0].req.scalar = s1;
    c[1].req.n_scalar = 1;
    c[1].req.scalar = s2;
    struct model_scalar s3[] = { { gpu, 4 } };
    c[2].req.n_scalar = 1;
    c[2].req.scalar = s3;
    struct model_resources r;
    model_pod_requests(c, 3, NULL, NULL, &f->a, &r);
    assert_int_equal(model_resources_scalar(&r, gpu), 4); /* max(1+2, 4) */
    assert_int_equal(model_resources_scalar(&r, hp), 4);
    struct model_scalar php[] = { { hp, 8 } };
    struct model_pod_level_req pl = { .n_hugepages = 1, .hugepages = php };
    model_pod_requests(c, 3, &pl, NULL, &f->a, &r);
    assert_int_equal(model_resources_scalar(&r, hp), 8);
    assert_int_equal(s1[0].value, 4); /* inputs untouched */
    hs_intern_unref(f->t, gpu);
    hs_intern_unref(f->t, hp);
}

static void selector_matching(void **state)
{
    struct fx *f = *state;
    struct hs_intern *t = f->t;
    const char *app = hs_intern_cstr(t, "app"), *web = hs_intern_cstr(t, "web");
    const char *tier = hs_intern_cstr(t, "tier"), *db = hs_intern_cstr(t, "db");
    const char *cores = hs_intern_cstr(t, "cores"), *eight = hs_intern_cstr(t, "8");
    struct model_label lv[] = { { app, web }, { cores, eight } };
    struct model_labels labels = { lv, 2 };
    const char *vals_web[] = { web };
    const char *vals_db[] = { db };
    struct model_requirement in_web = { app, MODEL_OP_IN, 1, vals_web, 0 };
    struct model_requirement in_db = { app, MODEL_OP_IN, 1, vals_db, 0 };
    struct model_requirement notin_db = { app, MODEL_OP_NOT_IN, 1, vals_db, 0 };
    struct model_requirement notin_tier = { tier, MODEL_OP_NOT_IN, 1, vals_db, 0 };
    struct model_requirement exists = { app, MODEL_OP_EXISTS, 0, NULL, 0 };
    struct model_requirement dne = { tier, MODEL_OP_DOES_NOT_EXIST, 0, NULL, 0 };
    struct model_requirement gt4 = { cores, MODEL_OP_GT, 0, NULL, 4 };
    struct model_requirement lt4 = { cores, MODEL_OP_LT, 0, NULL, 4 };
    struct model_requirement gt_app = { app, MODEL_OP_GT, 0, NULL, 1 };
    struct model_requirement invalid = { app, MODEL_OP_INVALID, 0, NULL, 0 };
    assert_true(model_requirement_matches(&in_web, &labels));
    assert_false(model_requirement_matches(&in_db, &labels));
    assert_true(model_requirement_matches(&notin_db, &labels));
    assert_true(model_requirement_matches(&notin_tier, &labels)); /* absent key */
    assert_true(model_requirement_matches(&exists, &labels));
    assert_true(model_requirement_matches(&dne, &labels));
    assert_true(model_requirement_matches(&gt4, &labels));
    assert_false(model_requirement_matches(&lt4, &labels));
    assert_false(model_requirement_matches(&gt_app, &labels)); /* "web" is not an integer */
    assert_false(model_requirement_matches(&invalid, &labels));

    struct model_requirement both[] = { in_web, dne };
    struct model_label_selector sel = { true, 2, both };
    assert_true(model_selector_matches(&sel, &labels));
    struct model_requirement fail[] = { in_web, in_db };
    struct model_label_selector sel2 = { true, 2, fail };
    assert_false(model_selector_matches(&sel2, &labels));
    struct model_label_selector empty = { true, 0, NULL };
    struct model_label_selector null = { false, 0, NULL };
    assert_true(model_selector_matches(&empty, &labels));
    assert_false(model_selector_matches(&null, &labels));
    assert_ptr_equal(model_labels_get(&labels, app), web);
    assert_null(model_labels_get(&labels, tier));
    const char *all[] = { app, web, tier, db, cores, eight };
    for (size_t i = 0; i < 6; i++)
        hs_intern_unref(t, all[i]);
    assert_int_equal(hs_intern_count(t), 0);
}

static void cluster_lifetime(void **state)
{
    struct fx *f = *state;
    struct model_cluster *c = model_cluster_new(f->t);
    struct model_pod *p = HS_ARENA_NEW(&c->arena, struct model_pod);
    p->ns = hs_intern_cstr(f->t, "kube-system");
    p->node_name = hs_intern_cstr(f->t, "node-1");
    model_cluster_add_pod(c, p);
    struct model_node *n = HS_ARENA_NEW(&c->arena, struct model_node);
    n->name = hs_intern_cstr(f->t, "node-1");
    model_cluster_add_node(c, n);
    assert_int_equal(c->n_pods, 1);
    assert_ptr_equal(p->node_name, n->name);
    model_cluster_free(&c);
    assert_null(c);
    assert_int_equal(hs_intern_count(f->t), 0);
    model_cluster_free(&c);
}

static void cluster_controllers_and_storage(void **state)
{
    struct fx *f = *state;
    struct hs_intern *t = f->t;
    struct model_cluster *c = model_cluster_new(t);
    static const enum model_workload_kind kinds[] = {
        MODEL_WORKLOAD_REPLICA_SET,
        MODEL_WORKLOAD_STATEFUL_SET,
        MODEL_WORKLOAD_REPLICATION_CONTROLLER,
        MODEL_WORKLOAD_DEPLOYMENT,
        MODEL_WORKLOAD_REPLICA_SET,
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        struct model_workload *w = HS_ARENA_NEW(&c->arena, struct model_workload);
        w->kind = kinds[i];
        w->ns = hs_intern_cstr(t, "shop");
        w->n_owners = 2;
        w->owners = HS_ARENA_NEW_ARRAY(&c->arena, struct model_owner_ref, 2);
        w->owners[0].kind = hs_intern_cstr(t, "Other");
        w->owners[1].kind = hs_intern_cstr(t, "Deployment");
        w->owners[1].controller = true;
        w->owners[1].name = "web";
        model_cluster_add_workload(c, w);
    }
    assert_int_equal(c->n_replicasets, 2);
    assert_int_equal(c->n_statefulsets, 1);
    assert_int_equal(c->n_replication_controllers, 1);
    assert_int_equal(c->n_deployments, 1);
    assert_int_equal(c->replicasets[1]->kind, MODEL_WORKLOAD_REPLICA_SET);
    assert_int_equal(c->deployments[0]->kind, MODEL_WORKLOAD_DEPLOYMENT);
    assert_string_equal(model_workload_controller(c->replicasets[0])->name, "web");
    struct model_workload bare = { 0 };
    assert_null(model_workload_controller(&bare));

    struct model_job *j = HS_ARENA_NEW(&c->arena, struct model_job);
    j->ns = hs_intern_cstr(t, "batch");
    j->n_owners = 1;
    j->owners = HS_ARENA_NEW_ARRAY(&c->arena, struct model_owner_ref, 1);
    j->owners[0].kind = hs_intern_cstr(t, "CronJob");
    model_cluster_add_job(c, j);
    struct model_namespace *ns = HS_ARENA_NEW(&c->arena, struct model_namespace);
    ns->name = hs_intern_cstr(t, "shop");
    ns->labels.n = 1;
    ns->labels.v = HS_ARENA_NEW_ARRAY(&c->arena, struct model_label, 1);
    ns->labels.v[0].key = hs_intern_cstr(t, "team");
    ns->labels.v[0].value = hs_intern_cstr(t, "a");
    model_cluster_add_namespace(c, ns);
    struct model_storage_class *sc = HS_ARENA_NEW(&c->arena, struct model_storage_class);
    sc->name = hs_intern_cstr(t, "gp3");
    sc->binding_mode = MODEL_BINDING_WAIT_FOR_FIRST_CONSUMER;
    model_cluster_add_storage_class(c, sc);
    assert_int_equal(c->n_jobs, 1);
    assert_int_equal(c->n_namespaces, 1);
    assert_int_equal(c->n_storage_classes, 1);
    /* the namespace's name is the workloads' ns pointer */
    assert_ptr_equal(c->namespaces[0]->name, c->statefulsets[0]->ns);
    assert_true(hs_intern_count(t) > 0);
    model_cluster_free(&c); /* drops every reference taken above */
    assert_int_equal(hs_intern_count(t), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(requests_containers_only, setup, teardown),
        cmocka_unit_test_setup_teardown(requests_init_dominates_per_resource, setup, teardown),
        cmocka_unit_test_setup_teardown(requests_sidecar_before_init, setup, teardown),
        cmocka_unit_test_setup_teardown(requests_sidecar_after_init, setup, teardown),
        cmocka_unit_test_setup_teardown(requests_sidecars_accumulate, setup, teardown),
        cmocka_unit_test_setup_teardown(requests_overhead_and_pod_level, setup, teardown),
        cmocka_unit_test_setup_teardown(requests_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(selector_matching, setup, teardown),
        cmocka_unit_test_setup_teardown(cluster_lifetime, setup, teardown),
        cmocka_unit_test_setup_teardown(cluster_controllers_and_storage, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
