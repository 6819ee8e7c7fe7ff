/* Tests of lib/base/err.c: the table and first-error-wins recording. */
#include "hs_test.h"

#include <string.h>

#include "base/err.h"

static void names_and_descriptions(void **state)
{
    (void)state;
    assert_string_equal(hs_errname(HS_OK), "OK");
    assert_string_equal(hs_errname(HS_EPARSE), "EPARSE");
    assert_string_equal(hs_strerror(HS_EINVAL), "invalid argument");
    assert_string_equal(hs_errname((enum hs_code)9999), "EUNKNOWN");
    assert_string_equal(hs_strerror((enum hs_code) - 1), "unknown error");
    for (int c = 0; c < HS__ERR_COUNT; c++) {
        assert_non_null(hs_errname((enum hs_code)c));
        assert_string_not_equal(hs_errname((enum hs_code)c), "EUNKNOWN");
    }
}

static void first_error_wins(void **state)
{
    (void)state;
    struct hs_err err = { 0 };
    assert_int_equal(hs_err_set(&err, HS_EPARSE, "cannot parse '%s'", "12Qi"), HS_EPARSE);
    assert_int_equal(hs_err_set_http(&err, HS_EHTTP, 500, "later"), HS_EHTTP);
    assert_int_equal(err.code, HS_EPARSE);
    assert_int_equal(err.http_status, 0);
    assert_string_equal(err.msg, "cannot parse '12Qi'");
    hs_err_prefix(&err, "file %s", "a.json");
    assert_string_equal(err.msg, "file a.json: cannot parse '12Qi'");
    hs_err_clear(&err);
    assert_int_equal(err.code, HS_OK);
    assert_int_equal(hs_err_set_http(&err, HS_EAWS, 400, "Throttling"), HS_EAWS);
    assert_int_equal(err.http_status, 400);
}

static void null_err_and_ok_code(void **state)
{
    (void)state;
    struct hs_err err = { 0 };
    assert_int_equal(hs_err_set(NULL, HS_EIO, "x"), HS_EIO);
    assert_int_equal(hs_err_set(&err, HS_OK, "nothing"), HS_OK);
    assert_int_equal(err.code, HS_OK);
    hs_err_prefix(&err, "ignored");
    assert_string_equal(err.msg, "");
}

static void long_message_truncated(void **state)
{
    (void)state;
    struct hs_err err = { 0 };
    char big[2000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    hs_err_set(&err, HS_EINVAL, "%s", big);
    assert_int_equal(strlen(err.msg), HS_ERR_MSG_MAX - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_and_descriptions),
        cmocka_unit_test(first_error_wins),
        cmocka_unit_test(null_err_and_ok_code),
        cmocka_unit_test(long_message_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
