/*
 * The credentials cache (see aws/creds_cache.h): one state machine per
 * process that keeps usable credentials at hand for the signer. Static
 * credentials are simply held; temporary ones are refreshed by a timer
 * ahead of expiry, and a failed refresh backs off while the unexpired
 * credentials keep serving requests.
 *
 * Must never: block the loop; log or report a secret (log lines carry the
 * provider, state, expiry time and error messages, which the fetchers keep
 * free of secrets); keep a secret it replaced without wiping it; run a
 * waiter's callback from inside aws_creds_cache_wait.
 */
#include "aws/creds_cache.h"
#include "client_int.h"

#include <string.h>

#include <ev.h>

#include "base/alloc.h"
#include "base/backoff.h"
#include "base/clock.h"
#include "base/log.h"

#define DEFAULT_AHEAD  (15 * HS_MIN)
#define DEFAULT_MARGIN (60 * HS_SEC)
#define DEFAULT_BASE   (1 * HS_SEC)
#define DEFAULT_CAP    (60 * HS_SEC)

struct aws_creds_cache {
    struct ev_loop *loop;
    struct http_client *http;
    struct hs_clock *clock;
    struct aws_cred_plan plan; /* owned */
    char *sts_url;             /* web identity: the STS endpoint */
    enum aws_creds_state state;
    struct aws_creds cur; /* owned; access_key_id NULL when none */
    int64_t fetched_at;   /* wall ns of the fetch that gave cur */
    int64_t next_at;      /* wall ns: refresh (FRESH) or retry (BACKOFF); 0: none */
    struct aws__fetch *fetch;
    ev_timer timer;  /* fires at next_at */
    ev_timer notify; /* 0 s: hands waiters their outcome outside the caller's stack */
    struct hs_backoff backoff;
    struct hs_err last_err; /* of the last failed fetch */
    struct aws_creds_waiter *waiters;
    unsigned gen; /* generation of waiters queued since the last wake */
    unsigned fetches, failures;
    int64_t ahead, margin, fetch_timeout, duration_s;
};

const char *aws_creds_state_name(enum aws_creds_state s)
{
    switch (s) {
    case AWS_CREDS_EMPTY:
        return "EMPTY";
    case AWS_CREDS_FETCHING:
        return "FETCHING";
    case AWS_CREDS_FRESH:
        return "FRESH";
    case AWS_CREDS_REFRESHING:
        return "REFRESHING";
    case AWS_CREDS_BACKOFF:
        return "BACKOFF";
    }
    return "UNKNOWN";
}

int64_t aws_creds_refresh_at(int64_t fetched_ns, int64_t expiration_ns, int64_t ahead_ns)
{
    int64_t life = expiration_ns - fetched_ns;
    if (life <= 0)
        return fetched_ns;
    int64_t a = ahead_ns < life / 2 ? ahead_ns : life / 2;
    return expiration_ns - a;
}

static int64_t now_wall(const struct aws_creds_cache *c)
{
    return hs_clock_wall(c->clock);
}

static bool is_static(const struct aws_creds_cache *c)
{
    return c->plan.source == AWS_CRED_ENV || c->plan.source == AWS_CRED_PROFILE;
}

/* The margin for the current credentials: the configured one, but never
 * more than a quarter of their lifetime (credentials that live shorter
 * than the margin would otherwise never be usable, and be fetched again
 * and again). */
static int64_t margin_of(const struct aws_creds_cache *c)
{
    int64_t life = c->cur.expiration - c->fetched_at;
    int64_t quarter = life > 0 ? life / 4 : 0;
    return c->margin < quarter ? c->margin : quarter;
}

static bool usable(const struct aws_creds_cache *c)
{
    if (!c->cur.access_key_id)
        return false;
    return c->cur.expiration == 0 || now_wall(c) < c->cur.expiration - margin_of(c);
}

/* ---- waiters ---- */

static void waiter_remove(struct aws_creds_cache *c, struct aws_creds_waiter *w)
{
    if (!w->queued)
        return;
    if (w->prev)
        w->prev->next = w->next;
    else
        c->waiters = w->next;
    if (w->next)
        w->next->prev = w->prev;
    w->prev = w->next = NULL;
    w->queued = false;
}

