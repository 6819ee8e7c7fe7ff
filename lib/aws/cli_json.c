/*
 * What `aws ... --output json` prints, into the same lib/model structs the
 * XML decoders fill: describe-auto-scaling-groups, describe-instance-types,
 * describe-launch-template-versions. Member names are the botocore model's
 * (PascalCase), times are ISO 8601 strings (the CLI prints
 * 2023-10-28T02:39:22.152000+00:00), WeightedCapacity is a string as in the
 * API. A bare array (what `--query AutoScalingGroups` prints) is accepted
 * for groups too.
 *
 * Every error names the file and the JSON path of the offending value. The
 * one-pass readers of cli_json_fast.c are tried first; when one declines a
 * document, the list is put back as it was and the jansson walk below reads
 * it (and words any error), so the walk stays the definition of what is
 * decoded and said. This file must never let a json_t escape, never abort
 * on bad input, and never log.
 */
#include "aws/decode.h"
#include "cli_json_int.h"
#include "xml_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/buf.h"

/* The walk: the JSON path so far and where errors go. */
struct walk {
    struct hs_arena *a;
    struct hs_buf path;
    size_t mark[32];
    unsigned depth;
    struct hs_err *err;
};

static void push_key(struct walk *w, const char *key)
{
    HS_BUG_ON(w->depth >= HS_ARRAY_LEN(w->mark));
    w->mark[w->depth++] = w->path.len;
    if (w->path.len)
        hs_buf_addc(&w->path, '.');
    hs_buf_adds(&w->path, key);
}

static void push_index(struct walk *w, size_t i)
{
    HS_BUG_ON(w->depth >= HS_ARRAY_LEN(w->mark));
    w->mark[w->depth++] = w->path.len;
    hs_buf_addf(&w->path, "[%zu]", i);
}

static void pop(struct walk *w)
{
    hs_buf_truncate(&w->path, w->mark[--w->depth]);
}

