"""The pipeline in order: ``build`` (gather, then write), then ``publish``.

load + validate -> process audio (cached) -> transcribe where none exists
(``[transcripts] auto``) -> assets (art, chapters, transcripts) -> feed.xml ->
pages and search index. ``feed/`` ends up holding exactly the
tree that is uploaded: files no step produced this time are removed.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from podcast.errors import OptionError, PodcastError, ValidationError
from podcast.model import BuiltEpisode, Site, record_of, remote_media, write_remote
from podcast.show import load_project
from podcast.show.schema import Invalid, url

if TYPE_CHECKING:
    from podcast.publish import PublishResult
    from podcast.publish.move import MoveResult
    from podcast.publish.options import PublishOptions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildResult:
    site: Site
    output: Path
    keys: frozenset[str]  # every file in feed/, relative, with "/" separators
    removed: tuple[str, ...]
    transcripts: dict = field(default_factory=dict)  # record key -> text, made here


def build(root: Path, *, public_url: str | None = None, now: datetime | None = None,
          jobs: int | None = None, force: bool = False, progress: bool = False,
          strict: bool = False, allow_feed_changes: bool = False,
          records=None) -> BuildResult:
    """Build ``feed/`` for the episodes that are live at ``now``.

    ``public_url``: the base URL the files are served from (default: [show] url);
    https, or http on this machine only (a local preview). Unless
    ``allow_feed_changes``, a feed that would drop or duplicate episodes for
    subscribers of the last feed published to the same URL is refused.
    ``records``: the bucket's build records (a publish, publish/records.py):
    media they vouch for stays in the bucket, noted in ``feed/`` by
    ``model.write_remote``; transcripts they hold are written, not made.
    """
    from podcast.assets import check_sources, write_assets
    from podcast.audio import publish_media
    from podcast.feed import write_feed
    from podcast.site import write_pages

    if public_url:
        check_public_url(public_url)
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
    media = publish_media(show, live, out, jobs=jobs, force=force, progress=progress,
                          records=records)
    write_remote(out, {k: v for m in media.values() for k, v in remote_media(m).items()})
    made: dict[str, str] = {}
    if show.transcripts.auto:
        # Episodes without a transcript get one (written beside the master, the
        # producer's to edit); the assets step then publishes it like any other.
        from podcast.transcribe import transcribe_missing
        live = transcribe_missing(show, live, jobs=jobs, progress=progress, records=records,
                                  made=made, activity=_activity(show),
                                  sha_of=_hashed(show))
    assets = write_assets(show, live, out, media)
    built = tuple(
        BuiltEpisode(ep, media[ep.slug], *assets.per_episode[ep.slug]) for ep in live)
    site = Site(show=show, episodes=built, artwork_key=assets.artwork_key,
                build_date=max((ep.date for ep in live), default=datetime(2000, 1, 1,
                                                                         tzinfo=timezone.utc)),
                preview=public_url is not None and public_url.startswith("http://"),
                artwork_sizes=assets.artwork_sizes)
    keys = set(assets.keys) | {m.key for m in media.values() if m.path is not None}
    keys |= {a.key for m in media.values() for a in m.alternates if a.path is not None}
    keys |= write_feed(site, out, guard=not allow_feed_changes)
    keys |= write_pages(site, out, strict=strict)
    removed = _remove_stale(out, keys)
    log.info("built %d episode%s into %s", len(built), "" if len(built) == 1 else "s", out)
    return BuildResult(site, out, frozenset(keys), removed, made)


def episode_list(root: Path) -> list[tuple]:
    """Rows for ``podcast list``, each saying whether the episode's audio is processed."""
    from podcast.audio import cached_report
    from podcast.show.manage import episode_rows

    def processed(show, episode) -> float | None:
        report = cached_report(show, episode)
        return report.duration if report else None

    return episode_rows(root, processed)


def transcribe(root: Path, slugs: list[str], *, force: bool = False, jobs: int | None = None,
               progress: bool = False):
    """``podcast transcribe``: the episodes named (all without), each multitrack one
    heard speaker by speaker over the spans the audio step's crossgate finds."""
    from podcast.transcribe import transcribe as run

    project = load_project(root)
    show = project.show
    return run(show, project.select(slugs), force=force, jobs=jobs, progress=progress,
               activity=_activity(show))


def _activity(show):
    """Who talks when in each multitrack episode (the audio step's crossgate), for
    the transcription, which hears each speaker on their own track."""
    from podcast.audio import speech_activity

    return lambda ep: speech_activity(show, ep)


