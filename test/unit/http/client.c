/*
 * Tests of lib/http over plain HTTP against server.py on loopback: methods,
 * headers and bodies both ways, statuses, many requests on one loop,
 * keep-alive reuse, streamed bodies cut into lines, timeouts, refused
 * connections, cancellation and freeing a busy client, and argument checks.
 * Every test ends with the loop running dry (no watcher left) and no leak.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/log.h"
#include "harness.h"
#include "http/http.h"
#include "http_int.h"

static struct test_server server;

/* One request's outcome. */
struct result {
    int calls;
    enum hs_code rc;
    int status;
    struct hs_buf body;
    char msg[HS_ERR_MSG_MAX];
    char conn_id[16];
    char x_echo[16];
    char x_multi[16];
    double t_done;
    struct ev_loop *loop;
    struct http_request *req; /* the handle, cleared when it dies */
};

static void result_init(struct result *r, struct ev_loop *loop)
{
    memset(r, 0, sizeof(*r));
    hs_buf_init(&r->body);
    r->loop = loop;
}

static void copy_header(const struct http_response *resp, const char *name, char *dst, size_t n)
{
    const char *v = http_response_header(resp, name);
    snprintf(dst, n, "%s", v ? v : "");
}

static void on_done(void *ctx, enum hs_code rc, const struct http_response *resp,
                    const struct hs_err *err)
{
    struct result *r = ctx;
    r->calls++;
    r->rc = rc;
    r->status = resp->status;
    r->req = NULL;
    hs_buf_clear(&r->body);
    hs_buf_add(&r->body, resp->body, resp->body_len);
    assert_int_equal(resp->body[resp->body_len], '\0');
    snprintf(r->msg, sizeof(r->msg), "%s", err->msg);
    assert_int_equal(err->code, rc);
    copy_header(resp, "x-conn-id", r->conn_id, sizeof(r->conn_id));
    copy_header(resp, "X-ECHO", r->x_echo, sizeof(r->x_echo));
    copy_header(resp, "X-Multi", r->x_multi, sizeof(r->x_multi));
    r->t_done = test_now(r->loop);
}

static char *url(const char *path)
{
    static char buf[512];
    snprintf(buf, sizeof(buf), "http://127.0.0.1:%d%s", server.port, path);
    return buf;
}

static struct http_client *client(struct ev_loop *loop, const struct http_client_options *o)
{
    struct http_client *c = NULL;
    struct hs_err err = { 0 };
    enum hs_code rc = http_client_new(loop, o, &c, &err);
    if (rc)
        fail_msg("http_client_new: %s", err.msg);
    return c;
}

static void start(struct http_client *c, struct http_request_options o, struct result *r)
{
    struct hs_err err = { 0 };
    o.on_done = o.on_done ? o.on_done : on_done;
    o.ctx = o.ctx ? o.ctx : r;
    enum hs_code rc = http_request_start(c, &o, &r->req, &err);
    if (rc)
        fail_msg("http_request_start: %s", err.msg);
}

static int setup(void **state)
{
    (void)state;
    return test_server_start(&server, NULL);
}

static int teardown(void **state)
{
    (void)state;
    test_server_stop(&server);
    return 0;
}

/* ---- tests ---- */

static void get_with_headers(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    struct result r;
    result_init(&r, loop);
    const struct http_header h[] = { { "X-Test", "abc" },
                                     { "Authorization", "Bearer sekret" },
                                     { "X-Empty", "" } };
    start(
        c,
        (struct http_request_options){ .url = url("/echo?q=1&r=two"), .headers = h, .nheaders = 3 },
        &r);
    assert_int_equal(http_client_in_flight(c), 1);
    assert_int_equal(r.calls, 0); /* never from inside start */
    test_run_loop(loop, 60);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.rc, HS_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.msg, "");
    assert_non_null(strstr(r.body.data, "\"method\": \"GET\""));
    assert_non_null(strstr(r.body.data, "\"query\": \"q=1&r=two\""));
    assert_non_null(strstr(r.body.data, "\"x-test\": \"abc\""));
    assert_non_null(strstr(r.body.data, "\"authorization\": \"Bearer sekret\""));
    assert_non_null(strstr(r.body.data, "\"x-empty\": \"\""));
    assert_non_null(strstr(r.body.data, "\"user-agent\": \"hoist/"));
    assert_string_equal(r.x_echo, "yes");
    assert_string_equal(r.x_multi, "one"); /* the first of repeated headers */
    assert_int_equal(http_client_in_flight(c), 0);
    http_client_free(&c);
    assert_null(c);
    http_client_free(&c); /* NULL is fine */
    hs_buf_release(&r.body);
    ev_loop_destroy(loop);
}

