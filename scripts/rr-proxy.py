#!/usr/bin/env python3
"""A small round-robin HTTP proxy for the multi-instance check (scripts/multi-instance.sh):
each request goes to the next backend; a backend that refuses the connection or drops it
before answering is skipped and the request (GET/HEAD only) tried on the next one, as
nginx's `proxy_next_upstream error` does. Loopback only; not for production (deploy/nginx).

    rr-proxy.py PORT BACKEND_PORT [BACKEND_PORT…]
"""
import http.client
import http.server
import itertools
import sys
import threading

port, backends = int(sys.argv[1]), [int(p) for p in sys.argv[2:]]
turn = itertools.cycle(range(len(backends)))
lock = threading.Lock()


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def relay(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        with lock:
            first = next(turn)
        tries = len(backends) if self.command in ("GET", "HEAD") else 1
        for k in range(tries):
            backend = backends[(first + k) % len(backends)]
            try:
                conn = http.client.HTTPConnection("127.0.0.1", backend, timeout=30)
                headers = {h: v for h, v in self.headers.items() if h.lower() not in ("connection", "keep-alive")}
                headers["X-Forwarded-For"] = self.client_address[0]
                conn.request(self.command, self.path, body=body, headers=headers)
                r = conn.getresponse()
                data = r.read()
            except OSError:
                continue
            self.send_response(r.status)
            for h, v in r.getheaders():
                if h.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length"):
                    self.send_header(h, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            return
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_POST = do_PATCH = do_DELETE = relay


http.server.ThreadingHTTPServer(("127.0.0.1", port), Proxy).serve_forever()
