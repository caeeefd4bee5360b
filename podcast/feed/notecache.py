"""Feed HTML of show notes, cached between builds by content hash.

Markdown -> sanitised feed HTML (markdown-it-py, pure Python, then nh3) costs
about a millisecond per episode: most of a 1,000-episode feed build. The
result depends only on the Markdown text, the notes code and the versions of
markdown-it-py and nh3, so it is kept in ``.cache/feed-notes.json`` keyed by
a hash of the text, under a version key covering the code and libraries.
A rebuild renders only the notes that changed; the file keeps only the
entries the last build used, so it never grows beyond the show.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from pathlib import Path

from podcast.fsutil import write_if_changed
from podcast.show import notes

log = logging.getLogger(__name__)

FILE_NAME = "feed-notes.json"


@functools.cache
def version() -> str:
    """Changes whenever the rendering could: notes.py itself, markdown-it-py, nh3, the limit."""
    import markdown_it
    import nh3

    h = hashlib.sha256(Path(notes.__file__).read_bytes())
    h.update(f"|{markdown_it.__version__}|{getattr(nh3, '__version__', '?')}|"
             f"{notes.FEED_LIMIT}".encode())
    return h.hexdigest()[:16]


class NotesCache:
    """``feed_html(markdown)`` through a dict that ``load``/``save`` keep on disk."""

    def __init__(self, path: Path | None = None, entries: dict[str, str] | None = None):
        self.path = path
        self._old = entries or {}
        self._used: dict[str, str] = {}
        self.hits = self.misses = 0

    @classmethod
    def load(cls, path: Path) -> "NotesCache":
        """The cache at ``path``; empty when missing, unreadable or from other code."""
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8"))
            if doc.get("version") == version() and isinstance(doc.get("entries"), dict):
                return cls(path, {k: v for k, v in doc["entries"].items()
                                  if isinstance(v, str)})
        except FileNotFoundError:
            pass
        except (OSError, ValueError, AttributeError) as exc:
            log.debug("ignoring the notes cache %s (%s)", path, exc)
        return cls(path)

    def feed_html(self, markdown: str) -> str:
        key = hashlib.sha256(markdown.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        html = self._used.get(key)
        if html is None:
            html = self._old.get(key)
            if html is None:
                self.misses += 1
                html = notes.feed_html(markdown)
            else:
                self.hits += 1
            self._used[key] = html
        return html

    def save(self) -> None:
        """Write the entries used since ``load`` (only if that changes the file)."""
        if self.path is None or (not self.misses and self._used.keys() == self._old.keys()):
            return  # nothing new and nothing to drop: the file already says this
        doc = {"version": version(), "entries": dict(sorted(self._used.items()))}
        try:
            write_if_changed(self.path, json.dumps(doc, ensure_ascii=False, indent=0))
        except OSError as exc:  # a cache must never fail the build
            log.warning("could not write the notes cache %s (%s)", self.path, exc)
