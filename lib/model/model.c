/*
 * Functions over the model structs: label lookup and selector matching, the
 * resource arithmetic of a pod's effective request, reference release and
 * the cluster collection. Never does I/O, never frees arena memory one
 * object at a time, never compares interned strings by content when a
 * pointer comparison answers.
 */
#include "model/model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

const char *model_labels_get(const struct model_labels *l, const char *key)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (l->v[i].key == key)
            return l->v[i].value;
    return NULL;
}

static bool parse_i64(const char *s, int64_t *out)
{
    char *end;
    if (!s || !*s)
        return false;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool model_requirement_matches(const struct model_requirement *r, const struct model_labels *labels)
{
    const char *v = model_labels_get(labels, r->key);
    switch (r->op) {
    case MODEL_OP_IN:
        if (!v)
            return false;
        for (uint32_t i = 0; i < r->n_values; i++)
            if (r->values[i] == v)
                return true;
        return false;
    case MODEL_OP_NOT_IN:
        if (!v)
            return true;
        for (uint32_t i = 0; i < r->n_values; i++)
            if (r->values[i] == v)
                return false;
        return true;
    case MODEL_OP_EXISTS:
        return v != NULL;
    case MODEL_OP_DOES_NOT_EXIST:
        return v == NULL;
    case MODEL_OP_GT:
    case MODEL_OP_LT: {
        int64_t lv;
        if (!v || !parse_i64(v, &lv))
            return false;
        return r->op == MODEL_OP_GT ? lv > r->num : lv < r->num;
    }
    case MODEL_OP_INVALID:
        return false;
    }
    return false;
}

bool model_selector_matches(const struct model_label_selector *sel,
                            const struct model_labels *labels)
{
    if (!sel->present)
        return false;
    for (uint32_t i = 0; i < sel->n; i++)
        if (!model_requirement_matches(&sel->req[i], labels))
            return false;
    return true;
}

int64_t model_resources_scalar(const struct model_resources *r, const char *name)
{
    for (uint32_t i = 0; i < r->n_scalar; i++)
        if (r->scalar[i].name == name)
            return r->scalar[i].value;
    return 0;
}

static int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* Merges two name-sorted scalar lists with op (add or max) into a new array. */
static void merge_scalars(struct model_resources *dst, const struct model_resources *src, bool add,
                          struct hs_arena *a)
{
    if (src->n_scalar == 0)
        return;
    struct model_scalar *out =
        HS_ARENA_NEW_ARRAY(a, struct model_scalar, (size_t)dst->n_scalar + src->n_scalar);
    uint32_t i = 0, j = 0, n = 0;
    while (i < dst->n_scalar || j < src->n_scalar) {
        int c;
        if (i == dst->n_scalar)
            c = 1;
        else if (j == src->n_scalar)
            c = -1;
        else if (dst->scalar[i].name == src->scalar[j].name)
            c = 0;
        else
            c = strcmp(dst->scalar[i].name, src->scalar[j].name);
        if (c < 0) {
            out[n++] = dst->scalar[i++];
        } else if (c > 0) {
            out[n] = src->scalar[j++];
            if (!add)
                out[n].value = max64(out[n].value, 0);
            n++;
        } else {
            out[n].name = dst->scalar[i].name;
            out[n].value = add ? sat_add(dst->scalar[i].value, src->scalar[j].value)
                               : max64(dst->scalar[i].value, src->scalar[j].value);
            n++;
            i++;
            j++;
        }
    }
    dst->scalar = out;
    dst->n_scalar = n;
}

bool model_resources_equal(const struct model_resources *a, const struct model_resources *b)
{
    if (a->cpu_milli != b->cpu_milli || a->memory != b->memory ||
        a->ephemeral_storage != b->ephemeral_storage || a->pods != b->pods ||
        a->n_scalar != b->n_scalar)
        return false;
    for (uint32_t i = 0; i < a->n_scalar; i++)
        if (a->scalar[i].name != b->scalar[i].name || a->scalar[i].value != b->scalar[i].value)
            return false;
    return true;
}

void model_resources_add(struct model_resources *dst, const struct model_resources *src,
                         struct hs_arena *a)
{
    dst->cpu_milli = sat_add(dst->cpu_milli, src->cpu_milli);
    dst->memory = sat_add(dst->memory, src->memory);
    dst->ephemeral_storage = sat_add(dst->ephemeral_storage, src->ephemeral_storage);
    dst->pods = sat_add(dst->pods, src->pods);
    merge_scalars(dst, src, true, a);
}

void model_resources_max(struct model_resources *dst, const struct model_resources *src,
                         struct hs_arena *a)
{
    dst->cpu_milli = max64(dst->cpu_milli, src->cpu_milli);
    dst->memory = max64(dst->memory, src->memory);
    dst->ephemeral_storage = max64(dst->ephemeral_storage, src->ephemeral_storage);
    dst->pods = max64(dst->pods, src->pods);
    merge_scalars(dst, src, false, a);
}

void model_pod_requests(const struct model_container_req *c, size_t n,
                        const struct model_pod_level_req *pod_level,
                        const struct model_resources *overhead, struct hs_arena *a,
                        struct model_resources *out)
{
    struct model_resources sidecars = { 0 }, init_max = { 0 };
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < n; i++)
        if (!c[i].init)
            model_resources_add(out, &c[i].req, a);
    for (size_t i = 0; i < n; i++) {
        if (!c[i].init)
            continue;
        if (c[i].restartable) {
            model_resources_add(out, &c[i].req, a);
            model_resources_add(&sidecars, &c[i].req, a);
            model_resources_max(&init_max, &sidecars, a);
        } else {
            struct model_resources tmp = c[i].req;
            model_resources_add(&tmp, &sidecars, a);
            model_resources_max(&init_max, &tmp, a);
        }
    }
    model_resources_max(out, &init_max, a);
    if (pod_level) {
        if (pod_level->has_cpu)
            out->cpu_milli = pod_level->cpu_milli;
        if (pod_level->has_memory)
            out->memory = pod_level->memory;
        for (uint32_t i = 0; i < pod_level->n_hugepages; i++) {
            bool found = false;
            for (uint32_t j = 0; j < out->n_scalar; j++) {
                if (out->scalar[j].name == pod_level->hugepages[i].name) {
                    out->scalar[j].value = pod_level->hugepages[i].value;
                    found = true;
                }
            }
            if (!found) {
                struct model_resources one = { .n_scalar = 1, .scalar = &pod_level->hugepages[i] };
                model_resources_add(out, &one, a);
            }
        }
    }
    if (overhead)
        model_resources_add(out, overhead, a);
}

