/*
 * The expanders and their chain (see autoscaler/expander.h):
 * cluster-autoscaler's random, most-pods, least-waste, least-nodes, price
 * and priority, each a filter that keeps the options it scores best, and
 * the chain that runs them left to right with a seeded random pick at the
 * end. It must never read a clock or any randomness but the caller's rng,
 * and never allocate beyond the chain itself: scratch space is the caller's.
 */
#include "autoscaler/expander.h"

#include <math.h>
#include <string.h>

#include "asc_int.h"
#include "base/alloc.h"

#define GIB (1024.0 * 1024.0 * 1024.0)
#define MIB (1024.0 * 1024.0)

static const char *const names[] = {
    [ASC_EXPANDER_RANDOM] = "random",
    [ASC_EXPANDER_MOST_PODS] = "most-pods",
    [ASC_EXPANDER_LEAST_WASTE] = "least-waste",
    [ASC_EXPANDER_LEAST_NODES] = "least-nodes",
    [ASC_EXPANDER_PRICE] = "price",
    [ASC_EXPANDER_PRIORITY] = "priority",
};

const char *asc_expander_name(enum asc_expander_kind k)
{
    if ((size_t)k >= HS_ARRAY_LEN(names))
        return "?";
    return names[k];
}

void asc_option_add_pod(struct asc_option *o, const struct model_pod *p)
{
    o->n_pods++;
    o->pods_cpu_milli += p->requests.cpu_milli;
    o->pods_memory += p->requests.memory;
}

enum hs_code asc_group_node_price(const struct asc_node_group *group, double *per_hour,
                                  struct hs_err *err)
{
    const struct model_mixed_instances_policy *m = &group->asg->mixed;
    bool lowest = m->present && m->distribution.present &&
                  m->distribution.on_demand_allocation_strategy &&
                  strcmp(m->distribution.on_demand_allocation_strategy, "lowest-price") == 0;
    bool found = false;
    double best = 0;

    for (uint32_t i = 0; i < group->n_instance_types; i++) {
        double p;
        if (asc__ondemand_price(group->region, group->instance_types[i], &p, NULL) != HS_OK)
            continue;
        if (!lowest) {
            *per_hour = p;
            return HS_OK;
        }
        if (!found || p < best)
            best = p;
        found = true;
    }
    if (found) {
        *per_hour = best;
        return HS_OK;
    }
    return hs_err_set(err, HS_ENOTFOUND, "node group %s: no on-demand price for %s%s in region %s",
                      group->name,
                      group->n_instance_types ? group->instance_types[0] : "its instance types",
                      group->n_instance_types > 1 ? " nor its other types" : "",
                      group->region && *group->region ? group->region : "(none)");
}

/* ---- the filters ----------------------------------------------------------- */

typedef double (*score_fn)(const struct asc_option *o, const void *ctx, bool *ok);

/* Keeps the options with the lowest score (ties in input order). */
static size_t keep_lowest(const struct asc_option *opts, const size_t *in, size_t n_in, size_t *out,
                          score_fn score, const void *ctx)
{
    size_t n_out = 0;
    double best = 0;
    for (size_t i = 0; i < n_in; i++) {
        size_t k = in[i];
        bool ok = true;
        double s = score(&opts[k], ctx, &ok);
        if (!ok)
            continue;
        if (n_out == 0 || s < best) {
            best = s;
            out[0] = k;
            n_out = 1;
        } else if (s == best) {
            out[n_out++] = k;
        }
    }
    return n_out;
}

static double score_most_pods(const struct asc_option *o, const void *ctx, bool *ok)
{
    (void)ctx;
    (void)ok;
    return -(double)o->n_pods;
}

static double score_least_nodes(const struct asc_option *o, const void *ctx, bool *ok)
{
    (void)ctx;
    (void)ok;
    return (double)o->node_count;
}

/* cluster-autoscaler's waste: the unused fraction of the new nodes' cpu
 * capacity plus that of their memory capacity. */
static double score_waste(const struct asc_option *o, const void *ctx, bool *ok)
{
    (void)ctx;
    if (!o->node || o->node_count <= 0 || o->node->capacity.cpu_milli <= 0 ||
        o->node->capacity.memory <= 0) {
        *ok = false;
        return 0;
    }
    double cpu = (double)o->node->capacity.cpu_milli * o->node_count;
    double mem = (double)o->node->capacity.memory * o->node_count;
    return (cpu - (double)o->pods_cpu_milli) / cpu + (mem - (double)o->pods_memory) / mem;
}

