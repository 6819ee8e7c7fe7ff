"""A stand-in for the EC2 instance metadata service (IMDSv2) and the
EKS Pod Identity / ECS container credentials endpoint, for hoist's
integration tests. Python stdlib only, loopback only.

It follows the documented protocols and nothing more:
  PUT /latest/api/token            needs X-aws-ec2-metadata-token-ttl-seconds
  GET /latest/meta-data/...        needs X-aws-ec2-metadata-token (401 without)
      iam/security-credentials/         -> the role name
      iam/security-credentials/<role>   -> {Code, Type, AccessKeyId, ...}
      placement/region                  -> the region
  GET /creds                       needs Authorization: <token> (401 otherwise)
                                   -> {AccessKeyId, SecretAccessKey, Token, Expiration}
Credentials are real temporary credentials of the moto account given in
--keys (a JSON list of STS Credentials: AccessKeyId, SecretAccessKey,
SessionToken), handed out in turn, each with an Expiration --life seconds ahead, so a
client that refreshes shows it by switching keys. The real aws CLI checks
this stand-in too (the tests point botocore at it).

Usage: aws_metadata_server.py --keys FILE [--life S] [--auth TOKEN] [--region R]
Prints "port N" on stdout once it listens; stops when stdin closes. Logs
paths and key ids served (never secrets) to stderr.
"""
import argparse
import datetime
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROLE = "hoist-node-role"


class State:
    def __init__(self, keys, life, auth, region):
        self.keys = keys
        self.life = life
        self.auth = auth
        self.region = region
        self.tokens = set()
        self.served = 0
        self.lock = threading.Lock()

    def next_creds(self):
        with self.lock:
            k = self.keys[self.served % len(self.keys)]
            self.served += 1
        exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=self.life)
        return {
            "AccessKeyId": k["AccessKeyId"],
            "SecretAccessKey": k["SecretAccessKey"],
            "Token": k["SessionToken"],
            "Expiration": exp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, fmt, *args):
        sys.stderr.write("metadata: %s\n" % (fmt % args))

    def reply(self, status, body, ctype="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        if self.path != "/latest/api/token":
            return self.reply(404, "not found")
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        if not ttl or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return self.reply(400, "missing or bad TTL")
        tok = "imds-token-%d" % len(self.state.tokens)
        self.state.tokens.add(tok)
        self.reply(200, tok)

    def do_GET(self):
        s = self.state
        if self.path == "/creds":
            if s.auth is not None and self.headers.get("Authorization") != s.auth:
                return self.reply(401, json.dumps({"code": "Unauthorized"}), "application/json")
            c = s.next_creds()
            sys.stderr.write("metadata: container served %s\n" % c["AccessKeyId"])
            return self.reply(200, json.dumps(c), "application/json")
        if not self.path.startswith("/latest/meta-data/"):
            return self.reply(404, "not found")
        if self.headers.get("X-aws-ec2-metadata-token") not in s.tokens:
            return self.reply(401, "")
        rest = self.path[len("/latest/meta-data/"):]
        if rest == "iam/security-credentials/":
            return self.reply(200, ROLE)
        if rest == "iam/security-credentials/" + ROLE:
            c = s.next_creds()
            c.update({"Code": "Success", "Type": "AWS-HMAC",
                      "LastUpdated": c["Expiration"]})
            sys.stderr.write("metadata: imds served %s\n" % c["AccessKeyId"])
            return self.reply(200, json.dumps(c))
        if rest == "placement/region":
            return self.reply(200, s.region)
        return self.reply(404, "not found")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", required=True)
    ap.add_argument("--life", type=int, default=3600)
    ap.add_argument("--auth")
    ap.add_argument("--region", default="us-east-1")
    a = ap.parse_args()
    with open(a.keys) as f:
        keys = json.load(f)
    Handler.state = State(keys, a.life, a.auth, a.region)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("port %d" % srv.server_address[1], flush=True)
    sys.stdin.read()  # until the test closes our stdin
    srv.shutdown()


if __name__ == "__main__":
    main()
