/*
 * Tests of lib/aws's XML decoders (xml.c, asg_decode.c, ec2_decode.c):
 *  - every synthesized-query-xml pair hoist decodes, compared with its
 *    botocore-parsed .json twin field by field (model_json.c);
 *  - every botocore-response-parsing autoscaling-* fixture hoist decodes,
 *    against its .json, and both error fixtures;
 *  - the goamz autoscaling/ec2 bodies hoist decodes, with values asserted by
 *    hand (they have no twin), and every other goamz body refused by root;
 *  - the composed Throttling / RequestLimitExceeded envelopes;
 *  - malformed input: errors name the element path and line; DOCTYPE and
 *    entities refused; STS secrets never in an error message.
 * Files hoist does not decode (DescribeTags, DescribeAutoScalingInstances,
 * TerminateInstances and the other operations) are listed by the test with
 * the reason.
 */
#include "hs_test.h"
#include "model_json.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "aws/decode.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"

#define SYN   "aws/synthesized-query-xml/"
#define BRP   "aws/botocore-response-parsing/xml/"
#define GOAMZ "aws/goamz-query-xml/"

static enum hs_code decode_file(const char *rel, const char *op, json_t *expect, char **token,
                                struct hs_err *err)
{
    size_t len;
    char *xml = mj_read(rel, &len);
    enum hs_code rc = HS_ENOTSUP;
    if (strcmp(op, "DescribeAutoScalingGroups") == 0) {
        struct model_asg_list l;
        model_asg_list_init(&l);
        rc = aws_xml_describe_asgs(xml, len, &l, token, err);
        if (!rc && expect)
            mj_check_asgs(rel, &l, json_object_get(expect, "AutoScalingGroups"));
        model_asg_list_release(&l);
    } else if (strcmp(op, "DescribeScalingActivities") == 0 ||
               strcmp(op, "TerminateInstanceInAutoScalingGroup") == 0) {
        struct model_activity_list l;
        model_activity_list_init(&l);
        if (op[0] == 'D') {
            rc = aws_xml_describe_scaling_activities(xml, len, &l, token, err);
        } else {
            rc = aws_xml_activity_response(xml, len, op, &l, err);
        }
        if (!rc && expect) {
            json_t *acts = json_object_get(expect, "Activities");
            json_t *one = json_object_get(expect, "Activity");
            json_t *arr = acts ? json_incref(acts) : json_pack("[O]", one);
            mj_check_activities(rel, &l, arr);
            json_decref(arr);
        }
        model_activity_list_release(&l);
    } else if (strcmp(op, "DescribeLaunchConfigurations") == 0) {
        struct model_launch_config_list l;
        model_launch_config_list_init(&l);
        rc = aws_xml_describe_launch_configurations(xml, len, &l, token, err);
        if (!rc && expect)
            mj_check_launch_configs(rel, &l, json_object_get(expect, "LaunchConfigurations"));
        model_launch_config_list_release(&l);
    } else if (strcmp(op, "DescribeLaunchTemplateVersions") == 0) {
        struct model_lt_version_list l;
        model_lt_version_list_init(&l);
        rc = aws_xml_describe_lt_versions(xml, len, &l, token, err);
        if (!rc && expect)
            mj_check_lt_versions(rel, &l, json_object_get(expect, "LaunchTemplateVersions"));
        model_lt_version_list_release(&l);
    } else if (strcmp(op, "DescribeInstanceTypes") == 0) {
        struct model_instance_type_list l;
        model_instance_type_list_init(&l);
        rc = aws_xml_describe_instance_types(xml, len, &l, token, err);
        if (!rc && expect)
            mj_check_instance_types(rel, &l, json_object_get(expect, "InstanceTypes"));
        model_instance_type_list_release(&l);
    }
    hs_free(xml);
    return rc;
}

/* ---- synthesized pairs ---- */

