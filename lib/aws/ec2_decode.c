/*
 * EC2 Query-protocol responses (XML) into lib/model:
 * DescribeLaunchTemplateVersions and DescribeInstanceTypes. EC2 spells
 * elements with the model's locationName (lowerCamel: instanceTypeSet,
 * vCpuInfo/defaultVCpus) and list items as <item>, and puts requestId and
 * nextToken directly under the root.
 *
 * Only what node-group templates need is kept: each decoder is a schema of
 * those elements (xml_int.h) and a switch over them; unknown elements are
 * skipped. This file must never log.
 */
#include "aws/decode.h"
#include "xml_int.h"

#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/common.h"

#define S AWS__XML_START
#define E AWS__XML_END
#define T AWS__XML_TEXT

static void set_next_token(char **next_token, const char *text, size_t len)
{
    if (!next_token || len == 0)
        return;
    hs_free(*next_token);
    *next_token = hs_strndup(text, len);
}

static enum hs_code parse_paged(const char *body, size_t len, const struct aws__xml_schema *s,
                                void *ctx, char **next_token, struct hs_err *err)
{
    if (next_token)
        *next_token = NULL;
    enum hs_code rc = aws__xml_parse(body, len, s, ctx, err);
    if (rc && next_token) {
        hs_free(*next_token);
        *next_token = NULL;
    }
    return rc;
}

/* ---- DescribeLaunchTemplateVersions ---- */

enum {
    V_ROOT,
    V_TOKEN,
    V_SET,
    V_ITEM, /* launchTemplateVersionSet/item */
    V_ID,
    V_NAME,
    V_NUMBER,
    V_DEFAULT,
    V_CREATED,
    V_DATA,
    V_TYPE,
    V_IMAGE,
    V_USER_DATA,
    V_REQUIREMENTS,
    V_SPECS,
    V_SPEC, /* launchTemplateData/tagSpecificationSet/item */
    V_SPEC_RESOURCE,
    V_TAGS,
    V_TAG,
    V_TAG_KEY,
    V_TAG_VALUE,
    V_N_NODES
};

static const struct aws__xml_node ltv_nodes[] = {
    [V_ROOT] = { "DescribeLaunchTemplateVersionsResponse", 0, 0 },
    [V_TOKEN] = { "nextToken", V_ROOT, T },
    [V_SET] = { "launchTemplateVersionSet", V_ROOT, 0 },
    [V_ITEM] = { "item", V_SET, S | E },
    [V_ID] = { "launchTemplateId", V_ITEM, T },
    [V_NAME] = { "launchTemplateName", V_ITEM, T },
    [V_NUMBER] = { "versionNumber", V_ITEM, T },
    [V_DEFAULT] = { "defaultVersion", V_ITEM, T },
    [V_CREATED] = { "createTime", V_ITEM, T },
    [V_DATA] = { "launchTemplateData", V_ITEM, 0 },
    [V_TYPE] = { "instanceType", V_DATA, T },
    [V_IMAGE] = { "imageId", V_DATA, T },
    [V_USER_DATA] = { "userData", V_DATA, E },
    [V_REQUIREMENTS] = { "instanceRequirements", V_DATA, S },
    [V_SPECS] = { "tagSpecificationSet", V_DATA, 0 },
    [V_SPEC] = { "item", V_SPECS, S | E },
    [V_SPEC_RESOURCE] = { "resourceType", V_SPEC, T },
    [V_TAGS] = { "tagSet", V_SPEC, 0 },
    [V_TAG] = { "item", V_TAGS, S | E },
    [V_TAG_KEY] = { "key", V_TAG, T },
    [V_TAG_VALUE] = { "value", V_TAG, T },
};
_Static_assert(HS_ARRAY_LEN(ltv_nodes) == V_N_NODES, "every node named");

struct ltv_ctx {
    struct model_lt_version_list *l;
    char **next_token;
    uint32_t spec_first_tag;   /* first tag of the tag specification being read */
    const char *spec_resource; /* its resourceType, once seen */
    struct aws__xml_undo undo;
};

