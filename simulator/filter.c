/*
 * kube-scheduler's filter plugins, re-implemented over the snapshot with the
 * scheduler's semantics and reason strings (read from kube-scheduler's
 * plugins; the code here is hoist's own). sim_filter() runs them in the
 * default profile's order and stops at the first rejection, as the
 * framework does; sim_find_fit() runs the cheap node-local ones first and
 * remembers, per node-local equivalence class, the prefix of nodes that
 * rejected the class for a reason that cannot go away while pods are only
 * added. Never changes a pod's binding, never does I/O.
 */
#include <string.h>

#include "base/alloc.h"
#include "base/common.h"
#include "base/log.h"
#include "sim_int.h"

/* ---- reason strings ------------------------------------------------------ */

const char *sim_reason_string(enum sim_reason r)
{
    switch (r) {
    case SIM_OK:
        return "";
    case SIM_R_NODE_UNSCHEDULABLE:
        return "node(s) were unschedulable";
    case SIM_R_NODE_NAME:
        return "node(s) didn't match the requested node name";
    case SIM_R_TAINT:
        return "node(s) had untolerated taint";
    case SIM_R_NODE_AFFINITY:
        return "node(s) didn't match Pod's node affinity/selector";
    case SIM_R_PORTS:
        return "node(s) didn't have free ports for the requested pod ports";
    case SIM_R_RESOURCES:
        return "Insufficient resources";
    case SIM_R_VOLUME_NODE_AFFINITY:
        return "node(s) had volume node affinity conflict";
    case SIM_R_VOLUME_ZONE:
        return "node(s) had no available volume zone";
    case SIM_R_SPREAD:
        return "node(s) didn't match pod topology spread constraints";
    case SIM_R_SPREAD_MISSING_LABEL:
        return "node(s) didn't match pod topology spread constraints (missing required label)";
    case SIM_R_AFFINITY:
        return "node(s) didn't match pod affinity rules";
    case SIM_R_ANTI_AFFINITY:
        return "node(s) didn't match pod anti-affinity rules";
    case SIM_R_EXISTING_ANTI:
        return "node(s) didn't satisfy existing pods anti-affinity rules";
    case SIM_R_NODE_REMOVED:
        return "node(s) were removed in the simulation";
    }
    return "unknown reason";
}

void sim_verdict_format(const struct sim_verdict *v, struct hs_buf *out)
{
    if (v->reason == SIM_R_TAINT && v->taint) {
        hs_buf_addf(out, "node(s) had untolerated taint {%s: %s}", v->taint->key,
                    v->taint->value ? v->taint->value : "");
        return;
    }
    if (v->reason != SIM_R_RESOURCES) {
        hs_buf_adds(out, sim_reason_string(v->reason));
        return;
    }
    const char *sep = "";
    static const struct {
        uint32_t bit;
        const char *text;
    } fixed[] = { { SIM_RES_PODS, "Too many pods" },
                  { SIM_RES_CPU, "Insufficient cpu" },
                  { SIM_RES_MEMORY, "Insufficient memory" },
                  { SIM_RES_EPHEMERAL, "Insufficient ephemeral-storage" } };
    for (size_t i = 0; i < HS_ARRAY_LEN(fixed); i++) {
        if (v->resources & fixed[i].bit) {
            hs_buf_addf(out, "%s%s", sep, fixed[i].text);
            sep = ", ";
        }
    }
    for (uint32_t i = 0; v->req && i < v->req->n_scalar && i < 64; i++) {
        if (v->scalars & (1ull << i)) {
            hs_buf_addf(out, "%sInsufficient %s", sep, v->req->scalar[i].name);
            sep = ", ";
        }
    }
}

/* ---- taints and tolerations ---------------------------------------------- */

static bool empty_str(const char *s)
{
    return !s || !*s;
}

static bool same_value(const char *a, const char *b)
{
    if (empty_str(a) || empty_str(b))
        return empty_str(a) && empty_str(b);
    return a == b || strcmp(a, b) == 0;
}

/* v1helper ToleratesTaint: effect (empty matches all), key (empty matches
 * all), then Exists, or Equal on the value. */
