/*
 * The AutoScaling and EC2 operations (see aws/ops.h): a pager that walks
 * batches of names and NextToken pages, one aws_call at a time, decoding
 * each page into the caller's model list. The DescribeInstanceTypes
 * results are also kept in the client's cache.
 *
 * Must never: call back from inside the starting function; retry a
 * termination (the client's AWS_CALL_NOT_IDEMPOTENT rule); log anything of
 * its own (the client logs each call).
 */
#include "aws/ops.h"
#include "aws/client.h"
#include "aws/decode.h"
#include "aws/query.h"
#include "client_int.h"

#include <stdio.h>
#include <string.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/arena.h"

enum op_kind {
    OP_ASGS,
    OP_SET_DESIRED,
    OP_TERMINATE,
    OP_ACTIVITIES,
    OP_LAUNCH_CONFIGS,
    OP_LT_VERSIONS,
    OP_INSTANCE_TYPES,
};

struct filter_copy {
    char *key;
    char *value; /* NULL: any */
};

struct aws_op {
    struct aws_client *c;
    enum op_kind kind;
    struct aws_call *call;
    ev_timer soon; /* delivers an outcome decided without a call */
    aws_op_fn fn;
    void *ctx;
    char **names; /* owned */
    size_t n_names;
    size_t batch_start, batch_size; /* current batch of names */
    struct filter_copy *filters;
    size_t n_filters;
    char *token;                          /* the next page's NextToken, or NULL */
    char *a, *b, *v;                      /* group / instance id / template id, name, version */
    int32_t num;                          /* desired capacity, max records */
    void *out;                            /* the caller's list */
    struct model_activity_list scratch;   /* activities nobody asked to keep */
    struct model_instance_type_list page; /* DescribeInstanceTypes page */
    bool all_types;                       /* listing every type */
    enum hs_code soon_rc;
};

static const char *op_action(enum op_kind k)
{
    switch (k) {
    case OP_ASGS:
        return "DescribeAutoScalingGroups";
    case OP_SET_DESIRED:
        return "SetDesiredCapacity";
    case OP_TERMINATE:
        return "TerminateInstanceInAutoScalingGroup";
    case OP_ACTIVITIES:
        return "DescribeScalingActivities";
    case OP_LAUNCH_CONFIGS:
        return "DescribeLaunchConfigurations";
    case OP_LT_VERSIONS:
        return "DescribeLaunchTemplateVersions";
    case OP_INSTANCE_TYPES:
        return "DescribeInstanceTypes";
    }
    return "?";
}

static enum aws_service op_service(enum op_kind k)
{
    return k == OP_LT_VERSIONS || k == OP_INSTANCE_TYPES ? AWS_SERVICE_EC2
                                                         : AWS_SERVICE_AUTOSCALING;
}

static void op_free(struct aws_op *op)
{
    aws_call_cancel(&op->call);
    ev_timer_stop(aws__client_loop(op->c), &op->soon);
    for (size_t i = 0; i < op->n_names; i++)
        hs_free(op->names[i]);
    hs_free(op->names);
    for (size_t i = 0; i < op->n_filters; i++) {
        hs_free(op->filters[i].key);
        hs_free(op->filters[i].value);
    }
    hs_free(op->filters);
    hs_free(op->token);
    hs_free(op->a);
    hs_free(op->b);
    hs_free(op->v);
    model_activity_list_release(&op->scratch);
    model_instance_type_list_release(&op->page);
    hs_free(op);
}

void aws_op_cancel(struct aws_op **opp)
{
    if (!opp || !*opp)
        return;
    struct aws_op *op = *opp;
    *opp = NULL;
    op_free(op);
}

static void finish(struct aws_op *op, enum hs_code rc, const struct hs_err *err)
{
    aws_op_fn fn = op->fn;
    void *ctx = op->ctx;
    struct hs_err copy = { 0 };
    if (err)
        copy = *err;
    op_free(op);
    fn(ctx, rc, rc ? &copy : NULL);
}

