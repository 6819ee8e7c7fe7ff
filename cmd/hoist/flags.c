/*
 * The command line: one table holds every flag hoist accepts (name, kind,
 * default, limits, help), and the parser, the defaults, --help and the typo
 * suggestions all read that table, so they cannot disagree. Forms follow Go's
 * flag package, as cluster-autoscaler uses it: -flag or --flag, --flag=value,
 * --flag value (not for booleans), --flag alone for true. Anything wrong is one
 * line naming the flag and the value; nothing is ignored.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/duration.h"

enum kind {
    K_BOOL,
    K_INT,      /* int, with [lo, hi] */
    K_FLOAT,    /* double, with [lo, hi] */
    K_DURATION, /* int64 ns, >= lo seconds */
    K_STRING,
    K_STRLIST,   /* repeat */
    K_NODES,     /* repeat: <min>:<max>:<name> */
    K_DISCOVERY, /* repeat: asg:tag=<k>[=<v>],... */
    K_RANGE,     /* <min>:<max> */
    K_EXPANDER,  /* comma-separated chain */
    K_LOGFORMAT,
    K_SEVERITY,
    K_OUTPUT, /* json|text */
};

enum group {
    G_CLOUD,
    G_KUBE,
    G_LOOP,
    G_SCALEUP,
    G_BALANCE,
    G_HEALTH,
    G_SCALEDOWN,
    G_DRAIN,
    G_TEMPLATE,
    G_STATUS,
    G_LEADER,
    G_LOG,
    G_HOIST,
    G_INPUT,
    G__COUNT
};

static const char *const group_titles[G__COUNT] = {
    [G_CLOUD] = "Cloud provider and node groups",
    [G_KUBE] = "Kubernetes client",
    [G_LOOP] = "Loop, health and metrics server",
    [G_SCALEUP] = "Scale-up",
    [G_BALANCE] = "Balancing similar node groups",
    [G_HEALTH] = "Node group health and backoff",
    [G_SCALEDOWN] = "Scale-down",
    [G_DRAIN] = "Which nodes may be drained",
    [G_TEMPLATE] = "Node templates",
    [G_STATUS] = "Status, events and metrics",
    [G_LEADER] = "Leader election",
    [G_LOG] = "Logging",
    [G_HOIST] = "hoist's own",
    [G_INPUT] = "Input and output",
};

#define ALL       (CLI_SCOPE_RUN | CLI_SCOPE_SIMULATE | CLI_SCOPE_REPLAY)
#define RUN       CLI_SCOPE_RUN
#define SIMREPLAY (CLI_SCOPE_SIMULATE | CLI_SCOPE_REPLAY)
#define OFFLINE   (CLI_SCOPE_SIMULATE | CLI_SCOPE_REPLAY | CLI_SCOPE_DISCOVER)

struct flag {
    const char *name;
    enum kind kind;
    size_t off;
    const char *def; /* default, in command-line form; NULL = empty */
    double lo, hi;   /* K_INT/K_FLOAT limits; K_DURATION: lo > 0 means strictly positive */
    unsigned scope;
    enum group group;
    const char *help;
};

#define F(name, kind, field, def, lo, hi, scope, group, help)                           \
    {                                                                                   \
        name, kind, offsetof(struct cli_config, field), def, lo, hi, scope, group, help \
    }
#define INTMAX 2147483647.0

