/*
 * Test-only text form of lib/model's AWS lists (aws_model_dump.h). A string
 * is written with its length and bytes (NULL as "-"), so that "absent" and
 * "" differ and no content can look like a separator.
 */
#include "aws_model_dump.h"

#include <inttypes.h>
#include <string.h>

static void s(struct hs_buf *b, const char *name, const char *v)
{
    if (!v)
        hs_buf_addf(b, "%s=-\n", name);
    else
        hs_buf_addf(b, "%s=%zu:%s\n", name, strlen(v), v);
}

static void i(struct hs_buf *b, const char *name, int64_t v)
{
    hs_buf_addf(b, "%s=%" PRId64 "\n", name, v);
}

static void lt(struct hs_buf *b, const char *name, const struct model_lt_spec *t)
{
    hs_buf_addf(b, "%s{\n", name);
    s(b, "id", t->id);
    s(b, "name", t->name);
    s(b, "version", t->version);
    hs_buf_adds(b, "}\n");
}

void dump_asgs(struct hs_buf *b, const struct model_asg_list *l)
{
    i(b, "groups", l->n);
    for (uint32_t k = 0; k < l->n; k++) {
        const struct model_asg *g = &l->v[k];
        s(b, "name", g->name);
        s(b, "arn", g->arn);
        i(b, "min", g->min_size);
        i(b, "max", g->max_size);
        i(b, "desired", g->desired_capacity);
        i(b, "cooldown", g->default_cooldown);
        i(b, "zones", g->n_zones);
        for (uint32_t z = 0; z < g->n_zones; z++)
            s(b, "zone", g->zones[z]);
        s(b, "vpc", g->vpc_zone_identifier);
        lt(b, "lt", &g->launch_template);
        s(b, "lc", g->launch_configuration_name);
        const struct model_mixed_instances_policy *m = &g->mixed;
        i(b, "mixed", m->present);
        lt(b, "mixed.lt", &m->launch_template);
        i(b, "overrides", m->n_overrides);
        for (uint32_t o = 0; o < m->n_overrides; o++) {
            s(b, "type", m->overrides[o].instance_type);
            i(b, "weight", m->overrides[o].weighted_capacity);
            lt(b, "lt", &m->overrides[o].launch_template);
            i(b, "requirements", m->overrides[o].has_instance_requirements);
        }
        const struct model_instances_distribution *d = &m->distribution;
        i(b, "dist", d->present);
        s(b, "od_strategy", d->on_demand_allocation_strategy);
        i(b, "od_base", d->on_demand_base_capacity);
        i(b, "od_pct", d->on_demand_percentage_above_base_capacity);
        s(b, "spot_strategy", d->spot_allocation_strategy);
        i(b, "spot_pools", d->spot_instance_pools);
        s(b, "spot_max", d->spot_max_price);
        i(b, "instances", g->n_instances);
        for (uint32_t n = 0; n < g->n_instances; n++) {
            const struct model_asg_instance *in = &g->instances[n];
            s(b, "id", in->id);
            s(b, "zone", in->zone);
            s(b, "state", in->lifecycle_state);
            s(b, "health", in->health_status);
            s(b, "type", in->instance_type);
            s(b, "lc", in->launch_configuration_name);
            lt(b, "lt", &in->launch_template);
            i(b, "protected", in->protected_from_scale_in);
            i(b, "weight", in->weighted_capacity);
        }
        i(b, "tags", g->n_tags);
        for (uint32_t t = 0; t < g->n_tags; t++) {
            s(b, "key", g->tags[t].key);
            s(b, "value", g->tags[t].value);
            i(b, "propagate", g->tags[t].propagate_at_launch);
        }
        s(b, "status", g->status);
        s(b, "health_check", g->health_check_type);
        i(b, "created", g->created_time);
        i(b, "rebalance", g->capacity_rebalance);
    }
}

void dump_activities(struct hs_buf *b, const struct model_activity_list *l)
{
    i(b, "activities", l->n);
    for (uint32_t k = 0; k < l->n; k++) {
        const struct model_scaling_activity *a = &l->v[k];
        s(b, "id", a->id);
        s(b, "asg", a->asg_name);
        s(b, "description", a->description);
        s(b, "cause", a->cause);
        s(b, "status", a->status_code);
        s(b, "message", a->status_message);
        i(b, "progress", a->progress);
        i(b, "start", a->start_time);
        i(b, "end", a->end_time);
    }
}

void dump_launch_configs(struct hs_buf *b, const struct model_launch_config_list *l)
{
    i(b, "configs", l->n);
    for (uint32_t k = 0; k < l->n; k++) {
        s(b, "name", l->v[k].name);
        s(b, "type", l->v[k].instance_type);
        s(b, "image", l->v[k].image_id);
        i(b, "spot", l->v[k].spot);
    }
}

void dump_lt_versions(struct hs_buf *b, const struct model_lt_version_list *l)
{
    i(b, "versions", l->n);
    for (uint32_t k = 0; k < l->n; k++) {
        const struct model_lt_version *v = &l->v[k];
        s(b, "id", v->template_id);
        s(b, "name", v->template_name);
        i(b, "number", v->version_number);
        i(b, "default", v->default_version);
        s(b, "type", v->instance_type);
        s(b, "image", v->image_id);
        i(b, "user_data", v->has_user_data);
        i(b, "requirements", v->has_instance_requirements);
        i(b, "tags", v->n_tags);
        for (uint32_t t = 0; t < v->n_tags; t++) {
            s(b, "resource", v->tags[t].resource_type);
            s(b, "key", v->tags[t].key);
            s(b, "value", v->tags[t].value);
        }
        i(b, "created", v->create_time);
    }
}

void dump_instance_types(struct hs_buf *b, const struct model_instance_type_list *l)
{
    i(b, "types", l->n);
    for (uint32_t k = 0; k < l->n; k++) {
        const struct model_instance_type *t = &l->v[k];
        s(b, "name", t->name);
        i(b, "vcpu", t->vcpu);
        i(b, "memory", t->memory_mib);
        i(b, "gpus", t->gpu_count);
        s(b, "gpu_name", t->gpu_name);
        s(b, "gpu_maker", t->gpu_manufacturer);
        i(b, "gpu_memory", t->gpu_memory_mib);
        s(b, "arch", t->arch);
        i(b, "enis", t->max_enis);
        i(b, "ipv4", t->ipv4_per_eni);
        i(b, "storage", t->ephemeral_storage_gb);
        i(b, "bare_metal", t->bare_metal);
    }
}
