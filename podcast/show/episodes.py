"""Episodes: ``episodes/<slug>/episode.md`` (YAML front matter + Markdown notes).

``load_episodes`` reads every folder, validates each field against the schema
and across episodes (duplicate numbers and guids), and reports every problem
with its file and field. Nothing is written here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from podcast.errors import PodcastError, Problem, ValidationError
from podcast.fsutil import inside
from podcast.show import schema as s
from podcast.show.config import (
    LOCATION,
    PERSON,
    SOCIAL,
    TXT,
    AudioSettings,
    Show,
    audio_file,
    check_sting,
    dehum,
    one_or_list,
)
from podcast.show.schema import Invalid, Option

EPISODE_FILE = "episode.md"
TRANSCRIPT_NAMES = ("transcript.vtt", "transcript.srt")
COVER_NAMES = ("cover.jpg", "cover.png")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Names Windows reserves for devices, with or without an extension: a folder so named
# cannot be checked out there.
RESERVED_SLUG = re.compile(r"^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$")


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name an episode's folder (None: it can)."""
    if not SLUG_RE.match(slug):
        return f"{slug!r} is not a slug of lowercase letters, digits and hyphens"
    if RESERVED_SLUG.match(slug):
        return f"{slug!r} is a name Windows reserves for a device (the folder could not be " \
            "checked out there)"
    return None
MASTER_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".aac", ".aif", ".aiff", ".ogg", ".opus")


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
    guid_permalink: bool = False  # isPermaLink="true": the guid is the episode's URL
    license: str | None = None
    license_url: str | None = None
    location: tuple[dict, ...] = ()
    social: tuple[dict, ...] = ()
    txt: tuple[dict, ...] = ()
    audio: tuple[tuple[str, Any], ...] = ()  # `audio:` overrides of [audio], as (key, value)

    @property
    def source(self) -> Path:
        return self.folder / EPISODE_FILE

    def audio_settings(self, show: Show) -> AudioSettings:
        """The show's [audio] with this episode's `audio:` overrides (``intro: false``
        means none)."""
        from dataclasses import replace

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


# ---- parsing ----------------------------------------------------------------

MAX_EPISODE_BYTES = 4 * 1024 * 1024  # episode.md: notes included
MAX_FRONT_MATTER = 256 * 1024  # the YAML block alone
MAX_SECONDS = 100 * 3600  # any time in an episode: far beyond a real one


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as text (we parse and judge dates ourselves)
    and refuses aliases: an alias bomb (``&a [*a, *a, ...]`` nested) would expand
    to gigabytes, and hand-written front matter has no use for them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed; write the value out", mark)
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _CLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):
    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


MAX_DEPTH = 64  # nested lists and tables in front matter


def _load_yaml(head: str):
    """The front matter's values: with libyaml (six times faster: it is read on every
    build) after one pass over its events that refuses aliases and deep nesting, as
    ``_Loader`` does in pure Python (libyaml's composer recurses in C)."""
    if not yaml.__with_libyaml__:
        return yaml.load(head, Loader=_Loader)
    depth = 0
    try:
        for event in yaml.parse(head, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed; write the value out",
                    event.start_mark)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            if depth > MAX_DEPTH:
                raise RecursionError
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in (exc.problem or ""):  # libyaml's own limit
            raise RecursionError from None
        raise
    return yaml.load(head, Loader=_CLoader)


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
    if len(head.encode("utf-8", "surrogatepass")) > MAX_FRONT_MATTER:
        raise PodcastError(where, f"front matter is larger than {MAX_FRONT_MATTER // 1024} KB",
                           "Keep the fields short; long text belongs in the notes below")
    try:
        data = _load_yaml(head) or {}
    except RecursionError:
        raise PodcastError(where, "front matter is nested too deeply",
                           "Write plain fields, lists and tables") from None
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
        raise Invalid(f"{value!r} is not a time", "Write H:MM:SS, M:SS or seconds")
    seconds = None
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        m = re.fullmatch(r"(?:(\d{1,3}):)?([0-5]?\d):([0-5]\d(?:\.\d{1,6})?)", value.strip())
        if m:
            h, mnt, sec = m.groups()
            seconds = int(h or 0) * 3600 + int(mnt) * 60 + float(sec)
        elif re.fullmatch(r"\d{1,7}(?:\.\d{1,6})?", value.strip()):
            seconds = float(value)
    if seconds is None:
        raise Invalid(f"{s.shown(value)} is not a time", "Write H:MM:SS, M:SS or seconds")
    if not math.isfinite(seconds) or seconds < 0:
        raise Invalid(f"{s.shown(value)} is not a time of zero or more seconds",
                      "Write H:MM:SS, M:SS or seconds")
    if seconds > MAX_SECONDS:
        raise Invalid(f"{s.shown(value)} is more than {MAX_SECONDS // 3600} hours",
                      "Check the time")
    return seconds


