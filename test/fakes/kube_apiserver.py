#!/usr/bin/env python3
"""A fake Kubernetes API server for hoist's tests.

This file stands in for kube-apiserver in tests: it serves discovery, the
core/apps/batch/policy/coordination/storage/events/rbac resources hoist and
kubectl touch, list with pagination and selectors, watch with bookmarks and 410 after a
simulated compaction, create/update/patch/delete with optimistic concurrency,
the pod eviction subresource with PodDisruptionBudget accounting, bearer-token
and client-certificate authentication over HTTPS, RBAC from a file, and fault
knobs (5xx, 429 with Retry-After, delays, dropped watches, compaction) set
through an admin endpoint under /_fake/. Its own tests drive it with the real
kubectl, so its behaviour is checked by a real client, not only by hoist.

It must never be used outside tests, never listen on anything but loopback by
default, never need anything beyond the Python 3 standard library and the
`openssl` command, and never pretend to be complete: what it does not
implement it answers with an API-server-shaped error rather than a guess.

Start it from a test with:
  python3 kube_apiserver.py --port 0 --certdir DIR --token TOKEN \
      [--rbac rbac.json] [--seed seed.json] --write-kubeconfig PATH
It prints the chosen port on stdout (one line) once it accepts connections.
Certificates (ca.crt, server.crt/key) are made in DIR with the openssl CLI
unless present; make_client_cert() issues client certs (CN=user, O=group).

Admin endpoints (no authentication, no RBAC, no faults; JSON in and out):
  POST   /_fake/objects        apply a List/array/object as is (status kept,
                               namespaces made as needed); watch events fire
  POST   /_fake/delete         remove objects [{apiVersion, kind, metadata}]
  GET    /_fake/state          every stored object and the current RV
                               (?resource=pods for one resource)
  POST   /_fake/faults         replace the fault config (see Faults); DELETE clears
  POST   /_fake/compact        {"resourceVersion": optional}: older RVs get 410
  POST   /_fake/watches/drop   cut every open watch now
  POST   /_fake/tokens         {"add": [{token, user, groups}], "remove": [token]}
  POST   /_fake/settings       {"podDeletionDelaySeconds", "bookmarkIntervalSeconds"}
  GET    /_fake/requests       recent requests (method, path, query, verb, user,
                               code, content type); DELETE clears

Known gaps: no server-side apply, no garbage collection of dependents, no
controllers (nothing creates pods for a ReplicaSet), core/v1 and
events.k8s.io/v1 Events are stored separately, protobuf request bodies only
for the kinds in PB_SCHEMAS (JSON always works), strategic merge patch knows
list merge keys by field name only.
"""

import argparse
import base64
import bisect
import collections
import csv
import datetime
import json
import math
import os
import random
import re
import select
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# ---------------------------------------------------------------------------
# Resource registry
# ---------------------------------------------------------------------------

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch",
             "update", "watch"]
STATUS_VERBS = ["get", "patch", "update"]


class ResourceType:
    """One REST resource: where it lives, what it is called, how it behaves."""

    def __init__(self, group, version, plural, kind, namespaced, short=(),
                 categories=(), status=False, generation=False,
                 verbs=ALL_VERBS, extra_subs=(), singular=None, virtual=False):
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
        self.short = list(short)
        self.categories = list(categories)
        self.status = status
        self.generation = generation
        self.verbs = list(verbs)
        self.singular = singular or kind.lower()
        self.virtual = virtual  # create-only review kinds, never stored
        self.subs = []  # (name, kind, group, version, verbs)
        if status:
            self.subs.append(("status", kind, group, version, STATUS_VERBS))
        self.subs.extend(extra_subs)

    @property
    def key(self):
        return self.group + "/" + self.plural

    @property
    def api_version(self):
        return self.version if not self.group else self.group + "/" + self.version

    @property
    def qualified(self):
        return self.plural if not self.group else self.plural + "." + self.group


SCALE = ("scale", "Scale", "autoscaling", "v1", STATUS_VERBS)


