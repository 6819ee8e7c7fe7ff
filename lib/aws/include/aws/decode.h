/*
 * Decoders of what AWS says about node groups, into lib/model (model/asg.h):
 * the live Query-protocol XML of AutoScaling, EC2 and STS responses and
 * error bodies, and the JSON the `aws` CLI prints for the same operations
 * (`hoist simulate --asgs`, `--instance-types`, `--launch-templates`). Both
 * paths fill the same structs the same way.
 *
 * Contract common to every decoder here:
 *  - input is borrowed and need not be NUL-terminated;
 *  - records are appended to the list `out` (so pages accumulate); on error
 *    the list may hold a partial page, which the caller drops;
 *  - *next_token (when next_token is not NULL) is set to a new string the
 *    caller frees with hs_free, or NULL on the last page;
 *  - bad input is HS_EPARSE with a message naming the element path and line
 *    (XML) or the file and JSON path (`asgs.json: AutoScalingGroups[3].
 *    Instances[0].AvailabilityZone: expected string`); an AWS error envelope
 *    where a result was expected is HS_EAWS "<Code>: <Message> (request id
 *    <id>)";
 *  - nothing is logged, and no secret (SecretAccessKey, SessionToken, the
 *    web identity token) ever appears in an error message.
 * No XML or JSON type crosses this header.
 */
#ifndef HOIST_AWS_DECODE_H
#define HOIST_AWS_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "model/asg.h"

/* ---- error bodies ---- */

/* An AWS error as either envelope carries it:
 *   AutoScaling/STS: ErrorResponse/Error/{Type,Code,Message} + RequestId
 *   EC2:             Response/Errors/Error/{Code,Message} + RequestID
 * Strings are truncated to fit and always NUL-terminated; "" when absent. */
struct aws_error_info {
    char type[32]; /* "Sender" / "Receiver"; "" for EC2 */
    char code[128];
    char message[512];
    char request_id[128];
};

/* Decodes an error body into *out (borrowed, filled). HS_EPARSE when body
 * is not one of the two envelopes. */
enum hs_code aws_xml_error(const char *body, size_t len, struct aws_error_info *out,
                           struct hs_err *err);

/* ---- AutoScaling (Query protocol, 2011-01-01) ---- */

/* DescribeAutoScalingGroupsResponse: groups (with MixedInstancesPolicy,
 * Instances, Tags) appended to out (borrowed). */
enum hs_code aws_xml_describe_asgs(const char *body, size_t len, struct model_asg_list *out,
                                   char **next_token, struct hs_err *err);
/* DescribeScalingActivitiesResponse. */
enum hs_code aws_xml_describe_scaling_activities(const char *body, size_t len,
                                                 struct model_activity_list *out, char **next_token,
                                                 struct hs_err *err);
/* DescribeLaunchConfigurationsResponse. */
enum hs_code aws_xml_describe_launch_configurations(const char *body, size_t len,
                                                    struct model_launch_config_list *out,
                                                    char **next_token, struct hs_err *err);
/* The response of an action that returns at most one Activity:
 * "SetDesiredCapacity" (no result: appends nothing) and
 * "TerminateInstanceInAutoScalingGroup" (appends its Activity). action is
 * borrowed; the root must be <action>Response. */
enum hs_code aws_xml_activity_response(const char *body, size_t len, const char *action,
                                       struct model_activity_list *out, struct hs_err *err);

/* ---- EC2 (ec2Query protocol, 2016-11-15) ---- */

/* DescribeLaunchTemplateVersionsResponse. */
enum hs_code aws_xml_describe_lt_versions(const char *body, size_t len,
                                          struct model_lt_version_list *out, char **next_token,
                                          struct hs_err *err);
/* DescribeInstanceTypesResponse. */
enum hs_code aws_xml_describe_instance_types(const char *body, size_t len,
                                             struct model_instance_type_list *out,
                                             char **next_token, struct hs_err *err);

/* ---- STS (2011-06-15) ---- */

/* Temporary credentials. Every string is new, owned by the struct; release
 * wipes the secret and token before freeing them. Never log one. */
struct aws_sts_credentials {
    char *access_key_id;
    char *secret_access_key;
    char *session_token;
    int64_t expiration;     /* Unix seconds */
    char *assumed_role_arn; /* AssumedRoleUser/Arn, or NULL */
};

void aws_sts_credentials_release(struct aws_sts_credentials *c);

/* AssumeRoleWithWebIdentityResponse into *out (borrowed; zeroed first; left
 * empty on error). Missing AccessKeyId, SecretAccessKey, SessionToken or
 * Expiration is HS_EPARSE. */
enum hs_code aws_xml_sts_credentials(const char *body, size_t len, struct aws_sts_credentials *out,
                                     struct hs_err *err);

/* ---- what the aws CLI prints (--output json) ---- */

/* `aws autoscaling describe-auto-scaling-groups`. file (borrowed, may be
 * NULL) prefixes error messages. A NextToken in the document is returned
 * like a page's. */
enum hs_code aws_cli_json_asgs(const char *text, size_t len, const char *file,
                               struct model_asg_list *out, char **next_token, struct hs_err *err);
/* `aws ec2 describe-instance-types`. */
enum hs_code aws_cli_json_instance_types(const char *text, size_t len, const char *file,
                                         struct model_instance_type_list *out, char **next_token,
                                         struct hs_err *err);
/* `aws ec2 describe-launch-template-versions`. */
enum hs_code aws_cli_json_lt_versions(const char *text, size_t len, const char *file,
                                      struct model_lt_version_list *out, char **next_token,
                                      struct hs_err *err);

/* Reads path (borrowed) whole and runs the matching decoder above; an
 * unreadable file is HS_EIO naming it. */
enum hs_code aws_cli_json_asgs_file(const char *path, struct model_asg_list *out,
                                    struct hs_err *err);
enum hs_code aws_cli_json_instance_types_file(const char *path,
                                              struct model_instance_type_list *out,
                                              struct hs_err *err);
enum hs_code aws_cli_json_lt_versions_file(const char *path, struct model_lt_version_list *out,
                                           struct hs_err *err);

#endif
