/*
 * `hoist discover`: how a user checks tags and IAM before deploying. With
 * the flags of `hoist run`, it resolves the region (flag, environment,
 * config file, then IMDS) and the credentials (the SDKs' chain), finds the
 * groups --node-group-auto-discovery selects (one DescribeAutoScalingGroups
 * per spec, its tags ANDed; specs ORed) and those --nodes names, describes
 * them, their launch configurations, launch template versions and instance
 * types, and prints each managed group with its sizes, zones, instance
 * types, instances and the template lib/autoscaler builds for it.
 *
 * One libev loop of its own runs until everything is answered. It must
 * never print a secret (errors come from lib/aws, which keeps them out),
 * never write to AWS, and print nothing partial on stdout when a call
 * fails: the error is one line on stderr.
 */
#include "discover.h"

#include <stdio.h>
#include <string.h>

#include <ev.h>

#include "autoscaler/nodegroup.h"
#include "autoscaler/template.h"
#include "aws/client.h"
#include "aws/creds_cache.h"
#include "aws/credentials.h"
#include "aws/ops.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/intern.h"
#include "base/log.h"
#include "http/http.h"
#include "model/quantity.h"
#include "options.h"

/* Where the discovery stands. */
enum phase {
    PH_REGION,   /* asking IMDS for the region */
    PH_FIND,     /* one DescribeAutoScalingGroups per discovery spec */
    PH_DESCRIBE, /* the union of found and --nodes groups, by name */
    PH_DETAILS,  /* launch configurations and launch template versions */
    PH_TYPES,    /* DescribeInstanceTypes of every type the groups launch */
    PH_DONE,
};

struct discover {
    const struct cli_config *cfg;
    struct ev_loop *loop;
    struct http_client *http;
    struct aws_env env;
    char *region;
    const char *region_from;
    struct hs_err region_err; /* aws_region_resolve's message, if IMDS fails too */
    struct aws_creds_cache *creds;
    struct aws_client *client;
    struct cli_planner_options po;
    enum phase phase;
    unsigned pending;
    enum hs_code rc;
    struct hs_err err;
    int exit_code;
    unsigned n_specs;
    struct model_asg_list *found; /* one per spec */
    struct model_asg_list asgs;
    struct model_launch_config_list lcs;
    struct model_lt_version_list lts;
    struct model_instance_type_list types;
};

static void advance(struct discover *d);

static void fail(struct discover *d, int code, enum hs_code rc, const struct hs_err *err)
{
    if (d->rc)
        return;
    d->rc = rc;
    d->exit_code = code;
    hs_err_set(&d->err, rc, "%s", err ? err->msg : hs_strerror(rc));
}

static void on_op(void *ctx, enum hs_code rc, const struct hs_err *err)
{
    struct discover *d = ctx;
    if (rc)
        fail(d, 1, rc, err);
    if (--d->pending == 0)
        advance(d);
}

/* Counts an operation in flight, or records its synchronous failure. */
static void started(struct discover *d, enum hs_code rc, const struct hs_err *err)
{
    if (rc)
        fail(d, 1, rc, err);
    else
        d->pending++;
}

/* ---- phases ---- */

static enum hs_code setup_aws(struct discover *d)
{
    struct hs_err err = { 0 };
    struct aws_cred_plan plan;
    enum hs_code rc = aws_cred_plan_resolve(&d->env, &plan, &err);
    if (rc) {
        aws_cred_plan_release(&plan);
        fail(d, 2, rc, &err);
        return rc;
    }
    HS_V(1, "AWS credentials from %s", plan.detail ? plan.detail : "?");
    struct aws_creds_cache_options co = { .region = d->region };
    if ((rc = aws_creds_cache_new_take(d->loop, d->http, &plan, &co, &d->creds, &err))) {
        aws_cred_plan_release(&plan);
        fail(d, 2, rc, &err);
        return rc;
    }
    aws_creds_cache_start(d->creds);
    struct aws_client_options o = { .region = d->region };
    if ((rc = aws_client_new(d->loop, d->http, d->creds, &o, &d->client, &err))) {
        fail(d, 2, rc, &err);
        return rc;
    }
    return HS_OK;
}

