/*
 * TLS tests of lib/http against server.py speaking HTTPS with certificates
 * made for this run by make_certs.sh (openssl CLI, temporary directory):
 * the right CA (file or blob) verifies, a wrong CA, the system bundle and a
 * name mismatch fail with a verification error, tls_server_name verifies a
 * certificate that does not name the URL's host, insecure_skip_verify works
 * only when asked and warns, client certificates (files and blobs) reach a
 * server that demands them, and a stalled request does not hold back another
 * one to the same server. Never trusts anything beyond the temporary CA.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/log.h"
#include "harness.h"
#include "http/http.h"

static char dir[256];
static struct test_server tls_server;  /* server.crt, any client */
static struct test_server mtls_server; /* server.crt, client certificate required */

struct result {
    int calls;
    enum hs_code rc;
    int status;
    struct hs_buf body;
    char msg[HS_ERR_MSG_MAX];
    char conn_id[16];
};

static void on_done(void *ctx, enum hs_code rc, const struct http_response *resp,
                    const struct hs_err *err)
{
    struct result *r = ctx;
    r->calls++;
    r->rc = rc;
    r->status = resp->status;
    hs_buf_add(&r->body, resp->body, resp->body_len);
    snprintf(r->msg, sizeof(r->msg), "%s", err->msg);
    const char *id = http_response_header(resp, "X-Conn-Id");
    snprintf(r->conn_id, sizeof(r->conn_id), "%s", id ? id : "");
}

static const char *path_in(const char *name)
{
    static char buf[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
    return buf[i];
}

static struct hs_buf read_file(const char *name)
{
    struct hs_buf b;
    hs_buf_init(&b);
    FILE *f = fopen(path_in(name), "rb");
    if (!f)
        fail_msg("cannot open %s", path_in(name));
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        hs_buf_add(&b, chunk, n);
    fclose(f);
    return b;
}

/* Runs one request on a fresh client and loop; returns its result (the
 * caller releases body). */
static struct result fetch(const struct http_client_options *o, const char *url)
{
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *c = NULL;
    struct hs_err err = { 0 };
    if (http_client_new(loop, o, &c, &err))
        fail_msg("http_client_new: %s", err.msg);
    struct result r = { 0 };
    hs_buf_init(&r.body);
    struct http_request_options ro = { .url = url, .on_done = on_done, .ctx = &r };
    if (http_request_start(c, &ro, NULL, &err))
        fail_msg("http_request_start: %s", err.msg);
    test_run_loop(loop, 60);
    assert_int_equal(r.calls, 1);
    http_client_free(&c);
    ev_loop_destroy(loop);
    return r;
}

static const char *url(const struct test_server *s, const char *host, const char *path)
{
    static char buf[2][512];
    static int i;
    i = (i + 1) % 2;
    snprintf(buf[i], sizeof(buf[i]), "https://%s:%d%s", host, s->port, path);
    return buf[i];
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/hoist-http-tls-XXXXXX", tmp && *tmp ? tmp : "/tmp");
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
    if (test_server_start(&tls_server, tls_args))
        return -1;
    const char *mtls_args[] = { "--cert",      path_in("server.crt"),
                                "--key",       path_in("server.key"),
                                "--client-ca", path_in("ca.crt"),
                                NULL };
    return test_server_start(&mtls_server, mtls_args);
}

static int teardown(void **state)
{
    (void)state;
    test_server_stop(&tls_server);
    test_server_stop(&mtls_server);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void verified_with_ca_file(void **state)
{
    (void)state;
    struct http_client_options o = { .ca_file = path_in("ca.crt") };
    struct result r = fetch(&o, url(&tls_server, "localhost", "/echo"));
    assert_int_equal(r.rc, HS_OK);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "\"method\": \"GET\""));
    hs_buf_release(&r.body);
}

static void verified_with_ca_blob(void **state)
{
    (void)state;
    struct hs_buf ca = read_file("ca.crt");
    struct http_client_options o = { .ca_pem = ca.data, .ca_pem_len = ca.len };
    struct result r = fetch(&o, url(&tls_server, "localhost", "/echo"));
    hs_buf_release(&ca);
    assert_int_equal(r.rc, HS_OK);
    assert_int_equal(r.status, 200);
    hs_buf_release(&r.body);
}

