/*
 * The standard retry mode's decisions (see aws/retry.h): error-code tables,
 * backoff ceilings, the retry quota, and clock-skew detection from a
 * response's Date header. Pure: no I/O, no clock, no logging; the client
 * (client.c) owns the state these functions judge.
 */
#include "aws/retry.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The SDK standard mode's throttling codes, plus botocore's _retry.json
 * entries for the services hoist calls (EC2's EC2ThrottledException). */
static const char *const throttling_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};

/* Transient codes of the standard mode, and STS's IDPCommunicationError
 * (_retry.json: the identity provider of a web identity call did not
 * answer), which matters for IRSA. */
static const char *const transient_codes[] = {
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
    "IDPCommunicationError",
};

static const char *const skew_codes[] = {
    "RequestTimeTooSkewed",      "RequestExpired",        "RequestInTheFuture",
    "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure",
};

static bool in_list(const char *code, const char *const *list, size_t n)
{
    if (!code || !*code)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(code, list[i]) == 0)
            return true;
    return false;
}

bool aws_retry_is_throttling(int http_status, const char *code)
{
    /* 429 Too Many Requests and 509 Bandwidth Limit Exceeded are throttling
     * whatever the body says (botocore _retry.json's legacy policies). */
    if (http_status == 429 || http_status == 509)
        return true;
    return in_list(code, throttling_codes, sizeof(throttling_codes) / sizeof(throttling_codes[0]));
}

bool aws_retry_is_transient(enum hs_code transport_rc, int http_status, const char *code)
{
    switch (transport_rc) {
    case HS_OK:
        break;
    case HS_ECONNECT:
    case HS_ETIMEDOUT:
    case HS_EIO:
    case HS_EHTTP:
        return true;
    default:
        return false;
    }
    if (http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504)
        return true;
    return in_list(code, transient_codes, sizeof(transient_codes) / sizeof(transient_codes[0]));
}

enum aws_retry_class aws_retry_classify(enum hs_code transport_rc, int http_status,
                                        const char *code)
{
    if (transport_rc == HS_OK && http_status >= 200 && http_status < 300)
        return AWS_RETRY_NO;
    if (transport_rc == HS_OK && aws_retry_is_throttling(http_status, code))
        return AWS_RETRY_THROTTLED;
    if (aws_retry_is_transient(transport_rc, http_status, code))
        return AWS_RETRY_TRANSIENT;
    return AWS_RETRY_NO;
}

bool aws_retry_is_skew_code(const char *code)
{
    return in_list(code, skew_codes, sizeof(skew_codes) / sizeof(skew_codes[0]));
}

bool aws_retry_skew(int64_t server_ns, int64_t local_ns, int64_t *offset_ns)
{
    int64_t d = server_ns - local_ns;
    if (d < AWS_RETRY_SKEW_THRESHOLD_NS && d > -AWS_RETRY_SKEW_THRESHOLD_NS)
        return false;
    *offset_ns = d;
    return true;
}

/* ---- HTTP dates ---- */

static int month_of(const char *s)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (strncasecmp(s, months + 3 * i, 3) == 0)
            return i + 1;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil arithmetic). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool aws_http_date_parse(const char *s, int64_t *out_ns)
{
    int day = 0, year = 0, hh = 0, mm = 0, ss = 0, n = 0;
    char mon[4] = { 0 }, wk[16] = { 0 };
    if (!s)
        return false;
    while (*s == ' ' || *s == '\t')
        s++;
    /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
    if (sscanf(s, "%15[A-Za-z], %d %3s %d %d:%d:%d GMT%n", wk, &day, mon, &year, &hh, &mm, &ss,
               &n) == 7 &&
        n > 0) {
        /* ok */
    } else if (sscanf(s, "%15[A-Za-z], %d-%3s-%d %d:%d:%d GMT%n", wk, &day, mon, &year, &hh, &mm,
                      &ss, &n) == 7 &&
               n > 0) {
        year += year < 70 ? 2000 : (year < 100 ? 1900 : 0); /* RFC 850 */
    } else if (sscanf(s, "%15[A-Za-z] %3s %d %d:%d:%d %d%n", wk, mon, &day, &hh, &mm, &ss, &year,
                      &n) == 7 &&
               n > 0) {
        /* asctime */
    } else {
        return false;
    }
    int m = month_of(mon);
    if (!m || day < 1 || day > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60 ||
        year < 1970 || year > 9999)
        return false;
    int64_t secs = days_from_civil(year, m, day) * 86400 + hh * 3600 + mm * 60 + ss;
    if (secs >= INT64_MAX / 1000000000) /* past 2262: no clock to correct towards */
        return false;
    *out_ns = secs * (int64_t)1000000000;
    return true;
}

/* ---- backoff ---- */

int64_t aws_retry_ceiling(unsigned attempt, int64_t base_ns, int64_t cap_ns)
{
    if (attempt == 0)
        attempt = 1;
    int64_t c = base_ns;
    for (unsigned i = 1; i < attempt; i++) {
        if (c >= cap_ns / 2) {
            c = cap_ns;
            break;
        }
        c *= 2;
    }
    return c < cap_ns ? c : cap_ns;
}

int64_t aws_retry_delay(struct hs_rng *rng, unsigned attempt, int64_t base_ns, int64_t cap_ns)
{
    int64_t ceil = aws_retry_ceiling(attempt, base_ns, cap_ns);
    if (ceil <= 0)
        return 0;
    return (int64_t)hs_rng_below(rng, (uint64_t)ceil);
}

/* ---- quota ---- */

void aws_retry_quota_init(struct aws_retry_quota *q, int max)
{
    q->max = max > 0 ? max : AWS_RETRY_QUOTA_MAX;
    q->available = q->max;
}

int aws_retry_quota_acquire(struct aws_retry_quota *q, bool after_timeout)
{
    int cost = after_timeout ? AWS_RETRY_TIMEOUT_COST : AWS_RETRY_COST;
    if (q->available < cost)
        return 0;
    q->available -= cost;
    return cost;
}

void aws_retry_quota_success(struct aws_retry_quota *q, int last_acquired)
{
    int give = last_acquired > 0 ? last_acquired : AWS_RETRY_NO_RETRY_REFUND;
    q->available = q->available + give > q->max ? q->max : q->available + give;
}