const struct model_owner_ref *model_pod_controller(const struct model_pod *p)
{
    for (uint32_t i = 0; i < p->n_owners; i++)
        if (p->owners[i].controller)
            return &p->owners[i];
    return NULL;
}

/* ---- reference release ---------------------------------------------- */

static void unref_labels(struct model_labels *l, struct hs_intern *t)
{
    for (uint32_t i = 0; i < l->n; i++) {
        hs_intern_unref(t, l->v[i].key);
        hs_intern_unref(t, l->v[i].value);
    }
    l->n = 0;
}

static void unref_strs(const char **v, uint32_t n, struct hs_intern *t)
{
    for (uint32_t i = 0; i < n; i++)
        hs_intern_unref(t, v[i]);
}

static void unref_reqs(struct model_requirement *r, uint32_t n, struct hs_intern *t)
{
    for (uint32_t i = 0; i < n; i++) {
        hs_intern_unref(t, r[i].key);
        unref_strs(r[i].values, r[i].n_values, t);
    }
}

static void unref_selector(struct model_label_selector *s, struct hs_intern *t)
{
    unref_reqs(s->req, s->n, t);
    s->n = 0;
}

static void unref_term(struct model_node_selector_term *term, struct hs_intern *t)
{
    unref_reqs(term->expr, term->n_expr, t);
    unref_reqs(term->fields, term->n_fields, t);
    term->n_expr = term->n_fields = 0;
}

