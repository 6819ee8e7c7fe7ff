/*
 * Tests of cmd/hoist/flags.c: every flag form, the defaults of FLAGS.md, and
 * every error path, each with the exact one-line message a user sees.
 */
#include "hs_test.h"

#include <string.h>

#include "base/clock.h"
#include "config.h"

#define ARGV(...) ((const char *[]){ __VA_ARGS__ })
#define ARGC(...) ((int)(sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(char *)))

/* Parses the arguments for `hoist run`; returns the code, message in *msg. */
static enum hs_code parse(struct cli_config *cfg, unsigned scope, char *msg, int argc,
                          const char *const *argv)
{
    struct hs_err err = { 0 };
    cli_config_init(cfg);
    enum hs_code rc = cli_parse_flags(cfg, argc, argv, scope, &err);
    strcpy(msg, err.msg);
    return rc;
}

#define PARSE_OK(cfg, ...)                                                           \
    do {                                                                             \
        char msg_[HS_ERR_MSG_MAX];                                                   \
        enum hs_code rc_ =                                                           \
            parse((cfg), CLI_SCOPE_RUN, msg_, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__)); \
        assert_string_equal(msg_, "");                                               \
        assert_int_equal(rc_, HS_OK);                                                \
    } while (0)

/* Expects the parse to fail with exactly this message. */
static void expect_error(unsigned scope, const char *want, int argc, const char *const *argv)
{
    struct cli_config cfg;
    char msg[HS_ERR_MSG_MAX];
    enum hs_code rc = parse(&cfg, scope, msg, argc, argv);
    assert_string_equal(msg, want);
    assert_int_not_equal(rc, HS_OK);
    cli_config_release(&cfg);
}
#define EXPECT_ERR(want, ...) \
    expect_error(CLI_SCOPE_RUN, (want), ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void defaults_match_flags_md(void **state)
{
    (void)state;
    struct cli_config c;
    cli_config_init(&c);
    assert_string_equal(c.cloud_provider, "aws");
    assert_string_equal(c.namespace_, "kube-system");
    assert_string_equal(c.kube_api_content_type, "application/json");
    assert_true(c.kube_client_qps == 5.0);
    assert_int_equal(c.kube_client_burst, 10);
    assert_string_equal(c.address, ":8085");
    assert_int_equal(c.scan_interval, 10 * HS_SEC);
    assert_int_equal(c.expander.n, 1);
    assert_string_equal(c.expander.v[0], "least-waste");
    assert_int_equal(c.max_nodes_total, 0);
    assert_int_equal(c.cores_total.min, 0);
    assert_int_equal(c.cores_total.max, 320000);
    assert_int_equal(c.memory_total.max, 6400000);
    assert_int_equal(c.max_nodes_per_scaleup, 1000);
    assert_false(c.balance_similar_node_groups);
    assert_true(c.memory_difference_ratio == 0.015);
    assert_true(c.max_allocatable_difference_ratio == 0.05);
    assert_true(c.max_free_difference_ratio == 0.05);
    assert_int_equal(c.new_pod_scale_up_delay, 0);
    assert_int_equal(c.expendable_pods_priority_cutoff, -10);
    assert_true(c.scale_up_from_zero);
    assert_false(c.enforce_node_group_min_size);
    assert_int_equal(c.max_node_provision_time, 15 * HS_MIN);
    assert_int_equal(c.initial_node_group_backoff_duration, 5 * HS_MIN);
    assert_int_equal(c.max_node_group_backoff_duration, 30 * HS_MIN);
    assert_int_equal(c.node_group_backoff_reset_timeout, 3 * HS_HOUR);
    assert_true(c.max_total_unready_percentage == 45.0);
    assert_int_equal(c.ok_total_unready_count, 3);
    assert_true(c.scale_down_enabled);
    assert_true(c.scale_down_unready_enabled);
    assert_true(c.scale_down_utilization_threshold == 0.5);
    assert_true(c.scale_down_gpu_utilization_threshold == 0.5);
    assert_int_equal(c.scale_down_unneeded_time, 10 * HS_MIN);
    assert_int_equal(c.scale_down_unready_time, 20 * HS_MIN);
    assert_int_equal(c.scale_down_delay_after_add, 10 * HS_MIN);
    assert_int_equal(c.scale_down_delay_after_delete, 0);
    assert_int_equal(c.scale_down_delay_after_failure, 3 * HS_MIN);
    assert_int_equal(c.scale_down_non_empty_candidates_count, 30);
    assert_int_equal(c.max_scale_down_parallelism, 10);
    assert_int_equal(c.max_empty_bulk_delete, 10);
    assert_int_equal(c.max_drain_parallelism, 1);
    assert_int_equal(c.max_graceful_termination_sec, 600);
    assert_int_equal(c.max_pod_eviction_time, 2 * HS_MIN);
    assert_true(c.skip_nodes_with_system_pods);
    assert_true(c.skip_nodes_with_local_storage);
    assert_true(c.skip_nodes_with_custom_controller_pods);
    assert_int_equal(c.min_replica_count, 0);
    assert_false(c.ignore_daemonsets_utilization);
    assert_false(c.ignore_mirror_pods_utilization);
    assert_false(c.daemonset_eviction_for_empty_nodes);
    assert_true(c.daemonset_eviction_for_occupied_nodes);
    assert_true(c.cordon_node_before_terminating);
    assert_int_equal(c.node_delete_delay_after_taint, 5 * HS_SEC);
    assert_true(c.write_status_configmap);
    assert_string_equal(c.status_config_map_name, "cluster-autoscaler-status");
    assert_int_equal(c.max_inactivity, 10 * HS_MIN);
    assert_int_equal(c.max_failing_time, 15 * HS_MIN);
    assert_true(c.leader_elect);
    assert_int_equal(c.leader_elect_lease_duration, 15 * HS_SEC);
    assert_int_equal(c.leader_elect_renew_deadline, 10 * HS_SEC);
    assert_int_equal(c.leader_elect_retry_period, 2 * HS_SEC);
    assert_string_equal(c.leader_elect_resource_name, "cluster-autoscaler");
    assert_false(c.aws_use_static_instance_list);
    assert_false(c.emit_per_nodegroup_metrics);
    assert_false(c.record_duplicated_events);
    assert_int_equal(c.v, 0);
    assert_int_equal(c.logging_format, CLI_LOG_TEXT);
    assert_false(c.dry_run);
    assert_null(c.record);
    assert_null(c.aws_region);
    assert_null(c.kubeconfig);
    assert_int_equal(c.n_nodes, 0);
    assert_int_equal(c.n_discovery, 0);
    /* Defaults alone pass validation. */
    char msg[HS_ERR_MSG_MAX];
    cli_config_release(&c);
    assert_int_equal(parse(&c, CLI_SCOPE_RUN, msg, 0, NULL), HS_OK);
    cli_config_release(&c);
}

static void every_form(void **state)
{
    (void)state;
    struct cli_config c;
    PARSE_OK(&c, "--scan-interval=30s", "--max-nodes-total", "12", "-v=4", "-max-drain-parallelism",
             "3", "--dry-run", "--scale-down-enabled=false", "--leader-elect=F",
             "--balance-similar-node-groups", "--skip-nodes-with-system-pods=0");
    assert_int_equal(c.scan_interval, 30 * HS_SEC);
    assert_int_equal(c.max_nodes_total, 12);
    assert_int_equal(c.v, 4);
    assert_int_equal(c.max_drain_parallelism, 3);
    assert_true(c.dry_run);
    assert_false(c.scale_down_enabled);
    assert_false(c.leader_elect);
    assert_true(c.balance_similar_node_groups);
    assert_false(c.skip_nodes_with_system_pods);
    assert_true(cli_flag_given(&c, "scan-interval"));
    assert_false(cli_flag_given(&c, "expander"));
    assert_false(cli_flag_given(&c, "no-such-flag"));
    cli_config_release(&c);

    /* A boolean alone never swallows the next argument. */
    EXPECT_ERR("unexpected argument \"false\" (flags start with --)", "--dry-run", "false");
    /* Go's integer syntax: base prefixes. */
    PARSE_OK(&c, "--max-nodes-total=0x10", "--ok-total-unready-count=010",
             "--min-replica-count=0b101");
    assert_int_equal(c.max_nodes_total, 16);
    assert_int_equal(c.ok_total_unready_count, 8);
    assert_int_equal(c.min_replica_count, 5);
    cli_config_release(&c);
    /* Last one wins for a single-valued flag. */
    PARSE_OK(&c, "--scan-interval=1m", "--scan-interval=1m30s");
    assert_int_equal(c.scan_interval, 90 * HS_SEC);
    cli_config_release(&c);
    /* A repeatable flag given on the command line starts from empty. */
    PARSE_OK(&c, "--expander=price");
    assert_int_equal(c.expander.n, 1);
    assert_string_equal(c.expander.v[0], "price");
    cli_config_release(&c);
    /* klog flags that cluster-autoscaler charts pass by default. */
    PARSE_OK(&c, "--logtostderr=true", "--stderrthreshold=info", "--v=4");
    assert_int_equal(c.stderrthreshold, 0);
    cli_config_release(&c);
    PARSE_OK(&c, "--stderrthreshold=2", "--logging-format=json", "--kube-client-qps=7.5");
    assert_int_equal(c.stderrthreshold, 2);
    assert_int_equal(c.logging_format, CLI_LOG_JSON);
    assert_true(c.kube_client_qps == 7.5);
    cli_config_release(&c);
}

static void every_form_end(void **state)
{
    (void)state;
    struct cli_config c;
    char msg[HS_ERR_MSG_MAX];
    assert_int_equal(parse(&c, CLI_SCOPE_RUN, msg, 2, ARGV("--scan-interval=1m30s", "--")), HS_OK);
    assert_int_equal(c.scan_interval, 90 * HS_SEC);
    cli_config_release(&c);
}

static void repeatable_flags(void **state)
{
    (void)state;
    struct cli_config c;
    PARSE_OK(&c, "--nodes=1:10:ng-a", "--nodes", "0:5:ng-b:with:colons",
             "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,"
             "k8s.io/cluster-autoscaler/prod",
             "--node-group-auto-discovery=asg:tag=team=data", "--balancing-ignore-label=a",
             "--balancing-ignore-label=b", "--expander=priority,least-waste",
             "--startup-taint=ignore-me", "--status-taint", "s", "--ignore-taint=i");
    assert_int_equal(c.n_nodes, 2);
    assert_int_equal(c.nodes[0].min, 1);
    assert_int_equal(c.nodes[0].max, 10);
    assert_string_equal(c.nodes[0].name, "ng-a");
    assert_string_equal(c.nodes[1].name, "ng-b:with:colons");
    assert_int_equal(c.n_discovery_specs, 2);
    assert_int_equal(c.n_discovery, 3);
    assert_string_equal(c.discovery[0].key, "k8s.io/cluster-autoscaler/enabled");
    assert_null(c.discovery[0].value);
    assert_string_equal(c.discovery[1].key, "k8s.io/cluster-autoscaler/prod");
    assert_string_equal(c.discovery[2].key, "team");
    assert_string_equal(c.discovery[2].value, "data");
    assert_int_equal(c.discovery[0].spec, 0);
    assert_int_equal(c.discovery[1].spec, 0);
    assert_int_equal(c.discovery[2].spec, 1);
    assert_int_equal(c.balancing_ignore_label.n, 2);
    assert_string_equal(c.balancing_ignore_label.v[1], "b");
    assert_int_equal(c.expander.n, 2);
    assert_string_equal(c.expander.v[0], "priority");
    assert_string_equal(c.expander.v[1], "least-waste");
    assert_string_equal(c.startup_taint.v[0], "ignore-me");
    assert_string_equal(c.status_taint.v[0], "s");
    assert_string_equal(c.ignore_taint.v[0], "i");
    cli_config_release(&c);
}

static void unknown_and_missing(void **state)
{
    (void)state;
    EXPECT_ERR("unknown flag --nodez (did you mean --nodes?)", "--nodez=1:2:x");
    EXPECT_ERR("unknown flag --scan-intreval (did you mean --scan-interval?)",
               "--scan-intreval=10s");
    EXPECT_ERR("unknown flag --gce-concurrent-refreshes (see hoist run --help)",
               "--gce-concurrent-refreshes=2");
    EXPECT_ERR("flag --scan-interval needs a value", "--scan-interval");
    EXPECT_ERR("unexpected argument \"extra\" (flags start with --)", "extra");
    EXPECT_ERR("bad flag syntax: ---v", "---v");
    EXPECT_ERR("bad flag syntax: --=x", "--=x");
    EXPECT_ERR("unexpected argument \"x\" after --", "--", "x");
    /* A control character pasted into an argument stays visible and the
     * message stays one line. */
    EXPECT_ERR("unknown flag --\\n/ (see hoist run --help)", "--\n/");
    EXPECT_ERR("invalid value \"10s\\t\" for flag --scan-interval: unknown unit \"s\\x09\" in "
               "duration \"10s\\x09\"",
               "--scan-interval=10s\t");
    /* simulate takes every flag of `hoist run`; a daemon-only one is still
     * checked, and marked inert (main prints a note for it) */
    struct cli_config cfg;
    char msg[HS_ERR_MSG_MAX];
    assert_int_equal(
        parse(&cfg, CLI_SCOPE_SIMULATE, msg, 3,
              ARGV("--kubeconfig=/tmp/k", "--leader-elect=false", "--scan-interval=1m")),
        HS_OK);
    size_t inert = 0;
    for (size_t i = 0; i < sizeof(cfg.inert); i++)
        inert += cfg.inert[i];
    assert_int_equal(inert, 2); /* --scan-interval means something to simulate's timers */
    cli_config_release(&cfg);
    expect_error(CLI_SCOPE_SIMULATE,
                 "invalid value \"maybe\" for flag --leader-elect: want true or false", 1,
                 ARGV("--leader-elect=maybe"));
}

static void malformed_values(void **state)
{
    (void)state;
    EXPECT_ERR("invalid value \"abc\" for flag --scan-interval: invalid duration \"abc\"",
               "--scan-interval=abc");
    EXPECT_ERR("invalid value \"10\" for flag --scan-interval: missing unit in duration \"10\"",
               "--scan-interval=10");
    EXPECT_ERR("invalid value \"-1s\" for flag --scale-down-unneeded-time: must not be negative",
               "--scale-down-unneeded-time=-1s");
    EXPECT_ERR("invalid value \"0s\" for flag --scan-interval: must be greater than 0",
               "--scan-interval=0s");
    EXPECT_ERR("invalid value \"maybe\" for flag --dry-run: want true or false", "--dry-run=maybe");
    EXPECT_ERR("invalid value \"ten\" for flag --max-nodes-total: not an integer",
               "--max-nodes-total=ten");
    EXPECT_ERR("invalid value \"1.5\" for flag --max-nodes-total: not an integer",
               "--max-nodes-total=1.5");
    EXPECT_ERR("invalid value \"99999999999\" for flag --max-nodes-total: must be >= 0",
               "--max-nodes-total=99999999999");
    EXPECT_ERR("invalid value \"-1\" for flag --max-nodes-total: must be >= 0",
               "--max-nodes-total=-1");
    EXPECT_ERR("invalid value \"0\" for flag --max-scale-down-parallelism: must be >= 1",
               "--max-scale-down-parallelism=0");
    EXPECT_ERR("invalid value \"11\" for flag --v: must be between 0 and 10", "--v=11");
    EXPECT_ERR("invalid value \"1.5\" for flag --scale-down-utilization-threshold: must be "
               "between 0 and 1",
               "--scale-down-utilization-threshold=1.5");
    EXPECT_ERR("invalid value \"nan\" for flag --memory-difference-ratio: not a number",
               "--memory-difference-ratio=nan");
    EXPECT_ERR("invalid value \"\" for flag --kube-client-qps: not a number", "--kube-client-qps=");
    EXPECT_ERR("invalid value \"xml\" for flag --logging-format: want text or json",
               "--logging-format=xml");
    EXPECT_ERR("invalid value \"LOUD\" for flag --stderrthreshold: want INFO, WARNING, ERROR or "
               "FATAL",
               "--stderrthreshold=LOUD");
    EXPECT_ERR("invalid value \"\" for flag --balancing-label: must not be empty",
               "--balancing-label=");
}

static void structured_values(void **state)
{
    (void)state;
    EXPECT_ERR("invalid value \"1:2\" for flag --nodes: want <min>:<max>:<asg-name>",
               "--nodes=1:2");
    EXPECT_ERR("invalid value \"a:2:x\" for flag --nodes: min size is not an integer",
               "--nodes=a:2:x");
    EXPECT_ERR("invalid value \"1::x\" for flag --nodes: max size is not an integer",
               "--nodes=1::x");
    EXPECT_ERR("invalid value \"-1:2:x\" for flag --nodes: min size must be >= 0",
               "--nodes=-1:2:x");
    EXPECT_ERR("invalid value \"3:1:x\" for flag --nodes: max size must be greater or equal to "
               "min size",
               "--nodes=3:1:x");
    EXPECT_ERR("invalid value \"1:2:\" for flag --nodes: ASG name must not be blank",
               "--nodes=1:2:");
    EXPECT_ERR("invalid value \"1:3:x\" for flag --nodes: ASG given twice", "--nodes=1:2:x",
               "--nodes=1:3:x");
    EXPECT_ERR("invalid value \"tag=a\" for flag --node-group-auto-discovery: want "
               "asg:tag=<key>[=<value>],<key2>...",
               "--node-group-auto-discovery=tag=a");
    EXPECT_ERR("invalid value \"asg:tag=a,,b\" for flag --node-group-auto-discovery: empty tag key",
               "--node-group-auto-discovery=asg:tag=a,,b");
    EXPECT_ERR("invalid value \"asg:tag==v\" for flag --node-group-auto-discovery: empty tag key",
               "--node-group-auto-discovery=asg:tag==v");
    EXPECT_ERR("invalid value \"5\" for flag --cores-total: want <min>:<max>", "--cores-total=5");
    EXPECT_ERR("invalid value \"a:5\" for flag --cores-total: min and max must be integers",
               "--cores-total=a:5");
    EXPECT_ERR("invalid value \"-1:5\" for flag --memory-total: min must be >= 0",
               "--memory-total=-1:5");
    EXPECT_ERR("invalid value \"9:5\" for flag --memory-total: max must be >= min",
               "--memory-total=9:5");
    EXPECT_ERR("invalid value \"cheapest\" for flag --expander: unknown expander \"cheapest\" "
               "(want random, most-pods, least-waste, least-nodes, price or priority)",
               "--expander=cheapest");
    EXPECT_ERR("invalid value \"price,\" for flag --expander: unknown expander \"\" (want random, "
               "most-pods, least-waste, least-nodes, price or priority)",
               "--expander=price,");
    EXPECT_ERR("invalid value \"price,price\" for flag --expander: an expander appears twice in "
               "the chain",
               "--expander=price,price");
}

static void cross_field_checks(void **state)
{
    (void)state;
    EXPECT_ERR("invalid value \"gce\" for flag --cloud-provider: only aws is supported",
               "--cloud-provider=gce");
    EXPECT_ERR("invalid value \"text/yaml\" for flag --kube-api-content-type: want "
               "application/json or application/vnd.kubernetes.protobuf",
               "--kube-api-content-type=text/yaml");
    EXPECT_ERR("invalid value \"20s\" for flag --leader-elect-renew-deadline: it must be less "
               "than --leader-elect-lease-duration (15s)",
               "--leader-elect-renew-deadline=20s");
    EXPECT_ERR("invalid value \"9s\" for flag --leader-elect-retry-period: 1.2 x it must be less "
               "than --leader-elect-renew-deadline (10s)",
               "--leader-elect-retry-period=9s");
    EXPECT_ERR("invalid value \"5s\" for flag --leader-elect-lease-duration: must be greater than "
               "--leader-elect-renew-deadline (10s)",
               "--leader-elect-lease-duration=5s");
    EXPECT_ERR("invalid value \"1m0s\" for flag --max-node-group-backoff-duration: must be at "
               "least --initial-node-group-backoff-duration (5m0s)",
               "--max-node-group-backoff-duration=1m");
    EXPECT_ERR("invalid value \":99999\" for flag --address: want [host]:port with port 0-65535",
               "--address=:99999");
    EXPECT_ERR("invalid value \"localhost\" for flag --address: want [host]:port with port 0-65535",
               "--address=localhost");
    EXPECT_ERR("invalid value \"\" for flag --namespace: must not be empty", "--namespace=");
    EXPECT_ERR("flag --logtostderr=false is not implemented: hoist logs only to stderr",
               "--logtostderr=false");

    /* Leader-election timing is not checked when leader election is off. */
    struct cli_config c;
    PARSE_OK(&c, "--leader-elect=false", "--leader-elect-renew-deadline=20s",
             "--address=127.0.0.1:0");
    cli_config_release(&c);
}

/* cluster-autoscaler's deprecated --max-empty-bulk-delete sets
 * --max-scale-down-parallelism only when that flag is not given. */
static void max_empty_bulk_delete(void **state)
{
    (void)state;
    struct cli_config c;
    PARSE_OK(&c, "--max-empty-bulk-delete=3");
    assert_int_equal(c.max_scale_down_parallelism, 3);
    cli_config_release(&c);
    PARSE_OK(&c, "--max-empty-bulk-delete=3", "--max-scale-down-parallelism=7");
    assert_int_equal(c.max_scale_down_parallelism, 7);
    cli_config_release(&c);
    PARSE_OK(&c, "--max-scale-down-parallelism=7", "--max-empty-bulk-delete=3");
    assert_int_equal(c.max_scale_down_parallelism, 7);
    cli_config_release(&c);
    PARSE_OK(&c, "--max-drain-parallelism=2");
    assert_int_equal(c.max_scale_down_parallelism, 10);
    cli_config_release(&c);
}

static void nearest_flag(void **state)
{
    (void)state;
    assert_string_equal(cli_nearest_flag("nodez"), "nodes");
    assert_string_equal(cli_nearest_flag("expandr"), "expander");
    assert_string_equal(cli_nearest_flag("scale-down-unneded-time"), "scale-down-unneeded-time");
    assert_null(cli_nearest_flag("zzzzzzzzzzzzzzzzzzzzzzz"));
    assert_null(cli_nearest_flag("qqq"));
    assert_string_equal(cli_nearest_flag("x"), "v"); /* one edit from the one-letter --v */
}

static void help_lists_every_flag(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    cli_print_flags(f, CLI_SCOPE_RUN);
    fclose(f);
    static const char *const some[] = {
        "--nodes",
        "--node-group-auto-discovery",
        "--scan-interval",
        "--expander",
        "--max-nodes-total",
        "--scale-down-unneeded-time",
        "--dry-run",
        "--leader-elect-resource-name",
        "(default 10s)",
        "(default least-waste)",
        "(default 0:320000)",
        "Scale-down:",
    };
    for (size_t i = 0; i < sizeof(some) / sizeof(some[0]); i++)
        if (!strstr(text, some[i]))
            fail_msg("help text lacks %s", some[i]);
    /* Simulate's flags leave out the daemon-only ones. */
    free(text);
    f = open_memstream(&text, &len);
    cli_print_flags(f, CLI_SCOPE_SIMULATE);
    fclose(f);
    assert_null(strstr(text, "--kubeconfig"));
    assert_non_null(strstr(text, "--priority-config"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_match_flags_md), cmocka_unit_test(every_form),
        cmocka_unit_test(every_form_end),          cmocka_unit_test(repeatable_flags),
        cmocka_unit_test(unknown_and_missing),     cmocka_unit_test(malformed_values),
        cmocka_unit_test(structured_values),       cmocka_unit_test(cross_field_checks),
        cmocka_unit_test(max_empty_bulk_delete),   cmocka_unit_test(nearest_flag),
        cmocka_unit_test(help_lists_every_flag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
