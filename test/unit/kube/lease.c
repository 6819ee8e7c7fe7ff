/*
 * The timing rules of lib/kube/lease.c under a fake clock (lib/base
 * clock.h), against an in-process API server that holds one Lease (lib/http's
 * fake transport: GET, POST, PUT with resourceVersion conflicts, and faults):
 *   - a follower takes a held Lease only once leaseDurationSeconds have
 *     passed, on its own clock, since it first saw the holder's current
 *     record (a renewal by the holder restarts the wait);
 *   - a leader whose renewals fail stops leading, callback included, no later
 *     than the renew deadline after its last successful renewal, and never
 *     reports leading past it, even before the loop has had a chance to run;
 *   - release on shutdown clears the holder so the next candidate takes the
 *     Lease at once;
 *   - after losing the Lease the elector never acts as leader again until a
 *     write of its own has succeeded (hoist goes back to acquiring where
 *     client-go's Run returns: see lease.c), checked on scripted runs and on
 *     random schedules of faults, steals and clock jumps.
 * Real time only paces the loop (a 20 ms retry period); every decision reads
 * the fake clock. No sockets, no sleeps.
 */
#include "hs_test.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "http/fake.h"
#include "kube/client.h"
#include "kube/lease.h"

#define LEASE_PATH "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/cluster-autoscaler"
#define LEASE_COLL "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases"

#define DURATION (15 * HS_SEC)
#define DEADLINE (10 * HS_SEC)
#define RETRY    (20 * HS_MSEC) /* real time between attempts; decisions use the fake clock */

/* The in-process API server: one Lease, or none. */
struct srv {
    struct hs_fake_clock *clock;
    json_t *lease; /* NULL: absent */
    unsigned long rv;
    bool fail_reads, fail_writes;
    int gets, writes_ok;
    char body[4096];
    /* per identity: mono time of the last successful write, and count */
    struct {
        char id[32];
        int64_t last_ok;
        int oks;
    } who[4];
};

static int who_index(struct srv *s, const char *id)
{
    for (int i = 0; i < 4; i++) {
        if (!s->who[i].id[0])
            snprintf(s->who[i].id, sizeof(s->who[i].id), "%s", id);
        if (strcmp(s->who[i].id, id) == 0)
            return i;
    }
    fail_msg("too many identities");
    return 0;
}

static const char *holder_of(json_t *lease)
{
    json_t *h = json_object_get(json_object_get(lease, "spec"), "holderIdentity");
    return json_is_string(h) ? json_string_value(h) : "";
}

static void reply_json(struct srv *s, struct http_fake_reply *rep, int status, json_t *obj)
{
    char *text = json_dumps(obj, JSON_COMPACT);
    snprintf(s->body, sizeof(s->body), "%s", text);
    free(text);
    rep->status = status;
    rep->body = s->body;
    rep->body_len = strlen(s->body);
}

static void reply_status(struct srv *s, struct http_fake_reply *rep, int code, const char *reason)
{
    snprintf(s->body, sizeof(s->body),
             "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":"
             "\"%s\",\"message\":\"%s\",\"code\":%d}",
             reason, reason, code);
    rep->status = code;
    rep->body = s->body;
    rep->body_len = strlen(s->body);
}

static void store(struct srv *s, json_t *obj)
{
    char rv[32];
    snprintf(rv, sizeof(rv), "%lu", ++s->rv);
    json_object_set_new(json_object_get(obj, "metadata"), "resourceVersion", json_string(rv));
    json_decref(s->lease);
    s->lease = json_incref(obj);
}

