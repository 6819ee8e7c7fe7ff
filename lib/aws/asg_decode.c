/*
 * AutoScaling and STS Query-protocol responses (XML) into lib/model and
 * struct aws_sts_credentials: DescribeAutoScalingGroups,
 * DescribeScalingActivities, DescribeLaunchConfigurations, the Activity of
 * TerminateInstanceInAutoScalingGroup (and SetDesiredCapacity's empty
 * result), AssumeRoleWithWebIdentity.
 *
 * Element names are the botocore model's (service-2.json, autoscaling
 * 2011-01-01 and sts 2011-06-15); lists are <member> items. Unknown
 * elements are skipped, so new AWS fields never break decoding. This file
 * must never log and never put a credential into an error message: field
 * errors name the element path, never its text.
 */
#include "aws/decode.h"
#include "xml_int.h"

#include <string.h>

#include <openssl/crypto.h>

#include "base/alloc.h"
#include "base/arena.h"

/* Copies text into the arena. */
static const char *dup(struct hs_arena *a, const char *text, size_t len)
{
    return hs_arena_strndup(a, text, len);
}

/* A LaunchTemplateSpecification field (name below the spec), if it is one. */
static bool lt_field(struct hs_arena *a, struct model_lt_spec *s, const char *name,
                     const char *text, size_t len)
{
    if (strcmp(name, "LaunchTemplateId") == 0)
        s->id = dup(a, text, len);
    else if (strcmp(name, "LaunchTemplateName") == 0)
        s->name = dup(a, text, len);
    else if (strcmp(name, "Version") == 0)
        s->version = dup(a, text, len);
    else
        return false;
    return true;
}

static void set_next_token(char **next_token, const char *text, size_t len)
{
    if (!next_token || len == 0)
        return;
    hs_free(*next_token);
    *next_token = hs_strndup(text, len);
}

/* ---- DescribeAutoScalingGroups ---- */

#define ASG_RESULT "DescribeAutoScalingGroupsResult/"
#define ASG_MEMBER ASG_RESULT "AutoScalingGroups/member"

struct asg_ctx {
    struct model_asg_list *l;
    char **next_token;
};

static struct model_asg *last_group(struct asg_ctx *c)
{
    return &c->l->v[c->l->n - 1];
}

static enum hs_code asg_start(void *ctx, struct aws__xml *x, const char *path)
{
    struct asg_ctx *c = ctx;
    (void)x;
    if (!aws__eat_seg(&path, ASG_MEMBER))
        return HS_OK;
    if (path[0] == '\0') {
        model_asg_list_add(c->l);
        return HS_OK;
    }
    struct model_asg *g = last_group(c);
    if (strcmp(path, "/Instances/member") == 0)
        model_asg_add_instance(c->l, g);
    else if (strcmp(path, "/Tags/member") == 0)
        model_asg_add_tag(c->l, g);
    else if (strcmp(path, "/MixedInstancesPolicy") == 0)
        g->mixed.present = true;
    else if (strcmp(path, "/MixedInstancesPolicy/LaunchTemplate/Overrides/member") == 0)
        model_asg_add_override(c->l, g);
    else if (strcmp(path, "/MixedInstancesPolicy/InstancesDistribution") == 0)
        g->mixed.distribution.present = true;
    else if (strcmp(path, "/MixedInstancesPolicy/LaunchTemplate/Overrides/member/"
                          "InstanceRequirements") == 0 &&
             g->mixed.n_overrides)
        g->mixed.overrides[g->mixed.n_overrides - 1].has_instance_requirements = true;
    return HS_OK;
}

static enum hs_code asg_instance_end(struct aws__xml *x, struct hs_arena *a,
                                     struct model_asg_instance *in, const char *p, const char *text,
                                     size_t len)
{
    if (p[0] == '\0') {
        if (!in->id)
            return aws__xml_fail(x, NULL, "instance without InstanceId");
        return HS_OK;
    }
    if (!aws__eat(&p, "/"))
        return HS_OK;
    if (strcmp(p, "InstanceId") == 0)
        in->id = dup(a, text, len);
    else if (strcmp(p, "AvailabilityZone") == 0)
        in->zone = dup(a, text, len);
    else if (strcmp(p, "LifecycleState") == 0)
        in->lifecycle_state = dup(a, text, len);
    else if (strcmp(p, "HealthStatus") == 0)
        in->health_status = dup(a, text, len);
    else if (strcmp(p, "InstanceType") == 0)
        in->instance_type = dup(a, text, len);
    else if (strcmp(p, "LaunchConfigurationName") == 0)
        in->launch_configuration_name = dup(a, text, len);
    else if (strcmp(p, "ProtectedFromScaleIn") == 0)
        return aws__xml_bool(x, text, &in->protected_from_scale_in);
    else if (strcmp(p, "WeightedCapacity") == 0)
        return aws__xml_i32(x, text, &in->weighted_capacity);
    else if (aws__eat(&p, "LaunchTemplate/"))
        lt_field(a, &in->launch_template, p, text, len);
    return HS_OK;
}

