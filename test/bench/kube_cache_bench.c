/*
 * hoist-bench-kube-cache: the memory and initial-sync budget of issue 6. It
 * runs hoist's real kube client and list+watch caches for nodes and pods
 * over lib/http's fake transport (no sockets, so the figures are hoist's
 * and not a server's), which answers each paginated LIST with a page of
 * seeded, API-server-shaped JSON (compact, as the API server sends it:
 * labels and annotations, owner references, several containers with env,
 * ports, probes and resources, tolerations, affinity on some, volumes, a
 * full status; nodes with labels, taints, capacity, conditions and
 * images), generated when the page is asked for, and then a watch stream
 * of MODIFIED events. It prints one JSON object:
 *
 *   {"workload": "kube-cache", "nodes": N, "pods": P, "list_bytes": B,
 *    "seconds": {"sync": s, "generate": g, "wall": w}, "mb_per_s": X,
 *    "watch_events_per_s": E, "peak_rss_mib": M, "peak_rss_sync_mib": M1,
 *    "rss_after_sync_mib": R,
 *    "arena_mib": A, "intern_mib": I}
 *
 * sync is the process CPU time from starting the caches until both are
 * synced, minus the CPU time spent generating pages (g); wall is the
 * elapsed time of the same span, generation included; mb_per_s is
 * list_bytes / sync (10^6 bytes). peak_rss_mib is getrusage's ru_maxrss for the whole run.
 *
 * Usage: hoist-bench-kube-cache [--nodes N] [--pods P] [--events E] [--seed S]
 * A program, not a test: it never asserts on timings and writes nothing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/intern.h"
#include "base/log.h"
#include "base/rng.h"
#include "http/fake.h"
#include "kube/cache.h"
#include "kube/client.h"

struct bench {
    long nodes, pods, events;
    uint64_t seed;
    double gen_s;
    uint64_t list_bytes;
    struct hs_buf page;
    long watch_sent; /* events streamed so far */
    struct kube_cache *nc, *pc;
};

