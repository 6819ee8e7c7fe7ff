/*
 * lib/autoscaler over what the aws CLI prints: test/unit/autoscaler/data
 * holds `describe-auto-scaling-groups` and `describe-launch-template-
 * versions` output for a small EKS cluster (two single-zone launch-template
 * groups, a three-zone spot group with three overrides, and a group of
 * another cluster) and a priority-expander configuration. Decoded with
 * lib/aws's CLI decoder (this test links it; lib/autoscaler never does),
 * then discovery, templates, similarity, prices and a priority chain are
 * checked end to end.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include "autoscaler/balance.h"
#include "autoscaler/expander.h"
#include "autoscaler/template.h"
#include "aws/decode.h"
#include "base/alloc.h"

static char *data_path(const char *name)
{
    const char *src = getenv("HOIST_SOURCE_DIR");
    static char buf[1024];
    snprintf(buf, sizeof(buf), "%s/test/unit/autoscaler/data/%s", src ? src : ".", name);
    return buf;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *buf = hs_malloc(65536);
    *len = fread(buf, 1, 65535, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static const char *label(const struct model_node *n, const char *key)
{
    for (uint32_t i = 0; i < n->labels.n; i++)
        if (strcmp(n->labels.v[i].key, key) == 0)
            return n->labels.v[i].value;
    return NULL;
}

static void cluster_from_cli_files(void **state)
{
    (void)state;
    struct model_asg_list asgs;
    struct model_lt_version_list lts;
    struct hs_err err = { 0 };
    model_asg_list_init(&asgs);
    model_lt_version_list_init(&lts);
    if (aws_cli_json_asgs_file(data_path("asgs.json"), &asgs, &err) != HS_OK ||
        aws_cli_json_lt_versions_file(data_path("lt-versions.json"), &lts, &err) != HS_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(asgs.n, 4);

    const struct asc_tag_filter filters[] = { { "k8s.io/cluster-autoscaler/enabled", NULL, 0 },
                                              { "k8s.io/cluster-autoscaler/prod", NULL, 0 } };
    struct asc_cloud cloud = { .asgs = &asgs, .launch_templates = &lts };
    struct asc_discovery d = { .filters = filters, .n_filters = 2 };
    asc_group_options_default(&d.defaults);
    struct asc_groups *g = NULL;
    assert_int_equal(asc_groups_build(&cloud, &d, &g, &err), HS_OK);
    for (uint32_t i = 0; i < g->warnings.n; i++)
        print_message("warning: %s\n", g->warnings.v[i]);
    assert_int_equal(g->n, 3); /* not the other cluster's group */

    const struct asc_node_group *a = asc_groups_find(g, "eks-general-a");
    const struct asc_node_group *b = asc_groups_find(g, "eks-general-b");
    const struct asc_node_group *spot = asc_groups_find(g, "eks-spot-mixed");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(spot);
    /* $Latest of "general" is version 3: m5.large. */
    assert_int_equal(a->n_instance_types, 1);
    assert_string_equal(a->instance_types[0], "m5.large");
    assert_int_equal(a->options.scale_down_unneeded_time, 5LL * 60 * 1000 * 1000 * 1000);
    assert_int_equal(a->options.from_tags, ASC_OPT_UNNEEDED_TIME);
    assert_int_equal(spot->n_instance_types, 3);
    assert_true(spot->spot);
    assert_int_equal(spot->min_size, 0);
    assert_int_equal(spot->max_size, 30);

    struct hs_intern *t = hs_intern_new();
    struct asc_templates *s = NULL;
    assert_int_equal(asc_templates_build(g, &cloud, NULL, 0, NULL, t, &s, &err), HS_OK);
    assert_int_equal(s->warnings.n, 0);
    const struct asc_template *ta = asc_templates_of(s, a);
    const struct asc_template *tb = asc_templates_of(s, b);
    const struct asc_template *ts = asc_templates_of(s, spot);
    assert_string_equal(label(&ta->node, "eks.amazonaws.com/nodegroup"), "general-a");
    assert_string_equal(label(&ta->node, "topology.kubernetes.io/zone"), "us-east-1a");
    assert_string_equal(label(&ts->node, "capacity"), "spot");
    assert_null(label(&ts->node, "topology.kubernetes.io/zone"));
    assert_null(label(&ts->node, "node.kubernetes.io/instance-type"));
    assert_int_equal(ts->n_variants, 9);
    assert_int_equal(ts->node.n_taints, 1);
    assert_int_equal(ts->node.taints[0].effect, MODEL_EFFECT_PREFER_NO_SCHEDULE);

    /* general-a and general-b are the same machine in two zones; the spot
     * group (4 vCPUs) is not. */
    struct asc_similarity sim;
    asc_similarity_default(&sim);
    assert_true(asc_nodes_similar(&ta->node, NULL, &tb->node, NULL, &sim));
    assert_false(asc_nodes_similar(&ta->node, NULL, &ts->node, NULL, &sim));

    /* Prices: m5.large 0.096; the spot group costs its first override
     * (m5.xlarge, 0.192) on demand. */
    double pa = 0, ps = 0;
    assert_int_equal(asc_group_node_price(a, &pa, &err), HS_OK);
    assert_int_equal(asc_group_node_price(spot, &ps, &err), HS_OK);
    assert_true(pa == 0.096);
    assert_true(ps == 0.192);

    /* The priority file ranks the spot group first. */
    size_t len;
    char *text = slurp(data_path("priorities.txt"), &len);
    struct asc_priorities *prio = NULL;
    assert_int_equal(asc_priorities_parse(text, len, &prio, &err), HS_OK);
    hs_free(text);
    struct asc_option o[3];
    const struct asc_template *tt[3] = { ta, tb, ts };
    for (int i = 0; i < 3; i++) {
        memset(&o[i], 0, sizeof(o[i]));
        o[i].group = tt[i]->group;
        o[i].node = &tt[i]->node;
        o[i].node_count = 1;
        o[i].n_pods = 2;
        o[i].pods_cpu_milli = 1000;
        o[i].pods_memory = 2LL << 30;
    }
    struct asc_expander_env env = { .priorities = prio };
    struct asc_expander *e = NULL;
    struct hs_rng rng;
    hs_rng_seed(&rng, 42);
    assert_int_equal(asc_expander_new("priority,least-waste", &e, &err), HS_OK);
    assert_int_equal(asc_expander_choose(e, o, 3, &env, &rng), 2);
    /* least-waste alone: general-a and -b tie (smaller nodes); seeded. */
    asc_expander_free(&e);
    assert_int_equal(asc_expander_new("least-waste", &e, &err), HS_OK);
    hs_rng_seed(&rng, 42);
    ptrdiff_t first = asc_expander_choose(e, o, 3, &env, &rng);
    assert_true(first == 0 || first == 1);
    hs_rng_seed(&rng, 42);
    assert_int_equal(asc_expander_choose(e, o, 3, &env, &rng), first);

    asc_expander_free(&e);
    asc_priorities_free(&prio);
    asc_templates_free(&s);
    assert_int_equal(hs_intern_count(t), 0);
    hs_intern_free(&t);
    asc_groups_free(&g);
    model_lt_version_list_release(&lts);
    model_asg_list_release(&asgs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cluster_from_cli_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
