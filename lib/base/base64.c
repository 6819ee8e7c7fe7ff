/*
 * Base64 without a crypto library: lib/base stays libc-only, and kubeconfig
 * decoding (lib/kube) must not pull in OpenSSL. Never accepts a malformed
 * string silently: a truncated certificate would otherwise fail much later
 * with a TLS error that names nothing useful.
 */
#include "base/base64.h"

#include <stdint.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int value_of(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

enum hs_code hs_base64_decode(const char *s, size_t n, struct hs_buf *out, struct hs_err *err)
{
    size_t start = out->len;
    uint32_t acc = 0;
    unsigned have = 0, pad = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_space(c))
            continue;
        if (c == '=') {
            pad++;
            if (pad > 2 || have + pad > 4)
                goto bad_at;
            continue;
        }
        int v = value_of(c);
        if (v < 0 || pad)
            goto bad_at;
        acc = acc << 6 | (uint32_t)v;
        if (++have == 4) {
            char b[3] = { (char)(acc >> 16), (char)(acc >> 8), (char)acc };
            hs_buf_add(out, b, 3);
            acc = 0;
            have = 0;
        }
        continue;
    bad_at:
        hs_buf_truncate(out, start);
        return hs_err_set(err, HS_EPARSE, "invalid base64 at byte %zu", i);
    }
    if (have == 0 && pad == 0)
        return HS_OK;
    if (have + pad != 4 || have < 2) {
        hs_buf_truncate(out, start);
        return hs_err_set(err, HS_EPARSE, "invalid base64: truncated input");
    }
    if (have == 2) {
        char b = (char)(acc >> 4);
        hs_buf_add(out, &b, 1);
    } else {
        char b[2] = { (char)(acc >> 10), (char)(acc >> 2) };
        hs_buf_add(out, b, 2);
    }
    return HS_OK;
}

void hs_base64_encode(const void *p, size_t n, struct hs_buf *out)
{
    const unsigned char *s = p;
    size_t i = 0;
    hs_buf_reserve(out, (n + 2) / 3 * 4);
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        char q[4] = { alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63],
                      alphabet[v & 63] };
        hs_buf_add(out, q, 4);
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)s[i] << 16;
        char q[4] = { alphabet[v >> 18], alphabet[(v >> 12) & 63], '=', '=' };
        hs_buf_add(out, q, 4);
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
        char q[4] = { alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], '=' };
        hs_buf_add(out, q, 4);
    }
}
