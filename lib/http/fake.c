/*
 * The fake transport of http/fake.h: a test's handler decides each reply,
 * and two ev_timers per request deliver it (one steps through head and body
 * pieces, one enforces the request's timeout). It reports through the same
 * http__on_header/http__on_body/http__finish as the libcurl transport, so
 * the callbacks, cancellation and shutdown rules are the real ones.
 *
 * It must never open a socket, never call a user callback directly, and
 * never touch a request after http__flush may have freed it.
 */
#include "http/fake.h"
#include "http_int.h"

#include <stdio.h>
#include <string.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/buf.h"

struct fake_backend {
    http_fake_fn fn;
    void *ctx;
};

/* Where a request's delivery stands. */
enum fake_phase {
    FAKE_WAITING, /* delay_ns not over: nothing delivered yet */
    FAKE_BODY,    /* head delivered; one body piece per loop turn */
    FAKE_SILENT,  /* never answers: only the timeout or a cancel ends it */
};

struct fake_req {
    struct http_request *r;
    ev_timer step;
    ev_timer deadline;
    enum fake_phase phase;
    enum hs_code rc;
    char *error;
    int status;
    struct hs_buf head; /* header lines, each ending in '\n' */
    char *body;
    size_t body_len, sent, chunk;
};

static void fake_release(struct http_request *r)
{
    struct fake_req *f = r->be;
    if (!f)
        return;
    ev_timer_stop(r->c->loop, &f->step);
    ev_timer_stop(r->c->loop, &f->deadline);
    hs_free(f->error);
    hs_buf_release(&f->head);
    hs_free(f->body);
    hs_free(f);
    r->be = NULL;
}

/* Delivers the head; returns a code that stops the request, or HS_OK. */
static enum hs_code deliver_head(struct fake_req *f)
{
    char status[32];
    int n = snprintf(status, sizeof(status), "HTTP/1.1 %d Fake\r\n", f->status);
    enum hs_code rc = http__on_header(f->r, status, (size_t)n);
    const char *p = f->head.data;
    while (!rc && *p) {
        const char *nl = strchr(p, '\n');
        rc = http__on_header(f->r, p, (size_t)(nl - p + 1));
        p = nl + 1;
    }
    return rc ? rc : http__on_header(f->r, "\r\n", 2);
}

static void on_step(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    struct fake_req *f = hs_container_of(w, struct fake_req, step);
    struct http_request *r = f->r;
    struct http_client *c = r->c;
    enum hs_code rc = HS_OK;
    c->in_backend++;
    if (f->phase == FAKE_WAITING) {
        f->phase = FAKE_BODY;
        if (f->status)
            rc = deliver_head(f);
    }
    if (!rc && f->status) {
        size_t n = f->body_len - f->sent;
        if (f->chunk && n > f->chunk)
            n = f->chunk;
        rc = http__on_body(r, f->body ? f->body + f->sent : "", n);
        f->sent += n;
    }
    c->in_backend--;
    if (r->state == HTTP__REQ_CANCELED) {
        http__flush(c); /* aborts and frees r and f */
        return;
    }
    if (rc || !f->status || f->sent == f->body_len) {
        enum hs_code final = rc ? rc : f->rc;
        char detail[HS_ERR_MSG_MAX];
        snprintf(detail, sizeof(detail), "%s", f->error ? f->error : "");
        fake_release(r);
        http__finish(r, final, detail);
    } else {
        ev_timer_set(&f->step, 0.0, 0.0);
        ev_timer_start(loop, &f->step);
    }
    http__flush(c);
}

static void on_deadline(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct fake_req *f = hs_container_of(w, struct fake_req, deadline);
    struct http_request *r = f->r;
    struct http_client *c = r->c;
    char detail[96];
    snprintf(detail, sizeof(detail), "Operation timed out after %lld milliseconds (fake transport)",
             (long long)(r->timeout_ns / 1000000));
    fake_release(r);
    http__finish(r, HS_ETIMEDOUT, detail);
    http__flush(c);
}

static enum hs_code fake_init(struct http_client *c, struct hs_err *err)
{
    const struct fake_backend *arg = c->be_arg;
    if (!arg || !arg->fn)
        return hs_err_set(err, HS_EINVAL, "http fake: no handler");
    c->be = hs_memdup(arg, sizeof(*arg));
    return HS_OK;
}

static void fake_backend_release(struct http_client *c)
{
    hs_free(c->be);
    c->be = NULL;
}

static enum hs_code fake_start(struct http_request *r, struct hs_err *err)
{
    struct fake_backend *b = r->c->be;
    const struct http_fake_request req = {
        .method = r->method,
        .url = r->url,
        .headers = r->req_headers,
        .nheaders = r->nreq_headers,
        .body = r->body,
        .body_len = r->body_len,
    };
    struct http_fake_reply reply;
    memset(&reply, 0, sizeof(reply));
    b->fn(b->ctx, &req, &reply);
    if (reply.rc == HS_OK && (reply.status < 100 || reply.status > 999) && !reply.never)
        return hs_err_set(err, HS_EINVAL, "%s %s: fake reply with status %d", r->method, r->url_log,
                          reply.status);

    struct fake_req *f = hs_calloc(1, sizeof(*f));
    f->r = r;
    f->rc = reply.rc;
    f->error = reply.error ? hs_strdup(reply.error) : NULL;
    f->status = reply.status;
    hs_buf_init(&f->head);
    for (size_t i = 0; i < reply.nheaders; i++)
        hs_buf_addf(&f->head, "%s: %s\r\n", reply.headers[i].name, reply.headers[i].value);
    f->body = reply.body_len ? hs_memdup(reply.body, reply.body_len) : NULL;
    f->body_len = reply.body_len;
    f->chunk = reply.chunk;
    f->phase = reply.never ? FAKE_SILENT : FAKE_WAITING;
    r->be = f;
    ev_init(&f->step, on_step);
    ev_init(&f->deadline, on_deadline);
    if (!reply.never) {
        ev_timer_set(&f->step, reply.delay_ns > 0 ? (double)reply.delay_ns / 1e9 : 0.0, 0.0);
        ev_timer_start(r->c->loop, &f->step);
    }
    if (r->timeout_ns > 0) {
        ev_timer_set(&f->deadline, (double)r->timeout_ns / 1e9, 0.0);
        ev_timer_start(r->c->loop, &f->deadline);
    }
    return HS_OK;
}

static const struct http__backend_ops fake_ops = {
    .name = "fake",
    .init = fake_init,
    .release = fake_backend_release,
    .start = fake_start,
    .abort = fake_release,
};

enum hs_code http_client_new_fake(struct ev_loop *loop, const struct http_client_options *opts,
                                  http_fake_fn fn, void *ctx, struct http_client **out,
                                  struct hs_err *err)
{
    const struct fake_backend arg = { .fn = fn, .ctx = ctx };
    return http__client_new_with(loop, opts, &fake_ops, &arg, out, err);
}
