/*
 * Flag values into planner options. Mechanical on purpose: every decision
 * about what a flag means lives in lib/autoscaler, and every check of what
 * a flag may hold lives in flags.c; this file only carries values across.
 */
#include "options.h"

#include <string.h>

#include "base/alloc.h"

static enum asc_expander_kind expander_of(const char *name)
{
    static const struct {
        const char *name;
        enum asc_expander_kind e;
    } names[] = {
        { "random", ASC_EXPANDER_RANDOM },
        { "most-pods", ASC_EXPANDER_MOST_PODS },
        { "least-waste", ASC_EXPANDER_LEAST_WASTE },
        { "least-nodes", ASC_EXPANDER_LEAST_NODES },
        { "price", ASC_EXPANDER_PRICE },
        { "priority", ASC_EXPANDER_PRIORITY },
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(names); i++)
        if (strcmp(names[i].name, name) == 0)
            return names[i].e;
    HS_BUG("flags.c accepted an expander options.c does not know");
}

void cli_planner_options_init(struct cli_planner_options *po, const struct cli_config *c)
{
    struct asc_options *o = &po->o;
    memset(po, 0, sizeof(*po));
    asc_options_init(o);

    po->nodes = hs_calloc(c->n_nodes ? c->n_nodes : 1, sizeof(*po->nodes));
    for (size_t i = 0; i < c->n_nodes; i++) {
        po->nodes[i].min = c->nodes[i].min;
        po->nodes[i].max = c->nodes[i].max;
        po->nodes[i].name = c->nodes[i].name;
    }
    o->nodes = po->nodes;
    o->n_nodes = c->n_nodes;
    po->tags = hs_calloc(c->n_discovery ? c->n_discovery : 1, sizeof(*po->tags));
    for (size_t i = 0; i < c->n_discovery; i++) {
        po->tags[i].key = c->discovery[i].key;
        po->tags[i].value = c->discovery[i].value;
        po->tags[i].spec = c->discovery[i].spec;
    }
    o->discovery = po->tags;
    o->n_discovery = c->n_discovery;

    HS_BUG_ON(c->expander.n > HS_ARRAY_LEN(o->expanders));
    o->n_expanders = c->expander.n;
    for (size_t i = 0; i < c->expander.n; i++)
        o->expanders[i] = expander_of(c->expander.v[i]);
    o->max_nodes_total = c->max_nodes_total;
    o->cores_min = c->cores_total.min;
    o->cores_max = c->cores_total.max;
    o->memory_min_gib = c->memory_total.min;
    o->memory_max_gib = c->memory_total.max;
    o->max_nodes_per_scaleup = c->max_nodes_per_scaleup;
    o->new_pod_scale_up_delay = c->new_pod_scale_up_delay;
    o->expendable_pods_priority_cutoff = c->expendable_pods_priority_cutoff;
    o->scale_up_from_zero = c->scale_up_from_zero;
    o->enforce_node_group_min_size = c->enforce_node_group_min_size;

    o->balance_similar_node_groups = c->balance_similar_node_groups;
    o->balancing_ignore_labels = (const char *const *)c->balancing_ignore_label.v;
    o->n_balancing_ignore_labels = c->balancing_ignore_label.n;
    o->balancing_labels = (const char *const *)c->balancing_label.v;
    o->n_balancing_labels = c->balancing_label.n;
    o->memory_difference_ratio = c->memory_difference_ratio;
    o->max_allocatable_difference_ratio = c->max_allocatable_difference_ratio;
    o->max_free_difference_ratio = c->max_free_difference_ratio;

    o->max_node_provision_time = c->max_node_provision_time;
    o->initial_node_group_backoff_duration = c->initial_node_group_backoff_duration;
    o->max_node_group_backoff_duration = c->max_node_group_backoff_duration;
    o->node_group_backoff_reset_timeout = c->node_group_backoff_reset_timeout;
    o->max_total_unready_percentage = c->max_total_unready_percentage;
    o->ok_total_unready_count = c->ok_total_unready_count;

    o->scale_down_enabled = c->scale_down_enabled;
    o->scale_down_unready_enabled = c->scale_down_unready_enabled;
    o->scale_down_utilization_threshold = c->scale_down_utilization_threshold;
    o->scale_down_gpu_utilization_threshold = c->scale_down_gpu_utilization_threshold;
    o->scale_down_unneeded_time = c->scale_down_unneeded_time;
    o->scale_down_unready_time = c->scale_down_unready_time;
    o->scale_down_delay_after_add = c->scale_down_delay_after_add;
    o->scale_down_delay_after_delete = c->scale_down_delay_after_delete;
    o->scale_down_delay_after_failure = c->scale_down_delay_after_failure;
    o->scale_down_non_empty_candidates_count = c->scale_down_non_empty_candidates_count;
    o->max_scale_down_parallelism = c->max_scale_down_parallelism;
    o->max_drain_parallelism = c->max_drain_parallelism;
    o->skip_nodes_with_system_pods = c->skip_nodes_with_system_pods;
    o->skip_nodes_with_local_storage = c->skip_nodes_with_local_storage;
    o->skip_nodes_with_custom_controller_pods = c->skip_nodes_with_custom_controller_pods;
    o->min_replica_count = c->min_replica_count;
    o->ignore_daemonsets_utilization = c->ignore_daemonsets_utilization;
    o->ignore_mirror_pods_utilization = c->ignore_mirror_pods_utilization;

    /* --ignore-taint is the old name of --startup-taint; both mean "a taint
     * a node sheds once it is ready", so they share one list. */
    size_t n = c->startup_taint.n + c->ignore_taint.n;
    po->taints = hs_calloc(n ? n : 1, sizeof(*po->taints));
    for (size_t i = 0; i < c->startup_taint.n; i++)
        po->taints[i] = c->startup_taint.v[i];
    for (size_t i = 0; i < c->ignore_taint.n; i++)
        po->taints[c->startup_taint.n + i] = c->ignore_taint.v[i];
    o->startup_taints = po->taints;
    o->n_startup_taints = n;
    o->status_taints = (const char *const *)c->status_taint.v;
    o->n_status_taints = c->status_taint.n;
    o->aws_use_static_instance_list = c->aws_use_static_instance_list;
}

void cli_planner_options_release(struct cli_planner_options *po)
{
    hs_free(po->taints);
    hs_free(po->nodes);
    hs_free(po->tags);
    memset(po, 0, sizeof(*po));
}
