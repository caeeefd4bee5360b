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

from clones import SpyFFmpeg, clone, enclosures, make_repo, to_pointers
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
    client = s3_server.client()
    for name in names:  # no local paths, no hostnames, no secrets
        body = client.get_object(Bucket=s3_server.bucket, Key=target.prefix + name)["Body"]
        text = body.read().decode()
        assert str(tmp_path) not in text and "/work/" not in text and "127.0.0.1" not in text
        assert not any(secret in text for secret in s3_server.credentials)
        assert '"master":"episodes/episode-' in text  # the report names it relatively

    # (B) a fresh clone, the same ffmpeg.
    b = clone(root_a, tmp_path / "b")
    result, lame = _publish(b, spy, monkeypatch)
    assert (lame, result.applied.uploaded, result.records) == (0, [], 0)
    assert enclosures(b) == urls
    assert not list((b / "feed").glob("media/*"))  # nothing downloaded either
    # feed/ remembers what stays in the bucket: an upload without a build plans alike.
    result = publish(b, PublishOptions(build=False))
    assert result.applied.uploaded == [] and result.problems == []

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

    from click.testing import CliRunner

    from podcast.cli import cli
    listed = CliRunner().invoke(cli, ["--root", str(d), "publish", "--shard", "2/3",
                                      "--needed-masters"])
    assert listed.exit_code == 0, listed.output
    assert set(listed.output.splitlines()) < set(needed_masters(d, PublishOptions()))
    wrong = CliRunner().invoke(cli, ["--root", str(d), "publish", "--shard", "4/3"])
    assert wrong.exit_code == 2 and "is not I/N with 1 <= I <= N" in wrong.output


