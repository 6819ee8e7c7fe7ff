/*
 * The libcurl transport: one multi handle per client (so one connection pool
 * and DNS cache), driven by the client's libev loop through the multi-socket
 * API. libcurl says which sockets to watch (socket callback -> one ev_io per
 * socket) and when to call it back (timer callback -> one ev_timer); the
 * watchers call curl_multi_socket_action and then collect finished transfers.
 *
 * This file is the only one in hoist that includes libcurl. It must never
 * turn TLS verification off unless the client asked for
 * insecure_skip_verify, never follow redirects (credentials would follow),
 * never call curl_multi_add_handle/remove_handle from inside a libcurl
 * callback (client.c defers those while in_backend > 0), never use
 * EV_DEFAULT, and never exit.
 */
#include "http_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <ev.h>

#include "base/alloc.h"
#include "base/log.h"

/* Per-client state. */
struct curl_backend {
    struct http_client *c;
    CURLM *multi;
    ev_timer timer;     /* libcurl's single timeout */
    struct sock *socks; /* every socket libcurl asked us to watch */
    bool global_init;   /* curl_global_init succeeded, so cleanup is owed */
};

/* One socket libcurl watches. */
struct sock {
    ev_io io;
    curl_socket_t fd;
    struct curl_backend *b;
    struct sock *prev, *next;
};

/* Per-request state. */
struct curl_req {
    CURL *easy;
    struct curl_slist *headers;
    struct curl_slist *connect_to; /* tls_server_name only; libcurl does not copy it */
    char errbuf[CURL_ERROR_SIZE];
};

static long ms_ceil(int64_t ns)
{
    int64_t ms = (ns + 999999) / 1000000;
    return ms > 0x7fffffff ? 0x7fffffff : (long)ms;
}

/* ---- libcurl -> libev ---- */

static void drive(struct curl_backend *b, curl_socket_t fd, int action);

static void on_io(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    struct sock *s = hs_container_of(w, struct sock, io);
    int action = ((revents & EV_READ) ? CURL_CSELECT_IN : 0) |
                 ((revents & EV_WRITE) ? CURL_CSELECT_OUT : 0) |
                 ((revents & EV_ERROR) ? CURL_CSELECT_ERR : 0);
    /* s may be freed by the socket callback inside drive(). */
    drive(s->b, s->fd, action);
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct curl_backend *b = hs_container_of(w, struct curl_backend, timer);
    drive(b, CURL_SOCKET_TIMEOUT, 0);
}

static void sock_free(struct curl_backend *b, struct sock *s)
{
    ev_io_stop(b->c->loop, &s->io);
    if (s->prev)
        s->prev->next = s->next;
    else
        b->socks = s->next;
    if (s->next)
        s->next->prev = s->prev;
    hs_free(s);
}

/* CURLMOPT_SOCKETFUNCTION: start, change or stop watching fd. */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    struct curl_backend *b = userp;
    struct sock *s = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (s)
            sock_free(b, s);
        return 0;
    }
    if (!s) {
        s = hs_calloc(1, sizeof(*s));
        s->fd = fd;
        s->b = b;
        s->next = b->socks;
        if (b->socks)
            b->socks->prev = s;
        b->socks = s;
        ev_init(&s->io, on_io);
        curl_multi_assign(b->multi, fd, s);
    }
    int events = ((what & CURL_POLL_IN) ? EV_READ : 0) | ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
    ev_io_stop(b->c->loop, &s->io);
    ev_io_set(&s->io, fd, events);
    ev_io_start(b->c->loop, &s->io);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: call libcurl back in timeout_ms (-1: never). */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct curl_backend *b = userp;
    ev_timer_stop(b->c->loop, &b->timer);
    if (timeout_ms >= 0) {
        /* 0 means "as soon as possible": from the loop, never from here,
         * since libcurl may be inside curl_multi_add_handle. */
        ev_timer_set(&b->timer, (double)timeout_ms / 1000.0, 0.0);
        ev_timer_start(b->c->loop, &b->timer);
    }
    return 0;
}

/* ---- finished transfers ---- */

static enum hs_code map_code(CURLcode cc)
{
    switch (cc) {
    case CURLE_OK:
        return HS_OK;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_USE_SSL_FAILED:
        return HS_ECONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return HS_ETIMEDOUT;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP_RETURNED_ERROR:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_HTTP3:
        return HS_EHTTP;
    case CURLE_OUT_OF_MEMORY:
        return HS_ENOMEM;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT:
        return HS_EINVAL;
    case CURLE_ABORTED_BY_CALLBACK:
    case CURLE_WRITE_ERROR:
        return HS_ECANCELED;
    default:
        return HS_EIO;
    }
}

static void req_release(struct http_request *r)
{
    struct curl_req *cr = r->be;
    if (!cr)
        return;
    struct curl_backend *b = r->c->be;
    if (cr->easy) {
        curl_multi_remove_handle(b->multi, cr->easy);
        curl_easy_cleanup(cr->easy);
    }
    curl_slist_free_all(cr->headers);
    curl_slist_free_all(cr->connect_to);
    hs_free(cr);
    r->be = NULL;
}

