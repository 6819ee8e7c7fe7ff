/*
 * The transport-independent half of lib/http: clients and their options,
 * request validation and lifetime, the response as it is assembled (head,
 * buffered or streamed body), and the one place where user callbacks are
 * called. Transports (curl.c, fake.c) sit behind struct http__backend_ops and
 * report bytes through http__on_header/http__on_body/http__finish.
 *
 * This file must never include libcurl, never log a header value or a URL's
 * query string, and never call a callback from inside http_request_start or
 * after http_request_cancel.
 */
#include "http_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/log.h"

/* ---- small helpers ---- */

static char *dup_or_null(const char *s)
{
    return s ? hs_strdup(s) : NULL;
}

static void *memdup_or_null(const void *p, size_t n)
{
    return (p && n) ? hs_memdup(p, n) : NULL;
}

char *http__url_for_log(const char *url)
{
    struct hs_buf b;
    hs_buf_init(&b);
    const char *p = url;
    const char *scheme_end = strstr(url, "://");
    if (scheme_end) {
        hs_buf_add(&b, url, (size_t)(scheme_end - url) + 3);
        p = scheme_end + 3;
    }
    size_t auth_len = strcspn(p, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < auth_len; i++)
        if (p[i] == '@')
            at = p + i;
    if (at) {
        auth_len -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    hs_buf_add(&b, p, auth_len);
    p += auth_len;
    hs_buf_add(&b, p, strcspn(p, "?#"));
    return hs_buf_detach(&b);
}

static bool is_tchar(char ch)
{
    /* RFC 9110 token characters */
    return isalnum((unsigned char)ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

static bool is_token(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!is_tchar(*s))
            return false;
    return true;
}

static bool is_header_value(const char *s)
{
    return s && !strpbrk(s, "\r\n");
}

/* Where a proxy URL's authority starts, past a scheme hoist accepts, or
 * NULL for any other scheme. */
static const char *proxy_scheme_end(const char *url)
{
    static const char *const schemes[] = { "http://", "https://", "socks5://", "socks5h://" };
    for (size_t i = 0; i < HS_ARRAY_LEN(schemes); i++)
        if (!strncasecmp(url, schemes[i], strlen(schemes[i])))
            return url + strlen(schemes[i]);
    return NULL;
}

/* ---- the client ---- */

static enum hs_code client_new(struct ev_loop *loop, const struct http_client_options *opts,
                               const struct http__backend_ops *ops, const void *be_arg,
                               struct http_client **out, struct hs_err *err)
{
    static const struct http_client_options defaults;
    const struct http_client_options *o = opts ? opts : &defaults;
    if (!loop)
        return hs_err_set(err, HS_EINVAL, "http client: no event loop");
    if (o->ca_file && o->ca_pem)
        return hs_err_set(err, HS_EINVAL, "http client: both a CA file and CA data given");
    if ((o->client_cert_file || o->client_cert_pem) && (o->client_key_file || o->client_key_pem) &&
        ((o->client_cert_file && o->client_cert_pem) || (o->client_key_file && o->client_key_pem)))
        return hs_err_set(err, HS_EINVAL,
                          "http client: client certificate or key given both as file and data");
    if (!(o->client_cert_file || o->client_cert_pem) != !(o->client_key_file || o->client_key_pem))
        return hs_err_set(err, HS_EINVAL,
                          "http client: a client certificate needs a key, and a key a certificate");
    if ((o->ca_pem && !o->ca_pem_len) || (o->client_cert_pem && !o->client_cert_pem_len) ||
        (o->client_key_pem && !o->client_key_pem_len))
        return hs_err_set(err, HS_EINVAL, "http client: empty PEM data");
    if (o->connect_timeout_ns < 0 || o->request_timeout_ns < 0 || o->max_host_connections < 0 ||
        o->max_idle_connections < 0)
        return hs_err_set(err, HS_EINVAL, "http client: negative timeout or connection limit");
    if (o->user_agent && !is_header_value(o->user_agent))
        return hs_err_set(err, HS_EINVAL, "http client: user agent holds a line break");
    if (o->tls_server_name && (!*o->tls_server_name || strpbrk(o->tls_server_name, ":/@ \r\n")))
        return hs_err_set(err, HS_EINVAL, "http client: bad TLS server name '%s'",
                          o->tls_server_name);
    /* The proxy URL may hold a password: messages never quote it. */
    const char *proxy_rest = o->proxy ? proxy_scheme_end(o->proxy) : NULL;
    if (o->proxy && !proxy_rest)
        return hs_err_set(err, HS_EINVAL,
                          "http client: the proxy URL's scheme is not http, https or socks5");
    if (o->proxy && (!*proxy_rest || strpbrk(o->proxy, " \r\n\t")))
        return hs_err_set(err, HS_EINVAL,
                          "http client: the proxy URL has no host or holds a space");

    struct http_client *c = hs_calloc(1, sizeof(*c));
    c->loop = loop;
    c->ops = ops;
    c->state = HTTP__CLIENT_RUNNING;
    c->ca_file = dup_or_null(o->ca_file);
    c->ca_pem = memdup_or_null(o->ca_pem, o->ca_pem_len);
    c->ca_pem_len = o->ca_pem_len;
    c->client_cert_file = dup_or_null(o->client_cert_file);
    c->client_key_file = dup_or_null(o->client_key_file);
    c->client_cert_pem = memdup_or_null(o->client_cert_pem, o->client_cert_pem_len);
    c->client_cert_pem_len = o->client_cert_pem_len;
    c->client_key_pem = memdup_or_null(o->client_key_pem, o->client_key_pem_len);
    c->client_key_pem_len = o->client_key_pem_len;
    c->tls_server_name = dup_or_null(o->tls_server_name);
    c->insecure_skip_verify = o->insecure_skip_verify;
    c->connect_timeout_ns =
        o->connect_timeout_ns ? o->connect_timeout_ns : HTTP__DEFAULT_CONNECT_TIMEOUT;
    c->request_timeout_ns = o->request_timeout_ns;
    c->user_agent = hs_strdup(o->user_agent ? o->user_agent : "hoist/" HOIST_HTTP_VERSION);
    c->max_host_connections =
        o->max_host_connections ? o->max_host_connections : HTTP__DEFAULT_HOST_CONNS;
    c->max_idle_connections =
        o->max_idle_connections ? o->max_idle_connections : HTTP__DEFAULT_IDLE_CONNS;
    if (o->proxy) {
        /* socks5:// means remote name resolution in client-go (Go's SOCKS5
         * dialer sends the host name); libcurl spells that socks5h://. */
        struct hs_buf b;
        hs_buf_init(&b);
        if (!strncasecmp(o->proxy, "socks5://", 9))
            hs_buf_addf(&b, "socks5h://%s", o->proxy + 9);
        else
            hs_buf_adds(&b, o->proxy);
        c->proxy = hs_buf_detach(&b);
    }

    c->be_arg = be_arg;
    enum hs_code rc = c->ops->init(c, err);
    c->be_arg = NULL;
    if (rc) {
        c->ops->release(c); /* frees whatever init made before failing */
        c->ops = NULL;
        http_client_free(&c);
        return rc;
    }
    if (c->insecure_skip_verify)
        HS_WARN("TLS CERTIFICATE VERIFICATION IS DISABLED (insecure-skip-tls-verify): any "
                "server can impersonate the API server and read the credentials sent to it");
    *out = c;
    return HS_OK;
}

enum hs_code http_client_new(struct ev_loop *loop, const struct http_client_options *opts,
                             struct http_client **out, struct hs_err *err)
{
    return client_new(loop, opts, &http__curl_ops, NULL, out, err);
}

enum hs_code http__client_new_with(struct ev_loop *loop, const struct http_client_options *opts,
                                   const struct http__backend_ops *ops, const void *be_arg,
                                   struct http_client **out, struct hs_err *err)
{
    return client_new(loop, opts, ops, be_arg, out, err);
}

size_t http_client_in_flight(const struct http_client *c)
{
    return c ? c->nrequests : 0;
}

static void list_add(struct http_client *c, struct http_request *r)
{
    r->prev = c->tail;
    r->next = NULL;
    if (c->tail)
        c->tail->next = r;
    else
        c->head = r;
    c->tail = r;
}

static void list_del(struct http_client *c, struct http_request *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        c->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    else
        c->tail = r->prev;
    r->prev = r->next = NULL;
}

static void request_free(struct http_request *r)
{
    ev_timer_stop(r->c->loop, &r->idle);
    for (size_t i = 0; i < r->nreq_headers; i++) {
        hs_free((void *)(uintptr_t)r->req_headers[i].name);
        hs_free((void *)(uintptr_t)r->req_headers[i].value);
    }
    hs_free(r->req_headers);
    hs_free(r->method);
    hs_free(r->url);
    hs_free(r->url_log);
    hs_free(r->body);
    hs_buf_release(&r->hdr_text);
    hs_free(r->hdr_off);
    hs_free(r->hdr_view);
    hs_buf_release(&r->body_in);
    hs_free(r);
}

void http_client_free(struct http_client **cp)
{
    if (!cp || !*cp)
        return;
    struct http_client *c = *cp;
    *cp = NULL;
    HS_BUG_ON(c->in_callback || c->in_backend);
    c->state = HTTP__CLIENT_CLOSING;
    /* Take every request off the transport first, so that callbacks below
     * see a quiet client; then tell the owners, in start order. */
    for (struct http_request *r = c->head; r; r = r->next)
        if (r->state == HTTP__REQ_ACTIVE || r->state == HTTP__REQ_CANCELED)
            if (c->ops)
                c->ops->abort(r);
    while (c->head) {
        struct http_request *r = c->head;
        list_del(c, r);
        if (r->state != HTTP__REQ_CANCELED && r->on_done) {
            struct hs_err e = { 0 };
            hs_err_set(&e, HS_ECANCELED, "%s %s: canceled: the HTTP client is shutting down",
                       r->method, r->url_log);
            struct http_response resp = { .body = "" };
            r->state = HTTP__REQ_FINISHING;
            c->in_callback++;
            r->on_done(r->ctx, HS_ECANCELED, &resp, &e);
            c->in_callback--;
        }
        request_free(r);
    }
    c->nrequests = 0;
    if (c->ops)
        c->ops->release(c);
    hs_free(c->ca_file);
    hs_free(c->ca_pem);
    hs_free(c->client_cert_file);
    hs_free(c->client_key_file);
    hs_free(c->client_cert_pem);
    hs_free(c->client_key_pem);
    hs_free(c->tls_server_name);
    hs_free(c->user_agent);
    if (c->proxy) /* may hold a password */
        memset(c->proxy, 0, strlen(c->proxy));
    hs_free(c->proxy);
    hs_free(c);
}

/* ---- requests ---- */

/* The idle timer: re-armed lazily, so a busy stream costs no timer calls. */
static void on_idle(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    struct http_request *r = hs_container_of(w, struct http_request, idle);
    if (r->state != HTTP__REQ_ACTIVE)
        return;
    double left = r->last_io + (double)r->idle_timeout_ns / 1e9 - ev_now(loop);
    if (left > 0) {
        ev_timer_set(w, left, 0.0);
        ev_timer_start(loop, w);
        return;
    }
    struct http_client *c = r->c;
    char detail[96];
    snprintf(detail, sizeof(detail), "no data received for %lld ms",
             (long long)(r->idle_timeout_ns / 1000000));
    c->ops->abort(r);
    http__finish(r, HS_ETIMEDOUT, detail);
    http__flush(c);
}

/* r was just handed to the transport. */
static void activate(struct http_request *r)
{
    r->state = HTTP__REQ_ACTIVE;
    if (r->idle_timeout_ns > 0) {
        r->last_io = ev_now(r->c->loop);
        ev_timer_set(&r->idle, (double)r->idle_timeout_ns / 1e9, 0.0);
        ev_timer_start(r->c->loop, &r->idle);
    }
}

static enum hs_code check_url(const char *url, struct hs_err *err)
{
    if (!url)
        return hs_err_set(err, HS_EINVAL, "http request: no URL");
    size_t skip;
    if (!strncasecmp(url, "http://", 7))
        skip = 7;
    else if (!strncasecmp(url, "https://", 8))
        skip = 8;
    else {
        char *l = http__url_for_log(url);
        hs_err_set(err, HS_EINVAL, "http request: URL '%s' is not http:// or https://", l);
        hs_free(l);
        return HS_EINVAL;
    }
    const char *host = url + skip;
    if (!*host || strchr("/?#", *host) || strpbrk(url, " \t\r\n")) {
        char *l = http__url_for_log(url);
        hs_err_set(err, HS_EINVAL, "http request: bad URL '%s'", l);
        hs_free(l);
        return HS_EINVAL;
    }
    return HS_OK;
}

static bool method_sends_body(const char *m)
{
    return !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH");
}

enum hs_code http_request_start(struct http_client *c, const struct http_request_options *o,
                                struct http_request **out, struct hs_err *err)
{
    if (!c || !o)
        return hs_err_set(err, HS_EINVAL, "http request: no client or options");
    if (c->state != HTTP__CLIENT_RUNNING)
        return hs_err_set(err, HS_ESTATE, "http request: the client is shutting down");
    const char *method = o->method ? o->method : "GET";
    if (!is_token(method))
        return hs_err_set(err, HS_EINVAL, "http request: bad method '%s'", method);
    enum hs_code rc = check_url(o->url, err);
    if (rc)
        return rc;
    if (!o->on_done)
        return hs_err_set(err, HS_EINVAL, "http request: no completion callback");
    if (o->nheaders && !o->headers)
        return hs_err_set(err, HS_EINVAL, "http request: header count without headers");
    if (o->body_len && !o->body)
        return hs_err_set(err, HS_EINVAL, "http request: body length without body");
    if (o->timeout_ns < 0 && o->timeout_ns != HTTP_NO_TIMEOUT)
        return hs_err_set(err, HS_EINVAL, "http request: negative timeout");
    if (o->idle_timeout_ns < 0)
        return hs_err_set(err, HS_EINVAL, "http request: negative idle timeout");
    for (size_t i = 0; i < o->nheaders; i++) {
        /* Never quote a value: it may be a credential. */
        if (!is_token(o->headers[i].name))
            return hs_err_set(err, HS_EINVAL, "http request: bad header name '%s'",
                              o->headers[i].name ? o->headers[i].name : "(null)");
        if (!is_header_value(o->headers[i].value))
            return hs_err_set(err, HS_EINVAL,
                              "http request: value of header '%s' is missing or holds a line break",
                              o->headers[i].name);
    }

    struct http_request *r = hs_calloc(1, sizeof(*r));
    r->c = c;
    r->method = hs_strdup(method);
    for (char *p = r->method; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    r->url = hs_strdup(o->url);
    r->url_log = http__url_for_log(o->url);
    if (o->nheaders) {
        r->req_headers = hs_calloc(o->nheaders, sizeof(*r->req_headers));
        for (size_t i = 0; i < o->nheaders; i++) {
            r->req_headers[i].name = hs_strdup(o->headers[i].name);
            r->req_headers[i].value = hs_strdup(o->headers[i].value);
        }
        r->nreq_headers = o->nheaders;
    }
    r->body = memdup_or_null(o->body, o->body_len);
    r->body_len = o->body_len;
    r->send_body = o->body_len > 0 || method_sends_body(r->method);
    if (o->timeout_ns == HTTP_NO_TIMEOUT)
        r->timeout_ns = 0;
    else
        r->timeout_ns = o->timeout_ns ? o->timeout_ns : c->request_timeout_ns;
    r->idle_timeout_ns = o->idle_timeout_ns;
    r->max_body = o->max_body ? o->max_body : HTTP__DEFAULT_MAX_BODY;
    r->on_done = o->on_done;
    r->on_data = o->on_data;
    r->ctx = o->ctx;
    r->started = ev_now(c->loop);
    ev_init(&r->idle, on_idle);
    hs_buf_init(&r->hdr_text);
    hs_buf_init(&r->body_in);

    if (c->in_backend) {
        r->state = HTTP__REQ_PENDING;
        c->nflush++;
    } else {
        rc = c->ops->start(r, err);
        if (rc) {
            request_free(r);
            return rc;
        }
        activate(r);
    }
    list_add(c, r);
    c->nrequests++;
    HS_V(6, "HTTP %s %s", r->method, r->url_log);
    if (out)
        *out = r;
    return HS_OK;
}

void http_request_cancel(struct http_request **rp)
{
    if (!rp || !*rp)
        return;
    struct http_request *r = *rp;
    *rp = NULL;
    struct http_client *c = r->c;
    HS_BUG_ON(r->state == HTTP__REQ_FINISHING || r->state == HTTP__REQ_CANCELED);
    HS_V(6, "HTTP %s %s: canceled", r->method, r->url_log);
    r->on_done = NULL;
    r->on_data = NULL;
    c->nrequests--;
    if (c->state == HTTP__CLIENT_CLOSING) {
        /* http_client_free owns the list now; it frees r without a callback. */
        r->state = HTTP__REQ_CANCELED;
        return;
    }
    if (r->state == HTTP__REQ_PENDING) {
        c->nflush--;
        list_del(c, r);
        request_free(r);
        return;
    }
    if (c->in_backend) {
        r->state = HTTP__REQ_CANCELED;
        c->nflush++;
        return;
    }
    c->ops->abort(r);
    list_del(c, r);
    request_free(r);
}

void http__flush(struct http_client *c)
{
    while (c->nflush && !c->in_backend && c->state == HTTP__CLIENT_RUNNING) {
        struct http_request *r = c->head;
        while (r && r->state != HTTP__REQ_PENDING && r->state != HTTP__REQ_CANCELED)
            r = r->next;
        HS_BUG_ON(!r);
        c->nflush--;
        if (r->state == HTTP__REQ_CANCELED) {
            c->ops->abort(r);
            list_del(c, r);
            request_free(r);
            continue;
        }
        struct hs_err e = { 0 };
        enum hs_code rc = c->ops->start(r, &e);
        if (rc) {
            r->state = HTTP__REQ_ACTIVE;
            http__finish(r, rc, e.msg);
        } else {
            activate(r);
        }
    }
}

/* ---- the response ---- */

static void build_view(struct http_request *r)
{
    if (!r->view_stale)
        return;
    if (r->nhdrs > r->hdr_view_cap) {
        r->hdr_view = hs_reallocarray(r->hdr_view, r->nhdrs, sizeof(*r->hdr_view));
        r->hdr_view_cap = r->nhdrs;
    }
    for (size_t i = 0; i < r->nhdrs; i++) {
        r->hdr_view[i].name = r->hdr_text.data + r->hdr_off[2 * i];
        r->hdr_view[i].value = r->hdr_text.data + r->hdr_off[2 * i + 1];
    }
    r->view_stale = false;
}

static void fill_response(struct http_request *r, struct http_response *resp, bool with_body)
{
    build_view(r);
    resp->status = r->status;
    resp->headers = r->nhdrs ? r->hdr_view : NULL;
    resp->nheaders = r->nhdrs;
    resp->body = with_body ? r->body_in.data : "";
    resp->body_len = with_body ? r->body_in.len : 0;
}

const char *http_response_header(const struct http_response *resp, const char *name)
{
    if (!resp || !name)
        return NULL;
    for (size_t i = 0; i < resp->nheaders; i++)
        if (!strcasecmp(resp->headers[i].name, name))
            return resp->headers[i].value;
    return NULL;
}

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

enum hs_code http__on_header(struct http_request *r, const char *line, size_t len)
{
    r->last_io = ev_now(r->c->loop);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    if (len == 0)
        return HS_OK; /* end of a head */
    if (len > 5 && !strncmp(line, "HTTP/", 5)) {
        /* A new head (after 100 Continue, a proxy's CONNECT reply, a
         * redirect): forget the previous one. */
        const char *sp = memchr(line, ' ', len);
        int status = 0;
        if (sp) {
            for (const char *p = sp + 1; p < line + len && isdigit((unsigned char)*p); p++)
                status = status * 10 + (*p - '0');
        }
        r->status = status;
        hs_buf_clear(&r->hdr_text);
        r->nhdrs = 0;
        r->view_stale = true;
        return HS_OK;
    }
    const char *colon = memchr(line, ':', len);
    if (!colon || colon == line)
        return HS_OK; /* obsolete folding or junk: ignore */
    size_t nlen = (size_t)(colon - line);
    const char *v = colon + 1;
    const char *end = line + len;
    while (v < end && is_blank(*v))
        v++;
    while (end > v && is_blank(end[-1]))
        end--;
    if (r->nhdrs + 1 > r->hdr_cap) {
        size_t cap = r->hdr_cap ? 2 * r->hdr_cap : 16;
        r->hdr_off = hs_reallocarray(r->hdr_off, cap, 2 * sizeof(*r->hdr_off));
        r->hdr_cap = cap;
    }
    r->hdr_off[2 * r->nhdrs] = r->hdr_text.len;
    hs_buf_add(&r->hdr_text, line, nlen);
    hs_buf_addc(&r->hdr_text, '\0');
    r->hdr_off[2 * r->nhdrs + 1] = r->hdr_text.len;
    hs_buf_add(&r->hdr_text, v, (size_t)(end - v));
    hs_buf_addc(&r->hdr_text, '\0');
    r->nhdrs++;
    r->view_stale = true;
    return HS_OK;
}

/* Ends the transfer from our side with rc; why is the message's tail. */
static enum hs_code stop(struct http_request *r, enum hs_code rc, const char *why)
{
    if (!r->stop_rc) {
        r->stop_rc = rc;
        hs_err_set_http(&r->stop_err, rc, r->status, "%s %s: %s", r->method, r->url_log, why);
    }
    return rc;
}

enum hs_code http__on_body(struct http_request *r, const char *data, size_t len)
{
    if (r->state == HTTP__REQ_CANCELED)
        return HS_ECANCELED;
    if (r->stop_rc)
        return r->stop_rc;
    r->last_io = ev_now(r->c->loop);
    if (!r->body_started) {
        r->body_started = true;
        r->streaming = r->on_data && r->status >= 200 && r->status < 300;
    }
    if (len == 0)
        return HS_OK;
    if (r->streaming) {
        struct http_response head;
        fill_response(r, &head, false);
        r->c->in_callback++;
        enum hs_code rc = r->on_data(r->ctx, &head, data, len);
        r->c->in_callback--;
        if (r->state == HTTP__REQ_CANCELED)
            return HS_ECANCELED;
        if (rc) {
            char why[96];
            snprintf(why, sizeof(why), "stream stopped by its reader: %s", hs_errname(rc));
            return stop(r, rc, why);
        }
        return HS_OK;
    }
    if (r->body_in.len + len > r->max_body || r->body_in.len + len < len) {
        char why[96];
        snprintf(why, sizeof(why), "response body exceeds %zu bytes", r->max_body);
        return stop(r, HS_ERANGE, why);
    }
    hs_buf_add(&r->body_in, data, len);
    return HS_OK;
}

void http__finish(struct http_request *r, enum hs_code rc, const char *detail)
{
    struct http_client *c = r->c;
    HS_BUG_ON(c->in_backend);
    ev_timer_stop(c->loop, &r->idle);
    list_del(c, r);
    if (r->state == HTTP__REQ_CANCELED) {
        c->nflush--;
        request_free(r);
        return;
    }
    c->nrequests--;
    struct hs_err e = { 0 };
    if (r->stop_rc) {
        rc = r->stop_rc;
        e = r->stop_err;
    } else if (rc) {
        hs_err_set_http(&e, rc, r->status, "%s %s: %s", r->method, r->url_log,
                        detail && *detail ? detail : hs_strerror(rc));
    }
    double ms = (ev_now(c->loop) - r->started) * 1000.0;
    if (rc)
        HS_V(6, "HTTP %s %s: %s after %.0f ms", r->method, r->url_log, hs_errname(rc), ms);
    else
        HS_V(6, "HTTP %s %s: %d, %zu body bytes, %.0f ms", r->method, r->url_log, r->status,
             r->body_in.len, ms);
    struct http_response resp;
    fill_response(r, &resp, true);
    r->state = HTTP__REQ_FINISHING;
    c->in_callback++;
    r->on_done(r->ctx, rc, &resp, &e);
    c->in_callback--;
    request_free(r);
}
