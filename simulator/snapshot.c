/*
 * The snapshot: node and pod tables, the undo journal behind fork/commit/
 * revert, equivalence classes of prepared pods, and the topology counters
 * that the affinity and spread filters read. Every change goes through one
 * of the do_* functions, which keep requested sums, port holders and counters
 * exact; the journal records how to undo each change, and revert replays it
 * backwards through the same functions. Never does I/O, never owns or frees
 * a model object, never walks the whole cluster except when a new counter is
 * made.
 */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/common.h"
#include "sim_int.h"

/* ---- hashing and the map ------------------------------------------------ */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

uint64_t sim__hash_ptr(const void *p)
{
    return mix64((uint64_t)(uintptr_t)p);
}

uint64_t sim__hash_mix(uint64_t h, uint64_t v)
{
    return mix64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

void sim__map_release(struct sim__map *m)
{
    hs_free(m->keys);
    hs_free(m->vals);
    memset(m, 0, sizeof(*m));
}

int32_t sim__map_get(const struct sim__map *m, uint64_t key)
{
    if (m->cap == 0)
        return -1;
    uint32_t mask = m->cap - 1;
    for (uint32_t i = (uint32_t)mix64(key) & mask;; i = (i + 1) & mask) {
        if (m->vals[i] < 0)
            return -1;
        if (m->keys[i] == key)
            return m->vals[i];
    }
}

static void map_grow(struct sim__map *m)
{
    struct sim__map old = *m;
    m->cap = old.cap ? old.cap * 2 : 16;
    m->keys = hs_calloc(m->cap, sizeof(*m->keys));
    m->vals = hs_malloc(m->cap * sizeof(*m->vals));
    memset(m->vals, 0xff, m->cap * sizeof(*m->vals));
    m->n = 0;
    for (uint32_t i = 0; i < old.cap; i++)
        if (old.vals[i] >= 0)
            sim__map_put(m, old.keys[i], old.vals[i]);
    hs_free(old.keys);
    hs_free(old.vals);
}

void sim__map_put(struct sim__map *m, uint64_t key, int32_t val)
{
    if ((m->n + 1) * 10 >= m->cap * 7)
        map_grow(m);
    uint32_t mask = m->cap - 1;
    for (uint32_t i = (uint32_t)mix64(key) & mask;; i = (i + 1) & mask) {
        if (m->vals[i] < 0) {
            m->keys[i] = key;
            m->vals[i] = val;
            m->n++;
            return;
        }
        if (m->keys[i] == key) {
            m->vals[i] = val;
            return;
        }
    }
}

/* Two independent hash streams; a class is the pair, so an accidental
 * collision needs both 64-bit hashes to collide. */
struct hpair {
    uint64_t a, b;
};

static void hp_add(struct hpair *h, uint64_t v)
{
    h->a = sim__hash_mix(h->a, v);
    h->b = sim__hash_mix(h->b ^ 0x5851f42d4c957f2dULL, v * 0x2545f4914f6cdd1dULL + 1);
}

static void hp_ptr(struct hpair *h, const void *p)
{
    hp_add(h, (uint64_t)(uintptr_t)p);
}

static void hp_str(struct hpair *h, const char *s)
{
    uint64_t v = 1469598103934665603ULL;
    if (s)
        for (; *s; s++)
            v = (v ^ (unsigned char)*s) * 1099511628211ULL;
    hp_add(h, s ? v : 7);
}

static void hp_labels(struct hpair *h, const struct model_labels *l)
{
    hp_add(h, l->n);
    for (uint32_t i = 0; i < l->n; i++) {
        hp_ptr(h, l->v[i].key);
        hp_ptr(h, l->v[i].value);
    }
}

static void hp_reqs(struct hpair *h, const struct model_requirement *r, uint32_t n)
{
    hp_add(h, n);
    for (uint32_t i = 0; i < n; i++) {
        hp_ptr(h, r[i].key);
        hp_add(h, (uint64_t)r[i].op);
        hp_add(h, (uint64_t)r[i].num);
        hp_add(h, r[i].n_values);
        for (uint32_t j = 0; j < r[i].n_values; j++)
            hp_ptr(h, r[i].values[j]);
    }
}

static void hp_selector(struct hpair *h, const struct model_label_selector *s)
{
    hp_add(h, s->present ? 1 : 0);
    if (s->present)
        hp_reqs(h, s->req, s->n);
}

static void hp_resources(struct hpair *h, const struct model_resources *r)
{
    hp_add(h, (uint64_t)r->cpu_milli);
    hp_add(h, (uint64_t)r->memory);
    hp_add(h, (uint64_t)r->ephemeral_storage);
    hp_add(h, r->n_scalar);
    for (uint32_t i = 0; i < r->n_scalar; i++) {
        hp_ptr(h, r->scalar[i].name);
        hp_add(h, (uint64_t)r->scalar[i].value);
    }
}

static void hp_node_affinity(struct hpair *h, const struct model_node_affinity *na)
{
    if (!na || !na->has_required) {
        hp_add(h, 0);
        return;
    }
    hp_add(h, 1 + (uint64_t)na->n_required);
    for (uint32_t i = 0; i < na->n_required; i++) {
        hp_reqs(h, na->required[i].expr, na->required[i].n_expr);
        hp_reqs(h, na->required[i].fields, na->required[i].n_fields);
    }
}

static void hp_pod_affinity(struct hpair *h, const struct model_pod_affinity *pa)
{
    if (!pa) {
        hp_add(h, 0);
        return;
    }
    hp_add(h, 1 + (uint64_t)pa->n_required);
    for (uint32_t i = 0; i < pa->n_required; i++) {
        const struct model_pod_affinity_term *t = &pa->required[i];
        hp_selector(h, &t->selector);
        hp_add(h, t->n_namespaces);
        for (uint32_t j = 0; j < t->n_namespaces; j++)
            hp_ptr(h, t->namespaces[j]);
        hp_selector(h, &t->ns_selector);
        hp_ptr(h, t->topology_key);
        hp_add(h, t->n_match_label_keys);
        for (uint32_t j = 0; j < t->n_match_label_keys; j++)
            hp_ptr(h, t->match_label_keys[j]);
        hp_add(h, t->n_mismatch_label_keys);
        for (uint32_t j = 0; j < t->n_mismatch_label_keys; j++)
            hp_ptr(h, t->mismatch_label_keys[j]);
    }
}

/* What node-local filters read: resources, ports, tolerations, node
 * selector and affinity, volumes (with the namespace they resolve in). */
static void hp_local(struct hpair *h, const struct model_pod *p)
{
    hp_ptr(h, p->ns);
    hp_resources(h, &p->requests);
    hp_add(h, p->n_host_ports);
    for (uint32_t i = 0; i < p->n_host_ports; i++) {
        hp_add(h, (uint64_t)p->host_ports[i].port);
        hp_add(h, (uint64_t)p->host_ports[i].protocol);
        hp_ptr(h, p->host_ports[i].host_ip);
    }
    hp_add(h, p->n_tolerations);
    for (uint32_t i = 0; i < p->n_tolerations; i++) {
        const struct model_toleration *t = &p->tolerations[i];
        hp_ptr(h, t->key);
        hp_ptr(h, t->value);
        hp_add(h, t->exists ? 1 : 0);
        hp_add(h, (uint64_t)t->effect);
    }
    hp_labels(h, &p->node_selector);
    hp_node_affinity(h, p->node_affinity);
    hp_add(h, p->n_volumes);
    for (uint32_t i = 0; i < p->n_volumes; i++) {
        hp_add(h, (uint64_t)p->volumes[i].kind);
        hp_str(h, p->volumes[i].name);
        hp_str(h, p->volumes[i].claim_name);
    }
}

static struct hpair class_hash(const struct model_pod *p, struct hpair *local)
{
    struct hpair h = { 0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL };
    hp_local(&h, p);
    *local = h;
    const struct model_owner_ref *o = model_pod_controller(p);
    hp_str(&h, o ? o->uid : NULL);
    hp_labels(&h, &p->labels);
    hp_pod_affinity(&h, p->affinity);
    hp_pod_affinity(&h, p->anti_affinity);
    hp_add(&h, p->n_spreads);
    for (uint32_t i = 0; i < p->n_spreads; i++) {
        const struct model_spread *c = &p->spreads[i];
        hp_add(&h, (uint64_t)c->max_skew);
        hp_ptr(&h, c->topology_key);
        hp_add(&h, c->do_not_schedule ? 1 : 0);
        hp_selector(&h, &c->selector);
        hp_add(&h, (uint64_t)c->min_domains);
        hp_add(&h, (uint64_t)c->node_affinity_policy);
        hp_add(&h, (uint64_t)c->node_taints_policy);
        hp_add(&h, c->n_match_label_keys);
        for (uint32_t j = 0; j < c->n_match_label_keys; j++)
            hp_ptr(&h, c->match_label_keys[j]);
    }
    return h;
}

/* ---- lifecycle ---------------------------------------------------------- */

struct sim_snapshot *sim_snapshot_new(struct hs_intern *t, const struct sim_env *env)
{
    struct sim_snapshot *s = hs_calloc(1, sizeof(*s));
    s->intern = t;
    if (env)
        s->env = *env;
    hs_arena_init(&s->arena, 256 * 1024);
    s->k_hostname = hs_intern_cstr(t, "kubernetes.io/hostname");
    s->k_unschedulable = hs_intern_cstr(t, "node.kubernetes.io/unschedulable");
    s->k_metadata_name = hs_intern_cstr(t, "metadata.name");
    s->k_zone_beta = hs_intern_cstr(t, "failure-domain.beta.kubernetes.io/zone");
    s->k_region_beta = hs_intern_cstr(t, "failure-domain.beta.kubernetes.io/region");
    s->k_zone = hs_intern_cstr(t, "topology.kubernetes.io/zone");
    s->k_region = hs_intern_cstr(t, "topology.kubernetes.io/region");
    s->version = 1;
    return s;
}

void sim_snapshot_free(struct sim_snapshot **sp)
{
    struct sim_snapshot *s = sp ? *sp : NULL;
    if (!s)
        return;
    for (size_t i = 0; i < s->cap_nodes; i++) {
        hs_free(s->nodes[i].own_labels);
        hs_free(s->nodes[i].req_scalar);
        hs_free(s->nodes[i].pods);
    }
    hs_free(s->nodes);
    hs_free(s->pods);
    sim__map_release(&s->node_by_name);
    for (size_t i = 0; i < s->n_classes; i++) {
        struct sim__class *c = s->classes[i];
        for (uint32_t j = 0; j < c->n_spread; j++) {
            hs_free(c->spread[j].dom_cnt);
            hs_free(c->spread[j].dom_present);
        }
        hs_free(c->have_match);
        hs_free(c->feeds);
    }
    sim__est_cache_free(s, &s->est);
    hs_free(s->classes);
    sim__map_release(&s->class_by_hash);
    sim__map_release(&s->local_by_hash);
    hs_free(s->local_rep);
    hs_free(s->cursor);
    for (size_t i = 0; i < s->n_topos; i++) {
        struct sim__topo *t = &s->topos[i];
        hs_free(t->node_dom);
        sim__map_release(&t->doms);
        hs_free(t->dom_val);
        hs_free(t->dom_live);
        hs_free(t->counters);
    }
    hs_free(s->topos);
    for (size_t i = 0; i < s->n_ctrs; i++) {
        hs_free(s->ctrs[i].node_cnt);
        hs_free(s->ctrs[i].dom_cnt);
        hs_free(s->ctrs[i].hist);
    }
    hs_free(s->ctrs);
    sim__map_release(&s->ctr_by_sig);
    sim__map_release(&s->anchors);
    hs_free(s->unanchored);
    hs_free(s->haves);
    hs_free(s->journal);
    hs_free(s->marks);
    for (size_t i = 0; i < s->n_own_names; i++)
        hs_intern_unref(s->intern, s->own_names[i]);
    hs_free(s->own_names);
    const char *k[] = { s->k_hostname,    s->k_unschedulable, s->k_metadata_name, s->k_zone_beta,
                        s->k_region_beta, s->k_zone,          s->k_region };
    for (size_t i = 0; i < HS_ARRAY_LEN(k); i++)
        hs_intern_unref(s->intern, k[i]);
    hs_arena_release(&s->arena);
    hs_free(s);
    *sp = NULL;
}

struct hs_intern *sim_snapshot_intern(const struct sim_snapshot *s)
{
    return s->intern;
}

const char *sim__pool_name(struct sim_snapshot *s, uint32_t i)
{
    while (s->n_own_names <= i) {
        char buf[48];
        snprintf(buf, sizeof(buf), "hoist-estimate-%zu", s->n_own_names);
        HS_GROW(s->own_names, s->cap_own_names, s->n_own_names + 1);
        s->own_names[s->n_own_names++] = hs_intern_cstr(s->intern, buf);
    }
    return s->own_names[i];
}

/* ---- journal ------------------------------------------------------------ */

static void journal(struct sim_snapshot *s, enum sim__jop op, int32_t a, int32_t b, int32_t c)
{
    s->version++;
    s->state = ++s->state_seq;
    if (s->n_marks == 0)
        return;
    HS_GROW(s->journal, s->cap_journal, s->n_journal + 1);
    s->journal[s->n_journal++] = (struct sim__jentry){ .op = (uint8_t)op, .a = a, .b = b, .c = c };
}

/* ---- topology domains and counters -------------------------------------- */

static void grow_i32(int32_t **v, uint32_t *cap, size_t need)
{
    if (need <= *cap)
        return;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need)
        ncap *= 2;
    *v = hs_reallocarray(*v, ncap, sizeof(**v));
    memset(*v + *cap, 0, (ncap - *cap) * sizeof(**v));
    *cap = (uint32_t)ncap;
}

