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
from tests.multitrack import attribution, bleed, plain_mix, solo, two_mics
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
