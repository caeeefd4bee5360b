"""The build's assets step: artwork, JSON chapters and transcripts into ``feed/``.

Gather, then write: every image is checked and every transcript parsed
first, and all problems are raised together; only then are files written
(atomically, and only when their bytes changed).

* ``artwork``: art keyed by a hash of its published bytes, converted when needed;
* ``chapters``: JSON chapters in the Podcasting 2.0 format, version 1.2.0;
* Transcripts are published as WebVTT, SRT and Podcasting 2.0 JSON, whichever
  was supplied, shifted from the master's timeline onto the published MP3's.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path

from podcast import model
from podcast.assets.artwork import art_key, prepare_art, size_key, sizes_of
from podcast.assets.chapters import chapter_image, chapters_json
from podcast.errors import PodcastError, Problem, ValidationError
from podcast.fsutil import write_if_changed
from podcast.show.artwork import ART_MAX, ART_MIN, check_art
from podcast.show.config import Show
from podcast.show.episodes import Episode
from podcast import captions

log = logging.getLogger(__name__)

VTT, SRT, JSON = "text/vtt", "application/x-subrip", "application/json"


@dataclass(frozen=True)
class Assets:
    """What the assets step wrote: keys relative to ``out``."""

    artwork_key: str
    # slug -> (chapters_key | None, transcripts, image_key | None, chapter images):
    # the remaining fields of model.BuiltEpisode, in order.
    per_episode: dict[str, tuple]
    keys: set[str] = field(default_factory=set)
    artwork_sizes: tuple[model.Image, ...] = ()  # the art in podcast:image sizes



# ---- podcast check -----------------------------------------------------------------

def check_sources(show: Show, episodes: list[Episode]) -> list[Problem]:
    """What the assets step would refuse or change, found before building.

    Art that cannot be used is an error; art that will be converted is a
    warning (the published copy differs from the file). Transcripts must parse.
    """
    from podcast.images import ImageError, image_info

    problems: list[Problem] = []

    def art(path: Path, where: str, fieldname: str) -> None:
        try:
            fmt, w, h, mode = image_info(path, show.where(path))
        except FileNotFoundError:
            return  # reported by the show/episode validation
        except ImageError as exc:
            problems.append(Problem(where, fieldname, f"{exc.where} {exc.problem}",
                                    exc.hint or ""))
            return
        except OSError as exc:
            problems.append(Problem(where, fieldname, f"{show.where(path)} cannot be read "
                                    f"({exc.strerror})", "Check its permissions"))
            return
        for issue in check_art(w, h, mode, fmt):
            fixable = w == h and w >= ART_MIN
            problems.append(Problem(
                where, fieldname, f"{show.where(path)} {issue}",
                "A converted copy will be published; the file is left as it is" if fixable
                else f"Apple requires a square JPEG or PNG of {ART_MIN}-{ART_MAX} px",
                "warning" if fixable else "error"))

    art(show.artwork, "podcast.toml", "[show] artwork")
    for ep in episodes:
        where = show.where(ep.source)
        if ep.image is not None:
            art(ep.image, where, "image")
        for n, ch in enumerate(sorted(ep.chapters, key=lambda c: c.start), start=1):
            if ch.image is not None:
                try:
                    chapter_image(ep, n, ch.image, show.where(ch.image))
                except PodcastError as exc:
                    problems.append(Problem(where, f"chapters[{n}].image", exc.format()))
        if ep.transcript is not None:
            problems += _transcript_problems(show, ep.transcript)
    return problems


def _transcript_problems(show: Show, path: Path) -> list[Problem]:
    """A transcript that cannot be read is an error; cues published otherwise than
    written (sorted, left out) or that overlap one speaker's are warnings."""
    where = show.where(path)
    try:
        cues = captions.read(path)
    except PodcastError as exc:
        return [Problem(where, "", exc.problem, exc.hint or "")]
    return [Problem(where, f.label, f.problem, f.hint, "warning")
            for f in captions.findings(cues)]


# ---- the step ----------------------------------------------------------------

def _timing(media: dict[str, model.Media] | None, ep: Episode) -> tuple[model.Timeline, float]:
    """Where the master plays in the episode's published audio, and how long that is."""
    published = media.get(ep.slug) if media else None
    return (published.timeline, published.duration) if published else \
        (model.Timeline(), math.inf)


