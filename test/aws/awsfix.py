"""Fixtures of hoist's AWS integration tests (ctest label aws-moto).

A real AWS implementation stands in for AWS: moto_server (moto 5, from the
machine's pyenv Python) on a free loopback port, with IAM enforcement
switched on once the account is set up (POST /moto-api/reset-auth with 0,
the server-mode form of INITIAL_NO_AUTH_ACTION_COUNT), so that botocore's
signature check and moto's policy evaluation judge every call hoist makes.
The account is built with the real `aws` CLI: an admin user, the hoist user
holding exactly docs/iam-policy.json, a launch template and tagged groups.

Never: talk beyond 127.0.0.1, sleep for a fixed time where polling works,
print a secret key (the tests grep hoist's output for them), or kill any
process this module did not start.
"""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("HOIST_SOURCE_DIR", os.path.join(HERE, "..", ".."))
FAKES = os.path.join(HERE, "..", "fakes")  # aws_metadata_server.py, aws_fault_proxy.py
DRIVE = os.environ.get("HOIST_AWS_DRIVE", "")
HOIST = os.environ.get("HOIST_BIN", "")
MOTO = os.environ.get("HOIST_MOTO_SERVER", "moto_server")
AWS = os.environ.get("HOIST_AWS_CLI", "aws")
REGION = "us-east-1"
CLUSTER_TAG = "k8s.io/cluster-autoscaler/my-cluster"
ENABLED_TAG = "k8s.io/cluster-autoscaler/enabled"
LT_DATA = ('{"ImageId":"ami-12c6146b","InstanceType":"m5.large",'
           '"TagSpecifications":[{"ResourceType":"instance","Tags":'
           '[{"Key":"team","Value":"infra"}]}]}')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=60.0):
    """Polls url until any HTTP answer arrives; raises after timeout."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("nothing answers at " + url)
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


class Process:
    """A child process this test started, stopped by its own pid only."""

    def __init__(self, argv, log_name, env=None):
        self.log = tempfile.NamedTemporaryFile(prefix=log_name, suffix=".log", delete=False)
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        os.unlink(self.log.name)

    def output(self):
        self.log.flush()
        with open(self.log.name, "rb") as f:
            return f.read().decode("utf-8", "replace")


class Moto(Process):
    def __init__(self):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        super().__init__([MOTO, "-H", "127.0.0.1", "-p", str(self.port)], "moto-")
        wait_http(self.url + "/moto-api/")

    def enforce_iam(self, on=True, after=0):
        """IAM enforcement (or not) from the next request on, or from the one
        after the next `after` requests (INITIAL_NO_AUTH_ACTION_COUNT)."""
        req = urllib.request.Request(self.url + "/moto-api/reset-auth",
                                     data=str(after).encode() if on else b"inf", method="POST",
                                     headers={"Content-Type": "text/plain"})
        body = json.loads(urllib.request.urlopen(req, timeout=10).read())
        assert body["status"] == "ok", body


def clean_env(home):
    """The process environment without any AWS setting, plus safe defaults."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "HOME": home,
        "AWS_CONFIG_FILE": os.path.join(home, "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,  # the aws CLI v1 reads only this one
        "AWS_PAGER": "",
    })
    return env


