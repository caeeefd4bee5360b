"""Shards: CI runners that each encode and upload a share of the episodes at once.

``podcast publish --shard I/N`` takes the live episodes whose guid falls to
share I of N (a hash of the guid: stable whatever episodes come or go, and
the same on every runner), makes their media (MP3, alternates; transcripts
with ``[transcripts] auto``), uploads those objects and their build records,
and nothing else: no feed, no pages, no prune, no manifest (a shared object
that racing shards would each overwrite: the publish after them finds the
objects by the sha256 stored on each), and no lock, so the shards of a
matrix run side by side. A plain ``podcast publish`` afterwards finds every
episode in the records and encodes nothing.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from podcast.errors import OptionError
from podcast.publish.apply import Applied, apply
from podcast.publish.client import Target
from podcast.publish.kinds import kind_of
from podcast.publish.plan import LocalFile, Plan, Upload

log = logging.getLogger(__name__)


@dataclass
class ShardResult:
    shard: tuple[int, int]
    episodes: list[str]  # the slugs of this share
    actions: dict[str, str]  # slug -> what the audio step did (encoded, in the bucket...)
    applied: Applied = field(default_factory=Applied)
    records: int = 0  # build records written
    dry_run: bool = False


def parse(value: str | None) -> tuple[int, int] | None:
    """``"I/N"`` as (I, N), 1 <= I <= N; ``OptionError`` otherwise."""
    if value is None:
        return None
    i, _, n = value.partition("/")
    if not (i.isdigit() and n.isdigit() and 1 <= int(i) <= int(n)):
        raise OptionError("--shard", f"{value!r} is not I/N with 1 <= I <= N",
                          "Write e.g. --shard 2/4 for the second of four runners")
    return int(i), int(n)


def share(episodes: list, shard: tuple[int, int]) -> list:
    """The episodes that fall to ``shard`` (I, N), by a hash of each guid."""
    i, n = shard
    return [ep for ep in episodes
            if int(hashlib.sha256(ep.guid.encode()).hexdigest()[:16], 16) % n == i - 1]


def upload(client, target: Target, out_dir: Path, files: dict[str, LocalFile],
           listed: dict[str, int], *, jobs: int | None = None) -> Applied:
    """Upload the files of ``out_dir`` not already in the bucket (``listed``: key ->
    size, from the shard's one listing; a key of the same size is taken only when
    the sha256 stored on it agrees), with the headers and stored hash of a publish."""
    uploads = []
    for key in sorted(files):
        f = files[key]
        if listed.get(key) == f.size and _stored_sha256(client, target, key) == f.sha256:
            continue
        kind = kind_of(key, f.sha256)
        uploads.append(Upload(key, f.size, f.sha256, kind.content_type, kind.cache_control,
                              "new", kind.group))
    plan = Plan(tuple(uploads), (), (), (), None)
    return apply(client, target, plan, out_dir, jobs=jobs, manifest=False)


def _stored_sha256(client, target: Target, key: str) -> str | None:
    head = client.head_object(Bucket=target.bucket, Key=target.prefix + key)
    return head.get("Metadata", {}).get("sha256")
