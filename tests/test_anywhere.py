"""Publish from anywhere (issue 16), on the real SeaweedFS with real ffmpeg.

Producer A publishes the show; fresh clones of the same commit then publish to
the same bucket with no .cache/ of their own: with the same ffmpeg, another
ffmpeg build, and masters that are Git LFS pointer files. Each must encode
nothing, upload nothing and keep every enclosure URL, because the bucket's
build records say what A made. A retitle on a clone without masters re-tags
the published MP3 (one new URL, no encode). A spy ffmpeg (PODCAST_FFMPEG)
counts the LAME runs of every process.
"""

from __future__ import annotations

import pytest

from anywhere import SpyFFmpeg, clone, enclosures, make_repo, to_pointers
from podcast.build import needed_masters, publish
from podcast.publish import PublishOptions
from podcast.publish.records import MEDIA, PREFIX
from showfactory import make_show

pytestmark = [pytest.mark.s3, pytest.mark.slow]

CHAPTERS = [{"start": "0:00", "title": "Cold open"}, {"start": "0:02", "title": "The call"}]
EPISODES = [{"title": "Multiple Bombings", "master_seconds": 4.0, "chapters": CHAPTERS},
            {"title": "Under Surveillance", "master_seconds": 4.5},
            {"title": "The Witness", "master_seconds": 5.0}]


@pytest.fixture
def origin(tmp_path, s3_server, monkeypatch):
    """(the show's repository, its bucket target) with credentials in the environment."""
    target = s3_server.target()
    root = make_show(tmp_path / "origin", episodes=EPISODES, publish={
        "bucket": s3_server.bucket, "prefix": target.prefix.strip("/"),
        "endpoint_url": s3_server.endpoint, "public_url": s3_server.public_url(target)})
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.credentials[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.credentials[1])
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return make_repo(root), target


def _publish(root, spy: SpyFFmpeg, monkeypatch, **options):
    spy.reset()
    monkeypatch.setenv("PODCAST_FFMPEG", str(spy.path))
    result = publish(root, PublishOptions(**options))
    assert result.problems == []  # the listener check
    return result, spy.lame_runs()


def test_fresh_clones_publish_without_encoding_uploading_or_new_urls(
        origin, tmp_path, s3_server, monkeypatch, caplog):
    import imageio_ffmpeg

    root_a, target = origin
    spy = SpyFFmpeg(tmp_path / "spy")
    result, lame = _publish(root_a, spy, monkeypatch)
    assert lame == 3 and any(k.endswith(".mp3") for k in result.applied.uploaded)
    assert result.records == 3
    urls = enclosures(root_a)
    names = {k for k in s3_server.objects(target) if k.startswith(MEDIA)}
    assert len(names) == 3

    # (B) a fresh clone, the same ffmpeg.
    b = clone(root_a, tmp_path / "b")
    result, lame = _publish(b, spy, monkeypatch)
    assert (lame, result.applied.uploaded, result.records) == (0, [], 0)
    assert enclosures(b) == urls
    assert not list((b / "feed").glob("media/*"))  # nothing downloaded either

    # (C) another ffmpeg build (imageio-ffmpeg 9 against Debian's 5.1).
    c = clone(root_a, tmp_path / "c")
    other = SpyFFmpeg(tmp_path / "spy-other", imageio_ffmpeg.get_ffmpeg_exe())
    result, lame = _publish(c, other, monkeypatch)
    assert (lame, result.applied.uploaded) == (0, [])
    assert enclosures(c) == urls

    # (D) masters that are Git LFS pointer files.
    d = clone(root_a, tmp_path / "d")
    to_pointers(d)
    result, lame = _publish(d, spy, monkeypatch)
    assert (lame, result.applied.uploaded) == (0, [])
    assert enclosures(d) == urls
    assert needed_masters(d, PublishOptions()) == []

    # (D2) a retitle there: the published MP3 is re-tagged, not encoded: one new URL.
    episode = d / "episodes" / "episode-2" / "episode.md"
    episode.write_text(episode.read_text().replace("Under Surveillance", "Under Watch"))
    result, lame = _publish(d, spy, monkeypatch)
    assert lame == 0
    new = enclosures(d)
    (guid,) = [g for g in urls if new[g] != urls[g]]
    (media,) = [k for k in result.applied.uploaded if k.startswith("media/")]
    assert new[guid].endswith(media) and media.startswith("media/episode-2-")
    assert result.records == 1
    # Its frames are the published ones: only the tag before them differs.
    assert _frames(urls[guid]) == _frames(new[guid])
    assert _frames(urls[guid]) != b""


def _frames(url: str) -> bytes:
    """The MPEG frames of a published MP3, as a listener downloads it."""
    import urllib.request

    from podcast.audio.tags import _audio_start

    with urllib.request.urlopen(url, timeout=10) as resp:
        data = resp.read()
    return data[_audio_start(data[:10]):]


def test_a_pointer_master_that_must_be_encoded_fails_with_one_line(origin, tmp_path):
    from podcast.errors import PointerError

    root, _ = origin
    d = clone(root, tmp_path / "d")
    to_pointers(d)
    assert needed_masters(d, PublishOptions()) == [
        f"episodes/episode-{n}/master.wav" for n in (1, 2, 3)]
    with pytest.raises(PointerError) as failure:
        publish(d, PublishOptions())
    assert failure.value.format() == (
        "episodes/episode-1/master.wav: is a Git LFS pointer, not audio. "
        "Run: git lfs pull --include=episodes/episode-1/master.wav")
