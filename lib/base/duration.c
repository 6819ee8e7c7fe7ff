/*
 * Go-compatible duration strings. Flags and config files written for
 * cluster-autoscaler ("--scale-down-unneeded-time=10m") must mean the same
 * thing to hoist, so parsing accepts exactly what Go's time.ParseDuration
 * accepts, with the same arithmetic (including its float rounding of
 * fractions), and formatting prints what Go's Duration.String() prints. This
 * file must never accept a string Go rejects, never wrap around on overflow,
 * and never allocate.
 */
#include "base/duration.h"

#include <stdio.h>
#include <string.h>

#define U63 ((uint64_t)1 << 63) /* |INT64_MIN| */

struct unit {
    const char *name;
    uint64_t ns;
};

/* Go's unit table; "µs" is U+00B5 (micro sign), "μs" is U+03BC (Greek mu). */
static const struct unit units[] = {
    { "ns", 1ULL },
    { "us", 1000ULL },
    { "\xc2\xb5s", 1000ULL },
    { "\xce\xbcs", 1000ULL },
    { "ms", 1000000ULL },
    { "s", 1000000000ULL },
    { "m", 60ULL * 1000000000ULL },
    { "h", 3600ULL * 1000000000ULL },
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Writes s quoted as Go's time package quotes it: '"' and '\' escaped, bytes
 * below 0x20 or above 0x7f as \xNN. Long inputs are cut with "..." so the
 * message always fits struct hs_err. */
static void quote(const char *s, size_t n, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t w = 0;
    const size_t limit = size - 8; /* room for an escape, "...", quote and NUL */

    out[w++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (w >= limit) {
            memcpy(out + w, "...", 3);
            w += 3;
            break;
        }
        if (c < 0x20 || c >= 0x80) {
            out[w++] = '\\';
            out[w++] = 'x';
            out[w++] = hex[c >> 4];
            out[w++] = hex[c & 15];
        } else {
            if (c == '"' || c == '\\')
                out[w++] = '\\';
            out[w++] = (char)c;
        }
    }
    out[w++] = '"';
    out[w] = '\0';
}

static enum hs_code fail(struct hs_err *err, enum hs_code code, const char *orig, const char *why)
{
    char q[256];
    quote(orig, strlen(orig), q, sizeof(q));
    return hs_err_set(err, code, "invalid duration %s%s", q, why);
}

/* Reads [0-9]* at *p into *x. Returns 0, or -1 when the value exceeds 2^63. */
static int leading_int(const char **p, uint64_t *x)
{
    const char *s = *p;
    uint64_t v = 0;
    for (; is_digit(*s); s++) {
        if (v > U63 / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > U63)
            return -1;
    }
    *p = s;
    *x = v;
    return 0;
}

/* Reads [0-9]* at *p as a fraction: *x / *scale. Digits past what 63 bits hold
 * are consumed and ignored, as Go does. */
static void leading_fraction(const char **p, uint64_t *x, double *scale)
{
    const char *s = *p;
    uint64_t v = 0;
    double sc = 1;
    int full = 0;
    for (; is_digit(*s); s++) {
        if (full)
            continue;
        if (v > (U63 - 1) / 10) {
            full = 1;
            continue;
        }
        uint64_t y = v * 10 + (uint64_t)(*s - '0');
        if (y > U63) {
            full = 1;
            continue;
        }
        v = y;
        sc *= 10;
    }
    *p = s;
    *x = v;
    *scale = sc;
}

enum hs_code hs_duration_parse(const char *orig, int64_t *out, struct hs_err *err)
{
    const char *s = orig;
    uint64_t d = 0;
    int neg = 0;

    if (orig == NULL)
        return hs_err_set(err, HS_EINVAL, "invalid duration: no string given");
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    if (strcmp(s, "0") == 0) {
        *out = 0;
        return HS_OK;
    }
    if (*s == '\0')
        return fail(err, HS_EPARSE, orig, "");
    while (*s) {
        uint64_t v = 0, f = 0;
        double scale = 1;

        if (*s != '.' && !is_digit(*s))
            return fail(err, HS_EPARSE, orig, "");
        const char *start = s;
        if (leading_int(&s, &v) != 0)
            return fail(err, HS_ERANGE, orig, ": out of range");
        int pre = s != start;
        int post = 0;
        if (*s == '.') {
            s++;
            start = s;
            leading_fraction(&s, &f, &scale);
            post = s != start;
        }
        if (!pre && !post)
            return fail(err, HS_EPARSE, orig, "");

        size_t ulen = 0;
        while (s[ulen] && s[ulen] != '.' && !is_digit(s[ulen]))
            ulen++;
        if (ulen == 0) {
            char q[256];
            quote(orig, strlen(orig), q, sizeof(q));
            return hs_err_set(err, HS_EPARSE, "missing unit in duration %s", q);
        }
        const struct unit *u = NULL;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            if (strlen(units[i].name) == ulen && memcmp(units[i].name, s, ulen) == 0) {
                u = &units[i];
                break;
            }
        }
        if (u == NULL) {
            char qu[128], q[256];
            quote(s, ulen, qu, sizeof(qu));
            quote(orig, strlen(orig), q, sizeof(q));
            return hs_err_set(err, HS_EPARSE, "unknown unit %s in duration %s", qu, q);
        }
        s += ulen;

        if (v > U63 / u->ns)
            return fail(err, HS_ERANGE, orig, ": out of range");
        v *= u->ns;
        if (f > 0) {
            /* Go computes this in float64 so fractions of hours stay exact to
             * the nanosecond; the product is at most 3.6e12, so it fits. */
            v += (uint64_t)((double)f * ((double)u->ns / scale));
            if (v > U63)
                return fail(err, HS_ERANGE, orig, ": out of range");
        }
        d += v;
        if (d > U63)
            return fail(err, HS_ERANGE, orig, ": out of range");
    }
    if (neg) {
        /* d <= 2^63, so 0 - d as uint64 is the two's complement of -d. */
        *out = d == U63 ? INT64_MIN : -(int64_t)d;
        return HS_OK;
    }
    if (d > U63 - 1)
        return fail(err, HS_ERANGE, orig, ": out of range");
    *out = (int64_t)d;
    return HS_OK;
}

