"""hoist's retries against faults moto does not make, injected by
fault_proxy.py between hoist and moto (IAM enforcement on: every request
that gets through is still signature-checked and policy-checked).

- With every other call throttled (50%), every operation completes within
  the standard mode's 3 attempts.
- A scale-up that stays throttled is reported as throttled (ETHROTTLED,
  naming Throttling), never as an ordinary failure, and changed nothing.
- The retry quota stops a 5xx storm from multiplying requests.
- 500/503, dropped connections and answers slower than the attempt timeout
  are retried and recover; garbage is an error naming the action, not a
  retry loop.
"""
import json
import os
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsfix  # noqa: E402

TESTDATA = os.environ.get("HOIST_TESTDATA", os.path.join(awsfix.SRC, "..", "shared", "testdata"))


class Faults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="hoist-faults-")
        cls.moto = awsfix.Moto()
        cls.acct = awsfix.Account(cls.moto, cls.tmp.name)
        try:
            cls.acct.setup()
            cls.proxy = awsfix.Helper("fault_proxy.py", "--upstream", cls.moto.url,
                                      "--testdata", TESTDATA)
        except Exception:
            cls.moto.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.proxy.stop()
        cls.moto.stop()
        cls.tmp.cleanup()

    def plan(self, **spec):
        req = urllib.request.Request(self.proxy.url + "/__fault__", method="POST",
                                     data=json.dumps(spec).encode(),
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=10).read()

    def counts(self):
        return json.loads(urllib.request.urlopen(self.proxy.url + "/__fault__",
                                                 timeout=10).read())

    def env(self):
        env = self.acct.env(self.acct.hoist[0])
        env["AWS_ENDPOINT_URL"] = self.proxy.url
        return env

    def drive(self, *args):
        return awsfix.drive(list(args), self.env())

    def desired(self, name):
        out = self.acct.admin_aws("autoscaling", "describe-auto-scaling-groups",
                                  "--auto-scaling-group-names", name)
        return out["AutoScalingGroups"][0]["DesiredCapacity"]

    def test_half_throttled_every_operation_completes(self):
        ops = [
            ["describe-asgs", "--tag", awsfix.CLUSTER_TAG],
            ["set-desired", "ng-a", "3"],
            ["activities", "ng-a"],
            ["launch-configs"],
            ["lt-versions", "--lt-name", "hoist-lt", "--version", "$Latest"],
            ["instance-types", "m5.large", "c5.large"],
        ]
        for op in ops:
            self.plan(pattern=["throttle", "ok"])
            code, lines, err = self.drive("--stats", *op)
            self.assertEqual(code, 0, "%s: %s %s" % (op, lines, err))
            self.assertEqual(lines[0]["rc"], "OK", lines)
            stats = lines[-1]["stats"]
            self.assertEqual(stats["throttled"], stats["retries"], stats)
            self.assertLessEqual(stats["attempts"], 3 * stats["calls"], stats)
            c = self.counts()
            self.assertEqual(c.get("throttle", 0) + c.get("ok", 0), stats["attempts"])
        self.assertEqual(self.desired("ng-a"), 3)

    def test_throttled_scale_up_is_throttled_not_failed(self):
        before = self.desired("ng-a")
        self.plan(always="throttle")
        code, lines, err = self.drive("--stats", "set-desired", "ng-a", str(before + 1))
        self.assertEqual(code, 1)
        r = lines[0]
        self.assertEqual(r["rc"], "ETHROTTLED")
        self.assertEqual(r["http_status"], 400)
        self.assertRegex(r["error"], r"^SetDesiredCapacity: HTTP 400 Throttling: Rate exceeded "
                                     r"\(request id [^)]+\) after 3 attempts$")
        self.assertEqual(lines[-1]["stats"]["attempts"], 3)
        self.assertEqual(self.counts(), {"throttle": 3})
        self.plan(always="ok")
        self.assertEqual(self.desired("ng-a"), before)
        # EC2 throttles with RequestLimitExceeded and 503: also throttling.
        self.plan(always="throttle")
        code, lines, err = self.drive("instance-types", "m5.large")
        self.assertEqual(lines[0]["rc"], "ETHROTTLED")
        self.assertIn("HTTP 503 RequestLimitExceeded", lines[0]["error"])

    def test_quota_stops_a_storm(self):
        self.plan(always="503")
        code, lines, err = self.drive("--stats", "--quota", "20", "--backoff-base-ms", "10",
                                      "--repeat", "6", "describe-asgs", "--name", "ng-a")
        self.assertEqual(code, 1)
        stats = lines[-1]["stats"]
        # 20 tokens pay 4 retries: two calls of 3 attempts, then one each.
        self.assertEqual(stats["attempts"], 3 + 3 + 1 + 1 + 1 + 1, stats)
        self.assertEqual(stats["quota_refusals"], 4, stats)
        self.assertEqual(self.counts(), {"503": 10})
        for r in lines[:-1]:
            self.assertEqual(r["rc"], "EAWS")
            self.assertIn("HTTP 503 ServiceUnavailable", r["error"])

    def test_transient_faults_recover(self):
        for fault in ("500", "503", "drop", "slow"):
            self.plan(pattern=[fault, "ok"], slow_ms=3000)
            code, lines, err = self.drive("--stats", "--timeout-ms", "1500", "describe-asgs",
                                          "--name", "ng-a")
            self.assertEqual(code, 0, "%s: %s %s" % (fault, lines, err))
            self.assertEqual(lines[0]["names"], ["ng-a"])
            self.assertEqual(lines[-1]["stats"]["retries"], 1, (fault, lines))

    def test_terminate_not_repeated_after_a_drop(self):
        inst = self.acct.admin_aws("autoscaling", "describe-auto-scaling-groups",
                                   "--auto-scaling-group-names", "ng-a")
        victim = inst["AutoScalingGroups"][0]["Instances"][0]["InstanceId"]
        self.plan(pattern=["drop", "ok"])
        code, lines, err = self.drive("--stats", "terminate", victim)
        self.assertEqual(code, 1)
        self.assertEqual(lines[-1]["stats"]["attempts"], 1)
        self.assertEqual(self.counts(), {"drop": 1})

    def test_garbage_is_an_error_not_a_loop(self):
        self.plan(always="garbage")
        code, lines, err = self.drive("--stats", "describe-asgs", "--name", "ng-a")
        self.assertEqual(code, 1)
        self.assertEqual(lines[0]["rc"], "EPARSE")
        self.assertTrue(lines[0]["error"].startswith("DescribeAutoScalingGroups"), lines[0])
        self.assertEqual(lines[-1]["stats"]["attempts"], 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
