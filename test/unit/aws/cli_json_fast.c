/*
 * Tests of lib/aws/cli_json_fast.c against the jansson walk of cli_json.c
 * (the path every decode took before the one-pass reader existed, still
 * taken for whatever the reader declines):
 *  - every JSON file under testdata/aws (aws CLI examples, synthesized
 *    twins, instance-selector and Karpenter captures, and everything else
 *    there), through the three CLI decoders: the default path gives exactly
 *    the walk's code, message and fields, and the reader alone accepts
 *    every file the walk decodes (so the fast path is the one taken);
 *  - a table of edge cases with the reader's verdict fixed, each also
 *    compared with the walk; Karpenter's capture re-printed compact and
 *    indented;
 *  - a declined second page leaves the first one intact.
 * test/fuzz/aws_cli_json_diff.c runs the same comparison on fuzzed input.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "../../fuzz/aws_model_dump.h"
#include "aws/decode.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "cli_json_int.h"

struct outcome {
    enum hs_code rc;
    char msg[sizeof(((struct hs_err *)0)->msg)];
    struct hs_buf dump;
};

enum { D_ASGS, D_TYPES, D_LTVS, N_DECODERS };
static const char *const decoder_name[] = { "asgs", "types", "ltvs" };

static void decode(int d, enum aws__cli_json_path path, const char *s, size_t n, struct outcome *o)
{
    struct hs_err err = { 0 };
    char *token = NULL;
    memset(o, 0, sizeof(*o));
    hs_buf_init(&o->dump);
    aws__cli_json_path = path;
    if (d == D_ASGS) {
        struct model_asg_list l;
        model_asg_list_init(&l);
        o->rc = aws_cli_json_asgs(s, n, "t.json", &l, &token, &err);
        dump_asgs(&o->dump, &l);
        model_asg_list_release(&l);
    } else if (d == D_TYPES) {
        struct model_instance_type_list l;
        model_instance_type_list_init(&l);
        o->rc = aws_cli_json_instance_types(s, n, "t.json", &l, &token, &err);
        dump_instance_types(&o->dump, &l);
        model_instance_type_list_release(&l);
    } else {
        struct model_lt_version_list l;
        model_lt_version_list_init(&l);
        o->rc = aws_cli_json_lt_versions(s, n, "t.json", &l, &token, &err);
        dump_lt_versions(&o->dump, &l);
        model_lt_version_list_release(&l);
    }
    aws__cli_json_path = AWS__CLI_JSON_AUTO;
    hs_buf_addf(&o->dump, "token=%s\n", token ? token : "-");
    hs_free(token);
    snprintf(o->msg, sizeof(o->msg), "%s", err.msg);
}

/* Default path == walk alone under every decoder; returns how many
 * decoders the walk accepted s for, *fast_ok how many of those the reader
 * alone accepted too. */
static int compare(const char *what, const char *s, size_t n, int *fast_ok)
{
    int walk_ok = 0;
    *fast_ok = 0;
    for (int d = 0; d < N_DECODERS; d++) {
        struct outcome w, a, f;
        decode(d, AWS__CLI_JSON_JANSSON_ONLY, s, n, &w);
        decode(d, AWS__CLI_JSON_AUTO, s, n, &a);
        decode(d, AWS__CLI_JSON_FAST_ONLY, s, n, &f);
        if (w.rc != a.rc || strcmp(w.msg, a.msg) != 0 || strcmp(w.dump.data, a.dump.data) != 0)
            fail_msg("%s (%s): walk rc %d '%s' vs default rc %d '%s'\n%s\n---\n%s", what,
                     decoder_name[d], w.rc, w.msg, a.rc, a.msg, w.dump.data, a.dump.data);
        if (f.rc != HS_OK && f.rc != HS_ENOTSUP)
            fail_msg("%s (%s): reader alone rc %d", what, decoder_name[d], f.rc);
        if (f.rc == HS_OK && (w.rc != HS_OK || strcmp(w.dump.data, f.dump.data) != 0))
            fail_msg("%s (%s): the reader accepted what the walk gives as rc %d '%s'\n%s\n---\n%s",
                     what, decoder_name[d], w.rc, w.msg, w.dump.data, f.dump.data);
        walk_ok += w.rc == HS_OK;
        *fast_ok += w.rc == HS_OK && f.rc == HS_OK;
        hs_buf_release(&w.dump);
        hs_buf_release(&a.dump);
        hs_buf_release(&f.dump);
    }
    return walk_ok;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    struct hs_buf b;
    hs_buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        hs_buf_add(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return hs_buf_detach(&b);
}

static void every_capture(void **state)
{
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "find %s/aws %s/ec2 -name '*.json' | sort", hs_testdata_dir(),
             hs_testdata_dir());
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char path[1024];
    int files = 0, decoded = 0;
    while (fgets(path, sizeof(path), p)) {
        path[strcspn(path, "\n")] = '\0';
        size_t len;
        char *text = read_file(path, &len);
        int fast_ok;
        int ok = compare(path, text, len, &fast_ok);
        if (ok != fast_ok)
            fail_msg("%s: the walk decodes it, the reader declines it", path);
        decoded += ok;
        files++;
        hs_free(text);
    }
    pclose(p);
    assert_true(files >= 95);
    assert_true(decoded >= 25);
}

