/*
 * Kubernetes client configuration: in-cluster service-account files and
 * kubeconfig files (parsed with libyaml's document loader). kubeconfig rules
 * follow client-go: a ':'-separated $KUBECONFIG list merges with the first
 * file to name a cluster, user or context winning; relative file paths are
 * relative to the file that holds them; token beats tokenFile. Anything hoist
 * cannot honour (auth-provider, basic auth, an unknown exec apiVersion) is a
 * clear error rather than an unauthenticated client. Never logs a secret.
 */
#include "kube/config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "base/alloc.h"
#include "base/base64.h"
#include "base/buf.h"
#include "config_int.h"

/* One loaded kubeconfig file. */
struct kfile {
    char *path;
    char *dir; /* folder of path, for relative references */
    yaml_document_t doc;
    yaml_node_t *root; /* NULL for an empty file */
};

struct kset {
    struct kfile *files;
    size_t n;
};

static void kset_release(struct kset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        yaml_document_delete(&s->files[i].doc);
        hs_free(s->files[i].path);
        hs_free(s->files[i].dir);
    }
    hs_free(s->files);
    s->files = NULL;
    s->n = 0;
}

/* Loads the document parser reads (its input set by the caller) as the
 * kubeconfig named path. */
static enum hs_code load_parsed(yaml_parser_t *parser, const char *path, struct kfile *kf,
                                struct hs_err *err)
{
    if (!yaml_parser_load(parser, &kf->doc)) {
        memset(&kf->doc, 0, sizeof(kf->doc));
        return hs_err_set(err, HS_EPARSE, "%s:%zu:%zu: invalid YAML: %s", path,
                          parser->problem_mark.line + 1, parser->problem_mark.column + 1,
                          parser->problem ? parser->problem : "parse error");
    }
    kf->root = yaml_document_get_root_node(&kf->doc);
    kf->path = hs_strdup(path);
    const char *slash = strrchr(path, '/');
    kf->dir = slash ? hs_strndup(path, (size_t)(slash - path + (slash == path))) : hs_strdup(".");
    if (kf->root && kf->root->type != YAML_MAPPING_NODE) {
        yaml_document_delete(&kf->doc);
        hs_free(kf->path);
        hs_free(kf->dir);
        memset(kf, 0, sizeof(*kf));
        return hs_err_set(err, HS_EPARSE, "%s: expected a kubeconfig mapping at the top level",
                          path);
    }
    return HS_OK;
}

static enum hs_code load_file(const char *path, struct kfile *kf, struct hs_err *err)
{
    FILE *f = fopen(path, "rb");
    yaml_parser_t parser;

    memset(kf, 0, sizeof(*kf));
    if (!f)
        return hs_err_set(err, HS_EIO, "%s: cannot open: %s", path, strerror(errno));
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    enum hs_code rc = load_parsed(&parser, path, kf, err);
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}

/* ---- small accessors over a libyaml document ------------------------------ */

static const char *scalar_of(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const char *k = scalar_of(yaml_document_get_node(d, p->key));
        if (k && strcmp(k, key) == 0)
            return yaml_document_get_node(d, p->value);
    }
    return NULL;
}

/* A YAML null (~, null, empty) counts as absent, as in client-go. */
static bool is_null(yaml_node_t *n)
{
    if (!n)
        return true;
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *s = scalar_of(n);
    return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
           strcmp(s, "NULL") == 0;
}

/* The string at key, NULL when absent; an error when present with another type. */
static enum hs_code get_str(struct kfile *kf, yaml_node_t *map, const char *key, const char *where,
                            const char **out, struct hs_err *err)
{
    yaml_node_t *n = map_get(&kf->doc, map, key);
    *out = NULL;
    if (is_null(n))
        return HS_OK;
    if (n->type != YAML_SCALAR_NODE)
        return hs_err_set(err, HS_EPARSE, "%s: %s.%s: expected a string (line %zu)", kf->path,
                          where, key, n->start_mark.line + 1);
    *out = scalar_of(n);
    return HS_OK;
}

