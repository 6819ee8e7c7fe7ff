/*
 * Tests of lib/http/fake.c, and through it of the transport-independent
 * bookkeeping in client.c with exact control over timing: the handler sees
 * the request as sent, replies arrive late or in one-byte pieces, injected
 * transport errors and timeouts reach on_done with their message, and
 * cancel and free behave as http.h promises. No sockets.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include <ev.h>

#include "base/buf.h"
#include "harness.h"
#include "http/fake.h"
#include "http/http.h"

/* What the handler answers, and what it saw. */
struct script {
    struct http_fake_reply reply;
    int seen;
    char method[16];
    char url[256];
    char auth[64];
    struct hs_buf body;
};

static void handler(void *ctx, const struct http_fake_request *req, struct http_fake_reply *reply)
{
    struct script *s = ctx;
    s->seen++;
    snprintf(s->method, sizeof(s->method), "%s", req->method);
    snprintf(s->url, sizeof(s->url), "%s", req->url);
    for (size_t i = 0; i < req->nheaders; i++)
        if (!strcmp(req->headers[i].name, "Authorization"))
            snprintf(s->auth, sizeof(s->auth), "%s", req->headers[i].value);
    hs_buf_clear(&s->body);
    hs_buf_add(&s->body, req->body, req->body_len);
    *reply = s->reply;
}

struct result {
    int calls;
    enum hs_code rc;
    int status;
    struct hs_buf body;
    char msg[HS_ERR_MSG_MAX];
    char ctype[64];
    double t;
    struct ev_loop *loop;
    /* streaming */
    struct http_lines lines;
    struct hs_buf got;
    int chunks;
};

static void on_done(void *ctx, enum hs_code rc, const struct http_response *resp,
                    const struct hs_err *err)
{
    struct result *r = ctx;
    r->calls++;
    r->rc = rc;
    r->status = resp->status;
    hs_buf_add(&r->body, resp->body, resp->body_len);
    snprintf(r->msg, sizeof(r->msg), "%s", err->msg);
    const char *ct = http_response_header(resp, "content-type");
    snprintf(r->ctype, sizeof(r->ctype), "%s", ct ? ct : "");
    r->t = test_now(r->loop);
}

static enum hs_code on_line(void *ctx, const char *line, size_t len)
{
    struct result *r = ctx;
    if (r->got.len)
        hs_buf_addc(&r->got, '|');
    hs_buf_add(&r->got, line, len);
    return HS_OK;
}

static enum hs_code on_data(void *ctx, const struct http_response *head, const char *data,
                            size_t len)
{
    struct result *r = ctx;
    (void)head;
    r->chunks++;
    return http_lines_feed(&r->lines, data, len, on_line, r, NULL);
}

struct fixture {
    struct ev_loop *loop;
    struct http_client *c;
    struct script s;
    struct result r;
};

static struct fixture *fx_new(void)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->loop = ev_loop_new(EVFLAG_AUTO);
    hs_buf_init(&f->s.body);
    hs_buf_init(&f->r.body);
    hs_buf_init(&f->r.got);
    http_lines_init(&f->r.lines, 0);
    f->r.loop = f->loop;
    struct hs_err err = { 0 };
    if (http_client_new_fake(f->loop, NULL, handler, &f->s, &f->c, &err))
        fail_msg("http_client_new_fake: %s", err.msg);
    return f;
}

static void fx_free(struct fixture *f)
{
    http_client_free(&f->c);
    test_run_loop(f->loop, 10);
    ev_loop_destroy(f->loop);
    hs_buf_release(&f->s.body);
    hs_buf_release(&f->r.body);
    hs_buf_release(&f->r.got);
    http_lines_release(&f->r.lines);
    free(f);
}

static struct http_request *go(struct fixture *f, struct http_request_options o)
{
    struct http_request *req = NULL;
    struct hs_err err = { 0 };
    o.on_done = on_done;
    o.ctx = &f->r;
    if (http_request_start(f->c, &o, &req, &err))
        fail_msg("http_request_start: %s", err.msg);
    return req;
}

static void reply_and_request_as_seen(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    const struct http_header rh[] = { { "Content-Type", "text/xml" } };
    f->s.reply = (struct http_fake_reply){
        .status = 200, .headers = rh, .nheaders = 1, .body = "<ok/>", .body_len = 5
    };
    const struct http_header h[] = { { "Authorization", "AWS4-HMAC-SHA256 sig" } };
    go(f, (struct http_request_options){ .method = "post",
                                         .url = "https://autoscaling.us-east-1.amazonaws.com/",
                                         .headers = h,
                                         .nheaders = 1,
                                         .body = "Action=DescribeAutoScalingGroups",
                                         .body_len = 32 });
    assert_int_equal(f->s.seen, 1);
    assert_int_equal(f->r.calls, 0);
    test_run_loop(f->loop, 10);
    assert_string_equal(f->s.method, "POST");
    assert_string_equal(f->s.url, "https://autoscaling.us-east-1.amazonaws.com/");
    assert_string_equal(f->s.auth, "AWS4-HMAC-SHA256 sig");
    assert_string_equal(f->s.body.data, "Action=DescribeAutoScalingGroups");
    assert_int_equal(f->r.calls, 1);
    assert_int_equal(f->r.rc, HS_OK);
    assert_int_equal(f->r.status, 200);
    assert_string_equal(f->r.body.data, "<ok/>");
    assert_string_equal(f->r.ctype, "text/xml");
    fx_free(f);
}

