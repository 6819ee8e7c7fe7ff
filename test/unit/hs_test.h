/*
 * What every cmocka test of hoist includes: cmocka's own headers in the order
 * it needs, and small helpers. Assertions come from cmocka and print both
 * values on failure; tests never use a bare assert().
 */
#ifndef HOIST_TEST_HS_TEST_H
#define HOIST_TEST_HS_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

/* Path of a file under ../shared/testdata (the HOIST_TESTDATA directory). */
static inline const char *hs_testdata_dir(void)
{
    const char *d = getenv("HOIST_TESTDATA");
    return d ? d : "../shared/testdata";
}

#endif
