/*
 * Logging in klog's layouts, so existing log pipelines for cluster-autoscaler
 * keep working:
 *   text: I1128 08:00:00.000000    1234 file.c:123] message key="value"
 *   json: {"ts":1795852800.000000,"level":"info","caller":"file.c:123","v":0,
 *          "msg":"message","fields":{"key":"value"}}
 * Every line passes through hs_redact() before it is written: no token, key
 * or signature reaches a log, whatever the caller formatted into it.
 */
#ifndef HOIST_BASE_LOG_H
#define HOIST_BASE_LOG_H

#include <stddef.h>

#include "base/buf.h"
#include "base/common.h"

struct hs_clock;

enum hs_log_level { HS_LOG_INFO, HS_LOG_WARNING, HS_LOG_ERROR, HS_LOG_FATAL };
enum hs_log_format { HS_LOG_FMT_TEXT, HS_LOG_FMT_JSON };

/* The --v level; HS_V(n, ...) lines are written when it is >= n. */
extern int hs_log_verbosity;

void hs_log_set_format(enum hs_log_format fmt);
void hs_log_set_verbosity(int v);
/* Where lines go (each ends with '\n'); NULL restores stderr. */
typedef void (*hs_log_sink_fn)(void *ctx, const char *line, size_t len);
void hs_log_set_sink(hs_log_sink_fn fn, void *ctx);
/* The clock stamping lines (borrowed); NULL restores the real clock. */
void hs_log_set_clock(struct hs_clock *c);
/* The process id printed in text lines; 0 restores getpid(). For tests. */
void hs_log_set_pid(int pid);

/* kv: NULL or a NULL-terminated array of key, value, key, value... strings. */
void hs__log(enum hs_log_level level, int v, const char *file, int line, const char *const *kv,
             const char *fmt, ...) HS_PRINTF(6, 7);

#define HS_INFO(...)  hs__log(HS_LOG_INFO, 0, __FILE__, __LINE__, NULL, __VA_ARGS__)
#define HS_WARN(...)  hs__log(HS_LOG_WARNING, 0, __FILE__, __LINE__, NULL, __VA_ARGS__)
#define HS_ERROR(...) hs__log(HS_LOG_ERROR, 0, __FILE__, __LINE__, NULL, __VA_ARGS__)
#define HS_V(v, ...)                                                          \
    do {                                                                      \
        if (hs_log_verbosity >= (v))                                          \
            hs__log(HS_LOG_INFO, (v), __FILE__, __LINE__, NULL, __VA_ARGS__); \
    } while (0)
/* Structured: HS_INFOS("Scale-up", "nodeGroup", name, "delta", "3") */
#define HS_INFOS(msg, ...)                                                                        \
    hs__log(HS_LOG_INFO, 0, __FILE__, __LINE__, (const char *const[]){ __VA_ARGS__, NULL }, "%s", \
            (msg))
#define HS_WARNS(msg, ...)                                                                     \
    hs__log(HS_LOG_WARNING, 0, __FILE__, __LINE__, (const char *const[]){ __VA_ARGS__, NULL }, \
            "%s", (msg))
#define HS_ERRORS(msg, ...)                                                                        \
    hs__log(HS_LOG_ERROR, 0, __FILE__, __LINE__, (const char *const[]){ __VA_ARGS__, NULL }, "%s", \
            (msg))

/* Masks secrets in b in place: Authorization header values, bearer tokens,
 * AWS secret keys, session tokens, signatures and credentials in query
 * strings, JSON/YAML fields named like token, secret, password or key data,
 * JWTs, and AWS access key ids (kept to their first four characters).
 * Returns the number of secrets masked. */
size_t hs_redact(struct hs_buf *b);

#endif
