/*
 * Tests of lib/aws/xml.c's fast scanner against expat (the path every
 * decode took before the scanner existed, still taken for whatever the
 * scanner declines):
 *  - every XML body under testdata/aws (botocore, goamz, synthesized,
 *    error envelopes), through every list decoder: the default path gives
 *    exactly expat's code, message and fields, and the scanner alone
 *    accepts every body expat decodes (so the fast path is the one taken
 *    for real responses), envelopes excepted;
 *  - a table of edge cases with the scanner's verdict fixed (references,
 *    CR LF, UTF-8, namespaces, attributes, declarations taken; comments,
 *    CDATA, PIs, DOCTYPE, BOM, bad characters, duplicate attributes and
 *    everything malformed declined), each also compared with expat;
 *  - a failed scan leaves a list that already holds a page as it was.
 * test/fuzz/aws_xml_diff.c runs the same comparison on fuzzed input.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include "../../fuzz/aws_model_dump.h"
#include "aws/decode.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "xml_int.h"

struct outcome {
    enum hs_code rc;
    char msg[sizeof(((struct hs_err *)0)->msg)];
    struct hs_buf dump;
};

enum { D_ASGS, D_ACTIVITIES, D_TERMINATE, D_LCS, D_LTVS, D_TYPES, N_DECODERS };
static const char *const decoder_name[] = { "asgs", "activities", "terminate",
                                            "lcs",  "ltvs",       "types" };

/* Decodes s with decoder d along path into o (a fresh list). */
static void decode(int d, enum aws__xml_path path, const char *s, size_t n, struct outcome *o)
{
    struct hs_err err = { 0 };
    char *token = NULL;
    memset(o, 0, sizeof(*o));
    hs_buf_init(&o->dump);
    aws__xml_path = path;
    switch (d) {
    case D_ASGS: {
        struct model_asg_list l;
        model_asg_list_init(&l);
        o->rc = aws_xml_describe_asgs(s, n, &l, &token, &err);
        dump_asgs(&o->dump, &l);
        model_asg_list_release(&l);
        break;
    }
    case D_ACTIVITIES:
    case D_TERMINATE: {
        struct model_activity_list l;
        model_activity_list_init(&l);
        o->rc =
            d == D_ACTIVITIES
                ? aws_xml_describe_scaling_activities(s, n, &l, &token, &err)
                : aws_xml_activity_response(s, n, "TerminateInstanceInAutoScalingGroup", &l, &err);
        dump_activities(&o->dump, &l);
        model_activity_list_release(&l);
        break;
    }
    case D_LCS: {
        struct model_launch_config_list l;
        model_launch_config_list_init(&l);
        o->rc = aws_xml_describe_launch_configurations(s, n, &l, &token, &err);
        dump_launch_configs(&o->dump, &l);
        model_launch_config_list_release(&l);
        break;
    }
    case D_LTVS: {
        struct model_lt_version_list l;
        model_lt_version_list_init(&l);
        o->rc = aws_xml_describe_lt_versions(s, n, &l, &token, &err);
        dump_lt_versions(&o->dump, &l);
        model_lt_version_list_release(&l);
        break;
    }
    case D_TYPES: {
        struct model_instance_type_list l;
        model_instance_type_list_init(&l);
        o->rc = aws_xml_describe_instance_types(s, n, &l, &token, &err);
        dump_instance_types(&o->dump, &l);
        model_instance_type_list_release(&l);
        break;
    }
    }
    aws__xml_path = AWS__XML_AUTO;
    hs_buf_addf(&o->dump, "token=%s\n", token ? token : "-");
    hs_free(token);
    snprintf(o->msg, sizeof(o->msg), "%s", err.msg);
}

/* The default path equals expat alone for s under every decoder. Returns
 * how many decoders expat accepted s for, and in *fast_ok how many of
 * those the scanner alone accepted too. */
