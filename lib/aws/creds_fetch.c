/*
 * The network credential providers, one HTTP exchange at a time on the
 * loop: STS AssumeRoleWithWebIdentity (unsigned Query POST), the container
 * credentials endpoint (EKS Pod Identity, ECS), and IMDSv2 (token PUT, role
 * name, role credentials). Also a single IMDSv2 GET (the region) and the
 * JSON parser of the container/IMDS credentials document.
 *
 * What it must never do: put a secret key, session token, web identity
 * token, container authorization token or IMDS token in a log line or an
 * error message (messages name the provider, URL without query, HTTP status
 * and AWS error code only); keep a token or secret in memory it frees
 * without wiping it; block the loop (token files are small local reads).
 */
#include "aws/creds_cache.h"
#include "aws/decode.h"
#include "aws/query.h"
#include "client_int.h"
#include "xml_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/clock.h"
#include "http/http.h"

#define IMDS_TOKEN_TTL  "21600"
#define IMDS_DEFAULT    "http://169.254.169.254"
#define DEFAULT_TIMEOUT (10 * HS_SEC)
#define IMDS_TIMEOUT    (5 * HS_SEC)
#define MAX_TOKEN_FILE  (64 * 1024)
#define MAX_CREDS_BODY  (256 * 1024)

void aws__wipe_free(char *s)
{
    if (!s)
        return;
    volatile char *p = s;
    while (*p)
        *p++ = '\0';
    hs_free(s);
}

static void wipe_buf(struct hs_buf *b)
{
    if (b->cap) {
        volatile char *p = b->data;
        for (size_t i = 0; i < b->len; i++)
            p[i] = '\0';
    }
    hs_buf_release(b);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

enum hs_code aws__read_token_file(const char *path, const char *what, char **out,
                                  struct hs_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return hs_err_set(err, HS_EIO, "%s: cannot read %s: %s", what, path, strerror(errno));
    struct hs_buf b;
    hs_buf_init(&b);
    char chunk[4096];
    size_t n;
    bool too_big = false;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (b.len + n > MAX_TOKEN_FILE) {
            too_big = true;
            break;
        }
        hs_buf_add(&b, chunk, n);
    }
    volatile char *vc = chunk;
    for (size_t i = 0; i < sizeof(chunk); i++)
        vc[i] = '\0';
    bool read_err = ferror(f) != 0;
    fclose(f);
    if (read_err || too_big) {
        wipe_buf(&b);
        return hs_err_set(err, HS_EIO, "%s: cannot read %s: %s", what, path,
                          too_big ? "larger than 64 KiB" : "read error");
    }
    size_t start = 0, end = b.len;
    while (start < end && is_blank(b.data[start]))
        start++;
    while (end > start && is_blank(b.data[end - 1]))
        end--;
    if (end == start) {
        wipe_buf(&b);
        return hs_err_set(err, HS_EINVAL, "%s: %s is empty", what, path);
    }
    *out = hs_strndup(b.data + start, end - start);
    wipe_buf(&b);
    return HS_OK;
}

/* An Expiration (Unix seconds) as the Unix ns of struct aws_creds. Nanoseconds
 * in an int64 end in 2262 and a provider may well say 9999: saturate rather
 * than wrap. 0 means "never expires", so an expiry at the epoch itself is
 * kept 1 ns before it (expired, as it should be). */
static int64_t expiry_ns(int64_t secs)
{
    if (secs >= INT64_MAX / HS_SEC)
        return INT64_MAX;
    if (secs <= INT64_MIN / HS_SEC)
        return INT64_MIN;
    return secs ? secs * HS_SEC : -1;
}

/* ---- the credentials JSON of the container endpoint and IMDS ---- */

static enum hs_code json_str(json_t *root, const char *key, const char *what, char **out,
                             struct hs_err *err)
{
    json_t *v = json_object_get(root, key);
    if (!json_is_string(v) || json_string_length(v) == 0)
        return hs_err_set(err, HS_EPARSE, "%s: the response has no %s", what, key);
    *out = hs_strndup(json_string_value(v), json_string_length(v));
    return HS_OK;
}

