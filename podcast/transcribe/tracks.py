"""A multitrack episode's words: each speaker heard on their own microphone.

Each speech track is recognised over its speaker's spans (the crossgate's,
``model.SpeechActivity``), padded by ``PAD`` seconds and joined across gaps
shorter than ``JOIN`` (so a sentence with a pause is heard whole), and every
word is named by its track's speaker. A microphone also hears the others, so:

- a word heard on a track that does not dominate while it is said (the
  speaker whose voice stands furthest over the bleed on their own microphone,
  ``SpeechActivity.dominant``) is kept only if its own speaker is talking then,
  and the dominant track has no word like it close by: the same sound heard
  twice is kept once, from the microphone it came from;
- so a word from a track whose speaker is not talking at that moment (in the
  padding or a joined gap, while someone else talks) is bleed, and dropped.

So bleed is never transcribed twice, and cross-talk keeps both speakers' words.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher

from podcast.captions.model import Word
from podcast.model import SpeechActivity

PAD = 0.3  # seconds of audio given around a speaker's spans
JOIN = 2.0  # seconds: shorter gaps between a speaker's spans are heard with them
NEAR = 0.7  # seconds: a recogniser places one sound this differently on two tracks
SIMILAR = 0.6  # of the shorter word a common part must cover to make two words alike
TOLERANCE = 0.2  # seconds a word's middle may lie outside its speaker's spans


def heard_spans(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The spans a speaker's track is recognised over: padded, joined across short gaps."""
    out: list[list[float]] = []
    for a, b in spans:
        a, b = max(0.0, a - PAD), b + PAD
        if out and a - out[-1][1] < JOIN:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(round(a, 3), round(b, 3)) for a, b in out]


def _key(word: Word) -> str:
    return re.sub(r"[^\w']+", "", word.text.lower())


def _inside(t: float, spans: Sequence[tuple[float, float]]) -> bool:
    return any(a - TOLERANCE <= t <= b + TOLERANCE for a, b in spans)


def alike(a: str, b: str) -> bool:
    """Could these be one sound, recognised twice? The same word, or one holding most
    of the other ("lasted" and "last", "that" and "at"): a recogniser hearing bleed
    under another voice splits and mishears it."""
    if not a or not b:
        return False
    match = SequenceMatcher(None, a, b).find_longest_match(0, len(a), 0, len(b))
    return match.size >= 2 and match.size >= SIMILAR * min(len(a), len(b))


def one_voice(heard: Sequence[Sequence[Word]], activity: SpeechActivity) -> list[Word]:
    """The words of every track (``heard[i]``: track i's, as ``activity.tracks``), in
    time order, each sound once, under the speaker whose microphone it came from.

    A word from a track that does not dominate while it is said is kept only if
    its speaker is talking then and the dominant track has no word like it
    within ``NEAR`` seconds (the same sound, recognised there too)."""
    words = sorted(((w, i) for i, track in enumerate(heard) for w in track),
                   key=lambda p: (p[0].start, p[1]))
    mids = [(w.start + w.end) / 2 for w, _ in words]
    kept = []
    for n, (w, i) in enumerate(words):
        owner = activity.dominant(w.start, w.end)
        if owner is None or owner == i:
            kept.append(w)
            continue
        if not _inside(mids[n], activity.tracks[i].spans):
            continue  # bleed, heard while its own speaker was not talking
        lo = bisect.bisect_left(mids, mids[n] - NEAR)
        hi = bisect.bisect_right(mids, mids[n] + NEAR)
        if any(j == owner and alike(_key(v), _key(w)) for v, j in words[lo:hi]):
            continue  # the dominant speaker's word, heard again on this microphone
        kept.append(w)
    return kept


def recognise_tracks(engine, episode, activity: SpeechActivity, *, language: str, prompt: str,
                     where: Callable[[object], str], length: float,
                     progress: Callable[[float], None] | None = None):
    """Every speech track of ``episode`` recognised over its speaker's spans; the
    words in one list, each sound once (``one_voice``). ``length``: the tracks'
    length (seconds); ``progress`` counts ``length`` for each track. Returns
    (words, whether every track came from the cache)."""
    heard, cached = [], True
    for k, spans in enumerate(activity.tracks):
        track = next(t for t in episode.tracks if t.speaker == spans.speaker)

        def step(seconds: float, base: float = k * length) -> None:
            if progress:
                progress(base + min(seconds, length))
        result = engine.recognise(track.file, language=language, prompt=prompt,
                                  where=where(track.file), progress=step,
                                  spans=heard_spans(spans.spans), speaker=spans.speaker)
        heard.append(result.words)
        cached = cached and result.cached
    return one_voice(heard, activity), cached
