/*
 * hoist-bench-decode: the decode-throughput benchmark of issue 3. It writes a
 * seeded, kubectl-shaped `kubectl get pods -A -o json` list to a temporary
 * file (4-space indentation as kubectl prints it; several containers with
 * env, probes, ports and resources; labels, annotations, owner references,
 * node and pod affinity, tolerations, spread constraints, volumes and a full
 * status), decodes it with kube_decode_file into a fresh model_cluster and
 * prints one JSON object:
 *
 *   {"workload": "decode", "bytes": N, "pods": P, "seconds": {"decode": s},
 *    "mb_per_s": X, "peak_rss_mib": M}
 *
 * peak_rss_mib is getrusage's ru_maxrss for the whole run;
 * the generator streams to the file and keeps almost nothing in memory, so
 * the peak is the decoder's (model + what it keeps of the file).
 *
 * MB are 10^6 bytes; seconds are the process's CPU time around
 * kube_decode_file (one core's work, page faults included; BENCHMARKS.md
 * explains why not wall time on the shared machine).
 *
 * Usage: hoist-bench-decode [--pods N] [--seed S] [--compact] [--keep PATH]
 *                           [--file PATH]
 *   --pods: pods in the list (default 30000, about 655 MB);
 *   --compact: no indentation, as the API server itself prints;
 *   --keep writes the generated list to PATH and leaves it there;
 *   --file decodes an existing file instead of generating one.
 *
 * A program, not a test: it never asserts on timings, and it must never
 * write anywhere but the temporary file (or --keep's path).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/intern.h"
#include "base/rng.h"
#include "kube/decode.h"
#include "model/model.h"

/* ---- an indenting JSON writer --------------------------------------------- */

struct jw {
    FILE *f;      /* borrowed */
    bool compact; /* no newlines, no indentation */
    int depth;    /* nesting level */
    bool first;   /* no member written yet at this level */
    bool key_out; /* a key was just written: the value follows on its line */
};

static void jw_sep(struct jw *w)
{
    if (w->key_out) {
        w->key_out = false;
        return;
    }
    if (w->depth > 0 && w->compact) {
        if (!w->first)
            fputc(',', w->f);
    } else if (w->depth > 0) {
        fputs(w->first ? "\n" : ",\n", w->f);
        for (int i = 0; i < w->depth; i++)
            fputs("    ", w->f);
    }
    w->first = false;
}

static void jw_open(struct jw *w, char c)
{
    jw_sep(w);
    fputc(c, w->f);
    w->depth++;
    w->first = true;
}

static void jw_close(struct jw *w, char c)
{
    w->depth--;
    if (!w->first && !w->compact) {
        fputc('\n', w->f);
        for (int i = 0; i < w->depth; i++)
            fputs("    ", w->f);
    }
    fputc(c, w->f);
    w->first = false;
}

static void jw_key(struct jw *w, const char *k)
{
    jw_sep(w);
    fprintf(w->f, w->compact ? "\"%s\":" : "\"%s\": ", k);
    w->key_out = true;
}

