/*
 * Tests of lib/autoscaler/state.c and of the timers the planner keeps in it:
 * the backoff schedule (5m doubling to 30m, forgotten after 3h), unneeded
 * timers (kept, started, forgotten), upcoming-node waits and their timeout,
 * cluster health, and, through asc_plan_run over scenario files (decoded
 * with lib/kube and lib/aws, which only this test links), the unneeded time,
 * a backoff injected into the state, the delay after a scale-up and the
 * provisioning timeout. Times are made up: nothing reads a clock.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include "autoscaler/plan.h"
#include "autoscaler/state.h"
#include "aws/decode.h"
#include "base/alloc.h"
#include "kube/decode.h"

#define S_NS   (1000LL * 1000 * 1000)
#define MIN_NS (60 * S_NS)
#define H_NS   (60 * MIN_NS)
#define T0     (1795860000LL * S_NS) /* 2026-11-28T10:00:00Z, 3h after the files' objects */

static void test_backoff_schedule(void **st)
{
    (void)st;
    struct asc_state *s = asc_state_new();
    const int64_t init = 5 * MIN_NS, max = 30 * MIN_NS, reset = 3 * H_NS;
    int64_t t = T0;
    const int64_t want[] = { 5, 10, 20, 30, 30 };
    for (size_t i = 0; i < HS_ARRAY_LEN(want); i++) {
        asc_state_scale_up_failed(s, "ng-a", t, init, max, reset, "OutOfResource", "no capacity");
        struct asc_group_state *g = asc_state_group(s, "ng-a");
        assert_non_null(g);
        assert_int_equal(g->backoff_last, want[i] * MIN_NS);
        assert_int_equal(g->backoff_until, t + want[i] * MIN_NS);
        assert_true(asc_state_in_backoff(s, "ng-a", t + want[i] * MIN_NS - 1));
        assert_false(asc_state_in_backoff(s, "ng-a", t + want[i] * MIN_NS));
        assert_string_equal(g->error_message, "no capacity");
        t += want[i] * MIN_NS + MIN_NS; /* fail again a minute after it ended */
    }
    assert_false(asc_state_in_backoff(s, "ng-b", t));
    /* 3h without a failure: the next one starts over at 5m */
    t += reset + 1;
    asc_state_scale_up_failed(s, "ng-a", t, init, max, reset, NULL, NULL);
    assert_int_equal(asc_state_group(s, "ng-a")->backoff_last, init);
    assert_null(asc_state_group(s, "ng-a")->error_message);
    asc_state_free(&s);
    assert_null(s);
    asc_state_free(&s); /* NULL is fine */
}

static void test_forget_stale_backoff(void **st)
{
    (void)st;
    struct asc_state *s = asc_state_new();
    asc_state_scale_up_failed(s, "ng-a", T0, 5 * MIN_NS, 30 * MIN_NS, 3 * H_NS, "Timeout", "x");
    asc_state_forget_stale_backoff(s, T0 + 3 * H_NS, 3 * H_NS);
    assert_int_equal(asc_state_group(s, "ng-a")->backoff_last, 5 * MIN_NS);
    asc_state_forget_stale_backoff(s, T0 + 3 * H_NS + 1, 3 * H_NS);
    assert_int_equal(asc_state_group(s, "ng-a")->backoff_last, 0);
    assert_int_equal(asc_state_group(s, "ng-a")->last_failure, 0);
    assert_null(asc_state_group(s, "ng-a")->error_message);
    asc_state_free(&s);
}

static void test_unneeded_timers(void **st)
{
    (void)st;
    struct asc_state *s = asc_state_new();
    const char *first[] = { "node-b", "node-a", "node-a" };
    asc_state_set_unneeded(s, first, 3, T0);
    assert_int_equal(s->n_unneeded, 2);
    assert_string_equal(s->unneeded[0].node, "node-a");
    assert_int_equal(asc_state_unneeded_since(s, "node-b"), T0);
    const char *second[] = { "node-c", "node-b" };
    asc_state_set_unneeded(s, second, 2, T0 + MIN_NS);
    assert_int_equal(asc_state_unneeded_since(s, "node-a"), 0);  /* forgotten */
    assert_int_equal(asc_state_unneeded_since(s, "node-b"), T0); /* kept */
    assert_int_equal(asc_state_unneeded_since(s, "node-c"), T0 + MIN_NS);
    asc_state_set_unneeded(s, NULL, 0, T0 + 2 * MIN_NS);
    assert_int_equal(s->n_unneeded, 0);
    asc_state_free(&s);
}

