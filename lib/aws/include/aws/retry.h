/*
 * The AWS SDKs' "standard" retry mode as pure functions, so the client's
 * retry loop and the tests share one definition: which outcome of an attempt
 * is throttling, which is transient, which is a clock-skew rejection; how
 * long to wait before the next attempt; and the retry quota (a token bucket
 * that stops a client from turning an outage into a retry storm).
 *
 * Semantics follow the SDK specification as botocore implements it
 * (retries/standard.py, data/_retry.json): at most 3 attempts unless
 * configured; before attempt n+1 wait rand[0,1) * min(base * 2^(n-1), cap)
 * with base 1 s and cap 20 s; the quota starts at 500 tokens, a retry costs
 * 5 (10 after a timeout), a success gives back what its retry took, or 1
 * when it needed none.
 *
 * Nothing here does I/O, reads a clock or logs.
 */
#ifndef HOIST_AWS_RETRY_H
#define HOIST_AWS_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/rng.h"

#define AWS_RETRY_MAX_ATTEMPTS      3
#define AWS_RETRY_BASE_NS           ((int64_t)1000000000)  /* 1 s */
#define AWS_RETRY_CAP_NS            ((int64_t)20000000000) /* 20 s */
#define AWS_RETRY_QUOTA_MAX         500
#define AWS_RETRY_COST              5
#define AWS_RETRY_TIMEOUT_COST      10
#define AWS_RETRY_NO_RETRY_REFUND   1
#define AWS_RETRY_SKEW_THRESHOLD_NS ((int64_t)4 * 60 * 1000000000) /* 4 min */

/* What one attempt's outcome is, for the retry decision. */
enum aws_retry_class {
    AWS_RETRY_NO,        /* success, or an error that a retry cannot fix */
    AWS_RETRY_THROTTLED, /* the service is rate-limiting us: retry, report HS_ETHROTTLED */
    AWS_RETRY_TRANSIENT, /* 5xx, timeouts, broken connections: retry */
};

/* True when (http_status, code) is a throttling answer: one of the SDKs'
 * throttling error codes (Throttling, ThrottlingException,
 * RequestLimitExceeded, ...), or HTTP 429 or 509 whatever the code. code is the
 * parsed error code (borrowed), NULL or "" when the body had none. */
bool aws_retry_is_throttling(int http_status, const char *code);

/* True when the outcome is transient: a transport failure (transport_rc
 * HS_ECONNECT, HS_ETIMEDOUT, HS_EIO or HS_EHTTP: no whole response), HTTP
 * 500/502/503/504, or a transient error code (RequestTimeout,
 * RequestTimeoutException, PriorRequestNotComplete, IDPCommunicationError).
 * transport_rc is HS_OK when a response arrived. */
bool aws_retry_is_transient(enum hs_code transport_rc, int http_status, const char *code);

/* Throttling wins over transient (RequestLimitExceeded comes with 503). */
enum aws_retry_class aws_retry_classify(enum hs_code transport_rc, int http_status,
                                        const char *code);

/* True for the error codes a service sends when the request's time is too
 * far from its own (RequestTimeTooSkewed, RequestExpired, RequestInTheFuture,
 * InvalidSignatureException, SignatureDoesNotMatch, AuthFailure). Whether
 * the clock is at fault is then decided by aws_retry_skew. */
bool aws_retry_is_skew_code(const char *code);

/* The correction to add to the local wall clock when a response's Date
 * (server_ns, Unix ns) and the local wall time it arrived at (local_ns)
 * differ by more than AWS_RETRY_SKEW_THRESHOLD_NS: server_ns - local_ns.
 * Returns false (and leaves *offset_ns) when they are close enough that
 * the clock cannot be the cause. */
bool aws_retry_skew(int64_t server_ns, int64_t local_ns, int64_t *offset_ns);

/* Parses an HTTP Date header (IMF-fixdate, "Tue, 28 Nov 2026 08:00:00 GMT";
 * also the obsolete RFC 850 and asctime forms) into Unix ns. s borrowed.
 * False for what is no such date, or one before 1970 or after 2262 (beyond
 * int64 nanoseconds). */
bool aws_http_date_parse(const char *s, int64_t *out_ns);

/* The ceiling of the wait before the retry that follows failed attempt
 * `attempt` (1-based): min(base * 2^(attempt-1), cap), without overflow. */
int64_t aws_retry_ceiling(unsigned attempt, int64_t base_ns, int64_t cap_ns);
/* A wait uniformly drawn from [0, ceiling) with rng (borrowed). */
int64_t aws_retry_delay(struct hs_rng *rng, unsigned attempt, int64_t base_ns, int64_t cap_ns);

/* The retry quota. Embedded value; one per client (all its calls share it). */
struct aws_retry_quota {
    int max;       /* capacity when full */
    int available; /* tokens left */
};

/* max <= 0 picks AWS_RETRY_QUOTA_MAX. */
void aws_retry_quota_init(struct aws_retry_quota *q, int max);
/* Takes the cost of one retry (AWS_RETRY_TIMEOUT_COST after a timeout,
 * else AWS_RETRY_COST). Returns the tokens taken, or 0 when the quota
 * cannot pay (no retry then). */
int aws_retry_quota_acquire(struct aws_retry_quota *q, bool after_timeout);
/* After a successful call: gives back `last_acquired` (what the call's most
 * recent retry took), or AWS_RETRY_NO_RETRY_REFUND when it took none (0).
 * Never beyond max. */
void aws_retry_quota_success(struct aws_retry_quota *q, int last_acquired);

#endif
