"""Applying an edit list in the render: cuts out, short crossfades in, streamed.

``edit_filters(cuts, rate)`` is the one place cuts become audio. It returns a
piece of an ffmpeg filter graph that continues a linear chain and is continued
by one (``...,dynaudnorm,<edit filters>,volume=...``): the single-master speech
render puts it after the leveler and before the gain (chain.py), a mix of
tracks after the mix. Each cut ``[a, b)`` removes exactly ``b - a`` seconds,
so ``model.Timeline`` maps every time the same way the audio moved.

How (measured on an hour of stereo PCM with 239 cuts; docs/cutting.md): the
stream is split in two. Stream E plays the kept stretches 0, 2, 4..., stream O
the kept stretches 1, 3, 5..., each stretch ``CROSSFADE / 2`` longer at both
cut ends and faded there (a quarter sine in, its mirror out: equal power, for
room tone on either side of a cut), and silent while the other stream plays.
``asegment`` routes every sample to one part (sample-exact, no copies),
``concat`` joins each stream's parts, and ``amix`` adds the two streams: where
one stretch fades out the next fades in, a crossfade centred on the cut. Both
streams read the master at the pace they write, so memory stays flat (60 MB
for the hour); it cost 2.7 s of CPU for that hour over a plain pass. The
other designs measured: one ``atrim`` branch per stretch into ``concat`` (83 s:
every frame visits every branch), ``acrossfade`` chains (the same, worse), and
``aselect`` (whole frames only: no crossfade).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podcast.model import Cut

CROSSFADE = 0.02  # seconds: each cut is crossfaded over 20 ms centred on it
FRAME = 4410  # samples per frame into the split (0.1 s at 44.1 kHz): ffmpeg's cost is per
# frame and filter, and the graph has a few filters per cut


@dataclass(frozen=True)
class Part:
    """One contiguous stretch of the source as one stream plays it (in samples)."""

    start: int
    end: int | None  # None: to the end of the stream
    fade_in: bool = False  # over its first crossfade
    fade_out: int | None = None  # sample (from its start) where its fade-out begins;
    # the part stays silent after it (the other stream plays the next stretch)
    mute: bool = False  # silent throughout (the other stream's first stretch)


def normalised(cuts: Sequence[Cut], duration: float | None = None,
               crossfade: float = CROSSFADE) -> tuple[Cut, ...]:
    """The cuts as they can be applied: in order, inside ``[0, duration]``, merged where
    they overlap or leave less than two crossfades between them (no stretch too short
    to fade in and out), one that starts within a crossfade of the start taken from 0
    and one that ends within a crossfade of the end taken to it. A merged cut keeps
    the first one's kind and the words of both."""
    out: list[Cut] = []
    for cut in sorted(cuts, key=lambda c: (c.start, c.end)):
        start, end = max(0.0, cut.start), cut.end
        if duration is not None:
            end = min(end, duration)
        if end - start <= 0:
            continue
        if start < crossfade:
            start = 0.0
        if duration is not None and duration - end < crossfade:
            end = duration
        if out and start - out[-1].end < 2 * crossfade:
            last = out[-1]
            word = " ".join(w for w in (last.word, cut.word) if w) or None
            out[-1] = Cut(last.start, max(last.end, end), last.kind or cut.kind, word)
            continue
        out.append(Cut(start, end, cut.kind, cut.word))
    return tuple(out)


