/*
 * One-pass readers of what `aws ... --output json` prints (cli_json_int.h):
 * describe-auto-scaling-groups, describe-instance-types and
 * describe-launch-template-versions read straight into lib/model, with no
 * tree. They are the fast path of cli_json.c, whose jansson walk stays the
 * definition: a reader takes a document only when it is strict JSON that
 * jansson (with JSON_REJECT_DUPLICATES) loads and every value is what the
 * walk accepts, and it fills the model exactly as the walk would. Anything
 * else it declines (HS_ENOTSUP) without a message, and the walk reads the
 * document again and words the error. Declined on purpose, though jansson
 * may take them: keys with escapes, nesting deeper than 64, more than 1,024
 * keys open at once, U+FFFE/U+FFFF, integers beyond int64 and reals that
 * might overflow a double.
 *
 * test/fuzz/aws_cli_json_diff.c checks that the default path (this, then
 * jansson) always equals jansson alone. This file must never accept what
 * jansson refuses, never let a value the walk would refuse through, and
 * never log.
 */
#include "cli_json_int.h"
#include "xml_int.h"

#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/common.h"

#define MAX_DEPTH 64
#define MAX_KEYS  1024

typedef const unsigned char *ptr;

struct key {
    ptr s;
    size_t n;
};

struct rd {
    ptr p, end;
    struct hs_arena *a;
    bool bad; /* declined: the caller unwinds */
    unsigned depth;
    bool first[MAX_DEPTH + 1]; /* no member or element read yet at this depth */
    /* The keys of the objects open now (a stack), for duplicates. */
    struct key keys[MAX_KEYS];
    unsigned n_keys;
    unsigned key_base[MAX_DEPTH + 1];
    uint64_t key_bloom[MAX_DEPTH + 1];
};

static const uint8_t is_ws[256] = { ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1 };

