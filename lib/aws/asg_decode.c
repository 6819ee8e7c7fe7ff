/*
 * AutoScaling and STS Query-protocol responses (XML) into lib/model and
 * struct aws_sts_credentials: DescribeAutoScalingGroups,
 * DescribeScalingActivities, DescribeLaunchConfigurations, the Activity of
 * TerminateInstanceInAutoScalingGroup (and SetDesiredCapacity's empty
 * result), AssumeRoleWithWebIdentity.
 *
 * Element names are the botocore model's (service-2.json, autoscaling
 * 2011-01-01 and sts 2011-06-15); lists are <member> items. Each decoder is
 * a schema of the elements it reads (xml_int.h) and a switch over them;
 * unknown elements are skipped, so new AWS fields never break decoding.
 * This file must never log and never put a credential into an error
 * message: field errors name the element path, never its text.
 */
#include "aws/decode.h"
#include "xml_int.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/common.h"

#define S AWS__XML_START
#define E AWS__XML_END
#define T AWS__XML_TEXT

/* Copies text into the arena. */
static const char *dup(struct hs_arena *a, const char *text, size_t len)
{
    return hs_arena_strndup(a, text, len);
}

/* The three fields of a LaunchTemplateSpecification, as schema nodes
 * first + 0, 1, 2 below a node of that type. */
#define LT_NODES(first, parent)                  \
    [first] = { "LaunchTemplateId", parent, T }, \
    [first + 1] = { "LaunchTemplateName", parent, T }, [first + 2] = { "Version", parent, T }

static void lt_set(struct hs_arena *a, struct model_lt_spec *s, unsigned which, const char *text,
                   size_t len)
{
    const char *v = dup(a, text, len);
    if (which == 0)
        s->id = v;
    else if (which == 1)
        s->name = v;
    else
        s->version = v;
}

static void set_next_token(char **next_token, const char *text, size_t len)
{
    if (!next_token || len == 0)
        return;
    hs_free(*next_token);
    *next_token = hs_strndup(text, len);
}

/* ---- DescribeAutoScalingGroups ---- */

enum {
    G_ROOT,
    G_RESULT,
    G_GROUPS,
    G_GROUP, /* DescribeAutoScalingGroupsResult/AutoScalingGroups/member */
    G_NAME,
    G_ARN,
    G_MIXED,
    G_MIN,
    G_MAX,
    G_DESIRED,
    G_COOLDOWN,
    G_ZONES,
    G_ZONE,
    G_HEALTH_CHECK,
    G_INSTANCES,
    G_CREATED,
    G_VPC_ZONES,
    G_TAGS,
    G_REBALANCE,
    G_LT,
    G_LT_FIELDS, /* 3 */
    G_LC = G_LT_FIELDS + 3,
    G_STATUS,
    G_TOKEN,
    /* Instances/member */
    I_ITEM,
    I_ID,
    I_TYPE,
    I_ZONE,
    I_STATE,
    I_HEALTH,
    I_LT,
    I_LT_FIELDS, /* 3 */
    I_PROTECTED = I_LT_FIELDS + 3,
    I_WEIGHT,
    I_LC,
    /* Tags/member */
    TAG_ITEM,
    TAG_KEY,
    TAG_VALUE,
    TAG_PROPAGATE,
    /* MixedInstancesPolicy */
    M_LT,
    M_SPEC,
    M_SPEC_FIELDS, /* 3 */
    M_OVERRIDES = M_SPEC_FIELDS + 3,
    O_ITEM,
    O_TYPE,
    O_WEIGHT,
    O_SPEC,
    O_SPEC_FIELDS, /* 3 */
    O_REQUIREMENTS = O_SPEC_FIELDS + 3,
    D_DIST,
    D_OD_STRATEGY,
    D_OD_BASE,
    D_OD_PERCENT,
    D_SPOT_STRATEGY,
    D_SPOT_POOLS,
    D_SPOT_MAX_PRICE,
    G_N_NODES
};

