"""``podcast import SOURCE [--show]``: bring an existing show's history in.

SOURCE is a feed URL or file, written by any host. Every episode whose guid
the show does not have yet becomes ``episodes/<slug>/``: its enclosure
downloaded as the master (through prefixes and redirects, resumable, size
checked), episode.md with the guid exactly as published, the date, title,
season, number and type, the notes as Markdown, chapters (JSON, Podlove or
ID3), the transcript, persons, soundbites, place and licence, and the
episode's own art. ``--show`` takes the channel into podcast.toml too
(``show.py``). Running it again adds only new episodes.

Each episode is assembled in ``episodes/.import-<slug>/`` (invisible to every
other command) and renamed into place only when complete and valid, so an
interrupted import leaves nothing half-made. A staging folder is removed when
its episode is done or fails, except one holding a download that can resume
(the next run asks for the rest); folders of episodes no longer pending are
removed at the start of a run. Everything is fetched through the package's
one client (``podcast/net/``): the feed's own origin is trusted, any other
address inside this machine or its network only with ``allow_hosts``.
The audio step later publishes an MP3 already on target as it is and masters
the others (``audio/passthrough.py``).
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from podcast.errors import PodcastError, ValidationError, from_failure
from podcast.feed.source import SourceItem, SourceShow, read_source
from podcast.importer import convert, fetch
from podcast.importer.media import image_file, keep_valid
from podcast.net import KINDS, Client, Policy
from podcast.progress import bar
from podcast.show.config import Show, load_show
from podcast.show.episodes import (
    CHAPTER,
    EPISODE_FILE,
    EPISODE_OPTIONS,
    load_episodes,
    read_back,
    slug_problem,
)
from podcast.show.fields import LOCATION, PERSON
from podcast.show.frontmatter import front_matter_text
from podcast.show.manage import slugify
from podcast.show.schema import Invalid

log = logging.getLogger(__name__)

STAGING = ".import-"
MEDIA_EXT = {"audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/mpeg3": ".mp3",
             "audio/x-mpeg": ".mp3", "audio/x-m4a": ".m4a", "audio/m4a": ".m4a",
             "audio/mp4": ".m4a", "audio/aac": ".aac", "audio/x-aac": ".aac",
             "audio/ogg": ".ogg", "audio/opus": ".opus", "audio/wav": ".wav",
             "audio/x-wav": ".wav", "audio/flac": ".flac", "audio/x-flac": ".flac"}
SUFFIXES = (".mp3", ".m4a", ".aac", ".ogg", ".opus", ".wav", ".flac")


@dataclass
class ImportResult:
    source: str
    title: str  # the source show's
    added: list[str] = field(default_factory=list)  # slugs, oldest first
    skipped: int = 0  # already in the show (same guid)
    failed: list[str] = field(default_factory=list)  # one sentence each
    warnings: list[str] = field(default_factory=list)
    show_updated: bool = False
    bytes: int = 0
    seconds: float = 0.0


def read_feed_source(client: Client, source: str) -> tuple[bytes, str | None]:
    """The feed's bytes, and its URL when SOURCE is one; a file is read only when it
    is a regular file, and no further than a feed may be long."""
    if source.startswith(("http://", "https://")):
        return client.get(source, "feed"), source
    hint = "Give a feed URL (https://...) or the path of a feed file"
    path, limit = Path(source).expanduser(), KINDS["feed"].limit
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise PodcastError(source, "is not a regular file", hint)
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise PodcastError(source, f"cannot be read ({exc.strerror})", hint) from None
    if len(data) > limit:
        raise PodcastError(source, f"is larger than {limit >> 20} MB, more than a feed",
                           "Check that it is the feed")
    return data, None


def import_feed(root: Path, source: str, *, take_show: bool = False,
                url: str | None = None, jobs: int = 4, progress: bool = False,
                allow_hosts: tuple[str, ...] = ()) -> ImportResult:
    """Import SOURCE into the show at ``root``; see the module docstring.
    ``allow_hosts``: ``HOST:PORT`` pairs that may be fetched although their address
    is not public (the feed's own origin always may)."""
    started = time.monotonic()
    policy = Policy.of([source] if source.startswith(("http://", "https://")) else [],
                       allow_hosts)
    with Client(policy, user_agent=fetch.USER_AGENT) as client:
        return _import(client, Path(root).resolve(), source, take_show, url, jobs, progress,
                       started)


def _import(client: Client, root: Path, source: str, take_show: bool, url: str | None,
            jobs: int, progress: bool, started: float) -> ImportResult:
    xml, source_url = read_feed_source(client, source)
    feed = read_source(xml, source)
    result = ImportResult(source, feed.title)
    if feed.new_feed_url and feed.new_feed_url not in (source_url, feed.self_url):
        result.warnings.append(f"the feed says it moved to {feed.new_feed_url}; import from "
                               "there to get its latest episodes")
    if take_show:
        from podcast.importer.show import take_channel
        result.warnings += take_channel(client, root, feed, source_url, url)
        result.show_updated = True
    show = load_show(root)
    existing = load_episodes(show, collect=[], probe_audio=False)
    known = {e.guid for e in existing}
    taken = {p.name for p in show.episodes_dir.iterdir()} if show.episodes_dir.is_dir() else set()
    numbers = {(e.season, e.number, e.type) for e in existing if e.number is not None}
    todo: list[tuple[SourceItem, str, str, int | None]] = []
    for item in sorted(feed.items, key=lambda i: (i.date is None, i.date or 0, i.title)):
        guid = item.guid or item.enclosure_url  # what apps key on when there is no guid
        if not guid:
            result.failed.append(f'"{item.title}": no guid and no enclosure; skipped')
            continue
        if guid in known:
            result.skipped += 1
            continue
        known.add(guid)
        if not item.guid:
            result.warnings.append(f'"{item.title}": no <guid>; its enclosure URL is used, '
                                   "as apps do")
        slug = _slug(item, taken, show)
        taken.add(slug)
        number, etype = item.number, _type(item.type)
        if number is not None and etype != "bonus":
            if (item.season, number, etype) in numbers:
                result.warnings.append(f"{slug}: number {number} is already used in that "
                                       "season: left out")
                number = None
            numbers.add((item.season, number, etype))
        todo.append((item, guid, slug, number))
    _remove_stale_staging(show, {slug for _, _, slug, _ in todo})
    with bar(progress and bool(todo), max(len(todo), 1), label="import") as b, \
            ThreadPoolExecutor(max(1, jobs)) as pool:
        futures = [pool.submit(_staged_episode, client, show, feed, item, guid, slug, number)
                   for item, guid, slug, number in todo]
        for (item, _, slug, _), future in zip(todo, futures):
            try:
                size, warnings = future.result()
            except Exception as exc:  # every episode is reported, whatever became of one
                known = exc if isinstance(exc, PodcastError) else from_failure(exc)
                if known is None:
                    log.error("%s: import failed", slug, exc_info=exc)
                result.failed.append(f'"{item.title}": ' + (
                    known.format() if known else f"failed ({type(exc).__name__}: {exc}). "
                    "Run the import again with -v and report the error"))
            else:
                result.added.append(slug)
                result.bytes += size
                result.warnings += [f"{slug}: {w}" for w in warnings]
            b.update(1)
    result.seconds = time.monotonic() - started
    log.info("imported %d episode%s (%d already there) in %.1fs", len(result.added),
             "" if len(result.added) == 1 else "s", result.skipped, result.seconds)
    return result


def _remove_stale_staging(show: Show, pending: set[str]) -> None:
    """Staging folders of episodes this run will not import (done, or gone from the
    feed) can never be resumed: remove them."""
    if not show.episodes_dir.is_dir():
        return
    for folder in show.episodes_dir.glob(f"{STAGING}*"):
        if folder.is_dir() and folder.name[len(STAGING):] not in pending:
            shutil.rmtree(folder, ignore_errors=True)


def _staged_episode(client: Client, show: Show, feed: SourceShow, item: SourceItem,
                    guid: str, slug: str, number: int | None) -> tuple[int, list[str]]:
    """``_episode``, its staging folder removed on failure unless a download in it
    can be resumed by the next run."""
    staging = show.episodes_dir / f"{STAGING}{slug}"
    try:
        return _episode(client, show, feed, item, guid, slug, number)
    except BaseException:
        if not any(fetch.resumable(part) for part in staging.glob("master.*.part")):
            shutil.rmtree(staging, ignore_errors=True)
        raise


def check_guid(guid: str, where: str) -> None:
    """The guid as episode.md will hold it: it must pass the episode's own rule and
    survive the YAML round trip byte for byte (YAML folds U+0085 to a space)."""
    option = next(o for o in EPISODE_OPTIONS if o.name == "guid")
    try:
        option.convert(guid)
    except Invalid as exc:
        raise PodcastError(where, f"guid {exc.message}", "The episode cannot be kept with "
                           "the guid apps know it by: ask the host to fix it, or add the "
                           "episode by hand with `podcast add`") from None
    if option.convert(guid) != guid or _round_trip(guid) != guid:
        raise PodcastError(where, f"guid {guid!r} would not be kept exactly as published "
                           "(leading or trailing space, or a character YAML changes)",
                           "Ask the host to fix the guid, or add the episode with "
                           "`podcast add`")


def _round_trip(value: str) -> str:
    text = yaml.safe_dump({"guid": value}, allow_unicode=True, width=100)
    return yaml.safe_load(text)["guid"]


def _slug(item: SourceItem, taken: set[str], show: Show) -> str:
    base = slugify(item.title or (item.date.strftime("%Y-%m-%d") if item.date else "episode"))
    if slug_problem(base):
        base = "episode"
    slug, n = base, 2
    while slug in taken or (show.episodes_dir / slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _media_suffix(item: SourceItem) -> str:
    ext = MEDIA_EXT.get(item.enclosure_type.lower().split(";")[0].strip())
    if ext:
        return ext
    path = fetch.unwrap(item.enclosure_url).split("?", 1)[0].lower()
    return next((x for x in SUFFIXES if path.endswith(x)), ".mp3")


def _type(value: str) -> str:
    return value if value in ("full", "trailer", "bonus") else "full"


def _episode(client: Client, show: Show, feed: SourceShow, item: SourceItem, guid: str,
             slug: str, number: int | None) -> tuple[int, list[str]]:
    """Download and write one episode; returns (bytes downloaded, warnings)."""
    from podcast.show.probe import probe

    warnings: list[str] = []
    if item.date is None:
        raise PodcastError(item.guid or slug, f"pubDate {item.date_text!r} is not a date",
                           "Fix the source feed, or add the episode with `podcast add`")
    if not item.enclosure_url:
        raise PodcastError(item.guid or slug, "has no enclosure", "Nothing to import")
    check_guid(guid, f'"{item.title}"')
    staging = show.episodes_dir / f"{STAGING}{slug}"
    master = staging / f"master{_media_suffix(item)}"
    fetch.prepare_staging(staging, master, item.enclosure_url, guid)
    size = 0
    if fetch.reusable(master, item.enclosure_url, guid):
        size = master.stat().st_size
    else:
        got = fetch.download(client, item.enclosure_url, master, guid,
                             expected=item.enclosure_length or None)
        size = got.size
        if item.enclosure_length and item.enclosure_length != got.size:
            warnings.append(f"the feed said {item.enclosure_length} bytes; the file has "
                            f"{got.size} (kept: the server's size is the truth)")
    info = probe(master, f"{item.enclosure_url}")
    duration = info.duration
    if item.duration and abs(item.duration - duration) > 2:
        warnings.append(f"the feed said {item.duration:.0f}s; the audio lasts {duration:.0f}s")

    front: dict = {"title": " ".join(item.title.split()) or slug}
    etype = _type(item.type)
    if item.type != etype:
        warnings.append(f"episode type {item.type!r} is not full, trailer or bonus: full")
    if number is not None:
        front["number"] = number
    if item.season is not None:
        front["season"] = item.season
    front.update({"type": etype, "date": item.date.isoformat(), "guid": guid})
    if item.guid_permalink:
        front["guid_permalink"] = True
    front.update({"master": master.name, "status": "published"})
    if item.summary:
        front["summary"] = " ".join(item.summary.split())
    if item.explicit is not None and item.explicit != show.explicit:
        front["explicit"] = item.explicit
    chapters = _chapters(client, item, master, staging, duration, warnings)
    if chapters:
        front["chapters"] = chapters
    for name, values, options in (("persons", item.persons, PERSON),
                                  ("location", item.locations, LOCATION)):
        kept = keep_valid(list(values), options, name, warnings)
        if kept:
            front[name] = kept
    bites = convert.soundbites(item.soundbites, duration)
    if bites:
        front["soundbites"] = bites
    if item.license:
        front["license"] = item.license[0]
        if item.license[1].startswith("https://"):
            front["license_url"] = item.license[1]
    _transcript(client, item, staging, warnings)
    if item.image and item.image != feed.image:
        art = image_file(client, item.image, staging / "cover", warnings, "episode art",
                         cover=True)
        if art:
            front["image"] = art.name
    notes = convert.notes_markdown(item.notes_html)
    (staging / EPISODE_FILE).write_text(front_matter_text(front, notes), encoding="utf-8")
    return size, warnings + _move_into_place(show, staging, slug)


def _move_into_place(show: Show, staging: Path, slug: str) -> list[str]:
    """Rename the staged folder to ``episodes/<slug>`` and validate it there; on an
    error the folder is removed and the error, naming the source's fields, raised."""
    fetch.drop_sidecars(staging)
    folder = show.episodes_dir / slug
    os.replace(staging, folder)
    try:
        _, warnings = read_back(folder, show)
    except ValidationError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        errors = [p for p in exc.problems if p.is_error] or exc.problems
        raise PodcastError(f"episodes/{slug}", "the source's episode does not pass our "
                           "rules: " + "; ".join(p.message for p in errors),
                           "It was left out; add it with `podcast add` once the source "
                           "is fixed") from None
    return [str(p) for p in warnings]


def _chapters(client: Client, item: SourceItem, master: Path, staging: Path,
              duration: float, warnings: list[str]) -> list[dict]:
    found: list[dict] = []
    for link in item.chapters:
        try:
            found = convert.chapters_from_json(client.get(link.url, "json"), link.url)
        except PodcastError as exc:
            warnings.append(f"chapters {exc.format()}")
        if found:
            break
    if not found and item.psc:
        found = convert.chapters_from_psc(item.psc)
    if not found and master.suffix == ".mp3":
        found = convert.chapters_from_id3(master)
    out = []
    for n, ch in enumerate(convert.clean_chapters(found, duration), start=1):
        entry = {"start": round(ch["start"], 3), "title": ch["title"]}
        if ch.get("url") and ch["url"].startswith("https://"):
            entry["url"] = ch["url"]
        if ch.get("img"):
            img = image_file(client, ch["img"], staging / f"chapter-{n}", warnings,
                             f"chapter {n}'s image")
            if img:
                entry["image"] = img.name
        if not ch.get("toc", True):
            entry["toc"] = False
        out.append(entry)
    return keep_valid(out, CHAPTER, "chapters", warnings)


def _transcript(client: Client, item: SourceItem, staging: Path,
                warnings: list[str]) -> None:
    from podcast import captions

    picked = convert.pick_transcript(item.transcripts)
    if picked is None:
        return
    url, kind = picked
    try:
        data = client.get(url, "json" if kind == "json" else "text")
        text = convert.vtt_from_json(data, url) if kind == "json" else \
            data.decode("utf-8-sig", "replace")
    except PodcastError as exc:
        warnings.append(f"transcript {exc.format()}")
        return
    if not text:
        warnings.append(f"transcript {url} holds no timed text: left out")
        return
    ext = "srt" if kind == "srt" else "vtt"
    try:
        captions.parse_text(text, url, vtt=ext == "vtt")
    except PodcastError as exc:
        warnings.append(f"transcript {url}: {exc.problem}; left out")
        return
    (staging / f"transcript.{ext}").write_text(text, encoding="utf-8")


__all__ = ["ImportResult", "import_feed"]
