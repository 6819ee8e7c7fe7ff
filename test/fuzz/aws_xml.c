/*
 * Fuzz target for lib/aws's XML decoders (xml.c, asg_decode.c,
 * ec2_decode.c): the same bytes go through every decoder, as a page of
 * each response hoist reads, as an error body and as STS credentials. Each
 * must succeed, or fail with a parse error or (for an error envelope) an
 * AWS error; never crash, leak, hang or expand an entity.
 */
#include <stdint.h>
#include <stdlib.h>

#include "aws/decode.h"
#include "base/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(enum hs_code rc)
{
    if (rc != HS_OK && rc != HS_EPARSE && rc != HS_EAWS)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char *token = NULL;

    struct model_asg_list asgs;
    model_asg_list_init(&asgs);
    check(aws_xml_describe_asgs(s, size, &asgs, &token, NULL));
    hs_free(token);
    model_asg_list_release(&asgs);

    struct model_activity_list acts;
    model_activity_list_init(&acts);
    check(aws_xml_describe_scaling_activities(s, size, &acts, &token, NULL));
    hs_free(token);
    check(aws_xml_activity_response(s, size, "TerminateInstanceInAutoScalingGroup", &acts, NULL));
    model_activity_list_release(&acts);

    struct model_launch_config_list lcs;
    model_launch_config_list_init(&lcs);
    check(aws_xml_describe_launch_configurations(s, size, &lcs, &token, NULL));
    hs_free(token);
    model_launch_config_list_release(&lcs);

    struct model_lt_version_list ltv;
    model_lt_version_list_init(&ltv);
    check(aws_xml_describe_lt_versions(s, size, &ltv, &token, NULL));
    hs_free(token);
    model_lt_version_list_release(&ltv);

    struct model_instance_type_list its;
    model_instance_type_list_init(&its);
    check(aws_xml_describe_instance_types(s, size, &its, &token, NULL));
    hs_free(token);
    model_instance_type_list_release(&its);

    struct aws_error_info e;
    check(aws_xml_error(s, size, &e, NULL));

    struct aws_sts_credentials c;
    check(aws_xml_sts_credentials(s, size, &c, NULL));
    aws_sts_credentials_release(&c);
    return 0;
}
