/*
 * The REST client against the fake API server: the kubeconfig variants
 * (token, client certificate, exec plugin), an exec plugin written at test
 * time (run once and cached, KUBERNETES_EXEC_INFO as client-go sends it,
 * re-run on 401 after the token rotates, a failing plugin and one printing
 * garbage as one clear error each), in-cluster configuration with a rotated
 * service-account token, the limiter spacing requests but not watches, a
 * Status error as one line, and a kubeconfig's proxy-url honoured (HTTP
 * CONNECT and SOCKS5 proxies that log their tunnels, over an environment
 * that says otherwise).
 */
#include "harness.h"

#include "hs_test.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/clock.h"

struct call {
    bool done;
    enum hs_code rc;
    int status;
    double at;
    char msg[512];
    struct ev_loop *loop;
};

static void on_call(void *ctx, enum hs_code rc, const struct kube_response *resp,
                    const struct hs_err *err)
{
    struct call *k = ctx;
    k->done = true;
    k->rc = rc;
    k->status = resp->status;
    ev_now_update(k->loop);
    k->at = ev_now(k->loop);
    snprintf(k->msg, sizeof(k->msg), "%s", rc ? err->msg : "");
}

static bool call_done(void *ctx)
{
    return ((struct call *)ctx)->done;
}

static void get(struct kube_client *c, struct ev_loop *loop, const char *path, struct call *k)
{
    memset(k, 0, sizeof(*k));
    k->loop = loop;
    struct kube_request_options o = { 0 };
    o.path = path;
    o.on_done = on_call;
    o.ctx = k;
    struct hs_err err = { 0 };
    assert_int_equal(kube_request_start(c, &o, NULL, &err), HS_OK);
}

static void get_wait(struct kube_client *c, struct ev_loop *loop, const char *path, struct call *k)
{
    get(c, loop, path, k);
    assert_true(kwait(loop, 60, call_done, k));
}

static struct kube_client *client_for(struct kfake *f, const char *kubeconfig)
{
    struct kube_config cfg;
    kload_config(f, kubeconfig, &cfg);
    struct kube_client *c = NULL;
    struct hs_err err = { 0 };
    struct kube_client_options o = { 0 };
    o.qps = -1;
    assert_int_equal(kube_client_new(f->loop, &cfg, &o, &c, &err), HS_OK);
    kube_config_release(&cfg);
    return c;
}

static char *read_file(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return hs_strdup("");
    struct hs_buf b;
    hs_buf_init(&b);
    char tmp[4096];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
        hs_buf_add(&b, tmp, n);
    fclose(fp);
    return hs_buf_detach(&b);
}

static const char *exec_kubeconfig(struct kfake *f, const char *name, const char *plugin)
{
    char text[2048];
    snprintf(text, sizeof(text),
             "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
             "    server: https://127.0.0.1:%d\n    certificate-authority: %s\n"
             "users:\n- name: u\n  user:\n    exec:\n"
             "      apiVersion: client.authentication.k8s.io/v1\n      command: %s/%s\n"
             "      args: [\"--cluster\", \"fake\"]\n"
             "      env: [{name: HOIST_TEST_ENV, value: \"from-kubeconfig\"}]\n"
             "      interactiveMode: Never\n      provideClusterInfo: true\n"
             "contexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n",
             f->port, f->ca, f->dir, plugin);
    return kwrite_file(f, name, text, 0600);
}

