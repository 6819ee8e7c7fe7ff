/*
 * Capped exponential backoff with full jitter: attempt n (from 0) waits a
 * uniform random time in [0, min(cap, base * 2^n)]. Deterministic under a
 * seeded struct hs_rng. Also gives the plain (un-jittered) doubling that
 * cluster-autoscaler's node-group backoff uses.
 */
#ifndef HOIST_BASE_BACKOFF_H
#define HOIST_BASE_BACKOFF_H

#include <stdint.h>

#include "base/rng.h"

struct hs_backoff {
    int64_t base;      /* first ceiling, ns (> 0) */
    int64_t cap;       /* largest ceiling, ns (>= base) */
    unsigned attempt;  /* failures so far */
    struct hs_rng rng; /* jitter source */
};

/* b: borrowed, embedded by the caller. base > 0 and cap >= base, else HS_BUG. */
void hs_backoff_init(struct hs_backoff *b, int64_t base, int64_t cap, uint64_t seed);
/* The ceiling for the current attempt: min(cap, base * 2^attempt), no overflow. */
int64_t hs_backoff_ceiling(const struct hs_backoff *b);
/* Draws the next wait in [0, ceiling] and counts the attempt. */
int64_t hs_backoff_next(struct hs_backoff *b);
/* Back to the first attempt (after a success). */
void hs_backoff_reset(struct hs_backoff *b);

#endif
