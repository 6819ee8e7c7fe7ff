/*
 * The writes of kube/writes.h. Node changes and the ConfigMap are
 * read-modify-write cycles on the whole object (jansson keeps every field
 * we do not know, so nothing is lost), sent with the resourceVersion read
 * so the API server refuses them with 409 if someone wrote in between; we
 * then read again. Evictions and events are single POSTs. The recorder
 * remembers what it posted for the dedup window in a small hash table that
 * is pruned as it grows.
 *
 * This file must never PUT an object it did not just read, never report
 * success for a write the server refused, and never let a json_t out.
 */
#include "kube/writes.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/log.h"
#include "kube_int.h"

/* ---- read-modify-write ------------------------------------------------------ */

enum rmw_kind { RMW_ADD_TAINT, RMW_REMOVE_TAINT, RMW_CORDON, RMW_CONFIGMAP };

/* Where a read-modify-write stands. */
enum rmw_state {
    RMW_READING,  /* GET in flight */
    RMW_WRITING,  /* PUT (or POST for a new ConfigMap) in flight */
    RMW_FINISHED, /* the callback ran; freed right after */
};

struct rmw {
    struct kube_client *c;
    enum rmw_kind kind;
    enum rmw_state state;
    char *path;    /* the object's path */
    char *coll;    /* collection path (ConfigMap create) */
    char *subject; /* "nodes/ip-1" */
    char *ns, *name;
    char *key, *value, *effect; /* taint */
    bool flag;                  /* cordon */
    struct kube_kv *data, *annotations;
    size_t n_data, n_annotations;
    int conflicts;
    kube_write_fn fn;
    void *ctx;
};

static void kv_free(struct kube_kv *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        hs_free((char *)(uintptr_t)v[i].key);
        hs_free((char *)(uintptr_t)v[i].value);
    }
    hs_free(v);
}

static struct kube_kv *kv_dup(const struct kube_kv *v, size_t n)
{
    struct kube_kv *o = hs_calloc(n ? n : 1, sizeof(*o));
    for (size_t i = 0; i < n; i++) {
        o[i].key = hs_strdup(v[i].key);
        o[i].value = hs_strdup(v[i].value ? v[i].value : "");
    }
    return o;
}

static void rmw_free(struct rmw *w)
{
    hs_free(w->path);
    hs_free(w->coll);
    hs_free(w->subject);
    hs_free(w->ns);
    hs_free(w->name);
    hs_free(w->key);
    hs_free(w->value);
    hs_free(w->effect);
    kv_free(w->data, w->n_data);
    kv_free(w->annotations, w->n_annotations);
    hs_free(w);
}

static void rmw_finish(struct rmw *w, enum hs_code rc, const struct hs_err *err)
{
    struct hs_err none = { 0 };
    w->state = RMW_FINISHED;
    w->fn(w->ctx, rc, err ? err : &none);
    rmw_free(w);
}

static void rmw_read(struct rmw *w);

static void on_written(void *ctx, enum hs_code rc, const struct kube_response *resp,
                       const struct hs_err *err)
{
    struct rmw *w = ctx;
    (void)resp;
    if ((rc == HS_ECONFLICT || rc == HS_EEXIST) && w->conflicts < KUBE_WRITE_CONFLICT_RETRIES) {
        /* Someone wrote first (or created the map): read again, redo. */
        w->conflicts++;
        HS_V(1, "%s: conflict (%d of %d): reading it again", w->subject, w->conflicts,
             KUBE_WRITE_CONFLICT_RETRIES);
        rmw_read(w);
        return;
    }
    rmw_finish(w, rc, rc ? err : NULL);
}

static void start_or_finish(struct rmw *w, const struct kube_request_options *o)
{
    struct hs_err err = { 0 };
    enum hs_code rc = kube_request_start(w->c, o, NULL, &err);
    if (rc)
        rmw_finish(w, rc, &err);
}

static void send_body(struct rmw *w, const char *verb, const char *path, json_t *obj)
{
    char *body = json_dumps(obj, JSON_COMPACT);
    struct kube_request_options o = { 0 };
    o.verb = verb;
    o.path = path;
    o.subject = w->subject;
    o.body = body;
    o.body_len = strlen(body);
    o.on_done = on_written;
    o.ctx = w;
    w->state = RMW_WRITING;
    start_or_finish(w, &o);
    free(body);
}

