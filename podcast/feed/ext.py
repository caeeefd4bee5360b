"""Our feedgen extension: what feedgen 1.0.0 lacks or gets wrong.

* ``itunes:explicit`` as ``true``/``false`` (feedgen only accepts yes/no/clean,
  which Apple no longer documents);
* the channel's ``itunes:image`` (feedgen's setter silently drops a URL it does
  not like instead of failing);
* the Podcasting 2.0 ``podcast:`` namespace (podcastindex.org/namespace/1.0),
  which feedgen does not know at all;
* ``cdata()`` for ``description`` (feedgen only offers CDATA for
  ``content:encoded``, and fails on text containing ``]]>``).

Register with ``fg.register_extension(NAME, PodcastIndexExtension,
PodcastIndexEntryExtension)``; setters are then on ``fg.podcastindex`` and
``entry.podcastindex``. Elements are written in the order the setters were
called, so the same calls give the same bytes.
"""

from __future__ import annotations

from datetime import datetime

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

from podcast.captions.timecode import stamp
from podcast.feed.namespaces import ATOM as ATOM_NS
from podcast.feed.namespaces import ITUNES as ITUNES_NS
from podcast.feed.namespaces import PODCAST as PODCAST_NS
from podcast.feed.namespaces import PSC as PSC_NS

NAME = "podcastindex"
CHAPTERS_TYPE = "application/json+chapters"
TRANSCRIPT_TYPES = ("text/vtt", "application/x-subrip", "text/html", "application/json",
                    "text/plain", "application/srt")
MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog")


def rfc2822(date: datetime) -> str:
    """RFC 2822 date with a numeric zone, independent of the locale."""
    if date.tzinfo is None or date.utcoffset() is None:
        raise ValueError(f"{date.isoformat()} has no time zone")
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")
    return (f"{days[date.weekday()]}, {date.day:02d} {months[date.month - 1]} {date.year} "
            f"{date:%H:%M:%S} {date:%z}")


def _bool(value: bool) -> str:
    if not isinstance(value, bool):
        raise ValueError(f"expected True or False, got {value!r}")
    return "true" if value else "false"


def _number(value: float) -> str:
    """Seconds as the shortest exact decimal (no exponent, no trailing zeros)."""
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return text or "0"


def cdata(text: str):
    """``text`` as a CDATA section for feedgen's setters (lxml writes it verbatim);
    plain text, escaped as usual, when it contains ``]]>``, which CDATA cannot hold."""
    return etree.CDATA(text) if "]]>" not in text else text


Node = tuple  # (tag, {attribute: text}, text | None, (child Node, ...))


def node(tag: str, attrs: dict[str, object] | None = None, text: str | None = None,
         children: tuple = ()) -> Node:
    """An element to write: attributes whose value is None are left out."""
    clean = {k: str(v) for k, v in (attrs or {}).items() if v is not None}
    return (tag, clean, text, tuple(children))


def _write_node(parent, item: Node) -> None:
    tag, attrs, text, children = item
    el = etree.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    for child in children:
        _write_node(el, child)


class _Elements:
    """An ordered list of elements (with their children) appended to a parent."""

    def __init__(self) -> None:
        self._items: list[Node] = []

    def add(self, tag: str, attrs: dict[str, object] | None = None,
            text: str | None = None, children: tuple = ()) -> None:
        self._items.append(node(tag, attrs, text, children))

    def write(self, parent) -> None:
        for item in self._items:
            _write_node(parent, item)


