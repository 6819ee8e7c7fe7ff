/*
 * lib/aws internals of the CLI-JSON decoders (cli_json.c): the one-pass
 * readers of cli_json_fast.c, tried before the jansson walk. Nothing
 * outside lib/aws may include this header, and no jansson type appears in
 * it.
 */
#ifndef HOIST_AWS_CLI_JSON_INT_H
#define HOIST_AWS_CLI_JSON_INT_H

#include <stddef.h>

#include "base/err.h"
#include "model/asg.h"

/* Each reads text[0..len) in one pass into out (borrowed) and returns
 * HS_OK only when it took the whole document and every value was what the
 * jansson walk accepts without error; *next_token is then set as the walk
 * sets it (new, or NULL). Anything else is HS_ENOTSUP: out may hold a
 * partial page and *next_token is NULL; the caller restores out and lets
 * the jansson walk decide (and word any error). */
enum hs_code aws__cli_json_fast_asgs(const char *text, size_t len, struct model_asg_list *out,
                                     char **next_token);
enum hs_code aws__cli_json_fast_instance_types(const char *text, size_t len,
                                               struct model_instance_type_list *out,
                                               char **next_token);
enum hs_code aws__cli_json_fast_lt_versions(const char *text, size_t len,
                                            struct model_lt_version_list *out, char **next_token);

#ifdef HS_UNITTEST_BUILD
/* Which path the aws_cli_json_* decoders take, for differential tests. */
enum aws__cli_json_path {
    AWS__CLI_JSON_AUTO,         /* one-pass reader, jansson when it declines (the default) */
    AWS__CLI_JSON_JANSSON_ONLY, /* as before the one-pass reader existed */
    AWS__CLI_JSON_FAST_ONLY,    /* HS_ENOTSUP (list restored) where AUTO would use jansson */
};
extern enum aws__cli_json_path aws__cli_json_path;
#endif

#endif
