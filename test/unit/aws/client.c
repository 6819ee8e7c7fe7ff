/*
 * Tests of lib/aws/client.c and ops.c through lib/http's fake transport:
 * what goes on the wire (signed at the pinned clock, Host, body), how
 * answers are judged (error envelopes of both shapes, the one-line error),
 * the standard retry mode (throttling and 5xx retried then recovered,
 * HS_ETHROTTLED when throttling outlasts the attempts, the quota stopping a
 * storm, AWS_MAX_ATTEMPTS, no retry of a termination that may have run),
 * clock-skew correction, paging and name batches, the instance-type cache,
 * and that no secret, token or signature reaches a log line.
 */
#include "aws_harness.h"
#include "hs_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "aws/client.h"
#include "aws/creds_cache.h"
#include "aws/ops.h"
#include "base/alloc.h"
#include "base/clock.h"
#include "http/fake.h"
#include "model/asg.h"

#define AKID   "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN  "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENVALUE0123456789"
/* 2026-11-28T08:00:00Z */
#define T0 ((int64_t)1795852800 * HS_SEC)

static const char asgs_ok[] =
    "<DescribeAutoScalingGroupsResponse xmlns=\"http://autoscaling.amazonaws.com/doc/"
    "2011-01-01/\"><DescribeAutoScalingGroupsResult><AutoScalingGroups><member>"
    "<AutoScalingGroupName>ng-a</AutoScalingGroupName><MinSize>1</MinSize><MaxSize>5</MaxSize>"
    "<DesiredCapacity>2</DesiredCapacity><AvailabilityZones><member>us-east-1a</member>"
    "</AvailabilityZones><Instances/><Tags/></member></AutoScalingGroups>"
    "</DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>r-1</RequestId>"
    "</ResponseMetadata></DescribeAutoScalingGroupsResponse>";

static const char access_denied[] =
    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: "
    "arn:aws:iam::123456789012:user/hoist is not authorized to perform: "
    "autoscaling:SetDesiredCapacity</Message></Error><RequestId>req-403</RequestId>"
    "</ErrorResponse>";

static const char internal[] = "<ErrorResponse><Error><Code>InternalFailure</Code><Message>"
                               "oops</Message></Error><RequestId>r-500</RequestId>"
                               "</ErrorResponse>";

static char *throttling_xml, *limit_xml;

struct env {
    struct ev_loop *loop;
    struct hs_fake_clock clock;
    struct fake_aws fake;
    struct http_client *http;
    struct aws_creds_cache *creds;
    struct aws_client *client;
};

struct done {
    bool done;
    enum hs_code rc;
    struct hs_err err;
};

static bool is_done(void *ctx)
{
    return ((struct done *)ctx)->done;
}

static void op_done(void *ctx, enum hs_code rc, const struct hs_err *err)
{
    struct done *d = ctx;
    d->done = true;
    d->rc = rc;
    if (err)
        d->err = *err;
}

static void env_up(struct env *e, const struct aws_client_options *extra)
{
    memset(e, 0, sizeof(*e));
    e->loop = ev_loop_new(EVFLAG_AUTO);
    hs_fake_clock_init(&e->clock, T0);
    fake_aws_init(&e->fake);
    struct hs_err err = { 0 };
    assert_int_equal(http_client_new_fake(e->loop, NULL, fake_aws_serve, &e->fake, &e->http, &err),
                     HS_OK);
    struct aws_cred_plan plan;
    memset(&plan, 0, sizeof(plan));
    plan.source = AWS_CRED_ENV;
    plan.creds.access_key_id = hs_strdup(AKID);
    plan.creds.secret_access_key = hs_strdup(SECRET);
    plan.creds.session_token = hs_strdup(TOKEN);
    struct aws_creds_cache_options co = { .clock = &e->clock.clock };
    assert_int_equal(aws_creds_cache_new_take(e->loop, e->http, &plan, &co, &e->creds, &err),
                     HS_OK);
    struct aws_endpoint_config ec;
    memset(&ec, 0, sizeof(ec));
    struct aws_client_options o = { 0 };
    if (extra)
        o = *extra;
    o.region = "us-east-1";
    o.clock = &e->clock.clock;
    o.endpoints = &ec;
    if (!o.backoff_base_ns)
        o.backoff_base_ns = HS_MSEC; /* keep retries quick; bounds are retry.c's tests */
    o.seed = 1;
    assert_int_equal(aws_client_new(e->loop, e->http, e->creds, &o, &e->client, &err), HS_OK);
}

