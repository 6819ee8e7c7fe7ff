/*
 * hoist's entry point: a git-style table of subcommands. `hoist --flag ...`
 * (first argument a flag) means `hoist run --flag ...`, so manifests written
 * for cluster-autoscaler keep working. This file parses and dispatches; the
 * work lives in the modules. Exit codes: 0 ok, 1 failure while running,
 * 2 bad usage or bad input.
 */
#include <stdio.h>
#include <string.h>

#include "base/common.h"
#include "base/log.h"
#include "cli.h"
#include "config.h"
#include "discover.h"
#include "simulate.h"

static int usage(FILE *out);

struct subcommand {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static int want_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return 0;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-help") == 0 ||
            strcmp(argv[i], "-h") == 0)
            return 1;
    }
    return 0;
}

/* Parses flags for scope; on error prints the one line and returns 2. */
static int parse_or_fail(struct cli_config *cfg, int argc, char **argv, unsigned scope)
{
    struct hs_err err = { 0 };
    cli_config_init(cfg);
    if (cli_parse_flags(cfg, argc, (const char *const *)argv, scope, &err)) {
        fprintf(stderr, "hoist: %s\n", err.msg);
        return 2;
    }
    hs_log_set_verbosity(cfg->v);
    hs_log_set_format(cfg->logging_format == CLI_LOG_JSON ? HS_LOG_FMT_JSON : HS_LOG_FMT_TEXT);
    return 0;
}

static int not_landed(const char *what, const char *why)
{
    fprintf(stderr, "hoist %s: not implemented yet in this build (%s)\n", what, why);
    return 2;
}

static int cmd_run(int argc, char **argv)
{
    struct cli_config cfg;
    if (want_help(argc, argv)) {
        printf("Usage: hoist [run] [flags]\n\nRuns the autoscaler daemon in the cluster.\n");
        cli_print_flags(stdout, CLI_SCOPE_RUN);
        return 0;
    }
    int rc = parse_or_fail(&cfg, argc, argv, CLI_SCOPE_RUN);
    if (rc == 0)
        rc = not_landed("run", "the daemon arrives with the Kubernetes and AWS "
                               "layers; the flags given are valid");
    cli_config_release(&cfg);
    return rc;
}

static int cmd_simulate(int argc, char **argv)
{
    if (want_help(argc, argv)) {
        printf("Usage: hoist simulate --cluster FILE --asgs FILE [flags]\n\n"
               "Prints what one loop of `hoist run` would do, from files that kubectl and\n"
               "the aws CLI print.\n");
        cli_print_flags(stdout, CLI_SCOPE_SIMULATE);
        return 0;
    }
    struct cli_config cfg;
    int rc = parse_or_fail(&cfg, argc, argv, CLI_SCOPE_SIMULATE);
    if (rc == 0) {
        cli_print_inert(&cfg, stderr, "simulate");
        rc = cli_simulate(&cfg);
    }
    cli_config_release(&cfg);
    return rc;
}

static int cmd_replay(int argc, char **argv)
{
    if (want_help(argc, argv)) {
        printf("Usage: hoist replay TRACE [flags]\n\n"
               "Replays a recorded trace under other settings.\n");
        cli_print_flags(stdout, CLI_SCOPE_REPLAY);
        return 0;
    }
    return not_landed("replay", "trace replay has not landed");
}

static int cmd_discover(int argc, char **argv)
{
    if (want_help(argc, argv)) {
        printf("Usage: hoist discover [flags]\n\n"
               "Lists the node groups that --nodes and --node-group-auto-discovery select, read\n"
               "from the AWS API with the region and credentials `hoist run` would use, and\n"
               "the template each one gets. Checks tags and IAM before deploying.\n");
        cli_print_flags(stdout, CLI_SCOPE_RUN | CLI_SCOPE_DISCOVER);
        return 0;
    }
    struct cli_config cfg;
    int rc = parse_or_fail(&cfg, argc, argv, CLI_SCOPE_RUN | CLI_SCOPE_DISCOVER);
    if (rc == 0)
        rc = cli_discover(&cfg);
    cli_config_release(&cfg);
    return rc;
}

static int cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 0) {
        fprintf(stderr, "hoist version: takes no arguments\n");
        return 2;
    }
    cli_print_version(stdout);
    return 0;
}

static int cmd_help(int argc, char **argv);

static const struct subcommand commands[] = {
    { "run", cmd_run, "run the autoscaler (the default when the first argument is a flag)" },
    { "simulate", cmd_simulate, "what would the autoscaler do now? from kubectl/aws CLI output" },
    { "replay", cmd_replay, "replay a recorded trace under other settings" },
    { "discover", cmd_discover, "list the node groups the flags select" },
    { "version", cmd_version, "print versions of hoist and its libraries" },
    { "help", cmd_help, "help for hoist or one subcommand" },
};

static const struct subcommand *find_command(const char *name)
{
    for (size_t i = 0; i < HS_ARRAY_LEN(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static int usage(FILE *out)
{
    fprintf(out,
            "hoist: a Cluster Autoscaler for Kubernetes on EC2 Auto Scaling Groups\n\n"
            "Usage: hoist <command> [flags]\n"
            "       hoist --flag=value ...   (same as hoist run; cluster-autoscaler's flags)\n\n"
            "Commands:\n");
    for (size_t i = 0; i < HS_ARRAY_LEN(commands); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nFlags of hoist run:\n");
    cli_print_flags(out, CLI_SCOPE_RUN);
    return 0;
}

static int cmd_help(int argc, char **argv)
{
    if (argc == 0)
        return usage(stdout);
    const struct subcommand *c = find_command(argv[0]);
    if (!c || c->fn == cmd_help) {
        fprintf(stderr, "hoist help: unknown command \"%s\"\n", argv[0]);
        return 2;
    }
    char help[] = "--help";
    char *args[] = { help };
    return c->fn(1, args);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return cmd_run(0, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "-help") == 0)
        return usage(stdout);
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(0, argv + 2);
    if (argv[1][0] == '-')
        return cmd_run(argc - 1, argv + 1);
    const struct subcommand *c = find_command(argv[1]);
    if (!c) {
        fprintf(stderr, "hoist: unknown command \"%s\" (see hoist help)\n", argv[1]);
        return 2;
    }
    return c->fn(argc - 2, argv + 2);
}
