/*
 * What the planner remembers between loops (struct asc_state of plan.h), as
 * plain data: when each node became unneeded, each group's backoff after a
 * failed scale-up, since when each group has been waiting for requested
 * nodes, and the times of the last scale-up, deletion and failed deletion.
 * Every field is a number or a name, so the daemon can rebuild it after a
 * restart (from node taints, annotations and ASG sizes) and tests can set it
 * directly.
 *
 * Pure: no I/O and no clock; every function takes the time as an argument.
 * The state owns its strings (heap copies); nothing here borrows a model
 * object past the call.
 */
#ifndef HOIST_AUTOSCALER_STATE_H
#define HOIST_AUTOSCALER_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "autoscaler/plan.h"

/* A node the planner found unneeded, and since when (Unix ns). */
struct asc_unneeded {
    char *node; /* owned */
    int64_t since;
};

/* One group's history. */
struct asc_group_state {
    char *name;             /* owned */
    int64_t backoff_until;  /* no scale-up before this (Unix ns); 0 = none */
    int64_t backoff_last;   /* duration of the latest backoff (ns); 0 = none yet */
    int64_t last_failure;   /* when the latest scale-up failed (Unix ns); 0 = never */
    const char *error_code; /* static: "OutOfResource", "Timeout", ...; NULL = none */
    char *error_message;    /* owned; NULL = none */
    int64_t upcoming_since; /* since when requested nodes have been missing; 0 = none */
    int32_t upcoming;       /* how many were missing at the last loop */
};

struct asc_state {
    struct asc_unneeded *unneeded; /* heap, sorted by node name */
    size_t n_unneeded, cap_unneeded;
    struct asc_group_state *groups; /* heap, sorted by name */
    size_t n_groups, cap_groups;
    int64_t last_scale_up;           /* Unix ns; 0 = never */
    int64_t last_scale_down;         /* last deletion, Unix ns; 0 = never */
    int64_t last_scale_down_failure; /* Unix ns; 0 = never */
};

/* The group named name (borrowed), borrowed from s, or NULL. */
struct asc_group_state *asc_state_group(const struct asc_state *s, const char *name);
/* The group named name, added (zeroed) when absent; borrowed from s until
 * the next call that adds. */
struct asc_group_state *asc_state_group_add(struct asc_state *s, const char *name);

/* ---- backoff ------------------------------------------------------------- */

/* Backs off group name (borrowed) after a failed scale-up at now:
 * the first failure, or one after reset_timeout without failures, backs
 * off for initial; each further failure doubles the last duration, capped
 * at max (cluster-autoscaler's exponential backoff). code is static
 * (e.g. "OutOfResource"), message borrowed (copied); either may be NULL. */
void asc_state_scale_up_failed(struct asc_state *s, const char *name, int64_t now, int64_t initial,
                               int64_t max, int64_t reset_timeout, const char *code,
                               const char *message);

/* Whether group name (borrowed) is backed off at now. */
bool asc_state_in_backoff(const struct asc_state *s, const char *name, int64_t now);

/* Forgets backoffs whose last failure is older than reset_timeout at now, as
 * cluster-autoscaler's RemoveStaleBackoffData does. */
void asc_state_forget_stale_backoff(struct asc_state *s, int64_t now, int64_t reset_timeout);

/* ---- scale-down timers --------------------------------------------------- */

/* When node (borrowed) became unneeded, or 0 when it is not recorded. */
int64_t asc_state_unneeded_since(const struct asc_state *s, const char *node);

/* Replaces the unneeded set with nodes[0..n) (borrowed names, any order):
 * a node already recorded keeps its time, a new one gets now, and nodes
 * not listed are forgotten. */
void asc_state_set_unneeded(struct asc_state *s, const char *const *nodes, size_t n, int64_t now);

/* The caller reports what happened to the plan it carried out. */
void asc_state_scale_up_done(struct asc_state *s, int64_t now);
void asc_state_scale_down_done(struct asc_state *s, int64_t now);
void asc_state_scale_down_failed(struct asc_state *s, int64_t now);

/* ---- upcoming nodes -------------------------------------------------------- */

/* Records that group name (borrowed) is waiting for upcoming (>= 0) requested
 * nodes at now, and returns true when they have been missing for longer than
 * provision_time (then the wait restarts at now, so one timeout is reported
 * once). upcoming 0 clears the wait. */
bool asc_state_track_upcoming(struct asc_state *s, const char *name, int32_t upcoming, int64_t now,
                              int64_t provision_time);

/* ---- cluster health -------------------------------------------------------- */

/* Whether a cluster of total registered nodes, unready of them unready, is
 * healthy: unhealthy only when unready exceeds both ok_count and
 * max_percentage percent of total (--ok-total-unready-count,
 * --max-total-unready-percentage). */
bool asc_cluster_healthy(int64_t total, int64_t unready, int32_t ok_count, double max_percentage);

#endif
