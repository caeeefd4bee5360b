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
from concurrent.futures import ThreadPoolExecutor
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
    todo: dict[str, Path] = {}
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
            fresh[key] = [*stamp, hit[3] if hit and hit[:3] == stamp else None]
            if fresh[key][3] is None:
                todo[key] = path
    if todo:
        # hashlib releases the GIL on large buffers: one thread per core.
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for key, digest in zip(todo, pool.map(sha256_file, todo.values())):
                fresh[key][3] = digest
        log.debug("hashed %d file(s)", len(todo))
    files = {key: LocalFile(v[0], v[3]) for key, v in fresh.items()}
    if cache_path and fresh != cache:
        try:
            atomic_write_text(cache_path, json.dumps(fresh))
        except OSError as exc:  # a cache is an optimisation: never fail on it
            log.debug("cannot write %s: %s", cache_path, exc)
    return files