static void test_exec_plugin(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct kfake f;
    assert_int_equal(kfake_start(&f, loop, NULL), 0);
    char script[2048];
    snprintf(script, sizeof(script),
             "#!/bin/sh\n"
             "n=$(cat %s/exec-count 2>/dev/null || echo 0)\n"
             "echo $((n+1)) > %s/exec-count\n"
             "printf '%%s' \"$KUBERNETES_EXEC_INFO\" > %s/exec-info\n"
             "printf '%%s %%s' \"$HOIST_TEST_ENV\" \"$*\" > %s/exec-env\n"
             "echo 'plugin: fetched a token' >&2\n"
             "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
             "\"ExecCredential\",\"status\":{\"token\":\"%%s\",\"expirationTimestamp\":"
             "\"2099-01-01T00:00:00Z\"}}' \"$(cat %s/exec-token)\"\n",
             f.dir, f.dir, f.dir, f.dir, f.dir);
    kwrite_file(&f, "plugin.sh", script, 0700);
    kwrite_file(&f, "exec-token", f.token, 0600);
    char kc[512];
    snprintf(kc, sizeof(kc), "%s", exec_kubeconfig(&f, "exec.kubeconfig", "plugin.sh"));
    struct kube_client *c = client_for(&f, kc);
    struct call k;
    get_wait(c, loop, "/api/v1/nodes", &k);
    assert_int_equal(k.rc, HS_OK);
    get_wait(c, loop, "/api/v1/namespaces", &k);
    assert_int_equal(k.rc, HS_OK);
    char *s = read_file(f.dir, "exec-count");
    assert_string_equal(s, "1\n"); /* cached: no expiry reached */
    hs_free(s);
    s = read_file(f.dir, "exec-info");
    assert_non_null(strstr(s, "\"kind\":\"ExecCredential\""));
    assert_non_null(strstr(s, "\"interactive\":false"));
    char server[64];
    snprintf(server, sizeof(server), "\"server\":\"https://127.0.0.1:%d\"", f.port);
    assert_non_null(strstr(s, server));
    assert_non_null(strstr(s, "\"certificate-authority-data\":\"LS0t"));
    hs_free(s);
    s = read_file(f.dir, "exec-env");
    assert_string_equal(s, "from-kubeconfig --cluster fake");
    hs_free(s);

    /* The token rotates on the server: 401, the plugin runs again, the
     * request goes through. */
    char body[256];
    snprintf(body, sizeof(body),
             "{\"add\":[{\"token\":\"rotated-77\",\"user\":\"hoist-test\"}],\"remove\":[\"%s\"]}",
             f.token);
    kfake_admin(&f, "tokens", body);
    kwrite_file(&f, "exec-token", "rotated-77", 0600);
    get_wait(c, loop, "/api/v1/nodes", &k);
    assert_int_equal(k.rc, HS_OK);
    s = read_file(f.dir, "exec-count");
    assert_string_equal(s, "2\n");
    hs_free(s);
    kube_client_free(&c);

    /* A plugin that fails, and one that prints garbage: one clear error. */
    kwrite_file(&f, "fail.sh", "#!/bin/sh\necho 'no credentials found' >&2\nexit 3\n", 0700);
    snprintf(kc, sizeof(kc), "%s", exec_kubeconfig(&f, "fail.kubeconfig", "fail.sh"));
    c = client_for(&f, kc);
    get_wait(c, loop, "/api/v1/nodes", &k);
    assert_int_equal(k.rc, HS_EAUTH);
    char want[600];
    snprintf(want, sizeof(want),
             "GET /api/v1/nodes: exec plugin %s/fail.sh: exited with status 3 (its stderr is "
             "logged above)",
             f.dir);
    assert_string_equal(k.msg, want);
    kube_client_free(&c);
    kwrite_file(&f, "garbage.sh", "#!/bin/sh\necho 'token=abc (not json)'\n", 0700);
    snprintf(kc, sizeof(kc), "%s", exec_kubeconfig(&f, "garbage.kubeconfig", "garbage.sh"));
    c = client_for(&f, kc);
    get_wait(c, loop, "/api/v1/nodes", &k);
    assert_int_equal(k.rc, HS_EAUTH);
    assert_non_null(strstr(k.msg, "garbage.sh: its output is not an ExecCredential JSON object"));
    assert_null(strstr(k.msg, "abc")); /* never quotes what the plugin printed */
    kube_client_free(&c);
    kfake_stop(&f);
    ev_loop_destroy(loop);
}

