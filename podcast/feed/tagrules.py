"""Rules for the Podcasting 2.0 tags apps read beyond the basics, and for moves.

``check_tags`` runs inside ``rules.check_feed_bytes`` (so both ``podcast build``
and ``podcast check`` apply it): alternate enclosures (their files, lengths and
SRI hashes), inline Podlove chapters, art sizes, podroll and publisher, place,
comments, licence, funding, soundbites, blocks, txt, podping, hubs and
``itunes:new-feed-url``. Each finding names the channel or the episode.
"""

from __future__ import annotations

import re
import uuid

from lxml import etree

from podcast.feed.namespaces import tag as ns_tag
from podcast.fsutil import sri
from podcast.show.standards import GEO_RE, SERVICE_SLUGS

PODCAST = ns_tag("podcast", "")
PSC = ns_tag("psc", "")
ITUNES = ns_tag("itunes", "")
ATOM_LINK = ns_tag("atom", "link")

NPT = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d{1,3})?)$|^(\d+(?:\.\d{1,3})?)$")
SRI = re.compile(r"^(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})$")
RATIO = re.compile(r"^\d+/\d+$")


def npt_seconds(value: str) -> float | None:
    """Seconds from Normal Play Time (``HH:MM:SS.mmm``, ``MM:SS`` or seconds)."""
    m = NPT.match((value or "").strip())
    if not m:
        return None
    if m.group(4) is not None:
        return float(m.group(4))
    return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))


def _uuid(value: str | None) -> bool:
    try:
        uuid.UUID(value or "")
        return True
    except ValueError:
        return False


def _name(el) -> str:
    return "podcast:" + etree.QName(el).localname if el.tag.startswith(PODCAST) else \
        etree.QName(el).localname


def check_tags(report, channel, items, labels, files) -> None:
    """Every problem with the tags named in the module docstring."""
    _channel(report, channel, files)
    for item, who in zip(items, labels):
        _item(report, item, who, files)
        _common(report, item, who, files)
    _common(report, channel, "channel", files)


def _channel(report, channel, files) -> None:
    who = "channel"
    self_url = next((ln.get("href") for ln in channel.iter(ATOM_LINK)
                     if ln.get("rel") == "self"), None)
    for moved in channel.findall(ITUNES + "new-feed-url"):
        url = (moved.text or "").strip()
        if not url.startswith(("https://", "http://")):
            report.error(who, f"itunes:new-feed-url {url!r} is not an absolute URL")
        elif self_url and url.rstrip("/") == self_url.rstrip("/"):
            report.error(who, "itunes:new-feed-url is this feed's own URL",
                         "Remove [show] new_feed_url: apps would loop")
        else:
            report.warn(who, f"the feed tells apps it moved to {url}",
                        "Keep it published at the old address for at least four weeks, "
                        "then remove [show] new_feed_url")
    for hub in (ln for ln in channel.findall(ATOM_LINK) if ln.get("rel") == "hub"):
        if not hub.get("href"):
            report.error(who, '<atom:link rel="hub"> has no href')
    for el in channel.findall(PODCAST + "podping"):
        if el.get("usesPodping") not in ("true", "false"):
            report.error(who, f"podcast:podping usesPodping={el.get('usesPodping')!r} is not "
                         "true or false")
    for roll in channel.findall(PODCAST + "podroll"):
        remote = roll.findall(PODCAST + "remoteItem")
        if not remote:
            report.error(who, "podcast:podroll has no podcast:remoteItem",
                         "List the shows you recommend in [show] podroll")
        for r in remote:
            if not _uuid(r.get("feedGuid")):
                report.error(who, f"podcast:remoteItem feedGuid {r.get('feedGuid')!r} is not "
                             "a UUID", "Use the other show's podcast:guid")
    publishers = channel.findall(PODCAST + "publisher")
    if len(publishers) > 1:
        report.error(who, "has more than one podcast:publisher")
    for pub in publishers:
        remote = pub.findall(PODCAST + "remoteItem")
        if len(remote) != 1 or remote[0].get("medium") != "publisher" \
                or not _uuid(remote[0].get("feedGuid")):
            report.error(who, "podcast:publisher must hold exactly one podcast:remoteItem "
                         'with medium="publisher" and the publisher feed\'s guid')
    for block in channel.findall(PODCAST + "block"):
        if (block.text or "").strip() not in ("yes", "no"):
            report.error(who, f"podcast:block {(block.text or '').strip()!r} is not yes or no")
        service = block.get("id")
        if service is not None and service not in SERVICE_SLUGS:
            report.warn(who, f"podcast:block id {service!r} is not a known service slug",
                        "See the namespace's serviceslugs.txt")
    for f in channel.findall(PODCAST + "funding"):
        if not f.get("url"):
            report.error(who, "podcast:funding has no url")
        if len((f.text or "").strip()) > 128:
            report.error(who, "podcast:funding text is over 128 characters")


