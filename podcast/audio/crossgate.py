"""The crossgate: which microphone carries its own speaker's voice, frame by frame.

Every microphone of a session hears the other speakers too (bleed): quieter,
a few milliseconds late. Mixed as they are, each voice plays twice (a comb, a
room) and a quiet guest's track raised to the host's level raises the host's
bleed with it. So each speech track is held down wherever it carries only
bleed, and left open wherever its own speaker talks, over the others too.

From the measuring pass of each track: its level in 100 ms frames (dBFS, after
the rumble filter and hum notches, ``Analysis.frames``) and its noise floor.

- **coupling**: how far voice i arrives under its own level on track j (dB),
  ``c[i][j]``: the median of ``L_i - L_j`` over the frames where track i is
  clearly speech (``CLEAR`` dB over its floor) and louder than every other
  track (a voice is louder on its own microphone than on any other). Separate
  rooms give a large value (the other track's floor); a pair that never shows
  it gets ``NO_BLEED``.
- **active**: track j carries its own speaker around frame t when, over the
  ``WINDOW`` frames centred there, its power is ``OPEN`` dB over its floor and
  ``MARGIN`` dB over what the other voices leave on it as bleed: each other
  track's power ``c[i][j]`` dB down, plus ``LINGER`` of each frame's power
  carried into the next (bleed arrives late: milliseconds across a room, a
  network's latency through a remote guest's headphones). Over 300 ms the
  bleed follows its source within a fraction of a dB (frame by frame it
  scatters by several: a word's decay lands in the next frame), so a small
  margin tells a second voice from bleed. Two speakers talking at once each
  pass their own test: overlapping speech is kept.
- **smoothing**: single frames are dropped (alone, a frame is a transient of the
  bleed: a word's decay arrives a few milliseconds later on the other
  microphone), gaps of up to ``HOLD`` frames inside speech are filled (the gate
  stays open between words), and each run is opened ``LEAD`` frames early (a
  frame that holds the start of a word may read under the threshold).
- **envelopes**: the gain of each track at 100 Hz, at 0 dB where active and
  ``RANGE`` dB elsewhere, with raised-cosine ramps: opening ``ATTACK`` s,
  finished by the time the speech starts; closing ``RELEASE`` s, after it. A
  music bed's envelope is the same with the roles turned: ``-duck`` dB while
  anyone speaks, 0 dB elsewhere, ducking before the speech and rising after.

Pure functions over lists of floats: table tests give levels, the audio step
gives measured ones. Memory is a few floats per 100 ms of audio.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

FRAME = 0.1  # seconds per level frame
SILENT = -150.0  # dBFS: digital silence reads -200
OPEN = 10.0  # dB over the noise floor: as the speech chain's gate
CLEAR = 20.0  # dB over the noise floor: frames clear enough to measure the coupling
MARGIN = 1.5  # dB over the expected bleed that a track's own speech must show
WINDOW = 3  # frames the levels are compared over (300 ms, centred)
NO_BLEED = 40.0  # dB assumed for a pair that never shows its coupling
LINGER = 0.25  # of the frame before's power that bleed carries into a frame
MIN_FRAMES = 20  # clear frames a coupling is measured from
HOLD = 3  # frames: gaps this short inside speech keep the gate open
LEAD = 1  # frames a run opens early
RANGE = -30.0  # dB: a track holding only bleed
RATE = 100  # envelope samples a second
ATTACK, RELEASE = 0.05, 0.25  # seconds the gate takes to open, to close
DUCK_ATTACK, DUCK_RELEASE, DUCK_HOLD = 0.5, 1.0, 15  # seconds, seconds, frames


@dataclass(frozen=True)
class Gate:
    """The crossgate's reading of a session's speech tracks."""

    coupling: tuple[tuple[float | None, ...], ...]  # [i][j]: dB voice i is under on track j
    active: tuple[tuple[bool, ...], ...]  # per track and frame, smoothed
    excess: tuple[tuple[float, ...], ...]  # per track and frame: dB over the expected bleed

    @property
    def frames(self) -> int:
        return len(self.active[0]) if self.active else 0

    def speech(self) -> tuple[bool, ...]:
        """Per frame: does anyone speak?"""
        return tuple(any(col) for col in zip(*self.active)) if self.active else ()


def _floor(level: Sequence[float], floor: float | None) -> float:
    """The level a track's own speech must pass: ``OPEN`` over its noise floor, or,
    without a measured floor, 30 dB under its loudest tenth."""
    if floor is not None:
        return floor + OPEN
    sound = sorted(v for v in level if v > SILENT)
    return sound[int(len(sound) * 0.9)] - 30.0 if sound else 0.0


def padded(levels: Sequence[Sequence[float]]) -> list[list[float]]:
    """The tracks' frame levels, all as long as the longest (silence after the end)."""
    n = max((len(v) for v in levels), default=0)
    return [list(v) + [-200.0] * (n - len(v)) for v in levels]


