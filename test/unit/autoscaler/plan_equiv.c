/*
 * Whole plans with and without the estimator's reuse: seeded random
 * clusters of single-zone ASGs (a few instance types in three zones, some
 * with nodes already), pending pods of the karpenter benchmark's kinds and
 * more (zone and hostname spread, zone affinity, hostname anti-affinity,
 * zone selectors, pods too big for any type), planned loop after loop, each
 * loop's scale-up committed as registered nodes with the pods bound where
 * the estimate packed them, as hoist-bench's karpenter --plan does. The
 * same workload runs twice: once as the planner runs, once with every
 * estimate computed by sim__estimate_reference (no twin memo, no kept
 * buckets, no skipping, no estimate abandoned by the expander's bound (the
 * reference ignores the stop callback; with the priority expander first,
 * the groups of lower priorities are skipped all the same), and no template
 * check shared between groups); every loop's plan, printed, must be the
 * same.
 *
 * The planner here is lib/autoscaler built over the simulator's unit-test
 * build (see CMakeLists.txt), where that switch lives.
 */
#include "hs_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscaler/plan.h"
#include "autoscaler/template.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/rng.h"
#include "model/asg.h"
#include "model/model.h"
#include "sim_int.h"

#define MIB (1024LL * 1024)
#define GIB (1024LL * MIB)

static const char *zones[] = { "us-east-1a", "us-east-1b", "us-east-1c" };
static const char *vals[] = { "a", "b", "c", "d" };

static uint32_t pick(struct hs_rng *r, uint32_t n)
{
    return (uint32_t)hs_rng_below(r, n);
}

static bool chance(struct hs_rng *r, uint32_t percent)
{
    return pick(r, 100) < percent;
}

struct world {
    struct hs_intern *t;
    struct model_cluster *c;
    struct model_asg_list asgs;
    struct model_instance_type_list types;
    struct asc_tag_filter filter;
    struct asc_options o;
    struct asc_groups *groups;
    struct asc_templates *tmpls;
    long serial;
    char priorities[512]; /* the priority expander's text, "" = none */
};

static const char *I(struct world *w, const char *s)
{
    return hs_intern_cstr(w->t, s);
}

static struct model_labels labels1(struct world *w, const char *k, const char *v)
{
    struct model_labels l = { .n = 1 };
    l.v = HS_ARENA_NEW(&w->c->arena, struct model_label);
    l.v->key = I(w, k);
    l.v->value = I(w, v);
    return l;
}

static struct model_label_selector in_sel(struct world *w, const char *k, const char *v)
{
    struct hs_arena *a = &w->c->arena;
    struct model_label_selector s = { .present = true, .n = 1 };
    s.req = HS_ARENA_NEW(a, struct model_requirement);
    s.req->key = I(w, k);
    s.req->op = MODEL_OP_IN;
    s.req->n_values = 1;
    s.req->values = HS_ARENA_NEW(a, const char *);
    s.req->values[0] = I(w, v);
    return s;
}

static struct model_pod_affinity *one_term(struct world *w, const char *key, const char *k,
                                           const char *v)
{
    struct hs_arena *a = &w->c->arena;
    struct model_pod_affinity *pa = HS_ARENA_NEW(a, struct model_pod_affinity);
    pa->n_required = 1;
    pa->required = HS_ARENA_NEW(a, struct model_pod_affinity_term);
    pa->required->selector = in_sel(w, k, v);
    pa->required->topology_key = I(w, key);
    return pa;
}

/* Pending pod i of kind (0 generic, 1 zone spread, 2 hostname spread,
 * 3 zone self-affinity, 4 hostname anti-affinity, 5 zone selector, 6 too
 * big for any type, 7 zone spread honouring taints). */
