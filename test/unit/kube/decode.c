/*
 * Tests of lib/kube/decode.c: the upstream api-testdata objects decode, a
 * mixed List and a typed list, exact JSON-path error messages, unknown
 * fields, and a large generated list decoded item by
 * item; storage classes, namespaces and the workload controllers; the JSON
 * parser's verdicts and error texts against jansson's own, and a file big
 * enough that its pages are released and read again. Writes only temporary
 * files it removes.
 */
#include "hs_test.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/intern.h"
#include "decode_int.h"
#include "kube/decode.h"
#include "model/model.h"

struct fx {
    struct hs_intern *t;
    struct model_cluster *c;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->t = hs_intern_new();
    f->c = model_cluster_new(f->t);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    model_cluster_free(&f->c);
    assert_int_equal(hs_intern_count(f->t), 0); /* every reference was dropped */
    hs_intern_free(&f->t);
    free(f);
    return 0;
}

static const char *I(struct fx *f, const char *s)
{
    /* look up an interned string without keeping a reference */
    const char *p = hs_intern_cstr(f->t, s);
    hs_intern_unref(f->t, p);
    return p;
}

static void decode_testdata(struct fx *f, const char *file)
{
    char path[1024];
    struct hs_err err = { 0 };
    snprintf(path, sizeof(path), "%s/k8s/api-testdata-v1.36.0/%s", hs_testdata_dir(), file);
    if (kube_decode_file(f->c, path, &err) != HS_OK)
        fail_msg("decode %s: %s", file, err.msg);
}

static void api_testdata_objects(void **state)
{
    struct fx *f = *state;
    decode_testdata(f, "core.v1.Pod.json");
    decode_testdata(f, "core.v1.Node.json");
    decode_testdata(f, "policy.v1.PodDisruptionBudget.json");
    decode_testdata(f, "apps.v1.DaemonSet.json");
    decode_testdata(f, "core.v1.ConfigMap.json"); /* a kind hoist skips */
    decode_testdata(f, "apps.v1.ReplicaSet.json");
    assert_int_equal(f->c->n_pods, 1);
    assert_int_equal(f->c->n_nodes, 1);
    assert_int_equal(f->c->n_pdbs, 1);
    assert_int_equal(f->c->n_daemonsets, 1);

    struct model_pod *p = f->c->pods[0];
    assert_ptr_equal(p->ns, I(f, "namespaceValue"));
    assert_string_equal(p->name, "nameValue");
    assert_ptr_equal(model_labels_get(&p->labels, I(f, "labelsKey")), I(f, "labelsValue"));
    assert_int_equal(p->n_owners, 1);
    assert_true(p->owners[0].controller);
    assert_ptr_equal(model_pod_controller(p)->kind, I(f, "kindValue"));
    assert_int_equal(p->creation_ts, 1199149261); /* 2008-01-01T01:01:01Z */
    assert_int_equal(p->deletion_ts, 1230771661);
    assert_ptr_equal(p->node_name, I(f, "nodeNameValue"));
    assert_non_null(p->node_affinity);
    assert_int_equal(p->node_affinity->n_required, 1);
    assert_int_equal(p->node_affinity->required[0].expr[0].op, MODEL_OP_INVALID);
    assert_int_equal(p->node_affinity->n_preferred, 1);
    assert_non_null(p->affinity);
    assert_int_equal(p->affinity->n_required, 1);
    assert_int_equal(p->affinity->n_preferred, 1);
    assert_non_null(p->anti_affinity);
    assert_ptr_equal(p->affinity->required[0].topology_key, I(f, "topologyKeyValue"));
    assert_int_equal(p->n_tolerations, 1);
    assert_int_equal(p->tolerations[0].effect, MODEL_EFFECT_OTHER);
    assert_true(p->tolerations[0].has_seconds);
    assert_int_equal(p->tolerations[0].seconds, 5);
    assert_int_equal(p->n_spreads, 1);
    assert_int_equal(p->spreads[0].min_domains, 5);
    assert_true(p->n_host_ports >= 1);
    assert_int_equal(p->host_ports[0].port, 2);
    assert_true(p->n_volumes >= 1);
    assert_int_equal(p->requests.pods, 1);
    assert_int_equal(p->requests.cpu_milli, 0);

    struct model_node *n = f->c->nodes[0];
    assert_true(n->unschedulable);
    assert_string_equal(n->provider_id, "providerIDValue");
    assert_int_equal(n->n_taints, 1);
    assert_int_equal(n->taints[0].effect, MODEL_EFFECT_OTHER);
    assert_int_equal(n->allocatable.n_scalar, 1);
    assert_int_equal(n->ready, MODEL_COND_ABSENT); /* condition type is "typeValue" */

    struct model_pdb *b = f->c->pdbs[0];
    assert_int_equal(b->disruptions_allowed, 3);
    assert_int_equal(b->current_healthy, 4);
    assert_int_equal(b->desired_healthy, 5);
    assert_int_equal(b->expected_pods, 6);
    assert_true(b->min_available.set);
    assert_true(b->min_available.invalid);
    assert_true(b->selector.present);
    assert_int_equal(b->selector.n, 2);

    struct model_daemonset *d = f->c->daemonsets[0];
    assert_true(d->selector.present);
    assert_ptr_equal(d->template.ns, d->ns);
    assert_int_equal(d->template.requests.pods, 1);
}

