/*
 * Fuzz target for lib/base/duration.c, which parses every duration flag
 * (--scan-interval=10s): any bytes either fail with a one-line message or
 * parse, and a parsed duration printed as Go prints it parses back to the
 * same value. Must never crash or overflow.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/duration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char s[256];
    if (size >= sizeof(s)) /* flags are short; longer inputs only test truncation */
        size = sizeof(s) - 1;
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t d = 0;
    struct hs_err err = { 0 };
    enum hs_code rc = hs_duration_parse(s, &d, &err);
    if (rc != HS_OK) {
        if ((rc != HS_EPARSE && rc != HS_ERANGE) || err.msg[0] == '\0' || strchr(err.msg, '\n'))
            abort();
        return 0;
    }
    char text[HS_DURATION_STR_MAX];
    int64_t back = 0;
    struct hs_err err2 = { 0 };
    if (hs_duration_parse(hs_duration_format(d, text, sizeof(text)), &back, &err2) != HS_OK ||
        back != d)
        abort();
    return 0;
}