static bool str_eq(json_t *j, const char *s)
{
    return json_is_string(j) && strcmp(json_string_value(j), s) == 0;
}

/* Applies the change to obj; returns whether anything changed. */
static bool modify(struct rmw *w, json_t *obj)
{
    json_t *spec = json_object_get(obj, "spec");
    switch (w->kind) {
    case RMW_ADD_TAINT: {
        if (!json_is_object(spec)) {
            spec = json_object();
            json_object_set_new(obj, "spec", spec);
        }
        json_t *taints = json_object_get(spec, "taints");
        if (!json_is_array(taints)) {
            taints = json_array();
            json_object_set_new(spec, "taints", taints);
        }
        size_t i;
        json_t *t;
        json_array_foreach(taints, i, t)
        {
            if (str_eq(json_object_get(t, "key"), w->key) &&
                str_eq(json_object_get(t, "effect"), w->effect))
                return false;
        }
        t = json_object();
        json_object_set_new(t, "key", json_string(w->key));
        if (w->value && *w->value)
            json_object_set_new(t, "value", json_string(w->value));
        json_object_set_new(t, "effect", json_string(w->effect));
        json_array_append_new(taints, t);
        return true;
    }
    case RMW_REMOVE_TAINT: {
        json_t *taints = json_is_object(spec) ? json_object_get(spec, "taints") : NULL;
        if (!json_is_array(taints))
            return false;
        bool changed = false;
        for (size_t i = json_array_size(taints); i-- > 0;) {
            json_t *t = json_array_get(taints, i);
            if (str_eq(json_object_get(t, "key"), w->key) &&
                (!w->effect || str_eq(json_object_get(t, "effect"), w->effect))) {
                json_array_remove(taints, i);
                changed = true;
            }
        }
        if (changed && json_array_size(taints) == 0)
            json_object_del(spec, "taints");
        return changed;
    }
    case RMW_CORDON: {
        json_t *u = json_is_object(spec) ? json_object_get(spec, "unschedulable") : NULL;
        bool now = json_is_true(u);
        if (now == w->flag)
            return false;
        if (!json_is_object(spec)) {
            spec = json_object();
            json_object_set_new(obj, "spec", spec);
        }
        if (w->flag)
            json_object_set_new(spec, "unschedulable", json_true());
        else
            json_object_del(spec, "unschedulable");
        return true;
    }
    case RMW_CONFIGMAP: {
        json_t *data = json_object();
        for (size_t i = 0; i < w->n_data; i++)
            json_object_set_new(data, w->data[i].key, json_string(w->data[i].value));
        bool changed = !json_equal(data, json_object_get(obj, "data"));
        json_object_set_new(obj, "data", data);
        if (w->n_annotations) {
            json_t *meta = json_object_get(obj, "metadata");
            json_t *ann = json_object_get(meta, "annotations");
            if (!json_is_object(ann)) {
                ann = json_object();
                json_object_set_new(meta, "annotations", ann);
            }
            for (size_t i = 0; i < w->n_annotations; i++) {
                if (!str_eq(json_object_get(ann, w->annotations[i].key), w->annotations[i].value)) {
                    json_object_set_new(ann, w->annotations[i].key,
                                        json_string(w->annotations[i].value));
                    changed = true;
                }
            }
        }
        return changed;
    }
    }
    return false;
}

static json_t *new_configmap(struct rmw *w)
{
    json_t *cm = json_object(), *meta = json_object();
    json_object_set_new(cm, "apiVersion", json_string("v1"));
    json_object_set_new(cm, "kind", json_string("ConfigMap"));
    json_object_set_new(meta, "name", json_string(w->name));
    json_object_set_new(meta, "namespace", json_string(w->ns));
    json_object_set_new(cm, "metadata", meta);
    return cm;
}

