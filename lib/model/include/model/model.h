/*
 * The cluster as compact C structs: Node, Pod, PodDisruptionBudget (policy/v1),
 * DaemonSet (apps/v1), PersistentVolumeClaim and PersistentVolume, and what
 * the scheduler's and the drain rules' questions need of StorageClass,
 * Namespace, ReplicaSet, StatefulSet, ReplicationController, Deployment and
 * Job (appended at the end of this header), shaped for
 * a scheduler simulator that runs 150,000 pods against 5,000 nodes. Pure
 * data and pure functions: no I/O, no JSON types, no clock.
 *
 * Strings. Label keys and values, annotation pairs, namespaces, node names,
 * taint and toleration keys/values, topology keys, resource names and owner
 * kinds are interned in a caller's struct hs_intern: compare them with ==.
 * Other strings (object names, UIDs, providerID) are plain copies. An absent
 * optional string is NULL; a present empty one is the interned "".
 *
 * Ownership. Every array and plain string of an object is allocated from an
 * hs_arena chosen by whoever builds the object (the decoder takes one); the
 * object never frees memory itself. Interned strings hold one reference each,
 * dropped by model_<kind>_unref_strings(); after that the arena may be
 * cleared. struct model_cluster bundles an arena with the objects decoded
 * from files and does both in model_cluster_free().
 *
 * Times are Unix seconds; 0 means absent.
 */
#ifndef HOIST_MODEL_MODEL_H
#define HOIST_MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/intern.h"

/* ---- labels and selectors ---------------------------------------------- */

struct model_label {
    const char *key;   /* interned */
    const char *value; /* interned */
};

/* A small set of pairs sorted by key (strcmp), keys unique. */
struct model_labels {
    struct model_label *v; /* arena */
    uint32_t n;
};

/* The value of key (interned) in l, or NULL when absent. O(n) pointer scan. */
const char *model_labels_get(const struct model_labels *l, const char *key);

enum model_op {
    MODEL_OP_IN,
    MODEL_OP_NOT_IN,
    MODEL_OP_EXISTS,
    MODEL_OP_DOES_NOT_EXIST,
    MODEL_OP_GT, /* node affinity only; num holds the parsed value */
    MODEL_OP_LT,
    MODEL_OP_INVALID, /* an operator or Gt/Lt value the API would reject: never matches */
};

struct model_requirement {
    const char *key; /* interned */
    enum model_op op;
    uint32_t n_values;
    const char **values; /* interned, arena array */
    int64_t num;         /* Gt/Lt: values[0] as an integer */
};

/* metav1.LabelSelector: matchLabels become In requirements with one value.
 * !present (a null selector) matches nothing; present with no requirement
 * (the empty selector {}) matches everything. */
struct model_label_selector {
    bool present;
    uint32_t n;
    struct model_requirement *req; /* arena */
};

/* Whether labels satisfy every requirement of sel (In/NotIn/Exists/
 * DoesNotExist; Gt/Lt compare the label value parsed as an integer, and a
 * value that does not parse fails the requirement). */
bool model_selector_matches(const struct model_label_selector *sel,
                            const struct model_labels *labels);
/* One requirement against labels (same rules). */
bool model_requirement_matches(const struct model_requirement *r,
                               const struct model_labels *labels);

/* ---- resources ----------------------------------------------------------- */

struct model_scalar {
    const char *name; /* interned resource name ("nvidia.com/gpu", "hugepages-2Mi") */
    int64_t value;    /* Quantity.Value() */
};

/* Fixed point, as the scheduler counts: cpu in MilliValue, the rest in
 * Value(). Every other resource (extended, hugepages, attachable volumes) is
 * a scalar, kept sorted by name (strcmp). */
struct model_resources {
    int64_t cpu_milli;
    int64_t memory;            /* bytes */
    int64_t ephemeral_storage; /* bytes */
    int64_t pods;
    uint32_t n_scalar;
    struct model_scalar *scalar; /* arena */
};

/* Value of scalar resource name (interned), 0 when absent. */
int64_t model_resources_scalar(const struct model_resources *r, const char *name);

/* One container's requests as the pod computation needs them. */
struct model_container_req {
    struct model_resources req;
    bool init;        /* from spec.initContainers */
    bool restartable; /* init container with restartPolicy: Always (a sidecar) */
};

