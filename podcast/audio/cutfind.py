"""Finding the cuts: long pauses between speech spans, and fillers among the words.

Pure functions over plain values, so one master or several tracks can feed
them: ``find_pauses`` takes speech spans (for several tracks, all of them:
a pause is where nobody speaks), ``find_fillers`` takes the recognised words
and the envelope of the audio they were heard in.

Pauses: a gap longer than ``max_pause`` (by at least ``MIN_CUT``) keeps
``max_pause`` of quiet, half at each end, and the middle is cut: the cut lies in
room tone, well away from the words on either side.

Fillers ("um", "uh", "er", "erm", "ah", "hmm" as Whisper spells them, any
case, with punctuation: ``captions.fillers``) are cut at the quiet around them, never at Whisper's
timestamps alone (they are off by up to 0.15 s on generated speech): the
filler's sound is the speech span that overlaps its word most; the cut takes
it and the shorter of the two silences beside it, half from each side, so the
pause that is left is as long as the longer one was ("So, um, I saw" becomes
"So, I saw", paced as spoken). A filler whose span runs into a word that is
not one (no quiet between them) would be cut at Whisper's edges, which may lie
inside that word: it is written with the quietest moments near those edges,
marked ``joined``, and kept (``keep: true``) until the producer checks it, as is
a filler heard with a probability under ``LEAST_PROBABILITY``.
"""

from __future__ import annotations

from collections.abc import Sequence

from podcast.audio.activity import Envelope, Span, gaps
from podcast.audio.editlist import Entry
from podcast.captions.fillers import is_filler
from podcast.captions.model import Word

MIN_CUT = 0.1  # seconds: a pause only this much over max_pause is left alone
NEAR = 0.15  # seconds: how far Whisper's word edges may be from the sound
LONGEST_FILLER = 1.5  # seconds: a longer "filler" span is speech misheard
SNAP = 0.08  # seconds either side of Whisper's edge searched for quiet (joined fillers)
# A "filler" heard with less confidence is listed but kept: Whisper wrote "um" with
# probability 0.0 over the word "Then" in the benchmark; real fillers there were 0.12+.
LEAST_PROBABILITY = 0.05


def find_pauses(speech: Sequence[Span], max_pause: float) -> list[Entry]:
    """Cuts that shorten every gap between ``speech`` spans longer than ``max_pause``
    to it (the silence before the first word and after the last is left alone)."""
    if max_pause <= 0:
        return []
    out = []
    for a, b in gaps(speech):
        length = b - a
        if length - max_pause < MIN_CUT:
            continue
        out.append(Entry(round(a + max_pause / 2, 3), round(b - max_pause / 2, 3), "pause",
                         pause=round(length, 2), kept=round(max_pause, 2)))
    return out


def find_fillers(words: Sequence[Word], envelope: Envelope, speech: Sequence[Span]
                 ) -> list[Entry]:
    """Cuts that take out each filler among ``words`` (module doc)."""
    spans = sorted(speech)
    out = []
    for i, word in enumerate(words):
        if not is_filler(word.text):
            continue
        prev = words[i - 1] if i > 0 else None
        nxt = words[i + 1] if i + 1 < len(words) else None
        cut = _filler_cut(word, prev, nxt, spans, envelope)
        if cut is not None:
            start, end, joined = cut
            unsure = word.probability is not None and word.probability < LEAST_PROBABILITY
            # Listed but kept until the producer checks it (keep: false cuts it).
            keep = True if joined or unsure else None
            out.append(Entry(round(start, 3), round(end, 3), "filler", keep=keep,
                             word=word.text, probability=word.probability,
                             joined=joined or None))
    return out


def _overlap(a: Span, lo: float, hi: float) -> float:
    return max(0.0, min(a[1], hi) - max(a[0], lo))


def _filler_cut(word: Word, prev: Word | None, nxt: Word | None, spans: list[Span],
                envelope: Envelope) -> tuple[float, float, bool] | None:
    near = [sp for sp in spans if sp[1] > word.start - NEAR and sp[0] < word.end + NEAR]
    if not near:
        return None  # nothing audible where the word was heard
    core = max(near, key=lambda sp: (_overlap(sp, word.start, word.end),
                                     -abs((sp[0] + sp[1]) / 2 - (word.start + word.end) / 2)))
    if core[1] - core[0] > LONGEST_FILLER:
        return _joined(word, prev, nxt, envelope)
    for other in (prev, nxt):
        # The span holds (the middle of) a word that is not a filler: no quiet between.
        if other is not None and not is_filler(other.text) \
                and core[0] < (other.start + other.end) / 2 < core[1]:
            return _joined(word, prev, nxt, envelope)
    k = spans.index(core)
    before = core[0] - spans[k - 1][1] if k > 0 else core[0]
    after = spans[k + 1][0] - core[1] if k + 1 < len(spans) else envelope.duration - core[1]
    removed = max(0.0, min(before, after))
    return core[0] - removed / 2, core[1] + removed / 2, False


def _joined(word: Word, prev: Word | None, nxt: Word | None,
            envelope: Envelope) -> tuple[float, float, bool] | None:
    lo = max(word.start - SNAP, prev.end if prev is not None else 0.0)
    hi = min(word.end + SNAP, nxt.start if nxt is not None else envelope.duration)
    start = envelope.quietest(lo, min(word.start + SNAP, hi))
    end = envelope.quietest(max(word.end - SNAP, start), hi)
    return (start, end, True) if end - start > 0.05 else None
