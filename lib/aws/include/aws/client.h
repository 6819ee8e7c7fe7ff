/*
 * hoist's AWS API client: one Query-protocol call (AutoScaling, EC2, STS)
 * at a time per aws_call, asynchronously on the event loop, over lib/http.
 * A call resolves the service's endpoint (aws/endpoints.h), waits for
 * credentials if the cache has none yet (aws/creds_cache.h), POSTs the form
 * body signed with SigV4 at the client's clock (plus a learned clock-skew
 * offset), and decodes an error envelope into code, message and request id.
 * It retries as the SDKs' standard mode does (aws/retry.h): throttling and
 * transient failures, capped exponential backoff with full jitter, a retry
 * quota shared by the client's calls; a RequestTimeTooSkewed-style answer
 * whose Date header shows our clock is off corrects the offset and retries
 * once. A call that is still throttled after its last attempt ends with
 * HS_ETHROTTLED, so that callers never count AWS rate limiting as a node
 * group failure (cluster-autoscaler #5271).
 *
 * Never: log or put in an error a secret, session token, signature or the
 * Authorization header (log lines name action, status, AWS error code,
 * request id, attempt and time); retry a non-idempotent call after the
 * request may have reached the service, unless the service said it was
 * throttled (a throttled request was not executed).
 *
 * A client belongs to the thread that runs its loop.
 */
#ifndef HOIST_AWS_CLIENT_H
#define HOIST_AWS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/decode.h"
#include "aws/endpoints.h"
#include "aws/query.h"
#include "base/err.h"

struct ev_loop;
struct http_client;
struct hs_clock;
struct aws_creds_cache;

struct aws_client_options {
    const char *region;     /* required unless every service has an endpoint URL; copied */
    struct hs_clock *clock; /* borrowed; NULL: the real clock */
    /* Endpoint settings, copied. NULL: from the process environment. */
    const struct aws_endpoint_config *endpoints;
    int max_attempts;           /* 0: AWS_MAX_ATTEMPTS, else 3 */
    int64_t backoff_base_ns;    /* 0: 1 s */
    int64_t backoff_cap_ns;     /* 0: 20 s */
    int64_t attempt_timeout_ns; /* per HTTP attempt; 0: 30 s */
    int retry_quota;            /* tokens when full; 0: 500 */
    uint64_t seed;              /* jitter; 0: from the clock */
};

struct aws_client;

/* Makes a client on loop (borrowed) sending through http (borrowed) and
 * signing with creds (borrowed); all three must outlive it. o (borrowed)
 * is copied. HS_EINVAL (err filled) for a bad option or an endpoint that
 * cannot be resolved (a missing region, a malformed AWS_ENDPOINT_URL*).
 * *out is new: free with aws_client_free. */
enum hs_code aws_client_new(struct ev_loop *loop, struct http_client *http,
                            struct aws_creds_cache *creds, const struct aws_client_options *o,
                            struct aws_client **out, struct hs_err *err);

/* Cancels every call in flight (each one's callback runs once, inside this
 * call, with HS_ECANCELED), then frees. Accepts NULL and *c == NULL; clears
 * *c. Not from inside one of the client's callbacks. */
void aws_client_free(struct aws_client **c);

/* The region the client signs for (borrowed from c), and the endpoint URL
 * of service s (borrowed from c). */
const char *aws_client_region(const struct aws_client *c);
const char *aws_client_endpoint(const struct aws_client *c, enum aws_service s);

/* What the last attempt of a call got; every pointer borrowed for the
 * callback only. */
struct aws_response {
    int http_status;  /* 0 when no response arrived */
    const char *body; /* the response body (NUL-terminated; "" if none) */
    size_t body_len;
    /* The decoded error envelope of a non-2xx answer, or NULL. */
    const struct aws_error_info *error;
    unsigned attempts; /* attempts made, skew correction included */
    bool throttled;    /* some attempt was throttled */
};

/* Completion: rc is
 *   HS_OK         a 2xx answer (body in resp);
 *   HS_ETHROTTLED still throttled after the last attempt or when the retry
 *                 quota ran out during throttling;
 *   HS_EAWS       an AWS error envelope (resp->error);
 *   HS_EHTTP      a non-2xx answer without an envelope;
 *   HS_ECONNECT, HS_ETIMEDOUT, HS_EIO: the transport, after retries;
 *   HS_EAUTH (or the fetcher's code) when no credentials could be had;
 *   HS_ECANCELED  aws_client_free ran.
 * err's message is one line: "<Action>: HTTP <status> <Code>: <Message>
 * (request id <id>)" for AWS errors, "<Action>: <transport error>" else,
 * with "after N attempts" when the call was retried; err->http_status is
 * set when a response arrived. Runs exactly once, from the loop, never
 * from inside aws_client_call, and not after aws_call_cancel. */
typedef void (*aws_call_fn)(void *ctx, enum hs_code rc, const struct aws_response *resp,
                            const struct hs_err *err);

enum aws_call_flags {
    /* The call changes something and must not run twice: after a request
     * may have reached the service (timeouts, broken connections, 5xx),
     * it is not retried. Throttling answers and refused connections are
     * still retried. TerminateInstanceInAutoScalingGroup sets this. */
    AWS_CALL_NOT_IDEMPOTENT = 1 << 0,
    /* Send without signing (STS AssumeRoleWithWebIdentity). */
    AWS_CALL_UNSIGNED = 1 << 1,
};

struct aws_call;

/* Starts action (borrowed, copied; it names the call in messages and
 * logs) on service s with the form body of q (borrowed; copied; its
 * Action/Version must match). flags: aws_call_flags. fn(ctx) runs once,
 * later. *out (may be NULL) is a handle for aws_call_cancel, valid until
 * fn returns. HS_EINVAL (err filled; fn never runs) for a bad argument or
 * while the client is being freed. */
enum hs_code aws_client_call(struct aws_client *c, enum aws_service s, const char *action,
                             const struct aws_query *q, unsigned flags, aws_call_fn fn, void *ctx,
                             struct aws_call **out, struct hs_err *err);

/* Abandons a call: its callback will not run. Takes *call (may be NULL)
 * and clears it. Not from the call's own callback. */
void aws_call_cancel(struct aws_call **call);

/* Counters since the client was made, for metrics and tests. */
struct aws_client_stats {
    uint64_t calls;            /* calls started */
    uint64_t attempts;         /* HTTP attempts sent */
    uint64_t retries;          /* attempts after the first */
    uint64_t throttled;        /* throttled answers */
    uint64_t quota_refusals;   /* retries refused by the quota */
    uint64_t skew_corrections; /* clock-skew retries */
    uint64_t in_flight;        /* calls not finished */
    int quota_available;       /* retry quota tokens left */
    int64_t skew_ns;           /* current clock-skew offset */
};
void aws_client_stats(const struct aws_client *c, struct aws_client_stats *out);

#endif