static const char mixed_list[] =
    "{\"apiVersion\":\"v1\",\"items\":[\n"
    "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"ip-10-0-1-5\","
    "\"labels\":{\"topology.kubernetes.io/zone\":\"us-east-1a\",\"kubernetes.io/hostname\":"
    "\"ip-10-0-1-5\"}},\"spec\":{\"providerID\":\"aws:///us-east-1a/i-0abc\",\"taints\":"
    "[{\"key\":\"dedicated\",\"value\":\"gpu\",\"effect\":\"NoSchedule\"}]},"
    "\"status\":{\"allocatable\":{\"cpu\":\"3920m\",\"memory\":\"15Gi\",\"pods\":\"58\","
    "\"nvidia.com/gpu\":\"1\",\"hugepages-2Mi\":\"0\"},\"capacity\":{\"cpu\":\"4\"},"
    "\"conditions\":[{\"type\":\"MemoryPressure\",\"status\":\"False\"},{\"type\":\"Ready\","
    "\"status\":\"True\",\"lastTransitionTime\":\"2026-11-28T08:00:00Z\"}]},"
    "\"someFutureField\":{\"deep\":[1,2,{\"x\":\"]}\"}]}},\n"
    "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\",\"namespace\":\"shop\",\"labels\":"
    "{\"app\":\"web\"},\"ownerReferences\":[{\"kind\":\"ReplicaSet\",\"name\":\"web-abc\","
    "\"uid\":\"u1\",\"controller\":true}],\"creationTimestamp\":\"2026-11-28T08:00:00.5+01:00\"},"
    "\"spec\":{\"initContainers\":[{\"name\":\"log\",\"restartPolicy\":\"Always\",\"resources\":"
    "{\"requests\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"}}},{\"name\":\"migrate\",\"resources\":"
    "{\"limits\":{\"cpu\":\"2\",\"memory\":\"1Gi\"}}}],\"containers\":[{\"name\":\"app\","
    "\"resources\":{\"requests\":{\"cpu\":\"500m\",\"memory\":\"512Mi\",\"nvidia.com/gpu\":1}},"
    "\"ports\":[{\"containerPort\":80,\"hostPort\":8080},{\"containerPort\":81,\"hostPort\":0},"
    "{\"containerPort\":53,\"hostPort\":53,\"protocol\":\"UDP\",\"hostIP\":\"10.0.0.1\"}]}],"
    "\"overhead\":{\"cpu\":\"10m\"},\"tolerations\":[{\"operator\":\"Exists\"}],"
    "\"nodeSelector\":{\"kubernetes.io/os\":\"linux\"},\"topologySpreadConstraints\":[{"
    "\"maxSkew\":1,\"topologyKey\":\"topology.kubernetes.io/zone\",\"whenUnsatisfiable\":"
    "\"DoNotSchedule\",\"labelSelector\":{\"matchLabels\":{\"app\":\"web\"}},\"nodeTaintsPolicy\":"
    "\"Honor\"}],\"volumes\":[{\"name\":\"tmp\",\"emptyDir\":{}},{\"name\":\"shm\",\"emptyDir\":"
    "{\"medium\":\"Memory\"}},{\"name\":\"data\",\"persistentVolumeClaim\":{\"claimName\":"
    "\"data-web-1\"}},{\"name\":\"scratch\",\"ephemeral\":{}}],\"priority\":1000,"
    "\"terminationGracePeriodSeconds\":3600},"
    "\"status\":{\"phase\":\"Pending\",\"nominatedNodeName\":\"ip-10-0-1-5\",\"conditions\":[{"
    "\"type\":\"PodScheduled\",\"status\":"
    "\"False\",\"reason\":\"Unschedulable\"}]}},\n"
    "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"},\"data\":{\"a\":\"b\"}},\n"
    "{\"kind\":\"PodDisruptionBudget\",\"metadata\":{\"name\":\"web\",\"namespace\":\"shop\"},"
    "\"spec\":{\"maxUnavailable\":\"25%\",\"selector\":{}},\"status\":{\"disruptionsAllowed\":1}},"
    "\n"
    "{\"kind\":\"PersistentVolumeClaim\",\"metadata\":{\"name\":\"data-web-1\",\"namespace\":"
    "\"shop\"},\"spec\":{\"volumeName\":\"pv-1\",\"storageClassName\":\"gp3\"},\"status\":"
    "{\"phase\":\"Bound\"}},\n"
    "{\"kind\":\"PersistentVolume\",\"metadata\":{\"name\":\"pv-1\"},\"spec\":{\"nodeAffinity\":"
    "{\"required\":{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":"
    "\"topology.kubernetes.io/zone\",\"operator\":\"In\",\"values\":[\"us-east-1a\"]}]}]}},"
    "\"claimRef\":{\"namespace\":\"shop\",\"name\":\"data-web-1\"}}}\n"
    "],\"kind\":\"List\",\"metadata\":{\"resourceVersion\":\"\"}}\n";

