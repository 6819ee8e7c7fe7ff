/*
 * Expanders: which of the groups that could help pending pods grows. The
 * --expander flag names one expander or a comma-separated chain
 * ("priority,least-waste"); each link keeps the options it likes best, a
 * chain stops as soon as one option is left, and a seeded random pick breaks
 * whatever tie remains, exactly as cluster-autoscaler's chain does. The
 * expanders are cluster-autoscaler's: random, most-pods, least-waste,
 * least-nodes, price (with its preferred-node unfitness, fed with the
 * built-in on-demand prices so that it works on AWS) and priority (the
 * `priorities` text of the cluster-autoscaler-priority-expander ConfigMap,
 * parsed here without a YAML library).
 *
 * Pure and deterministic: no I/O, no clock; randomness only from the
 * caller's struct hs_rng, so a seed reproduces every choice. Options are
 * plain data the scale-up fills from the estimator.
 */
#ifndef HOIST_AUTOSCALER_EXPANDER_H
#define HOIST_AUTOSCALER_EXPANDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "autoscaler/nodegroup.h"
#include "base/err.h"
#include "base/rng.h"
#include "model/model.h"

enum asc_expander_kind {
    ASC_EXPANDER_RANDOM = 0,
    ASC_EXPANDER_MOST_PODS,
    ASC_EXPANDER_LEAST_WASTE,
    ASC_EXPANDER_LEAST_NODES,
    ASC_EXPANDER_PRICE,
    ASC_EXPANDER_PRIORITY,
};

/* Static flag name ("least-waste"); "?" for a bad value. */
const char *asc_expander_name(enum asc_expander_kind k);

/* One way to help the pending pods: grow group by node_count nodes shaped
 * like node, which the estimator says would take n_pods of them. */
struct asc_option {
    const struct asc_node_group *group; /* borrowed */
    const struct model_node *node;      /* borrowed: the group's template node */
    int32_t node_count;                 /* > 0 */
    uint32_t n_pods;                    /* pods this option schedules */
    /* Summed effective requests of those pods (model_pod_requests; the
     * least-waste and price expanders use cpu and memory). */
    int64_t pods_cpu_milli;
    int64_t pods_memory;
    /* Hourly price of one node (asc_group_node_price), for the price
     * expander; has_price false makes the price expander drop the option,
     * as cluster-autoscaler drops an option it cannot price. */
    bool has_price;
    double node_price;
};

/* Adds p's (borrowed) effective requests and one pod to o (borrowed). */
void asc_option_add_pod(struct asc_option *o, const struct model_pod *p);

/* The hourly on-demand price of one node of group (borrowed) in its region
 * into *per_hour. A group of several types costs what its allocation
 * strategy launches: the cheapest override under "lowest-price", otherwise
 * (the default "prioritized") the first override that has a price. Spot is
 * priced on-demand (hoist has no spot price history). HS_ENOTFOUND with a
 * message when no type of the group has a price in the region. */
enum hs_code asc_group_node_price(const struct asc_node_group *group, double *per_hour,
                                  struct hs_err *err);

/* ---- priority expander configuration ------------------------------------ */

struct asc_priorities; /* opaque: parsed `priorities` text */

/* Parses text[0..len) (borrowed) into *out (new; free with
 * asc_priorities_free). The format is the ConfigMap's YAML subset:
 *
 *     10:
 *       - .*t2\.large.*
 *       - "spot-.*"
 *     50:
 *       - ^on-demand$
 *
 * an integer key per priority (optionally signed) followed by ':' and a
 * block list of regular expressions ("- " items, plain or quoted); blank
 * lines and '#' comments are allowed; a flow list ("10: [a, b]") also is.
 * Each expression is Go RE2 syntax as cluster-autoscaler compiles it and
 * is matched unanchored (a find, as Go's FindStringIndex) against group
 * names; hoist compiles it with POSIX regcomp (extended), after turning
 * \d \w \s \D \W \S into bracket expressions. HS_EPARSE with a message
 * naming the line for: empty text, a line that is neither a key nor an item,
 * an item before any key, a key without items, a repeated key, a key that is
 * not an integer, and an expression regcomp rejects or that uses RE2-only
 * syntax ("(?"). */
