/*
 * Similar node groups and the balanced split of a scale-up (see
 * autoscaler/balance.h): cluster-autoscaler's AWS comparator and
 * BalanceScaleUpBetweenGroups, re-expressed over model nodes. Pure: it must
 * never allocate, do I/O or depend on anything but its arguments.
 */
#include "autoscaler/balance.h"

#include <math.h>
#include <string.h>

#include "base/common.h"

void asc_similarity_default(struct asc_similarity *s)
{
    memset(s, 0, sizeof(*s));
    s->memory_ratio = 0.015;
    s->allocatable_ratio = 0.05;
    s->free_ratio = 0.05;
}

static const char *const ignored[] = {
    /* cluster-autoscaler's basic list */
    "kubernetes.io/hostname",
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
    "beta.kubernetes.io/fluentd-ds-ready",
    "kops.k8s.io/instancegroup",
    /* its AWS list */
    "alpha.eksctl.io/instance-id",
    "alpha.eksctl.io/nodegroup-name",
    "eks.amazonaws.com/nodegroup",
    "k8s.amazonaws.com/eniConfig",
    "lifecycle",
    "topology.ebs.csi.aws.com/zone",
    /* hoist: per-zone or per-managed-node-group values on identical nodes */
    "topology.k8s.aws/zone-id",
    "eks.amazonaws.com/sourceLaunchTemplateId",
    "eks.amazonaws.com/sourceLaunchTemplateVersion",
};

bool asc_label_ignored_for_balance(const struct asc_similarity *s, const char *key)
{
    for (size_t i = 0; i < HS_ARRAY_LEN(ignored); i++)
        if (strcmp(ignored[i], key) == 0)
            return true;
    for (size_t i = 0; s && i < s->n_ignore_labels; i++)
        if (s->ignore_labels[i] && strcmp(s->ignore_labels[i], key) == 0)
            return true;
    return false;
}

static bool within(double x, double y, double ratio)
{
    double larger = fmax(x, y), smaller = fmin(x, y);
    return larger - smaller <= larger * ratio;
}

/* Calls f for every scalar name of a or b, each name once. */
static bool scalars_all(const struct model_resources *a, const struct model_resources *b,
                        bool (*f)(const char *name, const void *ctx), const void *ctx)
{
    for (uint32_t i = 0; i < a->n_scalar; i++)
        if (!f(a->scalar[i].name, ctx))
            return false;
    for (uint32_t i = 0; i < b->n_scalar; i++) {
        bool seen = false;
        for (uint32_t k = 0; k < a->n_scalar && !seen; k++)
            seen = strcmp(a->scalar[k].name, b->scalar[i].name) == 0;
        if (!seen && !f(b->scalar[i].name, ctx))
            return false;
    }
    return true;
}

struct cmp_ctx {
    const struct model_resources *a, *b;
    const struct model_resources *a_used, *b_used;
    double ratio;
};

static int64_t used_of(const struct model_resources *u, const char *name)
{
    return u ? model_resources_scalar(u, name) : 0;
}

static bool scalar_equal(const char *name, const void *vctx)
{
    const struct cmp_ctx *c = vctx;
    return model_resources_scalar(c->a, name) == model_resources_scalar(c->b, name);
}

static bool scalar_within(const char *name, const void *vctx)
{
    const struct cmp_ctx *c = vctx;
    return within((double)model_resources_scalar(c->a, name) * 1000.0,
                  (double)model_resources_scalar(c->b, name) * 1000.0, c->ratio);
}

static bool scalar_free_within(const char *name, const void *vctx)
{
    const struct cmp_ctx *c = vctx;
    double fa = (double)(model_resources_scalar(c->a, name) - used_of(c->a_used, name));
    double fb = (double)(model_resources_scalar(c->b, name) - used_of(c->b_used, name));
    return within(fa * 1000.0, fb * 1000.0, c->ratio);
}

/* Milli-values of the four fixed resources of r. */
static void milli4(const struct model_resources *r, double v[4])
{
    v[0] = (double)r->cpu_milli;
    v[1] = (double)r->memory * 1000.0;
    v[2] = (double)r->ephemeral_storage * 1000.0;
    v[3] = (double)r->pods * 1000.0;
}

