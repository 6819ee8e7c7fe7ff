/*
 * The leader elector of kube/lease.h: one attempt at a time (GET the Lease,
 * then POST it when missing or PUT it with the resourceVersion read when
 * ours to take or renew), attempts a retry period apart, and a separate
 * deadline timer while leading that ends leadership when the last
 * successful renewal is a renew deadline old, even if a request hangs.
 * Other holders' leases are judged by when *we* first saw their current
 * record, never by their timestamps, so clock skew between machines cannot
 * make us take a live lease.
 *
 * After losing the Lease (the renew deadline passed, or another holder took
 * it) the elector goes back to FOLLOWING and may lead again once a write of
 * its own succeeds; on_started_leading then runs again. This differs from
 * client-go, whose LeaderElector.Run returns after OnStoppedLeading (and
 * cluster-autoscaler exits there, to be restarted by its Deployment). hoist
 * keeps the process because its caches are warm and its controller treats
 * on_stopped_leading as the end of everything it did as leader and
 * on_started_leading as a fresh start; the safety rule is the same in both:
 * no action between losing and a new successful acquisition.
 *
 * This file must never call on_started_leading without a successful write,
 * never let the deadline pass without calling on_stopped_leading (at the
 * latest at the next thing the elector does), never report leading past
 * the deadline, and never run a callback after kube_lease_free.
 */
#include "kube/lease.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/log.h"

struct kube_lease {
    struct kube_client *c;
    struct hs_clock *clock;
    struct ev_loop *loop;
    char *ns, *name, *identity, *path, *coll, *subject;
    int64_t duration, deadline, retry;
    void (*on_started)(void *ctx);
    void (*on_stopped)(void *ctx);
    void *ctx;

    enum kube_lease_state state;
    bool leader;
    struct kube_request *req;
    ev_timer retry_w;    /* the next attempt */
    ev_timer deadline_w; /* leading: when the renew deadline would pass */
    int64_t last_renew;  /* mono time of the last successful write */

    char *obs_key;        /* the other holder's record as last seen */
    int64_t obs_time;     /* mono time it was first seen */
    int64_t obs_duration; /* its leaseDurationSeconds, ns */
    char *holder;         /* observed holder ("" none) */
    json_t *last;         /* our Lease as last written (for the release) */
    void (*release_done)(void *ctx, enum hs_code rc);
    void *release_ctx;
};

static void attempt(struct kube_lease *l);

const char *kube_lease_state_name(enum kube_lease_state s)
{
    switch (s) {
    case KUBE_LEASE_IDLE:
        return "IDLE";
    case KUBE_LEASE_FOLLOWING:
        return "FOLLOWING";
    case KUBE_LEASE_LEADING:
        return "LEADING";
    case KUBE_LEASE_RELEASING:
        return "RELEASING";
    case KUBE_LEASE_STOPPED:
        return "STOPPED";
    }
    return "?";
}

static void now_str(struct kube_lease *l, char *buf, size_t size)
{
    hs_time_format_rfc3339(hs_clock_wall(l->clock), buf, size);
}

static void schedule(struct kube_lease *l, int64_t ns)
{
    ev_timer_stop(l->loop, &l->retry_w);
    ev_timer_set(&l->retry_w, ns > 0 ? (double)ns / 1e9 : 0., 0.);
    ev_timer_start(l->loop, &l->retry_w);
}

static void arm_deadline(struct kube_lease *l)
{
    int64_t left = l->last_renew + l->deadline - hs_clock_mono(l->clock);
    ev_timer_stop(l->loop, &l->deadline_w);
    ev_timer_set(&l->deadline_w, left > 0 ? (double)left / 1e9 : 0., 0.);
    ev_timer_start(l->loop, &l->deadline_w);
}

static void lose(struct kube_lease *l, const char *why)
{
    if (!l->leader)
        return;
    l->leader = false;
    l->state = KUBE_LEASE_FOLLOWING;
    ev_timer_stop(l->loop, &l->deadline_w);
    kube_request_cancel(&l->req);
    HS_WARNS("Lost the leader lease", "lease", l->subject, "identity", l->identity, "reason", why);
    if (l->on_stopped)
        l->on_stopped(l->ctx);
}

static bool expired(const struct kube_lease *l)
{
    return hs_clock_mono(l->clock) - l->last_renew >= l->deadline;
}