def parts(cuts: Sequence[Cut], rate: int, *, duration: float | None = None,
          crossfade: float = CROSSFADE) -> tuple[list[Part], list[Part]]:
    """The two streams' parts (module doc) for ``normalised`` cuts, in samples.

    The kept stretches ``[s, e)`` alternate between the streams (the last in the
    first). Each plays from ``s - h`` (h: half the crossfade; the first from ``s``)
    and, with a stretch after it, fades out over ``[e - h, e + h)`` and stays silent
    while the other stream plays that next stretch less its fades. The stream
    without the first stretch is silent until that one begins to fade out."""
    h = round(crossfade * rate) // 2
    d = 2 * h
    end_all = round(duration * rate) if duration is not None else None
    kept: list[tuple[int, int | None]] = []  # e None: to the end of the stream
    position = 0
    for cut in cuts:
        a, b = round(cut.start * rate), round(cut.end * rate)
        if a > position:
            kept.append((position, a))
        position = b
    if end_all is None or position < end_all:
        kept.append((position, None))
    if not kept:
        raise ValueError("the cuts leave nothing to play")
    streams: tuple[list[Part], list[Part]] = ([], [])
    last = len(kept) - 1
    if len(kept) > 1:
        s0, e0 = kept[0]
        streams[(last - 1) % 2].append(Part(s0, e0 - h, mute=True))  # type: ignore[operator]
    for i, (s, e) in enumerate(kept):
        start = s - h if i else s
        mine = streams[(last - i) % 2]
        if i + 1 == len(kept):  # the last: to the end, or to a cut that runs to it
            mine.append(Part(start, e, fade_in=i > 0))
            continue
        assert e is not None
        silence = 0
        if i + 2 < len(kept):
            ns, ne = kept[i + 1]
            silence = ne - ns - d  # type: ignore[operator]
        mine.append(Part(start, e + h + silence, fade_in=i > 0, fade_out=e - h - start))
    return streams


def _stream(name: str, items: list[Part], d: int) -> list[str]:
    """One stream: asegment at its parts' edges, each part faded, joined by concat."""
    edges: list[int] = []
    outputs: list[Part | None] = []  # None: samples this stream drops
    position = 0
    for part in items:
        if part.start > position:
            edges.append(part.start)
            outputs.append(None)
        outputs.append(part)
        if part.end is None:
            break
        edges.append(part.end)
        position = part.end
    if len(outputs) == len(edges):
        outputs.append(None)  # after the stream's last part
    graph = [f"[{name}]asegment=samples={'|'.join(map(str, edges))}"
             + "".join(f"[{name}{j}]" for j in range(len(outputs)))] if edges \
        else [f"[{name}]anull[{name}0]"]
    joined = []
    for j, part in enumerate(outputs):
        if part is None:
            graph.append(f"[{name}{j}]anullsink")
            continue
        chain = ["asetpts=PTS-STARTPTS"]  # concat wants each part to start at 0
        if part.mute:
            chain.append("volume=0")
        if part.fade_in:
            chain.append(f"afade=t=in:ss=0:ns={d}:curve=qsin")
        if part.fade_out is not None:
            chain.append(f"afade=t=out:ss={part.fade_out}:ns={d}:curve=qsin")
        graph.append(f"[{name}{j}]{','.join(chain)}[{name}p{j}]")
        joined.append(f"[{name}p{j}]")
    graph.append("".join(joined) + f"concat=n={len(joined)}:v=0:a=1[{name}c]")
    return graph


def edit_filters(cuts: Sequence[Cut], rate: int, *, duration: float | None = None,
                 label: str = "cut", crossfade: float = CROSSFADE) -> str:
    """The filters that take ``cuts`` (``normalised``, master seconds) out of a stream at
    ``rate`` Hz, crossfaded: to splice into a linear chain with commas on both sides
    ("" for no cuts). ``label`` prefixes the graph's own pad names (unique per graph);
    ``duration``: the stream's length, when a cut may run to its end."""
    if not cuts:
        return ""
    even, odd = parts(cuts, rate, duration=duration, crossfade=crossfade)
    d = 2 * (round(crossfade * rate) // 2)
    e, o = f"{label}E", f"{label}O"
    graph = [f"asetnsamples=n={FRAME}:p=0,asplit=2[{e}][{o}]"]
    graph += _stream(e, even, d)
    graph += _stream(o, odd, d) if odd else [f"[{o}]anullsink"]
    if not odd:
        graph.append(f"[{e}c]anull")
    elif even[-1].end is None:  # the last stretch runs to the end of the stream
        graph.append(f"[{e}c][{o}c]amix=inputs=2:normalize=0:duration=longest")
    else:
        # A last stretch that ends at a cut (one to the end): amix dropped the first
        # input's last frame when it ended there (measured), so both streams are
        # padded and the mix trimmed to its length.
        total = even[-1].end - sum(round(c.end * rate) - round(c.start * rate)
                                   for c in cuts[:-1])
        graph += [f"[{e}c]apad[{e}a]", f"[{o}c]apad[{o}a]",
                  f"[{e}a][{o}a]amix=inputs=2:normalize=0:duration=first,"
                  f"atrim=end_sample={total}"]
    return ";".join(graph)
