/*
 * Small macros every hoist module uses: array length, container_of, the
 * HS_UNITTEST visibility switch and HS_BUG for broken invariants. Nothing here
 * allocates or does I/O.
 */
#ifndef HOIST_BASE_COMMON_H
#define HOIST_BASE_COMMON_H

#include <stddef.h>

#define HS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The struct that embeds member `m` at address `p`. */
#define hs_container_of(p, type, m) ((type *)(void *)((char *)(p)-offsetof(type, m)))

/* Value of hexadecimal digit c (either case), or -1. */
static inline int hs_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Functions that are static in normal builds and visible to unit tests. */
#ifdef HS_UNITTEST_BUILD
#define HS_UNITTEST
#else
#define HS_UNITTEST static
#endif

#if defined(__GNUC__)
#define HS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define HS_NORETURN     __attribute__((noreturn))
#define HS_UNUSED       __attribute__((unused))
#else
#define HS_PRINTF(f, a)
#define HS_NORETURN
#define HS_UNUSED
#endif

/* Always-on check of an invariant of hoist's own making: prints where and
 * aborts. For faults of the world (input, network) return an error instead. */
HS_NORETURN void hs__bug(const char *file, int line, const char *what);
#define HS_BUG(what) hs__bug(__FILE__, __LINE__, (what))
#define HS_BUG_ON(cond)                         \
    do {                                        \
        if (cond)                               \
            hs__bug(__FILE__, __LINE__, #cond); \
    } while (0)

#endif
