"""The built feed as real podcast clients read it: feedparser, gPodder's podcastparser,
and castero (a terminal podcast app from PyPI), which fetches it from a local server."""

from __future__ import annotations

import calendar
import io
import json
import os
import subprocess
import sys

import feedparser
import podcastparser
import pytest
from hosts import Host
from showfactory import BASE_DATE, make_show, make_site, rich_episodes

from podcast import model
from podcast.feed import write_feed

DURATIONS = {"trailer": 1.2, "multiple-bombings": 125.4, "under-surveillance": 61.6}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("clients")
    root = make_show(tmp, rich_episodes())
    site = make_site(root, durations=DURATIONS)
    out = site.show.output_dir
    write_feed(site, out)
    return site, (out / "feed.xml").read_bytes()


def by_guid(entries, key="id"):
    return {e[key]: e for e in entries}


def test_feedparser_reads_channel(built):
    site, xml = built
    d = feedparser.parse(xml)
    assert not d.bozo, d.get("bozo_exception")
    assert d.version == "rss20"
    assert d.feed.title == "Code Severe"
    assert d.feed.link == site.show.url + "index.html"  # opens on any bucket
    assert d.feed.language == "en-gb"
    # Plain text, as clients show it (no <p> for gpo or castero to print).
    assert d.feed.subtitle == site.show.description and "<" not in d.feed.subtitle
    assert d.feed.itunes_type == "serial"
    assert d.feed.image.href == model.public_url(site.show, site.artwork_key)
    assert {t.term for t in d.feed.tags} == {"Government", "True Crime"}
    assert d.feed.podcast_guid == site.show.guid
    assert d.feed.podcast_locked["owner"] == site.show.owner_email
    self_links = [ln.href for ln in d.feed.links if ln.rel == "self"]
    assert self_links == [site.show.feed_url]


def test_feedparser_reads_items(built):
    site, xml = built
    d = feedparser.parse(xml)
    # Drafts and scheduled episodes are not there; newest first.
    assert [e.title for e in d.entries] == [
        'Under Surveillance: "Wires" & <Watchers> 🎧', "Multiple Bombings",
        "Introducing Code Severe"]
    entries = by_guid(d.entries)
    for b in site.episodes:
        e = entries[b.episode.guid]
        assert e.guidislink is False
        enclosure = [ln for ln in e.links if ln.rel == "enclosure"]
        assert len(enclosure) == 1
        assert enclosure[0].href == model.public_url(site.show, b.media.key)
        assert int(enclosure[0].length) == b.media.path.stat().st_size == b.media.size
        assert enclosure[0].type == "audio/mpeg"
        assert e.itunes_duration == str(round(DURATIONS[b.episode.slug]))
        assert calendar.timegm(e.published_parsed) == int(b.episode.date.timestamp())
        assert e.itunes_episodetype == b.episode.type
    ep1 = entries[next(b.episode.guid for b in site.episodes
                       if b.episode.slug == "multiple-bombings")]
    assert ep1.itunes_episode == "1" and ep1.itunes_season == "1"
    assert ep1.podcast_chapters["url"].endswith("/episodes/multiple-bombings/chapters.json")
    assert ep1.podcast_chapters["type"] == "application/json+chapters"
    assert ep1.podcast_transcript["rel"] == "captions"
    assert ep1.podcast_transcript["url"].startswith(site.show.url + "episodes/multiple-bombings/")
    assert ep1.image.href.startswith(site.show.url + "artwork/multiple-bombings-")
    assert '<a href="https://www.gov.uk/ACT"' in ep1.content[0].value


