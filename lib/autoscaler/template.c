/*
 * Node-group templates (see autoscaler/template.h): the node a group would
 * add, from its ASG (instance type facts, EKS allocatable, node-template
 * tags) or from a sanitized copy of one of its ready nodes, with one variant
 * per (instance type, zone) and a conservative node that every variant
 * satisfies. It must never do I/O, read a clock, or promise a resource or a
 * label that some launch of the group would not have.
 *
 * Ownership: everything a template holds is in the set's arena, and every
 * string of its nodes holds its own intern reference, dropped by
 * asc_templates_free(). All fallible work for a template happens before the
 * first string is interned, so a failed build leaves nothing to release.
 */
#include "autoscaler/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asc_int.h"
#include "base/alloc.h"
#include "model/quantity.h"

#define TEMPLATE_PREFIX "template-node-for-"

/* ---- intermediate, plain-string representation ---------------------------- */

struct sres {
    const char *name; /* plain or interned; re-interned when written */
    int64_t cap, alloc;
};

struct type_res {
    const char *type;                  /* NULL when unknown (node-based template, no label) */
    const char *arch;                  /* NULL when unknown */
    struct model_resources cap, alloc; /* scalars unused: see sc */
    struct sres *sc;
    uint32_t n_sc, cap_sc;
    bool gpu;
};

struct ptaint {
    const char *key, *value;
    enum model_effect effect;
};

struct plabel {
    const char *key, *value;
};

struct build {
    struct asc_templates *s;
    const struct asc_node_group *g;
    const struct model_node *src; /* node-based, or NULL */
    struct type_res *res;
    uint32_t n_types;
    const char **zones; /* plain; n_zones >= 1 (one NULL zone when none) */
    uint32_t n_zones;
    bool no_zone; /* the group has no zone at all */
    struct ptaint *taints;
    uint32_t n_taints, cap_taints;
    struct plabel *tag_labels;
    uint32_t n_tag_labels, cap_tag_labels;
    const char *src_zone; /* the copied node's zone label */
};

static void sres_set(struct hs_arena *a, struct type_res *r, const char *name, int64_t cap,
                     int64_t alloc)
{
    for (uint32_t i = 0; i < r->n_sc; i++) {
        if (strcmp(r->sc[i].name, name) == 0) {
            r->sc[i].cap = cap;
            r->sc[i].alloc = alloc;
            return;
        }
    }
    struct sres *e = MODEL_ARENA_PUSH(a, r->sc, r->n_sc, r->cap_sc);
    e->name = name;
    e->cap = cap;
    e->alloc = alloc;
}

/* ---- instance-type facts -------------------------------------------------- */

static const char *arch_of_ec2(const char *a)
{
    if (!a)
        return NULL;
    if (strcmp(a, "x86_64") == 0 || strcmp(a, "amd64") == 0)
        return "amd64";
    if (strcmp(a, "arm64") == 0)
        return "arm64";
    return NULL;
}

static bool type_facts(const struct asc_cloud *cloud, const char *name, struct asc__type_facts *out)
{
    const struct model_instance_type *t =
        cloud && cloud->instance_types && name
            ? model_instance_type_list_find(cloud->instance_types, name)
            : NULL;
    if (t && t->vcpu > 0 && t->memory_mib > 0) {
        memset(out, 0, sizeof(*out));
        out->name = t->name;
        out->vcpu = (uint32_t)t->vcpu;
        out->memory_mib = t->memory_mib > UINT32_MAX ? UINT32_MAX : (uint32_t)t->memory_mib;
        out->arch = arch_of_ec2(t->arch);
        if (t->max_enis > 0 && t->ipv4_per_eni > 0) {
            out->max_enis = (uint32_t)t->max_enis;
            out->ipv4_per_eni = (uint32_t)t->ipv4_per_eni;
            out->max_pods_eni = out->max_enis * (out->ipv4_per_eni - 1) + 2;
        }
        out->gpu_count = t->gpu_count > 0 ? (uint32_t)t->gpu_count : 0;
        out->gpu_manufacturer = t->gpu_manufacturer;
        return true;
    }
    return asc__builtin_type(name, out);
}

/* ---- tags ------------------------------------------------------------------ */

struct res_tag {
    const char *name;
    struct model_quantity q;
};

static bool prefixed(const char *key, const char *prefix, const char **rest)
{
    size_t n = strlen(prefix);
    if (!key || strncmp(key, prefix, n) != 0 || key[n] == '\0')
        return false;
    *rest = key + n;
    return true;
}

static enum model_effect effect_of(const char *s)
{
    if (strcmp(s, "NoSchedule") == 0)
        return MODEL_EFFECT_NO_SCHEDULE;
    if (strcmp(s, "PreferNoSchedule") == 0)
        return MODEL_EFFECT_PREFER_NO_SCHEDULE;
    if (strcmp(s, "NoExecute") == 0)
        return MODEL_EFFECT_NO_EXECUTE;
    return MODEL_EFFECT_OTHER;
}

