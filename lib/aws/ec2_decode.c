/*
 * EC2 Query-protocol responses (XML) into lib/model:
 * DescribeLaunchTemplateVersions and DescribeInstanceTypes. EC2 spells
 * elements with the model's locationName (lowerCamel: instanceTypeSet,
 * vCpuInfo/defaultVCpus) and list items as <item>, and puts requestId and
 * nextToken directly under the root.
 *
 * Only what node-group templates need is kept; unknown elements are
 * skipped. This file must never log.
 */
#include "aws/decode.h"
#include "xml_int.h"

#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"

static void set_next_token(char **next_token, const char *text, size_t len)
{
    if (!next_token || len == 0)
        return;
    hs_free(*next_token);
    *next_token = hs_strndup(text, len);
}

/* ---- DescribeLaunchTemplateVersions ---- */

#define LTV_ITEM        "launchTemplateVersionSet/item"
#define LTV_TAGSPEC_REL "launchTemplateData/tagSpecificationSet/item"
#define LTV_TAGSPEC     "/" LTV_TAGSPEC_REL

struct ltv_ctx {
    struct model_lt_version_list *l;
    char **next_token;
    uint32_t spec_first_tag;   /* first tag of the tag specification being read */
    const char *spec_resource; /* its resourceType, once seen */
};

static enum hs_code ltv_start(void *ctx, struct aws__xml *x, const char *path)
{
    struct ltv_ctx *c = ctx;
    (void)x;
    if (!aws__eat_seg(&path, LTV_ITEM))
        return HS_OK;
    if (path[0] == '\0') {
        model_lt_version_list_add(c->l);
        return HS_OK;
    }
    struct model_lt_version *v = &c->l->v[c->l->n - 1];
    if (strcmp(path, "/launchTemplateData/instanceRequirements") == 0) {
        v->has_instance_requirements = true;
    } else if (strcmp(path, LTV_TAGSPEC) == 0) {
        c->spec_first_tag = v->n_tags;
        c->spec_resource = NULL;
    } else if (strcmp(path, LTV_TAGSPEC "/tagSet/item") == 0) {
        model_lt_version_add_tag(c->l, v);
    }
    return HS_OK;
}

static enum hs_code ltv_end(void *ctx, struct aws__xml *x, const char *path, const char *text,
                            size_t len)
{
    struct ltv_ctx *c = ctx;
    struct hs_arena *a = &c->l->arena;
    const char *p = path;
    if (strcmp(p, "nextToken") == 0) {
        set_next_token(c->next_token, text, len);
        return HS_OK;
    }
    if (!aws__eat_seg(&p, LTV_ITEM))
        return HS_OK;
    struct model_lt_version *v = &c->l->v[c->l->n - 1];
    if (p[0] == '\0') {
        if (!v->template_id && !v->template_name)
            return aws__xml_fail(x, NULL, "launch template version without an id or name");
        return HS_OK;
    }
    p++;
    if (strcmp(p, "launchTemplateId") == 0)
        v->template_id = hs_arena_strndup(a, text, len);
    else if (strcmp(p, "launchTemplateName") == 0)
        v->template_name = hs_arena_strndup(a, text, len);
    else if (strcmp(p, "versionNumber") == 0)
        return aws__xml_i64(x, text, &v->version_number);
    else if (strcmp(p, "defaultVersion") == 0)
        return aws__xml_bool(x, text, &v->default_version);
    else if (strcmp(p, "createTime") == 0)
        return aws__xml_time(x, text, &v->create_time);
    else if (strcmp(p, "launchTemplateData/instanceType") == 0)
        v->instance_type = hs_arena_strndup(a, text, len);
    else if (strcmp(p, "launchTemplateData/imageId") == 0)
        v->image_id = hs_arena_strndup(a, text, len);
    else if (strcmp(p, "launchTemplateData/userData") == 0)
        v->has_user_data = true;
    else if (aws__eat_seg(&p, LTV_TAGSPEC_REL)) {
        if (strcmp(p, "/resourceType") == 0) {
            c->spec_resource = hs_arena_strndup(a, text, len);
        } else if (p[0] == '\0') {
            /* resourceType may follow the tags: give it to every tag of
             * this specification now. */
            for (uint32_t i = c->spec_first_tag; i < v->n_tags; i++)
                v->tags[i].resource_type = c->spec_resource;
        } else if (aws__eat_seg(&p, "/tagSet/item")) {
            struct model_lt_tag *t = &v->tags[v->n_tags - 1];
            if (strcmp(p, "/key") == 0)
                t->key = hs_arena_strndup(a, text, len);
            else if (strcmp(p, "/value") == 0)
                t->value = hs_arena_strndup(a, text, len);
            else if (p[0] == '\0' && !t->key)
                return aws__xml_fail(x, NULL, "tag without key");
            else if (p[0] == '\0' && !t->value)
                t->value = hs_arena_strndup(a, "", 0);
        }
    }
    return HS_OK;
}

enum hs_code aws_xml_describe_lt_versions(const char *body, size_t len,
                                          struct model_lt_version_list *out, char **next_token,
                                          struct hs_err *err)
{
    struct ltv_ctx c = { out, next_token, 0, NULL };
    if (next_token)
        *next_token = NULL;
    enum hs_code rc = aws__xml_parse(body, len, "DescribeLaunchTemplateVersionsResponse", ltv_start,
                                     ltv_end, &c, err);
    if (rc && next_token) {
        hs_free(*next_token);
        *next_token = NULL;
    }
    return rc;
}

