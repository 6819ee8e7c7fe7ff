/*
 * Fuzz target for lib/aws/cli_json.c: the same bytes as the output of
 * `aws autoscaling describe-auto-scaling-groups`, `aws ec2
 * describe-instance-types` and `aws ec2 describe-launch-template-versions`.
 * Each must succeed or fail with a parse error naming a path; never crash,
 * leak or hang.
 */
#include <stdint.h>
#include <stdlib.h>

#include "aws/decode.h"
#include "base/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(enum hs_code rc, const struct hs_err *err)
{
    if (rc != HS_OK && rc != HS_EPARSE)
        abort();
    if (rc == HS_EPARSE && err->msg[0] != 'f') /* every message starts with the file name */
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char *token = NULL;
    struct hs_err err = { 0 };

    struct model_asg_list asgs;
    model_asg_list_init(&asgs);
    check(aws_cli_json_asgs(s, size, "fuzz.json", &asgs, &token, &err), &err);
    hs_free(token);
    model_asg_list_release(&asgs);

    hs_err_clear(&err);
    struct model_instance_type_list its;
    model_instance_type_list_init(&its);
    check(aws_cli_json_instance_types(s, size, "fuzz.json", &its, &token, &err), &err);
    hs_free(token);
    model_instance_type_list_release(&its);

    hs_err_clear(&err);
    struct model_lt_version_list ltv;
    model_lt_version_list_init(&ltv);
    check(aws_cli_json_lt_versions(s, size, "fuzz.json", &ltv, &token, &err), &err);
    hs_free(token);
    model_lt_version_list_release(&ltv);
    return 0;
}