static void on_read(void *ctx, enum hs_code rc, const struct kube_response *resp,
                    const struct hs_err *err)
{
    struct rmw *w = ctx;
    if (rc == HS_ENOTFOUND && w->kind == RMW_CONFIGMAP) {
        json_t *cm = new_configmap(w);
        modify(w, cm);
        send_body(w, "POST", w->coll, cm);
        json_decref(cm);
        return;
    }
    if (rc) {
        rmw_finish(w, rc, err);
        return;
    }
    json_error_t je;
    json_t *obj = json_loadb(resp->body, resp->body_len, 0, &je);
    if (!json_is_object(obj) || !json_is_object(json_object_get(obj, "metadata"))) {
        json_decref(obj);
        struct hs_err e2 = { 0 };
        hs_err_set(&e2, HS_EPARSE, "GET %s: the reply is not an object: %s", w->subject, je.text);
        rmw_finish(w, HS_EPARSE, &e2);
        return;
    }
    if (!modify(w, obj)) {
        json_decref(obj);
        rmw_finish(w, HS_OK, NULL); /* already as wanted: no write */
        return;
    }
    /* metadata.resourceVersion stays as read: the precondition. */
    send_body(w, "PUT", w->path, obj);
    json_decref(obj);
}

static void rmw_read(struct rmw *w)
{
    struct kube_request_options o = { 0 };
    o.verb = "GET";
    o.path = w->path;
    o.subject = w->subject;
    o.on_done = on_read;
    o.ctx = w;
    w->state = RMW_READING;
    start_or_finish(w, &o);
}

static struct rmw *node_rmw(struct kube_client *c, enum rmw_kind kind, const char *node,
                            kube_write_fn fn, void *ctx)
{
    struct rmw *w = hs_calloc(1, sizeof(*w));
    struct hs_buf b;
    w->c = c;
    w->kind = kind;
    w->fn = fn;
    w->ctx = ctx;
    hs_buf_init(&b);
    hs_buf_adds(&b, "/api/v1/nodes/");
    kube_path_escape(&b, node);
    w->path = hs_buf_detach(&b);
    hs_buf_addf(&b, "nodes/%s", node);
    w->subject = hs_buf_detach(&b);
    w->name = hs_strdup(node);
    return w;
}

/* The first step runs from the loop, never inside the starting call: a
 * request's callbacks never run inside kube_request_start, so starting the
 * GET here is enough. */
enum hs_code kube_node_add_taint(struct kube_client *c, const char *node,
                                 const struct kube_taint_spec *t, kube_write_fn fn, void *ctx,
                                 struct hs_err *err)
{
    if (!node || !*node || !t || !t->key || !*t->key || !t->effect || !fn)
        return hs_err_set(err, HS_EINVAL, "add taint: node, key, effect and callback required");
    if (strcmp(t->effect, "NoSchedule") != 0 && strcmp(t->effect, "PreferNoSchedule") != 0 &&
        strcmp(t->effect, "NoExecute") != 0)
        return hs_err_set(err, HS_EINVAL,
                          "add taint %s: effect '%s' is not NoSchedule, "
                          "PreferNoSchedule or NoExecute",
                          t->key, t->effect);
    struct rmw *w = node_rmw(c, RMW_ADD_TAINT, node, fn, ctx);
    w->key = hs_strdup(t->key);
    w->value = t->value ? hs_strdup(t->value) : NULL;
    w->effect = hs_strdup(t->effect);
    rmw_read(w);
    return HS_OK;
}

enum hs_code kube_node_remove_taint(struct kube_client *c, const char *node, const char *key,
                                    const char *effect, kube_write_fn fn, void *ctx,
                                    struct hs_err *err)
{
    if (!node || !*node || !key || !*key || !fn)
        return hs_err_set(err, HS_EINVAL, "remove taint: node, key and callback required");
    struct rmw *w = node_rmw(c, RMW_REMOVE_TAINT, node, fn, ctx);
    w->key = hs_strdup(key);
    w->effect = effect ? hs_strdup(effect) : NULL;
    rmw_read(w);
    return HS_OK;
}

enum hs_code kube_node_cordon(struct kube_client *c, const char *node, bool unschedulable,
                              kube_write_fn fn, void *ctx, struct hs_err *err)
{
    if (!node || !*node || !fn)
        return hs_err_set(err, HS_EINVAL, "cordon: node and callback required");
    struct rmw *w = node_rmw(c, RMW_CORDON, node, fn, ctx);
    w->flag = unschedulable;
    rmw_read(w);
    return HS_OK;
}

