/*
 * Internals shared by the simulator's files: the snapshot's node and pod
 * tables, the undo journal, equivalence classes, topology domains and the
 * counters that inter-pod affinity and topology spread read. Nothing here is
 * part of the public API and nothing here does I/O.
 *
 * Counters. A counter counts, per node and per topology domain (a value of
 * one topology key), the pods on live nodes that match a conjunction of
 * pod-affinity terms (MATCH), or that carry one required anti-affinity term
 * (HAVE, for the "existing pods' anti-affinity" check). Counters are kept
 * exact by every pod and node change, including the undo of a revert, so a
 * filter reads a count in O(1) instead of walking the cluster's pods.
 */
#ifndef HOIST_SIMULATOR_SIM_INT_H
#define HOIST_SIMULATOR_SIM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/intern.h"
#include "model/model.h"
#include "simulator/estimator.h"
#include "simulator/filter.h"
#include "simulator/snapshot.h"

struct sim__est_cache;

/* ---- a small open-addressing map: uint64 key -> int32 value ------------ */

struct sim__map {
    uint64_t *keys;
    int32_t *vals; /* -1 = empty slot */
    uint32_t cap;  /* power of two, or 0 */
    uint32_t n;
};

void sim__map_release(struct sim__map *m);
/* Value of key, or -1. */
int32_t sim__map_get(const struct sim__map *m, uint64_t key);
/* Sets key to val (val >= 0), replacing an old value. */
void sim__map_put(struct sim__map *m, uint64_t key, int32_t val);
uint64_t sim__hash_ptr(const void *p);
uint64_t sim__hash_mix(uint64_t h, uint64_t v);

/* ---- resolved pod-affinity terms ---------------------------------------- */

/* A PodAffinityTerm (or a spread constraint's selector) ready to match pods:
 * the selector has matchLabelKeys/mismatchLabelKeys merged in; the namespace
 * rule is "ns in namespaces, or ns_sel matches the namespace's labels". */
struct sim__term {
    struct model_label_selector sel; /* arena */
    const char **ns;                 /* interned */
    uint32_t n_ns;
    const struct model_label_selector *ns_sel; /* NULL: no namespaceSelector */
    const char *key;                           /* topology key (interned) */
    uint64_t hash;                             /* of everything above */
};

/* ---- topology keys and domains ------------------------------------------ */

struct sim__counter;

struct sim__topo {
    const char *key;   /* interned */
    int32_t *node_dom; /* per node: domain id or -1 (label absent) */
    uint32_t cap_nodes;
    struct sim__map doms; /* value pointer -> domain id */
    const char **dom_val; /* per domain: the label value */
    int32_t *dom_live;    /* per domain: live nodes with that value */
    uint32_t n_dom, cap_dom;
    uint32_t n_live_dom; /* domains with dom_live > 0 */
    int32_t *counters;   /* counters on this key */
    size_t n_counters, cap_counters;
};

enum sim__ctr_kind { SIM__CTR_MATCH, SIM__CTR_HAVE };

struct sim__counter {
    enum sim__ctr_kind kind;
    const struct sim__term *terms; /* MATCH: conjunction; HAVE: the one term */
    uint32_t n_terms;
    int32_t topo;          /* index into snapshot topos */
    const char *spread_ns; /* MATCH for spread: only pods of this ns, non-terminating */
    uint64_t sig;          /* identity hash */
    int32_t *node_cnt;     /* per node */
    uint32_t cap_nodes;
    int32_t *dom_cnt; /* per domain of topo */
    uint32_t cap_dom;
    int64_t total; /* pods counted on live nodes having the key */
    int32_t *hist; /* number of live domains per count */
    uint32_t cap_hist;
    int32_t min;            /* lower bound of the smallest live-domain count */
    int32_t next_anchor;    /* chain in the anchor map */
    const char *anchor_key; /* key of the anchor requirement */
};

/* ---- equivalence classes ------------------------------------------------ */

struct sim__spread {
    const struct model_spread *c; /* borrowed from the representative pod */
    struct sim__term term;
    int32_t ctr; /* counter id, -1 until resolved */
    bool self;   /* the pod matches its own selector */
    /* slow-path cache (node inclusion policies or several keys) */
    int32_t *dom_cnt;
    uint8_t *dom_present;
    uint32_t cap;
    uint64_t stamp; /* snapshot version the cache is for; 0 = none */
    int32_t min;
    uint32_t n_present;
};

struct sim__pv_zone {
    const char *key;     /* interned zone/region label key of the PV */
    const char *ga_key;  /* its GA translation (interned) */
    const char **values; /* LabelZonesToSet pieces, arena strings */
    uint32_t n_values;
};