static void hist_move(struct sim__counter *c, int32_t from, int32_t to)
{
    if (from >= 0)
        c->hist[from]--;
    if (to >= 0) {
        grow_i32(&c->hist, &c->cap_hist, (size_t)to + 1);
        c->hist[to]++;
        if (to < c->min)
            c->min = to;
    }
}

int32_t sim__counter_min(struct sim_snapshot *s, struct sim__counter *c)
{
    (void)s;
    while ((uint32_t)c->min < c->cap_hist && c->hist[c->min] == 0)
        c->min++;
    if ((uint32_t)c->min >= c->cap_hist)
        return INT32_MAX;
    return c->min;
}

static void ctr_ensure_dom(struct sim__counter *c, uint32_t n_dom)
{
    grow_i32(&c->dom_cnt, &c->cap_dom, n_dom);
}

/* A domain of topo t turned live (delta 1) or dead (delta -1). */
static void dom_liveness(struct sim_snapshot *s, struct sim__topo *t, int32_t d, int delta)
{
    int32_t before = t->dom_live[d];
    t->dom_live[d] += delta;
    bool was = before > 0, is = t->dom_live[d] > 0;
    if (was == is)
        return;
    t->n_live_dom = is ? t->n_live_dom + 1 : t->n_live_dom - 1;
    for (uint32_t i = 0; i < t->n_counters; i++) {
        struct sim__counter *c = &s->ctrs[t->counters[i]];
        if (is)
            hist_move(c, -1, c->dom_cnt[d]);
        else
            hist_move(c, c->dom_cnt[d], -1);
    }
}

