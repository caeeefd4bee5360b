"""Episodes: ``episodes/<slug>/episode.md`` (YAML front matter + Markdown notes).

Each front-matter field is declared once, on ``Episode`` (``schema.setting``).
Reading one folder is a row of small steps: read (bytes) -> parse (UTF-8,
front matter) -> validate (the schema, and rules across fields) -> resolve
(files in the folder, chapters, ``audio:`` overrides) -> probe (the audio's
length, and the times that must fall inside it). ``load_episodes`` reads every
folder and checks across episodes (duplicate numbers and guids); every
problem is reported with its file and field. Nothing is written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from podcast.errors import OptionError, PodcastError, Problem, ValidationError
from podcast.fsutil import sha256_bytes
from podcast.show import schema as s
from podcast.show.config import Show, check_sting
from podcast.show.fields import (
    LOCATION,
    PERSON,
    SOCIAL,
    TXT,
    episode_guid,
    one_or_list,
    parse_date,
    parse_timecode,
)
from podcast.show.folder import EpisodeFolder
from podcast.show.formats import audio_problem
from podcast.show.frontmatter import split_front_matter
from podcast.show.schema import Invalid, Option
from podcast.show.settings import AUDIO_OVERRIDES, AudioSettings, sting_override
from podcast.show.tracks import (
    MAX_TRACKS,
    TRACK,
    Track,
    check_tracks,
    length_problem,
    persons_with,
    resolve_tracks,
)

EPISODE_FILE = "episode.md"
TRANSCRIPT_NAMES = ("transcript.vtt", "transcript.srt")
COVER_NAMES = ("cover.jpg", "cover.png")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_EPISODE_BYTES = 4 * 1024 * 1024  # episode.md: notes included
FILE = "file name in the episode folder"  # the type of a field naming one


# Names Windows reserves for devices, with or without an extension: a folder so named
# cannot be checked out there.
RESERVED_SLUG = re.compile(r"^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$")


def slug_problem(slug: object) -> str | None:
    """Why ``slug`` cannot name an episode's folder (None: it can)."""
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        return f"{s.shown(slug)} is not a slug of lowercase letters, digits and hyphens"
    if RESERVED_SLUG.match(slug):
        return f"{slug!r} is a name Windows reserves for a device (the folder could not be " \
            "checked out there)"
    return None


def check_slug(slug: str) -> None:
    """Refuse a slug that cannot name the folder: it is part of the episode's URLs
    (``../x`` would leave episodes/), and ``con`` could not be checked out on Windows."""
    problem = slug_problem(slug)
    if problem:
        raise OptionError("slug", problem, "Choose one such as multiple-bombings; it is part "
                          "of the episode's URLs")


@dataclass(frozen=True)
class Chapter:
    start: float  # seconds
    title: str
    url: str | None = None
    image: Path | None = None  # absolute path of a local image
    toc: bool = True


def past_the_end(chapters, duration: float) -> list[tuple[int, str]]:
    """(index, problem) for each chapter that starts at or after the end of
    ``duration`` seconds of audio: the one rule, for ``check`` (the header's
    length) and the audio step (the decoded length)."""
    return [(i, f"{ch.start:g}s is past the end of the audio ({duration:.1f}s)")
            for i, ch in enumerate(chapters) if ch.start >= duration]


@dataclass(frozen=True)
class Soundbite:
    start: float
    duration: float
    title: str | None = None


CHAPTER = [
    Option("start", parse_timecode, "H:MM:SS or seconds", required=True),
    Option("title", s.text, "chapter title", required=True),
    Option("url", s.url(), "a link for the chapter"),
    Option("image", s.text, "an image file in the episode folder", kind=FILE),
    Option("toc", s.boolean, "false hides it from the table of contents", default=True),
]

SOUNDBITE = [
    Option("start", parse_timecode, "H:MM:SS or seconds", required=True),
    Option("duration", s.number(1, 300), "seconds", required=True),
    Option("title", s.text, "what the soundbite is"),
]


