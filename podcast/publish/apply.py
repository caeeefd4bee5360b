"""Carry out a Plan: ordered upload groups, then deletes, then the manifest.

Each group finishes before the next starts, so ``feed.xml`` is written only
once everything it references is in the bucket, and only after the feed it
replaces was kept as ``.podcast-previous-feed.xml``. Large files go multipart
with parallel parts; small files upload in parallel. Deletes are one key at
a time: ``DeleteObjects`` needs Content-MD5, which several servers demand
and boto3 >= 1.36 no longer sends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from podcast.publish import manifest as mf
from podcast.publish.client import Target
from podcast.publish.plan import Plan

log = logging.getLogger(__name__)

MB = 1 << 20
PART_SIZE = 16 * MB  # larger files go multipart in 16 MB parts (S3's 10,000-part cap: 160 GB)
DEFAULT_JOBS = 16  # rclone runs 4 files x 4 parts; SeaweedFS and S3 both like ~16 streams


@dataclass
class Applied:
    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    bytes: int = 0


def transfer_config(jobs: int | None):
    from s3transfer.manager import TransferConfig
    return TransferConfig(multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE,
                          max_request_concurrency=jobs or DEFAULT_JOBS)


def _subscriber(on_bytes: Callable[[int], None]):
    from s3transfer.subscribers import BaseSubscriber

    class Progress(BaseSubscriber):
        def on_progress(self, future, bytes_transferred, **kwargs):
            on_bytes(bytes_transferred)

    return Progress()


def apply(client, target: Target, plan: Plan, out_dir: Path, *, jobs: int | None = None,
          on_bytes: Callable[[int], None] | None = None,
          extra_args: dict[str, dict] | None = None, manifest: bool = True) -> Applied:
    """Upload, delete and record; raises the botocore error of the first failure.

    ``extra_args``: more PutObject arguments for some keys (a moved feed's
    ``WebsiteRedirectLocation``). ``manifest``: False for a shard, which leaves the
    shared manifest to the publish after it."""
    from s3transfer.manager import TransferManager

    done = Applied()
    subscribers = [_subscriber(on_bytes)] if on_bytes else []
    with TransferManager(client, transfer_config(jobs)) as manager:
        for group, uploads in plan.groups():
            if group == "feed" and plan.replaced_feed is not None:
                # Kept before the new feed goes live: a prune keeps what it names.
                client.put_object(Bucket=target.bucket, Key=target.prefix + mf.REPLACED_FEED,
                                  Body=plan.replaced_feed,
                                  ContentType="application/rss+xml; charset=utf-8",
                                  CacheControl="no-store")
            log.debug("uploading %d file(s) of group %s", len(uploads), group)
            futures = []
            for up in uploads:
                extra = {"ContentType": up.content_type, "CacheControl": up.cache_control,
                         "Metadata": {"sha256": up.sha256}, **(extra_args or {}).get(up.key, {})}
                futures.append((up, manager.upload(str(out_dir / up.key), target.bucket,
                                                   target.prefix + up.key, extra_args=extra,
                                                   subscribers=subscribers)))
            error = None
            for up, future in futures:
                try:
                    future.result()
                except Exception as exc:  # wait for the rest, then report the first
                    error = error or exc
                    continue
                done.uploaded.append(up.key)
                done.bytes += up.size
                log.debug("uploaded %s (%s)", up.key, up.reason)
            if error is not None:
                raise error

    after = dict(plan.manifest)
    if plan.deletes and plan.over_cap:
        log.warning("%d stale objects exceed --max-deletes %d: none deleted; raise the cap "
                    "if that many should go", len(plan.deletes), plan.max_deletes)
        after.update({k: plan.previous[k] for k in plan.deletes if k in plan.previous})
    else:
        for key in plan.deletes:
            client.delete_object(Bucket=target.bucket, Key=target.prefix + key)
            done.deleted.append(key)
            log.debug("deleted %s", key)
    if manifest and (done.uploaded or done.deleted or after != plan.previous):
        client.put_object(Bucket=target.bucket, Key=target.prefix + mf.NAME,
                          Body=mf.dumps(after), ContentType="application/json",
                          CacheControl="no-store")
    return done