static bool tolerates(const struct model_toleration *t, const struct model_taint *taint)
{
    if (t->effect != MODEL_EFFECT_ALL && t->effect != taint->effect)
        return false;
    if (!empty_str(t->key) && !same_value(t->key, taint->key))
        return false;
    if (t->exists)
        return true;
    return same_value(t->value, taint->value);
}

static bool tolerated(const struct model_pod *p, const struct model_taint *taint)
{
    for (uint32_t i = 0; i < p->n_tolerations; i++)
        if (tolerates(&p->tolerations[i], taint))
            return true;
    return false;
}

bool sim__tolerates_all(const struct model_pod *p, const struct model_taint *taints, uint32_t n,
                        const struct model_taint **untolerated)
{
    for (uint32_t i = 0; i < n; i++) {
        const struct model_taint *t = &taints[i];
        if (t->effect != MODEL_EFFECT_NO_SCHEDULE && t->effect != MODEL_EFFECT_NO_EXECUTE)
            continue;
        if (!tolerated(p, t)) {
            if (untolerated)
                *untolerated = t;
            return false;
        }
    }
    return true;
}

/* ---- node affinity ------------------------------------------------------- */

/* matchFields: only metadata.name, with In or NotIn and exactly one value,
 * is valid; anything else makes the term invalid (it matches nothing). */
static bool field_matches(const struct sim_snapshot *s, const struct model_requirement *r,
                          const struct model_node *n)
{
    if (r->key != s->k_metadata_name || r->n_values != 1)
        return false;
    bool eq = r->values[0] == n->name || strcmp(r->values[0], n->name) == 0;
    if (r->op == MODEL_OP_IN)
        return eq;
    if (r->op == MODEL_OP_NOT_IN)
        return !eq;
    return false;
}

static bool term_matches_node(const struct sim_snapshot *s,
                              const struct model_node_selector_term *t, const struct model_node *n)
{
    if (t->n_expr == 0 && t->n_fields == 0)
        return false; /* an empty term matches no node */
    for (uint32_t i = 0; i < t->n_expr; i++)
        if (!model_requirement_matches(&t->expr[i], &n->labels))
            return false;
    for (uint32_t i = 0; i < t->n_fields; i++)
        if (!field_matches(s, &t->fields[i], n))
            return false;
    return true;
}

static bool node_selector_matches(const struct sim_snapshot *s,
                                  const struct model_node_affinity *na, const struct model_node *n)
{
    for (uint32_t i = 0; i < na->n_required; i++)
        if (term_matches_node(s, &na->required[i], n))
            return true;
    return false; /* ORed terms; no term matches nothing */
}

bool sim__node_affinity_matches(const struct sim_snapshot *s, const struct model_pod *p,
                                const struct model_node *n)
{
    for (uint32_t i = 0; i < p->node_selector.n; i++)
        if (model_labels_get(&n->labels, p->node_selector.v[i].key) != p->node_selector.v[i].value)
            return false;
    if (p->node_affinity && p->node_affinity->has_required)
        return node_selector_matches(s, p->node_affinity, n);
    return true;
}

/* ---- ports --------------------------------------------------------------- */

static bool wildcard_ip(const char *ip)
{
    return empty_str(ip) || strcmp(ip, "0.0.0.0") == 0;
}

static bool ports_conflict(const struct model_host_port *a, const struct model_host_port *b)
{
    if (a->port != b->port || a->protocol != b->protocol)
        return false;
    if (wildcard_ip(a->host_ip) || wildcard_ip(b->host_ip))
        return true;
    return same_value(a->host_ip, b->host_ip);
}

static bool ports_fit(const struct sim_snapshot *s, const struct model_pod *p, int32_t node)
{
    const struct sim__node *nd = &s->nodes[node];
    if (p->n_host_ports == 0 || nd->n_port_pods == 0)
        return true;
    for (uint32_t i = 0; i < nd->n_pods; i++) {
        const struct model_pod *q = s->pods[nd->pods[i]].sp->pod;
        for (uint32_t a = 0; a < q->n_host_ports; a++)
            for (uint32_t b = 0; b < p->n_host_ports; b++)
                if (q->host_ports[a].port > 0 && p->host_ports[b].port > 0 &&
                    ports_conflict(&q->host_ports[a], &p->host_ports[b]))
                    return false;
    }
    return true;
}

