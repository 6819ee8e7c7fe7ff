/*
 * Endpoint resolution for the three services hoist calls (see
 * aws/endpoints.h): configured endpoint URLs first, then the partition
 * rules that botocore's endpoint rule sets encode for AutoScaling and EC2.
 * Must never guess a host for a region it cannot place: an unknown region
 * still gets the standard pattern of the aws partition, as the SDKs do, but
 * a malformed one is an error. No I/O besides getenv in the config reader.
 */
#include "aws/endpoints.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/alloc.h"
#include "base/buf.h"

static const struct aws_service_info services[AWS_SERVICE__COUNT] = {
    [AWS_SERVICE_AUTOSCALING] = { "autoscaling", "autoscaling", "AUTO_SCALING", "2011-01-01",
                                  AWS_QUERY_AWS, "autoscaling" },
    [AWS_SERVICE_EC2] = { "ec2", "ec2", "EC2", "2016-11-15", AWS_QUERY_EC2, "ec2" },
    [AWS_SERVICE_STS] = { "sts", "sts", "STS", "2011-06-15", AWS_QUERY_AWS, "sts" },
};

const struct aws_service_info *aws_service_info(enum aws_service s)
{
    if ((unsigned)s >= AWS_SERVICE__COUNT)
        return NULL;
    return &services[s];
}

struct partition {
    const char *name;
    const char *prefix; /* region prefix; "" matches every region (aws) */
    const char *dns_suffix;
    const char *dualstack_suffix; /* NULL: no dual-stack in this partition */
};

/* Longest prefixes first: us-isob- before us-iso-. */
static const struct partition partitions[] = {
    { "aws-cn", "cn-", "amazonaws.com.cn", "api.amazonwebservices.com.cn" },
    { "aws-us-gov", "us-gov-", "amazonaws.com", "api.aws" },
    { "aws-iso-b", "us-isob-", "sc2s.sgov.gov", NULL },
    { "aws-iso", "us-iso-", "c2s.ic.gov", NULL },
    { "aws", "", "amazonaws.com", "api.aws" },
};

static const struct partition *partition_of(const char *region)
{
    for (size_t i = 0; i < sizeof(partitions) / sizeof(partitions[0]); i++)
        if (strncmp(region, partitions[i].prefix, strlen(partitions[i].prefix)) == 0)
            return &partitions[i];
    return &partitions[sizeof(partitions) / sizeof(partitions[0]) - 1];
}

const char *aws_partition_of(const char *region)
{
    return partition_of(region ? region : "")->name;
}

static bool env_true(const char *name)
{
    const char *v = getenv(name);
    return v && strcasecmp(v, "true") == 0;
}

static const char *env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

void aws_endpoint_config_from_process(struct aws_endpoint_config *c)
{
    memset(c, 0, sizeof(*c));
    c->endpoint_url = env_set("AWS_ENDPOINT_URL");
    c->service_url[AWS_SERVICE_AUTOSCALING] = env_set("AWS_ENDPOINT_URL_AUTO_SCALING");
    c->service_url[AWS_SERVICE_EC2] = env_set("AWS_ENDPOINT_URL_EC2");
    c->service_url[AWS_SERVICE_STS] = env_set("AWS_ENDPOINT_URL_STS");
    c->ignore_configured = env_true("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    c->use_fips = env_true("AWS_USE_FIPS_ENDPOINT");
    c->use_dualstack = env_true("AWS_USE_DUALSTACK_ENDPOINT");
}

/* A region is a DNS label sequence: letters, digits and '-', not starting
 * or ending with '-'. */
static bool region_valid(const char *r)
{
    size_t n = strlen(r);
    if (n == 0 || n > 63 || r[0] == '-' || r[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)r[i]) && r[i] != '-')
            return false;
    return true;
}

