/*
 * Tests of simulator/filter.c: table cases for every filter plugin, with the
 * scheduler's exact reason strings, including the edge cases users hit
 * (anti-affinity symmetry, spread with minDomains and nodes lacking the key,
 * taint Exists with an empty key, hostPort 0, init-container and sidecar
 * requests, GPUs, PVC zones). Each case builds its own small cluster.
 */
#include "hs_test.h"

#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "simulator/filter.h"

#define NOSCHED                  MODEL_EFFECT_NO_SCHEDULE
#define NOEXEC                   MODEL_EFFECT_NO_EXECUTE
#define V(...)                   ((const char *const[]){ __VA_ARGS__, NULL })
#define EXPECT(f, p, node, want) assert_string_equal(fx_verdict((f), (p), (node)), (want))

static const char *R_AFF = "node(s) didn't match Pod's node affinity/selector";
static const char *R_UNSCHED = "node(s) were unschedulable";
static const char *R_NAME = "node(s) didn't match the requested node name";
static const char *R_PORTS = "node(s) didn't have free ports for the requested pod ports";
static const char *R_PAFF = "node(s) didn't match pod affinity rules";
static const char *R_ANTI = "node(s) didn't match pod anti-affinity rules";
static const char *R_EXIST = "node(s) didn't satisfy existing pods anti-affinity rules";
static const char *R_SPREAD = "node(s) didn't match pod topology spread constraints";
static const char *R_SPREAD_LABEL =
    "node(s) didn't match pod topology spread constraints (missing required label)";
static const char *R_VZONE = "node(s) had no available volume zone";
static const char *R_VAFF = "node(s) had volume node affinity conflict";

/* ---- NodeResourcesFit ----------------------------------------------------- */

static void set_requests(struct fx *f, struct model_pod *p, const struct model_container_req *c,
                         size_t n, const struct model_resources *overhead)
{
    model_pod_requests(c, n, NULL, overhead, &f->a, &p->requests);
}

static void test_resources(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    int32_t n0 = fx_add_node(&f, "n0", 1000, 4 * GI, 3, NULL);
    /* 1: exactly full fits */
    EXPECT(&f, fx_pod(&f, "d", "a", 1000, 4 * GI), n0, "");
    /* 2-4: cpu, memory, both */
    EXPECT(&f, fx_pod(&f, "d", "b", 1001, GI), n0, "Insufficient cpu");
    EXPECT(&f, fx_pod(&f, "d", "c", 100, 4 * GI + 1), n0, "Insufficient memory");
    EXPECT(&f, fx_pod(&f, "d", "e", 2000, 8 * GI), n0, "Insufficient cpu, Insufficient memory");
    /* 5: ephemeral storage */
    struct model_pod *eph = fx_pod(&f, "d", "eph", 10, 10);
    eph->requests.ephemeral_storage = 101 * GI;
    EXPECT(&f, eph, n0, "Insufficient ephemeral-storage");
    /* 6: overcommitted node still takes a pod requesting nothing */
    fx_bind(&f, fx_pod(&f, "d", "big", 1500, GI), n0);
    EXPECT(&f, fx_pod(&f, "d", "zero", 0, 0), n0, "");
    /* 7: a pod requesting memory only ignores the overcommitted cpu */
    EXPECT(&f, fx_pod(&f, "d", "memonly", 0, GI), n0, "");
    /* 8: pod count */
    fx_bind(&f, fx_pod(&f, "d", "p2", 0, 0), n0);
    fx_bind(&f, fx_pod(&f, "d", "p3", 0, 0), n0);
    EXPECT(&f, fx_pod(&f, "d", "zero2", 0, 0), n0, "Too many pods");
    /* 9: pods and cpu together, in the plugin's order */
    EXPECT(&f, fx_pod(&f, "d", "both", 100, 0), n0, "Too many pods, Insufficient cpu");

    /* 10-12: GPUs (an extended resource the node may lack) */
    struct model_node *g = fx_node(&f, "gpu", 8000, 32 * GI, 110);
    fx_scalar(&f, &g->allocatable, "nvidia.com/gpu", 4);
    int32_t n1 = sim_snapshot_add_node(f.s, g);
    struct model_pod *gp = fx_pod(&f, "d", "gp", 100, GI);
    fx_scalar(&f, &gp->requests, "nvidia.com/gpu", 3);
    EXPECT(&f, gp, n0, "Too many pods, Insufficient cpu, Insufficient nvidia.com/gpu");
    fx_bind(&f, gp, n1);
    struct model_pod *g2 = fx_pod(&f, "d", "g2", 100, GI);
    fx_scalar(&f, &g2->requests, "nvidia.com/gpu", 2);
    EXPECT(&f, g2, n1, "Insufficient nvidia.com/gpu");
    struct model_pod *g1 = fx_pod(&f, "d", "g1", 100, GI);
    fx_scalar(&f, &g1->requests, "nvidia.com/gpu", 1);
    EXPECT(&f, g1, n1, "");
    assert_int_equal(sim_snapshot_node_scalar(f.s, n1, fx_s(&f, "nvidia.com/gpu")), 3);

    /* 13: init container larger than the containers' sum decides */
    int32_t n2 = fx_add_node(&f, "n2", 1500, 4 * GI, 110, NULL);
    struct model_pod *ip = fx_pod(&f, "d", "init", 0, 0);
    struct model_container_req c1[] = { { .req = { .cpu_milli = 500 } },
                                        { .req = { .cpu_milli = 2000 }, .init = true } };
    set_requests(&f, ip, c1, 2, NULL);
    assert_int_equal(ip->requests.cpu_milli, 2000);
    EXPECT(&f, ip, n2, "Insufficient cpu");
    /* 14: a sidecar (restartable init container) adds to the containers */
    struct model_pod *sc = fx_pod(&f, "d", "sidecar", 0, 0);
    struct model_container_req c2[] = {
        { .req = { .cpu_milli = 1000 } },
        { .req = { .cpu_milli = 600 }, .init = true, .restartable = true },
    };
    set_requests(&f, sc, c2, 2, NULL);
    assert_int_equal(sc->requests.cpu_milli, 1600);
    EXPECT(&f, sc, n2, "Insufficient cpu");
    /* 15: an init container after a sidecar runs beside it: 300 + 1300 */
    struct model_pod *sc2 = fx_pod(&f, "d", "sidecar2", 0, 0);
    struct model_container_req c3[] = {
        { .req = { .cpu_milli = 100 } },
        { .req = { .cpu_milli = 300 }, .init = true, .restartable = true },
        { .req = { .cpu_milli = 1300 }, .init = true },
    };
    set_requests(&f, sc2, c3, 3, NULL);
    assert_int_equal(sc2->requests.cpu_milli, 1600);
    EXPECT(&f, sc2, n2, "Insufficient cpu");
    /* 16: overhead counts */
    struct model_pod *ov = fx_pod(&f, "d", "overhead", 0, 0);
    struct model_container_req c4[] = { { .req = { .cpu_milli = 1400 } } };
    struct model_resources oh = { .cpu_milli = 200 };
    set_requests(&f, ov, c4, 1, &oh);
    EXPECT(&f, ov, n2, "Insufficient cpu");
    fx_release(&f);
}

