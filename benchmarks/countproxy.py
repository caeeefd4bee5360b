"""A tiny counting reverse proxy on 127.0.0.1 for the publish benchmark.

Forwards every request unchanged (the Host header too, so SigV4 signatures
still match) to one S3 endpoint and counts requests per method. Used only
for the no-op runs, which move little data: throughput is measured direct.
"""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {"connection", "expect", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
       "upgrade"}


class CountingProxy:
    def __init__(self, upstream_port: int):
        self.counts: Counter[str] = Counter()
        self.received = 0  # bytes of response bodies handed back to the client
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _forward(self):
                body = self._body()
                kind = self.command
                if kind == "PUT" and "x-amz-copy-source" in {k.lower() for k in self.headers}:
                    kind = "PUT (copy)"
                elif kind == "GET" and "list-type=" in self.path:
                    kind = "LIST"
                elif kind == "GET" and self.path.split("?")[0].endswith((".mp3", ".m4a",
                                                                          ".opus")):
                    kind = "GET (media)"
                with proxy.lock:
                    proxy.counts[kind] += 1
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                if body or self.command in ("PUT", "POST"):
                    headers["Content-Length"] = str(len(body))
                conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response_only(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                length = resp.getheader("Content-Length")
                self.send_header("Content-Length",
                                 length if self.command == "HEAD" and length else str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                    with proxy.lock:
                        proxy.received += len(data)
                conn.close()

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that closes a kept-alive connection: nothing to report

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "CountingProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.counts.clear()
            self.received = 0

    @property
    def writes(self) -> int:
        return sum(n for k, n in self.counts.items() if k.startswith(("PUT", "POST", "DELETE")))

    @property
    def total(self) -> int:
        return sum(self.counts.values())
