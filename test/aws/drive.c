/*
 * A small driver of lib/aws for the integration tests (label aws-moto): it
 * resolves region and credentials exactly as hoist does (environment,
 * shared files, web identity, container endpoint, IMDS), builds the
 * credentials cache and client over lib/http, runs one operation (several
 * times with --repeat), and prints one JSON line per run on stdout:
 *   {"op": "...", "rc": "OK"|"ETHROTTLED"|..., "error": "...", "n": N,
 *    "names": [...], "key": "<access key id in use>", "fetches": F}
 * and, with --stats, the client's counters as a last line. It never prints
 * a secret key, token or signature (the tests grep its output and logs).
 *
 *   drive [options] describe-asgs [--name N]... [--tag K[=V]]...
 *   drive [options] set-desired GROUP N
 *   drive [options] terminate INSTANCE_ID
 *   drive [options] activities GROUP
 *   drive [options] launch-configs [NAME]...
 *   drive [options] lt-versions (--id ID | --lt-name NAME) [--version V]
 *   drive [options] instance-types [TYPE]...
 * options: --repeat N, --pause-ms MS (between runs), --stats,
 *   --backoff-base-ms MS, --max-attempts N, --quota N, --timeout-ms MS,
 *   --refresh-ahead-ms MS, --margin-ms MS, --duration-s S, --verbose
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "aws/client.h"
#include "aws/creds_cache.h"
#include "aws/credentials.h"
#include "aws/ops.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "http/http.h"
#include "model/asg.h"

struct drive {
    struct ev_loop *loop;
    struct aws_client *client;
    struct aws_creds_cache *creds;
    const char *op;
    int argc;
    char **argv;
    int runs, repeat;
    int64_t pause_ns;
    ev_timer pause;
    bool done;
    int failures;
    struct model_asg_list asgs;
    struct model_activity_list acts;
    struct model_launch_config_list lcs;
    struct model_lt_version_list lts;
    struct model_instance_type_list types;
};

static void run_once(struct drive *d);

static void json_str(const char *s)
{
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_add_json_str(&b, s, strlen(s));
    fputs(b.data, stdout);
    hs_buf_release(&b);
}

static void on_pause(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    run_once(t->data);
}

static void on_done(void *ctx, enum hs_code rc, const struct hs_err *err)
{
    struct drive *d = ctx;
    printf("{\"op\": ");
    json_str(d->op);
    printf(", \"rc\": ");
    json_str(rc ? hs_errname(rc) : "OK");
    printf(", \"error\": ");
    json_str(rc && err ? err->msg : "");
    printf(", \"http_status\": %d", rc && err ? err->http_status : 0);
    uint32_t n = 0;
    printf(", \"names\": [");
    if (!strcmp(d->op, "describe-asgs")) {
        n = d->asgs.n;
        for (uint32_t i = 0; i < n; i++) {
            printf(i ? ", " : "");
            json_str(d->asgs.v[i].name);
        }
    } else if (!strcmp(d->op, "activities") || !strcmp(d->op, "terminate")) {
        n = d->acts.n;
        for (uint32_t i = 0; i < n; i++) {
            printf(i ? ", " : "");
            json_str(d->acts.v[i].status_code ? d->acts.v[i].status_code : "");
        }
    } else if (!strcmp(d->op, "launch-configs")) {
        n = d->lcs.n;
        for (uint32_t i = 0; i < n; i++) {
            printf(i ? ", " : "");
            json_str(d->lcs.v[i].name);
        }
    } else if (!strcmp(d->op, "lt-versions")) {
        n = d->lts.n;
        for (uint32_t i = 0; i < n; i++) {
            printf(i ? ", " : "");
            json_str(d->lts.v[i].instance_type ? d->lts.v[i].instance_type : "");
        }
    } else if (!strcmp(d->op, "instance-types")) {
        n = d->types.n;
        for (uint32_t i = 0; i < n; i++) {
            printf(i ? ", " : "");
            json_str(d->types.v[i].name);
        }
    }
    printf("], \"n\": %u", (unsigned)n);
    struct aws_credentials v;
    printf(", \"key\": ");
    json_str(aws_creds_cache_peek(d->creds, &v) ? v.access_key_id : "");
    struct aws_creds_cache_stats cs;
    aws_creds_cache_stats(d->creds, &cs);
    printf(", \"fetches\": %u, \"creds_state\": ", cs.fetches);
    json_str(aws_creds_state_name(cs.state));
    printf("}\n");
    fflush(stdout);
    if (rc)
        d->failures++;
    if (++d->runs >= d->repeat) {
        d->done = true;
        ev_break(d->loop, EVBREAK_ALL);
        return;
    }
    ev_timer_set(&d->pause, (double)d->pause_ns / 1e9, 0.);
    ev_timer_start(d->loop, &d->pause);
}

static void run_once(struct drive *d)
{
    struct hs_err err = { 0 };
    enum hs_code rc = HS_EINVAL;
    model_asg_list_release(&d->asgs);
    model_activity_list_release(&d->acts);
    model_launch_config_list_release(&d->lcs);
    model_lt_version_list_release(&d->lts);
    model_instance_type_list_release(&d->types);
    if (!strcmp(d->op, "describe-asgs")) {
        const char **names = hs_calloc((size_t)d->argc + 1, sizeof(*names));
        struct aws_tag_filter *f = hs_calloc((size_t)d->argc + 1, sizeof(*f));
        char **keys = hs_calloc((size_t)d->argc + 1, sizeof(*keys));
        size_t nn = 0, nf = 0;
        for (int i = 0; i + 1 < d->argc; i += 2) {
            if (!strcmp(d->argv[i], "--name"))
                names[nn++] = d->argv[i + 1];
            else if (!strcmp(d->argv[i], "--names-file")) {
                FILE *fp = fopen(d->argv[i + 1], "r");
                char line[300];
                while (fp && fgets(line, sizeof(line), fp)) {
                    line[strcspn(line, "\n")] = '\0';
                    if (*line) {
                        names = hs_reallocarray(names, nn + 2, sizeof(*names));
                        names[nn++] = hs_strdup(line);
                    }
                }
                if (fp)
                    fclose(fp);
            } else if (!strcmp(d->argv[i], "--tag")) {
                keys[nf] = hs_strdup(d->argv[i + 1]);
                char *eq = strchr(keys[nf], '=');
                if (eq)
                    *eq = '\0';
                f[nf].key = keys[nf];
                f[nf].value = eq ? eq + 1 : NULL;
                nf++;
            }
        }
        struct aws_asg_query q = { names, nn, f, nf };
        rc = aws_describe_asgs(d->client, &q, &d->asgs, on_done, d, NULL, &err);
        /* names read from a file were copied by the op */
        for (int i = 0; i + 1 < d->argc; i += 2)
            if (!strcmp(d->argv[i], "--names-file"))
                for (size_t k = 0; k < nn; k++)
                    hs_free((void *)(uintptr_t)names[k]);
        for (size_t k = 0; k < nf; k++)
            hs_free(keys[k]);
        hs_free(keys);
        hs_free(names);
        hs_free(f);
    } else if (!strcmp(d->op, "set-desired") && d->argc == 2) {
        rc = aws_set_desired_capacity(d->client, d->argv[0], atoi(d->argv[1]), on_done, d, NULL,
                                      &err);
    } else if (!strcmp(d->op, "terminate") && d->argc == 1) {
        rc = aws_terminate_instance(d->client, d->argv[0], &d->acts, on_done, d, NULL, &err);
    } else if (!strcmp(d->op, "activities") && d->argc == 1) {
        rc = aws_describe_scaling_activities(d->client, d->argv[0], 0, &d->acts, on_done, d, NULL,
                                             &err);
    } else if (!strcmp(d->op, "launch-configs")) {
        rc = aws_describe_launch_configurations(d->client, (const char *const *)d->argv,
                                                (size_t)d->argc, &d->lcs, on_done, d, NULL, &err);
    } else if (!strcmp(d->op, "lt-versions")) {
        struct model_lt_spec spec = { 0 };
        for (int i = 0; i + 1 < d->argc; i += 2) {
            if (!strcmp(d->argv[i], "--id"))
                spec.id = d->argv[i + 1];
            else if (!strcmp(d->argv[i], "--lt-name"))
                spec.name = d->argv[i + 1];
            else if (!strcmp(d->argv[i], "--version"))
                spec.version = d->argv[i + 1];
        }
        rc = aws_describe_lt_versions(d->client, &spec, &d->lts, on_done, d, NULL, &err);
    } else if (!strcmp(d->op, "instance-types")) {
        rc = aws_describe_instance_types(d->client, (const char *const *)d->argv, (size_t)d->argc,
                                         &d->types, on_done, d, NULL, &err);
    } else {
        hs_err_set(&err, HS_EINVAL, "unknown operation or arguments: %s", d->op);
    }
    if (rc) {
        fprintf(stderr, "drive: %s\n", err.msg);
        d->failures++;
        d->done = true;
        ev_break(d->loop, EVBREAK_ALL);
    }
}

