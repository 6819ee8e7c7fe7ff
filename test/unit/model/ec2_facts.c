/*
 * Tests of lib/model/ec2_facts.c and the generated tables behind it. The
 * source files under ../shared/testdata are re-read here with jansson and
 * every field of every type and every price is compared with the built-in
 * tables, so the generated file cannot drift from its sources. The EKS
 * allocatable is cross-checked against Karpenter's published allocatable for
 * every type both know. Reads test data only; writes nothing.
 */
#include "hs_test.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/ec2_facts.h"
#include "model/quantity.h"

#define MIB ((int64_t)1 << 20)
#define GIB ((int64_t)1 << 30)

static json_t *load_json(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", hs_testdata_dir(), rel);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root)
        fail_msg("cannot load %s: %s", path, jerr.text);
    return root;
}

static FILE *open_testdata(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", hs_testdata_dir(), rel);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    return f;
}

/* eni-max-pods.txt as {type: pods}. New reference. */
static json_t *load_eni_max_pods(void)
{
    FILE *f = open_testdata("ec2/eni-max-pods.txt");
    json_t *out = json_object();
    char line[256], name[128];
    int pods;
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%127s %d", name, &pods) != 2)
            fail_msg("eni-max-pods.txt: bad line '%s'", line);
        json_object_set_new(out, name, json_integer(pods));
    }
    fclose(f);
    return out;
}

/* eks-instance-info.jsonl as {type: {defaultMaxENIs, ipv4AddressesPerInterface}}. New reference. */
static json_t *load_instance_info(void)
{
    FILE *f = open_testdata("ec2/eks-instance-info.jsonl");
    json_t *out = json_object();
    char line[1024];
    while (fgets(line, sizeof(line), f)) {
        json_error_t jerr;
        json_t *o = json_loads(line, 0, &jerr);
        if (!o)
            fail_msg("eks-instance-info.jsonl: %s", jerr.text);
        json_object_set(out, json_string_value(json_object_get(o, "instanceType")), o);
        json_decref(o);
    }
    fclose(f);
    return out;
}

