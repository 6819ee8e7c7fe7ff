/*
 * Test-only: compares lib/model's AWS structs (model/asg.h) field by field
 * with the SDK-shaped JSON botocore or the aws CLI prints for the same
 * response, failing the cmocka test with the JSON path of the first
 * difference. Written independently of lib/aws's decoders (its own time
 * parser, its own walk) so that it checks them rather than repeats them.
 * Never linked into hoist.
 */
#ifndef HOIST_TEST_AWS_MODEL_JSON_H
#define HOIST_TEST_AWS_MODEL_JSON_H

#include <jansson.h>

#include "model/asg.h"

/* Each compares a whole list with the JSON list (borrowed) of the response;
 * what names the document in failure messages. */
void mj_check_asgs(const char *what, const struct model_asg_list *l, const json_t *groups);
void mj_check_activities(const char *what, const struct model_activity_list *l,
                         const json_t *activities);
void mj_check_launch_configs(const char *what, const struct model_launch_config_list *l,
                             const json_t *configs);
void mj_check_lt_versions(const char *what, const struct model_lt_version_list *l,
                          const json_t *versions);
void mj_check_instance_types(const char *what, const struct model_instance_type_list *l,
                             const json_t *types);

/* Two group lists hold the same data (moto: CLI JSON vs live XML). */
void mj_check_asgs_equal(const struct model_asg_list *a, const struct model_asg_list *b);

/* Loads a file under HOIST_TESTDATA (new reference), failing the test when
 * it cannot. */
json_t *mj_load(const char *rel);
/* Reads a file under HOIST_TESTDATA whole (new, hs_free). */
char *mj_read(const char *rel, size_t *len);

#endif
