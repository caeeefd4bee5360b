"""Where someone speaks: a 10 ms energy envelope of a master, and its speech spans.

The automatic cutter needs to know, to the hundredth of a second, where speech
starts and stops: a pause is a gap between speech spans, and a filler's cut
ends in the quiet around it. The measuring pass's 100 ms frames are too coarse
for that, so one more ffmpeg pass, only for episodes that cut, makes the
envelope: the master downmixed to mono at 8 kHz through the chain's high-pass,
squared (``aeval``), and resampled to 100 Hz (the resampler's short low-pass
averages the power over about 10 ms; its spans agree with a plain 10 ms RMS
within 10 ms). ffmpeg writes those 100 values a second as float32 (1.4 MB an
hour); memory is flat in length and no numpy is needed. On an hour of audio it
took 4.2 s against 2.7 s for decoding alone. No hum notches: narrow notches
ring for a tenth of a second after each word (the voice is strong at 100-150
Hz) and bridged the gaps between words.

Speech is where the envelope stands ``SPEECH_OVER_FLOOR`` dB over the room
tone: its own level in the pauses the measuring pass found (hum and all), or,
with none found, ``SPEECH_UNDER_LEVEL`` dB under the speech level. Runs of it
closer than ``JOIN`` are one span (the gaps inside a word and between the
words of a phrase), and runs shorter than ``CLICK`` are not speech.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from podcast.audio import ffmpeg
from podcast.audio.filters import surround_downmix

RATE = 100  # envelope values per second
SOURCE_RATE = 8000
SPEECH_OVER_FLOOR = 10.0  # dB over the measured noise floor that counts as speech
SPEECH_UNDER_LEVEL = 35.0  # dB under the speech level, when no floor was measured
JOIN = 0.08  # seconds: quiet shorter than this does not split speech
CLICK = 0.04  # seconds: sound shorter than this is not speech
SILENCE = -150.0  # dB given to digital silence

Span = tuple[float, float]  # seconds, [start, end)


@dataclass(frozen=True)
class Envelope:
    """Power (dB re full scale, mono) every ``1 / RATE`` s: value k is centred on k / RATE."""

    values: array  # float32 dB

    @property
    def duration(self) -> float:
        return len(self.values) / RATE

    def level(self, percent: float) -> float | None:
        """A percentile of the non-silent values (dB), or None when all is silence."""
        sound = sorted(v for v in self.values if v > SILENCE + 1)
        if not sound:
            return None
        return sound[min(len(sound) - 1, int(len(sound) * percent / 100))]

    def threshold(self, room_tone: Sequence[Span] = ()) -> float | None:
        """The level over which the envelope counts as speech: ``SPEECH_OVER_FLOOR``
        over its energy mean in ``room_tone`` (the measuring pass's pauses), or with
        none, ``SPEECH_UNDER_LEVEL`` under the speech level; None for silence."""
        quiet = [self.values[k] for a, b in room_tone
                 for k in range(round(a * RATE), min(round(b * RATE), len(self.values)))]
        quiet = [v for v in quiet if v > SILENCE + 1]
        if quiet:
            floor = 10 * math.log10(sum(10 ** (v / 10) for v in quiet) / len(quiet))
            return floor + SPEECH_OVER_FLOOR
        speech = self.level(90)
        return None if speech is None else speech - SPEECH_UNDER_LEVEL

    def spans(self, threshold: float) -> list[Span]:
        """The speech spans: runs over ``threshold``, joined across short quiet, clicks
        left out."""
        runs: list[list[int]] = []
        start = None
        for k, v in enumerate(self.values):
            if v > threshold and start is None:
                start = k
            elif v <= threshold and start is not None:
                runs.append([start, k])
                start = None
        if start is not None:
            runs.append([start, len(self.values)])
        joined: list[list[int]] = []
        for run in runs:
            if joined and run[0] - joined[-1][1] < JOIN * RATE:
                joined[-1][1] = run[1]
            else:
                joined.append(run)
        return [(a / RATE, b / RATE) for a, b in joined if b - a >= CLICK * RATE]

    def quietest(self, lo: float, hi: float) -> float:
        """The time in ``[lo, hi]`` where the envelope (over 30 ms) is lowest."""
        a, b = max(0, round(lo * RATE)), min(len(self.values) - 1, round(hi * RATE))
        if b <= a:
            return lo
        best = min(range(a, b + 1), key=lambda k: sum(
            10 ** (self.values[j] / 10) for j in range(max(0, k - 1),
                                                       min(len(self.values), k + 2))))
        return best / RATE

    @classmethod
    def loudest(cls, envelopes: Sequence["Envelope"]) -> "Envelope":
        """The loudest value of ``envelopes`` at each 10 ms (as long as the longest)."""
        n = max((len(e.values) for e in envelopes), default=0)
        return cls(array("f", (max((e.values[k] for e in envelopes if k < len(e.values)),
                                   default=SILENCE) for k in range(n))))

    def to_bytes(self) -> bytes:
        return self.values.tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Envelope":
        values = array("f")
        values.frombytes(data[:len(data) - len(data) % 4])
        return cls(values)


def envelope_graph(channels: int | None, highpass: int) -> str:
    """From the master's first audio stream to the power at ``RATE`` Hz."""
    mono = "pan=mono|c0=0.5*c0+0.5*c1," if (channels or 2) >= 2 else ""
    cleanup = f"highpass=f={highpass}," if highpass else ""
    return (f"[0:a:0]{surround_downmix(channels)}{mono}aresample={SOURCE_RATE}:filter_size=8,"
            f"{cleanup}aeval=val(0)*val(0),aresample={RATE}:filter_size=2[out]")


def measure_envelope(master: Path, *, where: str, channels: int | None, highpass: int = 80,
                     progress: ffmpeg.ProgressCallback | None = None) -> Envelope:
    """The master's envelope (one ffmpeg pass; module doc)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="podcast-activity-") as tmp:
        out = Path(tmp) / "power.f32"
        ffmpeg.run(ffmpeg.base_args() + [
            "-i", str(Path(master).resolve()), "-filter_complex",
            envelope_graph(channels, highpass), "-map", "[out]", "-f", "f32le", "-ac", "1",
            str(out)], where=where, progress=progress)
        power = array("f")
        power.frombytes(out.read_bytes())
    values = array("f", (10 * math.log10(p) if p > 1e-15 else SILENCE for p in power))
    return Envelope(values)


def merged_spans(spans: Sequence[Sequence[Span]]) -> list[Span]:
    """The union of several lists of spans, in order; spans that touch or overlap
    are one."""
    out: list[list[float]] = []
    for a, b in sorted(sp for some in spans for sp in some):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def gaps(speech: Sequence[Span]) -> list[Span]:
    """The silences between speech spans (sorted, possibly overlapping: the union of
    several speakers' spans is taken first)."""
    merged: list[list[float]] = []
    for a, b in sorted(speech):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(merged[i][1], merged[i + 1][0]) for i in range(len(merged) - 1)]