static const struct flag flags[] = {
    F("cloud-provider", K_STRING, cloud_provider, "aws", 0, 0, ALL, G_CLOUD,
      "cloud provider; only aws is valid"),
    F("nodes", K_NODES, nodes, NULL, 0, 0, ALL, G_CLOUD,
      "<min>:<max>:<asg-name> (repeat); command-line min/max win over the ASG's"),
    F("node-group-auto-discovery", K_DISCOVERY, discovery, NULL, 0, 0, ALL, G_CLOUD,
      "asg:tag=<key>[=<value>],<key2>... (repeat); an ASG with every tag of any one spec"),
    F("cluster-name", K_STRING, cluster_name, NULL, 0, 0, ALL, G_CLOUD,
      "cluster name, used in events and status"),
    F("aws-use-static-instance-list", K_BOOL, aws_use_static_instance_list, "false", 0, 0, ALL,
      G_CLOUD, "use the built-in instance-type table instead of DescribeInstanceTypes"),
    F("aws-region", K_STRING, aws_region, NULL, 0, 0, ALL, G_CLOUD,
      "AWS region; overrides AWS_REGION, AWS_DEFAULT_REGION and instance metadata"),

    F("namespace", K_STRING, namespace_, "kube-system", 0, 0, ALL, G_KUBE,
      "namespace of the status ConfigMap, the Lease and the priority-expander ConfigMap"),
    F("kubeconfig", K_STRING, kubeconfig, NULL, 0, 0, RUN, G_KUBE,
      "kubeconfig path; empty = in-cluster, then $KUBECONFIG, then ~/.kube/config"),
    F("kube-api-content-type", K_STRING, kube_api_content_type, "application/json", 0, 0, RUN,
      G_KUBE,
      "content type of API requests; hoist speaks JSON, protobuf is answered with a notice"),
    F("kube-client-qps", K_FLOAT, kube_client_qps, "5", 0.0, 1e9, RUN, G_KUBE,
      "client-side rate limit (requests per second) for non-watch requests"),
    F("kube-client-burst", K_INT, kube_client_burst, "10", 1, INTMAX, RUN, G_KUBE,
      "burst allowed above --kube-client-qps"),

    F("address", K_STRING, address, ":8085", 0, 0, RUN, G_LOOP,
      "listen address for /metrics and /health-check"),
    F("scan-interval", K_DURATION, scan_interval, "10s", 1, 0, ALL, G_LOOP,
      "how often the cluster is re-evaluated"),
    F("max-inactivity", K_DURATION, max_inactivity, "10m", 1, 0, RUN, G_LOOP,
      "/health-check fails after this long with no loop"),
    F("max-failing-time", K_DURATION, max_failing_time, "15m", 1, 0, RUN, G_LOOP,
      "/health-check fails after this long with no successful loop"),

    F("expander", K_EXPANDER, expander, "least-waste", 0, 0, ALL, G_SCALEUP,
      "random, most-pods, least-waste, least-nodes, price, priority; or a comma-separated chain"),
    F("max-nodes-total", K_INT, max_nodes_total, "0", 0, INTMAX, ALL, G_SCALEUP,
      "most nodes in the cluster; 0 = unlimited"),
    F("cores-total", K_RANGE, cores_total, "0:320000", 0, 0, ALL, G_SCALEUP,
      "<min>:<max> cores in the cluster"),
    F("memory-total", K_RANGE, memory_total, "0:6400000", 0, 0, ALL, G_SCALEUP,
      "<min>:<max> GiB of memory in the cluster"),
    F("max-nodes-per-scaleup", K_INT, max_nodes_per_scaleup, "1000", 1, INTMAX, ALL, G_SCALEUP,
      "most nodes one scale-up adds"),
    F("new-pod-scale-up-delay", K_DURATION, new_pod_scale_up_delay, "0s", 0, 0, ALL, G_SCALEUP,
      "unschedulable pods younger than this do not trigger a scale-up"),
    F("expendable-pods-priority-cutoff", K_INT, expendable_pods_priority_cutoff, "-10", -INTMAX - 1,
      INTMAX, ALL, G_SCALEUP,
      "pods below this priority never trigger scale-up nor block scale-down"),
    F("scale-up-from-zero", K_BOOL, scale_up_from_zero, "true", 0, 0, ALL, G_SCALEUP,
      "scale up even when no node is ready"),
    F("enforce-node-group-min-size", K_BOOL, enforce_node_group_min_size, "false", 0, 0, ALL,
      G_SCALEUP, "raise groups below their min size to it"),

    F("balance-similar-node-groups", K_BOOL, balance_similar_node_groups, "false", 0, 0, ALL,
      G_BALANCE, "spread a scale-up across similar node groups"),
    F("balancing-ignore-label", K_STRLIST, balancing_ignore_label, NULL, 0, 0, ALL, G_BALANCE,
      "label ignored when comparing node groups (repeat)"),
    F("balancing-label", K_STRLIST, balancing_label, NULL, 0, 0, ALL, G_BALANCE,
      "if given, only these labels are compared (repeat)"),
    F("memory-difference-ratio", K_FLOAT, memory_difference_ratio, "0.015", 0.0, 1.0, ALL,
      G_BALANCE, "memory capacity tolerance between similar groups"),
    F("max-allocatable-difference-ratio", K_FLOAT, max_allocatable_difference_ratio, "0.05", 0.0,
      1.0, ALL, G_BALANCE, "allocatable tolerance between similar groups"),
    F("max-free-difference-ratio", K_FLOAT, max_free_difference_ratio, "0.05", 0.0, 1.0, ALL,
      G_BALANCE, "free-resources tolerance between similar groups"),

    F("max-node-provision-time", K_DURATION, max_node_provision_time, "15m", 1, 0, ALL, G_HEALTH,
      "a requested node not registered by then is given up and its group backed off"),
    F("initial-node-group-backoff-duration", K_DURATION, initial_node_group_backoff_duration, "5m",
      1, 0, ALL, G_HEALTH, "first backoff after a failed scale-up"),
    F("max-node-group-backoff-duration", K_DURATION, max_node_group_backoff_duration, "30m", 1, 0,
      ALL, G_HEALTH, "backoff cap (the backoff doubles up to it)"),
    F("node-group-backoff-reset-timeout", K_DURATION, node_group_backoff_reset_timeout, "3h", 1, 0,
      ALL, G_HEALTH, "a backoff is forgotten after this long without failure"),
    F("max-total-unready-percentage", K_FLOAT, max_total_unready_percentage, "45", 0.0, 100.0, ALL,
      G_HEALTH, "the cluster is unhealthy above this share of unready nodes..."),
    F("ok-total-unready-count", K_INT, ok_total_unready_count, "3", 0, INTMAX, ALL, G_HEALTH,
      "...and above this count of unready nodes"),

    F("scale-down-enabled", K_BOOL, scale_down_enabled, "true", 0, 0, ALL, G_SCALEDOWN,
      "remove unneeded nodes"),
    F("scale-down-unready-enabled", K_BOOL, scale_down_unready_enabled, "true", 0, 0, ALL,
      G_SCALEDOWN, "remove unneeded nodes that are not ready"),
    F("scale-down-utilization-threshold", K_FLOAT, scale_down_utilization_threshold, "0.5", 0.0,
      1.0, ALL, G_SCALEDOWN,
      "max(cpu, memory) requests over allocatable below which a node is a candidate"),
    F("scale-down-gpu-utilization-threshold", K_FLOAT, scale_down_gpu_utilization_threshold, "0.5",
      0.0, 1.0, ALL, G_SCALEDOWN, "the same for GPU nodes, by GPU"),
    F("scale-down-unneeded-time", K_DURATION, scale_down_unneeded_time, "10m", 0, 0, ALL,
      G_SCALEDOWN, "how long a node must stay unneeded before it is removed"),
    F("scale-down-unready-time", K_DURATION, scale_down_unready_time, "20m", 0, 0, ALL, G_SCALEDOWN,
      "how long an unready node must stay unneeded before it is removed"),
    F("scale-down-delay-after-add", K_DURATION, scale_down_delay_after_add, "10m", 0, 0, ALL,
      G_SCALEDOWN, "no scale-down this long after a scale-up"),
    F("scale-down-delay-after-delete", K_DURATION, scale_down_delay_after_delete, "0s", 0, 0, ALL,
      G_SCALEDOWN, "no scale-down this long after a node deletion"),
    F("scale-down-delay-after-failure", K_DURATION, scale_down_delay_after_failure, "3m", 0, 0, ALL,
      G_SCALEDOWN, "no scale-down this long after a failed deletion"),
    F("scale-down-non-empty-candidates-count", K_INT, scale_down_non_empty_candidates_count, "30",
      1, INTMAX, ALL, G_SCALEDOWN, "non-empty candidates checked per loop"),
    F("max-scale-down-parallelism", K_INT, max_scale_down_parallelism, "10", 1, INTMAX, ALL,
      G_SCALEDOWN, "nodes deleted at once"),
    F("max-empty-bulk-delete", K_INT, max_empty_bulk_delete, "10", 1, INTMAX, ALL, G_SCALEDOWN,
      "deprecated: when --max-scale-down-parallelism is not given, it takes this value"),
    F("max-drain-parallelism", K_INT, max_drain_parallelism, "1", 1, INTMAX, ALL, G_SCALEDOWN,
      "non-empty nodes drained at once"),
    F("max-graceful-termination-sec", K_INT, max_graceful_termination_sec, "600", 0, INTMAX, ALL,
      G_SCALEDOWN, "cap of the grace period given to evicted pods, seconds"),
    F("max-pod-eviction-time", K_DURATION, max_pod_eviction_time, "2m", 1, 0, ALL, G_SCALEDOWN,
      "how long evictions are retried"),
    F("cordon-node-before-terminating", K_BOOL, cordon_node_before_terminating, "true", 0, 0, ALL,
      G_SCALEDOWN, "set spec.unschedulable as well as the taint"),
    F("node-delete-delay-after-taint", K_DURATION, node_delete_delay_after_taint, "5s", 0, 0, ALL,
      G_SCALEDOWN, "wait between tainting a node and draining it"),

    F("skip-nodes-with-system-pods", K_BOOL, skip_nodes_with_system_pods, "true", 0, 0, ALL,
      G_DRAIN, "kube-system pods without a PDB block removal"),
    F("skip-nodes-with-local-storage", K_BOOL, skip_nodes_with_local_storage, "true", 0, 0, ALL,
      G_DRAIN, "pods with hostPath or emptyDir (not memory) volumes block removal"),
    F("skip-nodes-with-custom-controller-pods", K_BOOL, skip_nodes_with_custom_controller_pods,
      "true", 0, 0, ALL, G_DRAIN, "pods whose controller is not a known kind block removal"),
    F("min-replica-count", K_INT, min_replica_count, "0", 0, INTMAX, ALL, G_DRAIN,
      "a pod's controller must have at least this many replicas to evict it"),
    F("ignore-daemonsets-utilization", K_BOOL, ignore_daemonsets_utilization, "false", 0, 0, ALL,
      G_DRAIN, "leave DaemonSet pods out of utilization"),
    F("ignore-mirror-pods-utilization", K_BOOL, ignore_mirror_pods_utilization, "false", 0, 0, ALL,
      G_DRAIN, "leave mirror pods out of utilization"),
    F("daemonset-eviction-for-empty-nodes", K_BOOL, daemonset_eviction_for_empty_nodes, "false", 0,
      0, ALL, G_DRAIN, "evict DaemonSet pods from empty nodes before deleting them"),
    F("daemonset-eviction-for-occupied-nodes", K_BOOL, daemonset_eviction_for_occupied_nodes,
      "true", 0, 0, ALL, G_DRAIN, "evict DaemonSet pods from non-empty nodes before deleting them"),

    F("startup-taint", K_STRLIST, startup_taint, NULL, 0, 0, ALL, G_TEMPLATE,
      "taint key ignored when building templates from real nodes (repeat)"),
    F("status-taint", K_STRLIST, status_taint, NULL, 0, 0, ALL, G_TEMPLATE,
      "taint key ignored when building templates from real nodes (repeat)"),
    F("ignore-taint", K_STRLIST, ignore_taint, NULL, 0, 0, ALL, G_TEMPLATE,
      "taint key ignored when building templates (deprecated name of --startup-taint) (repeat)"),

    F("write-status-configmap", K_BOOL, write_status_configmap, "true", 0, 0, RUN, G_STATUS,
      "write the status ConfigMap"),
    F("status-config-map-name", K_STRING, status_config_map_name, "cluster-autoscaler-status", 0, 0,
      RUN, G_STATUS, "name of the status ConfigMap"),
    F("emit-per-nodegroup-metrics", K_BOOL, emit_per_nodegroup_metrics, "false", 0, 0, RUN,
      G_STATUS, "export min/max/target size per node group"),
    F("record-duplicated-events", K_BOOL, record_duplicated_events, "false", 0, 0, RUN, G_STATUS,
      "send identical events again within 5 minutes"),

    F("leader-elect", K_BOOL, leader_elect, "true", 0, 0, RUN, G_LEADER,
      "act only while holding the leader Lease"),
    F("leader-elect-lease-duration", K_DURATION, leader_elect_lease_duration, "15s", 1, 0, RUN,
      G_LEADER, "how long a Lease is valid without renewal"),
    F("leader-elect-renew-deadline", K_DURATION, leader_elect_renew_deadline, "10s", 1, 0, RUN,
      G_LEADER, "the leader stops acting if it cannot renew within this"),
    F("leader-elect-retry-period", K_DURATION, leader_elect_retry_period, "2s", 1, 0, RUN, G_LEADER,
      "wait between attempts to acquire or renew"),
    F("leader-elect-resource-name", K_STRING, leader_elect_resource_name, "cluster-autoscaler", 0,
      0, RUN, G_LEADER, "name of the Lease"),

    F("v", K_INT, v, "0", 0, 10, ALL, G_LOG, "log verbosity (klog levels; 4 shows every decision)"),
    F("logging-format", K_LOGFORMAT, logging_format, "text", 0, 0, ALL, G_LOG,
      "text (klog layout) or json"),
    F("logtostderr", K_BOOL, logtostderr, "true", 0, 0, ALL, G_LOG,
      "log to standard error (the only destination hoist has)"),
    F("stderrthreshold", K_SEVERITY, stderrthreshold, "INFO", 0, 0, ALL, G_LOG,
      "klog: lines at or above this severity go to stderr when --logtostderr=false"),

    F("dry-run", K_BOOL, dry_run, "false", 0, 0, RUN, G_HOIST,
      "decide, log and record everything; write nothing to AWS or Kubernetes"),
    F("record", K_STRING, record, NULL, 0, 0, RUN, G_HOIST,
      "append the trace (watch events and decisions) to this file"),
    F("priority-config", K_STRING, priority_config, NULL, 0, 0, SIMREPLAY, G_HOIST,
      "file with the priority expander's `priorities` text"),

    F("cluster", K_STRLIST, cluster, NULL, 0, 0, CLI_SCOPE_SIMULATE, G_INPUT,
      "`kubectl get nodes,pods,poddisruptionbudgets,daemonsets -A -o json` output (repeat)"),
    F("asgs", K_STRING, asgs, NULL, 0, 0, CLI_SCOPE_SIMULATE, G_INPUT,
      "`aws autoscaling describe-auto-scaling-groups --output json` output"),
    F("instance-types", K_STRING, instance_types, NULL, 0, 0, CLI_SCOPE_SIMULATE, G_INPUT,
      "`aws ec2 describe-instance-types --output json` output; default: the built-in table"),
    F("launch-templates", K_STRING, launch_templates, NULL, 0, 0, CLI_SCOPE_SIMULATE, G_INPUT,
      "`aws ec2 describe-launch-template-versions --output json` output"),
    F("now", K_STRING, now, NULL, 0, 0, CLI_SCOPE_SIMULATE, G_INPUT,
      "the time to plan at, RFC 3339 (default: the clock); pod and node ages count from it"),
    F("output", K_OUTPUT, output, "text", 0, 0, OFFLINE, G_INPUT, "text or json"),
    F("seed", K_INT, seed, "0", 0, INTMAX, SIMREPLAY, G_INPUT,
      "seed of the random expander and tie-breaks (same seed, same output)"),
};

