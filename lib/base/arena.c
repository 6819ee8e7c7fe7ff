/*
 * Bump allocation for objects that share one lifetime. A request is carved
 * from the newest block; when it does not fit, a new block is chained in
 * front. Requests larger than the block size get a block of their own,
 * chained behind the newest one so the space left in it is not wasted. The
 * arena must never hand out memory that overlaps or is misaligned, and never
 * frees single objects: only clear and release give memory back.
 */
#include "base/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "base/common.h"

#define DEFAULT_BLOCK_SIZE ((size_t)64 * 1024)
#define MAX_ALIGN          ((size_t)64)

struct hs_arena_block {
    struct hs_arena_block *next; /* older block */
    size_t size;                 /* bytes in data[] */
    size_t used;                 /* bytes of data[] handed out, padding included */
    alignas(max_align_t) unsigned char data[];
};

void hs_arena_init(struct hs_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : DEFAULT_BLOCK_SIZE;
    a->used = 0;
}

void hs_arena_release(struct hs_arena *a)
{
    struct hs_arena_block *blk = a->head;
    while (blk) {
        struct hs_arena_block *next = blk->next;
        hs_free(blk);
        blk = next;
    }
    a->head = NULL;
    a->used = 0;
}

void hs_arena_clear(struct hs_arena *a)
{
    /* Keep one block of the default size (big one-off blocks are not worth
     * keeping); free the others. */
    struct hs_arena_block *keep = NULL;
    struct hs_arena_block *blk = a->head;
    while (blk) {
        struct hs_arena_block *next = blk->next;
        if (keep == NULL && blk->size == a->block_size) {
            keep = blk;
        } else {
            hs_free(blk);
        }
        blk = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    a->head = keep;
    a->used = 0;
}

static struct hs_arena_block *new_block(size_t size)
{
    HS_BUG_ON(size > SIZE_MAX - sizeof(struct hs_arena_block));
    struct hs_arena_block *blk = hs_malloc(sizeof(*blk) + size);
    blk->next = NULL;
    blk->size = size;
    blk->used = 0;
    return blk;
}

/* Offset in blk->data where size bytes aligned to align fit, or SIZE_MAX. */
static size_t fit(const struct hs_arena_block *blk, size_t size, size_t align)
{
    uintptr_t base = (uintptr_t)blk->data;
    uintptr_t at = (base + blk->used + (align - 1)) & ~(uintptr_t)(align - 1);
    size_t off = (size_t)(at - base);
    if (off > blk->size || blk->size - off < size)
        return SIZE_MAX;
    return off;
}

void *hs_arena_alloc(struct hs_arena *a, size_t size, size_t align)
{
    if (align == 0)
        align = alignof(max_align_t);
    HS_BUG_ON((align & (align - 1)) != 0 || align > MAX_ALIGN);
    HS_BUG_ON(size > SIZE_MAX - MAX_ALIGN - sizeof(struct hs_arena_block));

    struct hs_arena_block *blk = a->head;
    size_t off = blk ? fit(blk, size, align) : SIZE_MAX;
    if (off == SIZE_MAX) {
        /* Worst-case padding is align - 1 (data[] is at least max_align_t aligned). */
        size_t need = size + align - 1;
        if (need > a->block_size) {
            blk = new_block(need);
            if (a->head) {
                blk->next = a->head->next;
                a->head->next = blk;
            } else {
                a->head = blk;
            }
        } else {
            blk = new_block(a->block_size);
            blk->next = a->head;
            a->head = blk;
        }
        off = fit(blk, size, align);
        HS_BUG_ON(off == SIZE_MAX);
    }
    blk->used = off + size;
    a->used += size;
    return blk->data + off;
}

void *hs_arena_zalloc(struct hs_arena *a, size_t size, size_t align)
{
    void *p = hs_arena_alloc(a, size, align);
    if (size)
        memset(p, 0, size);
    return p;
}

char *hs_arena_strndup(struct hs_arena *a, const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = hs_arena_alloc(a, len + 1, 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
