/*
 * The list+watch caches of kube/cache.h. A LIST is applied page by page
 * with a mark-and-sweep generation (objects not seen by the end of the list
 * are deleted), so a relist never holds two copies of 150,000 pods; an item
 * whose resourceVersion did not change is not decoded again. Watch lines
 * are cut by http_lines and split by the scanner of scan.c; only the
 * object's bytes reach the decoder. Objects live in an open-addressing
 * table keyed by namespace/name; pods also sit in per-node arrays and in
 * the unschedulable array, each entry remembering its slot there so that
 * removal is O(1).
 *
 * This file must never keep a reference to a JSON buffer after a callback
 * returns, never leave an index pointing at a freed entry, and never call
 * back into the cache owner while its own tables are half-updated.
 */
#include "kube/cache.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/backoff.h"
#include "base/buf.h"
#include "base/log.h"
#include "kube_int.h"

#define NO_SLOT UINT32_MAX

/* What lib/kube can cache: one row per resource the decoder gives a
 * kube_kind. A new kind joins with a row here and a case in obj_key() (and
 * kube_object_unref_strings() in decode.c). */
struct resource {
    enum kube_kind kind;
    const char *path; /* collection path, all namespaces */
    const char *kind_name;
    bool namespaced;
};

static const struct resource resources[] = {
    { KUBE_KIND_NODE, "/api/v1/nodes", "Node", false },
    { KUBE_KIND_POD, "/api/v1/pods", "Pod", true },
    { KUBE_KIND_PDB, "/apis/policy/v1/poddisruptionbudgets", "PodDisruptionBudget", true },
    { KUBE_KIND_DAEMONSET, "/apis/apps/v1/daemonsets", "DaemonSet", true },
    { KUBE_KIND_PVC, "/api/v1/persistentvolumeclaims", "PersistentVolumeClaim", true },
    { KUBE_KIND_PV, "/api/v1/persistentvolumes", "PersistentVolume", false },
    { KUBE_KIND_STORAGE_CLASS, "/apis/storage.k8s.io/v1/storageclasses", "StorageClass", false },
    { KUBE_KIND_NAMESPACE, "/api/v1/namespaces", "Namespace", false },
    { KUBE_KIND_REPLICA_SET, "/apis/apps/v1/replicasets", "ReplicaSet", true },
    { KUBE_KIND_STATEFUL_SET, "/apis/apps/v1/statefulsets", "StatefulSet", true },
    { KUBE_KIND_REPLICATION_CONTROLLER, "/api/v1/replicationcontrollers", "ReplicationController",
      true },
    { KUBE_KIND_DEPLOYMENT, "/apis/apps/v1/deployments", "Deployment", true },
    { KUBE_KIND_JOB, "/apis/batch/v1/jobs", "Job", true },
};

struct entry {
    struct hs_arena arena;
    struct kube_object obj;
    uint64_t rv;
    uint32_t hash;
    uint32_t gen;          /* list generation that last saw it */
    uint32_t node_slot;    /* pods: index in its node bucket */
    uint32_t unsched_slot; /* pods: index in the unschedulable array */
};

/* A node's pods; pods[i] is ents[i]'s pod. */
struct bucket {
    const char *node; /* interned: a pod's node_name holds the reference */
    struct model_pod **pods;
    struct entry **ents;
    uint32_t n, cap;
};

struct kube_cache {
    struct kube_client *client;
    const struct resource *res;
    struct kube_cache_options opts;
    struct hs_intern *intern;
    enum kube_cache_state state;
    bool synced;

    /* the table */
    struct entry **slots;
    size_t cap, n; /* cap a power of two */
    uint32_t gen;

    /* pods by node */
    struct bucket **bslots;
    size_t bcap, bn;
    /* unschedulable pods */
    struct model_pod **unsched;
    struct entry **unsched_ents;
    size_t un, ucap;

    char rv[64]; /* last resourceVersion seen */
    char *cont;  /* continue token of the list in progress */
    struct kube_request *req;
    struct http_lines lines;
    bool stream_got_event; /* the current watch delivered something */
    bool relist;           /* an ERROR 410 came on the stream */
    double watch_started;  /* ev_now when the current watch began */
    struct hs_backoff backoff;
    ev_timer timer;
    size_t est; /* arena block estimate, bytes */
    struct kube_cache_stats stats;
};

