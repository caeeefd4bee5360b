"""Episodes: ``episodes/<slug>/episode.md`` (YAML front matter + Markdown notes).

``load_episodes`` reads every folder, validates each field against the schema
and across episodes (duplicate numbers and guids), and reports every problem
with its file and field. Nothing is written here.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from podcast.errors import PodcastError, Problem, ValidationError
from podcast.show import schema as s
from podcast.show.config import PERSON, Show
from podcast.show.schema import Invalid, Option

EPISODE_FILE = "episode.md"
TRANSCRIPT_NAMES = ("transcript.vtt", "transcript.srt")
COVER_NAMES = ("cover.jpg", "cover.png")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MASTER_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".aac", ".aif", ".aiff", ".ogg", ".opus")


@dataclass(frozen=True)
class Chapter:
    start: float  # seconds
    title: str
    url: str | None = None
    image: Path | None = None  # absolute path of a local image
    toc: bool = True


@dataclass(frozen=True)
class Soundbite:
    start: float
    duration: float
    title: str | None = None


@dataclass(frozen=True)
class Episode:
    slug: str
    folder: Path
    title: str
    date: datetime  # timezone-aware
    guid: str
    master: Path
    type: str = "full"
    status: str = "published"
    number: int | None = None
    season: int | None = None
    explicit: bool | None = None  # None: the show's value
    summary: str | None = None
    chapters: tuple[Chapter, ...] = ()
    persons: tuple[dict, ...] = ()
    soundbites: tuple[Soundbite, ...] = ()
    transcript: Path | None = None
    image: Path | None = None
    notes: str = ""  # Markdown
    source_sha: str = ""  # hash of episode.md, for caches

    @property
    def source(self) -> Path:
        return self.folder / EPISODE_FILE

    def state(self, now: datetime | None = None) -> str:
        """draft, scheduled (dated in the future) or live."""
        if self.status == "draft":
            return "draft"
        now = now or datetime.now(timezone.utc)
        return "scheduled" if self.date > now else "live"

    def is_live(self, now: datetime | None = None) -> bool:
        return self.state(now) == "live"


# ---- parsing ----------------------------------------------------------------

class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as text: we parse and judge dates ourselves."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def split_front_matter(text: str, where: str) -> tuple[dict, str]:
    """Split ``---\\nYAML\\n---\\nMarkdown``; raise PodcastError on a broken file."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise PodcastError(where, "does not start with a '---' front matter block",
                           "Begin the file with ---, the YAML fields, then --- and the notes")
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            head, body = "".join(lines[1:i]), "".join(lines[i + 1:])
            break
    else:
        raise PodcastError(where, "front matter is not closed",
                           "Add a line with --- after the YAML fields")
    try:
        data = yaml.load(head, Loader=_Loader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 2}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PodcastError(where, f"front matter is not valid YAML{at} ({problem})",
                           "Fix the YAML; quote titles that contain ':' or '#'") from None
    if not isinstance(data, dict):
        raise PodcastError(where, "front matter is not a mapping of fields",
                           "Write one 'field: value' per line")
    return data, body.lstrip("\n")


def parse_timecode(value: Any) -> float:
    """Seconds from ``H:MM:SS(.mmm)``, ``M:SS`` or a number of seconds."""
    if isinstance(value, bool):
        raise Invalid(f"{value!r} is not a time")
    if isinstance(value, (int, float)):
        if value < 0:
            raise Invalid(f"{value} is negative")
        return float(value)
    if isinstance(value, str):
        m = re.fullmatch(r"(?:(\d+):)?([0-5]?\d):([0-5]\d(?:\.\d+)?)", value.strip())
        if m:
            h, mnt, sec = m.groups()
            return int(h or 0) * 3600 + int(mnt) * 60 + float(sec)
        try:
            seconds = float(value)
            if seconds >= 0:
                return seconds
        except ValueError:
            pass
    raise Invalid(f"{value!r} is not a time", "Write H:MM:SS, M:SS or seconds")