/* ---- NodeUnschedulable ---------------------------------------------------- */

static void test_unschedulable(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *n;
    int32_t ok = fx_add_node(&f, "ok", 4000, 8 * GI, 110, NULL);
    int32_t u = fx_add_node(&f, "cordoned", 4000, 8 * GI, 110, &n);
    n->unschedulable = true;
    fx_taint(&f, n, "other", "x", NOSCHED);
    const char *key = "node.kubernetes.io/unschedulable";
    struct model_pod *p;
    /* 1, 2 */
    EXPECT(&f, fx_pod(&f, "d", "p", 1, 1), ok, "");
    EXPECT(&f, fx_pod(&f, "d", "p", 1, 1), u, R_UNSCHED);
    /* 3: Exists on the key with NoSchedule tolerates; the next filter speaks */
    p = fx_pod(&f, "d", "t1", 1, 1);
    fx_tol(&f, p, key, NULL, true, NOSCHED);
    EXPECT(&f, p, u, "node(s) had untolerated taint {other: x}");
    /* 4: NoExecute only does not */
    p = fx_pod(&f, "d", "t2", 2, 1);
    fx_tol(&f, p, key, NULL, true, NOEXEC);
    EXPECT(&f, p, u, R_UNSCHED);
    /* 5: Exists with an empty key and effect tolerates everything */
    p = fx_pod(&f, "d", "t3", 3, 1);
    fx_tol(&f, p, NULL, NULL, true, MODEL_EFFECT_ALL);
    EXPECT(&f, p, u, "");
    /* 6: Equal with an empty value matches the valueless taint */
    p = fx_pod(&f, "d", "t4", 4, 1);
    fx_tol(&f, p, key, "", false, NOSCHED);
    fx_tol(&f, p, "other", "x", false, NOSCHED);
    EXPECT(&f, p, u, "");
    /* 7: Equal with a value does not */
    p = fx_pod(&f, "d", "t5", 5, 1);
    fx_tol(&f, p, key, "yes", false, NOSCHED);
    EXPECT(&f, p, u, R_UNSCHED);
    /* 8: another key does not */
    p = fx_pod(&f, "d", "t6", 6, 1);
    fx_tol(&f, p, "node.kubernetes.io/not-ready", NULL, true, NOSCHED);
    EXPECT(&f, p, u, R_UNSCHED);
    /* 9: Exists with empty key but effect NoSchedule tolerates */
    p = fx_pod(&f, "d", "t7", 7, 1);
    fx_tol(&f, p, NULL, NULL, true, NOSCHED);
    EXPECT(&f, p, u, "");
    /* 10: unschedulable is reported before resources */
    EXPECT(&f, fx_pod(&f, "d", "huge", 99000, 1), u, R_UNSCHED);
    fx_release(&f);
}

/* ---- NodeName ------------------------------------------------------------- */

static void test_node_name(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *cn;
    int32_t a = fx_add_node(&f, "a", 1000, GI, 110, NULL);
    int32_t b = fx_add_node(&f, "b", 1000, GI, 110, NULL);
    int32_t c = fx_add_node(&f, "c", 1000, GI, 110, &cn);
    cn->unschedulable = true;
    fx_taint(&f, cn, "k", "v", NOSCHED);
    struct model_pod *p = fx_pod(&f, "d", "p", 100, MI);
    /* 1 */
    EXPECT(&f, p, a, "");
    p->node_name = fx_s(&f, "a");
    /* 2, 3 */
    EXPECT(&f, p, a, "");
    EXPECT(&f, p, b, R_NAME);
    /* 4: unschedulable comes first, 5: name before taints */
    EXPECT(&f, p, c, R_UNSCHED);
    cn->unschedulable = false;
    EXPECT(&f, p, c, R_NAME);
    /* 6: ignored when the drain moves a bound pod */
    struct sim_verdict v;
    assert_int_equal(sim_filter(f.s, sim_pod_prepare(f.s, p), b, true, &v), SIM_OK);
    /* 7: find_fit goes straight to the named node */
    assert_int_equal(sim_find_fit(f.s, sim_pod_prepare(f.s, p), 0, -1, false), a);
    /* 8: the named node full: nowhere */
    struct model_pod *big = fx_pod(&f, "d", "big", 1000, MI);
    big->node_name = fx_s(&f, "b");
    fx_bind(&f, fx_pod(&f, "d", "filler", 500, MI), b);
    assert_int_equal(sim_find_fit(f.s, sim_pod_prepare(f.s, big), 0, -1, false), -1);
    /* 9: a name no node has */
    struct model_pod *ghost = fx_pod(&f, "d", "ghost", 1, 1);
    ghost->node_name = fx_s(&f, "zz");
    EXPECT(&f, ghost, a, R_NAME);
    /* 10: name matches but resources do not */
    EXPECT(&f, big, b, "Insufficient cpu");
    fx_release(&f);
}

