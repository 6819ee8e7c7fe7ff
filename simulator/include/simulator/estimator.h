/*
 * The bin-packing estimator: how many new nodes of one node group, built
 * from the group's template, the pending pods need, and which pod lands on
 * which new node. First-fit decreasing in cluster-autoscaler's order:
 * equivalence classes sorted by cpu/alloc_cpu + mem/alloc_mem of the
 * template (descending); each pod tried first on the new nodes already
 * opened, then on a fresh node; a class stops when a fresh node would stay
 * empty; no more than max_nodes nodes are opened.
 *
 * The estimator works in a fork of the snapshot and reverts it before
 * returning: it never leaves a change behind and never allocates per pod in
 * the steady state.
 */
#ifndef HOIST_SIMULATOR_ESTIMATOR_H
#define HOIST_SIMULATOR_ESTIMATOR_H

#include <stddef.h>
#include <stdint.h>

#include "simulator/snapshot.h"

struct sim_estimate_input {
    const struct model_node *tmpl;   /* borrowed: the group's template node */
    const struct sim_pod *const *ds; /* borrowed: DaemonSet pods of each new node */
    size_t n_ds;
    const struct sim_pod *const *pods; /* borrowed: the pending pods */
    size_t n_pods;
    uint32_t max_nodes; /* --max-nodes-per-scaleup; 0 = no cap */
};

struct sim_estimate {
    uint32_t nodes;     /* new nodes that received at least one pending pod */
    uint32_t scheduled; /* pending pods placed */
    /* Caller-owned array of n_pods entries (may be NULL): for pods[i], the
     * index (0-based, in opening order) of the new node it lands on, or -1. */
    int32_t *placement;
};

/* Runs the estimator on s (borrowed; reverted before return). in and out are
 * borrowed; out->placement, when not NULL, must hold in->n_pods entries.
 * The pods bucketed by class, and their order for each template shape, are
 * kept in s for the next call with the same in->pods contents (the groups
 * of one scale-up share them); prepared pods must not change, as
 * sim_pod_prepare already requires. */
void sim_estimate(struct sim_snapshot *s, const struct sim_estimate_input *in,
                  struct sim_estimate *out);

/* The ordering score cluster-autoscaler gives a pod for tmpl (borrowed):
 * cpu / allocatable cpu + memory / allocatable memory. */
double sim_estimate_score(const struct model_pod *p, const struct model_node *tmpl);

#endif