/* ---- resources ------------------------------------------------------------ */

static bool resources_fit(const struct sim_snapshot *s, const struct model_pod *p, int32_t node,
                          uint32_t *mask, uint64_t *scalars)
{
    const struct sim__node *nd = &s->nodes[node];
    const struct model_resources *a = &nd->n->allocatable;
    const struct model_resources *r = &p->requests;
    uint32_t m = 0;
    uint64_t sm = 0;
    if ((int64_t)nd->n_pods + 1 > a->pods)
        m |= SIM_RES_PODS;
    if (r->cpu_milli == 0 && r->memory == 0 && r->ephemeral_storage == 0 && r->n_scalar == 0)
        goto out;
    if (r->cpu_milli > 0 && r->cpu_milli > a->cpu_milli - nd->req_cpu)
        m |= SIM_RES_CPU;
    if (r->memory > 0 && r->memory > a->memory - nd->req_mem)
        m |= SIM_RES_MEMORY;
    if (r->ephemeral_storage > 0 && r->ephemeral_storage > a->ephemeral_storage - nd->req_eph)
        m |= SIM_RES_EPHEMERAL;
    for (uint32_t i = 0; i < r->n_scalar; i++) {
        int64_t want = r->scalar[i].value;
        if (want == 0)
            continue;
        int64_t alloc = 0, used = 0;
        for (uint32_t j = 0; j < a->n_scalar && j < nd->n_scalar; j++) {
            if (a->scalar[j].name == r->scalar[i].name) {
                alloc = a->scalar[j].value;
                used = nd->req_scalar[j];
                break;
            }
        }
        if (want > alloc - used)
            sm |= i < 64 ? 1ull << i : 1ull << 63;
    }
out:
    if (mask)
        *mask = m;
    if (scalars)
        *scalars = sm;
    return m == 0 && sm == 0;
}

/* ---- volumes -------------------------------------------------------------- */

static enum sim_reason volumes_fit(const struct sim_snapshot *s, const struct sim__class *c,
                                   const struct model_node *n)
{
    for (uint32_t i = 0; i < c->n_pvs; i++) {
        const struct model_node_affinity *na = &c->pvs[i]->node_affinity;
        if (na->has_required && !node_selector_matches(s, na, n))
            return SIM_R_VOLUME_NODE_AFFINITY;
    }
    if (c->n_zones == 0)
        return SIM_OK;
    /* A node with no zone or region label at all takes any volume (single-
     * zone clusters); otherwise each PV zone label must hold the node's. */
    if (!model_labels_get(&n->labels, s->k_zone_beta) &&
        !model_labels_get(&n->labels, s->k_region_beta) &&
        !model_labels_get(&n->labels, s->k_zone) && !model_labels_get(&n->labels, s->k_region))
        return SIM_OK;
    for (uint32_t i = 0; i < c->n_zones; i++) {
        const struct sim__pv_zone *z = &c->zones[i];
        const char *v = model_labels_get(&n->labels, z->key);
        if (!v)
            v = model_labels_get(&n->labels, z->ga_key);
        bool ok = false;
        for (uint32_t j = 0; v && j < z->n_values && !ok; j++)
            ok = strcmp(z->values[j], v) == 0;
        if (!ok)
            return SIM_R_VOLUME_ZONE;
    }
    return SIM_OK;
}

/* ---- topology spread ------------------------------------------------------ */

static bool has_all_spread_keys(const struct sim__class *c, const struct model_node *n)
{
    for (uint32_t i = 0; i < c->n_spread; i++)
        if (!model_labels_get(&n->labels, c->spread[i].c->topology_key))
            return false;
    return true;
}

/* Per-domain counts over the nodes the constraint counts (node inclusion
 * policies, every key present), cached until the snapshot changes. */
