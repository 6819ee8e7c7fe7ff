/*
 * Fuzz target for cmd/hoist/flags.c, the parser of hoist's command line (a
 * manifest's args): the input split at NUL bytes is an argv. Every argv is
 * either accepted or refused with one line, and the config it leaves is
 * always released cleanly. Must never crash, leak or print.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    const char *argv[64];
    int argc = 0;
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    for (size_t i = 0; i <= size && argc < 64;) {
        argv[argc++] = copy + i;
        i += strlen(copy + i) + 1;
    }
    static const unsigned scopes[] = { CLI_SCOPE_RUN, CLI_SCOPE_SIMULATE,
                                       CLI_SCOPE_RUN | CLI_SCOPE_DISCOVER };
    for (size_t s = 0; s < sizeof(scopes) / sizeof(scopes[0]); s++) {
        struct cli_config cfg;
        struct hs_err err = { 0 };
        cli_config_init(&cfg);
        enum hs_code rc = cli_parse_flags(&cfg, argc, argv, scopes[s], &err);
        if (rc != HS_OK && (err.msg[0] == '\0' || strchr(err.msg, '\n')))
            abort();
        cli_config_release(&cfg);
    }
    free(copy);
    return 0;
}
