/*
 * --balance-similar-node-groups: which groups are the same machine (so a
 * scale-up may be spread over them, typically one group per zone), and how
 * N new nodes are split among them. The similarity rules are
 * cluster-autoscaler's for AWS: equal capacity except memory (within
 * --memory-difference-ratio), allocatable and free resources within
 * --max-allocatable-difference-ratio and --max-free-difference-ratio, and
 * equal labels except an ignore list (its basic list, its AWS list, and
 * --balancing-ignore-label); --balancing-label replaces all of that with
 * "these labels are equal". The split fills the smallest group first and
 * respects every group's max, as BalanceScaleUpBetweenGroups does.
 *
 * Pure: no I/O, no clock, no allocation.
 */
#ifndef HOIST_AUTOSCALER_BALANCE_H
#define HOIST_AUTOSCALER_BALANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

struct asc_similarity {
    const char *const *ignore_labels; /* --balancing-ignore-label, borrowed */
    size_t n_ignore_labels;
    const char *const *labels; /* --balancing-label, borrowed; n 0 = compare resources */
    size_t n_labels;
    double memory_ratio;      /* --memory-difference-ratio (0.015) */
    double allocatable_ratio; /* --max-allocatable-difference-ratio (0.05) */
    double free_ratio;        /* --max-free-difference-ratio (0.05) */
};

/* Fills *s (borrowed) with the flag defaults and no label lists. */
void asc_similarity_default(struct asc_similarity *s);

/* True when label key (borrowed) is never compared under s (borrowed, may be
 * NULL): hostname, zone and
 * region labels (stable and beta), beta.kubernetes.io/fluentd-ds-ready,
 * kops.k8s.io/instancegroup, the AWS ones (alpha.eksctl.io/instance-id,
 * alpha.eksctl.io/nodegroup-name, eks.amazonaws.com/nodegroup,
 * k8s.amazonaws.com/eniConfig, lifecycle, topology.ebs.csi.aws.com/zone),
 * hoist's additions for EKS (topology.k8s.aws/zone-id,
 * eks.amazonaws.com/sourceLaunchTemplateId and -Version, which differ per
 * zone or per managed node group on otherwise identical nodes), and s's
 * ignore list. */
bool asc_label_ignored_for_balance(const struct asc_similarity *s, const char *key);

/* Whether the groups of templates a and b (borrowed) are similar under s
 * (borrowed). a_used and b_used (borrowed, may be NULL = nothing) are what
 * already runs on a fresh node of each (DaemonSet overhead): free = the
 * allocatable minus that. A resource absent from a node counts as 0 (so a
 * template that says "nvidia.com/gpu: 0" matches a node without the key;
 * cluster-autoscaler would not). Tolerances compare |x - y| <= max(x, y) *
 * ratio on milli-values. */
bool asc_nodes_similar(const struct model_node *a, const struct model_resources *a_used,
                       const struct model_node *b, const struct model_resources *b_used,
                       const struct asc_similarity *s);

/* One group taking part in a balanced scale-up. */
struct asc_balance_slot {
    int32_t current;  /* target size now */
    int32_t max;      /* max size */
    int32_t new_size; /* out: target size after the split (current when untouched) */
};

/* Spreads new_nodes over slots[0..n) (borrowed): each node goes to the
 * group with the smallest new size that is below its max, ties to the
 * earliest slot (cluster-autoscaler's sort is not stable; hoist's caller
 * puts the expander's choice first, so it gets the odd node). Groups at or
 * above max take nothing. Returns the nodes placed: min(new_nodes, room
 * left). */
int32_t asc_balance_split(struct asc_balance_slot *slots, size_t n, int32_t new_nodes);

#endif
