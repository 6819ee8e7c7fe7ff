/*
 * Kubernetes quantity parsing and printing. The value of a quantity is kept
 * as an exact decimal (sign, digit string, power of ten) while it is being
 * worked on, so that every input apimachinery accepts gets the same value,
 * format, Value(), MilliValue() and String() as there; the digits live in a
 * stack buffer (heap only for inputs longer than QSTACK characters). This file
 * must never read global state or do I/O, and must never accept a string
 * apimachinery rejects or reject one it accepts.
 *
 * The steps follow ParseQuantity: scan sign/number/suffix, interpret the
 * suffix, take the int64 "fast path" when apimachinery does (this decides
 * whether String() echoes the input and whether a 19-digit integer fails),
 * otherwise compute exactly, round up to 1n, cap BinarySI at 2^63-1.
 */
#include "model/quantity.h"

#include <string.h>

#include "base/alloc.h"

#define QSTACK     200
#define QEXACT_MAX 4096

enum qerr {
    QERR_OK,
    QERR_FORMAT,  /* ErrFormatWrong */
    QERR_NUMERIC, /* ErrNumeric */
    QERR_SUFFIX,  /* ErrSuffix */
};

static const char *const qerr_text[] = {
    [QERR_OK] = "ok",
    [QERR_FORMAT] = ("quantities must match the regular expression "
                     "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    [QERR_NUMERIC] = "unable to parse numeric part of quantity",
    [QERR_SUFFIX] = "unable to parse quantity's suffix",
};

/* The pieces parseQuantityString finds. */
struct qscan {
    bool positive;
    bool zeros;        /* leading zeros were stripped from the number */
    const char *value; /* sign and number, what the big-decimal path reads */
    size_t value_len;
    const char *num; /* integer digits without leading zeros (may be empty) */
    size_t num_len;
    const char *denom; /* fraction digits */
    size_t denom_len;
    const char *suf;
    size_t suf_len;
};

/* An exact decimal: (neg ? -1 : 1) * dig[0..ndig) * 10^exp. Normalised: no
 * leading or trailing zeros in dig, ndig == 0 and exp == 0 for zero. */
struct qdec {
    bool neg;
    char *dig;
    size_t ndig;
    size_t cap;
    int64_t exp;
    enum model_qformat format;
    bool verbatim; /* String() is the input as given */
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_suffix_char(char c)
{
    return c != '\0' && strchr("eEinumkKMGTP", c) != NULL;
}

/* Go's int32 arithmetic wraps; the parser's exponent and scale are int32. */
static int32_t wrap32(int64_t v)
{
    return (int32_t)(uint32_t)(uint64_t)v;
}

static enum qerr qscan(const char *s, size_t n, struct qscan *sc)
{
    size_t pos = 0, i;
    memset(sc, 0, sizeof(*sc));
    sc->positive = true;
    if (pos < n) {
        if (s[0] == '-') {
            sc->positive = false;
            pos++;
        } else if (s[0] == '+') {
            pos++;
        }
    }
    while (pos < n && s[pos] == '0') {
        pos++;
        sc->zeros = true;
    }
    if (pos >= n) {
        /* nothing but sign and zeros: the value is zero, no suffix */
        sc->value = "0";
        sc->value_len = 1;
        sc->num = "0";
        sc->num_len = 1;
        sc->suf = "";
        return QERR_OK;
    }
    for (i = pos; i < n && is_digit(s[i]); i++)
        ;
    sc->num = s + pos;
    sc->num_len = i - pos;
    pos = i;
    if (pos < n && s[pos] == '.') {
        pos++;
        for (i = pos; i < n && is_digit(s[i]); i++)
            ;
        sc->denom = s + pos;
        sc->denom_len = i - pos;
        pos = i;
    }
    sc->value = s;
    sc->value_len = pos;
    size_t suffix_start = pos;
    while (pos < n && is_suffix_char(s[pos]))
        pos++;
    if (pos < n && (s[pos] == '-' || s[pos] == '+'))
        pos++;
    while (pos < n && is_digit(s[pos]))
        pos++;
    if (pos < n)
        return QERR_FORMAT;
    sc->suf = s + suffix_start;
    sc->suf_len = n - suffix_start;
    return QERR_OK;
}

static bool suf_is(const struct qscan *sc, const char *lit)
{
    size_t l = strlen(lit);
    return sc->suf_len == l && memcmp(sc->suf, lit, l) == 0;
}

/* strconv.ParseInt(s, 10, 64) for the exponent of "e<n>". */
static bool parse_int64(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    uint64_t v = 0, limit;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i >= n)
        return false;
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* quantitySuffixer.interpret */
static bool interpret(const struct qscan *sc, int *base, int32_t *exponent,
                      enum model_qformat *format)
{
    static const struct {
        const char *s;
        int base;
        int32_t exp;
    } table[] = {
        { "", 10, 0 },   { "n", 10, -9 }, { "u", 10, -6 }, { "m", 10, -3 },
        { "k", 10, 3 },  { "M", 10, 6 },  { "G", 10, 9 },  { "T", 10, 12 },
        { "P", 10, 15 }, { "E", 10, 18 }, { "Ki", 2, 10 }, { "Mi", 2, 20 },
        { "Gi", 2, 30 }, { "Ti", 2, 40 }, { "Pi", 2, 50 }, { "Ei", 2, 60 },
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (suf_is(sc, table[i].s)) {
            *base = table[i].base;
            *exponent = table[i].exp;
            *format = table[i].base == 2 ? MODEL_QF_BINARY_SI : MODEL_QF_DECIMAL_SI;
            return true;
        }
    }
    if (sc->suf_len > 1 && (sc->suf[0] == 'e' || sc->suf[0] == 'E')) {
        int64_t e;
        if (!parse_int64(sc->suf + 1, sc->suf_len - 1, &e))
            return false;
        *base = 10;
        *exponent = wrap32(e);
        *format = MODEL_QF_DECIMAL_EXPONENT;
        return true;
    }
    return false;
}

static void qdec_normalize(struct qdec *d)
{
    size_t lead = 0;
    while (lead < d->ndig && d->dig[lead] == '0')
        lead++;
    if (lead == d->ndig) {
        d->ndig = 0;
        d->exp = 0;
        return;
    }
    if (lead) {
        memmove(d->dig, d->dig + lead, d->ndig - lead);
        d->ndig -= lead;
    }
    while (d->dig[d->ndig - 1] == '0') {
        d->ndig--;
        d->exp++;
    }
}

static void qdec_set_u64(struct qdec *d, uint64_t v, int64_t exp)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        d->dig[i] = tmp[n - 1 - i];
    d->ndig = n;
    d->exp = exp;
    qdec_normalize(d);
}

/* dig *= m, for 1 < m <= 2^32; needs room for 10 more digits. */
static void qdec_mul_small(struct qdec *d, uint64_t m)
{
    uint64_t carry = 0;
    for (size_t i = d->ndig; i-- > 0;) {
        uint64_t t = (uint64_t)(d->dig[i] - '0') * m + carry;
        d->dig[i] = (char)('0' + t % 10);
        carry = t / 10;
    }
    char tmp[24];
    size_t n = 0;
    while (carry) {
        tmp[n++] = (char)('0' + carry % 10);
        carry /= 10;
    }
    if (n) {
        memmove(d->dig + n, d->dig, d->ndig);
        for (size_t i = 0; i < n; i++)
            d->dig[i] = tmp[n - 1 - i];
        d->ndig += n;
    }
}

/* ceil(|d| * 10^shift) into *out when it is at most limit. */
static bool qdec_ceil_scaled(const struct qdec *d, int64_t shift, uint64_t limit, uint64_t *out)
{
    uint64_t v = 0;
    if (d->ndig == 0) {
        *out = 0;
        return true;
    }
    int64_t t = d->exp + shift;
    int64_t intdig = (int64_t)d->ndig + t; /* digits before the point */
    if (intdig > 20)
        return false;
    if (intdig <= 0) {
        *out = 1; /* non-zero and below one: rounds up to one */
        return limit >= 1;
    }
    for (int64_t i = 0; i < intdig; i++) {
        unsigned dg = i < (int64_t)d->ndig ? (unsigned)(d->dig[i] - '0') : 0;
        if (v > (limit - dg) / 10)
            return false;
        v = v * 10 + dg;
    }
    if (intdig < (int64_t)d->ndig) { /* a non-zero fraction remains (normalised) */
        if (v == limit)
            return false;
        v++;
    }
    *out = v;
    return true;
}

/* Rounds a non-zero value away from zero to a multiple of 1e-9. */
static void qdec_round_nano(struct qdec *d)
{
    if (d->ndig == 0 || d->exp >= -9)
        return;
    uint64_t drop = (uint64_t)(-9 - d->exp);
    if (drop >= d->ndig) {
        d->dig[0] = '1';
        d->ndig = 1;
        d->exp = -9;
        return;
    }
    d->ndig -= (size_t)drop;
    d->exp = -9;
    size_t i = d->ndig;
    while (i > 0 && d->dig[i - 1] == '9')
        d->dig[--i] = '0';
    if (i > 0) {
        d->dig[i - 1]++;
    } else {
        memmove(d->dig + 1, d->dig, d->ndig);
        d->dig[0] = '1';
        d->ndig++;
    }
    qdec_normalize(d);
}

/* Character i of num followed by denom ("shifted" in apimachinery). */
static char shifted_at(const char *num, size_t num_len, const char *denom, size_t i)
{
    return i < num_len ? num[i] : denom[i - num_len];
}

/* ParseQuantity into d, whose dig has room for n + 32 characters. */
static enum qerr qparse(const char *s, size_t n, struct qdec *d)
{
    struct qscan sc;
    int base;
    int32_t exponent;
    enum model_qformat format;
    enum qerr e;

    d->neg = false;
    d->ndig = 0;
    d->exp = 0;
    d->verbatim = false;
    d->format = MODEL_QF_DECIMAL_SI;
    if (n == 0)
        return QERR_FORMAT;
    if (n == 1 && s[0] == '0') {
        d->verbatim = true;
        return QERR_OK;
    }
    if ((e = qscan(s, n, &sc)) != QERR_OK)
        return e;
    if (!interpret(&sc, &base, &exponent, &format))
        return QERR_SUFFIX;
    d->format = format;

    /* apimachinery's int64 fast path */
    const char *num = sc.num_len ? sc.num : "0";
    size_t num_len = sc.num_len ? sc.num_len : 1;
    int64_t precision = 0;
    int32_t scale = 0;
    uint64_t mantissa = 1;
    if (format == MODEL_QF_BINARY_SI) {
        if (exponent >= 0 && sc.denom_len == 0) {
            mantissa = (uint64_t)1 << exponent;
            precision = 15 - (int64_t)num_len - (exponent * 3 / 10) - 1;
        } else {
            precision = -1;
        }
    } else {
        scale = exponent;
        precision = 19 - (int64_t)(num_len + sc.denom_len);
    }
    if (precision >= 0) {
        scale = wrap32((int64_t)scale - (int64_t)sc.denom_len);
        if (scale >= -9) {
            uint64_t v = 0;
            size_t total = num_len + sc.denom_len;
            for (size_t i = 0; i < total; i++) {
                unsigned dg = (unsigned)(shifted_at(num, num_len, sc.denom, i) - '0');
                if (v > ((uint64_t)INT64_MAX - dg) / 10)
                    return QERR_NUMERIC; /* strconv.ParseInt range error */
                v = v * 10 + dg;
            }
            if (mantissa == 1 || v <= (uint64_t)INT64_MAX / mantissa) {
                uint64_t result = v * mantissa;
                d->neg = !sc.positive && result != 0;
                qdec_set_u64(d, result, scale);
                if (format == MODEL_QF_BINARY_SI) {
                    d->verbatim = (v & 7) != 0;
                } else {
                    bool trailing000 = total >= 3 &&
                                       shifted_at(num, num_len, sc.denom, total - 1) == '0' &&
                                       shifted_at(num, num_len, sc.denom, total - 2) == '0' &&
                                       shifted_at(num, num_len, sc.denom, total - 3) == '0';
                    d->verbatim = scale % 3 == 0 && !trailing000 && num[0] != '0';
                }
                return QERR_OK;
            }
        }
    }

    /* exact path (inf.Dec in apimachinery) */
    bool any_digit = sc.zeros || sc.num_len || sc.denom_len;
    if (!any_digit)
        return QERR_NUMERIC;
    if (sc.num_len)
        memcpy(d->dig, sc.num, sc.num_len);
    if (sc.denom_len)
        memcpy(d->dig + sc.num_len, sc.denom, sc.denom_len);
    d->ndig = sc.num_len + sc.denom_len;
    if (base == 10) {
        int32_t infscale = wrap32((int64_t)sc.denom_len + (int64_t)wrap32(-(int64_t)exponent));
        d->exp = -(int64_t)infscale;
    } else {
        d->exp = -(int64_t)sc.denom_len;
        if (d->ndig) {
            int32_t left = exponent;
            while (left > 0) {
                int32_t step = left > 32 ? 32 : left;
                qdec_mul_small(d, (uint64_t)1 << step);
                left -= step;
            }
        }
    }
    qdec_normalize(d);
    d->neg = !sc.positive && d->ndig != 0;
    qdec_round_nano(d);
    if (format == MODEL_QF_BINARY_SI) {
        uint64_t tmp;
        if (!qdec_ceil_scaled(d, 0, (uint64_t)INT64_MAX, &tmp))
            qdec_set_u64(d, (uint64_t)INT64_MAX, 0);
        if (d->ndig && d->exp < 0 && (int64_t)d->ndig + d->exp <= 0)
            d->format = MODEL_QF_DECIMAL_SI; /* 0 < |v| < 1 */
    }
    return QERR_OK;
}

static const char *const dec_suffix[] = { "n", "u", "m", "", "k", "M", "G", "T", "P", "E" };
static const char *const bin_suffix[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };

/* CanonicalizeBytes for a computed value (no verbatim input). */
static void qdec_canonical(const struct qdec *d, struct hs_buf *out)
{
    enum model_qformat f = d->format;
    if (d->ndig == 0) {
        hs_buf_addc(out, '0');
        return;
    }
    if (f == MODEL_QF_BINARY_SI) {
        uint64_t v;
        /* |v| < 1024 or not an integer or too big for the int64 form: DecimalSI */
        if (d->exp < 0 || !qdec_ceil_scaled(d, 0, UINT64_MAX, &v) || v < 1024) {
            f = MODEL_QF_DECIMAL_SI;
        } else {
            size_t k = 0;
            while (v >= 1024 && v % 1024 == 0 && k + 1 < HS_ARRAY_LEN(bin_suffix)) {
                v /= 1024;
                k++;
            }
            hs_buf_addf(out, "%s%llu%s", d->neg ? "-" : "", (unsigned long long)v, bin_suffix[k]);
            return;
        }
    }
    int64_t e = d->exp;
    int64_t pad = ((e % 3) + 3) % 3;
    e -= pad;
    if (d->neg)
        hs_buf_addc(out, '-');
    hs_buf_add(out, d->dig, d->ndig);
    for (int64_t i = 0; i < pad; i++)
        hs_buf_addc(out, '0');
    if (f == MODEL_QF_DECIMAL_SI && e >= -9 && e <= 18)
        hs_buf_adds(out, dec_suffix[(e + 9) / 3]);
    else if (e != 0)
        hs_buf_addf(out, "e%lld", (long long)e);
}

/* Runs qparse with a digit buffer big enough for s; calls fn on success. */
struct qjob {
    const char *s;
    size_t n;
    struct qdec d;
    char stack[QSTACK + 32];
    char *heap;
};

static enum hs_code qjob_run(struct qjob *j, const char *s, size_t n, struct hs_err *err)
{
    j->s = s;
    j->n = n;
    j->heap = NULL;
    if (n <= QSTACK) {
        j->d.dig = j->stack;
        j->d.cap = sizeof(j->stack);
    } else {
        j->heap = hs_malloc(n + 32);
        j->d.dig = j->heap;
        j->d.cap = n + 32;
    }
    enum qerr e = qparse(s, n, &j->d);
    if (e != QERR_OK) {
        hs_free(j->heap);
        j->heap = NULL;
        int shown = n > 128 ? 128 : (int)n;
        return hs_err_set(err, HS_EPARSE, "cannot parse quantity '%.*s%s': %s", shown, s,
                          n > 128 ? "..." : "", qerr_text[e]);
    }
    return HS_OK;
}

static void qjob_done(struct qjob *j)
{
    hs_free(j->heap);
    j->heap = NULL;
}

static void qdec_to_quantity(const struct qdec *d, struct model_quantity *q)
{
    uint64_t limit = d->neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v;
    q->sign = (int8_t)(d->ndig == 0 ? 0 : d->neg ? -1 : 1);
    q->format = d->format;
    q->value_ok = qdec_ceil_scaled(d, 0, limit, &v);
    if (!q->value_ok)
        v = limit;
    q->value = d->neg ? (int64_t)(0 - v) : (int64_t)v;
    q->milli_ok = qdec_ceil_scaled(d, 3, limit, &v);
    if (!q->milli_ok)
        v = limit;
    q->milli = d->neg ? (int64_t)(0 - v) : (int64_t)v;
}

enum hs_code model_quantity_parse(const char *s, size_t len, struct model_quantity *q,
                                  struct hs_err *err)
{
    struct qjob j;
    enum hs_code rc = qjob_run(&j, s, len, err);
    if (rc)
        return rc;
    qdec_to_quantity(&j.d, q);
    qjob_done(&j);
    return HS_OK;
}

enum hs_code model_quantity_string(const char *s, size_t len, struct hs_buf *out,
                                   struct hs_err *err)
{
    struct qjob j;
    enum hs_code rc = qjob_run(&j, s, len, err);
    if (rc)
        return rc;
    if (j.d.verbatim)
        hs_buf_add(out, s, len);
    else
        qdec_canonical(&j.d, out);
    qjob_done(&j);
    return HS_OK;
}

enum hs_code model_quantity_exact(const char *s, size_t len, struct hs_buf *out, struct hs_err *err)
{
    struct qjob j;
    enum hs_code rc = qjob_run(&j, s, len, err);
    if (rc)
        return rc;
    const struct qdec *d = &j.d;
    int64_t e = d->exp;
    int64_t size = (int64_t)d->ndig + (e < 0 ? -e : e) + 3;
    if (size > QEXACT_MAX) {
        qjob_done(&j);
        return hs_err_set(err, HS_ERANGE, "quantity '%.*s' is too large to print exactly",
                          len > 128 ? 128 : (int)len, s);
    }
    if (d->ndig == 0) {
        hs_buf_addc(out, '0');
    } else {
        if (d->neg)
            hs_buf_addc(out, '-');
        int64_t intdig = (int64_t)d->ndig + e;
        if (e >= 0) {
            hs_buf_add(out, d->dig, d->ndig);
            for (int64_t i = 0; i < e; i++)
                hs_buf_addc(out, '0');
        } else if (intdig > 0) {
            hs_buf_add(out, d->dig, (size_t)intdig);
            hs_buf_addc(out, '.');
            hs_buf_add(out, d->dig + intdig, (size_t)(-e));
        } else {
            hs_buf_adds(out, "0.");
            for (int64_t i = 0; i < -intdig; i++)
                hs_buf_addc(out, '0');
            hs_buf_add(out, d->dig, d->ndig);
        }
    }
    qjob_done(&j);
    return HS_OK;
}

const char *model_qformat_name(enum model_qformat f)
{
    switch (f) {
    case MODEL_QF_DECIMAL_SI:
        return "DecimalSI";
    case MODEL_QF_BINARY_SI:
        return "BinarySI";
    case MODEL_QF_DECIMAL_EXPONENT:
        return "DecimalExponent";
    }
    return "DecimalSI";
}

void model_quantity_format(struct hs_buf *out, int64_t value, int32_t scale, enum model_qformat f)
{
    char dig[40];
    struct qdec d = { .dig = dig, .cap = sizeof(dig), .format = f };
    d.neg = value < 0;
    uint64_t mag = d.neg ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    qdec_set_u64(&d, mag, scale);
    d.neg = d.neg && d.ndig;
    qdec_canonical(&d, out);
}