def write_assets(show: Show, episodes: list[Episode], out: Path,
                 media: dict[str, model.Media] | None = None) -> Assets:
    """Write art, chapters and transcripts of ``episodes`` into ``out``.

    ``media`` (slug -> the published audio) gives each episode's timeline: times
    written against the master are mapped through it. Raises ``ValidationError``
    listing every unusable image or transcript, before anything is written.
    """
    out = Path(out)
    art_cache = show.cache_dir / "artwork"
    problems: list[Problem] = []
    files: dict[str, bytes] = {}

    artwork_key = ""
    artwork_sizes: list[model.Image] = []
    try:
        cover = prepare_art(show.artwork, show.where(show.artwork), art_cache)
        artwork_key = art_key("cover", cover)
        files[artwork_key] = cover.data
        artwork_sizes.append(model.Image(artwork_key, *cover.size))
        for px, data in sizes_of(cover, art_cache):
            key = size_key("cover", px, data)
            files[key] = data
            artwork_sizes.append(model.Image(key, px, px))
        if cover.converted:
            log.info("artwork: published %s as %dx%d RGB (%s left unchanged)",
                     artwork_key, *cover.size, show.where(show.artwork))
    except PodcastError as exc:
        problems.append(Problem(exc.where or "podcast.toml", "[show] artwork", exc.problem,
                                exc.hint or ""))

    per_episode: dict[str, tuple] = {}
    for ep in episodes:
        where = show.where(ep.source)
        timeline, duration = _timing(media, ep)
        image_key = None
        if ep.image is not None:
            try:
                art = prepare_art(ep.image, show.where(ep.image), art_cache)
                image_key = art_key(ep.slug, art)
                files[image_key] = art.data
            except PodcastError as exc:
                problems.append(Problem(where, "image", exc.problem, exc.hint or ""))

        chapters_key = None
        images: dict[int, str] = {}
        if ep.chapters:
            ordered = sorted(ep.chapters, key=lambda c: c.start)
            for n, ch in enumerate(ordered, start=1):
                if ch.image is not None:
                    try:
                        key, data = chapter_image(ep, n, ch.image, show.where(ch.image))
                    except PodcastError as exc:
                        problems.append(Problem(where, f"chapters[{n}].image", exc.problem,
                                                exc.hint or ""))
                        continue
                    images[n] = key
                    files[key] = data
            chapters_key = model.chapters_key(ep)
            files[chapters_key] = chapters_json(
                show, model.published_chapters(ep, timeline, duration), images).encode()

        found = _transcripts(show, ep, (media or {}).get(ep.slug), files, problems)
        per_episode[ep.slug] = (chapters_key, found, image_key, tuple(sorted(images.items())))

    if any(p.is_error for p in problems):
        raise ValidationError(problems)

    written = sum(write_if_changed(out / key, data) for key, data in sorted(files.items()))
    log.debug("assets: %d files, %d rewritten", len(files), written)
    return Assets(artwork_key=artwork_key, per_episode=per_episode, keys=set(files),
                  artwork_sizes=tuple(artwork_sizes))


def _transcripts(show: Show, ep: Episode, media: model.Media | None, files: dict[str, bytes],
                 problems: list[Problem]) -> tuple[model.Transcript, ...]:
    """The episode's transcript as WebVTT, SRT and JSON, on the published MP3's timeline
    (``media``), in time order (into ``files``); what cannot be read, into ``problems``."""
    if ep.transcript is None:
        return ()
    where = show.where(ep.transcript)
    try:
        cues = captions.read(ep.transcript)
    except PodcastError as exc:
        problems.append(Problem(where, "", exc.problem, exc.hint or ""))
        return ()
    for finding in captions.findings(cues):
        log.warning("warning: %s: %s: %s", where, finding.label, finding.problem)
    if media is not None:
        cues = captions.retimed(cues, media.timeline.to_published, media.duration,
                                removed=media.timeline.fillers)
    cues = captions.publishable(cues)
    # WebVTT first: Apple Podcasts ingests it; SRT and JSON for the others.
    found = tuple(model.Transcript(model.transcript_key(ep, ext), mime)
                  for ext, mime in (("vtt", VTT), ("srt", SRT), ("json", JSON)))
    for t, text in zip(found, (captions.to_vtt(cues), captions.to_srt(cues),
                               captions.to_json(cues))):
        files[t.key] = text.encode()
    return found
