"""JSON chapters (Podcasting 2.0 format, version 1.2.0) and their images."""

from __future__ import annotations

import json
from pathlib import Path

from podcast import model
from podcast.errors import PodcastError
from podcast.fsutil import sha256_bytes
from podcast.show.config import Show
from podcast.show.episodes import Episode

CHAPTERS_VERSION = "1.2.0"


def _seconds(value: float) -> int | float:
    """Whole seconds as an int in the JSON, otherwise milliseconds precision."""
    return int(value) if float(value).is_integer() else round(float(value), 3)


def chapters_json(show: Show, episode: Episode, image_keys: dict[int, str]) -> str:
    """The Podcasting 2.0 JSON chapters document (deterministic text)."""
    chapters = []
    for n, ch in enumerate(sorted(episode.chapters, key=lambda c: c.start), start=1):
        item: dict = {"startTime": _seconds(ch.start), "title": ch.title}
        if n in image_keys:
            item["img"] = model.public_url(show, image_keys[n])
        if ch.url:
            item["url"] = ch.url
        if not ch.toc:
            item["toc"] = False
        chapters.append(item)
    doc = {"version": CHAPTERS_VERSION, "chapters": chapters}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def chapter_image(episode: Episode, n: int, path: Path, where: str) -> tuple[str, bytes]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PodcastError(where, f"cannot be read ({exc.strerror})") from None
    ext = path.suffix.lower().lstrip(".")
    ext = "jpg" if ext == "jpeg" else ext
    key = f"{model.episode_dir(episode)}chapter-{n}-{sha256_bytes(data)[:8]}.{ext}"
    return key, data
