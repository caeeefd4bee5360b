"""Bad masters give a clear error naming the file, and nothing is written."""

from __future__ import annotations

import dataclasses

import pytest
from audio_helpers import ffmpeg, load, process, show_with_master, silence, speech_like

from podcast.errors import AudioError, PodcastError

MASTER = "episodes/multiple-bombings/master.wav"


def _nothing_written(root):
    cache = root / ".cache" / "audio"
    assert not list(cache.glob("*.mp3")) and not list(cache.glob("*.json*")) \
        or list(cache.glob("*")) == [cache / "masters.json"]
    assert not list(cache.glob(".*"))  # no temp files left behind
    assert not (root / "feed").exists()
    assert not (root / ".cache" / "episodes").exists()


def _fails(root, *fragments, where=MASTER):
    with pytest.raises(PodcastError) as err:
        process(root, jobs=1, probe_audio=False)
    message = str(err.value)
    assert message.startswith(f"{where}: "), message
    for fragment in fragments:
        assert fragment in message, message
    _nothing_written(root)
    return message


def test_corrupt_file(tmp_path):
    root = show_with_master(tmp_path)
    (root / MASTER).write_bytes(b"RIFF\x10\x00\x00\x00garbage that is not audio" * 50)
    _fails(root, "corrupt")


def test_truncated_file(tmp_path):
    root = show_with_master(tmp_path, seconds=8.0)
    data = (root / MASTER).read_bytes()
    (root / MASTER).write_bytes(data[: len(data) // 2])  # header still says 8 s
    _fails(root, "truncated", "8.0s")


def test_unsupported_format(tmp_path):
    root = show_with_master(tmp_path)
    project = load(root, probe_audio=False)
    text = root / "episodes" / "multiple-bombings" / "master.txt"
    text.write_text("not audio")
    episode = dataclasses.replace(project.episodes[0], master=text)
    from podcast.audio import process as run
    with pytest.raises(AudioError, match=r"^episodes/multiple-bombings/master\.txt: \.txt is "
                                         r"not a supported audio format"):
        run(project.show, [episode], jobs=1)
    _nothing_written(root)


def test_no_audio_stream(tmp_path):
    root = show_with_master(tmp_path, "master.m4a")
    ffmpeg("-f", "lavfi", "-i", "testsrc=d=4:s=64x64:r=5", "-c:v", "mpeg4",
           "-f", "mp4", str(root / "episodes/multiple-bombings/master.m4a"))
    _fails(root, "has no audio stream", where="episodes/multiple-bombings/master.m4a")


def test_digital_silence(tmp_path):
    root = show_with_master(tmp_path)
    silence(root / MASTER, seconds=5)
    _fails(root, "digital silence")


def test_master_shorter_than_3_seconds(tmp_path):
    root = show_with_master(tmp_path, seconds=2.0)
    _fails(root, "2.0s long", "shorter than 3s")


def test_chapter_past_the_end(tmp_path):
    root = show_with_master(tmp_path, seconds=5.0, spec={
        "chapters": [{"start": 0, "title": "Start"}, {"start": "1:00", "title": "Late"}]})
    _fails(root, "chapters[2].start", "past the end", where="episodes/multiple-bombings/episode.md")


def test_missing_master(tmp_path):
    root = show_with_master(tmp_path)
    project = load(root, probe_audio=False)
    (root / MASTER).unlink()
    from podcast.audio import process as run
    with pytest.raises(AudioError, match=r"^episodes/multiple-bombings/master\.wav: does not "
                                         "exist"):
        run(project.show, project.episodes, jobs=1)


@pytest.mark.slow
def test_master_is_never_modified(tmp_path):
    root = show_with_master(tmp_path)
    before = (root / MASTER).read_bytes()
    stat = (root / MASTER).stat()
    process(root, jobs=1)
    assert (root / MASTER).read_bytes() == before
    assert (root / MASTER).stat().st_mtime_ns == stat.st_mtime_ns


@pytest.mark.slow
def test_one_bad_episode_does_not_stop_the_others(tmp_path):
    from showfactory import make_show

    root = make_show(tmp_path, [{"slug": "good"}, {"slug": "bad"}])
    speech_like(root / "episodes/good/master.wav", seconds=4)
    silence(root / "episodes/bad/master.wav", seconds=4)
    with pytest.raises(AudioError, match="^episodes/bad/master.wav: is digital silence"):
        process(root, jobs=2)
    assert [p.name for p in (root / "feed" / "media").iterdir()][0].startswith("good-")


def test_chapter_moved_past_the_end_on_a_retag(tmp_path):
    """A metadata-only change is checked against the encoded duration too."""
    root = show_with_master(tmp_path, seconds=5.0, spec={"chapters": [{"start": 0,
                                                                       "title": "Start"}]})
    (first,) = process(root, jobs=1)
    source = root / "episodes/multiple-bombings/episode.md"
    source.write_text(source.read_text().replace(
        "- start: 0\n  title: Start\n",
        "- start: 0\n  title: Start\n- start: 30\n  title: Late\n"))
    assert "title: Late" in source.read_text()
    with pytest.raises(AudioError, match=r"^episodes/multiple-bombings/episode\.md: "
                                         r"chapters\[2\]\.start: 30s is past the end"):
        process(root, jobs=1, probe_audio=False)
    assert first.media.path.read_bytes()  # the published file is untouched
