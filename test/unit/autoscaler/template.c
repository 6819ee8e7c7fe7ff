/*
 * Tests of lib/autoscaler/template.c and daemonset.c: scale-from-zero
 * templates for m5.large, GPU types, arm64, a mixed-instances group (per-
 * resource minimum, instance-type requirement over every override), a 3-AZ
 * group (no zone promised, per-zone variants), the node-template label,
 * taint and resource tags, the EKS managed-node-group tag, a sanitized real
 * node, and DaemonSet overhead. Expected numbers are the EKS AMI arithmetic
 * with hoist's defaults (see lib/model/ec2_facts.c), written out per case.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include "asc_fx.h"
#include "autoscaler/template.h"
#include "base/alloc.h"

#define MIB (1024LL * 1024)
#define GIB (1024LL * MIB)

struct fx {
    struct hs_intern *t;
    struct hs_arena a;
    struct model_asg_list l;
    struct asc_groups *g;
    struct asc_templates *s;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    f->t = hs_intern_new();
    hs_arena_init(&f->a, 0);
    model_asg_list_init(&f->l);
    *state = f;
    return 0;
}

static void unref_node(struct fx *f, struct model_node *n)
{
    model_node_unref_strings(n, f->t);
}

static int teardown(void **state)
{
    struct fx *f = *state;
    asc_templates_free(&f->s);
    asc_groups_free(&f->g);
    model_asg_list_release(&f->l);
    hs_arena_release(&f->a);
    /* Every reference the templates took is gone again. */
    size_t live = hs_intern_count(f->t);
    hs_intern_free(&f->t);
    free(f);
    if (live != 0)
        fail_msg("%zu interned strings still referenced", live);
    return 0;
}

/* Builds groups for every ASG of f->l (all named by --nodes) and their
 * templates from the given nodes. */
static void build(struct fx *f, const struct model_node *const *nodes, size_t n_nodes,
                  const struct asc_template_config *cfg)
{
    struct asc_node_spec specs[16];
    size_t n = 0;
    for (uint32_t i = 0; i < f->l.n && n < 16; i++)
        specs[n++] =
            (struct asc_node_spec){ f->l.v[i].min_size, f->l.v[i].max_size, f->l.v[i].name };
    struct asc_cloud cloud = { .asgs = &f->l };
    struct asc_discovery d = { .nodes = specs, .n_nodes = n };
    asc_group_options_default(&d.defaults);
    struct hs_err err = { 0 };
    assert_int_equal(asc_groups_build(&cloud, &d, &f->g, &err), HS_OK);
    assert_int_equal(asc_templates_build(f->g, &cloud, nodes, n_nodes, cfg, f->t, &f->s, &err),
                     HS_OK);
    for (uint32_t i = 0; i < f->s->warnings.n; i++)
        print_message("warning: %s\n", f->s->warnings.v[i]);
}

static const struct asc_template *tmpl(struct fx *f, const char *group)
{
    const struct asc_template *t = asc_templates_of(f->s, asc_groups_find(f->g, group));
    if (!t)
        fail_msg("group %s has no template", group);
    return t;
}

static const char *label(const struct model_node *n, const char *key)
{
    for (uint32_t i = 0; i < n->labels.n; i++)
        if (strcmp(n->labels.v[i].key, key) == 0)
            return n->labels.v[i].value;
    return NULL;
}

static void want_label(const struct model_node *n, const char *key, const char *value)
{
    const char *v = label(n, key);
    if (!value && v)
        fail_msg("%s: label %s=%s, want none", n->name, key, v);
    if (value && (!v || strcmp(v, value) != 0))
        fail_msg("%s: label %s=%s, want %s", n->name, key, v ? v : "(none)", value);
}

static void labels_sorted(const struct model_node *n)
{
    for (uint32_t i = 1; i < n->labels.n; i++)
        if (strcmp(n->labels.v[i - 1].key, n->labels.v[i].key) >= 0)
            fail_msg("%s: labels not sorted at %s", n->name, n->labels.v[i].key);
}

static int64_t scalar(const struct model_resources *r, const char *name)
{
    for (uint32_t i = 0; i < r->n_scalar; i++)
        if (strcmp(r->scalar[i].name, name) == 0)
            return r->scalar[i].value;
    return 0;
}