static void spread_slow(struct sim_snapshot *s, const struct sim__class *c, struct sim__spread *sp)
{
    if (sp->stamp == s->version)
        return;
    struct sim__counter *ctr = &s->ctrs[sp->ctr];
    const struct sim__topo *t = &s->topos[ctr->topo];
    if (t->n_dom > sp->cap) {
        sp->dom_cnt = hs_reallocarray(sp->dom_cnt, t->n_dom, sizeof(*sp->dom_cnt));
        sp->dom_present = hs_reallocarray(sp->dom_present, t->n_dom, 1);
        sp->cap = t->n_dom;
    }
    if (t->n_dom) {
        memset(sp->dom_cnt, 0, t->n_dom * sizeof(*sp->dom_cnt));
        memset(sp->dom_present, 0, t->n_dom);
    }
    sp->n_present = 0;
    const struct model_pod *p = c->rep;
    bool honor_aff = sp->c->node_affinity_policy != MODEL_POLICY_IGNORE;
    bool honor_taints = sp->c->node_taints_policy == MODEL_POLICY_HONOR;
    for (size_t i = 0; i < s->n_nodes; i++) {
        const struct sim__node *nd = &s->nodes[i];
        if (nd->removed || !has_all_spread_keys(c, nd->n))
            continue;
        if (honor_aff && c->has_req_aff && !sim__node_affinity_matches(s, p, nd->n))
            continue;
        if (honor_taints && nd->n->n_taints &&
            !sim__tolerates_all(p, nd->n->taints, nd->n->n_taints, NULL))
            continue;
        int32_t d = t->node_dom[i];
        if (d < 0)
            continue;
        if (!sp->dom_present[d]) {
            sp->dom_present[d] = 1;
            sp->n_present++;
        }
        sp->dom_cnt[d] += ctr->node_cnt[i];
    }
    sp->min = INT32_MAX;
    for (uint32_t d = 0; d < t->n_dom; d++)
        if (sp->dom_present[d] && sp->dom_cnt[d] < sp->min)
            sp->min = sp->dom_cnt[d];
    sp->stamp = s->version;
}

static enum sim_reason spread_fit(struct sim_snapshot *s, struct sim__class *c, int32_t node)
{
    for (uint32_t i = 0; i < c->n_spread; i++) {
        struct sim__spread *sp = &c->spread[i];
        struct sim__counter *ctr = &s->ctrs[sp->ctr];
        const struct sim__topo *t = &s->topos[ctr->topo];
        /* the counter's topology is the constraint's key: a node without
         * the label has no domain there */
        int32_t d = t->node_dom[node];
        if (d < 0)
            return SIM_R_SPREAD_MISSING_LABEL;
        int64_t match, min;
        uint32_t ndom;
        if (c->spread_fast) {
            match = ctr->dom_cnt[d];
            min = sim__counter_min(s, ctr);
            ndom = t->n_live_dom;
        } else {
            spread_slow(s, c, sp);
            match = sp->dom_cnt[d];
            min = sp->min;
            ndom = sp->n_present;
        }
        int32_t min_domains = sp->c->min_domains > 0 ? sp->c->min_domains : 1;
        if (ndom < (uint32_t)min_domains)
            min = 0;
        if (match + (sp->self ? 1 : 0) - min > sp->c->max_skew)
            return SIM_R_SPREAD;
    }
    return SIM_OK;
}

/* ---- inter-pod affinity ---------------------------------------------------- */

static bool have_matches(struct sim_snapshot *s, struct sim__class *c, size_t h)
{
    if (h >= c->n_have_match) {
        size_t n = s->n_haves;
        c->have_match = hs_realloc(c->have_match, n);
        memset(c->have_match + c->n_have_match, 0, n - c->n_have_match);
        c->n_have_match = (uint32_t)n;
    }
    if (c->have_match[h] == 0) {
        const struct sim__counter *hc = &s->ctrs[s->haves[h]];
        bool m = sim__term_matches(s, &hc->terms[0], c->rep->ns, &c->rep->labels);
        c->have_match[h] = m ? 2 : 1;
    }
    return c->have_match[h] == 2;
}