/* Karpenter's DescribeInstanceTypesOutput, as jansson prints it compact
 * and indented: other whitespace and key orders than the CLI's. */
static void karpenter_layouts(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof(path), "%s/ec2/karpenter-describe-instance-types.json",
             hs_testdata_dir());
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    assert_non_null(doc);
    const json_t *out = json_object_get(doc, "DescribeInstanceTypesOutput");
    const size_t flags[] = { 0, JSON_INDENT(2) | JSON_SORT_KEYS, JSON_COMPACT };
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        char *text = json_dumps(out, flags[i]);
        int fast_ok;
        assert_int_equal(compare("karpenter", text, strlen(text), &fast_ok), 1);
        assert_int_equal(fast_ok, 1);
        free(text);
    }
    json_decref(doc);
}

/* The reader's verdict on each case: 1 taken, 0 declined. */
static const struct edge {
    int fast;
    const char *json;
} edges[] = {
#define G(inner) "{\"AutoScalingGroups\": [{\"AutoScalingGroupName\": \"g\"" inner "}]}"
    { 1, G("") },
    { 1, "[{\"AutoScalingGroupName\": \"g\"}]" },
    { 1, " \t\r\n" G("") " \n" },
    { 1, "{\"AutoScalingGroups\": null}" },
    { 1, "{\"AutoScalingGroups\": [], \"NextToken\": \"\"}" },
    { 1, "{\"AutoScalingGroups\": [], \"NextToken\": null, \"Other\": {\"a\": [1, {}]}}" },
    { 1, G(", \"Status\": \"\\u00e9\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\\\"\\\\\"") },
    { 1, G(", \"Status\": \"Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80 \x7f\"") },
    { 1, G(", \"MinSize\": -0, \"MaxSize\": 2147483647, \"DesiredCapacity\": -2147483648") },
    { 1, G(", \"X\": [1.5e290, -0.25, 1E-400, 9223372036854775807, -9223372036854775808]") },
    { 1, G(", \"Instances\": [{\"InstanceId\": \"i\", \"WeightedCapacity\": \"3\"}]") },
    { 1, G(", \"Instances\": [{\"InstanceId\": \"i\", \"WeightedCapacity\": 3}]") },
    { 1, G(", \"Tags\": [{\"Key\": \"k\", \"Value\": null}, {\"Key\": \"\"}]") },
    { 1, G(", \"MixedInstancesPolicy\": null, \"LaunchTemplate\": null") },
    { 1, G(", \"MixedInstancesPolicy\": {\"LaunchTemplate\": {\"Overrides\": "
           "[{\"InstanceRequirements\": null}]}, \"InstancesDistribution\": {}}") },
    { 1, G(", \"AvailabilityZones\": [\"a\", \"\\u0062\"]") },
    { 0, G(", \"MinSize\": 1.0") },
    { 0, G(", \"MinSize\": 2147483648") },
    { 0, G(", \"MinSize\": \"1\"") },
    { 0, G(", \"X\": 01") },
    { 0, G(", \"X\": 1.") },
    { 0, G(", \"X\": .5") },
    { 0, G(", \"X\": +1") },
    { 0, G(", \"X\": 1e400") },
    { 0, G(", \"X\": 9223372036854775808") },
    { 0, G(", \"X\": -9223372036854775809") },
    { 0, G(", \"X\": tru") },
    { 0, G(", \"X\": nul") },
    { 0, G(", \"X\": [1,]") },
    { 0, G(", \"X\": {\"a\": 1,}") },
    { 0, G(", \"X\": {\"a\": 1, \"a\": 2}") },
    { 0, G(", \"AutoScalingGroupName\": \"h\"") },
    { 0, G(", \"X\": \"\\u0000\"") },
    { 0, G(", \"X\": \"\\ud800\"") },
    { 0, G(", \"X\": \"\\udc00\"") },
    { 0, G(", \"X\": \"\\x\"") },
    { 0, G(", \"X\": \"\x01\"") },
    { 0, G(", \"X\": \"\xc0\x80\"") },
    { 0, G(", \"X\": \"\xed\xa0\x80\"") },
    { 0, G(", \"X\": \"\xe2\x82\"") },
    { 0, G(", \"\\u0058\": 1") },
    { 0, G(", \"Instances\": [{}]") },
    { 0, G(", \"Instances\": [1]") },
    { 0, G(", \"Tags\": [{\"Value\": \"v\"}]") },
    { 0, G(", \"AvailabilityZones\": [1]") },
    { 0, G(", \"LaunchTemplate\": []") },
    { 0, G(", \"CreatedTime\": \"yesterday\"") },
    { 0, G(", \"CapacityRebalance\": 1") },
    { 0, "{\"AutoScalingGroups\": [{}]}" },
    { 0, "{\"Other\": []}" },
    { 0, "{\"AutoScalingGroups\": {}}" },
    { 0, "{\"AutoScalingGroups\": [], \"NextToken\": 1}" },
    { 0, G("") " x" },
    { 0, G("") G("") },
    { 0, "\xef\xbb\xbf" G("") },
    { 0, "\"AutoScalingGroups\"" },
    { 0, "" },
    { 0, "   " },
#undef G
};

