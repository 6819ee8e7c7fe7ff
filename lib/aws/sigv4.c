/*
 * AWS Signature Version 4 over OpenSSL 3 (HMAC(), EVP SHA-256): canonical
 * request, string to sign, signing-key derivation with a small per-signer
 * cache, and the headers or presigned query that carry the result.
 *
 * Why not libcurl's CURLOPT_AWS_SIGV4: it reads the clock itself (so the
 * official vectors, which pin 2015-08-30T12:36:00Z, cannot be checked), it
 * cannot produce the presigned form or leave the session token unsigned, and
 * its canonicalization has changed between releases. Owning a few hundred lines that
 * pass both public suites byte for byte is the safer trade.
 *
 * This file must never log, never put the secret, the session token or a
 * signature into an error message, and never keep the secret: the cache
 * holds derived keys and a SHA-256 fingerprint of the credentials, and every
 * buffer that held key material is wiped with OPENSSL_cleanse before it is
 * freed.
 */
#include "aws/sigv4.h"
#include "sigv4_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/common.h"
#include "base/alloc.h"
#include "base/clock.h"

#define ALGORITHM        "AWS4-HMAC-SHA256"
#define SCOPE_TERMINATOR "aws4_request"
#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define MAX_EXPIRES_S    604800 /* seven days, SigV4's limit for presigned URLs */
#define NAME_MAX_LEN     63     /* region and service */
#define KEY_SLOTS        4      /* autoscaling, ec2, sts in one region, and a spare */

/* One cached signing key. */
struct key_slot {
    bool used;
    uint64_t last_use; /* signer tick of the last hit, for LRU replacement */
    char date[9];      /* YYYYMMDD */
    char region[NAME_MAX_LEN + 1];
    char service[NAME_MAX_LEN + 1];
    /* SHA-256 over access key id, NUL, secret: tells credentials apart (a
     * rotated or corrected secret under the same key id) without keeping
     * the secret itself. */
    unsigned char cred_fp[32];
    unsigned char key[32];
};

struct aws_sigv4_signer {
    struct key_slot slots[KEY_SLOTS];
    uint64_t tick;
    unsigned long derivations;
};

/* Headers whose values only the signer may set. */
static const char *const owned_headers[] = {
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
};

/* Query parameters whose values only the signer may set (presigned mode). */
static const char *const owned_params[] = {
    "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",           "X-Amz-SignedHeaders",
    "X-Amz-Expires",   "X-Amz-Signature",  "X-Amz-Security-Token",
};

/* ---- small helpers ---------------------------------------------------- */

static void wipe_buf_release(struct hs_buf *b)
{
    if (b->cap > 0)
        OPENSSL_cleanse(b->data, b->cap);
    hs_buf_release(b);
}

static void wipe_free(char *s)
{
    if (s) {
        OPENSSL_cleanse(s, strlen(s));
        hs_free(s);
    }
}

static void to_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* RFC 7230 tchar: what a header name or a method may contain. */
static bool is_tchar(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

void aws_uri_encode(struct hs_buf *b, const char *s, size_t n, bool keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    hs_buf_reserve(b, n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            hs_buf_addc(b, (char)c);
        } else {
            char esc[3] = { '%', digits[c >> 4], digits[c & 15] };
            hs_buf_add(b, esc, sizeof(esc));
        }
    }
}

/* Percent-decodes s[0..n) into b; a '%' not followed by two hex digits stays
 * as it is (and is encoded as %25 later). '+' is not a space: SigV4 queries
 * are RFC 3986, not HTML forms. */
static void uri_decode(struct hs_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hs_hexval(s[i + 1])) >= 0 &&
            (lo = hs_hexval(s[i + 2])) >= 0) {
            hs_buf_addc(b, (char)(hi << 4 | lo));
            i += 2;
        } else {
            hs_buf_addc(b, s[i]);
        }
    }
}

/* ---- crypto ------------------------------------------------------------ */