static void mixed_list_decodes(void **state)
{
    struct fx *f = *state;
    struct hs_err err = { 0 };
    assert_int_equal(kube_decode_buffer(f->c, mixed_list, strlen(mixed_list), "m.json", &err),
                     HS_OK);
    assert_int_equal(f->c->n_nodes, 1);
    assert_int_equal(f->c->n_pods, 1);
    assert_int_equal(f->c->n_pdbs, 1);
    assert_int_equal(f->c->n_pvcs, 1);
    assert_int_equal(f->c->n_pvs, 1);
    struct model_node *n = f->c->nodes[0];
    assert_int_equal(n->allocatable.cpu_milli, 3920);
    assert_int_equal(n->allocatable.memory, 15LL << 30);
    assert_int_equal(n->allocatable.pods, 58);
    assert_int_equal(model_resources_scalar(&n->allocatable, I(f, "nvidia.com/gpu")), 1);
    assert_int_equal(n->capacity.cpu_milli, 4000);
    assert_int_equal(n->ready, MODEL_COND_TRUE);
    assert_int_equal(n->ready_transition, 1795852800);
    assert_int_equal(n->taints[0].effect, MODEL_EFFECT_NO_SCHEDULE);
    assert_ptr_equal(n->taints[0].value, I(f, "gpu"));
    /* labels sorted by key */
    assert_string_equal(n->labels.v[0].key, "kubernetes.io/hostname");

    struct model_pod *p = f->c->pods[0];
    /* running: 500m app + 100m sidecar = 600m; init "migrate" (limits as
     * requests) 2000m + 100m sidecar = 2100m; + 10m overhead */
    assert_int_equal(p->requests.cpu_milli, 2110);
    assert_int_equal(p->requests.memory, (1LL << 30) + (64LL << 20));
    assert_int_equal(model_resources_scalar(&p->requests, I(f, "nvidia.com/gpu")), 1);
    assert_int_equal(p->n_host_ports, 2); /* hostPort 0 is not a host port */
    assert_int_equal(p->host_ports[1].protocol, MODEL_PROTO_UDP);
    assert_ptr_equal(p->host_ports[1].host_ip, I(f, "10.0.0.1"));
    assert_null(p->host_ports[0].host_ip);
    assert_int_equal(p->creation_ts, 1795852800 - 3600);
    assert_int_equal(p->phase, MODEL_PHASE_PENDING);
    assert_int_equal(p->scheduled, MODEL_COND_FALSE);
    assert_ptr_equal(p->scheduled_reason, I(f, "Unschedulable"));
    assert_ptr_equal(p->nominated_node, I(f, "ip-10-0-1-5"));
    assert_true(p->tolerations[0].exists);
    assert_null(p->tolerations[0].key);
    assert_int_equal(p->tolerations[0].effect, MODEL_EFFECT_ALL);
    assert_true(p->spreads[0].do_not_schedule);
    assert_int_equal(p->spreads[0].node_taints_policy, MODEL_POLICY_HONOR);
    assert_true(model_selector_matches(&p->spreads[0].selector, &p->labels));
    assert_int_equal(p->volumes[0].kind, MODEL_VOL_EMPTY_DIR);
    assert_int_equal(p->volumes[1].kind, MODEL_VOL_EMPTY_DIR_MEMORY);
    assert_int_equal(p->volumes[2].kind, MODEL_VOL_PVC);
    assert_string_equal(p->volumes[2].claim_name, "data-web-1");
    assert_string_equal(p->volumes[3].claim_name, "web-1-scratch");
    assert_int_equal(p->priority, 1000);
    assert_true(p->has_grace);
    assert_int_equal(p->grace_seconds, 3600);

    struct model_pdb *b = f->c->pdbs[0];
    assert_true(b->max_unavailable.percent);
    assert_int_equal(b->max_unavailable.value, 25);
    assert_true(model_selector_matches(&b->selector, &p->labels)); /* {} selects all */

    struct model_pv *pv = f->c->pvs[0];
    assert_ptr_equal(f->c->pvcs[0]->volume_name, pv->name);
    assert_int_equal(pv->node_affinity.n_required, 1);
    assert_true(model_requirement_matches(&pv->node_affinity.required[0].expr[0], &n->labels));
}

