/*
 * Every write the autoscaler makes to Kubernetes, each an asynchronous
 * operation on a kube_client that ends in one callback:
 *   - node taints added or removed and cordon (spec.unschedulable), with
 *     optimistic concurrency: GET, change, PUT with the resourceVersion read,
 *     and on 409 Conflict read again and retry (a few times);
 *   - eviction through the policy/v1 Eviction subresource with a grace
 *     period: 429 means a PodDisruptionBudget blocks it now (HS_ETHROTTLED;
 *     the caller retries later), 404 means the pod is already gone (success);
 *   - Events (core/v1) with cluster-autoscaler's reasons, the same event
 *     suppressed for 5 minutes unless --record-duplicated-events;
 *   - ConfigMap create-or-update (the cluster-autoscaler-status map).
 *
 * Nothing here decides whether to write: --dry-run is the caller's to
 * honour. No write is ever retried past a conflict it cannot resolve, and
 * no callback runs from inside the function that started the operation.
 */
#ifndef HOIST_KUBE_WRITES_H
#define HOIST_KUBE_WRITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "kube/client.h"

/* The end of a write: rc HS_OK or an error; err borrowed, one line such as
 * "PUT nodes/ip-1: 409 Conflict: ..." naming what failed. */
typedef void (*kube_write_fn)(void *ctx, enum hs_code rc, const struct hs_err *err);

/* ---- nodes ------------------------------------------------------------ */

struct kube_taint_spec {
    const char *key;    /* borrowed */
    const char *value;  /* borrowed; NULL or "" for none */
    const char *effect; /* NoSchedule, PreferNoSchedule or NoExecute */
};

/* Adds t to node's spec.taints unless a taint with its key and effect is
 * there already (then nothing is written and the result is HS_OK). All
 * strings borrowed (copied). Returns HS_EINVAL (no callback) for bad
 * arguments. */
enum hs_code kube_node_add_taint(struct kube_client *c, const char *node,
                                 const struct kube_taint_spec *t, kube_write_fn fn, void *ctx,
                                 struct hs_err *err);
/* Removes every taint with key (and effect, when not NULL) from node; no
 * such taint is success without a write. */
enum hs_code kube_node_remove_taint(struct kube_client *c, const char *node, const char *key,
                                    const char *effect, kube_write_fn fn, void *ctx,
                                    struct hs_err *err);
/* Sets spec.unschedulable (cordon true, uncordon false). */
enum hs_code kube_node_cordon(struct kube_client *c, const char *node, bool unschedulable,
                              kube_write_fn fn, void *ctx, struct hs_err *err);

/* Conflicts retried per node write before giving up with HS_ECONFLICT. */
#define KUBE_WRITE_CONFLICT_RETRIES 5

/* ---- eviction ---------------------------------------------------------- */

/* Evicts ns/name with deleteOptions.gracePeriodSeconds = grace_s (negative:
 * the pod's own). rc: HS_OK when evicted or already gone (404),
 * HS_ETHROTTLED when a PodDisruptionBudget forbids it now, else an error. */
enum hs_code kube_pod_evict(struct kube_client *c, const char *ns, const char *name,
                            int64_t grace_s, kube_write_fn fn, void *ctx, struct hs_err *err);

/* ---- ConfigMap ------------------------------------------------------------ */

struct kube_kv {
    const char *key;   /* borrowed */
    const char *value; /* borrowed */
};

/* Creates ns/name with data, or replaces the data of the existing map
 * (annotations are merged in; other fields kept), with the resourceVersion
 * precondition and conflict retries. Everything borrowed (copied). */
enum hs_code kube_configmap_put(struct kube_client *c, const char *ns, const char *name,
                                const struct kube_kv *data, size_t n_data,
                                const struct kube_kv *annotations, size_t n_annotations,
                                kube_write_fn fn, void *ctx, struct hs_err *err);

/* ---- events ------------------------------------------------------------------ */

/* cluster-autoscaler's event reasons. */
#define KUBE_REASON_TRIGGERED_SCALE_UP       "TriggeredScaleUp"
#define KUBE_REASON_NOT_TRIGGER_SCALE_UP     "NotTriggerScaleUp"
#define KUBE_REASON_SCALED_UP_GROUP          "ScaledUpGroup"
#define KUBE_REASON_FAILED_TO_SCALE_UP_GROUP "FailedToScaleUpGroup"
#define KUBE_REASON_SCALE_UP_TIMED_OUT       "ScaleUpTimedOut"
#define KUBE_REASON_SCALE_DOWN               "ScaleDown"
#define KUBE_REASON_SCALE_DOWN_EMPTY         "ScaleDownEmpty"
#define KUBE_REASON_SCALE_DOWN_FAILED        "ScaleDownFailed"
#define KUBE_REASON_DELETE_UNREGISTERED      "DeleteUnregistered"
#define KUBE_REASON_DELETE_UNREGISTERED_FAIL "DeleteUnregisteredFailed"

struct kube_recorder;

struct kube_recorder_options {
    const char *component;   /* source.component; NULL: "cluster-autoscaler" */
    const char *host;        /* source.host / reportingInstance; may be NULL */
    bool record_duplicated;  /* --record-duplicated-events */
    int64_t dedup_window_ns; /* 0: 5 min */
    struct hs_clock *clock;  /* borrowed; NULL: the client's */
};

/* The object an event is about; strings borrowed. ns NULL for
 * cluster-scoped objects (their events go to "default"). */
struct kube_event_ref {
    const char *kind;        /* "Node", "Pod", "ConfigMap" */
    const char *api_version; /* NULL: "v1" */
    const char *ns;
    const char *name;
    const char *uid; /* may be NULL */
};

/* Makes a recorder posting through c (borrowed, must outlive it); opts
 * borrowed (copied), may be NULL. */
enum hs_code kube_recorder_new(struct kube_client *c, const struct kube_recorder_options *opts,
                               struct kube_recorder **out, struct hs_err *err);
/* Cancels posts in flight; clears *r; accepts NULL. */
void kube_recorder_free(struct kube_recorder **r);

/* Posts an event (type Warning when warning, else Normal) about obj,
 * asynchronously; a failure is logged, never returned. Returns HS_OK when
 * posted, HS_EEXIST when the same (object, type, reason, message) was
 * posted within the dedup window and duplicates are not recorded. */
enum hs_code kube_event_record(struct kube_recorder *r, const struct kube_event_ref *obj,
                               bool warning, const char *reason, const char *fmt, ...)
    HS_PRINTF(5, 6);
/* Posts in flight, and posts that failed so far. */
size_t kube_recorder_in_flight(const struct kube_recorder *r);
uint64_t kube_recorder_failures(const struct kube_recorder *r);

#endif