@dataclass(frozen=True, kw_only=True)
class Episode:
    """One episode. A field declared with ``s.setting`` is a front-matter key (its
    value resolved: paths made absolute, tables made values); the plain fields are
    worked out when the folder is read."""

    slug: str
    folder: Path
    title: str = s.setting(s.text, "plain-text title, without the episode number",
                           required=True)
    number: int | None = s.setting(s.integer(1, 100_000), "episode number (itunes:episode)")
    season: int | None = s.setting(s.integer(1, 10_000), "season number")
    type: str = s.setting(s.choice("full", "trailer", "bonus"), "full, trailer or bonus",
                          "full")
    date: datetime = s.setting(parse_date, "publication date with zone", required=True)
    guid: str = s.setting(episode_guid, "assigned once by `podcast add` (a UUID) or kept by "
                          "`podcast import`", required=True)
    guid_permalink: bool = s.setting(s.boolean, "the guid is the episode's permanent URL "
                                     "(isPermaLink, kept by `podcast import`)", False)
    # The audio the episode is made from: one master, or one track per microphone.
    master: Path | None = s.setting(s.text, "master audio file, relative to the folder (or "
                                    "tracks:)", kind=FILE)
    tracks: tuple[Track, ...] = s.setting(
        s.list_of(s.table(TRACK), max_items=MAX_TRACKS), "instead of master: one file per "
        "microphone, { file, speaker }, and music beds, { file, music: true }; they start "
        "together", ())
    status: str = s.setting(s.choice("draft", "published"), "draft or published", "draft")
    explicit: bool | None = s.setting(s.boolean, "overrides the show's explicit flag")
    summary: str | None = s.setting(s.text, "one or two sentences for apps and social cards")
    chapters: tuple[Chapter, ...] = s.setting(s.list_of(s.table(CHAPTER)), "chapter marks", ())
    persons: tuple[dict, ...] = s.setting(s.list_of(s.table(PERSON)), "podcast:person credits",
                                          ())
    soundbites: tuple[Soundbite, ...] = s.setting(s.list_of(s.table(SOUNDBITE)),
                                                  "podcast:soundbite clips", ())
    transcript: Path | None = s.setting(s.text, "transcript.vtt or .srt; found automatically",
                                        kind=FILE)
    image: Path | None = s.setting(s.text, "episode cover art; cover.jpg found automatically",
                                   kind=FILE)
    license: str | None = s.setting(s.text, "podcast:license of this episode, e.g. cc-by-4.0")
    license_url: str | None = s.setting(s.url(), "podcast:license url for a custom licence")
    location: tuple[dict, ...] = s.setting(one_or_list(s.table(LOCATION)),
                                           "podcast:location of this episode", ())
    social: tuple[dict, ...] = s.setting(s.list_of(s.table(SOCIAL)), "podcast:socialInteract: "
                                         "where to comment on this episode", ())
    txt: tuple[dict, ...] = s.setting(s.list_of(s.table(TXT)), "podcast:txt of this episode",
                                      ())
    # `audio:` overrides of [audio], as (key, value) pairs.
    audio: tuple[tuple[str, Any], ...] = s.setting(
        s.table(AUDIO_OVERRIDES), "overrides of [audio] for this episode, e.g. "
        "{ leveler: false, intro: false }", ())
    notes: str = ""  # Markdown
    source_sha: str = ""  # hash of episode.md, for caches

    @property
    def source(self) -> Path:
        return self.folder / EPISODE_FILE

    @property
    def audio_files(self) -> tuple[Path, ...]:
        """Every audio file the episode is made from: its master, or each track's file
        in the order listed. The one list that hashing, probing and (#16) Git LFS
        pointers go by."""
        if self.tracks:
            return tuple(t.file for t in self.tracks)
        return (self.master,) if self.master else ()

    def audio_settings(self, show: Show) -> AudioSettings:
        """The show's [audio] with this episode's `audio:` overrides (``intro: false``
        means none)."""
        if not self.audio:
            return show.audio
        return replace(show.audio, **{k: (None if v is False and k in ("intro", "outro")
                                          else v) for k, v in self.audio})

    def state(self, now: datetime | None = None) -> str:
        """draft, scheduled (dated in the future) or live."""
        if self.status == "draft":
            return "draft"
        now = now or datetime.now(timezone.utc)
        return "scheduled" if self.date > now else "live"

    def is_live(self, now: datetime | None = None) -> bool:
        return self.state(now) == "live"


EPISODE_OPTIONS = s.options_of(Episode)


def reference() -> list[s.Entry]:
    """Every front-matter field of episode.md (nested tables after their key)."""
    return s.reference(EPISODE_OPTIONS, "episode")


