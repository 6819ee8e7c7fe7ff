/*
 * Lookups over the generated EC2 tables (ec2_facts_gen.c) and the allocatable
 * an EKS optimized AMI gives a node. Everything here is a pure function of
 * its arguments and of const tables: it must never allocate, do I/O, keep
 * state, or hold a fact that did not come from ../shared/testdata through
 * scripts/gen-ec2-facts.py (edit the generator, never the generated file).
 *
 * What the EKS AMIs do, as read in awslabs/amazon-eks-ami (re-expressed
 * here; numbers checked against Karpenter's published allocatable in
 * test/unit/model/ec2_facts.c):
 *
 * - templates/al2/runtime/bootstrap.sh (AL2): max pods is the instance's line
 *   in /etc/eks/eni-max-pods.txt; a type missing there falls back to
 *   templates/al2/runtime/max-pods-calculator.sh with --show-max-allowed,
 *   which prints ENIs*(IPv4 per ENI-1)+2 with NO 110/250 ceiling. maxPods is
 *   written into the kubelet config unless --use-max-pods false. kubeReserved
 *   is cpu = the tiered millicores below, memory = 11*max_pods+255 Mi
 *   computed from that table value (so a --max-pods passed through
 *   --kubelet-extra-args does not change it), ephemeral-storage = 1Gi.
 *   evictionHard is memory.available 100Mi, nodefs.available 10%,
 *   nodefs.inodesFree 5%. systemReserved is never set (only the
 *   systemReservedCgroup/kubeReservedCgroup paths /system and /runtime).
 * - nodeadm/internal/kubelet/config.go (AL2023): the same evictionHard in
 *   defaultKubeletSubConfig, and withDefaultReservedResources sets maxPods and
 *   kubeReserved {cpu: getCPUMillicoresToReserve(), ephemeral-storage: 1Gi,
 *   memory: 11*maxPods+255 Mi} before the user's NodeConfig kubelet config is
 *   merged over it, so a user maxPods again leaves kube-reserved sized for the
 *   ENI value. No systemReserved. The CPU bands there are {0,1000,2000,4000,
 *   total} millicores at {600,100,50,25} per 10,000, each band's share
 *   rounded down separately.
 * - nodeadm/internal/kubelet/eni_max_pods.go (now reading instance-info.jsonl;
 *   older versions and max_pods.go read eni-max-pods.txt): ENIs on the default
 *   network card * (IPv4 per ENI - 1) + 2, or 110 (the kubelet default) when
 *   the type is unknown and EC2 cannot be asked. No ceiling either.
 *   maxpods/maxpods.go has an opt-in feature gate (MemoryLimitMaxPods) that
 *   lowers max pods on small-memory types; not modelled (off by default).
 * - The 110 / 250 ceilings (250 when vCPUs > 30, so exactly 30 vCPUs get 110)
 *   live only in max-pods-calculator.sh's recommended output and in
 *   nodeadm/internal/kubelet/util.go calculateMaxPods, i.e. what users are
 *   told to pass as --max-pods with prefix delegation (ENIs*((IPv4 per
 *   ENI-1)*16)+2 before the ceiling). The AMIs' default is uncapped: an
 *   m7g.metal registers 737 pods, as Karpenter's table also says.
 * - eni-max-pods.txt (ec2/, 1197 types) and instance-info.jsonl (1384 types)
 *   agree on all 1191 types they share; the generator fails if they ever
 *   disagree. The .txt alone has the retired f1 and p3 families.
 *
 * What the kubelet reports as memory capacity is MemTotal, which is below the
 * EC2 size. Karpenter estimates it as (SizeInMiB - 64 MiB CMA on arm64) minus
 * ceil(7.5%) (VM_MEMORY_OVERHEAD_PERCENT); hoist's defaults do the same, so
 * a template never promises memory a real node lacks. Setting the overhead
 * and CMA to 0 gives the AMIs' arithmetic on the nominal size.
 */
#include "model/ec2_facts.h"

#include <stdio.h>
#include <string.h>

#include "ec2_facts_int.h"

_Static_assert(sizeof(struct model_ec2_type) == 28,
               "the generator's size comment assumes 28-byte rows");

#define MIB ((int64_t)1 << 20)
#define GIB ((int64_t)1 << 30)

/* ---- instance types ------------------------------------------------------ */

static const char *pool_str(uint32_t off)
{
    return model__ec2_pool + off;
}