/* The domain of value in t, made if new. Every counter on t has room for
 * every domain of t (dom_cnt), so a new domain grows theirs here. */
static int32_t topo_domain(struct sim_snapshot *s, struct sim__topo *t, const char *value)
{
    int32_t d = sim__map_get(&t->doms, (uint64_t)(uintptr_t)value);
    if (d >= 0)
        return d;
    if (t->n_dom == t->cap_dom) {
        uint32_t ncap = t->cap_dom ? t->cap_dom * 2 : 16;
        t->dom_val = hs_reallocarray(t->dom_val, ncap, sizeof(*t->dom_val));
        t->dom_live = hs_reallocarray(t->dom_live, ncap, sizeof(*t->dom_live));
        t->cap_dom = ncap;
    }
    d = (int32_t)t->n_dom++;
    t->dom_val[d] = value;
    t->dom_live[d] = 0;
    sim__map_put(&t->doms, (uint64_t)(uintptr_t)value, d);
    for (uint32_t j = 0; j < t->n_counters; j++)
        ctr_ensure_dom(&s->ctrs[t->counters[j]], t->n_dom);
    return d;
}

/* Node i appeared: place it in t. Its counts need no clearing: every
 * counter on t has room for t->cap_nodes nodes, and counts nothing on a node
 * past the last (a node is popped only once its pods are gone, and grown
 * room is zeroed), so opening a node touches a counter only if the node
 * turns a domain live. */
static void topo_node_added(struct sim_snapshot *s, struct sim__topo *t, int32_t i)
{
    if ((size_t)i + 1 > t->cap_nodes) {
        grow_i32(&t->node_dom, &t->cap_nodes, (size_t)i + 1);
        for (uint32_t j = 0; j < t->n_counters; j++) {
            struct sim__counter *c = &s->ctrs[t->counters[j]];
            grow_i32(&c->node_cnt, &c->cap_nodes, t->cap_nodes);
        }
    }
#ifdef HS_UNITTEST_BUILD
    for (uint32_t j = 0; j < t->n_counters; j++)
        HS_BUG_ON(s->ctrs[t->counters[j]].node_cnt[i] != 0);
#endif
    const char *v = model_labels_get(&s->nodes[i].n->labels, t->key);
    int32_t d = v ? topo_domain(s, t, v) : -1;
    t->node_dom[i] = d;
    if (d >= 0 && !s->nodes[i].removed)
        dom_liveness(s, t, d, 1);
}

static int32_t topo_get(struct sim_snapshot *s, const char *key)
{
    for (size_t i = 0; i < s->n_topos; i++)
        if (s->topos[i].key == key)
            return (int32_t)i;
    HS_GROW(s->topos, s->cap_topos, s->n_topos + 1);
    struct sim__topo *t = &s->topos[s->n_topos];
    memset(t, 0, sizeof(*t));
    t->key = key;
    for (size_t i = 0; i < s->n_nodes; i++)
        topo_node_added(s, t, (int32_t)i);
    return (int32_t)s->n_topos++;
}

void sim__ctr_bump(struct sim_snapshot *s, struct sim__counter *c, int32_t node, int delta)
{
    c->node_cnt[node] += delta;
    struct sim__topo *t = &s->topos[c->topo];
    int32_t d = t->node_dom[node];
    if (d < 0)
        return;
    int32_t old = c->dom_cnt[d];
    c->dom_cnt[d] = old + delta;
    c->total += delta;
    if (t->dom_live[d] > 0)
        hist_move(c, old, old + delta);
}

bool sim__term_matches(const struct sim_snapshot *s, const struct sim__term *t, const char *ns,
                       const struct model_labels *labels)
{
    bool ns_ok = false;
    for (uint32_t i = 0; i < t->n_ns && !ns_ok; i++)
        ns_ok = t->ns[i] == ns;
    if (!ns_ok && t->ns_sel) {
        static const struct model_labels none = { 0 };
        const struct model_labels *nl = NULL;
        if (s->env.ns_labels)
            nl = s->env.ns_labels(s->env.ns_ctx, ns);
        ns_ok = model_selector_matches(t->ns_sel, nl ? nl : &none);
    }
    return ns_ok && model_selector_matches(&t->sel, labels);
}

/* Whether a pod of namespace ns with labels, not terminating, counts in
 * MATCH counter c. */
static bool ctr_matches_live(const struct sim_snapshot *s, const struct sim__counter *c,
                             const char *ns, const struct model_labels *labels)
{
    if (c->spread_ns) {
        if (ns != c->spread_ns)
            return false;
        return model_selector_matches(&c->terms[0].sel, labels);
    }
    for (uint32_t i = 0; i < c->n_terms; i++)
        if (!sim__term_matches(s, &c->terms[i], ns, labels))
            return false;
    return c->n_terms > 0;
}

static bool ctr_matches(const struct sim_snapshot *s, const struct sim__counter *c,
                        const struct model_pod *p)
{
    if (c->spread_ns && p->deletion_ts != 0)
        return false; /* spread does not count terminating pods */
    return ctr_matches_live(s, c, p->ns, &p->labels);
}

