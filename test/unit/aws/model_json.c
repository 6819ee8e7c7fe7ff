/*
 * Test-only comparer of model/asg.h structs with SDK-shaped JSON (see
 * model_json.h). It must stay independent of lib/aws: no call into the
 * decoders or their scalar parsers.
 */
#include "hs_test.h"
#include "model_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/common.h"

/* ---- files ---- */

json_t *mj_load(const char *rel)
{
    char path[1024];
    json_error_t jerr;
    snprintf(path, sizeof(path), "%s/%s", hs_testdata_dir(), rel);
    json_t *j = json_load_file(path, 0, &jerr);
    if (!j)
        fail_msg("cannot load %s: %s", path, jerr.text);
    return j;
}

char *mj_read(const char *rel, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", hs_testdata_dir(), rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = hs_malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    *len = got;
    return buf;
}

/* ---- field comparisons ---- */

static char where[512];

static void at(const char *fmt, ...) HS_PRINTF(1, 2);
static void at(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(where, sizeof(where), fmt, ap);
    va_end(ap);
}

static void str_eq(const json_t *obj, const char *key, const char *got)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (got)
            fail_msg("%s.%s: JSON has none, model has '%s'", where, key, got);
        return;
    }
    if (!got)
        fail_msg("%s.%s: JSON has '%s', model has none", where, key, json_string_value(v));
    if (strcmp(json_string_value(v), got) != 0)
        fail_msg("%s.%s: JSON '%s' != model '%s'", where, key, json_string_value(v), got);
}

static void int_eq(const json_t *obj, const char *key, long long got, long long absent)
{
    const json_t *v = json_object_get(obj, key);
    long long want = absent;
    if (v && json_is_string(v))
        want = atoll(json_string_value(v)); /* WeightedCapacity: "2" */
    else if (v && json_is_integer(v))
        want = (long long)json_integer_value(v);
    if (want != got)
        fail_msg("%s.%s: JSON %lld != model %lld", where, key, want, got);
}

static void bool_eq(const json_t *obj, const char *key, bool got)
{
    bool want = json_is_true(json_object_get(obj, key));
    if (want != got)
        fail_msg("%s.%s: JSON %d != model %d", where, key, want, got);
}

static void present_eq(const json_t *obj, const char *key, bool got)
{
    bool want = json_object_get(obj, key) != NULL;
    if (want != got)
        fail_msg("%s.%s: present in JSON %d != model %d", where, key, want, got);
}

/* The test's own ISO 8601 reading: date, time, optional fraction, Z or
 * +00:00 (the only offset these documents use). */
static long long iso_seconds(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) != 6)
        fail_msg("%s: bad time '%s' in JSON", where, s);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm);
}

static void time_eq(const json_t *obj, const char *key, int64_t got)
{
    const json_t *v = json_object_get(obj, key);
    long long want = v ? iso_seconds(json_string_value(v)) : 0;
    if (want != got)
        fail_msg("%s.%s: JSON %lld != model %lld", where, key, want, (long long)got);
}

static void count_eq(const json_t *arr, const char *key, size_t got)
{
    size_t want = json_array_size(arr);
    if (want != got)
        fail_msg("%s.%s: JSON has %zu, model %zu", where, key, want, got);
}

static void lt_spec_eq(const json_t *obj, const char *key, const struct model_lt_spec *s)
{
    const json_t *o = json_object_get(obj, key);
    char saved[512];
    if (!o) {
        if (model_lt_spec_present(s) || s->version)
            fail_msg("%s.%s: JSON has none, model has one", where, key);
        return;
    }
    snprintf(saved, sizeof(saved), "%s", where);
    at("%s.%s", saved, key);
    str_eq(o, "LaunchTemplateId", s->id);
    str_eq(o, "LaunchTemplateName", s->name);
    str_eq(o, "Version", s->version);
    snprintf(where, sizeof(where), "%s", saved);
}

/* ---- groups ---- */