def _registry():
    R = ResourceType
    return [
        R("", "v1", "pods", "Pod", True, ["po"], ["all"], status=True,
          extra_subs=[("eviction", "Eviction", "policy", "v1", ["create"]),
                      ("binding", "Binding", "", "v1", ["create"])]),
        R("", "v1", "nodes", "Node", False, ["no"], status=True),
        R("", "v1", "namespaces", "Namespace", False, ["ns"], status=True,
          verbs=["create", "delete", "get", "list", "patch", "update", "watch"]),
        R("", "v1", "configmaps", "ConfigMap", True, ["cm"]),
        R("", "v1", "events", "Event", True, ["ev"]),
        R("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True, ["pvc"], status=True),
        R("", "v1", "persistentvolumes", "PersistentVolume", False, ["pv"], status=True),
        R("", "v1", "replicationcontrollers", "ReplicationController", True, ["rc"], ["all"],
          status=True, generation=True, extra_subs=[SCALE]),
        R("apps", "v1", "daemonsets", "DaemonSet", True, ["ds"], ["all"], status=True, generation=True),
        R("apps", "v1", "replicasets", "ReplicaSet", True, ["rs"], ["all"], status=True, generation=True,
          extra_subs=[SCALE]),
        R("apps", "v1", "statefulsets", "StatefulSet", True, ["sts"], ["all"], status=True, generation=True,
          extra_subs=[SCALE]),
        R("apps", "v1", "deployments", "Deployment", True, ["deploy"], ["all"], status=True, generation=True,
          extra_subs=[SCALE]),
        R("batch", "v1", "jobs", "Job", True, [], ["all"], status=True, generation=True),
        R("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True, ["pdb"],
          status=True, generation=True),
        R("coordination.k8s.io", "v1", "leases", "Lease", True),
        R("storage.k8s.io", "v1", "storageclasses", "StorageClass", False, ["sc"]),
        R("events.k8s.io", "v1", "events", "Event", True, ["ev"]),
        R("rbac.authorization.k8s.io", "v1", "roles", "Role", True),
        R("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", True),
        R("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False),
        R("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False),
        R("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview",
          False, verbs=["create"], virtual=True),
        R("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview",
          False, verbs=["create"], virtual=True),
        R("authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview",
          False, verbs=["create"], virtual=True),
        R("authentication.k8s.io", "v1", "selfsubjectreviews", "SelfSubjectReview",
          False, verbs=["create"], virtual=True),
    ]


RESOURCES = _registry()
BY_GVR = {(r.group, r.version, r.plural): r for r in RESOURCES}
BY_GVK = {(r.group, r.version, r.kind): r for r in RESOURCES}
# core/v1 Event and events.k8s.io/v1 Event share a kind name; a bare kind
# lookup (used by seeding) prefers the core one.
BY_KIND = {}
for _r in RESOURCES:
    BY_KIND.setdefault(_r.kind, _r)
GROUPS = []
for _r in RESOURCES:
    if _r.group and _r.group not in GROUPS:
        GROUPS.append(_r.group)


def rt_for_object(obj):
    api_version = obj.get("apiVersion", "")
    kind = obj.get("kind", "")
    group, _, version = api_version.rpartition("/")
    rt = BY_GVK.get((group, version, kind))
    if rt is None:
        raise ApiError(bad_request("no resource for apiVersion %r kind %r in this fake"
                                   % (api_version, kind)))
    return rt


# ---------------------------------------------------------------------------
# Status objects, shaped like the API server's
# ---------------------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, status, headers=None):
        Exception.__init__(self, status.get("message", ""))
        self.status = status
        self.headers = headers or {}


def status_obj(code, reason, message, details=None):
    st = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
          "message": message, "reason": reason, "code": code}
    if reason == "":
        del st["reason"]
    if details is not None:
        st["details"] = details
    return st


def _details(rt, name):
    d = {}
    if name:
        d["name"] = name
    if rt.group:
        d["group"] = rt.group
    d["kind"] = rt.plural
    return d


def not_found(rt, name):
    return status_obj(404, "NotFound", '%s "%s" not found' % (rt.qualified, name),
                      _details(rt, name))


def already_exists(rt, name):
    return status_obj(409, "AlreadyExists", '%s "%s" already exists' % (rt.qualified, name),
                      _details(rt, name))


def conflict(rt, name, why="the object has been modified; please apply your changes "
                          "to the latest version and try again"):
    return status_obj(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": %s'
                      % (rt.qualified, name, why), _details(rt, name))


def bad_request(message):
    return status_obj(400, "BadRequest", message)


def invalid(rt, name, field, cause_reason, detail):
    d = {"name": name, "kind": rt.kind,
         "causes": [{"reason": cause_reason, "message": detail, "field": field}]}
    if rt.group:
        d["group"] = rt.group
    return status_obj(422, "Invalid", '%s "%s" is invalid: %s: %s' % (rt.kind, name, field, detail), d)


def method_not_allowed(message="the server does not allow this method on the requested resource"):
    return status_obj(405, "MethodNotAllowed", message, {})


def not_found_path():
    return status_obj(404, "NotFound", "the server could not find the requested resource", {})


def expired(message):
    return status_obj(410, "Expired", message)


def forbidden(user, verb, rt=None, sub="", ns="", name="", path=""):
    if rt is None:
        msg = 'forbidden: User "%s" cannot %s path "%s"' % (user, verb, path)
        return status_obj(403, "Forbidden", msg, {})
    resource = rt.plural + ("/" + sub if sub else "")
    if ns:
        why = 'User "%s" cannot %s resource "%s" in API group "%s" in the namespace "%s"' % (
            user, verb, resource, rt.group, ns)
    else:
        why = 'User "%s" cannot %s resource "%s" in API group "%s" at the cluster scope' % (
            user, verb, resource, rt.group)
    if name:
        msg = '%s "%s" is forbidden: %s' % (rt.qualified, name, why)
    else:
        msg = "%s is forbidden: %s" % (rt.qualified, why)
    return status_obj(403, "Forbidden", msg, _details(rt, name))


def now_ts(t=None):
    t = time.time() if t is None else t
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(s):
    try:
        return datetime.datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").replace(
            tzinfo=datetime.timezone.utc).timestamp()
    except (TypeError, ValueError):
        return None


def clone(o):
    return json.loads(json.dumps(o))


# ---------------------------------------------------------------------------
# Label and field selectors
# ---------------------------------------------------------------------------

_SEL_TOKEN = re.compile(r"\s*(!=|==|=|\(|\)|,|!|[^\s!=(),]+)")


class LabelSelector:
    """A parsed label selector string: a conjunction of requirements."""

    def __init__(self, text):
        self.reqs = []  # (key, op, values)
        text = (text or "").strip()
        if not text:
            return
        toks = []
        pos = 0
        while pos < len(text):
            m = _SEL_TOKEN.match(text, pos)
            if not m:
                break
            toks.append(m.group(1))
            pos = m.end()
            while pos < len(text) and text[pos].isspace():
                pos += 1
        i = 0

        def err(why):
            raise ApiError(bad_request("unable to parse requirement: %s" % why))

        def take():
            nonlocal i
            if i >= len(toks):
                err("unexpected end of selector %r" % text)
            t = toks[i]
            i += 1
            return t

        while i < len(toks):
            t = take()
            if t == "!":
                key = take()
                self.reqs.append((key, "!", []))
            else:
                key = t
                if i >= len(toks) or toks[i] == ",":
                    self.reqs.append((key, "exists", []))
                else:
                    op = take()
                    if op in ("=", "==", "!="):
                        val = ""
                        if i < len(toks) and toks[i] != ",":
                            val = take()
                        self.reqs.append((key, "!=" if op == "!=" else "=", [val]))
                    elif op in ("in", "notin"):
                        if take() != "(":
                            err("expected '(' after %s in %r" % (op, text))
                        vals = []
                        while True:
                            v = take()
                            if v == ")":
                                break
                            if v == ",":
                                continue
                            vals.append(v)
                        self.reqs.append((key, op, vals))
                    else:
                        err("found '%s', expected: in, notin, =, ==, !=" % op)
            if i < len(toks):
                if toks[i] != ",":
                    err("found '%s', expected: ','" % toks[i])
                i += 1

    def empty(self):
        return not self.reqs

    def matches(self, labels):
        labels = labels or {}
        for key, op, vals in self.reqs:
            has = key in labels
            v = labels.get(key)
            if op == "exists" and not has:
                return False
            if op == "!" and has:
                return False
            if op == "=" and (not has or v != vals[0]):
                return False
            if op == "!=" and has and v == vals[0]:
                return False
            if op == "in" and (not has or v not in vals):
                return False
            if op == "notin" and has and v in vals:
                return False
        return True


def selector_from_label_selector(sel):
    """Turns a metav1.LabelSelector object into a matcher (None matches nothing)."""
    if sel is None:
        return None
    parts = []
    for k, v in sorted((sel.get("matchLabels") or {}).items()):
        parts.append(("=", k, [v]))
    for e in sel.get("matchExpressions") or []:
        op = {"In": "in", "NotIn": "notin", "Exists": "exists",
              "DoesNotExist": "!"}.get(e.get("operator"))
        if op is None:
            return None
        parts.append((op, e.get("key"), list(e.get("values") or [])))
    ls = LabelSelector("")
    ls.reqs = [(k, op, vals) for op, k, vals in parts]
    return ls


COMMON_FIELDS = {"metadata.name", "metadata.namespace"}
FIELDS = {
    "/pods": {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
              "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
              "status.podIP", "status.nominatedNodeName"},
    "/nodes": {"spec.unschedulable"},
    "/namespaces": {"status.phase"},
    "/events": {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                "involvedObject.uid", "involvedObject.apiVersion",
                "involvedObject.resourceVersion", "involvedObject.fieldPath",
                "reason", "reportingComponent", "source", "type"},
    "/replicationcontrollers": {"status.replicas"},
    "apps/replicasets": {"status.replicas"},
    "batch/jobs": {"status.successful"},
}
BOOL_FIELDS = {"spec.unschedulable", "spec.hostNetwork"}


def field_value(obj, path):
    if path == "source":
        return (obj.get("source") or {}).get("component", "")
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            cur = None
            break
        cur = cur.get(part)
    if path in BOOL_FIELDS:
        return "true" if cur else "false"
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


class FieldSelector:
    def __init__(self, text, rt):
        self.reqs = []
        for part in (text or "").split(","):
            part = part.strip()
            if not part:
                continue
            m = re.match(r"^([^=!]+?)\s*(==|=|!=)\s*(.*)$", part)
            if not m:
                raise ApiError(bad_request("invalid field selector: %r" % part))
            field, op, val = m.group(1), m.group(2), m.group(3)
            if field not in COMMON_FIELDS and field not in FIELDS.get(rt.key, set()):
                raise ApiError(bad_request("field label not supported: %s" % field))
            self.reqs.append((field, op != "!=", val))

    def matches(self, obj):
        for field, eq, val in self.reqs:
            if (field_value(obj, field) == val) != eq:
                return False
        return True

    def name(self):
        for field, eq, val in self.reqs:
            if field == "metadata.name" and eq:
                return val
        return None


# ---------------------------------------------------------------------------
# Patches
# ---------------------------------------------------------------------------


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return clone(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# Lists that strategic merge patch merges element-wise, by field name. The
# real server takes this from Go struct tags; the names below cover the types
# this fake serves.
SMP_KEYS = {"containers": "name", "initContainers": "name", "ephemeralContainers": "name",
            "volumes": "name", "env": "name", "volumeMounts": "mountPath",
            "volumeDevices": "devicePath", "ports": "containerPort",
            "imagePullSecrets": "name", "hostAliases": "ip", "conditions": "type",
            "addresses": "type", "ownerReferences": "uid",
            "topologySpreadConstraints": "topologyKey", "resourceClaims": "name",
            "schedulingGates": "name"}
SMP_PRIMITIVE_MERGE = {"finalizers"}


def _smp_strip(v):
    if isinstance(v, dict):
        return {k: _smp_strip(x) for k, x in v.items() if not k.startswith("$")}
    if isinstance(v, list):
        return [_smp_strip(x) for x in v]
    return v


def strategic_merge_patch(orig, patch):
    if not isinstance(patch, dict):
        return clone(patch)
    directive = patch.get("$patch")
    if directive == "replace":
        return _smp_strip(patch)
    if directive == "delete":
        return None
    out = dict(orig) if isinstance(orig, dict) else {}
    for k, v in patch.items():
        if k in ("$patch", "$retainKeys") or k.startswith("$setElementOrder/"):
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            f = k.split("/", 1)[1]
            if isinstance(out.get(f), list):
                out[f] = [x for x in out[f] if x not in (v or [])]
            continue
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict):
            r = strategic_merge_patch(out.get(k), v)
            if r is None:
                out.pop(k, None)
            else:
                out[k] = r
        elif isinstance(v, list):
            out[k] = _smp_list(k, out.get(k), v)
        else:
            out[k] = v
    if isinstance(patch.get("$retainKeys"), list):
        keep = set(patch["$retainKeys"])
        out = {k: v for k, v in out.items() if k in keep}
    return out


def _smp_list(field, cur, patch):
    if any(isinstance(x, dict) and x.get("$patch") == "replace" for x in patch):
        return [_smp_strip(x) for x in patch if not (isinstance(x, dict) and "$patch" in x)]
    key = SMP_KEYS.get(field)
    if key and all(isinstance(x, dict) for x in patch):
        out = [clone(x) for x in (cur if isinstance(cur, list) else [])]
        for item in patch:
            idx = next((i for i, x in enumerate(out)
                        if isinstance(x, dict) and x.get(key) == item.get(key)), None)
            if item.get("$patch") == "delete":
                if idx is not None:
                    del out[idx]
                continue
            if idx is None:
                out.append(_smp_strip(item))
            else:
                out[idx] = strategic_merge_patch(out[idx], item)
        return out
    if field in SMP_PRIMITIVE_MERGE and isinstance(cur, list):
        return cur + [x for x in patch if x not in cur]
    return _smp_strip(patch)


def _ptr(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise ValueError("invalid JSON pointer %r" % path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def json_patch(doc, ops):
    """RFC 6902 JSON patch."""
    doc = clone(doc)
    if not isinstance(ops, list):
        raise ValueError("a JSON patch must be a list of operations")

    def parent(parts):
        cur = doc
        for p in parts[:-1]:
            cur = cur[int(p)] if isinstance(cur, list) else cur[p]
        return cur

    def get(parts):
        cur = doc
        for p in parts:
            cur = cur[int(p)] if isinstance(cur, list) else cur[p]
        return cur

    def add(parts, value):
        nonlocal doc
        if not parts:
            doc = value
            return
        par = parent(parts)
        last = parts[-1]
        if isinstance(par, list):
            if last == "-":
                par.append(value)
            else:
                i = int(last)
                if i < 0 or i > len(par):
                    raise ValueError("index out of range")
                par.insert(i, value)
        else:
            par[last] = value

    def remove(parts):
        par = parent(parts)
        last = parts[-1]
        if isinstance(par, list):
            return par.pop(int(last))
        return par.pop(last)

    for op in ops:
        kind = op.get("op")
        parts = _ptr(op.get("path", ""))
        try:
            if kind == "add":
                add(parts, clone(op.get("value")))
            elif kind == "remove":
                remove(parts)
            elif kind == "replace":
                get(parts)
                remove(parts) if parts else None
                add(parts, clone(op.get("value")))
            elif kind == "move":
                v = get(_ptr(op["from"]))
                remove(_ptr(op["from"]))
                add(parts, v)
            elif kind == "copy":
                add(parts, clone(get(_ptr(op["from"]))))
            elif kind == "test":
                if get(parts) != op.get("value"):
                    raise ValueError("testing value %s failed" % op.get("path"))
            else:
                raise ValueError("unexpected kind of operation: %r" % kind)
        except (KeyError, IndexError, TypeError) as e:
            raise ValueError("%s operation does not apply: doc is missing path: %s (%s)"
                             % (kind, op.get("path"), e))
    return doc


# ---------------------------------------------------------------------------
# Protobuf request bodies
# ---------------------------------------------------------------------------
# kubectl (client-go typed clients) posts some bodies as Kubernetes protobuf:
# the 4-byte magic "k8s\0" then a runtime.Unknown whose field 1 is the type
# (apiVersion, kind) and field 2 the object. Only the kinds below are decoded,
# with just the fields this fake reads; anything else is 415.

PB_SCHEMAS = {
    "ObjectMeta": {1: ("name", "s"), 2: ("generateName", "s"), 3: ("namespace", "s"),
                   5: ("uid", "s"), 6: ("resourceVersion", "s"), 11: ("labels", "{s"),
                   12: ("annotations", "{s"), 14: ("finalizers", "[s")},
    "MapEntry": {1: ("key", "s"), 2: ("value", "s")},
    "BytesEntry": {1: ("key", "s"), 2: ("value", "y")},
    "Namespace": {1: ("metadata", "ObjectMeta"), 2: ("spec", "NamespaceSpec")},
    "NamespaceSpec": {1: ("finalizers", "[s")},
    "ConfigMap": {1: ("metadata", "ObjectMeta"), 2: ("data", "{s"), 3: ("binaryData", "{y"),
                  4: ("immutable", "b")},
    "ResourceAttributes": {1: ("namespace", "s"), 2: ("verb", "s"), 3: ("group", "s"),
                           4: ("version", "s"), 5: ("resource", "s"), 6: ("subresource", "s"),
                           7: ("name", "s")},
    "NonResourceAttributes": {1: ("path", "s"), 2: ("verb", "s")},
    "SSARSpec": {1: ("resourceAttributes", "ResourceAttributes"),
                 2: ("nonResourceAttributes", "NonResourceAttributes")},
    "SARSpec": {1: ("resourceAttributes", "ResourceAttributes"),
                2: ("nonResourceAttributes", "NonResourceAttributes"),
                3: ("user", "s"), 4: ("groups", "[s"), 6: ("uid", "s")},
    "SSRRSpec": {1: ("namespace", "s")},
    "Preconditions": {1: ("uid", "s"), 2: ("resourceVersion", "s")},
    "DeleteOptions": {1: ("gracePeriodSeconds", "i"), 2: ("preconditions", "Preconditions"),
                      3: ("orphanDependents", "b"), 4: ("propagationPolicy", "s"),
                      5: ("dryRun", "[s")},
    "Eviction": {1: ("metadata", "ObjectMeta"), 2: ("deleteOptions", "DeleteOptions")},
    "SelfSubjectAccessReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "SSARSpec")},
    "SubjectAccessReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "SARSpec")},
    "SelfSubjectRulesReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "SSRRSpec")},
    "SelfSubjectReview": {1: ("metadata", "ObjectMeta")},
    "Binding": {1: ("metadata", "ObjectMeta"), 2: ("target", "ObjectReference")},
    "ObjectReference": {1: ("kind", "s"), 2: ("namespace", "s"), 3: ("name", "s"),
                        4: ("uid", "s"), 5: ("apiVersion", "s")},
    "TypeMeta": {1: ("apiVersion", "s"), 2: ("kind", "s")},
    "Unknown": {1: ("typeMeta", "TypeMeta"), 2: ("raw", "y")},
}


def _pb_fields(buf):
    i = 0
    n = len(buf)

    def varint():
        nonlocal i
        shift = 0
        v = 0
        while True:
            if i >= n:
                raise ValueError("truncated varint")
            b = buf[i]
            i += 1
            v |= (b & 0x7F) << shift
            if not b & 0x80:
                return v
            shift += 7

    while i < n:
        key = varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            yield field, varint()
        elif wire == 2:
            ln = varint()
            if i + ln > n:
                raise ValueError("truncated field")
            yield field, buf[i:i + ln]
            i += ln
        elif wire == 1:
            yield field, buf[i:i + 8]
            i += 8
        elif wire == 5:
            yield field, buf[i:i + 4]
            i += 4
        else:
            raise ValueError("unsupported wire type %d" % wire)


def pb_decode(buf, schema):
    out = {}
    fields = PB_SCHEMAS[schema]
    for num, val in _pb_fields(buf):
        if num not in fields:
            continue
        name, typ = fields[num]
        if typ == "s":
            out[name] = bytes(val).decode()
        elif typ == "y":
            out[name] = bytes(val)
        elif typ == "i":
            out[name] = val - (1 << 64) if val >= (1 << 63) else val
        elif typ == "b":
            out[name] = bool(val)
        elif typ == "[s":
            out.setdefault(name, []).append(bytes(val).decode())
        elif typ == "{s":
            e = pb_decode(val, "MapEntry")
            out.setdefault(name, {})[e.get("key", "")] = e.get("value", "")
        elif typ == "{y":
            e = pb_decode(val, "BytesEntry")
            out.setdefault(name, {})[e.get("key", "")] = base64.b64encode(e.get("value", b"")).decode()
        else:
            out[name] = pb_decode(val, typ)
    return out


def decode_protobuf_body(body):
    if not body.startswith(b"k8s\x00"):
        raise ValueError("missing protobuf magic")
    unk = pb_decode(body[4:], "Unknown")
    tm = unk.get("typeMeta") or {}
    kind = tm.get("kind", "")
    if kind not in PB_SCHEMAS or kind in ("Unknown", "TypeMeta"):
        raise ValueError("kind %r" % kind)
    obj = pb_decode(unk.get("raw", b""), kind)
    obj["apiVersion"] = tm.get("apiVersion", "")
    obj["kind"] = kind
    return obj


# ---------------------------------------------------------------------------
# The store: objects, a global resourceVersion, bounded event history
# ---------------------------------------------------------------------------

Event = collections.namedtuple("Event", "rv rkey etype obj old")


def objkey(obj):
    m = obj.get("metadata") or {}
    return (m.get("namespace") or "", m.get("name") or "")


def pod_ready(pod):
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


def _scaled(v, total, round_up):
    if isinstance(v, str) and v.endswith("%"):
        try:
            pct = int(v[:-1])
        except ValueError:
            return 0
        x = pct * total / 100.0
        return int(math.ceil(x) if round_up else math.floor(x))
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


class Store:
    def __init__(self, history_size=100000, pod_deletion_delay=0.0):
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.objects = {rt.key: {} for rt in RESOURCES}
        # rkey -> namespace -> {name: obj}: namespaced reads without a full scan
        self.by_ns = {rt.key: collections.defaultdict(dict) for rt in RESOURCES}
        self.rv = 0
        self.history = []  # Events in rv order
        self.floor = 0  # events with rv <= floor are gone (compacted)
        self.history_size = history_size
        self.pod_deletion_delay = pod_deletion_delay
        self.watch_epoch = 0  # bumped to drop every open watch
        self.rand = random.Random(1)

    # -- reading ---------------------------------------------------------
    def get(self, rt, ns, name):
        return self.objects[rt.key].get((ns if rt.namespaced else "", name))

    def snapshot(self, rt, rv):
        """The objects of rt as they were at rv (rebuilt from history)."""
        with self.lock:
            if rv < self.floor:
                return None
            cur = dict(self.objects[rt.key])
            i = len(self.history) - 1
            while i >= 0 and self.history[i].rv > rv:
                ev = self.history[i]
                if ev.rkey == rt.key:
                    k = objkey(ev.obj)
                    if ev.etype == "ADDED":
                        cur.pop(k, None)
                    else:
                        cur[k] = ev.old
                i -= 1
            return cur

    def events_after(self, rv):
        i = bisect.bisect_right(self.history, rv, key=lambda e: e.rv)
        return self.history[i:]

    # -- writing ---------------------------------------------------------
    def commit(self, rt, etype, obj, old, hooks=True):
        """Stores obj (or removes it for DELETED) with a new resourceVersion."""
        self.rv += 1
        obj = clone(obj)
        obj["apiVersion"] = rt.api_version
        obj["kind"] = rt.kind
        obj.setdefault("metadata", {})["resourceVersion"] = str(self.rv)
        k = objkey(obj)
        if etype == "DELETED":
            self.objects[rt.key].pop(k, None)
            self.by_ns[rt.key][k[0]].pop(k[1], None)
        else:
            self.objects[rt.key][k] = obj
            self.by_ns[rt.key][k[0]][k[1]] = obj
        self.history.append(Event(self.rv, rt.key, etype, obj, old))
        if len(self.history) > self.history_size:
            drop = len(self.history) - self.history_size
            self.floor = max(self.floor, self.history[drop - 1].rv)
            del self.history[:drop]
        self.cond.notify_all()
        if hooks:
            self._after_write(rt, obj)
        return obj

    def compact(self, rv=None):
        with self.lock:
            rv = self.rv if rv is None else min(int(rv), self.rv)
            self.floor = max(self.floor, rv)
            self.history = [e for e in self.history if e.rv > self.floor]
            self.cond.notify_all()
            return self.floor

    def drop_watches(self):
        with self.lock:
            self.watch_epoch += 1
            self.cond.notify_all()

    def _after_write(self, rt, obj):
        if rt.key in ("/pods", "policy/poddisruptionbudgets", "apps/replicasets",
                      "apps/statefulsets", "apps/deployments", "/replicationcontrollers"):
            self.refresh_pdbs((obj.get("metadata") or {}).get("namespace") or "")

    # -- PodDisruptionBudget status, as the disruption controller keeps it --
    def _expected_from_controllers(self, pods):
        total = 0
        seen = set()
        for p in pods:
            owner = next((o for o in (p["metadata"].get("ownerReferences") or [])
                          if o.get("controller")), None)
            if owner is None:
                total += 1
                continue
            ident = (owner.get("kind"), owner.get("name"))
            if ident in seen:
                continue
            seen.add(ident)
            ns = p["metadata"].get("namespace", "")
            kind_key = {"ReplicaSet": "apps/replicasets", "StatefulSet": "apps/statefulsets",
                        "ReplicationController": "/replicationcontrollers"}.get(owner.get("kind"))
            ctrl = self.objects[kind_key].get((ns, owner.get("name"))) if kind_key else None
            if ctrl is None:
                total += 1
                continue
            replicas = (ctrl.get("spec") or {}).get("replicas", 1)
            # A ReplicaSet owned by a Deployment takes the Deployment's scale.
            dep = next((o for o in (ctrl["metadata"].get("ownerReferences") or [])
                        if o.get("controller") and o.get("kind") == "Deployment"), None)
            if dep is not None:
                d = self.objects["apps/deployments"].get((ns, dep.get("name")))
                if d is not None:
                    replicas = (d.get("spec") or {}).get("replicas", 1)
            total += int(replicas or 0)
        return total

    def pdb_status(self, pdb):
        ns = pdb["metadata"].get("namespace", "")
        spec = pdb.get("spec") or {}
        sel = selector_from_label_selector(spec.get("selector"))
        pods = []
        if sel is not None:
            pods = [p for p in self.by_ns["/pods"][ns].values()
                    if sel.matches(p["metadata"].get("labels"))]
        healthy = sum(1 for p in pods if pod_ready(p)
                      and not p["metadata"].get("deletionTimestamp"))
        if spec.get("maxUnavailable") is not None:
            expected = self._expected_from_controllers(pods)
            mu = _scaled(spec["maxUnavailable"], expected, True)
            desired = max(0, expected - mu)
        elif spec.get("minAvailable") is not None:
            ma = spec["minAvailable"]
            if isinstance(ma, str) and ma.endswith("%"):
                expected = self._expected_from_controllers(pods)
                desired = _scaled(ma, expected, True)
            else:
                expected = len(pods)
                desired = _scaled(ma, expected, True)
        else:
            expected = len(pods)
            desired = 0
        allowed = max(0, healthy - desired)
        old = pdb.get("status") or {}
        cond_status = "True" if allowed > 0 else "False"
        prev = next((c for c in old.get("conditions") or [] if c.get("type") == "DisruptionAllowed"), None)
        ltt = prev.get("lastTransitionTime") if prev and prev.get("status") == cond_status else now_ts()
        gen = pdb["metadata"].get("generation", 1)
        return {"observedGeneration": gen,
                "disruptionsAllowed": allowed, "currentHealthy": healthy,
                "desiredHealthy": desired, "expectedPods": expected,
                "conditions": [{"type": "DisruptionAllowed", "status": cond_status,
                                "reason": "SufficientPods" if allowed > 0 else "InsufficientPods",
                                "message": "", "observedGeneration": gen,
                                "lastTransitionTime": ltt}]}

    def refresh_pdbs(self, ns):
        rt = BY_GVR[("policy", "v1", "poddisruptionbudgets")]
        for _, pdb in sorted(self.by_ns[rt.key][ns].items()):
            st = self.pdb_status(pdb)
            if st != pdb.get("status"):
                new = clone(pdb)
                new["status"] = st
                self.commit(rt, "MODIFIED", new, pdb, hooks=False)

    # -- deletions ---------------------------------------------------------
    def remove(self, rt, obj):
        """Removes obj for good; returns the DELETED object."""
        return self.commit(rt, "DELETED", obj, obj)

    def finish_graceful(self, rt, ns, name, uid):
        with self.lock:
            cur = self.get(rt, ns, name)
            if cur is not None and cur["metadata"].get("uid") == uid \
                    and not cur["metadata"].get("finalizers"):
                self.remove(rt, cur)


# ---------------------------------------------------------------------------
# Authentication and RBAC
# ---------------------------------------------------------------------------

DISCOVERY_PATHS = ["/api", "/api/*", "/apis", "/apis/*", "/version", "/version/",
                   "/openapi", "/openapi/*", "/healthz", "/livez", "/readyz"]
SELF_REVIEWS = [("authorization.k8s.io", "selfsubjectaccessreviews"),
                ("authorization.k8s.io", "selfsubjectrulesreviews"),
                ("authentication.k8s.io", "selfsubjectreviews")]


class User:
    def __init__(self, name, groups=(), uid=""):
        self.name = name
        self.groups = list(groups)
        if "system:authenticated" not in self.groups:
            self.groups.append("system:authenticated")
        self.uid = uid


def _rule_allows(rule, verb, group, resource, sub, name):
    verbs = rule.get("verbs") or []
    if "*" not in verbs and verb not in verbs:
        return False
    groups = rule.get("apiGroups") or []
    if "*" not in groups and group not in groups:
        return False
    res = resource + ("/" + sub if sub else "")
    resources = rule.get("resources") or []
    if not ("*" in resources or res in resources or (sub and "*/" + sub in resources)):
        return False
    names = rule.get("resourceNames") or []
    if names and name not in names:
        return False
    return True


def _nonresource_allows(rule, verb, path):
    verbs = rule.get("verbs") or []
    if "*" not in verbs and verb not in verbs:
        return False
    for u in rule.get("nonResourceURLs") or []:
        if u == "*" or u == path or (u.endswith("*") and path.startswith(u[:-1])):
            return True
    return False


class Authorizer:
    """RBAC evaluated against the Role/ClusterRole/bindings held in the store."""

    def __init__(self, store, enabled):
        self.store = store
        self.enabled = enabled

    def _subject_matches(self, subj, user):
        kind = subj.get("kind")
        if kind == "User":
            return subj.get("name") == user.name
        if kind == "Group":
            return subj.get("name") in user.groups
        if kind == "ServiceAccount":
            return user.name == "system:serviceaccount:%s:%s" % (subj.get("namespace", ""), subj.get("name"))
        return False

    def _role_rules(self, ref, ns):
        if ref.get("kind") == "ClusterRole":
            r = self.store.objects["rbac.authorization.k8s.io/clusterroles"].get(("", ref.get("name")))
        else:
            r = self.store.objects["rbac.authorization.k8s.io/roles"].get((ns, ref.get("name")))
        return (r or {}).get("rules") or []

    def rules_for(self, user, ns):
        """(rules, source) pairs that apply to user in namespace ns ("" = cluster)."""
        out = []
        with self.store.lock:
            for (_, name), b in sorted(self.store.objects["rbac.authorization.k8s.io/clusterrolebindings"].items()):
                if any(self._subject_matches(s, user) for s in b.get("subjects") or []):
                    ref = b.get("roleRef") or {}
                    src = 'ClusterRoleBinding "%s" of ClusterRole "%s"' % (name, ref.get("name"))
                    out.extend((r, src) for r in self._role_rules(ref, ""))
            if ns:
                for (bns, name), b in sorted(self.store.objects["rbac.authorization.k8s.io/rolebindings"].items()):
                    if bns != ns:
                        continue
                    if any(self._subject_matches(s, user) for s in b.get("subjects") or []):
                        ref = b.get("roleRef") or {}
                        src = 'RoleBinding "%s/%s" of %s "%s"' % (ns, name, ref.get("kind"), ref.get("name"))
                        out.extend((r, src) for r in self._role_rules(ref, ns))
        return out

    def allowed(self, user, verb, group="", resource="", sub="", ns="", name="", path=None):
        """Returns (allowed, reason)."""
        if not self.enabled or "system:masters" in user.groups:
            return True, ""
        if path is not None:
            if verb == "get" and any(_nonresource_allows({"verbs": ["get"], "nonResourceURLs": [p]}, "get", path)
                                     for p in DISCOVERY_PATHS):
                return True, "allowed by system:discovery"
            for rule, src in self.rules_for(user, ""):
                if _nonresource_allows(rule, verb, path):
                    return True, "RBAC: allowed by " + src
            return False, ""
        if verb == "create" and (group, resource) in SELF_REVIEWS:
            return True, "allowed by system:basic-user"
        for rule, src in self.rules_for(user, ns):
            if _rule_allows(rule, verb, group, resource, sub, name):
                return True, "RBAC: allowed by %s to User \"%s\"" % (src, user.name)
        return False, ""


# ---------------------------------------------------------------------------
# Fault injection
# ---------------------------------------------------------------------------


class Faults:
    """Knobs a test turns: errors, throttling, delays, dropped watches.

    rules: list of {"match": {"method", "path" (regex), "watch"},
                    "status": 500|429|503|..., "count": N, "fraction": f,
                    "retryAfterSeconds": s, "delaySeconds": d}
    watchDropAfterEvents: end every watch after N events ("close" mode cuts
    the connection, "end" closes the chunked stream cleanly).
    watch410AsHTTP: answer a too-old watch with HTTP 410 instead of an ERROR event.
    aggregatedDiscovery: false makes /api and /apis ignore the v2 Accept type.
    """

    def __init__(self, seed=1):
        self.lock = threading.Lock()
        self.rand = random.Random(seed)
        self.config = {}

    def set(self, cfg):
        with self.lock:
            self.config = clone(cfg or {})
            for r in self.config.get("rules") or []:
                r.setdefault("fraction", 1.0)

    def get(self):
        with self.lock:
            return clone(self.config)

    def knob(self, name, default=None):
        with self.lock:
            return self.config.get(name, default)

    def pick(self, method, path, watch):
        """Returns (delay, rule-or-None) for this request."""
        delay = 0.0
        chosen = None
        with self.lock:
            for r in self.config.get("rules") or []:
                m = r.get("match") or {}
                if m.get("method") and m["method"].upper() != method:
                    continue
                if "watch" in m and bool(m["watch"]) != watch:
                    continue
                if m.get("path") and not re.search(m["path"], path):
                    continue
                if r.get("count") is not None and r["count"] <= 0:
                    continue
                if self.rand.random() >= float(r.get("fraction", 1.0)):
                    continue
                if r.get("status"):
                    if chosen is not None:
                        continue
                    chosen = r
                if r.get("count") is not None:
                    r["count"] -= 1
                delay += float(r.get("delaySeconds", 0) or 0)
        return delay, chosen


# ---------------------------------------------------------------------------
# Tables (kubectl's default human output asks for them)
# ---------------------------------------------------------------------------


def human_age(ts):
    t = parse_ts(ts)
    if t is None:
        return "<unknown>"
    s = max(0, int(time.time() - t))
    if s < 120:
        return "%ds" % s
    if s < 7200:
        return "%dm" % (s // 60)
    if s < 172800:
        return "%dh" % (s // 3600)
    return "%dd" % (s // 86400)


def table_columns(rt):
    col = lambda n, t="string", f="", p=0: {"name": n, "type": t, "format": f,
                                             "description": n, "priority": p}
    if rt.key == "/pods":
        return [col("Name", f="name"), col("Ready"), col("Status"), col("Restarts", "string"),
                col("Age"), col("IP", p=1), col("Node", p=1)]
    if rt.key == "/nodes":
        return [col("Name", f="name"), col("Status"), col("Roles"), col("Age"), col("Version")]
    if rt.key == "/namespaces":
        return [col("Name", f="name"), col("Status"), col("Age")]
    if rt.key == "storage.k8s.io/storageclasses":
        return [col("Name", f="name"), col("Provisioner"), col("ReclaimPolicy"),
                col("VolumeBindingMode"), col("AllowVolumeExpansion"), col("Age")]
    return [col("Name", f="name"), col("Age")]


def table_row(rt, obj, include):
    m = obj.get("metadata") or {}
    age = human_age(m.get("creationTimestamp"))
    st = obj.get("status") or {}
    if rt.key == "/pods":
        cs = st.get("containerStatuses") or []
        ready = "%d/%d" % (sum(1 for c in cs if c.get("ready")),
                           len((obj.get("spec") or {}).get("containers") or []))
        phase = "Terminating" if m.get("deletionTimestamp") else st.get("phase", "Pending")
        cells = [m.get("name"), ready, phase, str(sum(c.get("restartCount", 0) for c in cs)),
                 age, st.get("podIP", "<none>"), (obj.get("spec") or {}).get("nodeName", "<none>")]
    elif rt.key == "/nodes":
        ready = "Unknown"
        for c in st.get("conditions") or []:
            if c.get("type") == "Ready":
                ready = "Ready" if c.get("status") == "True" else "NotReady"
        if (obj.get("spec") or {}).get("unschedulable"):
            ready += ",SchedulingDisabled"
        roles = sorted(k.split("/", 1)[1] for k in (m.get("labels") or {})
                       if k.startswith("node-role.kubernetes.io/"))
        cells = [m.get("name"), ready, ",".join(roles) or "<none>", age,
                 (st.get("nodeInfo") or {}).get("kubeletVersion", "")]
    elif rt.key == "/namespaces":
        cells = [m.get("name"), st.get("phase", "Active"), age]
    elif rt.key == "storage.k8s.io/storageclasses":
        name = m.get("name")
        if (m.get("annotations") or {}).get("storageclass.kubernetes.io/is-default-class") == "true":
            name += " (default)"
        cells = [name, obj.get("provisioner", ""), obj.get("reclaimPolicy", "Delete"),
                 obj.get("volumeBindingMode", "Immediate"),
                 "true" if obj.get("allowVolumeExpansion") else "false", age]
    else:
        cells = [m.get("name"), age]
    row = {"cells": cells}
    if include == "Object":
        row["object"] = obj
    elif include != "None":
        row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                         "metadata": m}
    return row


# ---------------------------------------------------------------------------
# Discovery documents
# ---------------------------------------------------------------------------


def resource_list(group, version):
    res = []
    for rt in RESOURCES:
        if rt.group != group or rt.version != version:
            continue
        e = {"name": rt.plural, "singularName": rt.singular, "namespaced": rt.namespaced,
             "kind": rt.kind, "verbs": rt.verbs}
        if rt.short:
            e["shortNames"] = rt.short
        if rt.categories:
            e["categories"] = rt.categories
        res.append(e)
        for (sub, kind, sgroup, sversion, verbs) in rt.subs:
            s = {"name": rt.plural + "/" + sub, "singularName": "", "namespaced": rt.namespaced,
                 "kind": kind, "verbs": verbs}
            if (sgroup, sversion) != (group, version):
                s["group"] = sgroup
                s["version"] = sversion
            res.append(s)
    gv = version if not group else group + "/" + version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": res}


def group_versions(group):
    return sorted({rt.version for rt in RESOURCES if rt.group == group})


def api_group(group):
    vs = [{"groupVersion": group + "/" + v, "version": v} for v in group_versions(group)]
    return {"name": group, "versions": vs, "preferredVersion": vs[0]}


def aggregated_discovery(core):
    items = []
    for group in ([""] if core else GROUPS):
        versions = []
        for v in group_versions(group):
            resources = []
            for rt in RESOURCES:
                if rt.group != group or rt.version != v:
                    continue
                e = {"resource": rt.plural,
                     "responseKind": {"group": group, "version": v, "kind": rt.kind},
                     "scope": "Namespaced" if rt.namespaced else "Cluster",
                     "singularResource": rt.singular, "verbs": rt.verbs}
                if rt.short:
                    e["shortNames"] = rt.short
                if rt.categories:
                    e["categories"] = rt.categories
                if rt.subs:
                    e["subresources"] = [
                        {"subresource": sub, "verbs": verbs,
                         "responseKind": {"group": sg, "version": sv, "kind": kind}}
                        for (sub, kind, sg, sv, verbs) in rt.subs]
                resources.append(e)
            versions.append({"version": v, "resources": resources, "freshness": "Current"})
        items.append({"metadata": {"name": group, "creationTimestamp": None}, "versions": versions})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {}, "items": items}


def openapi_v3_index():
    paths = {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=fake"}}
    for g in GROUPS:
        for v in group_versions(g):
            paths["apis/%s/%s" % (g, v)] = {"serverRelativeURL": "/openapi/v3/apis/%s/%s?hash=fake" % (g, v)}
    return {"paths": paths}


def openapi_v3_doc(group, version):
    """Just enough OpenAPI v3 for kubectl: each kind's collection POST/PUT/PATCH
    operations say they take fieldValidation, so kubectl leaves schema
    validation to the server instead of needing schemas it cannot get."""
    paths = {}
    param = [{"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": True}}]
    for rt in RESOURCES:
        if rt.group != group or rt.version != version:
            continue
        gvk = {"group": group, "version": version, "kind": rt.kind}
        base = "/api/v1" if not group else "/apis/%s/%s" % (group, version)
        coll = base + ("/namespaces/{namespace}/" if rt.namespaced else "/") + rt.plural
        op = lambda action: {"x-kubernetes-action": action, "x-kubernetes-group-version-kind": gvk,
                             "parameters": param, "responses": {}}
        paths[coll] = {"post": op("post")}
        if not rt.virtual:
            paths[coll + "/{name}"] = {"put": op("put"), "patch": op("patch")}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes (fake)", "version": "v1.32.0"},
            "paths": paths, "components": {"schemas": {}}}


# ---------------------------------------------------------------------------
# The API server proper
# ---------------------------------------------------------------------------

NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"
CONTINUE_TOO_OLD = ("The provided continue parameter is too old to display a consistent list "
                    "result. You can start a new list without the continue parameter, or use "
                    "the continue token in this response to retrieve the remainder of the "
                    "results. Continuing with the provided token results in an inconsistent "
                    "list - objects that were created, modified, or deleted between the time "
                    "the first chunk was returned and now may show up in the list.")


def encode_continue(rv, start):
    tok = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start + "\x00"})
    return base64.urlsafe_b64encode(tok.encode()).decode().rstrip("=")


def decode_continue(tok):
    try:
        raw = base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4))
        d = json.loads(raw)
        return int(d["rv"]), d["start"].rstrip("\x00")
    except (ValueError, KeyError, TypeError):
        raise ApiError(bad_request("continue key is not valid: %s" % tok))


