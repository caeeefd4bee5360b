"""Mastering one episode: decide gain and limiter, encode, verify, compensate.

A quick first pass over the master (``ebur128``, sample peak) gives the
integrated loudness, hence the linear gain to the target. A limiter is added
only when that gain would push peaks past the ceiling (less a margin for
inter-sample peaks and LAME's overshoot). We never use ``loudnorm``: it
silently turns dynamic and resamples to 192 kHz.

The encode writes the MP3 to a temp file in the cache folder (seekable, so
ffmpeg writes the Xing/Info header) and, through the tee muxer, the same
frames to a pipe read by a second ffmpeg on the other core. That one decodes
and measures the MP3 (loudness and 4x true peak: the verification). On the
first attempt a third ffmpeg measures the master's true peak for the report,
so the costly 4x oversampling runs beside the encode instead of before it. If the
decoded MP3 misses the tolerance or the ceiling, the measured error is fed
back once or twice; the known loss of low-bitrate CBR encoding is
compensated up front so normal masters pass at the first attempt.

Mono masters stay mono (64 kbps) and target loudness - 3 LU (-19 LUFS for
-16), measured without dual-mono weighting: they play at the same level as
stereo episodes on two speakers, and mono at half the bitrate sounds the same.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path

from podcast.audio import ffmpeg
from podcast.audio.measure import EBUR128, Loudness, Measurement, ebur128, summary_of
from podcast.errors import AudioError
from podcast.show.config import AudioSettings

log = logging.getLogger(__name__)

OUTPUT_RATE = 44100
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
    predicted_peak: float  # dB the gain alone would give the master's peak

    @property
    def limiter_reduction(self) -> float:
        return max(0.0, self.predicted_peak - self.limit) if self.limit is not None else 0.0

    def filters(self) -> str:
        # Float all the way to the encoder: the gain never clips before the limiter.
        chain = [f"volume={self.gain:.3f}dB:precision=float", f"aresample={OUTPUT_RATE}"]
        if self.limit is not None:
            # level=disabled: no auto make-up gain; latency: keep chapters in sync.
            chain.append(f"alimiter=limit={10 ** (self.limit / 20):.6f}:attack=5:release=100"
                         ":level=disabled:latency=enabled:asc=disabled")
        return ",".join(chain)


def plan(measurement: Measurement, settings: AudioSettings, *, correction: float = 0.0,
         margin: float = LIMIT_MARGIN, force_limiter: bool = False) -> Plan:
    """The gain to the target, and a limiter only if that gain would break the ceiling."""
    stream = measurement.stream
    mono = stream is not None and stream.channels == 1
    target = settings.loudness + (MONO_OFFSET if mono else 0.0)
    bitrate = settings.mono_bitrate if mono else settings.bitrate
    loud = measurement.loudness
    gain = target - loud.integrated + cbr_loss(bitrate) + correction
    peak = loud.true_peak if math.isfinite(loud.true_peak) else loud.sample_peak
    predicted = peak + gain
    needs_limiter = force_limiter or predicted > settings.true_peak - PEAK_MARGIN
    return Plan(channels=1 if mono else 2, bitrate=bitrate, target=target,
                ceiling=settings.true_peak, gain=round(gain, 3),
                limit=round(settings.true_peak - margin, 3) if needs_limiter else None,
                predicted_peak=round(predicted, 3))


def check_master(measurement: Measurement, where: str) -> None:
    """Refuse masters that cannot be mastered: silence, or too short to measure."""
    if measurement.duration < MIN_DURATION:
        raise AudioError(where, f"is {measurement.duration:.1f}s long, shorter than "
                         f"{MIN_DURATION:g}s", "Check that the right file is the master")
    loud = measurement.loudness
    peak = loud.true_peak if math.isfinite(loud.true_peak) else loud.sample_peak
    if not math.isfinite(loud.integrated) or loud.integrated <= SILENCE \
            or not math.isfinite(peak):
        raise AudioError(where, "is digital silence (no loudness to measure)",
                         "Export the master again; the mix is empty")


def encode(master: Path, dest: Path, p: Plan, *, where: str, measure_master: bool = False,
           progress: ffmpeg.ProgressCallback | None = None) -> tuple[Loudness, Loudness | None]:
    """Encode ``master`` into ``dest`` (a temp path) while a second ffmpeg measures the
    decoded MP3 and, with ``measure_master``, a third measures the master's true peak.

    Three processes rather than two: the master's measurement does not wait on
    the encoder's pipe, so the scheduler can fill both cores instead of leaving
    the verifier as the one long pole beside the encode.
    """
    read_fd, write_fd = os.pipe()
    helpers: list[ffmpeg.Process] = []
    try:
        helpers.append(ffmpeg.Process(
            [ffmpeg.find_ffmpeg(), "-nostdin", "-hide_banner", "-nostats", "-f", "mp3",
             "-i", "pipe:0", "-filter_complex", f"[0:a]{EBUR128}[out]", "-map", "[out]",
             "-f", "null", "-"],
            where=f"{where} (verifying)", stdin=read_fd))
        os.close(read_fd)
        read_fd = -1
        if measure_master:
            helpers.append(ffmpeg.Process(
                [ffmpeg.find_ffmpeg(), "-nostdin", "-hide_banner", "-nostats",
                 "-i", str(master.resolve()), "-map", "0:a:0", "-af", EBUR128,
                 "-f", "null", "-"], where=where))
        # The temp name is plain ([.A-Za-z0-9_]) and ffmpeg runs in its folder, so
        # nothing in the show's path can be misread by the tee muxer's syntax.
        tee = (f"[f=mp3:id3v2_version=0:write_id3v1=0]{dest.name}"
               f"|[f=mp3:id3v2_version=0:write_xing=0]pipe:{write_fd}")
        argv = ffmpeg.base_args() + [
            "-i", str(master.resolve()), "-map", "0:a:0", "-map_metadata", "-1",
            "-map_chapters", "-1", "-af", p.filters(), "-ac", str(p.channels),
            "-c:a", "libmp3lame", "-b:a", f"{p.bitrate}k", "-f", "tee", tee]
        encoder = ffmpeg.Process(argv, where=where, progress=progress, pass_fds=(write_fd,),
                                 cwd=dest.parent)
        os.close(write_fd)
        write_fd = -1
        try:
            encoder.wait()
        except BaseException:
            for helper in helpers:
                helper.kill()
            raise
        results = [helper.wait() for helper in helpers]
    finally:
        for fd in (read_fd, write_fd):
            if fd >= 0:
                os.close(fd)
        for helper in helpers:
            if helper.proc.poll() is None:
                helper.kill()
    out = summary_of(results[0], f"{where} (verifying)", "Parsed_ebur128_0")
    return out, summary_of(results[1], where, "Parsed_ebur128_0") if measure_master else None


def predict(master: Path, p: Plan, *, where: str) -> Loudness:
    """Loudness of ``master`` through the plan's filters, before encoding."""
    argv = ffmpeg.base_args() + ["-i", str(master), "-map", "0:a:0", "-af",
                                 f"{p.filters()},{ebur128('none')}", "-ac", str(p.channels),
                                 "-f", "null", "-"]
    return summary_of(ffmpeg.run(argv, where=where), where, "Parsed_ebur128_" +
                      str(p.filters().count(",") + 1))