static void unref_node_affinity(struct model_node_affinity *na, struct hs_intern *t)
{
    for (uint32_t i = 0; i < na->n_required; i++)
        unref_term(&na->required[i], t);
    for (uint32_t i = 0; i < na->n_preferred; i++)
        unref_term(&na->preferred[i].term, t);
    na->n_required = na->n_preferred = 0;
}

static void unref_aff_terms(struct model_pod_affinity_term *v, uint32_t n, struct hs_intern *t)
{
    for (uint32_t i = 0; i < n; i++) {
        unref_selector(&v[i].selector, t);
        unref_strs(v[i].namespaces, v[i].n_namespaces, t);
        unref_selector(&v[i].ns_selector, t);
        hs_intern_unref(t, v[i].topology_key);
        unref_strs(v[i].match_label_keys, v[i].n_match_label_keys, t);
        unref_strs(v[i].mismatch_label_keys, v[i].n_mismatch_label_keys, t);
    }
}

static void unref_pod_affinity(struct model_pod_affinity *pa, struct hs_intern *t)
{
    unref_aff_terms(pa->required, pa->n_required, t);
    unref_aff_terms(pa->preferred, pa->n_preferred, t);
    pa->n_required = pa->n_preferred = 0;
}

static void unref_resources(struct model_resources *r, struct hs_intern *t)
{
    for (uint32_t i = 0; i < r->n_scalar; i++)
        hs_intern_unref(t, r->scalar[i].name);
    r->n_scalar = 0;
}

void model_pod_unref_strings(struct model_pod *p, struct hs_intern *t)
{
    hs_intern_unref(t, p->ns);
    unref_labels(&p->labels, t);
    unref_labels(&p->annotations, t);
    for (uint32_t i = 0; i < p->n_owners; i++)
        hs_intern_unref(t, p->owners[i].kind);
    p->n_owners = 0;
    hs_intern_unref(t, p->node_name);
    hs_intern_unref(t, p->scheduler_name);
    unref_resources(&p->requests, t);
    unref_labels(&p->node_selector, t);
    if (p->node_affinity)
        unref_node_affinity(p->node_affinity, t);
    if (p->affinity)
        unref_pod_affinity(p->affinity, t);
    if (p->anti_affinity)
        unref_pod_affinity(p->anti_affinity, t);
    for (uint32_t i = 0; i < p->n_tolerations; i++) {
        hs_intern_unref(t, p->tolerations[i].key);
        hs_intern_unref(t, p->tolerations[i].value);
    }
    p->n_tolerations = 0;
    for (uint32_t i = 0; i < p->n_spreads; i++) {
        hs_intern_unref(t, p->spreads[i].topology_key);
        unref_selector(&p->spreads[i].selector, t);
        unref_strs(p->spreads[i].match_label_keys, p->spreads[i].n_match_label_keys, t);
    }
    p->n_spreads = 0;
    for (uint32_t i = 0; i < p->n_host_ports; i++)
        hs_intern_unref(t, p->host_ports[i].host_ip);
    p->n_host_ports = 0;
    hs_intern_unref(t, p->scheduled_reason);
    hs_intern_unref(t, p->nominated_node);
    p->ns = p->node_name = p->scheduler_name = p->scheduled_reason = p->nominated_node = NULL;
}

void model_node_unref_strings(struct model_node *n, struct hs_intern *t)
{
    hs_intern_unref(t, n->name);
    unref_labels(&n->labels, t);
    unref_labels(&n->annotations, t);
    for (uint32_t i = 0; i < n->n_taints; i++) {
        hs_intern_unref(t, n->taints[i].key);
        hs_intern_unref(t, n->taints[i].value);
    }
    n->n_taints = 0;
    unref_resources(&n->allocatable, t);
    unref_resources(&n->capacity, t);
    n->name = NULL;
}

