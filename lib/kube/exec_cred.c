/*
 * Runs a kubeconfig's exec credential plugin without blocking the loop:
 * posix_spawnp with stdout and stderr on non-blocking pipes read by ev_io
 * watchers, then the exit status reaped with waitpid(WNOHANG) on a short
 * timer once both pipes are closed (ev_child would tie us to the default
 * loop). A run that takes longer than a minute is killed. The ExecCredential
 * on stdout is parsed with jansson; stderr is logged as one line.
 *
 * This file must never log or quote stdout (it carries the token or key),
 * never wait for the child synchronously, and never leave a zombie or a
 * watcher behind after kube_exec_free.
 */
#include "kube/exec_cred.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/base64.h"
#include "base/buf.h"
#include "base/log.h"
#include "kube_int.h"

extern char **environ;

#define EXEC_TIMEOUT_S  60.0
#define EXEC_MAX_OUTPUT ((size_t)1 << 20)
#define STDERR_LOG_MAX  1024
/* A credential that is expired when it arrives (a plugin with a skewed
 * clock) is still used for this long, as client-go uses what a run gave:
 * otherwise every request would start the plugin again, back to back. */
#define EXEC_EXPIRED_GRACE_NS (10 * HS_SEC)

/* Where a kube_exec stands. */
enum exec_state {
    EXEC_IDLE,    /* no process; the cached credential (if any) is what we have */
    EXEC_RUNNING, /* the plugin runs: reading its pipes */
    EXEC_REAPING, /* both pipes closed: polling waitpid until it exits */
};

struct kube_exec {
    struct ev_loop *loop;
    struct hs_clock *clock;
    kube_exec_fn fn;
    void *ctx;
    enum exec_state state;

    char *api_version, *command, *install_hint;
    char **argv; /* command, args..., NULL */
    char **envp; /* environ + config env + KUBERNETES_EXEC_INFO, NULL */

    pid_t pid;
    int out_fd, err_fd;
    ev_io out_w, err_w;
    ev_timer reap_w, kill_w;
    bool killed;
    struct hs_buf out, errb;
    bool too_big;

    /* The cached credential. */
    bool have;
    char *token, *cert, *key;
    struct kube_exec_cred cred;
    int64_t got_mono; /* when the run that gave it ended */
};

static void on_out(struct ev_loop *loop, ev_io *w, int revents);
static void on_err(struct ev_loop *loop, ev_io *w, int revents);
static void on_reap(struct ev_loop *loop, ev_timer *w, int revents);
static void on_kill(struct ev_loop *loop, ev_timer *w, int revents);

static void free_strv(char **v)
{
    if (!v)
        return;
    for (size_t i = 0; v[i]; i++)
        hs_free(v[i]);
    hs_free(v);
}

/* KUBERNETES_EXEC_INFO: the ExecCredential spec client-go sends. */
static char *exec_info(const struct kube_config *cfg)
{
    const struct kube_exec_config *x = cfg->exec;
    json_t *spec = json_object();
    json_object_set_new(spec, "interactive", json_false());
    if (x->provide_cluster_info) {
        json_t *cl = json_object();
        json_object_set_new(cl, "server", json_string(cfg->server ? cfg->server : ""));
        if (cfg->tls_server_name)
            json_object_set_new(cl, "tls-server-name", json_string(cfg->tls_server_name));
        if (cfg->insecure_skip_tls_verify)
            json_object_set_new(cl, "insecure-skip-tls-verify", json_true());
        if (cfg->proxy_url)
            json_object_set_new(cl, "proxy-url", json_string(cfg->proxy_url));
        struct hs_buf ca, enc;
        hs_buf_init(&ca);
        hs_buf_init(&enc);
        if (cfg->ca_data.data) {
            hs_buf_add(&ca, cfg->ca_data.data, cfg->ca_data.len);
        } else if (cfg->ca_file) {
            FILE *f = fopen(cfg->ca_file, "rb");
            if (f) {
                char tmp[4096];
                size_t n;
                while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
                    hs_buf_add(&ca, tmp, n);
                fclose(f);
            }
        }
        if (ca.len) {
            hs_base64_encode(ca.data, ca.len, &enc);
            json_object_set_new(cl, "certificate-authority-data", json_string(enc.data));
        }
        hs_buf_release(&ca);
        hs_buf_release(&enc);
        json_object_set_new(spec, "cluster", cl);
    }
    json_t *root = json_object();
    json_object_set_new(root, "apiVersion", json_string(x->api_version));
    json_object_set_new(root, "kind", json_string("ExecCredential"));
    json_object_set_new(root, "spec", spec);
    char *s = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_addf(&b, "KUBERNETES_EXEC_INFO=%s", s ? s : "{}");
    free(s);
    return hs_buf_detach(&b);
}

