/*
 * The credential chain's decision: which provider hoist will use and with
 * what settings, read from the environment and the shared AWS files. A
 * half-configured provider is an error, never a silent fall-through to the
 * next one (a pod meant to use IRSA must not act with the node's role). This
 * file does no network I/O and never logs a secret.
 */
#include "aws/credentials.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/buf.h"

static bool set(const char *s)
{
    return s && *s;
}

static char *dup_or_null(const char *s)
{
    return set(s) ? hs_strdup(s) : NULL;
}

void aws_env_from_process(struct aws_env *e)
{
    memset(e, 0, sizeof(*e));
    e->access_key_id = getenv("AWS_ACCESS_KEY_ID");
    e->secret_access_key = getenv("AWS_SECRET_ACCESS_KEY");
    e->session_token = getenv("AWS_SESSION_TOKEN");
    e->web_identity_token_file = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
    e->role_arn = getenv("AWS_ROLE_ARN");
    e->role_session_name = getenv("AWS_ROLE_SESSION_NAME");
    e->container_full_uri = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    e->container_relative_uri = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    e->container_auth_token = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    e->container_auth_token_file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    e->profile = getenv("AWS_PROFILE");
    e->shared_credentials_file = getenv("AWS_SHARED_CREDENTIALS_FILE");
    e->config_file = getenv("AWS_CONFIG_FILE");
    e->home = getenv("HOME");
    e->region = getenv("AWS_REGION");
    e->default_region = getenv("AWS_DEFAULT_REGION");
    e->imds_endpoint = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    e->imds_disabled = getenv("AWS_EC2_METADATA_DISABLED");
}

static void wipe_free(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        hs_free(s);
    }
}

void aws_creds_release(struct aws_creds *c)
{
    wipe_free(c->access_key_id);
    wipe_free(c->secret_access_key);
    wipe_free(c->session_token);
    memset(c, 0, sizeof(*c));
}

void aws_cred_plan_release(struct aws_cred_plan *p)
{
    aws_creds_release(&p->creds);
    hs_free(p->token_file);
    hs_free(p->role_arn);
    hs_free(p->session_name);
    hs_free(p->url);
    wipe_free(p->auth_token);
    hs_free(p->auth_token_file);
    hs_free(p->imds_endpoint);
    hs_free(p->profile);
    hs_free(p->detail);
    memset(p, 0, sizeof(*p));
}

/* ---- shared files (INI) ---------------------------------------------------- */

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Whether section header text names profile. The config file writes
 * [profile NAME] (and [default] for the default profile); the credentials
 * file writes [NAME]. */
static bool section_is(char *header, bool config_style, const char *profile)
{
    char *name = trim(header);
    if (config_style && strncmp(name, "profile", 7) == 0 && isspace((unsigned char)name[7]))
        name = trim(name + 8);
    else if (config_style && strcmp(name, "default") != 0)
        return false;
    return strcmp(name, profile) == 0;
}

enum hs_code aws_shared_file_get(const char *path, bool config_style, const char *profile,
                                 const char *key, char **value, struct hs_err *err)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    size_t lineno = 0;
    bool in_profile = false;
    enum hs_code rc = HS_OK;

    *value = NULL;
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            return HS_OK;
        return hs_err_set(err, HS_EIO, "%s: cannot read: %s", path, strerror(errno));
    }
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            rc = hs_err_set(err, HS_EPARSE, "%s:%zu: line too long", path, lineno);
            break;
        }
        /* Indented lines continue the previous setting (nested s3 = ... blocks). */
        bool indented = line[0] == ' ' || line[0] == '\t';
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (!end) {
                rc = hs_err_set(err, HS_EPARSE, "%s:%zu: section header without ']'", path, lineno);
                break;
            }
            *end = '\0';
            in_profile = section_is(s + 1, config_style, profile);
            continue;
        }
        if (indented)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = hs_err_set(err, HS_EPARSE, "%s:%zu: expected key = value", path, lineno);
            break;
        }
        *eq = '\0';
        if (in_profile && strcmp(trim(s), key) == 0) {
            wipe_free(*value); /* the last assignment in the section wins */
            *value = hs_strdup(trim(eq + 1));
        }
    }
    fclose(f);
    if (rc) {
        /* A value found before the bad line is dropped: on error, *value is NULL. */
        wipe_free(*value);
        *value = NULL;
    }
    return rc;
}

/* ---- the chain ------------------------------------------------------------- */

static char *default_path(const struct aws_env *e, const char *override, const char *leaf)
{
    if (set(override))
        return hs_strdup(override);
    if (!set(e->home))
        return NULL;
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_addf(&b, "%s/.aws/%s", e->home, leaf);
    return hs_buf_detach(&b);
}

