"""Fetching what an imported feed links to: the feed, media, chapters, art.

Enclosures go through analytics prefixes and CDN redirects. Known prefixes
(OP3, Podtrac, Chartable, Podsights, Podcorn, Spotify's, Podscribe, and
Anchor's play URLs that wrap the real one) are unwrapped first, so an import
does not count as thousands of listens in the old host's statistics; if the
file behind cannot be fetched directly, the original URL is followed with
its redirects. Downloads resume: a ``.part`` file and its validator (ETag or
Last-Modified) are kept beside it, and a re-run asks for the rest with
``Range``/``If-Range``. The finished size must equal what the server
announced; the feed's ``length`` is only compared (hosts often get it wrong).
"""

from __future__ import annotations

import json
import logging
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from podcast.errors import PodcastError

log = logging.getLogger(__name__)

TIMEOUT = 30
CHUNK = 1 << 16
USER_AGENT = "podcast-import/1 (moving a show; like a podcast app)"
MAX_DOCUMENT = 64 << 20  # a feed, chapters, a transcript
MAX_MEDIA = 8 << 30  # an enclosure

# Prefixes that redirect to the address written after them (scheme usually dropped).
_PREFIXES = [
    re.compile(r"^https?://op3\.dev/e(?:,[^/]*)?/"),
    re.compile(r"^https?://(?:dts\.)?podtrac\.com/(?:pts/)?redirect\.[a-z0-9]+/"),
    re.compile(r"^https?://(?:chrt\.fm|chtbl\.com)/track/[^/]+/"),
    re.compile(r"^https?://pdst\.fm/e/"),
    re.compile(r"^https?://pdcn\.co/e/"),
    re.compile(r"^https?://prfx\.byspotify\.com/e/"),
    re.compile(r"^https?://verifi\.podscribe\.com/rss/p/"),
    re.compile(r"^https?://arttrk\.com/p/[^/]+/"),
    re.compile(r"^https?://mgln\.ai/e/[^/]+/"),
]
_WRAPPED = re.compile(r"/(https?%3A%2F%2F[^/?#]+)$", re.I)  # Anchor: .../play/<id>/<quoted URL>


def unwrap(url: str) -> str:
    """The file behind any chain of analytics prefixes (the URL itself if none)."""
    for _ in range(8):
        m = _WRAPPED.search(url)
        if m:
            url = unquote(m.group(1))
            continue
        for prefix in _PREFIXES:
            found = prefix.match(url)
            if found:
                rest = url[found.end():]
                url = rest if rest.startswith(("http://", "https://")) else "https://" + rest
                break
        else:
            return url
    return url


def _request(url: str, headers: dict | None = None):
    if urlsplit(url).scheme not in ("http", "https"):
        raise PodcastError(url, "is not an http(s) URL", "Check the feed")
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    return urllib.request.urlopen(req, timeout=TIMEOUT)


def _failure(url: str, exc: Exception) -> PodcastError:
    if isinstance(exc, urllib.error.HTTPError):
        return PodcastError(url, f"answered HTTP {exc.code}", "Check the URL; run the import "
                            "again later if the host is busy")
    reason = getattr(exc, "reason", exc)
    return PodcastError(url, f"cannot be fetched ({reason})",
                        "Check the address and the connection, then run the import again: "
                        "what is already there is kept")


def get(url: str, limit: int = MAX_DOCUMENT) -> bytes:
    """A small document (feed, chapters, transcript, art), at most ``limit`` bytes."""
    try:
        with _request(url) as resp:
            data = resp.read(limit + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise _failure(url, exc) from None
    if len(data) > limit:
        raise PodcastError(url, f"is larger than {limit >> 20} MB", "Check the URL")
    return data


@dataclass(frozen=True)
class Download:
    url: str  # the address that served the file (after prefixes and redirects)
    size: int
    content_type: str
    resumed: bool


def download(url: str, dest: Path, *, on_bytes: Callable[[int], None] | None = None) -> Download:
    """Fetch ``url`` into ``dest`` (through ``dest.part``, resumable); ``dest`` appears
    only complete, with the size the server announced."""
    direct = unwrap(url)
    if direct != url:
        try:
            return _download(direct, dest, on_bytes)
        except PodcastError as exc:
            log.info("%s: %s; following %s instead", direct, exc.problem, url)
    return _download(url, dest, on_bytes)


def _download(url: str, dest: Path, on_bytes) -> Download:
    part = dest.with_name(dest.name + ".part")
    meta_path = dest.with_name(dest.name + ".part.json")
    have = part.stat().st_size if part.is_file() else 0
    meta = {}
    if have:
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
    headers = {}
    validator = meta.get("etag") or meta.get("last_modified")
    resumed = bool(have and meta.get("url") == url and validator)
    if resumed:
        headers = {"Range": f"bytes={have}-", "If-Range": validator}
    try:
        resp = _request(url, headers)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and resumed and have == meta.get("total"):
            os.replace(part, dest)  # it was complete already
            meta_path.unlink(missing_ok=True)
            return Download(url, have, meta.get("type", ""), True)
        raise _failure(url, exc) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise _failure(url, exc) from None
    with resp:
        status = resp.status
        ctype = (resp.headers.get("Content-Type") or "").split(";")[0].strip()
        if status == 206 and resumed:
            total = _range_total(resp.headers.get("Content-Range"))
            mode = "ab"
        else:
            have, resumed, mode = 0, False, "wb"
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
        if total is not None and total > MAX_MEDIA:
            raise PodcastError(url, f"is {total >> 30} GB, more than {MAX_MEDIA >> 30} GB",
                               "Check the enclosure")
        part.parent.mkdir(parents=True, exist_ok=True)
        meta = {"url": url, "etag": resp.headers.get("ETag"),
                "last_modified": resp.headers.get("Last-Modified"), "total": total,
                "type": ctype}
        meta_path.write_text(json.dumps(meta), encoding="utf-8")
        size = have
        try:
            with open(part, mode) as f:
                while chunk := resp.read(CHUNK):
                    f.write(chunk)
                    size += len(chunk)
                    if on_bytes:
                        on_bytes(len(chunk))
                    if size > MAX_MEDIA:
                        raise PodcastError(url, "is larger than the limit", "Check it")
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise PodcastError(url, f"the download broke off after {size} bytes ({exc})",
                               "Run the import again: it resumes where it stopped") from None
    if total is not None and size != total:
        raise PodcastError(url, f"the download stopped at {size} of {total} bytes",
                           "Run the import again: it resumes where it stopped")
    os.replace(part, dest)
    meta_path.unlink(missing_ok=True)
    return Download(resp.geturl() or url, size, ctype, resumed)


def _range_total(value: str | None) -> int | None:
    m = re.match(r"bytes \d+-\d+/(\d+)", value or "")
    return int(m.group(1)) if m else None
