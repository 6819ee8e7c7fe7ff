/*
 * The element matcher of xml_int.h for AWS Query-protocol responses, the
 * scalar parsers shared with the CLI-JSON decoder, and the two error
 * envelopes (aws_xml_error).
 *
 * Responses are small trees of named elements with text leaves. A decoder
 * gives a schema of the elements it reads; the matcher follows it element
 * by element (one sibling lookup per element, nothing below an unknown
 * element is looked at) and hands over the text of the schema's leaves.
 *
 * Two tokenizers feed the matcher. The fast scanner reads the subset of
 * XML that AWS sends (UTF-8, an optional XML declaration, elements,
 * attributes, text with the five predefined entities and character
 * references) and declines everything else: comments, processing
 * instructions, CDATA, a DOCTYPE, a byte order mark, any well-formedness
 * or decode error. A declined document is rewound (the schema's rewind)
 * and parsed again from the start by expat, which then gives exactly the
 * results and messages it always gave; so the scanner must never accept a
 * document expat refuses (test/fuzz/aws_xml_diff.c checks that both agree
 * on every input the scanner accepts).
 *
 * This file must never expand entities or accept a DOCTYPE (a response has
 * none; a hostile one could), never keep a secret longer than the element
 * that held it (text buffers are wiped; secrets are only read through
 * expat), and never log.
 */
#include "xml_int.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <expat.h>
#include <openssl/crypto.h>

#include "aws/decode.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/common.h"

#define MAX_DEPTH 64
#define MAX_NODES 128
#define NO_NODE   0xffu /* an element the schema does not name, or no more siblings */

struct aws__xml {
    XML_Parser p; /* NULL on the fast scanner */
    struct hs_err *err;
    const struct aws__xml_schema *schema;
    void *ctx;
    /* The schema being followed (the decoder's, or the error envelope's). */
    const struct aws__xml_node *nodes;
    uint8_t first_child[MAX_NODES], next_sibling[MAX_NODES];
    uint16_t name_len[MAX_NODES];
    uint8_t node[MAX_DEPTH + 1]; /* schema node of the element open at each depth */
    unsigned depth;              /* 0 outside the root, 1 inside it, ... */
    char root[128];
    /* expat only: the path below the root (slash-joined) for messages, and
     * the text of the innermost element. */
    struct hs_buf path;
    size_t mark[MAX_DEPTH];
    struct hs_buf text;
    bool error_envelope;
    struct aws_error_info einfo;
    enum hs_code rc;
};

#ifdef HS_UNITTEST_BUILD
enum aws__xml_path aws__xml_path = AWS__XML_AUTO;
#endif

/* ---- scalar parsers ---- */

bool aws__parse_i64(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    uint64_t v = 0;
    if (n && s[0] == '-') {
        neg = true;
        i = 1;
    }
    if (i == n)
        return false;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return false;
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return false;
        *out = (int64_t)v;
    }
    return true;
}

bool aws__parse_i32(const char *s, size_t n, int32_t *out)
{
    int64_t v;
    if (!aws__parse_i64(s, n, &v) || v < INT32_MIN || v > INT32_MAX)
        return false;
    *out = (int32_t)v;
    return true;
}

bool aws__parse_bool(const char *s, size_t n, bool *out)
{
    if (n == 4 && memcmp(s, "true", 4) == 0)
        *out = true;
    else if (n == 5 && memcmp(s, "false", 5) == 0)
        *out = false;
    else
        return false;
    return true;
}

static bool digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), Howard Hinnant's
 * days_from_civil. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool aws__parse_time(const char *s, size_t n, int64_t *out)
{
    int y, mo, d, h, mi, se;
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (n < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':')
        return false;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
        !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
        return false;
    size_t i = 19;
    if (i < n && s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
    }
    int64_t offset = 0;
    if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        int oh, om;
        if (!digits(s + i + 1, 2, &oh) || !digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
            return false;
        offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
        i += 6;
    }
    if (i != n)
        return false;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
    return true;
}

