/*
 * The AWS API client (see aws/client.h): per call, a small state machine
 * that gets credentials, signs, sends, judges the answer and retries by
 * the SDKs' standard mode. Everything runs on the loop; nothing blocks.
 *
 * Must never: log or report the Authorization header, the signature, the
 * secret key or the session token (the signer's result is wiped as soon as
 * lib/http has copied the headers); retry a non-idempotent call after the
 * request may have been executed; call a callback from inside
 * aws_client_call.
 */
#include "aws/client.h"
#include "aws/creds_cache.h"
#include "aws/retry.h"
#include "aws/sigv4.h"
#include "client_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/rng.h"
#include "http/http.h"
#include "model/asg.h"

#define DEFAULT_ATTEMPT_TIMEOUT (30 * HS_SEC)
#define MAX_RESPONSE_BODY       ((size_t)64 * 1024 * 1024)
#define CONTENT_TYPE            "application/x-www-form-urlencoded; charset=utf-8"

struct endpoint {
    char *url;         /* scheme://host[:port][/path], no trailing slash */
    char *host;        /* the Host header */
    char *path;        /* the request path: "/" or the configured URL's path */
    char *target;      /* url + path when the URL had none: what is requested */
    struct hs_err err; /* why it could not be resolved (url NULL) */
};

/* Where a call is. */
enum call_state {
    CALL_WAIT_CREDS, /* queued on the credentials cache */
    CALL_IN_FLIGHT,  /* an HTTP attempt is in flight */
    CALL_BACKOFF,    /* the timer runs until the next attempt */
    CALL_FINISHING,  /* the outcome is decided; the 0 s timer delivers it */
};

struct aws_call {
    struct aws_client *c;
    struct aws_call *prev, *next;
    enum call_state state;
    enum aws_service svc;
    char *action;
    char *body;
    size_t body_len;
    unsigned flags;
    aws_call_fn fn;
    void *ctx;
    struct http_request *req;
    struct aws_creds_waiter waiter;
    ev_timer timer;
    unsigned attempts;  /* sent so far */
    int last_quota;     /* tokens the most recent retry took */
    bool skew_retried;  /* the one clock-skew retry was used */
    bool token_retried; /* the one expired-token retry was used */
    bool throttled;     /* some attempt was throttled */
    int64_t started;    /* mono ns */
    int64_t attempt_at; /* mono ns of the current attempt */
    /* CALL_FINISHING: what to deliver. */
    enum hs_code final_rc;
    struct hs_err final_err;
};

struct aws_client {
    struct ev_loop *loop;
    struct http_client *http;
    struct aws_creds_cache *creds;
    struct hs_clock *clock;
    char *region;
    struct endpoint ep[AWS_SERVICE__COUNT];
    struct aws_sigv4_signer *signer;
    int max_attempts;
    int64_t base, cap, attempt_timeout;
    struct aws_retry_quota quota;
    struct hs_rng rng;
    int64_t skew_ns;
    struct aws_call *calls;
    bool freeing;
    struct model_instance_type_list types; /* DescribeInstanceTypes cache (ops.c) */
    bool types_complete;                   /* every type of the region is in it */
    struct aws_client_stats stats;
};

struct model_instance_type_list *aws__client_type_cache(struct aws_client *c)
{
    return &c->types;
}

bool *aws__client_types_complete(struct aws_client *c)
{
    return &c->types_complete;
}

struct ev_loop *aws__client_loop(struct aws_client *c)
{
    return c->loop;
}

/* ---- setup ---- */

static int env_max_attempts(void)
{
    const char *v = getenv("AWS_MAX_ATTEMPTS");
    if (!v || !*v)
        return 0;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < 1 || n > 100)
        return -1;
    return (int)n;
}