static void soon_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    struct aws_op *op = hs_container_of(t, struct aws_op, soon);
    finish(op, op->soon_rc, NULL);
}

static struct aws_op *op_new(struct aws_client *c, enum op_kind kind, void *out, aws_op_fn fn,
                             void *ctx)
{
    struct aws_op *op = hs_calloc(1, sizeof(*op));
    op->c = c;
    op->kind = kind;
    op->out = out;
    op->fn = fn;
    op->ctx = ctx;
    ev_timer_init(&op->soon, soon_cb, 0., 0.);
    model_activity_list_init(&op->scratch);
    model_instance_type_list_init(&op->page);
    return op;
}

static void copy_names(struct aws_op *op, const char *const *names, size_t n)
{
    if (!n)
        return;
    op->names = hs_calloc(n, sizeof(*op->names));
    for (size_t i = 0; i < n; i++)
        op->names[i] = hs_strdup(names[i]);
    op->n_names = n;
}

/* ---- request bodies ---- */

static void add_i64(struct aws_query *q, const char *key, int64_t v)
{
    char s[32];
    snprintf(s, sizeof(s), "%lld", (long long)v);
    aws_query_add(q, key, s);
}

static void build(struct aws_op *op, struct aws_query *q)
{
    const struct aws_service_info *si = aws_service_info(op_service(op->kind));
    aws_query_init(q, si->flavor, op_action(op->kind), si->api_version);
    const char *const *batch = (const char *const *)op->names + op->batch_start;
    switch (op->kind) {
    case OP_ASGS:
        if (op->batch_size)
            aws_query_add_list(q, "AutoScalingGroupNames", batch, op->batch_size);
        for (size_t i = 0; i < op->n_filters; i++) {
            char key[64];
            const struct filter_copy *f = &op->filters[i];
            snprintf(key, sizeof(key), "Filters.member.%zu.Name", i + 1);
            if (f->value) {
                struct hs_buf name;
                hs_buf_init(&name);
                hs_buf_addf(&name, "tag:%s", f->key);
                aws_query_add(q, key, name.data);
                hs_buf_release(&name);
            } else {
                aws_query_add(q, key, "tag-key");
            }
            snprintf(key, sizeof(key), "Filters.member.%zu.Values.member.1", i + 1);
            aws_query_add(q, key, f->value ? f->value : f->key);
        }
        aws_query_add(q, "MaxRecords", "100");
        break;
    case OP_SET_DESIRED:
        aws_query_add(q, "AutoScalingGroupName", op->a);
        add_i64(q, "DesiredCapacity", op->num);
        aws_query_add(q, "HonorCooldown", "false");
        break;
    case OP_TERMINATE:
        aws_query_add(q, "InstanceId", op->a);
        aws_query_add(q, "ShouldDecrementDesiredCapacity", "true");
        break;
    case OP_ACTIVITIES:
        aws_query_add(q, "AutoScalingGroupName", op->a);
        add_i64(q, "MaxRecords", op->num);
        break;
    case OP_LAUNCH_CONFIGS:
        if (op->batch_size)
            aws_query_add_list(q, "LaunchConfigurationNames", batch, op->batch_size);
        aws_query_add(q, "MaxRecords", "100");
        break;
    case OP_LT_VERSIONS: {
        if (op->a)
            aws_query_add(q, "LaunchTemplateId", op->a);
        else
            aws_query_add(q, "LaunchTemplateName", op->b);
        const char *v = op->v ? op->v : "$Default";
        aws_query_add_list(q, "LaunchTemplateVersion", &v, 1);
        break;
    }
    case OP_INSTANCE_TYPES:
        if (op->batch_size)
            aws_query_add_list(q, "InstanceType", batch, op->batch_size);
        else
            aws_query_add(q, "MaxResults", "100");
        break;
    }
    if (op->token)
        aws_query_add(q, "NextToken", op->token);
}

