/*
 * Fuzz target for the ExecCredential parser of lib/kube/exec_cred.c
 * (kube_exec_parse): what an exec credential plugin prints on stdout, read
 * for both client.authentication.k8s.io/v1 and v1beta1. Any bytes give a
 * credential or HS_EPARSE. A credential has a non-empty token or both a
 * certificate and a key. An error message never quotes the secret: when the
 * input holds a status.token, status.clientKeyData or
 * status.clientCertificateData string, the message must not contain it
 * (unless the same text also sits in a field the message may name).
 * Must never crash, leak or hang.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "kube/exec_cred.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool contains(const char *hay, const char *needle)
{
    return hay && needle && strstr(hay, needle) != NULL;
}

/* Whether the error message leaks the secret in `secret` (a field of
 * status). Texts of fewer than 4 bytes are skipped: they occur anywhere. */
static void check_no_leak(const char *msg, json_t *root, const char *field)
{
    json_t *status = json_object_get(root, "status");
    const char *secret = jstr(status, field);
    if (!secret || strlen(secret) < 4 || !contains(msg, secret))
        return;
    /* The message may name kind, apiVersion and expirationTimestamp. */
    if (contains(jstr(root, "kind"), secret) || contains(jstr(root, "apiVersion"), secret) ||
        contains(jstr(status, "expirationTimestamp"), secret))
        return;
    /* ... and its own fixed words ("ExecCredential", "status", ...). */
    static const char *const fixed =
        "its output is not an ExecCredential JSON object bytes; not an object invalid JSON "
        "has kind want apiVersion client.authentication.k8s.io/v1beta1 has no status object "
        "status has only one of clientCertificateData and clientKeyData neither token nor "
        "expirationTimestamp is not RFC 3339";
    if (contains(fixed, secret))
        return;
    fprintf(stderr, "an error message quotes status.%s\n", field);
    abort();
}

static void one(const uint8_t *data, size_t size, const char *api_version)
{
    char *token, *cert, *key;
    int64_t exp;
    struct hs_err err = { 0 };
    enum hs_code rc =
        kube_exec_parse((const char *)data, size, api_version, &token, &cert, &key, &exp, &err);
    if (rc == HS_OK) {
        if (!(token && *token) && !(cert && *cert && key && *key))
            abort(); /* a credential with nothing in it */
        if ((cert == NULL) != (key == NULL))
            abort();
    } else {
        if (rc != HS_EPARSE || token || cert || key)
            abort();
        json_t *root = json_loadb((const char *)data, size, 0, NULL);
        if (root) {
            check_no_leak(err.msg, root, "token");
            check_no_leak(err.msg, root, "clientKeyData");
            check_no_leak(err.msg, root, "clientCertificateData");
        }
        json_decref(root);
    }
    hs_free(token);
    hs_free(cert);
    hs_free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size, "client.authentication.k8s.io/v1");
    one(data, size, "client.authentication.k8s.io/v1beta1");
    return 0;
}