_Static_assert(HS_ARRAY_LEN(flags) <= sizeof(((struct cli_config *)0)->given),
               "cli_config.given is too small for the flag table");

static const char *const expanders[] = {
    "random", "most-pods", "least-waste", "least-nodes", "price", "priority",
};

static const char *const severities[] = { "INFO", "WARNING", "ERROR", "FATAL" };

#define FIELD(cfg, fl, type) ((type *)(void *)((char *)(cfg) + (fl)->off))

/* ---- value parsers: each returns 0 or fills why (a short reason) ---- */

static int parse_bool(const char *s, bool *out)
{
    /* Go's strconv.ParseBool */
    static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
    static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
    for (size_t i = 0; i < HS_ARRAY_LEN(yes); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

/* Go's strconv.ParseInt(s, 0, 64): optional sign, 0x/0o/0b prefixes, a leading
 * 0 means octal, underscores only between digits after a base prefix. */
static int parse_int64(const char *s, int64_t *out)
{
    char digits[72];
    size_t n = 0;
    const char *p = s;
    int neg = 0, base = 10, prefixed = 0;

    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16, p += 2, prefixed = 1;
    } else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
        base = 8, p += 2, prefixed = 1;
    } else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B')) {
        base = 2, p += 2, prefixed = 1;
    } else if (p[0] == '0' && p[1] != '\0') {
        base = 8, p += 1, prefixed = 1;
    }
    for (; *p; p++) {
        if (*p == '_' && prefixed && n > 0 && p[1] && p[1] != '_')
            continue;
        if (n + 1 >= sizeof(digits))
            return -1;
        digits[n++] = *p;
    }
    digits[n] = '\0';
    if (n == 0 && !(prefixed && base == 8))
        return -1;
    for (size_t i = 0; i < n; i++) {
        int c = tolower((unsigned char)digits[i]);
        int d = isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : 99;
        if (d >= base)
            return -1;
    }
    if (n == 0) {
        *out = 0; /* "0" handled as octal prefix with no digits */
        return 0;
    }
    errno = 0;
    unsigned long long u = strtoull(digits, NULL, base);
    if (errno == ERANGE)
        return -1;
    if (neg) {
        if (u > (unsigned long long)INT64_MAX + 1ULL)
            return -1;
        *out = u == (unsigned long long)INT64_MAX + 1ULL ? INT64_MIN : -(int64_t)u;
    } else {
        if (u > (unsigned long long)INT64_MAX)
            return -1;
        *out = (int64_t)u;
    }
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    if (*s == '\0' || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    double d = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || isnan(d) || isinf(d))
        return -1;
    *out = d;
    return 0;
}

