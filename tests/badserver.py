"""A web server on 127.0.0.1 that misbehaves on purpose, byte for byte.

``routes[path] = handler``; a handler gets the parsed request and returns what
to send: bytes, or a list of bytes and ``Pause(seconds)`` steps (a slow drip),
or ``None`` to drop the connection without a word. What is sent is raw, so a
handler can cut a chunked body, send a garbage chunk size, a bad status line,
150 headers or a body shorter than its Content-Length. ``requests`` records
``(method, path, headers)`` of every request. Helpers build the usual answers.
"""

from __future__ import annotations

import socketserver
import threading
import time
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Pause:
    seconds: float


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes


def answer(status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None,
           *, length: int | None = None, reason: str = "X") -> bytes:
    """A complete HTTP/1.1 answer; ``length`` overrides Content-Length (a lie), and
    ``length=-1`` leaves it out (the body then ends when the connection closes)."""
    head = {"Content-Type": "application/octet-stream", "Connection": "close",
            **(headers or {})}
    if length != -1:
        head["Content-Length"] = str(len(body) if length is None else length)
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in head.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def redirect(location: str, status: int = 302) -> bytes:
    return answer(status, headers={"Location": location})


def chunked(*chunks: bytes, end: bytes = b"0\r\n\r\n", status: int = 200) -> bytes:
    head = (f"HTTP/1.1 {status} OK\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n").encode()
    return head + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + end


class BadServer:
    def __init__(self):
        self.routes: dict[str, Callable[[Request], object]] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                while True:
                    request = self._read()
                    if request is None:
                        return
                    with server.lock:
                        server.requests.append(request)
                    route = server.routes.get(request.path.split("?", 1)[0])
                    out = route(request) if route else answer(404, b"not here")
                    if out is None:
                        return  # drop the connection
                    for step in out if isinstance(out, list) else [out]:
                        if isinstance(step, Pause):
                            time.sleep(step.seconds)
                        else:
                            try:
                                self.wfile.write(step)
                                self.wfile.flush()
                            except OSError:
                                return
                    return  # every answer closes the connection

            def _read(self) -> Request | None:
                line = self.rfile.readline(65536).decode("latin-1").strip()
                if not line:
                    return None
                method, path, _ = (line.split(" ") + ["", ""])[:3]
                headers = {}
                while (h := self.rfile.readline(65536)) not in (b"\r\n", b"\n", b""):
                    name, _, value = h.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = self.rfile.read(int(headers.get("content-length") or 0))
                return Request(method, path, headers, body)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "BadServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path.split("?", 1)[0] == path)