/* A pod's effective request, as resource.PodRequests computes it for the
 * scheduler: max(sum of containers and sidecars, for each init container in
 * order: itself plus the sidecars declared before it [a sidecar counts the
 * running sum of sidecars up to and including itself]), per resource; then
 * pod-level requests (pod_level, may be NULL) replace cpu, memory and
 * hugepages-* when given (has_* flags), then overhead (may be NULL) is added.
 * c: containers in spec order, containers before or after init containers
 * (only the relative order of init containers matters). Arrays in *out come
 * from a (borrowed). */
struct model_pod_level_req {
    bool has_cpu, has_memory;
    int64_t cpu_milli, memory;
    uint32_t n_hugepages;
    struct model_scalar *hugepages;
};
void model_pod_requests(const struct model_container_req *c, size_t n,
                        const struct model_pod_level_req *pod_level,
                        const struct model_resources *overhead, struct hs_arena *a,
                        struct model_resources *out);

/* dst += src (scalar arrays merged, new array from a). */
/* Whether a and b (borrowed) name the same quantities: cpu, memory,
 * ephemeral storage, pods and every extended resource, in the same order
 * (names interned). */
bool model_resources_equal(const struct model_resources *a, const struct model_resources *b);

void model_resources_add(struct model_resources *dst, const struct model_resources *src,
                         struct hs_arena *a);
/* dst = max(dst, src) per resource. */
void model_resources_max(struct model_resources *dst, const struct model_resources *src,
                         struct hs_arena *a);

/* ---- taints, tolerations, affinity, spread ------------------------------ */

enum model_effect {
    MODEL_EFFECT_ALL = 0, /* tolerations only: empty effect matches every effect */
    MODEL_EFFECT_NO_SCHEDULE,
    MODEL_EFFECT_PREFER_NO_SCHEDULE,
    MODEL_EFFECT_NO_EXECUTE,
    MODEL_EFFECT_OTHER, /* a value the scheduler does not know: matches nothing */
};

struct model_taint {
    const char *key;   /* interned */
    const char *value; /* interned, NULL when absent */
    enum model_effect effect;
};

struct model_toleration {
    const char *key;   /* interned, NULL or "" = every key (with Exists) */
    const char *value; /* interned, NULL when absent */
    bool exists;       /* operator Exists; else Equal */
    enum model_effect effect;
    bool has_seconds;
    int64_t seconds; /* tolerationSeconds */
};

struct model_node_selector_term {
    uint32_t n_expr;
    struct model_requirement *expr; /* matchExpressions against labels */
    uint32_t n_fields;
    struct model_requirement *fields; /* matchFields (metadata.name) */
};

struct model_preferred_term {
    int32_t weight;
    struct model_node_selector_term term;
};

struct model_node_affinity {
    bool has_required; /* requiredDuringScheduling...: a nodeSelector was given */
    uint32_t n_required;
    struct model_node_selector_term *required; /* ORed terms */
    uint32_t n_preferred;
    struct model_preferred_term *preferred;
};

struct model_pod_affinity_term {
    struct model_label_selector selector;
    uint32_t n_namespaces;
    const char **namespaces; /* interned */
    struct model_label_selector ns_selector;
    const char *topology_key; /* interned */
    uint32_t n_match_label_keys;
    const char **match_label_keys; /* interned */
    uint32_t n_mismatch_label_keys;
    const char **mismatch_label_keys; /* interned */
    int32_t weight;                   /* preferred terms; 0 for required */
};

struct model_pod_affinity {
    uint32_t n_required;
    struct model_pod_affinity_term *required;
    uint32_t n_preferred;
    struct model_pod_affinity_term *preferred;
};

enum model_policy { MODEL_POLICY_DEFAULT = 0, MODEL_POLICY_HONOR, MODEL_POLICY_IGNORE };

struct model_spread {
    int32_t max_skew;
    const char *topology_key; /* interned */
    bool do_not_schedule;     /* whenUnsatisfiable: DoNotSchedule (else ScheduleAnyway) */
    struct model_label_selector selector;
    int32_t min_domains;                    /* 0 when unset (behaves as 1) */
    enum model_policy node_affinity_policy; /* DEFAULT behaves as Honor */
    enum model_policy node_taints_policy;   /* DEFAULT behaves as Ignore */
    uint32_t n_match_label_keys;
    const char **match_label_keys; /* interned */
};

