/*
 * Tests of lib/base/duration.c against Go's time.ParseDuration and
 * Duration.String(): every expectation below is what Go returns for the same
 * input (Go's documented behaviour and its own test tables), so a flag value
 * means the same thing to hoist as to cluster-autoscaler.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/duration.h"
#include "base/rng.h"

#define CHECK_I64(what, got, want)                               \
    do {                                                         \
        long long g_ = (long long)(got), w_ = (long long)(want); \
        if (g_ != w_)                                            \
            fail_msg("%s: got %lld, want %lld", (what), g_, w_); \
    } while (0)

#define CHECK_STR(what, got, want)                                          \
    do {                                                                    \
        if (strcmp((got), (want)) != 0)                                     \
            fail_msg("%s: got \"%s\", want \"%s\"", (what), (got), (want)); \
    } while (0)

struct parse_case {
    const char *in;
    enum hs_code code;
    int64_t want; /* ns when code is HS_OK */
};

static const struct parse_case parse_cases[] = {
    /* plain numbers and signs */
    { "0", HS_OK, 0 },
    { "+0", HS_OK, 0 },
    { "-0", HS_OK, 0 },
    { "0s", HS_OK, 0 },
    { "5s", HS_OK, 5 * HS_SEC },
    { "+5s", HS_OK, 5 * HS_SEC },
    { "-5s", HS_OK, -5 * HS_SEC },
    { "1478s", HS_OK, 1478 * HS_SEC },
    /* fractions: digits on either side of the point may be missing, not both */
    { "5.0s", HS_OK, 5 * HS_SEC },
    { "5.6s", HS_OK, 5 * HS_SEC + 600 * HS_MSEC },
    { "5.s", HS_OK, 5 * HS_SEC },
    { ".5s", HS_OK, 500 * HS_MSEC },
    { "1.004s", HS_OK, HS_SEC + 4 * HS_MSEC },
    { "100.00100s", HS_OK, 100 * HS_SEC + HS_MSEC },
    { "1.5h", HS_OK, 90 * HS_MIN },
    { "1.0000000000000000000001s", HS_OK, HS_SEC }, /* digits past 63 bits are dropped */
    { "0.100000000000000000000h", HS_OK, 6 * HS_MIN },
    { "0.3333333333333333333h", HS_OK, 20 * HS_MIN },
    { "0.830103483285477580700h", HS_OK, 49 * HS_MIN + 48 * HS_SEC + 372539827 },
    /* every unit, both micro spellings */
    { "10ns", HS_OK, 10 },
    { "1us", HS_OK, HS_USEC },
    { "1\xc2\xb5s", HS_OK, HS_USEC }, /* U+00B5 micro sign */
    { "1\xce\xbcs", HS_OK, HS_USEC }, /* U+03BC Greek mu */
    { "300ms", HS_OK, 300 * HS_MSEC },
    { "15m", HS_OK, 15 * HS_MIN },
    { "16h", HS_OK, 16 * HS_HOUR },
    /* sequences, in any order */
    { "1h1m1s", HS_OK, HS_HOUR + HS_MIN + HS_SEC },
    { "3h30m", HS_OK, 3 * HS_HOUR + 30 * HS_MIN },
    { "10.5s4m", HS_OK, 4 * HS_MIN + 10 * HS_SEC + 500 * HS_MSEC },
    { "-2m3.4s", HS_OK, -(2 * HS_MIN + 3 * HS_SEC + 400 * HS_MSEC) },
    { "1h2m3s4ms5us6ns", HS_OK, HS_HOUR + 2 * HS_MIN + 3 * HS_SEC + 4 * HS_MSEC + 5 * HS_USEC + 6 },
    { "39h9m14.425s", HS_OK, 39 * HS_HOUR + 9 * HS_MIN + 14 * HS_SEC + 425 * HS_MSEC },
    /* exactness and the int64 limits */
    { "9007199254740993ns", HS_OK, ((int64_t)1 << 53) + 1 },
    { "9223372036854775807ns", HS_OK, INT64_MAX },
    { "9223372036854775.807us", HS_OK, INT64_MAX },
    { "9223372036s854ms775us807ns", HS_OK, INT64_MAX },
    { "-9223372036854775808ns", HS_OK, INT64_MIN },
    { "-9223372036854775.808us", HS_OK, INT64_MIN },
    { "-2562047h47m16.854775808s", HS_OK, INT64_MIN },
    /* malformed */
    { "", HS_EPARSE, 0 },
    { "3", HS_EPARSE, 0 }, /* only "0" may omit the unit */
    { "1.5", HS_EPARSE, 0 },
    { "-", HS_EPARSE, 0 },
    { "+", HS_EPARSE, 0 },
    { "s", HS_EPARSE, 0 },
    { ".", HS_EPARSE, 0 },
    { "-.", HS_EPARSE, 0 },
    { ".s", HS_EPARSE, 0 },
    { "+.s", HS_EPARSE, 0 },
    { "1d", HS_EPARSE, 0 },
    { "5S", HS_EPARSE, 0 },    /* units are case-sensitive */
    { "5s ", HS_EPARSE, 0 },   /* unit "s " */
    { " 5s", HS_EPARSE, 0 },   /* no leading space */
    { "--5s", HS_EPARSE, 0 },  /* one sign at most */
    { "1h-5m", HS_EPARSE, 0 }, /* sign only at the start */
    { "1e3s", HS_EPARSE, 0 },  /* unit "e" */
    { "\x85\x85", HS_EPARSE, 0 },
    /* overflow */
    { "9223372036854775808ns", HS_ERANGE, 0 },
    { "9223372036854775810ns", HS_ERANGE, 0 },
    { "-9223372036854775809ns", HS_ERANGE, 0 },
    { "9223372036854776us", HS_ERANGE, 0 },
    { "3000000h", HS_ERANGE, 0 },
    { "9223372036854775.808us", HS_ERANGE, 0 },
    { "9223372036854ms775us808ns", HS_ERANGE, 0 },
    { "99999999999999999999999s", HS_ERANGE, 0 },
};