static struct model_pod *pending(struct world *w, struct hs_rng *r, int kind, int i)
{
    static const int64_t cpus[] = { 100, 250, 500, 1000, 1500 };
    static const int64_t mems[] = { 100, 256, 512, 1024, 2048 };
    struct hs_arena *a = &w->c->arena;
    struct model_pod *p = HS_ARENA_NEW(a, struct model_pod);
    char name[32];
    snprintf(name, sizeof(name), "p-%d", i);
    p->ns = I(w, "default");
    p->name = hs_arena_strndup(a, name, strlen(name));
    p->phase = MODEL_PHASE_PENDING;
    p->scheduled = MODEL_COND_FALSE;
    p->scheduled_reason = I(w, "Unschedulable");
    static const char *owners[] = { "generic",   "zone-spread", "host-spread", "zone-aff",
                                    "host-anti", "zone-sel",    "huge",        "zone-taint" };
    p->n_owners = 1;
    p->owners = HS_ARENA_NEW(a, struct model_owner_ref);
    p->owners->kind = I(w, "ReplicaSet");
    p->owners->name = owners[kind];
    p->owners->controller = true;
    const char *val = vals[pick(r, 4)];
    p->labels = labels1(w,
                        kind == 3   ? "my-affinity"
                        : kind == 4 ? "app"
                                    : "my-label",
                        kind == 4 ? "nginx" : val);
    switch (kind) {
    case 1:
    case 2:
    case 7:
        p->n_spreads = 1;
        p->spreads = HS_ARENA_NEW(a, struct model_spread);
        p->spreads->max_skew = 1 + (int32_t)pick(r, 2);
        p->spreads->do_not_schedule = true;
        p->spreads->topology_key =
            I(w, kind == 2 ? "kubernetes.io/hostname" : "topology.kubernetes.io/zone");
        p->spreads->selector = in_sel(w, "my-label", vals[pick(r, 4)]);
        if (kind == 7)
            p->spreads->node_taints_policy = MODEL_POLICY_HONOR;
        break;
    case 3:
        p->affinity = one_term(w, "topology.kubernetes.io/zone", "my-affinity", val);
        break;
    case 4:
        p->anti_affinity = one_term(w, "kubernetes.io/hostname", "app", "nginx");
        break;
    case 5:
        p->node_selector = labels1(w, "topology.kubernetes.io/zone", zones[pick(r, 3)]);
        break;
    default:
        break;
    }
    p->requests.cpu_milli = kind == 6 ? 64000 : cpus[pick(r, 5)];
    p->requests.memory = mems[pick(r, 5)] * MIB;
    p->requests.pods = 1;
    return p;
}

/* Adds add registered nodes of group (name gname) as its template makes
 * them; names[m] receives the m-th node's name. */
static void add_nodes(struct world *w, const char *gname, int32_t add, const char **names)
{
    struct model_asg *g = NULL;
    const struct asc_template *tp = NULL;
    for (uint32_t j = 0; j < w->asgs.n; j++)
        if (strcmp(w->asgs.v[j].name, gname) == 0)
            g = &w->asgs.v[j];
    for (uint32_t j = 0; j < w->groups->n; j++)
        if (strcmp(w->groups->v[j].name, gname) == 0)
            tp = asc_templates_of(w->tmpls, &w->groups->v[j]);
    assert_non_null(g);
    assert_non_null(tp);
    struct hs_arena *a = &w->c->arena;
    char name[96];
    for (int32_t m = 0; m < add; m++) {
        struct model_node *n = HS_ARENA_NEW(a, struct model_node);
        *n = tp->node;
        snprintf(name, sizeof(name), "new-%ld", w->serial);
        n->name = I(w, name);
        n->labels.v = HS_ARENA_NEW_ARRAY(a, struct model_label, tp->node.labels.n);
        memcpy(n->labels.v, tp->node.labels.v, tp->node.labels.n * sizeof(*n->labels.v));
        for (uint32_t l = 0; l < n->labels.n; l++)
            if (strcmp(n->labels.v[l].key, "kubernetes.io/hostname") == 0)
                n->labels.v[l].value = n->name;
        snprintf(name, sizeof(name), "i-%017ld", w->serial);
        struct model_asg_instance *inst = model_asg_add_instance(&w->asgs, g);
        inst->id = hs_arena_strndup(&w->asgs.arena, name, strlen(name));
        inst->zone = g->zones[0];
        inst->instance_type = g->mixed.overrides[0].instance_type;
        inst->lifecycle_state = "InService";
        snprintf(name, sizeof(name), "aws:///%s/i-%017ld", g->zones[0], w->serial);
        n->provider_id = hs_arena_strndup(a, name, strlen(name));
        n->ready = MODEL_COND_TRUE;
        model_cluster_add_node(w->c, n);
        if (names)
            names[m] = n->name;
        w->serial++;
    }
    g->desired_capacity += add;
}