def parse_date(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif not isinstance(value, str):
        raise Invalid(f"{s.shown(value)} is not a date and time",
                      'Write ISO 8601 with a zone in quotes, e.g. "2020-03-09T10:00:00+00:00"')
    else:
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise Invalid(f"{s.shown(text)} is not a valid date and time",
                          "Write ISO 8601 with a zone, e.g. 2020-03-09T10:00:00+00:00") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise Invalid(f"{value!s} has no time zone",
                      "Add the offset, e.g. +00:00 (Z) or +01:00 for BST")
    return parsed


MAX_GUID = 1000  # characters: far beyond any host's guid (URLs, "Buzzsprout-123", UUIDs)


def _guid(value: Any) -> str:
    """Any non-empty text, kept exactly as written: `podcast add` writes a UUID, and
    `podcast import` keeps the guid the show was published with (a URL, a host's
    own scheme...), because apps know the episode by that text."""
    value = s.text(value, limit=MAX_GUID, keep="Quote the guid exactly as it was published "
                   "(or as `podcast add` wrote it); it must never change")
    if CONTROL_CHARS.search(value):
        raise Invalid(f"{s.shown(value)} contains control characters",
                      "Keep the guid the episode was published with, without them")
    return value


CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


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

def sting_override(value: Any) -> str | bool:
    """An episode's intro/outro: ``false`` (none for this episode) or a file path
    relative to the show's folder."""
    if value is False:
        return False
    if value is True:
        raise Invalid("true is not a file", "Write false (no intro) or a path such as "
                      "audio/intro.wav; leave it out to use the show's")
    return audio_file(value)


# `audio:` in episode.md: the [audio] settings an episode may override.
AUDIO_OVERRIDES = [
    Option("leveler", s.boolean, "level speakers to each other"),
    Option("highpass", s.integer(0, 300), "rumble high-pass, Hz; 0: off"),
    Option("dehum", dehum, '"auto", "off", 50 or 60'),
    Option("denoise", s.choice("off", "light", "strong"), "off, light or strong"),
    Option("intro", sting_override, "false, or an audio file in the show's folder"),
    Option("outro", sting_override, "false, or an audio file in the show's folder"),
]

EPISODE_OPTIONS = [
    Option("title", s.text, "plain-text title, without the episode number", required=True),
    Option("number", s.integer(1, 100_000), "episode number (itunes:episode)"),
    Option("season", s.integer(1, 10_000), "season number"),
    Option("type", s.choice("full", "trailer", "bonus"), "full, trailer or bonus",
           default="full"),
    Option("date", parse_date, "publication date with zone", required=True),
    Option("guid", _guid, "assigned once by `podcast add` (a UUID) or kept by `podcast "
           "import`", required=True),
    Option("guid_permalink", s.boolean, "the guid is the episode's permanent URL "
           "(isPermaLink, kept by `podcast import`)", default=False),
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
    Option("license", s.text, "podcast:license of this episode, e.g. cc-by-4.0"),
    Option("license_url", s.url(), "podcast:license url for a custom licence"),
    Option("location", one_or_list(s.table(LOCATION)), "podcast:location of this episode",
           default=list),
    Option("social", s.list_of(s.table(SOCIAL)), "podcast:socialInteract: where to comment "
           "on this episode", default=list),
    Option("txt", s.list_of(s.table(TXT)), "podcast:txt of this episode", default=list),
    Option("audio", s.table(AUDIO_OVERRIDES), "overrides of [audio] for this episode, e.g. "
           "{ leveler: false, intro: false }", default=dict),
]




def read_episode(folder: Path, show: Show, problems: list[Problem], *,
                 probe_audio: bool = True) -> Episode | None:
    """Read one folder; append its problems; None when it can't be read at all."""
    from podcast.fsutil import sha256_bytes

    source = folder / EPISODE_FILE
    where = show.where(source)
    home = folder.resolve()
    if not show.contains(source):
        problems.append(Problem(where, "", "leads outside the show's folder (a symbolic link)",
                                "Keep episode folders and their files inside the show"))
        return None
    try:
        if source.stat().st_size > MAX_EPISODE_BYTES:
            problems.append(Problem(where, "", f"is larger than {MAX_EPISODE_BYTES >> 20} MB",
                                    "Shorten the notes"))
            return None
        raw = source.read_bytes()
    except OSError as exc:
        problems.append(Problem(where, "", f"cannot be read ({exc.strerror})",
                                "Check the file's permissions"))
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
    if slug_problem(slug):
        ctx.error("folder", slug_problem(slug),
                  "Rename the folder; the slug is part of the episode's URLs")
    if v["type"] == "full" and v["number"] is None:
        ctx.warn("number", "missing for a full episode", "Add number: N (Apple shows it)")

    def local_file(name: str | None, fieldname: str, default_names: tuple[str, ...] = (),
                   missing_hint: str = "Put the file there or fix the name") -> Path | None:
        """A file of this episode: inside its folder once symbolic links are followed.
        Files found by their default names are held to the same rule."""
        if name:
            path = folder / name
            if not inside(path, home):
                ctx.error(fieldname, f"{s.shown(name)} is outside the episode folder "
                          f"{folder.name}/", "Copy the file into the episode folder and "
                          "give its name only")
                return None
            if not path.is_file():
                ctx.error(fieldname, f"{name} does not exist in {folder.name}/", missing_hint)
                return None
            return path
        for candidate in default_names:
            path = folder / candidate
            if path.is_file() or path.is_symlink():
                if not inside(path, home):
                    ctx.error(fieldname, f"{candidate} leads outside the episode folder "
                              f"{folder.name}/ (a symbolic link)",
                              "Replace the link with the file itself")
                    return None
                return path if path.is_file() else None
        return None

    master = local_file(v["master"], "master", missing_hint="Copy the master into the "
                        "folder, or run `podcast add AUDIO`") if v["master"] else None
    duration = None
    if master is not None:
        if master.suffix.lower() not in MASTER_SUFFIXES:
            ctx.error("master", f"{master.suffix} is not a supported audio format",
                      "Export WAV, FLAC, MP3, M4A or AIFF")
        elif probe_audio:
            from podcast.show.probe import probe
            try:
                duration = probe(master).duration
            except PodcastError as exc:
                ctx.error("master", f"{v['master']}: {exc.problem}", exc.hint or "")

    chapters: list[Chapter] = []
    raw_chapters = v["chapters"] or s.Items()
    for at, ch in zip(raw_chapters.positions, raw_chapters):
        image = None
        if ch.get("image"):
            image = local_file(ch["image"], f"chapters[{at}].image")
        chapters.append(Chapter(ch["start"], ch["title"], ch.get("url"), image, ch["toc"]))
    at = raw_chapters.positions
    for i in range(1, len(chapters)):
        if chapters[i].start <= chapters[i - 1].start:
            ctx.error(f"chapters[{at[i]}].start",
                      f"{chapters[i].start:g}s is not after the previous chapter "
                      f"({chapters[i - 1].start:g}s)", "List chapters in order of time")
    if chapters and chapters[0].start != 0:
        ctx.warn(f"chapters[{at[0]}].start", "the first chapter does not start at 0:00",
                 "Apps show nothing before it; add a chapter at 0:00")
    soundbites = v["soundbites"] or s.Items()
    if duration is not None:
        for i, problem in past_the_end(chapters, duration):
            ctx.error(f"chapters[{at[i]}].start", problem, "Fix the time or the master")
        for pos, sb in zip(soundbites.positions, soundbites):
            if sb["start"] + sb["duration"] > duration + 0.5:
                ctx.error(f"soundbites[{pos}]", f"ends at {sb['start'] + sb['duration']:g}s, "
                          f"past the end of the audio ({duration:.1f}s)",
                          "Fix start or duration")

    if v["guid_permalink"] and v["guid"] and not v["guid"].startswith(("https://", "http://")):
        ctx.error("guid_permalink", "is true but the guid is not a URL",
                  "Only a guid that is the episode's web address can be a permalink")
    # `audio:` overrides; a value left out (or unusable) keeps the show's. False is
    # kept for intro/outro: it switches the show's sting off for this episode.
    audio = tuple((k, val) for k, val in (v["audio"] or {}).items() if val is not None)
    raw_audio = data.get("audio") if isinstance(data.get("audio"), dict) else {}
    for key in ("intro", "outro"):  # checked even when another audio: field is wrong
        try:
            name = sting_override(raw_audio[key]) if key in raw_audio else None
        except Invalid:
            name = None  # already reported by the schema
        if isinstance(name, str):
            check_sting(show.root, name, f"audio.{key}", ctx)
    transcript = local_file(v["transcript"], "transcript", TRANSCRIPT_NAMES)
    image = local_file(v["image"], "image", COVER_NAMES)
    problems.extend(ctx.problems)
    if not v["title"] or not v["date"] or not v["guid"] or master is None:
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
                         for b in soundbites),
        transcript=transcript,
        image=image,
        notes=notes,
        source_sha=sha256_bytes(raw),
        guid_permalink=v["guid_permalink"],
        license=v["license"],
        license_url=v["license_url"],
        location=tuple(v["location"] or ()),
        social=tuple(v["social"] or ()),
        txt=tuple(v["txt"] or ()),
        audio=audio,
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