def coupling(levels: Sequence[Sequence[float]], floors: Sequence[float | None]
             ) -> list[list[float | None]]:
    """``c[i][j]``: dB voice i arrives under its own level on track j (module doc)."""
    levels = padded(levels)
    n = len(levels)
    out: list[list[float | None]] = [[None] * n for _ in range(n)]
    for i in range(n):
        clear = (floors[i] if floors[i] is not None else _floor(levels[i], None) - OPEN) + CLEAR
        frames = [t for t in range(len(levels[i]))
                  if levels[i][t] > clear
                  and all(levels[i][t] > levels[k][t] for k in range(n) if k != i)]
        for j in range(n):
            if j == i:
                continue
            diffs = [levels[i][t] - max(levels[j][t], SILENT) for t in frames]
            out[i][j] = round(statistics.median(diffs), 1) if len(diffs) >= MIN_FRAMES \
                else NO_BLEED
    return out


def smooth(flags: Sequence[bool], *, hold: int = HOLD, lead: int = LEAD) -> list[bool]:
    """Runs of activity: single frames dropped (a frame is shorter than a syllable:
    alone, it is a bleed's transient), then gaps of up to ``hold`` frames filled,
    then each run opened ``lead`` frames early."""
    out = list(flags)
    for s, e in runs(out):
        if e - s < 2:
            out[s:e] = [False] * (e - s)
    found = runs(out)
    for (_, e0), (s1, _) in zip(found, found[1:]):
        if s1 - e0 <= hold:
            out[e0:s1] = [True] * (s1 - e0)
    for s, _ in runs(out):
        out[max(0, s - lead):s] = [True] * (s - max(0, s - lead))
    return out


def _power(level: Sequence[float], t: int) -> float:
    return 10 ** (level[t] / 10) if 0 <= t < len(level) else 0.0


def _window(values: Sequence[float], t: int) -> float:
    """The mean of ``values`` over frames t - 1 .. t + 1 (``WINDOW`` frames)."""
    part = values[max(0, t - WINDOW // 2):t + WINDOW // 2 + 1]
    return sum(part) / len(part)


def gate(levels: Sequence[Sequence[float]], floors: Sequence[float | None]) -> Gate:
    """Each speech track's own speech, frame by frame (module doc)."""
    levels = padded(levels)
    n = len(levels)
    c = coupling(levels, floors)
    thresholds = [_floor(levels[j], floors[j]) for j in range(n)]
    power = [[_power(v, t) for t in range(len(v))] for v in levels]
    # What each voice leaves on the other tracks: its power, plus the lingering end of
    # the frame before.
    late = [[p[t] + LINGER * (p[t - 1] if t else 0.0) for t in range(len(p))] for p in power]
    active, excess = [], []
    for j in range(n):
        flags, over = [], []
        for t in range(len(levels[j])):
            own = _window(power[j], t)
            expected = max((_window(late[i], t) * 10 ** (-c[i][j] / 10)
                            for i in range(n) if i != j), default=0.0)
            own_db = 10 * math.log10(own) if own > 0 else -200.0
            over.append(round(own_db - 10 * math.log10(expected), 1) if expected > 0
                        else 99.0)
            flags.append(own_db > thresholds[j] and over[-1] > MARGIN)
        active.append(tuple(smooth(flags)))
        excess.append(tuple(over))
    return Gate(tuple(tuple(row) for row in c), tuple(active), tuple(excess))


def runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """[start, end) frame runs where ``flags`` is true."""
    runs, start = [], None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i))
            start = None
    return runs


def spans(flags: Sequence[bool]) -> tuple[tuple[float, float], ...]:
    """The runs of ``flags`` in seconds."""
    return tuple((round(s * FRAME, 3), round(e * FRAME, 3)) for s, e in runs(flags))


def duck_flags(speech: Sequence[bool]) -> list[bool]:
    """Where a music bed is ducked: wherever anyone speaks, and the pauses between
    sentences (up to ``DUCK_HOLD`` frames), so the music does not pump up in them."""
    return smooth(speech, hold=DUCK_HOLD, lead=0)


def envelope(flags: Sequence[bool], active_db: float, rest_db: float, *, attack: float,
             release: float, rate: int = RATE) -> list[float]:
    """Linear gains at ``rate`` Hz: ``active_db`` where ``flags`` (per frame) holds,
    ``rest_db`` elsewhere; the way to the active level is made in ``attack`` seconds
    before it is needed, the way back in ``release`` seconds after, both raised-cosine."""
    per = round(FRAME * rate)
    u = [1.0 if f else 0.0 for f in flags for _ in range(per)]
    up, down = 1.0 / max(1, attack * rate), 1.0 / max(1, release * rate)
    for t in range(len(u) - 2, -1, -1):  # anticipate: reach the active level in time
        u[t] = max(u[t], u[t + 1] - up)
    for t in range(1, len(u)):  # then leave it slowly
        u[t] = max(u[t], u[t - 1] - down)
    span = active_db - rest_db
    return [10 ** ((rest_db + span * (0.5 - 0.5 * math.cos(math.pi * x))) / 20) for x in u]


def gate_envelope(active: Sequence[bool]) -> list[float]:
    return envelope(active, 0.0, RANGE, attack=ATTACK, release=RELEASE)


def duck_envelope(speech: Sequence[bool], duck: float) -> list[float]:
    return envelope(duck_flags(speech), -duck, 0.0, attack=DUCK_ATTACK, release=DUCK_RELEASE)
