/*
 * Kubernetes JSON into lib/model structs. A hand-written scanner walks the
 * top level of a document and finds each element of "items" (tracking strings,
 * escapes and nesting only), and jansson parses one element at a time, so a
 * 1 GB List never becomes one JSON tree. Every field read checks its JSON
 * type and reports the exact path on error. This file must never let a
 * json_t escape, never abort on bad input, and never keep a partially decoded
 * object (its string references are dropped on error).
 */
#include "kube/decode.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "decode_int.h"
#include "model/quantity.h"

/* ---- the top-level scanner ----------------------------------------------- */

static size_t skip_ws(const char *b, size_t len, size_t p)
{
    while (p < len && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n' || b[p] == '\r'))
        p++;
    return p;
}

/* p at the opening quote; returns the index after the closing quote, or len. */
static size_t skip_string(const char *b, size_t len, size_t p)
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

/* Skips one JSON value at p; returns the index after it, or len when the
 * text ends first (*ok false). */
static size_t skip_value(const char *b, size_t len, size_t p, bool *ok)
{
    *ok = false;
    if (p >= len)
        return len;
    if (b[p] == '"') {
        size_t e = skip_string(b, len, p);
        *ok = e <= len && b[e - 1] == '"' && e > p + 1;
        return e;
    }
    if (b[p] == '{' || b[p] == '[') {
        size_t depth = 0;
        while (p < len) {
            char c = b[p];
            if (c == '"') {
                p = skip_string(b, len, p);
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
    while (p < len && b[p] != ',' && b[p] != '}' && b[p] != ']' && b[p] != ' ' && b[p] != '\n' &&
           b[p] != '\r' && b[p] != '\t')
        p++;
    *ok = p < len; /* a scalar must be followed by something at top level */
    return p;
}

void kube__top_release(struct kube__top *top)
{
    hs_free(top->item_off);
    hs_free(top->item_len);
    memset(top, 0, sizeof(*top));
}

enum hs_code kube__scan_top(const char *buf, size_t len, struct kube__top *top, struct hs_err *err)
{
    size_t cap = 0, cap2 = 0;
    bool ok;
    memset(top, 0, sizeof(*top));
    size_t p = skip_ws(buf, len, 0);
    if (p >= len || buf[p] != '{')
        return hs_err_set(err, HS_EPARSE, "not a JSON object at the top level");
    p = skip_ws(buf, len, p + 1);
    if (p < len && buf[p] == '}')
        return HS_OK;
    for (;;) {
        if (p >= len || buf[p] != '"')
            goto truncated;
        size_t ks = p + 1;
        p = skip_string(buf, len, p);
        if (p >= len)
            goto truncated;
        size_t klen = p - 1 - ks;
        p = skip_ws(buf, len, p);
        if (p >= len || buf[p] != ':')
            goto truncated;
        p = skip_ws(buf, len, p + 1);
        if (p >= len)
            goto truncated;
        if (klen == 5 && memcmp(buf + ks, "items", 5) == 0 && buf[p] == '[') {
            top->has_items = true;
            p = skip_ws(buf, len, p + 1);
            if (p < len && buf[p] == ']') {
                p++;
            } else {
                for (;;) {
                    size_t s = p;
                    p = skip_value(buf, len, p, &ok);
                    if (!ok) {
                        size_t at = top->n_items;
                        kube__top_release(top);
                        return hs_err_set(err, HS_EPARSE, "truncated JSON at items[%zu]", at);
                    }
                    HS_GROW(top->item_off, cap, top->n_items + 1);
                    HS_GROW(top->item_len, cap2, top->n_items + 1);
                    top->item_off[top->n_items] = s;
                    top->item_len[top->n_items] = p - s;
                    top->n_items++;
                    p = skip_ws(buf, len, p);
                    if (p < len && buf[p] == ',') {
                        p = skip_ws(buf, len, p + 1);
                        continue;
                    }
                    if (p < len && buf[p] == ']') {
                        p++;
                        break;
                    }
                    size_t at = top->n_items - 1;
                    kube__top_release(top);
                    return hs_err_set(err, HS_EPARSE, "truncated JSON after items[%zu]", at);
                }
            }
        } else if (klen == 4 && memcmp(buf + ks, "kind", 4) == 0 && buf[p] == '"') {
            size_t vs = p + 1;
            p = skip_string(buf, len, p);
            if (p >= len)
                goto truncated;
            top->kind = buf + vs;
            top->kind_len = p - 1 - vs;
        } else {
            p = skip_value(buf, len, p, &ok);
            if (!ok)
                goto truncated;
        }
        p = skip_ws(buf, len, p);
        if (p < len && buf[p] == ',') {
            p = skip_ws(buf, len, p + 1);
            continue;
        }
        if (p < len && buf[p] == '}')
            return HS_OK;
        goto truncated;
    }
truncated:
    kube__top_release(top);
    return hs_err_set(err, HS_EPARSE, "truncated or invalid JSON at byte %zu", p);
}

/* ---- decoding context and path ------------------------------------------- */

struct dctx {
    struct hs_intern *t;
    struct hs_arena *a;      /* the objects' arena */
    struct hs_arena scratch; /* temporaries of one object */
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

static size_t path_key(struct dctx *c, const char *key)
{
    size_t saved = c->plen;
    int n = snprintf(c->path + c->plen, sizeof(c->path) - c->plen, "%s%s", c->plen ? "." : "", key);
    if (n > 0)
        c->plen = c->plen + (size_t)n < sizeof(c->path) ? c->plen + (size_t)n : sizeof(c->path) - 1;
    return saved;
}

static size_t path_index(struct dctx *c, size_t i)
{
    size_t saved = c->plen;
    int n = snprintf(c->path + c->plen, sizeof(c->path) - c->plen, "[%zu]", i);
    if (n > 0)
        c->plen = c->plen + (size_t)n < sizeof(c->path) ? c->plen + (size_t)n : sizeof(c->path) - 1;
    return saved;
}

static void path_pop(struct dctx *c, size_t saved)
{
    c->plen = saved;
    c->path[saved] = '\0';
}

static const char *type_name(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        return "null";
    }
    return "value";
}

/* Records a type error at path.key (key may be NULL for the current path). */
static void type_error(struct dctx *c, const char *key, const char *want, const json_t *got)
{
    if (c->rc)
        return;
    size_t saved = key ? path_key(c, key) : c->plen;
    c->rc = hs_err_set(c->err, HS_EPARSE, "expected %s, got %s at %s", want, type_name(got),
                       c->plen ? c->path : "(top level)");
    path_pop(c, saved);
}

/* Field key of obj when present and not null; NULL otherwise. */
static json_t *field(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return v && !json_is_null(v) ? v : NULL;
}

static json_t *get_obj(struct dctx *c, json_t *obj, const char *key)
{
    json_t *v = field(obj, key);
    if (v && !json_is_object(v)) {
        type_error(c, key, "object", v);
        return NULL;
    }
    return v;
}

static json_t *get_arr(struct dctx *c, json_t *obj, const char *key)
{
    json_t *v = field(obj, key);
    if (v && !json_is_array(v)) {
        type_error(c, key, "array", v);
        return NULL;
    }
    return v;
}

static json_t *get_str(struct dctx *c, json_t *obj, const char *key)
{
    json_t *v = field(obj, key);
    if (v && !json_is_string(v)) {
        type_error(c, key, "string", v);
        return NULL;
    }
    return v;
}

static bool get_bool(struct dctx *c, json_t *obj, const char *key)
{
    json_t *v = field(obj, key);
    if (v && !json_is_boolean(v)) {
        type_error(c, key, "boolean", v);
        return false;
    }
    return v && json_is_true(v);
}

static bool get_int(struct dctx *c, json_t *obj, const char *key, int64_t lo, int64_t hi,
                    int64_t *out)
{
    json_t *v = field(obj, key);
    if (!v)
        return false;
    if (!json_is_integer(v)) {
        type_error(c, key, "integer", v);
        return false;
    }
    json_int_t i = json_integer_value(v);
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

static int32_t get_i32(struct dctx *c, json_t *obj, const char *key)
{
    int64_t v = 0;
    get_int(c, obj, key, INT32_MIN, INT32_MAX, &v);
    return (int32_t)v;
}

static const char *intern_json(struct dctx *c, json_t *s)
{
    return hs_intern(c->t, json_string_value(s), json_string_length(s));
}

/* Interned string field, NULL when absent. */
static const char *get_istr(struct dctx *c, json_t *obj, const char *key)
{
    json_t *v = get_str(c, obj, key);
    return v ? intern_json(c, v) : NULL;
}

/* Arena copy of a string field, NULL when absent. */
static const char *get_astr(struct dctx *c, json_t *obj, const char *key)
{
    json_t *v = get_str(c, obj, key);
    return v ? hs_arena_strndup(c->a, json_string_value(v), json_string_length(v)) : NULL;
}

static bool str_is(json_t *s, const char *lit)
{
    return s && json_is_string(s) && strcmp(json_string_value(s), lit) == 0;
}

/* RFC 3339 ("2006-01-02T15:04:05Z", fraction and offset allowed). */
static bool parse_time(const char *s, int64_t *out)
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

static int64_t get_time(struct dctx *c, json_t *obj, const char *key)
{
    json_t *v = get_str(c, obj, key);
    int64_t t = 0;
    if (v && !parse_time(json_string_value(v), &t) && !c->rc) {
        size_t saved = path_key(c, key);
        c->rc = hs_err_set(c->err, HS_EPARSE, "cannot parse time '%s' at %s", json_string_value(v),
                           c->path);
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
static void dec_labels(struct dctx *c, json_t *obj, const char *key, struct model_labels *out)
{
    json_t *m = get_obj(c, obj, key);
    out->n = 0;
    if (!m || json_object_size(m) == 0)
        return;
    size_t saved = path_key(c, key);
    out->v = HS_ARENA_NEW_ARRAY(c->a, struct model_label, json_object_size(m));
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v)
    {
        if (!json_is_string(v)) {
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

static const char **dec_str_array(struct dctx *c, json_t *obj, const char *key, uint32_t *n)
{
    json_t *arr = get_arr(c, obj, key);
    *n = 0;
    if (!arr || json_array_size(arr) == 0)
        return NULL;
    const char **v = HS_ARENA_NEW_ARRAY(c->a, const char *, json_array_size(arr));
    size_t saved = path_key(c, key);
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        if (!json_is_string(e)) {
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

static enum model_op parse_op(json_t *s, bool node)
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
static void dec_requirements(struct dctx *c, json_t *arr, bool node, struct model_requirement *r,
                             uint32_t *n)
{
    size_t i;
    json_t *e;
    json_array_foreach(arr, i, e)
    {
        size_t saved = path_index(c, i);
        if (!json_is_object(e)) {
            type_error(c, NULL, "object", e);
            path_pop(c, saved);
            return;
        }
        json_t *key = get_str(c, e, "key");
        json_t *op = get_str(c, e, "operator");
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

static void dec_selector(struct dctx *c, json_t *obj, const char *key,
                         struct model_label_selector *sel)
{
    memset(sel, 0, sizeof(*sel));
    json_t *s = get_obj(c, obj, key);
    if (!s)
        return;
    sel->present = true;
    size_t saved = path_key(c, key);
    json_t *ml = get_obj(c, s, "matchLabels");
    json_t *me = get_arr(c, s, "matchExpressions");
    size_t total = (ml ? json_object_size(ml) : 0) + (me ? json_array_size(me) : 0);
    if (total) {
        sel->req = HS_ARENA_NEW_ARRAY(c->a, struct model_requirement, total);
        if (ml) {
            size_t s2 = path_key(c, "matchLabels");
            const char *k;
            json_t *v;
            json_object_foreach(ml, k, v)
            {
                if (!json_is_string(v)) {
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

static void dec_node_term(struct dctx *c, json_t *t, struct model_node_selector_term *out)
{
    memset(out, 0, sizeof(*out));
    json_t *me = get_arr(c, t, "matchExpressions");
    json_t *mf = get_arr(c, t, "matchFields");
    if (me && json_array_size(me)) {
        out->expr = HS_ARENA_NEW_ARRAY(c->a, struct model_requirement, json_array_size(me));
        size_t saved = path_key(c, "matchExpressions");
        dec_requirements(c, me, true, out->expr, &out->n_expr);
        path_pop(c, saved);
    }
    if (mf && json_array_size(mf) && !c->rc) {
        out->fields = HS_ARENA_NEW_ARRAY(c->a, struct model_requirement, json_array_size(mf));
        size_t saved = path_key(c, "matchFields");
        dec_requirements(c, mf, true, out->fields, &out->n_fields);
        path_pop(c, saved);
    }
}

/* A v1.NodeSelector ({nodeSelectorTerms: [...]}) into the required part. */
static void dec_node_selector(struct dctx *c, json_t *obj, const char *key,
                              struct model_node_affinity *na)
{
    json_t *ns = get_obj(c, obj, key);
    if (!ns)
        return;
    size_t saved = path_key(c, key);
    na->has_required = true;
    json_t *terms = get_arr(c, ns, "nodeSelectorTerms");
    if (terms && json_array_size(terms)) {
        size_t s2 = path_key(c, "nodeSelectorTerms");
        na->required =
            HS_ARENA_NEW_ARRAY(c->a, struct model_node_selector_term, json_array_size(terms));
        size_t i;
        json_t *t;
        json_array_foreach(terms, i, t)
        {
            size_t s3 = path_index(c, i);
            if (!json_is_object(t))
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

static void dec_node_affinity(struct dctx *c, json_t *aff, struct model_pod *p)
{
    json_t *na = get_obj(c, aff, "nodeAffinity");
    if (!na)
        return;
    size_t saved = path_key(c, "nodeAffinity");
    p->node_affinity = HS_ARENA_NEW(c->a, struct model_node_affinity);
    dec_node_selector(c, na, "requiredDuringSchedulingIgnoredDuringExecution", p->node_affinity);
    json_t *pref = get_arr(c, na, "preferredDuringSchedulingIgnoredDuringExecution");
    if (pref && json_array_size(pref) && !c->rc) {
        size_t s2 = path_key(c, "preferredDuringSchedulingIgnoredDuringExecution");
        p->node_affinity->preferred =
            HS_ARENA_NEW_ARRAY(c->a, struct model_preferred_term, json_array_size(pref));
        size_t i;
        json_t *e;
        json_array_foreach(pref, i, e)
        {
            size_t s3 = path_index(c, i);
            if (!json_is_object(e)) {
                type_error(c, NULL, "object", e);
            } else {
                struct model_preferred_term *pt =
                    &p->node_affinity->preferred[p->node_affinity->n_preferred];
                pt->weight = get_i32(c, e, "weight");
                json_t *t = get_obj(c, e, "preference");
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

static void dec_aff_term(struct dctx *c, json_t *t, struct model_pod_affinity_term *out)
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

static struct model_pod_affinity *dec_pod_affinity(struct dctx *c, json_t *aff, const char *key)
{
    json_t *pa = get_obj(c, aff, key);
    if (!pa)
        return NULL;
    struct model_pod_affinity *out = HS_ARENA_NEW(c->a, struct model_pod_affinity);
    size_t saved = path_key(c, key);
    json_t *req = get_arr(c, pa, "requiredDuringSchedulingIgnoredDuringExecution");
    if (req && json_array_size(req)) {
        size_t s2 = path_key(c, "requiredDuringSchedulingIgnoredDuringExecution");
        out->required =
            HS_ARENA_NEW_ARRAY(c->a, struct model_pod_affinity_term, json_array_size(req));
        size_t i;
        json_t *e;
        json_array_foreach(req, i, e)
        {
            size_t s3 = path_index(c, i);
            if (!json_is_object(e))
                type_error(c, NULL, "object", e);
            else
                dec_aff_term(c, e, &out->required[out->n_required++]);
            path_pop(c, s3);
            if (c->rc)
                break;
        }
        path_pop(c, s2);
    }
    json_t *pref = get_arr(c, pa, "preferredDuringSchedulingIgnoredDuringExecution");
    if (pref && json_array_size(pref) && !c->rc) {
        size_t s2 = path_key(c, "preferredDuringSchedulingIgnoredDuringExecution");
        out->preferred =
            HS_ARENA_NEW_ARRAY(c->a, struct model_pod_affinity_term, json_array_size(pref));
        size_t i;
        json_t *e;
        json_array_foreach(pref, i, e)
        {
            size_t s3 = path_index(c, i);
            if (!json_is_object(e)) {
                type_error(c, NULL, "object", e);
            } else {
                int32_t w = get_i32(c, e, "weight");
                json_t *t = get_obj(c, e, "podAffinityTerm");
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
static bool dec_quantity(struct dctx *c, const char *key, json_t *v, struct model_quantity *q)
{
    char num[64];
    const char *s;
    size_t n;
    if (json_is_string(v)) {
        s = json_string_value(v);
        n = json_string_length(v);
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        s = num;
        n = strlen(num);
    } else if (json_is_real(v)) {
        snprintf(num, sizeof(num), "%.17g", json_real_value(v));
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
static void dec_resources(struct dctx *c, json_t *obj, const char *key, struct model_resources *out,
                          bool final)
{
    memset(out, 0, sizeof(*out));
    json_t *m = get_obj(c, obj, key);
    if (!m || json_object_size(m) == 0)
        return;
    size_t saved = path_key(c, key);
    struct hs_arena *a = final ? c->a : &c->scratch;
    struct model_scalar *sc = HS_ARENA_NEW_ARRAY(a, struct model_scalar, json_object_size(m));
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v)
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
static void dec_container_requests(struct dctx *c, json_t *res, struct model_resources *out)
{
    struct model_resources lim;
    size_t saved = path_key(c, "resources");
    dec_resources(c, res, "requests", out, false);
    json_t *req = field(res, "requests");
    json_t *limits = get_obj(c, res, "limits");
    if (limits && !c->rc) {
        dec_resources(c, res, "limits", &lim, false);
        if (!c->rc) {
            bool has = req && json_is_object(req);
            if (!(has && json_object_get(req, "cpu")))
                out->cpu_milli = lim.cpu_milli;
            if (!(has && json_object_get(req, "memory")))
                out->memory = lim.memory;
            if (!(has && json_object_get(req, "ephemeral-storage")))
                out->ephemeral_storage = lim.ephemeral_storage;
            struct model_resources extra = { 0 };
            extra.scalar = HS_ARENA_NEW_ARRAY(&c->scratch, struct model_scalar, lim.n_scalar + 1);
            for (uint32_t i = 0; i < lim.n_scalar; i++)
                if (!(has && json_object_get(req, lim.scalar[i].name)))
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

static enum model_effect parse_effect(json_t *s)
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

static enum model_policy parse_policy(json_t *s)
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

static void dec_containers(struct dctx *c, json_t *spec, const char *key, bool init,
                           struct model_pod *p, struct cscratch *cs, size_t *n_ports)
{
    json_t *arr = get_arr(c, spec, key);
    if (!arr)
        return;
    size_t saved = path_key(c, key);
    size_t i;
    json_t *ct;
    json_array_foreach(arr, i, ct)
    {
        size_t s2 = path_index(c, i);
        if (!json_is_object(ct)) {
            type_error(c, NULL, "object", ct);
            path_pop(c, s2);
            break;
        }
        HS_GROW(cs->v, cs->cap, cs->n + 1);
        struct model_container_req *r = &cs->v[cs->n];
        memset(r, 0, sizeof(*r));
        r->init = init;
        json_t *rp = get_str(c, ct, "restartPolicy");
        r->restartable = init && str_is(rp, "Always");
        json_t *res = get_obj(c, ct, "resources");
        if (res)
            dec_container_requests(c, res, &r->req);
        cs->n++;
        /* host ports of containers and sidecars */
        json_t *ports = get_arr(c, ct, "ports");
        if (ports && (!init || r->restartable) && !c->rc) {
            size_t s3 = path_key(c, "ports");
            size_t j;
            json_t *pt;
            json_array_foreach(ports, j, pt)
            {
                size_t s4 = path_index(c, j);
                if (!json_is_object(pt)) {
                    type_error(c, NULL, "object", pt);
                } else {
                    int64_t hp = 0;
                    get_int(c, pt, "hostPort", INT32_MIN, INT32_MAX, &hp);
                    json_t *proto = get_str(c, pt, "protocol");
                    json_t *ip = get_str(c, pt, "hostIP");
                    if (hp > 0 && !c->rc) {
                        HS_GROW(p->host_ports, *n_ports, (size_t)p->n_host_ports + 1);
                        struct model_host_port *h = &p->host_ports[p->n_host_ports];
                        h->port = (int32_t)hp;
                        h->protocol = !proto || str_is(proto, "TCP") ? MODEL_PROTO_TCP
                                      : str_is(proto, "UDP")         ? MODEL_PROTO_UDP
                                      : str_is(proto, "SCTP")        ? MODEL_PROTO_SCTP
                                                                     : MODEL_PROTO_OTHER;
                        h->host_ip = ip && json_string_length(ip) ? intern_json(c, ip) : NULL;
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

static void dec_volumes(struct dctx *c, json_t *spec, struct model_pod *p)
{
    json_t *arr = get_arr(c, spec, "volumes");
    if (!arr || json_array_size(arr) == 0)
        return;
    size_t saved = path_key(c, "volumes");
    p->volumes = HS_ARENA_NEW_ARRAY(c->a, struct model_volume, json_array_size(arr));
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        size_t s2 = path_index(c, i);
        if (!json_is_object(v)) {
            type_error(c, NULL, "object", v);
            path_pop(c, s2);
            break;
        }
        struct model_volume *mv = &p->volumes[p->n_volumes++];
        mv->name = get_astr(c, v, "name");
        json_t *x;
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

static void dec_owners(struct dctx *c, json_t *meta, uint32_t *n, struct model_owner_ref **out)
{
    json_t *arr = get_arr(c, meta, "ownerReferences");
    *n = 0;
    if (!arr || json_array_size(arr) == 0)
        return;
    size_t saved = path_key(c, "ownerReferences");
    *out = HS_ARENA_NEW_ARRAY(c->a, struct model_owner_ref, json_array_size(arr));
    size_t i;
    json_t *o;
    json_array_foreach(arr, i, o)
    {
        size_t s2 = path_index(c, i);
        if (!json_is_object(o)) {
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
static void dec_pod_body(struct dctx *c, json_t *meta, json_t *spec, json_t *status,
                         struct model_pod *p)
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
        int64_t prio;
        if (get_int(c, spec, "priority", INT32_MIN, INT32_MAX, &prio)) {
            p->has_priority = true;
            p->priority = (int32_t)prio;
        }
        json_t *gates = get_arr(c, spec, "schedulingGates");
        p->scheduling_gated = gates && json_array_size(gates) > 0;
        p->host_network = get_bool(c, spec, "hostNetwork");
        dec_labels(c, spec, "nodeSelector", &p->node_selector);
        json_t *aff = get_obj(c, spec, "affinity");
        if (aff && !c->rc) {
            size_t s2 = path_key(c, "affinity");
            dec_node_affinity(c, aff, p);
            if (!c->rc)
                p->affinity = dec_pod_affinity(c, aff, "podAffinity");
            if (!c->rc)
                p->anti_affinity = dec_pod_affinity(c, aff, "podAntiAffinity");
            path_pop(c, s2);
        }
        json_t *tols = get_arr(c, spec, "tolerations");
        if (tols && json_array_size(tols) && !c->rc) {
            size_t s2 = path_key(c, "tolerations");
            p->tolerations =
                HS_ARENA_NEW_ARRAY(c->a, struct model_toleration, json_array_size(tols));
            size_t i;
            json_t *t;
            json_array_foreach(tols, i, t)
            {
                size_t s3 = path_index(c, i);
                if (!json_is_object(t)) {
                    type_error(c, NULL, "object", t);
                } else {
                    struct model_toleration *mt = &p->tolerations[p->n_tolerations];
                    mt->exists = str_is(field(t, "operator"), "Exists");
                    json_t *eff = get_str(c, t, "effect");
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
        json_t *tsc = get_arr(c, spec, "topologySpreadConstraints");
        if (tsc && json_array_size(tsc) && !c->rc) {
            size_t s2 = path_key(c, "topologySpreadConstraints");
            p->spreads = HS_ARENA_NEW_ARRAY(c->a, struct model_spread, json_array_size(tsc));
            size_t i;
            json_t *t;
            json_array_foreach(tsc, i, t)
            {
                size_t s3 = path_index(c, i);
                if (!json_is_object(t)) {
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
        json_t *pres = get_obj(c, spec, "resources");
        if (pres && !c->rc) {
            size_t s2 = path_key(c, "resources");
            dec_resources(c, pres, "requests", &plr, false);
            json_t *rq = field(pres, "requests");
            if (rq && json_is_object(rq)) {
                pl.has_cpu = json_object_get(rq, "cpu") != NULL;
                pl.has_memory = json_object_get(rq, "memory") != NULL;
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
        json_t *ph = get_str(c, status, "phase");
        p->phase = str_is(ph, "Pending")     ? MODEL_PHASE_PENDING
                   : str_is(ph, "Running")   ? MODEL_PHASE_RUNNING
                   : str_is(ph, "Succeeded") ? MODEL_PHASE_SUCCEEDED
                   : str_is(ph, "Failed")    ? MODEL_PHASE_FAILED
                                             : MODEL_PHASE_UNKNOWN;
        json_t *conds = get_arr(c, status, "conditions");
        size_t i;
        json_t *cd;
        if (conds) {
            size_t s2 = path_key(c, "conditions");
            json_array_foreach(conds, i, cd)
            {
                size_t s3 = path_index(c, i);
                if (!json_is_object(cd))
                    type_error(c, NULL, "object", cd);
                else if (str_is(field(cd, "type"), "PodScheduled") && !p->scheduled) {
                    json_t *st = get_str(c, cd, "status");
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

static void dec_node(struct dctx *c, json_t *o, struct model_node *n)
{
    json_t *meta = get_obj(c, o, "metadata");
    json_t *spec = get_obj(c, o, "spec");
    json_t *status = get_obj(c, o, "status");
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
        json_t *taints = get_arr(c, spec, "taints");
        if (taints && json_array_size(taints) && !c->rc) {
            size_t s2 = path_key(c, "taints");
            n->taints = HS_ARENA_NEW_ARRAY(c->a, struct model_taint, json_array_size(taints));
            size_t i;
            json_t *t;
            json_array_foreach(taints, i, t)
            {
                size_t s3 = path_index(c, i);
                if (!json_is_object(t)) {
                    type_error(c, NULL, "object", t);
                } else {
                    struct model_taint *mt = &n->taints[n->n_taints];
                    json_t *eff = get_str(c, t, "effect");
                    mt->effect = parse_effect(eff);
                    if (mt->effect == MODEL_EFFECT_ALL)
                        mt->effect = MODEL_EFFECT_OTHER;
                    json_t *k = get_str(c, t, "key");
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
        json_t *conds = get_arr(c, status, "conditions");
        if (conds && !c->rc) {
            size_t s2 = path_key(c, "conditions");
            size_t i;
            json_t *cd;
            json_array_foreach(conds, i, cd)
            {
                size_t s3 = path_index(c, i);
                if (!json_is_object(cd)) {
                    type_error(c, NULL, "object", cd);
                } else if (str_is(field(cd, "type"), "Ready") && !n->ready) {
                    json_t *st = get_str(c, cd, "status");
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

static void dec_int_or_percent(struct dctx *c, json_t *o, const char *key,
                               struct model_int_or_percent *out)
{
    json_t *v = field(o, key);
    memset(out, 0, sizeof(*out));
    if (!v)
        return;
    out->set = true;
    if (json_is_integer(v)) {
        int64_t x = 0;
        get_int(c, o, key, INT32_MIN, INT32_MAX, &x);
        out->value = (int32_t)x;
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
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

static void dec_pdb(struct dctx *c, json_t *o, struct model_pdb *p)
{
    json_t *meta = get_obj(c, o, "metadata");
    json_t *spec = get_obj(c, o, "spec");
    json_t *status = get_obj(c, o, "status");
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

static void dec_daemonset(struct dctx *c, json_t *o, struct model_daemonset *d)
{
    json_t *meta = get_obj(c, o, "metadata");
    json_t *spec = get_obj(c, o, "spec");
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
        json_t *tmpl = get_obj(c, spec, "template");
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

static void dec_pvc(struct dctx *c, json_t *o, struct model_pvc *p)
{
    json_t *meta = get_obj(c, o, "metadata");
    json_t *spec = get_obj(c, o, "spec");
    json_t *status = get_obj(c, o, "status");
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
        json_t *vn = get_str(c, spec, "volumeName");
        p->volume_name = vn && json_string_length(vn) ? intern_json(c, vn) : NULL;
        p->storage_class = get_istr(c, spec, "storageClassName");
        path_pop(c, saved);
    }
    if (status && !c->rc) {
        json_t *ph = field(status, "phase");
        p->phase = str_is(ph, "Bound")  ? MODEL_PVC_BOUND
                   : str_is(ph, "Lost") ? MODEL_PVC_LOST
                                        : MODEL_PVC_PENDING;
    }
}

static void dec_pv(struct dctx *c, json_t *o, struct model_pv *p)
{
    json_t *meta = get_obj(c, o, "metadata");
    json_t *spec = get_obj(c, o, "spec");
    if (meta && !c->rc) {
        size_t saved = path_key(c, "metadata");
        p->name = get_istr(c, meta, "name");
        dec_labels(c, meta, "labels", &p->labels);
        path_pop(c, saved);
    }
    if (spec && !c->rc) {
        size_t saved = path_key(c, "spec");
        json_t *na = get_obj(c, spec, "nodeAffinity");
        if (na) {
            size_t s2 = path_key(c, "nodeAffinity");
            dec_node_selector(c, na, "required", &p->node_affinity);
            path_pop(c, s2);
        }
        json_t *cr = get_obj(c, spec, "claimRef");
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

/* ---- entry points ---------------------------------------------------------- */

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
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strlen(kinds[i].name) == n && memcmp(kinds[i].name, k, n) == 0)
            return kinds[i].kind;
    return KUBE_KIND_OTHER;
}

static void object_unref(struct kube_object *o, struct hs_intern *t)
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
    case KUBE_KIND_OTHER:
        break;
    }
}

/* Decodes the parsed object j; the path prefix is already in c. */
static void dec_object(struct dctx *c, json_t *j, const char *kind_hint, struct kube_object *out)
{
    out->kind = KUBE_KIND_OTHER;
    if (!json_is_object(j)) {
        type_error(c, NULL, "object", j);
        return;
    }
    json_t *k = get_str(c, j, "kind");
    if (c->rc)
        return;
    const char *ks = k ? json_string_value(k) : kind_hint;
    enum kube_kind kind = ks ? kind_of(ks, strlen(ks)) : KUBE_KIND_OTHER;
    out->kind = kind;
    switch (kind) {
    case KUBE_KIND_NODE:
        out->u.node = HS_ARENA_NEW(c->a, struct model_node);
        dec_node(c, j, out->u.node);
        break;
    case KUBE_KIND_POD: {
        out->u.pod = HS_ARENA_NEW(c->a, struct model_pod);
        json_t *meta = get_obj(c, j, "metadata");
        json_t *spec = get_obj(c, j, "spec");
        json_t *status = get_obj(c, j, "status");
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
    case KUBE_KIND_OTHER:
        break;
    }
    if (c->rc) {
        object_unref(out, c->t);
        out->kind = KUBE_KIND_OTHER;
    }
}

static void ctx_init(struct dctx *c, struct hs_intern *t, struct hs_arena *a, struct hs_err *err)
{
    memset(c, 0, sizeof(*c));
    c->t = t;
    c->a = a;
    c->err = err;
    hs_arena_init(&c->scratch, 16 * 1024);
}

/* Parses buf[0..len) with jansson and decodes it. */
static void parse_and_decode(struct dctx *c, const char *buf, size_t len, size_t base,
                             const char *kind_hint, struct kube_object *out)
{
    json_error_t jerr;
    out->kind = KUBE_KIND_OTHER;
    json_t *j = json_loadb(buf, len, JSON_DECODE_ANY, &jerr);
    if (!j) {
        c->rc = hs_err_set(c->err, HS_EPARSE, "invalid JSON%s%s: %s (byte %zu of the input)",
                           c->plen ? " at " : "", c->path, jerr.text,
                           base + (size_t)(jerr.position > 0 ? jerr.position : 0));
        return;
    }
    dec_object(c, j, kind_hint, out);
    json_decref(j);
    tmp_release(c);
    hs_arena_clear(&c->scratch);
}

enum hs_code kube_decode_object(const char *buf, size_t len, const char *kind_hint,
                                struct hs_intern *t, struct hs_arena *a, struct kube_object *out,
                                struct hs_err *err)
{
    struct dctx c;
    ctx_init(&c, t, a, err);
    parse_and_decode(&c, buf, len, 0, kind_hint, out);
    hs_arena_release(&c.scratch);
    hs_free(c.tmp);
    return c.rc;
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
    case KUBE_KIND_OTHER:
        break;
    }
}

enum hs_code kube_decode_buffer(struct model_cluster *cl, const char *buf, size_t len,
                                const char *name, struct hs_err *err)
{
    struct kube__top top;
    struct dctx c;
    char hint[128];
    const char *kind_hint = NULL;
    enum hs_code rc = kube__scan_top(buf, len, &top, err);
    if (rc)
        goto out;
    ctx_init(&c, cl->intern, &cl->arena, err);
    if (!top.has_items) {
        struct kube_object o;
        parse_and_decode(&c, buf, len, 0, NULL, &o);
        if (!c.rc)
            cluster_add(cl, &o);
    } else {
        /* items of a typed list ("PodList") may omit their kind */
        if (top.kind && top.kind_len > 4 && top.kind_len < sizeof(hint) &&
            memcmp(top.kind + top.kind_len - 4, "List", 4) == 0) {
            memcpy(hint, top.kind, top.kind_len - 4);
            hint[top.kind_len - 4] = '\0';
            kind_hint = hint;
        }
        for (size_t i = 0; i < top.n_items && !c.rc; i++) {
            struct kube_object o;
            c.plen = 0;
            c.path[0] = '\0';
            path_key(&c, "items");
            path_index(&c, i);
            parse_and_decode(&c, buf + top.item_off[i], top.item_len[i], top.item_off[i], kind_hint,
                             &o);
            if (!c.rc)
                cluster_add(cl, &o);
        }
    }
    rc = c.rc;
    hs_arena_release(&c.scratch);
    hs_free(c.tmp);
    kube__top_release(&top);
out:
    if (rc && name)
        hs_err_prefix(err, "%s", name);
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
    enum hs_code rc = kube_decode_buffer(c, map, len, path, err);
    munmap(map, len);
    return rc;
}
