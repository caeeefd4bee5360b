"""The audio report: what was done to one master and what came out, as a typed value.

An ``AudioReport`` is written when a master is encoded (``.cache/audio/<hash>.json``)
and read by the run, ``podcast report``, the producer pages and the tests. #16
stores it in the bucket as part of a build record and reads it back on another
machine, so its JSON form is a contract:

- ``format`` says the layout (``REPORT_FORMAT``); ``pipeline`` the processing
  that made the MP3 (cache.PIPELINE_VERSION). A reader refuses a newer format
  and reads every older one (format 0: the dicts written before this module,
  which had ``version`` for the pipeline and the chain's steps under ``speech``).
- Keys are sorted and floats are written as Python writes them: the same report
  is the same bytes.
- Paths are relative to the show's folder, with ``/`` (``master``, the render's
  inputs, the intro and outro): nothing names the machine it was made on.
- Unknown keys are ignored, so a newer writer of the same format may add one.

``to_json``/``from_json`` are the only (de)serialisation; every reader uses
attributes.
"""

from __future__ import annotations

import json
import math
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Any

from podcast.audio.chain import Render
from podcast.model import Cut, Timeline

REPORT_FORMAT = 1


class ReportFormatError(ValueError):
    """A report's JSON that this version cannot read (missing keys, newer format)."""


@dataclass(frozen=True)
class InputFigures:
    """The master as measured (loudness figures are None where not measured)."""

    duration: float  # seconds decoded
    integrated: float | None = None  # LUFS
    threshold: float | None = None  # LUFS, the relative gate
    lra: float | None = None  # LU
    true_peak: float | None = None  # dBTP
    sample_peak: float | None = None  # dBFS
    codec: str | None = None
    sample_rate: int | None = None
    channels: int | None = None


@dataclass(frozen=True)
class OutputFigures:
    """The MP3, decoded as a listener's app decodes it, and its file."""

    integrated: float  # LUFS
    true_peak: float  # dBTP (4x oversampled)
    target: float  # LUFS this episode was mastered to (-3 LU for mono)
    ceiling: float  # dBTP
    duration: float  # seconds of audio, encoder delay and padding excluded
    size: int  # bytes of the untagged MP3
    sha256: str
    bitrate: int  # bits per second, CBR
    sample_rate: int
    channels: int
    lra: float | None = None
    threshold: float | None = None
    sample_peak: float | None = None
    passthrough: bool = False  # the master's own frames, published as they were
    # Samples a decoder drops at the start (the encoder delay in the LAME tag plus
    # the decoder's own 529): ID3 chapter times count them (tags.py). None: not
    # recorded (a report written before it was), read from the MP3 when needed.
    decoder_delay: int | None = None


@dataclass(frozen=True)
class LimiterAction:
    engaged: bool
    ceiling: float | None = None  # dBFS sample-peak ceiling of the limiter
    reduction: float = 0.0  # dB: how far it pulled the highest peak down (predicted)


@dataclass(frozen=True)
class StingStep:
    """An intro or outro as it was mixed in."""

    file: str  # relative to the show's folder
    gain: float  # dB to the target loudness
    crossfade: float  # seconds


@dataclass(frozen=True)
class GateStep:
    threshold: float  # dBFS
    range: float  # dB


@dataclass(frozen=True)
class ChainSteps:
    """What the speech chain ran (None: that step did not run)."""

    highpass: int | None = None  # Hz
    dehum: int | None = None  # Hz: notches at f0..5 f0
    denoise: str | None = None  # light | strong
    denoise_skipped: str | None = None  # why "light" left the noise alone
    denoise_floor: float | None = None  # dBFS: afftdn's floor came from this
    gate: GateStep | None = None
    leveler: str | None = None  # the filter
    intro: StingStep | None = None
    outro: StingStep | None = None


@dataclass(frozen=True)
class RoomTone:
    """The pauses' loudness under the speech (LU), in the master and in the MP3."""

    before: float
    after: float
    reduction: float


@dataclass(frozen=True)
class LevelerAction:
    """How far the speech's short-term loudness moved from a plain gain (dB,
    5th and 95th percentile over the seconds of speech)."""

    low: float
    high: float


@dataclass(frozen=True)
class SpeechFigures:
    """What the measuring pass found and what the chain did (figures.py)."""

    steps: ChainSteps = field(default_factory=ChainSteps)
    noise_floor: float | None = None  # dBFS of the mono downmix in the pauses
    speech_level: float | None = None  # dBFS
    hum: int | None = None  # 50 or 60 when found
    hum_excess: dict[str, float] = field(default_factory=dict)  # "50"/"60": dB in pauses
    hum_level: float | None = None  # dB of the hum under the speech, in the pauses
    room_tone: RoomTone | None = None
    leveler_action: LevelerAction | None = None


@dataclass(frozen=True)
class TrackFigures:
    """One track of a multitrack episode: what its chain found and did, and where its
    speaker ends up (figures.track_figures)."""

    file: str  # relative to the show's folder
    sha256: str
    speaker: str | None  # None: a music bed
    duration: float  # seconds decoded
    steps: ChainSteps = field(default_factory=ChainSteps)  # the track's own chain
    noise_floor: float | None = None  # dBFS in its pauses
    hum: int | None = None
    hum_level: float | None = None  # dB under the speech
    gain: float = 0.0  # dB: to the first speaker's level (music: with that speaker)
    speech: float = 0.0  # seconds of its own speech (music: seconds ducked)
    spans: tuple[tuple[float, float], ...] = ()  # where its speaker talks (master seconds)
    bleed: float | None = None  # dB the other voices arrive under themselves on it
    held_down: float | None = None  # dB the crossgate (music: the ducking) takes off
    level_before: float | None = None  # LUFS where its speaker talks alone, as recorded
    level_after: float | None = None  # LUFS at those moments in the MP3