static int hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                       unsigned char out[32])
{
    unsigned int out_len = 0;
    if (key_len > INT_MAX)
        return -1;
    if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)(data ? data : ""), len, out,
              &out_len))
        return -1;
    return out_len == 32 ? 0 : -1;
}

static int sha256(const void *data, size_t len, unsigned char out[32])
{
    unsigned int out_len = 0;
    if (EVP_Digest(data ? data : "", len, out, &out_len, EVP_sha256(), NULL) != 1)
        return -1;
    return out_len == 32 ? 0 : -1;
}

/* SHA-256 over access key id, NUL, secret. */
static int cred_fingerprint(const struct aws_credentials *c, unsigned char out[32])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int out_len = 0;
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, c->access_key_id, strlen(c->access_key_id) + 1) == 1 &&
             EVP_DigestUpdate(ctx, c->secret_access_key, strlen(c->secret_access_key)) == 1 &&
             EVP_DigestFinal_ex(ctx, out, &out_len) == 1 && out_len == 32;
    EVP_MD_CTX_free(ctx); /* OpenSSL wipes the digest state it frees */
    return ok ? 0 : -1;
}

HS_UNITTEST enum hs_code aws__sigv4_derive_key(const char *secret, const char *date8,
                                               const char *region, const char *service,
                                               unsigned char key[32], struct hs_err *err)
{
    size_t secret_len = strlen(secret);
    size_t k_secret_len = secret_len + 4;
    unsigned char *k_secret = hs_malloc(k_secret_len);
    unsigned char k_date[32], k_region[32], k_service[32];
    int bad;

    memcpy(k_secret, "AWS4", 4);
    memcpy(k_secret + 4, secret, secret_len);
    bad = hmac_sha256(k_secret, k_secret_len, date8, strlen(date8), k_date) ||
          hmac_sha256(k_date, sizeof(k_date), region, strlen(region), k_region) ||
          hmac_sha256(k_region, sizeof(k_region), service, strlen(service), k_service) ||
          hmac_sha256(k_service, sizeof(k_service), SCOPE_TERMINATOR, sizeof(SCOPE_TERMINATOR) - 1,
                      key);
    OPENSSL_cleanse(k_secret, k_secret_len);
    hs_free(k_secret);
    OPENSSL_cleanse(k_date, sizeof(k_date));
    OPENSSL_cleanse(k_region, sizeof(k_region));
    OPENSSL_cleanse(k_service, sizeof(k_service));
    if (bad) {
        OPENSSL_cleanse(key, 32);
        return hs_err_set(err, HS_EIO, "cannot derive the SigV4 signing key: HMAC-SHA256 failed");
    }
    return HS_OK;
}

/* The signing key for creds on date8 in region for service, from the cache
 * when the signer has it. */
static enum hs_code signing_key(struct aws_sigv4_signer *s, const struct aws_credentials *creds,
                                const char *date8, const char *region, const char *service,
                                unsigned char key[32], struct hs_err *err)
{
    unsigned char fp[32];
    struct key_slot *victim = NULL;
    enum hs_code rc;

    if (!s)
        return aws__sigv4_derive_key(creds->secret_access_key, date8, region, service, key, err);
    if (cred_fingerprint(creds, fp) != 0)
        return hs_err_set(err, HS_EIO, "cannot fingerprint AWS credentials: SHA-256 failed");
    for (size_t i = 0; i < KEY_SLOTS; i++) {
        struct key_slot *k = &s->slots[i];
        if (k->used && strcmp(k->date, date8) == 0 && strcmp(k->region, region) == 0 &&
            strcmp(k->service, service) == 0 && CRYPTO_memcmp(k->cred_fp, fp, sizeof(fp)) == 0) {
            memcpy(key, k->key, 32);
            k->last_use = ++s->tick;
            OPENSSL_cleanse(fp, sizeof(fp));
            return HS_OK;
        }
        if (!victim || (victim->used && (!k->used || k->last_use < victim->last_use)))
            victim = k;
    }
    OPENSSL_cleanse(victim, sizeof(*victim));
    rc = aws__sigv4_derive_key(creds->secret_access_key, date8, region, service, victim->key, err);
    if (rc) {
        OPENSSL_cleanse(fp, sizeof(fp));
        return rc;
    }
    s->derivations++;
    victim->used = true;
    victim->last_use = ++s->tick;
    memcpy(victim->date, date8, sizeof(victim->date));
    memcpy(victim->region, region, strlen(region) + 1);
    memcpy(victim->service, service, strlen(service) + 1);
    memcpy(victim->cred_fp, fp, sizeof(fp));
    OPENSSL_cleanse(fp, sizeof(fp));
    memcpy(key, victim->key, 32);
    return HS_OK;
}

