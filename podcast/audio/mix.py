"""The render of a multitrack episode: each track's chain, the crossgate, the mix.

per speech track (its own measured floor and hum, chain.py's filters):
  downmix to mono, highpass, notches at its hum, afftdn from its floor (unless
  its room tone lies ``TRACK_QUIET_ENOUGH`` dB under its speech; or
  DeepFilterNet3 on all of them at once, one channel each), agate, dynaudnorm,
  volume=its level gain (the speakers end at one level), then multiplied by its
  crossgate envelope (0 dB on its own speech, ``crossgate.RANGE`` elsewhere)
per music track: its level (never levelled), multiplied by its ducking envelope
then: amix (a plain sum), the EDIT point, volume=GAIN, the intro and outro,
  and the limiter in the encoder's process (``Render.tail``), as for a master.

Envelopes are float32 WAV files at 100 Hz (tracks.py writes them into the
cache, by content): ffmpeg resamples each to the audio's rate and
``amultiply`` applies it, sample by sample, in constant memory.

The EDIT point: after the mix and before the gain, the whole episode passes
one place (``edit``: a filter chain, empty for none). The automatic cutter
applies the episode's edit list there, as it does after the leveler of a
single master. Everything before it runs on the tracks' own clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from podcast.audio.chain import (
    CROSSFADE,
    DFN_RATE,
    Render,
    Stage,
    Sting,
    cleanup,
    finished,
    leveler,
    light_denoise,
)
from podcast.audio.filters import OUTPUT_RATE, downmix_to, surround_downmix

MONO = "pan=mono|c0=0.5*c0+0.5*c1"  # a stereo speech track: one microphone, twice
MONO_FLOAT = "aformat=sample_fmts=fltp:channel_layouts=mono"
# dB of room tone under a track's speech beyond which denoise = "light" leaves the
# track alone (a master's chain: 45). Inside its speaker's turns the gate holds the
# gaps 12 dB down, so they end 52 dB under the speech; between turns the crossgate
# holds the whole track 30 dB down. afftdn is most of a track's chain's cost.
TRACK_QUIET_ENOUGH = 40.0
# Layouts with as many channels as there are speakers: join takes each mono track in
# order (no input channel matches the front pair, so the first ones fill it).
LAYOUTS = {2: "stereo", 3: "3.0", 4: "4.0", 5: "5.0", 6: "6.0", 7: "7.0", 8: "7.1"}


@dataclass(frozen=True)
class TrackPlan:
    """One track as the render takes it."""

    path: str  # relative to the show's folder
    envelope: str  # its gain envelope (WAV, 100 Hz), relative to the show's folder
    analysis: object  # analysis.Analysis of the track
    gain: float  # dB: its level (speakers to one level; music with the first speaker)
    speaker: str | None = None  # None: music


def _to_mono(channels: int | None) -> str:
    return surround_downmix(channels) + (MONO + "," if (channels or 1) > 1 else "")


def _gate(n: int, fmt: str, label: str) -> str:
    """The envelope (input ``n``) at the audio's rate and format."""
    return f"[{n}:a:0]aresample={OUTPUT_RATE},{fmt}[e{label}]"


