/*
 * Tests of lib/base/buf.c: appends, printf growth past the 256-byte fast
 * path, JSON string escaping, truncate, clear and detach.
 */
#include "hs_test.h"

#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"

static void appends(void **state)
{
    (void)state;
    struct hs_buf b;
    hs_buf_init(&b);
    assert_string_equal(b.data, "");
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0); /* init does not allocate */
    hs_buf_adds(&b, "node");
    hs_buf_addc(&b, '-');
    hs_buf_add(&b, "12345", 3);
    hs_buf_add(&b, NULL, 0);
    hs_buf_addf(&b, "/%d/%s", 42, "x");
    assert_string_equal(b.data, "node-123/42/x");
    assert_int_equal(b.len, strlen("node-123/42/x"));
    assert_true(b.cap > b.len);
    hs_buf_release(&b);
    assert_int_equal(b.cap, 0);
    assert_string_equal(b.data, "");
}

static void addf_grows_past_fast_path(void **state)
{
    (void)state;
    struct hs_buf b;
    char big[1001];
    memset(big, 'a', 1000);
    big[1000] = '\0';
    hs_buf_init(&b);
    hs_buf_adds(&b, "<");
    hs_buf_addf(&b, "%s|%d", big, 7);
    hs_buf_addf(&b, "%.255s", big); /* exactly 255: still the small path */
    hs_buf_addf(&b, "%.256s", big); /* 256: one over */
    assert_int_equal(b.len, 1 + 1000 + 2 + 255 + 256);
    assert_int_equal(strlen(b.data), b.len);
    assert_int_equal(b.data[0], '<');
    assert_memory_equal(b.data + 1, big, 1000);
    assert_memory_equal(b.data + 1001, "|7", 2);
    assert_int_equal(b.data[1003], 'a');
    assert_int_equal(b.data[b.len - 1], 'a');
    for (size_t c = b.cap; c > 64; c /= 2)
        assert_int_equal(c % 2, 0); /* capacities double from 64 */
    hs_buf_release(&b);
}

static void json_escaping(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t n;
        const char *want;
    } cases[] = {
        { "plain", 5, "\"plain\"" },
        { "", 0, "\"\"" },
        { "say \"hi\"", 8, "\"say \\\"hi\\\"\"" },
        { "C:\\dir", 6, "\"C:\\\\dir\"" },
        { "a\nb\rc\td", 7, "\"a\\nb\\rc\\td\"" },
        { "\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"" },
        { "nul\0x", 5, "\"nul\\u0000x\"" },
        { "caf\xc3\xa9 \xc2\xb5s", 9, "\"caf\xc3\xa9 \xc2\xb5s\"" }, /* UTF-8 passes through */
        { "</script>", 9, "\"</script>\"" },
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(cases); i++) {
        struct hs_buf b;
        hs_buf_init(&b);
        hs_buf_add_json_str(&b, cases[i].in, cases[i].n);
        if (strcmp(b.data, cases[i].want) != 0)
            fail_msg("case %zu: got %s, want %s", i, b.data, cases[i].want);
        hs_buf_release(&b);
    }
}

static void truncate_and_clear(void **state)
{
    (void)state;
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_truncate(&b, 0); /* on the shared empty string */
    hs_buf_clear(&b);
    assert_string_equal(b.data, "");
    hs_buf_adds(&b, "hello world");
    hs_buf_truncate(&b, 100); /* longer: no-op */
    assert_string_equal(b.data, "hello world");
    hs_buf_truncate(&b, 5);
    assert_string_equal(b.data, "hello");
    assert_int_equal(b.len, 5);
    size_t cap = b.cap;
    hs_buf_clear(&b);
    assert_string_equal(b.data, "");
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, cap); /* clear keeps the storage */
    hs_buf_reserve(&b, 1000);
    assert_true(b.cap >= 1001);
    assert_string_equal(b.data, "");
    hs_buf_release(&b);
}

static void detach(void **state)
{
    (void)state;
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_adds(&b, "owned");
    char *s = hs_buf_detach(&b);
    assert_string_equal(s, "owned");
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_string_equal(b.data, "");
    hs_free(s);
    /* detaching an empty buffer still gives a string the caller frees */
    char *e = hs_buf_detach(&b);
    assert_non_null(e);
    assert_string_equal(e, "");
    hs_free(e);
    hs_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(appends),       cmocka_unit_test(addf_grows_past_fast_path),
        cmocka_unit_test(json_escaping), cmocka_unit_test(truncate_and_clear),
        cmocka_unit_test(detach),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