def test_podcastparser_reads_the_feed(built):
    site, xml = built
    p = podcastparser.parse(site.show.feed_url, io.BytesIO(xml))
    assert p["title"] == "Code Severe"
    assert p["description"] == site.show.description
    assert p["type"] == "serial"
    assert p["explicit"] is False
    assert p["itunes_owner"] == {"name": "Counter Terrorism Policing",
                                 "email": site.show.owner_email}
    assert p["itunes_categories"] == [["Government"], ["True Crime"]]
    assert p["cover_url"] == model.public_url(site.show, site.artwork_key)
    episodes = by_guid(p["episodes"], "guid")
    assert len(episodes) == 3
    for b in site.episodes:
        e = episodes[b.episode.guid]
        assert e["title"] == b.episode.title
        assert e["enclosures"] == [{"url": model.public_url(site.show, b.media.key),
                                    "file_size": b.media.size, "mime_type": "audio/mpeg"}]
        assert e["total_time"] == round(DURATIONS[b.episode.slug])
        assert e["published"] == int(b.episode.date.timestamp())
        assert e["type"] == b.episode.type
        assert e.get("number") == b.episode.number
    ep2 = next(e for e in p["episodes"] if e.get("number") == 2)
    assert ep2["season"] == 1
    assert "<" not in ep2["description"]  # plain-text description derived by the client


def test_chapters_file_the_feed_points_at(built):
    site, xml = built
    d = feedparser.parse(xml)
    ep1 = next(e for e in d.entries if e.title == "Multiple Bombings")
    key = ep1.podcast_chapters["url"][len(site.show.url):]
    doc = json.loads((site.show.output_dir / key).read_text(encoding="utf-8"))
    assert doc["version"] == "1.2.0"
    assert [c["title"] for c in doc["chapters"]] == ["Cold open", "The witness", "Hidden"]
    starts = [c["startTime"] for c in doc["chapters"]]
    assert starts == sorted(starts) == [0, 0.5, 0.8]
    assert doc["chapters"][1]["url"] == "https://www.gov.uk/ACT"
    img = doc["chapters"][1]["img"]
    assert (site.show.output_dir / img[len(site.show.url):]).is_file()
    assert doc["chapters"][2]["toc"] is False and "toc" not in doc["chapters"][0]


def test_lastbuilddate_is_the_newest_episode(built):
    site, xml = built
    d = feedparser.parse(xml)
    newest = max(b.episode.date for b in site.episodes)
    assert calendar.timegm(d.feed.updated_parsed) == int(newest.timestamp())
    assert newest == BASE_DATE.replace(day=16)


# castero imports grequests, which monkey-patches sockets with gevent: it runs in its own
# process. It prints what its screen shows for the show and each episode.
CASTERO = """
import json, sys
from castero.feed import Feed
feed = Feed(url=sys.argv[1])
print(json.dumps({"show": feed.metadata,
                  "episodes": [e.metadata for e in feed.parse_episodes()]}))
"""
# Source line breaks inside paragraphs and between blocks: castero strips the tags of the
# HTML and then deletes every line break, which glued "a\nsuspect's" into "asuspect's".
NOTES = """A former Special Branch officer races to secure evidence under a
suspect's nose, and a member of the public who acted on her instincts
helps to locate the ingredients for a large bomb.

In this episode:

- how detectives gathered evidence
- the deliveries that did not feel right
"""


def test_castero_shows_the_notes_and_description_with_their_words_apart(tmp_path):
    root = make_show(tmp_path, [{"slug": "multiple-bombings", "title": "Multiple Bombings",
                                 "notes": NOTES}],
                     description="Untold stories of attacks on UK soil.\n\n"
                                 "Part of the **ACT** campaign.")
    site = make_site(root)
    write_feed(site, site.show.output_dir)
    host = Host().start()
    try:
        url = host.add("/feed.xml", (site.show.output_dir / "feed.xml").read_bytes(),
                       "application/rss+xml; charset=utf-8")
        home = tmp_path / "home"
        env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
               "XDG_DATA_HOME": str(home / "data")}
        proc = subprocess.run([sys.executable, "-c", CASTERO, url], env=env,
                              capture_output=True, text=True, timeout=120)
    finally:
        host.stop()
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout)
    (episode,) = seen["episodes"]
    description = " ".join(episode.split("Description:\n", 1)[1].split())
    for words in ("under a suspect's nose", "her instincts helps to locate",
                  "a large bomb. In this episode: how detectives gathered evidence "
                  "the deliveries"):
        assert words in description, description
    show = seen["show"].split("Description:\n", 1)[1]
    assert show.startswith("Untold stories of attacks on UK soil. Part of the ACT campaign.")
    assert "<" not in show