/* String bytes: plain, '"', '\\', control (refused by jansson), >= 0x80. */
static const uint8_t str_class[256] = {
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

static bool decline(struct rd *r)
{
    r->bad = true;
    return false;
}

#define SPACES8 0x2020202020202020ull

static uint64_t load64(ptr p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static void ws(struct rd *r)
{
    while (r->p < r->end && is_ws[*r->p]) {
        r->p++;
        /* Indentation comes in runs of spaces: eight at a time. */
        while (r->end - r->p >= 8 && load64(r->p) == SPACES8)
            r->p += 8;
    }
}

/* Length of the UTF-8 character at p (a byte >= 0x80): no overlong form,
 * surrogate, U+FFFE/U+FFFF or beyond U+10FFFF; else 0. */
static size_t utf8_char(ptr p, ptr end)
{
    size_t left = (size_t)(end - p);
    unsigned c = p[0];
    if (c < 0xc2)
        return 0;
    if (c < 0xe0)
        return left >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c < 0xf0) {
        unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        if (left < 3 || p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80)
            return 0;
        if (c == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
            return 0;
        return 3;
    }
    if (c < 0xf5) {
        unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        if (left < 4 || p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
            return 0;
        return 4;
    }
    return 0;
}

/* The four hex digits at p as a number, or -1. */
static long hex4(ptr p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

/* Length of the escape at p ('\\') when jansson takes it and the reader
 * does (\u0000 and unpaired surrogates are refused), else 0. */
static size_t escape_len(ptr p, ptr end)
{
    if (end - p < 2)
        return 0;
    switch (p[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        return 2;
    case 'u':
        break;
    default:
        return 0;
    }
    if (end - p < 6)
        return 0;
    long cp = hex4(p + 2);
    if (cp <= 0 || (cp >= 0xdc00 && cp <= 0xdfff))
        return 0;
    if (cp < 0xd800 || cp > 0xdbff)
        return 6;
    if (end - p < 12 || p[6] != '\\' || p[7] != 'u')
        return 0;
    long lo = hex4(p + 8);
    return lo >= 0xdc00 && lo <= 0xdfff ? 12 : 0;
}

/* The string at r->p ('"'): its body s[0..n) as written, whether it has
 * escapes; r->p past the closing quote. */
static bool str_raw(struct rd *r, ptr *s, size_t *n, bool *esc)
{
    ptr p = r->p + 1, end = r->end;
    bool e = false;
    for (;;) {
        while (p < end && str_class[*p] == 0)
            p++;
        if (p >= end)
            return decline(r);
        size_t k;
        switch (str_class[*p]) {
        case 1:
            *s = r->p + 1;
            *n = (size_t)(p - *s);
            *esc = e;
            r->p = p + 1;
            return true;
        case 2:
            if (!(k = escape_len(p, end)))
                return decline(r);
            p += k;
            e = true;
            break;
        case 4:
            if (!(k = utf8_char(p, end)))
                return decline(r);
            p += k;
            break;
        default:
            return decline(r);
        }
    }
}

static size_t put_utf8(char *out, unsigned long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* A checked string body as its value, copied into the arena. */
static const char *str_copy(struct rd *r, ptr s, size_t n, bool esc)
{
    if (!esc)
        return hs_arena_strndup(r->a, (const char *)s, n);
    char *out = hs_arena_alloc(r->a, n + 1, 1); /* the value is never longer */
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] != '\\') {
            out[o++] = (char)s[i++];
            continue;
        }
        unsigned long cp;
        switch (s[i + 1]) {
        case 'b':
            cp = '\b';
            break;
        case 'f':
            cp = '\f';
            break;
        case 'n':
            cp = '\n';
            break;
        case 'r':
            cp = '\r';
            break;
        case 't':
            cp = '\t';
            break;
        case 'u':
            cp = (unsigned long)hex4(s + i + 2);
            if (cp >= 0xd800 && cp <= 0xdbff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + ((unsigned long)hex4(s + i + 8) - 0xdc00);
                i += 6;
            }
            i += 4;
            break;
        default:
            cp = s[i + 1];
        }
        i += 2;
        o += put_utf8(out + o, cp);
    }
    out[o] = '\0';
    return out;
}

/* The number at r->p: its text s[0..n), and whether it is an integer
 * (no fraction or exponent). Integers beyond int64 and reals that might
 * overflow a double (jansson refuses both) are declined. */
static bool number(struct rd *r, ptr *s, size_t *n, bool *integer)
{
    ptr p = r->p, end = r->end;
    if (p < end && *p == '-')
        p++;
    ptr digits = p;
    if (p < end && *p == '0')
        p++;
    else if (p < end && *p >= '1' && *p <= '9')
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    else
        return decline(r);
    long magnitude = (long)(p - digits);
    bool is_int = true;
    if (p < end && *p == '.') {
        ptr f = ++p;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        if (p == f)
            return decline(r);
        is_int = false;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool neg = false;
        if (p < end && (*p == '+' || *p == '-'))
            neg = *p++ == '-';
        ptr e = p;
        long exp = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            if (p - e >= 4)
                return decline(r);
            exp = exp * 10 + (*p++ - '0');
        }
        if (p == e)
            return decline(r);
        magnitude += neg ? -exp : exp;
        is_int = false;
    }
    if (!is_int && magnitude > 300)
        return decline(r);
    int64_t v;
    if (is_int && !aws__parse_i64((const char *)r->p, (size_t)(p - r->p), &v))
        return decline(r);
    *s = r->p;
    *n = (size_t)(p - r->p);
    *integer = is_int;
    r->p = p;
    return true;
}

static bool literal(struct rd *r, const char *word, size_t n)
{
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
        return decline(r);
    r->p += n;
    return true;
}

static bool enter(struct rd *r)
{
    if (r->depth == MAX_DEPTH)
        return decline(r);
    r->depth++;
    r->first[r->depth] = true;
    r->p++;
    return true;
}

/* At '{': enters the object. */
static bool obj_begin(struct rd *r)
{
    if (r->p >= r->end || *r->p != '{' || !enter(r))
        return decline(r);
    r->key_base[r->depth] = r->n_keys;
    r->key_bloom[r->depth] = 0;
    return true;
}

/* The next member's key (as written: keys with escapes are declined),
 * leaving r->p at its value; false at the end of the object (consumed) or
 * when declined (r->bad). */
static bool obj_key(struct rd *r, ptr *k, size_t *n)
{
    ws(r);
    if (r->p >= r->end)
        return decline(r);
    if (*r->p == '}') {
        r->p++;
        r->n_keys = r->key_base[r->depth];
        r->depth--;
        return false;
    }
    if (!r->first[r->depth]) {
        if (*r->p != ',')
            return decline(r);
        r->p++;
        ws(r);
    }
    r->first[r->depth] = false;
    bool esc;
    if (r->p >= r->end || *r->p != '"' || !str_raw(r, k, n, &esc) || esc)
        return decline(r);
    /* jansson (JSON_REJECT_DUPLICATES) refuses a key twice in an object. */
    uint64_t bit = (uint64_t)1 << ((*n * 7 + (*n ? (*k)[*n - 1] : 0)) & 63);
    unsigned base = r->key_base[r->depth];
    if (r->key_bloom[r->depth] & bit) {
        for (unsigned i = base; i < r->n_keys; i++)
            if (r->keys[i].n == *n && memcmp(r->keys[i].s, *k, *n) == 0)
                return decline(r);
    }
    if (r->n_keys == MAX_KEYS)
        return decline(r);
    r->key_bloom[r->depth] |= bit;
    r->keys[r->n_keys].s = *k;
    r->keys[r->n_keys++].n = *n;
    ws(r);
    if (r->p >= r->end || *r->p != ':')
        return decline(r);
    r->p++;
    ws(r);
    return true;
}

/* At '[': enters the array. */
static bool arr_begin(struct rd *r)
{
    if (r->p >= r->end || *r->p != '[')
        return decline(r);
    return enter(r);
}

/* Whether another element follows (r->p at it); false at the end of the
 * array (consumed) or when declined. */
static bool arr_next(struct rd *r)
{
    ws(r);
    if (r->p >= r->end)
        return decline(r);
    if (*r->p == ']') {
        r->p++;
        r->depth--;
        return false;
    }
    if (!r->first[r->depth]) {
        if (*r->p != ',')
            return decline(r);
        r->p++;
        ws(r);
    }
    r->first[r->depth] = false;
    return true;
}

/* Checks the value at r->p and steps over it. */
static bool skip(struct rd *r)
{
    if (r->p >= r->end)
        return decline(r);
    ptr s;
    size_t n;
    bool flag;
    switch (*r->p) {
    case '{':
        if (!obj_begin(r))
            return false;
        while (obj_key(r, &s, &n))
            if (!skip(r))
                return false;
        return !r->bad;
    case '[':
        if (!arr_begin(r))
            return false;
        while (arr_next(r))
            if (!skip(r))
                return false;
        return !r->bad;
    case '"':
        return str_raw(r, &s, &n, &flag);
    case 't':
        return literal(r, "true", 4);
    case 'f':
        return literal(r, "false", 5);
    case 'n':
        return literal(r, "null", 4);
    default:
        return number(r, &s, &n, &flag);
    }
}

/* ---- values as the jansson walk takes them ---- */

static bool at(const struct rd *r, unsigned char c)
{
    return r->p < r->end && *r->p == c;
}

static bool get_str(struct rd *r, const char **out)
{
    if (at(r, 'n'))
        return literal(r, "null", 4);
    ptr s;
    size_t n;
    bool esc;
    if (!at(r, '"') || !str_raw(r, &s, &n, &esc))
        return decline(r);
    *out = str_copy(r, s, n, esc);
    return true;
}

static bool get_i64(struct rd *r, int64_t *out)
{
    if (at(r, 'n'))
        return literal(r, "null", 4);
    ptr s;
    size_t n;
    bool integer;
    if (!number(r, &s, &n, &integer) || !integer || !aws__parse_i64((const char *)s, n, out))
        return decline(r);
    return true;
}

static bool get_i32(struct rd *r, int32_t *out)
{
    int64_t v = INT64_MIN;
    if (!get_i64(r, &v))
        return false;
    if (v == INT64_MIN)
        return true;
    if (v < INT32_MIN || v > INT32_MAX)
        return decline(r);
    *out = (int32_t)v;
    return true;
}

/* An integer the API spells as a string; a JSON number is taken too. */
static bool get_i32_str(struct rd *r, int32_t *out)
{
    if (!at(r, '"'))
        return get_i32(r, out);
    ptr s;
    size_t n;
    bool esc;
    if (!str_raw(r, &s, &n, &esc) || esc || !aws__parse_i32((const char *)s, n, out))
        return decline(r);
    return true;
}

static bool get_bool(struct rd *r, bool *out)
{
    if (at(r, 'n'))
        return literal(r, "null", 4);
    if (at(r, 't') && literal(r, "true", 4)) {
        *out = true;
        return true;
    }
    if (at(r, 'f') && literal(r, "false", 5)) {
        *out = false;
        return true;
    }
    return decline(r);
}

static bool get_time(struct rd *r, int64_t *out)
{
    if (at(r, 'n'))
        return literal(r, "null", 4);
    ptr s;
    size_t n;
    bool esc;
    if (!at(r, '"') || !str_raw(r, &s, &n, &esc) || esc ||
        !aws__parse_time((const char *)s, n, out))
        return decline(r);
    return true;
}

#define KEY(lit) (n == sizeof(lit) - 1 && memcmp(k, lit, sizeof(lit) - 1) == 0)

/* An object the walk reads (get_typed JSON_OBJECT): true with *open set
 * when it is one (entered), true with *open false for null. */
static bool object_or_null(struct rd *r, bool *open)
{
    *open = false;
    if (at(r, 'n'))
        return literal(r, "null", 4);
    return *open = obj_begin(r);
}

static bool array_or_null(struct rd *r, bool *open)
{
    *open = false;
    if (at(r, 'n'))
        return literal(r, "null", 4);
    return *open = arr_begin(r);
}

/* The rest of an object, with field(r, ctx, key) reading each value. */
typedef bool (*field_fn)(struct rd *r, void *ctx, ptr k, size_t n);
static bool members(struct rd *r, field_fn field, void *ctx)
{
    ptr k;
    size_t n;
    while (obj_key(r, &k, &n))
        if (!field(r, ctx, k, n))
            return false;
    return !r->bad;
}

static bool object(struct rd *r, field_fn field, void *ctx)
{
    bool open;
    if (!object_or_null(r, &open))
        return false;
    return !open || members(r, field, ctx);
}

/* Each element of an array (or null) must be an object, read by item. */
typedef bool (*item_fn)(struct rd *r, void *ctx);
static bool objects(struct rd *r, item_fn item, void *ctx)
{
    bool open;
    if (!array_or_null(r, &open))
        return false;
    if (!open)
        return true;
    while (arr_next(r))
        if (!at(r, '{') || !item(r, ctx))
            return decline(r);
    return !r->bad;
}

static bool lt_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct model_lt_spec *s = ctx;
    if (KEY("LaunchTemplateId"))
        return get_str(r, &s->id);
    if (KEY("LaunchTemplateName"))
        return get_str(r, &s->name);
    if (KEY("Version"))
        return get_str(r, &s->version);
    return skip(r);
}

static bool lt_spec(struct rd *r, struct model_lt_spec *s)
{
    return object(r, lt_field, s);
}

/* ---- describe-auto-scaling-groups ---- */

struct asg_rd {
    struct model_asg_list *l;
    struct model_asg *g;
    void *item; /* the instance, tag or override being read */
};

static bool instance_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct model_asg_instance *in = ctx;
    if (KEY("InstanceId"))
        return get_str(r, &in->id);
    if (KEY("InstanceType"))
        return get_str(r, &in->instance_type);
    if (KEY("AvailabilityZone"))
        return get_str(r, &in->zone);
    if (KEY("LifecycleState"))
        return get_str(r, &in->lifecycle_state);
    if (KEY("HealthStatus"))
        return get_str(r, &in->health_status);
    if (KEY("LaunchTemplate"))
        return lt_spec(r, &in->launch_template);
    if (KEY("ProtectedFromScaleIn"))
        return get_bool(r, &in->protected_from_scale_in);
    if (KEY("WeightedCapacity"))
        return get_i32_str(r, &in->weighted_capacity);
    if (KEY("LaunchConfigurationName"))
        return get_str(r, &in->launch_configuration_name);
    return skip(r);
}