struct aws_sigv4_signer *aws_sigv4_signer_new(void)
{
    return hs_calloc(1, sizeof(struct aws_sigv4_signer));
}

void aws_sigv4_signer_free(struct aws_sigv4_signer **s)
{
    if (!s || !*s)
        return;
    OPENSSL_cleanse(*s, sizeof(**s));
    hs_free(*s);
    *s = NULL;
}

#ifdef HS_UNITTEST_BUILD
unsigned long aws__sigv4_signer_derivations(const struct aws_sigv4_signer *signer)
{
    return signer->derivations;
}
#endif

/* ---- canonical URI ------------------------------------------------------ */

HS_UNITTEST void aws__sigv4_canonical_uri(struct hs_buf *b, const char *path, bool normalize)
{
    struct seg {
        const char *p;
        size_t n;
    } * segs;
    size_t n, nseg = 0;

    if (!path || !*path) {
        hs_buf_addc(b, '/');
        return;
    }
    n = strlen(path);
    if (!normalize) {
        aws_uri_encode(b, path, n, true);
        return;
    }
    /* Remove "." and ".." segments (never above the root) and empty ones. */
    segs = hs_malloc(sizeof(*segs) * (n / 2 + 1));
    for (size_t i = 0; i < n;) {
        size_t start, len;
        while (i < n && path[i] == '/')
            i++;
        start = i;
        while (i < n && path[i] != '/')
            i++;
        len = i - start;
        if (len == 0 || (len == 1 && path[start] == '.'))
            continue;
        if (len == 2 && path[start] == '.' && path[start + 1] == '.') {
            if (nseg > 0)
                nseg--;
            continue;
        }
        segs[nseg].p = path + start;
        segs[nseg].n = len;
        nseg++;
    }
    hs_buf_addc(b, '/');
    for (size_t i = 0; i < nseg; i++) {
        if (i > 0)
            hs_buf_addc(b, '/');
        aws_uri_encode(b, segs[i].p, segs[i].n, false);
    }
    if (nseg > 0 && path[n - 1] == '/')
        hs_buf_addc(b, '/');
    hs_free(segs);
}

/* ---- canonical query ---------------------------------------------------- */

struct param {
    char *key;   /* encoded, owned */
    char *value; /* encoded, owned */
};

struct params {
    struct param *v;
    size_t n, cap;
};

static void params_release(struct params *ps)
{
    for (size_t i = 0; i < ps->n; i++) {
        wipe_free(ps->v[i].key);
        wipe_free(ps->v[i].value); /* may hold the session token */
    }
    hs_free(ps->v);
    ps->v = NULL;
    ps->n = ps->cap = 0;
}

/* Adds a parameter whose key and value are raw (not yet encoded). */
static void params_add_raw(struct params *ps, const char *k, size_t kn, const char *v, size_t vn)
{
    struct hs_buf kb, vb;
    hs_buf_init(&kb);
    hs_buf_init(&vb);
    aws_uri_encode(&kb, k, kn, false);
    aws_uri_encode(&vb, v, vn, false);
    HS_GROW(ps->v, ps->cap, ps->n + 1);
    ps->v[ps->n].key = hs_buf_detach(&kb);
    ps->v[ps->n].value = hs_buf_detach(&vb);
    ps->n++;
}