static void jw_str(struct jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jw_str(struct jw *w, const char *fmt, ...)
{
    va_list ap;
    jw_sep(w);
    fputc('"', w->f);
    va_start(ap, fmt);
    vfprintf(w->f, fmt, ap);
    va_end(ap);
    fputc('"', w->f);
}

static void jw_int(struct jw *w, long long v)
{
    jw_sep(w);
    fprintf(w->f, "%lld", v);
}

static void jw_null(struct jw *w)
{
    jw_sep(w);
    fputs("null", w->f);
}

static void jw_bool(struct jw *w, bool v)
{
    jw_sep(w);
    fputs(v ? "true" : "false", w->f);
}

/* key: "string" */
static void kv_str(struct jw *w, const char *k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void kv_str(struct jw *w, const char *k, const char *fmt, ...)
{
    va_list ap;
    jw_key(w, k);
    w->key_out = false;
    fputc('"', w->f);
    va_start(ap, fmt);
    vfprintf(w->f, fmt, ap);
    va_end(ap);
    fputc('"', w->f);
    w->first = false;
}

static void kv_int(struct jw *w, const char *k, long long v)
{
    jw_key(w, k);
    jw_int(w, v);
}

static void kv_bool(struct jw *w, const char *k, bool v)
{
    jw_key(w, k);
    jw_bool(w, v);
}

static void kv_open(struct jw *w, const char *k, char c)
{
    jw_key(w, k);
    jw_open(w, c);
}

/* ---- the generated pods ----------------------------------------------------- */

static const char *const apps[] = { "checkout", "cart",    "catalog", "search",  "payments",
                                    "frontend", "ledger",  "notify",  "profile", "reviews",
                                    "shipping", "pricing", "auth",    "session", "media" };
static const char *const zones[] = { "us-east-1a", "us-east-1b", "us-east-1c" };
static const char *const cpus[] = { "50m", "100m", "250m", "500m", "1", "1500m", "2" };
static const char *const mems[] = { "64Mi", "128Mi", "256Mi", "512Mi", "1Gi", "2Gi", "4Gi" };

static void hexid(struct hs_rng *r, char *out, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i + 1 < n; i++)
        out[i] = hx[hs_rng_below(r, 16)];
    out[n - 1] = '\0';
}

static void uid(struct hs_rng *r, char out[37])
{
    hexid(r, out, 37);
    out[8] = out[13] = out[18] = out[23] = '-';
}

static void resources(struct jw *w, struct hs_rng *r)
{
    size_t c = hs_rng_below(r, 7), m = hs_rng_below(r, 7);
    kv_open(w, "resources", '{');
    kv_open(w, "limits", '{');
    kv_str(w, "cpu", "%s", cpus[c < 6 ? c + 1 : c]);
    kv_str(w, "memory", "%s", mems[m]);
    jw_close(w, '}');
    kv_open(w, "requests", '{');
    kv_str(w, "cpu", "%s", cpus[c]);
    kv_str(w, "memory", "%s", mems[m]);
    if (hs_rng_below(r, 20) == 0)
        kv_str(w, "nvidia.com/gpu", "1");
    jw_close(w, '}');
    jw_close(w, '}');
}

static void probe(struct jw *w, const char *key, int port)
{
    kv_open(w, key, '{');
    kv_int(w, "failureThreshold", 3);
    kv_open(w, "httpGet", '{');
    kv_str(w, "path", "/healthz");
    kv_int(w, "port", port);
    kv_str(w, "scheme", "HTTP");
    jw_close(w, '}');
    kv_int(w, "initialDelaySeconds", 5);
    kv_int(w, "periodSeconds", 10);
    kv_int(w, "successThreshold", 1);
    kv_int(w, "timeoutSeconds", 1);
    jw_close(w, '}');
}

static void container(struct jw *w, struct hs_rng *r, const char *app, int i, bool init)
{
    jw_open(w, '{');
    kv_open(w, "args", '[');
    jw_str(w, "--port=%d", 8080 + i);
    jw_str(w, "--log-level=info");
    jw_close(w, ']');
    kv_open(w, "env", '[');
    int nenv = 4 + (int)hs_rng_below(r, 6);
    for (int e = 0; e < nenv; e++) {
        jw_open(w, '{');
        kv_str(w, "name", "%s_SETTING_%d", init ? "INIT" : "APP", e);
        if (e == 0) {
            kv_open(w, "valueFrom", '{');
            kv_open(w, "fieldRef", '{');
            kv_str(w, "apiVersion", "v1");
            kv_str(w, "fieldPath", "metadata.namespace");
            jw_close(w, '}');
            jw_close(w, '}');
        } else {
            kv_str(w, "value", "value-%" PRIu64 "-\\\"quoted\\\" \\u00e9t\\u00e9",
                   hs_rng_below(r, 100000));
        }
        jw_close(w, '}');
    }
    jw_close(w, ']');
    kv_str(w, "image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/%s:v1.%" PRIu64 ".%d", app,
           hs_rng_below(r, 40), i);
    kv_str(w, "imagePullPolicy", "IfNotPresent");
    if (!init) {
        probe(w, "livenessProbe", 8080 + i);
        probe(w, "readinessProbe", 8080 + i);
    }
    kv_str(w, "name", "%s-%d", init ? "init" : app, i);
    if (!init) {
        kv_open(w, "ports", '[');
        jw_open(w, '{');
        kv_int(w, "containerPort", 8080 + i);
        kv_str(w, "name", "http-%d", i);
        kv_str(w, "protocol", "TCP");
        jw_close(w, '}');
        jw_close(w, ']');
    }
    resources(w, r);
    kv_open(w, "securityContext", '{');
    kv_bool(w, "allowPrivilegeEscalation", false);
    kv_bool(w, "readOnlyRootFilesystem", true);
    kv_bool(w, "runAsNonRoot", true);
    jw_close(w, '}');
    kv_str(w, "terminationMessagePath", "/dev/termination-log");
    kv_str(w, "terminationMessagePolicy", "File");
    kv_open(w, "volumeMounts", '[');
    jw_open(w, '{');
    kv_str(w, "mountPath", "/var/run/secrets/kubernetes.io/serviceaccount");
    kv_str(w, "name", "kube-api-access-%c%c%c%c%c", 'a' + (int)hs_rng_below(r, 26),
           'a' + (int)hs_rng_below(r, 26), 'a' + (int)hs_rng_below(r, 26),
           'a' + (int)hs_rng_below(r, 26), 'a' + (int)hs_rng_below(r, 26));
    kv_bool(w, "readOnly", true);
    jw_close(w, '}');
    jw_open(w, '{');
    kv_str(w, "mountPath", "/tmp");
    kv_str(w, "name", "tmp");
    jw_close(w, '}');
    jw_close(w, ']');
    jw_close(w, '}');
}

static void pod_status(struct jw *w, struct hs_rng *r, const char *app, int ncont, bool running)
{
    kv_open(w, "status", '{');
    kv_open(w, "conditions", '[');
    static const char *const types[] = { "PodReadyToStartContainers", "Initialized", "Ready",
                                         "ContainersReady", "PodScheduled" };
    for (int i = 0; i < 5; i++) {
        if (!running && i != 4)
            continue;
        jw_open(w, '{');
        jw_key(w, "lastProbeTime");
        jw_null(w);
        kv_str(w, "lastTransitionTime", "2026-11-2%dT0%d:1%d:4%dZ", i + 1, i, i, i);
        if (!running) {
            kv_str(w, "message", "0/42 nodes are available: 3 Insufficient cpu.");
            kv_str(w, "reason", "Unschedulable");
        }
        kv_str(w, "status", "%s", running ? "True" : "False");
        kv_str(w, "type", "%s", types[i]);
        jw_close(w, '}');
    }
    jw_close(w, ']');
    if (running) {
        kv_open(w, "containerStatuses", '[');
        for (int c = 0; c < ncont; c++) {
            char id[65];
            hexid(r, id, sizeof(id));
            jw_open(w, '{');
            kv_str(w, "containerID", "containerd://%s", id);
            kv_str(w, "image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/%s:v1.3.%d", app, c);
            kv_str(w, "imageID", "123456789012.dkr.ecr.us-east-1.amazonaws.com/%s@sha256:%s", app,
                   id);
            kv_open(w, "lastState", '{');
            jw_close(w, '}');
            kv_str(w, "name", "%s-%d", app, c);
            kv_bool(w, "ready", true);
            kv_int(w, "restartCount", (long long)hs_rng_below(r, 3));
            kv_bool(w, "started", true);
            kv_open(w, "state", '{');
            kv_open(w, "running", '{');
            kv_str(w, "startedAt", "2026-11-28T07:5%d:00Z", c);
            jw_close(w, '}');
            jw_close(w, '}');
            jw_close(w, '}');
        }
        jw_close(w, ']');
        kv_str(w, "hostIP", "10.0.%" PRIu64 ".%" PRIu64, hs_rng_below(r, 256),
               hs_rng_below(r, 256));
        kv_str(w, "phase", "Running");
        kv_str(w, "podIP", "10.1.%" PRIu64 ".%" PRIu64, hs_rng_below(r, 256), hs_rng_below(r, 256));
        kv_str(w, "qosClass", "Burstable");
        kv_str(w, "startTime", "2026-11-28T07:49:59Z");
    } else {
        kv_str(w, "phase", "Pending");
        kv_str(w, "qosClass", "Burstable");
    }
    jw_close(w, '}');
}

static void gen_pod(struct jw *w, struct hs_rng *r, int i)
{
    const char *app = apps[hs_rng_below(r, sizeof(apps) / sizeof(apps[0]))];
    const char *zone = zones[hs_rng_below(r, 3)];
    char hash[11], suffix[6], id[37], owner_id[37];
    hexid(r, hash, sizeof(hash));
    hexid(r, suffix, sizeof(suffix));
    uid(r, id);
    uid(r, owner_id);
    bool running = hs_rng_below(r, 10) != 0;
    int ncont = 2 + (int)hs_rng_below(r, 2);

    jw_open(w, '{');
    kv_str(w, "apiVersion", "v1");
    kv_str(w, "kind", "Pod");
    kv_open(w, "metadata", '{');
    kv_open(w, "annotations", '{');
    kv_str(w, "kubectl.kubernetes.io/restartedAt", "2026-11-2%dT08:00:00Z", i % 9);
    kv_str(w, "prometheus.io/port", "9090");
    kv_str(w, "prometheus.io/scrape", "true");
    jw_close(w, '}');
    kv_str(w, "creationTimestamp", "2026-11-28T07:4%d:1%dZ", i % 10, i % 7);
    kv_str(w, "generateName", "%s-%s-", app, hash);
    kv_open(w, "labels", '{');
    kv_str(w, "app.kubernetes.io/name", "%s", app);
    kv_str(w, "app.kubernetes.io/part-of", "shop");
    kv_str(w, "pod-template-hash", "%s", hash);
    kv_str(w, "team", "team-%d", i % 12);
    kv_str(w, "version", "v1.%d", i % 5);
    jw_close(w, '}');
    kv_str(w, "name", "%s-%s-%s", app, hash, suffix);
    kv_str(w, "namespace", "ns-%d", i % 40);
    kv_open(w, "ownerReferences", '[');
    jw_open(w, '{');
    kv_str(w, "apiVersion", "apps/v1");
    kv_bool(w, "blockOwnerDeletion", true);
    kv_bool(w, "controller", true);
    kv_str(w, "kind", "ReplicaSet");
    kv_str(w, "name", "%s-%s", app, hash);
    kv_str(w, "uid", "%s", owner_id);
    jw_close(w, '}');
    jw_close(w, ']');
    kv_str(w, "resourceVersion", "%" PRIu64, 100000000 + hs_rng_below(r, 900000000));
    kv_str(w, "uid", "%s", id);
    jw_close(w, '}');

    kv_open(w, "spec", '{');
    kv_open(w, "affinity", '{');
    kv_open(w, "nodeAffinity", '{');
    kv_open(w, "requiredDuringSchedulingIgnoredDuringExecution", '{');
    kv_open(w, "nodeSelectorTerms", '[');
    jw_open(w, '{');
    kv_open(w, "matchExpressions", '[');
    jw_open(w, '{');
    kv_str(w, "key", "kubernetes.io/arch");
    kv_str(w, "operator", "In");
    kv_open(w, "values", '[');
    jw_str(w, "amd64");
    jw_str(w, "arm64");
    jw_close(w, ']');
    jw_close(w, '}');
    jw_close(w, ']');
    jw_close(w, '}');
    jw_close(w, ']');
    jw_close(w, '}');
    jw_close(w, '}');
    kv_open(w, "podAntiAffinity", '{');
    kv_open(w, "preferredDuringSchedulingIgnoredDuringExecution", '[');
    jw_open(w, '{');
    kv_open(w, "podAffinityTerm", '{');
    kv_open(w, "labelSelector", '{');
    kv_open(w, "matchLabels", '{');
    kv_str(w, "app.kubernetes.io/name", "%s", app);
    jw_close(w, '}');
    jw_close(w, '}');
    kv_str(w, "topologyKey", "kubernetes.io/hostname");
    jw_close(w, '}');
    kv_int(w, "weight", 100);
    jw_close(w, '}');
    jw_close(w, ']');
    jw_close(w, '}');
    jw_close(w, '}');
    kv_open(w, "containers", '[');
    for (int c = 0; c < ncont; c++)
        container(w, r, app, c, false);
    jw_close(w, ']');
    kv_str(w, "dnsPolicy", "ClusterFirst");
    kv_bool(w, "enableServiceLinks", true);
    if (hs_rng_below(r, 4) == 0) {
        kv_open(w, "initContainers", '[');
        container(w, r, app, 0, true);
        jw_close(w, ']');
    }
    if (running)
        kv_str(w, "nodeName", "ip-10-0-%" PRIu64 "-%" PRIu64 ".ec2.internal", hs_rng_below(r, 64),
               hs_rng_below(r, 256));
    kv_str(w, "preemptionPolicy", "PreemptLowerPriority");
    kv_int(w, "priority", 0);
    kv_str(w, "restartPolicy", "Always");
    kv_str(w, "schedulerName", "default-scheduler");
    kv_open(w, "securityContext", '{');
    kv_int(w, "fsGroup", 65534);
    jw_close(w, '}');
    kv_str(w, "serviceAccount", "%s", app);
    kv_str(w, "serviceAccountName", "%s", app);
    kv_int(w, "terminationGracePeriodSeconds", 30);
    kv_open(w, "tolerations", '[');
    static const char *const tk[] = { "node.kubernetes.io/not-ready",
                                      "node.kubernetes.io/unreachable" };
    for (int t = 0; t < 2; t++) {
        jw_open(w, '{');
        kv_str(w, "effect", "NoExecute");
        kv_str(w, "key", "%s", tk[t]);
        kv_str(w, "operator", "Exists");
        kv_int(w, "tolerationSeconds", 300);
        jw_close(w, '}');
    }
    jw_open(w, '{');
    kv_str(w, "effect", "NoSchedule");
    kv_str(w, "key", "dedicated");
    kv_str(w, "operator", "Equal");
    kv_str(w, "value", "%s", zone);
    jw_close(w, '}');
    jw_close(w, ']');
    kv_open(w, "topologySpreadConstraints", '[');
    jw_open(w, '{');
    kv_open(w, "labelSelector", '{');
    kv_open(w, "matchLabels", '{');
    kv_str(w, "app.kubernetes.io/name", "%s", app);
    jw_close(w, '}');
    jw_close(w, '}');
    kv_int(w, "maxSkew", 1);
    kv_str(w, "topologyKey", "topology.kubernetes.io/zone");
    kv_str(w, "whenUnsatisfiable", "ScheduleAnyway");
    jw_close(w, '}');
    jw_close(w, ']');
    kv_open(w, "volumes", '[');
    jw_open(w, '{');
    kv_open(w, "emptyDir", '{');
    jw_close(w, '}');
    kv_str(w, "name", "tmp");
    jw_close(w, '}');
    jw_open(w, '{');
    kv_str(w, "name", "kube-api-access-x");
    kv_open(w, "projected", '{');
    kv_int(w, "defaultMode", 420);
    kv_open(w, "sources", '[');
    jw_open(w, '{');
    kv_open(w, "serviceAccountToken", '{');
    kv_int(w, "expirationSeconds", 3607);
    kv_str(w, "path", "token");
    jw_close(w, '}');
    jw_close(w, '}');
    jw_open(w, '{');
    kv_open(w, "configMap", '{');
    kv_open(w, "items", '[');
    jw_open(w, '{');
    kv_str(w, "key", "ca.crt");
    kv_str(w, "path", "ca.crt");
    jw_close(w, '}');
    jw_close(w, ']');
    kv_str(w, "name", "kube-root-ca.crt");
    jw_close(w, '}');
    jw_close(w, '}');
    jw_close(w, ']');
    jw_close(w, '}');
    jw_close(w, '}');
    jw_close(w, ']');
    jw_close(w, '}');
    pod_status(w, r, app, ncont, running);
    jw_close(w, '}');
}

static int generate(const char *path, int pods, uint64_t seed, bool compact)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "hoist-bench-decode: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof(buf));
    struct hs_rng r;
    hs_rng_seed(&r, seed);
    struct jw w = { .f = f, .compact = compact };
    jw_open(&w, '{');
    kv_str(&w, "apiVersion", "v1");
    kv_open(&w, "items", '[');
    for (int i = 0; i < pods; i++)
        gen_pod(&w, &r, i);
    jw_close(&w, ']');
    kv_str(&w, "kind", "List");
    kv_open(&w, "metadata", '{');
    kv_str(&w, "resourceVersion", "%s", "");
    jw_close(&w, '}');
    jw_close(&w, '}');
    fputc('\n', f);
    if (fclose(f) != 0) {
        fprintf(stderr, "hoist-bench-decode: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int pods = 30000;
    bool compact = false;
    uint64_t seed = 42;
    const char *keep = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--pods") == 0 && i + 1 < argc)
            pods = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--compact") == 0)
            compact = true;
        else if (strcmp(argv[i], "--keep") == 0 && i + 1 < argc)
            keep = argv[++i];
        else if (strcmp(argv[i], "--file") == 0 && i + 1 < argc)
            file = argv[++i];
        else {
            fprintf(stderr, "usage: hoist-bench-decode [--pods N] [--seed S] [--compact] "
                            "[--keep PATH] [--file PATH]\n");
            return 2;
        }
    }
    char tmp[] = "/tmp/hoist-bench-decode-XXXXXX";
    const char *path = file;
    if (!path) {
        if (keep) {
            path = keep;
        } else {
            int fd = mkstemp(tmp);
            if (fd < 0) {
                fprintf(stderr, "hoist-bench-decode: mkstemp: %s\n", strerror(errno));
                return 1;
            }
            close(fd);
            path = tmp;
        }
        if (generate(path, pods, seed, compact) != 0)
            return 1;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "hoist-bench-decode: %s: %s\n", path, strerror(errno));
        return 1;
    }

    struct hs_intern *t = hs_intern_new();
    struct model_cluster *c = model_cluster_new(t);
    struct hs_err err = { 0 };
    double t0 = cpu_s();
    enum hs_code rc = kube_decode_file(c, path, &err);
    double secs = cpu_s() - t0;
    if (!file && !keep)
        unlink(path);
    if (rc) {
        fprintf(stderr, "hoist-bench-decode: %s\n", err.msg);
        return 1;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double bytes = (double)st.st_size;
    printf("{\"workload\": \"decode\", \"bytes\": %lld, \"pods\": %zu, \"seconds\": {\"decode\": "
           "%.3f}, \"mb_per_s\": %.1f, \"peak_rss_mib\": %.1f}\n",
           (long long)st.st_size, c->n_pods, secs, bytes / 1e6 / secs,
           (double)ru.ru_maxrss / 1024.0);
    model_cluster_free(&c);
    hs_intern_free(&t);
    return 0;
}
