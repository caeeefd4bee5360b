"""The one HTTP client: what import, the listener check, notify and move-feed fetch.

* every request has an overall deadline and every body a size cap, both by
  kind (``KINDS``); a media body must also keep a minimum rate once started;
* redirects are followed here, hop by hop: http(s) only, at most
  ``MAX_REDIRECTS``, a loop named as one, credentials (Authorization, Cookie)
  dropped at the first hop to another origin;
* connect errors, resets before an answer and 429/502/503/504 are retried
  with exponential backoff and jitter, honouring Retry-After up to
  ``MAX_RETRY_AFTER``; other 4xx and 5xx answers are final;
* addresses are vetted by the policy (``policy.py``) at connect time;
* every failure below (socket, TLS, broken HTTP: a cut chunked body, a bad
  chunk size or status line) becomes one NetworkError naming the URL.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

import httpcore

from podcast.errors import NetworkError
from podcast.net import transport
from podcast.net.policy import Policy, check_scheme, host_port

log = logging.getLogger(__name__)

USER_AGENT = "podcast/1 (+https://podcastindex.org/namespace/1.0; like a podcast app)"
TIMEOUT = 30.0  # seconds without progress: connect, or between two reads
MAX_REDIRECTS = 10
RETRIES = 3
BACKOFF = 0.5  # seconds before the first retry; doubled each time, with jitter
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0
RETRY_STATUS = (429, 502, 503, 504)
REDIRECTS = (301, 302, 303, 307, 308)
CREDENTIALS = ("authorization", "cookie", "proxy-authorization")
_ERRORS = (httpcore.NetworkError, httpcore.TimeoutException, httpcore.ProtocolError,
           httpcore.UnsupportedProtocol, httpcore.ProxyError, OSError, ValueError)
_TRANSIENT = (httpcore.ConnectError, httpcore.ConnectTimeout, httpcore.ReadError,
              httpcore.WriteError, httpcore.ReadTimeout)


@dataclass(frozen=True)
class Kind:
    """What one kind of fetch may cost: bytes, seconds in all, and (media) a minimum
    rate in bytes per second, judged over each ``RATE_WINDOW`` once started."""

    limit: int
    deadline: float
    min_rate: int = 0


RATE_WINDOW = 60.0
KINDS = {
    "feed": Kind(64 << 20, 300.0),
    "json": Kind(16 << 20, 120.0),  # chapters, JSON transcripts
    "text": Kind(16 << 20, 120.0),  # transcripts
    "image": Kind(10 << 20, 120.0),
    "page": Kind(16 << 20, 60.0),
    "ping": Kind(64 << 10, 30.0),
    "media": Kind(8 << 30, 6 * 3600.0, min_rate=4096),
}


def _size(n: int) -> str:
    return f"{n >> 30} GB" if n >= 1 << 30 else f"{n >> 20} MB" if n >= 1 << 20 else \
        f"{n >> 10} KB"


def origin(url: str) -> tuple[str, str, int]:
    return (urlsplit(url).scheme.lower(), *host_port(url))


def _httpcore_url(url: str) -> httpcore.URL:
    parts = urlsplit(url)
    host = (parts.hostname or "").encode("idna")
    target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        target += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return httpcore.URL(scheme=parts.scheme.lower().encode(), host=host,
                        port=host_port(url)[1], target=target.encode())


class Response:
    """A response whose body is read through the kind's cap (and, for media, rate)."""

    def __init__(self, url: str, raw: httpcore.Response, kind: Kind, history: list[str]):
        self.url = url  # where the answer came from, after redirects
        self.status = raw.status
        self.headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                        for k, v in raw.headers}
        self.history = history  # the addresses redirected from, in order
        self._raw, self._kind = raw, kind

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    @property
    def length(self) -> int | None:
        value = self.header("content-length") or ""
        return int(value) if value.isdigit() else None

    def iter_bytes(self, already: int = 0) -> Iterator[bytes]:
        """The body in chunks; NetworkError past the cap, too slow, or broken.
        ``already``: bytes of this resource held from before (a resumed download)."""
        kind, got = self._kind, 0
        if self.length is not None and already + self.length > kind.limit:
            raise NetworkError(self.url, f"is {_size(already + self.length)}, more than the "
                               f"{_size(kind.limit)} allowed", "Check the address")
        window_start, window_bytes = time.monotonic(), 0
        try:
            for chunk in self._raw.stream:
                got += len(chunk)
                if already + got > kind.limit:
                    raise NetworkError(self.url, f"sent more than the {_size(kind.limit)} "
                                       "allowed", "Check the address")
                window_bytes += len(chunk)
                now = time.monotonic()
                if kind.min_rate and now - window_start >= RATE_WINDOW:
                    if window_bytes < kind.min_rate * (now - window_start):
                        raise NetworkError(self.url, f"is arriving at "
                                           f"{window_bytes / (now - window_start):.0f} bytes/s, "
                                           f"under the {kind.min_rate} bytes/s kept up with",
                                           "Run it again later: what arrived is kept")
                    window_start, window_bytes = now, 0
                yield chunk
        except _ERRORS as exc:
            raise failure(self.url, exc, kind, f"after {got} bytes") from None

    def read(self) -> bytes:
        return b"".join(self.iter_bytes())