static bool env_overridden(const char *var, char *const *extra, size_t n)
{
    const char *eq = strchr(var, '=');
    size_t k = eq ? (size_t)(eq - var) : strlen(var);
    if (k == strlen("KUBERNETES_EXEC_INFO") && strncmp(var, "KUBERNETES_EXEC_INFO", k) == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (strncmp(extra[i], var, k) == 0 && extra[i][k] == '=')
            return true;
    return false;
}

enum hs_code kube_exec_new(struct ev_loop *loop, const struct kube_config *cfg,
                           struct hs_clock *clock, kube_exec_fn fn, void *ctx,
                           struct kube_exec **out, struct hs_err *err)
{
    if (!cfg || !cfg->exec || !cfg->exec->command || !fn)
        return hs_err_set(err, HS_EINVAL, "exec plugin: no command configured");
    const struct kube_exec_config *x = cfg->exec;
    struct kube_exec *e = hs_calloc(1, sizeof(*e));
    e->loop = loop;
    e->clock = clock ? clock : hs_clock_real();
    e->fn = fn;
    e->ctx = ctx;
    e->api_version = hs_strdup(x->api_version ? x->api_version : "client.authentication.k8s.io/v1");
    e->command = hs_strdup(x->command);
    e->install_hint = x->install_hint ? hs_strdup(x->install_hint) : NULL;
    e->argv = hs_calloc(x->n_args + 2, sizeof(char *));
    e->argv[0] = hs_strdup(x->command);
    for (size_t i = 0; i < x->n_args; i++)
        e->argv[i + 1] = hs_strdup(x->args[i]);
    size_t nenv = 0;
    while (environ && environ[nenv])
        nenv++;
    e->envp = hs_calloc(nenv + x->n_env + 2, sizeof(char *));
    size_t k = 0;
    for (size_t i = 0; i < nenv; i++)
        if (!env_overridden(environ[i], x->env, x->n_env))
            e->envp[k++] = hs_strdup(environ[i]);
    for (size_t i = 0; i < x->n_env; i++)
        e->envp[k++] = hs_strdup(x->env[i]);
    e->envp[k++] = exec_info(cfg);
    e->out_fd = e->err_fd = -1;
    ev_io_init(&e->out_w, on_out, 0, EV_READ);
    ev_io_init(&e->err_w, on_err, 0, EV_READ);
    ev_timer_init(&e->reap_w, on_reap, 0.01, 0.);
    ev_timer_init(&e->kill_w, on_kill, EXEC_TIMEOUT_S, 0.);
    hs_buf_init(&e->out);
    hs_buf_init(&e->errb);
    *out = e;
    return HS_OK;
}

static void clear_cred(struct kube_exec *e)
{
    hs_free(e->token);
    hs_free(e->cert);
    hs_free(e->key);
    e->token = e->cert = e->key = NULL;
    e->have = false;
}

static void close_pipes(struct kube_exec *e)
{
    ev_io_stop(e->loop, &e->out_w);
    ev_io_stop(e->loop, &e->err_w);
    if (e->out_fd >= 0)
        close(e->out_fd);
    if (e->err_fd >= 0)
        close(e->err_fd);
    e->out_fd = e->err_fd = -1;
}

void kube_exec_free(struct kube_exec **ep)
{
    struct kube_exec *e = ep ? *ep : NULL;
    if (!e)
        return;
    close_pipes(e);
    ev_timer_stop(e->loop, &e->reap_w);
    ev_timer_stop(e->loop, &e->kill_w);
    if (e->state != EXEC_IDLE && e->pid > 0) {
        kill(e->pid, SIGKILL);
        while (waitpid(e->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    clear_cred(e);
    hs_buf_release(&e->out);
    hs_buf_release(&e->errb);
    free_strv(e->argv);
    free_strv(e->envp);
    hs_free(e->api_version);
    hs_free(e->command);
    hs_free(e->install_hint);
    hs_free(e);
    *ep = NULL;
}

const struct kube_exec_cred *kube_exec_cached(struct kube_exec *e)
{
    if (!e->have)
        return NULL;
    if (e->cred.expiry_ns && hs_clock_wall(e->clock) >= e->cred.expiry_ns &&
        hs_clock_mono(e->clock) - e->got_mono >= EXEC_EXPIRED_GRACE_NS)
        return NULL;
    return &e->cred;
}

void kube_exec_invalidate(struct kube_exec *e)
{
    clear_cred(e);
}

bool kube_exec_running(const struct kube_exec *e)
{
    return e->state != EXEC_IDLE;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

enum hs_code kube_exec_parse(const char *buf, size_t len, const char *api_version, char **token,
                             char **cert, char **key, int64_t *expiry_ns, struct hs_err *err)
{
    json_error_t je;
    *token = *cert = *key = NULL;
    *expiry_ns = 0;
    json_t *root = json_loadb(buf, len, 0, &je);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        /* Never quote the output: it may hold the secret. */
        return hs_err_set(err, HS_EPARSE,
                          "its output is not an ExecCredential JSON object (%zu bytes; %s)", len,
                          root ? "not an object" : "invalid JSON");
    }
    enum hs_code rc = HS_OK;
    const char *kind = jstr(root, "kind"), *av = jstr(root, "apiVersion");
    json_t *status = json_object_get(root, "status");
    if (!kind || strcmp(kind, "ExecCredential") != 0) {
        rc = hs_err_set(err, HS_EPARSE, "its output has kind \"%s\", want ExecCredential",
                        kind ? kind : "");
        goto out;
    }
    if (!av || strcmp(av, api_version) != 0) {
        rc = hs_err_set(err, HS_EPARSE, "its output has apiVersion \"%s\", want %s", av ? av : "",
                        api_version);
        goto out;
    }
    if (!json_is_object(status)) {
        rc = hs_err_set(err, HS_EPARSE, "its output has no status object");
        goto out;
    }
    const char *t = jstr(status, "token"), *c = jstr(status, "clientCertificateData"),
               *k = jstr(status, "clientKeyData"), *exp = jstr(status, "expirationTimestamp");
    if ((c && *c) != (k && *k)) {
        rc = hs_err_set(err, HS_EPARSE,
                        "its status has only one of clientCertificateData and clientKeyData");
        goto out;
    }
    if (!(t && *t) && !(c && *c)) {
        rc = hs_err_set(err, HS_EPARSE,
                        "its status has neither token nor clientCertificateData/clientKeyData");
        goto out;
    }
    if (exp && *exp && !kube__parse_time(exp, expiry_ns)) {
        rc = hs_err_set(err, HS_EPARSE, "its status.expirationTimestamp \"%.40s\" is not RFC 3339",
                        exp);
        goto out;
    }
    if (t && *t)
        *token = hs_strdup(t);
    if (c && *c) {
        *cert = hs_strdup(c);
        *key = hs_strdup(k);
    }
out:
    json_decref(root);
    return rc;
}

static void log_stderr(struct kube_exec *e)
{
    if (e->errb.len == 0)
        return;
    /* One line: newlines become " | ", long output is cut. hs_redact runs
     * on every log line as well. */
    struct hs_buf line;
    hs_buf_init(&line);
    size_t n = e->errb.len > STDERR_LOG_MAX ? STDERR_LOG_MAX : e->errb.len;
    while (n > 0 && (e->errb.data[n - 1] == '\n' || e->errb.data[n - 1] == '\r'))
        n--;
    for (size_t i = 0; i < n; i++) {
        char ch = e->errb.data[i];
        if (ch == '\n')
            hs_buf_adds(&line, " | ");
        else if ((unsigned char)ch < 0x20 || ch == 0x7f)
            hs_buf_addc(&line, ' ');
        else
            hs_buf_addc(&line, ch);
    }
    HS_WARN("exec plugin %s wrote on stderr: %s%s", e->command, line.data,
            e->errb.len > STDERR_LOG_MAX ? " ..." : "");
    hs_buf_release(&line);
}

static void finish(struct kube_exec *e, int status)
{
    struct hs_err err = { 0 };
    enum hs_code rc = HS_OK;
    ev_timer_stop(e->loop, &e->reap_w);
    ev_timer_stop(e->loop, &e->kill_w);
    e->state = EXEC_IDLE;
    e->pid = 0;
    log_stderr(e);
    if (e->killed) {
        rc = hs_err_set(&err, HS_ETIMEDOUT, "exec plugin %s: still running after %.0f s: killed",
                        e->command, EXEC_TIMEOUT_S);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        int code = WEXITSTATUS(status);
        rc = hs_err_set(&err, HS_EAUTH, "exec plugin %s: exited with status %d%s%s%s", e->command,
                        code, e->errb.len ? " (its stderr is logged above)" : "",
                        code == 127 && e->install_hint ? ": " : "",
                        code == 127 && e->install_hint ? e->install_hint : "");
    } else if (WIFSIGNALED(status)) {
        rc = hs_err_set(&err, HS_EAUTH, "exec plugin %s: killed by signal %d", e->command,
                        WTERMSIG(status));
    } else if (e->too_big) {
        rc = hs_err_set(&err, HS_EAUTH, "exec plugin %s: printed more than %zu bytes", e->command,
                        EXEC_MAX_OUTPUT);
    } else {
        char *t, *c, *k;
        int64_t exp;
        rc = kube_exec_parse(e->out.data, e->out.len, e->api_version, &t, &c, &k, &exp, &err);
        if (rc) {
            rc = HS_EAUTH;
            hs_err_prefix(&err, "exec plugin %s", e->command);
        } else {
            clear_cred(e);
            e->token = t;
            e->cert = c;
            e->key = k;
            e->have = true;
            e->cred.token = t;
            e->cred.cert_pem = c;
            e->cred.cert_len = c ? strlen(c) : 0;
            e->cred.key_pem = k;
            e->cred.key_len = k ? strlen(k) : 0;
            e->cred.expiry_ns = exp;
            e->cred.generation++;
            e->got_mono = hs_clock_mono(e->clock);
            if (exp && hs_clock_wall(e->clock) >= exp)
                HS_WARN("exec plugin %s: its credential has expired already (expirationTimestamp "
                        "in the past: is a clock wrong?); using it for %.0f s before asking again",
                        e->command, (double)EXEC_EXPIRED_GRACE_NS / 1e9);
            HS_V(2, "exec plugin %s: got a %s%s", e->command, t ? "token" : "client certificate",
                 exp ? " with an expiry" : "");
        }
    }
    /* Wipe what the plugin printed: it held the secret. */
    memset(e->out.data, 0, e->out.len);
    hs_buf_clear(&e->out);
    hs_buf_clear(&e->errb);
    e->fn(e->ctx, rc, rc ? NULL : &e->cred, &err);
}

static void try_reap(struct kube_exec *e)
{
    int status = 0;
    pid_t r = waitpid(e->pid, &status, WNOHANG);
    if (r == e->pid || (r < 0 && errno == ECHILD)) {
        finish(e, r == e->pid ? status : 0);
        return;
    }
    /* Still running with its pipes closed: look again shortly. */
    ev_timer_set(&e->reap_w, 0.01, 0.);
    ev_timer_start(e->loop, &e->reap_w);
}

static void on_reap(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    try_reap(hs_container_of(w, struct kube_exec, reap_w));
}

static void on_kill(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct kube_exec *e = hs_container_of(w, struct kube_exec, kill_w);
    e->killed = true;
    kill(e->pid, SIGKILL);
    close_pipes(e);
    e->state = EXEC_REAPING;
    try_reap(e);
}

static void pipe_read(struct kube_exec *e, ev_io *w, int *fd, struct hs_buf *b)
{
    char tmp[4096];
    for (;;) {
        ssize_t n = read(*fd, tmp, sizeof(tmp));
        if (n > 0) {
            if (b->len + (size_t)n > EXEC_MAX_OUTPUT)
                e->too_big = true;
            else
                hs_buf_add(b, tmp, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        break; /* EOF or error */
    }
    ev_io_stop(e->loop, w);
    close(*fd);
    *fd = -1;
    if (e->out_fd < 0 && e->err_fd < 0) {
        e->state = EXEC_REAPING;
        try_reap(e);
    }
}

static void on_out(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    struct kube_exec *e = hs_container_of(w, struct kube_exec, out_w);
    pipe_read(e, w, &e->out_fd, &e->out);
}

static void on_err(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    struct kube_exec *e = hs_container_of(w, struct kube_exec, err_w);
    pipe_read(e, w, &e->err_fd, &e->errb);
}

enum hs_code kube_exec_run(struct kube_exec *e, struct hs_err *err)
{
    if (e->state != EXEC_IDLE)
        return HS_OK;
    int po[2] = { -1, -1 }, pe[2] = { -1, -1 };
    if (pipe(po) || pipe(pe)) {
        int en = errno;
        for (int i = 0; i < 2; i++) {
            if (po[i] >= 0)
                close(po[i]);
            if (pe[i] >= 0)
                close(pe[i]);
        }
        return hs_err_set(err, HS_EIO, "exec plugin %s: pipe: %s", e->command, strerror(en));
    }
    for (int i = 0; i < 2; i++) {
        fcntl(po[i], F_SETFD, FD_CLOEXEC);
        fcntl(pe[i], F_SETFD, FD_CLOEXEC);
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, e->command, &fa, NULL, e->argv, e->envp);
    posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    if (rc != 0) {
        close(po[0]);
        close(pe[0]);
        return hs_err_set(err, HS_EIO, "exec plugin %s: cannot run it: %s%s%s", e->command,
                          strerror(rc), e->install_hint ? ": " : "",
                          e->install_hint ? e->install_hint : "");
    }
    fcntl(po[0], F_SETFL, fcntl(po[0], F_GETFL) | O_NONBLOCK);
    fcntl(pe[0], F_SETFL, fcntl(pe[0], F_GETFL) | O_NONBLOCK);
    e->pid = pid;
    e->out_fd = po[0];
    e->err_fd = pe[0];
    e->killed = false;
    e->too_big = false;
    e->state = EXEC_RUNNING;
    ev_io_set(&e->out_w, e->out_fd, EV_READ);
    ev_io_set(&e->err_w, e->err_fd, EV_READ);
    ev_io_start(e->loop, &e->out_w);
    ev_io_start(e->loop, &e->err_w);
    ev_timer_start(e->loop, &e->kill_w);
    HS_V(2, "exec plugin %s: started (pid %d)", e->command, (int)pid);
    return HS_OK;
}