static void parse_table(void **state)
{
    (void)state;
    char what[128];
    for (size_t i = 0; i < HS_ARRAY_LEN(parse_cases); i++) {
        const struct parse_case *c = &parse_cases[i];
        struct hs_err err = { 0 };
        int64_t got = 12345; /* must stay untouched on error */
        enum hs_code rc = hs_duration_parse(c->in, &got, &err);
        snprintf(what, sizeof(what), "case %zu \"%s\" code", i, c->in);
        if (rc != c->code)
            fail_msg("%s: got %s (%s), want %s", what, hs_errname(rc), err.msg,
                     hs_errname(c->code));
        snprintf(what, sizeof(what), "case %zu \"%s\" value", i, c->in);
        CHECK_I64(what, got, c->code == HS_OK ? c->want : 12345);
        snprintf(what, sizeof(what), "case %zu \"%s\" err.code", i, c->in);
        CHECK_I64(what, err.code, c->code);
    }
    assert_true(HS_ARRAY_LEN(parse_cases) >= 30);
}

static void parse_messages(void **state)
{
    (void)state;
    static const struct {
        const char *in, *msg;
    } cases[] = {
        { "abc", "invalid duration \"abc\"" },
        { "", "invalid duration \"\"" },
        { "3", "missing unit in duration \"3\"" },
        { "1d", "unknown unit \"d\" in duration \"1d\"" },
        { "1.5xyz2h", "unknown unit \"xyz\" in duration \"1.5xyz2h\"" },
        { "\xff"
          "ff",
          "invalid duration \"\\xffff\"" },
        { "a\"b\\", "invalid duration \"a\\\"b\\\\\"" },
        { "\x7f\x01", "invalid duration \"\x7f\\x01\"" }, /* DEL stays, as in Go */
        { "9223372036854775808ns", "invalid duration \"9223372036854775808ns\": out of range" },
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(cases); i++) {
        struct hs_err err = { 0 };
        int64_t d;
        assert_int_not_equal(hs_duration_parse(cases[i].in, &d, &err), HS_OK);
        CHECK_STR(cases[i].in, err.msg, cases[i].msg);
    }
}

