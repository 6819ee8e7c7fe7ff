/*
 * Time as hoist sees it: int64 nanoseconds, monotonic for intervals and wall
 * for timestamps. Code that needs "now" takes a struct hs_clock *, never calls
 * clock_gettime itself, so tests drive time with the fake clock. Planner code
 * (lib/autoscaler) takes time as an argument instead and never reads a clock.
 */
#ifndef HOIST_BASE_CLOCK_H
#define HOIST_BASE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define HS_NSEC ((int64_t)1)
#define HS_USEC ((int64_t)1000)
#define HS_MSEC ((int64_t)1000000)
#define HS_SEC  ((int64_t)1000000000)
#define HS_MIN  (60 * HS_SEC)
#define HS_HOUR (60 * HS_MIN)

struct hs_clock;

struct hs_clock_ops {
    int64_t (*mono_ns)(struct hs_clock *c); /* monotonic, arbitrary origin */
    int64_t (*wall_ns)(struct hs_clock *c); /* Unix epoch, UTC */
};

struct hs_clock {
    const struct hs_clock_ops *ops;
};

/* The process-wide real clock (borrowed, static). */
struct hs_clock *hs_clock_real(void);

static inline int64_t hs_clock_mono(struct hs_clock *c)
{
    return c->ops->mono_ns(c);
}
static inline int64_t hs_clock_wall(struct hs_clock *c)
{
    return c->ops->wall_ns(c);
}

/* A clock that moves only when told. Embed it and pass &fake.clock. */
struct hs_fake_clock {
    struct hs_clock clock;
    int64_t mono;
    int64_t wall;
};

/* Starts at mono = 0 and the given wall time (ns since the epoch). */
void hs_fake_clock_init(struct hs_fake_clock *f, int64_t wall_ns);
/* Moves both readings forward by d (>= 0). */
void hs_fake_clock_advance(struct hs_fake_clock *f, int64_t d);

/* Formats a wall time as RFC 3339 UTC with microseconds
 * ("2026-11-28T08:00:00.123456Z") into buf (at least 32 bytes). */
void hs_time_format_rfc3339(int64_t wall_ns, char *buf, unsigned long size);
/* Parses RFC 3339 as the Kubernetes API prints it ("2006-01-02T15:04:05Z";
 * a fraction, ignored, and a numeric offset allowed) into *out, whole
 * seconds since the epoch. s: borrowed. Returns false for anything else. */
bool hs_time_parse_rfc3339(const char *s, int64_t *out);

#endif