/* Hands rc (HS_OK: credentials ready) to every waiter queued before this
 * call, in arrival order. A callback may queue new waiters (they wait for
 * the next outcome: their generation is newer) or unwait queued ones. */
static void wake_all(struct aws_creds_cache *c, enum hs_code rc, const struct hs_err *err)
{
    unsigned gen = c->gen++;
    while (c->waiters && c->waiters->gen == gen) {
        struct aws_creds_waiter *w = c->waiters;
        waiter_remove(c, w);
        w->fn(w->ctx, rc, err);
    }
}

static void arm(struct aws_creds_cache *c);

static void start_fetch(struct aws_creds_cache *c);

static void notify_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    struct aws_creds_cache *c = hs_container_of(t, struct aws_creds_cache, notify);
    if (usable(c)) {
        wake_all(c, HS_OK, NULL);
        return;
    }
    if (c->state == AWS_CREDS_BACKOFF) {
        wake_all(c, c->last_err.code ? c->last_err.code : HS_EAUTH, &c->last_err);
        return;
    }
    if (c->state == AWS_CREDS_EMPTY || c->state == AWS_CREDS_FRESH)
        start_fetch(c); /* FRESH but expired: the timer has not fired yet */
}

static void notify_soon(struct aws_creds_cache *c)
{
    if (!ev_is_active(&c->notify)) {
        ev_timer_set(&c->notify, 0., 0.);
        ev_timer_start(c->loop, &c->notify);
    }
}

/* ---- fetching ---- */

static void on_fetched(void *ctx, enum hs_code rc, struct aws_creds *creds,
                       const struct hs_err *err)
{
    struct aws_creds_cache *c = ctx;
    c->fetch = NULL;
    struct hs_err expired = { 0 };
    if (rc == HS_OK && creds->expiration && creds->expiration <= now_wall(c)) {
        /* Taking them would mean fetching again at once, forever. */
        char when[40];
        hs_time_format_rfc3339(creds->expiration, when, sizeof(when));
        rc = hs_err_set(&expired, HS_EAUTH, "%s: the credentials fetched expired at %s",
                        c->plan.detail ? c->plan.detail : "credentials provider", when);
        err = &expired;
    }
    if (rc == HS_OK) {
        aws_creds_release(&c->cur);
        c->cur = *creds; /* move: the fetch frees an emptied struct */
        memset(creds, 0, sizeof(*creds));
        c->fetched_at = now_wall(c);
        hs_backoff_reset(&c->backoff);
        hs_err_clear(&c->last_err);
        c->state = AWS_CREDS_FRESH;
        c->next_at = c->cur.expiration
                         ? aws_creds_refresh_at(c->fetched_at, c->cur.expiration, c->ahead)
                         : 0;
        char exp[40] = "never";
        if (c->cur.expiration)
            hs_time_format_rfc3339(c->cur.expiration, exp, sizeof(exp));
        HS_INFOS("AWS credentials fetched", "source", c->plan.detail ? c->plan.detail : "",
                 "expires", exp);
        arm(c);
        wake_all(c, HS_OK, NULL);
        return;
    }
    c->failures++;
    hs_err_clear(&c->last_err);
    hs_err_set(&c->last_err, rc, "%s", err ? err->msg : hs_strerror(rc));
    c->last_err.http_status = err ? err->http_status : 0;
    int64_t wait = hs_backoff_next(&c->backoff);
    c->state = AWS_CREDS_BACKOFF;
    c->next_at = now_wall(c) + wait;
    bool still = usable(c);
    HS_WARNS("AWS credentials fetch failed", "error", c->last_err.msg, "serving",
             still ? "unexpired credentials" : "none");
    arm(c);
    if (still)
        wake_all(c, HS_OK, NULL);
    else
        wake_all(c, rc, &c->last_err);
}