static enum hs_code fail_at(struct walk *w, const char *key, const char *what)
{
    return hs_err_set(w->err, HS_EPARSE, "%s%s%s: %s", w->path.data, key && w->path.len ? "." : "",
                      key ? key : "", what);
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

static enum hs_code expected(struct walk *w, const char *key, const char *what, const json_t *v)
{
    char msg[96];
    snprintf(msg, sizeof(msg), "expected %s, got %s", what, type_name(v));
    return fail_at(w, key, msg);
}

/* Member key of obj as a string copied into the arena: absent or null
 * leaves *out NULL. */
static enum hs_code get_str(struct walk *w, const json_t *obj, const char *key, const char **out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return HS_OK;
    if (!json_is_string(v))
        return expected(w, key, "string", v);
    *out = hs_arena_strndup(w->a, json_string_value(v), json_string_length(v));
    return HS_OK;
}

static enum hs_code get_i64(struct walk *w, const json_t *obj, const char *key, int64_t *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return HS_OK;
    if (!json_is_integer(v))
        return expected(w, key, "integer", v);
    *out = (int64_t)json_integer_value(v);
    return HS_OK;
}

static enum hs_code get_i32(struct walk *w, const json_t *obj, const char *key, int32_t *out)
{
    int64_t v = INT64_MIN;
    enum hs_code rc = get_i64(w, obj, key, &v);
    if (rc || v == INT64_MIN)
        return rc;
    if (v < INT32_MIN || v > INT32_MAX)
        return fail_at(w, key, "integer out of range");
    *out = (int32_t)v;
    return HS_OK;
}

/* An integer the API spells as a string ("WeightedCapacity": "2"); a JSON
 * number is taken too. */
static enum hs_code get_i32_str(struct walk *w, const json_t *obj, const char *key, int32_t *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return HS_OK;
    if (json_is_integer(v))
        return get_i32(w, obj, key, out);
    if (!json_is_string(v))
        return expected(w, key, "string", v);
    if (!aws__parse_i32(json_string_value(v), json_string_length(v), out))
        return fail_at(w, key, "expected an integer in a string");
    return HS_OK;
}

static enum hs_code get_bool(struct walk *w, const json_t *obj, const char *key, bool *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return HS_OK;
    if (!json_is_boolean(v))
        return expected(w, key, "boolean", v);
    *out = json_is_true(v);
    return HS_OK;
}

static enum hs_code get_time(struct walk *w, const json_t *obj, const char *key, int64_t *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return HS_OK;
    if (!json_is_string(v))
        return expected(w, key, "string", v);
    if (!aws__parse_time(json_string_value(v), json_string_length(v), out))
        return fail_at(w, key, "expected an ISO 8601 time");
    return HS_OK;
}

/* Member key of obj as an object or array: absent or null gives NULL. */
static enum hs_code get_typed(struct walk *w, const json_t *obj, const char *key, json_type type,
                              const json_t **out)
{
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return HS_OK;
    if (json_typeof(v) != type)
        return expected(w, key, type == JSON_OBJECT ? "object" : "array", v);
    *out = v;
    return HS_OK;
}

#define TRY(expr)     \
    do {              \
        rc = (expr);  \
        if (rc)       \
            goto out; \
    } while (0)

static enum hs_code lt_spec(struct walk *w, const json_t *obj, const char *key,
                            struct model_lt_spec *s)
{
    const json_t *o;
    enum hs_code rc = get_typed(w, obj, key, JSON_OBJECT, &o);
    if (rc || !o)
        return rc;
    push_key(w, key);
    TRY(get_str(w, o, "LaunchTemplateId", &s->id));
    TRY(get_str(w, o, "LaunchTemplateName", &s->name));
    TRY(get_str(w, o, "Version", &s->version));
out:
    pop(w);
    return rc;
}

/* Calls item(w, ctx, element) for each element of obj[key] (an array),
 * with the path pushed; absent or null is an empty list. Elements must be
 * objects unless want_string. */
typedef enum hs_code (*item_fn)(struct walk *w, void *ctx, const json_t *v);
static enum hs_code each(struct walk *w, const json_t *obj, const char *key, bool want_string,
                         item_fn item, void *ctx)
{
    const json_t *arr;
    enum hs_code rc = get_typed(w, obj, key, JSON_ARRAY, &arr);
    if (rc || !arr)
        return rc;
    push_key(w, key);
    for (size_t i = 0; i < json_array_size(arr) && !rc; i++) {
        const json_t *v = json_array_get(arr, i);
        push_index(w, i);
        if (want_string ? !json_is_string(v) : !json_is_object(v))
            rc = expected(w, NULL, want_string ? "string" : "object", v);
        else
            rc = item(w, ctx, v);
        pop(w);
    }
    pop(w);
    return rc;
}

static enum hs_code require(struct walk *w, const void *field, const char *key)
{
    return field ? HS_OK : fail_at(w, key, "missing");
}

/* ---- describe-auto-scaling-groups ---- */

struct asg_walk {
    struct model_asg_list *l;
    struct model_asg *g;
};

static enum hs_code asg_zone(struct walk *w, void *ctx, const json_t *v)
{
    struct asg_walk *c = ctx;
    (void)w;
    model_asg_add_zone(c->l, c->g, json_string_value(v), json_string_length(v));
    return HS_OK;
}

static enum hs_code asg_instance(struct walk *w, void *ctx, const json_t *v)
{
    struct asg_walk *c = ctx;
    struct model_asg_instance *in = model_asg_add_instance(c->l, c->g);
    enum hs_code rc;
    TRY(get_str(w, v, "InstanceId", &in->id));
    TRY(require(w, in->id, "InstanceId"));
    TRY(get_str(w, v, "AvailabilityZone", &in->zone));
    TRY(get_str(w, v, "LifecycleState", &in->lifecycle_state));
    TRY(get_str(w, v, "HealthStatus", &in->health_status));
    TRY(get_str(w, v, "InstanceType", &in->instance_type));
    TRY(get_str(w, v, "LaunchConfigurationName", &in->launch_configuration_name));
    TRY(lt_spec(w, v, "LaunchTemplate", &in->launch_template));
    TRY(get_bool(w, v, "ProtectedFromScaleIn", &in->protected_from_scale_in));
    TRY(get_i32_str(w, v, "WeightedCapacity", &in->weighted_capacity));
out:
    return rc;
}

static enum hs_code asg_tag(struct walk *w, void *ctx, const json_t *v)
{
    struct asg_walk *c = ctx;
    struct model_asg_tag *t = model_asg_add_tag(c->l, c->g);
    enum hs_code rc;
    TRY(get_str(w, v, "Key", &t->key));
    TRY(require(w, t->key, "Key"));
    TRY(get_str(w, v, "Value", &t->value));
    if (!t->value)
        t->value = hs_arena_strndup(w->a, "", 0);
    TRY(get_bool(w, v, "PropagateAtLaunch", &t->propagate_at_launch));
out:
    return rc;
}

static enum hs_code asg_override(struct walk *w, void *ctx, const json_t *v)
{
    struct asg_walk *c = ctx;
    struct model_asg_override *o = model_asg_add_override(c->l, c->g);
    enum hs_code rc;
    TRY(get_str(w, v, "InstanceType", &o->instance_type));
    TRY(get_i32_str(w, v, "WeightedCapacity", &o->weighted_capacity));
    TRY(lt_spec(w, v, "LaunchTemplateSpecification", &o->launch_template));
    o->has_instance_requirements = json_object_get(v, "InstanceRequirements") != NULL;
out:
    return rc;
}

static enum hs_code asg_mixed(struct walk *w, struct asg_walk *c, const json_t *mip)
{
    struct model_mixed_instances_policy *m = &c->g->mixed;
    struct model_instances_distribution *d = &m->distribution;
    const json_t *lt, *dist;
    enum hs_code rc;
    m->present = true;
    push_key(w, "MixedInstancesPolicy");
    TRY(get_typed(w, mip, "LaunchTemplate", JSON_OBJECT, &lt));
    if (lt) {
        push_key(w, "LaunchTemplate");
        rc = lt_spec(w, lt, "LaunchTemplateSpecification", &m->launch_template);
        if (!rc)
            rc = each(w, lt, "Overrides", false, asg_override, c);
        pop(w);
        if (rc)
            goto out;
    }
    TRY(get_typed(w, mip, "InstancesDistribution", JSON_OBJECT, &dist));
    if (dist) {
        d->present = true;
        push_key(w, "InstancesDistribution");
        rc = get_str(w, dist, "OnDemandAllocationStrategy", &d->on_demand_allocation_strategy);
        if (!rc)
            rc = get_i32(w, dist, "OnDemandBaseCapacity", &d->on_demand_base_capacity);
        if (!rc)
            rc = get_i32(w, dist, "OnDemandPercentageAboveBaseCapacity",
                         &d->on_demand_percentage_above_base_capacity);
        if (!rc)
            rc = get_str(w, dist, "SpotAllocationStrategy", &d->spot_allocation_strategy);
        if (!rc)
            rc = get_i32(w, dist, "SpotInstancePools", &d->spot_instance_pools);
        if (!rc)
            rc = get_str(w, dist, "SpotMaxPrice", &d->spot_max_price);
        pop(w);
    }
out:
    pop(w);
    return rc;
}

static enum hs_code asg_group(struct walk *w, void *ctx, const json_t *v)
{
    struct asg_walk *c = ctx;
    struct model_asg *g = c->g = model_asg_list_add(c->l);
    const json_t *mip;
    enum hs_code rc;
    TRY(get_str(w, v, "AutoScalingGroupName", &g->name));
    TRY(require(w, g->name, "AutoScalingGroupName"));
    TRY(get_str(w, v, "AutoScalingGroupARN", &g->arn));
    TRY(get_i32(w, v, "MinSize", &g->min_size));
    TRY(get_i32(w, v, "MaxSize", &g->max_size));
    TRY(get_i32(w, v, "DesiredCapacity", &g->desired_capacity));
    TRY(get_i32(w, v, "DefaultCooldown", &g->default_cooldown));
    TRY(each(w, v, "AvailabilityZones", true, asg_zone, c));
    TRY(get_str(w, v, "VPCZoneIdentifier", &g->vpc_zone_identifier));
    TRY(lt_spec(w, v, "LaunchTemplate", &g->launch_template));
    TRY(get_str(w, v, "LaunchConfigurationName", &g->launch_configuration_name));
    TRY(get_typed(w, v, "MixedInstancesPolicy", JSON_OBJECT, &mip));
    if (mip)
        TRY(asg_mixed(w, c, mip));
    TRY(each(w, v, "Instances", false, asg_instance, c));
    TRY(each(w, v, "Tags", false, asg_tag, c));
    TRY(get_str(w, v, "Status", &g->status));
    TRY(get_str(w, v, "HealthCheckType", &g->health_check_type));
    TRY(get_time(w, v, "CreatedTime", &g->created_time));
    TRY(get_bool(w, v, "CapacityRebalance", &g->capacity_rebalance));
out:
    return rc;
}

/* ---- describe-instance-types ---- */

static enum hs_code gpu_item(struct walk *w, void *ctx, const json_t *v)
{
    struct model_instance_type *t = ctx;
    int32_t count = 0;
    int64_t mem = 0;
    const json_t *mi;
    enum hs_code rc;
    const char *name = NULL, *manufacturer = NULL;
    TRY(get_str(w, v, "Name", &name));
    TRY(get_str(w, v, "Manufacturer", &manufacturer));
    TRY(get_i32(w, v, "Count", &count));
    TRY(get_typed(w, v, "MemoryInfo", JSON_OBJECT, &mi));
    if (mi) {
        push_key(w, "MemoryInfo");
        rc = get_i64(w, mi, "SizeInMiB", &mem);
        pop(w);
        if (rc)
            goto out;
    }
    if (!t->gpu_name)
        t->gpu_name = name;
    if (!t->gpu_manufacturer)
        t->gpu_manufacturer = manufacturer;
    if (count < 0 || count > INT32_MAX - t->gpu_count)
        TRY(fail_at(w, "Count", "GPU count out of range"));
    t->gpu_count += count;
    if (count > 0 && mem > 0 && mem <= (INT64_MAX - t->gpu_memory_mib) / count)
        t->gpu_memory_mib += mem * count;
out:
    return rc;
}

static enum hs_code sub_i64(struct walk *w, const json_t *obj, const char *sub, const char *key,
                            int64_t *out)
{
    const json_t *o;
    enum hs_code rc = get_typed(w, obj, sub, JSON_OBJECT, &o);
    if (rc || !o)
        return rc;
    push_key(w, sub);
    rc = get_i64(w, o, key, out);
    pop(w);
    return rc;
}

static enum hs_code sub_i32(struct walk *w, const json_t *obj, const char *sub, const char *key,
                            int32_t *out)
{
    const json_t *o;
    enum hs_code rc = get_typed(w, obj, sub, JSON_OBJECT, &o);
    if (rc || !o)
        return rc;
    push_key(w, sub);
    rc = get_i32(w, o, key, out);
    pop(w);
    return rc;
}

static enum hs_code first_arch(struct walk *w, void *ctx, const json_t *v)
{
    struct model_instance_type *t = ctx;
    if (!t->arch)
        t->arch = hs_arena_strndup(w->a, json_string_value(v), json_string_length(v));
    return HS_OK;
}

static enum hs_code instance_type(struct walk *w, void *ctx, const json_t *v)
{
    struct model_instance_type *t = model_instance_type_list_add(ctx);
    const json_t *o;
    enum hs_code rc;
    TRY(get_str(w, v, "InstanceType", &t->name));
    TRY(require(w, t->name, "InstanceType"));
    TRY(sub_i32(w, v, "VCpuInfo", "DefaultVCpus", &t->vcpu));
    TRY(sub_i64(w, v, "MemoryInfo", "SizeInMiB", &t->memory_mib));
    TRY(get_typed(w, v, "ProcessorInfo", JSON_OBJECT, &o));
    if (o) {
        push_key(w, "ProcessorInfo");
        rc = each(w, o, "SupportedArchitectures", true, first_arch, t);
        pop(w);
        if (rc)
            goto out;
    }
    TRY(sub_i32(w, v, "NetworkInfo", "MaximumNetworkInterfaces", &t->max_enis));
    TRY(sub_i32(w, v, "NetworkInfo", "Ipv4AddressesPerInterface", &t->ipv4_per_eni));
    TRY(sub_i64(w, v, "InstanceStorageInfo", "TotalSizeInGB", &t->ephemeral_storage_gb));
    TRY(get_bool(w, v, "BareMetal", &t->bare_metal));
    TRY(get_typed(w, v, "GpuInfo", JSON_OBJECT, &o));
    if (o) {
        int64_t total = -1;
        push_key(w, "GpuInfo");
        rc = each(w, o, "Gpus", false, gpu_item, t);
        if (!rc)
            rc = get_i64(w, o, "TotalGpuMemoryInMiB", &total);
        pop(w);
        if (rc)
            goto out;
        if (total >= 0)
            t->gpu_memory_mib = total;
    }
out:
    return rc;
}

/* ---- describe-launch-template-versions ---- */

struct ltv_walk {
    struct model_lt_version_list *l;
    struct model_lt_version *v;
    const char *resource_type;
};

static enum hs_code lt_tag(struct walk *w, void *ctx, const json_t *v)
{
    struct ltv_walk *c = ctx;
    struct model_lt_tag *t = model_lt_version_add_tag(c->l, c->v);
    enum hs_code rc;
    t->resource_type = c->resource_type;
    TRY(get_str(w, v, "Key", &t->key));
    TRY(require(w, t->key, "Key"));
    TRY(get_str(w, v, "Value", &t->value));
    if (!t->value)
        t->value = hs_arena_strndup(w->a, "", 0);
out:
    return rc;
}

static enum hs_code lt_tag_spec(struct walk *w, void *ctx, const json_t *v)
{
    struct ltv_walk *c = ctx;
    enum hs_code rc;
    c->resource_type = NULL;
    TRY(get_str(w, v, "ResourceType", &c->resource_type));
    TRY(each(w, v, "Tags", false, lt_tag, c));
out:
    return rc;
}

static enum hs_code lt_version(struct walk *w, void *ctx, const json_t *v)
{
    struct ltv_walk *c = ctx;
    struct model_lt_version *ver = c->v = model_lt_version_list_add(c->l);
    const json_t *data;
    enum hs_code rc;
    TRY(get_str(w, v, "LaunchTemplateId", &ver->template_id));
    TRY(get_str(w, v, "LaunchTemplateName", &ver->template_name));
    if (!ver->template_id && !ver->template_name)
        TRY(fail_at(w, "LaunchTemplateId", "missing (and no LaunchTemplateName)"));
    TRY(get_i64(w, v, "VersionNumber", &ver->version_number));
    TRY(get_bool(w, v, "DefaultVersion", &ver->default_version));
    TRY(get_time(w, v, "CreateTime", &ver->create_time));
    TRY(get_typed(w, v, "LaunchTemplateData", JSON_OBJECT, &data));
    if (data) {
        push_key(w, "LaunchTemplateData");
        rc = get_str(w, data, "InstanceType", &ver->instance_type);
        if (!rc)
            rc = get_str(w, data, "ImageId", &ver->image_id);
        ver->has_user_data = json_object_get(data, "UserData") != NULL;
        ver->has_instance_requirements = json_object_get(data, "InstanceRequirements") != NULL;
        if (!rc)
            rc = each(w, data, "TagSpecifications", false, lt_tag_spec, c);
        pop(w);
    }
out:
    return rc;
}

/* ---- documents ---- */

/* Parses text, finds the list under list_key (or takes a bare array when
 * bare_ok), and runs item over it. */
static enum hs_code decode_doc(const char *text, size_t len, const char *file, struct hs_arena *a,
                               const char *list_key, bool bare_ok, const char *token_key,
                               item_fn item, void *ctx, char **next_token, struct hs_err *err)
{
    struct hs_err local = { 0 };
    struct walk w = { .a = a, .err = err ? err : &local };
    json_error_t jerr;
    enum hs_code rc = HS_OK;
    if (next_token)
        *next_token = NULL;
    hs_buf_init(&w.path);
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        rc = hs_err_set(w.err, HS_EPARSE, "invalid JSON at line %d, column %d: %s", jerr.line,
                        jerr.column, jerr.text);
    } else if (json_is_array(doc) && bare_ok) {
        /* Paths of a bare array read "[3].Instances": no key prefix. */
        for (size_t i = 0; i < json_array_size(doc) && !rc; i++) {
            const json_t *v = json_array_get(doc, i);
            push_index(&w, i);
            rc = json_is_object(v) ? item(&w, ctx, v) : expected(&w, NULL, "object", v);
            pop(&w);
        }
    } else if (!json_is_object(doc)) {
        rc = expected(&w, NULL, "object", doc);
    } else if (!json_object_get(doc, list_key)) {
        rc = fail_at(&w, list_key, "missing");
    } else {
        rc = each(&w, doc, list_key, false, item, ctx);
        const char *token = NULL;
        if (!rc && token_key)
            rc = get_str(&w, doc, token_key, &token);
        if (!rc && token && next_token)
            *next_token = hs_strdup(token);
    }
    json_decref(doc);
    hs_buf_release(&w.path);
    if (rc && file)
        hs_err_prefix(w.err, "%s", file);
    return rc;
}

