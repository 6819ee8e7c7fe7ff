/*
 * From the command line to the planner's settings: struct cli_config (every
 * flag) into struct asc_options (what lib/autoscaler reads). The one place
 * that knows both, so flag names never leak into the planner.
 */
#ifndef HOIST_CMD_OPTIONS_H
#define HOIST_CMD_OPTIONS_H

#include "autoscaler/plan.h"
#include "config.h"

/* asc_options plus the arrays it borrows. Embedded value: init fills it from
 * cfg (borrowed; must outlive it), release frees what init allocated. */
struct cli_planner_options {
    struct asc_options o;
    struct asc_node_spec *nodes;
    struct asc_tag_filter *tags;
    const char **taints; /* --startup-taint and --ignore-taint keys together */
};

void cli_planner_options_init(struct cli_planner_options *po, const struct cli_config *cfg);
void cli_planner_options_release(struct cli_planner_options *po);

#endif
