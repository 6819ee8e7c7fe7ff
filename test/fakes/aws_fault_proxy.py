"""A fault-injecting HTTP proxy in front of moto_server, for what moto does
not do: throttling storms, 5xx, dropped connections, slow answers, garbage
bodies. Python stdlib only, loopback only. Its faults are checked by a
client other than hoist: test/aws/test_faults.py runs the real aws CLI
through it, and botocore's own retries must recognise each one.

Requests are forwarded unchanged (the Host header included, so moto checks
the signature the client made for the proxy's address) unless the current plan
says otherwise. The plan is set by POST /__fault__ with JSON:
  {"pattern": ["throttle", "ok"], ...}  faults applied in turn, cycling
  {"always": "503"}                       every request
  {"slow_ms": 2000}                       the delay of "slow"
Faults: ok, throttle (AutoScaling: 400 Throttling; EC2: 503
RequestLimitExceeded, the bodies of ../shared/testdata/aws/
synthesized-query-xml/errors), 500, 503, drop (close without answering),
slow (wait slow_ms, then forward), garbage (200 with a broken body).
GET /__fault__ returns the counts per fault. The throttle bodies are read
from the test data directory given with --testdata.

Usage: aws_fault_proxy.py --upstream http://127.0.0.1:PORT --testdata DIR
Prints "port N" once it listens; stops when stdin closes.
"""
import argparse
import http.client
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INTERNAL = ("<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code>"
            "<Message>injected</Message></Error><RequestId>fault-500</RequestId></ErrorResponse>")
UNAVAILABLE = ("<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code>"
               "<Message>injected</Message></Error><RequestId>fault-503</RequestId>"
               "</ErrorResponse>")


class Plan:
    def __init__(self):
        self.lock = threading.Lock()
        self.pattern = ["ok"]
        self.i = 0
        self.slow_ms = 2000
        self.counts = {}

    def set(self, spec):
        with self.lock:
            if "always" in spec:
                self.pattern = [spec["always"]]
            if "pattern" in spec:
                self.pattern = list(spec["pattern"])
            self.slow_ms = spec.get("slow_ms", self.slow_ms)
            self.i = 0
            self.counts = {}

    def next(self):
        with self.lock:
            f = self.pattern[self.i % len(self.pattern)]
            self.i += 1
            self.counts[f] = self.counts.get(f, 0) + 1
            return f


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    plan = None
    upstream = None
    throttle_asg = b""
    throttle_ec2 = b""

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, close=False):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/__fault__":
            return self.reply(200, json.dumps(self.plan.counts))
        self.forward(b"")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/__fault__":
            self.plan.set(json.loads(body))
            return self.reply(200, "{}")
        fault = self.plan.next()
        is_ec2 = b"Version=2016-11-15" in body
        if fault == "throttle":
            if is_ec2:
                return self.reply(503, self.throttle_ec2)
            return self.reply(400, self.throttle_asg)
        if fault == "500":
            return self.reply(500, INTERNAL)
        if fault == "503":
            return self.reply(503, UNAVAILABLE)
        if fault == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault == "garbage":
            return self.reply(200, "<DescribeAutoScalingGroupsResponse><oops")
        if fault == "slow":
            time.sleep(self.plan.slow_ms / 1000.0)
        self.forward(body)

    def forward(self, body):
        u = urllib.parse.urlsplit(self.upstream)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("connection", "keep-alive", "proxy-connection")}
        try:
            conn.request(self.command, self.path, body=body or None, headers=headers)
            r = conn.getresponse()
            data = r.read()
        except OSError as e:
            return self.reply(502, "upstream: %s" % e)
        finally:
            conn.close()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length",
                                 "keep-alive", "server", "date"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--testdata", required=True)
    a = ap.parse_args()
    errs = os.path.join(a.testdata, "aws", "synthesized-query-xml", "errors")
    with open(os.path.join(errs, "autoscaling-Throttling-COMPOSED.xml"), "rb") as f:
        Handler.throttle_asg = f.read()
    with open(os.path.join(errs, "ec2-RequestLimitExceeded-COMPOSED.xml"), "rb") as f:
        Handler.throttle_ec2 = f.read()
    Handler.plan = Plan()
    Handler.upstream = a.upstream
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("port %d" % srv.server_address[1], flush=True)
    sys.stdin.read()
    srv.shutdown()


if __name__ == "__main__":
    main()