static int64_t int_or_zero(json_t *v)
{
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static void check_str(const char *type, const char *field, const char *got, json_t *want)
{
    const char *w = json_is_string(want) ? json_string_value(want) : NULL;
    if ((got == NULL) != (w == NULL) || (got && strcmp(got, w) != 0))
        fail_msg("%s.%s = %s, want %s", type, field, got ? got : "NULL", w ? w : "null");
}

static void check_int(const char *type, const char *field, int64_t got, int64_t want)
{
    if (got != want)
        fail_msg("%s.%s = %lld, want %lld", type, field, (long long)got, (long long)want);
}

/* ---- instance types ------------------------------------------------------ */

static void known_types(void **state)
{
    (void)state;
    const struct model_ec2_type *t = model_ec2_type_find("m5.large");
    assert_non_null(t);
    assert_string_equal(model_ec2_type_name(t), "m5.large");
    assert_int_equal(t->vcpu, 2);
    assert_int_equal(t->memory_mib, 8192);
    assert_int_equal(t->max_pods_eni, 29);
    assert_int_equal(t->gpu_count, 0);
    assert_null(model_ec2_type_gpu_name(t));
    assert_string_equal(model_arch_name((enum model_arch)t->arch), "amd64");
    assert_int_equal(t->max_enis, 3);
    assert_int_equal(t->ipv4_per_eni, 10);

    t = model_ec2_type_find("p3.16xlarge");
    assert_non_null(t);
    assert_int_equal(t->gpu_count, 8);
    assert_int_equal(t->vcpu, 64);
    assert_int_equal(t->max_pods_eni, 234);
    /* Only cluster-autoscaler and eni-max-pods.txt know p3: no GPU maker. */
    assert_null(model_ec2_type_gpu_manufacturer(t));
    assert_int_equal(t->sources, MODEL_SRC_CA | MODEL_SRC_ENI_MAX_PODS);

    t = model_ec2_type_find("g4dn.xlarge");
    assert_non_null(t);
    assert_int_equal(t->gpu_count, 1);
    assert_string_equal(model_ec2_type_gpu_name(t), "t4");
    assert_string_equal(model_ec2_type_gpu_manufacturer(t), "nvidia");
    assert_int_equal(t->gpu_memory_mib, 16384);
    assert_int_equal(t->vcpu, 4);
    assert_int_equal(t->memory_mib, 16384);

    t = model_ec2_type_find("p5.48xlarge");
    assert_non_null(t);
    assert_int_equal(t->gpu_count, 8);
    assert_string_equal(model_ec2_type_gpu_name(t), "h100");
    assert_int_equal(t->max_pods_eni, 100);

    t = model_ec2_type_find("m7g.metal");
    assert_non_null(t);
    assert_string_equal(model_arch_name((enum model_arch)t->arch), "arm64");
    assert_int_equal(t->max_pods_eni, 737);

    t = model_ec2_type_find("g4ad.xlarge");
    assert_non_null(t);
    assert_string_equal(model_ec2_type_gpu_manufacturer(t), "amd");

    /* Known only by name and ENIs. */
    t = model_ec2_type_find("u-6tb1.metal");
    assert_non_null(t);
    assert_int_equal(t->vcpu, 0);
    assert_int_equal(t->arch, MODEL_ARCH_UNKNOWN);
    assert_null(model_arch_name(MODEL_ARCH_UNKNOWN));

    assert_null(model_ec2_type_find("m5.huge"));
    assert_null(model_ec2_type_find(""));
    assert_null(model_ec2_type_find(NULL));
    assert_null(model_ec2_type_at(model_ec2_type_count()));
}

static void sorted_for_binary_search(void **state)
{
    (void)state;
    size_t n = model_ec2_type_count();
    assert_true(n > 1000);
    for (size_t i = 0; i < n; i++) {
        const struct model_ec2_type *t = model_ec2_type_at(i);
        if (i > 0 &&
            strcmp(model_ec2_type_name(model_ec2_type_at(i - 1)), model_ec2_type_name(t)) >= 0)
            fail_msg("not strictly sorted at %zu: %s", i, model_ec2_type_name(t));
        /* Every entry is found, and found at itself. */
        assert_ptr_equal(model_ec2_type_find(model_ec2_type_name(t)), t);
    }
}

/* Every field of every row against instance-types-combined.json, and the
 * ENI fields against eni-max-pods.txt and eks-instance-info.jsonl. */
static void table_matches_testdata(void **state)
{
    (void)state;
    json_t *root = load_json("ec2/instance-types-combined.json");
    json_t *types = json_object_get(root, "instanceTypes");
    json_t *eni = load_eni_max_pods();
    json_t *info = load_instance_info();
    assert_int_equal(json_object_size(types), model_ec2_type_count());

    const char *name;
    json_t *v;
    size_t from_txt = 0, from_info = 0, both_agree = 0;
    json_object_foreach(types, name, v)
    {
        const struct model_ec2_type *t = model_ec2_type_find(name);
        if (!t)
            fail_msg("%s is in instance-types-combined.json but not built in", name);
        check_int(name, "vcpu", t->vcpu, int_or_zero(json_object_get(v, "vcpu")));
        check_int(name, "memory_mib", t->memory_mib, int_or_zero(json_object_get(v, "memoryMiB")));
        check_int(name, "gpu_count", t->gpu_count, int_or_zero(json_object_get(v, "gpuCount")));
        check_int(name, "gpu_memory_mib", t->gpu_memory_mib,
                  int_or_zero(json_object_get(v, "gpuMemoryMiB")));
        check_int(name, "karpenter_pods", t->karpenter_pods,
                  int_or_zero(json_object_get(v, "karpenterPods")));
        check_str(name, "gpu_name", model_ec2_type_gpu_name(t), json_object_get(v, "gpuName"));
        check_str(name, "gpu_manufacturer", model_ec2_type_gpu_manufacturer(t),
                  json_object_get(v, "gpuManufacturer"));
        check_str(name, "arch", model_arch_name((enum model_arch)t->arch),
                  json_object_get(v, "architecture"));

        unsigned want_src = 0;
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(v, "sources"), i, s)
        {
            const char *src = json_string_value(s);
            if (strcmp(src, "ca") == 0)
                want_src |= MODEL_SRC_CA;
            else if (strcmp(src, "eni-max-pods") == 0)
                want_src |= MODEL_SRC_ENI_MAX_PODS;
            else if (strcmp(src, "karpenter") == 0)
                want_src |= MODEL_SRC_KARPENTER;
            else
                fail_msg("%s: unknown source '%s'", name, src);
        }
        json_t *ii = json_object_get(info, name);
        if (ii)
            want_src |= MODEL_SRC_EKS_INSTANCE_INFO;
        check_int(name, "sources", t->sources, want_src);

        /* maxPodsEni in the merged file is eni-max-pods.txt's value. */
        json_t *mp = json_object_get(v, "maxPodsEni");
        json_t *txt = json_object_get(eni, name);
        if (json_is_integer(mp))
            check_int(name, "maxPodsEni", int_or_zero(mp), int_or_zero(txt));
        int64_t enis = ii ? int_or_zero(json_object_get(ii, "defaultMaxENIs")) : 0;
        int64_t ips = ii ? int_or_zero(json_object_get(ii, "ipv4AddressesPerInterface")) : 0;
        check_int(name, "max_enis", t->max_enis, enis);
        check_int(name, "ipv4_per_eni", t->ipv4_per_eni, ips);
        int64_t formula = ii ? enis * (ips - 1) + 2 : 0;
        if (txt) {
            check_int(name, "max_pods_eni (eni-max-pods.txt)", t->max_pods_eni, int_or_zero(txt));
            from_txt++;
            if (ii) {
                check_int(name, "eni-max-pods.txt vs ENIs*(IPs-1)+2", int_or_zero(txt), formula);
                both_agree++;
            }
        } else {
            check_int(name, "max_pods_eni (instance-info)", t->max_pods_eni, formula);
            from_info++;
        }
    }
    /* The counts the generated file's header states. */
    assert_int_equal(from_txt, 1197);
    assert_int_equal(from_info, 192);
    assert_int_equal(both_agree, 1191);

    /* The two ENI sources agree on every type they share, even types the
     * merged table lacks. */
    json_object_foreach(eni, name, v)
    {
        json_t *ii = json_object_get(info, name);
        if (!ii)
            continue;
        int64_t formula = int_or_zero(json_object_get(ii, "defaultMaxENIs")) *
                              (int_or_zero(json_object_get(ii, "ipv4AddressesPerInterface")) - 1) +
                          2;
        check_int(name, "eni-max-pods.txt vs instance-info", int_or_zero(v), formula);
    }
    json_decref(info);
    json_decref(eni);
    json_decref(root);
}