static enum hs_code ltv_start(void *ctx, struct aws__xml *x, unsigned node)
{
    struct ltv_ctx *c = ctx;
    (void)x;
    if (node == V_ITEM) {
        model_lt_version_list_add(c->l);
        return HS_OK;
    }
    struct model_lt_version *v = &c->l->v[c->l->n - 1];
    if (node == V_REQUIREMENTS) {
        v->has_instance_requirements = true;
    } else if (node == V_SPEC) {
        c->spec_first_tag = v->n_tags;
        c->spec_resource = NULL;
    } else if (node == V_TAG) {
        model_lt_version_add_tag(c->l, v);
    }
    return HS_OK;
}

static enum hs_code ltv_end(void *ctx, struct aws__xml *x, unsigned node, const char *text,
                            size_t len)
{
    struct ltv_ctx *c = ctx;
    struct hs_arena *a = &c->l->arena;
    if (node == V_TOKEN) {
        set_next_token(c->next_token, text, len);
        return HS_OK;
    }
    struct model_lt_version *v = &c->l->v[c->l->n - 1];
    struct model_lt_tag *t = v->n_tags ? &v->tags[v->n_tags - 1] : NULL;
    switch (node) {
    case V_ITEM:
        if (!v->template_id && !v->template_name)
            return aws__xml_fail(x, NULL, "launch template version without an id or name");
        break;
    case V_ID:
        v->template_id = hs_arena_strndup(a, text, len);
        break;
    case V_NAME:
        v->template_name = hs_arena_strndup(a, text, len);
        break;
    case V_NUMBER:
        return aws__xml_i64(x, text, len, &v->version_number);
    case V_DEFAULT:
        return aws__xml_bool(x, text, len, &v->default_version);
    case V_CREATED:
        return aws__xml_time(x, text, len, &v->create_time);
    case V_TYPE:
        v->instance_type = hs_arena_strndup(a, text, len);
        break;
    case V_IMAGE:
        v->image_id = hs_arena_strndup(a, text, len);
        break;
    case V_USER_DATA:
        v->has_user_data = true;
        break;
    case V_SPEC_RESOURCE:
        c->spec_resource = hs_arena_strndup(a, text, len);
        break;
    case V_SPEC:
        /* resourceType may follow the tags: give it to every tag of this
         * specification now. */
        for (uint32_t i = c->spec_first_tag; i < v->n_tags; i++)
            v->tags[i].resource_type = c->spec_resource;
        break;
    case V_TAG_KEY:
        t->key = hs_arena_strndup(a, text, len);
        break;
    case V_TAG_VALUE:
        t->value = hs_arena_strndup(a, text, len);
        break;
    case V_TAG:
        if (!t->key)
            return aws__xml_fail(x, NULL, "tag without key");
        if (!t->value)
            t->value = hs_arena_strndup(a, "", 0);
        break;
    }
    return HS_OK;
}

static void ltv_rewind(void *ctx)
{
    struct ltv_ctx *c = ctx;
    aws__xml_undo(&c->undo);
    c->spec_first_tag = 0;
    c->spec_resource = NULL;
}

enum hs_code aws_xml_describe_lt_versions(const char *body, size_t len,
                                          struct model_lt_version_list *out, char **next_token,
                                          struct hs_err *err)
{
    static const struct aws__xml_schema schema = {
        ltv_nodes, V_N_NODES, ltv_start, ltv_end, ltv_rewind,
    };
    struct ltv_ctx c = { out, next_token, 0, NULL, { 0 } };
    AWS__XML_UNDO_INIT(&c.undo, out, next_token);
    return parse_paged(body, len, &schema, &c, next_token, err);
}

/* ---- DescribeInstanceTypes ---- */