static void methods_and_bodies(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, &(struct http_client_options){ .user_agent = "ua/1" });
    struct result post, put, patch, del, head;
    result_init(&post, loop);
    result_init(&put, loop);
    result_init(&patch, loop);
    result_init(&del, loop);
    result_init(&head, loop);
    static const char bin[] = "hello\0world";
    const struct http_header ct[] = { { "Content-Type", "application/octet-stream" } };
    char body[64];
    memcpy(body, bin, sizeof(bin));
    start(c,
          (struct http_request_options){ .method = "POST",
                                         .url = url("/echo"),
                                         .body = body,
                                         .body_len = sizeof(bin) - 1,
                                         .headers = ct,
                                         .nheaders = 1 },
          &post);
    memset(body, 'Z', sizeof(body)); /* the body was copied */
    start(c, (struct http_request_options){ .method = "PUT", .url = url("/echo") }, &put);
    start(c,
          (struct http_request_options){
              .method = "patch", .url = url("/echo"), .body = "{}", .body_len = 2 },
          &patch);
    start(c, (struct http_request_options){ .method = "DELETE", .url = url("/echo") }, &del);
    start(c, (struct http_request_options){ .method = "HEAD", .url = url("/echo") }, &head);
    test_run_loop(loop, 60);

    assert_int_equal(post.rc, HS_OK);
    assert_int_equal(post.status, 200);
    assert_non_null(strstr(post.body.data, "\"method\": \"POST\""));
    assert_non_null(strstr(post.body.data, "\"body\": \"hello\\u0000world\""));
    assert_non_null(strstr(post.body.data, "\"content-type\": \"application/octet-stream\""));
    assert_non_null(strstr(post.body.data, "\"user-agent\": \"ua/1\""));
    assert_null(strstr(post.body.data, "\"expect\""));
    assert_non_null(strstr(put.body.data, "\"method\": \"PUT\""));
    assert_non_null(strstr(put.body.data, "\"content-length\": \"0\""));
    assert_non_null(strstr(patch.body.data, "\"method\": \"PATCH\""));
    assert_non_null(strstr(patch.body.data, "\"body\": \"{}\""));
    assert_non_null(strstr(del.body.data, "\"method\": \"DELETE\""));
    assert_null(strstr(del.body.data, "\"content-length\""));
    assert_int_equal(head.rc, HS_OK);
    assert_int_equal(head.status, 200);
    assert_int_equal(head.body.len, 0);
    assert_string_equal(head.x_echo, "yes");
    http_client_free(&c);
    hs_buf_release(&post.body);
    hs_buf_release(&put.body);
    hs_buf_release(&patch.body);
    hs_buf_release(&del.body);
    hs_buf_release(&head.body);
    ev_loop_destroy(loop);
}

static void statuses_are_not_errors(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    struct result a, b;
    result_init(&a, loop);
    result_init(&b, loop);
    start(c, (struct http_request_options){ .url = url("/status/404") }, &a);
    start(c, (struct http_request_options){ .method = "POST", .url = url("/status/503") }, &b);
    test_run_loop(loop, 60);
    assert_int_equal(a.rc, HS_OK);
    assert_int_equal(a.status, 404);
    assert_string_equal(a.body.data, "status 404\n");
    assert_int_equal(b.rc, HS_OK);
    assert_int_equal(b.status, 503);
    http_client_free(&c);
    hs_buf_release(&a.body);
    hs_buf_release(&b.body);
    ev_loop_destroy(loop);
}

#define NCONC 40

