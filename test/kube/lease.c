/*
 * Leader election against the fake API server with two (then three)
 * candidates on short timings: exactly one leads; when the fake fails the
 * leader's renewals it stops leading within the renew deadline; once it is
 * gone the other takes over within the lease duration; a release hands the
 * Lease over at once. kubectl shows the holder.
 */
#include "harness.h"

#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include <ev.h>

#include "base/alloc.h"
#include "kube/lease.h"

struct cand {
    const char *id;
    struct kube_client *c;
    struct kube_lease *l;
    int started, stopped;
    double started_at, stopped_at;
    struct ev_loop *loop;
};

static void on_started(void *ctx)
{
    struct cand *k = ctx;
    k->started++;
    ev_now_update(k->loop);
    k->started_at = ev_now(k->loop);
}

static void on_stopped(void *ctx)
{
    struct cand *k = ctx;
    k->stopped++;
    ev_now_update(k->loop);
    k->stopped_at = ev_now(k->loop);
}

#define DURATION 3.0
#define DEADLINE 2.0
#define RETRY    0.4

static void cand_init(struct cand *k, struct kfake *f, const char *id)
{
    memset(k, 0, sizeof(*k));
    k->id = id;
    k->loop = f->loop;
    struct kube_client_options co = { 0 };
    co.qps = -1;
    k->c = kclient(f, &co);
    struct kube_lease_options o = { 0 };
    o.ns = "kube-system";
    o.name = "cluster-autoscaler";
    o.identity = id;
    o.lease_duration_ns = (int64_t)(DURATION * 1e9);
    o.renew_deadline_ns = (int64_t)(DEADLINE * 1e9);
    o.retry_period_ns = (int64_t)(RETRY * 1e9);
    o.on_started_leading = on_started;
    o.on_stopped_leading = on_stopped;
    o.ctx = k;
    struct hs_err err = { 0 };
    assert_int_equal(kube_lease_new(k->c, &o, &k->l, &err), HS_OK);
}

static void cand_free(struct cand *k)
{
    kube_lease_free(&k->l);
    kube_client_free(&k->c);
}

static bool leads(void *ctx)
{
    return kube_lease_is_leader(((struct cand *)ctx)->l);
}

static bool not_leads(void *ctx)
{
    return !kube_lease_is_leader(((struct cand *)ctx)->l);
}

static char *holder(struct kfake *f)
{
    char *out = NULL;
    assert_int_equal(kubectl(f, &out,
                             "get lease -n kube-system cluster-autoscaler -o "
                             "jsonpath='{.spec.holderIdentity}/{.spec.leaseDurationSeconds}'"),
                     0);
    return out;
}

static bool released(void *ctx)
{
    return kube_lease_get_state(((struct cand *)ctx)->l) == KUBE_LEASE_STOPPED;
}

static void test_two_candidates(void **state)
{
    (void)state;
    struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
    struct kfake f;
    assert_int_equal(kfake_start(&f, loop, NULL), 0);
    struct cand a, b, c;
    cand_init(&a, &f, "hoist-a");
    cand_init(&b, &f, "hoist-b");
    kube_lease_start(a.l);
    assert_true(kwait(loop, 20, leads, &a));
    kube_lease_start(b.l);
    krun_for(loop, DURATION + 1.0); /* b watches a live lease and waits */
    assert_true(kube_lease_is_leader(a.l));
    assert_false(kube_lease_is_leader(b.l));
    assert_int_equal(b.started, 0);
    assert_string_equal(kube_lease_holder(b.l), "hoist-a");
    char *h = holder(&f);
    assert_string_equal(h, "hoist-a/3");
    hs_free(h);

    /* The fake fails every write of the Lease: a stops within the deadline. */
    kfake_admin(&f, "faults",
                "{\"rules\":[{\"match\":{\"method\":\"PUT\",\"path\":\"/leases/"
                "cluster-autoscaler$\"},\"status\":500}]}");
    ev_now_update(loop);
    double fault_at = ev_now(loop);
    assert_true(kwait(loop, 20, not_leads, &a));
    assert_int_equal(a.stopped, 1);
    assert_true(a.stopped_at - fault_at <= DEADLINE + 0.3);
    assert_false(kube_lease_is_leader(b.l)); /* b could not write either */

    /* a is gone for good (a crash: no release); b takes over within the
     * lease duration of a's last renewal. */
    cand_free(&a);
    kfake_request(&f, "DELETE", "/_fake/faults", NULL, NULL);
    assert_true(kwait(loop, 20, leads, &b));
    assert_true(b.started_at - fault_at <= DURATION + 2 * RETRY + 0.5);
    h = holder(&f);
    assert_string_equal(h, "hoist-b/3");
    hs_free(h);

    /* b releases: the Lease shows no holder and a one-second duration, and
     * a new candidate takes it without waiting a lease duration. */
    kube_lease_release(b.l, NULL, NULL);
    assert_int_equal(b.stopped, 1);
    assert_true(kwait(loop, 20, released, &b));
    h = holder(&f);
    assert_string_equal(h, "/1");
    hs_free(h);
    cand_init(&c, &f, "hoist-c");
    ev_now_update(loop);
    double t0 = ev_now(loop);
    kube_lease_start(c.l);
    assert_true(kwait(loop, 20, leads, &c));
    assert_true(c.started_at - t0 < 1.0 + RETRY);
    cand_free(&b);
    cand_free(&c);
    kfake_stop(&f);
    ev_loop_destroy(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_candidates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