static void start_list(struct kube_cache *c);
static void start_watch(struct kube_cache *c);

const char *kube_cache_state_name(enum kube_cache_state s)
{
    switch (s) {
    case KUBE_CACHE_IDLE:
        return "IDLE";
    case KUBE_CACHE_LISTING:
        return "LISTING";
    case KUBE_CACHE_WATCHING:
        return "WATCHING";
    case KUBE_CACHE_BACKOFF:
        return "BACKOFF";
    case KUBE_CACHE_STOPPED:
        return "STOPPED";
    }
    return "?";
}

/* ---- keys ------------------------------------------------------------------ */

static void obj_key(const struct kube_object *o, const char **ns, const char **name)
{
    *ns = NULL;
    *name = NULL;
    switch (o->kind) {
    case KUBE_KIND_POD:
        *ns = o->u.pod->ns;
        *name = o->u.pod->name;
        break;
    case KUBE_KIND_NODE:
        *name = o->u.node->name;
        break;
    case KUBE_KIND_PDB:
        *ns = o->u.pdb->ns;
        *name = o->u.pdb->name;
        break;
    case KUBE_KIND_DAEMONSET:
        *ns = o->u.daemonset->ns;
        *name = o->u.daemonset->name;
        break;
    case KUBE_KIND_PVC:
        *ns = o->u.pvc->ns;
        *name = o->u.pvc->name;
        break;
    case KUBE_KIND_PV:
        *name = o->u.pv->name;
        break;
    case KUBE_KIND_STORAGE_CLASS:
        *name = o->u.storage_class->name;
        break;
    case KUBE_KIND_NAMESPACE:
        *name = o->u.ns->name;
        break;
    case KUBE_KIND_REPLICA_SET:
    case KUBE_KIND_STATEFUL_SET:
    case KUBE_KIND_REPLICATION_CONTROLLER:
    case KUBE_KIND_DEPLOYMENT:
        *ns = o->u.workload->ns;
        *name = o->u.workload->name;
        break;
    case KUBE_KIND_JOB:
        *ns = o->u.job->ns;
        *name = o->u.job->name;
        break;
    default:
        break;
    }
    if (!*name)
        *name = "";
}

static uint32_t key_hash(const char *ns, const char *name)
{
    uint32_t h = 2166136261u;
    for (const char *p = ns ? ns : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    h = (h ^ '/') * 16777619u;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h;
}

static bool key_eq(const struct entry *e, const char *ns, const char *name)
{
    const char *ens, *ename;
    obj_key(&e->obj, &ens, &ename);
    return strcmp(ens ? ens : "", ns ? ns : "") == 0 && strcmp(ename, name) == 0;
}

static size_t find_slot(const struct kube_cache *c, const char *ns, const char *name, uint32_t h)
{
    size_t mask = c->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct entry *e = c->slots[i];
        if (!e || (e->hash == h && key_eq(e, ns, name)))
            return i;
    }
}

static void table_grow(struct kube_cache *c)
{
    size_t ncap = c->cap ? c->cap * 2 : 64;
    struct entry **ns = hs_calloc(ncap, sizeof(*ns));
    for (size_t i = 0; i < c->cap; i++) {
        struct entry *e = c->slots[i];
        if (!e)
            continue;
        size_t j = e->hash & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = e;
    }
    hs_free(c->slots);
    c->slots = ns;
    c->cap = ncap;
}

/* Removes slot i, shifting the following run back (no tombstones). */
static void table_del(struct kube_cache *c, size_t i)
{
    size_t mask = c->cap - 1;
    c->slots[i] = NULL;
    c->n--;
    for (size_t j = (i + 1) & mask; c->slots[j]; j = (j + 1) & mask) {
        size_t k = c->slots[j]->hash & mask;
        bool move = (j > i) ? (k <= i || k > j) : (k <= i && k > j);
        if (move) {
            c->slots[i] = c->slots[j];
            c->slots[j] = NULL;
            i = j;
        }
    }
}

/* ---- pod indexes ------------------------------------------------------------ */

bool kube_pod_is_unschedulable(const struct model_pod *p)
{
    return p->node_name == NULL && p->scheduled == MODEL_COND_FALSE && p->scheduled_reason &&
           strcmp(p->scheduled_reason, "Unschedulable") == 0 && p->phase != MODEL_PHASE_SUCCEEDED &&
           p->phase != MODEL_PHASE_FAILED && p->deletion_ts == 0;
}

