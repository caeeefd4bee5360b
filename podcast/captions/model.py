"""The values every transcript format reads into and writes from.

A ``Cue`` is one caption: a span of the audio, its text, who speaks it. A
``Word`` is one recognised word with its timing and the recogniser's
confidence; cues made by ``podcast transcribe`` keep theirs, so a later step
can find fillers ("um", "uh") or re-cut the captions without hearing the
audio again. Both carry a speaker: per-track transcription (one microphone per
speaker) names each word by its track, and cues of different speakers may
overlap in time (cross-talk).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Word:
    start: float
    end: float
    text: str  # without surrounding spaces
    probability: float | None = None  # the recogniser's confidence, 0..1
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class Cue:
    start: float
    end: float
    text: str  # plain text, tags removed, lines joined with "\n"
    speaker: str | None = None
    words: tuple[Word, ...] = ()  # when the cue was made from recognised words
