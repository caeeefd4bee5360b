"""Quick facts about an audio file without decoding it (through mutagen).

``podcast check`` uses this to catch unreadable masters and chapters past the
end of the audio in milliseconds; the audio pipeline measures exactly later.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from podcast.errors import TagError


@dataclass(frozen=True)
class MediaInfo:
    duration: float  # seconds
    channels: int | None
    sample_rate: int | None
    codec: str  # mutagen's class name: FLAC, WAVE, MP3, MP4, AIFF...


def probe(path: Path) -> MediaInfo:
    """Read the stream info; raise ``TagError`` naming the file when it can't."""
    import mutagen

    try:
        f = mutagen.File(path)
    except FileNotFoundError:
        raise TagError(str(path), "does not exist", "Check the master: path") from None
    except (mutagen.MutagenError, OSError, ValueError, EOFError) as exc:
        raise TagError(str(path), f"cannot be read as audio ({exc})",
                       "Export the master again as WAV, FLAC or MP3") from None
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