static size_t bucket_find(const struct kube_cache *c, const char *node, uint32_t h)
{
    size_t mask = c->bcap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct bucket *b = c->bslots[i];
        if (!b || strcmp(b->node, node) == 0)
            return i;
    }
}

static void buckets_grow(struct kube_cache *c)
{
    size_t ncap = c->bcap ? c->bcap * 2 : 64;
    struct bucket **nb = hs_calloc(ncap, sizeof(*nb));
    for (size_t i = 0; i < c->bcap; i++) {
        struct bucket *b = c->bslots[i];
        if (!b)
            continue;
        size_t j = key_hash(NULL, b->node) & (ncap - 1);
        while (nb[j])
            j = (j + 1) & (ncap - 1);
        nb[j] = b;
    }
    hs_free(c->bslots);
    c->bslots = nb;
    c->bcap = ncap;
}

static void bucket_del_slot(struct kube_cache *c, size_t i)
{
    size_t mask = c->bcap - 1;
    c->bslots[i] = NULL;
    c->bn--;
    for (size_t j = (i + 1) & mask; c->bslots[j]; j = (j + 1) & mask) {
        size_t k = key_hash(NULL, c->bslots[j]->node) & mask;
        bool move = (j > i) ? (k <= i || k > j) : (k <= i && k > j);
        if (move) {
            c->bslots[i] = c->bslots[j];
            c->bslots[j] = NULL;
            i = j;
        }
    }
}

/* Returns whether the pod is newly unschedulable (for the callback). */
static void index_add(struct kube_cache *c, struct entry *e)
{
    e->node_slot = e->unsched_slot = NO_SLOT;
    if (e->obj.kind != KUBE_KIND_POD)
        return;
    struct model_pod *p = e->obj.u.pod;
    if (p->node_name) {
        if ((c->bn + 1) * 4 > c->bcap * 3)
            buckets_grow(c);
        uint32_t h = key_hash(NULL, p->node_name);
        size_t i = bucket_find(c, p->node_name, h);
        struct bucket *b = c->bslots[i];
        if (!b) {
            b = hs_calloc(1, sizeof(*b));
            b->node = p->node_name;
            c->bslots[i] = b;
            c->bn++;
        }
        if (b->n == b->cap) {
            uint32_t nc = b->cap ? b->cap * 2 : 8;
            b->pods = hs_reallocarray(b->pods, nc, sizeof(*b->pods));
            b->ents = hs_reallocarray(b->ents, nc, sizeof(*b->ents));
            b->cap = nc;
        }
        b->pods[b->n] = p;
        b->ents[b->n] = e;
        e->node_slot = b->n++;
    }
    if (kube_pod_is_unschedulable(p)) {
        if (c->un == c->ucap) {
            size_t nc = c->ucap ? c->ucap * 2 : 64;
            c->unsched = hs_reallocarray(c->unsched, nc, sizeof(*c->unsched));
            c->unsched_ents = hs_reallocarray(c->unsched_ents, nc, sizeof(*c->unsched_ents));
            c->ucap = nc;
        }
        c->unsched[c->un] = p;
        c->unsched_ents[c->un] = e;
        e->unsched_slot = (uint32_t)c->un++;
    }
}

static void index_remove(struct kube_cache *c, struct entry *e)
{
    if (e->obj.kind != KUBE_KIND_POD)
        return;
    struct model_pod *p = e->obj.u.pod;
    if (e->node_slot != NO_SLOT) {
        uint32_t h = key_hash(NULL, p->node_name);
        size_t i = bucket_find(c, p->node_name, h);
        struct bucket *b = c->bslots[i];
        HS_BUG_ON(!b || e->node_slot >= b->n || b->ents[e->node_slot] != e);
        uint32_t last = --b->n;
        if (e->node_slot != last) {
            b->pods[e->node_slot] = b->pods[last];
            b->ents[e->node_slot] = b->ents[last];
            b->ents[e->node_slot]->node_slot = e->node_slot;
        }
        if (b->n == 0) {
            hs_free(b->pods);
            hs_free(b->ents);
            hs_free(b);
            bucket_del_slot(c, i);
        }
        e->node_slot = NO_SLOT;
    }
    if (e->unsched_slot != NO_SLOT) {
        size_t last = --c->un;
        HS_BUG_ON(c->unsched_ents[e->unsched_slot] != e);
        if (e->unsched_slot != last) {
            c->unsched[e->unsched_slot] = c->unsched[last];
            c->unsched_ents[e->unsched_slot] = c->unsched_ents[last];
            c->unsched_ents[e->unsched_slot]->unsched_slot = e->unsched_slot;
        }
        e->unsched_slot = NO_SLOT;
    }
}

