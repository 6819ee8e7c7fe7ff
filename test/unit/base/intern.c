/*
 * Tests of lib/base/intern.c: one pointer per distinct string, reference
 * counts, immediate reclamation, a table that stays small under churn, and a
 * randomised comparison with a trivially correct model that exercises
 * backward-shift deletion in crowded probe runs.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include "base/common.h"
#include "base/intern.h"
#include "base/rng.h"

#define CHECK_SZ(what, got, want)                              \
    do {                                                       \
        size_t g_ = (size_t)(got), w_ = (size_t)(want);        \
        if (g_ != w_)                                          \
            fail_msg("%s: got %zu, want %zu", (what), g_, w_); \
    } while (0)

static void equal_strings_share_a_pointer(void **state)
{
    (void)state;
    struct hs_intern *t = hs_intern_new();
    char buf[] = "app.kubernetes.io/name";
    const char *a = hs_intern_cstr(t, "app.kubernetes.io/name");
    const char *b = hs_intern(t, buf, strlen(buf));
    assert_ptr_equal(a, b);
    assert_ptr_not_equal(a, buf);
    assert_string_equal(a, "app.kubernetes.io/name");
    CHECK_SZ("len", hs_intern_len(a), strlen(buf));
    assert_int_equal(hs_intern_hash(a), hs_intern_hash(b));

    const char *c = hs_intern_cstr(t, "app.kubernetes.io/nam");
    const char *d = hs_intern(t, buf, 3); /* "app", NUL-terminated copy */
    const char *e = hs_intern(t, NULL, 0);
    const char *f = hs_intern_cstr(t, "");
    assert_ptr_not_equal(a, c);
    assert_ptr_not_equal(c, d);
    assert_string_equal(d, "app");
    assert_ptr_equal(e, f);
    assert_string_equal(e, "");
    /* embedded NULs are part of the string */
    const char *g = hs_intern(t, "a\0b", 3);
    const char *h = hs_intern(t, "a\0c", 3);
    assert_ptr_not_equal(g, h);
    CHECK_SZ("len with NUL", hs_intern_len(g), 3);
    CHECK_SZ("count", hs_intern_count(t), 6);
    hs_intern_free(&t);
    assert_null(t);
    hs_intern_free(&t); /* NULL is fine */
    hs_intern_free(NULL);
}

static void reference_counts(void **state)
{
    (void)state;
    struct hs_intern *t = hs_intern_new();
    const char *a = hs_intern_cstr(t, "zone");
    CHECK_SZ("refs after intern", hs_intern_refs(a), 1);
    assert_ptr_equal(hs_intern_cstr(t, "zone"), a);
    CHECK_SZ("refs after second intern", hs_intern_refs(a), 2);
    assert_ptr_equal(hs_intern_ref(a), a);
    CHECK_SZ("refs after ref", hs_intern_refs(a), 3);
    size_t bytes = hs_intern_bytes(t);
    assert_true(bytes >= 5);
    hs_intern_unref(t, a);
    hs_intern_unref(t, a);
    CHECK_SZ("refs after two unrefs", hs_intern_refs(a), 1);
    CHECK_SZ("still counted", hs_intern_count(t), 1);
    CHECK_SZ("bytes unchanged", hs_intern_bytes(t), bytes);
    hs_intern_unref(t, a); /* freed now; ASan would flag any later use */
    CHECK_SZ("count after last unref", hs_intern_count(t), 0);
    CHECK_SZ("bytes after last unref", hs_intern_bytes(t), 0);
    hs_intern_unref(t, NULL);
    /* interning again makes a fresh entry with one reference */
    const char *b = hs_intern_cstr(t, "zone");
    CHECK_SZ("fresh refs", hs_intern_refs(b), 1);
    hs_intern_free(&t); /* frees b with the table */
}