void model_pdb_unref_strings(struct model_pdb *p, struct hs_intern *t)
{
    hs_intern_unref(t, p->ns);
    unref_selector(&p->selector, t);
    p->ns = NULL;
}

void model_daemonset_unref_strings(struct model_daemonset *d, struct hs_intern *t)
{
    hs_intern_unref(t, d->ns);
    unref_labels(&d->labels, t);
    unref_selector(&d->selector, t);
    model_pod_unref_strings(&d->template, t);
    d->ns = NULL;
}

void model_pvc_unref_strings(struct model_pvc *p, struct hs_intern *t)
{
    hs_intern_unref(t, p->ns);
    hs_intern_unref(t, p->volume_name);
    hs_intern_unref(t, p->storage_class);
    p->ns = p->volume_name = p->storage_class = NULL;
}

void model_pv_unref_strings(struct model_pv *p, struct hs_intern *t)
{
    hs_intern_unref(t, p->name);
    unref_labels(&p->labels, t);
    unref_node_affinity(&p->node_affinity, t);
    hs_intern_unref(t, p->claim_ns);
    hs_intern_unref(t, p->storage_class);
    p->name = p->claim_ns = p->storage_class = NULL;
}

static void unref_owners(struct model_owner_ref *o, uint32_t *n, struct hs_intern *t)
{
    for (uint32_t i = 0; i < *n; i++)
        hs_intern_unref(t, o[i].kind);
    *n = 0;
}

void model_storage_class_unref_strings(struct model_storage_class *s, struct hs_intern *t)
{
    hs_intern_unref(t, s->name);
    s->name = NULL;
}

void model_namespace_unref_strings(struct model_namespace *n, struct hs_intern *t)
{
    hs_intern_unref(t, n->name);
    unref_labels(&n->labels, t);
    n->name = NULL;
}

void model_workload_unref_strings(struct model_workload *w, struct hs_intern *t)
{
    hs_intern_unref(t, w->ns);
    unref_owners(w->owners, &w->n_owners, t);
    w->ns = NULL;
}

void model_job_unref_strings(struct model_job *j, struct hs_intern *t)
{
    hs_intern_unref(t, j->ns);
    unref_owners(j->owners, &j->n_owners, t);
    j->ns = NULL;
}

const struct model_owner_ref *model_workload_controller(const struct model_workload *w)
{
    for (uint32_t i = 0; i < w->n_owners; i++)
        if (w->owners[i].controller)
            return &w->owners[i];
    return NULL;
}

/* ---- cluster ---------------------------------------------------------- */

struct model_cluster *model_cluster_new(struct hs_intern *t)
{
    struct model_cluster *c = hs_calloc(1, sizeof(*c));
    hs_arena_init(&c->arena, 256 * 1024);
    c->intern = t;
    return c;
}

void model_cluster_free(struct model_cluster **cp)
{
    struct model_cluster *c = cp ? *cp : NULL;
    if (!c)
        return;
    for (size_t i = 0; i < c->n_nodes; i++)
        model_node_unref_strings(c->nodes[i], c->intern);
    for (size_t i = 0; i < c->n_pods; i++)
        model_pod_unref_strings(c->pods[i], c->intern);
    for (size_t i = 0; i < c->n_pdbs; i++)
        model_pdb_unref_strings(c->pdbs[i], c->intern);
    for (size_t i = 0; i < c->n_daemonsets; i++)
        model_daemonset_unref_strings(c->daemonsets[i], c->intern);
    for (size_t i = 0; i < c->n_pvcs; i++)
        model_pvc_unref_strings(c->pvcs[i], c->intern);
    for (size_t i = 0; i < c->n_pvs; i++)
        model_pv_unref_strings(c->pvs[i], c->intern);
    for (size_t i = 0; i < c->n_storage_classes; i++)
        model_storage_class_unref_strings(c->storage_classes[i], c->intern);
    for (size_t i = 0; i < c->n_namespaces; i++)
        model_namespace_unref_strings(c->namespaces[i], c->intern);
    for (size_t i = 0; i < c->n_replicasets; i++)
        model_workload_unref_strings(c->replicasets[i], c->intern);
    for (size_t i = 0; i < c->n_statefulsets; i++)
        model_workload_unref_strings(c->statefulsets[i], c->intern);
    for (size_t i = 0; i < c->n_replication_controllers; i++)
        model_workload_unref_strings(c->replication_controllers[i], c->intern);
    for (size_t i = 0; i < c->n_deployments; i++)
        model_workload_unref_strings(c->deployments[i], c->intern);
    for (size_t i = 0; i < c->n_jobs; i++)
        model_job_unref_strings(c->jobs[i], c->intern);
    hs_free(c->storage_classes);
    hs_free(c->namespaces);
    hs_free(c->replicasets);
    hs_free(c->statefulsets);
    hs_free(c->replication_controllers);
    hs_free(c->deployments);
    hs_free(c->jobs);
    hs_free(c->nodes);
    hs_free(c->pods);
    hs_free(c->pdbs);
    hs_free(c->daemonsets);
    hs_free(c->pvcs);
    hs_free(c->pvs);
    hs_arena_release(&c->arena);
    hs_free(c);
    *cp = NULL;
}