static void wrong_ca_is_refused(void **state)
{
    (void)state;
    struct http_client_options o = { .ca_file = path_in("otherca.crt") };
    const char *u = url(&tls_server, "localhost", "/echo?token=SEKRET");
    struct result r = fetch(&o, u);
    assert_int_equal(r.rc, HS_ECONNECT);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.body.len, 0);
    char want[128];
    snprintf(want, sizeof(want),
             "GET https://localhost:%d/echo: TLS certificate verification "
             "failed: ",
             tls_server.port);
    if (strstr(r.msg, want) != r.msg)
        fail_msg("message '%s' does not start with '%s'", r.msg, want);
    assert_null(strstr(r.msg, "SEKRET"));
    hs_buf_release(&r.body);
}

static void system_bundle_does_not_know_the_test_ca(void **state)
{
    (void)state;
    struct result r = fetch(NULL, url(&tls_server, "localhost", "/echo"));
    assert_int_equal(r.rc, HS_ECONNECT);
    assert_non_null(strstr(r.msg, "TLS certificate verification failed"));
    hs_buf_release(&r.body);
}

static void server_name_override(void **state)
{
    (void)state;
    /* The certificate names no IP address: by address it fails... */
    struct http_client_options o = { .ca_file = path_in("ca.crt") };
    struct result r = fetch(&o, url(&tls_server, "127.0.0.1", "/echo"));
    assert_int_equal(r.rc, HS_ECONNECT);
    assert_non_null(strstr(r.msg, "TLS certificate verification failed"));
    hs_buf_release(&r.body);
    /* ...and with tls_server_name it verifies, while Host keeps the address. */
    o.tls_server_name = "apiserver.hoist.test";
    r = fetch(&o, url(&tls_server, "127.0.0.1", "/echo?x=1"));
    assert_int_equal(r.rc, HS_OK);
    assert_int_equal(r.status, 200);
    char want[64];
    snprintf(want, sizeof(want), "\"host\": \"127.0.0.1:%d\"", tls_server.port);
    assert_non_null(strstr(r.body.data, want));
    assert_non_null(strstr(r.body.data, "\"query\": \"x=1\""));
    hs_buf_release(&r.body);
    /* A name the certificate does not carry still fails. */
    o.tls_server_name = "other.hoist.test";
    r = fetch(&o, url(&tls_server, "127.0.0.1", "/echo"));
    assert_int_equal(r.rc, HS_ECONNECT);
    hs_buf_release(&r.body);
}

static struct hs_buf logged;

static void sink(void *ctx, const char *line, size_t len)
{
    (void)ctx;
    hs_buf_add(&logged, line, len);
}

static void insecure_only_when_asked(void **state)
{
    (void)state;
    hs_buf_init(&logged);
    hs_log_set_sink(sink, NULL);
    struct http_client_options o = { .ca_file = path_in("otherca.crt") };
    struct result r = fetch(&o, url(&tls_server, "localhost", "/echo"));
    assert_int_equal(r.rc, HS_ECONNECT);
    hs_buf_release(&r.body);
    assert_int_equal(logged.len, 0);
    o.insecure_skip_verify = true;
    r = fetch(&o, url(&tls_server, "127.0.0.1", "/echo"));
    hs_log_set_sink(NULL, NULL);
    assert_int_equal(r.rc, HS_OK);
    assert_int_equal(r.status, 200);
    assert_true(logged.len > 0 && logged.data[0] == 'W');
    assert_non_null(strstr(logged.data, "TLS CERTIFICATE VERIFICATION IS DISABLED"));
    hs_buf_release(&r.body);
    hs_buf_release(&logged);
}

