/*
 * The REST client of kube/client.h. Each request moves through a small
 * state machine driven from the loop (never from inside
 * kube_request_start): a limiter token (non-watch requests only), then
 * credentials (an exec plugin run when the cached one is missing or
 * expired), then the HTTP exchange, then possibly a Retry-After wait and
 * another round. The HTTP client is rebuilt when an exec plugin hands out a
 * new client certificate; the old one is freed once idle. Every HTTP client
 * goes through the kubeconfig's proxy-url when it has one.
 *
 * This file must never block the loop (token files are small local reads),
 * never log a header value, token or body, and never call a request's
 * on_done twice or after it was canceled.
 */
#include "kube/client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/log.h"
#include "kube/exec_cred.h"
#include "kube_int.h"

/* Where a request stands. */
enum req_state {
    REQ_WAIT,  /* a timer runs: the first turn of the loop, a limiter delay or a Retry-After */
    REQ_CRED,  /* waiting for the exec plugin to print a credential */
    REQ_SENT,  /* the HTTP exchange is in flight */
    REQ_DYING, /* on_done is running: freed when it returns */
};

struct kube_request {
    struct kube_client *c;
    struct kube_request *prev, *next;
    enum req_state state;
    char *verb, *path, *subject, *content_type;
    void *body;
    size_t body_len;
    bool watch;
    bool token_taken; /* the limiter gave this attempt its token */
    bool auth_retried;
    int64_t timeout_ns;
    int max_retries, retries;
    int64_t last_retry_after;
    kube_data_fn on_data;
    kube_done_fn on_done;
    void *ctx;
    struct http_request *h;
    ev_timer timer;
};

struct kube_client {
    struct ev_loop *loop;
    struct hs_clock *clock;
    char *server; /* without a trailing '/' */
    struct kube_client_options opts;
    char *user_agent;

    /* TLS settings copied from the config, for (re)building http. */
    char *ca_file, *tls_server_name, *cert_file, *key_file;
    char *proxy; /* kubeconfig proxy-url; may hold a password */
    struct hs_buf ca_pem, cert_pem, key_pem;
    bool insecure;

    struct http_client *http;
    uint64_t http_gen; /* exec credential generation the client certificate came from */
    struct http_client **retired;
    size_t n_retired, cap_retired;
    ev_timer reap;

    char *token;      /* literal token */
    char *token_file; /* path */
    char *file_token; /* what the file held when last read */
    int64_t file_read_at;
    bool file_read;

    struct kube_exec *exec;

    struct kube__bucket bucket;
    struct kube_request *head;
    size_t n;
    uint64_t sent;
    bool freeing;
};

static void advance(struct kube_request *r);

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    advance(hs_container_of(w, struct kube_request, timer));
}

static void wait_then_advance(struct kube_request *r, int64_t ns)
{
    r->state = REQ_WAIT;
    ev_timer_stop(r->c->loop, &r->timer);
    ev_timer_set(&r->timer, ns > 0 ? (double)ns / 1e9 : 0., 0.);
    ev_timer_start(r->c->loop, &r->timer);
}

static void req_free(struct kube_request *r)
{
    struct kube_client *c = r->c;
    ev_timer_stop(c->loop, &r->timer);
    if (r->prev)
        r->prev->next = r->next;
    else if (c->head == r)
        c->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    c->n--;
    hs_free(r->verb);
    hs_free(r->path);
    hs_free(r->subject);
    hs_free(r->content_type);
    hs_free(r->body);
    hs_free(r);
}

static void finish(struct kube_request *r, enum hs_code rc, const struct kube_response *resp,
                   const struct hs_err *err)
{
    struct kube_response empty = { 0, "", 0, "", 0 };
    r->state = REQ_DYING;
    ev_timer_stop(r->c->loop, &r->timer);
    r->on_done(r->ctx, rc, resp ? resp : &empty, err);
    req_free(r);
}

static void fail(struct kube_request *r, enum hs_code rc, const struct hs_err *err)
{
    finish(r, rc, NULL, err);
}

/* ---- HTTP clients ----------------------------------------------------- */