/* ---- entries ------------------------------------------------------------------ */

static void entry_free(struct kube_cache *c, struct entry *e)
{
    kube_object_unref_strings(&e->obj, c->intern);
    c->stats.arena_bytes -= e->arena.used;
    hs_arena_release(&e->arena);
    hs_free(e);
}

/* Decodes obj (borrowed bytes) into a new entry, or NULL (logged). */
static struct entry *entry_decode(struct kube_cache *c, struct kube__span obj, uint64_t rv)
{
    struct entry *e = hs_malloc(sizeof(*e));
    struct hs_err err = { 0 };
    /* One block that fits a typical object of this kind: a pod's arena is
     * about a third of its JSON; the estimate follows what decoding took. */
    size_t guess = c->est ? c->est : obj.len / 2;
    if (guess < 256)
        guess = 256;
    hs_arena_init(&e->arena, (guess + 63) & ~(size_t)63);
    enum hs_code rc =
        kube_decode_object(obj.p, obj.len, c->res->kind_name, c->intern, &e->arena, &e->obj, &err);
    const char *ns = NULL, *name = "";
    if (!rc && e->obj.kind == c->res->kind)
        obj_key(&e->obj, &ns, &name);
    /* An object without metadata.name could never be found again, nor
     * removed by a DELETED event (which needs the name): keep it out. */
    if (rc || e->obj.kind != c->res->kind || !*name) {
        c->stats.decode_errors++;
        HS_WARN("%s cache: skipping an object that does not decode: %s", c->res->kind_name,
                rc                            ? err.msg
                : e->obj.kind != c->res->kind ? "wrong kind"
                                              : "no metadata.name");
        if (!rc)
            kube_object_unref_strings(&e->obj, c->intern);
        hs_arena_release(&e->arena);
        hs_free(e);
        return NULL;
    }
    /* Follow the size objects of this kind take, leaning high (a second
     * block costs more than slack in the first). */
    size_t used = e->arena.used + e->arena.used / 8;
    c->est = c->est ? (c->est * 7 + used) / 8 : used;
    c->stats.decoded_bytes += obj.len;
    c->stats.arena_bytes += e->arena.used;
    e->rv = rv;
    e->gen = c->gen;
    e->node_slot = e->unsched_slot = NO_SLOT;
    e->hash = key_hash(ns, name);
    return e;
}

/* Puts e in the table, replacing an entry with its key. */
static void upsert(struct kube_cache *c, struct entry *e)
{
    if ((c->n + 1) * 4 > c->cap * 3)
        table_grow(c);
    const char *ns, *name;
    obj_key(&e->obj, &ns, &name);
    size_t i = find_slot(c, ns, name, e->hash);
    struct entry *old = c->slots[i];
    bool was_unsched = false;
    if (old) {
        was_unsched = old->unsched_slot != NO_SLOT;
        index_remove(c, old);
    } else {
        c->n++;
    }
    c->slots[i] = e;
    index_add(c, e);
    if (c->opts.on_change)
        c->opts.on_change(c->opts.ctx, c, old ? KUBE_CACHE_MODIFIED : KUBE_CACHE_ADDED, &e->obj);
    if (e->unsched_slot != NO_SLOT && !was_unsched && c->opts.on_unschedulable)
        c->opts.on_unschedulable(c->opts.ctx, c, e->obj.u.pod);
    if (old)
        entry_free(c, old);
}

static void remove_at(struct kube_cache *c, size_t i)
{
    struct entry *e = c->slots[i];
    index_remove(c, e);
    table_del(c, i);
    if (c->opts.on_change)
        c->opts.on_change(c->opts.ctx, c, KUBE_CACHE_DELETED, &e->obj);
    entry_free(c, e);
}