#define CLUSTER_ADD(arr, n, cap, obj) \
    do {                              \
        HS_GROW(arr, cap, (n) + 1);   \
        (arr)[(n)++] = (obj);         \
    } while (0)

void model_cluster_add_node(struct model_cluster *c, struct model_node *n)
{
    CLUSTER_ADD(c->nodes, c->n_nodes, c->cap_nodes, n);
}

void model_cluster_add_pod(struct model_cluster *c, struct model_pod *p)
{
    CLUSTER_ADD(c->pods, c->n_pods, c->cap_pods, p);
}

void model_cluster_add_pdb(struct model_cluster *c, struct model_pdb *p)
{
    CLUSTER_ADD(c->pdbs, c->n_pdbs, c->cap_pdbs, p);
}

void model_cluster_add_daemonset(struct model_cluster *c, struct model_daemonset *d)
{
    CLUSTER_ADD(c->daemonsets, c->n_daemonsets, c->cap_daemonsets, d);
}

void model_cluster_add_pvc(struct model_cluster *c, struct model_pvc *p)
{
    CLUSTER_ADD(c->pvcs, c->n_pvcs, c->cap_pvcs, p);
}

void model_cluster_add_pv(struct model_cluster *c, struct model_pv *p)
{
    CLUSTER_ADD(c->pvs, c->n_pvs, c->cap_pvs, p);
}

void model_cluster_add_storage_class(struct model_cluster *c, struct model_storage_class *s)
{
    CLUSTER_ADD(c->storage_classes, c->n_storage_classes, c->cap_storage_classes, s);
}

void model_cluster_add_namespace(struct model_cluster *c, struct model_namespace *n)
{
    CLUSTER_ADD(c->namespaces, c->n_namespaces, c->cap_namespaces, n);
}

void model_cluster_add_workload(struct model_cluster *c, struct model_workload *w)
{
    switch (w->kind) {
    case MODEL_WORKLOAD_REPLICA_SET:
        CLUSTER_ADD(c->replicasets, c->n_replicasets, c->cap_replicasets, w);
        break;
    case MODEL_WORKLOAD_STATEFUL_SET:
        CLUSTER_ADD(c->statefulsets, c->n_statefulsets, c->cap_statefulsets, w);
        break;
    case MODEL_WORKLOAD_REPLICATION_CONTROLLER:
        CLUSTER_ADD(c->replication_controllers, c->n_replication_controllers,
                    c->cap_replication_controllers, w);
        break;
    case MODEL_WORKLOAD_DEPLOYMENT:
        CLUSTER_ADD(c->deployments, c->n_deployments, c->cap_deployments, w);
        break;
    }
}

void model_cluster_add_job(struct model_cluster *c, struct model_job *j)
{
    CLUSTER_ADD(c->jobs, c->n_jobs, c->cap_jobs, j);
}