static void ensure_terms(struct sim_snapshot *s, struct sim__class *c);

/* Pod id on a live node enters (delta 1) or leaves (-1) every counter. */
static void ctrs_pod(struct sim_snapshot *s, int32_t id, int delta)
{
    const struct sim__pod *e = &s->pods[id];
    const struct model_pod *p = e->sp->pod;
    for (uint32_t i = 0; i < p->labels.n; i++) {
        int32_t ci = sim__map_get(&s->anchors, (uint64_t)(uintptr_t)p->labels.v[i].value);
        for (; ci >= 0; ci = s->ctrs[ci].next_anchor) {
            struct sim__counter *c = &s->ctrs[ci];
            if (c->anchor_key == p->labels.v[i].key && ctr_matches(s, c, p))
                sim__ctr_bump(s, c, e->node, delta);
        }
    }
    for (size_t i = 0; i < s->n_unanchored; i++) {
        struct sim__counter *c = &s->ctrs[s->unanchored[i]];
        if (ctr_matches(s, c, p))
            sim__ctr_bump(s, c, e->node, delta);
    }
    struct sim__class *cls = e->sp->cls;
    if (cls->n_anti) {
        ensure_terms(s, cls);
        for (uint32_t i = 0; i < cls->n_anti; i++)
            sim__ctr_bump(s, &s->ctrs[cls->have_ctr[i]], e->node, delta);
    }
}

/* The requirement a MATCH counter is filed under: an In with one value in
 * the first term's selector, so that a pod only meets the counters whose
 * anchor value it carries. */
static const struct model_requirement *anchor_of(const struct sim__counter *c)
{
    if (c->n_terms == 0 || !c->terms[0].sel.present)
        return NULL;
    for (uint32_t i = 0; i < c->terms[0].sel.n; i++) {
        const struct model_requirement *r = &c->terms[0].sel.req[i];
        if (r->op == MODEL_OP_IN && r->n_values == 1)
            return r;
    }
    return NULL;
}

int32_t sim__counter_get(struct sim_snapshot *s, enum sim__ctr_kind kind,
                         const struct sim__term *terms, uint32_t n_terms, const char *key,
                         const char *spread_ns)
{
    uint64_t sig = sim__hash_mix((uint64_t)kind + 1, sim__hash_ptr(key));
    sig = sim__hash_mix(sig, sim__hash_ptr(spread_ns));
    for (uint32_t i = 0; i < n_terms; i++)
        sig = sim__hash_mix(sig, terms[i].hash);
    int32_t found = sim__map_get(&s->ctr_by_sig, sig);
    if (found >= 0)
        return found;
    int32_t topo = topo_get(s, key);
    HS_GROW(s->ctrs, s->cap_ctrs, s->n_ctrs + 1);
    int32_t id = (int32_t)s->n_ctrs++;
    struct sim__counter *c = &s->ctrs[id];
    memset(c, 0, sizeof(*c));
    c->kind = kind;
    c->terms = terms;
    c->n_terms = n_terms;
    c->topo = topo;
    c->spread_ns = spread_ns;
    c->sig = sig;
    c->next_anchor = -1;
    c->min = INT32_MAX;
    sim__map_put(&s->ctr_by_sig, sig, id);
    struct sim__topo *t = &s->topos[topo];
    HS_GROW(t->counters, t->cap_counters, t->n_counters + 1);
    t->counters[t->n_counters++] = id;
    grow_i32(&c->node_cnt, &c->cap_nodes,
             (s->n_nodes > t->cap_nodes ? s->n_nodes : t->cap_nodes) + 1);
    ctr_ensure_dom(c, t->n_dom + 1);
    for (uint32_t d = 0; d < t->n_dom; d++)
        if (t->dom_live[d] > 0)
            hist_move(c, -1, 0);
    if (kind == SIM__CTR_HAVE) {
        /* Made when the first class carrying the term is prepared, before
         * any pod of it is bound: nothing to count yet. */
        HS_GROW(s->haves, s->cap_haves, s->n_haves + 1);
        s->haves[s->n_haves++] = id;
        return id;
    }
    const struct model_requirement *a = anchor_of(c);
    if (a) {
        uint64_t k = (uint64_t)(uintptr_t)a->values[0];
        c->anchor_key = a->key;
        c->next_anchor = sim__map_get(&s->anchors, k);
        sim__map_put(&s->anchors, k, id);
    } else {
        HS_GROW(s->unanchored, s->cap_unanchored, s->n_unanchored + 1);
        s->unanchored[s->n_unanchored++] = id;
    }
    for (size_t i = 0; i < s->n_pods; i++) {
        const struct sim__pod *e = &s->pods[i];
        if (!sim__node_live(s, e->node))
            continue;
        if (ctr_matches(s, c, e->sp->pod))
            sim__ctr_bump(s, c, e->node, 1);
    }
    return id;
}

/* ---- classes ------------------------------------------------------------ */

static void resolve_term(struct sim_snapshot *s, const struct model_pod *p,
                         const struct model_pod_affinity_term *t, struct sim__term *out)
{
    memset(out, 0, sizeof(*out));
    out->sel = t->selector;
    uint32_t extra = t->n_match_label_keys + t->n_mismatch_label_keys;
    if (t->selector.present && extra) {
        struct model_requirement *r =
            HS_ARENA_NEW_ARRAY(&s->arena, struct model_requirement, t->selector.n + extra);
        memcpy(r, t->selector.req, t->selector.n * sizeof(*r));
        uint32_t n = t->selector.n;
        for (uint32_t i = 0; i < extra; i++) {
            bool match = i < t->n_match_label_keys;
            const char *k =
                match ? t->match_label_keys[i] : t->mismatch_label_keys[i - t->n_match_label_keys];
            const char *v = model_labels_get(&p->labels, k);
            if (!v)
                continue;
            const char **vals = HS_ARENA_NEW_ARRAY(&s->arena, const char *, 1);
            vals[0] = v;
            r[n++] = (struct model_requirement){
                .key = k, .op = match ? MODEL_OP_IN : MODEL_OP_NOT_IN, .n_values = 1, .values = vals
            };
        }
        out->sel.req = r;
        out->sel.n = n;
    }
    if (t->n_namespaces == 0 && !t->ns_selector.present) {
        const char **ns = HS_ARENA_NEW_ARRAY(&s->arena, const char *, 1);
        ns[0] = p->ns;
        out->ns = ns;
        out->n_ns = 1;
    } else {
        out->ns = t->namespaces;
        out->n_ns = t->n_namespaces;
    }
    out->ns_sel = t->ns_selector.present ? &t->ns_selector : NULL;
    out->key = t->topology_key;
    struct hpair h = { 0x452821e638d01377ULL, 0xbe5466cf34e90c6cULL };
    hp_selector(&h, &out->sel);
    hp_add(&h, out->n_ns);
    for (uint32_t i = 0; i < out->n_ns; i++)
        hp_ptr(&h, out->ns[i]);
    hp_add(&h, out->ns_sel ? 1 : 0);
    if (out->ns_sel)
        hp_selector(&h, out->ns_sel);
    hp_ptr(&h, out->key);
    out->hash = h.a;
}

