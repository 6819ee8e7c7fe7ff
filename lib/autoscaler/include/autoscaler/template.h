/*
 * Node-group templates: the node a group would add, for the scale-up
 * simulation. A template is a sanitized copy of one of the group's ready
 * nodes when it has one, otherwise it is built from the instance type (the
 * built-in table or DescribeInstanceTypes facts), the launch template or
 * configuration and the node-template tags, as cluster-autoscaler's AWS
 * provider does, with four corrections (DESIGN.md, promise 2):
 *
 * - allocatable is what an EKS AMI leaves (capacity - kube-reserved -
 *   eviction threshold) and pods is the ENI max pods, not capacity and 110;
 * - a group that can launch several instance types promises only what every
 *   one of them gives: per-resource minimum, and labels only when every type
 *   agrees (node.kubernetes.io/instance-type only when all overrides are one
 *   type);
 * - a group spanning several zones carries no zone label in its template
 *   (so a pod that needs a zone is never promised to it by the conservative
 *   node); one variant per (instance type, zone) says what each launch could
 *   be, so a caller can check that every one of them satisfies a pod;
 * - DaemonSet pods that would land on a new node are found and summed, so
 *   they count against its allocatable.
 *
 * Pure: no I/O, no clock; the node a template copies is chosen
 * deterministically. Templates own their strings (interned in a caller's
 * table, one reference each) and arrays (in the set's arena).
 */
#ifndef HOIST_AUTOSCALER_TEMPLATE_H
#define HOIST_AUTOSCALER_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "autoscaler/nodegroup.h"
#include "base/arena.h"
#include "base/err.h"
#include "base/intern.h"
#include "model/model.h"

/* model/ec2_facts.h's node setup (max pods, prefix delegation, VM memory
 * overhead, root volume); only ever passed by pointer here. */
struct model_eks_options;

/* Well-known label keys a template sets. */
#define ASC_LABEL_ARCH          "kubernetes.io/arch"
#define ASC_LABEL_OS            "kubernetes.io/os"
#define ASC_LABEL_INSTANCE_TYPE "node.kubernetes.io/instance-type"
#define ASC_LABEL_REGION        "topology.kubernetes.io/region"
#define ASC_LABEL_ZONE          "topology.kubernetes.io/zone"
#define ASC_LABEL_HOSTNAME      "kubernetes.io/hostname"
#define ASC_LABEL_EBS_ZONE      "topology.ebs.csi.aws.com/zone"
#define ASC_LABEL_ZONE_ID       "topology.k8s.aws/zone-id"
#define ASC_LABEL_BETA_ARCH     "beta.kubernetes.io/arch"
#define ASC_LABEL_BETA_OS       "beta.kubernetes.io/os"
#define ASC_LABEL_BETA_TYPE     "beta.kubernetes.io/instance-type"
#define ASC_LABEL_BETA_REGION   "failure-domain.beta.kubernetes.io/region"
#define ASC_LABEL_BETA_ZONE     "failure-domain.beta.kubernetes.io/zone"
#define ASC_LABEL_EKS_NODEGROUP "eks.amazonaws.com/nodegroup"
#define ASC_LABEL_EKS_CAPACITY  "eks.amazonaws.com/capacityType"

/* Tag prefixes of the node-template tags. */
#define ASC_TAG_LABEL    "k8s.io/cluster-autoscaler/node-template/label/"
#define ASC_TAG_TAINT    "k8s.io/cluster-autoscaler/node-template/taint/"
#define ASC_TAG_RESOURCE "k8s.io/cluster-autoscaler/node-template/resources/"

/* Taint keys dropped from a real node before it becomes a template, besides
 * cluster-autoscaler's own taints, the node condition taints and the
 * ignore-taint/startup-taint/status-taint prefixes. All borrowed. */
struct asc_taint_config {
    const char *const *startup; /* --startup-taint */
    size_t n_startup;
    const char *const *status; /* --status-taint */
    size_t n_status;
    const char *const *ignore; /* --ignore-taint (a startup taint, as in cluster-autoscaler) */
    size_t n_ignore;
};

/* True when key (borrowed) is a startup taint: the ignore-taint and
 * startup-taint prefixes, or a key of c's startup and ignore lists (c
 * borrowed, may be NULL). A node carrying one is not ready yet. */
bool asc_taint_is_startup(const struct asc_taint_config *c, const char *key);

/* Whether n (borrowed) is a GPU node whose GPUs have not shown up yet: it
 * carries AWS's accelerator label (k8s.amazonaws.com/accelerator) but no
 * nvidia.com/gpu allocatable, or zero. cluster-autoscaler's GPU processor
 * (FilterOutNodesWithUnreadyResources) takes such a node for one still
 * installing its drivers: unready (ResourceUnready), never a template. */
bool asc_node_gpu_unready(const struct model_node *n);
/* True when a taint with key (borrowed) is dropped from templates by c
 * (borrowed, may be NULL). */
bool asc_taint_is_sanitized(const struct asc_taint_config *c, const char *key);

/* How templates are made. Every pointer borrowed for the build call. */
struct asc_template_config {
    const struct model_eks_options *eks;   /* NULL = model_eks_options_default() */
    const struct asc_taint_config *taints; /* NULL = only the fixed rules */
    /* Build from the ASG even when the group has a usable ready node. */
    bool ignore_nodes;
};

/* What one launch of a group could be: one instance type in one zone. The
 * node has that type's resources and both labels set. */
struct asc_variant {
    const char *instance_type; /* interned */
    const char *zone;          /* interned; NULL when the group has no zone */
    struct model_node node;
};