struct sim__class {
    uint32_t id;
    uint64_t hash, hash2; /* two independent hashes of the class key */
    int32_t next;         /* next class with the same hash */
    bool terms_ready;     /* aff/anti/have_ctr resolved (done at prepare for anti) */
    const struct model_pod *rep;
    uint32_t local; /* node-local equivalence (resources, ports, static filters) */

    bool resolved;
    struct sim__term *aff; /* required affinity terms */
    uint32_t n_aff;
    struct sim__term *anti; /* required anti-affinity terms */
    uint32_t n_anti;
    int32_t *aff_ctr, *anti_ctr;
    int32_t *have_ctr;          /* this class's anti terms as HAVE counters */
    bool aff_self;              /* the pod matches all its affinity terms */
    struct sim__spread *spread; /* DoNotSchedule constraints */
    uint32_t n_spread;
    bool spread_fast;            /* counts can be read from the counters directly */
    const struct model_pv **pvs; /* bound PVs of the pod's claims */
    uint32_t n_pvs;
    struct sim__pv_zone *zones;
    uint32_t n_zones;
    bool has_req_aff; /* node selector or required node affinity present */

    /* Which HAVE counters' terms match this pod (0 unknown, 1 no, 2 yes). */
    uint8_t *have_match;
    uint32_t n_have_match;

    /* The counters a live, non-terminating pod of this class bumps (its
     * own anti terms' HAVE counters, once per term, then every MATCH
     * counter whose terms it matches), for binding pods in runs. Counters
     * made since are examined on the next sim__class_feeds(). */
    int32_t *feeds;
    uint32_t n_feeds;
    size_t cap_feeds;
    uint32_t feeds_seen; /* counters examined so far */
    bool feeds_init;     /* HAVE counters appended */
};

/* ---- nodes and pods ----------------------------------------------------- */

struct sim__node {
    const struct model_node *n; /* borrowed, or &own */
    struct model_node own;      /* template copies */
    bool templ;                 /* n == &own (re-pointed when the array moves) */
    struct model_label *own_labels;
    uint32_t cap_own_labels;
    int64_t req_cpu, req_mem, req_eph;
    int64_t *req_scalar; /* parallel to n->allocatable.scalar */
    uint32_t n_scalar, cap_scalar;
    int32_t *pods;
    uint32_t n_pods, cap_pods;
    uint32_t n_port_pods;
    bool removed;
};

struct sim__pod {
    const struct sim_pod *sp;
    int32_t node; /* -1 after removal */
    int32_t pos;  /* index in the node's pod list */
};

/* ---- the journal -------------------------------------------------------- */

enum sim__jop {
    SIM__J_ADD_POD,
    SIM__J_REMOVE_POD,
    SIM__J_ADD_NODE,
    SIM__J_MARK,
    SIM__J_CURSOR,
    SIM__J_ADD_RUN, /* a = first pod id, b = count (sim__add_run) */
};

struct sim__jentry {
    uint8_t op;
    int32_t a, b, c;
};

/* An open fork: where its changes start in the journal, and the state
 * they started from. */
struct sim__mark {
    size_t journal;
    uint64_t state;
};

struct sim_snapshot {
    struct hs_intern *intern;
    struct sim_env env;
    struct hs_arena arena;

    struct sim__node *nodes;
    size_t n_nodes, cap_nodes;
    struct sim__map node_by_name;

    struct sim__pod *pods;
    size_t n_pods, cap_pods;

    struct sim__class **classes;
    size_t n_classes, cap_classes;
    struct sim__map class_by_hash;
    uint32_t n_local;
    struct sim__map local_by_hash;
    const struct model_pod **local_rep;
    size_t cap_local_rep;
    uint32_t *cursor; /* per local class: nodes below it rejected it locally */
    size_t cap_cursor;

    struct sim__topo *topos;
    size_t n_topos, cap_topos;
    struct sim__counter *ctrs;
    size_t n_ctrs, cap_ctrs;
    struct sim__map ctr_by_sig;
    struct sim__map anchors; /* label value pointer -> first counter */
    int32_t *unanchored;     /* MATCH counters without an anchor */
    size_t n_unanchored, cap_unanchored;
    int32_t *haves; /* HAVE counters */
    size_t n_haves, cap_haves;

    struct sim__jentry *journal;
    size_t n_journal, cap_journal;
    struct sim__mark *marks;
    size_t n_marks, cap_marks;
    uint64_t version; /* bumped by every change, and by every undo */
    /* Names the contents: a value never used before after every change,
     * and the fork's value again after its revert (so a fork that added
     * and took away a node leaves the same state as before). */
    uint64_t state;
    uint64_t state_seq; /* the last value given out */

    const char **own_names; /* interned "hoist-new-<i>" names (refs held) */
    size_t n_own_names, cap_own_names;

