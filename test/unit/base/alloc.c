/*
 * Tests of lib/base/alloc.c with a counting allocator swapped in: every
 * wrapper reaches the installed functions the expected number of times, and
 * hs_grow doubles. libc's allocator is restored after each test.
 */
#include "hs_test.h"

#include <string.h>

#include "base/alloc.h"

static struct {
    int mallocs, reallocs, frees;
    size_t last_size;
} counts;

static void *count_malloc(size_t n)
{
    counts.mallocs++;
    counts.last_size = n;
    return malloc(n);
}
static void *count_realloc(void *p, size_t n)
{
    counts.reallocs++;
    counts.last_size = n;
    return realloc(p, n);
}
static void count_free(void *p)
{
    counts.frees++;
    free(p);
}
static const struct hs_alloc_funcs counting = { count_malloc, count_realloc, count_free };

static int setup(void **state)
{
    (void)state;
    memset(&counts, 0, sizeof(counts));
    hs_set_alloc_funcs(&counting);
    return 0;
}
static int teardown(void **state)
{
    (void)state;
    hs_set_alloc_funcs(NULL);
    return 0;
}

static void wrappers_reach_installed_functions(void **state)
{
    (void)state;
    void *a = hs_malloc(10);
    assert_int_equal(counts.mallocs, 1);
    assert_int_equal(counts.last_size, 10);
    void *z = hs_malloc(0); /* never NULL, asks for one byte */
    assert_non_null(z);
    assert_int_equal(counts.last_size, 1);
    unsigned char *c = hs_calloc(4, 8);
    assert_int_equal(counts.mallocs, 3);
    assert_int_equal(counts.last_size, 32);
    for (int i = 0; i < 32; i++)
        assert_int_equal(c[i], 0);
    a = hs_realloc(a, 100);
    assert_int_equal(counts.reallocs, 1);
    assert_int_equal(counts.last_size, 100);
    a = hs_reallocarray(a, 3, 50);
    assert_int_equal(counts.reallocs, 2);
    assert_int_equal(counts.last_size, 150);
    char *s = hs_strdup("label");
    assert_string_equal(s, "label");
    assert_int_equal(counts.last_size, 6);
    char *n = hs_strndup("abcdef", 3);
    assert_string_equal(n, "abc");
    assert_int_equal(counts.last_size, 4);
    char *n2 = hs_strndup("ab", 10);
    assert_string_equal(n2, "ab");
    int v[3] = { 1, 2, 3 };
    int *m = hs_memdup(v, sizeof(v));
    assert_memory_equal(m, v, sizeof(v));
    assert_int_equal(counts.mallocs, 7);
    hs_free(NULL); /* does not reach free_fn */
    assert_int_equal(counts.frees, 0);
    hs_free(a);
    hs_free(z);
    hs_free(c);
    hs_free(s);
    hs_free(n);
    hs_free(n2);
    hs_free(m);
    assert_int_equal(counts.frees, 7);
    assert_int_equal(counts.mallocs, counts.frees);
}

static void grow_doubles(void **state)
{
    (void)state;
    int *arr = NULL;
    size_t cap = 0;
    HS_GROW(arr, cap, 1);
    assert_int_equal(cap, 8); /* first growth gives 8 */
    assert_int_equal(counts.reallocs, 1);
    assert_int_equal(counts.last_size, 8 * sizeof(int));
    HS_GROW(arr, cap, 8); /* fits: no call */
    assert_int_equal(cap, 8);
    assert_int_equal(counts.reallocs, 1);
    HS_GROW(arr, cap, 9);
    assert_int_equal(cap, 16);
    HS_GROW(arr, cap, 17);
    assert_int_equal(cap, 32);
    HS_GROW(arr, cap, 100); /* several doublings in one call */
    assert_int_equal(cap, 128);
    assert_int_equal(counts.reallocs, 4);
    for (int i = 0; i < 100; i++)
        arr[i] = i; /* ASan: the space is really there */
    hs_free(arr);
    assert_int_equal(counts.frees, 1);
}

static void restoring_libc(void **state)
{
    (void)state;
    hs_set_alloc_funcs(NULL);
    void *p = hs_malloc(16);
    hs_free(p);
    assert_int_equal(counts.mallocs, 0);
    assert_int_equal(counts.frees, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(wrappers_reach_installed_functions, setup, teardown),
        cmocka_unit_test_setup_teardown(grow_doubles, setup, teardown),
        cmocka_unit_test_setup_teardown(restoring_libc, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
