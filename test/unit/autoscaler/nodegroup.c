/*
 * Tests of lib/autoscaler/nodegroup.c: which ASGs become node groups (tag
 * filters ANDed within a spec and specs ORed, --nodes overriding min/max, a --nodes name that does not
 * exist, groups being deleted), every autoscaling-options tag and each kind
 * of bad value, where a group's instance types come from, and regions of
 * zones. ASGs are built by hand (asc_fx.h); no files are read.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include "asc_fx.h"
#include "base/alloc.h"
#include "autoscaler/nodegroup.h"

#define MIN_NS (60LL * 1000 * 1000 * 1000)

static const struct asc_tag_filter owned_filters[] = {
    { "k8s.io/cluster-autoscaler/enabled", NULL, 0 },
    { "k8s.io/cluster-autoscaler/prod", "owned", 0 },
};

static bool has_warning(const struct asc_warnings *w, const char *a, const char *b)
{
    for (uint32_t i = 0; i < w->n; i++)
        if (strstr(w->v[i], a) && (!b || strstr(w->v[i], b)))
            return true;
    return false;
}

static void print_warnings(const struct asc_warnings *w)
{
    for (uint32_t i = 0; i < w->n; i++)
        print_message("warning: %s\n", w->v[i]);
}

/* Three ASGs: "a" has both tags, "b" only enabled, "c" both but
 * prod=shared, "d" both tags and is being deleted. */
static void three_asgs(struct model_asg_list *l)
{
    struct model_asg *g = fx_asg(l, "a", 1, 5, 2, "us-east-1a");
    fx_tag(l, g, "k8s.io/cluster-autoscaler/enabled", "true");
    fx_tag(l, g, "k8s.io/cluster-autoscaler/prod", "owned");
    fx_lt(l, g, "lt-a", "$Latest");
    g = fx_asg(l, "b", 0, 3, 0, "us-east-1b");
    fx_tag(l, g, "k8s.io/cluster-autoscaler/enabled", "");
    g = fx_asg(l, "c", 0, 9, 1, "us-east-1c");
    fx_tag(l, g, "k8s.io/cluster-autoscaler/enabled", "true");
    fx_tag(l, g, "k8s.io/cluster-autoscaler/prod", "shared");
    g = fx_asg(l, "d", 0, 9, 0, "us-east-1c");
    fx_tag(l, g, "k8s.io/cluster-autoscaler/enabled", "true");
    fx_tag(l, g, "k8s.io/cluster-autoscaler/prod", "owned");
    g->status = fx_str(l, "Delete in progress");
}

