/*
 * Fuzz target for lib/kube/decode.c: any bytes decode or fail with a parse
 * error; afterwards, freeing the cluster must drop every interned reference
 * the decoder took (checked: the intern table ends empty). The decoder's own
 * JSON parser must also agree with jansson on every input: the same verdict
 * and, for invalid JSON, the same error text and position (it replaced
 * jansson in the decoder and promised both), except where jansson is wrong
 * about NUL bytes (see same_as_jansson). Must never crash, leak or hang.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/kube/decode_int.h" /* the parser's verdict (a test-only internal) */
#include "base/intern.h"
#include "kube/decode.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_as_jansson(const uint8_t *data, size_t size)
{
    char msg[256];
    size_t pos = 0;
    json_error_t jerr;
    bool ours = kube__json_check((const char *)data, size, msg, sizeof(msg), &pos);
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
    bool theirs = j != NULL;
    json_decref(j);
    if (memchr(data, '\0', size)) {
        /* jansson loses a NUL byte that it reads ahead and puts back (after
         * a number or a literal), so it takes "[1\0]" for "[1]" and counts
         * positions one short from there. A NUL byte is never valid outside
         * a string, and never inside one: the parser must refuse. */
        if (ours)
            abort();
        return;
    }
    if (ours != theirs) {
        fprintf(stderr, "verdicts differ on %zu bytes: ours %s (%s), jansson %s (%s)\n", size,
                ours ? "valid" : "invalid", ours ? "" : msg, theirs ? "valid" : "invalid",
                theirs ? "" : jerr.text);
        abort();
    }
    if (!ours && (strcmp(msg, jerr.text) != 0 || pos != (size_t)jerr.position)) {
        fprintf(stderr, "errors differ: ours '%s' at %zu, jansson '%s' at %d\n", msg, pos,
                jerr.text, jerr.position);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    same_as_jansson(data, size);
    struct hs_intern *t = hs_intern_new();
    struct model_cluster *c = model_cluster_new(t);
    struct hs_err err = { 0 };
    enum hs_code rc = kube_decode_buffer(c, (const char *)data, size, "fuzz", &err);
    if (rc != HS_OK && rc != HS_EPARSE)
        abort();
    model_cluster_free(&c);
    if (hs_intern_count(t) != 0)
        abort(); /* a reference leaked or was dropped twice */
    hs_intern_free(&t);
    return 0;
}