static void client_certificates(void **state)
{
    (void)state;
    /* Without a certificate the server hangs up (during or right after the
     * handshake, depending on the TLS version). */
    struct http_client_options o = { .ca_file = path_in("ca.crt") };
    struct result r = fetch(&o, url(&mtls_server, "localhost", "/echo"));
    assert_int_not_equal(r.rc, HS_OK);
    assert_int_equal(r.status, 0);
    hs_buf_release(&r.body);

    o.client_cert_file = path_in("client.crt");
    o.client_key_file = path_in("client.key");
    r = fetch(&o, url(&mtls_server, "localhost", "/echo"));
    assert_int_equal(r.rc, HS_OK);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "\"peer_cn\": \"hoist-client\""));
    hs_buf_release(&r.body);

    struct hs_buf cert = read_file("client.crt"), key = read_file("client.key");
    struct http_client_options ob = { .ca_file = path_in("ca.crt"),
                                      .client_cert_pem = cert.data,
                                      .client_cert_pem_len = cert.len,
                                      .client_key_pem = key.data,
                                      .client_key_pem_len = key.len };
    r = fetch(&ob, url(&mtls_server, "localhost", "/echo"));
    hs_buf_release(&cert);
    hs_buf_release(&key);
    assert_int_equal(r.rc, HS_OK);
    assert_non_null(strstr(r.body.data, "\"peer_cn\": \"hoist-client\""));
    hs_buf_release(&r.body);
}

/* A stalled request (a watch) and quick ones to the same server: the quick
 * ones finish, sequential ones share a connection, and the stalled one is
 * canceled from the last quick one's callback. */
struct mix {
    struct http_client *c;
    struct http_request *stalled;
    struct result quick[3];
    int next;
};

static void mix_done(void *ctx, enum hs_code rc, const struct http_response *resp,
                     const struct hs_err *err)
{
    struct mix *m = ctx;
    on_done(&m->quick[m->next], rc, resp, err);
    if (++m->next == 3) {
        http_request_cancel(&m->stalled);
        return;
    }
    struct http_request_options o = { .url = url(&tls_server, "localhost", "/echo"),
                                      .on_done = mix_done,
                                      .ctx = m };
    struct hs_err e = { 0 };
    if (http_request_start(m->c, &o, NULL, &e))
        fail_msg("http_request_start: %s", e.msg);
}

static void never(void *ctx, enum hs_code rc, const struct http_response *resp,
                  const struct hs_err *err)
{
    (void)ctx;
    (void)rc;
    (void)resp;
    (void)err;
    fail_msg("the canceled request called back");
}

static void stalled_request_does_not_block_others(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct mix m = { 0 };
    for (int i = 0; i < 3; i++)
        hs_buf_init(&m.quick[i].body);
    struct http_client_options co = { .ca_file = path_in("ca.crt") };
    struct hs_err err = { 0 };
    if (http_client_new(loop, &co, &m.c, &err))
        fail_msg("http_client_new: %s", err.msg);
    struct http_request_options stall = { .url = url(&tls_server, "localhost", "/stall"),
                                          .on_done = never,
                                          .timeout_ns = HTTP_NO_TIMEOUT };
    assert_int_equal(http_request_start(m.c, &stall, &m.stalled, &err), HS_OK);
    struct http_request_options quick = { .url = url(&tls_server, "localhost", "/echo"),
                                          .on_done = mix_done,
                                          .ctx = &m };
    assert_int_equal(http_request_start(m.c, &quick, NULL, &err), HS_OK);
    test_run_loop(loop, 60);
    assert_int_equal(m.next, 3);
    assert_null(m.stalled);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(m.quick[i].rc, HS_OK);
        assert_string_equal(m.quick[i].conn_id, m.quick[0].conn_id); /* kept alive */
        hs_buf_release(&m.quick[i].body);
    }
    http_client_free(&m.c);
    ev_loop_destroy(loop);
}

int main(void)
{
    if (getenv("HTTP_TEST_ONLY"))
        cmocka_set_test_filter(getenv("HTTP_TEST_ONLY"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verified_with_ca_file),
        cmocka_unit_test(verified_with_ca_blob),
        cmocka_unit_test(wrong_ca_is_refused),
        cmocka_unit_test(system_bundle_does_not_know_the_test_ca),
        cmocka_unit_test(server_name_override),
        cmocka_unit_test(insecure_only_when_asked),
        cmocka_unit_test(client_certificates),
        cmocka_unit_test(stalled_request_does_not_block_others),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