/* Siblings are listed in the order AWS sends them, which is the order the
 * matcher tries them in. */
static const struct aws__xml_node asg_nodes[] = {
    [G_ROOT] = { "DescribeAutoScalingGroupsResponse", 0, 0 },
    [G_RESULT] = { "DescribeAutoScalingGroupsResult", G_ROOT, 0 },
    [G_GROUPS] = { "AutoScalingGroups", G_RESULT, 0 },
    [G_GROUP] = { "member", G_GROUPS, S | E },
    [G_NAME] = { "AutoScalingGroupName", G_GROUP, T },
    [G_ARN] = { "AutoScalingGroupARN", G_GROUP, T },
    [G_MIXED] = { "MixedInstancesPolicy", G_GROUP, S },
    [G_MIN] = { "MinSize", G_GROUP, T },
    [G_MAX] = { "MaxSize", G_GROUP, T },
    [G_DESIRED] = { "DesiredCapacity", G_GROUP, T },
    [G_COOLDOWN] = { "DefaultCooldown", G_GROUP, T },
    [G_ZONES] = { "AvailabilityZones", G_GROUP, 0 },
    [G_ZONE] = { "member", G_ZONES, T },
    [G_HEALTH_CHECK] = { "HealthCheckType", G_GROUP, T },
    [G_INSTANCES] = { "Instances", G_GROUP, 0 },
    [G_CREATED] = { "CreatedTime", G_GROUP, T },
    [G_VPC_ZONES] = { "VPCZoneIdentifier", G_GROUP, T },
    [G_TAGS] = { "Tags", G_GROUP, 0 },
    [G_REBALANCE] = { "CapacityRebalance", G_GROUP, T },
    [G_LT] = { "LaunchTemplate", G_GROUP, 0 },
    LT_NODES(G_LT_FIELDS, G_LT),
    [G_LC] = { "LaunchConfigurationName", G_GROUP, T },
    [G_STATUS] = { "Status", G_GROUP, T },
    [G_TOKEN] = { "NextToken", G_RESULT, T },
    [I_ITEM] = { "member", G_INSTANCES, S | E },
    [I_ID] = { "InstanceId", I_ITEM, T },
    [I_TYPE] = { "InstanceType", I_ITEM, T },
    [I_ZONE] = { "AvailabilityZone", I_ITEM, T },
    [I_STATE] = { "LifecycleState", I_ITEM, T },
    [I_HEALTH] = { "HealthStatus", I_ITEM, T },
    [I_LT] = { "LaunchTemplate", I_ITEM, 0 },
    LT_NODES(I_LT_FIELDS, I_LT),
    [I_PROTECTED] = { "ProtectedFromScaleIn", I_ITEM, T },
    [I_WEIGHT] = { "WeightedCapacity", I_ITEM, T },
    [I_LC] = { "LaunchConfigurationName", I_ITEM, T },
    [TAG_ITEM] = { "member", G_TAGS, S | E },
    [TAG_KEY] = { "Key", TAG_ITEM, T },
    [TAG_VALUE] = { "Value", TAG_ITEM, T },
    [TAG_PROPAGATE] = { "PropagateAtLaunch", TAG_ITEM, T },
    [M_LT] = { "LaunchTemplate", G_MIXED, 0 },
    [M_SPEC] = { "LaunchTemplateSpecification", M_LT, 0 },
    LT_NODES(M_SPEC_FIELDS, M_SPEC),
    [M_OVERRIDES] = { "Overrides", M_LT, 0 },
    [O_ITEM] = { "member", M_OVERRIDES, S },
    [O_TYPE] = { "InstanceType", O_ITEM, T },
    [O_WEIGHT] = { "WeightedCapacity", O_ITEM, T },
    [O_SPEC] = { "LaunchTemplateSpecification", O_ITEM, 0 },
    LT_NODES(O_SPEC_FIELDS, O_SPEC),
    [O_REQUIREMENTS] = { "InstanceRequirements", O_ITEM, S },
    [D_DIST] = { "InstancesDistribution", G_MIXED, S },
    [D_OD_STRATEGY] = { "OnDemandAllocationStrategy", D_DIST, T },
    [D_OD_BASE] = { "OnDemandBaseCapacity", D_DIST, T },
    [D_OD_PERCENT] = { "OnDemandPercentageAboveBaseCapacity", D_DIST, T },
    [D_SPOT_STRATEGY] = { "SpotAllocationStrategy", D_DIST, T },
    [D_SPOT_POOLS] = { "SpotInstancePools", D_DIST, T },
    [D_SPOT_MAX_PRICE] = { "SpotMaxPrice", D_DIST, T },
};
_Static_assert(HS_ARRAY_LEN(asg_nodes) == G_N_NODES, "every node named");

