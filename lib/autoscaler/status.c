/*
 * The `status` text of the cluster-autoscaler-status ConfigMap, in the YAML
 * layout cluster-autoscaler writes since 1.30 (clusterstate/api): time,
 * autoscalerStatus, clusterWide {health, scaleUp, scaleDown} and one entry
 * per node group {name, health with node counts and sizes, scaleUp with
 * backoff info, scaleDown with candidates}, so tools that parse
 * cluster-autoscaler's status keep working. Written by hand: the values are
 * numbers, fixed words and quoted strings. Never does I/O; the time printed
 * is inputs->now, converted, never read from a clock.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "planner_int.h"

/* Go's time.Time.String() of a UTC time: "2026-11-28 08:00:00.123456789 +0000 UTC". */
static void go_time(struct hs_buf *b, int64_t ns)
{
    time_t secs = (time_t)(ns / ASC__NS_PER_S);
    long frac = (long)(ns % ASC__NS_PER_S);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char day[64];
    strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
    hs_buf_adds(b, day);
    if (frac) {
        char digits[16];
        snprintf(digits, sizeof(digits), ".%09ld", frac);
        size_t n = strlen(digits);
        while (n > 1 && digits[n - 1] == '0')
            digits[--n] = '\0';
        hs_buf_adds(b, digits);
    }
    hs_buf_adds(b, " +0000 UTC");
}

/* metav1.Time as YAML: a quoted RFC 3339 time with seconds. */
static void rfc3339(struct hs_buf *b, int64_t ns)
{
    time_t secs = (time_t)(ns / ASC__NS_PER_S);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char s[64];
    strftime(s, sizeof(s), "\"%Y-%m-%dT%H:%M:%SZ\"", &tm);
    hs_buf_adds(b, s);
}

/* A YAML double-quoted scalar (JSON string escaping is valid YAML). */
static void quoted(struct hs_buf *b, const char *s)
{
    hs_buf_add_json_str(b, s, strlen(s));
}

static void node_counts(struct hs_buf *b, const char *ind, int64_t total, int64_t ready,
                        int64_t not_started, int64_t unready, int64_t res_unready,
                        int64_t long_unreg, int64_t unreg)
{
    hs_buf_addf(b,
                "%snodeCounts:\n"
                "%s  registered:\n"
                "%s    total: %lld\n"
                "%s    ready: %lld\n"
                "%s    notStarted: %lld\n"
                "%s    unready:\n"
                "%s      total: %lld\n"
                "%s      resourceUnready: %lld\n"
                "%s  longUnregistered: %lld\n"
                "%s  unregistered: %lld\n",
                ind, ind, ind, (long long)total, ind, (long long)ready, ind, (long long)not_started,
                ind, ind, (long long)unready, ind, (long long)res_unready, ind,
                (long long)long_unreg, ind, (long long)unreg);
}

static void probe(struct hs_buf *b, const char *ind, int64_t now)
{
    hs_buf_addf(b, "%slastProbeTime: ", ind);
    rfc3339(b, now);
    hs_buf_addc(b, '\n');
}

void asc__status(struct asc__ctx *c)
{
    struct hs_buf b;
    int64_t now = c->in->now;
    int64_t long_unreg = 0, candidates = 0;
    bool in_progress = c->upcoming_total > 0 || c->out->n_scale_up > 0;

    hs_buf_init(&b);
    for (uint32_t i = 0; i < c->n_gs; i++) {
        long_unreg += c->gs[i].long_unregistered;
        candidates += c->gs[i].scale_down_candidates;
    }
    hs_buf_adds(&b, "time: ");
    go_time(&b, now);
    hs_buf_adds(&b, "\nautoscalerStatus: Running\n");
    if (!c->healthy)
        hs_buf_addf(&b, "message: %s\n", "Cluster has too many unready nodes");
    hs_buf_adds(&b, "clusterWide:\n  health:\n");
    hs_buf_addf(&b, "    status: %s\n", c->healthy ? "Healthy" : "Unhealthy");
    node_counts(&b, "    ", c->nodes_total, c->nodes_ready, c->nodes_not_started, c->nodes_unready,
                c->nodes_resource_unready, long_unreg, c->upcoming_total);
    probe(&b, "    ", now);
    hs_buf_addf(&b, "  scaleUp:\n    status: %s\n", in_progress ? "InProgress" : "NoActivity");
    probe(&b, "    ", now);
    hs_buf_addf(&b, "  scaleDown:\n    status: %s\n",
                candidates ? "CandidatesPresent" : "NoCandidates");
    if (candidates)
        hs_buf_addf(&b, "    candidates: %lld\n", (long long)candidates);
    probe(&b, "    ", now);
    if (c->n_gs)
        hs_buf_adds(&b, "nodeGroups:\n");
    for (uint32_t i = 0; i < c->n_gs; i++) {
        const struct asc__group *g = &c->gs[i];
        const struct asc_group_state *gs = asc_state_group(c->state, g->g->name);
        bool g_healthy =
            asc_cluster_healthy(g->registered, g->unready, c->o->ok_total_unready_count,
                                c->o->max_total_unready_percentage);
        hs_buf_adds(&b, "- name: ");
        quoted(&b, g->g->name);
        hs_buf_addf(&b, "\n  health:\n    status: %s\n", g_healthy ? "Healthy" : "Unhealthy");
        node_counts(&b, "    ", g->registered, g->ready, g->not_started, g->unready,
                    g->resource_unready, g->long_unregistered, g->upcoming);
        hs_buf_addf(&b, "    cloudProviderTarget: %d\n    minSize: %d\n    maxSize: %d\n",
                    (int)g->g->target_size, (int)g->g->min_size, (int)g->g->max_size);
        probe(&b, "    ", now);
        const char *up = g->backoff                                             ? "Backoff"
                         : (g->upcoming > 0 || g->new_size > g->g->target_size) ? "InProgress"
                                                                                : "NoActivity";
        hs_buf_addf(&b, "  scaleUp:\n    status: %s\n", up);
        if (g->backoff && gs) {
            hs_buf_adds(&b, "    backoffInfo:\n      errorCode: ");
            quoted(&b, gs->error_code ? gs->error_code : "");
            hs_buf_adds(&b, "\n      errorMessage: ");
            quoted(&b, gs->error_message ? gs->error_message : "");
            hs_buf_addc(&b, '\n');
        }
        probe(&b, "    ", now);
        hs_buf_addf(&b, "  scaleDown:\n    status: %s\n",
                    g->scale_down_candidates ? "CandidatesPresent" : "NoCandidates");
        if (g->scale_down_candidates)
            hs_buf_addf(&b, "    candidates: %d\n", (int)g->scale_down_candidates);
        probe(&b, "    ", now);
    }
    c->out->status = hs_arena_strndup(&c->out->arena, b.data ? b.data : "", b.len);
    hs_buf_release(&b);
}