static void check_mixed(const char *gpath, const json_t *g, const struct model_asg *m)
{
    const json_t *mip = json_object_get(g, "MixedInstancesPolicy");
    at("%s", gpath);
    if (!mip) {
        if (m->mixed.present)
            fail_msg("%s.MixedInstancesPolicy: JSON has none, model has one", where);
        return;
    }
    if (!m->mixed.present)
        fail_msg("%s.MixedInstancesPolicy: missing in model", where);
    const json_t *lt = json_object_get(mip, "LaunchTemplate");
    const json_t *ovs = json_object_get(lt, "Overrides");
    at("%s.MixedInstancesPolicy.LaunchTemplate", gpath);
    lt_spec_eq(lt, "LaunchTemplateSpecification", &m->mixed.launch_template);
    count_eq(ovs, "Overrides", m->mixed.n_overrides);
    for (size_t i = 0; i < json_array_size(ovs); i++) {
        const json_t *o = json_array_get(ovs, i);
        const struct model_asg_override *mo = &m->mixed.overrides[i];
        at("%s.MixedInstancesPolicy.LaunchTemplate.Overrides[%zu]", gpath, i);
        str_eq(o, "InstanceType", mo->instance_type);
        int_eq(o, "WeightedCapacity", mo->weighted_capacity, MODEL_ABSENT);
        lt_spec_eq(o, "LaunchTemplateSpecification", &mo->launch_template);
        present_eq(o, "InstanceRequirements", mo->has_instance_requirements);
    }
    const json_t *d = json_object_get(mip, "InstancesDistribution");
    const struct model_instances_distribution *md = &m->mixed.distribution;
    at("%s.MixedInstancesPolicy.InstancesDistribution", gpath);
    if ((d != NULL) != md->present)
        fail_msg("%s: present in JSON %d != model %d", where, d != NULL, md->present);
    if (!d)
        return;
    str_eq(d, "OnDemandAllocationStrategy", md->on_demand_allocation_strategy);
    int_eq(d, "OnDemandBaseCapacity", md->on_demand_base_capacity, MODEL_ABSENT);
    int_eq(d, "OnDemandPercentageAboveBaseCapacity", md->on_demand_percentage_above_base_capacity,
           MODEL_ABSENT);
    str_eq(d, "SpotAllocationStrategy", md->spot_allocation_strategy);
    int_eq(d, "SpotInstancePools", md->spot_instance_pools, MODEL_ABSENT);
    str_eq(d, "SpotMaxPrice", md->spot_max_price);
}

void mj_check_asgs(const char *what, const struct model_asg_list *l, const json_t *groups)
{
    at("%s", what);
    count_eq(groups, "AutoScalingGroups", l->n);
    for (size_t i = 0; i < json_array_size(groups); i++) {
        const json_t *g = json_array_get(groups, i);
        const struct model_asg *m = &l->v[i];
        char gpath[256];
        snprintf(gpath, sizeof(gpath), "%s: AutoScalingGroups[%zu]", what, i);
        at("%s", gpath);
        str_eq(g, "AutoScalingGroupName", m->name);
        str_eq(g, "AutoScalingGroupARN", m->arn);
        int_eq(g, "MinSize", m->min_size, MODEL_ABSENT);
        int_eq(g, "MaxSize", m->max_size, MODEL_ABSENT);
        int_eq(g, "DesiredCapacity", m->desired_capacity, MODEL_ABSENT);
        int_eq(g, "DefaultCooldown", m->default_cooldown, MODEL_ABSENT);
        str_eq(g, "VPCZoneIdentifier", m->vpc_zone_identifier);
        str_eq(g, "LaunchConfigurationName", m->launch_configuration_name);
        str_eq(g, "Status", m->status);
        str_eq(g, "HealthCheckType", m->health_check_type);
        time_eq(g, "CreatedTime", m->created_time);
        bool_eq(g, "CapacityRebalance", m->capacity_rebalance);
        lt_spec_eq(g, "LaunchTemplate", &m->launch_template);
        const json_t *zones = json_object_get(g, "AvailabilityZones");
        count_eq(zones, "AvailabilityZones", m->n_zones);
        for (size_t z = 0; z < json_array_size(zones); z++)
            if (strcmp(json_string_value(json_array_get(zones, z)), m->zones[z]) != 0)
                fail_msg("%s.AvailabilityZones[%zu]: JSON '%s' != model '%s'", gpath, z,
                         json_string_value(json_array_get(zones, z)), m->zones[z]);
        const json_t *ins = json_object_get(g, "Instances");
        count_eq(ins, "Instances", m->n_instances);
        for (size_t k = 0; k < json_array_size(ins); k++) {
            const json_t *in = json_array_get(ins, k);
            const struct model_asg_instance *mi = &m->instances[k];
            at("%s.Instances[%zu]", gpath, k);
            str_eq(in, "InstanceId", mi->id);
            str_eq(in, "AvailabilityZone", mi->zone);
            str_eq(in, "LifecycleState", mi->lifecycle_state);
            str_eq(in, "HealthStatus", mi->health_status);
            str_eq(in, "InstanceType", mi->instance_type);
            str_eq(in, "LaunchConfigurationName", mi->launch_configuration_name);
            bool_eq(in, "ProtectedFromScaleIn", mi->protected_from_scale_in);
            int_eq(in, "WeightedCapacity", mi->weighted_capacity, MODEL_ABSENT);
            lt_spec_eq(in, "LaunchTemplate", &mi->launch_template);
        }
        const json_t *tags = json_object_get(g, "Tags");
        at("%s", gpath);
        count_eq(tags, "Tags", m->n_tags);
        for (size_t k = 0; k < json_array_size(tags); k++) {
            const json_t *t = json_array_get(tags, k);
            at("%s.Tags[%zu]", gpath, k);
            str_eq(t, "Key", m->tags[k].key);
            str_eq(t, "Value", m->tags[k].value);
            bool_eq(t, "PropagateAtLaunch", m->tags[k].propagate_at_launch);
        }
        check_mixed(gpath, g, m);
    }
}