static void strlist_push(struct cli_strlist *l, const char *s)
{
    HS_GROW(l->v, l->cap, l->n + 1);
    l->v[l->n++] = hs_strdup(s);
}

static void strlist_clear(struct cli_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        hs_free(l->v[i]);
    l->n = 0;
}

static void strlist_release(struct cli_strlist *l)
{
    strlist_clear(l);
    hs_free(l->v);
    l->v = NULL;
    l->cap = 0;
}

static void set_string(char **field, const char *s)
{
    hs_free(*field);
    *field = (s && *s) ? hs_strdup(s) : NULL;
}

static enum hs_code bad(struct hs_err *err, const char *name, const char *value, const char *why)
{
    return hs_err_set(err, HS_EINVAL, "invalid value \"%s\" for flag --%s: %s", value, name, why);
}

static enum hs_code parse_nodes(struct cli_config *cfg, const struct flag *fl, const char *s,
                                struct hs_err *err)
{
    const char *c1 = strchr(s, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    char num[32];
    int64_t min, max;

    if (!c2)
        return bad(err, fl->name, s, "want <min>:<max>:<asg-name>");
    if ((size_t)(c1 - s) >= sizeof(num) || (size_t)(c2 - c1 - 1) >= sizeof(num))
        return bad(err, fl->name, s, "min or max size is not an integer");
    memcpy(num, s, (size_t)(c1 - s));
    num[c1 - s] = '\0';
    if (*num == '\0' || parse_int64(num, &min) || min < INT_MIN || min > INT_MAX)
        return bad(err, fl->name, s, "min size is not an integer");
    memcpy(num, c1 + 1, (size_t)(c2 - c1 - 1));
    num[c2 - c1 - 1] = '\0';
    if (*num == '\0' || parse_int64(num, &max) || max < INT_MIN || max > INT_MAX)
        return bad(err, fl->name, s, "max size is not an integer");
    if (min < 0)
        return bad(err, fl->name, s, "min size must be >= 0");
    if (max < min)
        return bad(err, fl->name, s, "max size must be greater or equal to min size");
    if (c2[1] == '\0')
        return bad(err, fl->name, s, "ASG name must not be blank");
    for (size_t i = 0; i < cfg->n_nodes; i++)
        if (strcmp(cfg->nodes[i].name, c2 + 1) == 0)
            return bad(err, fl->name, s, "ASG given twice");
    HS_GROW(cfg->nodes, cfg->cap_nodes, cfg->n_nodes + 1);
    struct cli_node_spec *ns = &cfg->nodes[cfg->n_nodes++];
    ns->min = (int)min;
    ns->max = (int)max;
    ns->name = hs_strdup(c2 + 1);
    return HS_OK;
}

static enum hs_code parse_discovery(struct cli_config *cfg, const struct flag *fl, const char *s,
                                    struct hs_err *err)
{
    static const char prefix[] = "asg:tag=";
    size_t first = cfg->n_discovery;

