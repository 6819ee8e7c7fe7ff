/*
 * The real clock (clock_gettime) and the fake one tests drive by hand. Nothing
 * else in hoist reads the system time.
 */
#include "base/clock.h"

#include <stdio.h>
#include <time.h>

#include "base/common.h"

static int64_t ts_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * HS_SEC + (int64_t)ts->tv_nsec;
}

static int64_t real_mono(struct hs_clock *c)
{
    (void)c;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts_ns(&ts);
}

static int64_t real_wall(struct hs_clock *c)
{
    (void)c;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts_ns(&ts);
}

static const struct hs_clock_ops real_ops = { real_mono, real_wall };
static struct hs_clock real_clock = { &real_ops };

struct hs_clock *hs_clock_real(void)
{
    return &real_clock;
}

static int64_t fake_mono(struct hs_clock *c)
{
    return hs_container_of(c, struct hs_fake_clock, clock)->mono;
}

static int64_t fake_wall(struct hs_clock *c)
{
    return hs_container_of(c, struct hs_fake_clock, clock)->wall;
}

static const struct hs_clock_ops fake_ops = { fake_mono, fake_wall };

void hs_fake_clock_init(struct hs_fake_clock *f, int64_t wall_ns)
{
    f->clock.ops = &fake_ops;
    f->mono = 0;
    f->wall = wall_ns;
}

void hs_fake_clock_advance(struct hs_fake_clock *f, int64_t d)
{
    HS_BUG_ON(d < 0);
    f->mono += d;
    f->wall += d;
}

void hs_time_format_rfc3339(int64_t wall_ns, char *buf, unsigned long size)
{
    int64_t sec = wall_ns / HS_SEC;
    int64_t frac = wall_ns % HS_SEC;
    if (frac < 0) {
        frac += HS_SEC;
        sec -= 1;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(frac / HS_USEC));
}

bool hs_time_parse_rfc3339(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
        return false;
    const char *p = s + n;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    long off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om, m = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || m != 5)
            return false;
        off = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return false;
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return false;
    struct tm tm = { .tm_year = y - 1900,
                     .tm_mon = mo - 1,
                     .tm_mday = d,
                     .tm_hour = h,
                     .tm_min = mi,
                     .tm_sec = sec };
    *out = (int64_t)timegm(&tm) - off;
    return true;
}