static void many_concurrent(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c =
        client(loop, &(struct http_client_options){ .max_host_connections = 4 });
    static struct result r[NCONC];
    for (int i = 0; i < NCONC; i++) {
        result_init(&r[i], loop);
        char path[64];
        snprintf(path, sizeof(path), "/echo?i=%d", i);
        start(c, (struct http_request_options){ .url = url(path) }, &r[i]);
    }
    assert_int_equal(http_client_in_flight(c), NCONC);
    test_run_loop(loop, 120);
    char seen[NCONC][16];
    int nseen = 0;
    for (int i = 0; i < NCONC; i++) {
        assert_int_equal(r[i].calls, 1);
        assert_int_equal(r[i].rc, HS_OK);
        assert_int_equal(r[i].status, 200);
        char want[32];
        snprintf(want, sizeof(want), "\"query\": \"i=%d\"", i);
        assert_non_null(strstr(r[i].body.data, want));
        int known = 0;
        for (int j = 0; j < nseen; j++)
            known |= !strcmp(seen[j], r[i].conn_id);
        if (!known)
            snprintf(seen[nseen++], sizeof(seen[0]), "%s", r[i].conn_id);
        hs_buf_release(&r[i].body);
    }
    /* max_host_connections holds, and connections were shared */
    assert_in_range(nseen, 1, 4);
    http_client_free(&c);
    ev_loop_destroy(loop);
}

/* Keep-alive: each request starts the next from its on_done. */
struct chain {
    struct http_client *c;
    struct result r[5];
    int next;
};

static void chain_done(void *ctx, enum hs_code rc, const struct http_response *resp,
                       const struct hs_err *err)
{
    struct chain *ch = ctx;
    on_done(&ch->r[ch->next], rc, resp, err);
    if (++ch->next < 5)
        start(
            ch->c,
            (struct http_request_options){ .url = url("/echo"), .on_done = chain_done, .ctx = ch },
            &ch->r[ch->next]);
}

static void keep_alive_reuse(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct chain ch = { .c = client(loop, NULL) };
    for (int i = 0; i < 5; i++)
        result_init(&ch.r[i], loop);
    start(ch.c,
          (struct http_request_options){ .url = url("/echo"), .on_done = chain_done, .ctx = &ch },
          &ch.r[0]);
    test_run_loop(loop, 60);
    assert_int_equal(ch.next, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ch.r[i].rc, HS_OK);
        assert_true(ch.r[i].conn_id[0]);
        assert_string_equal(ch.r[i].conn_id, ch.r[0].conn_id); /* one TCP connection */
        hs_buf_release(&ch.r[i].body);
    }
    http_client_free(&ch.c);
    ev_loop_destroy(loop);
}

/* ---- streaming ---- */

struct stream {
    struct result r;
    struct http_lines lines;
    struct hs_buf got; /* lines joined with '|' */
    int chunks;
    int nlines;
    int stop_at_line;   /* return HS_EPARSE there */
    int cancel_at_line; /* cancel the request there */
    int status_seen;
    struct http_client *c;
    struct result extra;         /* started from a data callback */
    struct http_request *victim; /* canceled from a data callback */
    struct result victim_r;
    struct result pending; /* started and canceled in a data callback */
};

static enum hs_code stream_line(void *ctx, const char *line, size_t len)
{
    struct stream *s = ctx;
    s->nlines++;
    if (s->got.len)
        hs_buf_addc(&s->got, '|');
    hs_buf_add(&s->got, line, len);
    if (s->nlines == s->stop_at_line)
        return HS_EPARSE;
    if (s->nlines == s->cancel_at_line) {
        http_request_cancel(&s->r.req);
        assert_null(s->r.req);
        return HS_ECANCELED;
    }
    if (s->nlines == 1 && s->c) {
        /* Inside libcurl's write callback: starts and cancels wait for it to
         * return. A request started and canceled here never reaches it. */
        start(s->c, (struct http_request_options){ .url = url("/echo?from=data") }, &s->extra);
        http_request_cancel(&s->victim);
        start(s->c, (struct http_request_options){ .url = url("/echo?never=1") }, &s->pending);
        http_request_cancel(&s->pending.req);
        assert_null(s->pending.req);
    }
    return HS_OK;
}

static enum hs_code stream_data(void *ctx, const struct http_response *head, const char *data,
                                size_t len)
{
    struct stream *s = ctx;
    s->chunks++;
    s->status_seen = head->status;
    assert_non_null(http_response_header(head, "X-Conn-Id"));
    assert_int_equal(head->body_len, 0);
    return http_lines_feed(&s->lines, data, len, stream_line, s, NULL);
}

static void stream_done(void *ctx, enum hs_code rc, const struct http_response *resp,
                        const struct hs_err *err)
{
    struct stream *s = ctx;
    on_done(&s->r, rc, resp, err);
    if (rc == HS_OK)
        http_lines_finish(&s->lines, stream_line, s);
    else
        http_lines_clear(&s->lines);
}

