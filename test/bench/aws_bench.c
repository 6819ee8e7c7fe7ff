/*
 * hoist-bench-aws: the AWS layer's two benchmark measures of issue 5
 * (BENCHMARKS.md, "AWS layer"). Each run prints one JSON object on stdout.
 *
 *   hoist-bench-aws decode [--groups N] [--instances M] [--iterations K] [--seed S]
 *     Generates one seeded DescribeAutoScalingGroups answer of N groups (as
 *     AWS sends it: Query-protocol XML) and the same groups as the aws CLI
 *     prints them (`aws autoscaling describe-auto-scaling-groups`, JSON with
 *     4-space indentation), shaped like EKS managed and self-managed node
 *     groups: 9-13 tags each (cluster-autoscaler discovery and node-template
 *     tags, EKS and kubernetes.io tags), two thirds with a
 *     MixedInstancesPolicy of 3-8 overrides and an instances distribution,
 *     the rest with a launch template, three zones, subnets, and 0..2M
 *     instances (M on average, default 10). It decodes each K times
 *     (default 5) with aws_xml_describe_asgs and aws_cli_json_asgs into a
 *     fresh model_asg_list and reports the median:
 *       {"workload": "aws-decode", "groups": N, "instances": I, "tags": T,
 *        "xml_bytes": B, "json_bytes": B, "iterations": K,
 *        "seconds": {"xml": s, "json": s}}
 *     Seconds are process CPU time around the decode call only (one core's
 *     work; BENCHMARKS.md says why not wall time on the shared machine).
 *
 *   hoist-bench-aws tls [--sequential N] [--concurrent C] [--delay-ms D] [--check]
 *     Starts test/aws/tls_count_server.py (a python3 stdlib HTTPS endpoint
 *     with a CA made for this run) and points one aws_client at it through
 *     AWS_ENDPOINT_URL-style configuration with that CA: N
 *     DescribeAutoScalingGroups calls one after the other (default 100),
 *     then C at once (default 20; the server holds each answer D ms,
 *     default 20, so that they overlap). It reports the TCP connections the
 *     server accepted and the TLS handshakes it completed in each phase:
 *       {"workload": "aws-tls", "sequential": {"calls": N, "ok": n,
 *        "connections": c, "handshakes": h}, "concurrent": {..., "max_open": m},
 *        "max_host_connections": 8}
 *     With --check it exits 1 unless the sequential calls used exactly one
 *     connection and the concurrent ones no more than the per-host cap.
 *
 * A program, not a timed test: it never asserts on timings. It talks only
 * to 127.0.0.1, writes no file, and stops the server it started (by its
 * pid, by closing its stdin).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "aws/client.h"
#include "aws/creds_cache.h"
#include "aws/credentials.h"
#include "aws/decode.h"
#include "aws/query.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/rng.h"
#include "http/http.h"
#include "model/asg.h"

#ifndef HOIST_SOURCE_DIR
#define HOIST_SOURCE_DIR "."
#endif
#ifndef HOIST_PYTHON3
#define HOIST_PYTHON3 "python3"
#endif

/* lib/http's default cap of open connections per host:port (http.h). */
#define HOST_CONNECTION_CAP 8

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- the generated node groups ---------------------------------------- */

static const char *const types[] = { "m5.large",   "m5.xlarge",  "m5a.large", "m5a.xlarge",
                                     "m6i.large",  "m6i.xlarge", "c5.large",  "c5.xlarge",
                                     "c6g.large",  "r5.large",   "r5.xlarge", "m7g.large",
                                     "c6i.2xlarge" };
#define N_TYPES (sizeof(types) / sizeof(types[0]))
static const char *const zones[] = { "us-east-1a", "us-east-1b", "us-east-1c" };
static const char *const states[] = { "InService", "InService", "InService",
                                      "InService", "Pending",   "Terminating" };

struct tag {
    char key[96];
    char value[64];
    bool propagate;
};

struct inst {
    char id[24];
    const char *type, *zone, *state;
    bool protect;
};

struct group {
    char name[64];
    char arn[200];
    char lt_name[48];
    char lt_id[24];
    int min, max, desired;
    bool mixed;
    const char *overrides[8];
    int n_overrides;
    int on_demand_base, on_demand_pct;
    struct inst *inst;
    int n_inst;
    struct tag tags[13];
    int n_tags;
    char subnets[80];
    char created[64];
};

static void add_tag(struct group *g, const char *key, const char *value, bool propagate)
{
    struct tag *t = &g->tags[g->n_tags++];
    snprintf(t->key, sizeof(t->key), "%s", key);
    snprintf(t->value, sizeof(t->value), "%s", value);
    t->propagate = propagate;
}

