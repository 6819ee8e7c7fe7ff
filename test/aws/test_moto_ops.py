"""hoist's AWS operations and `hoist discover` against moto with IAM on.

Every call below is signed by hoist (lib/aws) with the hoist user's keys,
whose policy is exactly docs/iam-policy.json; moto checks each signature
with botocore and each action against the policy, so a signing or policy
mistake fails here. What hoist changes is read back with the real aws CLI.
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsfix  # noqa: E402

GROUPS_SPEC = "asg:tag=%s,%s" % (awsfix.ENABLED_TAG, awsfix.CLUSTER_TAG)


class MotoOps(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="hoist-moto-")
        cls.moto = awsfix.Moto()
        cls.acct = awsfix.Account(cls.moto, cls.tmp.name)
        try:
            cls.acct.setup()
        except Exception:
            cls.moto.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        cls.tmp.cleanup()

    def hoist_env(self, **extra):
        return self.acct.env(self.acct.hoist[0], extra)

    def drive_ok(self, *args, env=None):
        code, lines, err = awsfix.drive(list(args), env or self.hoist_env())
        self.assertEqual(code, 0, "drive %s: %s %s" % (args, lines, err))
        self.assertEqual(lines[-1]["rc"], "OK", lines)
        awsfix.assert_no_secret(self, json.dumps(lines) + err, *self.acct.hoist)
        return lines[-1]

    def describe(self, name):
        out = self.acct.admin_aws("autoscaling", "describe-auto-scaling-groups",
                                  "--auto-scaling-group-names", name)
        return out["AutoScalingGroups"][0]

    # ---- discover ----

    def test_discover_json(self):
        code, out, err = awsfix.run([awsfix.HOIST, "discover",
                                     "--node-group-auto-discovery=" + GROUPS_SPEC,
                                     "--output=json"], self.hoist_env())
        self.assertEqual(code, 0, err)
        awsfix.assert_no_secret(self, out + err, *self.acct.hoist)
        doc = json.loads(out)
        self.assertEqual(doc["region"], "us-east-1")
        groups = {g["name"]: g for g in doc["nodeGroups"]}
        self.assertEqual(sorted(groups), ["ng-a", "ng-b"])  # not "other"
        a, b = groups["ng-a"], groups["ng-b"]
        self.assertEqual((a["minSize"], a["maxSize"]), (1, 5))
        self.assertEqual(a["zones"], ["us-east-1a", "us-east-1b"])
        self.assertEqual(a["instanceTypes"], ["m5.large"])
        self.assertEqual(b["instanceTypes"], ["m5.large", "c5.large"])
        live = self.describe("ng-a")
        self.assertEqual(a["desiredCapacity"], live["DesiredCapacity"])
        self.assertEqual(sorted(i["id"] for i in a["instances"]),
                         sorted(i["InstanceId"] for i in live["Instances"]))
        for i in a["instances"]:
            self.assertEqual(sorted(i), ["id", "lifecycleState", "zone"])
            self.assertTrue(i["zone"].startswith("us-east-1"))
        # Templates: quantities as Kubernetes prints them, tags applied.
        ta = a["template"]
        self.assertEqual(sorted(ta), ["allocatable", "capacity", "labels", "taints"])
        self.assertEqual(ta["capacity"]["cpu"], "2")
        # What an EKS node of m5.large reports (8 GiB less the VM's overhead).
        self.assertRegex(ta["capacity"]["memory"], r"^7[0-9]{3}Mi$")
        self.assertEqual(ta["labels"].get("team"), "infra")
        self.assertEqual(ta["labels"].get("node.kubernetes.io/instance-type"), "m5.large")
        self.assertNotIn("topology.kubernetes.io/zone", ta["labels"])  # two zones
        self.assertLess(int(ta["allocatable"]["pods"]), 110 + 1)
        tb = b["template"]
        self.assertIn({"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}, tb["taints"])
        self.assertEqual(tb["labels"].get("topology.kubernetes.io/zone"), "us-east-1a")

    def test_discover_nodes_flag_and_text(self):
        code, out, err = awsfix.run([awsfix.HOIST, "discover", "--nodes=1:3:ng-a",
                                     "--nodes=0:2:missing-group"], self.hoist_env())
        self.assertEqual(code, 0, err)
        self.assertIn("ng-a  min 1  max 3", out)
        self.assertIn("(--nodes)", out)
        self.assertIn("missing-group", err)  # a warning names it
        self.assertNotIn("ng-b", out)

    def test_discover_access_denied_is_one_line(self):
        for who, action in ((self.acct.nobody, "DescribeAutoScalingGroups"),
                            (self.acct.limited, "DescribeLaunchTemplateVersions")):
            code, out, err = awsfix.run([awsfix.HOIST, "discover",
                                         "--node-group-auto-discovery=" + GROUPS_SPEC,
                                         "--output=json"], self.acct.env(who))
            self.assertEqual(code, 1, out + err)
            self.assertEqual(out, "")
            lines = err.strip().splitlines()
            self.assertEqual(len(lines), 1, err)
            self.assertRegex(lines[0], r"^hoist discover: %s: HTTP 403 AccessDenied: User: "
                                       r"arn:aws:iam::\d+:user/\w+ is not authorized to "
                                       r"perform: [a-z0-9]+:%s" % (action, action))
            awsfix.assert_no_secret(self, err, who)

    def test_discover_no_region_names_every_source(self):
        env = self.hoist_env()
        del env["AWS_REGION"], env["AWS_DEFAULT_REGION"]
        code, out, err = awsfix.run([awsfix.HOIST, "discover", "--nodes=1:3:ng-a"], env)
        self.assertEqual(code, 2)
        for where in ("--aws-region", "AWS_REGION", "AWS_DEFAULT_REGION", "instance metadata"):
            self.assertIn(where, err)

    # ---- operations ----

    def test_operations_change_what_the_cli_sees(self):
        r = self.drive_ok("describe-asgs", "--name", "ng-a", "--name", "ng-b")
        self.assertEqual(sorted(r["names"]), ["ng-a", "ng-b"])
        r = self.drive_ok("describe-asgs", "--tag", awsfix.CLUSTER_TAG + "=owned")
        self.assertEqual(sorted(r["names"]), ["ng-a", "ng-b"])
        r = self.drive_ok("describe-asgs", "--tag", awsfix.ENABLED_TAG)
        self.assertEqual(sorted(r["names"]), ["ng-a", "ng-b", "other"])

        self.drive_ok("set-desired", "ng-a", "4")
        self.assertEqual(self.describe("ng-a")["DesiredCapacity"], 4)

        before = self.describe("ng-a")
        victim = before["Instances"][0]["InstanceId"]
        r = self.drive_ok("terminate", victim)
        self.assertEqual(r["n"], 1)  # the activity
        after = self.describe("ng-a")
        self.assertEqual(after["DesiredCapacity"], before["DesiredCapacity"] - 1)
        self.assertNotIn(victim, [i["InstanceId"] for i in after["Instances"]
                                  if i["LifecycleState"] == "InService"])

        r = self.drive_ok("activities", "ng-a")
        self.assertGreaterEqual(r["n"], 0)
        r = self.drive_ok("lt-versions", "--lt-name", "hoist-lt", "--version", "$Latest")
        self.assertEqual(r["names"], ["m5.large"])
        r = self.drive_ok("instance-types", "m5.large", "c5.large")
        self.assertEqual(sorted(r["names"]), ["c5.large", "m5.large"])
        r = self.drive_ok("launch-configs")
        self.assertEqual(r["n"], 0)

    def test_missing_permission_names_the_action(self):
        env = self.acct.env(self.acct.limited)
        code, lines, err = awsfix.drive(["instance-types", "m5.large"], env)
        self.assertEqual(code, 1)
        self.assertEqual(lines[0]["rc"], "EAWS")
        self.assertEqual(lines[0]["http_status"], 403)
        self.assertRegex(lines[0]["error"],
                         r"^DescribeInstanceTypes: HTTP 403 AccessDenied: .*user/limited is not "
                         r"authorized to perform: ec2:DescribeInstanceTypes")
        # The same user may describe groups: the signature was fine.
        code, lines, err = awsfix.drive(["describe-asgs", "--name", "ng-a"], env)
        self.assertEqual((code, lines[0]["rc"]), (0, "OK"), err)

    def test_wrong_secret_is_a_clear_error(self):
        bad = dict(self.acct.hoist[0])
        bad["SecretAccessKey"] = "wrong" + bad["SecretAccessKey"][5:]
        code, lines, err = awsfix.drive(["describe-asgs", "--name", "ng-a"], self.acct.env(bad))
        self.assertEqual(code, 1)
        self.assertEqual(lines[0]["rc"], "EAWS")
        self.assertRegex(lines[0]["error"],
                         r"^DescribeAutoScalingGroups: HTTP 403 SignatureDoesNotMatch: The request "
                         r"signature we calculated does not match")
        awsfix.assert_no_secret(self, json.dumps(lines) + err, bad, *self.acct.hoist)

    def test_pages_batches_and_awkward_tags(self):
        import boto3  # botocore, the aws CLI's own library: 120 CLI runs would take minutes
        asg = boto3.client("autoscaling", endpoint_url=self.moto.url, region_name="us-east-1",
                           aws_access_key_id=self.acct.admin["AccessKeyId"],
                           aws_secret_access_key=self.acct.admin["SecretAccessKey"])
        awkward_key = "k8s.io/cluster-autoscaler/node-template/label/team name"
        awkward_val = "a = b/c é"
        names = []
        for i in range(120):
            name = "bulk-%03d" % i
            names.append(name)
            tags = [{"Key": "hoist-bulk", "Value": "yes", "PropagateAtLaunch": False}]
            if i % 40 == 0:
                tags.append({"Key": awkward_key, "Value": awkward_val,
                             "PropagateAtLaunch": False})
            asg.create_auto_scaling_group(
                AutoScalingGroupName=name, MinSize=0, MaxSize=1, DesiredCapacity=0,
                AvailabilityZones=["us-east-1a"], Tags=tags,
                LaunchTemplate={"LaunchTemplateName": "hoist-lt", "Version": "$Latest"})
        r = self.drive_ok("describe-asgs", "--tag", "hoist-bulk=yes")
        self.assertEqual(sorted(r["names"]), names)
        path = os.path.join(self.tmp.name, "names")
        with open(path, "w") as f:
            f.write("\n".join(names + ["ng-a"]) + "\n")
        r = self.drive_ok("describe-asgs", "--names-file", path)
        self.assertEqual(sorted(r["names"]), sorted(names + ["ng-a"]))
        r = self.drive_ok("describe-asgs", "--tag", awkward_key + "=" + awkward_val)
        self.assertEqual(sorted(r["names"]), ["bulk-000", "bulk-040", "bulk-080"])
        r = self.drive_ok("describe-asgs", "--tag", awkward_key)
        self.assertEqual(len(r["names"]), 3)
        for i in range(120):
            asg.delete_auto_scaling_group(AutoScalingGroupName=names[i], ForceDelete=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
