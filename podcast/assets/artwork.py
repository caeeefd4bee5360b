"""Cover art as published: the source itself when it meets Apple's rules, else
an RGB copy scaled down to 3000 px; keyed by a hash of the published bytes.

Apps cache art by URL, so a new picture must get a new file name
(``artwork/cover-<sha8>.jpg``). Smaller or non-square art is an error:
enlarging or cropping it is a decision for a person.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from podcast.errors import PodcastError
from podcast.fsutil import sha256_bytes, write_if_changed
from podcast.images import image_info, open_image
from podcast.show.artwork import ART_MAX, ART_MIN, FORMATS, check_art

# Bump when the conversion changes, so cached conversions are redone.
_CONVERT_VERSION = "1"


@dataclass(frozen=True)
class Art:
    data: bytes
    ext: str  # "jpg" | "png"
    size: tuple[int, int]
    converted: bool


def prepare_art(source: Path, where: str, cache_dir: Path | None = None) -> Art:
    """The bytes to publish for a cover: the source itself when it already meets
    the rules, else an RGB copy scaled down to 3000 px. Raises ``PodcastError``
    for art that cannot be fixed without a person (too small, not square)."""
    try:
        raw = Path(source).read_bytes()
    except OSError as exc:
        raise PodcastError(where, f"cannot be read ({exc.strerror})",
                           "Check the path of the artwork") from None
    # A source this build already decoded and published as it is: no second decode
    # of 3000 px on every build (the memo is named by the bytes, so an edit misses).
    memo = cache_dir / f"{sha256_bytes(raw)[:32]}.as-is" if cache_dir is not None else None
    try:
        fmt, w, h = memo.read_text(encoding="ascii").split() if memo else ("", "", "")
        return Art(raw, fmt, (int(w), int(h)), False)
    except (OSError, ValueError):
        pass
    with open_image(raw, where) as img:
        fmt, mode, (w, h) = img.format, img.mode, img.size
        if w != h:
            raise PodcastError(where, f"is {w}x{h} px, not square",
                               f"Apple requires square art of {ART_MIN}-{ART_MAX} px: crop it")
        if w < ART_MIN:
            raise PodcastError(where, f"is {w}x{h} px, smaller than {ART_MIN}x{ART_MIN}",
                               f"Export the art at {ART_MIN}-{ART_MAX} px; enlarging blurs it")
        img.load()
        if not check_art(w, h, mode, fmt):
            if memo is not None:
                write_if_changed(memo, f"{FORMATS[fmt]} {w} {h}\n".encode())
            return Art(raw, FORMATS[fmt], (w, h), False)
        return _convert(img, raw, fmt, cache_dir)


def _convert(img, raw: bytes, fmt: str | None, cache_dir: Path | None) -> Art:
    """RGB, at most ART_MAX px, saved as the source's format (JPEG for anything else)."""
    from PIL import Image

    ext = FORMATS.get(fmt or "", "jpg")
    cached = None
    if cache_dir is not None:
        cached = cache_dir / f"{sha256_bytes(raw + _CONVERT_VERSION.encode())[:32]}.{ext}"
        if cached.is_file():
            data = cached.read_bytes()
            _, w, h, _ = image_info(data, str(cached))
            return Art(data, ext, (w, h), True)
    out = img
    if out.mode in ("RGBA", "LA") or (out.mode == "P" and "transparency" in out.info):
        rgba = out.convert("RGBA")
        out = Image.new("RGB", rgba.size, (255, 255, 255))
        out.paste(rgba, mask=rgba.getchannel("A"))  # transparency on white
    elif out.mode != "RGB":
        out = out.convert("RGB")
    if out.width > ART_MAX:
        out = out.resize((ART_MAX, ART_MAX), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    if ext == "png":
        out.save(buf, "PNG", optimize=True)
    else:
        out.save(buf, "JPEG", quality=90, optimize=True)
    data = buf.getvalue()
    if cached is not None:
        write_if_changed(cached, data)
    return Art(data, ext, out.size, True)


def art_key(name: str, art: Art) -> str:
    return f"artwork/{name}-{sha256_bytes(art.data)[:8]}.{art.ext}"


# podcast:image sizes made from the show's art (squares, px): what apps pick from
# for lists, players and notifications instead of scaling the 3000 px original.
IMAGE_SIZES = (1400, 600, 300, 150)
_RESIZE_VERSION = "1"


def sizes_of(cover: Art, cache_dir: Path | None = None) -> list[tuple[int, bytes]]:
    """JPEGs of ``cover`` at each of ``IMAGE_SIZES`` smaller than it, largest first
    (cached by the cover's bytes: a rebuild does not resize again)."""
    from PIL import Image

    out = []
    digest = sha256_bytes(cover.data + _RESIZE_VERSION.encode())[:32]
    for px in IMAGE_SIZES:
        if px >= cover.size[0]:
            continue
        cached = cache_dir / f"{digest}-{px}.jpg" if cache_dir is not None else None
        if cached is not None and cached.is_file():
            out.append((px, cached.read_bytes()))
            continue
        with open_image(cover.data, "the show's art") as img:
            small = img.convert("RGB").resize((px, px), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        small.save(buf, "JPEG", quality=88, optimize=True)
        data = buf.getvalue()
        if cached is not None:
            write_if_changed(cached, data)
        out.append((px, data))
    return out


def size_key(name: str, px: int, data: bytes) -> str:
    return f"artwork/{name}-{px}-{sha256_bytes(data)[:8]}.jpg"
