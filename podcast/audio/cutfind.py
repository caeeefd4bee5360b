"""Finding the cuts: long pauses between speech spans, and fillers among the words.

Pure functions over plain values, so one master or several tracks can feed
them: ``find_pauses`` takes speech spans (for several tracks, all of them:
a pause is where nobody speaks), ``find_fillers`` takes the recognised words
and the envelope of the audio they were heard in.

Pauses: a gap longer than ``max_pause`` (by at least ``MIN_CUT``) keeps
``max_pause`` of quiet, half at each end, and the middle is cut: the cut lies in
room tone, well away from the words on either side.

Fillers ("um", "uh", "er", "erm", "ah", "hmm" as Whisper spells them, any
case, with punctuation: ``captions.fillers``) are cut at the quiet around them,
never at Whisper's timestamps alone (off by up to half a second on generated
speech, and a word may get no length at all): the filler's sound is the speech
span its time overlaps more than the words beside it do, or failing that the
nearest span no word was heard in (``_sound_of``); the cut takes
it and the shorter of the two silences beside it, half from each side, so the
pause that is left is as long as the longer one was ("So, um, I saw" becomes
"So, I saw", paced as spoken). A filler whose span runs into a word that is
not one (no quiet between them) would be cut at Whisper's edges, which may lie
inside that word: it is written with the quietest moments near those edges,
marked ``joined``, and kept (``keep: true``) until the producer checks it. (In
the benchmark Whisper once wrote "um", probability 0, over the start of "Then
they thanked me": joined, so kept. The confidence itself is no guide: real,
isolated fillers there were heard with probabilities from 0.0 to 0.9.)
"""

from __future__ import annotations

from collections.abc import Sequence

from podcast.audio.activity import Envelope, Span, gaps
from podcast.audio.editlist import Entry
from podcast.captions.fillers import is_filler
from podcast.captions.model import Word

MIN_CUT = 0.1  # seconds: a pause only this much over max_pause is left alone
REACH = 0.6  # seconds: how far from its sound Whisper may put a word (0.5 s measured)
LONGEST_FILLER = 1.5  # seconds: a longer "filler" span is speech misheard
SNAP = 0.08  # seconds either side of Whisper's edge searched for quiet (joined fillers)


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
        around = [w for w in words[max(0, i - 3):i + 4] if not is_filler(w.text)]
        cut = _filler_cut(word, around, spans, envelope)
        if cut is not None:
            start, end, joined = cut
            # A joined one is listed but kept until the producer checks it (keep: false).
            out.append(Entry(round(start, 3), round(end, 3), "filler",
                             keep=True if joined else None, word=word.text,
                             probability=word.probability, joined=joined or None))
    return out


def _overlap(a: Span, lo: float, hi: float) -> float:
    return max(0.0, min(a[1], hi) - max(a[0], lo))


def _sound_of(word: Word, around: list[Word], spans: list[Span]
              ) -> tuple[Span, bool] | None:
    """The speech span that is the filler's, and whether it shares it with a word: the
    span its time overlaps most among those it overlaps more than any word beside it
    does; failing that (Whisper gave it no time, or a time beside its sound), the
    nearest span no word was heard in; failing that, the span it overlaps most,
    shared. None: no sound near it."""
    near = [sp for sp in spans if sp[1] > word.start - REACH and sp[0] < word.end + REACH]

    def claimed(sp: Span) -> float:
        return max((_overlap(sp, w.start, w.end) for w in around), default=0.0)

    def mine(sp: Span) -> float:
        return _overlap(sp, word.start, word.end)
    own = [sp for sp in near if mine(sp) > claimed(sp)]
    if own:
        return max(own, key=mine), False
    free = [sp for sp in near if claimed(sp) == 0]
    if free:
        return min(free, key=lambda sp: max(sp[0] - word.end, word.start - sp[1])), False
    shared = [sp for sp in near if mine(sp) > 0]
    return (max(shared, key=mine), True) if shared else None


def _filler_cut(word: Word, around: list[Word], spans: list[Span],
                envelope: Envelope) -> tuple[float, float, bool] | None:
    found = _sound_of(word, around, spans)
    if found is None:
        return None  # no sound of its own near where it was heard: nothing to cut
    core, shared = found
    prev = max((w for w in around if w.end <= word.end), key=lambda w: w.end, default=None)
    nxt = min((w for w in around if w.start >= word.start), key=lambda w: w.start,
              default=None)
    # The span holds (the middle of) a word that is not a filler, or is too long for
    # one: no quiet between them.
    if shared or core[1] - core[0] > LONGEST_FILLER or any(
            core[0] < (w.start + w.end) / 2 < core[1] for w in around):
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
