/*
 * hoist's HTTP client: asynchronous requests on one libev loop, for the AWS
 * and Kubernetes layers. A client owns a pool of keep-alive connections
 * (HTTP/1.1, and HTTP/2 where the server offers it over TLS); a request either
 * buffers the whole response for one completion callback, or streams the body
 * chunk by chunk (a Kubernetes watch) with http_lines to cut it into lines.
 *
 * This header never exposes libcurl or libev types beyond `struct ev_loop`:
 * lib/http is the only module that includes curl headers. TLS certificates
 * are always verified unless a caller asks for insecure_skip_verify (which
 * exists only because kubeconfig has insecure-skip-tls-verify) and that logs
 * a warning. Nothing here blocks the loop, logs a header value, or logs a
 * URL's query string or user info.
 *
 * Threading: a client and everything it hands out belong to the thread that
 * runs its loop.
 */
#ifndef HOIST_HTTP_HTTP_H
#define HOIST_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct ev_loop;
struct http_client;
struct http_request;

/* A header as a view: both strings borrowed. Names are matched without
 * regard to case; values must not hold CR, LF or NUL. */
struct http_header {
    const char *name;
    const char *value;
};

/* Per-request timeout meaning "none" (watch streams). */
#define HTTP_NO_TIMEOUT ((int64_t)-1)

struct http_client_options {
    /* Trust anchors, PEM. Both NULL: the system's bundle. ca_file is a path
     * (kubeconfig certificate-authority); ca_pem a blob of ca_pem_len bytes
     * (certificate-authority-data after base64 decoding). Setting both is
     * an error. */
    const char *ca_file;
    const void *ca_pem;
    size_t ca_pem_len;
    /* Client certificate and key for TLS client auth (Kubernetes
     * client-certificate[-data], client-key[-data]), PEM: as files or as
     * blobs; a certificate needs its key and the other way round. */
    const char *client_cert_file;
    const char *client_key_file;
    const void *client_cert_pem;
    size_t client_cert_pem_len;
    const void *client_key_pem;
    size_t client_key_pem_len;
    /* Verify the server's certificate against this name instead of the
     * URL's host (and send it as SNI), as kubeconfig's tls-server-name. The
     * Host header still names the URL's host. NULL: the URL's host. */
    const char *tls_server_name;
    /* Skip certificate verification. Only for kubeconfig's
     * insecure-skip-tls-verify; logs a warning when the client is made. */
    bool insecure_skip_verify;
    /* TCP + TLS connect timeout; 0: 10 s. */
    int64_t connect_timeout_ns;
    /* Whole-request timeout of requests that give none; 0: none. */
    int64_t request_timeout_ns;
    /* User-Agent; NULL: "hoist/<version>". */
    const char *user_agent;
    /* Open connections per host:port at most; 0: 8. */
    long max_host_connections;
    /* Idle connections kept for reuse; 0: 16. */
    long max_idle_connections;
    /* Proxy for every request of this client (kubeconfig proxy-url):
     * http://, https:// (TLS to the proxy, verified against the system's
     * bundle) or socks5:// (host names resolved by the proxy, as client-go's
     * socks5 does; socks5h:// is the same). When set it replaces the
     * environment's proxy variables, NO_PROXY included, as client-go's
     * proxy-url does. May carry user:password; never logged or quoted.
     * NULL: the environment, as below. */
    const char *proxy;
};
/* Without `proxy`, proxies come from the environment as libcurl reads it:
 * http_proxy (lower case only), HTTPS_PROXY/https_proxy, ALL_PROXY, NO_PROXY. */

/* What arrived. Every pointer is borrowed and valid only during the callback
 * that receives it. */
struct http_response {
    int status;                        /* 0 when no response head arrived */
    const struct http_header *headers; /* of the final response, in order */
    size_t nheaders;
    const char *body; /* NUL-terminated (not counted in body_len); "" if none */
    size_t body_len;
};

/* First value of header `name` (case-insensitive) or NULL. Borrowed from resp. */
const char *http_response_header(const struct http_response *resp, const char *name);

/* Completion. rc is HS_OK when a whole response arrived, whatever its
 * status: the caller judges 4xx/5xx. Otherwise rc says what broke:
 *   HS_ECONNECT   no connection (refused, DNS, proxy, TLS handshake or
 *                 certificate verification failure),
 *   HS_ETIMEDOUT  connect, request or idle timeout,
 *   HS_EHTTP      the peer broke HTTP (malformed or truncated reply),
 *   HS_EIO        the connection failed mid-exchange,
 *   HS_ERANGE     the body exceeded max_body,
 *   HS_ECANCELED  http_client_free ran with the request in flight,
 *   any code a data callback returned.
 * err (borrowed) holds a one-line message naming method and URL (no query
 * string) and the cause; resp (borrowed) holds what arrived before the
 * failure. Called exactly once per started request, never from inside
 * http_request_start, and not at all after http_request_cancel. The request
 * handle dies when the callback returns. */