def _common(report, el, who: str, files) -> None:
    """Tags allowed on both channel and item."""
    for loc in el.findall(PODCAST + "location"):
        text = (loc.text or "").strip()
        if not text or len(text) > 128:
            report.error(who, "podcast:location needs a place name of 1-128 characters")
        if loc.get("geo") is not None and not GEO_RE.match(loc.get("geo")):
            report.error(who, f"podcast:location geo {loc.get('geo')!r} is not a geo: URI",
                         'Write "geo:51.5072,-0.1276"')
        if loc.get("country") is not None and not re.fullmatch(r"[A-Z]{2}", loc.get("country")):
            report.error(who, f"podcast:location country {loc.get('country')!r} is not an "
                         "ISO 3166-1 alpha-2 code")
        if loc.get("rel") not in (None, "subject", "creator"):
            report.error(who, f"podcast:location rel {loc.get('rel')!r} is not subject or "
                         "creator")
    for social in el.findall(PODCAST + "socialInteract"):
        if not social.get("protocol"):
            report.error(who, "podcast:socialInteract has no protocol")
        elif social.get("protocol") != "disabled" and not social.get("uri"):
            report.error(who, "podcast:socialInteract has no uri")
    for lic in el.findall(PODCAST + "license"):
        if not (lic.text or "").strip():
            report.error(who, "podcast:license is empty",
                         "Write an SPDX id such as cc-by-4.0, or a name with a url")
    for txt in el.findall(PODCAST + "txt"):
        if len(txt.text or "") > 4000:
            report.error(who, "podcast:txt is over 4000 characters")
        if len(txt.get("purpose") or "") > 128:
            report.error(who, "podcast:txt purpose is over 128 characters")
    for img in el.findall(PODCAST + "image"):
        _image(report, who, img, files)


def _image(report, who: str, img, files) -> None:
    href = img.get("href") or ""
    if not href:
        report.error(who, "podcast:image has no href")
        return
    ratio = img.get("aspect-ratio")
    if ratio is not None and not RATIO.match(ratio):
        report.error(who, f"podcast:image aspect-ratio {ratio!r} is not like 1/1 or 16/9")
    for attr in ("width", "height"):
        value = img.get(attr)
        if value is not None and (not value.isdigit() or int(value) < 1):
            report.error(who, f"podcast:image {attr} {value!r} is not a number of pixels")
    path = files.path(href)
    if path is None:
        return
    if not path.is_file():
        report.error(who, f"podcast:image {href} has no file in feed/", "Run `podcast build`")
        return
    if img.get("width") and img.get("height"):
        from podcast.images import ImageError, image_info
        try:
            size = image_info(path, path.name)[1:3]
        except (ImageError, OSError):
            report.error(who, f"podcast:image {path.name} is not a readable image")
            return
        if size != (int(img.get("width")), int(img.get("height"))):
            report.error(who, f"podcast:image {path.name} is {size[0]}x{size[1]} px, the feed "
                         f"says {img.get('width')}x{img.get('height')}",
                         "Run `podcast build` again")


