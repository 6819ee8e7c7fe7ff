/*
 * The priority expander's configuration: the `priorities` text of the
 * cluster-autoscaler-priority-expander ConfigMap, a YAML mapping from
 * integer priorities to lists of regular expressions, parsed by hand for
 * exactly that shape (lib/autoscaler may not use libyaml), and group names
 * matched against it with POSIX regcomp as an unanchored search, as
 * cluster-autoscaler's Go regexp FindStringIndex does. It must never do I/O;
 * every error names the line at fault.
 */
#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "autoscaler/expander.h"
#include "base/alloc.h"
#include "base/buf.h"

struct prio_re {
    int64_t prio;
    regex_t re;
    char *src; /* the expression as written, for messages */
};

struct asc_priorities {
    struct prio_re *v;
    size_t n, cap;
};

void asc_priorities_free(struct asc_priorities **pp)
{
    struct asc_priorities *p = pp ? *pp : NULL;
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        regfree(&p->v[i].re);
        hs_free(p->v[i].src);
    }
    hs_free(p->v);
    hs_free(p);
    *pp = NULL;
}

bool asc_priorities_of(const struct asc_priorities *p, const char *name, int64_t *prio)
{
    bool found = false;
    for (size_t i = 0; p && i < p->n; i++) {
        if (found && p->v[i].prio <= *prio)
            continue;
        if (regexec(&p->v[i].re, name, 0, NULL, 0) == 0) {
            *prio = p->v[i].prio;
            found = true;
        }
    }
    return found;
}

/* ---- RE2 to POSIX extended --------------------------------------------------- */

static const char *class_body(char c)
{
    switch (c) {
    case 'd':
        return "0-9";
    case 'w':
        return "0-9A-Za-z_";
    case 's':
        return "[:space:]";
    default:
        return NULL;
    }
}

/* RE2's largest repeat count; also the limit on nested counts multiplied
 * together (glibc's regcomp expands counted repeats, so "(a{1000}){1000}"
 * would otherwise take a million states). */
#define MAX_REPEAT 1000
#define MAX_DEPTH  64

/* Reads an interval "{n}", "{n,}" or "{n,m}" at p; returns its length and
 * the largest count in *count (n when unbounded), or 0 when p does not
 * start one (RE2 then takes '{' literally). */
static size_t interval(const char *p, long *count)
{
    const char *q = p + 1;
    long n = 0, m = -1;
    if (!isdigit((unsigned char)*q))
        return 0;
    while (isdigit((unsigned char)*q) && n <= 100000)
        n = n * 10 + (*q++ - '0');
    if (*q == ',') {
        q++;
        if (isdigit((unsigned char)*q)) {
            m = 0;
            while (isdigit((unsigned char)*q) && m <= 100000)
                m = m * 10 + (*q++ - '0');
        }
    }
    if (*q != '}')
        return 0;
    *count = m > n ? m : n;
    return (size_t)(q + 1 - p);
}

/* re as it is quoted in messages: control characters escaped, so that an
 * error stays one line whatever the ConfigMap held; long ones shortened. */
static void show(const char *re, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)re; *p && w + 8 < size; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            out[w++] = '\\';
            out[w++] = 'x';
            out[w++] = hex[*p >> 4];
            out[w++] = hex[*p & 15];
        } else {
            out[w++] = (char)*p;
        }
    }
    if (re[0] && w + 8 >= size)
        memcpy(out + w - 3, "...", 3);
    out[w] = '\0';
}

static enum hs_code bad_re(struct hs_err *err, unsigned line, const char *re, const char *why)
{
    return hs_err_set(err, HS_EPARSE, "priorities line %u: regular expression \"%s\": %s", line, re,
                      why);
}

/* Translates the RE2 expression re into ERE in out, refusing what RE2
 * refuses about repetition (nested operators like "a++", a missing
 * argument, counts above 1000 alone or multiplied through groups), so that
 * no expression cluster-autoscaler would reject can reach regcomp. */
