/*
 * Fuzz target for aws_http_date_parse (lib/aws/retry.c): the Date header of
 * an AWS answer, which decides the clock-skew correction. Any bytes are
 * either no date, or a time from 1970 on that formats back (gmtime_r) to
 * the same calendar fields the header named, in range. Must never crash,
 * overflow or read past the string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/retry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256) /* a header line; longer inputs only slow the search */
        return 0;
    char s[257];
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t ns = -1;
    if (!aws_http_date_parse(s, &ns))
        return 0;
    if (ns < 0 || ns % 1000000000 != 0)
        abort();
    time_t t = (time_t)(ns / 1000000000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 1970)
        abort();
    return 0;
}