static void typed_list_items_without_kind(void **state)
{
    struct fx *f = *state;
    const char *doc = "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":["
                      "{\"metadata\":{\"name\":\"a\"}},{\"metadata\":{\"name\":\"b\"}}]}";
    struct hs_err err = { 0 };
    assert_int_equal(kube_decode_buffer(f->c, doc, strlen(doc), NULL, &err), HS_OK);
    assert_int_equal(f->c->n_pods, 2);
    assert_ptr_equal(f->c->pods[1]->ns, I(f, "default"));
    assert_null(f->c->pods[1]->nominated_node);
    /* an empty nominatedNodeName is no nomination (the API omits it when empty) */
    const char *nom = "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"c\"},\"status\":"
                      "{\"nominatedNodeName\":\"\"}}";
    assert_int_equal(kube_decode_buffer(f->c, nom, strlen(nom), NULL, &err), HS_OK);
    assert_null(f->c->pods[2]->nominated_node);
    /* kind after items (kubectl prints keys sorted) */
    const char *doc2 = "{\"items\":[{\"metadata\":{\"name\":\"n1\"}}],\"kind\":\"NodeList\"}";
    assert_int_equal(kube_decode_buffer(f->c, doc2, strlen(doc2), NULL, &err), HS_OK);
    assert_int_equal(f->c->n_nodes, 1);
    /* a single object, and an empty list */
    const char *one = "  {\"kind\":\"Node\",\"metadata\":{\"name\":\"n2\"}}  ";
    assert_int_equal(kube_decode_buffer(f->c, one, strlen(one), NULL, &err), HS_OK);
    const char *empty = "{\"kind\":\"List\",\"items\":[]}";
    assert_int_equal(kube_decode_buffer(f->c, empty, strlen(empty), NULL, &err), HS_OK);
    assert_int_equal(f->c->n_nodes, 2);
}

/* Decodes doc into a fresh cluster and checks the exact error message. */
static void expect_error(struct fx *f, const char *doc, const char *name, const char *want)
{
    struct hs_err err = { 0 };
    enum hs_code rc = kube_decode_buffer(f->c, doc, strlen(doc), name, &err);
    if (rc != HS_EPARSE)
        fail_msg("decoding %s: rc %d, want EPARSE", doc, rc);
    if (strcmp(err.msg, want) != 0)
        fail_msg("error '%s', want '%s'", err.msg, want);
}

static void errors_name_the_path(void **state)
{
    struct fx *f = *state;
    expect_error(f,
                 "{\"kind\":\"List\",\"items\":[{\"kind\":\"ConfigMap\"},{\"kind\":\"Pod\","
                 "\"spec\":{\"containers\":[{\"name\":\"a\"},{\"resources\":{\"requests\":"
                 "{\"cpu\":\"12Qi\"}}}]}}]}",
                 "c.json",
                 "c.json: cannot parse quantity '12Qi' at "
                 "items[1].spec.containers[1].resources.requests.cpu: quantities must match "
                 "the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    expect_error(f,
                 "{\"items\":[{\"kind\":\"Node\",\"status\":{\"allocatable\":"
                 "{\"memory\":\"1ki\"}}}]}",
                 NULL,
                 "cannot parse quantity '1ki' at items[0].status.allocatable.memory: unable to "
                 "parse quantity's suffix");
    expect_error(f, "{\"kind\":\"Pod\",\"spec\":{\"containers\":{}}}", NULL,
                 "expected array, got object at spec.containers");
    expect_error(f, "{\"items\":[{\"kind\":\"Node\",\"metadata\":{\"labels\":{\"a\":1}}}]}", NULL,
                 "expected string, got number at items[0].metadata.labels.a");
    expect_error(f, "{\"items\":[{\"kind\":\"Node\",\"spec\":{\"unschedulable\":\"yes\"}}]}", NULL,
                 "expected boolean, got string at items[0].spec.unschedulable");
    expect_error(f, "{\"items\":[{\"kind\":\"Pod\",\"spec\":{\"tolerations\":[{},5]}}]}", NULL,
                 "expected object, got number at items[0].spec.tolerations[1]");
    expect_error(f, "{\"items\":[{\"kind\":\"Pod\",\"status\":{\"nominatedNodeName\":7}}]}", NULL,
                 "expected string, got number at items[0].status.nominatedNodeName");
    expect_error(f,
                 "{\"items\":[{\"kind\":\"Pod\",\"spec\":{\"affinity\":{\"podAntiAffinity\":"
                 "{\"requiredDuringSchedulingIgnoredDuringExecution\":[{\"labelSelector\":"
                 "{\"matchExpressions\":[{\"key\":\"a\",\"values\":[1]}]}}]}}}}]}",
                 NULL,
                 "expected string, got number at items[0].spec.affinity.podAntiAffinity."
                 "requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector."
                 "matchExpressions[0].values[0]");
    expect_error(f, "{\"items\":[{\"kind\":\"Pod\"},5]}", NULL,
                 "expected object, got number at items[1]");
    expect_error(f, "[1,2]", "x.json", "x.json: not a JSON object at the top level");
    expect_error(f, "", NULL, "not a JSON object at the top level");
    expect_error(f, "{\"kind\":\"List\",\"items\":[{\"kind\":\"Pod\"},{\"kind\":\"Po", NULL,
                 "truncated JSON at items[1]");
    expect_error(
        f, "{\"items\":[{\"kind\":\"Pod\",\"metadata\":{\"creationTimestamp\":\"yesterday\"}}]}",
        NULL, "cannot parse time 'yesterday' at items[0].metadata.creationTimestamp");
    expect_error(
        f, "{\"items\":[{\"kind\":\"Pod\",\"spec\":{\"priority\":1e400}}]}", NULL,
        "invalid JSON at items[0]: real number overflow near '1e400' (byte 48 of the input)");
    /* objects before the bad item stay in the cluster, with their references */
    assert_true(f->c->n_pods >= 1);
}

/* `hoist simulate --cluster <(kubectl get ... -o json)` hands over a pipe,
 * which cannot be mapped: it is read whole and decoded the same way. A
 * folder is refused by name. */
static void pipe_and_directory(void **state)
{
    struct fx *f = *state;
    char dir[] = "/tmp/hoist-decode-pipe-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo[sizeof(dir) + 8];
    snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *w = fopen(fifo, "w");
        if (!w)
            _exit(1);
        fputs("{\"kind\":\"List\",\"items\":[", w);
        for (int i = 0; i < 2000; i++) /* more than one pipe buffer */
            fprintf(w,
                    "%s{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p%d\",\"namespace\":"
                    "\"default\"}}",
                    i ? "," : "", i);
        fputs("]}", w);
        fclose(w);
        _exit(0);
    }
    struct hs_err err = { 0 };
    size_t before = f->c->n_pods;
    assert_int_equal(kube_decode_file(f->c, fifo, &err), HS_OK);
    assert_int_equal(f->c->n_pods - before, 2000);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(status, 0);
    unlink(fifo);

    char want[128];
    snprintf(want, sizeof(want), "%s: is a directory, not a JSON file", dir);
    assert_int_equal(kube_decode_file(f->c, dir, &err), HS_EIO);
    assert_string_equal(err.msg, want);
    rmdir(dir);
}

