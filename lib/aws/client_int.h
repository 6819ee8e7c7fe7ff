/*
 * lib/aws internals shared by the credentials cache, the fetchers, the API
 * client and the operations. Nothing outside lib/aws includes this header;
 * no libev, libcurl or jansson type appears in it.
 */
#ifndef HOIST_AWS_CLIENT_INT_H
#define HOIST_AWS_CLIENT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/credentials.h"
#include "base/err.h"

struct http_client;
struct aws_client;
struct model_instance_type_list;
struct ev_loop;

/* ---- credential fetchers (creds_fetch.c) ---- */

/* What a fetch needs; every pointer borrowed for aws__fetch_start only
 * (strings are copied). */
struct aws__fetch_params {
    struct http_client *http;
    const struct aws_cred_plan *plan; /* WEB_IDENTITY, CONTAINER or IMDS */
    const char *sts_url;              /* web identity: the STS endpoint */
    int64_t timeout_ns;               /* per HTTP request */
    int64_t duration_s;               /* web identity DurationSeconds; 0: not sent */
    int64_t now_wall_ns;              /* names the web identity session when no name */
};

/* creds (owned by the fetch; the callee may steal its strings by moving
 * them out and zeroing the struct) is filled on HS_OK. err names provider
 * and cause; never a secret. */
typedef void (*aws__fetch_fn)(void *ctx, enum hs_code rc, struct aws_creds *creds,
                              const struct hs_err *err);

/* One fetch in flight. */
struct aws__fetch;

/* Starts a fetch; fn runs exactly once, later, from the loop, unless the
 * fetch is canceled. On error (err filled) fn never runs. *out is the
 * handle, valid until fn returns. */
enum hs_code aws__fetch_start(const struct aws__fetch_params *p, aws__fetch_fn fn, void *ctx,
                              struct aws__fetch **out, struct hs_err *err);
/* Abandons *f (fn will not run) and clears it. Accepts NULL. Not from fn. */
void aws__fetch_cancel(struct aws__fetch **f);

/* Reads a small token file (borrowed path) whole, surrounding blanks
 * trimmed, into *out (new; the caller wipes and frees). what names the
 * setting in messages. HS_EIO / HS_EINVAL (empty) naming the path only. */
enum hs_code aws__read_token_file(const char *path, const char *what, char **out,
                                  struct hs_err *err);

/* Overwrites s with zeros and frees it. Accepts NULL. */
void aws__wipe_free(char *s);

/* ---- the client's per-client instance-type cache (client.c, used by ops.c) ---- */

struct model_instance_type_list *aws__client_type_cache(struct aws_client *c);
/* Whether the cache holds every type of the region (a full listing ran). */
bool *aws__client_types_complete(struct aws_client *c);
/* The loop the client runs on (borrowed). */
struct ev_loop *aws__client_loop(struct aws_client *c);

#endif
