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
from dataclasses import dataclass, field, replace
from pathlib import Path

from podcast.audio import chain, ffmpeg
from podcast.audio.analysis import Analysis, limiter_loss
from podcast.audio.measure import (
    EBUR128,
    Loudness,
    SecondLog,
    ebur128,
    ebur128_info,
    measure,
    summary_of,
)
from podcast.errors import AudioError
from podcast.show.config import AudioSettings

log = logging.getLogger(__name__)

OUTPUT_RATE = chain.OUTPUT_RATE
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
PIPE_SIZE = 1 << 20  # bytes: fewer wake-ups between the processes


LOSS_ROUNDS = 20  # at most, to settle the gain against the limiter's measured loss


def cbr_loss(bitrate: int) -> float:
    """Loudness that LAME's low-pass and quantisation remove at this CBR rate, in LU.

    Measured on speech-like signals: 0.4-0.5 LU at <= 160 kbps, less above.
    """
    return 0.4 if bitrate <= 160 else 0.15


@dataclass(frozen=True)
class Plan:
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
            tail.append(chain.limiter(self.limit))
        return ",".join(tail)


def target_of(settings: AudioSettings, channels: int | None) -> float:
    return settings.loudness + (MONO_OFFSET if channels == 1 else 0.0)


def plan(a: Analysis, settings: AudioSettings, *, correction: float = 0.0,
         margin: float = LIMIT_MARGIN, force_limiter: bool = False) -> Plan:
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
    return Plan(channels=1 if mono else 2, bitrate=bitrate, target=target,
                ceiling=settings.true_peak, gain=round(gain, 3),
                limit=round(settings.true_peak - margin, 3) if needs_limiter else None,
                predicted_peak=round(predicted, 3), leveler=leveler)


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


# ---- running the processes --------------------------------------------------------

def _pipe() -> tuple[int, int]:
    r, w = os.pipe()
    try:
        import fcntl
        fcntl.fcntl(w, 1031, PIPE_SIZE)  # F_SETPIPE_SZ (Linux)
    except (ImportError, OSError):
        pass
    return r, w


class Pipeline:
    """Processes joined by pipes; ``wait`` returns their results, and any failure
    kills the rest and raises the first process's error."""

    def __init__(self):
        self.procs: list[ffmpeg.Process] = []

    def add(self, proc: ffmpeg.Process) -> ffmpeg.Process:
        self.procs.append(proc)
        return proc

    def kill(self) -> None:
        for p in self.procs:
            p.kill()

    def wait(self) -> list[ffmpeg.Result]:
        results = []
        try:
            # The last process first: it ends when its input does, or fails first.
            for p in reversed(self.procs):
                results.append(p.wait())
        except BaseException:
            self.kill()
            raise
        return list(reversed(results))


# The master's figures for the report, measured by the first stage as it reads the
# master: a 16 kHz copy into ebur128 (within 0.1-0.2 LU of full rate on speech).
METER = ("[0:a:0]asplit=2[meter][master];[meter]aresample=16000,{},anullsink;"
         "[master]")


def start_render(pipeline: Pipeline, render: chain.Render, root: Path, *, where: str,
                 meter: SecondLog | None = None) -> int:
    """Start the render's stages; return the read end of the last one's PCM. With
    ``meter``, the first stage (``pipeline.procs[0]`` of those added here) also
    measures the master, its 100 ms log going into ``meter``."""
    fd_in: int | None = None
    previous = None
    for stage in render.stages:
        if meter is not None and previous is None:
            stage = replace(stage, graph=METER.format(ebur128_info("sample"))
                            + stage.graph.removeprefix("[0:a:0]"))
        r, w = _pipe()
        name = "DeepFilterNet" if stage.kind == "dfn" else "speech chain"
        try:
            pipeline.add(ffmpeg.Process(
                chain.stage_argv(stage, root, previous=previous), where=f"{where} ({name})",
                stdin=fd_in, stdout=w,
                on_line=meter.feed if meter is not None and previous is None else None))
        finally:
            os.close(w)
            if fd_in is not None:
                os.close(fd_in)
        fd_in, previous = r, stage
    return fd_in  # type: ignore[return-value]


def pcm_input(render: chain.Render) -> list[str]:
    last = render.stages[-1]
    return ["-f", "f32le", "-ar", str(last.rate), "-ac", str(last.channels), "-i", "pipe:0"]


def tail(render: chain.Render, extra: str = "") -> str:
    """What the PCM's reader runs first: the render's tail (the limiter) and ``extra``."""
    return ",".join(f for f in (render.tail, extra) if f) or "anull"


@dataclass
class Verified:
    """The decoded MP3 as the verifier measured it (and the master, when metered)."""

    loudness: Loudness
    short_term: list = field(default_factory=list)  # S once a second
    momentary: list = field(default_factory=list)  # M every 100 ms
    master: Loudness | None = None
    master_log: SecondLog | None = None


