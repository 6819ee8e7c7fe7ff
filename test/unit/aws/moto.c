/*
 * lib/aws against a real AWS implementation (ctest label aws-moto): starts
 * moto_server on a free loopback port, builds a launch template and two Auto
 * Scaling groups with tags through the real `aws` CLI, then reads them back
 * two ways:
 *   1. `aws autoscaling describe-auto-scaling-groups --output json`, decoded
 *      by aws_cli_json_asgs;
 *   2. a raw Query-protocol POST whose body aws_query built and whose
 *      Authorization aws_sigv4_sign made, sent with libcurl (here, in the
 *      test only: hoist's own HTTP goes through lib/http), decoded by
 *      aws_xml_describe_asgs;
 * and asserts both give the same model, and the values that were created.
 * Also SetDesiredCapacity and TerminateInstanceInAutoScalingGroup through the
 * raw path, an unknown action's error envelope, and DescribeInstanceTypes /
 * DescribeLaunchTemplateVersions through EC2's flavour.
 *
 * moto runs without IAM enforcement here (dummy credentials): the signature
 * is built by our signer and sent, but not verified by this test's moto.
 * The test kills only the moto process it started.
 */
#include "hs_test.h"
#include "model_json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "aws/decode.h"
#include "aws/query.h"
#include "aws/sigv4.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/clock.h"

extern char **environ;

static pid_t moto_pid = -1;
static int moto_port;
static char endpoint[64];

/* ---- moto ---- */

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    close(fd);
    return ntohs(a.sin_port);
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    hs_buf_add(ud, p, size * n);
    return size * n;
}

/* POSTs (or GETs when body is NULL) to moto; returns the HTTP status. */
static long http(const char *method, const char *path, const struct curl_slist *headers,
                 const char *body, struct hs_buf *out)
{
    char url[256];
    snprintf(url, sizeof(url), "%s%s", endpoint, path);
    CURL *c = curl_easy_init();
    long status = 0;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    return status;
}

static int start_moto(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    moto_port = free_port();
    if (moto_port <= 0)
        return -1;
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", moto_port);
    char port[16];
    snprintf(port, sizeof(port), "%d", moto_port);
    const char *bin = getenv("HOIST_MOTO_SERVER");
    char *argv[] = { (char *)(uintptr_t)(bin ? bin : "moto_server"),
                     (char *)(uintptr_t) "-H",
                     (char *)(uintptr_t) "127.0.0.1",
                     (char *)(uintptr_t) "-p",
                     port,
                     NULL };
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawnp(&moto_pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "cannot start %s: %s\n", argv[0], strerror(rc));
        moto_pid = -1;
        return -1;
    }
    for (int i = 0; i < 300; i++) { /* up to 30 s */
        struct hs_buf b;
        hs_buf_init(&b);
        long st = http("GET", "/moto-api/", NULL, NULL, &b);
        hs_buf_release(&b);
        if (st == 200)
            return 0;
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "moto_server did not answer on %s\n", endpoint);
    return -1;
}

static int stop_moto(void **state)
{
    (void)state;
    if (moto_pid > 0) {
        kill(moto_pid, SIGTERM);
        waitpid(moto_pid, NULL, 0);
        moto_pid = -1;
    }
    curl_global_cleanup();
    return 0;
}

/* ---- the aws CLI ---- */

/* Runs `aws --endpoint-url <moto> <args>` and returns its stdout (new). */
static char *aws_cli(const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd),
             "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN= "
             "AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null "
             "AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER= "
             "aws --endpoint-url %s --output json %s",
             endpoint, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    struct hs_buf b;
    hs_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
        hs_buf_add(&b, chunk, n);
    int st = pclose(p);
    if (st != 0)
        fail_msg("aws %s: exit %d", args, st);
    return hs_buf_detach(&b);
}

/* ---- raw Query calls, signed by our signer ---- */

/* Sends q's body to moto as `service`, returns the HTTP status and the
 * response body in out. */
