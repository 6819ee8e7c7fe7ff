/*
 * Tests of lib/aws/credentials.c: the chain's order and its refusals of
 * half-configured providers, the shared-file reader, and the region order.
 * The shared files are written by the real aws CLI (`aws configure set`) and
 * what hoist reads is compared with `aws configure get`.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include "aws/credentials.h"

static char dir[] = "/tmp/hoist-awscreds-XXXXXX";
static char credf[256], conff[256];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(credf, sizeof(credf), "%s/credentials", dir);
    snprintf(conff, sizeof(conff), "%s/config", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd);
}

/* An environment that points the shared files into the temp folder. */
static struct aws_env base_env(void)
{
    struct aws_env e;
    memset(&e, 0, sizeof(e));
    e.shared_credentials_file = credf;
    e.config_file = conff;
    e.home = "/nonexistent-home";
    return e;
}

static void resolve_ok(const struct aws_env *e, struct aws_cred_plan *p)
{
    struct hs_err err = { 0 };
    enum hs_code rc = aws_cred_plan_resolve(e, p, &err);
    assert_string_equal(err.msg, "");
    assert_int_equal(rc, HS_OK);
}

static void resolve_err(const struct aws_env *e, enum hs_code code, const char *msg)
{
    struct aws_cred_plan p;
    struct hs_err err = { 0 };
    enum hs_code rc = aws_cred_plan_resolve(e, &p, &err);
    assert_string_equal(err.msg, msg);
    assert_int_equal(rc, code);
    aws_cred_plan_release(&p);
}

static void chain_order(void **state)
{
    (void)state;
    remove(credf);
    remove(conff);
    struct aws_env e = base_env();
    struct aws_cred_plan p;
    e.access_key_id = "AKIDEXAMPLE";
    e.secret_access_key = "secret";
    e.session_token = "tok";
    e.web_identity_token_file = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";
    e.role_arn = "arn:aws:iam::111122223333:role/hoist";
    e.container_relative_uri = "/v2/credentials/x";
    resolve_ok(&e, &p); /* 1: environment keys first */
    assert_int_equal(p.source, AWS_CRED_ENV);
    assert_string_equal(p.creds.access_key_id, "AKIDEXAMPLE");
    assert_string_equal(p.creds.session_token, "tok");
    aws_cred_plan_release(&p);

    e.access_key_id = e.secret_access_key = e.session_token = NULL;
    resolve_ok(&e, &p); /* 2: IRSA before container credentials */
    assert_int_equal(p.source, AWS_CRED_WEB_IDENTITY);
    assert_string_equal(p.role_arn, "arn:aws:iam::111122223333:role/hoist");
    assert_string_equal(p.session_name, "hoist");
    assert_string_equal(p.detail, "web identity (IRSA), role arn:aws:iam::111122223333:role/hoist");
    aws_cred_plan_release(&p);
    e.role_session_name = "ca-pod";
    resolve_ok(&e, &p);
    assert_string_equal(p.session_name, "ca-pod");
    aws_cred_plan_release(&p);

    e.web_identity_token_file = e.role_arn = NULL;
    e.container_full_uri = "http://169.254.170.23/v1/credentials";
    e.container_auth_token = "literal";
    e.container_auth_token_file = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/token";
    resolve_ok(&e, &p); /* 3: relative URI wins over full; token file over token */
    assert_int_equal(p.source, AWS_CRED_CONTAINER);
    assert_string_equal(p.url, "http://169.254.170.2/v2/credentials/x");
    assert_string_equal(p.auth_token_file,
                        "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/token");
    assert_null(p.auth_token);
    aws_cred_plan_release(&p);
    e.container_relative_uri = NULL;
    e.container_auth_token_file = NULL;
    resolve_ok(&e, &p); /* EKS Pod Identity's agent address over plain HTTP */
    assert_string_equal(p.url, "http://169.254.170.23/v1/credentials");
    assert_string_equal(p.auth_token, "literal");
    aws_cred_plan_release(&p);

    e.container_full_uri = NULL;
    e.container_auth_token = NULL;
    resolve_ok(&e, &p); /* 5: nothing else: IMDS */
    assert_int_equal(p.source, AWS_CRED_IMDS);
    assert_string_equal(p.imds_endpoint, "http://169.254.169.254");
    aws_cred_plan_release(&p);
    e.imds_endpoint = "http://[fd00:ec2::254]/";
    resolve_ok(&e, &p);
    assert_string_equal(p.imds_endpoint, "http://[fd00:ec2::254]");
    aws_cred_plan_release(&p);
    e.imds_disabled = "TRUE";
    resolve_err(&e, HS_ENOTFOUND,
                "no AWS credentials: none in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                "AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN, AWS_CONTAINER_CREDENTIALS_*_URI or the "
                "shared files (profile default), and AWS_EC2_METADATA_DISABLED=true");
}