static void start_fetch(struct aws_creds_cache *c)
{
    if (c->fetch || is_static(c))
        return;
    struct aws__fetch_params p = {
        .http = c->http,
        .plan = &c->plan,
        .sts_url = c->sts_url,
        .timeout_ns = c->fetch_timeout,
        .duration_s = c->duration_s,
        .now_wall_ns = now_wall(c),
    };
    struct hs_err err = { 0 };
    c->fetches++;
    c->state = usable(c) ? AWS_CREDS_REFRESHING : AWS_CREDS_FETCHING;
    c->next_at = 0;
    if (ev_is_active(&c->timer))
        ev_timer_stop(c->loop, &c->timer);
    enum hs_code rc = aws__fetch_start(&p, on_fetched, c, &c->fetch, &err);
    if (rc) {
        /* Could not even start (unreadable token file, ...): same as a
         * failed fetch, but its waiters hear it from the loop. */
        c->failures++;
        hs_err_clear(&c->last_err);
        hs_err_set(&c->last_err, rc, "%s", err.msg);
        c->state = AWS_CREDS_BACKOFF;
        c->next_at = now_wall(c) + hs_backoff_next(&c->backoff);
        HS_WARNS("AWS credentials fetch failed", "error", c->last_err.msg, "serving",
                 usable(c) ? "unexpired credentials" : "none");
        arm(c);
        if (c->waiters)
            notify_soon(c);
    }
}

static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    aws_creds_cache_poll(hs_container_of(t, struct aws_creds_cache, timer));
}

/* Sets the timer for next_at (if any), on the loop's clock. */
static void arm(struct aws_creds_cache *c)
{
    if (ev_is_active(&c->timer))
        ev_timer_stop(c->loop, &c->timer);
    if (!c->next_at)
        return;
    int64_t d = c->next_at - now_wall(c);
    ev_timer_set(&c->timer, d > 0 ? (double)d / 1e9 : 0., 0.);
    ev_timer_start(c->loop, &c->timer);
}

void aws_creds_cache_poll(struct aws_creds_cache *c)
{
    if (c->fetch || is_static(c))
        return;
    if ((c->state == AWS_CREDS_FRESH || c->state == AWS_CREDS_BACKOFF) && c->next_at &&
        now_wall(c) >= c->next_at) {
        start_fetch(c);
        return;
    }
    arm(c);
}

/* ---- public ---- */

enum hs_code aws_creds_cache_new_take(struct ev_loop *loop, struct http_client *http,
                                      struct aws_cred_plan *plan,
                                      const struct aws_creds_cache_options *o,
                                      struct aws_creds_cache **out, struct hs_err *err)
{
    static const struct aws_creds_cache_options defaults = { 0 };
    if (!o)
        o = &defaults;
    struct aws_creds_cache *c = hs_calloc(1, sizeof(*c));
    c->plan = *plan;
    memset(plan, 0, sizeof(*plan));
    c->loop = loop;
    c->http = http;
    c->clock = o->clock ? o->clock : hs_clock_real();
    c->ahead = o->refresh_ahead_ns > 0 ? o->refresh_ahead_ns : DEFAULT_AHEAD;
    c->margin = o->expiry_margin_ns > 0 ? o->expiry_margin_ns : DEFAULT_MARGIN;
    c->fetch_timeout = o->fetch_timeout_ns;
    c->duration_s = o->session_duration_s;
    hs_backoff_init(&c->backoff, o->backoff_base_ns > 0 ? o->backoff_base_ns : DEFAULT_BASE,
                    o->backoff_cap_ns > 0 ? o->backoff_cap_ns : DEFAULT_CAP,
                    o->seed ? o->seed : (uint64_t)hs_clock_mono(c->clock));
    ev_timer_init(&c->timer, timer_cb, 0., 0.);
    ev_timer_init(&c->notify, notify_cb, 0., 0.);
    enum hs_code rc = HS_OK;
    switch (c->plan.source) {
    case AWS_CRED_ENV:
    case AWS_CRED_PROFILE:
        c->cur = c->plan.creds;
        memset(&c->plan.creds, 0, sizeof(c->plan.creds));
        c->state = AWS_CREDS_FRESH;
        break;
    case AWS_CRED_WEB_IDENTITY: {
        struct aws_endpoint_config env;
        const struct aws_endpoint_config *ec = o->endpoints;
        if (!ec) {
            aws_endpoint_config_from_process(&env);
            ec = &env;
        }
        if (o->region && *o->region)
            rc = aws_endpoint_resolve(AWS_SERVICE_STS, o->region, ec, &c->sts_url, err);
        else if (!ec->ignore_configured && (ec->service_url[AWS_SERVICE_STS] || ec->endpoint_url))
            rc = aws_endpoint_resolve(AWS_SERVICE_STS, NULL, ec, &c->sts_url, err);
        else
            c->sts_url = hs_strdup("https://sts.amazonaws.com");
        if (rc)
            hs_err_prefix(err, "web identity");
        c->state = AWS_CREDS_EMPTY;
        break;
    }
    case AWS_CRED_CONTAINER:
    case AWS_CRED_IMDS:
        c->state = AWS_CREDS_EMPTY;
        break;
    default:
        rc = hs_err_set(err, HS_EINVAL, "no AWS credentials provider was chosen");
        break;
    }
    if (rc) {
        aws_creds_cache_free(&c);
        return rc;
    }
    *out = c;
    return HS_OK;
}