static long query_call(const struct aws_query *q, const char *service, struct hs_buf *out)
{
    size_t len;
    const char *body = aws_query_body(q, &len);
    char host[64];
    snprintf(host, sizeof(host), "127.0.0.1:%d", moto_port);
    const struct aws_sigv4_header_in hin[] = {
        { "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" },
    };
    struct aws_sigv4_request req = {
        .method = "POST",
        .host = host,
        .path = "/",
        .query = NULL,
        .headers = hin,
        .nheaders = 1,
        .body = body,
        .body_len = len,
    };
    struct aws_credentials creds = { "testing", "testing", NULL };
    struct aws_sigv4_params p;
    aws_sigv4_params_init(&p, "us-east-1", service, hs_clock_wall(hs_clock_real()));
    struct aws_sigv4_result r;
    aws_sigv4_result_init(&r);
    struct hs_err err = { 0 };
    if (aws_sigv4_sign(NULL, &req, &creds, &p, &r, &err))
        fail_msg("sign: %s", err.msg);
    struct curl_slist *headers = NULL;
    char line[2048];
    snprintf(line, sizeof(line), "Content-Type: %s", hin[0].value);
    headers = curl_slist_append(headers, line);
    for (size_t i = 0; i < r.nheaders; i++) {
        snprintf(line, sizeof(line), "%s: %s", r.headers[i].name, r.headers[i].value);
        headers = curl_slist_append(headers, line);
    }
    long st = http("POST", "/", headers, body, out);
    curl_slist_free_all(headers);
    aws_sigv4_result_release(&r);
    return st;
}

/* ---- the test ---- */

#define LT_DATA "'{\"ImageId\":\"ami-12c6146b\",\"InstanceType\":\"t3.medium\"}'"
#define AWKWARD "a b=c/d \xc3\xa9t\xc3\xa9"

static void setup_cloud(void)
{
    char *out = aws_cli("ec2 create-launch-template --launch-template-name hoist-lt "
                        "--launch-template-data " LT_DATA);
    hs_free(out);
    out = aws_cli("autoscaling create-auto-scaling-group --auto-scaling-group-name ng-a "
                  "--launch-template LaunchTemplateName=hoist-lt,Version='$Latest' --min-size 1 "
                  "--max-size 5 --desired-capacity 2 --availability-zones us-east-1a us-east-1b "
                  "--tags Key=k8s.io/cluster-autoscaler/enabled,Value=true,PropagateAtLaunch=false "
                  "Key=k8s.io/cluster-autoscaler/my-cluster,Value=owned,PropagateAtLaunch=false "
                  "'Key=k8s.io/cluster-autoscaler/node-template/label/team,Value=" AWKWARD
                  ",PropagateAtLaunch=true'");
    hs_free(out);
    out =
        aws_cli("autoscaling create-auto-scaling-group --auto-scaling-group-name ng-b "
                "--mixed-instances-policy '{\"LaunchTemplate\":{\"LaunchTemplateSpecification\":"
                "{\"LaunchTemplateName\":\"hoist-lt\",\"Version\":\"$Latest\"},\"Overrides\":"
                "[{\"InstanceType\":\"m5.large\"},{\"InstanceType\":\"c5.large\"}]},"
                "\"InstancesDistribution\":{\"OnDemandPercentageAboveBaseCapacity\":50,"
                "\"SpotAllocationStrategy\":\"capacity-optimized\"}}' "
                "--min-size 0 --max-size 3 --desired-capacity 1 "
                "--availability-zones us-east-1c "
                "--tags Key=k8s.io/cluster-autoscaler/enabled,Value=true,PropagateAtLaunch=false");
    hs_free(out);
}

static void describe_raw(struct model_asg_list *l)
{
    struct aws_query q;
    const char *names[] = { "ng-a", "ng-b" };
    aws_query_init(&q, AWS_QUERY_AWS, "DescribeAutoScalingGroups", "2011-01-01");
    aws_query_add_list(&q, "AutoScalingGroupNames", names, 2);
    struct hs_buf xml;
    hs_buf_init(&xml);
    long st = query_call(&q, "autoscaling", &xml);
    if (st != 200)
        fail_msg("DescribeAutoScalingGroups: HTTP %ld: %s", st, xml.data);
    struct hs_err err = { 0 };
    char *token = NULL;
    if (aws_xml_describe_asgs(xml.data, xml.len, l, &token, &err))
        fail_msg("%s", err.msg);
    assert_null(token);
    hs_buf_release(&xml);
    aws_query_release(&q);
}

static void describe_cli(struct model_asg_list *l)
{
    char *json = aws_cli("autoscaling describe-auto-scaling-groups");
    struct hs_err err = { 0 };
    if (aws_cli_json_asgs(json, strlen(json), "describe-auto-scaling-groups", l, NULL, &err))
        fail_msg("%s", err.msg);
    hs_free(json);
}