static void test_upcoming(void **st)
{
    (void)st;
    struct asc_state *s = asc_state_new();
    const int64_t prov = 15 * MIN_NS;
    assert_false(asc_state_track_upcoming(s, "ng-a", 0, T0, prov));
    assert_null(asc_state_group(s, "ng-a")); /* nothing recorded for nothing */
    assert_false(asc_state_track_upcoming(s, "ng-a", 2, T0, prov));
    assert_false(asc_state_track_upcoming(s, "ng-a", 3, T0 + prov, prov)); /* not past */
    assert_int_equal(asc_state_group(s, "ng-a")->upcoming_since, T0);
    assert_true(asc_state_track_upcoming(s, "ng-a", 3, T0 + prov + 1, prov));
    /* reported once: the wait restarts */
    assert_false(asc_state_track_upcoming(s, "ng-a", 3, T0 + prov + 2, prov));
    assert_false(asc_state_track_upcoming(s, "ng-a", 0, T0 + prov + 3, prov));
    assert_int_equal(asc_state_group(s, "ng-a")->upcoming_since, 0);
    asc_state_free(&s);
}

static void test_health(void **st)
{
    (void)st;
    assert_true(asc_cluster_healthy(0, 0, 3, 45));
    assert_true(asc_cluster_healthy(10, 3, 3, 45));  /* not more than the ok count */
    assert_true(asc_cluster_healthy(10, 4, 3, 45));  /* 4 <= 4.5 */
    assert_false(asc_cluster_healthy(10, 5, 3, 45)); /* 5 > 3 and 5 > 4.5 */
    assert_false(asc_cluster_healthy(5, 4, 3, 45));
    assert_true(asc_cluster_healthy(100, 40, 3, 45));
    assert_true(asc_cluster_healthy(5, 5, 5, 0));
}

/* ---- the planner over scenario files -------------------------------------- */

struct fx {
    struct hs_intern *t;
    struct model_cluster *c;
    struct model_asg_list asgs;
    struct asc_options o;
    struct asc_tag_filter filters[2];
    struct asc_inputs in;
    struct asc_state *s;
};

static void fx_load(struct fx *f, const char *scenario)
{
    char path[1024];
    const char *src = getenv("HOIST_SOURCE_DIR");
    struct hs_err err = { 0 };
    memset(f, 0, sizeof(*f));
    f->t = hs_intern_new();
    f->c = model_cluster_new(f->t);
    model_asg_list_init(&f->asgs);
    snprintf(path, sizeof(path), "%s/test/scenarios/%s/cluster.json", src ? src : ".", scenario);
    if (kube_decode_file(f->c, path, &err))
        fail_msg("%s", err.msg);
    snprintf(path, sizeof(path), "%s/test/scenarios/%s/asgs.json", src ? src : ".", scenario);
    if (aws_cli_json_asgs_file(path, &f->asgs, &err))
        fail_msg("%s", err.msg);
    asc_options_init(&f->o);
    f->filters[0].key = "k8s.io/cluster-autoscaler/enabled";
    f->filters[1].key = "k8s.io/cluster-autoscaler/demo";
    f->o.discovery = f->filters;
    f->o.n_discovery = 2;
    f->in.cluster = f->c;
    f->in.asgs = &f->asgs;
    f->in.now = T0;
    f->s = asc_state_new();
}

static void fx_release(struct fx *f)
{
    asc_state_free(&f->s);
    model_asg_list_release(&f->asgs);
    model_cluster_free(&f->c);
    hs_intern_free(&f->t);
}

static void run(struct fx *f, int64_t now, struct asc_plan *p)
{
    struct hs_err err = { 0 };
    asc_plan_release(p);
    f->in.now = now;
    if (asc_plan_run(f->s, &f->o, &f->in, p, &err))
        fail_msg("asc_plan_run: %s", err.msg);
}

