"""JSON chapters (Podcasting 2.0 format, version 1.2.0) and their images."""

from __future__ import annotations

import json
from pathlib import Path

from podcast import model
from podcast.errors import PodcastError
from podcast.fsutil import sha256_bytes
from podcast.show.artwork import FORMATS
from podcast.show.config import Show
from podcast.show.episodes import Episode

CHAPTERS_VERSION = "1.2.0"


def _seconds(value: float) -> int | float:
    """Whole seconds as an int in the JSON, otherwise milliseconds precision."""
    return int(value) if float(value).is_integer() else round(float(value), 3)


def chapters_json(show: Show, chapters: tuple[model.PublishedChapter, ...],
                  image_keys: dict[int, str]) -> str:
    """The Podcasting 2.0 JSON chapters document (deterministic text) of an episode's
    published chapters (model.published_chapters: an intro, if any, comes first)."""
    items = []
    for ch in chapters:
        item: dict = {"startTime": _seconds(round(ch.start, 3)), "title": ch.title}
        if ch.number in image_keys:
            item["img"] = model.public_url(show, image_keys[ch.number])
        if ch.url:
            item["url"] = ch.url
        if not ch.toc:
            item["toc"] = False
        items.append(item)
    doc = {"version": CHAPTERS_VERSION, "chapters": items}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


MAX_IMAGE_BYTES = 2_000_000


def chapter_image(episode: Episode, n: int, path: Path, where: str) -> tuple[str, bytes]:
    """The key and bytes of chapter ``n``'s image: a JPEG or PNG (by content, not by
    name), published as it is under a name holding its hash. ``podcast check`` calls
    this too, so it refuses exactly what the build would."""
    from podcast.images import open_image

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PodcastError(where, f"cannot be read ({exc.strerror})",
                           "Check the file's permissions") from None
    if len(data) > MAX_IMAGE_BYTES:
        raise PodcastError(where, f"is {len(data) / 1e6:.1f} MB, more than "
                           f"{MAX_IMAGE_BYTES / 1e6:.0f} MB", "Export a smaller JPEG or PNG")
    with open_image(data, where) as img:
        img.verify()
        fmt = img.format
    if fmt not in FORMATS:
        raise PodcastError(where, f"is {fmt}, not a JPEG or PNG", "Export it as JPEG or PNG")
    key = f"{model.episode_dir(episode)}chapter-{n}-{sha256_bytes(data)[:8]}.{FORMATS[fmt]}"
    return key, data
