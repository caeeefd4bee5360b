"""Loudness measurement with ffmpeg's ``ebur128`` filter (ITU-R BS.1770 / EBU R128).

One decoding pass gives integrated loudness, loudness range and the peak:
``peak=true`` (4x oversampled true peak, the costly part) and/or ``peak=sample``.
The per-frame log is sent to the verbose level so stderr stays a few lines
long; the summary block is parsed by its section headings, from the last
``Summary:`` of the named filter instance.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from podcast.audio import ffmpeg
from podcast.errors import AudioError


def ebur128(peak: str = "true") -> str:
    """The filter: ``peak`` is true, sample or sample+true."""
    return f"ebur128=peak={peak}:framelog=verbose"


EBUR128 = ebur128("true")


def ebur128_info(peak: str = "true") -> str:
    """The filter with its 100 ms log on stderr, for a ``SecondLog`` to read."""
    return f"ebur128=peak={peak}:framelog=info"


_FRAME = re.compile(r"\] t:\s*([\d.]+)\s+TARGET:\S+ LUFS\s+M:\s*(-?[\d.]+)\s+"
                    r"S:\s*(-?[\d.]+)")


class SecondLog:
    """Short-term loudness once a second from ``ebur128=framelog=info`` lines.

    ebur128 logs every 100 ms block as ``t: 12.9999 ... M: -16.2 S: -16.0 ...``
    (t: the block's end less one sample); the lines whose t rounds to a whole
    second are kept: S is the 3 s window ending there. Values under -70 LUFS
    (silence, and the windows not yet full at the start) are None. The
    momentary loudness (M, the 400 ms ending at each 100 ms) is kept too:
    ``momentary[k - 1]`` ends at 0.1 k s. Ten floats a second: 300 KB an hour."""

    def __init__(self):
        self.values: list[float | None] = []
        self.momentary: list[float] = []

    def feed(self, line: str) -> bool:
        m = _FRAME.search(line)
        if not m:
            return False
        self.momentary.append(float(m.group(2)))
        t = round(float(m.group(1)), 1)
        if abs(t - round(t)) < 1e-6 and round(t) == len(self.values) + 1:
            s = float(m.group(3))
            self.values.append(round(s, 1) if s > -70 else None)
        return True


def stats_frames(path: Path) -> list[float]:
    """The ``RMS_level`` values an ``astats``+``ametadata=print`` chain wrote, in order
    (digital silence as -200)."""
    values = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("lavfi.astats.Overall.RMS_level="):
                    text = line.split("=", 1)[1].strip()
                    values.append(-200.0 if "inf" in text else float(text))
    except FileNotFoundError:
        pass
    return values

_VALUE = re.compile(r"^\s*(I|Threshold|LRA|LRA low|LRA high|Peak):\s*(-?inf|nan|-?[\d.]+)",
                    re.IGNORECASE)
_STREAM = re.compile(r"Stream #\d+:\d+.*?: Audio: ([^,]+), (\d+) Hz, ([^,]+)")


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS
    threshold: float  # LUFS, the relative gate
    lra: float  # LU
    true_peak: float = math.nan  # dBTP; nan when not measured
    sample_peak: float = math.nan  # dBFS; nan when not measured

    def as_dict(self) -> dict:
        return {k: (None if math.isinf(v) or math.isnan(v) else v)
                for k, v in asdict(self).items()}


@dataclass(frozen=True)
class StreamInfo:
    codec: str
    sample_rate: int
    channels: int


@dataclass(frozen=True)
class Measurement:
    loudness: Loudness
    stream: StreamInfo | None
    duration: float  # seconds actually decoded


def parse_summary(lines: list[str], instance: str = "Parsed_ebur128_0") -> Loudness:
    """The figures from the last ebur128 ``Summary:`` block written by ``instance``."""
    start = None
    for i, line in enumerate(lines):
        if instance in line and line.rstrip().endswith("Summary:"):
            start = i
    if start is None:
        raise ValueError(f"no ebur128 summary from {instance}")
    section = ""
    values: dict[str, float] = {}
    for line in lines[start + 1:]:
        stripped = line.strip()
        if stripped.startswith("[") and "@" in stripped.split("]")[0]:
            break  # the next log line of another component ends the block
        if stripped.endswith(":") and not _VALUE.match(line):
            section = stripped[:-1].lower()
            continue
        m = _VALUE.match(line)
        if not m:
            continue
        name, value = m.group(1).lower(), float(m.group(2))
        if name == "threshold":
            name = "lra threshold" if section == "loudness range" else "threshold"
        if name == "peak" and section != "true peak":
            name = "sample peak"
        values[name] = value
    try:
        return Loudness(values["i"], values["threshold"], values["lra"],
                        values.get("peak", math.nan), values.get("sample peak", math.nan))
    except KeyError as exc:
        raise ValueError(f"ebur128 summary lacks {exc.args[0]}") from None


def summaries(lines: list[str]) -> list[Loudness]:
    """Every ebur128 instance's summary, in the order of the filters in the graph."""
    names = sorted({m.group(1) for line in lines
                    for m in [re.search(r"\[(Parsed_ebur128_(\d+)) @", line)]
                    if m and line.rstrip().endswith("Summary:")},
                   key=lambda name: int(name.rsplit("_", 1)[1]))
    return [parse_summary(lines, name + " @") for name in names]


# ffmpeg's names of channel layouts (as in "48000 Hz, 5.1(side), s16"), by count;
# an unknown name counts as "more than two".
LAYOUTS = {"mono": 1, "stereo": 2, "downmix": 2, "2.1": 3, "3.0": 3, "4.0": 4, "quad": 4,
           "3.1": 4, "4.1": 5, "5.0": 5, "5.1": 6, "6.0": 6, "hexagonal": 6, "6.1": 7,
           "7.0": 7, "7.1": 8, "octagonal": 8}


def parse_stream(lines: list[str]) -> StreamInfo | None:
    """Codec, rate and channel count of the first input audio stream ffmpeg reported."""
    for line in lines:
        m = _STREAM.search(line)
        if m:
            layout = m.group(3).strip()
            n = re.match(r"(\d+) channels", layout)
            channels = int(n.group(1)) if n else LAYOUTS.get(layout.split("(")[0], 3)
            return StreamInfo(m.group(1).split()[0], int(m.group(2)), channels)
    return None


def measure(path: Path, *, where: str | None = None, peak: str = "true",
            progress: ffmpeg.ProgressCallback | None = None, before: str = "") -> Measurement:
    """Decode ``path`` once and measure it (after the filters ``before``, if any).
    Raises ``FFmpegError`` when it can't be decoded."""
    where = where or str(path)
    argv = ffmpeg.base_args() + ["-i", str(path), "-map", "0:a:0",
                                 "-af", ",".join(f for f in (before, ebur128(peak)) if f),
                                 "-f", "null", "-"]
    result = ffmpeg.run(argv, where=where, progress=progress)
    return Measurement(summary_of(result, where, "Parsed_ebur128_"), parse_stream(result.stderr),
                       result.seconds or 0.0)


def summary_of(result: ffmpeg.Result, where: str, instance: str = "Parsed_ebur128_0"
               ) -> Loudness:
    try:
        return parse_summary(result.stderr, instance)
    except ValueError as exc:
        raise AudioError(where, f"the loudness measurement gave no result ({exc})",
                         "Run with -v to see the ffmpeg output") from None
