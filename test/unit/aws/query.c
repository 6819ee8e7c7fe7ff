/*
 * Tests of lib/aws/query.c against botocore's protocol suites
 * (botocore-protocols/input/{query,ec2}.json): each case's params are walked
 * through its botocore shapes by the small serializer below, which only
 * decides names from the shape metadata (locationName, queryName, flattened,
 * timestampFormat) and calls the aws_query_* API; the body must equal the
 * case's byte for byte. One cmocka test per case id.
 *
 * Skipped, with the reason printed by the test:
 *  - idempotency-token auto-fill (no token given): hoist calls no operation
 *    with an idempotency token, so the encoder has no UUID generator;
 *  - request compression (SDKAppliedContentEncoding_*, SDKAppends...):
 *    AutoScaling, EC2 and STS take no compressed bodies; hoist never gzips.
 * Endpoint-trait cases check the body only: the host prefix belongs to the
 * endpoint resolver, and none of hoist's operations has one.
 */
#include "hs_test.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "aws/query.h"
#include "base/alloc.h"
#include "base/buf.h"

struct qcase {
    char name[160];
    const json_t *suite; /* borrowed from the loaded file */
    const json_t *c;
    bool ec2;
};

static json_t *load_json(const char *rel)
{
    char path[1024];
    json_error_t jerr;
    snprintf(path, sizeof(path), "%s/%s", hs_testdata_dir(), rel);
    json_t *j = json_load_file(path, 0, &jerr);
    if (!j)
        fail_msg("cannot load %s: %s", path, jerr.text);
    return j;
}

/* ---- a botocore-shape walker over the aws_query API ---- */

struct walker {
    struct aws_query *q;
    const json_t *shapes;
    bool ec2;
};

static void serialize(struct walker *w, const json_t *value, const json_t *ref);

static const json_t *shape_of(struct walker *w, const json_t *ref)
{
    const char *name = json_string_value(json_object_get(ref, "shape"));
    const json_t *s = json_object_get(w->shapes, name);
    if (!s)
        fail_msg("shape %s not found", name ? name : "(null)");
    return s;
}

static const char *ref_str(const json_t *ref, const char *key)
{
    return json_string_value(json_object_get(ref, key));
}

/* Pushes the serialized name of a structure member. */
static void push_member(struct walker *w, const char *key, const json_t *mref)
{
    const char *loc = ref_str(mref, "locationName");
    const char *qn = ref_str(mref, "queryName");
    if (w->ec2 && qn)
        aws_query_push_verbatim(w->q, qn);
    else
        aws_query_push(w->q, loc ? loc : key);
}

static void serialize_double(struct walker *w, const json_t *value)
{
    if (json_is_string(value)) {
        const char *s = json_string_value(value);
        double d = strcmp(s, "NaN") == 0 ? NAN : strcmp(s, "Infinity") == 0 ? INFINITY : -INFINITY;
        aws_query_double(w->q, d);
    } else {
        aws_query_double(w->q, json_number_value(value));
    }
}

