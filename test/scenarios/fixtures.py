"""Builders for scenario inputs: Kubernetes objects shaped as `kubectl get
... -o json` prints them and Auto Scaling groups shaped as `aws autoscaling
describe-auto-scaling-groups --output json` prints them.

Only inputs are generated here (gen.py calls these). Every expected.json is
written by hand from the arithmetic in its `_why`; nothing here ever reads
hoist's output.
"""
import json
import os
import zlib

CLUSTER = "demo"
T0 = "2026-11-28T07:00:00Z"  # creation time of everything (old: every timer has run)


def node(name, group_instance, zone, itype, cpu="4", mem="16Gi", pods="58", labels=None,
         taints=None, ready=True, annotations=None, unschedulable=False, gpu=0, extra=None):
    lab = {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/os": "linux",
        "kubernetes.io/hostname": name,
        "node.kubernetes.io/instance-type": itype,
        "topology.kubernetes.io/region": zone[:-1],
        "topology.kubernetes.io/zone": zone,
        "topology.ebs.csi.aws.com/zone": zone,
    }
    lab.update(labels or {})
    alloc = {"cpu": cpu, "memory": mem, "pods": pods, "ephemeral-storage": "18242267924"}
    if gpu:
        alloc["nvidia.com/gpu"] = str(gpu)
    alloc.update(extra or {})
    n = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": lab, "creationTimestamp": T0,
                     "annotations": annotations or {}, "uid": "uid-" + name},
        "spec": {"providerID": f"aws:///{zone}/{group_instance}"},
        "status": {
            "capacity": dict(alloc),
            "allocatable": dict(alloc),
            "conditions": [{"type": "Ready", "status": "True" if ready else "False",
                            "reason": "KubeletReady" if ready else "KubeletNotReady",
                            "lastTransitionTime": T0}],
        },
    }
    if taints:
        n["spec"]["taints"] = taints
    if unschedulable:
        n["spec"]["unschedulable"] = True
    return n


def owner(kind, name):
    return [{"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": "uid-" + name,
             "controller": True, "blockOwnerDeletion": True}]


def pod(name, ns="default", node_name=None, cpu="100m", mem="128Mi", owner_kind="ReplicaSet",
        owner_name=None, labels=None, annotations=None, node_selector=None, affinity=None,
        tolerations=None, volumes=None, priority=None, gpu=0, pending=None, spread=None,
        phase=None):
    """A pod bound to node_name (Running), or pending (Unschedulable) when node_name is None."""
    req = {"cpu": cpu, "memory": mem}
    if gpu:
        req["nvidia.com/gpu"] = str(gpu)
    lim = {"nvidia.com/gpu": str(gpu)} if gpu else {}
    c = {"name": "app", "image": "registry.example/app:1.0", "resources": {"requests": req}}
    if lim:
        c["resources"]["limits"] = lim
    spec = {"containers": [c], "schedulerName": "default-scheduler",
            "terminationGracePeriodSeconds": 30}
    meta = {"name": name, "namespace": ns, "labels": labels or {"app": name.rsplit("-", 1)[0]},
            "creationTimestamp": T0, "uid": "uid-" + ns + "-" + name}
    if annotations:
        meta["annotations"] = annotations
    if owner_kind:
        meta["ownerReferences"] = owner(owner_kind, owner_name or (name.rsplit("-", 1)[0] + "-5d8f"))
    if node_selector:
        spec["nodeSelector"] = node_selector
    if affinity:
        spec["affinity"] = affinity
    if tolerations:
        spec["tolerations"] = tolerations
    if volumes:
        spec["volumes"] = volumes
    if priority is not None:
        spec["priority"] = priority
    if spread:
        spec["topologySpreadConstraints"] = spread
    if node_name:
        spec["nodeName"] = node_name
        status = {"phase": phase or "Running",
                  "conditions": [{"type": "PodScheduled", "status": "True"}]}
    else:
        status = {"phase": "Pending",
                  "conditions": [{"type": "PodScheduled", "status": "False",
                                  "reason": "Unschedulable",
                                  "message": "0/3 nodes are available"}]}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def daemonset(name, cpu="100m", mem="128Mi", ns="kube-system", tolerations=None,
              node_selector=None):
    spec = {"containers": [{"name": name, "image": "registry.example/" + name + ":1",
                            "resources": {"requests": {"cpu": cpu, "memory": mem}}}]}
    if tolerations:
        spec["tolerations"] = tolerations
    if node_selector:
        spec["nodeSelector"] = node_selector
    return {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": ns, "uid": "uid-ds-" + name,
                     "creationTimestamp": T0, "labels": {"app": name}},
        "spec": {"selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}}, "spec": spec}},
    }


