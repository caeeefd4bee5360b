"""Feeds written the way other hosts write them, for `podcast import` tests.

Each fixture follows the shape of that host's published feeds, as their
public documentation and feeds show it (written here by hand, no host's
files copied): Buzzsprout (``Buzzsprout-NNN`` guids, ID3 chapters in the MP3),
Libsyn (CDATA guids, ``traffic.libsyn.com/secure/...?dest-id=`` enclosures,
MM:SS durations), Anchor/Spotify (play URLs wrapping the real m4a, escaped
HTML notes), Transistor (a redirecting analytics prefix, JSON chapters, SRT
and JSON transcripts, podcast:person, a hub), Megaphone (``length="0"``,
``?updated=`` query, bonus episodes), Castopod (guids that are the episode
page's URL, podcast:guid, locked, location, soundbites, socialInteract) and
Podlove Publisher (inline psc:chapters). The media are real, short audio
files made with ffmpeg; everything is served by ``hosts.Host`` on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from audio_helpers import ffmpeg, show_with_master, speech_like
from showfactory import write_image

from podcast.show.probe import probe

PODNEWS_GUID = "9b024349-ccf0-5f69-a609-6b82873eab3c"


@dataclass
class Media:
    data: bytes
    seconds: float
    kind: str  # MIME type


def make_media(tmp: Path) -> dict[str, Media]:
    """on_target.mp3 (-16 LUFS CBR: published as it is), quiet.mp3 (needs mastering),
    chaptered.mp3 (on target, with ID3 CHAP frames), spoken.m4a (AAC, Anchor's)."""
    from podcast.audio import process
    from podcast.show import load_project

    root = show_with_master(tmp / "maker", gain_db=-9.0, seconds=7.2)
    project = load_project(root)
    (done,) = process(project.show, project.episodes, jobs=1)
    on_target = tmp / "on_target.mp3"
    shutil.copyfile(done.media.path, on_target)
    quiet_wav = speech_like(tmp / "quiet.wav", seconds=6.2, gain_db=-16.0)
    quiet = tmp / "quiet.mp3"
    ffmpeg("-i", str(quiet_wav), "-c:a", "libmp3lame", "-b:a", "128k", "-ar", "44100",
           str(quiet))
    m4a = tmp / "spoken.m4a"
    ffmpeg("-i", str(quiet_wav), "-af", "volume=8dB", "-c:a", "aac", "-b:a", "96k", str(m4a))
    chaptered = tmp / "chaptered.mp3"
    shutil.copyfile(on_target, chaptered)
    _id3_chapters(chaptered, [(0, "Cold open"), (2500, "The evidence"), (5000, "Act")])
    out = {}
    for path, kind in ((on_target, "audio/mpeg"), (quiet, "audio/mpeg"),
                       (chaptered, "audio/mpeg"), (m4a, "audio/x-m4a")):
        out[path.name] = Media(path.read_bytes(), probe(path).duration, kind)
    return out


def _id3_chapters(path: Path, marks: list[tuple[int, str]]) -> None:
    from mutagen import id3

    tags = id3.ID3(path)
    end = int(probe(path).duration * 1000)
    for i, (start, title) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else end
        tags.add(id3.CHAP(element_id=f"ch{i}", start_time=start, end_time=stop,
                          sub_frames=[id3.TIT2(encoding=3, text=[title])]))
    tags.add(id3.CTOC(element_id="toc", flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
                      child_element_ids=[f"ch{i}" for i in range(len(marks))],
                      sub_frames=[id3.TIT2(encoding=3, text=["Chapters"])]))
    tags.save(path)


def art(tmp: Path, name: str, colour=(30, 60, 160), size=(1400, 1400)) -> bytes:
    return write_image(tmp / f"{name}.jpg", size, "RGB", colour).read_bytes()


def clock(seconds: float, hours: bool = True) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" if hours else \
        f"{s // 60:02d}:{s % 60:02d}"


HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom"
 xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:psc="http://podlove.org/simple-chapters"
 xmlns:libsyn="http://libsyn.com/libsyn-rss-spec" xmlns:googleplay="http://www.google.com/schemas/play-podcasts/1.0">
<channel>
"""


@dataclass
class Source:
    """A fixture show: its feed's URL and what an importer must find in it."""

    name: str
    feed_url: str
    episodes: list[dict]  # guid, title, date (RFC 2822), seconds, and extras to check


def publish_all(host, tmp: Path, media: dict[str, Media]) -> dict[str, Source]:
    """Serve every fixture host's feed and files; returns them by host name."""
    b = host.base
    shows = {}
    m = media
    cover = art(tmp, "cover")
    host.add("/art/cover.jpg", cover, "image/jpeg")
    host.add("/art/episode.jpg", art(tmp, "episode", (160, 40, 40)), "image/jpeg")
    host.add("/art/small.jpg", art(tmp, "small", size=(300, 300)), "image/jpeg")

    # ---- Buzzsprout -------------------------------------------------------------
    host.add("/111111/2222222-the-evidence.mp3", m["chaptered.mp3"].data, "audio/mpeg")
    host.add("/111111/2222223-the-witness.mp3", m["quiet.mp3"].data, "audio/mpeg")
    eps = [dict(guid="Buzzsprout-2222222", title="The Evidence", num=1,
                date="Mon, 09 Mar 2020 10:00:00 +0000", media="chaptered.mp3",
                path="/111111/2222222-the-evidence.mp3", chapters=3),
           dict(guid="Buzzsprout-2222223", title="The Witness: what she saw & did", num=2,
                date="Mon, 16 Mar 2020 10:00:00 +0000", media="quiet.mp3",
                path="/111111/2222223-the-witness.mp3")]
    items = "".join(f"""<item>
<itunes:itunesTitle>{e['title'].replace('&', '&amp;')}</itunes:itunesTitle>
<title>{e['title'].replace('&', '&amp;')}</title>
<description><![CDATA[<p>Notes for <b>{e['title']}</b>.</p><p>Report at <a href="https://www.gov.uk/ACT">gov.uk/ACT</a>.</p><script>alert(1)</script>]]></description>
<content:encoded><![CDATA[<p>Notes for <b>{e['title']}</b>.</p><p>Report at <a href="https://www.gov.uk/ACT">gov.uk/ACT</a>.</p><script>alert(1)</script>]]></content:encoded>
<itunes:author>Counter Terrorism Policing</itunes:author>
<itunes:summary>Notes for {e['title'].replace('&', '&amp;')}.</itunes:summary>
<enclosure url="{b}{e['path']}" length="{len(m[e['media']].data)}" type="audio/mpeg" />
<guid isPermaLink="false">{e['guid']}</guid>
<pubDate>{e['date']}</pubDate>
<itunes:duration>{round(m[e['media']].seconds)}</itunes:duration>
<itunes:keywords>security</itunes:keywords>
<itunes:season>1</itunes:season>
<itunes:episode>{e['num']}</itunes:episode>
<itunes:episodeType>full</itunes:episodeType>
<itunes:explicit>false</itunes:explicit>
</item>
""" for e in eps)
    feed = HEAD + f"""<atom:link href="{b}/buzzsprout/111111.rss" rel="self" type="application/rss+xml" />
<title>Buzzsprout Show</title>
<description><![CDATA[<p>Untold stories, <em>told</em>.</p>]]></description>
<generator>https://www.buzzsprout.com</generator>
<lastBuildDate>Mon, 16 Mar 2020 10:00:00 +0000</lastBuildDate>
<language>en-gb</language>
<copyright>© 2020 Buzzsprout Show</copyright>
<podcast:locked>yes</podcast:locked>
<podcast:guid>3a2f79a2-9d08-5f9e-a3a7-3f3e1f2a4b5c</podcast:guid>
<itunes:author>Counter Terrorism Policing</itunes:author>
<itunes:type>serial</itunes:type>
<itunes:image href="{b}/art/cover.jpg" />
<image><url>{b}/art/cover.jpg</url><title>Buzzsprout Show</title><link>{b}/</link></image>
<itunes:owner><itunes:name>CTP</itunes:name><itunes:email>podcast@example.org</itunes:email></itunes:owner>
<itunes:category text="Government" />
<itunes:category text="True Crime" />
<itunes:explicit>false</itunes:explicit>
{items}</channel>
</rss>
"""
    shows["buzzsprout"] = Source("buzzsprout", host.add("/buzzsprout/111111.rss", feed.encode(),
                                                        "application/rss+xml"), eps)

    # ---- Libsyn -----------------------------------------------------------------
    host.add("/secure/codesevere/ep1_final.mp3", m["on_target.mp3"].data, "audio/mpeg")
    eps = [dict(guid="a1b2c3d4e5f64a7b8c9d0e1f2a3b4c5d", title="Ep. Zero: Introduction",
                date="Sun, 01 Mar 2020 06:00:00 -0500", media="on_target.mp3", num=None,
                path="/secure/codesevere/ep1_final.mp3", type="trailer")]
    e = eps[0]
    url = f"{b}{e['path']}?dest-id=123456"
    feed = HEAD + f"""<title>Libsyn Show</title>
<pubDate>Sun, 01 Mar 2020 11:00:00 +0000</pubDate>
<link><![CDATA[https://codesevere.libsyn.com]]></link>
<language><![CDATA[en]]></language>
<copyright><![CDATA[Crown copyright]]></copyright>
<description><![CDATA[A show hosted the Libsyn way.]]></description>
<image><url>{b}/art/cover.jpg</url><title>Libsyn Show</title><link><![CDATA[https://codesevere.libsyn.com]]></link></image>
<itunes:type>episodic</itunes:type>
<itunes:summary><![CDATA[A show hosted the Libsyn way.]]></itunes:summary>
<itunes:author><![CDATA[CTP]]></itunes:author>
<itunes:image href="{b}/art/cover.jpg" />
<itunes:explicit>false</itunes:explicit>
<itunes:owner><itunes:name><![CDATA[CTP]]></itunes:name><itunes:email>libsyn@example.org</itunes:email></itunes:owner>
<itunes:category text="Government" />
<item>
<title>{e['title']}</title>
<itunes:title>{e['title']}</itunes:title>
<pubDate>{e['date']}</pubDate>
<guid isPermaLink="false"><![CDATA[{e['guid']}]]></guid>
<link><![CDATA[{url}]]></link>
<itunes:image href="{b}/art/cover.jpg" />
<description><![CDATA[Plain text notes.

A second paragraph with *stars* and 2 < 3.]]></description>
<content:encoded><![CDATA[Plain text notes.

A second paragraph with *stars* and 2 < 3.]]></content:encoded>
<enclosure length="{len(m[e['media']].data)}" type="audio/mpeg" url="{url}" />
<itunes:duration>{clock(m[e['media']].seconds, hours=False)}</itunes:duration>
<itunes:explicit>false</itunes:explicit>
<itunes:episodeType>trailer</itunes:episodeType>
<libsyn:itemId>123456789</libsyn:itemId>
</item>
</channel>
</rss>
"""
    shows["libsyn"] = Source("libsyn", host.add("/libsyn/rss", feed.encode(), "text/xml"), eps)

    # ---- Anchor / Spotify for Podcasters ------------------------------------------
    host.add("/staging/2020-05-25/abc123.m4a", m["spoken.m4a"].data, "audio/x-m4a")
    inner = quote(f"{b}/staging/2020-05-25/abc123.m4a", safe="")
    host.redirects["/s/4f1e2d3c/podcast/play/123456/" + inner] = \
        f"{b}/staging/2020-05-25/abc123.m4a"
    eps = [dict(guid="5d8f3c1e-8a2b-4c6d-9e0f-1a2b3c4d5e6f", title="Anchor Episode",
                date="Mon, 25 May 2020 14:30:00 GMT", media="spoken.m4a", num=None)]
    e = eps[0]
    feed = HEAD + f"""<title><![CDATA[Anchor Show]]></title>
<description><![CDATA[Made on Anchor.]]></description>
<link>https://podcasters.spotify.com/pod/show/anchorshow</link>
<image><url>{b}/art/cover.jpg</url><title>Anchor Show</title><link>https://podcasters.spotify.com/pod/show/anchorshow</link></image>
<generator>Anchor Podcasts</generator>
<lastBuildDate>Mon, 25 May 2020 14:30:00 GMT</lastBuildDate>
<atom:link href="{b}/anchor/s/4f1e2d3c/podcast/rss" rel="self" type="application/rss+xml"/>
<author><![CDATA[Anchor Host]]></author>
<copyright><![CDATA[Anchor Host]]></copyright>
<language><![CDATA[en]]></language>
<itunes:author>Anchor Host</itunes:author>
<itunes:summary>Made on Anchor.</itunes:summary>
<itunes:type>episodic</itunes:type>
<itunes:owner><itunes:name>Anchor Host</itunes:name><itunes:email>anchor@example.org</itunes:email></itunes:owner>
<itunes:explicit>No</itunes:explicit>
<itunes:category text="Technology"/>
<itunes:image href="{b}/art/cover.jpg"/>
<item>
<title><![CDATA[{e['title']}]]></title>
<description>&lt;p&gt;Escaped &lt;strong&gt;HTML&lt;/strong&gt; notes, with a &lt;a href="https://example.org/link"&gt;link&lt;/a&gt;.&lt;/p&gt;</description>
<link>https://podcasters.spotify.com/pod/show/anchorshow/episodes/Anchor-Episode-e1a2b3c</link>
<guid isPermaLink="false">{e['guid']}</guid>
<dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/"><![CDATA[Anchor Host]]></dc:creator>
<pubDate>{e['date']}</pubDate>
<enclosure url="{b}/s/4f1e2d3c/podcast/play/123456/{inner}" length="9999" type="audio/x-m4a"/>
<itunes:summary>&lt;p&gt;Escaped &lt;strong&gt;HTML&lt;/strong&gt; notes.&lt;/p&gt;</itunes:summary>
<itunes:explicit>No</itunes:explicit>
<itunes:duration>{clock(m[e['media']].seconds)}</itunes:duration>
<itunes:image href="{b}/art/cover.jpg"/>
<itunes:episodeType>full</itunes:episodeType>
</item>
</channel>
</rss>
"""
    shows["anchor"] = Source("anchor", host.add("/anchor/s/4f1e2d3c/podcast/rss", feed.encode(),
                                                "application/rss+xml; charset=utf-8"), eps)

    # ---- Transistor -----------------------------------------------------------------
    host.add("/media/9a8b7c6d/1f2e3d4c.mp3", m["quiet.mp3"].data, "audio/mpeg")
    host.add("/media/9a8b7c6d/5a6b7c8d.mp3", m["on_target.mp3"].data, "audio/mpeg")
    chapters = {"version": "1.2.0", "chapters": [
        {"startTime": 0, "title": "Cold open"},
        {"startTime": 2.5, "title": "The call", "url": "https://www.gov.uk/ACT",
         "img": f"{b}/art/episode.jpg"},
        {"startTime": 4, "title": "Hidden", "toc": False}]}
    host.add("/transistor/chapters/1f2e3d4c.json", json.dumps(chapters).encode(),
             "application/json+chapters")
    host.add("/transistor/transcripts/1f2e3d4c.srt",
             b"1\n00:00:00,000 --> 00:00:02,000\nWe had to move quickly.\n\n"
             b"2\n00:00:02,000 --> 00:00:04,000\nAnd quietly.\n", "application/x-subrip")
    words = {"version": "1.0.0", "segments": [
        {"speaker": "Narrator", "startTime": 0.2, "endTime": 0.6, "body": "Act"},
        {"speaker": "Narrator", "startTime": 0.6, "endTime": 0.9, "body": "on"},
        {"speaker": "Narrator", "startTime": 0.9, "endTime": 1.2, "body": "your"},
        {"speaker": "Narrator", "startTime": 1.2, "endTime": 1.8, "body": "instincts."},
        {"speaker": "Detective", "startTime": 2.0, "endTime": 3.0, "body": "We listened."}]}
    host.add("/transistor/transcripts/5a6b7c8d.json", json.dumps(words).encode(),
             "application/json")
    eps = [dict(guid="0e1d2c3b-4a59-4687-9a8b-7c6d5e4f3a21", title="The Call", num=1,
                date="Tue, 07 Apr 2020 08:00:00 +0100", media="quiet.mp3",
                path="/media/9a8b7c6d/1f2e3d4c.mp3", chapters=3, transcript="srt"),
           dict(guid="2f3e4d5c-6b7a-4988-8a7b-6c5d4e3f2a10", title="The Stakeout", num=2,
                date="Tue, 14 Apr 2020 08:00:00 +0100", media="on_target.mp3",
                path="/media/9a8b7c6d/5a6b7c8d.mp3", transcript="json")]
    items = []
    for e in eps:
        code = e["path"].rsplit("/", 1)[1][:-4]
        extra = ""
        if e.get("chapters"):
            extra += (f'<podcast:chapters url="{b}/transistor/chapters/{code}.json" '
                      'type="application/json+chapters"/>\n'
                      f'<podcast:transcript url="{b}/transistor/transcripts/{code}.srt" '
                      'type="text/srt" language="en" rel="captions"/>\n')
        else:
            extra += (f'<podcast:transcript url="{b}/transistor/transcripts/{code}.json" '
                      'type="application/json" language="en"/>\n')
        # A redirecting analytics prefix on 127.0.0.1 (unknown to the importer): followed.
        enclosure = f"{b}/e/{b[len('http://'):]}{e['path']}".replace("/e/127", "/e/http://127")
        items.append(f"""<item>
<title>{e['title']}</title>
<itunes:title>{e['title']}</itunes:title>
<itunes:episodeType>full</itunes:episodeType>
<itunes:season>2</itunes:season>
<podcast:season>2</podcast:season>
<itunes:episode>{e['num']}</itunes:episode>
<podcast:episode>{e['num']}</podcast:episode>
<guid isPermaLink="false">{e['guid']}</guid>
<link>https://share.transistor.fm/s/{code}</link>
<description><![CDATA[<p>{e['title']}: notes.</p><ul><li>one</li><li>two</li></ul><h2>Credits</h2><p>Mark Strong</p>]]></description>
<content:encoded><![CDATA[<p>{e['title']}: notes.</p><ul><li>one</li><li>two</li></ul><h2>Credits</h2><p>Mark Strong</p>]]></content:encoded>
<pubDate>{e['date']}</pubDate>
<author>CTP</author>
<enclosure url="{enclosure}" length="{len(m[e['media']].data)}" type="audio/mpeg"/>
<itunes:author>CTP</itunes:author>
<itunes:image href="{b}/art/episode.jpg"/>
<itunes:duration>{round(m[e['media']].seconds)}</itunes:duration>
<itunes:summary>{e['title']}: notes.</itunes:summary>
<itunes:subtitle>{e['title']}: a short summary.</itunes:subtitle>
<itunes:explicit>No</itunes:explicit>
<podcast:person role="host" href="https://example.org/strong">Mark Strong</podcast:person>
<podcast:person role="guest" img="http://insecure.example.org/x.jpg">A Witness</podcast:person>
{extra}</item>
""")
    feed = HEAD + f"""<atom:link rel="self" type="application/atom+xml" href="{b}/transistor/feed" title="MP3 Audio"/>
<atom:link rel="hub" href="https://pubsubhubbub.appspot.com/"/>
<title>Transistor Show</title>
<generator>Transistor (https://transistor.fm)</generator>
<itunes:new-feed-url>{b}/transistor/feed</itunes:new-feed-url>
<description>A show hosted the Transistor way.</description>
<copyright>© 2020 CTP</copyright>
<podcast:locked owner="transistor@example.org">no</podcast:locked>
<podcast:funding url="https://www.gov.uk/ACT">Act</podcast:funding>
<language>en</language>
<pubDate>Tue, 14 Apr 2020 08:00:00 +0100</pubDate>
<lastBuildDate>Tue, 14 Apr 2020 08:00:00 +0100</lastBuildDate>
<image><url>{b}/art/cover.jpg</url><title>Transistor Show</title></image>
<itunes:type>serial</itunes:type>
<itunes:author>CTP</itunes:author>
<itunes:image href="{b}/art/cover.jpg"/>
<itunes:summary>A show hosted the Transistor way.</itunes:summary>
<itunes:subtitle>Transistor, short.</itunes:subtitle>
<itunes:owner><itunes:name>CTP</itunes:name><itunes:email>transistor@example.org</itunes:email></itunes:owner>
<itunes:explicit>No</itunes:explicit>
<itunes:category text="Government"/>
<itunes:category text="News"><itunes:category text="Politics"/></itunes:category>
{''.join(reversed(items))}</channel>
</rss>
"""
    shows["transistor"] = Source("transistor", host.add("/transistor/feed", feed.encode(),
                                                        "application/rss+xml"), eps)

    # ---- Megaphone --------------------------------------------------------------------
    host.add("/ABC1234567.mp3", m["on_target.mp3"].data, "audio/mpeg")
    eps = [dict(guid="7c9e6679-7425-11ee-b962-0242ac120002", title="Bonus: Behind the Scenes",
                date="Wed, 20 May 2020 04:00:00 -0000", media="on_target.mp3", num=None,
                type="bonus")]
    e = eps[0]
    feed = HEAD + f"""<title>Megaphone Show</title>
<link>https://example.org/megaphone</link>
<language>en</language>
<copyright>Megaphone Show</copyright>
<description>A show hosted the Megaphone way.</description>
<image><url>{b}/art/cover.jpg</url><title>Megaphone Show</title><link>https://example.org</link></image>
<itunes:explicit>no</itunes:explicit>
<itunes:type>episodic</itunes:type>
<itunes:author>Megaphone Host</itunes:author>
<itunes:image href="{b}/art/cover.jpg"/>
<itunes:owner><itunes:name>Megaphone Host</itunes:name><itunes:email>mega@example.org</itunes:email></itunes:owner>
<itunes:category text="Society &amp; Culture"><itunes:category text="Documentary"/></itunes:category>
<item>
<title>{e['title']}</title>
<description>Plain bonus notes.</description>
<pubDate>{e['date']}</pubDate>
<itunes:episodeType>bonus</itunes:episodeType>
<itunes:author>Megaphone Host</itunes:author>
<itunes:image href="{b}/art/small.jpg"/>
<itunes:subtitle></itunes:subtitle>
<itunes:summary>Plain bonus notes.</itunes:summary>
<content:encoded><![CDATA[<p>Plain bonus notes.</p>]]></content:encoded>
<itunes:duration>{round(m[e['media']].seconds)}</itunes:duration>
<itunes:explicit>no</itunes:explicit>
<guid isPermaLink="false"><![CDATA[{e['guid']}]]></guid>
<enclosure url="{b}/ABC1234567.mp3?updated=1752189576" length="0" type="audio/mpeg"/>
</item>
</channel>
</rss>
"""
    shows["megaphone"] = Source("megaphone", host.add("/megaphone/feed", feed.encode(),
                                                      "text/xml; charset=UTF-8"), eps)

    # ---- Castopod -------------------------------------------------------------------
    host.add("/audio/@codesevere/the-bomb-factory.mp3", m["quiet.mp3"].data, "audio/mpeg")
    host.add("/audio/@codesevere/the-arrest.mp3", m["chaptered.mp3"].data, "audio/mpeg")
    host.add("/@codesevere/episodes/the-bomb-factory/chapters.json", json.dumps(
        {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"},
                                          {"startTime": 3, "title": "The factory"}]}).encode(),
        "application/json")
    host.add("/@codesevere/episodes/the-bomb-factory/transcript.vtt",
             b"WEBVTT\n\n00:00:00.000 --> 00:00:02.500\n<v Narrator>It started with a "
             b"call.\n", "text/vtt")
    eps = [dict(guid=f"{b}/@codesevere/episodes/the-bomb-factory", title="The Bomb Factory",
                num=1, date="Fri, 05 Jun 2020 07:00:00 +0000", media="quiet.mp3",
                path="/audio/@codesevere/the-bomb-factory.mp3", chapters=2, transcript="vtt",
                permalink=True),
           dict(guid=f"{b}/@codesevere/episodes/the-arrest", title="The Arrest", num=2,
                date="Fri, 12 Jun 2020 07:00:00 +0000", media="chaptered.mp3",
                path="/audio/@codesevere/the-arrest.mp3", permalink=True)]
    items = []
    for e in eps:
        slug = e["path"].rsplit("/", 1)[1][:-4]
        extra = ""
        if e.get("chapters"):
            extra = (f'<podcast:chapters url="{b}/@codesevere/episodes/{slug}/chapters.json" '
                     'type="application/json+chapters"/>\n'
                     f'<podcast:transcript url="{b}/@codesevere/episodes/{slug}/transcript.vtt" '
                     'type="text/vtt" language="en"/>\n'
                     '<podcast:soundbite startTime="1.5" duration="3">The call</podcast:soundbite>\n'
                     '<podcast:location geo="geo:52.4862,-1.8904" osm="R162378">Birmingham'
                     '</podcast:location>\n')
        items.append(f"""<item>
<title>{e['title']}</title>
<itunes:title>{e['title']}</itunes:title>
<link>{b}/@codesevere/episodes/{slug}</link>
<guid>{e['guid']}</guid>
<pubDate>{e['date']}</pubDate>
<enclosure url="{b}{e['path']}?_from=example.org" length="{len(m[e['media']].data)}" type="audio/mpeg"/>
<description><![CDATA[<p>{e['title']}: the Castopod notes.</p>]]></description>
<itunes:duration>{round(m[e['media']].seconds)}</itunes:duration>
<itunes:image href="{b}/art/cover.jpg"/>
<itunes:explicit>false</itunes:explicit>
<itunes:episode>{e['num']}</itunes:episode>
<podcast:episode>{e['num']}</podcast:episode>
<itunes:season>1</itunes:season>
<podcast:season>1</podcast:season>
<itunes:episodeType>full</itunes:episodeType>
<podcast:person role="narrator" group="cast" href="https://example.org/strong">Mark Strong</podcast:person>
<podcast:socialInteract uri="https://castopod.example.org/@codesevere/{slug}" protocol="activitypub" accountId="@codesevere@castopod.example.org"/>
{extra}</item>
""")
    feed = HEAD + f"""<podcast:guid>b6a3d6a2-8c1e-5d0f-9e3b-2a1c4d5e6f70</podcast:guid>
<title>Castopod Show</title>
<description><![CDATA[<p>A show hosted the <strong>Castopod</strong> way.</p>]]></description>
<language>en-gb</language>
<link>{b}/@codesevere</link>
<atom:link href="{b}/@codesevere/feed.xml" rel="self" type="application/rss+xml"/>
<atom:link href="https://pubsubhubbub.appspot.com/" rel="hub" type="application/rss+xml"/>
<itunes:image href="{b}/art/cover.jpg"/>
<image><url>{b}/art/cover.jpg</url><title>Castopod Show</title><link>{b}/@codesevere</link></image>
<podcast:locked owner="castopod@example.org">yes</podcast:locked>
<podcast:medium>podcast</podcast:medium>
<podcast:location geo="geo:51.5072,-0.1276" osm="R65606" country="GB">London</podcast:location>
<podcast:license>cc-by-4.0</podcast:license>
<podcast:person role="host" href="https://example.org/ctp">Counter Terrorism Policing</podcast:person>
<itunes:category text="True Crime"/>
<itunes:explicit>false</itunes:explicit>
<itunes:author>Counter Terrorism Policing</itunes:author>
<itunes:owner><itunes:name>CTP</itunes:name><itunes:email>castopod@example.org</itunes:email></itunes:owner>
<itunes:type>serial</itunes:type>
<copyright>© 2020 Crown copyright</copyright>
{''.join(reversed(items))}</channel>
</rss>
"""
    shows["castopod"] = Source("castopod", host.add("/@codesevere/feed.xml", feed.encode(),
                                                    "application/rss+xml; charset=UTF-8"), eps)

    # ---- Podlove Publisher (WordPress): inline Podlove Simple Chapters -------------------
    host.add("/podlove/file/1/podlove-ep1.mp3", m["on_target.mp3"].data, "audio/mpeg")
    eps = [dict(guid="podlove-2020-07-01t07:00:00+00:00-3f2e1d0c9b8a7", title="Chaptered",
                num=1, date="Wed, 01 Jul 2020 07:00:00 +0000", media="on_target.mp3",
                path="/podlove/file/1/podlove-ep1.mp3", chapters=2)]
    e = eps[0]
    feed = HEAD + f"""<title>Podlove Show</title>
<link>{b}/podlove</link>
<description>A show published with Podlove.</description>
<language>de-DE</language>
<atom:link rel="self" type="application/rss+xml" title="Podlove Show (MP3)" href="{b}/podlove/feed/mp3/"/>
<itunes:author>Podlove Host</itunes:author>
<itunes:owner><itunes:name>Podlove Host</itunes:name><itunes:email>podlove@example.org</itunes:email></itunes:owner>
<itunes:image href="{b}/art/cover.jpg"/>
<itunes:category text="Technology"/>
<itunes:explicit>false</itunes:explicit>
<item>
<title>{e['title']}</title>
<link>{b}/podlove/ep1/</link>
<pubDate>{e['date']}</pubDate>
<guid isPermaLink="false">{e['guid']}</guid>
<description><![CDATA[Kapitel.]]></description>
<enclosure url="{b}{e['path']}?ptm_source=feed&amp;ptm_context=mp3" length="{len(m[e['media']].data)}" type="audio/mpeg"/>
<itunes:duration>{clock(m[e['media']].seconds)}</itunes:duration>
<itunes:episode>1</itunes:episode>
<psc:chapters version="1.2">
<psc:chapter start="00:00:00.000" title="Anfang"/>
<psc:chapter start="00:00:03.250" title="Mitte" href="https://example.org/mitte"/>
</psc:chapters>
</item>
</channel>
</rss>
"""
    shows["podlove"] = Source("podlove", host.add("/podlove/feed/mp3/", feed.encode(),
                                                  "application/rss+xml"), eps)
    return shows


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """(host, media, shows): every fixture host's feed served from 127.0.0.1."""
    from hosts import Host

    tmp = tmp_path_factory.mktemp("hosts")
    host = Host().start()
    media = make_media(tmp)
    shows = publish_all(host, tmp, media)
    yield host, media, shows
    host.stop()