static void file_errors_and_large_list(void **state)
{
    struct fx *f = *state;
    char path[] = "/tmp/hoist-decode-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    const int n = 20000;
    fputs("{\"apiVersion\":\"v1\",\"items\":[", fp);
    for (int i = 0; i < n; i++)
        fprintf(fp,
                "%s{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p-%d\","
                "\"namespace\":\"ns-%d\",\"labels\":{\"app\":\"a%d\",\"pod-template-hash\":"
                "\"h%d\"}},\"spec\":{\"nodeName\":\"node-%d\",\"containers\":[{\"name\":\"c\","
                "\"resources\":{\"requests\":{\"cpu\":\"%dm\",\"memory\":\"%dMi\"}}}]}}",
                i ? "," : "", i, i % 10, i % 7, i, i % 100, 100 + i % 5, 64 + i % 3);
    fputs("],\"kind\":\"List\"}", fp);
    fclose(fp);
    struct hs_err err = { 0 };
    assert_int_equal(kube_decode_file(f->c, path, &err), HS_OK);
    assert_int_equal(f->c->n_pods, n);
    assert_int_equal(f->c->pods[n - 1]->requests.cpu_milli, 100 + (n - 1) % 5);
    assert_ptr_equal(f->c->pods[7]->labels.v[0].value, f->c->pods[14]->labels.v[0].value);
    unlink(path);
    assert_int_equal(kube_decode_file(f->c, path, &err), HS_EIO);
    assert_non_null(strstr(err.msg, path));
}

static void testdata_controllers(void **state)
{
    struct fx *f = *state;
    decode_testdata(f, "apps.v1.ReplicaSet.json");
    decode_testdata(f, "apps.v1.StatefulSet.json");
    assert_int_equal(f->c->n_replicasets, 1);
    assert_int_equal(f->c->n_statefulsets, 1);
    struct model_workload *rs = f->c->replicasets[0];
    assert_int_equal(rs->kind, MODEL_WORKLOAD_REPLICA_SET);
    assert_ptr_equal(rs->ns, I(f, "namespaceValue"));
    assert_string_equal(rs->name, "nameValue");
    assert_string_equal(rs->uid, "uidValue");
    assert_true(rs->has_replicas);
    assert_int_equal(rs->replicas, 1);
    assert_int_equal(rs->status_replicas, 1);
    assert_int_equal(rs->ready_replicas, 4);
    assert_int_equal(rs->n_owners, 1);
    assert_ptr_equal(model_workload_controller(rs)->kind, I(f, "kindValue"));
    assert_string_equal(model_workload_controller(rs)->uid, "uidValue");
    struct model_workload *ss = f->c->statefulsets[0];
    assert_int_equal(ss->kind, MODEL_WORKLOAD_STATEFUL_SET);
    assert_int_equal(ss->replicas, 1);
    assert_int_equal(ss->status_replicas, 2);
    assert_int_equal(ss->ready_replicas, 3);
}

static const char controllers_list[] =
    "{\"apiVersion\":\"v1\",\"items\":["
    "{\"apiVersion\":\"storage.k8s.io/v1\",\"kind\":\"StorageClass\",\"metadata\":{\"name\":"
    "\"gp3\"},\"provisioner\":\"ebs.csi.aws.com\",\"volumeBindingMode\":"
    "\"WaitForFirstConsumer\",\"parameters\":{\"type\":\"gp3\"}},"
    "{\"kind\":\"StorageClass\",\"metadata\":{\"name\":\"standard\"},\"provisioner\":"
    "\"kubernetes.io/aws-ebs\"},"
    "{\"kind\":\"StorageClass\",\"metadata\":{\"name\":\"odd\"},\"volumeBindingMode\":\"Later\"},"
    "{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"shop\",\"labels\":{\"team\":\"payments\","
    "\"kubernetes.io/metadata.name\":\"shop\"}},\"status\":{\"phase\":\"Active\"}},"
    "{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\"web\","
    "\"namespace\":\"shop\",\"uid\":\"d-1\"},\"spec\":{\"replicas\":3},\"status\":{\"replicas\":3,"
    "\"readyReplicas\":3}},"
    "{\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"web-5d8f\",\"namespace\":\"shop\",\"uid\":"
    "\"rs-1\",\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":"
    "\"web\",\"uid\":\"d-1\",\"controller\":true,\"blockOwnerDeletion\":true}]},\"spec\":"
    "{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"web\"}}},\"status\":{\"replicas\":3,"
    "\"readyReplicas\":2}},"
    "{\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":\"old\",\"namespace\":\"shop\"},\"spec\":{}},"
    "{\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"db\",\"namespace\":\"shop\"},\"spec\":"
    "{\"replicas\":1}},"
    "{\"kind\":\"ReplicationController\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"legacy\"},"
    "\"spec\":{\"replicas\":0}},"
    "{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\",\"metadata\":{\"name\":\"report-29\","
    "\"namespace\":\"shop\",\"ownerReferences\":[{\"kind\":\"CronJob\",\"name\":\"report\","
    "\"uid\":\"cj-1\",\"controller\":true}]},\"spec\":{\"parallelism\":2,\"completions\":6}},"
    "{\"kind\":\"Job\",\"metadata\":{\"name\":\"once\"},\"spec\":{}}"
    "],\"kind\":\"List\"}";