/* ---- activities and launch configurations ---- */

void mj_check_activities(const char *what, const struct model_activity_list *l,
                         const json_t *activities)
{
    at("%s", what);
    count_eq(activities, "Activities", l->n);
    for (size_t i = 0; i < json_array_size(activities); i++) {
        const json_t *a = json_array_get(activities, i);
        const struct model_scaling_activity *m = &l->v[i];
        at("%s: Activities[%zu]", what, i);
        str_eq(a, "ActivityId", m->id);
        str_eq(a, "AutoScalingGroupName", m->asg_name);
        str_eq(a, "Description", m->description);
        str_eq(a, "Cause", m->cause);
        str_eq(a, "StatusCode", m->status_code);
        str_eq(a, "StatusMessage", m->status_message);
        int_eq(a, "Progress", m->progress, MODEL_ABSENT);
        time_eq(a, "StartTime", m->start_time);
        time_eq(a, "EndTime", m->end_time);
    }
}

void mj_check_launch_configs(const char *what, const struct model_launch_config_list *l,
                             const json_t *configs)
{
    at("%s", what);
    count_eq(configs, "LaunchConfigurations", l->n);
    for (size_t i = 0; i < json_array_size(configs); i++) {
        const json_t *c = json_array_get(configs, i);
        at("%s: LaunchConfigurations[%zu]", what, i);
        str_eq(c, "LaunchConfigurationName", l->v[i].name);
        str_eq(c, "InstanceType", l->v[i].instance_type);
        str_eq(c, "ImageId", l->v[i].image_id);
        present_eq(c, "SpotPrice", l->v[i].spot);
    }
}

/* ---- EC2 ---- */