static void serialize(struct walker *w, const json_t *value, const json_t *ref)
{
    const json_t *shape = shape_of(w, ref);
    const char *type = ref_str(shape, "type");
    if (strcmp(type, "structure") == 0) {
        const json_t *members = json_object_get(shape, "members");
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)(uintptr_t)value, key, v)
        {
            const json_t *mref = json_object_get(members, key);
            if (!mref)
                fail_msg("member %s not in shape", key);
            push_member(w, key, mref);
            serialize(w, v, mref);
            aws_query_pop(w->q);
        }
    } else if (strcmp(type, "list") == 0) {
        const json_t *mref = json_object_get(shape, "member");
        bool flattened = json_is_true(json_object_get(ref, "flattened")) ||
                         json_is_true(json_object_get(shape, "flattened"));
        if (json_array_size(value) == 0)
            aws_query_empty_list(w->q);
        for (size_t i = 0; i < json_array_size(value); i++) {
            aws_query_push_list_item(w->q, i + 1, ref_str(mref, "locationName"), flattened);
            serialize(w, json_array_get(value, i), mref);
            aws_query_pop(w->q);
        }
    } else if (strcmp(type, "map") == 0) {
        const json_t *kref = json_object_get(shape, "key");
        const json_t *vref = json_object_get(shape, "value");
        const char *kname = ref_str(kref, "locationName");
        const char *vname = ref_str(vref, "locationName");
        bool flattened = json_is_true(json_object_get(ref, "flattened")) ||
                         json_is_true(json_object_get(shape, "flattened"));
        size_t i = 0;
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)(uintptr_t)value, key, v)
        {
            aws_query_push_map_entry(w->q, ++i, flattened);
            aws_query_push_verbatim(w->q, kname ? kname : "key");
            aws_query_str(w->q, key);
            aws_query_pop(w->q);
            aws_query_push_verbatim(w->q, vname ? vname : "value");
            serialize(w, v, vref);
            aws_query_pop(w->q);
            aws_query_pop(w->q);
        }
    } else if (strcmp(type, "string") == 0) {
        aws_query_str(w->q, json_string_value(value));
    } else if (strcmp(type, "boolean") == 0) {
        aws_query_bool(w->q, json_is_true(value));
    } else if (strcmp(type, "integer") == 0 || strcmp(type, "long") == 0) {
        aws_query_i64(w->q, (int64_t)json_integer_value(value));
    } else if (strcmp(type, "float") == 0 || strcmp(type, "double") == 0) {
        serialize_double(w, value);
    } else if (strcmp(type, "timestamp") == 0) {
        const char *fmt = ref_str(ref, "timestampFormat");
        if (!fmt)
            fmt = ref_str(shape, "timestampFormat");
        double t = json_number_value(value);
        if (fmt && strcmp(fmt, "unixTimestamp") == 0)
            aws_query_i64(w->q, (int64_t)t);
        else
            aws_query_time_iso8601(w->q, (int64_t)floor(t), (int32_t)lround((t - floor(t)) * 1e6));
    } else if (strcmp(type, "blob") == 0) {
        aws_query_blob(w->q, json_string_value(value), json_string_length(value));
    } else {
        fail_msg("shape type %s not handled", type);
    }
}

/* Why a case is skipped, or NULL. */
static const char *skip_reason(const json_t *c)
{
    const char *id = json_string_value(json_object_get(c, "id"));
    if (strstr(id, "ContentEncoding") || strstr(id, "AppendsGzip"))
        return "request compression: hoist's services take no compressed bodies";
    if (strstr(id, "IdempotencyTokenAutoFill") && !strstr(id, "IsSet"))
        return "idempotency-token auto-fill: no hoist operation has one";
    return NULL;
}

static void protocol_case(void **state)
{
    const struct qcase *k = *state;
    const json_t *c = k->c;
    const char *why = skip_reason(c);
    if (why) {
        print_message("skipped %s: %s\n", k->name, why);
        return;
    }
    const json_t *given = json_object_get(c, "given");
    const char *action = json_string_value(json_object_get(given, "name"));
    const char *version =
        json_string_value(json_object_get(json_object_get(k->suite, "metadata"), "apiVersion"));
    const char *expect =
        json_string_value(json_object_get(json_object_get(c, "serialized"), "body"));
    assert_non_null(expect);

    struct aws_query q;
    aws_query_init(&q, k->ec2 ? AWS_QUERY_EC2 : AWS_QUERY_AWS, action, version);
    struct walker w = { &q, json_object_get(k->suite, "shapes"), k->ec2 };
    const json_t *input = json_object_get(given, "input");
    const json_t *params = json_object_get(c, "params");
    if (input && json_object_size(params))
        serialize(&w, params, input);
    assert_int_equal(q.depth, 0);
    assert_string_equal(aws_query_body(&q, NULL), expect);
    aws_query_release(&q);
}

/* ---- hand-written calls, as hoist's operations make them ---- */

