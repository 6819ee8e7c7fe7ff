/*
 * The proxy option of lib/http (http_client_options.proxy, which carries a
 * kubeconfig's proxy-url) against test/fakes/connect_proxy.py in front of
 * server.py speaking HTTPS: an HTTP CONNECT proxy and a SOCKS5 proxy each
 * log the tunnels they open, so every test proves its requests went through
 * the proxy and not around it. The option beats the environment (HTTPS_PROXY
 * pointing elsewhere, NO_PROXY naming the host), socks5:// resolves names at
 * the proxy as client-go does, user:password in the URL authenticates and is
 * never quoted, and a bad proxy URL is refused up front. Loopback only.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "harness.h"
#include "http/http.h"

#define PROXY_SCRIPT "test/fakes/connect_proxy.py"

static char dir[256];
static struct test_server tls_server;

struct result {
    int calls;
    enum hs_code rc;
    int status;
    char msg[HS_ERR_MSG_MAX];
};

static void on_done(void *ctx, enum hs_code rc, const struct http_response *resp,
                    const struct hs_err *err)
{
    struct result *r = ctx;
    r->calls++;
    r->rc = rc;
    r->status = resp->status;
    snprintf(r->msg, sizeof(r->msg), "%s", err->msg);
}

static const char *path_in(const char *name)
{
    static char buf[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
    return buf[i];
}

/* Runs n GETs of url on one fresh client made with o; all must finish. */
static struct result fetch_n(const struct http_client_options *o, const char *url, int n)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = NULL;
    struct hs_err err = { 0 };
    if (http_client_new(loop, o, &c, &err))
        fail_msg("http_client_new: %s", err.msg);
    struct result r = { 0 };
    for (int i = 0; i < n; i++) {
        struct http_request_options ro = { .url = url, .on_done = on_done, .ctx = &r };
        if (http_request_start(c, &ro, NULL, &err))
            fail_msg("http_request_start: %s", err.msg);
        test_run_loop(loop, 60);
        assert_int_equal(r.calls, i + 1);
        if (r.rc)
            break;
    }
    http_client_free(&c);
    ev_loop_destroy(loop);
    return r;
}

static const char *server_url(const char *path)
{
    static char buf[512];
    snprintf(buf, sizeof(buf), "https://localhost:%d%s", tls_server.port, path);
    return buf;
}

/* A proxy logging to dir/<log>; extra arguments may be NULL-terminated. */
static void proxy_start(struct test_server *p, const char *log, const char *a1, const char *a2,
                        const char *a3)
{
    unlink(path_in(log));
    const char *args[] = { "--log", path_in(log), a1, a2, a3, NULL };
    if (test_script_start(p, PROXY_SCRIPT, args))
        fail_msg("cannot start %s", PROXY_SCRIPT);
}

/* The proxy's log: one line per tunnel (the caller frees). */
static char *proxy_log(const char *log)
{
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_adds(&b, "");
    FILE *f = fopen(path_in(log), "r");
    if (f) {
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
            hs_buf_add(&b, chunk, n);
        fclose(f);
    }
    return hs_buf_detach(&b);
}

static size_t count_lines(const char *s, const char *prefix)
{
    size_t n = 0;
    for (const char *p = s; *p;) {
        if (strncmp(p, prefix, strlen(prefix)) == 0)
            n++;
        const char *nl = strchr(p, '\n');
        if (!nl)
            break;
        p = nl + 1;
    }
    return n;
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/hoist-http-proxy-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    const char *src = getenv("HOIST_SOURCE_DIR");
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "bash '%s/test/unit/http/make_certs.sh' '%s'", src ? src : ".", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "make_certs.sh failed\n");
        return -1;
    }
    const char *tls_args[] = { "--cert", path_in("server.crt"), "--key", path_in("server.key"),
                               NULL };
    /* No proxy variable of the machine may leak into these tests. */
    unsetenv("http_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("https_proxy");
    unsetenv("ALL_PROXY");
    unsetenv("all_proxy");
    unsetenv("NO_PROXY");
    unsetenv("no_proxy");
    return test_server_start(&tls_server, tls_args);
}