void mj_check_lt_versions(const char *what, const struct model_lt_version_list *l,
                          const json_t *versions)
{
    at("%s", what);
    count_eq(versions, "LaunchTemplateVersions", l->n);
    for (size_t i = 0; i < json_array_size(versions); i++) {
        const json_t *v = json_array_get(versions, i);
        const struct model_lt_version *m = &l->v[i];
        at("%s: LaunchTemplateVersions[%zu]", what, i);
        str_eq(v, "LaunchTemplateId", m->template_id);
        str_eq(v, "LaunchTemplateName", m->template_name);
        int_eq(v, "VersionNumber", m->version_number, 0);
        bool_eq(v, "DefaultVersion", m->default_version);
        time_eq(v, "CreateTime", m->create_time);
        const json_t *d = json_object_get(v, "LaunchTemplateData");
        at("%s: LaunchTemplateVersions[%zu].LaunchTemplateData", what, i);
        str_eq(d, "InstanceType", m->instance_type);
        str_eq(d, "ImageId", m->image_id);
        present_eq(d, "UserData", m->has_user_data);
        present_eq(d, "InstanceRequirements", m->has_instance_requirements);
        const json_t *specs = json_object_get(d, "TagSpecifications");
        size_t k = 0;
        for (size_t s = 0; s < json_array_size(specs); s++) {
            const json_t *spec = json_array_get(specs, s);
            const json_t *tags = json_object_get(spec, "Tags");
            for (size_t t = 0; t < json_array_size(tags); t++, k++) {
                at("%s: LaunchTemplateVersions[%zu].LaunchTemplateData.TagSpecifications[%zu]."
                   "Tags[%zu]",
                   what, i, s, t);
                if (k >= m->n_tags)
                    fail_msg("%s: missing in model", where);
                str_eq(json_array_get(tags, t), "Key", m->tags[k].key);
                str_eq(json_array_get(tags, t), "Value", m->tags[k].value);
                str_eq(spec, "ResourceType", m->tags[k].resource_type);
            }
        }
        if (k != m->n_tags)
            fail_msg("%s: JSON has %zu template tags, model %u", where, k, m->n_tags);
    }
}

void mj_check_instance_types(const char *what, const struct model_instance_type_list *l,
                             const json_t *types)
{
    at("%s", what);
    count_eq(types, "InstanceTypes", l->n);
    for (size_t i = 0; i < json_array_size(types); i++) {
        const json_t *t = json_array_get(types, i);
        const struct model_instance_type *m = &l->v[i];
        at("%s: InstanceTypes[%zu]", what, i);
        str_eq(t, "InstanceType", m->name);
        bool_eq(t, "BareMetal", m->bare_metal);
        int_eq(json_object_get(t, "VCpuInfo"), "DefaultVCpus", m->vcpu, 0);
        int_eq(json_object_get(t, "MemoryInfo"), "SizeInMiB", m->memory_mib, 0);
        const json_t *net = json_object_get(t, "NetworkInfo");
        int_eq(net, "MaximumNetworkInterfaces", m->max_enis, 0);
        int_eq(net, "Ipv4AddressesPerInterface", m->ipv4_per_eni, 0);
        int_eq(json_object_get(t, "InstanceStorageInfo"), "TotalSizeInGB", m->ephemeral_storage_gb,
               0);
        const json_t *archs =
            json_object_get(json_object_get(t, "ProcessorInfo"), "SupportedArchitectures");
        const char *arch = json_string_value(json_array_get(archs, 0));
        if ((arch == NULL) != (m->arch == NULL) || (arch && strcmp(arch, m->arch) != 0))
            fail_msg("%s: architecture JSON '%s' != model '%s'", where, arch ? arch : "-",
                     m->arch ? m->arch : "-");
        const json_t *gpu = json_object_get(t, "GpuInfo");
        const json_t *gpus = json_object_get(gpu, "Gpus");
        long long count = 0, mem = 0;
        for (size_t g = 0; g < json_array_size(gpus); g++) {
            const json_t *x = json_array_get(gpus, g);
            long long c = (long long)json_integer_value(json_object_get(x, "Count"));
            count += c;
            mem += c * (long long)json_integer_value(
                           json_object_get(json_object_get(x, "MemoryInfo"), "SizeInMiB"));
        }
        if (json_object_get(gpu, "TotalGpuMemoryInMiB"))
            mem = (long long)json_integer_value(json_object_get(gpu, "TotalGpuMemoryInMiB"));
        if (count != m->gpu_count || mem != m->gpu_memory_mib)
            fail_msg("%s: GPUs JSON %lld (%lld MiB) != model %d (%lld MiB)", where, count, mem,
                     m->gpu_count, (long long)m->gpu_memory_mib);
        const json_t *g0 = json_array_get(gpus, 0);
        at("%s: InstanceTypes[%zu].GpuInfo.Gpus[0]", what, i);
        str_eq(g0, "Name", m->gpu_name);
        str_eq(g0, "Manufacturer", m->gpu_manufacturer);
    }
}

/* ---- model vs model ---- */

static bool same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