static int compare(const char *what, const char *s, size_t n, int *fast_ok)
{
    int expat_ok = 0;
    *fast_ok = 0;
    for (int d = 0; d < N_DECODERS; d++) {
        struct outcome e, a, f;
        decode(d, AWS__XML_EXPAT_ONLY, s, n, &e);
        decode(d, AWS__XML_AUTO, s, n, &a);
        decode(d, AWS__XML_FAST_ONLY, s, n, &f);
        if (e.rc != a.rc || strcmp(e.msg, a.msg) != 0 || strcmp(e.dump.data, a.dump.data) != 0)
            fail_msg("%s (%s): expat rc %d '%s' vs default rc %d '%s'\n%s\n---\n%s", what,
                     decoder_name[d], e.rc, e.msg, a.rc, a.msg, e.dump.data, a.dump.data);
        if (f.rc != HS_OK && f.rc != HS_ENOTSUP)
            fail_msg("%s (%s): scanner alone rc %d", what, decoder_name[d], f.rc);
        if (f.rc == HS_OK && (e.rc != HS_OK || strcmp(e.dump.data, f.dump.data) != 0))
            fail_msg("%s (%s): the scanner accepted what expat gives as rc %d '%s'", what,
                     decoder_name[d], e.rc, e.msg);
        if (f.rc == HS_ENOTSUP && strcmp(f.dump.data, "") != 0 &&
            strncmp(f.dump.data, "groups=0\n", 9) != 0 &&
            strncmp(f.dump.data, "activities=0\n", 13) != 0 &&
            strncmp(f.dump.data, "configs=0\n", 10) != 0 &&
            strncmp(f.dump.data, "versions=0\n", 11) != 0 &&
            strncmp(f.dump.data, "types=0\n", 8) != 0)
            fail_msg("%s (%s): a declined scan left records behind", what, decoder_name[d]);
        expat_ok += e.rc == HS_OK;
        *fast_ok += e.rc == HS_OK && f.rc == HS_OK;
        hs_buf_release(&e.dump);
        hs_buf_release(&a.dump);
        hs_buf_release(&f.dump);
    }
    return expat_ok;
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
    snprintf(cmd, sizeof(cmd), "find %s/aws -name '*.xml' | sort", hs_testdata_dir());
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char path[1024];
    int files = 0, decoded = 0;
    while (fgets(path, sizeof(path), p)) {
        path[strcspn(path, "\n")] = '\0';
        size_t len;
        char *xml = read_file(path, &len);
        int fast_ok;
        int ok = compare(path, xml, len, &fast_ok);
        if (ok != fast_ok)
            fail_msg("%s: expat decodes it, the scanner declines it", path);
        decoded += ok;
        files++;
        hs_free(xml);
    }
    pclose(p);
    assert_true(files >= 80);
    assert_true(decoded >= 20);
}

/* The scanner's verdict on each case: 1 taken, 0 declined (expat reads it). */
static const struct edge {
    int fast;
    const char *xml;
} edges[] = {
#define GROUP(inner)                                                                   \
    "<DescribeAutoScalingGroupsResponse xmlns=\"x\"><DescribeAutoScalingGroupsResult>" \
    "<AutoScalingGroups><member><AutoScalingGroupName>g</AutoScalingGroupName>" inner  \
    "</member></AutoScalingGroups></DescribeAutoScalingGroupsResult>"                  \
    "</DescribeAutoScalingGroupsResponse>"
    { 1, GROUP("") },
    { 1, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" GROUP("") "\n\n" },
    { 1, "<?xml version='1.0' encoding='utf-8' standalone='no' ?>" GROUP("") },
    { 1, GROUP("<Status> a&amp;b &lt;&gt;&quot;&apos; &#65;&#x42;&#x1F600; </Status>") },
    { 1, GROUP("<Status>&#32;&#x9;x&#13;</Status>") },
    { 1, GROUP("<Status>\r\n a\r\nb\rc \r\n</Status>") },
    { 1, GROUP("<Status>Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbd ]] ] ></Status>") },
    { 1, GROUP("<Status>x<Skip a=\"1\" b='2'>in<deeper/></Skip>tail</Status>") },
    { 1, GROUP("<aws:Status xmlns:aws=\"u\">s</aws:Status><Status/><Status></Status>") },
    { 1, GROUP("<MinSize>\n 7\n</MinSize><Unknown><MinSize>x</MinSize></Unknown>") },
    { 1, GROUP("<Tags><member><Key>k</Key></member></Tags>") },
    { 1, GROUP("<Status a=\"&lt;&#10;\" b = \"\t\" ></Status >") },
    { 0, GROUP("<MinSize>x</MinSize>") },
    { 0, GROUP("<Tags><member><Value>v</Value></member></Tags>") },
    { 0, GROUP("<Instances><member/></Instances>") },
    { 0, GROUP("<!-- c -->") },
    { 0, GROUP("<Status><![CDATA[x]]></Status>") },
    { 0, GROUP("<?pi x?>") },
    { 0, GROUP("<Status>]]></Status>") },
    { 0, GROUP("<Status>&nbsp;</Status>") },
    { 0, GROUP("<Status>&#0;</Status>") },
    { 0, GROUP("<Status>&#xD800;</Status>") },
    { 0, GROUP("<Status>&#xFFFE;</Status>") },
    { 0, GROUP("<Status>&#X41;</Status>") },
    { 0, GROUP("<Status>&amp</Status>") },
    { 0, GROUP("<Status>\x01</Status>") },
    { 0, GROUP("<Status>\x7f</Status>") },
    { 0, GROUP("<Status>\xc0\x80</Status>") },
    { 0, GROUP("<Status>\xed\xa0\x80</Status>") },
    { 0, GROUP("<Status>\xef\xbf\xbf</Status>") },
    { 0, GROUP("<Status>\xf4\x90\x80\x80</Status>") },
    { 0, GROUP("<Status>\xe2\x82</Status>") },
    { 0, GROUP("<Status a=\"1\" a=\"2\"/>") },
    { 0, GROUP("<Status a=\"1\"b=\"2\"/>") },
    { 0, GROUP("<Status a=\"<\"/>") },
    { 0, GROUP("<Status a=1/>") },
    { 0, GROUP("<Status></status>") },
    { 0, GROUP("< Status/>") },
    { 0, GROUP("<Stat\xc3\xbcs/>") },
    { 0, GROUP("<:Status/>") },
    { 0, GROUP("<Status:/>") },
    { 0, GROUP("<1Status/>") },
    { 0, "\xef\xbb\xbf" GROUP("") },
    { 0, " <?xml version=\"1.0\"?>" GROUP("") },
    { 0, "<?xml version=\"1.1\"?>" GROUP("") },
    { 0, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" GROUP("") },
    { 0, "<?xml version=\"1.0\"encoding=\"UTF-8\"?>" GROUP("") },
    { 0, "<?xml-stylesheet href=\"a\"?>" GROUP("") },
    { 0, "<!DOCTYPE x [<!ENTITY e \"e\">]>" GROUP("") },
    { 0, GROUP("") "<x/>" },
    { 0, GROUP("") "x" },
    { 0, "<DescribeAutoScalingGroupsResponse>" },
    { 0, "" },
    { 0, "  \n" },
    { 0, "<Other/>" },
    { 0, "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>" },
    { 0, "<Response><Errors><Error><Code>X</Code></Error></Errors></Response>" },
#undef GROUP
};

static void edge_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        const char *s = edges[i].xml;
        struct outcome f;
        decode(D_ASGS, AWS__XML_FAST_ONLY, s, strlen(s), &f);
        if ((f.rc == HS_OK) != edges[i].fast)
            fail_msg("case %zu: scanner rc %d, want %s: %s", i, f.rc,
                     edges[i].fast ? "taken" : "declined", s);
        hs_buf_release(&f.dump);
        int fast_ok;
        compare(s, s, strlen(s), &fast_ok);
    }
}