static enum sim_reason interpod_fit(struct sim_snapshot *s, struct sim__class *c, int32_t node)
{
    if (c->n_aff) {
        bool exist = true;
        for (uint32_t i = 0; i < c->n_aff; i++) {
            const struct sim__counter *ctr = &s->ctrs[c->aff_ctr[i]];
            int32_t d = s->topos[ctr->topo].node_dom[node];
            if (d < 0)
                return SIM_R_AFFINITY; /* every topology key must be on the node */
            if (ctr->dom_cnt[d] <= 0)
                exist = false;
        }
        if (!exist) {
            /* The first pod of a group with affinity to itself may go
             * anywhere its terms' keys are, when no pod matches yet. */
            int64_t total = 0;
            for (uint32_t i = 0; i < c->n_aff; i++)
                total += s->ctrs[c->aff_ctr[i]].total;
            if (!(total == 0 && c->aff_self))
                return SIM_R_AFFINITY;
        }
    }
    for (uint32_t i = 0; i < c->n_anti; i++) {
        const struct sim__counter *ctr = &s->ctrs[c->anti_ctr[i]];
        int32_t d = s->topos[ctr->topo].node_dom[node];
        if (d >= 0 && ctr->dom_cnt[d] > 0)
            return SIM_R_ANTI_AFFINITY;
    }
    for (size_t h = 0; h < s->n_haves; h++) {
        const struct sim__counter *hc = &s->ctrs[s->haves[h]];
        if (hc->total <= 0)
            continue;
        int32_t d = s->topos[hc->topo].node_dom[node];
        if (d < 0 || hc->dom_cnt[d] <= 0)
            continue;
        if (have_matches(s, c, h))
            return SIM_R_EXISTING_ANTI;
    }
    return SIM_OK;
}

/* ---- the filter chain ----------------------------------------------------- */

bool sim__reason_is_local(enum sim_reason r)
{
    switch (r) {
    case SIM_R_NODE_UNSCHEDULABLE:
    case SIM_R_TAINT:
    case SIM_R_NODE_AFFINITY:
    case SIM_R_PORTS:
    case SIM_R_RESOURCES:
    case SIM_R_VOLUME_NODE_AFFINITY:
    case SIM_R_VOLUME_ZONE:
    case SIM_R_NODE_REMOVED:
        return true;
    default:
        return false;
    }
}

static bool unschedulable_fit(const struct sim_snapshot *s, const struct model_pod *p,
                              const struct model_node *n)
{
    if (!n->unschedulable)
        return true;
    struct model_taint t = { .key = s->k_unschedulable, .effect = MODEL_EFFECT_NO_SCHEDULE };
    return tolerated(p, &t);
}

enum sim_reason sim_filter(struct sim_snapshot *s, const struct sim_pod *sp, int32_t node,
                           bool ignore_node_name, struct sim_verdict *v)
{
    struct sim_verdict tmp;
    if (!v)
        v = &tmp;
    memset(v, 0, sizeof(*v));
    struct sim__class *c = sp->cls;
    sim__resolve_class(s, c);
    const struct model_pod *p = sp->pod;
    const struct model_node *n = s->nodes[node].n;
    enum sim_reason r = SIM_OK;
    if (s->nodes[node].removed)
        r = SIM_R_NODE_REMOVED;
    else if (!unschedulable_fit(s, p, n))
        r = SIM_R_NODE_UNSCHEDULABLE;
    else if (!ignore_node_name && p->node_name && p->node_name != n->name)
        r = SIM_R_NODE_NAME;
    else if (!sim__tolerates_all(p, n->taints, n->n_taints, &v->taint))
        r = SIM_R_TAINT;
    else if (!sim__node_affinity_matches(s, p, n))
        r = SIM_R_NODE_AFFINITY;
    else if (!ports_fit(s, p, node))
        r = SIM_R_PORTS;
    else if (!resources_fit(s, p, node, &v->resources, &v->scalars)) {
        r = SIM_R_RESOURCES;
        v->req = &p->requests;
    } else if ((r = volumes_fit(s, c, n)) != SIM_OK)
        ;
    else if ((r = spread_fit(s, c, node)) != SIM_OK)
        ;
    else
        r = interpod_fit(s, c, node);
    if (r != SIM_R_TAINT)
        v->taint = NULL;
    v->reason = r;
    if (r != SIM_OK)
        HS_V(5, "filter: pod %s/%s does not fit node %s: %s", p->ns, p->name, n->name,
             sim_reason_string(r));
    return r;
}