def _item(report, item, who: str, files) -> None:
    for alt in item.findall(PODCAST + "alternateEnclosure"):
        _alternate(report, item, who, alt, files)
    chapters = item.findall(PSC + "chapters")
    if len(chapters) > 1:
        report.error(who, "has more than one psc:chapters")
    for group in chapters:
        last = -1.0
        for n, ch in enumerate(group.findall(PSC + "chapter"), start=1):
            start = npt_seconds(ch.get("start") or "")
            if start is None:
                report.error(who, f"psc:chapter {n} start {ch.get('start')!r} is not a "
                             "time (HH:MM:SS.mmm)")
                continue
            if start < last:
                report.error(who, f"psc:chapter {n} starts before the chapter above it")
            last = start
            if not (ch.get("title") or "").strip():
                report.error(who, f"psc:chapter {n} has no title")
    duration = _seconds(item.findtext(ITUNES + "duration"))
    for sb in item.findall(PODCAST + "soundbite"):
        try:
            start, length = float(sb.get("startTime")), float(sb.get("duration"))
        except (TypeError, ValueError):
            report.error(who, "podcast:soundbite needs numeric startTime and duration")
            continue
        if start < 0 or length <= 0:
            report.error(who, "podcast:soundbite startTime and duration must be positive")
        elif duration and start + length > duration + 1:
            report.error(who, f"podcast:soundbite ends at {start + length:g}s, past the end "
                         f"of the episode ({duration:g}s)")
        if len((sb.text or "").strip()) > 128:
            report.error(who, "podcast:soundbite title is over 128 characters")


def _seconds(text: str | None) -> float | None:
    if not text:
        return None
    return npt_seconds(text)


def _alternate(report, item, who: str, alt, files) -> None:
    kind = alt.get("type")
    if not kind:
        report.error(who, "podcast:alternateEnclosure has no type")
    title = alt.get("title")
    if title is not None and len(title) > 32:
        report.warn(who, f"podcast:alternateEnclosure title {title!r} is over 32 characters")
    length = alt.get("length")
    if length is not None and (not length.isdigit() or int(length) <= 0):
        report.error(who, f"podcast:alternateEnclosure length {length!r} is not a byte count")
    bitrate = alt.get("bitrate")
    if bitrate is not None and not re.fullmatch(r"\d+(?:\.\d+)?", bitrate):
        report.error(who, f"podcast:alternateEnclosure bitrate {bitrate!r} is not a number")
    sources = [s.get("uri") for s in alt.findall(PODCAST + "source")]
    if not sources or not all(sources):
        report.error(who, f"podcast:alternateEnclosure {kind} needs podcast:source with a uri")
        return
    integrity = alt.findall(PODCAST + "integrity")
    if len(integrity) > 1:
        report.error(who, "podcast:alternateEnclosure has more than one podcast:integrity")
    value = None
    for el in integrity:
        if el.get("type") not in ("sri", "pgp-signature"):
            report.error(who, f"podcast:integrity type {el.get('type')!r} is not sri or "
                         "pgp-signature")
        elif el.get("type") == "sri":
            value = el.get("value") or ""
            if not SRI.match(value):
                report.error(who, f"podcast:integrity value {value[:20]!r}... is not an SRI "
                             "hash (sha384-<base64>)")
                value = None
    for uri in sources:
        path = files.path(uri)
        if path is None:
            continue
        if not path.is_file():
            report.error(who, f"alternate enclosure {uri} has no file in feed/",
                         "Run `podcast build`")
            continue
        if length and length.isdigit() and path.stat().st_size != int(length):
            report.error(who, f"alternate enclosure length {length} is not the file's size "
                         f"({path.stat().st_size} bytes)", "Run `podcast build` again")
        if value and sri(path, value.split("-", 1)[0]) != value:
            report.error(who, f"podcast:integrity of {path.name} does not match the file",
                         "Run `podcast build` again")
