/*
 * `hoist simulate`: "what would the autoscaler do now?", answered from the
 * files kubectl and the aws CLI print, by the same planner the daemon runs.
 * Reads every input before planning and prints only a complete plan: any bad
 * input is one line naming the file and the JSON path, exit 2, and nothing
 * on stdout.
 */
#include "simulate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "autoscaler/expander.h"
#include "autoscaler/plan.h"
#include "aws/decode.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/intern.h"
#include "kube/decode.h"
#include "model/asg.h"
#include "options.h"
#include "plan_output.h"

/* Reads a whole small text file (the priority config) into b. */
static enum hs_code read_text(const char *path, struct hs_buf *b, struct hs_err *err)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t n;
    if (!f)
        return hs_err_set(err, HS_EIO, "%s: cannot open: %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        hs_buf_add(b, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return hs_err_set(err, HS_EIO, "%s: read error", path);
    return HS_OK;
}

struct sim_inputs {
    struct hs_intern *intern;
    struct model_cluster *cluster;
    struct model_asg_list asgs;
    struct model_instance_type_list types;
    struct model_lt_version_list lts;
    struct hs_buf priority;
    bool have_types, have_lts, have_priority;
};

static void inputs_release(struct sim_inputs *in)
{
    model_cluster_free(&in->cluster);
    model_asg_list_release(&in->asgs);
    model_instance_type_list_release(&in->types);
    model_lt_version_list_release(&in->lts);
    hs_buf_release(&in->priority);
    hs_intern_free(&in->intern);
}

/* The fields every Auto Scaling group of describe-auto-scaling-groups has
 * (the API always sends them); a file without one is not its output. */
static enum hs_code check_asgs(const char *path, const struct model_asg_list *l, struct hs_err *err)
{
    for (uint32_t i = 0; i < l->n; i++) {
        const struct model_asg *g = &l->v[i];
        const char *missing = !g->name                              ? "AutoScalingGroupName"
                              : g->min_size == MODEL_ABSENT         ? "MinSize"
                              : g->max_size == MODEL_ABSENT         ? "MaxSize"
                              : g->desired_capacity == MODEL_ABSENT ? "DesiredCapacity"
                                                                    : NULL;
        if (missing)
            return hs_err_set(err, HS_EPARSE, "%s: AutoScalingGroups[%u].%s: missing", path,
                              (unsigned)i, missing);
    }
    return HS_OK;
}

static enum hs_code load_inputs(const struct cli_config *cfg, struct sim_inputs *in,
                                struct hs_err *err)
{
    enum hs_code rc;
    in->intern = hs_intern_new();
    in->cluster = model_cluster_new(in->intern);
    model_asg_list_init(&in->asgs);
    model_instance_type_list_init(&in->types);
    model_lt_version_list_init(&in->lts);
    hs_buf_init(&in->priority);

    if (cfg->cluster.n == 0)
        return hs_err_set(err, HS_EINVAL,
                          "flag --cluster is required (the output of `kubectl get "
                          "nodes,pods,poddisruptionbudgets,daemonsets -A -o json`)");
    if (!cfg->asgs)
        return hs_err_set(err, HS_EINVAL,
                          "flag --asgs is required (the output of `aws autoscaling "
                          "describe-auto-scaling-groups --output json`)");
    for (size_t i = 0; i < cfg->cluster.n; i++)
        if ((rc = kube_decode_file(in->cluster, cfg->cluster.v[i], err)))
            return rc;
    if ((rc = aws_cli_json_asgs_file(cfg->asgs, &in->asgs, err)))
        return rc;
    if ((rc = check_asgs(cfg->asgs, &in->asgs, err)))
        return rc;
    if (cfg->instance_types) {
        if ((rc = aws_cli_json_instance_types_file(cfg->instance_types, &in->types, err)))
            return rc;
        in->have_types = true;
    }
    if (cfg->launch_templates) {
        if ((rc = aws_cli_json_lt_versions_file(cfg->launch_templates, &in->lts, err)))
            return rc;
        in->have_lts = true;
    }
    if (cfg->priority_config) {
        if ((rc = read_text(cfg->priority_config, &in->priority, err)))
            return rc;
        hs_buf_addc(&in->priority, '\0');
        /* Checked here so that the message names the file; the planner
         * parses it again. */
        struct asc_priorities *prio = NULL;
        rc = asc_priorities_parse(in->priority.data, in->priority.len - 1, &prio, err);
        asc_priorities_free(&prio);
        if (rc) {
            hs_err_prefix(err, "%s", cfg->priority_config);
            return rc;
        }
        in->have_priority = true;
    }
    return HS_OK;
}

int cli_simulate(const struct cli_config *cfg)
{
    struct sim_inputs in;
    struct cli_planner_options po;
    struct asc_plan plan;
    struct asc_state *state = NULL;
    struct hs_err err = { 0 };
    struct hs_buf out;
    int status = 2;

    memset(&in, 0, sizeof(in));
    asc_plan_init(&plan);
    hs_buf_init(&out);
    cli_planner_options_init(&po, cfg);
    /* the time to plan at: --now, or the clock */
    int64_t now = hs_clock_wall(hs_clock_real());
    if (cfg->now) {
        int64_t t;
        if (!hs_time_parse_rfc3339(cfg->now, &t)) {
            hs_err_set(&err, HS_EINVAL,
                       "flag --now: cannot parse time '%s' (want RFC 3339, e.g. "
                       "2026-11-28T08:00:00Z)",
                       cfg->now);
            goto done;
        }
        now = t * HS_SEC;
    }
    if (load_inputs(cfg, &in, &err))
        goto done;

    struct asc_inputs ai;
    memset(&ai, 0, sizeof(ai));
    ai.cluster = in.cluster;
    ai.asgs = &in.asgs;
    ai.instance_types = in.have_types ? &in.types : NULL;
    ai.lt_versions = in.have_lts ? &in.lts : NULL;
    ai.region = cfg->aws_region;
    ai.priority_config = in.have_priority ? in.priority.data : NULL;
    ai.now = now;
    ai.seed = (uint64_t)cfg->seed;
    ai.timers_expired = true;

    state = asc_state_new();
    if (asc_plan_run(state, &po.o, &ai, &plan, &err))
        goto done;
    if (cfg->output == CLI_OUTPUT_JSON)
        cli_plan_json(&plan, &out);
    else
        cli_plan_text(&plan, &out);
    fwrite(out.data, 1, out.len, stdout);
    status = fflush(stdout) == 0 ? 0 : 1;

done:
    if (status == 2)
        fprintf(stderr, "hoist simulate: %s\n", err.msg);
    asc_state_free(&state);
    asc_plan_release(&plan);
    hs_buf_release(&out);
    cli_planner_options_release(&po);
    inputs_release(&in);
    return status;
}