/* Ends leadership when the renew deadline has passed. Run before anything
 * the elector does, not only from the deadline timer: the loop may have
 * been busy past the deadline, and a renewal that succeeds after it must
 * count as a new acquisition (callbacks included), not as a renewal. */
static bool check_deadline(struct kube_lease *l)
{
    if (!l->leader || !expired(l))
        return false;
    lose(l, "no renewal succeeded within the renew deadline");
    return true;
}

static void on_deadline(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct kube_lease *l = hs_container_of(w, struct kube_lease, deadline_w);
    if (check_deadline(l))
        schedule(l, l->retry);
    else if (l->leader)
        arm_deadline(l);
}

static void on_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    attempt(hs_container_of(w, struct kube_lease, retry_w));
}

static void after_attempt(struct kube_lease *l)
{
    if (l->state == KUBE_LEASE_FOLLOWING || l->state == KUBE_LEASE_LEADING)
        schedule(l, l->retry);
}

static void on_written(void *ctx, enum hs_code rc, const struct kube_response *resp,
                       const struct hs_err *err)
{
    struct kube_lease *l = ctx;
    l->req = NULL;
    check_deadline(l);
    if (rc) {
        HS_V(1, "lease %s: %s", l->subject, err->msg);
        after_attempt(l);
        return;
    }
    json_t *obj = json_loadb(resp->body, resp->body_len, 0, NULL);
    if (json_is_object(obj)) {
        json_decref(l->last);
        l->last = obj;
    } else {
        json_decref(obj);
    }
    l->last_renew = hs_clock_mono(l->clock);
    hs_free(l->holder);
    l->holder = hs_strdup(l->identity);
    if (!l->leader) {
        l->leader = true;
        l->state = KUBE_LEASE_LEADING;
        HS_INFOS("Became the leader", "lease", l->subject, "identity", l->identity);
        arm_deadline(l);
        if (l->on_started)
            l->on_started(l->ctx);
    } else {
        arm_deadline(l);
    }
    after_attempt(l);
}

static void send(struct kube_lease *l, const char *verb, const char *path, json_t *obj,
                 void (*done)(void *, enum hs_code, const struct kube_response *,
                              const struct hs_err *))
{
    char *body = json_dumps(obj, JSON_COMPACT);
    struct kube_request_options o = { 0 };
    struct hs_err err = { 0 };
    o.verb = verb;
    o.path = path;
    o.subject = l->subject;
    o.body = body;
    o.body_len = strlen(body);
    o.timeout_ns = l->deadline;
    o.max_retries = -1;
    o.on_done = done;
    o.ctx = l;
    enum hs_code rc = kube_request_start(l->c, &o, &l->req, &err);
    free(body);
    if (rc) {
        HS_WARN("lease %s: %s", l->subject, err.msg);
        if (done == on_written)
            after_attempt(l);
    }
}

/* Sets the spec of obj to us holding the Lease from now. */
static void fill_spec(struct kube_lease *l, json_t *obj, bool take)
{
    char now[40];
    now_str(l, now, sizeof(now));
    json_t *spec = json_object_get(obj, "spec");
    if (!json_is_object(spec)) {
        spec = json_object();
        json_object_set_new(obj, "spec", spec);
    }
    if (take) {
        json_int_t tr = json_integer_value(json_object_get(spec, "leaseTransitions"));
        bool had_holder = json_is_string(json_object_get(spec, "holderIdentity")) &&
                          *json_string_value(json_object_get(spec, "holderIdentity"));
        json_object_set_new(spec, "acquireTime", json_string(now));
        json_object_set_new(spec, "leaseTransitions", json_integer(tr + (had_holder ? 1 : 0)));
    }
    json_object_set_new(spec, "holderIdentity", json_string(l->identity));
    json_object_set_new(spec, "leaseDurationSeconds", json_integer(l->duration / HS_SEC));
    json_object_set_new(spec, "renewTime", json_string(now));
}