static void reclaims_everything(void **state)
{
    (void)state;
    enum { N = 100000 };
    struct hs_intern *t = hs_intern_new();
    size_t cap0 = hs_intern_capacity(t);
    const char **ptrs = malloc(N * sizeof(*ptrs));
    assert_non_null(ptrs);
    char buf[64];
    for (int i = 0; i < N; i++) {
        int n = snprintf(buf, sizeof(buf), "pod-template-hash-%08x", (unsigned)i * 2654435761u);
        ptrs[i] = hs_intern(t, buf, (size_t)n);
    }
    CHECK_SZ("count", hs_intern_count(t), N);
    assert_true(hs_intern_bytes(t) >= (size_t)N * 26);
    assert_true(hs_intern_capacity(t) >= N);
    assert_true(hs_intern_capacity(t) <= 4 * (size_t)N);
    /* every string is still found, with the same pointer */
    for (int i = 0; i < N; i += 7) {
        const char *again = hs_intern_cstr(t, ptrs[i]);
        assert_ptr_equal(again, ptrs[i]);
        hs_intern_unref(t, again);
    }
    for (int i = 0; i < N; i++)
        hs_intern_unref(t, ptrs[i]);
    CHECK_SZ("count after unref all", hs_intern_count(t), 0);
    CHECK_SZ("bytes after unref all", hs_intern_bytes(t), 0);
    CHECK_SZ("capacity back to its minimum", hs_intern_capacity(t), cap0);
    free(ptrs);
    hs_intern_free(&t);
}

/* 100 long-lived strings while a million distinct ones come and go, up to a
 * thousand at a time: the table must stay sized for what is alive. */
static void bounded_under_churn(void **state)
{
    (void)state;
    enum { KEEP = 100, WINDOW = 1000, TOTAL = 1000000 };
    struct hs_intern *t = hs_intern_new();
    const char *keep[KEEP];
    const char *window[WINDOW] = { 0 };
    char buf[64];
    for (int i = 0; i < KEEP; i++) {
        int n = snprintf(buf, sizeof(buf), "topology.kubernetes.io/zone-%d", i);
        keep[i] = hs_intern(t, buf, (size_t)n);
    }
    size_t max_cap = 0, max_count = 0;
    for (int i = 0; i < TOTAL; i++) {
        int n = snprintf(buf, sizeof(buf), "controller-revision-hash=%d", i);
        hs_intern_unref(t, window[i % WINDOW]);
        window[i % WINDOW] = hs_intern(t, buf, (size_t)n);
        max_cap = hs_intern_capacity(t) > max_cap ? hs_intern_capacity(t) : max_cap;
        max_count = hs_intern_count(t) > max_count ? hs_intern_count(t) : max_count;
    }
    CHECK_SZ("peak count", max_count, KEEP + WINDOW);
    /* 1100 live entries at load <= 3/4 need 2048 slots; allow one doubling more. */
    if (max_cap > 4096)
        fail_msg("capacity peaked at %zu for at most %zu live entries", max_cap, max_count);
    for (int i = 0; i < WINDOW; i++)
        hs_intern_unref(t, window[i]);
    CHECK_SZ("count with only the kept", hs_intern_count(t), KEEP);
    if (hs_intern_capacity(t) > 256)
        fail_msg("capacity %zu for %d live entries", hs_intern_capacity(t), KEEP);
    for (int i = 0; i < KEEP; i++) {
        int n = snprintf(buf, sizeof(buf), "topology.kubernetes.io/zone-%d", i);
        const char *again = hs_intern(t, buf, (size_t)n);
        assert_ptr_equal(again, keep[i]);
        CHECK_SZ("kept refs", hs_intern_refs(again), 2);
        hs_intern_unref(t, again);
        hs_intern_unref(t, keep[i]);
    }
    CHECK_SZ("empty at the end", hs_intern_count(t), 0);
    CHECK_SZ("no bytes at the end", hs_intern_bytes(t), 0);
    hs_intern_free(&t);
}