static void env_down(struct env *e)
{
    aws_client_free(&e->client);
    aws_creds_cache_free(&e->creds);
    http_client_free(&e->http);
    ev_loop_destroy(e->loop);
    fake_aws_release(&e->fake);
}

static struct done describe(struct env *e, struct model_asg_list *l)
{
    struct done d = { 0 };
    const char *names[] = { "ng-a" };
    struct aws_asg_query q = { .names = names, .n_names = 1 };
    struct hs_err err = { 0 };
    assert_int_equal(aws_describe_asgs(e->client, &q, l, op_done, &d, NULL, &err), HS_OK);
    run_until(e->loop, is_done, &d, 10);
    return d;
}

static void assert_no_secret(const char *text, const char *signature)
{
    assert_null(strstr(text, SECRET));
    assert_null(strstr(text, TOKEN));
    if (signature && *signature)
        assert_null(strstr(text, signature));
}

/* ---- tests ---- */

static void signed_call_on_the_wire(void **state)
{
    (void)state;
    log_capture_start();
    struct env e;
    env_up(&e, NULL);
    fake_aws_push(&e.fake, 200, asgs_ok);
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct done d = describe(&e, &l);
    assert_int_equal(d.rc, HS_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].name, "ng-a");
    assert_int_equal(e.fake.n_seen, 1);
    assert_string_equal(e.fake.seen[0].method, "POST");
    assert_string_equal(e.fake.seen[0].url, "https://autoscaling.us-east-1.amazonaws.com/");
    assert_string_equal(e.fake.seen[0].body, "Action=DescribeAutoScalingGroups&Version=2011-01-01&"
                                             "AutoScalingGroupNames.member.1=ng-a&MaxRecords=100");
    char *host = fake_aws_header(&e.fake, 0, "host");
    char *date = fake_aws_header(&e.fake, 0, "x-amz-date");
    char *tok = fake_aws_header(&e.fake, 0, "x-amz-security-token");
    char *auth = fake_aws_header(&e.fake, 0, "authorization");
    assert_string_equal(host, "autoscaling.us-east-1.amazonaws.com");
    assert_string_equal(date, "20261128T080000Z");
    assert_string_equal(tok, TOKEN);
    assert_non_null(auth);
    assert_non_null(
        strstr(auth, "Credential=" AKID "/20261128/us-east-1/autoscaling/aws4_request"));
    assert_non_null(
        strstr(auth, "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token"));
    const char *sig = strstr(auth, "Signature=");
    assert_non_null(sig);
    sig += 10;
    assert_int_equal(strlen(sig), 64);

    /* An error with the signature's help: still no secret anywhere. */
    fake_aws_push(&e.fake, 403, access_denied);
    struct done d2 = { 0 };
    struct hs_err err = { 0 };
    assert_int_equal(aws_set_desired_capacity(e.client, "ng-a", 3, op_done, &d2, NULL, &err),
                     HS_OK);
    run_until(e.loop, is_done, &d2, 10);
    assert_int_equal(d2.rc, HS_EAWS);
    assert_int_equal(d2.err.http_status, 403);
    assert_string_equal(d2.err.msg, "SetDesiredCapacity: HTTP 403 AccessDenied: User: "
                                    "arn:aws:iam::123456789012:user/hoist is not authorized to "
                                    "perform: autoscaling:SetDesiredCapacity (request id req-403)");
    assert_string_equal(e.fake.seen[1].body,
                        "Action=SetDesiredCapacity&Version=2011-01-01&AutoScalingGroupName=ng-a&"
                        "DesiredCapacity=3&HonorCooldown=false");
    const char *logs = log_captured();
    assert_non_null(strstr(logs, "SetDesiredCapacity")); /* the capture works */
    assert_no_secret(logs, sig);
    assert_no_secret(d2.err.msg, sig);
    hs_free(host);
    hs_free(date);
    hs_free(tok);
    hs_free(auth);
    model_asg_list_release(&l);
    env_down(&e);
    log_capture_stop();
}

