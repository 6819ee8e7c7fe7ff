/*
 * Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"): the wait is uniform in [0, ceiling], which spreads
 * retries of many clients that failed together. The ceiling arithmetic must
 * never overflow, whatever the attempt count, and the jitter must come only
 * from the struct's own seeded generator.
 */
#include "base/backoff.h"

#include <limits.h>

#include "base/common.h"

void hs_backoff_init(struct hs_backoff *b, int64_t base, int64_t cap, uint64_t seed)
{
    HS_BUG_ON(base <= 0);
    HS_BUG_ON(cap < base);
    b->base = base;
    b->cap = cap;
    b->attempt = 0;
    hs_rng_seed(&b->rng, seed);
}

int64_t hs_backoff_ceiling(const struct hs_backoff *b)
{
    /* base << n <= cap exactly when base <= cap >> n, so the shift is only
     * done when it cannot pass cap (and hence cannot overflow). */
    if (b->attempt >= 63 || b->base > (b->cap >> b->attempt))
        return b->cap;
    return b->base << b->attempt;
}

int64_t hs_backoff_next(struct hs_backoff *b)
{
    int64_t ceiling = hs_backoff_ceiling(b);
    /* ceiling <= INT64_MAX, so ceiling + 1 fits in uint64_t. */
    int64_t wait = (int64_t)hs_rng_below(&b->rng, (uint64_t)ceiling + 1);
    if (b->attempt < UINT_MAX)
        b->attempt++;
    return wait;
}

void hs_backoff_reset(struct hs_backoff *b)
{
    b->attempt = 0;
}
