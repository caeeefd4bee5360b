"""Fetching what an imported feed links to: the feed, media, chapters, art.

Everything goes through the package's one client (``podcast/net/``): its
deadlines, size caps, retries, redirect checks and address rule apply.
Enclosures go through analytics prefixes and CDN redirects. Known prefixes
(OP3, Podtrac, Chartable, Podsights, Podcorn, Spotify's, Podscribe, and
Anchor's play URLs that wrap the real one) are unwrapped first, so an import
does not count as thousands of listens in the old host's statistics; if the
file behind cannot be fetched directly, the original URL is followed with
its redirects.

A download is verified or redone. Beside it a sidecar (``<file>.json``)
records the enclosure URL, the episode's guid, the validators (ETag,
Last-Modified) and the sizes; a file or a ``.part`` is reused only when its
sidecar names the same URL and guid. A re-run asks for the rest with
``Range``/``If-Range``, and a ``206`` must start where it was asked to, else
the download starts over. The finished size must equal what the server
announced; with no length announced, a body shorter than the feed's
``length`` counts as cut off. What arrives must be audio by its first bytes
(an HTML error page served with 200 is not).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from podcast.errors import NetworkError
from podcast.net import Client, status_error

log = logging.getLogger(__name__)

USER_AGENT = "podcast-import/1 (moving a show; like a podcast app)"

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


@dataclass(frozen=True)
class Download:
    url: str  # the address that served the file (after prefixes and redirects)
    size: int
    content_type: str
    resumed: bool
    length_known: bool = True  # the server announced the size


def sidecar(dest: Path) -> Path:
    return dest.with_name(dest.name + ".json")


def _read_sidecar(dest: Path) -> dict:
    from podcast.jsonio import JSONError, loads

    try:
        meta = loads(sidecar(dest).read_bytes(), str(sidecar(dest)), max_bytes=64 << 10)
    except (OSError, JSONError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _write_sidecar(dest: Path, meta: dict) -> None:
    sidecar(dest).write_text(json.dumps(meta, sort_keys=True), encoding="utf-8")


def resumable(part: Path) -> bool:
    """Whether a ``.part`` can be resumed: bytes in it and a validator beside it."""
    dest = part.with_name(part.name.removesuffix(".part"))
    meta = _read_sidecar(dest)
    return part.is_file() and part.stat().st_size > 0 and bool(
        meta.get("etag") or meta.get("last_modified"))


def prepare_staging(staging: Path, dest: Path, url: str, guid: str) -> None:
    """An episode's staging folder, emptied first when what is in it came from another
    URL or guid (a staged file is only ever reused for the same enclosure)."""
    if staging.is_dir():
        metas = [_read_sidecar(p.with_name(p.name.removesuffix(".json")))
                 for p in staging.glob("master.*.json")]
        if not metas or any(m.get("url") != url or m.get("guid") != guid for m in metas) \
                or not sidecar(dest).is_file():
            shutil.rmtree(staging)
    staging.mkdir(parents=True, exist_ok=True)


def drop_sidecars(staging: Path) -> None:
    """Before the staged folder becomes the episode: no sidecar, no partial download."""
    for leftover in [*staging.glob("master.*.json"), *staging.glob("*.part")]:
        leftover.unlink(missing_ok=True)


def reusable(dest: Path, url: str, guid: str) -> bool:
    """Whether a finished download at ``dest`` came from ``url`` for ``guid``, whole."""
    meta = _read_sidecar(dest)
    return (dest.is_file() and meta.get("url") == url and meta.get("guid") == guid
            and meta.get("done") is True and meta.get("size") == dest.stat().st_size)


def download(client: Client, url: str, dest: Path, guid: str, *,
             expected: int | None = None,
             on_bytes: Callable[[int], None] | None = None) -> Download:
    """Fetch ``url`` into ``dest`` (through ``dest.part``, resumable); ``dest`` appears
    only complete, checked as audio, with its sidecar marked done. ``expected``: the
    feed's length, which a body of unannounced size must reach."""
    direct = unwrap(url)
    if direct != url:
        try:
            return _download(client, direct, url, dest, guid, expected, on_bytes)
        except NetworkError as exc:
            log.info("%s: %s; following %s instead", direct, exc.problem, url)
    return _download(client, url, url, dest, guid, expected, on_bytes)