/* Reads the label, taint and resource tags of the group's ASG. Resource
 * tags go to *rt (arena array). */
static void read_tags(struct build *b, struct res_tag **rt, uint32_t *n_rt)
{
    const struct model_asg *asg = b->g->asg;
    struct hs_arena *a = &b->s->arena;
    uint32_t cap_rt = 0;
    const char *rest;

    *rt = NULL;
    *n_rt = 0;
    for (uint32_t i = 0; i < asg->n_tags; i++) {
        const struct model_asg_tag *tag = &asg->tags[i];
        const char *value = tag->value ? tag->value : "";
        if (prefixed(tag->key, ASC_TAG_LABEL, &rest)) {
            struct plabel *l =
                MODEL_ARENA_PUSH(a, b->tag_labels, b->n_tag_labels, b->cap_tag_labels);
            l->key = rest;
            l->value = value;
        } else if (prefixed(tag->key, ASC_TAG_TAINT, &rest)) {
            const char *colon = strrchr(value, ':');
            enum model_effect e = colon ? effect_of(colon + 1) : MODEL_EFFECT_OTHER;
            if (e == MODEL_EFFECT_OTHER) {
                asc_warnf(&b->s->warnings,
                          "ASG %s: tag %s: invalid taint \"%s\" (want <value>:NoSchedule, "
                          ":PreferNoSchedule or :NoExecute); ignored",
                          asg->name, tag->key, value);
                continue;
            }
            struct ptaint *t = MODEL_ARENA_PUSH(a, b->taints, b->n_taints, b->cap_taints);
            t->key = rest;
            t->value = hs_arena_strndup(a, value, (size_t)(colon - value));
            t->effect = e;
        } else if (prefixed(tag->key, ASC_TAG_RESOURCE, &rest)) {
            struct model_quantity q;
            struct hs_err qerr = { 0 };
            if (model_quantity_parse(value, strlen(value), &q, &qerr) != HS_OK || q.sign < 0) {
                asc_warnf(&b->s->warnings, "ASG %s: tag %s: %s; ignored", asg->name, tag->key,
                          qerr.code ? qerr.msg : "negative quantity");
                continue;
            }
            struct res_tag *r = NULL;
            for (uint32_t k = 0; k < *n_rt; k++)
                if (strcmp((*rt)[k].name, rest) == 0)
                    r = &(*rt)[k];
            if (!r)
                r = MODEL_ARENA_PUSH(a, *rt, *n_rt, cap_rt);
            r->name = rest;
            r->q = q;
        }
    }
}

static const struct res_tag *find_res_tag(const struct res_tag *rt, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(rt[i].name, name) == 0)
            return &rt[i];
    return NULL;
}

/* Resource tags other than ephemeral-storage replace both capacity and
 * allocatable: the tag says what the node offers. */
static void apply_res_tags(struct hs_arena *a, struct type_res *r, const struct res_tag *rt,
                           uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        const char *name = rt[i].name;
        int64_t v = rt[i].q.value;
        if (strcmp(name, "ephemeral-storage") == 0)
            continue;
        if (strcmp(name, "cpu") == 0) {
            r->cap.cpu_milli = r->alloc.cpu_milli = rt[i].q.milli;
        } else if (strcmp(name, "memory") == 0) {
            r->cap.memory = r->alloc.memory = v;
        } else if (strcmp(name, "pods") == 0) {
            r->cap.pods = r->alloc.pods = v;
        } else {
            sres_set(a, r, name, v, v);
            if (strstr(name, "gpu") && v > 0)
                r->gpu = true;
        }
    }
}

/* Resources of one instance type built from facts. */
static enum hs_code asg_type_res(struct build *b, const struct asc_cloud *cloud,
                                 const struct asc_template_config *cfg, const char *type,
                                 const struct res_tag *rt, uint32_t n_rt, struct type_res *out,
                                 struct hs_err *err)
{
    struct asc__type_facts f;
    struct hs_arena *a = &b->s->arena;

