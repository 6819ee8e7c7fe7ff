/*
 * Tests of lib/kube/config.c. The kubeconfig files are written by the real
 * kubectl (`kubectl config set-cluster/set-credentials/set-context`), and what
 * hoist resolves is compared with what `kubectl config view --minify --raw`
 * says: a parser checked only against files we wrote ourselves would prove
 * little. Error cases use hand-written files, each with its exact message.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "kube/config.h"

static char tmpdir[] = "/tmp/hoist-kubeconfig-XXXXXX";

static void path_of(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", tmpdir, name);
}

static void write_file(const char *name, const char *text)
{
    char p[512];
    path_of(p, sizeof(p), name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Runs a shell command; fails the test when it fails. */
static void run(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("command failed (%d): %s", rc, cmd);
}

/* Output of a shell command, trimmed. */
static void capture(const char *cmd, char *out, size_t size)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    assert_int_equal(pclose(p), 0);
}

/* What `kubectl config view --minify` says at jsonpath for kubeconfig kc. */
static void kubectl_view(const char *kc, const char *jsonpath, char *out, size_t size)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "kubectl --kubeconfig=%s config view --minify --raw -o jsonpath='%s'", kc, jsonpath);
    capture(cmd, out, size);
}

/* msg with the file name p at its start replaced by "F", so tables of
 * expected messages do not depend on the temp folder. */
static void with_f(const char *msg, const char *p, char *out, size_t size)
{
    size_t plen = strlen(p);
    if (strncmp(msg, p, plen) == 0)
        snprintf(out, size, "F%s", msg + plen);
    else
        snprintf(out, size, "%s", msg);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmpdir))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd);
}

static void written_by_kubectl(void **state)
{
    (void)state;
    char kc[512], ca[512], cmd[4096], want[512];
    path_of(kc, sizeof(kc), "kubectl.yaml");
    path_of(ca, sizeof(ca), "ca.pem");
    write_file("ca.pem", "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n");
    snprintf(cmd, sizeof(cmd),
             "set -e; k=\"env PATH=/usr/bin:/bin $(command -v kubectl) --kubeconfig=%s\"; "
             "$k config set-cluster prod --server=https://10.0.0.1:6443 "
             "--certificate-authority=%s --embed-certs=true >/dev/null; "
             "$k config set-cluster dev --server=https://dev.example:443 "
             "--insecure-skip-tls-verify=true >/dev/null; "
             "$k config set clusters.dev.proxy-url socks5://proxy.internal:1080 >/dev/null; "
             "$k config set-credentials bot --token=s3cr3t-token >/dev/null; "
             "$k config set-credentials eks --exec-command=aws --exec-arg=eks "
             "--exec-arg=get-token --exec-arg=--cluster-name --exec-arg=prod "
             "--exec-api-version=client.authentication.k8s.io/v1beta1 "
             "--exec-env=AWS_PROFILE=ops >/dev/null; "
             "$k config set-context a --cluster=prod --user=bot --namespace=team-a >/dev/null; "
             "$k config set-context b --cluster=dev --user=eks >/dev/null; "
             "$k config use-context a >/dev/null",
             kc, ca);
    /* kubectl's set-context runs the exec plugin; the narrow PATH above keeps
     * it from finding a real `aws` and calling AWS from a unit test. */
    run(cmd);

    struct kube_config c;
    struct hs_err err = { 0 };
    assert_int_equal(kube_config_load_kubeconfig(kc, NULL, &c, &err), HS_OK);
    /* What kubectl itself resolves for the current context. */
    kubectl_view(kc, "{.clusters[0].cluster.server}", want, sizeof(want));
    assert_string_equal(c.server, want);
    kubectl_view(kc, "{.users[0].user.token}", want, sizeof(want));
    assert_string_equal(c.token, want);
    kubectl_view(kc, "{.contexts[0].context.namespace}", want, sizeof(want));
    assert_string_equal(c.namespace_, want);
    assert_string_equal(c.context, "a");
    assert_non_null(c.ca_data.data);
    assert_int_equal(c.ca_data.len, strlen("-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END "
                                           "CERTIFICATE-----\n"));
    assert_memory_equal(c.ca_data.data, "-----BEGIN CERTIFICATE-----", 27);
    assert_null(c.exec);
    assert_false(c.insecure_skip_tls_verify);
    assert_null(c.proxy_url);
    kube_config_release(&c);

    /* The other context: an exec plugin as `aws eks update-kubeconfig` writes it. */
    assert_int_equal(kube_config_load_kubeconfig(kc, "b", &c, &err), HS_OK);
    assert_string_equal(c.server, "https://dev.example:443");
    assert_true(c.insecure_skip_tls_verify);
    assert_string_equal(c.proxy_url, "socks5://proxy.internal:1080");
    assert_non_null(c.exec);
    assert_string_equal(c.exec->command, "aws");
    assert_int_equal(c.exec->n_args, 4);
    assert_string_equal(c.exec->args[0], "eks");
    assert_string_equal(c.exec->args[3], "prod");
    assert_int_equal(c.exec->n_env, 1);
    assert_string_equal(c.exec->env[0], "AWS_PROFILE=ops");
    assert_string_equal(c.exec->api_version, "client.authentication.k8s.io/v1beta1");
    assert_string_equal(c.exec->interactive_mode, "IfAvailable");
    assert_null(c.token);
    assert_null(c.namespace_);
    kube_config_release(&c);
}

