/*
 * Tests of lib/http/lines.c: a stream cut at every possible pair of points
 * still yields exactly its lines; CRLF, empty lines, a final unterminated
 * line, the line limit, and a reader that stops early.
 */
#include "hs_test.h"

#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "http/http.h"

struct collect {
    struct hs_buf all; /* lines joined with '|' */
    int n;
    int stop_at; /* return HS_EPARSE on this line number (1-based); 0: never */
};

static enum hs_code on_line(void *ctx, const char *line, size_t len)
{
    struct collect *c = ctx;
    assert_int_equal(strlen(line), len); /* NUL-terminated at len */
    c->n++;
    if (c->n > 1)
        hs_buf_addc(&c->all, '|');
    hs_buf_add(&c->all, line, len);
    return c->n == c->stop_at ? HS_EPARSE : HS_OK;
}

static void every_split(void **state)
{
    (void)state;
    static const char stream[] = "{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":[3,4]}\nlast";
    const size_t n = sizeof(stream) - 1;
    for (size_t i = 0; i <= n; i++) {
        for (size_t j = i; j <= n; j++) {
            struct collect c = { .stop_at = 0 };
            hs_buf_init(&c.all);
            struct http_lines l;
            http_lines_init(&l, 0);
            assert_int_equal(http_lines_feed(&l, stream, i, on_line, &c, NULL), HS_OK);
            assert_int_equal(http_lines_feed(&l, stream + i, j - i, on_line, &c, NULL), HS_OK);
            assert_int_equal(http_lines_feed(&l, stream + j, n - j, on_line, &c, NULL), HS_OK);
            assert_int_equal(c.n, 4);
            assert_int_equal(http_lines_finish(&l, on_line, &c), HS_OK);
            assert_string_equal(c.all.data, "{\"a\":1}|{\"b\":2}||{\"c\":[3,4]}|last");
            assert_int_equal(http_lines_finish(&l, on_line, &c), HS_OK); /* nothing left */
            assert_int_equal(c.n, 5);
            http_lines_release(&l);
            hs_buf_release(&c.all);
        }
    }
}

static void byte_by_byte(void **state)
{
    (void)state;
    static const char stream[] = "one\ntwo\r\nthree\n";
    struct collect c = { .stop_at = 0 };
    hs_buf_init(&c.all);
    struct http_lines l;
    http_lines_init(&l, 0);
    for (size_t i = 0; i < sizeof(stream) - 1; i++)
        assert_int_equal(http_lines_feed(&l, stream + i, 1, on_line, &c, NULL), HS_OK);
    assert_int_equal(http_lines_finish(&l, on_line, &c), HS_OK);
    assert_string_equal(c.all.data, "one|two|three");
    http_lines_release(&l);
    hs_buf_release(&c.all);
}

static void line_limit(void **state)
{
    (void)state;
    struct collect c = { .stop_at = 0 };
    hs_buf_init(&c.all);
    struct http_lines l;
    http_lines_init(&l, 8);
    struct hs_err err = { 0 };
    assert_int_equal(http_lines_feed(&l, "12345678\n", 9, on_line, &c, &err), HS_OK);
    assert_int_equal(http_lines_feed(&l, "12345", 5, on_line, &c, &err), HS_OK);
    assert_int_equal(http_lines_feed(&l, "6789\n", 5, on_line, &c, &err), HS_ERANGE);
    assert_int_equal(err.code, HS_ERANGE);
    assert_non_null(strstr(err.msg, "longer than 8 bytes"));
    assert_int_equal(c.n, 1);
    /* The overlong line is dropped; the stream can go on. */
    assert_int_equal(http_lines_feed(&l, "ok\n", 3, on_line, &c, NULL), HS_OK);
    assert_string_equal(c.all.data, "12345678|ok");
    http_lines_release(&l);
    hs_buf_release(&c.all);
}

static void reader_stops(void **state)
{
    (void)state;
    struct collect c = { .stop_at = 2 };
    hs_buf_init(&c.all);
    struct http_lines l;
    http_lines_init(&l, 0);
    assert_int_equal(http_lines_feed(&l, "a\nb\nc\n", 6, on_line, &c, NULL), HS_EPARSE);
    assert_int_equal(c.n, 2);
    http_lines_clear(&l);
    assert_int_equal(http_lines_finish(&l, on_line, &c), HS_OK);
    assert_int_equal(c.n, 2);
    http_lines_release(&l);
    http_lines_release(&l); /* twice is harmless */
    hs_buf_release(&c.all);
}

static void partial_then_clear(void **state)
{
    (void)state;
    struct collect c = { .stop_at = 0 };
    hs_buf_init(&c.all);
    struct http_lines l;
    http_lines_init(&l, 0);
    assert_int_equal(http_lines_feed(&l, "{\"half", 6, on_line, &c, NULL), HS_OK);
    http_lines_clear(&l); /* the stream broke: a new one starts clean */
    assert_int_equal(http_lines_feed(&l, "{}\n", 3, on_line, &c, NULL), HS_OK);
    assert_string_equal(c.all.data, "{}");
    http_lines_release(&l);
    hs_buf_release(&c.all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_split),        cmocka_unit_test(byte_by_byte),
        cmocka_unit_test(line_limit),         cmocka_unit_test(reader_stops),
        cmocka_unit_test(partial_then_clear),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
