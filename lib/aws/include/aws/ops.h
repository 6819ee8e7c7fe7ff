/*
 * The AutoScaling and EC2 operations hoist performs, over aws_client:
 * each builds its Query bodies, follows every page (and splits long name
 * lists into the API's batch sizes), decodes into lib/model lists and
 * calls back once. Writes are the two that resize groups:
 * SetDesiredCapacity (HonorCooldown=false) and
 * TerminateInstanceInAutoScalingGroup (ShouldDecrementDesiredCapacity=true,
 * never retried once it may have run).
 *
 * Contract common to every operation here:
 *  - `out` lists are borrowed, must stay valid until the callback runs or
 *    the operation is canceled, and are appended to (pages accumulate; on
 *    error they may hold a partial result, which the caller drops);
 *  - the callback runs exactly once, later, from the loop, with rc and err
 *    as aws_client documents (HS_ETHROTTLED when AWS kept throttling: not
 *    a node-group failure); on a synchronous error (err filled) it never
 *    runs;
 *  - string arguments are borrowed for the call only (copied);
 *  - nothing is logged beyond aws_client's lines.
 */
#ifndef HOIST_AWS_OPS_H
#define HOIST_AWS_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "model/asg.h"

struct aws_client;

/* An operation in flight. */
struct aws_op;

/* rc/err as aws_client_call's; err is NULL on HS_OK. */
typedef void (*aws_op_fn)(void *ctx, enum hs_code rc, const struct hs_err *err);

/* Abandons *op (its callback will not run) and clears it. Accepts NULL. Not
 * from the operation's own callback. */
void aws_op_cancel(struct aws_op **op);

/* ---- AutoScaling ---- */

/* One tag filter: a group matches when it has tag key with value (any
 * value when value is NULL or ""). Filters are ANDed. */
struct aws_tag_filter {
    const char *key;
    const char *value;
};

/* Which groups to describe: names (at most 100 per call are sent; more are
 * split into calls) and tag filters, ANDed: a group is returned when its
 * name is listed (or no names are given) and every filter matches. With
 * neither, every group of the account and region. */
struct aws_asg_query {
    const char *const *names;
    size_t n_names;
    const struct aws_tag_filter *filters;
    size_t n_filters;
};

#define AWS_ASG_NAMES_PER_CALL 100

/* DescribeAutoScalingGroups, all pages of every batch, into out. */
enum hs_code aws_describe_asgs(struct aws_client *c, const struct aws_asg_query *q,
                               struct model_asg_list *out, aws_op_fn fn, void *ctx,
                               struct aws_op **op, struct hs_err *err);

/* SetDesiredCapacity of group to desired, HonorCooldown=false. */
enum hs_code aws_set_desired_capacity(struct aws_client *c, const char *group, int32_t desired,
                                      aws_op_fn fn, void *ctx, struct aws_op **op,
                                      struct hs_err *err);

/* TerminateInstanceInAutoScalingGroup of instance_id with
 * ShouldDecrementDesiredCapacity=true; the activity AWS returns is appended
 * to out (may be NULL). Never retried after the request may have run. */
enum hs_code aws_terminate_instance(struct aws_client *c, const char *instance_id,
                                    struct model_activity_list *out, aws_op_fn fn, void *ctx,
                                    struct aws_op **op, struct hs_err *err);

/* DescribeScalingActivities of group: the most recent max_records (1..100;
 * 0: 100) activities, newest first (one page: the recent history is what
 * matters for a scale-up's fate). */
enum hs_code aws_describe_scaling_activities(struct aws_client *c, const char *group,
                                             int max_records, struct model_activity_list *out,
                                             aws_op_fn fn, void *ctx, struct aws_op **op,
                                             struct hs_err *err);

/* DescribeLaunchConfigurations of names (50 per call; n 0: all), all pages. */
enum hs_code aws_describe_launch_configurations(struct aws_client *c, const char *const *names,
                                                size_t n, struct model_launch_config_list *out,
                                                aws_op_fn fn, void *ctx, struct aws_op **op,
                                                struct hs_err *err);

/* ---- EC2 ---- */

/* DescribeLaunchTemplateVersions of the template spec names (id or name)
 * at its version ("$Latest", "$Default", a number; NULL: "$Default"), all
 * pages. */
enum hs_code aws_describe_lt_versions(struct aws_client *c, const struct model_lt_spec *spec,
                                      struct model_lt_version_list *out, aws_op_fn fn, void *ctx,
                                      struct aws_op **op, struct hs_err *err);

/* DescribeInstanceTypes of types (100 per call; n 0: every type, all
 * pages). Results are cached in the client for its lifetime (instance
 * types do not change): a type already known is copied from the cache,
 * only unknown ones are asked for. Types AWS does not know are simply
 * absent from out. */
enum hs_code aws_describe_instance_types(struct aws_client *c, const char *const *types, size_t n,
                                         struct model_instance_type_list *out, aws_op_fn fn,
                                         void *ctx, struct aws_op **op, struct hs_err *err);

/* Copies t (borrowed) into out, its strings into out's arena. */
void aws_instance_type_copy(struct model_instance_type_list *out,
                            const struct model_instance_type *t);

#endif
