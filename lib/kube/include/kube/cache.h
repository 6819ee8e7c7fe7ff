/*
 * List+watch caches: one struct kube_cache per resource (pods in all
 * namespaces, nodes, PodDisruptionBudgets, DaemonSets, PersistentVolumeClaims,
 * PersistentVolumes, StorageClasses, Namespaces, and the controllers the
 * drain rules ask about: ReplicaSets, StatefulSets, ReplicationControllers,
 * Deployments, Jobs) kept current by a paginated LIST (limit=500, continue)
 * and then a WATCH from the list's resourceVersion with bookmarks and a
 * jittered timeoutSeconds, as client-go's reflector does: 410 Gone (as an
 * HTTP status or an ERROR event) relists, a stream that ends or drops
 * re-watches from the last resourceVersion seen, other errors back off with
 * jitter. Objects are lib/model structs, each in its own small arena so an
 * update or delete gives its memory back; interned strings go to the
 * caller's table and are released on delete. The pod cache also keeps pods
 * by node and the unschedulable pods, updated with every event, and tells
 * the caller when a pod becomes unschedulable.
 *
 * Readers (the controller building a snapshot) use the accessors below
 * between loop turns: the cache changes only from its own callbacks. This
 * file never blocks, never exposes JSON, and never frees an object a
 * callback is looking at before that callback returns.
 */
#ifndef HOIST_KUBE_CACHE_H
#define HOIST_KUBE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/intern.h"
#include "kube/client.h"
#include "kube/decode.h"

struct kube_cache;

/* Lifecycle of a cache. */
enum kube_cache_state {
    KUBE_CACHE_IDLE,     /* made; kube_cache_start not called yet */
    KUBE_CACHE_LISTING,  /* a LIST page is in flight (first page, or one after `continue`) */
    KUBE_CACHE_WATCHING, /* a WATCH stream from the last resourceVersion is open */
    KUBE_CACHE_BACKOFF,  /* a LIST or WATCH failed: waiting a jittered delay to try again */
    KUBE_CACHE_STOPPED,  /* kube_cache_stop ran: nothing in flight; contents kept as they were */
};

const char *kube_cache_state_name(enum kube_cache_state s);

enum kube_cache_change { KUBE_CACHE_ADDED, KUBE_CACHE_MODIFIED, KUBE_CACHE_DELETED };

/* Told after a change is applied. obj (borrowed) is the new object, or for
 * DELETED the old one, which is freed when the callback returns. The
 * callback may read the cache but must not stop or free it. */
typedef void (*kube_cache_change_fn)(void *ctx, struct kube_cache *c, enum kube_cache_change ch,
                                     const struct kube_object *obj);
/* A pod became unschedulable (PodScheduled False with reason
 * Unschedulable, no node, not finished): pod borrowed for the call. */
typedef void (*kube_cache_pod_fn)(void *ctx, struct kube_cache *c, const struct model_pod *pod);

struct kube_cache_options {
    struct hs_intern *intern;           /* borrowed, required; must outlive the cache */
    int page_size;                      /* LIST limit; 0: 500 */
    int64_t watch_timeout_ns;           /* timeoutSeconds is uniform in [this, 2x this); 0: 5 min */
    int64_t backoff_base_ns;            /* 0: 800 ms */
    int64_t backoff_cap_ns;             /* 0: 30 s */
    uint64_t seed;                      /* jitter; 0: from the clock */
    kube_cache_change_fn on_change;     /* may be NULL */
    kube_cache_pod_fn on_unschedulable; /* pods only; may be NULL */
    void *ctx;
};

/* Makes a cache of kind (any kind kube_decode_object decodes) reading
 * through client (borrowed; must outlive the cache). opts borrowed. Returns
 * HS_OK and *out (new), or HS_ENOTSUP for a kind with no resource yet. */
enum hs_code kube_cache_new(struct kube_client *client, enum kube_kind kind,
                            const struct kube_cache_options *opts, struct kube_cache **out,
                            struct hs_err *err);
/* Cancels what is in flight and frees every object; clears *c. Accepts NULL.
 * Not from inside the cache's own callbacks. */
void kube_cache_free(struct kube_cache **c);

/* IDLE: begins listing. STOPPED after a sync: resumes watching from the
 * last resourceVersion (a 410 then relists). Otherwise nothing. */
void kube_cache_start(struct kube_cache *c);
/* Cancels the LIST, WATCH or backoff in flight; the contents stay. */
void kube_cache_stop(struct kube_cache *c);

enum kube_cache_state kube_cache_get_state(const struct kube_cache *c);
/* Whether a complete LIST has been applied since the cache started. */
bool kube_cache_synced(const struct kube_cache *c);
/* The resourceVersion the cache is current to ("" before the first list). */
const char *kube_cache_resource_version(const struct kube_cache *c);
/* The resource's path and kind name ("/api/v1/pods", "Pod"), static. */
const char *kube_cache_path(const struct kube_cache *c);
const char *kube_cache_kind_name(const struct kube_cache *c);

struct kube_cache_stats {
    uint64_t lists;         /* complete LISTs applied */
    uint64_t pages;         /* LIST pages received */
    uint64_t watches;       /* WATCH requests started */
    uint64_t relists_gone;  /* relists caused by 410 Gone */
    uint64_t events;        /* watch events applied (bookmarks excluded) */
    uint64_t bookmarks;     /* BOOKMARK events */
    uint64_t errors;        /* failed LIST/WATCH requests */
    uint64_t decode_errors; /* objects skipped because they did not decode */
    uint64_t decoded_bytes; /* JSON bytes of the objects decoded */
    uint64_t arena_bytes;   /* bytes the live objects' arenas handed out */
};
void kube_cache_get_stats(const struct kube_cache *c, struct kube_cache_stats *out);

/* ---- reading ------------------------------------------------------------ */

/* Number of objects. */
size_t kube_cache_len(const struct kube_cache *c);
/* Iterates: *it starts at 0; each call gives the next object (borrowed
 * until the cache next changes) and its resourceVersion (may be NULL). */
bool kube_cache_next(const struct kube_cache *c, size_t *it, const struct kube_object **obj,
                     uint64_t *rv);
/* The object ns/name (ns NULL or "" for cluster-scoped kinds), or NULL.
 * Borrowed until the cache next changes. */
const struct kube_object *kube_cache_get(const struct kube_cache *c, const char *ns,
                                         const char *name, uint64_t *rv);

/* Pod cache: the pods bound to node (a plain string), *n of them; the array
 * is borrowed until the cache next changes. NULL with *n 0 when none. */
struct model_pod *const *kube_cache_pods_on_node(const struct kube_cache *c, const char *node,
                                                 size_t *n);
/* Pod cache: the unschedulable pods, as above. */
struct model_pod *const *kube_cache_unschedulable(const struct kube_cache *c, size_t *n);

/* Whether p counts as unschedulable for the autoscaler. */
bool kube_pod_is_unschedulable(const struct model_pod *p);

#endif