static enum hs_code to_ere(const char *re, struct hs_buf *out, unsigned line, struct hs_err *err)
{
    char shown[128];
    show(re, shown, sizeof(shown));
    bool in_bracket = false;
    /* after_atom: the last thing emitted can take a repetition; after_rep:
     * it was one; lazy_ok: a '?' now makes it non-greedy. */
    bool after_atom = false, after_rep = false, lazy_ok = false;
    long inner[MAX_DEPTH + 1] = { 0 }; /* per open group: largest count product inside */
    long group_product = 0;            /* of the group just closed, for a count after it */
    int depth = 0;
    for (const char *p = re; *p; p++) {
        if (!in_bracket) {
            bool rep = *p == '*' || *p == '+' || *p == '?';
            long count = 0;
            size_t ilen = *p == '{' ? interval(p, &count) : 0;
            if (rep || ilen) {
                if (*p == '?' && lazy_ok) { /* non-greedy: same matches for a search */
                    lazy_ok = false;
                    continue;
                }
                if (after_rep)
                    return bad_re(err, line, shown, "invalid nested repetition operator");
                if (!after_atom)
                    return bad_re(err, line, shown, "missing argument to repetition operator");
                if (ilen) {
                    long prod = count * (group_product > 0 ? group_product : 1);
                    if (count > MAX_REPEAT || prod > MAX_REPEAT)
                        return bad_re(err, line, shown, "invalid repeat count");
                    if (prod > inner[depth])
                        inner[depth] = prod;
                    hs_buf_add(out, p, ilen);
                    p += ilen - 1;
                } else {
                    hs_buf_addc(out, *p);
                }
                after_rep = true;
                lazy_ok = true;
                after_atom = false;
                group_product = 0;
                continue;
            }
            if (*p == '{') { /* not an interval: a literal brace in RE2 */
                hs_buf_adds(out, "\\{");
                after_atom = true;
                after_rep = lazy_ok = false;
                group_product = 0;
                continue;
            }
            after_rep = lazy_ok = false;
            group_product = 0;
            if (*p == '(') {
                if (depth == MAX_DEPTH)
                    return bad_re(err, line, shown, "expression nests too deeply");
                inner[++depth] = 0;
                after_atom = false;
            } else if (*p == ')') {
                if (depth > 0) {
                    group_product = inner[depth] > 0 ? inner[depth] : 1;
                    if (inner[depth] > inner[depth - 1])
                        inner[depth - 1] = inner[depth];
                    depth--;
                }
                after_atom = true;
            } else if (*p == '|' || *p == '^') {
                after_atom = false;
            } else {
                after_atom = true; /* set again below for escapes and brackets */
            }
        }
        if (!in_bracket && p[0] == '(' && p[1] == '?')
            return hs_err_set(err, HS_EPARSE,
                              "priorities line %u: regular expression \"%s\" uses RE2-only "
                              "syntax \"(?\", which hoist does not support",
                              line, shown);
        if (*p == '\\') {
            char c = p[1];
            if (!c)
                return hs_err_set(err, HS_EPARSE,
                                  "priorities line %u: regular expression \"%s\" ends with \\",
                                  line, shown);
            const char *body = class_body((char)tolower((unsigned char)c));
            if (body) {
                bool neg = isupper((unsigned char)c);
                if (in_bracket) {
                    if (neg)
                        return hs_err_set(err, HS_EPARSE,
                                          "priorities line %u: regular expression \"%s\": \\%c "
                                          "inside brackets is not supported",
                                          line, shown, c);
                    hs_buf_adds(out, body);
                } else {
                    hs_buf_adds(out, neg ? "[^" : "[");
                    hs_buf_adds(out, body);
                    hs_buf_addc(out, ']');
                }
                p++;
                continue;
            }
            if (isalnum((unsigned char)c))
                return hs_err_set(err, HS_EPARSE,
                                  "priorities line %u: regular expression \"%s\": escape \\%c is "
                                  "not supported",
                                  line, shown, c);
            if (in_bracket) {
                /* A bracket takes characters literally in POSIX. */
                if (c == ']' || c == '^' || c == '-' || c == '[')
                    return hs_err_set(err, HS_EPARSE,
                                      "priorities line %u: regular expression \"%s\": \\%c "
                                      "inside brackets is not supported",
                                      line, shown, c);
                hs_buf_addc(out, c);
            } else {
                hs_buf_addc(out, '\\');
                hs_buf_addc(out, c);
            }
            p++;
            continue;
        }
        if (!in_bracket && *p == '[') {
            in_bracket = true;
            hs_buf_addc(out, '[');
            /* A leading ^ and a leading ] belong to the bracket. */
            if (p[1] == '^') {
                hs_buf_addc(out, '^');
                p++;
            }
            if (p[1] == ']') {
                hs_buf_addc(out, ']');
                p++;
            }
            continue;
        }
        if (in_bracket && p[0] == '[' && p[1] == ':') {
            const char *end = strstr(p + 2, ":]");
            if (end) {
                hs_buf_add(out, p, (size_t)(end + 2 - p));
                p = end + 1;
                continue;
            }
        }
        if (in_bracket && *p == ']')
            in_bracket = false;
        hs_buf_addc(out, *p);
    }
    return HS_OK;
}