struct asc_template {
    const struct asc_node_group *group; /* borrowed from the group set */
    /* The node the estimator packs: per-resource minimum over the variants,
     * the labels every variant shares (no zone labels when the group spans
     * several zones, no instance-type/arch labels when its types differ),
     * hostname = name = "template-node-for-<group>". */
    struct model_node node;
    bool from_node;          /* a sanitized copy of a ready node */
    const char *source_node; /* interned name of that node, NULL otherwise */
    /* Variants, type-major: variants[t * n_zones + z] (n_zones >= 1; a group
     * with no zone has one NULL zone). */
    struct asc_variant *variants;
    uint32_t n_variants;
    const char **types; /* interned, the group's instance types */
    uint32_t n_types;
    const char **zones; /* interned, the group's zones (n_zones 0 when none) */
    uint32_t n_zones;
    bool gpu; /* the template offers a GPU (or has the accelerator label) */
};

/* The templates of a group set, one slot per group (same index). */
struct asc_templates {
    struct hs_arena arena;
    struct hs_intern *intern; /* borrowed */
    const struct asc_groups *groups;
    struct asc_template **v; /* arena; v[i] NULL when group i has no template */
    uint32_t n;
    struct asc_warnings warnings; /* why a group has no template, tag problems */
    struct asc_template **all;    /* every template built into the set (heap), for release */
    uint32_t n_all, cap_all;
};

/* Builds the template of every group of g (borrowed; must outlive the set)
 * into *out (new; free with asc_templates_free). nodes (borrowed for the
 * call; may be NULL with n_nodes 0) are the cluster's nodes: a node belongs
 * to a group when its providerID's instance id is one of the group's
 * instances. A group's template copies the ready node with the smallest
 * name that is schedulable, not being deleted, has no ToBeDeleted taint and
 * whose instance type is one the group launches now (a node of a type the
 * group no longer launches would promise the wrong machine); otherwise it
 * is built from the ASG. A group with no template gets a warning naming
 * why. Strings are interned in t (borrowed, must outlive the set). Returns
 * HS_OK even when some groups have no template. */
enum hs_code asc_templates_build(const struct asc_groups *g, const struct asc_cloud *cloud,
                                 const struct model_node *const *nodes, size_t n_nodes,
                                 const struct asc_template_config *cfg, struct hs_intern *t,
                                 struct asc_templates **out, struct hs_err *err);

/* Drops every string reference, frees the set and clears *s. Accepts NULL. */
void asc_templates_free(struct asc_templates **s);

/* The template of group (borrowed, a member of the set's groups), borrowed
 * from s, or NULL when the group has none. */
const struct asc_template *asc_templates_of(const struct asc_templates *s,
                                            const struct asc_node_group *group);

/* Builds one template from the ASG of group into s (borrowed; the template
 * is owned by s and returned borrowed in *out). HS_ENOTFOUND when the
 * group's instance types are unknown or a type has no facts; HS_EINVAL for
 * facts the EKS computation rejects. Tag problems become warnings of s. */
enum hs_code asc_template_from_asg(struct asc_templates *s, const struct asc_node_group *group,
                                   const struct asc_cloud *cloud,
                                   const struct asc_template_config *cfg,
                                   const struct asc_template **out, struct hs_err *err);

/* Builds one template from node (borrowed for the call) of group, into s as
 * above: labels copied but the hostname (the template's name) and, for a
 * group with several zones or types, the zone and type labels; allocatable
 * and capacity kept for the node's own type (other types of a mixed group
 * get EKS-computed resources, and the node's extra resources such as GPUs
 * only when that type has them); taints filtered (asc_taint_is_sanitized);
 * unschedulable, providerID, uid and times cleared; Ready true. */
enum hs_code asc_template_from_node(struct asc_templates *s, const struct asc_node_group *group,
                                    const struct model_node *node, const struct asc_cloud *cloud,
                                    const struct asc_template_config *cfg,
                                    const struct asc_template **out, struct hs_err *err);

/* Whether fits(variant node, ctx) holds for every variant of t (borrowed):
 * the test a scale-up uses before promising a pod that needs a zone, an
 * instance type or an architecture to a group that may launch several. */
bool asc_template_all_variants(const struct asc_template *t,
                               bool (*fits)(const struct model_node *n, void *ctx), void *ctx);

/* Whether the group of t (borrowed) launches only into zones that satisfy
 * zone_ok(zone, ctx): a pod bound to one zone (a zonal volume, a zone
 * selector) may be promised to a multi-zone group only when every zone
 * passes. A group without zones passes only when zone_ok(NULL, ctx). */
bool asc_template_all_zones(const struct asc_template *t,
                            bool (*zone_ok)(const char *zone, void *ctx), void *ctx);

/* ---- DaemonSet overhead --------------------------------------------------- */

/* Whether the pods of ds (borrowed) would run on node (borrowed): the
 * DaemonSet controller's test (nodeSelector, required node affinity, and
 * every NoSchedule/NoExecute taint tolerated, counting the tolerations the
 * controller adds to every DaemonSet pod). Resources are not checked. */
bool asc_daemonset_runs_on(const struct model_daemonset *ds, const struct model_node *node);

/* The DaemonSets among ds[0..n) (borrowed) whose pods would run on node
 * (borrowed): their indices into which (borrowed, room for n; may be NULL)
 * and the sum of their pods' requests into *sum (borrowed; scalar array
 * from a, its names borrowed from ds), with sum->pods counting one pod
 * slot per DaemonSet pod. Returns how many. */
size_t asc_daemonset_overhead(const struct model_daemonset *const *ds, size_t n,
                              const struct model_node *node, size_t *which,
                              struct model_resources *sum, struct hs_arena *a);

#endif
