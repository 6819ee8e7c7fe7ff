/*
 * Which ASGs are node groups, with what sizes, options and instance types:
 * cluster-autoscaler's AWS provider semantics (--nodes specs, tag
 * auto-discovery, autoscaling-options tags, the instance type of a launch
 * configuration, launch template or mixed instances policy) re-expressed
 * over the model's ASG lists. It must never do I/O or read a clock, and
 * never abort on what an ASG says: odd input becomes a warning.
 */
#include "autoscaler/nodegroup.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/duration.h"

#define NS_PER_MIN (60LL * 1000 * 1000 * 1000)

void asc_group_options_default(struct asc_group_options *o)
{
    memset(o, 0, sizeof(*o));
    o->scale_down_utilization_threshold = 0.5;
    o->scale_down_gpu_utilization_threshold = 0.5;
    o->scale_down_unneeded_time = 10 * NS_PER_MIN;
    o->scale_down_unready_time = 20 * NS_PER_MIN;
    o->ignore_daemonsets_utilization = false;
    o->max_node_provision_time = 15 * NS_PER_MIN;
}

void asc_warnf(struct asc_warnings *w, const char *fmt, ...)
{
    char line[HS_ERR_MSG_MAX];
    va_list ap;

    if (!w)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    size_t cap = w->cap;
    HS_GROW(w->v, cap, (size_t)w->n + 1);
    w->cap = (uint32_t)cap;
    w->v[w->n++] = hs_arena_strndup(w->arena, line, strlen(line));
}

/* ---- autoscaling-options tags -------------------------------------------- */

/* Go's strconv.ParseFloat for a finite value: no surrounding space. */
static bool parse_ratio(const char *s, double *out)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return false;
    double v = strtod(s, &end);
    if (*end || !isfinite(v) || v < 0.0 || v > 1.0)
        return false;
    *out = v;
    return true;
}

