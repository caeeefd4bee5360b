"""A multitrack episode before its render: each track measured, the crossgate read,
the speakers levelled to each other, the mix's loudness predicted.

1. **Measuring pass per track** (analysis.py, ``keep``): the noise floor and hum
   of each microphone, its 100 ms levels, and its momentary loudness as it is
   and as levelled. Cached by the track's content, like a master's.
2. **Crossgate** (crossgate.py): from the speech tracks' levels, where each
   carries its own speaker; the envelopes that hold it down elsewhere, and the
   music beds' ducking under anyone's speech.
3. **Levels**: each speaker's levelled loudness where they talk alone (the
   momentary values whose 400 ms lie inside those frames, gated as BS.1770
   gates) sets their gain: every speaker ends at the first speaker's level. A
   music bed is never levelled: it keeps the level it had beside the first
   speaker in the recording (it moves with that speaker's levelling).
4. **Prediction**: the mix's loudness from the tracks' momentary loudness, each
   shifted by its gain and envelope and summed as power (the voices are
   uncorrelated; bleed is held down), gated: the gain to the target is known
   before the encode, as for a master, and the MP3 is verified anyway.

``Session`` holds all of it; ``activity`` gives who talks when, for the
transcription and the automatic cutter.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from podcast.audio import crossgate
from podcast.audio.analysis import ANALYSIS_VERSION, Analysis, limiter_loss
from podcast.errors import AudioError
from podcast.model import SpeakerSpans, SpeechActivity
from podcast.show.tracks import Track

if TYPE_CHECKING:
    from podcast.show.config import Show
    from podcast.show.episodes import Episode

log = logging.getLogger(__name__)

STEREO_SPEECH = -3.0  # LU: a stereo speech track is averaged to mono (one microphone, twice)
WINDOW = 4  # 100 ms frames in a momentary (400 ms) value
SKEW_SLACK = 0.5  # seconds a track may fall short of its header's length


@dataclass(frozen=True)
class Measured:
    """One track and its measuring pass."""

    track: Track
    where: str  # the file, relative to the show's folder
    sha: str
    analysis: Analysis


def measured_tracks(show, ep, settings, cache, progress=None) -> list[Measured]:
    """The measuring pass of every track, from the cache when a track's content was
    measured before with these options; each checked as a master is (silence,
    length, truncation). Two tracks are measured at once: each pass is two
    processes, and their loads differ."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda track: _measured(show, track, settings, cache, progress),
                             ep.tracks))


def _measured(show, track: Track, settings, cache, progress) -> Measured:
    from podcast.audio.analysis import analyse
    from podcast.audio.master import check_master
    from podcast.show.probe import probe

    where = show.where(track.file)
    sha = cache.master_sha(track.file)
    name = f"track-{sha[:32]}-v{ANALYSIS_VERSION}-hp{settings.highpass}-l{int(settings.leveler)}"
    a = None
    data = cache.measured(name)
    if data:
        try:
            a = Analysis.from_dict(data)
        except TypeError:
            a = None
    if a is None or not a.frames:
        a = analyse(track.file, where=where, highpass=settings.highpass,
                    leveler=settings.leveler, progress=progress, keep=True)
    check_master(a, where)
    header = probe(track.file, where).duration
    if a.duration < header - SKEW_SLACK:
        raise AudioError(where, f"is truncated: its header says {header:.1f}s but only "
                         f"{a.duration:.1f}s of audio could be decoded",
                         "Export or copy the track again")
    cache.save_measured(name, a.as_dict())
    return Measured(track, where, sha, a)


def _power(values) -> float:
    values = [10 ** (v / 10) for v in values]
    return sum(values) / len(values) if values else 0.0


def gated(values) -> float | None:
    """BS.1770's gating over momentary values (LUFS; master.gated), to 0.01. None for
    silence."""
    from podcast.audio.master import gated as bs1770

    level = bs1770(list(values))
    return None if level is None else round(level, 2)


def alone(active: list[tuple[bool, ...]], i: int) -> list[int]:
    """Momentary indexes whose 400 ms lie where track ``i``, and no other, talks."""
    n = len(active[i])
    own = [active[i][t] and not any(a[t] for j, a in enumerate(active) if j != i)
           for t in range(n)]
    out, run = [], 0
    for t in range(n):
        run = run + 1 if own[t] else 0
        if run >= WINDOW:
            out.append(t)
    return out


def _at(values: list, indexes: list[int]) -> list:
    return [values[t] for t in indexes if t < len(values)]