/* ---- TaintToleration ------------------------------------------------------ */

static void test_taints(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *n, *m, *k;
    int32_t gpu = fx_add_node(&f, "gpu", 8000, 8 * GI, 110, &n);
    fx_taint(&f, n, "dedicated", "gpu", NOSCHED);
    int32_t soft = fx_add_node(&f, "soft", 8000, 8 * GI, 110, &m);
    fx_taint(&f, m, "spot", "true", MODEL_EFFECT_PREFER_NO_SCHEDULE);
    int32_t two = fx_add_node(&f, "two", 8000, 8 * GI, 110, &k);
    fx_taint(&f, k, "a", "1", NOSCHED);
    fx_taint(&f, k, "b", NULL, NOEXEC);
    struct model_pod *p;
    /* 1 */
    EXPECT(&f, fx_pod(&f, "d", "p", 1, 1), gpu, "node(s) had untolerated taint {dedicated: gpu}");
    /* 2: PreferNoSchedule never filters */
    EXPECT(&f, fx_pod(&f, "d", "p", 1, 1), soft, "");
    /* 3: Equal key/value/effect */
    p = fx_pod(&f, "d", "p3", 3, 1);
    fx_tol(&f, p, "dedicated", "gpu", false, NOSCHED);
    EXPECT(&f, p, gpu, "");
    /* 4: Exists with empty key tolerates every taint */
    p = fx_pod(&f, "d", "p4", 4, 1);
    fx_tol(&f, p, "", NULL, true, MODEL_EFFECT_ALL);
    EXPECT(&f, p, gpu, "");
    EXPECT(&f, p, two, "");
    /* 5: Exists with the key ignores the value */
    p = fx_pod(&f, "d", "p5", 5, 1);
    fx_tol(&f, p, "dedicated", NULL, true, NOSCHED);
    EXPECT(&f, p, gpu, "");
    /* 6: Equal with another value */
    p = fx_pod(&f, "d", "p6", 6, 1);
    fx_tol(&f, p, "dedicated", "cpu", false, NOSCHED);
    EXPECT(&f, p, gpu, "node(s) had untolerated taint {dedicated: gpu}");
    /* 7: NoSchedule toleration does not cover a NoExecute taint */
    p = fx_pod(&f, "d", "p7", 7, 1);
    fx_tol(&f, p, "a", "1", false, NOSCHED);
    fx_tol(&f, p, "b", NULL, true, NOSCHED);
    EXPECT(&f, p, two, "node(s) had untolerated taint {b: }");
    /* 8: empty effect covers both */
    p = fx_pod(&f, "d", "p8", 8, 1);
    fx_tol(&f, p, "a", "1", false, MODEL_EFFECT_ALL);
    fx_tol(&f, p, "b", NULL, true, MODEL_EFFECT_ALL);
    EXPECT(&f, p, two, "");
    /* 9: the first untolerated taint is named */
    p = fx_pod(&f, "d", "p9", 9, 1);
    EXPECT(&f, p, two, "node(s) had untolerated taint {a: 1}");
    /* 10: tolerating the first names the second */
    p = fx_pod(&f, "d", "p10", 10, 1);
    fx_tol(&f, p, "a", NULL, true, MODEL_EFFECT_ALL);
    EXPECT(&f, p, two, "node(s) had untolerated taint {b: }");
    /* 11: Exists with empty key and a NoExecute effect leaves NoSchedule */
    p = fx_pod(&f, "d", "p11", 11, 1);
    fx_tol(&f, p, NULL, NULL, true, NOEXEC);
    EXPECT(&f, p, two, "node(s) had untolerated taint {a: 1}");
    fx_release(&f);
}

/* ---- NodeAffinity --------------------------------------------------------- */