enum sim_reason sim_filter_resources(struct sim_snapshot *s, const struct sim_pod *sp, int32_t node,
                                     struct sim_verdict *v)
{
    struct sim_verdict tmp;
    if (!v)
        v = &tmp;
    memset(v, 0, sizeof(*v));
    if (resources_fit(s, sp->pod, node, &v->resources, &v->scalars))
        return SIM_OK;
    v->reason = SIM_R_RESOURCES;
    v->req = &sp->pod->requests;
    return SIM_R_RESOURCES;
}

enum sim_reason sim__node_object_check(struct sim_snapshot *s, const struct sim_pod *sp,
                                       const struct model_node *n)
{
    struct sim__class *c = sp->cls;
    const struct model_pod *p = sp->pod;
    if (!unschedulable_fit(s, p, n))
        return SIM_R_NODE_UNSCHEDULABLE;
    if (n->n_taints && !sim__tolerates_all(p, n->taints, n->n_taints, NULL))
        return SIM_R_TAINT;
    if (c->has_req_aff && !sim__node_affinity_matches(s, p, n))
        return SIM_R_NODE_AFFINITY;
    return volumes_fit(s, c, n);
}

enum sim_reason sim__check_fitting(struct sim_snapshot *s, const struct sim_pod *sp, int32_t node,
                                   const enum sim_reason *node_r)
{
    struct sim__class *c = sp->cls;
    if (!ports_fit(s, sp->pod, node))
        return SIM_R_PORTS;
    enum sim_reason r = node_r ? *node_r : sim__node_object_check(s, sp, s->nodes[node].n);
    if (r != SIM_OK)
        return r;
    if (c->n_spread && (r = spread_fit(s, c, node)) != SIM_OK)
        return r;
    return interpod_fit(s, c, node);
}

/* The same verdicts, cheapest first: the answer (fit or not) is the same as
 * sim_filter's; the reason may be another failing filter's. */
enum sim_reason sim__fast_check(struct sim_snapshot *s, const struct sim_pod *sp, int32_t node)
{
    if (s->nodes[node].removed)
        return SIM_R_NODE_REMOVED;
    if (!resources_fit(s, sp->pod, node, NULL, NULL))
        return SIM_R_RESOURCES;
    return sim__check_fitting(s, sp, node, NULL);
}

int32_t sim__find_fit(struct sim_snapshot *s, const struct sim_pod *sp, int32_t from, int32_t to,
                      bool ignore_node_name, bool scoped)
{
    struct sim__class *c = sp->cls;
    sim__resolve_class(s, c);
    if (to < 0 || (size_t)to > s->n_nodes)
        to = (int32_t)s->n_nodes;
    if (from < 0)
        from = 0;
    const struct model_pod *p = sp->pod;
    if (p->node_name && !ignore_node_name) {
        int32_t i = sim_snapshot_find_node(s, p->node_name);
        if (i >= from && i < to && sim__fast_check(s, sp, i) == SIM_OK)
            return i;
        return -1;
    }
    uint32_t l = c->local;
    if (scoped && s->cursor[l] < (uint32_t)from)
        sim__cursor_set(s, l, (uint32_t)from);
    bool extend = s->cursor[l] >= (uint32_t)from;
    int32_t i = from;
    if (extend)
        i = (int32_t)s->cursor[l];
    for (; i < to; i++) {
        enum sim_reason r = sim__fast_check(s, sp, i);
        if (r == SIM_OK)
            return i;
        if (extend && sim__reason_is_local(r))
            sim__cursor_set(s, l, (uint32_t)i + 1);
        else
            extend = false;
    }
    return -1;
}

int32_t sim_find_fit(struct sim_snapshot *s, const struct sim_pod *p, int32_t from, int32_t to,
                     bool ignore_node_name)
{
    return sim__find_fit(s, p, from, to, ignore_node_name, false);
}