/* The value of key for profile: credentials file first, then config file. */
static enum hs_code profile_get(const struct aws_env *e, const char *profile, const char *key,
                                bool creds_file_too, char **out, struct hs_err *err)
{
    enum hs_code rc = HS_OK;
    char *credf =
        creds_file_too ? default_path(e, e->shared_credentials_file, "credentials") : NULL;
    char *conff = default_path(e, e->config_file, "config");
    *out = NULL;
    if (credf)
        rc = aws_shared_file_get(credf, false, profile, key, out, err);
    if (!rc && !*out && conff)
        rc = aws_shared_file_get(conff, true, profile, key, out, err);
    hs_free(credf);
    hs_free(conff);
    return rc;
}

/* EKS Pod Identity and ECS agents are reached over plain HTTP only on these
 * hosts; anything else must be HTTPS (the SDKs' rule). */
static bool container_host_allowed(const char *url)
{
    static const char *const allowed[] = {
        "http://127.",          "http://localhost",      "http://[::1]",
        "http://169.254.170.2", "http://169.254.170.23", "http://[fd00:ec2::23]",
    };
    if (strncmp(url, "https://", 8) == 0)
        return true;
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
        size_t n = strlen(allowed[i]);
        if (strncmp(url, allowed[i], n) == 0 &&
            (allowed[i][n - 1] == '.' || url[n] == '\0' || url[n] == ':' || url[n] == '/'))
            return true;
    }
    return false;
}

/* detail = what + name (no secrets: names and ARNs only). */
static void set_detail(struct aws_cred_plan *p, const char *what, const char *name)
{
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_adds(&b, what);
    hs_buf_adds(&b, name);
    p->detail = hs_buf_detach(&b);
}

static enum hs_code from_profile(const struct aws_env *e, struct aws_cred_plan *p,
                                 struct hs_err *err)
{
    const char *profile = set(e->profile) ? e->profile : "default";
    char *id = NULL, *secret = NULL, *token = NULL;
    enum hs_code rc;

    p->profile = hs_strdup(profile);
    if ((rc = profile_get(e, profile, "aws_access_key_id", true, &id, err)) ||
        (rc = profile_get(e, profile, "aws_secret_access_key", true, &secret, err)) ||
        (rc = profile_get(e, profile, "aws_session_token", true, &token, err)))
        goto out;
    if (set(id) && set(secret)) {
        p->source = AWS_CRED_PROFILE;
        p->creds.access_key_id = id;
        p->creds.secret_access_key = secret;
        p->creds.session_token = set(token) ? token : NULL;
        if (!set(token))
            wipe_free(token);
        set_detail(p, "shared credentials files, profile ", profile);
        return HS_OK;
    }
    if (set(id) != set(secret)) {
        rc = hs_err_set(err, HS_EINVAL, "AWS profile \"%s\" has %s but not %s", profile,
                        set(id) ? "aws_access_key_id" : "aws_secret_access_key",
                        set(id) ? "aws_secret_access_key" : "aws_access_key_id");
        goto out;
    }
    /* A profile that assumes a web identity role is cheap to honour. */
    char *role = NULL, *wtoken = NULL;
    if ((rc = profile_get(e, profile, "role_arn", false, &role, err)) ||
        (rc = profile_get(e, profile, "web_identity_token_file", false, &wtoken, err))) {
        hs_free(role);
        hs_free(wtoken);
        goto out;
    }
    if (set(role) && set(wtoken)) {
        p->source = AWS_CRED_WEB_IDENTITY;
        p->role_arn = role;
        p->token_file = wtoken;
        p->session_name = hs_strdup("hoist");
        set_detail(p, "web identity from AWS profile ", profile);
        goto out;
    }
    hs_free(wtoken);
    /* What the profile asks for that hoist cannot do is named, not skipped. */
    static const char *const unsupported[] = { "role_arn", "credential_process", "sso_session",
                                               "sso_start_url" };
    for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
        char *v = NULL;
        if (i > 0 && (rc = profile_get(e, profile, unsupported[i], false, &v, err)))
            break;
        bool used = i == 0 ? set(role) : set(v);
        hs_free(v);
        if (used) {
            rc = hs_err_set(err, HS_ENOTSUP,
                            "AWS profile \"%s\" uses %s, which hoist does not support; run with "
                            "the credentials it yields (e.g. `aws configure export-credentials "
                            "--profile %s --format env`)",
                            profile, unsupported[i], profile);
            break;
        }
    }
    hs_free(role);
    if (!rc && set(e->profile))
        rc = hs_err_set(err, HS_ENOTFOUND,
                        "AWS_PROFILE is \"%s\" but that profile has no credentials in the shared "
                        "files",
                        profile);
out:
    if (p->source != AWS_CRED_PROFILE) {
        wipe_free(id);
        wipe_free(secret);
        wipe_free(token);
    }
    return rc;
}

enum hs_code aws_cred_plan_resolve(const struct aws_env *e, struct aws_cred_plan *p,
                                   struct hs_err *err)
{
    enum hs_code rc;
    memset(p, 0, sizeof(*p));