static int teardown(void **state)
{
    (void)state;
    test_server_stop(&tls_server);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void through_http_connect(void **state)
{
    (void)state;
    struct test_server p;
    proxy_start(&p, "connect.log", NULL, NULL, NULL);
    char proxy[64];
    snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", p.port);
    struct http_client_options o = { .ca_file = path_in("ca.crt"), .proxy = proxy };
    struct result r = fetch_n(&o, server_url("/echo"), 3);
    assert_int_equal(r.rc, HS_OK);
    assert_int_equal(r.status, 200);
    char *log = proxy_log("connect.log");
    char want[64];
    snprintf(want, sizeof(want), "CONNECT localhost:%d", tls_server.port);
    /* At least one tunnel, and every tunnel to the server: keep-alive may
     * carry the three requests in one. */
    size_t tunnels = count_lines(log, "");
    assert_true(tunnels >= 1);
    assert_int_equal(count_lines(log, want), tunnels);
    hs_free(log);
    test_server_stop(&p);
}

static void option_beats_the_environment(void **state)
{
    (void)state;
    struct test_server p;
    proxy_start(&p, "env.log", NULL, NULL, NULL);
    char proxy[64], elsewhere[64];
    snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", p.port);
    snprintf(elsewhere, sizeof(elsewhere), "http://127.0.0.1:%d", test_closed_port());
    /* The environment names a dead proxy and exempts every host: with the
     * option, neither applies, as with client-go's proxy-url. */
    setenv("HTTPS_PROXY", elsewhere, 1);
    setenv("https_proxy", elsewhere, 1);
    setenv("NO_PROXY", "*", 1);
    setenv("no_proxy", "localhost,127.0.0.1", 1);
    struct http_client_options o = { .ca_file = path_in("ca.crt"), .proxy = proxy };
    struct result r = fetch_n(&o, server_url("/echo"), 1);
    assert_int_equal(r.rc, HS_OK);
    char *log = proxy_log("env.log");
    assert_int_equal(count_lines(log, "CONNECT localhost:"), 1);
    hs_free(log);

    /* Without the option the environment rules: NO_PROXY=* goes direct. */
    struct http_client_options direct = { .ca_file = path_in("ca.crt") };
    r = fetch_n(&direct, server_url("/echo"), 1);
    assert_int_equal(r.rc, HS_OK);
    log = proxy_log("env.log");
    assert_int_equal(count_lines(log, "CONNECT"), 1); /* nothing new */
    hs_free(log);
    unsetenv("HTTPS_PROXY");
    unsetenv("https_proxy");
    unsetenv("NO_PROXY");
    unsetenv("no_proxy");
    test_server_stop(&p);
}

static void through_socks5_with_remote_names(void **state)
{
    (void)state;
    struct test_server p;
    proxy_start(&p, "socks.log", "--socks5", NULL, NULL);
    char proxy[64];
    snprintf(proxy, sizeof(proxy), "socks5://127.0.0.1:%d", p.port);
    struct http_client_options o = { .ca_file = path_in("ca.crt"), .proxy = proxy };
    struct result r = fetch_n(&o, server_url("/echo"), 2);
    assert_int_equal(r.rc, HS_OK);
    assert_int_equal(r.status, 200);
    char *log = proxy_log("socks.log");
    char want[64];
    /* The host name reached the proxy (address type domain): client-go's
     * socks5 lets the proxy resolve, so hoist does too. */
    snprintf(want, sizeof(want), "SOCKS5 domain localhost %d", tls_server.port);
    size_t tunnels = count_lines(log, "");
    assert_true(tunnels >= 1);
    assert_int_equal(count_lines(log, want), tunnels);
    hs_free(log);
    test_server_stop(&p);
}

static void credentials_in_the_url(void **state)
{
    (void)state;
    struct test_server p;
    proxy_start(&p, "auth.log", "--auth", "hoist:pr0xy-S3CRET", NULL);
    char proxy[96];
    snprintf(proxy, sizeof(proxy), "http://hoist:pr0xy-S3CRET@127.0.0.1:%d", p.port);
    struct http_client_options o = { .ca_file = path_in("ca.crt"), .proxy = proxy };
    struct result r = fetch_n(&o, server_url("/echo"), 1);
    assert_int_equal(r.rc, HS_OK);
    char *log = proxy_log("auth.log");
    assert_int_equal(count_lines(log, "CONNECT localhost:"), 1);
    hs_free(log);

    /* A wrong password: the proxy refuses, the error names no secret. */
    snprintf(proxy, sizeof(proxy), "http://hoist:WRONG-pass@127.0.0.1:%d", p.port);
    r = fetch_n(&o, server_url("/echo"), 1);
    assert_int_not_equal(r.rc, HS_OK);
    assert_null(strstr(r.msg, "WRONG-pass"));
    assert_null(strstr(r.msg, "S3CRET"));
    test_server_stop(&p);
}

static void dead_proxy_is_a_connect_error(void **state)
{
    (void)state;
    char proxy[64];
    snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", test_closed_port());
    struct http_client_options o = { .ca_file = path_in("ca.crt"), .proxy = proxy };
    struct result r = fetch_n(&o, server_url("/echo"), 1);
    assert_int_equal(r.rc, HS_ECONNECT);
    assert_int_equal(r.status, 0);
}

static void bad_proxy_urls_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = { "ftp://u:SEKRET@proxy:21", "socks4://u:SEKRET@proxy:1080",
                                       "proxy.example:3128", "http://", "http://u:SEKRET@a b:1" };
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct http_client_options o = { .proxy = bad[i] };
        struct http_client *c = NULL;
        struct hs_err err = { 0 };
        assert_int_equal(http_client_new(loop, &o, &c, &err), HS_EINVAL);
        assert_null(c);
        assert_non_null(strstr(err.msg, "proxy URL"));
        assert_null(strstr(err.msg, "SEKRET"));
    }
    /* Accepted schemes, case-insensitively. */
    static const char *const good[] = { "http://p:1", "HTTPS://p:1", "socks5://p:1",
                                        "socks5h://p:1" };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct http_client_options o = { .proxy = good[i] };
        struct http_client *c = NULL;
        struct hs_err err = { 0 };
        assert_int_equal(http_client_new(loop, &o, &c, &err), HS_OK);
        http_client_free(&c);
    }
    ev_loop_destroy(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(through_http_connect),
        cmocka_unit_test(option_beats_the_environment),
        cmocka_unit_test(through_socks5_with_remote_names),
        cmocka_unit_test(credentials_in_the_url),
        cmocka_unit_test(dead_proxy_is_a_connect_error),
        cmocka_unit_test(bad_proxy_urls_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