static void collect(struct curl_backend *b)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(b->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
        struct http_request *r = (struct http_request *)(void *)priv;
        struct curl_req *cr = r->be;
        CURLcode cc = m->data.result;
        char detail[CURL_ERROR_SIZE + 64];
        if (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT_BADFILE)
            snprintf(detail, sizeof(detail), "TLS certificate verification failed: %s",
                     cr->errbuf[0] ? cr->errbuf : curl_easy_strerror(cc));
        else
            snprintf(detail, sizeof(detail), "%s",
                     cr->errbuf[0] ? cr->errbuf : curl_easy_strerror(cc));
        req_release(r);
        http__finish(r, map_code(cc), detail);
    }
}

/* Runs libcurl for fd (or its timeout), then everything that must wait
 * until libcurl is off the stack: deferred starts and cancels, then the
 * completions. */
static void drive(struct curl_backend *b, curl_socket_t fd, int action)
{
    struct http_client *c = b->c;
    int running = 0;
    c->in_backend++;
    curl_multi_socket_action(b->multi, fd, action, &running);
    c->in_backend--;
    http__flush(c);
    collect(b);
    http__flush(c);
    if (c->nrequests == 0 && !c->nflush)
        ev_timer_stop(c->loop, &b->timer);
}

/* ---- libcurl -> client.c ---- */

static size_t on_header_cb(char *p, size_t size, size_t n, void *userp)
{
    struct http_request *r = userp;
    size_t len = size * n;
    return http__on_header(r, p, len) ? 0 : len;
}

static size_t on_write_cb(char *p, size_t size, size_t n, void *userp)
{
    struct http_request *r = userp;
    size_t len = size * n;
    return http__on_body(r, p, len) ? 0 : len;
}

/* ---- the transport ops ---- */