static void m5_large(void **state)
{
    struct fx *f = *state;
    struct model_asg *g = fx_asg(&f->l, "ng-m5", 0, 10, 0, "us-east-1a");
    fx_override(&f->l, g, "m5.large");
    build(f, NULL, 0, NULL);
    const struct asc_template *t = tmpl(f, "ng-m5");
    const struct model_node *n = &t->node;

    assert_false(t->from_node);
    assert_false(t->gpu);
    assert_string_equal(n->name, "template-node-for-ng-m5");
    labels_sorted(n);
    want_label(n, "kubernetes.io/arch", "amd64");
    want_label(n, "beta.kubernetes.io/arch", "amd64");
    want_label(n, "kubernetes.io/os", "linux");
    want_label(n, "beta.kubernetes.io/os", "linux");
    want_label(n, "node.kubernetes.io/instance-type", "m5.large");
    want_label(n, "beta.kubernetes.io/instance-type", "m5.large");
    want_label(n, "topology.kubernetes.io/region", "us-east-1");
    want_label(n, "failure-domain.beta.kubernetes.io/region", "us-east-1");
    want_label(n, "topology.kubernetes.io/zone", "us-east-1a");
    want_label(n, "failure-domain.beta.kubernetes.io/zone", "us-east-1a");
    want_label(n, "topology.ebs.csi.aws.com/zone", "us-east-1a");
    want_label(n, "kubernetes.io/hostname", "template-node-for-ng-m5");
    assert_int_equal(n->ready, MODEL_COND_TRUE);
    assert_int_equal(n->n_taints, 0);

    /* Capacity: 2 vCPU; 8192 MiB less the 7.5% (615 MiB) the kernel keeps;
     * 20 GiB root volume; 29 pods (3 ENIs * (10-1) + 2). */
    assert_int_equal(n->capacity.cpu_milli, 2000);
    assert_int_equal(n->capacity.memory, (8192 - 615) * MIB);
    assert_int_equal(n->capacity.ephemeral_storage, 20 * GIB);
    assert_int_equal(n->capacity.pods, 29);
    /* Allocatable: 2000m - 70m kube-reserved; 7577 - (11*29+255) - 100
     * MiB eviction = 6903 MiB; 20 GiB - 1 GiB - 10% = 17 GiB; not 110 pods
     * and not the capacity as cluster-autoscaler says. */
    assert_int_equal(n->allocatable.cpu_milli, 1930);
    assert_int_equal(n->allocatable.memory, 6903 * MIB);
    assert_int_equal(n->allocatable.ephemeral_storage, 17 * GIB);
    assert_int_equal(n->allocatable.pods, 29);

    /* One type, one zone: one variant equal to the node. */
    assert_int_equal(t->n_variants, 1);
    assert_string_equal(t->variants[0].instance_type, "m5.large");
    assert_string_equal(t->variants[0].zone, "us-east-1a");
    assert_int_equal(t->variants[0].node.allocatable.memory, 6903 * MIB);
}

static void gpu_types(void **state)
{
    struct fx *f = *state;
    struct model_asg *g = fx_asg(&f->l, "ng-g4dn", 0, 4, 0, "us-east-1a");
    fx_override(&f->l, g, "g4dn.xlarge");
    g = fx_asg(&f->l, "ng-p3", 0, 4, 0, "us-east-1a");
    fx_override(&f->l, g, "p3.2xlarge");
    build(f, NULL, 0, NULL);

    /* g4dn.xlarge: 4 vCPU, 16 GiB, one NVIDIA T4, 3 ENIs * 9 + 2 = 29. */
    const struct asc_template *t = tmpl(f, "ng-g4dn");
    assert_true(t->gpu);
    assert_int_equal(scalar(&t->node.capacity, "nvidia.com/gpu"), 1);
    assert_int_equal(scalar(&t->node.allocatable, "nvidia.com/gpu"), 1);
    assert_int_equal(t->node.capacity.cpu_milli, 4000);
    /* 4000m - (60 + 10 + 5 + 5) = 3920m */
    assert_int_equal(t->node.allocatable.cpu_milli, 3920);
    assert_int_equal(t->node.allocatable.pods, 29);

    /* p3.2xlarge: 8 vCPU, one V100, 4 ENIs * 14 + 2 = 58 pods. */
    t = tmpl(f, "ng-p3");
    assert_true(t->gpu);
    assert_int_equal(scalar(&t->node.allocatable, "nvidia.com/gpu"), 1);
    assert_int_equal(t->node.capacity.cpu_milli, 8000);
    /* 8000m - (60 + 10 + 5 + 5 + 4 * 2.5) = 7910m */
    assert_int_equal(t->node.allocatable.cpu_milli, 7910);
    assert_int_equal(t->node.allocatable.pods, 58);
}