static void handler(void *ctx, const struct http_fake_request *req, struct http_fake_reply *rep)
{
    struct srv *s = ctx;
    const char *path = strstr(req->url, "/apis/");
    bool get = strcmp(req->method, "GET") == 0;
    if (get) {
        s->gets++;
        if (s->fail_reads)
            return reply_status(s, rep, 500, "InternalError");
        if (!s->lease || strcmp(path, LEASE_PATH) != 0)
            return reply_status(s, rep, 404, "NotFound");
        return reply_json(s, rep, 200, s->lease);
    }
    if (s->fail_writes)
        return reply_status(s, rep, 500, "InternalError");
    json_t *obj = json_loadb(req->body, req->body_len, 0, NULL);
    assert_non_null(obj);
    if (strcmp(req->method, "POST") == 0) {
        assert_string_equal(path, LEASE_COLL);
        if (s->lease) {
            json_decref(obj);
            return reply_status(s, rep, 409, "AlreadyExists");
        }
    } else {
        assert_string_equal(req->method, "PUT");
        assert_string_equal(path, LEASE_PATH);
        json_t *rv = json_object_get(json_object_get(obj, "metadata"), "resourceVersion");
        json_t *cur = json_object_get(json_object_get(s->lease, "metadata"), "resourceVersion");
        if (!s->lease || !json_is_string(rv) ||
            strcmp(json_string_value(rv), json_string_value(cur)) != 0) {
            json_decref(obj);
            return reply_status(s, rep, 409, "Conflict");
        }
    }
    store(s, obj);
    const char *h = holder_of(obj);
    if (*h) {
        int i = who_index(s, h);
        s->who[i].last_ok = hs_clock_mono(&s->clock->clock);
        s->who[i].oks++;
    }
    s->writes_ok++;
    reply_json(s, rep, strcmp(req->method, "POST") == 0 ? 201 : 200, obj);
    json_decref(obj);
}

/* Someone else (not an elector of this test) holds the Lease, renewed now. */
static void srv_set_other(struct srv *s, const char *holder)
{
    char now[40];
    hs_time_format_rfc3339(hs_clock_wall(&s->clock->clock), now, sizeof(now));
    json_t *obj = s->lease ? json_deep_copy(s->lease)
                           : json_pack("{s:{s:s,s:s}}", "metadata", "name", "cluster-autoscaler",
                                       "namespace", "kube-system");
    json_t *spec = json_pack("{s:s,s:i,s:s,s:s}", "holderIdentity", holder, "leaseDurationSeconds",
                             (int)(DURATION / HS_SEC), "acquireTime", now, "renewTime", now);
    json_object_set_new(obj, "spec", spec);
    store(s, obj);
    json_decref(obj);
}

/* One candidate. */
struct cand {
    struct srv *srv;
    const char *id;
    struct kube_client *c;
    struct kube_lease *l;
    int started, stopped;
    int oks_at_stop; /* the server's count of its successful writes when it last stopped */
};

/* The candidates whose requests attempts() waits out (NULL-terminated). */
static struct cand *active[4];

static void on_started(void *ctx)
{
    struct cand *k = ctx;
    /* Leading again after a loss needs a write of its own since then. */
    int i = who_index(k->srv, k->id);
    assert_true(k->srv->who[i].oks > k->oks_at_stop);
    assert_int_equal(k->started, k->stopped);
    k->started++;
}

static void on_stopped(void *ctx)
{
    struct cand *k = ctx;
    assert_int_equal(k->started, k->stopped + 1);
    k->stopped++;
    k->oks_at_stop = k->srv->who[who_index(k->srv, k->id)].oks;
}

static enum hs_code factory(void *ctx, struct ev_loop *loop, const struct http_client_options *o,
                            struct http_client **out, struct hs_err *err)
{
    return http_client_new_fake(loop, o, handler, ctx, out, err);
}

struct env {
    struct ev_loop *loop;
    struct hs_fake_clock clock;
    struct srv srv;
};

static void env_init(struct env *e)
{
    memset(e, 0, sizeof(*e));
    e->loop = ev_loop_new(EVFLAG_AUTO);
    hs_fake_clock_init(&e->clock, 1795852800 * HS_SEC);
    e->srv.clock = &e->clock;
}

static void env_release(struct env *e)
{
    json_decref(e->srv.lease);
    ev_loop_destroy(e->loop);
}