static void test_exec_plugin_v1beta1(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct kfake f;
    assert_int_equal(kfake_start(&f, loop, NULL), 0);
    /* As `aws eks get-token` prints it for a v1beta1 kubeconfig. */
    char script[1024];
    snprintf(script, sizeof(script),
             "#!/bin/sh\n"
             "printf '%%s' \"$KUBERNETES_EXEC_INFO\" > %s/beta-info\n"
             "printf '{\"kind\":\"ExecCredential\",\"apiVersion\":"
             "\"client.authentication.k8s.io/v1beta1\",\"spec\":{},\"status\":"
             "{\"expirationTimestamp\":\"2099-01-01T00:00:00Z\",\"token\":\"%s\"}}'\n",
             f.dir, f.token);
    kwrite_file(&f, "beta.sh", script, 0700);
    char text[2048];
    snprintf(text, sizeof(text),
             "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
             "    server: https://127.0.0.1:%d\n    certificate-authority: %s\n"
             "users:\n- name: u\n  user:\n    exec:\n"
             "      apiVersion: client.authentication.k8s.io/v1beta1\n"
             "      command: %s/beta.sh\n" /* no interactiveMode: optional in v1beta1 */
             "contexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n",
             f.port, f.ca, f.dir);
    char kc[512];
    snprintf(kc, sizeof(kc), "%s", kwrite_file(&f, "beta.kubeconfig", text, 0600));
    struct kube_client *c = client_for(&f, kc);
    struct call k;
    get_wait(c, loop, "/api/v1/nodes", &k);
    assert_int_equal(k.rc, HS_OK);
    char *s = read_file(f.dir, "beta-info");
    assert_non_null(strstr(s, "\"apiVersion\":\"client.authentication.k8s.io/v1beta1\""));
    assert_null(strstr(s, "\"cluster\"")); /* provideClusterInfo unset */
    hs_free(s);
    kube_client_free(&c);

    /* A v1beta1 kubeconfig whose plugin answers in v1: refused, as client-go does. */
    kwrite_file(&f, "beta.sh",
                "#!/bin/sh\nprintf '{\"kind\":\"ExecCredential\",\"apiVersion\":"
                "\"client.authentication.k8s.io/v1\",\"status\":{\"token\":\"x\"}}'\n",
                0700);
    c = client_for(&f, kc);
    get_wait(c, loop, "/api/v1/nodes", &k);
    assert_int_equal(k.rc, HS_EAUTH);
    assert_non_null(strstr(k.msg, "its output has apiVersion \"client.authentication.k8s.io/v1\", "
                                  "want client.authentication.k8s.io/v1beta1"));
    kube_client_free(&c);
    kfake_stop(&f);
    ev_loop_destroy(loop);
}

static void test_exec_plugin_expired_credential(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct kfake f;
    assert_int_equal(kfake_start(&f, loop, NULL), 0);
    /* A plugin whose clock is wrong: its credential has expired when it
     * arrives. It is used (as client-go does) rather than asking the plugin
     * again for every request, back to back, forever. */
    char script[1024];
    snprintf(script, sizeof(script),
             "#!/bin/sh\n"
             "n=$(cat %s/stale-count 2>/dev/null || echo 0)\n"
             "echo $((n+1)) > %s/stale-count\n"
             "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":"
             "\"ExecCredential\",\"status\":{\"token\":\"%s\",\"expirationTimestamp\":"
             "\"2000-01-01T00:00:00Z\"}}'\n",
             f.dir, f.dir, f.token);
    kwrite_file(&f, "stale.sh", script, 0700);
    char kc[512];
    snprintf(kc, sizeof(kc), "%s", exec_kubeconfig(&f, "stale.kubeconfig", "stale.sh"));
    struct kube_client *c = client_for(&f, kc);
    struct call k;
    get_wait(c, loop, "/api/v1/nodes", &k);
    assert_int_equal(k.rc, HS_OK);
    get_wait(c, loop, "/api/v1/namespaces", &k);
    assert_int_equal(k.rc, HS_OK);
    char *n = read_file(f.dir, "stale-count");
    assert_string_equal(n, "1\n");
    hs_free(n);
    kube_client_free(&c);
    kfake_stop(&f);
    ev_loop_destroy(loop);
}

