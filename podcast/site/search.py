"""The site's search index: Pagefind over the episode pages (notes and transcripts).

Pagefind (the static binary from the ``pagefind_bin`` wheel) writes a bundle
of small files into ``feed/pagefind/``; the search page loads them in the
browser, from a plain bucket under any path prefix: no server, no service.
Each transcript cue on an episode page carries ``id="t=SECONDS"``, so a search
hit maps to the moment it was spoken (``index.html#t=754``), which the page's
script seeks to.

Determinism and speed, which the build promises:
* no filters (Pagefind's multi-valued filters are not byte-reproducible),
  result URLs keep ``index.html`` (a plain bucket has no folder index), one
  forced language;
* the index is written into a fresh hidden folder and swapped in whole, so
  nothing stale survives and a killed run leaves the old index in place;
* a no-op rebuild runs nothing: the index is remade only when an indexed page
  changed (their sizes and mtimes, which ``write_if_changed`` keeps for
  unchanged bytes) or a file of the bundle is missing.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from podcast.errors import SiteError
from podcast.fsutil import write_if_changed

log = logging.getLogger(__name__)

FOLDER = "pagefind"
GLOB = "episodes/*/index.html"
STAMP = ".pagefind.json"  # hidden: never uploaded
ENV_BINARY = "PAGEFIND_BINARY_PATH"
VERSION = "1.5.2"  # pinned in pyproject: the index's bytes depend on it


def find_pagefind() -> str | None:
    env = os.environ.get(ENV_BINARY)
    if env:
        return env
    try:
        import pagefind_bin
        return str(pagefind_bin.get_executable())
    except (ImportError, FileNotFoundError, OSError):
        return None


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _bundle(folder: Path, out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_size
            for p in sorted(folder.rglob("*")) if p.is_file()}


def write_search_index(out: Path, pages: list[str], language: str) -> set[str]:
    """Index ``pages`` (episode page keys) into ``out/pagefind/``; return the bundle's keys.

    Without the Pagefind binary the site is built without search (a warning).
    """
    out = Path(out)
    folder = out / FOLDER
    binary = find_pagefind()
    if binary is None:
        log.warning("warning: Pagefind is not installed: the site has no search. "
                    "Run `pip install -e .` to install it")
        shutil.rmtree(folder, ignore_errors=True)
        return set()
    if not pages:  # Pagefind refuses an empty site; the search page says it has nothing
        shutil.rmtree(folder, ignore_errors=True)
        (out / STAMP).unlink(missing_ok=True)
        return set()
    lang = language.split("-")[0].lower() or "en"
    inputs = {"version": VERSION, "language": lang, "glob": GLOB,
              "pages": {key: _stat(out / key) for key in sorted(pages)}}
    try:
        stamp = json.loads((out / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stamp = {}
    files = stamp.get("files") or {}
    if (stamp.get("inputs") == inputs and files
            and all(_stat(out / key) and _stat(out / key)[0] == size
                    for key, size in files.items())):
        return set(files)

    # A folder of this run's own: Pagefind left running by a run that was killed
    # (SIGKILL does not reach its child) may still be writing into an earlier one.
    for stale in [*out.glob(f".{FOLDER}-new*"), *out.glob(f".{FOLDER}-old*")]:
        shutil.rmtree(stale, ignore_errors=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{FOLDER}-new-", dir=out))
    old = Path(tempfile.mkdtemp(prefix=f".{FOLDER}-old-", dir=out))
    old.rmdir()  # only its unique name is needed
    argv = [binary, "--site", str(out), "--glob", GLOB, "--output-path", str(fresh),
            "--force-language", lang, "--keep-index-url", "--quiet"]
    log.debug("%s", " ".join(argv))
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(fresh, ignore_errors=True)
        raise SiteError(FOLDER + "/", f"Pagefind could not run ({exc})",
                        f"Reinstall it (pip install -e .) or set {ENV_BINARY}") from None
    if proc.returncode != 0 or not (fresh / "pagefind.js").is_file():
        shutil.rmtree(fresh, ignore_errors=True)
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise SiteError(FOLDER + "/", f"Pagefind failed (exit {proc.returncode}): "
                        + " / ".join(tail), "Run with -v; check the episode pages")
    if folder.exists():
        folder.rename(old)
    fresh.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
    files = _bundle(folder, out)
    write_if_changed(out / STAMP, json.dumps({"inputs": inputs, "files": files},
                                             sort_keys=True, indent=0))
    log.info("search: indexed %d page%s", len(pages), "" if len(pages) == 1 else "s")
    return set(files)