/* ---- the matcher ---- */

enum hs_code aws__xml_fail(struct aws__xml *x, struct hs_err *err, const char *what)
{
    if (!x->p)
        return HS_EPARSE; /* the fast scanner: expat parses again and says it */
    return hs_err_set(err ? err : x->err, HS_EPARSE, "%s at %s%s%s (line %lu)", what, x->root,
                      x->path.len ? "/" : "", x->path.data,
                      (unsigned long)XML_GetCurrentLineNumber(x->p));
}

enum hs_code aws__xml_i32(struct aws__xml *x, const char *text, size_t len, int32_t *out)
{
    if (!aws__parse_i32(text, len, out))
        return aws__xml_fail(x, NULL, "expected a 32-bit integer");
    return HS_OK;
}

enum hs_code aws__xml_i64(struct aws__xml *x, const char *text, size_t len, int64_t *out)
{
    if (!aws__parse_i64(text, len, out))
        return aws__xml_fail(x, NULL, "expected an integer");
    return HS_OK;
}

enum hs_code aws__xml_bool(struct aws__xml *x, const char *text, size_t len, bool *out)
{
    if (!aws__parse_bool(text, len, out))
        return aws__xml_fail(x, NULL, "expected true or false");
    return HS_OK;
}

enum hs_code aws__xml_time(struct aws__xml *x, const char *text, size_t len, int64_t *out)
{
    if (!aws__parse_time(text, len, out))
        return aws__xml_fail(x, NULL, "expected an ISO 8601 time");
    return HS_OK;
}

void aws__xml_undo_init(struct aws__xml_undo *u, void **v, uint32_t *n, uint32_t *cap,
                        char **next_token)
{
    u->v = v;
    u->n = n;
    u->cap = cap;
    u->v0 = *v;
    u->n0 = *n;
    u->cap0 = *cap;
    u->next_token = next_token;
}

void aws__xml_undo(struct aws__xml_undo *u)
{
    *u->v = u->v0;
    *u->n = u->n0;
    *u->cap = u->cap0;
    if (u->next_token) {
        hs_free(*u->next_token);
        *u->next_token = NULL;
    }
}

/* The error envelopes, below their root (any root name). */
enum {
    E_ROOT,
    E_ERROR,
    E_ERROR_CODE,
    E_ERROR_MESSAGE,
    E_ERROR_TYPE,
    E_ERRORS,
    E_ERRORS_ERROR,
    E_ERRORS_CODE,
    E_ERRORS_MESSAGE,
    E_REQUEST_ID,
    E_REQUEST_ID_EC2,
};

static const struct aws__xml_node envelope_nodes[] = {
    [E_ROOT] = { NULL, 0, 0 },
    [E_ERROR] = { "Error", E_ROOT, 0 },
    [E_ERROR_CODE] = { "Code", E_ERROR, AWS__XML_TEXT },
    [E_ERROR_MESSAGE] = { "Message", E_ERROR, AWS__XML_TEXT },
    [E_ERROR_TYPE] = { "Type", E_ERROR, AWS__XML_TEXT },
    [E_ERRORS] = { "Errors", E_ROOT, 0 },
    [E_ERRORS_ERROR] = { "Error", E_ERRORS, 0 },
    [E_ERRORS_CODE] = { "Code", E_ERRORS_ERROR, AWS__XML_TEXT },
    [E_ERRORS_MESSAGE] = { "Message", E_ERRORS_ERROR, AWS__XML_TEXT },
    [E_REQUEST_ID] = { "RequestId", E_ROOT, AWS__XML_TEXT },
    [E_REQUEST_ID_EC2] = { "RequestID", E_ROOT, AWS__XML_TEXT },
};

static const struct aws__xml_node any_root[] = { { NULL, 0, 0 } };

