/*
 * The credentials hoist signs with, kept current on the event loop. A cache
 * takes the provider that aws_cred_plan_resolve picked (aws/credentials.h)
 * and, for the providers that need the network, fetches over lib/http:
 *   web identity  POST AssumeRoleWithWebIdentity (unsigned Query call) to the
 *                 regional STS endpoint, the token file read afresh each time;
 *   container     GET the agent's URL with the Authorization header from
 *                 AWS_CONTAINER_AUTHORIZATION_TOKEN or _TOKEN_FILE (re-read
 *                 each time); JSON {AccessKeyId, SecretAccessKey, Token,
 *                 Expiration};
 *   IMDSv2        PUT /latest/api/token (X-aws-ec2-metadata-token-ttl-seconds),
 *                 GET /latest/meta-data/iam/security-credentials/ for the role
 *                 name, GET .../<role> for the same JSON (Code "Success").
 * Temporary credentials are refreshed ahead of their expiry by a timer, never
 * by blocking a request; when a refresh fails, the unexpired credentials keep
 * being served and the refresh backs off (lib/base backoff.h).
 *
 * The cache never logs or puts in an error message a secret key, session
 * token, web identity token or container authorization token; secrets it
 * drops are wiped. It belongs to the thread that runs its loop.
 */
#ifndef HOIST_AWS_CREDS_CACHE_H
#define HOIST_AWS_CREDS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/credentials.h"
#include "aws/endpoints.h"
#include "aws/sigv4.h"
#include "base/err.h"

struct ev_loop;
struct http_client;
struct hs_clock;

/* Where the cache is in its life. */
enum aws_creds_state {
    AWS_CREDS_EMPTY,      /* nothing fetched yet and no fetch started */
    AWS_CREDS_FETCHING,   /* no usable credentials; a fetch is in flight, waiters queue */
    AWS_CREDS_FRESH,      /* usable credentials; the timer is set for the refresh-ahead
                             time (static credentials: no timer, never leaves this state) */
    AWS_CREDS_REFRESHING, /* usable credentials being served while a fetch replaces them */
    AWS_CREDS_BACKOFF,    /* the last fetch failed; the timer is set for the next try;
                             unexpired credentials (if any) are still served, and
                             without them waiters fail at once with the last error */
};

/* A static name ("FRESH", ...). */
const char *aws_creds_state_name(enum aws_creds_state s);

struct aws_creds_cache_options {
    struct hs_clock *clock; /* borrowed; NULL: the real clock */
    /* Region for the regional STS endpoint (web identity); borrowed, copied.
     * NULL: the global https://sts.amazonaws.com. */
    const char *region;
    /* Endpoint overrides (AWS_ENDPOINT_URL_STS, ...); borrowed for the call.
     * NULL: read from the process environment. */
    const struct aws_endpoint_config *endpoints;
    /* Start refreshing this long before expiry (capped at half the
     * credentials' lifetime); 0: 15 min. */
    int64_t refresh_ahead_ns;
    /* Credentials count as expired this long before their Expiration (a
     * request signed now must still be valid when it arrives); 0: 60 s. */
    int64_t expiry_margin_ns;
    int64_t fetch_timeout_ns;   /* per HTTP request; 0: 10 s (IMDS: 5 s) */
    int64_t backoff_base_ns;    /* after a failed fetch; 0: 1 s */
    int64_t backoff_cap_ns;     /* 0: 60 s */
    int64_t session_duration_s; /* web identity DurationSeconds; 0: not sent (STS: 1 h) */
    uint64_t seed;              /* backoff jitter */
};

struct aws_creds_cache;

/* Makes a cache that serves the credentials plan describes. The cache takes
 * over everything plan owns (plan is emptied, as if released; steals). loop,
 * http (borrowed) must outlive the cache; o (borrowed, may be NULL) is
 * copied. Static providers (environment, shared files) are FRESH at once;
 * the others are EMPTY until aws_creds_cache_start or the first wait.
 * HS_EINVAL (err filled, plan still emptied) for a plan with no provider or
 * an STS endpoint that cannot be resolved. *out is new: free with
 * aws_creds_cache_free. */
enum hs_code aws_creds_cache_new_take(struct ev_loop *loop, struct http_client *http,
                                      struct aws_cred_plan *plan,
                                      const struct aws_creds_cache_options *o,
                                      struct aws_creds_cache **out, struct hs_err *err);

/* Stops timers, cancels a fetch in flight, gives every waiter HS_ECANCELED
 * (inside this call), wipes the secrets and frees. Accepts NULL and
 * *c == NULL; clears *c. */
void aws_creds_cache_free(struct aws_creds_cache **c);

/* Starts the first fetch now (so the first request need not wait). No-op
 * unless EMPTY. */
void aws_creds_cache_start(struct aws_creds_cache *c);