static void test_node_affinity(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    struct model_node *n;
    int32_t a = fx_add_node(&f, "node-a", 4000, 8 * GI, 110, &n);
    fx_label(&f, &n->labels, "zone", "z1");
    fx_label(&f, &n->labels, "cores", "16");
    struct model_pod *p;
    struct model_node_selector_term *t;
    /* 1, 2: nodeSelector */
    p = fx_pod(&f, "d", "p1", 1, 1);
    fx_label(&f, &p->node_selector, "zone", "z1");
    EXPECT(&f, p, a, "");
    p = fx_pod(&f, "d", "p2", 2, 1);
    fx_label(&f, &p->node_selector, "zone", "z2");
    EXPECT(&f, p, a, R_AFF);
    /* 3: In */
    p = fx_pod(&f, "d", "p3", 3, 1);
    fx_term_expr(&f, fx_na_term(&f, p), fx_req(&f, "zone", MODEL_OP_IN, V("z2", "z1")));
    EXPECT(&f, p, a, "");
    /* 4: NotIn on an absent label matches */
    p = fx_pod(&f, "d", "p4", 4, 1);
    fx_term_expr(&f, fx_na_term(&f, p), fx_req(&f, "gpu", MODEL_OP_NOT_IN, V("true")));
    EXPECT(&f, p, a, "");
    /* 5: Exists and DoesNotExist */
    p = fx_pod(&f, "d", "p5", 5, 1);
    t = fx_na_term(&f, p);
    fx_term_expr(&f, t, fx_req(&f, "zone", MODEL_OP_EXISTS, NULL));
    fx_term_expr(&f, t, fx_req(&f, "gpu", MODEL_OP_DOES_NOT_EXIST, NULL));
    EXPECT(&f, p, a, "");
    p = fx_pod(&f, "d", "p5b", 5, 2);
    fx_term_expr(&f, fx_na_term(&f, p), fx_req(&f, "zone", MODEL_OP_DOES_NOT_EXIST, NULL));
    EXPECT(&f, p, a, R_AFF);
    /* 6, 7: Gt and Lt compare integers */
    p = fx_pod(&f, "d", "p6", 6, 1);
    fx_term_expr(&f, fx_na_term(&f, p), fx_req(&f, "cores", MODEL_OP_GT, V("8")));
    EXPECT(&f, p, a, "");
    p = fx_pod(&f, "d", "p7", 7, 1);
    fx_term_expr(&f, fx_na_term(&f, p), fx_req(&f, "cores", MODEL_OP_LT, V("16")));
    EXPECT(&f, p, a, R_AFF);
    p = fx_pod(&f, "d", "p7b", 7, 2);
    fx_term_expr(&f, fx_na_term(&f, p), fx_req(&f, "zone", MODEL_OP_GT, V("1")));
    EXPECT(&f, p, a, R_AFF); /* "z1" is no integer */
    /* 8: matchFields metadata.name */
    p = fx_pod(&f, "d", "p8", 8, 1);
    fx_term_field(&f, fx_na_term(&f, p), fx_req(&f, "metadata.name", MODEL_OP_IN, V("node-a")));
    EXPECT(&f, p, a, "");
    p = fx_pod(&f, "d", "p8b", 8, 2);
    fx_term_field(&f, fx_na_term(&f, p), fx_req(&f, "metadata.name", MODEL_OP_NOT_IN, V("node-a")));
    EXPECT(&f, p, a, R_AFF);
    /* 9: matchFields with two values is invalid: matches nothing */
    p = fx_pod(&f, "d", "p9", 9, 1);
    fx_term_field(&f, fx_na_term(&f, p),
                  fx_req(&f, "metadata.name", MODEL_OP_IN, V("node-a", "node-b")));
    EXPECT(&f, p, a, R_AFF);
    /* 10: ORed terms */
    p = fx_pod(&f, "d", "p10", 10, 1);
    fx_term_expr(&f, fx_na_term(&f, p), fx_req(&f, "zone", MODEL_OP_IN, V("z9")));
    fx_term_expr(&f, fx_na_term(&f, p), fx_req(&f, "cores", MODEL_OP_EXISTS, NULL));
    EXPECT(&f, p, a, "");
    /* 11: an empty term matches nothing */
    p = fx_pod(&f, "d", "p11", 11, 1);
    fx_na_term(&f, p);
    EXPECT(&f, p, a, R_AFF);
    /* 12: required node affinity with no term matches nothing */
    p = fx_pod(&f, "d", "p12", 12, 1);
    p->node_affinity = HS_ARENA_NEW(&f.a, struct model_node_affinity);
    p->node_affinity->has_required = true;
    EXPECT(&f, p, a, R_AFF);
    /* 13: nodeSelector and affinity must both hold */
    p = fx_pod(&f, "d", "p13", 13, 1);
    fx_label(&f, &p->node_selector, "zone", "z2");
    fx_term_expr(&f, fx_na_term(&f, p), fx_req(&f, "zone", MODEL_OP_IN, V("z1")));
    EXPECT(&f, p, a, R_AFF);
    fx_release(&f);
}

/* ---- NodePorts ------------------------------------------------------------ */

static void test_ports(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    int32_t n = fx_add_node(&f, "n", 8000, 8 * GI, 110, NULL);
    struct model_pod *e = fx_pod(&f, "d", "existing", 1, 1);
    fx_port(&f, e, 8080, MODEL_PROTO_TCP, NULL);
    fx_port(&f, e, 53, MODEL_PROTO_UDP, "10.0.0.1");
    int32_t eid = fx_bind(&f, e, n);
    struct model_pod *p;
    /* 1: another port */
    p = fx_pod(&f, "d", "p1", 1, 1);
    fx_port(&f, p, 9090, MODEL_PROTO_TCP, NULL);
    EXPECT(&f, p, n, "");
    /* 2: same port and protocol, both wildcard */
    p = fx_pod(&f, "d", "p2", 2, 1);
    fx_port(&f, p, 8080, MODEL_PROTO_TCP, NULL);
    EXPECT(&f, p, n, R_PORTS);
    /* 3: same port, other protocol */
    p = fx_pod(&f, "d", "p3", 3, 1);
    fx_port(&f, p, 8080, MODEL_PROTO_UDP, NULL);
    EXPECT(&f, p, n, "");
    /* 4: a specific IP conflicts with the existing wildcard */
    p = fx_pod(&f, "d", "p4", 4, 1);
    fx_port(&f, p, 8080, MODEL_PROTO_TCP, "10.0.0.2");
    EXPECT(&f, p, n, R_PORTS);
    /* 5: 0.0.0.0 spelled out is the wildcard */
    p = fx_pod(&f, "d", "p5", 5, 1);
    fx_port(&f, p, 53, MODEL_PROTO_UDP, "0.0.0.0");
    EXPECT(&f, p, n, R_PORTS);
    /* 6: two specific IPs differ */
    p = fx_pod(&f, "d", "p6", 6, 1);
    fx_port(&f, p, 53, MODEL_PROTO_UDP, "10.0.0.9");
    EXPECT(&f, p, n, "");
    /* 7: the same specific IP */
    p = fx_pod(&f, "d", "p7", 7, 1);
    fx_port(&f, p, 53, MODEL_PROTO_UDP, "10.0.0.1");
    EXPECT(&f, p, n, R_PORTS);
    /* 8: TCP 53 beside UDP 53 */
    p = fx_pod(&f, "d", "p8", 8, 1);
    fx_port(&f, p, 53, MODEL_PROTO_TCP, "10.0.0.1");
    EXPECT(&f, p, n, "");
    /* 9: hostPort 0 is no host port */
    struct model_pod *z = fx_pod(&f, "d", "zero", 1, 1);
    fx_port(&f, z, 0, MODEL_PROTO_TCP, NULL);
    fx_bind(&f, z, n);
    p = fx_pod(&f, "d", "p9", 9, 1);
    fx_port(&f, p, 0, MODEL_PROTO_TCP, NULL);
    EXPECT(&f, p, n, "");
    /* 10: one of several ports conflicting is enough */
    p = fx_pod(&f, "d", "p10", 10, 1);
    fx_port(&f, p, 7000, MODEL_PROTO_TCP, NULL);
    fx_port(&f, p, 8080, MODEL_PROTO_TCP, NULL);
    EXPECT(&f, p, n, R_PORTS);
    /* 11: the holder gone, the port is free */
    sim_snapshot_remove_pod(f.s, eid);
    EXPECT(&f, p, n, "");
    /* 12: SCTP is its own protocol */
    p = fx_pod(&f, "d", "p12", 12, 1);
    fx_port(&f, p, 8080, MODEL_PROTO_SCTP, NULL);
    EXPECT(&f, p, n, "");
    fx_release(&f);
}

