"""Cover art for the MP3's APIC frames: a JPEG of about 1400 px, at most 500 KB.

The show's art is 3000 px (the feed's size); embedded art only needs what a
phone shows, and every byte of it is downloaded with every episode.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from podcast.errors import TagError

# Bump when ``jpeg`` makes other bytes from the same source: the tags' digest names
# pictures by source and this, so a change re-tags the MP3s.
JPEG_VERSION = "1"
COVER_PX = 1400
CHAPTER_PX = 640
MAX_BYTES = 500_000


def source_sha256(path: Path) -> str:
    """The content hash of a picture's source file (remembered while it is unchanged):
    what the tags' digest names it by, so deciding whether to re-tag never decodes it."""
    stat = Path(path).stat()
    return _sha256(str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)


@functools.lru_cache(maxsize=256)
def _sha256(path: str, _mtime: int, _size: int, _inode: int) -> str:
    from podcast.fsutil import sha256_file

    try:
        return sha256_file(Path(path))
    except OSError as exc:
        raise TagError(path, f"cannot be read ({exc.strerror})",
                       "Check the artwork's path and permissions") from None


def jpeg(path: Path, *, size: int = COVER_PX, max_bytes: int = MAX_BYTES) -> bytes:
    """``path`` as an RGB JPEG no larger than ``size`` px and ``max_bytes``."""
    stat = Path(path).stat()
    return _jpeg(str(path), stat.st_mtime_ns, stat.st_size, size, max_bytes)


@functools.lru_cache(maxsize=32)
def _jpeg(path: str, _mtime: int, _size: int, size: int, max_bytes: int) -> bytes:
    from PIL import Image, UnidentifiedImageError

    from podcast.images import ImageError, open_image

    try:
        with open_image(Path(path), path) as img:
            img = img.convert("RGB")
            if max(img.size) > size:
                img.thumbnail((size, size), Image.Resampling.LANCZOS)
            for quality in range(90, 35, -5):
                buf = io.BytesIO()
                img.save(buf, "JPEG", quality=quality, optimize=True)
                if buf.tell() <= max_bytes:
                    return buf.getvalue()
    except (OSError, UnidentifiedImageError, ImageError) as exc:
        reason = exc.problem if isinstance(exc, ImageError) else exc
        raise TagError(path, f"cannot be read as an image ({reason})",
                       "Save the art as a JPEG or PNG") from None
    raise TagError(path, f"cannot be made smaller than {max_bytes // 1000} KB as a JPEG",
                   "Use simpler cover art")
