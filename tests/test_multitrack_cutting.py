"""The automatic cutter on a multitrack episode: the pauses between speakers cut
from the mix, found where nobody talks on any microphone.

A two-microphone interview (tests/multitrack.py: each track hears the other
voice 14 dB down, the guest 12 dB quieter with hum) with 4 s pauses between
the turns and 0.25 s ones between the sentences of a turn, added with
``podcast add host.wav guest.wav --speaker Host --speaker Guest``, built with
``max_pause = 1.5`` and ``cut_fillers = true`` (these voices say no filler:
the words heard on each track must cost nothing). Measured on the decoded MP3.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from podcast.cli import cli
from tests.cutspeech import gaps, speech_spans
from tests.multitrack import two_mics
from tests.showfactory import make_raw_show
from tests.sitekit import copy_templates

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                 reason="needs espeak-ng (make test installs it)"),
              pytest.mark.usefixtures("whisper_offline")]
pytest.importorskip("faster_whisper", reason="needs the transcribe extra")

SLUG = "the-interview"
MAX_PAUSE = 1.5
PAUSE = 4.0
TURNS = 4


def run(root: Path, *args: str):
    result = CliRunner().invoke(cli, ["--root", str(root), *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory, whisper_offline):
    """(root, session, the episode's media) after one `podcast build`."""
    from podcast.build import build

    tmp = tmp_path_factory.mktemp("multitrack-cutting")
    session = two_mics(tmp / "session", turns=TURNS, pause=PAUSE)
    root = make_raw_show(tmp / "show")
    run(root, "add", str(session.host), str(session.guest), "--speaker", "Host",
        "--speaker", "Guest", "--title", "The Interview")
    third = [s for s in session.spans if s.kind in ("host", "guest")][2]
    md = root / "episodes" / SLUG / "episode.md"
    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace("---\n", "---\nchapters:\n- {start: 0, title: Opening}\n"
                               f"- {{start: {third.start:.3f}, title: The third turn}}\n", 1),
                  encoding="utf-8")
    with open(root / "podcast.toml", "a", encoding="utf-8") as f:
        f.write(f"\n[audio]\nmax_pause = {MAX_PAUSE}\ncut_fillers = true\n"
                "\n[transcripts]\nauto = true\n")
    copy_templates(root)
    result = build(root)
    (episode,) = result.site.episodes
    return root, session, third, episode.media


def test_cuts_json_lists_the_pauses_between_speakers(built):
    root, session, _, _ = built
    doc = json.loads((root / "episodes" / SLUG / "cuts.json").read_text())
    assert doc["master"] == "host.wav + guest.wav"
    kinds = [c["kind"] for c in doc["cuts"]]
    assert kinds == ["pause"] * (TURNS - 1), doc["cuts"]  # no filler: none was said
    pauses = [s for s in session.spans if s.kind == "pause"]
    for cut, pause in zip(doc["cuts"], pauses):
        assert pause.start - 0.1 <= cut["start"] and cut["end"] <= pause.end + 0.1
        assert cut["end"] - cut["start"] == pytest.approx(PAUSE - MAX_PAUSE, abs=0.3)


def pauses(path: Path, under: float = 35.0) -> list[float]:
    """The lengths of the silences over 0.5 s in ``path``: where its 10 ms level stays
    ``under`` dB below the speech's (a listener's pause; the processed mix's room
    tone lies far under the recording's, so a threshold over the quietest tenth
    would count inaudible tails as speech)."""
    import numpy as np

    from tests.cutspeech import envelope

    e = envelope(path)
    quiet = list(e < float(np.percentile(e, 90)) - under) + [False]
    runs, start = [], None
    for k, flag in enumerate(quiet):
        if flag and start is None:
            start = k
        elif not flag and start is not None:
            runs.append((k - start) / 100)
            start = None
    return [r for r in runs[1:-1] if r > 0.5]  # the lead-in and the ending are no pause


def test_the_pauses_are_shortened_to_max_pause_and_nothing_else_is_taken(built):
    _, session, _, media = built
    found = pauses(media.path)
    assert len(found) == TURNS - 1
    assert all(abs(p - MAX_PAUSE) <= 0.25 for p in found), found
    assert max(length for _, length in gaps(media.path)) <= MAX_PAUSE + 0.2
    saved = (TURNS - 1) * (PAUSE - MAX_PAUSE)
    assert media.duration == pytest.approx(session.seconds - saved, abs=0.6)


def test_a_chapter_lands_on_its_turn_through_the_cuts(built):
    root, _, third, media = built
    doc = json.loads((root / "feed/episodes" / SLUG / "chapters.json").read_text())
    chapter = next(c for c in doc["chapters"] if c["title"] == "The third turn")
    assert third.start - chapter["startTime"] == pytest.approx(2 * (PAUSE - MAX_PAUSE),
                                                               abs=0.3)
    onsets = [a for a, _ in speech_spans(media.path)]
    assert min(abs(t - chapter["startTime"]) for t in onsets) <= 0.3


def test_the_loudness_target_is_met_and_the_report_lists_the_cuts(built):
    from tests.audio_helpers import decoded_loudness

    root, _, _, media = built
    loud = decoded_loudness(media.path)
    assert media.report.output.target == -19.0  # mono tracks: a mono episode
    assert loud.integrated == pytest.approx(-19.0, abs=0.5)
    assert loud.true_peak <= -1.0
    text = run(root, "report", SLUG).output
    assert "3 pauses cut (cuts.json)" in text
    assert re.search(r"tracks +2, mixed after a crossgate", text)
    # Each voice's level in the MP3 is read through the cuts: still one level.
    after = [float(v) for v in re.findall(r"-> (-[\d.]+) LUFS in the MP3", text)]
    assert len(after) == 2 and abs(after[0] - after[1]) <= 1.0


def test_a_clip_is_cut_from_the_cut_mix(built):
    """Clips of a multitrack episode come from its processed mix: found by the audio
    hash that covers its edit list."""
    from tests.audio_helpers import decoded_loudness

    root, _, third, _ = built
    run(root, "clip", SLUG, "--start", f"{third.start:.1f}", "--duration", "4")
    (clip,) = (root / "clips").glob(f"{SLUG}-*s-4s.mp3")
    assert decoded_loudness(clip).integrated > -30  # the turn's speech, not a pause


def test_the_words_are_heard_once_per_track_and_published_with_their_speakers(built):
    from podcast import captions

    root, _, third, media = built
    # The cutter's fillers and the transcript asked the same question of each track.
    assert len(list((root / ".cache/transcripts").glob("*.json"))) == 2
    cues = captions.read(root / "episodes" / SLUG / "transcript.vtt")
    assert {c.speaker for c in cues} == {"Host", "Guest"}
    (published,) = (root / "feed").rglob("*.vtt")
    moved = captions.read(published)
    # On the published time: the third turn's first cue moved up with the two cuts.
    first = next(c for c in cues if c.start >= third.start - 0.5)
    (same,) = [c for c in moved if c.text == first.text]
    assert first.start - same.start == pytest.approx(2 * (PAUSE - MAX_PAUSE) - media.timeline.
                                                     to_published(0.0), abs=0.3)
