/*
 * Tests of lib/base/backoff.c: the doubling and capped ceilings, every draw
 * inside [0, ceiling], reproducibility by seed, the spread of full jitter, and
 * overflow-free arithmetic at absurd attempt counts (run under UBSan).
 */
#include "hs_test.h"

#include <limits.h>

#include "base/backoff.h"
#include "base/clock.h"
#include "base/common.h"

#define CHECK_I64(what, got, want)                               \
    do {                                                         \
        long long g_ = (long long)(got), w_ = (long long)(want); \
        if (g_ != w_)                                            \
            fail_msg("%s: got %lld, want %lld", (what), g_, w_); \
    } while (0)

static void ceilings_double_and_cap(void **state)
{
    (void)state;
    static const int64_t want[] = { 1, 2, 4, 8, 16, 32, 60, 60, 60 };
    struct hs_backoff b;
    hs_backoff_init(&b, HS_SEC, 60 * HS_SEC, 1);
    for (size_t i = 0; i < HS_ARRAY_LEN(want); i++) {
        assert_int_equal(b.attempt, i);
        CHECK_I64("ceiling", hs_backoff_ceiling(&b), want[i] * HS_SEC);
        int64_t w = hs_backoff_next(&b);
        if (w < 0 || w > want[i] * HS_SEC)
            fail_msg("attempt %zu: wait %lld outside [0, %lld]", i, (long long)w,
                     (long long)(want[i] * HS_SEC));
    }
    /* base == cap: constant ceiling */
    hs_backoff_init(&b, 5 * HS_SEC, 5 * HS_SEC, 1);
    for (int i = 0; i < 10; i++) {
        CHECK_I64("flat ceiling", hs_backoff_ceiling(&b), 5 * HS_SEC);
        hs_backoff_next(&b);
    }
}

static void draws_within_ceiling(void **state)
{
    (void)state;
    struct hs_backoff b;
    hs_backoff_init(&b, 10 * HS_MSEC, 30 * HS_SEC, 77);
    for (int round = 0; round < 1000; round++) {
        for (int i = 0; i < 20; i++) {
            int64_t c = hs_backoff_ceiling(&b);
            int64_t w = hs_backoff_next(&b);
            if (w < 0 || w > c)
                fail_msg("wait %lld outside [0, %lld]", (long long)w, (long long)c);
        }
        hs_backoff_reset(&b);
    }
}

static void same_seed_same_sequence(void **state)
{
    (void)state;
    struct hs_backoff a, b, c;
    hs_backoff_init(&a, HS_SEC, HS_HOUR, 2024);
    hs_backoff_init(&b, HS_SEC, HS_HOUR, 2024);
    hs_backoff_init(&c, HS_SEC, HS_HOUR, 2025);
    int differ = 0;
    for (int i = 0; i < 40; i++) {
        int64_t x = hs_backoff_next(&a);
        CHECK_I64("same seed", hs_backoff_next(&b), x);
        differ += hs_backoff_next(&c) != x;
    }
    /* 40 draws from ranges of at least a billion values: all should differ. */
    assert_int_equal(differ, 40);
}

static void jitter_spread(void **state)
{
    (void)state;
    struct hs_backoff b;
    hs_backoff_init(&b, 100 * HS_MSEC, 10 * HS_SEC, 5);
    const int n = 10000;
    int64_t ceiling = 0, lo = INT64_MAX, hi = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        b.attempt = 4; /* ceiling 1.6s */
        ceiling = hs_backoff_ceiling(&b);
        int64_t w = hs_backoff_next(&b);
        sum += (double)w;
        lo = w < lo ? w : lo;
        hi = w > hi ? w : hi;
    }
    CHECK_I64("ceiling at attempt 4", ceiling, 1600 * HS_MSEC);
    double mean = sum / n;
    /* The standard error of the mean is ceiling/sqrt(12n) ~ 0.3% of ceiling. */
    if (mean < 0.48 * (double)ceiling || mean > 0.52 * (double)ceiling)
        fail_msg("mean %f, want about %f", mean, (double)ceiling / 2);
    if (lo > ceiling / 100 || hi < ceiling - ceiling / 100)
        fail_msg("range [%lld, %lld] does not reach both ends of [0, %lld]", (long long)lo,
                 (long long)hi, (long long)ceiling);
}

static void no_overflow_at_huge_attempts(void **state)
{
    (void)state;
    struct hs_backoff b;
    hs_backoff_init(&b, 1, INT64_MAX, 9);
    b.attempt = 62;
    CHECK_I64("2^62", hs_backoff_ceiling(&b), (int64_t)1 << 62);
    b.attempt = 63;
    CHECK_I64("attempt 63", hs_backoff_ceiling(&b), INT64_MAX);
    b.attempt = 200;
    CHECK_I64("attempt 200", hs_backoff_ceiling(&b), INT64_MAX);
    for (int i = 0; i < 100; i++)
        assert_true(hs_backoff_next(&b) >= 0);
    assert_int_equal(b.attempt, 300);

    /* base * 2^n would overflow long before n reaches 63 */
    hs_backoff_init(&b, 3 * HS_SEC, 10 * HS_MIN, 9);
    b.attempt = 61;
    CHECK_I64("3s<<61 capped", hs_backoff_ceiling(&b), 10 * HS_MIN);
    b.attempt = 200;
    CHECK_I64("attempt 200 capped", hs_backoff_ceiling(&b), 10 * HS_MIN);
    int64_t w = hs_backoff_next(&b);
    assert_true(w >= 0 && w <= 10 * HS_MIN);

    /* the attempt counter saturates instead of wrapping to 0 */
    b.attempt = UINT_MAX;
    hs_backoff_next(&b);
    assert_int_equal(b.attempt, UINT_MAX);
    CHECK_I64("saturated", hs_backoff_ceiling(&b), 10 * HS_MIN);
}

static void reset_starts_over(void **state)
{
    (void)state;
    struct hs_backoff b;
    hs_backoff_init(&b, HS_SEC, HS_MIN, 4);
    for (int i = 0; i < 10; i++)
        hs_backoff_next(&b);
    CHECK_I64("before reset", hs_backoff_ceiling(&b), HS_MIN);
    hs_backoff_reset(&b);
    assert_int_equal(b.attempt, 0);
    CHECK_I64("after reset", hs_backoff_ceiling(&b), HS_SEC);
    int64_t w = hs_backoff_next(&b);
    assert_true(w >= 0 && w <= HS_SEC);
    CHECK_I64("second after reset", hs_backoff_ceiling(&b), 2 * HS_SEC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ceilings_double_and_cap),      cmocka_unit_test(draws_within_ceiling),
        cmocka_unit_test(same_seed_same_sequence),      cmocka_unit_test(jitter_spread),
        cmocka_unit_test(no_overflow_at_huge_attempts), cmocka_unit_test(reset_starts_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