const struct model_ec2_type *model_ec2_type_find(const char *name)
{
    size_t lo = 0, hi = model__n_instance_types;
    if (!name)
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct model_ec2_type *t = &model__ec2_types[mid];
        int c = strcmp(name, pool_str(t->name_off));
        if (c == 0)
            return t;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

size_t model_ec2_type_count(void)
{
    return model__n_instance_types;
}

const struct model_ec2_type *model_ec2_type_at(size_t i)
{
    return i < model__n_instance_types ? &model__ec2_types[i] : NULL;
}

const char *model_ec2_type_name(const struct model_ec2_type *t)
{
    return pool_str(t->name_off);
}

static const char *word(uint8_t idx)
{
    if (idx == 0 || idx >= model__ec2_n_words)
        return NULL;
    return pool_str(model__ec2_words[idx]);
}

const char *model_ec2_type_gpu_name(const struct model_ec2_type *t)
{
    return word(t->gpu_name_idx);
}

const char *model_ec2_type_gpu_manufacturer(const struct model_ec2_type *t)
{
    return word(t->gpu_manufacturer_idx);
}

const char *model_arch_name(enum model_arch arch)
{
    switch (arch) {
    case MODEL_ARCH_AMD64:
        return "amd64";
    case MODEL_ARCH_ARM64:
        return "arm64";
    case MODEL_ARCH_UNKNOWN:
        break;
    }
    return NULL;
}

/* ---- prices -------------------------------------------------------------- */

size_t model_price_region_count(void)
{
    return model__n_price_regions;
}

const char *model_price_region_name(size_t i)
{
    return i < model__n_price_regions ? pool_str(model__price_regions[i].name) : NULL;
}

const char *model_price_region_currency(size_t i)
{
    return i < model__n_price_regions ? pool_str(model__price_regions[i].currency) : NULL;
}

static const struct model__price_row *price_row_find(const char *type)
{
    size_t lo = 0, hi = model__n_price_rows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(type, pool_str(model__price_rows[mid].name));
        if (c == 0)
            return &model__price_rows[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static enum hs_code region_find(const char *region, size_t *r, struct hs_err *err)
{
    for (size_t i = 0; i < model__n_price_regions; i++) {
        if (strcmp(region, pool_str(model__price_regions[i].name)) == 0) {
            *r = i;
            return HS_OK;
        }
    }
    /* Name the regions that do have prices, from the table itself. */
    char known[256];
    size_t len = 0;
    known[0] = '\0';
    for (size_t i = 0; i < model__n_price_regions; i++) {
        int k = snprintf(known + len, sizeof(known) - len, "%s%s", i ? ", " : "",
                         pool_str(model__price_regions[i].name));
        if (k < 0 || (size_t)k >= sizeof(known) - len)
            break;
        len += (size_t)k;
    }
    return hs_err_set(err, HS_ENOTFOUND,
                      "no built-in on-demand prices for region '%s' (built in: %s)", region, known);
}

static enum hs_code price_of(const struct model__price_row *row, size_t r, const char *type,
                             double *per_hour, const char **currency, struct hs_err *err)
{
    if (!row || row->micros[r] == 0)
        return hs_err_set(err, HS_ENOTFOUND, "no built-in on-demand price for '%s' in '%s'", type,
                          pool_str(model__price_regions[r].name));
    /* Exact: the micros and 1e6 are exact doubles and IEEE division rounds
     * once, so the result is the double nearest the source's decimal. */
    *per_hour = (double)row->micros[r] / 1e6;
    if (currency)
        *currency = pool_str(model__price_regions[r].currency);
    return HS_OK;
}

enum hs_code model_ondemand_price(const char *region, const char *type, double *per_hour,
                                  const char **currency, struct hs_err *err)
{
    size_t r = 0;
    if (!region || !type || !per_hour)
        return hs_err_set(err, HS_EINVAL, "on-demand price: region, type and result are required");
    enum hs_code rc = region_find(region, &r, err);
    if (rc)
        return rc;
    return price_of(price_row_find(type), r, type, per_hour, currency, err);
}

enum hs_code model_ec2_type_ondemand_price(const struct model_ec2_type *t, const char *region,
                                           double *per_hour, const char **currency,
                                           struct hs_err *err)
{
    size_t r = 0;
    if (!t || !region || !per_hour)
        return hs_err_set(err, HS_EINVAL, "on-demand price: type, region and result are required");
    enum hs_code rc = region_find(region, &r, err);
    if (rc)
        return rc;
    const struct model__price_row *row =
        t->price_row < model__n_price_rows ? &model__price_rows[t->price_row] : NULL;
    return price_of(row, r, model_ec2_type_name(t), per_hour, currency, err);
}

/* ---- EKS allocatable ----------------------------------------------------- */

/* The kubelet's default maxPods, used by the AMIs for a type they cannot
 * look up. */
#define EKS_UNKNOWN_MAX_PODS 110
/* max-pods-calculator.sh's ceilings for the recommended value. */
#define EKS_POD_CEILING_SMALL 110
#define EKS_POD_CEILING_LARGE 250
#define EKS_POD_CEILING_VCPU  30 /* more vCPUs than this get the large one */
#define EKS_IPS_PER_PREFIX    16

void model_eks_options_default(struct model_eks_options *o)
{
    memset(o, 0, sizeof(*o));
    o->max_pods = 0;
    o->prefix_delegation = false;
    o->vm_memory_overhead_bp = 750;
    o->arm64_cma_mib = 64;
    o->root_volume_bytes = 20 * GIB;
}

void model_eks_shape_of(const struct model_ec2_type *t, struct model_eks_shape *s)
{
    memset(s, 0, sizeof(*s));
    s->vcpu = t->vcpu;
    s->memory_mib = t->memory_mib;
    s->arch = (enum model_arch)t->arch;
    s->max_pods_eni = t->max_pods_eni;
    s->max_enis = t->max_enis;
    s->ipv4_per_eni = t->ipv4_per_eni;
}

int64_t model_eks_kube_reserved_cpu_milli(uint32_t vcpu)
{
    /* band start in millicores and the share per 10,000 reserved in it */
    static const struct {
        int64_t start, per_10k;
    } bands[] = { { 0, 600 }, { 1000, 100 }, { 2000, 50 }, { 4000, 25 } };
    int64_t total = (int64_t)vcpu * 1000, reserved = 0;
    for (size_t i = 0; i < sizeof(bands) / sizeof(bands[0]); i++) {
        int64_t end = i + 1 < sizeof(bands) / sizeof(bands[0]) ? bands[i + 1].start : total;
        if (total <= bands[i].start)
            break;
        int64_t upto = total < end ? total : end;
        reserved += (upto - bands[i].start) * bands[i].per_10k / 10000;
    }
    return reserved;
}

int64_t model_eks_kube_reserved_memory_mib(uint32_t max_pods)
{
    return 11 * (int64_t)max_pods + 255;
}

static int64_t sub_floor0(int64_t a, int64_t b)
{
    return a > b ? a - b : 0;
}

static int64_t pods_of(const struct model_eks_shape *s, const struct model_eks_options *o,
                       int64_t eni_pods)
{
    if (o->max_pods)
        return o->max_pods;
    if (!o->prefix_delegation)
        return eni_pods;
    int64_t ceiling =
        s->vcpu > EKS_POD_CEILING_VCPU ? EKS_POD_CEILING_LARGE : EKS_POD_CEILING_SMALL;
    if (s->max_enis == 0 || s->ipv4_per_eni == 0)
        return ceiling;
    int64_t pd = (int64_t)s->max_enis * (((int64_t)s->ipv4_per_eni - 1) * EKS_IPS_PER_PREFIX) + 2;
    return pd < ceiling ? pd : ceiling;
}

enum hs_code model_eks_allocatable(const struct model_eks_shape *s,
                                   const struct model_eks_options *o, struct model_eks_node *out,
                                   struct hs_err *err)
{
    struct model_eks_options defaults;
    if (!o) {
        model_eks_options_default(&defaults);
        o = &defaults;
    }
    if (!s || s->vcpu == 0 || s->memory_mib == 0)
        return hs_err_set(
            err, HS_EINVAL,
            "cannot size an EKS node: the instance type's vCPUs and memory are unknown");
    if (o->vm_memory_overhead_bp >= 10000 || o->root_volume_bytes < 0)
        return hs_err_set(
            err, HS_EINVAL,
            "EKS node options out of range: memory overhead %u bp, root volume %lld B",
            o->vm_memory_overhead_bp, (long long)o->root_volume_bytes);

    struct model_eks_node n;
    memset(&n, 0, sizeof(n));

    /* Memory the kubelet will see: CMA on Graviton first, then the overhead
     * on what is left, rounded up to whole MiB (as Karpenter's estimate). */
    int64_t mib = s->memory_mib;
    if (s->arch == MODEL_ARCH_ARM64)
        mib = sub_floor0(mib, o->arm64_cma_mib);
    mib -= (mib * o->vm_memory_overhead_bp + 9999) / 10000;

    int64_t eni_pods = s->max_pods_eni;
    if (eni_pods == 0) {
        eni_pods = EKS_UNKNOWN_MAX_PODS;
        n.pods_defaulted = true;
    }
    n.reserve_pods = eni_pods;

    n.capacity.cpu_milli = (int64_t)s->vcpu * 1000;
    n.capacity.memory = mib * MIB;
    n.capacity.ephemeral_storage = o->root_volume_bytes;
    n.capacity.pods = pods_of(s, o, eni_pods);

    n.kube_reserved_cpu_milli = model_eks_kube_reserved_cpu_milli(s->vcpu);
    n.kube_reserved_memory = model_eks_kube_reserved_memory_mib((uint32_t)eni_pods) * MIB;
    n.kube_reserved_ephemeral_storage = 1 * GIB;
    n.eviction_memory = 100 * MIB;
    /* nodefs.available<10%: a share of the filesystem's capacity, truncated
     * to whole bytes as the kubelet's percentage thresholds are. */
    n.eviction_ephemeral_storage = o->root_volume_bytes / 10;

    n.allocatable.cpu_milli = sub_floor0(n.capacity.cpu_milli, n.kube_reserved_cpu_milli);
    n.allocatable.memory =
        sub_floor0(n.capacity.memory, n.kube_reserved_memory + n.eviction_memory);
    n.allocatable.ephemeral_storage =
        sub_floor0(n.capacity.ephemeral_storage,
                   n.kube_reserved_ephemeral_storage + n.eviction_ephemeral_storage);
    n.allocatable.pods = n.capacity.pods;

    *out = n;
    return HS_OK;
}
