/*
 * Growable NUL-terminated strings. An initialised buffer points at a shared
 * empty string until the first append, so init never allocates.
 */
#include "base/buf.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"

static char empty[1];

void hs_buf_init(struct hs_buf *b)
{
    b->data = empty;
    b->len = 0;
    b->cap = 0;
}

void hs_buf_release(struct hs_buf *b)
{
    if (b->cap)
        hs_free(b->data);
    hs_buf_init(b);
}

void hs_buf_clear(struct hs_buf *b)
{
    b->len = 0;
    if (b->cap)
        b->data[0] = '\0';
}

void hs_buf_reserve(struct hs_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    if (b->cap == 0) {
        b->data = hs_malloc(cap);
        b->data[0] = '\0';
    } else {
        b->data = hs_realloc(b->data, cap);
    }
    b->cap = cap;
}

void hs_buf_add(struct hs_buf *b, const void *p, size_t n)
{
    hs_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void hs_buf_adds(struct hs_buf *b, const char *s)
{
    hs_buf_add(b, s, strlen(s));
}

void hs_buf_addc(struct hs_buf *b, char c)
{
    hs_buf_add(b, &c, 1);
}

void hs_buf_vaddf(struct hs_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    char small[256];
    int n = vsnprintf(small, sizeof(small), fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(small)) {
        hs_buf_add(b, small, (size_t)n);
        return;
    }
    hs_buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void hs_buf_addf(struct hs_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hs_buf_vaddf(b, fmt, ap);
    va_end(ap);
}

void hs_buf_add_json_str(struct hs_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    hs_buf_reserve(b, n + 2);
    hs_buf_addc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            hs_buf_add(b, "\\\"", 2);
            break;
        case '\\':
            hs_buf_add(b, "\\\\", 2);
            break;
        case '\n':
            hs_buf_add(b, "\\n", 2);
            break;
        case '\r':
            hs_buf_add(b, "\\r", 2);
            break;
        case '\t':
            hs_buf_add(b, "\\t", 2);
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                hs_buf_add(b, esc, sizeof(esc));
            } else {
                hs_buf_addc(b, (char)c);
            }
        }
    }
    hs_buf_addc(b, '"');
}

void hs_buf_truncate(struct hs_buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

char *hs_buf_detach(struct hs_buf *b)
{
    char *s = b->cap ? b->data : hs_strdup("");
    hs_buf_init(b);
    return s;
}
