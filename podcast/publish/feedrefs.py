"""What a feed.xml points at: enclosures, artwork, chapters, transcripts.

Used twice: to never delete an object a feed references (``--prune``), and
to check, as a listener would, that each of them is served correctly.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from podcast.errors import PublishError

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST_NS = ("{https://podcastindex.org/namespace/1.0}",
              "{https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md}")


@dataclass(frozen=True)
class Enclosure:
    url: str
    length: int | None
    type: str


@dataclass(frozen=True)
class FeedRefs:
    enclosures: tuple[Enclosure, ...]
    images: tuple[str, ...]
    others: tuple[str, ...]  # chapters, transcripts

    @property
    def urls(self) -> set[str]:
        return {e.url for e in self.enclosures} | set(self.images) | set(self.others)


def parse(xml: bytes, where: str = "feed.xml") -> FeedRefs:
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise PublishError(where, f"is not well-formed XML ({exc})",
                           "Rebuild it with podcast build") from None
    enclosures, images, others = [], [], []
    for el in root.iter("enclosure"):
        length = el.get("length")
        enclosures.append(Enclosure(el.get("url", ""),
                                    int(length) if length and length.isdigit() else None,
                                    el.get("type", "")))
    for el in root.iter(f"{ITUNES}image"):
        if el.get("href"):
            images.append(el.get("href"))
    for el in root.iter("image"):
        url = el.findtext("url")
        if url:
            images.append(url.strip())
    for ns in PODCAST_NS:
        for tag in ("chapters", "transcript"):
            others.extend(el.get("url") for el in root.iter(f"{ns}{tag}") if el.get("url"))
    return FeedRefs(tuple(enclosures), tuple(dict.fromkeys(images)),
                    tuple(dict.fromkeys(others)))


def keys_for(urls: set[str], public_url: str) -> set[str]:
    """The keys (relative to the prefix) of the URLs under ``public_url``'s path.

    Matched on the path alone, so a feed that was published under another
    scheme or host (http preview, CDN domain) still protects its objects.
    """
    base = urlsplit(public_url).path
    base = base if base.endswith("/") else base + "/"
    keys = set()
    for url in urls:
        path = unquote(urlsplit(url).path)
        if path.startswith(base) and len(path) > len(base):
            keys.add(path[len(base):])
    return keys
