"""``podcast serve``: preview ``feed/`` on 127.0.0.1 as the bucket will serve it.

The same Content-Types as the publisher sets (``podcast.publish.kinds``),
HEAD, and single HTTP byte ranges (206, 416), so audio seeking in a browser
behaves as it will from S3. ``/_producer/`` serves the producer pages (each
episode's loudness report, drawn from ``.cache/audio``): made per request,
never written into ``feed/``, so never published. Before serving, the show is built with its
public URL set to the preview address; afterwards a request rebuilds it
when an input (podcast.toml, episodes/, templates/, the artwork) changed,
checked at most once a second.
"""

from __future__ import annotations

import email.utils
import errno
import html
import logging
import os
import re
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from podcast.errors import PodcastError

log = logging.getLogger(__name__)

HOST = "127.0.0.1"  # never another interface: the preview is for this machine only
PRODUCER = "/_producer/"  # the producer pages: rendered per request, never in feed/
DEFAULT_PORT = 8000
CHECK_INTERVAL = 1.0  # seconds between input checks
CHUNK = 64 * 1024
IDLE_TIMEOUT = 15.0  # seconds a connection may send nothing before it is closed
_RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")  # 18 digits: beyond any file


class RangeNotSatisfiable(Exception):
    pass


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive (first, last) byte of a ``Range`` header, or None for the whole file.

    One range of bytes is served. Anything else (several ranges, another unit,
    garbage, numbers longer than any file, ``bytes=5-2``) raises
    ``RangeNotSatisfiable``: the server answers 416 with the file's size rather
    than guess (RFC 9110 allows either).
    """
    if header is None:
        return None
    m = _RANGE.match(header.strip().replace(" ", ""))
    if not m:
        raise RangeNotSatisfiable
    first, last = m.groups()
    if first == "" and last == "":
        raise RangeNotSatisfiable
    if first == "":  # suffix: the last N bytes
        n = int(last)
        if n == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - n), size - 1
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or (last != "" and int(last) < start):
        raise RangeNotSatisfiable
    return start, end


def content_type(key: str) -> str:
    from podcast.publish.kinds import (
        kind_of,  # the publisher's table: one source of truth
    )
    return kind_of(key).content_type


def inputs_signature(root: Path, files: tuple[Path, ...] = ()) -> tuple:
    """(path, mtime, size) of every build input: a change means a rebuild.

    podcast.toml, everything under episodes/, templates/ and artwork/, and
    ``files`` (the show's artwork, wherever podcast.toml points).
    """
    root = Path(root)
    entries = []
    for path in (root / "podcast.toml", *files):
        try:
            st = path.stat()
        except OSError:
            continue
        entries.append((str(path), st.st_mtime_ns, st.st_size))
    for folder in ("episodes", "templates", "artwork"):
        for dirpath, dirnames, filenames in os.walk(root / folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = Path(dirpath) / name
                try:
                    st = path.stat()
                except FileNotFoundError:
                    continue
                entries.append((path.relative_to(root).as_posix(), st.st_mtime_ns, st.st_size))
    return tuple(entries)


class Preview:
    """An HTTP server over ``feed/`` on 127.0.0.1, rebuilding the show when inputs change.

    The socket is bound in the constructor (``port=0`` picks a free port), so
    ``url`` is known before the first build and the pages link to it.
    """

    def __init__(self, root: Path, *, port: int = DEFAULT_PORT, build: bool = True,
                 interval: float = CHECK_INTERVAL, idle_timeout: float = IDLE_TIMEOUT):
        from podcast.show.config import load_show

        self.root = Path(root)
        show = load_show(self.root)
        self.out = show.output_dir
        self._inputs = (show.artwork,)
        self.rebuilds = build
        self.interval = interval
        self.idle_timeout = idle_timeout
        self._lock = threading.Lock()
        self._signature: tuple | None = None
        self._checked = 0.0
        self.error: str | None = None  # the last build's error, shown on pages
        self.builds = 0
        try:
            self.server = ThreadingHTTPServer((HOST, port), _Handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PodcastError(f"{HOST}:{port}", "is already in use",
                                   "Stop the other server or pass --port N") from None
            raise PodcastError(f"{HOST}:{port}", f"cannot listen ({exc.strerror})",
                               "Pass another --port") from None
        self.server.daemon_threads = True
        self.server.preview = self
        self.port = self.server.server_address[1]
        self.url = f"http://{HOST}:{self.port}/"
        self._thread: threading.Thread | None = None
        if build:
            try:
                self._build(inputs_signature(self.root, self._inputs), initial=True)
            except BaseException:
                self.server.server_close()
                raise

    # -- building ----------------------------------------------------------

    def _build(self, signature: tuple, *, initial: bool = False) -> None:
        started = time.perf_counter()
        try:
            _build(self.root, self.url)
        except PodcastError as exc:
            if initial:
                raise
            self.error = exc.format()
            log.error("rebuild failed: %s", self.error)
        else:
            self.error = None
            self.builds += 1
            log.info("%s in %.1f s", "built" if initial else "rebuilt",
                     time.perf_counter() - started)
        finally:
            # A failed build is not retried until an input changes again.
            self._signature = signature

    def refresh(self) -> None:
        """Rebuild if an input changed since the last build (checked at most every interval)."""
        if not self.rebuilds:
            return
        with self._lock:
            now = time.monotonic()
            if now - self._checked < self.interval:
                return
            signature = inputs_signature(self.root, self._inputs)
            if signature != self._signature:
                log.info("inputs changed: rebuilding")
                self._build(signature)
            self._checked = time.monotonic()

    # -- serving -----------------------------------------------------------

    def serve_forever(self) -> None:
        log.info("serving %s on %s", self.out, self.url)
        self.server.serve_forever(poll_interval=0.25)

    def start(self) -> "Preview":
        """Serve in a background thread (tests, embedding)."""
        self._thread = threading.Thread(target=self.serve_forever, name="podcast-serve",
                                        daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join()
            self._thread = None
        self.server.server_close()

    def __enter__(self) -> "Preview":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _build(root: Path, url: str) -> object:
    from podcast.build import build
    return build(root, public_url=url)


class _Handler(BaseHTTPRequestHandler):
    server_version = "podcast-preview"
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT  # an idle keep-alive connection (or one that sends nothing) closes

    def setup(self) -> None:
        self.timeout = getattr(self.server.preview, "idle_timeout", IDLE_TIMEOUT)
        super().setup()

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)

    # -----------------------------------------------------------------------

    def _serve(self, head: bool) -> None:
        preview: Preview = self.server.preview
        path = unquote(urlsplit(self.path).path)
        try:
            preview.refresh()
        except Exception as exc:  # never let a rebuild crash the server
            log.exception("rebuild failed")
            preview.error = f"rebuild failed: {exc}"
        if path == PRODUCER.rstrip("/") or path.startswith(PRODUCER):
            return self._producer(preview, path[len(PRODUCER):] if path.startswith(PRODUCER)
                                  else "", head)
        if preview.error and (path.endswith(("/", ".html", ".xml"))):
            return self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "The build failed",
                               preview.error, head)
        target = self._resolve(preview.out, path)
        if target is None:
            return self._error(HTTPStatus.NOT_FOUND, "Not found",
                               f"{path} is not in feed/.", head)
        if isinstance(target, str):  # a folder without its slash: redirect like S3 sites do
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send_file(target, preview.out, head)

    @staticmethod
    def _resolve(out: Path, path: str) -> Path | str | None:
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") or p.startswith(".") or "\\" in p or "\0" in p for p in parts):
            return None
        file = out.joinpath(*parts) if parts else out
        if file.is_dir():
            if parts and not path.endswith("/"):
                return path + "/"
            file = file / "index.html"
        try:
            file.resolve().relative_to(out.resolve())
        except ValueError:
            return None
        return file if file.is_file() else None

    def _send_file(self, file: Path, out: Path, head: bool) -> None:
        key = file.relative_to(out).as_posix()
        try:
            f = open(file, "rb")
        except OSError:
            return self._error(HTTPStatus.NOT_FOUND, "Not found", f"{key} vanished.", head)
        with f:
            st = os.fstat(f.fileno())
            size = st.st_size
            try:
                span = byte_range(self.headers.get("Range"), size)
            except RangeNotSatisfiable:
                self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            start, end = span if span else (0, size - 1)
            length = max(0, end - start + 1)
            self.send_response(HTTPStatus.PARTIAL_CONTENT if span else HTTPStatus.OK)
            self.send_header("Content-Type", content_type(key))
            self.send_header("Content-Length", str(length))
            self.send_header("Accept-Ranges", "bytes")
            if span:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.send_header("Last-Modified", email.utils.formatdate(st.st_mtime, usegmt=True))
            self.send_header("Cache-Control", "no-cache")  # a preview: always the latest build
            self.end_headers()
            if head or length == 0:
                return
            f.seek(start)
            remaining = length
            try:
                while remaining:
                    chunk = f.read(min(CHUNK, remaining))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    remaining -= len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # players abort range requests all the time

    def _producer(self, preview: "Preview", name: str, head: bool) -> None:
        """``/_producer/`` (the episodes) and ``/_producer/<slug>.html`` (a loudness
        report), made from the audio cache's reports on each request."""
        if name and (not name.endswith(".html") or "/" in name):
            return self._error(HTTPStatus.NOT_FOUND, "Not found", f"{name} is not a page.",
                               head)
        if not urlsplit(self.path).path.endswith("/") and not name:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", PRODUCER)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            from podcast.audio import producer_page
            from podcast.show import load_project

            project = load_project(preview.root, probe_audio=False)
            body = producer_page(project.show, project.episodes,
                                 name[: -len(".html")] if name else None)
        except PodcastError as exc:
            return self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "The show has errors",
                               exc.format(), head)
        if body is None:
            return self._error(HTTPStatus.NOT_FOUND, "Not found", f"{name}: no such episode.",
                               head)
        data = body.encode()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _error(self, status: HTTPStatus, title: str, message: str, head: bool) -> None:
        body = (f"<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{title}</title>"
                f"<h1>{title}</h1><pre>{html.escape(message)}</pre></html>\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)


__all__ = ["DEFAULT_PORT", "HOST", "Preview", "RangeNotSatisfiable", "byte_range",
           "content_type", "inputs_signature"]