/* ---- DescribeInstanceTypes ---- */

#define IT_ITEM "instanceTypeSet/item"

struct it_ctx {
    struct model_instance_type_list *l;
    char **next_token;
    bool total_gpu_mem_seen; /* gpuInfo/totalGpuMemoryInMiB given for this type */
    int64_t gpu_mem_sum;     /* else: sum of count x per-GPU memory */
    int32_t cur_gpu_count;   /* the GPU item being read */
    int64_t cur_gpu_mem;
};

static enum hs_code it_start(void *ctx, struct aws__xml *x, const char *path)
{
    struct it_ctx *c = ctx;
    (void)x;
    if (strcmp(path, IT_ITEM) == 0) {
        model_instance_type_list_add(c->l);
        c->total_gpu_mem_seen = false;
        c->gpu_mem_sum = 0;
    } else if (strcmp(path, IT_ITEM "/gpuInfo/gpus/item") == 0) {
        c->cur_gpu_count = 0;
        c->cur_gpu_mem = 0;
    }
    return HS_OK;
}

static enum hs_code it_end(void *ctx, struct aws__xml *x, const char *path, const char *text,
                           size_t len)
{
    struct it_ctx *c = ctx;
    struct hs_arena *a = &c->l->arena;
    const char *p = path;
    enum hs_code rc = HS_OK;
    if (strcmp(p, "nextToken") == 0) {
        set_next_token(c->next_token, text, len);
        return HS_OK;
    }
    if (!aws__eat_seg(&p, IT_ITEM))
        return HS_OK;
    struct model_instance_type *t = &c->l->v[c->l->n - 1];
    if (p[0] == '\0') {
        if (!t->name)
            return aws__xml_fail(x, NULL, "instance type without instanceType");
        if (!c->total_gpu_mem_seen)
            t->gpu_memory_mib = c->gpu_mem_sum;
        return HS_OK;
    }
    p++;
    if (strcmp(p, "instanceType") == 0) {
        t->name = hs_arena_strndup(a, text, len);
    } else if (strcmp(p, "vCpuInfo/defaultVCpus") == 0) {
        rc = aws__xml_i32(x, text, &t->vcpu);
    } else if (strcmp(p, "memoryInfo/sizeInMiB") == 0) {
        rc = aws__xml_i64(x, text, &t->memory_mib);
    } else if (strcmp(p, "processorInfo/supportedArchitectures/item") == 0) {
        if (!t->arch)
            t->arch = hs_arena_strndup(a, text, len);
    } else if (strcmp(p, "networkInfo/maximumNetworkInterfaces") == 0) {
        rc = aws__xml_i32(x, text, &t->max_enis);
    } else if (strcmp(p, "networkInfo/ipv4AddressesPerInterface") == 0) {
        rc = aws__xml_i32(x, text, &t->ipv4_per_eni);
    } else if (strcmp(p, "instanceStorageInfo/totalSizeInGB") == 0) {
        rc = aws__xml_i64(x, text, &t->ephemeral_storage_gb);
    } else if (strcmp(p, "bareMetal") == 0) {
        rc = aws__xml_bool(x, text, &t->bare_metal);
    } else if (strcmp(p, "gpuInfo/totalGpuMemoryInMiB") == 0) {
        c->total_gpu_mem_seen = true;
        rc = aws__xml_i64(x, text, &t->gpu_memory_mib);
    } else if (aws__eat_seg(&p, "gpuInfo/gpus/item")) {
        if (strcmp(p, "/name") == 0 && !t->gpu_name) {
            t->gpu_name = hs_arena_strndup(a, text, len);
        } else if (strcmp(p, "/manufacturer") == 0 && !t->gpu_manufacturer) {
            t->gpu_manufacturer = hs_arena_strndup(a, text, len);
        } else if (strcmp(p, "/count") == 0) {
            rc = aws__xml_i32(x, text, &c->cur_gpu_count);
        } else if (strcmp(p, "/memoryInfo/sizeInMiB") == 0) {
            rc = aws__xml_i64(x, text, &c->cur_gpu_mem);
        } else if (p[0] == '\0') {
            if (c->cur_gpu_count < 0 || c->cur_gpu_count > INT32_MAX - t->gpu_count)
                return aws__xml_fail(x, NULL, "GPU count out of range");
            t->gpu_count += c->cur_gpu_count;
            if (c->cur_gpu_count > 0 && c->cur_gpu_mem > 0 &&
                c->cur_gpu_mem <= (INT64_MAX - c->gpu_mem_sum) / c->cur_gpu_count)
                c->gpu_mem_sum += c->cur_gpu_mem * c->cur_gpu_count;
        }
    }
    return rc;
}

enum hs_code aws_xml_describe_instance_types(const char *body, size_t len,
                                             struct model_instance_type_list *out,
                                             char **next_token, struct hs_err *err)
{
    struct it_ctx c;
    memset(&c, 0, sizeof(c));
    c.l = out;
    c.next_token = next_token;
    if (next_token)
        *next_token = NULL;
    enum hs_code rc =
        aws__xml_parse(body, len, "DescribeInstanceTypesResponse", it_start, it_end, &c, err);
    if (rc && next_token) {
        hs_free(*next_token);
        *next_token = NULL;
    }
    return rc;
}