/* Adds the parameters of a wire-form query string, decoded then re-encoded.
 * With check_owned, fails on a parameter the presigner sets itself. */
static enum hs_code params_add_query(struct params *ps, const char *query, bool check_owned,
                                     struct hs_err *err)
{
    struct hs_buf kb, vb;
    enum hs_code rc = HS_OK;
    const char *s = query;

    hs_buf_init(&kb);
    hs_buf_init(&vb);
    while (s && *s) {
        size_t len = strcspn(s, "&");
        const char *eq = memchr(s, '=', len);
        size_t kn = eq ? (size_t)(eq - s) : len;
        if (len > 0) {
            hs_buf_clear(&kb);
            hs_buf_clear(&vb);
            uri_decode(&kb, s, kn);
            if (eq)
                uri_decode(&vb, eq + 1, len - kn - 1);
            if (check_owned) {
                for (size_t i = 0; i < HS_ARRAY_LEN(owned_params); i++) {
                    if (strcasecmp(kb.data, owned_params[i]) == 0) {
                        rc = hs_err_set(err, HS_EINVAL,
                                        "query parameter '%s' is set by the SigV4 presigner",
                                        owned_params[i]);
                        goto out;
                    }
                }
            }
            params_add_raw(ps, kb.data, kb.len, vb.data, vb.len);
        }
        s += len;
        if (*s == '&')
            s++;
    }
out:
    wipe_buf_release(&kb);
    wipe_buf_release(&vb);
    return rc;
}

static int param_cmp(const void *a, const void *b)
{
    const struct param *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->value, y->value);
}

static void params_write_sorted(struct params *ps, struct hs_buf *b)
{
    if (ps->n > 1)
        qsort(ps->v, ps->n, sizeof(ps->v[0]), param_cmp);
    for (size_t i = 0; i < ps->n; i++) {
        if (i > 0)
            hs_buf_addc(b, '&');
        hs_buf_adds(b, ps->v[i].key);
        hs_buf_addc(b, '=');
        hs_buf_adds(b, ps->v[i].value);
    }
}

#ifdef HS_UNITTEST_BUILD
void aws__sigv4_canonical_query(struct hs_buf *b, const char *query)
{
    struct params ps = { 0 };
    (void)params_add_query(&ps, query, false, NULL); /* cannot fail without check_owned */
    params_write_sorted(&ps, b);
    params_release(&ps);
}
#endif

/* ---- canonical headers -------------------------------------------------- */

struct hdr {
    char *lname;       /* lower-case name, owned */
    const char *value; /* borrowed */
    size_t order;      /* position in the request, for a stable sort */
};

struct hdrs {
    struct hdr *v;
    size_t n, cap;
};

static void hdrs_release(struct hdrs *hs)
{
    for (size_t i = 0; i < hs->n; i++)
        hs_free(hs->v[i].lname);
    hs_free(hs->v);
    hs->v = NULL;
    hs->n = hs->cap = 0;
}

static void hdrs_add(struct hdrs *hs, const char *name, const char *value)
{
    size_t n = strlen(name);
    char *l = hs_malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        l[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] - 'A' + 'a') : name[i];
    l[n] = '\0';
    HS_GROW(hs->v, hs->cap, hs->n + 1);
    hs->v[hs->n].lname = l;
    hs->v[hs->n].value = value;
    hs->v[hs->n].order = hs->n;
    hs->n++;
}

