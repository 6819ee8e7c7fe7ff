/*
 * Kubernetes JSON into lib/model structs. The text is read once, front to
 * back, by the strict JSON parser below: a List's "items" are parsed one at
 * a time into a small tree in an arena that is cleared after each item, so a
 * 1 GB List never becomes one JSON tree, and kube_decode_file releases the
 * file's pages behind the parser, so resident memory is the model's plus a
 * few megabytes. Every field read checks its JSON type and reports the exact
 * path on error; invalid JSON is reported in jansson's words, at the byte
 * jansson would name. This file must never let a parse tree escape, never
 * abort on bad input, never keep a partially decoded object (its string
 * references are dropped on error), and never release pages of memory it
 * did not map itself.
 */
#include "kube/decode.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/alloc.h"
#include "base/clock.h"
#include "base/common.h"
#include "decode_int.h"
#include "model/quantity.h"

static size_t skip_ws(const char *b, size_t len, size_t p)
{
    while (p < len && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r'))
        p++;
    return p;
}

/* ---- a strict JSON parser into a small per-object tree -------------------
 *
 * Why not jansson here: jansson builds a hash table and mallocs every value,
 * and a separate scanner had to tokenize each item once more just to find
 * it; both together held decoding near 100 MB/s. This parser reads the text once,
 * puts each value into a compact tree allocated from an arena that is cleared
 * after every List item, and copies strings (escapes decoded) as it goes.
 *
 * It accepts what jansson's json_loadb(..., JSON_DECODE_ANY) accepts (RFC
 * 8259 with UTF-8 checked everywhere, no \u0000, integers in int64, reals
 * that do not overflow, at most 2048 levels of nesting) and reports the same
 * error text and byte position, so messages did not change when jansson left
 * the hot path; test/fuzz/decode.c checks both against jansson. The one
 * difference: jansson loses a NUL byte it reads ahead after a number or a
 * literal (it takes "[1\0]" for "[1]"); this parser refuses NUL bytes.
 * Duplicate object keys behave as in jansson: the last value wins, at the
 * first key's place. */

enum jv_type { JV_NULL, JV_FALSE, JV_TRUE, JV_INT, JV_REAL, JV_STR, JV_ARR, JV_OBJ };

struct jmem;

/* One JSON value. Strings are NUL-terminated copies (JSON strings never hold
 * a NUL: \u0000 is rejected), so they can be used as C strings. */
struct jv {
    uint8_t t;  /* enum jv_type */
    uint32_t n; /* JV_STR: length; JV_ARR, JV_OBJ: number of elements */
    union {
        const char *s;
        int64_t i;
        double d;
        struct jv *a;   /* JV_ARR */
        struct jmem *o; /* JV_OBJ, keys unique */
    } u;
};

struct jmem {
    const char *k; /* NUL-terminated */
    uint32_t kn;
    uint32_t fp; /* cheap fingerprint of the key, for duplicate checks */
    struct jv v;
};

#define JP_MAX_DEPTH 2048 /* jansson's JSON_PARSER_MAX_DEPTH */
#define JP_NEAR_MAX  20   /* jansson quotes the token only up to this length */

enum tk {
    TK_EOF,
    TK_INVALID,
    TK_LBRACE,
    TK_RBRACE,
    TK_LBRACK,
    TK_RBRACK,
    TK_COLON,
    TK_COMMA,
    TK_STRING,
    TK_INT,
    TK_REAL,
    TK_TRUE,
    TK_FALSE,
    TK_NULL,
};

struct tok {
    enum tk k;
    const char *s, *e; /* raw text of the token */
    const char *str;   /* TK_STRING: decoded copy in the arena */
    uint32_t len;
    bool nul; /* TK_STRING: holds \u0000 */
    int64_t i;
    double d;
};

struct jp {
    const char *buf;    /* the whole input; positions are offsets into it */
    const char *end;    /* one past its last byte */
    const char *p;      /* next byte to read */
    struct hs_arena *a; /* where trees go (borrowed) */
    struct jv *vs;      /* elements of the arrays being parsed */
    size_t nvs, cap_vs;
    struct jmem *ms; /* members of the objects being parsed */
    size_t nms, cap_ms;
    uint32_t *dup; /* hash slots for duplicate checks of big objects */
    size_t cap_dup;
    unsigned depth;
    bool failed;
    size_t pos;    /* error position, as jansson counts it */
    char msg[200]; /* error text, as jansson words it */
};

static void jp_init(struct jp *jp, const char *buf, size_t len, struct hs_arena *a)
{
    memset(jp, 0, sizeof(*jp));
    jp->buf = jp->p = buf;
    jp->end = buf + len;
    jp->a = a;
}

static void jp_release(struct jp *jp)
{
    hs_free(jp->vs);
    hs_free(jp->ms);
    hs_free(jp->dup);
    memset(jp, 0, sizeof(*jp));
}

/* Records the first error: fmt names what went wrong; [s, e) is the text of
 * the token read so far (quoted when short, "end of file" when empty unless
 * the error is a UTF-8 one); at is where reading stopped. */
static void jp_fail(struct jp *jp, const char *s, const char *e, const char *at, bool utf8,
                    const char *fmt, ...) HS_PRINTF(6, 7);
static void jp_fail(struct jp *jp, const char *s, const char *e, const char *at, bool utf8,
                    const char *fmt, ...)
{
    if (jp->failed)
        return;
    jp->failed = true;
    jp->pos = (size_t)(at - jp->buf);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(jp->msg, sizeof(jp->msg), fmt, ap);
    va_end(ap);
    size_t used = n < 0 ? 0 : (size_t)n < sizeof(jp->msg) ? (size_t)n : sizeof(jp->msg) - 1;
    size_t tl = (size_t)(e - s);
    if (tl > 0 && s[0] != '\0') {
        /* jansson quotes its saved text as a C string: up to a NUL byte */
        const char *nul = memchr(s, '\0', tl);
        if (tl <= JP_NEAR_MAX)
            snprintf(jp->msg + used, sizeof(jp->msg) - used, " near '%.*s'",
                     (int)(nul ? (size_t)(nul - s) : tl), s);
    } else if (!utf8) {
        snprintf(jp->msg + used, sizeof(jp->msg) - used, " near end of file");
    }
}

/* Length of the valid UTF-8 sequence at p (a byte >= 0x80), 0 when invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const char *p, const char *end)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t avail = (size_t)(end - p);
    unsigned c = u[0];
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (u[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* Whether reading the byte at p as lookahead fails jansson's UTF-8 check
 * (jansson decodes every character it reads, even one it puts back). */
static bool bad_lookahead(const char *p, const char *end)
{
    return p < end && (unsigned char)*p >= 0x80 && utf8_len(p, end) == 0;
}

static void utf8_fail(struct jp *jp, const char *s, const char *at)
{
    jp_fail(jp, s, at, at, true, "unable to decode byte 0x%x", (unsigned)(unsigned char)*at);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static const char *skip_json_ws(const char *p, const char *end)
{
    for (;;) {
        while (end - p >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (w != 0x2020202020202020ULL)
                break;
            p += 8;
        }
        if (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
            p++;
        else
            return p;
    }
}

/* First byte in [p, end) that is '"', '\\', below 0x20 or above 0x7F. */
static const char *find_special(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
        /* signed compare: bytes 0x80..0xFF are negative, so below 0x20 too */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
                                 _mm_cmplt_epi8(x, space));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits)
            return p + __builtin_ctz(bits);
        p += 16;
    }
#else
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
        uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
        uint64_t hit = ((q - ones) & ~q) | ((b - ones) & ~b) | (w - ones * 0x20) | w;
        if (hit & high)
            break;
        p += 8;
    }
#endif
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
            return p;
        p++;
    }
    return p;
}

static unsigned hex4(const char *p)
{
    return (unsigned)(hs_hexval(p[0]) << 12 | hs_hexval(p[1]) << 8 | hs_hexval(p[2]) << 4 |
                      hs_hexval(p[3]));
}

static char *put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* Decodes the escapes of the string whose raw text (quotes included) is
 * [s, e), already checked for syntax, into t->str. */
static bool lex_unescape(struct jp *jp, const char *s, const char *e, struct tok *t)
{
    /* the decoded text is never longer than the raw text */
    char *out = hs_arena_alloc(jp->a, (size_t)(e - s), 1);
    char *o = out;
    const char *p = s + 1;
    while (p < e - 1) {
        const char *q = p;
        while (q < e - 1 && *q != '\\')
            q++;
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        if (q >= e - 1)
            break;
        char c = q[1];
        p = q + 2;
        switch (c) {
        case '"':
        case '\\':
        case '/':
            *o++ = c;
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        default: { /* 'u', four hex digits checked by lex_string */
            uint32_t cp = hex4(p);
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (p + 6 <= e - 1 && p[0] == '\\' && p[1] == 'u') {
                    uint32_t lo = hex4(p + 2);
                    if (lo < 0xDC00 || lo > 0xDFFF) {
                        jp_fail(jp, s, e, e, false, "invalid Unicode '\\u%04X\\u%04X'", cp, lo);
                        return false;
                    }
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                } else {
                    jp_fail(jp, s, e, e, false, "invalid Unicode '\\u%04X'", cp);
                    return false;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                jp_fail(jp, s, e, e, false, "invalid Unicode '\\u%04X'", cp);
                return false;
            } else if (cp == 0) {
                t->nul = true; /* refused by the parser, in jansson's words for where */
            }
            o = put_utf8(o, cp);
            break;
        }
        }
    }
    *o = '\0';
    t->str = out;
    t->len = (uint32_t)(o - out);
    return true;
}

/* A string token; jp->p is at the opening quote. */
static enum tk lex_string(struct jp *jp, struct tok *t)
{
    const char *s = jp->p, *end = jp->end;
    const char *p = s + 1;
    bool esc = false;
    for (;;) {
        p = find_special(p, end);
        if (p >= end) {
            jp_fail(jp, s, end, end, false, "premature end of input");
            return TK_INVALID;
        }
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c == '\\') {
            esc = true;
            if (p + 1 >= end) {
                jp_fail(jp, s, end, end, false, "invalid escape");
                return TK_INVALID;
            }
            char x = p[1];
            if (x == 'u') {
                p += 2;
                for (int i = 0; i < 4; i++, p++) {
                    if (p >= end) {
                        jp_fail(jp, s, end, end, false, "invalid escape");
                        return TK_INVALID;
                    }
                    if (hs_hexval(*p) < 0) {
                        if (bad_lookahead(p, end)) {
                            utf8_fail(jp, s, p);
                            return TK_INVALID;
                        }
                        /* jansson reads the offending byte alone */
                        jp_fail(jp, s, p + 1, p + 1, false, "invalid escape");
                        return TK_INVALID;
                    }
                }
                continue;
            }
            if (x == '"' || x == '\\' || x == '/' || x == 'b' || x == 'f' || x == 'n' || x == 'r' ||
                x == 't') {
                p += 2;
                continue;
            }
            if (bad_lookahead(p + 1, end)) {
                utf8_fail(jp, s, p + 1);
                return TK_INVALID;
            }
            jp_fail(jp, s, p + 2, p + 2, false, "invalid escape");
            return TK_INVALID;
        }
        if (c == '\n') {
            jp_fail(jp, s, p, p, false, "unexpected newline");
            return TK_INVALID;
        }
        if (c < 0x20) {
            jp_fail(jp, s, p, p, false, "control character 0x%x", c);
            return TK_INVALID;
        }
        size_t n = utf8_len(p, end); /* c >= 0x80 */
        if (!n) {
            utf8_fail(jp, s, p);
            return TK_INVALID;
        }
        p += n;
    }
    const char *e = p + 1;
    t->s = s;
    t->e = e;
    t->nul = false;
    jp->p = e;
    if (esc)
        return lex_unescape(jp, s, e, t) ? TK_STRING : TK_INVALID;
    size_t n = (size_t)(e - s) - 2;
    char *out = hs_arena_alloc(jp->a, n + 1, 1);
    memcpy(out, s + 1, n);
    out[n] = '\0';
    t->str = out;
    t->len = (uint32_t)n;
    return TK_STRING;
}