static void start_find(struct discover *d)
{
    const struct cli_config *c = d->cfg;
    d->phase = PH_FIND;
    d->n_specs = (unsigned)c->n_discovery_specs;
    d->found = hs_calloc(d->n_specs ? d->n_specs : 1, sizeof(*d->found));
    for (unsigned s = 0; s < d->n_specs; s++) {
        model_asg_list_init(&d->found[s]);
        struct aws_tag_filter *f = hs_calloc(c->n_discovery ? c->n_discovery : 1, sizeof(*f));
        size_t n = 0;
        for (size_t i = 0; i < c->n_discovery; i++)
            if (c->discovery[i].spec == s)
                f[n++] = (struct aws_tag_filter){ c->discovery[i].key, c->discovery[i].value };
        struct aws_asg_query q = { .filters = f, .n_filters = n };
        struct hs_err err = { 0 };
        enum hs_code rc = aws_describe_asgs(d->client, &q, &d->found[s], on_op, d, NULL, &err);
        hs_free(f);
        started(d, rc, &err);
    }
}

static bool in_names(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static void start_describe(struct discover *d)
{
    const struct cli_config *c = d->cfg;
    d->phase = PH_DESCRIBE;
    size_t cap = c->n_nodes;
    for (unsigned s = 0; s < d->n_specs; s++)
        cap += d->found[s].n;
    const char **names = hs_calloc(cap ? cap : 1, sizeof(*names));
    size_t n = 0;
    for (size_t i = 0; i < c->n_nodes; i++)
        if (!in_names(names, n, c->nodes[i].name))
            names[n++] = c->nodes[i].name;
    for (unsigned s = 0; s < d->n_specs; s++)
        for (uint32_t i = 0; i < d->found[s].n; i++)
            if (d->found[s].v[i].name && !in_names(names, n, d->found[s].v[i].name))
                names[n++] = d->found[s].v[i].name;
    if (n > 0) {
        struct aws_asg_query q = { .names = names, .n_names = n };
        struct hs_err err = { 0 };
        started(d, aws_describe_asgs(d->client, &q, &d->asgs, on_op, d, NULL, &err), &err);
    }
    hs_free(names);
}

static bool same_spec(const struct model_lt_spec *a, const struct model_lt_spec *b)
{
    return ((!a->id && !b->id) || (a->id && b->id && strcmp(a->id, b->id) == 0)) &&
           ((!a->name && !b->name) || (a->name && b->name && strcmp(a->name, b->name) == 0)) &&
           ((!a->version && !b->version) ||
            (a->version && b->version && strcmp(a->version, b->version) == 0));
}

static void start_details(struct discover *d)
{
    d->phase = PH_DETAILS;
    const char **lcs = hs_calloc(d->asgs.n ? d->asgs.n : 1, sizeof(*lcs));
    size_t n_lcs = 0;
    const struct model_lt_spec **specs = NULL;
    size_t n_specs = 0, cap_specs = 0;
    for (uint32_t i = 0; i < d->asgs.n; i++) {
        const struct model_asg *g = &d->asgs.v[i];
        if (g->launch_configuration_name && !in_names(lcs, n_lcs, g->launch_configuration_name))
            lcs[n_lcs++] = g->launch_configuration_name;
        const struct model_lt_spec *cand[1 + 64];
        size_t nc = 0;
        cand[nc++] = &g->launch_template;
        if (g->mixed.present) {
            cand[nc++] = &g->mixed.launch_template;
            for (uint32_t o = 0; o < g->mixed.n_overrides && nc < HS_ARRAY_LEN(cand); o++)
                cand[nc++] = &g->mixed.overrides[o].launch_template;
        }
        for (size_t k = 0; k < nc; k++) {
            if (!model_lt_spec_present(cand[k]))
                continue;
            bool dup = false;
            for (size_t j = 0; j < n_specs && !dup; j++)
                dup = same_spec(specs[j], cand[k]);
            if (dup)
                continue;
            HS_GROW(specs, cap_specs, n_specs + 1);
            specs[n_specs++] = cand[k];
        }
    }
    struct hs_err err = { 0 };
    if (n_lcs)
        started(d,
                aws_describe_launch_configurations(d->client, lcs, n_lcs, &d->lcs, on_op, d, NULL,
                                                   &err),
                &err);
    for (size_t j = 0; j < n_specs && !d->rc; j++) {
        hs_err_clear(&err);
        started(d, aws_describe_lt_versions(d->client, specs[j], &d->lts, on_op, d, NULL, &err),
                &err);
    }
    hs_free(lcs);
    hs_free(specs);
}

static void fill_discovery(struct discover *d, struct asc_discovery *disc)
{
    const struct asc_options *o = &d->po.o;
    memset(disc, 0, sizeof(*disc));
    disc->nodes = o->nodes;
    disc->n_nodes = o->n_nodes;
    disc->filters = o->discovery;
    disc->n_filters = o->n_discovery;
    asc_group_options_default(&disc->defaults);
    disc->defaults.scale_down_utilization_threshold = o->scale_down_utilization_threshold;
    disc->defaults.scale_down_gpu_utilization_threshold = o->scale_down_gpu_utilization_threshold;
    disc->defaults.scale_down_unneeded_time = o->scale_down_unneeded_time;
    disc->defaults.scale_down_unready_time = o->scale_down_unready_time;
    disc->defaults.ignore_daemonsets_utilization = o->ignore_daemonsets_utilization;
    disc->defaults.max_node_provision_time = o->max_node_provision_time;
}

static void start_types(struct discover *d)
{
    d->phase = PH_TYPES;
    if (d->cfg->aws_use_static_instance_list)
        return;
    struct asc_cloud cloud = {
        .asgs = &d->asgs,
        .launch_configs = &d->lcs,
        .launch_templates = &d->lts,
        .region = d->region,
    };
    struct asc_discovery disc;
    fill_discovery(d, &disc);
    struct asc_groups *g = NULL;
    struct hs_err err = { 0 };
    enum hs_code rc = asc_groups_build(&cloud, &disc, &g, &err);
    if (rc) {
        fail(d, 2, rc, &err);
        return;
    }
    const char **types = NULL;
    size_t n = 0, cap = 0;
    for (uint32_t i = 0; i < g->n; i++)
        for (uint32_t t = 0; t < g->v[i].n_instance_types; t++)
            if (!in_names(types, n, g->v[i].instance_types[t])) {
                HS_GROW(types, cap, n + 1);
                types[n++] = g->v[i].instance_types[t];
            }
    if (n)
        started(d,
                aws_describe_instance_types(d->client, types, n, &d->types, on_op, d, NULL, &err),
                &err);
    hs_free(types);
    /* The op copied the names; the groups may go. */
    asc_groups_free(&g);
}

/* ---- output ---- */

static const char *effect_name(enum model_effect e)
{
    switch (e) {
    case MODEL_EFFECT_NO_SCHEDULE:
        return "NoSchedule";
    case MODEL_EFFECT_PREFER_NO_SCHEDULE:
        return "PreferNoSchedule";
    case MODEL_EFFECT_NO_EXECUTE:
        return "NoExecute";
    default:
        return "";
    }
}

static void quantity(struct hs_buf *b, int64_t v, int32_t scale, enum model_qformat f)
{
    struct hs_buf q;
    hs_buf_init(&q);
    model_quantity_format(&q, v, scale, f);
    hs_buf_add_json_str(b, q.data, q.len);
    hs_buf_release(&q);
}

static void resources_json(struct hs_buf *b, const struct model_resources *r)
{
    hs_buf_adds(b, "{\"cpu\": ");
    quantity(b, r->cpu_milli, -3, MODEL_QF_DECIMAL_SI);
    hs_buf_adds(b, ", \"memory\": ");
    quantity(b, r->memory, 0, MODEL_QF_BINARY_SI);
    if (r->ephemeral_storage) {
        hs_buf_adds(b, ", \"ephemeral-storage\": ");
        quantity(b, r->ephemeral_storage, 0, MODEL_QF_BINARY_SI);
    }
    hs_buf_adds(b, ", \"pods\": ");
    quantity(b, r->pods, 0, MODEL_QF_DECIMAL_SI);
    for (uint32_t i = 0; i < r->n_scalar; i++) {
        const char *name = r->scalar[i].name;
        hs_buf_adds(b, ", ");
        hs_buf_add_json_str(b, name, strlen(name));
        hs_buf_adds(b, ": ");
        quantity(b, r->scalar[i].value, 0,
                 strncmp(name, "hugepages-", 10) == 0 ? MODEL_QF_BINARY_SI : MODEL_QF_DECIMAL_SI);
    }
    hs_buf_adds(b, "}");
}

static void template_json(struct hs_buf *b, const struct asc_template *t)
{
    const struct model_node *n = &t->node;
    hs_buf_adds(b, ",\n      \"template\": {\"capacity\": ");
    resources_json(b, &n->capacity);
    hs_buf_adds(b, ", \"allocatable\": ");
    resources_json(b, &n->allocatable);
    hs_buf_adds(b, ",\n        \"labels\": {");
    for (uint32_t i = 0; i < n->labels.n; i++) {
        const struct model_label *l = &n->labels.v[i];
        hs_buf_adds(b, i ? ", " : "");
        hs_buf_add_json_str(b, l->key, strlen(l->key));
        hs_buf_adds(b, ": ");
        hs_buf_add_json_str(b, l->value ? l->value : "", l->value ? strlen(l->value) : 0);
    }
    hs_buf_adds(b, "},\n        \"taints\": [");
    for (uint32_t i = 0; i < n->n_taints; i++) {
        const struct model_taint *tt = &n->taints[i];
        hs_buf_adds(b, i ? ", {\"key\": " : "{\"key\": ");
        hs_buf_add_json_str(b, tt->key, strlen(tt->key));
        if (tt->value) {
            hs_buf_adds(b, ", \"value\": ");
            hs_buf_add_json_str(b, tt->value, strlen(tt->value));
        }
        hs_buf_adds(b, ", \"effect\": ");
        const char *e = effect_name(tt->effect);
        hs_buf_add_json_str(b, e, strlen(e));
        hs_buf_adds(b, "}");
    }
    hs_buf_adds(b, "]}");
}

static void str_array_json(struct hs_buf *b, const char *const *v, uint32_t n)
{
    hs_buf_adds(b, "[");
    for (uint32_t i = 0; i < n; i++) {
        hs_buf_adds(b, i ? ", " : "");
        hs_buf_add_json_str(b, v[i], strlen(v[i]));
    }
    hs_buf_adds(b, "]");
}

static void print_json(struct discover *d, const struct asc_groups *g,
                       const struct asc_templates *ts, struct hs_buf *b)
{
    hs_buf_adds(b, "{\"region\": ");
    hs_buf_add_json_str(b, d->region, strlen(d->region));
    hs_buf_adds(b, ",\n  \"nodeGroups\": [");
    for (uint32_t i = 0; i < g->n; i++) {
        const struct asc_node_group *ng = &g->v[i];
        hs_buf_adds(b, i ? ",\n    {" : "\n    {");
        hs_buf_adds(b, "\"name\": ");
        hs_buf_add_json_str(b, ng->name, strlen(ng->name));
        hs_buf_addf(b, ", \"minSize\": %d, \"maxSize\": %d, \"desiredCapacity\": %d,\n      ",
                    (int)ng->min_size, (int)ng->max_size, (int)ng->target_size);
        hs_buf_adds(b, "\"zones\": ");
        str_array_json(b, ng->zones, ng->n_zones);
        hs_buf_adds(b, ", \"instanceTypes\": ");
        str_array_json(b, ng->instance_types, ng->n_instance_types);
        hs_buf_adds(b, ",\n      \"instances\": [");
        const struct model_asg *a = ng->asg;
        for (uint32_t k = 0; k < a->n_instances; k++) {
            const struct model_asg_instance *in = &a->instances[k];
            hs_buf_adds(b, k ? ", {\"id\": " : "{\"id\": ");
            hs_buf_add_json_str(b, in->id ? in->id : "", in->id ? strlen(in->id) : 0);
            hs_buf_adds(b, ", \"zone\": ");
            hs_buf_add_json_str(b, in->zone ? in->zone : "", in->zone ? strlen(in->zone) : 0);
            hs_buf_adds(b, ", \"lifecycleState\": ");
            const char *ls = in->lifecycle_state ? in->lifecycle_state : "";
            hs_buf_add_json_str(b, ls, strlen(ls));
            hs_buf_adds(b, "}");
        }
        hs_buf_adds(b, "]");
        const struct asc_template *t = ts ? asc_templates_of(ts, ng) : NULL;
        if (t)
            template_json(b, t);
        hs_buf_adds(b, "}");
    }
    hs_buf_adds(b, g->n ? "\n  ]}\n" : "]}\n");
}

static void resources_text(struct hs_buf *b, const struct model_resources *r)
{
    hs_buf_adds(b, "cpu=");
    model_quantity_format(b, r->cpu_milli, -3, MODEL_QF_DECIMAL_SI);
    hs_buf_adds(b, " memory=");
    model_quantity_format(b, r->memory, 0, MODEL_QF_BINARY_SI);
    hs_buf_adds(b, " pods=");
    model_quantity_format(b, r->pods, 0, MODEL_QF_DECIMAL_SI);
    for (uint32_t i = 0; i < r->n_scalar; i++) {
        hs_buf_addf(b, " %s=", r->scalar[i].name);
        model_quantity_format(b, r->scalar[i].value, 0, MODEL_QF_DECIMAL_SI);
    }
}

static void print_text(struct discover *d, const struct asc_groups *g,
                       const struct asc_templates *ts, struct hs_buf *b)
{
    hs_buf_addf(b, "Region %s (from %s): %u node group(s)\n", d->region, d->region_from,
                (unsigned)g->n);
    for (uint32_t i = 0; i < g->n; i++) {
        const struct asc_node_group *ng = &g->v[i];
        hs_buf_addf(b, "\n%s  min %d  max %d  desired %d%s\n", ng->name, (int)ng->min_size,
                    (int)ng->max_size, (int)ng->target_size,
                    ng->explicit_spec ? "  (--nodes)" : "  (auto-discovered)");
        hs_buf_adds(b, "  zones:");
        for (uint32_t z = 0; z < ng->n_zones; z++)
            hs_buf_addf(b, " %s", ng->zones[z]);
        hs_buf_adds(b, "\n  instance types:");
        for (uint32_t t = 0; t < ng->n_instance_types; t++)
            hs_buf_addf(b, " %s", ng->instance_types[t]);
        hs_buf_addf(b, "\n  instances: %u\n", (unsigned)ng->asg->n_instances);
        for (uint32_t k = 0; k < ng->asg->n_instances; k++) {
            const struct model_asg_instance *in = &ng->asg->instances[k];
            hs_buf_addf(b, "    %s  %s  %s\n", in->id ? in->id : "-", in->zone ? in->zone : "-",
                        in->lifecycle_state ? in->lifecycle_state : "-");
        }
        const struct asc_template *t = ts ? asc_templates_of(ts, ng) : NULL;
        if (!t) {
            hs_buf_adds(b, "  template: none\n");
            continue;
        }
        hs_buf_adds(b, "  template capacity:    ");
        resources_text(b, &t->node.capacity);
        hs_buf_adds(b, "\n  template allocatable: ");
        resources_text(b, &t->node.allocatable);
        hs_buf_adds(b, "\n  template labels:");
        for (uint32_t l = 0; l < t->node.labels.n; l++)
            hs_buf_addf(b, " %s=%s", t->node.labels.v[l].key,
                        t->node.labels.v[l].value ? t->node.labels.v[l].value : "");
        hs_buf_adds(b, "\n  template taints:");
        for (uint32_t k = 0; k < t->node.n_taints; k++)
            hs_buf_addf(b, " %s=%s:%s", t->node.taints[k].key,
                        t->node.taints[k].value ? t->node.taints[k].value : "",
                        effect_name(t->node.taints[k].effect));
        hs_buf_adds(b, "\n");
    }
}

static void finish(struct discover *d)
{
    d->phase = PH_DONE;
    struct asc_cloud cloud = {
        .asgs = &d->asgs,
        .launch_configs = &d->lcs,
        .launch_templates = &d->lts,
        .instance_types = d->cfg->aws_use_static_instance_list ? NULL : &d->types,
        .region = d->region,
    };
    struct asc_discovery disc;
    fill_discovery(d, &disc);
    struct asc_groups *g = NULL;
    struct asc_templates *ts = NULL;
    struct hs_intern *intern = hs_intern_new();
    struct hs_err err = { 0 };
    enum hs_code rc = asc_groups_build(&cloud, &disc, &g, &err);
    if (rc) {
        fail(d, 2, rc, &err);
        goto out;
    }
    struct asc_taint_config taints = {
        .startup = d->po.o.startup_taints,
        .n_startup = d->po.o.n_startup_taints,
        .status = d->po.o.status_taints,
        .n_status = d->po.o.n_status_taints,
    };
    struct asc_template_config tc = { .taints = &taints, .ignore_nodes = true };
    if ((rc = asc_templates_build(g, &cloud, NULL, 0, &tc, intern, &ts, &err))) {
        fail(d, 1, rc, &err);
        goto out;
    }
    for (uint32_t i = 0; i < g->warnings.n; i++)
        fprintf(stderr, "hoist discover: warning: %s\n", g->warnings.v[i]);
    for (uint32_t i = 0; i < ts->warnings.n; i++)
        fprintf(stderr, "hoist discover: warning: %s\n", ts->warnings.v[i]);
    if (g->n == 0)
        fprintf(stderr, "hoist discover: warning: no node group matches --nodes or "
                        "--node-group-auto-discovery\n");
    struct hs_buf b;
    hs_buf_init(&b);
    if (d->cfg->output == CLI_OUTPUT_JSON)
        print_json(d, g, ts, &b);
    else
        print_text(d, g, ts, &b);
    if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout) != 0)
        d->exit_code = 1;
    hs_buf_release(&b);
