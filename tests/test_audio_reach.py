"""An MP3 that already meets the targets is published as it is; Opus and AAC alternates.

Real ffmpeg throughout: the masters are generated, mastered by the pipeline
itself (so they are exactly on target), then given to a second show as its
masters, as `podcast import` would.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest
from audio_helpers import decoded_loudness, ffmpeg, show_with_master

from podcast.audio import process
from podcast.audio.ffmpeg import find_ffmpeg
from podcast.audio.tags import mp3_info, read_tags
from podcast.fsutil import sri
from podcast.show import load_project


def pcm_md5(path) -> str:
    """The decoded audio's hash: equal only when no frame was re-encoded."""
    out = subprocess.run([find_ffmpeg(), "-nostdin", "-v", "error", "-i", str(path), "-map",
                          "0:a:0", "-f", "s16le", "-"], capture_output=True, check=True).stdout
    return hashlib.md5(out).hexdigest()


def run(root, **kw):
    project = load_project(root)
    return process(project.show, project.episodes, jobs=1, **kw)


@pytest.fixture(scope="module")
def on_target(tmp_path_factory):
    """A CBR 128k 44.1 kHz MP3 at -16 LUFS, -1 dBTP or under: made by the pipeline."""
    tmp = tmp_path_factory.mktemp("on-target")
    root = show_with_master(tmp, gain_db=-9.0, seconds=8.0)
    (result,) = run(root)
    master = tmp / "finished.mp3"
    shutil.copyfile(result.media.path, master)  # tagged, as a host publishes it
    return master


def show_with(tmp_path, mp3, **kw):
    root = show_with_master(tmp_path, "master.mp3", seconds=4.0, **kw)
    shutil.copyfile(mp3, root / "episodes" / "multiple-bombings" / "master.mp3")
    return root


@pytest.mark.slow
def test_an_mp3_on_target_is_published_as_it_is(tmp_path, on_target):
    root = show_with(tmp_path, on_target)
    (result,) = run(root)
    assert result.action == "as is"
    assert result.report.output.passthrough is True and result.report.gain == 0.0
    published = result.media.path
    assert pcm_md5(published) == pcm_md5(on_target)  # the same frames: no second lossy pass
    info = mp3_info(published)
    assert info.cbr and info.has_info_header and info.sample_rate == 44100
    tags = read_tags(published)  # re-tagged for this show
    assert str(tags["TIT2"]) == "Multiple Bombings" and tags.getall("APIC")
    loud = decoded_loudness(published)
    assert abs(loud.integrated + 16) <= 0.5 and loud.true_peak <= -1.0
    (again,) = run(root)
    assert again.action == "unchanged" and again.media.key == result.media.key


@pytest.mark.slow
def test_an_mp3_on_target_still_gets_the_intro(tmp_path, on_target):
    """A finished MP3 is published as it is only when nothing must be mixed in: with
    an intro configured it goes through the chain, and its chapters move with it."""
    from interview import music

    root = show_with(tmp_path, on_target, audio={"intro": "audio/intro.wav"})
    music(root / "audio" / "intro.wav", seconds=5.0, level=-20.0)
    (result,) = run(root)
    assert result.action == "encoded" and not result.report.output.passthrough
    assert result.media.timeline.offset == pytest.approx(3.0, abs=0.01)  # 5 s less the crossfade
    assert result.media.duration == pytest.approx(8.0 + 3.0, abs=0.1)  # the 8 s master
    assert abs(decoded_loudness(result.media.path).integrated + 16) <= 0.5


@pytest.mark.slow
def test_quiet_or_vbr_mp3s_are_mastered(tmp_path, on_target):
    quiet = tmp_path / "quiet.mp3"
    ffmpeg("-i", str(on_target), "-af", "volume=-8dB", "-c:a", "libmp3lame", "-b:a", "128k",
           str(quiet))
    (result,) = run(show_with(tmp_path / "a", quiet))
    assert result.action == "encoded" and not result.report.output.passthrough
    assert abs(result.report.output.integrated + 16) <= 0.5

    vbr = tmp_path / "vbr.mp3"  # on target, but VBR: apps seek it inaccurately
    ffmpeg("-i", str(on_target), "-c:a", "libmp3lame", "-q:a", "2", str(vbr))
    assert abs(decoded_loudness(vbr).integrated + 16) <= 0.5
    (result,) = run(show_with(tmp_path / "b", vbr))
    assert result.action == "encoded"
    assert mp3_info(result.media.path).cbr


@pytest.mark.slow
def test_alternates_are_encoded_verified_and_content_addressed(tmp_path):
    root = show_with_master(tmp_path, gain_db=-12.0, seconds=6.0)
    (plain,) = run(root)
    assert plain.media.alternates == ()
    text = (root / "podcast.toml").read_text()
    (root / "podcast.toml").write_text(text + '\n[audio]\nalternates = ["opus", "aac"]\n')
    (result,) = run(root)
    # Adding alternates never re-encodes or re-keys the MP3.
    assert result.action == "unchanged" and result.media.key == plain.media.key
    opus, aac = result.media.alternates
    assert (opus.mime, opus.codecs, aac.mime, aac.codecs) == (
        "audio/ogg", "opus", "audio/mp4", "mp4a.40.2")
    assert opus.key.startswith("media/multiple-bombings-" + plain.media.key.split("-")[2])
    assert opus.key.endswith(".opus") and aac.key.endswith(".m4a")
    for alt in (opus, aac):
        data = alt.path.read_bytes()
        assert alt.size == len(data)
        assert alt.integrity == sri(data) and alt.integrity.startswith("sha384-")
        assert hashlib.sha256(data).hexdigest()[:8] in alt.key
        loud = decoded_loudness(alt.path)
        assert abs(loud.integrated + 16) <= 0.5, alt.key
        assert loud.true_peak <= -1.0, alt.key
        assert alt.report["integrated"] == pytest.approx(loud.integrated, abs=0.05)
    assert opus.size < plain.media.size * 0.6  # 64 kbps against 128
    (again,) = run(root)
    assert [a.key for a in again.media.alternates] == [opus.key, aac.key]


def test_alternates_of_an_mp3_published_as_it_is(tmp_path, on_target):
    root = show_with(tmp_path, on_target, audio={"alternates": ["opus"]})
    (result,) = run(root)
    assert result.action == "as is"
    (opus,) = result.media.alternates
    loud = decoded_loudness(opus.path)
    assert abs(loud.integrated + 16) <= 0.5 and loud.true_peak <= -1.0
