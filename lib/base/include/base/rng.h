/*
 * A small deterministic PRNG (xoshiro256** seeded through splitmix64). Every
 * random choice hoist makes (backoff jitter, the random expander) draws from
 * an explicit struct hs_rng, so a seed reproduces a run exactly.
 */
#ifndef HOIST_BASE_RNG_H
#define HOIST_BASE_RNG_H

#include <stdint.h>

struct hs_rng {
    uint64_t s[4];
};

/* r: borrowed, embedded by the caller. Any seed (0 included) is fine; equal
 * seeds give equal sequences. */
void hs_rng_seed(struct hs_rng *r, uint64_t seed);
/* The next 64 uniformly random bits. */
uint64_t hs_rng_next(struct hs_rng *r);
/* Uniform in [0, bound) without modulo bias; bound 0 returns 0. */
uint64_t hs_rng_below(struct hs_rng *r, uint64_t bound);
/* Uniform in [0, 1). */
double hs_rng_double(struct hs_rng *r);

#endif