out:
    asc_templates_free(&ts);
    asc_groups_free(&g);
    hs_intern_free(&intern);
}

static void advance(struct discover *d)
{
    if (d->pending)
        return;
    while (!d->rc && d->pending == 0 && d->phase != PH_DONE) {
        switch (d->phase) {
        case PH_REGION:
            if (setup_aws(d))
                break;
            start_find(d);
            break;
        case PH_FIND:
            start_describe(d);
            break;
        case PH_DESCRIBE:
            start_details(d);
            break;
        case PH_DETAILS:
            start_types(d);
            break;
        case PH_TYPES:
            finish(d);
            break;
        case PH_DONE:
            break;
        }
    }
    if (d->pending == 0 && (d->rc || d->phase == PH_DONE))
        ev_break(d->loop, EVBREAK_ALL);
}

static void on_region(void *ctx, enum hs_code rc, const char *body, size_t len,
                      const struct hs_err *err)
{
    struct discover *d = ctx;
    (void)err;
    d->pending--;
    size_t n = 0;
    while (n < len && body[n] != '\n' && body[n] != '\r' && body[n] != ' ')
        n++;
    if (rc || n == 0) {
        fail(d, 2, d->region_err.code, &d->region_err);
        advance(d);
        return;
    }
    d->region = hs_strndup(body, n);
    d->region_from = "instance metadata";
    advance(d);
}