def test_two_shards_at_once_then_one_publish_that_encodes_nothing(origin, tmp_path,
                                                                  s3_server, monkeypatch):
    import os
    import subprocess
    import sys

    root, target = origin
    spy = SpyFFmpeg(tmp_path / "spy")
    env = {**os.environ, "PODCAST_FFMPEG": str(spy.path)}
    shards = [clone(root, tmp_path / f"shard{i}") for i in (1, 2)]
    runs = [subprocess.Popen([sys.executable, "-m", "podcast", "--root", str(folder),
                              "publish", "--shard", f"{i}/2"], env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for i, folder in enumerate(shards, start=1)]
    outputs = [run.communicate(timeout=300) for run in runs]
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, err
        assert "the feed is left to `podcast publish`" in out
    assert spy.lame_runs() == 3  # each episode encoded once, by one of the two
    objects = s3_server.objects(target)
    assert "feed.xml" not in objects and ".podcast-manifest.json" not in objects
    assert len([k for k in objects if k.startswith(MEDIA)]) == 3
    assert len([k for k in objects if k.startswith("media/")]) == 3

    third = clone(root, tmp_path / "third")
    to_pointers(third)
    assert needed_masters(third, PublishOptions()) == []
    result, lame = _publish(third, spy, monkeypatch)
    assert lame == 0 and result.verified and result.problems == []
    assert not any(k.startswith("media/") for k in result.applied.uploaded)
    assert len(enclosures(third)) == 3
    assert result.records == 0


def test_a_broken_record_is_rebuilt_and_said_so(origin, tmp_path, s3_server, monkeypatch,
                                                caplog):
    import logging

    root, target = origin
    spy = SpyFFmpeg(tmp_path / "spy")
    _publish(root, spy, monkeypatch)
    urls = enclosures(root)
    client = s3_server.client()
    names = sorted(k for k in s3_server.objects(target) if k.startswith(MEDIA))
    client.put_object(Bucket=s3_server.bucket, Key=target.prefix + names[0], Body=b"{not json")

    fresh = clone(root, tmp_path / "fresh")
    with caplog.at_level(logging.INFO, logger="podcast"):
        result, lame = _publish(fresh, spy, monkeypatch)
    rebuilt = [r.getMessage() for r in caplog.records if "rebuilding it" in r.getMessage()]
    assert len(rebuilt) == 1 and names[0] in rebuilt[0] and "cannot be read" in rebuilt[0]
    assert lame == 1 and result.applied.uploaded == [] and result.records == 1
    assert enclosures(fresh) == urls  # the same ffmpeg made the same bytes
    body = client.get_object(Bucket=s3_server.bucket, Key=target.prefix + names[0])["Body"]
    assert body.read().startswith(b"{")  # written again, whole

    # A record whose object is gone is not trusted either: the MP3 is uploaded again.
    media = sorted(k for k in s3_server.objects(target) if k.startswith("media/"))
    client.delete_object(Bucket=s3_server.bucket, Key=target.prefix + media[0])
    caplog.clear()
    again = clone(root, tmp_path / "again")
    with caplog.at_level(logging.INFO, logger="podcast"):
        result, lame = _publish(again, spy, monkeypatch)
    assert lame == 1 and result.applied.uploaded == [media[0]]
    assert any(f"names {media[0]}, which is missing in the bucket" in r.getMessage()
               for r in caplog.records)


def test_transcripts_come_from_the_records_on_a_clone_without_masters(
        tmp_path, s3_server, monkeypatch):
    pytest.importorskip("faster_whisper", reason="needs the transcribe extra")
    from speech import ESPEAK, dialogue

    if ESPEAK is None:
        pytest.skip("needs espeak-ng (make test installs it)")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    target = s3_server.target()
    root = make_show(tmp_path / "origin", episodes=[{"title": "Multiple Bombings"}], publish={
        "bucket": s3_server.bucket, "prefix": target.prefix.strip("/"),
        "endpoint_url": s3_server.endpoint, "public_url": s3_server.public_url(target)})
    dialogue(root / "episodes/episode-1/master.wav")
    with open(root / "podcast.toml", "a", encoding="utf-8") as f:
        f.write('\n[transcripts]\nauto = true\nmodel = "tiny.en"\n')
    for name, value in zip(("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
                           s3_server.credentials):
        monkeypatch.setenv(name, value)
    make_repo(root)
    spy = SpyFFmpeg(tmp_path / "spy")
    result, _ = _publish(root, spy, monkeypatch)
    written = root / "episodes/episode-1/transcript.vtt"
    assert "Transcribed automatically" in written.read_text()  # made here, not committed
    assert result.records == 2  # the MP3's and the transcript's
    assert len([k for k in s3_server.objects(target) if k.startswith(PREFIX + "transcripts/")]) == 1

    ci = clone(root, tmp_path / "ci")
    to_pointers(ci)  # transcribing a pointer would fail: the record must serve
    assert needed_masters(ci, PublishOptions()) == []
    result, lame = _publish(ci, spy, monkeypatch)
    assert (lame, result.applied.uploaded, result.records) == (0, [], 0)
    assert (ci / "episodes/episode-1/transcript.vtt").read_text() == written.read_text()


def test_the_same_inputs_and_ffmpeg_make_the_same_bytes_on_two_machines(origin, tmp_path):
    from podcast.build import build

    root, _ = origin
    trees = []
    for name in ("laptop", "runner"):
        folder = clone(root, tmp_path / name)
        build(folder)
        out = folder / "feed"
        trees.append({p.relative_to(out).as_posix(): p.read_bytes()  # what is uploaded
                      for p in sorted(out.rglob("*"))
                      if p.is_file() and not p.name.startswith(".")})
    assert trees[0] == trees[1]
    assert len([k for k in trees[0] if k.endswith(".mp3")]) == 3


def test_alternates_come_from_the_records_too(tmp_path, s3_server, monkeypatch):
    target = s3_server.target()
    root = make_show(tmp_path / "origin", episodes=[{"title": "Multiple Bombings"}],
                     audio={"alternates": ["opus"]}, publish={
                         "bucket": s3_server.bucket, "prefix": target.prefix.strip("/"),
                         "endpoint_url": s3_server.endpoint,
                         "public_url": s3_server.public_url(target)})
    for name, value in zip(("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"),
                           s3_server.credentials):
        monkeypatch.setenv(name, value)
    make_repo(root)
    spy = SpyFFmpeg(tmp_path / "spy")
    _publish(root, spy, monkeypatch)
    assert "libopus" in spy.log.read_text()
    feed = (root / "feed" / "feed.xml").read_text()

    ci = clone(root, tmp_path / "ci")
    to_pointers(ci)
    result, lame = _publish(ci, spy, monkeypatch)
    assert (lame, result.applied.uploaded) == (0, [])
    assert not spy.log.exists()  # no ffmpeg at all: no encode, no measurement
    assert (ci / "feed" / "feed.xml").read_text() == feed  # alternates and integrity too
    assert "podcast:alternateEnclosure" in feed
