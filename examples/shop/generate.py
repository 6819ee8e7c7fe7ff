#!/usr/bin/env python3
"""Writes the bundled example of `hoist simulate` (README command 1): a small
EKS cluster "shop-prod" in us-east-1 as `kubectl get nodes,pods,
poddisruptionbudgets,daemonsets,pvc,pv -A -o json` and `aws autoscaling
describe-auto-scaling-groups --output json` would print it.

Three groups, discovered by their k8s.io/cluster-autoscaler tags:
  ng-ondemand-m5  m5.xlarge on-demand, three zones, 4 nodes (min 2, max 10)
  ng-spot-mixed   spot, mixed instances m5.2xlarge / m5a.2xlarge / m6i.2xlarge,
                  three zones, 2 nodes (min 0, max 20)
  ng-gpu          g4dn.xlarge in us-east-1a, scaled to zero (min 0, max 4), with
                  a GPU taint and label in its node-template tags
Node allocatable is what the EKS AMI reports (kube-reserved, eviction threshold,
ENI max pods). A nightly report Job waits for capacity (scale-up), a GPU
inference pod waits for the GPU group, and one on-demand node has been
drained by a rollout (scale-down once the scale-up settles).
Run it again to regenerate; the output is deterministic.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
T = "2026-11-27T06:12:40Z"
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
SUBNET = {"us-east-1a": "subnet-0a1b2c3d4e5f60718", "us-east-1b": "subnet-0b2c3d4e5f6071829",
          "us-east-1c": "subnet-0c3d4e5f607182930"}
SHAPES = {  # capacity and EKS allocatable as the kubelet reports them
    "m5.xlarge": ({"cpu": "4", "memory": "15896100Ki", "pods": "58"},
                  {"cpu": "3920m", "memory": "14879268Ki", "pods": "58"}),
    "m5.2xlarge": ({"cpu": "8", "memory": "32129028Ki", "pods": "58"},
                   {"cpu": "7910m", "memory": "31112196Ki", "pods": "58"}),
    "m5a.2xlarge": ({"cpu": "8", "memory": "32129028Ki", "pods": "58"},
                    {"cpu": "7910m", "memory": "31112196Ki", "pods": "58"}),
}
items = []


def node(name, iid, zone, itype, group, spot=False):
    cap, alloc = SHAPES[itype]
    cap = dict(cap, **{"ephemeral-storage": "20959212Ki", "hugepages-1Gi": "0",
                       "hugepages-2Mi": "0"})
    alloc = dict(alloc, **{"ephemeral-storage": "18242267924", "hugepages-1Gi": "0",
                           "hugepages-2Mi": "0"})
    labels = {
        "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64", "kubernetes.io/os": "linux",
        "kubernetes.io/hostname": name, "node.kubernetes.io/instance-type": itype,
        "topology.kubernetes.io/region": "us-east-1", "topology.kubernetes.io/zone": zone,
        "topology.ebs.csi.aws.com/zone": zone, "topology.k8s.aws/zone-id": "use1-az" + zone[-1],
        "eks.amazonaws.com/capacityType": "SPOT" if spot else "ON_DEMAND",
        "node-group": group,
    }
    items.append({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "uid": "6f1c" + iid[-8:] + "-0000-4000-8000-000000000000",
                     "creationTimestamp": T, "labels": labels,
                     "annotations": {"alpha.kubernetes.io/provided-node-ip": name[3:].split(".")[0].replace("-", "."),
                                     "node.alpha.kubernetes.io/ttl": "0",
                                     "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
        "spec": {"providerID": f"aws:///{zone}/{iid}"},
        "status": {"capacity": cap, "allocatable": alloc,
                   "conditions": [{"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory"},
                                  {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure"},
                                  {"type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID"},
                                  {"type": "Ready", "status": "True", "reason": "KubeletReady",
                                   "lastTransitionTime": T}],
                   "nodeInfo": {"kubeletVersion": "v1.31.2-eks-94953ac", "osImage": "Amazon Linux 2023.6.20241111",
                                "containerRuntimeVersion": "containerd://1.7.23", "architecture": "amd64"}},
    })


def pod(name, ns, node_name, cpu, mem, owner_kind, owner, labels, pending=False, extra_spec=None,
        limits=None):
    c = {"name": labels.get("app", name), "image": f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{labels.get('app', name)}:2026.11.3",
         "resources": {"requests": {"cpu": cpu, "memory": mem}}}
    if limits:
        c["resources"]["limits"] = limits
    spec = {"containers": [c], "schedulerName": "default-scheduler", "priority": 0,
            "serviceAccountName": "default", "terminationGracePeriodSeconds": 30,
            "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]}
    spec.update(extra_spec or {})
    if node_name:
        spec["nodeName"] = node_name
        status = {"phase": "Running", "conditions": [{"type": "PodScheduled", "status": "True"},
                                                     {"type": "Ready", "status": "True"}]}
    else:
        status = {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                                      "message": "0/6 nodes are available: 6 Insufficient cpu. preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod."}]}
    items.append({"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"name": name, "namespace": ns, "uid": "a0" + str(len(items)).zfill(6) + "-1111-4222-8333-444455556666",
                               "creationTimestamp": T, "labels": labels,
                               "ownerReferences": [{"apiVersion": "batch/v1" if owner_kind == "Job" else "apps/v1",
                                                    "kind": owner_kind, "name": owner, "uid": "b0" + owner[-6:].rjust(6, "0") + "-0000-4000-8000-000000000000",
                                                    "controller": True, "blockOwnerDeletion": True}]},
                  "spec": spec, "status": status})


def daemonset(name, cpu, mem, tolerate_all=False):
    spec = {"containers": [{"name": name, "image": "602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/" + name + ":v1.19.0",
                            "resources": {"requests": {"cpu": cpu, "memory": mem}}}],
            "priorityClassName": "system-node-critical", "priority": 2000001000}
    if tolerate_all:
        spec["tolerations"] = [{"operator": "Exists"}]
    items.append({"apiVersion": "apps/v1", "kind": "DaemonSet",
                  "metadata": {"name": name, "namespace": "kube-system", "uid": "d5" + name[:4].ljust(6, "0") + "-0000-4000-8000-000000000000",
                               "creationTimestamp": T, "labels": {"k8s-app": name}},
                  "spec": {"selector": {"matchLabels": {"k8s-app": name}},
                           "template": {"metadata": {"labels": {"k8s-app": name}}, "spec": spec}}})


# --- nodes and their instances ---
ondemand = [("ip-10-0-1-23.ec2.internal", "i-0a1f3c5e7b9d02468", "us-east-1a"),
            ("ip-10-0-2-57.ec2.internal", "i-0b2e4d6f8a0c13579", "us-east-1b"),
            ("ip-10-0-3-91.ec2.internal", "i-0c3d5f7a9b1e24680", "us-east-1c"),
            ("ip-10-0-1-142.ec2.internal", "i-0d4c6e8a0b2f35791", "us-east-1a")]
spot = [("ip-10-0-2-210.ec2.internal", "i-0e5b7d9f1a3c46802", "us-east-1b", "m5.2xlarge"),
        ("ip-10-0-3-18.ec2.internal", "i-0f6a8c0e2b4d57913", "us-east-1c", "m5a.2xlarge")]
for n, i, z in ondemand:
    node(n, i, z, "m5.xlarge", "ondemand")
for n, i, z, t in spot:
    node(n, i, z, t, "spot", spot=True)

# --- DaemonSets and their pods on every node ---
DS = [("aws-node", "25m", "64Mi"), ("kube-proxy", "100m", "64Mi"), ("ebs-csi-node", "30m", "120Mi")]
for name, cpu, mem in DS:
    daemonset(name, cpu, mem, tolerate_all=True)
    for n, *_ in ondemand + spot:
        pod(f"{name}-{n[3:].split('.')[0].replace('-', '')[-5:]}", "kube-system", n, cpu, mem, "DaemonSet", name,
            {"k8s-app": name})

# --- workloads ---
def deploy(app, ns, rs, cpu, mem, placements, labels=None):
    for k, n in enumerate(placements):
        pod(f"{app}-{rs}-{'x7k2p q9w4m z3n8d r5t1v b6y2c h8j4f'.split()[k]}", ns, n, cpu, mem, "ReplicaSet",
            f"{app}-{rs}", dict({"app": app, "pod-template-hash": rs}, **(labels or {})))

od = [n for n, *_ in ondemand]
sp = [n for n, *_ in spot]
deploy("coredns", "kube-system", "5b9dfbf96", "100m", "70Mi", [od[0], od[1]], {"k8s-app": "kube-dns"})
deploy("frontend", "shop", "7d4b9c6f5", "1", "1536Mi", [od[0], od[1], od[2], od[0], od[1], od[2]])
deploy("cart", "shop", "6c8f7d5b4", "500m", "1Gi", [od[2], sp[0], sp[1]])
deploy("checkout", "shop", "58c9d7f6b", "2", "3Gi", [sp[0], sp[1]])
deploy("search", "shop", "6f7a8b9c0", "3", "6Gi", [sp[0], sp[1]])
# ip-10-0-1-142 only runs one small pod since a rollout moved the rest away
deploy("recommender", "shop", "9a8b7c6d5", "250m", "512Mi", [od[3]])
items.append({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
              "metadata": {"name": "coredns", "namespace": "kube-system", "uid": "c0dede55-0000-4000-8000-000000000000"},
              "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"k8s-app": "kube-dns"}}},
              "status": {"currentHealthy": 2, "desiredHealthy": 1, "disruptionsAllowed": 1, "expectedPods": 2}})
items.append({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
              "metadata": {"name": "frontend", "namespace": "shop", "uid": "f00dfeed-0000-4000-8000-000000000000"},
              "spec": {"minAvailable": "80%", "selector": {"matchLabels": {"app": "frontend"}}},
              "status": {"currentHealthy": 6, "desiredHealthy": 5, "disruptionsAllowed": 1, "expectedPods": 6}})

# --- what waits for a node ---
for k in range(4):
    pod(f"nightly-report-29406720-{'abcd'[k]}x{k}q", "analytics", None, "3600m", "6Gi", "Job",
        "nightly-report-29406720", {"app": "nightly-report", "batch.kubernetes.io/job-name": "nightly-report-29406720"})
pod("image-tagger-6d5c4b3a2-w8e7r", "ml", None, "2", "8Gi", "ReplicaSet", "image-tagger-6d5c4b3a2",
    {"app": "image-tagger"}, limits={"nvidia.com/gpu": "1"},
    extra_spec={"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                "nodeSelector": {"k8s.amazonaws.com/accelerator": "nvidia-tesla-t4"}})
items[-1]["spec"]["containers"][0]["resources"]["requests"]["nvidia.com/gpu"] = "1"

with open(os.path.join(HERE, "cluster.json"), "w") as f:
    json.dump({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}, f, indent=4)
    f.write("\n")


# --- Auto Scaling groups ---
def tags(name, extra=()):
    t = [("eks:cluster-name", "shop-prod"), ("eks:nodegroup-name", name),
         ("k8s.io/cluster-autoscaler/enabled", "true"), ("k8s.io/cluster-autoscaler/shop-prod", "owned"),
         ("kubernetes.io/cluster/shop-prod", "owned")] + list(extra)
    return [{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": k, "Value": v,
             "PropagateAtLaunch": True} for k, v in sorted(t)]


def group(name, lt, mn, mx, zones, instances, extra_tags=(), mixed=None):
    g = {"AutoScalingGroupName": name,
         "AutoScalingGroupARN": f"arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:{lt[0][3:11]}-5c1e-4d2f-9a3b-7e6f5d4c3b2a:autoScalingGroupName/{name}",
         "MinSize": mn, "MaxSize": mx, "DesiredCapacity": len(instances), "DefaultCooldown": 300,
         "AvailabilityZones": zones, "LoadBalancerNames": [], "TargetGroupARNs": [],
         "HealthCheckType": "EC2", "HealthCheckGracePeriod": 15,
         "Instances": [{"InstanceId": i, "InstanceType": t, "AvailabilityZone": z, "LifecycleState": "InService",
                        "HealthStatus": "Healthy", "LaunchTemplate": {"LaunchTemplateId": lt[0], "LaunchTemplateName": lt[1], "Version": "3"},
                        "ProtectedFromScaleIn": False} for i, z, t in instances],
         "CreatedTime": "2026-03-02T14:21:07.512Z", "SuspendedProcesses": [],
         "VPCZoneIdentifier": ",".join(SUBNET[z] for z in zones), "EnabledMetrics": [],
         "Tags": tags(name, extra_tags), "TerminationPolicies": ["AllocationStrategy", "OldestLaunchTemplate", "OldestInstance"],
         "NewInstancesProtectedFromScaleIn": False,
         "ServiceLinkedRoleARN": "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
         "CapacityRebalance": mixed is not None, "TrafficSources": []}
    spec = {"LaunchTemplateId": lt[0], "LaunchTemplateName": lt[1], "Version": "3"}
    if mixed:
        g["MixedInstancesPolicy"] = {
            "LaunchTemplate": {"LaunchTemplateSpecification": spec, "Overrides": [{"InstanceType": t} for t in mixed]},
            "InstancesDistribution": {"OnDemandAllocationStrategy": "prioritized", "OnDemandBaseCapacity": 0,
                                      "OnDemandPercentageAboveBaseCapacity": 0, "SpotAllocationStrategy": "price-capacity-optimized"}}
    else:
        g["LaunchTemplate"] = spec
    return g


asgs = [
    group("ng-ondemand-m5", ("lt-0a7c3e9f1b5d2a4c6", "ng-ondemand-m5"), 2, 10, ZONES,
          [(i, z, "m5.xlarge") for _, i, z in ondemand]),
    group("ng-spot-mixed", ("lt-0b8d4f0a2c6e3b5d7", "ng-spot-mixed"), 0, 20, ZONES,
          [(i, z, t) for _, i, z, t in spot], mixed=["m5.2xlarge", "m5a.2xlarge", "m6i.2xlarge"]),
    group("ng-gpu", ("lt-0c9e5a1b3d7f4c6e8", "ng-gpu"), 0, 4, ["us-east-1a"], [],
          extra_tags=[("k8s.io/cluster-autoscaler/node-template/label/k8s.amazonaws.com/accelerator", "nvidia-tesla-t4"),
                      ("k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu", "present:NoSchedule")],
          mixed=["g4dn.xlarge"]),
]
with open(os.path.join(HERE, "asgs.json"), "w") as f:
    json.dump({"AutoScalingGroups": asgs}, f, indent=4)
    f.write("\n")
