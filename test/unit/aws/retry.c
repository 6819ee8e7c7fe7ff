/*
 * Tests of lib/aws/retry.c: every row of ../shared/testdata/aws/
 * retry-classification.json (botocore's standard-mode tables) through the
 * classifier, the throttling entries of botocore's _retry.json for the
 * services hoist calls, backoff ceilings and jitter bounds, the retry quota's
 * arithmetic (500 tokens, 5 a retry, 10 after a timeout, refunds), HTTP
 * dates and the clock-skew rule.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "aws/retry.h"
#include "base/clock.h"
#include "base/rng.h"

static json_t *load(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", hs_testdata_dir(), rel);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("%s: %s", path, je.text);
    return j;
}

/* A row's errorCode "<socket/IO error: ...>" is a transport failure. */
static void row_outcome(json_t *row, enum hs_code *rc, int *status, const char **code)
{
    json_t *st = json_object_get(row, "httpStatus");
    json_t *c = json_object_get(row, "errorCode");
    *rc = HS_OK;
    *status = json_is_integer(st) ? (int)json_integer_value(st) : 0;
    *code = json_is_string(c) ? json_string_value(c) : NULL;
    if (*code && strncmp(*code, "<socket/IO error", 16) == 0) {
        *rc = strstr(*code, "ConnectionError") ? HS_ECONNECT : HS_EIO;
        *code = NULL;
    }
}

static void classification_rows(void **state)
{
    (void)state;
    json_t *j = load("aws/retry-classification.json");
    json_t *rows = json_object_get(j, "throttling");
    size_t i, checked = 0;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        enum hs_code rc;
        int status;
        const char *code;
        row_outcome(row, &rc, &status, &code);
        bool want = json_is_true(json_object_get(row, "isThrottling"));
        if (aws_retry_is_throttling(status, code) != want)
            fail_msg("throttling row %zu (%d, %s): want %d", i, status, code ? code : "null", want);
        checked++;
    }
    rows = json_object_get(j, "transient");
    json_array_foreach(rows, i, row)
    {
        enum hs_code rc;
        int status;
        const char *code;
        row_outcome(row, &rc, &status, &code);
        bool want = json_is_true(json_object_get(row, "isTransient"));
        if (aws_retry_is_transient(rc, status, code) != want)
            fail_msg("transient row %zu (%d, %s): want %d", i, status, code ? code : "null", want);
        checked++;
    }
    assert_int_equal(checked, 33);
    json_decref(j);
}

/* Every policy of _retry.json's __default__ and of the services hoist uses
 * (ec2, sts) is retryable under our classifier, by code and status. */
static void legacy_policies_are_retryable(void **state)
{
    (void)state;
    json_t *j = load("aws/botocore-models/_retry.json");
    json_t *defs = json_object_get(j, "definitions");
    json_t *retry = json_object_get(j, "retry");
    const char *svcs[] = { "__default__", "ec2", "sts" };
    size_t n = 0;
    for (size_t s = 0; s < 3; s++) {
        json_t *pol = json_object_get(
            json_object_get(json_object_get(retry, svcs[s]), "__default__"), "policies");
        if (s == 0)
            pol = json_object_get(json_object_get(retry, "__default__"), "policies");
        const char *name;
        json_t *p;
        json_object_foreach(pol, name, p)
        {
            json_t *ref = json_object_get(p, "$ref");
            if (ref)
                p = json_object_get(defs, json_string_value(ref));
            json_t *when = json_object_get(p, "applies_when");
            json_t *resp = json_object_get(when, "response");
            if (!resp) { /* socket errors */
                assert_int_equal(aws_retry_classify(HS_ECONNECT, 0, NULL), AWS_RETRY_TRANSIENT);
                n++;
                continue;
            }
            json_t *code = json_object_get(resp, "service_error_code");
            int status = (int)json_integer_value(json_object_get(resp, "http_status_code"));
            enum aws_retry_class cls =
                aws_retry_classify(HS_OK, status, code ? json_string_value(code) : NULL);
            if (cls == AWS_RETRY_NO)
                fail_msg("%s/%s (%d, %s) is not retried", svcs[s], name, status,
                         code ? json_string_value(code) : "-");
            n++;
        }
    }
    assert_true(n >= 14);
    json_decref(j);
}