static enum hs_code asg_mixed_end(struct aws__xml *x, struct hs_arena *a, struct model_asg *g,
                                  const char *p, const char *text, size_t len)
{
    struct model_mixed_instances_policy *m = &g->mixed;
    struct model_instances_distribution *d = &m->distribution;
    if (aws__eat(&p, "LaunchTemplate/LaunchTemplateSpecification/")) {
        lt_field(a, &m->launch_template, p, text, len);
    } else if (aws__eat_seg(&p, "LaunchTemplate/Overrides/member") && *p++ == '/') {
        struct model_asg_override *o = &m->overrides[m->n_overrides - 1];
        if (strcmp(p, "InstanceType") == 0)
            o->instance_type = dup(a, text, len);
        else if (strcmp(p, "WeightedCapacity") == 0)
            return aws__xml_i32(x, text, &o->weighted_capacity);
        else if (aws__eat(&p, "LaunchTemplateSpecification/"))
            lt_field(a, &o->launch_template, p, text, len);
    } else if (aws__eat(&p, "InstancesDistribution/")) {
        if (strcmp(p, "OnDemandAllocationStrategy") == 0)
            d->on_demand_allocation_strategy = dup(a, text, len);
        else if (strcmp(p, "OnDemandBaseCapacity") == 0)
            return aws__xml_i32(x, text, &d->on_demand_base_capacity);
        else if (strcmp(p, "OnDemandPercentageAboveBaseCapacity") == 0)
            return aws__xml_i32(x, text, &d->on_demand_percentage_above_base_capacity);
        else if (strcmp(p, "SpotAllocationStrategy") == 0)
            d->spot_allocation_strategy = dup(a, text, len);
        else if (strcmp(p, "SpotInstancePools") == 0)
            return aws__xml_i32(x, text, &d->spot_instance_pools);
        else if (strcmp(p, "SpotMaxPrice") == 0)
            d->spot_max_price = dup(a, text, len);
    }
    return HS_OK;
}

static enum hs_code asg_end(void *ctx, struct aws__xml *x, const char *path, const char *text,
                            size_t len)
{
    struct asg_ctx *c = ctx;
    struct hs_arena *a = &c->l->arena;
    const char *p = path;
    if (strcmp(p, ASG_RESULT "NextToken") == 0) {
        set_next_token(c->next_token, text, len);
        return HS_OK;
    }
    if (!aws__eat_seg(&p, ASG_MEMBER))
        return HS_OK;
    struct model_asg *g = last_group(c);
    if (p[0] == '\0') {
        if (!g->name)
            return aws__xml_fail(x, NULL, "group without AutoScalingGroupName");
        return HS_OK;
    }
    p++; /* the '/' */
    /* Each list item below was added when its element opened (asg_start),
     * so the last one is the one being closed. */
    if (aws__eat_seg(&p, "Instances/member"))
        return asg_instance_end(x, a, &g->instances[g->n_instances - 1], p, text, len);
    if (aws__eat_seg(&p, "Tags/member")) {
        struct model_asg_tag *t = &g->tags[g->n_tags - 1];
        if (p[0] == '\0') {
            if (!t->key)
                return aws__xml_fail(x, NULL, "tag without Key");
            if (!t->value)
                t->value = dup(a, "", 0);
        } else if (strcmp(p, "/Key") == 0) {
            t->key = dup(a, text, len);
        } else if (strcmp(p, "/Value") == 0) {
            t->value = dup(a, text, len);
        } else if (strcmp(p, "/PropagateAtLaunch") == 0) {
            return aws__xml_bool(x, text, &t->propagate_at_launch);
        }
        return HS_OK;
    }
    if (aws__eat(&p, "MixedInstancesPolicy/"))
        return asg_mixed_end(x, a, g, p, text, len);
    if (strcmp(p, "AutoScalingGroupName") == 0)
        g->name = dup(a, text, len);
    else if (strcmp(p, "AutoScalingGroupARN") == 0)
        g->arn = dup(a, text, len);
    else if (strcmp(p, "MinSize") == 0)
        return aws__xml_i32(x, text, &g->min_size);
    else if (strcmp(p, "MaxSize") == 0)
        return aws__xml_i32(x, text, &g->max_size);
    else if (strcmp(p, "DesiredCapacity") == 0)
        return aws__xml_i32(x, text, &g->desired_capacity);
    else if (strcmp(p, "DefaultCooldown") == 0)
        return aws__xml_i32(x, text, &g->default_cooldown);
    else if (strcmp(p, "AvailabilityZones/member") == 0)
        model_asg_add_zone(c->l, g, text, len);
    else if (strcmp(p, "VPCZoneIdentifier") == 0)
        g->vpc_zone_identifier = dup(a, text, len);
    else if (strcmp(p, "LaunchConfigurationName") == 0)
        g->launch_configuration_name = dup(a, text, len);
    else if (aws__eat(&p, "LaunchTemplate/"))
        lt_field(a, &g->launch_template, p, text, len);
    else if (strcmp(p, "Status") == 0)
        g->status = dup(a, text, len);
    else if (strcmp(p, "HealthCheckType") == 0)
        g->health_check_type = dup(a, text, len);
    else if (strcmp(p, "CreatedTime") == 0)
        return aws__xml_time(x, text, &g->created_time);
    else if (strcmp(p, "CapacityRebalance") == 0)
        return aws__xml_bool(x, text, &g->capacity_rebalance);
    return HS_OK;
}