/* Random interns and unrefs over a small universe, checked against plain
 * counters: pointers stay stable while referenced, counts and bytes match. */
static void matches_model(void **state)
{
    (void)state;
    enum { U = 3000, STEPS = 400000 };
    struct hs_intern *t = hs_intern_new();
    static const char *ptr[U];
    static size_t refs[U];
    static char names[U][24];
    static size_t lens[U];
    struct hs_rng r;
    hs_rng_seed(&r, 2026);
    for (int i = 0; i < U; i++)
        lens[i] = (size_t)snprintf(names[i], sizeof(names[i]), "k%d", i);
    size_t live = 0, bytes_model = 0;
    for (int step = 0; step < STEPS; step++) {
        /* drift between filling and draining so the table grows and shrinks */
        int fill = (step / 50000) % 2 == 0;
        size_t i = (size_t)hs_rng_below(&r, U);
        int add = hs_rng_below(&r, 100) < (fill ? 70u : 30u);
        if (add) {
            const char *p = hs_intern(t, names[i], lens[i]);
            if (refs[i] > 0 && p != ptr[i])
                fail_msg("step %d: \"%s\" moved from %p to %p", step, names[i],
                         (const void *)ptr[i], (const void *)p);
            if (refs[i] == 0) {
                live++;
                bytes_model += hs_intern_len(p);
            }
            ptr[i] = p;
            refs[i]++;
        } else if (refs[i] > 0) {
            CHECK_SZ("refs before unref", hs_intern_refs(ptr[i]), refs[i]);
            if (--refs[i] == 0) {
                live--;
                bytes_model -= lens[i];
            }
            hs_intern_unref(t, ptr[i]);
        }
        if (hs_intern_count(t) != live)
            fail_msg("step %d: count %zu, model %zu", step, hs_intern_count(t), live);
    }
    /* bytes is a per-entry overhead plus the characters: check it is linear */
    if (live > 0)
        assert_true(hs_intern_bytes(t) > bytes_model);
    for (int i = 0; i < U; i++) {
        if (refs[i] == 0)
            continue;
        const char *p = hs_intern(t, names[i], lens[i]);
        assert_ptr_equal(p, ptr[i]);
        assert_string_equal(p, names[i]);
        while (refs[i]-- > 0)
            hs_intern_unref(t, ptr[i]);
        hs_intern_unref(t, p);
    }
    CHECK_SZ("model drained", hs_intern_count(t), 0);
    CHECK_SZ("model bytes drained", hs_intern_bytes(t), 0);
    hs_intern_free(&t);
}

/* Bucket spread of the hash over similar keys (the low bits index the table). */
static void hash_spreads_similar_keys(void **state)
{
    (void)state;
    enum { N = 65536, B = 1024 };
    struct hs_intern *t = hs_intern_new();
    static int buckets[B];
    static const char *ptrs[N];
    char buf[32];
    for (int i = 0; i < N; i++) {
        int n = snprintf(buf, sizeof(buf), "node-%d", i);
        ptrs[i] = hs_intern(t, buf, (size_t)n);
        buckets[hs_intern_hash(ptrs[i]) & (B - 1)]++;
    }
    int worst = 0;
    for (int b = 0; b < B; b++)
        worst = buckets[b] > worst ? buckets[b] : worst;
    /* 64 expected per bucket; a poor hash of sequential keys piles far higher. */
    if (worst > 110)
        fail_msg("fullest of %d buckets holds %d of %d keys", B, worst, N);
    for (int i = 0; i < N; i++)
        hs_intern_unref(t, ptrs[i]);
    hs_intern_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_strings_share_a_pointer),
        cmocka_unit_test(reference_counts),
        cmocka_unit_test(reclaims_everything),
        cmocka_unit_test(bounded_under_churn),
        cmocka_unit_test(matches_model),
        cmocka_unit_test(hash_spreads_similar_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