class Account:
    """The moto account: users, keys, a launch template and groups."""

    def __init__(self, moto, home):
        self.moto = moto
        self.home = home
        self.admin = None
        self.hoist = []    # the hoist user's access keys (two, for rotation tests)
        self.limited = None
        self.nobody = None

    def env(self, key, extra=None):
        env = clean_env(self.home)
        env["AWS_ACCESS_KEY_ID"] = key["AccessKeyId"]
        env["AWS_SECRET_ACCESS_KEY"] = key["SecretAccessKey"]
        env["AWS_ENDPOINT_URL"] = self.moto.url
        if extra:
            env.update(extra)
        return env

    def aws(self, *args, key=None, check=True, env=None):
        """Runs the real aws CLI against moto; returns parsed JSON (or None)."""
        if env is None:
            if key is None:
                env = clean_env(self.home)
                env["AWS_ACCESS_KEY_ID"] = "testing"
                env["AWS_SECRET_ACCESS_KEY"] = "testing"
            else:
                env = self.env(key)
        p = subprocess.run([AWS, "--endpoint-url", self.moto.url, "--output", "json", *args],
                           env=env, capture_output=True, text=True, timeout=120)
        if check and p.returncode != 0:
            raise AssertionError("aws %s: exit %d: %s" % (" ".join(args), p.returncode,
                                                          p.stderr.strip()))
        if p.returncode != 0:
            return p
        return json.loads(p.stdout) if p.stdout.strip() else None

    def admin_aws(self, *args, **kw):
        return self.aws(*args, key=self.admin, **kw)

    def create_user(self, name, policy_json):
        self.aws("iam", "create-user", "--user-name", name)
        self.aws("iam", "put-user-policy", "--user-name", name, "--policy-name", name + "-policy",
                 "--policy-document", policy_json)
        return self.aws("iam", "create-access-key", "--user-name", name)["AccessKey"]

    def setup(self, groups=True):
        """Builds the account with IAM enforcement off, then turns it on."""
        with open(os.path.join(SRC, "docs", "iam-policy.json")) as f:
            policy = f.read()
        self.admin = self.create_user("admin", json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        self.hoist = [self.create_user("hoist", policy)]
        self.hoist.append(self.aws("iam", "create-access-key",
                                   "--user-name", "hoist")["AccessKey"])
        self.limited = self.create_user("limited", json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["autoscaling:DescribeAutoScalingGroups"],
                           "Resource": "*"}]}))
        self.nobody = self.create_user("nobody", json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["sts:GetCallerIdentity"],
                           "Resource": "*"}]}))
        if groups:
            self.aws("ec2", "create-launch-template", "--launch-template-name", "hoist-lt",
                     "--launch-template-data", LT_DATA)
            self.aws("autoscaling", "create-auto-scaling-group", "--auto-scaling-group-name",
                     "ng-a", "--launch-template", "LaunchTemplateName=hoist-lt,Version=$Latest",
                     "--min-size", "1", "--max-size", "5", "--desired-capacity", "2",
                     "--availability-zones", "us-east-1a", "us-east-1b", "--tags",
                     "Key=%s,Value=true,PropagateAtLaunch=false" % ENABLED_TAG,
                     "Key=%s,Value=owned,PropagateAtLaunch=false" % CLUSTER_TAG,
                     "Key=k8s.io/cluster-autoscaler/node-template/label/team,Value=infra,"
                     "PropagateAtLaunch=false")
            self.aws("autoscaling", "create-auto-scaling-group", "--auto-scaling-group-name",
                     "ng-b", "--mixed-instances-policy", json.dumps({
                         "LaunchTemplate": {
                             "LaunchTemplateSpecification": {"LaunchTemplateName": "hoist-lt",
                                                             "Version": "$Latest"},
                             "Overrides": [{"InstanceType": "m5.large"},
                                           {"InstanceType": "c5.large"}]},
                         "InstancesDistribution": {"OnDemandPercentageAboveBaseCapacity": 50}}),
                     "--min-size", "0", "--max-size", "10", "--desired-capacity", "1",
                     "--availability-zones", "us-east-1a", "--tags",
                     "Key=%s,Value=true,PropagateAtLaunch=false" % ENABLED_TAG,
                     "Key=%s,Value=owned,PropagateAtLaunch=false" % CLUSTER_TAG,
                     "Key=k8s.io/cluster-autoscaler/node-template/taint/dedicated,"
                     "Value=gpu:NoSchedule,PropagateAtLaunch=false")
            # Not this cluster's: only the enabled tag.
            self.aws("autoscaling", "create-auto-scaling-group", "--auto-scaling-group-name",
                     "other", "--launch-template", "LaunchTemplateName=hoist-lt,Version=$Latest",
                     "--min-size", "0", "--max-size", "3", "--desired-capacity", "0",
                     "--availability-zones", "us-east-1c", "--tags",
                     "Key=%s,Value=true,PropagateAtLaunch=false" % ENABLED_TAG)
        self.moto.enforce_iam(True)


def run(argv, env, timeout=120):
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def drive(args, env, timeout=120):
    """Runs the lib/aws driver; returns (exit code, JSON lines, stderr)."""
    code, out, err = run([DRIVE, *args], env, timeout)
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    return code, lines, err


def assert_no_secret(test, text, *keys):
    for k in keys:
        if k:
            test.assertNotIn(k["SecretAccessKey"], text)
            if k.get("SessionToken"):
                test.assertNotIn(k["SessionToken"], text)


class Helper:
    """One of the AWS fakes of test/fakes (aws_metadata_server.py,
    aws_fault_proxy.py): started with a pipe on stdin, stopped by closing it."""

    def __init__(self, script, *args):
        import sys
        self.err = tempfile.NamedTemporaryFile(prefix="helper-", suffix=".log", delete=False)
        self.proc = subprocess.Popen([sys.executable, os.path.join(FAKES, script), *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.err, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("port "):
            self.stop()
            raise RuntimeError("%s did not start: %s" % (script, self.log()))
        self.port = int(line.split()[1])
        self.url = "http://127.0.0.1:%d" % self.port

    def log(self):
        with open(self.err.name) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.close()
        os.unlink(self.err.name)
