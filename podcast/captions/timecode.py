"""``HH:MM:SS.mmm``: the one formatter and parser of timestamps in the package.

WebVTT, SRT (with a comma) and Podlove Simple Chapters' Normal Play Time all
write times this way. The ASS variant (``H:MM:SS.cc``) is written by pysubs2.
"""

from __future__ import annotations

import re

# Hours of two or more digits, minutes and seconds of two, milliseconds of three:
# what WebVTT requires and what SRT readers agree on.
PATTERN = r"(\d{2,}):([0-5]\d):([0-5]\d)[.,](\d{3})"
_STAMP = re.compile(PATTERN)


def stamp(seconds: float, sep: str = ".") -> str:
    """``3725.5`` -> ``01:02:05.500`` (``sep=","`` for SRT); rounded to the millisecond."""
    ms = max(int(round(float(seconds) * 1000)), 0)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def parse(text: str) -> float:
    """``01:02:05.500`` or ``01:02:05,500`` -> ``3725.5``; ValueError for anything else."""
    m = _STAMP.fullmatch(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a HH:MM:SS.mmm time")
    h, mnt, s, ms = (int(g) for g in m.groups())
    return h * 3600 + mnt * 60 + s + ms / 1000