    memset(out, 0, sizeof(*out));
    out->type = type;
    if (!type_facts(cloud, type, &f))
        return hs_err_set(err, HS_ENOTFOUND,
                          "ASG %s: instance type %s is neither in the built-in table nor in the "
                          "given instance types",
                          b->g->name, type);
    if (f.vcpu == 0 || f.memory_mib == 0)
        return hs_err_set(err, HS_ENOTFOUND, "ASG %s: instance type %s has no vCPU or memory facts",
                          b->g->name, type);
    out->arch = f.arch;
    const struct res_tag *eph = find_res_tag(rt, n_rt, "ephemeral-storage");
    enum hs_code rc = asc__eks_resources(&f, cfg ? cfg->eks : NULL, eph ? eph->q.value : 0,
                                         &out->cap, &out->alloc, err);
    if (rc) {
        hs_err_prefix(err, "ASG %s", b->g->name);
        return rc;
    }
    if (f.gpu_count > 0) {
        sres_set(a, out, asc__gpu_resource(f.gpu_manufacturer), f.gpu_count, f.gpu_count);
        out->gpu = true;
    }
    apply_res_tags(a, out, rt, n_rt);
    return HS_OK;
}

/* ---- labels ---------------------------------------------------------------- */

static const char *common_arch(const struct build *b)
{
    const char *a = b->res[0].arch;
    for (uint32_t i = 1; a && i < b->n_types; i++)
        if (!b->res[i].arch || strcmp(b->res[i].arch, a) != 0)
            return NULL;
    return a;
}

static bool one_type(const struct build *b)
{
    return b->n_types == 1 && b->res[0].type;
}

static void set_zone_labels(struct asc__labels *L, const char *zone, bool beta, bool ebs)
{
    asc__labels_set(L, ASC_LABEL_ZONE, zone);
    if (beta)
        asc__labels_set(L, ASC_LABEL_BETA_ZONE, zone);
    if (ebs)
        asc__labels_set(L, ASC_LABEL_EBS_ZONE, zone);
}

static void del_zone_labels(struct asc__labels *L)
{
    asc__labels_del(L, ASC_LABEL_ZONE);
    asc__labels_del(L, ASC_LABEL_BETA_ZONE);
    asc__labels_del(L, ASC_LABEL_EBS_ZONE);
    asc__labels_del(L, ASC_LABEL_ZONE_ID);
}

/* Labels of a node built from the ASG for type index ti and zone index zi
 * (-1 = the conservative node). */
static void asg_labels(const struct build *b, struct asc__labels *L, int ti, int zi,
                       const char *hostname)
{
    const struct asc_node_group *g = b->g;
    const char *arch = ti >= 0 ? b->res[ti].arch : common_arch(b);
    const char *type = ti >= 0 ? b->res[ti].type : one_type(b) ? b->res[0].type : NULL;
    const char *zone = zi >= 0 ? b->zones[zi] : b->n_zones == 1 ? b->zones[0] : NULL;

    if (arch) {
        asc__labels_set(L, ASC_LABEL_ARCH, arch);
        asc__labels_set(L, ASC_LABEL_BETA_ARCH, arch);
    }
    asc__labels_set(L, ASC_LABEL_OS, "linux");
    asc__labels_set(L, ASC_LABEL_BETA_OS, "linux");
    if (type) {
        asc__labels_set(L, ASC_LABEL_INSTANCE_TYPE, type);
        asc__labels_set(L, ASC_LABEL_BETA_TYPE, type);
    }
    if (g->region && *g->region) {
        asc__labels_set(L, ASC_LABEL_REGION, g->region);
        asc__labels_set(L, ASC_LABEL_BETA_REGION, g->region);
    }
    if (zone)
        set_zone_labels(L, zone, true, true);
    asc__labels_set(L, ASC_LABEL_HOSTNAME, hostname);
    /* What EKS puts on the nodes of a managed node group. */
    const char *ng = model_asg_tag_value(g->asg, "eks:nodegroup-name");
    if (ng && *ng) {
        asc__labels_set(L, ASC_LABEL_EKS_NODEGROUP, ng);
        asc__labels_set(L, ASC_LABEL_EKS_CAPACITY, g->spot ? "SPOT" : "ON_DEMAND");
    }
    for (uint32_t i = 0; i < b->n_tag_labels; i++)
        asc__labels_set(L, b->tag_labels[i].key, b->tag_labels[i].value);
}

static const char *label_of(const struct model_node *n, const char *key)
{
    for (uint32_t i = 0; i < n->labels.n; i++)
        if (strcmp(n->labels.v[i].key, key) == 0)
            return n->labels.v[i].value;
    return NULL;
}

