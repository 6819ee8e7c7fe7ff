/*
 * Internals of lib/kube/decode.c shared with its tests: the scanner that
 * finds the top-level "items" of a List without building a JSON tree (kept
 * for tests and tools; decoding itself parses in one pass), and the strict
 * JSON parser's verdict on a text, which tests compare with jansson's.
 * Never include from outside lib/kube and its tests.
 */
#ifndef HOIST_KUBE_DECODE_INT_H
#define HOIST_KUBE_DECODE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* What the scanner found at the top level of a JSON document. */
struct kube__top {
    bool has_items;   /* a top-level "items" array: a List */
    const char *kind; /* top-level "kind" string (raw bytes, borrowed), or NULL */
    size_t kind_len;
    size_t n_items;
    size_t *item_off; /* new (hs_free): byte offset of each item */
    size_t *item_len; /* new (hs_free): byte length of each item */
};

/* Scans buf[0..len) (borrowed): the top level must be an object; records the
 * "kind" and the byte range of every element of "items". Checks nesting and
 * string termination only (elements are parsed later). HS_EPARSE naming the
 * item when the text ends early or is not an object. Free with
 * kube__top_release. */
enum hs_code kube__scan_top(const char *buf, size_t len, struct kube__top *top, struct hs_err *err);
void kube__top_release(struct kube__top *top);

/* Whether buf[0..len) (borrowed) is one JSON text that jansson's json_loadb
 * with JSON_DECODE_ANY accepts. When not, msg (caller's buffer of msg_size
 * bytes, may be NULL) receives jansson's error text for it ("invalid token
 * near 'x'") and *pos (may be NULL) jansson's error position. */
bool kube__json_check(const char *buf, size_t len, char *msg, size_t msg_size, size_t *pos);

#endif