static enum hs_code add_re(struct asc_priorities *p, int64_t prio, const char *src, size_t len,
                           unsigned line, struct hs_err *err)
{
    char *re = hs_strndup(src, len);
    struct hs_buf ere;
    enum hs_code rc;

    hs_buf_init(&ere);
    rc = to_ere(re, &ere, line, err);
    if (rc)
        goto out;
    HS_GROW(p->v, p->cap, p->n + 1);
    struct prio_re *e = &p->v[p->n];
    int r = regcomp(&e->re, ere.data, REG_EXTENDED | REG_NOSUB);
    if (r != 0) {
        char why[160], shown[128];
        regerror(r, &e->re, why, sizeof(why));
        show(re, shown, sizeof(shown));
        rc = hs_err_set(err, HS_EPARSE,
                        "priorities line %u: cannot compile regular expression \"%s\" for "
                        "priority %lld: %s",
                        line, shown, (long long)prio, why);
        goto out;
    }
    e->prio = prio;
    e->src = re;
    re = NULL;
    p->n++;
out:
    hs_free(re);
    hs_buf_release(&ere);
    return rc;
}

/* ---- the YAML subset ------------------------------------------------------------ */

struct cursor {
    const char *p, *end;
    unsigned line;
};

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

/* True when [p, end) holds only blanks and maybe a comment. */
static bool blank_rest(const char *p, const char *end)
{
    p = skip_space(p, end);
    return p == end || *p == '#';
}

/* Reads one scalar from [*pp, end) into out: quoted ('...' or "...") or
 * plain (up to a comment, or, in a flow list, to ',' or ']'). */
static enum hs_code scalar(const char **pp, const char *end, bool flow, struct hs_buf *out,
                           unsigned line, struct hs_err *err)
{
    const char *p = skip_space(*pp, end);
    hs_buf_clear(out);
    if (p < end && (*p == '\'' || *p == '"')) {
        char q = *p++;
        for (;;) {
            if (p >= end)
                return hs_err_set(err, HS_EPARSE, "priorities line %u: unterminated %s string",
                                  line, q == '"' ? "double-quoted" : "single-quoted");
            if (*p == q) {
                if (q == '\'' && p + 1 < end && p[1] == '\'') {
                    hs_buf_addc(out, '\'');
                    p += 2;
                    continue;
                }
                p++;
                break;
            }
            if (q == '"' && *p == '\\') {
                char c = p + 1 < end ? p[1] : '\0';
                char lit;
                switch (c) {
                case '\\':
                case '"':
                case '/':
                    lit = c;
                    break;
                case 't':
                    lit = '\t';
                    break;
                case 'n':
                    lit = '\n';
                    break;
                default:
                    return hs_err_set(err, HS_EPARSE,
                                      "priorities line %u: invalid escape \\%c in a "
                                      "double-quoted string (write \\\\ for a backslash)",
                                      line, c > ' ' ? c : '?');
                }
                hs_buf_addc(out, lit);
                p += 2;
                continue;
            }
            hs_buf_addc(out, *p++);
        }
        *pp = p;
        return HS_OK;
    }
    const char *s = p;
    while (p < end) {
        if (flow && (*p == ',' || *p == ']'))
            break;
        if (*p == '#' && p > s && (p[-1] == ' ' || p[-1] == '\t'))
            break;
        p++;
    }
    const char *e = p;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    hs_buf_add(out, s, (size_t)(e - s));
    *pp = p;
    return HS_OK;
}

static enum hs_code parse_key(const char *p, const char *end, int64_t *prio, const char **rest,
                              unsigned line, struct hs_err *err)
{
    const char *s = p;
    if (p < end && (*p == '-' || *p == '+'))
        p++;
    const char *digits = p;
    while (p < end && isdigit((unsigned char)*p))
        p++;
    const char *colon = skip_space(p, end);
    if (p == digits || colon >= end || *colon != ':') {
        const char *nl = s;
        while (nl < end && *nl != '\n')
            nl++;
        return hs_err_set(err, HS_EPARSE,
                          "priorities line %u: expected \"<integer priority>:\" or \"- <regular "
                          "expression>\", got \"%.*s\"",
                          line, (int)(nl - s > 60 ? 60 : nl - s), s);
    }
    if (p - digits > 18)
        return hs_err_set(err, HS_EPARSE, "priorities line %u: priority \"%.*s\" is too large",
                          line, (int)(p - s), s);
    char num[24];
    memcpy(num, s, (size_t)(p - s));
    num[p - s] = '\0';
    *prio = strtoll(num, NULL, 10);
    *rest = colon + 1;
    return HS_OK;
}

