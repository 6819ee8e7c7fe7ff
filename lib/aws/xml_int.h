/*
 * lib/aws internals shared by the XML and CLI-JSON decoders: a small
 * streaming path matcher over expat, and the scalar parsers (integers,
 * booleans, ISO 8601 times) both decoders use so that the two paths fill
 * the model identically. Nothing outside lib/aws may include this header,
 * and no expat or jansson type appears in it.
 */
#ifndef HOIST_AWS_XML_INT_H
#define HOIST_AWS_XML_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct hs_arena;

/* ---- streaming path matcher ---- */

/* The parser state a callback may consult (borrowed for the callback). */
struct aws__xml;

/* Called when an element opens. path (borrowed) is the slash-joined local
 * names below the root: "DescribeAutoScalingGroupsResult/AutoScalingGroups/
 * member"; "" for the root itself. */
typedef enum hs_code (*aws__xml_start_fn)(void *ctx, struct aws__xml *x, const char *path);
/* Called when an element closes, with its direct text (borrowed, trimmed of
 * surrounding XML whitespace, NUL-terminated; "" for an empty element). */
typedef enum hs_code (*aws__xml_end_fn)(void *ctx, struct aws__xml *x, const char *path,
                                        const char *text, size_t len);

/* Parses body[0..len) with expat and calls start/end (either may be NULL)
 * for every element below the root. root_ok (borrowed; NULL accepts any)
 * names the one root element the caller accepts; an error envelope root
 * (ErrorResponse, or EC2's Response) is decoded and returned as HS_EAWS
 * with "<Code>: <Message> (request id <id>)" in err. Malformed XML, a
 * DOCTYPE (no entity expansion, ever), nesting deeper than 64 or a root
 * the caller does not accept is HS_EPARSE naming the element path and line.
 * A callback's non-zero return stops parsing and is returned. */
enum hs_code aws__xml_parse(const char *body, size_t len, const char *root_ok,
                            aws__xml_start_fn start, aws__xml_end_fn end, void *ctx,
                            struct hs_err *err);

/* Records a decode error at the current element: "<what> at <Root/path>
 * (line N)". Returns HS_EPARSE. */
enum hs_code aws__xml_fail(struct aws__xml *x, struct hs_err *err, const char *what);

/* Scalar fields: parse text as the type, or fail naming the element. */
enum hs_code aws__xml_i32(struct aws__xml *x, const char *text, int32_t *out);
enum hs_code aws__xml_i64(struct aws__xml *x, const char *text, int64_t *out);
enum hs_code aws__xml_bool(struct aws__xml *x, const char *text, bool *out);
enum hs_code aws__xml_time(struct aws__xml *x, const char *text, int64_t *out);

/* If *p starts with prefix, advances *p past it and returns true. */
bool aws__eat(const char **p, const char *prefix);
/* As aws__eat, but only when prefix ends at a path segment boundary (what
 * follows it is '\0' or '/'); *p is left at that '\0' or '/'. */
bool aws__eat_seg(const char **p, const char *prefix);

/* ---- scalar parsers (no error detail; callers name the field) ---- */

/* A whole decimal integer in range, no blanks, optional '-'. */
bool aws__parse_i64(const char *s, size_t n, int64_t *out);
bool aws__parse_i32(const char *s, size_t n, int32_t *out);
/* "true" / "false" exactly. */
bool aws__parse_bool(const char *s, size_t n, bool *out);
/* ISO 8601 / RFC 3339 date-time as AWS and the CLI print it:
 * 2013-05-06T17:47:15.107Z, 2023-10-28T02:39:22.152000+00:00, with or
 * without fraction, 'Z' or a +hh:mm / -hh:mm offset. Unix seconds,
 * fraction dropped. */
bool aws__parse_time(const char *s, size_t n, int64_t *out);

#endif
