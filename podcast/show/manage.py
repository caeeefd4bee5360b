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
from collections.abc import Callable, Sequence
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
from podcast.show.tracks import length_problem

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


def add_episode(root: Path, audio: Path | Sequence[Path], *, title: str,
                number: int | None = None, season: int | None = None, type: str = "full",
                date: datetime | None = None, notes: str | None = None,
                slug: str | None = None, status: str = "published",
                summary: str | None = None, speakers: Sequence[str] = (),
                music: Sequence[Path] = (),
                check: Callable[[Path, str], None] | None = None) -> Episode:
    """Create ``episodes/<slug>/`` from a master: copy it in, write episode.md, new guid.

    With ``speakers`` (one per file of ``audio``) the files are the tracks of one
    session, one per microphone, and ``music`` adds music beds: the episode gets
    ``tracks:`` instead of ``master:``. The originals are only read. An existing
    folder is never overwritten; a ``slug`` that is not lowercase letters, digits
    and hyphens is refused.
    """
    if slug is not None:
        check_slug(slug)
    show = load_show(root)
    sources = _sources([Path(a) for a in ([audio] if isinstance(audio, (str, Path))
                                          else audio)], list(speakers),
                       [Path(m) for m in music])
    from podcast.show.probe import probe
    lengths = []
    for path, _, _ in sources:
        if not path.is_file():
            raise PodcastError(str(path), "does not exist", "Give the path of the audio file")
        problem = audio_problem(path)
        if problem:
            raise PodcastError(str(path), *problem)
        # refuse an unreadable file before creating anything
        lengths.append((path.name, probe(path).duration))
        if check is not None:  # the audio stage's own checks (silence, too short)
            check(path, str(path))
    skew = length_problem(lengths)
    if skew:
        raise PodcastError("podcast add", skew, "Give the tracks of one session, exported "
                           "from the same start to the same end")

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
    front = _front(title, number, season, type, date, status, summary, sources)
    notes_text = _notes(notes)
    folder.mkdir(parents=True)
    try:
        for path, name, _ in sources:
            with atomic_path(folder / name) as tmp:
                shutil.copyfile(path, tmp)
        atomic_write_text(folder / EPISODE_FILE, front_matter_text(front, notes_text))
        episode, _ = read_back(folder, show)
    except BaseException:  # nothing half-made is left: the folder goes
        shutil.rmtree(folder, ignore_errors=True)
        raise
    log.info("added %s (guid %s)", folder.relative_to(show.root), episode.guid)
    return episode


def _sources(audio: list[Path], speakers: list[str], music: list[Path]
             ) -> list[tuple[Path, str, dict | None]]:
    """(file, name in the folder, its track entry or None for a master) of each file
    ``podcast add`` copies: the master, or each speaker's track and music bed."""
    if not audio:
        raise PodcastError("podcast add", "needs an audio file", "Give the master, or one "
                           "file per speaker with --speaker")
    if not speakers:
        if len(audio) > 1 or music:
            raise PodcastError("--speaker", "is needed for tracks",
                               "Name who speaks on each file: podcast add host.wav guest.wav "
                               "--speaker Host --speaker Guest (one master needs none)")
        return [(audio[0], "master" + audio[0].suffix.lower(), None)]
    if len(speakers) != len(audio):
        raise PodcastError("--speaker", f"is given {len(speakers)} times for {len(audio)} "
                           "audio files", "Give one --speaker per file, in the same order")
    out: list[tuple[Path, str, dict | None]] = []
    taken: set[str] = set()
    for path, who in [*zip(audio, speakers), *((m, None) for m in music)]:
        base = slugify(who) if who else "music"
        name, n = base + path.suffix.lower(), 1
        while name in taken:
            n += 1
            name = f"{base}-{n}{path.suffix.lower()}"
        taken.add(name)
        out.append((path, name, {"file": name, "speaker": who} if who
                    else {"file": name, "music": True}))
    return out


def _front(title: str, number: int | None, season: int | None, type: str, date: datetime,
           status: str, summary: str | None, sources) -> dict:
    """episode.md's front matter for a new episode (a new guid)."""
    front: dict = {"title": title}
    if number is not None:
        front["number"] = number
    if season is not None:
        front["season"] = season
    front.update({"type": type, "date": date.isoformat(), "guid": str(uuid.uuid4())})
    if sources[0][2] is None:
        front["master"] = sources[0][1]
    else:
        front["tracks"] = [entry for _, _, entry in sources]
    front["status"] = status
    if summary:
        front["summary"] = summary
    return front


def _notes(notes: str | Path | None) -> str:
    if not notes:
        return ""
    try:
        return Path(notes).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PodcastError(str(notes), f"cannot be read as UTF-8 text ({exc})",
                           "Give a Markdown file") from None


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
                duration = max(probe(path).duration for path in ep.audio_files)
            except PodcastError:
                duration = None
        number = ("" if ep.number is None else
                  f"S{ep.season}E{ep.number}" if ep.season else str(ep.number))
        if ep.type != "full":
            number = f"{number} {ep.type}".strip()
        rows.append((number, ep.slug, ep.title, ep.state(now), ep.date.strftime("%Y-%m-%d %H:%M"),
                     clock(duration) or "?",
                     f"{len(ep.tracks)} tracks" if ep.tracks else
                     ep.master.name + (" (LFS pointer)" if is_pointer(ep.master) else ""),
                     "yes" if done is not None else "no"))
    return rows