/* ---- VolumeBinding (PV node affinity) and VolumeZone ---------------------- */

static void test_volumes(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    const char *zone = "topology.kubernetes.io/zone";
    struct model_pv *pa = fx_pv(&f, "pv-a");
    fx_label(&f, &pa->labels, zone, "us-east-1a");
    struct model_pv *pab = fx_pv(&f, "pv-ab");
    fx_label(&f, &pab->labels, zone, "us-east-1a__us-east-1b");
    struct model_pv *pbeta = fx_pv(&f, "pv-beta");
    fx_label(&f, &pbeta->labels, "failure-domain.beta.kubernetes.io/zone", "us-east-1b");
    struct model_pv *preg = fx_pv(&f, "pv-region");
    fx_label(&f, &preg->labels, "topology.kubernetes.io/region", "eu-west-1");
    struct model_pv *paff = fx_pv(&f, "pv-aff");
    paff->node_affinity.has_required = true;
    paff->node_affinity.n_required = 1;
    paff->node_affinity.required = HS_ARENA_NEW(&f.a, struct model_node_selector_term);
    fx_term_expr(&f, paff->node_affinity.required, fx_req(&f, zone, MODEL_OP_IN, V("us-east-1a")));
    fx_pvc(&f, "d", "claim-a", "pv-a");
    fx_pvc(&f, "d", "claim-ab", "pv-ab");
    fx_pvc(&f, "d", "claim-beta", "pv-beta");
    fx_pvc(&f, "d", "claim-region", "pv-region");
    fx_pvc(&f, "d", "claim-aff", "pv-aff");
    fx_pvc(&f, "d", "claim-wffc", NULL);
    fx_resnap(&f);
    struct model_node *na, *nb, *nz;
    int32_t a = fx_add_node(&f, "a", 4000, 8 * GI, 110, &na);
    fx_label(&f, &na->labels, zone, "us-east-1a");
    fx_label(&f, &na->labels, "topology.kubernetes.io/region", "us-east-1");
    int32_t b = fx_add_node(&f, "b", 4000, 8 * GI, 110, &nb);
    fx_label(&f, &nb->labels, zone, "us-east-1b");
    int32_t plain = fx_add_node(&f, "plain", 4000, 8 * GI, 110, &nz);
    struct model_pod *p;
#define VOL_POD(name, claim) \
    (p = fx_pod(&f, "d", name, 1, 1), fx_volume(&f, p, "data", MODEL_VOL_PVC, claim), p)
    /* 1, 2 */
    EXPECT(&f, VOL_POD("p1", "claim-a"), a, "");
    EXPECT(&f, VOL_POD("p2", "claim-a"), b, R_VZONE);
    /* 3: a node with no zone label takes any volume */
    EXPECT(&f, VOL_POD("p3", "claim-a"), plain, "");
    /* 4: a multi-zone PV */
    EXPECT(&f, VOL_POD("p4", "claim-ab"), b, "");
    /* 5: an unbound (WaitForFirstConsumer) claim does not constrain */
    EXPECT(&f, VOL_POD("p5", "claim-wffc"), b, "");
    /* 6: an unknown claim does not constrain */
    EXPECT(&f, VOL_POD("p6", "nope"), b, "");
    /* 7: a beta zone label on the PV meets the node's GA label */
    EXPECT(&f, VOL_POD("p7", "claim-beta"), b, "");
    EXPECT(&f, VOL_POD("p7b", "claim-beta"), a, R_VZONE);
    /* 8: region mismatch */
    EXPECT(&f, VOL_POD("p8", "claim-region"), a, R_VZONE);
    /* 9, 10: PV node affinity */
    EXPECT(&f, VOL_POD("p9", "claim-aff"), a, "");
    EXPECT(&f, VOL_POD("p10", "claim-aff"), b, R_VAFF);
    /* 11: a pod of another namespace does not see the claim */
    p = fx_pod(&f, "other", "p11", 1, 1);
    fx_volume(&f, p, "data", MODEL_VOL_PVC, "claim-a");
    EXPECT(&f, p, b, "");
    /* 12: no volume, no constraint */
    EXPECT(&f, fx_pod(&f, "d", "p12", 1, 1), b, "");
#undef VOL_POD
    fx_release(&f);
}

