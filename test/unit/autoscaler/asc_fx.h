/*
 * Hand-built fixtures for the lib/autoscaler tests: ASGs (sizes, zones,
 * tags, launch templates, mixed instances overrides, instances), launch
 * template versions, nodes and DaemonSets, all in a caller's arena and
 * intern table. Test code only; reads no files.
 */
#ifndef HOIST_TEST_ASC_FX_H
#define HOIST_TEST_ASC_FX_H

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/intern.h"
#include "model/asg.h"
#include "model/model.h"

static inline const char *fx_str(struct model_asg_list *l, const char *s)
{
    return s ? hs_arena_strndup(&l->arena, s, strlen(s)) : NULL;
}

/* A new ASG (borrowed until the next fx_asg) with zones "a,b,c". */
static inline struct model_asg *fx_asg(struct model_asg_list *l, const char *name, int min, int max,
                                       int desired, const char *zones)
{
    struct model_asg *g = model_asg_list_add(l);
    g->name = fx_str(l, name);
    g->min_size = min;
    g->max_size = max;
    g->desired_capacity = desired;
    for (const char *p = zones; p && *p;) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        model_asg_add_zone(l, g, p, n);
        p = c ? c + 1 : p + n;
    }
    return g;
}

static inline void fx_tag(struct model_asg_list *l, struct model_asg *g, const char *k,
                          const char *v)
{
    struct model_asg_tag *t = model_asg_add_tag(l, g);
    t->key = fx_str(l, k);
    t->value = fx_str(l, v);
}

static inline void fx_lt(struct model_asg_list *l, struct model_asg *g, const char *name,
                         const char *version)
{
    g->launch_template.name = fx_str(l, name);
    g->launch_template.version = fx_str(l, version);
}

static inline void fx_override(struct model_asg_list *l, struct model_asg *g, const char *type)
{
    g->mixed.present = true;
    struct model_asg_override *o = model_asg_add_override(l, g);
    o->instance_type = fx_str(l, type);
}

static inline void fx_instance(struct model_asg_list *l, struct model_asg *g, const char *id,
                               const char *zone, const char *type)
{
    struct model_asg_instance *i = model_asg_add_instance(l, g);
    i->id = fx_str(l, id);
    i->zone = fx_str(l, zone);
    i->instance_type = fx_str(l, type);
    i->lifecycle_state = fx_str(l, "InService");
    i->health_status = fx_str(l, "Healthy");
}

static inline void fx_lt_version(struct model_lt_version_list *l, const char *name, int64_t num,
                                 bool dflt, const char *type)
{
    struct model_lt_version *v = model_lt_version_list_add(l);
    v->template_name = hs_arena_strndup(&l->arena, name, strlen(name));
    v->template_id = NULL;
    v->version_number = num;
    v->default_version = dflt;
    v->instance_type = type ? hs_arena_strndup(&l->arena, type, strlen(type)) : NULL;
}

/* ---- nodes and pods ------------------------------------------------------- */

struct fx_kv {
    const char *k, *v;
};

static inline int fx_cmp_label(const void *a, const void *b)
{
    return strcmp(((const struct model_label *)a)->key, ((const struct model_label *)b)->key);
}

static inline struct model_labels fx_labels(struct hs_arena *a, struct hs_intern *t,
                                            const struct fx_kv *kv, uint32_t n)
{
    struct model_labels l = { NULL, n };
    l.v = n ? HS_ARENA_NEW_ARRAY(a, struct model_label, n) : NULL;
    for (uint32_t i = 0; i < n; i++) {
        l.v[i].key = hs_intern_cstr(t, kv[i].k);
        l.v[i].value = hs_intern_cstr(t, kv[i].v);
    }
    qsort(l.v, n, sizeof(*l.v), fx_cmp_label);
    return l;
}

#define FX_LEN(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

#endif
