"""The manifest object the publisher keeps in the bucket.

One JSON object, ``<prefix>.podcast-manifest.json``, maps each key we
uploaded to its content hash, size and headers. Comparing local hashes with
it (plus one listing) tells what changed without trusting mtimes or ETags:
multipart ETags (``...-N``) are not an MD5 and differ per part size.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from podcast.errors import PublishError

NAME = ".podcast-manifest.json"
LOCK_NAME = ".podcast-lock.json"
# The feed that the live one replaced, written just before a new feed goes live:
# what it names stays until a prune finds it named by neither.
REPLACED_FEED = ".podcast-previous-feed.xml"
OWN = (NAME, LOCK_NAME, REPLACED_FEED)  # our bookkeeping: never planned, never pruned
VERSION = 1


@dataclass(frozen=True)
class Entry:
    sha256: str
    size: int
    content_type: str
    cache_control: str


def loads(data: bytes | None, where: str) -> dict[str, Entry]:
    """Parse a manifest; ``None`` (no manifest yet) is an empty one."""
    if data is None:
        return {}
    try:
        doc = json.loads(data)
        if doc.get("version") != VERSION:
            raise ValueError(f"version {doc.get('version')!r}")
        return {key: Entry(**value) for key, value in doc["files"].items()}
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise PublishError(where, f"the manifest cannot be read ({exc})",
                           "Delete that object: the next publish re-checks every file "
                           "and writes a new one") from None


def dumps(entries: dict[str, Entry]) -> bytes:
    doc = {"version": VERSION,
           "files": {key: asdict(entries[key]) for key in sorted(entries)}}
    return json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")