static void ensure_terms(struct sim_snapshot *s, struct sim__class *c)
{
    if (c->terms_ready)
        return;
    c->terms_ready = true;
    const struct model_pod *p = c->rep;
    if (p->affinity && p->affinity->n_required) {
        c->n_aff = p->affinity->n_required;
        c->aff = HS_ARENA_NEW_ARRAY(&s->arena, struct sim__term, c->n_aff);
        for (uint32_t i = 0; i < c->n_aff; i++)
            resolve_term(s, p, &p->affinity->required[i], &c->aff[i]);
    }
    if (p->anti_affinity && p->anti_affinity->n_required) {
        c->n_anti = p->anti_affinity->n_required;
        c->anti = HS_ARENA_NEW_ARRAY(&s->arena, struct sim__term, c->n_anti);
        c->have_ctr = HS_ARENA_NEW_ARRAY(&s->arena, int32_t, c->n_anti);
        for (uint32_t i = 0; i < c->n_anti; i++) {
            resolve_term(s, p, &p->anti_affinity->required[i], &c->anti[i]);
            c->have_ctr[i] =
                sim__counter_get(s, SIM__CTR_HAVE, &c->anti[i], 1, c->anti[i].key, NULL);
        }
    }
}

static const char *dup_range(struct sim_snapshot *s, const char *b, size_t n)
{
    return hs_arena_strndup(&s->arena, b, n);
}

static void resolve_volumes(struct sim_snapshot *s, struct sim__class *c)
{
    const struct model_pod *p = c->rep;
    for (uint32_t i = 0; i < p->n_volumes; i++) {
        const struct model_volume *v = &p->volumes[i];
        if ((v->kind != MODEL_VOL_PVC && v->kind != MODEL_VOL_EPHEMERAL) || !v->claim_name)
            continue;
        const struct model_pvc *pvc = NULL;
        for (size_t j = 0; j < s->env.n_pvcs && !pvc; j++)
            if (s->env.pvcs[j]->ns == p->ns && strcmp(s->env.pvcs[j]->name, v->claim_name) == 0)
                pvc = s->env.pvcs[j];
        if (!pvc || !pvc->volume_name)
            continue; /* unbound (WaitForFirstConsumer) or unknown: no constraint */
        const struct model_pv *pv = NULL;
        for (size_t j = 0; j < s->env.n_pvs && !pv; j++)
            if (s->env.pvs[j]->name == pvc->volume_name)
                pv = s->env.pvs[j];
        if (!pv)
            continue;
        const struct model_pv **pvs =
            HS_ARENA_NEW_ARRAY(&s->arena, const struct model_pv *, c->n_pvs + 1);
        if (c->n_pvs)
            memcpy(pvs, c->pvs, c->n_pvs * sizeof(*pvs));
        pvs[c->n_pvs++] = pv;
        c->pvs = pvs;
        const char *keys[] = { s->k_zone_beta, s->k_region_beta, s->k_zone, s->k_region };
        const char *ga[] = { s->k_zone, s->k_region, s->k_zone, s->k_region };
        for (size_t k = 0; k < HS_ARRAY_LEN(keys); k++) {
            const char *val = model_labels_get(&pv->labels, keys[k]);
            if (!val)
                continue;
            struct sim__pv_zone *z =
                HS_ARENA_NEW_ARRAY(&s->arena, struct sim__pv_zone, c->n_zones + 1);
            if (c->n_zones)
                memcpy(z, c->zones, c->n_zones * sizeof(*z));
            struct sim__pv_zone *nz = &z[c->n_zones];
            nz->key = keys[k];
            nz->ga_key = ga[k];
            /* LabelZonesToSet: the value is a "__"-separated list. */
            uint32_t n = 1;
            for (const char *q = strstr(val, "__"); q; q = strstr(q + 2, "__"))
                n++;
            nz->values = HS_ARENA_NEW_ARRAY(&s->arena, const char *, n);
            const char *start = val;
            for (const char *q = strstr(val, "__"); q; q = strstr(q + 2, "__")) {
                nz->values[nz->n_values++] = dup_range(s, start, (size_t)(q - start));
                start = q + 2;
            }
            nz->values[nz->n_values++] = dup_range(s, start, strlen(start));
            c->zones = z;
            c->n_zones++;
        }
    }
}

void sim__resolve_class(struct sim_snapshot *s, struct sim__class *c)
{
    if (c->resolved)
        return;
    ensure_terms(s, c);
    c->resolved = true;
    const struct model_pod *p = c->rep;
    c->has_req_aff = p->node_selector.n > 0 || (p->node_affinity && p->node_affinity->has_required);
    if (c->n_aff) {
        c->aff_ctr = HS_ARENA_NEW_ARRAY(&s->arena, int32_t, c->n_aff);
        for (uint32_t i = 0; i < c->n_aff; i++)
            c->aff_ctr[i] =
                sim__counter_get(s, SIM__CTR_MATCH, c->aff, c->n_aff, c->aff[i].key, NULL);
        c->aff_self = true;
        for (uint32_t i = 0; i < c->n_aff; i++)
            if (!sim__term_matches(s, &c->aff[i], p->ns, &p->labels))
                c->aff_self = false;
    }
    if (c->n_anti) {
        c->anti_ctr = HS_ARENA_NEW_ARRAY(&s->arena, int32_t, c->n_anti);
        for (uint32_t i = 0; i < c->n_anti; i++)
            c->anti_ctr[i] =
                sim__counter_get(s, SIM__CTR_MATCH, &c->anti[i], 1, c->anti[i].key, NULL);
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->n_spreads; i++)
        n += p->spreads[i].do_not_schedule ? 1 : 0;
    if (n) {
        c->spread = HS_ARENA_NEW_ARRAY(&s->arena, struct sim__spread, n);
        bool fast = n == 1;
        for (uint32_t i = 0; i < p->n_spreads; i++) {
            const struct model_spread *k = &p->spreads[i];
            if (!k->do_not_schedule)
                continue;
            struct sim__spread *sp = &c->spread[c->n_spread++];
            sp->c = k;
            /* matchLabelKeys merge into the selector as a PodAffinityTerm's
             * do; the namespace is the pod's own. */
            struct model_pod_affinity_term t = { .selector = k->selector,
                                                 .topology_key = k->topology_key,
                                                 .n_match_label_keys = k->n_match_label_keys,
                                                 .match_label_keys = k->match_label_keys };
            resolve_term(s, p, &t, &sp->term);
            sp->ctr = sim__counter_get(s, SIM__CTR_MATCH, &sp->term, 1, k->topology_key, p->ns);
            sp->self = model_selector_matches(&sp->term.sel, &p->labels);
            bool honor_aff = k->node_affinity_policy != MODEL_POLICY_IGNORE;
            bool honor_taints = k->node_taints_policy == MODEL_POLICY_HONOR;
            if ((honor_aff && c->has_req_aff) || honor_taints)
                fast = false;
        }
        c->spread_fast = fast;
    }
    resolve_volumes(s, c);
}