int cli_discover(const struct cli_config *cfg)
{
    struct discover d;
    memset(&d, 0, sizeof(d));
    d.cfg = cfg;
    model_asg_list_init(&d.asgs);
    model_launch_config_list_init(&d.lcs);
    model_lt_version_list_init(&d.lts);
    model_instance_type_list_init(&d.types);
    cli_planner_options_init(&d.po, cfg);
    aws_env_from_process(&d.env);
    d.loop = ev_loop_new(EVFLAG_AUTO);
    struct hs_err err = { 0 };
    enum hs_code rc;

    if (cfg->n_nodes == 0 && cfg->n_discovery_specs == 0) {
        fprintf(stderr, "hoist discover: no node groups selected: give --nodes or "
                        "--node-group-auto-discovery\n");
        d.exit_code = 2;
        goto out;
    }
    if ((rc = http_client_new(d.loop, NULL, &d.http, &err))) {
        fail(&d, 1, rc, &err);
        goto report;
    }
    d.phase = PH_REGION;
    rc = aws_region_resolve(cfg->aws_region, &d.env, &d.region, &d.region_from, &d.region_err);
    if (rc == HS_ENOTFOUND) {
        char *imds = aws_imds_endpoint(&d.env);
        if (imds) {
            rc = aws_imds_get(d.http, imds, "/latest/meta-data/placement/region", 2 * HS_SEC,
                              on_region, &d, NULL, &err);
            hs_free(imds);
            if (rc == HS_OK) {
                d.pending++;
                ev_run(d.loop, 0);
                goto report;
            }
        }
        fail(&d, 2, d.region_err.code, &d.region_err);
        goto report;
    } else if (rc) {
        fail(&d, 2, rc, &d.region_err);
        goto report;
    }
    HS_V(1, "AWS region %s from %s", d.region, d.region_from);
    advance(&d);
    if (!d.rc && d.phase != PH_DONE)
        ev_run(d.loop, 0);
report:
    if (d.rc)
        fprintf(stderr, "hoist discover: %s\n", d.err.msg);
out:
    aws_client_free(&d.client);
    aws_creds_cache_free(&d.creds);
    http_client_free(&d.http);
    ev_loop_destroy(d.loop);
    for (unsigned s = 0; s < d.n_specs; s++)
        model_asg_list_release(&d.found[s]);
    hs_free(d.found);
    model_asg_list_release(&d.asgs);
    model_launch_config_list_release(&d.lcs);
    model_lt_version_list_release(&d.lts);
    model_instance_type_list_release(&d.types);
    cli_planner_options_release(&d.po);
    hs_free(d.region);
    return d.exit_code;
}