static const char *unremovable_reason(const struct asc_plan *p, const char *node)
{
    for (size_t i = 0; i < p->n_unremovable; i++)
        if (strcmp(p->unremovable[i].node, node) == 0)
            return p->unremovable[i].reason;
    return "";
}

/* Four empty nodes become unneeded at T0 and go once 10 minutes have passed. */
static void test_plan_unneeded_time(void **st)
{
    (void)st;
    struct fx f;
    struct asc_plan p;
    fx_load(&f, "scale_down_parallelism");
    asc_plan_init(&p);
    run(&f, T0, &p);
    assert_int_equal(p.n_scale_down, 0);
    assert_string_equal(unremovable_reason(&p, "ng-general-node-1"), "NotUnneededLongEnough");
    assert_int_equal(asc_state_unneeded_since(f.s, "ng-general-node-1"), T0);
    assert_non_null(strstr(p.status, "status: CandidatesPresent"));
    run(&f, T0 + 10 * MIN_NS - 1, &p);
    assert_int_equal(p.n_scale_down, 0);
    run(&f, T0 + 10 * MIN_NS, &p);
    assert_int_equal(p.n_scale_down, 4); /* 5 nodes, min 1, parallelism 10 */
    asc_plan_release(&p);
    fx_release(&f);
}

/* A failed scale-up backs the group off; pods are told so until it ends. */
static void test_plan_backoff(void **st)
{
    (void)st;
    struct fx f;
    struct asc_plan p;
    fx_load(&f, "scale_up_basic");
    asc_plan_init(&p);
    asc_state_scale_up_failed(f.s, "ng-general", T0, f.o.initial_node_group_backoff_duration,
                              f.o.max_node_group_backoff_duration,
                              f.o.node_group_backoff_reset_timeout, "OutOfResource",
                              "InsufficientInstanceCapacity");
    run(&f, T0 + MIN_NS, &p);
    assert_int_equal(p.n_scale_up, 0);
    assert_int_equal(p.n_no_scale_up, 3);
    assert_string_equal(p.no_scale_up[0].reasons[0].reason, "in backoff after failed scale-up");
    assert_non_null(strstr(p.status, "status: Backoff"));
    assert_non_null(strstr(p.status, "errorMessage: \"InsufficientInstanceCapacity\""));
    run(&f, T0 + 5 * MIN_NS, &p);
    assert_int_equal(p.n_scale_up, 1);
    assert_int_equal(p.scale_up[0].new_size, 4);
    assert_int_equal(f.s->last_scale_up, T0 + 5 * MIN_NS);
    asc_plan_release(&p);
    fx_release(&f);
}

/* No scale-down for --scale-down-delay-after-add after a scale-up. */
static void test_plan_delay_after_add(void **st)
{
    (void)st;
    struct fx f;
    struct asc_plan p;
    fx_load(&f, "scale_down_parallelism");
    asc_plan_init(&p);
    asc_state_scale_up_done(f.s, T0);
    run(&f, T0 + 11 * MIN_NS - 1, &p); /* unneeded since now */
    run(&f, T0 + 21 * MIN_NS, &p);     /* unneeded for 10m, and 21m after the scale-up */
    assert_int_equal(p.n_scale_down, 4);
    f.s->last_scale_up = T0 + 20 * MIN_NS;
    run(&f, T0 + 22 * MIN_NS, &p);
    assert_int_equal(p.n_scale_down, 0);
    assert_true(p.n_warnings > 0);
    asc_plan_release(&p);
    fx_release(&f);
}

/* Requested nodes that never register: the group is backed off after
 * --max-node-provision-time, and the nodes stop counting as upcoming. */
