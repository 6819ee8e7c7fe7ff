/*
 * Plan printers. JSON is written by hand (cmd/hoist does not link jansson for
 * this) with keys in a fixed order and numbers in a fixed format, so equal
 * plans print equal bytes. Never prints a partial plan: callers print only
 * after asc_plan_run succeeded.
 */
#include "plan_output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

static void str(struct hs_buf *b, const char *s)
{
    hs_buf_add_json_str(b, s, strlen(s));
}

/* A ratio with at most four decimals and no trailing zeros ("0.21", "1", "0"). */
static void ratio(struct hs_buf *b, double v)
{
    char tmp[64];
    if (!(v == v) || v < 0) /* NaN or negative cannot come from the planner; print 0 */
        v = 0;
    snprintf(tmp, sizeof(tmp), "%.4f", v);
    size_t n = strlen(tmp);
    while (n > 1 && tmp[n - 1] == '0')
        tmp[--n] = '\0';
    if (n > 1 && tmp[n - 1] == '.')
        tmp[--n] = '\0';
    hs_buf_add(b, tmp, n);
}

/* One scale-down entry (also used for the unneeded ones), the i-th of its list. */
static void scale_down_json(struct hs_buf *b, const struct asc_scale_down *d, size_t i)
{
    hs_buf_adds(b, i ? ",\n    {\"node\": " : "\n    {\"node\": ");
    str(b, d->node);
    hs_buf_adds(b, ", \"nodeGroup\": ");
    str(b, d->group);
    hs_buf_adds(b, d->empty ? ", \"empty\": true" : ", \"empty\": false");
    hs_buf_adds(b, ", \"utilization\": ");
    ratio(b, d->utilization);
    hs_buf_adds(b, ", \"moves\": {");
    for (size_t j = 0; j < d->n_moves; j++) {
        if (j)
            hs_buf_adds(b, ", ");
        str(b, d->moves[j].pod);
        hs_buf_adds(b, ": ");
        str(b, d->moves[j].node);
    }
    hs_buf_adds(b, "}}");
}

void cli_plan_json(const struct asc_plan *p, struct hs_buf *b)
{
    hs_buf_adds(b, "{\n  \"scaleUp\": [");
    for (size_t i = 0; i < p->n_scale_up; i++) {
        const struct asc_scale_up *u = &p->scale_up[i];
        hs_buf_adds(b, i ? ",\n    {\"nodeGroup\": " : "\n    {\"nodeGroup\": ");
        str(b, u->group);
        hs_buf_addf(b, ", \"currentSize\": %d, \"newSize\": %d, \"pods\": [", (int)u->current_size,
                    (int)u->new_size);
        for (size_t j = 0; j < u->n_pods; j++) {
            if (j)
                hs_buf_adds(b, ", ");
            str(b, u->pods[j]);
        }
        hs_buf_adds(b, "]}");
    }
    hs_buf_adds(b, p->n_scale_up ? "\n  ],\n  \"noScaleUp\": [" : "],\n  \"noScaleUp\": [");
    for (size_t i = 0; i < p->n_no_scale_up; i++) {
        const struct asc_no_scale_up *n = &p->no_scale_up[i];
        hs_buf_adds(b, i ? ",\n    {\"pod\": " : "\n    {\"pod\": ");
        str(b, n->pod);
        hs_buf_adds(b, ", \"reasons\": {");
        for (size_t j = 0; j < n->n_reasons; j++) {
            if (j)
                hs_buf_adds(b, ", ");
            str(b, n->reasons[j].group);
            hs_buf_adds(b, ": ");
            str(b, n->reasons[j].reason);
        }
        hs_buf_adds(b, "}}");
    }
    hs_buf_adds(b, p->n_no_scale_up ? "\n  ],\n  \"awaitEvaluation\": ["
                                    : "],\n  \"awaitEvaluation\": [");
    for (size_t i = 0; i < p->n_awaiting; i++) {
        hs_buf_adds(b, i ? ", " : "");
        str(b, p->awaiting[i]);
    }
    hs_buf_adds(b, "],\n  \"scaleDown\": [");
    for (size_t i = 0; i < p->n_scale_down; i++)
        scale_down_json(b, &p->scale_down[i], i);
    hs_buf_adds(b, p->n_scale_down ? "\n  ],\n  \"unneeded\": [" : "],\n  \"unneeded\": [");
    for (size_t i = 0; i < p->n_unneeded; i++)
        scale_down_json(b, &p->unneeded[i], i);
    hs_buf_adds(b, p->n_unneeded ? "\n  ],\n  \"unremovable\": [" : "],\n  \"unremovable\": [");
    for (size_t i = 0; i < p->n_unremovable; i++) {
        hs_buf_adds(b, i ? ",\n    {\"node\": " : "\n    {\"node\": ");
        str(b, p->unremovable[i].node);
        hs_buf_adds(b, ", \"reason\": ");
        str(b, p->unremovable[i].reason);
        hs_buf_adds(b, "}");
    }
    hs_buf_adds(b, p->n_unremovable ? "\n  ],\n  \"notStarted\": [" : "],\n  \"notStarted\": [");
    for (size_t i = 0; i < p->n_not_started; i++) {
        hs_buf_adds(b, i ? ", " : "");
        str(b, p->not_started[i]);
    }
    hs_buf_adds(b, "],\n  \"warnings\": [");
    for (size_t i = 0; i < p->n_warnings; i++) {
        hs_buf_adds(b, i ? ",\n    " : "\n    ");
        str(b, p->warnings[i]);
    }
    hs_buf_adds(b, p->n_warnings ? "\n  ]\n}\n" : "]\n}\n");
}