static void world_init(struct world *w, uint64_t seed)
{
    memset(w, 0, sizeof(*w));
    struct hs_rng r;
    hs_rng_seed(&r, seed);
    w->t = hs_intern_new();
    w->c = model_cluster_new(w->t);
    model_instance_type_list_init(&w->types);
    model_asg_list_init(&w->asgs);
    char name[96];
    uint32_t n_types = 2 + pick(&r, 3);
    for (uint32_t i = 0; i < n_types; i++) {
        struct model_instance_type *it = model_instance_type_list_add(&w->types);
        snprintf(name, sizeof(name), "fake-it-%u", i);
        it->name = hs_arena_strndup(&w->types.arena, name, strlen(name));
        int64_t size = 1 + pick(&r, 6);
        it->vcpu = (int32_t)size;
        it->memory_mib = 2048LL * size;
        it->arch = "x86_64";
        it->max_enis = 2;
        it->ipv4_per_eni = (int32_t)(3 + 2 * size);
        for (int z = 0; z < 3; z++) {
            struct model_asg *g = model_asg_list_add(&w->asgs);
            snprintf(name, sizeof(name), "ng-%u-%c", i, 'a' + z);
            g->name = hs_arena_strndup(&w->asgs.arena, name, strlen(name));
            g->min_size = 0;
            g->max_size = 40 + (int32_t)pick(&r, 60);
            g->desired_capacity = 0;
            model_asg_add_zone(&w->asgs, g, zones[z], strlen(zones[z]));
            g->mixed.present = true;
            struct model_asg_override *ov = model_asg_add_override(&w->asgs, g);
            ov->instance_type = it->name;
            ov->weighted_capacity = MODEL_ABSENT;
            struct model_asg_tag *tag = model_asg_add_tag(&w->asgs, g);
            tag->key = "k8s.io/cluster-autoscaler/enabled";
            tag->value = "true";
        }
    }
    asc_options_init(&w->o);
    w->filter.key = "k8s.io/cluster-autoscaler/enabled";
    w->o.discovery = &w->filter;
    w->o.n_discovery = 1;
    w->o.max_nodes_per_scaleup = 3 + (int32_t)pick(&r, 20);
    static const enum asc_expander_kind ex[] = { ASC_EXPANDER_LEAST_WASTE, ASC_EXPANDER_MOST_PODS,
                                                 ASC_EXPANDER_RANDOM, ASC_EXPANDER_LEAST_NODES };
    w->o.expanders[0] = ex[pick(&r, 4)];
    /* sometimes priority first: groups by type and zone at a few levels
     * (some below -1, some unmatched, sometimes no text at all), so that
     * levels without options, unmatched groups and ties all occur */
    if (chance(&r, 25)) {
        w->o.expanders[0] = ASC_EXPANDER_PRIORITY;
        if (chance(&r, 85)) {
            static const char *pats[] = { "ng-0-.*", "ng-1-.*", ".*-a",   ".*-b",
                                          "ng-2-c",  "ng-.*",   "nomatch" };
            static const int prios[] = { 50, 10, -1, -5, 0 };
            bool used[HS_ARRAY_LEN(prios)] = { false };
            size_t len = 0;
            uint32_t levels = 1 + pick(&r, 3);
            for (uint32_t l = 0; l < levels; l++) {
                uint32_t k = pick(&r, HS_ARRAY_LEN(prios));
                const char *pat = pats[pick(&r, HS_ARRAY_LEN(pats))];
                if (used[k])
                    continue; /* one list per priority */
                used[k] = true;
                len += (size_t)snprintf(w->priorities + len, sizeof(w->priorities) - len,
                                        "%d:\n  - %s\n", prios[k], pat);
            }
        }
    }
    /* sometimes a chain: the later links must see the same options whether
     * or not the first one's losers were abandoned half-way */
    if (w->o.expanders[0] != ASC_EXPANDER_RANDOM && chance(&r, 40)) {
        enum asc_expander_kind next = ex[pick(&r, 4)];
        if (next != w->o.expanders[0]) {
            w->o.expanders[1] = next;
            w->o.n_expanders = 2;
        }
    }
    w->o.balance_similar_node_groups = chance(&r, 30);
    w->o.scale_down_enabled = chance(&r, 50);

    struct asc_cloud cloud = { .asgs = &w->asgs,
                               .instance_types = &w->types,
                               .region = "us-east-1" };
    struct asc_discovery d = { .filters = &w->filter, .n_filters = 1 };
    asc_group_options_default(&d.defaults);
    struct hs_err err = { 0 };
    struct asc_template_config tc = { 0 };
    assert_int_equal(asc_groups_build(&cloud, &d, &w->groups, &err), HS_OK);
    assert_int_equal(asc_templates_build(w->groups, &cloud, NULL, 0, &tc, w->t, &w->tmpls, &err),
                     HS_OK);

    /* some groups start with nodes, some of them running pods */
    int n_pods = 0;
    for (uint32_t j = 0; j < w->asgs.n; j++) {
        if (!chance(&r, 30))
            continue;
        const char *names[4];
        int32_t add = 1 + (int32_t)pick(&r, 4);
        add_nodes(w, w->asgs.v[j].name, add, names);
        for (int32_t m = 0; m < add; m++) {
            uint32_t k = pick(&r, 3);
            for (uint32_t q = 0; q < k; q++) {
                struct model_pod *p = pending(w, &r, (int)pick(&r, 5), 10000 + n_pods++);
                p->node_name = names[m];
                p->phase = MODEL_PHASE_RUNNING;
                p->scheduled = MODEL_COND_TRUE;
                p->scheduled_reason = NULL;
                p->requests.cpu_milli = 100;
                p->requests.memory = 100 * MIB;
                model_cluster_add_pod(w->c, p);
            }
        }
    }
    /* the pending pods, kinds in runs as the benchmark makes them */
    int n = 20 + (int)pick(&r, 100);
    uint32_t mix = pick(&r, 3);
    for (int i = 0; i < n; i++) {
        int kind = mix == 0 ? i * 5 / n : (int)pick(&r, mix == 1 ? 5 : 8);
        model_cluster_add_pod(w->c, pending(w, &r, kind, i));
    }
}