class _Common(_Elements):
    """Setters shared by channel and item."""

    def itunes_explicit(self, explicit: bool) -> None:
        self.add(f"{{{ITUNES_NS}}}explicit", text=_bool(explicit))

    def person(self, name: str, role: str | None = None, group: str | None = None,
               href: str | None = None, img: str | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}person",
                 {"role": role, "group": group, "href": href, "img": img}, name)

    def season(self, number: int, name: str | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}season", {"name": name}, str(int(number)))

    def license(self, text: str, url: str | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}license", {"url": url}, text)

    def location(self, name: str, rel: str | None = None, geo: str | None = None,
                 osm: str | None = None, country: str | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}location",
                 {"rel": rel, "geo": geo, "osm": osm, "country": country}, name)

    def social_interact(self, protocol: str, uri: str, account_id: str | None = None,
                        account_url: str | None = None, priority: int | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}socialInteract",
                 {"protocol": protocol, "uri": uri, "accountId": account_id,
                  "accountUrl": account_url, "priority": priority})

    def txt(self, text: str, purpose: str | None = None) -> None:
        if len(text) > 4000:
            raise ValueError("podcast:txt holds at most 4000 characters")
        self.add(f"{{{PODCAST_NS}}}txt", {"purpose": purpose}, text)

    def image(self, href: str, width: int | None = None, height: int | None = None,
              type: str | None = None, purpose: str | None = None,
              alt: str | None = None) -> None:
        """podcast:image (the attribute is ``aspect-ratio``, as the spec writes it)."""
        ratio = None
        if width and height:
            from math import gcd
            g = gcd(width, height)
            ratio = f"{width // g}/{height // g}"
        self.add(f"{{{PODCAST_NS}}}image",
                 {"href": href, "alt": alt, "aspect-ratio": ratio, "width": width,
                  "height": height, "type": type, "purpose": purpose})


class PodcastIndexExtension(BaseExtension, _Common):
    """Channel-level elements."""

    def __init__(self) -> None:
        _Common.__init__(self)
        self._comment: str | None = None
        self._hubs: list[str] = []

    def hub(self, href: str) -> None:
        """``<atom:link rel="hub">``: a WebSub hub that apps may subscribe to."""
        self._hubs.append(href)

    def new_feed_url(self, url: str) -> None:
        """``itunes:new-feed-url``: the feed moved; apps and directories follow it."""
        self.add(f"{{{ITUNES_NS}}}new-feed-url", text=url)

    def podping(self, uses: bool = True) -> None:
        self.add(f"{{{PODCAST_NS}}}podping", {"usesPodping": _bool(uses)})

    def block(self, service: str | None = None, blocked: bool = True) -> None:
        """podcast:block: every service (``service`` None) or one, by its slug."""
        self.add(f"{{{PODCAST_NS}}}block", {"id": service}, "yes" if blocked else "no")

    def podroll(self, items: list[dict]) -> None:
        """podcast:podroll of podcast:remoteItem (feed_guid, feed_url, title, medium)."""
        children = tuple(node(f"{{{PODCAST_NS}}}remoteItem",
                              {"feedGuid": i["feed_guid"], "feedUrl": i.get("feed_url"),
                               "title": i.get("title"), "medium": i.get("medium")})
                         for i in items)
        self.add(f"{{{PODCAST_NS}}}podroll", children=children)

    def publisher(self, feed_guid: str, feed_url: str | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}publisher", children=(node(
            f"{{{PODCAST_NS}}}remoteItem",
            {"medium": "publisher", "feedGuid": feed_guid, "feedUrl": feed_url}),))

    def extend_ns(self) -> dict[str, str]:
        return {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "psc": PSC_NS}

    def extend_rss(self, rss_feed):
        channel = rss_feed[0]
        self.write(channel)
        # WebSub hubs beside the self link, where discovery looks for them.
        anchor = next((el for el in channel.iter(f"{{{ATOM_NS}}}link")
                       if el.get("rel") == "self"), None)
        for href in reversed(self._hubs):
            el = etree.Element(f"{{{ATOM_NS}}}link", {"href": href, "rel": "hub"})
            if anchor is not None:
                anchor.addnext(el)
            else:
                channel.append(el)
        if self._comment:
            rss_feed.addprevious(etree.Comment(self._comment))
        return rss_feed

    def comment(self, text: str) -> None:
        """An XML comment before ``<rss>``: the first thing a person who opens the
        feed in a browser reads (apps skip comments)."""
        if "--" in text:
            raise ValueError(f"{text!r} cannot be an XML comment")
        self._comment = f" {text} "

    def itunes_image(self, url: str) -> None:
        if not url.lower().endswith((".jpg", ".png")):
            raise ValueError(f"{url}: itunes:image must end in .jpg or .png")
        self.add(f"{{{ITUNES_NS}}}image", {"href": url})

    def guid(self, guid: str) -> None:
        self.add(f"{{{PODCAST_NS}}}guid", text=guid)

    def locked(self, locked: bool, owner: str | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}locked", {"owner": owner}, "yes" if locked else "no")

    def funding(self, url: str, text: str) -> None:
        self.add(f"{{{PODCAST_NS}}}funding", {"url": url}, text)

    def medium(self, medium: str) -> None:
        if medium not in MEDIUMS:
            raise ValueError(f"podcast:medium {medium!r} is not one of {', '.join(MEDIUMS)}")
        self.add(f"{{{PODCAST_NS}}}medium", text=medium)

    def update_frequency(self, text: str, complete: bool | None = None) -> None:
        attrs = {"complete": None if complete is None else _bool(complete)}
        self.add(f"{{{PODCAST_NS}}}updateFrequency", attrs, text)

    def trailer(self, title: str, url: str, pubdate: datetime, length: int | None = None,
                type: str | None = None, season: int | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}trailer",
                 {"pubdate": rfc2822(pubdate), "url": url, "length": length, "type": type,
                  "season": season}, title)