static void classify_precedence(void **state)
{
    (void)state;
    assert_int_equal(aws_retry_classify(HS_OK, 200, NULL), AWS_RETRY_NO);
    assert_int_equal(aws_retry_classify(HS_OK, 503, "RequestLimitExceeded"), AWS_RETRY_THROTTLED);
    assert_int_equal(aws_retry_classify(HS_OK, 400, "Throttling"), AWS_RETRY_THROTTLED);
    assert_int_equal(aws_retry_classify(HS_OK, 429, NULL), AWS_RETRY_THROTTLED);
    assert_int_equal(aws_retry_classify(HS_OK, 503, NULL), AWS_RETRY_TRANSIENT);
    assert_int_equal(aws_retry_classify(HS_OK, 403, "AccessDenied"), AWS_RETRY_NO);
    assert_int_equal(aws_retry_classify(HS_OK, 400, "ValidationError"), AWS_RETRY_NO);
    assert_int_equal(aws_retry_classify(HS_ETIMEDOUT, 0, NULL), AWS_RETRY_TRANSIENT);
    assert_int_equal(aws_retry_classify(HS_EINVAL, 0, NULL), AWS_RETRY_NO);
    assert_int_equal(aws_retry_classify(HS_ECANCELED, 0, NULL), AWS_RETRY_NO);
    assert_true(aws_retry_is_skew_code("RequestTimeTooSkewed"));
    assert_true(aws_retry_is_skew_code("SignatureDoesNotMatch"));
    assert_false(aws_retry_is_skew_code("AccessDenied"));
    assert_false(aws_retry_is_skew_code(NULL));
}

static void backoff_bounds(void **state)
{
    (void)state;
    /* min(base * 2^(attempt-1), cap) with base 1 s, cap 20 s. */
    const int64_t want[] = { 1, 2, 4, 8, 16, 20, 20, 20 };
    for (unsigned a = 1; a <= 8; a++)
        assert_int_equal(aws_retry_ceiling(a, AWS_RETRY_BASE_NS, AWS_RETRY_CAP_NS),
                         want[a - 1] * HS_SEC);
    /* No overflow far out. */
    assert_int_equal(aws_retry_ceiling(200, AWS_RETRY_BASE_NS, AWS_RETRY_CAP_NS), 20 * HS_SEC);
    assert_int_equal(aws_retry_ceiling(70, INT64_MAX / 4, INT64_MAX), INT64_MAX);
    /* Full jitter: every draw in [0, ceiling), and the range is used. */
    struct hs_rng rng;
    hs_rng_seed(&rng, 42);
    for (unsigned a = 1; a <= 6; a++) {
        int64_t ceil = aws_retry_ceiling(a, AWS_RETRY_BASE_NS, AWS_RETRY_CAP_NS);
        int64_t lo = INT64_MAX, hi = 0;
        for (int i = 0; i < 2000; i++) {
            int64_t d = aws_retry_delay(&rng, a, AWS_RETRY_BASE_NS, AWS_RETRY_CAP_NS);
            assert_true(d >= 0);
            assert_true(d < ceil);
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
        }
        assert_true(lo < ceil / 10);
        assert_true(hi > ceil - ceil / 10);
    }
    /* Deterministic under a seed. */
    struct hs_rng r1, r2;
    hs_rng_seed(&r1, 7);
    hs_rng_seed(&r2, 7);
    for (int i = 0; i < 10; i++)
        assert_int_equal(aws_retry_delay(&r1, 3, HS_SEC, 20 * HS_SEC),
                         aws_retry_delay(&r2, 3, HS_SEC, 20 * HS_SEC));
}