struct asg_ctx {
    struct model_asg_list *l;
    char **next_token;
    struct aws__xml_undo undo;
};

static struct model_asg *last_group(struct asg_ctx *c)
{
    return &c->l->v[c->l->n - 1];
}

static enum hs_code asg_start(void *ctx, struct aws__xml *x, unsigned node)
{
    struct asg_ctx *c = ctx;
    (void)x;
    if (node == G_GROUP) {
        model_asg_list_add(c->l);
        return HS_OK;
    }
    /* Every other node is below a group, which was added when it opened. */
    struct model_asg *g = last_group(c);
    switch (node) {
    case I_ITEM:
        model_asg_add_instance(c->l, g);
        break;
    case TAG_ITEM:
        model_asg_add_tag(c->l, g);
        break;
    case G_MIXED:
        g->mixed.present = true;
        break;
    case O_ITEM:
        model_asg_add_override(c->l, g);
        break;
    case D_DIST:
        g->mixed.distribution.present = true;
        break;
    case O_REQUIREMENTS:
        g->mixed.overrides[g->mixed.n_overrides - 1].has_instance_requirements = true;
        break;
    }
    return HS_OK;
}

static enum hs_code asg_instance_end(struct aws__xml *x, struct hs_arena *a,
                                     struct model_asg_instance *in, unsigned node, const char *text,
                                     size_t len)
{
    switch (node) {
    case I_ITEM:
        if (!in->id)
            return aws__xml_fail(x, NULL, "instance without InstanceId");
        break;
    case I_ID:
        in->id = dup(a, text, len);
        break;
    case I_ZONE:
        in->zone = dup(a, text, len);
        break;
    case I_STATE:
        in->lifecycle_state = dup(a, text, len);
        break;
    case I_HEALTH:
        in->health_status = dup(a, text, len);
        break;
    case I_TYPE:
        in->instance_type = dup(a, text, len);
        break;
    case I_LC:
        in->launch_configuration_name = dup(a, text, len);
        break;
    case I_PROTECTED:
        return aws__xml_bool(x, text, len, &in->protected_from_scale_in);
    case I_WEIGHT:
        return aws__xml_i32(x, text, len, &in->weighted_capacity);
    default:
        lt_set(a, &in->launch_template, node - I_LT_FIELDS, text, len);
    }
    return HS_OK;
}

