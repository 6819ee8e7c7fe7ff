/*
 * Internals of sigv4.c that its unit tests reach (HS_UNITTEST). Nothing else
 * in hoist may call these: the signing key must stay inside the signer.
 */
#ifndef HOIST_AWS_SIGV4_INT_H
#define HOIST_AWS_SIGV4_INT_H

#include <stddef.h>
#include <stdint.h>

#include "aws/sigv4.h"

#ifdef HS_UNITTEST_BUILD
/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date8), region), service),
 * "aws4_request") into key (32 bytes). secret, date8 ("YYYYMMDD"), region and
 * service are borrowed. Intermediate keys are wiped. HS_EIO if OpenSSL fails. */
enum hs_code aws__sigv4_derive_key(const char *secret, const char *date8, const char *region,
                                   const char *service, unsigned char key[32], struct hs_err *err);

/* The canonical URI of a wire-form path (appended to b). */
void aws__sigv4_canonical_uri(struct hs_buf *b, const char *path, bool normalize);

/* The canonical query of a wire-form query string (appended to b). */
void aws__sigv4_canonical_query(struct hs_buf *b, const char *query);

/* How many signing keys signer has derived since it was made. */
unsigned long aws__sigv4_signer_derivations(const struct aws_sigv4_signer *signer);
#endif

#endif