static void resolve_endpoint(struct endpoint *e, enum aws_service s, const char *region,
                             const struct aws_endpoint_config *ec)
{
    if (aws_endpoint_resolve(s, region, ec, &e->url, &e->err))
        return;
    if (aws_url_split(e->url, &e->host, &e->path, &e->err)) {
        hs_free(e->url);
        e->url = NULL;
        return;
    }
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_adds(&b, e->url);
    if (strcmp(e->path, "/") == 0 && (b.len == 0 || b.data[b.len - 1] != '/'))
        hs_buf_addc(&b, '/');
    e->target = hs_buf_detach(&b);
}

enum hs_code aws_client_new(struct ev_loop *loop, struct http_client *http,
                            struct aws_creds_cache *creds, const struct aws_client_options *o,
                            struct aws_client **out, struct hs_err *err)
{
    static const struct aws_client_options defaults = { 0 };
    if (!o)
        o = &defaults;
    int env_attempts = env_max_attempts();
    if (o->max_attempts < 0 || (o->max_attempts == 0 && env_attempts < 0))
        return hs_err_set(err, HS_EINVAL,
                          "AWS_MAX_ATTEMPTS must be a whole number from 1 to 100, not \"%s\"",
                          getenv("AWS_MAX_ATTEMPTS"));
    if ((o->backoff_base_ns < 0) || (o->backoff_cap_ns < 0) || o->attempt_timeout_ns < 0)
        return hs_err_set(err, HS_EINVAL, "AWS client: negative durations");
    struct aws_endpoint_config env;
    const struct aws_endpoint_config *ec = o->endpoints;
    if (!ec) {
        aws_endpoint_config_from_process(&env);
        ec = &env;
    }
    struct aws_client *c = hs_calloc(1, sizeof(*c));
    c->loop = loop;
    c->http = http;
    c->creds = creds;
    c->clock = o->clock ? o->clock : hs_clock_real();
    c->region = o->region ? hs_strdup(o->region) : NULL;
    for (int s = 0; s < AWS_SERVICE__COUNT; s++)
        resolve_endpoint(&c->ep[s], (enum aws_service)s, c->region, ec);
    /* The services every hoist run needs must resolve now. */
    for (int s = 0; s < AWS_SERVICE__COUNT; s++) {
        if (s != AWS_SERVICE_STS && !c->ep[s].url) {
            enum hs_code rc = hs_err_set(
                err, c->ep[s].err.code ? c->ep[s].err.code : HS_EINVAL, "%s endpoint: %s",
                aws_service_info((enum aws_service)s)->endpoint_prefix, c->ep[s].err.msg);
            aws_client_free(&c);
            return rc;
        }
    }
    c->signer = aws_sigv4_signer_new();
    c->max_attempts = o->max_attempts ? o->max_attempts
                      : env_attempts  ? env_attempts
                                      : AWS_RETRY_MAX_ATTEMPTS;
    c->base = o->backoff_base_ns ? o->backoff_base_ns : AWS_RETRY_BASE_NS;
    c->cap = o->backoff_cap_ns ? o->backoff_cap_ns : AWS_RETRY_CAP_NS;
    if (c->cap < c->base)
        c->cap = c->base;
    c->attempt_timeout = o->attempt_timeout_ns ? o->attempt_timeout_ns : DEFAULT_ATTEMPT_TIMEOUT;
    aws_retry_quota_init(&c->quota, o->retry_quota);
    hs_rng_seed(&c->rng, o->seed ? o->seed : (uint64_t)hs_clock_mono(c->clock));
    model_instance_type_list_init(&c->types);
    *out = c;
    return HS_OK;
}

static void call_free(struct aws_call *call);

