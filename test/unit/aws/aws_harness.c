/*
 * The shared helpers of lib/aws's client and cache tests (see
 * aws_harness.h). Everything runs on the test's loop through lib/http's
 * fake transport; nothing here opens a socket or sleeps.
 */
#include "aws_harness.h"
#include "hs_test.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/log.h"

void fake_aws_init(struct fake_aws *f)
{
    memset(f, 0, sizeof(*f));
    hs_buf_init(&f->scratch);
}

void fake_aws_release(struct fake_aws *f)
{
    for (size_t i = 0; i < f->n_seen; i++) {
        hs_free(f->seen[i].method);
        hs_free(f->seen[i].url);
        hs_free(f->seen[i].body);
        hs_free(f->seen[i].headers);
    }
    hs_buf_release(&f->scratch);
    memset(f, 0, sizeof(*f));
}

void fake_aws_push(struct fake_aws *f, int status, const char *body)
{
    assert_true(f->n_script < SCRIPT_MAX);
    f->script[f->n_script++] = (struct scripted){ .status = status, .body = body };
}

void fake_aws_push_rc(struct fake_aws *f, enum hs_code rc)
{
    assert_true(f->n_script < SCRIPT_MAX);
    f->script[f->n_script++] = (struct scripted){ .rc = rc };
}

static void record(struct fake_aws *f, const struct http_fake_request *req)
{
    if (f->n_seen >= sizeof(f->seen) / sizeof(f->seen[0]))
        return;
    struct seen *s = &f->seen[f->n_seen++];
    s->method = hs_strdup(req->method);
    s->url = hs_strdup(req->url);
    s->body = hs_strndup(req->body ? req->body : "", req->body_len);
    struct hs_buf b;
    hs_buf_init(&b);
    for (size_t i = 0; i < req->nheaders; i++) {
        for (const char *p = req->headers[i].name; *p; p++)
            hs_buf_addc(&b, (char)tolower((unsigned char)*p));
        hs_buf_addf(&b, ": %s\n", req->headers[i].value);
    }
    s->headers = hs_buf_detach(&b);
}

void fake_aws_serve(void *ctx, const struct http_fake_request *req, struct http_fake_reply *reply)
{
    struct fake_aws *f = ctx;
    record(f, req);
    if (f->next < f->n_script) {
        const struct scripted *s = &f->script[f->next++];
        reply->rc = s->rc;
        reply->status = s->status;
        reply->body = s->body;
        reply->body_len = s->body ? strlen(s->body) : 0;
        reply->delay_ns = s->delay_ns;
        reply->never = s->never;
        if (s->date) {
            f->hdr[0] = (struct http_header){ "Date", s->date };
            reply->headers = f->hdr;
            reply->nheaders = 1;
        }
        return;
    }
    if (f->handler && f->handler(f, req, reply))
        return;
    reply->status = 500;
    reply->body = "<ErrorResponse><Error><Code>InternalFailure</Code><Message>script "
                  "exhausted</Message></Error></ErrorResponse>";
    reply->body_len = strlen(reply->body);
}

char *fake_aws_header(const struct fake_aws *f, size_t i, const char *name)
{
    if (i >= f->n_seen)
        return NULL;
    const char *p = f->seen[i].headers;
    size_t n = strlen(name);
    while (*p) {
        const char *nl = strchr(p, '\n');
        if (strncmp(p, name, n) == 0 && p[n] == ':')
            return hs_strndup(p + n + 2, (size_t)(nl - p) - n - 2);
        p = nl + 1;
    }
    return NULL;
}

/* ---- logs ---- */

static struct hs_buf captured;
static bool capturing;

static void sink(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    hs_buf_add(&captured, line, len);
}

void log_capture_start(void)
{
    if (!capturing)
        hs_buf_init(&captured);
    capturing = true;
    hs_log_set_verbosity(10);
    hs_log_set_sink(sink, NULL);
}

const char *log_captured(void)
{
    return capturing ? captured.data : "";
}

void log_capture_stop(void)
{
    hs_log_set_sink(NULL, NULL);
    hs_log_set_verbosity(0);
    if (capturing)
        hs_buf_release(&captured);
    capturing = false;
}

/* ---- loop ---- */

struct deadline {
    bool hit;
};

static void on_deadline(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    ((struct deadline *)t->data)->hit = true;
}

void run_until(struct ev_loop *loop, bool (*done)(void *ctx), void *ctx, double limit_s)
{
    struct deadline d = { false };
    ev_timer t;
    ev_timer_init(&t, on_deadline, limit_s, 0.);
    t.data = &d;
    ev_timer_start(loop, &t);
    ev_unref(loop); /* the deadline alone does not keep the loop alive */
    while (!done(ctx) && !d.hit) {
        if (!ev_run(loop, EVRUN_ONCE))
            break;
    }
    ev_ref(loop);
    ev_timer_stop(loop, &t);
    if (!done(ctx))
        fail_msg("condition not reached within %.1f s%s", limit_s,
                 d.hit ? "" : " (the loop ran out of watchers)");
}

char *testdata_read(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", hs_testdata_dir(), rel);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s", path);
    struct hs_buf b;
    hs_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
        hs_buf_add(&b, chunk, n);
    fclose(fp);
    return hs_buf_detach(&b);
}
