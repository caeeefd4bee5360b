"""The built website: valid HTML5, escaped titles, sanitised notes, JSON-LD, links.

Everything runs the real assets, feed and page steps on a show made on disk
(silent MP3s stand in for the audio pipeline).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest
from sitekit import (
    all_elements,
    built_site,
    elements,
    json_ld,
    key_of,
    links,
    meta,
    parse_html5,
    text_of,
)

TITLE = "Fish & Chips <b>\"Bold\"</b> 'quoted' </script>"
HOSTILE_NOTES = """Before the attack.

<script>alert("x-script")</script>

An image <img src="x.png" onerror="alert('x-onerror')"> inline.

[click me](javascript:alert('x-js')) and <a href="javascript:alert('x-js2')">this</a>.

<iframe src="https://evil.example/frame"></iframe>

<style>body { display: none }</style>

<p style="color:red" onclick="alert('x-click')">Styled</p>

A [fine link](https://www.gov.uk/ACT "ACT").
"""
VTT = """WEBVTT

00:00:00.000 --> 00:00:01.500
<v Narrator>In March 2020 & later, <i>quietly</i>:

00:00:01.600 --> 00:00:02.400
<v Narrator>the officers moved in.

00:00:06.000 --> 00:00:07.000
<v Officer>We had minutes.
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site")
    episodes = [
        {"slug": "multiple-bombings", "title": "Multiple Bombings", "master_seconds": 8,
         "notes": "A former Special Branch officer races to secure evidence.\n",
         "chapters": [{"start": "0:00", "title": "Cold open"},
                      {"start": "0:05", "title": "The search & the <find>"}],
         "transcript": ("vtt", VTT), "cover": True,
         "persons": [{"name": "Mark Strong", "role": "narrator"},
                     {"name": "A & <B>", "role": "guest", "href": "https://example.org/ab"}]},
        {"slug": "hostile", "title": TITLE, "notes": HOSTILE_NOTES},
        {"slug": "third", "title": "The Informant", "summary": "A summary of its own."},
    ]
    return built_site(tmp, episodes, durations={"multiple-bombings": 8.0},
                      subscribe={"apple": "https://podcasts.apple.com/gb/podcast/id1",
                                 "spotify": "https://open.spotify.com/show/abc"})


def test_writes_every_page_and_support_file(built):
    expected = {"index.html", "search.html", "subscribe.html", "style.css", "sitemap.xml",
                "robots.txt", "favicon.ico"}
    for slug in ("multiple-bombings", "hostile", "third"):
        expected |= {f"episodes/{slug}/index.html", f"episodes/{slug}/embed.html"}
    expected.add("episodes/multiple-bombings/transcript.html")
    assert expected <= built.keys
    assert "episodes/hostile/transcript.html" not in built.keys  # no transcript, no page
    for key in expected:
        assert (built.out / key).is_file(), key
    from PIL import Image
    with Image.open(built.out / "favicon.ico") as ico:
        assert ico.format == "ICO"
    (icon,) = [k for k in built.keys if k.startswith("artwork/icon-")]
    with Image.open(built.out / icon) as png:
        assert png.size == (180, 180)


def test_every_page_parses_as_html5(built):
    for key in built.html_keys():
        data = built.read(key)
        assert data.startswith("<!doctype html>"), key
        tree = parse_html5(data, key)
        html = tree
        assert html.get("lang") == "en-gb", key
        assert len(list(elements(tree, "h1"))) == 1, key


def test_headings_never_skip_a_level(built):
    for key in built.html_keys():
        tree = parse_html5(built.read(key), key)
        levels = [int(tag[1]) for tag, _ in all_elements(tree)
                  if re.fullmatch(r"h[1-6]", tag)]
        assert levels[0] == 1, key
        for before, after in zip(levels, levels[1:]):
            assert after <= before + 1, f"{key}: h{before} followed by h{after}"


def _active_content(tree, key: str = "") -> list[str]:
    """Anything in a page that could run code or restyle it, except our own scripts
    (and the search page's own form, on that page only: no notes are shown there)."""
    found = []
    for tag, el in all_elements(tree):
        if tag == "form" and key == "search.html" and el.get("role") == "search":
            continue
        if tag in ("iframe", "style", "object", "embed", "frame", "base", "form"):
            found.append(f"<{tag}>")
        own = re.fullmatch(r"(\.\./)*player\.js\?v=[0-9a-f]{10}", el.get("src") or "")
        if tag == "script" and el.get("type") != "application/ld+json" and (
                (el.get("src") and not own) or "alert" in (el.text or "")):
            found.append("<script>")
        for name, value in el.attrib.items():
            if name.lower().startswith("on") or name.lower() == "style":
                found.append(f"{tag}[{name}]")
            if "javascript:" in value.replace(" ", "").lower():
                found.append(f"{tag}[{name}={value}]")
    return found


def test_hostile_notes_leave_no_trace_in_pages(built):
    for key in built.html_keys():
        data = built.read(key)
        tree = parse_html5(data, key)
        assert _active_content(tree, key) == [], key
        for needle in ("<script>alert", "<iframe", "<style", " onerror=", " onclick="):
            assert needle not in data, (key, needle)
        # Not even as escaped text: raw HTML is neither rendered nor shown.
        for needle in ("alert", "javascript", "iframe", "onerror", "onclick", "display: none",
                       "evil.example"):
            assert needle not in data, (key, needle)
    page = built.read("episodes/hostile/index.html")
    assert '<a href="https://www.gov.uk/ACT" title="ACT" rel="noopener noreferrer">' in page
    assert "<p>Before the attack.</p>" in page and "click me" in page  # the prose stays


def test_hostile_notes_leave_no_trace_in_feed(built):
    xml = (built.out / "feed.xml").read_text(encoding="utf-8")
    parsed = feedparser.parse(xml)
    entry = next(e for e in parsed.entries if e.title == TITLE)
    for fragment in [entry.summary] + [c.value for c in entry.get("content", [])]:
        tree = parse_html5(f"<!doctype html><title>x</title>{fragment}", "feed item")
        assert _active_content(tree) == []
    for needle in ("<script", "<iframe", "<style", "onerror", "onclick", "javascript",
                   "alert", "iframe", "evil.example", "display: none"):
        assert needle not in xml, needle


def test_title_is_escaped_everywhere(built):
    key = "episodes/hostile/index.html"
    data = built.read(key)
    assert "<b>" not in data and '"Bold"' not in data.replace("\\u003c", "")
    tree = parse_html5(data, key)
    assert text_of(next(elements(tree, "h1"))) == " ".join(TITLE.split())
    assert text_of(next(elements(tree, "title"))).startswith(" ".join(TITLE.split()))
    assert meta(tree, "og:title") == TITLE
    assert meta(tree, "twitter:title") == TITLE
    assert json_ld(tree)[0]["name"] == TITLE
    # The index and the neighbours' pager links show it as text too.
    for other in ("index.html", "episodes/multiple-bombings/index.html",
                  "episodes/third/index.html", "episodes/hostile/embed.html"):
        page = built.read(other)
        assert "<b>&#34;Bold" not in page and "<b>\"Bold" not in page, other
        texts = [text_of(a) for a in elements(parse_html5(page, other), "a")]
        assert any(" ".join(TITLE.split()) in t for t in texts), other
    feed = feedparser.parse((built.out / "feed.xml").read_bytes())
    assert TITLE in [e.title for e in feed.entries]


def test_json_ld_names_episode_series_and_audio(built):
    show = built.site.show
    for b in built.site.episodes:
        ep = b.episode
        key = f"episodes/{ep.slug}/index.html"
        (data,) = json_ld(parse_html5(built.read(key), key))
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "PodcastEpisode"
        assert data["name"] == ep.title
        assert data["url"] == f"{show.url}episodes/{ep.slug}/index.html"
        assert data["datePublished"] == ep.date.isoformat()
        assert data["associatedMedia"]["contentUrl"] == show.url + b.media.key
        assert data["associatedMedia"]["encodingFormat"] == "audio/mpeg"
        series = data["partOfSeries"]
        assert series["@type"] == "PodcastSeries"
        assert series["name"] == show.title
        assert series["webFeed"] == show.url + "feed.xml"
    (index,) = json_ld(parse_html5(built.read("index.html")))
    assert index["@type"] == "PodcastSeries" and index["webFeed"] == show.feed_url
    assert index["name"] == show.title


def test_json_ld_cannot_close_its_script_block(built):
    raw = built.read("episodes/hostile/index.html")
    block = raw.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block
    assert json.loads(block)["name"] == TITLE


def test_head_metadata(built):
    show = built.site.show
    b = built.site.episodes[0]
    key = "episodes/multiple-bombings/index.html"
    tree = parse_html5(built.read(key), key)
    head = {el.get("rel"): el for el in elements(tree, "link")}
    assert head["canonical"].get("href") == f"{show.url}episodes/multiple-bombings/index.html"
    assert head["alternate"].get("type") == "application/rss+xml"
    assert head["alternate"].get("href") == show.feed_url
    audio_url = show.url + b.media.key
    assert meta(tree, "og:audio") == audio_url
    assert meta(tree, "og:audio:type") == "audio/mpeg"
    assert meta(tree, "og:image") == show.url + b.image_key
    assert meta(tree, "og:image:alt")
    assert meta(tree, "og:url") == f"{show.url}episodes/multiple-bombings/index.html"
    assert meta(tree, "twitter:card") == "player"
    assert meta(tree, "twitter:player") == f"{show.url}episodes/multiple-bombings/embed.html"
    assert meta(tree, "twitter:player:stream") == audio_url
    assert meta(tree, "description").startswith("A former Special Branch officer")
    index = parse_html5(built.read("index.html"))
    assert meta(index, "og:image") == show.url + built.site.artwork_key
    assert meta(index, "twitter:card") == "summary"


def test_episode_page_player_chapters_transcript(built):
    key = "episodes/multiple-bombings/index.html"
    tree = parse_html5(built.read(key), key)
    b = built.site.episodes[0]
    (audio,) = elements(tree, "audio")
    assert audio.get("preload") == "none"
    assert audio.get("autoplay") is None
    assert audio.get("controls") is not None
    assert audio.get("src") == f"../../{b.media.key}"
    assert audio.get("aria-label") == "Episode audio: Multiple Bombings"  # its accessible name
    # The player's own controls know the length before anything loads (shown by player.js).
    (controls,) = [el for el in elements(tree, "div") if el.get("id") == "controls"]
    assert controls.get("hidden") is not None and text_of(controls) == "0:00 / 0:08 1×"
    (seek,) = elements(controls, "input")
    assert (seek.get("max"), seek.get("aria-valuetext")) == ("7.993", "0:00 of 0:08")
    (track,) = elements(tree, "track")
    assert track.get("kind") == "captions" and track.get("src").endswith("transcript.vtt")
    downloads = [a for a in elements(tree, "a") if a.get("download") is not None]
    assert any(a.get("href") == f"../../{b.media.key}" for a in downloads)
    chapters = [(a.get("href"), text_of(a)) for a in elements(tree, "a")
                if (a.get("href") or "").startswith("#t=")
                and (a.get("class") or "") not in ("stamp", "cue")]
    assert chapters == [("#t=0", "0:00 Cold open"), ("#t=5", "0:05 The search & the <find>")]
    times = [t.get("datetime") for ol in elements(tree, "ol") if ol.get("class") == "chapters"
             for t in elements(ol, "time")]
    assert times == ["PT0S", "PT5S"]
    img = next(el for el in elements(tree, "img") if "cover" in el.get("class", ""))
    assert img.get("alt") == "Cover art for Multiple Bombings"
    text = text_of(tree)
    assert "In March 2020 & later, quietly: the officers moved in." in text  # cues joined
    assert "Narrator:" in text and "Officer:" in text
    assert "Act on your instincts" in text and "0800 789 321" in text  # the call to action
    assert "Season 1, episode 1" in text and "9 March 2020" in text and "0:08" in text


def test_credits_from_podcast_person(built):
    tree = parse_html5(built.read("episodes/multiple-bombings/index.html"))
    credits = [text_of(li) for ul in elements(tree, "ul") if ul.get("class") == "credits"
               for li in ul]
    assert credits == ["Narrator: Mark Strong", "Guest: A & <B>"]
    assert 'href="https://example.org/ab"' in built.read("episodes/multiple-bombings/index.html")
    # Without persons of its own, an episode has none listed (the fixture show has none).
    assert 'class="credits"' not in built.read("episodes/third/index.html")


def test_every_episode_page_carries_the_call_to_action(built):
    for b in built.site.episodes:
        page = built.read(f"episodes/{b.episode.slug}/index.html")
        assert 'href="https://www.gov.uk/ACT"' in page
        assert page.count("0800 789 321") == 1


def test_call_to_action_is_not_repeated_when_the_notes_carry_it(tmp_path):
    from showfactory import DEFAULT_SHOW
    built = built_site(tmp_path, [{"notes": "Story.\n\n" + DEFAULT_SHOW["call_to_action"]}])
    page = built.read("episodes/episode-1/index.html")
    assert page.count("0800 789 321") == 1
    assert 'class="cta"' not in page


def test_previous_and_next_links(built):
    def pager(slug):
        tree = parse_html5(built.read(f"episodes/{slug}/index.html"))
        return {a.get("rel"): a.get("href") for a in elements(tree, "a") if a.get("rel") in ("prev", "next")}

    assert pager("multiple-bombings") == {"next": "../../episodes/hostile/index.html"}
    assert pager("hostile") == {"prev": "../../episodes/multiple-bombings/index.html",
                                "next": "../../episodes/third/index.html"}
    assert pager("third") == {"prev": "../../episodes/hostile/index.html"}


def test_index_lists_a_serial_oldest_first_with_subscribe_links(built):
    tree = parse_html5(built.read("index.html"))
    titles = [text_of(h) for h in elements(tree, "h3")]
    assert titles == ["Multiple Bombings", " ".join(TITLE.split()), "The Informant"]
    assert buttons(tree) == [("Apple Podcasts", "https://podcasts.apple.com/gb/podcast/id1"),
                             ("Spotify", "https://open.spotify.com/show/abc"),
                             ("Any podcast app", "subscribe.html")]
    assert built.site.show.feed_url in text_of(tree)


def buttons(tree) -> list[tuple[str, str]]:
    """(text, href) of the subscribe buttons (``ul.buttons``) of a page."""
    return [(text_of(a), a.get("href")) for ul in elements(tree, "ul")
            if ul.get("class") == "buttons" for a in elements(ul, "a")]


def test_episodic_show_lists_newest_first(tmp_path):
    built = built_site(tmp_path, [{"title": "Old"}, {"title": "New"}], type="episodic")
    tree = parse_html5(built.read("index.html"))
    assert [text_of(h) for h in elements(tree, "h3")] == ["New", "Old"]


def test_transcript_page_links_back_into_the_player(built):
    key = "episodes/multiple-bombings/transcript.html"
    tree = parse_html5(built.read(key), key)
    stamps = [a.get("href") for a in elements(tree, "a") if a.get("class") == "stamp"]
    assert stamps == ["../../episodes/multiple-bombings/index.html#t=0",
                      "../../episodes/multiple-bombings/index.html#t=6"]


def test_embed_page_is_a_small_player(built):
    key = "episodes/multiple-bombings/embed.html"
    tree = parse_html5(built.read(key), key)
    (audio,) = elements(tree, "audio")
    assert audio.get("preload") == "none" and audio.get("autoplay") is None
    assert meta(tree, "robots") == "noindex"


def test_every_internal_link_and_asset_resolves(built):
    base = built.site.show.url
    checked = 0
    for key in built.html_keys():
        for tag, url in links(parse_html5(built.read(key), key)):
            target = key_of(url, base, key)
            if target is None:
                continue
            if "#" in url and target == key:
                continue  # an anchor in the same page
            target = target.split("?")[0]
            assert (built.out / target).is_file(), f"{key}: <{tag}> {url} -> {target} missing"
            checked += 1
    assert checked > 50
    # The feed's and the sitemap's URLs point at files too.
    feed = (built.out / "feed.xml").read_text(encoding="utf-8")
    sitemap = ET.parse(built.out / "sitemap.xml").getroot()
    urls = re.findall(r'(?:url|href)="([^"]+)"', feed)
    urls += [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    for url in urls:
        target = key_of(url, base, "feed.xml")
        if target is not None:
            assert (built.out / target).is_file(), f"{url} -> {target} missing"


def test_sitemap_and_robots(built):
    root = ET.parse(built.out / "sitemap.xml").getroot()
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locs = [u.find(f"{ns}loc").text for u in root]
    show = built.site.show
    assert locs[0] == show.url + "index.html"
    assert f"{show.url}episodes/multiple-bombings/index.html" in locs
    assert f"{show.url}episodes/multiple-bombings/transcript.html" in locs
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", u.find(f"{ns}lastmod").text) for u in root)
    robots = built.read("robots.txt")
    assert f"Sitemap: {show.url}sitemap.xml" in robots and "Disallow" not in robots


def test_feed_links_lead_to_the_subscribe_page_and_apps_still_find_the_feed(built):
    show = built.site.show
    for key in built.html_keys():
        tree = parse_html5(built.read(key), key)
        # Apps and browser extensions discover the feed; a listener's click goes to a page.
        alternate = [el.get("href") for el in elements(tree, "link")
                     if el.get("rel") == "alternate"]
        assert alternate == ([] if key.endswith("embed.html") else [show.feed_url]), key
        assert show.feed_url not in [el.get("href") for el in elements(tree, "a")], key
    index = parse_html5(built.read("index.html"))
    assert [el.get("href") for el in elements(index, "a") if text_of(el) == "Subscribe"] == [
        "subscribe.html"]
    page = parse_html5(built.read("subscribe.html"), "subscribe.html")
    assert text_of(next(elements(page, "h1"))) == "Follow Code Severe"
    assert meta(page, "og:url") == show.url + "subscribe.html"
    (box,) = [el for el in elements(page, "input") if el.get("id") == "feed-url"]
    assert box.get("value") == show.feed_url and box.get("readonly") is not None
    (copy,) = [el for el in elements(page, "button") if el.get("id") == "copy"]
    assert copy.get("hidden") is not None  # shown by the script, which can copy
    assert buttons(page) == [("Apple Podcasts", "https://podcasts.apple.com/gb/podcast/id1"),
                             ("Spotify", "https://open.spotify.com/show/abc")]
    assert "Follow a Show by URL" in built.read("subscribe.html")


def test_subscribe_page_without_directories(tmp_path):
    built = built_site(tmp_path, [{"slug": "one", "title": "One"}])
    page = built.read("subscribe.html")
    assert 'id="directories"' not in page and 'id="feed-url"' in page
    index = parse_html5(built.read("index.html"))
    assert buttons(index) == [("Any podcast app", "subscribe.html")]


def _absolute_urls(built) -> set[str]:
    """Every absolute URL under the show's base in the feed, the sitemap and the pages
    (attributes, meta tags, JSON-LD, embed links: all of the text)."""
    base = re.escape(built.site.show.url)
    found = set()
    for key in [*built.html_keys(), "feed.xml", "sitemap.xml", "robots.txt"]:
        found |= set(re.findall(base + r"[^\"'<>\s\\]*", built.read(key)))
    return found


def test_every_page_url_opens_on_a_plain_bucket(built):
    """A bucket serves exactly the key asked for: no link may rely on index documents."""
    urls = _absolute_urls(built)
    assert f"{built.site.show.url}episodes/multiple-bombings/index.html" in urls
    for url in urls:
        key = url[len(built.site.show.url):].split("#")[0]
        assert key and (built.out / key).is_file(), f"{url} names no file in feed/"


def test_pretty_urls_address_pages_by_their_folder(tmp_path):
    built = built_site(tmp_path, [{"slug": "one", "title": "One",
                                   "transcript": ("vtt", VTT)}],
                       publish={"pretty_urls": True})
    show_url = built.site.show.url
    urls = _absolute_urls(built)
    assert f"{show_url}episodes/one/" in urls and show_url in urls
    assert not any(u.endswith("index.html") for u in urls)
    assert f'<link rel="canonical" href="{show_url}episodes/one/">' in built.read(
        "episodes/one/index.html")
    feed = built.read("feed.xml")
    assert f"<link>{show_url}episodes/one/</link>" in feed
    assert f"<link>{show_url}</link>" in feed
