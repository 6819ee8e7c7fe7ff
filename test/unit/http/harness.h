/*
 * What lib/http's tests share: the helper server (server.py) started as a
 * child process, and a loop runner with a watchdog that fails the test when
 * the loop still has live watchers long after the work should be over.
 * Nothing here may sleep for a fixed time or talk beyond loopback.
 */
#ifndef HOIST_TEST_HTTP_HARNESS_H
#define HOIST_TEST_HTTP_HARNESS_H

#include <stdbool.h>
#include <sys/types.h>

struct ev_loop;

struct test_server {
    pid_t pid;
    int stdin_fd; /* closing it stops the server */
    int port;
};

/* Starts server.py with the extra arguments (NULL-terminated, may be NULL);
 * returns 0 when it listens, -1 (with a message on stderr) otherwise. */
int test_server_start(struct test_server *s, const char *const *extra_args);
/* The same for another helper script that prints "PORT <n>" and serves
 * until its stdin closes: rel_path is relative to the source tree
 * (test/fakes/connect_proxy.py). Stop it with test_server_stop. */
int test_script_start(struct test_server *s, const char *rel_path, const char *const *extra_args);
void test_server_stop(struct test_server *s);

/* Runs loop until no watcher is left; fails the test if that takes more
 * than limit_s seconds (a watcher left alive, or a hang). */
void test_run_loop(struct ev_loop *loop, double limit_s);

/* Seconds on the loop's clock, freshly read. */
double test_now(struct ev_loop *loop);

/* A port on 127.0.0.1 that nothing listens on (bound, then closed). */
int test_closed_port(void);

#endif