static bool instance(struct rd *r, void *ctx)
{
    struct asg_rd *c = ctx;
    struct model_asg_instance *in = model_asg_add_instance(c->l, c->g);
    return obj_begin(r) && members(r, instance_field, in) && (in->id || decline(r));
}

static bool tag_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct model_asg_tag *t = ctx;
    if (KEY("Key"))
        return get_str(r, &t->key);
    if (KEY("Value"))
        return get_str(r, &t->value);
    if (KEY("PropagateAtLaunch"))
        return get_bool(r, &t->propagate_at_launch);
    return skip(r);
}

static bool tag(struct rd *r, void *ctx)
{
    struct asg_rd *c = ctx;
    struct model_asg_tag *t = model_asg_add_tag(c->l, c->g);
    if (!obj_begin(r) || !members(r, tag_field, t) || !t->key)
        return decline(r);
    if (!t->value)
        t->value = hs_arena_strndup(r->a, "", 0);
    return true;
}

static bool override_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct model_asg_override *o = ctx;
    if (KEY("InstanceType"))
        return get_str(r, &o->instance_type);
    if (KEY("WeightedCapacity"))
        return get_i32_str(r, &o->weighted_capacity);
    if (KEY("LaunchTemplateSpecification"))
        return lt_spec(r, &o->launch_template);
    if (KEY("InstanceRequirements"))
        o->has_instance_requirements = true; /* present, whatever its value */
    return skip(r);
}