typedef void (*http_done_fn)(void *ctx, enum hs_code rc, const struct http_response *resp,
                             const struct hs_err *err);

/* Streaming: called for each chunk of a 2xx response body as it arrives.
 * head (borrowed) carries status and headers (body empty); data (borrowed)
 * is valid only during the call. Return HS_OK to go on; any other code ends
 * the request and on_done receives it. A non-2xx response is not streamed:
 * its body is buffered and handed to on_done as usual, so error bodies
 * (a Kubernetes Status) arrive whole. */
typedef enum hs_code (*http_data_fn)(void *ctx, const struct http_response *head, const char *data,
                                     size_t len);

struct http_request_options {
    const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"; NULL: GET */
    const char *url;    /* http:// or https://; borrowed, copied */
    const struct http_header *headers; /* borrowed, copied; nheaders entries */
    size_t nheaders;
    const void *body; /* borrowed, copied; sent when body_len > 0 or method is POST */
    size_t body_len;
    /* Whole-request timeout; 0: the client's request_timeout_ns;
     * HTTP_NO_TIMEOUT: none. */
    int64_t timeout_ns;
    /* Fail with HS_ETIMEDOUT when no byte of the response arrives for this
     * long (for streams that should never go quiet); 0: off. */
    int64_t idle_timeout_ns;
    /* Largest buffered body (not counting streamed data); 0: 256 MiB. */
    size_t max_body;
    http_done_fn on_done; /* required */
    http_data_fn on_data; /* NULL: buffer the body for on_done */
    void *ctx;            /* passed to both callbacks */
};

/* Makes a client driven by loop (borrowed; must outlive the client). opts
 * (borrowed, may be NULL for defaults) is copied, blobs included. Returns
 * HS_OK and *out (new; free with http_client_free), or HS_EINVAL/HS_EIO
 * with err filled and *out untouched. */
enum hs_code http_client_new(struct ev_loop *loop, const struct http_client_options *opts,
                             struct http_client **out, struct hs_err *err);

/* Cancels every request in flight: each one's on_done runs once, inside
 * this call, with HS_ECANCELED (requests that were http_request_cancel'ed
 * get nothing). Those callbacks must not start requests on this client (it
 * refuses with HS_ESTATE). Then closes all connections, stops all watchers
 * and frees. Accepts NULL and *c == NULL; sets *c to NULL. Must not be
 * called from inside one of the client's callbacks. */
void http_client_free(struct http_client **c);

/* Starts a request. On HS_OK *out (may be NULL if the caller never cancels)
 * is a borrowed handle that stays valid until on_done returns or the
 * request is canceled; on_done runs later, from the loop. On error (HS_EINVAL
 * for a bad URL, method or header, HS_ESTATE while the client is being
 * freed) err is filled, *out is untouched and no callback will ever run.
 * May be called from any callback of this client. */
enum hs_code http_request_start(struct http_client *c, const struct http_request_options *o,
                                struct http_request **out, struct hs_err *err);

/* Abandons a request: no callback of it runs afterwards, its connection is
 * closed and its memory freed (at once, or as soon as libcurl lets go when
 * called from a data callback). Takes *r (may be NULL) and sets it to NULL.
 * Calling it from the request's own on_done is an error (the handle is dying
 * anyway); from its on_data it is fine. */
void http_request_cancel(struct http_request **r);

/* Number of requests started and not yet finished or canceled. */
size_t http_client_in_flight(const struct http_client *c);

/*
 * Line splitting for streamed bodies: feed chunks as they come; each complete
 * line (without its '\n' or a '\r' before it) goes to the line callback, and
 * a partial line waits for the next chunk. Embedded value: init/release.
 */
struct http_lines {
    char *buf; /* the partial line so far; owned */
    size_t len;
    size_t cap;
    size_t max_line; /* longest accepted line */
};

/* Called per line; line (borrowed) is NUL-terminated at line[len] and valid
 * only during the call. Return HS_OK to go on; anything else stops feeding
 * and is returned by http_lines_feed. */
typedef enum hs_code (*http_line_fn)(void *ctx, const char *line, size_t len);

/* max_line: longest line accepted; 0: 64 MiB. */
void http_lines_init(struct http_lines *l, size_t max_line);
void http_lines_release(struct http_lines *l);
/* Splits data (borrowed) into lines. Returns HS_OK, the first code a line
 * callback returned (the rest of the chunk is then dropped), or HS_ERANGE
 * (err filled) when a line outgrows max_line. */
enum hs_code http_lines_feed(struct http_lines *l, const char *data, size_t len, http_line_fn fn,
                             void *ctx, struct hs_err *err);
/* At the end of a stream: hands a final unterminated line, if any, to fn
 * and empties l. Returns what fn returned, or HS_OK. */
enum hs_code http_lines_finish(struct http_lines *l, http_line_fn fn, void *ctx);
/* Forgets a partial line (a stream that broke mid-line). */
void http_lines_clear(struct http_lines *l);

#endif