static void discovery_specs(void **state)
{
    (void)state;
    struct model_asg_list l;
    model_asg_list_init(&l);
    three_asgs(&l);
    struct asc_cloud cloud = { .asgs = &l };
    struct asc_discovery d = { .filters = owned_filters, .n_filters = 2 };
    asc_group_options_default(&d.defaults);
    struct asc_groups *g = NULL;
    struct hs_err err = { 0 };

    assert_int_equal(asc_groups_build(&cloud, &d, &g, &err), HS_OK);
    /* Only "a" has the key-only tag AND prod=owned; "d" is being deleted. */
    assert_int_equal(g->n, 1);
    assert_string_equal(g->v[0].name, "a");
    assert_int_equal(g->v[0].min_size, 1);
    assert_int_equal(g->v[0].max_size, 5);
    assert_int_equal(g->v[0].target_size, 2);
    assert_false(g->v[0].explicit_spec);
    assert_string_equal(g->v[0].region, "us-east-1");
    assert_ptr_equal(asc_groups_find(g, "a"), &g->v[0]);
    assert_null(asc_groups_find(g, "c"));
    asc_groups_free(&g);
    assert_null(g);

    /* The key-only filter alone takes "b" (empty value), "a" and "c". */
    d.n_filters = 1;
    assert_int_equal(asc_groups_build(&cloud, &d, &g, &err), HS_OK);
    assert_int_equal(g->n, 3);
    assert_string_equal(g->v[0].name, "a");
    assert_string_equal(g->v[1].name, "b");
    assert_string_equal(g->v[2].name, "c");
    asc_groups_free(&g);

    /* Two specs: each one's tags ANDed, the specs ORed. "a" matches the
     * first (enabled AND prod=owned), "c" the second (prod=shared); "b"
     * matches neither (no prod tag), "d" is being deleted. */
    static const struct asc_tag_filter two_specs[] = {
        { "k8s.io/cluster-autoscaler/enabled", NULL, 0 },
        { "k8s.io/cluster-autoscaler/prod", "owned", 0 },
        { "k8s.io/cluster-autoscaler/prod", "shared", 1 },
    };
    d.filters = two_specs;
    d.n_filters = 3;
    assert_int_equal(asc_groups_build(&cloud, &d, &g, &err), HS_OK);
    assert_int_equal(g->n, 2);
    assert_string_equal(g->v[0].name, "a");
    assert_string_equal(g->v[1].name, "c");
    asc_groups_free(&g);
    /* A spec whose tags no ASG has all of matches nothing, but does not
     * stop another spec from matching. */
    static const struct asc_tag_filter impossible[] = {
        { "k8s.io/cluster-autoscaler/prod", "owned", 0 },
        { "k8s.io/cluster-autoscaler/prod", "shared", 0 },
        { "k8s.io/cluster-autoscaler/enabled", "", 1 },
    };
    d.filters = impossible;
    assert_int_equal(asc_groups_build(&cloud, &d, &g, &err), HS_OK);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->v[0].name, "b");
    asc_groups_free(&g);

    /* No filter and no --nodes: nothing is managed. */
    d.filters = owned_filters;
    d.n_filters = 0;
    assert_int_equal(asc_groups_build(&cloud, &d, &g, &err), HS_OK);
    assert_int_equal(g->n, 0);
    asc_groups_free(&g);
    model_asg_list_release(&l);
}

static void nodes_override_min_max(void **state)
{
    (void)state;
    struct model_asg_list l;
    model_asg_list_init(&l);
    three_asgs(&l);
    const struct asc_node_spec nodes[] = { { 2, 20, "a" }, { 1, 10, "b" }, { 0, 4, "nope" } };
    struct asc_cloud cloud = { .asgs = &l };
    struct asc_discovery d = {
        .nodes = nodes, .n_nodes = 3, .filters = owned_filters, .n_filters = 2
    };
    asc_group_options_default(&d.defaults);
    struct asc_groups *g = NULL;
    struct hs_err err = { 0 };

    assert_int_equal(asc_groups_build(&cloud, &d, &g, &err), HS_OK);
    assert_int_equal(g->n, 2);
    const struct asc_node_group *a = asc_groups_find(g, "a");
    const struct asc_node_group *b = asc_groups_find(g, "b");
    assert_non_null(a);
    assert_non_null(b);
    /* --nodes wins over the ASG's 1..5 even though tags matched too. */
    assert_int_equal(a->min_size, 2);
    assert_int_equal(a->max_size, 20);
    assert_true(a->explicit_spec);
    /* "b" fails the filters but --nodes names it. */
    assert_int_equal(b->min_size, 1);
    assert_int_equal(b->max_size, 10);
    /* A name no ASG has is a warning, not an error. */
    print_warnings(&g->warnings);
    assert_true(has_warning(&g->warnings, "no ASG named nope", NULL));
    asc_groups_free(&g);

    /* A --nodes spec for an ASG being deleted: warned, not managed. */
    const struct asc_node_spec del[] = { { 0, 3, "d" } };
    struct asc_discovery d2 = { .nodes = del, .n_nodes = 1, .defaults = d.defaults };
    assert_int_equal(asc_groups_build(&cloud, &d2, &g, &err), HS_OK);
    assert_int_equal(g->n, 0);
    assert_true(has_warning(&g->warnings, "ASG d", "being deleted"));
    asc_groups_free(&g);
    model_asg_list_release(&l);
}