def parse_date(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise Invalid(f"{text!r} is not a valid date and time",
                          "Write ISO 8601 with a zone, e.g. 2020-03-09T10:00:00+00:00") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise Invalid(f"{value!s} has no time zone",
                      "Add the offset, e.g. +00:00 (Z) or +01:00 for BST")
    return parsed


def _guid(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise Invalid(f"{value!r} is not a UUID",
                      "Keep the guid `podcast add` wrote; it must never change") from None


CHAPTER = [
    Option("start", parse_timecode, "H:MM:SS or seconds", required=True),
    Option("title", s.text, "chapter title", required=True),
    Option("url", s.url(), "a link for the chapter"),
    Option("image", s.text, "an image file in the episode folder"),
    Option("toc", s.boolean, "false hides it from the table of contents", default=True),
]

SOUNDBITE = [
    Option("start", parse_timecode, "H:MM:SS or seconds", required=True),
    Option("duration", s.number(1, 300), "seconds", required=True),
    Option("title", s.text, "what the soundbite is"),
]

EPISODE_OPTIONS = [
    Option("title", s.text, "plain-text title, without the episode number", required=True),
    Option("number", s.integer(1), "episode number (itunes:episode)"),
    Option("season", s.integer(1), "season number"),
    Option("type", s.choice("full", "trailer", "bonus"), "full, trailer or bonus",
           default="full"),
    Option("date", parse_date, "publication date with zone", required=True),
    Option("guid", _guid, "UUID assigned once by `podcast add`", required=True),
    Option("master", s.text, "master audio file, relative to the folder", required=True),
    Option("status", s.choice("draft", "published"), "draft or published", default="draft"),
    Option("explicit", s.boolean, "overrides the show's explicit flag"),
    Option("summary", s.text, "one or two sentences for apps and social cards"),
    Option("chapters", s.list_of(s.table(CHAPTER)), "chapter marks", default=list),
    Option("persons", s.list_of(s.table(PERSON)),
           "podcast:person credits", default=list),
    Option("soundbites", s.list_of(s.table(SOUNDBITE)), "podcast:soundbite clips",
           default=list),
    Option("transcript", s.text, "transcript.vtt or .srt; found automatically"),
    Option("image", s.text, "episode cover art; cover.jpg found automatically"),
]




def read_episode(folder: Path, show: Show, problems: list[Problem], *,
                 probe_audio: bool = True) -> Episode | None:
    """Read one folder; append its problems; None when it can't be read at all."""
    from podcast.fsutil import sha256_bytes

    source = folder / EPISODE_FILE
    where = show.where(source)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        problems.append(Problem(where, "", f"cannot be read ({exc.strerror})"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(where, "", f"is not UTF-8 text (byte {exc.start})",
                                "Save the file as UTF-8"))
        return None
    try:
        data, notes = split_front_matter(text, where)
    except PodcastError as exc:
        problems.append(Problem(where, "", exc.problem, exc.hint or ""))
        return None

    ctx = s.Context(where)
    v = s.validate(data, EPISODE_OPTIONS, ctx)
    slug = folder.name
    if not SLUG_RE.match(slug):
        ctx.error("folder", f"{slug!r} is not a slug of lowercase letters, digits and hyphens",
                  "Rename the folder; the slug is part of the episode's URLs")
    if v["type"] == "full" and v["number"] is None:
        ctx.warn("number", "missing for a full episode", "Add number: N (Apple shows it)")

    def local_file(name: str | None, fieldname: str, default_names: tuple[str, ...]) -> Path | None:
        if name:
            path = folder / name
            if not path.is_file():
                ctx.error(fieldname, f"{name} does not exist in {folder.name}/",
                          "Put the file there or fix the name")
                return None
            return path
        for candidate in default_names:
            if (folder / candidate).is_file():
                return folder / candidate
        return None

    master = folder / v["master"] if v["master"] else folder / "master"
    duration = None
    if v["master"]:
        if not master.is_file():
            ctx.error("master", f"{v['master']} does not exist in {folder.name}/",
                      "Copy the master into the folder, or run `podcast add AUDIO`")
        elif master.suffix.lower() not in MASTER_SUFFIXES:
            ctx.error("master", f"{master.suffix} is not a supported audio format",
                      "Export WAV, FLAC, MP3, M4A or AIFF")
        elif probe_audio:
            from podcast.show.probe import probe
            try:
                duration = probe(master).duration
            except PodcastError as exc:
                ctx.error("master", f"{v['master']}: {exc.problem}", exc.hint or "")

    chapters: list[Chapter] = []
    for i, ch in enumerate(v["chapters"] or []):
        image = None
        if ch.get("image"):
            image = local_file(ch["image"], f"chapters[{i + 1}].image", ())
        chapters.append(Chapter(ch["start"], ch["title"], ch.get("url"), image, ch["toc"]))
    for i in range(1, len(chapters)):
        if chapters[i].start <= chapters[i - 1].start:
            ctx.error(f"chapters[{i + 1}].start",
                      f"{chapters[i].start:g}s is not after the previous chapter "
                      f"({chapters[i - 1].start:g}s)", "List chapters in order of time")
    if chapters and chapters[0].start != 0:
        ctx.warn("chapters[1].start", "the first chapter does not start at 0:00",
                 "Apps show nothing before it; add a chapter at 0:00")
    if duration is not None:
        for i, ch in enumerate(chapters):
            if ch.start >= duration:
                ctx.error(f"chapters[{i + 1}].start",
                          f"{ch.start:g}s is past the end of the audio ({duration:.1f}s)",
                          "Fix the time or the master")
        for i, sb in enumerate(v["soundbites"] or []):
            if sb["start"] + sb["duration"] > duration + 0.5:
                ctx.error(f"soundbites[{i + 1}]", "ends past the end of the audio")

    problems.extend(ctx.problems)
    if not v["title"] or not v["date"] or not v["guid"]:
        return None
    return Episode(
        slug=slug,
        folder=folder,
        title=v["title"],
        date=v["date"],
        guid=v["guid"],
        master=master,
        type=v["type"],
        status=v["status"],
        number=v["number"],
        season=v["season"],
        explicit=v["explicit"],
        summary=v["summary"],
        chapters=tuple(chapters),
        persons=tuple(v["persons"] or ()),
        soundbites=tuple(Soundbite(b["start"], b["duration"], b.get("title"))
                         for b in v["soundbites"] or ()),
        transcript=local_file(v["transcript"], "transcript", TRANSCRIPT_NAMES),
        image=local_file(v["image"], "image", COVER_NAMES),
        notes=notes,
        source_sha=sha256_bytes(raw),
    )


def load_episodes(show: Show, *, collect: list[Problem] | None = None,
                  probe_audio: bool = True) -> list[Episode]:
    """Every episode, sorted by date then slug; problems gathered across all of them."""
    problems: list[Problem] = []
    episodes: list[Episode] = []
    folder = show.episodes_dir
    if folder.is_dir():
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            if sub.name.startswith("."):
                continue
            if not (sub / EPISODE_FILE).is_file():
                problems.append(Problem(show.where(sub), "",
                                        f"has no {EPISODE_FILE}",
                                        "Create one with `podcast add` or remove the folder",
                                        "warning"))
                continue
            ep = read_episode(sub, show, problems, probe_audio=probe_audio)
            if ep:
                episodes.append(ep)

    # Oldest first, so a duplicate is blamed on the newer episode.
    episodes.sort(key=lambda e: (e.date, e.slug))
    seen_guid: dict[str, Episode] = {}
    seen_number: dict[tuple, Episode] = {}
    for ep in episodes:
        where = show.where(ep.source)
        if ep.guid in seen_guid:
            problems.append(Problem(where, "guid", f"{ep.guid} is also the guid of "
                                    f"{seen_guid[ep.guid].slug}",
                                    "Every episode needs its own; give the newer one a new "
                                    "UUID (never change a published one)"))
        seen_guid.setdefault(ep.guid, ep)
        if ep.number is not None and ep.type != "bonus":
            key = (ep.season, ep.number, ep.type)
            if key in seen_number:
                season = f"season {ep.season}" if ep.season else "the show"
                problems.append(Problem(where, "number", f"{ep.number} is already used in "
                                        f"{season} by {seen_number[key].slug}",
                                        "Give each episode its own number"))
            seen_number.setdefault(key, ep)

    if collect is not None:
        collect.extend(problems)
    elif any(p.is_error for p in problems):
        raise ValidationError(problems)
    return episodes