# ---- reading one folder: read -> parse -> validate -> resolve -> probe --------------

def read_episode(folder: Path, show: Show, problems: list[Problem], *,
                 probe_audio: bool = True) -> Episode | None:
    """Read one folder; append its problems; None when it can't be read at all."""
    where = show.where(folder / EPISODE_FILE)
    try:
        raw = _read(folder, show, where)
        data, notes = split_front_matter(_decode(raw, where), where)
    except PodcastError as exc:
        problems.append(Problem(where, "", exc.problem, exc.hint or ""))
        return None
    ctx = s.Context(where)
    values = _validate(data, folder.name, ctx)
    at = {k: getattr(values[k], "positions", []) for k in ("chapters", "soundbites")}
    values = _resolve(values, data, folder, show, ctx)
    if probe_audio:
        _probe(values, at, folder, ctx)
    problems.extend(ctx.problems)
    if not (values["title"] and values["date"] and values["guid"]
            and (values["master"] or values["tracks"])):
        return None
    return Episode(**values, slug=folder.name, folder=folder, notes=notes,
                   source_sha=sha256_bytes(raw))


def _read(folder: Path, show: Show, where: str) -> bytes:
    """episode.md's bytes: inside the show, of a sane size, readable."""
    source = folder / EPISODE_FILE
    if not show.contains(source):
        raise PodcastError(where, "leads outside the show's folder (a symbolic link)",
                           "Keep episode folders and their files inside the show")
    try:
        if source.stat().st_size > MAX_EPISODE_BYTES:
            raise PodcastError(where, f"is larger than {MAX_EPISODE_BYTES >> 20} MB",
                               "Shorten the notes")
        return source.read_bytes()
    except OSError as exc:
        raise PodcastError(where, f"cannot be read ({exc.strerror})",
                           "Check the file's permissions") from None


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PodcastError(where, f"is not UTF-8 text (byte {exc.start})",
                           "Save the file as UTF-8") from None


def _validate(data: dict, slug: str, ctx: s.Context) -> dict[str, Any]:
    """The front matter against the schema, then the rules across fields."""
    v = s.validate(data, EPISODE_OPTIONS, ctx)
    if slug_problem(slug):
        ctx.error("folder", slug_problem(slug),
                  "Rename the folder; the slug is part of the episode's URLs")
    if v["type"] == "full" and v["number"] is None:
        ctx.warn("number", "missing for a full episode", "Add number: N (Apple shows it)")
    if v["guid_permalink"] and v["guid"] and not v["guid"].startswith(("https://", "http://")):
        ctx.error("guid_permalink", "is true but the guid is not a URL",
                  "Only a guid that is the episode's web address can be a permalink")
    check_tracks(v, ctx)
    return v


def _resolve(v: dict[str, Any], data: dict, folder: Path, show: Show,
             ctx: s.Context) -> dict[str, Any]:
    """Validated values as ``Episode`` holds them: files found in the folder,
    chapters and soundbites as values, lists as tuples, overrides as pairs."""
    files = EpisodeFolder(folder, ctx)
    out = {k: tuple(val) if isinstance(val, list) else val for k, val in v.items()}
    if v["master"]:
        out["master"] = files.named(v["master"], "master", "Copy the master into the "
                                    "folder, or run `podcast add AUDIO`")
        problem = out["master"] and audio_problem(out["master"])
        if problem:
            ctx.error("master", *problem)
    out["tracks"] = resolve_tracks(v["tracks"] or s.Items(), files, ctx)
    if out["tracks"]:
        out["persons"] = persons_with(out["tracks"], out["persons"], show.persons)
    out["chapters"] = _chapters(v["chapters"] or s.Items(), files, ctx)
    out["soundbites"] = tuple(Soundbite(b["start"], b["duration"], b.get("title"))
                              for b in v["soundbites"] or ())
    out["transcript"] = files.found(v["transcript"], "transcript", TRANSCRIPT_NAMES)
    out["image"] = files.found(v["image"], "image", COVER_NAMES)
    # A value left out (or unusable) keeps the show's. False is kept for intro/outro:
    # it switches the show's sting off for this episode.
    out["audio"] = tuple((k, val) for k, val in (v["audio"] or {}).items() if val is not None)
    raw_audio = data.get("audio") if isinstance(data.get("audio"), dict) else {}
    for key in ("intro", "outro"):  # checked even when another audio: field is wrong
        try:
            name = sting_override(raw_audio[key]) if key in raw_audio else None
        except Invalid:
            name = None  # already reported by the schema
        if isinstance(name, str):
            check_sting(show.root, name, f"audio.{key}", ctx)
    return out