void aws_client_free(struct aws_client **cp)
{
    if (!cp || !*cp)
        return;
    struct aws_client *c = *cp;
    *cp = NULL;
    c->freeing = true;
    struct hs_err err = { 0 };
    hs_err_set(&err, HS_ECANCELED, "AWS client freed");
    while (c->calls) {
        struct aws_call *call = c->calls;
        aws_call_fn fn = call->fn;
        void *ctx = call->ctx;
        call_free(call);
        struct aws_response resp = { .body = "" };
        fn(ctx, HS_ECANCELED, &resp, &err);
    }
    for (int s = 0; s < AWS_SERVICE__COUNT; s++) {
        hs_free(c->ep[s].url);
        hs_free(c->ep[s].host);
        hs_free(c->ep[s].path);
        hs_free(c->ep[s].target);
    }
    aws_sigv4_signer_free(&c->signer);
    model_instance_type_list_release(&c->types);
    hs_free(c->region);
    hs_free(c);
}

const char *aws_client_region(const struct aws_client *c)
{
    return c->region;
}

const char *aws_client_endpoint(const struct aws_client *c, enum aws_service s)
{
    if ((unsigned)s >= AWS_SERVICE__COUNT)
        return NULL;
    return c->ep[s].url;
}

void aws_client_stats(const struct aws_client *c, struct aws_client_stats *out)
{
    *out = c->stats;
    out->quota_available = c->quota.available;
    out->skew_ns = c->skew_ns;
}

/* ---- one call ---- */

static void call_unlink(struct aws_call *call)
{
    struct aws_client *c = call->c;
    if (call->prev)
        call->prev->next = call->next;
    else
        c->calls = call->next;
    if (call->next)
        call->next->prev = call->prev;
    call->prev = call->next = NULL;
}

/* Stops whatever the call waits on and frees it (no callback). */
static void call_free(struct aws_call *call)
{
    struct aws_client *c = call->c;
    if (call->req)
        http_request_cancel(&call->req);
    if (c->creds)
        aws_creds_cache_unwait(c->creds, &call->waiter);
    ev_timer_stop(c->loop, &call->timer);
    call_unlink(call);
    c->stats.in_flight--;
    hs_free(call->action);
    hs_free(call->body);
    hs_free(call);
}

static void attempt(struct aws_call *call);

/* Delivers the outcome and frees the call. */
static void deliver(struct aws_call *call, enum hs_code rc, const struct aws_response *resp,
                    const struct hs_err *err)
{
    aws_call_fn fn = call->fn;
    void *ctx = call->ctx;
    int64_t ms = (hs_clock_mono(call->c->clock) - call->started) / HS_MSEC;
    HS_V(3, "AWS %s: %s in %lld ms, %u attempt(s)", call->action, rc ? hs_errname(rc) : "ok",
         (long long)ms, call->attempts);
    call_free(call);
    fn(ctx, rc, resp, err);
}

static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    struct aws_call *call = hs_container_of(t, struct aws_call, timer);
    if (call->state == CALL_FINISHING) {
        struct aws_response resp = { .body = "",
                                     .attempts = call->attempts,
                                     .throttled = call->throttled };
        struct hs_err err = call->final_err;
        deliver(call, call->final_rc, &resp, &err);
        return;
    }
    attempt(call);
}

/* Decides the outcome without a response at hand; delivered from the loop. */
static void finish_soon(struct aws_call *call, enum hs_code rc, const struct hs_err *err)
{
    call->state = CALL_FINISHING;
    call->final_rc = rc;
    hs_err_clear(&call->final_err);
    hs_err_set(&call->final_err, rc, "%s: %s", call->action, err ? err->msg : hs_strerror(rc));
    call->final_err.http_status = err ? err->http_status : 0;
    ev_timer_stop(call->c->loop, &call->timer);
    ev_timer_set(&call->timer, 0., 0.);
    ev_timer_start(call->c->loop, &call->timer);
}

static void on_creds(void *ctx, enum hs_code rc, const struct hs_err *err)
{
    struct aws_call *call = ctx;
    if (rc) {
        struct hs_err e = { 0 };
        hs_err_set(&e, rc, "no AWS credentials: %s", err ? err->msg : hs_strerror(rc));
        struct aws_response resp = { .body = "", .attempts = call->attempts };
        struct hs_err out = { 0 };
        hs_err_set(&out, rc, "%s: %s", call->action, e.msg);
        deliver(call, rc, &resp, &out);
        return;
    }
    attempt(call);
}

