/*
 * Tests of lib/aws/cli_json.c: every aws-CLI example output for
 * describe-auto-scaling-groups, describe-instance-types and
 * describe-launch-template-versions, the instance-selector DescribeInstanceTypes
 * captures and Karpenter's generated DescribeInstanceTypes, each compared with
 * the JSON itself through model_json.c; the synthesized twins decoded both as
 * CLI JSON and as XML must give the same model; bad input names the file and
 * the JSON path.
 *
 * describe-instance-types.output-2.json is the output of
 * `--query 'InstanceTypes[].InstanceType'` (a list of names, no facts): it
 * must be refused with a clear message, which the test checks.
 */
#include "hs_test.h"
#include "model_json.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "aws/decode.h"
#include "base/alloc.h"
#include "base/err.h"

#define CLI "aws/awscli-examples/"

static void cli_asg_examples(void **state)
{
    (void)state;
    static const char *const files[] = {
        CLI "autoscaling/describe-auto-scaling-groups.output-1.json",
        CLI "autoscaling/describe-auto-scaling-groups.output-2.json",
        "aws/synthesized-query-xml/autoscaling/DescribeAutoScalingGroups-launch-template.json",
        "aws/synthesized-query-xml/autoscaling/DescribeAutoScalingGroups-launch-config.json",
        "aws/synthesized-query-xml/autoscaling/"
        "DescribeAutoScalingGroups-mixed-instances-COMPOSED.json",
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(files); i++) {
        size_t len;
        char *text = mj_read(files[i], &len);
        json_t *doc = mj_load(files[i]);
        struct model_asg_list l;
        model_asg_list_init(&l);
        struct hs_err err = { 0 };
        char *token = NULL;
        if (aws_cli_json_asgs(text, len, files[i], &l, &token, &err))
            fail_msg("%s", err.msg);
        const json_t *groups = json_is_array(doc) ? doc : json_object_get(doc, "AutoScalingGroups");
        assert_true(json_array_size(groups) > 0);
        mj_check_asgs(files[i], &l, groups);
        const char *want = json_string_value(json_object_get(doc, "NextToken"));
        if (want || token)
            assert_string_equal(want ? want : "(none)", token ? token : "(none)");
        hs_free(token);

        /* The synthesized twins: CLI JSON and XML give the same model. */
        if (strstr(files[i], "synthesized")) {
            char xml_rel[512];
            snprintf(xml_rel, sizeof(xml_rel), "%s", files[i]);
            memcpy(strrchr(xml_rel, '.'), ".xml", 5);
            size_t xlen;
            char *xml = mj_read(xml_rel, &xlen);
            struct model_asg_list lx;
            model_asg_list_init(&lx);
            if (aws_xml_describe_asgs(xml, xlen, &lx, NULL, &err))
                fail_msg("%s", err.msg);
            mj_check_asgs_equal(&l, &lx);
            model_asg_list_release(&lx);
            hs_free(xml);
        }
        json_decref(doc);
        model_asg_list_release(&l);
        hs_free(text);
    }
}

/* Decodes rel (or the subtree at key of it) as describe-instance-types
 * output and compares. */
static void check_types_doc(const char *rel, const char *key)
{
    json_t *doc = mj_load(rel);
    const json_t *sub = key ? json_object_get(doc, key) : doc;
    char *text = json_dumps(sub, 0);
    struct model_instance_type_list l;
    model_instance_type_list_init(&l);
    struct hs_err err = { 0 };
    if (aws_cli_json_instance_types(text, strlen(text), rel, &l, NULL, &err))
        fail_msg("%s", err.msg);
    mj_check_instance_types(rel, &l, json_object_get(sub, "InstanceTypes"));
    model_instance_type_list_release(&l);
    free(text);
    json_decref(doc);
}

