/*
 * Fuzz target for lib/kube/scan.c, the tree-less JSON scanner that every
 * LIST page, watch line and error body from the API server goes through.
 * One input is read three ways, as lib/kube reads them: as a watch line
 * (kube__split_event, then the ERROR Status or the object's metadata, as
 * cache.c's on_line does), as a LIST page (metadata.resourceVersion and
 * continue, then every element of items, as on_list_done does) and as the
 * Status body of a failed request (kube__status_parse with client.c's buffer
 * sizes). The input sits in a heap block of exactly its size with no NUL
 * after it, so ASan catches a read past the span.
 *
 * Where the input is valid JSON, the scanner must agree with jansson: a
 * member jansson finds (first occurrence, plain-ASCII key) is found, and a
 * string value the scanner copies equals jansson's when it is ASCII.
 * Must never crash, leak or hang; never allocates beyond the copy.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/kube/kube_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool ascii_plain(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

/* The members the scanner is asked for on lib/kube's paths. */
static const char *const keys[] = { "type", "object",    "metadata",        "items",
                                    "kind", "code",      "reason",          "message",
                                    "name", "namespace", "resourceVersion", "continue" };

/* Where needle first occurs in hay[0..n), or NULL. */
static const char *find(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

/* For a valid JSON object j read from s: every key of `keys` that jansson
 * sees is found by the scanner, with the same string value when that is
 * plain ASCII. jansson keeps the last of duplicate keys and the scanner the
 * first, so a key whose quoted spelling occurs twice in the text is skipped. */
static void agree_with_jansson(struct kube__span s, json_t *j, int depth)
{
    if (!json_is_object(j) || depth > 3)
        return;
    for (size_t i = 0; i < HS_ARRAY_LEN(keys); i++) {
        json_t *v = json_object_get(j, keys[i]);
        if (!v)
            continue;
        char quoted[40];
        snprintf(quoted, sizeof(quoted), "\"%s\"", keys[i]);
        const char *first = find(s.p, s.len, quoted);
        if (!first || find(first + 1, s.len - (size_t)(first + 1 - s.p), quoted))
            continue; /* a duplicate or an escaped spelling: jansson and we may differ */
        struct kube__span m;
        if (!kube__json_member(s, keys[i], &m)) {
            fprintf(stderr, "jansson finds member %s, the scanner does not\n", keys[i]);
            abort();
        }
        if (json_is_string(v) && ascii_plain(json_string_value(v))) {
            char out[512];
            const char *want = json_string_value(v);
            if (strlen(want) < sizeof(out)) {
                if (!kube__json_str(m, out, sizeof(out)) || strcmp(out, want) != 0) {
                    fprintf(stderr, "member %s: scanner reads a different string\n", keys[i]);
                    abort();
                }
            }
        }
        if (json_is_object(v))
            agree_with_jansson(m, v, depth + 1);
    }
}

/* As cache.c's on_line. */
static void as_watch_line(const char *line, size_t len)
{
    enum kube__event_type type;
    struct kube__span obj, meta, v;
    struct hs_err err = { 0 };
    if (kube__split_event(line, len, &type, &obj, &err) != HS_OK) {
        if (err.code != HS_EPARSE)
            abort();
        return;
    }
    if (obj.p < line || obj.p + obj.len > line + len)
        abort(); /* the span must lie inside the line */
    if (type == KUBE__EV_ERROR) {
        int code;
        char reason[64], message[256];
        kube__status_parse(obj, &code, reason, sizeof(reason), message, sizeof(message));
        if (strlen(reason) >= sizeof(reason) || strlen(message) >= sizeof(message))
            abort();
        return;
    }
    char rv[64] = "", ns[256], name[256];
    if (kube__json_member(obj, "metadata", &meta)) {
        if (kube__json_member(meta, "resourceVersion", &v))
            kube__json_str(v, rv, sizeof(rv));
        if (kube__json_member(meta, "name", &v))
            kube__json_str(v, name, sizeof(name));
        if (kube__json_member(meta, "namespace", &v))
            kube__json_str(v, ns, sizeof(ns));
    }
    (void)kube__object_rv(obj);
}

/* As cache.c's on_list_done. */
static void as_list_page(const char *body, size_t len)
{
    struct kube__span s = { body, len }, meta, items, v, it;
    char rv[64] = "", cont[4096] = "";
    if (kube__json_member(s, "metadata", &meta)) {
        if (kube__json_member(meta, "resourceVersion", &v))
            kube__json_str(v, rv, sizeof(rv));
        if (kube__json_member(meta, "continue", &v))
            kube__json_str(v, cont, sizeof(cont));
    }
    if (!kube__json_member(s, "items", &items))
        return;
    size_t pos = 0, n = 0, last = 0;
    bool ok = true;
    while (kube__json_next(items, &pos, &it, &ok)) {
        if (it.p < items.p || it.p + it.len > items.p + items.len || pos <= last)
            abort(); /* elements inside the array, moving forward */
        last = pos;
        (void)kube__object_rv(it);
        if (++n > len)
            abort(); /* more elements than bytes: the walk does not advance */
    }
}

/* As client.c's on_http_done. */
static void as_status_body(const char *body, size_t len)
{
    struct kube__span s = { body, len };
    int code;
    char reason[64], message[400];
    kube__status_parse(s, &code, reason, sizeof(reason), message, sizeof(message));
    if (strlen(reason) >= sizeof(reason) || strlen(message) >= sizeof(message))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    as_watch_line(buf, size);
    as_list_page(buf, size);
    as_status_body(buf, size);

    /* RFC 3339 times come from exec plugins' expirationTimestamp: a
     * NUL-terminated copy of up to 64 bytes. */
    char t[65];
    size_t tl = size < 64 ? size : 64;
    memcpy(t, data, tl);
    t[tl] = '\0';
    int64_t ns;
    (void)kube__parse_time(t, &ns);

    json_error_t jerr;
    json_t *j = json_loadb(buf, size, 0, &jerr);
    if (j && !memchr(buf, '\\', size)) {
        struct kube__span s = { buf, size };
        agree_with_jansson(s, j, 0);
    }
    json_decref(j);
    free(buf);
    return 0;
}
