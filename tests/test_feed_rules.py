"""The feed's rules (BRIEF.md section 3) on the XML itself, and tricky metadata."""

from __future__ import annotations

import dataclasses
import os
from datetime import datetime, timedelta, timezone

import feedparser
import pytest
import time_machine
from lxml import etree
from showfactory import BASE_DATE, make_show, make_site, rich_episodes, stamp

from podcast import model
from podcast.errors import FeedError
from podcast.feed import render_feed, write_feed
from podcast.feed.rules import check_feed_bytes
from podcast.show.config import podcast_guid

NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
      "podcast": "https://podcastindex.org/namespace/1.0",
      "content": "http://purl.org/rss/1.0/modules/content/",
      "atom": "http://www.w3.org/2005/Atom"}


def parse(xml: bytes):
    return etree.fromstring(xml)


def one(el, path: str):
    found = el.findall(path, NS)
    assert len(found) == 1, f"{path}: {len(found)} elements"
    return found[0]


def item_of(root, title: str):
    return next(i for i in root.iterfind("channel/item") if i.findtext("title") == title)


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    root = make_show(tmp_path_factory.mktemp("rich"), rich_episodes(),
                     funding=[{"url": "https://www.gov.uk/ACT", "text": "Report it"}],
                     persons=[{"name": "Mark Strong", "role": "narrator", "group": "cast",
                               "img": "https://example.org/ms.jpg"}],
                     license="CC-BY-NC-ND-4.0", update_frequency="Complete series")
    site = make_site(root)
    return site, render_feed(site)


def test_channel_has_every_required_element(rich):
    site, xml = rich
    ch = one(parse(xml), "channel")
    assert one(ch, "title").text == "Code Severe"
    assert one(ch, "link").text == site.show.url + "index.html"  # opens on any bucket
    assert one(ch, "language").text == "en-gb"
    assert one(ch, "copyright").text == site.show.copyright
    assert one(ch, "atom:link").attrib == {"href": site.show.feed_url, "rel": "self",
                                           "type": "application/rss+xml"}
    art = model.public_url(site.show, site.artwork_key)
    assert one(ch, "itunes:image").get("href") == art
    assert art.endswith(".jpg") and "/artwork/cover-" in art
    assert [c.get("text") for c in ch.findall("itunes:category", NS)] == ["Government",
                                                                           "True Crime"]
    assert one(ch, "itunes:explicit").text == "false"
    assert one(ch, "itunes:author").text == "Counter Terrorism Policing"
    assert one(ch, "itunes:owner/itunes:email").text == "podcast@example.org"
    assert one(ch, "itunes:type").text == "serial"
    assert one(ch, "podcast:guid").text == site.show.guid
    locked = one(ch, "podcast:locked")
    assert (locked.text, locked.get("owner")) == ("yes", "podcast@example.org")
    assert one(ch, "podcast:medium").text == "podcast"
    assert one(ch, "podcast:license").text == "CC-BY-NC-ND-4.0"
    assert one(ch, "podcast:updateFrequency").text == "Complete series"
    funding = one(ch, "podcast:funding")
    assert (funding.get("url"), funding.text) == ("https://www.gov.uk/ACT", "Report it")
    person = one(ch, "podcast:person")
    assert (person.text, person.get("role"), person.get("img")) == (
        "Mark Strong", "narrator", "https://example.org/ms.jpg")
    # The channel's description is plain text (W3C: no HTML there)
    assert one(ch, "description").text == (
        "Previously untold stories of how attacks on UK soil were prevented.")
    # No XSL any more: a comment is what a person who opens the feed in a browser reads.
    assert b"xml-stylesheet" not in xml
    assert xml.index(b"<!-- This is the podcast feed of Code Severe") < xml.index(b"<rss")
    assert f"How: {site.show.url}subscribe.html -->".encode() in xml


def test_trailer_is_announced_at_channel_level(rich):
    site, xml = rich
    ch = one(parse(xml), "channel")
    trailer = one(ch, "podcast:trailer")
    built = next(b for b in site.episodes if b.episode.type == "trailer")
    assert trailer.text == "Introducing Code Severe"
    assert trailer.get("url") == model.public_url(site.show, built.media.key)
    assert trailer.get("length") == str(built.media.size)
    assert trailer.get("type") == "audio/mpeg"
    assert trailer.get("pubdate") == "Mon, 02 Mar 2020 10:00:00 +0000"
    item = item_of(parse(xml), "Introducing Code Severe")
    assert one(item, "itunes:episodeType").text == "trailer"
    assert item.find("itunes:episode", NS) is None