/* Follows nodes[0..n) from now on. */
static void use_schema(struct aws__xml *x, const struct aws__xml_node *nodes, unsigned n)
{
    uint8_t last[MAX_NODES];
    HS_BUG_ON(n == 0 || n > MAX_NODES);
    x->nodes = nodes;
    for (unsigned i = 0; i < n; i++) {
        x->first_child[i] = x->next_sibling[i] = last[i] = NO_NODE;
        x->name_len[i] = (uint16_t)(nodes[i].name ? strlen(nodes[i].name) : 0);
    }
    for (unsigned i = 1; i < n; i++) {
        unsigned parent = nodes[i].parent;
        HS_BUG_ON(parent >= i);
        if (x->first_child[parent] == NO_NODE)
            x->first_child[parent] = (uint8_t)i;
        else
            x->next_sibling[last[parent]] = (uint8_t)i;
        last[parent] = (uint8_t)i;
    }
}

static void copy_field(char *dst, size_t size, const char *s, size_t len)
{
    snprintf(dst, size, "%.*s", (int)(len < size ? len : size), s);
}

static void error_field(struct aws__xml *x, unsigned node, const char *text, size_t len)
{
    struct aws_error_info *e = &x->einfo;
    switch (node) {
    case E_ERROR_CODE:
    case E_ERRORS_CODE:
        copy_field(e->code, sizeof(e->code), text, len);
        break;
    case E_ERROR_MESSAGE:
    case E_ERRORS_MESSAGE:
        copy_field(e->message, sizeof(e->message), text, len);
        break;
    case E_ERROR_TYPE:
        copy_field(e->type, sizeof(e->type), text, len);
        break;
    case E_REQUEST_ID:
    case E_REQUEST_ID_EC2:
        copy_field(e->request_id, sizeof(e->request_id), text, len);
        break;
    }
}

static bool same_name(const char *a, size_t alen, const char *b)
{
    return strlen(b) == alen && memcmp(a, b, alen) == 0;
}

/* An element opens: qname[0..qlen) is its name as written. */
static enum hs_code match_start(struct aws__xml *x, const char *qname, size_t qlen)
{
    const char *local = qname;
    size_t len = qlen;
    for (size_t i = qlen; i > 0; i--) {
        if (qname[i - 1] == ':') {
            local = qname + i;
            len = qlen - i;
            break;
        }
    }
    if (x->depth >= MAX_DEPTH)
        return aws__xml_fail(x, NULL, "elements nested too deep");
    if (x->depth == 0) {
        copy_field(x->root, sizeof(x->root), local, len);
        x->depth = 1;
        x->node[1] = 0;
        if (same_name(local, len, "ErrorResponse") || same_name(local, len, "Response")) {
            x->error_envelope = true;
            use_schema(x, envelope_nodes, HS_ARRAY_LEN(envelope_nodes));
            return x->p ? HS_OK : HS_ENOTSUP; /* small and rare: expat reads it */
        }
        const char *want = x->nodes[0].name;
        if (want && (x->name_len[0] != len || memcmp(want, local, len) != 0)) {
            if (!x->p)
                return HS_EPARSE;
            return hs_err_set(x->err, HS_EPARSE, "expected <%s>, got <%s> (line %lu)", want,
                              x->root, (unsigned long)XML_GetCurrentLineNumber(x->p));
        }
        return HS_OK;
    }
    unsigned parent = x->node[x->depth];
    unsigned c = NO_NODE;
    if (parent != NO_NODE) {
        for (c = x->first_child[parent]; c != NO_NODE; c = x->next_sibling[c])
            if (x->name_len[c] == len && memcmp(x->nodes[c].name, local, len) == 0)
                break;
    }
    if (x->p) {
        x->mark[x->depth] = x->path.len;
        if (x->path.len)
            hs_buf_addc(&x->path, '/');
        hs_buf_add(&x->path, local, len);
    }
    x->node[++x->depth] = (uint8_t)c;
    if (c != NO_NODE && (x->nodes[c].flags & AWS__XML_START) && !x->error_envelope)
        return x->schema->start(x->ctx, x, c);
    return HS_OK;
}

