/*
 * The AWS Query protocol's request side: parameters to the
 * application/x-www-form-urlencoded body that AutoScaling (2011-01-01), STS
 * (2011-06-15) and EC2 (2016-11-15) take, `Action=...&Version=...&...`.
 *
 * Two flavours differ only in how names and lists are spelled:
 *   AWS_QUERY_AWS  lists are `Name.member.N` (or `Name.<memberName>.N`, or
 *                  `Name.N` when flattened); an empty list is `Name=`;
 *                  maps are `Name.entry.N.key` / `.value`.
 *   AWS_QUERY_EC2  every list is flattened (`Name.N`), an empty list sends
 *                  nothing, and each name segment starts with a capital
 *                  (EC2's locationName capitalisation).
 * Keys are built as a stack of segments (push a member, push a list index,
 * set a value, pop), which is how the botocore serializers walk a shape and
 * how hand-written calls add nested parameters; aws_query_add() takes a whole
 * key for the common flat case. Keys and values are percent-encoded with
 * aws_uri_encode()'s rules (RFC 3986 unreserved characters kept).
 *
 * Never logs: bodies of AssumeRoleWithWebIdentity carry a token.
 */
#ifndef HOIST_AWS_QUERY_H
#define HOIST_AWS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

enum aws_query_flavor {
    AWS_QUERY_AWS, /* AutoScaling, STS: the awsQuery protocol */
    AWS_QUERY_EC2, /* EC2: the ec2Query protocol */
};

#define AWS_QUERY_MAX_DEPTH 16

/* A body being built. Embedded value: init, add, take the body, release. */
struct aws_query {
    enum aws_query_flavor flavor;
    struct hs_buf body;               /* the encoded form body so far */
    struct hs_buf key;                /* the current key, unencoded: "A.member.1.B" */
    size_t mark[AWS_QUERY_MAX_DEPTH]; /* key length before each push */
    unsigned depth;
};

/* Starts a body with Action=action&Version=version (both borrowed). */
void aws_query_init(struct aws_query *q, enum aws_query_flavor flavor, const char *action,
                    const char *version);
void aws_query_release(struct aws_query *q);

/* Adds key=value, both borrowed and encoded here, ignoring the key stack. */
void aws_query_add(struct aws_query *q, const char *key, const char *value);
/* Adds the list values[0..n) (borrowed) under name (borrowed) with the
 * flavor's list spelling: Name.member.1=... (AWS) or Name.1=... (EC2). An
 * empty list is `Name=` for AWS and nothing for EC2. */
void aws_query_add_list(struct aws_query *q, const char *name, const char *const *values, size_t n);

/* ---- key stack ---- */

/* Pushes a structure member name (borrowed): ".name" after what is there.
 * EC2 capitalises its first letter; use aws_query_push_verbatim for an
 * explicit EC2 queryName. Aborts (HS_BUG) beyond AWS_QUERY_MAX_DEPTH. */
void aws_query_push(struct aws_query *q, const char *name);
void aws_query_push_verbatim(struct aws_query *q, const char *name);
/* Pushes list element i (1-based). member_name (borrowed) is the list
 * member's locationName or NULL ("member"). AWS non-flattened:
 * ".<member_name>.i"; AWS flattened and EC2: ".i" (a flattened list is
 * named by its structure member, whatever its items are called). Pop once
 * to undo. */
void aws_query_push_list_item(struct aws_query *q, size_t i, const char *member_name,
                              bool flattened);
/* Pushes map entry i (1-based): ".entry.i" or, flattened, ".i". The caller
 * then pushes the key/value names ("key"/"value" or the map's own). */
void aws_query_push_map_entry(struct aws_query *q, size_t i, bool flattened);
/* Drops the last push. */
void aws_query_pop(struct aws_query *q);

/* ---- values at the current key ---- */

void aws_query_str(struct aws_query *q, const char *value); /* borrowed */
void aws_query_strn(struct aws_query *q, const char *value, size_t n);
void aws_query_bool(struct aws_query *q, bool value); /* true / false */
void aws_query_i64(struct aws_query *q, int64_t value);
/* Shortest decimal that reads back as value; NaN, Infinity, -Infinity. */
void aws_query_double(struct aws_query *q, double value);
/* ISO 8601 UTC: 2015-01-25T08:00:00Z, or with .ffffffZ when usec (0..999999) is
 * not 0 (botocore's spelling). unix_s may be negative. */
void aws_query_time_iso8601(struct aws_query *q, int64_t unix_s, int32_t usec);
/* Base64 of data[0..n) (borrowed). */
void aws_query_blob(struct aws_query *q, const void *data, size_t n);
/* The empty-list marker: `Key=` for AWS, nothing for EC2. */
void aws_query_empty_list(struct aws_query *q);

/* The body built so far (borrowed from q, NUL-terminated). */
const char *aws_query_body(const struct aws_query *q, size_t *len);

#endif