uint32_t sim_pod_class(const struct sim_pod *p)
{
    return p->cls->id;
}

size_t sim_snapshot_n_classes(const struct sim_snapshot *s)
{
    return s->n_classes;
}

static uint32_t local_id(struct sim_snapshot *s, struct hpair h, const struct model_pod *p)
{
    /* Two local keys with equal first hashes but different second hashes
     * are told apart by probing the next key. */
    uint64_t k = h.a;
    for (;;) {
        int32_t id = sim__map_get(&s->local_by_hash, k);
        if (id < 0)
            break;
        struct hpair other;
        class_hash(s->local_rep[id], &other);
        if (other.b == h.b)
            return (uint32_t)id;
        k = sim__hash_mix(k, 1);
    }
    uint32_t id = s->n_local++;
    HS_GROW(s->local_rep, s->cap_local_rep, s->n_local);
    s->local_rep[id] = p;
    HS_GROW(s->cursor, s->cap_cursor, s->n_local);
    s->cursor[id] = 0;
    sim__map_put(&s->local_by_hash, k, (int32_t)id);
    return id;
}

const struct sim_pod *sim_pod_prepare(struct sim_snapshot *s, const struct model_pod *p)
{
    struct hpair local;
    struct hpair h = class_hash(p, &local);
    struct sim__class *cls = NULL;
    int32_t head = sim__map_get(&s->class_by_hash, h.a);
    for (int32_t i = head; i >= 0 && !cls; i = s->classes[i]->next)
        if (s->classes[i]->hash2 == h.b)
            cls = s->classes[i];
    if (!cls) {
        cls = HS_ARENA_NEW(&s->arena, struct sim__class);
        cls->id = (uint32_t)s->n_classes;
        cls->hash = h.a;
        cls->hash2 = h.b;
        cls->next = head;
        cls->rep = p;
        cls->local = local_id(s, local, p);
        HS_GROW(s->classes, s->cap_classes, s->n_classes + 1);
        s->classes[s->n_classes++] = cls;
        sim__map_put(&s->class_by_hash, h.a, (int32_t)cls->id);
        if (p->anti_affinity && p->anti_affinity->n_required)
            ensure_terms(s, cls);
    }
    struct sim_pod *sp = HS_ARENA_NEW(&s->arena, struct sim_pod);
    sp->pod = p;
    sp->cls = cls;
    return sp;
}

/* ---- nodes -------------------------------------------------------------- */

static struct sim__node *node_slot(struct sim_snapshot *s)
{
    if (s->n_nodes == s->cap_nodes) {
        size_t old = s->cap_nodes;
        HS_GROW(s->nodes, s->cap_nodes, s->n_nodes + 1);
        memset(s->nodes + old, 0, (s->cap_nodes - old) * sizeof(*s->nodes));
        /* template copies point into the array, which just moved */
        for (size_t i = 0; i < s->n_nodes; i++)
            if (s->nodes[i].templ)
                s->nodes[i].n = &s->nodes[i].own;
    }
    return &s->nodes[s->n_nodes];
}

static int32_t do_add_node(struct sim_snapshot *s, struct sim__node *nd)
{
    int32_t i = (int32_t)s->n_nodes++;
    nd->req_cpu = nd->req_mem = nd->req_eph = 0;
    nd->n_pods = nd->n_port_pods = 0;
    nd->removed = false;
    uint32_t ns = nd->n->allocatable.n_scalar;
    nd->n_scalar = ns;
    if (ns > nd->cap_scalar) {
        nd->req_scalar = hs_reallocarray(nd->req_scalar, ns, sizeof(int64_t));
        nd->cap_scalar = ns;
    }
    if (ns)
        memset(nd->req_scalar, 0, ns * sizeof(int64_t));
    sim__map_put(&s->node_by_name, (uint64_t)(uintptr_t)nd->n->name, i);
    for (size_t t = 0; t < s->n_topos; t++)
        topo_node_added(s, &s->topos[t], i);
    journal(s, SIM__J_ADD_NODE, i, 0, 0);
    return i;
}

int32_t sim_snapshot_find_node(const struct sim_snapshot *s, const char *name)
{
    int32_t i = sim__map_get(&s->node_by_name, (uint64_t)(uintptr_t)name);
    if (i < 0 || (size_t)i >= s->n_nodes || s->nodes[i].n->name != name)
        return -1;
    return i;
}

int32_t sim_snapshot_add_node(struct sim_snapshot *s, const struct model_node *n)
{
    if (sim_snapshot_find_node(s, n->name) >= 0)
        return -1;
    struct sim__node *nd = node_slot(s);
    nd->n = n;
    nd->templ = false;
    return do_add_node(s, nd);
}

int32_t sim_snapshot_add_template_node(struct sim_snapshot *s, const struct model_node *tmpl,
                                       const char *name, bool add_hostname)
{
    if (sim_snapshot_find_node(s, name) >= 0)
        return -1;
    struct sim__node *nd = node_slot(s);
    nd->own = *tmpl;
    nd->own.name = name;
    bool has = model_labels_get(&tmpl->labels, s->k_hostname) != NULL;
    uint32_t need = tmpl->labels.n + (has || !add_hostname ? 0 : 1);
    if (need > nd->cap_own_labels) {
        nd->own_labels = hs_reallocarray(nd->own_labels, need, sizeof(*nd->own_labels));
        nd->cap_own_labels = need;
    }
    uint32_t n = 0;
    bool placed = has || !add_hostname;
    for (uint32_t i = 0; i < tmpl->labels.n; i++) {
        const struct model_label *l = &tmpl->labels.v[i];
        if (!placed && strcmp(s->k_hostname, l->key) < 0) {
            nd->own_labels[n++] = (struct model_label){ s->k_hostname, name };
            placed = true;
        }
        nd->own_labels[n++] = l->key == s->k_hostname ? (struct model_label){ l->key, name } : *l;
    }
    if (!placed)
        nd->own_labels[n++] = (struct model_label){ s->k_hostname, name };
    nd->own.labels.v = nd->own_labels;
    nd->own.labels.n = n;
    nd->n = &nd->own;
    nd->templ = true;
    return do_add_node(s, nd);
}

size_t sim_snapshot_n_nodes(const struct sim_snapshot *s)
{
    return s->n_nodes;
}

