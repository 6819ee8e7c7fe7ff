/*
 * A transport without sockets, for the tests of the layers above lib/http
 * (aws, kube, controller): a handler function sees every request and says
 * what comes back (a response, possibly late and in small pieces, a
 * transport error, or nothing at all), and the client delivers it from the
 * loop exactly as the real transport would, through the same callbacks,
 * timeouts and cancellation rules as http.h documents. This is the fault
 * injection point for HTTP: refused connections, timeouts, truncated
 * streams, 5xx storms.
 *
 * Never for production: it ignores TLS and connection options.
 */
#ifndef HOIST_HTTP_FAKE_H
#define HOIST_HTTP_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "http/http.h"

/* The request as the fake sees it; every pointer borrowed for the call. */
struct http_fake_request {
    const char *method; /* upper case */
    const char *url;    /* as given, query included */
    const struct http_header *headers;
    size_t nheaders;
    const void *body;
    size_t body_len;
};

/* What to do with it; zeroed before the handler runs. Everything is copied
 * when the handler returns. */
struct http_fake_reply {
    /* HS_OK: answer with status, headers and body. Anything else: fail the
     * request with this code, after delay_ns, and with `error` (may be NULL)
     * as the message's detail; status, headers and body are then sent first
     * when status is set (a connection that breaks mid-body). */
    enum hs_code rc;
    const char *error;
    int status;
    const struct http_header *headers;
    size_t nheaders;
    const void *body;
    size_t body_len;
    int64_t delay_ns; /* before the head arrives */
    size_t chunk;     /* body in pieces of at most this many bytes, one per loop turn; 0: whole */
    bool never;       /* never answer: only the request's timeout or a cancel ends it */
};

/* Called once per request, from inside http_request_start (before it
 * returns). It may not start or cancel requests of this client. */
typedef void (*http_fake_fn)(void *ctx, const struct http_fake_request *req,
                             struct http_fake_reply *reply);

/* As http_client_new, with the fake transport: fn (with ctx, borrowed)
 * answers every request. opts may be NULL; only the timeouts in it apply. */
enum hs_code http_client_new_fake(struct ev_loop *loop, const struct http_client_options *opts,
                                  http_fake_fn fn, void *ctx, struct http_client **out,
                                  struct hs_err *err);

#endif
