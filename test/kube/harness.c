/*
 * The shared half of the `kube` tests (see harness.h). The fake runs as a
 * child process that dies with the test (PR_SET_PDEATHSIG) and is stopped
 * by pid at teardown; its port comes from the first line it prints. This
 * file must never sleep for a fixed time where it can poll, and never leave
 * the fake or the temporary folder behind on a normal exit.
 */
#define _GNU_SOURCE 1
#include "harness.h"

#include "hs_test.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "http/http.h"

int kfake_start(struct kfake *f, struct ev_loop *loop, const char *const *extra)
{
    memset(f, 0, sizeof(*f));
    f->loop = loop;
    snprintf(f->dir, sizeof(f->dir), "/tmp/hoist-kube-XXXXXX");
    if (!mkdtemp(f->dir)) {
        perror("mkdtemp");
        return -1;
    }
    snprintf(f->kubeconfig, sizeof(f->kubeconfig), "%s/kubeconfig", f->dir);
    snprintf(f->ca, sizeof(f->ca), "%s/ca.crt", f->dir);
    snprintf(f->token, sizeof(f->token), "tok-%08x%04x", (unsigned)getpid(),
             (unsigned)(rand() & 0xffff));
    const char *src = getenv("HOIST_SOURCE_DIR");
    char script[1024];
    snprintf(script, sizeof(script), "%s/test/fakes/kube_apiserver.py", src ? src : ".");
    const char *argv[40] = { "python3",    script,      "--port",
                             "0",          "--certdir", f->dir,
                             "--token",    f->token,    "--write-kubeconfig",
                             f->kubeconfig };
    size_t n = 10;
    for (size_t i = 0; extra && extra[i] && n < 38; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    int out[2];
    if (pipe(out)) {
        perror("pipe");
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        execvp("python3", (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    close(out[1]);
    f->pid = pid;
    char line[64];
    size_t len = 0;
    while (len + 1 < sizeof(line)) {
        struct pollfd p = { .fd = out[0], .events = POLLIN };
        if (poll(&p, 1, 90000) <= 0) {
            fprintf(stderr, "the fake API server did not print its port within 90 s\n");
            break;
        }
        ssize_t r = read(out[0], line + len, 1);
        if (r <= 0) {
            fprintf(stderr, "the fake API server exited before printing its port\n");
            break;
        }
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(out[0]);
    f->port = atoi(line);
    if (f->port <= 0)
        return -1;
    struct http_client_options ho = { 0 };
    ho.ca_file = f->ca;
    struct hs_err err = { 0 };
    if (http_client_new(loop, &ho, &f->admin, &err)) {
        fprintf(stderr, "admin client: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void kfake_stop(struct kfake *f)
{
    http_client_free(&f->admin);
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        int st;
        while (waitpid(f->pid, &st, 0) < 0 && errno == EINTR)
            ;
        f->pid = 0;
    }
    if (f->dir[0] && !getenv("HOIST_KEEP_TEST_DIR"))
        nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

struct sync_req {
    bool done;
    int status;
    char *body;
};

static void on_sync_done(void *ctx, enum hs_code rc, const struct http_response *resp,
                         const struct hs_err *err)
{
    struct sync_req *s = ctx;
    s->done = true;
    s->status = rc ? 0 : resp->status;
    if (rc)
        fprintf(stderr, "fake request failed: %s\n", err->msg);
    s->body = hs_strdup(resp->body ? resp->body : "");
}

int kfake_request(struct kfake *f, const char *method, const char *path, const char *body,
                  char **out)
{
    char url[1024];
    snprintf(url, sizeof(url), "https://127.0.0.1:%d%s", f->port, path);
    struct http_header h[1] = { { "Content-Type", "application/json" } };
    struct http_request_options o = { 0 };
    o.method = method;
    o.url = url;
    o.headers = h;
    o.nheaders = 1;
    o.body = body;
    o.body_len = body ? strlen(body) : 0;
    o.timeout_ns = 120 * (int64_t)1000000000;
    o.on_done = on_sync_done;
    struct sync_req s = { 0 };
    o.ctx = &s;
    struct hs_err err = { 0 };
    if (http_request_start(f->admin, &o, NULL, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 0;
    }
    while (!s.done)
        ev_run(f->loop, EVRUN_ONCE);
    if (out)
        *out = s.body;
    else
        hs_free(s.body);
    return s.status;
}

void kfake_admin(struct kfake *f, const char *what, const char *body)
{
    char path[256], *out = NULL;
    snprintf(path, sizeof(path), "/_fake/%s", what);
    int st = kfake_request(f, "POST", path, body, &out);
    if (st < 200 || st >= 300)
        fprintf(stderr, "POST %s: %d %s\n", path, st, out ? out : "");
    hs_free(out);
    assert_true(st >= 200 && st < 300);
}

static void on_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)w;
    (void)revents;
}

bool kwait(struct ev_loop *loop, double timeout_s, bool (*cond)(void *ctx), void *ctx)
{
    ev_timer tick;
    ev_timer_init(&tick, on_tick, 0.02, 0.02);
    ev_timer_start(loop, &tick);
    ev_now_update(loop);
    double end = ev_now(loop) + timeout_s;
    bool ok;
    while (!(ok = cond(ctx)) && ev_now(loop) < end)
        ev_run(loop, EVRUN_ONCE);
    ev_timer_stop(loop, &tick);
    return ok;
}

static bool never(void *ctx)
{
    (void)ctx;
    return false;
}

void krun_for(struct ev_loop *loop, double s)
{
    kwait(loop, s, never, NULL);
}

void kload_config(struct kfake *f, const char *path, struct kube_config *cfg)
{
    struct hs_err err = { 0 };
    enum hs_code rc = kube_config_load_kubeconfig(path ? path : f->kubeconfig, NULL, cfg, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, HS_OK);
}

struct kube_client *kclient(struct kfake *f, const struct kube_client_options *opts)
{
    struct kube_config cfg;
    struct kube_client *c = NULL;
    struct hs_err err = { 0 };
    kload_config(f, NULL, &cfg);
    enum hs_code rc = kube_client_new(f->loop, &cfg, opts, &c, &err);
    kube_config_release(&cfg);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, HS_OK);
    return c;
}

int kubectl(struct kfake *f, char **out, const char *fmt, ...)
{
    struct hs_buf cmd;
    hs_buf_init(&cmd);
    hs_buf_addf(&cmd, "HOME='%s' kubectl --kubeconfig '%s' --cache-dir '%s/kcache' ", f->dir,
                f->kubeconfig, f->dir);
    va_list ap;
    va_start(ap, fmt);
    hs_buf_vaddf(&cmd, fmt, ap);
    va_end(ap);
    hs_buf_adds(&cmd, " 2>&1");
    FILE *p = popen(cmd.data, "r");
    hs_buf_release(&cmd);
    if (!p)
        return -1;
    struct hs_buf b;
    hs_buf_init(&b);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), p)) > 0)
        hs_buf_add(&b, tmp, n);
    int st = pclose(p);
    if (out)
        *out = hs_buf_detach(&b);
    else
        hs_buf_release(&b);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const char *kwrite_file(struct kfake *f, const char *name, const char *text, int mode)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    chmod(path, (mode_t)mode);
    return path;
}

int kproxy_start(struct kproxy *p, struct kfake *f, const char *log_name, bool socks5)
{
    memset(p, 0, sizeof(*p));
    p->stdin_fd = -1;
    snprintf(p->log, sizeof(p->log), "%s/%s", f->dir, log_name);
    unlink(p->log);
    const char *src = getenv("HOIST_SOURCE_DIR");
    char script[1024];
    snprintf(script, sizeof(script), "%s/test/fakes/connect_proxy.py", src ? src : ".");
    const char *argv[] = { "python3", script, "--log", p->log, socks5 ? "--socks5" : NULL, NULL };
    int in[2], out[2];
    if (pipe(in) || pipe(out)) {
        perror("pipe");
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execvp("python3", (char *const *)(uintptr_t)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    fcntl(in[1], F_SETFD, FD_CLOEXEC);
    p->pid = pid;
    p->stdin_fd = in[1]; /* the proxy serves until this closes */
    char line[64];
    size_t len = 0;
    while (len + 1 < sizeof(line)) {
        struct pollfd pf = { .fd = out[0], .events = POLLIN };
        if (poll(&pf, 1, 90000) <= 0 || read(out[0], line + len, 1) <= 0)
            break;
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(out[0]);
    if (sscanf(line, "PORT %d", &p->port) != 1 || p->port <= 0) {
        fprintf(stderr, "connect_proxy.py did not print its port\n");
        kproxy_stop(p);
        return -1;
    }
    return 0;
}

void kproxy_stop(struct kproxy *p)
{
    if (p->stdin_fd >= 0)
        close(p->stdin_fd);
    p->stdin_fd = -1;
    if (p->pid > 0) {
        kill(p->pid, SIGTERM);
        while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    p->pid = 0;
}

size_t kproxy_count(const struct kproxy *p, const char *prefix)
{
    FILE *fp = fopen(p->log, "r");
    if (!fp)
        return 0;
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof(line), fp))
        if (strncmp(line, prefix, strlen(prefix)) == 0)
            n++;
    fclose(fp);
    return n;
}