const struct model_node *sim_snapshot_node(const struct sim_snapshot *s, int32_t node)
{
    return s->nodes[node].n;
}

bool sim_snapshot_node_removed(const struct sim_snapshot *s, int32_t node)
{
    return s->nodes[node].removed;
}

static void set_removed(struct sim_snapshot *s, int32_t i, bool removed, bool undo)
{
    struct sim__node *nd = &s->nodes[i];
    if (nd->removed == removed)
        return;
    if (removed)
        for (uint32_t j = 0; j < nd->n_pods; j++)
            ctrs_pod(s, nd->pods[j], -1);
    nd->removed = removed;
    for (size_t t = 0; t < s->n_topos; t++) {
        int32_t d = s->topos[t].node_dom[i];
        if (d >= 0)
            dom_liveness(s, &s->topos[t], d, removed ? -1 : 1);
    }
    if (!removed) {
        for (uint32_t j = 0; j < nd->n_pods; j++)
            ctrs_pod(s, nd->pods[j], 1);
        /* The node is a candidate again: no class may skip it (an undo
         * restores the cursors from the journal instead). */
        for (uint32_t l = 0; l < s->n_local && !undo; l++)
            if (s->cursor[l] > (uint32_t)i)
                sim__cursor_set(s, l, (uint32_t)i);
    }
}

void sim_snapshot_mark_removed(struct sim_snapshot *s, int32_t node)
{
    if (s->nodes[node].removed)
        return;
    set_removed(s, node, true, false);
    journal(s, SIM__J_MARK, node, 0, 0);
}

static void pop_node(struct sim_snapshot *s)
{
    int32_t i = (int32_t)s->n_nodes - 1;
    struct sim__node *nd = &s->nodes[i];
    HS_BUG_ON(nd->n_pods != 0);
    if (!nd->removed)
        for (size_t t = 0; t < s->n_topos; t++) {
            int32_t d = s->topos[t].node_dom[i];
            if (d >= 0)
                dom_liveness(s, &s->topos[t], d, -1);
        }
    s->n_nodes--;
    s->version++;
}

/* ---- pods --------------------------------------------------------------- */

/* Adds (k > 0) or takes away (k < 0) |k| pods like p to nd's sums. */
static void node_account(struct sim__node *nd, const struct model_pod *p, int64_t k)
{
    nd->req_cpu += k * p->requests.cpu_milli;
    nd->req_mem += k * p->requests.memory;
    nd->req_eph += k * p->requests.ephemeral_storage;
    const struct model_resources *a = &nd->n->allocatable;
    for (uint32_t i = 0; i < p->requests.n_scalar; i++)
        for (uint32_t j = 0; j < a->n_scalar && j < nd->n_scalar; j++)
            if (a->scalar[j].name == p->requests.scalar[i].name)
                nd->req_scalar[j] += k * p->requests.scalar[i].value;
    if (p->n_host_ports)
        nd->n_port_pods = (uint32_t)((int64_t)nd->n_port_pods + k);
}

static void link_pod(struct sim_snapshot *s, int32_t id, int32_t node, int32_t pos)
{
    struct sim__node *nd = &s->nodes[node];
    struct sim__pod *e = &s->pods[id];
    if (nd->n_pods == nd->cap_pods) {
        nd->cap_pods = nd->cap_pods ? nd->cap_pods * 2 : 8;
        nd->pods = hs_reallocarray(nd->pods, nd->cap_pods, sizeof(*nd->pods));
    }
    /* Append, then swap into pos (undo of a removal puts a pod back where it
     * was, so the node's pod order survives a revert). */
    uint32_t end = nd->n_pods++;
    if (pos < 0 || (uint32_t)pos >= end) {
        nd->pods[end] = id;
        e->pos = (int32_t)end;
    } else {
        int32_t other = nd->pods[pos];
        nd->pods[end] = other;
        s->pods[other].pos = (int32_t)end;
        nd->pods[pos] = id;
        e->pos = pos;
    }
    e->node = node;
    node_account(nd, e->sp->pod, 1);
    if (!nd->removed)
        ctrs_pod(s, id, 1);
}

/* Unlinks pod id from its node; returns the position it held. */
static int32_t unlink_pod(struct sim_snapshot *s, int32_t id)
{
    struct sim__pod *e = &s->pods[id];
    struct sim__node *nd = &s->nodes[e->node];
    if (!nd->removed)
        ctrs_pod(s, id, -1);
    node_account(nd, e->sp->pod, -1);
    int32_t pos = e->pos;
    uint32_t last = nd->n_pods - 1;
    if ((uint32_t)pos != last) {
        int32_t moved = nd->pods[last];
        nd->pods[pos] = moved;
        s->pods[moved].pos = pos;
    }
    nd->n_pods--;
    e->node = -1;
    e->pos = -1;
    return pos;
}

int32_t sim_snapshot_add_pod(struct sim_snapshot *s, const struct sim_pod *p, int32_t node)
{
    HS_GROW(s->pods, s->cap_pods, s->n_pods + 1);
    int32_t id = (int32_t)s->n_pods++;
    s->pods[id] = (struct sim__pod){ .sp = p, .node = -1, .pos = -1 };
    link_pod(s, id, node, -1);
    journal(s, SIM__J_ADD_POD, id, 0, 0);
    return id;
}

const int32_t *sim__class_feeds(struct sim_snapshot *s, struct sim__class *c, uint32_t *n)
{
    if (!c->feeds_init) {
        ensure_terms(s, c);
        c->feeds_init = true;
        for (uint32_t i = 0; i < c->n_anti; i++) {
            HS_GROW(c->feeds, c->cap_feeds, c->n_feeds + 1);
            c->feeds[c->n_feeds++] = c->have_ctr[i];
        }
    }
    for (; c->feeds_seen < s->n_ctrs; c->feeds_seen++) {
        const struct sim__counter *k = &s->ctrs[c->feeds_seen];
        if (k->kind != SIM__CTR_MATCH || !ctr_matches_live(s, k, c->rep->ns, &c->rep->labels))
            continue;
        HS_GROW(c->feeds, c->cap_feeds, c->n_feeds + 1);
        c->feeds[c->n_feeds++] = (int32_t)c->feeds_seen;
    }
    *n = c->n_feeds;
    return c->feeds;
}

/* Counts k pods of class c on node in (k > 0) or out (k < 0) of every
 * counter they feed. */
static void ctrs_run(struct sim_snapshot *s, struct sim__class *c, int32_t node, int k)
{
    uint32_t n;
    const int32_t *f = sim__class_feeds(s, c, &n);
    for (uint32_t i = 0; i < n; i++)
        sim__ctr_bump(s, &s->ctrs[f[i]], node, k);
}