/* Whether the element open now is a TEXT node (its end wants its text). */
static bool wants_text(const struct aws__xml *x)
{
    unsigned c = x->node[x->depth];
    return x->depth > 1 && c != NO_NODE && (x->nodes[c].flags & 0x4u);
}

/* The element open now closes; text[0..len) is its trimmed direct text
 * when wants_text(). */
static enum hs_code match_end(struct aws__xml *x, const char *text, size_t len)
{
    if (x->depth <= 1) {
        x->depth = 0;
        return HS_OK;
    }
    enum hs_code rc = HS_OK;
    unsigned c = x->node[x->depth];
    if (c != NO_NODE && (x->nodes[c].flags & AWS__XML_END)) {
        if (!(x->nodes[c].flags & 0x4u)) {
            text = "";
            len = 0;
        }
        if (x->error_envelope)
            error_field(x, c, text, len);
        else
            rc = x->schema->end(x->ctx, x, c, text, len);
    }
    x->depth--;
    if (x->p)
        hs_buf_truncate(&x->path, x->mark[x->depth]);
    return rc;
}

static bool is_xml_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void trim(const char **t, size_t *n)
{
    while (*n && is_xml_space((unsigned char)**t)) {
        (*t)++;
        (*n)--;
    }
    while (*n && is_xml_space((unsigned char)(*t)[*n - 1]))
        (*n)--;
}

static void wipe_text(struct aws__xml *x)
{
    if (x->text.len)
        OPENSSL_cleanse(x->text.data, x->text.len);
    hs_buf_clear(&x->text);
}

static void init(struct aws__xml *x, const struct aws__xml_schema *s, void *ctx, struct hs_err *err)
{
    memset(x, 0, sizeof(*x));
    x->err = err;
    x->schema = s;
    x->ctx = ctx;
    if (s)
        use_schema(x, s->nodes, s->n_nodes);
    else
        use_schema(x, any_root, 1);
    hs_buf_init(&x->path);
    hs_buf_init(&x->text);
}

static void release(struct aws__xml *x)
{
    wipe_text(x);
    hs_buf_release(&x->text);
    hs_buf_release(&x->path);
}

/* ---- expat ---- */

static void stop(struct aws__xml *x, enum hs_code rc)
{
    if (x->rc == HS_OK)
        x->rc = rc;
    XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    struct aws__xml *x = ud;
    (void)attrs;
    wipe_text(x);
    enum hs_code rc = match_start(x, name, strlen(name));
    if (rc)
        stop(x, rc);
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct aws__xml *x = ud;
    (void)name;
    const char *t = x->text.data;
    size_t n = x->text.len;
    trim(&t, &n);
    enum hs_code rc = match_end(x, t, n);
    if (rc)
        stop(x, rc);
    wipe_text(x);
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct aws__xml *x = ud;
    if (len > 0 && wants_text(x))
        hs_buf_add(&x->text, s, (size_t)len);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    struct aws__xml *x = ud;
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    hs_err_set(x->err, HS_EPARSE, "a DOCTYPE is not allowed in an AWS response (line %lu)",
               (unsigned long)XML_GetCurrentLineNumber(x->p));
    stop(x, HS_EPARSE);
}