/* ---- pages ---- */

static enum hs_code send_page(struct aws_op *op, struct hs_err *err);

static bool type_known(const struct model_instance_type_list *l, const char *name)
{
    return model_instance_type_list_find(l, name) != NULL;
}

static enum hs_code decode(struct aws_op *op, const struct aws_response *resp, char **next,
                           struct hs_err *err)
{
    const char *b = resp->body;
    size_t n = resp->body_len;
    switch (op->kind) {
    case OP_ASGS:
        return aws_xml_describe_asgs(b, n, op->out, next, err);
    case OP_SET_DESIRED:
        return aws_xml_activity_response(b, n, "SetDesiredCapacity", &op->scratch, err);
    case OP_TERMINATE:
        return aws_xml_activity_response(b, n, "TerminateInstanceInAutoScalingGroup",
                                         op->out ? op->out : &op->scratch, err);
    case OP_ACTIVITIES:
        return aws_xml_describe_scaling_activities(b, n, op->out, NULL, err);
    case OP_LAUNCH_CONFIGS:
        return aws_xml_describe_launch_configurations(b, n, op->out, next, err);
    case OP_LT_VERSIONS:
        return aws_xml_describe_lt_versions(b, n, op->out, next, err);
    case OP_INSTANCE_TYPES: {
        model_instance_type_list_release(&op->page);
        model_instance_type_list_init(&op->page);
        enum hs_code rc = aws_xml_describe_instance_types(b, n, &op->page, next, err);
        if (rc)
            return rc;
        struct model_instance_type_list *cache = aws__client_type_cache(op->c);
        for (uint32_t i = 0; i < op->page.n; i++) {
            const struct model_instance_type *t = &op->page.v[i];
            if (!t->name)
                continue;
            if (!type_known(cache, t->name))
                aws_instance_type_copy(cache, t);
            if (!type_known(op->out, t->name))
                aws_instance_type_copy(op->out, t);
        }
        return HS_OK;
    }
    }
    return HS_OK;
}

static void on_page(void *ctx, enum hs_code rc, const struct aws_response *resp,
                    const struct hs_err *err)
{
    struct aws_op *op = ctx;
    op->call = NULL;
    if (rc) {
        finish(op, rc, err);
        return;
    }
    struct hs_err derr = { 0 };
    char *next = NULL;
    rc = decode(op, resp, &next, &derr);
    if (rc) {
        hs_free(next);
        hs_err_prefix(&derr, "%s", op_action(op->kind));
        finish(op, rc, &derr);
        return;
    }
    hs_free(op->token);
    op->token = next && *next ? next : NULL;
    if (!op->token)
        hs_free(next);
    if (!op->token) {
        /* Next batch of names, if any. */
        op->batch_start += op->batch_size;
        if (op->batch_start >= op->n_names) {
            if (op->kind == OP_INSTANCE_TYPES && op->all_types)
                *aws__client_types_complete(op->c) = true;
            finish(op, HS_OK, NULL);
            return;
        }
        size_t per = op->kind == OP_LAUNCH_CONFIGS ? 50 : AWS_ASG_NAMES_PER_CALL;
        size_t left = op->n_names - op->batch_start;
        op->batch_size = left < per ? left : per;
    }
    rc = send_page(op, &derr);
    if (rc)
        finish(op, rc, &derr);
}

static enum hs_code send_page(struct aws_op *op, struct hs_err *err)
{
    struct aws_query q;
    build(op, &q);
    unsigned flags = op->kind == OP_TERMINATE ? AWS_CALL_NOT_IDEMPOTENT : 0;
    enum hs_code rc = aws_client_call(op->c, op_service(op->kind), op_action(op->kind), &q, flags,
                                      on_page, op, &op->call, err);
    aws_query_release(&q);
    return rc;
}