/* metadata.namespace and metadata.name of a JSON object. */
static bool json_key(struct kube__span obj, char *ns, size_t nsz, char *name, size_t nmz)
{
    struct kube__span meta, v;
    ns[0] = name[0] = '\0';
    if (!kube__json_member(obj, "metadata", &meta))
        return false;
    if (!kube__json_member(meta, "name", &v) || !kube__json_str(v, name, nmz))
        return false;
    if (kube__json_member(meta, "namespace", &v) && !kube__json_str(v, ns, nsz))
        return false;
    return true;
}

/* Applies one object seen by a LIST page or an ADDED/MODIFIED event. */
static void apply(struct kube_cache *c, struct kube__span obj)
{
    char ns[256], name[256];
    uint64_t rv = kube__object_rv(obj);
    if (rv && json_key(obj, ns, sizeof(ns), name, sizeof(name)) && c->cap) {
        size_t i = find_slot(c, c->res->namespaced ? ns : NULL, name,
                             key_hash(c->res->namespaced ? ns : NULL, name));
        struct entry *old = c->slots[i];
        if (old && old->rv == rv) {
            old->gen = c->gen; /* unchanged: no need to decode it again */
            return;
        }
    }
    struct entry *e = entry_decode(c, obj, rv);
    if (e)
        upsert(c, e);
}

static void apply_delete(struct kube_cache *c, struct kube__span obj)
{
    char ns[256], name[256];
    if (!json_key(obj, ns, sizeof(ns), name, sizeof(name))) {
        c->stats.decode_errors++;
        HS_WARN("%s cache: a DELETED event without metadata.name", c->res->kind_name);
        return;
    }
    if (!c->cap)
        return;
    const char *kns = c->res->namespaced ? ns : NULL;
    size_t i = find_slot(c, kns, name, key_hash(kns, name));
    if (c->slots[i])
        remove_at(c, i);
}

/* ---- the state machine ------------------------------------------------------ */

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct kube_cache *c = hs_container_of(w, struct kube_cache, timer);
    /* BACKOFF ends: list again if never synced or asked to, else watch. */
    if (!c->synced || c->relist || !c->rv[0])
        start_list(c);
    else
        start_watch(c);
}

static void back_off(struct kube_cache *c, const char *what, const struct hs_err *err,
                     int64_t at_least)
{
    int64_t wait = hs_backoff_next(&c->backoff);
    if (wait < at_least)
        wait = at_least;
    c->state = KUBE_CACHE_BACKOFF;
    c->stats.errors++;
    HS_WARN("%s cache: %s failed: %s; retrying in %.2f s", c->res->kind_name, what,
            err ? err->msg : "?", (double)wait / 1e9);
    ev_timer_set(&c->timer, (double)wait / 1e9, 0.);
    ev_timer_start(kube_client_loop(c->client), &c->timer);
}

static void sweep(struct kube_cache *c)
{
    /* Deleting shifts entries back, so re-examine slot i after a removal. */
    for (size_t i = 0; i < c->cap;) {
        struct entry *e = c->slots[i];
        if (e && e->gen != c->gen) {
            remove_at(c, i);
            continue;
        }
        i++;
    }
}

static void on_list_done(void *ctx, enum hs_code rc, const struct kube_response *resp,
                         const struct hs_err *err)
{
    struct kube_cache *c = ctx;
    c->req = NULL;
    if (rc) {
        bool was_continued = c->cont != NULL;
        hs_free(c->cont);
        c->cont = NULL;
        if (err->http_status == 410 && was_continued) {
            /* The continue token expired: a full list from the start. */
            c->stats.relists_gone++;
            HS_V(1, "%s cache: list continuation expired: listing again", c->res->kind_name);
            start_list(c);
            return;
        }
        back_off(c, "LIST", err, resp->retry_after_ns);
        return;
    }
    c->stats.pages++;
    struct kube__span body = { resp->body, resp->body_len }, meta, items, v, it;
    char rv[64] = "", cont[4096] = "";
    if (kube__json_member(body, "metadata", &meta)) {
        if (kube__json_member(meta, "resourceVersion", &v))
            kube__json_str(v, rv, sizeof(rv));
        if (kube__json_member(meta, "continue", &v))
            kube__json_str(v, cont, sizeof(cont));
    }
    if (!rv[0] || !kube__json_member(body, "items", &items)) {
        struct hs_err e2 = { 0 };
        hs_err_set(&e2, HS_EPARSE, "GET %s: the reply is not a list with a resourceVersion",
                   c->res->path);
        back_off(c, "LIST", &e2, 0);
        return;
    }
    size_t pos = 0;
    bool ok = true;
    if (items.p[0] != 'n') { /* "items": null is an empty list */
        while (kube__json_next(items, &pos, &it, &ok))
            apply(c, it);
    }
    if (!ok) {
        struct hs_err e2 = { 0 };
        hs_err_set(&e2, HS_EPARSE, "GET %s: items is not a JSON array", c->res->path);
        back_off(c, "LIST", &e2, 0);
        return;
    }
    hs_free(c->cont);
    c->cont = NULL;
    if (cont[0]) {
        c->cont = hs_strdup(cont);
        start_list(c);
        return;
    }
    sweep(c);
    snprintf(c->rv, sizeof(c->rv), "%s", rv);
    c->synced = true;
    c->relist = false;
    c->stats.lists++;
    hs_backoff_reset(&c->backoff);
    HS_V(1, "%s cache: listed %zu objects at resourceVersion %s", c->res->kind_name, c->n, c->rv);
    start_watch(c);
}