static void throttling_then_success(void **state)
{
    (void)state;
    struct env e;
    env_up(&e, NULL);
    fake_aws_push(&e.fake, 400, throttling_xml);
    fake_aws_push(&e.fake, 503, internal);
    fake_aws_push(&e.fake, 200, asgs_ok);
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct done d = describe(&e, &l);
    assert_int_equal(d.rc, HS_OK);
    assert_int_equal(l.n, 1);
    struct aws_client_stats st;
    aws_client_stats(e.client, &st);
    assert_int_equal(st.attempts, 3);
    assert_int_equal(st.retries, 2);
    assert_int_equal(st.throttled, 1);
    /* 500 - 5 - 5 + 5 (refund of the last retry's cost) */
    assert_int_equal(st.quota_available, 495);
    assert_int_equal(st.in_flight, 0);
    model_asg_list_release(&l);
    env_down(&e);
}

static void throttled_to_the_end(void **state)
{
    (void)state;
    struct env e;
    env_up(&e, NULL);
    for (int i = 0; i < 3; i++)
        fake_aws_push(&e.fake, 400, throttling_xml);
    struct done d = { 0 };
    struct hs_err err = { 0 };
    assert_int_equal(aws_set_desired_capacity(e.client, "ng-a", 5, op_done, &d, NULL, &err), HS_OK);
    run_until(e.loop, is_done, &d, 10);
    assert_int_equal(d.rc, HS_ETHROTTLED);
    assert_int_equal(d.err.http_status, 400);
    assert_string_equal(d.err.msg, "SetDesiredCapacity: HTTP 400 Throttling: Rate exceeded "
                                   "(request id 7a62c49f-347e-4fc4-9331-6e8eEXAMPLE) after 3 "
                                   "attempts");
    assert_int_equal(e.fake.n_seen, 3);
    /* EC2's RequestLimitExceeded comes as 503. */
    for (int i = 0; i < 3; i++)
        fake_aws_push(&e.fake, 503, limit_xml);
    struct model_instance_type_list types;
    model_instance_type_list_init(&types);
    const char *names[] = { "m5.large" };
    struct done d2 = { 0 };
    assert_int_equal(
        aws_describe_instance_types(e.client, names, 1, &types, op_done, &d2, NULL, &err), HS_OK);
    run_until(e.loop, is_done, &d2, 10);
    assert_int_equal(d2.rc, HS_ETHROTTLED);
    assert_non_null(strstr(d2.err.msg, "DescribeInstanceTypes: HTTP 503 RequestLimitExceeded"));
    model_instance_type_list_release(&types);
    env_down(&e);
}

static void max_attempts_from_env(void **state)
{
    (void)state;
    setenv("AWS_MAX_ATTEMPTS", "5", 1);
    struct env e;
    env_up(&e, NULL);
    unsetenv("AWS_MAX_ATTEMPTS");
    for (int i = 0; i < 6; i++)
        fake_aws_push(&e.fake, 500, internal);
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct done d = describe(&e, &l);
    assert_int_equal(d.rc, HS_EAWS);
    assert_int_equal(e.fake.n_seen, 5);
    assert_non_null(strstr(d.err.msg, "HTTP 500 InternalFailure: oops"));
    assert_non_null(strstr(d.err.msg, "after 5 attempts"));
    model_asg_list_release(&l);
    env_down(&e);
    /* A bad value is refused when the client is made. */
    setenv("AWS_MAX_ATTEMPTS", "zero", 1);
    struct aws_client *c = NULL;
    struct hs_err err = { 0 };
    struct aws_client_options o = { .region = "us-east-1" };
    assert_int_equal(aws_client_new(NULL, NULL, NULL, &o, &c, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "AWS_MAX_ATTEMPTS"));
    unsetenv("AWS_MAX_ATTEMPTS");
}

/* With a small quota, a 5xx storm stops costing retries once it is spent;
 * a success refills it. */