enum hs_code kube_configmap_put(struct kube_client *c, const char *ns, const char *name,
                                const struct kube_kv *data, size_t n_data,
                                const struct kube_kv *annotations, size_t n_annotations,
                                kube_write_fn fn, void *ctx, struct hs_err *err)
{
    if (!ns || !*ns || !name || !*name || !fn)
        return hs_err_set(err, HS_EINVAL, "configmap: namespace, name and callback required");
    struct rmw *w = hs_calloc(1, sizeof(*w));
    struct hs_buf b;
    w->c = c;
    w->kind = RMW_CONFIGMAP;
    w->fn = fn;
    w->ctx = ctx;
    w->ns = hs_strdup(ns);
    w->name = hs_strdup(name);
    hs_buf_init(&b);
    hs_buf_adds(&b, "/api/v1/namespaces/");
    kube_path_escape(&b, ns);
    hs_buf_adds(&b, "/configmaps");
    w->coll = hs_strdup(b.data);
    hs_buf_addc(&b, '/');
    kube_path_escape(&b, name);
    w->path = hs_buf_detach(&b);
    hs_buf_addf(&b, "configmaps/%s/%s", ns, name);
    w->subject = hs_buf_detach(&b);
    w->data = kv_dup(data, n_data);
    w->n_data = n_data;
    w->annotations = kv_dup(annotations, n_annotations);
    w->n_annotations = n_annotations;
    rmw_read(w);
    return HS_OK;
}

/* ---- eviction -------------------------------------------------------------- */

struct evict {
    kube_write_fn fn;
    void *ctx;
};

static void on_evicted(void *ctx, enum hs_code rc, const struct kube_response *resp,
                       const struct hs_err *err)
{
    struct evict *v = ctx;
    (void)resp;
    if (rc == HS_ENOTFOUND)
        rc = HS_OK; /* gone already: what we wanted */
    v->fn(v->ctx, rc, err);
    hs_free(v);
}

enum hs_code kube_pod_evict(struct kube_client *c, const char *ns, const char *name,
                            int64_t grace_s, kube_write_fn fn, void *ctx, struct hs_err *err)
{
    if (!ns || !*ns || !name || !*name || !fn)
        return hs_err_set(err, HS_EINVAL, "evict: namespace, name and callback required");
    json_t *ev = json_object(), *meta = json_object();
    json_object_set_new(ev, "apiVersion", json_string("policy/v1"));
    json_object_set_new(ev, "kind", json_string("Eviction"));
    json_object_set_new(meta, "name", json_string(name));
    json_object_set_new(meta, "namespace", json_string(ns));
    json_object_set_new(ev, "metadata", meta);
    if (grace_s >= 0) {
        json_t *del = json_object();
        json_object_set_new(del, "gracePeriodSeconds", json_integer(grace_s));
        json_object_set_new(ev, "deleteOptions", del);
    }
    char *body = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    struct hs_buf path, subj;
    hs_buf_init(&path);
    hs_buf_init(&subj);
    hs_buf_adds(&path, "/api/v1/namespaces/");
    kube_path_escape(&path, ns);
    hs_buf_adds(&path, "/pods/");
    kube_path_escape(&path, name);
    hs_buf_adds(&path, "/eviction");
    hs_buf_addf(&subj, "pods/%s/%s/eviction", ns, name);
    struct evict *v = hs_calloc(1, sizeof(*v));
    v->fn = fn;
    v->ctx = ctx;
    struct kube_request_options o = { 0 };
    o.verb = "POST";
    o.path = path.data;
    o.subject = subj.data;
    o.body = body;
    o.body_len = strlen(body);
    o.max_retries = -1; /* a PDB's 429 goes to the caller, who decides when to retry */
    o.on_done = on_evicted;
    o.ctx = v;
    enum hs_code rc = kube_request_start(c, &o, NULL, err);
    if (rc)
        hs_free(v);
    free(body);
    hs_buf_release(&path);
    hs_buf_release(&subj);
    return rc;
}

/* ---- events ------------------------------------------------------------------ */

struct seen {
    char *key;
    int64_t at; /* mono */
};

struct kube_recorder {
    struct kube_client *c;
    struct hs_clock *clock;
    char *component, *host;
    bool record_duplicated;
    int64_t window;
    struct seen *slots; /* open addressing on the key's hash */
    size_t cap, n;
    size_t in_flight;
    uint64_t failures;
    uint64_t last_stamp; /* the suffix of the last event name */
    struct post **posts; /* in flight, for free */
    size_t n_posts, cap_posts;
};

