/*
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules
 * and cluster-autoscaler's --leader-elect-lease-duration (15s),
 * --leader-elect-renew-deadline (10s) and --leader-elect-retry-period (2s):
 * a candidate takes the Lease when it has no holder or when its record has
 * not changed for a lease duration (as observed on our own monotonic clock,
 * never by comparing clocks across machines); the leader renews every retry
 * period and stops being leader (callback) if no renewal has succeeded for
 * the renew deadline, whatever the requests in flight are doing; on
 * shutdown it releases the Lease (holderIdentity cleared, leaseDurationSeconds
 * 1) so the next candidate does not wait.
 *
 * Time comes from a struct hs_clock; the loop's timers only say when to look
 * again. Never claims leadership without a successful write of the Lease,
 * and never reports leading after the renew deadline has passed.
 */
#ifndef HOIST_KUBE_LEASE_H
#define HOIST_KUBE_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/err.h"
#include "kube/client.h"

struct kube_lease;

/* Lifecycle of an elector. */
enum kube_lease_state {
    KUBE_LEASE_IDLE,      /* made; kube_lease_start not called */
    KUBE_LEASE_FOLLOWING, /* not leader: looks at the Lease every retry period to take it */
    KUBE_LEASE_LEADING,   /* leader: renews every retry period until the renew deadline */
    KUBE_LEASE_RELEASING, /* kube_lease_release: clearing the holder (one PUT) */
    KUBE_LEASE_STOPPED,   /* released or stopped: nothing in flight, not leader */
};

const char *kube_lease_state_name(enum kube_lease_state s);

struct kube_lease_options {
    const char *ns;            /* borrowed; the Lease's namespace (kube-system) */
    const char *name;          /* borrowed; "cluster-autoscaler" */
    const char *identity;      /* borrowed; this replica's holderIdentity (pod name) */
    int64_t lease_duration_ns; /* 0: 15 s */
    int64_t renew_deadline_ns; /* 0: 10 s; must be < lease duration */
    int64_t retry_period_ns;   /* 0: 2 s; must be < renew deadline */
    struct hs_clock *clock;    /* borrowed; NULL: the client's */
    void (*on_started_leading)(void *ctx);
    void (*on_stopped_leading)(void *ctx); /* lost it, or released */
    void *ctx;
};

/* Makes an elector using c (borrowed, must outlive it). opts borrowed
 * (strings copied). HS_EINVAL for missing names or inconsistent timings. */
enum hs_code kube_lease_new(struct kube_client *c, const struct kube_lease_options *opts,
                            struct kube_lease **out, struct hs_err *err);
/* Stops without releasing (a crash, as far as others can tell), frees;
 * clears *l; accepts NULL. No callback runs. */
void kube_lease_free(struct kube_lease **l);

/* Begins trying to acquire (from IDLE or STOPPED). */
void kube_lease_start(struct kube_lease *l);
/* Stops; if leading, gives the Lease up first (on_stopped_leading runs
 * now, before the PUT, so the caller stops acting at once). done (may be
 * NULL) runs when the release is over (ok or not). */
void kube_lease_release(struct kube_lease *l, void (*done)(void *ctx, enum hs_code rc), void *ctx);

/* Whether this replica may act as leader now: false from the moment the
 * renew deadline has passed since the last successful renewal (read on the
 * clock), even before the loop has run on_stopped_leading. */
bool kube_lease_is_leader(const struct kube_lease *l);
enum kube_lease_state kube_lease_get_state(const struct kube_lease *l);
/* The holder last observed ("" when none), borrowed. */
const char *kube_lease_holder(const struct kube_lease *l);

#endif