/* ---- InterPodAffinity ----------------------------------------------------- */

/* Four nodes: h1, h2 in zone a; h3 in zone b; h4 has no zone label. */
static void zone_cluster(struct fx *f, int32_t *n)
{
    const char *names[] = { "h1", "h2", "h3", "h4" };
    const char *zones[] = { "a", "a", "b", NULL };
    for (int i = 0; i < 4; i++) {
        struct model_node *nd;
        n[i] = fx_add_node(f, names[i], 8000, 16 * GI, 110, &nd);
        if (zones[i])
            fx_label(f, &nd->labels, "zone", zones[i]);
    }
}

static struct model_pod *labelled(struct fx *f, const char *ns, const char *name, const char *k,
                                  const char *v)
{
    struct model_pod *p = fx_pod(f, ns, name, 10, MI);
    fx_label(f, &p->labels, k, v);
    return p;
}

static void test_interpod(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    int32_t n[4];
    zone_cluster(&f, n);
    fx_bind(&f, labelled(&f, "d", "db", "app", "db"), n[0]);
    struct model_pod *p;
    /* 1, 2: affinity to app=db per zone */
    p = labelled(&f, "d", "web", "app", "web");
    fx_aff(&f, p, false, "zone", "app", "db");
    EXPECT(&f, p, n[1], "");
    EXPECT(&f, p, n[2], R_PAFF);
    /* 3: a node without the topology key fails */
    EXPECT(&f, p, n[3], R_PAFF);
    /* 4: nobody matches, the pod matches itself: first of its group */
    p = labelled(&f, "d", "cache", "app", "cache");
    fx_aff(&f, p, false, "zone", "app", "cache");
    EXPECT(&f, p, n[2], "");
    /* 5: ... but still needs the key */
    EXPECT(&f, p, n[3], R_PAFF);
    /* 6: nobody matches and it does not match itself */
    p = labelled(&f, "d", "lonely", "app", "x");
    fx_aff(&f, p, false, "zone", "app", "nothing");
    EXPECT(&f, p, n[2], R_PAFF);
    /* 7, 8: anti-affinity per host */
    p = labelled(&f, "d", "web2", "app", "web");
    fx_aff(&f, p, true, "kubernetes.io/hostname", "app", "db");
    EXPECT(&f, p, n[0], R_ANTI);
    EXPECT(&f, p, n[1], "");
    /* 9: anti-affinity per zone; a node without the key is fine */
    p = labelled(&f, "d", "web3", "app", "web");
    fx_aff(&f, p, true, "zone", "app", "db");
    EXPECT(&f, p, n[1], R_ANTI);
    EXPECT(&f, p, n[3], "");
    /* 10: symmetry: an existing pod's anti-affinity keeps the incoming out */
    struct model_pod *guard = labelled(&f, "d", "guard", "app", "guard");
    fx_aff(&f, guard, true, "zone", "app", "intruder");
    fx_bind(&f, guard, n[2]);
    p = labelled(&f, "d", "intruder", "app", "intruder");
    EXPECT(&f, p, n[2], R_EXIST);
    EXPECT(&f, p, n[0], "");
    /* 11: ... and only pods of the guard's namespace are concerned */
    p = labelled(&f, "other", "intruder2", "app", "intruder");
    EXPECT(&f, p, n[2], "");
    /* 12: namespaces: the term looks in "other" only */
    fx_bind(&f, labelled(&f, "other", "db2", "app", "db2"), n[2]);
    p = labelled(&f, "d", "web4", "app", "web");
    struct model_pod_affinity_term *t = fx_aff(&f, p, false, "zone", "app", "db2");
    fx_term_ns(&f, t, "other");
    EXPECT(&f, p, n[2], "");
    EXPECT(&f, p, n[0], R_PAFF);
    /* 13: namespaceSelector team=blue picks "blue" */
    fx_ns_label(&f, "blue", "team", "blue");
    fx_bind(&f, labelled(&f, "blue", "db3", "app", "db3"), n[1]);
    p = labelled(&f, "d", "web5", "app", "web");
    t = fx_aff(&f, p, false, "kubernetes.io/hostname", "app", "db3");
    fx_selector_add(&f, &t->ns_selector, fx_req(&f, "team", MODEL_OP_IN, V("blue")));
    EXPECT(&f, p, n[1], "");
    EXPECT(&f, p, n[0], R_PAFF);
    fx_release(&f);
}

