/*
 * kube-scheduler's filter plugins over a snapshot, with their semantics and
 * their exact reason strings: NodeUnschedulable, NodeName, TaintToleration,
 * NodeAffinity (nodeSelector and required node affinity), NodePorts,
 * NodeResourcesFit, VolumeBinding (bound PV node affinity), VolumeZone,
 * PodTopologySpread (DoNotSchedule constraints) and InterPodAffinity.
 * Filters run in the scheduler's default profile order and the first one that
 * rejects gives the verdict, as in the scheduler's framework.
 *
 * Filters only read the snapshot (their caches live in it and follow its
 * fork/revert); they never bind a pod, never allocate per call in the steady
 * state and never do I/O.
 */
#ifndef HOIST_SIMULATOR_FILTER_H
#define HOIST_SIMULATOR_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "simulator/snapshot.h"

/* Which filter rejected, in the scheduler's order. */
enum sim_reason {
    SIM_OK = 0,
    SIM_R_NODE_UNSCHEDULABLE,   /* node(s) were unschedulable */
    SIM_R_NODE_NAME,            /* node(s) didn't match the requested node name */
    SIM_R_TAINT,                /* node(s) had untolerated taint {key: value} */
    SIM_R_NODE_AFFINITY,        /* node(s) didn't match Pod's node affinity/selector */
    SIM_R_PORTS,                /* node(s) didn't have free ports for the requested pod ports */
    SIM_R_RESOURCES,            /* Too many pods, Insufficient <resource>... */
    SIM_R_VOLUME_NODE_AFFINITY, /* node(s) had volume node affinity conflict */
    SIM_R_VOLUME_ZONE,          /* node(s) had no available volume zone */
    SIM_R_SPREAD,               /* node(s) didn't match pod topology spread constraints */
    SIM_R_SPREAD_MISSING_LABEL, /* ... (missing required label) */
    SIM_R_AFFINITY,             /* node(s) didn't match pod affinity rules */
    SIM_R_ANTI_AFFINITY,        /* node(s) didn't match pod anti-affinity rules */
    SIM_R_EXISTING_ANTI,        /* node(s) didn't satisfy existing pods anti-affinity rules */
    SIM_R_NODE_REMOVED,         /* the node is marked removed in the simulation */
};

/* Bits of sim_verdict.resources, in the order NodeResourcesFit reports. */
#define SIM_RES_PODS      (1u << 0)
#define SIM_RES_CPU       (1u << 1)
#define SIM_RES_MEMORY    (1u << 2)
#define SIM_RES_EPHEMERAL (1u << 3)

/* A filter's answer for one pod on one node. Pointers are borrowed from the
 * pod and the node and valid as long as they are. */
struct sim_verdict {
    enum sim_reason reason;
    uint32_t resources;                /* SIM_RES_* bits (SIM_R_RESOURCES) */
    uint64_t scalars;                  /* bit i: pod's requests.scalar[i] is insufficient */
    const struct model_resources *req; /* the pod's requests (SIM_R_RESOURCES) */
    const struct model_taint *taint;   /* the untolerated taint (SIM_R_TAINT) */
};

/* Runs every filter for prepared pod p (borrowed) on node, in the scheduler's
 * order; fills *v (borrowed, may be NULL) and returns the reason (SIM_OK when
 * the pod fits). A pod's spec.nodeName is honoured unless ignore_node_name
 * (the drain simulation moves bound pods). */
enum sim_reason sim_filter(struct sim_snapshot *s, const struct sim_pod *p, int32_t node,
                           bool ignore_node_name, struct sim_verdict *v);

/* NodeResourcesFit alone for p (borrowed) on node: SIM_OK, or SIM_R_RESOURCES
 * with *v (borrowed, may be NULL) filled as sim_filter fills it. */
enum sim_reason sim_filter_resources(struct sim_snapshot *s, const struct sim_pod *p, int32_t node,
                                     struct sim_verdict *v);

/* The first node in [from, to) (to < 0: every node) that is not removed and
 * where p fits, or -1. Uses the equivalence class's per-node memory, so that
 * pods of one class do not re-evaluate nodes that rejected the class for a
 * node-local reason (resources, ports, taints, affinity, volumes). */
int32_t sim_find_fit(struct sim_snapshot *s, const struct sim_pod *p, int32_t from, int32_t to,
                     bool ignore_node_name);

/* Appends to out (borrowed) the scheduler's message for v: "Insufficient cpu",
 * "Too many pods, Insufficient memory", "node(s) had untolerated taint
 * {dedicated: gpu}", ... Several resource reasons are joined with ", ". */
void sim_verdict_format(const struct sim_verdict *v, struct hs_buf *out);

/* Static text of a non-resource, non-taint reason ("" for SIM_OK). */
const char *sim_reason_string(enum sim_reason r);

#endif