static bool override(struct rd *r, void *ctx)
{
    struct asg_rd *c = ctx;
    struct model_asg_override *o = model_asg_add_override(c->l, c->g);
    return obj_begin(r) && members(r, override_field, o);
}

static bool mixed_lt_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct asg_rd *c = ctx;
    if (KEY("LaunchTemplateSpecification"))
        return lt_spec(r, &c->g->mixed.launch_template);
    if (KEY("Overrides"))
        return objects(r, override, c);
    return skip(r);
}

static bool distribution_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct model_instances_distribution *d = ctx;
    if (KEY("OnDemandAllocationStrategy"))
        return get_str(r, &d->on_demand_allocation_strategy);
    if (KEY("OnDemandBaseCapacity"))
        return get_i32(r, &d->on_demand_base_capacity);
    if (KEY("OnDemandPercentageAboveBaseCapacity"))
        return get_i32(r, &d->on_demand_percentage_above_base_capacity);
    if (KEY("SpotAllocationStrategy"))
        return get_str(r, &d->spot_allocation_strategy);
    if (KEY("SpotInstancePools"))
        return get_i32(r, &d->spot_instance_pools);
    if (KEY("SpotMaxPrice"))
        return get_str(r, &d->spot_max_price);
    return skip(r);
}

static bool mixed_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct asg_rd *c = ctx;
    if (KEY("LaunchTemplate"))
        return object(r, mixed_lt_field, c);
    if (KEY("InstancesDistribution")) {
        bool open;
        if (!object_or_null(r, &open))
            return false;
        if (!open)
            return true;
        c->g->mixed.distribution.present = true;
        return members(r, distribution_field, &c->g->mixed.distribution);
    }
    return skip(r);
}