#ifdef HS_UNITTEST_BUILD
enum aws__cli_json_path aws__cli_json_path = AWS__CLI_JSON_AUTO;
#define JANSSON_ONLY (aws__cli_json_path == AWS__CLI_JSON_JANSSON_ONLY)
#define FAST_ONLY    (aws__cli_json_path == AWS__CLI_JSON_FAST_ONLY)
#else
#define JANSSON_ONLY false
#define FAST_ONLY    false
#endif

/* Runs the one-pass reader (call) unless tests ask for jansson alone; true
 * when it took the document. Otherwise the list and token are put back. */
#define TRY_FAST(list, token, call)                     \
    do {                                                \
        if (!JANSSON_ONLY) {                            \
            struct aws__xml_undo undo;                  \
            AWS__XML_UNDO_INIT(&undo, (list), (token)); \
            if ((call) == HS_OK)                        \
                return HS_OK;                           \
            aws__xml_undo(&undo);                       \
            if (FAST_ONLY)                              \
                return HS_ENOTSUP;                      \
        }                                               \
    } while (0)

enum hs_code aws_cli_json_asgs(const char *text, size_t len, const char *file,
                               struct model_asg_list *out, char **next_token, struct hs_err *err)
{
    TRY_FAST(out, next_token, aws__cli_json_fast_asgs(text, len, out, next_token));
    struct asg_walk c = { out, NULL };
    return decode_doc(text, len, file, &out->arena, "AutoScalingGroups", true, "NextToken",
                      asg_group, &c, next_token, err);
}