static void world_release(struct world *w)
{
    asc_templates_free(&w->tmpls);
    asc_groups_free(&w->groups);
    model_asg_list_release(&w->asgs);
    model_instance_type_list_release(&w->types);
    /* nodes share the templates' strings without references: drop the
     * cluster's arena and the table whole */
    w->c->n_nodes = w->c->n_pods = 0;
    model_cluster_free(&w->c);
    hs_intern_free(&w->t);
}

static void print_plan(struct hs_buf *b, const struct asc_plan *p)
{
    for (size_t i = 0; i < p->n_scale_up; i++) {
        const struct asc_scale_up *u = &p->scale_up[i];
        hs_buf_addf(b, "up %s %d->%d:", u->group, (int)u->current_size, (int)u->new_size);
        for (size_t k = 0; k < u->n_pods; k++)
            hs_buf_addf(b, " %s@%d", u->pods[k], u->pod_nodes ? (int)u->pod_nodes[k] : -9);
        hs_buf_adds(b, "\n");
    }
    for (size_t i = 0; i < p->n_awaiting; i++)
        hs_buf_addf(b, "later %s\n", p->awaiting[i]);
    for (size_t i = 0; i < p->n_no_scale_up; i++) {
        const struct asc_no_scale_up *ns = &p->no_scale_up[i];
        hs_buf_addf(b, "none %s:", ns->pod);
        for (size_t k = 0; k < ns->n_reasons; k++)
            hs_buf_addf(b, " [%s: %s]", ns->reasons[k].group, ns->reasons[k].reason);
        hs_buf_adds(b, "\n");
    }
    for (int pass = 0; pass < 2; pass++) {
        const struct asc_scale_down *v = pass ? p->unneeded : p->scale_down;
        size_t n = pass ? p->n_unneeded : p->n_scale_down;
        for (size_t i = 0; i < n; i++) {
            hs_buf_addf(b, "%s %s %s %d %.6f:", pass ? "unneeded" : "down", v[i].node,
                        v[i].group ? v[i].group : "-", v[i].empty, v[i].utilization);
            for (size_t k = 0; k < v[i].n_moves; k++)
                hs_buf_addf(b, " %s->%s", v[i].moves[k].pod, v[i].moves[k].node);
            hs_buf_adds(b, "\n");
        }
    }
    for (size_t i = 0; i < p->n_unremovable; i++)
        hs_buf_addf(b, "unremovable %s %s\n", p->unremovable[i].node, p->unremovable[i].reason);
    for (size_t i = 0; i < p->n_warnings; i++)
        hs_buf_addf(b, "warning %s\n", p->warnings[i]);
    hs_buf_addf(b, "status %s\n", p->status ? p->status : "");
}

