/*
 * The list+watch caches against the fake API server: every cache converges
 * to the fake's /_fake/state (same objects, same resourceVersions) through
 * creates, updates and deletes, dropped watches, compaction (410, as an
 * ERROR event and as an HTTP status), 500s and 429 with Retry-After; the pod
 * indexes follow; StorageClasses created and deleted with kubectl arrive; a
 * churn of 10,000 random changes ends with every cache equal to the server.
 * Polls, never sleeps.
 */
#include "harness.h"

#include "hs_test.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/intern.h"
#include "base/rng.h"
#include "kube/cache.h"

/* Every kind lib/kube caches. */
#define NKINDS   13
#define SC_CACHE 12 /* e.caches[SC_CACHE] holds the StorageClasses */
static const enum kube_kind kinds[NKINDS] = {
    KUBE_KIND_NODE,          KUBE_KIND_POD,         KUBE_KIND_PDB,
    KUBE_KIND_DAEMONSET,     KUBE_KIND_PVC,         KUBE_KIND_PV,
    KUBE_KIND_NAMESPACE,     KUBE_KIND_REPLICA_SET, KUBE_KIND_STATEFUL_SET,
    KUBE_KIND_DEPLOYMENT,    KUBE_KIND_JOB,         KUBE_KIND_REPLICATION_CONTROLLER,
    KUBE_KIND_STORAGE_CLASS,
};
static const char *const plurals[NKINDS] = {
    "nodes",
    "pods",
    "poddisruptionbudgets",
    "daemonsets",
    "persistentvolumeclaims",
    "persistentvolumes",
    "namespaces",
    "replicasets",
    "statefulsets",
    "deployments",
    "jobs",
    "replicationcontrollers",
    "storageclasses",
};

struct env {
    struct ev_loop *loop;
    struct kfake f;
    struct hs_intern *intern;
    struct kube_client *client;
    struct kube_cache *caches[NKINDS];
    size_t unsched_calls;
    char last_unsched[128];
};

static void on_unsched(void *ctx, struct kube_cache *c, const struct model_pod *p)
{
    struct env *e = ctx;
    (void)c;
    e->unsched_calls++;
    snprintf(e->last_unsched, sizeof(e->last_unsched), "%s/%s", p->ns, p->name);
}

static void env_start(struct env *e, const char *const *extra, int64_t backoff_ns)
{
    memset(e, 0, sizeof(*e));
    e->loop = ev_loop_new(EVFLAG_AUTO);
    assert_int_equal(kfake_start(&e->f, e->loop, extra), 0);
    e->intern = hs_intern_new();
    struct kube_client_options co = { 0 };
    co.qps = -1;
    e->client = kclient(&e->f, &co);
    for (size_t i = 0; i < NKINDS; i++) {
        struct kube_cache_options o = { 0 };
        o.intern = e->intern;
        o.page_size = 7; /* many pages even for small sets */
        o.backoff_base_ns = backoff_ns;
        o.backoff_cap_ns = 4 * backoff_ns;
        o.seed = 42 + i;
        o.watch_timeout_ns = 60 * HS_SEC;
        o.ctx = e;
        if (kinds[i] == KUBE_KIND_POD)
            o.on_unschedulable = on_unsched;
        struct hs_err err = { 0 };
        assert_int_equal(kube_cache_new(e->client, kinds[i], &o, &e->caches[i], &err), HS_OK);
    }
}

static void env_stop(struct env *e)
{
    for (size_t i = 0; i < NKINDS; i++)
        kube_cache_free(&e->caches[i]);
    kube_client_free(&e->client);
    kfake_stop(&e->f);
    assert_int_equal(hs_intern_count(e->intern), 0); /* every reference given back */
    hs_intern_free(&e->intern);
    ev_loop_destroy(e->loop);
}

