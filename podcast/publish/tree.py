"""The local tree: every file under feed/ with its size and sha256.

Hashing 1.5 GB of media takes seconds, so hashes are cached by (size,
mtime_ns, inode) in a small JSON file outside feed/. The cache only saves
re-reading a file; what is compared with the bucket is always the content
hash, never an mtime.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from podcast.fsutil import atomic_write_text, sha256_file
from podcast.publish.plan import LocalFile

log = logging.getLogger(__name__)

CACHE_NAME = "publish-hashes.json"


def scan(out_dir: Path, cache_dir: Path | None = None) -> dict[str, LocalFile]:
    """key ("/"-separated, relative to ``out_dir``) -> LocalFile, hidden files skipped."""
    out_dir = Path(out_dir)
    cache_path = Path(cache_dir) / CACHE_NAME if cache_dir else None
    cache: dict = {}
    if cache_path and cache_path.is_file():
        try:
            cache = json.loads(cache_path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            cache = {}
    fresh: dict = {}
    files: dict[str, LocalFile] = {}
    for dirpath, dirnames, filenames in os.walk(out_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            key = path.relative_to(out_dir).as_posix()
            st = path.stat()
            stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
            hit = cache.get(key)
            if hit and hit[:3] == stamp:
                digest = hit[3]
            else:
                digest = sha256_file(path)
            fresh[key] = [*stamp, digest]
            files[key] = LocalFile(st.st_size, digest)
    if cache_path and fresh != cache:
        try:
            atomic_write_text(cache_path, json.dumps(fresh))
        except OSError as exc:  # a cache is an optimisation: never fail on it
            log.debug("cannot write %s: %s", cache_path, exc)
    return files
