/*
 * A bump allocator for many small objects with one lifetime (a decoded file, a
 * snapshot). Allocations are never freed one by one; clear drops them all and
 * keeps the first block for reuse, release frees everything.
 */
#ifndef HOIST_BASE_ARENA_H
#define HOIST_BASE_ARENA_H

#include <stddef.h>

struct hs_arena_block;

struct hs_arena {
    struct hs_arena_block *head; /* newest block; older ones follow */
    size_t block_size;           /* default size of a new block */
    size_t used;                 /* total bytes handed out since init/clear */
};

/* a: borrowed, embedded by the caller. block_size 0 picks 64 KiB. Does not
 * allocate. */
void hs_arena_init(struct hs_arena *a, size_t block_size);
/* Frees every block; everything the arena handed out becomes invalid. The
 * arena can be used again (as after init). */
void hs_arena_release(struct hs_arena *a);
/* Invalidates everything handed out and frees all blocks but one of the
 * default size, which is reused by the next allocations. */
void hs_arena_clear(struct hs_arena *a);
/* size bytes aligned to align (a power of two <= 64; 0 means
 * _Alignof(max_align_t)), borrowed from the arena until clear or release,
 * uninitialised. Never NULL (out of memory aborts). Requests bigger than the
 * block size get a block of their own. */
void *hs_arena_alloc(struct hs_arena *a, size_t size, size_t align);
/* As hs_arena_alloc, zero-filled. */
void *hs_arena_zalloc(struct hs_arena *a, size_t size, size_t align);
/* A NUL-terminated copy of at most n bytes of s (borrowed; stops at a NUL),
 * borrowed from the arena. */
char *hs_arena_strndup(struct hs_arena *a, const char *s, size_t n);
#define HS_ARENA_NEW(a, type) ((type *)hs_arena_zalloc((a), sizeof(type), _Alignof(type)))
#define HS_ARENA_NEW_ARRAY(a, type, n) \
    ((type *)hs_arena_zalloc((a), sizeof(type) * (n), _Alignof(type)))

#endif
