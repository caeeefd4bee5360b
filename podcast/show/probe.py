"""mutagen, behind one wrapper; quick facts about an audio file without decoding it.

``mutagen_errors`` is the single place where mutagen failures become a
``TagError`` naming the file; the ID3 tagging (podcast/audio/tags.py) and the
probe below both go through it. ``podcast check`` uses ``probe`` to catch
unreadable masters and chapters past the end of the audio in milliseconds;
the audio pipeline measures exactly later.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from podcast.errors import TagError


@contextlib.contextmanager
def mutagen_errors(path: Path, action: str, *, missing_hint: str,
                   hint: str) -> Iterator[None]:
    """Turn mutagen (and file) errors inside the block into a TagError naming ``path``."""
    import mutagen

    try:
        yield
    except FileNotFoundError:
        raise TagError(str(path), "does not exist", missing_hint) from None
    except (mutagen.MutagenError, OSError, ValueError, EOFError) as exc:
        raise TagError(str(path), f"cannot {action} ({exc})", hint) from None


@dataclass(frozen=True)
class MediaInfo:
    duration: float  # seconds
    channels: int | None
    sample_rate: int | None
    codec: str  # mutagen's class name: FLAC, WAVE, MP3, MP4, AIFF...


def probe(path: Path) -> MediaInfo:
    """Read the stream info; raise ``TagError`` naming the file when it can't."""
    import mutagen

    with mutagen_errors(path, "be read as audio", missing_hint="Check the master: path",
                        hint="Export the master again as WAV, FLAC or MP3"):
        f = mutagen.File(path)
    if f is None or getattr(f, "info", None) is None:
        raise TagError(str(path), "is not a recognised audio file",
                       "Use WAV, FLAC, MP3, M4A or AIFF")
    info = f.info
    return MediaInfo(
        duration=float(getattr(info, "length", 0.0) or 0.0),
        channels=getattr(info, "channels", None),
        sample_rate=getattr(info, "sample_rate", None),
        codec=type(f).__name__,
    )
