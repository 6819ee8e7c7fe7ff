/*
 * Where hoist's Kubernetes client connects and how it authenticates, resolved
 * the way cluster-autoscaler (client-go) resolves it: --kubeconfig if given;
 * else in-cluster (KUBERNETES_SERVICE_HOST/PORT and the service-account
 * files); else $KUBECONFIG (a colon-separated list, merged first-wins); else
 * ~/.kube/config. This file only reads configuration; it never opens a
 * connection and never runs an exec plugin (kube/exec_cred.h does that).
 * Secrets loaded here (tokens, keys) must never be logged.
 */
#ifndef HOIST_KUBE_CONFIG_H
#define HOIST_KUBE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* users[].user.exec of a kubeconfig: a credential plugin such as
 * `aws eks get-token`. */
struct kube_exec_config {
    char *api_version; /* client.authentication.k8s.io/v1 or v1beta1 */
    char *command;     /* resolved against the kubeconfig's folder when relative with a '/' */
    char **args;
    size_t n_args;
    char **env; /* "NAME=value" strings, added to hoist's environment */
    size_t n_env;
    bool provide_cluster_info;
    char *interactive_mode; /* Never, IfAvailable or Always */
    char *install_hint;     /* NULL when absent */
};

/* A byte string read from a *-data field (base64-decoded) or NULL. */
struct kube_blob {
    unsigned char *data;
    size_t len;
};

struct kube_config {
    char *source;  /* "in-cluster" or the kubeconfig file(s), for messages */
    char *context; /* kubeconfig context name; NULL in-cluster */
    char *server;  /* https://host:port */
    char *tls_server_name;
    bool insecure_skip_tls_verify; /* allowed by kubeconfig; callers warn loudly */
    char *proxy_url;
    char *ca_file; /* path, NULL when ca_data or none */
    struct kube_blob ca_data;
    char *token;      /* literal bearer token */
    char *token_file; /* re-read periodically: bound service-account tokens rotate */
    char *client_cert_file;
    struct kube_blob client_cert_data;
    char *client_key_file;
    struct kube_blob client_key_data;
    struct kube_exec_config *exec; /* NULL when none */
    char *namespace_;              /* context or in-cluster namespace; NULL when unset */
};

/* What the resolution looks at. Fill it with kube_config_env_from_process,
 * or by hand in tests. All strings borrowed; NULL = unset. */
struct kube_config_env {
    const char *kubeconfig_flag; /* --kubeconfig */
    const char *kubeconfig_env;  /* $KUBECONFIG */
    const char *home;            /* $HOME */
    const char *service_host;    /* $KUBERNETES_SERVICE_HOST */
    const char *service_port;    /* $KUBERNETES_SERVICE_PORT */
    const char *sa_dir;          /* service-account folder; NULL = the standard one */
    const char *context;         /* a context to use instead of current-context */
};

#define KUBE_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

/* Fills env from the process environment and the --kubeconfig value
 * (borrowed, may be NULL). */
void kube_config_env_from_process(struct kube_config_env *env, const char *kubeconfig_flag);

/* Resolves the configuration into out (zeroed first; release it with
 * kube_config_release even on error). Errors are one line naming the file,
 * the field and what was expected, e.g.
 *   /home/u/.kube/config: users[0].user.exec: apiVersion "client.authentication.k8s.io/v1alpha1" is not supported (want .../v1 or .../v1beta1) */
enum hs_code kube_config_load(const struct kube_config_env *env, struct kube_config *out,
                              struct hs_err *err);

/* Loads one kubeconfig file (or a ':'-separated list) with no in-cluster
 * fallback; context may be NULL for current-context. */
enum hs_code kube_config_load_kubeconfig(const char *paths, const char *context,
                                         struct kube_config *out, struct hs_err *err);

void kube_config_release(struct kube_config *c);

#endif