/* At most this many pod names are listed on one text line. */
#define TEXT_PODS 5
/* A reason names its groups when it covers at most this many. */
#define TEXT_GROUPS 3

static int reason_cmp(const void *a, const void *b)
{
    const struct asc_group_reason *x = a, *y = b;
    int c = x->reason == y->reason ? 0 : strcmp(x->reason, y->reason);
    return c ? c : strcmp(x->group, y->group);
}

struct reason_count {
    char *text; /* "2 Insufficient cpu (ng-a, ng-b)" */
};

static int count_cmp(const void *a, const void *b)
{
    return strcmp(((const struct reason_count *)a)->text, ((const struct reason_count *)b)->text);
}

/* cluster-autoscaler's NotTriggerScaleUp message: "pod didn't trigger
 * scale-up: " and, for each distinct reason, how many groups gave it,
 * sorted as text ("1 Insufficient cpu, 2 max node group size reached"); the
 * groups are named after a reason that covers few of them. */
static void no_scale_up_text(struct hs_buf *b, const struct asc_no_scale_up *n)
{
    hs_buf_addf(b, "no scale-up for %s: pod didn't trigger scale-up: ", n->pod);
    if (!n->n_reasons) {
        hs_buf_adds(b, "no node group\n");
        return;
    }
    struct asc_group_reason *v = hs_malloc(n->n_reasons * sizeof(*v));
    memcpy(v, n->reasons, n->n_reasons * sizeof(*v));
    qsort(v, n->n_reasons, sizeof(*v), reason_cmp);
    struct reason_count *counts = hs_malloc(n->n_reasons * sizeof(*counts));
    size_t n_counts = 0;
    for (size_t i = 0; i < n->n_reasons;) {
        size_t j = i + 1;
        while (j < n->n_reasons &&
               (v[j].reason == v[i].reason || strcmp(v[j].reason, v[i].reason) == 0))
            j++;
        struct hs_buf t;
        hs_buf_init(&t);
        hs_buf_addf(&t, "%zu %s", j - i, v[i].reason);
        if (j - i <= TEXT_GROUPS) {
            for (size_t k = i; k < j; k++)
                hs_buf_addf(&t, "%s%s", k == i ? " (" : ", ", v[k].group);
            hs_buf_addc(&t, ')');
        }
        hs_buf_addc(&t, '\0');
        counts[n_counts++].text = hs_buf_detach(&t);
        i = j;
    }
    qsort(counts, n_counts, sizeof(*counts), count_cmp);
    for (size_t i = 0; i < n_counts; i++) {
        hs_buf_addf(b, "%s%s", i ? ", " : "", counts[i].text);
        hs_free(counts[i].text);
    }
    hs_buf_addc(b, '\n');
    hs_free(counts);
    hs_free(v);
}

