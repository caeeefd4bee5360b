"""The one JSON reader for files made elsewhere: chapters, imported documents, sidecars.

Python's parser recurses once per level of nesting, so a 200 KB file nested
100,000 deep ends in RecursionError. Here the size is checked first, then the
depth, by a scan of the brackets outside strings (regular expressions, so
it is quick on a 16 MB transcript), and only then is the text parsed.
NaN and Infinity, which are not JSON, are refused too.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from podcast.errors import PodcastError

MAX_BYTES = 16 << 20
MAX_DEPTH = 64  # a chapters file needs 3, a JSON transcript 4

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


class JSONError(PodcastError):
    """A JSON file that is too large, too deep or not JSON."""


def depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (0 for a scalar)."""
    steps = (1 if c in "[{" else -1 for c in _BRACKET.findall(_STRING.sub("", text)))
    return max(accumulate(steps, initial=0))


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads(data: bytes | str, where: str, *, max_bytes: int = MAX_BYTES,
          max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``data``; JSONError naming ``where`` when it is too large, nested deeper
    than ``max_depth``, not UTF-8 or not JSON."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise JSONError(where, f"is {size:,} bytes, more than the {max_bytes:,} read",
                        "Check that it is the right file")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise JSONError(where, f"is not UTF-8 text ({exc.reason})",
                            "Save it as UTF-8") from None
    found = depth(data)
    if found > max_depth:
        raise JSONError(where, f"is nested {found:,} levels deep, more than {max_depth}",
                        "Check that it is the right file: chapters and transcripts need a "
                        "few levels")
    try:
        return json.loads(data, parse_constant=_constant)
    except (ValueError, RecursionError) as exc:
        raise JSONError(where, f"is not valid JSON ({exc})", "Fix the file, or write it "
                        "again with the tool that made it") from None