static enum hs_code make_http(struct kube_client *c, const struct kube_exec_cred *cred,
                              struct http_client **out, struct hs_err *err)
{
    struct http_client_options o = { 0 };
    o.ca_file = c->ca_file;
    if (c->ca_pem.len) {
        o.ca_pem = c->ca_pem.data;
        o.ca_pem_len = c->ca_pem.len;
    }
    o.tls_server_name = c->tls_server_name;
    o.insecure_skip_verify = c->insecure;
    o.proxy = c->proxy;
    o.user_agent = c->user_agent;
    if (cred && cred->cert_pem) {
        o.client_cert_pem = cred->cert_pem;
        o.client_cert_pem_len = cred->cert_len;
        o.client_key_pem = cred->key_pem;
        o.client_key_pem_len = cred->key_len;
    } else {
        o.client_cert_file = c->cert_file;
        o.client_key_file = c->key_file;
        if (c->cert_pem.len) {
            o.client_cert_pem = c->cert_pem.data;
            o.client_cert_pem_len = c->cert_pem.len;
        }
        if (c->key_pem.len) {
            o.client_key_pem = c->key_pem.data;
            o.client_key_pem_len = c->key_pem.len;
        }
    }
    o.max_host_connections = 32;
    if (c->opts.http_factory)
        return c->opts.http_factory(c->opts.http_factory_ctx, c->loop, &o, out, err);
    return http_client_new(c->loop, &o, out, err);
}

static void on_reap(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct kube_client *c = hs_container_of(w, struct kube_client, reap);
    size_t k = 0;
    for (size_t i = 0; i < c->n_retired; i++) {
        if (http_client_in_flight(c->retired[i]) == 0)
            http_client_free(&c->retired[i]);
        else
            c->retired[k++] = c->retired[i];
    }
    c->n_retired = k;
    if (k) {
        ev_timer_set(&c->reap, 1., 0.);
        ev_timer_start(c->loop, &c->reap);
    }
}

static void retire_http(struct kube_client *c)
{
    if (!c->http)
        return;
    HS_GROW(c->retired, c->cap_retired, c->n_retired + 1);
    c->retired[c->n_retired++] = c->http;
    c->http = NULL;
    if (!ev_is_active(&c->reap)) {
        ev_timer_set(&c->reap, 0., 0.);
        ev_timer_start(c->loop, &c->reap);
    }
}

/* ---- credentials --------------------------------------------------------- */

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    size_t k = 0;
    while (s[k] == ' ' || s[k] == '\t' || s[k] == '\n')
        k++;
    if (k)
        memmove(s, s + k, n - k + 1);
}

static const char *file_token(struct kube_client *c, bool force)
{
    int64_t now = hs_clock_mono(c->clock);
    int64_t period = c->opts.token_reread_ns;
    if (!force && c->file_read && now - c->file_read_at < period)
        return c->file_token;
    FILE *f = fopen(c->token_file, "rb");
    if (!f) {
        HS_WARN("cannot read the token file %s: %s%s", c->token_file, strerror(errno),
                c->file_token ? "; keeping the previous token" : "");
        c->file_read = true;
        c->file_read_at = now;
        return c->file_token;
    }
    struct hs_buf b;
    hs_buf_init(&b);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0 && b.len < (1u << 20))
        hs_buf_add(&b, tmp, n);
    fclose(f);
    char *t = hs_buf_detach(&b);
    trim(t);
    if (c->file_token && strcmp(c->file_token, t) != 0)
        HS_V(1, "the token in %s changed", c->token_file);
    hs_free(c->file_token);
    c->file_token = t;
    c->file_read = true;
    c->file_read_at = now;
    return t;
}