static void start_list(struct kube_cache *c)
{
    struct hs_buf path;
    struct hs_err err = { 0 };
    hs_buf_init(&path);
    if (!c->cont)
        c->gen++;
    hs_buf_addf(&path, "%s?limit=%d", c->res->path, c->opts.page_size);
    if (c->cont) {
        hs_buf_adds(&path, "&continue=");
        kube_path_escape(&path, c->cont);
    }
    struct kube_request_options o = { 0 };
    o.verb = "GET";
    o.path = path.data;
    o.subject = c->res->path;
    o.on_done = on_list_done;
    o.ctx = c;
    c->state = KUBE_CACHE_LISTING;
    enum hs_code rc = kube_request_start(c->client, &o, &c->req, &err);
    hs_buf_release(&path);
    if (rc)
        back_off(c, "LIST", &err, 0);
}

static enum hs_code on_line(void *ctx, const char *line, size_t len)
{
    struct kube_cache *c = ctx;
    enum kube__event_type type;
    struct kube__span obj;
    struct hs_err err = { 0 };
    if (len == 0)
        return HS_OK;
    if (kube__split_event(line, len, &type, &obj, &err)) {
        c->stats.decode_errors++;
        HS_WARN("%s cache: %s", c->res->kind_name, err.msg);
        return HS_OK;
    }
    c->stream_got_event = true;
    if (type == KUBE__EV_ERROR) {
        int code;
        char reason[64], message[256];
        kube__status_parse(obj, &code, reason, sizeof(reason), message, sizeof(message));
        if (code == 410 || strcmp(reason, "Expired") == 0 || strcmp(reason, "Gone") == 0) {
            c->relist = true;
            HS_V(1, "%s cache: watch from %s expired (%s): listing again", c->res->kind_name, c->rv,
                 message);
        } else {
            HS_WARN("%s cache: watch error event: %d %s: %s", c->res->kind_name, code, reason,
                    message);
        }
        return HS_ECANCELED; /* end the stream; on_watch_done decides */
    }
    struct kube__span meta, v;
    char rv[64] = "";
    if (kube__json_member(obj, "metadata", &meta) && kube__json_member(meta, "resourceVersion", &v))
        kube__json_str(v, rv, sizeof(rv));
    switch (type) {
    case KUBE__EV_ADDED:
    case KUBE__EV_MODIFIED:
        c->stats.events++;
        apply(c, obj);
        break;
    case KUBE__EV_DELETED:
        c->stats.events++;
        apply_delete(c, obj);
        break;
    case KUBE__EV_BOOKMARK:
        c->stats.bookmarks++;
        break;
    default:
        break;
    }
    if (rv[0])
        snprintf(c->rv, sizeof(c->rv), "%s", rv);
    return HS_OK;
}

static enum hs_code on_watch_data(void *ctx, const char *data, size_t len)
{
    struct kube_cache *c = ctx;
    struct hs_err err = { 0 };
    enum hs_code rc = http_lines_feed(&c->lines, data, len, on_line, c, &err);
    if (rc && rc != HS_ECANCELED)
        HS_WARN("%s cache: watch stream: %s", c->res->kind_name, err.msg);
    return rc;
}