static bool zones(struct rd *r, struct asg_rd *c)
{
    bool open;
    if (!array_or_null(r, &open))
        return false;
    if (!open)
        return true;
    while (arr_next(r)) {
        ptr s;
        size_t n;
        bool esc;
        if (!at(r, '"') || !str_raw(r, &s, &n, &esc))
            return decline(r);
        if (esc) {
            const char *v = str_copy(r, s, n, esc);
            model_asg_add_zone(c->l, c->g, v, strlen(v));
        } else {
            model_asg_add_zone(c->l, c->g, (const char *)s, n);
        }
    }
    return !r->bad;
}

static bool group_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct asg_rd *c = ctx;
    struct model_asg *g = c->g;
    switch (n ? k[0] : 0) {
    case 'A':
        if (KEY("AutoScalingGroupName"))
            return get_str(r, &g->name);
        if (KEY("AutoScalingGroupARN"))
            return get_str(r, &g->arn);
        if (KEY("AvailabilityZones"))
            return zones(r, c);
        break;
    case 'M':
        if (KEY("MinSize"))
            return get_i32(r, &g->min_size);
        if (KEY("MaxSize"))
            return get_i32(r, &g->max_size);
        if (KEY("MixedInstancesPolicy")) {
            bool open;
            if (!object_or_null(r, &open))
                return false;
            if (!open)
                return true;
            g->mixed.present = true;
            return members(r, mixed_field, c);
        }
        break;
    case 'D':
        if (KEY("DesiredCapacity"))
            return get_i32(r, &g->desired_capacity);
        if (KEY("DefaultCooldown"))
            return get_i32(r, &g->default_cooldown);
        break;
    case 'I':
        if (KEY("Instances"))
            return objects(r, instance, c);
        break;
    case 'T':
        if (KEY("Tags"))
            return objects(r, tag, c);
        break;
    case 'L':
        if (KEY("LaunchTemplate"))
            return lt_spec(r, &g->launch_template);
        if (KEY("LaunchConfigurationName"))
            return get_str(r, &g->launch_configuration_name);
        break;
    case 'V':
        if (KEY("VPCZoneIdentifier"))
            return get_str(r, &g->vpc_zone_identifier);
        break;
    case 'S':
        if (KEY("Status"))
            return get_str(r, &g->status);
        break;
    case 'H':
        if (KEY("HealthCheckType"))
            return get_str(r, &g->health_check_type);
        break;
    case 'C':
        if (KEY("CreatedTime"))
            return get_time(r, &g->created_time);
        if (KEY("CapacityRebalance"))
            return get_bool(r, &g->capacity_rebalance);
        break;
    }
    return skip(r);
}

