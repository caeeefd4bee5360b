"""A multitrack episode published from anywhere (issues 16 and 17 together), on the
real SeaweedFS with real ffmpeg.

Producer A adds a two-microphone interview and publishes. A fresh clone whose
tracks are Git LFS pointer files then publishes from the bucket's build
records: no LAME run, no upload, the same enclosure URL. A retitle there
re-tags the published MP3: one new URL, still no encode.
"""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from clones import SpyFFmpeg, clone, enclosures, make_repo, pointer_text
from podcast.build import needed_masters, publish
from podcast.cli import cli
from podcast.publish import PublishOptions
from showfactory import make_show

pytestmark = [pytest.mark.s3, pytest.mark.slow,
              pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                 reason="needs espeak-ng (make test installs it)")]


def origin_with_interview(tmp_path, s3_server, monkeypatch, *, transcripts: bool = False):
    """A committed show (a trailer and a two-microphone interview) publishing to the
    test bucket, credentials in the environment."""
    from tests.multitrack import two_mics

    target = s3_server.target()
    root = make_show(tmp_path / "origin", episodes=[{"title": "Trailer"}], publish={
        "bucket": s3_server.bucket, "prefix": target.prefix.strip("/"),
        "endpoint_url": s3_server.endpoint, "public_url": s3_server.public_url(target)})
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.credentials[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.credentials[1])
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    session = two_mics(tmp_path / "session", turns=2)
    added = CliRunner().invoke(cli, ["--root", str(root), "add", str(session.host),
                                     str(session.guest), "--speaker", "Host", "--speaker",
                                     "Guest", "--title", "The Interview"])
    assert added.exit_code == 0, added.output
    if transcripts:
        with open(root / "podcast.toml", "a", encoding="utf-8") as f:
            f.write("\n[transcripts]\nauto = true\n")
    return make_repo(root)


def _publish(root, spy: SpyFFmpeg, monkeypatch):
    spy.reset()
    monkeypatch.setenv("PODCAST_FFMPEG", str(spy.path))
    result = publish(root, PublishOptions())
    assert result.problems == []  # the listener check
    return result, spy.lame_runs()


def test_a_clone_with_pointer_tracks_publishes_from_the_records(tmp_path, s3_server,
                                                               monkeypatch):
    root = origin_with_interview(tmp_path, s3_server, monkeypatch)
    spy = SpyFFmpeg(tmp_path / "spy")
    _, lame = _publish(root, spy, monkeypatch)
    assert lame == 2  # the trailer's master and the interview's mix: one encode each
    urls = enclosures(root)

    d = clone(root, tmp_path / "d")
    tracks = sorted((d / "episodes" / "the-interview").glob("*.wav"))
    assert [t.name for t in tracks] == ["guest.wav", "host.wav"]
    for path in tracks:
        path.write_text(pointer_text(path))
    assert needed_masters(d, PublishOptions()) == []
    result, lame = _publish(d, spy, monkeypatch)
    assert (lame, result.applied.uploaded) == (0, [])
    assert enclosures(d) == urls

    # A retitle without the tracks: the published MP3 is re-tagged, not encoded.
    episode = d / "episodes" / "the-interview" / "episode.md"
    episode.write_text(episode.read_text().replace("The Interview", "The Long Interview"))
    result, lame = _publish(d, spy, monkeypatch)
    assert lame == 0
    new = enclosures(d)
    assert sum(new[g] != urls[g] for g in urls) == 1
    (media,) = [k for k in result.applied.uploaded if k.startswith("media/")]
    assert media.startswith("media/the-interview-")


@pytest.mark.usefixtures("whisper_offline")
def test_a_shard_transcribes_each_speaker_and_the_publish_after_it_makes_nothing(
        tmp_path, s3_server, monkeypatch):
    """`publish --shard 1/1` on a show with `[transcripts] auto`: the interview is mixed
    and each speaker heard on their own track; the transcript's record lets a fresh
    clone publish the feed with no encode and no transcription."""
    pytest.importorskip("faster_whisper", reason="needs the transcribe extra")
    from podcast.build import publish_shard

    root = origin_with_interview(tmp_path, s3_server, monkeypatch, transcripts=True)
    spy = SpyFFmpeg(tmp_path / "spy")
    monkeypatch.setenv("PODCAST_FFMPEG", str(spy.path))
    shard = publish_shard(root, PublishOptions(shard=(1, 1)))
    # 2 media records and the interview's transcript (the trailer is a tone: no words)
    assert spy.lame_runs() == 2 and shard.records == 3
    d = clone(root, tmp_path / "d")
    result, lame = _publish(d, spy, monkeypatch)
    assert lame == 0
    assert not [k for k in result.applied.uploaded if k.startswith("media/")]
    vtt = (d / "episodes" / "the-interview" / "transcript.vtt").read_text()
    assert "<v Host>" in vtt and "<v Guest>" in vtt
