"""Progress bars that cost the caller nothing when quiet.

``bar(...)`` returns a click progress bar on a terminal (or when forced) and
a null bar otherwise, so library callers never branch on verbosity.
"""

from __future__ import annotations

import contextlib
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
