"""End to end: `podcast build` on a small show with the real audio pipeline, then the feed."""

from __future__ import annotations

import io
import shutil
from datetime import timedelta
from pathlib import Path

import feedparser
import mutagen.mp3
import podcastparser
import pytest
from click.testing import CliRunner
from showfactory import BASE_DATE, VTT, make_show, stamp

from podcast.build import build
from podcast.check import check
from podcast.cli import cli
from podcast.errors import FeedError
from podcast.feed.protect import record_published

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent
NOW = BASE_DATE + timedelta(days=20)


@pytest.fixture(scope="module")
def show_root(tmp_path_factory):
    root = make_show(tmp_path_factory.mktemp("e2e"), [
        dict(slug="trailer", title="Introducing", number=None, type="trailer",
             date=BASE_DATE - timedelta(days=7)),
        dict(slug="first", title="First & Foremost", master_seconds=4.0,
             chapters=[{"start": 0, "title": "Open"}, {"start": 1.5, "title": "Middle"}],
             transcript=("vtt", VTT), cover=True),
        dict(slug="second", title="Second", date=BASE_DATE + timedelta(days=7)),
        dict(slug="draft", title="Draft", status="draft"),
        dict(slug="later", title="Later", date=NOW + timedelta(days=1)),
    ])
    shutil.copytree(REPO / "templates", root / "templates")
    return root


@pytest.fixture(scope="module")
def first_build(show_root):
    return build(show_root, now=NOW)


def test_the_feed_describes_the_real_mp3s(first_build):
    result = first_build
    xml = (result.output / "feed.xml").read_bytes()
    d = feedparser.parse(xml)
    assert not d.bozo
    assert [e.title for e in d.entries] == ["Second", "First & Foremost", "Introducing"]
    for e in d.entries:
        enc = next(ln for ln in e.links if ln.rel == "enclosure")
        key = enc.href[len(result.site.show.url):]
        path = result.output / key
        assert key in result.keys and path.is_file()
        assert int(enc.length) == path.stat().st_size
        assert e.itunes_duration == str(round(mutagen.mp3.MP3(path).info.length))
    p = podcastparser.parse(result.site.show.feed_url, io.BytesIO(xml))
    assert [ep["total_time"] for ep in p["episodes"]] == [
        round(b.media.duration) for b in reversed(result.site.episodes)]
    # Everything the feed references was built, and `podcast check` finds nothing wrong.
    for key in ("episodes/first/chapters.json", "episodes/first/transcript.vtt",
                "episodes/first/transcript.srt", result.site.artwork_key, "feed.xml"):
        assert key in result.keys and (result.output / key).is_file()
    assert [str(p) for p in check(result.site.show.root) if p.is_error] == []


def test_a_second_build_changes_nothing(show_root, first_build):
    feed = first_build.output / "feed.xml"
    before = feed.read_bytes(), stamp(feed)
    again = build(show_root, now=NOW)
    assert again.keys == first_build.keys and again.removed == ()
    assert (feed.read_bytes(), stamp(feed)) == before


@pytest.fixture
def own_root(show_root, first_build, tmp_path):
    """A copy of the built show (caches included, so nothing is encoded again) for a
    test that edits it or rebuilds it differently: the module's show stays as built."""
    return Path(shutil.copytree(show_root, tmp_path / "show", symlinks=True))


def test_build_refuses_to_drop_a_published_episode(own_root):
    show_root = own_root
    first_build = build(show_root, now=NOW)
    feed = first_build.output / "feed.xml"
    record_published(first_build.site.show, feed.read_bytes())
    episode_md = show_root / "episodes" / "second" / "episode.md"
    original = episode_md.read_text(encoding="utf-8")
    episode_md.write_text(original.replace("status: published", "status: draft"),
                          encoding="utf-8")
    try:
        with pytest.raises(FeedError, match='"Second" .* missing from the new feed'):
            build(show_root, now=NOW)
        result = CliRunner().invoke(cli, ["--root", str(show_root), "build"])
        assert result.exit_code == 1
        assert "--allow-feed-changes" in result.output
        allowed = build(show_root, now=NOW, allow_feed_changes=True)
        assert len(allowed.site.episodes) == 2
    finally:
        episode_md.write_text(original, encoding="utf-8")


def test_cli_build_prints_a_summary(own_root):
    show_root = own_root
    result = CliRunner().invoke(cli, ["--root", str(show_root), "build",
                                      "--public-url", "http://127.0.0.1:8765/"])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("built ") and last.endswith(str(show_root / "feed" / "feed.xml"))
    assert b"http://127.0.0.1:8765/media/" in (show_root / "feed" / "feed.xml").read_bytes()
    bad = CliRunner().invoke(cli, ["--root", str(show_root), "build",
                                   "--public-url", "http://example.org/"])
    assert bad.exit_code == 2 and "is not https" in bad.output
