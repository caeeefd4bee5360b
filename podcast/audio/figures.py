"""The report's speech figures: what the speech chain found and did, before and after.

``speech_figures`` turns the measuring pass (the master) and the verifier (the
decoded MP3) into a ``SpeechFigures``:

- pauses: the momentary loudness in the pauses the measuring pass found in
  the master, and in the MP3 at the same moments (through the timeline: the
  intro's offset and the automatic cutter's cuts),
  each relative to its integrated loudness: how much further under the
  speech the room tone, rumble and hum sit now, as a listener hears them;
- the noise floor and the hum (frequency, level) the measuring pass found;
- leveler action: how far the short-term loudness moved from a plain linear
  gain, second by second over the speech (5th and 95th percentile), and the
  loudness range before and after.
"""

from __future__ import annotations

import math

from podcast.audio.analysis import Analysis, pause_level, percentile
from podcast.audio.report import (
    ChainSteps,
    GateStep,
    LevelerAction,
    RoomTone,
    SpeechFigures,
    StingStep,
)
from podcast.model import Timeline

FRAME = 0.1  # seconds per room-tone frame
SPEECH_RANGE = 20.0  # LU under the loud seconds that still count as speech


def moved(timeline: Timeline, t0: float, t1: float) -> float | None:
    """Where master time ``t1`` plays, when no cut falls in ``[t0, t1]`` (the stretch
    plays whole and in order); None when one does."""
    if any(c.start < t1 and c.end > t0 for c in timeline.cuts):
        return None
    return timeline.to_published(t1)


def published_runs(runs: list, timeline: Timeline, alone: tuple[float, float]) -> list:
    """Runs of 100 ms frames of the master, as runs of frames of the MP3: split where
    cuts took part of them out, and kept to the seconds ``alone``."""
    first = round(alone[0] / FRAME)
    last = round(alone[1] / FRAME) if math.isfinite(alone[1]) else 10 ** 9
    out = []
    for s, e in runs:
        pieces, start = [], s * FRAME
        for cut in timeline.cuts:
            if cut.end <= start or cut.start >= e * FRAME:
                continue
            if cut.start > start:
                pieces.append((start, cut.start))
            start = max(start, cut.end)
        if start < e * FRAME:
            pieces.append((start, e * FRAME))
        for a, b in pieces:  # (the shift rounded apart: the same frames as before cuts)
            pa, pb = (round(t / FRAME) + round((timeline.to_published(t) - t) / FRAME)
                      for t in (a, b))
            pa, pb = max(pa, first), min(pb, last)
            if pb > pa:
                out.append([pa, pb])
    return out


def room_tone(a: Analysis, momentary_after: list[float], integrated_after: float,
              timeline: Timeline, alone: tuple[float, float] = (0.0, math.inf)
              ) -> RoomTone | None:
    """The pauses re speech, master and MP3, at the same moments (through the intro's
    offset and the cuts); ``alone``: the seconds of the MP3 where only the master plays."""
    if a.pause_level is None or not a.quiet:
        return None
    after = pause_level(momentary_after, published_runs(a.quiet, timeline, alone), 0.0,
                        integrated_after)
    if after is None:
        return None
    return RoomTone(before=a.pause_level, after=after,
                    reduction=round(a.pause_level - after, 1))


def leveler_action(master: list, mp3: list, timeline: Timeline, linear_gain: float,
                   alone: tuple[float, float] = (0.0, math.inf)) -> LevelerAction | None:
    """How far each second of speech moved from a plain linear gain (dB)."""
    moved_by = []
    spoken = [v for v in master if v is not None]
    if not spoken:
        return None
    floor = percentile(spoken, 90) - SPEECH_RANGE  # seconds of speech, not of pauses
    for i, before in enumerate(master):
        if before is None or before < floor:
            continue
        end = moved(timeline, i - 2.0, i + 1.0)  # S: the 3 s ending at i + 1
        if end is None:
            continue
        j = i + round(end - (i + 1.0))  # the seconds it moved, rounded as before cuts
        if not 0 <= j < len(mp3) or mp3[j] is None or not alone[0] + 3 <= j + 1 <= alone[1]:
            continue
        moved_by.append(mp3[j] - before - linear_gain)
    if len(moved_by) < 5:
        return None
    return LevelerAction(low=round(percentile(moved_by, 5), 1),
                         high=round(percentile(moved_by, 95), 1))


def chain_steps(steps: dict) -> ChainSteps:
    """The render's steps (chain.py's dict) as the report's typed value."""
    def sting(kind: str) -> StingStep | None:
        s = steps.get(kind)
        return StingStep(s["file"], s["gain"], s["crossfade"]) if s else None
    gate = steps.get("gate")
    return ChainSteps(
        highpass=steps.get("highpass"), dehum=steps.get("dehum"),
        denoise=steps.get("denoise"), denoise_skipped=steps.get("denoise_skipped"),
        denoise_floor=steps.get("denoise_floor"),
        gate=GateStep(gate["threshold"], gate["range"]) if gate else None,
        leveler=steps.get("leveler"), intro=sting("intro"), outro=sting("outro"))


def speech_figures(a: Analysis, render_steps: dict, verified, timeline: Timeline,
                   target: float) -> SpeechFigures:
    """The figures of one encode; ``timeline``: where the master plays in the MP3."""
    steps = chain_steps(render_steps)
    intro = steps.intro.crossfade if steps.intro else 0.0
    outro = steps.outro.crossfade if steps.outro else 0.0
    offset = timeline.offset
    alone = (offset + intro, offset + a.duration - timeline.removed - outro)
    return SpeechFigures(
        steps=steps, noise_floor=a.noise_floor, speech_level=a.speech_level, hum=a.hum,
        hum_excess=dict(a.hum_excess), hum_level=a.hum_level,
        room_tone=room_tone(a, verified.momentary, verified.loudness.integrated, timeline,
                            alone),
        leveler_action=leveler_action(a.short_term, verified.short_term, timeline,
                                      target - a.integrated, alone))