static void nodes_bad_specs(void **state)
{
    (void)state;
    struct model_asg_list l;
    model_asg_list_init(&l);
    three_asgs(&l);
    struct asc_cloud cloud = { .asgs = &l };
    static const struct {
        struct asc_node_spec spec[2];
        size_t n;
        const char *want;
    } cases[] = {
        { { { 5, 1, "a" } }, 1, "max size must be greater or equal to min size" },
        { { { -1, 1, "a" } }, 1, "min size must be >= 0" },
        { { { 0, 1, "" } }, 1, "must not be blank" },
        { { { 0, 1, "a" }, { 0, 2, "a" } }, 2, "given twice" },
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(cases); i++) {
        struct asc_discovery d = { .nodes = cases[i].spec, .n_nodes = cases[i].n };
        struct asc_groups *g = NULL;
        struct hs_err err = { 0 };
        assert_int_equal(asc_groups_build(&cloud, &d, &g, &err), HS_EINVAL);
        assert_null(g);
        if (!strstr(err.msg, cases[i].want))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg, cases[i].want);
    }
    model_asg_list_release(&l);
}

static void options_every_tag(void **state)
{
    (void)state;
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct model_asg *g = fx_asg(&l, "opts", 0, 3, 0, "us-east-1a");
    fx_tag(&l, g, ASC_OPTIONS_TAG_PREFIX "scaledownutilizationthreshold", "0.3");
    fx_tag(&l, g, ASC_OPTIONS_TAG_PREFIX "scaledowngpuutilizationthreshold", "7e-1");
    fx_tag(&l, g, ASC_OPTIONS_TAG_PREFIX "scaledownunneededtime", "5m");
    fx_tag(&l, g, ASC_OPTIONS_TAG_PREFIX "scaledownunreadytime", "1h30m");
    fx_tag(&l, g, ASC_OPTIONS_TAG_PREFIX "ignoredaemonsetsutilization", "True");
    fx_tag(&l, g, ASC_OPTIONS_TAG_PREFIX "maxnodeprovisiontime", "20m");
    struct asc_group_options def, o;
    struct asc_warnings w = { .arena = &l.arena };
    asc_group_options_default(&def);

    asc_group_options_from_tags(g, &def, &o, &w);
    assert_int_equal(w.n, 0);
    assert_true(o.scale_down_utilization_threshold == 0.3);
    assert_true(o.scale_down_gpu_utilization_threshold == 0.7);
    assert_int_equal(o.scale_down_unneeded_time, 5 * MIN_NS);
    assert_int_equal(o.scale_down_unready_time, 90 * MIN_NS);
    assert_true(o.ignore_daemonsets_utilization);
    assert_int_equal(o.max_node_provision_time, 20 * MIN_NS);
    assert_int_equal(o.from_tags, ASC_OPT_UTILIZATION | ASC_OPT_GPU_UTILIZATION |
                                      ASC_OPT_UNNEEDED_TIME | ASC_OPT_UNREADY_TIME |
                                      ASC_OPT_IGNORE_DS | ASC_OPT_PROVISION_TIME);
    hs_free(w.v);

    /* Defaults stay when no tag is given. */
    struct model_asg *plain = fx_asg(&l, "plain", 0, 3, 0, "us-east-1a");
    memset(&w, 0, sizeof(w));
    w.arena = &l.arena;
    asc_group_options_from_tags(plain, &def, &o, &w);
    assert_int_equal(o.from_tags, 0);
    assert_true(o.scale_down_utilization_threshold == 0.5);
    assert_int_equal(o.scale_down_unneeded_time, 10 * MIN_NS);
    assert_int_equal(o.scale_down_unready_time, 20 * MIN_NS);
    assert_int_equal(o.max_node_provision_time, 15 * MIN_NS);
    assert_false(o.ignore_daemonsets_utilization);
    model_asg_list_release(&l);
}

