/*
 * Tests of lib/aws/endpoints.c: every row of botocore's endpoint-rules test
 * vectors for AutoScaling and EC2 (../shared/testdata/aws/
 * botocore-endpoint-tests), region x FIPS x dual-stack and the custom
 * endpoint rows, must give the expected URL or an error; plus the
 * AWS_ENDPOINT_URL_<SERVICE> > AWS_ENDPOINT_URL precedence, the ignore
 * switch, STS, and the URL splitter the signer relies on.
 */
#include "hs_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aws/endpoints.h"
#include "base/alloc.h"

static void run_vectors(const char *svc, enum aws_service s)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/aws/botocore-endpoint-tests/%s/endpoint-tests-1.json",
             hs_testdata_dir(), svc);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("%s: %s", path, je.text);
    json_t *cases = json_object_get(j, "testCases");
    size_t i, n = 0;
    json_t *tc;
    json_array_foreach(cases, i, tc)
    {
        json_t *params = json_object_get(tc, "params");
        json_t *expect = json_object_get(tc, "expect");
        struct aws_endpoint_config c;
        memset(&c, 0, sizeof(c));
        const char *region = json_string_value(json_object_get(params, "Region"));
        c.use_fips = json_is_true(json_object_get(params, "UseFIPS"));
        c.use_dualstack = json_is_true(json_object_get(params, "UseDualStack"));
        c.endpoint_url = json_string_value(json_object_get(params, "Endpoint"));
        char *url = NULL;
        struct hs_err err = { 0 };
        enum hs_code rc = aws_endpoint_resolve(s, region, &c, &url, &err);
        const char *doc = json_string_value(json_object_get(tc, "documentation"));
        json_t *want_ep = json_object_get(expect, "endpoint");
        if (want_ep) {
            const char *want = json_string_value(json_object_get(want_ep, "url"));
            if (rc != HS_OK || strcmp(url, want) != 0)
                fail_msg("%s: %s: got %s (%s), want %s", svc, doc, url ? url : "-", err.msg, want);
        } else {
            const char *want = json_string_value(json_object_get(expect, "error"));
            if (rc == HS_OK)
                fail_msg("%s: %s: got %s, want error %s", svc, doc, url, want);
            /* The rule's message names the same misconfiguration. */
            if (strncmp(want, "Invalid Configuration", 21) == 0 &&
                strncmp(err.msg, "Invalid Configuration", 21) != 0)
                fail_msg("%s: %s: error \"%s\", want \"%s\"", svc, doc, err.msg, want);
        }
        hs_free(url);
        n++;
    }
    assert_true(n >= 45);
    json_decref(j);
}

static void botocore_autoscaling(void **state)
{
    (void)state;
    run_vectors("autoscaling", AWS_SERVICE_AUTOSCALING);
}

static void botocore_ec2(void **state)
{
    (void)state;
    run_vectors("ec2", AWS_SERVICE_EC2);
}

static void resolve_eq(enum aws_service s, const char *region, const struct aws_endpoint_config *c,
                       const char *want)
{
    char *url = NULL;
    struct hs_err err = { 0 };
    enum hs_code rc = aws_endpoint_resolve(s, region, c, &url, &err);
    assert_string_equal(err.msg, "");
    assert_int_equal(rc, HS_OK);
    assert_string_equal(url, want);
    hs_free(url);
}

