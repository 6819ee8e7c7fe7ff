/*
 * What the tests of lib/aws's client, operations and credentials cache
 * share: a scripted server behind lib/http's fake transport (each request
 * is recorded and answered by the next scripted reply, or by a handler
 * function), a log capture that every test greps for secrets, and a loop
 * runner that stops when a condition holds or fails the test at a deadline.
 * No sockets, no sleeps.
 */
#ifndef HOIST_TEST_AWS_HARNESS_H
#define HOIST_TEST_AWS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "http/fake.h"

struct ev_loop;

#define SCRIPT_MAX 64

struct scripted {
    enum hs_code rc; /* transport failure instead of a response */
    int status;
    const char *body; /* static or test-owned; may contain "%s" never */
    const char *date; /* Date header, or NULL */
    int64_t delay_ns;
    bool never;
};

struct seen {
    char *method, *url, *body;
    char *headers; /* "name: value\n" lines, lower-case names */
};

struct fake_aws {
    struct scripted script[SCRIPT_MAX];
    size_t n_script, next;
    /* When set, answers requests past the script (return false: use 500). */
    bool (*handler)(struct fake_aws *f, const struct http_fake_request *req,
                    struct http_fake_reply *reply);
    void *user;
    struct seen seen[256];
    size_t n_seen;
    struct hs_buf scratch; /* bodies a handler builds */
    struct http_header hdr[2];
};

void fake_aws_init(struct fake_aws *f);
void fake_aws_release(struct fake_aws *f);
void fake_aws_push(struct fake_aws *f, int status, const char *body);
void fake_aws_push_rc(struct fake_aws *f, enum hs_code rc);
/* The http_fake_fn to pass to http_client_new_fake with f as ctx. */
void fake_aws_serve(void *ctx, const struct http_fake_request *req, struct http_fake_reply *reply);
/* Value of header name (lower case) in seen request i, new (caller frees) or NULL. */
char *fake_aws_header(const struct fake_aws *f, size_t i, const char *name);

/* Log capture: every line written while active, verbosity raised to 10. */
void log_capture_start(void);
/* The captured text (borrowed until stop). */
const char *log_captured(void);
void log_capture_stop(void);

/* Runs loop until done(ctx) is true; fails the test after limit_s. */
void run_until(struct ev_loop *loop, bool (*done)(void *ctx), void *ctx, double limit_s);

/* Reads a file under HOIST_TESTDATA (new, caller frees). */
char *testdata_read(const char *rel);

#endif