struct price_ctx {
    double cpu_price, mem_price; /* per vCPU-hour, per GiB-hour */
    double stabilization;        /* price of a 500m, 500Mi pod */
    double preferred_cpu_milli;  /* the preferred node's cpu */
};

static double preferred_cpu_milli(size_t nodes)
{
    if (nodes <= 2)
        return 1000;
    if (nodes <= 6)
        return 2000;
    if (nodes <= 20)
        return 4000;
    if (nodes <= 60)
        return 8000;
    if (nodes <= 200)
        return 16000;
    return 32000;
}

static bool node_has_gpu(const struct model_node *n)
{
    for (uint32_t i = 0; i < n->allocatable.n_scalar; i++) {
        const char *nm = n->allocatable.scalar[i].name;
        if (n->allocatable.scalar[i].value > 0 &&
            (strcmp(nm, "nvidia.com/gpu") == 0 || strcmp(nm, "amd.com/gpu") == 0))
            return true;
    }
    for (uint32_t i = 0; i < n->labels.n; i++)
        if (strcmp(n->labels.v[i].key, "k8s.amazonaws.com/accelerator") == 0)
            return true;
    return false;
}

static double score_price(const struct asc_option *o, const void *vctx, bool *ok)
{
    const struct price_ctx *c = vctx;
    if (!o->has_price || !o->node || o->node_count <= 0 || o->node->capacity.cpu_milli <= 0) {
        *ok = false;
        return 0;
    }
    double nodes = o->node_price * o->node_count;
    double pods = (double)o->pods_cpu_milli / 1000.0 * c->cpu_price +
                  (double)o->pods_memory / GIB * c->mem_price;
    /* How well the money is spent. */
    double ratio = (nodes + c->stabilization) / (pods + c->stabilization);
    /* How far the node is from the cluster's preferred size, less so the
     * more nodes are added. */
    double cpu = (double)o->node->capacity.cpu_milli;
    double unfit = fmax(c->preferred_cpu_milli / cpu, cpu / c->preferred_cpu_milli);
    double suppressed = (unfit - 1.0) * (1.0 - tanh((double)(o->node_count - 1) / 15.0)) + 1.0;
    if (node_has_gpu(o->node))
        suppressed = 1000.0; /* GPUs only for the pods that need them */
    return suppressed * ratio;
}

static void price_rates(const struct asc_option *opts, const size_t *in, size_t n_in,
                        const struct asc_expander_env *env, struct price_ctx *c)
{
    c->cpu_price = env ? env->cpu_price : 0;
    c->mem_price = env ? env->memory_price_gib : 0;
    if (c->cpu_price <= 0 && c->mem_price <= 0) {
        double p;
        const char *region = n_in && opts[in[0]].group ? opts[in[0]].group->region : NULL;
        if (region && asc__ondemand_price(region, "m5.large", &p, NULL) == HS_OK) {
            c->cpu_price = p / 4.0;  /* half the price over 2 vCPUs */
            c->mem_price = p / 16.0; /* half over 8 GiB */
        } else {
            c->cpu_price = 0.024;
            c->mem_price = 0.006;
        }
    }
    c->stabilization = 0.5 * c->cpu_price + 500.0 * MIB / GIB * c->mem_price;
    c->preferred_cpu_milli = preferred_cpu_milli(env ? env->cluster_nodes : 0);
}

static size_t filter_priority(const struct asc_option *opts, const size_t *in, size_t n_in,
                              size_t *out, const struct asc_priorities *p)
{
    size_t n_out = 0;
    int64_t best = 0;
    if (!p)
        return 0;
    for (size_t i = 0; i < n_in; i++) {
        size_t k = in[i];
        int64_t prio;
        if (!opts[k].group || !asc_priorities_of(p, opts[k].group->name, &prio))
            continue;
        /* cluster-autoscaler's priority expander starts its running maximum at
         * -1 and skips lists below it: a group whose best match is below -1 is
         * never chosen (as if unmatched; if no group is left, nothing is
         * filtered). */
        if (prio < -1)
            continue;
        if (n_out == 0 || prio > best) {
            best = prio;
            out[0] = k;
            n_out = 1;
        } else if (prio == best) {
            out[n_out++] = k;
        }
    }
    if (n_out == 0) {
        /* No option's group has a priority: nothing is filtered. */
        memmove(out, in, n_in * sizeof(*in));
        return n_in;
    }
    return n_out;
}

