/*
 * Unit tests of lib/kube/scan.c (the tree-less JSON scanner, RFC 3339
 * times, the limiter's token bucket, watch-event and Status splitting) and
 * of kube_exec_parse. Table-driven where it helps; no I/O.
 */
#include "hs_test.h"

#include <string.h>

#include "base/alloc.h"
#include "kube/exec_cred.h"
#include "kube_int.h"

static struct kube__span S(const char *s) {
    struct kube__span sp = { s, strlen(s) };
    return sp;
}

static void
test_member(void **state)
{
    (void)state;
    struct kube__span v;
    const char *doc = " {\"a\": [1, {\"b\": \"}\"}], \"kind\" : \"Pod\", \"m\":{\"x\":\"\\\"q\"}} ";
    assert_true(kube__json_member(S(doc), "kind", &v));
    assert_int_equal(v.len, 5);
    assert_memory_equal(v.p, "\"Pod\"", 5);
    assert_true(kube__json_member(S(doc), "m", &v));
    struct kube__span x;
    assert_true(kube__json_member(v, "x", &x));
    char out[16];
    assert_true(kube__json_str(x, out, sizeof(out)));
    assert_string_equal(out, "\"q");
    assert_false(kube__json_member(S(doc), "b", &v)); /* not at the top level */
    assert_false(kube__json_member(S("[1,2]"), "a", &v));
    assert_false(kube__json_member(S("{\"a\": "), "a", &v)); /* truncated */
    assert_false(kube__json_member(S("{\"a\": {\"b\": 1}"), "z", &v));
}

static void test_next(void **state)
{
    (void)state;
    struct kube__span e, arr = S("[ {\"a\":\"]\"} , 2,\"x\" ]");
    size_t pos = 0;
    bool ok;
    assert_true(kube__json_next(arr, &pos, &e, &ok));
    assert_int_equal(e.len, 9);
    assert_true(kube__json_next(arr, &pos, &e, &ok));
    assert_memory_equal(e.p, "2", 1);
    assert_true(kube__json_next(arr, &pos, &e, &ok));
    assert_true(kube__json_str_is(e, "x"));
    assert_false(kube__json_next(arr, &pos, &e, &ok));
    assert_true(ok);
    pos = 0;
    assert_false(kube__json_next(S("[]"), &pos, &e, &ok));
    assert_true(ok);
    pos = 0;
    assert_true(kube__json_next(S("[1, {\"a\""), &pos, &e, &ok));
    assert_false(kube__json_next(S("[1, {\"a\""), &pos, &e, &ok));
    assert_false(ok);
    pos = 0;
    assert_false(kube__json_next(S("{}"), &pos, &e, &ok));
    assert_false(ok);
}

static void test_object_rv(void **state)
{
    (void)state;
    assert_int_equal(kube__object_rv(S("{\"metadata\":{\"resourceVersion\":\"12345\"}}")), 12345);
    assert_int_equal(kube__object_rv(S("{\"metadata\":{\"resourceVersion\":\"abc\"}}")), 0);
    assert_int_equal(kube__object_rv(S("{\"metadata\":{}}")), 0);
    assert_int_equal(kube__object_rv(S("{\"metadata\":{\"resourceVersion\":"
                                       "\"99999999999999999999999\"}}")),
                     0);
}

static void test_parse_time(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        bool ok;
        int64_t ns;
    } cases[] = {
        { "1970-01-01T00:00:00Z", true, 0 },
        { "2026-11-28T08:00:00Z", true, 1795852800 * HS_SEC },
        { "2026-11-28T08:00:00.5Z", true, 1795852800 * HS_SEC + 500 * HS_MSEC },
        { "2026-11-28T09:00:00+01:00", true, 1795852800 * HS_SEC },
        /* Beyond what int64 nanoseconds hold: saturated, never wrapped. */
        { "2262-04-11T23:47:15Z", true, 9223372035 * HS_SEC },
        { "2262-04-11T23:47:16Z", true, INT64_MAX },
        { "9999-12-31T23:59:59.999Z", true, INT64_MAX },
        { "1677-09-21T00:12:45Z", true, -9223372035 * HS_SEC },
        { "0001-01-01T00:00:00Z", true, INT64_MIN },
        { "2026-11-28T08:00:00", false, 0 },
        { "2026-13-28T08:00:00Z", false, 0 },
        { "yesterday", false, 0 },
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(cases); i++) {
        int64_t ns = -1;
        assert_int_equal(kube__parse_time(cases[i].in, &ns), cases[i].ok);
        if (cases[i].ok)
            assert_int_equal(ns, cases[i].ns);
    }
}