static void arm64(void **state)
{
    struct fx *f = *state;
    struct model_asg *g = fx_asg(&f->l, "ng-arm", 0, 4, 0, "eu-west-1b");
    fx_override(&f->l, g, "m6g.large");
    build(f, NULL, 0, NULL);
    const struct asc_template *t = tmpl(f, "ng-arm");
    want_label(&t->node, "kubernetes.io/arch", "arm64");
    want_label(&t->node, "topology.kubernetes.io/region", "eu-west-1");
    /* m6g.large: 8192 MiB - 64 MiB CMA = 8128, less ceil(7.5%) = 610:
     * 7518 MiB capacity; minus 574 kube-reserved and 100 eviction. */
    assert_int_equal(t->node.capacity.memory, 7518 * MIB);
    assert_int_equal(t->node.allocatable.memory, (7518 - 574 - 100) * MIB);
    assert_int_equal(t->node.allocatable.pods, 29);
}

static bool type_in(const struct model_node *n, void *ctx)
{
    const char *const *allowed = ctx;
    const char *v = label(n, "node.kubernetes.io/instance-type");
    for (size_t i = 0; v && allowed[i]; i++)
        if (strcmp(allowed[i], v) == 0)
            return true;
    return false;
}

static void mixed_instances(void **state)
{
    struct fx *f = *state;
    struct model_asg *g = fx_asg(&f->l, "ng-mixed", 0, 10, 0, "us-east-1a");
    fx_override(&f->l, g, "c5.xlarge"); /* 4 vCPU, 8 GiB: the first override */
    fx_override(&f->l, g, "m5.large");  /* 2 vCPU, 8 GiB */
    fx_override(&f->l, g, "r5.large");  /* 2 vCPU, 16 GiB */
    build(f, NULL, 0, NULL);
    const struct asc_template *t = tmpl(f, "ng-mixed");
    const struct model_node *n = &t->node;

    assert_int_equal(t->n_types, 3);
    assert_int_equal(t->n_variants, 3);
    /* No single instance type to promise, but all three are amd64. */
    want_label(n, "node.kubernetes.io/instance-type", NULL);
    want_label(n, "beta.kubernetes.io/instance-type", NULL);
    want_label(n, "kubernetes.io/arch", "amd64");
    /* Per-resource minimum, a node no single override is: cpu from
     * m5.large/r5.large (1930m, where the first override alone would say
     * 3920m); memory from c5.xlarge, whose 58 pods (4 ENIs * 14 + 2) make
     * kube-reserved 11*58+255 = 893 MiB: 7577 - 893 - 100 = 6584 MiB (the
     * m5.large keeps 6903); pods from m5.large/r5.large (29, c5.xlarge 58). */
    assert_int_equal(n->allocatable.cpu_milli, 1930);
    assert_int_equal(n->allocatable.memory, 6584 * MIB);
    assert_int_equal(n->allocatable.pods, 29);
    assert_int_equal(t->variants[0].node.allocatable.pods, 58);
    for (uint32_t i = 0; i < t->n_variants; i++) {
        const struct model_node *v = &t->variants[i].node;
        assert_true(n->allocatable.cpu_milli <= v->allocatable.cpu_milli);
        assert_true(n->allocatable.memory <= v->allocatable.memory);
        want_label(v, "node.kubernetes.io/instance-type", t->variants[i].instance_type);
    }
    assert_int_equal(t->variants[0].node.allocatable.cpu_milli, 3920);

    /* A pod that needs instance-type In [c5.xlarge, m5.large] may not be
     * promised to the group: an r5.large launch would not satisfy it. */
    const char *const two[] = { "c5.xlarge", "m5.large", NULL };
    const char *const all[] = { "m5.large", "r5.large", "c5.xlarge", NULL };
    assert_false(asc_template_all_variants(t, type_in, (void *)(uintptr_t)two));
    assert_true(asc_template_all_variants(t, type_in, (void *)(uintptr_t)all));
}

static bool zone_allowed(const char *zone, void *ctx)
{
    const char *const *allowed = ctx;
    for (size_t i = 0; zone && allowed[i]; i++)
        if (strcmp(allowed[i], zone) == 0)
            return true;
    return false;
}

static bool variant_zone_allowed(const struct model_node *n, void *ctx)
{
    return zone_allowed(label(n, "topology.kubernetes.io/zone"), ctx);
}