static void synthesized_pairs(void **state)
{
    (void)state;
    json_t *manifest = mj_load(SYN "MANIFEST.json");
    size_t checked = 0;
    for (size_t i = 0; i < json_array_size(manifest); i++) {
        const json_t *e = json_array_get(manifest, i);
        const char *op = json_string_value(json_object_get(e, "operation"));
        char xml_rel[512], json_rel[512];
        snprintf(xml_rel, sizeof(xml_rel), SYN "%s", json_string_value(json_object_get(e, "file")));
        snprintf(json_rel, sizeof(json_rel), SYN "%s",
                 json_string_value(json_object_get(e, "json")));
        json_t *expect = mj_load(json_rel);
        struct hs_err err = { 0 };
        char *token = NULL;
        enum hs_code rc = decode_file(xml_rel, op, expect, &token, &err);
        if (rc == HS_ENOTSUP) {
            print_message("not decoded by hoist (no hoist call uses %s): %s\n", op, xml_rel);
        } else {
            if (rc)
                fail_msg("%s: %s", xml_rel, err.msg);
            const char *want = json_string_value(json_object_get(expect, "NextToken"));
            if (want || token)
                assert_string_equal(want ? want : "(none)", token ? token : "(none)");
            checked++;
        }
        hs_free(token);
        json_decref(expect);
    }
    assert_int_equal(checked, 14);
    json_decref(manifest);
}

/* ---- botocore response-parsing fixtures ---- */

static void botocore_responses(void **state)
{
    (void)state;
    static const struct {
        const char *file, *op;
    } decoded[] = {
        { "autoscaling-describe-auto-scaling-groups", "DescribeAutoScalingGroups" },
        { "autoscaling-describe-scaling-activities", "DescribeScalingActivities" },
        { "autoscaling-describe-launch-configurations", "DescribeLaunchConfigurations" },
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(decoded); i++) {
        char xml_rel[512], json_rel[512];
        snprintf(xml_rel, sizeof(xml_rel), BRP "responses/%s.xml", decoded[i].file);
        snprintf(json_rel, sizeof(json_rel), BRP "responses/%s.json", decoded[i].file);
        json_t *expect = mj_load(json_rel);
        struct hs_err err = { 0 };
        if (decode_file(xml_rel, decoded[i].op, expect, NULL, &err))
            fail_msg("%s: %s", xml_rel, err.msg);
        json_decref(expect);
    }
    /* The rest are operations hoist never calls; our ASG decoder must refuse
     * each by its root, which also proves expat reads them all. */
    static const char *const others[] = {
        "autoscaling-describe-adjustment-types",
        "autoscaling-describe-auto-scaling-instances",
        "autoscaling-describe-auto-scaling-notification-types",
        "autoscaling-describe-metric-collection-types",
        "autoscaling-describe-notification-configurations",
        "autoscaling-describe-policies",
        "autoscaling-describe-scaling-process-types",
        "autoscaling-describe-scheduled-actions",
        "autoscaling-describe-tags",
        "autoscaling-describe-termination-policy-types",
        "ec2-describe-availability-zones",
        "ec2-describe-instances",
        "ec2-describe-subnets",
        "ec2-describe-tags",
        "ec2-run-instances",
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(others); i++) {
        char rel[512];
        snprintf(rel, sizeof(rel), BRP "responses/%s.xml", others[i]);
        struct hs_err err = { 0 };
        assert_int_equal(decode_file(rel, "DescribeAutoScalingGroups", NULL, NULL, &err),
                         HS_EPARSE);
        if (!strstr(err.msg, "expected <DescribeAutoScalingGroupsResponse>"))
            fail_msg("%s: %s", rel, err.msg);
    }
}