static void on_exec(void *ctx, enum hs_code rc, const struct kube_exec_cred *cred,
                    const struct hs_err *err)
{
    struct kube_client *c = ctx;
    (void)cred;
    /* Every request waiting for credentials moves on (or fails) now. Collect
     * first: callbacks may start or cancel requests. */
    size_t n = 0;
    for (struct kube_request *r = c->head; r; r = r->next)
        if (r->state == REQ_CRED)
            n++;
    if (!n)
        return;
    struct kube_request **v = hs_calloc(n, sizeof(*v));
    size_t k = 0;
    for (struct kube_request *r = c->head; r; r = r->next)
        if (r->state == REQ_CRED)
            v[k++] = r;
    for (size_t i = 0; i < k; i++) {
        /* A request freed by an earlier callback is no longer in the list. */
        bool alive = false;
        for (struct kube_request *r = c->head; r; r = r->next)
            if (r == v[i] && r->state == REQ_CRED)
                alive = true;
        if (!alive)
            continue;
        if (rc) {
            struct hs_err e2 = { 0 };
            hs_err_set(&e2, rc, "%s %s: %s", v[i]->verb, v[i]->subject, err->msg);
            fail(v[i], rc, &e2);
        } else {
            wait_then_advance(v[i], 0);
        }
    }
    hs_free(v);
}

/* ---- the exchange --------------------------------------------------------- */

static const char *status_text(int s)
{
    switch (s) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "";
    }
}

static int64_t retry_after(const struct http_response *resp)
{
    const char *v = http_response_header(resp, "Retry-After");
    if (!v)
        return 0;
    char *end;
    long s = strtol(v, &end, 10);
    if (end == v || s < 0)
        return 0;
    return (int64_t)s * HS_SEC;
}

static enum hs_code code_for(int status, const char *reason)
{
    if (status == 404)
        return HS_ENOTFOUND;
    if (status == 409)
        return strcmp(reason, "AlreadyExists") == 0 ? HS_EEXIST : HS_ECONFLICT;
    if (status == 429)
        return HS_ETHROTTLED;
    if (status == 401 || status == 403)
        return HS_EAUTH;
    return HS_EKUBE;
}

static void on_http_done(void *ctx, enum hs_code rc, const struct http_response *hr,
                         const struct hs_err *herr)
{
    struct kube_request *r = ctx;
    struct kube_client *c = r->c;
    r->h = NULL;
    struct hs_err err = { 0 };
    char reason[64], message[400];
    int scode;
    reason[0] = message[0] = '\0';
    struct kube_response resp = { hr->status, hr->body ? hr->body : "", hr->body_len, reason,
                                  retry_after(hr) };

    if (rc) {
        if (rc == HS_ECANCELED && c->freeing)
            return; /* kube_client_free reports it */
        hs_err_set(&err, rc, "%s %s: %s", r->verb, r->subject, herr ? herr->msg : hs_strerror(rc));
        err.http_status = hr->status;
        finish(r, rc, &resp, &err);
        return;
    }
    if (hr->status >= 200 && hr->status < 300) {
        finish(r, HS_OK, &resp, NULL);
        return;
    }
    struct kube__span body = { hr->body, hr->body_len };
    kube__status_parse(body, &scode, reason, sizeof(reason), message, sizeof(message));
    /* A stale credential: read the file again or re-run the plugin, once. */
    if (hr->status == 401 && !r->auth_retried && (c->exec || c->token_file)) {
        r->auth_retried = true;
        if (c->exec)
            kube_exec_invalidate(c->exec);
        else
            file_token(c, true);
        HS_V(1, "%s %s: 401 Unauthorized: refreshing the credential and retrying once", r->verb,
             r->subject);
        r->token_taken = r->watch; /* a retry is paced like a new request */
        wait_then_advance(r, 0);
        return;
    }
    bool retryable = hr->status == 429 || (hr->status >= 500 && resp.retry_after_ns > 0);
    if (retryable && r->retries < r->max_retries) {
        int64_t wait = resp.retry_after_ns > 0 ? resp.retry_after_ns : HS_SEC;
        if (wait > c->opts.max_retry_after_ns)
            wait = c->opts.max_retry_after_ns;
        r->retries++;
        r->last_retry_after = resp.retry_after_ns;
        HS_V(2, "%s %s: %d: retrying in %.1f s (attempt %d of %d)", r->verb, r->subject, hr->status,
             (double)wait / 1e9, r->retries, r->max_retries);
        r->token_taken = r->watch;
        wait_then_advance(r, wait);
        return;
    }
    const char *rtext = reason[0] ? reason : status_text(hr->status);
    if (message[0])
        hs_err_set_http(&err, code_for(hr->status, reason), hr->status, "%s %s: %d %s: %s", r->verb,
                        r->subject, hr->status, rtext, message);
    else
        hs_err_set_http(&err, code_for(hr->status, reason), hr->status, "%s %s: %d %s", r->verb,
                        r->subject, hr->status, rtext);
    finish(r, err.code, &resp, &err);
}