/* Go's strconv.ParseBool. */
static bool parse_go_bool(const char *s, bool *out)
{
    static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
    static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
    for (size_t i = 0; i < HS_ARRAY_LEN(yes); i++) {
        if (strcmp(s, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcmp(s, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

enum opt_kind { OPT_RATIO, OPT_DURATION, OPT_BOOL };

static const struct {
    const char *name;
    enum opt_kind kind;
    unsigned bit;
} options[] = {
    { "scaledownutilizationthreshold", OPT_RATIO, ASC_OPT_UTILIZATION },
    { "scaledowngpuutilizationthreshold", OPT_RATIO, ASC_OPT_GPU_UTILIZATION },
    { "scaledownunneededtime", OPT_DURATION, ASC_OPT_UNNEEDED_TIME },
    { "scaledownunreadytime", OPT_DURATION, ASC_OPT_UNREADY_TIME },
    { "ignoredaemonsetsutilization", OPT_BOOL, ASC_OPT_IGNORE_DS },
    { "maxnodeprovisiontime", OPT_DURATION, ASC_OPT_PROVISION_TIME },
};

static void set_option(struct asc_group_options *o, unsigned bit, double ratio, int64_t dur,
                       bool flag)
{
    switch (bit) {
    case ASC_OPT_UTILIZATION:
        o->scale_down_utilization_threshold = ratio;
        break;
    case ASC_OPT_GPU_UTILIZATION:
        o->scale_down_gpu_utilization_threshold = ratio;
        break;
    case ASC_OPT_UNNEEDED_TIME:
        o->scale_down_unneeded_time = dur;
        break;
    case ASC_OPT_UNREADY_TIME:
        o->scale_down_unready_time = dur;
        break;
    case ASC_OPT_IGNORE_DS:
        o->ignore_daemonsets_utilization = flag;
        break;
    case ASC_OPT_PROVISION_TIME:
        o->max_node_provision_time = dur;
        break;
    default:
        HS_BUG("unknown autoscaling option bit");
    }
    o->from_tags |= bit;
}

void asc_group_options_from_tags(const struct model_asg *asg,
                                 const struct asc_group_options *defaults,
                                 struct asc_group_options *out, struct asc_warnings *warn)
{
    static const char prefix[] = ASC_OPTIONS_TAG_PREFIX;
    const size_t plen = sizeof(prefix) - 1;

    *out = *defaults;
    out->from_tags = 0;
    for (uint32_t i = 0; i < asg->n_tags; i++) {
        const struct model_asg_tag *tag = &asg->tags[i];
        if (!tag->key || strncmp(tag->key, prefix, plen) != 0 || tag->key[plen] == '\0')
            continue;
        const char *name = tag->key + plen;
        const char *value = tag->value ? tag->value : "";
        size_t k;
        for (k = 0; k < HS_ARRAY_LEN(options); k++)
            if (strcmp(options[k].name, name) == 0)
                break;
        if (k == HS_ARRAY_LEN(options)) {
            asc_warnf(warn, "ASG %s: tag %s: unknown autoscaling option \"%s\", ignored", asg->name,
                      tag->key, name);
            continue;
        }
        double ratio = 0;
        int64_t dur = 0;
        bool flag = false;
        switch (options[k].kind) {
        case OPT_RATIO:
            if (!parse_ratio(value, &ratio)) {
                asc_warnf(warn,
                          "ASG %s: tag %s: invalid value \"%s\" (want a number from 0 to 1); "
                          "using the default",
                          asg->name, tag->key, value);
                continue;
            }
            break;
        case OPT_DURATION:
            if (hs_duration_parse_nonneg(value, &dur, NULL) != HS_OK) {
                asc_warnf(warn,
                          "ASG %s: tag %s: invalid value \"%s\" (want a duration such as 10m); "
                          "using the default",
                          asg->name, tag->key, value);
                continue;
            }
            break;
        case OPT_BOOL:
            if (!parse_go_bool(value, &flag)) {
                asc_warnf(warn,
                          "ASG %s: tag %s: invalid value \"%s\" (want true or false); "
                          "using the default",
                          asg->name, tag->key, value);
                continue;
            }
            break;
        }
        set_option(out, options[k].bit, ratio, dur, flag);
    }
}

/* ---- regions ---------------------------------------------------------------- */

bool asc_region_of_zone(const char *zone, char *buf, size_t size)
{
    const char *p = zone;
    if (size)
        buf[0] = '\0';
    if (!zone)
        return false;
    for (;;) {
        const char *dash = strchr(p, '-');
        if (isdigit((unsigned char)*p)) {
            const char *e = p;
            while (isdigit((unsigned char)*e))
                e++;
            size_t len = (size_t)(e - zone);
            if (p == zone || len + 1 > size)
                return false;
            memcpy(buf, zone, len);
            buf[len] = '\0';
            return true;
        }
        if (!dash)
            return false;
        p = dash + 1;
    }
}

/* ---- instance types ------------------------------------------------------- */

static bool lt_spec_matches(const struct model_lt_spec *s, const struct model_lt_version *v)
{
    if (s->id && v->template_id)
        return strcmp(s->id, v->template_id) == 0;
    if (s->name && v->template_name)
        return strcmp(s->name, v->template_name) == 0;
    return false;
}

/* The version of launch template s in l that s->version names. */
static const struct model_lt_version *lt_find(const struct model_lt_version_list *l,
                                              const struct model_lt_spec *s)
{
    const struct model_lt_version *best = NULL;
    const char *want = s->version;
    bool latest = want && strcmp(want, "$Latest") == 0;
    bool dflt = !want || strcmp(want, "$Default") == 0 || *want == '\0';
    long long num = 0;

    if (!l || !model_lt_spec_present(s))
        return NULL;
    if (!latest && !dflt) {
        char *end;
        num = strtoll(want, &end, 10);
        if (*end || num <= 0)
            return NULL;
    }
    for (uint32_t i = 0; i < l->n; i++) {
        const struct model_lt_version *v = &l->v[i];
        if (!lt_spec_matches(s, v))
            continue;
        if (latest) {
            if (!best || v->version_number > best->version_number)
                best = v;
        } else if (dflt) {
            if (v->default_version)
                return v;
        } else if (v->version_number == num) {
            return v;
        }
    }
    return best;
}

static void add_type(struct hs_arena *a, struct asc_node_group *g, uint32_t *cap, const char *t)
{
    if (!t || !*t)
        return;
    for (uint32_t i = 0; i < g->n_instance_types; i++)
        if (strcmp(g->instance_types[i], t) == 0)
            return;
    if (g->n_instance_types == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 4;
        const char **nv = hs_arena_alloc(a, ncap * sizeof(*nv), 0);
        if (g->n_instance_types)
            memcpy(nv, g->instance_types, g->n_instance_types * sizeof(*nv));
        g->instance_types = nv;
        *cap = ncap;
    }
    g->instance_types[g->n_instance_types++] = t;
}

static void resolve_types(struct hs_arena *a, const struct asc_cloud *cloud,
                          struct asc_node_group *g, struct asc_warnings *warn)
{
    const struct model_asg *asg = g->asg;
    uint32_t cap = 0;

    if (asg->launch_configuration_name) {
        const struct model_launch_config_list *l = cloud->launch_configs;
        for (uint32_t i = 0; l && i < l->n; i++) {
            if (l->v[i].name && strcmp(l->v[i].name, asg->launch_configuration_name) == 0) {
                add_type(a, g, &cap, l->v[i].instance_type);
                g->spot = l->v[i].spot;
                break;
            }
        }
        if (g->n_instance_types)
            g->type_source = ASC_TYPES_LAUNCH_CONFIG;
    } else if (model_lt_spec_present(&asg->launch_template)) {
        const struct model_lt_version *v = lt_find(cloud->launch_templates, &asg->launch_template);
        if (v && v->instance_type) {
            add_type(a, g, &cap, v->instance_type);
            g->type_source = ASC_TYPES_LAUNCH_TEMPLATE;
        }
    } else if (asg->mixed.present) {
        const struct model_mixed_instances_policy *m = &asg->mixed;
        bool by_requirements = false;
        for (uint32_t i = 0; i < m->n_overrides; i++) {
            if (m->overrides[i].instance_type)
                add_type(a, g, &cap, m->overrides[i].instance_type);
            else if (m->overrides[i].has_instance_requirements)
                by_requirements = true;
        }
        if (g->n_instance_types && !by_requirements) {
            g->type_source = ASC_TYPES_OVERRIDES;
        } else if (by_requirements) {
            /* EC2 would have to expand the requirements; hoist cannot. */
            g->n_instance_types = 0;
        } else {
            const struct model_lt_version *v =
                lt_find(cloud->launch_templates, &m->launch_template);
            if (v && v->instance_type) {
                add_type(a, g, &cap, v->instance_type);
                g->type_source = ASC_TYPES_LAUNCH_TEMPLATE;
            }
        }
        const struct model_instances_distribution *d = &m->distribution;
        g->spot = d->present && d->on_demand_percentage_above_base_capacity == 0 &&
                  (d->on_demand_base_capacity == 0 || d->on_demand_base_capacity == MODEL_ABSENT);
    }
    if (g->n_instance_types)
        return;
    /* Fallback: what the group is running. */
    for (uint32_t i = 0; i < asg->n_instances; i++)
        add_type(a, g, &cap, asg->instances[i].instance_type);
    if (g->n_instance_types) {
        g->type_source = ASC_TYPES_INSTANCES;
        return;
    }
    g->type_source = ASC_TYPES_UNKNOWN;
    asc_warnf(warn, "ASG %s: its instance types are unknown (%s); it cannot scale from zero",
              asg->name,
              asg->mixed.present && asg->mixed.n_overrides
                  ? "instance-requirements overrides are not supported"
              : asg->launch_configuration_name ? "launch configuration not given"
                                               : "launch template version not given");
}

/* ---- building the set ----------------------------------------------------- */

/* Whether asg has every tag of at least one spec: filters of a spec are
 * ANDed, specs ORed. */
static bool matches_filters(const struct model_asg *asg, const struct asc_discovery *d)
{
    size_t i = 0;
    while (i < d->n_filters) {
        unsigned spec = d->filters[i].spec;
        bool all = true;
        for (; i < d->n_filters && d->filters[i].spec == spec; i++) {
            const char *v = model_asg_tag_value(asg, d->filters[i].key);
            if (!v || (d->filters[i].value && strcmp(v, d->filters[i].value) != 0))
                all = false;
        }
        if (all)
            return true;
    }
    return false;
}

static int cmp_group(const void *a, const void *b)
{
    const struct asc_node_group *x = a, *y = b;
    return strcmp(x->name, y->name);
}

static bool deleting(const struct model_asg *asg)
{
    return asg->status && strcmp(asg->status, "Delete in progress") == 0;
}

enum hs_code asc_groups_build(const struct asc_cloud *cloud, const struct asc_discovery *d,
                              struct asc_groups **out, struct hs_err *err)
{
    const struct model_asg_list *l = cloud->asgs;
    enum hs_code rc = HS_OK;

    *out = NULL;
    for (size_t i = 0; i < d->n_nodes; i++) {
        const struct asc_node_spec *s = &d->nodes[i];
        if (!s->name || !*s->name)
            return hs_err_set(err, HS_EINVAL, "--nodes %d:%d:: ASG name must not be blank", s->min,
                              s->max);
        if (s->min < 0)
            return hs_err_set(err, HS_EINVAL, "--nodes %d:%d:%s: min size must be >= 0", s->min,
                              s->max, s->name);
        if (s->max < s->min)
            return hs_err_set(err, HS_EINVAL,
                              "--nodes %d:%d:%s: max size must be greater or equal to min size",
                              s->min, s->max, s->name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(d->nodes[j].name, s->name) == 0)
                return hs_err_set(err, HS_EINVAL, "--nodes: ASG %s given twice", s->name);
    }

    struct asc_groups *g = hs_calloc(1, sizeof(*g));
    hs_arena_init(&g->arena, 0);
    g->warnings.arena = &g->arena;
    size_t cap = l ? l->n : 0;
    g->v = cap ? hs_arena_alloc(&g->arena, cap * sizeof(*g->v), 0) : NULL;

    for (uint32_t i = 0; l && i < l->n; i++) {
        const struct model_asg *asg = &l->v[i];
        const struct asc_node_spec *spec = NULL;
        if (!asg->name)
            continue;
        if (model_asg_list_find(l, asg->name) != asg)
            continue; /* a repeated name: the first one counts */
        for (size_t j = 0; j < d->n_nodes; j++)
            if (strcmp(d->nodes[j].name, asg->name) == 0)
                spec = &d->nodes[j];
        if (!spec && !matches_filters(asg, d))
            continue;
        if (deleting(asg)) {
            if (spec)
                asc_warnf(&g->warnings, "ASG %s (--nodes) is being deleted; not managed",
                          asg->name);
            continue;
        }
        if (!spec && (asg->min_size == MODEL_ABSENT || asg->max_size == MODEL_ABSENT)) {
            rc = hs_err_set(err, HS_EINVAL, "ASG %s has no MinSize or MaxSize", asg->name);
            goto fail;
        }
        struct asc_node_group *ng = &g->v[g->n++];
        memset(ng, 0, sizeof(*ng));
        ng->name = asg->name;
        ng->asg = asg;
        ng->explicit_spec = spec != NULL;
        ng->min_size = spec ? spec->min : asg->min_size;
        ng->max_size = spec ? spec->max : asg->max_size;
        ng->target_size = asg->desired_capacity == MODEL_ABSENT ? 0 : asg->desired_capacity;
        ng->zones = asg->zones;
        ng->n_zones = asg->n_zones;
        asc_group_options_from_tags(asg, &d->defaults, &ng->options, &g->warnings);
        if (cloud->region && *cloud->region) {
            ng->region = hs_arena_strndup(&g->arena, cloud->region, strlen(cloud->region));
        } else {
            char region[64];
            asc_region_of_zone(asg->n_zones ? asg->zones[0] : NULL, region, sizeof(region));
            ng->region = hs_arena_strndup(&g->arena, region, strlen(region));
        }
        resolve_types(&g->arena, cloud, ng, &g->warnings);
    }
    for (size_t j = 0; j < d->n_nodes; j++)
        if (!l || !model_asg_list_find(l, d->nodes[j].name))
            asc_warnf(&g->warnings, "--nodes %d:%d:%s: no ASG named %s; ignored", d->nodes[j].min,
                      d->nodes[j].max, d->nodes[j].name, d->nodes[j].name);
    if (g->n)
        qsort(g->v, g->n, sizeof(*g->v), cmp_group);
    *out = g;
    return HS_OK;
fail:
    asc_groups_free(&g);
    return rc;
}

void asc_groups_free(struct asc_groups **gp)
{
    struct asc_groups *g = gp ? *gp : NULL;
    if (!g)
        return;
    hs_free(g->warnings.v);
    hs_arena_release(&g->arena);
    hs_free(g);
    *gp = NULL;
}

const struct asc_node_group *asc_groups_find(const struct asc_groups *g, const char *name)
{
    size_t lo = 0, hi = g ? g->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(g->v[mid].name, name);
        if (c == 0)
            return &g->v[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