static void check_error_file(const char *rel, const char *json_rel, const char *code,
                             const char *type)
{
    size_t len;
    char *xml = mj_read(rel, &len);
    struct aws_error_info e;
    struct hs_err err = { 0 };
    if (aws_xml_error(xml, len, &e, &err))
        fail_msg("%s: %s", rel, err.msg);
    assert_string_equal(e.code, code);
    assert_string_equal(e.type, type);
    if (json_rel) {
        json_t *j = mj_load(json_rel);
        const json_t *je = json_object_get(j, "Error");
        assert_string_equal(e.code, json_string_value(json_object_get(je, "Code")));
        assert_string_equal(e.message, json_string_value(json_object_get(je, "Message")));
        const char *jt = json_string_value(json_object_get(je, "Type"));
        assert_string_equal(e.type, jt ? jt : "");
        assert_string_equal(
            e.request_id, json_string_value(json_object_get(json_object_get(j, "ResponseMetadata"),
                                                            "RequestId")));
        json_decref(j);
    }
    /* Where a result was expected, the envelope surfaces as HS_EAWS. */
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct hs_err err2 = { 0 };
    assert_int_equal(aws_xml_describe_asgs(xml, len, &l, NULL, &err2), HS_EAWS);
    assert_non_null(strstr(err2.msg, code));
    assert_non_null(strstr(err2.msg, e.request_id));
    assert_int_equal(l.n, 0);
    model_asg_list_release(&l);
    hs_free(xml);
}

static void error_bodies(void **state)
{
    (void)state;
    check_error_file(BRP "errors/autoscaling-delete-policy.xml",
                     BRP "errors/autoscaling-delete-policy.json", "ValidationError", "Sender");
    check_error_file(BRP "errors/ec2-describe-instances.xml",
                     BRP "errors/ec2-describe-instances.json", "InvalidInstanceID.Malformed", "");
    check_error_file(SYN "errors/autoscaling-Throttling-COMPOSED.xml", NULL, "Throttling",
                     "Sender");
    check_error_file(SYN "errors/ec2-RequestLimitExceeded-COMPOSED.xml", NULL,
                     "RequestLimitExceeded", "");
    check_error_file(GOAMZ "autoscaling/DeleteAutoScalingGroupErrorResponse.xml", NULL,
                     "ResourceInUse", "Sender");
    check_error_file(GOAMZ "autoscaling/DeleteLaunchConfigurationInUseResponse.xml", NULL,
                     "ResourceInUse", "Sender");
    check_error_file(GOAMZ "ec2/ErrorDump.xml", NULL, "UnsupportedOperation", "");

    size_t len;
    char *xml = mj_read(GOAMZ "ec2/ErrorDump.xml", &len);
    struct aws_error_info e;
    assert_int_equal(aws_xml_error(xml, len, &e, NULL), HS_OK);
    assert_string_equal(e.request_id, "0503f4e9-bbd6-483c-b54f-c4ae9f3b30f4");
    assert_string_equal(e.message, "AMIs with an instance-store root device are not supported "
                                   "for the instance type 't1.micro'.");
    hs_free(xml);

    /* A success body is not an error. */
    xml = mj_read(GOAMZ "autoscaling/SetDesiredCapacityResponse.xml", &len);
    struct hs_err err = { 0 };
    assert_int_equal(aws_xml_error(xml, len, &e, &err), HS_EPARSE);
    assert_non_null(strstr(err.msg, "SetDesiredCapacityResponse"));
    hs_free(xml);
}

/* ---- goamz bodies, by hand ---- */