static enum hs_code get_bool(struct kfile *kf, yaml_node_t *map, const char *key, const char *where,
                             bool *out, struct hs_err *err)
{
    const char *s;
    enum hs_code rc = get_str(kf, map, key, where, &s, err);
    if (rc || !s)
        return rc;
    static const char *const yes[] = { "true", "yes", "on", "y" };
    static const char *const no[] = { "false", "no", "off", "n" };
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return HS_OK;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return HS_OK;
        }
    }
    return hs_err_set(err, HS_EPARSE, "%s: %s.%s: expected true or false, got \"%s\"", kf->path,
                      where, key, s);
}

/* Finds the entry named name in the list at top-level key `section`
 * ("clusters", "users", "contexts") of the first file that has it; returns
 * its inner object (entry.<inner>) and where it is. */
static enum hs_code find_named(struct kset *s, const char *section, const char *inner,
                               const char *name, struct kfile **kf_out, yaml_node_t **obj_out,
                               char *where, size_t where_size, struct hs_err *err)
{
    *kf_out = NULL;
    *obj_out = NULL;
    for (size_t f = 0; f < s->n; f++) {
        struct kfile *kf = &s->files[f];
        yaml_node_t *list = map_get(&kf->doc, kf->root, section);
        if (is_null(list))
            continue;
        if (list->type != YAML_SEQUENCE_NODE)
            return hs_err_set(err, HS_EPARSE, "%s: %s: expected a list", kf->path, section);
        size_t i = 0;
        for (yaml_node_item_t *it = list->data.sequence.items.start;
             it < list->data.sequence.items.top; it++, i++) {
            yaml_node_t *entry = yaml_document_get_node(&kf->doc, *it);
            char here[64];
            snprintf(here, sizeof(here), "%s[%zu]", section, i);
            if (!entry || entry->type != YAML_MAPPING_NODE)
                return hs_err_set(err, HS_EPARSE, "%s: %s: expected a mapping", kf->path, here);
            const char *n;
            enum hs_code rc = get_str(kf, entry, "name", here, &n, err);
            if (rc)
                return rc;
            if (!n || strcmp(n, name) != 0)
                continue;
            yaml_node_t *obj = map_get(&kf->doc, entry, inner);
            if (!is_null(obj) && obj->type != YAML_MAPPING_NODE)
                return hs_err_set(err, HS_EPARSE, "%s: %s.%s: expected a mapping", kf->path, here,
                                  inner);
            *kf_out = kf;
            *obj_out = is_null(obj) ? NULL : obj;
            snprintf(where, where_size, "%s.%s", here, inner);
            return HS_OK;
        }
    }
    return HS_ENOTFOUND;
}

static char *resolve_path(const struct kfile *kf, const char *p)
{
    if (!p || !*p)
        return NULL;
    if (p[0] == '/')
        return hs_strdup(p);
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_addf(&b, "%s/%s", kf->dir, p);
    return hs_buf_detach(&b);
}

static enum hs_code must_exist(const char *source, const char *field, const char *path,
                               struct hs_err *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return hs_err_set(err, HS_EIO, "%s: %s: cannot read %s: %s", source, field, path,
                          strerror(errno));
    return HS_OK;
}

static enum hs_code get_blob(struct kfile *kf, yaml_node_t *map, const char *key, const char *where,
                             struct kube_blob *out, struct hs_err *err)
{
    const char *s;
    enum hs_code rc = get_str(kf, map, key, where, &s, err);
    if (rc || !s)
        return rc;
    struct hs_buf b;
    struct hs_err berr = { 0 };
    hs_buf_init(&b);
    if (hs_base64_decode(s, strlen(s), &b, &berr)) {
        hs_buf_release(&b);
        return hs_err_set(err, HS_EPARSE, "%s: %s.%s: %s", kf->path, where, key, berr.msg);
    }
    out->len = b.len;
    out->data = (unsigned char *)hs_buf_detach(&b);
    return HS_OK;
}