static void cand_init(struct cand *k, struct env *e, const char *id)
{
    memset(k, 0, sizeof(*k));
    k->srv = &e->srv;
    k->id = id;
    char server[] = "https://lease.invalid";
    struct kube_config cfg = { 0 };
    cfg.server = server;
    struct kube_client_options co = { 0 };
    co.qps = -1;
    co.clock = &e->clock.clock;
    co.http_factory = factory;
    co.http_factory_ctx = &e->srv;
    struct hs_err err = { 0 };
    assert_int_equal(kube_client_new(e->loop, &cfg, &co, &k->c, &err), HS_OK);
    struct kube_lease_options o = { 0 };
    o.ns = "kube-system";
    o.name = "cluster-autoscaler";
    o.identity = id;
    o.lease_duration_ns = DURATION;
    o.renew_deadline_ns = DEADLINE;
    o.retry_period_ns = RETRY;
    o.on_started_leading = on_started;
    o.on_stopped_leading = on_stopped;
    o.ctx = k;
    assert_int_equal(kube_lease_new(k->c, &o, &k->l, &err), HS_OK);
    int i = 0;
    while (active[i])
        i++;
    active[i] = k;
}

static void cand_free(struct cand *k)
{
    kube_lease_free(&k->l);
    kube_client_free(&k->c);
    int i = 0;
    while (active[i] && active[i] != k)
        i++;
    for (; active[i]; i++)
        active[i] = active[i + 1];
}

static void on_break(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)w;
    (void)revents;
    ev_break(loop, EVBREAK_ONE);
}

static size_t in_flight(void)
{
    size_t n = 0;
    for (int i = 0; active[i]; i++)
        n += kube_client_in_flight(active[i]->c);
    return n;
}

/* Runs the loop until the server has seen n more GETs (so at least one
 * attempt began after the clock last moved) and then until no request is in
 * flight: the test moves the fake clock only between exchanges, so the
 * server's time of a write is the elector's time of its success. Fails
 * after 30 s of real time. */
static void attempts(struct env *e, int n)
{
    int want = e->srv.gets + n;
    ev_timer t;
    ev_timer_init(&t, on_break, 0.002, 0.002);
    ev_timer_start(e->loop, &t);
    ev_now_update(e->loop);
    double until = ev_now(e->loop) + 30;
    while (e->srv.gets < want || in_flight() > 0) {
        ev_run(e->loop, EVRUN_ONCE);
        ev_now_update(e->loop);
        if (ev_now(e->loop) > until)
            fail_msg("the elector made no attempt for 30 s");
    }
    ev_timer_stop(e->loop, &t);
}

static int64_t mono(struct env *e)
{
    return hs_clock_mono(&e->clock.clock);
}

static void test_follower_waits_a_lease_duration(void **state)
{
    (void)state;
    struct env e;
    env_init(&e);
    srv_set_other(&e.srv, "other");
    struct cand me;
    cand_init(&me, &e, "me");
    kube_lease_start(me.l);
    attempts(&e, 2); /* first seen at mono 0 */
    int64_t seen = mono(&e);
    /* The holder's record stays the same: not before a lease duration. */
    while (mono(&e) + HS_SEC < seen + DURATION) {
        hs_fake_clock_advance(&e.clock, HS_SEC);
        attempts(&e, 2);
        assert_false(kube_lease_is_leader(me.l));
        assert_string_equal(kube_lease_holder(me.l), "other");
    }
    /* The holder renews 1 s before it would expire: the wait starts over. */
    hs_fake_clock_advance(&e.clock, seen + DURATION - HS_SEC - mono(&e));
    srv_set_other(&e.srv, "other");
    attempts(&e, 2);
    int64_t renewed_seen = mono(&e);
    hs_fake_clock_advance(&e.clock, 2 * HS_SEC); /* past the first record's expiry */
    attempts(&e, 2);
    assert_false(kube_lease_is_leader(me.l));
    hs_fake_clock_advance(&e.clock, renewed_seen + DURATION - HS_MSEC - mono(&e));
    attempts(&e, 3);
    assert_false(kube_lease_is_leader(me.l));
    assert_int_equal(me.started, 0);
    /* A lease duration after it first saw the renewed record: it takes it. */
    hs_fake_clock_advance(&e.clock, HS_MSEC);
    attempts(&e, 2);
    assert_true(kube_lease_is_leader(me.l));
    assert_int_equal(me.started, 1);
    assert_string_equal(holder_of(e.srv.lease), "me");
    json_t *tr = json_object_get(json_object_get(e.srv.lease, "spec"), "leaseTransitions");
    assert_int_equal(json_integer_value(tr), 1);
    cand_free(&me);
    env_release(&e);
}

