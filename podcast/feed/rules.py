"""The feed rules: what Apple, Spotify and Podcasting 2.0 apps require, offline.

The one set of rules: ``podcast build`` applies them to the feed it is about
to write (and refuses a feed that breaks them), ``podcast check`` to the
built ``feed/feed.xml``.

What can be checked without the network: absolute https URLs (http only for
a loopback preview), enclosure lengths against the files in ``feed/``, unique
guids and enclosure URLs, artwork size/shape/colour/format, description sizes
and tags, Apple categories, explicit values, dates with zones, numbers, and
control characters. Each finding is a ``Problem`` naming the episode.
"""

from __future__ import annotations

import email.utils
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from podcast.errors import FeedError, Problem
from podcast.feed.namespaces import tag as ns_tag
from podcast.feed.reader import parse_xml, unprefixed
from podcast.feed.tagrules import check_tags
from podcast.model import read_remote
from podcast.show.config import Show
from podcast.show.episodes import Episode
from podcast.show.notes import CONTROL, FEED_LIMIT, FEED_TAGS
from podcast.show.schema import is_loopback
from podcast.show.standards import APPLE_CATEGORIES

ITUNES = ns_tag("itunes", "")
PODCAST = ns_tag("podcast", "")
CONTENT = ns_tag("content", "encoded")
ATOM_LINK = ns_tag("atom", "link")
URL_ATTRS = {"url", "href", "img", "uri"}
_TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)")
_DURATION = re.compile(r"^(?:(?:\d+:)?[0-5]?\d:[0-5]\d|\d+)$")


class _Report:
    def __init__(self, where: str):
        self.where = where
        self.problems: list[Problem] = []

    def error(self, who: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.where, who, message, hint))

    def warn(self, who: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.where, who, message, hint, "warning"))


def _text(el, tag: str) -> str | None:
    found = el.find(tag)
    return None if found is None else (found.text or "").strip()


def check_feed(show: Show, episodes: list[Episode]) -> list[Problem]:
    """``podcast check`` on the built feed: nothing to say when nothing is built."""
    path = show.output_dir / "feed.xml"
    if not path.is_file():
        return []
    return check_feed_bytes(path.read_bytes(), path.parent, episodes, where=show.where(path))


def check_feed_bytes(xml: bytes, out: Path | None = None, episodes: list[Episode] = (),
                     *, where: str = "feed/feed.xml",
                     now: datetime | None = None) -> list[Problem]:
    """Every rule violation in ``xml``; files it references are looked up in ``out``."""
    report = _Report(where)
    slugs = {e.guid: e.slug for e in episodes}
    text = xml.decode("utf-8", "replace")
    try:
        channel = parse_xml(xml, where).find("channel")
    except FeedError as exc:
        _control_characters(report, text, [])
        report.error("", exc.problem, "Run `podcast build` again")
        return report.problems
    items = channel.findall("item")
    labels = [_label(it, slugs) for it in items]
    _control_characters(report, text, list(zip((it.sourceline or 0 for it in items), labels)))

    base = _base_url(channel)
    files = _Files(out, base)
    _check_channel(report, channel, files)
    _check_items(report, items, labels, files, now or datetime.now(timezone.utc))
    _check_urls(report, channel, items, labels)
    check_tags(report, channel, items, labels, files)
    return report.problems


def _label(item, slugs: dict[str, str]) -> str:
    guid = _text(item, "guid") or ""
    if guid in slugs:
        return f"episode {slugs[guid]}"
    return f'item "{_text(item, "title") or guid or "?"}"'


def _base_url(channel) -> str | None:
    for link in channel.iter(ATOM_LINK):
        if link.get("rel") == "self" and link.get("href"):
            return link.get("href").rsplit("/", 1)[0] + "/"
    return None