static enum hs_code load_exec(struct kfile *kf, yaml_node_t *execn, const char *where,
                              struct kube_config *c, struct hs_err *err)
{
    static const char v1[] = "client.authentication.k8s.io/v1";
    static const char v1beta1[] = "client.authentication.k8s.io/v1beta1";
    char here[160];
    const char *s;
    enum hs_code rc;
    struct kube_exec_config *e = hs_calloc(1, sizeof(*e));

    c->exec = e;
    snprintf(here, sizeof(here), "%s.exec", where);
    if (execn->type != YAML_MAPPING_NODE)
        return hs_err_set(err, HS_EPARSE, "%s: %s: expected a mapping", kf->path, here);
    if ((rc = get_str(kf, execn, "apiVersion", here, &s, err)))
        return rc;
    if (!s)
        return hs_err_set(err, HS_EPARSE, "%s: %s.apiVersion: missing (want %s or %s)", kf->path,
                          here, v1, v1beta1);
    if (strcmp(s, v1) != 0 && strcmp(s, v1beta1) != 0)
        return hs_err_set(err, HS_ENOTSUP,
                          "%s: %s.apiVersion: \"%s\" is not supported (want %s or %s)", kf->path,
                          here, s, v1, v1beta1);
    e->api_version = hs_strdup(s);
    if ((rc = get_str(kf, execn, "command", here, &s, err)))
        return rc;
    if (!s || !*s)
        return hs_err_set(err, HS_EPARSE, "%s: %s.command: missing", kf->path, here);
    e->command = (s[0] != '/' && strchr(s, '/')) ? resolve_path(kf, s) : hs_strdup(s);

    yaml_node_t *args = map_get(&kf->doc, execn, "args");
    if (!is_null(args)) {
        if (args->type != YAML_SEQUENCE_NODE)
            return hs_err_set(err, HS_EPARSE, "%s: %s.args: expected a list of strings", kf->path,
                              here);
        size_t n = (size_t)(args->data.sequence.items.top - args->data.sequence.items.start);
        e->args = hs_calloc(n ? n : 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
            const char *a =
                scalar_of(yaml_document_get_node(&kf->doc, args->data.sequence.items.start[i]));
            if (!a)
                return hs_err_set(err, HS_EPARSE, "%s: %s.args[%zu]: expected a string", kf->path,
                                  here, i);
            e->args[e->n_args++] = hs_strdup(a);
        }
    }
    yaml_node_t *env = map_get(&kf->doc, execn, "env");
    if (!is_null(env)) {
        if (env->type != YAML_SEQUENCE_NODE)
            return hs_err_set(err, HS_EPARSE, "%s: %s.env: expected a list of {name, value}",
                              kf->path, here);
        size_t n = (size_t)(env->data.sequence.items.top - env->data.sequence.items.start);
        e->env = hs_calloc(n ? n : 1, sizeof(char *));
        for (size_t i = 0; i < n; i++) {
            yaml_node_t *item = yaml_document_get_node(&kf->doc, env->data.sequence.items.start[i]);
            char ew[200];
            const char *name, *value;
            snprintf(ew, sizeof(ew), "%s.env[%zu]", here, i);
            if (!item || item->type != YAML_MAPPING_NODE)
                return hs_err_set(err, HS_EPARSE, "%s: %s: expected {name, value}", kf->path, ew);
            if ((rc = get_str(kf, item, "name", ew, &name, err)) ||
                (rc = get_str(kf, item, "value", ew, &value, err)))
                return rc;
            if (!name || !*name || strchr(name, '='))
                return hs_err_set(err, HS_EPARSE, "%s: %s.name: expected a variable name", kf->path,
                                  ew);
            struct hs_buf b;
            hs_buf_init(&b);
            hs_buf_addf(&b, "%s=%s", name, value ? value : "");
            e->env[e->n_env++] = hs_buf_detach(&b);
        }
    }
    if ((rc = get_bool(kf, execn, "provideClusterInfo", here, &e->provide_cluster_info, err)))
        return rc;
    if ((rc = get_str(kf, execn, "interactiveMode", here, &s, err)))
        return rc;
    if (s && strcmp(s, "Never") != 0 && strcmp(s, "IfAvailable") != 0 && strcmp(s, "Always") != 0)
        return hs_err_set(err, HS_EPARSE,
                          "%s: %s.interactiveMode: \"%s\" is not Never, IfAvailable or Always",
                          kf->path, here, s);
    if (!s && strcmp(e->api_version, v1) == 0)
        return hs_err_set(err, HS_EPARSE, "%s: %s.interactiveMode: required for %s", kf->path, here,
                          v1);
    /* hoist runs unattended: a plugin that insists on a terminal can never work. */
    if (s && strcmp(s, "Always") == 0)
        return hs_err_set(err, HS_ENOTSUP,
                          "%s: %s.interactiveMode: Always needs a terminal, and hoist has none",
                          kf->path, here);
    e->interactive_mode = hs_strdup(s ? s : "IfAvailable");
    if ((rc = get_str(kf, execn, "installHint", here, &s, err)))
        return rc;
    e->install_hint = s ? hs_strdup(s) : NULL;
    return HS_OK;
}