/* Labels of a node copied from b->src. */
static void node_labels(const struct build *b, struct asc__labels *L, int ti, int zi,
                        const char *hostname)
{
    const struct model_labels *src = &b->src->labels;

    for (uint32_t i = 0; i < src->n; i++)
        asc__labels_set_interned(L, src->v[i].key, src->v[i].value);
    asc__labels_set(L, ASC_LABEL_HOSTNAME, hostname);

    if (ti >= 0 && b->res[ti].type) {
        asc__labels_set(L, ASC_LABEL_INSTANCE_TYPE, b->res[ti].type);
        asc__labels_set(L, ASC_LABEL_BETA_TYPE, b->res[ti].type);
        if (b->res[ti].arch) {
            asc__labels_set(L, ASC_LABEL_ARCH, b->res[ti].arch);
            asc__labels_set(L, ASC_LABEL_BETA_ARCH, b->res[ti].arch);
        }
    } else if (ti < 0) {
        if (!one_type(b)) {
            asc__labels_del(L, ASC_LABEL_INSTANCE_TYPE);
            asc__labels_del(L, ASC_LABEL_BETA_TYPE);
        }
        if (b->n_types > 1 && !common_arch(b)) {
            asc__labels_del(L, ASC_LABEL_ARCH);
            asc__labels_del(L, ASC_LABEL_BETA_ARCH);
        }
    }
    if (b->no_zone)
        return;
    const char *zone = zi >= 0 ? b->zones[zi] : b->n_zones == 1 ? b->zones[0] : NULL;
    if (!zone) {
        del_zone_labels(L);
        return;
    }
    if (b->src_zone && strcmp(zone, b->src_zone) == 0)
        return; /* the node's own zone: keep its labels, zone-id included */
    bool beta = label_of(b->src, ASC_LABEL_BETA_ZONE) != NULL;
    bool ebs = label_of(b->src, ASC_LABEL_EBS_ZONE) != NULL;
    del_zone_labels(L);
    set_zone_labels(L, zone, beta, ebs);
}

/* ---- writing model nodes ---------------------------------------------------- */

static int cmp_scalar(const void *a, const void *b)
{
    const struct model_scalar *x = a, *y = b;
    return strcmp(x->name, y->name);
}

static void write_resources(struct asc_templates *s, const struct model_resources *base,
                            const struct sres *sc, uint32_t n_sc, bool alloc,
                            struct model_resources *out)
{
    *out = *base;
    out->n_scalar = 0;
    out->scalar = NULL;
    uint32_t n = 0;
    for (uint32_t i = 0; i < n_sc; i++)
        if ((alloc ? sc[i].alloc : sc[i].cap) != 0)
            n++;
    if (!n)
        return;
    out->scalar = HS_ARENA_NEW_ARRAY(&s->arena, struct model_scalar, n);
    for (uint32_t i = 0; i < n_sc; i++) {
        int64_t v = alloc ? sc[i].alloc : sc[i].cap;
        if (v == 0)
            continue;
        out->scalar[out->n_scalar].name = hs_intern_cstr(s->intern, sc[i].name);
        out->scalar[out->n_scalar].value = v;
        out->n_scalar++;
    }
    qsort(out->scalar, out->n_scalar, sizeof(*out->scalar), cmp_scalar);
}