static void on_watch_done(void *ctx, enum hs_code rc, const struct kube_response *resp,
                          const struct hs_err *err)
{
    struct kube_cache *c = ctx;
    c->req = NULL;
    if (rc == HS_OK)
        http_lines_finish(&c->lines, on_line, c);
    http_lines_clear(&c->lines);
    if (c->relist || (rc && err->http_status == 410)) {
        c->relist = true;
        c->stats.relists_gone++;
        start_list(c);
        return;
    }
    bool quick = ev_now(kube_client_loop(c->client)) - c->watch_started < 1.0;
    if ((rc == HS_OK || rc == HS_ECANCELED) && (c->stream_got_event || !quick)) {
        /* timeoutSeconds ran out or the ERROR event was not a 410: resume. */
        hs_backoff_reset(&c->backoff);
        start_watch(c);
        return;
    }
    if ((c->stream_got_event || !quick) && (rc == HS_EIO || rc == HS_EHTTP || rc == HS_ETIMEDOUT)) {
        /* The stream dropped after working: resume from the last version. */
        HS_V(1, "%s cache: watch dropped (%s): resuming from %s", c->res->kind_name, err->msg,
             c->rv);
        hs_backoff_reset(&c->backoff);
        start_watch(c);
        return;
    }
    if (rc == HS_OK || rc == HS_ECANCELED) {
        struct hs_err e2 = { 0 };
        hs_err_set(&e2, HS_EIO, "the stream ended at once without an event");
        back_off(c, "WATCH", &e2, 0);
        return;
    }
    back_off(c, "WATCH", err, resp->retry_after_ns);
}

static void start_watch(struct kube_cache *c)
{
    struct hs_buf path;
    struct hs_err err = { 0 };
    hs_buf_init(&path);
    int64_t base = c->opts.watch_timeout_ns / HS_SEC;
    if (base < 1)
        base = 1;
    int64_t t = base + (int64_t)hs_rng_below(&c->backoff.rng, (uint64_t)base);
    hs_buf_addf(&path,
                "%s?watch=1&allowWatchBookmarks=true&timeoutSeconds=%" PRId64 "&resourceVersion=",
                c->res->path, t);
    kube_path_escape(&path, c->rv);
    struct kube_request_options o = { 0 };
    o.verb = "GET";
    o.path = path.data;
    o.subject = c->res->path;
    o.watch = true;
    o.timeout_ns = (t + 60) * HS_SEC; /* the server ends it at t; this catches a hang */
    o.on_data = on_watch_data;
    o.on_done = on_watch_done;
    o.ctx = c;
    c->state = KUBE_CACHE_WATCHING;
    c->stream_got_event = false;
    c->relist = false;
    c->watch_started = ev_now(kube_client_loop(c->client));
    c->stats.watches++;
    enum hs_code rc = kube_request_start(c->client, &o, &c->req, &err);
    hs_buf_release(&path);
    if (rc)
        back_off(c, "WATCH", &err, 0);
}

/* ---- public ------------------------------------------------------------------ */

enum hs_code kube_cache_new(struct kube_client *client, enum kube_kind kind,
                            const struct kube_cache_options *opts, struct kube_cache **out,
                            struct hs_err *err)
{
    const struct resource *res = NULL;
    for (size_t i = 0; i < HS_ARRAY_LEN(resources); i++)
        if (resources[i].kind == kind)
            res = &resources[i];
    if (!res)
        return hs_err_set(err, HS_ENOTSUP, "kube cache: kind %d has no resource", (int)kind);
    if (!opts || !opts->intern)
        return hs_err_set(err, HS_EINVAL, "kube cache: an intern table is required");
    struct kube_cache *c = hs_calloc(1, sizeof(*c));
    c->client = client;
    c->res = res;
    c->opts = *opts;
    c->intern = opts->intern;
    if (c->opts.page_size <= 0)
        c->opts.page_size = 500;
    if (c->opts.watch_timeout_ns <= 0)
        c->opts.watch_timeout_ns = 5 * HS_MIN;
    if (c->opts.backoff_base_ns <= 0)
        c->opts.backoff_base_ns = 800 * HS_MSEC;
    if (c->opts.backoff_cap_ns < c->opts.backoff_base_ns)
        c->opts.backoff_cap_ns =
            c->opts.backoff_base_ns > 30 * HS_SEC ? c->opts.backoff_base_ns : 30 * HS_SEC;
    uint64_t seed =
        c->opts.seed ? c->opts.seed
                     : (uint64_t)hs_clock_mono(kube_client_clock(client)) ^ (uint64_t)(uintptr_t)c;
    hs_backoff_init(&c->backoff, c->opts.backoff_base_ns, c->opts.backoff_cap_ns, seed);
    http_lines_init(&c->lines, (size_t)16 << 20);
    ev_timer_init(&c->timer, on_timer, 0., 0.);
    c->state = KUBE_CACHE_IDLE;
    *out = c;
    return HS_OK;
}

