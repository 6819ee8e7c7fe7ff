/*
 * JSON without a tree, for the hot paths of the client: finding "items" and
 * "metadata" in a LIST page, the type and object of a watch event, the
 * resourceVersion of an object. The scanner tracks strings, escapes and
 * nesting only; values are parsed later by whoever needs them (the decoder,
 * jansson on a small span). Also the limiter's token bucket and RFC 3339
 * times. This file must never allocate, never log and never read past the
 * span it is given, whatever the input.
 */
#include "kube_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t ws(const char *b, size_t len, size_t p)
{
    while (p < len && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r'))
        p++;
    return p;
}

/* p at an opening quote: index after the closing quote, or len. */
static size_t skip_str(const char *b, size_t len, size_t p)
{
    p++;
    while (p < len) {
        const char *q = memchr(b + p, '"', len - p);
        if (!q)
            return len;
        size_t at = (size_t)(q - b);
        size_t bs = 0;
        while (at - bs > p && b[at - bs - 1] == '\\')
            bs++;
        if (bs % 2 == 0)
            return at + 1;
        p = at + 1;
    }
    return len;
}

/* Skips one value at p; index after it, or len with *ok false when the text
 * ends first. */
static size_t skip_val(const char *b, size_t len, size_t p, bool *ok)
{
    *ok = false;
    if (p >= len)
        return len;
    if (b[p] == '"') {
        size_t e = skip_str(b, len, p);
        *ok = e > p + 1 && b[e - 1] == '"';
        return e;
    }
    if (b[p] == '{' || b[p] == '[') {
        size_t depth = 0;
        while (p < len) {
            char c = b[p];
            if (c == '"') {
                p = skip_str(b, len, p);
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    *ok = true;
                    return p + 1;
                }
            }
            p++;
        }
        return len;
    }
    size_t s = p;
    while (p < len && b[p] != ',' && b[p] != '}' && b[p] != ']' && b[p] != ' ' && b[p] != '\n' &&
           b[p] != '\r' && b[p] != '\t')
        p++;
    *ok = p > s;
    return p;
}

bool kube__json_member(struct kube__span s, const char *key, struct kube__span *out)
{
    out->p = NULL;
    out->len = 0;
    const char *b = s.p;
    size_t len = s.len, klen = strlen(key);
    if (!b)
        return false;
    size_t p = ws(b, len, 0);
    if (p >= len || b[p] != '{')
        return false;
    p = ws(b, len, p + 1);
    bool ok;
    while (p < len && b[p] == '"') {
        size_t ks = p + 1;
        p = skip_str(b, len, p);
        if (p >= len)
            return false;
        size_t kl = p - 1 - ks;
        p = ws(b, len, p);
        if (p >= len || b[p] != ':')
            return false;
        p = ws(b, len, p + 1);
        size_t vs = p;
        p = skip_val(b, len, p, &ok);
        if (!ok)
            return false;
        if (kl == klen && memcmp(b + ks, key, klen) == 0) {
            out->p = b + vs;
            out->len = p - vs;
            return true;
        }
        p = ws(b, len, p);
        if (p < len && b[p] == ',')
            p = ws(b, len, p + 1);
        else
            break;
    }
    return false;
}

bool kube__json_next(struct kube__span s, size_t *pos, struct kube__span *out, bool *ok)
{
    const char *b = s.p;
    size_t len = s.len, p = *pos;
    bool vok;
    if (ok)
        *ok = true;
    if (!b)
        goto bad;
    if (p == 0) {
        p = ws(b, len, 0);
        if (p >= len || b[p] != '[')
            goto bad;
        p = ws(b, len, p + 1);
        if (p < len && b[p] == ']') {
            *pos = len;
            return false;
        }
    } else {
        if (p >= len)
            return false;
        p = ws(b, len, p);
        if (p < len && b[p] == ']') {
            *pos = len;
            return false;
        }
        if (p >= len || b[p] != ',')
            goto bad;
        p = ws(b, len, p + 1);
    }
    size_t vs = p;
    p = skip_val(b, len, p, &vok);
    if (!vok)
        goto bad;
    out->p = b + vs;
    out->len = p - vs;
    *pos = p;
    return true;
bad:
    if (ok)
        *ok = false;
    *pos = len;
    return false;
}

bool kube__json_str(struct kube__span s, char *out, size_t size)
{
    if (!s.p || s.len < 2 || s.p[0] != '"' || s.p[s.len - 1] != '"' || size == 0)
        return false;
    size_t o = 0;
    for (size_t i = 1; i + 1 < s.len; i++) {
        char c = s.p[i];
        if (c == '\\') {
            if (i + 2 >= s.len)
                return false;
            char e = s.p[++i];
            switch (e) {
            case 'n':
                c = '\n';
                break;
            case 't':
                c = '\t';
                break;
            case 'r':
                c = '\r';
                break;
            case 'b':
                c = '\b';
                break;
            case 'f':
                c = '\f';
                break;
            case 'u': {
                if (i + 4 >= s.len)
                    return false;
                int v = 0;
                for (int k = 1; k <= 4; k++) {
                    int h = hs_hexval(s.p[i + (size_t)k]);
                    if (h < 0)
                        return false;
                    v = v * 16 + h;
                }
                i += 4;
                c = (v > 0 && v < 128) ? (char)v : '?';
                break;
            }
            default:
                c = e; /* \" \\ \/ */
                break;
            }
        }
        if (o + 1 >= size)
            return false;
        out[o++] = c;
    }
    out[o] = '\0';
    return true;
}

