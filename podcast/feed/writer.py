"""``feed.xml`` from a ``model.Site``: feedgen, its podcast extension and ours.

The feed is a pure function of the site model: no "now" anywhere
(``lastBuildDate`` is the newest episode's date), items newest first, every
string stripped of characters XML cannot carry. Apple's and Spotify's rules
and feedgen's traps are in BRIEF.md section 3; the comments below say which
line of code answers which trap.
"""

from __future__ import annotations

import logging
from pathlib import Path

from feedgen.feed import FeedGenerator

from podcast import model
from podcast.errors import FeedError
from podcast.feed import ext, notecache
from podcast.feed.notecache import NotesCache
from podcast.fsutil import write_if_changed
from podcast.model import BuiltEpisode, Site
from podcast.show import notes

log = logging.getLogger(__name__)

AUDIO_TYPE = "audio/mpeg"  # never audio/mp3: apps reject it
# Browsers show the feed as code (none renders RSS, and XSLT is being removed from
# all of them): the first line a person reads there says where to go instead.
BROWSER_NOTE = ("This is the podcast feed of {title}: podcast apps read it. To follow the "
                "show, paste this page's address into your podcast app. How: {url}")


def _t(text: str | None) -> str:
    """Text safe for XML: no control characters, no surrounding blanks."""
    return notes.strip_control(text or "").strip()


def _url(site: Site, key: str) -> str:
    return model.public_url(site.show, key)


def episode_html(built: BuiltEpisode, cache: NotesCache) -> str:
    """The episode's notes through the feed profile (<= 4000 bytes, cut on a block)."""
    ep = built.episode
    html = cache.feed_html(ep.notes)
    if not html:
        # description is required on an item; fall back to the summary or the title.
        html = cache.feed_html(ep.summary or ep.title)
    return html


def build_generator(site: Site, cache: NotesCache | None = None) -> FeedGenerator:
    """The FeedGenerator for ``site``, with every channel and item field set.

    ``cache`` renders the notes (a fresh in-memory one when not given).
    """
    cache = cache or NotesCache()
    show = site.show
    fg = FeedGenerator()
    fg.load_extension("podcast", atom=False)
    fg.register_extension(ext.NAME, ext.PodcastIndexExtension, ext.PodcastIndexEntryExtension,
                          atom=False)
    pi: ext.PodcastIndexExtension = getattr(fg, ext.NAME)
    artwork = _url(site, site.artwork_key)

    fg.title(_t(show.title))
    # The RSS <link> is the *last* fg.link() call: rel=self first, the site last.
    fg.link(href=show.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=model.home_url(show), rel="alternate")
    # Plain text: HTML has a place in items (content:encoded), not here.
    fg.description(_t(notes.feed_text(show.description)) or _t(show.title))
    fg.docs("https://www.rssboard.org/rss-specification")  # feedgen's default is http
    fg.language(show.language)
    fg.copyright(_t(show.copyright))
    fg.lastBuildDate(site.build_date)  # default is now(): never in a deterministic feed
    fg.pubDate(site.build_date)
    fg.image(url=artwork, title=_t(show.title), link=model.home_url(show))
    fg.podcast.itunes_author(_t(show.author))
    fg.podcast.itunes_owner(name=_t(show.owner_name), email=show.owner_email)
    fg.podcast.itunes_category([{"cat": c[0], **({"sub": c[1]} if len(c) > 1 else {})}
                                for c in show.categories])
    fg.podcast.itunes_type(show.type)
    if show.summary:
        fg.podcast.itunes_subtitle(_t(show.summary))

    note = BROWSER_NOTE.format(title=_t(show.title), url=_url(site, model.SUBSCRIBE_PAGE))
    if "--" not in note:  # an XML comment cannot hold "--" (an IDN host: xn--)
        pi.comment(note)
    for hub in show.publish.websub_hubs:
        pi.hub(hub)
    if show.new_feed_url:
        pi.new_feed_url(show.new_feed_url)
    pi.itunes_explicit(show.explicit)  # true/false: feedgen refuses these values
    pi.itunes_image(artwork)
    pi.guid(show.guid)
    pi.locked(show.locked, owner=show.owner_email)
    pi.medium(show.medium)
    if show.license:
        pi.license(_t(show.license), show.license_url)
    if show.update_frequency:
        pi.update_frequency(_t(show.update_frequency))
    for f in show.funding:
        pi.funding(f["url"], _t(f["text"]))
    for p in show.persons:
        pi.person(_t(p["name"]), p.get("role"), p.get("group"), p.get("href"), p.get("img"))
    _reach_channel(pi, site)

    newest_first = sorted(site.episodes, key=lambda b: (b.episode.date, b.episode.slug),
                          reverse=True)
    for built in newest_first:
        if built.episode.type == "trailer":
            pi.trailer(_t(built.episode.title), model.enclosure_url(show, built.media.key),
                       built.episode.date, built.media.size, AUDIO_TYPE,
                       built.episode.season)
    for built in newest_first:
        # add_entry() prepends by default; append keeps our newest-first order.
        _add_item(fg.add_entry(order="append"), site, built, artwork, cache)
    return fg


