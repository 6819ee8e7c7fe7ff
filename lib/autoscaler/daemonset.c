/*
 * Which DaemonSets would put a pod on a new node, and what those pods take:
 * the DaemonSet controller's placement test (nodeSelector, required node
 * affinity, taints against the pod's tolerations plus the ones the
 * controller adds to every DaemonSet pod), over model structs. Also the
 * label-set builder the templates use. Pure: no I/O, no clock; it must
 * never check resources (the controller does not; the scheduler preempts).
 */
#include <stdlib.h>
#include <string.h>

#include "asc_int.h"
#include "autoscaler/template.h"
#include "base/alloc.h"

/* ---- label-set builder ----------------------------------------------------- */

static ptrdiff_t label_index(const struct asc__labels *b, const char *key)
{
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->v[i].key, key) == 0)
            return (ptrdiff_t)i;
    return -1;
}

void asc__labels_set_interned(struct asc__labels *b, const char *key, const char *value)
{
    ptrdiff_t i = label_index(b, key);
    if (i >= 0) {
        const char *old = b->v[i].value;
        b->v[i].value = hs_intern_ref(value);
        hs_intern_unref(b->t, old);
        return;
    }
    HS_GROW(b->v, b->cap, b->n + 1);
    b->v[b->n].key = hs_intern_ref(key);
    b->v[b->n].value = hs_intern_ref(value);
    b->n++;
}

void asc__labels_set(struct asc__labels *b, const char *key, const char *value)
{
    const char *k = hs_intern_cstr(b->t, key);
    const char *v = hs_intern_cstr(b->t, value);
    asc__labels_set_interned(b, k, v);
    hs_intern_unref(b->t, k);
    hs_intern_unref(b->t, v);
}

void asc__labels_del(struct asc__labels *b, const char *key)
{
    ptrdiff_t i = label_index(b, key);
    if (i < 0)
        return;
    hs_intern_unref(b->t, b->v[i].key);
    hs_intern_unref(b->t, b->v[i].value);
    b->v[i] = b->v[--b->n];
}

static int cmp_label(const void *a, const void *b)
{
    return strcmp(((const struct model_label *)a)->key, ((const struct model_label *)b)->key);
}

void asc__labels_copy_out(const struct asc__labels *b, struct hs_arena *a, struct model_labels *out)
{
    out->n = (uint32_t)b->n;
    out->v = b->n ? HS_ARENA_NEW_ARRAY(a, struct model_label, b->n) : NULL;
    for (size_t i = 0; i < b->n; i++) {
        out->v[i].key = hs_intern_ref(b->v[i].key);
        out->v[i].value = hs_intern_ref(b->v[i].value);
    }
    if (out->n > 1)
        qsort(out->v, out->n, sizeof(*out->v), cmp_label);
}

void asc__labels_release(struct asc__labels *b)
{
    for (size_t i = 0; i < b->n; i++) {
        hs_intern_unref(b->t, b->v[i].key);
        hs_intern_unref(b->t, b->v[i].value);
    }
    hs_free(b->v);
    b->v = NULL;
    b->n = b->cap = 0;
}

/* ---- placement ------------------------------------------------------------- */

static bool str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool tolerates(const struct model_toleration *tol, const struct model_taint *taint)
{
    if (tol->effect != MODEL_EFFECT_ALL && tol->effect != taint->effect)
        return false;
    if (!tol->key || !*tol->key)
        return tol->exists; /* an empty key with Exists matches every taint */
    if (strcmp(tol->key, taint->key) != 0)
        return false;
    return tol->exists || str_eq(tol->value, taint->value);
}

bool asc__tolerates_all(const struct model_toleration *tol, size_t n, const struct model_node *node)
{
    for (uint32_t i = 0; i < node->n_taints; i++) {
        const struct model_taint *taint = &node->taints[i];
        if (taint->effect != MODEL_EFFECT_NO_SCHEDULE && taint->effect != MODEL_EFFECT_NO_EXECUTE)
            continue;
        bool ok = false;
        for (size_t k = 0; k < n && !ok; k++)
            ok = tolerates(&tol[k], taint);
        if (!ok)
            return false;
    }
    return true;
}