static void quota_arithmetic(void **state)
{
    (void)state;
    struct aws_retry_quota q;
    aws_retry_quota_init(&q, 0);
    assert_int_equal(q.max, 500);
    assert_int_equal(q.available, 500);
    assert_int_equal(aws_retry_quota_acquire(&q, false), 5);
    assert_int_equal(q.available, 495);
    assert_int_equal(aws_retry_quota_acquire(&q, true), 10);
    assert_int_equal(q.available, 485);
    /* Success after a retry gives back what the last retry took. */
    aws_retry_quota_success(&q, 10);
    assert_int_equal(q.available, 495);
    /* Success without retry gives back 1, never beyond max. */
    aws_retry_quota_success(&q, 0);
    assert_int_equal(q.available, 496);
    for (int i = 0; i < 10; i++)
        aws_retry_quota_success(&q, 0);
    assert_int_equal(q.available, 500);
    /* A storm drains it: 100 retries of 5, then refusals. */
    int granted = 0;
    while (aws_retry_quota_acquire(&q, false))
        granted++;
    assert_int_equal(granted, 100);
    assert_int_equal(q.available, 0);
    assert_int_equal(aws_retry_quota_acquire(&q, true), 0);
    /* 4 tokens cannot pay a retry (5); 9 cannot pay a timeout retry (10). */
    aws_retry_quota_success(&q, 4);
    assert_int_equal(aws_retry_quota_acquire(&q, false), 0);
    aws_retry_quota_success(&q, 5);
    assert_int_equal(q.available, 9);
    assert_int_equal(aws_retry_quota_acquire(&q, true), 0);
    assert_int_equal(aws_retry_quota_acquire(&q, false), 5);
    assert_int_equal(q.available, 4);
}

static void http_dates(void **state)
{
    (void)state;
    int64_t t;
    assert_true(aws_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t));
    assert_int_equal(t, (int64_t)784111777 * HS_SEC);
    assert_true(aws_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t));
    assert_int_equal(t, (int64_t)784111777 * HS_SEC);
    assert_true(aws_http_date_parse("Sun Nov  6 08:49:37 1994", &t));
    assert_int_equal(t, (int64_t)784111777 * HS_SEC);
    assert_true(aws_http_date_parse("Sat, 28 Nov 2026 08:00:00 GMT", &t));
    assert_int_equal(t, (int64_t)1795852800 * HS_SEC);
    assert_true(aws_http_date_parse("Tue, 29 Feb 2028 23:59:59 GMT", &t));
    assert_int_equal(t, (int64_t)1835481599 * HS_SEC);
    assert_false(aws_http_date_parse("yesterday", &t));
    assert_false(aws_http_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", &t));
    assert_false(aws_http_date_parse("Sun, 06 Nov 1994 25:49:37 GMT", &t));
    assert_false(aws_http_date_parse(NULL, &t));
}

static void skew_rule(void **state)
{
    (void)state;
    int64_t off = 12345;
    int64_t now = (int64_t)1795852800 * HS_SEC;
    assert_false(aws_retry_skew(now + 3 * HS_MIN, now, &off));
    assert_false(aws_retry_skew(now - 3 * HS_MIN, now, &off));
    assert_int_equal(off, 12345);
    assert_true(aws_retry_skew(now + 10 * HS_MIN, now, &off));
    assert_int_equal(off, 10 * HS_MIN);
    assert_true(aws_retry_skew(now - 2 * HS_HOUR, now, &off));
    assert_int_equal(off, -2 * HS_HOUR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classification_rows), cmocka_unit_test(legacy_policies_are_retryable),
        cmocka_unit_test(classify_precedence), cmocka_unit_test(backoff_bounds),
        cmocka_unit_test(quota_arithmetic),    cmocka_unit_test(http_dates),
        cmocka_unit_test(skew_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