static void test_interpod_label_keys(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    int32_t n[4];
    zone_cluster(&f, n);
    struct model_pod *old = labelled(&f, "v", "old", "app", "api");
    fx_label(&f, &old->labels, "version", "1");
    fx_bind(&f, old, n[0]);
    struct model_pod *p;
    /* 14: matchLabelKeys [version]: version 2 is not repelled by version 1 */
    p = labelled(&f, "v", "new", "app", "api");
    fx_label(&f, &p->labels, "version", "2");
    struct model_pod_affinity_term *t = fx_aff(&f, p, true, "kubernetes.io/hostname", "app", "api");
    fx_keys_add(&f, &t->match_label_keys, &t->n_match_label_keys, "version");
    EXPECT(&f, p, n[0], "");
    /* 15: the same version is */
    p = labelled(&f, "v", "same", "app", "api");
    fx_label(&f, &p->labels, "version", "1");
    t = fx_aff(&f, p, true, "kubernetes.io/hostname", "app", "api");
    fx_keys_add(&f, &t->match_label_keys, &t->n_match_label_keys, "version");
    EXPECT(&f, p, n[0], R_ANTI);
    /* 16: mismatchLabelKeys [version]: only other versions repel */
    p = labelled(&f, "v", "mis", "app", "api");
    fx_label(&f, &p->labels, "version", "1");
    t = fx_aff(&f, p, true, "kubernetes.io/hostname", "app", "api");
    fx_keys_add(&f, &t->mismatch_label_keys, &t->n_mismatch_label_keys, "version");
    EXPECT(&f, p, n[0], "");
    /* 17: the empty selector {} repels every pod of the namespace */
    p = labelled(&f, "v", "alone", "app", "alone");
    fx_aff(&f, p, true, "kubernetes.io/hostname", NULL, NULL);
    EXPECT(&f, p, n[0], R_ANTI);
    EXPECT(&f, p, n[1], "");
    /* 18: an existing pod whose term has namespaceSelector {} repels
     * matching pods of every namespace */
    struct model_pod *g = labelled(&f, "v", "guard", "app", "guard");
    struct model_pod_affinity_term *gt = fx_aff(&f, g, true, "zone", "app", "x");
    gt->ns_selector.present = true;
    fx_bind(&f, g, n[2]);
    EXPECT(&f, labelled(&f, "far", "x1", "app", "x"), n[2], R_EXIST);
    /* 19: removal of the guard lifts it */
    const int32_t *ids;
    size_t k = sim_snapshot_node_pods(f.s, n[2], &ids);
    assert_int_equal(k, 1);
    sim_snapshot_remove_pod(f.s, ids[0]);
    EXPECT(&f, labelled(&f, "far", "x2", "app", "x"), n[2], "");
    fx_release(&f);
}

/* ---- PodTopologySpread ---------------------------------------------------- */

static void test_spread(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    int32_t n[4];
    zone_cluster(&f, n); /* h1,h2: a; h3: b; h4: no zone */
    fx_bind(&f, labelled(&f, "d", "w1", "app", "w"), n[0]);
    struct model_pod *p;
    struct model_spread *c;
    /* 1, 2: a has 1, b has 0; a self-matching pod may only go to b */
    p = labelled(&f, "d", "w2", "app", "w");
    fx_spread(&f, p, "zone", 1, "app", "w");
    EXPECT(&f, p, n[1], R_SPREAD);
    EXPECT(&f, p, n[2], "");
    /* 3: a node without the key */
    EXPECT(&f, p, n[3], R_SPREAD_LABEL);
    /* 4: maxSkew 2 allows a */
    p = labelled(&f, "d", "w3", "app", "w");
    fx_spread(&f, p, "zone", 2, "app", "w");
    EXPECT(&f, p, n[1], "");
    /* 5: a pod not matching its own selector adds nothing: 1 + 0 - 0 */
    p = labelled(&f, "d", "other", "app", "other");
    fx_spread(&f, p, "zone", 1, "app", "w");
    EXPECT(&f, p, n[1], "");
    /* 6: minDomains 3 with two domains: the minimum is taken as 0 */
    fx_bind(&f, labelled(&f, "d", "w4", "app", "w"), n[2]); /* a 1, b 1 */
    p = labelled(&f, "d", "w5", "app", "w");
    c = fx_spread(&f, p, "zone", 1, "app", "w");
    c->min_domains = 3;
    EXPECT(&f, p, n[2], R_SPREAD);
    /* 7: minDomains 2 is satisfied: 1 + 1 - 1 = 1 */
    p = labelled(&f, "d", "w6", "app", "w");
    c = fx_spread(&f, p, "zone", 1, "app", "w");
    c->min_domains = 2;
    EXPECT(&f, p, n[2], "");
    /* 8: ScheduleAnyway never filters */
    p = labelled(&f, "d", "w7", "app", "w");
    c = fx_spread(&f, p, "missing-key", 1, "app", "w");
    c->do_not_schedule = false;
    EXPECT(&f, p, n[3], "");
    /* 9: pods of another namespace do not count */
    fx_bind(&f, labelled(&f, "e", "x1", "app", "w"), n[2]);
    fx_bind(&f, labelled(&f, "e", "x2", "app", "w"), n[2]);
    p = labelled(&f, "d", "w8", "app", "w");
    fx_spread(&f, p, "zone", 1, "app", "w");
    EXPECT(&f, p, n[2], "");
    /* 10: terminating pods do not count */
    struct model_pod *dying = labelled(&f, "d", "dying", "app", "w");
    dying->deletion_ts = 1000;
    fx_bind(&f, dying, n[2]);
    EXPECT(&f, p, n[2], "");
    fx_release(&f);
}

