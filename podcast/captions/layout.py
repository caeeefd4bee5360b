"""Caption text on screen: lines of a set width, and cues re-cut for a phone.

The rules are those of broadcast subtitling guidelines (BBC, Ofcom, Netflix):
at most two lines of about 42 characters, broken between words, balanced.
Every function here is bounded by the text that fits on screen, not by the
text it is given: a 1 MB cue with no spaces costs what a full caption costs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from podcast.captions.model import Cue

LINE = 42  # characters per line
LINES = 2
SENTENCE_END = (".", "?", "!", "…", '."', '?"', '!"', ".'", "?'", "!'", ".”", "?”", "!”")
CLAUSE_END = (",", ";", ":", "—", " -")
PHONE_LINE = 30  # characters per caption line in a video clip
PHONE_SECONDS = 0.8  # the least time a re-cut caption stays up: shorter cannot be read
ELLIPSIS = "…"


def wrap(text: str, width: int = LINE, lines: int = LINES) -> list[str] | None:
    """``text`` on at most ``lines`` lines of at most ``width`` characters, broken
    between words and balanced (the longest line as short as it can be); None when
    it does not fit."""
    words = text.split()
    if not words:
        return []
    joined = " ".join(words)
    if len(joined) <= width:
        return [joined]
    if lines < 2 or len(joined) > width * lines + lines - 1:
        return None
    best: tuple[int, list[str]] | None = None
    for i in range(1, len(words)):
        first = " ".join(words[:i])
        if len(first) > width:
            break
        rest = wrap(" ".join(words[i:]), width, lines - 1)
        if rest is None:
            continue
        candidate = [first, *rest]
        # Balanced lines, but a line ending a clause reads better: it earns some slack.
        score = max(len(line) for line in candidate) - (8 if first.endswith(
            SENTENCE_END + CLAUSE_END) else 0)
        if best is None or score < best[0]:
            best = (score, candidate)
    return best[1] if best else None


def _pieces(text: str, width: int) -> Iterator[str]:
    """The words of ``text``, lazily; a word longer than ``width`` in pieces of it."""
    for m in re.finditer(r"\S+", text):
        word = m.group()
        for i in range(0, len(word), width):
            yield word[i:i + width]


def chunks(text: str, width: int, lines: int, limit: int) -> list[str]:
    """``text`` in at most ``limit`` captions of ``lines`` x ``width``, filled in order;
    text past the last one is cut, and an ellipsis says so."""
    out: list[list[str]] = []
    for piece in _pieces(text, width):
        if out and wrap(" ".join(out[-1] + [piece]), width, lines) is not None:
            out[-1].append(piece)
        elif len(out) < limit:
            out.append([piece])
        else:
            out[-1] = _ellipsised(out[-1], width, lines)
            break
    return [" ".join(c) for c in out]


def _ellipsised(words: list[str], width: int, lines: int) -> list[str]:
    """``words`` ending in an ellipsis: as many characters kept as still fit."""
    words = list(words)
    while words:
        candidate = [*words[:-1], words[-1] + ELLIPSIS]
        if wrap(" ".join(candidate), width, lines) is not None:
            return candidate
        if len(words[-1]) > 1:
            words[-1] = words[-1][:-1]
        else:
            words.pop()
    return [ELLIPSIS]


def recut(cues: Sequence[Cue], start: float, duration: float, width: int = PHONE_LINE,
          lines: int = LINES, min_seconds: float = PHONE_SECONDS) -> list[Cue]:
    """The cues within ``[start, start + duration)`` on the clip's own timeline, re-cut
    to ``lines`` lines of ``width`` characters: a long cue is split between words, its
    time shared in proportion to the characters, each piece up at least ``min_seconds``
    (text that cannot be shown that long is cut). A speaker is named when the
    speaker changes."""
    out: list[Cue] = []
    previous = None
    for cue in cues:
        a, b = max(cue.start, start) - start, min(cue.end, start + duration) - start
        if b <= a:
            continue
        texts = chunks(cue.text, width, lines, max(1, int((b - a) / min_seconds)))
        total = sum(len(t) for t in texts) or 1
        t = a
        for i, text in enumerate(texts):
            end = b if i == len(texts) - 1 else t + (b - a) * len(text) / total
            speaker = cue.speaker if cue.speaker and cue.speaker != previous and i == 0 else None
            out.append(Cue(round(t, 3), round(end, 3),
                           "\n".join(wrap(text, width, lines) or [text]), speaker))
            t = end
        previous = cue.speaker or previous
    return out