def failure(url: str, exc: BaseException, kind: Kind | None = None,
            when: str = "") -> NetworkError:
    """Any transport failure as one sentence naming the URL."""
    left = transport.remaining()
    at = f" {when}" if when else ""
    if isinstance(exc, httpcore.TimeoutException) and left is not None and left <= 0.05:
        limit = f"{kind.deadline:.0f} s" if kind else "its time"
        return NetworkError(url, f"took longer than {limit}{at}, the most a fetch may take",
                            "The server is too slow: try again later")
    if isinstance(exc, httpcore.ConnectTimeout):
        return NetworkError(url, "did not answer the connection", "Check the address and "
                            "the connection, then run the command again")
    if isinstance(exc, httpcore.TimeoutException):
        return NetworkError(url, f"stopped sending for {TIMEOUT:.0f} s{at}",
                            "The server stalled: run the command again later")
    if isinstance(exc, httpcore.ConnectError):
        return NetworkError(url, f"cannot be reached ({exc or 'connection failed'})",
                            "Check the address and the connection, then run the command again")
    if isinstance(exc, httpcore.RemoteProtocolError):
        return NetworkError(url, f"answered with broken HTTP{at} ({exc})",
                            "The server is misbehaving: try again later, or ask its owner")
    if isinstance(exc, (httpcore.ReadError, httpcore.WriteError, OSError)):
        return NetworkError(url, f"the connection broke{at} ({exc or type(exc).__name__})",
                            "Run the command again later")
    return NetworkError(url, f"cannot be fetched ({exc})", "Check the address")


def status_error(response: Response, url: str | None = None) -> NetworkError:
    """A final non-2xx answer as one sentence; says whether trying later can help."""
    where, status = url or response.url, response.status
    if status in RETRY_STATUS:
        wait = _retry_after(response)
        later = f" and asks to come back in {wait:.0f} s" if wait else ""
        return NetworkError(where, f"answered HTTP {status}{later}",
                            "The host is busy or failing: run the command again later")
    if status in REDIRECTS:
        return NetworkError(where, f"answered HTTP {status} with no usable Location",
                            "The host's redirect is broken: ask its owner")
    return NetworkError(where, f"answered HTTP {status}",
                        "Check the address" if status < 500 else
                        "The host failed: run the command again later, or ask its owner")


def _retry_after(response: Response) -> float | None:
    value = (response.header("retry-after") or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time()) if when.tzinfo else None


def backoff(attempt: int) -> float:
    """Exponential, with equal jitter (half fixed, half random)."""
    step = min(MAX_BACKOFF, BACKOFF * 2 ** attempt)
    return step / 2 + random.uniform(0, step / 2)