/* A number token; jp->p is at '-' or a digit. */
static enum tk lex_number(struct jp *jp, struct tok *t)
{
    const char *s = jp->p, *p = s, *end = jp->end;
    bool neg = false, real = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    if (bad_lookahead(p, end)) {
        utf8_fail(jp, s, p);
        return TK_INVALID;
    }
    if (p < end && *p == '0') {
        p++;
        if (bad_lookahead(p, end)) {
            utf8_fail(jp, s, p);
            return TK_INVALID;
        }
        if (p < end && is_digit(*p))
            goto invalid;
    } else if (p < end && *p >= '1' && *p <= '9') {
        while (p < end && is_digit(*p))
            p++;
    } else {
        goto invalid;
    }
    if (bad_lookahead(p, end)) {
        utf8_fail(jp, s, p);
        return TK_INVALID;
    }
    if (p < end && *p == '.') {
        real = true;
        p++;
        if (bad_lookahead(p, end)) {
            utf8_fail(jp, s, p);
            return TK_INVALID;
        }
        if (p >= end || !is_digit(*p))
            goto invalid;
        while (p < end && is_digit(*p))
            p++;
        if (bad_lookahead(p, end)) {
            utf8_fail(jp, s, p);
            return TK_INVALID;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        real = true;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (bad_lookahead(p, end)) {
            utf8_fail(jp, s, p);
            return TK_INVALID;
        }
        if (p >= end || !is_digit(*p))
            goto invalid;
        while (p < end && is_digit(*p))
            p++;
        if (bad_lookahead(p, end)) {
            utf8_fail(jp, s, p);
            return TK_INVALID;
        }
    }
    t->s = s;
    t->e = jp->p = p;
    size_t n = (size_t)(p - s);
    if (!real) {
        size_t digits = n - (neg ? 1 : 0);
        if (digits <= 18) { /* cannot overflow int64 */
            int64_t v = 0;
            for (const char *q = s + (neg ? 1 : 0); q < p; q++)
                v = v * 10 + (*q - '0');
            t->i = neg ? -v : v;
            return TK_INT;
        }
    }
    char small[64];
    char *tmp = n < sizeof(small) ? small : hs_arena_alloc(jp->a, n + 1, 1);
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    errno = 0;
    if (!real) {
        long long v = strtoll(tmp, NULL, 10);
        if (errno == ERANGE) {
            jp_fail(jp, s, p, p, false, neg ? "too big negative integer" : "too big integer");
            return TK_INVALID;
        }
        t->i = v;
        return TK_INT;
    }
    double d = strtod(tmp, NULL);
    if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL)) {
        jp_fail(jp, s, p, p, false, "real number overflow");
        return TK_INVALID;
    }
    t->d = d;
    return TK_REAL;
invalid:
    /* jansson keeps what it read before the byte it could not use */
    t->s = s;
    t->e = jp->p = p;
    return TK_INVALID;
}

/* The next token. On TK_INVALID an error may already be recorded (a lexer
 * error); otherwise the parser words it for its context. */
static enum tk lex(struct jp *jp, struct tok *t)
{
    const char *p = skip_json_ws(jp->p, jp->end);
    jp->p = p;
    t->s = t->e = p;
    if (p >= jp->end)
        return t->k = TK_EOF;
    char c = *p;
    enum tk k;
    switch (c) {
    case '{':
        k = TK_LBRACE;
        break;
    case '}':
        k = TK_RBRACE;
        break;
    case '[':
        k = TK_LBRACK;
        break;
    case ']':
        k = TK_RBRACK;
        break;
    case ':':
        k = TK_COLON;
        break;
    case ',':
        k = TK_COMMA;
        break;
    case '"':
        return t->k = lex_string(jp, t);
    default:
        if (c == '-' || is_digit(c))
            return t->k = lex_number(jp, t);
        if (is_alpha(c)) {
            const char *q = p;
            while (q < jp->end && is_alpha(*q))
                q++;
            if (bad_lookahead(q, jp->end)) {
                utf8_fail(jp, p, q);
                return t->k = TK_INVALID;
            }
            t->e = jp->p = q;
            size_t n = (size_t)(q - p);
            if (n == 4 && memcmp(p, "true", 4) == 0)
                return t->k = TK_TRUE;
            if (n == 5 && memcmp(p, "false", 5) == 0)
                return t->k = TK_FALSE;
            if (n == 4 && memcmp(p, "null", 4) == 0)
                return t->k = TK_NULL;
            return t->k = TK_INVALID;
        }
        if ((unsigned char)c >= 0x80) {
            size_t n = utf8_len(p, jp->end);
            if (!n) {
                utf8_fail(jp, p, p);
                return t->k = TK_INVALID;
            }
            t->e = jp->p = p + n;
            return t->k = TK_INVALID;
        }
        t->e = jp->p = p + 1;
        return t->k = TK_INVALID;
    }
    t->e = jp->p = p + 1;
    return t->k = k;
}

/* Records a parser error about token t (a no-op after a lexer error). */
static void tok_fail(struct jp *jp, const struct tok *t, const char *what)
{
    jp_fail(jp, t->s, t->e, t->k == TK_EOF ? jp->end : t->e, false, "%s", what);
}

static uint32_t key_fp(const char *k, uint32_t n)
{
    uint32_t a = 0, b = 0;
    memcpy(&a, k, n < 4 ? n : 4);
    if (n > 4)
        memcpy(&b, k + n - 4, 4);
    return (a * 0x9E3779B1u) ^ (b * 0x85EBCA77u) ^ n;
}

static bool same_key(const struct jmem *x, const struct jmem *y)
{
    return x->fp == y->fp && x->kn == y->kn && memcmp(x->k, y->k, x->kn) == 0;
}

/* Folds duplicate keys among m[0..n) as jansson does (the later value, at
 * the earlier place); returns the new count. */
static size_t dedup_members(struct jp *jp, struct jmem *m, size_t n)
{
    size_t out = 0;
    if (n <= 12) {
        for (size_t j = 0; j < n; j++) {
            size_t i;
            for (i = 0; i < out; i++)
                if (same_key(&m[i], &m[j]))
                    break;
            if (i < out)
                m[i].v = m[j].v;
            else
                m[out++] = m[j];
        }
        return out;
    }
    size_t slots = 32;
    while (slots < 2 * n)
        slots *= 2;
    if (jp->cap_dup < slots) {
        hs_free(jp->dup);
        jp->dup = hs_malloc(slots * sizeof(*jp->dup));
        jp->cap_dup = slots;
    }
    memset(jp->dup, 0, slots * sizeof(*jp->dup));
    for (size_t j = 0; j < n; j++) {
        size_t h = (m[j].fp * 0x9E3779B1u) & (slots - 1);
        for (;;) {
            uint32_t e = jp->dup[h];
            if (!e) {
                m[out] = m[j];
                jp->dup[h] = (uint32_t)++out;
                break;
            }
            if (same_key(&m[e - 1], &m[j])) {
                m[e - 1].v = m[j].v;
                break;
            }
            h = (h + 1) & (slots - 1);
        }
    }
    return out;
}

static bool jp_value(struct jp *jp, struct tok *t, struct jv *out);

static bool jp_array(struct jp *jp, struct jv *out)
{
    struct tok t;
    size_t mark = jp->nvs;
    lex(jp, &t);
    if (t.k != TK_RBRACK) {
        while (t.k != TK_EOF) {
            struct jv v;
            if (!jp_value(jp, &t, &v))
                return false;
            HS_GROW(jp->vs, jp->cap_vs, jp->nvs + 1);
            jp->vs[jp->nvs++] = v;
            lex(jp, &t);
            if (t.k != TK_COMMA)
                break;
            lex(jp, &t);
        }
        if (t.k != TK_RBRACK) {
            tok_fail(jp, &t, "']' expected");
            return false;
        }
    }
    size_t n = jp->nvs - mark;
    out->t = JV_ARR;
    out->n = (uint32_t)n;
    out->u.a = NULL;
    if (n) {
        out->u.a = hs_arena_alloc(jp->a, n * sizeof(struct jv), _Alignof(struct jv));
        memcpy(out->u.a, jp->vs + mark, n * sizeof(struct jv));
    }
    jp->nvs = mark;
    return true;
}

static bool jp_object(struct jp *jp, struct jv *out)
{
    struct tok t;
    size_t mark = jp->nms;
    lex(jp, &t);
    if (t.k != TK_RBRACE) {
        for (;;) {
            if (t.k != TK_STRING) {
                tok_fail(jp, &t, "string or '}' expected");
                return false;
            }
            if (t.nul) {
                tok_fail(jp, &t, "NUL byte in object key not supported");
                return false;
            }
            struct jmem m;
            m.k = t.str;
            m.kn = t.len;
            m.fp = key_fp(t.str, t.len);
            lex(jp, &t);
            if (t.k != TK_COLON) {
                tok_fail(jp, &t, "':' expected");
                return false;
            }
            lex(jp, &t);
            if (!jp_value(jp, &t, &m.v))
                return false;
            HS_GROW(jp->ms, jp->cap_ms, jp->nms + 1);
            jp->ms[jp->nms++] = m;
            lex(jp, &t);
            if (t.k != TK_COMMA)
                break;
            lex(jp, &t);
        }
        if (t.k != TK_RBRACE) {
            tok_fail(jp, &t, "'}' expected");
            return false;
        }
    }
    size_t n = jp->nms > mark ? dedup_members(jp, jp->ms + mark, jp->nms - mark) : 0;
    out->t = JV_OBJ;
    out->n = (uint32_t)n;
    out->u.o = NULL;
    if (n) {
        out->u.o = hs_arena_alloc(jp->a, n * sizeof(struct jmem), _Alignof(struct jmem));
        memcpy(out->u.o, jp->ms + mark, n * sizeof(struct jmem));
    }
    jp->nms = mark;
    return true;
}

/* The value that starts with token t (already read). */
static bool jp_value(struct jp *jp, struct tok *t, struct jv *out)
{
    if (jp->failed)
        return false;
    if (++jp->depth > JP_MAX_DEPTH) {
        tok_fail(jp, t, "maximum parsing depth reached");
        return false;
    }
    bool ok = true;
    switch (t->k) {
    case TK_LBRACE:
        ok = jp_object(jp, out);
        break;
    case TK_LBRACK:
        ok = jp_array(jp, out);
        break;
    case TK_STRING:
        if (t->nul) {
            tok_fail(jp, t, "\\u0000 is not allowed without JSON_ALLOW_NUL");
            ok = false;
            break;
        }
        out->t = JV_STR;
        out->n = t->len;
        out->u.s = t->str;
        break;
    case TK_INT:
        out->t = JV_INT;
        out->u.i = t->i;
        break;
    case TK_REAL:
        out->t = JV_REAL;
        out->u.d = t->d;
        break;
    case TK_TRUE:
        out->t = JV_TRUE;
        break;
    case TK_FALSE:
        out->t = JV_FALSE;
        break;
    case TK_NULL:
        out->t = JV_NULL;
        break;
    case TK_INVALID:
        tok_fail(jp, t, "invalid token");
        ok = false;
        break;
    default:
        tok_fail(jp, t, "unexpected token");
        ok = false;
        break;
    }
    jp->depth--;
    return ok && !jp->failed;
}

/* One whole JSON text in [jp->p, jp->end): a value and nothing after it. */
static bool jp_document(struct jp *jp, struct jv *out)
{
    struct tok t;
    lex(jp, &t);
    if (!jp_value(jp, &t, out))
        return false;
    lex(jp, &t);
    if (t.k != TK_EOF) {
        tok_fail(jp, &t, "end of file expected");
        return false;
    }
    return true;
}

bool kube__json_check(const char *buf, size_t len, char *msg, size_t msg_size, size_t *pos)
{
    struct hs_arena a;
    struct jp jp;
    struct jv v;
    hs_arena_init(&a, 0);
    jp_init(&jp, buf, len, &a);
    bool ok = jp_document(&jp, &v);
    if (!ok) {
        if (msg && msg_size)
            snprintf(msg, msg_size, "%s", jp.msg);
        if (pos)
            *pos = jp.pos;
    }
    jp_release(&jp);
    hs_arena_release(&a);
    return ok;
}

/* ---- reading the tree ------------------------------------------------------ */

/* Member key of object o (NULL or not an object: NULL), as json_object_get. */
static const struct jv *jv_get(const struct jv *o, const char *key)
{
    if (!o || o->t != JV_OBJ)
        return NULL;
    size_t n = strlen(key);
    for (uint32_t i = 0; i < o->n; i++)
        if (o->u.o[i].kn == n && memcmp(o->u.o[i].k, key, n) == 0)
            return &o->u.o[i].v;
    return NULL;
}

static bool jv_is_null(const struct jv *v)
{
    return v->t == JV_NULL;
}