static void test_bucket(void **state)
{
    (void)state;
    struct kube__bucket b;
    kube__bucket_init(&b, 5, 2, 0);
    assert_int_equal(kube__bucket_reserve(&b, 0), 0);
    assert_int_equal(kube__bucket_reserve(&b, 0), 0);
    assert_int_equal(kube__bucket_reserve(&b, 0), 200 * HS_MSEC);
    assert_int_equal(kube__bucket_reserve(&b, 0), 400 * HS_MSEC);
    /* After 2 s the bucket is full again (2 tokens), not 10. */
    assert_int_equal(kube__bucket_reserve(&b, 2 * HS_SEC), 0);
    assert_int_equal(kube__bucket_reserve(&b, 2 * HS_SEC), 0);
    assert_int_equal(kube__bucket_reserve(&b, 2 * HS_SEC), 200 * HS_MSEC);
    kube__bucket_init(&b, -1, 1, 0); /* no limit */
    for (int i = 0; i < 100; i++)
        assert_int_equal(kube__bucket_reserve(&b, 0), 0);
}

static void test_event_and_status(void **state)
{
    (void)state;
    enum kube__event_type t;
    struct kube__span obj;
    const char *line = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                       "\"status\":\"Failure\",\"message\":\"too old resource version: 5 (9)\","
                       "\"reason\":\"Expired\",\"code\":410}}";
    assert_int_equal(kube__split_event(line, strlen(line), &t, &obj, NULL), HS_OK);
    assert_int_equal(t, KUBE__EV_ERROR);
    int code;
    char reason[32], msg[64];
    assert_true(kube__status_parse(obj, &code, reason, sizeof(reason), msg, sizeof(msg)));
    assert_int_equal(code, 410);
    assert_string_equal(reason, "Expired");
    assert_string_equal(msg, "too old resource version: 5 (9)");
    line = "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"77\"}}}";
    assert_int_equal(kube__split_event(line, strlen(line), &t, &obj, NULL), HS_OK);
    assert_int_equal(t, KUBE__EV_BOOKMARK);
    assert_int_equal(kube__object_rv(obj), 77);
    struct hs_err err = { 0 };
    assert_int_equal(kube__split_event("{\"type\":\"ADDED\"}", 16, &t, &obj, &err), HS_EPARSE);
    /* A line that is not an event, in a block of exactly its size: the
     * message quotes it without reading past its end. */
    char *bad = hs_malloc(12);
    struct hs_err err2 = { 0 };
    memcpy(bad, "not an event", 12);
    assert_int_equal(kube__split_event(bad, 12, &t, &obj, &err2), HS_EPARSE);
    assert_string_equal(err2.msg, "watch event is not {\"type\", \"object\"}: not an event");
    hs_free(bad);
    assert_false(kube__status_parse(S("{\"kind\":\"Pod\"}"), &code, reason, sizeof(reason), msg,
                                    sizeof(msg)));
}

static void test_exec_parse(void **state)
{
    (void)state;
    static const char v1[] = "client.authentication.k8s.io/v1";
    char *t, *c, *k;
    int64_t exp;
    struct hs_err err = { 0 };
    const char *ok = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                     "\"ExecCredential\",\"status\":{\"token\":\"sekrit\","
                     "\"expirationTimestamp\":\"2026-11-28T08:15:00Z\"}}";
    assert_int_equal(kube_exec_parse(ok, strlen(ok), v1, &t, &c, &k, &exp, &err), HS_OK);
    assert_string_equal(t, "sekrit");
    assert_null(c);
    assert_int_equal(exp, (1795852800 + 900) * HS_SEC);
    hs_free(t);
    /* A plugin whose credential is good "until 3589" (found by fuzzing:
     * the conversion to nanoseconds overflowed): it never expires. */
    const char *far = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
                      "\"ExecCredential\",\"status\":{\"token\":\"t\","
                      "\"expirationTimestamp\":\"3589-11-28T08:15:00Z\"}}";
    assert_int_equal(kube_exec_parse(far, strlen(far), v1, &t, &c, &k, &exp, &err), HS_OK);
    assert_int_equal(exp, INT64_MAX);
    hs_free(t);
    static const struct {
        const char *in, *msg;
    } bad[] = {
        { "sekrit-not-json", "its output is not an ExecCredential JSON object (15 bytes; "
                             "invalid JSON)" },
        { "{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\","
          "\"status\":{\"token\":\"x\"}}",
          "its output has apiVersion \"client.authentication.k8s.io/v1beta1\", want "
          "client.authentication.k8s.io/v1" },
        { "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
          "\"status\":{}}",
          "its status has neither token nor clientCertificateData/clientKeyData" },
        { "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
          "\"status\":{\"clientCertificateData\":\"pem\"}}",
          "its status has only one of clientCertificateData and clientKeyData" },
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(bad); i++) {
        struct hs_err e = { 0 };
        assert_int_equal(kube_exec_parse(bad[i].in, strlen(bad[i].in), v1, &t, &c, &k, &exp, &e),
                         HS_EPARSE);
        assert_string_equal(e.msg, bad[i].msg);
        assert_null(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member),     cmocka_unit_test(test_next),
        cmocka_unit_test(test_object_rv),  cmocka_unit_test(test_parse_time),
        cmocka_unit_test(test_bucket),     cmocka_unit_test(test_event_and_status),
        cmocka_unit_test(test_exec_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