static enum hs_code on_http_data(void *ctx, const struct http_response *head, const char *data,
                                 size_t len)
{
    struct kube_request *r = ctx;
    (void)head;
    return r->on_data(r->ctx, data, len);
}

static void send_now(struct kube_request *r, const char *bearer)
{
    struct kube_client *c = r->c;
    struct hs_err err = { 0 };
    struct http_header hdr[4];
    size_t nh = 0;
    struct hs_buf auth, url;
    hs_buf_init(&auth);
    hs_buf_init(&url);
    hdr[nh++] = (struct http_header){ "Accept", "application/json" };
    if (r->body_len || r->content_type)
        hdr[nh++] = (struct http_header){ "Content-Type",
                                          r->content_type ? r->content_type : "application/json" };
    if (bearer && *bearer) {
        hs_buf_addf(&auth, "Bearer %s", bearer);
        hdr[nh++] = (struct http_header){ "Authorization", auth.data };
    }
    hs_buf_adds(&url, c->server);
    hs_buf_adds(&url, r->path);
    struct http_request_options o = { 0 };
    o.method = r->verb;
    o.url = url.data;
    o.headers = hdr;
    o.nheaders = nh;
    o.body = r->body;
    o.body_len = r->body_len;
    o.timeout_ns = r->timeout_ns;
    o.on_done = on_http_done;
    o.on_data = r->on_data ? on_http_data : NULL;
    o.ctx = r;
    enum hs_code rc = http_request_start(c->http, &o, &r->h, &err);
    /* The header held the token: wipe our copy. */
    if (auth.len)
        memset(auth.data, 0, auth.len);
    hs_buf_release(&auth);
    hs_buf_release(&url);
    if (rc) {
        struct hs_err e2 = { 0 };
        hs_err_set(&e2, rc, "%s %s: %s", r->verb, r->subject, err.msg);
        fail(r, rc, &e2);
        return;
    }
    r->state = REQ_SENT;
    if (!r->watch)
        c->sent++;
}

static void advance(struct kube_request *r)
{
    struct kube_client *c = r->c;
    if (!r->token_taken) {
        r->token_taken = true;
        int64_t wait = kube__bucket_reserve(&c->bucket, hs_clock_mono(c->clock));
        if (wait > 0) {
            wait_then_advance(r, wait);
            return;
        }
    }
    const char *bearer = c->token;
    if (c->exec) {
        const struct kube_exec_cred *cred = kube_exec_cached(c->exec);
        if (!cred) {
            struct hs_err err = { 0 };
            r->state = REQ_CRED;
            enum hs_code rc = kube_exec_run(c->exec, &err);
            if (rc) {
                struct hs_err e2 = { 0 };
                hs_err_set(&e2, HS_EAUTH, "%s %s: %s", r->verb, r->subject, err.msg);
                fail(r, HS_EAUTH, &e2);
            }
            return;
        }
        if (cred->cert_pem && cred->generation != c->http_gen) {
            struct http_client *h = NULL;
            struct hs_err err = { 0 };
            enum hs_code rc = make_http(c, cred, &h, &err);
            if (rc) {
                struct hs_err e2 = { 0 };
                hs_err_set(&e2, rc, "%s %s: client certificate from the exec plugin: %s", r->verb,
                           r->subject, err.msg);
                fail(r, rc, &e2);
                return;
            }
            retire_http(c);
            c->http = h;
            c->http_gen = cred->generation;
        }
        if (cred->token)
            bearer = cred->token;
    } else if (c->token_file) {
        const char *t = file_token(c, false);
        if (t)
            bearer = t;
    }
    send_now(r, bearer);
}

/* ---- public ----------------------------------------------------------- */

