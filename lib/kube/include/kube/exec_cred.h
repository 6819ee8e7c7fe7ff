/*
 * Exec credential plugins (client.authentication.k8s.io/v1 and v1beta1),
 * as `aws eks get-token` in an EKS kubeconfig: the command runs as a child
 * process watched from the loop (pipes on ev_io, the exit reaped without
 * blocking), with the kubeconfig's env added to hoist's and
 * KUBERNETES_EXEC_INFO describing the request (interactive false; the
 * cluster when provideClusterInfo). Its ExecCredential gives a bearer token
 * or a client certificate and key, kept until expirationTimestamp (or until
 * the server refuses it). The plugin's stderr becomes one log line.
 *
 * Never blocks the loop, never logs or puts in an error what the plugin
 * printed on stdout (it holds the secret), never runs two copies at once.
 */
#ifndef HOIST_KUBE_EXEC_CRED_H
#define HOIST_KUBE_EXEC_CRED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "kube/config.h"

struct ev_loop;
struct kube_exec;

/* A credential; all pointers owned by the kube_exec and valid until the
 * next run finishes or the kube_exec is freed. */
struct kube_exec_cred {
    const char *token;    /* NULL when the plugin gave a certificate */
    const char *cert_pem; /* clientCertificateData, NULL when absent */
    size_t cert_len;
    const char *key_pem; /* clientKeyData */
    size_t key_len;
    int64_t expiry_ns;   /* wall time; 0: until the server refuses it */
    uint64_t generation; /* counts successful runs, to notice a new certificate */
};

/* The end of a run: rc HS_OK with cred (borrowed), or an error (err
 * borrowed, one line naming the command) with cred NULL. */
typedef void (*kube_exec_fn)(void *ctx, enum hs_code rc, const struct kube_exec_cred *cred,
                             const struct hs_err *err);

/* Makes the runner for cfg->exec (cfg borrowed; what is needed is copied;
 * cfg->exec must be set). loop and clock borrowed. fn (with ctx) is told
 * about every run's end. Returns HS_OK and *out (new), or HS_EINVAL. */
enum hs_code kube_exec_new(struct ev_loop *loop, const struct kube_config *cfg,
                           struct hs_clock *clock, kube_exec_fn fn, void *ctx,
                           struct kube_exec **out, struct hs_err *err);
/* Kills a running plugin (its end is not reported), frees; clears *e. */
void kube_exec_free(struct kube_exec **e);

/* The cached credential if it has not expired at the clock's wall time,
 * else NULL (borrowed). A credential that arrived already expired is still
 * given out for a few seconds after its run, so a plugin with a skewed clock
 * does not run again for every request. */
const struct kube_exec_cred *kube_exec_cached(struct kube_exec *e);
/* Starts the plugin unless it is running; its end goes to fn, never from
 * inside this call. Returns HS_EIO (err filled) when it cannot be started,
 * and then fn is not called for this attempt. */
enum hs_code kube_exec_run(struct kube_exec *e, struct hs_err *err);
/* Forgets the cached credential (the server answered 401). */
void kube_exec_invalidate(struct kube_exec *e);
/* Whether a plugin process is running. */
bool kube_exec_running(const struct kube_exec *e);

/* Parses an ExecCredential (buf borrowed) for api_version into cred fields
 * (token, cert, key new; hs_free them). For tests and kube_exec. */
enum hs_code kube_exec_parse(const char *buf, size_t len, const char *api_version, char **token,
                             char **cert, char **key, int64_t *expiry_ns, struct hs_err *err);

#endif