/* The user name of the fake's last recorded request to path. */
static void last_user(struct kfake *f, const char *path, char *out, size_t size)
{
    char *body = NULL;
    assert_int_equal(kfake_request(f, "GET", "/_fake/requests", NULL, &body), 200);
    json_t *all = json_loads(body, 0, NULL);
    hs_free(body);
    assert_true(json_is_array(all));
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(all); i++) {
        json_t *r = json_array_get(all, i);
        const char *p = json_string_value(json_object_get(r, "path"));
        const char *u = json_string_value(json_object_get(r, "user"));
        if (p && u && strcmp(p, path) == 0)
            snprintf(out, size, "%s", u);
    }
    json_decref(all);
}

static void test_exec_plugin_client_cert(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct kfake f;
    assert_int_equal(kfake_start(&f, loop, NULL), 0);
    const char *src = getenv("HOIST_SOURCE_DIR") ? getenv("HOIST_SOURCE_DIR") : ".";
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "python3 -c 'import sys; sys.path.insert(0, \"%s/test/fakes\"); import "
             "kube_apiserver as k; k.make_client_cert(\"%s\", \"exec-cert-a\", [], \"ea\"); "
             "k.make_client_cert(\"%s\", \"exec-cert-b\", [], \"eb\")'",
             src, f.dir, f.dir);
    assert_int_equal(system(cmd), 0);
    /* The plugin hands out certificate a, then b, with the expiry the test
     * writes in certexec-exp. No token at all. */
    char script[2048];
    snprintf(script, sizeof(script),
             "#!/usr/bin/env python3\n"
             "import json, os, datetime\n"
             "d = %s\n"
             "n = int(open(d + '/certexec-count').read()) if os.path.exists(d + "
             "'/certexec-count') else 0\n"
             "open(d + '/certexec-count', 'w').write(str(n + 1))\n"
             "p = 'ea' if n == 0 else 'eb'\n"
             "exp = open(d + '/certexec-exp').read()\n"
             "print(json.dumps({'kind': 'ExecCredential', 'apiVersion': "
             "'client.authentication.k8s.io/v1', 'status': {\n"
             "  'clientCertificateData': open(d + '/' + p + '.crt').read(),\n"
             "  'clientKeyData': open(d + '/' + p + '.key').read(),\n"
             "  'expirationTimestamp': exp}}))\n",
             "'__DIR__'");
    /* the folder, quoted for python */
    char quoted[400];
    snprintf(quoted, sizeof(quoted), "'%s'", f.dir);
    char *at = strstr(script, "'__DIR__'");
    assert_non_null(at);
    char final[2600];
    snprintf(final, sizeof(final), "%.*s%s%s", (int)(at - script), script, quoted,
             at + strlen("'__DIR__'"));
    kwrite_file(&f, "certexec.py", final, 0700);
    char kc[512];
    snprintf(kc, sizeof(kc), "%s", exec_kubeconfig(&f, "certexec.kubeconfig", "certexec.py"));

    struct hs_fake_clock clock;
    ev_now_update(loop);
    hs_fake_clock_init(&clock, (int64_t)(ev_now(loop) * 1e9));
    struct kube_config cfg;
    kload_config(&f, kc, &cfg);
    struct kube_client_options o = { 0 };
    o.qps = -1;
    o.clock = &clock.clock;
    struct kube_client *c = NULL;
    struct hs_err err = { 0 };
    assert_int_equal(kube_client_new(loop, &cfg, &o, &c, &err), HS_OK);
    kube_config_release(&cfg);
    /* Each credential is good for an hour of the client's clock. */
    char exp[40];
    hs_time_format_rfc3339(hs_clock_wall(&clock.clock) + HS_HOUR, exp, sizeof(exp));
    kwrite_file(&f, "certexec-exp", exp, 0600);

    struct call k;
    char user[64];
    get_wait(c, loop, "/api/v1/nodes", &k);
    assert_int_equal(k.rc, HS_OK);
    last_user(&f, "/api/v1/nodes", user, sizeof(user));
    assert_string_equal(user, "exec-cert-a"); /* TLS client auth with the plugin's certificate */
    get_wait(c, loop, "/api/v1/namespaces", &k);
    assert_int_equal(k.rc, HS_OK);
    char *n = read_file(f.dir, "certexec-count");
    assert_string_equal(n, "1"); /* cached until it expires */
    hs_free(n);

    /* Two hours later the certificate has expired: the plugin runs again and
     * the HTTP client is rebuilt with the new certificate. */
    hs_fake_clock_advance(&clock, 2 * HS_HOUR);
    hs_time_format_rfc3339(hs_clock_wall(&clock.clock) + HS_HOUR, exp, sizeof(exp));
    kwrite_file(&f, "certexec-exp", exp, 0600);
    get_wait(c, loop, "/api/v1/nodes", &k);
    if (k.rc)
        fail_msg("after the certificate expired: %s", k.msg);
    n = read_file(f.dir, "certexec-count");
    assert_string_equal(n, "2");
    hs_free(n);
    last_user(&f, "/api/v1/nodes", user, sizeof(user));
    assert_string_equal(user, "exec-cert-b");
    get_wait(c, loop, "/api/v1/namespaces", &k);
    last_user(&f, "/api/v1/namespaces", user, sizeof(user));
    assert_string_equal(user, "exec-cert-b");
    kube_client_free(&c);
    kfake_stop(&f);
    ev_loop_destroy(loop);
}

