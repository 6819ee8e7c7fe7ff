#!/usr/bin/env python3
"""A tiny forward proxy for hoist's tests (python3 stdlib only): HTTP CONNECT
tunnels, or with --socks5 a SOCKS5 server (no authentication, CONNECT only).
It stands in for the proxy a kubeconfig's proxy-url names, so a test can
prove that requests really went through it: every tunnel it opens is one
line appended (and flushed before the tunnel is confirmed) to --log:

    CONNECT <host>:<port>                 an HTTP CONNECT
    SOCKS5 <domain|ipv4|ipv6> <host> <port>  a SOCKS5 CONNECT, with the address
                                             type the client sent

With --auth user:password an HTTP CONNECT must carry that Proxy-Authorization
(Basic), else 407. Any other HTTP method is refused with 405: this proxy never
forwards plain requests.

It binds 127.0.0.1:0, prints "PORT <n>" on stdout and serves until its stdin
closes, so it never outlives the test that started it. It must never listen
beyond loopback, connect anywhere but loopback, or log a credential.
"""
import argparse
import base64
import ipaddress
import select
import socket
import socketserver
import struct
import sys
import threading

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


class Options:
    log = None
    auth = None
    lock = threading.Lock()


def record(line):
    if not Options.log:
        return
    with Options.lock:
        with open(Options.log, "a") as f:
            f.write(line + "\n")
            f.flush()


def loopback_only(host):
    """The address to connect to for host, or None when it is not loopback."""
    if host.lower() in LOOPBACK_NAMES:
        return "127.0.0.1"
    try:
        addr = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    return str(addr) if addr.is_loopback else None


def relay(a, b):
    """Copies bytes both ways until one side closes."""
    socks = [a, b]
    try:
        while True:
            readable, _, _ = select.select(socks, [], [], 120)
            if not readable:
                return
            for s in readable:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        return


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return None, b""
        data += chunk
        if len(data) > 65536:
            return None, b""
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise OSError("short read")
        data += chunk
    return data


class HttpConnectHandler(socketserver.BaseRequestHandler):
    def reply(self, status, text):
        self.request.sendall(
            ("HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" %
             (status, text)).encode())

    def handle(self):
        head, rest = read_head(self.request)
        if head is None:
            return
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or parts[0] != "CONNECT":
            self.reply(405, "Method Not Allowed")
            return
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if Options.auth is not None:
            want = "Basic " + base64.b64encode(Options.auth.encode()).decode()
            if headers.get("proxy-authorization") != want:
                self.request.sendall(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                    b"Proxy-Authenticate: Basic realm=\"hoist-test\"\r\n"
                    b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                return
        host, _, port = parts[1].rpartition(":")
        addr = loopback_only(host)
        if addr is None or not port.isdigit():
            self.reply(403, "Forbidden")
            return
        try:
            up = socket.create_connection((addr, int(port)), timeout=30)
        except OSError:
            self.reply(502, "Bad Gateway")
            return
        up.settimeout(None)
        record("CONNECT %s" % parts[1])
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        if rest:
            up.sendall(rest)
        relay(self.request, up)
        up.close()


class Socks5Handler(socketserver.BaseRequestHandler):
    def fail(self, code):
        self.request.sendall(struct.pack("!BBBB4sH", 5, code, 0, 1, b"\0\0\0\0", 0))

    def handle(self):
        s = self.request
        try:
            ver, nmethods = recv_exact(s, 2)
            methods = recv_exact(s, nmethods)
            if ver != 5 or 0 not in methods:
                s.sendall(b"\x05\xff")
                return
            s.sendall(b"\x05\x00")
            ver, cmd, _, atyp = recv_exact(s, 4)
            if atyp == 1:
                kind, host = "ipv4", socket.inet_ntop(socket.AF_INET, recv_exact(s, 4))
            elif atyp == 3:
                n = recv_exact(s, 1)[0]
                kind, host = "domain", recv_exact(s, n).decode("latin-1")
            elif atyp == 4:
                kind, host = "ipv6", socket.inet_ntop(socket.AF_INET6, recv_exact(s, 16))
            else:
                self.fail(8)
                return
            port = struct.unpack("!H", recv_exact(s, 2))[0]
        except OSError:
            return
        if ver != 5 or cmd != 1:
            self.fail(7)
            return
        addr = loopback_only(host)
        if addr is None:
            self.fail(2)
            return
        try:
            up = socket.create_connection((addr, port), timeout=30)
        except OSError:
            self.fail(5)
            return
        up.settimeout(None)
        record("SOCKS5 %s %s %d" % (kind, host, port))
        s.sendall(struct.pack("!BBBB4sH", 5, 0, 0, 1, b"\x7f\0\0\1", 0))
        relay(s, up)
        up.close()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--socks5", action="store_true", help="speak SOCKS5 instead of HTTP CONNECT")
    p.add_argument("--log", help="append one line per tunnel to this file")
    p.add_argument("--auth", help="user:password an HTTP CONNECT must present")
    opts = p.parse_args(argv)
    Options.log = opts.log
    Options.auth = opts.auth
    server = Server(("127.0.0.1", 0), Socks5Handler if opts.socks5 else HttpConnectHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except (OSError, KeyboardInterrupt):
        pass
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