static void test_leader_stops_by_the_renew_deadline(void **state)
{
    (void)state;
    struct env e;
    env_init(&e);
    struct cand me;
    cand_init(&me, &e, "me");
    kube_lease_start(me.l);
    attempts(&e, 2);
    assert_true(kube_lease_is_leader(me.l));
    hs_fake_clock_advance(&e.clock, 3 * HS_SEC);
    attempts(&e, 2); /* renewed at 3 s */
    int64_t last_ok = e.srv.who[who_index(&e.srv, "me")].last_ok;
    assert_int_equal(last_ok, 3 * HS_SEC);

    /* Renewals fail from now on. */
    e.srv.fail_writes = true;
    while (mono(&e) + 500 * HS_MSEC < last_ok + DEADLINE) {
        hs_fake_clock_advance(&e.clock, 500 * HS_MSEC);
        attempts(&e, 2);
        assert_true(kube_lease_is_leader(me.l));
        assert_int_equal(me.stopped, 0);
    }
    /* The deadline passes while the loop is busy elsewhere: no longer
     * leader at once, even before any timer or attempt has run... */
    hs_fake_clock_advance(&e.clock, last_ok + DEADLINE - mono(&e));
    assert_false(kube_lease_is_leader(me.l));
    /* ... and the callback comes with the next look, not a real-time
     * renew deadline later. */
    attempts(&e, 1);
    assert_int_equal(me.stopped, 1);

    /* The API server recovers: the Lease is still ours on it, so the next
     * write makes us leader again (hoist keeps campaigning; see lease.c). */
    e.srv.fail_writes = false;
    attempts(&e, 2);
    assert_true(kube_lease_is_leader(me.l));
    assert_int_equal(me.started, 2);
    cand_free(&me);
    env_release(&e);
}

static void on_release_done(void *ctx, enum hs_code rc)
{
    *(enum hs_code *)ctx = rc;
}

static void test_release_on_shutdown(void **state)
{
    (void)state;
    struct env e;
    env_init(&e);
    struct cand me, you;
    cand_init(&me, &e, "me");
    cand_init(&you, &e, "you");
    kube_lease_start(me.l);
    attempts(&e, 2);
    assert_true(kube_lease_is_leader(me.l));
    kube_lease_start(you.l);
    attempts(&e, 3);
    assert_false(kube_lease_is_leader(you.l));

    enum hs_code rc = HS_EINVAL;
    kube_lease_release(me.l, on_release_done, &rc);
    /* The callback runs before the PUT: the caller stops acting at once. */
    assert_int_equal(me.stopped, 1);
    assert_false(kube_lease_is_leader(me.l));
    assert_int_equal(kube_lease_get_state(me.l), KUBE_LEASE_RELEASING);
    int writes = e.srv.writes_ok;
    while (rc == HS_EINVAL)
        ev_run(e.loop, EVRUN_ONCE);
    assert_int_equal(rc, HS_OK);
    assert_int_equal(kube_lease_get_state(me.l), KUBE_LEASE_STOPPED);
    assert_true(e.srv.writes_ok > writes);
    json_t *spec = json_object_get(e.srv.lease, "spec");
    assert_string_equal(holder_of(e.srv.lease), "");
    assert_int_equal(json_integer_value(json_object_get(spec, "leaseDurationSeconds")), 1);

    /* The other candidate takes it without waiting: no fake time passes. */
    int64_t t = mono(&e);
    attempts(&e, 3);
    assert_int_equal(mono(&e), t);
    assert_true(kube_lease_is_leader(you.l));
    assert_string_equal(holder_of(e.srv.lease), "you");
    assert_int_equal(me.started, 1); /* stopped for good */
    cand_free(&me);
    cand_free(&you);
    env_release(&e);
}