static void goamz_groups(void **state)
{
    (void)state;
    size_t len;
    char *xml = mj_read(GOAMZ "autoscaling/DescribeAutoScalingGroupsResponse.xml", &len);
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct hs_err err = { 0 };
    static char sentinel[] = "sentinel";
    char *token = sentinel;
    assert_int_equal(aws_xml_describe_asgs(xml, len, &l, &token, &err), HS_OK);
    assert_null(token);
    assert_int_equal(l.n, 1);
    const struct model_asg *g = &l.v[0];
    assert_string_equal(g->name, "my-test-asg-lbs");
    assert_string_equal(g->health_check_type, "ELB");
    assert_int_equal(g->created_time, 1367862435); /* 2013-05-06T17:47:15.107Z */
    assert_string_equal(g->launch_configuration_name, "my-test-lc");
    assert_int_equal(g->min_size, 2);
    assert_int_equal(g->max_size, 10);
    assert_int_equal(g->desired_capacity, 2);
    assert_int_equal(g->default_cooldown, 300);
    assert_string_equal(g->vpc_zone_identifier, "subnet-32131da1,subnet-1312dad2");
    assert_int_equal(g->n_zones, 2);
    assert_string_equal(g->zones[0], "us-east-1b");
    assert_string_equal(g->zones[1], "us-east-1a");
    assert_int_equal(g->n_instances, 2);
    assert_string_equal(g->instances[1].id, "i-90123adv");
    assert_string_equal(g->instances[1].zone, "us-east-1a");
    assert_string_equal(g->instances[1].lifecycle_state, "InService");
    assert_string_equal(g->instances[1].health_status, "Healthy");
    assert_string_equal(g->instances[1].launch_configuration_name, "my-test-lc");
    assert_int_equal(g->n_tags, 2);
    assert_string_equal(g->tags[1].key, "baz");
    assert_string_equal(g->tags[1].value, "qux");
    assert_true(g->tags[1].propagate_at_launch);
    assert_string_equal(model_asg_tag_value(g, "foo"), "bar");
    assert_false(g->mixed.present);
    assert_false(model_lt_spec_present(&g->launch_template));
    assert_ptr_equal(model_asg_list_find(&l, "my-test-asg-lbs"), g);
    hs_free(xml);

    /* A second page appends. */
    xml = mj_read(GOAMZ "autoscaling/BasicGroupResponse.xml", &len);
    assert_int_equal(aws_xml_describe_asgs(xml, len, &l, NULL, &err), HS_OK);
    assert_int_equal(l.n, 1);
    hs_free(xml);
    model_asg_list_release(&l);
}

static void goamz_activities(void **state)
{
    (void)state;
    size_t len;
    struct hs_err err = { 0 };
    struct model_activity_list l;
    model_activity_list_init(&l);
    char *token = NULL;

    /* Odd xmlns (ec2.amazonaws.com) kept from the source: names still match. */
    char *xml = mj_read(GOAMZ "autoscaling/DescribeScalingActivitiesResponse.xml", &len);
    assert_int_equal(aws_xml_describe_scaling_activities(xml, len, &l, &token, &err), HS_OK);
    assert_string_equal(token, "3ef417fe-9202-12-8ddd-d13e1313413");
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].status_code, "Failed");
    assert_int_equal(l.v[0].progress, 0);
    assert_string_equal(l.v[0].asg_name, "my-test-asg");
    assert_int_equal(l.v[0].end_time, 1334251928); /* 2012-04-12T17:32:08Z */
    assert_non_null(strstr(l.v[0].status_message, "ami-4edb0327"));
    hs_free(token);
    hs_free(xml);

    xml = mj_read(GOAMZ "autoscaling/TerminateInstanceInAutoScalingGroupResponse.xml", &len);
    assert_int_equal(
        aws_xml_activity_response(xml, len, "TerminateInstanceInAutoScalingGroup", &l, &err),
        HS_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[1].status_code, "InProgress");
    assert_string_equal(l.v[1].description, "Terminating EC2 instance: i-br234123");
    assert_int_equal(l.v[1].end_time, 0);
    hs_free(xml);

    xml = mj_read(GOAMZ "autoscaling/SetDesiredCapacityResponse.xml", &len);
    assert_int_equal(aws_xml_activity_response(xml, len, "SetDesiredCapacity", &l, &err), HS_OK);
    assert_int_equal(l.n, 2);
    /* The wrong action's body is refused by its root. */
    assert_int_equal(
        aws_xml_activity_response(xml, len, "TerminateInstanceInAutoScalingGroup", &l, &err),
        HS_EPARSE);
    hs_free(xml);
    model_activity_list_release(&l);

    struct model_launch_config_list lc;
    model_launch_config_list_init(&lc);
    xml = mj_read(GOAMZ "autoscaling/DescribeLaunchConfigurationsResponse.xml", &len);
    hs_err_clear(&err);
    assert_int_equal(aws_xml_describe_launch_configurations(xml, len, &lc, NULL, &err), HS_OK);
    assert_int_equal(lc.n, 1);
    assert_string_equal(lc.v[0].name, "my-test-lc");
    assert_string_equal(lc.v[0].instance_type, "m1.small");
    assert_string_equal(lc.v[0].image_id, "ami-514ac838");
    assert_false(lc.v[0].spot);
    hs_free(xml);
    model_launch_config_list_release(&lc);
}