static void on_http(void *ctx, enum hs_code rc, const struct http_response *hresp,
                    const struct hs_err *herr);

static void schedule_retry(struct aws_call *call, int64_t delay_ns)
{
    call->state = CALL_BACKOFF;
    ev_timer_set(&call->timer, (double)delay_ns / 1e9, 0.);
    ev_timer_start(call->c->loop, &call->timer);
}

/* Signs and sends one attempt. */
static void attempt(struct aws_call *call)
{
    struct aws_client *c = call->c;
    const struct endpoint *ep = &c->ep[call->svc];
    struct aws_credentials creds = { 0 };
    struct hs_err err = { 0 };

    if (!(call->flags & AWS_CALL_UNSIGNED) && !aws_creds_cache_peek(c->creds, &creds)) {
        call->state = CALL_WAIT_CREDS;
        aws_creds_cache_wait(c->creds, &call->waiter, on_creds, call);
        return;
    }
    struct http_header h[3 + AWS_SIGV4_MAX_OUT_HEADERS];
    size_t nh = 0;
    h[nh++] = (struct http_header){ "Host", ep->host };
    h[nh++] = (struct http_header){ "Content-Type", CONTENT_TYPE };
    struct aws_sigv4_result sig;
    aws_sigv4_result_init(&sig);
    if (!(call->flags & AWS_CALL_UNSIGNED)) {
        const struct aws_sigv4_header_in hin[] = { { "Content-Type", CONTENT_TYPE } };
        struct aws_sigv4_request req = {
            .method = "POST",
            .host = ep->host,
            .path = ep->path,
            .headers = hin,
            .nheaders = 1,
            .body = call->body,
            .body_len = call->body_len,
        };
        struct aws_sigv4_params p;
        int64_t now = hs_clock_wall(c->clock) + c->skew_ns;
        aws_sigv4_params_init(&p, c->region ? c->region : "us-east-1",
                              aws_service_info(call->svc)->signing_name, now > 0 ? now : 0);
        enum hs_code rc = aws_sigv4_sign(c->signer, &req, &creds, &p, &sig, &err);
        if (rc) {
            aws_sigv4_result_release(&sig);
            finish_soon(call, rc, &err);
            return;
        }
        for (size_t i = 0; i < sig.nheaders; i++)
            h[nh++] = (struct http_header){ sig.headers[i].name, sig.headers[i].value };
    }
    struct http_request_options o = {
        .method = "POST",
        .url = ep->target,
        .headers = h,
        .nheaders = nh,
        .body = call->body,
        .body_len = call->body_len,
        .timeout_ns = c->attempt_timeout,
        .max_body = MAX_RESPONSE_BODY,
        .on_done = on_http,
        .ctx = call,
    };
    enum hs_code rc = http_request_start(c->http, &o, &call->req, &err);
    aws_sigv4_result_release(&sig); /* wipes the signature and token copies */
    if (rc) {
        finish_soon(call, rc, &err);
        return;
    }
    call->attempts++;
    c->stats.attempts++;
    if (call->attempts > 1)
        c->stats.retries++;
    call->attempt_at = hs_clock_mono(c->clock);
    call->state = CALL_IN_FLIGHT;
}

