"""The crossgate's reading of frame levels: table tests over made-up sessions.

Two microphones, 100 ms frames (dBFS): each speaker's voice on their own track
and, ``bleed`` dB down, on the other's; a room tone floor on both.
"""

from __future__ import annotations

import math

import pytest

from podcast.audio import crossgate as cg
from podcast.model import SpeakerSpans, SpeechActivity

FLOOR = -64.0


def _sum(*levels: float) -> float:
    return 10 * math.log10(sum(10 ** (v / 10) for v in levels))


def session(script: str, *, a: float = -22.0, b: float = -34.0, bleed: float = 14.0,
            wobble: float = 2.0) -> tuple[list[float], list[float]]:
    """Frame levels of two tracks from a script of frames: ``A`` host talks, ``B``
    guest talks, ``X`` both, ``.`` nobody. Speech wobbles frame by frame (syllables)."""
    host, guest = [], []
    for t, c in enumerate(script):
        w = wobble * math.sin(t * 1.7)
        va = a + w if c in "AX" else -200.0
        vb = b - w if c in "BX" else -200.0
        host.append(_sum(FLOOR, va, vb - bleed))
        guest.append(_sum(FLOOR, vb, va - bleed))
    return host, guest


def spans_of(flags) -> list[tuple[int, int]]:
    return cg.runs(flags)


def test_the_coupling_is_how_far_each_voice_arrives_under_itself():
    host, guest = session("." * 10 + "A" * 60 + "." * 10 + "B" * 60 + "." * 10)
    c = cg.coupling([host, guest], [FLOOR, FLOOR])
    assert c[0][1] == pytest.approx(14.0, abs=0.3)
    assert c[1][0] == pytest.approx(14.0, abs=0.3)


def test_each_track_opens_on_its_own_speaker_only():
    script = "." * 10 + "A" * 50 + "." * 10 + "B" * 50 + "." * 10
    host, guest = session(script)
    g = cg.gate([host, guest], [FLOOR, FLOOR])
    # Levels are compared over 300 ms (centred): a frame either side of the speech
    # reads as its start or end; and each run opens a frame earlier still (LEAD).
    assert spans_of(g.active[0]) == [(8, 61)]
    assert spans_of(g.active[1]) == [(68, 121)]
    # The guest's track carries the host's bleed only 2 dB under the guest's own voice,
    # yet stays shut while only the host talks.
    assert not any(g.active[1][10:60])


def test_overlapping_speech_keeps_both_tracks_open():
    script = "." * 10 + "A" * 40 + "X" * 15 + "A" * 20 + "." * 10 + "B" * 40 + "." * 10
    host, guest = session(script)
    g = cg.gate([host, guest], [FLOOR, FLOOR])
    assert all(g.active[0][10:75])
    assert sum(g.active[1][50:65]) >= 13  # the guest's interjection over the host
    assert not any(g.active[1][12:48]) and not any(g.active[1][67:75])


def test_separate_rooms_leave_no_bleed_to_gate():
    host, guest = session("." * 10 + "A" * 40 + "." * 10 + "B" * 40 + "." * 10, bleed=80)
    c = cg.coupling([host, guest], [FLOOR, FLOOR])
    # Each voice against the other track's floor: far more than any bleed.
    assert c[0][1] == pytest.approx(-22 - FLOOR, abs=1) and c[1][0] == pytest.approx(
        -34 - FLOOR, abs=1)
    g = cg.gate([host, guest], [FLOOR, FLOOR])
    assert spans_of(g.active[0]) == [(8, 51)] and spans_of(g.active[1]) == [(58, 101)]


def test_one_track_opens_wherever_its_speaker_talks():
    host, _ = session("." * 10 + "A" * 30 + "." * 20 + "A" * 30)
    g = cg.gate([host], [FLOOR])
    assert spans_of(g.active[0]) == [(8, 41), (58, 90)]


@pytest.mark.parametrize("flags, expected", [
    ("..X.....", "........"),  # one frame alone: a transient, dropped
    ("..XX....", ".XXX...."),  # two frames: speech, opened a frame early
    ("..XX..XX....", ".XXXXXXX...."),  # a gap of two frames inside speech: held open
    ("..XX....XX..", ".XXX...XXX.."),  # four frames: a pause, closed
])
def test_smoothing(flags, expected):
    out = cg.smooth([c == "X" for c in flags])
    assert "".join("X" if f else "." for f in out) == expected


def test_envelopes_open_before_the_speech_and_close_after_it():
    flags = [False] * 10 + [True] * 10 + [False] * 10
    env = cg.envelope(flags, 0.0, -30.0, attack=0.05, release=0.25)
    per = round(cg.FRAME * cg.RATE)
    assert len(env) == 30 * per
    assert all(g == pytest.approx(1.0) for g in env[10 * per:20 * per])  # open on time
    assert env[10 * per - 6] == pytest.approx(10 ** (-30 / 20))  # the ramp starts 50 ms early
    assert 0.1 < env[20 * per + 10] < 0.9  # closing over 250 ms after it
    assert env[20 * per + 26] == pytest.approx(10 ** (-30 / 20))
    # A music bed ducks the other way: down before the speech, up after.
    duck = cg.duck_envelope(flags, 12.0)
    assert duck[0] == pytest.approx(1.0)
    assert duck[10 * per] == pytest.approx(10 ** (-12 / 20))
    assert duck[-1] == pytest.approx(1.0)


def test_activity_merges_speakers_and_names_the_dominant_one():
    activity = SpeechActivity(
        tracks=(SpeakerSpans("Host", None, ((0.0, 2.0), (5.0, 6.0))),
                SpeakerSpans("Guest", None, ((1.5, 3.0),))),
        excess=((20.0,) * 20 + (-5.0,) * 40, (-5.0,) * 20 + (20.0,) * 40))
    assert activity.union() == ((0.0, 3.0), (5.0, 6.0))
    assert activity.dominant(0.5, 1.0) == 0 and activity.dominant(2.5, 3.0) == 1