static int hdr_cmp(const void *a, const void *b)
{
    const struct hdr *x = a, *y = b;
    int c = strcmp(x->lname, y->lname);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Appends value trimmed, with each inner run of blanks made one space. */
static void add_canonical_value(struct hs_buf *b, const char *v)
{
    bool started = false, pending = false;
    for (; *v; v++) {
        if (is_blank(*v)) {
            pending = started;
            continue;
        }
        if (pending)
            hs_buf_addc(b, ' ');
        hs_buf_addc(b, *v);
        started = true;
        pending = false;
    }
}

/* Collects the request's headers, checking each; the caller adds its own. */
static enum hs_code hdrs_from_request(struct hdrs *hs, const struct aws_sigv4_request *req,
                                      struct hs_err *err)
{
    if (req->nheaders > 0 && !req->headers)
        return hs_err_set(err, HS_EINVAL, "SigV4 request has %zu headers but no header array",
                          req->nheaders);
    if (req->host) {
        if (!*req->host || strpbrk(req->host, "\r\n"))
            return hs_err_set(err, HS_EINVAL, "SigV4 request host is empty or holds CR/LF");
        hdrs_add(hs, "host", req->host);
    }
    for (size_t i = 0; i < req->nheaders; i++) {
        const struct aws_sigv4_header_in *h = &req->headers[i];
        if (!h->name || !*h->name || !h->value)
            return hs_err_set(err, HS_EINVAL, "SigV4 request header %zu has no name or value", i);
        for (const char *c = h->name; *c; c++)
            if (!is_tchar((unsigned char)*c))
                return hs_err_set(err, HS_EINVAL, "SigV4 request header name '%.64s' is invalid",
                                  h->name);
        if (strpbrk(h->value, "\r\n"))
            return hs_err_set(err, HS_EINVAL, "SigV4 request header '%.64s' holds CR or LF",
                              h->name);
        for (size_t k = 0; k < HS_ARRAY_LEN(owned_headers); k++)
            if (strcasecmp(h->name, owned_headers[k]) == 0)
                return hs_err_set(err, HS_EINVAL, "header '%s' is set by the SigV4 signer",
                                  h->name);
        if (req->host && strcasecmp(h->name, "host") == 0)
            return hs_err_set(err, HS_EINVAL,
                              "SigV4 request gives the host both as a field and as a header");
        hdrs_add(hs, h->name, h->value);
    }
    return HS_OK;
}

/* Sorts hs and writes the canonical headers block (each line ends with '\n')
 * and the signed-headers list. */
static void hdrs_write(struct hdrs *hs, struct hs_buf *canon, struct hs_buf *signed_list)
{
    qsort(hs->v, hs->n, sizeof(hs->v[0]), hdr_cmp);
    for (size_t i = 0; i < hs->n; i++) {
        bool same = i > 0 && strcmp(hs->v[i].lname, hs->v[i - 1].lname) == 0;
        if (same) {
            hs_buf_addc(canon, ',');
        } else {
            if (i > 0) {
                hs_buf_addc(canon, '\n');
                hs_buf_addc(signed_list, ';');
            }
            hs_buf_adds(canon, hs->v[i].lname);
            hs_buf_addc(canon, ':');
            hs_buf_adds(signed_list, hs->v[i].lname);
        }
        add_canonical_value(canon, hs->v[i].value);
    }
    if (hs->n > 0)
        hs_buf_addc(canon, '\n');
}

/* ---- input checks ------------------------------------------------------- */

static bool valid_scope_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > NAME_MAX_LEN)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

static bool valid_access_key_id(const char *s)
{
    if (!s || !*s || strlen(s) > 128)
        return false;
    for (; *s; s++)
        if (*s <= ' ' || *s > '~' || strchr("/,;=\"", *s))
            return false;
    return true;
}

