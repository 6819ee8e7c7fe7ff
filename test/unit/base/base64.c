/* Tests of lib/base/base64.c: RFC 4648's vectors, whitespace, and every
 * malformed shape being refused without leaving partial output. */
#include "hs_test.h"

#include <string.h>

#include "base/base64.h"

static void rfc4648_vectors(void **state)
{
    (void)state;
    static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *const coded[] = { "",         "Zg==",     "Zm8=",    "Zm9v",
                                         "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    for (size_t i = 0; i < 7; i++) {
        struct hs_buf b;
        struct hs_err err = { 0 };
        hs_buf_init(&b);
        hs_base64_encode(plain[i], strlen(plain[i]), &b);
        assert_string_equal(b.data, coded[i]);
        hs_buf_clear(&b);
        assert_int_equal(hs_base64_decode(coded[i], strlen(coded[i]), &b, &err), HS_OK);
        assert_string_equal(b.data, plain[i]);
        hs_buf_release(&b);
    }
}

static void whitespace_and_binary(void **state)
{
    (void)state;
    struct hs_buf b, back;
    struct hs_err err = { 0 };
    unsigned char bytes[256];
    for (int i = 0; i < 256; i++)
        bytes[i] = (unsigned char)(255 - i);
    hs_buf_init(&b);
    hs_buf_init(&back);
    hs_base64_encode(bytes, sizeof(bytes), &b);
    /* PEM-style line breaks every 64 characters decode the same. */
    struct hs_buf wrapped;
    hs_buf_init(&wrapped);
    for (size_t i = 0; i < b.len; i += 64) {
        hs_buf_add(&wrapped, b.data + i, b.len - i < 64 ? b.len - i : 64);
        hs_buf_adds(&wrapped, "\r\n");
    }
    assert_int_equal(hs_base64_decode(wrapped.data, wrapped.len, &back, &err), HS_OK);
    assert_int_equal(back.len, sizeof(bytes));
    assert_memory_equal(back.data, bytes, sizeof(bytes));
    hs_buf_release(&b);
    hs_buf_release(&back);
    hs_buf_release(&wrapped);
}

static void malformed(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *msg;
    } cases[] = {
        { "Zm9v!", "invalid base64 at byte 4" },
        { "Zg=a", "invalid base64 at byte 3" },
        { "Z===", "invalid base64 at byte 3" },
        { "Zm9vY", "invalid base64: truncated input" },
        { "Zg", "invalid base64: truncated input" },
        { "Zg=", "invalid base64: truncated input" },
        { "Zm9vYg==Zg==", "invalid base64 at byte 8" },
        { "-_8=", "invalid base64 at byte 0" }, /* URL-safe alphabet is not base64 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hs_buf b;
        struct hs_err err = { 0 };
        hs_buf_init(&b);
        hs_buf_adds(&b, "keep");
        assert_int_equal(hs_base64_decode(cases[i].in, strlen(cases[i].in), &b, &err), HS_EPARSE);
        assert_string_equal(err.msg, cases[i].msg);
        assert_string_equal(b.data, "keep");
        hs_buf_release(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc4648_vectors),
        cmocka_unit_test(whitespace_and_binary),
        cmocka_unit_test(malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