enum hs_code asc_priorities_parse(const char *text, size_t len, struct asc_priorities **out,
                                  struct hs_err *err);
/* Frees *p and clears it. Accepts NULL. */
void asc_priorities_free(struct asc_priorities **p);

/* The priority of group name (borrowed) under p (borrowed): the highest
 * priority with an expression that matches. False when none matches. */
bool asc_priorities_of(const struct asc_priorities *p, const char *name, int64_t *prio);

/* ---- one expander, and the chain ----------------------------------------- */

/* What the price expander needs besides the options. */
struct asc_expander_env {
    /* Nodes in the cluster now: the price expander's preferred node grows
     * with it (1 vCPU up to 2 nodes, 2 up to 6, 4 up to 20, 8 up to 60, 16
     * up to 200, then 32). */
    size_t cluster_nodes;
    /* Pods are priced at these rates per hour (vCPU, GiB). Zero means the
     * rates of the region of the first option's group: half of an
     * m5.large's on-demand price per vCPU-pair and half per 8 GiB (so 1
     * vCPU costs what 4 GiB do), or 0.024 and 0.006 USD when m5.large has
     * no price there. */
    double cpu_price, memory_price_gib;
    const struct asc_priorities *priorities; /* borrowed; NULL = none */
};

/* Narrows in[0..n_in) (indices into opts, borrowed) to the options
 * expander k likes best, written to out (borrowed, room for n_in; may alias
 * in); returns how many. random keeps one (drawn from rng, borrowed);
 * least-waste, most-pods, least-nodes and price keep every option tied at
 * the best score, in input order; priority keeps the options of the highest
 * priority and, when no option's group has one, all of them (with no
 * priorities at all it keeps none: cluster-autoscaler scales nothing up
 * while its ConfigMap is missing). An expander that can score no option
 * returns 0. */
/* The score a link that keeps the lowest-scoring options gives o (borrowed):
 * most-pods, least-waste and least-nodes. false for the other kinds, and
 * for an option the link drops outright (least-waste on a node without cpu
 * or memory capacity). */
bool asc_expander_score(enum asc_expander_kind k, const struct asc_option *o, double *score);

size_t asc_expander_filter(enum asc_expander_kind k, const struct asc_option *opts,
                           const size_t *in, size_t n_in, size_t *out,
                           const struct asc_expander_env *env, struct hs_rng *rng);

struct asc_expander; /* opaque: a parsed chain */

/* Parses spec (borrowed: the --expander value, e.g. "priority,least-waste")
 * into *out (new; free with asc_expander_free). HS_EINVAL naming the word
 * for an unknown expander, an empty element, an expander given twice, and
 * any expander after random (which always leaves one option), as
 * cluster-autoscaler refuses them. */
enum hs_code asc_expander_new(const char *spec, struct asc_expander **out, struct hs_err *err);
/* Frees *e and clears it. Accepts NULL. */
void asc_expander_free(struct asc_expander **e);

/* The number of links of e (borrowed), and link i (< len). */
size_t asc_expander_len(const struct asc_expander *e);
enum asc_expander_kind asc_expander_at(const struct asc_expander *e, size_t i);

/* Runs the chain e (borrowed) over opts[0..n) (borrowed) and returns the
 * index of the option chosen, or -1 when n is 0 or every link dropped every
 * option (a price expander with no price for any option). Each link
 * narrows; one option left ends the chain; a random pick from rng
 * (borrowed) ends it otherwise. */
ptrdiff_t asc_expander_choose(const struct asc_expander *e, const struct asc_option *opts, size_t n,
                              const struct asc_expander_env *env, struct hs_rng *rng);

#endif