@dataclass(frozen=True)
class Outcome:
    plan: Plan
    output: Loudness
    attempts: int
    input_true_peak: float  # dBTP of the master, measured beside the first encode


def master_to(master: Path, tmp: Path, measurement: Measurement, settings: AudioSettings, *,
              where: str, progress: ffmpeg.ProgressCallback | None = None) -> Outcome:
    """Encode until the decoded MP3 is within tolerance and under the ceiling, or fail."""
    p = plan(measurement, settings)
    if p.limit is not None:
        # Limiting lowers the loudness by an amount that depends on the material
        # (0.1 LU for a few clicks, 1 LU and more for raw dialogue). One cheap
        # pass through gain + limiter measures it, instead of a second encode.
        limited = predict(master, p, where=where)
        loss = (measurement.loudness.integrated + p.gain) - limited.integrated
        log.debug("%s: the limiter lowers the loudness by %.1f LU; compensating", where, loss)
        p = plan(measurement, settings, correction=max(0.0, loss))
    history = []
    input_peak = measurement.loudness.true_peak
    for attempt in range(1, MAX_ATTEMPTS + 1):
        log.debug("%s: gain %+.2f dB, %s", where, p.gain,
                  f"limiter at {p.limit:.2f} dBFS (reduces peaks by {p.limiter_reduction:.1f} dB)"
                  if p.limit is not None else "no limiter")
        out, master_loudness = encode(master, tmp, p, where=where, progress=progress,
                                      measure_master=not math.isfinite(input_peak))
        if master_loudness is not None:
            input_peak = master_loudness.true_peak
        history.append((p, out))
        error = p.target - out.integrated
        loud_ok = abs(error) <= settings.tolerance
        peak_ok = out.true_peak <= p.ceiling
        if loud_ok and peak_ok:
            return Outcome(p, out, attempt, input_peak)
        log.info("%s: attempt %d gave %.1f LUFS, %.1f dBTP; correcting", where, attempt,
                 out.integrated, out.true_peak)
        margin = LIMIT_MARGIN if p.limit is None else p.ceiling - p.limit
        if not peak_ok:
            margin += out.true_peak - p.ceiling + 0.2
        correction = (p.gain - plan(measurement, settings).gain) + (0.0 if loud_ok else error)
        p = plan(measurement, settings, correction=correction, margin=margin,
                 force_limiter=p.limit is not None or not peak_ok)
    lines = "; ".join(f"gain {h.gain:+.1f} dB{' + limiter' if h.limit is not None else ''} -> "
                      f"{o.integrated:.1f} LUFS, {o.true_peak:.1f} dBTP" for h, o in history)
    raise AudioError(where, f"the MP3 missed {p.target:.1f} LUFS +/- {settings.tolerance} LU "
                     f"or {p.ceiling:.1f} dBTP after {MAX_ATTEMPTS} attempts ({lines})",
                     "The master may be heavily clipped or mostly noise; check it, or loosen "
                     "[audio] tolerance")