static void write_node(const struct build *b, struct model_node *n, const char *name,
                       struct asc__labels *L, const struct type_res *r)
{
    struct asc_templates *s = b->s;
    memset(n, 0, sizeof(*n));
    n->name = hs_intern_cstr(s->intern, name);
    asc__labels_copy_out(L, &s->arena, &n->labels);
    if (b->src) {
        const struct model_labels *an = &b->src->annotations;
        n->annotations.n = an->n;
        n->annotations.v = an->n ? HS_ARENA_NEW_ARRAY(&s->arena, struct model_label, an->n) : NULL;
        for (uint32_t i = 0; i < an->n; i++) {
            n->annotations.v[i].key = hs_intern_ref(an->v[i].key);
            n->annotations.v[i].value = hs_intern_ref(an->v[i].value);
        }
    }
    if (b->n_taints) {
        n->taints = HS_ARENA_NEW_ARRAY(&s->arena, struct model_taint, b->n_taints);
        for (uint32_t i = 0; i < b->n_taints; i++) {
            n->taints[i].key = hs_intern_cstr(s->intern, b->taints[i].key);
            n->taints[i].value =
                b->taints[i].value ? hs_intern_cstr(s->intern, b->taints[i].value) : NULL;
            n->taints[i].effect = b->taints[i].effect;
        }
        n->n_taints = b->n_taints;
    }
    write_resources(s, &r->cap, r->sc, r->n_sc, false, &n->capacity);
    write_resources(s, &r->alloc, r->sc, r->n_sc, true, &n->allocatable);
    n->ready = MODEL_COND_TRUE;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* The per-resource minimum over every type. */
static void min_resources(const struct build *b, struct type_res *out)
{
    struct hs_arena *a = &b->s->arena;
    *out = b->res[0];
    out->sc = NULL;
    out->n_sc = out->cap_sc = 0;
    for (uint32_t i = 1; i < b->n_types; i++) {
        const struct type_res *r = &b->res[i];
        out->cap.cpu_milli = min64(out->cap.cpu_milli, r->cap.cpu_milli);
        out->cap.memory = min64(out->cap.memory, r->cap.memory);
        out->cap.ephemeral_storage = min64(out->cap.ephemeral_storage, r->cap.ephemeral_storage);
        out->cap.pods = min64(out->cap.pods, r->cap.pods);
        out->alloc.cpu_milli = min64(out->alloc.cpu_milli, r->alloc.cpu_milli);
        out->alloc.memory = min64(out->alloc.memory, r->alloc.memory);
        out->alloc.ephemeral_storage =
            min64(out->alloc.ephemeral_storage, r->alloc.ephemeral_storage);
        out->alloc.pods = min64(out->alloc.pods, r->alloc.pods);
    }
    out->gpu = true;
    for (uint32_t i = 0; i < b->n_types; i++)
        out->gpu = out->gpu && b->res[i].gpu;
    /* A scalar every type has, at its smallest. */
    for (uint32_t k = 0; k < b->res[0].n_sc; k++) {
        const struct sres *e = &b->res[0].sc[k];
        int64_t cap = e->cap, alloc = e->alloc;
        bool everywhere = true;
        for (uint32_t i = 1; i < b->n_types && everywhere; i++) {
            bool found = false;
            for (uint32_t j = 0; j < b->res[i].n_sc; j++) {
                if (strcmp(b->res[i].sc[j].name, e->name) == 0) {
                    cap = min64(cap, b->res[i].sc[j].cap);
                    alloc = min64(alloc, b->res[i].sc[j].alloc);
                    found = true;
                }
            }
            everywhere = found;
        }
        if (everywhere)
            sres_set(a, out, e->name, cap, alloc);
    }
}

static bool has_label(const struct model_node *n, const char *key)
{
    for (uint32_t i = 0; i < n->labels.n; i++)
        if (strcmp(n->labels.v[i].key, key) == 0)
            return true;
    return false;
}

/* Writes the template of b into s, tracked for release. */
static const struct asc_template *finish(struct build *b)
{
    struct asc_templates *s = b->s;
    struct hs_intern *t = s->intern;
    struct asc_template *tp = HS_ARENA_NEW(&s->arena, struct asc_template);
    struct asc__labels L = { .t = s->intern };
    char name[320];
    struct type_res minr;

    tp->group = b->g;
    tp->from_node = b->src != NULL;
    tp->source_node = b->src ? hs_intern_ref(b->src->name) : NULL;
    tp->n_types = b->n_types;
    tp->types = HS_ARENA_NEW_ARRAY(&s->arena, const char *, b->n_types);
    for (uint32_t i = 0; i < b->n_types; i++)
        tp->types[i] = b->res[i].type ? hs_intern_cstr(t, b->res[i].type) : NULL;
    tp->n_zones = b->no_zone ? 0 : b->n_zones;
    tp->zones = tp->n_zones ? HS_ARENA_NEW_ARRAY(&s->arena, const char *, tp->n_zones) : NULL;
    for (uint32_t i = 0; i < tp->n_zones; i++)
        tp->zones[i] = hs_intern_cstr(t, b->zones[i]);

    snprintf(name, sizeof(name), TEMPLATE_PREFIX "%s", b->g->name);
    min_resources(b, &minr);
    if (b->src)
        node_labels(b, &L, -1, -1, name);
    else
        asg_labels(b, &L, -1, -1, name);
    write_node(b, &tp->node, name, &L, &minr);
    asc__labels_release(&L);
    tp->gpu = minr.gpu || has_label(&tp->node, "k8s.amazonaws.com/accelerator");

    tp->n_variants = b->n_types * b->n_zones;
    tp->variants = HS_ARENA_NEW_ARRAY(&s->arena, struct asc_variant, tp->n_variants);
    for (uint32_t ti = 0; ti < b->n_types; ti++) {
        for (uint32_t zi = 0; zi < b->n_zones; zi++) {
            struct asc_variant *v = &tp->variants[ti * b->n_zones + zi];
            snprintf(name, sizeof(name), TEMPLATE_PREFIX "%s-%u", b->g->name, ti * b->n_zones + zi);
            if (b->src)
                node_labels(b, &L, (int)ti, b->no_zone ? -1 : (int)zi, name);
            else
                asg_labels(b, &L, (int)ti, b->no_zone ? -1 : (int)zi, name);
            write_node(b, &v->node, name, &L, &b->res[ti]);
            asc__labels_release(&L);
            v->instance_type = tp->types[ti] ? hs_intern_ref(tp->types[ti]) : NULL;
            v->zone = tp->n_zones ? hs_intern_ref(tp->zones[zi]) : NULL;
        }
    }
    size_t cap = s->cap_all;
    HS_GROW(s->all, cap, (size_t)s->n_all + 1);
    s->cap_all = (uint32_t)cap;
    s->all[s->n_all++] = tp;
    return tp;
}

static void init_build(struct build *b, struct asc_templates *s, const struct asc_node_group *g)
{
    memset(b, 0, sizeof(*b));
    b->s = s;
    b->g = g;
    b->n_zones = g->n_zones;
    b->zones = g->zones;
    if (b->n_zones == 0) {
        static const char *const none[1] = { NULL };
        b->zones = (const char **)(uintptr_t)none;
        b->n_zones = 1;
        b->no_zone = true;
    }
}

enum hs_code asc_template_from_asg(struct asc_templates *s, const struct asc_node_group *group,
                                   const struct asc_cloud *cloud,
                                   const struct asc_template_config *cfg,
                                   const struct asc_template **out, struct hs_err *err)
{
    struct build b;
    struct res_tag *rt;
    uint32_t n_rt;

    *out = NULL;
    if (group->n_instance_types == 0)
        return hs_err_set(err, HS_ENOTFOUND, "ASG %s: instance types unknown", group->name);
    init_build(&b, s, group);
    read_tags(&b, &rt, &n_rt);
    b.n_types = group->n_instance_types;
    b.res = HS_ARENA_NEW_ARRAY(&s->arena, struct type_res, b.n_types);
    for (uint32_t i = 0; i < b.n_types; i++) {
        enum hs_code rc =
            asg_type_res(&b, cloud, cfg, group->instance_types[i], rt, n_rt, &b.res[i], err);
        if (rc)
            return rc;
    }
    *out = finish(&b);
    return HS_OK;
}

static const char *node_type(const struct model_node *n)
{
    for (uint32_t i = 0; i < n->labels.n; i++)
        if (strcmp(n->labels.v[i].key, ASC_LABEL_INSTANCE_TYPE) == 0)
            return n->labels.v[i].value;
    for (uint32_t i = 0; i < n->labels.n; i++)
        if (strcmp(n->labels.v[i].key, ASC_LABEL_BETA_TYPE) == 0)
            return n->labels.v[i].value;
    return NULL;
}

static bool is_condition_taint(const char *key)
{
    static const char *const keys[] = {
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
        "node.kubernetes.io/unschedulable",
        "node.kubernetes.io/memory-pressure",
        "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/network-unavailable",
        "node.kubernetes.io/pid-pressure",
        "node.cloudprovider.kubernetes.io/uninitialized",
        "node.cloudprovider.kubernetes.io/shutdown",
        "cloud.google.com/impending-node-termination",
        "NodeWithImpairedVolumes",
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(keys); i++)
        if (strcmp(keys[i], key) == 0)
            return true;
    return false;
}

static bool in_list(const char *const *v, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] && strcmp(v[i], key) == 0)
            return true;
    return false;
}