static void groups_both_ways(void **state)
{
    (void)state;
    setup_cloud();
    struct model_asg_list cli, raw;
    model_asg_list_init(&cli);
    model_asg_list_init(&raw);
    describe_cli(&cli);
    describe_raw(&raw);
    mj_check_asgs_equal(&cli, &raw);

    assert_int_equal(cli.n, 2);
    const struct model_asg *a = model_asg_list_find(&cli, "ng-a");
    const struct model_asg *b = model_asg_list_find(&cli, "ng-b");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->min_size, 1);
    assert_int_equal(a->max_size, 5);
    assert_int_equal(a->desired_capacity, 2);
    assert_int_equal(a->n_zones, 2);
    assert_string_equal(a->zones[0], "us-east-1a");
    assert_string_equal(a->zones[1], "us-east-1b");
    assert_string_equal(a->launch_template.name, "hoist-lt");
    assert_string_equal(model_asg_tag_value(a, "k8s.io/cluster-autoscaler/enabled"), "true");
    assert_string_equal(model_asg_tag_value(a, "k8s.io/cluster-autoscaler/my-cluster"), "owned");
    assert_string_equal(
        model_asg_tag_value(a, "k8s.io/cluster-autoscaler/node-template/label/team"), AWKWARD);
    assert_int_equal(a->n_instances, 2);
    for (uint32_t i = 0; i < a->n_instances; i++) {
        assert_non_null(a->instances[i].id);
        assert_true(strcmp(a->instances[i].zone, "us-east-1a") == 0 ||
                    strcmp(a->instances[i].zone, "us-east-1b") == 0);
        assert_string_equal(a->instances[i].lifecycle_state, "InService");
        assert_string_equal(a->instances[i].health_status, "Healthy");
    }
    assert_true(a->created_time > 1700000000);
    assert_true(b->mixed.present);
    assert_int_equal(b->mixed.n_overrides, 2);
    assert_string_equal(b->mixed.overrides[1].instance_type, "c5.large");
    assert_string_equal(b->mixed.launch_template.name, "hoist-lt");
    assert_int_equal(b->desired_capacity, 1);
    /* moto 5 launches no instance for a mixed-instances group. */
    assert_true(b->n_instances <= 1);
    assert_int_equal(b->n_zones, 1);
    assert_string_equal(b->zones[0], "us-east-1c");
    assert_int_equal(b->mixed.distribution.on_demand_percentage_above_base_capacity, 50);
    assert_string_equal(b->mixed.distribution.spot_allocation_strategy, "capacity-optimized");
    model_asg_list_release(&cli);
    model_asg_list_release(&raw);
}

static void actions_raw(void **state)
{
    (void)state;
    struct aws_query q;
    struct hs_buf xml;
    struct hs_err err = { 0 };
    struct model_activity_list acts;
    model_activity_list_init(&acts);

    aws_query_init(&q, AWS_QUERY_AWS, "SetDesiredCapacity", "2011-01-01");
    aws_query_add(&q, "AutoScalingGroupName", "ng-a");
    aws_query_add(&q, "DesiredCapacity", "3");
    aws_query_add(&q, "HonorCooldown", "false");
    hs_buf_init(&xml);
    assert_int_equal(query_call(&q, "autoscaling", &xml), 200);
    if (aws_xml_activity_response(xml.data, xml.len, "SetDesiredCapacity", &acts, &err))
        fail_msg("%s", err.msg);
    hs_buf_release(&xml);
    aws_query_release(&q);

    struct model_asg_list l;
    model_asg_list_init(&l);
    describe_raw(&l);
    const struct model_asg *a = model_asg_list_find(&l, "ng-a");
    assert_int_equal(a->desired_capacity, 3);
    char victim[64];
    snprintf(victim, sizeof(victim), "%s", a->instances[0].id);
    model_asg_list_release(&l);

    aws_query_init(&q, AWS_QUERY_AWS, "TerminateInstanceInAutoScalingGroup", "2011-01-01");
    aws_query_add(&q, "InstanceId", victim);
    aws_query_add(&q, "ShouldDecrementDesiredCapacity", "true");
    hs_buf_init(&xml);
    assert_int_equal(query_call(&q, "autoscaling", &xml), 200);
    if (aws_xml_activity_response(xml.data, xml.len, "TerminateInstanceInAutoScalingGroup", &acts,
                                  &err))
        fail_msg("%s", err.msg);
    assert_int_equal(acts.n, 1);
    assert_non_null(acts.v[0].id);
    hs_buf_release(&xml);
    aws_query_release(&q);

    model_asg_list_init(&l);
    describe_raw(&l);
    a = model_asg_list_find(&l, "ng-a");
    assert_int_equal(a->desired_capacity, 2);
    for (uint32_t i = 0; i < a->n_instances; i++)
        if (strcmp(a->instances[i].id, victim) == 0 &&
            strcmp(a->instances[i].lifecycle_state, "InService") == 0)
            fail_msg("%s still in service", victim);
    model_asg_list_release(&l);

    /* A group without a template: moto answers with the error envelope. */
    aws_query_init(&q, AWS_QUERY_AWS, "CreateAutoScalingGroup", "2011-01-01");
    aws_query_add(&q, "AutoScalingGroupName", "ng-c");
    aws_query_add(&q, "MinSize", "1");
    aws_query_add(&q, "MaxSize", "2");
    hs_buf_init(&xml);
    long st = query_call(&q, "autoscaling", &xml);
    assert_int_equal(st, 400);
    struct aws_error_info e;
    if (aws_xml_error(xml.data, xml.len, &e, &err))
        fail_msg("%s: %s", err.msg, xml.data);
    assert_string_equal(e.code, "ValidationError");
    assert_string_equal(e.type, "Sender");
    assert_true(e.request_id[0] != '\0');
    hs_buf_release(&xml);
    aws_query_release(&q);
    model_activity_list_release(&acts);
}

