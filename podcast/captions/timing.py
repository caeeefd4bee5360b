"""Cues in time: shifting onto the published audio, the order published, what check says.

What build publishes, and why:

* **time order**: WebVTT requires each cue to start no earlier than the one
  before it, so cues written out of order are published sorted (stable: cues
  starting together keep the file's order);
* **zero-length cues** (end = start) are left out: no player shows them, and
  WebVTT requires the end to be after the start;
* **overlaps** are published as written: players stack overlapping cues. Cues of
  different speakers overlap when people talk over each other (and per-track
  transcription finds exactly that), so only an overlap of one speaker's cues,
  which is usually a slip, is worth a warning;
* a cue that **ends before it starts** is refused when the file is read: no
  order can be guessed from it.

``podcast check`` reports each of the first three as a warning naming the cue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from podcast.captions.fillers import is_filler, without
from podcast.captions.model import Cue
from podcast.captions.timecode import stamp

MAX_FINDINGS = 20  # per kind and file: a file written backwards is one problem, not 900


@dataclass(frozen=True)
class Finding:
    """Something about one cue that build publishes differently, or that reads wrong."""

    cue: int | None  # 1-based, in the file's order; None for a summary line
    start: float
    problem: str
    hint: str = ""

    @property
    def label(self) -> str:
        return f"cue {self.cue} ({stamp(self.start)})" if self.cue else "cues"


def retimed(cues: Iterable[Cue], to_time: Callable[[float], float],
            duration: float | None = None, *, removed: Sequence = ()) -> list[Cue]:
    """Cues with their times (and their words') mapped by ``to_time``: master time to
    the published file's (``model.Timeline.to_published``: through the cuts, then past
    the intro). Cues left wholly outside ``[0, duration]`` or shrunk to nothing are
    dropped and the others clipped to it. ``removed``: the cuts that took a filler
    out (``model.Timeline.fillers``: start, end, word, master time); each takes its
    word out of the cue it falls in."""
    out = []
    for cue in cues:
        for cut in removed:
            middle = (cut.start + cut.end) / 2
            if cue.start <= middle <= cue.end:
                cue = _cut_word(cue, cut, middle)
        start, end = max(to_time(cue.start), 0.0), to_time(cue.end)
        if duration is not None:
            end = min(end, duration)
        if end <= start or not cue.text.strip():
            continue
        words = tuple(replace(w, start=round(to_time(w.start), 3), end=round(to_time(w.end), 3))
                      for w in cue.words)
        out.append(replace(cue, start=round(start, 3), end=round(end, 3), words=words))
    return out


def _cut_word(cue: Cue, cut, middle: float) -> Cue:
    """``cue`` without the filler ``cut`` took out of the audio (its text, its word)."""
    position = (middle - cue.start) / (cue.end - cue.start) if cue.end > cue.start else 0.5
    words = tuple(w for w in cue.words
                  if not (cut.start <= (w.start + w.end) / 2 <= cut.end and is_filler(w.text)))
    return replace(cue, text=without(cue.text, cut.word or "", position), words=words)


def publishable(cues: Iterable[Cue]) -> list[Cue]:
    """The cues as published: in time order, zero-length ones left out."""
    return sorted((c for c in cues if c.end > c.start), key=lambda c: c.start)


def merged(*tracks: Iterable[Cue]) -> list[Cue]:
    """Cues of several speakers (one list per track) in one time-ordered list."""
    return publishable(c for track in tracks for c in track)


def findings(cues: Sequence[Cue]) -> list[Finding]:
    """Out-of-order and zero-length cues, and overlaps of one speaker's cues (taken in
    time order, as published); by cue number, at most ``MAX_FINDINGS`` of each kind."""
    found: dict[str, list[Finding]] = {"order": [], "zero": [], "overlap": []}
    latest = None
    for n, cue in enumerate(cues, start=1):
        if latest is not None and cue.start < latest[1]:
            found["order"].append(Finding(n, cue.start, f"starts before cue {latest[0]} "
                                          f"({stamp(latest[1])})", "It is published in time "
                                          "order; move it to its place to keep the file "
                                          "readable"))
        if latest is None or cue.start > latest[1]:
            latest = (n, cue.start)
        if cue.end <= cue.start:
            found["zero"].append(Finding(n, cue.start, "has no length (it ends as it starts)",
                                         "No player shows it, so it is left out; give it an "
                                         "end time"))
    last: dict[str | None, tuple[int, float]] = {}  # speaker -> (cue, the latest end so far)
    for n in sorted(range(len(cues)), key=lambda i: cues[i].start):
        cue = cues[n]
        if cue.end <= cue.start:
            continue
        before = last.get(cue.speaker)
        if before is not None and cue.start < before[1]:
            who = f"{cue.speaker}'s" if cue.speaker else "unnamed"
            found["overlap"].append(Finding(
                n + 1, cue.start, f"overlaps cue {before[0]}, also {who}, by "
                f"{before[1] - cue.start:.3f} s", "Players show both at once; end the first "
                "where the second starts (cues of different speakers may overlap)"))
        if before is None or cue.end > before[1]:
            last[cue.speaker] = (n + 1, cue.end)
    out: list[Finding] = []
    for kind, items in found.items():
        out += items[:MAX_FINDINGS]
        if len(items) > MAX_FINDINGS:
            out.append(Finding(None, 0.0, f"{len(items) - MAX_FINDINGS} more cues with the "
                               f"same problem ({kind})"))
    return sorted(out, key=lambda f: (f.cue is None, f.cue or 0))
