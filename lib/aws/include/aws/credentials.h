/*
 * Where hoist's AWS credentials and region come from, in the AWS SDKs' order:
 *   1. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
 *   2. web identity (IRSA): AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
 *   3. container credentials (EKS Pod Identity, ECS):
 *      AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI
 *   4. the shared files (~/.aws/credentials, ~/.aws/config, AWS_PROFILE)
 *   5. IMDSv2 (unless AWS_EC2_METADATA_DISABLED)
 * Resolving the chain only reads the environment and files; providers that
 * need the network (2, 3, 5) are described here and fetched by the caller.
 * Nothing here logs; secrets are wiped when released.
 */
#ifndef HOIST_AWS_CREDENTIALS_H
#define HOIST_AWS_CREDENTIALS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

/* A snapshot of the environment the chain reads. Strings borrowed; NULL =
 * unset. Fill with aws_env_from_process, or by hand in tests. */
struct aws_env {
    const char *access_key_id, *secret_access_key, *session_token;
    const char *web_identity_token_file, *role_arn, *role_session_name;
    const char *container_full_uri, *container_relative_uri;
    const char *container_auth_token, *container_auth_token_file;
    const char *profile;                 /* AWS_PROFILE */
    const char *shared_credentials_file; /* AWS_SHARED_CREDENTIALS_FILE */
    const char *config_file;             /* AWS_CONFIG_FILE */
    const char *home;                    /* HOME */
    const char *region, *default_region; /* AWS_REGION, AWS_DEFAULT_REGION */
    const char *imds_endpoint;           /* AWS_EC2_METADATA_SERVICE_ENDPOINT */
    const char *imds_disabled;           /* AWS_EC2_METADATA_DISABLED */
};

void aws_env_from_process(struct aws_env *env);

/* Static or fetched credentials. Strings owned. */
struct aws_creds {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL for long-term keys */
    int64_t expiration;  /* Unix ns; 0 = does not expire */
};

void aws_creds_release(struct aws_creds *c); /* wipes, frees, zeroes */

enum aws_cred_source {
    AWS_CRED_NONE = 0,
    AWS_CRED_ENV,          /* creds filled */
    AWS_CRED_WEB_IDENTITY, /* token_file, role_arn, session_name filled */
    AWS_CRED_CONTAINER,    /* url (+ auth_token or auth_token_file) filled */
    AWS_CRED_PROFILE,      /* creds filled from the shared files */
    AWS_CRED_IMDS,         /* imds_endpoint filled */
};

/* The provider the chain picked, and what it needs. Strings owned. */
struct aws_cred_plan {
    enum aws_cred_source source;
    struct aws_creds creds;
    char *token_file, *role_arn, *session_name;
    char *url, *auth_token, *auth_token_file;
    char *imds_endpoint; /* base URL, e.g. http://169.254.169.254 */
    char *profile;       /* the profile consulted (for messages) */
    char *detail;        /* where the choice came from, for one INFO line; no secrets */
};

/* Picks the first provider of the chain whose settings are present. A
 * provider that is half-configured (a key id without its secret, a role ARN
 * without a token file, a relative container URI that is not a path) is an
 * error naming the variables, not a silent skip: a pod that was meant to use
 * IRSA must not quietly fall through to the node's instance role. Returns
 * HS_ENOTFOUND naming every place it looked when nothing is configured and
 * IMDS is disabled. Release plan with aws_cred_plan_release even on error. */
enum hs_code aws_cred_plan_resolve(const struct aws_env *env, struct aws_cred_plan *plan,
                                   struct hs_err *err);
void aws_cred_plan_release(struct aws_cred_plan *plan);

/* The region, from (in order) flag (--aws-region), AWS_REGION,
 * AWS_DEFAULT_REGION, the profile's `region` in the config file. *out is new
 * (caller frees) and *from names where it was found (static string). Returns
 * HS_ENOTFOUND, with a message naming all of these and IMDS, when none has
 * it: the caller then asks IMDS, and reports that message if IMDS fails too. */
enum hs_code aws_region_resolve(const char *flag, const struct aws_env *env, char **out,
                                const char **from, struct hs_err *err);

/* ---- shared files ---------------------------------------------------------- */

/* Looks up key in profile of an AWS shared file (INI: [profile], or in the
 * config file [profile name] except [default]). *value is new, or NULL when
 * absent and on any error. Returns HS_EIO only when the file exists and cannot be read, and
 * HS_EPARSE (with file:line) for a malformed line; a missing file is not an
 * error. */
enum hs_code aws_shared_file_get(const char *path, bool config_style, const char *profile,
                                 const char *key, char **value, struct hs_err *err);

#endif