static void on_read(void *ctx, enum hs_code rc, const struct kube_response *resp,
                    const struct hs_err *err)
{
    struct kube_lease *l = ctx;
    l->req = NULL;
    check_deadline(l);
    if (rc == HS_ENOTFOUND) {
        json_t *obj = json_object(), *meta = json_object();
        json_object_set_new(obj, "apiVersion", json_string("coordination.k8s.io/v1"));
        json_object_set_new(obj, "kind", json_string("Lease"));
        json_object_set_new(meta, "name", json_string(l->name));
        json_object_set_new(meta, "namespace", json_string(l->ns));
        json_object_set_new(obj, "metadata", meta);
        fill_spec(l, obj, true);
        send(l, "POST", l->coll, obj, on_written);
        json_decref(obj);
        return;
    }
    if (rc) {
        HS_V(1, "lease %s: %s", l->subject, err->msg);
        after_attempt(l);
        return;
    }
    json_t *obj = json_loadb(resp->body, resp->body_len, 0, NULL);
    json_t *spec = json_object_get(obj, "spec");
    if (!json_is_object(obj)) {
        json_decref(obj);
        after_attempt(l);
        return;
    }
    json_t *hj = json_object_get(spec, "holderIdentity");
    const char *holder = json_is_string(hj) ? json_string_value(hj) : "";
    json_int_t dur = json_integer_value(json_object_get(spec, "leaseDurationSeconds"));
    json_t *rt = json_object_get(spec, "renewTime"), *at = json_object_get(spec, "acquireTime");
    struct hs_buf key;
    hs_buf_init(&key);
    hs_buf_addf(&key, "%s|%s|%s|%lld", holder, json_is_string(rt) ? json_string_value(rt) : "",
                json_is_string(at) ? json_string_value(at) : "", (long long)dur);
    int64_t now = hs_clock_mono(l->clock);
    if (!l->obs_key || strcmp(l->obs_key, key.data) != 0) {
        hs_free(l->obs_key);
        l->obs_key = hs_buf_detach(&key);
        l->obs_time = now;
        l->obs_duration = (int64_t)dur * HS_SEC;
    }
    hs_buf_release(&key);
    hs_free(l->holder);
    l->holder = hs_strdup(holder);
    bool mine = strcmp(holder, l->identity) == 0;
    if (*holder && !mine && now < l->obs_time + l->obs_duration) {
        /* Someone else holds a lease that is still live. */
        json_decref(obj);
        if (l->leader)
            lose(l, "another holder took the lease");
        after_attempt(l);
        return;
    }
    fill_spec(l, obj, !mine);
    send(l, "PUT", l->path, obj, on_written);
    json_decref(obj);
}

static void attempt(struct kube_lease *l)
{
    if (l->state != KUBE_LEASE_FOLLOWING && l->state != KUBE_LEASE_LEADING)
        return;
    check_deadline(l);
    struct kube_request_options o = { 0 };
    struct hs_err err = { 0 };
    o.verb = "GET";
    o.path = l->path;
    o.subject = l->subject;
    o.timeout_ns = l->deadline;
    o.max_retries = -1;
    o.on_done = on_read;
    o.ctx = l;
    if (kube_request_start(l->c, &o, &l->req, &err)) {
        HS_WARN("lease %s: %s", l->subject, err.msg);
        after_attempt(l);
    }
}

enum hs_code kube_lease_new(struct kube_client *c, const struct kube_lease_options *opts,
                            struct kube_lease **out, struct hs_err *err)
{
    if (!opts || !opts->ns || !*opts->ns || !opts->name || !*opts->name || !opts->identity ||
        !*opts->identity)
        return hs_err_set(err, HS_EINVAL, "leader election: namespace, name and identity needed");
    int64_t d = opts->lease_duration_ns ? opts->lease_duration_ns : 15 * HS_SEC;
    int64_t rd = opts->renew_deadline_ns ? opts->renew_deadline_ns : 10 * HS_SEC;
    int64_t rp = opts->retry_period_ns ? opts->retry_period_ns : 2 * HS_SEC;
    if (d < HS_SEC || rd >= d || rp >= rd || rp <= 0)
        return hs_err_set(err, HS_EINVAL,
                          "leader election: want lease duration (%.1fs, >= 1s) > renew deadline "
                          "(%.1fs) > retry period (%.1fs) > 0",
                          (double)d / 1e9, (double)rd / 1e9, (double)rp / 1e9);
    struct kube_lease *l = hs_calloc(1, sizeof(*l));
    l->c = c;
    l->clock = opts->clock ? opts->clock : kube_client_clock(c);
    l->loop = kube_client_loop(c);
    l->ns = hs_strdup(opts->ns);
    l->name = hs_strdup(opts->name);
    l->identity = hs_strdup(opts->identity);
    struct hs_buf b;
    hs_buf_init(&b);
    hs_buf_adds(&b, "/apis/coordination.k8s.io/v1/namespaces/");
    kube_path_escape(&b, l->ns);
    hs_buf_adds(&b, "/leases");
    l->coll = hs_strdup(b.data);
    hs_buf_addc(&b, '/');
    kube_path_escape(&b, l->name);
    l->path = hs_buf_detach(&b);
    hs_buf_addf(&b, "leases/%s/%s", l->ns, l->name);
    l->subject = hs_buf_detach(&b);
    l->duration = d;
    l->deadline = rd;
    l->retry = rp;
    l->on_started = opts->on_started_leading;
    l->on_stopped = opts->on_stopped_leading;
    l->ctx = opts->ctx;
    l->holder = hs_strdup("");
    ev_timer_init(&l->retry_w, on_retry, 0., 0.);
    ev_timer_init(&l->deadline_w, on_deadline, 0., 0.);
    l->state = KUBE_LEASE_IDLE;
    *out = l;
    return HS_OK;
}

