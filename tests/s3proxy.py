"""A reverse proxy on 127.0.0.1 in front of the S3 server: it counts requests, and,
when asked, misbehaves on purpose.

``counts`` holds the requests per method (``PUT (copy)``, ``LIST`` and ``GET (media)``
apart) and ``received`` the bytes answered: the publish
benchmarks count what a run asks of the storage through it. With a fault ``rate``,
each request, with that probability (a seeded RNG, so a failing run can be
replayed), meets one fault instead of a clean answer:

* ``503``: ``SlowDown``, as S3 answers under load (the request never reaches the server);
* ``500``: ``InternalError`` (likewise);
* ``drop``: the connection is closed with no answer, either before the request is
  forwarded or after the server has carried it out (the answer is lost: the client
  cannot tell whether its write happened, and retries it);
* ``stall``: the answer comes ``stall`` seconds late.

Requests are forwarded unchanged (the Host header too, so SigV4 signatures still
match). ``faults`` counts what was injected, so a test can prove each kind was met.
``CountingProxy`` is the quiet one (no faults).
"""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {"connection", "expect", "keep-alive", "proxy-connection", "transfer-encoding", "te",
       "trailer", "upgrade"}
KINDS = ("503", "500", "drop before", "drop after", "stall")
ERRORS = {"503": ("SlowDown", "Please reduce your request rate."),
          "500": ("InternalError", "We encountered an internal error. Please try again.")}


class S3Proxy:
    def __init__(self, upstream_port: int, *, seed: int = 0, rate: float = 0.0,
                 stall: float = 3.0):
        self.rng = random.Random(seed)
        self.rate, self.stall = rate, stall
        self.faults: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.requests = 0
        self.received = 0  # bytes of the answers passed on to the client
        self.lock = threading.Lock()
        self.enabled = True
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

            def _error(self, status: str) -> None:
                code, message = ERRORS[status]
                body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                        f"<Message>{message}</Message></Error>").encode()
                self.send_response_only(int(status))
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _drop(self) -> None:
                self.close_connection = True
                self.connection.close()

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
                fault = proxy.draw(kind)
                if fault in ("503", "500"):
                    return self._error(fault)
                if fault == "drop before":
                    return self._drop()
                if fault == "stall":
                    time.sleep(proxy.stall)  # the fault itself: a server slow to answer
                conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                if body or self.command in ("PUT", "POST"):
                    headers["Content-Length"] = str(len(body))
                conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                if fault == "drop after":
                    return self._drop()
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

    def draw(self, kind: str) -> str | None:
        """Count a request of ``kind`` and pick its fault (None: answer it cleanly)."""
        with self.lock:
            self.requests += 1
            self.counts[kind] += 1
            if not self.enabled or self.rng.random() >= self.rate:
                return None
            fault = self.rng.choice(KINDS)
            self.faults[fault] += 1
            return fault

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

    def __enter__(self) -> "S3Proxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class CountingProxy(S3Proxy):
    """Forwards every request cleanly and counts it."""

    def __init__(self, upstream_port: int):
        super().__init__(upstream_port)