void cli_plan_text(const struct asc_plan *p, struct hs_buf *b)
{
    for (size_t i = 0; i < p->n_warnings; i++)
        hs_buf_addf(b, "warning: %s\n", p->warnings[i]);
    for (size_t i = 0; i < p->n_scale_up; i++) {
        const struct asc_scale_up *u = &p->scale_up[i];
        hs_buf_addf(b, "scale-up %s: %d -> %d nodes, for %zu pending pod%s (", u->group,
                    (int)u->current_size, (int)u->new_size, u->n_pods, u->n_pods == 1 ? "" : "s");
        for (size_t j = 0; j < u->n_pods && j < TEXT_PODS; j++)
            hs_buf_addf(b, "%s%s", j ? ", " : "", u->pods[j]);
        if (u->n_pods > TEXT_PODS)
            hs_buf_addf(b, ", and %zu more", u->n_pods - TEXT_PODS);
        hs_buf_adds(b, ")\n");
    }
    for (size_t i = 0; i < p->n_no_scale_up; i++)
        no_scale_up_text(b, &p->no_scale_up[i]);
    if (p->n_awaiting) {
        hs_buf_addf(b,
                    "later: %zu pending pod%s a node group can take but this loop's scale-up "
                    "does not place (",
                    p->n_awaiting, p->n_awaiting == 1 ? "" : "s");
        for (size_t j = 0; j < p->n_awaiting && j < TEXT_PODS; j++)
            hs_buf_addf(b, "%s%s", j ? ", " : "", p->awaiting[j]);
        if (p->n_awaiting > TEXT_PODS)
            hs_buf_addf(b, ", and %zu more", p->n_awaiting - TEXT_PODS);
        hs_buf_adds(b, ")\n");
    }
    for (size_t i = 0; i < p->n_scale_down; i++) {
        const struct asc_scale_down *d = &p->scale_down[i];
        hs_buf_addf(b, "scale-down %s (%s): %s, utilization ", d->node, d->group,
                    d->empty ? "empty" : "underutilized");
        ratio(b, d->utilization);
        for (size_t j = 0; j < d->n_moves; j++)
            hs_buf_addf(b, "%s %s -> %s", j ? "," : "; moves", d->moves[j].pod, d->moves[j].node);
        hs_buf_addc(b, '\n');
    }
    for (size_t i = 0; i < p->n_unneeded; i++) {
        const struct asc_scale_down *d = &p->unneeded[i];
        hs_buf_addf(b, "scale-down later %s (%s): %s, utilization ", d->node, d->group,
                    d->empty ? "empty" : "underutilized");
        ratio(b, d->utilization);
        for (size_t j = 0; j < d->n_moves; j++)
            hs_buf_addf(b, "%s %s -> %s", j ? "," : "; moves", d->moves[j].pod, d->moves[j].node);
        hs_buf_adds(b, p->n_scale_up ? "; waits for this loop's scale-up to settle\n"
                                     : "; waits for a cooldown or the parallelism limit\n");
    }
    for (size_t i = 0; i < p->n_unremovable; i++)
        hs_buf_addf(b, "keep %s: %s\n", p->unremovable[i].node, p->unremovable[i].reason);
    for (size_t i = 0; i < p->n_not_started; i++)
        hs_buf_addf(b,
                    "starting %s: not Ready yet, created less than 15m ago; an upcoming node of "
                    "its group (not capacity), no scale-down candidate\n",
                    p->not_started[i]);
    if (!p->n_scale_up && !p->n_no_scale_up && !p->n_awaiting && !p->n_scale_down &&
        !p->n_unneeded && !p->n_unremovable && !p->n_not_started)
        hs_buf_adds(b, "nothing to do: no pod is waiting for a node and no node can go\n");
}
