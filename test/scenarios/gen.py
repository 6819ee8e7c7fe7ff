#!/usr/bin/env python3
"""Writes the inputs (cluster.json, asgs.json, flags, ...) of every scenario
directory. Run it after changing a scenario's inputs; it never writes
expected.json, which is reasoned by hand (see each `_why`).

Conventions of the base cluster: nodes allocate exactly what their
allocatable says (4 cpu = 4000m, 16Gi), every object was created at T0 (long
ago), and groups are discovered by the k8s.io/cluster-autoscaler tags.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import (asg, daemonset, ds_pod, job, lt_versions, namespace, node, pdb,  # noqa: E402
                      pod, pv, pvc, workload, write)

HERE = os.path.dirname(os.path.abspath(__file__))
T0_ = "2026-11-28T07:00:00Z"
A, B, C = "us-east-1a", "us-east-1b", "us-east-1c"
SCEN = {}


def scenario(fn):
    SCEN[fn.__name__] = fn
    return fn


def busy(prefix, node_name, n=1, cpu="3500m", mem="4Gi"):
    """Pods that keep a node above the utilization threshold (3.5/4 cpu)."""
    return [pod(f"{prefix}-{node_name[-4:]}-{i}", node_name=node_name, cpu=cpu, mem=mem)
            for i in range(n)]


def general(n=2, zone=A, desired=None, min_size=1, max_size=10, name="ng-general", first=1,
            **kw):
    ids = [(f"i-0{name[3]}{k:015d}", zone) for k in range(first, first + n)]
    nodes = [node(f"ip-10-0-{k}-{first}0.ec2.internal" if False else f"{name}-node-{k}",
                  iid, z, "m5.xlarge") for k, (iid, z) in enumerate(ids, start=first)]
    g = asg(name, min_size, max_size, desired if desired is not None else n, [zone], ids,
            itype="m5.xlarge", **kw)
    return nodes, g


@scenario
def nothing_to_do(d):
    nodes, g = general()
    items = nodes + busy("web", nodes[0]["metadata"]["name"]) + busy("api", nodes[1]["metadata"]["name"])
    write(d, items, [g])


@scenario
def scale_up_basic(d):
    nodes, g = general()
    items = nodes + busy("web", nodes[0]["metadata"]["name"]) + busy("api", nodes[1]["metadata"]["name"])
    items += [pod(f"batch-{i}", cpu="2", mem="2Gi") for i in range(3)]
    write(d, items, [g])



def grp(name, itype, cpu, mem, n=1, zone=A, min_size=0, max_size=10, desired=None, busy_cpu=None,
        busy_mem="1Gi", labels=None, taints=None, first=1, zones=None, tag_extra=None, **kw):
    """A group of n ready nodes of one shape, each kept busy (not underutilized)."""
    zs = zones or [zone]
    ids = [(f"i-{abs(hash_name(name)) % 10**9:09d}{k:08d}", zs[(k - first) % len(zs)])
           for k in range(first, first + n)]
    nodes = [node(f"{name}-node-{k}", iid, z, itype, cpu=cpu, mem=mem, labels=labels,
                  taints=taints) for k, (iid, z) in enumerate(ids, start=first)]
    g = asg(name, min_size, max_size, desired if desired is not None else n, zs, ids, itype=itype,
            tag_extra=tag_extra, **kw)
    items = list(nodes)
    if busy_cpu:
        for nd in nodes:
            items.append(pod(f"busy-{nd['metadata']['name']}", node_name=nd["metadata"]["name"],
                             cpu=busy_cpu, mem=busy_mem, tolerations=[{"operator": "Exists"}]))
    return items, g


def hash_name(name):
    import zlib
    return zlib.crc32(name.encode())


def zero(name, types, zones=(A,), max_size=10, tag_extra=None, spot=False, min_size=0):
    """A group scaled to zero whose types come from its mixed instances policy."""
    return asg(name, min_size, max_size, 0, list(zones), (), overrides=list(types),
               tag_extra=tag_extra, spot=spot)


def web_groups(zones, **kw):
    """Similar m5.xlarge groups ng-web-<zone letter>, one busy node each."""
    items, groups = [], []
    for z in zones:
        it, g = grp("ng-web-" + z[-1], "m5.xlarge", "4", "16Gi", zone=z, busy_cpu="3500m", **kw)
        items += it
        groups.append(g)
    return items, groups


def pend(prefix, n, cpu, mem, **kw):
    return [pod(f"{prefix}-{i}", cpu=cpu, mem=mem, **kw) for i in range(n)]


@scenario
def scale_from_zero_tags(d):
    items, g1 = grp("ng-general", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    g2 = zero("ng-ml", ["m5.large"], tag_extra={
        "k8s.io/cluster-autoscaler/node-template/label/team": "ml",
        "k8s.io/cluster-autoscaler/node-template/taint/dedicated": "ml:NoSchedule"})
    items += pend("train", 3, "1", "1Gi", node_selector={"team": "ml"},
                  tolerations=[{"key": "dedicated", "operator": "Equal", "value": "ml",
                                "effect": "NoSchedule"}])
    items += pend("untolerated", 1, "1", "1Gi", node_selector={"team": "ml"})
    write(d, items, [g1, g2])


def two_shapes(d, pods, flags, a=("ng-cpu", "c5.2xlarge", "8", "16Gi"),
               b=("ng-mem", "r5.xlarge", "4", "32Gi"), priority=None):
    i1, g1 = grp(a[0], a[1], a[2], a[3], busy_cpu="7500m" if a[2] == "8" else
                 ("15" if a[2] == "16" else "3500m"))
    i2, g2 = grp(b[0], b[1], b[2], b[3], busy_cpu="7500m" if b[2] == "8" else
                 ("15" if b[2] == "16" else "3500m"))
    write(d, i1 + i2 + pods, [g1, g2], flags=flags, priority=priority)


@scenario
def expander_least_waste(d):
    two_shapes(d, pend("cache", 4, "1", "6Gi"), ["--expander=least-waste"])


@scenario
def expander_least_nodes(d):
    two_shapes(d, pend("job", 3, "3", "3Gi"), ["--expander=least-nodes"],
               a=("ng-big", "m5.4xlarge", "16", "64Gi"), b=("ng-small", "m5.xlarge", "4", "16Gi"))


@scenario
def expander_least_waste_vs_nodes(d):
    two_shapes(d, pend("job", 3, "3", "3Gi"), ["--expander=least-waste"],
               a=("ng-big", "m5.4xlarge", "16", "64Gi"), b=("ng-small", "m5.xlarge", "4", "16Gi"))


@scenario
def expander_most_pods(d):
    i1, g1 = grp("ng-general", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    i2, g2 = grp("ng-ml", "m5.xlarge", "4", "16Gi", busy_cpu="3500m", labels={"team": "ml"})
    pods = pend("plain", 2, "3", "1Gi") + pend("ml", 2, "3", "1Gi", node_selector={"team": "ml"})
    write(d, i1 + i2 + pods, [g1, g2], flags=["--expander=most-pods"])


@scenario
def expander_price(d):
    two_shapes(d, pend("db", 2, "1", "12Gi"), ["--expander=price"],
               a=("ng-m5", "m5.2xlarge", "8", "32Gi"), b=("ng-r5", "r5.xlarge", "4", "32Gi"))


PRIORITIES = """# cluster-autoscaler-priority-expander
10:
  - .*