static enum hs_code asg_mixed_end(struct aws__xml *x, struct hs_arena *a, struct model_asg *g,
                                  unsigned node, const char *text, size_t len)
{
    struct model_mixed_instances_policy *m = &g->mixed;
    struct model_instances_distribution *d = &m->distribution;
    struct model_asg_override *o = m->n_overrides ? &m->overrides[m->n_overrides - 1] : NULL;
    switch (node) {
    case O_TYPE:
        o->instance_type = dup(a, text, len);
        break;
    case O_WEIGHT:
        return aws__xml_i32(x, text, len, &o->weighted_capacity);
    case D_OD_STRATEGY:
        d->on_demand_allocation_strategy = dup(a, text, len);
        break;
    case D_OD_BASE:
        return aws__xml_i32(x, text, len, &d->on_demand_base_capacity);
    case D_OD_PERCENT:
        return aws__xml_i32(x, text, len, &d->on_demand_percentage_above_base_capacity);
    case D_SPOT_STRATEGY:
        d->spot_allocation_strategy = dup(a, text, len);
        break;
    case D_SPOT_POOLS:
        return aws__xml_i32(x, text, len, &d->spot_instance_pools);
    case D_SPOT_MAX_PRICE:
        d->spot_max_price = dup(a, text, len);
        break;
    default:
        if (node >= O_SPEC_FIELDS && node < O_SPEC_FIELDS + 3)
            lt_set(a, &o->launch_template, node - O_SPEC_FIELDS, text, len);
        else
            lt_set(a, &m->launch_template, node - M_SPEC_FIELDS, text, len);
    }
    return HS_OK;
}

static enum hs_code asg_end(void *ctx, struct aws__xml *x, unsigned node, const char *text,
                            size_t len)
{
    struct asg_ctx *c = ctx;
    struct hs_arena *a = &c->l->arena;
    if (node == G_TOKEN) {
        set_next_token(c->next_token, text, len);
        return HS_OK;
    }
    /* Every other node is below a group, and each list item below was
     * added when its element opened (asg_start), so the last one is the
     * one being read. */
    struct model_asg *g = last_group(c);
    if (node >= I_ITEM && node < TAG_ITEM)
        return asg_instance_end(x, a, &g->instances[g->n_instances - 1], node, text, len);
    if (node >= M_LT)
        return asg_mixed_end(x, a, g, node, text, len);
    if (node >= TAG_ITEM) {
        struct model_asg_tag *t = &g->tags[g->n_tags - 1];
        switch (node) {
        case TAG_ITEM:
            if (!t->key)
                return aws__xml_fail(x, NULL, "tag without Key");
            if (!t->value)
                t->value = dup(a, "", 0);
            break;
        case TAG_KEY:
            t->key = dup(a, text, len);
            break;
        case TAG_VALUE:
            t->value = dup(a, text, len);
            break;
        case TAG_PROPAGATE:
            return aws__xml_bool(x, text, len, &t->propagate_at_launch);
        }
        return HS_OK;
    }
    switch (node) {
    case G_GROUP:
        if (!g->name)
            return aws__xml_fail(x, NULL, "group without AutoScalingGroupName");
        break;
    case G_NAME:
        g->name = dup(a, text, len);
        break;
    case G_ARN:
        g->arn = dup(a, text, len);
        break;
    case G_MIN:
        return aws__xml_i32(x, text, len, &g->min_size);
    case G_MAX:
        return aws__xml_i32(x, text, len, &g->max_size);
    case G_DESIRED:
        return aws__xml_i32(x, text, len, &g->desired_capacity);
    case G_COOLDOWN:
        return aws__xml_i32(x, text, len, &g->default_cooldown);
    case G_ZONE:
        model_asg_add_zone(c->l, g, text, len);
        break;
    case G_VPC_ZONES:
        g->vpc_zone_identifier = dup(a, text, len);
        break;
    case G_LC:
        g->launch_configuration_name = dup(a, text, len);
        break;
    case G_STATUS:
        g->status = dup(a, text, len);
        break;
    case G_HEALTH_CHECK:
        g->health_check_type = dup(a, text, len);
        break;
    case G_CREATED:
        return aws__xml_time(x, text, len, &g->created_time);
    case G_REBALANCE:
        return aws__xml_bool(x, text, len, &g->capacity_rebalance);
    default:
        lt_set(a, &g->launch_template, node - G_LT_FIELDS, text, len);
    }
    return HS_OK;
}

static void asg_rewind(void *ctx)
{
    struct asg_ctx *c = ctx;
    aws__xml_undo(&c->undo);
}

static const struct aws__xml_schema asg_schema = {
    asg_nodes, G_N_NODES, asg_start, asg_end, asg_rewind,
};

