/*
 * Go-style durations ("300ms", "1.5h", "1h30m", "-1s"), accepted exactly as
 * Go's time.ParseDuration accepts them, and printed as Go's Duration.String()
 * prints them. Values are int64 nanoseconds.
 */
#ifndef HOIST_BASE_DURATION_H
#define HOIST_BASE_DURATION_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Parses s (borrowed, NUL-terminated) into *out (ns); err is borrowed and may
 * be NULL. Go's rules: optional sign, then one or more
 * <decimal number><unit> with units ns, us, µs (U+00B5), μs (U+03BC), ms, s,
 * m, h; "0" alone is allowed; overflow of int64 is an error. On error returns
 * HS_EPARSE (or HS_ERANGE for overflow) with a message quoting s, and leaves
 * *out unchanged. */
enum hs_code hs_duration_parse(const char *s, int64_t *out, struct hs_err *err);

/* As hs_duration_parse, and also rejects negative values with HS_ERANGE. */
enum hs_code hs_duration_parse_nonneg(const char *s, int64_t *out, struct hs_err *err);

/* Writes d as Go's Duration.String() does ("1h30m0s", "1.5s", "300ms", "0s")
 * into buf (borrowed); returns buf. size should be at least
 * HS_DURATION_STR_MAX; a smaller buffer gets a truncated, NUL-terminated
 * string. */
#define HS_DURATION_STR_MAX 40
char *hs_duration_format(int64_t d, char *buf, size_t size);

#endif