enum hs_code hs_duration_parse_nonneg(const char *s, int64_t *out, struct hs_err *err)
{
    int64_t d = 0;
    enum hs_code rc = hs_duration_parse(s, &d, err);
    if (rc)
        return rc;
    if (d < 0) {
        char q[256];
        quote(s, strlen(s), q, sizeof(q));
        return hs_err_set(err, HS_ERANGE, "invalid duration %s: must not be negative", q);
    }
    *out = d;
    return HS_OK;
}

/* Writes v / 10^prec's fractional digits before *w (moving *w back), without
 * trailing zeros and without the point when they are all zero. Returns
 * v / 10^prec. */
static uint64_t put_frac(char *buf, size_t *w, uint64_t v, int prec)
{
    int any = 0;
    for (int i = 0; i < prec; i++) {
        uint64_t digit = v % 10;
        any = any || digit != 0;
        if (any)
            buf[--*w] = (char)('0' + digit);
        v /= 10;
    }
    if (any)
        buf[--*w] = '.';
    return v;
}

static void put_int(char *buf, size_t *w, uint64_t v)
{
    do {
        buf[--*w] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
}

char *hs_duration_format(int64_t d, char *buf, size_t size)
{
    /* The longest output is "-2562047h47m16.854775808s" (25 bytes). */
    char tmp[32];
    size_t w = sizeof(tmp);
    uint64_t u = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;

    tmp[--w] = '\0';
    if (u < 1000000000ULL) {
        /* Under a second: the largest unit that keeps an integer part. */
        int prec = 0;
        tmp[--w] = 's';
        if (u == 0) {
            tmp[--w] = '0';
        } else {
            if (u < 1000ULL) {
                tmp[--w] = 'n';
            } else if (u < 1000000ULL) {
                prec = 3;
                tmp[--w] = '\xb5'; /* U+00B5 micro sign, as Go prints it */
                tmp[--w] = '\xc2';
            } else {
                prec = 6;
                tmp[--w] = 'm';
            }
            u = put_frac(tmp, &w, u, prec);
            put_int(tmp, &w, u);
        }
    } else {
        tmp[--w] = 's';
        u = put_frac(tmp, &w, u, 9);
        put_int(tmp, &w, u % 60);
        u /= 60;
        if (u > 0) {
            tmp[--w] = 'm';
            put_int(tmp, &w, u % 60);
            u /= 60;
            if (u > 0) {
                /* Hours are the largest unit: days vary in length. */
                tmp[--w] = 'h';
                put_int(tmp, &w, u);
            }
        }
    }
    if (d < 0)
        tmp[--w] = '-';
    if (size > 0)
        snprintf(buf, size, "%s", tmp + w);
    return buf;
}