    if (strncmp(s, prefix, sizeof(prefix) - 1) != 0)
        return bad(err, fl->name, s, "want asg:tag=<key>[=<value>],<key2>...");
    const char *p = s + sizeof(prefix) - 1;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        if (klen == 0) {
            while (cfg->n_discovery > first) { /* keep nothing of a rejected spec */
                struct cli_tag_filter *drop = &cfg->discovery[--cfg->n_discovery];
                hs_free(drop->key);
                hs_free(drop->value);
            }
            return bad(err, fl->name, s, "empty tag key");
        }
        HS_GROW(cfg->discovery, cfg->cap_discovery, cfg->n_discovery + 1);
        struct cli_tag_filter *tf = &cfg->discovery[cfg->n_discovery++];
        tf->key = hs_strndup(p, klen);
        tf->value = eq ? hs_strndup(eq + 1, len - klen - 1) : NULL;
        tf->spec = (unsigned)cfg->n_discovery_specs;
        if (!end)
            break;
        p = end + 1;
    }
    cfg->n_discovery_specs++;
    return HS_OK;
}

static enum hs_code parse_range(struct cli_range *r, const struct flag *fl, const char *s,
                                struct hs_err *err)
{
    const char *colon = strchr(s, ':');
    char num[32];
    int64_t min, max;

    if (!colon || (size_t)(colon - s) >= sizeof(num))
        return bad(err, fl->name, s, "want <min>:<max>");
    memcpy(num, s, (size_t)(colon - s));
    num[colon - s] = '\0';
    if (parse_int64(num, &min) || parse_int64(colon + 1, &max))
        return bad(err, fl->name, s, "min and max must be integers");
    if (min < 0)
        return bad(err, fl->name, s, "min must be >= 0");
    if (max < min)
        return bad(err, fl->name, s, "max must be >= min");
    r->min = min;
    r->max = max;
    return HS_OK;
}

static enum hs_code parse_expander(struct cli_strlist *l, const struct flag *fl, const char *s,
                                   struct hs_err *err)
{
    struct cli_strlist tmp = { 0 };
    const char *p = s;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        size_t i;
        for (i = 0; i < HS_ARRAY_LEN(expanders); i++)
            if (strlen(expanders[i]) == len && strncmp(expanders[i], p, len) == 0)
                break;
        if (i == HS_ARRAY_LEN(expanders)) {
            strlist_release(&tmp);
            char why[160];
            snprintf(why, sizeof(why), "unknown expander \"%.*s\" (want %s)",
                     (int)(len > 40 ? 40 : len), p,
                     "random, most-pods, least-waste, least-nodes, price or priority");
            return bad(err, fl->name, s, why);
        }
        for (size_t j = 0; j < tmp.n; j++) {
            if (strcmp(tmp.v[j], expanders[i]) == 0) {
                strlist_release(&tmp);
                return bad(err, fl->name, s, "an expander appears twice in the chain");
            }
        }
        strlist_push(&tmp, expanders[i]);
        if (!end)
            break;
        p = end + 1;
    }
    strlist_release(l);
    *l = tmp;
    return HS_OK;
}

