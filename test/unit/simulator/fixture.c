/*
 * Constructors of model objects for the simulator's tests (see fixture.h).
 * Arrays grow by copying into the arena; strings are interned and released
 * with the table. Test code only.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "simulator/filter.h"

static const struct model_labels *ns_labels(void *ctx, const char *ns)
{
    struct fx *f = ctx;
    for (size_t i = 0; i < f->n_ns; i++)
        if (f->ns_name[i] == ns)
            return &f->ns_labels[i];
    return NULL;
}

void fx_init(struct fx *f)
{
    memset(f, 0, sizeof(*f));
    f->t = hs_intern_new();
    hs_arena_init(&f->a, 0);
    f->env.ns_labels = ns_labels;
    f->env.ns_ctx = f;
    f->env.pvcs = f->pvcs;
    f->env.pvs = f->pvs;
    f->s = sim_snapshot_new(f->t, &f->env);
}

void fx_release(struct fx *f)
{
    sim_snapshot_free(&f->s);
    hs_arena_release(&f->a);
    hs_intern_free(&f->t);
}

void fx_resnap(struct fx *f)
{
    sim_snapshot_free(&f->s);
    f->s = sim_snapshot_new(f->t, &f->env);
}

const char *fx_s(struct fx *f, const char *s)
{
    return s ? hs_intern_cstr(f->t, s) : NULL;
}

#define GROW_COPY(f, arr, n, type)                                     \
    do {                                                               \
        type *nv = HS_ARENA_NEW_ARRAY(&(f)->a, type, (size_t)(n) + 1); \
        if (n)                                                         \
            memcpy(nv, (arr), (size_t)(n) * sizeof(type));             \
        (arr) = nv;                                                    \
    } while (0)

void fx_label(struct fx *f, struct model_labels *l, const char *k, const char *v)
{
    const char *ik = fx_s(f, k), *iv = fx_s(f, v);
    for (uint32_t i = 0; i < l->n; i++)
        if (l->v[i].key == ik) {
            l->v[i].value = iv;
            return;
        }
    GROW_COPY(f, l->v, l->n, struct model_label);
    uint32_t i = l->n;
    while (i > 0 && strcmp(l->v[i - 1].key, ik) > 0) {
        l->v[i] = l->v[i - 1];
        i--;
    }
    l->v[i] = (struct model_label){ ik, iv };
    l->n++;
}

void fx_scalar(struct fx *f, struct model_resources *r, const char *name, int64_t v)
{
    const char *in = fx_s(f, name);
    GROW_COPY(f, r->scalar, r->n_scalar, struct model_scalar);
    uint32_t i = r->n_scalar;
    while (i > 0 && strcmp(r->scalar[i - 1].name, in) > 0) {
        r->scalar[i] = r->scalar[i - 1];
        i--;
    }
    r->scalar[i] = (struct model_scalar){ in, v };
    r->n_scalar++;
}

struct model_node *fx_node(struct fx *f, const char *name, int64_t cpu_milli, int64_t mem,
                           int64_t pods)
{
    struct model_node *n = HS_ARENA_NEW(&f->a, struct model_node);
    n->name = fx_s(f, name);
    n->allocatable.cpu_milli = cpu_milli;
    n->allocatable.memory = mem;
    n->allocatable.ephemeral_storage = 100 * GI;
    n->allocatable.pods = pods;
    n->capacity = n->allocatable;
    n->ready = MODEL_COND_TRUE;
    fx_label(f, &n->labels, "kubernetes.io/hostname", name);
    return n;
}

int32_t fx_add_node(struct fx *f, const char *name, int64_t cpu_milli, int64_t mem, int64_t pods,
                    struct model_node **out)
{
    struct model_node *n = fx_node(f, name, cpu_milli, mem, pods);
    if (out)
        *out = n;
    return sim_snapshot_add_node(f->s, n);
}

void fx_taint(struct fx *f, struct model_node *n, const char *k, const char *v, enum model_effect e)
{
    GROW_COPY(f, n->taints, n->n_taints, struct model_taint);
    n->taints[n->n_taints++] = (struct model_taint){ fx_s(f, k), fx_s(f, v), e };
}

struct model_pod *fx_pod(struct fx *f, const char *ns, const char *name, int64_t cpu_milli,
                         int64_t mem)
{
    struct model_pod *p = HS_ARENA_NEW(&f->a, struct model_pod);
    p->ns = fx_s(f, ns);
    p->name = hs_arena_strndup(&f->a, name, strlen(name));
    p->requests.cpu_milli = cpu_milli;
    p->requests.memory = mem;
    p->phase = MODEL_PHASE_PENDING;
    return p;
}

void fx_owner(struct fx *f, struct model_pod *p, const char *kind, const char *name,
              const char *uid)
{
    GROW_COPY(f, p->owners, p->n_owners, struct model_owner_ref);
    p->owners[p->n_owners++] =
        (struct model_owner_ref){ .kind = fx_s(f, kind),
                                  .name = hs_arena_strndup(&f->a, name, strlen(name)),
                                  .uid = hs_arena_strndup(&f->a, uid, strlen(uid)),
                                  .controller = true };
}

void fx_tol(struct fx *f, struct model_pod *p, const char *k, const char *v, bool exists,
            enum model_effect e)
{
    GROW_COPY(f, p->tolerations, p->n_tolerations, struct model_toleration);
    p->tolerations[p->n_tolerations++] = (struct model_toleration){
        .key = fx_s(f, k), .value = fx_s(f, v), .exists = exists, .effect = e
    };
}

void fx_port(struct fx *f, struct model_pod *p, int32_t port, enum model_protocol proto,
             const char *ip)
{
    GROW_COPY(f, p->host_ports, p->n_host_ports, struct model_host_port);
    p->host_ports[p->n_host_ports++] =
        (struct model_host_port){ .port = port, .protocol = proto, .host_ip = fx_s(f, ip) };
}

void fx_volume(struct fx *f, struct model_pod *p, const char *name, enum model_volume_kind kind,
               const char *claim)
{
    GROW_COPY(f, p->volumes, p->n_volumes, struct model_volume);
    p->volumes[p->n_volumes++] =
        (struct model_volume){ .name = hs_arena_strndup(&f->a, name, strlen(name)),
                               .kind = kind,
                               .claim_name =
                                   claim ? hs_arena_strndup(&f->a, claim, strlen(claim)) : NULL };
}

struct model_requirement fx_req(struct fx *f, const char *key, enum model_op op,
                                const char *const *values)
{
    struct model_requirement r = { .key = fx_s(f, key), .op = op };
    uint32_t n = 0;
    while (values && values[n])
        n++;
    r.n_values = n;
    r.values = HS_ARENA_NEW_ARRAY(&f->a, const char *, n ? n : 1);
    for (uint32_t i = 0; i < n; i++)
        r.values[i] = fx_s(f, values[i]);
    if ((op == MODEL_OP_GT || op == MODEL_OP_LT) && n == 1)
        r.num = strtoll(values[0], NULL, 10);
    return r;
}

struct model_node_selector_term *fx_na_term(struct fx *f, struct model_pod *p)
{
    if (!p->node_affinity)
        p->node_affinity = HS_ARENA_NEW(&f->a, struct model_node_affinity);
    struct model_node_affinity *na = p->node_affinity;
    na->has_required = true;
    GROW_COPY(f, na->required, na->n_required, struct model_node_selector_term);
    struct model_node_selector_term *t = &na->required[na->n_required++];
    memset(t, 0, sizeof(*t));
    return t;
}

void fx_term_expr(struct fx *f, struct model_node_selector_term *t, struct model_requirement r)
{
    GROW_COPY(f, t->expr, t->n_expr, struct model_requirement);
    t->expr[t->n_expr++] = r;
}

void fx_term_field(struct fx *f, struct model_node_selector_term *t, struct model_requirement r)
{
    GROW_COPY(f, t->fields, t->n_fields, struct model_requirement);
    t->fields[t->n_fields++] = r;
}

void fx_selector_add(struct fx *f, struct model_label_selector *s, struct model_requirement r)
{
    s->present = true;
    GROW_COPY(f, s->req, s->n, struct model_requirement);
    s->req[s->n++] = r;
}

struct model_pod_affinity_term *fx_aff(struct fx *f, struct model_pod *p, bool anti,
                                       const char *key, const char *k, const char *v)
{
    struct model_pod_affinity **pa = anti ? &p->anti_affinity : &p->affinity;
    if (!*pa)
        *pa = HS_ARENA_NEW(&f->a, struct model_pod_affinity);
    GROW_COPY(f, (*pa)->required, (*pa)->n_required, struct model_pod_affinity_term);
    struct model_pod_affinity_term *t = &(*pa)->required[(*pa)->n_required++];
    memset(t, 0, sizeof(*t));
    t->topology_key = fx_s(f, key);
    t->selector.present = true;
    if (k) {
        const char *vals[] = { v, NULL };
        fx_selector_add(f, &t->selector, fx_req(f, k, MODEL_OP_IN, vals));
    }
    return t;
}

void fx_term_ns(struct fx *f, struct model_pod_affinity_term *t, const char *ns)
{
    GROW_COPY(f, t->namespaces, t->n_namespaces, const char *);
    t->namespaces[t->n_namespaces++] = fx_s(f, ns);
}

struct model_spread *fx_spread(struct fx *f, struct model_pod *p, const char *key, int32_t max_skew,
                               const char *k, const char *v)
{
    GROW_COPY(f, p->spreads, p->n_spreads, struct model_spread);
    struct model_spread *c = &p->spreads[p->n_spreads++];
    memset(c, 0, sizeof(*c));
    c->max_skew = max_skew;
    c->topology_key = fx_s(f, key);
    c->do_not_schedule = true;
    c->selector.present = true;
    if (k) {
        const char *vals[] = { v, NULL };
        fx_selector_add(f, &c->selector, fx_req(f, k, MODEL_OP_IN, vals));
    }
    return c;
}

void fx_keys_add(struct fx *f, const char ***keys, uint32_t *n, const char *k)
{
    GROW_COPY(f, *keys, *n, const char *);
    (*keys)[(*n)++] = fx_s(f, k);
}

void fx_ns_label(struct fx *f, const char *ns, const char *k, const char *v)
{
    const char *in = fx_s(f, ns);
    size_t i = 0;
    while (i < f->n_ns && f->ns_name[i] != in)
        i++;
    if (i == f->n_ns)
        f->ns_name[f->n_ns++] = in;
    fx_label(f, &f->ns_labels[i], k, v);
}

struct model_pvc *fx_pvc(struct fx *f, const char *ns, const char *name, const char *pv)
{
    struct model_pvc *c = HS_ARENA_NEW(&f->a, struct model_pvc);
    c->ns = fx_s(f, ns);
    c->name = hs_arena_strndup(&f->a, name, strlen(name));
    c->volume_name = fx_s(f, pv);
    c->phase = pv ? MODEL_PVC_BOUND : MODEL_PVC_PENDING;
    f->pvcs[f->env.n_pvcs++] = c;
    return c;
}

struct model_pv *fx_pv(struct fx *f, const char *name)
{
    struct model_pv *v = HS_ARENA_NEW(&f->a, struct model_pv);
    v->name = fx_s(f, name);
    f->pvs[f->env.n_pvs++] = v;
    return v;
}

int32_t fx_bind(struct fx *f, struct model_pod *p, int32_t node)
{
    p->node_name = sim_snapshot_node(f->s, node)->name;
    p->phase = MODEL_PHASE_RUNNING;
    return sim_snapshot_add_pod(f->s, sim_pod_prepare(f->s, p), node);
}

const char *fx_verdict(struct fx *f, struct model_pod *p, int32_t node)
{
    static char out[512];
    struct sim_verdict v;
    sim_filter(f->s, sim_pod_prepare(f->s, p), node, false, &v);
    struct hs_buf b;
    hs_buf_init(&b);
    sim_verdict_format(&v, &b);
    snprintf(out, sizeof(out), "%s", b.data);
    hs_buf_release(&b);
    return out;
}
