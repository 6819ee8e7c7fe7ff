/*
 * `hoist version`. It asks each library for the version actually loaded at run
 * time, which is what matters when a distribution updates a shared library
 * under a built binary. This is the one file outside lib/http and lib/aws that
 * includes libcurl's and OpenSSL's headers, and only for their version calls.
 */
#include "cli.h"

#include <curl/curl.h>
#include <ev.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "gitrev.h"

#ifndef HOIST_VERSION
#define HOIST_VERSION "0.0.0"
#endif

void cli_print_version(FILE *out)
{
    const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
    fprintf(out, "hoist %s (commit %s)\n", HOIST_VERSION, HOIST_GIT_COMMIT);
    fprintf(out, "libcurl %s (%s)\n", cv->version, cv->ssl_version ? cv->ssl_version : "no TLS");
    fprintf(out, "jansson %s\n", jansson_version_str());
    fprintf(out, "OpenSSL %s\n", OpenSSL_version(OPENSSL_VERSION_STRING));
    fprintf(out, "libev %d.%d\n", ev_version_major(), ev_version_minor());
}