static void test_client_cert(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct kfake f;
    assert_int_equal(kfake_start(&f, loop, NULL), 0);
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "python3 -c 'import sys; sys.path.insert(0, \"%s/test/fakes\"); import "
             "kube_apiserver as k; k.make_client_cert(\"%s\", \"cert-user\", [\"ops\"], "
             "\"cu\")'",
             getenv("HOIST_SOURCE_DIR") ? getenv("HOIST_SOURCE_DIR") : ".", f.dir);
    assert_int_equal(system(cmd), 0);
    char text[2048];
    snprintf(text, sizeof(text),
             "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
             "    server: https://127.0.0.1:%d\n    certificate-authority: %s\n"
             "users:\n- name: u\n  user:\n    client-certificate: %s/cu.crt\n"
             "    client-key: %s/cu.key\n"
             "contexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n",
             f.port, f.ca, f.dir, f.dir);
    char kc[512];
    snprintf(kc, sizeof(kc), "%s", kwrite_file(&f, "cert.kubeconfig", text, 0600));
    struct kube_client *c = client_for(&f, kc);
    struct call k;
    get_wait(c, loop, "/api/v1/nodes?limit=1", &k);
    assert_int_equal(k.rc, HS_OK);
    char *out = NULL;
    assert_int_equal(kfake_request(&f, "GET", "/_fake/requests", NULL, &out), 200);
    assert_non_null(strstr(out, "\"cert-user\""));
    hs_free(out);
    /* A Status error is one line. */
    get_wait(c, loop, "/api/v1/nodes/missing", &k);
    assert_int_equal(k.rc, HS_ENOTFOUND);
    assert_string_equal(k.msg, "GET /api/v1/nodes/missing: 404 NotFound: nodes \"missing\" not "
                               "found");
    kube_client_free(&c);
    kfake_stop(&f);
    ev_loop_destroy(loop);
}

/* A token kubeconfig for f whose cluster names proxy-url proxy. */
static const char *proxy_kubeconfig(struct kfake *f, const char *name, const char *proxy)
{
    char text[2048];
    snprintf(text, sizeof(text),
             "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
             "    server: https://127.0.0.1:%d\n    certificate-authority: %s\n"
             "    proxy-url: %s\n"
             "users:\n- name: u\n  user:\n    token: %s\n"
             "contexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n",
             f->port, f->ca, proxy, f->token);
    return kwrite_file(f, name, text, 0600);
}