/* ---- pods ------------------------------------------------------------- */

enum model_protocol { MODEL_PROTO_TCP = 0, MODEL_PROTO_UDP, MODEL_PROTO_SCTP, MODEL_PROTO_OTHER };

struct model_host_port {
    int32_t port; /* hostPort > 0 only: hostPort 0 is not a host port */
    enum model_protocol protocol;
    const char *host_ip; /* interned; NULL when unset (0.0.0.0) */
};

enum model_volume_kind {
    MODEL_VOL_OTHER = 0,
    MODEL_VOL_HOST_PATH,
    MODEL_VOL_EMPTY_DIR,        /* on node disk */
    MODEL_VOL_EMPTY_DIR_MEMORY, /* medium: Memory */
    MODEL_VOL_PVC,              /* persistentVolumeClaim */
    MODEL_VOL_EPHEMERAL,        /* generic ephemeral: claim named <pod>-<volume> */
    MODEL_VOL_CONFIG_MAP,
    MODEL_VOL_SECRET,
    MODEL_VOL_PROJECTED,
    MODEL_VOL_DOWNWARD_API,
};

struct model_volume {
    const char *name; /* arena */
    enum model_volume_kind kind;
    const char *claim_name; /* arena; PVC and EPHEMERAL only */
};

struct model_owner_ref {
    const char *kind; /* interned */
    const char *name; /* arena */
    const char *uid;  /* arena */
    bool controller;
};

enum model_phase {
    MODEL_PHASE_UNKNOWN = 0, /* absent or Unknown */
    MODEL_PHASE_PENDING,
    MODEL_PHASE_RUNNING,
    MODEL_PHASE_SUCCEEDED,
    MODEL_PHASE_FAILED,
};

enum model_cond { MODEL_COND_ABSENT = 0, MODEL_COND_TRUE, MODEL_COND_FALSE, MODEL_COND_UNKNOWN };

struct model_pod {
    const char *ns;   /* interned */
    const char *name; /* arena */
    const char *uid;  /* arena, NULL when absent */
    struct model_labels labels;
    struct model_labels annotations;
    uint32_t n_owners;
    struct model_owner_ref *owners;
    int64_t creation_ts;
    int64_t deletion_ts;
    bool has_grace;        /* spec.terminationGracePeriodSeconds given */
    int64_t grace_seconds; /* its value (the API server defaults it to 30) */

    const char *node_name;      /* interned, NULL when unscheduled */
    const char *scheduler_name; /* interned, NULL = default-scheduler */
    bool has_priority;
    int32_t priority;
    bool scheduling_gated; /* spec.schedulingGates non-empty */
    bool host_network;
    struct model_resources requests; /* effective request, see model_pod_requests */
    struct model_labels node_selector;
    struct model_node_affinity *node_affinity; /* NULL when none */
    struct model_pod_affinity *affinity;       /* NULL when none */
    struct model_pod_affinity *anti_affinity;  /* NULL when none */
    uint32_t n_tolerations;
    struct model_toleration *tolerations;
    uint32_t n_spreads;
    struct model_spread *spreads;
    uint32_t n_host_ports;
    struct model_host_port *host_ports; /* containers and sidecars, spec order */
    uint32_t n_volumes;
    struct model_volume *volumes;

    enum model_phase phase;
    enum model_cond scheduled;    /* condition PodScheduled */
    const char *scheduled_reason; /* interned ("Unschedulable"), NULL when absent */
    /* status.nominatedNodeName: the node the scheduler preempts lower-priority
     * pods on for this pod; interned, NULL when absent or empty */
    const char *nominated_node;
};

/* The controller owner reference (controller: true), or NULL. */
const struct model_owner_ref *model_pod_controller(const struct model_pod *p);

/* ---- nodes ------------------------------------------------------------ */

struct model_node {
    const char *name; /* interned */
    const char *uid;  /* arena */
    struct model_labels labels;
    struct model_labels annotations;
    int64_t creation_ts;
    int64_t deletion_ts;
    const char *provider_id; /* arena ("aws:///us-east-1a/i-0abc"), NULL when absent */
    bool unschedulable;
    uint32_t n_taints;
    struct model_taint *taints;
    struct model_resources allocatable;
    struct model_resources capacity;
    enum model_cond ready;
    int64_t ready_transition; /* lastTransitionTime of Ready */
};

