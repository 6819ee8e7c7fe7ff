/*
 * Differential fuzz target for lib/aws/cli_json_fast.c: each CLI-JSON
 * decoder reads the same bytes three ways (the jansson walk alone, as
 * before the one-pass reader; the default path, the reader with the walk
 * behind it; the reader alone). The default path must give exactly what
 * the walk alone gives: the code, the error message and every decoded
 * field, partial results of a failed decode and the next token included,
 * and a second page decoded into the same list. Where the reader alone
 * accepts a document, jansson must load it and the walk accept it. Aborts
 * on any difference.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../lib/aws/cli_json_int.h"
#include "aws/decode.h"
#include "aws_model_dump.h"
#include "base/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct outcome {
    enum hs_code rc;
    char msg[sizeof(((struct hs_err *)0)->msg)];
    struct hs_buf dump;
};

typedef void (*decode_twice_fn)(const char *s, size_t n, struct outcome *o);

#define DECODE_TWICE(fn, list_type, init, release, dumper, call)      \
    static void fn(const char *s, size_t n, struct outcome *o)        \
    {                                                                 \
        struct list_type l;                                           \
        struct hs_err err = { 0 };                                    \
        char *token = NULL;                                           \
        init(&l);                                                     \
        for (int page = 0; page < 2; page++) {                        \
            enum hs_code rc = call;                                   \
            if (page == 0 || o->rc == HS_OK)                          \
                o->rc = rc;                                           \
            hs_buf_addf(&o->dump, "token=%s\n", token ? token : "-"); \
            hs_free(token);                                           \
            token = NULL;                                             \
        }                                                             \
        snprintf(o->msg, sizeof(o->msg), "%s", err.msg);              \
        dumper(&o->dump, &l);                                         \
        release(&l);                                                  \
    }

DECODE_TWICE(asgs, model_asg_list, model_asg_list_init, model_asg_list_release, dump_asgs,
             aws_cli_json_asgs(s, n, "fuzz.json", &l, &token, &err))
DECODE_TWICE(types, model_instance_type_list, model_instance_type_list_init,
             model_instance_type_list_release, dump_instance_types,
             aws_cli_json_instance_types(s, n, "fuzz.json", &l, &token, &err))
DECODE_TWICE(ltvs, model_lt_version_list, model_lt_version_list_init, model_lt_version_list_release,
             dump_lt_versions, aws_cli_json_lt_versions(s, n, "fuzz.json", &l, &token, &err))

static void run(decode_twice_fn fn, enum aws__cli_json_path path, const char *s, size_t n,
                struct outcome *o)
{
    memset(o, 0, sizeof(*o));
    hs_buf_init(&o->dump);
    aws__cli_json_path = path;
    fn(s, n, o);
    aws__cli_json_path = AWS__CLI_JSON_AUTO;
}

static void differ(const char *what, const struct outcome *a, const struct outcome *b)
{
    fprintf(stderr, "aws_cli_json_diff: %s differ\n--- rc %d: %s\n%s\n--- rc %d: %s\n%s\n", what,
            a->rc, a->msg, a->dump.data, b->rc, b->msg, b->dump.data);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const decode_twice_fn decoders[] = { asgs, types, ltvs };
    const char *s = (const char *)data;
    bool any_fast = false;
    for (size_t k = 0; k < sizeof(decoders) / sizeof(decoders[0]); k++) {
        struct outcome walk, dflt, fast;
        run(decoders[k], AWS__CLI_JSON_JANSSON_ONLY, s, size, &walk);
        run(decoders[k], AWS__CLI_JSON_AUTO, s, size, &dflt);
        run(decoders[k], AWS__CLI_JSON_FAST_ONLY, s, size, &fast);
        if (walk.rc != dflt.rc || strcmp(walk.msg, dflt.msg) != 0 ||
            strcmp(walk.dump.data, dflt.dump.data) != 0)
            differ("the walk alone and the default path", &walk, &dflt);
        if (fast.rc == HS_OK && (walk.rc != HS_OK || strcmp(walk.dump.data, fast.dump.data) != 0))
            differ("the walk and the reader alone", &walk, &fast);
        if (fast.rc != HS_OK && fast.rc != HS_ENOTSUP)
            differ("the reader's verdict", &walk, &fast);
        any_fast |= fast.rc == HS_OK;
        hs_buf_release(&walk.dump);
        hs_buf_release(&dflt.dump);
        hs_buf_release(&fast.dump);
    }
    /* What the reader takes, jansson loads (the walk's verdict aside). */
    if (any_fast) {
        json_error_t jerr;
        json_t *doc = json_loadb(s, size, JSON_REJECT_DUPLICATES, &jerr);
        if (!doc) {
            fprintf(stderr, "aws_cli_json_diff: reader took what jansson refuses: %s\n", jerr.text);
            abort();
        }
        json_decref(doc);
    }
    return 0;
}
