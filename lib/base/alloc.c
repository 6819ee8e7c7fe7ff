/*
 * Allocation wrappers: the one place that calls malloc. Out of memory is not
 * an error hoist handles; it writes one line to stderr and aborts.
 */
#include "base/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct hs_alloc_funcs libc_funcs = { malloc, realloc, free };
static const struct hs_alloc_funcs *funcs = &libc_funcs;

void hs_set_alloc_funcs(const struct hs_alloc_funcs *f)
{
    funcs = f ? f : &libc_funcs;
}

static void oom(size_t size)
{
    fprintf(stderr, "hoist: out of memory allocating %zu bytes\n", size);
    abort();
}

void *hs_malloc(size_t size)
{
    void *p = funcs->malloc_fn(size ? size : 1);
    if (p == NULL)
        oom(size);
    return p;
}

void *hs_calloc(size_t nmemb, size_t size)
{
    if (size != 0 && nmemb > SIZE_MAX / size)
        oom(SIZE_MAX);
    void *p = hs_malloc(nmemb * size);
    memset(p, 0, nmemb * size);
    return p;
}

void *hs_realloc(void *ptr, size_t size)
{
    void *p = funcs->realloc_fn(ptr, size ? size : 1);
    if (p == NULL)
        oom(size);
    return p;
}

void *hs_reallocarray(void *ptr, size_t nmemb, size_t size)
{
    if (size != 0 && nmemb > SIZE_MAX / size)
        oom(SIZE_MAX);
    return hs_realloc(ptr, nmemb * size);
}

char *hs_strdup(const char *s)
{
    return hs_memdup(s, strlen(s) + 1);
}

char *hs_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = hs_malloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void *hs_memdup(const void *src, size_t n)
{
    void *p = hs_malloc(n);
    if (n)
        memcpy(p, src, n);
    return p;
}

void hs_free(void *ptr)
{
    if (ptr != NULL)
        funcs->free_fn(ptr);
}

void hs_grow(void **array, size_t *cap, size_t need, size_t elem_size)
{
    if (need <= *cap)
        return;
    size_t n = *cap ? *cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            oom(SIZE_MAX);
        n *= 2;
    }
    *array = hs_reallocarray(*array, n, elem_size);
    *cap = n;
}
