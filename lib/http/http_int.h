/*
 * lib/http's insides, shared by the request bookkeeping (client.c) and the
 * transports behind it (curl.c, fake.c). The bookkeeping owns requests,
 * their callbacks and the response being assembled; a transport only moves
 * bytes and reports them through the http__on_* functions below. A transport
 * must never call a user callback itself, and never free a request.
 */
#ifndef HOIST_HTTP_HTTP_INT_H
#define HOIST_HTTP_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "base/buf.h"
#include "base/common.h"
#include "base/err.h"
#include "http/http.h"

#define HTTP__DEFAULT_MAX_BODY        ((size_t)256 << 20)
#define HTTP__DEFAULT_CONNECT_TIMEOUT (10 * (int64_t)1000000000)
#define HTTP__DEFAULT_HOST_CONNS      8
#define HTTP__DEFAULT_IDLE_CONNS      16

/* The transport of a client: libcurl on the loop, or the fake of fake.c.
 * Called only through the thin wrappers in client.c, which are also where a
 * test can step in. */
struct http__backend_ops {
    const char *name;
    /* Makes the transport's state (c->be) once the options are copied. On
     * failure release is still called, so it must free a partial state. */
    enum hs_code (*init)(struct http_client *c, struct hs_err *err);
    /* Frees the transport's state; every request has been aborted. */
    void (*release)(struct http_client *c);
    /* Begins moving r; from now on the transport reports through
     * http__on_header/http__on_body and ends with http__finish. On error,
     * fills err and holds nothing of r. */
    enum hs_code (*start)(struct http_request *r, struct hs_err *err);
    /* Stops moving r and frees the transport's part of it, silently. Never
     * called while the transport is inside its own machinery (in_backend). */
    void (*abort)(struct http_request *r);
};

/* Lifecycle of a request. */
enum http__req_state {
    HTTP__REQ_PENDING,   /* started while the transport was busy: handed to it at the next flush */
    HTTP__REQ_ACTIVE,    /* the transport is moving it */
    HTTP__REQ_CANCELED,  /* canceled while the transport was busy: aborted and freed at the next
                            flush; no callback runs */
    HTTP__REQ_FINISHING, /* on_done is running; freed when it returns */
};

/* Lifecycle of a client. */
enum http__client_state {
    HTTP__CLIENT_RUNNING, /* accepting and driving requests */
    HTTP__CLIENT_CLOSING, /* http_client_free is canceling: http_request_start refuses */
};

struct http_request {
    struct http_client *c;
    enum http__req_state state;
    struct http_request *prev, *next; /* in c's list while PENDING, ACTIVE or CANCELED */

    char *method;                    /* owned, upper case */
    char *url;                       /* owned, as given */
    char *url_log;                   /* owned: scheme://host[:port]/path, for messages and logs */
    struct http_header *req_headers; /* owned array; names and values owned */
    size_t nreq_headers;
    void *body; /* owned copy (NULL when body_len is 0) */
    size_t body_len;
    bool send_body;          /* send a body (possibly empty) */
    int64_t timeout_ns;      /* resolved: 0 means none */
    int64_t idle_timeout_ns; /* 0: off */
    size_t max_body;
    http_done_fn on_done;
    http_data_fn on_data;
    void *ctx;
    double started; /* ev_now at start, for the log line */
    ev_timer idle;  /* idle_timeout_ns: runs while ACTIVE */
    double last_io; /* ev_now when the last response byte came (or the start) */

    /* The response as it arrives. */
    int status;
    struct hs_buf hdr_text; /* "name\0value\0..." of the current response head */
    size_t *hdr_off;        /* 2 offsets per header into hdr_text */
    size_t nhdrs, hdr_cap;
    struct http_header *hdr_view; /* pointers into hdr_text, rebuilt when stale */
    size_t hdr_view_cap;
    bool view_stale;
    bool body_started; /* the first body byte came: streaming is decided */
    bool streaming;    /* body goes to on_data */
    struct hs_buf body_in;
    enum hs_code stop_rc; /* set when a data callback or the body limit stopped the transfer */
    struct hs_err stop_err;

    void *be; /* the transport's part */
};

struct http_client {
    struct ev_loop *loop; /* borrowed */
    const struct http__backend_ops *ops;
    void *be; /* the transport's state */
    enum http__client_state state;
    /* Depth of transport machinery on the stack (libcurl's socket_action):
     * while > 0, requests are neither handed over nor aborted, only marked. */
    unsigned in_backend;
    /* Depth of on_done/ECANCELED callbacks on the stack, to catch a free
     * from inside one. */
    unsigned in_callback;
    size_t nflush; /* PENDING + CANCELED requests in the list */
    struct http_request *head, *tail;
    size_t nrequests; /* in the list, CANCELED excluded */

    /* Copied options (all owned). */
    char *ca_file;
    void *ca_pem;
    size_t ca_pem_len;
    char *client_cert_file, *client_key_file;
    void *client_cert_pem, *client_key_pem;
    size_t client_cert_pem_len, client_key_pem_len;
    char *tls_server_name;
    bool insecure_skip_verify;
    int64_t connect_timeout_ns;
    int64_t request_timeout_ns;
    char *user_agent;
    long max_host_connections;
    long max_idle_connections;
    char *proxy; /* NULL: the environment's; socks5:// already rewritten to socks5h:// */

    /* What the transport's init reads besides the options (fake.c: its
     * handler); borrowed, only during http__client_new_with. */
    const void *be_arg;
};

/* The libcurl transport (curl.c). */
extern const struct http__backend_ops http__curl_ops;

/* Makes a client on the given transport (client.c); be_arg goes to its init
 * as c->be_arg. As http_client_new otherwise. */
enum hs_code http__client_new_with(struct ev_loop *loop, const struct http_client_options *opts,
                                   const struct http__backend_ops *ops, const void *be_arg,
                                   struct http_client **out, struct hs_err *err);

/* Transport reports (client.c). */

/* One raw header line as received, CRLF included: a status line starts a
 * new head; an empty line ends one. Returns HS_OK or a code that stops the
 * transfer. */
enum hs_code http__on_header(struct http_request *r, const char *line, size_t len);
/* A piece of body. Returns HS_OK, or a code that stops the transfer (also
 * kept in r->stop_rc): the transport ends it and calls http__finish. */
enum hs_code http__on_body(struct http_request *r, const char *data, size_t len);
/* The transfer ended: rc and a one-line detail from the transport (ignored
 * when rc is HS_OK, replaced by r->stop_rc when a callback stopped it).
 * The transport has already let go of r. Runs on_done (unless canceled) and
 * frees r. Must not be called while in_backend > 0. */
void http__finish(struct http_request *r, enum hs_code rc, const char *detail);
/* Hands PENDING requests to the transport and aborts CANCELED ones. The
 * transport calls it whenever it leaves its machinery. */
void http__flush(struct http_client *c);

/* The URL without user info, query or fragment (new). */
char *http__url_for_log(const char *url);

#endif