static void test_lost_lease_is_never_led_until_retaken(void **state)
{
    (void)state;
    struct env e;
    env_init(&e);
    struct cand me;
    cand_init(&me, &e, "me");
    kube_lease_start(me.l);
    attempts(&e, 2);
    assert_true(kube_lease_is_leader(me.l));
    /* Another replica took the Lease (say, after a partition): on the next
     * look we stop leading. */
    srv_set_other(&e.srv, "other");
    attempts(&e, 2);
    assert_false(kube_lease_is_leader(me.l));
    assert_int_equal(me.stopped, 1);
    /* While the other holds it, never leader, whatever the time says. */
    for (int i = 0; i < 28; i++) {
        hs_fake_clock_advance(&e.clock, 500 * HS_MSEC);
        attempts(&e, 1);
        assert_false(kube_lease_is_leader(me.l));
        assert_int_equal(me.started, 1);
        if (i % 5 == 4)
            srv_set_other(&e.srv, "other"); /* it renews */
    }
    /* It stops renewing: a lease duration after our last sight of its
     * record we take the Lease back, with a write of our own. */
    srv_set_other(&e.srv, "other");
    attempts(&e, 2);
    hs_fake_clock_advance(&e.clock, DURATION - HS_MSEC);
    attempts(&e, 2);
    assert_false(kube_lease_is_leader(me.l));
    hs_fake_clock_advance(&e.clock, HS_MSEC);
    attempts(&e, 2);
    assert_true(kube_lease_is_leader(me.l));
    assert_int_equal(me.started, 2);
    assert_string_equal(holder_of(e.srv.lease), "me");
    cand_free(&me);
    env_release(&e);
}

/* Random schedules of faults, steals, renewals by a third party and clock
 * jumps: the invariants hold after every step. */
static uint64_t rng = 0x5eed1234abcdULL;
static unsigned next_rand(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void check(struct env *e, struct cand *k)
{
    bool leading = kube_lease_is_leader(k->l);
    int i = who_index(&e->srv, k->id);
    /* Leading means a write of ours succeeded less than a renew deadline ago. */
    if (leading)
        assert_true(mono(e) - e->srv.who[i].last_ok < DEADLINE);
    /* ... and the callbacks agree. */
    assert_int_equal(leading ? 1 : 0, k->started - k->stopped);
}

static void test_random_schedules(void **state)
{
    (void)state;
    for (int round = 0; round < 6; round++) {
        struct env e;
        env_init(&e);
        struct cand a, b;
        cand_init(&a, &e, "a");
        cand_init(&b, &e, "b");
        kube_lease_start(a.l);
        kube_lease_start(b.l);
        for (int step = 0; step < 60; step++) {
            switch (next_rand(8)) {
            case 0:
                e.srv.fail_writes = !e.srv.fail_writes;
                break;
            case 1:
                e.srv.fail_reads = !e.srv.fail_reads;
                break;
            case 2:
                srv_set_other(&e.srv, "third");
                break;
            default:
                break;
            }
            hs_fake_clock_advance(&e.clock, (int64_t)next_rand(4000) * HS_MSEC);
            /* Before the loop sees the new time: not leading past the deadline. */
            assert_false(kube_lease_is_leader(a.l) &&
                         mono(&e) - e.srv.who[who_index(&e.srv, "a")].last_ok >= DEADLINE);
            assert_false(kube_lease_is_leader(b.l) &&
                         mono(&e) - e.srv.who[who_index(&e.srv, "b")].last_ok >= DEADLINE);
            attempts(&e, 1 + (int)next_rand(3));
            check(&e, &a);
            check(&e, &b);
            /* Never two leaders at one time. */
            assert_false(kube_lease_is_leader(a.l) && kube_lease_is_leader(b.l));
        }
        cand_free(&a);
        cand_free(&b);
        env_release(&e);
    }
}

int main(void)
{
    hs_log_set_verbosity(0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_follower_waits_a_lease_duration),
        cmocka_unit_test(test_leader_stops_by_the_renew_deadline),
        cmocka_unit_test(test_release_on_shutdown),
        cmocka_unit_test(test_lost_lease_is_never_led_until_retaken),
        cmocka_unit_test(test_random_schedules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