/* Whether cache i holds exactly what the fake holds (keys and versions). */
static bool cache_matches(struct env *e, size_t i, bool verbose)
{
    char path[128], *body = NULL;
    snprintf(path, sizeof(path), "/_fake/state?resource=%s", plurals[i]);
    if (kfake_request(&e->f, "GET", path, NULL, &body) != 200) {
        hs_free(body);
        return false;
    }
    json_t *root = json_loads(body, 0, NULL);
    hs_free(body);
    json_t *items = json_object_get(root, "items");
    size_t n = json_array_size(items);
    bool ok = n == kube_cache_len(e->caches[i]);
    if (!ok && verbose)
        fprintf(stderr, "%s: fake has %zu, cache %zu\n", plurals[i], n,
                kube_cache_len(e->caches[i]));
    for (size_t k = 0; ok && k < n; k++) {
        json_t *meta = json_object_get(json_array_get(items, k), "metadata");
        const char *ns = json_string_value(json_object_get(meta, "namespace"));
        const char *name = json_string_value(json_object_get(meta, "name"));
        const char *rvs = json_string_value(json_object_get(meta, "resourceVersion"));
        uint64_t rv = 0;
        const struct kube_object *o = kube_cache_get(e->caches[i], ns, name, &rv);
        if (!o || rv != strtoull(rvs, NULL, 10)) {
            if (verbose)
                fprintf(stderr, "%s: %s/%s rv %s: cache has %s (rv %llu)\n", plurals[i],
                        ns ? ns : "", name, rvs, o ? "another version" : "nothing",
                        (unsigned long long)rv);
            ok = false;
        }
    }
    json_decref(root);
    return ok;
}

static bool all_match(void *ctx)
{
    struct env *e = ctx;
    for (size_t i = 0; i < NKINDS; i++)
        if (!kube_cache_synced(e->caches[i]) || !cache_matches(e, i, false))
            return false;
    return true;
}

static void wait_all_match(struct env *e, double timeout)
{
    bool ok = kwait(e->loop, timeout, all_match, e);
    if (!ok)
        for (size_t i = 0; i < NKINDS; i++)
            cache_matches(e, i, true);
    assert_true(ok);
}

static void add_objects(struct env *e, const char *json)
{
    kfake_admin(&e->f, "objects", json);
}

static char *pod_json(const char *ns, const char *name, const char *node, const char *extra_label,
                      bool unschedulable)
{
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_addf(&b,
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\","
                "\"namespace\":\"%s\",\"labels\":{\"app\":\"web\",\"v\":\"%s\"}},"
                "\"spec\":{%s%s%s\"containers\":[{\"name\":\"c\",\"image\":\"x\","
                "\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"}}}]},"
                "\"status\":{\"phase\":\"%s\"%s}}",
                name, ns, extra_label ? extra_label : "0", node ? "\"nodeName\":\"" : "",
                node ? node : "", node ? "\"," : "", node ? "Running" : "Pending",
                unschedulable ? ",\"conditions\":[{\"type\":\"PodScheduled\",\"status\":"
                                "\"False\",\"reason\":\"Unschedulable\"}]"
                              : "");
    return hs_buf_detach(&b);
}

