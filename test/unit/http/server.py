#!/usr/bin/env python3
"""A small HTTP/1.1 server for lib/http's unit tests (python3 stdlib only).

It binds 127.0.0.1:0, prints "PORT <n>" on stdout, and serves until its stdin
closes (so it never outlives the test that started it). Every response
carries X-Conn-Id, the serial number of the TCP connection it went out on, so
tests can see keep-alive reuse. With --cert/--key it speaks TLS (the
handshake runs in the connection's thread, so a client that rejects the
certificate never blocks others); with --client-ca it also demands a client
certificate signed by that CA.

Paths:
  /echo            200, JSON of method, path, query, headers, body, peer_cn
  /status/<n>      status n, body "status <n>\n"
  /stream          200, chunked: JSON lines split across chunk boundaries,
                   with pauses between chunks
  /stream-gone     410, chunked: a Kubernetes-style Status object
  /stall           reads the request, never answers (until the client leaves)
  /trickle         200 with Content-Length 100, sends 10 bytes, then stalls
  /big?n=<bytes>   200, n bytes of 'x'

It must never listen beyond loopback, and never need the network or pip.
"""
import argparse
import http.server
import itertools
import json
import os
import select
import socket
import ssl
import sys
import threading
import time
import urllib.parse

_conn_ids = itertools.count(1)
_conn_lock = threading.Lock()


def _next_conn_id():
    with _conn_lock:
        return next(_conn_ids)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    tls_context = None

    def setup(self):
        self.conn_id = _next_conn_id()
        self.peer_cn = ""
        if self.tls_context is not None:
            self.request.settimeout(30)
            try:
                self.request = self.tls_context.wrap_socket(self.request, server_side=True)
            except (ssl.SSLError, OSError):
                self.request = None
                return
            cert = self.request.getpeercert() or {}
            for rdn in cert.get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        self.peer_cn = value
            self.request.settimeout(None)
        super().setup()

    def handle(self):
        if self.request is None:
            return
        try:
            super().handle()
        except (ssl.SSLError, OSError):
            pass

    def finish(self):
        if self.request is None:
            return
        try:
            super().finish()
        except (ssl.SSLError, OSError):
            pass

    def log_message(self, fmt, *args):
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status, body, ctype="text/plain", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Conn-Id", str(self.conn_id))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def _chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _chunked_head(self, status):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("X-Conn-Id", str(self.conn_id))
        self.end_headers()
        self.wfile.flush()

    def _wait_for_client_to_leave(self, limit=120):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.connection], [], [], 0.1)
            if r:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        break
                except (OSError, ssl.SSLError, ValueError):
                    break
        self.close_connection = True

    def _dispatch(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        body = self._body()
        if path == "/echo":
            doc = {
                "method": self.command,
                "path": path,
                "query": url.query,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("latin-1"),
                "peer_cn": self.peer_cn,
            }
            self._send(200, json.dumps(doc, sort_keys=True).encode(), "application/json",
                       [("X-Echo", "yes"), ("X-Multi", "one"), ("X-Multi", "two")])
        elif path.startswith("/status/"):
            n = int(path.split("/")[2])
            self._send(n, b"status %d\n" % n)
        elif path == "/stream":
            self._chunked_head(200)
            for piece in (b'{"n":1}\n{"n"', b':2}\n', b'{"n":3}\r\n{"n":', b'4}\n', b'{"n":5}\n'):
                self._chunk(piece)
                time.sleep(0.05)
            self._chunk(b"")
        elif path == "/stream-gone":
            self._chunked_head(410)
            self._chunk(b'{"kind":"Status","code":410,')
            self._chunk(b'"reason":"Expired"}\n')
            self._chunk(b"")
        elif path == "/stall":
            self._wait_for_client_to_leave()
        elif path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.send_header("X-Conn-Id", str(self.conn_id))
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            self._wait_for_client_to_leave()
        elif path == "/big":
            n = int(urllib.parse.parse_qs(url.query).get("n", ["0"])[0])
            self._send(200, b"x" * n)
        else:
            self._send(404, b"no such path\n")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--client-ca")
    args = ap.parse_args()
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        if args.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(args.client_ca)
        Handler.tls_context = ctx
    srv = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    sys.stdout.write("PORT %d\n" % srv.server_address[1])
    sys.stdout.flush()
    # Serve until the test closes our stdin (or dies).
    while sys.stdin.buffer.read(4096):
        pass
    os._exit(0)


if __name__ == "__main__":
    main()