class PodcastIndexEntryExtension(BaseEntryExtension, _Common):
    """Item-level elements."""

    def __init__(self) -> None:
        _Common.__init__(self)

    def extend_rss(self, entry):
        self.write(entry)
        return entry

    def transcript(self, url: str, type: str, language: str | None = None,
                   rel: str | None = None) -> None:
        if type not in TRANSCRIPT_TYPES:
            raise ValueError(f"podcast:transcript type {type!r} is not a transcript type")
        self.add(f"{{{PODCAST_NS}}}transcript",
                 {"url": url, "type": type, "language": language, "rel": rel})

    def chapters(self, url: str, type: str = CHAPTERS_TYPE) -> None:
        self.add(f"{{{PODCAST_NS}}}chapters", {"url": url, "type": type})

    def episode(self, number: int | float, display: str | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}episode", {"display": display}, _number(number))

    def alternate_enclosure(self, type: str, sources: list[str], *, length: int | None = None,
                            bitrate: int | None = None, title: str | None = None,
                            codecs: str | None = None, default: bool | None = None,
                            integrity: str | None = None) -> None:
        """podcast:alternateEnclosure with its podcast:source(s) and an SRI
        podcast:integrity (``sha384-<base64>`` of the file's bytes)."""
        if not sources:
            raise ValueError("podcast:alternateEnclosure needs at least one source")
        if title is not None and len(title) > 32:
            raise ValueError(f"alternateEnclosure title {title!r} is over 32 characters")
        children = [node(f"{{{PODCAST_NS}}}source", {"uri": uri}) for uri in sources]
        if integrity:
            children.append(node(f"{{{PODCAST_NS}}}integrity",
                                 {"type": "sri", "value": integrity}))
        self.add(f"{{{PODCAST_NS}}}alternateEnclosure",
                 {"type": type, "length": length, "bitrate": bitrate, "title": title,
                  "codecs": codecs, "default": None if default is None else _bool(default)},
                 children=tuple(children))

    def psc_chapters(self, chapters: list[tuple[float, str, str | None, str | None]]) -> None:
        """Podlove Simple Chapters inline: (start seconds, title, href, image) each;
        what gPodder (podcastparser) and other Podlove readers show."""
        children = tuple(node(f"{{{PSC_NS}}}chapter",
                              {"start": stamp(start), "title": title, "href": href,
                               "image": image})
                         for start, title, href, image in chapters)
        self.add(f"{{{PSC_NS}}}chapters", {"version": "1.2"}, children=children)

    def soundbite(self, start: float, duration: float, title: str | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}soundbite",
                 {"startTime": _number(start), "duration": _number(duration)}, title)
