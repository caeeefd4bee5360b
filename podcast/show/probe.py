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


def probe(path: Path, where: str | None = None) -> MediaInfo:
    """Read the stream info; raise ``TagError`` naming the file (as ``where``, or its
    path) when it can't, or when the header cannot be true of the file."""
    import mutagen

    name = where or str(path)
    try:
        with mutagen_errors(path, "be read as audio", missing_hint="Check the master: path",
                            hint="Export the master again as WAV, FLAC or MP3"):
            f = mutagen.File(path)
    except TagError as exc:
        detail = exc.problem.partition(" (")[2].rstrip(")")
        problem = exc.problem if exc.problem == "does not exist" else \
            f"is corrupt or not an audio format that can be read ({detail})"
        raise TagError(name, problem, exc.hint) from None
    if f is None or getattr(f, "info", None) is None:
        raise TagError(name, "is not a recognised audio file",
                       "Use WAV, FLAC, MP3, M4A or AIFF")
    info = f.info
    media = MediaInfo(
        duration=float(getattr(info, "length", 0.0) or 0.0),
        channels=getattr(info, "channels", None),
        sample_rate=getattr(info, "sample_rate", None),
        codec=type(f).__name__,
    )
    problem = _implausible(media, info, Path(path).stat().st_size)
    if problem:
        raise TagError(name, problem, "Export or copy the master again")
    return media


MIN_RATE, MAX_RATE = 8_000, 768_000
MAX_CHANNELS = 32
MAX_HOURS = 100


def _implausible(media: MediaInfo, info, size: int) -> str | None:
    """What in the header cannot be true of this file (checked without decoding):
    a rate or channel count no recorder writes, or more audio than the bytes hold.
    The audio step would fail on each of these, after minutes of work."""
    rate, channels = media.sample_rate, media.channels
    if rate == 0 or channels == 0:
        return "has no audio stream"
    if rate is not None and not MIN_RATE <= rate <= MAX_RATE:
        return f"its header says {rate} Hz, not a sample rate of real audio"
    if channels is not None and not 1 <= channels <= MAX_CHANNELS:
        return f"its header says {channels} channels"
    if not 0 <= media.duration <= MAX_HOURS * 3600:
        return f"its header says it lasts {media.duration / 3600:.0f} hours"
    # PCM (WAV, AIFF): the header's data size against the bytes actually there.
    bits = getattr(info, "bits_per_sample", None) or getattr(info, "sample_size", None)
    if media.codec in ("WAVE", "AIFF") and rate and channels and bits:
        holds = size / (rate * channels * bits / 8)
        if media.duration > holds + 0.5:
            return (f"is truncated: its header says {media.duration:.1f}s but the file holds "
                    f"at most {holds:.1f}s")
    # MP3: length x bitrate against the file size (Xing/Info or CBR frames).
    bitrate = getattr(info, "bitrate", None)
    if media.codec in ("MP3", "EasyMP3") and bitrate and media.duration:
        claimed = media.duration * bitrate / 8
        if claimed > size * 1.05 + 65536:
            return (f"is truncated: its header says {media.duration:.1f}s, which needs "
                    f"{claimed / 1e6:.1f} MB, but the file has {size / 1e6:.1f} MB")
    return None