static struct group *make_groups(int n, int mean_instances, uint64_t seed, long *n_inst,
                                 long *n_tags)
{
    struct hs_rng r;
    hs_rng_seed(&r, seed);
    struct group *gs = hs_calloc((size_t)n, sizeof(*gs));
    *n_inst = *n_tags = 0;
    for (int i = 0; i < n; i++) {
        struct group *g = &gs[i];
        unsigned long long u = (unsigned long long)hs_rng_next(&r);
        snprintf(g->name, sizeof(g->name), "eks-ng-%04d-%08llx", i, u & 0xffffffffULL);
        snprintf(g->arn, sizeof(g->arn),
                 "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:%08llx-%04llx-"
                 "4781-a11a-7b0acd480f03:autoScalingGroupName/%s",
                 u >> 32, (u >> 16) & 0xffff, g->name);
        snprintf(g->lt_name, sizeof(g->lt_name), "eks-lt-%04d", i);
        snprintf(g->lt_id, sizeof(g->lt_id), "lt-%017llx",
                 (unsigned long long)hs_rng_next(&r) & 0xfffffffffffffULL);
        g->min = (int)hs_rng_below(&r, 4);
        g->max = g->min + 10 + (int)hs_rng_below(&r, 90);
        g->mixed = hs_rng_below(&r, 3) != 0;
        if (g->mixed) {
            g->n_overrides = 3 + (int)hs_rng_below(&r, 6);
            size_t first = hs_rng_below(&r, N_TYPES);
            for (int k = 0; k < g->n_overrides; k++)
                g->overrides[k] = types[(first + (size_t)k) % N_TYPES];
            g->on_demand_base = (int)hs_rng_below(&r, 3);
            g->on_demand_pct = 25 * (int)hs_rng_below(&r, 5);
        }
        g->n_inst = mean_instances ? (int)hs_rng_below(&r, 2 * (uint64_t)mean_instances + 1) : 0;
        if (g->n_inst > g->max)
            g->n_inst = g->max;
        g->desired = g->n_inst > g->min ? g->n_inst : g->min;
        g->inst = hs_calloc(g->n_inst ? (size_t)g->n_inst : 1, sizeof(*g->inst));
        for (int k = 0; k < g->n_inst; k++) {
            struct inst *in = &g->inst[k];
            snprintf(in->id, sizeof(in->id), "i-%017llx",
                     (unsigned long long)hs_rng_next(&r) & 0xfffffffffffffffULL);
            in->type = g->mixed ? g->overrides[hs_rng_below(&r, (uint64_t)g->n_overrides)]
                                : types[(size_t)i % N_TYPES];
            in->zone = zones[hs_rng_below(&r, 3)];
            in->state = states[hs_rng_below(&r, sizeof(states) / sizeof(states[0]))];
            in->protect = hs_rng_below(&r, 10) == 0;
        }
        *n_inst += g->n_inst;
        snprintf(g->subnets, sizeof(g->subnets), "subnet-%08llx,subnet-%08llx,subnet-%08llx",
                 (unsigned long long)hs_rng_below(&r, 1ULL << 32),
                 (unsigned long long)hs_rng_below(&r, 1ULL << 32),
                 (unsigned long long)hs_rng_below(&r, 1ULL << 32));
        snprintf(g->created, sizeof(g->created), "2025-%02d-%02dT%02d:%02d:%02d.%03dZ",
                 1 + (int)hs_rng_below(&r, 12), 1 + (int)hs_rng_below(&r, 28),
                 (int)hs_rng_below(&r, 24), (int)hs_rng_below(&r, 60), (int)hs_rng_below(&r, 60),
                 (int)hs_rng_below(&r, 1000));
        char v[64];
        add_tag(g, "k8s.io/cluster-autoscaler/enabled", "true", false);
        add_tag(g, "k8s.io/cluster-autoscaler/prod-east", "owned", false);
        add_tag(g, "kubernetes.io/cluster/prod-east", "owned", true);
        add_tag(g, "eks:cluster-name", "prod-east", true);
        snprintf(v, sizeof(v), "ng-%04d", i);
        add_tag(g, "eks:nodegroup-name", v, true);
        snprintf(v, sizeof(v), "%s", g->name);
        add_tag(g, "Name", v, true);
        snprintf(v, sizeof(v), "team-%d", (int)hs_rng_below(&r, 40));
        add_tag(g, "k8s.io/cluster-autoscaler/node-template/label/team", v, false);
        add_tag(g, "k8s.io/cluster-autoscaler/node-template/label/node.kubernetes.io/lifecycle",
                g->mixed ? "spot" : "on-demand", false);
        add_tag(g, "cost-center", "cc 1234 / platform=infra", true);
        if (hs_rng_below(&r, 2))
            add_tag(g, "k8s.io/cluster-autoscaler/node-template/taint/dedicated", "gpu:NoSchedule",
                    false);
        if (hs_rng_below(&r, 2))
            add_tag(g, "k8s.io/cluster-autoscaler/node-template/resources/ephemeral-storage",
                    "100Gi", false);
        if (hs_rng_below(&r, 3) == 0)
            add_tag(g,
                    "k8s.io/cluster-autoscaler/node-template/autoscaling-options/"
                    "scaledownutilizationthreshold",
                    "0.6", false);
        if (hs_rng_below(&r, 4) == 0)
            add_tag(g, "owner", "Zoë Ångström (platform)", true);
        *n_tags += g->n_tags;
    }
    return gs;
}

