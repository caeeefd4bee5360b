"""The documentation's screenshots, written by the browser tests so they stay current.

A test that has a page open calls ``save_for_docs(page, "name.png")``: the picture
goes to docs/images/, scaled to the docs' column and stored as a 256-colour PNG
(a fifth of the size of Chromium's). It is rewritten only when the picture changed,
so a test run leaves the working tree clean unless a page really looks different.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

DOCS_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"
WIDTH = 900  # px: about the width of the docs' text column on a desktop screen


def docs_png(png: bytes, width: int = WIDTH) -> tuple[bytes, object]:
    """``png`` scaled down to ``width`` and reduced to a 256-colour palette."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)),
                             Image.Resampling.LANCZOS)
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                           dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue(), image


def same_picture(path: Path, image) -> bool:
    from PIL import Image, ImageChops

    try:
        old = Image.open(path).convert("RGB")
    except (OSError, ValueError):
        return False
    new = image.convert("RGB")
    return old.size == new.size and ImageChops.difference(old, new).getbbox() is None


def write_docs_image(png: bytes, name: str) -> Path:
    data, image = docs_png(png)
    target = DOCS_IMAGES / name
    if target.exists() and same_picture(target, image):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def save_for_docs(page, name: str, *, full_page: bool = False) -> Path:
    """Screenshot ``page`` (a Playwright page) into docs/images/NAME."""
    return write_docs_image(page.screenshot(full_page=full_page), name)
