"""Git LFS pointer files standing in for audio: known by their content hash.

A show repository keeps hour-long masters in Git LFS; a checkout that skips
LFS (a CI runner, ``GIT_LFS_SKIP_SMUDGE=1``) has a small text file where the
master would be:

    version https://git-lfs.github.com/spec/v1
    oid sha256:4d7a2146...
    size 631245112

Its ``oid`` is the sha256 of the real file, the same hash a real master gives
the audio cache, so an unchanged episode is found in the bucket's build
records without the audio. Whatever has to read the sound itself (encode,
alternates, transcription, clips) asks ``require_audio`` first, which names
the ``git lfs pull`` that brings the file.

``episode_files`` is the one place that says which audio files an episode is
made from; every pointer check goes through it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from podcast.errors import PointerError

if TYPE_CHECKING:
    from podcast.show.episodes import Episode

MAX_POINTER_BYTES = 1024  # the spec: pointer files are smaller than this
_POINTER = re.compile(
    rb"\Aversion https://(?:git-lfs\.github\.com/spec/v1|hawser\.github\.com/spec/v1)\n"
    rb"(?:[a-z0-9.-]+ [^\n]*\n)*?oid sha256:(?P<oid>[0-9a-f]{64})\n"
    rb"(?:[a-z0-9.-]+ [^\n]*\n)*?size (?P<size>\d+)\n(?:[a-z0-9.-]+ [^\n]*\n)*\Z")

# The line of .gitattributes that keeps the masters in Git LFS (README, docs/ci.md).
GITATTRIBUTES = "episodes/*/master.* filter=lfs diff=lfs merge=lfs -text"


def episode_files(episode: "Episode") -> tuple[Path, ...]:
    """The audio files ``episode`` is made from: its master, or each of its tracks."""
    return episode.audio_files


def pointer_oid(path: Path) -> str | None:
    """The content sha256 named by the Git LFS pointer file at ``path``; None when
    it is not one (a real audio file, or no file)."""
    try:
        with open(path, "rb") as f:
            head = f.read(MAX_POINTER_BYTES)
    except OSError:
        return None
    if len(head) >= MAX_POINTER_BYTES or not head.startswith(b"version "):
        return None
    found = _POINTER.match(head)
    return found.group("oid").decode() if found else None


def is_pointer(path: Path) -> bool:
    return pointer_oid(path) is not None


def require_audio(path: Path, where: str) -> None:
    """Raise the one-line error for a pointer where the sound itself is needed.

    ``where``: the file as messages name it (relative to the show's folder),
    which is also what ``git lfs pull --include`` takes from the repository's root.
    """
    if is_pointer(path):
        raise PointerError(where, "is a Git LFS pointer, not audio",
                         f"Run: git lfs pull --include={where}")
