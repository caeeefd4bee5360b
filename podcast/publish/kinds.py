"""Content-Type and Cache-Control for every key we upload.

Set explicitly because Python's ``mimetypes`` is wrong or silent for several
podcast files (``.vtt``, ``.srt``, JSON chapters, RSS) and because a wrong
type breaks apps. Media keys carry a content hash, so they are cached for a
year and marked immutable; the feed changes, so it is cached briefly.
"""

from __future__ import annotations

from dataclasses import dataclass
from posixpath import basename, splitext

IMMUTABLE = "public, max-age=31536000, immutable"
FEED_CACHE = "public, max-age=300"
PAGE_CACHE = "public, max-age=300"
ASSET_CACHE = "public, max-age=86400"

# Upload order: everything the feed or a page references goes up first.
GROUPS = ("media", "assets", "pages", "feed")


@dataclass(frozen=True)
class Kind:
    content_type: str
    cache_control: str
    group: str  # one of GROUPS


_BY_EXT: dict[str, Kind] = {
    ".mp3": Kind("audio/mpeg", IMMUTABLE, "media"),
    ".m4a": Kind("audio/mp4", IMMUTABLE, "media"),
    ".opus": Kind("audio/ogg", IMMUTABLE, "media"),  # Opus in Ogg (RFC 7845)
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


def kind_of(key: str) -> Kind:
    """The headers and upload group of one key (relative to the prefix)."""
    name = basename(key)
    if key == "feed.xml":
        return Kind("application/rss+xml; charset=utf-8", FEED_CACHE, "feed")
    if name == "chapters.json" or name.endswith(".chapters.json"):
        # Podcasting 2.0 JSON chapters have their own registered-in-practice type.
        return Kind("application/json+chapters", ASSET_CACHE, "assets")
    return _BY_EXT.get(splitext(name)[1].lower(), _DEFAULT)