/* Starts the first page; on error frees op and returns the code. */
static enum hs_code start(struct aws_op *op, size_t per_call, struct aws_op **out,
                          struct hs_err *err)
{
    op->batch_start = 0;
    op->batch_size = op->n_names < per_call ? op->n_names : per_call;
    enum hs_code rc = send_page(op, err);
    if (rc) {
        op_free(op);
        return rc;
    }
    if (out)
        *out = op;
    return HS_OK;
}

static enum hs_code need(const char *what, const char *s, struct hs_err *err)
{
    if (!s || !*s)
        return hs_err_set(err, HS_EINVAL, "%s: missing argument", what);
    return HS_OK;
}

/* ---- public ---- */

enum hs_code aws_describe_asgs(struct aws_client *c, const struct aws_asg_query *q,
                               struct model_asg_list *out, aws_op_fn fn, void *ctx,
                               struct aws_op **opp, struct hs_err *err)
{
    for (size_t i = 0; q && i < q->n_names; i++)
        if (need("DescribeAutoScalingGroups: group name", q->names[i], err))
            return HS_EINVAL;
    for (size_t i = 0; q && i < q->n_filters; i++)
        if (need("DescribeAutoScalingGroups: tag filter key", q->filters[i].key, err))
            return HS_EINVAL;
    struct aws_op *op = op_new(c, OP_ASGS, out, fn, ctx);
    if (q) {
        copy_names(op, q->names, q->n_names);
        if (q->n_filters) {
            op->filters = hs_calloc(q->n_filters, sizeof(*op->filters));
            op->n_filters = q->n_filters;
            for (size_t i = 0; i < q->n_filters; i++) {
                op->filters[i].key = hs_strdup(q->filters[i].key);
                const char *v = q->filters[i].value;
                op->filters[i].value = v && *v ? hs_strdup(v) : NULL;
            }
        }
    }
    return start(op, AWS_ASG_NAMES_PER_CALL, opp, err);
}

enum hs_code aws_set_desired_capacity(struct aws_client *c, const char *group, int32_t desired,
                                      aws_op_fn fn, void *ctx, struct aws_op **opp,
                                      struct hs_err *err)
{
    if (need("SetDesiredCapacity: group name", group, err))
        return HS_EINVAL;
    if (desired < 0)
        return hs_err_set(err, HS_EINVAL, "SetDesiredCapacity %s: negative capacity %d", group,
                          (int)desired);
    struct aws_op *op = op_new(c, OP_SET_DESIRED, NULL, fn, ctx);
    op->a = hs_strdup(group);
    op->num = desired;
    return start(op, 1, opp, err);
}

enum hs_code aws_terminate_instance(struct aws_client *c, const char *instance_id,
                                    struct model_activity_list *out, aws_op_fn fn, void *ctx,
                                    struct aws_op **opp, struct hs_err *err)
{
    if (need("TerminateInstanceInAutoScalingGroup: instance id", instance_id, err))
        return HS_EINVAL;
    struct aws_op *op = op_new(c, OP_TERMINATE, out, fn, ctx);
    op->a = hs_strdup(instance_id);
    return start(op, 1, opp, err);
}

enum hs_code aws_describe_scaling_activities(struct aws_client *c, const char *group,
                                             int max_records, struct model_activity_list *out,
                                             aws_op_fn fn, void *ctx, struct aws_op **opp,
                                             struct hs_err *err)
{
    if (need("DescribeScalingActivities: group name", group, err))
        return HS_EINVAL;
    if (max_records < 0 || max_records > 100)
        return hs_err_set(err, HS_EINVAL,
                          "DescribeScalingActivities: max records %d is not within 1..100",
                          max_records);
    struct aws_op *op = op_new(c, OP_ACTIVITIES, out, fn, ctx);
    op->a = hs_strdup(group);
    op->num = max_records ? max_records : 100;
    return start(op, 1, opp, err);
}

