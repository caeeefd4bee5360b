"""The publish plan: a pure function of the local tree and the remote state.

Inputs are values (local hashes, the manifest, one listing, and hashes read
back from object metadata for the few keys the manifest cannot vouch for);
the output is a ``Plan`` that tests can inspect and ``--dry-run`` prints.
Uploads are grouped in the order that keeps the live feed whole: media and
assets, then pages, then ``feed.xml``. Deletes come after, only on request,
capped, and never of a key the new feed, the live feed or the feed it replaced
references (apps and caches may still hold the older ones).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from podcast.publish.kinds import GROUPS, kind_of
from podcast.publish.manifest import Entry

NEW = "new"
CHANGED = "changed"
MISSING = "missing remotely"
RESIZED = "size differs remotely"
UNKNOWN = "not in manifest"
HEADERS = "headers changed"


@dataclass(frozen=True)
class LocalFile:
    size: int
    sha256: str


@dataclass(frozen=True)
class Upload:
    key: str  # relative to the prefix, e.g. media/ep1-0123abcd.mp3
    size: int
    sha256: str
    content_type: str
    cache_control: str
    reason: str
    group: str


@dataclass(frozen=True)
class Plan:
    uploads: tuple[Upload, ...]  # in upload order
    unchanged: tuple[str, ...]
    deletes: tuple[str, ...]  # applied only when not over the cap
    kept: tuple[str, ...]  # stale, but a feed references them (or --prune not given)
    max_deletes: int | None
    manifest: dict[str, Entry] = field(default_factory=dict)  # after a full apply
    previous: dict[str, Entry] = field(default_factory=dict)  # the manifest read
    # Allowed changes subscribers will see: "same audio at a new URL" (a re-tag).
    moved: tuple[str, ...] = ()
    # The live feed the new one replaces: kept in the bucket (``REPLACED_FEED``)
    # before the new feed goes up, so a prune keeps what it still names.
    replaced_feed: bytes | None = field(default=None, repr=False)

    @property
    def upload_bytes(self) -> int:
        return sum(u.size for u in self.uploads)

    @property
    def over_cap(self) -> bool:
        return self.max_deletes is not None and len(self.deletes) > self.max_deletes

    def groups(self) -> list[tuple[str, tuple[Upload, ...]]]:
        return [(g, tuple(u for u in self.uploads if u.group == g)) for g in GROUPS
                if any(u.group == g for u in self.uploads)]

    @property
    def needs_write(self) -> bool:
        """Whether applying it writes anything (a no-op publish takes no lock)."""
        return bool(self.uploads or (self.deletes and not self.over_cap)
                    or self.manifest != self.previous)


def needs_probe(local: dict[str, LocalFile], manifest: dict[str, Entry],
                remote: dict[str, int]) -> list[str]:
    """Keys whose remote copy may already be right though the manifest cannot
    say so (a run that died before writing it): read their stored hash."""
    out = []
    for key, f in local.items():
        entry = manifest.get(key)
        if remote.get(key) == f.size and (entry is None or entry.sha256 != f.sha256):
            out.append(key)
    return sorted(out)


def make_plan(local: dict[str, LocalFile], manifest: dict[str, Entry],
              remote: dict[str, int], *, probed: dict[str, Entry | None] | None = None,
              referenced: set[str] | frozenset[str] = frozenset(), prune: bool = False,
              max_deletes: int | None = None,
              vouched: dict[str, LocalFile] | None = None) -> Plan:
    """Compare the local tree with the remote state.

    ``local``: key -> size and sha256 of every file in feed/. ``manifest``:
    what the last publish recorded. ``remote``: key -> size from one listing
    (the manifest and lock objects left out). ``probed``: key -> hash and headers
    read back from the object (None: it stores no hash). ``referenced``: keys named by
    the new or the live feed, never deleted. ``vouched``: files of the build that
    stay in the bucket, as build records describe them (not in feed/): unchanged,
    never stale.
    """
    probed = probed or {}
    vouched = {k: f for k, f in (vouched or {}).items() if k not in local}
    uploads: list[Upload] = []
    unchanged: list[str] = []
    after: dict[str, Entry] = {}
    for key in sorted(local):
        f = local[key]
        kind = kind_of(key, f.sha256)
        entry = manifest.get(key)
        if key in probed:  # the object's own metadata beats a stale manifest
            entry = probed[key]
        known = entry.sha256 if entry else None
        if key not in remote:
            reason = MISSING if key in manifest else NEW
        elif known is None:
            reason = UNKNOWN
        elif known != f.sha256:
            reason = CHANGED
        elif remote[key] != f.size:
            reason = RESIZED
        elif (entry.content_type, entry.cache_control) != (kind.content_type,
                                                             kind.cache_control):
            reason = HEADERS
        else:
            reason = None
        after[key] = Entry(f.sha256, f.size, kind.content_type, kind.cache_control)
        if reason is None:
            unchanged.append(key)
        else:
            uploads.append(Upload(key, f.size, f.sha256, kind.content_type, kind.cache_control,
                                  reason, kind.group))
    uploads.sort(key=lambda u: (GROUPS.index(u.group), u.key))
    for key, f in vouched.items():  # their records were trusted on this listing's sizes
        kind = kind_of(key, f.sha256)
        after[key] = Entry(f.sha256, f.size, kind.content_type, kind.cache_control)
    unchanged = sorted(unchanged + list(vouched))

    stale = sorted(k for k in remote if k not in local and k not in vouched)
    deletes = tuple(k for k in stale if prune and k not in referenced)
    kept = tuple(k for k in stale if k not in deletes)
    # Stale objects still in the bucket stay in the manifest until deleted.
    for key in kept:
        if key in manifest:
            after[key] = manifest[key]
    return Plan(tuple(uploads), tuple(unchanged), deletes, kept, max_deletes, after,
                dict(manifest))