static void test_proxy_url(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct kfake f;
    assert_int_equal(kfake_start(&f, loop, NULL), 0);
    struct kproxy hp, sp;
    assert_int_equal(kproxy_start(&hp, &f, "http-proxy.log", false), 0);
    assert_int_equal(kproxy_start(&sp, &f, "socks-proxy.log", true), 0);
    /* The environment points somewhere dead and exempts everything: the
     * kubeconfig's proxy-url must win, as in client-go. */
    setenv("HTTPS_PROXY", "http://127.0.0.1:1", 1); /* nothing listens on port 1 */
    setenv("NO_PROXY", "*", 1);

    char proxy[64], kc[512], want[64];
    snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", hp.port);
    snprintf(kc, sizeof(kc), "%s", proxy_kubeconfig(&f, "http-proxy.kubeconfig", proxy));
    struct kube_client *c = client_for(&f, kc);
    struct call k, w;
    get_wait(c, loop, "/api/v1/nodes", &k);
    assert_int_equal(k.rc, HS_OK);
    /* A watch goes through the tunnel as well. */
    memset(&w, 0, sizeof(w));
    w.loop = loop;
    struct kube_request_options wo = { 0 };
    wo.path = "/api/v1/nodes?watch=1&timeoutSeconds=1";
    wo.watch = true;
    wo.on_done = on_call;
    wo.ctx = &w;
    struct hs_err err = { 0 };
    assert_int_equal(kube_request_start(c, &wo, NULL, &err), HS_OK);
    assert_true(kwait(loop, 60, call_done, &w));
    assert_int_equal(w.rc, HS_OK);
    kube_client_free(&c);
    snprintf(want, sizeof(want), "CONNECT 127.0.0.1:%d", f.port);
    size_t tunnels = kproxy_count(&hp, "");
    assert_true(tunnels >= 1);
    assert_int_equal(kproxy_count(&hp, want), tunnels);
    char *out = NULL;
    assert_int_equal(kfake_request(&f, "GET", "/_fake/requests", NULL, &out), 200);
    assert_non_null(strstr(out, "\"hoist-test\"")); /* the token went through the tunnel */
    hs_free(out);

    /* SOCKS5. */
    snprintf(proxy, sizeof(proxy), "socks5://127.0.0.1:%d", sp.port);
    snprintf(kc, sizeof(kc), "%s", proxy_kubeconfig(&f, "socks-proxy.kubeconfig", proxy));
    c = client_for(&f, kc);
    get_wait(c, loop, "/api/v1/namespaces", &k);
    assert_int_equal(k.rc, HS_OK);
    kube_client_free(&c);
    tunnels = kproxy_count(&sp, "SOCKS5 ");
    assert_true(tunnels >= 1);
    assert_int_equal(kproxy_count(&sp, ""), tunnels);

    /* The proxy gone: a connection error, not a silent direct request. */
    kproxy_stop(&hp);
    snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", hp.port);
    snprintf(kc, sizeof(kc), "%s", proxy_kubeconfig(&f, "http-proxy.kubeconfig", proxy));
    c = client_for(&f, kc);
    get_wait(c, loop, "/api/v1/nodes", &k);
    assert_int_equal(k.rc, HS_ECONNECT);
    kube_client_free(&c);
    unsetenv("HTTPS_PROXY");
    unsetenv("NO_PROXY");
    kproxy_stop(&sp);
    kfake_stop(&f);
    ev_loop_destroy(loop);
}