/* Runs schema over body for a decoder with a next token: the token is NULL
 * on entry and after any error. */
static enum hs_code parse_paged(const char *body, size_t len, const struct aws__xml_schema *s,
                                void *ctx, char **next_token, struct hs_err *err)
{
    if (next_token)
        *next_token = NULL;
    enum hs_code rc = aws__xml_parse(body, len, s, ctx, err);
    if (rc && next_token) {
        hs_free(*next_token);
        *next_token = NULL;
    }
    return rc;
}

enum hs_code aws_xml_describe_asgs(const char *body, size_t len, struct model_asg_list *out,
                                   char **next_token, struct hs_err *err)
{
    struct asg_ctx c = { out, next_token, { 0 } };
    AWS__XML_UNDO_INIT(&c.undo, out, next_token);
    return parse_paged(body, len, &asg_schema, &c, next_token, err);
}

/* ---- activities ---- */

enum {
    A_ROOT,
    A_RESULT,
    A_LIST,  /* Activities (DescribeScalingActivities only) */
    A_ITEM,  /* Activities/member, or Activity */
    A_TOKEN, /* NextToken (DescribeScalingActivities only) */
    A_ID,
    A_ASG,
    A_DESCRIPTION,
    A_CAUSE,
    A_STATUS_CODE,
    A_STATUS_MESSAGE,
    A_PROGRESS,
    A_START,
    A_END,
    A_N_NODES
};

#define ACTIVITY_FIELDS                                                                            \
    [A_ID] = { "ActivityId", A_ITEM, T }, [A_ASG] = { "AutoScalingGroupName", A_ITEM, T },         \
    [A_DESCRIPTION] = { "Description", A_ITEM, T }, [A_CAUSE] = { "Cause", A_ITEM, T },            \
    [A_STATUS_CODE] = { "StatusCode", A_ITEM, T },                                                 \
    [A_STATUS_MESSAGE] = { "StatusMessage", A_ITEM, T }, [A_PROGRESS] = { "Progress", A_ITEM, T }, \
    [A_START] = { "StartTime", A_ITEM, T }, [A_END] = { "EndTime", A_ITEM, T }

struct activity_ctx {
    struct model_activity_list *l;
    char **next_token;
    struct aws__xml_undo undo;
};

static enum hs_code activity_start(void *ctx, struct aws__xml *x, unsigned node)
{
    struct activity_ctx *c = ctx;
    (void)x;
    if (node == A_ITEM)
        model_activity_list_add(c->l);
    return HS_OK;
}

static enum hs_code activity_end(void *ctx, struct aws__xml *x, unsigned node, const char *text,
                                 size_t len)
{
    struct activity_ctx *c = ctx;
    struct hs_arena *a = &c->l->arena;
    if (node == A_TOKEN) {
        set_next_token(c->next_token, text, len);
        return HS_OK;
    }
    struct model_scaling_activity *act = &c->l->v[c->l->n - 1];
    switch (node) {
    case A_ITEM:
        if (!act->id)
            return aws__xml_fail(x, NULL, "activity without ActivityId");
        break;
    case A_ID:
        act->id = dup(a, text, len);
        break;
    case A_ASG:
        act->asg_name = dup(a, text, len);
        break;
    case A_DESCRIPTION:
        act->description = dup(a, text, len);
        break;
    case A_CAUSE:
        act->cause = dup(a, text, len);
        break;
    case A_STATUS_CODE:
        act->status_code = dup(a, text, len);
        break;
    case A_STATUS_MESSAGE:
        act->status_message = dup(a, text, len);
        break;
    case A_PROGRESS:
        return aws__xml_i32(x, text, len, &act->progress);
    case A_START:
        return aws__xml_time(x, text, len, &act->start_time);
    case A_END:
        return aws__xml_time(x, text, len, &act->end_time);
    }
    return HS_OK;
}