static void edge_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        const char *s = edges[i].json;
        struct outcome f;
        decode(D_ASGS, AWS__CLI_JSON_FAST_ONLY, s, strlen(s), &f);
        if ((f.rc == HS_OK) != edges[i].fast)
            fail_msg("case %zu: reader rc %d, want %s: %s", i, f.rc,
                     edges[i].fast ? "taken" : "declined", s);
        hs_buf_release(&f.dump);
        int fast_ok;
        compare(s, s, strlen(s), &fast_ok);
    }
}

static void deep(void **state)
{
    (void)state;
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_adds(&b, "{\"AutoScalingGroups\": [{\"AutoScalingGroupName\": \"g\", \"X\": ");
    for (int i = 0; i < 100; i++)
        hs_buf_adds(&b, "[");
    for (int i = 0; i < 100; i++)
        hs_buf_adds(&b, "]");
    hs_buf_adds(&b, "}]}");
    int fast_ok;
    assert_int_equal(compare("deep", b.data, b.len, &fast_ok), 1);
    assert_int_equal(fast_ok, 0);
    hs_buf_release(&b);
}

static void rewind_keeps_earlier_pages(void **state)
{
    (void)state;
    static const char page1[] =
        "{\"AutoScalingGroups\": [{\"AutoScalingGroupName\": \"a\"}], \"NextToken\": \"t1\"}";
    static const char page2[] = "{\"AutoScalingGroups\": [{\"AutoScalingGroupName\": \"b\"}, "
                                "{\"AutoScalingGroupName\": \"c\", \"MinSize\": \"x\"}], "
                                "\"NextToken\": \"t2\"}";
    for (int path = AWS__CLI_JSON_AUTO; path <= AWS__CLI_JSON_FAST_ONLY; path++) {
        struct model_asg_list l;
        model_asg_list_init(&l);
        char *token = NULL;
        struct hs_err err = { 0 };
        aws__cli_json_path = (enum aws__cli_json_path)path;
        assert_int_equal(aws_cli_json_asgs(page1, strlen(page1), "p1", &l, &token, &err), HS_OK);
        assert_string_equal(token, "t1");
        hs_free(token);
        enum hs_code rc = aws_cli_json_asgs(page2, strlen(page2), "p2", &l, &token, &err);
        aws__cli_json_path = AWS__CLI_JSON_AUTO;
        assert_null(token);
        if (path == AWS__CLI_JSON_FAST_ONLY) {
            assert_int_equal(rc, HS_ENOTSUP);
            assert_int_equal(l.n, 1);
        } else {
            assert_int_equal(rc, HS_EPARSE);
            assert_string_equal(err.msg, "p2: AutoScalingGroups[1].MinSize: expected integer, "
                                         "got a string");
            assert_int_equal(l.n, 3); /* the walk's partial page, as before */
        }
        assert_string_equal(l.v[0].name, "a");
        model_asg_list_release(&l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_capture),
        cmocka_unit_test(karpenter_layouts),
        cmocka_unit_test(edge_cases),
        cmocka_unit_test(deep),
        cmocka_unit_test(rewind_keeps_earlier_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