/* The one-line error of a finished call. */
static void format_error(const struct aws_call *call, struct hs_err *out, enum hs_code rc,
                         int status, const struct aws_error_info *info, const struct hs_err *herr)
{
    struct hs_buf b;
    hs_buf_init(&b);
    if (info && info->code[0]) {
        hs_buf_addf(&b, "%s: HTTP %d %s", call->action, status, info->code);
        if (info->message[0])
            hs_buf_addf(&b, ": %s", info->message);
        if (info->request_id[0])
            hs_buf_addf(&b, " (request id %s)", info->request_id);
    } else if (status) {
        hs_buf_addf(&b, "%s: HTTP %d from %s", call->action, status, call->c->ep[call->svc].url);
    } else {
        hs_buf_addf(&b, "%s: %s", call->action, herr ? herr->msg : hs_strerror(rc));
    }
    if (call->attempts > 1)
        hs_buf_addf(&b, " after %u attempts", call->attempts);
    hs_err_clear(out);
    hs_err_set_http(out, rc, status, "%s", b.data);
    hs_buf_release(&b);
}

static bool is_expired_token(const char *code)
{
    return strcmp(code, "ExpiredToken") == 0 || strcmp(code, "ExpiredTokenException") == 0;
}

static void on_http(void *ctx, enum hs_code rc, const struct http_response *hresp,
                    const struct hs_err *herr)
{
    struct aws_call *call = ctx;
    struct aws_client *c = call->c;
    call->req = NULL;
    int status = rc == HS_OK ? hresp->status : 0;
    struct aws_error_info info;
    memset(&info, 0, sizeof(info));
    bool have_info = false;
    struct aws_response resp = {
        .http_status = hresp ? hresp->status : 0,
        .body = hresp && hresp->body ? hresp->body : "",
        .body_len = hresp ? hresp->body_len : 0,
        .attempts = call->attempts,
    };
    int64_t ms = (hs_clock_mono(c->clock) - call->attempt_at) / HS_MSEC;

    if (rc == HS_OK && status >= 200 && status < 300) {
        HS_V(4, "AWS %s: HTTP %d in %lld ms (attempt %u)", call->action, status, (long long)ms,
             call->attempts);
        aws_retry_quota_success(&c->quota, call->last_quota);
        resp.throttled = call->throttled;
        deliver(call, HS_OK, &resp, NULL);
        return;
    }
    if (rc == HS_OK && hresp->body_len) {
        struct hs_err ignore = { 0 };
        have_info =
            aws_xml_error(hresp->body, hresp->body_len, &info, &ignore) == HS_OK && info.code[0];
    }
    const char *code = have_info ? info.code : NULL;
    if (rc == HS_OK)
        HS_V(2, "AWS %s: HTTP %d %s (attempt %u, %lld ms, request id %s)", call->action, status,
             code ? code : "-", call->attempts, (long long)ms,
             have_info && info.request_id[0] ? info.request_id : "-");
    else
        HS_V(2, "AWS %s: %s (attempt %u, %lld ms)", call->action, herr ? herr->msg : "",
             call->attempts, (long long)ms);

    /* Clock skew: the service says the time is off and its Date agrees. */
    if (code && aws_retry_is_skew_code(code) && !call->skew_retried) {
        int64_t server, offset;
        const char *date = http_response_header(hresp, "Date");
        int64_t local = hs_clock_wall(c->clock);
        if (date && aws_http_date_parse(date, &server) && aws_retry_skew(server, local, &offset)) {
            call->skew_retried = true;
            c->skew_ns = offset;
            c->stats.skew_corrections++;
            HS_WARN("AWS %s: %s; the local clock is %lld s %s the service's, correcting "
                    "and retrying",
                    call->action, code, (long long)((offset < 0 ? -offset : offset) / HS_SEC),
                    offset > 0 ? "behind" : "ahead of");
            attempt(call);
            return;
        }
    }
    /* Credentials the service calls expired: fetch new ones, once. */
    if (code && is_expired_token(code) && !call->token_retried &&
        (int)call->attempts < c->max_attempts && !(call->flags & AWS_CALL_UNSIGNED)) {
        call->token_retried = true;
        aws_creds_cache_invalidate(c->creds);
        attempt(call);
        return;
    }

    enum aws_retry_class cls = aws_retry_classify(rc, status, code);
    if (cls == AWS_RETRY_THROTTLED) {
        call->throttled = true;
        c->stats.throttled++;
    }
    resp.throttled = call->throttled;
    enum hs_code final = rc;
    if (rc == HS_OK)
        final = cls == AWS_RETRY_THROTTLED ? HS_ETHROTTLED : have_info ? HS_EAWS : HS_EHTTP;

    bool retry = cls != AWS_RETRY_NO;
    /* A request that may have run must not run again. A refused connection
     * never reached the service; a throttled one was not executed. */
    if (retry && (call->flags & AWS_CALL_NOT_IDEMPOTENT) && cls == AWS_RETRY_TRANSIENT &&
        rc != HS_ECONNECT)
        retry = false;
    if (retry && (int)call->attempts >= c->max_attempts)
        retry = false;
    if (retry) {
        int took = aws_retry_quota_acquire(&c->quota, rc == HS_ETIMEDOUT);
        if (!took) {
            c->stats.quota_refusals++;
            HS_V(1, "AWS %s: retry quota exhausted; not retrying", call->action);
            retry = false;
        } else {
            call->last_quota = took;
        }
    }
    if (retry) {
        int64_t delay = aws_retry_delay(&c->rng, call->attempts, c->base, c->cap);
        HS_V(2, "AWS %s: retrying in %lld ms", call->action, (long long)(delay / HS_MSEC));
        schedule_retry(call, delay);
        return;
    }
    struct hs_err err = { 0 };
    format_error(call, &err, final, status, have_info ? &info : NULL, herr);
    resp.error = have_info ? &info : NULL;
    deliver(call, final, &resp, &err);
}

