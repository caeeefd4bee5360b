"""A whole feed as ``podcast import`` needs it: the channel and every item, in full.

Parsed with the one hardened parser (``reader.parse_xml``: no entities, no
DTD, no network). Hosts write the same things differently (Buzzsprout,
Libsyn, Anchor/Spotify, Transistor, Megaphone, Castopod...): durations as
seconds or clock times, notes in ``content:encoded``, ``description`` or
``itunes:summary``, escaped or in CDATA, guids as UUIDs, URLs or host
schemes, chapters as JSON links or inline Podlove. Everything is read as
written; judging it is the importer's job. ``podcast:*`` is accepted under
both namespace URIs.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from podcast.feed.namespaces import podcast_tags, tag
from podcast.feed.reader import parse_xml, text_of

ITUNES = tag("itunes", "")
PSC = tag("psc", "")


@dataclass(frozen=True)
class Link:
    """A linked file: chapters, transcript."""

    url: str
    type: str = ""
    language: str = ""
    rel: str = ""


@dataclass(frozen=True)
class SourceItem:
    guid: str
    guid_permalink: bool  # isPermaLink true (or absent) on a URL guid
    title: str
    date: datetime | None  # None: missing or unreadable
    date_text: str
    enclosure_url: str
    enclosure_length: int | None
    enclosure_type: str
    duration: float | None  # seconds, as the feed says
    season: int | None
    number: int | None
    type: str  # full | trailer | bonus (as written; the importer judges)
    notes_html: str  # content:encoded, else description, else itunes:summary
    summary: str  # itunes:subtitle
    explicit: bool | None
    image: str
    link: str
    chapters: tuple[Link, ...] = ()  # podcast:chapters
    psc: tuple[dict, ...] = ()  # {"start", "title", "href", "image"} as written
    transcripts: tuple[Link, ...] = ()
    persons: tuple[dict, ...] = ()
    soundbites: tuple[dict, ...] = ()
    locations: tuple[dict, ...] = ()
    license: tuple[str, str] | None = None  # (text, url)


@dataclass(frozen=True)
class SourceShow:
    title: str
    link: str
    description_html: str
    summary: str
    language: str
    author: str
    owner_name: str
    owner_email: str
    image: str
    categories: tuple[tuple[str, ...], ...]
    explicit: bool | None
    type: str
    copyright: str
    podcast_guid: str
    locked: bool | None
    medium: str
    self_url: str
    new_feed_url: str
    funding: tuple[dict, ...] = ()
    persons: tuple[dict, ...] = ()
    locations: tuple[dict, ...] = ()
    license: tuple[str, str] | None = None
    items: tuple[SourceItem, ...] = field(default_factory=tuple)


def _first(el, *tags: str) -> str:
    for t in tags:
        value = text_of(el, t)
        if value:
            return value
    return ""


def _p(el, name: str) -> list:
    """Every ``podcast:<name>`` child, under either namespace URI."""
    found = []
    for t in podcast_tags(name):
        found += el.findall(t)
    return found


def _ptext(el, name: str) -> str:
    return next(((x.text or "").strip() for x in _p(el, name) if (x.text or "").strip()), "")


def parse_duration(text: str) -> float | None:
    """``3600``, ``62:05``, ``1:02:05`` or ``1:02:05.5`` -> seconds; None if unreadable."""
    text = (text or "").strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    m = re.fullmatch(r"(?:(\d+):)?(\d{1,3}):(\d{1,2}(?:\.\d+)?)", text)
    if m:
        return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    return None


def parse_date(text: str) -> datetime | None:
    """RFC 2822 (and the usual slips: no zone is taken as UTC); None when unreadable."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _int(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if re.fullmatch(r"\d{1,6}", text) and int(text) > 0 else None


def _explicit(text: str) -> bool | None:
    value = (text or "").strip().lower()
    return True if value in ("true", "yes", "explicit") else \
        False if value in ("false", "no", "clean") else None


def _named(el, name: str, attrs: tuple[str, ...]) -> tuple[dict, ...]:
    """``podcast:<name>`` elements whose text is a name, with their attributes."""
    out = []
    for found in _p(el, name):
        text = (found.text or "").strip()
        if text:
            out.append({"name": text, **{a: found.get(a) for a in attrs if found.get(a)}})
    return tuple(out)


def _persons(el) -> tuple[dict, ...]:
    return _named(el, "person", ("role", "group", "href", "img"))


def _locations(el) -> tuple[dict, ...]:
    return _named(el, "location", ("rel", "geo", "osm", "country"))


def _license(el) -> tuple[str, str] | None:
    lic = next(iter(_p(el, "license")), None)
    if lic is None or not (lic.text or "").strip():
        return None
    return (lic.text or "").strip(), (lic.get("url") or "").strip()


