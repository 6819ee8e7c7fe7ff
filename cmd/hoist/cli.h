/*
 * Pieces of cmd/hoist that tests call directly.
 */
#ifndef HOIST_CMD_CLI_H
#define HOIST_CMD_CLI_H

#include <stdio.h>

/* Prints hoist's version, the commit it was built from, and the versions of
 * the libraries it runs with (as loaded, not as compiled against). */
void cli_print_version(FILE *out);

#endif
