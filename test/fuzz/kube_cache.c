/*
 * Fuzz target for the list+watch path of lib/kube/cache.c end to end: a pod
 * cache over lib/http's fake transport, whose LIST reply is the input's
 * first line and whose WATCH stream is the rest, delivered in pieces of a
 * size the input picks (so lines split anywhere). Everything the API server
 * says goes through the real code: the list scanning, http_lines, the event
 * splitting, ERROR Status events (410 relists), decoding, the table and the
 * pods-by-node and unschedulable indexes.
 *
 * After the stream (or a few requests, or a turn budget) the indexes must
 * agree with the objects: every bound pod sits in its node's array, the
 * arrays hold nothing else, and the unschedulable array holds exactly the
 * pods kube_pod_is_unschedulable says. Freeing the cache must drop every
 * interned reference (the table ends empty). Must never crash, leak or hang;
 * it runs no real timer to its end (backoff stops the run).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "base/intern.h"
#include "base/log.h"
#include "http/fake.h"
#include "kube/cache.h"
#include "kube/client.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REQUESTS 6
#define MAX_TURNS    20000

static const char empty_page[] = "{\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[]}";

struct run {
    const char *list;
    size_t list_len;
    const char *stream;
    size_t stream_len;
    size_t chunk;
    int requests;
};

static void handler(void *ctx, const struct http_fake_request *req, struct http_fake_reply *rep)
{
    struct run *r = ctx;
    if (++r->requests > MAX_REQUESTS) {
        rep->never = true; /* enough: the run ends here */
        return;
    }
    rep->status = 200;
    if (strstr(req->url, "watch=1")) {
        rep->body = r->stream;
        rep->body_len = r->stream_len;
        rep->chunk = r->chunk;
    } else if (strstr(req->url, "continue=")) {
        rep->body = empty_page; /* the last page after a continue */
        rep->body_len = sizeof(empty_page) - 1;
    } else {
        rep->body = r->list;
        rep->body_len = r->list_len;
    }
}

static enum hs_code factory(void *ctx, struct ev_loop *loop, const struct http_client_options *o,
                            struct http_client **out, struct hs_err *err)
{
    return http_client_new_fake(loop, o, handler, ctx, out, err);
}

/* The change callback may read the cache: an added or modified object is
 * there under its key. */
static void on_change(void *ctx, struct kube_cache *c, enum kube_cache_change ch,
                      const struct kube_object *obj)
{
    (void)ctx;
    if (ch == KUBE_CACHE_DELETED)
        return;
    const struct model_pod *p = obj->u.pod;
    if (kube_cache_get(c, p->ns, p->name, NULL) != obj)
        abort();
}

static void check_indexes(struct kube_cache *c)
{
    size_t it = 0, n = 0, bound = 0, unsched = 0;
    const struct kube_object *o;
    while (kube_cache_next(c, &it, &o, NULL)) {
        const struct model_pod *p = o->u.pod;
        n++;
        if (kube_cache_get(c, p->ns, p->name, NULL) != o)
            abort();
        if (kube_pod_is_unschedulable(p))
            unsched++;
        if (!p->node_name)
            continue;
        bound++;
        size_t k = 0;
        struct model_pod *const *on = kube_cache_pods_on_node(c, p->node_name, &k);
        bool found = false;
        for (size_t i = 0; i < k; i++)
            found |= on[i] == p;
        if (!found)
            abort(); /* a bound pod missing from its node's array */
    }
    if (n != kube_cache_len(c))
        abort();
    /* Node arrays hold no stranger: every member is bound to that node, and
     * the sizes, each node counted at its first pod in iteration order,
     * add up to the bound pods. */
    size_t total = 0;
    it = 0;
    while (kube_cache_next(c, &it, &o, NULL)) {
        const struct model_pod *p = o->u.pod;
        if (!p->node_name)
            continue;
        bool first = true;
        size_t it2 = 0;
        const struct kube_object *o2;
        while (kube_cache_next(c, &it2, &o2, NULL) && o2 != o)
            if (o2->u.pod->node_name && strcmp(o2->u.pod->node_name, p->node_name) == 0)
                first = false;
        if (!first)
            continue;
        size_t k = 0;
        struct model_pod *const *on = kube_cache_pods_on_node(c, p->node_name, &k);
        for (size_t i = 0; i < k; i++)
            if (!on[i]->node_name || strcmp(on[i]->node_name, p->node_name) != 0)
                abort();
        total += k;
    }
    if (total != bound)
        abort();
    size_t un = 0;
    struct model_pod *const *u = kube_cache_unschedulable(c, &un);
    if (un != unsched)
        abort();
    for (size_t i = 0; i < un; i++)
        if (!kube_pod_is_unschedulable(u[i]))
            abort();
}

static void discard(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    (void)line;
    (void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hs_log_set_sink(discard, NULL); /* the cache warns about every bad object */
    /* Exact-size heap copies, so ASan sees any read past them. */
    const uint8_t *nl = memchr(data, '\n', size);
    size_t ll = nl ? (size_t)(nl - data) : size;
    size_t sl = nl ? size - ll - 1 : 0;
    char *list = malloc(ll ? ll : 1), *stream = malloc(sl ? sl : 1);
    if (!list || !stream)
        abort();
    memcpy(list, data, ll);
    if (sl)
        memcpy(stream, nl + 1, sl);
    struct run r = { list, ll, stream, sl, size % 3 == 0 ? 0 : 1 + data[size - 1] % 61, 0 };

    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct hs_intern *intern = hs_intern_new();
    struct kube_config cfg = { 0 };
    char server[] = "https://fuzz.invalid";
    cfg.server = server;
    struct kube_client_options co = { 0 };
    co.qps = -1;
    co.http_factory = factory;
    co.http_factory_ctx = &r;
    struct kube_client *client = NULL;
    struct kube_cache *cache = NULL;
    struct hs_err err = { 0 };
    if (kube_client_new(loop, &cfg, &co, &client, &err))
        abort();
    struct kube_cache_options o = { 0 };
    o.intern = intern;
    o.seed = 1;
    o.on_change = on_change;
    if (kube_cache_new(client, KUBE_KIND_POD, &o, &cache, &err))
        abort();
    kube_cache_start(cache);
    for (int turn = 0; turn < MAX_TURNS && r.requests <= MAX_REQUESTS; turn++) {
        ev_run(loop, EVRUN_NOWAIT);
        if (kube_cache_get_state(cache) == KUBE_CACHE_BACKOFF)
            break;
    }
    check_indexes(cache);
    kube_cache_free(&cache);
    kube_client_free(&client);
    if (hs_intern_count(intern) != 0)
        abort(); /* a reference leaked or was dropped twice */
    hs_intern_free(&intern);
    ev_loop_destroy(loop);
    free(list);
    free(stream);
    return 0;
}