def _chapters(raw: s.Items, files: EpisodeFolder, ctx: s.Context) -> tuple[Chapter, ...]:
    """Chapters with their images found, in order of time, the first at 0:00."""
    at = raw.positions
    chapters = tuple(
        Chapter(ch["start"], ch["title"], ch.get("url"),
                files.named(ch["image"], f"chapters[{pos}].image") if ch.get("image")
                else None, ch["toc"])
        for pos, ch in zip(at, raw))
    for i in range(1, len(chapters)):
        if chapters[i].start <= chapters[i - 1].start:
            ctx.error(f"chapters[{at[i]}].start",
                      f"{chapters[i].start:g}s is not after the previous chapter "
                      f"({chapters[i - 1].start:g}s)", "List chapters in order of time")
    if chapters and chapters[0].start != 0:
        ctx.warn(f"chapters[{at[0]}].start", "the first chapter does not start at 0:00",
                 "Apps show nothing before it; add a chapter at 0:00")
    return chapters


def _inputs(values: dict[str, Any]) -> list[tuple[str, Path]]:
    """(field, path) of each audio file the episode is made from: its master, or the
    file of each track (``Episode.audio_files`` once the episode is made)."""
    if values["tracks"]:
        return [(f"tracks[{i}].file", t.file) for i, t in enumerate(values["tracks"], 1)]
    return [("master", values["master"])] if values["master"] else []


def _probe(values: dict[str, Any], at: dict[str, list[int]], folder: Path,
           ctx: s.Context) -> None:
    """Read the length of the episode's audio from its header (an unreadable file is
    an error), then check that chapters and soundbites fall inside it. ``at``: the
    1-based places of chapters and soundbites in the file, for the messages."""
    from podcast.show.lfs import is_pointer
    from podcast.show.probe import probe

    durations = []
    for fieldname, path in _inputs(values):
        if audio_problem(path):
            return  # reported when resolved
        if is_pointer(path):  # a Git LFS pointer: no header to read (check says so)
            continue
        try:
            durations.append((path.relative_to(folder).as_posix(), probe(path).duration))
        except PodcastError as exc:
            ctx.error(fieldname, f"{path.relative_to(folder).as_posix()}: {exc.problem}",
                      exc.hint or "")
    if not durations:
        return
    skew = length_problem(durations)
    if skew:
        ctx.error("tracks", skew, "Export every track of the session from the same start "
                  "to the same end")
    duration = max(d for _, d in durations)
    for i, problem in past_the_end(values["chapters"], duration):
        ctx.error(f"chapters[{at['chapters'][i]}].start", problem, "Fix the time or the master")
    for pos, sb in zip(at["soundbites"], values["soundbites"]):
        if sb.start + sb.duration > duration + 0.5:
            ctx.error(f"soundbites[{pos}]", f"ends at {sb.start + sb.duration:g}s, past the "
                      f"end of the audio ({duration:.1f}s)", "Fix start or duration")


# ---- every episode ------------------------------------------------------------------

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
    problems += _duplicates(show, episodes)
    if collect is not None:
        collect.extend(problems)
    elif any(p.is_error for p in problems):
        raise ValidationError(problems)
    return episodes


def _duplicates(show: Show, episodes: list[Episode]) -> list[Problem]:
    """A guid, or a number within a season, used twice (blamed on the later one)."""
    problems = []
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
    return problems


def read_back(folder: Path, show: Show) -> tuple[Episode, list[Problem]]:
    """An episode just written (by `podcast add` or `podcast import`), read back
    through the validation every command uses: the episode and its warnings, or
    ``ValidationError`` (the writer then takes back what it wrote)."""
    problems: list[Problem] = []
    episode = read_episode(folder, show, problems)
    if episode is None or any(p.is_error for p in problems):
        raise ValidationError(problems or [Problem(show.where(folder / EPISODE_FILE), "",
                                                   "could not be read back")])
    return episode, problems
