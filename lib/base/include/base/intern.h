/*
 * String interning with reference counts. Label keys and values, taint keys,
 * namespaces and the like are interned so that equal strings are the same
 * pointer (compare with ==) and are stored once. Each hs_intern() takes a
 * reference and each hs_intern_unref() drops one; an entry whose count reaches
 * zero is freed at once, so a table under churn (pods with unique hash labels
 * coming and going) stays as big as what is alive.
 */
#ifndef HOIST_BASE_INTERN_H
#define HOIST_BASE_INTERN_H

#include <stddef.h>
#include <stdint.h>

struct hs_intern; /* opaque table */

struct hs_intern *hs_intern_new(void);
/* Frees the table and every entry still in it; clears *t. Accepts NULL. */
void hs_intern_free(struct hs_intern **t);

/* The interned copy of s[0..len) (borrowed; NUL-terminated; valid until its
 * last reference is dropped), with one more reference. */
const char *hs_intern(struct hs_intern *t, const char *s, size_t len);
const char *hs_intern_cstr(struct hs_intern *t, const char *s);
/* One more reference to an already interned string. */
const char *hs_intern_ref(const char *istr);
/* Drops one reference; accepts NULL. */
void hs_intern_unref(struct hs_intern *t, const char *istr);
/* Length and hash of an interned string, in O(1). */
size_t hs_intern_len(const char *istr);
uint32_t hs_intern_hash(const char *istr);

/* Number of live entries and their total bytes (for metrics and tests). */
size_t hs_intern_count(const struct hs_intern *t);
size_t hs_intern_bytes(const struct hs_intern *t);

#endif
