/*
 * The bridge from lib/autoscaler to model/ec2_facts.h: built-in instance-type
 * facts, the EKS AMI's capacity and allocatable, and on-demand prices, turned
 * into the module's own view of an instance type. Pure functions over static
 * tables: no allocation, no I/O.
 */
#include <string.h>
#include <strings.h>

#include "asc_int.h"
#include "model/ec2_facts.h"

bool asc__builtin_type(const char *name, struct asc__type_facts *out)
{
    const struct model_ec2_type *t = name ? model_ec2_type_find(name) : NULL;
    if (!t)
        return false;
    memset(out, 0, sizeof(*out));
    out->name = model_ec2_type_name(t);
    out->vcpu = t->vcpu;
    out->memory_mib = t->memory_mib;
    out->arch = model_arch_name((enum model_arch)t->arch);
    out->max_pods_eni = t->max_pods_eni;
    out->max_enis = t->max_enis;
    out->ipv4_per_eni = t->ipv4_per_eni;
    out->gpu_count = t->gpu_count;
    out->gpu_manufacturer = model_ec2_type_gpu_manufacturer(t);
    return true;
}

enum hs_code asc__eks_resources(const struct asc__type_facts *t, const struct model_eks_options *o,
                                int64_t root_volume_bytes, struct model_resources *capacity,
                                struct model_resources *allocatable, struct hs_err *err)
{
    struct model_eks_options opts;
    struct model_eks_shape shape;
    struct model_eks_node node;

    if (o)
        opts = *o;
    else
        model_eks_options_default(&opts);
    if (root_volume_bytes > 0)
        opts.root_volume_bytes = root_volume_bytes;

    memset(&shape, 0, sizeof(shape));
    shape.vcpu = t->vcpu;
    shape.memory_mib = t->memory_mib;
    shape.arch = MODEL_ARCH_UNKNOWN;
    if (t->arch && strcmp(t->arch, "arm64") == 0)
        shape.arch = MODEL_ARCH_ARM64;
    else if (t->arch && strcmp(t->arch, "amd64") == 0)
        shape.arch = MODEL_ARCH_AMD64;
    shape.max_pods_eni = t->max_pods_eni;
    shape.max_enis = t->max_enis;
    shape.ipv4_per_eni = t->ipv4_per_eni;

    enum hs_code rc = model_eks_allocatable(&shape, &opts, &node, err);
    if (rc) {
        hs_err_prefix(err, "instance type %s", t->name ? t->name : "?");
        return rc;
    }
    memset(capacity, 0, sizeof(*capacity));
    memset(allocatable, 0, sizeof(*allocatable));
    capacity->cpu_milli = node.capacity.cpu_milli;
    capacity->memory = node.capacity.memory;
    capacity->ephemeral_storage = node.capacity.ephemeral_storage;
    capacity->pods = node.capacity.pods;
    allocatable->cpu_milli = node.allocatable.cpu_milli;
    allocatable->memory = node.allocatable.memory;
    allocatable->ephemeral_storage = node.allocatable.ephemeral_storage;
    allocatable->pods = node.allocatable.pods;
    return HS_OK;
}

enum hs_code asc__ondemand_price(const char *region, const char *type, double *per_hour,
                                 struct hs_err *err)
{
    return model_ondemand_price(region, type, per_hour, NULL, err);
}

const char *asc__gpu_resource(const char *manufacturer)
{
    if (manufacturer && strcasecmp(manufacturer, "amd") == 0)
        return "amd.com/gpu";
    if (manufacturer && strcasecmp(manufacturer, "habana") == 0)
        return "habana.ai/gaudi";
    return "nvidia.com/gpu";
}