static void test_spread_policies(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    /* zones a (2 nodes), b, c; c is tainted and labelled pool=gpu */
    const char *zones[] = { "a", "a", "b", "c" };
    int32_t n[4];
    struct model_node *nd[4];
    for (int i = 0; i < 4; i++) {
        char name[8];
        snprintf(name, sizeof(name), "n%d", i);
        n[i] = fx_add_node(&f, name, 8000, 16 * GI, 110, &nd[i]);
        fx_label(&f, &nd[i]->labels, "zone", zones[i]);
        fx_label(&f, &nd[i]->labels, "pool", i == 3 ? "gpu" : "general");
    }
    fx_taint(&f, nd[3], "gpu", "true", NOSCHED);
    fx_bind(&f, labelled(&f, "d", "a1", "app", "s"), n[0]);
    fx_bind(&f, labelled(&f, "d", "b1", "app", "s"), n[2]);
    struct model_pod *p;
    struct model_spread *c;
    /* 11: zone c (0 pods) counts: min 0, a and b are at 1: skew 2 */
    p = labelled(&f, "d", "s1", "app", "s");
    fx_spread(&f, p, "zone", 1, "app", "s");
    EXPECT(&f, p, n[1], R_SPREAD);
    /* 12: nodeAffinityPolicy Honor (default) with a nodeSelector
     * pool=general leaves c out: min 1, skew 1 */
    p = labelled(&f, "d", "s2", "app", "s");
    fx_label(&f, &p->node_selector, "pool", "general");
    fx_spread(&f, p, "zone", 1, "app", "s");
    EXPECT(&f, p, n[1], "");
    /* 13: nodeAffinityPolicy Ignore counts c again */
    p = labelled(&f, "d", "s3", "app", "s");
    fx_label(&f, &p->node_selector, "pool", "general");
    c = fx_spread(&f, p, "zone", 1, "app", "s");
    c->node_affinity_policy = MODEL_POLICY_IGNORE;
    EXPECT(&f, p, n[1], R_SPREAD);
    /* 14: nodeTaintsPolicy Honor leaves the tainted c out */
    p = labelled(&f, "d", "s4", "app", "s");
    c = fx_spread(&f, p, "zone", 1, "app", "s");
    c->node_taints_policy = MODEL_POLICY_HONOR;
    EXPECT(&f, p, n[1], "");
    /* 15: matchLabelKeys: only pods of the same revision count */
    struct model_pod *r1 = labelled(&f, "d", "r1", "app", "r");
    fx_label(&f, &r1->labels, "rev", "1");
    fx_bind(&f, r1, n[0]);
    fx_bind(&f, labelled(&f, "d", "r1b", "app", "r"), n[0]);
    p = labelled(&f, "d", "r2", "app", "r");
    fx_label(&f, &p->labels, "rev", "2");
    c = fx_spread(&f, p, "zone", 1, "app", "r");
    fx_keys_add(&f, &c->match_label_keys, &c->n_match_label_keys, "rev");
    EXPECT(&f, p, n[0], "");
    /* 16: hostname spread: an empty node makes the minimum 0 */
    p = labelled(&f, "d", "h1", "app", "s");
    fx_spread(&f, p, "kubernetes.io/hostname", 1, "app", "s");
    EXPECT(&f, p, n[0], R_SPREAD);
    EXPECT(&f, p, n[1], "");
    /* 17: two constraints: the second fails */
    p = labelled(&f, "d", "two", "app", "s");
    fx_spread(&f, p, "kubernetes.io/hostname", 5, "app", "s");
    fx_spread(&f, p, "zone", 1, "app", "s");
    EXPECT(&f, p, n[0], R_SPREAD);
    /* 18: removing a's pod rebalances */
    const int32_t *ids;
    sim_snapshot_node_pods(f.s, n[0], &ids);
    sim_snapshot_mark_removed(f.s, n[0]);
    p = labelled(&f, "d", "after", "app", "s");
    fx_spread(&f, p, "zone", 1, "app", "s");
    EXPECT(&f, p, n[1], "");
    fx_release(&f);
}

/* ---- find_fit and formatting -------------------------------------------- */

static void test_find_fit(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    for (int i = 0; i < 5; i++) {
        char name[8];
        snprintf(name, sizeof(name), "n%d", i);
        fx_add_node(&f, name, 1000, GI, 110, NULL);
    }
    for (int i = 0; i < 3; i++)
        fx_bind(&f, fx_pod(&f, "d", "fill", 900, MI), i);
    struct model_pod *p = fx_pod(&f, "d", "p", 500, MI);
    fx_owner(&f, p, "ReplicaSet", "rs", "uid-1");
    struct model_pod *q = fx_pod(&f, "d", "q", 500, MI);
    fx_owner(&f, q, "ReplicaSet", "rs", "uid-1");
    const struct sim_pod *sp = sim_pod_prepare(f.s, p), *sq = sim_pod_prepare(f.s, q);
    assert_int_equal(sim_pod_class(sp), sim_pod_class(sq));
    assert_int_equal(sim_find_fit(f.s, sp, 0, -1, false), 3);
    sim_snapshot_add_pod(f.s, sp, 3);
    assert_int_equal(sim_find_fit(f.s, sq, 0, -1, false), 3);
    sim_snapshot_add_pod(f.s, sq, 3);
    assert_int_equal(sim_find_fit(f.s, sq, 0, -1, false), 4);
    /* a freed node below the remembered prefix is found again */
    const int32_t *ids;
    sim_snapshot_node_pods(f.s, 1, &ids);
    sim_snapshot_remove_pod(f.s, ids[0]);
    assert_int_equal(sim_find_fit(f.s, sq, 0, -1, false), 1);
    /* another owner is another class */
    struct model_pod *r = fx_pod(&f, "d", "r", 500, MI);
    fx_owner(&f, r, "ReplicaSet", "rs2", "uid-2");
    assert_int_not_equal(sim_pod_class(sim_pod_prepare(f.s, r)), sim_pod_class(sp));
    struct hs_buf b;
    hs_buf_init(&b);
    struct sim_verdict v = { .reason = SIM_R_SPREAD_MISSING_LABEL };
    sim_verdict_format(&v, &b);
    assert_string_equal(b.data, R_SPREAD_LABEL);
    hs_buf_release(&b);
    fx_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resources),
        cmocka_unit_test(test_unschedulable),
        cmocka_unit_test(test_node_name),
        cmocka_unit_test(test_taints),
        cmocka_unit_test(test_node_affinity),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_volumes),
        cmocka_unit_test(test_interpod),
        cmocka_unit_test(test_interpod_label_keys),
        cmocka_unit_test(test_spread),
        cmocka_unit_test(test_spread_policies),
        cmocka_unit_test(test_find_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