/* Process CPU time: the program is single-threaded (the fake transport has
 * no threads), and on a shared machine wall time measures the neighbours. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const apps[] = { "checkout", "cart",   "search", "payments", "catalog",
                                    "frontend", "orders", "users",  "ledger",   "recommender" };
static const char *const zones[] = { "us-east-1a", "us-east-1b", "us-east-1c" };
static const char *const types[] = { "m5.xlarge", "m5.2xlarge", "c5.2xlarge", "r5.xlarge",
                                     "m6i.4xlarge" };

static void node_json(struct hs_buf *b, long i, uint64_t seed)
{
    struct hs_rng r;
    hs_rng_seed(&r, seed ^ (uint64_t)i * 7919u);
    const char *zone = zones[i % 3], *type = types[hs_rng_below(&r, 5)];
    hs_buf_addf(
        b,
        "{\"metadata\":{\"name\":\"ip-10-%ld-%ld-%ld.ec2.internal\",\"uid\":\"%08lx-1111-2222-"
        "3333-%012lx\",\"resourceVersion\":\"%ld\",\"creationTimestamp\":\"2026-11-20T08:00:00Z\","
        "\"labels\":{\"beta.kubernetes.io/arch\":\"amd64\",\"beta.kubernetes.io/instance-type\":"
        "\"%s\",\"beta.kubernetes.io/os\":\"linux\",\"eks.amazonaws.com/capacityType\":"
        "\"ON_DEMAND\",\"eks.amazonaws.com/nodegroup\":\"ng-%ld\",\"failure-domain.beta."
        "kubernetes.io/region\":\"us-east-1\",\"failure-domain.beta.kubernetes.io/zone\":\"%s\","
        "\"kubernetes.io/arch\":\"amd64\",\"kubernetes.io/hostname\":\"ip-10-%ld-%ld-%ld.ec2."
        "internal\",\"kubernetes.io/os\":\"linux\",\"node.kubernetes.io/instance-type\":\"%s\","
        "\"topology.kubernetes.io/region\":\"us-east-1\",\"topology.kubernetes.io/zone\":\"%s\"},"
        "\"annotations\":{\"alpha.kubernetes.io/provided-node-ip\":\"10.%ld.%ld.%ld\",\"node."
        "alpha.kubernetes.io/ttl\":\"0\",\"volumes.kubernetes.io/controller-managed-attach-detach\""
        ":\"true\"}},\"spec\":{\"providerID\":\"aws:///%s/i-0%015lx\"%s},\"status\":{\"capacity\":"
        "{\"cpu\":\"8\",\"ephemeral-storage\":\"83873772Ki\",\"hugepages-1Gi\":\"0\",\"hugepages-"
        "2Mi\":\"0\",\"memory\":\"32386524Ki\",\"pods\":\"58\"},\"allocatable\":{\"cpu\":\"7910m\","
        "\"ephemeral-storage\":\"76224326324\",\"hugepages-1Gi\":\"0\",\"hugepages-2Mi\":\"0\","
        "\"memory\":\"31369692Ki\",\"pods\":\"58\"},\"conditions\":[{\"type\":\"MemoryPressure\","
        "\"status\":\"False\",\"lastHeartbeatTime\":\"2026-11-28T07:59:00Z\",\"lastTransitionTime\""
        ":\"2026-11-20T08:00:00Z\",\"reason\":\"KubeletHasSufficientMemory\",\"message\":\"kubelet "
        "has sufficient memory available\"},{\"type\":\"DiskPressure\",\"status\":\"False\","
        "\"lastHeartbeatTime\":\"2026-11-28T07:59:00Z\",\"lastTransitionTime\":\"2026-11-20T08:00:"
        "00Z\",\"reason\":\"KubeletHasNoDiskPressure\",\"message\":\"kubelet has no disk pressure\""
        "},{\"type\":\"PIDPressure\",\"status\":\"False\",\"lastHeartbeatTime\":\"2026-11-28T07:59:"
        "00Z\",\"lastTransitionTime\":\"2026-11-20T08:00:00Z\",\"reason\":\"KubeletHasSufficientPID"
        "\",\"message\":\"kubelet has sufficient PID available\"},{\"type\":\"Ready\",\"status\":"
        "\"True\",\"lastHeartbeatTime\":\"2026-11-28T07:59:00Z\",\"lastTransitionTime\":\"2026-11-"
        "20T08:01:00Z\",\"reason\":\"KubeletReady\",\"message\":\"kubelet is posting ready status"
        "\"}],\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"10.%ld.%ld.%ld\"},{\"type\":"
        "\"Hostname\",\"address\":\"ip-10-%ld-%ld-%ld.ec2.internal\"}],\"daemonEndpoints\":{"
        "\"kubeletEndpoint\":{\"Port\":10250}},\"nodeInfo\":{\"machineID\":\"ec2%029lx\","
        "\"systemUUID\":\"ec2%029lx\",\"bootID\":\"%08lx-aaaa-bbbb-cccc-dddddddddddd\","
        "\"kernelVersion\":\"6.1.112-124.190.amzn2023.x86_64\",\"osImage\":\"Amazon Linux 2023."
        "6.20241010\",\"containerRuntimeVersion\":\"containerd://1.7.22\",\"kubeletVersion\":"
        "\"v1.31.0-eks-a737599\",\"kubeProxyVersion\":\"v1.31.0-eks-a737599\",\"operatingSystem\":"
        "\"linux\",\"architecture\":\"amd64\"},\"images\":[",
        i / 65536 % 256, i / 256 % 256, i % 256, i, i, 1000 + i, type, i % 40, zone,
        i / 65536 % 256, i / 256 % 256, i % 256, type, zone, i / 65536 % 256, i / 256 % 256,
        i % 256, zone, i,
        i % 50 == 0 ? ",\"taints\":[{\"key\":\"dedicated\",\"value\":\"gpu\",\"effect\":"
                      "\"NoSchedule\"}]"
                    : "",
        i / 65536 % 256, i / 256 % 256, i % 256, i / 65536 % 256, i / 256 % 256, i % 256, i, i, i);
    for (int k = 0; k < 12; k++)
        hs_buf_addf(b,
                    "%s{\"names\":[\"602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/img-%d@"
                    "sha256:%064x\",\"602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/img-%d:"
                    "v1.%d.0\"],\"sizeBytes\":%d}",
                    k ? "," : "", k, k * 7919 + 1, k, k, 10000000 + k * 1234567);
    hs_buf_adds(b, "]}}");
}

static void pod_json(struct hs_buf *b, long i, long nodes, uint64_t seed, int gen)
{
    struct hs_rng r;
    hs_rng_seed(&r, seed ^ (uint64_t)i * 104729u);
    const char *app = apps[hs_rng_below(&r, 10)];
    long node = (long)hs_rng_below(&r, (uint64_t)nodes);
    bool pending = i % 500 == 0;
    unsigned hash = (unsigned)hs_rng_below(&r, 0xfffffff);
    char nodename[80];
    snprintf(nodename, sizeof(nodename), ",\"nodeName\":\"ip-10-%ld-%ld-%ld.ec2.internal\"",
             node / 65536 % 256, node / 256 % 256, node % 256);
    hs_buf_addf(
        b,
        "{\"metadata\":{\"name\":\"%s-%08x-%05lx\",\"generateName\":\"%s-%08x-\",\"namespace\":"
        "\"team-%ld\",\"uid\":\"%08lx-4444-5555-6666-%012lx\",\"resourceVersion\":\"%ld\","
        "\"creationTimestamp\":\"2026-11-27T10:00:00Z\",\"labels\":{\"app\":\"%s\",\"app."
        "kubernetes.io/name\":\"%s\",\"app.kubernetes.io/part-of\":\"shop\",\"pod-template-hash\":"
        "\"%08x\",\"version\":\"v%d\"},\"annotations\":{\"kubectl.kubernetes.io/restartedAt\":"
        "\"2026-11-27T09:58:00Z\",\"prometheus.io/port\":\"9090\",\"prometheus.io/scrape\":"
        "\"true\"},\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\","
        "\"name\":\"%s-%08x\",\"uid\":\"%08x-7777-8888-9999-000000000000\",\"controller\":true,"
        "\"blockOwnerDeletion\":true}]},\"spec\":{\"volumes\":[{\"name\":\"config\",\"configMap\":"
        "{\"name\":\"%s-config\",\"defaultMode\":420}},{\"name\":\"kube-api-access-%05lx\","
        "\"projected\":{\"sources\":[{\"serviceAccountToken\":{\"expirationSeconds\":3607,\"path\":"
        "\"token\"}},{\"configMap\":{\"name\":\"kube-root-ca.crt\",\"items\":[{\"key\":\"ca.crt\","
        "\"path\":\"ca.crt\"}]}},{\"downwardAPI\":{\"items\":[{\"path\":\"namespace\",\"fieldRef\":"
        "{\"apiVersion\":\"v1\",\"fieldPath\":\"metadata.namespace\"}}]}}],\"defaultMode\":420}}],"
        "\"containers\":[{\"name\":\"%s\",\"image\":\"123456789012.dkr.ecr.us-east-1.amazonaws."
        "com/%s:v%d.4.%d\",\"ports\":[{\"name\":\"http\",\"containerPort\":8080,\"protocol\":"
        "\"TCP\"},{\"name\":\"metrics\",\"containerPort\":9090,\"protocol\":\"TCP\"}],\"env\":[{"
        "\"name\":\"APP_ENV\",\"value\":\"production\"},{\"name\":\"LOG_LEVEL\",\"value\":\"info\"}"
        ","
        "{\"name\":\"POD_NAME\",\"valueFrom\":{\"fieldRef\":{\"apiVersion\":\"v1\",\"fieldPath\":"
        "\"metadata.name\"}}},{\"name\":\"DB_URL\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"%s-"
        "db"
        "\",\"key\":\"url\"}}}],\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"},"
        "\"requests\":{\"cpu\":\"%dm\",\"memory\":\"%dMi\"}},\"volumeMounts\":[{\"name\":"
        "\"config\","
        "\"mountPath\":\"/etc/app\"},{\"name\":\"kube-api-access-%05lx\",\"readOnly\":true,"
        "\"mountPath\":\"/var/run/secrets/kubernetes.io/serviceaccount\"}],\"livenessProbe\":{"
        "\"httpGet\":{\"path\":\"/"
        "healthz\",\"port\":8080,\"scheme\":\"HTTP\"},\"initialDelaySeconds"
        "\":10,\"timeoutSeconds\":1,\"periodSeconds\":10,\"successThreshold\":1,"
        "\"failureThreshold\""
        ":3},\"readinessProbe\":{\"httpGet\":{\"path\":\"/"
        "ready\",\"port\":8080,\"scheme\":\"HTTP\"},"
        "\"timeoutSeconds\":1,\"periodSeconds\":5,\"successThreshold\":1,\"failureThreshold\":3},"
        "\"terminationMessagePath\":\"/dev/termination-log\",\"terminationMessagePolicy\":\"File\","
        "\"imagePullPolicy\":\"IfNotPresent\"},{\"name\":\"envoy\",\"image\":\"envoyproxy/envoy:"
        "v1.31.2\",\"ports\":[{\"containerPort\":15001,\"protocol\":\"TCP\"}],\"resources\":{"
        "\"requests\":{\"cpu\":\"50m\",\"memory\":\"64Mi\"}},\"terminationMessagePath\":\"/dev/"
        "termination-log\",\"terminationMessagePolicy\":\"File\",\"imagePullPolicy\":"
        "\"IfNotPresent\"}],\"restartPolicy\":\"Always\",\"terminationGracePeriodSeconds\":30,"
        "\"dnsPolicy\":\"ClusterFirst\",\"serviceAccountName\":\"%s\",\"serviceAccount\":\"%s\"%s"
        ",\"securityContext\":{},\"schedulerName\":\"default-scheduler\",\"tolerations\":[{\"key\":"
        "\"node.kubernetes.io/not-ready\",\"operator\":\"Exists\",\"effect\":\"NoExecute\","
        "\"tolerationSeconds\":300},{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":"
        "\"Exists\",\"effect\":\"NoExecute\",\"tolerationSeconds\":300}],\"priority\":0,"
        "\"enableServiceLinks\":true,\"preemptionPolicy\":\"PreemptLowerPriority\"",
        app, hash, i, app, hash, i % 50, i, i, 5000 + i * 3 + gen, app, app, hash, gen, app, hash,
        hash, app, i, app, app, (int)(i % 7), gen, app, 100 + (int)hs_rng_below(&r, 900),
        64 + (int)hs_rng_below(&r, 960), i, app, app, pending ? "" : nodename);
    if (i % 4 == 0)
        hs_buf_addf(b,
                    ",\"affinity\":{\"podAntiAffinity\":{\"preferredDuringSchedulingIgnoredDuring"
                    "Execution\":[{\"weight\":100,\"podAffinityTerm\":{\"labelSelector\":{"
                    "\"matchLabels\":{\"app\":\"%s\"}},\"topologyKey\":\"topology.kubernetes.io/"
                    "zone\"}}]}}",
                    app);
    if (pending) {
        hs_buf_adds(b, "},\"status\":{\"phase\":\"Pending\",\"conditions\":[{\"type\":"
                       "\"PodScheduled\",\"status\":\"False\",\"lastProbeTime\":null,"
                       "\"lastTransitionTime\":\"2026-11-28T07:59:00Z\",\"reason\":"
                       "\"Unschedulable\",\"message\":\"0/5000 nodes are available: 5000 "
                       "Insufficient cpu.\"}],\"qosClass\":\"Burstable\"}}");
        return;
    }
    hs_buf_addf(
        b,
        "},\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"PodReadyToStartContainers"
        "\",\"status\":\"True\",\"lastProbeTime\":null,\"lastTransitionTime\":\"2026-11-27T10:00:"
        "05Z\"},{\"type\":\"Initialized\",\"status\":\"True\",\"lastProbeTime\":null,"
        "\"lastTransitionTime\":\"2026-11-27T10:00:01Z\"},{\"type\":\"Ready\",\"status\":\"True\","
        "\"lastProbeTime\":null,\"lastTransitionTime\":\"2026-11-27T10:00:20Z\"},{\"type\":"
        "\"ContainersReady\",\"status\":\"True\",\"lastProbeTime\":null,\"lastTransitionTime\":"
        "\"2026-11-27T10:00:20Z\"},{\"type\":\"PodScheduled\",\"status\":\"True\",\"lastProbeTime\""
        ":null,\"lastTransitionTime\":\"2026-11-27T10:00:00Z\"}],\"hostIP\":\"10.%ld.%ld.%ld\","
        "\"hostIPs\":[{\"ip\":\"10.%ld.%ld.%ld\"}],\"podIP\":\"10.%ld.%ld.%ld\",\"podIPs\":[{\"ip\""
        ":\"10.%ld.%ld.%ld\"}],\"startTime\":\"2026-11-27T10:00:00Z\",\"containerStatuses\":[{"
        "\"name\":\"%s\",\"state\":{\"running\":{\"startedAt\":\"2026-11-27T10:00:04Z\"}},"
        "\"lastState\":{},\"ready\":true,\"restartCount\":0,\"image\":\"123456789012.dkr.ecr.us-"
        "east-1.amazonaws.com/%s:v%d.4.%d\",\"imageID\":\"123456789012.dkr.ecr.us-east-1."
        "amazonaws.com/%s@sha256:%064lx\",\"containerID\":\"containerd://%064lx\",\"started\":"
        "true},{\"name\":\"envoy\",\"state\":{\"running\":{\"startedAt\":\"2026-11-27T10:00:04Z\"}"
        "},\"lastState\":{},\"ready\":true,\"restartCount\":0,\"image\":\"docker.io/envoyproxy/"
        "envoy:v1.31.2\",\"imageID\":\"docker.io/envoyproxy/envoy@sha256:%064x\",\"containerID\":"
        "\"containerd://%064lx\",\"started\":true}],\"qosClass\":\"Burstable\"}}",
        node / 65536 % 256, node / 256 % 256, node % 256, node / 65536 % 256, node / 256 % 256,
        node % 256, 100 + i / 65536 % 100, i / 256 % 256, i % 256, 100 + i / 65536 % 100,
        i / 256 % 256, i % 256, app, app, (int)(i % 7), gen, app, (unsigned long)hash * 31u, i,
        12345u, i * 2);
}

/* The fake transport's handler: pages of the list, then a watch stream. */
static void handler(void *ctx, const struct http_fake_request *req, struct http_fake_reply *rep)
{
    struct bench *b = ctx;
    bool pods = strstr(req->url, "/api/v1/pods") != NULL;
    long total = pods ? b->pods : b->nodes;
    if (strstr(req->url, "watch=1")) {
        /* Events in streams of at most 1,000, each ended cleanly so the
         * cache re-watches from the last resourceVersion, as it does when
         * timeoutSeconds runs out. */
        long from = b->watch_sent;
        if (!pods || from >= b->events) {
            rep->never = true;
            return;
        }
        long to = from + 1000 < b->events ? from + 1000 : b->events;
        double t0 = now_s();
        hs_buf_clear(&b->page);
        for (long e = from; e < to; e++) {
            hs_buf_adds(&b->page, "{\"type\":\"MODIFIED\",\"object\":");
            pod_json(&b->page, e * 7 % b->pods, b->nodes, b->seed, 1);
            hs_buf_adds(&b->page, "}\n");
        }
        b->watch_sent = to;
        b->gen_s += now_s() - t0;
        rep->status = 200;
        rep->body = b->page.data;
        rep->body_len = b->page.len;
        rep->chunk = 64 * 1024;
        return;
    }
    long start = 0;
    const char *c = strstr(req->url, "continue=");
    if (c)
        start = strtol(c + 9, NULL, 10);
    long limit = 500;
    double t0 = now_s();
    hs_buf_clear(&b->page);
    hs_buf_addf(&b->page,
                "{\"kind\":\"%s\",\"apiVersion\":\"v1\",\"metadata\":{"
                "\"resourceVersion\":\"900000000\"",
                pods ? "PodList" : "NodeList");
    if (start + limit < total)
        hs_buf_addf(&b->page, ",\"continue\":\"%ld\"", start + limit);
    hs_buf_adds(&b->page, "},\"items\":[");
    for (long i = start; i < start + limit && i < total; i++) {
        if (i > start)
            hs_buf_addc(&b->page, ',');
        if (pods)
            pod_json(&b->page, i, b->nodes, b->seed, 0);
        else
            node_json(&b->page, i, b->seed);
    }
    hs_buf_adds(&b->page, "]}");
    b->gen_s += now_s() - t0;
    b->list_bytes += b->page.len;
    rep->status = 200;
    rep->body = b->page.data;
    rep->body_len = b->page.len;
}

