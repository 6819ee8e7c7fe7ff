/*
 * `hoist discover` (see discover.c): the node groups the flags select,
 * read from the live AWS API, with the template each one gets.
 */
#ifndef HOIST_CMD_DISCOVER_H
#define HOIST_CMD_DISCOVER_H

#include "config.h"

/* Runs discover with the parsed flags (borrowed) on a loop of its own.
 * Prints the groups (text or JSON, --output) on stdout. Returns the exit
 * status: 0 printed, 1 an AWS or network failure (one line on stderr
 * naming the call, HTTP status and AWS error code), 2 bad configuration
 * (no credentials, no region, no group selection). */
int cli_discover(const struct cli_config *cfg);

#endif
