"""Helpers for the validation tests: a minimal show on disk and episodes written
as raw front matter (shared by test_check, test_add and test_hostile, so no test
module imports another)."""

from __future__ import annotations

import math
import shutil
import struct
import uuid
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SHOW_TOML = """\
[show]
title = "Test Show"
url = "https://example.org/show/"
description = "A show for tests."
language = "en-gb"
author = "Tester"
owner = { name = "Tester", email = "tester@example.org" }
artwork = "artwork/cover.jpg"
categories = [["Government"]]
copyright = "(c) Tester"
guid = "9b024349-ccf0-5f69-a609-6b82873eab3c"
"""


def write_wav(path: Path, seconds: float = 4.0, rate: int = 8000) -> Path:
    """A tiny mono sine master (no ffmpeg needed for validation tests)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
                          for i in range(int(seconds * rate)))
        w.writeframes(frames)
    return path


def make_show(root: Path, toml: str = SHOW_TOML) -> Path:
    (root / "artwork").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "artwork" / "cover.jpg", root / "artwork" / "cover.jpg")
    (root / "podcast.toml").write_text(toml, encoding="utf-8")
    return root


def add_episode(root: Path, slug: str, front: str, *, body: str = "Notes.\n",
                master: bool = True, raw: bytes | None = None) -> None:
    folder = root / "episodes" / slug
    folder.mkdir(parents=True, exist_ok=True)
    if master:
        write_wav(folder / "master.wav")
    data = raw if raw is not None else f"---\n{front}---\n{body}".encode()
    (folder / "episode.md").write_bytes(data)


def good(number: int, guid: str | None = None, **extra: str) -> str:
    fields = {
        "title": f'"Episode {number}"', "number": str(number), "season": "1",
        "date": f"2024-01-{number:02d}T10:00:00+00:00", "guid": guid or str(uuid.uuid4()),
        "master": "master.wav", "status": "published",
    }
    fields.update(extra)
    return "".join(f"{k}: {v}\n" for k, v in fields.items() if v is not None)


# (slug, front matter or raw bytes, expected fragments of the problem line)