static void test_plan_provision_timeout(void **st)
{
    (void)st;
    struct fx f;
    struct asc_plan p;
    fx_load(&f, "upcoming_nodes");
    asc_plan_init(&p);
    run(&f, T0, &p);
    assert_int_equal(p.n_scale_up, 1);
    assert_string_equal(p.scale_up[0].pods[0], "default/more-0");
    assert_non_null(strstr(p.status, "unregistered: 1"));
    assert_null(strstr(p.status, "longUnregistered: 1"));
    run(&f, T0 + 15 * MIN_NS + 1, &p);
    assert_int_equal(p.n_scale_up, 0);
    assert_true(asc_state_in_backoff(f.s, "ng-general", T0 + 15 * MIN_NS + 2));
    /* cluster-autoscaler's two counts are disjoint: a node given up on is
     * long unregistered, no longer unregistered */
    assert_non_null(strstr(p.status, "longUnregistered: 1"));
    assert_null(strstr(p.status, "unregistered: 1"));
    asc_plan_release(&p);
    fx_release(&f);
}

#define FILES_T0 (1795849200LL * S_NS) /* 2026-11-28T07:00:00Z: the files' creation time */

static bool has_unremovable(const struct asc_plan *p, const char *node)
{
    return unremovable_reason(p, node)[0] != '\0';
}

/* cluster-autoscaler's filterOutYoungPods: a pod's pod-scale-up-delay
 * annotation replaces --new-pod-scale-up-delay when not below it; a bad or
 * smaller one keeps the flag (and warns); a pod triggers a scale-up only once
 * its age is above its delay, and a young pod that fits a node still takes
 * the room (the fit comes first). */
static void test_plan_pod_scale_up_delay(void **st)
{
    (void)st;
    struct fx f;
    struct asc_plan p;
    fx_load(&f, "pod_scale_up_delay_annotation");
    asc_plan_init(&p);
    f.o.new_pod_scale_up_delay = 2 * MIN_NS;
    run(&f, FILES_T0 + MIN_NS, &p);
    assert_int_equal(p.n_scale_up, 0);
    assert_int_equal(p.n_no_scale_up, 0); /* young pods are not reported either */
    assert_int_equal(p.n_warnings, 2);
    assert_non_null(strstr(p.warnings[0], "pod default/typo-0: annotation "
                                          "cluster-autoscaler.kubernetes.io/pod-scale-up-delay: "));
    assert_non_null(strstr(p.warnings[1], "pod default/short-0: annotation "
                                          "cluster-autoscaler.kubernetes.io/pod-scale-up-delay=30s "
                                          "is less than --new-pod-scale-up-delay=2m0s"));
    run(&f, FILES_T0 + 2 * MIN_NS, &p); /* age == delay: still young */
    assert_int_equal(p.n_scale_up, 0);
    run(&f, FILES_T0 + 2 * MIN_NS + S_NS, &p);
    assert_int_equal(p.n_scale_up, 1);
    assert_int_equal(p.scale_up[0].new_size, 3);
    /* web-0 waits for a node: the young slow-0 and slow-1 took the room */
    assert_int_equal(p.scale_up[0].n_pods, 3);
    assert_string_equal(p.scale_up[0].pods[0], "default/short-0");
    assert_string_equal(p.scale_up[0].pods[1], "default/typo-0");
    assert_string_equal(p.scale_up[0].pods[2], "default/web-0");

    /* no flag: short-0's 30s is used, typo-0 keeps 0 */
    f.o.new_pod_scale_up_delay = 0;
    run(&f, FILES_T0 + 30 * S_NS, &p);
    assert_int_equal(p.n_scale_up, 1);
    assert_int_equal(p.scale_up[0].n_pods, 2);
    assert_string_equal(p.scale_up[0].pods[0], "default/typo-0");
    assert_string_equal(p.scale_up[0].pods[1], "default/web-0");
    assert_int_equal(p.n_warnings, 1);
    run(&f, FILES_T0 + 31 * S_NS, &p);
    assert_int_equal(p.scale_up[0].n_pods, 3);

    /* every timer expired (simulate): no delay holds a pod, warnings stay */
    f.o.new_pod_scale_up_delay = 2 * MIN_NS;
    f.in.timers_expired = true;
    run(&f, FILES_T0, &p);
    assert_int_equal(p.n_scale_up, 1);
    assert_int_equal(p.scale_up[0].n_pods, 3);
    assert_int_equal(p.n_warnings, 2);
    asc_plan_release(&p);
    fx_release(&f);
}

