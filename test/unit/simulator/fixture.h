/*
 * Small constructors of model objects for the simulator's tests: nodes,
 * pods, taints, tolerations, affinity terms, spread constraints, PVCs and
 * PVs, all allocated from one arena and interned in one table that the
 * fixture frees as a whole. Test code only: no validation, no I/O.
 */
#ifndef HOIST_TEST_SIMULATOR_FIXTURE_H
#define HOIST_TEST_SIMULATOR_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/intern.h"
#include "model/model.h"
#include "simulator/snapshot.h"

#define GI (1024LL * 1024 * 1024)
#define MI (1024LL * 1024)

struct fx {
    struct hs_intern *t;
    struct hs_arena a;
    struct sim_snapshot *s;
    struct sim_env env;
    const char *ns_name[8];
    struct model_labels ns_labels[8];
    size_t n_ns;
    struct model_pvc *pvcs[16];
    struct model_pv *pvs[16];
};

/* f: borrowed, embedded by the test. Makes the snapshot too (env filled). */
void fx_init(struct fx *f);
void fx_release(struct fx *f);
/* Remakes the (empty) snapshot, so that it sees PVCs and PVs added since. */
void fx_resnap(struct fx *f);
/* Interned copy (the table keeps it until fx_release). */
const char *fx_s(struct fx *f, const char *s);

void fx_label(struct fx *f, struct model_labels *l, const char *k, const char *v);
void fx_scalar(struct fx *f, struct model_resources *r, const char *name, int64_t v);

/* A node with allocatable (and capacity) cpu, memory, pods; labels
 * kubernetes.io/hostname=name. Not added to the snapshot. */
struct model_node *fx_node(struct fx *f, const char *name, int64_t cpu_milli, int64_t mem,
                           int64_t pods);
/* fx_node, added to f->s; returns its index. */
int32_t fx_add_node(struct fx *f, const char *name, int64_t cpu_milli, int64_t mem, int64_t pods,
                    struct model_node **out);
void fx_taint(struct fx *f, struct model_node *n, const char *k, const char *v,
              enum model_effect e);

struct model_pod *fx_pod(struct fx *f, const char *ns, const char *name, int64_t cpu_milli,
                         int64_t mem);
void fx_owner(struct fx *f, struct model_pod *p, const char *kind, const char *name,
              const char *uid);
void fx_tol(struct fx *f, struct model_pod *p, const char *k, const char *v, bool exists,
            enum model_effect e);
void fx_port(struct fx *f, struct model_pod *p, int32_t port, enum model_protocol proto,
             const char *ip);
void fx_volume(struct fx *f, struct model_pod *p, const char *name, enum model_volume_kind kind,
               const char *claim);
/* A requirement; values is NULL-terminated. */
struct model_requirement fx_req(struct fx *f, const char *key, enum model_op op,
                                const char *const *values);
/* Appends a required node-affinity term (ORed with the others); returns it. */
struct model_node_selector_term *fx_na_term(struct fx *f, struct model_pod *p);
void fx_term_expr(struct fx *f, struct model_node_selector_term *t, struct model_requirement r);
void fx_term_field(struct fx *f, struct model_node_selector_term *t, struct model_requirement r);
/* Appends a required (anti-)affinity term selecting k=v (k NULL: the empty
 * selector {}) across topology key; returns it for namespaces etc. */
struct model_pod_affinity_term *fx_aff(struct fx *f, struct model_pod *p, bool anti,
                                       const char *key, const char *k, const char *v);
void fx_term_ns(struct fx *f, struct model_pod_affinity_term *t, const char *ns);
/* A DoNotSchedule spread constraint selecting k=v; returns it. */
struct model_spread *fx_spread(struct fx *f, struct model_pod *p, const char *key, int32_t max_skew,
                               const char *k, const char *v);
void fx_selector_add(struct fx *f, struct model_label_selector *s, struct model_requirement r);
void fx_keys_add(struct fx *f, const char ***keys, uint32_t *n, const char *k);
/* Namespace labels for namespaceSelector. */
void fx_ns_label(struct fx *f, const char *ns, const char *k, const char *v);
struct model_pvc *fx_pvc(struct fx *f, const char *ns, const char *name, const char *pv);
struct model_pv *fx_pv(struct fx *f, const char *name);

/* Prepares p and binds it to node; returns the pod id. */
int32_t fx_bind(struct fx *f, struct model_pod *p, int32_t node);
/* The formatted verdict of p on node ("" when it fits). */
const char *fx_verdict(struct fx *f, struct model_pod *p, int32_t node);

#endif
