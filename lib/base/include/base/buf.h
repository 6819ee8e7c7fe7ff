/*
 * A growable byte string, always NUL-terminated. Embedded value: init/release,
 * clear keeps the storage.
 */
#ifndef HOIST_BASE_BUF_H
#define HOIST_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "base/common.h"

struct hs_buf {
    char *data; /* NUL-terminated; never NULL after init */
    size_t len; /* bytes before the NUL */
    size_t cap; /* allocated bytes, 0 while data points at the shared empty string */
};

void hs_buf_init(struct hs_buf *b);
void hs_buf_release(struct hs_buf *b);
void hs_buf_clear(struct hs_buf *b);
void hs_buf_reserve(struct hs_buf *b, size_t extra);
void hs_buf_add(struct hs_buf *b, const void *p, size_t n);
void hs_buf_adds(struct hs_buf *b, const char *s);
void hs_buf_addc(struct hs_buf *b, char c);
void hs_buf_addf(struct hs_buf *b, const char *fmt, ...) HS_PRINTF(2, 3);
void hs_buf_vaddf(struct hs_buf *b, const char *fmt, va_list ap) HS_PRINTF(2, 0);
/* Appends s as a JSON string literal, quotes included. */
void hs_buf_add_json_str(struct hs_buf *b, const char *s, size_t n);
void hs_buf_truncate(struct hs_buf *b, size_t len);
/* Returns the string (new; caller frees with hs_free) and re-inits b. */
char *hs_buf_detach(struct hs_buf *b);

#endif