static void three_zones(void **state)
{
    struct fx *f = *state;
    struct model_asg *g = fx_asg(&f->l, "ng-3az", 0, 9, 0, "us-east-1a,us-east-1b,us-east-1c");
    fx_override(&f->l, g, "m5.large");
    build(f, NULL, 0, NULL);
    const struct asc_template *t = tmpl(f, "ng-3az");

    /* The packed node promises no zone (cluster-autoscaler would say
     * us-east-1a, the first), but does promise the region. */
    want_label(&t->node, "topology.kubernetes.io/zone", NULL);
    want_label(&t->node, "failure-domain.beta.kubernetes.io/zone", NULL);
    want_label(&t->node, "topology.ebs.csi.aws.com/zone", NULL);
    want_label(&t->node, "topology.kubernetes.io/region", "us-east-1");
    assert_int_equal(t->n_zones, 3);
    assert_int_equal(t->n_variants, 3);
    for (uint32_t i = 0; i < 3; i++) {
        want_label(&t->variants[i].node, "topology.kubernetes.io/zone", t->zones[i]);
        want_label(&t->variants[i].node, "topology.ebs.csi.aws.com/zone", t->zones[i]);
    }
    /* A pod bound to us-east-1a (a zonal volume) is not promised to it;
     * one that accepts every zone of the group is. */
    const char *const one[] = { "us-east-1a", NULL };
    const char *const every[] = { "us-east-1c", "us-east-1b", "us-east-1a", NULL };
    assert_false(asc_template_all_zones(t, zone_allowed, (void *)(uintptr_t)one));
    assert_true(asc_template_all_zones(t, zone_allowed, (void *)(uintptr_t)every));
    assert_false(asc_template_all_variants(t, variant_zone_allowed, (void *)(uintptr_t)one));
    assert_true(asc_template_all_variants(t, variant_zone_allowed, (void *)(uintptr_t)every));
}

static const struct model_taint *taint(const struct model_node *n, const char *key)
{
    for (uint32_t i = 0; i < n->n_taints; i++)
        if (strcmp(n->taints[i].key, key) == 0)
            return &n->taints[i];
    return NULL;
}

static bool has_warning(const struct asc_warnings *w, const char *a)
{
    for (uint32_t i = 0; i < w->n; i++)
        if (strstr(w->v[i], a))
            return true;
    return false;
}

static void tags(void **state)
{
    struct fx *f = *state;
    struct model_asg *g = fx_asg(&f->l, "ng-tags", 0, 3, 0, "us-west-2a");
    fx_override(&f->l, g, "m5.large");
    fx_tag(&f->l, g, ASC_TAG_LABEL "team", "payments");
    fx_tag(&f->l, g, ASC_TAG_LABEL "node.kubernetes.io/lifecycle", "spot");
    fx_tag(&f->l, g, ASC_TAG_TAINT "dedicated", "payments:NoSchedule");
    fx_tag(&f->l, g, ASC_TAG_TAINT "empty-value", ":PreferNoSchedule");
    fx_tag(&f->l, g, ASC_TAG_TAINT "bad", "x:Sometimes");
    fx_tag(&f->l, g, ASC_TAG_RESOURCE "ephemeral-storage", "100Gi");
    fx_tag(&f->l, g, ASC_TAG_RESOURCE "example.com/dongle", "2");
    fx_tag(&f->l, g, ASC_TAG_RESOURCE "example.com/broken", "12Qi");
    fx_tag(&f->l, g, "eks:nodegroup-name", "payments-a");
    fx_tag(&f->l, g, "eks:cluster-name", "prod");
    build(f, NULL, 0, NULL);
    const struct asc_template *t = tmpl(f, "ng-tags");
    const struct model_node *n = &t->node;

    want_label(n, "team", "payments");
    want_label(n, "node.kubernetes.io/lifecycle", "spot");
    /* EKS managed node groups: what EKS labels its nodes with, not
     * cluster-autoscaler's "nodegroup-name"/"cluster-name". */
    want_label(n, "eks.amazonaws.com/nodegroup", "payments-a");
    want_label(n, "eks.amazonaws.com/capacityType", "ON_DEMAND");
    want_label(n, "nodegroup-name", NULL);
    want_label(n, "cluster-name", NULL);

    assert_int_equal(n->n_taints, 2);
    const struct model_taint *tt = taint(n, "dedicated");
    assert_non_null(tt);
    assert_string_equal(tt->value, "payments");
    assert_int_equal(tt->effect, MODEL_EFFECT_NO_SCHEDULE);
    tt = taint(n, "empty-value");
    assert_non_null(tt);
    assert_string_equal(tt->value, "");
    assert_int_equal(tt->effect, MODEL_EFFECT_PREFER_NO_SCHEDULE);
    assert_null(taint(n, "bad"));
    assert_true(has_warning(&f->s->warnings, ASC_TAG_TAINT "bad"));
    assert_true(has_warning(&f->s->warnings, ASC_TAG_RESOURCE "example.com/broken"));

    /* A 100 GiB root volume: allocatable = 100 - 1 (kube-reserved) - 10
     * (nodefs eviction) = 89 GiB. */
    assert_int_equal(n->capacity.ephemeral_storage, 100 * GIB);
    assert_int_equal(n->allocatable.ephemeral_storage, 89 * GIB);
    assert_int_equal(scalar(&n->capacity, "example.com/dongle"), 2);
    assert_int_equal(scalar(&n->allocatable, "example.com/dongle"), 2);
    assert_int_equal(scalar(&n->allocatable, "example.com/broken"), 0);
}

