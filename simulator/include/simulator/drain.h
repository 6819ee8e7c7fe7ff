/*
 * Drain simulation: can every pod of a node move to the remaining nodes?
 * cluster-autoscaler's drainability rules decide which pods must move, may be
 * ignored, or block the node (with its reason names); the filters decide
 * where the movable ones go. A pass over several nodes spends PodDisruption-
 * Budgets as it goes and never moves pods onto nodes already removed.
 *
 * The drainer borrows the snapshot and changes it only through fork/commit/
 * revert: a node that can be drained stays drained (pods moved, node marked
 * removed), a node that cannot leaves no trace. No I/O, no clock: the time is
 * an option.
 */
#ifndef HOIST_SIMULATOR_DRAIN_H
#define HOIST_SIMULATOR_DRAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simulator/snapshot.h"

/* The flags of ../shared/FLAGS.md that change drainability. */
struct sim_drain_options {
    bool skip_nodes_with_system_pods;            /* default true */
    bool skip_nodes_with_local_storage;          /* default true */
    bool skip_nodes_with_custom_controller_pods; /* default true */
    int32_t min_replica_count;                   /* default 0 */
    int64_t now;                                 /* Unix seconds, for long-terminating pods */
    int64_t grace_seconds; /* grace of pods without terminationGracePeriodSeconds; 0 = 30 */
};

/* Defaults of cluster-autoscaler's flags. */
void sim_drain_options_init(struct sim_drain_options *o);

/* A controller the drain rules look up (ReplicaSet, StatefulSet, Job,
 * ReplicationController, DaemonSet), which the model does not carry; the
 * caller fills a table from its caches. Strings: kind and ns interned, name
 * plain. */
struct sim_controller {
    const char *kind;
    const char *ns;
    const char *name;
    bool has_replicas;
    int32_t replicas; /* spec.replicas */
};

/* Everything borrowed; must outlive the drainer. controllers NULL means "no
 * listers": the controller-lookup rule is skipped, as cluster-autoscaler
 * does without listers. */
struct sim_drain_env {
    const struct sim_controller *controllers;
    size_t n_controllers;
    struct model_pdb *const *pdbs;
    size_t n_pdbs;
};

/* cluster-autoscaler's reason names (drain.BlockingPodReason and
 * NoPlaceToMovePods). */
enum sim_drain_reason {
    SIM_DRAIN_OK = 0,
    SIM_DRAIN_CONTROLLER_NOT_FOUND, /* ControllerNotFound */
    SIM_DRAIN_MIN_REPLICAS,         /* MinReplicasReached */
    SIM_DRAIN_NOT_REPLICATED,       /* NotReplicated */
    SIM_DRAIN_LOCAL_STORAGE,        /* LocalStorageRequested */
    SIM_DRAIN_NOT_SAFE_TO_EVICT,    /* NotSafeToEvictAnnotation */
    SIM_DRAIN_KUBE_SYSTEM,          /* UnmovableKubeSystemPod */
    SIM_DRAIN_NOT_ENOUGH_PDB,       /* NotEnoughPdb */
    SIM_DRAIN_NO_PLACE,             /* NoPlaceToMovePods */
    SIM_DRAIN_NODE_REMOVED,         /* the node is already removed */
};

/* Static name ("NotReplicated"). */
const char *sim_drain_reason_name(enum sim_drain_reason r);

struct sim_drainer; /* opaque */

/* New drainer over s (borrowed); options and env copied (env arrays stay
 * borrowed). PDB budgets start at each PDB's status.disruptionsAllowed. */
struct sim_drainer *sim_drainer_new(struct sim_snapshot *s, const struct sim_drain_options *o,
                                    const struct sim_drain_env *env);
void sim_drainer_free(struct sim_drainer **d);

struct sim_move {
    int32_t pod_id; /* the pod's id after the move */
    int32_t node;   /* destination node */
};

struct sim_drain_result {
    enum sim_drain_reason reason;
    const struct model_pod *blocking; /* borrowed: the pod that blocked, or NULL */
    size_t n_moves;
    const struct sim_move *moves; /* borrowed from the drainer until its next call */
};

/* Simulates draining node: on success the pods are moved (the change stays
 * in the snapshot), the node is marked removed and the PDB budgets of the
 * moved pods are spent. On failure nothing changes. r: borrowed, filled. */
enum sim_drain_reason sim_drain_node(struct sim_drainer *d, int32_t node,
                                     struct sim_drain_result *r);

/* The drainability verdict for one pod alone (rules only, no placement):
 * SIM_DRAIN_OK with *must_move telling whether it needs a new place. */
enum sim_drain_reason sim_drain_pod_rules(struct sim_drainer *d, const struct model_pod *p,
                                          bool *must_move);

#endif