@dataclass
class Session:
    """A multitrack episode worked out before its render (module doc)."""

    measured: list[Measured]  # in the episode's order
    gate: crossgate.Gate  # over the speech tracks, in their order
    gains: list[float]  # dB per track
    offsets: list[float]  # LU each track's loudness moves by in the render's downmix
    levels: list[tuple[float | None, float | None]]  # per track: (as it is, levelled) alone
    channels: int
    duration: float
    duck: float  # dB, for the music beds
    _envelopes: list[list[float]] = field(default_factory=list)

    @property
    def speech(self) -> list[int]:
        return [i for i, m in enumerate(self.measured) if m.track.speaker is not None]

    @property
    def envelopes(self) -> list[list[float]]:
        """Each track's gain envelope (linear, 100 Hz): worked out when first asked."""
        if not self._envelopes:
            speech, speaking = self.speech, self.gate.speech()
            self._envelopes = [
                crossgate.gate_envelope(self.gate.active[speech.index(i)])
                if m.track.speaker is not None else crossgate.duck_envelope(speaking, self.duck)
                for i, m in enumerate(self.measured)]
        return self._envelopes

    def envelope_db(self, i: int, t: int) -> float:
        """Track ``i``'s envelope (dB), its mean power over the momentary value ``t``."""
        env = self.envelopes[i]
        per = round(crossgate.FRAME * crossgate.RATE)
        part = env[max(0, (t - WINDOW + 1) * per):(t + 1) * per] or [env[-1]]
        p = sum(g * g for g in part) / len(part)
        return 10 * math.log10(max(p, 1e-12))


def plan(measured: list[Measured], settings) -> Session:
    """Crossgate, envelopes and the speakers' gains for ``measured`` (module doc)."""
    speech = [i for i, m in enumerate(measured) if m.track.speaker is not None]
    g = crossgate.gate([measured[i].analysis.frames for i in speech],
                       [measured[i].analysis.noise_floor for i in speech])
    active = [g.active[k] for k in range(len(speech))]
    levels: list[tuple[float | None, float | None]] = []
    offsets = []
    for i, m in enumerate(measured):
        a = m.analysis
        stereo = (a.channels or 1) > 1
        offsets.append(STEREO_SPEECH if stereo and m.track.speaker is not None else 0.0)
        if m.track.speaker is None:
            levels.append((gated(a.raw_momentary), None))
            continue
        k = speech.index(i)
        frames = alone(active, k) or alone([active[k]], 0)
        raw = gated(_at(a.raw_momentary, frames))
        lev = gated(_at(a.momentary, frames)) if settings.leveler else raw
        levels.append((raw, lev if lev is not None else a.levelled))
    first = speech[0]
    ref = (levels[first][1] or 0.0) + offsets[first]
    gains = []
    for i, m in enumerate(measured):
        if m.track.speaker is not None:
            lev = levels[i][1]
            gains.append(round(ref - (lev + offsets[i]), 2) if lev is not None else 0.0)
        else:  # the bed moves with the first speaker's levelling
            raw0, lev0 = levels[first]
            gains.append(round((lev0 - raw0) if raw0 is not None and lev0 is not None else 0.0,
                               2))
    channels = 2 if any((m.analysis.channels or 1) > 1 for m in measured) else 1
    duration = max(m.analysis.duration for m in measured)
    return Session(measured, g, gains, offsets, levels, channels, duration, settings.duck)


def activity(session: Session) -> SpeechActivity:
    """Who talks when: each speech track's spans and its excess over the bleed."""
    speech = session.speech
    return SpeechActivity(
        tracks=tuple(SpeakerSpans(session.measured[i].track.speaker,
                                  session.measured[i].track.file,
                                  crossgate.spans(session.gate.active[k]))
                     for k, i in enumerate(speech)),
        excess=session.gate.excess, frame=crossgate.FRAME)


# ---- the mix, predicted ----------------------------------------------------------------

def mix_momentary(session: Session, *, levelled: bool, gate: bool = True) -> list[float]:
    """The mix's momentary loudness every 100 ms: each track's (levelled, or as it is),
    moved by its gain, downmix and envelope (with ``gate``), summed as power. Without
    ``gate`` and ``levelled``: the plain mix of the tracks as recorded."""
    n = max(len(m.analysis.raw_momentary) for m in session.measured)
    power = [0.0] * n
    for i, m in enumerate(session.measured):
        a = m.analysis
        values = a.momentary if levelled and m.track.speaker is not None \
            else a.raw_momentary
        shift = session.offsets[i] + (session.gains[i] if gate else 0.0)
        if not gate and (a.channels or 1) > 1 and m.track.speaker is not None:
            shift -= session.offsets[i]  # a plain mix keeps the track as it is
        for t, v in enumerate(values):
            if v > -120:
                env = session.envelope_db(i, t) if gate else 0.0
                power[t] += 10 ** ((v + shift + env) / 10)
    return [round(10 * math.log10(p), 2) if p > 0 else -120.0 for p in power]


