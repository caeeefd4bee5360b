"""Apple's artwork rules: what cover art a show or an episode may use.

A square JPEG or PNG of 1400-3000 px in RGB. Checked when the show is
validated, when the assets step publishes the art, and on the built feed.
"""

from __future__ import annotations

ART_MIN, ART_MAX = 1400, 3000
FORMATS = {"JPEG": "jpg", "PNG": "png"}  # Pillow's format name -> file extension


def check_art(width: int, height: int, mode: str, fmt: str | None) -> list[str]:
    """Apple's artwork rules, as problems (empty: fine as is)."""
    problems = []
    if fmt not in FORMATS:
        problems.append(f"is {fmt or 'not an image'}, not JPEG or PNG")
    if width != height:
        problems.append(f"is {width}x{height} px, not square")
    elif width < ART_MIN:
        problems.append(f"is {width}x{height} px, smaller than {ART_MIN}x{ART_MIN}")
    elif width > ART_MAX:
        problems.append(f"is {width}x{height} px, larger than {ART_MAX}x{ART_MAX}")
    if mode != "RGB":
        problems.append(f"has colour mode {mode}, not RGB")
    return problems