enum hs_code aws_creds_parse_json(const char *body, size_t len, const char *what,
                                  struct aws_creds *out, struct hs_err *err)
{
    memset(out, 0, sizeof(*out));
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        /* je.text may quote the input near the error: do not pass it on. */
        return hs_err_set(err, HS_EPARSE, "%s: the response is not JSON (line %d)", what, je.line);
    enum hs_code rc = HS_OK;
    if (!json_is_object(root)) {
        rc = hs_err_set(err, HS_EPARSE, "%s: the response is not a JSON object", what);
        goto out;
    }
    json_t *code = json_object_get(root, "Code");
    if (code && (!json_is_string(code) || strcmp(json_string_value(code), "Success") != 0)) {
        char c[64] = "";
        if (json_is_string(code))
            snprintf(c, sizeof(c), "%s", json_string_value(code));
        rc = hs_err_set(err, HS_EAUTH, "%s: the response's Code is \"%s\", not \"Success\"", what,
                        c);
        goto out;
    }
    if ((rc = json_str(root, "AccessKeyId", what, &out->access_key_id, err)) ||
        (rc = json_str(root, "SecretAccessKey", what, &out->secret_access_key, err)))
        goto out;
    json_t *tok = json_object_get(root, "Token");
    if (json_is_string(tok) && json_string_length(tok) > 0)
        out->session_token = hs_strndup(json_string_value(tok), json_string_length(tok));
    json_t *exp = json_object_get(root, "Expiration");
    if (exp) {
        int64_t secs;
        if (!json_is_string(exp) ||
            !aws__parse_time(json_string_value(exp), json_string_length(exp), &secs)) {
            rc = hs_err_set(err, HS_EPARSE, "%s: Expiration is not an ISO 8601 time", what);
            goto out;
        }
        out->expiration = expiry_ns(secs);
    } else if (out->session_token) {
        rc = hs_err_set(err, HS_EPARSE, "%s: temporary credentials without an Expiration", what);
        goto out;
    }
out:;
    /* jansson's copies of the secret are freed with the document; wipe them.
     * (The ';' above: in C11 a label cannot precede a declaration.) */
    static const char *const keys[] = { "SecretAccessKey", "Token" };
    for (size_t i = 0; json_is_object(root) && i < 2; i++) {
        json_t *s = json_object_get(root, keys[i]);
        if (json_is_string(s))
            memset((char *)(uintptr_t)json_string_value(s), 0, json_string_length(s));
    }
    json_decref(root);
    if (rc)
        aws_creds_release(out);
    return rc;
}

/* ---- HTTP helpers ---- */

/* "<what>: <METHOD> <url>: HTTP <status>[: <detail>]" for a non-2xx answer,
 * with the AWS error code and message when the body is an AWS envelope
 * (never a token: AWS error messages carry none). */
static enum hs_code http_status_error(struct hs_err *err, const char *what, const char *method,
                                      const char *url, const struct http_response *resp)
{
    struct aws_error_info info;
    struct hs_err ignore = { 0 };
    if (resp->body_len && aws_xml_error(resp->body, resp->body_len, &info, &ignore) == HS_OK &&
        info.code[0])
        return hs_err_set_http(err, HS_EAWS, resp->status, "%s: HTTP %d %s: %s%s%s%s", what,
                               resp->status, info.code, info.message,
                               info.request_id[0] ? " (request id " : "", info.request_id,
                               info.request_id[0] ? ")" : "");
    return hs_err_set_http(err, HS_EHTTP, resp->status, "%s: %s %s: HTTP %d", what, method, url,
                           resp->status);
}

/* ---- one IMDSv2 GET ---- */

struct aws_imds_request {
    struct http_client *http;
    struct http_request *req;
    char *endpoint;
    char *path;
    char *token; /* wiped */
    int64_t timeout_ns;
    bool getting; /* false: the token PUT is in flight */
    aws_imds_fn fn;
    void *ctx;
};

