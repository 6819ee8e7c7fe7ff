/*
 * `hoist simulate` (see simulate.c).
 */
#ifndef HOIST_CMD_SIMULATE_H
#define HOIST_CMD_SIMULATE_H

#include "config.h"

/* Runs simulate with the parsed flags (borrowed). Returns the exit status:
 * 0 printed a plan, 2 bad input (one line on stderr), 1 could not write. */
int cli_simulate(const struct cli_config *cfg);

#endif