static void XMLCALL on_entity_decl(void *ud, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_len, const XML_Char *base,
                                   const XML_Char *sysid, const XML_Char *pubid,
                                   const XML_Char *notation)
{
    struct aws__xml *x = ud;
    (void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid, (void)pubid,
        (void)notation;
    hs_err_set(x->err, HS_EPARSE, "an entity declaration is not allowed in an AWS response");
    stop(x, HS_EPARSE);
}

static enum hs_code envelope_error(struct aws__xml *x)
{
    const struct aws_error_info *e = &x->einfo;
    if (!e->code[0])
        return hs_err_set(x->err, HS_EPARSE, "<%s> without an error code", x->root);
    return hs_err_set(x->err, HS_EAWS, "%s: %s (request id %s)", e->code,
                      e->message[0] ? e->message : "no message",
                      e->request_id[0] ? e->request_id : "unknown");
}

static enum hs_code run_expat(struct aws__xml *x, const char *body, size_t len)
{
    enum hs_code rc = HS_OK;
    if (len > INT_MAX)
        return hs_err_set(x->err, HS_EPARSE, "XML body of %zu bytes is too large", len);
    x->p = XML_ParserCreate("UTF-8");
    if (!x->p)
        return hs_err_set(x->err, HS_ENOMEM, "cannot create an XML parser");
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, on_start, on_end);
    XML_SetCharacterDataHandler(x->p, on_text);
    XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
    XML_SetEntityDeclHandler(x->p, on_entity_decl);
    if (XML_Parse(x->p, body, (int)len, XML_TRUE) == XML_STATUS_ERROR) {
        if (x->rc) {
            rc = x->rc;
        } else {
            rc = hs_err_set(x->err, HS_EPARSE, "malformed XML at %s%s%s (line %lu, column %lu): %s",
                            x->root[0] ? x->root : "the document start", x->path.len ? "/" : "",
                            x->path.data, (unsigned long)XML_GetCurrentLineNumber(x->p),
                            (unsigned long)XML_GetCurrentColumnNumber(x->p),
                            XML_ErrorString(XML_GetErrorCode(x->p)));
        }
    } else if (x->rc) {
        rc = x->rc;
    } else if (!x->root[0]) {
        rc = hs_err_set(x->err, HS_EPARSE, "empty XML document");
    }
    XML_ParserFree(x->p);
    x->p = NULL;
    return rc;
}

/* ---- the fast scanner ---- */

/* Bytes of character data: plain, '<', '&', ']' (for "]]>"), CR (line
 * ends are normalised), the lead of a multi-byte UTF-8 character, or one
 * the scanner declines (controls, DEL, stray continuation bytes). */
enum { T_OK, T_LT, T_AMP, T_RSQB, T_CR, T_U8, T_NO };

static const uint8_t text_class[256] = {
    6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 0, 6, 6, 4, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
    0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
};

/* Name bytes the scanner takes (ASCII only): 1 may start a name, 2 may
 * only continue one. */
static const uint8_t name_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
};

typedef const unsigned char *ptr;

#define SPACES8 0x2020202020202020ull