static void imds_free(struct aws_imds_request *r)
{
    aws__wipe_free(r->token);
    hs_free(r->endpoint);
    hs_free(r->path);
    hs_free(r);
}

static void imds_on_done(void *ctx, enum hs_code rc, const struct http_response *resp,
                         const struct hs_err *herr);

static enum hs_code imds_send(struct aws_imds_request *r, struct hs_err *err)
{
    struct hs_buf url;
    hs_buf_init(&url);
    struct http_header h;
    if (!r->getting) {
        hs_buf_addf(&url, "%s/latest/api/token", r->endpoint);
        h = (struct http_header){ "X-aws-ec2-metadata-token-ttl-seconds", IMDS_TOKEN_TTL };
    } else {
        hs_buf_addf(&url, "%s%s", r->endpoint, r->path);
        h = (struct http_header){ "X-aws-ec2-metadata-token", r->token };
    }
    struct http_request_options o = {
        .method = r->getting ? "GET" : "PUT",
        .url = url.data,
        .headers = &h,
        .nheaders = 1,
        .timeout_ns = r->timeout_ns,
        .max_body = MAX_CREDS_BODY,
        .on_done = imds_on_done,
        .ctx = r,
    };
    enum hs_code rc = http_request_start(r->http, &o, &r->req, err);
    hs_buf_release(&url);
    return rc;
}

static void imds_on_done(void *ctx, enum hs_code rc, const struct http_response *resp,
                         const struct hs_err *herr)
{
    struct aws_imds_request *r = ctx;
    struct hs_err err = { 0 };
    r->req = NULL;
    if (rc) {
        hs_err_set(&err, rc, "instance metadata: %s", herr ? herr->msg : hs_strerror(rc));
        goto fail;
    }
    if (resp->status != 200) {
        char url[512];
        snprintf(url, sizeof(url), "%s%s", r->endpoint, r->getting ? r->path : "/latest/api/token");
        rc = http_status_error(&err, "instance metadata", r->getting ? "GET" : "PUT", url, resp);
        goto fail;
    }
    if (!r->getting) {
        if (resp->body_len == 0 || memchr(resp->body, '\n', resp->body_len) ||
            memchr(resp->body, '\r', resp->body_len)) {
            rc = hs_err_set(&err, HS_EPARSE,
                            "instance metadata: the token PUT gave no usable "
                            "token");
            goto fail;
        }
        r->token = hs_strndup(resp->body, resp->body_len);
        r->getting = true;
        if ((rc = imds_send(r, &err)))
            goto fail;
        return;
    }
    r->fn(r->ctx, HS_OK, resp->body, resp->body_len, NULL);
    imds_free(r);
    return;
fail:
    r->fn(r->ctx, rc, "", 0, &err);
    imds_free(r);
}

enum hs_code aws_imds_get(struct http_client *http, const char *endpoint, const char *path,
                          int64_t timeout_ns, aws_imds_fn fn, void *ctx,
                          struct aws_imds_request **out, struct hs_err *err)
{
    struct aws_imds_request *r = hs_calloc(1, sizeof(*r));
    r->http = http;
    r->endpoint = hs_strdup(endpoint ? endpoint : IMDS_DEFAULT);
    size_t n = strlen(r->endpoint);
    while (n > 0 && r->endpoint[n - 1] == '/')
        r->endpoint[--n] = '\0';
    r->path = hs_strdup(path);
    r->timeout_ns = timeout_ns > 0 ? timeout_ns : IMDS_TIMEOUT;
    r->fn = fn;
    r->ctx = ctx;
    enum hs_code rc = imds_send(r, err);
    if (rc) {
        imds_free(r);
        return rc;
    }
    if (out)
        *out = r;
    return HS_OK;
}

void aws_imds_cancel(struct aws_imds_request **rp)
{
    if (!rp || !*rp)
        return;
    struct aws_imds_request *r = *rp;
    *rp = NULL;
    http_request_cancel(&r->req);
    imds_free(r);
}