/* ---- prices -------------------------------------------------------------- */

static void check_price_file(const char *rel, const char *currency, size_t *regions, size_t *prices)
{
    json_t *root = load_json(rel);
    const char *region;
    json_t *tab;
    json_object_foreach(root, region, tab)
    {
        if (region[0] == '_')
            continue;
        (*regions)++;
        const char *type;
        json_t *want;
        json_object_foreach(tab, type, want)
        {
            double got = 0;
            const char *cur = NULL;
            struct hs_err err = { 0 };
            if (model_ondemand_price(region, type, &got, &cur, &err) != HS_OK)
                fail_msg("%s %s: %s", region, type, err.msg);
            /* Exact: both are the double nearest the same decimal. */
            if (got != json_number_value(want))
                fail_msg("%s %s = %.9g, want %.9g", region, type, got, json_number_value(want));
            assert_string_equal(cur, currency);
            const struct model_ec2_type *t = model_ec2_type_find(type);
            if (t) {
                double via_row = 0;
                assert_int_equal(model_ec2_type_ondemand_price(t, region, &via_row, NULL, NULL),
                                 HS_OK);
                assert_true(via_row == got);
            }
            (*prices)++;
        }
    }
    json_decref(root);
}

static void prices_match_testdata(void **state)
{
    (void)state;
    size_t regions = 0, prices = 0;
    check_price_file("pricing/on-demand-usd.json", "USD", &regions, &prices);
    check_price_file("pricing/on-demand-cny.json", "CNY", &regions, &prices);
    assert_int_equal(regions, model_price_region_count());
    assert_int_equal(prices, 3002);
    for (size_t i = 0; i < model_price_region_count(); i++) {
        const char *cur = model_price_region_currency(i);
        assert_string_equal(cur,
                            strncmp(model_price_region_name(i), "cn-", 3) == 0 ? "CNY" : "USD");
    }
    assert_null(model_price_region_name(model_price_region_count()));

    /* A few by hand, as the README quotes them. */
    double p = 0;
    const char *cur = NULL;
    assert_int_equal(model_ondemand_price("us-east-1", "m5.large", &p, &cur, NULL), HS_OK);
    assert_true(p == 0.096);
    assert_string_equal(cur, "USD");
    assert_int_equal(model_ondemand_price("us-east-1", "p4d.24xlarge", &p, NULL, NULL), HS_OK);
    assert_true(p == 21.957642);
    assert_int_equal(model_ondemand_price("cn-north-1", "c3.large", &p, &cur, NULL), HS_OK);
    assert_true(p == 1.054);
    assert_string_equal(cur, "CNY");

    /* Priced but retired: no instance-type row, still a price. */
    assert_null(model_ec2_type_find("p2.xlarge"));
    assert_int_equal(model_ondemand_price("us-east-1", "p2.xlarge", &p, NULL, NULL), HS_OK);

    /* What is not there says so, and leaves the result alone. */
    struct hs_err err = { 0 };
    p = -1;
    assert_int_equal(model_ondemand_price("eu-west-1", "m5.large", &p, NULL, &err), HS_ENOTFOUND);
    assert_non_null(strstr(err.msg, "eu-west-1"));
    assert_non_null(strstr(err.msg, "cn-north-1, us-east-1, us-gov-east-1, us-gov-west-1"));
    assert_true(p == -1);
    hs_err_clear(&err);
    assert_int_equal(model_ondemand_price("cn-north-1", "a1.large", &p, NULL, &err), HS_ENOTFOUND);
    assert_non_null(strstr(err.msg, "a1.large"));
    assert_int_equal(model_ondemand_price("us-east-1", "m5.huge", &p, NULL, NULL), HS_ENOTFOUND);
    assert_int_equal(model_ondemand_price(NULL, "m5.large", &p, NULL, NULL), HS_EINVAL);
    const struct model_ec2_type *bmn = model_ec2_type_find("bmn-sf1.metal");
    assert_non_null(bmn);
    assert_int_equal(model_ec2_type_ondemand_price(bmn, "us-east-1", &p, NULL, NULL), HS_ENOTFOUND);
}