static const char seed_json[] =
    "[{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"},"
    "\"status\":{\"allocatable\":{\"cpu\":\"2\",\"memory\":\"4Gi\",\"pods\":\"110\"}}},"
    "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n2\"},"
    "\"status\":{\"allocatable\":{\"cpu\":\"2\",\"memory\":\"4Gi\",\"pods\":\"110\"}}},"
    "{\"apiVersion\":\"policy/v1\",\"kind\":\"PodDisruptionBudget\",\"metadata\":{\"name\":"
    "\"web\",\"namespace\":\"a\"},\"spec\":{\"minAvailable\":1,\"selector\":{\"matchLabels\":"
    "{\"app\":\"web\"}}}},"
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"ds\","
    "\"namespace\":\"kube-system\"},\"spec\":{\"selector\":{\"matchLabels\":{\"k\":\"ds\"}},"
    "\"template\":{\"metadata\":{\"labels\":{\"k\":\"ds\"}},\"spec\":{\"containers\":[{\"name\":"
    "\"c\",\"image\":\"x\"}]}}}},"
    "{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolumeClaim\",\"metadata\":{\"name\":\"data\","
    "\"namespace\":\"a\"},\"spec\":{\"volumeName\":\"pv1\"},\"status\":{\"phase\":\"Bound\"}},"
    "{\"apiVersion\":\"v1\",\"kind\":\"PersistentVolume\",\"metadata\":{\"name\":\"pv1\"},"
    "\"spec\":{\"claimRef\":{\"namespace\":\"a\",\"name\":\"data\"}}},"
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"web-1\","
    "\"namespace\":\"a\",\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":"
    "\"Deployment\",\"name\":\"web\",\"uid\":\"u1\",\"controller\":true}]},\"spec\":"
    "{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}}},"
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
    "\"namespace\":\"a\"},\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":"
    "\"web\"}}}},"
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"db\","
    "\"namespace\":\"a\"},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":"
    "\"db\"}}}},"
    "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"once\","
    "\"namespace\":\"b\"},\"spec\":{\"parallelism\":2,\"completions\":4}},"
    "{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\",\"metadata\":{\"name\":"
    "\"old\",\"namespace\":\"b\"},\"spec\":{\"replicas\":1}},"
    "{\"apiVersion\":\"storage.k8s.io/v1\",\"kind\":\"StorageClass\",\"metadata\":{\"name\":"
    "\"gp3\"},\"provisioner\":\"ebs.csi.aws.com\",\"volumeBindingMode\":"
    "\"WaitForFirstConsumer\",\"reclaimPolicy\":\"Delete\"},"
    "{\"apiVersion\":\"storage.k8s.io/v1\",\"kind\":\"StorageClass\",\"metadata\":{\"name\":"
    "\"standard\"},\"provisioner\":\"kubernetes.io/aws-ebs\",\"volumeBindingMode\":"
    "\"Immediate\"}]";

static void start_all(struct env *e)
{
    for (size_t i = 0; i < NKINDS; i++)
        kube_cache_start(e->caches[i]);
}

/* Seed, list, then creates, updates and deletes through the watch; the
 * pod indexes follow and the unschedulable callback fires once per pod. */
static void test_converges_and_indexes(void **state)
{
    (void)state;
    struct env e;
    env_start(&e, NULL, 200 * HS_MSEC);
    add_objects(&e, seed_json);
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_adds(&b, "[");
    for (int i = 0; i < 20; i++) {
        char name[32];
        snprintf(name, sizeof(name), "p%02d", i);
        char *p =
            pod_json(i % 2 ? "a" : "b", name, i < 15 ? (i % 3 ? "n1" : "n2") : NULL, NULL, i >= 17);
        hs_buf_addf(&b, "%s%s", i ? "," : "", p);
        hs_free(p);
    }
    hs_buf_adds(&b, "]");
    add_objects(&e, b.data);
    hs_buf_release(&b);
    start_all(&e);
    wait_all_match(&e, 60);
    struct kube_cache *pods = e.caches[1];
    size_t n1, n2, nu;
    kube_cache_pods_on_node(pods, "n1", &n1);
    kube_cache_pods_on_node(pods, "n2", &n2);
    kube_cache_unschedulable(pods, &nu);
    assert_int_equal(n1, 10);
    assert_int_equal(n2, 5);
    assert_int_equal(nu, 3);
    assert_int_equal(e.unsched_calls, 3);
    assert_int_equal(kube_cache_get_state(pods), KUBE_CACHE_WATCHING);
    struct kube_cache_stats st;
    kube_cache_get_stats(pods, &st);
    assert_true(st.pages >= 3); /* 20 pods in pages of 7 */

    /* Through the watch: bind an unschedulable pod, add a new unschedulable
     * one, delete a bound one, change a label. */
    char *p1 = pod_json("a", "p17", "n2", NULL, false);
    char *p2 = pod_json("a", "new", NULL, NULL, true);
    char *p3 = pod_json("a", "p01", "n1", "changed", false);
    hs_buf_init(&b);
    hs_buf_addf(&b, "[%s,%s,%s]", p1, p2, p3);
    add_objects(&e, b.data);
    hs_buf_release(&b);
    hs_free(p1);
    hs_free(p2);
    hs_free(p3);
    kfake_admin(&e.f, "delete",
                "[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p03\","
                "\"namespace\":\"a\"}},{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":"
                "{\"name\":\"n1\"}}]");
    wait_all_match(&e, 30);
    kube_cache_pods_on_node(pods, "n1", &n1);
    kube_cache_pods_on_node(pods, "n2", &n2);
    kube_cache_unschedulable(pods, &nu);
    assert_int_equal(n1, 10); /* pods keep their node in the index even when it goes */
    assert_int_equal(n2, 5);  /* p03 gone, p17 bound there */
    assert_int_equal(nu, 3);  /* p17 left, new came */
    assert_int_equal(e.unsched_calls, 4);
    assert_string_equal(e.last_unsched, "a/new");
    const struct kube_object *o = kube_cache_get(pods, "a", "p01", NULL);
    assert_non_null(o);
    const char *vkey = hs_intern_cstr(e.intern, "v");
    assert_string_equal(model_labels_get(&o->u.pod->labels, vkey), "changed");
    hs_intern_unref(e.intern, vkey);
    env_stop(&e);
}