static bool labels_same(const struct model_node *a, const struct model_node *b,
                        const struct asc_similarity *s)
{
    /* Every compared label of a is on b with the same value, and b has no
     * compared label that a lacks. */
    for (uint32_t i = 0; i < a->labels.n; i++) {
        const char *k = a->labels.v[i].key;
        if (asc_label_ignored_for_balance(s, k))
            continue;
        const char *v = model_labels_get(&b->labels, k);
        if (!v || strcmp(v, a->labels.v[i].value) != 0)
            return false;
    }
    for (uint32_t i = 0; i < b->labels.n; i++) {
        const char *k = b->labels.v[i].key;
        if (asc_label_ignored_for_balance(s, k))
            continue;
        if (!model_labels_get(&a->labels, k))
            return false;
    }
    return true;
}

static const char *label_value(const struct model_node *n, const char *key)
{
    for (uint32_t i = 0; i < n->labels.n; i++)
        if (strcmp(n->labels.v[i].key, key) == 0)
            return n->labels.v[i].value;
    return NULL;
}

bool asc_nodes_similar(const struct model_node *a, const struct model_resources *a_used,
                       const struct model_node *b, const struct model_resources *b_used,
                       const struct asc_similarity *s)
{
    struct asc_similarity dflt;
    if (!s) {
        asc_similarity_default(&dflt);
        s = &dflt;
    }
    if (s->n_labels) {
        for (size_t i = 0; i < s->n_labels; i++) {
            const char *va = label_value(a, s->labels[i]);
            const char *vb = label_value(b, s->labels[i]);
            if (!va || !vb || strcmp(va, vb) != 0)
                return false;
        }
        return true;
    }

    /* Capacity: memory within its ratio, everything else equal. */
    if (a->capacity.cpu_milli != b->capacity.cpu_milli ||
        a->capacity.ephemeral_storage != b->capacity.ephemeral_storage ||
        a->capacity.pods != b->capacity.pods)
        return false;
    if (!within((double)a->capacity.memory * 1000.0, (double)b->capacity.memory * 1000.0,
                s->memory_ratio))
        return false;
    struct cmp_ctx c = { &a->capacity, &b->capacity, a_used, b_used, 0 };
    if (!scalars_all(&a->capacity, &b->capacity, scalar_equal, &c))
        return false;

    /* Allocatable within its ratio. */
    double va[4], vb[4];
    milli4(&a->allocatable, va);
    milli4(&b->allocatable, vb);
    for (int i = 0; i < 4; i++)
        if (!within(va[i], vb[i], s->allocatable_ratio))
            return false;
    c.a = &a->allocatable;
    c.b = &b->allocatable;
    c.ratio = s->allocatable_ratio;
    if (!scalars_all(&a->allocatable, &b->allocatable, scalar_within, &c))
        return false;

    /* Free (allocatable minus what already runs there) within its ratio. */
    double ua[4] = { 0 }, ub[4] = { 0 };
    if (a_used)
        milli4(a_used, ua);
    if (b_used)
        milli4(b_used, ub);
    ua[3] = ub[3] = 0; /* the scheduler counts no pod slots as requested */
    for (int i = 0; i < 4; i++)
        if (!within(va[i] - ua[i], vb[i] - ub[i], s->free_ratio))
            return false;
    c.ratio = s->free_ratio;
    if (!scalars_all(&a->allocatable, &b->allocatable, scalar_free_within, &c))
        return false;

    return labels_same(a, b, s);
}

int32_t asc_balance_split(struct asc_balance_slot *slots, size_t n, int32_t new_nodes)
{
    int32_t placed = 0;
    for (size_t i = 0; i < n; i++)
        slots[i].new_size = slots[i].current;
    while (placed < new_nodes) {
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            if (slots[i].new_size >= slots[i].max)
                continue;
            if (best == n || slots[i].new_size < slots[best].new_size)
                best = i;
        }
        if (best == n)
            break;
        slots[best].new_size++;
        placed++;
    }
    return placed;
}
