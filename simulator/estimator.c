/*
 * The bin-packing estimator, in cluster-autoscaler's order: equivalence
 * classes by descending cpu/alloc + mem/alloc of the template, each pod
 * first-fit on the new nodes already opened, then on the last opened node,
 * then on a fresh one; a class stops as soon as a fresh node stays empty, and
 * no more than max_nodes are opened. Runs inside a fork it reverts, so the
 * snapshot is unchanged on return. Never does I/O; allocates per call, not
 * per pod.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/log.h"
#include "sim_int.h"
#include "simulator/estimator.h"

double sim_estimate_score(const struct model_pod *p, const struct model_node *tmpl)
{
    double score = 0;
    if (tmpl->allocatable.cpu_milli > 0)
        score += (double)p->requests.cpu_milli / (double)tmpl->allocatable.cpu_milli;
    if (tmpl->allocatable.memory > 0)
        score += (double)p->requests.memory / (double)tmpl->allocatable.memory;
    return score;
}

struct group {
    double score;
    uint32_t first; /* index of the class's first pod in the input */
    uint32_t start, count;
};

static int group_cmp(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

void sim_estimate(struct sim_snapshot *s, const struct sim_estimate_input *in,
                  struct sim_estimate *out)
{
    out->nodes = 0;
    out->scheduled = 0;
    for (size_t i = 0; out->placement && i < in->n_pods; i++)
        out->placement[i] = -1;
    if (in->n_pods == 0)
        return;

    /* Bucket the pods by class, classes in order of first appearance. */
    size_t nc = s->n_classes;
    int32_t *gid = hs_malloc(nc * sizeof(*gid));
    memset(gid, 0xff, nc * sizeof(*gid));
    struct group *g = hs_malloc(in->n_pods * sizeof(*g));
    uint32_t ng = 0;
    for (size_t i = 0; i < in->n_pods; i++) {
        uint32_t c = in->pods[i]->cls->id;
        if (gid[c] < 0) {
            gid[c] = (int32_t)ng;
            g[ng++] = (struct group){ .score = sim_estimate_score(in->pods[i]->pod, in->tmpl),
                                      .first = (uint32_t)i };
        }
        g[gid[c]].count++;
    }
    uint32_t *order = hs_malloc(in->n_pods * sizeof(*order));
    uint32_t off = 0;
    for (uint32_t k = 0; k < ng; k++) {
        g[k].start = off;
        off += g[k].count;
        g[k].count = 0;
    }
    for (size_t i = 0; i < in->n_pods; i++) {
        struct group *gr = &g[gid[in->pods[i]->cls->id]];
        order[gr->start + gr->count++] = (uint32_t)i;
    }
    qsort(g, ng, sizeof(*g), group_cmp);

    sim_snapshot_fork(s);
    int32_t first_new = (int32_t)s->n_nodes;
    int32_t last = -1;
    uint32_t opened = 0;
    uint8_t *with_pods = NULL;
    size_t cap_with = 0;
    for (uint32_t k = 0; k < ng; k++) {
        uint32_t i = 0;
        /* First the new nodes already opened, first fit. */
        for (; i < g[k].count && last >= 0; i++) {
            uint32_t pi = order[g[k].start + i];
            const struct sim_pod *p = in->pods[pi];
            int32_t node = sim__find_fit(s, p, first_new, -1, false, true);
            if (node < 0)
                break;
            sim_snapshot_add_pod(s, p, node);
            with_pods[node - first_new] = 1;
            out->scheduled++;
            if (out->placement)
                out->placement[pi] = node - first_new;
        }
        /* Then the last node, and fresh ones. */
        for (; i < g[k].count; i++) {
            uint32_t pi = order[g[k].start + i];
            const struct sim_pod *p = in->pods[pi];
            int32_t node = last >= 0 ? sim__find_fit(s, p, last, last + 1, false, false) : -1;
            if (node < 0) {
                if (last >= 0 && !with_pods[last - first_new])
                    break; /* a fresh node would stay empty as well */
                if (in->max_nodes && opened >= in->max_nodes)
                    break;
                last = sim_snapshot_add_template_node(s, in->tmpl, sim__pool_name(s, opened), true);
                HS_BUG_ON(last < 0);
                HS_GROW(with_pods, cap_with, opened + 1);
                with_pods[opened++] = 0;
                for (size_t d = 0; d < in->n_ds; d++)
                    sim_snapshot_add_pod(s, in->ds[d], last);
                node = sim__find_fit(s, p, last, last + 1, false, false);
                if (node < 0) {
                    HS_V(4, "estimate: pod %s/%s does not fit a new %s node", p->pod->ns,
                         p->pod->name, in->tmpl->name);
                    break;
                }
            }
            sim_snapshot_add_pod(s, p, node);
            with_pods[node - first_new] = 1;
            out->scheduled++;
            if (out->placement)
                out->placement[pi] = node - first_new;
        }
    }
    for (uint32_t k = 0; k < opened; k++)
        out->nodes += with_pods[k];
    sim_snapshot_revert(s);
    HS_V(4, "estimate: %u pods need %u new %s nodes (%zu pending)", out->scheduled, out->nodes,
         in->tmpl->name, in->n_pods);
    hs_free(with_pods);
    hs_free(order);
    hs_free(g);
    hs_free(gid);
}