static void quota_stops_a_storm(void **state)
{
    (void)state;
    struct aws_client_options o = { .retry_quota = 12 };
    struct env e;
    env_up(&e, &o);
    for (int i = 0; i < 10; i++)
        fake_aws_push(&e.fake, 503, internal);
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct done d = describe(&e, &l); /* 3 attempts: quota 12 -> 2 */
    assert_int_equal(d.rc, HS_EAWS);
    assert_int_equal(e.fake.n_seen, 3);
    d = describe(&e, &l); /* 2 tokens cannot pay a retry: 1 attempt */
    assert_int_equal(d.rc, HS_EAWS);
    assert_int_equal(e.fake.n_seen, 4);
    assert_null(strstr(d.err.msg, "after"));
    struct aws_client_stats st;
    aws_client_stats(e.client, &st);
    assert_int_equal(st.quota_available, 2);
    assert_int_equal(st.quota_refusals, 1);
    e.fake.next = e.fake.n_script; /* end of the storm */
    e.fake.n_script = e.fake.next;
    fake_aws_push(&e.fake, 200, asgs_ok);
    d = describe(&e, &l);
    assert_int_equal(d.rc, HS_OK);
    aws_client_stats(e.client, &st);
    assert_int_equal(st.quota_available, 3);
    model_asg_list_release(&l);
    env_down(&e);
}

static const char terminate_ok[] =
    "<TerminateInstanceInAutoScalingGroupResponse xmlns=\"http://autoscaling.amazonaws.com/doc/"
    "2011-01-01/\"><TerminateInstanceInAutoScalingGroupResult><Activity><ActivityId>a-1"
    "</ActivityId><AutoScalingGroupName>ng-a</AutoScalingGroupName><Description>Terminating "
    "EC2 instance: i-1</Description><Cause>c</Cause><StartTime>2026-11-28T08:00:00Z</StartTime>"
    "<StatusCode>InProgress</StatusCode><Progress>0</Progress></Activity>"
    "</TerminateInstanceInAutoScalingGroupResult><ResponseMetadata><RequestId>r</RequestId>"
    "</ResponseMetadata></TerminateInstanceInAutoScalingGroupResponse>";

/* A termination that may have run is never sent twice; throttled and
 * refused ones (which did not run) are. */
static void terminate_not_repeated(void **state)
{
    (void)state;
    struct env e;
    env_up(&e, NULL);
    struct model_activity_list acts;
    model_activity_list_init(&acts);
    struct hs_err err = { 0 };
    fake_aws_push_rc(&e.fake, HS_ETIMEDOUT);
    fake_aws_push(&e.fake, 200, terminate_ok);
    struct done d = { 0 };
    assert_int_equal(aws_terminate_instance(e.client, "i-1", &acts, op_done, &d, NULL, &err),
                     HS_OK);
    run_until(e.loop, is_done, &d, 10);
    assert_int_equal(d.rc, HS_ETIMEDOUT);
    assert_int_equal(e.fake.n_seen, 1);
    e.fake.next = e.fake.n_script = 0;
    fake_aws_push(&e.fake, 500, internal);
    struct done d1 = { 0 };
    assert_int_equal(aws_terminate_instance(e.client, "i-1", &acts, op_done, &d1, NULL, &err),
                     HS_OK);
    run_until(e.loop, is_done, &d1, 10);
    assert_int_equal(d1.rc, HS_EAWS);
    assert_int_equal(e.fake.n_seen, 2);
    /* Throttled, then refused, then done. */
    e.fake.next = e.fake.n_script = 0;
    fake_aws_push(&e.fake, 400, throttling_xml);
    fake_aws_push_rc(&e.fake, HS_ECONNECT);
    fake_aws_push(&e.fake, 200, terminate_ok);
    struct done d2 = { 0 };
    assert_int_equal(aws_terminate_instance(e.client, "i-1", &acts, op_done, &d2, NULL, &err),
                     HS_OK);
    run_until(e.loop, is_done, &d2, 10);
    assert_int_equal(d2.rc, HS_OK);
    assert_int_equal(e.fake.n_seen, 5);
    assert_string_equal(e.fake.seen[4].body,
                        "Action=TerminateInstanceInAutoScalingGroup&Version=2011-01-01&"
                        "InstanceId=i-1&ShouldDecrementDesiredCapacity=true");
    assert_int_equal(acts.n, 1);
    assert_string_equal(acts.v[0].status_code, "InProgress");
    model_activity_list_release(&acts);
    env_down(&e);
}