static void options_bad_values(void **state)
{
    (void)state;
    static const struct {
        const char *name, *value;
    } bad[] = {
        { "scaledownutilizationthreshold", "abc" },
        { "scaledownutilizationthreshold", "1.5" },
        { "scaledowngpuutilizationthreshold", "NaN" },
        { "scaledowngpuutilizationthreshold", " 0.5" },
        { "scaledownunneededtime", "10" },
        { "scaledownunreadytime", "-1m" },
        { "ignoredaemonsetsutilization", "yes" },
        { "maxnodeprovisiontime", "" },
        { "scaledownutilisationthreshold", "0.5" }, /* misspelt: unknown option */
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(bad); i++) {
        struct model_asg_list l;
        model_asg_list_init(&l);
        struct model_asg *g = fx_asg(&l, "ng-bad", 0, 3, 0, "us-east-1a");
        char key[200];
        snprintf(key, sizeof(key), ASC_OPTIONS_TAG_PREFIX "%s", bad[i].name);
        fx_tag(&l, g, key, bad[i].value);
        struct asc_group_options def, o;
        struct asc_warnings w = { .arena = &l.arena };
        asc_group_options_default(&def);
        asc_group_options_from_tags(g, &def, &o, &w);
        if (w.n != 1)
            fail_msg("case %zu (%s=%s): %u warnings", i, bad[i].name, bad[i].value, w.n);
        print_message("%s\n", w.v[0]);
        /* The warning names the ASG and the tag; the default stays. */
        assert_non_null(strstr(w.v[0], "ASG ng-bad"));
        assert_non_null(strstr(w.v[0], key));
        assert_int_equal(o.from_tags, 0);
        assert_true(o.scale_down_utilization_threshold == 0.5);
        assert_int_equal(o.scale_down_unready_time, 20 * MIN_NS);
        hs_free(w.v);
        model_asg_list_release(&l);
    }
}

static void instance_types(void **state)
{
    (void)state;
    struct model_asg_list l;
    struct model_lt_version_list lts;
    struct model_launch_config_list lcs;
    model_asg_list_init(&l);
    model_lt_version_list_init(&lts);
    model_launch_config_list_init(&lcs);
    fx_lt_version(&lts, "lt", 1, false, "m5.large");
    fx_lt_version(&lts, "lt", 2, true, "m5.xlarge");
    fx_lt_version(&lts, "lt", 3, false, "m5.2xlarge");
    struct model_launch_config *lc = model_launch_config_list_add(&lcs);
    lc->name = "lc-1";
    lc->instance_type = "c5.large";
    lc->spot = true;

    struct model_asg *g = fx_asg(&l, "latest", 0, 3, 0, "us-west-2a");
    fx_lt(&l, g, "lt", "$Latest");
    g = fx_asg(&l, "default", 0, 3, 0, "us-west-2a");
    fx_lt(&l, g, "lt", NULL);
    g = fx_asg(&l, "v1", 0, 3, 0, "us-west-2a");
    fx_lt(&l, g, "lt", "1");
    g = fx_asg(&l, "lc", 0, 3, 0, "us-west-2a");
    g->launch_configuration_name = fx_str(&l, "lc-1");
    g = fx_asg(&l, "mixed", 0, 3, 0, "us-west-2a,us-west-2b");
    fx_override(&l, g, "m5.large");
    fx_override(&l, g, "m5a.large");
    fx_override(&l, g, "m5.large");
    g->mixed.distribution.present = true;
    g->mixed.distribution.on_demand_base_capacity = 0;
    g->mixed.distribution.on_demand_percentage_above_base_capacity = 0;
    g = fx_asg(&l, "running", 0, 3, 1, "us-west-2a");
    fx_lt(&l, g, "missing-lt", "$Latest");
    fx_instance(&l, g, "i-1", "us-west-2a", "t3.medium");
    g = fx_asg(&l, "unknown", 0, 3, 0, "us-west-2a");
    fx_lt(&l, g, "missing-lt", "$Latest");

    const struct asc_node_spec nodes[] = { { 0, 3, "latest" }, { 0, 3, "default" },
                                           { 0, 3, "v1" },     { 0, 3, "lc" },
                                           { 0, 3, "mixed" },  { 0, 3, "running" },
                                           { 0, 3, "unknown" } };
    struct asc_cloud cloud = { &l, &lcs, &lts, NULL, NULL };
    struct asc_discovery d = { .nodes = nodes, .n_nodes = HS_ARRAY_LEN(nodes) };
    asc_group_options_default(&d.defaults);
    struct asc_groups *gs = NULL;
    struct hs_err err = { 0 };
    assert_int_equal(asc_groups_build(&cloud, &d, &gs, &err), HS_OK);
    assert_int_equal(gs->n, 7);

    const struct asc_node_group *x = asc_groups_find(gs, "latest");
    assert_int_equal(x->n_instance_types, 1);
    assert_string_equal(x->instance_types[0], "m5.2xlarge");
    assert_int_equal(x->type_source, ASC_TYPES_LAUNCH_TEMPLATE);
    x = asc_groups_find(gs, "default");
    assert_string_equal(x->instance_types[0], "m5.xlarge");
    x = asc_groups_find(gs, "v1");
    assert_string_equal(x->instance_types[0], "m5.large");
    x = asc_groups_find(gs, "lc");
    assert_string_equal(x->instance_types[0], "c5.large");
    assert_int_equal(x->type_source, ASC_TYPES_LAUNCH_CONFIG);
    assert_true(x->spot);
    /* Every override, once each, in order: not only the first. */
    x = asc_groups_find(gs, "mixed");
    assert_int_equal(x->n_instance_types, 2);
    assert_string_equal(x->instance_types[0], "m5.large");
    assert_string_equal(x->instance_types[1], "m5a.large");
    assert_int_equal(x->type_source, ASC_TYPES_OVERRIDES);
    assert_true(x->spot);
    assert_int_equal(x->n_zones, 2);
    x = asc_groups_find(gs, "running");
    assert_string_equal(x->instance_types[0], "t3.medium");
    assert_int_equal(x->type_source, ASC_TYPES_INSTANCES);
    x = asc_groups_find(gs, "unknown");
    assert_int_equal(x->n_instance_types, 0);
    assert_int_equal(x->type_source, ASC_TYPES_UNKNOWN);
    assert_true(has_warning(&gs->warnings, "ASG unknown", "cannot scale from zero"));

    asc_groups_free(&gs);
    model_launch_config_list_release(&lcs);
    model_lt_version_list_release(&lts);
    model_asg_list_release(&l);
}

