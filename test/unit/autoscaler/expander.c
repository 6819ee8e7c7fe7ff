/*
 * Tests of lib/autoscaler/expander.c and priority.c: each expander with a
 * hand-computed winner (the arithmetic is in the comments), chains and their
 * refusals, seeded determinism of the random pick, group prices, and the
 * priority configuration parser (valid text, an invalid regular expression,
 * each bad format, with the line named). Options are built by hand.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include "asc_fx.h"
#include "autoscaler/expander.h"
#include "base/alloc.h"

#define MIB (1024LL * 1024)
#define GIB (1024LL * MIB)

/* A template node with the given capacity (and an optional GPU). */
static struct model_node node_of(int64_t cpu_milli, int64_t mem, struct model_scalar *gpu)
{
    struct model_node n;
    memset(&n, 0, sizeof(n));
    n.capacity.cpu_milli = n.allocatable.cpu_milli = cpu_milli;
    n.capacity.memory = n.allocatable.memory = mem;
    if (gpu) {
        n.capacity.n_scalar = n.allocatable.n_scalar = 1;
        n.capacity.scalar = n.allocatable.scalar = gpu;
    }
    return n;
}

static struct asc_node_group group_of(const char *name)
{
    struct asc_node_group g;
    memset(&g, 0, sizeof(g));
    g.name = name;
    g.region = "us-east-1";
    return g;
}

static struct asc_option opt(const struct asc_node_group *g, const struct model_node *n,
                             int32_t nodes, uint32_t pods, int64_t cpu, int64_t mem)
{
    struct asc_option o;
    memset(&o, 0, sizeof(o));
    o.group = g;
    o.node = n;
    o.node_count = nodes;
    o.n_pods = pods;
    o.pods_cpu_milli = cpu;
    o.pods_memory = mem;
    return o;
}

static ptrdiff_t choose(const char *spec, const struct asc_option *o, size_t n,
                        const struct asc_expander_env *env, uint64_t seed)
{
    struct asc_expander *e = NULL;
    struct hs_err err = { 0 };
    struct hs_rng rng;
    if (asc_expander_new(spec, &e, &err) != HS_OK)
        fail_msg("%s: %s", spec, err.msg);
    hs_rng_seed(&rng, seed);
    ptrdiff_t r = asc_expander_choose(e, o, n, env, &rng);
    asc_expander_free(&e);
    return r;
}

static void least_waste(void **state)
{
    (void)state;
    struct model_node small = node_of(2000, 8 * GIB, NULL);
    struct model_node big = node_of(4000, 16 * GIB, NULL);
    struct asc_node_group ga = group_of("a"), gb = group_of("b"), gc = group_of("c");
    struct asc_option o[] = {
        /* 1 small node, pods 1500m/6Gi: (2000-1500)/2000 + (8-6)/8 = 0.25 + 0.25 = 0.5 */
        opt(&ga, &small, 1, 3, 1500, 6 * GIB),
        /* 1 big node, same pods: 2500/4000 + 10/16 = 0.625 + 0.625 = 1.25 */
        opt(&gb, &big, 1, 3, 1500, 6 * GIB),
        /* 2 small nodes, pods 3500m/14Gi: 500/4000 + 2/16 = 0.125 + 0.125 = 0.25 */
        opt(&gc, &small, 2, 7, 3500, 14 * GIB),
    };
    assert_int_equal(choose("least-waste", o, 3, NULL, 1), 2);

    /* The filter keeps ties, in input order. */
    size_t in[] = { 0, 1, 2 }, out[3];
    o[1] = opt(&gb, &small, 2, 7, 3500, 14 * GIB); /* also 0.25 */
    assert_int_equal(asc_expander_filter(ASC_EXPANDER_LEAST_WASTE, o, in, 3, out, NULL, NULL), 2);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
}

