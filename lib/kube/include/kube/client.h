/*
 * hoist's Kubernetes REST client: verbs over lib/http on the caller's libev
 * loop, authenticated as the resolved configuration says (bearer token, a
 * token file re-read at least every minute because bound service-account
 * tokens rotate, client certificates, or an exec credential plugin run
 * asynchronously and cached until its expiry), and paced by the
 * --kube-client-qps/--kube-client-burst token bucket, which watches bypass.
 * Requests go through the kubeconfig's proxy-url when it names one (http,
 * https or socks5; it replaces the environment's proxy settings, as in
 * client-go), else through the environment's proxy variables.
 * A 429 (or a 503 with Retry-After) is retried after the server's
 * Retry-After; a 401 re-reads the token file or re-runs the exec plugin once.
 * Failed responses carrying a Status are turned into one line:
 *   PATCH nodes/ip-1: 409 Conflict: Operation cannot be fulfilled on ...
 *
 * This file must never block the loop, never put a token, key or
 * certificate in a log line or an error message, and never expose a json_t
 * or a CURL handle.
 */
#ifndef HOIST_KUBE_CLIENT_H
#define HOIST_KUBE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "http/http.h"
#include "kube/config.h"

struct ev_loop;
struct kube_client;
struct kube_request;

/* Makes the HTTP client under a kube client (a test's fake transport).
 * As http_client_new: *out is new. */
typedef enum hs_code (*kube_http_factory_fn)(void *ctx, struct ev_loop *loop,
                                             const struct http_client_options *o,
                                             struct http_client **out, struct hs_err *err);

struct kube_client_options {
    double qps;                        /* --kube-client-qps; 0: 5; negative: no limit */
    int burst;                         /* --kube-client-burst; 0: 10 */
    struct hs_clock *clock;            /* borrowed; NULL: the real clock */
    const char *user_agent;            /* borrowed; NULL: lib/http's */
    int max_retries;                   /* 429/Retry-After retries per request; 0: 10 */
    int64_t request_timeout_ns;        /* non-watch requests; 0: 60 s */
    int64_t token_reread_ns;           /* token file freshness; 0: 1 min */
    int64_t max_retry_after_ns;        /* longest Retry-After honoured; 0: 60 s */
    kube_http_factory_fn http_factory; /* NULL: http_client_new */
    void *http_factory_ctx;
};

/* Makes a client on loop (borrowed, must outlive it) from cfg (borrowed;
 * what is needed is copied) and opts (borrowed, may be NULL). Warns once
 * (loudly) when cfg skips TLS verification. Returns HS_OK and *out (new;
 * free with kube_client_free), or an error with err filled. */
enum hs_code kube_client_new(struct ev_loop *loop, const struct kube_config *cfg,
                             const struct kube_client_options *opts, struct kube_client **out,
                             struct hs_err *err);

/* Every request still alive gets on_done(HS_ECANCELED) inside this call
 * (those callbacks must not start requests); a running exec plugin is
 * killed. Accepts NULL; clears *c. Not from inside one of its callbacks. */
void kube_client_free(struct kube_client **c);

/* What a request received; every pointer borrowed for the callback. */
struct kube_response {
    int status;       /* HTTP status; 0 when no response arrived */
    const char *body; /* buffered body ("" for streamed ones); NUL-terminated */
    size_t body_len;
    const char *reason;     /* Status reason ("Conflict", "Expired"); "" when none */
    int64_t retry_after_ns; /* Retry-After of the last response; 0 when none */
};

/* rc: HS_OK for a 2xx (or a stream that ended cleanly); otherwise
 *   HS_ENOTFOUND 404, HS_EEXIST 409 AlreadyExists, HS_ECONFLICT other 409,
 *   HS_ETHROTTLED 429 (after the retries), HS_EAUTH 401 and 403,
 *   HS_EKUBE any other status (err->http_status says which: 410 is Gone),
 *   a transport code (HS_ECONNECT, HS_ETIMEDOUT, HS_EIO...) from lib/http,
 *   HS_ECANCELED when the client is freed first,
 *   whatever a data callback returned.
 * err (borrowed) is one line "VERB subject: code Reason: message". Runs
 * once per started request, never inside kube_request_start; the handle
 * dies when it returns. */
typedef void (*kube_done_fn)(void *ctx, enum hs_code rc, const struct kube_response *resp,
                             const struct hs_err *err);
/* A piece of a streamed 2xx body (data borrowed for the call). Return HS_OK
 * to go on; anything else ends the request with that code. */
typedef enum hs_code (*kube_data_fn)(void *ctx, const char *data, size_t len);

struct kube_request_options {
    const char *verb;         /* GET, POST, PUT, PATCH, DELETE; NULL: GET */
    const char *path;         /* "/api/v1/nodes?limit=500"; borrowed, copied */
    const char *subject;      /* for messages ("nodes/ip-1"); NULL: path without query */
    const char *content_type; /* NULL: application/json when there is a body */
    const void *body;         /* borrowed, copied */
    size_t body_len;
    bool watch;           /* a stream: not paced by the limiter, no default timeout */
    int64_t timeout_ns;   /* 0: the client's (watch: none) */
    int max_retries;      /* 429 retries; 0: the client's; negative: none */
    kube_data_fn on_data; /* NULL: buffer the body */
    kube_done_fn on_done; /* required */
    void *ctx;
};

/* Starts a request. *out (may be NULL) is a borrowed handle for
 * kube_request_cancel, valid until on_done returns. On error (HS_EINVAL)
 * no callback ever runs. May be called from any callback of this client. */
enum hs_code kube_request_start(struct kube_client *c, const struct kube_request_options *o,
                                struct kube_request **out, struct hs_err *err);

/* Abandons a request (no callback runs afterwards). Takes *r (may be NULL)
 * and clears it. Not from the request's own on_done. */
void kube_request_cancel(struct kube_request **r);

/* Requests started and not yet done or canceled. */
size_t kube_client_in_flight(const struct kube_client *c);
/* Non-watch requests sent to the server so far (retries included). */
uint64_t kube_client_requests_sent(const struct kube_client *c);
/* The loop and clock the client runs on (borrowed). */
struct ev_loop *kube_client_loop(const struct kube_client *c);
struct hs_clock *kube_client_clock(const struct kube_client *c);

/* Appends to b the path segment s percent-encoded (names, label values). */
struct hs_buf;
void kube_path_escape(struct hs_buf *b, const char *s);

#endif