static void controllers_and_storage(void **state)
{
    struct fx *f = *state;
    struct hs_err err = { 0 };
    assert_int_equal(
        kube_decode_buffer(f->c, controllers_list, strlen(controllers_list), "c.json", &err),
        HS_OK);
    struct model_cluster *c = f->c;
    assert_int_equal(c->n_storage_classes, 3);
    assert_ptr_equal(c->storage_classes[0]->name, I(f, "gp3"));
    assert_string_equal(c->storage_classes[0]->provisioner, "ebs.csi.aws.com");
    assert_int_equal(c->storage_classes[0]->binding_mode, MODEL_BINDING_WAIT_FOR_FIRST_CONSUMER);
    assert_int_equal(c->storage_classes[1]->binding_mode, MODEL_BINDING_IMMEDIATE); /* default */
    assert_int_equal(c->storage_classes[2]->binding_mode, MODEL_BINDING_OTHER);
    assert_null(c->storage_classes[2]->provisioner);

    assert_int_equal(c->n_namespaces, 1);
    struct model_namespace *ns = c->namespaces[0];
    assert_ptr_equal(ns->name, I(f, "shop"));
    assert_int_equal(ns->labels.n, 2);
    assert_ptr_equal(model_labels_get(&ns->labels, I(f, "team")), I(f, "payments"));

    assert_int_equal(c->n_deployments, 1);
    assert_int_equal(c->n_replicasets, 2);
    assert_int_equal(c->n_statefulsets, 1);
    assert_int_equal(c->n_replication_controllers, 1);
    assert_int_equal(c->n_jobs, 2);
    /* the owner chain pod -> ReplicaSet -> Deployment, by uid */
    struct model_workload *rs = c->replicasets[0], *dep = c->deployments[0];
    assert_int_equal(dep->kind, MODEL_WORKLOAD_DEPLOYMENT);
    assert_int_equal(dep->replicas, 3);
    const struct model_owner_ref *o = model_workload_controller(rs);
    assert_non_null(o);
    assert_ptr_equal(o->kind, I(f, "Deployment"));
    assert_string_equal(o->name, dep->name);
    assert_string_equal(o->uid, dep->uid);
    assert_ptr_equal(rs->ns, dep->ns);
    assert_true(rs->has_replicas);
    assert_int_equal(rs->replicas, 3);
    assert_int_equal(rs->status_replicas, 3);
    assert_int_equal(rs->ready_replicas, 2);
    /* spec.replicas absent: not given (the API would default it to 1) */
    assert_false(c->replicasets[1]->has_replicas);
    assert_null(model_workload_controller(c->replicasets[1]));
    assert_null(c->replicasets[1]->uid);
    struct model_workload *rc = c->replication_controllers[0];
    assert_int_equal(rc->kind, MODEL_WORKLOAD_REPLICATION_CONTROLLER);
    assert_true(rc->has_replicas);
    assert_int_equal(rc->replicas, 0);
    assert_ptr_equal(rc->ns, I(f, "default"));
    assert_int_equal(c->statefulsets[0]->kind, MODEL_WORKLOAD_STATEFUL_SET);

    struct model_job *j = c->jobs[0];
    assert_true(j->has_parallelism);
    assert_int_equal(j->parallelism, 2);
    assert_true(j->has_completions);
    assert_int_equal(j->completions, 6);
    assert_int_equal(j->n_owners, 1);
    assert_ptr_equal(j->owners[0].kind, I(f, "CronJob"));
    assert_false(c->jobs[1]->has_parallelism);
    assert_false(c->jobs[1]->has_completions);

    /* a single object, as kube_decode_object gets from a watch */
    struct hs_arena a;
    struct kube_object obj;
    hs_arena_init(&a, 0);
    const char *sc = "{\"metadata\":{\"name\":\"io2\"},\"volumeBindingMode\":\"Immediate\"}";
    assert_int_equal(kube_decode_object(sc, strlen(sc), "StorageClass", f->t, &a, &obj, &err),
                     HS_OK);
    assert_int_equal(obj.kind, KUBE_KIND_STORAGE_CLASS);
    assert_int_equal(obj.u.storage_class->binding_mode, MODEL_BINDING_IMMEDIATE);
    model_storage_class_unref_strings(obj.u.storage_class, f->t);
    hs_arena_release(&a);
}

