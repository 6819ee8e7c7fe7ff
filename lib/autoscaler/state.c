/*
 * The planner's memory between loops (autoscaler/state.h): unneeded-since
 * times, group backoff, upcoming-node waits, last action times. Plain data
 * kept in sorted heap arrays so lookups are a binary search and the order
 * never depends on insertion. Never reads a clock and never does I/O: every
 * time comes from the caller.
 */
#include "autoscaler/state.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "planner_int.h"

struct asc_state *asc_state_new(void)
{
    return hs_calloc(1, sizeof(struct asc_state));
}

void asc_state_free(struct asc_state **sp)
{
    struct asc_state *s = sp ? *sp : NULL;
    if (!s)
        return;
    for (size_t i = 0; i < s->n_unneeded; i++)
        hs_free(s->unneeded[i].node);
    for (size_t i = 0; i < s->n_groups; i++) {
        hs_free(s->groups[i].name);
        hs_free(s->groups[i].error_message);
    }
    hs_free(s->unneeded);
    hs_free(s->groups);
    hs_free(s);
    *sp = NULL;
}

/* Index of name in the sorted group array, or where it would go (*found false). */
static size_t group_pos(const struct asc_state *s, const char *name, bool *found)
{
    size_t lo = 0, hi = s->n_groups;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->groups[mid].name, name);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

struct asc_group_state *asc_state_group(const struct asc_state *s, const char *name)
{
    bool found;
    size_t i = group_pos(s, name, &found);
    return found ? &s->groups[i] : NULL;
}

struct asc_group_state *asc_state_group_add(struct asc_state *s, const char *name)
{
    bool found;
    size_t i = group_pos(s, name, &found);
    if (found)
        return &s->groups[i];
    HS_GROW(s->groups, s->cap_groups, s->n_groups + 1);
    memmove(&s->groups[i + 1], &s->groups[i], (s->n_groups - i) * sizeof(*s->groups));
    s->n_groups++;
    memset(&s->groups[i], 0, sizeof(s->groups[i]));
    s->groups[i].name = hs_strdup(name);
    return &s->groups[i];
}

void asc_state_scale_up_failed(struct asc_state *s, const char *name, int64_t now, int64_t initial,
                               int64_t max, int64_t reset_timeout, const char *code,
                               const char *message)
{
    struct asc_group_state *g = asc_state_group_add(s, name);
    int64_t d;
    if (g->backoff_last == 0 || g->last_failure == 0 || now - g->last_failure > reset_timeout)
        d = initial;
    else
        d = g->backoff_last > max / 2 ? max : g->backoff_last * 2;
    if (d > max)
        d = max;
    g->backoff_last = d;
    g->backoff_until = now + d;
    g->last_failure = now;
    g->error_code = code;
    hs_free(g->error_message);
    g->error_message = message ? hs_strdup(message) : NULL;
}

bool asc_state_in_backoff(const struct asc_state *s, const char *name, int64_t now)
{
    const struct asc_group_state *g = asc_state_group(s, name);
    return g && g->backoff_until > now;
}

void asc_state_forget_stale_backoff(struct asc_state *s, int64_t now, int64_t reset_timeout)
{
    for (size_t i = 0; i < s->n_groups; i++) {
        struct asc_group_state *g = &s->groups[i];
        if (g->last_failure && now - g->last_failure > reset_timeout) {
            g->backoff_until = 0;
            g->backoff_last = 0;
            g->last_failure = 0;
            g->error_code = NULL;
            hs_free(g->error_message);
            g->error_message = NULL;
        }
    }
}

static int unneeded_cmp(const void *a, const void *b)
{
    return strcmp(((const struct asc_unneeded *)a)->node, ((const struct asc_unneeded *)b)->node);
}

int64_t asc_state_unneeded_since(const struct asc_state *s, const char *node)
{
    struct asc_unneeded key = { .node = (char *)(uintptr_t)node };
    const struct asc_unneeded *u =
        s->n_unneeded ? bsearch(&key, s->unneeded, s->n_unneeded, sizeof(key), unneeded_cmp) : NULL;
    return u ? u->since : 0;
}

void asc_state_set_unneeded(struct asc_state *s, const char *const *nodes, size_t n, int64_t now)
{
    const char **sorted = hs_calloc(n ? n : 1, sizeof(*sorted));
    if (n) {
        memcpy(sorted, nodes, n * sizeof(*sorted));
        qsort(sorted, n, sizeof(*sorted), asc__str_cmp);
    }
    struct asc_unneeded *next = hs_calloc(n ? n : 1, sizeof(*next));
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && strcmp(next[m - 1].node, sorted[i]) == 0)
            continue; /* listed twice */
        int64_t since = asc_state_unneeded_since(s, sorted[i]);
        next[m].node = hs_strdup(sorted[i]);
        next[m].since = since ? since : now;
        m++;
    }
    for (size_t i = 0; i < s->n_unneeded; i++)
        hs_free(s->unneeded[i].node);
    hs_free(s->unneeded);
    hs_free(sorted);
    s->unneeded = next;
    s->n_unneeded = m;
    s->cap_unneeded = n ? n : 1;
}

void asc_state_scale_up_done(struct asc_state *s, int64_t now)
{
    s->last_scale_up = now;
}

void asc_state_scale_down_done(struct asc_state *s, int64_t now)
{
    s->last_scale_down = now;
}

void asc_state_scale_down_failed(struct asc_state *s, int64_t now)
{
    s->last_scale_down_failure = now;
}

bool asc_state_track_upcoming(struct asc_state *s, const char *name, int32_t upcoming, int64_t now,
                              int64_t provision_time)
{
    struct asc_group_state *g =
        upcoming > 0 ? asc_state_group_add(s, name) : asc_state_group(s, name);
    if (!g)
        return false;
    if (upcoming <= 0) {
        g->upcoming = 0;
        g->upcoming_since = 0;
        return false;
    }
    /* More nodes requested restarts nothing: the oldest request sets the clock. */
    if (g->upcoming_since == 0)
        g->upcoming_since = now;
    g->upcoming = upcoming;
    if (now - g->upcoming_since > provision_time) {
        g->upcoming_since = now;
        return true;
    }
    return false;
}

bool asc_cluster_healthy(int64_t total, int64_t unready, int32_t ok_count, double max_percentage)
{
    if (unready <= ok_count)
        return true;
    return (double)unready <= max_percentage / 100.0 * (double)total;
}
