"""The one gate for every image read: show and episode art, chapter images, imports.

Pillow reads an image's header when it opens it and decodes the pixels only
when asked. The gate opens, reads the size from the header, and refuses an
image of more than ``MAX_PIXELS`` before anything is decoded: a 107 KB PNG
can claim 30000x30000 px and would need 2.7 GB to decode. Every failure is
one ImageError naming the file, never Pillow's DecompressionBombError.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from podcast.errors import PodcastError

MAX_PIXELS = 50_000_000  # 7000x7000; cover art is at most 3000x3000 (9 megapixels)
_DECODING = (OSError, SyntaxError, ValueError, EOFError)


class ImageError(PodcastError):
    """An image that cannot be read safely: unreadable, or too many pixels."""


def _too_large(where: str, pixels: int, size: str = "") -> ImageError:
    return ImageError(where, f"is {size}{pixels / 1e6:,.0f} megapixels, more than the "
                      f"{MAX_PIXELS / 1e6:.0f} read", "Export it at 3000x3000 px or less "
                      "(cover art) or 1400 px or less (chapter images)")


@contextmanager
def open_image(source: Path | str | bytes, where: str) -> Iterator:
    """A Pillow image whose header was read and whose pixel count was checked; decoding
    failures inside the block become ImageError too. A missing file raises
    FileNotFoundError, as ``open`` would."""
    from PIL import Image, UnidentifiedImageError

    warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we check first
    fp = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        img = Image.open(fp)
    except FileNotFoundError:
        raise
    except Image.DecompressionBombError as exc:
        m = re.search(r"\((\d+) pixels\)", str(exc))
        raise _too_large(where, int(m.group(1)) if m else 2 * MAX_PIXELS) from None
    except (UnidentifiedImageError, *_DECODING) as exc:
        raise ImageError(where, f"is not a readable image ({exc})",
                         "Export it as a JPEG or PNG") from None
    with img:
        w, h = img.size
        if w * h > MAX_PIXELS:
            raise _too_large(where, w * h, f"{w}x{h} px, ")
        try:
            yield img
        except Image.DecompressionBombError as exc:
            raise _too_large(where, w * h, f"{w}x{h} px, ") from exc
        except _DECODING as exc:
            if isinstance(exc, FileNotFoundError):
                raise
            raise ImageError(where, f"is not a readable image ({exc})",
                             "Export it as a JPEG or PNG") from None


def image_info(source: Path | str | bytes, where: str) -> tuple[str | None, int, int, str]:
    """``(format, width, height, mode)`` from the header, through the gate."""
    with open_image(source, where) as img:
        return img.format, img.width, img.height, img.mode
