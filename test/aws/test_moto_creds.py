"""Each network credential source of hoist against real judges.

- Web identity (IRSA): moto's STS AssumeRoleWithWebIdentity, for a role whose
  policy is docs/iam-policy.json; the temporary credentials then sign calls
  that moto verifies with IAM enforcement on. moto's enforcement cannot
  serve this unsigned call (its auth hook reads an Authorization header that
  is not there: HTTP 500, for the aws CLI as for hoist), so each web-identity
  run lets exactly one request through unauthenticated first
  (INITIAL_NO_AUTH_ACTION_COUNT=1): the STS call, which needs no signature.
- IMDSv2 and the container endpoint: test/fakes/aws_metadata_server.py, a
  stand-in that follows the documented protocol, handing out the hoist
  user's real keys; the real aws CLI (botocore) fetches from the same
  stand-in and moto accepts its calls, so the stand-in is checked by a
  client other than ours. Short lifetimes show hoist refreshing ahead of
  expiry (the keys rotate).
- moto's own IMDS answers hoist's IMDSv2 exchange too.
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsfix  # noqa: E402

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/"
                                                  "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE"},
    "Action": "sts:AssumeRoleWithWebIdentity"}]})


class MotoCreds(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="hoist-creds-")
        cls.moto = awsfix.Moto()
        cls.acct = awsfix.Account(cls.moto, cls.tmp.name)
        try:
            cls.acct.setup()
            with open(os.path.join(awsfix.SRC, "docs", "iam-policy.json")) as f:
                policy = f.read()
            role = cls.acct.admin_aws("iam", "create-role", "--role-name", "hoist-irsa",
                                      "--assume-role-policy-document", TRUST)
            cls.role_arn = role["Role"]["Arn"]
            cls.acct.admin_aws("iam", "put-role-policy", "--role-name", "hoist-irsa",
                               "--policy-name", "hoist", "--policy-document", policy)
            # What an instance profile or a pod identity agent hands out:
            # temporary credentials of a role holding the documented policy.
            node_trust = json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "sts:AssumeRole"}]})
            node = cls.acct.admin_aws("iam", "create-role", "--role-name", "hoist-node",
                                      "--assume-role-policy-document", node_trust)
            cls.acct.admin_aws("iam", "put-role-policy", "--role-name", "hoist-node",
                               "--policy-name", "hoist", "--policy-document", policy)
            cls.moto.enforce_iam(False)  # moto judges the trust policy oddly; setup only
            cls.temp = [cls.acct.admin_aws("sts", "assume-role", "--role-arn",
                                           node["Role"]["Arn"], "--role-session-name",
                                           "node-%d" % i)["Credentials"] for i in range(2)]
            cls.moto.enforce_iam(True)
            cls.keys_file = os.path.join(cls.tmp.name, "keys.json")
            with open(cls.keys_file, "w") as f:
                json.dump(cls.temp, f)
        except Exception:
            cls.moto.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        cls.tmp.cleanup()

    def base_env(self, **extra):
        env = awsfix.clean_env(self.tmp.name)
        env["AWS_ENDPOINT_URL"] = self.moto.url
        env.update(extra)
        return env

    def cli_identity(self, env):
        p = awsfix.run([awsfix.AWS, "sts", "get-caller-identity", "--endpoint-url",
                        self.moto.url, "--output", "json"], env)
        self.assertEqual(p[0], 0, p[2])
        return json.loads(p[1])["Arn"]

    def test_web_identity(self):
        tok = os.path.join(self.tmp.name, "token")
        with open(tok, "w") as f:
            f.write("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6a3ViZS1zeXN0ZW0"
                    "6aG9pc3QifQ.c2lnbmF0dXJl\n")
        env = self.base_env(AWS_WEB_IDENTITY_TOKEN_FILE=tok, AWS_ROLE_ARN=self.role_arn,
                            AWS_ROLE_SESSION_NAME="hoist-test")
        self.moto.enforce_iam(after=1)
        code, lines, err = awsfix.drive(["--duration-s", "900", "describe-asgs", "--name",
                                         "ng-a"], env)
        self.assertEqual(code, 0, "%s %s" % (lines, err))
        self.assertEqual(lines[0]["names"], ["ng-a"])
        self.assertTrue(lines[0]["key"].startswith("ASIA"), lines[0]["key"])
        self.assertEqual(lines[0]["fetches"], 1)
        self.assertNotIn("eyJ", json.dumps(lines) + err)
        # The role's policy is enforced on the assumed-role credentials too.
        self.moto.enforce_iam(after=1)
        code, lines, err = awsfix.drive(["set-desired", "ng-a", "3"], env)
        self.assertEqual((code, lines[0]["rc"]), (0, "OK"), err)
        # hoist discover runs on the same credentials.
        self.moto.enforce_iam(after=1)
        code, out, err = awsfix.run([awsfix.HOIST, "discover", "--nodes=1:5:ng-a",
                                     "--output=json"], env)
        self.assertEqual(code, 0, err)
        self.assertEqual(json.loads(out)["nodeGroups"][0]["desiredCapacity"], 3)
        # The real CLI agrees with the setup.
        self.moto.enforce_iam(after=1)
        self.assertIn(":assumed-role/hoist-irsa/", self.cli_identity(env))

    def test_web_identity_missing_token_file(self):
        env = self.base_env(AWS_WEB_IDENTITY_TOKEN_FILE=os.path.join(self.tmp.name, "nope"),
                            AWS_ROLE_ARN=self.role_arn)
        code, lines, err = awsfix.drive(["describe-asgs", "--name", "ng-a"], env)
        self.assertEqual(code, 1)
        self.assertIn("no AWS credentials: web identity token file: cannot read", lines[0]["error"])

    def test_imds(self):
        md = awsfix.Helper("aws_metadata_server.py", "--keys", self.keys_file, "--life", "4")
        try:
            env = self.base_env(AWS_EC2_METADATA_SERVICE_ENDPOINT=md.url)
            del env["AWS_EC2_METADATA_DISABLED"]
            # botocore itself fetches from the stand-in and moto accepts it.
            self.assertIn(":assumed-role/hoist-node/", self.cli_identity(env))
            # hoist: refreshed ahead of expiry (4 s life, 2 s ahead): keys rotate.
            code, lines, err = awsfix.drive(
                ["--refresh-ahead-ms", "2000", "--margin-ms", "500", "--repeat", "3",
                 "--pause-ms", "1500", "describe-asgs", "--name", "ng-a"], env)
            self.assertEqual(code, 0, "%s %s" % (lines, err))
            self.assertTrue(all(x["rc"] == "OK" for x in lines), lines)
            self.assertGreaterEqual(lines[-1]["fetches"], 2)
            self.assertGreater(len({x["key"] for x in lines}), 1, lines)
            awsfix.assert_no_secret(self, json.dumps(lines) + err, *self.temp)
            # Region from IMDS when nothing else names one.
            del env["AWS_REGION"], env["AWS_DEFAULT_REGION"]
            code, out, err = awsfix.run([awsfix.HOIST, "discover", "--nodes=1:5:ng-a",
                                         "--output=json"], env)
            self.assertEqual(code, 0, err)
            self.assertEqual(json.loads(out)["region"], "us-east-1")
            self.assertIn("imds served", md.log())
        finally:
            md.stop()

    def test_moto_imds(self):
        env = self.base_env(AWS_EC2_METADATA_SERVICE_ENDPOINT=self.moto.url)
        del env["AWS_EC2_METADATA_DISABLED"]
        code, lines, err = awsfix.drive(["describe-asgs", "--name", "ng-a"], env)
        # moto's IMDS hands out test-key, which its own IAM then refuses.
        self.assertEqual(lines[0]["key"], "test-key", err)
        self.assertEqual(lines[0]["http_status"], 403)

    def test_container(self):
        auth = os.path.join(self.tmp.name, "auth")
        with open(auth, "w") as f:
            f.write("container-secret-token")  # botocore refuses a trailing newline
        md = awsfix.Helper("aws_metadata_server.py", "--keys", self.keys_file, "--life", "4",
                           "--auth", "container-secret-token")
        try:
            env = self.base_env(AWS_CONTAINER_CREDENTIALS_FULL_URI=md.url + "/creds",
                                AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=auth)
            self.assertIn(":assumed-role/hoist-node/", self.cli_identity(env))
            code, lines, err = awsfix.drive(
                ["--refresh-ahead-ms", "2000", "--margin-ms", "500", "--repeat", "3",
                 "--pause-ms", "1500", "describe-asgs", "--name", "ng-a"], env)
            self.assertEqual(code, 0, "%s %s" % (lines, err))
            self.assertGreaterEqual(lines[-1]["fetches"], 2)
            self.assertGreater(len({x["key"] for x in lines}), 1, lines)
            self.assertNotIn("container-secret-token", json.dumps(lines) + err)
            awsfix.assert_no_secret(self, json.dumps(lines) + err, *self.temp)
            # A wrong token: the endpoint's 401 is the error, without the token.
            with open(auth, "w") as f:
                f.write("wrong-token")
            code, lines, err = awsfix.drive(["describe-asgs", "--name", "ng-a"], env)
            self.assertEqual(code, 1)
            self.assertIn("container credentials endpoint: GET %s/creds: HTTP 401" % md.url,
                          lines[0]["error"])
            self.assertNotIn("wrong-token", json.dumps(lines) + err)
        finally:
            md.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
