/*
 * Test-only: every field of lib/model's AWS lists (model/asg.h) written out
 * as text, so that two decodes of the same input (expat and the fast XML
 * scanner; jansson and the one-pass CLI-JSON reader) can be compared
 * whole, partial results of a failed decode included. Never linked into
 * hoist.
 */
#ifndef HOIST_TEST_FUZZ_AWS_MODEL_DUMP_H
#define HOIST_TEST_FUZZ_AWS_MODEL_DUMP_H

#include "base/buf.h"
#include "model/asg.h"

/* Each appends the list (borrowed) to b (borrowed). */
void dump_asgs(struct hs_buf *b, const struct model_asg_list *l);
void dump_activities(struct hs_buf *b, const struct model_activity_list *l);
void dump_launch_configs(struct hs_buf *b, const struct model_launch_config_list *l);
void dump_lt_versions(struct hs_buf *b, const struct model_lt_version_list *l);
void dump_instance_types(struct hs_buf *b, const struct model_instance_type_list *l);

#endif
