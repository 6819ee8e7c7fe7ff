#!/usr/bin/env python3
"""Checks the fake Kubernetes API server with the real kubectl.

A fake that only hoist has talked to proves nothing, so every test here
starts from what the machine's `kubectl` (1.32) does against the fake and
asserts on what kubectl prints; a few raw HTTPS requests cover what kubectl
cannot show (watch 410 after compaction, Status shapes, faults).

These tests must never touch a real cluster or the user's ~/.kube: kubectl
always gets an explicit --kubeconfig and --cache-dir inside a temp dir, and
HOME points there too. They must not sleep for fixed times where polling
works, and must stay well under a minute and a half on a slow 2-core box.
"""

import http.client
import json
import os
import select
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import kube_apiserver as fake  # noqa: E402

KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
ADMIN_TOKEN = "admin-token-7f3a"
VIEWER_TOKEN = "viewer-token-91c2"


def ready_pod(name, ns, node, labels=None, owner=None, volumes=None, phase="Running"):
    meta = {"name": name, "namespace": ns, "labels": labels or {}}
    if owner:
        kind, oname = owner
        meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": kind, "name": oname,
                                    "uid": "uid-" + oname, "controller": True,
                                    "blockOwnerDeletion": True}]
    spec = {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10"}]}
    if node:
        spec["nodeName"] = node
    if volumes:
        spec["volumes"] = volumes
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec,
            "status": {"phase": phase, "conditions": [{"type": "Ready", "status": "True"}]}}


def node(name, labels=None):
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": dict({"kubernetes.io/hostname": name}, **(labels or {}))},
            "spec": {"providerID": "aws:///us-east-1a/i-" + name},
            "status": {"conditions": [{"type": "Ready", "status": "True"}],
                       "allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"},
                       "nodeInfo": {"kubeletVersion": "v1.32.0"}}}


def seed_objects():
    objs = [node("n1"), node("n2"), node("n3", {"pool": "spot"})]
    # drain: n1 carries a PDB-protected pod, an emptyDir pod and a DaemonSet pod.
    objs.append({"apiVersion": "apps/v1", "kind": "DaemonSet",
                 "metadata": {"name": "agent", "namespace": "kube-system"},
                 "spec": {"selector": {"matchLabels": {"app": "agent"}},
                          "template": {"metadata": {"labels": {"app": "agent"}},
                                       "spec": {"containers": [{"name": "c", "image": "x"}]}}}})
    objs.append(ready_pod("agent-n1", "kube-system", "n1", {"app": "agent"}, ("DaemonSet", "agent")))
    objs.append({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                 "metadata": {"name": "web", "namespace": "shop"},
                 "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                          "template": {"metadata": {"labels": {"app": "web"}},
                                       "spec": {"containers": [{"name": "c", "image": "x"}]}}}})
    objs.append(ready_pod("web-1", "shop", "n1", {"app": "web", "tier": "front"}, ("ReplicaSet", "web")))
    objs.append(ready_pod("cache-1", "shop", "n1", {"app": "cache", "env": "a"}, ("ReplicaSet", "cache"),
                          volumes=[{"name": "scratch", "emptyDir": {}}]))
    objs.append({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                 "metadata": {"name": "web", "namespace": "shop"},
                 "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}})
    # selectors: pods on n2 and n3 with assorted labels and phases.
    objs.append(ready_pod("db-1", "sel", "n2", {"app": "db", "tier": "db", "env": "b"}, ("ReplicaSet", "db")))
    objs.append(ready_pod("api-1", "sel", "n2", {"app": "api", "env": "c", "gone": "x"}, ("ReplicaSet", "api")))
    objs.append(ready_pod("batch-1", "sel", "n3", {"app": "batch"}, phase="Succeeded"))
    # pagination: 7 pods in their own namespace.
    for i in range(7):
        objs.append(ready_pod("page-%d" % i, "paged", "n3", {"app": "paged"}))
    # watch: one pod to start from.
    objs.append(ready_pod("w0", "watchns", "n3", {"app": "w"}))
    return {"apiVersion": "v1", "kind": "List", "items": objs}


RBAC = {"apiVersion": "v1", "kind": "List", "items": [
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
     "metadata": {"name": "everything"},
     "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
               {"nonResourceURLs": ["*"], "verbs": ["*"]}]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
     "metadata": {"name": "admin-everything"},
     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "everything"},
     "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "admin"}]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
     "metadata": {"name": "pod-reader"},
     "rules": [{"apiGroups": [""], "resources": ["pods", "nodes"], "verbs": ["get", "list", "watch"]}]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
     "metadata": {"name": "viewer-pods"},
     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "pod-reader"},
     "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "viewer"}]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
     "metadata": {"name": "lease-writer", "namespace": "kube-system"},
     "rules": [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
                "verbs": ["get", "create", "update"]}]},
    {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
     "metadata": {"name": "viewer-leases", "namespace": "kube-system"},
     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "lease-writer"},
     "subjects": [{"kind": "User", "name": "viewer"}]},
]}


def wait_for(pred, timeout=30.0, what="condition"):
    deadline = time.time() + timeout
    delay = 0.02
    while True:
        v = pred()
        if v:
            return v
        if time.time() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(delay)
        delay = min(delay * 2, 0.3)


def json_stream(text):
    """Decodes concatenated JSON documents (what `kubectl get -w -o json` prints)."""
    dec = json.JSONDecoder()
    out = []
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        try:
            obj, i = dec.raw_decode(text, i)
        except ValueError:
            return out  # a document still being written
        out.append(obj)


class FakeApiServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="hoist-fake-kube-")
        cls.certdir = os.path.join(cls.tmp, "certs")
        seed = os.path.join(cls.tmp, "seed.json")
        rbac = os.path.join(cls.tmp, "rbac.json")
        tokens = os.path.join(cls.tmp, "tokens.csv")
        with open(seed, "w") as f:
            json.dump(seed_objects(), f)
        with open(rbac, "w") as f:
            json.dump(RBAC, f)
        with open(tokens, "w") as f:
            f.write('%s,viewer,uid-viewer,"viewers"\n' % VIEWER_TOKEN)
        cls.kubeconfig = os.path.join(cls.tmp, "admin.kubeconfig")
        cls.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "kube_apiserver.py"), "--port", "0",
             "--certdir", cls.certdir, "--token", ADMIN_TOKEN, "--user", "admin",
             "--token-file", tokens, "--rbac", rbac, "--seed", seed,
             "--bookmark-interval", "0.5", "--write-kubeconfig", cls.kubeconfig],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        r, _, _ = select.select([cls.proc.stdout], [], [], 60)
        line = cls.proc.stdout.readline() if r else ""
        if not line.strip().isdigit():
            cls.proc.kill()
            raise RuntimeError("fake API server did not start: %r %s" % (line, cls.proc.stderr.read()))
        cls.port = int(line)
        cls.ca = os.path.join(cls.certdir, "ca.crt")
        cls.viewer_kubeconfig = os.path.join(cls.tmp, "viewer.kubeconfig")
        fake.write_kubeconfig(cls.viewer_kubeconfig, cls.port, cls.ca, token=VIEWER_TOKEN)
        cls.bad_kubeconfig = os.path.join(cls.tmp, "bad.kubeconfig")
        fake.write_kubeconfig(cls.bad_kubeconfig, cls.port, cls.ca, token="not-a-token")
        cls.sslctx = ssl.create_default_context(cafile=cls.ca)

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        try:
            cls.proc.wait(10)
        except subprocess.TimeoutExpired:
            cls.proc.kill()
        cls.proc.stdout.close()
        cls.proc.stderr.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------
    def env(self):
        e = dict(os.environ)
        e["HOME"] = self.tmp
        e.pop("KUBECONFIG", None)
        return e

    def kubectl(self, *args, kubeconfig=None, ok=True, timeout=60, cache=None, stdin=None):
        cmd = [KUBECTL, "--kubeconfig", kubeconfig or self.kubeconfig,
               "--cache-dir", cache or os.path.join(self.tmp, "cache")] + list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=self.env(),
                           input=stdin)
        if ok is True and p.returncode != 0:
            self.fail("%s failed (%d):\n%s%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
        if ok is False and p.returncode == 0:
            self.fail("%s unexpectedly succeeded:\n%s" % (" ".join(args), p.stdout))
        return p

    def api(self, method, path, body=None, token=ADMIN_TOKEN, ctype="application/json", headers=None):
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request("https://127.0.0.1:%d%s" % (self.port, path), data=data,
                                     method=method)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        if data is not None:
            req.add_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, context=self.sslctx, timeout=30) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw.strip() else None), r.headers
        except urllib.error.HTTPError as e:
            raw = e.read()
            return e.code, (json.loads(raw) if raw.strip() else None), e.headers

    def admin(self, path, body=None, method="POST"):
        code, out, _ = self.api(method, "/_fake/" + path, body, token=None)
        self.assertEqual(code, 200, out)
        return out

    def names(self, out):
        return sorted(line.strip() for line in out.splitlines() if line.strip())

    # -- get ---------------------------------------------------------------
    def test_get_nodes_and_pods_json_and_name(self):
        p = self.kubectl("get", "nodes,pods", "-A", "-o", "json")
        doc = json.loads(p.stdout)
        self.assertEqual(doc["kind"], "List")
        kinds = {(i["kind"], i["metadata"]["name"]) for i in doc["items"]}
        for n in ("n1", "n2", "n3"):
            self.assertIn(("Node", n), kinds)
        self.assertIn(("Pod", "w0"), kinds)
        self.assertIn(("Pod", "page-6"), kinds)
        pod = next(i for i in doc["items"] if i["metadata"]["name"] == "db-1")
        self.assertEqual(pod["apiVersion"], "v1")
        self.assertTrue(int(pod["metadata"]["resourceVersion"]) > 0)
        self.assertEqual(pod["spec"]["nodeName"], "n2")
        p = self.kubectl("get", "nodes,pods", "-A", "-o", "name")
        lines = self.names(p.stdout)
        self.assertIn("node/n1", lines)
        self.assertIn("pod/page-3", lines)
        p = self.kubectl("get", "nodes")
        self.assertRegex(p.stdout, r"NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION")
        self.assertRegex(p.stdout, r"n2\s+Ready\s+<none>\s+\S+\s+v1.32.0")

    def test_legacy_discovery_fallback(self):
        self.admin("faults", {"aggregatedDiscovery": False})
        try:
            cache = os.path.join(self.tmp, "cache-legacy")
            p = self.kubectl("get", "pdb", "-n", "shop", "-o", "name", cache=cache)
            self.assertEqual(self.names(p.stdout), ["poddisruptionbudget.policy/web"])
            p = self.kubectl("api-resources", "--api-group=policy", "-o", "name", cache=cache)
            self.assertIn("poddisruptionbudgets.policy", p.stdout)
            reqs = self.admin("requests", method="GET")
            self.assertTrue(any(r["path"] == "/apis/policy/v1" for r in reqs), "no legacy group discovery")
        finally:
            self.admin("faults", method="DELETE")

    # -- watch ---------------------------------------------------------------
    def test_get_watch_sees_new_pod(self):
        cmd = [KUBECTL, "--kubeconfig", self.kubeconfig, "--cache-dir", os.path.join(self.tmp, "cache"),
               "get", "pods", "-n", "watchns", "--watch", "-o", "json"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.env())
        buf = []
        reader = threading.Thread(target=lambda: [buf.append(c) for c in iter(lambda: proc.stdout.read(1), "")],
                                  daemon=True)
        reader.start()
        try:
            def seen(name):
                return any(o.get("metadata", {}).get("name") == name for o in json_stream("".join(buf)))
            wait_for(lambda: seen("w0"), what="initial list in kubectl --watch")
            pod = ready_pod("w1", "watchns", None, {"app": "w"})
            del pod["status"]
            p = self.kubectl("create", "-f", "-", stdin=json.dumps(pod))
            self.assertIn("pod/w1 created", p.stdout)
            wait_for(lambda: seen("w1"), what="watch event for w1")
            w1 = [o for o in json_stream("".join(buf)) if o["metadata"]["name"] == "w1"][0]
            self.assertEqual(w1["status"]["phase"], "Pending")  # create resets status
            self.kubectl("label", "pod", "-n", "watchns", "w1", "seen=yes")
            wait_for(lambda: any(o["metadata"].get("labels", {}).get("seen") == "yes"
                                 for o in json_stream("".join(buf))), what="MODIFIED event")
        finally:
            proc.terminate()
            proc.wait(10)
            proc.stdout.close()
            proc.stderr.close()

    def test_storageclasses_discovery_get_watch_and_defaults(self):
        p = self.kubectl("api-resources", "--api-group=storage.k8s.io", "-o", "name")
        self.assertIn("storageclasses.storage.k8s.io", p.stdout.split())
        cmd = [KUBECTL, "--kubeconfig", self.kubeconfig, "--cache-dir", os.path.join(self.tmp, "cache"),
               "get", "storageclass", "--watch", "-o", "json"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.env())
        buf = []
        reader = threading.Thread(target=lambda: [buf.append(c) for c in iter(lambda: proc.stdout.read(1), "")],
                                  daemon=True)
        reader.start()
        try:
            gp3 = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                   "metadata": {"name": "gp3",
                                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
                   "provisioner": "ebs.csi.aws.com", "volumeBindingMode": "WaitForFirstConsumer",
                   "allowVolumeExpansion": True, "parameters": {"type": "gp3"}}
            p = self.kubectl("create", "-f", "-", stdin=json.dumps(gp3))
            self.assertEqual(p.stdout.strip(), "storageclass.storage.k8s.io/gp3 created")
            wait_for(lambda: any(o.get("metadata", {}).get("name") == "gp3"
                                 for o in json_stream("".join(buf))), what="watch event for gp3")
            # The API server's defaults for what the manifest leaves out.
            slow = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                    "metadata": {"name": "slow"}, "provisioner": "kubernetes.io/no-provisioner"}
            self.kubectl("create", "-f", "-", stdin=json.dumps(slow))
            p = self.kubectl("get", "storageclass", "-o", "json")
            got = {o["metadata"]["name"]: o for o in json.loads(p.stdout)["items"]}
            self.assertEqual(sorted(got), ["gp3", "slow"])
            self.assertEqual(got["gp3"]["kind"], "StorageClass")
            self.assertEqual(got["gp3"]["apiVersion"], "storage.k8s.io/v1")
            self.assertEqual(got["gp3"]["volumeBindingMode"], "WaitForFirstConsumer")
            self.assertEqual(got["gp3"]["parameters"], {"type": "gp3"})
            self.assertEqual(got["slow"]["reclaimPolicy"], "Delete")
            self.assertEqual(got["slow"]["volumeBindingMode"], "Immediate")
            p = self.kubectl("get", "sc")
            lines = p.stdout.splitlines()
            self.assertEqual(lines[0].split(), ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE",
                                                "ALLOWVOLUMEEXPANSION", "AGE"])
            row = [line.split() for line in lines if line.startswith("gp3")][0]
            self.assertEqual(row[:6], ["gp3", "(default)", "ebs.csi.aws.com", "Delete",
                                       "WaitForFirstConsumer", "true"])
            # provisioner is required.
            bad = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "bad"}}
            p = self.kubectl("create", "-f", "-", stdin=json.dumps(bad), ok=False)
            self.assertIn("provisioner: Required value", p.stderr)
            p = self.kubectl("delete", "storageclass", "slow")
            self.assertEqual(p.stdout.strip(), 'storageclass.storage.k8s.io "slow" deleted')
            p = self.kubectl("get", "sc", "-o", "name")
            self.assertEqual(self.names(p.stdout), ["storageclass.storage.k8s.io/gp3"])
        finally:
            proc.terminate()
            proc.wait(10)
            proc.stdout.close()
            proc.stderr.close()

    def test_connect_proxy_checked_by_kubectl(self):
        """connect_proxy.py (the stand-in for a kubeconfig's proxy-url in
        hoist's tests) carries kubectl's requests, HTTP CONNECT and SOCKS5."""
        for mode in ("http", "socks5"):
            log = os.path.join(self.tmp, "proxy-%s.log" % mode)
            args = [sys.executable, os.path.join(HERE, "connect_proxy.py"), "--log", log]
            if mode == "socks5":
                args.append("--socks5")
            proxy = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            try:
                line = proxy.stdout.readline()
                self.assertTrue(line.startswith("PORT "), line)
                kc = os.path.join(self.tmp, "proxy-%s.kubeconfig" % mode)
                fake.write_kubeconfig(kc, self.port, self.ca, token=ADMIN_TOKEN,
                                      proxy_url="%s://127.0.0.1:%s" % (mode, line.split()[1]))
                p = self.kubectl("get", "nodes", "-o", "name", kubeconfig=kc,
                                 cache=os.path.join(self.tmp, "cache-proxy-" + mode))
                self.assertIn("node/n1", p.stdout.split())
                with open(log) as f:
                    tunnels = f.read().splitlines()
                self.assertTrue(tunnels)
                want = ("CONNECT 127.0.0.1:%d" % self.port if mode == "http"
                        else "SOCKS5 ipv4 127.0.0.1 %d" % self.port)
                self.assertEqual(set(tunnels), {want})
            finally:
                proxy.stdin.close()
                proxy.wait(10)
                proxy.stdout.close()

    def test_raw_watch_bookmarks_timeout_and_410_after_compaction(self):
        code, lst, _ = self.api("GET", "/api/v1/namespaces/default/configmaps")
        self.assertEqual(code, 200)
        rv0 = lst["metadata"]["resourceVersion"]
        for i in range(2):
            code, _, _ = self.api("POST", "/api/v1/namespaces/default/configmaps",
                                  {"apiVersion": "v1", "kind": "ConfigMap",
                                   "metadata": {"name": "cm-%d" % i}, "data": {"k": str(i)}})
            self.assertEqual(code, 201)
        # Resuming from rv0 replays both creations, then a bookmark, then ends on timeoutSeconds.
        t0 = time.time()
        req = urllib.request.Request("https://127.0.0.1:%d/api/v1/namespaces/default/configmaps?watch=1"
                                     "&resourceVersion=%s&allowWatchBookmarks=true&timeoutSeconds=2"
                                     % (self.port, rv0), headers={"Authorization": "Bearer " + ADMIN_TOKEN})
        with urllib.request.urlopen(req, context=self.sslctx, timeout=30) as r:
            self.assertEqual(r.headers.get("Transfer-Encoding"), "chunked")
            events = [json.loads(line) for line in r.read().splitlines() if line.strip()]
        self.assertLess(time.time() - t0, 15)
        types = [e["type"] for e in events]
        self.assertEqual(types[:2], ["ADDED", "ADDED"], events)
        self.assertEqual([e["object"]["metadata"]["name"] for e in events[:2]], ["cm-0", "cm-1"])
        self.assertIn("BOOKMARK", types)
        bm = [e for e in events if e["type"] == "BOOKMARK"][0]
        self.assertEqual(bm["object"]["kind"], "ConfigMap")
        self.assertGreaterEqual(int(bm["object"]["metadata"]["resourceVersion"]),
                                int(events[1]["object"]["metadata"]["resourceVersion"]))
        # Compaction makes rv0 too old: an ERROR event carrying a 410 Status.
        self.admin("compact", {})
        req = urllib.request.Request("https://127.0.0.1:%d/api/v1/namespaces/default/configmaps?watch=true"
                                     "&resourceVersion=%s" % (self.port, rv0),
                                     headers={"Authorization": "Bearer " + ADMIN_TOKEN})
        with urllib.request.urlopen(req, context=self.sslctx, timeout=30) as r:
            events = [json.loads(line) for line in r.read().splitlines() if line.strip()]
        self.assertEqual(len(events), 1, events)
        self.assertEqual(events[0]["type"], "ERROR")
        st = events[0]["object"]
        self.assertEqual((st["kind"], st["code"], st["reason"], st["status"]), ("Status", 410, "Expired", "Failure"))
        self.assertIn("too old resource version", st["message"])
        # The same, as an HTTP 410 on the initial request when the knob says so.
        self.admin("faults", {"watch410AsHTTP": True})
        try:
            code, st, _ = self.api("GET", "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=" + rv0)
            self.assertEqual((code, st["reason"]), (410, "Expired"))
        finally:
            self.admin("faults", method="DELETE")
        # A list continue token from before the compaction is expired too.
        code, page, _ = self.api("GET", "/api/v1/namespaces/paged/pods?limit=2")
        self.assertIn("continue", page["metadata"])
        self.admin("compact", {})
        self.api("POST", "/api/v1/namespaces/default/configmaps",
                 {"metadata": {"name": "cm-after"}, "data": {}})
        self.admin("compact", {})
        code, st, _ = self.api("GET", "/api/v1/namespaces/paged/pods?limit=2&continue="
                               + page["metadata"]["continue"])
        self.assertEqual((code, st["reason"]), (410, "Expired"))

    def test_watch_drop_fault(self):
        self.admin("faults", {"watchDropAfterEvents": 2, "watchDropMode": "end"})
        try:
            req = urllib.request.Request("https://127.0.0.1:%d/api/v1/namespaces/paged/pods?watch=1"
                                         "&timeoutSeconds=20" % self.port,
                                         headers={"Authorization": "Bearer " + ADMIN_TOKEN})
            t0 = time.time()
            with urllib.request.urlopen(req, context=self.sslctx, timeout=30) as r:
                events = [json.loads(line) for line in r.read().splitlines() if line.strip()]
            self.assertEqual([e["type"] for e in events], ["ADDED", "ADDED"])
            self.assertLess(time.time() - t0, 10)
        finally:
            self.admin("faults", method="DELETE")
        # Cutting every open watch at once ends a stream that would run 60 s.
        req = urllib.request.Request("https://127.0.0.1:%d/api/v1/namespaces/paged/pods?watch=1"
                                     "&timeoutSeconds=60" % self.port,
                                     headers={"Authorization": "Bearer " + ADMIN_TOKEN})
        t0 = time.time()
        with urllib.request.urlopen(req, context=self.sslctx, timeout=30) as r:
            first = json.loads(r.readline())
            self.assertEqual(first["type"], "ADDED")
            self.admin("watches/drop", {})
            try:
                rest = r.read()
            except (http.client.IncompleteRead, ConnectionError) as e:
                rest = getattr(e, "partial", b"")
        self.assertLess(time.time() - t0, 20)
        self.assertEqual(len([l for l in rest.splitlines() if l.strip()]), 6)

    def test_reflector_converges_through_churn_drops_and_compactions(self):
        """A client-go-style list+watch cache ends equal to the server's state."""
        import random
        base = "/api/v1/namespaces/churn/configmaps"
        hdr = {"Authorization": "Bearer " + ADMIN_TOKEN}
        self.admin("objects", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "churn"}})
        cache, stats, stop = {}, {"relists": 0, "rewatches": 0}, threading.Event()
        hold, held = threading.Event(), threading.Event()

        def conn():
            return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.sslctx, timeout=30)

        def relist():
            stats["relists"] += 1
            items, cont = {}, ""
            while True:
                c = conn()
                c.request("GET", base + "?limit=7" + ("&continue=" + cont if cont else ""), headers=hdr)
                r = c.getresponse()
                page = json.loads(r.read())
                c.close()
                if r.status == 410:
                    items, cont = {}, ""
                    continue
                for o in page["items"]:
                    items[o["metadata"]["name"]] = o
                cont = page["metadata"].get("continue", "")
                if not cont:
                    cache.clear()
                    cache.update(items)
                    return page["metadata"]["resourceVersion"]

        def reflector():
            rv = relist()
            while not stop.is_set():
                if hold.is_set():
                    held.set()
                    while hold.is_set():
                        time.sleep(0.01)
                    held.clear()
                stats["rewatches"] += 1
                c = conn()
                try:
                    c.request("GET", base + "?watch=1&allowWatchBookmarks=true&timeoutSeconds=2"
                              "&resourceVersion=" + rv, headers=hdr)
                    r = c.getresponse()
                    while True:
                        line = r.readline()
                        if not line:
                            break
                        ev = json.loads(line)
                        o = ev["object"]
                        if ev["type"] == "ERROR":
                            self.assertEqual(o["code"], 410)
                            rv = relist()
                            break
                        rv = o["metadata"]["resourceVersion"]
                        if ev["type"] in ("ADDED", "MODIFIED"):
                            cache[o["metadata"]["name"]] = o
                        elif ev["type"] == "DELETED":
                            cache.pop(o["metadata"]["name"], None)
                except (http.client.HTTPException, ConnectionError, ValueError, OSError):
                    pass
                finally:
                    c.close()

        t = threading.Thread(target=reflector, daemon=True)
        t.start()
        self.admin("faults", {"watchDropAfterEvents": 25, "watchDropMode": "close"})
        rnd = random.Random(7)
        c = conn()
        jh = dict(hdr, **{"Content-Type": "application/json"})
        try:
            for i in range(400):
                name = "c%d" % rnd.randrange(40)
                op = rnd.random()
                if op < 0.4:
                    c.request("POST", base, json.dumps({"metadata": {"name": name}, "data": {"v": str(i)}}), jh)
                    r = c.getresponse()
                    r.read()
                    self.assertIn(r.status, (201, 409))
                elif op < 0.7:
                    c.request("PATCH", base + "/" + name, json.dumps({"data": {"v": str(i)}}),
                              dict(hdr, **{"Content-Type": "application/merge-patch+json"}))
                    r = c.getresponse()
                    r.read()
                    self.assertIn(r.status, (200, 404))
                elif op < 0.85:
                    c.request("GET", base + "/" + name, headers=hdr)
                    r = c.getresponse()
                    cur = json.loads(r.read())
                    if r.status == 200:
                        cur["data"] = {"v": "put%d" % i}
                        if rnd.random() < 0.3:
                            cur["metadata"]["resourceVersion"] = "1"
                        c.request("PUT", base + "/" + name, json.dumps(cur), jh)
                        r = c.getresponse()
                        r.read()
                        self.assertIn(r.status, (200, 409))
                else:
                    c.request("DELETE", base + "/" + name, headers=hdr)
                    r = c.getresponse()
                    r.read()
                    self.assertIn(r.status, (200, 404))
                if i in (150, 300):
                    # Keep the reflector off the air while objects change and
                    # history is compacted: its next watch must get a 410.
                    hold.set()
                    self.admin("watches/drop", {})
                    wait_for(held.is_set, what="reflector to pause")
                    c.request("POST", base, json.dumps({"metadata": {"name": "gap%d" % i}}), jh)
                    r = c.getresponse()
                    r.read()
                    self.assertEqual(r.status, 201)
                    self.admin("compact", {})
                    hold.clear()
        finally:
            c.close()
            self.admin("faults", method="DELETE")

        def server_state():
            items = self.admin("state?resource=configmaps", method="GET")["items"]
            return {o["metadata"]["name"]: (o["metadata"]["resourceVersion"], o.get("data"))
                    for o in items if o["metadata"].get("namespace") == "churn"}

        def same():
            mine = {n: (o["metadata"]["resourceVersion"], o.get("data")) for n, o in list(cache.items())}
            return mine == server_state()
        wait_for(same, timeout=30, what="reflector cache to match the server")
        stop.set()
        t.join(10)
        self.assertGreater(stats["rewatches"], 3)
        self.assertEqual(stats["relists"], 3)  # the first list and one per compaction

    # -- writes ---------------------------------------------------------------
    def test_create_lease_and_conflicts(self):
        lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                 "metadata": {"name": "hoist-leader", "namespace": "kube-system"},
                 "spec": {"holderIdentity": "hoist-a", "leaseDurationSeconds": 15,
                          "acquireTime": "2026-01-01T00:00:00.000000Z"}}
        path = os.path.join(self.tmp, "lease.json")
        with open(path, "w") as f:
            json.dump(lease, f)
        p = self.kubectl("create", "-f", path)
        self.assertEqual(p.stdout.strip(), "lease.coordination.k8s.io/hoist-leader created")
        p = self.kubectl("get", "lease", "-n", "kube-system", "hoist-leader", "-o", "json")
        got = json.loads(p.stdout)
        self.assertEqual(got["spec"]["holderIdentity"], "hoist-a")
        self.assertTrue(got["metadata"]["uid"])
        p = self.kubectl("create", "-f", path, ok=False)
        self.assertIn('Error from server (AlreadyExists): error when creating "%s": leases.coordination.k8s.io '
                      '"hoist-leader" already exists' % path, p.stderr)
        # A replace carrying a stale resourceVersion is a 409 Conflict.
        stale = dict(got)
        code, _, _ = self.api("PUT", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/hoist-leader",
                              dict(got, spec=dict(got["spec"], holderIdentity="hoist-b")))
        self.assertEqual(code, 200)
        with open(path, "w") as f:
            json.dump(dict(stale, spec=dict(stale["spec"], holderIdentity="hoist-c")), f)
        p = self.kubectl("replace", "-f", path, ok=False)
        self.assertIn('Error from server (Conflict): error when replacing "%s": Operation cannot be fulfilled '
                      'on leases.coordination.k8s.io "hoist-leader": the object has been modified; please '
                      'apply your changes to the latest version and try again' % path, p.stderr)
        p = self.kubectl("get", "lease", "-n", "kube-system", "hoist-leader",
                         "-o", "jsonpath={.spec.holderIdentity}")
        self.assertEqual(p.stdout, "hoist-b")

    def test_raw_writes_status_shapes(self):
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "status-"},
              "data": {"a": "1"}}
        code, obj, _ = self.api("POST", "/api/v1/namespaces/default/configmaps", cm)
        self.assertEqual(code, 201)
        name = obj["metadata"]["name"]
        self.assertRegex(name, r"^status-[a-z0-9]{5}$")
        base = "/api/v1/namespaces/default/configmaps/" + name
        code, st, _ = self.api("PUT", base, dict(obj, data={"a": "2"}, metadata=dict(
            obj["metadata"], resourceVersion="1")))
        self.assertEqual(code, 409)
        self.assertEqual(st, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                              "message": 'Operation cannot be fulfilled on configmaps "%s": the object has been '
                                         'modified; please apply your changes to the latest version and try '
                                         'again' % name,
                              "reason": "Conflict", "details": {"name": name, "kind": "configmaps"},
                              "code": 409})
        code, out, _ = self.api("PATCH", base, {"data": {"b": "2"}}, ctype="application/merge-patch+json")
        self.assertEqual((code, out["data"]), (200, {"a": "1", "b": "2"}))
        code, out, _ = self.api("PATCH", base, [{"op": "replace", "path": "/data/a", "value": "9"}],
                                ctype="application/json-patch+json")
        self.assertEqual((code, out["data"]["a"]), (200, "9"))
        code, st, _ = self.api("GET", "/apis/apps/v1/namespaces/shop/deployments/nope")
        self.assertEqual((code, st["reason"], st["message"], st["details"]),
                         (404, "NotFound", 'deployments.apps "nope" not found',
                          {"name": "nope", "group": "apps", "kind": "deployments"}))
        code, st, _ = self.api("POST", "/api/v1/namespaces/shop/pods/ghost/eviction",
                               {"apiVersion": "policy/v1", "kind": "Eviction",
                                "metadata": {"name": "ghost", "namespace": "shop"}})
        self.assertEqual((code, st["reason"]), (404, "NotFound"))
        code, st, _ = self.api("DELETE", base)
        self.assertEqual(code, 200)
        code, st, _ = self.api("DELETE", base)
        self.assertEqual((code, st["reason"]), (404, "NotFound"))

    def test_taint_and_untaint(self):
        p = self.kubectl("taint", "nodes", "n2", "key=value:NoSchedule")
        self.assertEqual(p.stdout.strip(), "node/n2 tainted")
        p = self.kubectl("get", "node", "n2", "-o", "json")
        self.assertEqual(json.loads(p.stdout)["spec"]["taints"],
                         [{"key": "key", "value": "value", "effect": "NoSchedule"}])
        p = self.kubectl("taint", "nodes", "n2", "other=x:NoExecute")
        self.assertEqual(p.stdout.strip(), "node/n2 tainted")
        p = self.kubectl("taint", "nodes", "n2", "key-")
        self.assertEqual(p.stdout.strip(), "node/n2 untainted")
        p = self.kubectl("get", "node", "n2", "-o", "json")
        self.assertEqual([t["key"] for t in json.loads(p.stdout)["spec"]["taints"]], ["other"])
        p = self.kubectl("taint", "nodes", "n2", "other-")
        self.assertEqual(p.stdout.strip(), "node/n2 untainted")
        p = self.kubectl("get", "node", "n2", "-o", "json")
        self.assertNotIn("taints", json.loads(p.stdout)["spec"])

    def test_cordon_uncordon_label_and_field_selector(self):
        p = self.kubectl("cordon", "n3")
        self.assertEqual(p.stdout.strip(), "node/n3 cordoned")
        p = self.kubectl("get", "nodes", "--field-selector", "spec.unschedulable=true", "-o", "name")
        self.assertIn("node/n3", self.names(p.stdout))
        p = self.kubectl("get", "nodes")
        self.assertRegex(p.stdout, r"n3\s+Ready,SchedulingDisabled")
        p = self.kubectl("uncordon", "n3")
        self.assertEqual(p.stdout.strip(), "node/n3 uncordoned")
        p = self.kubectl("get", "nodes", "--field-selector", "spec.unschedulable=true", "-o", "name")
        self.assertNotIn("node/n3", self.names(p.stdout))
        p = self.kubectl("label", "node", "n3", "hoist.test/zone=a")
        self.assertEqual(p.stdout.strip(), "node/n3 labeled")
        p = self.kubectl("get", "nodes", "-l", "hoist.test/zone=a,pool in (spot,od)", "-o", "name")
        self.assertEqual(self.names(p.stdout), ["node/n3"])
        p = self.kubectl("label", "node", "n3", "hoist.test/zone-")
        self.assertEqual(p.stdout.strip(), "node/n3 unlabeled")
        p = self.kubectl("get", "nodes", "-l", "hoist.test/zone")
        self.assertEqual(p.stdout.strip(), "")
        self.assertEqual(p.stderr.strip(), "No resources found")

    def test_label_and_field_selectors(self):
        def names(*args):
            scope = [] if "-n" in args else ["-A"]
            return self.names(self.kubectl("get", "pods", "-o", "name", *(scope + list(args))).stdout)
        self.assertEqual(names("--field-selector", "spec.nodeName=n2"), ["pod/api-1", "pod/db-1"])
        self.assertEqual(names("--field-selector", "metadata.namespace=sel,status.phase!=Running"),
                         ["pod/batch-1"])
        self.assertEqual(names("-l", "app=db"), ["pod/db-1"])
        self.assertEqual(names("-l", "app==api"), ["pod/api-1"])
        self.assertEqual(names("-n", "sel", "-l", "app!=db"), ["pod/api-1", "pod/batch-1"])
        self.assertEqual(names("-n", "sel", "-l", "env in (b,c)"), ["pod/api-1", "pod/db-1"])
        self.assertEqual(names("-n", "sel", "-l", "env notin (b)"), ["pod/api-1", "pod/batch-1"])
        self.assertEqual(names("-n", "sel", "-l", "gone"), ["pod/api-1"])
        self.assertEqual(names("-n", "sel", "-l", "!gone"), ["pod/batch-1", "pod/db-1"])
        self.assertEqual(names("-l", "app=db", "--field-selector", "spec.nodeName=n1"), [])
        p = self.kubectl("get", "pods", "-A", "--field-selector", "spec.bogus=1", ok=False)
        self.assertIn("field label not supported: spec.bogus", p.stderr)

    def test_pagination_chunk_size(self):
        self.admin("requests", method="DELETE")
        p = self.kubectl("get", "pods", "-n", "paged", "--chunk-size=2", "-o", "name")
        self.assertEqual(self.names(p.stdout), ["pod/page-%d" % i for i in range(7)])
        lists = [r for r in self.admin("requests", method="GET")
                 if r["path"] == "/api/v1/namespaces/paged/pods"]
        self.assertEqual(len(lists), 4, lists)
        self.assertTrue(all(r["query"].get("limit") == "2" for r in lists))
        self.assertEqual(sum(1 for r in lists if r["query"].get("continue")), 3)
        code, page, _ = self.api("GET", "/api/v1/namespaces/paged/pods?limit=3")
        self.assertEqual((len(page["items"]), page["metadata"]["remainingItemCount"]), (3, 4))

    # -- drain, eviction, PDBs ---------------------------------------------------
    def test_drain_refused_by_pdb_then_allowed(self):
        p = self.kubectl("get", "pdb", "-n", "shop", "web", "-o", "json")
        st = json.loads(p.stdout)["status"]
        self.assertEqual((st["currentHealthy"], st["desiredHealthy"], st["disruptionsAllowed"],
                          st["expectedPods"]), (1, 1, 0, 1))
        p = self.kubectl("drain", "n1", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=3s",
                         ok=False, timeout=90)
        self.assertIn("node/n1 cordoned", p.stdout)
        self.assertIn("Cannot evict pod as it would violate the pod's disruption budget.", p.stderr)
        self.assertIn("global timeout reached: 3s", p.stderr)
        self.assertIn("ignoring DaemonSet-managed Pods: kube-system/agent-n1", p.stderr)
        self.assertIn("pod/cache-1 evicted", p.stdout)
        p = self.kubectl("get", "pods", "-A", "--field-selector", "spec.nodeName=n1", "-o", "name")
        self.assertEqual(self.names(p.stdout), ["pod/agent-n1", "pod/web-1"])
        # The raw eviction answer is the API server's 429 with the budget as the cause.
        code, st, hdrs = self.api("POST", "/api/v1/namespaces/shop/pods/web-1/eviction",
                                  {"apiVersion": "policy/v1", "kind": "Eviction",
                                   "metadata": {"name": "web-1", "namespace": "shop"}})
        self.assertEqual(code, 429)
        self.assertEqual(st["details"]["causes"], [{"reason": "DisruptionBudget",
                                                    "message": "The disruption budget web needs 1 healthy "
                                                               "pods and has 1 currently"}])
        # A second ready replica elsewhere makes room for one disruption.
        self.admin("objects", ready_pod("web-2", "shop", "n3", {"app": "web"}, ("ReplicaSet", "web")))
        p = self.kubectl("get", "pdb", "-n", "shop", "web", "-o", "jsonpath={.status.disruptionsAllowed}")
        self.assertEqual(p.stdout, "1")
        p = self.kubectl("drain", "n1", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=60s",
                         timeout=90)
        self.assertIn("pod/web-1 evicted", p.stdout)
        self.assertIn("node/n1 drained", p.stdout)
        p = self.kubectl("get", "pods", "-A", "--field-selector", "spec.nodeName=n1", "-o", "name")
        self.assertEqual(self.names(p.stdout), ["pod/agent-n1"])
        p = self.kubectl("get", "pdb", "-n", "shop", "web", "-o", "json")
        st = json.loads(p.stdout)["status"]
        self.assertEqual((st["currentHealthy"], st["disruptionsAllowed"]), (1, 0))
        p = self.kubectl("uncordon", "n1")
        self.assertEqual(p.stdout.strip(), "node/n1 uncordoned")

    def test_apply_scale_namespace_configmap_and_events(self):
        p = self.kubectl("create", "namespace", "tmpns")
        self.assertEqual(p.stdout.strip(), "namespace/tmpns created")
        p = self.kubectl("create", "configmap", "cluster-autoscaler-status", "-n", "tmpns",
                         "--from-literal=status=ok")
        self.assertEqual(p.stdout.strip(), "configmap/cluster-autoscaler-status created")
        cm = {"apiVersion": "v1", "kind": "ConfigMap",
              "metadata": {"name": "applied", "namespace": "tmpns"}, "data": {"a": "1"}}
        path = os.path.join(self.tmp, "cm.json")
        for value, verb in (("1", "created"), ("2", "configured"), ("2", "unchanged")):
            cm["data"]["a"] = value
            with open(path, "w") as f:
                json.dump(cm, f)
            p = self.kubectl("apply", "-f", path)
            self.assertEqual(p.stdout.strip(), "configmap/applied " + verb)
        p = self.kubectl("get", "cm", "-n", "tmpns", "applied", "-o", "jsonpath={.data.a}")
        self.assertEqual(p.stdout, "2")
        ev = {"apiVersion": "v1", "kind": "Event",
              "metadata": {"name": "n3.scaledown", "namespace": "tmpns"},
              "involvedObject": {"kind": "Node", "name": "n3", "apiVersion": "v1"},
              "reason": "ScaleDown", "message": "node removed by hoist", "type": "Normal",
              "source": {"component": "cluster-autoscaler"}, "count": 1}
        p = self.kubectl("create", "-f", "-", stdin=json.dumps(ev))
        self.assertEqual(p.stdout.strip(), "event/n3.scaledown created")
        p = self.kubectl("get", "events", "-n", "tmpns", "--field-selector",
                         "reason=ScaleDown,involvedObject.kind=Node", "-o", "json")
        items = json.loads(p.stdout)["items"]
        self.assertEqual([(i["metadata"]["name"], i["message"]) for i in items],
                         [("n3.scaledown", "node removed by hoist")])
        code, out, _ = self.api("PATCH", "/api/v1/namespaces/tmpns/events/n3.scaledown", {"count": 2},
                                ctype="application/merge-patch+json")
        self.assertEqual((code, out["count"]), (200, 2))
        code, out, _ = self.api("POST", "/apis/events.k8s.io/v1/namespaces/tmpns/events",
                                {"apiVersion": "events.k8s.io/v1", "kind": "Event",
                                 "metadata": {"generateName": "hoist-"}, "reason": "TriggeredScaleUp",
                                 "action": "ScaleUp", "note": "group ng-a 1->2", "type": "Normal",
                                 "eventTime": "2026-01-01T00:00:00.000000Z",
                                 "reportingController": "hoist", "reportingInstance": "hoist-0"})
        self.assertEqual(code, 201, out)
        p = self.kubectl("get", "events.v1.events.k8s.io", "-n", "tmpns", "-o", "name")
        self.assertEqual(self.names(p.stdout), ["event.events.k8s.io/" + out["metadata"]["name"]])
        # scale subresource
        self.admin("objects", {"apiVersion": "apps/v1", "kind": "Deployment",
                               "metadata": {"name": "app", "namespace": "tmpns"},
                               "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "app"}}}})
        p = self.kubectl("scale", "deployment", "-n", "tmpns", "app", "--replicas=4")
        self.assertEqual(p.stdout.strip(), "deployment.apps/app scaled")
        p = self.kubectl("get", "deploy", "-n", "tmpns", "app", "-o", "jsonpath={.spec.replicas}/{.metadata.generation}")
        self.assertEqual(p.stdout, "4/2")
        # Deleting the namespace takes its objects with it.
        p = self.kubectl("delete", "namespace", "tmpns")
        self.assertEqual(p.stdout.strip(), 'namespace "tmpns" deleted')
        p = self.kubectl("get", "cm,deploy", "-n", "tmpns", "-o", "name")
        self.assertEqual(p.stdout.strip(), "")
        p = self.kubectl("get", "namespace", "tmpns", ok=False)
        self.assertIn('Error from server (NotFound): namespaces "tmpns" not found', p.stderr)

    def test_graceful_pod_deletion_and_watch_transitions(self):
        self.admin("objects", [ready_pod("slow-%d" % i, "grace", "n3", {"app": "slow", "i": str(i)})
                               for i in range(2)])
        code, lst, _ = self.api("GET", "/api/v1/namespaces/grace/pods")
        rv = lst["metadata"]["resourceVersion"]
        self.admin("settings", {"podDeletionDelaySeconds": 0.5})
        try:
            p = self.kubectl("delete", "pod", "-n", "grace", "slow-0")
            self.assertEqual(p.stdout.strip(), 'pod "slow-0" deleted')  # kubectl waits until it is gone
            code, _, _ = self.api("GET", "/api/v1/namespaces/grace/pods/slow-0")
            self.assertEqual(code, 404)
        finally:
            self.admin("settings", {"podDeletionDelaySeconds": 0})
        # Leaving a label selector reads as DELETED, entering it as ADDED.
        code, _, _ = self.api("PATCH", "/api/v1/namespaces/grace/pods/slow-1",
                              {"metadata": {"labels": {"app": "other"}}},
                              ctype="application/strategic-merge-patch+json")
        self.assertEqual(code, 200)
        code, _, _ = self.api("PATCH", "/api/v1/namespaces/grace/pods/slow-1",
                              {"metadata": {"labels": {"app": "slow"}}},
                              ctype="application/merge-patch+json")
        self.assertEqual(code, 200)
        req = urllib.request.Request("https://127.0.0.1:%d/api/v1/namespaces/grace/pods?watch=1&labelSelector=app%%3Dslow"
                                     "&resourceVersion=%s&timeoutSeconds=1" % (self.port, rv),
                                     headers={"Authorization": "Bearer " + ADMIN_TOKEN})
        with urllib.request.urlopen(req, context=self.sslctx, timeout=30) as r:
            events = [json.loads(line) for line in r.read().splitlines() if line.strip()]
        got = [(e["type"], e["object"]["metadata"]["name"], bool(e["object"]["metadata"].get("deletionTimestamp")))
               for e in events]
        self.assertEqual(got, [("MODIFIED", "slow-0", True), ("DELETED", "slow-0", True),
                               ("DELETED", "slow-1", False), ("ADDED", "slow-1", False)])
        # sendInitialEvents: the current state, then a bookmark marking its end.
        req = urllib.request.Request("https://127.0.0.1:%d/api/v1/namespaces/grace/pods?watch=1&sendInitialEvents=true"
                                     "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1"
                                     % self.port, headers={"Authorization": "Bearer " + ADMIN_TOKEN})
        with urllib.request.urlopen(req, context=self.sslctx, timeout=30) as r:
            events = [json.loads(line) for line in r.read().splitlines() if line.strip()]
        self.assertEqual(events[0]["type"], "ADDED")
        self.assertEqual(events[1]["type"], "BOOKMARK")
        self.assertEqual(events[1]["object"]["metadata"]["annotations"], {"k8s.io/initial-events-end": "true"})

    # -- authn and authz ---------------------------------------------------------
    def test_auth_can_i(self):
        p = self.kubectl("auth", "can-i", "list", "pods", kubeconfig=self.viewer_kubeconfig)
        self.assertEqual(p.stdout.strip(), "yes")
        p = self.kubectl("auth", "can-i", "delete", "nodes", kubeconfig=self.viewer_kubeconfig, ok=False)
        self.assertEqual(p.stdout.strip(), "no")
        p = self.kubectl("auth", "can-i", "create", "leases", "-n", "kube-system",
                         kubeconfig=self.viewer_kubeconfig)
        self.assertEqual(p.stdout.strip(), "yes")
        p = self.kubectl("auth", "can-i", "create", "leases", "-n", "default",
                         kubeconfig=self.viewer_kubeconfig, ok=False)
        self.assertEqual(p.stdout.strip(), "no")
        p = self.kubectl("auth", "can-i", "delete", "nodes")
        self.assertEqual(p.stdout.strip(), "yes")
        p = self.kubectl("auth", "whoami", "-o", "json", kubeconfig=self.viewer_kubeconfig)
        info = json.loads(p.stdout)["status"]["userInfo"]
        self.assertEqual(info["username"], "viewer")
        self.assertIn("viewers", info["groups"])

    def test_forbidden_shape(self):
        p = self.kubectl("get", "pods", "-n", "sel", "-o", "name", kubeconfig=self.viewer_kubeconfig)
        self.assertIn("pod/db-1", self.names(p.stdout))
        p = self.kubectl("delete", "node", "n2", kubeconfig=self.viewer_kubeconfig, ok=False)
        self.assertIn('Error from server (Forbidden): nodes "n2" is forbidden: User "viewer" cannot delete '
                      'resource "nodes" in API group "" at the cluster scope', p.stderr)
        p = self.kubectl("get", "configmaps", "-n", "default", kubeconfig=self.viewer_kubeconfig, ok=False)
        self.assertIn('Error from server (Forbidden): configmaps is forbidden: User "viewer" cannot list '
                      'resource "configmaps" in API group "" in the namespace "default"', p.stderr)
        code, st, _ = self.api("POST", "/api/v1/namespaces/shop/pods/web-1/eviction",
                               {"apiVersion": "policy/v1", "kind": "Eviction",
                                "metadata": {"name": "web-1", "namespace": "shop"}}, token=VIEWER_TOKEN)
        self.assertEqual(code, 403)
        self.assertEqual(st, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                              "message": 'pods "web-1" is forbidden: User "viewer" cannot create resource '
                                         '"pods/eviction" in API group "" in the namespace "shop"',
                              "reason": "Forbidden", "details": {"name": "web-1", "kind": "pods"},
                              "code": 403})
        p = self.kubectl("get", "node", "n1", "-o", "name", kubeconfig=self.viewer_kubeconfig)
        self.assertEqual(p.stdout.strip(), "node/n1")

    def test_unauthorized_token(self):
        p = self.kubectl("get", "pods", kubeconfig=self.bad_kubeconfig, ok=False,
                         cache=os.path.join(self.tmp, "cache-bad"))
        # What kubectl 1.32 says when discovery gets a 401.
        self.assertIn("error: You must be logged in to the server (the server has asked for the client "
                      "to provide credentials)", p.stderr)
        p = self.kubectl("get", "--raw", "/api/v1/nodes", kubeconfig=self.bad_kubeconfig, ok=False,
                         cache=os.path.join(self.tmp, "cache-bad"))
        self.assertIn("Unauthorized", p.stderr)
        code, st, _ = self.api("GET", "/api/v1/pods", token="nope")
        self.assertEqual((code, st["reason"], st["message"]), (401, "Unauthorized", "Unauthorized"))
        code, _, _ = self.api("GET", "/api/v1/pods", token=None)
        self.assertEqual(code, 401)

    def test_client_certificate_auth(self):
        crt, key = fake.make_client_cert(self.certdir, "admin", ["system:masters"])
        kc = os.path.join(self.tmp, "cert.kubeconfig")
        fake.write_kubeconfig(kc, self.port, self.ca, client_cert=crt, client_key=key)
        p = self.kubectl("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}", kubeconfig=kc)
        self.assertEqual(p.stdout, "admin")
        p = self.kubectl("get", "nodes", "-o", "name", kubeconfig=kc)
        self.assertIn("node/n2", self.names(p.stdout))

    # -- faults ------------------------------------------------------------------
    def test_faults_500_and_429(self):
        self.admin("faults", {"rules": [{"match": {"path": "^/api/v1/namespaces/sel/pods$"},
                                         "status": 500, "count": 1}]})
        try:
            p = self.kubectl("get", "pods", "-n", "sel", "-o", "name", ok=False)
            self.assertIn("Error from server (InternalError)", p.stderr)
            p = self.kubectl("get", "pods", "-n", "sel", "-o", "name")
            self.assertIn("pod/db-1", self.names(p.stdout))
            # client-go waits out Retry-After on 429 and then succeeds.
            self.admin("faults", {"rules": [{"match": {"path": "^/api/v1/namespaces/sel/pods$"},
                                             "status": 429, "retryAfterSeconds": 1, "count": 2}]})
            self.admin("requests", method="DELETE")
            p = self.kubectl("get", "pods", "-n", "sel", "-o", "name")
            self.assertIn("pod/db-1", self.names(p.stdout))
            codes = [r["code"] for r in self.admin("requests", method="GET")
                     if r["path"] == "/api/v1/namespaces/sel/pods"]
            self.assertEqual(codes, [429, 429, 200])
            code, st, hdrs = self.api("GET", "/api/v1/nodes")
            self.assertEqual(code, 200)
            self.admin("faults", {"rules": [{"status": 429, "retryAfterSeconds": 3, "count": 1}]})
            code, st, hdrs = self.api("GET", "/api/v1/nodes")
            self.assertEqual((code, st["reason"], hdrs["Retry-After"]), (429, "TooManyRequests", "3"))
            self.admin("faults", {"rules": [{"delaySeconds": 0.5, "count": 1}]})
            t0 = time.time()
            code, _, _ = self.api("GET", "/api/v1/nodes")
            self.assertEqual(code, 200)
            self.assertGreaterEqual(time.time() - t0, 0.5)
        finally:
            self.admin("faults", method="DELETE")


if __name__ == "__main__":
    unittest.main(verbosity=2)