    struct sim__est_cache *est; /* estimator's reusable state (estimator.c) */

    /* interned constants */
    const char *k_hostname, *k_unschedulable, *k_metadata_name;
    const char *k_zone_beta, *k_region_beta, *k_zone, *k_region;
};

/* snapshot.c */
/* The i-th pooled interned node name for estimator nodes (ref held by s). */
const char *sim__pool_name(struct sim_snapshot *s, uint32_t i);
void sim__resolve_class(struct sim_snapshot *s, struct sim__class *c);
bool sim__term_matches(const struct sim_snapshot *s, const struct sim__term *t, const char *ns,
                       const struct model_labels *labels);
int32_t sim__counter_get(struct sim_snapshot *s, enum sim__ctr_kind kind,
                         const struct sim__term *terms, uint32_t n_terms, const char *key,
                         const char *spread_ns);
int32_t sim__counter_min(struct sim_snapshot *s, struct sim__counter *c);
void sim__cursor_set(struct sim_snapshot *s, uint32_t local, uint32_t v);
/* The counters a pod of class c bumps (see struct sim__class); borrowed,
 * valid until the next counter is made. *n receives the count. */
const int32_t *sim__class_feeds(struct sim_snapshot *s, struct sim__class *c, uint32_t *n);
/* Binds the k prepared pods sps[0..k) (borrowed), all of one class, none
 * terminating and none with spec.nodeName, to node, as k calls of
 * sim_snapshot_add_pod would, with ids in order; journaled as one entry
 * whose undo costs O(counters of the class), not O(k). Returns the first id. */
int32_t sim__add_run(struct sim_snapshot *s, const struct sim_pod *const *sps, uint32_t k,
                     int32_t node);
void sim__ctr_bump(struct sim_snapshot *s, struct sim__counter *c, int32_t node, int delta);
static inline bool sim__node_live(const struct sim_snapshot *s, int32_t i)
{
    return i >= 0 && (size_t)i < s->n_nodes && !s->nodes[i].removed;
}

/* estimator.c */
void sim__est_cache_free(struct sim_snapshot *s, struct sim__est_cache **c);
#ifdef HS_UNITTEST_BUILD
/* The estimator's plain pod-by-pod algorithm, without skipping or runs:
 * the specification sim_estimate must agree with (same arguments). */
void sim__estimate_reference(struct sim_snapshot *s, const struct sim_estimate_input *in,
                             struct sim_estimate *out);
/* How many sim_estimate calls were answered from a twin template's run. */
uint64_t sim__estimate_memo_hits(const struct sim_snapshot *s);
/* When set, every sim_estimate call runs sim__estimate_reference instead,
 * and sim_twins_alike says no: no reuse of any kind, for tests that
 * compare whole plans both ways. */
extern bool sim__estimate_plain;
/* How many sim_estimate runs their stop callback abandoned. */
extern uint64_t sim__estimate_stops;
/* How many sim_twins_alike calls said alike (never while
 * sim__estimate_plain is set: then every template is checked alone). */
extern uint64_t sim__twins_hits;
#endif

/* filter.c */
bool sim__tolerates_all(const struct model_pod *p, const struct model_taint *taints, uint32_t n,
                        const struct model_taint **untolerated);
bool sim__node_affinity_matches(const struct sim_snapshot *s, const struct model_pod *p,
                                const struct model_node *n);
bool sim__reason_is_local(enum sim_reason r);
/* sim_find_fit; scoped: the caller will not ask about nodes below from until
 * the current fork is reverted, so the class cursor may start at from. */
int32_t sim__find_fit(struct sim_snapshot *s, const struct sim_pod *sp, int32_t from, int32_t to,
                      bool ignore_node_name, bool scoped);
/* Whether prepared pod sp fits node, ignoring spec.nodeName: SIM_OK, or a
 * reason that rejects it (not necessarily the one sim_filter reports). */
enum sim_reason sim__fast_check(struct sim_snapshot *s, const struct sim_pod *sp, int32_t node);
/* sim__fast_check's filters that read only the node object, not its pods or
 * counters (unschedulable, taints, node affinity, volumes), in its order. */
enum sim_reason sim__node_object_check(struct sim_snapshot *s, const struct sim_pod *sp,
                                       const struct model_node *n);
/* sim__fast_check for a live node whose free cpu, memory, storage, scalar
 * resources and pod slots are known to take the pod: the same answer and
 * reason. node_r (borrowed, may be NULL): sim__node_object_check's answer
 * for the node, when the caller knows it. */
enum sim_reason sim__check_fitting(struct sim_snapshot *s, const struct sim_pod *sp, int32_t node,
                                   const enum sim_reason *node_r);

#endif