/* ---- EKS allocatable ----------------------------------------------------- */

static struct model_eks_node node_of(const char *type, const struct model_eks_options *o)
{
    const struct model_ec2_type *t = model_ec2_type_find(type);
    if (!t)
        fail_msg("%s not built in", type);
    struct model_eks_shape s;
    model_eks_shape_of(t, &s);
    struct model_eks_node n;
    struct hs_err err = { 0 };
    if (model_eks_allocatable(&s, o, &n, &err) != HS_OK)
        fail_msg("%s: %s", type, err.msg);
    return n;
}

static void ami_options(struct model_eks_options *o)
{
    model_eks_options_default(o);
    o->vm_memory_overhead_bp = 0;
    o->arm64_cma_mib = 0;
}

static void kube_reserved_cpu_bands(void **state)
{
    (void)state;
    static const struct {
        uint32_t vcpu;
        int64_t milli;
    } cases[] = {
        { 1, 60 }, { 2, 70 },   { 3, 75 },   { 4, 80 },   { 5, 82 },   { 6, 85 },
        { 8, 90 }, { 16, 110 }, { 48, 190 }, { 64, 230 }, { 96, 310 }, { 192, 550 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_int("kube-reserved cpu", "milli", model_eks_kube_reserved_cpu_milli(cases[i].vcpu),
                  cases[i].milli);
    assert_int_equal(model_eks_kube_reserved_cpu_milli(0), 0);
    assert_int_equal(model_eks_kube_reserved_memory_mib(29), 574);
    assert_int_equal(model_eks_kube_reserved_memory_mib(110), 1465);
}

static void allocatable_by_hand(void **state)
{
    (void)state;
    struct model_eks_options ami;
    ami_options(&ami);

    /* m5.large on the AMI's arithmetic: 2000m - 70m; 8192 - (11*29+255) -
     * 100 MiB; 20Gi - 1Gi - 10%; 29 pods. */
    struct model_eks_node n = node_of("m5.large", &ami);
    assert_int_equal(n.allocatable.cpu_milli, 1930);
    assert_int_equal(n.capacity.memory, 8192 * MIB);
    assert_int_equal(n.allocatable.memory, 7518 * MIB);
    assert_int_equal(n.allocatable.ephemeral_storage, 17 * GIB);
    assert_int_equal(n.allocatable.pods, 29);
    assert_int_equal(n.kube_reserved_memory, 574 * MIB);
    assert_int_equal(n.eviction_memory, 100 * MIB);
    assert_false(n.pods_defaulted);

    /* hoist's defaults: less the 7.5% the kernel keeps (615 MiB). */
    n = node_of("m5.large", NULL);
    assert_int_equal(n.capacity.memory, (8192 - 615) * MIB);
    assert_int_equal(n.allocatable.memory, 6903 * MIB);

    /* Graviton: 64 MiB CMA first, then the overhead. */
    n = node_of("m7g.metal", NULL);
    assert_int_equal(n.allocatable.pods, 737); /* no 250 ceiling by default */
    assert_int_equal(n.allocatable.cpu_milli, 63770);
    assert_int_equal(n.allocatable.memory, 233962 * MIB);

    /* A user maxPods: pods follow it, kube-reserved stays sized for 29. */
    struct model_eks_options o;
    model_eks_options_default(&o);
    o.max_pods = 110;
    n = node_of("m5.large", &o);
    assert_int_equal(n.allocatable.pods, 110);
    assert_int_equal(n.kube_reserved_memory, 574 * MIB);
    assert_int_equal(n.reserve_pods, 29);

    /* Prefix delegation: 3*((10-1)*16)+2 = 434, ceiling 110 at 2 vCPUs;
     * 250 above 30 vCPUs; below the ceiling the formula wins. */
    model_eks_options_default(&o);
    o.prefix_delegation = true;
    assert_int_equal(node_of("m5.large", &o).allocatable.pods, 110);
    assert_int_equal(node_of("c5.9xlarge", &o).allocatable.pods, 250);
    assert_int_equal(node_of("t3.nano", &o).allocatable.pods, 34); /* 2*(1*16)+2 */
    struct model_eks_shape s = { .vcpu = 30,
                                 .memory_mib = 65536,
                                 .arch = MODEL_ARCH_AMD64,
                                 .max_pods_eni = 234,
                                 .max_enis = 8,
                                 .ipv4_per_eni = 30 };
    assert_int_equal(model_eks_allocatable(&s, &o, &n, NULL), HS_OK);
    assert_int_equal(n.allocatable.pods, 110); /* "more than 30" gets 250 */
    s.vcpu = 31;
    assert_int_equal(model_eks_allocatable(&s, &o, &n, NULL), HS_OK);
    assert_int_equal(n.allocatable.pods, 250);

    /* ENI max pods unknown: the kubelet default 110, said so. */
    s.max_pods_eni = 0;
    assert_int_equal(model_eks_allocatable(&s, NULL, &n, NULL), HS_OK);
    assert_true(n.pods_defaulted);
    assert_int_equal(n.allocatable.pods, 110);
    assert_int_equal(n.kube_reserved_memory, 1465 * MIB);

    /* No shape, no answer; *out untouched. */
    const struct model_ec2_type *u = model_ec2_type_find("u-6tb1.metal");
    model_eks_shape_of(u, &s);
    struct hs_err err = { 0 };
    n.allocatable.pods = -7;
    assert_int_equal(model_eks_allocatable(&s, NULL, &n, &err), HS_EINVAL);
    assert_int_equal(n.allocatable.pods, -7);
    assert_non_null(strstr(err.msg, "unknown"));
}

static int64_t quantity(const char *type, const char *field, json_t *v, int milli)
{
    const char *s = json_string_value(v);
    struct model_quantity q;
    struct hs_err err = { 0 };
    if (!s || model_quantity_parse(s, strlen(s), &q, &err) != HS_OK)
        fail_msg("%s.resources.%s: %s", type, field, s ? err.msg : "missing");
    return milli ? q.milli : q.value;
}

/* Karpenter's capacity estimate, written as Karpenter writes it (float
 * percentage, ceil of MiB) to check hoist's integer arithmetic. */
static int64_t karpenter_overhead_mib(uint32_t memory_mib, int arm64)
{
    int64_t mib = (int64_t)memory_mib - (arm64 ? 64 : 0);
    return (arm64 ? 64 : 0) + (int64_t)ceil((double)(mib * MIB) * 0.075 / 1024 / 1024);
}

/* For every type Karpenter lists: cpu, memory, pods, ephemeral-storage and
 * GPUs equal Karpenter's AL2023 allocatable under hoist's defaults, and on
 * the AMIs' bare arithmetic (no overhead) memory differs by exactly
 * Karpenter's VM overhead and CMA and nothing else differs. */
static void allocatable_matches_karpenter(void **state)
{
    (void)state;
    json_t *root = load_json("ec2/karpenter-instance-types.json");
    json_t *types = json_object_get(root, "instanceTypes");
    struct model_eks_options ami;
    ami_options(&ami);
    size_t n_types = 0, n_agree = 0, n_gpu = 0, n_arm = 0;
    const char *name;
    json_t *v;
    json_object_foreach(types, name, v)
    {
        json_t *res = json_object_get(v, "resources");
        json_t *labels = json_object_get(v, "labels");
        const struct model_ec2_type *t = model_ec2_type_find(name);
        if (!t)
            fail_msg("%s is in Karpenter's table but not built in", name);
        n_types++;
        /* The shape Karpenter used is the one built in. */
        check_int(
            name, "vcpu (label)", t->vcpu,
            atoll(json_string_value(json_object_get(labels, "karpenter.k8s.aws/instance-cpu"))));
        check_int(
            name, "memory_mib (label)", t->memory_mib,
            atoll(json_string_value(json_object_get(labels, "karpenter.k8s.aws/instance-memory"))));
        check_str(name, "arch (label)", model_arch_name((enum model_arch)t->arch),
                  json_object_get(labels, "kubernetes.io/arch"));

        struct model_eks_node got = node_of(name, NULL);
        check_int(name, "cpu", got.allocatable.cpu_milli,
                  quantity(name, "cpu", json_object_get(res, "cpu"), 1));
        check_int(name, "memory", got.allocatable.memory,
                  quantity(name, "memory", json_object_get(res, "memory"), 0));
        check_int(name, "pods", got.allocatable.pods,
                  quantity(name, "pods", json_object_get(res, "pods"), 0));
        check_int(
            name, "ephemeral-storage", got.allocatable.ephemeral_storage,
            quantity(name, "ephemeral-storage", json_object_get(res, "ephemeral-storage"), 0));
        json_t *gpu = json_object_get(res, "nvidia.com/gpu");
        if (!gpu)
            gpu = json_object_get(res, "amd.com/gpu");
        if (gpu) {
            check_int(name, "gpus", t->gpu_count, quantity(name, "gpu", gpu, 0));
            n_gpu++;
        }

        /* The AMI's arithmetic on the nominal size: the one difference. */
        int arm64 = t->arch == MODEL_ARCH_ARM64;
        n_arm += (size_t)arm64;
        struct model_eks_node bare = node_of(name, &ami);
        check_int(name, "cpu (bare)", bare.allocatable.cpu_milli, got.allocatable.cpu_milli);
        check_int(name, "pods (bare)", bare.allocatable.pods, got.allocatable.pods);
        check_int(name, "memory (bare) - Karpenter's overhead",
                  bare.allocatable.memory - karpenter_overhead_mib(t->memory_mib, arm64) * MIB,
                  got.allocatable.memory);
        check_int(name, "capacity (bare)", bare.capacity.memory, (int64_t)t->memory_mib * MIB);
        n_agree++;
    }
    assert_int_equal(n_types, 1363);
    assert_int_equal(n_agree, n_types);
    print_message("karpenter cross-check: %zu types agree on cpu, memory, pods, ephemeral-storage "
                  "(%zu with GPUs, %zu arm64)\n",
                  n_agree, n_gpu, n_arm);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_types),
        cmocka_unit_test(sorted_for_binary_search),
        cmocka_unit_test(table_matches_testdata),
        cmocka_unit_test(prices_match_testdata),
        cmocka_unit_test(kube_reserved_cpu_bands),
        cmocka_unit_test(allocatable_by_hand),
        cmocka_unit_test(allocatable_matches_karpenter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