static const char skewed[] = "<ErrorResponse><Error><Type>Sender</Type><Code>"
                             "RequestTimeTooSkewed</Code><Message>The difference between the "
                             "request time and the current time is too large.</Message></Error>"
                             "<RequestId>r-skew</RequestId></ErrorResponse>";

static const char bad_sig[] = "<ErrorResponse><Error><Type>Sender</Type><Code>"
                              "SignatureDoesNotMatch</Code><Message>The request signature we "
                              "calculated does not match the signature you provided.</Message>"
                              "</Error><RequestId>r-sig</RequestId></ErrorResponse>";

static void clock_skew_corrected(void **state)
{
    (void)state;
    struct env e;
    env_up(&e, NULL);
    /* The service is one hour ahead of us. */
    fake_aws_push(&e.fake, 403, skewed);
    e.fake.script[0].date = "Sat, 28 Nov 2026 09:00:00 GMT";
    fake_aws_push(&e.fake, 200, asgs_ok);
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct done d = describe(&e, &l);
    assert_int_equal(d.rc, HS_OK);
    char *d0 = fake_aws_header(&e.fake, 0, "x-amz-date");
    char *d1 = fake_aws_header(&e.fake, 1, "x-amz-date");
    assert_string_equal(d0, "20261128T080000Z");
    assert_string_equal(d1, "20261128T090000Z");
    struct aws_client_stats st;
    aws_client_stats(e.client, &st);
    assert_int_equal(st.skew_corrections, 1);
    assert_int_equal(st.skew_ns, HS_HOUR);
    assert_int_equal(st.quota_available, 500); /* not a retry the quota pays */
    /* The offset stays for later calls. */
    fake_aws_push(&e.fake, 200, asgs_ok);
    d = describe(&e, &l);
    char *d2 = fake_aws_header(&e.fake, 2, "x-amz-date");
    assert_string_equal(d2, "20261128T090000Z");
    /* A signature mismatch whose Date agrees with ours is a real error:
     * reported at once, no retry. */
    hs_free(d0);
    hs_free(d1);
    hs_free(d2);
    env_down(&e);
    model_asg_list_release(&l);
    model_asg_list_init(&l);
    env_up(&e, NULL);
    fake_aws_push(&e.fake, 403, bad_sig);
    e.fake.script[0].date = "Sat, 28 Nov 2026 08:01:00 GMT";
    d = describe(&e, &l);
    assert_int_equal(d.rc, HS_EAWS);
    assert_int_equal(e.fake.n_seen, 1);
    assert_string_equal(d.err.msg, "DescribeAutoScalingGroups: HTTP 403 SignatureDoesNotMatch: "
                                   "The request signature we calculated does not match the "
                                   "signature you provided. (request id r-sig)");
    model_asg_list_release(&l);
    env_down(&e);
}

static void transport_errors(void **state)
{
    (void)state;
    struct env e;
    env_up(&e, NULL);
    fake_aws_push_rc(&e.fake, HS_ECONNECT);
    fake_aws_push_rc(&e.fake, HS_ECONNECT);
    fake_aws_push_rc(&e.fake, HS_ECONNECT);
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct done d = describe(&e, &l);
    assert_int_equal(d.rc, HS_ECONNECT);
    assert_int_equal(e.fake.n_seen, 3);
    assert_non_null(strstr(d.err.msg, "DescribeAutoScalingGroups: "));
    assert_non_null(strstr(d.err.msg, "after 3 attempts"));
    /* A non-2xx answer without an envelope is HS_EHTTP naming the status. */
    fake_aws_push(&e.fake, 404, "not here");
    d = describe(&e, &l);
    assert_int_equal(d.rc, HS_EHTTP);
    assert_non_null(strstr(d.err.msg, "HTTP 404"));
    /* A 200 with garbage is a decode error naming the action. */
    fake_aws_push(&e.fake, 200, "<oops");
    d = describe(&e, &l);
    assert_int_equal(d.rc, HS_EPARSE);
    assert_non_null(strstr(d.err.msg, "DescribeAutoScalingGroups"));
    model_asg_list_release(&l);
    env_down(&e);
}