static uint64_t load64(ptr p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* Length of the UTF-8 character at p (a byte >= 0x80) when it is one that
 * XML allows (no overlong form, surrogate, U+FFFE/U+FFFF or beyond
 * U+10FFFF), else 0. */
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

static bool xml_char(uint32_t cp)
{
    return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
           (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/* The reference at p ('&'): its length with the character it stands for
 * in *cp, or 0 for one the scanner declines (any entity but the five
 * predefined ones; a character reference that is no XML character). */
static size_t reference(ptr p, ptr end, uint32_t *cp)
{
    static const struct {
        const char *name;
        char c;
    } predefined[] = {
        { "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' }, { "quot;", '"' }, { "apos;", '\'' }
    };
    size_t left = (size_t)(end - p) - 1;
    ptr q = p + 1;
    if (left && *q != '#') {
        for (size_t i = 0; i < HS_ARRAY_LEN(predefined); i++) {
            size_t n = strlen(predefined[i].name);
            if (left >= n && memcmp(q, predefined[i].name, n) == 0) {
                *cp = (uint32_t)predefined[i].c;
                return n + 1;
            }
        }
        return 0;
    }
    if (left < 3)
        return 0;
    bool hex = q[1] == 'x';
    ptr d = q + 1 + hex, start = d;
    uint32_t v = 0;
    while (d < end && d - start < 8) {
        unsigned c = *d, digit;
        if (c >= '0' && c <= '9')
            digit = c - '0';
        else if (hex && c >= 'a' && c <= 'f')
            digit = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F')
            digit = c - 'A' + 10;
        else
            break;
        v = v * (hex ? 16 : 10) + digit;
        d++;
    }
    if (d == start || d >= end || *d != ';' || !xml_char(v))
        return 0;
    *cp = v;
    return (size_t)(d + 1 - p);
}

static size_t put_utf8(char *out, uint32_t cp)
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

/* Character data s[0..n) (already checked) as expat reports it: references
 * resolved, CR LF and lone CR read as LF. Into x->text. */
static void decode_text(struct aws__xml *x, ptr s, size_t n)
{
    ptr end = s + n;
    hs_buf_clear(&x->text);
    hs_buf_reserve(&x->text, n);
    while (s < end) {
        if (*s == '&') {
            uint32_t cp = 0;
            size_t r = reference(s, end, &cp);
            char u[4];
            HS_BUG_ON(r == 0);
            hs_buf_add(&x->text, u, put_utf8(u, cp));
            s += r;
        } else if (*s == '\r') {
            hs_buf_addc(&x->text, '\n');
            s += s + 1 < end && s[1] == '\n' ? 2 : 1;
        } else {
            ptr q = s;
            while (q < end && *q != '&' && *q != '\r')
                q++;
            hs_buf_add(&x->text, s, (size_t)(q - s));
            s = q;
        }
    }
}

/* The element open now closes; its direct text is raw[0..n), with
 * references or CRs in it when dirty. */
static enum hs_code fast_end(struct aws__xml *x, ptr raw, size_t n, bool dirty)
{
    if (!wants_text(x))
        return match_end(x, NULL, 0);
    const char *t = raw ? (const char *)raw : "";
    if (dirty) {
        decode_text(x, raw, n);
        t = x->text.data;
        n = x->text.len;
    }
    trim(&t, &n);
    enum hs_code rc = match_end(x, t, n);
    if (dirty)
        wipe_text(x);
    return rc;
}

static ptr skip_space(ptr p, ptr end)
{
    while (p < end && is_xml_space(*p))
        p++;
    return p;
}

/* Past `S? = S? "value"` of the XML declaration when value is one of
 * the '|'-separated alternatives, or NULL. */
static ptr decl_value(ptr p, ptr end, const char *alternatives)
{
    p = skip_space(p, end);
    if (p >= end || *p != '=')
        return NULL;
    p = skip_space(p + 1, end);
    if (p >= end || (*p != '"' && *p != '\''))
        return NULL;
    unsigned char quote = *p++;
    ptr v = p;
    while (p < end && *p != quote)
        p++;
    if (p >= end)
        return NULL;
    size_t n = (size_t)(p - v);
    for (const char *a = alternatives; *a;) {
        size_t an = strcspn(a, "|");
        if (an == n && memcmp(a, v, n) == 0)
            return p + 1;
        a += an + (a[an] == '|');
    }
    return NULL;
}

/* Past the XML declaration at the start of the document (p itself when
 * there is none), or NULL when the scanner declines it: only version 1.0,
 * encoding UTF-8 and standalone yes/no are taken. */
static ptr xml_decl(ptr p, ptr end)
{
    if (end - p < 6 || memcmp(p, "<?xml", 5) != 0)
        return p;
    ptr q = p + 5;
    if (!is_xml_space(*q))
        return NULL;
    q = skip_space(q, end);
    if (end - q < 7 || memcmp(q, "version", 7) != 0 || !(q = decl_value(q + 7, end, "1.0")))
        return NULL;
    ptr r = skip_space(q, end);
    if (r > q && end - r >= 8 && memcmp(r, "encoding", 8) == 0) {
        if (!(q = decl_value(r + 8, end, "UTF-8|utf-8")))
            return NULL;
        r = skip_space(q, end);
    }
    if (r > q && end - r >= 10 && memcmp(r, "standalone", 10) == 0) {
        if (!(q = decl_value(r + 10, end, "yes|no")))
            return NULL;
        r = skip_space(q, end);
    }
    if (end - r < 2 || r[0] != '?' || r[1] != '>')
        return NULL;
    return r + 2;
}

/* Past the name at p, or NULL when there is none the scanner takes. */
static ptr name_end(ptr p, ptr end)
{
    if (p >= end || name_class[*p] != 1)
        return NULL;
    ptr q = p + 1;
    while (q < end && name_class[*q])
        q++;
    if (q >= end || q[-1] == ':')
        return NULL;
    return q;
}

/* Past the quoted attribute value at p, or NULL. */
static ptr attr_value(ptr p, ptr end)
{
    if (p >= end || (*p != '"' && *p != '\''))
        return NULL;
    unsigned char quote = *p++;
    while (p < end && *p != quote) {
        uint32_t cp;
        size_t n;
        switch (text_class[*p]) {
        case T_OK:
        case T_RSQB:
        case T_CR:
            p++;
            break;
        case T_AMP:
            if (!(n = reference(p, end, &cp)))
                return NULL;
            p += n;
            break;
        case T_U8:
            if (!(n = utf8_char(p, end)))
                return NULL;
            p += n;
            break;
        default:
            return NULL;
        }
    }
    return p < end ? p + 1 : NULL;
}

#define MAX_ATTRS 16

/* Reads the whole document into the matcher. HS_OK when the scanner took
 * all of it and the callbacks all succeeded; anything else means expat
 * must read it (the caller rewinds). */
static enum hs_code run_fast(struct aws__xml *x, const char *body, size_t len)
{
    ptr p = (ptr)body, end = p + len;
    ptr open_name[MAX_DEPTH + 1];
    size_t open_len[MAX_DEPTH + 1];
    unsigned depth = 0;
    enum hs_code rc;

    if (len > INT_MAX || !(p = xml_decl(p, end)))
        return HS_ENOTSUP;
    p = skip_space(p, end);
    ptr seg = p;        /* character data since the last tag */
    bool dirty = false; /* with a reference or CR in it */
    for (;;) {
        /* p is at '<' (after the prolog: should be) */
        if (end - p < 2 || *p != '<')
            return HS_ENOTSUP;
        if (p[1] == '/') {
            if (depth == 0)
                return HS_ENOTSUP;
            ptr nm = p + 2, q = name_end(nm, end);
            size_t nl = q ? (size_t)(q - nm) : 0;
            if (!q || nl != open_len[depth - 1] || memcmp(nm, open_name[depth - 1], nl) != 0)
                return HS_ENOTSUP;
            q = skip_space(q, end);
            if (q >= end || *q != '>')
                return HS_ENOTSUP;
            if ((rc = fast_end(x, seg, (size_t)(p - seg), dirty)))
                return rc;
            depth--;
            p = q + 1;
        } else {
            ptr nm = p + 1, q = name_end(nm, end);
            if (!q)
                return HS_ENOTSUP;
            size_t nl = (size_t)(q - nm);
            ptr attr[MAX_ATTRS];
            size_t attr_len[MAX_ATTRS];
            unsigned n_attr = 0;
            bool empty;
            for (;;) {
                ptr s = q;
                q = skip_space(q, end);
                if (q >= end)
                    return HS_ENOTSUP;
                if (*q == '>') {
                    q++;
                    empty = false;
                    break;
                }
                if (*q == '/') {
                    if (end - q < 2 || q[1] != '>')
                        return HS_ENOTSUP;
                    q += 2;
                    empty = true;
                    break;
                }
                ptr a = q;
                if (q == s || n_attr == MAX_ATTRS || !(q = name_end(a, end)))
                    return HS_ENOTSUP;
                size_t al = (size_t)(q - a);
                for (unsigned i = 0; i < n_attr; i++)
                    if (attr_len[i] == al && memcmp(attr[i], a, al) == 0)
                        return HS_ENOTSUP;
                attr[n_attr] = a;
                attr_len[n_attr++] = al;
                q = skip_space(q, end);
                if (q >= end || *q != '=')
                    return HS_ENOTSUP;
                if (!(q = attr_value(skip_space(q + 1, end), end)))
                    return HS_ENOTSUP;
            }
            if ((rc = match_start(x, (const char *)nm, nl)))
                return rc;
            p = q;
            if (empty) {
                if ((rc = fast_end(x, NULL, 0, false)))
                    return rc;
            } else {
                open_name[depth] = nm;
                open_len[depth++] = nl;
            }
        }
        if (depth == 0)
            break;
        /* Character data up to the next tag. */
        seg = p;
        dirty = false;
        for (;;) {
            /* Indentation comes in runs of spaces: eight at a time. */
            while (end - p >= 8 && load64(p) == SPACES8)
                p += 8;
            while (p < end && text_class[*p] == T_OK)
                p++;
            if (p >= end)
                return HS_ENOTSUP;
            uint32_t cp;
            size_t n;
            unsigned char c = text_class[*p];
            if (c == T_LT)
                break;
            switch (c) {
            case T_AMP:
                if (!(n = reference(p, end, &cp)))
                    return HS_ENOTSUP;
                p += n;
                dirty = true;
                break;
            case T_RSQB:
                if (end - p >= 3 && p[1] == ']' && p[2] == '>')
                    return HS_ENOTSUP;
                p++;
                break;
            case T_CR:
                dirty = true;
                p++;
                break;
            case T_U8:
                if (!(n = utf8_char(p, end)))
                    return HS_ENOTSUP;
                p += n;
                break;
            default:
                return HS_ENOTSUP;
            }
        }
    }
    /* After the root: nothing but white space. */
    p = skip_space(p, end);
    return p == end ? HS_OK : HS_ENOTSUP;
}

/* ---- parsing ---- */

enum hs_code aws__xml_parse(const char *body, size_t len, const struct aws__xml_schema *s,
                            void *ctx, struct hs_err *err)
{
    struct hs_err local = { 0 };
    struct aws__xml x;
    enum hs_code rc;
    bool fast = s && s->rewind;
#ifdef HS_UNITTEST_BUILD
    fast = fast && aws__xml_path != AWS__XML_EXPAT_ONLY;
#endif
    if (fast) {
        init(&x, s, ctx, err ? err : &local);
        rc = run_fast(&x, body, len);
        release(&x);
        if (rc == HS_OK)
            return HS_OK;
        s->rewind(ctx);
#ifdef HS_UNITTEST_BUILD
        if (aws__xml_path == AWS__XML_FAST_ONLY)
            return HS_ENOTSUP;
#endif
    }
    init(&x, s, ctx, err ? err : &local);
    rc = run_expat(&x, body, len);
    if (rc == HS_OK && x.error_envelope)
        rc = envelope_error(&x);
    release(&x);
    return rc;
}

enum hs_code aws_xml_error(const char *body, size_t len, struct aws_error_info *out,
                           struct hs_err *err)
{
    struct hs_err local = { 0 };
    struct aws__xml x;
    memset(out, 0, sizeof(*out));
    init(&x, NULL, NULL, err ? err : &local);
    enum hs_code rc = run_expat(&x, body, len);
    release(&x);
    if (rc)
        return rc;
    if (!x.error_envelope)
        return hs_err_set(x.err, HS_EPARSE, "expected <ErrorResponse> or <Response>, got <%s>",
                          x.root);
    if (!x.einfo.code[0])
        return hs_err_set(x.err, HS_EPARSE, "<%s> without an error code", x.root);
    *out = x.einfo;
    return HS_OK;
}
