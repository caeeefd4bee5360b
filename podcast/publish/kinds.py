"""Content-Type and Cache-Control for every key we upload.

Set explicitly because Python's ``mimetypes`` is wrong or silent for several
podcast files (``.vtt``, ``.srt``, JSON chapters, RSS) and because a wrong
type breaks apps.

Cache lifetimes: ``immutable`` (a year) only for a key that names its exact
bytes, checked against the file's own hash (``media/<slug>-<audio12>-<bytes8>.mp3``
whose ``bytes8`` is the start of the file's sha256): a browser or CDN may then
keep it forever without ever being wrong. Everything else is mutable: the
feed and pages five minutes, other files a day at most.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from posixpath import basename, splitext

from podcast.model import MEDIA_KEY

IMMUTABLE = "public, max-age=31536000, immutable"
FEED_CACHE = "public, max-age=300"
PAGE_CACHE = "public, max-age=300"
ASSET_CACHE = "public, max-age=86400"

SEARCH_ENTRY = "pagefind/pagefind-entry.json"

# Upload order: everything the feed or a page references goes up first.
GROUPS = ("media", "assets", "pages", "feed")


@dataclass(frozen=True)
class Kind:
    content_type: str
    cache_control: str
    group: str  # one of GROUPS


_BY_EXT: dict[str, Kind] = {
    ".mp3": Kind("audio/mpeg", ASSET_CACHE, "media"),
    ".m4a": Kind("audio/mp4", ASSET_CACHE, "media"),
    ".opus": Kind("audio/ogg", ASSET_CACHE, "media"),  # Opus in Ogg (RFC 7845)
    ".vtt": Kind("text/vtt", ASSET_CACHE, "assets"),
    ".srt": Kind("application/x-subrip", ASSET_CACHE, "assets"),
    ".jpg": Kind("image/jpeg", ASSET_CACHE, "assets"),
    ".jpeg": Kind("image/jpeg", ASSET_CACHE, "assets"),
    ".png": Kind("image/png", ASSET_CACHE, "assets"),
    ".webp": Kind("image/webp", ASSET_CACHE, "assets"),
    ".svg": Kind("image/svg+xml", ASSET_CACHE, "assets"),
    ".ico": Kind("image/x-icon", ASSET_CACHE, "assets"),
    ".css": Kind("text/css; charset=utf-8", ASSET_CACHE, "assets"),
    ".js": Kind("text/javascript; charset=utf-8", ASSET_CACHE, "assets"),
    ".xsl": Kind("text/xsl; charset=utf-8", ASSET_CACHE, "assets"),
    ".woff2": Kind("font/woff2", ASSET_CACHE, "assets"),
    ".json": Kind("application/json", ASSET_CACHE, "assets"),
    ".html": Kind("text/html; charset=utf-8", PAGE_CACHE, "pages"),
    ".txt": Kind("text/plain; charset=utf-8", PAGE_CACHE, "pages"),
    ".xml": Kind("application/xml; charset=utf-8", PAGE_CACHE, "pages"),
}

_DEFAULT = Kind("application/octet-stream", ASSET_CACHE, "assets")


def content_addressed(key: str, sha256: str | None) -> bool:
    """Whether ``key`` names exactly the bytes whose hash is ``sha256``."""
    found = MEDIA_KEY.search(key)
    return bool(sha256 and found and sha256.startswith(found.group("bytes")))


def kind_of(key: str, sha256: str | None = None) -> Kind:
    """The headers and upload group of one key (relative to the prefix).

    ``sha256``: the file's content hash; only a key that names it is immutable.
    """
    name = basename(key)
    if key == "feed.xml":
        return Kind("application/rss+xml; charset=utf-8", FEED_CACHE, "feed")
    if name == "chapters.json" or name.endswith(".chapters.json"):
        # Podcasting 2.0 JSON chapters have their own registered-in-practice type.
        return Kind("application/json+chapters", ASSET_CACHE, "assets")
    if key == SEARCH_ENTRY:
        # The search index's entry names its (hash-named) index files: it changes with
        # every index, so it is cached like a page and goes up after those files.
        return Kind("application/json", PAGE_CACHE, "pages")
    kind = _BY_EXT.get(splitext(name)[1].lower(), _DEFAULT)
    if content_addressed(key, sha256):
        return replace(kind, cache_control=IMMUTABLE)
    return kind
