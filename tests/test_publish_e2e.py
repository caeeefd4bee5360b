"""End to end: `podcast publish` builds a real show (real ffmpeg) and publishes it.

Listeners' parsers read the feed from the public URL; a notes edit then
re-uploads only that episode's page and the feed.
"""

from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path

import pytest

from podcast.build import publish
from podcast.publish import PublishOptions
from podcast.errors import FeedError
from podcast.publish import manifest as mf
from tests.showfactory import make_show, write_wav

pytestmark = [pytest.mark.s3, pytest.mark.slow]

CHAPTERS = [{"start": "0:00", "title": "Cold open"}, {"start": "0:02", "title": "The call"}]
VTT = "WEBVTT\n\n00:00.000 --> 00:01.000\nAct on your instincts.\n"


def test_publish_builds_uploads_and_listeners_can_subscribe(tmp_path, s3_server, monkeypatch):
    import feedparser

    target = s3_server.target()
    public = s3_server.public_url(target)
    root = make_show(tmp_path, episodes=[
        {"title": "Multiple Bombings", "master_seconds": 4.0, "chapters": CHAPTERS,
         "transcript": ("vtt", VTT), "notes": "First paragraph.\n\nSecond paragraph.\n"},
        {"title": "Under Surveillance", "master_seconds": 4.0}],
        publish={"bucket": s3_server.bucket, "prefix": target.prefix.strip("/"),
                 "endpoint_url": s3_server.endpoint, "public_url": public})
    shutil.copytree(Path(__file__).resolve().parents[1] / "templates", root / "templates")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.credentials[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.credentials[1])
    monkeypatch.delenv("AWS_PROFILE", raising=False)

    result = publish(root)
    assert result.verified and result.problems == []
    uploaded = result.applied.uploaded
    assert uploaded[-1] == "feed.xml" and any(k.endswith(".mp3") for k in uploaded)

    with urllib.request.urlopen(public + "feed.xml", timeout=10) as resp:
        feed = feedparser.parse(resp.read())
    assert not feed.bozo and len(feed.entries) == 2
    heads = s3_server.objects(target)
    for entry in feed.entries:
        (enclosure,) = entry.enclosures
        key = enclosure.href[len(public):]
        assert heads[key]["ContentLength"] == int(enclosure.length)
        assert heads[key]["ContentType"] == "audio/mpeg"

    # Every page link of the feed and the sitemap opens on SeaweedFS, which (like S3's
    # REST endpoint) serves no index documents.
    import re
    with urllib.request.urlopen(public + "sitemap.xml", timeout=10) as resp:
        sitemap = resp.read().decode()
    pages = [feed.feed.link, *(e.link for e in feed.entries)]
    pages += re.findall(r"<loc>([^<]+)</loc>", sitemap)
    # home, subscribe page, two episodes, one transcript page (+ repeats)
    assert len(set(pages)) == 5
    for url in pages:
        assert url.startswith(public) and url.endswith(".html")
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("text/html")

    assert publish(root).applied.uploaded == []

    episode = root / "episodes" / "episode-1" / "episode.md"
    episode.write_text(episode.read_text() + "\nA third paragraph, added later.\n")
    before = {k: h["ETag"] for k, h in s3_server.objects(target).items()}
    result = publish(root)
    # The page, the feed, and the search index (the notes are searchable: its new
    # files have new content-hashed names).
    search = {k for k in result.applied.uploaded if k.startswith("pagefind/")}
    assert sorted(set(result.applied.uploaded) - search) == ["episodes/episode-1/index.html",
                                                            "feed.xml"]
    after = {k: h["ETag"] for k, h in s3_server.objects(target).items()}
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed <= {"episodes/episode-1/index.html", "feed.xml", mf.NAME,
                       mf.REPLACED_FEED} | search

    # A re-mastered episode gets a new media key (same guid): apps would download
    # it again, so it is published only when allowed, and the old file stays.
    old_media = {k for k in after if k.startswith("media/episode-2")}
    write_wav(root / "episodes" / "episode-2" / "master.wav", 5.0)
    with pytest.raises(FeedError, match="--allow-feed-changes"):
        publish(root)
    result = publish(root, PublishOptions(allow_feed_changes=True, prune=True))
    assert result.problems == []
    new_media = {k for k in result.applied.uploaded if k.startswith("media/")}
    assert len(new_media) == 1 and not new_media & old_media
    assert old_media <= set(s3_server.objects(target))  # the replaced feed still named it