static void controller_errors_name_the_path(void **state)
{
    struct fx *f = *state;
    expect_error(f,
                 "{\"kind\":\"List\",\"items\":[{\"kind\":\"Namespace\"},{\"kind\":\"ReplicaSet\","
                 "\"metadata\":{\"name\":\"a\"},\"spec\":{\"replicas\":\"3\"}}]}",
                 "rs.json", "rs.json: expected integer, got string at items[1].spec.replicas");
    expect_error(f,
                 "{\"items\":[{\"kind\":\"Job\",\"spec\":{\"parallelism\":2,\"completions\":"
                 "3000000000}}]}",
                 NULL, "integer 3000000000 out of range at items[0].spec.completions");
    expect_error(f,
                 "{\"items\":[{\"kind\":\"StatefulSet\",\"metadata\":{\"ownerReferences\":"
                 "[{\"kind\":\"X\"},[]]}}]}",
                 NULL, "expected object, got array at items[0].metadata.ownerReferences[1]");
    expect_error(f, "{\"items\":[{\"kind\":\"Deployment\",\"status\":{\"readyReplicas\":1.5}}]}",
                 NULL, "expected integer, got number at items[0].status.readyReplicas");
    expect_error(f, "{\"items\":[{\"kind\":\"StorageClass\",\"volumeBindingMode\":1}]}", NULL,
                 "expected string, got number at items[0].volumeBindingMode");
    expect_error(f,
                 "{\"items\":[{\"kind\":\"Namespace\",\"metadata\":{\"name\":\"x\",\"labels\":"
                 "{\"a\":null,\"b\":true}}}]}",
                 NULL, "expected string, got null at items[0].metadata.labels.a");
    expect_error(
        f, "{\"items\":[{\"kind\":\"ReplicationController\",\"metadata\":{\"namespace\":7}}]}",
        NULL, "expected string, got number at items[0].metadata.namespace");
    /* a single object names paths from its top */
    expect_error(f, "{\"kind\":\"Job\",\"spec\":{\"parallelism\":[]}}", NULL,
                 "expected integer, got array at spec.parallelism");
}

/* The parser's verdict and error text against jansson's own. */
static void json_same_as_jansson(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "{\"a\":1e400}",
        "{\"a\":99999999999999999999}",
        "{\"a\":-99999999999999999999}",
        "[9223372036854775807]",
        "[-9223372036854775808]",
        "[9223372036854775808]",
        "[-9223372036854775809]",
        "{\"a\":01}",
        "{\"a\":-}",
        "{\"a\":1.}",
        "{\"a\":.5}",
        "{\"a\":1e}",
        "[1e+]",
        "[1.e5]",
        "[0e0,-0.0e-0,1E+2,1e-400]",
        "{\"a\":tru}",
        "[truefalse]",
        "{\"a\":true",
        "{\"a\":\"x",
        "{\"a\":\"abcdefghijklmnopqrstuvwxyzabc",
        "{\"a\":\"\\q\"}",
        "{\"a\":\"\\u00\"}",
        "{\"a\":\"\\uZZZZ\"}",
        "\"\\",
        "\"\\u12",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\udc00x\"}",
        "\"\\ud83d\\ude00\"",
        "\"\\ud83d\\u0041\"",
        "\"\\ud83dx\"",
        "{\"a\":\"\\u0000\"}",
        "{\"\\u0000\":1}",
        "{\"a\":\"\x01\"}",
        "\"a\nb\"",
        "\"a\tb\"",
        "{\"a\":\"\xff\"}",
        "[\"ok\xc3\"]",
        "\"\xc0\x80\"",
        "\"\xed\xa0\x80\"",
        "\"\xf4\x90\x80\x80\"",
        "[\xe2\x82\xac]",
        "[\xff]",
        "[1\xff]",
        "[tru\xff]",
        "\xef\xbb\xbf{}",
        "{\"a\" 1}",
        "{a:1}",
        "{\"a\":1,}",
        "[1,]",
        "[1 2]",
        "{\"a\":1} x",
        "",
        "   ",
        "{",
        "[",
        "{\"a\":[1,2",
        "{\"a\":1}}",
        "{\"a\":1 \"b\":2}",
        "{\"a\":1 \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbb\":2}",
        "{\"a\" 1e400}",
        "[#]",
        "{,}",
        "[,1]",
        "{\"a\":}",
        "[}",
        "{]",
        "{\"a\":123abc}",
        "{\"a\":-abc}",
        "\"\\/\\b\\f\\n\\r\\t\\\"\"",
        "{\"a\":1,\"a\":2}",
        "{\"\":1}",
        "-0",
        "null",
        "x",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        char msg[256];
        size_t pos = 0;
        json_error_t jerr;
        size_t len = strlen(docs[i]);
        bool ours = kube__json_check(docs[i], len, msg, sizeof(msg), &pos);
        json_t *j = json_loadb(docs[i], len, JSON_DECODE_ANY, &jerr);
        if (ours != (j != NULL))
            fail_msg("'%s': ours %d, jansson %d (%s)", docs[i], ours, j != NULL, jerr.text);
        if (!ours && (strcmp(msg, jerr.text) != 0 || pos != (size_t)jerr.position))
            fail_msg("'%s': ours '%s' at %zu, jansson '%s' at %d", docs[i], msg, pos, jerr.text,
                     jerr.position);
        json_decref(j);
    }
    /* nesting: jansson's limit is 2048 values deep */
    char deep[2 * 2049 + 2];
    for (size_t depth = 2048; depth <= 2049; depth++) {
        memset(deep, '[', depth);
        memset(deep + depth, ']', depth);
        bool ok = kube__json_check(deep, 2 * depth, NULL, 0, NULL);
        assert_int_equal(ok, depth == 2048);
    }
    /* NUL bytes: jansson drops one it reads ahead ("[1\0]" is "[1]" to it);
     * the parser refuses them outside strings as inside */
    assert_false(kube__json_check("[1\0]", 4, NULL, 0, NULL));
    char msg[256];
    assert_false(kube__json_check("[\"a\0\"]", 5, msg, sizeof(msg), NULL));
    assert_string_equal(msg, "control character 0x0 near '\"a'");
}

