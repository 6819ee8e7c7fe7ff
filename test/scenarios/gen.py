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
from fixtures import (asg, daemonset, ds_pod, lt_versions, node, pdb, pod, pv, pvc,  # noqa: E402
                      write)

HERE = os.path.dirname(os.path.abspath(__file__))
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


def main():
    only = set(sys.argv[1:])
    for name, fn in sorted(SCEN.items()):
        if only and name not in only:
            continue
        fn(os.path.join(HERE, name))


if __name__ == "__main__":
    main()