class FakeApiServer:
    def __init__(self, opts):
        self.opts = opts
        self.store = Store(history_size=opts.history_size,
                           pod_deletion_delay=opts.pod_deletion_delay)
        self.authz = Authorizer(self.store, enabled=bool(opts.rbac))
        self.faults = Faults()
        if opts.faults:
            self.faults.set(json.loads(opts.faults))
        self.tokens = {}
        self.tokens_lock = threading.Lock()
        if opts.token:
            self.tokens[opts.token] = User(opts.user, [g for g in opts.groups.split(",") if g])
        if opts.token_file:
            self.load_token_file(opts.token_file)
        self.requests = collections.deque(maxlen=5000)
        self.bookmark_interval = opts.bookmark_interval
        self.port = None
        for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self.admin_apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns},
                              "status": {"phase": "Active"}})
        if opts.rbac:
            self.admin_apply_many(load_objects(opts.rbac))
        if opts.seed:
            self.admin_apply_many(load_objects(opts.seed))

    def load_token_file(self, path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                parts = next(csv.reader([line]))
                groups = parts[3].split(",") if len(parts) > 3 and parts[3] else []
                self.tokens[parts[0]] = User(parts[1], groups, parts[2] if len(parts) > 2 else "")

    # -- admin writes (no RBAC, no strategies) ------------------------------
    def admin_apply(self, obj):
        rt = rt_for_object(obj)
        st = self.store
        with st.lock:
            obj = clone(obj)
            meta = obj.setdefault("metadata", {})
            if not meta.get("name"):
                raise ApiError(bad_request("admin apply: metadata.name is required"))
            if rt.namespaced:
                meta.setdefault("namespace", "default")
                if st.get(BY_GVR[("", "v1", "namespaces")], "", meta["namespace"]) is None:
                    self.admin_apply({"apiVersion": "v1", "kind": "Namespace",
                                      "metadata": {"name": meta["namespace"]},
                                      "status": {"phase": "Active"}})
            else:
                meta.pop("namespace", None)
            old = st.get(rt, meta.get("namespace", ""), meta["name"])
            meta.pop("resourceVersion", None)
            if old is not None:
                meta.setdefault("uid", old["metadata"].get("uid"))
                meta.setdefault("creationTimestamp", old["metadata"].get("creationTimestamp"))
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", now_ts())
            if rt.generation:
                meta.setdefault("generation", 1)
            if rt.key == "policy/poddisruptionbudgets":
                obj["status"] = st.pdb_status(obj)
            return st.commit(rt, "MODIFIED" if old is not None else "ADDED", obj, old)

    def admin_apply_many(self, objs):
        return [self.admin_apply(o) for o in objs]

    def admin_delete(self, ref):
        rt = rt_for_object(ref)
        meta = ref.get("metadata") or ref
        with self.store.lock:
            cur = self.store.get(rt, meta.get("namespace", "default") if rt.namespaced else "", meta.get("name"))
            if cur is None:
                raise ApiError(not_found(rt, meta.get("name")))
            return self.store.remove(rt, cur)

    # -- the verbs -----------------------------------------------------------
    def do_list(self, rt, ns, q):
        st = self.store
        ls = LabelSelector(q.get("labelSelector", ""))
        fs = FieldSelector(q.get("fieldSelector", ""), rt)
        limit = int(q.get("limit", "0") or 0)
        cont = q.get("continue")
        rv_param = q.get("resourceVersion", "")
        match = q.get("resourceVersionMatch", "")
        with st.lock:
            start = ""
            if cont:
                list_rv, start = decode_continue(cont)
                objs = st.snapshot(rt, list_rv)
                if objs is None:
                    tok = encode_continue(st.rv, start)
                    e = expired(CONTINUE_TOO_OLD)
                    e["metadata"] = {"continue": tok}
                    raise ApiError(e)
            elif rv_param and rv_param != "0" and match == "Exact":
                list_rv = int(rv_param)
                if list_rv > st.rv:
                    raise ApiError(status_obj(504, "Timeout", "Too large resource version: %d, current: %d"
                                              % (list_rv, st.rv),
                                              {"causes": [{"reason": "ResourceVersionTooLarge",
                                                           "message": "Too large resource version"}],
                                               "retryAfterSeconds": 1}))
                objs = st.snapshot(rt, list_rv)
                if objs is None:
                    raise ApiError(expired("The resourceVersion for the provided list is too old."))
            else:
                if rv_param and rv_param != "0":
                    try:
                        want = int(rv_param)
                    except ValueError:
                        raise ApiError(bad_request("invalid resourceVersion %r" % rv_param))
                    if want > st.rv:
                        raise ApiError(status_obj(504, "Timeout", "Too large resource version: %d, current: %d"
                                                  % (want, st.rv),
                                                  {"causes": [{"reason": "ResourceVersionTooLarge",
                                                               "message": "Too large resource version"}],
                                                   "retryAfterSeconds": 1}))
                list_rv = st.rv
                if rt.namespaced and ns:
                    objs = {(ns, n): o for n, o in st.by_ns[rt.key][ns].items()}
                else:
                    objs = st.objects[rt.key]
            keys = sorted(objs)
            items = []
            more = False
            remaining = 0
            last = None
            for k in keys:
                kstr = k[0] + "/" + k[1]
                if start and kstr <= start:
                    continue
                if rt.namespaced and ns and k[0] != ns:
                    continue
                o = objs[k]
                if not ls.matches(o["metadata"].get("labels")) or not fs.matches(o):
                    continue
                if limit and len(items) >= limit:
                    more = True
                    remaining += 1
                    continue
                items.append(o)
                last = kstr
        meta = {"resourceVersion": str(list_rv)}
        if more:
            meta["continue"] = encode_continue(list_rv, last)
            if ls.empty() and not fs.reqs:
                meta["remainingItemCount"] = remaining
        return items, meta

    def do_create(self, rt, ns, obj, user, dry_run=False):
        st = self.store
        if not isinstance(obj, dict):
            raise ApiError(bad_request("the body of the request was not a JSON object"))
        obj = clone(obj)
        meta = obj.get("metadata")
        if not isinstance(meta, dict):
            meta = obj["metadata"] = {}
        if obj.get("kind") and obj.get("kind") != rt.kind:
            raise ApiError(bad_request("the API version in the data (%s) does not match the expected "
                                       "API version (%s)" % (obj.get("apiVersion"), rt.api_version)
                                       if obj.get("apiVersion") != rt.api_version else
                                       "kind %s does not match the resource %s" % (obj.get("kind"), rt.plural)))
        with st.lock:
            if rt.namespaced:
                if meta.get("namespace") and meta["namespace"] != ns:
                    raise ApiError(bad_request("the namespace of the provided object does not match "
                                               "the namespace sent on the request"))
                meta["namespace"] = ns
                if st.get(BY_GVR[("", "v1", "namespaces")], "", ns) is None:
                    raise ApiError(not_found(BY_GVR[("", "v1", "namespaces")], ns))
            else:
                meta.pop("namespace", None)
            if not meta.get("name"):
                if meta.get("generateName"):
                    for _ in range(100):
                        cand = meta["generateName"] + "".join(st.rand.choice(NAME_CHARS) for _ in range(5))
                        if st.get(rt, ns, cand) is None:
                            break
                    meta["name"] = cand
                else:
                    raise ApiError(invalid(rt, "", "metadata.name", "FieldValueRequired",
                                           "Required value: name or generateName is required"))
            if not re.match(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", meta["name"]) or len(meta["name"]) > 253:
                raise ApiError(invalid(rt, meta["name"], "metadata.name", "FieldValueInvalid",
                                       'Invalid value: "%s": a lowercase RFC 1123 subdomain must consist '
                                       "of lower case alphanumeric characters, '-' or '.', and must start "
                                       "and end with an alphanumeric character" % meta["name"]))
            if st.get(rt, ns, meta["name"]) is not None:
                raise ApiError(already_exists(rt, meta["name"]))
            for k in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
                meta.pop(k, None)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now_ts()
            if rt.generation:
                meta["generation"] = 1
            if rt.key == "/pods":
                spec = obj.setdefault("spec", {})
                spec.setdefault("restartPolicy", "Always")
                spec.setdefault("terminationGracePeriodSeconds", 30)
                spec.setdefault("dnsPolicy", "ClusterFirst")
                spec.setdefault("schedulerName", "default-scheduler")
                obj["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
            elif rt.key == "/namespaces":
                obj["status"] = {"phase": "Active"}
            elif rt.status and rt.key != "/nodes":
                obj.pop("status", None)
            if rt.key == "policy/poddisruptionbudgets":
                obj["status"] = st.pdb_status(obj)
            if rt.key == "storage.k8s.io/storageclasses":
                # As the API server: provisioner required, two fields defaulted.
                if not isinstance(obj.get("provisioner"), str) or not obj["provisioner"]:
                    raise ApiError(invalid(rt, meta["name"], "provisioner", "FieldValueRequired",
                                           "Required value"))
                obj.setdefault("reclaimPolicy", "Delete")
                obj.setdefault("volumeBindingMode", "Immediate")
            if dry_run:
                out = clone(obj)
                out["apiVersion"], out["kind"] = rt.api_version, rt.kind
                return out
            return st.commit(rt, "ADDED", obj, None)

    def do_update(self, rt, ns, name, new, sub="", dry_run=False):
        st = self.store
        if not isinstance(new, dict):
            raise ApiError(bad_request("the body of the request was not a JSON object"))
        with st.lock:
            old = st.get(rt, ns, name)
            if old is None:
                raise ApiError(not_found(rt, name))
            meta = new.get("metadata")
            if not isinstance(meta, dict):
                meta = new["metadata"] = {}
            if meta.get("name") and meta["name"] != name:
                raise ApiError(bad_request("the name of the object (%s) does not match the name on "
                                           "the URL (%s)" % (meta["name"], name)))
            if rt.namespaced and meta.get("namespace") and meta["namespace"] != ns:
                raise ApiError(bad_request("the namespace of the provided object does not match "
                                           "the namespace sent on the request"))
            rv = meta.get("resourceVersion")
            if rv and rv != old["metadata"].get("resourceVersion"):
                raise ApiError(conflict(rt, name))
            if sub == "status":
                result = clone(old)
                if "status" in new:
                    result["status"] = clone(new["status"])
                else:
                    result.pop("status", None)
            else:
                result = clone(new)
                if rt.status:
                    if "status" in old:
                        result["status"] = clone(old["status"])
                    else:
                        result.pop("status", None)
            rm = result.setdefault("metadata", {})
            om = old["metadata"]
            for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                      "generation"):
                if k in om:
                    rm[k] = om[k]
                else:
                    rm.pop(k, None)
            rm["name"] = name
            if rt.namespaced:
                rm["namespace"] = ns
            else:
                rm.pop("namespace", None)
            rm["resourceVersion"] = om.get("resourceVersion")
            result["apiVersion"], result["kind"] = rt.api_version, rt.kind
            if rt.generation and result.get("spec") != old.get("spec"):
                rm["generation"] = int(om.get("generation", 1)) + 1
            if rt.key == "policy/poddisruptionbudgets":
                result["status"] = st.pdb_status(result)
            if result == old:
                return old
            if dry_run:
                return result
            if om.get("deletionTimestamp") and not rm.get("finalizers"):
                return st.remove(rt, result)
            return st.commit(rt, "MODIFIED", result, old)

    def do_patch(self, rt, ns, name, ctype, body, sub="", dry_run=False):
        st = self.store
        try:
            patch = json.loads(body or b"null")
        except ValueError as e:
            raise ApiError(bad_request("error decoding patch: %s" % e))
        with st.lock:
            old = st.get(rt, ns, name)
            if old is None:
                raise ApiError(not_found(rt, name))
            try:
                if ctype == "application/merge-patch+json":
                    new = merge_patch(old, patch)
                elif ctype == "application/strategic-merge-patch+json":
                    new = strategic_merge_patch(old, patch)
                elif ctype == "application/json-patch+json":
                    new = json_patch(old, patch)
                elif ctype == "application/apply-patch+yaml":
                    raise ApiError(status_obj(415, "UnsupportedMediaType",
                                              "the fake API server does not implement server-side apply"))
                else:
                    raise ApiError(status_obj(415, "UnsupportedMediaType",
                                              "the body of the request was in an unknown format - "
                                              "accepted media types include: application/json-patch+json, "
                                              "application/merge-patch+json, "
                                              "application/strategic-merge-patch+json"))
            except ValueError as e:
                raise ApiError(status_obj(422, "Invalid", str(e)))
            if not isinstance(new, dict):
                raise ApiError(bad_request("the patch did not produce an object"))
            # A patch that leaves the old resourceVersion in place is unconditional;
            # one that names another resourceVersion is a precondition.
            return self.do_update(rt, ns, name, new, sub, dry_run)

    def do_delete(self, rt, ns, name, opts, dry_run=False):
        """Returns (http code, body)."""
        st = self.store
        opts = opts or {}
        with st.lock:
            cur = st.get(rt, ns, name)
            if cur is None:
                raise ApiError(not_found(rt, name))
            pre = opts.get("preconditions") or {}
            if pre.get("uid") and pre["uid"] != cur["metadata"].get("uid"):
                raise ApiError(conflict(rt, name, "Precondition failed: UID in precondition: %s, UID in "
                                        "object meta: %s" % (pre["uid"], cur["metadata"].get("uid"))))
            if pre.get("resourceVersion") and pre["resourceVersion"] != cur["metadata"].get("resourceVersion"):
                raise ApiError(conflict(rt, name, "Precondition failed: ResourceVersion in precondition: %s, "
                                        "ResourceVersion in object meta: %s"
                                        % (pre["resourceVersion"], cur["metadata"].get("resourceVersion"))))
            if dry_run:
                return 200, cur
            grace = opts.get("gracePeriodSeconds")
            if rt.key == "/pods" and grace is None:
                grace = (cur.get("spec") or {}).get("terminationGracePeriodSeconds", 30)
            if cur["metadata"].get("finalizers"):
                if cur["metadata"].get("deletionTimestamp"):
                    return 202, cur
                new = clone(cur)
                new["metadata"]["deletionTimestamp"] = now_ts()
                new["metadata"]["deletionGracePeriodSeconds"] = int(grace or 0)
                return 202, st.commit(rt, "MODIFIED", new, cur)
            delay = st.pod_deletion_delay
            if rt.key == "/pods" and delay > 0 and grace and (cur.get("spec") or {}).get("nodeName") \
                    and (cur.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
                if cur["metadata"].get("deletionTimestamp"):
                    return 200, cur
                new = clone(cur)
                new["metadata"]["deletionTimestamp"] = now_ts(time.time() + int(grace))
                new["metadata"]["deletionGracePeriodSeconds"] = int(grace)
                out = st.commit(rt, "MODIFIED", new, cur)
                t = threading.Timer(min(float(grace), delay), st.finish_graceful,
                                    (rt, ns, name, cur["metadata"].get("uid")))
                t.daemon = True
                t.start()
                return 200, out
            out = st.remove(rt, cur)
            if rt.key == "/namespaces":
                for other in RESOURCES:
                    if other.namespaced and not other.virtual:
                        for (ons, _), o in sorted(st.objects[other.key].items()):
                            if ons == name:
                                st.remove(other, o)
            return 200, out

    def do_scale(self, rt, ns, name, verb, ctype, body, dry_run=False):
        st = self.store
        with st.lock:
            cur = st.get(rt, ns, name)
            if cur is None:
                raise ApiError(not_found(rt, name))
            scale = scale_of(cur)
            if verb == "patch":
                try:
                    patch = json.loads(body or b"null")
                    if ctype == "application/json-patch+json":
                        scale = json_patch(scale, patch)
                    elif ctype in ("application/merge-patch+json", "application/strategic-merge-patch+json"):
                        scale = merge_patch(scale, patch)
                    else:
                        raise ApiError(status_obj(415, "UnsupportedMediaType", "unsupported patch type %s" % ctype))
                except ValueError as e:
                    raise ApiError(status_obj(422, "Invalid", str(e)))
            elif isinstance(body, dict):
                rv = (body.get("metadata") or {}).get("resourceVersion")
                if rv and rv != cur["metadata"].get("resourceVersion"):
                    raise ApiError(conflict(rt, name))
                scale = body
            replicas = (scale.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or replicas < 0:
                raise ApiError(invalid(rt, name, "spec.replicas", "FieldValueInvalid",
                                       "Invalid value: %r: must be greater than or equal to 0" % (replicas,)))
            new = clone(cur)
            new.setdefault("spec", {})["replicas"] = replicas
            return scale_of(self.do_update(rt, ns, name, new, "", dry_run))

    def do_evict(self, ns, name, ev, user):
        st = self.store
        pods = BY_GVR[("", "v1", "pods")]
        pdbs = BY_GVR[("policy", "v1", "poddisruptionbudgets")]
        if not isinstance(ev, dict):
            raise ApiError(bad_request("not a Eviction object"))
        if (ev.get("metadata") or {}).get("name") != name:
            raise ApiError(bad_request("name in URL does not match name in Eviction object"))
        opts = ev.get("deleteOptions") or {}
        dry = "All" in (opts.get("dryRun") or [])
        with st.lock:
            pod = st.get(pods, ns, name)
            if pod is None:
                raise ApiError(not_found(pods, name))
            phase = (pod.get("status") or {}).get("phase")
            if phase in ("Succeeded", "Failed", "Pending") or pod["metadata"].get("deletionTimestamp"):
                if not dry:
                    self.do_delete(pods, ns, name, opts)
                return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}
            matching = []
            for (pns, _), pdb in sorted(st.objects[pdbs.key].items()):
                if pns != ns:
                    continue
                sel = selector_from_label_selector((pdb.get("spec") or {}).get("selector"))
                if sel is None or sel.empty() or not sel.matches(pod["metadata"].get("labels")):
                    continue
                matching.append(pdb)
            if len(matching) > 1:
                return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": "This pod has more than one PodDisruptionBudget, which the "
                                   "eviction subresource does not support.", "code": 500}
            if matching:
                pdb = matching[0]
                s = pdb.get("status") or {}
                unready_ok = (not pod_ready(pod) and s.get("currentHealthy", 0) >= s.get("desiredHealthy", 0)
                              and s.get("desiredHealthy", 0) > 0)
                if not unready_ok:
                    if s.get("observedGeneration", 0) < pdb["metadata"].get("generation", 1):
                        raise ApiError(*self._too_many(
                            10, "The disruption budget %s is still being processed by the server."
                            % pdb["metadata"]["name"]))
                    if s.get("disruptionsAllowed", 0) <= 0:
                        raise ApiError(*self._too_many(
                            0, "The disruption budget %s needs %d healthy pods and has %d currently"
                            % (pdb["metadata"]["name"], s.get("desiredHealthy", 0), s.get("currentHealthy", 0))))
                    if not dry:
                        new = clone(pdb)
                        ns_ = new["status"]
                        ns_["disruptionsAllowed"] = s.get("disruptionsAllowed", 0) - 1
                        ns_.setdefault("disruptedPods", {})[name] = now_ts()
                        st.commit(pdbs, "MODIFIED", new, pdb, hooks=False)
            if not dry:
                self.do_delete(pods, ns, name, opts)
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}

    @staticmethod
    def _too_many(retry_after, cause):
        st = status_obj(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's "
                        "disruption budget.",
                        {"causes": [{"reason": "DisruptionBudget", "message": cause}]})
        if retry_after:
            st["details"]["retryAfterSeconds"] = retry_after
        return st, ({"Retry-After": str(retry_after)} if retry_after else {})

    def do_bind(self, ns, name, binding):
        st = self.store
        pods = BY_GVR[("", "v1", "pods")]
        target = (binding or {}).get("target") or {}
        if not target.get("name"):
            raise ApiError(invalid(BY_GVR[("", "v1", "pods")], name, "target.name", "FieldValueRequired",
                                   "Required value"))
        with st.lock:
            pod = st.get(pods, ns, name)
            if pod is None:
                raise ApiError(not_found(pods, name))
            if (pod.get("spec") or {}).get("nodeName"):
                raise ApiError(conflict(pods, name, 'pod %s is already assigned to node "%s"'
                                        % (name, pod["spec"]["nodeName"])))
            new = clone(pod)
            new.setdefault("spec", {})["nodeName"] = target["name"]
            st.commit(pods, "MODIFIED", new, pod)
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}

    def do_review(self, rt, obj, user):
        obj = clone(obj) if isinstance(obj, dict) else {}
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        obj.setdefault("metadata", {})["creationTimestamp"] = None
        spec = obj.get("spec") or {}
        if rt.plural in ("selfsubjectaccessreviews", "subjectaccessreviews"):
            subject = user
            if rt.plural == "subjectaccessreviews":
                subject = User(spec.get("user", ""), spec.get("groups") or [], spec.get("uid", ""))
            ra = spec.get("resourceAttributes")
            nra = spec.get("nonResourceAttributes")
            if ra:
                rtx = BY_GVR.get((ra.get("group", ""), ra.get("version") or "v1", ra.get("resource", "")))
                ok, why = self.authz.allowed(subject, ra.get("verb", ""), ra.get("group", ""),
                                             ra.get("resource", ""), ra.get("subresource", ""),
                                             ra.get("namespace", "") if (rtx is None or rtx.namespaced) else "",
                                             ra.get("name", ""))
            elif nra:
                ok, why = self.authz.allowed(subject, nra.get("verb", ""), path=nra.get("path", ""))
            else:
                raise ApiError(invalid(rt, "", "spec.resourceAttributes", "FieldValueRequired",
                                       "Required value: exactly one of nonResourceAttributes or "
                                       "resourceAttributes must be specified"))
            obj["status"] = {"allowed": bool(ok)}
            if why:
                obj["status"]["reason"] = why
        elif rt.plural == "selfsubjectrulesreviews":
            ns = spec.get("namespace", "")
            if not self.authz.enabled or "system:masters" in user.groups:
                rr = [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]
                nr = [{"verbs": ["*"], "nonResourceURLs": ["*"]}]
            else:
                rr = [{"verbs": ["create"], "apiGroups": [g], "resources": [r]} for g, r in SELF_REVIEWS]
                nr = [{"verbs": ["get"], "nonResourceURLs": DISCOVERY_PATHS}]
                for rule, _ in self.authz.rules_for(user, ns):
                    if rule.get("nonResourceURLs"):
                        nr.append({"verbs": rule.get("verbs", []), "nonResourceURLs": rule["nonResourceURLs"]})
                    else:
                        r = {k: rule[k] for k in ("verbs", "apiGroups", "resources", "resourceNames") if rule.get(k)}
                        rr.append(r)
            obj["status"] = {"resourceRules": rr, "nonResourceRules": nr, "incomplete": False}
        elif rt.plural == "selfsubjectreviews":
            info = {"username": user.name, "groups": user.groups}
            if user.uid:
                info["uid"] = user.uid
            obj["status"] = {"userInfo": info}
        return obj


