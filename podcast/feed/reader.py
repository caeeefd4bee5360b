"""The one feed reader: RSS bytes -> the values protection, rules and publish need.

Every stage that reads a feed (subscriber protection, ``podcast check``'s
rules, the publisher's references and listener check) parses it here, with
one hardened parser: no entity expansion, no DTD, no network, no huge trees.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from lxml import etree

from podcast.errors import FeedError
from podcast.feed.namespaces import podcast_tags, tag

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                         huge_tree=False, remove_blank_text=False)


def parse_xml(xml: bytes, what: str = "feed",
              hint: str = "Rebuild it with `podcast build`"):
    """The ``<rss>`` root element; ``FeedError`` naming ``what`` when it is not RSS.
    ``hint``: what to do about broken XML (ours is rebuilt; another host's is not)."""
    try:
        root = etree.fromstring(xml, PARSER)
    except etree.XMLSyntaxError as exc:
        raise FeedError(what, f"is not well-formed XML ({exc})", hint) from None
    if root.tag != "rss" or root.find("channel") is None:
        raise FeedError(what, "is not an RSS feed (no <rss><channel>)",
                        "Check the URL or file it came from")
    return root


def text_of(el, path: str) -> str:
    found = el.find(path)
    return (found.text or "").strip() if found is not None else ""


@dataclass(frozen=True)
class Enclosure:
    url: str
    length: int | None
    type: str


@dataclass(frozen=True)
class Item:
    guid: str
    title: str
    enclosure: Enclosure | None
    number: tuple[str, str, str]  # (season, episode, episodeType) as written
    images: tuple[str, ...] = ()
    others: tuple[str, ...] = ()  # chapters, transcripts and other linked files
    alternates: tuple[Enclosure, ...] = ()  # podcast:alternateEnclosure http(s) sources

    @property
    def enclosure_url(self) -> str:
        return self.enclosure.url if self.enclosure else ""

    def label(self) -> str:
        return f'"{self.title}"' if self.title else f"the episode with guid {self.guid}"


@dataclass(frozen=True)
class Feed:
    self_url: str | None
    podcast_guid: str | None
    link: str
    items: tuple[Item, ...]
    images: tuple[str, ...]  # the channel's
    item_links: tuple[str, ...] = ()  # each item's <link>, in order

    @property
    def enclosures(self) -> tuple[Enclosure, ...]:
        return tuple(i.enclosure for i in self.items if i.enclosure)

    @property
    def alternates(self) -> tuple[Enclosure, ...]:
        return tuple(a for i in self.items for a in i.alternates)

    @property
    def all_images(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.images + tuple(u for i in self.items for u in i.images)))

    @property
    def others(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u for i in self.items for u in i.others))

    @property
    def pages(self) -> tuple[str, ...]:
        """Web pages the feed sends listeners to: the show's link and each item's."""
        return tuple(dict.fromkeys(u for u in (self.link, *self.item_links) if u))

    @property
    def urls(self) -> set[str]:
        """Every file the feed references (media, art, chapters, transcripts)."""
        return {e.url for e in self.enclosures} | set(self.all_images) | set(self.others)


def _images(el) -> tuple[str, ...]:
    found = [i.get("href") for i in el.findall(tag("itunes", "image")) if i.get("href")]
    found += [(i.findtext("url") or "").strip() for i in el.findall("image")]
    for t in podcast_tags("image"):
        found += [i.get("href") for i in el.findall(t) if i.get("href")]
    return tuple(dict.fromkeys(u for u in found if u))


def _linked(el) -> tuple[str, ...]:
    found = []
    for name in ("chapters", "transcript"):
        for t in podcast_tags(name):
            found += [x.get("url") for x in el.findall(t) if x.get("url")]
    for t in podcast_tags("alternateEnclosure"):
        for alt in el.findall(t):
            for src in alt.findall(t.replace("alternateEnclosure", "source")):
                if src.get("uri", "").startswith(("http://", "https://")):
                    found.append(src.get("uri"))
    return tuple(dict.fromkeys(found))


def _alternates(el) -> tuple[Enclosure, ...]:
    found = []
    for t in podcast_tags("alternateEnclosure"):
        for alt in el.findall(t):
            length = (alt.get("length") or "").strip()
            for src in alt.findall(t.replace("alternateEnclosure", "source")):
                uri = (src.get("uri") or "").strip()
                if uri.startswith(("http://", "https://")):
                    found.append(Enclosure(uri, int(length) if length.isdigit() else None,
                                           (alt.get("type") or "").strip()))
    return tuple(found)


def read_feed(xml: bytes, what: str = "feed") -> Feed:
    """The feed's identity, items and every URL it references."""
    channel = parse_xml(xml, what).find("channel")
    self_url = None
    for link in channel.iter(tag("atom", "link")):
        if link.get("rel") == "self" and link.get("href"):
            self_url = link.get("href")
            break
    items = []
    for it in channel.iterfind("item"):
        enc = it.find("enclosure")
        enclosure = None
        if enc is not None:
            length = (enc.get("length") or "").strip()
            enclosure = Enclosure((enc.get("url") or "").strip(),
                                  int(length) if length.isdigit() else None,
                                  (enc.get("type") or "").strip())
        items.append(Item(
            guid=text_of(it, "guid"), title=text_of(it, "title"), enclosure=enclosure,
            number=(text_of(it, tag("itunes", "season")), text_of(it, tag("itunes", "episode")),
                    text_of(it, tag("itunes", "episodeType")) or "full"),
            images=_images(it), others=_linked(it), alternates=_alternates(it)))
    guid = next((text_of(channel, t) for t in podcast_tags("guid") if text_of(channel, t)), "")
    return Feed(self_url, guid or None, text_of(channel, "link"), tuple(items),
                _images(channel), tuple(text_of(it, "link") for it in channel.iterfind("item")))


def unprefixed(url: str, public_url: str) -> str | None:
    """The object behind an analytics prefix: ``https://op3.dev/e,pg=.../cdn.example/show/
    media/x.mp3`` under ``https://cdn.example/show/`` is ``https://cdn.example/show/media/
    x.mp3``. The URL itself when it is already under ``public_url``; None when it
    names nothing there. Prefixes chain by writing the next address without its
    scheme (http targets keep theirs), so the base's host and path are searched for."""
    base = public_url if public_url.endswith("/") else public_url + "/"
    if url.startswith(base):
        return url
    parts = urlsplit(base)
    needle = parts.netloc + parts.path
    at = url.find(needle)
    if at <= 0 or url[at - 1] != "/":
        return None
    return base + url[at + len(needle):]


def keys_for(urls: set[str], public_url: str) -> set[str]:
    """The keys (relative to the prefix) of the URLs under ``public_url``'s path.

    Matched on the path alone, so a feed that was published under another
    scheme or host (http preview, CDN domain) still protects its objects; a URL
    behind an analytics prefix names the object after the prefix.
    """
    base = urlsplit(public_url).path
    base = base if base.endswith("/") else base + "/"
    keys = set()
    for url in urls:
        path = unquote(urlsplit(url).path)
        if not path.startswith(base):
            behind = unprefixed(url, public_url)
            path = unquote(urlsplit(behind).path) if behind else ""
        if path.startswith(base) and len(path) > len(base):
            keys.add(path[len(base):])
    return keys