enum {
    Y_ROOT,
    Y_TOKEN,
    Y_SET,
    Y_ITEM, /* instanceTypeSet/item */
    Y_NAME,
    Y_VCPU_INFO,
    Y_VCPUS,
    Y_MEMORY_INFO,
    Y_MEMORY,
    Y_PROCESSOR,
    Y_ARCHS,
    Y_ARCH,
    Y_NETWORK,
    Y_ENIS,
    Y_IPV4,
    Y_STORAGE,
    Y_STORAGE_GB,
    Y_BARE_METAL,
    Y_GPU_INFO,
    Y_GPU_TOTAL,
    Y_GPUS,
    Y_GPU, /* gpuInfo/gpus/item */
    Y_GPU_NAME,
    Y_GPU_MAKER,
    Y_GPU_COUNT,
    Y_GPU_MEMORY_INFO,
    Y_GPU_MEMORY,
    Y_N_NODES
};

static const struct aws__xml_node it_nodes[] = {
    [Y_ROOT] = { "DescribeInstanceTypesResponse", 0, 0 },
    [Y_TOKEN] = { "nextToken", Y_ROOT, T },
    [Y_SET] = { "instanceTypeSet", Y_ROOT, 0 },
    [Y_ITEM] = { "item", Y_SET, S | E },
    [Y_NAME] = { "instanceType", Y_ITEM, T },
    [Y_VCPU_INFO] = { "vCpuInfo", Y_ITEM, 0 },
    [Y_VCPUS] = { "defaultVCpus", Y_VCPU_INFO, T },
    [Y_MEMORY_INFO] = { "memoryInfo", Y_ITEM, 0 },
    [Y_MEMORY] = { "sizeInMiB", Y_MEMORY_INFO, T },
    [Y_PROCESSOR] = { "processorInfo", Y_ITEM, 0 },
    [Y_ARCHS] = { "supportedArchitectures", Y_PROCESSOR, 0 },
    [Y_ARCH] = { "item", Y_ARCHS, T },
    [Y_NETWORK] = { "networkInfo", Y_ITEM, 0 },
    [Y_ENIS] = { "maximumNetworkInterfaces", Y_NETWORK, T },
    [Y_IPV4] = { "ipv4AddressesPerInterface", Y_NETWORK, T },
    [Y_STORAGE] = { "instanceStorageInfo", Y_ITEM, 0 },
    [Y_STORAGE_GB] = { "totalSizeInGB", Y_STORAGE, T },
    [Y_BARE_METAL] = { "bareMetal", Y_ITEM, T },
    [Y_GPU_INFO] = { "gpuInfo", Y_ITEM, 0 },
    [Y_GPU_TOTAL] = { "totalGpuMemoryInMiB", Y_GPU_INFO, T },
    [Y_GPUS] = { "gpus", Y_GPU_INFO, 0 },
    [Y_GPU] = { "item", Y_GPUS, S | E },
    [Y_GPU_NAME] = { "name", Y_GPU, T },
    [Y_GPU_MAKER] = { "manufacturer", Y_GPU, T },
    [Y_GPU_COUNT] = { "count", Y_GPU, T },
    [Y_GPU_MEMORY_INFO] = { "memoryInfo", Y_GPU, 0 },
    [Y_GPU_MEMORY] = { "sizeInMiB", Y_GPU_MEMORY_INFO, T },
};
_Static_assert(HS_ARRAY_LEN(it_nodes) == Y_N_NODES, "every node named");

struct it_ctx {
    struct model_instance_type_list *l;
    char **next_token;
    bool total_gpu_mem_seen; /* gpuInfo/totalGpuMemoryInMiB given for this type */
    int64_t gpu_mem_sum;     /* else: sum of count x per-GPU memory */
    int32_t cur_gpu_count;   /* the GPU item being read */
    int64_t cur_gpu_mem;
    struct aws__xml_undo undo;
};

