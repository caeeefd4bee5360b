"""What one publish is asked to do: one frozen value through every layer.

``podcast publish`` builds it from its options, ``podcast.build.publish``
(and ``move_feed``) resolve the target and build with it, ``publish_tree``
uploads with it. A new option is a field here, a click option of the same
name, and a read where it is used: no signature in between changes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PublishOptions:
    # Where to: overrides of [publish]; None keeps the setting.
    bucket: str | None = None
    prefix: str | None = None
    endpoint_url: str | None = None
    region: str | None = None
    public_url: str | None = None  # where listeners fetch the files
    local: bool | None = None  # True: the local SeaweedFS; None: when no bucket is set
    # How.
    build: bool = True  # build first (False: upload feed/ as it is)
    dry_run: bool = False  # plan, report, change nothing
    prune: bool = False  # delete stale objects no feed references
    max_deletes: int | None = None  # cap on deletes; None: [publish] max_deletes
    verify: bool = True  # fetch the feed and its files as a listener afterwards
    break_lock: bool = False  # take over a lock left by a publish that died
    allow_feed_changes: bool = False  # publish even if subscribers would lose episodes
    jobs: int | None = None  # parallel transfers
    progress: bool = False  # progress bars on stderr
    # Publishing from CI (shards.py): a share (I, N) of the media only, or just the
    # list of masters that must be encoded (for `git lfs pull --include`).
    shard: tuple[int, int] | None = None
    needed_masters: bool = False
