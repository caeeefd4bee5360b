"""Mastering one episode: decide gain and limiter, render, encode, verify, compensate.

The measuring pass (analysis.py) gives the master's loudness and, with the
leveler, the loudness of the levelled speech: the gain to the target is known
before anything is encoded. With the leveler the limiter is always there (the
leveler brings every passage's peaks near full scale); without it a limiter
is added only when the linear gain would push peaks past the ceiling, and its
loudness loss is measured in one extra pass first. We never use ``loudnorm``:
it silently turns dynamic and resamples to 192 kHz.

Three kinds of process run at once, joined by pipes (both cores work):

    render stage(s): master [+ intro, outro] -> speech chain -> float PCM
      (chain.py; with denoise = "strong" an ffmpeg, the DeepFilterNet filter
      and a second ffmpeg)
    encoder: float PCM -> LAME CBR -> tee: the MP3 (a seekable temp file, so
      ffmpeg writes its Info header) and a pipe
    verifier: decodes that pipe and measures the MP3 as a listener gets it:
      loudness, 4x true peak, short-term loudness once a second (the room tone
      is read from it at the moments the measuring pass found it in the master)

If the decoded MP3 misses the tolerance or the ceiling, the measured error is
fed back and the episode encoded again (at most ``MAX_ATTEMPTS``). The known
loss of low-bitrate CBR encoding is compensated up front.

Mono masters stay mono (64 kbps) and target loudness - 3 LU (-19 LUFS for
-16): they play at the same level as stereo episodes on two speakers.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from podcast.audio import chain, ffmpeg
from podcast.audio.analysis import Analysis, limiter_loss
from podcast.audio.filters import OUTPUT_RATE, limiter
from podcast.audio.measure import Loudness, measure
from podcast.audio.processes import Verified, encode, predict
from podcast.errors import AudioError
from podcast.model import Cut
from podcast.show.config import AudioSettings

log = logging.getLogger(__name__)

MONO_OFFSET = -3.0  # LU: mono target relative to the stereo one
MIN_DURATION = 3.0  # seconds
SILENCE = -70.0  # LUFS: ebur128's absolute gate; at or below it there is nothing to master
# dB kept below the true-peak ceiling of the decoded MP3. Unprocessed peaks gain
# inter-sample overs and LAME's overshoot (a few tenths each): a gain that leaves
# PEAK_MARGIN needs no limiter. A limited signal has many peaks right at the
# limit and the worst one overshoots most (1.1 dB measured on an hour of clicks),
# so the limiter's sample-peak ceiling sits LIMIT_MARGIN below.
PEAK_MARGIN = 1.0
LIMIT_MARGIN = 1.5
MAX_ATTEMPTS = 3


LOSS_ROUNDS = 20  # at most, to settle the gain against the limiter's measured loss


def cbr_loss(bitrate: int) -> float:
    """Loudness that LAME's low-pass and quantisation remove at this CBR rate, in LU.

    Measured on speech-like signals: 0.4-0.5 LU at <= 160 kbps, less above.
    """
    return 0.4 if bitrate <= 160 else 0.15


@dataclass(frozen=True)
class GainPlan:
    """What the encode does; every figure goes into the report."""

    channels: int
    bitrate: int  # kbps CBR
    target: float  # LUFS for this output
    ceiling: float  # dBTP on the decoded MP3
    gain: float  # dB
    limit: float | None  # dBFS sample-peak ceiling of the limiter; None: no limiter
    predicted_peak: float  # dB the gain alone would give the (levelled) master's peak
    leveler: bool = False

    @property
    def limiter_reduction(self) -> float:
        return max(0.0, self.predicted_peak - self.limit) if self.limit is not None else 0.0

    def filters(self) -> str:
        """The gain and limiter as a plain filter chain (the tail of the render)."""
        tail = [f"volume={self.gain:.3f}dB:precision=float", f"aresample={OUTPUT_RATE}"]
        if self.limit is not None:
            tail.append(limiter(self.limit))
        return ",".join(tail)


def target_of(settings: AudioSettings, channels: int | None) -> float:
    return settings.loudness + (MONO_OFFSET if channels == 1 else 0.0)


def plan_gain(a: Analysis, settings: AudioSettings, *, correction: float = 0.0,
         margin: float = LIMIT_MARGIN, force_limiter: bool = False) -> GainPlan:
    """The gain to the target; the limiter always after the leveler, otherwise only
    if the linear gain would break the ceiling."""
    mono = a.channels == 1
    target = target_of(settings, a.channels)
    bitrate = settings.mono_bitrate if mono else settings.bitrate
    leveler = settings.leveler and a.levelled is not None
    if leveler:
        gain = target - a.levelled + cbr_loss(bitrate) + correction
        # The limiter takes some loudness at this gain (measured by the trials of the
        # measuring pass); the gain that makes up for it is limited a little harder:
        # iterated to where gain and loss agree (it converges while the limiter takes
        # less than 1 LU per dB; two rounds could leave the gain 0.3 dB short).
        for _ in range(LOSS_ROUNDS):
            previous = gain
            gain = target - a.levelled + cbr_loss(bitrate) + correction + limiter_loss(a, gain)
            if abs(gain - previous) < 0.01:
                break
        peak = a.levelled_peak if a.levelled_peak is not None else -1.0
    else:
        gain = target - a.integrated + cbr_loss(bitrate) + correction
        peak = a.true_peak if a.true_peak is not None else a.sample_peak
    predicted = peak + gain
    needs_limiter = leveler or force_limiter or predicted > settings.true_peak - PEAK_MARGIN
    return GainPlan(channels=1 if mono else 2, bitrate=bitrate, target=target,
                ceiling=settings.true_peak, gain=round(gain, 3),
                limit=round(settings.true_peak - margin, 3) if needs_limiter else None,
                predicted_peak=round(predicted, 3), leveler=leveler)


def gated(momentary: Sequence[float]) -> float | None:
    """Integrated loudness (BS.1770) from 400 ms block loudnesses: the absolute gate at
    -70 LUFS, then the relative one 10 LU under the mean of what passed it."""
    def mean(values):
        return 10 * math.log10(sum(10 ** (v / 10) for v in values) / len(values))
    blocks = [v for v in momentary if v > SILENCE]
    if not blocks:
        return None
    relative = mean(blocks) - 10
    kept = [v for v in blocks if v > relative]
    return mean(kept) if kept else None


def planned(a: Analysis, cuts: Sequence[Cut]) -> Analysis:
    """The analysis the gain is planned from, once ``cuts`` are out: the loudness it
    plans from (levelled, or the master's) moved by what leaving out the 400 ms blocks
    the cuts take out changes in the gated loudness. Pauses sit under the relative
    gate and change little; fillers are speech a little under the rest. Measured on
    tests/cutspeech.py's speech (six fillers, three 4 s pauses in 40 s): the render
    through the cuts read 0.2 LU louder than without, this gives +0.10, and the MP3s
    of that and of its 2-minute loop landed 0.0 and -0.1 LU from the target (+0.1 and
    0.0 without it; leaving out every block a cut touches gave +0.31 and -0.3 LU).
    Without cuts, ``a`` itself."""
    if not cuts or not a.momentary:
        return a
    # Momentary value k (0-based) is the block [0.1 k - 0.3, 0.1 k + 0.1); a block whose
    # middle a cut takes out is left out, so as many blocks go as the cuts take time.
    kept, i = [], 0
    for k, v in enumerate(a.momentary):  # one sweep: the cuts are in order
        middle = 0.1 * k - 0.1
        while i < len(cuts) and cuts[i].end <= middle:
            i += 1
        if i == len(cuts) or cuts[i].start > middle:
            kept.append(v)
    before, after = gated(a.momentary), gated(kept)
    if before is None or after is None:
        return a
    shift = round(after - before, 3)
    if a.levelled is not None:
        return replace(a, levelled=a.levelled + shift)
    return replace(a, integrated=a.integrated + shift) if a.integrated is not None else a


def check_master(a: Analysis, where: str) -> None:
    """Refuse masters that cannot be mastered: silence, or too short to measure."""
    _check(a.duration, a.integrated if a.integrated is not None else a.levelled,
           a.sample_peak if a.sample_peak is not None else a.levelled_peak, where)


def check_master_file(path: Path, where: str) -> None:
    """``check_master`` on a file, by one cheap loudness pass: what `podcast add` runs,
    so it accepts no master that the build would refuse."""
    m = measure(path, where=where, peak="sample")
    _check(m.duration, m.loudness.integrated, m.loudness.sample_peak, where)


def _check(duration: float, loudness: float | None, peak: float | None, where: str) -> None:
    if duration < MIN_DURATION:
        shown = f"{duration:.1f}" if round(duration, 1) < MIN_DURATION else f"{duration:.3f}"
        raise AudioError(where, f"is {shown}s long, shorter than "
                         f"{MIN_DURATION:g}s", "Check that the right file is the master")
    if loudness is None or not math.isfinite(loudness) or loudness <= SILENCE \
            or peak is None or not math.isfinite(peak):
        raise AudioError(where, "is digital silence (no loudness to measure)",
                         "Export the master again; the mix is empty")


# Without the leveler, passes through the chain (no encode) settle the gain that
# the limiter needs: at most this many, until one lands this close.
PREDICTIONS = 3
PREDICTION_TOLERANCE = 0.15  # LU


def slope(points: list[tuple[float, float]], error: float) -> float:
    """LU of output per dB of gain, to divide ``error`` by: from the last two (gain,
    loudness) points when the gain must rise, 1 when it must fall or with fewer
    than two points. Through a limiter the loudness grows ever slower with the
    gain (raw dialogue: 0.4 LU per dB), so a secant between two lower points is
    steeper than the curve at the target (a rise never overshoots), while a fall
    by the error itself never overshoots either (no slope is over 1). Bounded so
    that one odd point cannot send the gain far off."""
    if error <= 0 or len(points) < 2 or points[-1][0] == points[-2][0]:
        return 1.0
    (g0, l0), (g1, l1) = points[-2:]
    return min(1.0, max(0.25, (l1 - l0) / (g1 - g0)))


def settle_limiter(root: Path, a: Analysis, settings: AudioSettings, p: GainPlan, render_of, *,
                   where: str) -> GainPlan:
    """The gain that lands the limited render on the target, found by cheap passes
    through the chain. Limiting lowers the loudness by an amount that depends on
    the material (0.1 LU for a few clicks, 1 LU and more for raw dialogue) and grows
    with the gain, so each pass corrects by the measured error over the measured
    slope (a secant), instead of an encode per try."""
    want = p.target + cbr_loss(p.bitrate)  # the render's loudness that decodes on target
    points: list[tuple[float, float]] = []
    correction = 0.0
    for _ in range(PREDICTIONS):
        got = predict(root, render_of(p), where=where).integrated
        points.append((p.gain, got))
        error = want - got
        log.debug("%s: gain %+.2f dB through the limiter gives %.2f LUFS (want %.2f)", where,
                  p.gain, got, want)
        if abs(error) <= PREDICTION_TOLERANCE:
            break
        correction += error / slope(points, error)
        p = plan_gain(a, settings, correction=correction)
    return p


@dataclass(frozen=True)
class Outcome:
    plan: GainPlan
    render: chain.Render
    verified: Verified
    attempts: int
    input_true_peak: float | None  # dBTP of the master, when measured (leveler off)

    @property
    def output(self) -> Loudness:
        return self.verified.loudness


def master_to(root: Path, master: Path | None, tmp: Path, a: Analysis,
              settings: AudioSettings, *, where: str, intro: chain.Sting | None = None,
              outro: chain.Sting | None = None, cuts: Sequence[Cut] = (),
              progress: ffmpeg.ProgressCallback | None = None,
              render_of: Callable[[GainPlan], chain.Render] | None = None) -> Outcome:
    """Encode until the decoded MP3 is within tolerance and under the ceiling, or fail.
    ``cuts`` (normalised) are taken out in the render. ``render_of``: the render at a
    gain plan, when it is not ``master``'s speech chain (a multitrack episode's mix;
    ``master`` is then None and ``a`` the mix's)."""
    if render_of is None:
        relative = os.path.relpath(Path(master).resolve(), Path(root).resolve())

        def render_of(p: GainPlan) -> chain.Render:
            return chain.speech_render(settings, a, relative, gain=p.gain, limit=p.limit,
                                       channels=p.channels, intro=intro, outro=outro,
                                       cuts=cuts)

    p = plan_gain(a, settings)
    if p.limit is not None and not p.leveler:
        p = settle_limiter(root, a, settings, p, render_of, where=where)
    history = []
    input_peak = a.true_peak
    for attempt in range(1, MAX_ATTEMPTS + 1):
        log.debug("%s: gain %+.2f dB, %s", where, p.gain,
                  f"limiter at {p.limit:.2f} dBFS (reduces peaks by {p.limiter_reduction:.1f} dB)"
                  if p.limit is not None else "no limiter")
        render = render_of(p)
        verified, master_loudness = encode(
            root, render, tmp, p.bitrate, where=where, progress=progress,
            meter=a.integrated is None and master is not None,
            master=master if master and input_peak is None and not p.leveler else None)
        if master_loudness is not None:
            input_peak = master_loudness.true_peak
        out = verified.loudness
        history.append((p, out))
        error = p.target - out.integrated
        loud_ok = abs(error) <= settings.tolerance
        peak_ok = out.true_peak <= p.ceiling
        if loud_ok and peak_ok:
            return Outcome(p, render, verified, attempt, input_peak)
        log.info("%s: attempt %d gave %.1f LUFS, %.1f dBTP; correcting", where, attempt,
                 out.integrated, out.true_peak)
        margin = LIMIT_MARGIN if p.limit is None else p.ceiling - p.limit
        if not peak_ok:
            margin += out.true_peak - p.ceiling + 0.2
        step = 0.0 if loud_ok else \
            error / slope([(h.gain, o.integrated) for h, o in history], error)
        correction = (p.gain - plan_gain(a, settings).gain) + step
        p = plan_gain(a, settings, correction=correction, margin=margin,
                 force_limiter=p.limit is not None or not peak_ok)
    lines = "; ".join(f"gain {h.gain:+.1f} dB{' + limiter' if h.limit is not None else ''} -> "
                      f"{o.integrated:.1f} LUFS, {o.true_peak:.1f} dBTP" for h, o in history)
    raise AudioError(where, f"the MP3 missed {p.target:.1f} LUFS +/- {settings.tolerance} LU "
                     f"or {p.ceiling:.1f} dBTP after {MAX_ATTEMPTS} attempts ({lines})",
                     "The master may be heavily clipped or mostly noise; check it, or loosen "
                     "[audio] tolerance")
