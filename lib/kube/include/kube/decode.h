/*
 * Decoding the JSON that the API server and `kubectl get ... -o json` print
 * into lib/model structs: a List (kind List, PodList, NodeList, ...) of mixed
 * kinds, or a single object. Lists are decoded item by item, so memory is
 * what the model needs, not a JSON tree of the whole file (nor, for
 * kube_decode_file, the file itself). Kinds other than Node, Pod,
 * PodDisruptionBudget, DaemonSet, PersistentVolumeClaim, PersistentVolume,
 * StorageClass, Namespace, ReplicaSet, StatefulSet, ReplicationController,
 * Deployment and Job are skipped; unknown fields are ignored.
 *
 * A wrong JSON type, an invalid quantity or time, or broken JSON is an error
 * whose message names the JSON path ("cannot parse quantity '12Qi' at
 * items[12].spec.containers[0].resources.requests.cpu: ...") and, for a
 * file, starts with the file name. Never does network I/O, never exits;
 * no JSON library type appears here.
 *
 * Limits without requests: the API server copies a container's limits into
 * missing requests when it admits a Pod, so live pods already carry them;
 * pod templates (DaemonSet) are not defaulted that way, so the decoder applies
 * the same rule to every pod it decodes (a no-op for admitted pods).
 */
#ifndef HOIST_KUBE_DECODE_H
#define HOIST_KUBE_DECODE_H

#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/intern.h"
#include "model/model.h"

enum kube_kind {
    KUBE_KIND_OTHER = 0, /* a kind hoist does not model: skipped */
    KUBE_KIND_NODE,
    KUBE_KIND_POD,
    KUBE_KIND_PDB,
    KUBE_KIND_DAEMONSET,
    KUBE_KIND_PVC,
    KUBE_KIND_PV,
    KUBE_KIND_STORAGE_CLASS,
    KUBE_KIND_NAMESPACE,
    KUBE_KIND_REPLICA_SET, /* u.workload, kind MODEL_WORKLOAD_REPLICA_SET */
    KUBE_KIND_STATEFUL_SET,
    KUBE_KIND_REPLICATION_CONTROLLER,
    KUBE_KIND_DEPLOYMENT,
    KUBE_KIND_JOB,
};

/* One decoded object; the member named by kind is set. */
struct kube_object {
    enum kube_kind kind;
    union {
        struct model_node *node;
        struct model_pod *pod;
        struct model_pdb *pdb;
        struct model_daemonset *daemonset;
        struct model_pvc *pvc;
        struct model_pv *pv;
        struct model_storage_class *storage_class;
        struct model_namespace *ns;
        struct model_workload *workload; /* the four replicated controllers */
        struct model_job *job;
    } u;
};

/* Decodes one object from buf[0..len) (borrowed), e.g. a watch event's
 * "object". kind_hint (borrowed, may be NULL) names the kind when the JSON
 * has no "kind" (items of a typed list). The object and its arrays come from
 * a (borrowed); its strings are interned in t (borrowed) and are released
 * with model_<kind>_unref_strings. On error nothing is allocated that holds
 * a reference, and out->kind is KUBE_KIND_OTHER. */
/* Drops the interned-string references of o (borrowed) from t (borrowed):
 * the model_<kind>_unref_strings of its kind. Its arena memory stays with
 * whoever owns the arena. A KUBE_KIND_OTHER object is left alone. */
void kube_object_unref_strings(struct kube_object *o, struct hs_intern *t);

enum hs_code kube_decode_object(const char *buf, size_t len, const char *kind_hint,
                                struct hs_intern *t, struct hs_arena *a, struct kube_object *out,
                                struct hs_err *err);

/* Decodes a List or a single object in buf[0..len) (borrowed) into c
 * (borrowed): objects are appended. name (borrowed, may be NULL) prefixes
 * error messages. On error, c keeps the objects decoded before the bad one. */
enum hs_code kube_decode_buffer(struct model_cluster *c, const char *buf, size_t len,
                                const char *name, struct hs_err *err);

/* As kube_decode_buffer for the file at path (borrowed), which is mapped,
 * not read into the heap; pages already decoded are released as decoding
 * goes, so the file does not stay resident. */
enum hs_code kube_decode_file(struct model_cluster *c, const char *path, struct hs_err *err);

#endif