static void merged_list_first_wins(void **state)
{
    (void)state;
    char a[512], b[512], list[1100], token[512];
    write_file("one.yaml", "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
                           "clusters:\n- name: k\n  cluster:\n    server: https://first:6443\n"
                           "users:\n- name: u\n  user:\n    tokenFile: tokens/t1\n");
    write_file("two.yaml", "apiVersion: v1\nkind: Config\ncurrent-context: ignored\n"
                           "clusters:\n- name: k\n  cluster:\n    server: https://second:6443\n"
                           "contexts:\n- name: c\n  context: {cluster: k, user: u}\n"
                           "users:\n- name: u\n  user:\n    token: never-used\n");
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s/tokens' && echo t > '%s/tokens/t1'", tmpdir, tmpdir);
    run(cmd);
    path_of(a, sizeof(a), "one.yaml");
    path_of(b, sizeof(b), "two.yaml");
    snprintf(list, sizeof(list), "%s:%s/missing.yaml:%s", a, tmpdir, b);
    struct kube_config_env env = { 0 };
    env.kubeconfig_env = list;
    struct kube_config c;
    struct hs_err err = { 0 };
    assert_int_equal(kube_config_load(&env, &c, &err), HS_OK);
    assert_string_equal(c.server, "https://first:6443");
    assert_string_equal(c.context, "c");
    /* tokenFile is relative to the file that names it. */
    path_of(token, sizeof(token), "tokens/t1");
    assert_string_equal(c.token_file, token);
    assert_null(c.token);
    kube_config_release(&c);

    /* kubectl agrees on the merge. */
    char want[256];
    snprintf(
        cmd, sizeof(cmd),
        "KUBECONFIG='%s' kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}'",
        list);
    capture(cmd, want, sizeof(want));
    assert_string_equal(want, "https://first:6443");
}

static void in_cluster(void **state)
{
    (void)state;
    char sa[512], cmd[4096];
    path_of(sa, sizeof(sa), "sa");
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && echo tok > '%s/token' && echo ca > '%s/ca.crt'",
             sa, sa, sa);
    run(cmd);
    struct kube_config_env env = { 0 };
    env.service_host = "fd00::1";
    env.service_port = "443";
    env.sa_dir = sa;
    env.kubeconfig_env = "/nonexistent"; /* in-cluster comes first */
    struct kube_config c;
    struct hs_err err = { 0 };
    assert_int_equal(kube_config_load(&env, &c, &err), HS_OK);
    assert_string_equal(c.server, "https://[fd00::1]:443");
    assert_string_equal(c.source, "in-cluster");
    assert_null(c.namespace_);
    char want[1024];
    snprintf(want, sizeof(want), "%s/token", sa);
    assert_string_equal(c.token_file, want);
    kube_config_release(&c);

    snprintf(cmd, sizeof(cmd), "printf 'kube-system\\n' > '%s/namespace'", sa);
    run(cmd);
    env.service_host = "10.96.0.1";
    assert_int_equal(kube_config_load(&env, &c, &err), HS_OK);
    assert_string_equal(c.server, "https://10.96.0.1:443");
    assert_string_equal(c.namespace_, "kube-system");
    kube_config_release(&c);

    env.service_port = NULL;
    assert_int_equal(kube_config_load(&env, &c, &err), HS_EINVAL);
    assert_string_equal(err.msg, "in-cluster: KUBERNETES_SERVICE_HOST is set but "
                                 "KUBERNETES_SERVICE_PORT is not");
    kube_config_release(&c);

    hs_err_clear(&err);
    env.service_port = "443";
    env.sa_dir = "/nonexistent-sa";
    assert_int_equal(kube_config_load(&env, &c, &err), HS_EIO);
    assert_string_equal(err.msg, "in-cluster: service-account token: cannot read "
                                 "/nonexistent-sa/token: No such file or directory");
    kube_config_release(&c);
}