static void described_instance_types(void **state)
{
    struct fx *f = *state;
    struct model_instance_type_list types;
    model_instance_type_list_init(&types);
    /* A type the built-in table does not know, as `aws ec2
     * describe-instance-types` would describe it. */
    struct model_instance_type *it = model_instance_type_list_add(&types);
    it->name = "x9.custom";
    it->vcpu = 8;
    it->memory_mib = 32768;
    it->gpu_count = 2;
    it->gpu_manufacturer = "NVIDIA";
    it->arch = "x86_64";
    it->max_enis = 4;
    it->ipv4_per_eni = 15;
    struct model_asg *g = fx_asg(&f->l, "ng-custom", 0, 3, 0, "us-east-1a");
    fx_override(&f->l, g, "x9.custom");
    const struct asc_node_spec spec[] = { { 0, 3, "ng-custom" } };
    struct asc_cloud cloud = { .asgs = &f->l, .instance_types = &types };
    struct asc_discovery d = { .nodes = spec, .n_nodes = 1 };
    asc_group_options_default(&d.defaults);
    assert_int_equal(asc_groups_build(&cloud, &d, &f->g, NULL), HS_OK);
    assert_int_equal(asc_templates_build(f->g, &cloud, NULL, 0, NULL, f->t, &f->s, NULL), HS_OK);
    const struct asc_template *t = tmpl(f, "ng-custom");
    want_label(&t->node, "kubernetes.io/arch", "amd64");
    /* 4 ENIs * (15 - 1) + 2 = 58 pods; 8000m - 90m kube-reserved. */
    assert_int_equal(t->node.allocatable.pods, 58);
    assert_int_equal(t->node.allocatable.cpu_milli, 7910);
    assert_int_equal(scalar(&t->node.allocatable, "nvidia.com/gpu"), 2);
    assert_true(t->gpu);
    model_instance_type_list_release(&types);
}

static void unknown_type(void **state)
{
    struct fx *f = *state;
    struct model_asg *g = fx_asg(&f->l, "ng-x", 0, 3, 0, "us-west-2a");
    fx_override(&f->l, g, "zz9.plural");
    g = fx_asg(&f->l, "ng-none", 0, 3, 0, "us-west-2a");
    build(f, NULL, 0, NULL);
    assert_null(asc_templates_of(f->s, asc_groups_find(f->g, "ng-x")));
    assert_null(asc_templates_of(f->s, asc_groups_find(f->g, "ng-none")));
    assert_true(has_warning(&f->s->warnings, "zz9.plural"));
    assert_true(has_warning(&f->s->warnings, "node group ng-none has no template"));
}

