/*
 * Differential fuzz target for lib/aws/xml.c's fast scanner: every list
 * decoder reads the same bytes three ways (expat alone, as before the
 * scanner; the default path, the scanner with expat behind it; the scanner
 * alone). The default path must give exactly what expat alone gives: the
 * code, the error message and every decoded field, partial results of a
 * failed decode and the next token included, and a second page decoded
 * into the same list (so a rewind must leave earlier pages alone). Where
 * the scanner alone accepts a document, expat must accept it too. Aborts
 * on any difference.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/aws/xml_int.h"
#include "aws/decode.h"
#include "aws_model_dump.h"
#include "base/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct outcome {
    enum hs_code rc;
    char msg[sizeof(((struct hs_err *)0)->msg)];
    struct hs_buf dump;
};

/* The decoders, each as: decode twice into one fresh list, dump it. */
typedef void (*decode_twice_fn)(const char *s, size_t n, struct outcome *o);

static void token_dump(struct hs_buf *b, const char *token)
{
    hs_buf_addf(b, "token=%s\n", token ? token : "-");
}

#define DECODE_TWICE(fn, list_type, init, release, dumper, call) \
    static void fn(const char *s, size_t n, struct outcome *o)   \
    {                                                            \
        struct list_type l;                                      \
        struct hs_err err = { 0 };                               \
        char *token = NULL;                                      \
        init(&l);                                                \
        for (int page = 0; page < 2; page++) {                   \
            enum hs_code rc = call;                              \
            if (page == 0 || o->rc == HS_OK)                     \
                o->rc = rc;                                      \
            token_dump(&o->dump, token);                         \
            hs_free(token);                                      \
            token = NULL;                                        \
        }                                                        \
        snprintf(o->msg, sizeof(o->msg), "%s", err.msg);         \
        dumper(&o->dump, &l);                                    \
        release(&l);                                             \
    }

DECODE_TWICE(asgs, model_asg_list, model_asg_list_init, model_asg_list_release, dump_asgs,
             aws_xml_describe_asgs(s, n, &l, &token, &err))
DECODE_TWICE(activities, model_activity_list, model_activity_list_init, model_activity_list_release,
             dump_activities, aws_xml_describe_scaling_activities(s, n, &l, &token, &err))
DECODE_TWICE(terminate, model_activity_list, model_activity_list_init, model_activity_list_release,
             dump_activities,
             aws_xml_activity_response(s, n, "TerminateInstanceInAutoScalingGroup", &l, &err))
DECODE_TWICE(lcs, model_launch_config_list, model_launch_config_list_init,
             model_launch_config_list_release, dump_launch_configs,
             aws_xml_describe_launch_configurations(s, n, &l, &token, &err))
DECODE_TWICE(ltvs, model_lt_version_list, model_lt_version_list_init, model_lt_version_list_release,
             dump_lt_versions, aws_xml_describe_lt_versions(s, n, &l, &token, &err))
DECODE_TWICE(types, model_instance_type_list, model_instance_type_list_init,
             model_instance_type_list_release, dump_instance_types,
             aws_xml_describe_instance_types(s, n, &l, &token, &err))

static void run(decode_twice_fn fn, enum aws__xml_path path, const char *s, size_t n,
                struct outcome *o)
{
    memset(o, 0, sizeof(*o));
    hs_buf_init(&o->dump);
    aws__xml_path = path;
    fn(s, n, o);
    aws__xml_path = AWS__XML_AUTO;
}

static void differ(const char *what, const struct outcome *a, const struct outcome *b)
{
    fprintf(stderr, "aws_xml_diff: %s differ\n--- rc %d: %s\n%s\n--- rc %d: %s\n%s\n", what, a->rc,
            a->msg, a->dump.data, b->rc, b->msg, b->dump.data);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const decode_twice_fn decoders[] = { asgs, activities, terminate, lcs, ltvs, types };
    const char *s = (const char *)data;
    for (size_t k = 0; k < sizeof(decoders) / sizeof(decoders[0]); k++) {
        struct outcome expat, dflt, fast;
        run(decoders[k], AWS__XML_EXPAT_ONLY, s, size, &expat);
        run(decoders[k], AWS__XML_AUTO, s, size, &dflt);
        run(decoders[k], AWS__XML_FAST_ONLY, s, size, &fast);
        if (expat.rc != dflt.rc || strcmp(expat.msg, dflt.msg) != 0 ||
            strcmp(expat.dump.data, dflt.dump.data) != 0)
            differ("expat alone and the default path", &expat, &dflt);
        if (fast.rc == HS_OK && (expat.rc != HS_OK || strcmp(expat.dump.data, fast.dump.data) != 0))
            differ("expat and the scanner alone", &expat, &fast);
        if (fast.rc != HS_OK && fast.rc != HS_ENOTSUP)
            differ("the scanner's verdict", &expat, &fast);
        hs_buf_release(&expat.dump);
        hs_buf_release(&dflt.dump);
        hs_buf_release(&fast.dump);
    }
    return 0;
}