/* Every goamz body is well-formed XML our matcher reads; the ones hoist
 * does not decode are refused by root, errors surface as HS_EAWS. */
static void goamz_every_file(void **state)
{
    (void)state;
    static const char *const dirs[] = { "autoscaling", "ec2" };
    char cmd[1024];
    for (size_t d = 0; d < 2; d++) {
        snprintf(cmd, sizeof(cmd), "ls %s/" GOAMZ "%s", hs_testdata_dir(), dirs[d]);
        FILE *p = popen(cmd, "r");
        char name[256];
        size_t n = 0;
        while (p && fgets(name, sizeof(name), p)) {
            name[strcspn(name, "\n")] = '\0';
            char rel[512];
            snprintf(rel, sizeof(rel), GOAMZ "%s/%s", dirs[d], name);
            size_t len;
            char *xml = mj_read(rel, &len);
            struct model_asg_list l;
            model_asg_list_init(&l);
            struct hs_err err = { 0 };
            enum hs_code rc = aws_xml_describe_asgs(xml, len, &l, NULL, &err);
            bool is_asgs = strstr(xml, "<DescribeAutoScalingGroupsResponse") != NULL;
            bool is_error = strstr(xml, "<ErrorResponse") || strstr(xml, "<Response>");
            if (is_asgs)
                assert_int_equal(rc, HS_OK);
            else if (is_error)
                assert_int_equal(rc, HS_EAWS);
            else if (rc != HS_EPARSE || !strstr(err.msg, "expected <"))
                fail_msg("%s: rc %d: %s", rel, rc, err.msg);
            model_asg_list_release(&l);
            hs_free(xml);
            n++;
        }
        if (p)
            pclose(p);
        assert_true(n >= 10);
    }
}

/* ---- malformed input ---- */

static const char asg_head[] = "<DescribeAutoScalingGroupsResponse xmlns=\"x\">\n"
                               "<DescribeAutoScalingGroupsResult>\n<AutoScalingGroups>\n"
                               "<member>\n<AutoScalingGroupName>a</AutoScalingGroupName>\n";

static void expect_parse_error(const char *xml, const char *needle)
{
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct hs_err err = { 0 };
    char *token = NULL;
    assert_int_equal(aws_xml_describe_asgs(xml, strlen(xml), &l, &token, &err), HS_EPARSE);
    assert_null(token);
    if (!strstr(err.msg, needle))
        fail_msg("error '%s' lacks '%s'", err.msg, needle);
    model_asg_list_release(&l);
}

static void malformed(void **state)
{
    (void)state;
    char buf[2048];
    snprintf(buf, sizeof(buf),
             "%s<MinSize>two</MinSize></member></AutoScalingGroups>"
             "</DescribeAutoScalingGroupsResult></DescribeAutoScalingGroupsResponse>",
             asg_head);
    expect_parse_error(buf, "expected a 32-bit integer at DescribeAutoScalingGroupsResponse/"
                            "DescribeAutoScalingGroupsResult/AutoScalingGroups/member/MinSize "
                            "(line 6)");
    snprintf(buf, sizeof(buf), "%s<MinSize>99999999999</MinSize>", asg_head);
    expect_parse_error(buf, "expected a 32-bit integer");
    snprintf(buf, sizeof(buf), "%s<Instances><member><InstanceId>i-1</InstanceId>\n</oops>",
             asg_head);
    expect_parse_error(buf, "malformed XML at DescribeAutoScalingGroupsResponse/"
                            "DescribeAutoScalingGroupsResult/AutoScalingGroups/member/Instances/"
                            "member (line 7");
    snprintf(buf, sizeof(buf), "%s<CreatedTime>yesterday</CreatedTime>", asg_head);
    expect_parse_error(buf, "expected an ISO 8601 time at");
    snprintf(buf, sizeof(buf), "%s<CapacityRebalance>yes</CapacityRebalance>", asg_head);
    expect_parse_error(buf, "expected true or false at");
    snprintf(buf, sizeof(buf),
             "%s<Instances><member><LifecycleState>x</LifecycleState>"
             "</member>",
             asg_head);
    expect_parse_error(buf, "instance without InstanceId");
    expect_parse_error("", "malformed XML at the document start");
    expect_parse_error("<DescribeAutoScalingGroupsResponse>", "malformed XML");
    expect_parse_error("<Other/>", "expected <DescribeAutoScalingGroupsResponse>, got <Other>");
    expect_parse_error("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">"
                       "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>\n"
                       "<DescribeAutoScalingGroupsResponse>&lol2;"
                       "</DescribeAutoScalingGroupsResponse>",
                       "DOCTYPE is not allowed");
    expect_parse_error("<ErrorResponse><Error><Message>m</Message></Error></ErrorResponse>",
                       "without an error code");

    /* Deep nesting is refused, not recursed into. */
    struct hs_buf deep;
    hs_buf_init(&deep);
    hs_buf_adds(&deep, "<DescribeAutoScalingGroupsResponse>");
    for (int i = 0; i < 100; i++)
        hs_buf_adds(&deep, "<a>");
    expect_parse_error(deep.data, "nested too deep");
    hs_buf_release(&deep);
}