struct post {
    struct kube_recorder *r;
    struct kube_request *req;
    char *what;
};

enum hs_code kube_recorder_new(struct kube_client *c, const struct kube_recorder_options *opts,
                               struct kube_recorder **out, struct hs_err *err)
{
    (void)err;
    struct kube_recorder *r = hs_calloc(1, sizeof(*r));
    r->c = c;
    r->clock = opts && opts->clock ? opts->clock : kube_client_clock(c);
    r->component = hs_strdup(opts && opts->component ? opts->component : "cluster-autoscaler");
    r->host = opts && opts->host ? hs_strdup(opts->host) : NULL;
    r->record_duplicated = opts && opts->record_duplicated;
    r->window = opts && opts->dedup_window_ns > 0 ? opts->dedup_window_ns : 5 * HS_MIN;
    *out = r;
    return HS_OK;
}

static void seen_clear(struct seen *s, size_t cap)
{
    for (size_t i = 0; i < cap; i++)
        hs_free(s[i].key);
    hs_free(s);
}

void kube_recorder_free(struct kube_recorder **rp)
{
    struct kube_recorder *r = rp ? *rp : NULL;
    if (!r)
        return;
    for (size_t i = 0; i < r->n_posts; i++) {
        kube_request_cancel(&r->posts[i]->req);
        hs_free(r->posts[i]->what);
        hs_free(r->posts[i]);
    }
    hs_free(r->posts);
    seen_clear(r->slots, r->cap);
    hs_free(r->component);
    hs_free(r->host);
    hs_free(r);
    *rp = NULL;
}

static uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* Rebuilds the table without entries older than the window, at a size
 * that leaves room. */
static void seen_rebuild(struct kube_recorder *r, int64_t now)
{
    size_t live = 0;
    for (size_t i = 0; i < r->cap; i++)
        if (r->slots[i].key && now - r->slots[i].at < r->window)
            live++;
    size_t ncap = 64;
    while (ncap < (live + 1) * 2)
        ncap *= 2;
    struct seen *ns = hs_calloc(ncap, sizeof(*ns));
    for (size_t i = 0; i < r->cap; i++) {
        struct seen *s = &r->slots[i];
        if (!s->key)
            continue;
        if (now - s->at >= r->window) {
            hs_free(s->key);
            continue;
        }
        size_t j = str_hash(s->key) & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = *s;
    }
    hs_free(r->slots);
    r->slots = ns;
    r->cap = ncap;
    r->n = live;
}

/* Whether key was posted within the window; records it as posted now
 * otherwise. */
static bool seen_check(struct kube_recorder *r, const char *key, int64_t now)
{
    if ((r->n + 1) * 4 > r->cap * 3)
        seen_rebuild(r, now);
    size_t mask = r->cap - 1;
    size_t i = str_hash(key) & mask;
    for (; r->slots[i].key; i = (i + 1) & mask) {
        if (strcmp(r->slots[i].key, key) == 0) {
            if (now - r->slots[i].at < r->window)
                return true;
            r->slots[i].at = now;
            return false;
        }
    }
    r->slots[i].key = hs_strdup(key);
    r->slots[i].at = now;
    r->n++;
    return false;
}

static void on_posted(void *ctx, enum hs_code rc, const struct kube_response *resp,
                      const struct hs_err *err)
{
    struct post *p = ctx;
    struct kube_recorder *r = p->r;
    (void)resp;
    if (rc) {
        r->failures++;
        HS_WARN("cannot record event %s: %s", p->what, err->msg);
    }
    for (size_t i = 0; i < r->n_posts; i++) {
        if (r->posts[i] == p) {
            r->posts[i] = r->posts[--r->n_posts];
            break;
        }
    }
    r->in_flight--;
    hs_free(p->what);
    hs_free(p);
}

