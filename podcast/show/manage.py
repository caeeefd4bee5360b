"""Changing and listing the show: ``podcast add`` and ``podcast list``.

The library calls behind those commands; the CLI only parses options and
prints. Loading and validating is ``podcast.show.project``.
"""

from __future__ import annotations

import logging
import re
import shutil
import unicodedata
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from podcast.errors import PodcastError
from podcast.fsutil import atomic_path, atomic_write_text
from podcast.show.config import Show, load_show
from podcast.show.episodes import (
    EPISODE_FILE,
    RESERVED_SLUG,
    Episode,
    check_slug,
    load_episodes,
    read_back,
)
from podcast.show.formats import audio_problem
from podcast.show.frontmatter import front_matter_text
from podcast.show.project import load_project
from podcast.show.schema import clock

log = logging.getLogger(__name__)

# ---- podcast add ------------------------------------------------------------

def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    text = text[:60].rstrip("-") or "episode"
    return f"{text}-episode" if RESERVED_SLUG.match(text) else text


def next_number(episodes: list[Episode], season: int | None) -> int:
    numbers = [e.number for e in episodes
               if e.number is not None and e.season == season and e.type == "full"]
    return max(numbers, default=0) + 1


def add_episode(root: Path, audio: Path, *, title: str, number: int | None = None,
                season: int | None = None, type: str = "full", date: datetime | None = None,
                notes: str | None = None, slug: str | None = None, status: str = "published",
                summary: str | None = None,
                check: Callable[[Path, str], None] | None = None) -> Episode:
    """Create ``episodes/<slug>/`` from a master: copy it in, write episode.md, new guid.

    The original master is only read. An existing folder is never overwritten; a
    ``slug`` that is not lowercase letters, digits and hyphens is refused.
    """
    if slug is not None:
        check_slug(slug)
    show = load_show(root)
    audio = Path(audio)
    if not audio.is_file():
        raise PodcastError(str(audio), "does not exist", "Give the path of the master audio")
    problem = audio_problem(audio)
    if problem:
        raise PodcastError(str(audio), *problem)
    from podcast.show.probe import probe
    probe(audio)  # refuse an unreadable master before creating anything
    if check is not None:  # the audio stage's own checks (silence, too short)
        check(audio, str(audio))

    existing = load_episodes(show, collect=[], probe_audio=False)
    slug = slug or slugify(title)
    folder = show.episodes_dir / slug
    if folder.exists():
        raise PodcastError(f"episodes/{slug}", "already exists",
                           "Choose another --slug; existing episodes are never overwritten")
    if type == "full" and number is None:
        season = season if season is not None else (1 if show.type == "serial" else None)
        number = next_number(existing, season)
    date = date or datetime.now(timezone.utc).replace(second=0, microsecond=0)
    if date.tzinfo is None:
        raise PodcastError("--date", f"{date.isoformat()} has no time zone",
                           "Add the offset, e.g. 2026-01-05T09:00:00+00:00")
    notes_text = ""
    if notes:
        try:
            notes_text = Path(notes).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PodcastError(str(notes), f"cannot be read as UTF-8 text ({exc})",
                               "Give a Markdown file") from None

    front: dict = {"title": title}
    if number is not None:
        front["number"] = number
    if season is not None:
        front["season"] = season
    front.update({
        "type": type,
        "date": date.isoformat(),
        "guid": str(uuid.uuid4()),
        "master": "master" + audio.suffix.lower(),
        "status": status,
    })
    if summary:
        front["summary"] = summary

    folder.mkdir(parents=True)
    try:
        with atomic_path(folder / front["master"]) as tmp:
            shutil.copyfile(audio, tmp)
        atomic_write_text(folder / EPISODE_FILE, front_matter_text(front, notes_text))
        episode, _ = read_back(folder, show)
    except BaseException:  # nothing half-made is left: the folder goes
        shutil.rmtree(folder, ignore_errors=True)
        raise
    log.info("added %s (guid %s)", folder.relative_to(show.root), episode.guid)
    return episode


def episode_rows(root: Path, processed: Callable[[Show, Episode], float | None] | None = None
                 ) -> list[tuple]:
    """Rows for ``podcast list``: number, slug, title, state, date, duration, master, processed.

    ``processed(show, episode)`` gives the duration of the episode's processed audio,
    None when it is not processed (the audio stage knows; ``podcast.build`` asks it).
    """
    from podcast.show.lfs import is_pointer
    from podcast.show.probe import probe

    project = load_project(root, probe_audio=False)
    now = datetime.now(timezone.utc)
    rows = []
    for ep in project.episodes:
        done = processed(project.show, ep) if processed else None
        duration = done
        if duration is None:
            try:
                duration = probe(ep.master).duration
            except PodcastError:
                duration = None
        number = ("" if ep.number is None else
                  f"S{ep.season}E{ep.number}" if ep.season else str(ep.number))
        if ep.type != "full":
            number = f"{number} {ep.type}".strip()
        rows.append((number, ep.slug, ep.title, ep.state(now), ep.date.strftime("%Y-%m-%d %H:%M"),
                     clock(duration) or "?",
                     ep.master.name + (" (LFS pointer)" if is_pointer(ep.master) else ""),
                     "yes" if done is not None else "no"))
    return rows