static void most_pods_and_least_nodes(void **state)
{
    (void)state;
    struct model_node n = node_of(2000, 8 * GIB, NULL);
    struct asc_node_group ga = group_of("a"), gb = group_of("b"), gc = group_of("c");
    struct asc_option o[] = {
        opt(&ga, &n, 3, 3, 0, 0),
        opt(&gb, &n, 1, 5, 0, 0),
        opt(&gc, &n, 2, 4, 0, 0),
    };
    /* most-pods: 5 pods (b) beat 4 and 3. */
    assert_int_equal(choose("most-pods", o, 3, NULL, 7), 1);
    /* least-nodes: 1 node (b). */
    assert_int_equal(choose("least-nodes", o, 3, NULL, 7), 1);
    /* least-nodes then most-pods: a and c tie at 3 nodes when b needs 3 too. */
    o[1].node_count = 3;
    o[2].node_count = 3;
    size_t in[] = { 0, 1, 2 }, out[3];
    assert_int_equal(asc_expander_filter(ASC_EXPANDER_LEAST_NODES, o, in, 3, out, NULL, NULL), 3);
    assert_int_equal(choose("least-nodes,most-pods", o, 3, NULL, 7), 1);
}

static void random_is_seeded(void **state)
{
    (void)state;
    struct model_node n = node_of(2000, 8 * GIB, NULL);
    struct asc_node_group ga = group_of("a"), gb = group_of("b"), gc = group_of("c");
    struct asc_option o[] = {
        opt(&ga, &n, 1, 5, 0, 0),
        opt(&gb, &n, 1, 5, 0, 0),
        opt(&gc, &n, 1, 1, 0, 0),
    };
    bool seen[3] = { false, false, false };
    for (uint64_t seed = 0; seed < 64; seed++) {
        ptrdiff_t a = choose("random", o, 3, NULL, seed);
        /* The same seed, the same choice. */
        assert_int_equal(choose("random", o, 3, NULL, seed), a);
        seen[a] = true;
        /* most-pods leaves a and b; random breaks the tie, never c. */
        ptrdiff_t m = choose("most-pods", o, 3, NULL, seed);
        assert_true(m == 0 || m == 1);
        assert_int_equal(choose("most-pods", o, 3, NULL, seed), m);
    }
    assert_true(seen[0] && seen[1] && seen[2]);
    assert_int_equal(choose("random", o, 0, NULL, 1), -1);
}

static void price(void **state)
{
    (void)state;
    struct model_scalar gpu = { "nvidia.com/gpu", 1 };
    struct model_node small = node_of(2000, 8 * GIB, NULL);
    struct model_node big = node_of(4000, 16 * GIB, NULL);
    struct model_node gpun = node_of(4000, 16 * GIB, &gpu);
    struct asc_node_group gx = group_of("x"), gy = group_of("y"), gz = group_of("z"),
                          gw = group_of("w");
    /* Rates 0.02 per vCPU-hour and 0.005 per GiB-hour; 10 nodes in the
     * cluster, so the preferred node has 4 vCPUs. Every option carries pods
     * of 2000m and 4 GiB: pods = 2*0.02 + 4*0.005 = 0.06; stabilization =
     * 0.5*0.02 + (500/1024)*0.005 = 0.0124414. */
    struct asc_expander_env env = { .cluster_nodes = 10,
                                    .cpu_price = 0.02,
                                    .memory_price_gib = 0.005 };
    struct asc_option o[] = {
        /* x: 2 small nodes at 0.096: (0.192+0.01244)/(0.06+0.01244) = 2.8222;
         * unfitness max(4000/2000, 2000/4000) = 2, suppressed by 2 nodes to
         * (2-1)*(1-tanh(1/15))+1 = 1.9334: score 5.456. */
        opt(&gx, &small, 2, 4, 2000, 4 * GIB),
        /* y: 1 big node at 0.192: the same ratio 2.8222, unfitness 1: 2.822. */
        opt(&gy, &big, 1, 4, 2000, 4 * GIB),
        /* z: a GPU node at 0.526: unfitness forced to 1000: 7430. */
        opt(&gz, &gpun, 1, 4, 2000, 4 * GIB),
        /* w: no price known: dropped. */
        opt(&gw, &big, 1, 4, 2000, 4 * GIB),
    };
    o[0].has_price = o[1].has_price = o[2].has_price = true;
    o[0].node_price = 0.096;
    o[1].node_price = 0.192;
    o[2].node_price = 0.526;
    assert_int_equal(choose("price", o, 4, &env, 3), 1);
    /* Without y, the GPU node loses to the badly sized x. */
    o[1].has_price = false;
    assert_int_equal(choose("price", o, 4, &env, 3), 0);
    /* Nothing priced: no option at all. */
    o[0].has_price = o[2].has_price = false;
    assert_int_equal(choose("price", o, 4, &env, 3), -1);
    /* Even a single option is dropped when it has no price. */
    assert_int_equal(choose("price", o, 1, &env, 3), -1);
}

