/*
 * What hoist's tests against the fake API server share (label `kube`): the
 * fake (test/fakes/kube_apiserver.py) started per test in a temporary
 * folder with its own CA and token, its admin endpoints driven through a
 * lib/http client on the test's loop, polling helpers that run the loop
 * until a condition holds (never fixed sleeps), and the real kubectl to
 * check what hoist wrote. Nothing here talks beyond loopback or touches
 * the user's ~/.kube.
 */
#ifndef HOIST_TEST_KUBE_HARNESS_H
#define HOIST_TEST_KUBE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "kube/client.h"
#include "kube/config.h"

struct ev_loop;
struct http_client;

struct kfake {
    pid_t pid;
    int port;
    char dir[256];        /* temporary folder: certs, kubeconfig, kubectl cache */
    char kubeconfig[320]; /* token kubeconfig written by the fake */
    char ca[320];
    char token[64];
    struct ev_loop *loop;      /* borrowed */
    struct http_client *admin; /* for /_fake/ */
};

/* Starts the fake with extra arguments (NULL-terminated, may be NULL) and
 * waits until it listens. Returns 0, or -1 with a message on stderr. */
int kfake_start(struct kfake *f, struct ev_loop *loop, const char *const *extra);
/* Stops the fake, frees the admin client, removes the folder. */
void kfake_stop(struct kfake *f);

/* A request to the fake (admin or API, as the admin client: no token).
 * Returns the HTTP status (0 on transport failure); *out (new, may be NULL)
 * gets the body. Runs the loop until the answer arrives. */
int kfake_request(struct kfake *f, const char *method, const char *path, const char *body,
                  char **out);
/* POST /_fake/<what> with body; fails the test unless 2xx. */
void kfake_admin(struct kfake *f, const char *what, const char *body);

/* Runs the loop until cond(ctx) is true or timeout_s passes; returns cond. */
bool kwait(struct ev_loop *loop, double timeout_s, bool (*cond)(void *ctx), void *ctx);
/* Runs the loop for about s seconds (to let things not happen). */
void krun_for(struct ev_loop *loop, double s);

/* Loads f->kubeconfig (or path when not NULL) into cfg; fails the test on
 * error. */
void kload_config(struct kfake *f, const char *path, struct kube_config *cfg);
/* A client for f's token kubeconfig with opts (may be NULL). */
struct kube_client *kclient(struct kfake *f, const struct kube_client_options *opts);

/* Runs kubectl against f with the arguments (printf format), HOME and
 * cache in f's folder. Returns its exit status; *out (new) its stdout. */
int kubectl(struct kfake *f, char **out, const char *fmt, ...) HS_PRINTF(3, 4);

/* test/fakes/connect_proxy.py in front of the fake: an HTTP CONNECT proxy,
 * or SOCKS5, logging one line per tunnel to log. */
struct kproxy {
    pid_t pid;
    int stdin_fd; /* closing it stops the proxy */
    int port;
    char log[400];
};
/* Starts a proxy whose log is f->dir/log_name. Returns 0, or -1 with a
 * message on stderr. */
int kproxy_start(struct kproxy *p, struct kfake *f, const char *log_name, bool socks5);
void kproxy_stop(struct kproxy *p);
/* Lines of the proxy's log that start with prefix ("" counts them all). */
size_t kproxy_count(const struct kproxy *p, const char *prefix);

/* Writes text to dir/name (mode), returns the path (static buffer). */
const char *kwrite_file(struct kfake *f, const char *name, const char *text, int mode);

#endif
