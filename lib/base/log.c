/*
 * klog-compatible text and JSON log lines. One line is built in a buffer,
 * redacted, then written with a single write so concurrent writers never
 * interleave inside a line. Logging never fails the caller.
 */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"

int hs_log_verbosity;
static enum hs_log_format log_format = HS_LOG_FMT_TEXT;
static hs_log_sink_fn sink_fn;
static void *sink_ctx;
static struct hs_clock *log_clock;
static int log_pid;

void hs_log_set_format(enum hs_log_format fmt)
{
    log_format = fmt;
}

void hs_log_set_verbosity(int v)
{
    hs_log_verbosity = v;
}

void hs_log_set_sink(hs_log_sink_fn fn, void *ctx)
{
    sink_fn = fn;
    sink_ctx = ctx;
}

void hs_log_set_clock(struct hs_clock *c)
{
    log_clock = c;
}

void hs_log_set_pid(int pid)
{
    log_pid = pid;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void text_header(struct hs_buf *b, enum hs_log_level level, int64_t now, const char *file,
                        int line)
{
    static const char letters[] = "IWEF";
    time_t t = (time_t)(now / HS_SEC);
    struct tm tm;
    gmtime_r(&t, &tm);
    hs_buf_addf(b, "%c%02d%02d %02d:%02d:%02d.%06ld %7d %s:%d] ", letters[level], tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)((now % HS_SEC) / HS_USEC),
                log_pid ? log_pid : (int)getpid(), base_name(file), line);
}

static void json_header(struct hs_buf *b, enum hs_log_level level, int v, int64_t now,
                        const char *file, int line)
{
    static const char *const names[] = { "info", "warning", "error", "fatal" };
    hs_buf_addf(b, "{\"ts\":%lld.%06lld,\"level\":\"%s\",\"caller\":\"%s:%d\",\"v\":%d,\"msg\":",
                (long long)(now / HS_SEC), (long long)((now % HS_SEC) / HS_USEC), names[level],
                base_name(file), line, v);
}

static void write_line(const char *s, size_t n)
{
    if (sink_fn) {
        sink_fn(sink_ctx, s, n);
        return;
    }
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

void hs__log(enum hs_log_level level, int v, const char *file, int line, const char *const *kv,
             const char *fmt, ...)
{
    struct hs_buf msg, out;
    va_list ap;
    int64_t now = hs_clock_wall(log_clock ? log_clock : hs_clock_real());

    if (now < 0)
        now = 0;
    hs_buf_init(&msg);
    hs_buf_init(&out);
    va_start(ap, fmt);
    hs_buf_vaddf(&msg, fmt, ap);
    va_end(ap);

    if (log_format == HS_LOG_FMT_JSON) {
        json_header(&out, level, v, now, file, line);
        hs_buf_add_json_str(&out, msg.data, msg.len);
        if (kv && kv[0]) {
            hs_buf_adds(&out, ",\"fields\":{");
            for (size_t i = 0; kv[i] && kv[i + 1]; i += 2) {
                if (i)
                    hs_buf_addc(&out, ',');
                hs_buf_add_json_str(&out, kv[i], strlen(kv[i]));
                hs_buf_addc(&out, ':');
                hs_buf_add_json_str(&out, kv[i + 1], strlen(kv[i + 1]));
            }
            hs_buf_addc(&out, '}');
        }
        hs_buf_addc(&out, '}');
    } else {
        text_header(&out, level, now, file, line);
        /* One line per record: embedded newlines would break line-based shippers. */
        for (size_t i = 0; i < msg.len; i++)
            hs_buf_addc(&out, msg.data[i] == '\n' ? ' ' : msg.data[i]);
        for (size_t i = 0; kv && kv[i] && kv[i + 1]; i += 2) {
            hs_buf_addf(&out, " %s=", kv[i]);
            hs_buf_add_json_str(&out, kv[i + 1], strlen(kv[i + 1]));
        }
    }
    hs_redact(&out);
    hs_buf_addc(&out, '\n');
    write_line(out.data, out.len);
    hs_buf_release(&msg);
    hs_buf_release(&out);
}