static void stream_init(struct stream *s, struct ev_loop *loop)
{
    memset(s, 0, sizeof(*s));
    result_init(&s->r, loop);
    result_init(&s->extra, loop);
    result_init(&s->victim_r, loop);
    result_init(&s->pending, loop);
    http_lines_init(&s->lines, 0);
    hs_buf_init(&s->got);
}

static void stream_release(struct stream *s)
{
    http_lines_release(&s->lines);
    hs_buf_release(&s->got);
    hs_buf_release(&s->r.body);
    hs_buf_release(&s->extra.body);
    hs_buf_release(&s->victim_r.body);
    hs_buf_release(&s->pending.body);
}

static void stream(struct http_client *c, struct stream *s, const char *path)
{
    start(c,
          (struct http_request_options){ .url = url(path),
                                         .on_data = stream_data,
                                         .on_done = stream_done,
                                         .ctx = s,
                                         .timeout_ns = HTTP_NO_TIMEOUT,
                                         .idle_timeout_ns = 30 * (int64_t)1000000000 },
          &s->r);
}

static void stream_lines(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    struct stream s;
    stream_init(&s, loop);
    stream(c, &s, "/stream");
    test_run_loop(loop, 60);
    assert_int_equal(s.r.calls, 1);
    assert_int_equal(s.r.rc, HS_OK);
    assert_int_equal(s.r.status, 200);
    assert_int_equal(s.status_seen, 200);
    assert_int_equal(s.r.body.len, 0); /* streamed, not buffered */
    assert_string_equal(s.got.data, "{\"n\":1}|{\"n\":2}|{\"n\":3}|{\"n\":4}|{\"n\":5}");
    assert_true(s.chunks >= 2); /* it really came in pieces */
    http_client_free(&c);
    stream_release(&s);
    ev_loop_destroy(loop);
}

static void stream_error_status_is_buffered(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    struct stream s;
    stream_init(&s, loop);
    stream(c, &s, "/stream-gone");
    test_run_loop(loop, 60);
    assert_int_equal(s.r.rc, HS_OK);
    assert_int_equal(s.r.status, 410);
    assert_int_equal(s.chunks, 0);
    assert_string_equal(s.r.body.data,
                        "{\"kind\":\"Status\",\"code\":410,\"reason\":\"Expired\"}\n");
    http_client_free(&c);
    stream_release(&s);
    ev_loop_destroy(loop);
}

static void stream_reader_stops(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    struct stream s;
    stream_init(&s, loop);
    s.stop_at_line = 2;
    stream(c, &s, "/stream");
    test_run_loop(loop, 60);
    assert_int_equal(s.r.calls, 1);
    assert_int_equal(s.r.rc, HS_EPARSE);
    assert_int_equal(s.r.status, 200);
    assert_non_null(strstr(s.r.msg, "GET http://127.0.0.1:"));
    assert_non_null(strstr(s.r.msg, "/stream: stream stopped by its reader: EPARSE"));
    assert_int_equal(s.nlines, 2);
    http_client_free(&c);
    stream_release(&s);
    ev_loop_destroy(loop);
}

static void stream_cancel_from_data(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    struct stream s;
    stream_init(&s, loop);
    s.cancel_at_line = 3;
    s.c = c; /* at line 1: start another request and cancel a third */
    start(c, (struct http_request_options){ .url = url("/stall") }, &s.victim_r);
    s.victim = s.victim_r.req;
    stream(c, &s, "/stream");
    test_run_loop(loop, 60);
    assert_int_equal(s.r.calls, 0); /* canceled: no callback */
    assert_int_equal(s.nlines, 3);
    assert_null(s.victim);
    assert_int_equal(s.victim_r.calls, 0);
    assert_int_equal(s.pending.calls, 0);
    assert_int_equal(s.extra.calls, 1); /* started from inside libcurl's callback */
    assert_int_equal(s.extra.rc, HS_OK);
    assert_non_null(strstr(s.extra.body.data, "\"query\": \"from=data\""));
    assert_int_equal(http_client_in_flight(c), 0);
    http_client_free(&c);
    stream_release(&s);
    ev_loop_destroy(loop);
}

/* ---- failures ---- */

