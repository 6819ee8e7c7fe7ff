/*
 * Fuzz target for aws_creds_parse_json (lib/aws/creds_fetch.c): the JSON
 * document that IMDS (.../iam/security-credentials/<role>) and the EKS Pod
 * Identity / ECS container endpoint answer with. Whatever the bytes, the
 * parser returns credentials with a key id and a secret (and an expiry
 * whenever there is a session token), or a parse or auth error with a
 * message that starts with the caller's prefix and never quotes the secret
 * or the token (checked by parsing again with their text changed: the
 * message must not change). On error nothing is left in *out. Must never crash, leak, overflow or hang.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/creds_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where the text of "key":"<text>" starts in the input (the first such
 * spelling), and its length up to a quote or backslash; false if none, or
 * if the text has a byte outside printable ASCII (changing it could change
 * whether the document is valid JSON at all). */
static bool plain_value(const uint8_t *data, size_t size, const char *key, size_t *at, size_t *len)
{
    char pat[40];
    size_t k = (size_t)snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    for (size_t i = 0; k <= size && i <= size - k; i++) {
        if (memcmp(data + i, pat, k) != 0)
            continue;
        size_t j = i + k;
        while (j < size && data[j] != '"' && data[j] != '\\') {
            if (data[j] < 0x20 || data[j] > 0x7e)
                return false;
            j++;
        }
        *at = i + k;
        *len = j - *at;
        return true;
    }
    return false;
}

/* The message a parse of body gives (into msg). */
static enum hs_code parse_msg(const char *body, size_t size, char *msg, size_t cap)
{
    struct aws_creds c;
    struct hs_err err = { 0 };
    enum hs_code rc = aws_creds_parse_json(body, size, "fuzz credentials", &c, &err);
    aws_creds_release(&c);
    snprintf(msg, cap, "%s", err.msg);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy with no NUL after it: the parser must not read past it. */
    char *body = malloc(size ? size : 1);
    if (!body)
        abort();
    memcpy(body, data, size);
    struct aws_creds c;
    struct hs_err err = { 0 };
    enum hs_code rc = aws_creds_parse_json(body, size, "fuzz credentials", &c, &err);
    switch (rc) {
    case HS_OK:
        if (!c.access_key_id || !c.access_key_id[0] || !c.secret_access_key ||
            !c.secret_access_key[0])
            abort();
        if (c.session_token && c.expiration == 0)
            abort();
        aws_creds_release(&c);
        break;
    case HS_EPARSE:
    case HS_EAUTH: {
        if (c.access_key_id || c.secret_access_key || c.session_token || c.expiration)
            abort();
        if (strncmp(err.msg, "fuzz credentials: ", 18) != 0)
            abort();
        /* The message is the same whatever the secret's text: it quotes none. */
        static const char *const secret_keys[] = { "SecretAccessKey", "Token" };
        for (size_t i = 0; i < 2; i++) {
            size_t at, len;
            if (!plain_value(data, size, secret_keys[i], &at, &len))
                continue;
            for (size_t j = at; j < at + len; j++)
                body[j] = body[j] == 'Q' ? 'R' : 'Q';
            char msg[sizeof(err.msg)];
            if (parse_msg(body, size, msg, sizeof(msg)) != rc || strcmp(msg, err.msg) != 0)
                abort();
            memcpy(body, data, size);
        }
        break;
    }
    default:
        abort();
    }
    free(body);
    return 0;
}
