/*
 * Tests of lib/model/quantity.c: every vector of the shared quantities.json
 * (valid and invalid, and the negated forms its _notes describe), plus the
 * apimachinery quirks that file does not cover. Reads test data only.
 */
#include "hs_test.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "model/quantity.h"

static json_t *load_vectors(void)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/k8s/quantities.json", hs_testdata_dir());
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root)
        fail_msg("cannot load %s: %s", path, jerr.text);
    return root;
}

static void check_string(const char *in, const char *want)
{
    struct hs_buf b;
    hs_buf_init(&b);
    struct hs_err err = { 0 };
    assert_int_equal(model_quantity_string(in, strlen(in), &b, &err), HS_OK);
    if (strcmp(b.data, want) != 0)
        fail_msg("String('%s') = '%s', want '%s'", in, b.data, want);
    hs_buf_release(&b);
}

static void check_exact(const char *in, const char *want)
{
    struct hs_buf b;
    hs_buf_init(&b);
    struct hs_err err = { 0 };
    assert_int_equal(model_quantity_exact(in, strlen(in), &b, &err), HS_OK);
    if (strcmp(b.data, want) != 0)
        fail_msg("exact('%s') = '%s', want '%s'", in, b.data, want);
    hs_buf_release(&b);
}

/* Value() from the exact decimal: ceil away from zero, or overflow. */
static int64_t ceil_of(const char *exact, int *ok)
{
    const char *p = exact;
    int neg = *p == '-';
    if (neg)
        p++;
    unsigned long long v = 0;
    *ok = 1;
    for (; *p && *p != '.'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (9223372036854775807ULL - d) / 10) {
            *ok = 0;
            return 0;
        }
        v = v * 10 + d;
    }
    if (*p == '.' && strspn(p + 1, "0") != strlen(p + 1))
        v++;
    if (v > 9223372036854775807ULL) {
        *ok = 0;
        return 0;
    }
    return neg ? -(int64_t)v : (int64_t)v;
}

static void all_vectors(void **state)
{
    (void)state;
    json_t *root = load_vectors();
    json_t *vecs = json_object_get(root, "vectors");
    assert_true(json_array_size(vecs) >= 142);
    size_t i;
    json_t *v;
    json_array_foreach(vecs, i, v)
    {
        const char *in = json_string_value(json_object_get(v, "input"));
        const char *canon = json_string_value(json_object_get(v, "canonical"));
        const char *value = json_string_value(json_object_get(v, "value"));
        const char *fmt = json_string_value(json_object_get(v, "format"));
        json_t *milli = json_object_get(v, "milliValue");
        struct model_quantity q;
        struct hs_err err = { 0 };
        if (model_quantity_parse(in, strlen(in), &q, &err) != HS_OK)
            fail_msg("parse('%s') failed: %s", in, err.msg);
        if (fmt && strcmp(model_qformat_name(q.format), fmt) != 0)
            fail_msg("format('%s') = %s, want %s", in, model_qformat_name(q.format), fmt);
        if (json_is_null(milli)) {
            if (q.milli_ok)
                fail_msg("milli('%s') = %lld, want overflow", in, (long long)q.milli);
        } else {
            if (!q.milli_ok || q.milli != json_integer_value(milli))
                fail_msg("milli('%s') = %lld ok=%d, want %lld", in, (long long)q.milli, q.milli_ok,
                         (long long)json_integer_value(milli));
        }
        int ok;
        int64_t want_value = ceil_of(value, &ok);
        if (ok != q.value_ok || (ok && want_value != q.value))
            fail_msg("value('%s') = %lld ok=%d, want %lld ok=%d", in, (long long)q.value,
                     q.value_ok, (long long)want_value, ok);
        check_string(in, canon);
        check_exact(in, value);

        /* the negated form: same format, negated value, '-' + canonical */
        char neg[256], negcanon[256], negvalue[256];
        snprintf(neg, sizeof(neg), "-%s", in);
        int zero = strcmp(value, "0") == 0;
        snprintf(negcanon, sizeof(negcanon), "%s%s", zero ? "" : "-", canon);
        snprintf(negvalue, sizeof(negvalue), "%s%s", zero ? "" : "-", value);
        struct model_quantity nq;
        if (model_quantity_parse(neg, strlen(neg), &nq, &err) != HS_OK)
            fail_msg("parse('%s') failed: %s", neg, err.msg);
        assert_int_equal(nq.format, q.format);
        assert_int_equal(nq.sign, -q.sign);
        assert_int_equal(nq.value_ok, q.value_ok);
        if (q.value_ok)
            assert_int_equal(nq.value, -q.value);
        /* milli of a negative: exact values agree on every path */
        if (q.milli_ok && strchr(value, '.') == NULL)
            assert_int_equal(nq.milli, -q.milli);
        check_string(neg, negcanon);
        check_exact(neg, negvalue);
    }
    json_decref(root);
}

static void all_invalid(void **state)
{
    (void)state;
    json_t *root = load_vectors();
    json_t *inv = json_object_get(root, "invalid");
    assert_true(json_array_size(inv) >= 12);
    size_t i;
    json_t *v;
    json_array_foreach(inv, i, v)
    {
        const char *in = json_string_value(v);
        struct model_quantity q;
        struct hs_err err = { 0 };
        if (model_quantity_parse(in, strlen(in), &q, &err) != HS_EPARSE)
            fail_msg("parse('%s') succeeded, want EPARSE", in);
        char quoted[300];
        snprintf(quoted, sizeof(quoted), "'%s'", in);
        assert_non_null(strstr(err.msg, quoted));
    }
    json_decref(root);
}

