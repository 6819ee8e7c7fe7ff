/*
 * Query-protocol form bodies (see aws/query.h): a key stack for nested
 * parameters and the value spellings botocore's QuerySerializer and
 * EC2Serializer use, checked case by case against botocore's protocol
 * suites. This file must never log (an STS body carries the web identity
 * token) and never reorder parameters: the body is built in call order.
 */
#include "aws/query.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "aws/sigv4.h"
#include "base/alloc.h"
#include "base/common.h"

void aws_query_init(struct aws_query *q, enum aws_query_flavor flavor, const char *action,
                    const char *version)
{
    memset(q, 0, sizeof(*q));
    q->flavor = flavor;
    hs_buf_init(&q->body);
    hs_buf_init(&q->key);
    hs_buf_adds(&q->body, "Action=");
    aws_uri_encode(&q->body, action, strlen(action), false);
    hs_buf_adds(&q->body, "&Version=");
    aws_uri_encode(&q->body, version, strlen(version), false);
}

void aws_query_release(struct aws_query *q)
{
    hs_buf_release(&q->body);
    hs_buf_release(&q->key);
    q->depth = 0;
}

const char *aws_query_body(const struct aws_query *q, size_t *len)
{
    if (len)
        *len = q->body.len;
    return q->body.data;
}

static void add_pair(struct aws_query *q, const char *key, size_t klen, const char *value,
                     size_t vlen)
{
    hs_buf_addc(&q->body, '&');
    aws_uri_encode(&q->body, key, klen, false);
    hs_buf_addc(&q->body, '=');
    aws_uri_encode(&q->body, value, vlen, false);
}

void aws_query_add(struct aws_query *q, const char *key, const char *value)
{
    add_pair(q, key, strlen(key), value, strlen(value));
}

void aws_query_add_list(struct aws_query *q, const char *name, const char *const *values, size_t n)
{
    aws_query_push_verbatim(q, name);
    if (n == 0)
        aws_query_empty_list(q);
    for (size_t i = 0; i < n; i++) {
        aws_query_push_list_item(q, i + 1, NULL, false);
        aws_query_str(q, values[i]);
        aws_query_pop(q);
    }
    aws_query_pop(q);
}

/* ---- key stack ---- */

static void mark(struct aws_query *q)
{
    HS_BUG_ON(q->depth >= AWS_QUERY_MAX_DEPTH);
    q->mark[q->depth++] = q->key.len;
}

static void push_segment(struct aws_query *q, const char *name, bool capitalize)
{
    mark(q);
    if (q->key.len)
        hs_buf_addc(&q->key, '.');
    size_t at = q->key.len;
    hs_buf_adds(&q->key, name);
    if (capitalize && q->key.data[at] >= 'a' && q->key.data[at] <= 'z')
        q->key.data[at] = (char)(q->key.data[at] - 'a' + 'A');
}

void aws_query_push(struct aws_query *q, const char *name)
{
    push_segment(q, name, q->flavor == AWS_QUERY_EC2);
}

void aws_query_push_verbatim(struct aws_query *q, const char *name)
{
    push_segment(q, name, false);
}

void aws_query_push_list_item(struct aws_query *q, size_t i, const char *member_name,
                              bool flattened)
{
    mark(q);
    if (q->flavor == AWS_QUERY_AWS && !flattened) {
        hs_buf_addf(&q->key, ".%s.%zu", member_name ? member_name : "member", i);
        return;
    }
    hs_buf_addf(&q->key, ".%zu", i);
}

void aws_query_push_map_entry(struct aws_query *q, size_t i, bool flattened)
{
    mark(q);
    if (flattened)
        hs_buf_addf(&q->key, ".%zu", i);
    else
        hs_buf_addf(&q->key, ".entry.%zu", i);
}

void aws_query_pop(struct aws_query *q)
{
    HS_BUG_ON(q->depth == 0);
    hs_buf_truncate(&q->key, q->mark[--q->depth]);
}

/* ---- values ---- */

void aws_query_strn(struct aws_query *q, const char *value, size_t n)
{
    add_pair(q, q->key.data, q->key.len, value, n);
}

void aws_query_str(struct aws_query *q, const char *value)
{
    aws_query_strn(q, value, strlen(value));
}

void aws_query_bool(struct aws_query *q, bool value)
{
    aws_query_str(q, value ? "true" : "false");
}

void aws_query_i64(struct aws_query *q, int64_t value)
{
    char buf[24];
    snprintf(buf, sizeof(buf), "%" PRId64, value);
    aws_query_str(q, buf);
}

void aws_query_double(struct aws_query *q, double value)
{
    char buf[40];
    if (isnan(value)) {
        aws_query_str(q, "NaN");
        return;
    }
    if (isinf(value)) {
        aws_query_str(q, value > 0 ? "Infinity" : "-Infinity");
        return;
    }
    /* The shortest %g spelling that reads back exactly, as Python's repr. */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, value);
        if (strtod(buf, NULL) == value)
            break;
    }
    aws_query_str(q, buf);
}

void aws_query_time_iso8601(struct aws_query *q, int64_t unix_s, int32_t usec)
{
    time_t t = (time_t)unix_s;
    struct tm tm;
    char buf[48];
    gmtime_r(&t, &tm);
    size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    if (usec > 0)
        snprintf(buf + n, sizeof(buf) - n, ".%06dZ", (int)usec);
    else
        snprintf(buf + n, sizeof(buf) - n, "Z");
    aws_query_str(q, buf);
}

void aws_query_blob(struct aws_query *q, const void *data, size_t n)
{
    /* EVP_EncodeBlock takes an int length; request parameters are small. */
    HS_BUG_ON(n > (size_t)1 << 28);
    char *out = hs_malloc(4 * ((n + 2) / 3) + 1);
    int len = EVP_EncodeBlock((unsigned char *)out, data, (int)n);
    aws_query_strn(q, out, (size_t)len);
    hs_free(out);
}

void aws_query_empty_list(struct aws_query *q)
{
    if (q->flavor == AWS_QUERY_AWS)
        aws_query_strn(q, "", 0);
}