def test_items_carry_every_field(rich):
    site, xml = rich
    built = next(b for b in site.episodes if b.episode.slug == "multiple-bombings")
    item = item_of(parse(xml), "Multiple Bombings")
    guid = one(item, "guid")
    assert (guid.text, guid.get("isPermaLink")) == (built.episode.guid, "false")
    assert one(item, "pubDate").text == "Mon, 09 Mar 2020 10:00:00 +0000"
    enc = one(item, "enclosure")
    assert enc.attrib == {"url": model.public_url(site.show, built.media.key),
                          "length": str(built.media.path.stat().st_size), "type": "audio/mpeg"}
    assert one(item, "itunes:duration").text == str(int(round(built.media.duration)))
    assert one(item, "itunes:episode").text == "1"
    assert one(item, "itunes:season").text == "1"
    assert one(item, "itunes:episodeType").text == "full"
    assert one(item, "itunes:image").get("href") == model.public_url(site.show,
                                                                      built.image_key)
    assert one(item, "podcast:season").text == "1"
    assert one(item, "podcast:episode").text == "1"
    assert one(item, "podcast:chapters").attrib == {
        "url": model.public_url(site.show, model.chapters_key(built.episode)),
        "type": "application/json+chapters"}
    transcripts = item.findall("podcast:transcript", NS)
    assert [(t.get("type"), t.get("rel"), t.get("language")) for t in transcripts] == [
        ("text/vtt", "captions", "en-gb"), ("application/x-subrip", "captions", "en-gb"),
        ("application/json", "captions", "en-gb")]
    for t in transcripts:
        assert (site.show.output_dir / t.get("url")[len(site.show.url):]).is_file()
    person = one(item, "podcast:person")
    assert (person.text, person.get("role"), person.get("group")) == ("Mark Strong",
                                                                      "narrator", "cast")
    bite = one(item, "podcast:soundbite")
    assert (bite.get("startTime"), bite.get("duration"), bite.text) == ("0.2", "1", "The call")
    assert one(item, "link").text == site.show.url + "episodes/multiple-bombings/index.html"
    # An episode without art of its own carries the show's.
    other = item_of(parse(xml), 'Under Surveillance: "Wires" & <Watchers> 🎧')
    assert one(other, "itunes:image").get("href") == model.public_url(site.show,
                                                                       site.artwork_key)
    assert one(other, "itunes:explicit").text == "true"


def test_drafts_and_future_episodes_are_left_out_until_due(tmp_path):
    root = make_show(tmp_path, rich_episodes(BASE_DATE))  # scheduled: 30 days after
    before = make_site(root, now=BASE_DATE + timedelta(days=29))
    titles = [i.findtext("title") for i in parse(render_feed(before)).iterfind("channel/item")]
    assert "Coming Soon" not in titles and "Not Ready" not in titles
    assert len(titles) == 3
    after = make_site(root, now=BASE_DATE + timedelta(days=30, seconds=1))
    titles = [i.findtext("title") for i in parse(render_feed(after)).iterfind("channel/item")]
    assert titles[0] == "Coming Soon" and "Not Ready" not in titles
    # lastBuildDate follows the newest live episode
    assert parse(render_feed(after)).findtext("channel/lastBuildDate") == \
        "Wed, 08 Apr 2020 10:00:00 +0000"


def test_newest_first_whatever_the_order_of_the_model(rich):
    site, _ = rich
    shuffled = dataclasses.replace(site, episodes=tuple(reversed(site.episodes)))
    dates = [i.findtext("pubDate") for i in parse(render_feed(shuffled)).iterfind("channel/item")]
    assert dates == ["Mon, 16 Mar 2020 10:00:00 +0000", "Mon, 09 Mar 2020 10:00:00 +0000",
                     "Mon, 02 Mar 2020 10:00:00 +0000"]


def test_two_builds_give_identical_bytes(tmp_path):
    """No "now" leaks into the feed: the same show, built with the clock frozen at two
    moments a year apart and its files dated years apart, gives the same bytes."""
    with time_machine.travel(datetime(2031, 1, 2, 3, 4, 5, tzinfo=timezone.utc), tick=False):
        a = make_site(make_show(tmp_path / "a", rich_episodes(BASE_DATE)), now=BASE_DATE)
        first = render_feed(a)
    root = make_show(tmp_path / "b", rich_episodes(BASE_DATE))
    for path in [root, *root.rglob("*")]:  # nor a file's date
        os.utime(path, (1e9, 1e9))
    with time_machine.travel(datetime(2032, 6, 7, 8, 9, 10, tzinfo=timezone.utc), tick=False):
        b = make_site(root, now=BASE_DATE)
        assert render_feed(b) == first
    assert str(tmp_path).encode() not in first


def test_write_feed_writes_once_and_returns_its_key(tmp_path):
    site = make_site(make_show(tmp_path))
    out = site.show.output_dir
    assert write_feed(site, out) == {"feed.xml"}
    before = stamp(out / "feed.xml")
    write_feed(site, out)
    assert stamp(out / "feed.xml") == before
    assert not [p for p in out.iterdir() if p.name.startswith(".feed.xml")]