static void ec2_raw(void **state)
{
    (void)state;
    struct aws_query q;
    struct hs_buf xml;
    struct hs_err err = { 0 };
    const char *types[] = { "m5.large", "g4dn.xlarge" };
    aws_query_init(&q, AWS_QUERY_EC2, "DescribeInstanceTypes", "2016-11-15");
    aws_query_add_list(&q, "InstanceType", types, 2);
    hs_buf_init(&xml);
    long st = query_call(&q, "ec2", &xml);
    if (st != 200)
        fail_msg("DescribeInstanceTypes: HTTP %ld: %s", st, xml.data);
    struct model_instance_type_list it;
    model_instance_type_list_init(&it);
    if (aws_xml_describe_instance_types(xml.data, xml.len, &it, NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(it.n, 2);
    const struct model_instance_type *m5 = model_instance_type_list_find(&it, "m5.large");
    assert_non_null(m5);
    assert_int_equal(m5->vcpu, 2);
    assert_int_equal(m5->memory_mib, 8192);
    assert_string_equal(m5->arch, "x86_64");
    const struct model_instance_type *g4 = model_instance_type_list_find(&it, "g4dn.xlarge");
    assert_non_null(g4);
    assert_int_equal(g4->vcpu, 4);
    assert_int_equal(g4->memory_mib, 16384);
    assert_int_equal(g4->max_enis, 3);
    assert_int_equal(g4->ipv4_per_eni, 10);
    assert_int_equal(g4->ephemeral_storage_gb, 125);
    model_instance_type_list_release(&it);
    hs_buf_release(&xml);
    aws_query_release(&q);

    aws_query_init(&q, AWS_QUERY_EC2, "DescribeLaunchTemplateVersions", "2016-11-15");
    aws_query_add(&q, "LaunchTemplateName", "hoist-lt");
    const char *versions[] = { "$Latest" };
    aws_query_add_list(&q, "LaunchTemplateVersion", versions, 1);
    hs_buf_init(&xml);
    st = query_call(&q, "ec2", &xml);
    if (st != 200)
        fail_msg("DescribeLaunchTemplateVersions: HTTP %ld: %s", st, xml.data);
    struct model_lt_version_list lv;
    model_lt_version_list_init(&lv);
    if (aws_xml_describe_lt_versions(xml.data, xml.len, &lv, NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(lv.n, 1);
    assert_string_equal(lv.v[0].template_name, "hoist-lt");
    assert_string_equal(lv.v[0].instance_type, "t3.medium");
    assert_string_equal(lv.v[0].image_id, "ami-12c6146b");

    /* The same through the CLI and its JSON. */
    char *json = aws_cli("ec2 describe-launch-template-versions --launch-template-name hoist-lt");
    struct model_lt_version_list lj;
    model_lt_version_list_init(&lj);
    if (aws_cli_json_lt_versions(json, strlen(json), "cli", &lj, NULL, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(lj.n, 1);
    assert_string_equal(lj.v[0].template_id, lv.v[0].template_id);
    assert_string_equal(lj.v[0].instance_type, lv.v[0].instance_type);
    assert_int_equal(lj.v[0].version_number, lv.v[0].version_number);
    assert_int_equal(lj.v[0].create_time, lv.v[0].create_time);
    hs_free(json);
    model_lt_version_list_release(&lj);
    model_lt_version_list_release(&lv);
    hs_buf_release(&xml);
    aws_query_release(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(groups_both_ways),
        cmocka_unit_test(actions_raw),
        cmocka_unit_test(ec2_raw),
    };
    return cmocka_run_group_tests_name("moto", tests, start_moto, stop_moto);
}