static void nothing_found(void **state)
{
    (void)state;
    struct kube_config_env env = { 0 };
    env.home = "/nonexistent-home";
    struct kube_config c;
    struct hs_err err = { 0 };
    assert_int_equal(kube_config_load(&env, &c, &err), HS_ENOTFOUND);
    assert_string_equal(err.msg,
                        "no Kubernetes configuration: not in a cluster "
                        "(KUBERNETES_SERVICE_HOST is unset), $KUBECONFIG is unset and "
                        "/nonexistent-home/.kube/config does not exist; pass --kubeconfig");
    kube_config_release(&c);
}

/* Each bad file, with the exact message (file name replaced by F). */
static void bad_configs(void **state)
{
    (void)state;
    static const char head[] = "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
                               "contexts:\n- name: c\n  context: {cluster: k, user: u}\n";
    static const char cluster[] = "clusters:\n- name: k\n  cluster:\n    server: https://k:6443\n";
    static const struct {
        const char *body;
        enum hs_code code;
        const char *msg;
    } cases[] = {
        { "users:\n- name: u\n  user:\n    exec:\n      apiVersion: "
          "client.authentication.k8s.io/v1alpha1\n      command: aws\n",
          HS_ENOTSUP,
          "F: users[0].user.exec.apiVersion: \"client.authentication.k8s.io/v1alpha1\" is not "
          "supported (want client.authentication.k8s.io/v1 or "
          "client.authentication.k8s.io/v1beta1)" },
        { "users:\n- name: u\n  user:\n    exec:\n      apiVersion: "
          "client.authentication.k8s.io/v1\n      command: aws\n",
          HS_EPARSE,
          "F: users[0].user.exec.interactiveMode: required for client.authentication.k8s.io/v1" },
        { "users:\n- name: u\n  user:\n    exec:\n      apiVersion: "
          "client.authentication.k8s.io/v1beta1\n",
          HS_EPARSE, "F: users[0].user.exec.command: missing" },
        { "users:\n- name: u\n  user:\n    exec:\n      apiVersion: "
          "client.authentication.k8s.io/v1beta1\n      command: x\n      args: a\n",
          HS_EPARSE, "F: users[0].user.exec.args: expected a list of strings" },
        { "users:\n- name: u\n  user:\n    auth-provider:\n      name: oidc\n", HS_ENOTSUP,
          "F: users[0].user.auth-provider: \"oidc\" is not supported; use an exec credential "
          "plugin" },
        { "users:\n- name: u\n  user:\n    username: admin\n    password: pw\n", HS_ENOTSUP,
          "F: users[0].user.username: basic authentication is not supported by Kubernetes since "
          "1.19; use a token, a client certificate or an exec plugin" },
        { "users:\n- name: u\n  user:\n    client-certificate-data: \"!!notbase64\"\n", HS_EPARSE,
          "F: users[0].user.client-certificate-data: invalid base64 at byte 0" },
        { "users:\n- name: u\n  user:\n    client-certificate-data: Zm9v\n", HS_EPARSE,
          "F: users[0].user: client-certificate given without client-key" },
        { "users:\n- name: u\n  user:\n    token: [a, b]\n", HS_EPARSE,
          "F: users[0].user.token: expected a string (line 14)" },
        { "users:\n- name: u\n  user:\n    tokenFile: /nonexistent/tok\n", HS_EIO,
          "F: tokenFile: cannot read /nonexistent/tok: No such file or directory" },
        { "users: {}\n", HS_EPARSE, "F: users: expected a list" },
    };
    char p[512];
    path_of(p, sizeof(p), "bad.yaml");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hs_buf text;
        hs_buf_init(&text);
        hs_buf_adds(&text, head);
        hs_buf_adds(&text, cluster);
        hs_buf_adds(&text, cases[i].body);
        write_file("bad.yaml", text.data);
        hs_buf_release(&text);
        struct kube_config c;
        struct hs_err err = { 0 };
        enum hs_code rc = kube_config_load_kubeconfig(p, NULL, &c, &err);
        kube_config_release(&c);
        char msg[2 * HS_ERR_MSG_MAX];
        with_f(err.msg, p, msg, sizeof(msg));
        assert_string_equal(msg, cases[i].msg);
        assert_int_equal(rc, cases[i].code);
    }
}