class _Files:
    """Files in ``feed/`` behind the feed's URLs (those under its own base URL).

    Media that build records vouch for stays in the bucket (``model.read_remote``):
    there is no file to look at, only the size its record gives (``remote``)."""

    def __init__(self, out: Path | None, base: str | None):
        self.out, self.base = out, base
        self.vouched = read_remote(out) if out is not None else {}

    def key(self, url: str) -> str | None:
        if self.out is None or not self.base:
            return None
        url = unprefixed(url, self.base) or ""  # behind an analytics prefix: the object
        if not url.startswith(self.base):
            return None
        key = url[len(self.base):]
        if key == "" or key.endswith("/"):  # a page by its folder (pretty_urls)
            key += "index.html"
        return key

    def path(self, url: str) -> Path | None:
        key = self.key(url)
        return None if key is None or key in self.vouched else self.out / key

    def remote(self, url: str) -> int | None:
        """The size a build record gives the object behind ``url``; None if not one."""
        key = self.key(url)
        return self.vouched[key][0] if key in self.vouched else None


# ---- channel -----------------------------------------------------------------

def _check_channel(report: _Report, channel, files: _Files) -> None:
    who = "channel"
    required = {"title": "title", "link": "link", "description": "description",
                "language": "language", ITUNES + "author": "itunes:author",
                ITUNES + "explicit": "itunes:explicit", ITUNES + "type": "itunes:type"}
    for tag, name in required.items():
        if not _text(channel, tag):
            report.error(who, f"<{name}> is missing or empty", "Set it in podcast.toml")
    if _base_url(channel) is None:
        report.error(who, '<atom:link rel="self"> is missing', "Run `podcast build` again")
    email_ = channel.find(f"{ITUNES}owner/{ITUNES}email")
    if email_ is None or not (email_.text or "").strip():
        report.error(who, "<itunes:owner> has no <itunes:email>",
                     "Spotify and Apple verify ownership by mailing it: set [show] owner.email")
    _explicit(report, who, channel)
    kind = _text(channel, ITUNES + "type")
    if kind and kind not in ("episodic", "serial"):
        report.error(who, f"itunes:type {kind!r} is not episodic or serial")
    _description(report, who, channel)
    tags = _TAG.findall(_text(channel, "description") or "")
    if tags:
        report.warn(who, f"description contains HTML (<{tags[0].lower()}>)",
                    "Give the channel plain text: the W3C validator warns and apps such as "
                    "gPodder show the tags; HTML belongs in an episode's content:encoded")
    guid = _text(channel, PODCAST + "guid")
    if guid is None:
        report.warn(who, "has no <podcast:guid>", "Set [show] guid in podcast.toml")
    else:
        try:
            uuid.UUID(guid)
        except ValueError:
            report.error(who, f"podcast:guid {guid!r} is not a UUID",
                         "Use the UUIDv5 of the feed URL, stored once in podcast.toml")

    cats = channel.findall(ITUNES + "category")
    if not cats:
        report.error(who, "has no <itunes:category>", "Add categories to podcast.toml")
    for cat in cats:
        top = cat.get("text", "")
        if top not in APPLE_CATEGORIES:
            report.error(who, f"itunes:category {top!r} is not an Apple Podcasts category")
            continue
        for sub in cat.findall(ITUNES + "category"):
            if sub.get("text") not in APPLE_CATEGORIES[top]:
                report.error(who, f"itunes:category {sub.get('text')!r} is not a "
                             f"sub-category of {top!r}")
            if sub.find(ITUNES + "category") is not None:
                report.error(who, f"itunes:category {top!r} nests deeper than one sub-level")

    images = channel.findall(ITUNES + "image")
    if not images:
        report.error(who, "has no <itunes:image>", "Set [show] artwork")
    for img in images:
        _artwork(report, who, img.get("href") or "", files)


# ---- items -------------------------------------------------------------------

