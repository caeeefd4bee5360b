"""`podcast check` on the built feed: each broken rule reported with its episode."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from lxml import etree
from showfactory import make_show, make_site, rich_episodes, write_image

from podcast.cli import cli
from podcast.feed import write_feed
from podcast.feed.rules import check_feed_bytes

NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd"}
IT = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


@pytest.fixture
def built(tmp_path):
    root = make_show(tmp_path, rich_episodes())
    site = make_site(root)
    write_feed(site, site.show.output_dir)
    return site


def feed_tree(site):
    return etree.fromstring((site.show.output_dir / "feed.xml").read_bytes())


def check(site, root_el=None, xml: bytes | None = None):
    if xml is None:
        xml = etree.tostring(root_el if root_el is not None else feed_tree(site))
    episodes = [b.episode for b in site.episodes]
    return check_feed_bytes(xml, site.show.output_dir, episodes)


def messages(problems, severity="error"):
    return [f"{p.field}: {p.message}" for p in problems if p.severity == severity]


def item(root, slug_title: str):
    return next(i for i in root.iterfind("channel/item") if i.findtext("title") == slug_title)


def test_a_freshly_built_feed_passes(built):
    problems = check(built)
    assert messages(problems) == []
    # Angle brackets in a title are legal XML text, but some apps render titles as HTML.
    assert [p.message.endswith("contains markup") for p in problems] == [True]


def test_enclosure_problems(built):
    root = feed_tree(built)
    ep1, ep2 = item(root, "Multiple Bombings"), item(root, "Introducing Code Severe")
    ep1.find("enclosure").set("length", "12345")
    ep2.find("enclosure").set("url", ep1.find("enclosure").get("url"))
    ep2.find("enclosure").set("type", "audio/mp3")
    got = messages(check(built, root))
    size = (built.show.output_dir / ep1.find("enclosure").get("url")[len(built.show.url):]) \
        .stat().st_size
    assert f"episode multiple-bombings: enclosure length 12345 is not the file's size " \
           f"({size} bytes)" in got
    assert any(m.startswith("episode trailer: enclosure URL ") and
               m.endswith("is also used by episode multiple-bombings") for m in got)
    assert "episode trailer: enclosure type 'audio/mp3' is not audio/mpeg" in got


def test_guid_rules(built):
    root = feed_tree(built)
    ep1, ep2 = item(root, "Multiple Bombings"), item(root, "Introducing Code Severe")
    ep2.find("guid").text = ep1.find("guid").text
    got = messages(check(built, root))
    assert any("is also the guid of episode multiple-bombings" in m for m in got)


def test_urls_must_be_absolute_https(built):
    root = feed_tree(built)
    ep = item(root, "Multiple Bombings")
    url = ep.find("enclosure").get("url")
    ep.find("enclosure").set("url", url.replace("https://", "http://"))
    ep.find(IT + "image").set("href", "artwork/relative.jpg")
    got = messages(check(built, root))
    assert f"episode multiple-bombings: <enclosure url> {url.replace('https', 'http')} " \
           "is not https" in got
    assert "episode multiple-bombings: <image href> 'artwork/relative.jpg' is not an " \
           "absolute URL" in got


def test_channel_rules(built):
    root = feed_tree(built)
    ch = root.find("channel")
    ch.find(IT + "explicit").text = "no"
    ch.find("{https://podcastindex.org/namespace/1.0}guid").text = "code-severe"
    ch.find(IT + "category").set("text", "Crime")
    sub = etree.SubElement(ch.findall(IT + "category")[1], IT + "category", text="Drama")
    assert sub is not None
    owner = ch.find(IT + "owner")
    owner.remove(owner.find(IT + "email"))
    long_html = "<p>" + "x" * 4100 + "</p><script>x</script>"
    ch.find("description").text = etree.CDATA(long_html)
    problems = check(built, root)
    got = messages(problems)
    # Legal RSS, but the W3C validator warns (ContainsHTML) and gPodder shows the tags.
    assert "channel: description contains HTML (<p>)" in messages(problems, "warning")
    assert "channel: itunes:explicit 'no' is not true or false" in got
    assert "channel: podcast:guid 'code-severe' is not a UUID" in got
    assert "channel: itunes:category 'Crime' is not an Apple Podcasts category" in got
    assert "channel: itunes:category 'Drama' is not a sub-category of 'True Crime'" in got
    assert "channel: <itunes:owner> has no <itunes:email>" in got
    assert f"channel: description is {len(long_html)} bytes, over Apple's 4000" in got
    assert "channel: description contains <script>" in got


def test_item_rules(built):
    root = feed_tree(built)
    ep = item(root, "Multiple Bombings")
    ep.find("pubDate").text = "Mon, 09 Mar 2020 10:00:00"
    ep.find(IT + "duration").text = "about an hour"
    ep.find(IT + "episode").text = "0"
    ep.find(IT + "episodeType").text = "special"
    ep.find("{http://purl.org/rss/1.0/modules/content/}encoded").text = "<p>ok</p><img src=x>"
    other = item(root, "Introducing Code Severe")
    other.find("pubDate").text = "Fri, 01 Jan 2100 10:00:00 +0000"
    problems = check(built, root)
    got = messages(problems)
    assert "episode multiple-bombings: pubDate 'Mon, 09 Mar 2020 10:00:00' has no time zone" \
        in got
    assert "episode multiple-bombings: itunes:duration 'about an hour' is not a positive " \
           "duration" in got
    assert "episode multiple-bombings: itunes:episode '0' is not a positive whole number" in got
    assert "episode multiple-bombings: itunes:episodeType 'special' is not full, trailer or " \
           "bonus" in got
    assert "episode multiple-bombings: content:encoded contains <img>" in got
    assert "episode trailer: pubDate Fri, 01 Jan 2100 10:00:00 +0000 is in the future" in \
        messages(problems, "warning")


def test_artwork_rules(built):
    out = built.show.output_dir
    art = out / built.artwork_key
    write_image(art, (1200, 1200))
    ep_art = next(b.image_key for b in built.episodes if b.image_key)
    write_image(out / ep_art, (1600, 1500))
    got = messages(check(built))
    assert f"channel: artwork {art.name} is 1200x1200 px, smaller than 1400x1400" in got
    assert f"episode multiple-bombings: artwork {ep_art.split('/')[-1]} is 1600x1500 px, " \
           "not square" in got
    write_image(art, (1400, 1400), mode="CMYK")
    assert f"channel: artwork {art.name} has colour mode CMYK, not RGB" in messages(check(built))


def test_control_characters_are_reported_with_their_episode(built):
    xml = (built.show.output_dir / "feed.xml").read_bytes()
    xml = xml.replace(b"<title>Multiple Bombings</title>", b"<title>Multiple\x7f Bombings</title>")
    got = messages(check(built, xml=xml))
    assert len(got) == 1 and got[0].startswith("episode multiple-bombings: line ")
    assert got[0].endswith("has control character U+007F")
    broken = xml.replace(b"Multiple\x7f", b"Multiple\x01")
    got = messages(check(built, xml=broken))
    assert any(m.endswith("has control character U+0001") for m in got)
    assert any("is not well-formed XML" in m for m in got)


def test_podcast_check_reports_the_built_feed(built):
    feed = built.show.output_dir / "feed.xml"
    root = feed_tree(built)
    item(root, 'Under Surveillance: "Wires" & <Watchers> 🎧').find("enclosure").set(
        "type", "audio/mp3")
    feed.write_bytes(etree.tostring(root))
    result = CliRunner().invoke(cli, ["--root", str(built.show.root), "check"])
    assert result.exit_code == 1, result.output
    assert "error: feed/feed.xml: episode under-surveillance: enclosure type 'audio/mp3' is " \
           "not audio/mpeg. audio/mp3 is not a registered type; apps reject it." in result.output


@pytest.mark.parametrize("xml", [
    b"<rss version='2.0'><channel/></rss>",
    b"<rss><channel><item/><item><enclosure/><guid/></item></channel></rss>",
    b"<rss><channel><atom:link xmlns:atom='http://www.w3.org/2005/Atom' rel='self'/>"
    b"<item><enclosure url='' length='-1' type=''/><pubDate>never</pubDate></item>"
    b"</channel></rss>",
    b"<feed xmlns='http://www.w3.org/2005/Atom'/>",
    b"",
])
def test_odd_feeds_give_problems_not_exceptions(tmp_path, xml):
    problems = check_feed_bytes(xml, tmp_path)
    assert any(p.is_error for p in problems)
    assert all(p.where == "feed/feed.xml" for p in problems)