def _download(client: Client, url: str, named: str, dest: Path, guid: str,
              expected: int | None, on_bytes) -> Download:
    part = dest.with_name(dest.name + ".part")
    meta = _read_sidecar(dest)
    have = part.stat().st_size if part.is_file() else 0
    validator = meta.get("etag") or meta.get("last_modified")
    resume = bool(have and meta.get("url") == named and meta.get("guid") == guid
                  and meta.get("from") == url and validator and not meta.get("done"))
    if not resume:
        have = 0
    headers = {"Range": f"bytes={have}-", "If-Range": validator} if resume else {}
    with client.request(url, kind="media", headers=headers) as resp:
        if resp.status == 416 and resume and have == meta.get("total"):
            return _finish(dest, part, meta, Download(url, have, meta.get("type", ""), True))
        if resp.status == 206 and resume and _range_start(resp) != have:
            log.info("%s: asked for bytes from %d, got %s: starting over", url, have,
                     resp.header("content-range"))
            part.unlink(missing_ok=True)
            _write_sidecar(dest, {})
            return _download(client, url, named, dest, guid, expected, on_bytes)
        if resp.status not in (200, 206) or (resp.status == 206 and not resume):
            raise status_error(resp, url)
        appending = resp.status == 206
        total = _range_total(resp) if appending else resp.length
        meta = {"url": named, "guid": guid, "from": url, "etag": resp.header("etag"),
                "last_modified": resp.header("last-modified"), "total": total,
                "type": resp.content_type, "done": False}
        part.parent.mkdir(parents=True, exist_ok=True)
        _write_sidecar(dest, meta)
        size = have if appending else 0
        try:
            with open(part, "ab" if appending else "wb") as f:
                for chunk in resp.iter_bytes(already=size):
                    f.write(chunk)
                    size += len(chunk)
                    if on_bytes:
                        on_bytes(len(chunk))
        except NetworkError as exc:
            raise NetworkError(url, f"{exc.problem}; the download stopped at {size} bytes",
                               "Run the import again: it resumes where it stopped") from None
    if total is not None and size != total:
        raise NetworkError(url, f"the download stopped at {size} of {total} bytes",
                           "Run the import again: it resumes where it stopped")
    if total is None and expected and size < expected:
        raise NetworkError(url, f"the download ended at {size} bytes with no length "
                           f"announced; the feed says {expected}: it looks cut off",
                           "Run the import again")
    _check_audio(part, url)
    return _finish(dest, part, meta, Download(resp.url, size, resp.content_type,
                                              appending, total is not None))


def _finish(dest: Path, part: Path, meta: dict, got: Download) -> Download:
    os.replace(part, dest)
    _write_sidecar(dest, {**meta, "size": got.size, "done": True})
    return got


# First bytes of the audio formats a host serves (ID3 tag or MPEG sync, FLAC, Ogg,
# WAV, MP4/M4A, ADTS AAC, AIFF, CAF, AMR).
_AUDIO_MAGIC = re.compile(rb"^(?:ID3|\xff[\xe0-\xff]|fLaC|OggS|RIFF....WAVE|....ftyp|"
                          rb"FORM....AIF[FC]|caff|#!AMR)", re.S)


def _check_audio(part: Path, url: str) -> None:
    with open(part, "rb") as f:
        head = f.read(16)
    if _AUDIO_MAGIC.match(head):
        return
    part.unlink(missing_ok=True)
    shown = head.lstrip()[:15].decode("ascii", "replace").replace("\ufffd", "?")
    looks = "a web page" if head.lstrip()[:1] == b"<" else "not an audio file"
    raise NetworkError(url, f"served {looks}, not audio (it starts {shown!r})",
                       "The host answered with an error page or the wrong file: check the "
                       "enclosure in a browser, then import again")


def _range_start(resp) -> int | None:
    m = re.match(r"bytes (\d+)-\d+/(?:\d+|\*)", resp.header("content-range") or "")
    return int(m.group(1)) if m else None


def _range_total(resp) -> int | None:
    m = re.match(r"bytes \d+-\d+/(\d+)", resp.header("content-range") or "")
    return int(m.group(1)) if m else None


__all__ = ["Download", "download", "reusable", "sidecar", "unwrap"]
