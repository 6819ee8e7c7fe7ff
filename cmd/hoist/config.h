/*
 * The configuration of one hoist process: every flag of ../shared/FLAGS.md
 * (cluster-autoscaler's AWS flags with their names and defaults, plus hoist's
 * own) parsed and validated into one struct. cmd/hoist hands pieces of it to
 * the modules as their own option structs; nothing below cmd/ includes this.
 */
#ifndef HOIST_CMD_CONFIG_H
#define HOIST_CMD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"

/* A list of owned strings (a repeatable flag). */
struct cli_strlist {
    char **v;
    size_t n, cap;
};

/* --nodes=<min>:<max>:<asg-name> */
struct cli_node_spec {
    int min, max;
    char *name; /* owned */
};

/* One tag filter of --node-group-auto-discovery: key, and value or NULL for
 * "any value"; spec is which --node-group-auto-discovery flag (from 0) it
 * came from. An ASG matches a spec when it has all the spec's tags, and is
 * discovered when it matches any spec, as cluster-autoscaler does. */
struct cli_tag_filter {
    char *key;   /* owned */
    char *value; /* owned, or NULL */
    unsigned spec;
};

struct cli_range {
    int64_t min, max;
};

enum cli_logging_format { CLI_LOG_TEXT, CLI_LOG_JSON };
enum cli_output { CLI_OUTPUT_TEXT, CLI_OUTPUT_JSON };

struct cli_config {
    /* cloud and node groups */
    char *cloud_provider;
    struct cli_node_spec *nodes;
    size_t n_nodes, cap_nodes;
    struct cli_tag_filter *discovery; /* every filter of every spec (see spec) */
    size_t n_discovery, cap_discovery;
    size_t n_discovery_specs; /* how many --node-group-auto-discovery were given */
    char *cluster_name;
    char *aws_region;
    bool aws_use_static_instance_list;

    /* Kubernetes client */
    char *namespace_;
    char *kubeconfig;
    char *kube_api_content_type;
    double kube_client_qps;
    int kube_client_burst;

    /* loop and server */
    char *address;
    int64_t scan_interval;
    int64_t max_inactivity;
    int64_t max_failing_time;

    /* scale-up */
    struct cli_strlist expander;
    int max_nodes_total;
    struct cli_range cores_total;
    struct cli_range memory_total; /* GiB */
    int max_nodes_per_scaleup;
    int64_t new_pod_scale_up_delay;
    int expendable_pods_priority_cutoff;
    bool scale_up_from_zero;
    bool enforce_node_group_min_size;

    /* balancing */
    bool balance_similar_node_groups;
    struct cli_strlist balancing_ignore_label;
    struct cli_strlist balancing_label;
    double memory_difference_ratio;
    double max_allocatable_difference_ratio;
    double max_free_difference_ratio;

    /* node group health and backoff */
    int64_t max_node_provision_time;
    int64_t initial_node_group_backoff_duration;
    int64_t max_node_group_backoff_duration;
    int64_t node_group_backoff_reset_timeout;
    double max_total_unready_percentage;
    int ok_total_unready_count;

    /* scale-down */
    bool scale_down_enabled;
    bool scale_down_unready_enabled;
    double scale_down_utilization_threshold;
    double scale_down_gpu_utilization_threshold;
    int64_t scale_down_unneeded_time;
    int64_t scale_down_unready_time;
    int64_t scale_down_delay_after_add;
    int64_t scale_down_delay_after_delete;
    int64_t scale_down_delay_after_failure;
    int scale_down_non_empty_candidates_count;
    int max_scale_down_parallelism;
    int max_empty_bulk_delete; /* deprecated: only sets max_scale_down_parallelism */
    int max_drain_parallelism;
    int max_graceful_termination_sec;
    int64_t max_pod_eviction_time;
    bool cordon_node_before_terminating;
    int64_t node_delete_delay_after_taint;

    /* drain rules */
    bool skip_nodes_with_system_pods;
    bool skip_nodes_with_local_storage;
    bool skip_nodes_with_custom_controller_pods;
    int min_replica_count;
    bool ignore_daemonsets_utilization;
    bool ignore_mirror_pods_utilization;
    bool daemonset_eviction_for_empty_nodes;
    bool daemonset_eviction_for_occupied_nodes;

    /* node templates */
    struct cli_strlist startup_taint;
    struct cli_strlist status_taint;
    struct cli_strlist ignore_taint;

    /* status, events, metrics */
    bool write_status_configmap;
    char *status_config_map_name;
    bool emit_per_nodegroup_metrics;
    bool record_duplicated_events;

    /* leader election */
    bool leader_elect;
    int64_t leader_elect_lease_duration;
    int64_t leader_elect_renew_deadline;
    int64_t leader_elect_retry_period;
    char *leader_elect_resource_name;

    /* logging (klog) */
    int v;
    enum cli_logging_format logging_format;
    bool logtostderr;
    int stderrthreshold;

    /* hoist's own */
    bool dry_run;
    char *record;
    char *priority_config;

    /* simulate, replay and discover */
    struct cli_strlist cluster; /* --cluster files */
    char *asgs;                 /* --asgs file */
    char *instance_types;       /* --instance-types file */
    char *launch_templates;     /* --launch-templates file */
    char *now;                  /* --now (simulate), RFC 3339 */
    enum cli_output output;     /* --output */
    int seed;                   /* --seed */

    /* Set by the parser: which flags the command line gave (index into the
     * flag table), so callers can tell a default from an explicit value;
     * inert: those given to simulate or replay that only configure the
     * daemon (accepted and checked, without effect; see cli_print_inert). */
    unsigned char given[128];
    unsigned char inert[128];
};

/* Which subcommand is parsing: a flag is accepted only where it means something. */
enum cli_scope {
    CLI_SCOPE_RUN = 1 << 0,
    CLI_SCOPE_SIMULATE = 1 << 1,
    CLI_SCOPE_REPLAY = 1 << 2,
    CLI_SCOPE_DISCOVER = 1 << 3, /* discover takes run's flags and these */
};

/* Fills cfg with every default. cfg is an embedded value: release it with
 * cli_config_release. */
void cli_config_init(struct cli_config *cfg);
void cli_config_release(struct cli_config *cfg);

/* Parses argv[0..argc) (flags only; the subcommand name already removed) for
 * the given scope into cfg (initialised with cli_config_init), then validates
 * the whole. On error returns HS_EINVAL with one line in err naming the flag
 * and the value; cfg must still be released. */
enum hs_code cli_parse_flags(struct cli_config *cfg, int argc, const char *const *argv,
                             unsigned scope, struct hs_err *err);

/* Whether the flag --name was given on the command line (name without dashes). */
bool cli_flag_given(const struct cli_config *cfg, const char *name);

/* Writes the grouped flag list (name, default, meaning) for scope to f. */
void cli_print_flags(FILE *out, unsigned scope);

/* Prints to out one line for each daemon-only flag cfg (borrowed) was given
 * by hoist cmd (simulate, replay): accepted and checked, without effect. */
void cli_print_inert(const struct cli_config *cfg, FILE *out, const char *cmd);

/* The known flag nearest to name by edit distance, or NULL when none is close. */
const char *cli_nearest_flag(const char *name);

#endif