/* ---- paging ---- */

/* Answers DescribeAutoScalingGroups with one group per name asked, in pages
 * of 40 with a NextToken, and checks no call names more than 100 groups. */
static bool asg_pages(struct fake_aws *f, const struct http_fake_request *req,
                      struct http_fake_reply *reply)
{
    (void)req;
    const char *body = f->seen[f->n_seen - 1].body; /* the NUL-terminated copy */
    assert_null(strstr(body, "AutoScalingGroupNames.member.101="));
    int first = 1, count = 0;
    const char *tok = strstr(body, "NextToken=");
    if (tok)
        first = atoi(tok + 10);
    while (1) {
        char key[64];
        snprintf(key, sizeof(key), "AutoScalingGroupNames.member.%d=", count + 1);
        if (!strstr(body, key))
            break;
        count++;
    }
    hs_buf_clear(&f->scratch);
    hs_buf_adds(&f->scratch, "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult>"
                             "<AutoScalingGroups>");
    int last = first + 39 < count ? first + 39 : count;
    for (int i = first; i <= last; i++) {
        char key[64];
        snprintf(key, sizeof(key), "AutoScalingGroupNames.member.%d=", i);
        const char *v = strstr(body, key) + strlen(key);
        size_t n = strcspn(v, "&");
        hs_buf_addf(&f->scratch,
                    "<member><AutoScalingGroupName>%.*s</AutoScalingGroupName><MinSize>0</MinSize>"
                    "<MaxSize>1</MaxSize><DesiredCapacity>0</DesiredCapacity></member>",
                    (int)n, v);
    }
    hs_buf_adds(&f->scratch, "</AutoScalingGroups>");
    if (last < count)
        hs_buf_addf(&f->scratch, "<NextToken>%d</NextToken>", last + 1);
    hs_buf_adds(&f->scratch,
                "</DescribeAutoScalingGroupsResult></DescribeAutoScalingGroupsResponse>");
    reply->status = 200;
    reply->body = f->scratch.data;
    reply->body_len = f->scratch.len;
    return true;
}

static void pages_and_batches(void **state)
{
    (void)state;
    struct env e;
    env_up(&e, NULL);
    e.fake.handler = asg_pages;
    enum { N = 250 };
    char *names[N];
    for (int i = 0; i < N; i++) {
        char n[32];
        snprintf(n, sizeof(n), "ng-%03d", i);
        names[i] = hs_strdup(n);
    }
    const struct aws_tag_filter filters[] = {
        { "k8s.io/cluster-autoscaler/enabled", NULL },
        { "k8s.io/cluster-autoscaler/my cluster", "owned = yes/é" },
    };
    struct aws_asg_query q = { (const char *const *)names, N, filters, 2 };
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct done d = { 0 };
    struct hs_err err = { 0 };
    assert_int_equal(aws_describe_asgs(e.client, &q, &l, op_done, &d, NULL, &err), HS_OK);
    run_until(e.loop, is_done, &d, 10);
    assert_int_equal(d.rc, HS_OK);
    assert_int_equal(l.n, N);
    for (int i = 0; i < N; i++)
        assert_string_equal(l.v[i].name, names[i]);
    /* 100 + 100 + 50 names, 3 + 3 + 2 pages. */
    assert_int_equal(e.fake.n_seen, 8);
    const char *b = e.fake.seen[0].body;
    assert_non_null(strstr(b, "Filters.member.1.Name=tag-key&Filters.member.1.Values.member.1="
                              "k8s.io%2Fcluster-autoscaler%2Fenabled"));
    assert_non_null(strstr(b, "Filters.member.2.Name=tag%3Ak8s.io%2Fcluster-autoscaler%2Fmy+"
                              "cluster&Filters.member.2.Values.member.1=owned+%3D+yes%2F%C3%A9"));
    for (int i = 0; i < N; i++)
        hs_free(names[i]);
    model_asg_list_release(&l);
    env_down(&e);
}