/* ---- policy/v1 PodDisruptionBudget, apps/v1 DaemonSet -------------------- */

struct model_int_or_percent {
    bool set;
    bool percent; /* value is a percentage ("25%") */
    bool invalid; /* a string that is not "<int>%": the API's users reject it */
    int32_t value;
};

struct model_pdb {
    const char *ns;   /* interned */
    const char *name; /* arena */
    const char *uid;  /* arena */
    struct model_label_selector selector;
    struct model_int_or_percent min_available;
    struct model_int_or_percent max_unavailable;
    int32_t disruptions_allowed;
    int32_t current_healthy;
    int32_t desired_healthy;
    int32_t expected_pods;
};

struct model_daemonset {
    const char *ns;   /* interned */
    const char *name; /* arena */
    const char *uid;  /* arena */
    struct model_labels labels;
    struct model_label_selector selector;
    struct model_pod template; /* ns is the DaemonSet's; name "" */
};

/* ---- storage ---------------------------------------------------------- */

enum model_pvc_phase { MODEL_PVC_PENDING = 0, MODEL_PVC_BOUND, MODEL_PVC_LOST };

struct model_pvc {
    const char *ns;            /* interned */
    const char *name;          /* arena */
    const char *volume_name;   /* interned, NULL when unbound */
    const char *storage_class; /* interned, NULL when absent */
    enum model_pvc_phase phase;
};

struct model_pv {
    const char *name; /* interned */
    struct model_labels labels;
    struct model_node_affinity node_affinity; /* required terms only */
    const char *claim_ns;                     /* interned, NULL when unclaimed */
    const char *claim_name;                   /* arena */
    const char *storage_class;
};

/* ---- releasing references --------------------------------------------- */

void model_pod_unref_strings(struct model_pod *p, struct hs_intern *t);
void model_node_unref_strings(struct model_node *n, struct hs_intern *t);
void model_pdb_unref_strings(struct model_pdb *p, struct hs_intern *t);
void model_daemonset_unref_strings(struct model_daemonset *d, struct hs_intern *t);
void model_pvc_unref_strings(struct model_pvc *p, struct hs_intern *t);
void model_pv_unref_strings(struct model_pv *p, struct hs_intern *t);

/* ---- a collection --------------------------------------------------------- */

/* The objects of one or more decoded files. Arrays hold pointers into the
 * arena; the cluster owns both and holds references into intern. */
struct model_cluster {
    struct hs_arena arena;
    struct hs_intern *intern; /* borrowed, must outlive the cluster */
    struct model_node **nodes;
    size_t n_nodes, cap_nodes;
    struct model_pod **pods;
    size_t n_pods, cap_pods;
    struct model_pdb **pdbs;
    size_t n_pdbs, cap_pdbs;
    struct model_daemonset **daemonsets;
    size_t n_daemonsets, cap_daemonsets;
    struct model_pvc **pvcs;
    size_t n_pvcs, cap_pvcs;
    struct model_pv **pvs;
    size_t n_pvs, cap_pvs;
    /* appended; see the end of this header */
    struct model_storage_class **storage_classes;
    size_t n_storage_classes, cap_storage_classes;
    struct model_namespace **namespaces;
    size_t n_namespaces, cap_namespaces;
    struct model_workload **replicasets;
    size_t n_replicasets, cap_replicasets;
    struct model_workload **statefulsets;
    size_t n_statefulsets, cap_statefulsets;
    struct model_workload **replication_controllers;
    size_t n_replication_controllers, cap_replication_controllers;
    struct model_workload **deployments;
    size_t n_deployments, cap_deployments;
    struct model_job **jobs;
    size_t n_jobs, cap_jobs;
};

/* New empty cluster interning into t (borrowed). */
struct model_cluster *model_cluster_new(struct hs_intern *t);
/* Drops every string reference, frees the arena and the cluster; clears *c.
 * Accepts NULL. */
void model_cluster_free(struct model_cluster **c);
/* Appends an object allocated from c->arena (borrowed; the cluster owns it
 * from now on). */
