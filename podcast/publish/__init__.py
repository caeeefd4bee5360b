"""Upload a built ``feed/`` so listeners never see a broken episode.

(``podcast.build.publish`` builds first, then calls ``publish_tree``; both
take one ``PublishOptions`` value.) resolve target -> hash feed/ -> manifest + one listing -> plan
(nothing to do: stop, having only read) -> lock -> plan again -> protect
subscribers -> upload in order, prune, manifest -> unlock -> verify as a
listener. ``publish_tree`` does everything after the build, for a tree that
is already built.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from podcast.errors import FeedError, PublishError
from podcast.feed.reader import keys_for, read_feed
from podcast.model import read_remote
from podcast.progress import byte_bar
from podcast.publish import manifest as mf
from podcast.publish.apply import DEFAULT_JOBS, Applied, apply
from podcast.publish.client import Target, make_client, s3_errors
from podcast.publish.lock import Lock
from podcast.publish.options import PublishOptions
from podcast.publish.plan import LocalFile, Plan, make_plan, needs_probe
from podcast.publish.records import PREFIX as RECORDS
from podcast.publish.report import plan_notes, plan_summary
from podcast.publish.tree import scan
from podcast.show.settings import PublishSettings

log = logging.getLogger(__name__)

FEED = "feed.xml"


@dataclass
class PublishResult:
    target: Target
    plan: Plan
    feed_url: str
    dry_run: bool
    applied: Applied = field(default_factory=Applied)
    seconds: float = 0.0
    verified: bool = False
    problems: list[str] = field(default_factory=list)  # listener checks that failed
    local_server: object | None = None  # LocalS3 when published to the local server
    notified: list = field(default_factory=list)  # notify.Ping per hub / service pinged
    records: int = 0  # build records written (publish/records.py)

    @property
    def ok(self) -> bool:
        return not self.problems


def _get(client, bucket: str, key: str) -> bytes | None:
    from botocore.exceptions import ClientError
    try:
        return client.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
            return None
        raise


def _listing(client, target: Target) -> dict[str, int]:
    """One listing of the prefix: key (relative) -> size; our own objects (the
    manifest, the lock, the kept feed, the build records) left out."""
    remote = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=target.bucket,
                                                                 Prefix=target.prefix):
        for obj in page.get("Contents", ()):
            key = obj["Key"][len(target.prefix):]
            if key and key not in mf.OWN and not key.startswith(RECORDS):
                remote[key] = obj["Size"]
    return remote


def _probe(client, target: Target, keys: list[str]) -> dict[str, mf.Entry | None]:
    """Hash and headers stored on the objects the manifest cannot vouch for."""
    def head(key: str):
        meta = client.head_object(Bucket=target.bucket, Key=target.prefix + key)
        digest = meta.get("Metadata", {}).get("sha256")
        if not digest:
            return key, None
        return key, mf.Entry(digest, meta["ContentLength"], meta.get("ContentType", ""),
                             meta.get("CacheControl", ""))
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(pool.map(head, keys))


def _protect(live: bytes | None, new: bytes) -> list[str]:
    """Problems a subscriber would suffer if ``new`` replaced the live feed."""
    if live is None:
        return []
    from podcast.feed.protect import compare_feeds
    return list(compare_feeds(live, new))


def _plan(client, target: Target, local, out_dir: Path, public_url: str, *, prune: bool,
          max_deletes: int | None, allow_feed_changes: bool,
          vouched: dict[str, LocalFile]) -> Plan:
    """Read the remote state (manifest, one listing, a few HEADs) and plan.

    The live feed is read only when the feed changes (subscriber protection, and
    it is kept as the replaced feed) or something may be deleted (its references
    are kept, and those of the feed it replaced).
    """
    previous = mf.loads(_get(client, target.bucket, target.prefix + mf.NAME),
                        f"s3://{target.bucket}/{target.prefix}{mf.NAME}")
    remote = _listing(client, target)
    for key, f in vouched.items():
        if key not in local and remote.get(key) != f.size:
            raise PublishError(f"{target.where}{key}", "a build record vouched for it, but it "
                               "is no longer in the bucket", "Publish again: the episode is "
                               "rebuilt")
    probed = _probe(client, target, needs_probe(local, previous, remote))
    plan = make_plan(local, previous, remote, probed=probed, prune=prune,
                     max_deletes=max_deletes, vouched=vouched)
    feed_changes = any(u.key == FEED for u in plan.uploads)
    if not (feed_changes or (prune and plan.deletes)):
        return plan
    new_feed = (out_dir / FEED).read_bytes()
    live = _get(client, target.bucket, target.prefix + FEED) if FEED in remote else None
    urls = read_feed(new_feed, str(out_dir / FEED)).urls
    if live is not None:
        urls |= read_feed(live, f"s3://{target.bucket}/{target.prefix}{FEED}").urls
    replaces = feed_changes and live is not None and live != new_feed
    if prune and plan.deletes and not replaces:
        # After this run the kept replaced feed is still the one in the bucket; when
        # this run replaces the live feed, the live one becomes the replaced feed.
        urls |= _replaced_urls(client, target)
    plan = make_plan(local, previous, remote, probed=probed, prune=prune,
                     max_deletes=max_deletes, referenced=keys_for(urls, public_url),
                     vouched=vouched)
    if not feed_changes or live is None:
        return plan
    problems = [] if allow_feed_changes else _protect(live, new_feed)
    if problems:
        raise FeedError(FEED, "the new feed would break subscribers: " + "; ".join(problems),
                        "Fix the episodes, or publish with --allow-feed-changes if "
                        "this is deliberate")
    from podcast.feed.protect import moved_media
    # An identical live feed (a run that died after uploading it) replaces nothing.
    return replace(plan, moved=tuple(moved_media(live, new_feed)),
                   replaced_feed=live if replaces else None)


def _replaced_urls(client, target: Target) -> set[str]:
    """What the feed replaced by the live one referenced (nothing if none is kept)."""
    where = f"s3://{target.bucket}/{target.prefix}{mf.REPLACED_FEED}"
    data = _get(client, target.bucket, target.prefix + mf.REPLACED_FEED)
    if data is None:
        return set()
    try:
        return read_feed(data, where).urls
    except FeedError:
        raise PublishError(where, "is not a readable feed, so a prune cannot tell what it "
                           "still references", "Delete that object, or publish without "
                           "--prune") from None


def publish_tree(out_dir: Path, target: Target, options: PublishOptions = PublishOptions(),
                 *, public_url: str, cache_dir: Path | None = None,
                 on_bytes: Callable[[int], None] | None = None,
                 redirect_to: str | None = None) -> PublishResult:
    """Upload an already-built tree to ``target`` as ``options`` ask (their target
    fields are not read: ``target`` is resolved); see the module docstring.

    ``on_bytes`` is called with each chunk of bytes sent, from the transfer
    threads. ``redirect_to``: the feed moved there; ``feed.xml`` is stored with
    that website redirect (``x-amz-website-redirect-location``).
    """
    started = time.monotonic()
    out_dir = Path(out_dir)
    public_url = public_url if public_url.endswith("/") else public_url + "/"
    local = scan(out_dir, cache_dir)
    vouched = {k: LocalFile(*v) for k, v in read_remote(out_dir).items()}
    if FEED not in local:
        raise PublishError(str(out_dir / FEED), "does not exist",
                           "Run podcast build first (podcast publish does it for you)")
    client = make_client(target, max_pool=2 * (options.jobs or DEFAULT_JOBS))
    lock = Lock(client, target.bucket, target.prefix + mf.LOCK_NAME)
    max_deletes = PublishSettings.max_deletes if options.max_deletes is None \
        else options.max_deletes

    def plan_now() -> Plan:
        return _plan(client, target, local, out_dir, public_url, prune=options.prune,
                     max_deletes=max_deletes, allow_feed_changes=options.allow_feed_changes,
                     vouched=vouched)

    with s3_errors(target), lock:
        plan = plan_now()
        if not options.dry_run and plan.needs_write:
            # Some servers create a missing bucket on the first PUT: ask first, with a
            # request whose error has a body (HEAD answers a bare 403 for bad keys).
            client.list_objects_v2(Bucket=target.bucket, Prefix=target.prefix + mf.LOCK_NAME,
                                   MaxKeys=1)
            lock.acquire(break_lock=options.break_lock)
            plan = plan_now()  # another publish may have finished while we looked
        result = PublishResult(target, plan, public_url + FEED, options.dry_run)
        if options.dry_run:
            result.seconds = time.monotonic() - started
            return result
        log.info("plan: %s", plan_summary(plan))
        for line in plan_notes(plan):
            log.info("%s", line)
        result.applied = _apply(client, target, plan, out_dir, options, on_bytes, redirect_to)
        if result.applied.deleted:  # a prune: the records of deleted media go with them
            from podcast.publish.records import forget
            forget(client, target, result.applied.deleted)
    log.debug("uploaded %d file(s), %d bytes; %d unchanged; %d deleted",
             len(result.applied.uploaded), result.applied.bytes, len(plan.unchanged),
             len(result.applied.deleted))
    if options.verify:
        from podcast.publish.verify import verify as verify_feed
        result.problems = verify_feed(result.feed_url, jobs=min(options.jobs or 8, 8))
        result.verified = True
    result.seconds = time.monotonic() - started
    return result


def _apply(client, target: Target, plan: Plan, out_dir: Path, options: PublishOptions,
           on_bytes: Callable[[int], None] | None, redirect_to: str | None) -> Applied:
    """Apply the plan with an upload bar (a null one when quiet)."""
    extra = {FEED: {"WebsiteRedirectLocation": redirect_to}} if redirect_to else None
    with byte_bar(options.progress, plan.upload_bytes, "uploading") as sent:
        def chunk(n: int) -> None:
            sent.add(n)
            if on_bytes:
                on_bytes(n)
        return apply(client, target, plan, out_dir, jobs=options.jobs, on_bytes=chunk,
                     extra_args=extra)


def resolve_target(settings: PublishSettings, options: PublishOptions) -> Target | None:
    """[publish] settings with the options' overrides; None when no bucket is set."""
    bucket = options.bucket or settings.bucket
    if not bucket:
        return None
    prefix = (settings.prefix if options.prefix is None else options.prefix).strip("/")
    return Target(bucket=bucket, prefix=prefix + "/" if prefix else "",
                  endpoint_url=options.endpoint_url or settings.endpoint_url or None,
                  region=options.region or settings.region or "us-east-1",
                  addressing_style=settings.addressing_style, checksum=settings.checksum)


def redirects_supported(target: Target) -> bool:
    """Whether to send a website redirect with the moved feed: not to R2, which
    does not support it; AWS honours it on the website endpoint; others may
    ignore it (SeaweedFS does), which ``podcast move-feed`` detects and explains."""
    from urllib.parse import urlsplit
    host = urlsplit(target.endpoint).hostname if target.endpoint else None
    return not (host or "").endswith(".r2.cloudflarestorage.com")


__all__ = ["PublishOptions", "PublishResult", "Target", "publish_tree", "redirects_supported",
           "resolve_target"]