/* ---- STS ---- */

/* Composed here from the AssumeRoleWithWebIdentity reference's element
 * names (sts 2011-06-15 model); values are made up. */
static const char sts_ok[] =
    "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
    "  <AssumeRoleWithWebIdentityResult>\n"
    "    <SubjectFromWebIdentityToken>system:serviceaccount:kube-system:hoist"
    "</SubjectFromWebIdentityToken>\n"
    "    <AssumedRoleUser>\n"
    "      <Arn>arn:aws:sts::123456789012:assumed-role/hoist/s1</Arn>\n"
    "      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:s1</AssumedRoleId>\n"
    "    </AssumedRoleUser>\n"
    "    <Credentials>\n"
    "      <SessionToken>FQoGZXIvYXdzEXAMPLETOKENvalue</SessionToken>\n"
    "      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>\n"
    "      <Expiration>2026-11-28T09:00:00Z</Expiration>\n"
    "      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>\n"
    "    </Credentials>\n"
    "    <Provider>oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE</Provider>\n"
    "  </AssumeRoleWithWebIdentityResult>\n"
    "  <ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>"
    "</ResponseMetadata>\n"
    "</AssumeRoleWithWebIdentityResponse>\n";

static void sts(void **state)
{
    (void)state;
    struct aws_sts_credentials c;
    struct hs_err err = { 0 };
    assert_int_equal(aws_xml_sts_credentials(sts_ok, strlen(sts_ok), &c, &err), HS_OK);
    assert_string_equal(c.access_key_id, "ASIAIOSFODNN7EXAMPLE");
    assert_string_equal(c.secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
    assert_string_equal(c.session_token, "FQoGZXIvYXdzEXAMPLETOKENvalue");
    assert_int_equal(c.expiration, 1795856400);
    assert_string_equal(c.assumed_role_arn, "arn:aws:sts::123456789012:assumed-role/hoist/s1");
    aws_sts_credentials_release(&c);
    assert_null(c.secret_access_key);

    /* A missing field, and a bad one: the message names the path, never a
     * secret. */
    char buf[2048];
    snprintf(buf, sizeof(buf), "%s", sts_ok);
    char *tok = strstr(buf, "<SessionToken>");
    memcpy(tok + 1, "X", 1); /* <XessionToken> ... </SessionToken>: malformed */
    assert_int_equal(aws_xml_sts_credentials(buf, strlen(buf), &c, &err), HS_EPARSE);
    assert_null(c.access_key_id);
    hs_err_clear(&err);

    snprintf(buf, sizeof(buf), "%s", sts_ok);
    char *exp = strstr(buf, "2026-11-28T09:00:00Z");
    memcpy(exp, "wJalrXUtnFEMI/K7MDEN", 20);
    assert_int_equal(aws_xml_sts_credentials(buf, strlen(buf), &c, &err), HS_EPARSE);
    assert_non_null(strstr(err.msg, "Credentials/Expiration"));
    assert_null(strstr(err.msg, "wJalr"));
    assert_null(strstr(err.msg, "FQoG"));
    hs_err_clear(&err);

    const char *no_token = "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>"
                           "<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S"
                           "</SecretAccessKey><Expiration>2026-11-28T09:00:00Z</Expiration>"
                           "</Credentials></AssumeRoleWithWebIdentityResult>"
                           "</AssumeRoleWithWebIdentityResponse>";
    assert_int_equal(aws_xml_sts_credentials(no_token, strlen(no_token), &c, &err), HS_EPARSE);
    assert_non_null(strstr(err.msg, "SessionToken"));
    assert_null(c.secret_access_key);

    /* STS's error envelope is the AutoScaling one. */
    const char *denied = "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                         "<Message>Not authorized to perform sts:AssumeRoleWithWebIdentity"
                         "</Message></Error><RequestId>r-1</RequestId></ErrorResponse>";
    hs_err_clear(&err);
    assert_int_equal(aws_xml_sts_credentials(denied, strlen(denied), &c, &err), HS_EAWS);
    assert_string_equal(err.msg, "AccessDenied: Not authorized to perform "
                                 "sts:AssumeRoleWithWebIdentity (request id r-1)");
}

/* ---- scale: a page of 1,000 groups ---- */

static void thousand_groups(void **state)
{
    (void)state;
    struct hs_buf xml;
    hs_buf_init(&xml);
    hs_buf_adds(&xml, "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult>"
                      "<AutoScalingGroups>");
    for (int i = 0; i < 1000; i++) {
        hs_buf_addf(&xml,
                    "<member><AutoScalingGroupName>ng-%d</AutoScalingGroupName>"
                    "<MinSize>0</MinSize><MaxSize>100</MaxSize><DesiredCapacity>3</DesiredCapacity>"
                    "<AvailabilityZones><member>us-east-1a</member><member>us-east-1b</member>"
                    "</AvailabilityZones><Instances>",
                    i);
        for (int k = 0; k < 3; k++)
            hs_buf_addf(&xml,
                        "<member><InstanceId>i-%04d%04d</InstanceId><AvailabilityZone>us-east-1a"
                        "</AvailabilityZone><LifecycleState>InService</LifecycleState>"
                        "<HealthStatus>Healthy</HealthStatus><ProtectedFromScaleIn>false"
                        "</ProtectedFromScaleIn></member>",
                        i, k);
        hs_buf_adds(&xml, "</Instances><Tags>");
        for (int k = 0; k < 5; k++)
            hs_buf_addf(&xml,
                        "<member><Key>k8s.io/cluster-autoscaler/node-template/label/l%d</Key>"
                        "<Value>v%d</Value><PropagateAtLaunch>true</PropagateAtLaunch></member>",
                        k, i);
        hs_buf_adds(&xml, "</Tags></member>");
    }
    hs_buf_adds(&xml, "</AutoScalingGroups></DescribeAutoScalingGroupsResult>"
                      "</DescribeAutoScalingGroupsResponse>");
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(aws_xml_describe_asgs(xml.data, xml.len, &l, NULL, NULL), HS_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    print_message("1000 groups (%zu KiB of XML) decoded in %.1f ms\n", xml.len / 1024,
                  (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    assert_int_equal(l.n, 1000);
    assert_string_equal(l.v[999].name, "ng-999");
    assert_int_equal(l.v[999].n_instances, 3);
    assert_string_equal(l.v[999].instances[2].id, "i-09990002");
    assert_int_equal(l.v[999].n_tags, 5);
    assert_string_equal(l.v[999].tags[4].value, "v999");
    model_asg_list_release(&l);
    hs_buf_release(&xml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(synthesized_pairs), cmocka_unit_test(botocore_responses),
        cmocka_unit_test(error_bodies),      cmocka_unit_test(goamz_groups),
        cmocka_unit_test(goamz_activities),  cmocka_unit_test(goamz_every_file),
        cmocka_unit_test(malformed),         cmocka_unit_test(sts),
        cmocka_unit_test(thousand_groups),
    };
    return cmocka_run_group_tests_name("decode_xml", tests, NULL, NULL);
}
