"""The one template context: what the pages may use, computed once per build.

``site_model(site)`` turns the build model (``model.Site``) into plain,
template-ready values - absolute URLs for metadata, keys for links, notes
already sanitised - once. ``build_context`` then assembles the small
per-page dictionary. Templates never compute URLs or touch Markdown, so a
template cannot introduce unsanitised HTML or a wrong link.
"""

from __future__ import annotations

import functools
import html
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from markupsafe import Markup

from podcast import captions, model
from podcast.errors import PodcastError, SiteError
from podcast.model import SUBSCRIBE_PAGE, BuiltEpisode, Site
from podcast.show import notes
from podcast.site.jsonld import episode_ld, show_ld

log = logging.getLogger(__name__)

STYLESHEET = "style.css"
PLAYER_SCRIPT = "player.js"  # the episode and embed pages' player
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
EMBED_SIZE = (480, 200)  # twitter:player width/height; the embed page fits it

TRANSCRIPT_LABELS = {"text/vtt": "WebVTT", "application/x-subrip": "SRT",
                     "application/json": "JSON"}
SEARCH_PAGE = "search.html"

SUBSCRIBE_LABELS = {"apple": "Apple Podcasts", "spotify": "Spotify",
                    "podcastindex": "Podcast Index"}


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    href: str


@dataclass(frozen=True, slots=True)
class ChapterView:
    start: float
    title: str
    url: str | None

    @property
    def t(self) -> str:
        """The ``#t=`` value: whole seconds unless the mark is finer."""
        return _t(self.start)


@dataclass(frozen=True, slots=True)
class Credit:
    """A podcast:person credit: "Narrator: Mark Strong"."""

    name: str
    role: str  # as shown, capitalised: "Narrator"
    href: str | None


def _credits(persons) -> tuple[Credit, ...]:
    return tuple(Credit(p["name"], (p.get("role") or "host").capitalize(), p.get("href"))
                 for p in persons if p.get("name"))


def _t(seconds: float) -> str:
    """The ``#t=`` value of a time: whole seconds, or as fine as the mark is (ms at most)."""
    seconds = round(seconds, 3)
    return str(int(seconds)) if seconds == int(seconds) else f"{seconds:g}"


