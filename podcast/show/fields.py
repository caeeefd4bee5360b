"""Converters and nested tables that podcast.toml and episode.md share.

Each converter takes the value as written and returns it checked (or raises
``Invalid`` saying what is wrong and what to write); each table is a list of
``Option``s. ``config`` and ``episodes`` declare their fields with these.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from podcast.show import schema as s
from podcast.show.formats import audio_problem
from podcast.show.schema import Invalid, Option, described
from podcast.show.standards import (
    ANALYTICS_PREFIXES,
    APPLE_CATEGORIES,
    GEO_RE,
    MEDIUMS,
    SERVICE_SLUGS,
    SOCIAL_PROTOCOLS,
)


@described('["Category"] or ["Category", "Sub-category"]')
def category(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not 1 <= len(value) <= 2 or not all(
            isinstance(v, str) for v in value):
        raise Invalid(f"{value!r} is not [\"Category\"] or [\"Category\", \"Sub-category\"]")
    top = value[0]
    if top not in APPLE_CATEGORIES:
        raise Invalid(f"{top!r} is not an Apple Podcasts category",
                      "Use one of: " + ", ".join(APPLE_CATEGORIES))
    if len(value) == 2 and value[1] not in APPLE_CATEGORIES[top]:
        subs = ", ".join(APPLE_CATEGORIES[top]) or "none"
        raise Invalid(f"{value[1]!r} is not a sub-category of {top!r}",
                      f"Sub-categories of {top}: {subs}")
    return tuple(value)


@described("path of a .jpg or .png")
def artwork_path(value: Any) -> str:
    value = s.text(value)
    if not value.lower().endswith((".jpg", ".jpeg", ".png")):
        raise Invalid(f"{value!r} is not a .jpg or .png file",
                      "Apple requires JPEG or PNG artwork")
    return value


@described("UUID")
def uuid_text(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise Invalid(f"{value!r} is not a UUID") from None


@described("UUID")
def feed_guid(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise Invalid(f"{s.shown(value)} is not a UUID",
                      "Copy the show's podcast:guid from its feed or podcastindex.org") from None


@described("geo: URI")
def geo(value: Any) -> str:
    value = s.text(value)
    if not GEO_RE.match(value):
        raise Invalid(f"{s.shown(value)} is not a geo: URI",
                      'Write "geo:LATITUDE,LONGITUDE", e.g. "geo:51.5072,-0.1276"')
    return value


@described("two-letter country code")
def country(value: Any) -> str:
    value = s.text(value)
    if not re.fullmatch(r"[A-Za-z]{2}", value):
        raise Invalid(f"{s.shown(value)} is not a two-letter country code", 'e.g. "GB"')
    return value.upper()


@described("OpenStreetMap id")
def osm(value: Any) -> str:
    value = s.text(value)
    if not re.fullmatch(r"[NWR]\d+(?:#\d+)?", value):
        raise Invalid(f"{s.shown(value)} is not an OpenStreetMap id",
                      'Write its type letter and number, e.g. "R65606"')
    return value


def short(limit: int) -> Callable[[Any], str]:
    """Text of at most ``limit`` characters (what the namespace allows)."""
    def convert(value: Any) -> str:
        value = s.text(value)
        if len(value) > limit:
            raise Invalid(f"is {len(value)} characters long, more than {limit}",
                          "Shorten it")
        return value
    return described(f"text, at most {limit} characters")(convert)


class one_or_list(s.list_of):
    """A table, or a list of them (``location = { ... }`` or ``[{ ... }, { ... }]``)."""

    def __init__(self, item: Callable[[Any], Any], **kwargs: Any):
        super().__init__(item, **kwargs)
        self.kind = f"table or {self.kind}"

    def check(self, value: Any, ctx: s.Context, path: str) -> list | None:
        if isinstance(value, dict):
            item = self.item.check(value, ctx, path)
            return None if item is None else s.Items([item])
        return super().check(value, ctx, path)


@described("true, false or a list of service slugs")
def block(value: Any) -> tuple[str, ...]:
    """``true``: block every service (``("*",)``); a list: those services."""
    if isinstance(value, bool):
        return ("*",) if value else ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{s.shown(value)} is not true, false or a list of service slugs",
                      'e.g. block = ["google"] or block = true')
    unknown = [v for v in value if v not in SERVICE_SLUGS]
    if unknown:
        raise Invalid(f"{', '.join(map(repr, unknown))} is not a Podcasting 2.0 service slug",
                      "See podcast-namespace/serviceslugs.txt (e.g. apple, spotify, google)")
    return tuple(dict.fromkeys(value))


@described('"auto", "off", 50 or 60')
def dehum(value: Any) -> str | int:
    """``"auto"`` (notch only the hum the measuring pass finds), ``"off"``, 50 or 60."""
    if value in ("auto", "off") or (value in (50, 60) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and value.strip() in ("50", "60"):
        return int(value)
    raise Invalid(f"{s.shown(value)} is not auto, off, 50 or 60",
                  'Write dehum = "auto" (found by measuring), "off", 50 or 60 (Hz)')


@described("path of an audio file")
def audio_file(value: Any) -> str:
    """A sting's path relative to the show's folder (checked to exist inside it on load)."""
    value = s.text(value)
    problem = audio_problem(value)
    if problem:
        raise Invalid(*problem)
    return value


@described("op3, podtrac or a URL ending in /")
def analytics_prefix(value: Any) -> str:
    """A shorthand of ``ANALYTICS_PREFIXES`` or a URL: an https prefix ending in /."""
    value = s.text(value)
    if value in ANALYTICS_PREFIXES:
        return value
    s.url()(value)  # the feed's enclosure URLs start with it: https, as build requires
    if not value.endswith("/"):
        raise Invalid(f"{s.shown(value)} does not end in /",
                      "The enclosure's address is appended to the prefix, after a /")
    return value


def tuple_of(item: Callable[[Any], Any], *, unique: bool = False) -> Callable[[Any], tuple]:
    """A list of ``item``s as a tuple (``unique``: each kept once, in the order
    written); the first bad item is the error, named by its place (``[2]: ...``)."""
    items = s.list_of(item)

    def convert(value: Any) -> tuple:
        out = items(value)
        return tuple(dict.fromkeys(out) if unique else out)
    return described(items.kind)(convert)


MAX_SECONDS = 100 * 3600  # any time in an episode: far beyond a real one


@described("time: H:MM:SS(.mmm), M:SS or seconds")
def parse_timecode(value: Any) -> float:
    """Seconds from ``H:MM:SS(.mmm)``, ``M:SS`` or a number of seconds."""
    if isinstance(value, bool):
        raise Invalid(f"{value!r} is not a time", "Write H:MM:SS, M:SS or seconds")
    seconds = None
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        m = re.fullmatch(r"(?:(\d{1,3}):)?([0-5]?\d):([0-5]\d(?:\.\d{1,6})?)", value.strip())
        if m:
            h, mnt, sec = m.groups()
            seconds = int(h or 0) * 3600 + int(mnt) * 60 + float(sec)
        elif re.fullmatch(r"\d{1,7}(?:\.\d{1,6})?", value.strip()):
            seconds = float(value)
    if seconds is None:
        raise Invalid(f"{s.shown(value)} is not a time", "Write H:MM:SS, M:SS or seconds")
    if not math.isfinite(seconds) or seconds < 0:
        raise Invalid(f"{s.shown(value)} is not a time of zero or more seconds",
                      "Write H:MM:SS, M:SS or seconds")
    if seconds > MAX_SECONDS:
        raise Invalid(f"{s.shown(value)} is more than {MAX_SECONDS // 3600} hours",
                      "Check the time")
    return seconds


@described("ISO 8601 date and time with a zone")
def parse_date(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif not isinstance(value, str):
        raise Invalid(f"{s.shown(value)} is not a date and time",
                      'Write ISO 8601 with a zone in quotes, e.g. "2020-03-09T10:00:00+00:00"')
    else:
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise Invalid(f"{s.shown(text)} is not a valid date and time",
                          "Write ISO 8601 with a zone, e.g. 2020-03-09T10:00:00+00:00") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise Invalid(f"{value!s} has no time zone",
                      "Add the offset, e.g. +00:00 (Z) or +01:00 for BST")
    return parsed


MAX_GUID = 1000  # characters: far beyond any host's guid (URLs, "Buzzsprout-123", UUIDs)
CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@described("text")
def episode_guid(value: Any) -> str:
    """Any non-empty text, kept exactly as written: `podcast add` writes a UUID, and
    `podcast import` keeps the guid the show was published with (a URL, a host's
    own scheme...), because apps know the episode by that text."""
    value = s.text(value, limit=MAX_GUID, keep="Quote the guid exactly as it was published "
                   "(or as `podcast add` wrote it); it must never change")
    if CONTROL_CHARS.search(value):
        raise Invalid(f"{s.shown(value)} contains control characters",
                      "Keep the guid the episode was published with, without them")
    return value


# ---- nested tables (Podcasting 2.0 tags, shared by [show] and episode.md) ----------

PERSON = [
    Option("name", s.text, "the person's name", required=True),
    Option("role", s.text, "role from the Podcasting 2.0 taxonomy", default="host"),
    Option("group", s.text, "group from the taxonomy", default="cast"),
    Option("href", s.url(), "a page about the person"),
    Option("img", s.url(), "a picture of the person"),
]

TXT = [
    Option("text", short(4000), "the text, e.g. a verification code", required=True),
    Option("purpose", short(128), "what it is for, e.g. verify", default="verify"),
]

REMOTE_ITEM = [
    Option("feed_guid", feed_guid, "the other show's podcast:guid", required=True),
    Option("feed_url", s.url(), "the other show's feed URL"),
    Option("title", short(128), "its name, for apps that cannot look it up"),
    Option("medium", s.choice(*MEDIUMS), "its podcast:medium"),
]

PUBLISHER = [
    Option("feed_guid", feed_guid, "the publisher feed's podcast:guid", required=True),
    Option("feed_url", s.url(), "the publisher feed's URL"),
]

LOCATION = [
    Option("name", short(128), "a human-readable place, e.g. London", required=True),
    Option("geo", geo, "geo:latitude,longitude"),
    Option("osm", osm, "OpenStreetMap id, e.g. R65606"),
    Option("country", country, "ISO 3166-1 alpha-2 code, e.g. GB"),
    Option("rel", s.choice("subject", "creator"), "subject (what it is about) or creator "
           "(where it is made)", default="subject"),
]

SOCIAL = [
    Option("protocol", s.choice(*SOCIAL_PROTOCOLS),
           "activitypub, atproto, nostr... or disabled", required=True),
    Option("uri", s.text, "the post (or account) where comments go", required=True),
    Option("account_id", short(256), "the account, e.g. @show@mastodon.social"),
    Option("account_url", s.url(), "the account's page"),
    Option("priority", s.integer(1, 100), "lower first"),
]