bool kube__json_str_is(struct kube__span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.p && s.len == n + 2 && s.p[0] == '"' && memcmp(s.p + 1, lit, n) == 0 &&
           s.p[n + 1] == '"';
}

uint64_t kube__object_rv(struct kube__span obj)
{
    struct kube__span meta, rv;
    if (!kube__json_member(obj, "metadata", &meta) ||
        !kube__json_member(meta, "resourceVersion", &rv))
        return 0;
    if (rv.len < 3 || rv.p[0] != '"' || rv.len > 22)
        return 0;
    uint64_t v = 0;
    for (size_t i = 1; i + 1 < rv.len; i++) {
        char c = rv.p[i];
        if (c < '0' || c > '9')
            return 0;
        uint64_t d = (uint64_t)(c - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    return v;
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool kube__parse_time(const char *s, int64_t *out_ns)
{
    int y, mo, d, h, mi, se;
    if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
        s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
        !digits(s + 17, 2, &se))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return false;
    const char *p = s + 19;
    int64_t frac = 0;
    if (*p == '.') {
        p++;
        int64_t scale = 100000000;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9') {
            frac += (*p - '0') * scale;
            scale /= 10;
            p++;
        }
    }
    int64_t off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om))
            return false;
        off = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return false;
    }
    if (*p)
        return false;
    /* Days from civil (Howard Hinnant's algorithm), no timegm needed. */
    int yy = y - (mo <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - off;
    /* Nanoseconds in an int64 reach from 1677 to 2262; a plugin may well
     * say "valid until 9999". Times beyond saturate rather than wrap. */
    if (secs >= INT64_MAX / 1000000000)
        *out_ns = INT64_MAX;
    else if (secs <= INT64_MIN / 1000000000)
        *out_ns = INT64_MIN;
    else
        *out_ns = secs * 1000000000 + frac;
    return true;
}

void kube__bucket_init(struct kube__bucket *b, double rate, int burst, int64_t now_ns)
{
    b->rate = rate;
    b->burst = burst < 1 ? 1 : burst;
    b->tokens = b->burst;
    b->last_ns = now_ns;
}

int64_t kube__bucket_reserve(struct kube__bucket *b, int64_t now_ns)
{
    if (b->rate <= 0)
        return 0;
    if (now_ns > b->last_ns) {
        b->tokens += (double)(now_ns - b->last_ns) * b->rate / 1e9;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
        b->last_ns = now_ns;
    }
    b->tokens -= 1;
    if (b->tokens >= 0)
        return 0;
    return (int64_t)(-b->tokens / b->rate * 1e9 + 0.5);
}

enum hs_code kube__split_event(const char *line, size_t len, enum kube__event_type *type,
                               struct kube__span *object, struct hs_err *err)
{
    struct kube__span s = { line, len }, t;
    if (!kube__json_member(s, "type", &t) || !kube__json_member(s, "object", object) ||
        object->p[0] != '{')
        return hs_err_set(err, HS_EPARSE, "watch event is not {\"type\", \"object\"}: %.*s",
                          (int)(len < 80 ? len : 80), line);
    if (kube__json_str_is(t, "ADDED"))
        *type = KUBE__EV_ADDED;
    else if (kube__json_str_is(t, "MODIFIED"))
        *type = KUBE__EV_MODIFIED;
    else if (kube__json_str_is(t, "DELETED"))
        *type = KUBE__EV_DELETED;
    else if (kube__json_str_is(t, "BOOKMARK"))
        *type = KUBE__EV_BOOKMARK;
    else if (kube__json_str_is(t, "ERROR"))
        *type = KUBE__EV_ERROR;
    else
        *type = KUBE__EV_UNKNOWN;
    return HS_OK;
}

bool kube__status_parse(struct kube__span s, int *code, char *reason, size_t reason_size,
                        char *message, size_t message_size)
{
    struct kube__span k, v;
    *code = 0;
    if (reason_size)
        reason[0] = '\0';
    if (message_size)
        message[0] = '\0';
    if (!kube__json_member(s, "kind", &k) || !kube__json_str_is(k, "Status"))
        return false;
    if (kube__json_member(s, "code", &v) && v.len < 8) {
        char num[8];
        memcpy(num, v.p, v.len);
        num[v.len] = '\0';
        *code = atoi(num);
    }
    if (kube__json_member(s, "reason", &v) && !kube__json_str(v, reason, reason_size) &&
        reason_size)
        reason[0] = '\0';
    if (kube__json_member(s, "message", &v) && !kube__json_str(v, message, message_size) &&
        message_size) {
        /* too long: keep what fits */
        size_t n = v.len > 2 ? v.len - 2 : 0;
        if (n >= message_size)
            n = message_size - 1;
        memcpy(message, v.p + 1, n);
        message[n] = '\0';
    }
    return true;
}