/* Sets one flag from its textual value. */
static enum hs_code set_flag(struct cli_config *cfg, const struct flag *fl, const char *s,
                             struct hs_err *err)
{
    switch (fl->kind) {
    case K_BOOL: {
        bool b;
        if (parse_bool(s, &b))
            return bad(err, fl->name, s, "want true or false");
        *FIELD(cfg, fl, bool) = b;
        return HS_OK;
    }
    case K_INT: {
        int64_t v;
        if (parse_int64(s, &v))
            return bad(err, fl->name, s, "not an integer");
        if ((double)v < fl->lo || (double)v > fl->hi) {
            char why[96];
            if (fl->hi >= INTMAX)
                snprintf(why, sizeof(why), "must be >= %.0f", fl->lo);
            else
                snprintf(why, sizeof(why), "must be between %.0f and %.0f", fl->lo, fl->hi);
            return bad(err, fl->name, s, why);
        }
        *FIELD(cfg, fl, int) = (int)v;
        return HS_OK;
    }
    case K_FLOAT: {
        double d;
        if (parse_double(s, &d))
            return bad(err, fl->name, s, "not a number");
        if (d < fl->lo || d > fl->hi) {
            char why[96];
            snprintf(why, sizeof(why), "must be between %g and %g", fl->lo, fl->hi);
            return bad(err, fl->name, s, why);
        }
        *FIELD(cfg, fl, double) = d;
        return HS_OK;
    }
    case K_DURATION: {
        int64_t d;
        struct hs_err derr = { 0 };
        if (hs_duration_parse(s, &d, &derr))
            return bad(err, fl->name, s, derr.msg);
        if (d < 0)
            return bad(err, fl->name, s, "must not be negative");
        if (fl->lo > 0 && d == 0)
            return bad(err, fl->name, s, "must be greater than 0");
        *FIELD(cfg, fl, int64_t) = d;
        return HS_OK;
    }
    case K_STRING:
        set_string(FIELD(cfg, fl, char *), s);
        return HS_OK;
    case K_STRLIST:
        if (*s == '\0')
            return bad(err, fl->name, s, "must not be empty");
        strlist_push(FIELD(cfg, fl, struct cli_strlist), s);
        return HS_OK;
    case K_NODES:
        return parse_nodes(cfg, fl, s, err);
    case K_DISCOVERY:
        return parse_discovery(cfg, fl, s, err);
    case K_RANGE:
        return parse_range(FIELD(cfg, fl, struct cli_range), fl, s, err);
    case K_EXPANDER:
        return parse_expander(FIELD(cfg, fl, struct cli_strlist), fl, s, err);
    case K_LOGFORMAT:
        if (strcmp(s, "text") == 0)
            cfg->logging_format = CLI_LOG_TEXT;
        else if (strcmp(s, "json") == 0)
            cfg->logging_format = CLI_LOG_JSON;
        else
            return bad(err, fl->name, s, "want text or json");
        return HS_OK;
    case K_OUTPUT:
        if (strcmp(s, "text") == 0)
            *FIELD(cfg, fl, enum cli_output) = CLI_OUTPUT_TEXT;
        else if (strcmp(s, "json") == 0)
            *FIELD(cfg, fl, enum cli_output) = CLI_OUTPUT_JSON;
        else
            return bad(err, fl->name, s, "want text or json");
        return HS_OK;
    case K_SEVERITY: {
        for (size_t i = 0; i < HS_ARRAY_LEN(severities); i++) {
            char num[2] = { (char)('0' + i), '\0' };
            if (strcasecmp(s, severities[i]) == 0 || strcmp(s, num) == 0) {
                *FIELD(cfg, fl, int) = (int)i;
                return HS_OK;
            }
        }
        return bad(err, fl->name, s, "want INFO, WARNING, ERROR or FATAL");
    }
    }
    HS_BUG("unknown flag kind");
}

static const struct flag *find_flag(const char *name, size_t len)
{
    for (size_t i = 0; i < HS_ARRAY_LEN(flags); i++)
        if (strlen(flags[i].name) == len && strncmp(flags[i].name, name, len) == 0)
            return &flags[i];
    return NULL;
}

void cli_config_init(struct cli_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < HS_ARRAY_LEN(flags); i++) {
        if (flags[i].def == NULL)
            continue;
        struct hs_err err = { 0 };
        if (set_flag(cfg, &flags[i], flags[i].def, &err))
            HS_BUG(err.msg); /* a default in the table that its own parser rejects */
    }
}

void cli_config_release(struct cli_config *cfg)
{
    for (size_t i = 0; i < HS_ARRAY_LEN(flags); i++) {
        const struct flag *fl = &flags[i];
        switch (fl->kind) {
        case K_STRING:
            hs_free(*FIELD(cfg, fl, char *));
            break;
        case K_STRLIST:
        case K_EXPANDER:
            strlist_release(FIELD(cfg, fl, struct cli_strlist));
            break;
        default:
            break;
        }
    }
    for (size_t i = 0; i < cfg->n_nodes; i++)
        hs_free(cfg->nodes[i].name);
    hs_free(cfg->nodes);
    for (size_t i = 0; i < cfg->n_discovery; i++) {
        hs_free(cfg->discovery[i].key);
        hs_free(cfg->discovery[i].value);
    }
    hs_free(cfg->discovery);
    memset(cfg, 0, sizeof(*cfg));
}

/* Levenshtein distance, capped at 100 characters. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[101];
    if (la > 100 || lb > 100)
        return 1000;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *cli_nearest_flag(const char *name)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < HS_ARRAY_LEN(flags); i++) {
        size_t d = edit_distance(name, flags[i].name);
        if (d < best_d) {
            best_d = d;
            best = flags[i].name;
        }
    }
    /* Close enough to be a typo: at most a third of the name, and at most 4 edits. */
    size_t len = strlen(name);
    if (best && best_d <= 4 && best_d * 3 <= len + 2)
        return best;
    return NULL;
}

