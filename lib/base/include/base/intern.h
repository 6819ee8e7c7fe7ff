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

/* A new empty table (new; free with hs_intern_free). */
struct hs_intern *hs_intern_new(void);
/* Frees the table and every entry still in it (pointers still held become
 * invalid); clears *t. Accepts NULL. */
void hs_intern_free(struct hs_intern **t);

/* The interned copy of s[0..len) (borrowed; NUL-terminated; valid until its
 * last reference is dropped), with one more reference. s is borrowed and may
 * hold NUL bytes; it may be NULL only when len is 0. */
const char *hs_intern(struct hs_intern *t, const char *s, size_t len);
/* As hs_intern for the NUL-terminated s (borrowed, not NULL). */
const char *hs_intern_cstr(struct hs_intern *t, const char *s);
/* One more reference to istr (borrowed; must be a live interned string);
 * returns istr. */
const char *hs_intern_ref(const char *istr);
/* Drops one reference to istr (borrowed; interned by t); accepts NULL. The
 * last drop frees the entry, so istr must not be used afterwards. */
void hs_intern_unref(struct hs_intern *t, const char *istr);
/* Length and hash of an interned string (borrowed), in O(1). The hash is the
 * table's own, stable within a process only (not across platforms). */
size_t hs_intern_len(const char *istr);
uint32_t hs_intern_hash(const char *istr);

/* Number of live entries, and the bytes their allocations take (header,
 * characters and NUL; the slot array not included). For metrics and tests. */
size_t hs_intern_count(const struct hs_intern *t);
size_t hs_intern_bytes(const struct hs_intern *t);
/* Slots in the hash array (a power of two; each costs 12 bytes). It grows
 * and shrinks with the live count, never with the history of churn. */
size_t hs_intern_capacity(const struct hs_intern *t);
/* Current reference count of istr (borrowed, live). For tests and debugging. */
size_t hs_intern_refs(const char *istr);

#endif