static void free_groups(struct group *gs, int n)
{
    for (int i = 0; i < n; i++)
        hs_free(gs[i].inst);
    hs_free(gs);
}

/* ---- as AWS sends them: Query-protocol XML ------------------------------ */

static void xml_text(struct hs_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            hs_buf_adds(b, "&amp;");
            break;
        case '<':
            hs_buf_adds(b, "&lt;");
            break;
        case '>':
            hs_buf_adds(b, "&gt;");
            break;
        default:
            hs_buf_addc(b, *s);
        }
    }
}

/* <name>text</name> on its own line at depth d (two spaces a level). */
static void xml_el(struct hs_buf *b, int d, const char *name, const char *text)
{
    hs_buf_addf(b, "%*s<%s>", 2 * d, "", name);
    xml_text(b, text);
    hs_buf_addf(b, "</%s>\n", name);
}

static void xml_int(struct hs_buf *b, int d, const char *name, int v)
{
    hs_buf_addf(b, "%*s<%s>%d</%s>\n", 2 * d, "", name, v, name);
}

static void xml_open(struct hs_buf *b, int d, const char *name)
{
    hs_buf_addf(b, "%*s<%s>\n", 2 * d, "", name);
}

static void xml_close(struct hs_buf *b, int d, const char *name)
{
    hs_buf_addf(b, "%*s</%s>\n", 2 * d, "", name);
}

static void xml_lt(struct hs_buf *b, int d, const char *el, const struct group *g, bool id)
{
    xml_open(b, d, el);
    if (id)
        xml_el(b, d + 1, "LaunchTemplateId", g->lt_id);
    xml_el(b, d + 1, "LaunchTemplateName", g->lt_name);
    xml_el(b, d + 1, "Version", id ? "1" : "$Latest");
    xml_close(b, d, el);
}