enum hs_code kube_client_new(struct ev_loop *loop, const struct kube_config *cfg,
                             const struct kube_client_options *opts, struct kube_client **out,
                             struct hs_err *err)
{
    if (!cfg || !cfg->server || !*cfg->server)
        return hs_err_set(err, HS_EINVAL, "kube client: no API server address configured");
    if (strncmp(cfg->server, "https://", 8) != 0 && strncmp(cfg->server, "http://", 7) != 0)
        return hs_err_set(err, HS_EINVAL,
                          "kube client: server \"%s\" is not an http:// or https:// URL",
                          cfg->server);
    struct kube_client *c = hs_calloc(1, sizeof(*c));
    c->loop = loop;
    if (opts)
        c->opts = *opts;
    c->clock = c->opts.clock ? c->opts.clock : hs_clock_real();
    if (c->opts.qps == 0)
        c->opts.qps = 5;
    if (c->opts.burst <= 0)
        c->opts.burst = 10;
    if (c->opts.max_retries == 0)
        c->opts.max_retries = 10;
    if (c->opts.request_timeout_ns == 0)
        c->opts.request_timeout_ns = 60 * HS_SEC;
    if (c->opts.token_reread_ns == 0)
        c->opts.token_reread_ns = HS_MIN;
    if (c->opts.max_retry_after_ns == 0)
        c->opts.max_retry_after_ns = 60 * HS_SEC;
    c->user_agent = c->opts.user_agent ? hs_strdup(c->opts.user_agent) : NULL;
    c->opts.user_agent = NULL;
    c->server = hs_strdup(cfg->server);
    size_t sl = strlen(c->server);
    while (sl > 0 && c->server[sl - 1] == '/')
        c->server[--sl] = '\0';
    c->ca_file = cfg->ca_file ? hs_strdup(cfg->ca_file) : NULL;
    c->tls_server_name = cfg->tls_server_name ? hs_strdup(cfg->tls_server_name) : NULL;
    c->proxy = cfg->proxy_url ? hs_strdup(cfg->proxy_url) : NULL;
    c->cert_file = cfg->client_cert_file ? hs_strdup(cfg->client_cert_file) : NULL;
    c->key_file = cfg->client_key_file ? hs_strdup(cfg->client_key_file) : NULL;
    hs_buf_init(&c->ca_pem);
    hs_buf_init(&c->cert_pem);
    hs_buf_init(&c->key_pem);
    if (cfg->ca_data.data)
        hs_buf_add(&c->ca_pem, cfg->ca_data.data, cfg->ca_data.len);
    if (cfg->client_cert_data.data)
        hs_buf_add(&c->cert_pem, cfg->client_cert_data.data, cfg->client_cert_data.len);
    if (cfg->client_key_data.data)
        hs_buf_add(&c->key_pem, cfg->client_key_data.data, cfg->client_key_data.len);
    c->insecure = cfg->insecure_skip_tls_verify;
    c->token = cfg->token ? hs_strdup(cfg->token) : NULL;
    c->token_file = cfg->token_file ? hs_strdup(cfg->token_file) : NULL;
    kube__bucket_init(&c->bucket, c->opts.qps, c->opts.burst, hs_clock_mono(c->clock));
    ev_timer_init(&c->reap, on_reap, 0., 0.);
    if (c->insecure)
        HS_WARN("kube client: TLS certificate verification of %s is DISABLED "
                "(insecure-skip-tls-verify in %s): anyone on the path can impersonate the "
                "API server",
                c->server, cfg->source ? cfg->source : "the configuration");
    enum hs_code rc = HS_OK;
    if (cfg->exec)
        rc = kube_exec_new(loop, cfg, c->clock, on_exec, c, &c->exec, err);
    if (!rc)
        rc = make_http(c, NULL, &c->http, err);
    if (rc) {
        kube_client_free(&c);
        return rc;
    }
    *out = c;
    return HS_OK;
}