def encode(root: Path, render: chain.Render, dest: Path, p: Plan, *, where: str,
           master: Path | None = None, meter: bool = False,
           progress: ffmpeg.ProgressCallback | None = None) -> tuple[Verified, Loudness | None]:
    """Render and encode into ``dest`` (a temp path) while the verifier measures the
    decoded MP3; with ``meter`` the render measures the master as it reads it; with
    ``master``, one more process measures its true peak."""
    pipeline = Pipeline()
    seconds = SecondLog()
    master_log = SecondLog() if meter else None
    pcm = mp3_r = mp3_w = -1
    peak = None
    try:
        mp3_r, mp3_w = _pipe()
        verifier = pipeline.add(ffmpeg.Process(
            ffmpeg.quiet_args() + ["-f", "mp3", "-i", "pipe:0", "-map", "0:a",
                                   "-af", ebur128_info("true"), "-f", "null", "-"],
            where=f"{where} (verifying)", stdin=mp3_r, on_line=seconds.feed))
        os.close(mp3_r)
        mp3_r = -1
        if master is not None:
            peak = ffmpeg.Process(
                ffmpeg.quiet_args() + ["-i", str(master.resolve()), "-map", "0:a:0",
                                       "-af", EBUR128, "-f", "null", "-"], where=where)
        first = len(pipeline.procs)
        pcm = start_render(pipeline, render, root, where=where, meter=master_log)
        reader = pipeline.procs[first]  # the process that reads the master
        # The temp name is plain ([.A-Za-z0-9_]) and ffmpeg runs in its folder, so
        # nothing in the show's path can be misread by the tee muxer's syntax.
        tee = (f"[f=mp3:id3v2_version=0:write_id3v1=0]{dest.name}"
               f"|[f=mp3:id3v2_version=0:write_xing=0]pipe:{mp3_w}")
        # The encoder's process also runs the limiter (render.tail): that balances the
        # work of the two cores. 100 ms frames: ffmpeg's cost is per frame and filter.
        pipeline.add(ffmpeg.Process(
            ffmpeg.base_args() + pcm_input(render) + [
                "-af", f"asetnsamples=n={OUTPUT_RATE // 10}:p=0,{tail(render)}",
                "-map", "0:a", "-map_metadata", "-1", "-c:a", "libmp3lame",
                "-b:a", f"{p.bitrate}k", "-f", "tee", tee],
            where=where, progress=progress, stdin=pcm, pass_fds=(mp3_w,), cwd=dest.parent))
        for fd in (pcm, mp3_w):
            os.close(fd)
        pcm = mp3_w = -1
        pipeline.wait()
        master_loudness = summary_of(peak.wait(), where) if peak else None
    finally:
        for fd in (pcm, mp3_r, mp3_w):
            if fd >= 0:
                os.close(fd)
        pipeline.kill()
        if peak is not None:
            peak.kill()
    out = summary_of(verifier.wait(), f"{where} (verifying)", "Parsed_ebur128_")
    metered = summary_of(reader.wait(), where, "Parsed_ebur128_") if meter else None
    return Verified(out, seconds.values, seconds.momentary, metered, master_log), \
        master_loudness


def predict(root: Path, render: chain.Render, *, where: str) -> Loudness:
    """Loudness of the render's output (no encode): the limiter's loss, measured."""
    pipeline = Pipeline()
    pcm = start_render(pipeline, render, root, where=where)
    try:
        pipeline.add(ffmpeg.Process(ffmpeg.quiet_args() + pcm_input(render) + [
            "-af", f"{tail(render)},{ebur128('none')}", "-f", "null", "-"], where=where,
            stdin=pcm))
    finally:
        os.close(pcm)
    return summary_of(pipeline.wait()[-1], where, "Parsed_ebur128_")


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


def settle_limiter(root: Path, a: Analysis, settings: AudioSettings, p: Plan, render_of, *,
                   where: str) -> Plan:
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
        p = plan(a, settings, correction=correction)
    return p


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    render: chain.Render
    verified: Verified
    attempts: int
    input_true_peak: float | None  # dBTP of the master, when measured (leveler off)

    @property
    def output(self) -> Loudness:
        return self.verified.loudness


def master_to(root: Path, master: Path, tmp: Path, a: Analysis, settings: AudioSettings, *,
              where: str, intro: chain.Sting | None = None, outro: chain.Sting | None = None,
              progress: ffmpeg.ProgressCallback | None = None) -> Outcome:
    """Encode until the decoded MP3 is within tolerance and under the ceiling, or fail."""
    relative = os.path.relpath(Path(master).resolve(), Path(root).resolve())

    def render_of(p: Plan) -> chain.Render:
        return chain.build(settings, a, relative, gain=p.gain, limit=p.limit,
                           channels=p.channels, intro=intro, outro=outro)

    p = plan(a, settings)
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
            root, render, tmp, p, where=where, progress=progress,
            meter=a.integrated is None,
            master=master if input_peak is None and not p.leveler else None)
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
        correction = (p.gain - plan(a, settings).gain) + step
        p = plan(a, settings, correction=correction, margin=margin,
                 force_limiter=p.limit is not None or not peak_ok)
    lines = "; ".join(f"gain {h.gain:+.1f} dB{' + limiter' if h.limit is not None else ''} -> "
                      f"{o.integrated:.1f} LUFS, {o.true_peak:.1f} dBTP" for h, o in history)
    raise AudioError(where, f"the MP3 missed {p.target:.1f} LUFS +/- {settings.tolerance} LU "
                     f"or {p.ceiling:.1f} dBTP after {MAX_ATTEMPTS} attempts ({lines})",
                     "The master may be heavily clipped or mostly noise; check it, or loosen "
                     "[audio] tolerance")