def scale_of(obj):
    """The autoscaling/v1 Scale view of a Deployment, ReplicaSet, StatefulSet or RC."""
    m = obj["metadata"]
    sel = (obj.get("spec") or {}).get("selector") or {}
    if "matchLabels" in sel or "matchExpressions" in sel:
        parts = ["%s=%s" % kv for kv in sorted((sel.get("matchLabels") or {}).items())]
        for e in sel.get("matchExpressions") or []:
            op = e.get("operator")
            if op in ("In", "NotIn"):
                parts.append("%s %s (%s)" % (e.get("key"), op.lower(), ",".join(e.get("values") or [])))
            elif op == "Exists":
                parts.append(e.get("key"))
            elif op == "DoesNotExist":
                parts.append("!" + e.get("key"))
        selector = ",".join(parts)
    else:  # ReplicationController: a plain map
        selector = ",".join("%s=%s" % kv for kv in sorted(sel.items()))
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: m[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                         if k in m},
            "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 1)},
            "status": {"replicas": (obj.get("status") or {}).get("replicas", 0), "selector": selector}}


def load_objects(path):
    with open(path) as f:
        data = json.load(f)
    if isinstance(data, list):
        return data
    if data.get("kind", "").endswith("List") and "items" in data:
        return data["items"]
    return [data]


