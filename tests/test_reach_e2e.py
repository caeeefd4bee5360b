"""End to end: a show another host publishes, imported, built and published here.

Round trip: import, then build: the new feed has the source's guids, dates,
titles and durations, and its podcast:guid. Then a publish to the real
SeaweedFS with an Opus alternate, a WebSub hub and a redirecting analytics
prefix on 127.0.0.1: the hub receives the ping, the enclosures carry the
prefix, the integrity hashes match the published files, the listener check
passes through the prefix, and feedparser and gPodder's podcastparser read
the live feed. Last, the feed moves (`podcast move-feed`) and back.
"""

from __future__ import annotations

import email.utils
import io
import shutil
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from podcast.build import build
from podcast.cli import cli
from podcast.feed.source import parse_duration, read_source
from podcast.fsutil import sri
from podcast.importer import import_feed

pytestmark = [pytest.mark.slow, pytest.mark.s3]

ROOT = Path(__file__).resolve().parents[1]
NS = {"podcast": "https://podcastindex.org/namespace/1.0",
      "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "atom": "http://www.w3.org/2005/Atom"}


def items_of(xml: bytes) -> dict[str, dict]:
    """guid -> what apps compare: title, instant, whole seconds, isPermaLink."""
    out = {}
    for it in etree.fromstring(xml).iter("item"):
        guid = it.find("guid")
        when = email.utils.parsedate_to_datetime(it.findtext("pubDate"))
        out[guid.text.strip()] = {
            "title": it.findtext("title"), "when": when.timestamp(),
            "seconds": round(parse_duration(it.findtext("itunes:duration", namespaces=NS))),
            "permalink": guid.get("isPermaLink", "true")}
    return out


@pytest.mark.parametrize("names", [("castopod",), ("transistor", "buzzsprout", "libsyn",
                                                    "megaphone", "anchor", "podlove")])
def test_round_trip(tmp_path, world, names):
    """Import, then build: the same guids, dates, titles and durations as the sources."""
    host, media, shows = world
    folder = tmp_path / "show"
    folder.mkdir()
    sources = {}
    for i, name in enumerate(names):
        result = import_feed(folder, shows[name].feed_url, take_show=i == 0,
                             url="https://cdn.example.org/imported/" if i == 0 else None)
        assert result.failed == [], result.failed
        sources.update(items_of(host.files[urllib.request.urlparse(
            shows[name].feed_url).path][0]))
    shutil.copytree(ROOT / "templates", folder / "templates")
    built = build(folder)
    ours = items_of((built.output / "feed.xml").read_bytes())
    assert set(ours) == set(sources)
    for guid, src in sources.items():
        got = ours[guid]
        assert (got["title"], got["when"], got["seconds"]) == \
            (src["title"], src["when"], src["seconds"]), guid
        assert got["permalink"] == ("true" if src["permalink"] == "true"
                                    and guid.startswith("http") else "false")
    first = read_source(host.files[urllib.request.urlparse(
        shows[names[0]].feed_url).path][0])
    channel = etree.fromstring((built.output / "feed.xml").read_bytes()).find("channel")
    if first.podcast_guid:
        assert channel.findtext("podcast:guid", namespaces=NS) == first.podcast_guid
    # An MP3 already on target went out as it was; the others were mastered.
    actions = {b.episode.slug: b.media.report for b in built.site.episodes}
    for slug, report in actions.items():
        assert abs(report.output.integrated - report.output.target) <= 0.5, slug
        assert report.output.true_peak <= -1.0, slug
    as_is = {slug for slug, r in actions.items() if r.output.passthrough}
    assert as_is and as_is != set(actions)  # both paths were taken


def test_publish_with_alternates_hub_and_prefix(tmp_path, world, s3_server, monkeypatch):
    import feedparser
    import podcastparser

    host, media, shows = world
    target = s3_server.target()
    public = s3_server.public_url(target)
    folder = tmp_path / "castopod-here"
    folder.mkdir()
    run = CliRunner().invoke(cli, ["--root", str(folder), "import", shows["castopod"].feed_url,
                                   "--show", "--url", "https://cdn.example.org/castopod/"])
    assert run.exit_code == 0, run.output
    config = folder / "podcast.toml"
    config.write_text(config.read_text() + f"""
[audio]
alternates = ["opus"]

[publish]
bucket = "{s3_server.bucket}"
prefix = "{target.prefix.strip('/')}"
endpoint_url = "{s3_server.endpoint}"
public_url = "{public}"
websub_hubs = ["{host.base}/hub"]
analytics_prefix = "{host.base}/e/"
""")
    shutil.copytree(ROOT / "templates", folder / "templates")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.credentials[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.credentials[1])
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    del host.pings[:], host.requests[:]

    result = CliRunner().invoke(cli, ["--root", str(folder), "publish"])
    assert result.exit_code == 0, result.output
    assert "verified: the feed, every enclosure and the artwork" in result.output
    feed_url = public + "feed.xml"
    # The hub was told, once the feed was live.
    assert host.pings == [{"hub.mode": ["publish"], "hub.url": [feed_url],
                           "hub.topic": [feed_url]}]
    with urllib.request.urlopen(feed_url, timeout=10) as resp:
        xml = resp.read()
    channel = etree.fromstring(xml).find("channel")
    hubs = [ln.get("href") for ln in channel.findall("atom:link", NS) if ln.get("rel") == "hub"]
    assert hubs == [f"{host.base}/hub"]
    assert channel.findtext("podcast:guid", namespaces=NS) == \
        "b6a3d6a2-8c1e-5d0f-9e3b-2a1c4d5e6f70"
    prefix = f"{host.base}/e/{public}"
    items = list(channel.iter("item"))
    assert len(items) == 2
    for item in items:
        enclosure = item.find("enclosure")
        assert enclosure.get("url").startswith(prefix)  # http targets keep their scheme
        # Through the prefix, as an app downloads it: the exact bytes the feed announces.
        with urllib.request.urlopen(enclosure.get("url"), timeout=10) as resp:
            data = resp.read()
            assert resp.geturl().startswith(public + "media/")
        assert len(data) == int(enclosure.get("length"))
        (alt,) = item.findall("podcast:alternateEnclosure", NS)
        assert alt.get("type") == "audio/ogg" and alt.get("codecs") == "opus"
        uri = alt.find("podcast:source", NS).get("uri")
        assert uri.startswith(prefix) and uri.endswith(".opus")
        with urllib.request.urlopen(uri, timeout=10) as resp:
            opus = resp.read()
            assert resp.headers["Content-Type"] == "audio/ogg"
        assert len(opus) == int(alt.get("length"))
        assert alt.find("podcast:integrity", NS).get("value") == sri(opus)
    # The listener check went through the prefix, and to the objects behind it.
    heads = [p for m, p, _ in host.requests if m == "HEAD" and p.startswith("/e/")]
    assert len(heads) == 4  # two MP3s, two Opus files

    # Podcast apps read it.
    d = feedparser.parse(xml)
    assert not d.bozo and len(d.entries) == 2
    factory = next(e for e in d.entries if e.title == "The Bomb Factory")
    assert factory.id == shows["castopod"].episodes[0]["guid"]
    assert [c["title"] for c in factory.psc_chapters["chapters"]] == ["Intro", "The factory"]
    p = podcastparser.parse(feed_url, io.BytesIO(xml))
    factory = next(e for e in p["episodes"] if e["title"] == "The Bomb Factory")
    assert [(c["start"], c["title"]) for c in factory["chapters"]] == [(0, "Intro"),
                                                                       (3, "The factory")]
    assert factory["enclosures"][0]["url"].startswith(prefix)

    # A second publish with nothing new pings nobody.
    del host.pings[:]
    again = CliRunner().invoke(cli, ["--root", str(folder), "publish"])
    assert again.exit_code == 0 and host.pings == []

    # The feed moves: the old one says so; SeaweedFS keeps no website redirect, so the
    # steps for a CDN rule are printed. Then it is undone.
    moved = CliRunner().invoke(cli, ["--root", str(folder), "move-feed",
                                     "https://feeds.example.org/castopod.xml"])
    assert moved.exit_code == 0, moved.output
    assert "this storage does not serve website redirects" in moved.output
    assert "static redirect, when URL equals " + feed_url in moved.output
    with urllib.request.urlopen(feed_url, timeout=10) as resp:
        live = resp.read()
    assert podcastparser.parse(feed_url, io.BytesIO(live))["new_url"] == \
        "https://feeds.example.org/castopod.xml"
    assert len(host.pings) == 1  # the hub re-reads the old feed and sees the move
    undo = CliRunner().invoke(cli, ["--root", str(folder), "move-feed", "--undo"])
    assert undo.exit_code == 0, undo.output
    with urllib.request.urlopen(feed_url, timeout=10) as resp:
        assert b"new-feed-url" not in resp.read()