/* A group's node not ready (Ready False, or Ready with a startup taint) less
 * than 15 minutes after its creation is upcoming (a template copy in its
 * place, no scale-down candidate); from 15 minutes on it is unready: itself
 * in the snapshot (tainted, so of no use) and a scale-down candidate. */
static void test_plan_not_started(void **st)
{
    (void)st;
    struct fx f;
    struct asc_plan p;
    fx_load(&f, "not_started_nodes");
    asc_plan_init(&p);
    run(&f, FILES_T0 + 15 * MIN_NS - S_NS, &p);
    assert_true(p.healthy);
    assert_int_equal(p.n_not_started, 2);
    assert_string_equal(p.not_started[0], "ng-general-node-3");
    assert_string_equal(p.not_started[1], "ng-general-node-4");
    assert_int_equal(p.n_scale_up, 1);
    assert_int_equal(p.scale_up[0].new_size, 5);
    assert_int_equal(p.scale_up[0].n_pods, 1);
    assert_string_equal(p.scale_up[0].pods[0], "default/late-0");
    assert_false(has_unremovable(&p, "ng-general-node-3"));
    assert_false(has_unremovable(&p, "ng-general-node-4"));
    assert_int_equal(p.n_scale_down + p.n_unneeded, 0);
    assert_non_null(strstr(p.status, "notStarted: 2"));

    run(&f, FILES_T0 + 15 * MIN_NS, &p);
    assert_true(p.healthy); /* 2 unready of 4: within --ok-total-unready-count */
    assert_int_equal(p.n_not_started, 0);
    assert_int_equal(p.n_scale_up, 1);
    /* web-0 + web-1 on one new node, more-0 and late-0 on one each */
    assert_int_equal(p.scale_up[0].new_size, 7);
    assert_int_equal(p.scale_up[0].n_pods, 4);
    /* scale-down candidates now: empty, and unready since this loop */
    assert_string_equal(unremovable_reason(&p, "ng-general-node-3"), "NotUnreadyLongEnough");
    assert_string_equal(unremovable_reason(&p, "ng-general-node-4"), "NotUnreadyLongEnough");
    assert_non_null(strstr(p.status, "notStarted: 0"));

    asc_plan_release(&p);
    fx_release(&f);
}

/* A GPU node with no GPU allocatable yet: not started for 15 minutes (the
 * template stands in for it), then unready for its resources. */
static void test_plan_gpu_unready(void **st)
{
    (void)st;
    struct fx f;
    struct asc_plan p;
    fx_load(&f, "gpu_node_without_gpus_yet");
    asc_plan_init(&p);
    run(&f, FILES_T0 + 5 * MIN_NS, &p);
    assert_int_equal(p.n_not_started, 1);
    assert_string_equal(p.not_started[0], "ng-gpu-node-2");
    assert_int_equal(p.n_scale_up, 0);
    assert_non_null(strstr(p.status, "notStarted: 1"));
    assert_null(strstr(p.status, "resourceUnready: 1"));

    run(&f, FILES_T0 + 15 * MIN_NS, &p);
    assert_int_equal(p.n_not_started, 0);
    /* counted unready, for its resources, cluster-wide and in its group */
    const char *first = strstr(p.status, "resourceUnready: 1");
    assert_non_null(first);
    assert_non_null(strstr(first + 1, "resourceUnready: 1"));
    /* no longer upcoming: infer-0 needs a node of its own */
    assert_int_equal(p.n_scale_up, 1);
    assert_int_equal(p.scale_up[0].new_size, 3);

    asc_plan_release(&p);
    fx_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_schedule),
        cmocka_unit_test(test_forget_stale_backoff),
        cmocka_unit_test(test_unneeded_timers),
        cmocka_unit_test(test_upcoming),
        cmocka_unit_test(test_health),
        cmocka_unit_test(test_plan_unneeded_time),
        cmocka_unit_test(test_plan_backoff),
        cmocka_unit_test(test_plan_delay_after_add),
        cmocka_unit_test(test_plan_provision_timeout),
        cmocka_unit_test(test_plan_pod_scale_up_delay),
        cmocka_unit_test(test_plan_not_started),
        cmocka_unit_test(test_plan_gpu_unready),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