static void cli_instance_types(void **state)
{
    (void)state;
    check_types_doc(CLI "ec2/describe-instance-types.output-1.json", NULL);
    static const char *const selector[] = {
        "25_instances",     "c4_2xlarge", "c4_large",     "empty",    "g2_2xlarge",
        "g2_2xlarge_group", "m4_xlarge",  "pv_instances", "t3_micro", "t3_micro_and_p3_16xl",
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(selector); i++) {
        char rel[512];
        snprintf(rel, sizeof(rel), "ec2/instance-selector-static/DescribeInstanceTypes/%s.json",
                 selector[i]);
        check_types_doc(rel, NULL);
    }
    check_types_doc("ec2/karpenter-describe-instance-types.json", "DescribeInstanceTypesOutput");
    /* The synthesized EC2 twins are SDK-shaped too. */
    static const char *const syn[] = { "awscli-1", "karpenter-17types",
                                       "instance-selector-t3_micro_and_p3_16xl",
                                       "instance-selector-g2_2xlarge",
                                       "instance-selector-25_instances" };
    for (size_t i = 0; i < HS_ARRAY_LEN(syn); i++) {
        char rel[512];
        snprintf(rel, sizeof(rel), "aws/synthesized-query-xml/ec2/DescribeInstanceTypes-%s.json",
                 syn[i]);
        check_types_doc(rel, NULL);
    }

    /* Spot facts of a well-known GPU type, straight from the model. */
    json_t *doc = mj_load("ec2/karpenter-describe-instance-types.json");
    char *text = json_dumps(json_object_get(doc, "DescribeInstanceTypesOutput"), 0);
    struct model_instance_type_list l;
    model_instance_type_list_init(&l);
    assert_int_equal(aws_cli_json_instance_types(text, strlen(text), NULL, &l, NULL, NULL), HS_OK);
    const struct model_instance_type *g4 = model_instance_type_list_find(&l, "g4ad.16xlarge");
    assert_non_null(g4);
    assert_int_equal(g4->vcpu, 64);
    assert_int_equal(g4->memory_mib, 262144);
    assert_int_equal(g4->gpu_count, 4);
    assert_string_equal(g4->gpu_name, "Radeon Pro V520");
    assert_string_equal(g4->gpu_manufacturer, "AMD");
    assert_int_equal(g4->gpu_memory_mib, 4 * 8192);
    assert_string_equal(g4->arch, "x86_64");
    assert_int_equal(g4->max_enis, 8);
    assert_int_equal(g4->ipv4_per_eni, 30);
    assert_int_equal(g4->ephemeral_storage_gb, 2400);
    model_instance_type_list_release(&l);
    free(text);
    json_decref(doc);

    /* --query output (names only) is refused, naming the file. */
    struct hs_err err = { 0 };
    model_instance_type_list_init(&l);
    assert_int_equal(
        aws_cli_json_instance_types_file("/nonexistent/describe-instance-types.json", &l, &err),
        HS_EIO);
    hs_err_clear(&err);
    char path[1024];
    snprintf(path, sizeof(path), "%s/" CLI "ec2/describe-instance-types.output-2.json",
             hs_testdata_dir());
    assert_int_equal(aws_cli_json_instance_types_file(path, &l, &err), HS_EPARSE);
    assert_non_null(strstr(err.msg, "describe-instance-types.output-2.json: "));
    assert_non_null(strstr(err.msg, "expected object, got an array"));
    model_instance_type_list_release(&l);
}

static void cli_lt_versions(void **state)
{
    (void)state;
    static const char *const files[] = {
        CLI "ec2/describe-launch-template-versions.output-1.json",
        "aws/synthesized-query-xml/ec2/DescribeLaunchTemplateVersions.json",
        "aws/synthesized-query-xml/ec2/DescribeLaunchTemplateVersions-botocore-0.json",
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(files); i++) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", hs_testdata_dir(), files[i]);
        struct model_lt_version_list l;
        model_lt_version_list_init(&l);
        struct hs_err err = { 0 };
        if (aws_cli_json_lt_versions_file(path, &l, &err))
            fail_msg("%s", err.msg);
        json_t *doc = mj_load(files[i]);
        mj_check_lt_versions(files[i], &l, json_object_get(doc, "LaunchTemplateVersions"));
        json_decref(doc);
        model_lt_version_list_release(&l);
    }

    /* Requirements-based templates and tag specifications. */
    const char *doc =
        "{\"LaunchTemplateVersions\": [{\"LaunchTemplateId\": \"lt-1\", \"VersionNumber\": 7,"
        " \"DefaultVersion\": true, \"CreateTime\": \"2024-01-02T03:04:05+00:00\","
        " \"LaunchTemplateData\": {\"ImageId\": \"ami-1\", \"UserData\": \"IyEvYmluL3NoCg==\","
        " \"InstanceRequirements\": {\"VCpuCount\": {\"Min\": 2}},"
        " \"TagSpecifications\": [{\"ResourceType\": \"instance\", \"Tags\": ["
        "  {\"Key\": \"k8s.io/cluster-autoscaler/node-template/label/team\", \"Value\": \"a\"},"
        "  {\"Key\": \"empty\"}]}]}}]}";
    struct model_lt_version_list l;
    model_lt_version_list_init(&l);
    assert_int_equal(aws_cli_json_lt_versions(doc, strlen(doc), "lt.json", &l, NULL, NULL), HS_OK);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0].version_number, 7);
    assert_true(l.v[0].default_version);
    assert_int_equal(l.v[0].create_time, 1704164645);
    assert_null(l.v[0].instance_type);
    assert_true(l.v[0].has_instance_requirements);
    assert_true(l.v[0].has_user_data);
    assert_int_equal(l.v[0].n_tags, 2);
    assert_string_equal(l.v[0].tags[0].resource_type, "instance");
    assert_string_equal(l.v[0].tags[1].value, "");
    model_lt_version_list_release(&l);
}