static char *render_xml(const struct group *gs, int n, size_t *len)
{
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<DescribeAutoScalingGroupsResponse "
                    "xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">\n");
    xml_open(&b, 1, "DescribeAutoScalingGroupsResult");
    xml_open(&b, 2, "AutoScalingGroups");
    for (int i = 0; i < n; i++) {
        const struct group *g = &gs[i];
        xml_open(&b, 3, "member");
        xml_el(&b, 4, "AutoScalingGroupName", g->name);
        xml_el(&b, 4, "AutoScalingGroupARN", g->arn);
        if (g->mixed) {
            xml_open(&b, 4, "MixedInstancesPolicy");
            xml_open(&b, 5, "LaunchTemplate");
            xml_lt(&b, 6, "LaunchTemplateSpecification", g, false);
            xml_open(&b, 6, "Overrides");
            for (int k = 0; k < g->n_overrides; k++) {
                xml_open(&b, 7, "member");
                xml_el(&b, 8, "InstanceType", g->overrides[k]);
                xml_close(&b, 7, "member");
            }
            xml_close(&b, 6, "Overrides");
            xml_close(&b, 5, "LaunchTemplate");
            xml_open(&b, 5, "InstancesDistribution");
            xml_el(&b, 6, "OnDemandAllocationStrategy", "prioritized");
            xml_int(&b, 6, "OnDemandBaseCapacity", g->on_demand_base);
            xml_int(&b, 6, "OnDemandPercentageAboveBaseCapacity", g->on_demand_pct);
            xml_el(&b, 6, "SpotAllocationStrategy", "price-capacity-optimized");
            xml_close(&b, 5, "InstancesDistribution");
            xml_close(&b, 4, "MixedInstancesPolicy");
        } else {
            xml_lt(&b, 4, "LaunchTemplate", g, true);
        }
        xml_int(&b, 4, "MinSize", g->min);
        xml_int(&b, 4, "MaxSize", g->max);
        xml_int(&b, 4, "DesiredCapacity", g->desired);
        xml_int(&b, 4, "DefaultCooldown", 300);
        xml_open(&b, 4, "AvailabilityZones");
        for (int z = 0; z < 3; z++)
            xml_el(&b, 5, "member", zones[z]);
        xml_close(&b, 4, "AvailabilityZones");
        hs_buf_addf(&b, "%*s<LoadBalancerNames/>\n%*s<TargetGroupARNs/>\n", 8, "", 8, "");
        xml_el(&b, 4, "HealthCheckType", "EC2");
        xml_int(&b, 4, "HealthCheckGracePeriod", 15);
        xml_open(&b, 4, "Instances");
        for (int k = 0; k < g->n_inst; k++) {
            const struct inst *in = &g->inst[k];
            xml_open(&b, 5, "member");
            xml_el(&b, 6, "InstanceId", in->id);
            xml_el(&b, 6, "InstanceType", in->type);
            xml_el(&b, 6, "AvailabilityZone", in->zone);
            xml_el(&b, 6, "LifecycleState", in->state);
            xml_el(&b, 6, "HealthStatus", "Healthy");
            xml_lt(&b, 6, "LaunchTemplate", g, true);
            xml_el(&b, 6, "ProtectedFromScaleIn", in->protect ? "true" : "false");
            xml_close(&b, 5, "member");
        }
        xml_close(&b, 4, "Instances");
        xml_el(&b, 4, "CreatedTime", g->created);
        hs_buf_addf(&b, "%*s<SuspendedProcesses/>\n", 8, "");
        xml_el(&b, 4, "VPCZoneIdentifier", g->subnets);
        hs_buf_addf(&b, "%*s<EnabledMetrics/>\n", 8, "");
        xml_open(&b, 4, "Tags");
        for (int k = 0; k < g->n_tags; k++) {
            xml_open(&b, 5, "member");
            xml_el(&b, 6, "ResourceId", g->name);
            xml_el(&b, 6, "ResourceType", "auto-scaling-group");
            xml_el(&b, 6, "Key", g->tags[k].key);
            xml_el(&b, 6, "Value", g->tags[k].value);
            xml_el(&b, 6, "PropagateAtLaunch", g->tags[k].propagate ? "true" : "false");
            xml_close(&b, 5, "member");
        }
        xml_close(&b, 4, "Tags");
        xml_open(&b, 4, "TerminationPolicies");
        xml_el(&b, 5, "member", "AllocationStrategy");
        xml_el(&b, 5, "member", "OldestLaunchTemplate");
        xml_close(&b, 4, "TerminationPolicies");
        xml_el(&b, 4, "NewInstancesProtectedFromScaleIn", "false");
        xml_el(&b, 4, "ServiceLinkedRoleARN",
               "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/"
               "AWSServiceRoleForAutoScaling");
        xml_el(&b, 4, "CapacityRebalance", g->mixed ? "true" : "false");
        xml_close(&b, 3, "member");
    }
    xml_close(&b, 2, "AutoScalingGroups");
    xml_close(&b, 1, "DescribeAutoScalingGroupsResult");
    xml_open(&b, 1, "ResponseMetadata");
    xml_el(&b, 2, "RequestId", "7e4f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b");
    xml_close(&b, 1, "ResponseMetadata");
    hs_buf_adds(&b, "</DescribeAutoScalingGroupsResponse>\n");
    *len = b.len;
    return hs_buf_detach(&b);
}

/* ---- as the aws CLI prints them: JSON, 4-space indentation -------------- */

struct jw {
    struct hs_buf *b;
    int depth;
    bool first; /* nothing written yet in the current container */
};

static void jw_item(struct jw *w, const char *key)
{
    hs_buf_adds(w->b, w->first ? "\n" : ",\n");
    w->first = false;
    hs_buf_addf(w->b, "%*s", 4 * w->depth, "");
    if (key) {
        hs_buf_add_json_str(w->b, key, strlen(key));
        hs_buf_adds(w->b, ": ");
    }
}

static void jw_open(struct jw *w, const char *key, char c)
{
    jw_item(w, key);
    hs_buf_addc(w->b, c);
    w->depth++;
    w->first = true;
}

