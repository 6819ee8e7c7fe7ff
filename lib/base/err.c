/*
 * The error table and first-error-wins recording. Never allocates: messages
 * live in the fixed buffer of struct hs_err.
 */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const descriptions[] = {
#define X(name, text) text,
    HS_ERRNO_MAP(X)
#undef X
};

static const char *const names[] = {
#define X(name, text) #name,
    HS_ERRNO_MAP(X)
#undef X
};

const char *hs_strerror(enum hs_code code)
{
    if ((unsigned)code >= (unsigned)HS__ERR_COUNT)
        return "unknown error";
    return descriptions[code];
}

const char *hs_errname(enum hs_code code)
{
    if ((unsigned)code >= (unsigned)HS__ERR_COUNT)
        return "EUNKNOWN";
    return names[code];
}

static enum hs_code vset(struct hs_err *err, enum hs_code code, int http_status, const char *fmt,
                         va_list ap) HS_PRINTF(4, 0);

static enum hs_code vset(struct hs_err *err, enum hs_code code, int http_status, const char *fmt,
                         va_list ap)
{
    if (err == NULL || err->code != HS_OK || code == HS_OK)
        return code;
    err->code = code;
    err->http_status = http_status;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    return code;
}

enum hs_code hs_err_set(struct hs_err *err, enum hs_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, 0, fmt, ap);
    va_end(ap);
    return code;
}

enum hs_code hs_err_set_http(struct hs_err *err, enum hs_code code, int http_status,
                             const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, http_status, fmt, ap);
    va_end(ap);
    return code;
}

void hs_err_prefix(struct hs_err *err, const char *fmt, ...)
{
    char prefix[HS_ERR_MSG_MAX];
    char joined[HS_ERR_MSG_MAX];
    va_list ap;
    int n;

    if (err == NULL || err->code == HS_OK)
        return;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    n = snprintf(joined, sizeof(joined), "%s: ", prefix);
    if (n < 0 || (size_t)n >= sizeof(joined))
        n = (int)sizeof(joined) - 1;
    size_t room = sizeof(joined) - (size_t)n;
    size_t mlen = strnlen(err->msg, room - 1);
    memcpy(joined + n, err->msg, mlen);
    joined[(size_t)n + mlen] = '\0';
    memcpy(err->msg, joined, sizeof(err->msg));
}

void hs_err_clear(struct hs_err *err)
{
    if (err == NULL)
        return;
    err->code = HS_OK;
    err->http_status = 0;
    err->msg[0] = '\0';
}
