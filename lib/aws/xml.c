/*
 * A streaming path matcher over expat for AWS Query-protocol responses
 * (xml_int.h), the scalar parsers shared with the CLI-JSON decoder, and the
 * two error envelopes (aws_xml_error).
 *
 * Responses are small trees of named elements with text leaves, so the
 * matcher keeps only the element path ("A/member/B") and the text of the
 * innermost element; decoders switch on the path. This file must never
 * expand entities or accept a DOCTYPE (a response has none; a hostile one
 * could), never keep a secret longer than the element that held it (text
 * buffers are wiped), and never log.
 */
#include "xml_int.h"

#include <ctype.h>
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

struct aws__xml {
    XML_Parser p;
    struct hs_err *err;
    const char *root_ok;
    char root[128];
    struct hs_buf path; /* below the root, slash-joined */
    size_t mark[MAX_DEPTH];
    unsigned depth; /* 0 outside the root, 1 inside it, ... */
    struct hs_buf text;
    bool error_envelope;
    struct aws_error_info einfo;
    aws__xml_start_fn start;
    aws__xml_end_fn end;
    void *ctx;
    enum hs_code rc;
};

/* ---- scalar parsers ---- */

bool aws__eat(const char **p, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(*p, prefix, n) != 0)
        return false;
    *p += n;
    return true;
}

bool aws__eat_seg(const char **p, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(*p, prefix, n) != 0 || ((*p)[n] != '\0' && (*p)[n] != '/'))
        return false;
    *p += n;
    return true;
}

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
    return hs_err_set(err ? err : x->err, HS_EPARSE, "%s at %s%s%s (line %lu)", what, x->root,
                      x->path.len ? "/" : "", x->path.data,
                      (unsigned long)XML_GetCurrentLineNumber(x->p));
}

enum hs_code aws__xml_i32(struct aws__xml *x, const char *text, int32_t *out)
{
    if (!aws__parse_i32(text, strlen(text), out))
        return aws__xml_fail(x, NULL, "expected a 32-bit integer");
    return HS_OK;
}

enum hs_code aws__xml_i64(struct aws__xml *x, const char *text, int64_t *out)
{
    if (!aws__parse_i64(text, strlen(text), out))
        return aws__xml_fail(x, NULL, "expected an integer");
    return HS_OK;
}

enum hs_code aws__xml_bool(struct aws__xml *x, const char *text, bool *out)
{
    if (!aws__parse_bool(text, strlen(text), out))
        return aws__xml_fail(x, NULL, "expected true or false");
    return HS_OK;
}

enum hs_code aws__xml_time(struct aws__xml *x, const char *text, int64_t *out)
{
    if (!aws__parse_time(text, strlen(text), out))
        return aws__xml_fail(x, NULL, "expected an ISO 8601 time");
    return HS_OK;
}

static void stop(struct aws__xml *x, enum hs_code rc)
{
    if (x->rc == HS_OK)
        x->rc = rc;
    XML_StopParser(x->p, XML_FALSE);
}

static const char *local_name(const char *name)
{
    const char *colon = strrchr(name, ':');
    return colon ? colon + 1 : name;
}

static void wipe_text(struct aws__xml *x)
{
    if (x->text.len)
        OPENSSL_cleanse(x->text.data, x->text.len);
    hs_buf_clear(&x->text);
}

static void copy_field(char *dst, size_t size, const char *s)
{
    snprintf(dst, size, "%s", s);
}