static bool term_matches(const struct model_node_selector_term *term, const struct model_node *n)
{
    if (term->n_expr == 0 && term->n_fields == 0)
        return false; /* an empty term matches no node */
    for (uint32_t i = 0; i < term->n_expr; i++)
        if (!model_requirement_matches(&term->expr[i], &n->labels))
            return false;
    for (uint32_t i = 0; i < term->n_fields; i++) {
        const struct model_requirement *r = &term->fields[i];
        if (strcmp(r->key, "metadata.name") != 0)
            return false;
        struct model_label l = { r->key, n->name };
        struct model_labels one = { &l, 1 };
        if (!model_requirement_matches(r, &one))
            return false;
    }
    return true;
}

bool asc__node_affinity_matches(const struct model_pod *p, const struct model_node *node)
{
    for (uint32_t i = 0; i < p->node_selector.n; i++) {
        const char *v = model_labels_get(&node->labels, p->node_selector.v[i].key);
        if (!v || v != p->node_selector.v[i].value)
            return false;
    }
    const struct model_node_affinity *na = p->node_affinity;
    if (!na || !na->has_required)
        return true;
    for (uint32_t i = 0; i < na->n_required; i++)
        if (term_matches(&na->required[i], node))
            return true;
    return false;
}

/* The tolerations the DaemonSet controller adds to every pod it makes
 * (util.AddOrUpdateDaemonPodTolerations); network-unavailable only for
 * hostNetwork pods. */
static bool default_tolerated(const struct model_taint *taint, bool host_network)
{
    static const struct {
        const char *key;
        enum model_effect effect;
    } defaults[] = {
        { "node.kubernetes.io/not-ready", MODEL_EFFECT_NO_EXECUTE },
        { "node.kubernetes.io/unreachable", MODEL_EFFECT_NO_EXECUTE },
        { "node.kubernetes.io/disk-pressure", MODEL_EFFECT_NO_SCHEDULE },
        { "node.kubernetes.io/memory-pressure", MODEL_EFFECT_NO_SCHEDULE },
        { "node.kubernetes.io/pid-pressure", MODEL_EFFECT_NO_SCHEDULE },
        { "node.kubernetes.io/unschedulable", MODEL_EFFECT_NO_SCHEDULE },
    };
    for (size_t i = 0; i < HS_ARRAY_LEN(defaults); i++)
        if (taint->effect == defaults[i].effect && strcmp(taint->key, defaults[i].key) == 0)
            return true;
    return host_network && taint->effect == MODEL_EFFECT_NO_SCHEDULE &&
           strcmp(taint->key, "node.kubernetes.io/network-unavailable") == 0;
}

bool asc_daemonset_runs_on(const struct model_daemonset *ds, const struct model_node *node)
{
    const struct model_pod *p = &ds->template;
    if (!asc__node_affinity_matches(p, node))
        return false;
    for (uint32_t i = 0; i < node->n_taints; i++) {
        const struct model_taint *taint = &node->taints[i];
        if (taint->effect != MODEL_EFFECT_NO_SCHEDULE && taint->effect != MODEL_EFFECT_NO_EXECUTE)
            continue;
        if (default_tolerated(taint, p->host_network))
            continue;
        bool ok = false;
        for (uint32_t k = 0; k < p->n_tolerations && !ok; k++)
            ok = tolerates(&p->tolerations[k], taint);
        if (!ok)
            return false;
    }
    return true;
}

size_t asc_daemonset_overhead(const struct model_daemonset *const *ds, size_t n,
                              const struct model_node *node, size_t *which,
                              struct model_resources *sum, struct hs_arena *a)
{
    size_t count = 0;
    memset(sum, 0, sizeof(*sum));
    for (size_t i = 0; i < n; i++) {
        if (!asc_daemonset_runs_on(ds[i], node))
            continue;
        model_resources_add(sum, &ds[i]->template.requests, a);
        if (ds[i]->template.requests.pods == 0)
            sum->pods++;
        if (which)
            which[count] = i;
        count++;
    }
    return count;
}