static void quirks(void **state)
{
    (void)state;
    struct model_quantity q;
    struct hs_err err = { 0 };
    /* 19 digits that overflow int64 fail on the int64 path; 20 digits do not */
    assert_int_equal(model_quantity_parse("9999999999999999999", 19, &q, &err), HS_EPARSE);
    assert_non_null(strstr(err.msg, "unable to parse numeric part"));
    hs_err_clear(&err);
    assert_int_equal(model_quantity_parse("99999999999999999999", 20, &q, &err), HS_OK);
    assert_false(q.value_ok);
    check_string("99999999999999999999", "99999999999999999999");
    check_string("9223372036854775807", "9223372036854775807");
    /* the input is echoed when apimachinery deems it canonical */
    check_string("+5", "+5");
    check_string("007", "007");
    check_string("1.5Gi", "1536Mi");
    check_string("1.1Ki", "1126400m");
    check_string("1000E", "1e21");
    check_string("1e1000000", "10e999999");
    check_string("12345678901234567890e1000000", "123456789012345678900e999999");
    check_string("1e-1000000", "1e-9");
    check_string("0.1Ei", "115292150460684697600m");
    check_string("1.5Ei", "1536Pi");
    check_string(".5Ki", "512");
    check_string("1e+5", "100e3");
    check_string("-", "0");
    check_string(".", "0");
    check_string("-0", "0");
    /* lone sign or point: zero; a point under nano scale: numeric error */
    assert_int_equal(model_quantity_parse(".e-20", 5, &q, &err), HS_EPARSE);
    hs_err_clear(&err);
    assert_int_equal(model_quantity_parse("1e", 2, &q, &err), HS_EPARSE);
    hs_err_clear(&err);
    assert_int_equal(model_quantity_parse("1e99999999999999999999", 22, &q, &err), HS_EPARSE);
    hs_err_clear(&err);
    assert_int_equal(model_quantity_parse("1ki", 3, &q, &err), HS_EPARSE);
    assert_string_equal(err.msg, "cannot parse quantity '1ki': unable to parse quantity's suffix");
    hs_err_clear(&err);
    /* the string need not be NUL-terminated */
    assert_int_equal(model_quantity_parse("100mXYZ", 4, &q, &err), HS_OK);
    assert_int_equal(q.milli, 100);
    assert_int_equal(q.value, 1);
    /* negative rounding is away from zero */
    assert_int_equal(model_quantity_parse("-1.5", 4, &q, &err), HS_OK);
    assert_int_equal(q.value, -2);
    assert_int_equal(q.milli, -1500);
    assert_int_equal(model_quantity_parse("-0.0001", 7, &q, &err), HS_OK);
    assert_int_equal(q.milli, -1);
    /* most negative int64 fits */
    assert_int_equal(model_quantity_parse("-9223372036854775808000m", 24, &q, &err), HS_OK);
    assert_true(q.value_ok);
    assert_int_equal(q.value, INT64_MIN);
    assert_false(q.milli_ok);
    /* long input goes through the heap buffer */
    char big[600];
    memset(big, '1', sizeof(big) - 3);
    memcpy(big + sizeof(big) - 3, "Ki", 3);
    assert_int_equal(model_quantity_parse(big, strlen(big), &q, &err), HS_OK);
    assert_true(q.value_ok); /* BinarySI is capped at 2^63-1 */
    assert_int_equal(q.value, INT64_MAX);
    assert_false(q.milli_ok);
    check_string(big, "9223372036854775807");
}

static void format_computed(void **state)
{
    (void)state;
    struct {
        int64_t v;
        int32_t scale;
        enum model_qformat f;
        const char *want;
    } cases[] = {
        { 1500, -3, MODEL_QF_DECIMAL_SI, "1500m" },
        { 2000, -3, MODEL_QF_DECIMAL_SI, "2" },
        { 1073741824, 0, MODEL_QF_BINARY_SI, "1Gi" },
        { 1000, 0, MODEL_QF_BINARY_SI, "1k" },
        { 1536, 0, MODEL_QF_BINARY_SI, "1536" },
        { 1572864, 0, MODEL_QF_BINARY_SI, "1536Ki" },
        { 0, 0, MODEL_QF_BINARY_SI, "0" },
        { -500, -3, MODEL_QF_DECIMAL_SI, "-500m" },
        { 1, 21, MODEL_QF_DECIMAL_SI, "1e21" },
        { 1, 4, MODEL_QF_DECIMAL_EXPONENT, "10e3" },
        { 1, -1, MODEL_QF_BINARY_SI, "100m" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hs_buf b;
        hs_buf_init(&b);
        model_quantity_format(&b, cases[i].v, cases[i].scale, cases[i].f);
        if (strcmp(b.data, cases[i].want) != 0)
            fail_msg("format(%lld, %d) = '%s', want '%s'", (long long)cases[i].v, cases[i].scale,
                     b.data, cases[i].want);
        hs_buf_release(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_vectors),
        cmocka_unit_test(all_invalid),
        cmocka_unit_test(quirks),
        cmocka_unit_test(format_computed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