static void request_timeout(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    struct result r;
    result_init(&r, loop);
    double t0 = test_now(loop);
    start(c, (struct http_request_options){ .url = url("/stall"), .timeout_ns = 500000000 }, &r);
    test_run_loop(loop, 60);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.rc, HS_ETIMEDOUT);
    assert_true(r.t_done - t0 >= 0.45);
    assert_non_null(strstr(r.msg, "GET http://127.0.0.1:"));
    assert_non_null(strstr(r.msg, "/stall: "));
    assert_non_null(strstr(r.msg, "imed out"));
    http_client_free(&c);
    hs_buf_release(&r.body);
    ev_loop_destroy(loop);
}

static void idle_timeout(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    struct result r;
    result_init(&r, loop);
    double t0 = test_now(loop);
    start(c,
          (struct http_request_options){
              .url = url("/trickle"), .timeout_ns = HTTP_NO_TIMEOUT, .idle_timeout_ns = 700000000 },
          &r);
    test_run_loop(loop, 60);
    assert_int_equal(r.rc, HS_ETIMEDOUT);
    assert_true(r.t_done - t0 >= 0.69);
    assert_true(r.t_done - t0 < 30);
    assert_non_null(strstr(r.msg, "/trickle: no data received for 700 ms"));
    assert_int_equal(r.status, 200); /* the head came, then nothing */
    assert_int_equal(r.body.len, 10);
    http_client_free(&c);
    hs_buf_release(&r.body);
    ev_loop_destroy(loop);
}

static void connection_refused(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    struct result r;
    result_init(&r, loop);
    int port = test_closed_port();
    char u[256], want[256];
    snprintf(u, sizeof(u), "http://user:pw@127.0.0.1:%d/api/v1/pods?token=SEKRET&watch=1", port);
    snprintf(want, sizeof(want), "GET http://127.0.0.1:%d/api/v1/pods: ", port);
    start(c, (struct http_request_options){ .url = u }, &r);
    test_run_loop(loop, 60);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.rc, HS_ECONNECT);
    assert_int_equal(r.status, 0);
    assert_ptr_equal(strstr(r.msg, want), r.msg);
    assert_non_null(strstr(r.msg, "onnect"));
    assert_null(strstr(r.msg, "SEKRET"));
    assert_null(strstr(r.msg, "pw"));
    assert_null(strchr(r.msg, '\n'));
    http_client_free(&c);
    hs_buf_release(&r.body);
    ev_loop_destroy(loop);
}

static void body_limit(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    struct result big, ok;
    result_init(&big, loop);
    result_init(&ok, loop);
    start(c, (struct http_request_options){ .url = url("/big?n=100000"), .max_body = 1000 }, &big);
    start(c, (struct http_request_options){ .url = url("/big?n=1000"), .max_body = 1000 }, &ok);
    test_run_loop(loop, 60);
    assert_int_equal(big.rc, HS_ERANGE);
    assert_non_null(strstr(big.msg, "response body exceeds 1000 bytes"));
    assert_int_equal(ok.rc, HS_OK);
    assert_int_equal(ok.body.len, 1000);
    http_client_free(&c);
    hs_buf_release(&big.body);
    hs_buf_release(&ok.body);
    ev_loop_destroy(loop);
}

/* ---- cancellation and teardown ---- */

struct at {
    ev_timer t;
    struct http_request **cancel;
    struct http_client **free;
};

static void at_fire(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct at *a = hs_container_of(w, struct at, t);
    if (a->cancel)
        http_request_cancel(a->cancel);
    if (a->free)
        http_client_free(a->free);
}

static void cancel_in_flight(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    struct result a, b;
    result_init(&a, loop);
    result_init(&b, loop);
    start(c, (struct http_request_options){ .url = url("/stall") }, &a);
    start(c, (struct http_request_options){ .url = url("/stall"), .timeout_ns = 1500000000 }, &b);
    struct at at = { .cancel = &a.req };
    ev_timer_init(&at.t, at_fire, 0.3, 0.0);
    ev_timer_start(loop, &at.t);
    test_run_loop(loop, 60);
    assert_null(a.req);
    assert_int_equal(a.calls, 0);
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.rc, HS_ETIMEDOUT);
    /* Canceling nothing is fine. */
    struct http_request *none = NULL;
    http_request_cancel(&none);
    http_request_cancel(NULL);
    http_client_free(&c);
    hs_buf_release(&a.body);
    hs_buf_release(&b.body);
    ev_loop_destroy(loop);
}