static void group_prices(void **state)
{
    (void)state;
    struct model_asg_list l;
    model_asg_list_init(&l);
    struct model_asg *a = fx_asg(&l, "mixed", 0, 3, 0, "us-east-1a");
    fx_override(&l, a, "m5.xlarge");
    fx_override(&l, a, "m5.large");
    struct asc_node_group g = group_of("mixed");
    const char *types[] = { "m5.xlarge", "m5.large" };
    g.asg = a;
    g.instance_types = types;
    g.n_instance_types = 2;
    double p = 0;
    struct hs_err err = { 0 };

    /* prioritized (the default): the first override's price. */
    assert_int_equal(asc_group_node_price(&g, &p, &err), HS_OK);
    assert_true(p == 0.192);
    /* lowest-price: the cheapest. */
    a->mixed.distribution.present = true;
    a->mixed.distribution.on_demand_allocation_strategy = "lowest-price";
    assert_int_equal(asc_group_node_price(&g, &p, &err), HS_OK);
    assert_true(p == 0.096);
    /* A region without prices. */
    g.region = "xx-nowhere-1";
    assert_int_equal(asc_group_node_price(&g, &p, &err), HS_ENOTFOUND);
    assert_non_null(strstr(err.msg, "mixed"));
    assert_non_null(strstr(err.msg, "xx-nowhere-1"));
    model_asg_list_release(&l);
}

static const char prio_text[] = "# groups by preference\n"
                                "10:\n"
                                "  - .*t2\\.large.*\n"
                                "  - \"spot-.*\"   # quoted\n"
                                "  - on-demand\n"
                                "50:\n"
                                "- ^on-demand-\\d+$\n"
                                "\n"
                                "-5: ['neg.*', \"x\\\\.y\"]\n";

static void priority_parse_and_match(void **state)
{
    (void)state;
    struct asc_priorities *p = NULL;
    struct hs_err err = { 0 };
    int64_t prio = 0;

    assert_int_equal(asc_priorities_parse(prio_text, strlen(prio_text), &p, &err), HS_OK);
    assert_true(asc_priorities_of(p, "ng-t2.large-a", &prio));
    assert_int_equal(prio, 10);
    assert_true(asc_priorities_of(p, "eks-spot-1", &prio)); /* unanchored, as Go's find */
    assert_int_equal(prio, 10);
    /* Matches 10 ("on-demand") and 50: the higher wins. */
    assert_true(asc_priorities_of(p, "on-demand-12", &prio));
    assert_int_equal(prio, 50);
    assert_true(asc_priorities_of(p, "on-demand-x", &prio));
    assert_int_equal(prio, 10);
    assert_true(asc_priorities_of(p, "neg-1", &prio));
    assert_int_equal(prio, -5);
    assert_true(asc_priorities_of(p, "x.y", &prio));
    assert_false(asc_priorities_of(p, "t2xlarge", &prio)); /* \. is a dot */
    assert_false(asc_priorities_of(p, "other", &prio));
    asc_priorities_free(&p);
    assert_null(p);

    /* Repetition RE2 accepts: a non-greedy marker (same matches for a
     * search), counts up to 1000 through groups, a brace that is no count. */
    const char ok[] = "1:\n  - ^ng-a+?b$\n2:\n  - ^x(ab){2}(c{10}){100}$\n3:\n  - ^lit{a}\n";
    assert_int_equal(asc_priorities_parse(ok, strlen(ok), &p, &err), HS_OK);
    assert_true(asc_priorities_of(p, "ng-aab", &prio));
    assert_int_equal(prio, 1);
    assert_false(asc_priorities_of(p, "ng-b", &prio));
    assert_true(asc_priorities_of(p, "lit{a}", &prio));
    assert_int_equal(prio, 3);
    asc_priorities_free(&p);
}