static void activity_rewind(void *ctx)
{
    struct activity_ctx *c = ctx;
    aws__xml_undo(&c->undo);
}

static const struct aws__xml_node activities_nodes[] = {
    [A_ROOT] = { "DescribeScalingActivitiesResponse", 0, 0 },
    [A_RESULT] = { "DescribeScalingActivitiesResult", A_ROOT, 0 },
    [A_LIST] = { "Activities", A_RESULT, 0 },
    [A_ITEM] = { "member", A_LIST, S | E },
    [A_TOKEN] = { "NextToken", A_RESULT, T },
    ACTIVITY_FIELDS,
};
_Static_assert(HS_ARRAY_LEN(activities_nodes) == A_N_NODES, "every node named");

enum hs_code aws_xml_describe_scaling_activities(const char *body, size_t len,
                                                 struct model_activity_list *out, char **next_token,
                                                 struct hs_err *err)
{
    static const struct aws__xml_schema schema = {
        activities_nodes, A_N_NODES, activity_start, activity_end, activity_rewind,
    };
    struct activity_ctx c = { out, next_token, { 0 } };
    AWS__XML_UNDO_INIT(&c.undo, out, next_token);
    return parse_paged(body, len, &schema, &c, next_token, err);
}

enum hs_code aws_xml_activity_response(const char *body, size_t len, const char *action,
                                       struct model_activity_list *out, struct hs_err *err)
{
    char root[128], result[128];
    snprintf(root, sizeof(root), "%sResponse", action);
    snprintf(result, sizeof(result), "%sResult", action);
    /* <Action>Result/Activity: no list element and no token; the unused
     * nodes have a name no element has. */
    const struct aws__xml_node nodes[] = {
        [A_ROOT] = { root, 0, 0 },      [A_RESULT] = { result, A_ROOT, 0 },
        [A_LIST] = { "/", A_ROOT, 0 },  [A_ITEM] = { "Activity", A_RESULT, S | E },
        [A_TOKEN] = { "/", A_LIST, 0 }, ACTIVITY_FIELDS,
    };
    _Static_assert(HS_ARRAY_LEN(nodes) == A_N_NODES, "every node named");
    const struct aws__xml_schema schema = {
        nodes, A_N_NODES, activity_start, activity_end, activity_rewind,
    };
    struct activity_ctx c = { out, NULL, { 0 } };
    AWS__XML_UNDO_INIT(&c.undo, out, NULL);
    return aws__xml_parse(body, len, &schema, &c, err);
}

/* ---- DescribeLaunchConfigurations ---- */

enum { L_ROOT, L_RESULT, L_LIST, L_ITEM, L_NAME, L_TYPE, L_IMAGE, L_SPOT, L_TOKEN, L_N_NODES };

static const struct aws__xml_node lc_nodes[] = {
    [L_ROOT] = { "DescribeLaunchConfigurationsResponse", 0, 0 },
    [L_RESULT] = { "DescribeLaunchConfigurationsResult", L_ROOT, 0 },
    [L_LIST] = { "LaunchConfigurations", L_RESULT, 0 },
    [L_ITEM] = { "member", L_LIST, S | E },
    [L_NAME] = { "LaunchConfigurationName", L_ITEM, T },
    [L_TYPE] = { "InstanceType", L_ITEM, T },
    [L_IMAGE] = { "ImageId", L_ITEM, T },
    [L_SPOT] = { "SpotPrice", L_ITEM, E },
    [L_TOKEN] = { "NextToken", L_RESULT, T },
};
_Static_assert(HS_ARRAY_LEN(lc_nodes) == L_N_NODES, "every node named");

struct lc_ctx {
    struct model_launch_config_list *l;
    char **next_token;
    struct aws__xml_undo undo;
};

static enum hs_code lc_start(void *ctx, struct aws__xml *x, unsigned node)
{
    struct lc_ctx *c = ctx;
    (void)x;
    if (node == L_ITEM)
        model_launch_config_list_add(c->l);
    return HS_OK;
}