struct closing {
    struct result r;
    struct http_client *c;
    enum hs_code start_rc;
    struct http_request **cancel_other;
};

static void closing_done(void *ctx, enum hs_code rc, const struct http_response *resp,
                         const struct hs_err *err)
{
    struct closing *x = ctx;
    on_done(&x->r, rc, resp, err);
    struct hs_err e = { 0 };
    struct http_request_options o = { .url = url("/echo"), .on_done = on_done, .ctx = &x->r };
    x->start_rc = http_request_start(x->c, &o, NULL, &e);
    if (x->cancel_other)
        http_request_cancel(x->cancel_other);
}

static void free_with_requests_in_flight(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    struct closing x[3];
    for (int i = 0; i < 3; i++) {
        memset(&x[i], 0, sizeof(x[i]));
        result_init(&x[i].r, loop);
        x[i].c = c;
        start(c,
              (struct http_request_options){
                  .url = url("/stall"), .on_done = closing_done, .ctx = &x[i] },
              &x[i].r);
    }
    x[0].cancel_other = &x[2].r.req; /* canceled during the shutdown: no callback */
    struct at at = { .free = &c };
    ev_timer_init(&at.t, at_fire, 0.3, 0.0);
    ev_timer_start(loop, &at.t);
    test_run_loop(loop, 60);
    assert_null(c);
    assert_int_equal(x[0].r.calls, 1);
    assert_int_equal(x[0].r.rc, HS_ECANCELED);
    assert_non_null(strstr(x[0].r.msg, "GET http://127.0.0.1:"));
    assert_non_null(strstr(x[0].r.msg, "/stall: canceled"));
    assert_int_equal(x[0].start_rc, HS_ESTATE);
    assert_int_equal(x[1].r.calls, 1);
    assert_int_equal(x[1].r.rc, HS_ECANCELED);
    assert_int_equal(x[2].r.calls, 0);
    for (int i = 0; i < 3; i++)
        hs_buf_release(&x[i].r.body);
    ev_loop_destroy(loop);
}

static void free_right_after_start(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    struct result r;
    result_init(&r, loop);
    start(c, (struct http_request_options){ .url = url("/echo") }, &r);
    http_client_free(&c); /* before the loop ever ran */
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.rc, HS_ECANCELED);
    test_run_loop(loop, 60); /* nothing left behind */
    assert_int_equal(r.calls, 1);
    hs_buf_release(&r.body);
    ev_loop_destroy(loop);
}

static void never_called(void *ctx, enum hs_code rc, const struct http_response *resp,
                         const struct hs_err *err)
{
    (void)ctx;
    (void)rc;
    (void)resp;
    (void)err;
    fail_msg("a request that failed to start called back");
}

static void bad_arguments(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    const struct http_header crlf[] = { { "X-Evil", "a\r\nInjected: 1" } };
    const struct http_header badname[] = { { "Bad Name", "v" } };
    const struct {
        struct http_request_options o;
        const char *want;
    } cases[] = {
        { { .url = "ftp://127.0.0.1/x", .on_done = never_called }, "is not http:// or https://" },
        { { .url = "http:///nohost", .on_done = never_called }, "bad URL" },
        { { .url = "http://h/a b", .on_done = never_called }, "bad URL" },
        { { .url = NULL, .on_done = never_called }, "no URL" },
        { { .url = "http://h/", .on_done = NULL }, "no completion callback" },
        { { .url = "http://h/", .method = "GE T", .on_done = never_called }, "bad method" },
        { { .url = "http://h/", .headers = crlf, .nheaders = 1, .on_done = never_called },
          "value of header 'X-Evil'" },
        { { .url = "http://h/", .headers = badname, .nheaders = 1, .on_done = never_called },
          "bad header name" },
        { { .url = "http://h/", .timeout_ns = -5, .on_done = never_called }, "negative timeout" },
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(cases); i++) {
        struct hs_err err = { 0 };
        struct http_request *req = (struct http_request *)&err; /* must stay untouched */
        assert_int_equal(http_request_start(c, &cases[i].o, &req, &err), HS_EINVAL);
        assert_ptr_equal(req, (struct http_request *)&err);
        if (!strstr(err.msg, cases[i].want))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].want);
        assert_null(strstr(err.msg, "Injected"));
    }
    assert_int_equal(http_client_in_flight(c), 0);
    test_run_loop(loop, 60);
    http_client_free(&c);

    const struct {
        struct http_client_options o;
        const char *want;
    } bad_opts[] = {
        { { .ca_file = "/a", .ca_pem = "x", .ca_pem_len = 1 }, "both a CA file and CA data" },
        { { .client_cert_file = "/c" }, "needs a key" },
        { { .client_key_pem = "k", .client_key_pem_len = 1 }, "needs a key" },
        { { .tls_server_name = "a:b" }, "bad TLS server name" },
        { { .user_agent = "a\nb" }, "line break" },
        { { .connect_timeout_ns = -1 }, "negative" },
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(bad_opts); i++) {
        struct hs_err err = { 0 };
        assert_int_equal(http_client_new(loop, &bad_opts[i].o, &c, &err), HS_EINVAL);
        assert_null(c);
        if (!strstr(err.msg, bad_opts[i].want))
            fail_msg("options case %zu: '%s' lacks '%s'", i, err.msg, bad_opts[i].want);
    }
    struct hs_err err = { 0 };
    assert_int_equal(http_client_new(NULL, NULL, &c, &err), HS_EINVAL);
    ev_loop_destroy(loop);
}

