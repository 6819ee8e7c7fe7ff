/*
 * Fuzz target for lib/model/quantity.c: any bytes either fail with
 * HS_EPARSE or parse; a parsed quantity's canonical string, when it parses
 * again, has exactly the same value. Must never crash, leak or hang.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "model/quantity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct model_quantity q;
    struct hs_err err = { 0 };
    enum hs_code rc = model_quantity_parse(s, size, &q, &err);
    if (rc != HS_OK) {
        if (rc != HS_EPARSE)
            abort();
        return 0;
    }
    struct hs_buf canon, exact1, exact2;
    hs_buf_init(&canon);
    hs_buf_init(&exact1);
    hs_buf_init(&exact2);
    if (model_quantity_string(s, size, &canon, &err) != HS_OK)
        abort(); /* parse and String() must agree on validity */
    if (model_quantity_exact(s, size, &exact1, &err) == HS_OK) {
        struct model_quantity q2;
        struct hs_err err2 = { 0 };
        /* a 19-digit canonical above 2^63-1 does not parse, as in Go */
        if (model_quantity_parse(canon.data, canon.len, &q2, &err2) == HS_OK) {
            if (model_quantity_exact(canon.data, canon.len, &exact2, &err2) != HS_OK)
                abort();
            if (strcmp(exact1.data, exact2.data) != 0)
                abort();
            if (q.milli_ok && (!q2.milli_ok || q.milli != q2.milli))
                abort();
        }
    }
    hs_buf_release(&canon);
    hs_buf_release(&exact1);
    hs_buf_release(&exact2);
    return 0;
}