def _add_item(fe, site: Site, built: BuiltEpisode, show_artwork: str,
              cache: NotesCache) -> None:
    ep, media, show = built.episode, built.media, site.show
    pi: ext.PodcastIndexEntryExtension = getattr(fe, ext.NAME)
    html = _t(episode_html(built, cache))

    fe.title(_t(ep.title))
    # The stored guid, never derived from number or title: apps key downloads on it.
    fe.guid(ep.guid, permalink=ep.guid_permalink)
    fe.link(href=_url(site, model.episode_page(ep)))
    body = ext.cdata(html)  # HTML in CDATA: readable, and what Apple documents
    fe.description(body)
    fe.content(body)
    fe.pubDate(ep.date)
    if not isinstance(media.size, int) or media.size <= 0:
        raise FeedError(ep.slug, f"the audio file has no usable size ({media.size!r})",
                        "Run `podcast build --force` to produce it again")
    # An explicit length: enclosure() without one writes length="None".
    # Behind [publish] analytics_prefix when set (it redirects to this object).
    fe.enclosure(model.enclosure_url(show, media.key), str(media.size), AUDIO_TYPE)
    fe.podcast.itunes_duration(int(round(media.duration)))
    if ep.number is not None:
        fe.podcast.itunes_episode(ep.number)
    if ep.season is not None:
        fe.podcast.itunes_season(ep.season)
    fe.podcast.itunes_episode_type(ep.type)
    fe.podcast.itunes_image(_url(site, built.image_key) if built.image_key else show_artwork)
    if ep.summary:
        fe.podcast.itunes_subtitle(_t(ep.summary))

    if ep.explicit is not None:
        pi.itunes_explicit(ep.explicit)
    for t in built.transcripts:
        pi.transcript(_url(site, t.key), t.mime, show.language, "captions")
    if built.chapters_key:
        pi.chapters(_url(site, built.chapters_key))
    if ep.season is not None:
        pi.season(ep.season)
    if ep.number is not None:
        pi.episode(ep.number)
    for p in ep.persons:
        pi.person(_t(p["name"]), p.get("role"), p.get("group"), p.get("href"), p.get("img"))
    timeline = built.media.timeline
    for sb in ep.soundbites:  # written against the master: mapped into the MP3
        start = timeline.to_published(sb.start)  # (shorter by what cuts took out of it)
        duration = round(timeline.to_published(sb.start + sb.duration) - start, 3)
        if duration > 0:
            pi.soundbite(round(start, 3), duration, _t(sb.title) if sb.title else None)
    _reach_item(pi, site, built)


def _reach_channel(pi: ext.PodcastIndexExtension, site: Site) -> None:
    """The Podcasting 2.0 channel tags apps read beyond the basics: art sizes,
    podping, directory verification, recommendations, place, comments, blocks."""
    show = site.show
    for img in site.artwork_sizes:
        pi.image(_url(site, img.key), img.width, img.height,
                 "image/png" if img.key.endswith(".png") else "image/jpeg", "artwork",
                 alt=_t(show.title))
    if show.publish.podping_url:  # claimed only when a gateway is configured
        pi.podping(True)
    for t in show.txt:
        pi.txt(_t(t["text"]), t.get("purpose"))
    if show.podroll:
        pi.podroll([{**i, "title": _t(i.get("title")) or None} for i in show.podroll])
    if show.publisher:
        pi.publisher(show.publisher["feed_guid"], show.publisher.get("feed_url"))
    _places_and_comments(pi, show.location, show.social)
    if "*" in show.block:
        pi.block()
    for service in show.block:
        if service != "*":
            pi.block(service)