/* Plans the world of seed loop after loop (at most 8), committing each
 * scale-up; every plan printed into out. */
static int plan_loops(uint64_t seed, struct hs_buf *out)
{
    struct world w;
    world_init(&w, seed);
    struct asc_inputs in = { .cluster = w.c,
                             .asgs = &w.asgs,
                             .instance_types = &w.types,
                             .region = "us-east-1",
                             .now = 1795860000LL * 1000000000LL,
                             .seed = seed,
                             .priority_config = w.priorities[0] ? w.priorities : NULL,
                             .timers_expired = true };
    struct asc_state *s = asc_state_new();
    int loops = 0;
    for (; loops < 8; loops++) {
        struct asc_plan p;
        struct hs_err err = { 0 };
        asc_plan_init(&p);
        assert_int_equal(asc_plan_run(s, &w.o, &in, &p, &err), HS_OK);
        hs_buf_addf(out, "loop %d\n", loops);
        print_plan(out, &p);
        size_t n_up = p.n_scale_up;
        for (size_t k = 0; k < p.n_scale_up; k++) {
            const struct asc_scale_up *u = &p.scale_up[k];
            int32_t add = u->new_size - u->current_size;
            const char **names = hs_calloc((size_t)add + 1, sizeof(*names));
            add_nodes(&w, u->group, add, names);
            for (size_t q = 0; q < u->n_pods && u->pod_nodes; q++) {
                const char *dash = strrchr(u->pods[q], '-');
                int idx = dash ? atoi(dash + 1) : -1;
                int32_t at = u->pod_nodes[q];
                if (at < 0 || at >= add)
                    continue;
                for (size_t j = 0; j < w.c->n_pods; j++) {
                    struct model_pod *pod = w.c->pods[j];
                    char want[32];
                    snprintf(want, sizeof(want), "p-%d", idx);
                    if (pod->node_name || strcmp(pod->name, want) != 0)
                        continue;
                    pod->node_name = names[at];
                    pod->phase = MODEL_PHASE_RUNNING;
                    pod->scheduled = MODEL_COND_TRUE;
                    pod->scheduled_reason = NULL;
                    break;
                }
            }
            hs_free(names);
        }
        asc_plan_release(&p);
        if (!n_up)
            break;
    }
    asc_state_free(&s);
    world_release(&w);
    return loops;
}

static void test_plans_with_and_without_reuse(void **state)
{
    (void)state;
    int loops = 0;
    for (uint64_t seed = 1; seed <= 300; seed++) {
        struct hs_buf fast, plain;
        hs_buf_init(&fast);
        hs_buf_init(&plain);
        sim__estimate_plain = false;
        loops += plan_loops(seed, &fast);
        sim__estimate_plain = true;
        plan_loops(seed, &plain);
        sim__estimate_plain = false;
        hs_buf_addc(&fast, '\0');
        hs_buf_addc(&plain, '\0');
        if (strcmp(fast.data, plain.data) != 0)
            print_message("seed %llu: plans differ\n--- with reuse\n%s--- plain\n%s",
                          (unsigned long long)seed, fast.data, plain.data);
        assert_string_equal(fast.data, plain.data);
        hs_buf_release(&fast);
        hs_buf_release(&plain);
    }
    print_message("%d planner loops compared, %llu estimates abandoned by the expander's "
                  "bound, %llu template checks shared by twin templates\n",
                  loops, (unsigned long long)sim__estimate_stops,
                  (unsigned long long)sim__twins_hits);
    assert_true(sim__estimate_stops > 50);
    assert_true(sim__twins_hits > 50);
    assert_true(loops > 600);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plans_with_and_without_reuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
