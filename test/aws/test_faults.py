"""hoist's retries against faults moto does not make, injected by
test/fakes/aws_fault_proxy.py between hoist and moto (IAM enforcement on: every request
that gets through is still signature-checked and policy-checked).

- With every other call throttled (50%), every operation completes within
  the standard mode's 3 attempts.
- A scale-up that stays throttled is reported as throttled (ETHROTTLED,
  naming Throttling), never as an ordinary failure, and changed nothing.
- The retry quota stops a 5xx storm from multiplying requests.
- 500/503, dropped connections and answers slower than the attempt timeout
  are retried and recover; garbage is an error naming the action, not a
  retry loop.
- The proxy itself is checked by the real aws CLI: botocore's own standard
  retry mode must recognise each fault it makes (throttling bodies of both
  services, 500, 503, a dropped connection) and recover through it, and a
  storm it cannot outlast surfaces as Throttling.
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
            cls.proxy = awsfix.Helper("aws_fault_proxy.py", "--upstream", cls.moto.url,
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

    # ---- the proxy checked by botocore ----

    def cli(self, *args):
        """The real aws CLI (botocore, standard retry mode, 3 attempts)
        through the proxy, on the hoist user's keys."""
        env = self.env()
        env.update({"AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "3"})
        return awsfix.run([awsfix.AWS, "--endpoint-url", self.proxy.url, "--output", "json",
                           "--debug", *args], env)

    def test_aws_cli_retries_through_each_fault(self):
        calls = [
            ("autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", "ng-a"),
            ("ec2", "describe-instance-types", "--instance-types", "m5.large"),
        ]
        for fault in ("throttle", "500", "503", "drop"):
            for call in calls:
                self.plan(pattern=[fault, "ok"])
                code, out, err = self.cli(*call)
                self.assertEqual(code, 0, "%s %s: %s" % (fault, call[1], err[-2000:]))
                doc = json.loads(out)
                if call[0] == "autoscaling":
                    self.assertEqual([g["AutoScalingGroupName"]
                                      for g in doc["AutoScalingGroups"]], ["ng-a"])
                else:
                    self.assertEqual(doc["InstanceTypes"][0]["InstanceType"], "m5.large")
                # One fault, one retry that got through: botocore saw it as retryable.
                self.assertEqual(self.counts(), {fault: 1, "ok": 1}, (fault, call[1]))
                if fault == "throttle":
                    code_name = "Throttling" if call[0] == "autoscaling" else \
                        "RequestLimitExceeded"
                    self.assertRegex(err, r"Retry needed, retrying request after delay of|"
                                          r"retry needed", err[-2000:])
                    self.assertIn(code_name, err)

    def test_aws_cli_gives_up_on_a_throttling_storm(self):
        self.plan(always="throttle")
        code, out, err = self.cli("autoscaling", "describe-auto-scaling-groups",
                                  "--auto-scaling-group-names", "ng-a")
        self.assertNotEqual(code, 0)
        self.assertRegex(err, r"An error occurred \(Throttling\) when calling the "
                              r"DescribeAutoScalingGroups operation \(reached max retries: 2\): "
                              r"Rate exceeded")
        self.assertEqual(self.counts(), {"throttle": 3})

    def test_garbage_is_an_error_not_a_loop(self):
        self.plan(always="garbage")
        code, lines, err = self.drive("--stats", "describe-asgs", "--name", "ng-a")
        self.assertEqual(code, 1)
        self.assertEqual(lines[0]["rc"], "EPARSE")
        self.assertTrue(lines[0]["error"].startswith("DescribeAutoScalingGroups"), lines[0])
        self.assertEqual(lines[-1]["stats"]["attempts"], 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