    /* 1. environment keys */
    if (set(e->access_key_id) || set(e->secret_access_key)) {
        if (!set(e->access_key_id) || !set(e->secret_access_key))
            return hs_err_set(err, HS_EINVAL, "%s is set but %s is not",
                              set(e->access_key_id) ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                              set(e->access_key_id) ? "AWS_SECRET_ACCESS_KEY"
                                                    : "AWS_ACCESS_KEY_ID");
        p->source = AWS_CRED_ENV;
        p->creds.access_key_id = hs_strdup(e->access_key_id);
        p->creds.secret_access_key = hs_strdup(e->secret_access_key);
        p->creds.session_token = dup_or_null(e->session_token);
        p->detail = hs_strdup("environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
        return HS_OK;
    }
    /* 2. web identity (IRSA) */
    if (set(e->web_identity_token_file) || set(e->role_arn)) {
        if (!set(e->web_identity_token_file) || !set(e->role_arn))
            return hs_err_set(err, HS_EINVAL, "%s is set but %s is not",
                              set(e->role_arn) ? "AWS_ROLE_ARN" : "AWS_WEB_IDENTITY_TOKEN_FILE",
                              set(e->role_arn) ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "AWS_ROLE_ARN");
        p->source = AWS_CRED_WEB_IDENTITY;
        p->token_file = hs_strdup(e->web_identity_token_file);
        p->role_arn = hs_strdup(e->role_arn);
        p->session_name = hs_strdup(set(e->role_session_name) ? e->role_session_name : "hoist");
        set_detail(p, "web identity (IRSA), role ", e->role_arn);
        return HS_OK;
    }
    /* 3. container credentials; the relative URI wins, as in the SDKs */
    if (set(e->container_relative_uri) || set(e->container_full_uri)) {
        struct hs_buf b;
        hs_buf_init(&b);
        if (set(e->container_relative_uri)) {
            if (e->container_relative_uri[0] != '/')
                return hs_err_set(err, HS_EINVAL,
                                  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \"%s\" is not a path",
                                  e->container_relative_uri);
            hs_buf_addf(&b, "http://169.254.170.2%s", e->container_relative_uri);
        } else {
            if (!container_host_allowed(e->container_full_uri))
                return hs_err_set(err, HS_EINVAL,
                                  "AWS_CONTAINER_CREDENTIALS_FULL_URI \"%s\" must be https, or "
                                  "http to a loopback or the ECS/EKS agent address",
                                  e->container_full_uri);
            hs_buf_adds(&b, e->container_full_uri);
        }
        p->source = AWS_CRED_CONTAINER;
        p->url = hs_buf_detach(&b);
        if (set(e->container_auth_token_file))
            p->auth_token_file = hs_strdup(e->container_auth_token_file);
        else
            p->auth_token = dup_or_null(e->container_auth_token);
        p->detail = hs_strdup("container credentials endpoint");
        return HS_OK;
    }
    /* 4. shared files */
    if ((rc = from_profile(e, p, err)) || p->source != AWS_CRED_NONE)
        return rc;
    /* 5. instance metadata */
    if (set(e->imds_disabled) && strcasecmp(e->imds_disabled, "true") == 0)
        return hs_err_set(err, HS_ENOTFOUND,
                          "no AWS credentials: none in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                          "AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN, "
                          "AWS_CONTAINER_CREDENTIALS_*_URI or the shared files (profile %s), and "
                          "AWS_EC2_METADATA_DISABLED=true",
                          p->profile ? p->profile : "default");
    p->source = AWS_CRED_IMDS;
    p->imds_endpoint =
        hs_strdup(set(e->imds_endpoint) ? e->imds_endpoint : "http://169.254.169.254");
    size_t n = strlen(p->imds_endpoint);
    if (n > 1 && p->imds_endpoint[n - 1] == '/')
        p->imds_endpoint[n - 1] = '\0';
    p->detail = hs_strdup("EC2 instance metadata (IMDSv2)");
    return HS_OK;
}

enum hs_code aws_region_resolve(const char *flag, const struct aws_env *e, char **out,
                                const char **from, struct hs_err *err)
{
    *out = NULL;
    if (set(flag)) {
        *out = hs_strdup(flag);
        *from = "--aws-region";
        return HS_OK;
    }
    if (set(e->region)) {
        *out = hs_strdup(e->region);
        *from = "AWS_REGION";
        return HS_OK;
    }
    if (set(e->default_region)) {
        *out = hs_strdup(e->default_region);
        *from = "AWS_DEFAULT_REGION";
        return HS_OK;
    }
    const char *profile = set(e->profile) ? e->profile : "default";
    char *v = NULL;
    enum hs_code rc = profile_get(e, profile, "region", false, &v, err);
    if (rc)
        return rc;
    if (set(v)) {
        *out = v;
        *from = "the AWS config file";
        return HS_OK;
    }
    hs_free(v);
    return hs_err_set(err, HS_ENOTFOUND,
                      "no AWS region: set --aws-region, AWS_REGION or AWS_DEFAULT_REGION, or "
                      "`region` in the AWS config file (profile %s); instance metadata did not "
                      "give one either",
                      profile);
}
