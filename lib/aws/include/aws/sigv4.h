/*
 * AWS Signature Version 4 (AWS4-HMAC-SHA256) for the requests hoist sends to
 * AutoScaling, EC2 and STS: either an Authorization header or a presigned
 * query string. The HTTP layer describes a request exactly as it will put it
 * on the wire; the signer returns what to add to it. Time is an argument: the
 * signer never reads a clock, so tests pin it and the caller applies clock-skew
 * correction. The signer never logs and never copies the secret key anywhere
 * but into the HMAC chain, whose key material is wiped after use.
 *
 * Semantics are those of the non-S3 AWS services, checked against the
 * aws-c-auth and botocore SigV4 suites: the path is normalized (dot segments
 * removed, empty segments collapsed, a trailing slash kept) and URI-encoded
 * once more over its wire form; query parameters are percent-decoded, then
 * re-encoded per RFC 3986 and sorted by key, then value; header values are
 * trimmed with inner runs of blanks collapsed, and repeated headers are joined
 * with ','.
 *
 * Not thread-safe: a signer (and its key cache) belongs to one event loop.
 */
#ifndef HOIST_AWS_SIGV4_H
#define HOIST_AWS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* A set of AWS credentials, as a view: every string is borrowed and must
 * outlive the call it is passed to. session_token is NULL (or "") for
 * long-term keys. */
struct aws_credentials {
    const char *access_key_id;
    const char *secret_access_key;
    const char *session_token;
};

/* One request header, borrowed. The value may carry leading, trailing or
 * repeated inner blanks (they are canonicalized) but never CR, LF or NUL. */
struct aws_sigv4_header_in {
    const char *name;
    const char *value;
};

/* The request as the HTTP layer will send it. All pointers are borrowed. */
struct aws_sigv4_request {
    const char *method; /* "GET", "POST", ... */
    /* The Host header's value exactly as it will be sent: host[:port], the
     * port only when it is not the scheme's default (curl adds it then, and
     * the server checks the signature against what arrives). NULL when the
     * header list carries Host instead; giving both is an error. */
    const char *host;
    const char *path;  /* wire form, before '?': "/" for Query-protocol calls */
    const char *query; /* wire form, after '?', without it; NULL or "" for none */
    const struct aws_sigv4_header_in *headers; /* nheaders entries; may be NULL if 0 */
    size_t nheaders;
    const void *body; /* may be NULL when body_len is 0 */
    size_t body_len;
};

enum aws_sigv4_mode {
    AWS_SIGV4_HEADER, /* Authorization header (every API call hoist makes) */
    AWS_SIGV4_QUERY,  /* presigned URL: X-Amz-* query parameters */
};

struct aws_sigv4_params {
    const char *region;  /* borrowed, "us-east-1" */
    const char *service; /* borrowed, signing name: "autoscaling", "ec2", "sts" */
    int64_t now_ns;      /* wall time of signing, ns since the Unix epoch (>= 0) */
    enum aws_sigv4_mode mode;
    /* Normalize the path (every service but S3). Default true. */
    bool normalize_path;
    /* Header mode: also send and sign x-amz-content-sha256 (S3 needs it; the
     * Query-protocol services do not). Default false. */
    bool add_content_sha256;
    /* Use "UNSIGNED-PAYLOAD" instead of the body's SHA-256. Default false. */
    bool unsigned_payload;
    /* Send the session token without signing it (some services want it added
     * after the signature). Default false: the token is signed. */
    bool omit_session_token;
    /* Query mode: X-Amz-Expires, 1..604800 seconds. Default 3600. */
    int64_t expires_s;
    /* Keep the canonical request and string to sign in the result (tests,
     * debugging). They hold the session token: never log them. Default false. */
    bool keep_intermediate;
};

/* Fills p with the defaults above for region and service (borrowed) at now_ns. */
void aws_sigv4_params_init(struct aws_sigv4_params *p, const char *region, const char *service,
                           int64_t now_ns);

/* One header to add to the request; both strings owned by the result. */
struct aws_sigv4_header_out {
    const char *name; /* static */
    char *value;      /* owned by the result */
};

#define AWS_SIGV4_MAX_OUT_HEADERS 4

/* What signing produced. Embedded value: init before signing, release after
 * the request was sent (release wipes the signature and token copies). */
struct aws_sigv4_result {
    /* Header mode: the headers to add, in this order: X-Amz-Security-Token
     * (when there is a token), X-Amz-Date, x-amz-content-sha256 (when asked),
     * Authorization. Query mode: X-Amz-Date and Authorization are not used;
     * nheaders is 0. */
    struct aws_sigv4_header_out headers[AWS_SIGV4_MAX_OUT_HEADERS];
    size_t nheaders;
    /* Query mode: the encoded parameters to append to the request's query
     * (after a '&' when it already has one): X-Amz-Algorithm, -Credential,
     * -Date, -SignedHeaders, -Expires, [-Security-Token], -Signature.
     * NULL in header mode. Owned by the result. */
    char *query;
    char signature[65]; /* lower-case hex, NUL-terminated */
    /* Filled only with params.keep_intermediate. */
    struct hs_buf canonical_request;
    struct hs_buf string_to_sign;
};

void aws_sigv4_result_init(struct aws_sigv4_result *r);
/* Wipes and frees what r holds; r can be signed into again after init. */
void aws_sigv4_result_release(struct aws_sigv4_result *r);
/* The value of the output header named name (case-insensitive), borrowed from
 * r, or NULL. */
const char *aws_sigv4_result_header(const struct aws_sigv4_result *r, const char *name);

/* A signer: holds the derived signing keys, one per (credentials, date,
 * region, service), so that a day of calls derives each key once. */
struct aws_sigv4_signer;

/* new */
struct aws_sigv4_signer *aws_sigv4_signer_new(void);
/* Wipes the cached keys, frees *s and clears it. Accepts NULL and *s == NULL. */
void aws_sigv4_signer_free(struct aws_sigv4_signer **s);

/* Signs req with creds under p and fills out (initialised by the caller; it
 * must be empty). signer (borrowed) may be NULL: the key is then derived for
 * this call only. req, creds and p are borrowed. Returns HS_EINVAL with a
 * message naming the field at fault for a malformed request (no host, a
 * header the signer owns such as X-Amz-Date or Authorization, CR/LF in a
 * header value, bad expiry) or bad credentials; HS_EIO if OpenSSL fails.
 * Messages never contain the secret, token or signature. On error out is
 * left empty. */
enum hs_code aws_sigv4_sign(struct aws_sigv4_signer *signer, const struct aws_sigv4_request *req,
                            const struct aws_credentials *creds, const struct aws_sigv4_params *p,
                            struct aws_sigv4_result *out, struct hs_err *err);

/* Appends s[0..n) to b URI-encoded as SigV4 wants: every byte except
 * A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex); '/' is kept when
 * keep_slash. The same encoding serves Query-protocol form bodies. */
void aws_uri_encode(struct hs_buf *b, const char *s, size_t n, bool keep_slash);

#endif
