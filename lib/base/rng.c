/*
 * xoshiro256** (Blackman and Vigna) with its state filled by splitmix64, so
 * any 64-bit seed, zero included, gives a well-mixed non-zero state. It is
 * fast and reproducible, not cryptographic: it must never be used for
 * anything an attacker could profit from predicting (tokens, nonces), and it
 * must never read a global or hidden seed.
 */
#include "base/rng.h"

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* One step of splitmix64: advances *x and returns a mixed value. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void hs_rng_seed(struct hs_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t hs_rng_next(struct hs_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t out = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

uint64_t hs_rng_below(struct hs_rng *r, uint64_t bound)
{
    if (bound == 0)
        return 0;
    /* Rejection: 2^64 mod bound values at the bottom of the range would make
     * the low residues more likely, so draws below that threshold are
     * redrawn. The threshold is under bound, so at worst half the draws are
     * rejected (bound just over 2^63) and usually almost none are. */
    const uint64_t threshold = (0 - bound) % bound;
    for (;;) {
        uint64_t x = hs_rng_next(r);
        if (x >= threshold)
            return x % bound;
    }
}

double hs_rng_double(struct hs_rng *r)
{
    /* The top 53 bits, scaled by 2^-53: every value is exact and < 1. */
    return (double)(hs_rng_next(r) >> 11) * 0x1.0p-53;
}
