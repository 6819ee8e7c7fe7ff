/*
 * Fuzz target for the endpoint settings of lib/aws/endpoints.c: a region
 * (from AWS_REGION, a shared config file or IMDS) and an endpoint URL
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>). The input is
 * "<region>\n<url>"; its first byte also picks FIPS / dual-stack. The URL
 * goes through aws_url_split and, as each kind of setting, through
 * aws_endpoint_resolve. A split URL has a lower-case host header without
 * user info and a path starting with '/' without a query; a resolved
 * endpoint is http(s) without a trailing slash; errors are HS_EINVAL with
 * a message, and never quote an http(s) URL's user info (a password may
 * hide there). Must
 * never crash, leak or read past the strings.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws/endpoints.h"
#include "base/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_split(const char *url)
{
    char *host = NULL, *path = NULL;
    struct hs_err err = { 0 };
    enum hs_code rc = aws_url_split(url, &host, &path, &err);
    if (rc == HS_OK) {
        if (!host || !path || path[0] != '/' || strpbrk(path, "?#") || strchr(host, '@') ||
            strpbrk(host, "/?#"))
            abort();
        for (const char *h = host; *h; h++)
            if (isupper((unsigned char)*h))
                abort();
    } else if (rc != HS_EINVAL || !err.msg[0] || host || path) {
        abort();
    }
    /* An http(s) URL's user info ("user:secret@host") is never quoted back. */
    const char *auth = strstr(url, "://");
    if (rc && auth &&
        (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0)) {
        auth += 3;
        const char *at = memchr(auth, '@', strcspn(auth, "/?#"));
        if (at && strstr(err.msg, "@"))
            abort();
    }
    hs_free(host);
    hs_free(path);
}

static void check_resolve(enum aws_service s, const char *region,
                          const struct aws_endpoint_config *c)
{
    char *url = NULL;
    struct hs_err err = { 0 };
    enum hs_code rc = aws_endpoint_resolve(s, region, c, &url, &err);
    if (rc == HS_OK) {
        size_t n = strlen(url);
        if ((strncasecmp(url, "https://", 8) != 0 && strncasecmp(url, "http://", 7) != 0) ||
            url[n - 1] == '/')
            abort();
    } else if (rc != HS_EINVAL || !err.msg[0] || url) {
        abort();
    }
    hs_free(url);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    char *region = s, *url = strchr(s, '\n');
    if (url)
        *url++ = '\0';
    else
        url = s;

    check_split(url);
    struct aws_endpoint_config c = { 0 };
    c.use_fips = size > 0 && (data[0] & 1);
    c.use_dualstack = size > 0 && (data[0] & 2);
    check_resolve(AWS_SERVICE_EC2, region, &c); /* the region alone */
    c.endpoint_url = url;
    check_resolve(AWS_SERVICE_AUTOSCALING, region, &c);
    c.service_url[AWS_SERVICE_STS] = url;
    c.endpoint_url = NULL;
    check_resolve(AWS_SERVICE_STS, region, &c);
    free(s);
    return 0;
}