/* A real node of ng-real in us-east-1b, with labels and taints to sanitize. */
static struct model_node *real_node(struct fx *f, const char *name, const char *type,
                                    const char *instance)
{
    struct model_node *n = HS_ARENA_NEW(&f->a, struct model_node);
    const struct fx_kv kv[] = {
        { "kubernetes.io/hostname", name },
        { "kubernetes.io/arch", "amd64" },
        { "kubernetes.io/os", "linux" },
        { "node.kubernetes.io/instance-type", type },
        { "topology.kubernetes.io/zone", "us-east-1b" },
        { "topology.kubernetes.io/region", "us-east-1" },
        { "topology.k8s.aws/zone-id", "use1-az2" },
        { "team", "payments" },
    };
    char pid[64];
    n->name = hs_intern_cstr(f->t, name);
    n->labels = fx_labels(&f->a, f->t, kv, FX_LEN(kv));
    snprintf(pid, sizeof(pid), "aws:///us-east-1b/%s", instance);
    n->provider_id = hs_arena_strndup(&f->a, pid, strlen(pid));
    n->ready = MODEL_COND_TRUE;
    n->capacity = (struct model_resources){
        .cpu_milli = 2000, .memory = 7800 * MIB, .ephemeral_storage = 80 * GIB, .pods = 29
    };
    n->allocatable = (struct model_resources){
        .cpu_milli = 1900, .memory = 7000 * MIB, .ephemeral_storage = 70 * GIB, .pods = 29
    };
    static const struct {
        const char *key;
        enum model_effect e;
    } tts[] = {
        { "DeletionCandidateOfClusterAutoscaler", MODEL_EFFECT_PREFER_NO_SCHEDULE },
        { "node.kubernetes.io/not-ready", MODEL_EFFECT_NO_EXECUTE },
        { "node.cloudprovider.kubernetes.io/uninitialized", MODEL_EFFECT_NO_SCHEDULE },
        { "status-taint.cluster-autoscaler.kubernetes.io/gpu-driver", MODEL_EFFECT_NO_SCHEDULE },
        { "example.com/status", MODEL_EFFECT_NO_SCHEDULE },
        { "dedicated", MODEL_EFFECT_NO_SCHEDULE },
    };
    n->n_taints = FX_LEN(tts);
    n->taints = HS_ARENA_NEW_ARRAY(&f->a, struct model_taint, n->n_taints);
    for (uint32_t i = 0; i < n->n_taints; i++) {
        n->taints[i].key = hs_intern_cstr(f->t, tts[i].key);
        n->taints[i].value = hs_intern_cstr(f->t, "x");
        n->taints[i].effect = tts[i].e;
    }
    return n;
}

static void sanitized_node(void **state)
{
    struct fx *f = *state;
    struct model_asg *g = fx_asg(&f->l, "ng-real", 0, 9, 2, "us-east-1a,us-east-1b");
    fx_override(&f->l, g, "m5.large");
    fx_instance(&f->l, g, "i-2", "us-east-1b", "m5.large");
    fx_instance(&f->l, g, "i-1", "us-east-1b", "m5.large");
    struct model_node *n1 = real_node(f, "ip-10-0-2-9", "m5.large", "i-2");
    struct model_node *n2 = real_node(f, "ip-10-0-1-5", "m5.large", "i-1");
    struct model_node *n3 = real_node(f, "ip-10-0-0-1", "m5.large", "i-1");
    n3->unschedulable = true; /* cordoned: not a template */
    const struct model_node *nodes[] = { n1, n2, n3 };
    const char *const status[] = { "example.com/status" };
    struct asc_taint_config tc = { .status = status, .n_status = 1 };
    struct asc_template_config cfg = { .taints = &tc };
    build(f, nodes, 3, &cfg);
    const struct asc_template *t = tmpl(f, "ng-real");
    const struct model_node *n = &t->node;

    /* The schedulable ready node with the smallest name. */
    assert_true(t->from_node);
    assert_string_equal(t->source_node, "ip-10-0-1-5");
    want_label(n, "kubernetes.io/hostname", "template-node-for-ng-real");
    want_label(n, "team", "payments");
    want_label(n, "node.kubernetes.io/instance-type", "m5.large");
    /* Two zones: the packed node promises none of them. */
    want_label(n, "topology.kubernetes.io/zone", NULL);
    want_label(n, "topology.k8s.aws/zone-id", NULL);
    labels_sorted(n);
    /* The node's real allocatable is kept. */
    assert_int_equal(n->allocatable.cpu_milli, 1900);
    assert_int_equal(n->allocatable.memory, 7000 * MIB);
    assert_int_equal(n->capacity.memory, 7800 * MIB);
    /* Only the user's own taint survives. */
    assert_int_equal(n->n_taints, 1);
    assert_string_equal(n->taints[0].key, "dedicated");
    assert_false(n->unschedulable);
    assert_null(n->provider_id);

    /* Variants: its own zone keeps its zone-id; the other zone has no
     * zone-id to promise. */
    assert_int_equal(t->n_variants, 2);
    want_label(&t->variants[0].node, "topology.kubernetes.io/zone", "us-east-1a");
    want_label(&t->variants[0].node, "topology.k8s.aws/zone-id", NULL);
    want_label(&t->variants[1].node, "topology.kubernetes.io/zone", "us-east-1b");
    want_label(&t->variants[1].node, "topology.k8s.aws/zone-id", "use1-az2");

    unref_node(f, n1);
    unref_node(f, n2);
    unref_node(f, n3);
}