bool cli_flag_given(const struct cli_config *cfg, const char *name)
{
    const struct flag *fl = find_flag(name, strlen(name));
    return fl && cfg->given[fl - flags];
}

static const char *scope_name(unsigned scope)
{
    if (scope & CLI_SCOPE_DISCOVER)
        return "discover";
    if (scope & CLI_SCOPE_SIMULATE)
        return "simulate";
    if (scope & CLI_SCOPE_REPLAY)
        return "replay";
    return "run";
}

/* Two durations out of order: `big` must be >= (or, when strict, >) factor x
 * `small`. The message names the flag the user gave (the big one when both or
 * neither were given), so the line points at what to change. */
static enum hs_code blame_order(const struct cli_config *cfg, struct hs_err *err, const char *big,
                                int64_t big_v, const char *small, int64_t small_v, double factor,
                                bool strict)
{
    char bv[HS_DURATION_STR_MAX], sv[HS_DURATION_STR_MAX], times[24] = "";
    const char *cmp = strict ? "greater than" : "at least";
    hs_duration_format(big_v, bv, sizeof(bv));
    hs_duration_format(small_v, sv, sizeof(sv));
    char times_pre[16] = "";
    if (factor != 1.0) {
        snprintf(times, sizeof(times), "%g x it", factor);
        snprintf(times_pre, sizeof(times_pre), "%g x ", factor);
    }
    if (cli_flag_given(cfg, small) && !cli_flag_given(cfg, big))
        return hs_err_set(err, HS_EINVAL,
                          "invalid value \"%s\" for flag --%s: %s must be %s --%s (%s)", sv, small,
                          factor != 1.0 ? times : "it", strict ? "less than" : "at most", big, bv);
    return hs_err_set(err, HS_EINVAL, "invalid value \"%s\" for flag --%s: must be %s %s--%s (%s)",
                      bv, big, cmp, factor != 1.0 ? times_pre : "", small, sv);
}

/* Checks across flags, after all are set. */
static enum hs_code validate(struct cli_config *cfg, struct hs_err *err)
{
    /* cluster-autoscaler (config/flags): --max-empty-bulk-delete is deprecated; given
     * without --max-scale-down-parallelism, it becomes that flag's value, and it
     * limits nothing else (its planner crops deletions by the parallelism flags). */
    if (cli_flag_given(cfg, "max-empty-bulk-delete") &&
        !cli_flag_given(cfg, "max-scale-down-parallelism"))
        cfg->max_scale_down_parallelism = cfg->max_empty_bulk_delete;

    if (strcmp(cfg->cloud_provider ? cfg->cloud_provider : "", "aws") != 0)
        return hs_err_set(err, HS_EINVAL,
                          "invalid value \"%s\" for flag --cloud-provider: only aws is supported",
                          cfg->cloud_provider ? cfg->cloud_provider : "");
    if (cfg->kube_api_content_type && strcmp(cfg->kube_api_content_type, "application/json") != 0 &&
        strcmp(cfg->kube_api_content_type, "application/vnd.kubernetes.protobuf") != 0)
        return bad(err, "kube-api-content-type", cfg->kube_api_content_type,
                   "want application/json or application/vnd.kubernetes.protobuf");
    if (cfg->max_node_group_backoff_duration < cfg->initial_node_group_backoff_duration)
        return blame_order(cfg, err, "max-node-group-backoff-duration",
                           cfg->max_node_group_backoff_duration,
                           "initial-node-group-backoff-duration",
                           cfg->initial_node_group_backoff_duration, 1.0, false);
    if (cfg->leader_elect) {
        /* client-go's leader election refuses these, and so do we, at start-up. */
        if (cfg->leader_elect_lease_duration <= cfg->leader_elect_renew_deadline)
            return blame_order(cfg, err, "leader-elect-lease-duration",
                               cfg->leader_elect_lease_duration, "leader-elect-renew-deadline",
                               cfg->leader_elect_renew_deadline, 1.0, true);
        if ((double)cfg->leader_elect_renew_deadline <=
            1.2 * (double)cfg->leader_elect_retry_period)
            return blame_order(cfg, err, "leader-elect-renew-deadline",
                               cfg->leader_elect_renew_deadline, "leader-elect-retry-period",
                               cfg->leader_elect_retry_period, 1.2, true);
    }
    if (cfg->address) {
        const char *colon = strrchr(cfg->address, ':');
        long port = -1;
        if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
            strlen(colon + 1) <= 5)
            port = strtol(colon + 1, NULL, 10);
        if (port < 0 || port > 65535)
            return bad(err, "address", cfg->address, "want [host]:port with port 0-65535");
    } else {
        return bad(err, "address", "", "want [host]:port");
    }
    if (!cfg->status_config_map_name)
        return bad(err, "status-config-map-name", "", "must not be empty");
    if (!cfg->leader_elect_resource_name)
        return bad(err, "leader-elect-resource-name", "", "must not be empty");
    if (!cfg->namespace_)
        return bad(err, "namespace", "", "must not be empty");
    if (!cfg->logtostderr)
        return hs_err_set(err, HS_ENOTIMPL,
                          "flag --logtostderr=false is not implemented: hoist logs only to stderr");
    return HS_OK;
}

/* Rewrites msg so that control characters a flag or value carried (a
 * newline pasted into a manifest's args) show as \n, \t or \xNN: the error
 * stays one line. */