static enum hs_code load_user(struct kfile *kf, yaml_node_t *u, const char *where,
                              struct kube_config *c, struct hs_err *err)
{
    const char *s;
    enum hs_code rc;

    if (!u)
        return HS_OK;
    const char *unsupported[] = { "auth-provider", "username", "password" };
    for (size_t i = 0; i < 3; i++) {
        yaml_node_t *n = map_get(&kf->doc, u, unsupported[i]);
        if (is_null(n))
            continue;
        if (i == 0) {
            const char *name = scalar_of(map_get(&kf->doc, n, "name"));
            return hs_err_set(err, HS_ENOTSUP,
                              "%s: %s.auth-provider: \"%s\" is not supported; use an exec "
                              "credential plugin",
                              kf->path, where, name ? name : "?");
        }
        return hs_err_set(err, HS_ENOTSUP,
                          "%s: %s.%s: basic authentication is not supported by Kubernetes "
                          "since 1.19; use a token, a client certificate or an exec plugin",
                          kf->path, where, unsupported[i]);
    }
    if ((rc = get_str(kf, u, "token", where, &s, err)))
        return rc;
    c->token = s && *s ? hs_strdup(s) : NULL;
    if ((rc = get_str(kf, u, "tokenFile", where, &s, err)))
        return rc;
    if (s && *s && !c->token) {
        c->token_file = resolve_path(kf, s);
        if ((rc = must_exist(kf->path, "tokenFile", c->token_file, err)))
            return rc;
    }
    if ((rc = get_blob(kf, u, "client-certificate-data", where, &c->client_cert_data, err)) ||
        (rc = get_blob(kf, u, "client-key-data", where, &c->client_key_data, err)))
        return rc;
    if ((rc = get_str(kf, u, "client-certificate", where, &s, err)))
        return rc;
    if (s && *s && !c->client_cert_data.data) {
        c->client_cert_file = resolve_path(kf, s);
        if ((rc = must_exist(kf->path, "client-certificate", c->client_cert_file, err)))
            return rc;
    }
    if ((rc = get_str(kf, u, "client-key", where, &s, err)))
        return rc;
    if (s && *s && !c->client_key_data.data) {
        c->client_key_file = resolve_path(kf, s);
        if ((rc = must_exist(kf->path, "client-key", c->client_key_file, err)))
            return rc;
    }
    bool has_cert = c->client_cert_data.data || c->client_cert_file;
    bool has_key = c->client_key_data.data || c->client_key_file;
    if (has_cert != has_key)
        return hs_err_set(err, HS_EPARSE, "%s: %s: %s given without %s", kf->path, where,
                          has_cert ? "client-certificate" : "client-key",
                          has_cert ? "client-key" : "client-certificate");
    yaml_node_t *execn = map_get(&kf->doc, u, "exec");
    if (!is_null(execn))
        return load_exec(kf, execn, where, c, err);
    return HS_OK;
}

