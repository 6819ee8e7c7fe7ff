/*
 * HS_BUG: the always-on report of an invariant hoist itself broke. It writes
 * one line naming the place and aborts, so a core dump or the pod's last log
 * line shows where.
 */
#include "base/common.h"

#include <stdio.h>
#include <stdlib.h>

void hs__bug(const char *file, int line, const char *what)
{
    fprintf(stderr, "hoist: BUG at %s:%d: %s\n", file, line, what);
    fflush(stderr);
    abort();
}
