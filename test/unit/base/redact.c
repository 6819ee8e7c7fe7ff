/*
 * Tests of lib/base/redact.c: each kind of secret hoist can meet in a log line
 * is masked (exact output and count), and ordinary text, including label keys
 * called "key", is left byte for byte.
 */
#include "hs_test.h"

#include <string.h>

#include "base/buf.h"
#include "base/common.h"
#include "base/log.h"

struct redact_case {
    const char *name;
    const char *in;
    const char *want;
    size_t masked;
};

static const struct redact_case cases[] = {
    { "sigv4 authorization header",
      "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
      "aws4_request, SignedHeaders=host;range;x-amz-date, "
      "Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024",
      "Authorization: [REDACTED]", 1 },
    { "authorization header in a request dump",
      "GET / HTTP/1.1\nauthorization: Bearer abc.def\nHost: ec2.amazonaws.com",
      "GET / HTTP/1.1\nauthorization: [REDACTED]\nHost: ec2.amazonaws.com", 1 },
    { "bearer token in prose", "retrying with Bearer eyJhbGciOiJSUzI1NiJ9xyz for /api/v1/nodes",
      "retrying with Bearer [REDACTED] for /api/v1/nodes", 1 },
    { "presigned query string",
      "GET /?Action=DescribeInstances&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr%2F"
      "&X-Amz-Signature=0123abcdef&X-Amz-Date=20240101T000000Z",
      "GET /?Action=DescribeInstances&X-Amz-Security-Token=[REDACTED]"
      "&X-Amz-Signature=[REDACTED]&X-Amz-Date=20240101T000000Z",
      2 },
    { "credential scope in a query string",
      "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240101%2Fus-east-1&Version=2016-11-15",
      "&X-Amz-Credential=[REDACTED]&Version=2016-11-15", 1 },
    { "json token field", "{\"token\": \"abc\", \"name\": \"x\"}",
      "{\"token\": \"[REDACTED]\", \"name\": \"x\"}", 1 },
    { "escaped json inside a quoted value",
      "body=\"{\\\"password\\\":\\\"hunter2\\\",\\\"user\\\":\\\"bob\\\"}\"",
      "body=\"{\\\"password\\\":\\\"[REDACTED]\\\",\\\"user\\\":\\\"bob\\\"}\"", 1 },
    { "aws credentials file", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "aws_secret_access_key = [REDACTED]", 1 },
    { "xml secret element",
      "<SecretAccessKey>wJalrXUtnFEMI/K7MDENG</SecretAccessKey><Expiration>2024</Expiration>",
      "<SecretAccessKey>[REDACTED]</SecretAccessKey><Expiration>2024</Expiration>", 1 },
    { "sts xml response",
      "<Credentials>\n  <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>\n"
      "  <SessionToken>FwoGZXIvYXdzEBYaD</SessionToken>\n</Credentials>",
      "<Credentials>\n  <AccessKeyId>ASIA[REDACTED]</AccessKeyId>\n"
      "  <SessionToken>[REDACTED]</SessionToken>\n</Credentials>",
      2 },
    { "xml element with attributes", "<ns:Password type=\"plain\">hunter2</ns:Password>",
      "<ns:Password type=\"plain\">[REDACTED]</ns:Password>", 1 },
    { "access key id", "key id AKIAIOSFODNN7EXAMPLE used", "key id AKIA[REDACTED] used", 1 },
    { "jwt alone",
      "got eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJrdWJlcm5ldGVzIn0.SIGNATUREabc_-123 end",
      "got [REDACTED] end", 1 },
    { "kubeconfig yaml",
      "users:\n- name: admin\n  user:\n    client-certificate-data: LS0tLS1CRUdJTiBDRVJU\n"
      "    client-key-data: LS0tLS1CRUdJTiBSU0E=\n    token: abc",
      "users:\n- name: admin\n  user:\n    client-certificate-data: LS0tLS1CRUdJTiBDRVJU\n"
      "    client-key-data: [REDACTED]\n    token: [REDACTED]",
      2 },
    /* nothing to mask */
    { "ordinary message", "Scale-up: setting group eks-ng-1 size to 5",
      "Scale-up: setting group eks-ng-1 size to 5", 0 },
    { "label named key", "label key: app", "label key: app", 0 },
    { "label json", "{\"metadata\":{\"labels\":{\"key\":\"app\"}}}",
      "{\"metadata\":{\"labels\":{\"key\":\"app\"}}}", 0 },
    { "node name and duration", "node ip-10-0-0-1.ec2.internal is unneeded since 10m0s",
      "node ip-10-0-0-1.ec2.internal is unneeded since 10m0s", 0 },
    { "empty secret value", "password=", "password=", 0 },
    { "too short for a key id", "AKIA123 is not a key", "AKIA123 is not a key", 0 },
    { "self-closing xml", "<Password/>", "<Password/>", 0 },
    { "xml wrapper without text", "<Credentials>\n</Credentials>", "<Credentials>\n</Credentials>",
      0 },
    { "empty", "", "", 0 },
};

static void table(void **state)
{
    (void)state;
    for (size_t i = 0; i < HS_ARRAY_LEN(cases); i++) {
        struct hs_buf b;
        hs_buf_init(&b);
        hs_buf_adds(&b, cases[i].in);
        size_t n = hs_redact(&b);
        if (strcmp(b.data, cases[i].want) != 0)
            fail_msg("%s:\n got  %s\n want %s", cases[i].name, b.data, cases[i].want);
        if (n != cases[i].masked)
            fail_msg("%s: masked %zu, want %zu", cases[i].name, n, cases[i].masked);
        if (b.len != strlen(b.data))
            fail_msg("%s: len %zu, strlen %zu", cases[i].name, b.len, strlen(b.data));
        hs_buf_release(&b);
    }
}

/* With nothing to mask the buffer is left as it was, storage included. */
static void untouched_buffer_keeps_storage(void **state)
{
    (void)state;
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_adds(&b, "nothing secret here");
    char *data = b.data;
    size_t cap = b.cap;
    assert_int_equal(hs_redact(&b), 0);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    hs_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(untouched_buffer_keeps_storage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