static enum hs_code it_start(void *ctx, struct aws__xml *x, unsigned node)
{
    struct it_ctx *c = ctx;
    (void)x;
    if (node == Y_ITEM) {
        model_instance_type_list_add(c->l);
        c->total_gpu_mem_seen = false;
        c->gpu_mem_sum = 0;
    } else if (node == Y_GPU) {
        c->cur_gpu_count = 0;
        c->cur_gpu_mem = 0;
    }
    return HS_OK;
}

static enum hs_code it_end(void *ctx, struct aws__xml *x, unsigned node, const char *text,
                           size_t len)
{
    struct it_ctx *c = ctx;
    struct hs_arena *a = &c->l->arena;
    if (node == Y_TOKEN) {
        set_next_token(c->next_token, text, len);
        return HS_OK;
    }
    struct model_instance_type *t = &c->l->v[c->l->n - 1];
    switch (node) {
    case Y_ITEM:
        if (!t->name)
            return aws__xml_fail(x, NULL, "instance type without instanceType");
        if (!c->total_gpu_mem_seen)
            t->gpu_memory_mib = c->gpu_mem_sum;
        break;
    case Y_NAME:
        t->name = hs_arena_strndup(a, text, len);
        break;
    case Y_VCPUS:
        return aws__xml_i32(x, text, len, &t->vcpu);
    case Y_MEMORY:
        return aws__xml_i64(x, text, len, &t->memory_mib);
    case Y_ARCH:
        if (!t->arch)
            t->arch = hs_arena_strndup(a, text, len);
        break;
    case Y_ENIS:
        return aws__xml_i32(x, text, len, &t->max_enis);
    case Y_IPV4:
        return aws__xml_i32(x, text, len, &t->ipv4_per_eni);
    case Y_STORAGE_GB:
        return aws__xml_i64(x, text, len, &t->ephemeral_storage_gb);
    case Y_BARE_METAL:
        return aws__xml_bool(x, text, len, &t->bare_metal);
    case Y_GPU_TOTAL:
        c->total_gpu_mem_seen = true;
        return aws__xml_i64(x, text, len, &t->gpu_memory_mib);
    case Y_GPU_NAME:
        if (!t->gpu_name)
            t->gpu_name = hs_arena_strndup(a, text, len);
        break;
    case Y_GPU_MAKER:
        if (!t->gpu_manufacturer)
            t->gpu_manufacturer = hs_arena_strndup(a, text, len);
        break;
    case Y_GPU_COUNT:
        return aws__xml_i32(x, text, len, &c->cur_gpu_count);
    case Y_GPU_MEMORY:
        return aws__xml_i64(x, text, len, &c->cur_gpu_mem);
    case Y_GPU:
        if (c->cur_gpu_count < 0 || c->cur_gpu_count > INT32_MAX - t->gpu_count)
            return aws__xml_fail(x, NULL, "GPU count out of range");
        t->gpu_count += c->cur_gpu_count;
        if (c->cur_gpu_count > 0 && c->cur_gpu_mem > 0 &&
            c->cur_gpu_mem <= (INT64_MAX - c->gpu_mem_sum) / c->cur_gpu_count)
            c->gpu_mem_sum += c->cur_gpu_mem * c->cur_gpu_count;
        break;
    }
    return HS_OK;
}

static void it_rewind(void *ctx)
{
    struct it_ctx *c = ctx;
    aws__xml_undo(&c->undo);
    c->total_gpu_mem_seen = false;
    c->gpu_mem_sum = 0;
    c->cur_gpu_count = 0;
    c->cur_gpu_mem = 0;
}

enum hs_code aws_xml_describe_instance_types(const char *body, size_t len,
                                             struct model_instance_type_list *out,
                                             char **next_token, struct hs_err *err)
{
    static const struct aws__xml_schema schema = {
        it_nodes, Y_N_NODES, it_start, it_end, it_rewind,
    };
    struct it_ctx c;
    memset(&c, 0, sizeof(c));
    c.l = out;
    c.next_token = next_token;
    AWS__XML_UNDO_INIT(&c.undo, out, next_token);
    return parse_paged(body, len, &schema, &c, next_token, err);
}