static bool group(struct rd *r, void *ctx)
{
    struct asg_rd *c = ctx;
    c->g = model_asg_list_add(c->l);
    return obj_begin(r) && members(r, group_field, c) && (c->g->name || decline(r));
}

/* ---- describe-instance-types ---- */

struct it_rd {
    struct model_instance_type *t;
    int64_t total; /* GpuInfo.TotalGpuMemoryInMiB, -1 when not given */
    const char *gpu_name, *gpu_maker;
    int32_t gpu_count;
    int64_t gpu_mem;
};

static bool vcpu_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct model_instance_type *t = ctx;
    return KEY("DefaultVCpus") ? get_i32(r, &t->vcpu) : skip(r);
}

static bool memory_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct model_instance_type *t = ctx;
    return KEY("SizeInMiB") ? get_i64(r, &t->memory_mib) : skip(r);
}

static bool storage_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct model_instance_type *t = ctx;
    return KEY("TotalSizeInGB") ? get_i64(r, &t->ephemeral_storage_gb) : skip(r);
}

static bool network_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct model_instance_type *t = ctx;
    if (KEY("MaximumNetworkInterfaces"))
        return get_i32(r, &t->max_enis);
    if (KEY("Ipv4AddressesPerInterface"))
        return get_i32(r, &t->ipv4_per_eni);
    return skip(r);
}

static bool processor_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct model_instance_type *t = ctx;
    if (!KEY("SupportedArchitectures"))
        return skip(r);
    bool open;
    if (!array_or_null(r, &open))
        return false;
    if (!open)
        return true;
    while (arr_next(r)) {
        ptr s;
        size_t len;
        bool esc;
        if (!at(r, '"') || !str_raw(r, &s, &len, &esc))
            return decline(r);
        if (!t->arch)
            t->arch = str_copy(r, s, len, esc);
    }
    return !r->bad;
}

static bool gpu_memory_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct it_rd *c = ctx;
    return KEY("SizeInMiB") ? get_i64(r, &c->gpu_mem) : skip(r);
}

static bool gpu_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct it_rd *c = ctx;
    if (KEY("Name"))
        return get_str(r, &c->gpu_name);
    if (KEY("Manufacturer"))
        return get_str(r, &c->gpu_maker);
    if (KEY("Count"))
        return get_i32(r, &c->gpu_count);
    if (KEY("MemoryInfo"))
        return object(r, gpu_memory_field, c);
    return skip(r);
}