static void json_strings_and_duplicates(void **state)
{
    struct fx *f = *state;
    const char *doc = "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"caf\\u00e9-\\ud83d\\ude00\\t/\","
                      "\"labels\":{\"a\":\"1\",\"b\":\"x\",\"a\":\"2\"},\"namespace\":\"one\","
                      "\"namespace\":\"two\"},\"spec\":{\"priority\":-5}}";
    struct hs_err err = { 0 };
    assert_int_equal(kube_decode_buffer(f->c, doc, strlen(doc), NULL, &err), HS_OK);
    struct model_pod *p = f->c->pods[0];
    assert_string_equal(p->name, "caf\xc3\xa9-\xf0\x9f\x98\x80\t/");
    /* duplicate keys: the last value wins, as in jansson */
    assert_int_equal(p->labels.n, 2);
    assert_ptr_equal(model_labels_get(&p->labels, I(f, "a")), I(f, "2"));
    assert_ptr_equal(p->ns, I(f, "two"));
    assert_int_equal(p->priority, -5);
    assert_false(p->has_grace); /* no terminationGracePeriodSeconds */
    /* invalid JSON inside an item names the item and the byte */
    expect_error(f, "{\"items\":[{\"kind\":\"Pod\"},{\"kind\":\"Pod\",\"x\":[1,]}]}", "l.json",
                 "l.json: invalid JSON at items[1]: unexpected token near ']' (byte 47 of the "
                 "input)");
    expect_error(f, "{\"kind\":\"Pod\",\"spec\":{\"a\":\"\\x\"}}", NULL,
                 "invalid JSON: invalid escape near '\"\\x' (byte 29 of the input)");
    expect_error(f, "{\"items\":[{\"kind\":\"Pod\"}] x", NULL,
                 "truncated or invalid JSON at byte 26");
    expect_error(f, "{\"items\":[{\"kind\":\"Pod\"} 1]}", NULL, "truncated JSON after items[0]");
    expect_error(f, "{\"items\":[],\"metadata\":{\"a\":", NULL,
                 "truncated or invalid JSON at byte 28");
    expect_error(f, "{\"kind\":\"Pod\"} {}", NULL,
                 "invalid JSON: end of file expected near '{' (byte 16 of the input)");
}

/* A typed list whose "kind" comes after its items, bigger than the steps
 * in which kube_decode_file releases pages: items wait for the kind and are
 * read again from released pages; file order is kept. */
static void typed_list_kind_last_large_file(void **state)
{
    struct fx *f = *state;
    char path[] = "/tmp/hoist-decode-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    const int n = 60000;
    fputs("{\"apiVersion\":\"v1\",\"items\":[", fp);
    for (int i = 0; i < n; i++)
        fprintf(fp,
                "%s{\"metadata\":{\"name\":\"p-%d\",\"namespace\":\"ns-%d\",\"annotations\":"
                "{\"filler\":\"%0120d\"}},\"spec\":{\"containers\":[{\"resources\":{\"requests\":"
                "{\"cpu\":\"%dm\"}}}]}}",
                i ? "," : "", i, i % 10, i, 1 + i % 1000);
    fputs("],\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"7\"}}\n", fp);
    fclose(fp);
    struct hs_err err = { 0 };
    if (kube_decode_file(f->c, path, &err) != HS_OK)
        fail_msg("%s", err.msg);
    unlink(path);
    assert_int_equal(f->c->n_pods, n);
    for (int i = 0; i < n; i += 997) {
        char name[32];
        snprintf(name, sizeof(name), "p-%d", i);
        assert_string_equal(f->c->pods[i]->name, name);
        assert_int_equal(f->c->pods[i]->requests.cpu_milli, 1 + i % 1000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(api_testdata_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(mixed_list_decodes, setup, teardown),
        cmocka_unit_test_setup_teardown(typed_list_items_without_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(errors_name_the_path, setup, teardown),
        cmocka_unit_test_setup_teardown(file_errors_and_large_list, setup, teardown),
        cmocka_unit_test_setup_teardown(pipe_and_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(testdata_controllers, setup, teardown),
        cmocka_unit_test_setup_teardown(controllers_and_storage, setup, teardown),
        cmocka_unit_test_setup_teardown(controller_errors_name_the_path, setup, teardown),
        cmocka_unit_test_setup_teardown(json_same_as_jansson, setup, teardown),
        cmocka_unit_test_setup_teardown(json_strings_and_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(typed_list_kind_last_large_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