enum hs_code asc_priorities_parse(const char *text, size_t len, struct asc_priorities **out,
                                  struct hs_err *err)
{
    struct asc_priorities *p = hs_calloc(1, sizeof(*p));
    struct hs_buf item;
    const char *end = text + len;
    const char *line_start = text;
    unsigned line = 0, key_line = 0;
    bool have_key = false;
    size_t key_items = 0, n_keys = 0;
    int64_t prio = 0;
    int64_t *keys = NULL;
    size_t cap_keys = 0;
    enum hs_code rc = HS_OK;

    *out = NULL;
    hs_buf_init(&item);
    while (line_start < end) {
        const char *eol = memchr(line_start, '\n', (size_t)(end - line_start));
        const char *le = eol ? eol : end;
        line++;
        if (le > line_start && le[-1] == '\r')
            le--;
        const char *q = skip_space(line_start, le);
        line_start = eol ? eol + 1 : end;
        if (q == le || *q == '#')
            continue;
        if (*q == '-' && (q + 1 == le || q[1] == ' ' || q[1] == '\t')) {
            if (!have_key) {
                rc = hs_err_set(err, HS_EPARSE,
                                "priorities line %u: list item before any \"<priority>:\" key",
                                line);
                goto fail;
            }
            const char *r = q + 1;
            rc = scalar(&r, le, false, &item, line, err);
            if (rc)
                goto fail;
            if (!blank_rest(r, le)) {
                rc =
                    hs_err_set(err, HS_EPARSE,
                               "priorities line %u: unexpected text after the quoted string", line);
                goto fail;
            }
            if (item.len == 0) {
                rc = hs_err_set(err, HS_EPARSE, "priorities line %u: empty regular expression",
                                line);
                goto fail;
            }
            rc = add_re(p, prio, item.data, item.len, line, err);
            if (rc)
                goto fail;
            key_items++;
            continue;
        }
        /* A new key: the previous one must have had items. */
        if (have_key && key_items == 0) {
            rc = hs_err_set(err, HS_EPARSE,
                            "priorities line %u: priority %lld has no regular expressions",
                            key_line, (long long)prio);
            goto fail;
        }
        const char *rest = le; /* parse_key sets it on success */
        rc = parse_key(q, le, &prio, &rest, line, err);
        if (rc)
            goto fail;
        for (size_t i = 0; i < n_keys; i++) {
            if (keys[i] == prio) {
                rc = hs_err_set(err, HS_EPARSE, "priorities line %u: priority %lld given twice",
                                line, (long long)prio);
                goto fail;
            }
        }
        HS_GROW(keys, cap_keys, n_keys + 1);
        keys[n_keys++] = prio;
        have_key = true;
        key_line = line;
        key_items = 0;
        rest = skip_space(rest, le);
        if (rest < le && *rest == '[') {
            /* A flow list on the key's line. */
            const char *r = rest + 1;
            for (;;) {
                rc = scalar(&r, le, true, &item, line, err);
                if (rc)
                    goto fail;
                r = skip_space(r, le);
                if (item.len) {
                    rc = add_re(p, prio, item.data, item.len, line, err);
                    if (rc)
                        goto fail;
                    key_items++;
                }
                if (r < le && *r == ',') {
                    r++;
                    continue;
                }
                if (r < le && *r == ']') {
                    r++;
                    break;
                }
                rc = hs_err_set(err, HS_EPARSE, "priorities line %u: unterminated [ list", line);
                goto fail;
            }
            if (!blank_rest(r, le)) {
                rc =
                    hs_err_set(err, HS_EPARSE, "priorities line %u: unexpected text after ]", line);
                goto fail;
            }
        } else if (!blank_rest(rest, le)) {
            rc = hs_err_set(err, HS_EPARSE,
                            "priorities line %u: expected a list of regular expressions on the "
                            "lines after \"%lld:\"",
                            line, (long long)prio);
            goto fail;
        }
    }
    if (!have_key) {
        rc = hs_err_set(err, HS_EPARSE,
                        "priorities: the configuration is empty; want \"<priority>:\" keys with "
                        "lists of regular expressions");
        goto fail;
    }
    if (key_items == 0) {
        rc = hs_err_set(err, HS_EPARSE,
                        "priorities line %u: priority %lld has no regular expressions", key_line,
                        (long long)prio);
        goto fail;
    }
    hs_free(keys);
    hs_buf_release(&item);
    *out = p;
    return HS_OK;
fail:
    hs_free(keys);
    hs_buf_release(&item);
    asc_priorities_free(&p);
    return rc;
}