/* The body as botocore puts it on the wire: the form encoding's '+' for a
 * space where aws_query wrote %20 (it writes a literal '+' as %2B, so the
 * swap is unambiguous). AWS hashes whatever bytes arrive, but moto checks a
 * signature against the body re-encoded from its parsed form, which is
 * botocore's spelling; sending that spelling keeps both judges agreeing.
 * New, NUL-terminated; *out_len its length. */
static char *form_spaces(const char *body, size_t len, size_t *out_len)
{
    char *out = hs_malloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (body[i] == '%' && i + 2 < len && body[i + 1] == '2' && body[i + 2] == '0') {
            out[n++] = '+';
            i += 2;
        } else {
            out[n++] = body[i];
        }
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

enum hs_code aws_client_call(struct aws_client *c, enum aws_service s, const char *action,
                             const struct aws_query *q, unsigned flags, aws_call_fn fn, void *ctx,
                             struct aws_call **out, struct hs_err *err)
{
    if (c->freeing)
        return hs_err_set(err, HS_EINVAL, "%s: the AWS client is being freed", action);
    if (!fn || !action || !q || (unsigned)s >= AWS_SERVICE__COUNT)
        return hs_err_set(err, HS_EINVAL, "aws_client_call: missing argument");
    if (!c->ep[s].url)
        return hs_err_set(err, c->ep[s].err.code ? c->ep[s].err.code : HS_EINVAL, "%s: %s", action,
                          c->ep[s].err.msg);
    struct aws_call *call = hs_calloc(1, sizeof(*call));
    call->c = c;
    call->svc = s;
    call->action = hs_strdup(action);
    size_t len;
    const char *body = aws_query_body(q, &len);
    call->body = form_spaces(body, len, &call->body_len);
    call->flags = flags;
    call->fn = fn;
    call->ctx = ctx;
    call->started = hs_clock_mono(c->clock);
    ev_timer_init(&call->timer, timer_cb, 0., 0.);
    call->next = c->calls;
    if (c->calls)
        c->calls->prev = call;
    c->calls = call;
    c->stats.calls++;
    c->stats.in_flight++;
    attempt(call);
    if (out)
        *out = call;
    return HS_OK;
}

void aws_call_cancel(struct aws_call **cp)
{
    if (!cp || !*cp)
        return;
    struct aws_call *call = *cp;
    *cp = NULL;
    call_free(call);
}