bool asc_node_gpu_unready(const struct model_node *n)
{
    bool labelled = false;
    for (uint32_t i = 0; i < n->labels.n && !labelled; i++)
        labelled = strcmp(n->labels.v[i].key, "k8s.amazonaws.com/accelerator") == 0;
    if (!labelled)
        return false;
    for (uint32_t i = 0; i < n->allocatable.n_scalar; i++)
        if (n->allocatable.scalar[i].name &&
            strcmp(n->allocatable.scalar[i].name, "nvidia.com/gpu") == 0)
            return n->allocatable.scalar[i].value <= 0;
    return true;
}

bool asc_taint_is_startup(const struct asc_taint_config *c, const char *key)
{
    if (strncmp(key, "ignore-taint.cluster-autoscaler.kubernetes.io/", 46) == 0 ||
        strncmp(key, "startup-taint.cluster-autoscaler.kubernetes.io/", 47) == 0)
        return true;
    return c && (in_list(c->startup, c->n_startup, key) || in_list(c->ignore, c->n_ignore, key));
}

bool asc_taint_is_sanitized(const struct asc_taint_config *c, const char *key)
{
    if (!key)
        return false;
    if (strcmp(key, "ToBeDeletedByClusterAutoscaler") == 0 ||
        strcmp(key, "DeletionCandidateOfClusterAutoscaler") == 0 || is_condition_taint(key))
        return true;
    if (asc_taint_is_startup(c, key))
        return true;
    if (strncmp(key, "status-taint.cluster-autoscaler.kubernetes.io/", 46) == 0)
        return true;
    return c && in_list(c->status, c->n_status, key);
}