static bool gpu(struct rd *r, void *ctx)
{
    struct it_rd *c = ctx;
    struct model_instance_type *t = c->t;
    c->gpu_name = c->gpu_maker = NULL;
    c->gpu_count = 0;
    c->gpu_mem = 0;
    if (!obj_begin(r) || !members(r, gpu_field, c))
        return false;
    if (!t->gpu_name)
        t->gpu_name = c->gpu_name;
    if (!t->gpu_manufacturer)
        t->gpu_manufacturer = c->gpu_maker;
    if (c->gpu_count < 0 || c->gpu_count > INT32_MAX - t->gpu_count)
        return decline(r);
    t->gpu_count += c->gpu_count;
    if (c->gpu_count > 0 && c->gpu_mem > 0 &&
        c->gpu_mem <= (INT64_MAX - t->gpu_memory_mib) / c->gpu_count)
        t->gpu_memory_mib += c->gpu_mem * c->gpu_count;
    return true;
}

static bool gpu_info_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct it_rd *c = ctx;
    if (KEY("Gpus"))
        return objects(r, gpu, c);
    if (KEY("TotalGpuMemoryInMiB"))
        return get_i64(r, &c->total);
    return skip(r);
}

static bool instance_type_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct it_rd *c = ctx;
    struct model_instance_type *t = c->t;
    if (KEY("InstanceType"))
        return get_str(r, &t->name);
    if (KEY("VCpuInfo"))
        return object(r, vcpu_field, t);
    if (KEY("MemoryInfo"))
        return object(r, memory_field, t);
    if (KEY("ProcessorInfo"))
        return object(r, processor_field, t);
    if (KEY("NetworkInfo"))
        return object(r, network_field, t);
    if (KEY("InstanceStorageInfo"))
        return object(r, storage_field, t);
    if (KEY("BareMetal"))
        return get_bool(r, &t->bare_metal);
    if (KEY("GpuInfo")) {
        /* The walk sums the GPUs first and then lets a total replace the
         * sum, whatever order the keys come in. */
        c->total = -1;
        if (!object(r, gpu_info_field, c))
            return false;
        if (c->total >= 0)
            t->gpu_memory_mib = c->total;
        return true;
    }
    return skip(r);
}

static bool instance_type(struct rd *r, void *ctx)
{
    struct it_rd c = { model_instance_type_list_add(ctx), -1, NULL, NULL, 0, 0 };
    return obj_begin(r) && members(r, instance_type_field, &c) && (c.t->name || decline(r));
}

/* ---- describe-launch-template-versions ---- */

struct ltv_rd {
    struct model_lt_version_list *l;
    struct model_lt_version *v;
    const char *resource_type;
};

static bool lt_tag_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct model_lt_tag *t = ctx;
    if (KEY("Key"))
        return get_str(r, &t->key);
    if (KEY("Value"))
        return get_str(r, &t->value);
    return skip(r);
}

static bool lt_tag(struct rd *r, void *ctx)
{
    struct ltv_rd *c = ctx;
    struct model_lt_tag *t = model_lt_version_add_tag(c->l, c->v);
    if (!obj_begin(r) || !members(r, lt_tag_field, t) || !t->key)
        return decline(r);
    if (!t->value)
        t->value = hs_arena_strndup(r->a, "", 0);
    return true;
}

static bool tag_spec_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct ltv_rd *c = ctx;
    if (KEY("ResourceType"))
        return get_str(r, &c->resource_type);
    if (KEY("Tags"))
        return objects(r, lt_tag, c);
    return skip(r);
}

static bool tag_spec(struct rd *r, void *ctx)
{
    struct ltv_rd *c = ctx;
    uint32_t first = c->v->n_tags;
    c->resource_type = NULL;
    if (!obj_begin(r) || !members(r, tag_spec_field, c))
        return false;
    /* The walk reads ResourceType before the tags, wherever it is. */
    for (uint32_t i = first; i < c->v->n_tags; i++)
        c->v->tags[i].resource_type = c->resource_type;
    return true;
}