def test_tricky_title_and_notes(tmp_path):
    title = 'Bombs & "Bangs" <b>not bold</b> \u2014 it\'s 🎧\x07\x1b'
    notes = ("Intro with <script>alert(1)</script> and <iframe src=x></iframe>.\n\n"
             '<img src=x onerror=alert(1)> [link](javascript:alert(1)) '
             "[ok](https://www.gov.uk/ACT)\n\n"
             "Control\x00 chars\x0b here & there ]]> end.\n")
    site = make_site(make_show(tmp_path, [dict(title=title, notes=notes)]))
    xml = render_feed(site)
    parsed = feedparser.parse(xml)
    assert not parsed.bozo
    entry = parsed.entries[0]
    assert entry.title == 'Bombs & "Bangs" <b>not bold</b> \u2014 it\'s 🎧'
    assert b"&amp;" in xml and b"&lt;b&gt;not bold" in xml
    html = entry.content[0].value
    for bad in ("<script", "alert(1)</script", "<iframe", "<img", "onerror", "javascript:"):
        assert bad not in html
    assert '<a href="https://www.gov.uk/ACT" rel="noopener noreferrer">ok</a>' in html
    assert "Control chars here &amp; there" in html
    # "]]>" cannot live in CDATA: that description falls back to escaped text, still valid.
    # Angle brackets in a title are legal but some apps render titles as HTML: a warning.
    problems = check_feed_bytes(xml, site.show.output_dir)
    assert [(p.severity, p.message.split(" contains")[1]) for p in problems] == [
        ("warning", " markup")]


def test_long_notes_are_cut_on_a_block_boundary_in_bytes(tmp_path):
    para = "Ünïcödé 🎧 detectives secured the evidence quietly. " * 6  # multi-byte text
    notes = "\n\n".join(f"Paragraph {n}: {para}" for n in range(1, 30))
    assert len(notes.encode()) > 6000
    site = make_site(make_show(tmp_path, [dict(notes=notes)]))
    item = parse(render_feed(site)).find("channel/item")
    for body in (item.findtext("description"), one(item, "content:encoded").text):
        size = len(body.encode("utf-8"))
        assert 3000 < size <= 4000
        assert body.endswith("</p>") and body.count("<p>") == body.count("</p>")
        assert body.startswith("<p>Paragraph 1:")


def test_podcast_guid_is_uuid5_of_the_feed_url(tmp_path):
    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    site = make_site(make_show(tmp_path, guid=None))
    ch = parse(render_feed(site)).find("channel")
    assert one(ch, "podcast:guid").text == podcast_guid(site.show.feed_url)


def test_preview_feed_uses_the_loopback_url(tmp_path):
    site = make_site(make_show(tmp_path, rich_episodes()), public_url="http://127.0.0.1:8123/")
    xml = render_feed(site)
    assert b"https://podcast.example.org" not in xml
    root = parse(xml)
    enc = root.find("channel/item/enclosure")
    assert enc.get("url").startswith("http://127.0.0.1:8123/media/")
    assert [p for p in check_feed_bytes(xml, site.show.output_dir) if p.is_error] == []


def test_feedgen_traps_are_avoided(rich):
    _, xml = rich
    assert b'length="None"' not in xml
    assert b"<itunes:explicit>no</itunes:explicit>" not in xml
    assert b"ns0:" not in xml and b"audio/mp3" not in xml
    root = parse(xml)
    # the RSS <link> is the site, not the feed (feedgen uses the last link() call)
    assert root.findtext("channel/link").endswith("/code-severe/index.html")


def test_an_episode_without_audio_size_is_refused(tmp_path):
    site = make_site(make_show(tmp_path))
    built = site.episodes[0]
    broken = dataclasses.replace(built, media=dataclasses.replace(built.media, size=0))
    with pytest.raises(FeedError, match="episode-1: the audio file has no usable size"):
        render_feed(dataclasses.replace(site, episodes=(broken,)))


def test_text_that_cdata_cannot_hold_is_escaped_instead():
    from feedgen.feed import FeedGenerator

    from podcast.feed.ext import cdata

    fg = FeedGenerator()
    fg.title("t")
    fg.link(href="https://example.org/")
    fg.description(cdata("<p>a ]]> b</p>"))
    fe = fg.add_entry()
    fe.title("x")
    fe.description(cdata("<p>fine & well</p>"))
    root = etree.fromstring(fg.rss_str())
    assert root.findtext("channel/description") == "<p>a ]]> b</p>"
    assert b"<![CDATA[<p>fine & well</p>]]>" in fg.rss_str()


def test_item_guid_is_the_stored_one_whatever_the_title_or_number(tmp_path):
    guid = "3f2c8f1e-8b7a-4d7e-9a53-0c2b1e6d4f10"
    first = make_site(make_show(tmp_path / "a", [dict(title="Old title", number=1, guid=guid)]))
    renamed = make_site(make_show(tmp_path / "b", [dict(title="New title", number=7, guid=guid)]))
    for site in (first, renamed):
        el = parse(render_feed(site)).find("channel/item/guid")
        assert (el.text, el.get("isPermaLink")) == (guid, "false")