static void stale_node_type(void **state)
{
    struct fx *f = *state;
    /* The group now launches m5.xlarge; its node is an m5.large from an
     * older launch template: the template must be the m5.xlarge. */
    struct model_asg *g = fx_asg(&f->l, "ng-moved", 0, 9, 1, "us-east-1b");
    fx_override(&f->l, g, "m5.xlarge");
    fx_instance(&f->l, g, "i-9", "us-east-1b", "m5.large");
    struct model_node *n1 = real_node(f, "ip-10-0-9-9", "m5.large", "i-9");
    const struct model_node *nodes[] = { n1 };
    build(f, nodes, 1, NULL);
    const struct asc_template *t = tmpl(f, "ng-moved");
    assert_false(t->from_node);
    want_label(&t->node, "node.kubernetes.io/instance-type", "m5.xlarge");
    assert_int_equal(t->node.capacity.cpu_milli, 4000);
    unref_node(f, n1);
}

static void sanitize_rules(void **state)
{
    (void)state;
    const char *const startup[] = { "example.com/booting" };
    const char *const ignore[] = { "example.com/old" };
    struct asc_taint_config c = {
        .startup = startup, .n_startup = 1, .ignore = ignore, .n_ignore = 1
    };
    assert_true(asc_taint_is_sanitized(NULL, "ToBeDeletedByClusterAutoscaler"));
    assert_true(asc_taint_is_sanitized(NULL, "node.kubernetes.io/unreachable"));
    assert_true(asc_taint_is_sanitized(NULL, "node.kubernetes.io/network-unavailable"));
    assert_true(asc_taint_is_sanitized(NULL, "NodeWithImpairedVolumes"));
    assert_true(asc_taint_is_sanitized(NULL, "ignore-taint.cluster-autoscaler.kubernetes.io/a"));
    assert_true(asc_taint_is_sanitized(NULL, "startup-taint.cluster-autoscaler.kubernetes.io/a"));
    assert_true(asc_taint_is_sanitized(NULL, "status-taint.cluster-autoscaler.kubernetes.io/a"));
    assert_true(asc_taint_is_sanitized(&c, "example.com/booting"));
    assert_true(asc_taint_is_sanitized(&c, "example.com/old"));
    assert_false(asc_taint_is_sanitized(&c, "example.com/other"));
    assert_false(asc_taint_is_sanitized(NULL, "node.kubernetes.io/out-of-service"));
    assert_false(asc_taint_is_sanitized(NULL, "dedicated"));
    /* startup taints (a node carrying one is not ready yet): not status ones */
    assert_true(asc_taint_is_startup(NULL, "startup-taint.cluster-autoscaler.kubernetes.io/a"));
    assert_true(asc_taint_is_startup(NULL, "ignore-taint.cluster-autoscaler.kubernetes.io/a"));
    assert_true(asc_taint_is_startup(&c, "example.com/booting"));
    assert_true(asc_taint_is_startup(&c, "example.com/old"));
    assert_false(asc_taint_is_startup(&c, "status-taint.cluster-autoscaler.kubernetes.io/a"));
    assert_false(asc_taint_is_startup(&c, "example.com/other"));
    assert_false(asc_taint_is_startup(NULL, "node.kubernetes.io/not-ready"));
}

/* ---- DaemonSets -------------------------------------------------------------- */

static struct model_daemonset *ds(struct fx *f, const char *name, int64_t cpu, int64_t mem)
{
    struct model_daemonset *d = HS_ARENA_NEW(&f->a, struct model_daemonset);
    d->ns = hs_intern_cstr(f->t, "kube-system");
    d->name = name;
    d->template.ns = hs_intern_ref(d->ns);
    d->template.requests.cpu_milli = cpu;
    d->template.requests.memory = mem;
    return d;
}

static void ds_tolerate(struct fx *f, struct model_daemonset *d, const char *key, bool exists)
{
    d->template.tolerations = HS_ARENA_NEW(&f->a, struct model_toleration);
    d->template.n_tolerations = 1;
    d->template.tolerations[0].key = key ? hs_intern_cstr(f->t, key) : NULL;
    d->template.tolerations[0].exists = exists;
}

