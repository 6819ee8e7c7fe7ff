/*
 * Internals shared by lib/kube's client side (client.c, exec_cred.c,
 * cache.c, writes.c, lease.c) and their unit tests: a scanner that finds
 * members and array elements in JSON text without building a tree (lists of
 * 150,000 pods and watch streams go through it), the token bucket of the
 * request limiter, and RFC 3339 parsing. Never include from outside
 * lib/kube and its tests; nothing here logs or does I/O.
 */
#ifndef HOIST_KUBE_KUBE_INT_H
#define HOIST_KUBE_KUBE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/common.h"
#include "base/err.h"

/* A byte range of a JSON text: the value of a member, or an element. */
struct kube__span {
    const char *p; /* borrowed from the scanned text; NULL when absent */
    size_t len;
};

/* The value of member `key` (plain ASCII, no escapes) of the object in
 * s (borrowed), first occurrence, without descending into other members.
 * Returns false (out->p NULL) when s is not an object, the text is
 * truncated or the member is absent. */
bool kube__json_member(struct kube__span s, const char *key, struct kube__span *out);

/* Walks the elements of the array in s: *pos starts at 0; each call puts
 * the next element in *out and returns true, false at the end. *ok (may be
 * NULL) becomes false when s is not an array or is truncated. */
bool kube__json_next(struct kube__span s, size_t *pos, struct kube__span *out, bool *ok);

/* Copies the JSON string in s (quotes included in s) into out[0..size) with
 * escapes resolved for ASCII (\uXXXX beyond ASCII gives '?'). Returns false
 * when s is not a string or does not fit. */
bool kube__json_str(struct kube__span s, char *out, size_t size);

/* Whether the JSON string in s equals lit (no escapes in lit). */
bool kube__json_str_is(struct kube__span s, const char *lit);

/* The resource version of an object (metadata.resourceVersion) as a
 * number, 0 when absent or not a decimal number (versions are opaque to
 * clients; every API server in practice uses etcd's revision). */
uint64_t kube__object_rv(struct kube__span obj);

/* Parses RFC 3339 ("2026-11-28T08:00:00Z", fractional seconds and offsets
 * allowed) into ns since the epoch; times past the int64 range (before 1677,
 * after 2262) saturate to INT64_MIN or INT64_MAX. */
bool kube__parse_time(const char *s, int64_t *out_ns);

/* A token bucket: rate tokens per second, at most burst, taken one at a
 * time. Pure arithmetic on times the caller reads from its clock. */
struct kube__bucket {
    double rate;     /* tokens per second (> 0), or <= 0 for no limit */
    double burst;    /* bucket size (>= 1) */
    double tokens;   /* available now (may go negative: reserved) */
    int64_t last_ns; /* monotonic time of the last refill */
};

void kube__bucket_init(struct kube__bucket *b, double rate, int burst, int64_t now_ns);
/* Takes one token at now_ns and returns how long the caller must wait before
 * using it (0 when one was available). Reservations queue up in order. */
int64_t kube__bucket_reserve(struct kube__bucket *b, int64_t now_ns);

/* A watch event's type. */
enum kube__event_type {
    KUBE__EV_ADDED,
    KUBE__EV_MODIFIED,
    KUBE__EV_DELETED,
    KUBE__EV_BOOKMARK,
    KUBE__EV_ERROR,
    KUBE__EV_UNKNOWN,
};

/* Splits a watch line {"type": ..., "object": {...}} (borrowed). Returns
 * HS_EPARSE (err filled) when it is not that shape. */
enum hs_code kube__split_event(const char *line, size_t len, enum kube__event_type *type,
                               struct kube__span *object, struct hs_err *err);

/* From a Status object (borrowed JSON text; may be anything): its code,
 * reason and message, into the caller's buffers (NUL-terminated, "" when
 * absent). Returns whether s was a Status. */
bool kube__status_parse(struct kube__span s, int *code, char *reason, size_t reason_size,
                        char *message, size_t message_size);

#endif