bool asc_expander_score(enum asc_expander_kind k, const struct asc_option *o, double *score)
{
    bool ok = true;
    switch (k) {
    case ASC_EXPANDER_MOST_PODS:
        *score = score_most_pods(o, NULL, &ok);
        return ok;
    case ASC_EXPANDER_LEAST_WASTE:
        *score = score_waste(o, NULL, &ok);
        return ok;
    case ASC_EXPANDER_LEAST_NODES:
        *score = score_least_nodes(o, NULL, &ok);
        return ok;
    default:
        return false;
    }
}

size_t asc_expander_filter(enum asc_expander_kind k, const struct asc_option *opts,
                           const size_t *in, size_t n_in, size_t *out,
                           const struct asc_expander_env *env, struct hs_rng *rng)
{
    struct price_ctx pc;
    if (n_in == 0)
        return 0;
    switch (k) {
    case ASC_EXPANDER_RANDOM:
        out[0] = in[hs_rng_below(rng, n_in)];
        return 1;
    case ASC_EXPANDER_MOST_PODS:
        return keep_lowest(opts, in, n_in, out, score_most_pods, NULL);
    case ASC_EXPANDER_LEAST_WASTE:
        return keep_lowest(opts, in, n_in, out, score_waste, NULL);
    case ASC_EXPANDER_LEAST_NODES:
        return keep_lowest(opts, in, n_in, out, score_least_nodes, NULL);
    case ASC_EXPANDER_PRICE:
        price_rates(opts, in, n_in, env, &pc);
        return keep_lowest(opts, in, n_in, out, score_price, &pc);
    case ASC_EXPANDER_PRIORITY:
        return filter_priority(opts, in, n_in, out, env ? env->priorities : NULL);
    }
    return 0;
}

/* ---- the chain ---------------------------------------------------------- */

struct asc_expander {
    size_t n;
    enum asc_expander_kind k[HS_ARRAY_LEN(names)];
};

enum hs_code asc_expander_new(const char *spec, struct asc_expander **out, struct hs_err *err)
{
    struct asc_expander e = { 0 };
    const char *p = spec ? spec : "";

    *out = NULL;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        size_t i;
        if (len == 0)
            return hs_err_set(err, HS_EINVAL, "--expander \"%s\": empty expander name", spec);
        for (i = 0; i < HS_ARRAY_LEN(names); i++)
            if (strlen(names[i]) == len && strncmp(names[i], p, len) == 0)
                break;
        if (i == HS_ARRAY_LEN(names))
            return hs_err_set(err, HS_EINVAL, "--expander \"%s\": expander \"%.*s\" not supported",
                              spec, (int)len, p);
        for (size_t j = 0; j < e.n; j++)
            if (e.k[j] == (enum asc_expander_kind)i)
                return hs_err_set(err, HS_EINVAL,
                                  "--expander \"%s\": expander %s given more than once", spec,
                                  names[i]);
        if (e.n && e.k[e.n - 1] == ASC_EXPANDER_RANDOM)
            return hs_err_set(err, HS_EINVAL,
                              "--expander \"%s\": %s comes after random, which always leaves "
                              "one option, so it would never be used",
                              spec, names[i]);
        e.k[e.n++] = (enum asc_expander_kind)i;
        if (!end)
            break;
        p = end + 1;
    }
    *out = hs_memdup(&e, sizeof(e));
    return HS_OK;
}

void asc_expander_free(struct asc_expander **e)
{
    if (!e)
        return;
    hs_free(*e);
    *e = NULL;
}

size_t asc_expander_len(const struct asc_expander *e)
{
    return e->n;
}

enum asc_expander_kind asc_expander_at(const struct asc_expander *e, size_t i)
{
    HS_BUG_ON(i >= e->n);
    return e->k[i];
}

ptrdiff_t asc_expander_choose(const struct asc_expander *e, const struct asc_option *opts, size_t n,
                              const struct asc_expander_env *env, struct hs_rng *rng)
{
    if (n == 0)
        return -1;
    size_t *set = hs_malloc(n * sizeof(*set));
    size_t m = n;
    ptrdiff_t chosen = -1;
    for (size_t i = 0; i < n; i++)
        set[i] = i;
    /* Every link runs at least once, even on a single option (price or
     * priority may still drop it); one option left ends the chain. */
    for (size_t i = 0; i < e->n; i++) {
        m = asc_expander_filter(e->k[i], opts, set, m, set, env, rng);
        if (m <= 1)
            break;
    }
    if (m == 1)
        chosen = (ptrdiff_t)set[0];
    else if (m > 1)
        chosen = (ptrdiff_t)set[hs_rng_below(rng, m)];
    hs_free(set);
    return chosen;
}
