/*
 * Allocation wrappers. Every hoist allocation goes through these; they never
 * return NULL for a non-zero request: out of memory prints one line and aborts.
 * Tests swap the underlying functions to count allocations or make them fail.
 */
#ifndef HOIST_BASE_ALLOC_H
#define HOIST_BASE_ALLOC_H

#include <stddef.h>

struct hs_alloc_funcs {
    void *(*malloc_fn)(size_t size);
    void *(*realloc_fn)(void *ptr, size_t size);
    void (*free_fn)(void *ptr);
};

/* Replaces the allocator (borrowed; must outlive its use). NULL restores libc's.
 * Only call while nothing allocated with the previous functions is alive. */
void hs_set_alloc_funcs(const struct hs_alloc_funcs *funcs);

void *hs_malloc(size_t size);                                /* new */
void *hs_calloc(size_t nmemb, size_t size);                  /* new, zeroed; aborts on overflow */
void *hs_realloc(void *ptr, size_t size);                    /* steals ptr, returns new */
void *hs_reallocarray(void *ptr, size_t nmemb, size_t size); /* as above, overflow-checked */
char *hs_strdup(const char *s);                              /* new */
char *hs_strndup(const char *s, size_t n); /* new, NUL-terminated, at most n bytes of s */
void *hs_memdup(const void *p, size_t n);  /* new */
void hs_free(void *ptr);                   /* accepts NULL */

/* Grows *array (of *cap elements of elem_size) to hold at least need elements,
 * doubling. */
void hs_grow(void **array, size_t *cap, size_t need, size_t elem_size);
#define HS_GROW(arr, cap, need) hs_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

#endif