static void hoist_calls(void **state)
{
    (void)state;
    struct aws_query q;
    const char *names[] = { "ng a", "ng/b=1" };
    aws_query_init(&q, AWS_QUERY_AWS, "DescribeAutoScalingGroups", "2011-01-01");
    aws_query_add_list(&q, "AutoScalingGroupNames", names, 2);
    aws_query_add(&q, "MaxRecords", "100");
    assert_string_equal(aws_query_body(&q, NULL),
                        "Action=DescribeAutoScalingGroups&Version=2011-01-01"
                        "&AutoScalingGroupNames.member.1=ng%20a"
                        "&AutoScalingGroupNames.member.2=ng%2Fb%3D1&MaxRecords=100");
    aws_query_release(&q);

    /* Tag filters: Filters.member.N.Name / Values.member.M */
    aws_query_init(&q, AWS_QUERY_AWS, "DescribeAutoScalingGroups", "2011-01-01");
    aws_query_push(&q, "Filters");
    aws_query_push_list_item(&q, 1, NULL, false);
    aws_query_push(&q, "Name");
    aws_query_str(&q, "tag-key");
    aws_query_pop(&q);
    const char *vals[] = { "k8s.io/cluster-autoscaler/enabled" };
    aws_query_add_list(&q, "Values", vals, 1);
    aws_query_pop(&q);
    aws_query_pop(&q);
    assert_string_equal(aws_query_body(&q, NULL),
                        "Action=DescribeAutoScalingGroups&Version=2011-01-01"
                        "&Filters.member.1.Name=tag-key&Filters.member.1.Values.member.1="
                        "k8s.io%2Fcluster-autoscaler%2Fenabled");
    aws_query_release(&q);

    /* EC2: flattened lists, no empty-list marker. */
    const char *types[] = { "m5.large", "c5.xlarge" };
    aws_query_init(&q, AWS_QUERY_EC2, "DescribeInstanceTypes", "2016-11-15");
    aws_query_add_list(&q, "InstanceType", types, 2);
    aws_query_add_list(&q, "Empty", NULL, 0);
    aws_query_push(&q, "maxResults");
    aws_query_i64(&q, 100);
    aws_query_pop(&q);
    assert_string_equal(aws_query_body(&q, NULL),
                        "Action=DescribeInstanceTypes&Version=2016-11-15"
                        "&InstanceType.1=m5.large&InstanceType.2=c5.xlarge&MaxResults=100");
    aws_query_release(&q);

    aws_query_init(&q, AWS_QUERY_AWS, "SetDesiredCapacity", "2011-01-01");
    aws_query_push(&q, "HonorCooldown");
    aws_query_bool(&q, false);
    aws_query_pop(&q);
    aws_query_push(&q, "T");
    aws_query_time_iso8601(&q, 1422172800, 250000);
    aws_query_pop(&q);
    aws_query_push(&q, "D");
    aws_query_double(&q, 0.1);
    aws_query_pop(&q);
    assert_string_equal(aws_query_body(&q, NULL),
                        "Action=SetDesiredCapacity&Version=2011-01-01&HonorCooldown=false"
                        "&T=2015-01-25T08%3A00%3A00.250000Z&D=0.1");
    aws_query_release(&q);
}

int main(void)
{
    static const char *const files[] = { "aws/botocore-protocols/input/query.json",
                                         "aws/botocore-protocols/input/ec2.json" };
    json_t *loaded[2];
    size_t total = 1, n = 0;
    for (size_t f = 0; f < 2; f++) {
        loaded[f] = load_json(files[f]);
        for (size_t s = 0; s < json_array_size(loaded[f]); s++)
            total += json_array_size(json_object_get(json_array_get(loaded[f], s), "cases"));
    }
    struct qcase *cases = hs_calloc(total, sizeof(*cases));
    struct CMUnitTest *tests = hs_calloc(total, sizeof(*tests));
    for (size_t f = 0; f < 2; f++) {
        for (size_t s = 0; s < json_array_size(loaded[f]); s++) {
            const json_t *suite = json_array_get(loaded[f], s);
            const json_t *cs = json_object_get(suite, "cases");
            for (size_t i = 0; i < json_array_size(cs); i++) {
                struct qcase *k = &cases[n];
                const json_t *c = json_array_get(cs, i);
                k->suite = suite;
                k->c = c;
                k->ec2 = f == 1;
                snprintf(k->name, sizeof(k->name), "%s/%s", f ? "ec2" : "query",
                         json_string_value(json_object_get(c, "id")));
                tests[n] = (struct CMUnitTest){ k->name, protocol_case, NULL, NULL, k };
                n++;
            }
        }
    }
    tests[n++] = (struct CMUnitTest){ "hoist_calls", hoist_calls, NULL, NULL, NULL };
    int rc = _cmocka_run_group_tests("query", tests, n, NULL, NULL);
    hs_free(tests);
    hs_free(cases);
    json_decref(loaded[0]);
    json_decref(loaded[1]);
    return rc;
}