static void jw_close(struct jw *w, char c)
{
    w->depth--;
    if (!w->first)
        hs_buf_addf(w->b, "\n%*s", 4 * w->depth, "");
    hs_buf_addc(w->b, c);
    w->first = false;
}

static void jw_str(struct jw *w, const char *key, const char *s)
{
    jw_item(w, key);
    hs_buf_add_json_str(w->b, s, strlen(s));
}

static void jw_raw(struct jw *w, const char *key, const char *text)
{
    jw_item(w, key);
    hs_buf_adds(w->b, text);
}

static void jw_int(struct jw *w, const char *key, int v)
{
    jw_item(w, key);
    hs_buf_addf(w->b, "%d", v);
}

static void jw_lt(struct jw *w, const char *key, const struct group *g, bool id)
{
    jw_open(w, key, '{');
    if (id)
        jw_str(w, "LaunchTemplateId", g->lt_id);
    jw_str(w, "LaunchTemplateName", g->lt_name);
    jw_str(w, "Version", id ? "1" : "$Latest");
    jw_close(w, '}');
}

static char *render_json(const struct group *gs, int n, size_t *len)
{
    struct hs_buf b;
    hs_buf_init(&b);
    struct jw w = { &b, 0, true };
    hs_buf_addc(&b, '{');
    w.depth = 1;
    jw_open(&w, "AutoScalingGroups", '[');
    for (int i = 0; i < n; i++) {
        const struct group *g = &gs[i];
        jw_open(&w, NULL, '{');
        jw_str(&w, "AutoScalingGroupName", g->name);
        jw_str(&w, "AutoScalingGroupARN", g->arn);
        if (g->mixed) {
            jw_open(&w, "MixedInstancesPolicy", '{');
            jw_open(&w, "LaunchTemplate", '{');
            jw_lt(&w, "LaunchTemplateSpecification", g, false);
            jw_open(&w, "Overrides", '[');
            for (int k = 0; k < g->n_overrides; k++) {
                jw_open(&w, NULL, '{');
                jw_str(&w, "InstanceType", g->overrides[k]);
                jw_close(&w, '}');
            }
            jw_close(&w, ']');
            jw_close(&w, '}');
            jw_open(&w, "InstancesDistribution", '{');
            jw_str(&w, "OnDemandAllocationStrategy", "prioritized");
            jw_int(&w, "OnDemandBaseCapacity", g->on_demand_base);
            jw_int(&w, "OnDemandPercentageAboveBaseCapacity", g->on_demand_pct);
            jw_str(&w, "SpotAllocationStrategy", "price-capacity-optimized");
            jw_close(&w, '}');
            jw_close(&w, '}');
        } else {
            jw_lt(&w, "LaunchTemplate", g, true);
        }
        jw_int(&w, "MinSize", g->min);
        jw_int(&w, "MaxSize", g->max);
        jw_int(&w, "DesiredCapacity", g->desired);
        jw_int(&w, "DefaultCooldown", 300);
        jw_open(&w, "AvailabilityZones", '[');
        for (int z = 0; z < 3; z++)
            jw_str(&w, NULL, zones[z]);
        jw_close(&w, ']');
        jw_raw(&w, "LoadBalancerNames", "[]");
        jw_raw(&w, "TargetGroupARNs", "[]");
        jw_str(&w, "HealthCheckType", "EC2");
        jw_int(&w, "HealthCheckGracePeriod", 15);
        jw_open(&w, "Instances", '[');
        for (int k = 0; k < g->n_inst; k++) {
            const struct inst *in = &g->inst[k];
            jw_open(&w, NULL, '{');
            jw_str(&w, "InstanceId", in->id);
            jw_str(&w, "InstanceType", in->type);
            jw_str(&w, "AvailabilityZone", in->zone);
            jw_str(&w, "LifecycleState", in->state);
            jw_str(&w, "HealthStatus", "Healthy");
            jw_lt(&w, "LaunchTemplate", g, true);
            jw_raw(&w, "ProtectedFromScaleIn", in->protect ? "true" : "false");
            jw_close(&w, '}');
        }
        jw_close(&w, ']');
        jw_str(&w, "CreatedTime", g->created);
        jw_raw(&w, "SuspendedProcesses", "[]");
        jw_str(&w, "VPCZoneIdentifier", g->subnets);
        jw_raw(&w, "EnabledMetrics", "[]");
        jw_open(&w, "Tags", '[');
        for (int k = 0; k < g->n_tags; k++) {
            jw_open(&w, NULL, '{');
            jw_str(&w, "ResourceId", g->name);
            jw_str(&w, "ResourceType", "auto-scaling-group");
            jw_str(&w, "Key", g->tags[k].key);
            jw_str(&w, "Value", g->tags[k].value);
            jw_raw(&w, "PropagateAtLaunch", g->tags[k].propagate ? "true" : "false");
            jw_close(&w, '}');
        }
        jw_close(&w, ']');
        jw_open(&w, "TerminationPolicies", '[');
        jw_str(&w, NULL, "AllocationStrategy");
        jw_str(&w, NULL, "OldestLaunchTemplate");
        jw_close(&w, ']');
        jw_raw(&w, "NewInstancesProtectedFromScaleIn", "false");
        jw_str(&w, "ServiceLinkedRoleARN",
               "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/"
               "AWSServiceRoleForAutoScaling");
        jw_raw(&w, "CapacityRebalance", g->mixed ? "true" : "false");
        jw_close(&w, '}');
    }
    jw_close(&w, ']');
    hs_buf_adds(&b, "\n}\n");
    *len = b.len;
    return hs_buf_detach(&b);
}