static void node_res(struct hs_arena *a, const struct model_node *n, struct type_res *out)
{
    memset(out, 0, sizeof(*out));
    out->cap = n->capacity;
    out->alloc = n->allocatable;
    out->cap.n_scalar = out->alloc.n_scalar = 0;
    out->cap.scalar = out->alloc.scalar = NULL;
    for (uint32_t i = 0; i < n->capacity.n_scalar; i++)
        sres_set(a, out, n->capacity.scalar[i].name, n->capacity.scalar[i].value,
                 model_resources_scalar(&n->allocatable, n->capacity.scalar[i].name));
    for (uint32_t i = 0; i < n->allocatable.n_scalar; i++) {
        const char *nm = n->allocatable.scalar[i].name;
        if (model_resources_scalar(&n->capacity, nm) == 0)
            sres_set(a, out, nm, n->allocatable.scalar[i].value, n->allocatable.scalar[i].value);
    }
    for (uint32_t i = 0; i < out->n_sc; i++)
        if (strstr(out->sc[i].name, "gpu") && out->sc[i].alloc > 0)
            out->gpu = true;
}

enum hs_code asc_template_from_node(struct asc_templates *s, const struct asc_node_group *group,
                                    const struct model_node *node, const struct asc_cloud *cloud,
                                    const struct asc_template_config *cfg,
                                    const struct asc_template **out, struct hs_err *err)
{
    struct build b;
    struct hs_arena *a = &s->arena;
    const char *own = node_type(node);
    const char *node_zone = label_of(node, ASC_LABEL_ZONE);
    struct asc__type_facts f;
    struct build tags;
    struct res_tag *rt;
    uint32_t n_rt;

    *out = NULL;
    init_build(&b, s, group);
    b.src = node;
    b.src_zone = node_zone;
    if (b.no_zone && node_zone) {
        b.zones = HS_ARENA_NEW_ARRAY(a, const char *, 1);
        b.zones[0] = node_zone;
        b.no_zone = false;
    }
    /* Tags give the group's other types their extra resources; the labels
     * and taints of a node-based template come from the node alone. */
    init_build(&tags, s, group);
    read_tags(&tags, &rt, &n_rt);
    /* Types: the group's, or the node's own when the group's are unknown. */
    b.n_types = group->n_instance_types ? group->n_instance_types : 1;
    b.res = HS_ARENA_NEW_ARRAY(a, struct type_res, b.n_types);
    for (uint32_t i = 0; i < b.n_types; i++) {
        const char *type = group->n_instance_types ? group->instance_types[i] : own;
        struct type_res *r = &b.res[i];
        if (!group->n_instance_types || (own && strcmp(type, own) == 0)) {
            node_res(a, node, r);
            r->type = type;
            r->arch = label_of(node, ASC_LABEL_ARCH);
            if (type && type_facts(cloud, type, &f) && f.arch)
                r->arch = f.arch;
            continue;
        }
        enum hs_code rc = asg_type_res(&b, cloud, cfg, type, rt, n_rt, r, err);
        if (rc)
            return rc;
    }
    for (uint32_t i = 0; i < node->n_taints; i++) {
        const struct model_taint *nt = &node->taints[i];
        if (asc_taint_is_sanitized(cfg ? cfg->taints : NULL, nt->key))
            continue;
        struct ptaint *pt = MODEL_ARENA_PUSH(a, b.taints, b.n_taints, b.cap_taints);
        pt->key = nt->key;
        pt->value = nt->value;
        pt->effect = nt->effect;
    }
    *out = finish(&b);
    return HS_OK;
}

/* ---- the set --------------------------------------------------------------- */

struct inst {
    const char *id;
    uint32_t group;
};

static int cmp_inst(const void *a, const void *b)
{
    return strcmp(((const struct inst *)a)->id, ((const struct inst *)b)->id);
}

/* The instance id of a providerID "aws:///us-east-1a/i-0abc" (borrowed). */
static const char *instance_of(const char *provider_id)
{
    if (!provider_id || strncmp(provider_id, "aws://", 6) != 0)
        return NULL;
    const char *slash = strrchr(provider_id, '/');
    return slash && slash[1] ? slash + 1 : NULL;
}

static bool usable_node(const struct model_node *n, const struct asc_node_group *g,
                        const struct asc_template_config *cfg)
{
    if (n->ready != MODEL_COND_TRUE || n->unschedulable || n->deletion_ts != 0 ||
        asc_node_gpu_unready(n))
        return false;
    for (uint32_t i = 0; i < n->n_taints; i++) {
        const char *k = n->taints[i].key;
        if (strcmp(k, "ToBeDeletedByClusterAutoscaler") == 0 ||
            asc_taint_is_startup(cfg ? cfg->taints : NULL, k))
            return false;
    }
    if (g->n_instance_types == 0)
        return true;
    const char *type = node_type(n);
    if (!type)
        return false;
    for (uint32_t i = 0; i < g->n_instance_types; i++)
        if (strcmp(g->instance_types[i], type) == 0)
            return true;
    return false;
}