/* Nesting: the scanner declines what expat refuses as too deep. */
static void deep(void **state)
{
    (void)state;
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_adds(&b, "<DescribeAutoScalingGroupsResponse>");
    for (int i = 0; i < 70; i++)
        hs_buf_adds(&b, "<a>");
    int fast_ok;
    compare("deep", b.data, b.len, &fast_ok);
    hs_buf_release(&b);
}

/* A second page that the scanner declines leaves the first one intact. */
static void rewind_keeps_earlier_pages(void **state)
{
    (void)state;
    static const char page1[] =
        "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult><AutoScalingGroups>"
        "<member><AutoScalingGroupName>a</AutoScalingGroupName></member>"
        "</AutoScalingGroups><NextToken>t1</NextToken></DescribeAutoScalingGroupsResult>"
        "</DescribeAutoScalingGroupsResponse>";
    static const char page2[] =
        "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult><AutoScalingGroups>"
        "<member><AutoScalingGroupName>b</AutoScalingGroupName></member>"
        "<member><AutoScalingGroupName>c</AutoScalingGroupName><MinSize>x</MinSize></member>"
        "</AutoScalingGroups><NextToken>t2</NextToken></DescribeAutoScalingGroupsResult>"
        "</DescribeAutoScalingGroupsResponse>";
    for (int path = AWS__XML_AUTO; path <= AWS__XML_FAST_ONLY; path++) {
        struct model_asg_list l;
        model_asg_list_init(&l);
        char *token = NULL;
        struct hs_err err = { 0 };
        aws__xml_path = (enum aws__xml_path)path;
        assert_int_equal(aws_xml_describe_asgs(page1, strlen(page1), &l, &token, &err), HS_OK);
        assert_string_equal(token, "t1");
        hs_free(token);
        enum hs_code rc = aws_xml_describe_asgs(page2, strlen(page2), &l, &token, &err);
        aws__xml_path = AWS__XML_AUTO;
        assert_null(token);
        if (path == AWS__XML_FAST_ONLY) {
            assert_int_equal(rc, HS_ENOTSUP);
            assert_int_equal(l.n, 1);
        } else {
            assert_int_equal(rc, HS_EPARSE);
            assert_non_null(strstr(err.msg, "expected a 32-bit integer at "
                                            "DescribeAutoScalingGroupsResponse/"
                                            "DescribeAutoScalingGroupsResult/AutoScalingGroups/"
                                            "member/MinSize (line 1)"));
            assert_int_equal(l.n, 3); /* expat's partial page, as before */
        }
        assert_string_equal(l.v[0].name, "a");
        model_asg_list_release(&l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_capture),
        cmocka_unit_test(edge_cases),
        cmocka_unit_test(deep),
        cmocka_unit_test(rewind_keeps_earlier_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