void aws_creds_cache_free(struct aws_creds_cache **cp)
{
    if (!cp || !*cp)
        return;
    struct aws_creds_cache *c = *cp;
    *cp = NULL;
    aws__fetch_cancel(&c->fetch);
    if (c->loop) {
        ev_timer_stop(c->loop, &c->timer);
        ev_timer_stop(c->loop, &c->notify);
    }
    struct hs_err err = { 0 };
    hs_err_set(&err, HS_ECANCELED, "AWS credentials cache freed");
    while (c->waiters) {
        struct aws_creds_waiter *w = c->waiters;
        waiter_remove(c, w);
        w->fn(w->ctx, HS_ECANCELED, &err);
    }
    aws_creds_release(&c->cur);
    aws_cred_plan_release(&c->plan);
    hs_free(c->sts_url);
    hs_free(c);
}

void aws_creds_cache_start(struct aws_creds_cache *c)
{
    if (c->state == AWS_CREDS_EMPTY)
        start_fetch(c);
}

bool aws_creds_cache_peek(struct aws_creds_cache *c, struct aws_credentials *view)
{
    if (!usable(c))
        return false;
    view->access_key_id = c->cur.access_key_id;
    view->secret_access_key = c->cur.secret_access_key;
    view->session_token = c->cur.session_token;
    return true;
}

void aws_creds_cache_wait(struct aws_creds_cache *c, struct aws_creds_waiter *w,
                          aws_creds_ready_fn fn, void *ctx)
{
    waiter_remove(c, w);
    w->fn = fn;
    w->ctx = ctx;
    w->next = NULL;
    /* Append at the tail: waiters hear outcomes in arrival order. */
    struct aws_creds_waiter **pp = &c->waiters, *prev = NULL;
    while (*pp) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    w->prev = prev;
    *pp = w;
    w->queued = true;
    w->gen = c->gen;
    if (usable(c)) {
        notify_soon(c);
        return;
    }
    if (c->fetch)
        return; /* the fetch's outcome wakes it */
    if (c->state == AWS_CREDS_BACKOFF) {
        notify_soon(c);
        return;
    }
    start_fetch(c); /* EMPTY, or FRESH with expired credentials */
    if (!c->fetch)
        notify_soon(c);
}

void aws_creds_cache_unwait(struct aws_creds_cache *c, struct aws_creds_waiter *w)
{
    waiter_remove(c, w);
}

void aws_creds_cache_invalidate(struct aws_creds_cache *c)
{
    if (is_static(c) || c->fetch)
        return;
    if (c->cur.access_key_id) {
        c->cur.expiration = now_wall(c); /* unusable from now on */
        c->fetched_at = c->cur.expiration - 1;
    }
    start_fetch(c);
}

void aws_creds_cache_stats(const struct aws_creds_cache *c, struct aws_creds_cache_stats *out)
{
    memset(out, 0, sizeof(*out));
    out->state = c->state;
    out->source = c->plan.source;
    out->fetches = c->fetches;
    out->failures = c->failures;
    out->expiration = c->cur.expiration;
    out->refresh_at = c->next_at;
}