@dataclass(frozen=True, slots=True)
class CueView:
    """One transcript cue on a page: a link to its moment (``#t=12.5``), and the anchor
    ``id="t=12.5"`` that search results point at."""

    start: float
    text: str
    anchor: bool  # False for a second cue at the same moment (ids are unique)

    @property
    def t(self) -> str:
        return _t(self.start)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Consecutive transcript cues of one speaker, read as one paragraph."""

    start: float
    speaker: str | None
    cues: tuple[CueView, ...]

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cues)

    @property
    def t(self) -> str:
        return _t(self.start)


@dataclass(frozen=True, slots=True)
class Image:
    key: str
    url: str
    alt: str
    width: int | None
    height: int | None


@dataclass(frozen=True, eq=False)
class EpisodeView:
    slug: str
    title: str
    label: str  # "Season 1, episode 2", "Trailer"...: text shown beside the title
    number: int | None
    season: int | None
    type: str
    date: datetime
    duration: float
    page: str  # key of the episode page
    url: str  # its canonical URL
    embed: str
    embed_url: str
    transcript_page: str | None
    transcript_url: str | None
    audio: str  # key of the MP3
    audio_url: str
    audio_size: int
    image: Image
    chapters: tuple[ChapterView, ...]
    captions: str | None  # key of the WebVTT file, for <track>
    transcript_files: tuple[Link, ...]  # download links: WebVTT, SRT
    chapters_file: str | None
    explicit: bool
    credits: tuple[Credit, ...]  # the episode's persons, else the show's (Podcasting 2.0 rule)
    source: BuiltEpisode

    # Notes are rendered only for pages that are rendered: a rebuild that finds
    # a page unchanged (render.PageCache) never parses its Markdown.
    @functools.cached_property
    def notes_html(self) -> Markup:
        text = self.source.episode.notes
        return _safe(notes.site_html(text) if text.strip() else "")

    @functools.cached_property
    def notes_text(self) -> str:
        """The notes as folded text (sanitised HTML, so tags never hold a '>' of their own
        except in attribute values: good enough to test whether a sentence is in it)."""
        return _fold(self.notes_html)

    @functools.cached_property
    def summary(self) -> str:
        """The episode's own summary, else the notes' first paragraph as text."""
        return self.source.episode.summary or notes.shorten(
            notes.text_of(_first_paragraph(self.notes_html)), 300)


@dataclass(frozen=True, slots=True)
class ShowView:
    title: str
    description_html: Markup
    summary: str
    language: str
    locale: str  # og:locale, e.g. en_GB
    author: str
    copyright: str
    url: str  # the home page
    search_url: str
    feed: str  # key
    feed_url: str
    subscribe_url: str  # the page that says how to follow the show
    type: str
    image: Image
    subscribe: tuple[Link, ...]  # the show's pages in directories (Apple Podcasts...)
    call_to_action_html: Markup
    call_to_action_text: str  # to see whether an episode's notes already carry it
    credits: tuple[Credit, ...]
    categories: tuple[str, ...]
    explicit: bool
    build_date: datetime
    preview: bool


@dataclass(frozen=True)
class SiteModel:
    show: ShowView
    episodes: tuple[EpisodeView, ...]  # chronological, oldest first
    listing: tuple[EpisodeView, ...]  # the order of the index page
    stylesheet: str  # href of the stylesheet from the site root, with a version query
    player_script: str  # the same for the player's script
    icon: str  # key of the small PNG icon
    position: dict[str, int] = field(default_factory=dict)  # slug -> index in episodes
    paragraphs: dict[str, tuple] = field(default_factory=dict)  # transcript cache by slug


def _safe(fragment: str) -> Markup:
    """Only sanitiser output is marked safe: ``fragment`` comes from notes.site_html."""
    return Markup(fragment)


_TAGS = re.compile(r"<[^>]*>")


def _fold(sanitised: str) -> str:
    """Sanitised HTML as whitespace-folded text, cheaply (no second sanitiser pass)."""
    return " ".join(html.unescape(_TAGS.sub("", sanitised)).split())


def _first_paragraph(fragment: str) -> str:
    """The opening paragraph: what a listing or a social card should say (not the headings
    and lists that follow it)."""
    m = re.search(r"<p>(.*?)</p>", fragment, re.S)
    return m.group(1) if m else fragment


def root_prefix(key: str) -> str:
    """``episodes/x/index.html`` -> ``../../``: prefix that turns keys into relative links."""
    return "../" * key.count("/")


def _image(show, out: Path, key: str, alt: str, sizes: dict) -> Image:
    if key not in sizes:
        sizes[key] = (None, None)
        from podcast.images import ImageError, image_info
        try:
            sizes[key] = image_info(out / key, key)[1:3]
        except (ImageError, OSError):
            log.debug("cannot read the size of %s", key)
    w, h = sizes[key]
    return Image(key, model.public_url(show, key), alt, w, h)


def _label(ep) -> str:
    if ep.type == "trailer":
        return f"Season {ep.season} trailer" if ep.season else "Trailer"
    parts = []
    if ep.season:
        parts.append(f"Season {ep.season}")
    if ep.number is not None:
        parts.append(f"episode {ep.number}" if parts else f"Episode {ep.number}")
    if ep.type == "bonus":
        parts.append("bonus" if parts else "Bonus")
    return ", ".join(parts)


def _chapters(ep, media: model.Media) -> tuple[ChapterView, ...]:
    """The chapter links, timed to the published audio (after the intro, if any)."""
    chapters = model.published_chapters(ep, media.timeline, media.duration)
    return tuple(ChapterView(round(c.start, 3), c.title, c.url)
                 for c in model.listed_chapters(chapters))


def _episode_view(site: Site, b: BuiltEpisode, out: Path, sizes: dict) -> EpisodeView:
    show, ep = site.show, b.episode
    url = lambda key: model.public_url(show, key)  # noqa: E731
    page = model.episode_page(ep)
    vtt = next((t.key for t in b.transcripts if t.mime == "text/vtt"), None)
    files = tuple(Link(TRANSCRIPT_LABELS.get(t.mime, t.mime), t.key) for t in b.transcripts)
    has_transcript = bool(b.transcripts) and ep.transcript is not None
    transcript_page = model.transcript_page(ep) if has_transcript else None
    image_key = b.image_key or site.artwork_key
    alt = (f"Cover art for {ep.title}" if b.image_key else f"{show.title} cover art")
    return EpisodeView(
        slug=ep.slug, title=ep.title, label=_label(ep), number=ep.number, season=ep.season,
        type=ep.type, date=ep.date, duration=b.media.duration,
        page=page, url=url(page),
        embed=model.embed_page(ep), embed_url=url(model.embed_page(ep)),
        transcript_page=transcript_page,
        transcript_url=url(transcript_page) if transcript_page else None,
        audio=b.media.key, audio_url=url(b.media.key), audio_size=b.media.size,
        image=_image(show, out, image_key, alt, sizes),
        chapters=_chapters(ep, b.media),
        captions=vtt, transcript_files=files, chapters_file=b.chapters_key,
        explicit=show.explicit if ep.explicit is None else ep.explicit,
        credits=_credits(ep.persons or show.persons),
        source=b,
    )


def site_model(site: Site, out: Path, *, stylesheet: str = STYLESHEET,
               player_script: str = PLAYER_SCRIPT, icon: str | None = None) -> SiteModel:
    """Everything the templates show, computed once for all pages."""
    show = site.show
    sizes: dict = {}
    links = [Link(SUBSCRIBE_LABELS[k], show.subscribe[k])
             for k in SUBSCRIBE_LABELS if show.subscribe.get(k)]
    description = notes.site_html(show.description)
    cta = notes.site_html(show.call_to_action or "")
    lang = show.language.split("-")
    view = ShowView(
        title=show.title, description_html=_safe(description),
        summary=show.summary or notes.shorten(notes.text_of(description), 300),
        language=show.language,
        locale="_".join([lang[0]] + [p.upper() for p in lang[1:2]]),
        author=show.author, copyright=show.copyright, url=model.home_url(show),
        search_url=model.public_url(show, SEARCH_PAGE),
        feed=model.FEED, feed_url=show.feed_url,
        subscribe_url=model.public_url(show, SUBSCRIBE_PAGE), type=show.type,
        image=_image(show, out, site.artwork_key, f"{show.title} cover art", sizes),
        subscribe=tuple(links),
        call_to_action_html=_safe(cta),
        call_to_action_text=_fold(cta),
        credits=_credits(show.persons),
        categories=tuple(" › ".join(c) for c in show.categories),
        explicit=show.explicit, build_date=site.build_date, preview=site.preview,
    )
    episodes = tuple(_episode_view(site, b, out, sizes) for b in site.episodes)
    listing = episodes if show.type == "serial" else tuple(reversed(episodes))
    return SiteModel(view, episodes, listing, stylesheet, player_script,
                     icon or site.artwork_key, {ep.slug: i for i, ep in enumerate(episodes)})


def transcript_paragraphs(model: SiteModel, ep: EpisodeView) -> tuple[Paragraph, ...]:
    """The episode's transcript as paragraphs (parsed once per build)."""
    if ep.slug not in model.paragraphs:
        model.paragraphs[ep.slug] = _paragraphs(ep)
    return model.paragraphs[ep.slug]