/* Required node affinity: node.kubernetes.io/instance-type In [type]. */
static struct model_node_affinity *type_in_affinity(struct fx *f, const char *type)
{
    struct model_node_affinity *na = HS_ARENA_NEW(&f->a, struct model_node_affinity);
    na->has_required = true;
    na->n_required = 1;
    na->required = HS_ARENA_NEW(&f->a, struct model_node_selector_term);
    na->required[0].n_expr = 1;
    na->required[0].expr = HS_ARENA_NEW(&f->a, struct model_requirement);
    na->required[0].expr[0].key = hs_intern_cstr(f->t, "node.kubernetes.io/instance-type");
    na->required[0].expr[0].op = MODEL_OP_IN;
    na->required[0].expr[0].n_values = 1;
    na->required[0].expr[0].values = HS_ARENA_NEW(&f->a, const char *);
    na->required[0].expr[0].values[0] = hs_intern_cstr(f->t, type);
    return na;
}

static void daemonset_overhead(void **state)
{
    struct fx *f = *state;
    struct model_asg *g = fx_asg(&f->l, "ng-ds", 0, 3, 0, "us-east-1a");
    fx_override(&f->l, g, "m5.large");
    fx_tag(&f->l, g, ASC_TAG_TAINT "dedicated", "infra:NoSchedule");
    build(f, NULL, 0, NULL);
    const struct model_node *n = &tmpl(f, "ng-ds")->node;

    /* 0: everywhere, but the template's taint stops it. */
    struct model_daemonset *d0 = ds(f, "kube-proxy", 100, 128 * MIB);
    /* 1: tolerates every taint (operator Exists, no key). */
    struct model_daemonset *d1 = ds(f, "aws-node", 25, 64 * MIB);
    ds_tolerate(f, d1, NULL, true);
    /* 2: arm64 only. */
    struct model_daemonset *d2 = ds(f, "arm-agent", 500, 512 * MIB);
    ds_tolerate(f, d2, NULL, true);
    const struct fx_kv arm[] = { { "kubernetes.io/arch", "arm64" } };
    d2->template.node_selector = fx_labels(&f->a, f->t, arm, 1);
    /* 3: tolerates dedicated, and requires instance-type In [m5.large]. */
    struct model_daemonset *d3 = ds(f, "infra-agent", 200, 256 * MIB);
    ds_tolerate(f, d3, "dedicated", true);
    d3->template.node_affinity = type_in_affinity(f, "m5.large");
    /* 4: the same but for c5.large. */
    struct model_daemonset *d4 = ds(f, "c5-agent", 300, 256 * MIB);
    ds_tolerate(f, d4, "dedicated", true);
    d4->template.node_affinity = type_in_affinity(f, "c5.large");

    const struct model_daemonset *all[] = { d0, d1, d2, d3, d4 };
    size_t which[5];
    struct model_resources sum;
    size_t k = asc_daemonset_overhead(all, 5, n, which, &sum, &f->a);
    /* aws-node + infra-agent: 25m + 200m, 64 + 256 MiB, two pod slots. */
    assert_int_equal(k, 2);
    assert_int_equal(which[0], 1);
    assert_int_equal(which[1], 3);
    assert_int_equal(sum.cpu_milli, 225);
    assert_int_equal(sum.memory, 320 * MIB);
    assert_int_equal(sum.pods, 2);
    /* What is left for the pending pods: 1930m - 225m. */
    assert_int_equal(n->allocatable.cpu_milli - sum.cpu_milli, 1705);

    for (size_t i = 0; i < 5; i++)
        model_daemonset_unref_strings((struct model_daemonset *)(uintptr_t)all[i], f->t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(m5_large, setup, teardown),
        cmocka_unit_test_setup_teardown(gpu_types, setup, teardown),
        cmocka_unit_test_setup_teardown(arm64, setup, teardown),
        cmocka_unit_test_setup_teardown(mixed_instances, setup, teardown),
        cmocka_unit_test_setup_teardown(three_zones, setup, teardown),
        cmocka_unit_test_setup_teardown(tags, setup, teardown),
        cmocka_unit_test_setup_teardown(described_instance_types, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_type, setup, teardown),
        cmocka_unit_test_setup_teardown(sanitized_node, setup, teardown),
        cmocka_unit_test_setup_teardown(stale_node_type, setup, teardown),
        cmocka_unit_test(sanitize_rules),
        cmocka_unit_test_setup_teardown(daemonset_overhead, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