50:
  - ^ng-spot-.*
"""


@scenario
def expander_priority(d):
    i1, g1 = grp("ng-general", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    i2, g2 = grp("ng-spot-a", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    write(d, i1 + i2 + pend("web", 2, "3", "1Gi"), [g1, g2], flags=["--expander=priority"],
          priority=PRIORITIES)


@scenario
def expander_priority_without_config(d):
    i1, g1 = grp("ng-general", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    i2, g2 = grp("ng-spot-a", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    write(d, i1 + i2 + pend("web", 2, "3", "1Gi"), [g1, g2], flags=["--expander=priority"])


@scenario
def expander_chain_priority_least_waste(d):
    i1, g1 = grp("ng-general", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    i2, g2 = grp("ng-spot-cpu", "c5.2xlarge", "8", "16Gi", busy_cpu="7500m")
    i3, g3 = grp("ng-spot-mem", "r5.xlarge", "4", "32Gi", busy_cpu="3500m")
    write(d, i1 + i2 + i3 + pend("cache", 4, "1", "6Gi"), [g1, g2, g3],
          flags=["--expander=priority,least-waste"], priority=PRIORITIES)


@scenario
def expander_random(d):
    i1, g1 = grp("ng-full", "m5.xlarge", "4", "16Gi", busy_cpu="3500m", max_size=1)
    i2, g2 = grp("ng-general", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    write(d, i1 + i2 + pend("web", 2, "3", "1Gi"), [g1, g2],
          flags=["--expander=random", "--seed=7"])


@scenario
def balance_similar_groups(d):
    items, groups = web_groups((A, B, C))
    items += pend("web", 6, "3", "1Gi")
    write(d, items, groups, flags=["--balance-similar-node-groups"])


@scenario
def limit_max_size(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=3, max_size=3, busy_cpu="3500m")
    write(d, items + pend("web", 1, "2", "1Gi"), [g])


@scenario
def limit_group_max_caps_scale_up(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, max_size=4, busy_cpu="3500m")
    write(d, items + pend("web", 5, "3", "1Gi"), [g])


@scenario
def limit_max_nodes_total(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, busy_cpu="3500m")
    write(d, items + pend("web", 5, "3", "1Gi"), [g], flags=["--max-nodes-total=3"])


@scenario
def limit_max_nodes_total_reached(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, busy_cpu="3500m")
    write(d, items + pend("web", 1, "3", "1Gi"), [g], flags=["--max-nodes-total=2"])


@scenario
def limit_max_nodes_total_counts_ready(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=3, busy_cpu="3500m")
    # node-3 has been NotReady for an hour (and is tainted so, as the node
    # lifecycle controller does); its busy pod is gone
    items = [it for it in items if it["metadata"]["name"] != "busy-ng-general-node-3"]
    broken = [it for it in items if it["metadata"]["name"] == "ng-general-node-3"][0]
    broken["status"]["conditions"] = [{"type": "Ready", "status": "False",
                                       "reason": "KubeletNotReady",
                                       "lastTransitionTime": "2026-11-28T07:00:00Z"}]
    broken["spec"]["taints"] = [{"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}]
    write(d, items + pend("web", 1, "3", "1Gi"), [g],
          flags=["--max-nodes-total=3", "--now=2026-11-28T08:00:00Z"])


@scenario
def no_scale_up_message(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    groups = [g] + [zero(f"ng-small-{k}", ["m5.large"]) for k in range(3)]
    groups.append(zero("ng-full", ["m5.4xlarge"], max_size=0))
    write(d, items + pend("huge", 1, "20", "1Gi"), groups)


@scenario
def limit_cores_after_expander(d):
    ia, ga = grp("ng-a", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    ib, gb = grp("ng-b", "m5.2xlarge", "8", "32Gi", busy_cpu="7500m", max_size=2)
    write(d, ia + ib + pend("web", 6, "2500m", "1Gi"), [ga, gb],
          flags=["--expander=most-pods", "--cores-total=0:20"])


@scenario
def limit_cores_total(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, busy_cpu="3500m")
    write(d, items + pend("web", 5, "3", "1Gi"), [g], flags=["--cores-total=0:16"])


@scenario
def limit_memory_total(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, busy_cpu="3500m")
    write(d, items + pend("web", 5, "3", "1Gi"), [g], flags=["--memory-total=0:40"])


@scenario
def limit_max_nodes_per_scaleup(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, busy_cpu="3500m")
    write(d, items + pend("web", 5, "3", "1Gi"), [g], flags=["--max-nodes-per-scaleup=2"])


@scenario
def limit_scale_up_from_zero_disabled(d):
    g = zero("ng-general", ["m5.xlarge"])
    write(d, pend("web", 1, "1", "1Gi"), [g], flags=["--scale-up-from-zero=false"])


@scenario
def enforce_min_size(d):
    items, g1 = grp("ng-general", "m5.xlarge", "4", "16Gi", n=1, min_size=1, busy_cpu="3500m")
    g2 = zero("ng-system", ["m5.large"], min_size=2)
    write(d, items, [g1, g2], flags=["--enforce-node-group-min-size"])


@scenario
def mixed_instances(d):
    items, g1 = grp("ng-general", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    g2 = zero("ng-spot", ["m5.xlarge", "m5a.xlarge", "m4.xlarge"], spot=True)
    items += pend("spot-ok", 2, "1", "2Gi", tolerations=[{"operator": "Exists"}],
                  node_selector={"kubernetes.io/arch": "amd64"})
    items += pend("wants-m5a", 1, "1", "2Gi",
                  node_selector={"node.kubernetes.io/instance-type": "m5a.xlarge"})
    write(d, items, [g1, g2])


@scenario
def multi_az_zone_bound(d):
    items, g1 = grp("ng-multi", "m5.xlarge", "4", "16Gi", n=2, zones=[A, B], busy_cpu="3500m")
    it2, g2 = grp("ng-1a", "m5.xlarge", "4", "16Gi", n=1, zone=A, busy_cpu="3500m")
    items += it2
    items += pend("zonal", 1, "2", "1Gi", node_selector={"topology.kubernetes.io/zone": A})
    items += pend("zonal-c", 1, "2", "1Gi", node_selector={"topology.kubernetes.io/zone": C})
    write(d, items, [g1, g2])


@scenario
def zonal_volume(d):
    items, g1 = grp("ng-multi", "m5.xlarge", "4", "16Gi", n=2, zones=[A, B], busy_cpu="3500m")
    it2, g2 = grp("ng-1b", "m5.xlarge", "4", "16Gi", n=1, zone=B, busy_cpu="3500m")
    items += it2
    items += [pvc("data-db-0", "pv-db-0"), pv("pv-db-0", B, "data-db-0")]
    items += [pod("db-0", cpu="2", mem="4Gi", owner_kind="StatefulSet", owner_name="db",
                  volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}}])]
    write(d, items, [g1, g2])


@scenario
def daemonset_overhead(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    items += [daemonset("fluent-bit", cpu="500m", mem="512Mi"),
              daemonset("gpu-plugin", cpu="1", mem="1Gi",
                        node_selector={"nvidia.com/gpu.present": "true"})]
    items += pend("web", 2, "2", "1Gi")
    write(d, items, [g])


@scenario
def gpu_scale_from_zero(d):
    items, g1 = grp("ng-general", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    g2 = zero("ng-gpu", ["g4dn.xlarge"], tag_extra={
        "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "present:NoSchedule",
        "k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator":
            "nvidia-tesla-t4"})
    items += pend("infer", 2, "1", "4Gi", gpu=1,
                  tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists",
                                "effect": "NoSchedule"}])
    write(d, items, [g1, g2], flags=["--expander=price"])


@scenario
def gpu_node_underutilized(d):
    items, g = grp("ng-gpu", "g4dn.12xlarge", "48", "192Gi", n=2, min_size=0,
                   taints=[{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}])
    for nd in items[:2]:
        nd["status"]["allocatable"]["nvidia.com/gpu"] = "4"
        nd["status"]["capacity"]["nvidia.com/gpu"] = "4"
    tol = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    items += [pod("train-0", node_name="ng-gpu-node-1", cpu="40", mem="100Gi", gpu=1,
                  tolerations=tol),
              pod("train-1", node_name="ng-gpu-node-2", cpu="2", mem="8Gi", gpu=3,
                  tolerations=tol)]
    write(d, items, [g])


def drain_case(d, victim, flags=None, extra=None):
    """ng-general: node-1 nearly empty holding victim, node-2 with room for it."""
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, min_size=1)
    items += [pod("busy-2", node_name="ng-general-node-2", cpu="2500m", mem="4Gi")]
    items += victim
    items += extra or []
    write(d, items, [g], flags=flags)


@scenario
def drain_not_replicated(d):
    drain_case(d, [pod("scratch", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                       owner_kind=None)])


@scenario
def drain_kube_system(d):
    drain_case(d, [pod("metrics-server-0", ns="kube-system", node_name="ng-general-node-1",
                       cpu="500m", mem="1Gi")])


@scenario
def drain_kube_system_with_pdb(d):
    drain_case(d, [pod("metrics-server-0", ns="kube-system", node_name="ng-general-node-1",
                       cpu="500m", mem="1Gi", labels={"app": "metrics-server"})],
               extra=[pdb("metrics-server", {"app": "metrics-server"}, 1, ns="kube-system")])


@scenario
def drain_local_storage(d):
    drain_case(d, [pod("cache-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                       volumes=[{"name": "scratch", "emptyDir": {}}])])


@scenario
def drain_local_storage_allowed(d):
    drain_case(d, [pod("cache-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                       volumes=[{"name": "scratch", "emptyDir": {}}])],
               flags=["--skip-nodes-with-local-storage=false"])


@scenario
def drain_not_safe_to_evict(d):
    drain_case(d, [pod("batch-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                       annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"})])


@scenario
def drain_safe_to_evict_bare_pod(d):
    drain_case(d, [pod("scratch", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                       owner_kind=None,
                       annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict": "true"})])


@scenario
def drain_pdb_blocks(d):
    drain_case(d, [pod("api-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                       labels={"app": "api"})],
               extra=[pdb("api", {"app": "api"}, 0)])


@scenario
def drain_no_place(d):
    drain_case(d, [pod("big-0", node_name="ng-general-node-1", cpu="1800m", mem="1Gi")])


@scenario
def scale_down_empty_and_nonempty(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=4, min_size=1)
    items += [pod("busy-3", node_name="ng-general-node-3", cpu="3", mem="4Gi"),
              pod("busy-4", node_name="ng-general-node-4", cpu="2", mem="4Gi"),
              pod("web-0", node_name="ng-general-node-2", cpu="500m", mem="1Gi")]
    items += [daemonset("kube-proxy", cpu="100m", mem="128Mi")]
    items += [ds_pod("kube-proxy", f"ng-general-node-{k}") for k in range(1, 5)]
    write(d, items, [g])


@scenario
def scale_down_parallelism(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=5, min_size=1)
    items += [pod("busy-5", node_name="ng-general-node-5", cpu="3", mem="4Gi")]
    write(d, items, [g], flags=["--max-scale-down-parallelism=2"])


@scenario
def scale_down_min_size_and_annotations(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=3, min_size=2)
    items[2]["metadata"]["annotations"][
        "cluster-autoscaler.kubernetes.io/scale-down-disabled"] = "true"
    it2, g2 = grp("ng-batch", "m5.xlarge", "4", "16Gi", n=1, min_size=0, first=1)
    it2[0]["spec"]["taints"] = [{"key": "ToBeDeletedByClusterAutoscaler", "value": "1764313200",
                                 "effect": "NoSchedule"}]
    other = node("ip-10-0-9-9.ec2.internal", "i-0unmanaged000001", A, "t3.medium", cpu="2",
                 mem="4Gi")
    write(d, items + it2 + [other], [g, g2])


@scenario
def scale_down_threshold_tag(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, min_size=0, tag_extra={
        "k8s.io/cluster-autoscaler/node-template/autoscaling-options/"
        "scaledownutilizationthreshold": "0.8"})
    items += [pod("web-0", node_name="ng-general-node-1", cpu="2800m", mem="4Gi"),
              pod("web-1", node_name="ng-general-node-2", cpu="1000m", mem="1Gi")]
    write(d, items, [g])


@scenario
def unhealthy_cluster(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=5, min_size=0, busy_cpu="3500m")
    for k in range(4):
        items[k]["status"]["conditions"][0]["status"] = "False"
    write(d, items + pend("web", 1, "1", "1Gi"), [g])


@scenario
def expendable_and_ignored_pods(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    items += pend("low", 1, "2", "1Gi", priority=-100)
    items += pend("fluentd", 1, "2", "1Gi", owner_kind="DaemonSet", owner_name="fluentd")
    gated = pod("gated-0", cpu="2", mem="1Gi")
    gated["spec"]["schedulingGates"] = [{"name": "example.com/quota"}]
    items += [gated]
    items += pend("fits", 1, "400m", "1Gi")
    write(d, items, [g])


@scenario
def upcoming_nodes(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, desired=3, busy_cpu="3500m")
    write(d, items + pend("web", 2, "1500m", "1Gi") + pend("more", 1, "3", "1Gi"), [g])


# ---- controllers, namespaces, expendable pods, multi-zone groups ------------------


@scenario
def drain_controller_not_found(d):
    drain_case(d, [pod("web-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi")],
               extra=[workload("ReplicaSet", "busy-5d8f", replicas=3)])


@scenario
def drain_min_replicas(d):
    drain_case(d, [pod("web-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi")],
               flags=["--min-replica-count=2"],
               extra=[workload("ReplicaSet", "busy-5d8f", replicas=3),
                      workload("ReplicaSet", "web-5d8f", replicas=1)])


@scenario
def drain_controller_kind_not_listed(d):
    drain_case(d, [pod("report-28-x7k2p", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                       owner_kind="Job", owner_name="report-28")],
               extra=[workload("ReplicaSet", "busy-5d8f", replicas=3)])


@scenario
def affinity_namespace_selector(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2)
    items += [pod("busy-2", node_name="ng-general-node-2", cpu="3500m", mem="4Gi"),
              pod("noisy-0", ns="batch", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                  labels={"app": "noisy"}),
              namespace("default"), namespace("batch", {"team": "batch"})]
    items += pend("api", 1, "1", "1Gi", labels={"app": "api"}, affinity={"podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [{
            "labelSelector": {"matchLabels": {"app": "noisy"}},
            "namespaceSelector": {"matchLabels": {"team": "batch"}},
            "topologyKey": "kubernetes.io/hostname"}]}})
    write(d, items, [g])


@scenario
def expendable_pods_scale_down(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, min_size=0)
    items += [pod("busy-2", node_name="ng-general-node-2", cpu="3500m", mem="4Gi"),
              pod("overprovision-0", node_name="ng-general-node-1", cpu="3", mem="8Gi",
                  priority=-100)]
    write(d, items, [g])


@scenario
def expendable_room_for_pending(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, min_size=0)
    items += [pod("busy-2", node_name="ng-general-node-2", cpu="3500m", mem="4Gi"),
              pod("overprovision-0", node_name="ng-general-node-1", cpu="3500m", mem="8Gi",
                  priority=-100)]
    items += pend("web", 1, "2500m", "1Gi", priority=0)
    write(d, items, [g])


def zone_in(*zones):
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [
            {"key": "topology.kubernetes.io/zone", "operator": "In", "values": list(zones)}]}]}}}


@scenario
def multi_az_every_zone(d):
    items, g = grp("ng-multi", "m5.xlarge", "4", "16Gi", n=2, zones=[A, B], busy_cpu="3500m")
    items += pend("zonal-ab", 1, "2", "1Gi", affinity=zone_in(A, B))
    items += pend("zonal-a", 1, "2", "1Gi", affinity=zone_in(A))
    write(d, items, [g])


def zone_spread(app):
    return [{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
             "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": app}}}]


@scenario
def multi_az_zone_spread(d):
    items, g = grp("ng-multi", "m5.xlarge", "4", "16Gi", n=2, zones=[A, B], busy_cpu="3500m")
    n1, n2 = "ng-multi-node-1", "ng-multi-node-2"
    items += [pod("web-0", node_name=n1, labels={"app": "web"}, spread=zone_spread("web")),
              pod("web-1", node_name=n2, labels={"app": "web"}, spread=zone_spread("web")),
              pod("api-0", node_name=n1, labels={"app": "api"}, spread=zone_spread("api")),
              pod("api-1", node_name=n1, labels={"app": "api"}, spread=zone_spread("api")),
              pod("api-2", node_name=n2, labels={"app": "api"}, spread=zone_spread("api"))]
    items += [pod("web-2", cpu="1", mem="1Gi", labels={"app": "web"}, spread=zone_spread("web")),
              pod("api-3", cpu="1", mem="1Gi", labels={"app": "api"}, spread=zone_spread("api"))]
    write(d, items, [g])


# ---- audit against cluster-autoscaler's FAQ ------------------------------------


def ds_util_case(d, flags):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, min_size=1)
    items += [daemonset("fluent-bit", cpu="1", mem="128Mi"),
              ds_pod("fluent-bit", "ng-general-node-1", cpu="1", mem="128Mi"),
              ds_pod("fluent-bit", "ng-general-node-2", cpu="1", mem="128Mi"),
              pod("web-0", node_name="ng-general-node-1", cpu="1200m", mem="1Gi"),
              pod("busy-2", node_name="ng-general-node-2", cpu="1600m", mem="4Gi")]
    write(d, items, [g], flags=flags)


@scenario
def scale_down_ignore_daemonsets_utilization(d):
    ds_util_case(d, ["--ignore-daemonsets-utilization=true"])


@scenario
def scale_down_daemonsets_counted(d):
    ds_util_case(d, [])


@scenario
def scale_down_ignore_mirror_pods_utilization(d):
    mirror = pod("kube-proxy-ng-general-node-1", ns="kube-system", node_name="ng-general-node-1",
                 cpu="1", mem="128Mi", owner_kind="Node", owner_name="ng-general-node-1",
                 annotations={"kubernetes.io/config.mirror": "5f2c0e1d",
                              "kubernetes.io/config.source": "file"})
    drain_case(d, [mirror, pod("web-0", node_name="ng-general-node-1", cpu="1200m", mem="1Gi")],
               flags=["--ignore-mirror-pods-utilization=true"])


def rollout_pod():
    return pod("canary-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
               owner_kind="Rollout", owner_name="canary")


@scenario
def drain_custom_controller(d):
    drain_case(d, [rollout_pod()])


@scenario
def drain_custom_controller_allowed(d):
    drain_case(d, [rollout_pod()], flags=["--skip-nodes-with-custom-controller-pods=false"])


@scenario
def drain_safe_to_evict_local_volumes(d):
    drain_case(d, [pod("cache-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                       annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes":
                                    "scratch"},
                       volumes=[{"name": "scratch", "emptyDir": {}},
                                {"name": "shm", "emptyDir": {"medium": "Memory"}},
                                {"name": "cfg", "configMap": {"name": "cache-config"}}])])


@scenario
def drain_local_volumes_partly_listed(d):
    drain_case(d, [pod("cache-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                       annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes":
                                    "scratch"},
                       volumes=[{"name": "scratch", "emptyDir": {}},
                                {"name": "logs", "hostPath": {"path": "/var/log/cache"}}])])


@scenario
def drain_kube_system_safe_to_evict(d):
    drain_case(d, [pod("metrics-server-0", ns="kube-system", node_name="ng-general-node-1",
                       cpu="500m", mem="1Gi",
                       annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict": "true"})])


@scenario
def drain_terminal_pods_ignored(d):
    drain_case(d, [pod("report-0", node_name="ng-general-node-1", cpu="1", mem="1Gi",
                       owner_kind=None, phase="Succeeded")])


@scenario
def drain_pdb_budget_per_node(d):
    drain_case(d, [pod(f"api-{i}", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                       labels={"app": "api"}) for i in range(2)],
               extra=[pdb("api", {"app": "api"}, 1)])


@scenario
def pending_priority_order(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=1, min_size=1, busy_cpu="2")
    items += pend("batch", 1, "2", "1Gi", priority=0)
    items += pend("critical", 1, "2", "1Gi", priority=1000)
    write(d, items, [g])


@scenario
def scale_up_ignores_preferred(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=1, min_size=1, busy_cpu="3500m")
    items += pend("web", 1, "2", "1Gi", affinity={"nodeAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "preference": {
            "matchExpressions": [{"key": "disktype", "operator": "In", "values": ["ssd"]}]}}]}})
    write(d, items, [g])


@scenario
def balance_only_same_pods(d):
    items, groups = web_groups((A, B, C))
    items += pend("zonal-a", 2, "3500m", "1Gi", node_selector={"topology.kubernetes.io/zone": A})
    items += pend("zonal-b", 2, "3", "1Gi", node_selector={"topology.kubernetes.io/zone": B})
    write(d, items, groups, flags=["--balance-similar-node-groups"])


@scenario
def balance_capacity_of_similar_groups(d):
    items, groups = web_groups((A, B, C), max_size=4)
    items += pend("web", 9, "3", "1Gi")
    write(d, items, groups, flags=["--balance-similar-node-groups"])


@scenario
def balance_cores_total_cut_first(d):
    items, groups = web_groups((A, B))
    items += pend("web", 4, "3", "1Gi")
    write(d, items, groups, flags=["--balance-similar-node-groups", "--cores-total=0:16"])


@scenario
def balance_many_similar_groups(d):
    items, groups = [], []
    for i in range(70):
        it, g = grp("ng-w%02d" % i, "m5.xlarge", "4", "16Gi", zone=A, busy_cpu="3500m",
                    max_size=2)
        items += it
        groups.append(g)
    items += pend("web", 70, "3", "1Gi")
    write(d, items, groups, flags=["--balance-similar-node-groups"])


@scenario
def balance_superset_of_pods(d):
    items, groups = web_groups((A, B))
    items += pend("web", 4, "3", "1Gi")
    items += pend("zonal-b", 1, "3", "1Gi", node_selector={"topology.kubernetes.io/zone": B})
    write(d, items, groups, flags=["--balance-similar-node-groups", "--expander=least-nodes"])


@scenario
def scale_down_disabled_flag(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, min_size=0)
    items += [pod("busy-2", node_name="ng-general-node-2", cpu="3500m", mem="4Gi")]
    write(d, items, [g], flags=["--scale-down-enabled=false"])


# ---- per-pod scale-up delay, nominated pods, nodes that have not started ----------


@scenario
def pod_scale_up_delay_annotation(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, busy_cpu="3500m")
    ann = "cluster-autoscaler.kubernetes.io/pod-scale-up-delay"
    items += [pod("slow-0", cpu="500m", mem="512Mi", annotations={ann: "10m"}),
              pod("slow-1", cpu="500m", mem="512Mi", annotations={ann: "10m"}),
              pod("web-0", cpu="500m", mem="512Mi"),
              pod("typo-0", cpu="1", mem="512Mi", annotations={ann: "5 minutes"}),
              pod("short-0", cpu="1", mem="512Mi", annotations={ann: "30s"})]
    write(d, items, [g], flags=["--new-pod-scale-up-delay=2m"])


@scenario
def nominated_node_pods(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2)
    items += [pod("busy-1", node_name="ng-general-node-1", cpu="3500m", mem="1Gi"),
              pod("busy-2", node_name="ng-general-node-2", cpu="2500m", mem="1Gi")]
    nominated = [("preemptor-0", "2", "ng-general-node-1", 1000),
                 ("preemptor-1", "1", "ng-general-node-2", 1000),
                 ("cheap-0", "1", "ng-general-node-2", -100),
                 ("ghost-0", "1", "ng-general-node-9", 1000)]
    for name, cpu, nn, prio in nominated:
        p = pod(name, cpu=cpu, mem="512Mi", priority=prio)
        p["status"]["nominatedNodeName"] = nn
        items.append(p)
    items += [pod("web-0", cpu="1", mem="512Mi")]
    write(d, items, [g])


@scenario
def not_started_nodes(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=4)
    booting = items[2]
    booting["status"]["conditions"] = [{"type": "Ready", "status": "False",
                                        "reason": "KubeletNotReady",
                                        "lastTransitionTime": "2026-11-28T07:00:00Z"}]
    booting["spec"]["taints"] = [{"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"}]
    # Ready, but its CNI has not removed its startup taint yet
    items[3]["spec"]["taints"] = [{"key": "startup-taint.cluster-autoscaler.kubernetes.io/cni",
                                   "value": "pending", "effect": "NoSchedule"}]
    items += [pod("busy-1", node_name="ng-general-node-1", cpu="3500m", mem="1Gi"),
              pod("busy-2", node_name="ng-general-node-2", cpu="3500m", mem="1Gi")]
    items += pend("web", 2, "1500m", "1Gi") + pend("more", 1, "3", "1Gi")
    items += pend("late", 1, "3", "1Gi")
    write(d, items, [g], flags=["--now=2026-11-28T07:05:00Z"])

@scenario
def gpu_node_without_gpus_yet(d):
    # ng-gpu's second node joined 5 minutes ago and is Ready, but the device
    # plugin has not published its GPU yet (no nvidia.com/gpu allocatable)
    accel = {"k8s.amazonaws.com/accelerator": "nvidia-tesla-t4"}
    items, g = grp("ng-gpu", "g4dn.xlarge", "4", "16Gi", n=2, labels=accel)
    items[0]["status"]["allocatable"]["nvidia.com/gpu"] = "1"
    items[0]["status"]["capacity"]["nvidia.com/gpu"] = "1"
    items += [pod("infer-old", node_name="ng-gpu-node-1", cpu="1", mem="4Gi", gpu=1)]
    items += pend("infer", 1, "1", "4Gi", gpu=1)
    write(d, items, [g], flags=["--now=2026-11-28T07:05:00Z"])


# ---- audit 2 against cluster-autoscaler's FAQ and drainability rules (ca_*) -------


@scenario
def ca_drain_system_pods_allowed(d):
    drain_case(d, [pod("metrics-server-0", ns="kube-system", node_name="ng-general-node-1",
                       cpu="500m", mem="1Gi")],
               flags=["--skip-nodes-with-system-pods=false"])


@scenario
def ca_drain_system_pod_pdb_other_namespace(d):
    drain_case(d, [pod("metrics-server-0", ns="kube-system", node_name="ng-general-node-1",
                       cpu="500m", mem="1Gi", labels={"app": "metrics-server"})],
               extra=[pdb("metrics-server", {"app": "metrics-server"}, 1, ns="default")])


@scenario
def ca_drain_system_pod_pdb_empty_selector(d):
    everything = pdb("kube-system-all", {}, 1, ns="kube-system")
    everything["spec"]["selector"] = {}
    drain_case(d, [pod("metrics-server-0", ns="kube-system", node_name="ng-general-node-1",
                       cpu="500m", mem="1Gi", labels={"app": "metrics-server"})],
               extra=[everything])


@scenario
def ca_utilization_threshold_flag(d):
    # node-1: 500m of 4000m = 0.125, exactly the threshold
    drain_case(d, [pod("web-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi")],
               flags=["--scale-down-utilization-threshold=0.125"])


@scenario
def ca_gpu_utilization_threshold_flag(d):
    items, g = grp("ng-gpu", "g4dn.12xlarge", "48", "192Gi", n=2, min_size=0,
                   labels={"k8s.amazonaws.com/accelerator": "nvidia-tesla-t4"},
                   taints=[{"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}])
    for nd in items[:2]:
        nd["status"]["allocatable"]["nvidia.com/gpu"] = "4"
        nd["status"]["capacity"]["nvidia.com/gpu"] = "4"
    tol = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    items += [pod("train-0", node_name="ng-gpu-node-1", cpu="40", mem="100Gi", gpu=1,
                  tolerations=tol),
              pod("train-1", node_name="ng-gpu-node-2", cpu="2", mem="8Gi", gpu=3,
                  tolerations=tol)]
    write(d, items, [g], flags=["--scale-down-gpu-utilization-threshold=0.2",
                                "--scale-down-utilization-threshold=0.9"])


def empties(d, flags):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=5, min_size=0)
    items += [pod("busy-5", node_name="ng-general-node-5", cpu="3", mem="4Gi")]
    write(d, items, [g], flags=flags)


@scenario
def ca_max_empty_bulk_delete(d):
    empties(d, ["--max-empty-bulk-delete=3"])


@scenario
def ca_max_empty_bulk_delete_and_parallelism(d):
    empties(d, ["--max-empty-bulk-delete=1", "--max-scale-down-parallelism=2"])


def drain_slots(d, flags):
    """node-1 (slot x) and node-2 (slot y) each hold a web pod that selects its slot; node-3
    (x) and node-4 (y) are busy but have room for one; node-5 is empty."""
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=5, min_size=0)
    for k, slot in ((1, "x"), (2, "y"), (3, "x"), (4, "y"), (5, "x")):
        items[k - 1]["metadata"]["labels"]["slot"] = slot
    items += [pod("busy-3", node_name="ng-general-node-3", cpu="3", mem="4Gi"),
              pod("busy-4", node_name="ng-general-node-4", cpu="3", mem="4Gi"),
              pod("web-1", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                  node_selector={"slot": "x"}),
              pod("web-2", node_name="ng-general-node-2", cpu="500m", mem="1Gi",
                  node_selector={"slot": "y"})]
    write(d, items, [g], flags=flags)


@scenario
def ca_max_drain_parallelism_default(d):
    drain_slots(d, [])


@scenario
def ca_max_drain_parallelism_two(d):
    drain_slots(d, ["--max-drain-parallelism=2"])


@scenario
def ca_pending_reasons(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    gated = pod("gated-0", cpu="2", mem="1Gi")
    gated["status"]["conditions"][0].update(reason="SchedulingGated",
                                            message="Scheduling is blocked due to non-empty "
                                                    "scheduling gates")
    fresh = pod("fresh-0", cpu="2", mem="1Gi")
    fresh["status"] = {"phase": "Pending"}
    other = pod("other-0", cpu="2", mem="1Gi")
    other["status"]["conditions"][0].update(reason="SchedulerError", message="plugin failed")
    items += [gated, fresh, other] + pend("web", 1, "2", "1Gi")
    write(d, items, [g])


@scenario
def ca_expendable_cutoff_flag(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, min_size=0)
    items += [pod("busy-2", node_name="ng-general-node-2", cpu="3500m", mem="4Gi"),
              pod("preemptible-0", node_name="ng-general-node-1", cpu="3", mem="8Gi",
                  priority=0, owner_kind=None)]
    items += pend("low", 1, "2", "1Gi", priority=0)
    items += pend("at-cutoff", 1, "3", "1Gi", priority=1)
    items += pend("unset", 1, "3", "1Gi")
    write(d, items, [g], flags=["--expendable-pods-priority-cutoff=1"])


@scenario
def ca_drain_anti_affinity_no_place(d):
    anti = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
        "labelSelector": {"matchLabels": {"app": "db"}},
        "topologyKey": "kubernetes.io/hostname"}]}}
    drain_case(d, [pod("db-1", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                       labels={"app": "db"}, affinity=anti)],
               extra=[pod("db-0", node_name="ng-general-node-2", cpu="500m", mem="1Gi",
                          labels={"app": "db"}, affinity=anti)])


@scenario
def ca_drain_node_selector_no_place(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=3, min_size=1)
    items[0]["metadata"]["labels"]["disktype"] = "ssd"
    items[1]["metadata"]["labels"]["disktype"] = "ssd"
    items += [pod("busy-2", node_name="ng-general-node-2", cpu="3600m", mem="4Gi"),
              pod("busy-3", node_name="ng-general-node-3", cpu="2500m", mem="4Gi"),
              pod("fast-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                  node_selector={"disktype": "ssd"}),
              pod("plain-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi")]
    write(d, items, [g])


@scenario
def ca_taint_effects_and_exists(d):
    items, g1 = grp("ng-general", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    g2 = zero("ng-batch", ["m5.xlarge"], tag_extra={
        "k8s.io/cluster-autoscaler/node-template/label/workload": "batch",
        "k8s.io/cluster-autoscaler/node-template/taint/dedicated": "batch:NoExecute"})
    sel = {"workload": "batch"}
    items += pend("noschedule-only", 1, "1", "1Gi", node_selector=sel,
                  tolerations=[{"key": "dedicated", "operator": "Equal", "value": "batch",
                                "effect": "NoSchedule"}])
    items += pend("key-exists", 1, "1", "1Gi", node_selector=sel,
                  tolerations=[{"key": "dedicated", "operator": "Exists"}])
    items += pend("all-exists", 1, "1", "1Gi", node_selector=sel,
                  tolerations=[{"operator": "Exists"}])
    items += pend("wrong-value", 1, "1", "1Gi", node_selector=sel,
                  tolerations=[{"key": "dedicated", "operator": "Equal", "value": "web",
                                "effect": "NoExecute"}])
    write(d, items, [g1, g2])


@scenario
def ca_balancing_ignore_label(d):
    items, groups = [], []
    for z, pool in ((A, "blue"), (B, "green")):
        it, g = grp("ng-web-" + z[-1], "m5.xlarge", "4", "16Gi", zone=z, busy_cpu="3500m",
                    labels={"pool": pool})
        items += it
        groups.append(g)
    items += pend("web", 4, "3", "1Gi")
    write(d, items, groups, flags=["--balance-similar-node-groups",
                                   "--balancing-ignore-label=pool"])


@scenario
def ca_balancing_label_differs(d):
    items, groups = [], []
    for z, pool, mx in ((A, "blue", 10), (B, "green", 3)):
        it, g = grp("ng-web-" + z[-1], "m5.xlarge", "4", "16Gi", zone=z, busy_cpu="3500m",
                    labels={"pool": pool}, max_size=mx)
        items += it
        groups.append(g)
    items += pend("web", 4, "3", "1Gi")
    write(d, items, groups, flags=["--balance-similar-node-groups", "--expander=most-pods"])


@scenario
def ca_template_resources_tag(d):
    items, g1 = grp("ng-general", "m5.xlarge", "4", "16Gi", busy_cpu="3500m")
    g2 = zero("ng-fpga", ["m5.xlarge"], tag_extra={
        "k8s.io/cluster-autoscaler/node-template/resources/example.com/fpga": "2"})
    fp = pend("fpga", 3, "1", "1Gi")
    for p in fp:
        p["spec"]["containers"][0]["resources"]["requests"]["example.com/fpga"] = "1"
        p["spec"]["containers"][0]["resources"]["limits"] = {"example.com/fpga": "1"}
    write(d, items + fp, [g1, g2])


@scenario
def ca_bound_pod_not_started(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=1, min_size=1)
    bound = pod("bound-0", node_name="ng-general-node-1", cpu="3", mem="1Gi")
    bound["status"] = {"phase": "Pending"}
    items += [bound] + pend("web", 1, "2", "1Gi")
    write(d, items, [g])


@scenario
def ca_drain_long_terminating(d):
    gone = pod("old-0", node_name="ng-general-node-1", cpu="3", mem="1Gi", owner_kind=None)
    gone["metadata"]["deletionTimestamp"] = "2026-11-28T07:05:00Z"
    gone["metadata"]["deletionGracePeriodSeconds"] = 30
    drain_case(d, [gone])


@scenario
def ca_drain_daemonset_pods_stay(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=3, min_size=1)
    items += [pod("busy-3", node_name="ng-general-node-3", cpu="3", mem="4Gi"),
              daemonset("node-agent", cpu="200m", mem="256Mi")]
    agent = [ds_pod("node-agent", f"ng-general-node-{k}", cpu="200m", mem="256Mi")
             for k in (1, 2, 3)]
    agent[0]["metadata"]["annotations"] = {
        "cluster-autoscaler.kubernetes.io/safe-to-evict": "false"}
    mirror = pod("kube-proxy-ng-general-node-2", ns="kube-system", node_name="ng-general-node-2",
                 cpu="100m", mem="128Mi", owner_kind="Node", owner_name="ng-general-node-2",
                 annotations={"kubernetes.io/config.mirror": "5f2c0e1d",
                              "kubernetes.io/config.source": "file"})
    items += agent + [mirror,
                      pod("web-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi")]
    write(d, items, [g])


@scenario
def ca_drain_safe_to_evict_overrides_local_storage(d):
    drain_case(d, [pod("cache-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                       owner_kind=None,
                       annotations={"cluster-autoscaler.kubernetes.io/safe-to-evict": "true"},
                       volumes=[{"name": "scratch", "emptyDir": {}},
                                {"name": "logs", "hostPath": {"path": "/var/log/cache"}}])])


def unready_case(d, flags):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=3, min_size=1)
    items[0]["status"]["conditions"][0].update(status="False", reason="KubeletNotReady")
    items += [pod("busy-2", node_name="ng-general-node-2", cpu="3500m", mem="4Gi"),
              pod("busy-3", node_name="ng-general-node-3", cpu="3500m", mem="4Gi")]
    write(d, items, [g], flags=flags)


@scenario
def ca_unready_node_removed(d):
    unready_case(d, [])


@scenario
def ca_scale_down_unready_disabled(d):
    unready_case(d, ["--scale-down-unready-enabled=false"])



@scenario
def ca_threshold_zero_daemonset_only(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, min_size=1)
    items += [daemonset("fluent-bit", cpu="1", mem="128Mi"),
              ds_pod("fluent-bit", "ng-general-node-1", cpu="1", mem="128Mi"),
              ds_pod("fluent-bit", "ng-general-node-2", cpu="1", mem="128Mi"),
              pod("web-0", node_name="ng-general-node-2", cpu="100m", mem="128Mi")]
    write(d, items, [g], flags=["--scale-down-utilization-threshold=0",
                                "--ignore-daemonsets-utilization=true"])


@scenario
def ca_drain_terminating_long_grace(d):
    slow = pod("slow-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi", owner_kind=None)
    slow["metadata"]["deletionTimestamp"] = "2026-11-28T07:05:00Z"
    slow["metadata"]["deletionGracePeriodSeconds"] = 315360000
    slow["spec"]["terminationGracePeriodSeconds"] = 315360000  # ten years
    drain_case(d, [slow])


@scenario
def ca_daemonset_pod_annotation(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, min_size=1)
    ann = {"cluster-autoscaler.kubernetes.io/daemonset-pod": "true"}
    items += [pod("busy-2", node_name="ng-general-node-2", cpu="2500m", mem="4Gi"),
              pod("agent-node-1", ns="monitoring", node_name="ng-general-node-1", cpu="300m",
                  mem="256Mi", owner_kind="NodeAgent", owner_name="agent", annotations=ann),
              pod("agent-node-2", ns="monitoring", node_name="ng-general-node-2", cpu="300m",
                  mem="256Mi", owner_kind="NodeAgent", owner_name="agent", annotations=ann),
              pod("agent-node-3", ns="monitoring", cpu="300m", mem="256Mi",
                  owner_kind="NodeAgent", owner_name="agent", annotations=ann,
                  node_selector={"kubernetes.io/hostname": "ng-general-node-3"})]
    write(d, items, [g])


@scenario
def ca_drain_cordoned_destination(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, min_size=1)
    items[1]["spec"]["unschedulable"] = True
    items[1]["spec"]["taints"] = [{"key": "node.kubernetes.io/unschedulable",
                                   "effect": "NoSchedule", "timeAdded": T0_}]
    items += [pod("busy-2", node_name="ng-general-node-2", cpu="2500m", mem="4Gi"),
              pod("web-0", node_name="ng-general-node-1", cpu="500m", mem="1Gi"),
              pod("tolerant-0", node_name="ng-general-node-1", cpu="200m", mem="256Mi",
                  tolerations=[{"key": "node.kubernetes.io/unschedulable", "operator": "Exists",
                                "effect": "NoSchedule"}])]
    write(d, items, [g])


@scenario
def ca_drain_cordoned_tolerated(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, min_size=1)
    items[1]["spec"]["unschedulable"] = True
    items[1]["spec"]["taints"] = [{"key": "node.kubernetes.io/unschedulable",
                                   "effect": "NoSchedule", "timeAdded": T0_}]
    items += [pod("busy-2", node_name="ng-general-node-2", cpu="2500m", mem="4Gi"),
              pod("tolerant-0", node_name="ng-general-node-1", cpu="200m", mem="256Mi",
                  tolerations=[{"key": "node.kubernetes.io/unschedulable", "operator": "Exists",
                                "effect": "NoSchedule"}])]
    write(d, items, [g])


@scenario
def ca_drain_zonal_volume(d):
    items, g = grp("ng-multi", "m5.xlarge", "4", "16Gi", n=3, zones=[A, B], min_size=1)
    # node-1 (a) holds db-0 whose volume lives in zone a; node-2 (b) has room, node-3 (a) not
    items += [pod("busy-2", node_name="ng-multi-node-2", cpu="2500m", mem="4Gi"),
              pod("busy-3", node_name="ng-multi-node-3", cpu="3800m", mem="4Gi"),
              pvc("data-db-0", "pv-db-0"), pv("pv-db-0", A, "data-db-0"),
              pod("db-0", node_name="ng-multi-node-1", cpu="500m", mem="1Gi",
                  owner_kind="StatefulSet", owner_name="db",
                  volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}}])]
    write(d, items, [g])


NEGATIVE_PRIORITIES = """# only priorities below -1: cluster-autoscaler never picks by them
-5:
  - ^ng-cpu$