static void parse_long_input_message_fits(void **state)
{
    (void)state;
    char big[2000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    struct hs_err err = { 0 };
    int64_t d;
    assert_int_equal(hs_duration_parse(big, &d, &err), HS_EPARSE);
    assert_true(strlen(err.msg) < HS_ERR_MSG_MAX);
    assert_non_null(strstr(err.msg, "...\""));
    hs_err_clear(&err);
    assert_int_equal(hs_duration_parse(NULL, &d, &err), HS_EINVAL);
    assert_int_equal(hs_duration_parse("1s", &d, NULL), HS_OK);
    assert_int_equal(hs_duration_parse("1x", &d, NULL), HS_EPARSE);
}

static void parse_nonneg(void **state)
{
    (void)state;
    struct hs_err err = { 0 };
    int64_t d = 7;
    assert_int_equal(hs_duration_parse_nonneg("-1s", &d, &err), HS_ERANGE);
    assert_int_equal(d, 7);
    CHECK_STR("nonneg msg", err.msg, "invalid duration \"-1s\": must not be negative");
    hs_err_clear(&err);
    assert_int_equal(hs_duration_parse_nonneg("-1ns", &d, &err), HS_ERANGE);
    assert_int_equal(hs_duration_parse_nonneg("-0", &d, &err), HS_OK);
    assert_int_equal(d, 0);
    assert_int_equal(hs_duration_parse_nonneg("10m", &d, &err), HS_OK);
    assert_int_equal(d, 10 * HS_MIN);
    hs_err_clear(&err);
    assert_int_equal(hs_duration_parse_nonneg("1q", &d, &err), HS_EPARSE);
    assert_int_equal(d, 10 * HS_MIN);
}

static const struct {
    int64_t d;
    const char *want;
} format_cases[] = {
    { 0, "0s" },
    { 1, "1ns" },
    { 999, "999ns" },
    { 1000, "1\xc2\xb5s" },
    { 1100, "1.1\xc2\xb5s" },
    { 1500, "1.5\xc2\xb5s" },
    { 2200 * HS_USEC, "2.2ms" },
    { 300 * HS_MSEC, "300ms" },
    { 999999999, "999.999999ms" },
    { HS_SEC, "1s" },
    { 1500 * HS_MSEC, "1.5s" },
    { 90 * HS_SEC, "1m30s" },
    { 4 * HS_MIN + 5 * HS_SEC + HS_MSEC, "4m5.001s" },
    { HS_HOUR, "1h0m0s" },
    { 5 * HS_HOUR + 6 * HS_MIN + 7 * HS_SEC + HS_MSEC, "5h6m7.001s" },
    { 8 * HS_MIN + 1, "8m0.000000001s" },
    { -1, "-1ns" },
    { -1500 * HS_MSEC, "-1.5s" },
    { -90 * HS_MIN, "-1h30m0s" },
    { INT64_MAX, "2562047h47m16.854775807s" },
    { INT64_MIN, "-2562047h47m16.854775808s" },
};

static void format_table(void **state)
{
    (void)state;
    char buf[HS_DURATION_STR_MAX], what[64];
    for (size_t i = 0; i < HS_ARRAY_LEN(format_cases); i++) {
        snprintf(what, sizeof(what), "format(%lld)", (long long)format_cases[i].d);
        char *r = hs_duration_format(format_cases[i].d, buf, sizeof(buf));
        assert_ptr_equal(r, buf);
        CHECK_STR(what, buf, format_cases[i].want);
    }
}

static void format_small_buffer_truncates(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'Z', sizeof(buf));
    hs_duration_format(INT64_MIN, buf, 4);
    assert_string_equal(buf, "-25");
    assert_int_equal(buf[4], 'Z');
}

/* format then parse gives the value back, for every magnitude. */
static void round_trip(void **state)
{
    (void)state;
    struct hs_rng r;
    char buf[HS_DURATION_STR_MAX], what[640];
    hs_rng_seed(&r, 42);
    for (int i = 0; i < 200000; i++) {
        uint64_t bits = hs_rng_next(&r);
        int64_t d = (int64_t)(bits >> hs_rng_below(&r, 64));
        if (i & 1)
            d = -d;
        if (i % 7 == 0)
            d = d / HS_MSEC * HS_MSEC; /* also whole milliseconds */
        if (i == 0)
            d = INT64_MIN;
        hs_duration_format(d, buf, sizeof(buf));
        int64_t back = 0;
        struct hs_err err = { 0 };
        enum hs_code rc = hs_duration_parse(buf, &back, &err);
        snprintf(what, sizeof(what), "round trip of %lld via \"%s\" (%s)", (long long)d, buf,
                 err.msg);
        CHECK_I64(what, rc, HS_OK);
        CHECK_I64(what, back, d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_table),
        cmocka_unit_test(parse_messages),
        cmocka_unit_test(parse_long_input_message_fits),
        cmocka_unit_test(parse_nonneg),
        cmocka_unit_test(format_table),
        cmocka_unit_test(format_small_buffer_truncates),
        cmocka_unit_test(round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