static const char types_xml[] =
    "<DescribeInstanceTypesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
    "<requestId>r</requestId><instanceTypeSet><item><instanceType>m5.large</instanceType>"
    "<vCpuInfo><defaultVCpus>2</defaultVCpus></vCpuInfo><memoryInfo><sizeInMiB>8192</sizeInMiB>"
    "</memoryInfo></item><item><instanceType>c5.xlarge</instanceType><vCpuInfo><defaultVCpus>4"
    "</defaultVCpus></vCpuInfo><memoryInfo><sizeInMiB>8192</sizeInMiB></memoryInfo></item>"
    "</instanceTypeSet></DescribeInstanceTypesResponse>";

static void instance_types_cached(void **state)
{
    (void)state;
    struct env e;
    env_up(&e, NULL);
    fake_aws_push(&e.fake, 200, types_xml);
    const char *names[] = { "m5.large", "c5.xlarge", "m5.large" };
    struct model_instance_type_list t;
    model_instance_type_list_init(&t);
    struct done d = { 0 };
    struct hs_err err = { 0 };
    assert_int_equal(aws_describe_instance_types(e.client, names, 3, &t, op_done, &d, NULL, &err),
                     HS_OK);
    run_until(e.loop, is_done, &d, 10);
    assert_int_equal(d.rc, HS_OK);
    assert_int_equal(t.n, 2);
    assert_string_equal(e.fake.seen[0].url, "https://ec2.us-east-1.amazonaws.com/");
    assert_string_equal(e.fake.seen[0].body, "Action=DescribeInstanceTypes&Version=2016-11-15&"
                                             "InstanceType.1=m5.large&InstanceType.2=c5.xlarge");
    /* Again: from the cache, no request, still called back later. */
    struct model_instance_type_list t2;
    model_instance_type_list_init(&t2);
    struct done d2 = { 0 };
    const char *one[] = { "c5.xlarge" };
    assert_int_equal(aws_describe_instance_types(e.client, one, 1, &t2, op_done, &d2, NULL, &err),
                     HS_OK);
    assert_false(d2.done);
    run_until(e.loop, is_done, &d2, 10);
    assert_int_equal(d2.rc, HS_OK);
    assert_int_equal(t2.n, 1);
    assert_int_equal(t2.v[0].vcpu, 4);
    assert_int_equal(e.fake.n_seen, 1);
    model_instance_type_list_release(&t);
    model_instance_type_list_release(&t2);
    env_down(&e);
}

/* Freeing the client with calls in flight cancels them, each once. */
static void free_cancels(void **state)
{
    (void)state;
    struct env e;
    env_up(&e, NULL);
    fake_aws_push(&e.fake, 200, asgs_ok);
    e.fake.script[0].never = true;
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct done d = { 0 };
    struct hs_err err = { 0 };
    struct aws_asg_query q = { 0 };
    assert_int_equal(aws_describe_asgs(e.client, &q, &l, op_done, &d, NULL, &err), HS_OK);
    ev_run(e.loop, EVRUN_NOWAIT);
    aws_client_free(&e.client);
    assert_true(d.done);
    assert_int_equal(d.rc, HS_ECANCELED);
    model_asg_list_release(&l);
    env_down(&e);
}

static int setup(void **state)
{
    (void)state;
    throttling_xml = testdata_read("aws/synthesized-query-xml/errors/autoscaling-Throttling-"
                                   "COMPOSED.xml");
    limit_xml = testdata_read("aws/synthesized-query-xml/errors/ec2-RequestLimitExceeded-"
                              "COMPOSED.xml");
    unsetenv("AWS_MAX_ATTEMPTS");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hs_free(throttling_xml);
    hs_free(limit_xml);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signed_call_on_the_wire),
        cmocka_unit_test(throttling_then_success),
        cmocka_unit_test(throttled_to_the_end),
        cmocka_unit_test(max_attempts_from_env),
        cmocka_unit_test(quota_stops_a_storm),
        cmocka_unit_test(terminate_not_repeated),
        cmocka_unit_test(clock_skew_corrected),
        cmocka_unit_test(transport_errors),
        cmocka_unit_test(pages_and_batches),
        cmocka_unit_test(instance_types_cached),
        cmocka_unit_test(free_cancels),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
