/*
 * How `hoist simulate` prints a plan: the JSON of ../shared/DESIGN.md (for
 * tools and tests) or one line per decision with its reason (for people).
 * Output is a pure function of the plan: same plan, same bytes.
 */
#ifndef HOIST_CMD_PLAN_OUTPUT_H
#define HOIST_CMD_PLAN_OUTPUT_H

#include "autoscaler/plan.h"
#include "base/buf.h"

/* Appends the plan (borrowed) to out (borrowed) as indented JSON ending in a newline. */
void cli_plan_json(const struct asc_plan *p, struct hs_buf *out);
/* Appends the plan as text lines. */
void cli_plan_text(const struct asc_plan *p, struct hs_buf *out);

#endif