static enum hs_code load_cluster(struct kfile *kf, yaml_node_t *cl, const char *where,
                                 struct kube_config *c, struct hs_err *err)
{
    const char *s;
    enum hs_code rc;

    if ((rc = get_str(kf, cl, "server", where, &s, err)))
        return rc;
    if (!s || !*s)
        return hs_err_set(err, HS_EPARSE, "%s: %s.server: missing", kf->path, where);
    if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0)
        return hs_err_set(err, HS_EPARSE, "%s: %s.server: \"%s\" is not an http(s) URL", kf->path,
                          where, s);
    c->server = hs_strdup(s);
    if ((rc = get_str(kf, cl, "tls-server-name", where, &s, err)))
        return rc;
    c->tls_server_name = s && *s ? hs_strdup(s) : NULL;
    if ((rc = get_str(kf, cl, "proxy-url", where, &s, err)))
        return rc;
    c->proxy_url = s && *s ? hs_strdup(s) : NULL;
    /* client-go takes http, https and socks5 proxies; the value may hold a
     * password, so the message does not quote it. */
    if (c->proxy_url && strncasecmp(s, "http://", 7) != 0 && strncasecmp(s, "https://", 8) != 0 &&
        strncasecmp(s, "socks5://", 9) != 0)
        return hs_err_set(err, HS_EPARSE,
                          "%s: %s.proxy-url: expected an http://, https:// or socks5:// URL",
                          kf->path, where);
    if ((rc = get_bool(kf, cl, "insecure-skip-tls-verify", where, &c->insecure_skip_tls_verify,
                       err)))
        return rc;
    if ((rc = get_blob(kf, cl, "certificate-authority-data", where, &c->ca_data, err)))
        return rc;
    if ((rc = get_str(kf, cl, "certificate-authority", where, &s, err)))
        return rc;
    if (s && *s && !c->ca_data.data) {
        c->ca_file = resolve_path(kf, s);
        if ((rc = must_exist(kf->path, "certificate-authority", c->ca_file, err)))
            return rc;
    }
    if (c->insecure_skip_tls_verify && (c->ca_file || c->ca_data.data))
        return hs_err_set(err, HS_EPARSE,
                          "%s: %s: insecure-skip-tls-verify together with a certificate "
                          "authority is not allowed",
                          kf->path, where);
    return HS_OK;
}

static enum hs_code load_set(const char *paths, bool missing_ok, struct kset *s, struct hs_err *err)
{
    const char *p = paths;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len) {
            char *path = hs_strndup(p, len);
            struct stat st;
            if (missing_ok && stat(path, &st) != 0) {
                hs_free(path);
            } else {
                HS_BUG_ON(s->n == SIZE_MAX);
                s->files = hs_reallocarray(s->files, s->n + 1, sizeof(*s->files));
                enum hs_code rc = load_file(path, &s->files[s->n], err);
                hs_free(path);
                if (rc)
                    return rc;
                s->n++;
            }
        }
        if (!end)
            break;
        p = end + 1;
    }
    return HS_OK;
}

static enum hs_code resolve(struct kset *s, const char *source, const char *context_override,
                            struct kube_config *c, struct hs_err *err)
{
    const char *ctx_name = context_override;
    enum hs_code rc;
    char where[96];
    struct kfile *kf;
    yaml_node_t *obj;

    c->source = hs_strdup(source);
    for (size_t i = 0; !ctx_name && i < s->n; i++) {
        const char *cc;
        if ((rc = get_str(&s->files[i], s->files[i].root, "current-context", "(top)", &cc, err)))
            return rc;
        if (cc && *cc)
            ctx_name = cc;
    }
    if (!ctx_name)
        return hs_err_set(err, HS_ENOTFOUND, "%s: no current-context is set", source);
    c->context = hs_strdup(ctx_name);
    rc = find_named(s, "contexts", "context", ctx_name, &kf, &obj, where, sizeof(where), err);
    if (rc == HS_ENOTFOUND)
        return hs_err_set(err, HS_ENOTFOUND, "%s: context \"%s\" is not defined", source, ctx_name);
    if (rc)
        return rc;
    const char *cluster, *user, *ns;
    if ((rc = get_str(kf, obj, "cluster", where, &cluster, err)) ||
        (rc = get_str(kf, obj, "user", where, &user, err)) ||
        (rc = get_str(kf, obj, "namespace", where, &ns, err)))
        return rc;
    if (!cluster || !*cluster)
        return hs_err_set(err, HS_EPARSE, "%s: %s.cluster: missing", kf->path, where);
    c->namespace_ = ns && *ns ? hs_strdup(ns) : NULL;