void model_cluster_add_node(struct model_cluster *c, struct model_node *n);
void model_cluster_add_pod(struct model_cluster *c, struct model_pod *p);
void model_cluster_add_pdb(struct model_cluster *c, struct model_pdb *p);
void model_cluster_add_daemonset(struct model_cluster *c, struct model_daemonset *d);
void model_cluster_add_pvc(struct model_cluster *c, struct model_pvc *p);
void model_cluster_add_pv(struct model_cluster *c, struct model_pv *p);

/* ---- appended: storage classes, namespaces, workload controllers ----------
 * What VolumeZone (volumeBindingMode), InterPodAffinity (namespace labels for
 * namespaceSelector) and the drain rules (a pod's controller, its replicas,
 * the ReplicaSet -> Deployment owner chain) ask about. Same string and
 * ownership rules as above. */

enum model_binding_mode {
    MODEL_BINDING_IMMEDIATE = 0,           /* absent or "Immediate" (the API's default) */
    MODEL_BINDING_WAIT_FOR_FIRST_CONSUMER, /* PVCs of this class do not constrain zones */
    MODEL_BINDING_OTHER,                   /* a value the API would reject */
};

/* storage.k8s.io/v1 StorageClass. Compare name with model_pvc.storage_class
 * and model_pv.storage_class by pointer. */
struct model_storage_class {
    const char *name;        /* interned */
    const char *provisioner; /* arena, NULL when absent */
    enum model_binding_mode binding_mode;
};

/* core/v1 Namespace. name is the same interned pointer as model_pod.ns. */
struct model_namespace {
    const char *name; /* interned */
    struct model_labels labels;
};

enum model_workload_kind {
    MODEL_WORKLOAD_REPLICA_SET = 0,        /* apps/v1 */
    MODEL_WORKLOAD_STATEFUL_SET,           /* apps/v1 */
    MODEL_WORKLOAD_REPLICATION_CONTROLLER, /* core/v1 */
    MODEL_WORKLOAD_DEPLOYMENT,             /* apps/v1 */
};

/* A replicated controller: ReplicaSet, StatefulSet, ReplicationController
 * or Deployment. spec.replicas is a pointer in the API (defaulted to 1 when
 * an object is created), so whether it was given is kept; the drain rules
 * only compare a given value. The status counts are 0 when absent (a
 * Deployment's are not decoded). */
struct model_workload {
    enum model_workload_kind kind;
    const char *ns;   /* interned */
    const char *name; /* arena */
    const char *uid;  /* arena, NULL when absent */
    uint32_t n_owners;
    struct model_owner_ref *owners; /* a ReplicaSet's Deployment, ... */
    bool has_replicas;
    int32_t replicas;        /* spec.replicas */
    int32_t status_replicas; /* status.replicas */
    int32_t ready_replicas;  /* status.readyReplicas */
};

/* The controller owner reference (controller: true) of w, or NULL. */
const struct model_owner_ref *model_workload_controller(const struct model_workload *w);

/* batch/v1 Job. parallelism and completions are pointers in the API. */
struct model_job {
    const char *ns;   /* interned */
    const char *name; /* arena */
    const char *uid;  /* arena, NULL when absent */
    uint32_t n_owners;
    struct model_owner_ref *owners; /* a CronJob, ... */
    bool has_parallelism;
    int32_t parallelism;
    bool has_completions;
    int32_t completions;
};

void model_storage_class_unref_strings(struct model_storage_class *s, struct hs_intern *t);
void model_namespace_unref_strings(struct model_namespace *n, struct hs_intern *t);
void model_workload_unref_strings(struct model_workload *w, struct hs_intern *t);
void model_job_unref_strings(struct model_job *j, struct hs_intern *t);

/* The same objects of a cluster, in the order decoded (borrowed from the
 * cluster; appended, so struct model_cluster above keeps its layout). */
void model_cluster_add_storage_class(struct model_cluster *c, struct model_storage_class *s);
void model_cluster_add_namespace(struct model_cluster *c, struct model_namespace *n);
/* Appends w to the array of its kind (replicasets, statefulsets,
 * replication_controllers or deployments). */
void model_cluster_add_workload(struct model_cluster *c, struct model_workload *w);
void model_cluster_add_job(struct model_cluster *c, struct model_job *j);

#endif
