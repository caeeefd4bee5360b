"""Small pieces of an imported episode: images it links to, and fields checked
against our schema before they are written (what fails is left out, with a
warning, rather than failing the whole episode)."""

from __future__ import annotations

from pathlib import Path

from podcast.errors import PodcastError
from podcast.fsutil import atomic_write_bytes
from podcast.images import ImageError, image_info
from podcast.net import Client
from podcast.show import schema as s
from podcast.show.artwork import ART_MIN, FORMATS


def image_file(client: Client, url: str, stem: Path, warnings: list[str], what: str, *,
               cover: bool = False) -> Path | None:
    """Download an image to ``stem.jpg``/``.png`` (by its content); None, with a
    warning, when it cannot be used (unreadable, too many pixels; for a cover, not
    square or too small)."""
    try:
        data = client.get(url, "image")
    except PodcastError as exc:
        warnings.append(f"{what}: {exc.format()}")
        return None
    try:
        fmt, w, h, _ = image_info(data, url)
    except ImageError as exc:
        warnings.append(f"{what} {exc.format()} Left out")
        return None
    if fmt not in FORMATS:
        warnings.append(f"{what} {url} is {fmt}, not JPEG or PNG: left out")
        return None
    if cover and (w != h or w < ART_MIN):
        warnings.append(f"{what} {url} is {w}x{h} px; Apple wants a square of at least "
                        f"{ART_MIN} px: left out (the show's art is used)")
        return None
    if not cover and len(data) > 2_000_000:
        warnings.append(f"{what} {url} is over 2 MB: left out")
        return None
    path = stem.with_suffix("." + FORMATS[fmt])
    atomic_write_bytes(path, data)
    return path


def keep_valid(values: list[dict], options: list[s.Option], name: str,
               warnings: list[str]) -> list[dict]:
    """Each table checked against ``options``: a bad optional field is dropped, an
    entry whose required fields are bad is left out; each with a warning."""
    out = []
    for i, value in enumerate(values, start=1):
        ctx = s.Context("")
        s.validate(value, options, ctx)
        bad = {p.field.split(".")[0] for p in ctx.problems if p.is_error}
        required = {o.name for o in options if o.required}
        if bad & required:
            warnings.append(f"{name}[{i}]: {'; '.join(str(p) for p in ctx.problems)}: left out")
            continue
        if bad:
            warnings.append(f"{name}[{i}]: {', '.join(sorted(bad))} left out "
                            f"({'; '.join(p.message for p in ctx.problems if p.is_error)})")
        out.append({k: v for k, v in value.items() if k not in bad and v is not None})
    return out