    rc = find_named(s, "clusters", "cluster", cluster, &kf, &obj, where, sizeof(where), err);
    if (rc == HS_ENOTFOUND)
        return hs_err_set(err, HS_ENOTFOUND, "%s: cluster \"%s\" of context \"%s\" is not defined",
                          source, cluster, ctx_name);
    if (rc)
        return rc;
    if (!obj)
        return hs_err_set(err, HS_EPARSE, "%s: %s.server: missing", kf->path, where);
    if ((rc = load_cluster(kf, obj, where, c, err)))
        return rc;

    if (user && *user) {
        rc = find_named(s, "users", "user", user, &kf, &obj, where, sizeof(where), err);
        if (rc == HS_ENOTFOUND)
            return hs_err_set(err, HS_ENOTFOUND, "%s: user \"%s\" of context \"%s\" is not defined",
                              source, user, ctx_name);
        if (rc)
            return rc;
        if ((rc = load_user(kf, obj, where, c, err)))
            return rc;
    }
    return HS_OK;
}

enum hs_code kube_config_load_kubeconfig(const char *paths, const char *context,
                                         struct kube_config *out, struct hs_err *err)
{
    struct kset s = { 0 };
    memset(out, 0, sizeof(*out));
    enum hs_code rc = load_set(paths, false, &s, err);
    if (!rc)
        rc = resolve(&s, paths, context, out, err);
    kset_release(&s);
    return rc;
}

#ifdef HS_UNITTEST_BUILD
enum hs_code kube__config_load_text(const char *name, const char *text, size_t len,
                                    const char *context, struct kube_config *out,
                                    struct hs_err *err)
{
    struct kset s = { 0 };
    yaml_parser_t parser;
    memset(out, 0, sizeof(*out));
    s.files = hs_calloc(1, sizeof(*s.files));
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    enum hs_code rc = load_parsed(&parser, name, &s.files[0], err);
    yaml_parser_delete(&parser);
    if (!rc) {
        s.n = 1;
        rc = resolve(&s, name, context, out, err);
    }
    kset_release(&s);
    return rc;
}
#endif

static enum hs_code load_in_cluster(const struct kube_config_env *env, struct kube_config *c,
                                    struct hs_err *err)
{
    const char *dir = env->sa_dir ? env->sa_dir : KUBE_SA_DIR;
    const char *host = env->service_host;
    struct hs_buf b;
    enum hs_code rc;

    c->source = hs_strdup("in-cluster");
    if (!env->service_port || !*env->service_port)
        return hs_err_set(err, HS_EINVAL,
                          "in-cluster: KUBERNETES_SERVICE_HOST is set but KUBERNETES_SERVICE_PORT "
                          "is not");
    hs_buf_init(&b);
    if (strchr(host, ':'))
        hs_buf_addf(&b, "https://[%s]:%s", host, env->service_port);
    else
        hs_buf_addf(&b, "https://%s:%s", host, env->service_port);
    c->server = hs_buf_detach(&b);

    hs_buf_addf(&b, "%s/token", dir);
    c->token_file = hs_buf_detach(&b);
    hs_buf_addf(&b, "%s/ca.crt", dir);
    c->ca_file = hs_buf_detach(&b);
    if ((rc = must_exist("in-cluster", "service-account token", c->token_file, err)) ||
        (rc = must_exist("in-cluster", "service-account CA", c->ca_file, err)))
        return rc;