static void priority_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        { "10:\n  - ab(\n", "line 2: cannot compile regular expression \"ab(\"" },
        { "10:\n  - a\n20:\n  - [z-a]\n", "line 4: cannot compile" },
        { "- foo\n", "line 1: list item before any" },
        { "10:\n\n20:\n  - a\n", "line 1: priority 10 has no regular expressions" },
        { "10:\n  - a\n20:\n", "line 3: priority 20 has no regular expressions" },
        { "abc:\n  - x\n", "line 1: expected \"<integer priority>:\"" },
        { "10:\n  - a\n10:\n  - b\n", "line 3: priority 10 given twice" },
        { "", "the configuration is empty" },
        { "# only a comment\n", "the configuration is empty" },
        { "10: foo\n", "line 1: expected a list of regular expressions" },
        { "10:\n  - (?i)abc\n", "line 2: regular expression \"(?i)abc\" uses RE2-only syntax" },
        { "10:\n  - \"a\\qb\"\n", "line 2: invalid escape \\q" },
        { "10:\n  - 'unterminated\n", "line 2: unterminated single-quoted string" },
        { "10: [a, b\n", "line 1: unterminated [ list" },
        { "10:\n  -\n", "line 2: empty regular expression" },
        { "10:\n  - \\bword\n", "line 2: regular expression \"\\bword\": escape \\b" },
        /* What RE2 refuses about repetition, refused before regcomp sees it
         * (glibc would take a++ as a nested repeat and can blow up on it). */
        { "10:\n  - a++\n", "line 2: regular expression \"a++\": invalid nested repetition" },
        { "10:\n  - a**\n", "invalid nested repetition operator" },
        { "10:\n  - a*?+\n", "invalid nested repetition operator" },
        { "10:\n  - \"*spot\"\n", "missing argument to repetition operator" },
        { "10:\n  - a|+b\n", "missing argument to repetition operator" },
        { "10:\n  - ()*x(+)\n", "missing argument to repetition operator" },
        { "10:\n  - a{1001}\n", "invalid repeat count" },
        { "10:\n  - (a{100}b){11}\n", "invalid repeat count" },
        { "10:\n  - ((a{10}){10}){11}\n", "invalid repeat count" },
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(cases); i++) {
        struct asc_priorities *p = NULL;
        struct hs_err err = { 0 };
        enum hs_code rc = asc_priorities_parse(cases[i].text, strlen(cases[i].text), &p, &err);
        if (rc != HS_EPARSE)
            fail_msg("case %zu: rc %d, want HS_EPARSE", i, rc);
        assert_null(p);
        print_message("%s\n", err.msg);
        if (!strstr(err.msg, cases[i].want))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg, cases[i].want);
    }
}