# ---------------------------------------------------------------------------
# HTTP layer
# ---------------------------------------------------------------------------


class ClientGone(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hoist-fake-apiserver"
    sys_version = ""
    timeout = 600

    def log_message(self, fmt, *args):
        if self.server.api.opts.log_requests:
            sys.stderr.write("fake-apiserver: " + (fmt % args) + "\n")

    def setup(self):
        BaseHTTPRequestHandler.setup(self)
        try:  # headers and body go out in separate writes: never wait on delayed ACKs
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def handle_one_request(self):
        try:
            BaseHTTPRequestHandler.handle_one_request(self)
        except (ConnectionError, ssl.SSLError, socket.timeout, ClientGone, OSError):
            self.close_connection = True

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    # -- plumbing ----------------------------------------------------------------
    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                line = self.rfile.readline()
                n = int(line.split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def send_json(self, code, obj, ctype="application/json", headers=None):
        body = json.dumps(obj, separators=(",", ":")).encode() + b"\n"
        self._logged_code(code)
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self._code = code

    def _logged_code(self, code):
        """Records the status in the request log before the answer is sent."""
        self._code = code
        entry = getattr(self, "_entry", None)
        if entry is not None:
            entry["code"] = code

    def send_text(self, code, text):
        body = text.encode()
        self._logged_code(code)
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self._code = code

    def send_status(self, st, headers=None):
        self.send_json(st.get("code", 500), st, headers=headers)

    def authenticate(self):
        api = self.server.api
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            with api.tokens_lock:
                u = api.tokens.get(auth[7:].strip())
            return u
        try:
            cert = self.connection.getpeercert()
        except (AttributeError, ValueError):
            cert = None
        if cert:
            cn = None
            orgs = []
            for rdn in cert.get("subject", ()):
                for k, v in rdn:
                    if k == "commonName":
                        cn = v
                    elif k == "organizationName":
                        orgs.append(v)
            if cn:
                return User(cn, orgs)
        return None

    # -- dispatch ----------------------------------------------------------------
    def dispatch(self, method):
        api = self.server.api
        self._code = 0
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        user = None
        verb = ""
        # Logged before any answer goes out, and completed as the request is
        # handled: a client that reads /_fake/requests right after getting
        # its response must find its request there, user and status included.
        entry = {"method": method, "path": path, "query": q,
                 "contentType": self.headers.get("Content-Type", ""),
                 "accept": self.headers.get("Accept", ""), "user": None, "verb": "", "code": 0}
        self._entry = entry
        api.requests.append(entry)
        try:
            if path.startswith("/_fake/"):
                return self.admin(method, path, q, body)
            watch = q.get("watch") in ("1", "true", "True")
            delay, rule = api.faults.pick(method, path, watch)
            if delay:
                time.sleep(delay)
            if rule is not None:
                raise ApiError(*fault_status(rule))
            user = self.authenticate()
            if user is None:
                raise ApiError(status_obj(401, "Unauthorized", "Unauthorized"))
            entry["user"] = user.name
            parts = [p for p in path.split("/") if p]
            if not parts or parts[0] not in ("api", "apis") or path in ("/api", "/apis") or \
                    (parts[0] == "api" and len(parts) < 3) or (parts[0] == "apis" and len(parts) < 4):
                verb = {"GET": "get", "POST": "post", "PUT": "put", "PATCH": "patch",
                        "DELETE": "delete"}[method]
                ok, _ = api.authz.allowed(user, verb, path=path)
                if not ok:
                    raise ApiError(forbidden(user.name, verb, path=path))
                return self.nonresource(method, path, parts)
            verb = self.resource(method, path, parts, q, body, user)
        except ApiError as e:
            self.send_status(e.status, e.headers)
        except (ConnectionError, ssl.SSLError, socket.timeout, ClientGone):
            self.close_connection = True
        except Exception as e:  # a bug in the fake: still answer like a server would
            import traceback
            traceback.print_exc()
            self.send_status(status_obj(500, "InternalError", "Internal error occurred: %s" % e))
        finally:
            entry["user"] = user.name if user else None
            entry["verb"] = verb
            entry["code"] = self._code

    def nonresource(self, method, path, parts):
        api = self.server.api
        if method != "GET":
            raise ApiError(method_not_allowed())
        accept = self.headers.get("Accept", "")
        aggregated = "as=APIGroupDiscoveryList" in accept and "v=v2" in accept and \
            api.faults.knob("aggregatedDiscovery", not api.opts.no_aggregated_discovery)
        agg_type = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
        if path in ("/healthz", "/livez", "/readyz"):
            return self.send_text(200, "ok")
        if path == "/version":
            return self.send_json(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0-hoist-fake",
                                        "gitCommit": "0000000000000000000000000000000000000000",
                                        "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z",
                                        "goVersion": "go1.23.4", "compiler": "gc",
                                        "platform": "linux/amd64"})
        if path == "/api":
            if aggregated:
                return self.send_json(200, aggregated_discovery(True), agg_type)
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"],
                                        "serverAddressByClientCIDRs": [
                                            {"clientCIDR": "0.0.0.0/0",
                                             "serverAddress": "127.0.0.1:%s" % api.port}]})
        if path == "/apis":
            if aggregated:
                return self.send_json(200, aggregated_discovery(False), agg_type)
            return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1",
                                        "groups": [api_group(g) for g in GROUPS]})
        if parts == ["api", "v1"]:
            return self.send_json(200, resource_list("", "v1"))
        if len(parts) == 2 and parts[0] == "apis" and parts[1] in GROUPS:
            g = api_group(parts[1])
            g.update({"kind": "APIGroup", "apiVersion": "v1"})
            return self.send_json(200, g)
        if len(parts) == 3 and parts[0] == "apis" and parts[1] in GROUPS and parts[2] in group_versions(parts[1]):
            return self.send_json(200, resource_list(parts[1], parts[2]))
        if path == "/openapi/v3":
            return self.send_json(200, openapi_v3_index())
        if parts[:2] == ["openapi", "v3"]:
            rest = parts[2:]
            if rest == ["api", "v1"]:
                return self.send_json(200, openapi_v3_doc("", "v1"))
            if len(rest) == 3 and rest[0] == "apis" and rest[1] in GROUPS and rest[2] in group_versions(rest[1]):
                return self.send_json(200, openapi_v3_doc(rest[1], rest[2]))
        raise ApiError(not_found_path())

    def resource(self, method, path, parts, q, body, user):
        api = self.server.api
        if parts[0] == "api":
            group, version, rest = "", parts[1], parts[2:]
        else:
            group, version, rest = parts[1], parts[2], parts[3:]
        legacy_watch = False
        if rest and rest[0] == "watch":
            legacy_watch = True
            rest = rest[1:]
        ns = ""
        if rest and rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in ("status", "finalize"):
            ns = rest[1]
            rest = rest[2:]
        if not rest:
            raise ApiError(not_found_path())
        rt = BY_GVR.get((group, version, rest[0]))
        if rt is None or len(rest) > 3:
            raise ApiError(not_found_path())
        name = rest[1] if len(rest) > 1 else ""
        sub = rest[2] if len(rest) > 2 else ""
        if ns and not rt.namespaced:
            raise ApiError(not_found_path())
        if sub and sub not in [s[0] for s in rt.subs]:
            raise ApiError(not_found_path())
        watch = legacy_watch or q.get("watch") in ("1", "true", "True")
        if method == "GET":
            verb = "watch" if watch else ("get" if name else "list")
        elif method == "POST":
            verb = "create"
        elif method == "PUT":
            verb = "update"
        elif method == "PATCH":
            verb = "patch"
        else:
            verb = "delete" if name else "deletecollection"
        if verb not in rt.verbs and not sub:
            raise ApiError(method_not_allowed())
        if rt.namespaced and not ns and verb not in ("list", "watch") and not rt.virtual:
            raise ApiError(not_found_path())
        authz_name = name
        if verb in ("list", "watch"):
            fsel = q.get("fieldSelector", "")
            m = re.match(r"^metadata\.name==?([^,]+)$", fsel)
            authz_name = m.group(1) if m else ""
        ok, _ = api.authz.allowed(user, verb, group, rt.plural, sub, ns, authz_name)
        if not ok:
            raise ApiError(forbidden(user.name, verb, rt, sub, ns, name))
        dry = q.get("dryRun") == "All"
        st = api.store

        def decode():
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip()
            if ctype == "application/vnd.kubernetes.protobuf":
                try:
                    return decode_protobuf_body(body)
                except (ValueError, UnicodeDecodeError) as e:
                    raise ApiError(status_obj(415, "UnsupportedMediaType",
                                              "the fake API server cannot decode this protobuf body "
                                              "(%s); send application/json" % e))
            try:
                return json.loads(body or b"null")
            except ValueError as e:
                raise ApiError(bad_request("error decoding request body: %s" % e))

        if verb == "watch":
            self.serve_watch(rt, ns, q)
            return verb
        if verb == "list":
            items, meta = api.do_list(rt, ns, q)
            if "as=Table" in self.headers.get("Accept", ""):
                include = q.get("includeObject", "Metadata")
                tbl = {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
                       "columnDefinitions": table_columns(rt),
                       "rows": [table_row(rt, o, include) for o in items]}
                self.send_json(200, tbl, "application/json;as=Table;v=v1;g=meta.k8s.io")
                return verb
            out = []
            for o in items:
                o = dict(o)
                o.pop("apiVersion", None)
                o.pop("kind", None)
                out.append(o)
            self.send_json(200, {"kind": rt.kind + "List", "apiVersion": rt.api_version,
                                 "metadata": meta, "items": out})
            return verb
        if verb == "get":
            with st.lock:
                obj = st.get(rt, ns, name)
            if obj is None:
                raise ApiError(not_found(rt, name))
            if sub == "scale":
                self.send_json(200, scale_of(obj))
                return verb
            if sub not in ("", "status"):
                raise ApiError(method_not_allowed())
            if "as=Table" in self.headers.get("Accept", ""):
                include = q.get("includeObject", "Metadata")
                tbl = {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                       "metadata": {"resourceVersion": obj["metadata"]["resourceVersion"]},
                       "columnDefinitions": table_columns(rt), "rows": [table_row(rt, obj, include)]}
                self.send_json(200, tbl, "application/json;as=Table;v=v1;g=meta.k8s.io")
                return verb
            self.send_json(200, obj)
            return verb
        if verb == "create":
            if rt.virtual:
                self.send_json(201, api.do_review(rt, decode(), user))
            elif sub == "eviction":
                res = api.do_evict(ns, name, decode(), user)
                self.send_json(res.get("code", 201), res)
            elif sub == "binding":
                self.send_json(201, api.do_bind(ns, name, decode()))
            elif name or sub:
                raise ApiError(method_not_allowed())
            else:
                self.send_json(201, api.do_create(rt, ns, decode(), user, dry))
            return verb
        if sub == "scale" and verb in ("update", "patch"):
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip()
            self.send_json(200, api.do_scale(rt, ns, name, verb, ctype, body if verb == "patch" else decode(), dry))
            return verb
        if sub not in ("", "status"):
            raise ApiError(method_not_allowed())
        if verb == "update":
            self.send_json(200, api.do_update(rt, ns, name, decode(), sub, dry))
        elif verb == "patch":
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip()
            self.send_json(200, api.do_patch(rt, ns, name, ctype, body, sub, dry))
        elif verb == "delete":
            opts = decode() if body else {}
            if q.get("gracePeriodSeconds"):
                opts = dict(opts or {}, gracePeriodSeconds=int(q["gracePeriodSeconds"]))
            code, obj = api.do_delete(rt, ns, name, opts, dry)
            self.send_json(code, obj)
        elif verb == "deletecollection":
            items, _ = api.do_list(rt, ns, {k: v for k, v in q.items()
                                            if k in ("labelSelector", "fieldSelector")})
            opts = decode() if body else {}
            for o in items:
                try:
                    api.do_delete(rt, o["metadata"].get("namespace", ""), o["metadata"]["name"], opts, dry)
                except ApiError:
                    pass
            self.send_json(200, {"kind": rt.kind + "List", "apiVersion": rt.api_version,
                                 "metadata": {"resourceVersion": str(st.rv)}, "items": []})
        return verb

    # -- watch ---------------------------------------------------------------
    def write_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def client_gone(self):
        try:
            r, _, _ = select.select([self.connection], [], [], 0)
        except (ValueError, OSError):
            return True
        return bool(r)

    def serve_watch(self, rt, ns, q):
        api = self.server.api
        st = api.store
        ls = LabelSelector(q.get("labelSelector", ""))
        fs = FieldSelector(q.get("fieldSelector", ""), rt)
        bookmarks = q.get("allowWatchBookmarks") in ("1", "true", "True")
        timeout = float(q.get("timeoutSeconds") or api.opts.watch_timeout)
        rv_param = q.get("resourceVersion", "")
        initial_events = q.get("sendInitialEvents") in ("1", "true", "True")
        table = "as=Table" in self.headers.get("Accept", "")
        drop_after = api.faults.knob("watchDropAfterEvents")
        drop_mode = api.faults.knob("watchDropMode", "close")

        def visible(o):
            if o is None:
                return False
            k = objkey(o)
            if rt.namespaced and ns and k[0] != ns:
                return False
            return ls.matches(o["metadata"].get("labels")) and fs.matches(o)

        def kind_obj(o):
            if not table:
                return o
            t = {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
                 "metadata": {"resourceVersion": o["metadata"].get("resourceVersion", "")},
                 "rows": [table_row(rt, o, q.get("includeObject", "Metadata"))]}
            if first_table[0]:
                t["columnDefinitions"] = table_columns(rt)
                first_table[0] = False
            return t

        first_table = [True]
        pending = []
        with st.lock:
            epoch = st.watch_epoch
            if rv_param in ("", "0") or initial_events:
                # "Start at most recent": the current state as ADDED events first.
                for k in sorted(st.objects[rt.key]):
                    o = st.objects[rt.key][k]
                    if visible(o):
                        pending.append({"type": "ADDED", "object": o})
                cursor = st.rv
                if initial_events:
                    pending.append({"type": "BOOKMARK", "object": {
                        "kind": rt.kind, "apiVersion": rt.api_version,
                        "metadata": {"resourceVersion": str(st.rv), "creationTimestamp": None,
                                     "annotations": {"k8s.io/initial-events-end": "true"}}}})
            else:
                try:
                    cursor = int(rv_param)
                except ValueError:
                    raise ApiError(bad_request("invalid resourceVersion %r" % rv_param))
                if cursor < st.floor:
                    gone = expired("too old resource version: %d (%d)" % (cursor, st.floor))
                    if api.faults.knob("watch410AsHTTP"):
                        raise ApiError(gone)
                    pending.append({"type": "ERROR", "object": gone})
                    cursor = None
        self._logged_code(200)
        self.send_response(200)
        self.send_header("Content-Type", "application/json;as=Table;v=v1;g=meta.k8s.io"
                         if table else "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self._code = 200
        sent = 0
        deadline = time.time() + timeout
        last_write = time.time()
        abrupt = False
        try:
            while True:
                for ev in pending:
                    if ev["type"] in ("ADDED", "MODIFIED", "DELETED"):
                        ev = {"type": ev["type"], "object": kind_obj(ev["object"])}
                    self.write_chunk(json.dumps(ev, separators=(",", ":")).encode() + b"\n")
                    last_write = time.time()
                    if ev["type"] != "BOOKMARK":
                        sent += 1
                    if drop_after is not None and sent >= int(drop_after):
                        abrupt = drop_mode == "close"
                        return
                if cursor is None:
                    return
                pending = []
                now = time.time()
                if now >= deadline:
                    return
                if self.client_gone():
                    raise ClientGone()
                with st.lock:
                    if st.watch_epoch != epoch:
                        abrupt = True
                        return
                    if cursor < st.floor:
                        pending.append({"type": "ERROR", "object": expired(
                            "too old resource version: %d (%d)" % (cursor, st.floor))})
                        cursor = None
                        continue
                    evs = st.events_after(cursor)
                    if not evs:
                        wait = min(deadline - now, 0.5)
                        if bookmarks:
                            wait = min(wait, max(0.01, last_write + self.server.api.bookmark_interval - now))
                        st.cond.wait(max(0.01, wait))
                        evs = st.events_after(cursor)
                    for ev in evs:
                        cursor = ev.rv
                        if ev.rkey != rt.key:
                            continue
                        was, now_vis = visible(ev.old), visible(ev.obj)
                        if ev.etype == "ADDED" and now_vis:
                            pending.append({"type": "ADDED", "object": ev.obj})
                        elif ev.etype == "DELETED" and was:
                            pending.append({"type": "DELETED", "object": ev.obj})
                        elif ev.etype == "MODIFIED":
                            if was and now_vis:
                                pending.append({"type": "MODIFIED", "object": ev.obj})
                            elif now_vis:
                                pending.append({"type": "ADDED", "object": ev.obj})
                            elif was:
                                pending.append({"type": "DELETED", "object": ev.obj})
                    if not pending and bookmarks and time.time() - last_write >= api.bookmark_interval:
                        pending.append({"type": "BOOKMARK", "object": {
                            "kind": rt.kind, "apiVersion": rt.api_version,
                            "metadata": {"resourceVersion": str(cursor), "creationTimestamp": None}}})
        finally:
            self.close_connection = True
            if abrupt:
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            else:
                try:
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except OSError:
                    pass

    # -- admin -----------------------------------------------------------------
    def admin(self, method, path, q, body):
        api = self.server.api
        self._code = 0
        data = json.loads(body) if body else None
        if path == "/_fake/faults":
            if method == "GET":
                return self.send_json(200, api.faults.get())
            if method == "DELETE":
                api.faults.set({})
            else:
                api.faults.set(data or {})
            return self.send_json(200, api.faults.get())
        if path == "/_fake/compact" and method == "POST":
            floor = api.store.compact((data or {}).get("resourceVersion"))
            return self.send_json(200, {"compactedResourceVersion": str(floor)})
        if path == "/_fake/watches/drop" and method == "POST":
            api.store.drop_watches()
            return self.send_json(200, {})
        if path == "/_fake/objects" and method in ("POST", "PUT"):
            objs = data if isinstance(data, list) else (
                data.get("items") if data.get("kind", "").endswith("List") else [data])
            out = api.admin_apply_many(objs)
            return self.send_json(200, {"kind": "List", "apiVersion": "v1", "items": out})
        if path == "/_fake/delete" and method == "POST":
            objs = data if isinstance(data, list) else [data]
            out = [api.admin_delete(o) for o in objs]
            return self.send_json(200, {"kind": "List", "apiVersion": "v1", "items": out})
        if path == "/_fake/state" and method == "GET":
            with api.store.lock:
                items = []
                for rt in RESOURCES:
                    if q.get("resource") and q["resource"] != rt.plural:
                        continue
                    for k in sorted(api.store.objects[rt.key]):
                        items.append(api.store.objects[rt.key][k])
                return self.send_json(200, {"kind": "List", "apiVersion": "v1",
                                            "metadata": {"resourceVersion": str(api.store.rv)},
                                            "items": items})
        if path == "/_fake/requests":
            if method == "DELETE":
                api.requests.clear()
                return self.send_json(200, [])
            return self.send_json(200, list(api.requests))
        if path == "/_fake/tokens" and method == "POST":
            with api.tokens_lock:
                for t in (data or {}).get("add") or []:
                    api.tokens[t["token"]] = User(t["user"], t.get("groups") or [], t.get("uid", ""))
                for t in (data or {}).get("remove") or []:
                    api.tokens.pop(t, None)
            return self.send_json(200, {})
        if path == "/_fake/settings" and method == "POST":
            if "podDeletionDelaySeconds" in (data or {}):
                api.store.pod_deletion_delay = float(data["podDeletionDelaySeconds"])
            if "bookmarkIntervalSeconds" in (data or {}):
                api.bookmark_interval = float(data["bookmarkIntervalSeconds"])
            return self.send_json(200, {})
        raise ApiError(not_found_path())


def fault_status(rule):
    code = int(rule["status"])
    headers = {}
    if code == 429:
        ra = int(rule.get("retryAfterSeconds", 1))
        headers["Retry-After"] = str(ra)
        st = status_obj(429, "TooManyRequests", "Too many requests, please try again later.",
                        {"retryAfterSeconds": ra})
    elif code == 503:
        st = status_obj(503, "ServiceUnavailable", "the server is currently unable to handle the request")
        if rule.get("retryAfterSeconds"):
            headers["Retry-After"] = str(int(rule["retryAfterSeconds"]))
    elif code == 410:
        st = expired(rule.get("message", "too old resource version"))
    elif code == 504:
        st = status_obj(504, "Timeout", "the server was unable to return a response in the time allotted")
    else:
        st = status_obj(code, "InternalError", "Internal error occurred: injected fault",
                        {"causes": [{"message": "injected fault"}]})
    return st, headers


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # dropped connections and TLS handshakes gone wrong are routine here


# ---------------------------------------------------------------------------
# Certificates (openssl CLI) and kubeconfig
# ---------------------------------------------------------------------------


def _openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_client_cert(certdir, user, groups=(), prefix=None):
    """Issues a client certificate (CN=user, O=each group) from the CA in certdir.
    Returns (cert path, key path)."""
    prefix = prefix or "client-" + re.sub(r"[^A-Za-z0-9_.-]", "_", user)
    subj = "/CN=" + user + "".join("/O=" + g for g in groups)
    ext = os.path.join(certdir, prefix + ".ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=clientAuth\n")
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", prefix + ".key", "-out", prefix + ".csr", "-subj", subj, cwd=certdir)
    _openssl("x509", "-req", "-in", prefix + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-set_serial", str(random.randint(1, 2 ** 62)), "-days", "2",
             "-out", prefix + ".crt", "-extfile", ext, cwd=certdir)
    return os.path.join(certdir, prefix + ".crt"), os.path.join(certdir, prefix + ".key")


def make_certs(certdir):
    """Makes ca.crt/ca.key and server.crt/server.key (for 127.0.0.1, ::1,
    localhost and the in-cluster names) in certdir unless they exist."""
    os.makedirs(certdir, exist_ok=True)
    if all(os.path.exists(os.path.join(certdir, f)) for f in ("ca.crt", "server.crt", "server.key")):
        return
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=hoist-fake-ca",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=certdir)
    with open(os.path.join(certdir, "server.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost,DNS:kubernetes,"
                "DNS:kubernetes.default,DNS:kubernetes.default.svc,"
                "DNS:kubernetes.default.svc.cluster.local\n")
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=kube-apiserver", cwd=certdir)
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-set_serial", str(random.randint(1, 2 ** 62)), "-days", "2",
             "-out", "server.crt", "-extfile", "server.ext", cwd=certdir)


def write_kubeconfig(path, port, ca, token=None, client_cert=None, client_key=None,
                     namespace="default", proxy_url=None):
    q = json.dumps
    user = []
    if token:
        user.append("    token: %s" % q(token))
    if client_cert:
        user.append("    client-certificate: %s" % q(os.path.abspath(client_cert)))
        user.append("    client-key: %s" % q(os.path.abspath(client_key)))
    text = "\n".join([
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: hoist-fake",
        "  cluster:",
        "    server: %s" % q("https://127.0.0.1:%d" % port),
        "    certificate-authority: %s" % q(os.path.abspath(ca))] + (
        ["    proxy-url: %s" % q(proxy_url)] if proxy_url else []) + [
        "users:",
        "- name: hoist-fake-user",
        "  user:"] + (user or ["    {}"]) + [
        "contexts:",
        "- name: hoist-fake",
        "  context:",
        "    cluster: hoist-fake",
        "    user: hoist-fake-user",
        "    namespace: %s" % q(namespace),
        "current-context: hoist-fake",
        ""])
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(description="Fake Kubernetes API server for hoist's tests")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on stdout)")
    p.add_argument("--certdir", help="where ca.crt/server.crt/server.key live or are made; "
                                     "without it the server speaks plain HTTP")
    p.add_argument("--token", help="bearer token accepted for --user")
    p.add_argument("--user", default="hoist-test", help="user name the --token authenticates as")
    p.add_argument("--groups", default="", help="comma-separated groups for --user")
    p.add_argument("--token-file", help="CSV token,user,uid,\"group1,group2\" like kube-apiserver's")
    p.add_argument("--rbac", help="JSON List of Roles/ClusterRoles/bindings; enables RBAC "
                                  "(without it every authenticated user may do anything)")
    p.add_argument("--seed", help="JSON List of objects to start with")
    p.add_argument("--write-kubeconfig", help="write a kubeconfig for --token here")
    p.add_argument("--history-size", type=int, default=100000, help="watch events kept for resuming")
    p.add_argument("--pod-deletion-delay", type=float, default=0.0,
                   help="seconds a deleted pod bound to a node lingers with deletionTimestamp (0: gone at once)")
    p.add_argument("--bookmark-interval", type=float, default=5.0)
    p.add_argument("--watch-timeout", type=float, default=1800.0,
                   help="watch length when the client gives no timeoutSeconds")
    p.add_argument("--faults", help="initial fault configuration (JSON, as POST /_fake/faults)")
    p.add_argument("--no-aggregated-discovery", action="store_true",
                   help="answer /api and /apis only with the legacy documents")
    p.add_argument("--log-requests", action="store_true")
    return p.parse_args(argv)


def serve(opts):
    api = FakeApiServer(opts)
    srv = Server((opts.host, opts.port), Handler)
    srv.api = api
    api.port = srv.server_address[1]
    if opts.certdir:
        make_certs(opts.certdir)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(opts.certdir, "server.crt"),
                            os.path.join(opts.certdir, "server.key"))
        ctx.load_verify_locations(os.path.join(opts.certdir, "ca.crt"))
        ctx.verify_mode = ssl.CERT_OPTIONAL
        ctx.set_alpn_protocols(["http/1.1"])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True, do_handshake_on_connect=False)
    if opts.write_kubeconfig:
        if not opts.certdir:
            sys.exit("--write-kubeconfig needs --certdir")
        write_kubeconfig(opts.write_kubeconfig, api.port, os.path.join(opts.certdir, "ca.crt"),
                         token=opts.token)
    return srv


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    srv = serve(opts)
    sys.stdout.write("%d\n" % srv.server_address[1])
    sys.stdout.flush()
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
