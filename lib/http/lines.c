/*
 * Cuts a streamed body into lines, whatever the chunk boundaries: the
 * Kubernetes watch sends one JSON event per line, and TCP and chunked
 * encoding split them anywhere. Each line is gathered in one buffer that is
 * reused, so that it can be NUL-terminated for the reader.
 *
 * It must never hand out a partial line before the stream ends, and never
 * grow without bound (max_line).
 */
#include "http/http.h"

#include <string.h>

#include "base/alloc.h"

#define DEFAULT_MAX_LINE ((size_t)64 << 20)

void http_lines_init(struct http_lines *l, size_t max_line)
{
    memset(l, 0, sizeof(*l));
    l->max_line = max_line ? max_line : DEFAULT_MAX_LINE;
}

void http_lines_release(struct http_lines *l)
{
    hs_free(l->buf);
    l->buf = NULL;
    l->len = l->cap = 0;
}

void http_lines_clear(struct http_lines *l)
{
    l->len = 0;
}

static void keep(struct http_lines *l, const char *p, size_t n)
{
    if (l->len + n + 1 > l->cap) {
        size_t cap = l->cap ? l->cap : 256;
        while (cap < l->len + n + 1)
            cap *= 2;
        l->buf = hs_realloc(l->buf, cap);
        l->cap = cap;
    }
    memcpy(l->buf + l->len, p, n);
    l->len += n;
    l->buf[l->len] = '\0';
}

/* Calls fn on the n bytes at the start of l->buf, minus a trailing '\r',
 * and empties l. */
static enum hs_code emit(struct http_lines *l, size_t n, http_line_fn fn, void *ctx)
{
    l->len = 0;
    if (n && l->buf[n - 1] == '\r')
        n--;
    l->buf[n] = '\0';
    return fn(ctx, l->buf, n);
}

enum hs_code http_lines_feed(struct http_lines *l, const char *data, size_t len, http_line_fn fn,
                             void *ctx, struct hs_err *err)
{
    const char *p = data;
    const char *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (l->len + n > l->max_line) {
            l->len = 0;
            return hs_err_set(err, HS_ERANGE, "stream line longer than %zu bytes", l->max_line);
        }
        keep(l, p, n);
        if (!nl)
            break;
        enum hs_code rc = emit(l, l->len, fn, ctx);
        if (rc)
            return rc;
        p = nl + 1;
    }
    return HS_OK;
}

enum hs_code http_lines_finish(struct http_lines *l, http_line_fn fn, void *ctx)
{
    if (!l->len)
        return HS_OK;
    return emit(l, l->len, fn, ctx);
}
