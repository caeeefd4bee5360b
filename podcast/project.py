"""The show repository as a whole: load, validate, add an episode, list.

These are the library calls behind ``podcast check``, ``podcast list`` and
``podcast add``; the CLI only parses options and prints.
"""

from __future__ import annotations

import logging
import re
import shutil
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml

from podcast.config import Show, load_show
from podcast.episodes import (EPISODE_FILE, MASTER_SUFFIXES, Episode, load_episodes,
                              read_episode)
from podcast.errors import PodcastError, Problem, ValidationError
from podcast.fsutil import atomic_path, atomic_write_text

log = logging.getLogger(__name__)

# Extra checks other modules add to `podcast check` (the built feed, for one):
# each takes the show and its episodes and returns problems.
CHECKS: list[Callable[[Show, list[Episode]], list[Problem]]] = []


@dataclass(frozen=True)
class Project:
    show: Show
    episodes: list[Episode]

    def live(self, now: datetime | None = None) -> list[Episode]:
        return [e for e in self.episodes if e.is_live(now)]

    def select(self, slugs: tuple[str, ...] | list[str]) -> list[Episode]:
        """The named episodes (all when none named); unknown slugs are an error."""
        if not slugs:
            return list(self.episodes)
        by_slug = {e.slug: e for e in self.episodes}
        unknown = [s for s in slugs if s not in by_slug]
        if unknown:
            raise PodcastError(", ".join(unknown), "no such episode",
                               "Run `podcast list` to see the slugs")
        return [by_slug[s] for s in slugs]


def load_project(root: Path, *, probe_audio: bool = True) -> Project:
    """Load and validate everything; raise ``ValidationError`` listing every problem."""
    problems: list[Problem] = []
    show = load_show(root, collect=problems)
    episodes = load_episodes(show, collect=problems, probe_audio=probe_audio)
    for p in problems:
        if not p.is_error:
            log.warning("warning: %s", p)
    if any(p.is_error for p in problems):
        raise ValidationError(problems)
    return Project(show, episodes)


def check(root: Path) -> list[Problem]:
    """Every problem with the show, its episodes and (if built) its feed, in one run."""
    problems: list[Problem] = []
    show = load_show(root, collect=problems)
    episodes = load_episodes(show, collect=problems)
    import podcast.rss.check  # noqa: F401  (registers the built feed's rules)
    import podcast.site.check  # noqa: F401  (registers the templates' check)
    for extra in CHECKS:
        problems.extend(extra(show, episodes))
    return problems


def register_check(func: Callable[[Show, list[Episode]], list[Problem]]):
    if func not in CHECKS:
        CHECKS.append(func)
    return func


# ---- podcast add ------------------------------------------------------------

def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return text[:60].rstrip("-") or "episode"


def next_number(episodes: list[Episode], season: int | None) -> int:
    numbers = [e.number for e in episodes
               if e.number is not None and e.season == season and e.type == "full"]
    return max(numbers, default=0) + 1


def add_episode(root: Path, audio: Path, *, title: str, number: int | None = None,
                season: int | None = None, type: str = "full", date: datetime | None = None,
                notes: str | None = None, slug: str | None = None, status: str = "published",
                summary: str | None = None) -> Episode:
    """Create ``episodes/<slug>/`` from a master: copy it in, write episode.md, new guid.

    The original master is only read. An existing folder is never overwritten.
    """
    show = load_show(root)
    audio = Path(audio)
    if not audio.is_file():
        raise PodcastError(str(audio), "does not exist", "Give the path of the master audio")
    if audio.suffix.lower() not in MASTER_SUFFIXES:
        raise PodcastError(str(audio), f"{audio.suffix or 'no extension'} is not a supported "
                           "audio format", "Export WAV, FLAC, MP3, M4A or AIFF")
    from podcast.mediainfo import probe
    probe(audio)  # refuse an unreadable master before creating anything

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
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n"
    text += notes_text if notes_text.endswith("\n") or not notes_text else notes_text + "\n"

    folder.mkdir(parents=True)
    try:
        with atomic_path(folder / front["master"]) as tmp:
            shutil.copyfile(audio, tmp)
        atomic_write_text(folder / EPISODE_FILE, text)
        problems: list[Problem] = []
        episode = read_episode(folder, show, problems)
        errors = [p for p in problems if p.is_error]
        if errors or episode is None:
            raise ValidationError(problems)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    log.info("added %s (guid %s)", folder.relative_to(show.root), episode.guid)
    return episode


def episode_rows(root: Path) -> list[tuple]:
    """Rows for ``podcast list``: number, slug, title, state, date, duration, master, processed."""
    from podcast.audio import cached_report
    from podcast.mediainfo import probe

    project = load_project(root, probe_audio=False)
    now = datetime.now(timezone.utc)
    rows = []
    for ep in project.episodes:
        report = cached_report(project.show, ep)
        duration = report.duration if report else None
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
                     format_duration(duration), ep.master.name,
                     "yes" if report else "no"))
    return rows


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