    hs_buf_addf(&b, "%s/namespace", dir);
    FILE *f = fopen(b.data, "r");
    hs_buf_release(&b);
    if (f) {
        char ns[256];
        if (fgets(ns, sizeof(ns), f)) {
            ns[strcspn(ns, "\r\n")] = '\0';
            if (*ns)
                c->namespace_ = hs_strdup(ns);
        }
        fclose(f);
    }
    return HS_OK;
}

void kube_config_env_from_process(struct kube_config_env *env, const char *kubeconfig_flag)
{
    memset(env, 0, sizeof(*env));
    env->kubeconfig_flag = kubeconfig_flag && *kubeconfig_flag ? kubeconfig_flag : NULL;
    env->kubeconfig_env = getenv("KUBECONFIG");
    env->home = getenv("HOME");
    env->service_host = getenv("KUBERNETES_SERVICE_HOST");
    env->service_port = getenv("KUBERNETES_SERVICE_PORT");
}

enum hs_code kube_config_load(const struct kube_config_env *env, struct kube_config *out,
                              struct hs_err *err)
{
    memset(out, 0, sizeof(*out));
    if (env->kubeconfig_flag)
        return kube_config_load_kubeconfig(env->kubeconfig_flag, env->context, out, err);
    if (env->service_host && *env->service_host)
        return load_in_cluster(env, out, err);

    struct kset s = { 0 };
    enum hs_code rc;
    if (env->kubeconfig_env && *env->kubeconfig_env) {
        rc = load_set(env->kubeconfig_env, true, &s, err);
        if (!rc && s.n == 0)
            rc = hs_err_set(err, HS_ENOTFOUND, "$KUBECONFIG: none of \"%s\" exists",
                            env->kubeconfig_env);
        if (!rc)
            rc = resolve(&s, env->kubeconfig_env, env->context, out, err);
        kset_release(&s);
        return rc;
    }
    if (env->home && *env->home) {
        struct hs_buf b;
        struct stat st;
        hs_buf_init(&b);
        hs_buf_addf(&b, "%s/.kube/config", env->home);
        if (stat(b.data, &st) == 0) {
            rc = kube_config_load_kubeconfig(b.data, env->context, out, err);
            hs_buf_release(&b);
            return rc;
        }
        hs_buf_release(&b);
    }
    return hs_err_set(err, HS_ENOTFOUND,
                      "no Kubernetes configuration: not in a cluster (KUBERNETES_SERVICE_HOST is "
                      "unset), $KUBECONFIG is unset and %s/.kube/config does not exist; pass "
                      "--kubeconfig",
                      env->home ? env->home : "$HOME");
}

static void free_blob(struct kube_blob *b)
{
    hs_free(b->data);
    b->data = NULL;
    b->len = 0;
}

void kube_config_release(struct kube_config *c)
{
    hs_free(c->source);
    hs_free(c->context);
    hs_free(c->server);
    hs_free(c->tls_server_name);
    hs_free(c->proxy_url);
    hs_free(c->ca_file);
    free_blob(&c->ca_data);
    if (c->token) /* wipe the secret before giving the memory back */
        memset(c->token, 0, strlen(c->token));
    hs_free(c->token);
    hs_free(c->token_file);
    hs_free(c->client_cert_file);
    free_blob(&c->client_cert_data);
    hs_free(c->client_key_file);
    if (c->client_key_data.data)
        memset(c->client_key_data.data, 0, c->client_key_data.len);
    free_blob(&c->client_key_data);
    if (c->exec) {
        struct kube_exec_config *e = c->exec;
        hs_free(e->api_version);
        hs_free(e->command);
        for (size_t i = 0; i < e->n_args; i++)
            hs_free(e->args[i]);
        hs_free(e->args);
        for (size_t i = 0; i < e->n_env; i++)
            hs_free(e->env[i]);
        hs_free(e->env);
        hs_free(e->interactive_mode);
        hs_free(e->install_hint);
        hs_free(e);
    }
    hs_free(c->namespace_);
    memset(c, 0, sizeof(*c));
}
