/*
 * Fuzz target for lib/kube/decode.c: any bytes decode or fail with a parse
 * error; afterwards, freeing the cluster must drop every interned reference
 * the decoder took (checked: the intern table ends empty). Must never crash,
 * leak or hang.
 */
#include <stdint.h>
#include <stdlib.h>

#include "base/intern.h"
#include "kube/decode.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