def _item(it) -> SourceItem:
    guid_el = it.find("guid")
    guid = (guid_el.text or "").strip() if guid_el is not None else ""
    permalink = guid_el is not None and guid.startswith(("http://", "https://")) \
        and (guid_el.get("isPermaLink") or "true").strip().lower() == "true"
    enc = it.find("enclosure")
    length = (enc.get("length") or "").strip() if enc is not None else ""
    date_text = text_of(it, "pubDate")
    chapters = tuple(Link((c.get("url") or "").strip(), (c.get("type") or "").strip())
                     for c in _p(it, "chapters") if c.get("url"))
    psc = []
    for group in it.findall(PSC + "chapters"):
        for ch in group.findall(PSC + "chapter"):
            psc.append({"start": ch.get("start") or "", "title": ch.get("title") or "",
                        "href": ch.get("href") or "", "image": ch.get("image") or ""})
    transcripts = tuple(Link((t.get("url") or "").strip(), (t.get("type") or "").strip(),
                             (t.get("language") or "").strip(), (t.get("rel") or "").strip())
                        for t in _p(it, "transcript") if t.get("url"))
    soundbites = tuple({"start": s.get("startTime") or "", "duration": s.get("duration") or "",
                        "title": (s.text or "").strip()} for s in _p(it, "soundbite"))
    image = next((i.get("href") for i in it.findall(ITUNES + "image") if i.get("href")), "")
    return SourceItem(
        guid=guid, guid_permalink=permalink, title=text_of(it, "title"),
        date=parse_date(date_text), date_text=date_text,
        enclosure_url=(enc.get("url") or "").strip() if enc is not None else "",
        enclosure_length=int(length) if length.isdigit() else None,
        enclosure_type=(enc.get("type") or "").strip() if enc is not None else "",
        duration=parse_duration(text_of(it, ITUNES + "duration")),
        season=_int(text_of(it, ITUNES + "season")) or _int(_ptext(it, "season")),
        number=_int(text_of(it, ITUNES + "episode")) or _int(_ptext(it, "episode")),
        type=(text_of(it, ITUNES + "episodeType") or "full").lower(),
        notes_html=_first(it, tag("content", "encoded"), "description", ITUNES + "summary"),
        summary=text_of(it, ITUNES + "subtitle"),
        explicit=_explicit(text_of(it, ITUNES + "explicit")),
        image=image or "", link=text_of(it, "link"), chapters=chapters, psc=tuple(psc),
        transcripts=transcripts, persons=_persons(it), soundbites=soundbites,
        locations=_locations(it), license=_license(it))


def read_source(xml: bytes, what: str = "feed") -> SourceShow:
    """Everything ``podcast import`` takes from a feed. ``FeedError`` if it is not RSS."""
    channel = parse_xml(xml, what, "Check the URL or file it came from; a feed another "
                        "host serves broken must be fixed there").find("channel")
    categories = []
    for cat in channel.findall(ITUNES + "category"):
        top = (cat.get("text") or "").strip()
        subs = [(s.get("text") or "").strip() for s in cat.findall(ITUNES + "category")]
        if top:
            categories.append((top, subs[0]) if subs and subs[0] else (top,))
    image = next((i.get("href") for i in channel.findall(ITUNES + "image") if i.get("href")),
                 "") or text_of(channel, "image/url")
    self_url = next((ln.get("href") for ln in channel.iter(tag("atom", "link"))
                     if ln.get("rel") == "self" and ln.get("href")), "")
    locked = next(iter(_p(channel, "locked")), None)
    funding = tuple({"url": f.get("url"), "text": (f.text or "").strip() or "Support the show"}
                    for f in _p(channel, "funding") if f.get("url"))
    return SourceShow(
        title=text_of(channel, "title"), link=text_of(channel, "link"),
        description_html=_first(channel, "description", ITUNES + "summary"),
        summary=text_of(channel, ITUNES + "subtitle"),
        language=text_of(channel, "language"), author=text_of(channel, ITUNES + "author"),
        owner_name=text_of(channel, f"{ITUNES}owner/{ITUNES}name"),
        owner_email=text_of(channel, f"{ITUNES}owner/{ITUNES}email"),
        image=image or "", categories=tuple(dict.fromkeys(categories)),
        explicit=_explicit(text_of(channel, ITUNES + "explicit")),
        type=text_of(channel, ITUNES + "type").lower(),
        copyright=text_of(channel, "copyright"), podcast_guid=_ptext(channel, "guid"),
        locked=None if locked is None else (locked.text or "").strip().lower() == "yes",
        medium=_ptext(channel, "medium"), self_url=self_url,
        new_feed_url=text_of(channel, ITUNES + "new-feed-url"), funding=funding,
        persons=_persons(channel), locations=_locations(channel), license=_license(channel),
        items=tuple(_item(it) for it in channel.iterfind("item")))
