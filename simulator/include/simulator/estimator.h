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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simulator/snapshot.h"

/* What a run has done so far (see sim_estimate_input.stop): the finished
 * answer has at least `nodes` nodes and at most `scheduled + rest_pods`
 * pods, whose summed requests are at most `placed_* + rest_*`. */
struct sim_estimate_progress {
    uint32_t nodes;                          /* new nodes holding a pending pod so far */
    uint32_t scheduled;                      /* pending pods placed so far */
    int64_t placed_cpu_milli, placed_memory; /* their summed requests */
    uint32_t rest_pods;                      /* pods not tried yet */
    int64_t rest_cpu_milli, rest_memory;     /* their summed requests */
};

struct sim_estimate_input {
    const struct model_node *tmpl;   /* borrowed: the group's template node */
    const struct sim_pod *const *ds; /* borrowed: DaemonSet pods of each new node */
    size_t n_ds;
    const struct sim_pod *const *pods; /* borrowed: the pending pods */
    size_t n_pods;
    uint32_t max_nodes; /* --max-nodes-per-scaleup; 0 = no cap */
    /* Optional: asked before the first class, after each class and before
     * each new node is opened,
     * with the run's progress; returning true abandons the run
     * (out->stopped), for a caller that has proven from the bounds above
     * that the finished answer is of no use to it. */
    bool (*stop)(void *ctx, const struct sim_estimate_progress *p);
    void *stop_ctx;
};

struct sim_estimate {
    uint32_t nodes;     /* new nodes that received at least one pending pod */
    uint32_t scheduled; /* pending pods placed */
    bool stopped;       /* abandoned when in->stop said so: nodes, scheduled
                         * and placement are partial */
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

/* Template nodes that every filter but NodeResourcesFit answers alike, for
 * callers that check many templates against the same pods: two templates
 * equal but for their resources and the values of label keys that no pod
 * selects nodes by and whose domains every counter the pods' filters read
 * counts alike (the twin condition of sim_estimate, resources aside). A
 * node made from either, added alone to the snapshot with the same
 * DaemonSet pods, gets from every filter but NodeResourcesFit the same
 * verdict for each of the pods. Made for s (borrowed) as it is now and the
 * prepared pods[0..n) (borrowed; one per class is enough); valid while the
 * snapshot has the contents it had then (forks reverted). */
struct sim_twins;
struct sim_twins *sim_twins_new(struct sim_snapshot *s, const struct sim_pod *const *pods,
                                size_t n);
bool sim_twins_alike(struct sim_twins *t, const struct model_node *a, const struct model_node *b);
void sim_twins_free(struct sim_twins **t); /* accepts NULL, clears *t */

/* The ordering score cluster-autoscaler gives a pod for tmpl (borrowed):
 * cpu / allocatable cpu + memory / allocatable memory. */
double sim_estimate_score(const struct model_pod *p, const struct model_node *tmpl);

#endif