void kube_client_free(struct kube_client **cp)
{
    struct kube_client *c = cp ? *cp : NULL;
    if (!c)
        return;
    c->freeing = true;
    while (c->head) {
        struct kube_request *r = c->head;
        if (r->h)
            http_request_cancel(&r->h);
        struct hs_err err = { 0 };
        hs_err_set(&err, HS_ECANCELED, "%s %s: canceled: the client is shutting down", r->verb,
                   r->subject);
        fail(r, HS_ECANCELED, &err);
    }
    kube_exec_free(&c->exec);
    http_client_free(&c->http);
    for (size_t i = 0; i < c->n_retired; i++)
        http_client_free(&c->retired[i]);
    hs_free(c->retired);
    ev_timer_stop(c->loop, &c->reap);
    if (c->token)
        memset(c->token, 0, strlen(c->token));
    if (c->file_token)
        memset(c->file_token, 0, strlen(c->file_token));
    if (c->key_pem.len)
        memset(c->key_pem.data, 0, c->key_pem.len);
    hs_free(c->token);
    hs_free(c->token_file);
    hs_free(c->file_token);
    hs_free(c->server);
    hs_free(c->user_agent);
    hs_free(c->ca_file);
    hs_free(c->tls_server_name);
    if (c->proxy)
        memset(c->proxy, 0, strlen(c->proxy));
    hs_free(c->proxy);
    hs_free(c->cert_file);
    hs_free(c->key_file);
    hs_buf_release(&c->ca_pem);
    hs_buf_release(&c->cert_pem);
    hs_buf_release(&c->key_pem);
    hs_free(c);
    *cp = NULL;
}

enum hs_code kube_request_start(struct kube_client *c, const struct kube_request_options *o,
                                struct kube_request **out, struct hs_err *err)
{
    if (!o || !o->path || o->path[0] != '/' || !o->on_done)
        return hs_err_set(err, HS_EINVAL,
                          "kube request: a path starting with '/' and on_done "
                          "are required");
    if (c->freeing)
        return hs_err_set(err, HS_ESTATE, "kube request %s: the client is shutting down", o->path);
    struct kube_request *r = hs_calloc(1, sizeof(*r));
    r->c = c;
    r->verb = hs_strdup(o->verb ? o->verb : "GET");
    r->path = hs_strdup(o->path);
    if (o->subject) {
        r->subject = hs_strdup(o->subject);
    } else {
        const char *q = strchr(o->path, '?');
        r->subject = q ? hs_strndup(o->path, (size_t)(q - o->path)) : hs_strdup(o->path);
    }
    r->content_type = o->content_type ? hs_strdup(o->content_type) : NULL;
    if (o->body_len) {
        r->body = hs_memdup(o->body, o->body_len);
        r->body_len = o->body_len;
    }
    r->watch = o->watch;
    r->token_taken = o->watch; /* watches bypass the limiter */
    r->timeout_ns =
        o->timeout_ns ? o->timeout_ns : (o->watch ? HTTP_NO_TIMEOUT : c->opts.request_timeout_ns);
    r->max_retries =
        o->max_retries < 0 ? 0 : (o->max_retries ? o->max_retries : c->opts.max_retries);
    r->on_data = o->on_data;
    r->on_done = o->on_done;
    r->ctx = o->ctx;
    ev_timer_init(&r->timer, on_timer, 0., 0.);
    r->next = c->head;
    if (c->head)
        c->head->prev = r;
    c->head = r;
    c->n++;
    wait_then_advance(r, 0);
    if (out)
        *out = r;
    return HS_OK;
}

void kube_request_cancel(struct kube_request **rp)
{
    struct kube_request *r = rp ? *rp : NULL;
    if (!r)
        return;
    *rp = NULL;
    HS_BUG_ON(r->state == REQ_DYING);
    if (r->h)
        http_request_cancel(&r->h);
    req_free(r);
}

size_t kube_client_in_flight(const struct kube_client *c)
{
    return c->n;
}

uint64_t kube_client_requests_sent(const struct kube_client *c)
{
    return c->sent;
}

struct ev_loop *kube_client_loop(const struct kube_client *c)
{
    return c->loop;
}

struct hs_clock *kube_client_clock(const struct kube_client *c)
{
    return c->clock;
}

void kube_path_escape(struct hs_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '.' || ch == '_' || ch == '~') {
            hs_buf_addc(b, (char)ch);
        } else {
            hs_buf_addc(b, '%');
            hs_buf_addc(b, hex[ch >> 4]);
            hs_buf_addc(b, hex[ch & 15]);
        }
    }
}
