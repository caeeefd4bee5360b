"""A tiny web host on 127.0.0.1 for the reach tests: another podcast host's files,
an analytics prefix that redirects, and a WebSub hub that records its pings.

* ``files[path] = (bytes, content_type)``: GET and HEAD with byte ranges
  (206, ``If-Range`` on the ETag), like a CDN;
* ``redirects[path] = location``: 302;
* any path under ``/e/`` redirects (302) to the address written after it, as
  OP3 or Podtrac do (an address without a scheme gets https://);
* ``POST /hub``: recorded in ``pings`` (the form fields), answered 204;
* ``break_after[path] = n``: the next GET of ``path`` sends n bytes and drops the
  connection (a download cut off mid-way);
* ``requests``: (method, path, Range header) of every request; ``headers``: theirs.
"""

from __future__ import annotations

import hashlib
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Host:
    def __init__(self):
        self.files: dict[str, tuple[bytes, str]] = {}
        self.redirects: dict[str, str] = {}
        self.break_after: dict[str, int] = {}
        self.pings: list[dict[str, list[str]]] = []
        self.requests: list[tuple[str, str, str | None]] = []
        self.headers: list[dict[str, str]] = []  # each request's headers, in order
        self.lock = threading.Lock()
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _record(self):
                with host.lock:
                    host.requests.append((self.command, self.path, self.headers.get("Range")))
                    host.headers.append(dict(self.headers))

            def do_POST(self):
                self._record()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                if self.path.split("?")[0] == "/hub":
                    with host.lock:
                        host.pings.append(urllib.parse.parse_qs(body))
                    self.send_response(204)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_error(404)

            def do_HEAD(self):
                self._serve(head=True)

            def do_GET(self):
                self._serve(head=False)

            def _serve(self, head: bool):
                self._record()
                path = self.path
                bare = path.split("?", 1)[0]
                if bare.startswith("/e/"):
                    rest = urllib.parse.unquote(path[len("/e/"):])
                    target = rest if rest.startswith(("http://", "https://")) else "https://" + rest
                    return self._redirect(target)
                if bare in host.redirects:
                    return self._redirect(host.redirects[bare])
                if bare == "/hub" or bare.startswith("/pubnotify"):
                    with host.lock:
                        host.pings.append(urllib.parse.parse_qs(urllib.parse.urlsplit(path).query))
                    body = b'{"status":"true","description":"Feed marked for [immediate] update."}'
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if not head:
                        self.wfile.write(body)
                    return
                found = host.files.get(bare)
                if found is None:
                    return self.send_error(404)
                data, ctype = found
                etag = '"' + hashlib.md5(data).hexdigest() + '"'
                start, end, status = 0, len(data) - 1, 200
                rng = self.headers.get("Range")
                if_range = self.headers.get("If-Range")
                if rng and rng.startswith("bytes=") and (not if_range or if_range == etag):
                    first, _, last = rng[6:].partition("-")
                    start = int(first) if first else len(data) - int(last)
                    end = int(last) if first and last else len(data) - 1
                    if start >= len(data):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(data)}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    status = 206
                body = data[start:end + 1]
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Accept-Ranges", "bytes")
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
                self.end_headers()
                if head:
                    return
                cut = None
                with host.lock:
                    if bare in host.break_after:
                        cut = host.break_after.pop(bare)
                if cut is not None:
                    self.wfile.write(body[:cut])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                self.wfile.write(body)

            def _redirect(self, location: str):
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "Host":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, path: str, data: bytes, ctype: str) -> str:
        self.files[path] = (data, ctype)
        return self.base + path