static const struct model_storage_class *storage_class(struct env *e, const char *name)
{
    const struct kube_object *o = kube_cache_get(e->caches[SC_CACHE], NULL, name, NULL);
    return o ? o->u.storage_class : NULL;
}

/* StorageClasses (storage.k8s.io/v1, cluster-scoped) through list and
 * watch: created with kubectl against the fake (its defaults apply),
 * changed, deleted. */
static void test_storage_classes(void **state)
{
    (void)state;
    struct env e;
    env_start(&e, NULL, 200 * HS_MSEC);
    add_objects(&e, seed_json);
    start_all(&e);
    wait_all_match(&e, 60);
    assert_int_equal(kube_cache_len(e.caches[SC_CACHE]), 2);
    const struct model_storage_class *sc = storage_class(&e, "gp3");
    assert_non_null(sc);
    assert_string_equal(sc->name, "gp3");
    assert_string_equal(sc->provisioner, "ebs.csi.aws.com");
    assert_int_equal(sc->binding_mode, MODEL_BINDING_WAIT_FOR_FIRST_CONSUMER);
    assert_int_equal(storage_class(&e, "standard")->binding_mode, MODEL_BINDING_IMMEDIATE);

    /* kubectl creates one (the fake defaults volumeBindingMode), replaces
     * another's binding mode and deletes a third; the cache follows. */
    const char *io2 =
        kwrite_file(&e.f, "io2.json",
                    "{\"apiVersion\":\"storage.k8s.io/v1\",\"kind\":\"StorageClass\","
                    "\"metadata\":{\"name\":\"io2\"},\"provisioner\":\"ebs.csi.aws.com\","
                    "\"parameters\":{\"type\":\"io2\"}}",
                    0600);
    char *out = NULL;
    assert_int_equal(kubectl(&e.f, &out, "create -f %s", io2), 0);
    hs_free(out);
    add_objects(&e, "[{\"apiVersion\":\"storage.k8s.io/v1\",\"kind\":\"StorageClass\","
                    "\"metadata\":{\"name\":\"standard\"},\"provisioner\":"
                    "\"kubernetes.io/aws-ebs\",\"volumeBindingMode\":\"WaitForFirstConsumer\"}]");
    assert_int_equal(kubectl(&e.f, &out, "delete storageclass gp3"), 0);
    hs_free(out);
    wait_all_match(&e, 30);
    assert_int_equal(kube_cache_len(e.caches[SC_CACHE]), 2);
    assert_null(storage_class(&e, "gp3"));
    sc = storage_class(&e, "io2");
    assert_non_null(sc);
    assert_string_equal(sc->provisioner, "ebs.csi.aws.com");
    assert_int_equal(sc->binding_mode, MODEL_BINDING_IMMEDIATE);
    assert_int_equal(storage_class(&e, "standard")->binding_mode,
                     MODEL_BINDING_WAIT_FOR_FIRST_CONSUMER);
    struct kube_cache_stats st;
    kube_cache_get_stats(e.caches[SC_CACHE], &st);
    assert_int_equal(st.lists, 1); /* all of it through the watch */
    assert_int_equal(st.events, 3);
    env_stop(&e);
}