char *aws_imds_endpoint(const struct aws_env *env)
{
    if (env->imds_disabled && strcasecmp(env->imds_disabled, "true") == 0)
        return NULL;
    char *e =
        hs_strdup(env->imds_endpoint && *env->imds_endpoint ? env->imds_endpoint : IMDS_DEFAULT);
    size_t n = strlen(e);
    while (n > 0 && e[n - 1] == '/')
        e[--n] = '\0';
    return e;
}

/* ---- fetches ---- */

enum fetch_step {
    STEP_STS,        /* web identity: AssumeRoleWithWebIdentity in flight */
    STEP_CONTAINER,  /* container: GET of the agent URL in flight */
    STEP_IMDS_TOKEN, /* IMDS: token PUT in flight */
    STEP_IMDS_ROLE,  /* IMDS: GET of the role name in flight */
    STEP_IMDS_CREDS, /* IMDS: GET of the role's credentials in flight */
};

struct aws__fetch {
    struct http_client *http;
    struct http_request *req;
    enum fetch_step step;
    char *url;        /* STS endpoint, container URL, or IMDS base */
    char *imds_token; /* wiped */
    char *role;
    int64_t timeout_ns;
    aws__fetch_fn fn;
    void *ctx;
    struct aws_creds creds;
};

static const char *step_what(enum fetch_step s)
{
    switch (s) {
    case STEP_STS:
        return "web identity";
    case STEP_CONTAINER:
        return "container credentials endpoint";
    default:
        return "instance metadata (IMDSv2)";
    }
}

static void fetch_free(struct aws__fetch *f)
{
    aws_creds_release(&f->creds);
    aws__wipe_free(f->imds_token);
    hs_free(f->url);
    hs_free(f->role);
    hs_free(f);
}

static void fetch_on_done(void *ctx, enum hs_code rc, const struct http_response *resp,
                          const struct hs_err *herr);

static enum hs_code fetch_send(struct aws__fetch *f, const char *method, const char *url,
                               const struct http_header *h, size_t nh, const void *body,
                               size_t body_len, struct hs_err *err)
{
    struct http_request_options o = {
        .method = method,
        .url = url,
        .headers = h,
        .nheaders = nh,
        .body = body,
        .body_len = body_len,
        .timeout_ns = f->timeout_ns,
        .max_body = MAX_CREDS_BODY,
        .on_done = fetch_on_done,
        .ctx = f,
    };
    return http_request_start(f->http, &o, &f->req, err);
}

static enum hs_code imds_step(struct aws__fetch *f, struct hs_err *err)
{
    struct hs_buf url;
    hs_buf_init(&url);
    struct http_header h;
    enum hs_code rc;
    switch (f->step) {
    case STEP_IMDS_TOKEN:
        hs_buf_addf(&url, "%s/latest/api/token", f->url);
        h = (struct http_header){ "X-aws-ec2-metadata-token-ttl-seconds", IMDS_TOKEN_TTL };
        rc = fetch_send(f, "PUT", url.data, &h, 1, NULL, 0, err);
        break;
    case STEP_IMDS_ROLE:
        hs_buf_addf(&url, "%s/latest/meta-data/iam/security-credentials/", f->url);
        h = (struct http_header){ "X-aws-ec2-metadata-token", f->imds_token };
        rc = fetch_send(f, "GET", url.data, &h, 1, NULL, 0, err);
        break;
    default:
        hs_buf_addf(&url, "%s/latest/meta-data/iam/security-credentials/", f->url);
        aws_uri_encode(&url, f->role, strlen(f->role), false);
        h = (struct http_header){ "X-aws-ec2-metadata-token", f->imds_token };
        rc = fetch_send(f, "GET", url.data, &h, 1, NULL, 0, err);
        break;
    }
    hs_buf_release(&url);
    return rc;
}