def _hashed(show):
    """A file's content hash from the audio cache's memo (the audio step hashed the
    masters already; a Git LFS pointer gives the hash it names)."""
    from podcast.audio.cache import Cache

    return Cache(show).master_sha


def check_public_url(value: str) -> str:
    """A base URL the show may be built for: absolute, https (http only on this
    machine, for a local preview). ``OptionError`` otherwise."""
    try:
        return url(https=True)(value)
    except Invalid as exc:
        raise OptionError("public_url", exc.message, exc.hint) from None


def _remove_stale(out: Path, keep: set[str]) -> tuple[str, ...]:
    """Delete files in ``out`` that this build did not produce (old media keys...)."""
    removed = []
    top = len(str(out)) + 1
    for dirpath, dirnames, filenames in os.walk(out, topdown=False):
        for name in filenames:
            path = os.path.join(dirpath, name)
            key = path[top:].replace(os.sep, "/")  # string work: thousands of files
            if key not in keep and not name.startswith("."):
                os.unlink(path)
                removed.append(key)
        if dirpath != str(out) and not os.listdir(dirpath):
            os.rmdir(dirpath)
    for key in removed:
        log.debug("removed stale %s", key)
    return tuple(sorted(removed))


# ---- publish and move-feed: build, then the publish stage ------------------------

def publish(root: Path, options: PublishOptions | None = None) -> PublishResult:
    """Build the show at ``root`` for its public URL, then publish ``feed/``.

    ``options.local``: True publishes to the show's local SeaweedFS server
    (started if needed), None does so only when no bucket is configured. The
    build first reads the bucket's build records: an episode published before,
    from any machine, is neither encoded nor uploaded again; records of what
    was made here are written once its objects are in the bucket.
    """
    from podcast.publish import FEED, PublishOptions, publish_tree, redirects_supported

    options = options or PublishOptions()
    show, target, public_url, server = _where_to(root, options)
    records = built = None
    if options.build:
        records = _records(target)
        built = build(show.root, public_url=public_url, progress=options.progress,
                      allow_feed_changes=options.allow_feed_changes, records=records)
    if options.max_deletes is None:
        options = replace(options, max_deletes=show.publish.max_deletes)
    result = publish_tree(show.output_dir, target, options, public_url=public_url,
                          cache_dir=show.cache_dir,
                          redirect_to=show.new_feed_url if redirects_supported(target) else None)
    result.local_server = server
    if built is not None and not result.dry_run:
        there = set(result.applied.uploaded) | set(result.plan.unchanged)
        result.records = records.put(
            [record_of(b.media) for b in built.site.episodes
             if _made_here(b.media) and _files(b.media) <= there], built.transcripts)
    if FEED in result.applied.uploaded:
        _record(show.with_url(public_url), (show.output_dir / FEED).read_bytes())
        # The feed is live: tell hubs and directories. A failed ping only warns.
        from podcast.publish.notify import notify
        result.notified = notify(show.publish, result.feed_url)
    return result


def publish_shard(root: Path, options: PublishOptions):
    """``podcast publish --shard I/N``: make and upload the media of one share of the
    live episodes, and their build records; nothing else (publish/shards.py)."""
    from podcast.audio import publish_media
    from podcast.publish.client import make_client, s3_errors
    from podcast.publish.plan import LocalFile
    from podcast.publish.shards import ShardResult, share, upload

    show, target, public_url, _ = _where_to(root, options)
    project = load_project(show.root)
    show = project.show.with_url(public_url)
    mine = share(project.live(), options.shard)
    records = _records(target)
    media = publish_media(show, mine, show.output_dir, progress=options.progress,
                          records=records)
    made: dict[str, str] = {}
    if show.transcripts.auto:
        from podcast.transcribe import transcribe_missing
        transcribe_missing(show, mine, progress=options.progress, records=records, made=made,
                           activity=_activity(show), sha_of=_hashed(show))
    result = ShardResult(options.shard, [ep.slug for ep in mine],
                         {slug: _action(m) for slug, m in media.items()},
                         dry_run=options.dry_run)
    if options.dry_run:
        return result
    files = {f.key: LocalFile(f.size, f.sha256) for m in media.values()
             for f in (m, *m.alternates) if f.path is not None}
    client = make_client(target)
    with s3_errors(target):
        result.applied = upload(client, target, show.output_dir, files, records.objects,
                                jobs=options.jobs)
    result.records = records.put([record_of(m) for m in media.values() if _made_here(m)],
                                 made)
    return result