/* Faults: dropped watches resume; compaction relists (ERROR event and HTTP
 * 410); 500s back off and recover; 429 waits Retry-After. */
static void test_faults(void **state)
{
    (void)state;
    struct env e;
    env_start(&e, NULL, 100 * HS_MSEC);
    add_objects(&e, seed_json);
    start_all(&e);
    wait_all_match(&e, 60);
    struct kube_cache *pods = e.caches[1];
    struct kube_cache_stats before, after;

    /* A dropped watch resumes from its resourceVersion. */
    kube_cache_get_stats(pods, &before);
    kfake_admin(&e.f, "watches/drop", "{}");
    char *p = pod_json("a", "after-drop", "n1", NULL, false);
    add_objects(&e, p);
    hs_free(p);
    wait_all_match(&e, 30);
    kube_cache_get_stats(pods, &after);
    assert_true(after.watches > before.watches);
    assert_int_equal(after.lists, before.lists);

    /* Compaction while the cache is away: the resumed watch gets an ERROR
     * 410 and relists. */
    kube_cache_stop(pods);
    p = pod_json("a", "while-away", "n2", NULL, false);
    add_objects(&e, p);
    hs_free(p);
    kfake_admin(&e.f, "delete",
                "[{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"after-drop\","
                "\"namespace\":\"a\"}}]");
    kfake_admin(&e.f, "compact", "{}");
    kube_cache_start(pods);
    wait_all_match(&e, 30);
    kube_cache_get_stats(pods, &after);
    assert_int_equal(after.relists_gone, before.relists_gone + 1);
    assert_int_equal(after.lists, before.lists + 1);

    /* The same with 410 as an HTTP status. */
    kfake_admin(&e.f, "faults", "{\"watch410AsHTTP\": true}");
    kube_cache_stop(pods);
    p = pod_json("b", "http-410", "n2", NULL, false);
    add_objects(&e, p);
    hs_free(p);
    kfake_admin(&e.f, "compact", "{}");
    kube_cache_start(pods);
    wait_all_match(&e, 30);
    kube_cache_get_stats(pods, &after);
    assert_int_equal(after.relists_gone, before.relists_gone + 2);

    /* 500s on list and watch: back off, recover. */
    kfake_admin(&e.f, "faults",
                "{\"rules\":[{\"match\":{\"path\":\"^/api/v1/pods$\"},\"status\":500,"
                "\"count\":4}]}");
    kube_cache_get_stats(pods, &before);
    kube_cache_stop(pods);
    kfake_admin(&e.f, "compact", "{}");
    p = pod_json("b", "during-500s", NULL, NULL, true);
    add_objects(&e, p);
    hs_free(p);
    kfake_admin(&e.f, "compact", "{}");
    kube_cache_start(pods);
    wait_all_match(&e, 60);
    kube_cache_get_stats(pods, &after);
    assert_true(after.errors >= before.errors + 4);

    /* 429 with Retry-After: the client waits and the list goes through. */
    kfake_admin(&e.f, "faults",
                "{\"rules\":[{\"match\":{\"path\":\"^/api/v1/nodes$\",\"watch\":false},"
                "\"status\":429,\"retryAfterSeconds\":1,\"count\":2}]}");
    struct kube_cache *nodes = e.caches[0];
    kube_cache_get_stats(nodes, &before);
    kube_cache_free(&e.caches[0]);
    struct kube_cache_options o = { 0 };
    o.intern = e.intern;
    struct hs_err err = { 0 };
    assert_int_equal(kube_cache_new(e.client, KUBE_KIND_NODE, &o, &e.caches[0], &err), HS_OK);
    ev_now_update(e.loop);
    double t0 = ev_now(e.loop);
    kube_cache_start(e.caches[0]);
    wait_all_match(&e, 30);
    ev_now_update(e.loop);
    assert_true(ev_now(e.loop) - t0 >= 1.9); /* two Retry-After: 1 waits */
    kube_cache_get_stats(e.caches[0], &after);
    assert_int_equal(after.errors, 0); /* retried inside the client, not an error */
    kfake_request(&e.f, "DELETE", "/_fake/faults", NULL, NULL);
    env_stop(&e);
}

