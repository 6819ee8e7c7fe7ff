/*
 * Storage for the AWS-side node-group data of model/asg.h: arena-backed
 * lists and the small lookups the planner needs. This file must never parse
 * anything or know where the data came from (XML, CLI JSON, a fake cloud).
 */
#include "model/asg.h"

#include <string.h>

#include "base/arena.h"
#include "base/common.h"

void *model_arena_push(struct hs_arena *a, void **arr, uint32_t *n, uint32_t *cap, size_t size,
                       size_t align)
{
    if (*n == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 4;
        HS_BUG_ON(ncap <= *cap);
        void *grown = hs_arena_alloc(a, size * ncap, align);
        if (*n)
            memcpy(grown, *arr, size * *n);
        *arr = grown;
        *cap = ncap;
    }
    char *slot = (char *)*arr + size * *n;
    memset(slot, 0, size);
    (*n)++;
    return slot;
}

bool model_lt_spec_present(const struct model_lt_spec *s)
{
    return s->id != NULL || s->name != NULL;
}

const char *model_asg_tag_value(const struct model_asg *g, const char *key)
{
    for (uint32_t i = 0; i < g->n_tags; i++)
        if (g->tags[i].key && strcmp(g->tags[i].key, key) == 0)
            return g->tags[i].value;
    return NULL;
}

/* ---- groups ---- */

void model_asg_list_init(struct model_asg_list *l)
{
    memset(l, 0, sizeof(*l));
    hs_arena_init(&l->arena, 0);
}

void model_asg_list_release(struct model_asg_list *l)
{
    hs_arena_release(&l->arena);
    l->v = NULL;
    l->n = l->cap = 0;
}

struct model_asg *model_asg_list_add(struct model_asg_list *l)
{
    struct model_asg *g = MODEL_ARENA_PUSH(&l->arena, l->v, l->n, l->cap);
    g->min_size = g->max_size = g->desired_capacity = MODEL_ABSENT;
    g->default_cooldown = MODEL_ABSENT;
    g->mixed.distribution.on_demand_base_capacity = MODEL_ABSENT;
    g->mixed.distribution.on_demand_percentage_above_base_capacity = MODEL_ABSENT;
    g->mixed.distribution.spot_instance_pools = MODEL_ABSENT;
    return g;
}

const struct model_asg *model_asg_list_find(const struct model_asg_list *l, const char *name)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (l->v[i].name && strcmp(l->v[i].name, name) == 0)
            return &l->v[i];
    return NULL;
}

struct model_asg_instance *model_asg_add_instance(struct model_asg_list *l, struct model_asg *g)
{
    struct model_asg_instance *in =
        MODEL_ARENA_PUSH(&l->arena, g->instances, g->n_instances, g->cap_instances);
    in->weighted_capacity = MODEL_ABSENT;
    return in;
}

struct model_asg_tag *model_asg_add_tag(struct model_asg_list *l, struct model_asg *g)
{
    return MODEL_ARENA_PUSH(&l->arena, g->tags, g->n_tags, g->cap_tags);
}

struct model_asg_override *model_asg_add_override(struct model_asg_list *l, struct model_asg *g)
{
    struct model_asg_override *o = MODEL_ARENA_PUSH(&l->arena, g->mixed.overrides,
                                                    g->mixed.n_overrides, g->mixed.cap_overrides);
    o->weighted_capacity = MODEL_ABSENT;
    return o;
}

void model_asg_add_zone(struct model_asg_list *l, struct model_asg *g, const char *zone, size_t len)
{
    const char **slot = MODEL_ARENA_PUSH(&l->arena, g->zones, g->n_zones, g->cap_zones);
    *slot = hs_arena_strndup(&l->arena, zone, len);
}

/* ---- activities ---- */

void model_activity_list_init(struct model_activity_list *l)
{
    memset(l, 0, sizeof(*l));
    hs_arena_init(&l->arena, 0);
}

void model_activity_list_release(struct model_activity_list *l)
{
    hs_arena_release(&l->arena);
    l->v = NULL;
    l->n = l->cap = 0;
}

struct model_scaling_activity *model_activity_list_add(struct model_activity_list *l)
{
    struct model_scaling_activity *a = MODEL_ARENA_PUSH(&l->arena, l->v, l->n, l->cap);
    a->progress = MODEL_ABSENT;
    return a;
}

/* ---- launch configurations ---- */

void model_launch_config_list_init(struct model_launch_config_list *l)
{
    memset(l, 0, sizeof(*l));
    hs_arena_init(&l->arena, 0);
}

void model_launch_config_list_release(struct model_launch_config_list *l)
{
    hs_arena_release(&l->arena);
    l->v = NULL;
    l->n = l->cap = 0;
}

struct model_launch_config *model_launch_config_list_add(struct model_launch_config_list *l)
{
    return MODEL_ARENA_PUSH(&l->arena, l->v, l->n, l->cap);
}

/* ---- launch template versions ---- */

void model_lt_version_list_init(struct model_lt_version_list *l)
{
    memset(l, 0, sizeof(*l));
    hs_arena_init(&l->arena, 0);
}

void model_lt_version_list_release(struct model_lt_version_list *l)
{
    hs_arena_release(&l->arena);
    l->v = NULL;
    l->n = l->cap = 0;
}

struct model_lt_version *model_lt_version_list_add(struct model_lt_version_list *l)
{
    return MODEL_ARENA_PUSH(&l->arena, l->v, l->n, l->cap);
}

struct model_lt_tag *model_lt_version_add_tag(struct model_lt_version_list *l,
                                              struct model_lt_version *v)
{
    return MODEL_ARENA_PUSH(&l->arena, v->tags, v->n_tags, v->cap_tags);
}

/* ---- instance types ---- */

void model_instance_type_list_init(struct model_instance_type_list *l)
{
    memset(l, 0, sizeof(*l));
    hs_arena_init(&l->arena, 0);
}

void model_instance_type_list_release(struct model_instance_type_list *l)
{
    hs_arena_release(&l->arena);
    l->v = NULL;
    l->n = l->cap = 0;
}

struct model_instance_type *model_instance_type_list_add(struct model_instance_type_list *l)
{
    return MODEL_ARENA_PUSH(&l->arena, l->v, l->n, l->cap);
}

const struct model_instance_type *
model_instance_type_list_find(const struct model_instance_type_list *l, const char *name)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (l->v[i].name && strcmp(l->v[i].name, name) == 0)
            return &l->v[i];
    return NULL;
}