static int64_t ms_arg(const char *s)
{
    return (int64_t)atoll(s) * HS_MSEC;
}

int main(int argc, char **argv)
{
    struct drive d;
    memset(&d, 0, sizeof(d));
    d.repeat = 1;
    bool stats = false;
    struct aws_client_options co = { 0 };
    struct aws_creds_cache_options cc = { 0 };
    int i = 1;
    for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : "0";
        if (!strcmp(a, "--stats")) {
            stats = true;
            continue;
        }
        if (!strcmp(a, "--verbose")) {
            hs_log_set_verbosity(10);
            continue;
        }
        i++;
        if (!strcmp(a, "--repeat"))
            d.repeat = atoi(v);
        else if (!strcmp(a, "--pause-ms"))
            d.pause_ns = ms_arg(v);
        else if (!strcmp(a, "--backoff-base-ms"))
            co.backoff_base_ns = ms_arg(v);
        else if (!strcmp(a, "--max-attempts"))
            co.max_attempts = atoi(v);
        else if (!strcmp(a, "--quota"))
            co.retry_quota = atoi(v);
        else if (!strcmp(a, "--timeout-ms"))
            co.attempt_timeout_ns = ms_arg(v);
        else if (!strcmp(a, "--refresh-ahead-ms"))
            cc.refresh_ahead_ns = ms_arg(v);
        else if (!strcmp(a, "--margin-ms"))
            cc.expiry_margin_ns = ms_arg(v);
        else if (!strcmp(a, "--duration-s"))
            cc.session_duration_s = atoll(v);
        else {
            fprintf(stderr, "drive: unknown option %s\n", a);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "drive: no operation\n");
        return 2;
    }
    d.op = argv[i];
    d.argc = argc - i - 1;
    d.argv = argv + i + 1;

    struct aws_env env;
    aws_env_from_process(&env);
    struct hs_err err = { 0 };
    char *region = NULL;
    const char *from = NULL;
    if (aws_region_resolve(NULL, &env, &region, &from, &err)) {
        fprintf(stderr, "drive: %s\n", err.msg);
        return 2;
    }
    struct aws_cred_plan plan;
    if (aws_cred_plan_resolve(&env, &plan, &err)) {
        fprintf(stderr, "drive: %s\n", err.msg);
        aws_cred_plan_release(&plan);
        hs_free(region);
        return 2;
    }
    d.loop = ev_loop_new(EVFLAG_AUTO);
    struct http_client *http = NULL;
    int code = 2;
    if (http_client_new(d.loop, NULL, &http, &err))
        goto out;
    cc.region = region;
    if (aws_creds_cache_new_take(d.loop, http, &plan, &cc, &d.creds, &err))
        goto out;
    co.region = region;
    if (aws_client_new(d.loop, http, d.creds, &co, &d.client, &err))
        goto out;
    model_asg_list_init(&d.asgs);
    model_activity_list_init(&d.acts);
    model_launch_config_list_init(&d.lcs);
    model_lt_version_list_init(&d.lts);
    model_instance_type_list_init(&d.types);
    ev_timer_init(&d.pause, on_pause, 0., 0.);
    d.pause.data = &d;
    run_once(&d);
    if (!d.done)
        ev_run(d.loop, 0);
    ev_timer_stop(d.loop, &d.pause);
    if (stats) {
        struct aws_client_stats st;
        aws_client_stats(d.client, &st);
        printf("{\"stats\": {\"calls\": %llu, \"attempts\": %llu, \"retries\": %llu, "
               "\"throttled\": %llu, \"quota_refusals\": %llu, \"skew_corrections\": %llu, "
               "\"quota_available\": %d}}\n",
               (unsigned long long)st.calls, (unsigned long long)st.attempts,
               (unsigned long long)st.retries, (unsigned long long)st.throttled,
               (unsigned long long)st.quota_refusals, (unsigned long long)st.skew_corrections,
               st.quota_available);
    }
    code = d.failures ? 1 : 0;
    model_asg_list_release(&d.asgs);
    model_activity_list_release(&d.acts);
    model_launch_config_list_release(&d.lcs);
    model_lt_version_list_release(&d.lts);
    model_instance_type_list_release(&d.types);
out:
    if (err.code)
        fprintf(stderr, "drive: %s\n", err.msg);
    aws_cred_plan_release(&plan);
    aws_client_free(&d.client);
    aws_creds_cache_free(&d.creds);
    http_client_free(&http);
    ev_loop_destroy(d.loop);
    hs_free(region);
    return code;
}
