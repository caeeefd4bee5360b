"""The socket layer under the client: vetted addresses and a deadline on every read.

httpcore (the engine of httpx) lets its caller supply the network backend that
opens connections. Ours resolves the name itself, keeps only the addresses the
policy allows and connects to one of those, so the address checked is the
address used. Every read, write and TLS handshake waits at most until the
request's deadline (kept per thread: httpcore's sync pool does all the I/O of
a request in the thread that made it), so a server that drips one byte every
two seconds cannot keep a request alive past it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore

from podcast.net.policy import Policy

_state = threading.local()


@contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Bound all I/O in this thread for ``seconds``; yields the monotonic end time."""
    before = getattr(_state, "deadline", None)
    end = time.monotonic() + seconds
    _state.deadline = end if before is None else min(before, end)
    try:
        yield _state.deadline
    finally:
        _state.deadline = before


def remaining() -> float | None:
    end = getattr(_state, "deadline", None)
    return None if end is None else end - time.monotonic()


def _clip(timeout: float | None, expired: type[Exception]) -> float | None:
    left = remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise expired("the request's deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    """A connection whose every wait is cut to the deadline."""

    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clip(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clip(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None):
        return _Stream(self._inner.start_tls(ssl_context, server_hostname,
                                             _clip(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class VettingBackend(httpcore.NetworkBackend):
    """Connects only to addresses ``policy`` allows, trying each in resolver order."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        last: Exception | None = None
        for address in self.policy.addresses(host, port):
            try:
                return _Stream(self._inner.connect_tcp(
                    address, port, _clip(timeout, httpcore.ConnectTimeout), local_address,
                    socket_options))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise last or httpcore.ConnectError(f"{host} has no address")

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.UnsupportedProtocol("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
