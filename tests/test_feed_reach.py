"""The Podcasting 2.0 tags apps read, as written, checked, and seen by real clients.

Each tag comes from podcast.toml or episode.md; the feed rules (`podcast check`,
and the build before it writes) validate each; feedparser and gPodder's
podcastparser read what they can of them (podcastparser only reads podcast:*
under the namespace's old GitHub URL, so those are read with lxml here).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io

import feedparser
import podcastparser
import pytest
from lxml import etree
from showfactory import make_show, make_site, rich_episodes

from podcast import model
from podcast.errors import ValidationError
from podcast.feed import render_feed, write_feed
from podcast.feed.protect import compare_feeds, moved_media
from podcast.feed.reader import keys_for, unprefixed
from podcast.feed.rules import check_feed_bytes
from podcast.fsutil import sri
from podcast.show.config import load_show

NS = {"podcast": "https://podcastindex.org/namespace/1.0",
      "psc": "http://podlove.org/simple-chapters", "atom": "http://www.w3.org/2005/Atom",
      "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
PODNEWS = "9b024349-ccf0-5f69-a609-6b82873eab3c"
HUB = "https://pubsubhubbub.appspot.com/"

REACH_SHOW = dict(
    license="cc-by-4.0",
    txt=[{"text": "podcast-verify-3f9a1c", "purpose": "verify"}],
    podroll=[{"feed_guid": PODNEWS, "feed_url": "https://podnews.net/rss", "title": "Podnews"}],
    publisher={"feed_guid": "003af0a0-6a45-55cf-b765-68e3d8a30f1f",
               "feed_url": "https://example.org/publisher.xml"},
    location={"name": "London", "geo": "geo:51.5072,-0.1276", "osm": "R65606",
              "country": "gb"},
    social=[{"protocol": "activitypub", "uri": "https://mastodon.social/@codesevere/1",
             "account_id": "@codesevere@mastodon.social", "priority": 1}],
    block=["google"],
    funding=[{"url": "https://www.gov.uk/ACT", "text": "Report in confidence"}],
)


def reach_episodes():
    episodes = rich_episodes()
    episodes[1].update(location={"name": "Birmingham", "rel": "subject", "country": "GB"},
                       social=[{"protocol": "activitypub",
                                "uri": "https://mastodon.social/@codesevere/2"}],
                       license="cc-by-nd-4.0", txt=[{"text": "ep1-ok", "purpose": "note"}])
    return episodes


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reach")
    root = make_show(tmp, reach_episodes(), publish={"websub_hubs": [HUB]}, **REACH_SHOW)
    site = make_site(root, durations={"multiple-bombings": 125.4})
    out = site.show.output_dir
    # An Opus alternate of episode 1, as the audio step reports it.
    ep1 = next(b for b in site.episodes if b.episode.slug == "multiple-bombings")
    data = b"OggS" + bytes(range(256)) * 40
    key = ep1.media.key.replace(".mp3", ".opus")
    (out / key).write_bytes(data)
    alt = model.Alternate(key, out / key, len(data), "audio/ogg", "opus", 48000, "Opus",
                          sri(data))
    episodes = tuple(dataclasses.replace(b, media=dataclasses.replace(b.media, alternates=(alt,)))
                     if b is ep1 else b for b in site.episodes)
    site = dataclasses.replace(site, episodes=episodes)
    write_feed(site, out)
    return site, (out / "feed.xml").read_bytes()


def item_of(xml: bytes, slug: str):
    root = etree.fromstring(xml)
    return next(i for i in root.iter("item") if f"/episodes/{slug}/" in i.findtext("link"))


def test_the_channel_tags(built):
    site, xml = built
    channel = etree.fromstring(xml).find("channel")
    links = [(ln.get("rel"), ln.get("href")) for ln in channel.findall("atom:link", NS)]
    assert links == [("self", site.show.feed_url), ("hub", HUB)]
    assert channel.find("podcast:license", NS).text == "cc-by-4.0"
    txt = channel.find("podcast:txt", NS)
    assert (txt.get("purpose"), txt.text) == ("verify", "podcast-verify-3f9a1c")
    (remote,) = channel.findall("podcast:podroll/podcast:remoteItem", NS)
    assert remote.attrib == {"feedGuid": PODNEWS, "feedUrl": "https://podnews.net/rss",
                             "title": "Podnews"}
    (pub,) = channel.findall("podcast:publisher/podcast:remoteItem", NS)
    assert pub.get("medium") == "publisher" and pub.get("feedUrl").endswith("publisher.xml")
    loc = channel.find("podcast:location", NS)
    assert loc.text == "London" and loc.attrib == {"rel": "subject", "geo": "geo:51.5072,-0.1276",
                                                   "osm": "R65606", "country": "GB"}
    social = channel.find("podcast:socialInteract", NS)
    assert social.get("protocol") == "activitypub" and social.get("priority") == "1"
    assert social.get("accountId") == "@codesevere@mastodon.social"
    (block,) = channel.findall("podcast:block", NS)
    assert (block.get("id"), block.text) == ("google", "yes")
    images = channel.findall("podcast:image", NS)
    assert [(i.get("width"), i.get("aspect-ratio")) for i in images] == [
        ("1400", "1/1"), ("600", "1/1"), ("300", "1/1"), ("150", "1/1")]
    for img in images:  # every size is a real file of that size
        key = img.get("href")[len(site.show.url):]
        assert (site.show.output_dir / key).is_file()
    assert channel.find("podcast:podping", NS) is None  # no gateway configured: not claimed
    assert channel.find("itunes:new-feed-url", NS) is None


def test_the_item_tags(built):
    site, xml = built
    item = item_of(xml, "multiple-bombings")
    (alt,) = item.findall("podcast:alternateEnclosure", NS)
    assert alt.get("type") == "audio/ogg" and alt.get("codecs") == "opus"
    assert alt.get("bitrate") == "48000" and alt.get("title") == "Opus"
    (source,) = alt.findall("podcast:source", NS)
    path = site.show.output_dir / source.get("uri")[len(site.show.url):]
    assert int(alt.get("length")) == path.stat().st_size
    integrity = alt.find("podcast:integrity", NS)
    digest = hashlib.sha384(path.read_bytes()).digest()
    import base64
    assert integrity.attrib == {"type": "sri",
                                "value": "sha384-" + base64.b64encode(digest).decode()}
    chapters = item.findall("psc:chapters/psc:chapter", NS)
    # toc: false chapters are hidden in JSON chapters, and left out of Podlove's.
    assert [(c.get("start"), c.get("title")) for c in chapters] == [
        ("00:00:00.000", "Cold open"), ("00:00:00.500", "The witness")]
    assert chapters[1].get("href") == "https://www.gov.uk/ACT"
    assert (site.show.output_dir / chapters[1].get("image")[len(site.show.url):]).is_file()
    assert item.find("podcast:chapters", NS) is not None  # both forms, side by side
    assert item.find("podcast:license", NS).text == "cc-by-nd-4.0"
    assert item.find("podcast:location", NS).text == "Birmingham"
    assert item.find("podcast:socialInteract", NS).get("uri").endswith("/2")
    assert item.find("podcast:txt", NS).text == "ep1-ok"
    assert item.find("podcast:image", NS).get("href").startswith(
        site.show.url + "artwork/multiple-bombings-")
    assert item.find("podcast:soundbite", NS).get("startTime") == "0.2"


def test_the_rules_pass_the_feed(built):
    site, xml = built
    problems = check_feed_bytes(xml, site.show.output_dir, now=site.build_date)
    assert [str(p) for p in problems if p.is_error] == []


def test_feedparser_sees_the_new_tags(built):
    site, xml = built
    d = feedparser.parse(xml)
    assert not d.bozo
    assert [ln.href for ln in d.feed.links if ln.rel == "hub"] == [HUB]
    assert d.feed.podcast_license == "cc-by-4.0"
    entry = next(e for e in d.entries if e.title == "Multiple Bombings")
    assert entry.psc_chapters["version"] == "1.2"
    assert [(c["start"], c["title"]) for c in entry.psc_chapters["chapters"]] == [
        ("00:00:00.000", "Cold open"), ("00:00:00.500", "The witness")]
    assert entry.psc_chapters["chapters"][1]["href"] == "https://www.gov.uk/ACT"


def test_gpodder_reads_the_chapters(built):
    """gPodder shows the chapters podcastparser gives it: Podlove Simple Chapters."""
    site, xml = built
    p = podcastparser.parse(site.show.feed_url, io.BytesIO(xml))
    ep1 = next(e for e in p["episodes"] if e["title"] == "Multiple Bombings")
    assert [(c["start"], c["title"]) for c in ep1["chapters"]] == [(0, "Cold open"),
                                                                   (0, "The witness")]
    assert ep1["chapters"][1]["href"] == "https://www.gov.uk/ACT"
    assert ep1["chapters"][1]["image"].startswith(site.show.url + "episodes/multiple-bombings/")
    other = next(e for e in p["episodes"] if e["title"] == "Introducing Code Severe")
    assert "chapters" not in other or other["chapters"] == []


@pytest.mark.parametrize("mutate,expected", [
    (lambda x: x.replace(b'start="00:00:00.500"', b'start="half past"'),
     "psc:chapter 2 start 'half past' is not a time"),
    (lambda x: x.replace(b'start="00:00:00.500"', b'start="00:00:00.000"').replace(
        b'start="00:00:00.000" title="Cold open"', b'start="00:00:01.000" title="Cold open"'),
     "psc:chapter 2 starts before the chapter above it"),
    (lambda x: x.replace(b'value="sha384-', b'value="sha384-AAAA'),
     "podcast:integrity of "),
    (lambda x: x.replace(b'codecs="opus"', b'codecs="opus" length="7"').replace(
        b'type="audio/ogg" length=', b'type="audio/ogg" x='),
     "alternate enclosure length 7 is not the file's size"),
    (lambda x: x.replace(b'geo="geo:51.5072,-0.1276"', b'geo="51.5,-0.1"'),
     "podcast:location geo '51.5,-0.1' is not a geo: URI"),
    (lambda x: x.replace(f'feedGuid="{PODNEWS}"'.encode(), b'feedGuid="podnews"'),
     "podcast:remoteItem feedGuid 'podnews' is not a UUID"),
    (lambda x: x.replace(b'medium="publisher" ', b''),
     'podcast:publisher must hold exactly one podcast:remoteItem with medium="publisher"'),
    (lambda x: x.replace(b'<podcast:block id="google">yes', b'<podcast:block id="google">maybe'),
     "podcast:block 'maybe' is not yes or no"),
    (lambda x: x.replace(b'width="600"', b'width="601"'),
     "is 600x600 px, the feed says 601x600"),
    (lambda x: x.replace(b'startTime="0.2" duration="1"', b'startTime="200" duration="1"'),
     "podcast:soundbite ends at 201s, past the end of the episode"),
])
def test_the_rules_catch_broken_tags(built, mutate, expected):
    site, xml = built
    bad = mutate(xml)
    assert bad != xml
    problems = [str(p) for p in check_feed_bytes(bad, site.show.output_dir, now=site.build_date)
                if p.is_error]
    assert any(expected in p for p in problems), problems


def test_settings_are_validated_with_their_paths(tmp_path):
    root = make_show(tmp_path, location={"name": "London", "geo": "51.5,-0.1"},
                     podroll=[{"feed_url": "https://podnews.net/rss"}, {"feed_guid": "x"}],
                     block=["gogle"], social=[{"protocol": "smoke-signal", "uri": "x"}],
                     publish={"analytics_prefix": "https://op3.dev/e", "websub_hubs": ["hub"]},
                     audio={"alternates": ["opus", "flac"]})
    with pytest.raises(ValidationError) as info:
        load_show(root)
    text = str(info.value)
    for fragment in ["[show] location.geo: '51.5,-0.1' is not a geo: URI",
                     "[show] podroll[1].feed_guid: missing",
                     "[show] podroll[2].feed_guid: 'x' is not a UUID",
                     "[show] block: 'gogle' is not a Podcasting 2.0 service slug",
                     "[show] social[1].protocol: 'smoke-signal' is not one of",
                     "[publish] analytics_prefix: 'https://op3.dev/e' does not end in /",
                     "[publish] websub_hubs: [1]: 'hub' is not an absolute URL",
                     "[audio] alternates: [2]: 'flac' is not one of opus, aac"]:
        assert fragment in text, text


def test_new_feed_url_is_written_and_checked(tmp_path):
    root = make_show(tmp_path, new_feed_url="https://new.example.org/feed.xml")
    site = make_site(root)
    xml = render_feed(site)
    channel = etree.fromstring(xml).find("channel")
    assert channel.findtext("itunes:new-feed-url", namespaces=NS) == \
        "https://new.example.org/feed.xml"
    assert podcastparser.parse(site.show.feed_url, io.BytesIO(xml))["new_url"] == \
        "https://new.example.org/feed.xml"
    warnings = [str(p) for p in check_feed_bytes(xml, site.show.output_dir,
                                                 now=site.build_date)]
    assert any("the feed tells apps it moved to https://new.example.org/feed.xml" in w
               for w in warnings)
    own = make_show(tmp_path / "own", new_feed_url=site.show.feed_url)
    with pytest.raises(ValidationError, match="new_feed_url: is this feed's own URL"):
        load_show(own)


def test_podping_is_claimed_only_with_a_gateway(tmp_path):
    root = make_show(tmp_path, publish={"podping_url": "https://podping.cloud/"})
    channel = etree.fromstring(render_feed(make_site(root))).find("channel")
    assert channel.find("podcast:podping", NS).get("usesPodping") == "true"


# ---- analytics prefixes ------------------------------------------------------------

@pytest.mark.parametrize("prefix,start", [
    ("op3", "https://op3.dev/e,pg=8a1f5f6e-34c7-5b7e-9d4e-1f6b3a0c2d11/podcast.example.org/"),
    ("podtrac", "https://dts.podtrac.com/redirect.mp3/podcast.example.org/"),
    ("https://pdst.fm/e/", "https://pdst.fm/e/podcast.example.org/"),
])
def test_enclosures_carry_the_prefix_and_stay_the_same_media(tmp_path, prefix, start):
    root = make_show(tmp_path, [dict(slug="one", title="One"), dict(slug="two", title="Two")])
    plain = render_feed(make_site(root))
    text = (root / "podcast.toml").read_text()
    (root / "podcast.toml").write_text(text + f'\n[publish]\nanalytics_prefix = "{prefix}"\n')
    site = make_site(root)
    prefixed = render_feed(site)
    enclosures = [e.get("url") for e in etree.fromstring(prefixed).iter("enclosure")]
    assert len(enclosures) == 2 and all(u.startswith(start) for u in enclosures)
    # Adding, changing or removing a prefix: the same audio, so nothing to refuse.
    assert compare_feeds(plain, prefixed) == [] == compare_feeds(prefixed, plain)
    assert len(moved_media(plain, prefixed)) == 2
    # The objects behind the prefix are what prune must keep, and what the rules check.
    keys = keys_for(set(enclosures), site.show.url)
    assert keys == {b.media.key for b in site.episodes}
    assert unprefixed(enclosures[0], site.show.url).startswith(site.show.url + "media/")
    problems = check_feed_bytes(prefixed, site.show.output_dir, now=site.build_date)
    assert [p for p in problems if p.is_error] == []
    broken = prefixed.replace(b'length="', b'length="1', 1)
    assert any("is not the file's size" in str(p) for p in
               check_feed_bytes(broken, site.show.output_dir, now=site.build_date))


def test_an_imported_permalink_guid_stays_a_permalink(tmp_path):
    root = make_show(tmp_path, [dict(slug="one", title="One",
                                     guid="https://old.example.org/@show/episodes/one",
                                     guid_permalink=True),
                                dict(slug="two", title="Two", guid="Buzzsprout-2222222")])
    xml = render_feed(make_site(root))
    guids = {g.text: g.get("isPermaLink") for g in etree.fromstring(xml).iter("guid")}
    assert guids == {"https://old.example.org/@show/episodes/one": "true",
                     "Buzzsprout-2222222": "false"}
    entries = feedparser.parse(xml).entries
    assert {e.id for e in entries} == set(guids)


def test_social_interact_may_use_other_protocols(tmp_path):
    root = make_show(tmp_path, social=[{"protocol": "atproto",
                                        "uri": "at://did:plc:abc/app.bsky.feed.post/3k"}])
    site = make_site(root)
    problems = check_feed_bytes(render_feed(site), site.show.output_dir, now=site.build_date)
    assert [str(p) for p in problems if p.is_error] == []


def test_an_op3_prefix_naming_another_show_is_a_warning(tmp_path):
    from podcast.check import check

    root = make_show(tmp_path, publish={
        "analytics_prefix": f"https://op3.dev/e,pg={PODNEWS}/"})
    problems = [str(p) for p in check(root)]
    assert any("[publish] analytics_prefix: names the show " + PODNEWS in p for p in problems)