enum hs_code kube_event_record(struct kube_recorder *r, const struct kube_event_ref *obj,
                               bool warning, const char *reason, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    const char *type = warning ? "Warning" : "Normal";
    const char *ns = obj->ns && *obj->ns ? obj->ns : "default";
    struct hs_buf key;
    hs_buf_init(&key);
    hs_buf_addf(&key, "%s/%s/%s\x1f%s\x1f%s\x1f%s", obj->kind, obj->ns ? obj->ns : "", obj->name,
                type, reason, msg);
    int64_t now = hs_clock_mono(r->clock);
    bool dup = seen_check(r, key.data, now);
    hs_buf_release(&key);
    if (dup && !r->record_duplicated)
        return HS_EEXIST;

    int64_t wall = hs_clock_wall(r->clock);
    char ts[40];
    /* Event timestamps are whole seconds; eventTime is a MicroTime. */
    hs_time_format_rfc3339(wall - wall % HS_SEC, ts, sizeof(ts));
    char *dot = strchr(ts, '.');
    if (dot)
        snprintf(dot, sizeof(ts) - (size_t)(dot - ts), "Z");
    char ename[320];
    /* client-go names events <object>.<unix nanos in hex>; never reuse one
     * even when the clock did not move (a fake clock, a coarse one). */
    uint64_t stamp = (uint64_t)wall > r->last_stamp ? (uint64_t)wall : r->last_stamp + 1;
    r->last_stamp = stamp;
    snprintf(ename, sizeof(ename), "%.240s.%llx", obj->name, (unsigned long long)stamp);
    json_t *ev = json_object(), *meta = json_object(), *inv = json_object(), *src = json_object();
    json_object_set_new(ev, "apiVersion", json_string("v1"));
    json_object_set_new(ev, "kind", json_string("Event"));
    json_object_set_new(meta, "name", json_string(ename));
    json_object_set_new(meta, "namespace", json_string(ns));
    json_object_set_new(ev, "metadata", meta);
    json_object_set_new(inv, "kind", json_string(obj->kind));
    json_object_set_new(inv, "apiVersion", json_string(obj->api_version ? obj->api_version : "v1"));
    json_object_set_new(inv, "name", json_string(obj->name));
    if (obj->ns && *obj->ns)
        json_object_set_new(inv, "namespace", json_string(obj->ns));
    if (obj->uid)
        json_object_set_new(inv, "uid", json_string(obj->uid));
    json_object_set_new(ev, "involvedObject", inv);
    json_object_set_new(ev, "reason", json_string(reason));
    json_object_set_new(ev, "message", json_string(msg));
    json_object_set_new(ev, "type", json_string(type));
    json_object_set_new(ev, "count", json_integer(1));
    json_object_set_new(ev, "firstTimestamp", json_string(ts));
    json_object_set_new(ev, "lastTimestamp", json_string(ts));
    json_object_set_new(src, "component", json_string(r->component));
    if (r->host)
        json_object_set_new(src, "host", json_string(r->host));
    json_object_set_new(ev, "source", src);
    json_object_set_new(ev, "reportingComponent", json_string(r->component));
    json_object_set_new(ev, "reportingInstance", json_string(r->host ? r->host : ""));
    char *body = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);

    struct hs_buf path;
    hs_buf_init(&path);
    hs_buf_adds(&path, "/api/v1/namespaces/");
    kube_path_escape(&path, ns);
    hs_buf_adds(&path, "/events");
    struct post *p = hs_calloc(1, sizeof(*p));
    p->r = r;
    struct hs_buf what;
    hs_buf_init(&what);
    hs_buf_addf(&what, "%s on %s %s%s%s", reason, obj->kind, obj->ns ? obj->ns : "",
                obj->ns ? "/" : "", obj->name);
    p->what = hs_buf_detach(&what);
    struct kube_request_options o = { 0 };
    o.verb = "POST";
    o.path = path.data;
    o.subject = "events";
    o.body = body;
    o.body_len = strlen(body);
    o.on_done = on_posted;
    o.ctx = p;
    struct hs_err err = { 0 };
    enum hs_code rc = kube_request_start(r->c, &o, &p->req, &err);
    free(body);
    hs_buf_release(&path);
    if (rc) {
        r->failures++;
        HS_WARN("cannot record event %s: %s", p->what, err.msg);
        hs_free(p->what);
        hs_free(p);
        return HS_OK;
    }
    HS_GROW(r->posts, r->cap_posts, r->n_posts + 1);
    r->posts[r->n_posts++] = p;
    r->in_flight++;
    return HS_OK;
}

size_t kube_recorder_in_flight(const struct kube_recorder *r)
{
    return r->in_flight;
}

uint64_t kube_recorder_failures(const struct kube_recorder *r)
{
    return r->failures;
}