static void half_configured_is_an_error(void **state)
{
    (void)state;
    struct aws_env e = base_env();
    e.access_key_id = "AKIDEXAMPLE";
    resolve_err(&e, HS_EINVAL, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    e = base_env();
    e.secret_access_key = "s";
    resolve_err(&e, HS_EINVAL, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
    e = base_env();
    e.role_arn = "arn:aws:iam::1:role/r";
    resolve_err(&e, HS_EINVAL, "AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not");
    e = base_env();
    e.web_identity_token_file = "/t";
    resolve_err(&e, HS_EINVAL, "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
    e = base_env();
    e.container_relative_uri = "v2/x";
    resolve_err(&e, HS_EINVAL, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \"v2/x\" is not a path");
    e = base_env();
    e.container_full_uri = "http://attacker.example/creds";
    resolve_err(&e, HS_EINVAL,
                "AWS_CONTAINER_CREDENTIALS_FULL_URI \"http://attacker.example/creds\" must be "
                "https, or http to a loopback or the ECS/EKS agent address");
    e.container_full_uri = "http://169.254.170.2.attacker.example/";
    resolve_err(&e, HS_EINVAL,
                "AWS_CONTAINER_CREDENTIALS_FULL_URI \"http://169.254.170.2.attacker.example/\" "
                "must be https, or http to a loopback or the ECS/EKS agent address");
}

static void shared_files(void **state)
{
    (void)state;
    write_file(credf, "# comment\n[default]\naws_access_key_id = AKIDDEFAULT\n"
                      "aws_secret_access_key=secretdefault\n\n[dev]\n"
                      "aws_access_key_id = AKIDDEV\naws_secret_access_key = secretdev\n"
                      "aws_session_token = tokdev\n");
    write_file(conff, "[default]\nregion = us-east-2\ns3 =\n  max_concurrent_requests = 10\n"
                      "[profile ops]\naws_access_key_id = AKIDOPS\n"
                      "aws_secret_access_key = first\naws_secret_access_key = secretops\n"
                      "region = eu-west-1\n; comment\n"
                      "[profile sso]\nsso_start_url = https://x.awsapps.com/start\n"
                      "[profile assume]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = dev\n"
                      "[profile irsa]\nrole_arn = arn:aws:iam::1:role/w\n"
                      "web_identity_token_file = /tok\n"
                      "[profile empty]\nregion = ap-south-1\n"
                      "[ops]\naws_access_key_id = NOT-A-PROFILE-IN-CONFIG\n");
    struct aws_env e = base_env();
    struct aws_cred_plan p;
    resolve_ok(&e, &p);
    assert_int_equal(p.source, AWS_CRED_PROFILE);
    assert_string_equal(p.creds.access_key_id, "AKIDDEFAULT");
    assert_string_equal(p.creds.secret_access_key, "secretdefault");
    assert_null(p.creds.session_token);
    aws_cred_plan_release(&p);

    e.profile = "dev";
    resolve_ok(&e, &p);
    assert_string_equal(p.creds.access_key_id, "AKIDDEV");
    assert_string_equal(p.creds.session_token, "tokdev");
    aws_cred_plan_release(&p);

    e.profile = "ops"; /* from the config file; the last assignment wins */
    resolve_ok(&e, &p);
    assert_string_equal(p.creds.access_key_id, "AKIDOPS");
    assert_string_equal(p.creds.secret_access_key, "secretops");
    aws_cred_plan_release(&p);

    e.profile = "irsa";
    resolve_ok(&e, &p);
    assert_int_equal(p.source, AWS_CRED_WEB_IDENTITY);
    assert_string_equal(p.token_file, "/tok");
    aws_cred_plan_release(&p);

    e.profile = "sso";
    resolve_err(&e, HS_ENOTSUP,
                "AWS profile \"sso\" uses sso_start_url, which hoist does not support; run with "
                "the credentials it yields (e.g. `aws configure export-credentials --profile sso "
                "--format env`)");
    e.profile = "assume";
    resolve_err(&e, HS_ENOTSUP,
                "AWS profile \"assume\" uses role_arn, which hoist does not support; run with the "
                "credentials it yields (e.g. `aws configure export-credentials --profile assume "
                "--format env`)");
    e.profile = "empty";
    resolve_err(&e, HS_ENOTFOUND,
                "AWS_PROFILE is \"empty\" but that profile has no credentials in the shared files");
    e.profile = NULL;

    /* Regions, in order. */
    char *region = NULL;
    const char *from = NULL;
    struct hs_err err = { 0 };
    e.region = "us-west-2";
    e.default_region = "us-west-1";
    assert_int_equal(aws_region_resolve("cn-north-1", &e, &region, &from, &err), HS_OK);
    assert_string_equal(region, "cn-north-1");
    assert_string_equal(from, "--aws-region");
    free(region);
    assert_int_equal(aws_region_resolve(NULL, &e, &region, &from, &err), HS_OK);
    assert_string_equal(region, "us-west-2");
    free(region);
    e.region = NULL;
    assert_int_equal(aws_region_resolve("", &e, &region, &from, &err), HS_OK);
    assert_string_equal(region, "us-west-1");
    assert_string_equal(from, "AWS_DEFAULT_REGION");
    free(region);
    e.default_region = NULL;
    assert_int_equal(aws_region_resolve(NULL, &e, &region, &from, &err), HS_OK);
    assert_string_equal(region, "us-east-2");
    assert_string_equal(from, "the AWS config file");
    free(region);
    e.profile = "ops";
    assert_int_equal(aws_region_resolve(NULL, &e, &region, &from, &err), HS_OK);
    assert_string_equal(region, "eu-west-1");
    free(region);
    e.profile = "dev";
    assert_int_equal(aws_region_resolve(NULL, &e, &region, &from, &err), HS_ENOTFOUND);
    assert_null(region);
    assert_string_equal(err.msg, "no AWS region: set --aws-region, AWS_REGION or "
                                 "AWS_DEFAULT_REGION, or `region` in the AWS config file "
                                 "(profile dev); instance metadata did not give one either");
}

static void malformed_file(void **state)
{
    (void)state;
    write_file(credf, "[default]\naws_access_key_id = A\nthis line has no equals\n");
    struct aws_env e = base_env();
    char msg[400];
    snprintf(msg, sizeof(msg), "%s:3: expected key = value", credf);
    resolve_err(&e, HS_EPARSE, msg);
    write_file(credf, "[default\n");
    snprintf(msg, sizeof(msg), "%s:1: section header without ']'", credf);
    resolve_err(&e, HS_EPARSE, msg);
    remove(credf);
}

/* The files as the aws CLI writes them, read back by hoist and by the CLI. */
static void written_by_aws_cli(void **state)
{
    (void)state;
    remove(credf);
    remove(conff);
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "set -e; export AWS_CONFIG_FILE='%s' AWS_SHARED_CREDENTIALS_FILE='%s'; "
             "aws configure set aws_access_key_id AKIDCLIWRITTEN --profile team; "
             "aws configure set aws_secret_access_key cliSecret/With+Chars --profile team; "
             "aws configure set aws_session_token FwoGZXIvYXdzEXAMPLE --profile team; "
             "aws configure set region sa-east-1 --profile team",
             conff, credf);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("aws configure set failed (%d): is the aws CLI installed?", rc);
    struct aws_env e = base_env();
    e.profile = "team";
    struct aws_cred_plan p;
    resolve_ok(&e, &p);
    assert_int_equal(p.source, AWS_CRED_PROFILE);

    char want[256];
    snprintf(cmd, sizeof(cmd),
             "AWS_CONFIG_FILE='%s' AWS_SHARED_CREDENTIALS_FILE='%s' aws configure get "
             "aws_secret_access_key --profile team",
             conff, credf);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    assert_non_null(fgets(want, sizeof(want), f));
    assert_int_equal(pclose(f), 0);
    want[strcspn(want, "\n")] = '\0';
    assert_string_equal(p.creds.secret_access_key, want);
    assert_string_equal(p.creds.access_key_id, "AKIDCLIWRITTEN");
    assert_string_equal(p.creds.session_token, "FwoGZXIvYXdzEXAMPLE");
    aws_cred_plan_release(&p);

    char *region = NULL;
    const char *from = NULL;
    struct hs_err err = { 0 };
    assert_int_equal(aws_region_resolve(NULL, &e, &region, &from, &err), HS_OK);
    assert_string_equal(region, "sa-east-1");
    free(region);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chain_order),        cmocka_unit_test(half_configured_is_an_error),
        cmocka_unit_test(shared_files),       cmocka_unit_test(malformed_file),
        cmocka_unit_test(written_by_aws_cli),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
