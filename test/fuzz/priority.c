/*
 * Fuzz target for lib/autoscaler/priority.c, the parser of the priority
 * expander's `priorities` text (a ConfigMap a user edits, or
 * --priority-config): any bytes either fail with HS_EPARSE and a one-line
 * message, or parse into rules that answer for any group name. Must never
 * crash, leak or hang (regcomp is given whatever survives the parser).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "autoscaler/expander.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct asc_priorities *p = NULL;
    struct hs_err err = { 0 };
    enum hs_code rc = asc_priorities_parse((const char *)data, size, &p, &err);
    if (rc != HS_OK) {
        if (rc != HS_EPARSE || p != NULL || err.msg[0] == '\0' || strchr(err.msg, '\n'))
            abort();
        return 0;
    }
    static const char *const names[] = { "", "ng-a", "spot-m5-large", "on-demand",
                                         "eks-gpu-p3-2xlarge-1a2b3c" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        int64_t prio;
        (void)asc_priorities_of(p, names[i], &prio);
    }
    asc_priorities_free(&p);
    if (p != NULL)
        abort();
    return 0;
}
