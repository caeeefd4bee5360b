"""`podcast process` and `podcast clip` through the CLI."""

from __future__ import annotations

import pytest
from audio_helpers import decoded_loudness, show_with_master
from click.testing import CliRunner

from podcast.audio.tags import mp3_info, read_tags
from podcast.cli import cli


def _run(root, *args):
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


def test_process_command_reports_and_caches(tmp_path):
    root = show_with_master(tmp_path, gain_db=-12.0)
    result = _run(root, "process", "--jobs", "1")
    assert result.exit_code == 0, result.output
    (line,) = [ln for ln in result.output.splitlines() if ln.startswith("encoded")]
    assert "media/multiple-bombings-" in line and "-> -16." in line and "LUFS" in line
    again = _run(root, "process")
    assert again.exit_code == 0 and again.output.startswith("unchanged")
    listing = _run(root, "list")
    assert "yes" in listing.output.splitlines()[-1]


def test_process_unknown_slug_and_bad_master(tmp_path):
    root = show_with_master(tmp_path, seconds=2.0)
    unknown = _run(root, "process", "nope")
    assert unknown.exit_code == 1 and "nope: no such episode" in unknown.output
    short = _run(root, "process")
    assert short.exit_code == 1
    assert "episodes/multiple-bombings/master.wav: is 2.0s long, shorter than 3s" in short.output
    assert not (root / "feed").exists()


def test_clip_command(tmp_path):
    root = show_with_master(tmp_path, seconds=8.0, gain_db=-10.0)
    out = tmp_path / "promo.mp3"
    result = _run(root, "clip", "multiple-bombings", "--start", "0:01.5", "--duration", "5",
                  "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    info = mp3_info(out)
    assert info.duration == pytest.approx(5.0, abs=0.05)
    assert info.cbr and info.sample_rate == 44100 and info.has_info_header
    tags = read_tags(out)
    assert str(tags["TIT2"]) == "Multiple Bombings (clip)" and tags.getall("APIC")
    assert not tags.getall("CHAP")
    loud = decoded_loudness(out)
    assert loud.true_peak <= -1.0
    assert -19.0 <= loud.integrated <= -15.0  # fades lower it a little


def test_clip_default_path_and_fades(tmp_path):
    from audio_helpers import ffmpeg

    root = show_with_master(tmp_path, seconds=8.0, gain_db=-10.0)
    result = _run(root, "clip", "multiple-bombings", "--start", "1", "--duration", "4")
    assert result.exit_code == 0, result.output
    out = root / "clips" / "multiple-bombings-1s-4s.mp3"
    assert out.is_file()
    # The first 100 ms (fade-in) are much quieter than the middle of the clip.
    ffmpeg("-i", str(out), "-t", "0.1", str(tmp_path / "head.wav"))
    ffmpeg("-ss", "1.5", "-i", str(out), "-t", "1", str(tmp_path / "middle.wav"))
    from pydub import AudioSegment
    head = AudioSegment.from_wav(str(tmp_path / "head.wav"))
    middle = AudioSegment.from_wav(str(tmp_path / "middle.wav"))
    assert head.rms * 4 < middle.rms


def test_clip_past_the_end(tmp_path):
    root = show_with_master(tmp_path, seconds=6.0)
    result = _run(root, "clip", "multiple-bombings", "--start", "4", "--duration", "10")
    assert result.exit_code == 1
    assert "multiple-bombings clip: 4s + 10s ends past the end of the audio (6.0s)" in \
        result.output
    bad = _run(root, "clip", "multiple-bombings", "--start", "soon", "--duration", "10")
    assert bad.exit_code == 2 and "is not a time" in bad.output
