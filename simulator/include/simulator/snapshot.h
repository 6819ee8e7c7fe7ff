/*
 * The cluster snapshot the scheduling simulator works on: nodes, the pods on
 * them, what they request, the host ports they hold, and the per-topology
 * counts that inter-pod affinity and topology spread need. Changes can be
 * made inside fork()/revert() brackets whose cost is proportional to the
 * changes (an undo journal), never to the size of the cluster.
 *
 * The snapshot never owns model objects: nodes and pods are borrowed and must
 * outlive it. It never does I/O, never reads a clock and never frees a model
 * object. Everything it allocates is released by sim_snapshot_free().
 *
 * Pods enter the simulator "prepared" (sim_pod_prepare): a prepared pod
 * carries its equivalence class, so that pods with the same controller owner
 * and the same scheduling-relevant spec share every precomputed fact and every
 * per-node verdict.
 */
#ifndef HOIST_SIMULATOR_SNAPSHOT_H
#define HOIST_SIMULATOR_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/intern.h"
#include "model/model.h"

/* What the simulator needs that the model does not carry, filled by the
 * caller. Every pointer is borrowed and must outlive the snapshot. */
struct sim_env {
    /* Labels of namespace ns (interned), for namespaceSelector in pod
     * affinity terms. NULL function, or a NULL result, means no labels. */
    const struct model_labels *(*ns_labels)(void *ctx, const char *ns);
    void *ns_ctx;
    /* PersistentVolumeClaims and PersistentVolumes, for the VolumeBinding
     * (PV node affinity) and VolumeZone (PV zone labels) filters. A claim
     * that is absent, unbound, or bound to an absent PV does not constrain. */
    struct model_pvc *const *pvcs;
    size_t n_pvcs;
    struct model_pv *const *pvs;
    size_t n_pvs;
};

struct sim_snapshot; /* opaque */

/* A pod as the simulator sees it. Borrowed from the snapshot that prepared it
 * and valid until sim_snapshot_free(). */
struct sim_pod {
    const struct model_pod *pod; /* borrowed */
    struct sim__class *cls;      /* equivalence class (internal) */
};

/* New empty snapshot (new; free with sim_snapshot_free). t: borrowed, the
 * table every model string was interned in; it must outlive the snapshot.
 * env: copied (its arrays stay borrowed); NULL means an empty env. */
struct sim_snapshot *sim_snapshot_new(struct hs_intern *t, const struct sim_env *env);
/* Frees everything the snapshot allocated (prepared pods included) and clears
 * *s. Accepts NULL. */
void sim_snapshot_free(struct sim_snapshot **s);

/* Adds every node of c, then every pod of c bound (spec.nodeName) to a node
 * of c. Terminal pods (Succeeded, Failed) are skipped, as the scheduler's
 * cache and cluster-autoscaler skip them; pods bound to an unknown node are
 * ignored. c: borrowed, must outlive the snapshot. Returns HS_EINVAL (with a
 * message naming the node) for a node name that appears twice. */
enum hs_code sim_snapshot_build(struct sim_snapshot *s, const struct model_cluster *c,
                                struct hs_err *err);

/* Adds node n (borrowed) and returns its index (indices are dense, in order
 * of addition). Returns -1 when a node of that name is present. */
int32_t sim_snapshot_add_node(struct sim_snapshot *s, const struct model_node *n);
/* Adds a node made from template tmpl (borrowed): a copy named name
 * (borrowed, interned in the snapshot's table by the caller and kept alive
 * while the node exists); its kubernetes.io/hostname label, when the template
 * has one or add_hostname is set, becomes name too. Returns its index, or -1
 * when the name is taken. */
int32_t sim_snapshot_add_template_node(struct sim_snapshot *s, const struct model_node *tmpl,
                                       const char *name, bool add_hostname);
/* Marks node i removed: it is no candidate for any pod any more, and it and
 * its pods leave every topology count (as if deleted from the cluster). */
void sim_snapshot_mark_removed(struct sim_snapshot *s, int32_t node);
bool sim_snapshot_node_removed(const struct sim_snapshot *s, int32_t node);

/* Number of nodes (removed ones included) and node i (borrowed). */
size_t sim_snapshot_n_nodes(const struct sim_snapshot *s);
const struct model_node *sim_snapshot_node(const struct sim_snapshot *s, int32_t node);
/* Index of the node named name (interned), or -1. */
int32_t sim_snapshot_find_node(const struct sim_snapshot *s, const char *name);

/* Prepares pod p (borrowed, must outlive the snapshot) for the simulator:
 * finds or makes its equivalence class. Returns a borrowed handle valid until
 * the snapshot is freed. Prepare each pod once and keep the handle. */
const struct sim_pod *sim_pod_prepare(struct sim_snapshot *s, const struct model_pod *p);
/* Index of p's equivalence class (dense, from 0). */
uint32_t sim_pod_class(const struct sim_pod *p);
/* Number of equivalence classes made so far. */
size_t sim_snapshot_n_classes(const struct sim_snapshot *s);

/* Binds prepared pod p (borrowed) to node and returns the pod's id in the
 * snapshot (ids are dense, in order of addition). No filter is run. */
int32_t sim_snapshot_add_pod(struct sim_snapshot *s, const struct sim_pod *p, int32_t node);
/* Removes pod id from its node. */
void sim_snapshot_remove_pod(struct sim_snapshot *s, int32_t pod_id);
/* The pods bound to node (ids, borrowed until the next change). */
size_t sim_snapshot_node_pods(const struct sim_snapshot *s, int32_t node, const int32_t **ids);
/* Pod id's prepared pod (borrowed) and node (-1 after removal). */
const struct sim_pod *sim_snapshot_pod(const struct sim_snapshot *s, int32_t pod_id);
int32_t sim_snapshot_pod_node(const struct sim_snapshot *s, int32_t pod_id);

/* Requested sums of node (what its pods request). */
struct sim_node_usage {
    int64_t cpu_milli, memory, ephemeral_storage;
    int64_t pods;
};
void sim_snapshot_node_usage(const struct sim_snapshot *s, int32_t node, struct sim_node_usage *u);
/* Requested amount of scalar resource name (interned) on node. */
int64_t sim_snapshot_node_scalar(const struct sim_snapshot *s, int32_t node, const char *name);

/* Fork/commit/revert. fork() opens a bracket; revert() undoes every change
 * made since the matching fork() (nodes, pods, marks), in time proportional
 * to those changes; commit() keeps them (they become part of the enclosing
 * bracket, if any). Brackets nest. */
void sim_snapshot_fork(struct sim_snapshot *s);
void sim_snapshot_commit(struct sim_snapshot *s);
void sim_snapshot_revert(struct sim_snapshot *s);
/* Current nesting depth (0 = no open bracket). */
unsigned sim_snapshot_depth(const struct sim_snapshot *s);

/* The intern table the snapshot was made with (borrowed). */
struct hs_intern *sim_snapshot_intern(const struct sim_snapshot *s);

#endif