static enum hs_code lc_end(void *ctx, struct aws__xml *x, unsigned node, const char *text,
                           size_t len)
{
    struct lc_ctx *c = ctx;
    struct hs_arena *a = &c->l->arena;
    if (node == L_TOKEN) {
        set_next_token(c->next_token, text, len);
        return HS_OK;
    }
    struct model_launch_config *lc = &c->l->v[c->l->n - 1];
    switch (node) {
    case L_ITEM:
        if (!lc->name)
            return aws__xml_fail(x, NULL, "launch configuration without LaunchConfigurationName");
        break;
    case L_NAME:
        lc->name = dup(a, text, len);
        break;
    case L_TYPE:
        lc->instance_type = dup(a, text, len);
        break;
    case L_IMAGE:
        lc->image_id = dup(a, text, len);
        break;
    case L_SPOT:
        lc->spot = true;
        break;
    }
    return HS_OK;
}

static void lc_rewind(void *ctx)
{
    struct lc_ctx *c = ctx;
    aws__xml_undo(&c->undo);
}

enum hs_code aws_xml_describe_launch_configurations(const char *body, size_t len,
                                                    struct model_launch_config_list *out,
                                                    char **next_token, struct hs_err *err)
{
    static const struct aws__xml_schema schema = {
        lc_nodes, L_N_NODES, lc_start, lc_end, lc_rewind,
    };
    struct lc_ctx c = { out, next_token, { 0 } };
    AWS__XML_UNDO_INIT(&c.undo, out, next_token);
    return parse_paged(body, len, &schema, &c, next_token, err);
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

enum {
    C_ROOT,
    C_RESULT,
    C_CREDS,
    C_KEY_ID,
    C_SECRET,
    C_TOKEN,
    C_EXPIRATION,
    C_USER,
    C_ARN,
    C_N_NODES
};

static const struct aws__xml_node sts_nodes[] = {
    [C_ROOT] = { "AssumeRoleWithWebIdentityResponse", 0, 0 },
    [C_RESULT] = { "AssumeRoleWithWebIdentityResult", C_ROOT, 0 },
    [C_CREDS] = { "Credentials", C_RESULT, 0 },
    [C_KEY_ID] = { "AccessKeyId", C_CREDS, T },
    [C_SECRET] = { "SecretAccessKey", C_CREDS, T },
    [C_TOKEN] = { "SessionToken", C_CREDS, T },
    [C_EXPIRATION] = { "Expiration", C_CREDS, T },
    [C_USER] = { "AssumedRoleUser", C_RESULT, 0 },
    [C_ARN] = { "Arn", C_USER, T },
};
_Static_assert(HS_ARRAY_LEN(sts_nodes) == C_N_NODES, "every node named");

static enum hs_code sts_end(void *ctx, struct aws__xml *x, unsigned node, const char *text,
                            size_t len)
{
    struct aws_sts_credentials *c = ctx;
    switch (node) {
    case C_KEY_ID:
        replace(&c->access_key_id, text, len);
        break;
    case C_SECRET:
        replace(&c->secret_access_key, text, len);
        break;
    case C_TOKEN:
        replace(&c->session_token, text, len);
        break;
    case C_EXPIRATION:
        return aws__xml_time(x, text, len, &c->expiration);
    case C_ARN:
        replace(&c->assumed_role_arn, text, len);
        break;
    }
    return HS_OK;
}

/* No rewind: credentials are read by expat alone, whose text buffer is
 * wiped element by element. */
static const struct aws__xml_schema sts_schema = {
    sts_nodes, C_N_NODES, NULL, sts_end, NULL,
};

enum hs_code aws_xml_sts_credentials(const char *body, size_t len, struct aws_sts_credentials *out,
                                     struct hs_err *err)
{
    memset(out, 0, sizeof(*out));
    enum hs_code rc = aws__xml_parse(body, len, &sts_schema, out, err);
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