static bool lt_data_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct ltv_rd *c = ctx;
    if (KEY("InstanceType"))
        return get_str(r, &c->v->instance_type);
    if (KEY("ImageId"))
        return get_str(r, &c->v->image_id);
    if (KEY("TagSpecifications"))
        return objects(r, tag_spec, c);
    if (KEY("UserData"))
        c->v->has_user_data = true; /* present, whatever its value */
    else if (KEY("InstanceRequirements"))
        c->v->has_instance_requirements = true;
    return skip(r);
}

static bool lt_version_field(struct rd *r, void *ctx, ptr k, size_t n)
{
    struct ltv_rd *c = ctx;
    struct model_lt_version *v = c->v;
    if (KEY("LaunchTemplateId"))
        return get_str(r, &v->template_id);
    if (KEY("LaunchTemplateName"))
        return get_str(r, &v->template_name);
    if (KEY("VersionNumber"))
        return get_i64(r, &v->version_number);
    if (KEY("DefaultVersion"))
        return get_bool(r, &v->default_version);
    if (KEY("CreateTime"))
        return get_time(r, &v->create_time);
    if (KEY("LaunchTemplateData"))
        return object(r, lt_data_field, c);
    return skip(r);
}

static bool lt_version(struct rd *r, void *ctx)
{
    struct ltv_rd *c = ctx;
    c->v = model_lt_version_list_add(c->l);
    return obj_begin(r) && members(r, lt_version_field, c) &&
           (c->v->template_id || c->v->template_name || decline(r));
}

/* ---- documents ---- */

/* The whole document: {list_key: [items], token_key: "..."} (other keys
 * checked and skipped), or a bare array of items when bare_ok. */
static enum hs_code document(struct rd *r, const char *list_key, bool bare_ok, item_fn item,
                             void *ctx, char **next_token)
{
    const char *token = NULL;
    bool ok;
    ws(r);
    if (bare_ok && at(r, '[')) {
        ok = objects(r, item, ctx);
    } else {
        bool have_list = false;
        ptr k;
        size_t n;
        ok = obj_begin(r);
        while (ok && obj_key(r, &k, &n)) {
            if (n == strlen(list_key) && memcmp(k, list_key, n) == 0) {
                have_list = true;
                ok = objects(r, item, ctx);
            } else if (KEY("NextToken")) {
                ok = get_str(r, &token);
            } else {
                ok = skip(r);
            }
        }
        ok = ok && !r->bad && have_list;
    }
    ws(r);
    if (!ok || r->bad || r->p != r->end)
        return HS_ENOTSUP;
    if (token && next_token)
        *next_token = hs_strdup(token);
    return HS_OK;
}

static void rd_init(struct rd *r, const char *text, size_t len, struct hs_arena *a,
                    char **next_token)
{
    r->p = (ptr)text;
    r->end = r->p + len;
    r->a = a;
    r->bad = false;
    r->depth = 0;
    r->n_keys = 0;
    if (next_token)
        *next_token = NULL;
}

enum hs_code aws__cli_json_fast_asgs(const char *text, size_t len, struct model_asg_list *out,
                                     char **next_token)
{
    struct rd *r = hs_malloc(sizeof(*r));
    struct asg_rd c = { out, NULL, NULL };
    rd_init(r, text, len, &out->arena, next_token);
    enum hs_code rc = document(r, "AutoScalingGroups", true, group, &c, next_token);
    hs_free(r);
    return rc;
}

enum hs_code aws__cli_json_fast_instance_types(const char *text, size_t len,
                                               struct model_instance_type_list *out,
                                               char **next_token)
{
    struct rd *r = hs_malloc(sizeof(*r));
    rd_init(r, text, len, &out->arena, next_token);
    enum hs_code rc = document(r, "InstanceTypes", false, instance_type, out, next_token);
    hs_free(r);
    return rc;
}

enum hs_code aws__cli_json_fast_lt_versions(const char *text, size_t len,
                                            struct model_lt_version_list *out, char **next_token)
{
    struct rd *r = hs_malloc(sizeof(*r));
    struct ltv_rd c = { out, NULL, NULL };
    rd_init(r, text, len, &out->arena, next_token);
    enum hs_code rc = document(r, "LaunchTemplateVersions", false, lt_version, &c, next_token);
    hs_free(r);
    return rc;
}
