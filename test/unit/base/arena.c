/*
 * Tests of lib/base/arena.c: alignment, non-overlap, oversized requests in
 * blocks of their own, clear keeping exactly one block for reuse, zeroing,
 * string copies. A counting allocator shows which calls reach malloc.
 */
#include "hs_test.h"

#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/common.h"

static long live_blocks;
static long mallocs;

static void *count_malloc(size_t n)
{
    live_blocks++;
    mallocs++;
    return malloc(n);
}
static void *count_realloc(void *p, size_t n)
{
    if (p == NULL) {
        live_blocks++;
        mallocs++;
    }
    return realloc(p, n);
}
static void count_free(void *p)
{
    if (p)
        live_blocks--;
    free(p);
}
static const struct hs_alloc_funcs counting = { count_malloc, count_realloc, count_free };

static int setup(void **state)
{
    (void)state;
    live_blocks = 0;
    mallocs = 0;
    hs_set_alloc_funcs(&counting);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    hs_set_alloc_funcs(NULL);
    return 0;
}

static void alignment(void **state)
{
    (void)state;
    struct hs_arena a;
    hs_arena_init(&a, 4096);
    assert_int_equal(mallocs, 0); /* init does not allocate */
    for (int round = 0; round < 50; round++) {
        for (size_t align = 1; align <= 64; align *= 2) {
            size_t size = (size_t)round * 3 + 1;
            unsigned char *p = hs_arena_alloc(&a, size, align);
            if (((uintptr_t)p & (align - 1)) != 0)
                fail_msg("%p not aligned to %zu", (void *)p, align);
            memset(p, 0xee, size); /* ASan: the whole size is ours */
        }
    }
    /* align 0 means max_align_t */
    hs_arena_alloc(&a, 1, 1);
    void *p = hs_arena_alloc(&a, 8, 0);
    assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
    long double *ld = HS_ARENA_NEW(&a, long double);
    assert_int_equal((uintptr_t)ld % _Alignof(long double), 0);
    assert_true(*ld == 0.0L);
    hs_arena_release(&a);
    assert_int_equal(live_blocks, 0);
}

static void no_overlap(void **state)
{
    (void)state;
    struct hs_arena a;
    unsigned char *ptrs[500];
    size_t sizes[500];
    hs_arena_init(&a, 1000);
    size_t total = 0;
    for (size_t i = 0; i < HS_ARRAY_LEN(ptrs); i++) {
        sizes[i] = 1 + (i * 37) % 300;
        total += sizes[i];
        ptrs[i] = hs_arena_alloc(&a, sizes[i], 1 + (i % 4 == 0) * 7);
        memset(ptrs[i], (int)(i & 0xff), sizes[i]);
    }
    assert_int_equal(a.used, total);
    for (size_t i = 0; i < HS_ARRAY_LEN(ptrs); i++)
        for (size_t k = 0; k < sizes[i]; k++)
            if (ptrs[i][k] != (unsigned char)(i & 0xff))
                fail_msg("allocation %zu byte %zu was overwritten: %u", i, k, ptrs[i][k]);
    hs_arena_release(&a);
    assert_int_equal(live_blocks, 0);
}

static void big_requests_get_own_block(void **state)
{
    (void)state;
    struct hs_arena a;
    hs_arena_init(&a, 1024);
    char *small1 = hs_arena_alloc(&a, 100, 1);
    assert_int_equal(mallocs, 1);
    char *big = hs_arena_alloc(&a, 5000, 8);
    assert_int_equal(mallocs, 2);
    memset(big, 1, 5000);
    /* the current block keeps serving small requests after the big one */
    char *small2 = hs_arena_alloc(&a, 100, 1);
    assert_int_equal(mallocs, 2);
    assert_ptr_equal(small2, small1 + 100);
    /* exactly the block size still fits a fresh default block */
    hs_arena_alloc(&a, 1024, 1);
    assert_int_equal(mallocs, 3);
    assert_int_equal(a.used, 100 + 5000 + 100 + 1024);
    hs_arena_release(&a);
    assert_int_equal(live_blocks, 0);
    assert_null(a.head);
    assert_int_equal(a.used, 0);
}

static void clear_keeps_one_block(void **state)
{
    (void)state;
    struct hs_arena a;
    hs_arena_init(&a, 1024);
    for (int i = 0; i < 20; i++)
        hs_arena_alloc(&a, 300, 1);
    hs_arena_alloc(&a, 100000, 1);
    assert_true(live_blocks > 3);
    hs_arena_clear(&a);
    assert_int_equal(live_blocks, 1);
    assert_int_equal(a.used, 0);
    long before = mallocs;
    /* a block's worth of small allocations reuses the kept block */
    unsigned char *first = hs_arena_alloc(&a, 512, 1);
    memset(first, 0xab, 512);
    hs_arena_alloc(&a, 512, 1);
    assert_int_equal(mallocs, before);
    hs_arena_clear(&a);
    /* zalloc over memory that was dirtied before the clear */
    unsigned char *z = hs_arena_zalloc(&a, 512, 1);
    assert_ptr_equal(z, first);
    for (size_t k = 0; k < 512; k++)
        if (z[k] != 0)
            fail_msg("zalloc byte %zu is %u", k, z[k]);
    /* clearing an arena that holds only a big block frees it */
    hs_arena_release(&a);
    hs_arena_init(&a, 1024);
    hs_arena_alloc(&a, 4096, 1);
    hs_arena_clear(&a);
    assert_int_equal(live_blocks, 0);
    hs_arena_clear(&a); /* clear of an empty arena */
    hs_arena_release(&a);
    assert_int_equal(live_blocks, 0);
}

static void strndup_and_macros(void **state)
{
    (void)state;
    struct hs_arena a;
    hs_arena_init(&a, 0);
    assert_int_equal(a.block_size, 64 * 1024);
    assert_string_equal(hs_arena_strndup(&a, "hello world", 5), "hello");
    assert_string_equal(hs_arena_strndup(&a, "hi", 100), "hi");
    assert_string_equal(hs_arena_strndup(&a, "", 3), "");
    struct pair {
        int a;
        double b;
    } *arr = HS_ARENA_NEW_ARRAY(&a, struct pair, 10);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(arr[i].a, 0);
        assert_true(arr[i].b == 0.0);
    }
    assert_non_null(hs_arena_alloc(&a, 0, 1));
    hs_arena_release(&a);
    assert_int_equal(live_blocks, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(alignment, setup, teardown),
        cmocka_unit_test_setup_teardown(no_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(big_requests_get_own_block, setup, teardown),
        cmocka_unit_test_setup_teardown(clear_keeps_one_block, setup, teardown),
        cmocka_unit_test_setup_teardown(strndup_and_macros, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