@dataclass(frozen=True)
class Curves:
    """Short-term loudness (3 s, LUFS) once a second; None where silent. The
    master's second 1 plays at ``AudioReport.offset`` + 1 in the MP3."""

    master: tuple[float | None, ...] = ()
    mp3: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class AudioReport:
    """What was done to one master and what came out."""

    audiohash: str
    master: str  # relative to the show's folder
    master_sha256: str
    input: InputFigures
    gain: float  # dB
    limiter: LimiterAction
    output: OutputFigures
    settings: dict[str, Any]  # the effective [audio] settings (cache.settings_dict)
    pipeline: str  # cache.PIPELINE_VERSION that made the MP3
    attempts: int = 1  # encodes; 0: published as it is
    # The processes and graphs that made the MP3: the alternates go through the
    # same. None for a master published as it is.
    render: Render | None = None
    offset: float = 0.0  # seconds at which the master's time 0 plays (intro less crossfade)
    # The edit list's cuts taken out of the master (master seconds, normalised): with
    # the offset, where every time written against the master plays (model.Timeline).
    cuts: tuple[Cut, ...] = ()
    speech: SpeechFigures = field(default_factory=SpeechFigures)
    short_term: Curves = field(default_factory=Curves)
    # A multitrack episode's tracks, in the order listed (empty for a master); its
    # ``input`` figures are the plain mix of the tracks as recorded.
    tracks: tuple[TrackFigures, ...] = ()

    @property
    def duration(self) -> float:
        return self.output.duration

    @property
    def timeline(self) -> Timeline:
        """Where a time of the master plays in this MP3."""
        return Timeline(self.offset, self.cuts)

    def to_json(self) -> str:
        data = {"format": REPORT_FORMAT, **_plain(self)}
        return json.dumps(data, indent=1, sort_keys=True, allow_nan=False) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> "AudioReport":
        """Raises ``ReportFormatError`` for JSON this version cannot read."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ReportFormatError(f"not JSON ({exc})") from None
        if not isinstance(data, dict):
            raise ReportFormatError("not a JSON object")
        return from_dict(data)


def from_dict(data: dict) -> AudioReport:
    """The report from its JSON object, of this format or an older one."""
    fmt = data.get("format", 0)
    if not isinstance(fmt, int) or fmt > REPORT_FORMAT:
        raise ReportFormatError(f"format {fmt!r} is newer than this version reads "
                                f"({REPORT_FORMAT})")
    if fmt == 0:
        data = _from_format_0(data)
    return _build(AudioReport, data, "report")


def _from_format_0(data: dict) -> dict:
    data = dict(data)
    data["pipeline"] = data.pop("version", None)
    speech = dict(data.get("speech") or {})
    speech.setdefault("steps", (data.get("render") or {}).get("steps") or {})
    data["speech"] = speech
    data["render"] = data.get("render") or None
    return data


def _plain(value):
    """A dataclass as JSON values: tuples as lists, nested values too, a float
    that is not finite (an unmeasured figure) as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


_PLANS: dict[type, tuple] = {}


def _build(cls: type, data, where: str):
    """An instance of the frozen dataclass ``cls`` from JSON ``data``, by its
    type hints: nested dataclasses (optional or not) and tuples are rebuilt,
    other values taken as they are."""
    if not isinstance(data, dict):
        raise ReportFormatError(f"{where}: not an object")
    if cls is Render:  # the chain's own value, with its own reader
        try:
            return Render.from_dict(data)
        except (KeyError, TypeError) as exc:
            raise ReportFormatError(f"{where}: {exc}") from None
    values = {}
    for name, required, inner, is_tuple in _plan(cls):
        if name not in data:
            if required:
                raise ReportFormatError(f"{where}.{name}: missing")
            continue
        value = data[name]
        if value is not None and inner is not None and is_tuple:
            if not isinstance(value, list):
                raise ReportFormatError(f"{where}.{name}: not a list")
            value = tuple(_build(inner, v, f"{where}.{name}[{i}]") for i, v in enumerate(value))
        elif value is not None and inner is not None:
            value = _build(inner, value, f"{where}.{name}")
        elif value is not None and is_tuple:
            value = _tuples(value)
        values[name] = value
    return cls(**values)


def _tuples(value):
    """JSON lists as tuples, all the way down (spans are pairs)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _plan(cls: type) -> tuple:
    """Per field of ``cls``, worked out once from its type hints: (name, required,
    the dataclass to rebuild it (or each of its items) as, or None; whether it is
    a tuple)."""
    plan = _PLANS.get(cls)
    if plan is None:
        hints = typing.get_type_hints(cls)
        rows = []
        for f in fields(cls):
            hint = hints[f.name]
            if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
                inner = [a for a in typing.get_args(hint) if a is not type(None)]
                hint = inner[0] if len(inner) == 1 else hint
            is_tuple = typing.get_origin(hint) is tuple
            if is_tuple and typing.get_args(hint)[:1] and is_dataclass(typing.get_args(hint)[0]):
                hint = typing.get_args(hint)[0]  # a tuple of records: each item rebuilt
            nested = hint if isinstance(hint, type) and (is_dataclass(hint) or hint is Render) \
                else None
            rows.append((f.name, f.default is MISSING and f.default_factory is MISSING, nested,
                         is_tuple))
        plan = _PLANS[cls] = tuple(rows)
    return plan