/* The request URL of the current step, for messages (no query, no token). */
static void step_url(const struct aws__fetch *f, char *buf, size_t n)
{
    switch (f->step) {
    case STEP_IMDS_TOKEN:
        snprintf(buf, n, "%s/latest/api/token", f->url);
        break;
    case STEP_IMDS_ROLE:
        snprintf(buf, n, "%s/latest/meta-data/iam/security-credentials/", f->url);
        break;
    case STEP_IMDS_CREDS:
        snprintf(buf, n, "%s/latest/meta-data/iam/security-credentials/%s", f->url, f->role);
        break;
    default:
        snprintf(buf, n, "%s", f->url);
        break;
    }
}

static enum hs_code on_sts(struct aws__fetch *f, const struct http_response *resp,
                           struct hs_err *err)
{
    struct aws_sts_credentials sc;
    enum hs_code rc = aws_xml_sts_credentials(resp->body, resp->body_len, &sc, err);
    if (rc) {
        hs_err_prefix(err, "web identity: AssumeRoleWithWebIdentity");
        return rc;
    }
    /* Move the strings: no copy of a secret is left behind. */
    f->creds.access_key_id = sc.access_key_id;
    f->creds.secret_access_key = sc.secret_access_key;
    f->creds.session_token = sc.session_token;
    f->creds.expiration = expiry_ns(sc.expiration);
    sc.access_key_id = sc.secret_access_key = sc.session_token = NULL;
    aws_sts_credentials_release(&sc);
    return HS_OK;
}

static void fetch_on_done(void *ctx, enum hs_code rc, const struct http_response *resp,
                          const struct hs_err *herr)
{
    struct aws__fetch *f = ctx;
    struct hs_err err = { 0 };
    const char *what = step_what(f->step);
    char url[600];
    f->req = NULL;
    step_url(f, url, sizeof(url));
    if (rc) {
        hs_err_set(&err, rc, "%s: %s", what, herr ? herr->msg : hs_strerror(rc));
        goto fail;
    }
    if (resp->status < 200 || resp->status > 299) {
        rc = http_status_error(&err,
                               f->step == STEP_STS ? "web identity: "
                                                     "AssumeRoleWithWebIdentity"
                                                   : what,
                               f->step == STEP_IMDS_TOKEN ? "PUT"
                               : f->step == STEP_STS      ? "POST"
                                                          : "GET",
                               url, resp);
        goto fail;
    }
    switch (f->step) {
    case STEP_STS:
        if ((rc = on_sts(f, resp, &err)))
            goto fail;
        break;
    case STEP_CONTAINER:
    case STEP_IMDS_CREDS:
        if ((rc = aws_creds_parse_json(resp->body, resp->body_len, what, &f->creds, &err)))
            goto fail;
        break;
    case STEP_IMDS_TOKEN:
        if (resp->body_len == 0 || memchr(resp->body, '\n', resp->body_len) ||
            memchr(resp->body, '\r', resp->body_len)) {
            rc = hs_err_set(&err, HS_EPARSE, "%s: the token PUT gave no usable token", what);
            goto fail;
        }
        f->imds_token = hs_strndup(resp->body, resp->body_len);
        f->step = STEP_IMDS_ROLE;
        if ((rc = imds_step(f, &err)))
            goto fail;
        return;
    case STEP_IMDS_ROLE: {
        size_t n = strcspn(resp->body, "\r\n");
        if (n == 0) {
            rc = hs_err_set(&err, HS_ENOTFOUND, "%s: the instance has no IAM role attached", what);
            goto fail;
        }
        f->role = hs_strndup(resp->body, n);
        f->step = STEP_IMDS_CREDS;
        if ((rc = imds_step(f, &err)))
            goto fail;
        return;
    }
    }
    f->fn(f->ctx, HS_OK, &f->creds, NULL);
    fetch_free(f);
    return;
fail:
    f->fn(f->ctx, rc, NULL, &err);
    fetch_free(f);
}