def needed_masters(root: Path, options: PublishOptions) -> list[str]:
    """``podcast publish --needed-masters``: the audio files (relative to the show's
    folder) that this publish or shard must read, because neither this machine's
    cache nor the bucket's build records hold what they make: for
    ``git lfs pull --include``."""
    from podcast.audio.reuse import needs_audio
    from podcast.publish.shards import share

    show, target, public_url, _ = _where_to(root, options)
    project = load_project(show.root, probe_audio=False)
    show = project.show.with_url(public_url)
    live = project.live()
    if options.shard:
        live = share(live, options.shard)
    records = _records(target)
    paths = needs_audio(show, live, records)
    if show.transcripts.auto:
        from podcast.show.lfs import episode_files
        from podcast.transcribe import record_key
        sha_of = _hashed(show)
        paths += [p for ep in live if ep.transcript is None
                  and record_key(show, ep, sha_of) not in records.listing.transcripts
                  for p in episode_files(ep)]
    return sorted({show.where(p) for p in paths})


def _where_to(root: Path, options: PublishOptions):
    """(show, target, public URL, local server or None) of a publish: the bucket the
    options and [publish] name, else the show's local SeaweedFS server."""
    from podcast.errors import PublishError
    from podcast.publish import Target, resolve_target
    from podcast.show.config import load_show

    show = load_show(root)
    settings = show.publish
    target = None if options.local else resolve_target(settings, options)
    server = None
    public_url = options.public_url
    if target is None:
        if options.local is False:
            raise PublishError("podcast.toml", "[publish] bucket is not set",
                               "Set it, pass --bucket, or use --local")
        from podcast.publish import local as local_s3
        server = local_s3.ensure_running(show.root)
        target = Target(bucket=server.bucket, prefix="", endpoint_url=server.endpoint,
                        region="us-east-1", credentials=server.credentials)
        public_url = server.public_url
    return show, target, public_url or settings.public_url or show.url, server


def _records(target):
    """The bucket's build records: one listing, no record read yet."""
    from podcast.publish.client import make_client, s3_errors
    from podcast.publish.records import Records

    with s3_errors(target):
        return Records.load(make_client(target, max_pool=16), target)


def _files(media) -> set[str]:
    return {media.key, *(a.key for a in media.alternates)}


def _made_here(media) -> bool:
    """Whether ``media`` has files made on this machine (its record is then written
    once they are in the bucket)."""
    return media.path is not None or any(a.path is not None for a in media.alternates)


def _action(media) -> str:
    return "in the bucket" if media.path is None else "made here"


def add_episode(root: Path, audio, **options):
    """``podcast add``: the episode made by show.manage, the master first checked as the
    audio step will check it (silence, too short), so add accepts nothing build refuses."""
    from podcast.audio.master import check_master_file
    from podcast.show.manage import add_episode as add

    return add(root, audio, check=check_master_file, **options)


def move_feed(root: Path, new_url: str | None,
              options: PublishOptions | None = None) -> MoveResult:
    """Record the move (or with ``new_url`` None, undo it), publish as ``options``
    ask, and report."""
    from podcast.fsutil import restored_on_failure
    from podcast.publish import redirects_supported
    from podcast.publish.client import make_client, s3_errors
    from podcast.publish.move import MoveResult, answers_redirect, cdn_steps
    from podcast.publish.notify import is_public_https
    from podcast.show.config import CONFIG_NAME, load_show
    from podcast.show.schema import Invalid, url
    from podcast.show.tomledit import edit_show

    show = load_show(root)
    if new_url is not None:
        try:
            url()(new_url)
        except Invalid as exc:
            raise PodcastError("NEW_URL", exc.message, exc.hint) from None
        if not is_public_https(new_url):
            raise PodcastError("NEW_URL", f"{new_url} is not a public https address",
                               "Apps and directories follow a move only to an https feed "
                               "they can reach (http on this machine is for previews only)")
    with restored_on_failure(show.root / CONFIG_NAME):  # a failed publish announces nothing
        edit_show(show.root, {"new_feed_url": new_url})
        result = publish(show.root, options)
    move = MoveResult(result.feed_url, new_url, result)
    if new_url is None or result.dry_run:
        return move
    target = result.target
    if redirects_supported(target):
        client = make_client(target)
        with s3_errors(target):
            head = client.head_object(Bucket=target.bucket, Key=target.prefix + "feed.xml")
        move.stored = head.get("WebsiteRedirectLocation") == new_url
    move.live = answers_redirect(result.feed_url, new_url)
    if not move.live:
        move.steps = cdn_steps(result.feed_url, new_url)
    log.debug("move-feed: redirect stored %s, live %s", move.stored, move.live)
    return move


def _record(show, xml: bytes) -> None:
    """Tell the feed module which feed is now live (its build-time guard reads it)."""
    from podcast.feed.protect import record_published
    record_published(show, xml)