/* If usable credentials are at hand, fills *view with them (strings
 * borrowed from the cache: valid until control returns to the loop) and
 * returns true. Never starts I/O by itself. */
bool aws_creds_cache_peek(struct aws_creds_cache *c, struct aws_credentials *view);

/* A request waiting for credentials; embedded in its owner. */
typedef void (*aws_creds_ready_fn)(void *ctx, enum hs_code rc, const struct hs_err *err);
struct aws_creds_waiter {
    struct aws_creds_waiter *prev, *next; /* private */
    aws_creds_ready_fn fn;                /* private */
    void *ctx;                            /* private */
    bool queued;                          /* private */
    unsigned gen;                         /* private */
};

/* Queues w (borrowed; must stay valid until fn runs or aws_creds_cache_unwait)
 * until credentials are usable: fn(ctx, HS_OK) when they are (then peek),
 * or fn(ctx, code, err) when fetching failed and none are usable (err names
 * the provider and cause; never a secret). fn always runs later from the
 * loop, never inside this call. Starts a fetch when EMPTY. */
void aws_creds_cache_wait(struct aws_creds_cache *c, struct aws_creds_waiter *w,
                          aws_creds_ready_fn fn, void *ctx);
/* Removes w if queued; fn will not run. */
void aws_creds_cache_unwait(struct aws_creds_cache *c, struct aws_creds_waiter *w);

/* Re-evaluates timers against the cache's clock: starts a due refresh or
 * retry. The cache's own timer calls it; tests call it after moving a fake
 * clock. */
void aws_creds_cache_poll(struct aws_creds_cache *c);

/* Forget the current credentials' validity and fetch again now (a service
 * said they are expired or invalid). No-op for static credentials and while
 * a fetch is in flight. */
void aws_creds_cache_invalidate(struct aws_creds_cache *c);

struct aws_creds_cache_stats {
    enum aws_creds_state state;
    enum aws_cred_source source;
    unsigned fetches;   /* fetches started */
    unsigned failures;  /* fetches that failed */
    int64_t expiration; /* current credentials' expiry, Unix ns; 0: none or static */
    int64_t refresh_at; /* when the next fetch starts (wall, Unix ns); 0: none planned */
};
void aws_creds_cache_stats(const struct aws_creds_cache *c, struct aws_creds_cache_stats *out);

/* When temporary credentials fetched at fetched_ns and expiring at
 * expiration_ns (both Unix ns) are refreshed: expiration - min(ahead,
 * lifetime / 2), where lifetime = expiration - fetched (never before
 * fetched_ns). Exposed for tests and for the daemon's status. */
int64_t aws_creds_refresh_at(int64_t fetched_ns, int64_t expiration_ns, int64_t ahead_ns);

/* ---- response parsers (exposed for tests and fuzzing) ---- */

/* The JSON document of the container endpoint and of IMDS
 * ({AccessKeyId, SecretAccessKey, Token, Expiration[, Code]}) into *out
 * (zeroed first; owned strings; left empty on error). A Code other than
 * "Success" is HS_EAUTH naming it; a missing field HS_EPARSE naming it;
 * what (borrowed) prefixes messages ("container credentials"). body is
 * borrowed and need not be NUL-terminated. Messages never quote values. */
enum hs_code aws_creds_parse_json(const char *body, size_t len, const char *what,
                                  struct aws_creds *out, struct hs_err *err);

/* ---- instance metadata ---- */

/* One IMDSv2 GET: a token PUT, then GET path with it. */
struct aws_imds_request;
/* body (borrowed, NUL-terminated) is valid during the call. */
typedef void (*aws_imds_fn)(void *ctx, enum hs_code rc, const char *body, size_t len,
                            const struct hs_err *err);

/* GETs endpoint (borrowed, "http://169.254.169.254"; NULL: that) + path
 * (borrowed, "/latest/meta-data/placement/region") through http (borrowed)
 * with a fresh IMDSv2 token; timeout_ns per request (0: 5 s). fn runs once,
 * later, from the loop; a non-200 answer is HS_EHTTP naming the status.
 * *out (may be NULL) is a handle for aws_imds_cancel, valid until fn runs.
 * On error (err filled) fn never runs. */
enum hs_code aws_imds_get(struct http_client *http, const char *endpoint, const char *path,
                          int64_t timeout_ns, aws_imds_fn fn, void *ctx,
                          struct aws_imds_request **out, struct hs_err *err);
/* Abandons the request: fn will not run. Takes *r (may be NULL), clears it. */
void aws_imds_cancel(struct aws_imds_request **r);

/* The IMDS endpoint env (borrowed) names: AWS_EC2_METADATA_SERVICE_ENDPOINT
 * or the default, without a trailing slash (new); NULL when
 * AWS_EC2_METADATA_DISABLED=true. */
char *aws_imds_endpoint(const struct aws_env *env);

#endif
