"""An HTTPS endpoint that counts connections, for hoist-bench-aws's
connection-reuse measurement (test/bench/aws_bench.c, BENCHMARKS.md).

It makes a throwaway CA and a server certificate for IP:127.0.0.1 and
DNS:localhost with the openssl CLI in a fresh temporary directory (EC
P-256, valid two days), then serves HTTPS on 127.0.0.1 with keep-alive
(HTTP/1.1, no idle timeout), answering every POST with a one-group
DescribeAutoScalingGroups response after --delay-ms, so that concurrent
calls overlap. It counts TCP connections accepted, TLS handshakes
completed, and the most connections open at once.

Protocol on stdin/stdout (one line each):
  prints  "port N ca PATH"  once it listens;
  reads   "stats"           answers {"accepted": A, "handshakes": H,
                            "requests": R, "open": O, "max_open": M};
stops (and removes its directory) when stdin closes. Python stdlib only,
loopback only; never writes outside its temporary directory.
"""
import argparse
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY = b"""<?xml version="1.0" encoding="UTF-8"?>
<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">
  <DescribeAutoScalingGroupsResult>
    <AutoScalingGroups>
      <member>
        <AutoScalingGroupName>ng-bench</AutoScalingGroupName>
        <MinSize>0</MinSize>
        <MaxSize>10</MaxSize>
        <DesiredCapacity>1</DesiredCapacity>
        <AvailabilityZones><member>us-east-1a</member></AvailabilityZones>
        <Instances/>
        <Tags/>
      </member>
    </AutoScalingGroups>
  </DescribeAutoScalingGroupsResult>
  <ResponseMetadata><RequestId>bench-0000</RequestId></ResponseMetadata>
</DescribeAutoScalingGroupsResponse>
"""


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.accepted = self.handshakes = self.requests = self.open = self.max_open = 0

    def add(self, field, n=1):
        with self.lock:
            setattr(self, field, getattr(self, field) + n)
            self.max_open = max(self.max_open, self.open)

    def snapshot(self):
        with self.lock:
            return {"accepted": self.accepted, "handshakes": self.handshakes,
                    "requests": self.requests, "open": self.open, "max_open": self.max_open}


COUNTS = Counts()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    tls = None

    def get_request(self):
        sock, addr = super().get_request()
        COUNTS.add("accepted")
        return sock, addr


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    delay = 0.0

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        COUNTS.add("open")
        # The handshake runs in the connection's own thread, not the accept loop.
        self.request = self.server.tls.wrap_socket(self.request, server_side=True)
        COUNTS.add("handshakes")
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            COUNTS.add("open", -1)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        COUNTS.add("requests")
        if self.delay:
            time.sleep(self.delay)
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)


def make_pki(d):
    def run(*argv):
        subprocess.run(argv, cwd=d, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("openssl", "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
        "-subj", "/CN=hoist bench CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("openssl", "req", *ec, "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=localhost")
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--delay-ms", type=float, default=0.0)
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="hoist-tls-count-")
    try:
        make_pki(d)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(d, "server.crt"), os.path.join(d, "server.key"))
        Server.tls = ctx
        Handler.delay = a.delay_ms / 1000.0
        srv = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        print("port %d ca %s" % (srv.server_address[1], os.path.join(d, "ca.crt")), flush=True)
        for line in sys.stdin:
            if line.strip() == "stats":
                print(json.dumps(COUNTS.snapshot()), flush=True)
        srv.shutdown()
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