/* The decoded list must hold what was generated. */
static bool same(const struct model_asg_list *l, const struct group *gs, int n)
{
    if (l->n != (uint32_t)n)
        return false;
    for (int i = 0; i < n; i++) {
        const struct model_asg *a = &l->v[i];
        if (strcmp(a->name, gs[i].name) != 0 || a->n_instances != (uint32_t)gs[i].n_inst ||
            a->n_tags != (uint32_t)gs[i].n_tags || a->desired_capacity != gs[i].desired ||
            a->n_zones != 3)
            return false;
    }
    return true;
}

static int run_decode(int n, int mean_inst, int iters, uint64_t seed)
{
    long n_inst, n_tags;
    struct group *gs = make_groups(n, mean_inst, seed, &n_inst, &n_tags);
    size_t xml_len, json_len;
    char *xml = render_xml(gs, n, &xml_len);
    char *json = render_json(gs, n, &json_len);
    double *tx = hs_calloc((size_t)iters, sizeof(double));
    double *tj = hs_calloc((size_t)iters, sizeof(double));
    int code = 0;
    for (int it = 0; it < iters && !code; it++) {
        struct hs_err err = { 0 };
        struct model_asg_list l;
        char *token = NULL;

        model_asg_list_init(&l);
        double t0 = cpu_seconds();
        enum hs_code rc = aws_xml_describe_asgs(xml, xml_len, &l, &token, &err);
        tx[it] = cpu_seconds() - t0;
        if (rc || !same(&l, gs, n)) {
            fprintf(stderr, "hoist-bench-aws: XML decode: %s\n", rc ? err.msg : "wrong result");
            code = 1;
        }
        hs_free(token);
        model_asg_list_release(&l);

        model_asg_list_init(&l);
        t0 = cpu_seconds();
        rc = aws_cli_json_asgs(json, json_len, "generated.json", &l, &token, &err);
        tj[it] = cpu_seconds() - t0;
        if (rc || !same(&l, gs, n)) {
            fprintf(stderr, "hoist-bench-aws: JSON decode: %s\n", rc ? err.msg : "wrong result");
            code = 1;
        }
        hs_free(token);
        model_asg_list_release(&l);
    }
    if (!code)
        printf("{\"workload\": \"aws-decode\", \"groups\": %d, \"instances\": %ld, \"tags\": %ld, "
               "\"xml_bytes\": %zu, \"json_bytes\": %zu, \"iterations\": %d, "
               "\"seconds\": {\"xml\": %.6f, \"json\": %.6f}}\n",
               n, n_inst, n_tags, xml_len, json_len, iters, median(tx, iters), median(tj, iters));
    hs_free(tx);
    hs_free(tj);
    hs_free(xml);
    hs_free(json);
    free_groups(gs, n);
    return code;
}

/* ---- connection reuse ---------------------------------------------------- */

struct server {
    pid_t pid;
    FILE *to;   /* its stdin */
    FILE *from; /* its stdout */
    int port;
    char ca[512];
};