enum hs_code aws_xml_describe_asgs(const char *body, size_t len, struct model_asg_list *out,
                                   char **next_token, struct hs_err *err)
{
    struct asg_ctx c = { out, next_token };
    if (next_token)
        *next_token = NULL;
    enum hs_code rc =
        aws__xml_parse(body, len, "DescribeAutoScalingGroupsResponse", asg_start, asg_end, &c, err);
    if (rc && next_token) {
        hs_free(*next_token);
        *next_token = NULL;
    }
    return rc;
}

/* ---- activities ---- */

struct activity_ctx {
    struct model_activity_list *l;
    const char *prefix; /* path of one activity element */
    char **next_token;
    const char *token_path;
};

static enum hs_code activity_start(void *ctx, struct aws__xml *x, const char *path)
{
    struct activity_ctx *c = ctx;
    (void)x;
    if (strcmp(path, c->prefix) == 0)
        model_activity_list_add(c->l);
    return HS_OK;
}

static enum hs_code activity_end(void *ctx, struct aws__xml *x, const char *path, const char *text,
                                 size_t len)
{
    struct activity_ctx *c = ctx;
    struct hs_arena *a = &c->l->arena;
    const char *p = path;
    if (c->token_path && strcmp(p, c->token_path) == 0) {
        set_next_token(c->next_token, text, len);
        return HS_OK;
    }
    if (!aws__eat_seg(&p, c->prefix))
        return HS_OK;
    struct model_scaling_activity *act = &c->l->v[c->l->n - 1];
    if (p[0] == '\0') {
        if (!act->id)
            return aws__xml_fail(x, NULL, "activity without ActivityId");
        return HS_OK;
    }
    if (!aws__eat(&p, "/"))
        return HS_OK;
    if (strcmp(p, "ActivityId") == 0)
        act->id = dup(a, text, len);
    else if (strcmp(p, "AutoScalingGroupName") == 0)
        act->asg_name = dup(a, text, len);
    else if (strcmp(p, "Description") == 0)
        act->description = dup(a, text, len);
    else if (strcmp(p, "Cause") == 0)
        act->cause = dup(a, text, len);
    else if (strcmp(p, "StatusCode") == 0)
        act->status_code = dup(a, text, len);
    else if (strcmp(p, "StatusMessage") == 0)
        act->status_message = dup(a, text, len);
    else if (strcmp(p, "Progress") == 0)
        return aws__xml_i32(x, text, &act->progress);
    else if (strcmp(p, "StartTime") == 0)
        return aws__xml_time(x, text, &act->start_time);
    else if (strcmp(p, "EndTime") == 0)
        return aws__xml_time(x, text, &act->end_time);
    return HS_OK;
}

enum hs_code aws_xml_describe_scaling_activities(const char *body, size_t len,
                                                 struct model_activity_list *out, char **next_token,
                                                 struct hs_err *err)
{
    struct activity_ctx c = { out, "DescribeScalingActivitiesResult/Activities/member", next_token,
                              "DescribeScalingActivitiesResult/NextToken" };
    if (next_token)
        *next_token = NULL;
    enum hs_code rc = aws__xml_parse(body, len, "DescribeScalingActivitiesResponse", activity_start,
                                     activity_end, &c, err);
    if (rc && next_token) {
        hs_free(*next_token);
        *next_token = NULL;
    }
    return rc;
}

enum hs_code aws_xml_activity_response(const char *body, size_t len, const char *action,
                                       struct model_activity_list *out, struct hs_err *err)
{
    char root[128], prefix[160];
    snprintf(root, sizeof(root), "%sResponse", action);
    snprintf(prefix, sizeof(prefix), "%sResult/Activity", action);
    struct activity_ctx c = { out, prefix, NULL, NULL };
    return aws__xml_parse(body, len, root, activity_start, activity_end, &c, err);
}

/* ---- DescribeLaunchConfigurations ---- */

