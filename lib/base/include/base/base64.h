/*
 * Standard base64 (RFC 4648, with padding), as kubeconfig's *-data fields and
 * Kubernetes Secrets carry it. Decoding is strict: characters outside the
 * alphabet (other than ASCII whitespace, which PEM-style line breaks put
 * there) and bad padding are errors.
 */
#ifndef HOIST_BASE_BASE64_H
#define HOIST_BASE_BASE64_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

/* Appends the decoding of s[0..n) (borrowed) to out. On error returns
 * HS_EPARSE naming the offending offset; out keeps what it had before. */
enum hs_code hs_base64_decode(const char *s, size_t n, struct hs_buf *out, struct hs_err *err);

/* Appends the encoding of p[0..n) (borrowed) to out. */
void hs_base64_encode(const void *p, size_t n, struct hs_buf *out);

#endif