static void injected_transport_error(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    f->s.reply = (struct http_fake_reply){ .rc = HS_ECONNECT,
                                           .error = "Failed to connect: Connection refused" };
    go(f, (struct http_request_options){ .url = "https://ec2.us-east-1.amazonaws.com/?a=SECRET" });
    test_run_loop(f->loop, 10);
    assert_int_equal(f->r.rc, HS_ECONNECT);
    assert_int_equal(f->r.status, 0);
    assert_string_equal(f->r.msg, "GET https://ec2.us-east-1.amazonaws.com/: Failed to connect: "
                                  "Connection refused");
    fx_free(f);
}

static void broken_mid_body(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    f->s.reply = (struct http_fake_reply){
        .rc = HS_EIO, .status = 200, .body = "{\"a\":1}\n{\"b", .body_len = 12, .chunk = 5
    };
    go(f,
       (struct http_request_options){ .url = "http://k/api/v1/pods?watch=1", .on_data = on_data });
    test_run_loop(f->loop, 10);
    assert_int_equal(f->r.rc, HS_EIO);
    assert_int_equal(f->r.status, 200);
    assert_int_equal(f->r.chunks, 3);
    assert_string_equal(f->r.got.data, "{\"a\":1}"); /* the half line never came out */
    assert_non_null(strstr(f->r.msg, "GET http://k/api/v1/pods: "));
    fx_free(f);
}

static void one_byte_pieces_make_lines(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    static const char body[] =
        "{\"type\":\"ADDED\"}\n{\"type\":\"MODIFIED\"}\r\n{\"type\":\"DELETED\"}\n";
    f->s.reply = (struct http_fake_reply){
        .status = 200, .body = body, .body_len = sizeof(body) - 1, .chunk = 1
    };
    go(f, (struct http_request_options){ .url = "http://k/w", .on_data = on_data });
    test_run_loop(f->loop, 10);
    assert_int_equal(f->r.rc, HS_OK);
    assert_int_equal(f->r.chunks, (int)sizeof(body) - 1);
    assert_string_equal(f->r.got.data,
                        "{\"type\":\"ADDED\"}|{\"type\":\"MODIFIED\"}|{\"type\":\"DELETED\"}");
    assert_int_equal(f->r.body.len, 0);
    fx_free(f);
}

static void late_reply_and_timeout(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    f->s.reply = (struct http_fake_reply){ .status = 204, .delay_ns = 200000000 };
    double t0 = test_now(f->loop);
    go(f, (struct http_request_options){ .url = "http://h/late" });
    test_run_loop(f->loop, 10);
    assert_int_equal(f->r.rc, HS_OK);
    assert_int_equal(f->r.status, 204);
    assert_true(f->r.t - t0 >= 0.19);

    f->r.calls = 0;
    f->s.reply = (struct http_fake_reply){ .never = true };
    t0 = test_now(f->loop);
    go(f, (struct http_request_options){ .url = "http://h/never", .timeout_ns = 300000000 });
    test_run_loop(f->loop, 10);
    assert_int_equal(f->r.calls, 1);
    assert_int_equal(f->r.rc, HS_ETIMEDOUT);
    assert_true(f->r.t - t0 >= 0.29);
    assert_string_equal(f->r.msg, "GET http://h/never: Operation timed out after 300 milliseconds "
                                  "(fake transport)");

    /* The idle timeout is the client's own: it works on any transport. */
    f->r.calls = 0;
    t0 = test_now(f->loop);
    go(f, (struct http_request_options){ .url = "http://h/quiet",
                                         .timeout_ns = HTTP_NO_TIMEOUT,
                                         .idle_timeout_ns = 200000000 });
    test_run_loop(f->loop, 10);
    assert_int_equal(f->r.calls, 1);
    assert_int_equal(f->r.rc, HS_ETIMEDOUT);
    assert_true(f->r.t - t0 >= 0.19);
    assert_string_equal(f->r.msg, "GET http://h/quiet: no data received for 200 ms");
    fx_free(f);
}

static void cancel_and_free(void **state)
{
    (void)state;
    struct fixture *f = fx_new();
    f->s.reply = (struct http_fake_reply){ .never = true };
    struct http_request *a = go(f, (struct http_request_options){ .url = "http://h/a" });
    go(f, (struct http_request_options){ .url = "http://h/b" });
    assert_int_equal(http_client_in_flight(f->c), 2);
    http_request_cancel(&a);
    assert_null(a);
    assert_int_equal(http_client_in_flight(f->c), 1);
    http_client_free(&f->c);
    assert_int_equal(f->r.calls, 1); /* b only */
    assert_int_equal(f->r.rc, HS_ECANCELED);
    fx_free(f);
}

static void bad_fake(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = NULL;
    struct hs_err err = { 0 };
    assert_int_equal(http_client_new_fake(loop, NULL, NULL, NULL, &c, &err), HS_EINVAL);
    assert_null(c);
    assert_string_equal(err.msg, "http fake: no handler");
    ev_loop_destroy(loop);

    struct fixture *f = fx_new();
    f->s.reply = (struct http_fake_reply){ .status = 0 }; /* a reply without a status */
    struct http_request_options o = { .url = "http://h/", .on_done = on_done, .ctx = &f->r };
    hs_err_clear(&err);
    assert_int_equal(http_request_start(f->c, &o, NULL, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "fake reply with status 0"));
    test_run_loop(f->loop, 10);
    assert_int_equal(f->r.calls, 0);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reply_and_request_as_seen),
        cmocka_unit_test(injected_transport_error),
        cmocka_unit_test(broken_mid_body),
        cmocka_unit_test(one_byte_pieces_make_lines),
        cmocka_unit_test(late_reply_and_timeout),
        cmocka_unit_test(cancel_and_free),
        cmocka_unit_test(bad_fake),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