def tracks_render(settings, tracks: list[TrackPlan], *, duration: float, gain: float,
                  limit: float | None, channels: int, intro: Sting | None = None,
                  outro: Sting | None = None, edit: str = "",
                  crossfade: float = CROSSFADE) -> Render:
    """The render of ``tracks`` (speech first, then music) for these settings."""
    fmt = downmix_to(channels)
    mono = downmix_to(1)
    length = f"apad=whole_len={round(duration * OUTPUT_RATE)}"
    speech = [t for t in tracks if t.speaker is not None]
    music = [t for t in tracks if t.speaker is None]
    strong = settings.denoise == "strong"
    stages: list[Stage] = []
    graph: list[str] = []
    inputs: list[str] = []
    steps: dict = {"tracks": []}
    bodies = []
    for k, t in enumerate(speech):
        pre, denoise, own = cleanup(settings, t.analysis, DFN_RATE if strong else OUTPUT_RATE,
                                    TRACK_QUIET_ENOUGH)
        body = ([] if strong else [_to_mono(t.analysis.channels) + f"aresample={OUTPUT_RATE}"]
                + pre)
        if denoise == "light":
            body += light_denoise(t.analysis.noise_floor, OUTPUT_RATE)
            own["denoise_floor"] = t.analysis.noise_floor
        bodies.append((pre, body, denoise, own))
    piped = 0
    if strong:
        # One process reads every speech track, cleans each and merges them, one channel
        # each, for DeepFilterNet3 (a model state per channel, in threads).
        first = [f"[{k}:a:0]{_to_mono(t.analysis.channels)}aresample={DFN_RATE}"
                 + "".join("," + f for f in pre) + f",{MONO_FLOAT}[p{k}]"
                 for k, (t, (pre, _, _, _)) in enumerate(zip(speech, bodies))]
        merge = ("".join(f"[p{k}]" for k in range(len(speech)))
                 + (f"join=inputs={len(speech)}:channel_layout={LAYOUTS[len(speech)]}[out]"
                    if len(speech) > 1 else "anull[out]"))
        stages.append(Stage("ffmpeg", ";".join(first + [merge]),
                            tuple(t.path for t in speech), DFN_RATE, len(speech)))
        stages.append(Stage("dfn", rate=DFN_RATE, channels=len(speech)))
        graph.append("[0:a:0]" + (f"asplit={len(speech)}"
                                  + "".join(f"[x{k}]" for k in range(len(speech)))
                                  if len(speech) > 1 else "anull[x0]"))
        piped = 1
    else:
        inputs += [t.path for t in speech]
    for k, (t, (_, body, denoise, own)) in enumerate(zip(speech, bodies)):
        source = (f"[x{k}]pan=mono|c0=c{k},aresample={OUTPUT_RATE}" if strong
                  else f"[{piped + k}:a:0]" + ",".join(body))
        chain = leveler(settings, t.analysis, denoise is not None, own)
        chain += [f"volume={t.gain:.3f}dB:precision=float", mono, length]
        graph.append(f"{source}," + ",".join(chain) + f"[v{k}]")
        steps["tracks"].append({"file": t.path, "speaker": t.speaker, "gain": t.gain,
                                "envelope": t.envelope, "steps": own})
    for j, t in enumerate(music, start=len(speech)):
        n = piped + len(inputs)
        inputs.append(t.path)
        graph.append(f"[{n}:a:0]{surround_downmix(t.analysis.channels)}aresample={OUTPUT_RATE},"
                     f"volume={t.gain:.3f}dB:precision=float,{fmt},{length}[v{j}]")
        steps["tracks"].append({"file": t.path, "speaker": None, "gain": t.gain,
                                "envelope": t.envelope, "steps": {}})
    ordered = speech + music
    for k, t in enumerate(ordered):
        n = piped + len(inputs)
        inputs.append(t.envelope)
        graph.append(_gate(n, mono if t.speaker is not None else fmt, str(k)))
        graph.append(f"[v{k}][e{k}]amultiply" + (f",{fmt}" if t.speaker is not None else "")
                     + f"[m{k}]")
    mixed = "".join(f"[m{k}]" for k in range(len(ordered))) + (
        f"amix=inputs={len(ordered)}:normalize=0:duration=longest" if len(ordered) > 1
        else "anull")
    graph.append(mixed + (f",{edit}" if edit else "")
                 + f",volume={gain:.3f}dB:precision=float,{fmt}[body]")
    if edit:
        steps["edit"] = edit
    return finished(stages, graph, inputs, piped, fmt, intro, outro, crossfade, steps,
                    channels, limit)
