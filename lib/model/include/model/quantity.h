/*
 * Kubernetes resource quantities ("100m", "1.5Gi", "1e3", "12E"), parsed
 * exactly as apimachinery's resource.ParseQuantity does, including its
 * quirks (a 19-digit integer that overflows int64 is rejected, "1.G" is
 * accepted, values finer than 1n round up to 1n, BinarySI values are capped
 * at 2^63-1). Pure computation on caller-given text: no I/O, no global state,
 * and model_quantity_parse never allocates.
 *
 * Negative quantities: Value and MilliValue round away from zero here, as
 * apimachinery's int64 path does (its big-decimal path rounds differently
 * for negatives; resource requests are never negative after API validation).
 */
#ifndef HOIST_MODEL_QUANTITY_H
#define HOIST_MODEL_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* The suffix family a quantity was written with; String() keeps it. */
enum model_qformat {
    MODEL_QF_DECIMAL_SI,       /* 12M, 500m, 5 */
    MODEL_QF_BINARY_SI,        /* 12Mi */
    MODEL_QF_DECIMAL_EXPONENT, /* 12e6 */
};

/* A parsed quantity reduced to what hoist computes with. Values that do not
 * fit int64 saturate at INT64_MAX/INT64_MIN and clear the matching _ok flag. */
struct model_quantity {
    int64_t milli;             /* MilliValue(): ceil(|v| * 1000), sign applied */
    int64_t value;             /* Value(): ceil(|v|), sign applied */
    bool milli_ok;             /* false when milli overflowed int64 */
    bool value_ok;             /* false when value overflowed int64 */
    int8_t sign;               /* -1, 0 or 1 */
    enum model_qformat format; /* as remembered by the parser */
};

/* Parses s[0..len) (borrowed; need not be NUL-terminated) into *q (borrowed,
 * filled on success only). Returns HS_OK or HS_EPARSE with a message quoting
 * the input ("cannot parse quantity '12Qi': unable to parse quantity's
 * suffix"). Never allocates. */
enum hs_code model_quantity_parse(const char *s, size_t len, struct model_quantity *q,
                                  struct hs_err *err);

/* Appends to out (borrowed) the canonical form that Quantity.String() and
 * MarshalJSON give for s[0..len) ("1024Mi" -> "1Gi", "0.5" -> "500m"),
 * including apimachinery's habit of keeping an input it deems canonical
 * verbatim ("1.G", "+5"). Errors as model_quantity_parse; out is untouched
 * on error. */
enum hs_code model_quantity_string(const char *s, size_t len, struct hs_buf *out,
                                   struct hs_err *err);

/* Appends to out (borrowed) the exact parsed value as a plain decimal
 * ("0.000000002", "-1073741824", "12000000000000000000"). HS_ERANGE when that
 * would be longer than 4096 characters (a huge exponent). */
enum hs_code model_quantity_exact(const char *s, size_t len, struct hs_buf *out,
                                  struct hs_err *err);

/* Static name: "DecimalSI", "BinarySI" or "DecimalExponent". */
const char *model_qformat_name(enum model_qformat f);

/* Appends the canonical String() of the quantity value*10^scale in format f,
 * as apimachinery prints a quantity it computed (no verbatim input):
 * model_quantity_format(out, 1500, -3, MODEL_QF_DECIMAL_SI) gives "1500m",
 * (out, 1073741824, 0, MODEL_QF_BINARY_SI) gives "1Gi". */
void model_quantity_format(struct hs_buf *out, int64_t value, int32_t scale, enum model_qformat f);

#endif