enum hs_code aws_describe_launch_configurations(struct aws_client *c, const char *const *names,
                                                size_t n, struct model_launch_config_list *out,
                                                aws_op_fn fn, void *ctx, struct aws_op **opp,
                                                struct hs_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (need("DescribeLaunchConfigurations: name", names[i], err))
            return HS_EINVAL;
    struct aws_op *op = op_new(c, OP_LAUNCH_CONFIGS, out, fn, ctx);
    copy_names(op, names, n);
    return start(op, 50, opp, err);
}

enum hs_code aws_describe_lt_versions(struct aws_client *c, const struct model_lt_spec *spec,
                                      struct model_lt_version_list *out, aws_op_fn fn, void *ctx,
                                      struct aws_op **opp, struct hs_err *err)
{
    if (!spec || !model_lt_spec_present(spec))
        return hs_err_set(err, HS_EINVAL,
                          "DescribeLaunchTemplateVersions: the template has no id or name");
    struct aws_op *op = op_new(c, OP_LT_VERSIONS, out, fn, ctx);
    if (spec->id && *spec->id)
        op->a = hs_strdup(spec->id);
    else
        op->b = hs_strdup(spec->name);
    if (spec->version && *spec->version)
        op->v = hs_strdup(spec->version);
    return start(op, 1, opp, err);
}

void aws_instance_type_copy(struct model_instance_type_list *out,
                            const struct model_instance_type *t)
{
    struct model_instance_type *d = model_instance_type_list_add(out);
    *d = *t;
    struct hs_arena *a = &out->arena;
    d->name = t->name ? hs_arena_strndup(a, t->name, strlen(t->name)) : NULL;
    d->gpu_name = t->gpu_name ? hs_arena_strndup(a, t->gpu_name, strlen(t->gpu_name)) : NULL;
    d->gpu_manufacturer =
        t->gpu_manufacturer ? hs_arena_strndup(a, t->gpu_manufacturer, strlen(t->gpu_manufacturer))
                            : NULL;
    d->arch = t->arch ? hs_arena_strndup(a, t->arch, strlen(t->arch)) : NULL;
}

enum hs_code aws_describe_instance_types(struct aws_client *c, const char *const *types, size_t n,
                                         struct model_instance_type_list *out, aws_op_fn fn,
                                         void *ctx, struct aws_op **opp, struct hs_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (need("DescribeInstanceTypes: type", types[i], err))
            return HS_EINVAL;
    struct model_instance_type_list *cache = aws__client_type_cache(c);
    struct aws_op *op = op_new(c, OP_INSTANCE_TYPES, out, fn, ctx);
    bool ask = false;
    if (n == 0) {
        op->all_types = true;
        if (*aws__client_types_complete(c)) {
            for (uint32_t i = 0; i < cache->n; i++)
                if (!type_known(out, cache->v[i].name))
                    aws_instance_type_copy(out, &cache->v[i]);
        } else {
            ask = true;
        }
    } else {
        /* Copy what the cache knows; ask only for the rest (each once). */
        op->names = hs_calloc(n, sizeof(*op->names));
        for (size_t i = 0; i < n; i++) {
            const struct model_instance_type *t = model_instance_type_list_find(cache, types[i]);
            if (t) {
                if (!type_known(out, t->name))
                    aws_instance_type_copy(out, t);
                continue;
            }
            bool dup = false;
            for (size_t j = 0; j < op->n_names && !dup; j++)
                dup = strcmp(op->names[j], types[i]) == 0;
            if (!dup)
                op->names[op->n_names++] = hs_strdup(types[i]);
        }
        ask = op->n_names > 0;
    }
    if (!ask) {
        op->soon_rc = HS_OK;
        ev_timer_start(aws__client_loop(c), &op->soon);
        if (opp)
            *opp = op;
        return HS_OK;
    }
    return start(op, AWS_ASG_NAMES_PER_CALL, opp, err);
}