static void priority_chain(void **state)
{
    (void)state;
    struct model_node small = node_of(2000, 8 * GIB, NULL);
    struct model_node big = node_of(4000, 16 * GIB, NULL);
    struct asc_node_group g1 = group_of("spot-1"), g2 = group_of("spot-2"),
                          g3 = group_of("on-demand-1"), g4 = group_of("unlisted");
    const char text[] = "50:\n  - ^spot-\n10:\n  - ^on-demand-\n";
    struct asc_priorities *p = NULL;
    assert_int_equal(asc_priorities_parse(text, strlen(text), &p, NULL), HS_OK);
    struct asc_expander_env env = { .priorities = p };
    struct asc_option o[] = {
        /* waste 2500/4000 + 10/16 = 1.25 */
        opt(&g1, &big, 1, 3, 1500, 6 * GIB),
        /* waste 500/2000 + 2/8 = 0.5: the better spot group */
        opt(&g2, &small, 1, 3, 1500, 6 * GIB),
        /* waste 0: the best fit, but priority 10 */
        opt(&g3, &small, 1, 3, 2000, 8 * GIB),
        opt(&g4, &small, 1, 3, 2000, 8 * GIB),
    };
    /* priority keeps spot-1 and spot-2 (50); least-waste picks spot-2. */
    assert_int_equal(choose("priority,least-waste", o, 4, &env, 9), 1);
    /* least-waste alone: on-demand-1 and unlisted tie at 0; random picks. */
    ptrdiff_t r = choose("least-waste", o, 4, &env, 9);
    assert_true(r == 2 || r == 3);
    /* Only unlisted groups: priority filters nothing. */
    assert_int_equal(choose("priority,least-waste", o + 3, 1, &env, 9), 0);
    size_t in[] = { 3 }, out[1];
    assert_int_equal(asc_expander_filter(ASC_EXPANDER_PRIORITY, o, in, 1, out, &env, NULL), 1);
    /* No configuration: cluster-autoscaler scales nothing up. */
    env.priorities = NULL;
    assert_int_equal(choose("priority,least-waste", o, 4, &env, 9), -1);
    asc_priorities_free(&p);
}

static void chain_specs(void **state)
{
    (void)state;
    struct asc_expander *e = NULL;
    struct hs_err err = { 0 };
    assert_int_equal(asc_expander_new("priority,least-waste,random", &e, &err), HS_OK);
    assert_int_equal(asc_expander_len(e), 3);
    assert_int_equal(asc_expander_at(e, 0), ASC_EXPANDER_PRIORITY);
    assert_int_equal(asc_expander_at(e, 1), ASC_EXPANDER_LEAST_WASTE);
    assert_int_equal(asc_expander_at(e, 2), ASC_EXPANDER_RANDOM);
    assert_string_equal(asc_expander_name(asc_expander_at(e, 1)), "least-waste");
    asc_expander_free(&e);
    assert_null(e);

    static const struct {
        const char *spec, *want;
    } bad[] = {
        { "cheapest", "expander \"cheapest\" not supported" },
        { "random,least-waste", "least-waste comes after random" },
        { "least-waste,least-waste", "least-waste given more than once" },
        { "", "empty expander name" },
        { "price,,priority", "empty expander name" },
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(bad); i++) {
        struct hs_err e2 = { 0 };
        assert_int_equal(asc_expander_new(bad[i].spec, &e, &e2), HS_EINVAL);
        assert_null(e);
        if (!strstr(e2.msg, bad[i].want))
            fail_msg("\"%s\": \"%s\" lacks \"%s\"", bad[i].spec, e2.msg, bad[i].want);
    }
}

static void option_add_pod(void **state)
{
    (void)state;
    struct asc_option o;
    struct model_pod p;
    memset(&o, 0, sizeof(o));
    memset(&p, 0, sizeof(p));
    p.requests.cpu_milli = 250;
    p.requests.memory = 512 * MIB;
    asc_option_add_pod(&o, &p);
    asc_option_add_pod(&o, &p);
    assert_int_equal(o.n_pods, 2);
    assert_int_equal(o.pods_cpu_milli, 500);
    assert_int_equal(o.pods_memory, 1024 * MIB);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(least_waste),      cmocka_unit_test(most_pods_and_least_nodes),
        cmocka_unit_test(random_is_seeded), cmocka_unit_test(price),
        cmocka_unit_test(group_prices),     cmocka_unit_test(priority_parse_and_match),
        cmocka_unit_test(priority_errors),  cmocka_unit_test(priority_chain),
        cmocka_unit_test(chain_specs),      cmocka_unit_test(option_add_pod),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