def ds_pod(dsname, node_name, cpu="100m", mem="128Mi", ns="kube-system"):
    p = pod(dsname + "-" + node_name[-5:], ns=ns, node_name=node_name, cpu=cpu, mem=mem,
            owner_kind="DaemonSet", owner_name=dsname, labels={"app": dsname})
    return p


def pdb(name, selector, allowed, ns="default", min_available=None):
    spec = {"selector": {"matchLabels": selector}}
    if min_available is not None:
        spec["minAvailable"] = min_available
    else:
        spec["maxUnavailable"] = 1
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": name, "namespace": ns, "uid": "uid-pdb-" + name},
            "spec": spec,
            "status": {"disruptionsAllowed": allowed, "currentHealthy": 2, "desiredHealthy": 1,
                       "expectedPods": 2, "observedGeneration": 1}}


def pvc(name, pv, ns="default"):
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": name, "namespace": ns, "uid": "uid-pvc-" + name},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "gp3",
                     "volumeName": pv, "resources": {"requests": {"storage": "10Gi"}}},
            "status": {"phase": "Bound"}}


def pv(name, zone, claim, ns="default"):
    return {"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": name, "uid": "uid-pv-" + name,
                         "labels": {"topology.kubernetes.io/zone": zone}},
            "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"],
                     "storageClassName": "gp3",
                     "claimRef": {"namespace": ns, "name": claim},
                     "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-" + name},
                     "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                         {"key": "topology.ebs.csi.aws.com/zone", "operator": "In",
                          "values": [zone]}]}]}}},
            "status": {"phase": "Bound"}}


def tags(name, extra=None, discover=True):
    t = []
    if discover:
        t += [("k8s.io/cluster-autoscaler/enabled", "true"),
              (f"k8s.io/cluster-autoscaler/{CLUSTER}", "owned")]
    t += [("eks:cluster-name", CLUSTER), ("Name", name)]
    t += list((extra or {}).items())
    return [{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": k, "Value": v,
             "PropagateAtLaunch": True} for k, v in t]