static bool jv_is_object(const struct jv *v)
{
    return v->t == JV_OBJ;
}

static bool jv_is_array(const struct jv *v)
{
    return v->t == JV_ARR;
}

static bool jv_is_string(const struct jv *v)
{
    return v->t == JV_STR;
}

static bool jv_is_boolean(const struct jv *v)
{
    return v->t == JV_TRUE || v->t == JV_FALSE;
}

static bool jv_is_true(const struct jv *v)
{
    return v->t == JV_TRUE;
}

static bool jv_is_integer(const struct jv *v)
{
    return v->t == JV_INT;
}

static bool jv_is_real(const struct jv *v)
{
    return v->t == JV_REAL;
}

static const char *jv_str(const struct jv *v)
{
    return v->u.s;
}

static size_t jv_len(const struct jv *v)
{
    return v->n;
}

static int64_t jv_int(const struct jv *v)
{
    return v->u.i;
}

static double jv_real(const struct jv *v)
{
    return v->u.d;
}

/* Elements of an array or members of an object. */
static size_t jv_size(const struct jv *v)
{
    return v->t == JV_ARR || v->t == JV_OBJ ? v->n : 0;
}

#define jv_object_foreach(obj, key, val)                                                     \
    for (uint32_t jv_i_ = 0;                                                                 \
         jv_i_ < (obj)->n && ((key) = (obj)->u.o[jv_i_].k, (val) = &(obj)->u.o[jv_i_].v, 1); \
         jv_i_++)
#define jv_array_foreach(arr, i, val) \
    for ((i) = 0; (i) < (arr)->n && ((val) = &(arr)->u.a[(i)], 1); (i)++)

/* ---- decoding context and path ------------------------------------------- */

struct dctx {
    struct hs_intern *t;
    struct hs_arena *a;      /* the objects' arena */
    struct hs_arena scratch; /* temporaries of one object */
    struct hs_arena tree;    /* the parsed JSON of one object */
    struct hs_err *err;
    enum hs_code rc;
    char path[768];
    size_t plen;
    const char *pod_name; /* for ephemeral volume claim names */
    const char **tmp;     /* references taken for temporaries of one object */
    size_t n_tmp, cap_tmp;
};

/* Interns s[0..n) for a temporary: the reference is dropped by tmp_release. */
static const char *tmp_intern(struct dctx *c, const char *s, size_t n)
{
    HS_GROW(c->tmp, c->cap_tmp, c->n_tmp + 1);
    return c->tmp[c->n_tmp++] = hs_intern(c->t, s, n);
}

static void tmp_release(struct dctx *c)
{
    for (size_t i = 0; i < c->n_tmp; i++)
        hs_intern_unref(c->t, c->tmp[i]);
    c->n_tmp = 0;
}

/* Appends s[0..n) to the path, cut at the buffer's end. */
static void path_put(struct dctx *c, const char *s, size_t n)
{
    size_t room = sizeof(c->path) - 1 - c->plen;
    if (n > room)
        n = room;
    memcpy(c->path + c->plen, s, n);
    c->plen += n;
    c->path[c->plen] = '\0';
}

static size_t path_key(struct dctx *c, const char *key)
{
    size_t saved = c->plen;
    if (c->plen)
        path_put(c, ".", 1);
    path_put(c, key, strlen(key));
    return saved;
}