def _check_items(report: _Report, items, labels, files: _Files, now: datetime) -> None:
    if not items:
        report.warn("channel", "has no episodes",
                    "Apps show an empty show; publish at least one episode")
    guids: dict[str, str] = {}
    enclosures: dict[str, str] = {}
    for item, who in zip(items, labels):
        title = _text(item, "title")
        if not title:
            report.error(who, "<title> is missing or empty")
        elif _TAG.search(title):
            report.warn(who, f"title {title!r} contains markup",
                        "Titles are plain text and some apps render them as HTML: "
                        "avoid angle brackets")
        guid_el = item.find("guid")
        guid = (guid_el.text or "").strip() if guid_el is not None else ""
        if not guid:
            report.error(who, "<guid> is missing", "Every episode needs its permanent guid")
        elif guid in guids:
            report.error(who, f"guid {guid} is also the guid of {guids[guid]}",
                         "Each episode needs its own guid")
        else:
            guids[guid] = who
            if guid_el.get("isPermaLink", "true") != "false" and not guid.startswith("http"):
                report.error(who, 'guid is not a URL but lacks isPermaLink="false"')

        _enclosure(report, who, item, enclosures, files)
        _pubdate(report, who, item, now)
        duration = _text(item, ITUNES + "duration")
        if duration is None:
            report.error(who, "<itunes:duration> is missing")
        elif not _DURATION.match(duration) or duration.strip("0:") == "":
            report.error(who, f"itunes:duration {duration!r} is not a positive duration",
                         "Write whole seconds")
        for tag in ("episode", "season"):
            value = _text(item, ITUNES + tag)
            if value is not None and (not value.isdigit() or int(value) < 1):
                report.error(who, f"itunes:{tag} {value!r} is not a positive whole number")
        etype = _text(item, ITUNES + "episodeType")
        if etype is not None and etype not in ("full", "trailer", "bonus"):
            report.error(who, f"itunes:episodeType {etype!r} is not full, trailer or bonus")
        _explicit(report, who, item)
        _description(report, who, item)
        for img in item.findall(ITUNES + "image"):
            _artwork(report, who, img.get("href") or "", files)
        for el in item.findall(PODCAST + "chapters"):
            _chapters(report, who, el.get("url") or "", files)
        for el in item.findall(PODCAST + "transcript"):
            path = files.path(el.get("url") or "")
            if path is not None and not path.is_file():
                report.error(who, f"transcript {el.get('url')} has no file in feed/",
                             "Run `podcast build` again")


def _enclosure(report, who, item, seen: dict[str, str], files: _Files) -> None:
    enc = item.find("enclosure")
    if enc is None:
        report.error(who, "<enclosure> is missing", "Every episode needs its audio")
        return
    url, length, kind = enc.get("url") or "", enc.get("length") or "", enc.get("type") or ""
    if url in seen:
        report.error(who, f"enclosure URL {url} is also used by {seen[url]}",
                     "Every episode needs its own audio file")
    seen.setdefault(url, who)
    if kind != "audio/mpeg":
        hint = "audio/mp3 is not a registered type; apps reject it" if kind == "audio/mp3" else ""
        report.error(who, f"enclosure type {kind!r} is not audio/mpeg", hint)
    if not length.isdigit() or int(length) <= 0:
        report.error(who, f"enclosure length {length!r} is not a byte count",
                     "It must be the exact size of the file")
        return
    path = files.path(url)
    if files.remote(url) not in (None, int(length)):
        report.error(who, f"enclosure length {length} is not the size its build record gives "
                     f"({files.remote(url)} bytes)", "Run `podcast publish` again")
    if path is not None:
        if not path.is_file():
            report.error(who, f"enclosure {url} has no file in feed/", "Run `podcast build`")
        elif path.stat().st_size != int(length):
            report.error(who, f"enclosure length {length} is not the file's size "
                         f"({path.stat().st_size} bytes)", "Run `podcast build` again")


def _pubdate(report, who, item, now: datetime) -> None:
    value = _text(item, "pubDate")
    if not value:
        report.error(who, "<pubDate> is missing")
        return
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        report.error(who, f"pubDate {value!r} is not an RFC 2822 date")
    elif parsed[9] is None or not re.search(r"([+-]\d{4}|GMT|UT|Z)\s*$", value):
        report.error(who, f"pubDate {value!r} has no time zone")
    elif datetime.fromtimestamp(email.utils.mktime_tz(parsed), timezone.utc) > now:
        report.warn(who, f"pubDate {value} is in the future",
                    "Apps show it at once; scheduled episodes belong out of the feed")


def _explicit(report, who, el) -> None:
    for v in el.findall(ITUNES + "explicit"):
        if (v.text or "").strip() not in ("true", "false"):
            report.error(who, f"itunes:explicit {(v.text or '').strip()!r} is not true or false",
                         "Apple wants true or false (not yes/no/clean)")