/* The error envelopes, below their root. */
static void error_field(struct aws__xml *x, const char *path, const char *text)
{
    struct aws_error_info *e = &x->einfo;
    if (strcmp(path, "Error/Code") == 0 || strcmp(path, "Errors/Error/Code") == 0)
        copy_field(e->code, sizeof(e->code), text);
    else if (strcmp(path, "Error/Message") == 0 || strcmp(path, "Errors/Error/Message") == 0)
        copy_field(e->message, sizeof(e->message), text);
    else if (strcmp(path, "Error/Type") == 0)
        copy_field(e->type, sizeof(e->type), text);
    else if (strcmp(path, "RequestId") == 0 || strcmp(path, "RequestID") == 0)
        copy_field(e->request_id, sizeof(e->request_id), text);
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    struct aws__xml *x = ud;
    (void)attrs;
    const char *local = local_name(name);
    if (x->depth >= MAX_DEPTH) {
        aws__xml_fail(x, NULL, "elements nested too deep");
        stop(x, HS_EPARSE);
        return;
    }
    wipe_text(x);
    if (x->depth == 0) {
        copy_field(x->root, sizeof(x->root), local);
        x->depth = 1;
        if (strcmp(local, "ErrorResponse") == 0 || strcmp(local, "Response") == 0) {
            x->error_envelope = true;
            return;
        }
        if (x->root_ok && strcmp(local, x->root_ok) != 0) {
            hs_err_set(x->err, HS_EPARSE, "expected <%s>, got <%s> (line %lu)", x->root_ok, x->root,
                       (unsigned long)XML_GetCurrentLineNumber(x->p));
            stop(x, HS_EPARSE);
        }
        return;
    }
    x->mark[x->depth++] = x->path.len;
    if (x->path.len)
        hs_buf_addc(&x->path, '/');
    hs_buf_adds(&x->path, local);
    if (!x->error_envelope && x->start) {
        enum hs_code rc = x->start(x->ctx, x, x->path.data);
        if (rc)
            stop(x, rc);
    }
}

static bool is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct aws__xml *x = ud;
    (void)name;
    if (x->depth > 1) {
        char *t = x->text.data;
        size_t n = x->text.len;
        while (n && is_xml_space(*t)) {
            t++;
            n--;
        }
        while (n && is_xml_space(t[n - 1]))
            n--;
        char saved = t[n];
        t[n] = '\0';
        if (x->error_envelope) {
            error_field(x, x->path.data, t);
        } else if (x->end) {
            enum hs_code rc = x->end(x->ctx, x, x->path.data, t, n);
            if (rc)
                stop(x, rc);
        }
        t[n] = saved;
        hs_buf_truncate(&x->path, x->mark[--x->depth]);
    } else {
        x->depth = 0;
    }
    wipe_text(x);
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct aws__xml *x = ud;
    if (x->depth > 1 && len > 0)
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

static enum hs_code run(struct aws__xml *x, const char *body, size_t len)
{
    enum hs_code rc = HS_OK;
    if (len > INT_MAX)
        return hs_err_set(x->err, HS_EPARSE, "XML body of %zu bytes is too large", len);
    x->p = XML_ParserCreate("UTF-8");
    if (!x->p)
        return hs_err_set(x->err, HS_ENOMEM, "cannot create an XML parser");
    hs_buf_init(&x->path);
    hs_buf_init(&x->text);
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
    wipe_text(x);
    hs_buf_release(&x->text);
    hs_buf_release(&x->path);
    XML_ParserFree(x->p);
    x->p = NULL;
    return rc;
}

enum hs_code aws__xml_parse(const char *body, size_t len, const char *root_ok,
                            aws__xml_start_fn start, aws__xml_end_fn end, void *ctx,
                            struct hs_err *err)
{
    struct hs_err local = { 0 };
    struct aws__xml x;
    memset(&x, 0, sizeof(x));
    x.err = err ? err : &local;
    x.root_ok = root_ok;
    x.start = start;
    x.end = end;
    x.ctx = ctx;
    enum hs_code rc = run(&x, body, len);
    if (rc == HS_OK && x.error_envelope)
        rc = envelope_error(&x);
    return rc;
}

enum hs_code aws_xml_error(const char *body, size_t len, struct aws_error_info *out,
                           struct hs_err *err)
{
    struct hs_err local = { 0 };
    struct aws__xml x;
    memset(&x, 0, sizeof(x));
    memset(out, 0, sizeof(*out));
    x.err = err ? err : &local;
    enum hs_code rc = run(&x, body, len);
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