static enum hs_code check_inputs(const struct aws_sigv4_request *req,
                                 const struct aws_credentials *creds,
                                 const struct aws_sigv4_params *p, struct hs_err *err)
{
    if (!req || !creds || !p)
        return hs_err_set(err, HS_EINVAL, "SigV4 signing needs a request, credentials and params");
    if (!req->method || !*req->method)
        return hs_err_set(err, HS_EINVAL, "SigV4 request has no method");
    for (const char *c = req->method; *c; c++)
        if (!is_tchar((unsigned char)*c))
            return hs_err_set(err, HS_EINVAL, "SigV4 request method '%.32s' is invalid",
                              req->method);
    if (req->path && strpbrk(req->path, "?#\r\n"))
        return hs_err_set(err, HS_EINVAL, "SigV4 request path '%.128s' holds '?', '#', CR or LF",
                          req->path);
    if (req->body_len > 0 && !req->body)
        return hs_err_set(err, HS_EINVAL, "SigV4 request has a body length but no body");
    if (!valid_access_key_id(creds->access_key_id))
        return hs_err_set(err, HS_EINVAL, "AWS access key id is empty or malformed");
    if (!creds->secret_access_key || !*creds->secret_access_key)
        return hs_err_set(err, HS_EINVAL, "AWS secret access key is empty");
    if (creds->session_token && strpbrk(creds->session_token, "\r\n"))
        return hs_err_set(err, HS_EINVAL, "AWS session token holds CR or LF");
    if (!valid_scope_name(p->region))
        return hs_err_set(err, HS_EINVAL, "AWS region '%.64s' is empty or malformed",
                          p->region ? p->region : "");
    if (!valid_scope_name(p->service))
        return hs_err_set(err, HS_EINVAL, "AWS signing service '%.64s' is empty or malformed",
                          p->service ? p->service : "");
    if (p->mode != AWS_SIGV4_HEADER && p->mode != AWS_SIGV4_QUERY)
        return hs_err_set(err, HS_EINVAL, "unknown SigV4 mode %d", (int)p->mode);
    if (p->mode == AWS_SIGV4_QUERY && (p->expires_s < 1 || p->expires_s > MAX_EXPIRES_S))
        return hs_err_set(err, HS_EINVAL, "presigned URL expiry %lld s is outside 1..%d",
                          (long long)p->expires_s, MAX_EXPIRES_S);
    return HS_OK;
}

/* "YYYYMMDDTHHMMSSZ" and "YYYYMMDD" of now_ns. */
static enum hs_code format_time(int64_t now_ns, char amz_date[17], char date8[9],
                                struct hs_err *err)
{
    time_t secs;
    struct tm tm;

