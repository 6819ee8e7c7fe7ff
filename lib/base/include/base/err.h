/*
 * hoist's single error vocabulary. Fallible functions return enum hs_code
 * (0 = HS_OK) and fill an optional struct hs_err with the first error's
 * detail; later errors never overwrite it. Codes are only ever appended to the
 * table: their numbers appear in logs and metrics.
 */
#ifndef HOIST_BASE_ERR_H
#define HOIST_BASE_ERR_H

#include "base/common.h"

/* X(NAME, "description"). Append only. */
#define HS_ERRNO_MAP(X)                \
    X(OK, "success")                   \
    X(EINVAL, "invalid argument")      \
    X(ENOMEM, "out of memory")         \
    X(EIO, "input/output error")       \
    X(EPARSE, "cannot parse input")    \
    X(ERANGE, "value out of range")    \
    X(ENOTFOUND, "not found")          \
    X(ENOTSUP, "not supported")        \
    X(ENOTIMPL, "not implemented yet") \
    X(ETIMEDOUT, "timed out")          \
    X(EHTTP, "HTTP error")             \
    X(EAWS, "AWS API error")           \
    X(EKUBE, "Kubernetes API error")   \
    X(EAUTH, "authentication failed")  \
    X(ECONFLICT, "conflict")           \
    X(ESTATE, "invalid state")         \
    X(ECANCELED, "canceled")           \
    X(EEXIST, "already exists")        \
    X(ETHROTTLED, "throttled")         \
    X(ECONNECT, "connection failed")

enum hs_code {
#define HS__ERR_ENUM(name, text) HS_##name,
    HS_ERRNO_MAP(HS__ERR_ENUM)
#undef HS__ERR_ENUM
        HS__ERR_COUNT
};

#define HS_ERR_MSG_MAX 512

/* Detail of the first error. Zero-initialise ({0}) before use. */
struct hs_err {
    enum hs_code code;        /* HS_OK while no error was recorded */
    int http_status;          /* HTTP status when the error came from a response, else 0 */
    char msg[HS_ERR_MSG_MAX]; /* one line naming the subject at fault */
};

/* Static description ("invalid argument"); "unknown error" for a bad code. */
const char *hs_strerror(enum hs_code code);
/* Static symbolic name ("EINVAL"); "EUNKNOWN" for a bad code. */
const char *hs_errname(enum hs_code code);

/* Records code and a printf-formatted message in err (borrowed, may be NULL)
 * unless it already holds an error. Returns code, so callers can write
 * `return hs_err_set(err, HS_EPARSE, "...")`. */
enum hs_code hs_err_set(struct hs_err *err, enum hs_code code, const char *fmt, ...)
    HS_PRINTF(3, 4);
/* As hs_err_set, with the HTTP status of the response at fault. */
enum hs_code hs_err_set_http(struct hs_err *err, enum hs_code code, int http_status,
                             const char *fmt, ...) HS_PRINTF(4, 5);
/* Prefixes the recorded message with "<prefix>: " (context added on the way
 * up: the file name, the JSON path). No-op when no error is recorded. */
void hs_err_prefix(struct hs_err *err, const char *fmt, ...) HS_PRINTF(2, 3);
/* Forgets the recorded error. */
void hs_err_clear(struct hs_err *err);

#endif