static void one_line(char *msg, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    char out[HS_ERR_MSG_MAX];
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)msg; *p && w + 5 < sizeof(out); p++) {
        if (*p >= 0x20 && *p != 0x7f) {
            out[w++] = (char)*p;
            continue;
        }
        out[w++] = '\\';
        if (*p == '\n' || *p == '\t' || *p == '\r') {
            out[w++] = *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r';
        } else {
            out[w++] = 'x';
            out[w++] = hex[*p >> 4];
            out[w++] = hex[*p & 15];
        }
    }
    out[w] = '\0';
    snprintf(msg, size, "%s", out);
}

static enum hs_code parse_flags(struct cli_config *cfg, int argc, const char *const *argv,
                                unsigned scope, struct hs_err *err);

enum hs_code cli_parse_flags(struct cli_config *cfg, int argc, const char *const *argv,
                             unsigned scope, struct hs_err *err)
{
    enum hs_code rc = parse_flags(cfg, argc, argv, scope, err);
    if (rc && err)
        one_line(err->msg, sizeof(err->msg));
    return rc;
}

static enum hs_code parse_flags(struct cli_config *cfg, int argc, const char *const *argv,
                                unsigned scope, struct hs_err *err)
{
    bool cleared[HS_ARRAY_LEN(flags)] = { false };

    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0')
            return hs_err_set(err, HS_EINVAL, "unexpected argument \"%s\" (flags start with --)",
                              arg);
        const char *name = arg + 1 + (arg[1] == '-');
        if (strcmp(arg, "--") == 0) {
            if (i + 1 < argc)
                return hs_err_set(err, HS_EINVAL, "unexpected argument \"%s\" after --",
                                  argv[i + 1]);
            break;
        }
        if (*name == '-' || *name == '=' || *name == '\0')
            return hs_err_set(err, HS_EINVAL, "bad flag syntax: %s", arg);
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const struct flag *fl = find_flag(name, len);
        if (!fl) {
            char n[128];
            snprintf(n, sizeof(n), "%.*s", (int)(len < 100 ? len : 100), name);
            const char *near = cli_nearest_flag(n);
            if (near)
                return hs_err_set(err, HS_EINVAL, "unknown flag --%s (did you mean --%s?)", n,
                                  near);
            return hs_err_set(err, HS_EINVAL, "unknown flag --%s (see hoist %s --help)", n,
                              scope_name(scope));
        }
        /* simulate and replay take every flag of `hoist run`, so that a
         * deployment's arguments can be pasted as they are; those that only
         * configure the daemon are checked and named as without effect */
        bool inert = !(fl->scope & scope) && (fl->scope & CLI_SCOPE_RUN) &&
                     (scope & (CLI_SCOPE_SIMULATE | CLI_SCOPE_REPLAY));
        if (!(fl->scope & scope) && !inert)
            return hs_err_set(err, HS_EINVAL, "flag --%s does not apply to hoist %s", fl->name,
                              scope_name(scope));
        const char *value;
        if (eq) {
            value = eq + 1;
        } else if (fl->kind == K_BOOL) {
            value = "true";
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            return hs_err_set(err, HS_EINVAL, "flag --%s needs a value", fl->name);
        }
        /* A repeatable flag given on the command line replaces its default. */
        size_t idx = (size_t)(fl - flags);
        if (fl->kind == K_STRLIST && !cleared[idx]) {
            strlist_clear(FIELD(cfg, fl, struct cli_strlist));
            cleared[idx] = true;
        }
        enum hs_code rc = set_flag(cfg, fl, value, err);
        if (rc)
            return rc;
        cfg->given[idx] = 1;
        cfg->inert[idx] = inert;
    }
    return validate(cfg, err);
}

void cli_print_inert(const struct cli_config *cfg, FILE *out, const char *cmd)
{
    for (size_t i = 0; i < HS_ARRAY_LEN(flags); i++)
        if (cfg->inert[i])
            fprintf(out,
                    "hoist: note: --%s configures the daemon; it changes nothing in hoist %s\n",
                    flags[i].name, cmd);
}

static void format_default(const struct flag *fl, char *buf, size_t size)
{
    if (!fl->def || !*fl->def) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, size, "%s", fl->def);
}

static const char *kind_hint(enum kind k)
{
    switch (k) {
    case K_BOOL:
        return "";
    case K_INT:
        return "int";
    case K_FLOAT:
        return "float";
    case K_DURATION:
        return "duration";
    case K_STRING:
    case K_STRLIST:
        return "string";
    case K_NODES:
        return "min:max:name";
    case K_DISCOVERY:
        return "asg:tag=...";
    case K_RANGE:
        return "min:max";
    case K_EXPANDER:
        return "names";
    case K_LOGFORMAT:
        return "text|json";
    case K_SEVERITY:
        return "severity";
    case K_OUTPUT:
        return "text|json";
    }
    return "";
}

void cli_print_flags(FILE *out, unsigned scope)
{
    for (int g = 0; g < G__COUNT; g++) {
        int printed = 0;
        for (size_t i = 0; i < HS_ARRAY_LEN(flags); i++) {
            const struct flag *fl = &flags[i];
            char left[96], def[64];
            if ((int)fl->group != g || !(fl->scope & scope))
                continue;
            if (!printed++)
                fprintf(out, "\n%s:\n", group_titles[g]);
            const char *hint = kind_hint(fl->kind);
            snprintf(left, sizeof(left), "--%s%s%s", fl->name, *hint ? " " : "", hint);
            format_default(fl, def, sizeof(def));
            fprintf(out, "  %s\n        %s", left, fl->help);
            if (*def && !(fl->kind == K_BOOL && strcmp(def, "false") == 0))
                fprintf(out, " (default %s)", def);
            fputc('\n', out);
        }
    }
}
