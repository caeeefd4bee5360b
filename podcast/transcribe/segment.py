"""Timed words into caption-sized cues: what a deaf or hard-of-hearing listener reads.

The rules are those of broadcast subtitling guidelines (BBC, Ofcom, Netflix):

* a cue holds at most two lines of about 42 characters;
* a sentence starts a new cue; a long sentence is split at a clause (a comma,
  a semicolon) where it can be, else between words, never inside a word;
* two short sentences of the same speaker may share a cue, one per line;
* a cue stays up at least a second (reading time), is at most 7 s long, never
  overlaps the next one and never runs past the end of the audio;
* a change of speaker always starts a new cue, so ``<v Name>`` tags hold.

Pure functions over plain values: the engine gives words, tests give words.
A word's own speaker (per-track transcription names each word by its track)
wins over ``speaker_at``; each cue keeps the words it was cut from. Several
tracks: cues per track, then ``podcast.captions.merged`` (they may overlap).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from podcast.captions.layout import CLAUSE_END, LINE, SENTENCE_END, wrap
from podcast.captions.model import Cue, Word

MAX_SECONDS = 7.0
MIN_SECONDS = 1.0
PAUSE = 1.2  # a silence this long between words ends a sentence-like unit
__all__ = ["LINE", "build_cues", "speakers_from"]


def _units(words: Sequence[Word], speaker_at: Callable[[float], str | None]):
    """Split words into sentences (or runs ended by a long pause or a new speaker)."""
    unit: list[Word] = []
    speaker = None
    for word in words:
        who = word.speaker or speaker_at((word.start + word.end) / 2)
        if unit and (who != speaker or word.start - unit[-1].end > PAUSE):
            yield speaker, unit
            unit = []
        if not unit:
            speaker = who
        unit.append(word)
        if word.text.endswith(SENTENCE_END):
            yield speaker, unit
            unit = []
    if unit:
        yield speaker, unit


def _fits(words: Sequence[Word]) -> bool:
    return (wrap(" ".join(w.text for w in words)) is not None
            and words[-1].end - words[0].start <= MAX_SECONDS)


def _split(words: list[Word]) -> list[list[Word]]:
    """A sentence too long for one cue, in chunks that fit: each chunk as long as
    it can be, but ending at the last clause break if that leaves it at least
    half full."""
    chunks: list[list[Word]] = []
    start = 0
    while start < len(words):
        end = start + 1
        while end < len(words) and _fits(words[start:end + 1]):
            end += 1
        if end < len(words):
            clause = [i for i in range(start + 1, end)
                      if words[i - 1].text.endswith(CLAUSE_END)]
            size = len(" ".join(w.text for w in words[start:end]))
            if clause and len(" ".join(w.text for w in words[start:clause[-1]])) >= size / 2:
                end = clause[-1]
        chunks.append(words[start:end])
        start = end
    # No orphan: a last chunk of a word or two takes words from the one before,
    # as long as both still fit, until the two are about even.
    while len(chunks) >= 2:
        prev, last = chunks[-2], chunks[-1]
        if len(prev) < 2 or _chars(last) >= _chars(prev) - len(prev[-1].text) - 1:
            break
        if not _fits([prev[-1], *last]):
            break
        chunks[-2:] = [prev[:-1], [prev[-1], *last]]
    return chunks


def _chars(words: Sequence[Word]) -> int:
    return len(" ".join(w.text for w in words))


def build_cues(words: Sequence[Word], duration: float | None = None, *,
               speaker_at: Callable[[float], str | None] = lambda t: None) -> list[Cue]:
    """Caption cues from timed words (ordered, non-overlapping, inside ``duration``)."""
    words = [replace(w, end=max(w.end, w.start), text=w.text.strip())
             for w in words if w.text.strip()]
    words.sort(key=lambda w: w.start)
    pieces: list[tuple[str | None, list[Word]]] = []
    for speaker, unit in _units(words, speaker_at):
        for chunk in ([unit] if _fits(unit) else _split(unit)):
            pieces.append((speaker, chunk))

    # Two short sentences of one speaker, close together, share a cue: one per line.
    merged: list[tuple[str | None, list[str], list[Word]]] = []
    for speaker, chunk in pieces:
        text = " ".join(w.text for w in chunk)
        if merged:
            prev_speaker, prev_lines, prev_words = merged[-1]
            if (prev_speaker == speaker and len(prev_lines) == 1 and len(prev_lines[0]) <= LINE
                    and len(text) <= LINE and prev_lines[0].endswith(SENTENCE_END)
                    and chunk[0].start - prev_words[-1].end < 0.5
                    and chunk[-1].end - prev_words[0].start <= MAX_SECONDS):
                merged[-1] = (speaker, [prev_lines[0], text], prev_words + chunk)
                continue
        merged.append((speaker, wrap(text) or [text], list(chunk)))

    cues: list[Cue] = []
    for i, (speaker, lines, chunk) in enumerate(merged):
        start = chunk[0].start
        limit = merged[i + 1][2][0].start if i + 1 < len(merged) else float("inf")
        if duration is not None:
            limit = min(limit, duration)
        if start >= limit:
            continue
        end = min(max(chunk[-1].end, start + MIN_SECONDS), limit)
        cues.append(Cue(round(start, 3), round(end, 3), "\n".join(lines), speaker,
                        tuple(chunk)))
    return cues


def speakers_from(cues: Sequence[Cue]) -> Callable[[float], str | None]:
    """The speaker named at time ``t`` by a transcript's voice tags (None between cues).

    Used by ``--force``: speakers a producer named survive a new transcription."""
    import bisect

    named = sorted((c for c in cues if c.speaker), key=lambda c: c.start)
    starts = [c.start for c in named]

    def at(t: float) -> str | None:
        i = bisect.bisect_right(starts, t)
        around = named[max(0, i - 1):i + 1]  # the cue starting before t, and the next
        for cue in around:
            if cue.start <= t < cue.end:
                return cue.speaker
        # Between cues: the nearest named cue within a second.
        near = min(around, key=lambda c: min(abs(c.start - t), abs(c.end - t)), default=None)
        if near and min(abs(near.start - t), abs(near.end - t)) <= 1.0:
            return near.speaker
        return None
    return at