static size_t path_index(struct dctx *c, size_t i)
{
    size_t saved = c->plen;
    char num[24];
    size_t k = sizeof(num);
    num[--k] = ']';
    do {
        num[--k] = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    num[--k] = '[';
    path_put(c, num + k, sizeof(num) - k);
    return saved;
}

static void path_pop(struct dctx *c, size_t saved)
{
    c->plen = saved;
    c->path[saved] = '\0';
}

static const char *type_name(const struct jv *j)
{
    switch ((enum jv_type)j->t) {
    case JV_OBJ:
        return "object";
    case JV_ARR:
        return "array";
    case JV_STR:
        return "string";
    case JV_INT:
    case JV_REAL:
        return "number";
    case JV_TRUE:
    case JV_FALSE:
        return "boolean";
    case JV_NULL:
        return "null";
    }
    return "value";
}

/* Records a type error at path.key (key may be NULL for the current path). */
static void type_error(struct dctx *c, const char *key, const char *want, const struct jv *got)
{
    if (c->rc)
        return;
    size_t saved = key ? path_key(c, key) : c->plen;
    c->rc = hs_err_set(c->err, HS_EPARSE, "expected %s, got %s at %s", want, type_name(got),
                       c->plen ? c->path : "(top level)");
    path_pop(c, saved);
}

/* Field key of obj when present and not null; NULL otherwise. */
static const struct jv *field(const struct jv *obj, const char *key)
{
    const struct jv *v = jv_get(obj, key);
    return v && !jv_is_null(v) ? v : NULL;
}

/* Field key of obj when present, not null and of the kind is() accepts;
 * a present field of another kind is a type error naming what was wanted. */
static const struct jv *get_typed(struct dctx *c, const struct jv *obj, const char *key,
                                  bool (*is)(const struct jv *), const char *want)
{
    const struct jv *v = field(obj, key);
    if (v && !is(v)) {
        type_error(c, key, want, v);
        return NULL;
    }
    return v;
}

static const struct jv *get_obj(struct dctx *c, const struct jv *obj, const char *key)
{
    return get_typed(c, obj, key, jv_is_object, "object");
}

static const struct jv *get_arr(struct dctx *c, const struct jv *obj, const char *key)
{
    return get_typed(c, obj, key, jv_is_array, "array");
}

static const struct jv *get_str(struct dctx *c, const struct jv *obj, const char *key)
{
    return get_typed(c, obj, key, jv_is_string, "string");
}

static bool get_bool(struct dctx *c, const struct jv *obj, const char *key)
{
    const struct jv *v = get_typed(c, obj, key, jv_is_boolean, "boolean");
    return v && jv_is_true(v);
}

static bool get_int(struct dctx *c, const struct jv *obj, const char *key, int64_t lo, int64_t hi,
                    int64_t *out)
{
    const struct jv *v = field(obj, key);
    if (!v)
        return false;
    if (!jv_is_integer(v)) {
        type_error(c, key, "integer", v);
        return false;
    }
    int64_t i = jv_int(v);
    if (i < lo || i > hi) {
        if (!c->rc) {
            size_t saved = path_key(c, key);
            c->rc = hs_err_set(c->err, HS_EPARSE, "integer %lld out of range at %s", (long long)i,
                               c->path);
            path_pop(c, saved);
        }
        return false;
    }
    *out = i;
    return true;
}

static int32_t get_i32(struct dctx *c, const struct jv *obj, const char *key)
{
    int64_t v = 0;
    get_int(c, obj, key, INT32_MIN, INT32_MAX, &v);
    return (int32_t)v;
}

static const char *intern_json(struct dctx *c, const struct jv *s)
{
    return hs_intern(c->t, jv_str(s), jv_len(s));
}

/* Interned string field, NULL when absent. */
static const char *get_istr(struct dctx *c, const struct jv *obj, const char *key)
{
    const struct jv *v = get_str(c, obj, key);
    return v ? intern_json(c, v) : NULL;
}

/* Arena copy of a string field, NULL when absent. */
static const char *get_astr(struct dctx *c, const struct jv *obj, const char *key)
{
    const struct jv *v = get_str(c, obj, key);
    return v ? hs_arena_strndup(c->a, jv_str(v), jv_len(v)) : NULL;
}

static bool str_is(const struct jv *s, const char *lit)
{
    return s && jv_is_string(s) && strcmp(jv_str(s), lit) == 0;
}

static int64_t get_time(struct dctx *c, const struct jv *obj, const char *key)
{
    const struct jv *v = get_str(c, obj, key);
    int64_t t = 0;
    if (v && !hs_time_parse_rfc3339(jv_str(v), &t) && !c->rc) {
        size_t saved = path_key(c, key);
        c->rc = hs_err_set(c->err, HS_EPARSE, "cannot parse time '%s' at %s", jv_str(v), c->path);
        path_pop(c, saved);
    }
    return t;
}

/* ---- labels, selectors ------------------------------------------------------ */

static int cmp_label(const void *a, const void *b)
{
    return strcmp(((const struct model_label *)a)->key, ((const struct model_label *)b)->key);
}

/* A map of string to string ("labels", "annotations", "nodeSelector"). */
static void dec_labels(struct dctx *c, const struct jv *obj, const char *key,
                       struct model_labels *out)
{
    const struct jv *m = get_obj(c, obj, key);
    out->n = 0;
    if (!m || jv_size(m) == 0)
        return;
    size_t saved = path_key(c, key);
    out->v = HS_ARENA_NEW_ARRAY(c->a, struct model_label, jv_size(m));
    const char *k;
    const struct jv *v;
    jv_object_foreach(m, k, v)
    {
        if (!jv_is_string(v)) {
            type_error(c, k, "string", v);
            break;
        }
        out->v[out->n].key = hs_intern_cstr(c->t, k);
        out->v[out->n].value = intern_json(c, v);
        out->n++;
    }
    qsort(out->v, out->n, sizeof(*out->v), cmp_label);
    path_pop(c, saved);
}

static const char **dec_str_array(struct dctx *c, const struct jv *obj, const char *key,
                                  uint32_t *n)
{
    const struct jv *arr = get_arr(c, obj, key);
    *n = 0;
    if (!arr || jv_size(arr) == 0)
        return NULL;
    const char **v = HS_ARENA_NEW_ARRAY(c->a, const char *, jv_size(arr));
    size_t saved = path_key(c, key);
    size_t i;
    const struct jv *e;
    jv_array_foreach(arr, i, e)
    {
        if (!jv_is_string(e)) {
            size_t s2 = path_index(c, i);
            type_error(c, NULL, "string", e);
            path_pop(c, s2);
            break;
        }
        v[(*n)++] = intern_json(c, e);
    }
    path_pop(c, saved);
    return v;
}

static enum model_op parse_op(const struct jv *s, bool node)
{
    if (str_is(s, "In"))
        return MODEL_OP_IN;
    if (str_is(s, "NotIn"))
        return MODEL_OP_NOT_IN;
    if (str_is(s, "Exists"))
        return MODEL_OP_EXISTS;
    if (str_is(s, "DoesNotExist"))
        return MODEL_OP_DOES_NOT_EXIST;
    if (node && str_is(s, "Gt"))
        return MODEL_OP_GT;
    if (node && str_is(s, "Lt"))
        return MODEL_OP_LT;
    return MODEL_OP_INVALID;
}

/* Appends the requirements of a matchExpressions array to r (capacity
 * reserved by the caller), counting in *n. */
static void dec_requirements(struct dctx *c, const struct jv *arr, bool node,
                             struct model_requirement *r, uint32_t *n)
{
    size_t i;
    const struct jv *e;
    jv_array_foreach(arr, i, e)
    {
        size_t saved = path_index(c, i);
        if (!jv_is_object(e)) {
            type_error(c, NULL, "object", e);
            path_pop(c, saved);
            return;
        }
        const struct jv *key = get_str(c, e, "key");
        const struct jv *op = get_str(c, e, "operator");
        struct model_requirement *q = &r[*n];
        memset(q, 0, sizeof(*q));
        q->key = key ? intern_json(c, key) : hs_intern(c->t, "", 0);
        q->op = parse_op(op, node);
        q->values = dec_str_array(c, e, "values", &q->n_values);
        (*n)++;
        if ((q->op == MODEL_OP_GT || q->op == MODEL_OP_LT)) {
            char *end;
            if (q->n_values != 1 || !*q->values[0])
                q->op = MODEL_OP_INVALID;
            else {
                long long v = strtoll(q->values[0], &end, 10);
                if (*end)
                    q->op = MODEL_OP_INVALID;
                q->num = v;
            }
        }
        path_pop(c, saved);
        if (c->rc)
            return;
    }
}

static void dec_selector(struct dctx *c, const struct jv *obj, const char *key,
                         struct model_label_selector *sel)
{
    memset(sel, 0, sizeof(*sel));
    const struct jv *s = get_obj(c, obj, key);
    if (!s)
        return;
    sel->present = true;
    size_t saved = path_key(c, key);
    const struct jv *ml = get_obj(c, s, "matchLabels");
    const struct jv *me = get_arr(c, s, "matchExpressions");
    size_t total = (ml ? jv_size(ml) : 0) + (me ? jv_size(me) : 0);
    if (total) {
        sel->req = HS_ARENA_NEW_ARRAY(c->a, struct model_requirement, total);
        if (ml) {
            size_t s2 = path_key(c, "matchLabels");
            const char *k;
            const struct jv *v;
            jv_object_foreach(ml, k, v)
            {
                if (!jv_is_string(v)) {
                    type_error(c, k, "string", v);
                    break;
                }
                struct model_requirement *q = &sel->req[sel->n];
                q->key = hs_intern_cstr(c->t, k);
                q->op = MODEL_OP_IN;
                q->values = HS_ARENA_NEW_ARRAY(c->a, const char *, 1);
                q->values[0] = intern_json(c, v);
                q->n_values = 1;
                sel->n++;
            }
            path_pop(c, s2);
        }
        if (me && !c->rc) {
            size_t s2 = path_key(c, "matchExpressions");
            dec_requirements(c, me, false, sel->req, &sel->n);
            path_pop(c, s2);
        }
    }
    path_pop(c, saved);
}

static void dec_node_term(struct dctx *c, const struct jv *t, struct model_node_selector_term *out)
{
    memset(out, 0, sizeof(*out));
    const struct jv *me = get_arr(c, t, "matchExpressions");
    const struct jv *mf = get_arr(c, t, "matchFields");
    if (me && jv_size(me)) {
        out->expr = HS_ARENA_NEW_ARRAY(c->a, struct model_requirement, jv_size(me));
        size_t saved = path_key(c, "matchExpressions");
        dec_requirements(c, me, true, out->expr, &out->n_expr);
        path_pop(c, saved);
    }
    if (mf && jv_size(mf) && !c->rc) {
        out->fields = HS_ARENA_NEW_ARRAY(c->a, struct model_requirement, jv_size(mf));
        size_t saved = path_key(c, "matchFields");
        dec_requirements(c, mf, true, out->fields, &out->n_fields);
        path_pop(c, saved);
    }
}

/* A v1.NodeSelector ({nodeSelectorTerms: [...]}) into the required part. */
static void dec_node_selector(struct dctx *c, const struct jv *obj, const char *key,
                              struct model_node_affinity *na)
{
    const struct jv *ns = get_obj(c, obj, key);
    if (!ns)
        return;
    size_t saved = path_key(c, key);
    na->has_required = true;
    const struct jv *terms = get_arr(c, ns, "nodeSelectorTerms");
    if (terms && jv_size(terms)) {
        size_t s2 = path_key(c, "nodeSelectorTerms");
        na->required = HS_ARENA_NEW_ARRAY(c->a, struct model_node_selector_term, jv_size(terms));
        size_t i;
        const struct jv *t;
        jv_array_foreach(terms, i, t)
        {
            size_t s3 = path_index(c, i);
            if (!jv_is_object(t))
                type_error(c, NULL, "object", t);
            else
                dec_node_term(c, t, &na->required[na->n_required++]);
            path_pop(c, s3);
            if (c->rc)
                break;
        }
        path_pop(c, s2);
    }
    path_pop(c, saved);
}

static void dec_node_affinity(struct dctx *c, const struct jv *aff, struct model_pod *p)
{
    const struct jv *na = get_obj(c, aff, "nodeAffinity");
    if (!na)
        return;
    size_t saved = path_key(c, "nodeAffinity");
    p->node_affinity = HS_ARENA_NEW(c->a, struct model_node_affinity);
    dec_node_selector(c, na, "requiredDuringSchedulingIgnoredDuringExecution", p->node_affinity);
    const struct jv *pref = get_arr(c, na, "preferredDuringSchedulingIgnoredDuringExecution");
    if (pref && jv_size(pref) && !c->rc) {
        size_t s2 = path_key(c, "preferredDuringSchedulingIgnoredDuringExecution");
        p->node_affinity->preferred =
            HS_ARENA_NEW_ARRAY(c->a, struct model_preferred_term, jv_size(pref));
        size_t i;
        const struct jv *e;
        jv_array_foreach(pref, i, e)
        {
            size_t s3 = path_index(c, i);
            if (!jv_is_object(e)) {
                type_error(c, NULL, "object", e);
            } else {
                struct model_preferred_term *pt =
                    &p->node_affinity->preferred[p->node_affinity->n_preferred];
                pt->weight = get_i32(c, e, "weight");
                const struct jv *t = get_obj(c, e, "preference");
                if (t) {
                    size_t s4 = path_key(c, "preference");
                    dec_node_term(c, t, &pt->term);
                    path_pop(c, s4);
                }
                p->node_affinity->n_preferred++;
            }
            path_pop(c, s3);
            if (c->rc)
                break;
        }
        path_pop(c, s2);
    }
    path_pop(c, saved);
}

static void dec_aff_term(struct dctx *c, const struct jv *t, struct model_pod_affinity_term *out)
{
    memset(out, 0, sizeof(*out));
    dec_selector(c, t, "labelSelector", &out->selector);
    out->namespaces = dec_str_array(c, t, "namespaces", &out->n_namespaces);
    dec_selector(c, t, "namespaceSelector", &out->ns_selector);
    out->topology_key = get_istr(c, t, "topologyKey");
    out->match_label_keys = dec_str_array(c, t, "matchLabelKeys", &out->n_match_label_keys);
    out->mismatch_label_keys =
        dec_str_array(c, t, "mismatchLabelKeys", &out->n_mismatch_label_keys);
}

static struct model_pod_affinity *dec_pod_affinity(struct dctx *c, const struct jv *aff,
                                                   const char *key)
{
    const struct jv *pa = get_obj(c, aff, key);
    if (!pa)
        return NULL;
    struct model_pod_affinity *out = HS_ARENA_NEW(c->a, struct model_pod_affinity);
    size_t saved = path_key(c, key);
    const struct jv *req = get_arr(c, pa, "requiredDuringSchedulingIgnoredDuringExecution");
    if (req && jv_size(req)) {
        size_t s2 = path_key(c, "requiredDuringSchedulingIgnoredDuringExecution");
        out->required = HS_ARENA_NEW_ARRAY(c->a, struct model_pod_affinity_term, jv_size(req));
        size_t i;
        const struct jv *e;
        jv_array_foreach(req, i, e)
        {
            size_t s3 = path_index(c, i);
            if (!jv_is_object(e))
                type_error(c, NULL, "object", e);
            else
                dec_aff_term(c, e, &out->required[out->n_required++]);
            path_pop(c, s3);
            if (c->rc)
                break;
        }
        path_pop(c, s2);
    }
    const struct jv *pref = get_arr(c, pa, "preferredDuringSchedulingIgnoredDuringExecution");
    if (pref && jv_size(pref) && !c->rc) {
        size_t s2 = path_key(c, "preferredDuringSchedulingIgnoredDuringExecution");
        out->preferred = HS_ARENA_NEW_ARRAY(c->a, struct model_pod_affinity_term, jv_size(pref));
        size_t i;
        const struct jv *e;
        jv_array_foreach(pref, i, e)
        {
            size_t s3 = path_index(c, i);
            if (!jv_is_object(e)) {
                type_error(c, NULL, "object", e);
            } else {
                int32_t w = get_i32(c, e, "weight");
                const struct jv *t = get_obj(c, e, "podAffinityTerm");
                struct model_pod_affinity_term *pt = &out->preferred[out->n_preferred];
                memset(pt, 0, sizeof(*pt));
                if (t) {
                    size_t s4 = path_key(c, "podAffinityTerm");
                    dec_aff_term(c, t, pt);
                    path_pop(c, s4);
                }
                pt->weight = w;
                out->n_preferred++;
            }
            path_pop(c, s3);
            if (c->rc)
                break;
        }
        path_pop(c, s2);
    }
    path_pop(c, saved);
    return out;
}

/* ---- resources ------------------------------------------------------------- */

static int cmp_scalar(const void *a, const void *b)
{
    return strcmp(((const struct model_scalar *)a)->name, ((const struct model_scalar *)b)->name);
}

/* Parses one quantity value (string, or a JSON number as the API accepts). */
static bool dec_quantity(struct dctx *c, const char *key, const struct jv *v,
                         struct model_quantity *q)
{
    char num[64];
    const char *s;
    size_t n;
    if (jv_is_string(v)) {
        s = jv_str(v);
        n = jv_len(v);
    } else if (jv_is_integer(v)) {
        snprintf(num, sizeof(num), "%lld", (long long)jv_int(v));
        s = num;
        n = strlen(num);
    } else if (jv_is_real(v)) {
        snprintf(num, sizeof(num), "%.17g", jv_real(v));
        s = num;
        n = strlen(num);
    } else {
        type_error(c, key, "quantity string", v);
        return false;
    }
    struct hs_err qerr = { 0 };
    if (model_quantity_parse(s, n, q, &qerr) != HS_OK) {
        if (!c->rc) {
            size_t saved = path_key(c, key);
            const char *why = strstr(qerr.msg, "': ");
            int shown = n > 128 ? 128 : (int)n;
            c->rc = hs_err_set(c->err, HS_EPARSE, "cannot parse quantity '%.*s' at %s: %s", shown,
                               s, c->path, why ? why + 3 : qerr.msg);
            path_pop(c, saved);
        }
        return false;
    }
    return true;
}

/* A ResourceList; scalars go to the scratch arena unless final. */
static void dec_resources(struct dctx *c, const struct jv *obj, const char *key,
                          struct model_resources *out, bool final)
{
    memset(out, 0, sizeof(*out));
    const struct jv *m = get_obj(c, obj, key);
    if (!m || jv_size(m) == 0)
        return;
    size_t saved = path_key(c, key);
    struct hs_arena *a = final ? c->a : &c->scratch;
    struct model_scalar *sc = HS_ARENA_NEW_ARRAY(a, struct model_scalar, jv_size(m));
    const char *k;
    const struct jv *v;
    jv_object_foreach(m, k, v)
    {
        struct model_quantity q;
        if (!dec_quantity(c, k, v, &q))
            break;
        if (strcmp(k, "cpu") == 0) {
            out->cpu_milli = q.milli;
        } else if (strcmp(k, "memory") == 0) {
            out->memory = q.value;
        } else if (strcmp(k, "ephemeral-storage") == 0) {
            out->ephemeral_storage = q.value;
        } else if (strcmp(k, "pods") == 0) {
            out->pods = q.value;
        } else {
            sc[out->n_scalar].name = final ? hs_intern_cstr(c->t, k) : tmp_intern(c, k, strlen(k));
            sc[out->n_scalar].value = q.value;
            out->n_scalar++;
        }
    }
    out->scalar = sc;
    qsort(sc, out->n_scalar, sizeof(*sc), cmp_scalar);
    path_pop(c, saved);
}

/* requests, with limits filling the resources requests do not name. */
static void dec_container_requests(struct dctx *c, const struct jv *res,
                                   struct model_resources *out)
{
    struct model_resources lim;
    size_t saved = path_key(c, "resources");
    dec_resources(c, res, "requests", out, false);
    const struct jv *req = field(res, "requests");
    const struct jv *limits = get_obj(c, res, "limits");
    if (limits && !c->rc) {
        dec_resources(c, res, "limits", &lim, false);
        if (!c->rc) {
            bool has = req && jv_is_object(req);
            if (!(has && jv_get(req, "cpu")))
                out->cpu_milli = lim.cpu_milli;
            if (!(has && jv_get(req, "memory")))
                out->memory = lim.memory;
            if (!(has && jv_get(req, "ephemeral-storage")))
                out->ephemeral_storage = lim.ephemeral_storage;
            struct model_resources extra = { 0 };
            extra.scalar = HS_ARENA_NEW_ARRAY(&c->scratch, struct model_scalar, lim.n_scalar + 1);
            for (uint32_t i = 0; i < lim.n_scalar; i++)
                if (!(has && jv_get(req, lim.scalar[i].name)))
                    extra.scalar[extra.n_scalar++] = lim.scalar[i];
            if (extra.n_scalar) {
                struct model_resources merged = *out;
                model_resources_add(&merged, &extra, &c->scratch);
                *out = merged;
            }
        }
    }
    path_pop(c, saved);
}

/* ---- pods ------------------------------------------------------------------ */

static enum model_effect parse_effect(const struct jv *s)
{
    if (!s)
        return MODEL_EFFECT_ALL;
    if (str_is(s, ""))
        return MODEL_EFFECT_ALL;
    if (str_is(s, "NoSchedule"))
        return MODEL_EFFECT_NO_SCHEDULE;
    if (str_is(s, "PreferNoSchedule"))
        return MODEL_EFFECT_PREFER_NO_SCHEDULE;
    if (str_is(s, "NoExecute"))
        return MODEL_EFFECT_NO_EXECUTE;
    return MODEL_EFFECT_OTHER;
}

static enum model_policy parse_policy(const struct jv *s)
{
    if (str_is(s, "Honor"))
        return MODEL_POLICY_HONOR;
    if (str_is(s, "Ignore"))
        return MODEL_POLICY_IGNORE;
    return MODEL_POLICY_DEFAULT;
}

struct cscratch {
    struct model_container_req *v;
    size_t n, cap;
};

static void dec_containers(struct dctx *c, const struct jv *spec, const char *key, bool init,
                           struct model_pod *p, struct cscratch *cs, size_t *n_ports)
{
    const struct jv *arr = get_arr(c, spec, key);
    if (!arr)
        return;
    size_t saved = path_key(c, key);
    size_t i;
    const struct jv *ct;
    jv_array_foreach(arr, i, ct)
    {
        size_t s2 = path_index(c, i);
        if (!jv_is_object(ct)) {
            type_error(c, NULL, "object", ct);
            path_pop(c, s2);
            break;
        }
        HS_GROW(cs->v, cs->cap, cs->n + 1);
        struct model_container_req *r = &cs->v[cs->n];
        memset(r, 0, sizeof(*r));
        r->init = init;
        const struct jv *rp = get_str(c, ct, "restartPolicy");
        r->restartable = init && str_is(rp, "Always");
        const struct jv *res = get_obj(c, ct, "resources");
        if (res)
            dec_container_requests(c, res, &r->req);
        cs->n++;
        /* host ports of containers and sidecars */
        const struct jv *ports = get_arr(c, ct, "ports");
        if (ports && (!init || r->restartable) && !c->rc) {
            size_t s3 = path_key(c, "ports");
            size_t j;
            const struct jv *pt;
            jv_array_foreach(ports, j, pt)
            {
                size_t s4 = path_index(c, j);
                if (!jv_is_object(pt)) {
                    type_error(c, NULL, "object", pt);
                } else {
                    int64_t hp = 0;
                    get_int(c, pt, "hostPort", INT32_MIN, INT32_MAX, &hp);
                    const struct jv *proto = get_str(c, pt, "protocol");
                    const struct jv *ip = get_str(c, pt, "hostIP");
                    if (hp > 0 && !c->rc) {
                        HS_GROW(p->host_ports, *n_ports, (size_t)p->n_host_ports + 1);
                        struct model_host_port *h = &p->host_ports[p->n_host_ports];
                        h->port = (int32_t)hp;
                        h->protocol = !proto || str_is(proto, "TCP") ? MODEL_PROTO_TCP
                                      : str_is(proto, "UDP")         ? MODEL_PROTO_UDP
                                      : str_is(proto, "SCTP")        ? MODEL_PROTO_SCTP
                                                                     : MODEL_PROTO_OTHER;
                        h->host_ip = ip && jv_len(ip) ? intern_json(c, ip) : NULL;
                        p->n_host_ports++;
                    }
                }
                path_pop(c, s4);
                if (c->rc)
                    break;
            }
            path_pop(c, s3);
        }
        path_pop(c, s2);
        if (c->rc)
            break;
    }
    path_pop(c, saved);
}

static void dec_volumes(struct dctx *c, const struct jv *spec, struct model_pod *p)
{
    const struct jv *arr = get_arr(c, spec, "volumes");
    if (!arr || jv_size(arr) == 0)
        return;
    size_t saved = path_key(c, "volumes");
    p->volumes = HS_ARENA_NEW_ARRAY(c->a, struct model_volume, jv_size(arr));
    size_t i;
    const struct jv *v;
    jv_array_foreach(arr, i, v)
    {
        size_t s2 = path_index(c, i);
        if (!jv_is_object(v)) {
            type_error(c, NULL, "object", v);
            path_pop(c, s2);
            break;
        }
        struct model_volume *mv = &p->volumes[p->n_volumes++];
        mv->name = get_astr(c, v, "name");
        const struct jv *x;
        if (field(v, "hostPath")) {
            mv->kind = MODEL_VOL_HOST_PATH;
        } else if ((x = get_obj(c, v, "emptyDir")) != NULL) {
            mv->kind = str_is(field(x, "medium"), "Memory") ? MODEL_VOL_EMPTY_DIR_MEMORY
                                                            : MODEL_VOL_EMPTY_DIR;
        } else if (field(v, "emptyDir")) {
            mv->kind = MODEL_VOL_EMPTY_DIR;
        } else if ((x = get_obj(c, v, "persistentVolumeClaim")) != NULL) {
            mv->kind = MODEL_VOL_PVC;
            size_t s3 = path_key(c, "persistentVolumeClaim");
            mv->claim_name = get_astr(c, x, "claimName");
            path_pop(c, s3);
        } else if (field(v, "ephemeral")) {
            mv->kind = MODEL_VOL_EPHEMERAL;
            if (c->pod_name && mv->name) {
                size_t l1 = strlen(c->pod_name), l2 = strlen(mv->name);
                char *s = hs_arena_alloc(c->a, l1 + l2 + 2, 1);
                memcpy(s, c->pod_name, l1);
                s[l1] = '-';
                memcpy(s + l1 + 1, mv->name, l2 + 1);
                mv->claim_name = s;
            }
        } else if (field(v, "configMap")) {
            mv->kind = MODEL_VOL_CONFIG_MAP;
        } else if (field(v, "secret")) {
            mv->kind = MODEL_VOL_SECRET;
        } else if (field(v, "projected")) {
            mv->kind = MODEL_VOL_PROJECTED;
        } else if (field(v, "downwardAPI")) {
            mv->kind = MODEL_VOL_DOWNWARD_API;
        }
        path_pop(c, s2);
        if (c->rc)
            break;
    }
    path_pop(c, saved);
}

static void dec_owners(struct dctx *c, const struct jv *meta, uint32_t *n,
                       struct model_owner_ref **out)
{
    const struct jv *arr = get_arr(c, meta, "ownerReferences");
    *n = 0;
    if (!arr || jv_size(arr) == 0)
        return;
    size_t saved = path_key(c, "ownerReferences");
    *out = HS_ARENA_NEW_ARRAY(c->a, struct model_owner_ref, jv_size(arr));
    size_t i;
    const struct jv *o;
    jv_array_foreach(arr, i, o)
    {
        size_t s2 = path_index(c, i);
        if (!jv_is_object(o)) {
            type_error(c, NULL, "object", o);
        } else {
            struct model_owner_ref *r = &(*out)[*n];
            r->name = get_astr(c, o, "name");
            r->uid = get_astr(c, o, "uid");
            r->controller = get_bool(c, o, "controller");
            r->kind = get_istr(c, o, "kind");
            (*n)++;
        }
        path_pop(c, s2);
        if (c->rc)
            break;
    }
    path_pop(c, saved);
}

/* metadata and spec of a pod (or a pod template); status when given. */
static void dec_pod_body(struct dctx *c, const struct jv *meta, const struct jv *spec,
                         const struct jv *status, struct model_pod *p)
{
    struct cscratch cs = { 0 };
    size_t n_ports = 0;
    if (meta) {
        size_t saved = path_key(c, "metadata");
        if (!p->ns)
            p->ns = get_istr(c, meta, "namespace");
        p->name = get_astr(c, meta, "name");
        p->uid = get_astr(c, meta, "uid");
        dec_labels(c, meta, "labels", &p->labels);
        dec_labels(c, meta, "annotations", &p->annotations);
        dec_owners(c, meta, &p->n_owners, &p->owners);
        p->creation_ts = get_time(c, meta, "creationTimestamp");
        p->deletion_ts = get_time(c, meta, "deletionTimestamp");
        path_pop(c, saved);
    }
    if (!p->ns)
        p->ns = hs_intern(c->t, "default", 7);
    c->pod_name = p->name;
    if (spec && !c->rc) {
        size_t saved = path_key(c, "spec");
        p->node_name = get_istr(c, spec, "nodeName");
        p->scheduler_name = get_istr(c, spec, "schedulerName");
        p->has_grace =
            get_int(c, spec, "terminationGracePeriodSeconds", 0, INT64_MAX / 2, &p->grace_seconds);
        int64_t prio;
        if (get_int(c, spec, "priority", INT32_MIN, INT32_MAX, &prio)) {
            p->has_priority = true;
            p->priority = (int32_t)prio;
        }
        const struct jv *gates = get_arr(c, spec, "schedulingGates");
        p->scheduling_gated = gates && jv_size(gates) > 0;
        p->host_network = get_bool(c, spec, "hostNetwork");
        dec_labels(c, spec, "nodeSelector", &p->node_selector);
        const struct jv *aff = get_obj(c, spec, "affinity");
        if (aff && !c->rc) {
            size_t s2 = path_key(c, "affinity");
            dec_node_affinity(c, aff, p);
            if (!c->rc)
                p->affinity = dec_pod_affinity(c, aff, "podAffinity");
            if (!c->rc)
                p->anti_affinity = dec_pod_affinity(c, aff, "podAntiAffinity");
            path_pop(c, s2);
        }
        const struct jv *tols = get_arr(c, spec, "tolerations");
        if (tols && jv_size(tols) && !c->rc) {
            size_t s2 = path_key(c, "tolerations");
            p->tolerations = HS_ARENA_NEW_ARRAY(c->a, struct model_toleration, jv_size(tols));
            size_t i;
            const struct jv *t;
            jv_array_foreach(tols, i, t)
            {
                size_t s3 = path_index(c, i);
                if (!jv_is_object(t)) {
                    type_error(c, NULL, "object", t);
                } else {
                    struct model_toleration *mt = &p->tolerations[p->n_tolerations];
                    mt->exists = str_is(field(t, "operator"), "Exists");
                    const struct jv *eff = get_str(c, t, "effect");
                    mt->effect = parse_effect(eff);
                    mt->has_seconds =
                        get_int(c, t, "tolerationSeconds", INT64_MIN, INT64_MAX, &mt->seconds);
                    mt->key = get_istr(c, t, "key");
                    mt->value = get_istr(c, t, "value");
                    p->n_tolerations++;
                }
                path_pop(c, s3);
                if (c->rc)
                    break;
            }
            path_pop(c, s2);
        }
        const struct jv *tsc = get_arr(c, spec, "topologySpreadConstraints");
        if (tsc && jv_size(tsc) && !c->rc) {
            size_t s2 = path_key(c, "topologySpreadConstraints");
            p->spreads = HS_ARENA_NEW_ARRAY(c->a, struct model_spread, jv_size(tsc));
            size_t i;
            const struct jv *t;
            jv_array_foreach(tsc, i, t)
            {
                size_t s3 = path_index(c, i);
                if (!jv_is_object(t)) {
                    type_error(c, NULL, "object", t);
                } else {
                    struct model_spread *sp = &p->spreads[p->n_spreads];
                    sp->max_skew = get_i32(c, t, "maxSkew");
                    sp->do_not_schedule = str_is(field(t, "whenUnsatisfiable"), "DoNotSchedule");
                    sp->min_domains = get_i32(c, t, "minDomains");
                    sp->node_affinity_policy = parse_policy(field(t, "nodeAffinityPolicy"));
                    sp->node_taints_policy = parse_policy(field(t, "nodeTaintsPolicy"));
                    sp->topology_key = get_istr(c, t, "topologyKey");
                    p->n_spreads++;
                    dec_selector(c, t, "labelSelector", &sp->selector);
                    sp->match_label_keys =
                        dec_str_array(c, t, "matchLabelKeys", &sp->n_match_label_keys);
                }
                path_pop(c, s3);
                if (c->rc)
                    break;
            }
            path_pop(c, s2);
        }
        if (!c->rc)
            dec_containers(c, spec, "initContainers", true, p, &cs, &n_ports);
        if (!c->rc)
            dec_containers(c, spec, "containers", false, p, &cs, &n_ports);
        if (p->n_host_ports) { /* move the heap array into the arena */
            struct model_host_port *hp =
                HS_ARENA_NEW_ARRAY(c->a, struct model_host_port, p->n_host_ports);
            memcpy(hp, p->host_ports, p->n_host_ports * sizeof(*hp));
            hs_free(p->host_ports);
            p->host_ports = hp;
        } else {
            hs_free(p->host_ports);
            p->host_ports = NULL;
        }
        if (!c->rc)
            dec_volumes(c, spec, p);
        struct model_resources overhead = { 0 };
        struct model_pod_level_req pl = { 0 };
        struct model_resources plr = { 0 };
        if (!c->rc)
            dec_resources(c, spec, "overhead", &overhead, false);
        const struct jv *pres = get_obj(c, spec, "resources");
        if (pres && !c->rc) {
            size_t s2 = path_key(c, "resources");
            dec_resources(c, pres, "requests", &plr, false);
            const struct jv *rq = field(pres, "requests");
            if (rq && jv_is_object(rq)) {
                pl.has_cpu = jv_get(rq, "cpu") != NULL;
                pl.has_memory = jv_get(rq, "memory") != NULL;
                pl.cpu_milli = plr.cpu_milli;
                pl.memory = plr.memory;
                pl.hugepages =
                    HS_ARENA_NEW_ARRAY(&c->scratch, struct model_scalar, plr.n_scalar + 1);
                for (uint32_t i = 0; i < plr.n_scalar; i++)
                    if (strncmp(plr.scalar[i].name, "hugepages-", 10) == 0)
                        pl.hugepages[pl.n_hugepages++] = plr.scalar[i];
            }
            path_pop(c, s2);
        }
        if (!c->rc) {
            struct model_resources r;
            model_pod_requests(cs.v, cs.n, &pl, &overhead, &c->scratch, &r);
            p->requests = r;
            p->requests.pods = 1;
            if (r.n_scalar) {
                p->requests.scalar = HS_ARENA_NEW_ARRAY(c->a, struct model_scalar, r.n_scalar);
                for (uint32_t i = 0; i < r.n_scalar; i++) {
                    p->requests.scalar[i] = r.scalar[i];
                    hs_intern_ref(r.scalar[i].name);
                }
            }
        }
        path_pop(c, saved);
    }
    hs_free(cs.v);
    if (status && !c->rc) {
        size_t saved = path_key(c, "status");
        const struct jv *ph = get_str(c, status, "phase");
        p->phase = str_is(ph, "Pending")     ? MODEL_PHASE_PENDING
                   : str_is(ph, "Running")   ? MODEL_PHASE_RUNNING
                   : str_is(ph, "Succeeded") ? MODEL_PHASE_SUCCEEDED
                   : str_is(ph, "Failed")    ? MODEL_PHASE_FAILED
                                             : MODEL_PHASE_UNKNOWN;
        const struct jv *nom = get_str(c, status, "nominatedNodeName");
        if (nom && jv_len(nom))
            p->nominated_node = intern_json(c, nom);
        const struct jv *conds = get_arr(c, status, "conditions");
        size_t i;
        const struct jv *cd;
        if (conds) {
            size_t s2 = path_key(c, "conditions");
            jv_array_foreach(conds, i, cd)
            {
                size_t s3 = path_index(c, i);
                if (!jv_is_object(cd))
                    type_error(c, NULL, "object", cd);
                else if (str_is(field(cd, "type"), "PodScheduled") && !p->scheduled) {
                    const struct jv *st = get_str(c, cd, "status");
                    p->scheduled = str_is(st, "True")    ? MODEL_COND_TRUE
                                   : str_is(st, "False") ? MODEL_COND_FALSE
                                                         : MODEL_COND_UNKNOWN;
                    p->scheduled_reason = get_istr(c, cd, "reason");
                }
                path_pop(c, s3);
                if (c->rc)
                    break;
            }
            path_pop(c, s2);
        }
        path_pop(c, saved);
    }
}

/* ---- other kinds ------------------------------------------------------------ */

static void dec_node(struct dctx *c, const struct jv *o, struct model_node *n)
{
    const struct jv *meta = get_obj(c, o, "metadata");
    const struct jv *spec = get_obj(c, o, "spec");
    const struct jv *status = get_obj(c, o, "status");
    if (meta && !c->rc) {
        size_t saved = path_key(c, "metadata");
        n->name = get_istr(c, meta, "name");
        n->uid = get_astr(c, meta, "uid");
        dec_labels(c, meta, "labels", &n->labels);
        dec_labels(c, meta, "annotations", &n->annotations);
        n->creation_ts = get_time(c, meta, "creationTimestamp");
        n->deletion_ts = get_time(c, meta, "deletionTimestamp");
        path_pop(c, saved);
    }
    if (spec && !c->rc) {
        size_t saved = path_key(c, "spec");
        n->provider_id = get_astr(c, spec, "providerID");
        n->unschedulable = get_bool(c, spec, "unschedulable");
        const struct jv *taints = get_arr(c, spec, "taints");
        if (taints && jv_size(taints) && !c->rc) {
            size_t s2 = path_key(c, "taints");
            n->taints = HS_ARENA_NEW_ARRAY(c->a, struct model_taint, jv_size(taints));
            size_t i;
            const struct jv *t;
            jv_array_foreach(taints, i, t)
            {
                size_t s3 = path_index(c, i);
                if (!jv_is_object(t)) {
                    type_error(c, NULL, "object", t);
                } else {
                    struct model_taint *mt = &n->taints[n->n_taints];
                    const struct jv *eff = get_str(c, t, "effect");
                    mt->effect = parse_effect(eff);
                    if (mt->effect == MODEL_EFFECT_ALL)
                        mt->effect = MODEL_EFFECT_OTHER;
                    const struct jv *k = get_str(c, t, "key");
                    mt->key = k ? intern_json(c, k) : hs_intern(c->t, "", 0);
                    mt->value = get_istr(c, t, "value");
                    n->n_taints++;
                }
                path_pop(c, s3);
                if (c->rc)
                    break;
            }
            path_pop(c, s2);
        }
        path_pop(c, saved);
    }
    if (status && !c->rc) {
        size_t saved = path_key(c, "status");
        dec_resources(c, status, "allocatable", &n->allocatable, true);
        if (!c->rc)
            dec_resources(c, status, "capacity", &n->capacity, true);
        const struct jv *conds = get_arr(c, status, "conditions");
        if (conds && !c->rc) {
            size_t s2 = path_key(c, "conditions");
            size_t i;
            const struct jv *cd;
            jv_array_foreach(conds, i, cd)
            {
                size_t s3 = path_index(c, i);
                if (!jv_is_object(cd)) {
                    type_error(c, NULL, "object", cd);
                } else if (str_is(field(cd, "type"), "Ready") && !n->ready) {
                    const struct jv *st = get_str(c, cd, "status");
                    n->ready = str_is(st, "True")    ? MODEL_COND_TRUE
                               : str_is(st, "False") ? MODEL_COND_FALSE
                                                     : MODEL_COND_UNKNOWN;
                    n->ready_transition = get_time(c, cd, "lastTransitionTime");
                }
                path_pop(c, s3);
                if (c->rc)
                    break;
            }
            path_pop(c, s2);
        }
        path_pop(c, saved);
    }
}

static void dec_int_or_percent(struct dctx *c, const struct jv *o, const char *key,
                               struct model_int_or_percent *out)
{
    const struct jv *v = field(o, key);
    memset(out, 0, sizeof(*out));
    if (!v)
        return;
    out->set = true;
    if (jv_is_integer(v)) {
        int64_t x = 0;
        get_int(c, o, key, INT32_MIN, INT32_MAX, &x);
        out->value = (int32_t)x;
    } else if (jv_is_string(v)) {
        const char *s = jv_str(v);
        char *end;
        long x = strtol(s, &end, 10);
        if (end != s && end[0] == '%' && end[1] == '\0' && x >= 0 && x <= INT32_MAX) {
            out->percent = true;
            out->value = (int32_t)x;
        } else {
            out->invalid = true;
        }
    } else {
        type_error(c, key, "integer or string", v);
    }
}

static void dec_pdb(struct dctx *c, const struct jv *o, struct model_pdb *p)
{
    const struct jv *meta = get_obj(c, o, "metadata");
    const struct jv *spec = get_obj(c, o, "spec");
    const struct jv *status = get_obj(c, o, "status");
    if (meta && !c->rc) {
        size_t saved = path_key(c, "metadata");
        p->ns = get_istr(c, meta, "namespace");
        p->name = get_astr(c, meta, "name");
        p->uid = get_astr(c, meta, "uid");
        path_pop(c, saved);
    }
    if (!p->ns)
        p->ns = hs_intern(c->t, "default", 7);
    if (spec && !c->rc) {
        size_t saved = path_key(c, "spec");
        dec_selector(c, spec, "selector", &p->selector);
        dec_int_or_percent(c, spec, "minAvailable", &p->min_available);
        dec_int_or_percent(c, spec, "maxUnavailable", &p->max_unavailable);
        path_pop(c, saved);
    }
    if (status && !c->rc) {
        size_t saved = path_key(c, "status");
        p->disruptions_allowed = get_i32(c, status, "disruptionsAllowed");
        p->current_healthy = get_i32(c, status, "currentHealthy");
        p->desired_healthy = get_i32(c, status, "desiredHealthy");
        p->expected_pods = get_i32(c, status, "expectedPods");
        path_pop(c, saved);
    }
}

static void dec_daemonset(struct dctx *c, const struct jv *o, struct model_daemonset *d)
{
    const struct jv *meta = get_obj(c, o, "metadata");
    const struct jv *spec = get_obj(c, o, "spec");
    if (meta && !c->rc) {
        size_t saved = path_key(c, "metadata");
        d->ns = get_istr(c, meta, "namespace");
        d->name = get_astr(c, meta, "name");
        d->uid = get_astr(c, meta, "uid");
        dec_labels(c, meta, "labels", &d->labels);
        path_pop(c, saved);
    }
    if (!d->ns)
        d->ns = hs_intern(c->t, "default", 7);
    if (spec && !c->rc) {
        size_t saved = path_key(c, "spec");
        dec_selector(c, spec, "selector", &d->selector);
        const struct jv *tmpl = get_obj(c, spec, "template");
        if (tmpl && !c->rc) {
            size_t s2 = path_key(c, "template");
            d->template.ns = hs_intern_ref(d->ns);
            dec_pod_body(c, get_obj(c, tmpl, "metadata"), get_obj(c, tmpl, "spec"), NULL,
                         &d->template);
            if (!d->template.name)
                d->template.name = "";
            path_pop(c, s2);
        }
        path_pop(c, saved);
    }
    if (!d->template.ns)
        d->template.ns = hs_intern_ref(d->ns);
}

static void dec_pvc(struct dctx *c, const struct jv *o, struct model_pvc *p)
{
    const struct jv *meta = get_obj(c, o, "metadata");
    const struct jv *spec = get_obj(c, o, "spec");
    const struct jv *status = get_obj(c, o, "status");
    if (meta && !c->rc) {
        size_t saved = path_key(c, "metadata");
        p->ns = get_istr(c, meta, "namespace");
        p->name = get_astr(c, meta, "name");
        path_pop(c, saved);
    }
    if (!p->ns)
        p->ns = hs_intern(c->t, "default", 7);
    if (spec && !c->rc) {
        size_t saved = path_key(c, "spec");
        const struct jv *vn = get_str(c, spec, "volumeName");
        p->volume_name = vn && jv_len(vn) ? intern_json(c, vn) : NULL;
        p->storage_class = get_istr(c, spec, "storageClassName");
        path_pop(c, saved);
    }
    if (status && !c->rc) {
        const struct jv *ph = field(status, "phase");
        p->phase = str_is(ph, "Bound")  ? MODEL_PVC_BOUND
                   : str_is(ph, "Lost") ? MODEL_PVC_LOST
                                        : MODEL_PVC_PENDING;
    }
}

static void dec_pv(struct dctx *c, const struct jv *o, struct model_pv *p)
{
    const struct jv *meta = get_obj(c, o, "metadata");
    const struct jv *spec = get_obj(c, o, "spec");
    if (meta && !c->rc) {
        size_t saved = path_key(c, "metadata");
        p->name = get_istr(c, meta, "name");
        dec_labels(c, meta, "labels", &p->labels);
        path_pop(c, saved);
    }
    if (spec && !c->rc) {
        size_t saved = path_key(c, "spec");
        const struct jv *na = get_obj(c, spec, "nodeAffinity");
        if (na) {
            size_t s2 = path_key(c, "nodeAffinity");
            dec_node_selector(c, na, "required", &p->node_affinity);
            path_pop(c, s2);
        }
        const struct jv *cr = get_obj(c, spec, "claimRef");
        if (cr && !c->rc) {
            size_t s2 = path_key(c, "claimRef");
            p->claim_ns = get_istr(c, cr, "namespace");
            p->claim_name = get_astr(c, cr, "name");
            path_pop(c, s2);
        }
        p->storage_class = get_istr(c, spec, "storageClassName");
        path_pop(c, saved);
    }
}

/* ---- storage classes, namespaces, workload controllers --------------------- */

static void dec_storage_class(struct dctx *c, const struct jv *o, struct model_storage_class *s)
{
    const struct jv *meta = get_obj(c, o, "metadata");
    if (meta && !c->rc) {
        size_t saved = path_key(c, "metadata");
        s->name = get_istr(c, meta, "name");
        path_pop(c, saved);
    }
    if (c->rc)
        return;
    s->provisioner = get_astr(c, o, "provisioner");
    const struct jv *mode = get_str(c, o, "volumeBindingMode");
    s->binding_mode = !mode || str_is(mode, "Immediate")     ? MODEL_BINDING_IMMEDIATE
                      : str_is(mode, "WaitForFirstConsumer") ? MODEL_BINDING_WAIT_FOR_FIRST_CONSUMER
                                                             : MODEL_BINDING_OTHER;
}

static void dec_namespace(struct dctx *c, const struct jv *o, struct model_namespace *n)
{
    const struct jv *meta = get_obj(c, o, "metadata");
    if (meta && !c->rc) {
        size_t saved = path_key(c, "metadata");
        n->name = get_istr(c, meta, "name");
        dec_labels(c, meta, "labels", &n->labels);
        path_pop(c, saved);
    }
}

/* namespace (defaulted), name, uid and owner references of a namespaced
 * controller. */
static void dec_controller_meta(struct dctx *c, const struct jv *o, const char **ns,
                                const char **name, const char **uid, uint32_t *n_owners,
                                struct model_owner_ref **owners)
{
    const struct jv *meta = get_obj(c, o, "metadata");
    if (meta && !c->rc) {
        size_t saved = path_key(c, "metadata");
        *ns = get_istr(c, meta, "namespace");
        *name = get_astr(c, meta, "name");
        *uid = get_astr(c, meta, "uid");
        dec_owners(c, meta, n_owners, owners);
        path_pop(c, saved);
    }
    if (!*ns)
        *ns = hs_intern(c->t, "default", 7);
}

/* An optional int32 field: *has tells whether it was given. */
static int32_t get_opt_i32(struct dctx *c, const struct jv *obj, const char *key, bool *has)
{
    int64_t v = 0;
    *has = get_int(c, obj, key, INT32_MIN, INT32_MAX, &v);
    return (int32_t)v;
}

static void dec_workload(struct dctx *c, const struct jv *o, struct model_workload *w)
{
    dec_controller_meta(c, o, &w->ns, &w->name, &w->uid, &w->n_owners, &w->owners);
    const struct jv *spec = get_obj(c, o, "spec");
    const struct jv *status = get_obj(c, o, "status");
    if (spec && !c->rc) {
        size_t saved = path_key(c, "spec");
        w->replicas = get_opt_i32(c, spec, "replicas", &w->has_replicas);
        path_pop(c, saved);
    }
    if (status && !c->rc) {
        size_t saved = path_key(c, "status");
        w->status_replicas = get_i32(c, status, "replicas");
        w->ready_replicas = get_i32(c, status, "readyReplicas");
        path_pop(c, saved);
    }
}

static void dec_job(struct dctx *c, const struct jv *o, struct model_job *j)
{
    dec_controller_meta(c, o, &j->ns, &j->name, &j->uid, &j->n_owners, &j->owners);
    const struct jv *spec = get_obj(c, o, "spec");
    if (spec && !c->rc) {
        size_t saved = path_key(c, "spec");
        j->parallelism = get_opt_i32(c, spec, "parallelism", &j->has_parallelism);
        j->completions = get_opt_i32(c, spec, "completions", &j->has_completions);
        path_pop(c, saved);
    }
}

/* ---- objects ---------------------------------------------------------------- */

static enum kube_kind kind_of(const char *k, size_t n)
{
    static const struct {
        const char *name;
        enum kube_kind kind;
    } kinds[] = {
        { "Node", KUBE_KIND_NODE },
        { "Pod", KUBE_KIND_POD },
        { "PodDisruptionBudget", KUBE_KIND_PDB },
        { "DaemonSet", KUBE_KIND_DAEMONSET },
        { "PersistentVolumeClaim", KUBE_KIND_PVC },
        { "PersistentVolume", KUBE_KIND_PV },
        { "StorageClass", KUBE_KIND_STORAGE_CLASS },
        { "Namespace", KUBE_KIND_NAMESPACE },
        { "ReplicaSet", KUBE_KIND_REPLICA_SET },
        { "StatefulSet", KUBE_KIND_STATEFUL_SET },
        { "ReplicationController", KUBE_KIND_REPLICATION_CONTROLLER },
        { "Deployment", KUBE_KIND_DEPLOYMENT },
        { "Job", KUBE_KIND_JOB },
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strlen(kinds[i].name) == n && memcmp(kinds[i].name, k, n) == 0)
            return kinds[i].kind;
    return KUBE_KIND_OTHER;
}

void kube_object_unref_strings(struct kube_object *o, struct hs_intern *t)
{
    switch (o->kind) {
    case KUBE_KIND_NODE:
        model_node_unref_strings(o->u.node, t);
        break;
    case KUBE_KIND_POD:
        model_pod_unref_strings(o->u.pod, t);
        break;
    case KUBE_KIND_PDB:
        model_pdb_unref_strings(o->u.pdb, t);
        break;
    case KUBE_KIND_DAEMONSET:
        model_daemonset_unref_strings(o->u.daemonset, t);
        break;
    case KUBE_KIND_PVC:
        model_pvc_unref_strings(o->u.pvc, t);
        break;
    case KUBE_KIND_PV:
        model_pv_unref_strings(o->u.pv, t);
        break;
    case KUBE_KIND_STORAGE_CLASS:
        model_storage_class_unref_strings(o->u.storage_class, t);
        break;
    case KUBE_KIND_NAMESPACE:
        model_namespace_unref_strings(o->u.ns, t);
        break;
    case KUBE_KIND_REPLICA_SET:
    case KUBE_KIND_STATEFUL_SET:
    case KUBE_KIND_REPLICATION_CONTROLLER:
    case KUBE_KIND_DEPLOYMENT:
        model_workload_unref_strings(o->u.workload, t);
        break;
    case KUBE_KIND_JOB:
        model_job_unref_strings(o->u.job, t);
        break;
    case KUBE_KIND_OTHER:
        break;
    }
}

static struct model_workload *new_workload(struct dctx *c, enum model_workload_kind k)
{
    struct model_workload *w = HS_ARENA_NEW(c->a, struct model_workload);
    w->kind = k;
    return w;
}

/* Decodes the parsed object j; the path prefix is already in c. */
static void dec_object(struct dctx *c, const struct jv *j, const char *kind_hint,
                       struct kube_object *out)
{
    out->kind = KUBE_KIND_OTHER;
    if (!jv_is_object(j)) {
        type_error(c, NULL, "object", j);
        return;
    }
    const struct jv *k = get_str(c, j, "kind");
    if (c->rc)
        return;
    const char *ks = k ? jv_str(k) : kind_hint;
    enum kube_kind kind = ks ? kind_of(ks, strlen(ks)) : KUBE_KIND_OTHER;
    out->kind = kind;
    switch (kind) {
    case KUBE_KIND_NODE:
        out->u.node = HS_ARENA_NEW(c->a, struct model_node);
        dec_node(c, j, out->u.node);
        break;
    case KUBE_KIND_POD: {
        out->u.pod = HS_ARENA_NEW(c->a, struct model_pod);
        const struct jv *meta = get_obj(c, j, "metadata");
        const struct jv *spec = get_obj(c, j, "spec");
        const struct jv *status = get_obj(c, j, "status");
        if (!c->rc)
            dec_pod_body(c, meta, spec, status, out->u.pod);
        break;
    }
    case KUBE_KIND_PDB:
        out->u.pdb = HS_ARENA_NEW(c->a, struct model_pdb);
        dec_pdb(c, j, out->u.pdb);
        break;
    case KUBE_KIND_DAEMONSET:
        out->u.daemonset = HS_ARENA_NEW(c->a, struct model_daemonset);
        dec_daemonset(c, j, out->u.daemonset);
        break;
    case KUBE_KIND_PVC:
        out->u.pvc = HS_ARENA_NEW(c->a, struct model_pvc);
        dec_pvc(c, j, out->u.pvc);
        break;
    case KUBE_KIND_PV:
        out->u.pv = HS_ARENA_NEW(c->a, struct model_pv);
        dec_pv(c, j, out->u.pv);
        break;
    case KUBE_KIND_STORAGE_CLASS:
        out->u.storage_class = HS_ARENA_NEW(c->a, struct model_storage_class);
        dec_storage_class(c, j, out->u.storage_class);
        break;
    case KUBE_KIND_NAMESPACE:
        out->u.ns = HS_ARENA_NEW(c->a, struct model_namespace);
        dec_namespace(c, j, out->u.ns);
        break;
    case KUBE_KIND_REPLICA_SET:
        out->u.workload = new_workload(c, MODEL_WORKLOAD_REPLICA_SET);
        dec_workload(c, j, out->u.workload);
        break;
    case KUBE_KIND_STATEFUL_SET:
        out->u.workload = new_workload(c, MODEL_WORKLOAD_STATEFUL_SET);
        dec_workload(c, j, out->u.workload);
        break;
    case KUBE_KIND_REPLICATION_CONTROLLER:
        out->u.workload = new_workload(c, MODEL_WORKLOAD_REPLICATION_CONTROLLER);
        dec_workload(c, j, out->u.workload);
        break;
    case KUBE_KIND_DEPLOYMENT:
        out->u.workload = new_workload(c, MODEL_WORKLOAD_DEPLOYMENT);
        dec_workload(c, j, out->u.workload);
        break;
    case KUBE_KIND_JOB:
        out->u.job = HS_ARENA_NEW(c->a, struct model_job);
        dec_job(c, j, out->u.job);
        break;
    case KUBE_KIND_OTHER:
        break;
    }
    if (c->rc) {
        kube_object_unref_strings(out, c->t);
        out->kind = KUBE_KIND_OTHER;
    }
}

static void cluster_add(struct model_cluster *cl, struct kube_object *o)
{
    switch (o->kind) {
    case KUBE_KIND_NODE:
        model_cluster_add_node(cl, o->u.node);
        break;
    case KUBE_KIND_POD:
        model_cluster_add_pod(cl, o->u.pod);
        break;
    case KUBE_KIND_PDB:
        model_cluster_add_pdb(cl, o->u.pdb);
        break;
    case KUBE_KIND_DAEMONSET:
        model_cluster_add_daemonset(cl, o->u.daemonset);
        break;
    case KUBE_KIND_PVC:
        model_cluster_add_pvc(cl, o->u.pvc);
        break;
    case KUBE_KIND_PV:
        model_cluster_add_pv(cl, o->u.pv);
        break;
    case KUBE_KIND_STORAGE_CLASS:
        model_cluster_add_storage_class(cl, o->u.storage_class);
        break;
    case KUBE_KIND_NAMESPACE:
        model_cluster_add_namespace(cl, o->u.ns);
        break;
    case KUBE_KIND_REPLICA_SET:
    case KUBE_KIND_STATEFUL_SET:
    case KUBE_KIND_REPLICATION_CONTROLLER:
    case KUBE_KIND_DEPLOYMENT:
        model_cluster_add_workload(cl, o->u.workload);
        break;
    case KUBE_KIND_JOB:
        model_cluster_add_job(cl, o->u.job);
        break;
    case KUBE_KIND_OTHER:
        break;
    }
}

/* ---- entry points ---------------------------------------------------------- */

static void ctx_init(struct dctx *c, struct hs_intern *t, struct hs_arena *a, struct hs_err *err)
{
    memset(c, 0, sizeof(*c));
    c->t = t;
    c->a = a;
    c->err = err;
    hs_arena_init(&c->scratch, 16 * 1024);
    hs_arena_init(&c->tree, 256 * 1024);
}

static void ctx_release(struct dctx *c)
{
    hs_arena_release(&c->scratch);
    hs_arena_release(&c->tree);
    hs_free(c->tmp);
    c->tmp = NULL;
}

/* Decodes the parsed value j, then drops what only this object needed. */
static void decode_value(struct dctx *c, const struct jv *j, const char *kind_hint,
                         struct kube_object *out)
{
    dec_object(c, j, kind_hint, out);
    tmp_release(c);
    hs_arena_clear(&c->scratch);
}

/* The parser's error, worded as jansson's were (with the JSON path, if any). */
static void json_error(struct dctx *c, const struct jp *jp)
{
    c->rc = hs_err_set(c->err, HS_EPARSE, "invalid JSON%s%s: %s (byte %zu of the input)",
                       c->plen ? " at " : "", c->path, jp->msg, jp->pos);
}

enum hs_code kube_decode_object(const char *buf, size_t len, const char *kind_hint,
                                struct hs_intern *t, struct hs_arena *a, struct kube_object *out,
                                struct hs_err *err)
{
    struct dctx c;
    struct jp jp;
    struct jv j;
    ctx_init(&c, t, a, err);
    jp_init(&jp, buf, len, &c.tree);
    out->kind = KUBE_KIND_OTHER;
    if (!jp_document(&jp, &j))
        json_error(&c, &jp);
    else
        decode_value(&c, &j, kind_hint, out);
    jp_release(&jp);
    ctx_release(&c);
    return c.rc;
}

/* Releases the pages of a read-only file mapping behind the parser, so a
 * big file costs resident memory for a few megabytes of it, not all of it.
 * Only ever on kube_decode_file's own mapping: on a caller's anonymous
 * memory MADV_DONTNEED would zero it. */
struct dropper {
    const char *map; /* page-aligned start, NULL when off */
    size_t done;     /* bytes from map already released */
    size_t page;
};

#define DROP_STEP (4u << 20) /* release in 4 MiB steps: few system calls */

static void drop_behind(struct dropper *d, const char *upto)
{
    if (!d->map)
        return;
    size_t off = (size_t)(upto - d->map) & ~(d->page - 1);
    if (off >= d->done + DROP_STEP) {
        (void)madvise((void *)(uintptr_t)(d->map + d->done), off - d->done, MADV_DONTNEED);
        d->done = off;
    }
}

/* The state of one List document while its items stream by. */
struct list_state {
    bool kind_seen;       /* the top-level "kind" has been read */
    char hint[128];       /* kind of the items of a typed list ("Pod"), or "" */
    size_t n_items;       /* items seen so far (for paths) */
    bool deferring;       /* decoding waits for a "kind" that comes after items */
    size_t *deferred;     /* new: byte offsets of the waiting items */
    size_t *deferred_idx; /* new: their indexes */
    size_t n_deferred, cap_deferred, cap_deferred_idx;
    struct dropper drop;
};

/* Items of a typed list ("PodList") may omit their kind: the list's names it. */
static void set_hint(struct list_state *st, const char *kind, size_t n)
{
    st->kind_seen = true;
    st->hint[0] = '\0';
    if (kind && n > 4 && n < sizeof(st->hint) && memcmp(kind + n - 4, "List", 4) == 0) {
        memcpy(st->hint, kind, n - 4);
        st->hint[n - 4] = '\0';
    }
}

static void item_path(struct dctx *c, size_t i)
{
    c->plen = 0;
    c->path[0] = '\0';
    path_key(c, "items");
    path_index(c, i);
}

/* Parses the item whose first token is t into c->tree; false (error set)
 * when it is not valid JSON. */
static bool parse_item(struct dctx *c, struct jp *jp, struct tok *t, size_t idx, struct jv *out)
{
    struct hs_arena *saved_a = jp->a;
    unsigned saved_depth = jp->depth;
    jp->a = &c->tree;
    jp->depth = 0; /* each item counts its nesting from itself, as jansson did */
    bool ok = jp_value(jp, t, out);
    jp->a = saved_a;
    jp->depth = saved_depth;
    if (!ok) {
        item_path(c, idx);
        if (jp->pos >= (size_t)(jp->end - jp->buf))
            c->rc = hs_err_set(c->err, HS_EPARSE, "truncated JSON at items[%zu]", idx);
        else
            json_error(c, jp);
    }
    return ok;
}

static bool decode_item(struct dctx *c, struct model_cluster *cl, const struct jv *v, size_t idx,
                        const char *hint)
{
    struct kube_object o;
    item_path(c, idx);
    decode_value(c, v, hint[0] ? hint : NULL, &o);
    if (c->rc)
        return false;
    cluster_add(cl, &o);
    return true;
}

/* The elements of a top-level "items" array; jp is just after its '['. */
static bool decode_items(struct dctx *c, struct model_cluster *cl, struct jp *jp,
                         struct list_state *st)
{
    struct tok t;
    lex(jp, &t);
    if (t.k == TK_RBRACK)
        return true;
    for (;;) {
        size_t idx = st->n_items++;
        size_t off = (size_t)(t.s - jp->buf);
        struct jv v;
        if (!parse_item(c, jp, &t, idx, &v))
            return false;
        /* an item without a kind waits for a list kind that comes later
         * (kubectl prints "kind" after "items"); later items wait too, so
         * objects keep the file's order */
        if (!st->deferring && !st->kind_seen && jv_is_object(&v) && !field(&v, "kind"))
            st->deferring = true;
        if (st->deferring) {
            HS_GROW(st->deferred, st->cap_deferred, st->n_deferred + 1);
            HS_GROW(st->deferred_idx, st->cap_deferred_idx, st->n_deferred + 1);
            st->deferred[st->n_deferred] = off;
            st->deferred_idx[st->n_deferred++] = idx;
        } else if (!decode_item(c, cl, &v, idx, st->hint)) {
            return false;
        }
        hs_arena_clear(&c->tree);
        drop_behind(&st->drop, jp->p);
        lex(jp, &t);
        if (t.k == TK_COMMA) {
            lex(jp, &t);
            continue;
        }
        if (t.k == TK_RBRACK)
            return true;
        c->rc = hs_err_set(c->err, HS_EPARSE, "truncated JSON after items[%zu]", idx);
        return false;
    }
}

/* Decodes the items that waited for the list's kind (valid JSON already). */
static bool decode_deferred(struct dctx *c, struct model_cluster *cl, struct jp *jp,
                            struct list_state *st)
{
    if (st->n_deferred && st->drop.map)
        st->drop.done = st->deferred[0] & ~(st->drop.page - 1);
    for (size_t i = 0; i < st->n_deferred; i++) {
        struct tok t;
        struct jv v;
        jp->p = jp->buf + st->deferred[i];
        lex(jp, &t);
        if (!parse_item(c, jp, &t, st->deferred_idx[i], &v) ||
            !decode_item(c, cl, &v, st->deferred_idx[i], st->hint))
            return false;
        hs_arena_clear(&c->tree);
        drop_behind(&st->drop, jp->p);
    }
    return true;
}

/* A List (items decoded one at a time) or a single object in buf[0..len).
 * map: buf is kube_decode_file's own mapping, whose pages may be dropped. */
static enum hs_code decode_doc(struct model_cluster *cl, const char *buf, size_t len, bool map,
                               struct hs_err *err)
{
    size_t p = skip_ws(buf, len, 0);
    if (p >= len || buf[p] != '{')
        return hs_err_set(err, HS_EPARSE, "not a JSON object at the top level");

    struct dctx c;
    struct jp jp;
    struct hs_arena top; /* top-level members other than items */
    struct list_state st;
    struct jmem *mem = NULL; /* those members, for a single object */
    size_t n_mem = 0, cap_mem = 0;
    bool has_items = false;
    struct tok t;
    ctx_init(&c, cl->intern, &cl->arena, err);
    hs_arena_init(&top, 0);
    jp_init(&jp, buf, len, &top);
    memset(&st, 0, sizeof(st));
    if (map) {
        st.drop.map = buf;
        st.drop.page = (size_t)sysconf(_SC_PAGESIZE);
    }
    jp.p = buf + p + 1;
    jp.depth = 1; /* inside the top-level object */
    lex(&jp, &t);
    if (t.k != TK_RBRACE) {
        for (;;) {
            if (t.k != TK_STRING || t.nul)
                goto bad_top;
            struct jmem m = { .k = t.str, .kn = t.len, .fp = key_fp(t.str, t.len) };
            lex(&jp, &t);
            if (t.k != TK_COLON)
                goto bad_top;
            lex(&jp, &t);
            if (m.kn == 5 && memcmp(m.k, "items", 5) == 0 && t.k == TK_LBRACK) {
                has_items = true;
                if (!decode_items(&c, cl, &jp, &st))
                    goto out;
            } else {
                if (!jp_value(&jp, &t, &m.v)) {
                    if (jp.pos >= len)
                        c.rc = hs_err_set(err, HS_EPARSE, "truncated or invalid JSON at byte %zu",
                                          jp.pos);
                    else
                        json_error(&c, &jp);
                    goto out;
                }
                if (m.kn == 4 && memcmp(m.k, "kind", 4) == 0 && m.v.t == JV_STR)
                    set_hint(&st, m.v.u.s, m.v.n);
                HS_GROW(mem, cap_mem, n_mem + 1);
                mem[n_mem++] = m;
            }
            lex(&jp, &t);
            if (t.k == TK_COMMA) {
                lex(&jp, &t);
                continue;
            }
            if (t.k == TK_RBRACE)
                break;
            goto bad_top;
        }
    }
    lex(&jp, &t);
    if (t.k != TK_EOF) {
        tok_fail(&jp, &t, "end of file expected");
        json_error(&c, &jp);
        goto out;
    }
    if (!has_items) {
        struct jv obj = { .t = JV_OBJ, .n = (uint32_t)dedup_members(&jp, mem, n_mem), .u.o = mem };
        struct kube_object o;
        decode_value(&c, &obj, NULL, &o);
        if (!c.rc)
            cluster_add(cl, &o);
    } else {
        decode_deferred(&c, cl, &jp, &st);
    }
    goto out;
bad_top:
    if (!jp.failed || jp.pos >= len)
        c.rc = hs_err_set(err, HS_EPARSE, "truncated or invalid JSON at byte %zu",
                          (size_t)(t.s - buf));
    else
        json_error(&c, &jp);
out:;
    enum hs_code rc = c.rc;
    hs_free(mem);
    hs_free(st.deferred);
    hs_free(st.deferred_idx);
    jp_release(&jp);
    hs_arena_release(&top);
    ctx_release(&c);
    return rc;
}

enum hs_code kube_decode_buffer(struct model_cluster *cl, const char *buf, size_t len,
                                const char *name, struct hs_err *err)
{
    enum hs_code rc = decode_doc(cl, buf, len, false, err);
    if (rc && name)
        hs_err_prefix(err, "%s", name);
    return rc;
}

/* Decodes what fd (a pipe or other unmappable file; closed here) yields.
 * Such input cannot be mapped, so it is read whole first: memory for the
 * text, then for the model. Regular files never come this way. */
static enum hs_code decode_stream(struct model_cluster *c, int fd, const char *path,
                                  struct hs_err *err)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        HS_GROW(buf, cap, len + 65536);
        ssize_t n = read(fd, buf + len, cap - len);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            hs_free(buf);
            return hs_err_set(err, HS_EIO, "%s: read error: %s", path, strerror(e));
        }
        len += (size_t)n;
    }
    close(fd);
    enum hs_code rc;
    if (len == 0)
        rc = hs_err_set(err, HS_EPARSE, "%s: empty file, not a JSON object", path);
    else
        rc = kube_decode_buffer(c, buf, len, path, err);
    hs_free(buf);
    return rc;
}

enum hs_code kube_decode_file(struct model_cluster *c, const char *path, struct hs_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hs_err_set(err, HS_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return hs_err_set(err, HS_EIO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return hs_err_set(err, HS_EIO, "%s: is a directory, not a JSON file", path);
    }
    if (!S_ISREG(st.st_mode)) /* a pipe: `--cluster <(kubectl get ... -o json)` */
        return decode_stream(c, fd, path, err);
    size_t len = (size_t)st.st_size;
    if (len == 0) {
        close(fd);
        return hs_err_set(err, HS_EPARSE, "%s: empty file, not a JSON object", path);
    }
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return hs_err_set(err, HS_EIO, "%s: cannot map: %s", path, strerror(errno));
    (void)madvise(map, len, MADV_SEQUENTIAL);
    enum hs_code rc = decode_doc(c, map, len, true, err);
    if (rc)
        hs_err_prefix(err, "%s", path);
    munmap(map, len);
    return rc;
}
