/*
 * Internals of lib/kube/decode.c shared with its tests: the strict JSON
 * parser's verdict on a text, which tests compare with jansson's.
 * Never include from outside lib/kube and its tests.
 */
#ifndef HOIST_KUBE_DECODE_INT_H
#define HOIST_KUBE_DECODE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* Whether buf[0..len) (borrowed) is one JSON text that jansson's json_loadb
 * with JSON_DECODE_ANY accepts. When not, msg (caller's buffer of msg_size
 * bytes, may be NULL) receives jansson's error text for it ("invalid token
 * near 'x'") and *pos (may be NULL) jansson's error position. */
bool kube__json_check(const char *buf, size_t len, char *msg, size_t msg_size, size_t *pos);

#endif