static void regions(void **state)
{
    (void)state;
    static const struct {
        const char *zone, *region;
    } cases[] = {
        { "us-east-1a", "us-east-1" },           { "us-west-2-lax-1a", "us-west-2" },
        { "us-gov-west-1b", "us-gov-west-1" },   { "cn-north-1a", "cn-north-1" },
        { "ap-southeast-2c", "ap-southeast-2" },
    };
    char buf[32];
    for (size_t i = 0; i < HS_ARRAY_LEN(cases); i++) {
        assert_true(asc_region_of_zone(cases[i].zone, buf, sizeof(buf)));
        assert_string_equal(buf, cases[i].region);
    }
    assert_false(asc_region_of_zone("nozone", buf, sizeof(buf)));
    assert_string_equal(buf, "");
    assert_false(asc_region_of_zone("us-east-1a", buf, 4));
    assert_false(asc_region_of_zone(NULL, buf, sizeof(buf)));
}

static void explicit_region_wins(void **state)
{
    (void)state;
    struct model_asg_list l;
    model_asg_list_init(&l);
    fx_asg(&l, "z", 0, 1, 0, "eu-west-1a");
    const struct asc_node_spec nodes[] = { { 0, 1, "z" } };
    struct asc_cloud cloud = { .asgs = &l, .region = "eu-central-1" };
    struct asc_discovery d = { .nodes = nodes, .n_nodes = 1 };
    struct asc_groups *g = NULL;
    assert_int_equal(asc_groups_build(&cloud, &d, &g, NULL), HS_OK);
    assert_string_equal(g->v[0].region, "eu-central-1");
    asc_groups_free(&g);
    asc_groups_free(&g); /* NULL is fine */
    model_asg_list_release(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(discovery_specs),
        cmocka_unit_test(nodes_override_min_max),
        cmocka_unit_test(nodes_bad_specs),
        cmocka_unit_test(options_every_tag),
        cmocka_unit_test(options_bad_values),
        cmocka_unit_test(instance_types),
        cmocka_unit_test(regions),
        cmocka_unit_test(explicit_region_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
