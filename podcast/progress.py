"""Progress bars that cost the caller nothing when quiet.

``bar(...)`` returns a click progress bar on a terminal (or when forced) and
a null bar otherwise, so library callers never branch on verbosity.
``byte_bar(...)`` is a bar of bytes sent from many threads at once (an
upload), showing how much of the total and how fast.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any


class NullBar:
    def update(self, n: int, current_item: Any = None) -> None:
        pass

    def __iter__(self):
        return iter(())


@contextlib.contextmanager
def bar(enabled: bool, length: int, label: str = "", **kwargs: Any) -> Iterator[Any]:
    if not enabled:
        yield NullBar()
        return
    import click

    with click.progressbar(length=length, label=label, file=click.get_text_stream("stderr"),
                           show_pos=False, show_percent=True, **kwargs) as b:
        yield b


def size(n: float) -> str:
    """Bytes as people read them: ``950 B``, ``1.2 MB`` (powers of 1000)."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


class ByteCounter:
    """Bytes sent so far; ``add`` may be called from any thread."""

    def __init__(self, shown: Any):
        self._bar = shown
        self._lock = threading.Lock()
        self.sent = 0

    def add(self, n: int) -> None:
        with self._lock:
            self.sent += n
            self._bar.update(n, self.sent)


@contextlib.contextmanager
def byte_bar(enabled: bool, total: int, label: str) -> Iterator[ByteCounter]:
    """A bar of ``total`` bytes fed through ``ByteCounter.add`` from many threads,
    reading "<sent> of <total>, <rate>/s"; a null bar when not enabled or when
    there is nothing to send (the count is kept either way)."""
    start = time.monotonic()

    def speed(sent: int | None) -> str | None:
        rate = size(int((sent or 0) / max(time.monotonic() - start, 1e-3)))
        return sent and f"{size(sent)} of {size(total)}, {rate}/s"

    with bar(enabled and total > 0, total, label=label, item_show_func=speed) as shown:
        yield ByteCounter(shown)