static void overrides(void **state)
{
    (void)state;
    struct aws_endpoint_config c;
    memset(&c, 0, sizeof(c));
    resolve_eq(AWS_SERVICE_STS, "eu-west-1", &c, "https://sts.eu-west-1.amazonaws.com");
    resolve_eq(AWS_SERVICE_STS, "cn-north-1", &c, "https://sts.cn-north-1.amazonaws.com.cn");
    c.endpoint_url = "http://127.0.0.1:5000/";
    resolve_eq(AWS_SERVICE_EC2, "eu-west-1", &c, "http://127.0.0.1:5000");
    resolve_eq(AWS_SERVICE_AUTOSCALING, NULL, &c, "http://127.0.0.1:5000");
    c.service_url[AWS_SERVICE_AUTOSCALING] = "https://asg.example.com:8443/base";
    resolve_eq(AWS_SERVICE_AUTOSCALING, "eu-west-1", &c, "https://asg.example.com:8443/base");
    resolve_eq(AWS_SERVICE_EC2, "eu-west-1", &c, "http://127.0.0.1:5000");
    c.ignore_configured = true;
    resolve_eq(AWS_SERVICE_AUTOSCALING, "eu-west-1", &c,
               "https://autoscaling.eu-west-1.amazonaws.com");
    /* Errors. */
    char *url = NULL;
    struct hs_err err = { 0 };
    memset(&c, 0, sizeof(c));
    assert_int_equal(aws_endpoint_resolve(AWS_SERVICE_EC2, NULL, &c, &url, &err), HS_EINVAL);
    assert_string_equal(err.msg, "Invalid Configuration: Missing Region");
    hs_err_clear(&err);
    assert_int_equal(aws_endpoint_resolve(AWS_SERVICE_EC2, "us-east-1/../x", &c, &url, &err),
                     HS_EINVAL);
    hs_err_clear(&err);
    c.service_url[AWS_SERVICE_EC2] = "ftp://x";
    assert_int_equal(aws_endpoint_resolve(AWS_SERVICE_EC2, "us-east-1", &c, &url, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "AWS_ENDPOINT_URL_EC2"));
    assert_null(url);
    hs_err_clear(&err);
    c.service_url[AWS_SERVICE_EC2] = NULL;
    c.use_dualstack = true;
    assert_int_equal(aws_endpoint_resolve(AWS_SERVICE_EC2, "us-iso-east-1", &c, &url, &err),
                     HS_EINVAL);
    assert_string_equal(aws_partition_of("us-isob-east-1"), "aws-iso-b");
    assert_string_equal(aws_partition_of("cn-northwest-1"), "aws-cn");
    assert_string_equal(aws_partition_of("eu-central-2"), "aws");
}

static void env_reader(void **state)
{
    (void)state;
    setenv("AWS_ENDPOINT_URL", "http://a:1", 1);
    setenv("AWS_ENDPOINT_URL_AUTO_SCALING", "http://b:2", 1);
    setenv("AWS_ENDPOINT_URL_STS", "", 1);
    setenv("AWS_USE_FIPS_ENDPOINT", "TRUE", 1);
    unsetenv("AWS_ENDPOINT_URL_EC2");
    unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    unsetenv("AWS_USE_DUALSTACK_ENDPOINT");
    struct aws_endpoint_config c;
    aws_endpoint_config_from_process(&c);
    assert_string_equal(c.endpoint_url, "http://a:1");
    assert_string_equal(c.service_url[AWS_SERVICE_AUTOSCALING], "http://b:2");
    assert_null(c.service_url[AWS_SERVICE_EC2]);
    assert_null(c.service_url[AWS_SERVICE_STS]);
    assert_true(c.use_fips);
    assert_false(c.use_dualstack);
    assert_false(c.ignore_configured);
    unsetenv("AWS_ENDPOINT_URL");
    unsetenv("AWS_ENDPOINT_URL_AUTO_SCALING");
    unsetenv("AWS_ENDPOINT_URL_STS");
    unsetenv("AWS_USE_FIPS_ENDPOINT");
}

static void split_eq(const char *url, const char *host, const char *path)
{
    char *h = NULL, *p = NULL;
    struct hs_err err = { 0 };
    assert_int_equal(aws_url_split(url, &h, &p, &err), HS_OK);
    assert_string_equal(h, host);
    assert_string_equal(p, path);
    hs_free(h);
    hs_free(p);
}

static void url_split(void **state)
{
    (void)state;
    split_eq("https://ec2.us-east-1.amazonaws.com", "ec2.us-east-1.amazonaws.com", "/");
    split_eq("https://EC2.example.com:443/", "ec2.example.com", "/");
    split_eq("http://127.0.0.1:80", "127.0.0.1", "/");
    split_eq("http://127.0.0.1:5000", "127.0.0.1:5000", "/");
    split_eq("https://h:8443/a/b", "h:8443", "/a/b");
    split_eq("http://[::1]:9000/", "[::1]:9000", "/");
    char *h = NULL, *p = NULL;
    struct hs_err err = { 0 };
    assert_int_equal(aws_url_split("http://u:pw@h/", &h, &p, &err), HS_EINVAL);
    assert_null(strstr(err.msg, "pw")); /* user info may be a password: never quoted */
    hs_err_clear(&err);
    assert_int_equal(aws_url_split("http://h/?a=b", &h, &p, &err), HS_EINVAL);
    hs_err_clear(&err);
    assert_int_equal(aws_url_split("http:///x", &h, &p, &err), HS_EINVAL);
    hs_err_clear(&err);
    assert_int_equal(aws_url_split("h:1", &h, &p, &err), HS_EINVAL);
    assert_null(h);
    assert_null(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(botocore_autoscaling),
        cmocka_unit_test(botocore_ec2),
        cmocka_unit_test(overrides),
        cmocka_unit_test(env_reader),
        cmocka_unit_test(url_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