int32_t sim__add_run(struct sim_snapshot *s, const struct sim_pod *const *sps, uint32_t k,
                     int32_t node)
{
    struct sim__node *nd = &s->nodes[node];
    struct sim__class *c = sps[0]->cls;
    HS_GROW(s->pods, s->cap_pods, s->n_pods + k);
    if (nd->n_pods + k > nd->cap_pods) {
        while (nd->n_pods + k > nd->cap_pods)
            nd->cap_pods = nd->cap_pods ? nd->cap_pods * 2 : 8;
        nd->pods = hs_reallocarray(nd->pods, nd->cap_pods, sizeof(*nd->pods));
    }
    int32_t first = (int32_t)s->n_pods;
    for (uint32_t t = 0; t < k; t++) {
        int32_t id = first + (int32_t)t;
        HS_BUG_ON(sps[t]->cls != c);
        s->pods[id] = (struct sim__pod){ .sp = sps[t], .node = node, .pos = (int32_t)nd->n_pods };
        nd->pods[nd->n_pods++] = id;
    }
    s->n_pods += k;
    node_account(nd, c->rep, (int64_t)k);
    if (!nd->removed)
        ctrs_run(s, c, node, (int)k);
    journal(s, SIM__J_ADD_RUN, first, (int32_t)k, 0);
    return first;
}

/* Undoes sim__add_run: its pods are the last k of the snapshot and, the
 * journal being replayed backwards, the last k of their node. */
static void undo_run(struct sim_snapshot *s, int32_t first, int32_t k)
{
    HS_BUG_ON((size_t)first + (size_t)k != s->n_pods);
    int32_t node = s->pods[first].node;
    struct sim__node *nd = &s->nodes[node];
    struct sim__class *c = s->pods[first].sp->cls;
    HS_BUG_ON(nd->n_pods < (uint32_t)k || nd->pods[nd->n_pods - 1] != first + k - 1);
    if (!nd->removed)
        ctrs_run(s, c, node, -k);
    node_account(nd, c->rep, -(int64_t)k);
    nd->n_pods -= (uint32_t)k;
    s->n_pods -= (size_t)k;
}

void sim_snapshot_remove_pod(struct sim_snapshot *s, int32_t id)
{
    int32_t node = s->pods[id].node;
    if (node < 0)
        return;
    int32_t pos = unlink_pod(s, id);
    journal(s, SIM__J_REMOVE_POD, id, node, pos);
    if (!s->nodes[node].removed)
        for (uint32_t l = 0; l < s->n_local; l++)
            if (s->cursor[l] > (uint32_t)node)
                sim__cursor_set(s, l, (uint32_t)node);
}

size_t sim_snapshot_node_pods(const struct sim_snapshot *s, int32_t node, const int32_t **ids)
{
    *ids = s->nodes[node].pods;
    return s->nodes[node].n_pods;
}

const struct sim_pod *sim_snapshot_pod(const struct sim_snapshot *s, int32_t id)
{
    return s->pods[id].sp;
}

int32_t sim_snapshot_pod_node(const struct sim_snapshot *s, int32_t id)
{
    return s->pods[id].node;
}

void sim_snapshot_node_usage(const struct sim_snapshot *s, int32_t node, struct sim_node_usage *u)
{
    const struct sim__node *nd = &s->nodes[node];
    u->cpu_milli = nd->req_cpu;
    u->memory = nd->req_mem;
    u->ephemeral_storage = nd->req_eph;
    u->pods = nd->n_pods;
}

int64_t sim_snapshot_node_scalar(const struct sim_snapshot *s, int32_t node, const char *name)
{
    const struct sim__node *nd = &s->nodes[node];
    for (uint32_t j = 0; j < nd->n->allocatable.n_scalar && j < nd->n_scalar; j++)
        if (nd->n->allocatable.scalar[j].name == name)
            return nd->req_scalar[j];
    return 0;
}

void sim__cursor_set(struct sim_snapshot *s, uint32_t local, uint32_t v)
{
    if (s->cursor[local] == v)
        return;
    if (s->n_marks)
        journal(s, SIM__J_CURSOR, (int32_t)local, (int32_t)s->cursor[local], 0);
    s->cursor[local] = v;
}

/* ---- fork / commit / revert ---------------------------------------------- */

void sim_snapshot_fork(struct sim_snapshot *s)
{
    HS_GROW(s->marks, s->cap_marks, s->n_marks + 1);
    s->marks[s->n_marks++] = (struct sim__mark){ .journal = s->n_journal, .state = s->state };
}

void sim_snapshot_commit(struct sim_snapshot *s)
{
    HS_BUG_ON(s->n_marks == 0);
    s->n_marks--;
    if (s->n_marks == 0)
        s->n_journal = 0;
}

void sim_snapshot_revert(struct sim_snapshot *s)
{
    HS_BUG_ON(s->n_marks == 0);
    struct sim__mark m = s->marks[--s->n_marks];
    size_t mark = m.journal;
    while (s->n_journal > mark) {
        struct sim__jentry *j = &s->journal[--s->n_journal];
        switch ((enum sim__jop)j->op) {
        case SIM__J_ADD_POD:
            HS_BUG_ON((size_t)j->a != s->n_pods - 1);
            if (s->pods[j->a].node >= 0)
                unlink_pod(s, j->a);
            s->n_pods--;
            break;
        case SIM__J_REMOVE_POD:
            link_pod(s, j->a, j->b, j->c);
            break;
        case SIM__J_ADD_NODE:
            HS_BUG_ON((size_t)j->a != s->n_nodes - 1);
            pop_node(s);
            break;
        case SIM__J_MARK:
            set_removed(s, j->a, false, true);
            break;
        case SIM__J_CURSOR:
            s->cursor[j->a] = (uint32_t)j->b;
            break;
        case SIM__J_ADD_RUN:
            undo_run(s, j->a, j->b);
            break;
        }
        s->version++;
    }
    s->state = m.state;
}

unsigned sim_snapshot_depth(const struct sim_snapshot *s)
{
    return (unsigned)s->n_marks;
}

/* ---- building from a model cluster ---------------------------------------- */

enum hs_code sim_snapshot_build(struct sim_snapshot *s, const struct model_cluster *c,
                                struct hs_err *err)
{
    for (size_t i = 0; i < c->n_nodes; i++)
        if (sim_snapshot_add_node(s, c->nodes[i]) < 0)
            return hs_err_set(err, HS_EINVAL, "node '%s' appears twice", c->nodes[i]->name);
    for (size_t i = 0; i < c->n_pods; i++) {
        const struct model_pod *p = c->pods[i];
        if (!p->node_name || p->phase == MODEL_PHASE_SUCCEEDED || p->phase == MODEL_PHASE_FAILED)
            continue;
        int32_t node = sim_snapshot_find_node(s, p->node_name);
        if (node < 0)
            continue;
        sim_snapshot_add_pod(s, sim_pod_prepare(s, p), node);
    }
    return HS_OK;
}
