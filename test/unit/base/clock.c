/*
 * Tests of lib/base/clock.c: the fake clock moves both readings only when
 * told, the real clock is monotonic, and RFC 3339 formatting of known
 * instants, before 1970 included.
 */
#include "hs_test.h"

#include <string.h>

#include "base/clock.h"

static void fake_clock(void **state)
{
    (void)state;
    struct hs_fake_clock f;
    hs_fake_clock_init(&f, 1795852800 * HS_SEC);
    struct hs_clock *c = &f.clock;
    assert_int_equal(hs_clock_mono(c), 0);
    assert_int_equal(hs_clock_wall(c), 1795852800 * HS_SEC);
    assert_int_equal(hs_clock_mono(c), 0); /* reading does not move it */
    hs_fake_clock_advance(&f, 1500 * HS_MSEC);
    assert_int_equal(hs_clock_mono(c), 1500 * HS_MSEC);
    assert_int_equal(hs_clock_wall(c), 1795852800 * HS_SEC + 1500 * HS_MSEC);
    hs_fake_clock_advance(&f, 0);
    hs_fake_clock_advance(&f, HS_HOUR);
    assert_int_equal(hs_clock_mono(c), HS_HOUR + 1500 * HS_MSEC);
    assert_int_equal(hs_clock_wall(c) - hs_clock_mono(c), 1795852800 * HS_SEC);
}

static void real_clock(void **state)
{
    (void)state;
    struct hs_clock *c = hs_clock_real();
    assert_ptr_equal(c, hs_clock_real());
    int64_t m0 = hs_clock_mono(c);
    int64_t w = hs_clock_wall(c);
    for (int i = 0; i < 1000; i++) {
        int64_t m1 = hs_clock_mono(c);
        assert_true(m1 >= m0);
        m0 = m1;
    }
    /* after 2020-01-01 and before 2100-01-01 */
    assert_true(w > 1577836800 * HS_SEC);
    assert_true(w < 4102444800 * HS_SEC);
}

static void rfc3339(void **state)
{
    (void)state;
    static const struct {
        int64_t ns;
        const char *want;
    } cases[] = {
        { 0, "1970-01-01T00:00:00.000000Z" },
        { 1795852800 * HS_SEC, "2026-11-28T08:00:00.000000Z" },
        { 1795852800 * HS_SEC + 123456789, "2026-11-28T08:00:00.123456Z" }, /* truncated */
        { 951782400 * HS_SEC - 1, "2000-02-28T23:59:59.999999Z" },
        { 951868800 * HS_SEC, "2000-03-01T00:00:00.000000Z" }, /* after Feb 29 */
        { -1, "1969-12-31T23:59:59.999999Z" },
        { -1500 * HS_MSEC, "1969-12-31T23:59:58.500000Z" },
        { -HS_SEC, "1969-12-31T23:59:59.000000Z" },
        { INT64_MAX, "2262-04-11T23:47:16.854775Z" },
    };
    char buf[64];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        hs_time_format_rfc3339(cases[i].ns, buf, sizeof(buf));
        if (strcmp(buf, cases[i].want) != 0)
            fail_msg("%lld: got %s, want %s", (long long)cases[i].ns, buf, cases[i].want);
    }
    /* a short buffer gets a truncated, terminated string */
    char small[11];
    hs_time_format_rfc3339(0, small, sizeof(small));
    assert_string_equal(small, "1970-01-01");
}

static void rfc3339_parse(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int64_t want;
    } good[] = {
        { "2026-11-28T08:00:00Z", 1795852800 },
        { "2026-11-28T08:00:00.123456Z", 1795852800 }, /* the fraction is dropped */
        { "2026-11-28T09:30:00+01:30", 1795852800 },
        { "2026-11-28T06:00:00-02:00", 1795852800 },
        { "2000-02-29T00:00:00Z", 951782400 },
        { "1970-01-01T00:00:00Z", 0 },
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        int64_t t = -7;
        if (!hs_time_parse_rfc3339(good[i].s, &t) || t != good[i].want)
            fail_msg("%s: got %lld, want %lld", good[i].s, (long long)t, (long long)good[i].want);
    }
    static const char *const bad[] = {
        "",
        "2026-11-28",
        "2026-11-28 08:00:00Z",
        "2026-11-28T08:00:00",
        "2026-11-28T08:00:00.Z",
        "2026-11-28T08:00:00Zx",
        "2026-13-28T08:00:00Z",
        "2026-11-28T24:00:00Z",
        "2026-11-28T08:00:00+0100",
        "26-11-28T08:00:00Z",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t t = 0;
        if (hs_time_parse_rfc3339(bad[i], &t))
            fail_msg("'%s' parsed as %lld", bad[i], (long long)t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fake_clock),
        cmocka_unit_test(real_clock),
        cmocka_unit_test(rfc3339),
        cmocka_unit_test(rfc3339_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