static bool has_line_break(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

static enum hs_code start_sts(struct aws__fetch *f, const struct aws__fetch_params *p,
                              struct hs_err *err)
{
    char *token = NULL;
    enum hs_code rc =
        aws__read_token_file(p->plan->token_file, "web identity token file", &token, err);
    if (rc)
        return rc;
    char session[64];
    const char *name = p->plan->session_name;
    if (!name || !*name) {
        snprintf(session, sizeof(session), "hoist-%lld", (long long)(p->now_wall_ns / HS_SEC));
        name = session;
    }
    struct aws_query q;
    aws_query_init(&q, AWS_QUERY_AWS, "AssumeRoleWithWebIdentity", "2011-06-15");
    aws_query_add(&q, "RoleArn", p->plan->role_arn);
    aws_query_add(&q, "RoleSessionName", name);
    aws_query_add(&q, "WebIdentityToken", token);
    if (p->duration_s > 0) {
        char d[32];
        snprintf(d, sizeof(d), "%lld", (long long)p->duration_s);
        aws_query_add(&q, "DurationSeconds", d);
    }
    aws__wipe_free(token);
    size_t len;
    const char *body = aws_query_body(&q, &len);
    struct hs_buf url;
    hs_buf_init(&url);
    hs_buf_addf(&url, "%s/", f->url);
    const struct http_header h[] = {
        { "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" },
    };
    rc = fetch_send(f, "POST", url.data, h, 1, body, len, err);
    hs_buf_release(&url);
    /* The body carries the token: wipe our copy (lib/http made its own). */
    memset(q.body.data, 0, q.body.len);
    memset(q.key.data, 0, q.key.len);
    aws_query_release(&q);
    return rc;
}

static enum hs_code start_container(struct aws__fetch *f, const struct aws__fetch_params *p,
                                    struct hs_err *err)
{
    char *token = NULL;
    enum hs_code rc;
    if (p->plan->auth_token_file) {
        if ((rc = aws__read_token_file(p->plan->auth_token_file,
                                       "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", &token, err)))
            return rc;
    } else if (p->plan->auth_token && *p->plan->auth_token) {
        token = hs_strdup(p->plan->auth_token);
    }
    if (token && has_line_break(token)) {
        aws__wipe_free(token);
        return hs_err_set(err, HS_EINVAL,
                          "container credentials endpoint: the authorization token contains a line "
                          "break");
    }
    struct http_header h = { "Authorization", token };
    rc = fetch_send(f, "GET", f->url, token ? &h : NULL, token ? 1 : 0, NULL, 0, err);
    aws__wipe_free(token);
    return rc;
}

enum hs_code aws__fetch_start(const struct aws__fetch_params *p, aws__fetch_fn fn, void *ctx,
                              struct aws__fetch **out, struct hs_err *err)
{
    struct aws__fetch *f = hs_calloc(1, sizeof(*f));
    enum hs_code rc;
    f->http = p->http;
    f->fn = fn;
    f->ctx = ctx;
    f->timeout_ns = p->timeout_ns > 0 ? p->timeout_ns : DEFAULT_TIMEOUT;
    switch (p->plan->source) {
    case AWS_CRED_WEB_IDENTITY:
        f->step = STEP_STS;
        f->url = hs_strdup(p->sts_url);
        rc = start_sts(f, p, err);
        break;
    case AWS_CRED_CONTAINER:
        f->step = STEP_CONTAINER;
        f->url = hs_strdup(p->plan->url);
        rc = start_container(f, p, err);
        break;
    case AWS_CRED_IMDS:
        f->step = STEP_IMDS_TOKEN;
        f->url = hs_strdup(p->plan->imds_endpoint ? p->plan->imds_endpoint : IMDS_DEFAULT);
        if (p->timeout_ns <= 0)
            f->timeout_ns = IMDS_TIMEOUT;
        rc = imds_step(f, err);
        break;
    default:
        rc = hs_err_set(err, HS_EINVAL, "credentials source %d needs no fetch",
                        (int)p->plan->source);
        break;
    }
    if (rc) {
        fetch_free(f);
        return rc;
    }
    *out = f;
    return HS_OK;
}

void aws__fetch_cancel(struct aws__fetch **fp)
{
    if (!fp || !*fp)
        return;
    struct aws__fetch *f = *fp;
    *fp = NULL;
    http_request_cancel(&f->req);
    fetch_free(f);
}