enum hs_code asc_templates_build(const struct asc_groups *g, const struct asc_cloud *cloud,
                                 const struct model_node *const *nodes, size_t n_nodes,
                                 const struct asc_template_config *cfg, struct hs_intern *t,
                                 struct asc_templates **out, struct hs_err *err)
{
    struct asc_templates *s = hs_calloc(1, sizeof(*s));
    (void)err;
    hs_arena_init(&s->arena, 0);
    s->intern = t;
    s->groups = g;
    s->warnings.arena = &s->arena;
    s->n = g->n;
    s->v = g->n ? HS_ARENA_NEW_ARRAY(&s->arena, struct asc_template *, g->n) : NULL;

    /* Instance id -> group, sorted for binary search. */
    size_t n_inst = 0;
    for (uint32_t i = 0; i < g->n; i++)
        n_inst += g->v[i].asg->n_instances;
    struct inst *idx = n_inst ? hs_malloc(n_inst * sizeof(*idx)) : NULL;
    n_inst = 0;
    for (uint32_t i = 0; i < g->n; i++)
        for (uint32_t k = 0; k < g->v[i].asg->n_instances; k++)
            if (g->v[i].asg->instances[k].id)
                idx[n_inst++] = (struct inst){ g->v[i].asg->instances[k].id, i };
    if (n_inst)
        qsort(idx, n_inst, sizeof(*idx), cmp_inst);

    const struct model_node **pick = g->n ? hs_calloc(g->n, sizeof(*pick)) : NULL;
    for (size_t i = 0; i < n_nodes && n_inst && !(cfg && cfg->ignore_nodes); i++) {
        struct inst key = { instance_of(nodes[i]->provider_id), 0 };
        if (!key.id)
            continue;
        const struct inst *hit = bsearch(&key, idx, n_inst, sizeof(*idx), cmp_inst);
        if (!hit)
            continue;
        const struct asc_node_group *ng = &g->v[hit->group];
        if (!usable_node(nodes[i], ng, cfg))
            continue;
        const struct model_node *cur = pick[hit->group];
        if (!cur || strcmp(nodes[i]->name, cur->name) < 0)
            pick[hit->group] = nodes[i];
    }

    for (uint32_t i = 0; i < g->n; i++) {
        const struct asc_template *tp = NULL;
        struct hs_err e = { 0 };
        enum hs_code rc;
        if (pick && pick[i])
            rc = asc_template_from_node(s, &g->v[i], pick[i], cloud, cfg, &tp, &e);
        else
            rc = asc_template_from_asg(s, &g->v[i], cloud, cfg, &tp, &e);
        if (rc)
            asc_warnf(&s->warnings, "node group %s has no template: %s", g->v[i].name, e.msg);
        s->v[i] = (struct asc_template *)(uintptr_t)tp;
    }
    hs_free(pick);
    hs_free(idx);
    *out = s;
    return HS_OK;
}

static void release_template(struct asc_templates *s, struct asc_template *tp)
{
    struct hs_intern *t = s->intern;
    model_node_unref_strings(&tp->node, t);
    for (uint32_t i = 0; i < tp->n_variants; i++) {
        model_node_unref_strings(&tp->variants[i].node, t);
        hs_intern_unref(t, tp->variants[i].instance_type);
        hs_intern_unref(t, tp->variants[i].zone);
    }
    for (uint32_t i = 0; i < tp->n_types; i++)
        hs_intern_unref(t, tp->types[i]);
    for (uint32_t i = 0; i < tp->n_zones; i++)
        hs_intern_unref(t, tp->zones[i]);
    hs_intern_unref(t, tp->source_node);
}

void asc_templates_free(struct asc_templates **sp)
{
    struct asc_templates *s = sp ? *sp : NULL;
    if (!s)
        return;
    for (uint32_t i = 0; i < s->n_all; i++)
        release_template(s, s->all[i]);
    hs_free(s->all);
    hs_free(s->warnings.v);
    hs_arena_release(&s->arena);
    hs_free(s);
    *sp = NULL;
}

const struct asc_template *asc_templates_of(const struct asc_templates *s,
                                            const struct asc_node_group *group)
{
    if (!s || !s->groups || !group)
        return NULL;
    if (group < s->groups->v || group >= s->groups->v + s->groups->n)
        return NULL;
    return s->v[group - s->groups->v];
}

bool asc_template_all_variants(const struct asc_template *t,
                               bool (*fits)(const struct model_node *n, void *ctx), void *ctx)
{
    for (uint32_t i = 0; i < t->n_variants; i++)
        if (!fits(&t->variants[i].node, ctx))
            return false;
    return t->n_variants > 0;
}

bool asc_template_all_zones(const struct asc_template *t,
                            bool (*zone_ok)(const char *zone, void *ctx), void *ctx)
{
    if (t->n_zones == 0)
        return zone_ok(NULL, ctx);
    for (uint32_t i = 0; i < t->n_zones; i++)
        if (!zone_ok(t->zones[i], ctx))
            return false;
    return true;
}