#define SAME_STR(fa, fb, label)                                               \
    do {                                                                      \
        if (!same((fa), (fb)))                                                \
            fail_msg("group %s: %s differs: '%s' vs '%s'", ga->name, (label), \
                     (fa) ? (fa) : "(none)", (fb) ? (fb) : "(none)");         \
    } while (0)
#define SAME_NUM(fa, fb, label)                                                                \
    do {                                                                                       \
        if ((long long)(fa) != (long long)(fb))                                                \
            fail_msg("group %s: %s differs: %lld vs %lld", ga->name, (label), (long long)(fa), \
                     (long long)(fb));                                                         \
    } while (0)

void mj_check_asgs_equal(const struct model_asg_list *a, const struct model_asg_list *b)
{
    assert_int_equal(a->n, b->n);
    for (uint32_t i = 0; i < a->n; i++) {
        const struct model_asg *ga = &a->v[i], *gb = &b->v[i];
        SAME_STR(ga->name, gb->name, "name");
        SAME_STR(ga->arn, gb->arn, "ARN");
        SAME_NUM(ga->min_size, gb->min_size, "MinSize");
        SAME_NUM(ga->max_size, gb->max_size, "MaxSize");
        SAME_NUM(ga->desired_capacity, gb->desired_capacity, "DesiredCapacity");
        SAME_NUM(ga->default_cooldown, gb->default_cooldown, "DefaultCooldown");
        SAME_STR(ga->vpc_zone_identifier, gb->vpc_zone_identifier, "VPCZoneIdentifier");
        SAME_STR(ga->launch_template.id, gb->launch_template.id, "LaunchTemplateId");
        SAME_STR(ga->launch_template.name, gb->launch_template.name, "LaunchTemplateName");
        SAME_STR(ga->launch_template.version, gb->launch_template.version, "Version");
        SAME_STR(ga->launch_configuration_name, gb->launch_configuration_name, "LC");
        SAME_STR(ga->status, gb->status, "Status");
        SAME_STR(ga->health_check_type, gb->health_check_type, "HealthCheckType");
        SAME_NUM(ga->created_time, gb->created_time, "CreatedTime");
        SAME_NUM(ga->capacity_rebalance, gb->capacity_rebalance, "CapacityRebalance");
        SAME_NUM(ga->mixed.present, gb->mixed.present, "MixedInstancesPolicy");
        SAME_NUM(ga->mixed.n_overrides, gb->mixed.n_overrides, "overrides");
        for (uint32_t k = 0; k < ga->mixed.n_overrides; k++)
            SAME_STR(ga->mixed.overrides[k].instance_type, gb->mixed.overrides[k].instance_type,
                     "override type");
        SAME_NUM(ga->n_zones, gb->n_zones, "zones");
        for (uint32_t k = 0; k < ga->n_zones; k++)
            SAME_STR(ga->zones[k], gb->zones[k], "zone");
        SAME_NUM(ga->n_tags, gb->n_tags, "tags");
        for (uint32_t k = 0; k < ga->n_tags; k++) {
            SAME_STR(ga->tags[k].key, gb->tags[k].key, "tag key");
            SAME_STR(ga->tags[k].value, gb->tags[k].value, "tag value");
            SAME_NUM(ga->tags[k].propagate_at_launch, gb->tags[k].propagate_at_launch,
                     "tag propagate");
        }
        SAME_NUM(ga->n_instances, gb->n_instances, "instances");
        for (uint32_t k = 0; k < ga->n_instances; k++) {
            const struct model_asg_instance *ia = &ga->instances[k], *ib = &gb->instances[k];
            SAME_STR(ia->id, ib->id, "instance id");
            SAME_STR(ia->zone, ib->zone, "instance zone");
            SAME_STR(ia->lifecycle_state, ib->lifecycle_state, "lifecycle");
            SAME_STR(ia->health_status, ib->health_status, "health");
            SAME_STR(ia->instance_type, ib->instance_type, "instance type");
            SAME_STR(ia->launch_template.id, ib->launch_template.id, "instance LT id");
            SAME_STR(ia->launch_template.version, ib->launch_template.version, "instance LT v");
            SAME_NUM(ia->protected_from_scale_in, ib->protected_from_scale_in, "protected");
        }
    }
}