def mix_analysis(session: Session, settings) -> Analysis:
    """The mix as the gain plan (master.plan_gain) reads a master's measuring pass:
    its predicted loudness (levelled, with the leveler), peak and limiter loss."""
    from podcast.audio.analysis import pause_level

    predicted = gated(mix_momentary(session, levelled=settings.leveler))
    speech = session.speech
    shares = [10 ** ((session.levels[i][1] or -70) / 10) for i in speech]

    def loss(gain: float) -> float:
        return sum(w * limiter_loss(session.measured[i].analysis, gain + session.gains[i])
                   for w, i in zip(shares, speech)) / sum(shares)
    peaks = [(m.analysis.levelled_peak if settings.leveler else m.analysis.sample_peak)
             for m in session.measured]
    peak = max((p + session.gains[i] for i, p in enumerate(peaks) if p is not None),
               default=None)
    plain = mix_momentary(session, levelled=False, gate=False)
    quiet = [not any(col) for col in zip(*session.gate.active)]
    first = session.measured[0].analysis
    mix = Analysis(
        integrated=None if settings.leveler else predicted, threshold=None, lra=None,
        sample_peak=None if settings.leveler else peak, duration=session.duration,
        codec=first.codec, sample_rate=first.sample_rate, channels=session.channels,
        short_term=short_term(plain), noise_floor=None, speech_level=None,
        speech_energy=None, hum=None,
        levelled=predicted if settings.leveler else None,
        momentary=mix_momentary(session, levelled=settings.leveler),
        levelled_peak=peak if settings.leveler else None,
        limiter_loss=[[g, round(loss(g), 2)] for g in (2.0, 5.0)],
        quiet=[[s + 2, e] for s, e in crossgate.runs(quiet) if e - s >= 5])
    mix.pause_level = pause_level(plain, mix.quiet, 0.0, gated(plain))
    return mix


def short_term(momentary: list[float]) -> list[float | None]:
    """Once a second, the loudness of the 3 s ending there (from 100 ms momentary
    values: their mean power over the window), None for silence: the chart's curve."""
    out = []
    for s in range(1, len(momentary) // 10 + 1):
        part = [v for v in momentary[max(0, 10 * s - 27):10 * s] if v > -120]
        level = 10 * math.log10(_power(part)) if part else -120.0
        out.append(round(level, 1) if level > -70 else None)
    return out


def write_envelopes(session: Session, cache) -> list[str]:
    """Each track's envelope as a float WAV at 100 Hz in the cache (by content), one
    second longer than the episode; their paths relative to the show's folder."""
    import hashlib
    import struct
    from array import array

    from podcast.fsutil import atomic_write_bytes

    paths = []
    extra = crossgate.RATE * (1 + math.ceil(session.duration))
    for env in session.envelopes:
        samples = array("f", env + [env[-1]] * max(0, extra - len(env)))
        data = samples.tobytes()
        if samples.itemsize != 4 or struct.pack("=f", 1.0) != struct.pack("<f", 1.0):
            raise AudioError("envelope", "this machine does not store floats as 32-bit "
                             "little-endian", "Run on x86-64 or ARM64")
        header = _wav_header(len(data), crossgate.RATE)
        name = f"gate-{hashlib.sha256(header + data).hexdigest()[:32]}.wav"
        path = cache.audio_dir / name
        if not path.is_file():
            atomic_write_bytes(path, header + data)
        paths.append(Path(path).relative_to(cache.show.root).as_posix())
    return paths


def _wav_header(size: int, rate: int) -> bytes:
    """A RIFF/WAVE header of 32-bit float mono samples (format 3, IEEE float)."""
    import struct

    fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
    return (b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + size) + b"WAVE"
            + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", size))


def speech_activity(show: Show, episode: Episode) -> SpeechActivity | None:
    """Who talks when in a multitrack episode (None for one with a master): each
    track's measuring pass (from the cache when its content was measured) read by
    the crossgate. Transcription hears each track over its speaker's spans; the
    automatic cutter finds pauses where nobody talks."""
    if not episode.tracks:
        return None
    from podcast.audio.cache import Cache

    settings = episode.audio_settings(show)
    cache = Cache(show)
    session = plan(measured_tracks(show, episode, settings, cache), settings)
    cache.save_memo()
    return activity(session)