    if (now_ns < 0)
        return hs_err_set(err, HS_EINVAL, "SigV4 signing time %lld is before 1970",
                          (long long)now_ns);
    secs = (time_t)(now_ns / HS_SEC);
    if (!gmtime_r(&secs, &tm) || strftime(amz_date, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
        return hs_err_set(err, HS_EINVAL, "SigV4 signing time %lld cannot be formatted",
                          (long long)now_ns);
    memcpy(date8, amz_date, 8);
    date8[8] = '\0';
    return HS_OK;
}

/* ---- signing ------------------------------------------------------------ */

void aws_sigv4_params_init(struct aws_sigv4_params *p, const char *region, const char *service,
                           int64_t now_ns)
{
    memset(p, 0, sizeof(*p));
    p->region = region;
    p->service = service;
    p->now_ns = now_ns;
    p->mode = AWS_SIGV4_HEADER;
    p->normalize_path = true;
    p->expires_s = 3600;
}

void aws_sigv4_result_init(struct aws_sigv4_result *r)
{
    memset(r, 0, sizeof(*r));
    hs_buf_init(&r->canonical_request);
    hs_buf_init(&r->string_to_sign);
}

void aws_sigv4_result_release(struct aws_sigv4_result *r)
{
    for (size_t i = 0; i < r->nheaders; i++)
        wipe_free(r->headers[i].value);
    r->nheaders = 0;
    wipe_free(r->query);
    r->query = NULL;
    OPENSSL_cleanse(r->signature, sizeof(r->signature));
    wipe_buf_release(&r->canonical_request);
    wipe_buf_release(&r->string_to_sign);
}

const char *aws_sigv4_result_header(const struct aws_sigv4_result *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

static void add_out_header(struct aws_sigv4_result *r, const char *name, const char *value)
{
    HS_BUG_ON(r->nheaders >= AWS_SIGV4_MAX_OUT_HEADERS);
    r->headers[r->nheaders].name = name;
    r->headers[r->nheaders].value = hs_strdup(value);
    r->nheaders++;
}

enum hs_code aws_sigv4_sign(struct aws_sigv4_signer *signer, const struct aws_sigv4_request *req,
                            const struct aws_credentials *creds, const struct aws_sigv4_params *p,
                            struct aws_sigv4_result *out, struct hs_err *err)
{
    char amz_date[17], date8[9], payload_hex[65], expires[24];
    unsigned char digest[32], key[32];
    const char *payload_hash, *token;
    bool query_mode, sign_token;
    struct hdrs hs = { 0 };
    struct params ps = { 0 };
    struct hs_buf canon_headers, signed_list, scope, creq, sts, tmp;
    enum hs_code rc;

    hs_buf_init(&canon_headers);
    hs_buf_init(&signed_list);
    hs_buf_init(&scope);
    hs_buf_init(&creq);
    hs_buf_init(&sts);
    hs_buf_init(&tmp);
    aws_sigv4_result_release(out);
    aws_sigv4_result_init(out);

    rc = check_inputs(req, creds, p, err);
    if (rc)
        goto out;
    rc = format_time(p->now_ns, amz_date, date8, err);
    if (rc)
        goto out;
    query_mode = p->mode == AWS_SIGV4_QUERY;
    token = creds->session_token && *creds->session_token ? creds->session_token : NULL;
    sign_token = token && !p->omit_session_token;

    if (p->unsigned_payload) {
        payload_hash = UNSIGNED_PAYLOAD;
    } else {
        if (sha256(req->body, req->body_len, digest) != 0) {
            rc = hs_err_set(err, HS_EIO, "cannot hash the request body: SHA-256 failed");
            goto out;
        }
        to_hex(digest, sizeof(digest), payload_hex);
        payload_hash = payload_hex;
    }

    /* Headers: the request's, then those the signer adds and signs. */
    rc = hdrs_from_request(&hs, req, err);
    if (rc)
        goto out;
    if (!query_mode) {
        hdrs_add(&hs, "x-amz-date", amz_date);
        if (p->add_content_sha256)
            hdrs_add(&hs, "x-amz-content-sha256", payload_hash);
        if (sign_token)
            hdrs_add(&hs, "x-amz-security-token", token);
    }
    {
        size_t nhost = 0;
        for (size_t i = 0; i < hs.n; i++)
            nhost += strcmp(hs.v[i].lname, "host") == 0;
        if (nhost != 1) {
            rc = hs_err_set(err, HS_EINVAL, "SigV4 request has %zu Host headers, needs exactly 1",
                            nhost);
            goto out;
        }
    }
    hdrs_write(&hs, &canon_headers, &signed_list);
    hs_buf_addf(&scope, "%s/%s/%s/%s", date8, p->region, p->service, SCOPE_TERMINATOR);

    /* Query: the request's parameters, and in presigned mode the X-Amz-* ones. */
    rc = params_add_query(&ps, req->query, query_mode, err);
    if (rc)
        goto out;
    if (query_mode) {
        snprintf(expires, sizeof(expires), "%lld", (long long)p->expires_s);
        hs_buf_addf(&tmp, "%s/%s", creds->access_key_id, scope.data);
        params_add_raw(&ps, "X-Amz-Algorithm", 15, ALGORITHM, sizeof(ALGORITHM) - 1);
        params_add_raw(&ps, "X-Amz-Credential", 16, tmp.data, tmp.len);
        params_add_raw(&ps, "X-Amz-Date", 10, amz_date, strlen(amz_date));
        params_add_raw(&ps, "X-Amz-Expires", 13, expires, strlen(expires));
        params_add_raw(&ps, "X-Amz-SignedHeaders", 19, signed_list.data, signed_list.len);
        if (sign_token)
            params_add_raw(&ps, "X-Amz-Security-Token", 20, token, strlen(token));
    }

    /* Canonical request. */
    hs_buf_adds(&creq, req->method);
    hs_buf_addc(&creq, '\n');
    aws__sigv4_canonical_uri(&creq, req->path, p->normalize_path);
    hs_buf_addc(&creq, '\n');
    params_write_sorted(&ps, &creq);
    hs_buf_addc(&creq, '\n');
    hs_buf_add(&creq, canon_headers.data, canon_headers.len);
    hs_buf_addc(&creq, '\n');
    hs_buf_add(&creq, signed_list.data, signed_list.len);
    hs_buf_addc(&creq, '\n');
    hs_buf_adds(&creq, payload_hash);

    /* String to sign. */
    if (sha256(creq.data, creq.len, digest) != 0) {
        rc = hs_err_set(err, HS_EIO, "cannot hash the canonical request: SHA-256 failed");
        goto out;
    }
    {
        char creq_hex[65];
        to_hex(digest, sizeof(digest), creq_hex);
        hs_buf_addf(&sts, "%s\n%s\n%s\n%s", ALGORITHM, amz_date, scope.data, creq_hex);
    }

    /* Signature. */
    rc = signing_key(signer, creds, date8, p->region, p->service, key, err);
    if (rc)
        goto out;
    if (hmac_sha256(key, sizeof(key), sts.data, sts.len, digest) != 0) {
        OPENSSL_cleanse(key, sizeof(key));
        rc = hs_err_set(err, HS_EIO, "cannot sign the request: HMAC-SHA256 failed");
        goto out;
    }
    OPENSSL_cleanse(key, sizeof(key));
    to_hex(digest, sizeof(digest), out->signature);
    OPENSSL_cleanse(digest, sizeof(digest));

    /* What the caller adds to the request. */
    if (query_mode) {
        struct hs_buf q;
        hs_buf_init(&q);
        hs_buf_adds(&q, "X-Amz-Algorithm=" ALGORITHM "&X-Amz-Credential=");
        aws_uri_encode(&q, tmp.data, tmp.len, false);
        hs_buf_addf(&q, "&X-Amz-Date=%s&X-Amz-SignedHeaders=", amz_date);
        aws_uri_encode(&q, signed_list.data, signed_list.len, false);
        hs_buf_addf(&q, "&X-Amz-Expires=%s", expires);
        if (token) {
            hs_buf_adds(&q, "&X-Amz-Security-Token=");
            aws_uri_encode(&q, token, strlen(token), false);
        }
        hs_buf_addf(&q, "&X-Amz-Signature=%s", out->signature);
        out->query = hs_buf_detach(&q);
    } else {
        if (token)
            add_out_header(out, "X-Amz-Security-Token", token);
        add_out_header(out, "X-Amz-Date", amz_date);
        if (p->add_content_sha256)
            add_out_header(out, "x-amz-content-sha256", payload_hash);
        hs_buf_clear(&tmp);
        hs_buf_addf(&tmp, "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s", ALGORITHM,
                    creds->access_key_id, scope.data, signed_list.data, out->signature);
        add_out_header(out, "Authorization", tmp.data);
    }
    if (p->keep_intermediate) {
        hs_buf_add(&out->canonical_request, creq.data, creq.len);
        hs_buf_add(&out->string_to_sign, sts.data, sts.len);
    }

out:
    if (rc) {
        aws_sigv4_result_release(out);
        aws_sigv4_result_init(out);
    }
    hdrs_release(&hs);
    params_release(&ps);
    wipe_buf_release(&canon_headers);
    wipe_buf_release(&signed_list);
    wipe_buf_release(&scope);
    wipe_buf_release(&creq);
    wipe_buf_release(&sts);
    wipe_buf_release(&tmp);
    return rc;
}