/* 10,000 random creates, updates and deletes of pods and nodes, with
 * dropped watches and compactions in between; every cache ends equal to
 * the server. */
static void test_churn(void **state)
{
    (void)state;
    struct env e;
    env_start(&e, NULL, 100 * HS_MSEC);
    add_objects(&e, seed_json);
    start_all(&e);
    wait_all_match(&e, 60);
    struct hs_rng rng;
    hs_rng_seed(&rng, 7);
    enum { NAMES = 600, ROUNDS = 20, PER_ROUND = 500 };
    bool live[NAMES] = { false };
    int ops = 0;
    for (int round = 0; round < ROUNDS; round++) {
        struct hs_buf up, del;
        hs_buf_init(&up);
        hs_buf_init(&del);
        hs_buf_adds(&up, "[");
        hs_buf_adds(&del, "[");
        bool touched[NAMES] = { false };
        for (int k = 0; k < PER_ROUND; k++, ops++) {
            int i = (int)hs_rng_below(&rng, NAMES);
            if (touched[i])
                continue; /* one change per object per batch keeps the batch well-defined */
            touched[i] = true;
            char name[32];
            snprintf(name, sizeof(name), "c%03d", i);
            if (live[i] && hs_rng_below(&rng, 3) == 0) {
                hs_buf_addf(&del,
                            "%s{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":"
                            "\"%s\",\"namespace\":\"ns%d\"}}",
                            del.len > 1 ? "," : "", name, i % 5);
                live[i] = false;
            } else {
                char ns[8], label[16], node[8];
                snprintf(ns, sizeof(ns), "ns%d", i % 5);
                snprintf(label, sizeof(label), "r%d", round);
                snprintf(node, sizeof(node), "n%d", (int)hs_rng_below(&rng, 3));
                bool bound = hs_rng_below(&rng, 4) != 0;
                char *p = pod_json(ns, name, bound ? node : NULL, label, !bound);
                hs_buf_addf(&up, "%s%s", up.len > 1 ? "," : "", p);
                hs_free(p);
                live[i] = true;
            }
        }
        hs_buf_adds(&up, "]");
        hs_buf_adds(&del, "]");
        if (round % 4 == 1)
            kfake_admin(&e.f, "watches/drop", "{}");
        if (round % 5 == 2) {
            /* Compaction while the pod cache is away: its resumed watch relists. */
            kube_cache_stop(e.caches[1]);
            add_objects(&e, up.data);
            kfake_admin(&e.f, "delete", del.data);
            kfake_admin(&e.f, "compact", "{}");
            kube_cache_start(e.caches[1]);
        } else {
            add_objects(&e, up.data);
            kfake_admin(&e.f, "delete", del.data);
        }
        hs_buf_release(&up);
        hs_buf_release(&del);
        krun_for(e.loop, 0.05);
    }
    assert_int_equal(ops, ROUNDS * PER_ROUND);
    wait_all_match(&e, 90);
    struct kube_cache_stats st;
    kube_cache_get_stats(e.caches[1], &st);
    assert_true(st.relists_gone >= 4);
    /* The indexes agree with a scan of the cache. */
    size_t it = 0, bound = 0, unsched = 0;
    const struct kube_object *o;
    while (kube_cache_next(e.caches[1], &it, &o, NULL)) {
        bound += o->u.pod->node_name != NULL;
        unsched += kube_pod_is_unschedulable(o->u.pod);
    }
    size_t total = 0, n, nu;
    for (int i = 0; i < 3; i++) {
        char node[8];
        snprintf(node, sizeof(node), "n%d", i);
        kube_cache_pods_on_node(e.caches[1], node, &n);
        total += n;
    }
    kube_cache_unschedulable(e.caches[1], &nu);
    assert_int_equal(total, bound);
    assert_int_equal(nu, unsched);
    env_stop(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_converges_and_indexes),
        cmocka_unit_test(test_storage_classes),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_churn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
