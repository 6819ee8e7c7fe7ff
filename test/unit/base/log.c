/*
 * Tests of lib/base/log.c: the exact klog text line and JSON line for a known
 * time, pid and call site, level letters, verbosity gating, one record per
 * line, JSON escaping, and redaction on the way out. Lines are captured with
 * hs_log_set_sink; the clock is a fake one at 2026-11-28T08:00:00Z.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"

#define T0 (1795852800 * HS_SEC) /* 2026-11-28T08:00:00Z */

static struct hs_buf captured; /* every line written, concatenated */
static int nlines;
static struct hs_fake_clock fake;

static void capture(void *ctx, const char *line, size_t len)
{
    assert_ptr_equal(ctx, &captured);
    assert_true(len > 0);
    assert_int_equal(line[len - 1], '\n');
    assert_null(memchr(line, '\n', len - 1)); /* exactly one line per call */
    hs_buf_add(&captured, line, len);
    nlines++;
}

static int setup(void **state)
{
    (void)state;
    hs_buf_init(&captured);
    nlines = 0;
    hs_fake_clock_init(&fake, T0);
    hs_log_set_sink(capture, &captured);
    hs_log_set_clock(&fake.clock);
    hs_log_set_pid(1234);
    hs_log_set_format(HS_LOG_FMT_TEXT);
    hs_log_set_verbosity(0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_log_set_sink(NULL, NULL);
    hs_log_set_clock(NULL);
    hs_log_set_pid(0);
    hs_log_set_format(HS_LOG_FMT_TEXT);
    hs_log_set_verbosity(0);
    hs_buf_release(&captured);
    return 0;
}

static void text_line_exact(void **state)
{
    (void)state;
    char want[256];
    HS_INFOS("msg", "key", "v");
    int line = __LINE__ - 1;
    snprintf(want, sizeof(want), "I1128 08:00:00.000000    1234 log.c:%d] msg key=\"v\"\n", line);
    assert_string_equal(captured.data, want);
    assert_int_equal(nlines, 1);

    hs_buf_clear(&captured);
    hs_fake_clock_advance(&fake, 61 * HS_SEC + 123456789);
    HS_INFO("scaled %s to %d", "ng-a", 3);
    line = __LINE__ - 1;
    snprintf(want, sizeof(want), "I1128 08:01:01.123456    1234 log.c:%d] scaled ng-a to 3\n",
             line);
    assert_string_equal(captured.data, want);
}

static void json_line_exact(void **state)
{
    (void)state;
    char want[256];
    hs_log_set_format(HS_LOG_FMT_JSON);
    HS_INFOS("msg", "key", "v");
    int line = __LINE__ - 1;
    snprintf(want, sizeof(want),
             "{\"ts\":1795852800.000000,\"level\":\"info\",\"caller\":\"log.c:%d\",\"v\":0,"
             "\"msg\":\"msg\",\"fields\":{\"key\":\"v\"}}\n",
             line);
    assert_string_equal(captured.data, want);

    hs_buf_clear(&captured);
    HS_INFOS("two", "a", "1", "b", "2");
    line = __LINE__ - 1;
    snprintf(want, sizeof(want),
             "{\"ts\":1795852800.000000,\"level\":\"info\",\"caller\":\"log.c:%d\",\"v\":0,"
             "\"msg\":\"two\",\"fields\":{\"a\":\"1\",\"b\":\"2\"}}\n",
             line);
    assert_string_equal(captured.data, want);

    hs_buf_clear(&captured);
    HS_INFO("no fields");
    line = __LINE__ - 1;
    snprintf(want, sizeof(want),
             "{\"ts\":1795852800.000000,\"level\":\"info\",\"caller\":\"log.c:%d\",\"v\":0,"
             "\"msg\":\"no fields\"}\n",
             line);
    assert_string_equal(captured.data, want);
}

static void level_letters(void **state)
{
    (void)state;
    HS_WARN("w");
    assert_int_equal(captured.data[0], 'W');
    hs_buf_clear(&captured);
    HS_ERROR("e");
    assert_int_equal(captured.data[0], 'E');
    hs_buf_clear(&captured);
    HS_WARNS("w", "k", "v");
    assert_int_equal(captured.data[0], 'W');
    hs_buf_clear(&captured);
    HS_ERRORS("e", "k", "v");
    assert_int_equal(captured.data[0], 'E');
    hs_buf_clear(&captured);
    hs_log_set_format(HS_LOG_FMT_JSON);
    HS_WARN("w");
    assert_non_null(strstr(captured.data, "\"level\":\"warning\""));
    hs_buf_clear(&captured);
    HS_ERROR("e");
    assert_non_null(strstr(captured.data, "\"level\":\"error\""));
    assert_int_equal(nlines, 6);
}

static int side_effects;
static const char *counted(const char *s)
{
    side_effects++;
    return s;
}

static void verbosity_gate(void **state)
{
    (void)state;
    hs_log_set_verbosity(1);
    assert_int_equal(hs_log_verbosity, 1);
    HS_V(2, "hidden %s", counted("x"));
    assert_int_equal(nlines, 0);
    assert_int_equal(side_effects, 0); /* arguments not even evaluated */
    HS_V(1, "shown at 1");
    assert_int_equal(nlines, 1);
    assert_non_null(strstr(captured.data, "] shown at 1\n"));
    HS_V(0, "shown at 0");
    assert_int_equal(nlines, 2);
    hs_log_set_verbosity(2);
    hs_log_set_format(HS_LOG_FMT_JSON);
    hs_buf_clear(&captured);
    HS_V(2, "now %s", counted("shown"));
    assert_int_equal(nlines, 3);
    assert_int_equal(side_effects, 1);
    assert_non_null(strstr(captured.data, "\"v\":2,\"msg\":\"now shown\""));
}

static void text_is_one_line(void **state)
{
    (void)state;
    char want[256];
    HS_INFOS("first\nsecond\n", "body", "a\nb\"c");
    int line = __LINE__ - 1;
    snprintf(want, sizeof(want),
             "I1128 08:00:00.000000    1234 log.c:%d] first second  body=\"a\\nb\\\"c\"\n", line);
    assert_string_equal(captured.data, want);
    assert_int_equal(nlines, 1);
}

static void json_escaping(void **state)
{
    (void)state;
    hs_log_set_format(HS_LOG_FMT_JSON);
    HS_INFOS("say \"hi\"\n\\ \x01", "path", "C:\\x", "q\"k", "v");
    assert_non_null(strstr(captured.data, "\"msg\":\"say \\\"hi\\\"\\n\\\\ \\u0001\""));
    assert_non_null(strstr(captured.data, "\"fields\":{\"path\":\"C:\\\\x\",\"q\\\"k\":\"v\"}}\n"));
    assert_int_equal(nlines, 1);
}

static void secrets_never_reach_the_sink(void **state)
{
    (void)state;
    HS_INFOS("calling STS", "token", "abc123", "role", "node");
    assert_non_null(strstr(captured.data, " token=\"[REDACTED]\" role=\"node\"\n"));
    assert_null(strstr(captured.data, "abc123"));
    hs_buf_clear(&captured);
    hs_log_set_format(HS_LOG_FMT_JSON);
    HS_INFO("response {\"SecretAccessKey\": \"wJalrXUtnFEMI\"}");
    assert_null(strstr(captured.data, "wJalrXUtnFEMI"));
    assert_non_null(strstr(captured.data, "[REDACTED]"));
    hs_buf_clear(&captured);
    HS_INFOS("creds", "body", "{\"password\":\"hunter2\"}");
    assert_null(strstr(captured.data, "hunter2"));
}

static void real_pid_by_default(void **state)
{
    (void)state;
    char want[32];
    hs_log_set_pid(0);
    HS_INFO("x");
    snprintf(want, sizeof(want), " %7d log.c:", (int)getpid());
    assert_non_null(strstr(captured.data, want));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(text_line_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(json_line_exact, setup, teardown),
        cmocka_unit_test_setup_teardown(level_letters, setup, teardown),
        cmocka_unit_test_setup_teardown(verbosity_gate, setup, teardown),
        cmocka_unit_test_setup_teardown(text_is_one_line, setup, teardown),
        cmocka_unit_test_setup_teardown(json_escaping, setup, teardown),
        cmocka_unit_test_setup_teardown(secrets_never_reach_the_sink, setup, teardown),
        cmocka_unit_test_setup_teardown(real_pid_by_default, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