static void test_in_cluster_rotation(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct kfake f;
    assert_int_equal(kfake_start(&f, loop, NULL), 0);
    char sa[400], port[16], *ca = read_file(f.dir, "ca.crt");
    snprintf(sa, sizeof(sa), "%s/sa", f.dir);
    assert_int_equal(mkdir(sa, 0700), 0);
    kwrite_file(&f, "sa/token", f.token, 0600);
    kwrite_file(&f, "sa/ca.crt", ca, 0600);
    kwrite_file(&f, "sa/namespace", "kube-system", 0600);
    hs_free(ca);
    snprintf(port, sizeof(port), "%d", f.port);
    struct kube_config_env env = { 0 };
    env.service_host = "127.0.0.1";
    env.service_port = port;
    env.sa_dir = sa;
    struct kube_config cfg;
    struct hs_err err = { 0 };
    assert_int_equal(kube_config_load(&env, &cfg, &err), HS_OK);
    struct kube_client_options o = { 0 };
    o.qps = -1;
    o.token_reread_ns = 200 * HS_MSEC;
    struct kube_client *c = NULL;
    assert_int_equal(kube_client_new(loop, &cfg, &o, &c, &err), HS_OK);
    kube_config_release(&cfg);
    struct call k;
    get_wait(c, loop, "/api/v1/nodes", &k);
    assert_int_equal(k.rc, HS_OK);
    /* The kubelet rotates the bound token; the old one stops working. */
    char body[256];
    snprintf(body, sizeof(body),
             "{\"add\":[{\"token\":\"bound-2\",\"user\":\"hoist-test\"}],\"remove\":[\"%s\"]}",
             f.token);
    kfake_admin(&f, "tokens", body);
    kwrite_file(&f, "sa/token", "bound-2\n", 0600);
    get_wait(c, loop, "/api/v1/nodes", &k); /* 401 re-reads at once */
    assert_int_equal(k.rc, HS_OK);
    krun_for(loop, 0.3);
    get_wait(c, loop, "/api/v1/nodes", &k); /* the periodic re-read */
    assert_int_equal(k.rc, HS_OK);
    /* A token nobody accepts: 401 as one line, after one re-read. */
    kwrite_file(&f, "sa/token", "bogus", 0600);
    krun_for(loop, 0.3);
    get_wait(c, loop, "/api/v1/nodes", &k);
    assert_int_equal(k.rc, HS_EAUTH);
    assert_string_equal(k.msg, "GET /api/v1/nodes: 401 Unauthorized: Unauthorized");
    kube_client_free(&c);
    kfake_stop(&f);
    ev_loop_destroy(loop);
}

static void test_limiter(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct kfake f;
    assert_int_equal(kfake_start(&f, loop, NULL), 0);
    struct kube_client_options o = { 0 };
    o.qps = 5;
    o.burst = 1;
    struct kube_client *c = kclient(&f, &o);
    struct call k[6];
    ev_now_update(loop);
    double t0 = ev_now(loop);
    for (int i = 0; i < 6; i++)
        get(c, loop, "/api/v1/nodes", &k[i]);
    for (int i = 0; i < 6; i++)
        assert_true(kwait(loop, 30, call_done, &k[i]));
    double last = 0;
    for (int i = 0; i < 6; i++) {
        assert_int_equal(k[i].rc, HS_OK);
        if (k[i].at > last)
            last = k[i].at;
    }
    assert_true(last - t0 >= 0.95); /* 5 waits of 0.2 s after the burst of 1 */
    kube_client_free(&c);

    /* A starved limiter (one request per 5 s) does not hold a watch back. */
    o.qps = 0.2;
    c = kclient(&f, &o);
    struct call a, b, w;
    ev_now_update(loop);
    t0 = ev_now(loop);
    get(c, loop, "/api/v1/nodes", &a);
    get(c, loop, "/api/v1/nodes", &b); /* waits ~5 s for its token */
    memset(&w, 0, sizeof(w));
    w.loop = loop;
    struct kube_request_options wo = { 0 };
    wo.path = "/api/v1/nodes?watch=1&timeoutSeconds=1";
    wo.watch = true;
    wo.on_done = on_call;
    wo.ctx = &w;
    struct hs_err err = { 0 };
    assert_int_equal(kube_request_start(c, &wo, NULL, &err), HS_OK);
    assert_true(kwait(loop, 30, call_done, &w));
    assert_int_equal(w.rc, HS_OK);
    assert_false(b.done);
    assert_true(w.at - t0 < 4.0);
    assert_true(kwait(loop, 30, call_done, &b));
    assert_true(b.at - t0 >= 4.5);
    kube_client_free(&c);
    kfake_stop(&f);
    ev_loop_destroy(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_plugin),
        cmocka_unit_test(test_exec_plugin_v1beta1),
        cmocka_unit_test(test_exec_plugin_client_cert),
        cmocka_unit_test(test_exec_plugin_expired_credential),
        cmocka_unit_test(test_client_cert),
        cmocka_unit_test(test_in_cluster_rotation),
        cmocka_unit_test(test_proxy_url),
        cmocka_unit_test(test_limiter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