static enum hs_code be_init(struct http_client *c, struct hs_err *err)
{
    struct curl_backend *b = hs_calloc(1, sizeof(*b));
    b->c = c;
    c->be = b;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return hs_err_set(err, HS_EIO, "http client: libcurl initialisation failed");
    b->global_init = true;
    b->multi = curl_multi_init();
    if (!b->multi)
        return hs_err_set(err, HS_EIO, "http client: libcurl multi handle initialisation failed");
    ev_init(&b->timer, on_timer);
    curl_multi_setopt(b->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(b->multi, CURLMOPT_SOCKETDATA, b);
    curl_multi_setopt(b->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(b->multi, CURLMOPT_TIMERDATA, b);
    curl_multi_setopt(b->multi, CURLMOPT_MAX_HOST_CONNECTIONS, c->max_host_connections);
    curl_multi_setopt(b->multi, CURLMOPT_MAXCONNECTS, c->max_idle_connections);
    curl_multi_setopt(b->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    return HS_OK;
}

static void be_release(struct http_client *c)
{
    struct curl_backend *b = c->be;
    if (!b)
        return;
    if (b->multi)
        curl_multi_cleanup(b->multi); /* closes pooled connections */
    while (b->socks)
        sock_free(b, b->socks);
    ev_timer_stop(c->loop, &b->timer);
    if (b->global_init)
        curl_global_cleanup();
    hs_free(b);
    c->be = NULL;
}

static void set_blob(CURL *e, CURLoption opt, const void *p, size_t n)
{
    struct curl_blob blob = { .data = (void *)(uintptr_t)p, .len = n, .flags = CURL_BLOB_COPY };
    curl_easy_setopt(e, opt, &blob);
}

/* With tls_server_name: the URL names that host, and CONNECT_TO sends the
 * connection to the real one; the Host header keeps the real authority. */
static enum hs_code apply_server_name(struct http_request *r, CURL *e, struct curl_req *cr,
                                      bool *host_set, struct hs_err *err)
{
    struct http_client *c = r->c;
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *url = NULL;
    enum hs_code rc = HS_OK;
    if (!u || curl_url_set(u, CURLUPART_URL, r->url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        rc = hs_err_set(err, HS_EINVAL, "%s %s: cannot parse the URL", r->method, r->url_log);
        goto out;
    }
    if (strcmp(scheme, "https") != 0)
        goto out; /* no TLS, nothing to verify */
    char *explicit_port = NULL;
    bool has_port = curl_url_get(u, CURLUPART_PORT, &explicit_port, 0) == CURLUE_OK;
    curl_free(explicit_port);
    if (!*host_set) {
        char hdr[512];
        snprintf(hdr, sizeof(hdr), "Host: %s%s%s", host, has_port ? ":" : "", has_port ? port : "");
        cr->headers = curl_slist_append(cr->headers, hdr);
        *host_set = true;
    }
    char connect_to[600];
    snprintf(connect_to, sizeof(connect_to), "%s:%s:%s:%s", c->tls_server_name, port, host, port);
    if (curl_url_set(u, CURLUPART_HOST, c->tls_server_name, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
        rc = hs_err_set(err, HS_EINVAL, "%s %s: cannot apply TLS server name '%s'", r->method,
                        r->url_log, c->tls_server_name);
        goto out;
    }
    cr->connect_to = curl_slist_append(NULL, connect_to);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CONNECT_TO, cr->connect_to);
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(url);
    curl_url_cleanup(u);
    return rc;
}

static enum hs_code be_start(struct http_request *r, struct hs_err *err)
{
    struct http_client *c = r->c;
    struct curl_backend *b = c->be;
    struct curl_req *cr = hs_calloc(1, sizeof(*cr));
    r->be = cr;
    CURL *e = cr->easy = curl_easy_init();
    if (!e) {
        req_release(r);
        return hs_err_set(err, HS_ENOMEM, "%s %s: cannot make a libcurl handle", r->method,
                          r->url_log);
    }
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)r);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, cr->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_URL, r->url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    /* Over TLS, wait for ALPN to say whether the first connection can
     * multiplex (HTTP/2) before opening more. Not over plain HTTP: there
     * libcurl learns it only from the first response, so a stalled request
     * (a watch, a slow server) would hold back every other one. */
    if (!strncasecmp(r->url, "https:", 6))
        curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 30L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 15L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, ms_ceil(c->connect_timeout_ns));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, ms_ceil(r->timeout_ns));
    /* The idle timeout is client.c's own timer: libcurl's LOW_SPEED_* judge
     * a speed averaged over seconds, not the time since the last byte. */
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header_cb);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write_cb);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    /* An explicit proxy replaces the environment's, NO_PROXY included (an
     * empty NOPROXY list exempts no host); without one libcurl reads the
     * environment. */
    if (c->proxy) {
        curl_easy_setopt(e, CURLOPT_PROXY, c->proxy);
        curl_easy_setopt(e, CURLOPT_NOPROXY, "");
    }

    /* TLS: verified unless the client was told otherwise. */
    long verify = c->insecure_skip_verify ? 0L : 1L;
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, verify);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
    /* A given CA is the only trust anchor, as in client-go: libcurl's
     * default bundle and CA directory would add every public CA. */
    if (c->ca_file || c->ca_pem) {
        curl_easy_setopt(e, CURLOPT_CAPATH, (char *)NULL);
        curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
    }
    if (c->ca_pem)
        set_blob(e, CURLOPT_CAINFO_BLOB, c->ca_pem, c->ca_pem_len);
    if (c->client_cert_file || c->client_cert_pem) {
        curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (c->client_cert_file)
        curl_easy_setopt(e, CURLOPT_SSLCERT, c->client_cert_file);
    if (c->client_cert_pem)
        set_blob(e, CURLOPT_SSLCERT_BLOB, c->client_cert_pem, c->client_cert_pem_len);
    if (c->client_key_file)
        curl_easy_setopt(e, CURLOPT_SSLKEY, c->client_key_file);
    if (c->client_key_pem)
        set_blob(e, CURLOPT_SSLKEY_BLOB, c->client_key_pem, c->client_key_pem_len);

    /* Method and body. libcurl copies the body. */
    if (!strcmp(r->method, "GET") && !r->send_body) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (!strcmp(r->method, "HEAD")) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
        if (strcmp(r->method, "POST") != 0)
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
        if (r->send_body) {
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
            curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, r->body ? (const char *)r->body : "");
        }
    }

    /* Headers: the caller's, then "Expect:" to skip 100-continue waits. */
    bool host_set = false;
    struct hs_buf line;
    hs_buf_init(&line);
    for (size_t i = 0; i < r->nreq_headers; i++) {
        hs_buf_clear(&line);
        if (*r->req_headers[i].value)
            hs_buf_addf(&line, "%s: %s", r->req_headers[i].name, r->req_headers[i].value);
        else
            hs_buf_addf(&line, "%s;", r->req_headers[i].name); /* libcurl's "empty value" form */
        cr->headers = curl_slist_append(cr->headers, line.data);
        if (!strcasecmp(r->req_headers[i].name, "Host"))
            host_set = true;
    }
    hs_buf_release(&line);
    if (r->send_body)
        cr->headers = curl_slist_append(cr->headers, "Expect:");
    if (c->tls_server_name) {
        enum hs_code rc = apply_server_name(r, e, cr, &host_set, err);
        if (rc) {
            req_release(r);
            return rc;
        }
    }
    if (cr->headers)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, cr->headers);

    CURLMcode mc = curl_multi_add_handle(b->multi, e);
    if (mc != CURLM_OK) {
        hs_err_set(err, HS_EIO, "%s %s: libcurl refused the transfer: %s", r->method, r->url_log,
                   curl_multi_strerror(mc));
        req_release(r);
        return HS_EIO;
    }
    return HS_OK;
}

static void be_abort(struct http_request *r)
{
    req_release(r);
}

const struct http__backend_ops http__curl_ops = {
    .name = "curl",
    .init = be_init,
    .release = be_release,
    .start = be_start,
    .abort = be_abort,
};