enum hs_code aws_cli_json_instance_types(const char *text, size_t len, const char *file,
                                         struct model_instance_type_list *out, char **next_token,
                                         struct hs_err *err)
{
    TRY_FAST(out, next_token, aws__cli_json_fast_instance_types(text, len, out, next_token));
    return decode_doc(text, len, file, &out->arena, "InstanceTypes", false, "NextToken",
                      instance_type, out, next_token, err);
}

enum hs_code aws_cli_json_lt_versions(const char *text, size_t len, const char *file,
                                      struct model_lt_version_list *out, char **next_token,
                                      struct hs_err *err)
{
    TRY_FAST(out, next_token, aws__cli_json_fast_lt_versions(text, len, out, next_token));
    struct ltv_walk c = { out, NULL, NULL };
    return decode_doc(text, len, file, &out->arena, "LaunchTemplateVersions", false, "NextToken",
                      lt_version, &c, next_token, err);
}

/* ---- files ---- */

static enum hs_code read_file(const char *path, struct hs_buf *b, struct hs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return hs_err_set(err, HS_EIO, "%s: cannot open: %s", path, strerror(errno));
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        hs_buf_add(b, chunk, n);
    int e = ferror(f) ? errno : 0;
    fclose(f);
    if (e)
        return hs_err_set(err, HS_EIO, "%s: cannot read: %s", path, strerror(e));
    return HS_OK;
}

enum hs_code aws_cli_json_asgs_file(const char *path, struct model_asg_list *out,
                                    struct hs_err *err)
{
    struct hs_buf b;
    hs_buf_init(&b);
    enum hs_code rc = read_file(path, &b, err);
    if (!rc)
        rc = aws_cli_json_asgs(b.data, b.len, path, out, NULL, err);
    hs_buf_release(&b);
    return rc;
}

enum hs_code aws_cli_json_instance_types_file(const char *path,
                                              struct model_instance_type_list *out,
                                              struct hs_err *err)
{
    struct hs_buf b;
    hs_buf_init(&b);
    enum hs_code rc = read_file(path, &b, err);
    if (!rc)
        rc = aws_cli_json_instance_types(b.data, b.len, path, out, NULL, err);
    hs_buf_release(&b);
    return rc;
}

enum hs_code aws_cli_json_lt_versions_file(const char *path, struct model_lt_version_list *out,
                                           struct hs_err *err)
{
    struct hs_buf b;
    hs_buf_init(&b);
    enum hs_code rc = read_file(path, &b, err);
    if (!rc)
        rc = aws_cli_json_lt_versions(b.data, b.len, path, out, NULL, err);
    hs_buf_release(&b);
    return rc;
}