def asg(name, min_size, max_size, desired, zones, instances=(), itype="m5.xlarge",
        overrides=None, tag_extra=None, discover=True, spot=False):
    """instances: list of (instance id, zone) or (id, zone, type)."""
    g = {
        "AutoScalingGroupName": name,
        "AutoScalingGroupARN": f"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:"
                               f"00000000-0000-0000-0000-000000000000:autoScalingGroupName/{name}",
        "MinSize": min_size, "MaxSize": max_size, "DesiredCapacity": desired,
        "DefaultCooldown": 300, "AvailabilityZones": list(zones),
        "HealthCheckType": "EC2", "HealthCheckGracePeriod": 300,
        "CreatedTime": "2026-01-05T10:00:00.000Z",
        "VPCZoneIdentifier": ",".join("subnet-0" + z[-1] * 8 for z in zones),
        "Instances": [],
        "Tags": tags(name, tag_extra, discover),
        "TerminationPolicies": ["Default"], "NewInstancesProtectedFromScaleIn": False,
        "ServiceLinkedRoleARN": "arn:aws:iam::123456789012:role/aws-service-role/"
                                "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
    }
    lt = {"LaunchTemplateId": "lt-0" + "%015x" % zlib.crc32(name.encode()),
          "LaunchTemplateName": name + "-lt", "Version": "$Latest"}
    if overrides:
        g["MixedInstancesPolicy"] = {
            "LaunchTemplate": {"LaunchTemplateSpecification": lt,
                               "Overrides": [{"InstanceType": t} for t in overrides]},
            "InstancesDistribution": {
                "OnDemandAllocationStrategy": "prioritized",
                "OnDemandBaseCapacity": 0,
                "OnDemandPercentageAboveBaseCapacity": 0 if spot else 100,
                "SpotAllocationStrategy": "price-capacity-optimized"},
        }
    else:
        g["LaunchTemplate"] = lt
    for inst in instances:
        iid, zone = inst[0], inst[1]
        t = inst[2] if len(inst) > 2 else (overrides[0] if overrides else itype)
        g["Instances"].append({"InstanceId": iid, "InstanceType": t, "AvailabilityZone": zone,
                               "LifecycleState": "InService", "HealthStatus": "Healthy",
                               "LaunchTemplate": lt, "ProtectedFromScaleIn": False})
    return g


def lt_versions(items):
    """items: list of (asg name, instance type) for the LaunchTemplate of each asg."""
    out = []
    for name, itype in items:
        out.append({"LaunchTemplateId": "lt-0" + "%015x" % zlib.crc32(name.encode()),
                    "LaunchTemplateName": name + "-lt", "VersionNumber": 1,
                    "DefaultVersion": True, "CreateTime": "2026-01-05T09:00:00.000Z",
                    "LaunchTemplateData": {"ImageId": "ami-0123456789abcdef0",
                                           "InstanceType": itype}})
    return {"LaunchTemplateVersions": out}


def write(d, items, asgs, flags=None, priority=None, lts=None, types=None):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "cluster.json"), "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
                   "items": items}, f, indent=1)
        f.write("\n")
    with open(os.path.join(d, "asgs.json"), "w") as f:
        json.dump({"AutoScalingGroups": asgs}, f, indent=1)
        f.write("\n")
    fl = os.path.join(d, "flags")
    lines = [f"--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,"
             f"k8s.io/cluster-autoscaler/{CLUSTER}"] + list(flags or [])
    with open(fl, "w") as f:
        f.write("# generated by gen.py\n" + "\n".join(lines) + "\n")
    for name, content in (("priority.txt", priority), ("lt.json", lts), ("types.json", types)):
        p = os.path.join(d, name)
        if content is None:
            if os.path.exists(p):
                os.remove(p)
            continue
        with open(p, "w") as f:
            if isinstance(content, str):
                f.write(content)
            else:
                json.dump(content, f, indent=1)
                f.write("\n")


def workload(kind, name, replicas=1, ns="default", api="apps/v1"):
    """A ReplicaSet, StatefulSet or ReplicationController (api v1) as kubectl prints it."""
    return {"apiVersion": api, "kind": kind,
            "metadata": {"name": name, "namespace": ns, "uid": "uid-" + name,
                         "creationTimestamp": T0},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "app",
                                                           "image": "registry.example/app:1"}]}}},
            "status": {"replicas": replicas, "readyReplicas": replicas}}


def job(name, ns="default"):
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": ns, "uid": "uid-" + name,
                         "creationTimestamp": T0},
            "spec": {"parallelism": 1, "completions": 1,
                     "template": {"spec": {"restartPolicy": "Never",
                                           "containers": [{"name": "job",
                                                           "image": "registry.example/job:1"}]}}},
            "status": {"active": 1}}


def namespace(name, labels=None):
    lab = {"kubernetes.io/metadata.name": name}
    lab.update(labels or {})
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "uid": "uid-ns-" + name, "labels": lab,
                         "creationTimestamp": T0},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