#define LC_MEMBER "DescribeLaunchConfigurationsResult/LaunchConfigurations/member"

struct lc_ctx {
    struct model_launch_config_list *l;
    char **next_token;
};

static enum hs_code lc_start(void *ctx, struct aws__xml *x, const char *path)
{
    struct lc_ctx *c = ctx;
    (void)x;
    if (strcmp(path, LC_MEMBER) == 0)
        model_launch_config_list_add(c->l);
    return HS_OK;
}

static enum hs_code lc_end(void *ctx, struct aws__xml *x, const char *path, const char *text,
                           size_t len)
{
    struct lc_ctx *c = ctx;
    struct hs_arena *a = &c->l->arena;
    const char *p = path;
    if (strcmp(p, "DescribeLaunchConfigurationsResult/NextToken") == 0) {
        set_next_token(c->next_token, text, len);
        return HS_OK;
    }
    if (!aws__eat_seg(&p, LC_MEMBER))
        return HS_OK;
    struct model_launch_config *lc = &c->l->v[c->l->n - 1];
    if (p[0] == '\0') {
        if (!lc->name)
            return aws__xml_fail(x, NULL, "launch configuration without LaunchConfigurationName");
        return HS_OK;
    }
    if (strcmp(p, "/LaunchConfigurationName") == 0)
        lc->name = dup(a, text, len);
    else if (strcmp(p, "/InstanceType") == 0)
        lc->instance_type = dup(a, text, len);
    else if (strcmp(p, "/ImageId") == 0)
        lc->image_id = dup(a, text, len);
    else if (strcmp(p, "/SpotPrice") == 0)
        lc->spot = true;
    return HS_OK;
}

enum hs_code aws_xml_describe_launch_configurations(const char *body, size_t len,
                                                    struct model_launch_config_list *out,
                                                    char **next_token, struct hs_err *err)
{
    struct lc_ctx c = { out, next_token };
    if (next_token)
        *next_token = NULL;
    enum hs_code rc = aws__xml_parse(body, len, "DescribeLaunchConfigurationsResponse", lc_start,
                                     lc_end, &c, err);
    if (rc && next_token) {
        hs_free(*next_token);
        *next_token = NULL;
    }
    return rc;
}

/* ---- STS AssumeRoleWithWebIdentity ---- */

#define STS_RESULT "AssumeRoleWithWebIdentityResult/"

static void wipe_free(char **s)
{
    if (*s) {
        OPENSSL_cleanse(*s, strlen(*s));
        hs_free(*s);
        *s = NULL;
    }
}

void aws_sts_credentials_release(struct aws_sts_credentials *c)
{
    wipe_free(&c->access_key_id);
    wipe_free(&c->secret_access_key);
    wipe_free(&c->session_token);
    hs_free(c->assumed_role_arn);
    c->assumed_role_arn = NULL;
    c->expiration = 0;
}

static void replace(char **dst, const char *text, size_t len)
{
    wipe_free(dst);
    *dst = hs_strndup(text, len);
}

static enum hs_code sts_end(void *ctx, struct aws__xml *x, const char *path, const char *text,
                            size_t len)
{
    struct aws_sts_credentials *c = ctx;
    const char *p = path;
    if (!aws__eat(&p, STS_RESULT))
        return HS_OK;
    if (strcmp(p, "Credentials/AccessKeyId") == 0)
        replace(&c->access_key_id, text, len);
    else if (strcmp(p, "Credentials/SecretAccessKey") == 0)
        replace(&c->secret_access_key, text, len);
    else if (strcmp(p, "Credentials/SessionToken") == 0)
        replace(&c->session_token, text, len);
    else if (strcmp(p, "Credentials/Expiration") == 0)
        return aws__xml_time(x, text, &c->expiration);
    else if (strcmp(p, "AssumedRoleUser/Arn") == 0)
        replace(&c->assumed_role_arn, text, len);
    return HS_OK;
}

enum hs_code aws_xml_sts_credentials(const char *body, size_t len, struct aws_sts_credentials *out,
                                     struct hs_err *err)
{
    memset(out, 0, sizeof(*out));
    enum hs_code rc =
        aws__xml_parse(body, len, "AssumeRoleWithWebIdentityResponse", NULL, sts_end, out, err);
    if (rc == HS_OK) {
        const char *missing = !out->access_key_id       ? "AccessKeyId"
                              : !out->secret_access_key ? "SecretAccessKey"
                              : !out->session_token     ? "SessionToken"
                              : !out->expiration        ? "Expiration"
                                                        : NULL;
        if (missing)
            rc = hs_err_set(
                err, HS_EPARSE,
                "AssumeRoleWithWebIdentityResponse without " STS_RESULT "Credentials/%s", missing);
    }
    if (rc)
        aws_sts_credentials_release(out);
    return rc;
}