def _places_and_comments(pi, locations, social) -> None:
    for loc in locations:
        pi.location(_t(loc["name"]), loc.get("rel"), loc.get("geo"), loc.get("osm"),
                    loc.get("country"))
    for s in social:
        pi.social_interact(s["protocol"], s["uri"], s.get("account_id"),
                           s.get("account_url"), s.get("priority"))


def _reach_item(pi: ext.PodcastIndexEntryExtension, site: Site, built: BuiltEpisode) -> None:
    """Item tags beyond the basics: alternate encodings, inline Podlove chapters
    (what gPodder shows), the episode's art, licence, place, comments, txt."""
    ep, media = built.episode, built.media
    for alt in media.alternates:
        pi.alternate_enclosure(alt.mime, [model.enclosure_url(site.show, alt.key)],
                               length=alt.size, bitrate=alt.bitrate, title=alt.title,
                               codecs=alt.codecs, integrity=alt.integrity)
    images = dict(built.chapter_images)  # by 1-based place in time order, as assets numbers
    chapters = model.published_chapters(ep, media.timeline, media.duration)
    marks = [(ch.start, _t(ch.title), ch.url,
              _url(site, images[ch.number]) if ch.number in images else None)
             for ch in model.listed_chapters(chapters)]
    if marks:
        pi.psc_chapters(marks)
    if built.image_key:
        pi.image(_url(site, built.image_key), purpose="artwork", alt=_t(ep.title))
    if ep.license:
        pi.license(_t(ep.license), ep.license_url)
    _places_and_comments(pi, ep.location, ep.social)
    for t in ep.txt:
        pi.txt(_t(t["text"]), t.get("purpose"))


def render_feed(site: Site, cache: NotesCache | None = None) -> bytes:
    """The feed's bytes: UTF-8 XML, pretty-printed (diffs stay readable)."""
    fg = build_generator(site, cache)
    try:
        return fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    except ValueError as exc:  # lxml refuses text it cannot serialise
        raise FeedError(model.FEED, f"cannot be written ({exc})",
                        "Check the show and episode texts for unusual characters") from None


def write_feed(site: Site, out: Path, *, guard: bool = False) -> set[str]:
    """Write ``out/feed.xml``; returns the keys written ({"feed.xml"}).

    With ``guard``, the new feed is first compared with the last one published
    to the same URL (``protect.last_published``) and refused with a
    ``FeedError`` if it would make subscribers lose or re-download episodes.
    """
    cache = NotesCache.load(site.show.cache_dir / notecache.FILE_NAME)
    data = render_feed(site, cache)
    cache.save()
    log.debug("feed notes: %d rendered, %d from the cache", cache.misses, cache.hits)
    if not _unchanged(Path(out) / model.FEED, data):  # it passed the rules when written
        _refuse_broken(site, data, Path(out))
    if guard:
        from podcast.feed.protect import guard_against_published
        guard_against_published(site.show, data)
    changed = write_if_changed(Path(out) / model.FEED, data)
    log.info("feed: %d episode%s%s", len(site.episodes), "" if len(site.episodes) == 1 else "s",
             "" if changed else " (unchanged)")
    return {model.FEED}


def _unchanged(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _refuse_broken(site: Site, data: bytes, out: Path) -> None:
    """Apply the feed rules (the same ones ``podcast check`` applies) before writing:
    a feed that breaks them is never written."""
    from podcast.errors import ValidationError
    from podcast.feed.rules import check_feed_bytes

    problems = check_feed_bytes(data, out, [b.episode for b in site.episodes],
                                where=site.show.where(out / model.FEED),
                                now=site.build_date)
    if any(p.is_error for p in problems):
        raise ValidationError([p for p in problems if p.is_error])