-10:
  - ^ng-mem$
"""


@scenario
def ca_expander_priority_below_minus_one(d):
    two_shapes(d, pend("cache", 4, "1", "6Gi"), ["--expander=priority,least-waste"],
               priority=NEGATIVE_PRIORITIES)


def rollout_spread(d, match_label_keys):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2, min_size=1)
    c = {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
         "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}
    if match_label_keys:
        c["matchLabelKeys"] = ["pod-template-hash"]
    old = {"app": "web", "pod-template-hash": "6d4cf56db6"}
    new = {"app": "web", "pod-template-hash": "7f9c8b5d4e"}
    items += [pod("busy-2", node_name="ng-general-node-2", cpu="3900m", mem="4Gi"),
              pod("web-6d4cf56db6-a", node_name="ng-general-node-1", cpu="500m", mem="512Mi",
                  labels=old, spread=[c], owner_name="web-6d4cf56db6"),
              pod("web-6d4cf56db6-b", node_name="ng-general-node-1", cpu="500m", mem="512Mi",
                  labels=old, spread=[c], owner_name="web-6d4cf56db6"),
              pod("web-7f9c8b5d4e-a", cpu="500m", mem="512Mi", labels=new, spread=[c],
                  owner_name="web-7f9c8b5d4e")]
    write(d, items, [g])


@scenario
def ca_spread_match_label_keys(d):
    rollout_spread(d, True)


@scenario
def ca_spread_without_match_label_keys(d):
    rollout_spread(d, False)


def min_domains_case(d, min_domains):
    c = {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
         "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}
    if min_domains:
        c["minDomains"] = min_domains
    ia, ga = grp("ng-a", "m5.xlarge", "4", "16Gi", zone=A, busy_cpu="2")
    ib, gb = grp("ng-b", "m5.xlarge", "4", "16Gi", zone=B, busy_cpu="2")
    gc = zero("ng-c", ["m5.xlarge"], zones=(C,))
    items = ia + ib
    items += [pod("web-0", node_name="ng-a-node-1", cpu="500m", mem="512Mi",
                  labels={"app": "web"}, spread=[c]),
              pod("web-1", node_name="ng-b-node-1", cpu="500m", mem="512Mi",
                  labels={"app": "web"}, spread=[c]),
              pod("web-2", cpu="500m", mem="512Mi", labels={"app": "web"}, spread=[c])]
    write(d, items, [ga, gb, gc])


@scenario
def ca_spread_min_domains(d):
    min_domains_case(d, 3)


@scenario
def ca_spread_min_domains_met(d):
    min_domains_case(d, 2)


@scenario
def ca_min_size_empty_first(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=3, min_size=2)
    items[0]["metadata"]["labels"]["slot"] = "x"
    items[2]["metadata"]["labels"]["slot"] = "x"
    static = pod("node-exporter-ng-general-node-2", ns="kube-system",
                 node_name="ng-general-node-2", cpu="400m", mem="256Mi", owner_kind="Node",
                 owner_name="ng-general-node-2",
                 annotations={"kubernetes.io/config.mirror": "9a1b2c3d",
                              "kubernetes.io/config.source": "file"})
    items += [pod("busy-3", node_name="ng-general-node-3", cpu="3", mem="4Gi"),
              pod("web-0", node_name="ng-general-node-1", cpu="50m", mem="64Mi",
                  node_selector={"slot": "x"}),
              static]
    write(d, items, [g])


@scenario
def ca_ignore_daemonsets_tag(d):
    """Two groups alike; only ng-logs says ignoredaemonsetsutilization=true in its tags."""
    items, groups = [], []
    for name, extra in (("ng-logs", {"k8s.io/cluster-autoscaler/node-template/autoscaling-options/"
                                     "ignoredaemonsetsutilization": "true"}),
                        ("ng-plain", None)):
        it, g = grp(name, "m5.xlarge", "4", "16Gi", n=2, min_size=1, tag_extra=extra)
        items += it
        groups.append(g)
        items += [ds_pod("fluent-bit", f"{name}-node-{k}", cpu="1", mem="128Mi") for k in (1, 2)]
        items += [pod(f"web-{name}", node_name=f"{name}-node-1", cpu="1200m", mem="1Gi"),
                  pod(f"busy-{name}", node_name=f"{name}-node-2", cpu="2", mem="4Gi")]
    items += [daemonset("fluent-bit", cpu="1", mem="128Mi")]
    write(d, items, groups)


@scenario
def ca_pdb_budget_across_nodes(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=3, min_size=0)
    items += [pod("busy-3", node_name="ng-general-node-3", cpu="3800m", mem="4Gi"),
              pod("api-0", node_name="ng-general-node-1", cpu="300m", mem="512Mi",
                  labels={"app": "api"}),
              pod("api-1", node_name="ng-general-node-2", cpu="500m", mem="512Mi",
                  labels={"app": "api"}),
              pdb("api", {"app": "api"}, 1)]
    write(d, items, [g])


@scenario
def ca_empty_candidates_first(d):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=3, min_size=0)
    static = pod("node-exporter-ng-general-node-2", ns="kube-system",
                 node_name="ng-general-node-2", cpu="400m", mem="256Mi", owner_kind="Node",
                 owner_name="ng-general-node-2",
                 annotations={"kubernetes.io/config.mirror": "9a1b2c3d",
                              "kubernetes.io/config.source": "file"})
    items += [pod("busy-3", node_name="ng-general-node-3", cpu="3", mem="4Gi"),
              pod("web-0", node_name="ng-general-node-1", cpu="50m", mem="64Mi"), static]
    write(d, items, [g])


def anti_noisy_case(d, ns_selector):
    items, g = grp("ng-general", "m5.xlarge", "4", "16Gi", n=2)
    term = {"labelSelector": {"matchLabels": {"app": "noisy"}},
            "topologyKey": "kubernetes.io/hostname"}
    if ns_selector is not None:
        term["namespaceSelector"] = ns_selector
    items += [pod("busy-2", node_name="ng-general-node-2", cpu="3500m", mem="4Gi"),
              pod("noisy-0", ns="batch", node_name="ng-general-node-1", cpu="500m", mem="1Gi",
                  labels={"app": "noisy"}),
              namespace("default"), namespace("batch", {"team": "batch"})]
    items += pend("api", 1, "1", "1Gi", labels={"app": "api"}, affinity={"podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [term]}})
    write(d, items, [g])


@scenario
def ca_anti_affinity_all_namespaces(d):
    anti_noisy_case(d, {})


@scenario
def ca_anti_affinity_own_namespace(d):
    anti_noisy_case(d, None)


def taints_policy_case(d, policy):
    c = {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
         "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}
    if policy:
        c["nodeTaintsPolicy"] = policy
    ia, ga = grp("ng-a", "m5.xlarge", "4", "16Gi", zone=A, busy_cpu="2", max_size=1)
    ib, gb = grp("ng-b", "m5.xlarge", "4", "16Gi", zone=B, busy_cpu="2", max_size=1)
    ic, gc = grp("ng-c", "m5.xlarge", "4", "16Gi", zone=C, busy_cpu="2", max_size=1,
                 taints=[{"key": "dedicated", "value": "x", "effect": "NoSchedule"}])
    items = ia + ib + ic
    items += [pod("web-0", node_name="ng-a-node-1", cpu="500m", mem="512Mi",
                  labels={"app": "web"}, spread=[c]),
              pod("web-1", node_name="ng-b-node-1", cpu="500m", mem="512Mi",
                  labels={"app": "web"}, spread=[c]),
              pod("web-2", cpu="500m", mem="512Mi", labels={"app": "web"}, spread=[c])]
    write(d, items, [ga, gb, gc])


@scenario
def ca_spread_node_taints_ignore(d):
    taints_policy_case(d, None)


@scenario
def ca_spread_node_taints_honor(d):
    taints_policy_case(d, "Honor")

def main():
    only = set(sys.argv[1:])
    for name, fn in sorted(SCEN.items()):
        if only and name not in only:
            continue
        fn(os.path.join(HERE, name))


if __name__ == "__main__":
    main()