static void bad_structure(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        const char *msg;
    } cases[] = {
        { "current-context: c\n", "F: context \"c\" is not defined" },
        { "kind: Config\n", "F: no current-context is set" },
        { "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\n",
          "F: cluster \"k\" of context \"c\" is not defined" },
        { "current-context: c\ncontexts:\n- name: c\n  context: {user: u}\n",
          "F: contexts[0].context.cluster: missing" },
        { "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\n"
          "clusters:\n- name: k\n  cluster: {}\n",
          "F: clusters[0].cluster.server: missing" },
        { "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\n"
          "clusters:\n- name: k\n  cluster: {server: ftp://x}\n",
          "F: clusters[0].cluster.server: \"ftp://x\" is not an http(s) URL" },
        { "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\n"
          "clusters:\n- name: k\n  cluster: {server: 'https://k', proxy-url: "
          "'socks4://u:SEKRET@p:1080'}\n",
          "F: clusters[0].cluster.proxy-url: expected an http://, https:// or socks5:// URL" },
        { "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\n"
          "clusters:\n- name: k\n  cluster: {server: 'https://x', insecure-skip-tls-verify: "
          "true, certificate-authority-data: Zm9v}\n",
          "F: clusters[0].cluster: insecure-skip-tls-verify together with a certificate "
          "authority is not allowed" },
        { "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k}\n"
          "clusters:\n- name: k\n  cluster: {server: 'https://x', insecure-skip-tls-verify: "
          "maybe}\n",
          "F: clusters[0].cluster.insecure-skip-tls-verify: expected true or false, got "
          "\"maybe\"" },
        { "- just\n- a list\n", "F: expected a kubeconfig mapping at the top level" },
        { "current-context: c\n  bad: [indent\n", "F:2:6: invalid YAML: mapping values are not "
                                                  "allowed in this context" },
    };
    char p[512];
    path_of(p, sizeof(p), "bad2.yaml");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        write_file("bad2.yaml", cases[i].body);
        struct kube_config c;
        struct hs_err err = { 0 };
        enum hs_code rc = kube_config_load_kubeconfig(p, NULL, &c, &err);
        kube_config_release(&c);
        char msg[2 * HS_ERR_MSG_MAX];
        with_f(err.msg, p, msg, sizeof(msg));
        assert_string_equal(msg, cases[i].msg);
        assert_int_not_equal(rc, HS_OK);
    }
    /* An explicit --kubeconfig that does not exist is an error, not a fallback. */
    struct kube_config_env env = { 0 };
    env.kubeconfig_flag = "/nonexistent/kubeconfig";
    env.service_host = "10.0.0.1";
    struct kube_config c;
    struct hs_err err = { 0 };
    assert_int_equal(kube_config_load(&env, &c, &err), HS_EIO);
    assert_string_equal(err.msg, "/nonexistent/kubeconfig: cannot open: No such file or directory");
    kube_config_release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(written_by_kubectl), cmocka_unit_test(merged_list_first_wins),
        cmocka_unit_test(in_cluster),         cmocka_unit_test(nothing_found),
        cmocka_unit_test(bad_configs),        cmocka_unit_test(bad_structure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