class Client:
    """One connection pool and one policy; thread-safe. Use as a context manager."""

    def __init__(self, policy: Policy | None = None, *, user_agent: str = USER_AGENT,
                 retries: int = RETRIES):
        self.policy = policy or Policy()
        self.user_agent = user_agent
        self.retries = retries
        self._pool = httpcore.ConnectionPool(
            network_backend=transport.VettingBackend(self.policy), max_connections=16,
            keepalive_expiry=15.0)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._pool.close()

    def get(self, url: str, kind: str | Kind = "json") -> bytes:
        """A whole document of ``kind``; NetworkError on anything but a 2xx answer."""
        with self.request(url, kind=kind) as response:
            if not 200 <= response.status < 300:
                raise status_error(response, url)
            return response.read()

    @contextmanager
    def request(self, url: str, *, method: str = "GET", kind: str | Kind = "json",
                headers: dict[str, str] | None = None, body: bytes | None = None,
                follow: bool = True) -> Iterator[Response]:
        """Send, follow redirects (when ``follow``), and yield the final answer, whatever
        its status; its body is read inside the ``with`` block, within the deadline.
        ``kind``: a name in ``KINDS``, or a ``Kind`` of one's own."""
        spec = KINDS[kind] if isinstance(kind, str) else kind
        sent = {"User-Agent": self.user_agent, "Accept-Encoding": "identity",
                **{_canonical(k): v for k, v in (headers or {}).items()}}
        first, current, history = origin(url), url, []
        with transport.deadline(spec.deadline):
            check_scheme(url)
            while True:
                try:
                    raw = self._send(method, current, sent, body, spec)
                except NetworkError as exc:
                    if current == url:
                        raise
                    raise NetworkError(url, f"redirects to {current}: {exc.problem}",
                                       exc.hint) from None
                location = raw_header(raw, b"location")
                if not (follow and raw.status in REDIRECTS and location):
                    break
                raw.close()
                nxt = urljoin(current, location.strip())
                check_scheme(nxt, via=current)
                history.append(current)
                if nxt in history:
                    raise NetworkError(url, "redirects in a loop (" + " -> ".join(
                        [*history[history.index(nxt):], nxt]) + ")",
                        "The host's redirects are broken: ask its owner; trying again "
                        "will not help")
                if len(history) > MAX_REDIRECTS:
                    raise NetworkError(url, f"redirects more than {MAX_REDIRECTS} times",
                                       "Give the final address instead")
                if origin(nxt) != first:
                    sent = {k: v for k, v in sent.items() if k.lower() not in CREDENTIALS}
                if raw.status == 303 or (raw.status in (301, 302) and method == "POST"):
                    method, body = "GET", None
                current = nxt
            response = Response(current, raw, spec, history)
            try:
                yield response
            finally:
                raw.close()

    def _send(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
              spec: Kind) -> httpcore.Response:
        """One hop, retried when that can help; the streaming response."""
        target = _httpcore_url(url)
        sent = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        sent.append((b"host", target.host + (b"" if target.port in (None, 80, 443) else
                                             f":{target.port}".encode())))
        if body is not None:
            sent.append((b"content-length", str(len(body)).encode()))
        timeouts = {"connect": TIMEOUT, "read": TIMEOUT, "write": TIMEOUT, "pool": TIMEOUT}
        idempotent = method in ("GET", "HEAD")
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                raw = self._pool.handle_request(httpcore.Request(
                    method, target, headers=sent, content=body,
                    extensions={"timeout": timeouts}))
            except _TRANSIENT as exc:
                connect = isinstance(exc, (httpcore.ConnectError, httpcore.ConnectTimeout))
                delay, why = backoff(attempt), str(exc) or type(exc).__name__
                if last or not (idempotent or connect) or not _can_wait(delay):
                    raise failure(url, exc, spec) from None
            except httpcore.RemoteProtocolError as exc:  # a drop before any answer
                delay, why = backoff(attempt), str(exc)
                if "without sending" not in str(exc) or last or not idempotent \
                        or not _can_wait(delay):
                    raise failure(url, exc, spec) from None
            except NetworkError as exc:  # refused by the policy, named by host:port
                raise NetworkError(url, exc.problem, exc.hint) from None
            except _ERRORS as exc:
                raise failure(url, exc, spec) from None
            else:
                if raw.status not in RETRY_STATUS or last:
                    return raw
                wait = _retry_after(Response(url, raw, spec, []))
                delay = backoff(attempt) if wait is None else wait
                if delay > MAX_RETRY_AFTER or not _can_wait(delay):
                    return raw
                raw.close()
                why = f"HTTP {raw.status}"
            log.info("%s: %s; trying again in %.1f s", url, why, delay)
            time.sleep(delay)
        raise AssertionError("unreachable")


def _canonical(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _can_wait(seconds: float) -> bool:
    """Whether a pause before a retry leaves time before the deadline."""
    left = transport.remaining()
    return left is None or seconds < left - 1


def raw_header(raw: httpcore.Response, name: bytes) -> str | None:
    for key, value in raw.headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None
