"""The edit list in the render (audio/cuts.py): real ffmpeg against a numpy reference.

Each case renders 20 s of stereo noise through ``edit_filters`` and compares it
sample by sample with the same cuts made in numpy: every kept sample in place,
an equal-power crossfade centred on each cut, and exactly ``end - start``
seconds gone per cut (what ``model.Timeline`` assumes).
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from podcast.audio.cuts import CROSSFADE, edit_filters, normalised, parts
from podcast.audio.ffmpeg import find_ffmpeg
from podcast.model import Cut, Timeline

RATE = 44100
LENGTH = 20.0


def _noise() -> np.ndarray:
    return (np.random.default_rng(17).standard_normal((int(LENGTH * RATE), 2)) * 0.1) \
        .astype(np.float32)


def _reference(x: np.ndarray, cuts) -> np.ndarray:
    """The cuts made by hand: kept stretches, each join crossfaded over CROSSFADE."""
    h = round(CROSSFADE * RATE) // 2
    d = 2 * h
    t = np.arange(d) / d
    fade_in, fade_out = np.sin(t * np.pi / 2)[:, None], np.cos(t * np.pi / 2)[:, None]
    kept, position = [], 0
    for c in cuts:
        a, b = round(c.start * RATE), round(c.end * RATE)
        if a > position:
            kept.append((position, a))
        position = b
    if position < len(x):
        kept.append((position, len(x)))
    out: list[np.ndarray] = []
    for i, (s, e) in enumerate(kept):
        if i == 0:
            out.append(x[s:e])
            continue
        prev_end = kept[i - 1][1]
        out[-1] = out[-1][:-h]
        out.append(x[prev_end - h:prev_end + h] * fade_out + x[s - h:s + h] * fade_in)
        out.append(x[s + h:e])
    return np.concatenate(out)


def _render(tmp_path, x: np.ndarray, cuts, **kwargs) -> np.ndarray:
    raw, out = tmp_path / "in.f32", tmp_path / "out.f32"
    x.tofile(raw)
    edit = edit_filters(cuts, RATE, **kwargs)
    graph = f"[0:a]anull,{edit},anull[out]" if edit else "[0:a]anull[out]"
    subprocess.run([find_ffmpeg(), "-nostdin", "-loglevel", "error", "-y", "-f", "f32le",
                    "-ar", str(RATE), "-ac", "2", "-i", str(raw), "-filter_complex", graph,
                    "-map", "[out]", "-f", "f32le", str(out)], check=True)
    return np.fromfile(out, np.float32).reshape(-1, 2)


CASES = {
    "several": [Cut(2.0, 2.7), Cut(5.123, 9.5), Cut(9.6, 9.9), Cut(15.0, 15.5)],
    "one": [Cut(3.0, 4.0)],
    "from the start": [Cut(0.0, 1.0), Cut(5.0, 6.0)],
    "to the end": [Cut(3.0, 4.0), Cut(19.0, 20.0)],
    "both ends": [Cut(0.0, 1.0), Cut(19.0, 20.0)],
    "forty close together": [Cut(1 + i * 0.45, 1.2 + i * 0.45) for i in range(40)],
}


@pytest.mark.parametrize("name", CASES)
def test_cuts_are_taken_out_with_crossfades_sample_for_sample(tmp_path, name):
    cuts = normalised(CASES[name], LENGTH)
    x = _noise()
    got = _render(tmp_path, x, cuts, duration=LENGTH)
    want = _reference(x, cuts)
    removed = sum(round(c.end * RATE) - round(c.start * RATE) for c in cuts)
    assert len(got) == len(want) == len(x) - removed
    assert float(np.abs(got - want).max()) < 1e-5
    # The timeline moves a time after the cuts by exactly what they took out.
    assert Timeline(cuts=cuts).to_published(LENGTH) * RATE == pytest.approx(len(got), abs=2)


def test_no_cuts_no_filters():
    assert edit_filters((), RATE) == ""


def test_normalised_merges_what_is_too_close_to_crossfade_and_clips_to_the_master():
    cuts = normalised([Cut(5.0, 6.0, "pause"), Cut(6.03, 6.5, "filler", "um"),
                       Cut(-1.0, 0.01, "edit"), Cut(9.995, 12.0, "edit"), Cut(3.0, 3.0)],
                      duration=10.0)
    assert cuts == (Cut(0.0, 0.01, "edit"), Cut(5.0, 6.5, "pause", "um"),
                    Cut(9.995, 10.0, "edit"))
    # Every kept stretch is long enough to fade out and in again.
    assert all(b.start - a.end >= 2 * CROSSFADE for a, b in zip(cuts, cuts[1:]))


def test_each_sample_goes_to_one_stretch_and_the_streams_alternate():
    even, odd = parts(normalised([Cut(1.0, 2.0), Cut(3.0, 4.0), Cut(5.0, 6.0)]), 100,
                      crossfade=0.02)
    # Four kept stretches (in samples at 100 Hz: [0, 100), [200, 300), [400, 500),
    # [600, end)), a crossfade of 2. The last and the second play in the first stream,
    # which is silent until the first stretch starts to fade out; each stretch then
    # stays silent (faded out) while the other stream plays the next one.
    assert [(p.start, p.end, p.mute) for p in even] == [(0, 99, True), (199, 399, False),
                                                        (599, None, False)]
    assert [(p.start, p.end, p.fade_in, p.fade_out) for p in odd] == [
        (0, 199, False, 99), (399, 501, True, 100)]


def test_an_edit_list_too_long_for_a_command_line_goes_through_a_file(tmp_path):
    """Hundreds of cuts make a graph over Linux's 128 KiB limit for one argument."""
    import os

    from podcast.audio.chain import Render, Stage
    from podcast.audio.processes import LONGEST_ARGUMENT, ProcessGroup, start_render

    raw = tmp_path / "in.f32"
    x = np.random.default_rng(5).standard_normal((int(70 * RATE), 2)).astype(np.float32)
    x.tofile(raw)
    cuts = normalised([Cut(1 + i * 0.09, 1.04 + i * 0.09) for i in range(700)], 70.0)
    edit = edit_filters(cuts, RATE, duration=70.0)
    graph = f"[0:a:0]anull,{edit},anull[out]"
    assert len(graph) > LONGEST_ARGUMENT
    wav = tmp_path / "in.wav"
    subprocess.run([find_ffmpeg(), "-nostdin", "-loglevel", "error", "-f", "f32le", "-ar",
                    str(RATE), "-ac", "2", "-i", str(raw), str(wav)], check=True)
    group = ProcessGroup()
    fd = start_render(group, Render((Stage("ffmpeg", graph, ("in.wav",)),)), tmp_path,
                      where="test")
    received = 0
    with os.fdopen(fd, "rb") as pcm:
        while chunk := pcm.read(1 << 20):
            received += len(chunk)
    group.wait()
    removed = sum(round(c.end * RATE) - round(c.start * RATE) for c in cuts)
    assert received // 8 == len(x) - removed