/* msg is the whole expected message, or its start when it ends in "...". */
static void expect_error(const char *doc, const char *msg)
{
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct hs_err err = { 0 };
    char *token = NULL;
    assert_int_equal(aws_cli_json_asgs(doc, strlen(doc), "asgs.json", &l, &token, &err), HS_EPARSE);
    assert_null(token);
    size_t n = strlen(msg);
    if (n > 3 && strcmp(msg + n - 3, "...") == 0) {
        if (strncmp(err.msg, msg, n - 3) != 0)
            fail_msg("'%s' does not start with '%.*s'", err.msg, (int)(n - 3), msg);
    } else {
        assert_string_equal(err.msg, msg);
    }
    model_asg_list_release(&l);
}

static void cli_errors(void **state)
{
    (void)state;
    expect_error("{\"AutoScalingGroups\": [{\"AutoScalingGroupName\": \"a\"},"
                 " {\"AutoScalingGroupName\": \"b\"}, {\"AutoScalingGroupName\": \"c\"},"
                 " {\"AutoScalingGroupName\": \"d\", \"Instances\": [{\"InstanceId\": \"i-1\","
                 " \"AvailabilityZone\": 5}]}]}",
                 "asgs.json: AutoScalingGroups[3].Instances[0].AvailabilityZone: expected "
                 "string, got a number");
    expect_error("[{\"AutoScalingGroupName\": \"a\"}, {\"AutoScalingGroupName\": \"b\","
                 " \"MinSize\": \"1\"}]",
                 "asgs.json: [1].MinSize: expected integer, got a string");
    expect_error("{\"AutoScalingGroups\": [{\"MinSize\": 1}]}",
                 "asgs.json: AutoScalingGroups[0].AutoScalingGroupName: missing");
    expect_error("{\"AutoScalingGroups\": [{\"AutoScalingGroupName\": \"a\", \"Tags\":"
                 " [{\"Key\": \"k\", \"PropagateAtLaunch\": \"yes\"}]}]}",
                 "asgs.json: AutoScalingGroups[0].Tags[0].PropagateAtLaunch: expected "
                 "boolean, got a string");
    expect_error("{\"AutoScalingGroups\": [{\"AutoScalingGroupName\": \"a\","
                 " \"MixedInstancesPolicy\": {\"LaunchTemplate\": {\"Overrides\":"
                 " [{\"InstanceType\": \"m5.large\", \"WeightedCapacity\": \"two\"}]}}}]}",
                 "asgs.json: AutoScalingGroups[0].MixedInstancesPolicy.LaunchTemplate."
                 "Overrides[0].WeightedCapacity: expected an integer in a string");
    expect_error("{\"AutoScalingGroups\": [{\"AutoScalingGroupName\": \"a\","
                 " \"CreatedTime\": \"last week\"}]}",
                 "asgs.json: AutoScalingGroups[0].CreatedTime: expected an ISO 8601 time");
    expect_error("{\"AutoScalingGroups\": [{\"AutoScalingGroupName\": \"a\","
                 " \"MaxSize\": 4294967296}]}",
                 "asgs.json: AutoScalingGroups[0].MaxSize: integer out of range");
    expect_error("{\"AutoScalingGroups\": {}}",
                 "asgs.json: AutoScalingGroups: expected array, got an object");
    expect_error("{\"Groups\": []}", "asgs.json: AutoScalingGroups: missing");
    expect_error("[1]", "asgs.json: [0]: expected object, got a number");
    /* jansson's own wording varies by release: check our part. */
    expect_error("{\"AutoScalingGroups\": [", "asgs.json: invalid JSON at line 1, column 23: ...");
    expect_error("{\"a\": 1, \"a\": 2}", "asgs.json: invalid JSON at line 1, column 12: ...");

    /* The real CLI's time spelling, and WeightedCapacity as a string. */
    const char *ok = "{\"AutoScalingGroups\": [{\"AutoScalingGroupName\": \"a\", \"CreatedTime\":"
                     " \"2023-10-28T02:39:22.152000+00:00\", \"MinSize\": 0, \"MaxSize\": 3,"
                     " \"DesiredCapacity\": 1, \"MixedInstancesPolicy\": {\"LaunchTemplate\":"
                     " {\"Overrides\": [{\"InstanceType\": \"m5.large\", \"WeightedCapacity\":"
                     " \"2\"}, {\"InstanceRequirements\": {}}]}}}]}";
    struct model_asg_list l;
    model_asg_list_init(&l);
    assert_int_equal(aws_cli_json_asgs(ok, strlen(ok), NULL, &l, NULL, NULL), HS_OK);
    assert_int_equal(l.v[0].created_time, 1698460762);
    assert_int_equal(l.v[0].mixed.overrides[0].weighted_capacity, 2);
    assert_true(l.v[0].mixed.overrides[1].has_instance_requirements);
    assert_null(l.v[0].mixed.overrides[1].instance_type);
    assert_false(l.v[0].mixed.distribution.present);
    assert_int_equal(l.v[0].default_cooldown, MODEL_ABSENT);
    model_asg_list_release(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cli_asg_examples),
        cmocka_unit_test(cli_instance_types),
        cmocka_unit_test(cli_lt_versions),
        cmocka_unit_test(cli_errors),
    };
    return cmocka_run_group_tests_name("cli_json", tests, NULL, NULL);
}
