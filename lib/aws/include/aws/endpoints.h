/*
 * Where hoist sends each AWS call: the services it uses (AutoScaling, EC2,
 * STS) with their signing names and Query flavours, and the endpoint URL of
 * a service in a region, as the SDKs resolve it:
 *   1. AWS_ENDPOINT_URL_<SERVICE> (AUTO_SCALING, EC2, STS), then
 *      AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true;
 *   2. otherwise https://<service>[-fips].<region>.<partition suffix>, with
 *      the partitions of botocore's endpoint rules: aws (amazonaws.com),
 *      aws-cn (cn-*: amazonaws.com.cn), aws-us-gov (us-gov-*), aws-iso
 *      (us-iso-*: c2s.ic.gov), aws-iso-b (us-isob-*: sc2s.sgov.gov), and the
 *      FIPS / dual-stack variants (AWS_USE_FIPS_ENDPOINT,
 *      AWS_USE_DUALSTACK_ENDPOINT).
 * A configured endpoint URL may carry a port and a path; it is never
 * combined with FIPS or dual-stack (an error, as in the endpoint rules).
 * Pure: reads the environment only in aws_endpoint_config_from_process.
 */
#ifndef HOIST_AWS_ENDPOINTS_H
#define HOIST_AWS_ENDPOINTS_H

#include <stdbool.h>

#include "aws/query.h"
#include "base/err.h"

enum aws_service { AWS_SERVICE_AUTOSCALING, AWS_SERVICE_EC2, AWS_SERVICE_STS, AWS_SERVICE__COUNT };

struct aws_service_info {
    const char *endpoint_prefix; /* "autoscaling": the host's first label */
    const char *signing_name;    /* SigV4 service name */
    const char *env_suffix;      /* AWS_ENDPOINT_URL_<env_suffix> */
    const char *api_version;     /* Query Version= */
    enum aws_query_flavor flavor;
    const char *iam_prefix; /* IAM action prefix ("autoscaling", "ec2", "sts") */
};

/* Static facts of s (borrowed, static); NULL for an unknown value. */
const struct aws_service_info *aws_service_info(enum aws_service s);

/* The settings that change endpoints. Strings borrowed; NULL = unset. */
struct aws_endpoint_config {
    const char *endpoint_url;                    /* AWS_ENDPOINT_URL */
    const char *service_url[AWS_SERVICE__COUNT]; /* AWS_ENDPOINT_URL_<SERVICE> */
    bool ignore_configured;                      /* AWS_IGNORE_CONFIGURED_ENDPOINT_URLS */
    bool use_fips;                               /* AWS_USE_FIPS_ENDPOINT */
    bool use_dualstack;                          /* AWS_USE_DUALSTACK_ENDPOINT */
};

/* Fills c from the process environment (strings borrowed from environ:
 * valid until the environment changes). */
void aws_endpoint_config_from_process(struct aws_endpoint_config *c);

/* The endpoint of s in region (borrowed; may be NULL only when an endpoint
 * URL is configured) under c (borrowed; NULL: defaults). *url is new (caller
 * frees), without a trailing slash. HS_EINVAL for a missing or malformed
 * region ("Invalid Configuration: Missing Region"), a configured URL that is
 * not http(s)://host..., or FIPS/dual-stack with a configured URL. */
enum hs_code aws_endpoint_resolve(enum aws_service s, const char *region,
                                  const struct aws_endpoint_config *c, char **url,
                                  struct hs_err *err);

/* The partition's name of region ("aws", "aws-cn", "aws-us-gov", "aws-iso",
 * "aws-iso-b"); static. */
const char *aws_partition_of(const char *region);

/* Splits an http(s) URL (borrowed) into what signing and sending need:
 * *host_header (new) is host[:port] with the port only when it is not the
 * scheme's default, and *path (new) is the URL's path ("/" when none; never
 * a query). HS_EINVAL when url is not http:// or https:// with a host, or
 * carries a query, fragment or user info. */
enum hs_code aws_url_split(const char *url, char **host_header, char **path, struct hs_err *err);

#endif