static void url_for_log(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        { "https://h:6443/api/v1/pods?watch=1&token=x", "https://h:6443/api/v1/pods" },
        { "https://user:pass@h/p#frag", "https://h/p" },
        { "http://h?q", "http://h" },
        { "http://a@b@h/x@y?z", "http://h/x@y" },
        { "https://[::1]:8443/", "https://[::1]:8443/" },
        { "no-scheme/path?q", "no-scheme/path" },
        { "", "" },
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(cases); i++) {
        char *got = http__url_for_log(cases[i].in);
        assert_string_equal(got, cases[i].want);
        hs_free(got);
    }
}

/* Logs at -v 6 name method and URL but never a header value or a query. */
static struct hs_buf logged;

static void sink(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    hs_buf_add(&logged, line, len);
}

static void logs_hide_secrets(void **state)
{
    (void)state;
    hs_buf_init(&logged);
    hs_log_set_sink(sink, NULL);
    hs_log_set_verbosity(10);
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = client(loop, NULL);
    struct result r;
    result_init(&r, loop);
    const struct http_header h[] = { { "Authorization", "Bearer sekret-token-value" } };
    start(c,
          (struct http_request_options){
              .url = url("/echo?X-Amz-Signature=abcdef"), .headers = h, .nheaders = 1 },
          &r);
    test_run_loop(loop, 60);
    http_client_free(&c);
    hs_log_set_verbosity(0);
    hs_log_set_sink(NULL, NULL);
    assert_int_equal(r.rc, HS_OK);
    assert_non_null(strstr(logged.data, "HTTP GET http://127.0.0.1:"));
    assert_non_null(strstr(logged.data, "/echo: 200"));
    assert_null(strstr(logged.data, "sekret"));
    assert_null(strstr(logged.data, "abcdef"));
    hs_buf_release(&logged);
    hs_buf_release(&r.body);
    ev_loop_destroy(loop);
}

int main(void)
{
    if (getenv("HTTP_TEST_V"))
        hs_log_set_verbosity(atoi(getenv("HTTP_TEST_V")));
    if (getenv("HTTP_TEST_ONLY"))
        cmocka_set_test_filter(getenv("HTTP_TEST_ONLY"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(get_with_headers),
        cmocka_unit_test(methods_and_bodies),
        cmocka_unit_test(statuses_are_not_errors),
        cmocka_unit_test(many_concurrent),
        cmocka_unit_test(keep_alive_reuse),
        cmocka_unit_test(stream_lines),
        cmocka_unit_test(stream_error_status_is_buffered),
        cmocka_unit_test(stream_reader_stops),
        cmocka_unit_test(stream_cancel_from_data),
        cmocka_unit_test(request_timeout),
        cmocka_unit_test(idle_timeout),
        cmocka_unit_test(connection_refused),
        cmocka_unit_test(body_limit),
        cmocka_unit_test(cancel_in_flight),
        cmocka_unit_test(free_with_requests_in_flight),
        cmocka_unit_test(free_right_after_start),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(url_for_log),
        cmocka_unit_test(logs_hide_secrets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