void kube_lease_free(struct kube_lease **lp)
{
    struct kube_lease *l = lp ? *lp : NULL;
    if (!l)
        return;
    kube_request_cancel(&l->req);
    ev_timer_stop(l->loop, &l->retry_w);
    ev_timer_stop(l->loop, &l->deadline_w);
    json_decref(l->last);
    hs_free(l->ns);
    hs_free(l->name);
    hs_free(l->identity);
    hs_free(l->path);
    hs_free(l->coll);
    hs_free(l->subject);
    hs_free(l->obs_key);
    hs_free(l->holder);
    hs_free(l);
    *lp = NULL;
}

void kube_lease_start(struct kube_lease *l)
{
    if (l->state != KUBE_LEASE_IDLE && l->state != KUBE_LEASE_STOPPED)
        return;
    l->state = KUBE_LEASE_FOLLOWING;
    schedule(l, 0);
}

static void on_released(void *ctx, enum hs_code rc, const struct kube_response *resp,
                        const struct hs_err *err)
{
    struct kube_lease *l = ctx;
    (void)resp;
    l->req = NULL;
    l->state = KUBE_LEASE_STOPPED;
    if (rc)
        HS_WARN("lease %s: release failed: %s", l->subject, err->msg);
    else
        HS_INFOS("Released the leader lease", "lease", l->subject, "identity", l->identity);
    if (l->release_done)
        l->release_done(l->release_ctx, rc);
}

void kube_lease_release(struct kube_lease *l, void (*done)(void *ctx, enum hs_code rc), void *ctx)
{
    kube_request_cancel(&l->req);
    ev_timer_stop(l->loop, &l->retry_w);
    ev_timer_stop(l->loop, &l->deadline_w);
    bool was = l->leader && l->last;
    if (l->leader) {
        l->leader = false;
        if (l->on_stopped)
            l->on_stopped(l->ctx);
    }
    if (!was) {
        l->state = KUBE_LEASE_STOPPED;
        if (done)
            done(ctx, HS_OK);
        return;
    }
    /* As client-go: no holder, a one-second lease, times now. */
    char now[40];
    now_str(l, now, sizeof(now));
    json_t *spec = json_object_get(l->last, "spec");
    if (!json_is_object(spec)) {
        spec = json_object();
        json_object_set_new(l->last, "spec", spec);
    }
    json_object_del(spec, "holderIdentity");
    json_object_set_new(spec, "leaseDurationSeconds", json_integer(1));
    json_object_set_new(spec, "renewTime", json_string(now));
    json_object_set_new(spec, "acquireTime", json_string(now));
    l->state = KUBE_LEASE_RELEASING;
    l->release_done = done;
    l->release_ctx = ctx;
    send(l, "PUT", l->path, l->last, on_released);
    if (!l->req) {
        l->state = KUBE_LEASE_STOPPED;
        if (done)
            done(ctx, HS_EKUBE);
    }
}

bool kube_lease_is_leader(const struct kube_lease *l)
{
    /* Past the renew deadline we are not leader, whether or not the loop
     * has run the callback yet. */
    return l->leader && !expired(l);
}

enum kube_lease_state kube_lease_get_state(const struct kube_lease *l)
{
    return l->state;
}

const char *kube_lease_holder(const struct kube_lease *l)
{
    return l->holder;
}
