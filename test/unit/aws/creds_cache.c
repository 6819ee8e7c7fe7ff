/*
 * Tests of lib/aws/creds_cache.c and creds_fetch.c over lib/http's fake
 * transport and a fake clock: each network provider's exchange as the
 * documented endpoints expect it (IMDSv2 token PUT + role + credentials,
 * the container endpoint with its Authorization token re-read from the
 * file, STS AssumeRoleWithWebIdentity unsigned with the token file re-read),
 * refresh-ahead timing, serving unexpired credentials through a failed
 * refresh with backoff, failing fast when none are usable, the JSON
 * parser's refusals, and that no secret or token reaches a log line or an
 * error message.
 */
#include "aws_harness.h"
#include "hs_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "aws/creds_cache.h"
#include "base/alloc.h"
#include "base/clock.h"
#include "http/fake.h"

#define T0 ((int64_t)1795852800 * HS_SEC) /* 2026-11-28T08:00:00Z */

struct server {
    struct fake_aws fake;
    struct hs_fake_clock *clock;
    int served;   /* credentials handed out */
    bool fail;    /* answer 500 to credential requests */
    int64_t life; /* lifetime of handed-out credentials */
    char secret[64], token[64];
};

/* "2026-11-28T09:00:00Z" of a wall time. */
static void iso(int64_t ns, char *buf, size_t n)
{
    time_t s = (time_t)(ns / HS_SEC);
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bool handle(struct fake_aws *f, const struct http_fake_request *req,
                   struct http_fake_reply *reply)
{
    struct server *s = f->user;
    const char *url = req->url;
    const char *path = strstr(url + 8, "/");
    hs_buf_clear(&f->scratch);
    reply->status = 200;
    if (strcmp(path, "/latest/api/token") == 0) {
        assert_string_equal(req->method, "PUT");
        hs_buf_adds(&f->scratch, "imds-session-token-XYZ");
    } else if (strcmp(path, "/latest/meta-data/iam/security-credentials/") == 0) {
        hs_buf_adds(&f->scratch, "node-role\n");
    } else if (strcmp(path, "/latest/meta-data/placement/region") == 0) {
        hs_buf_adds(&f->scratch, "eu-west-3");
    } else if (s->fail) {
        reply->status = 500;
        hs_buf_adds(&f->scratch, "{\"message\":\"down\"}");
    } else {
        s->served++;
        char exp[40];
        iso(hs_clock_wall(&s->clock->clock) + s->life, exp, sizeof(exp));
        snprintf(s->secret, sizeof(s->secret), "SeCrEt%03dXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
                 s->served);
        snprintf(s->token, sizeof(s->token), "ToKeN%03dYYYYYYYYYYYYYYYYYYYYYYYYYY", s->served);
        if (strcmp(req->method, "POST") == 0) /* STS */
            hs_buf_addf(&f->scratch,
                        "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>"
                        "<Credentials><AccessKeyId>ASIA%03d</AccessKeyId><SecretAccessKey>%s"
                        "</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s"
                        "</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
                        "</AssumeRoleWithWebIdentityResponse>",
                        s->served, s->secret, s->token, exp);
        else
            hs_buf_addf(&f->scratch,
                        "{\"Code\":\"Success\",\"AccessKeyId\":\"ASIA%03d\",\"SecretAccessKey\":"
                        "\"%s\",\"Token\":\"%s\",\"Expiration\":\"%s\"}",
                        s->served, s->secret, s->token, exp);
    }
    reply->body = f->scratch.data;
    reply->body_len = f->scratch.len;
    return true;
}

struct env {
    struct ev_loop *loop;
    struct hs_fake_clock clock;
    struct server srv;
    struct http_client *http;
    struct aws_creds_cache *cache;
};

static void env_up(struct env *e, struct aws_cred_plan *plan)
{
    memset(e, 0, sizeof(*e));
    e->loop = ev_loop_new(EVFLAG_AUTO);
    hs_fake_clock_init(&e->clock, T0);
    fake_aws_init(&e->srv.fake);
    e->srv.fake.handler = handle;
    e->srv.fake.user = &e->srv;
    e->srv.clock = &e->clock;
    e->srv.life = HS_HOUR;
    struct hs_err err = { 0 };
    assert_int_equal(
        http_client_new_fake(e->loop, NULL, fake_aws_serve, &e->srv.fake, &e->http, &err), HS_OK);
    struct aws_endpoint_config ec;
    memset(&ec, 0, sizeof(ec));
    struct aws_creds_cache_options o = {
        .clock = &e->clock.clock,
        .region = "eu-west-3",
        .endpoints = &ec,
        .backoff_base_ns = 10 * HS_SEC,
        .backoff_cap_ns = 80 * HS_SEC,
        .seed = 3,
    };
    assert_int_equal(aws_creds_cache_new_take(e->loop, e->http, plan, &o, &e->cache, &err), HS_OK);
}

static void env_down(struct env *e)
{
    aws_creds_cache_free(&e->cache);
    http_client_free(&e->http);
    ev_loop_destroy(e->loop);
    fake_aws_release(&e->srv.fake);
}

struct waited {
    bool done;
    enum hs_code rc;
    struct hs_err err;
};

static void on_ready(void *ctx, enum hs_code rc, const struct hs_err *err)
{
    struct waited *w = ctx;
    w->done = true;
    w->rc = rc;
    if (err)
        w->err = *err;
}

static bool waited_done(void *ctx)
{
    return ((struct waited *)ctx)->done;
}

static struct waited wait_creds(struct env *e)
{
    struct waited w = { 0 };
    struct aws_creds_waiter waiter = { 0 };
    aws_creds_cache_wait(e->cache, &waiter, on_ready, &w);
    assert_false(w.done); /* never called back from inside wait */
    run_until(e->loop, waited_done, &w, 10);
    return w;
}

static bool not_fetching(void *ctx)
{
    struct aws_creds_cache_stats st;
    aws_creds_cache_stats(ctx, &st);
    return st.state != AWS_CREDS_FETCHING && st.state != AWS_CREDS_REFRESHING;
}

static void assert_clean(const char *text, const struct server *s)
{
    assert_null(strstr(text, "SeCrEt"));
    assert_null(strstr(text, "ToKeN"));
    assert_null(strstr(text, "imds-session-token"));
    assert_null(strstr(text, "web-identity-jwt"));
    assert_null(strstr(text, "container-auth"));
    (void)s;
}

static void refresh_arithmetic(void **state)
{
    (void)state;
    /* 1 h credentials: refreshed 15 min before expiry. */
    assert_int_equal(aws_creds_refresh_at(T0, T0 + HS_HOUR, 15 * HS_MIN), T0 + 45 * HS_MIN);
    /* 15 min credentials: half their life. */
    assert_int_equal(aws_creds_refresh_at(T0, T0 + 15 * HS_MIN, 15 * HS_MIN),
                     T0 + (15 * HS_MIN) / 2);
    /* Already expired: at once. */
    assert_int_equal(aws_creds_refresh_at(T0, T0 - 1, 15 * HS_MIN), T0);
}

static void imds_refresh_ahead(void **state)
{
    (void)state;
    log_capture_start();
    struct aws_cred_plan plan;
    memset(&plan, 0, sizeof(plan));
    plan.source = AWS_CRED_IMDS;
    plan.imds_endpoint = hs_strdup("http://127.0.0.1:1338");
    plan.detail = hs_strdup("EC2 instance metadata (IMDSv2)");
    struct env e;
    env_up(&e, &plan);
    struct aws_credentials v;
    assert_false(aws_creds_cache_peek(e.cache, &v));
    struct waited w = wait_creds(&e);
    assert_int_equal(w.rc, HS_OK);
    assert_true(aws_creds_cache_peek(e.cache, &v));
    assert_string_equal(v.access_key_id, "ASIA001");
    assert_string_equal(v.secret_access_key, e.srv.secret);
    assert_string_equal(v.session_token, e.srv.token);
    /* The documented exchange: token PUT with a TTL, then GETs with it. */
    assert_int_equal(e.srv.fake.n_seen, 3);
    assert_string_equal(e.srv.fake.seen[0].url, "http://127.0.0.1:1338/latest/api/token");
    char *ttl = fake_aws_header(&e.srv.fake, 0, "x-aws-ec2-metadata-token-ttl-seconds");
    assert_string_equal(ttl, "21600");
    hs_free(ttl);
    for (size_t i = 1; i < 3; i++) {
        char *tok = fake_aws_header(&e.srv.fake, i, "x-aws-ec2-metadata-token");
        assert_string_equal(tok, "imds-session-token-XYZ");
        assert_string_equal(e.srv.fake.seen[i].method, "GET");
        hs_free(tok);
    }
    assert_string_equal(
        e.srv.fake.seen[2].url,
        "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/node-role");
    struct aws_creds_cache_stats st;
    aws_creds_cache_stats(e.cache, &st);
    assert_int_equal(st.state, AWS_CREDS_FRESH);
    assert_int_equal(st.expiration, T0 + HS_HOUR);
    assert_int_equal(st.refresh_at, T0 + 45 * HS_MIN);
    /* Not yet. */
    hs_fake_clock_advance(&e.clock, 44 * HS_MIN);
    aws_creds_cache_poll(e.cache);
    aws_creds_cache_stats(e.cache, &st);
    assert_int_equal(st.state, AWS_CREDS_FRESH);
    assert_int_equal(st.fetches, 1);
    /* Due: refreshing while the old ones keep serving. */
    hs_fake_clock_advance(&e.clock, 2 * HS_MIN);
    aws_creds_cache_poll(e.cache);
    aws_creds_cache_stats(e.cache, &st);
    assert_int_equal(st.state, AWS_CREDS_REFRESHING);
    assert_true(aws_creds_cache_peek(e.cache, &v));
    assert_string_equal(v.access_key_id, "ASIA001");
    run_until(e.loop, not_fetching, e.cache, 10);
    assert_true(aws_creds_cache_peek(e.cache, &v));
    assert_string_equal(v.access_key_id, "ASIA002");
    aws_creds_cache_stats(e.cache, &st);
    assert_int_equal(st.state, AWS_CREDS_FRESH);
    assert_int_equal(st.expiration, T0 + 46 * HS_MIN + HS_HOUR);
    assert_clean(log_captured(), &e.srv);
    assert_non_null(strstr(log_captured(), "AWS credentials fetched"));
    env_down(&e);
    log_capture_stop();
}

static void failed_refresh_keeps_serving(void **state)
{
    (void)state;
    log_capture_start();
    struct aws_cred_plan plan;
    memset(&plan, 0, sizeof(plan));
    plan.source = AWS_CRED_IMDS;
    plan.imds_endpoint = hs_strdup("http://127.0.0.1:1338");
    struct env e;
    env_up(&e, &plan);
    assert_int_equal(wait_creds(&e).rc, HS_OK);
    e.srv.fail = true;
    hs_fake_clock_advance(&e.clock, 45 * HS_MIN);
    aws_creds_cache_poll(e.cache);
    run_until(e.loop, not_fetching, e.cache, 10);
    struct aws_creds_cache_stats st;
    aws_creds_cache_stats(e.cache, &st);
    assert_int_equal(st.state, AWS_CREDS_BACKOFF);
    assert_int_equal(st.failures, 1);
    /* First backoff: within [0, 10 s]. */
    assert_true(st.refresh_at >= T0 + 45 * HS_MIN);
    assert_true(st.refresh_at <= T0 + 45 * HS_MIN + 10 * HS_SEC);
    struct aws_credentials v;
    assert_true(aws_creds_cache_peek(e.cache, &v));
    assert_string_equal(v.access_key_id, "ASIA001");
    struct waited w = wait_creds(&e); /* unexpired: ready */
    assert_int_equal(w.rc, HS_OK);
    /* Retries back off: the ceilings double (10, 20, 40, 80, 80 s). */
    int64_t ceil = 20 * HS_SEC;
    for (int i = 0; i < 4; i++) {
        int64_t now = hs_clock_wall(&e.clock.clock);
        hs_fake_clock_advance(&e.clock, st.refresh_at - now);
        aws_creds_cache_poll(e.cache);
        run_until(e.loop, not_fetching, e.cache, 10);
        aws_creds_cache_stats(e.cache, &st);
        assert_int_equal(st.failures, 2 + i);
        now = hs_clock_wall(&e.clock.clock);
        assert_true(st.refresh_at - now <= ceil);
        ceil = ceil * 2 > 80 * HS_SEC ? 80 * HS_SEC : ceil * 2;
    }
    /* Past expiry (minus the margin) nothing is served, and waiters fail
     * at once with the cause, without waiting out the backoff. */
    hs_fake_clock_advance(&e.clock, HS_HOUR);
    assert_false(aws_creds_cache_peek(e.cache, &v));
    aws_creds_cache_stats(e.cache, &st);
    if (st.state == AWS_CREDS_BACKOFF) {
        w = wait_creds(&e);
        assert_int_equal(w.rc, HS_EHTTP);
        assert_non_null(strstr(w.err.msg, "instance metadata (IMDSv2)"));
        assert_non_null(strstr(w.err.msg, "HTTP 500"));
    }
    /* Recovery. */
    e.srv.fail = false;
    aws_creds_cache_invalidate(e.cache);
    run_until(e.loop, not_fetching, e.cache, 10);
    assert_true(aws_creds_cache_peek(e.cache, &v));
    assert_string_equal(v.access_key_id, "ASIA002");
    assert_clean(log_captured(), &e.srv);
    env_down(&e);
    log_capture_stop();
}

static char tmpdir[] = "/tmp/hoist-credscache-XXXXXX";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void web_identity(void **state)
{
    (void)state;
    log_capture_start();
    char tokf[300];
    snprintf(tokf, sizeof(tokf), "%s/token", tmpdir);
    write_file(tokf, "web-identity-jwt-one\n");
    struct aws_cred_plan plan;
    memset(&plan, 0, sizeof(plan));
    plan.source = AWS_CRED_WEB_IDENTITY;
    plan.token_file = hs_strdup(tokf);
    plan.role_arn = hs_strdup("arn:aws:iam::123456789012:role/hoist");
    plan.session_name = hs_strdup("hoist-test");
    struct env e;
    env_up(&e, &plan);
    e.srv.life = 15 * HS_MIN;
    assert_int_equal(wait_creds(&e).rc, HS_OK);
    assert_int_equal(e.srv.fake.n_seen, 1);
    assert_string_equal(e.srv.fake.seen[0].url, "https://sts.eu-west-3.amazonaws.com/");
    assert_string_equal(e.srv.fake.seen[0].body,
                        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3A"
                        "iam%3A%3A123456789012%3Arole%2Fhoist&RoleSessionName=hoist-test&"
                        "WebIdentityToken=web-identity-jwt-one");
    char *auth = fake_aws_header(&e.srv.fake, 0, "authorization");
    assert_null(auth); /* unsigned */
    struct aws_creds_cache_stats st;
    aws_creds_cache_stats(e.cache, &st);
    assert_int_equal(st.refresh_at, T0 + (15 * HS_MIN) / 2);
    /* The token file is rotated by the kubelet: the next refresh reads it. */
    write_file(tokf, "web-identity-jwt-two");
    hs_fake_clock_advance(&e.clock, 8 * HS_MIN);
    aws_creds_cache_poll(e.cache);
    run_until(e.loop, not_fetching, e.cache, 10);
    assert_int_equal(e.srv.fake.n_seen, 2);
    assert_non_null(strstr(e.srv.fake.seen[1].body, "WebIdentityToken=web-identity-jwt-two"));
    struct aws_credentials v;
    assert_true(aws_creds_cache_peek(e.cache, &v));
    assert_string_equal(v.access_key_id, "ASIA002");
    /* An unreadable token file fails the fetch, naming the file only. */
    unlink(tokf);
    hs_fake_clock_advance(&e.clock, 8 * HS_MIN);
    aws_creds_cache_poll(e.cache);
    aws_creds_cache_stats(e.cache, &st);
    assert_int_equal(st.state, AWS_CREDS_BACKOFF);
    assert_non_null(strstr(log_captured(), tokf));
    assert_clean(log_captured(), &e.srv);
    env_down(&e);
    log_capture_stop();
}

static void container(void **state)
{
    (void)state;
    log_capture_start();
    char tokf[300];
    snprintf(tokf, sizeof(tokf), "%s/auth", tmpdir);
    write_file(tokf, "container-auth-1");
    struct aws_cred_plan plan;
    memset(&plan, 0, sizeof(plan));
    plan.source = AWS_CRED_CONTAINER;
    plan.url = hs_strdup("http://169.254.170.23/v1/credentials");
    plan.auth_token_file = hs_strdup(tokf);
    struct env e;
    env_up(&e, &plan);
    assert_int_equal(wait_creds(&e).rc, HS_OK);
    char *a = fake_aws_header(&e.srv.fake, 0, "authorization");
    assert_string_equal(a, "container-auth-1");
    hs_free(a);
    assert_string_equal(e.srv.fake.seen[0].url, "http://169.254.170.23/v1/credentials");
    write_file(tokf, "container-auth-2\n");
    hs_fake_clock_advance(&e.clock, 46 * HS_MIN);
    aws_creds_cache_poll(e.cache);
    run_until(e.loop, not_fetching, e.cache, 10);
    a = fake_aws_header(&e.srv.fake, 1, "authorization");
    assert_string_equal(a, "container-auth-2");
    hs_free(a);
    assert_clean(log_captured(), &e.srv);
    env_down(&e);
    log_capture_stop();
}

static void first_fetch_fails_fast(void **state)
{
    (void)state;
    struct aws_cred_plan plan;
    memset(&plan, 0, sizeof(plan));
    plan.source = AWS_CRED_CONTAINER;
    plan.url = hs_strdup("http://127.0.0.1:9/creds");
    struct env e;
    env_up(&e, &plan);
    e.srv.fail = true;
    struct waited w = wait_creds(&e);
    assert_int_equal(w.rc, HS_EHTTP);
    assert_string_equal(w.err.msg,
                        "container credentials endpoint: GET http://127.0.0.1:9/creds: HTTP 500");
    /* A second waiter during the backoff hears the same at once. */
    w = wait_creds(&e);
    assert_int_equal(w.rc, HS_EHTTP);
    assert_int_equal(e.srv.fake.n_seen, 1);
    env_down(&e);
}

/* Credentials that live shorter than the expiry margin are still used (a
 * quarter of their life is the margin then), and credentials that arrive
 * already expired are a failure, not a reason to fetch again at once. */
static void short_and_expired_lifetimes(void **state)
{
    (void)state;
    struct aws_cred_plan plan;
    memset(&plan, 0, sizeof(plan));
    plan.source = AWS_CRED_IMDS;
    plan.imds_endpoint = hs_strdup("http://127.0.0.1:1338");
    struct env e;
    env_up(&e, &plan);
    e.srv.life = 20 * HS_SEC;
    assert_int_equal(wait_creds(&e).rc, HS_OK);
    struct aws_credentials v;
    assert_true(aws_creds_cache_peek(e.cache, &v));
    hs_fake_clock_advance(&e.clock, 14 * HS_SEC);
    assert_true(aws_creds_cache_peek(e.cache, &v));
    hs_fake_clock_advance(&e.clock, 2 * HS_SEC); /* past expiry - life / 4 */
    assert_false(aws_creds_cache_peek(e.cache, &v));
    env_down(&e);

    memset(&plan, 0, sizeof(plan));
    plan.source = AWS_CRED_IMDS;
    plan.imds_endpoint = hs_strdup("http://127.0.0.1:1338");
    env_up(&e, &plan);
    e.srv.life = -10 * HS_SEC;
    struct waited w = wait_creds(&e);
    assert_int_equal(w.rc, HS_EAUTH);
    assert_non_null(strstr(w.err.msg, "the credentials fetched expired at"));
    assert_int_equal(e.srv.served, 1);
    env_down(&e);
}

static void parse_json(void **state)
{
    (void)state;
    struct aws_creds c;
    struct hs_err err = { 0 };
    const char *ok = "{\"Code\":\"Success\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"SeCrEt\","
                     "\"Token\":\"ToKeN\",\"Expiration\":\"2026-11-28T09:00:00Z\"}";
    assert_int_equal(aws_creds_parse_json(ok, strlen(ok), "x", &c, &err), HS_OK);
    assert_int_equal(c.expiration, T0 + HS_HOUR);
    aws_creds_release(&c);
    const char *longterm = "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\"}";
    assert_int_equal(aws_creds_parse_json(longterm, strlen(longterm), "x", &c, &err), HS_OK);
    assert_int_equal(c.expiration, 0);
    assert_null(c.session_token);
    aws_creds_release(&c);
    const struct {
        const char *body;
        enum hs_code rc;
        const char *msg;
    } bad[] = {
        { "{\"Code\":\"Failed\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"SeCrEt\"}", HS_EAUTH,
          "x: the response's Code is \"Failed\", not \"Success\"" },
        { "{\"AccessKeyId\":\"A\"}", HS_EPARSE, "x: the response has no SecretAccessKey" },
        { "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"SeCrEt\",\"Token\":\"ToKeN\"}", HS_EPARSE,
          "x: temporary credentials without an Expiration" },
        { "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"SeCrEt\",\"Token\":\"ToKeN\","
          "\"Expiration\":\"soon\"}",
          HS_EPARSE, "x: Expiration is not an ISO 8601 time" },
        { "[\"SeCrEt\"]", HS_EPARSE, "x: the response is not a JSON object" },
        { "{\"SecretAccessKey\": SeCrEt}", HS_EPARSE, "x: the response is not JSON (line 1)" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        hs_err_clear(&err);
        assert_int_equal(aws_creds_parse_json(bad[i].body, strlen(bad[i].body), "x", &c, &err),
                         bad[i].rc);
        assert_string_equal(err.msg, bad[i].msg);
        assert_null(c.access_key_id);
    }
}

struct region_result {
    bool done;
    enum hs_code rc;
    char body[64];
};

static void on_region(void *ctx, enum hs_code rc, const char *body, size_t len,
                      const struct hs_err *err)
{
    (void)err;
    struct region_result *r = ctx;
    r->done = true;
    r->rc = rc;
    snprintf(r->body, sizeof(r->body), "%.*s", (int)len, body);
}

static bool region_done(void *ctx)
{
    return ((struct region_result *)ctx)->done;
}

static void imds_region(void **state)
{
    (void)state;
    struct aws_cred_plan plan;
    memset(&plan, 0, sizeof(plan));
    plan.source = AWS_CRED_IMDS;
    struct env e;
    env_up(&e, &plan);
    struct region_result r = { 0 };
    struct hs_err err = { 0 };
    assert_int_equal(aws_imds_get(e.http, "http://127.0.0.1:1338/",
                                  "/latest/meta-data/placement/region", 0, on_region, &r, NULL,
                                  &err),
                     HS_OK);
    run_until(e.loop, region_done, &r, 10);
    assert_int_equal(r.rc, HS_OK);
    assert_string_equal(r.body, "eu-west-3");
    assert_string_equal(e.srv.fake.seen[0].method, "PUT");
    struct aws_env env;
    memset(&env, 0, sizeof(env));
    char *ep = aws_imds_endpoint(&env);
    assert_string_equal(ep, "http://169.254.169.254");
    hs_free(ep);
    env.imds_endpoint = "http://[fd00:ec2::254]/";
    ep = aws_imds_endpoint(&env);
    assert_string_equal(ep, "http://[fd00:ec2::254]");
    hs_free(ep);
    env.imds_disabled = "TRUE";
    assert_null(aws_imds_endpoint(&env));
    env_down(&e);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refresh_arithmetic),
        cmocka_unit_test(imds_refresh_ahead),
        cmocka_unit_test(failed_refresh_keeps_serving),
        cmocka_unit_test(web_identity),
        cmocka_unit_test(container),
        cmocka_unit_test(first_fetch_fails_fast),
        cmocka_unit_test(short_and_expired_lifetimes),
        cmocka_unit_test(parse_json),
        cmocka_unit_test(imds_region),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