static int server_start(struct server *s, int delay_ms)
{
    int in[2], out[2];
    if (pipe(in) || pipe(out))
        return -1;
    char delay[32];
    snprintf(delay, sizeof(delay), "%d", delay_ms);
    s->pid = fork();
    if (s->pid < 0)
        return -1;
    if (s->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execlp(HOIST_PYTHON3, HOIST_PYTHON3, HOIST_SOURCE_DIR "/test/aws/tls_count_server.py",
               "--delay-ms", delay, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    s->to = fdopen(in[1], "w");
    s->from = fdopen(out[0], "r");
    char line[700];
    if (!s->to || !s->from || !fgets(line, sizeof(line), s->from) ||
        sscanf(line, "port %d ca %511s", &s->port, s->ca) != 2) {
        fprintf(stderr, "hoist-bench-aws: tls_count_server.py did not start\n");
        return -1;
    }
    return 0;
}

struct counts {
    long accepted, handshakes, requests, max_open;
};

static long field(const char *line, const char *name)
{
    const char *p = strstr(line, name);
    return p ? strtol(p + strlen(name) + 3, NULL, 10) : -1; /* "name": N */
}

static int server_counts(struct server *s, struct counts *c)
{
    char line[512];
    if (fputs("stats\n", s->to) == EOF || fflush(s->to) || !fgets(line, sizeof(line), s->from))
        return -1;
    c->accepted = field(line, "accepted");
    c->handshakes = field(line, "handshakes");
    c->requests = field(line, "requests");
    c->max_open = field(line, "max_open");
    return 0;
}

static void server_stop(struct server *s)
{
    if (s->to)
        fclose(s->to); /* the server stops when its stdin closes */
    if (s->from)
        fclose(s->from);
    if (s->pid > 0) {
        int st;
        while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
            ;
    }
}

struct reuse {
    struct ev_loop *loop;
    struct aws_client *client;
    int to_start; /* calls a completion still starts (the sequential phase) */
    int pending;  /* calls in flight */
    int ok, failed;
    char first_error[sizeof(((struct hs_err *)0)->msg)];
};

static void start_call(struct reuse *r);

static void on_call(void *ctx, enum hs_code rc, const struct aws_response *resp,
                    const struct hs_err *err)
{
    struct reuse *r = ctx;
    (void)resp;
    r->pending--;
    if (rc == HS_OK) {
        r->ok++;
    } else {
        if (!r->failed++)
            snprintf(r->first_error, sizeof(r->first_error), "%s", err ? err->msg : "?");
    }
    if (r->to_start > 0) {
        r->to_start--;
        start_call(r);
    }
    if (r->pending == 0)
        ev_break(r->loop, EVBREAK_ALL);
}

static void start_call(struct reuse *r)
{
    struct aws_query q;
    struct hs_err err = { 0 };
    aws_query_init(&q, AWS_QUERY_AWS, "DescribeAutoScalingGroups", "2011-01-01");
    aws_query_add(&q, "MaxRecords", "100");
    if (aws_client_call(r->client, AWS_SERVICE_AUTOSCALING, "DescribeAutoScalingGroups", &q, 0,
                        on_call, r, NULL, &err)) {
        if (!r->failed++)
            snprintf(r->first_error, sizeof(r->first_error), "%s", err.msg);
    } else {
        r->pending++;
    }
    aws_query_release(&q);
}

static int run_tls(int sequential, int concurrent, int delay_ms, bool check)
{
    struct server srv = { 0 };
    struct ev_loop *loop = NULL;
    struct http_client *http = NULL;
    struct aws_creds_cache *creds = NULL;
    struct reuse r = { 0 };
    struct hs_err err = { 0 };
    struct aws_cred_plan plan;
    memset(&plan, 0, sizeof(plan));
    int code = 2;
    signal(SIGPIPE, SIG_IGN);
    if (server_start(&srv, delay_ms))
        goto out;

    char url[64];
    snprintf(url, sizeof(url), "https://127.0.0.1:%d", srv.port);
    struct aws_endpoint_config ep = { 0 };
    ep.endpoint_url = url;
    loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client_options ho = { 0 };
    ho.ca_file = srv.ca;
    if (http_client_new(loop, &ho, &http, &err))
        goto out;
    plan.source = AWS_CRED_ENV;
    plan.creds.access_key_id = hs_strdup("AKIDHOISTBENCH");
    plan.creds.secret_access_key = hs_strdup("bench-secret-not-a-real-one");
    struct aws_creds_cache_options cco = { 0 };
    cco.endpoints = &ep;
    if (aws_creds_cache_new_take(loop, http, &plan, &cco, &creds, &err))
        goto out;
    struct aws_client_options co = { 0 };
    co.region = "us-east-1";
    co.endpoints = &ep;
    if (aws_client_new(loop, http, creds, &co, &r.client, &err))
        goto out;
    r.loop = loop;

    struct counts before, mid, after;
    if (server_counts(&srv, &before))
        goto out;
    if (sequential > 0) {
        r.to_start = sequential - 1; /* one at a time: each completion starts the next */
        start_call(&r);
    }
    if (r.pending)
        ev_run(loop, 0);
    int seq_ok = r.ok, seq_failed = r.failed;
    if (server_counts(&srv, &mid))
        goto out;
    r.ok = r.failed = 0;
    r.to_start = 0; /* all at once: completions start nothing more */
    for (int i = 0; i < concurrent; i++)
        start_call(&r);
    if (r.pending)
        ev_run(loop, 0);
    if (server_counts(&srv, &after))
        goto out;

    long seq_conn = mid.accepted - before.accepted, con_conn = after.accepted - mid.accepted;
    printf("{\"workload\": \"aws-tls\", \"sequential\": {\"calls\": %d, \"ok\": %d, "
           "\"connections\": %ld, \"handshakes\": %ld, \"requests\": %ld}, "
           "\"concurrent\": {\"calls\": %d, \"ok\": %d, \"connections\": %ld, "
           "\"handshakes\": %ld, \"requests\": %ld, \"max_open\": %ld}, "
           "\"max_host_connections\": %d, \"delay_ms\": %d}\n",
           sequential, seq_ok, seq_conn, mid.handshakes - before.handshakes,
           mid.requests - before.requests, concurrent, r.ok, con_conn,
           after.handshakes - mid.handshakes, after.requests - mid.requests, after.max_open,
           HOST_CONNECTION_CAP, delay_ms);
    code = 0;
    if (seq_failed || r.failed) {
        fprintf(stderr, "hoist-bench-aws: %d calls failed: %s\n", seq_failed + r.failed,
                r.first_error);
        code = 1;
    }
    if (check && (seq_conn != (sequential > 0) || after.max_open > HOST_CONNECTION_CAP ||
                  seq_ok != sequential || r.ok != concurrent)) {
        fprintf(stderr,
                "hoist-bench-aws: --check: %ld connections for %d sequential calls (want 1), "
                "%ld open at once (cap %d)\n",
                seq_conn, sequential, after.max_open, HOST_CONNECTION_CAP);
        code = 1;
    }
out:
    if (err.code)
        fprintf(stderr, "hoist-bench-aws: %s\n", err.msg);
    aws_cred_plan_release(&plan);
    aws_client_free(&r.client);
    aws_creds_cache_free(&creds);
    http_client_free(&http);
    if (loop)
        ev_loop_destroy(loop);
    server_stop(&srv);
    return code;
}

/* ---- main ---------------------------------------------------------------- */

static int usage(void)
{
    fprintf(stderr, "usage: hoist-bench-aws decode [--groups N] [--instances M] "
                    "[--iterations K] [--seed S]\n"
                    "       hoist-bench-aws tls [--sequential N] [--concurrent C] "
                    "[--delay-ms D] [--check]\n");
    return 2;
}

static bool int_arg(int argc, char **argv, int *i, const char *name, long lo, long hi, int *out)
{
    if (strcmp(argv[*i], name) != 0)
        return false;
    char *end;
    long v = *i + 1 < argc ? strtol(argv[*i + 1], &end, 10) : lo - 1;
    if (*i + 1 >= argc || *end || v < lo || v > hi) {
        fprintf(stderr, "hoist-bench-aws: %s wants a number in [%ld, %ld]\n", name, lo, hi);
        exit(2);
    }
    *out = (int)v;
    (*i)++;
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    int groups = 1000, instances = 10, iters = 5, seed = 1;
    int sequential = 100, concurrent = 20, delay_ms = 20;
    bool check = false;
    for (int i = 2; i < argc; i++) {
        if (int_arg(argc, argv, &i, "--groups", 1, 1000000, &groups) ||
            int_arg(argc, argv, &i, "--instances", 0, 10000, &instances) ||
            int_arg(argc, argv, &i, "--iterations", 1, 1000, &iters) ||
            int_arg(argc, argv, &i, "--seed", 0, 1L << 30, &seed) ||
            int_arg(argc, argv, &i, "--sequential", 0, 100000, &sequential) ||
            int_arg(argc, argv, &i, "--concurrent", 0, 10000, &concurrent) ||
            int_arg(argc, argv, &i, "--delay-ms", 0, 10000, &delay_ms))
            continue;
        if (strcmp(argv[i], "--check") == 0) {
            check = true;
            continue;
        }
        return usage();
    }
    if (strcmp(argv[1], "decode") == 0)
        return run_decode(groups, instances, iters, (uint64_t)seed);
    if (strcmp(argv[1], "tls") == 0)
        return run_tls(sequential, concurrent, delay_ms, check);
    return usage();
}