enum hs_code aws_url_split(const char *url, char **host_header, char **path, struct hs_err *err)
{
    const char *p;
    bool https;
    *host_header = NULL;
    *path = NULL;
    if (strncasecmp(url, "https://", 8) == 0) {
        https = true;
        p = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        https = false;
        p = url + 7;
    } else {
        return hs_err_set(err, HS_EINVAL, "endpoint URL \"%s\" is not http:// or https://", url);
    }
    size_t auth_len = strcspn(p, "/?#");
    if (auth_len == 0)
        return hs_err_set(err, HS_EINVAL, "endpoint URL \"%s\" has no host", url);
    if (memchr(p, '@', auth_len))
        /* Not quoted: user info may be a password. */
        return hs_err_set(err, HS_EINVAL, "an endpoint URL must not carry user info");
    if (strpbrk(p + auth_len, "?#"))
        return hs_err_set(err, HS_EINVAL, "endpoint URL \"%s\" must not carry a query or fragment",
                          url);
    /* Drop the scheme's default port: curl leaves it out of Host. */
    size_t host_len = auth_len;
    const char *colon = NULL;
    if (p[0] == '[') {
        const char *close = memchr(p, ']', auth_len);
        if (!close)
            return hs_err_set(err, HS_EINVAL, "endpoint URL \"%s\" has a malformed host", url);
        if ((size_t)(close + 1 - p) < auth_len && close[1] == ':')
            colon = close + 1;
    } else {
        colon = memchr(p, ':', auth_len);
    }
    if (colon) {
        const char *port = colon + 1;
        size_t plen = auth_len - (size_t)(port - p);
        if (plen == 0)
            host_len = (size_t)(colon - p);
        else {
            for (size_t i = 0; i < plen; i++)
                if (!isdigit((unsigned char)port[i]))
                    return hs_err_set(err, HS_EINVAL, "endpoint URL \"%s\" has a bad port", url);
            if ((https && plen == 3 && memcmp(port, "443", 3) == 0) ||
                (!https && plen == 2 && memcmp(port, "80", 2) == 0))
                host_len = (size_t)(colon - p);
        }
    }
    *host_header = hs_strndup(p, host_len);
    for (char *h = *host_header; *h; h++)
        *h = (char)tolower((unsigned char)*h);
    const char *rest = p + auth_len;
    *path = hs_strdup(*rest ? rest : "/");
    return HS_OK;
}

static enum hs_code configured(const char *from, const char *url,
                               const struct aws_endpoint_config *c, char **out, struct hs_err *err)
{
    if (c->use_fips)
        return hs_err_set(err, HS_EINVAL,
                          "Invalid Configuration: FIPS and custom endpoint are not supported (%s)",
                          from);
    if (c->use_dualstack)
        return hs_err_set(err, HS_EINVAL,
                          "Invalid Configuration: Dualstack and custom endpoint are not supported "
                          "(%s)",
                          from);
    char *host = NULL, *path = NULL;
    enum hs_code rc = aws_url_split(url, &host, &path, err);
    hs_free(host);
    hs_free(path);
    if (rc) {
        hs_err_prefix(err, "%s", from);
        return rc;
    }
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    *out = hs_strndup(url, n);
    return HS_OK;
}

enum hs_code aws_endpoint_resolve(enum aws_service s, const char *region,
                                  const struct aws_endpoint_config *c, char **url,
                                  struct hs_err *err)
{
    static const struct aws_endpoint_config none = { 0 };
    const struct aws_service_info *si = aws_service_info(s);
    *url = NULL;
    if (!si)
        return hs_err_set(err, HS_EINVAL, "unknown AWS service %d", (int)s);
    if (!c)
        c = &none;
    if (!c->ignore_configured) {
        if (c->service_url[s]) {
            char name[64];
            strcpy(name, "AWS_ENDPOINT_URL_");
            strcat(name, si->env_suffix);
            return configured(name, c->service_url[s], c, url, err);
        }
        if (c->endpoint_url)
            return configured("AWS_ENDPOINT_URL", c->endpoint_url, c, url, err);
    }
    if (!region || !*region)
        return hs_err_set(err, HS_EINVAL, "Invalid Configuration: Missing Region");
    if (!region_valid(region))
        return hs_err_set(err, HS_EINVAL,
                          "Invalid Configuration: region \"%s\" is not a valid "
                          "host label",
                          region);
    const struct partition *p = partition_of(region);
    const char *suffix = p->dns_suffix;
    if (c->use_dualstack) {
        if (!p->dualstack_suffix)
            return hs_err_set(err, HS_EINVAL,
                              "DualStack is enabled but partition %s does not support DualStack",
                              p->name);
        suffix = p->dualstack_suffix;
    }
    struct hs_buf b;
    hs_buf_init(&b);
    /* In aws-us-gov the FIPS endpoints of these services are the regular
     * hosts (the rule sets special-case the partition). */
    bool fips_host = c->use_fips && !(strcmp(p->name, "aws-us-gov") == 0 && !c->use_dualstack);
    hs_buf_addf(&b, "https://%s%s.%s.%s", si->endpoint_prefix, fips_host ? "-fips" : "", region,
                suffix);
    *url = hs_buf_detach(&b);
    return HS_OK;
}
