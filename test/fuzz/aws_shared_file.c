/*
 * Fuzz target for the AWS shared files (~/.aws/config, ~/.aws/credentials)
 * as lib/aws/credentials.c reads them: aws_shared_file_get's INI reader
 * under the credential chain (aws_cred_plan_resolve, the profile step) and
 * the region lookup (aws_region_resolve). The input after its first byte
 * is both files' text, held in a memfd so no disk is touched; the first
 * byte picks AWS_PROFILE (unset, "dev" or "profile dev").
 *
 * Any bytes give profile credentials with a key id and a secret, a web
 * identity plan, a region, or one of the documented errors with a message
 * that never quotes the profile's secret key or session token (checked by
 * resolving again with that text changed: the message must not change).
 * Must never crash, leak or hang.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "aws/credentials.h"
#include "base/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

/* Where needle occurs in hay, if exactly once. */
static const uint8_t *once(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    const uint8_t *at = NULL;
    for (size_t i = 0; k && k <= n && i <= n - k; i++) {
        if (memcmp(hay + i, needle, k) != 0)
            continue;
        if (at)
            return NULL;
        at = hay + i;
    }
    return at;
}

static void put_files(const uint8_t *text, size_t n)
{
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, n, 0) != (ssize_t)n)
        abort();
}

/* The chain's answer for files holding text: its code and message. */
static enum hs_code resolve(const struct aws_env *env, const uint8_t *text, size_t n,
                            struct hs_err *err)
{
    struct aws_cred_plan plan;
    memset(&plan, 0, sizeof(plan));
    put_files(text, n);
    enum hs_code rc = aws_cred_plan_resolve(env, &plan, err);
    aws_cred_plan_release(&plan);
    return rc;
}

/* The chain's error message must not carry the value of key in the
 * profile: with that value's text changed (where it occurs only once, so
 * nothing else changes), the message must stay the same. */
static void check_no_secret(const struct aws_env *env, const uint8_t *text, size_t n,
                            const char *profile, const char *key, enum hs_code rc,
                            const struct hs_err *err)
{
    for (int style = 0; style < 2; style++) {
        char *v = NULL;
        struct hs_err e2 = { 0 };
        put_files(text, n);
        if (aws_shared_file_get(path, style == 1, profile, key, &v, &e2) == HS_OK && v && *v) {
            const uint8_t *at = once(text, n, v);
            if (at) {
                uint8_t *copy = malloc(n);
                if (!copy)
                    abort();
                memcpy(copy, text, n);
                for (size_t i = (size_t)(at - text); i < (size_t)(at - text) + strlen(v); i++)
                    copy[i] = copy[i] == 'Q' ? 'R' : 'Q';
                struct hs_err e3 = { 0 };
                if (resolve(env, copy, n, &e3) != rc || strcmp(e3.msg, err->msg) != 0)
                    abort();
                free(copy);
            }
        }
        hs_free(v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 65536)
        return 0;
    if (fd < 0) {
        fd = memfd_create("hoist-fuzz-aws-shared", 0);
        if (fd < 0)
            abort();
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    }
    put_files(data + 1, size - 1);

    static const char *const profiles[] = { NULL, "dev", "profile dev" };
    const char *profile = profiles[data[0] % 3];
    struct aws_env env = { 0 };
    env.config_file = path;
    env.shared_credentials_file = path;
    env.profile = profile;
    env.imds_disabled = "true";

    struct aws_cred_plan plan;
    memset(&plan, 0, sizeof(plan));
    struct hs_err err = { 0 };
    enum hs_code rc = aws_cred_plan_resolve(&env, &plan, &err);
    switch (rc) {
    case HS_OK:
        if (plan.source == AWS_CRED_PROFILE &&
            (!plan.creds.access_key_id || !plan.creds.access_key_id[0] ||
             !plan.creds.secret_access_key || !plan.creds.secret_access_key[0]))
            abort();
        if (plan.source == AWS_CRED_WEB_IDENTITY && (!plan.role_arn || !plan.token_file))
            abort();
        if (plan.source != AWS_CRED_PROFILE && plan.source != AWS_CRED_WEB_IDENTITY)
            abort();
        break;
    case HS_EPARSE:
    case HS_EINVAL:
    case HS_ENOTSUP:
    case HS_ENOTFOUND:
    case HS_EIO: {
        if (!err.msg[0])
            abort();
        const char *p = profile ? profile : "default";
        check_no_secret(&env, data + 1, size - 1, p, "aws_secret_access_key", rc, &err);
        check_no_secret(&env, data + 1, size - 1, p, "aws_session_token", rc, &err);
        put_files(data + 1, size - 1);
        break;
    }
    default:
        abort();
    }
    aws_cred_plan_release(&plan);

    char *region = NULL;
    const char *from = NULL;
    hs_err_clear(&err);
    rc = aws_region_resolve(NULL, &env, &region, &from, &err);
    if (rc == HS_OK) {
        if (!region || !from)
            abort();
    } else if ((rc != HS_ENOTFOUND && rc != HS_EPARSE && rc != HS_EIO) || !err.msg[0] || region) {
        abort();
    }
    hs_free(region);
    return 0;
}
