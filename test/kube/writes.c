/*
 * hoist's writes against the fake API server, each checked with the real
 * kubectl: taints and cordon through a concurrent conflicting write (409,
 * read again, success, the other writer's change kept), eviction refused by
 * a PDB (429) then allowed, eviction of a gone pod (404 = success), events
 * deduplicated within the window (fake clock) unless duplicates are asked
 * for, the status ConfigMap created then updated, and RBAC's 403 as one
 * clear line.
 */
#include "harness.h"

#include "hs_test.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "base/alloc.h"
#include "kube/writes.h"

struct result {
    bool done;
    enum hs_code rc;
    char msg[512];
};

static void on_done(void *ctx, enum hs_code rc, const struct hs_err *err)
{
    struct result *r = ctx;
    r->done = true;
    r->rc = rc;
    snprintf(r->msg, sizeof(r->msg), "%s", err ? err->msg : "");
}

static bool is_done(void *ctx)
{
    return ((struct result *)ctx)->done;
}

static void wait_result(struct ev_loop *loop, struct result *r)
{
    assert_true(kwait(loop, 60, is_done, r));
    if (r->rc)
        fprintf(stderr, "write: %s: %s\n", hs_errname(r->rc), r->msg);
}

static const char node_n1[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\",\"labels\":"
    "{\"a\":\"1\"}},\"spec\":{\"taints\":[{\"key\":\"existing\",\"effect\":\"PreferNoSchedule\"}]},"
    "\"status\":{\"allocatable\":{\"cpu\":\"2\"}}}";

struct sent_ctx {
    struct kube_client *c;
    uint64_t n;
};

static bool sent_at_least(void *ctx)
{
    struct sent_ctx *s = ctx;
    return kube_client_requests_sent(s->c) >= s->n;
}

static void test_taints_and_cordon(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct kfake f;
    assert_int_equal(kfake_start(&f, loop, NULL), 0);
    kfake_admin(&f, "objects", node_n1);
    struct kube_client_options co = { 0 };
    co.qps = -1;
    struct kube_client *c = kclient(&f, &co);

    /* The PUT waits 2 s in the server; meanwhile someone else writes the
     * node (a new label), so our PUT carries a stale resourceVersion. */
    kfake_admin(&f, "faults",
                "{\"rules\":[{\"match\":{\"method\":\"PUT\",\"path\":\"/nodes/n1$\"},"
                "\"delaySeconds\":2,\"count\":1}]}");
    struct result r = { 0 };
    struct kube_taint_spec t = { "ToBeDeletedByClusterAutoscaler", "1795852800", "NoSchedule" };
    struct hs_err err = { 0 };
    assert_int_equal(kube_node_add_taint(c, "n1", &t, on_done, &r, &err), HS_OK);
    struct sent_ctx s = { c, 2 };
    assert_true(kwait(loop, 30, sent_at_least, &s)); /* GET done, PUT sent */
    kfake_admin(&f, "objects",
                "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\","
                "\"labels\":{\"a\":\"1\",\"concurrent\":\"yes\"}},\"spec\":{\"taints\":"
                "[{\"key\":\"existing\",\"effect\":\"PreferNoSchedule\"}]},"
                "\"status\":{\"allocatable\":{\"cpu\":\"2\"}}}");
    wait_result(loop, &r);
    assert_int_equal(r.rc, HS_OK);
    assert_int_equal(kube_client_requests_sent(c), 4); /* GET PUT(409) GET PUT */
    char *out = NULL;
    assert_int_equal(kubectl(&f, &out, "get node n1 -o jsonpath='{.spec.taints[*].key}'"), 0);
    assert_string_equal(out, "existing ToBeDeletedByClusterAutoscaler");
    hs_free(out);
    assert_int_equal(kubectl(&f, &out, "get node n1 -o jsonpath='{.metadata.labels.concurrent}'"),
                     0);
    assert_string_equal(out, "yes"); /* the other writer's change survived */
    hs_free(out);

    /* Adding it again writes nothing. */
    uint64_t before = kube_client_requests_sent(c);
    memset(&r, 0, sizeof(r));
    assert_int_equal(kube_node_add_taint(c, "n1", &t, on_done, &r, &err), HS_OK);
    wait_result(loop, &r);
    assert_int_equal(r.rc, HS_OK);
    assert_int_equal(kube_client_requests_sent(c), before + 1);

    /* Cordon, then remove the taint and uncordon. */
    memset(&r, 0, sizeof(r));
    assert_int_equal(kube_node_cordon(c, "n1", true, on_done, &r, &err), HS_OK);
    wait_result(loop, &r);
    assert_int_equal(r.rc, HS_OK);
    assert_int_equal(kubectl(&f, &out, "get node n1 -o jsonpath='{.spec.unschedulable}'"), 0);
    assert_string_equal(out, "true");
    hs_free(out);
    memset(&r, 0, sizeof(r));
    assert_int_equal(
        kube_node_remove_taint(c, "n1", "ToBeDeletedByClusterAutoscaler", NULL, on_done, &r, &err),
        HS_OK);
    wait_result(loop, &r);
    assert_int_equal(r.rc, HS_OK);
    memset(&r, 0, sizeof(r));
    assert_int_equal(kube_node_cordon(c, "n1", false, on_done, &r, &err), HS_OK);
    wait_result(loop, &r);
    assert_int_equal(kubectl(&f, &out,
                             "get node n1 -o jsonpath='{.spec.taints[*].key}/{.spec."
                             "unschedulable}'"),
                     0);
    assert_string_equal(out, "existing/");
    hs_free(out);

    /* A missing node: one line naming it. */
    memset(&r, 0, sizeof(r));
    assert_int_equal(kube_node_cordon(c, "ghost", true, on_done, &r, &err), HS_OK);
    wait_result(loop, &r);
    assert_int_equal(r.rc, HS_ENOTFOUND);
    assert_string_equal(r.msg, "GET nodes/ghost: 404 NotFound: nodes \"ghost\" not found");

    /* Conflicts forever: give up with HS_ECONFLICT after the retries. */
    kfake_admin(&f, "faults",
                "{\"rules\":[{\"match\":{\"method\":\"PUT\",\"path\":\"/nodes/n1$\"},"
                "\"status\":409}]}");
    memset(&r, 0, sizeof(r));
    assert_int_equal(kube_node_cordon(c, "n1", true, on_done, &r, &err), HS_OK);
    wait_result(loop, &r);
    assert_int_equal(r.rc, HS_ECONFLICT);
    assert_non_null(strstr(r.msg, "PUT nodes/n1: 409 "));
    kube_client_free(&c);
    kfake_stop(&f);
    ev_loop_destroy(loop);
}

static const char pdb_objects[] =
    "[{\"apiVersion\":\"policy/v1\",\"kind\":\"PodDisruptionBudget\",\"metadata\":{\"name\":"
    "\"web\",\"namespace\":\"shop\"},\"spec\":{\"minAvailable\":1,\"selector\":{\"matchLabels\":"
    "{\"app\":\"web\"}}}},"
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\",\"namespace\":"
    "\"shop\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"nodeName\":\"n1\",\"containers\":[{"
    "\"name\":\"c\",\"image\":\"x\"}]},\"status\":{\"phase\":\"Running\",\"conditions\":[{"
    "\"type\":\"Ready\",\"status\":\"True\"}]}}]";

static const char second_pod[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-2\",\"namespace\":"
    "\"shop\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"nodeName\":\"n2\",\"containers\":[{"
    "\"name\":\"c\",\"image\":\"x\"}]},\"status\":{\"phase\":\"Running\",\"conditions\":[{"
    "\"type\":\"Ready\",\"status\":\"True\"}]}}";

static void test_eviction(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct kfake f;
    assert_int_equal(kfake_start(&f, loop, NULL), 0);
    kfake_admin(&f, "objects", pdb_objects);
    struct kube_client *c = kclient(&f, NULL);
    struct hs_err err = { 0 };
    struct result r = { 0 };
    /* One healthy pod, minAvailable 1: the PDB refuses. */
    assert_int_equal(kube_pod_evict(c, "shop", "web-1", 30, on_done, &r, &err), HS_OK);
    wait_result(loop, &r);
    assert_int_equal(r.rc, HS_ETHROTTLED);
    assert_non_null(strstr(r.msg, "POST pods/shop/web-1/eviction: 429 TooManyRequests: Cannot "
                                  "evict pod as it would violate the pod's disruption budget"));
    /* A second healthy pod: now it may go. */
    kfake_admin(&f, "objects", second_pod);
    memset(&r, 0, sizeof(r));
    assert_int_equal(kube_pod_evict(c, "shop", "web-1", 30, on_done, &r, &err), HS_OK);
    wait_result(loop, &r);
    assert_int_equal(r.rc, HS_OK);
    char *out = NULL;
    assert_int_equal(kubectl(&f, &out, "get pods -n shop -o name"), 0);
    assert_string_equal(out, "pod/web-2\n");
    hs_free(out);
    /* Gone already: success. */
    memset(&r, 0, sizeof(r));
    assert_int_equal(kube_pod_evict(c, "shop", "web-1", -1, on_done, &r, &err), HS_OK);
    wait_result(loop, &r);
    assert_int_equal(r.rc, HS_OK);
    kube_client_free(&c);
    kfake_stop(&f);
    ev_loop_destroy(loop);
}

static bool recorder_idle(void *ctx)
{
    return kube_recorder_in_flight(ctx) == 0;
}

static int count_events(struct kfake *f, const char *reason)
{
    char *out = NULL;
    char cmd[256];
    snprintf(cmd, sizeof(cmd),
             "get events -A --field-selector reason=%s -o jsonpath='{range .items[*]}x{end}'",
             reason);
    assert_int_equal(kubectl(f, &out, "%s", cmd), 0);
    int n = (int)strlen(out);
    hs_free(out);
    return n;
}

static void test_events_and_configmap(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct kfake f;
    assert_int_equal(kfake_start(&f, loop, NULL), 0);
    kfake_admin(&f, "objects", pdb_objects); /* namespace shop and its pod */
    struct kube_client *c = kclient(&f, NULL);
    struct hs_fake_clock clk;
    hs_fake_clock_init(&clk, 1795852800 * HS_SEC);
    struct kube_recorder_options ro = { 0 };
    ro.clock = &clk.clock;
    ro.host = "hoist-0";
    struct kube_recorder *rec = NULL;
    struct hs_err err = { 0 };
    assert_int_equal(kube_recorder_new(c, &ro, &rec, &err), HS_OK);
    struct kube_event_ref pod = { "Pod", NULL, "shop", "web-1", "uid-1" };
    struct kube_event_ref node = { "Node", NULL, NULL, "n1", NULL };
    assert_int_equal(kube_event_record(rec, &pod, false, KUBE_REASON_TRIGGERED_SCALE_UP,
                                       "pod triggered scale-up: [{%s 1->2 (max: 5)}]", "ng-a"),
                     HS_OK);
    hs_fake_clock_advance(&clk, HS_MIN);
    assert_int_equal(kube_event_record(rec, &pod, false, KUBE_REASON_TRIGGERED_SCALE_UP,
                                       "pod triggered scale-up: [{%s 1->2 (max: 5)}]", "ng-a"),
                     HS_EEXIST);
    assert_int_equal(kube_event_record(rec, &pod, true, KUBE_REASON_NOT_TRIGGER_SCALE_UP,
                                       "pod didn't trigger scale-up: %d in backoff", 1),
                     HS_OK);
    assert_int_equal(kube_event_record(rec, &node, false, KUBE_REASON_SCALE_DOWN,
                                       "marked the node as toBeDeleted/unschedulable"),
                     HS_OK);
    hs_fake_clock_advance(&clk, 5 * HS_MIN);
    assert_int_equal(kube_event_record(rec, &pod, false, KUBE_REASON_TRIGGERED_SCALE_UP,
                                       "pod triggered scale-up: [{%s 1->2 (max: 5)}]", "ng-a"),
                     HS_OK); /* the window passed */
    assert_true(kwait(loop, 30, recorder_idle, rec));
    assert_int_equal(kube_recorder_failures(rec), 0);
    assert_int_equal(count_events(&f, "TriggeredScaleUp"), 2);
    assert_int_equal(count_events(&f, "NotTriggerScaleUp"), 1);
    char *out = NULL;
    assert_int_equal(kubectl(&f, &out,
                             "get events -n default -o jsonpath='{.items[0].involvedObject.kind}/"
                             "{.items[0].involvedObject.name}/{.items[0].reason}/{.items[0]."
                             "source.component}'"),
                     0);
    assert_string_equal(out, "Node/n1/ScaleDown/cluster-autoscaler");
    hs_free(out);
    kube_recorder_free(&rec);
    /* --record-duplicated-events */
    ro.record_duplicated = true;
    assert_int_equal(kube_recorder_new(c, &ro, &rec, &err), HS_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(kube_event_record(rec, &node, true, KUBE_REASON_SCALE_DOWN_FAILED,
                                           "failed to drain the node"),
                         HS_OK);
    assert_true(kwait(loop, 30, recorder_idle, rec));
    assert_int_equal(count_events(&f, "ScaleDownFailed"), 3);
    kube_recorder_free(&rec);

    /* The status ConfigMap: created, then updated. */
    struct result r = { 0 };
    struct kube_kv data[] = { { "status", "Cluster-autoscaler status at 08:00: Healthy" } };
    struct kube_kv ann[] = { { "cluster-autoscaler.kubernetes.io/last-updated",
                               "2026-11-28 08:00:00 +0000 UTC" } };
    assert_int_equal(kube_configmap_put(c, "kube-system", "cluster-autoscaler-status", data, 1, ann,
                                        1, on_done, &r, &err),
                     HS_OK);
    wait_result(loop, &r);
    assert_int_equal(r.rc, HS_OK);
    data[0].value = "Cluster-autoscaler status at 08:01: Healthy, 2 nodes";
    memset(&r, 0, sizeof(r));
    assert_int_equal(kube_configmap_put(c, "kube-system", "cluster-autoscaler-status", data, 1, ann,
                                        1, on_done, &r, &err),
                     HS_OK);
    wait_result(loop, &r);
    assert_int_equal(r.rc, HS_OK);
    assert_int_equal(kubectl(&f, &out,
                             "get configmap -n kube-system cluster-autoscaler-status -o "
                             "jsonpath='{.data.status}|{.metadata.annotations.cluster-autoscaler"
                             "\\.kubernetes\\.io/last-updated}'"),
                     0);
    assert_string_equal(out, "Cluster-autoscaler status at 08:01: Healthy, 2 nodes|2026-11-28 "
                             "08:00:00 +0000 UTC");
    hs_free(out);
    kube_client_free(&c);
    kfake_stop(&f);
    ev_loop_destroy(loop);
}

static const char rbac_json[] =
    "{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":["
    "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":"
    "{\"name\":\"node-reader\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"nodes\"],"
    "\"verbs\":[\"get\",\"list\",\"watch\"]}]},"
    "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRoleBinding\","
    "\"metadata\":{\"name\":\"hoist-node-reader\"},\"roleRef\":{\"apiGroup\":"
    "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"node-reader\"},"
    "\"subjects\":[{\"kind\":\"User\",\"name\":\"hoist-test\"}]}]}";

static void test_rbac_forbidden(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    char path[300];
    snprintf(path, sizeof(path), "/tmp/hoist-rbac-%d.json", (int)getpid());
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(rbac_json, fp);
    fclose(fp);
    const char *extra[] = { "--rbac", path, NULL };
    struct kfake f;
    assert_int_equal(kfake_start(&f, loop, extra), 0);
    remove(path);
    kfake_admin(&f, "objects", node_n1);
    struct kube_client *c = kclient(&f, NULL);
    struct result r = { 0 };
    struct hs_err err = { 0 };
    assert_int_equal(kube_node_cordon(c, "n1", true, on_done, &r, &err), HS_OK);
    wait_result(loop, &r);
    assert_int_equal(r.rc, HS_EAUTH);
    assert_string_equal(r.msg, "PUT nodes/n1: 403 Forbidden: nodes \"n1\" is forbidden: User "
                               "\"hoist-test\" cannot update resource \"nodes\" in API group "
                               "\"\" at the cluster scope");
    kube_client_free(&c);
    kfake_stop(&f);
    ev_loop_destroy(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taints_and_cordon),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_events_and_configmap),
        cmocka_unit_test(test_rbac_forbidden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