static enum hs_code factory(void *ctx, struct ev_loop *loop, const struct http_client_options *o,
                            struct http_client **out, struct hs_err *err)
{
    return http_client_new_fake(loop, o, handler, ctx, out, err);
}

static double rss_mib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, res = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &res) != 2)
            res = 0;
        fclose(f);
    }
    return (double)res * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static void on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    struct bench *b = w->data;
    struct kube_cache_stats st;
    kube_cache_get_stats(b->pc, &st);
    if (kube_cache_synced(b->nc) && kube_cache_synced(b->pc) &&
        (b->events == 0 || st.events >= (uint64_t)b->events))
        ev_break(loop, EVBREAK_ALL);
}

int main(int argc, char **argv)
{
    struct bench b = { .nodes = 5000, .pods = 150000, .events = 20000, .seed = 1 };
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--nodes") == 0)
            b.nodes = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--pods") == 0)
            b.pods = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--events") == 0)
            b.events = atol(argv[i + 1]);
        else if (strcmp(argv[i], "--seed") == 0)
            b.seed = strtoull(argv[i + 1], NULL, 10);
        else {
            fprintf(stderr, "usage: %s [--nodes N] [--pods P] [--events E] [--seed S]\n", argv[0]);
            return 2;
        }
    }
    if (b.nodes < 1 || b.pods < 1 || b.events < 0 || b.events > b.pods) {
        fprintf(stderr, "%s: want nodes >= 1, pods >= 1, 0 <= events <= pods\n", argv[0]);
        return 2;
    }
    hs_log_set_verbosity(0);
    hs_buf_init(&b.page);
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct hs_intern *intern = hs_intern_new();
    struct kube_config cfg = { 0 };
    cfg.server = (char *)(uintptr_t) "https://bench.invalid";
    struct kube_client_options co = { 0 };
    co.qps = -1;
    co.http_factory = factory;
    co.http_factory_ctx = &b;
    struct kube_client *client = NULL;
    struct hs_err err = { 0 };
    if (kube_client_new(loop, &cfg, &co, &client, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    struct kube_cache_options o = { 0 };
    o.intern = intern;
    o.seed = b.seed;
    if (kube_cache_new(client, KUBE_KIND_NODE, &o, &b.nc, &err) ||
        kube_cache_new(client, KUBE_KIND_POD, &o, &b.pc, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    ev_timer tick;
    ev_timer_init(&tick, on_tick, 0.005, 0.005);
    tick.data = &b;
    ev_timer_start(loop, &tick);
    double t0 = now_s(), w0 = wall_s();
    kube_cache_start(b.nc);
    kube_cache_start(b.pc);
    /* Sync first, then the watch events. */
    uint64_t events = (uint64_t)b.events;
    b.events = 0;
    ev_run(loop, 0);
    double sync = now_s() - t0 - b.gen_s;
    double sync_wall = wall_s() - w0;
    double rss_sync = rss_mib();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double peak_sync = (double)ru.ru_maxrss / 1024.0;
    struct kube_cache_stats ns, ps;
    kube_cache_get_stats(b.nc, &ns);
    kube_cache_get_stats(b.pc, &ps);
    double gen_list = b.gen_s;

    /* The watch: the pod cache resumes from the list and gets the events. */
    b.events = (long)events;
    b.gen_s = 0;
    kube_cache_stop(b.pc);
    double t1 = now_s();
    kube_cache_start(b.pc);
    if (events)
        ev_run(loop, 0);
    double watch_s = now_s() - t1 - b.gen_s;
    ev_timer_stop(loop, &tick);
    size_t unsched = 0;
    kube_cache_unschedulable(b.pc, &unsched);
    getrusage(RUSAGE_SELF, &ru);
    printf("{\"workload\": \"kube-cache\", \"nodes\": %zu, \"pods\": %zu, \"unschedulable\": %zu, "
           "\"list_bytes\": %" PRIu64
           ", \"seconds\": {\"sync\": %.3f, \"generate\": %.3f, \"wall\": %.3f}, "
           "\"mb_per_s\": %.1f, \"watch_events\": %" PRIu64 ", \"watch_events_per_s\": %.0f, "
           "\"peak_rss_mib\": %.1f, \"peak_rss_sync_mib\": %.1f, \"rss_after_sync_mib\": %.1f, "
           "\"arena_mib\": %.1f, "
           "\"intern_mib\": %.1f, \"intern_strings\": %zu, \"decode_errors\": %" PRIu64 "}\n",
           kube_cache_len(b.nc), kube_cache_len(b.pc), unsched, b.list_bytes, sync, gen_list,
           sync_wall, (double)b.list_bytes / 1e6 / sync, events,
           events ? (double)events / watch_s : 0.0, (double)ru.ru_maxrss / 1024.0, peak_sync,
           rss_sync, (double)(ns.arena_bytes + ps.arena_bytes) / (1024.0 * 1024.0),
           (double)hs_intern_bytes(intern) / (1024.0 * 1024.0), hs_intern_count(intern),
           ns.decode_errors + ps.decode_errors);
    kube_cache_free(&b.nc);
    kube_cache_free(&b.pc);
    kube_client_free(&client);
    hs_intern_free(&intern);
    hs_buf_release(&b.page);
    ev_loop_destroy(loop);
    return 0;
}