def _description(report, who, el) -> None:
    for tag, name in (("description", "description"), (CONTENT, "content:encoded")):
        found = el.find(tag)
        if found is None:
            if tag == "description":
                report.error(who, "<description> is missing")
            continue
        body = found.text or ""
        size = len(body.encode("utf-8"))
        if size > FEED_LIMIT:
            report.error(who, f"{name} is {size} bytes, over Apple's {FEED_LIMIT}",
                         "Shorten the notes; apps cut them anywhere")
        bad = sorted({t.lower() for t in _TAG.findall(body)} - FEED_TAGS)
        if bad:
            report.error(who, f"{name} contains <{'>, <'.join(bad)}>",
                         "Only <p> <ol> <ul> <li> <a> belong in a feed")


def _artwork(report, who, url: str, files: _Files) -> None:
    if not url.lower().endswith((".jpg", ".png")):
        report.error(who, f"artwork URL {url} does not end in .jpg or .png",
                     "Apple ignores such art")
    path = files.path(url)
    if path is None:
        return
    if not path.is_file():
        report.error(who, f"artwork {url} has no file in feed/", "Run `podcast build`")
        return
    from podcast.images import ImageError, image_info
    from podcast.show.artwork import check_art
    try:
        fmt, w, h, mode = image_info(path, path.name)
        problems = check_art(w, h, mode, fmt)
    except ImageError as exc:
        problems = [exc.problem]
    except OSError as exc:
        problems = [f"cannot be read ({exc})"]
    for p in problems:
        report.error(who, f"artwork {path.name} {p}",
                     "Apple wants a 1400-3000 px square RGB JPEG or PNG")


def _chapters(report, who, url: str, files: _Files) -> None:
    path = files.path(url)
    if path is None:
        return
    from podcast.jsonio import JSONError, loads
    try:
        doc = loads(path.read_bytes(), path.name)
    except FileNotFoundError:
        report.error(who, f"chapters {url} has no file in feed/", "Run `podcast build`")
        return
    except JSONError as exc:
        report.error(who, f"chapters file {exc.where} {exc.problem}", "Run `podcast build`")
        return
    chapters = doc.get("chapters") if isinstance(doc, dict) else None
    if not isinstance(chapters, list) or not doc.get("version"):
        report.error(who, f"chapters file {path.name} lacks version or chapters")
        return
    starts = [c.get("startTime") for c in chapters if isinstance(c, dict)]
    if any(not isinstance(s, (int, float)) for s in starts) or starts != sorted(starts):
        report.error(who, f"chapters file {path.name}: startTime values are not ascending "
                     "numbers")


# ---- URLs and characters ----------------------------------------------------------

def _url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"{url!r} is not an absolute URL"
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        return f"{url} is not https"
    return None


def _check_urls(report: _Report, channel, items, labels) -> None:
    owners = {id(it): who for it, who in zip(items, labels)}

    def visit(el, who: str) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "item":
                continue
            if child.tag in ("link", "url"):
                problem = _url_problem((child.text or "").strip())
                if problem:
                    report.error(who, f"<{child.tag}> {problem}", "Use https:// URLs")
            # socialInteract's uri may be at://, nostr:... (the protocol says which).
            attrs = set() if child.tag == PODCAST + "socialInteract" else URL_ATTRS
            for attr in attrs & set(child.attrib):
                problem = _url_problem(child.get(attr).strip())
                if problem:
                    name = etree.QName(child).localname
                    report.error(who, f"<{name} {attr}> {problem}", "Use https:// URLs")
            visit(child, who)

    visit(channel, "channel")
    for item in items:
        visit(item, owners[id(item)])


def _control_characters(report: _Report, text: str, starts: list[tuple[int, str]]) -> None:
    for lineno, line in enumerate(text.splitlines(), start=1):
        for m in CONTROL.finditer(line):
            who = "channel"
            for start, label in starts:
                if start and start <= lineno:
                    who = label
            report.error(who, f"line {lineno} has control character U+{ord(m.group()):04X}",
                         "Remove it from the show or episode text and rebuild")