def _paragraphs(ep: EpisodeView) -> tuple[Paragraph, ...]:
    """The episode's transcript as paragraphs: a new one when the speaker changes
    or after a pause, so the page reads as text rather than as subtitles."""
    source = ep.source.episode.transcript
    if ep.transcript_page is None or source is None:
        return ()
    try:
        cues = captions.read(source)
    except PodcastError as exc:
        raise SiteError(exc.where, exc.problem, exc.hint) from None
    # The file is timed to the master; the page's links seek the published MP3.
    media = ep.source.media
    cues = captions.publishable(captions.retimed(cues, media.timeline.to_published,
                                                 media.duration,
                                                 removed=media.timeline.fillers))
    paragraphs: list[Paragraph] = []
    start, speaker, views, last_end = None, None, [], 0.0
    anchors: set[str] = set()
    for cue in cues:
        new = (start is None or cue.speaker != speaker or cue.start - last_end > 2.0
               or len(views) >= 8)
        if new and views:
            paragraphs.append(Paragraph(start, speaker, tuple(views)))
            views = []
        if new:
            start, speaker = cue.start, cue.speaker
        t = _t(cue.start)
        views.append(CueView(cue.start, " ".join(cue.text.split()), t not in anchors))
        anchors.add(t)
        last_end = cue.end
    if views:
        paragraphs.append(Paragraph(start, speaker, tuple(views)))
    return tuple(paragraphs)


def _show_page_meta(show: ShowView, kind: str) -> dict:
    """Title, description and address of the show's own pages (index, search, subscribe)."""
    title, og_title, description, url = {
        "search": (f"Search | {show.title}", f"Search {show.title}",
                   f"Search the notes and transcripts of {show.title}.", show.search_url),
        "subscribe": (f"Subscribe | {show.title}", f"Follow {show.title}",
                      f"Follow {show.title} in your podcast app: every new episode arrives "
                      "by itself.", show.subscribe_url),
    }.get(kind, (show.title, show.title, show.summary, show.url))
    return {"title": title, "og_title": og_title, "description": description,
            "image": show.image, "url": url, "type": "website", "jsonld": show_ld(show)}


def build_context(model: SiteModel, kind: str, key: str,
                  episode: EpisodeView | None = None) -> dict:
    """The variables of one page: ``kind`` is index, episode, transcript, embed, search or
    subscribe."""
    show = model.show
    prev = nxt = None
    if episode is not None:
        i = model.position[episode.slug]
        if kind == "episode":
            prev = model.episodes[i - 1] if i > 0 else None
            nxt = model.episodes[i + 1] if i + 1 < len(model.episodes) else None
    if episode is None or kind == "index":
        meta = _show_page_meta(show, kind)
    else:
        title = {"transcript": f"Transcript: {episode.title}",
                 "embed": episode.title}.get(kind, episode.title)
        url = {"transcript": episode.transcript_url, "embed": episode.embed_url}.get(
            kind, episode.url)
        meta = {"title": f"{title} | {show.title}", "og_title": title,
                "description": episode.summary,
                "image": episode.image, "url": url, "type": "website",
                "jsonld": episode_ld(show, episode)}
    return {
        "kind": kind,
        "key": key,
        "root": root_prefix(key),
        "show": show,
        "episodes": model.listing,
        "episode": episode,
        "previous": prev,
        "next": nxt,
        "page": meta,
        "transcript": (transcript_paragraphs(model, episode)
                       if episode is not None and kind in ("episode", "transcript") else ()),
        "stylesheet": model.stylesheet,
        "player_script": model.player_script,
        "icon": model.icon,
        "embed_size": EMBED_SIZE,
        "search_page": SEARCH_PAGE,
        "subscribe_page": SUBSCRIBE_PAGE,
    }
