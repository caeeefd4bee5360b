"""``podcast build``: gather, then write.

load + validate -> process audio (cached) -> transcribe where none exists
(``[transcripts] auto``) -> assets (art, chapters, transcripts) -> feed.xml ->
pages and search index. ``feed/`` ends up holding exactly the
tree that is uploaded: files no step produced this time are removed.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from podcast.errors import ValidationError
from podcast.model import BuiltEpisode, Site
from podcast.show import load_project

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    site: Site
    output: Path
    keys: frozenset[str]  # every file in feed/, relative, with "/" separators
    removed: tuple[str, ...]


def build(root: Path, *, public_url: str | None = None, now: datetime | None = None,
          jobs: int | None = None, force: bool = False, progress: bool = False,
          strict: bool = False, allow_feed_changes: bool = False) -> BuildResult:
    """Build ``feed/`` for the episodes that are live at ``now``.

    Unless ``allow_feed_changes``, a feed that would drop or duplicate episodes
    for subscribers of the last feed published to the same URL is refused.
    """
    from podcast.assets import check_sources, write_assets
    from podcast.audio import publish_media
    from podcast.feed import write_feed
    from podcast.site import write_pages

    project = load_project(root)
    show = project.show.with_url(public_url) if public_url else project.show
    now = now or datetime.now(timezone.utc)
    live = project.live(now)
    out = show.output_dir
    out.mkdir(parents=True, exist_ok=True)

    # Gather, then write: the assets' checks (art, chapter images, transcripts) are
    # cheap and refuse a broken episode before minutes of audio work.
    problems = [p for p in check_sources(show, live) if p.is_error]
    if problems:
        raise ValidationError(problems)
    media = publish_media(show, live, out, jobs=jobs, force=force, progress=progress)
    if show.transcripts.auto:
        # Episodes without a transcript get one (written beside the master, the
        # producer's to edit); the assets step then publishes it like any other.
        from podcast.transcribe import transcribe_missing
        live = transcribe_missing(show, live, jobs=jobs, progress=progress)
    assets = write_assets(show, live, out, media)
    built = tuple(
        BuiltEpisode(ep, media[ep.slug], *assets.per_episode[ep.slug]) for ep in live)
    site = Site(show=show, episodes=built, artwork_key=assets.artwork_key,
                build_date=max((ep.date for ep in live), default=datetime(2000, 1, 1,
                                                                         tzinfo=timezone.utc)),
                preview=public_url is not None and public_url.startswith("http://"),
                artwork_sizes=assets.artwork_sizes)
    keys = set(assets.keys) | {m.key for m in media.values()}
    keys |= {a.key for m in media.values() for a in m.alternates}
    keys |= write_feed(site, out, guard=not allow_feed_changes)
    keys |= write_pages(site, out, strict=strict)
    removed = _remove_stale(out, keys)
    log.info("built %d episode%s into %s", len(built), "" if len(built) == 1 else "s", out)
    return BuildResult(site, out, frozenset(keys), removed)


def _remove_stale(out: Path, keep: set[str]) -> tuple[str, ...]:
    """Delete files in ``out`` that this build did not produce (old media keys...)."""
    removed = []
    for dirpath, dirnames, filenames in os.walk(out, topdown=False):
        for name in filenames:
            path = Path(dirpath) / name
            key = path.relative_to(out).as_posix()
            if key not in keep and not name.startswith("."):
                path.unlink()
                removed.append(key)
        if dirpath != str(out) and not os.listdir(dirpath):
            os.rmdir(dirpath)
    for key in removed:
        log.debug("removed stale %s", key)
    return tuple(sorted(removed))

