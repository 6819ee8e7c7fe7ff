/*
 * Tests of lib/base/rng.c: the exact xoshiro256** / splitmix64 sequence (the
 * reference values were computed with an independent implementation of the
 * published algorithms), bounds, determinism, absence of modulo bias and
 * rough uniformity.
 */
#include "hs_test.h"

#include <stdio.h>

#include "base/common.h"
#include "base/rng.h"

static void known_sequence(void **state)
{
    (void)state;
    struct hs_rng r;
    hs_rng_seed(&r, 0);
    /* splitmix64's first output for seed 0 is its published test value. */
    assert_int_equal(r.s[0], 0xe220a8397b1dcdafULL);
    assert_int_equal(r.s[3], 0xf88bb8a8724c81ecULL);
    assert_int_equal(hs_rng_next(&r), 0x99ec5f36cb75f2b4ULL);
    assert_int_equal(hs_rng_next(&r), 0xbf6e1f784956452aULL);
    assert_int_equal(hs_rng_next(&r), 0x1a5f849d4933e6e0ULL);
    hs_rng_seed(&r, 42);
    assert_int_equal(hs_rng_next(&r), 0x15780b2e0c2ec716ULL);
    assert_int_equal(hs_rng_next(&r), 0x6104d9866d113a7eULL);
    assert_int_equal(hs_rng_next(&r), 0xae17533239e499a1ULL);
}

static void determinism(void **state)
{
    (void)state;
    struct hs_rng a, b, c;
    hs_rng_seed(&a, 7);
    hs_rng_seed(&b, 7);
    hs_rng_seed(&c, 8);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = hs_rng_next(&a);
        assert_int_equal(x, hs_rng_next(&b));
        differ += x != hs_rng_next(&c);
    }
    assert_int_equal(differ, 1000);
}

static void below_bounds(void **state)
{
    (void)state;
    static const uint64_t bounds[] = {
        1, 2, 3, 7, 10, 1000, (1ULL << 32) + 1, (1ULL << 63) + 1, UINT64_MAX
    };
    struct hs_rng r;
    hs_rng_seed(&r, 1);
    assert_int_equal(hs_rng_below(&r, 0), 0);
    for (size_t i = 0; i < HS_ARRAY_LEN(bounds); i++) {
        for (int k = 0; k < 10000; k++) {
            uint64_t x = hs_rng_below(&r, bounds[i]);
            if (x >= bounds[i])
                fail_msg("below(%llu) gave %llu", (unsigned long long)bounds[i],
                         (unsigned long long)x);
        }
    }
    /* bound 1 can only give 0; small bounds hit every value. */
    int seen[7] = { 0 };
    for (int k = 0; k < 1000; k++) {
        assert_int_equal(hs_rng_below(&r, 1), 0);
        seen[hs_rng_below(&r, 7)]++;
    }
    for (int v = 0; v < 7; v++)
        assert_int_not_equal(seen[v], 0);
}

/* With bound = 3 * 2^62, a plain x % bound would return values below 2^62
 * half of the time instead of a third. */
static void below_no_modulo_bias(void **state)
{
    (void)state;
    const uint64_t bound = 3ULL << 62;
    struct hs_rng r;
    hs_rng_seed(&r, 99);
    int low = 0;
    const int n = 60000;
    for (int k = 0; k < n; k++)
        low += hs_rng_below(&r, bound) < (1ULL << 62);
    double frac = (double)low / n;
    if (frac < 0.32 || frac > 0.347)
        fail_msg("fraction below 2^62 is %f, want about 0.3333", frac);
}

/* Chi-square over 16 buckets, 160,000 draws: 15 degrees of freedom, so a value
 * over 50 has probability below 1e-5 for a uniform generator. */
static void below_uniform(void **state)
{
    (void)state;
    struct hs_rng r;
    int counts[16] = { 0 };
    const int n = 160000;
    hs_rng_seed(&r, 12345);
    for (int k = 0; k < n; k++)
        counts[hs_rng_below(&r, 16)]++;
    double expect = n / 16.0, chi2 = 0;
    for (int b = 0; b < 16; b++)
        chi2 += (counts[b] - expect) * (counts[b] - expect) / expect;
    if (chi2 > 50.0)
        fail_msg("chi-square %f over 50", chi2);
}

static void doubles_in_unit_interval(void **state)
{
    (void)state;
    struct hs_rng r;
    double sum = 0, lo = 1, hi = 0;
    const int n = 100000;
    hs_rng_seed(&r, 3);
    for (int k = 0; k < n; k++) {
        double x = hs_rng_double(&r);
        if (!(x >= 0.0 && x < 1.0))
            fail_msg("double %f outside [0,1)", x);
        sum += x;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    double mean = sum / n;
    if (mean < 0.49 || mean > 0.51)
        fail_msg("mean %f, want about 0.5", mean);
    if (lo > 0.001 || hi < 0.999)
        fail_msg("range [%f, %f] does not reach both ends", lo, hi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_sequence), cmocka_unit_test(determinism),
        cmocka_unit_test(below_bounds),   cmocka_unit_test(below_no_modulo_bias),
        cmocka_unit_test(below_uniform),  cmocka_unit_test(doubles_in_unit_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
