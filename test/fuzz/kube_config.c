/*
 * Fuzz target for the kubeconfig loader of lib/kube/config.c (YAML through
 * libyaml's document loader, then contexts, clusters, users and exec
 * plugins resolved as client-go does), fed from memory through the
 * test-only kube__config_load_text. The kubeconfig is named as if it lived
 * in a folder that does not exist, so relative file references fail to
 * stat instead of reading this machine's files.
 *
 * Any bytes give a configuration with an http(s) server, or one of the
 * documented errors with a message. A user's token never appears in an
 * error message (checked when the token's text occurs only once in the
 * input, so the message cannot have quoted it from elsewhere). Must never
 * crash, leak or hang.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/kube/config_int.h"
#include "kube/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle), c = 0;
    for (size_t i = 0; k && k <= n && i <= n - k; i++)
        if (memcmp(hay + i, needle, k) == 0)
            c++;
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy with no NUL after it: libyaml must not read past it. */
    char *text = malloc(size ? size : 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    struct kube_config c;
    struct hs_err err = { 0 };
    enum hs_code rc =
        kube__config_load_text("/nonexistent-hoist-fuzz/kubeconfig", text, size, NULL, &c, &err);
    switch (rc) {
    case HS_OK:
        if (!c.server ||
            (strncmp(c.server, "https://", 8) != 0 && strncmp(c.server, "http://", 7) != 0))
            abort();
        if (c.exec && (!c.exec->command || !c.exec->api_version || !c.exec->interactive_mode))
            abort();
        break;
    case HS_EPARSE:
    case HS_ENOTSUP:
    case HS_ENOTFOUND:
    case HS_EIO:
        if (!err.msg[0])
            abort();
        if (c.token && strlen(c.token) >= 4 && strstr(err.msg, c.token) &&
            count(data, size, c.token) == 1) {
            fprintf(stderr, "an error message quotes the user's token\n");
            abort();
        }
        break;
    default:
        fprintf(stderr, "unexpected code %s: %s\n", hs_errname(rc), err.msg);
        abort();
    }
    kube_config_release(&c);
    free(text);
    return 0;
}
