"""Subscriber protection: refuse a feed that would make apps lose or re-download episodes.

Podcast apps know an episode by its ``<guid>`` and download its enclosure
once. So, compared with the feed subscribers already have:

* a published guid that vanished makes the episode disappear from their apps;
* a guid that changed for the same episode makes it appear twice (and be
  downloaded again);
* an enclosure URL that changed for an existing episode makes many apps
  download it again.

``compare_feeds`` lists these as sentences; the publisher calls it on the live
feed before uploading, and ``podcast build`` on the local record of the last
published feed (``record_published`` is called by the publisher after a
successful upload). Either refuses unless ``--allow-feed-changes``.
"""

from __future__ import annotations

import logging
import re

from podcast import model
from podcast.errors import FeedError
from podcast.feed.reader import Item, read_feed
from podcast.fsutil import sha256_bytes, write_if_changed
from podcast.show.config import Show

log = logging.getLogger(__name__)


def _norm(title: str) -> str:
    return re.sub(r"\W+", " ", title).strip().casefold()


def _same_episode(old: Item, new: Item) -> bool:
    """Whether ``new`` is ``old`` under another guid: same audio, title or number."""
    if old.enclosure_url and old.enclosure_url == new.enclosure_url:
        return True
    if old.title and _norm(old.title) == _norm(new.title):
        return True
    return bool(old.number[1]) and old.number == new.number


def same_audio(old_url: str, new_url: str) -> bool:
    """Two enclosure URLs of ours that hold the same audio: a re-tag (new bytes,
    new key) or another host or analytics prefix. Apps may fetch the new URL, but
    what they get is the episode they had, so this does not need the override."""
    old_id = model.audio_identity(old_url)
    return old_id is not None and old_id == model.audio_identity(new_url)


def moved_media(old_xml: bytes, new_xml: bytes) -> list[str]:
    """The allowed enclosure changes (same audio, new URL), one sentence each, for
    the publish plan to show."""
    old_by_guid = {i.guid: i for i in read_feed(old_xml, "the published feed").items}
    out = []
    for new in read_feed(new_xml, "the new feed").items:
        old = old_by_guid.get(new.guid)
        if old and old.enclosure_url and new.enclosure_url != old.enclosure_url \
                and same_audio(old.enclosure_url, new.enclosure_url):
            out.append(f"{new.label()}: same audio at a new URL ({old.enclosure_url} -> "
                       f"{new.enclosure_url})")
    return out


def compare_feeds(old_xml: bytes, new_xml: bytes) -> list[str]:
    """What in ``new_xml`` would hurt subscribers of ``old_xml``: one sentence per
    problem, naming the episode; an empty list means the new feed is safe.

    New episodes, edited titles, notes and art are all fine. ``FeedError`` if
    either document is not an RSS feed.
    """
    old_feed = read_feed(old_xml, "the published feed")
    new_feed = read_feed(new_xml, "the new feed")
    old_items, new_items = old_feed.items, new_feed.items
    new_by_guid = {i.guid: i for i in new_items if i.guid}
    old_guids = {i.guid for i in old_items if i.guid}
    fresh = [i for i in new_items if i.guid not in old_guids]
    problems: list[str] = []
    if old_feed.podcast_guid and new_feed.podcast_guid != old_feed.podcast_guid:
        problems.append(
            f"the show's podcast:guid changed from {old_feed.podcast_guid} to "
            f"{new_feed.podcast_guid or 'nothing'}: podcast directories would take it for "
            "another show. Put the old value back in podcast.toml ([show] guid)")
    for old in old_items:
        if not old.guid:
            continue
        new = new_by_guid.get(old.guid)
        if new is None:
            twin = next((n for n in fresh if _same_episode(old, n)), None)
            if twin is not None:
                problems.append(
                    f"{old.label()} changed its guid from {old.guid} to {twin.guid}: apps "
                    "would show it twice and download it again. Put the old guid back in "
                    "its episode.md")
            else:
                problems.append(
                    f"{old.label()} (guid {old.guid}) is published but missing from the new "
                    "feed: it would vanish from subscribers' apps. Check it is not a draft, "
                    "dated in the future, or deleted by mistake")
            continue
        if old.enclosure_url and new.enclosure_url != old.enclosure_url \
                and not same_audio(old.enclosure_url, new.enclosure_url):
            problems.append(
                f"{old.label()} has a new audio URL ({old.enclosure_url} -> {new.enclosure_url}): many "
                "apps would download it again. If the audio or the public URL was changed "
                "on purpose, allow it")
    return problems


# ---- the local record of the last published feed ------------------------------

def _record_path(show: Show):
    # One record per feed URL: a local preview server and the real bucket differ.
    return show.cache_dir / "published" / f"feed-{sha256_bytes(show.feed_url.encode())[:16]}.xml"


def record_published(show: Show, xml_bytes: bytes) -> None:
    """Remember ``xml_bytes`` as the feed now live at ``show.feed_url``.

    The publisher calls this after a successful upload of feed.xml.
    """
    write_if_changed(_record_path(show), xml_bytes)
    log.debug("recorded the feed published at %s", show.feed_url)


def last_published(show: Show) -> bytes | None:
    """The last feed recorded as published at ``show.feed_url``, or None."""
    try:
        return _record_path(show).read_bytes()
    except FileNotFoundError:
        return None


def guard_against_published(show: Show, new_xml: bytes) -> None:
    """Raise ``FeedError`` listing every problem of ``new_xml`` against the record."""
    old = last_published(show)
    if old is None:
        return
    problems = compare_feeds(old, new_xml)
    if problems:
        raise FeedError(
            "feed.xml",
            "would break subscribers compared with the feed last published at "
            f"{show.feed_url}:\n  - " + "\n  - ".join(p + "." for p in problems)
            + "\nFix the episodes named above, or pass --allow-feed-changes if the change "
            "is deliberate")