void kube_cache_stop(struct kube_cache *c)
{
    kube_request_cancel(&c->req);
    ev_timer_stop(kube_client_loop(c->client), &c->timer);
    http_lines_clear(&c->lines);
    hs_free(c->cont);
    c->cont = NULL;
    if (c->state != KUBE_CACHE_IDLE)
        c->state = KUBE_CACHE_STOPPED;
}

void kube_cache_start(struct kube_cache *c)
{
    if (c->state != KUBE_CACHE_IDLE && c->state != KUBE_CACHE_STOPPED)
        return;
    if (c->synced && c->rv[0])
        start_watch(c); /* resume: a 410 turns into a relist */
    else
        start_list(c);
}

void kube_cache_free(struct kube_cache **cp)
{
    struct kube_cache *c = cp ? *cp : NULL;
    if (!c)
        return;
    kube_cache_stop(c);
    c->opts.on_change = NULL;
    c->opts.on_unschedulable = NULL;
    for (size_t i = 0; i < c->cap; i++)
        if (c->slots[i])
            entry_free(c, c->slots[i]);
    hs_free(c->slots);
    for (size_t i = 0; i < c->bcap; i++) {
        if (c->bslots[i]) {
            hs_free(c->bslots[i]->pods);
            hs_free(c->bslots[i]->ents);
            hs_free(c->bslots[i]);
        }
    }
    hs_free(c->bslots);
    hs_free(c->unsched);
    hs_free(c->unsched_ents);
    http_lines_release(&c->lines);
    hs_free(c);
    *cp = NULL;
}

enum kube_cache_state kube_cache_get_state(const struct kube_cache *c)
{
    return c->state;
}

bool kube_cache_synced(const struct kube_cache *c)
{
    return c->synced;
}

const char *kube_cache_resource_version(const struct kube_cache *c)
{
    return c->rv;
}

const char *kube_cache_path(const struct kube_cache *c)
{
    return c->res->path;
}

const char *kube_cache_kind_name(const struct kube_cache *c)
{
    return c->res->kind_name;
}

void kube_cache_get_stats(const struct kube_cache *c, struct kube_cache_stats *out)
{
    *out = c->stats;
}

size_t kube_cache_len(const struct kube_cache *c)
{
    return c->n;
}

bool kube_cache_next(const struct kube_cache *c, size_t *it, const struct kube_object **obj,
                     uint64_t *rv)
{
    for (size_t i = *it; i < c->cap; i++) {
        if (c->slots[i]) {
            *obj = &c->slots[i]->obj;
            if (rv)
                *rv = c->slots[i]->rv;
            *it = i + 1;
            return true;
        }
    }
    *it = c->cap;
    return false;
}

const struct kube_object *kube_cache_get(const struct kube_cache *c, const char *ns,
                                         const char *name, uint64_t *rv)
{
    if (!c->cap || !name)
        return NULL;
    const char *kns = c->res->namespaced ? (ns ? ns : "") : NULL;
    size_t i = find_slot(c, kns, name, key_hash(kns, name));
    struct entry *e = c->slots[i];
    if (!e)
        return NULL;
    if (rv)
        *rv = e->rv;
    return &e->obj;
}

struct model_pod *const *kube_cache_pods_on_node(const struct kube_cache *c, const char *node,
                                                 size_t *n)
{
    *n = 0;
    if (!c->bcap || !node)
        return NULL;
    size_t i = bucket_find(c, node, key_hash(NULL, node));
    struct bucket *b = c->bslots[i];
    if (!b)
        return NULL;
    *n = b->n;
    return b->pods;
}

struct model_pod *const *kube_cache_unschedulable(const struct kube_cache *c, size_t *n)
{
    *n = c->un;
    return c->un ? c->unsched : NULL;
}
