"""The speech chain: the filter graphs a master goes through, from the measured numbers.

body (the master; only it is levelled as speech):
  highpass=f=HP                                 rumble ([audio] highpass, 0: none)
  bandreject at f0..5 f0, Q 20                  only when hum was found (dehum = "auto")
                                                or is named (50/60)
  afftdn=nr=12:nf=FLOOR+11, trimmed by its      denoise = "light": the noise floor comes
  fixed delay and padded back to length         from the measuring pass; nothing is done
                                                when no room tone was found
  (DeepFilterNet3, another process)             denoise = "strong" (dfn.py)
  agate=threshold=FLOOR+10 dB, range -12 dB     holds pauses and room tone down so the
  (-18 dB with denoise off), ratio 4            leveler does not raise them
  dynaudnorm=f=200:g=15:p=0.9:m=10:r=0.16       the leveler (filters.LEVELER): 200 ms
                                                frames, gaussian over 3 s, never its t
                                                option (it pumps)
  cuts.edit_filters(cuts)                       the edit list's cuts, crossfaded (only
                                                with the automatic cutter)
  volume=GAIN dB                                to the target, from the predicted
                                                levelled loudness
intro/outro: resampled, loudness-matched to the target, then crossfaded: the intro
  fades out (quarter sine) over the body's first seconds, the body is never faded,
  and the outro fades in over the body's last seconds. They are not levelled.
then: alimiter (no auto-level, latency compensated) at LIMIT dBFS: the render's
  ``tail``, run by the process that reads the render (the encoder).

The master's time 0 plays at ``offset`` = intro length - crossfade in the
published file. The graphs are split into ``Stage``s, one process each, joined
by pipes of 32-bit float PCM: the first reads the files, the last writes
44.1 kHz for the encoder (or the alternates' encoders).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from podcast.audio.cuts import edit_filters
from podcast.model import Cut
from podcast.audio.filters import (
    LEVELER,
    OUTPUT_RATE,
    downmix_to,
    hum_freqs,
    limiter,
    lin,
    notches,
    surround_downmix,
)

DFN_RATE = 48000  # DeepFilterNet3 works at 48 kHz only
CROSSFADE = 2.0  # seconds
LIGHT_NR = 12  # dB of reduction afftdn may apply
LIGHT_FLOOR_OFFSET = 11.0  # dB over the measured floor where afftdn's noise model sits
GATE_OFFSET = 10.0  # dB over the floor: the gate's threshold
GATE_RANGE = {True: -12.0, False: -18.0}  # with / without a denoiser before it
FLOOR_LIMITS = (-80.0, -20.0)
# dB between speech and room tone beyond which "light" leaves the noise alone: at
# -16 LUFS such room tone plays under -60 dBFS, and the gate holds the pauses.
QUIET_ENOUGH = 45.0


def afftdn_delay(rate: int) -> int:
    """afftdn delays its output by half its 50 ms window (measured: 1200 samples at
    48 kHz, 1103 at 44.1 kHz) and drops as much at the end."""
    return (round(0.05 * rate) + 1) // 2


@dataclass(frozen=True)
class Sting:
    """An intro or outro as the chain uses it."""

    path: str  # relative to the show's folder
    gain: float  # dB to the target loudness
    duration: float  # seconds


@dataclass(frozen=True)
class Stage:
    """One process of the render: an ffmpeg graph, or the DeepFilterNet filter.

    ``inputs`` are files (relative to the show's folder) for the first stage;
    a later stage reads the previous one's float PCM on stdin as input 0, and
    ``inputs`` come after it. Every stage writes float PCM at ``rate``.
    """

    kind: str  # ffmpeg | dfn
    graph: str = ""
    inputs: tuple[str, ...] = ()
    rate: int = OUTPUT_RATE
    channels: int = 2


@dataclass(frozen=True)
class Render:
    """The whole render: stages and what they do, for the report and the alternates."""

    stages: tuple[Stage, ...]
    steps: dict = field(default_factory=dict)  # highpass, hum, denoise, gate, leveler...
    offset: float = 0.0  # seconds at which the master's time 0 plays
    channels: int = 2
    tail: str = ""  # filters the consumer of the PCM applies first (the limiter)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Render":
        stages = tuple(Stage(**{**s, "inputs": tuple(s.get("inputs", ()))})
                       for s in data["stages"])
        return cls(stages=stages, steps=data.get("steps", {}), offset=data.get("offset", 0.0),
                   channels=data.get("channels", 2), tail=data.get("tail", ""))


def cleanup(settings, analysis, rate: int, quiet_enough: float = QUIET_ENOUGH
            ) -> tuple[list[str], str | None, dict]:
    """(filters before the denoiser, the denoiser: light|strong|None, steps).
    ``quiet_enough``: dB of room tone under the speech beyond which "light" is skipped."""
    steps: dict = {}
    pre = []
    if settings.highpass:
        pre.append(f"highpass=f={settings.highpass}")
        steps["highpass"] = settings.highpass
    f0 = analysis.hum if settings.dehum == "auto" else None if settings.dehum == "off" \
        else int(settings.dehum)
    if f0:
        pre += notches(hum_freqs(f0, rate), rate)
        steps["dehum"] = f0
    denoise = settings.denoise if settings.denoise != "off" else None
    if denoise == "light" and analysis.noise_floor is None:
        denoise = None  # no room tone measured: nothing to take off
        steps["denoise_skipped"] = "no room tone found"
    elif denoise == "light" and analysis.speech_level - analysis.noise_floor >= quiet_enough:
        denoise = None
        steps["denoise_skipped"] = (f"room tone {analysis.speech_level - analysis.noise_floor:.0f}"
                                    " dB under the speech: nothing audible to take off")
    if denoise:
        steps["denoise"] = denoise
    return pre, denoise, steps


def light_denoise(floor: float, rate: int) -> list[str]:
    nf = min(max(round(floor + LIGHT_FLOOR_OFFSET, 1), FLOOR_LIMITS[0]), FLOOR_LIMITS[1])
    delay = afftdn_delay(rate)
    return [f"afftdn=nr={LIGHT_NR}:nf={nf:g}", f"atrim=start_sample={delay}",
            "asetpts=PTS-STARTPTS", f"apad=pad_len={delay}"]


def leveler(settings, analysis, denoised: bool, steps: dict) -> list[str]:
    if not settings.leveler:
        return []
    out = []
    if analysis.noise_floor is not None:
        threshold = analysis.noise_floor + GATE_OFFSET
        out.append(f"agate=threshold={lin(threshold):.6f}:range={lin(GATE_RANGE[denoised]):.4f}"
                   ":ratio=4:attack=10:release=250:detection=rms")
        steps["gate"] = {"threshold": round(threshold, 1), "range": GATE_RANGE[denoised]}
    out.append(LEVELER)
    steps["leveler"] = LEVELER
    return out


def speech_render(settings, analysis, master: str, *, gain: float, limit: float | None,
                  channels: int, intro: Sting | None = None, outro: Sting | None = None,
                  crossfade: float = CROSSFADE, cuts: Sequence[Cut] = ()) -> Render:
    """The render of ``master`` (a path relative to the show) for these settings;
    ``cuts`` (the edit list, normalised) are taken out after the leveler."""
    fmt = downmix_to(channels)
    strong = settings.denoise == "strong"
    first_rate = DFN_RATE if strong else OUTPUT_RATE
    pre, denoise, steps = cleanup(settings, analysis, first_rate)
    body = [surround_downmix(analysis.channels) + f"aresample={first_rate}"] + pre
    stages: list[Stage] = []
    if denoise == "strong":
        stages.append(Stage("ffmpeg", f"[0:a:0]{','.join(body)}[out]", (master,), DFN_RATE,
                            channels))
        stages.append(Stage("dfn", rate=DFN_RATE, channels=channels))
        body = [f"aresample={OUTPUT_RATE}"]
    elif denoise == "light":
        body += light_denoise(analysis.noise_floor, OUTPUT_RATE)
        steps["denoise_floor"] = analysis.noise_floor
    body += leveler(settings, analysis, denoise is not None, steps)
    edit = edit_filters(cuts, OUTPUT_RATE, duration=analysis.duration)
    body += [edit] if edit else []
    body += [f"volume={gain:.3f}dB:precision=float", fmt]
    # The last stage's inputs: the master, or (after the denoiser) the pipe as input 0.
    inputs: list[str] = [] if stages else [master]
    piped = 1 if stages else 0
    graph = [f"[0:a:0]{','.join(body)}[body]"]
    return finished(stages, graph, inputs, piped, fmt, intro, outro, crossfade, steps,
                    channels, limit)


def finished(stages: list[Stage], graph: list[str], inputs: list[str], piped: int, fmt: str,
             intro: Sting | None, outro: Sting | None, crossfade: float, steps: dict,
             channels: int, limit: float | None) -> Render:
    """The render whose last stage is ``graph`` up to its ``[body]``: the stings around
    it, its output, and the limiter for the consumer of its PCM."""
    current, offset = add_stings(graph, inputs, piped, "body", fmt, intro, outro, crossfade,
                                 steps)
    graph.append(f"[{current}]anull[out]")
    stages.append(Stage("ffmpeg", ";".join(graph), tuple(inputs), OUTPUT_RATE, channels))
    # The limiter runs in the consumer (the encoder's process): it balances the
    # work between the two cores (the other one renders and verifies).
    tail = limiter(limit) if limit is not None else ""
    return Render(tuple(stages), steps, round(offset, 6), channels, tail)


def add_stings(graph: list[str], inputs: list[str], piped: int, current: str, fmt: str,
               intro: Sting | None, outro: Sting | None, crossfade: float,
               steps: dict) -> tuple[str, float]:
    """Put the intro before and the outro after the stream ``current`` of ``graph``:
    each loudness-matched and crossfaded (the body is never faded). Their files are
    added to ``inputs`` (``piped``: 1 when the stage reads a pipe as input 0).
    Returns the stream that holds it all and the offset of the body's time 0."""
    offset = 0.0
    for kind, sting in (("intro", intro), ("outro", outro)):
        if sting is None:
            continue
        n = piped + len(inputs)
        inputs.append(sting.path)
        d = min(crossfade, sting.duration / 2)
        graph.append(f"[{n}:a:0]{fmt},volume={sting.gain:.3f}dB:precision=float[{kind}]")
        if kind == "intro":
            graph.append(f"[intro][{current}]acrossfade=d={d:g}:c1=qsin:c2=nofade[ib]")
            current, offset = "ib", sting.duration - d
        else:
            graph.append(f"[{current}][outro]acrossfade=d={d:g}:c1=nofade:c2=qsin[mix]")
            current = "mix"
        steps[kind] = {"file": sting.path, "gain": round(sting.gain, 2), "crossfade": d}
    return current, offset
