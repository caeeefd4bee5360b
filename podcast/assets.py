"""The build's assets step: artwork, JSON chapters and transcripts into ``feed/``.

Gather, then write: every image is checked and every transcript parsed
first, and all problems are raised together; only then are files written
(atomically, and only when their bytes changed).

* Artwork keys carry a hash of the published bytes (``artwork/cover-<sha8>.jpg``):
  apps cache art by URL, so a new picture must get a new file name.
* Art must be a square JPEG/PNG of 1400-3000 px. Larger art, or art that is not
  RGB, is converted (the source is never modified); smaller or non-square art is
  an error, because enlarging or cropping it is a decision for a person.
* JSON chapters follow the Podcasting 2.0 chapters format, version 1.2.0.
* Transcripts are published as both WebVTT and SRT, whichever was supplied.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from podcast import layout, transcripts
from podcast.config import Show
from podcast.episodes import Episode
from podcast.errors import PodcastError, Problem, ValidationError
from podcast.fsutil import sha256_bytes, write_if_changed

log = logging.getLogger(__name__)

ART_MIN, ART_MAX = 1400, 3000
CHAPTERS_VERSION = "1.2.0"
VTT, SRT = "text/vtt", "application/x-subrip"
_FORMATS = {"JPEG": "jpg", "PNG": "png"}
# Bump when the conversion changes, so cached conversions are redone.
_CONVERT_VERSION = "1"


@dataclass(frozen=True)
class Assets:
    """What the assets step wrote: keys relative to ``out``."""

    artwork_key: str
    # slug -> (chapters_key | None, transcripts, image_key | None): the remaining
    # fields of layout.BuiltEpisode, in order.
    per_episode: dict[str, tuple[str | None, tuple[layout.Transcript, ...], str | None]]
    keys: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Art:
    data: bytes
    ext: str  # "jpg" | "png"
    size: tuple[int, int]
    converted: bool


def _display(show: Show, path: Path) -> str:
    try:
        return str(Path(path).relative_to(show.root))
    except ValueError:
        return str(path)


# ---- artwork ---------------------------------------------------------------

def check_art(width: int, height: int, mode: str, fmt: str | None) -> list[str]:
    """Apple's artwork rules, as problems (empty: fine as is)."""
    problems = []
    if fmt not in _FORMATS:
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


def prepare_art(source: Path, where: str, cache_dir: Path | None = None) -> Art:
    """The bytes to publish for a cover: the source itself when it already meets
    the rules, else an RGB copy scaled down to 3000 px. Raises ``PodcastError``
    for art that cannot be fixed without a person (too small, not square)."""
    from PIL import Image, UnidentifiedImageError

    try:
        raw = Path(source).read_bytes()
    except OSError as exc:
        raise PodcastError(where, f"cannot be read ({exc.strerror})",
                           "Check the path of the artwork") from None
    try:
        with Image.open(io.BytesIO(raw)) as img:
            img.load()
            fmt, mode, (w, h) = img.format, img.mode, img.size
            if w != h:
                raise PodcastError(where, f"is {w}x{h} px, not square",
                                   f"Apple requires square art of {ART_MIN}-{ART_MAX} px: crop it")
            if w < ART_MIN:
                raise PodcastError(where, f"is {w}x{h} px, smaller than {ART_MIN}x{ART_MIN}",
                                   f"Export the art at {ART_MIN}-{ART_MAX} px; enlarging blurs it")
            if not check_art(w, h, mode, fmt):
                return Art(raw, _FORMATS[fmt], (w, h), False)
            return _convert(img, raw, fmt, cache_dir)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PodcastError(where, f"is not a readable image ({exc})",
                           "Export the art as a JPEG or PNG") from None


def _convert(img, raw: bytes, fmt: str | None, cache_dir: Path | None) -> Art:
    """RGB, at most ART_MAX px, saved as the source's format (JPEG for anything else)."""
    from PIL import Image

    ext = _FORMATS.get(fmt or "", "jpg")
    cached = None
    if cache_dir is not None:
        cached = cache_dir / f"{sha256_bytes(raw + _CONVERT_VERSION.encode())[:32]}.{ext}"
        if cached.is_file():
            data = cached.read_bytes()
            with Image.open(io.BytesIO(data)) as done:
                return Art(data, ext, done.size, True)
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


# ---- chapters ----------------------------------------------------------------

def _seconds(value: float) -> int | float:
    """Whole seconds as an int in the JSON, otherwise milliseconds precision."""
    return int(value) if float(value).is_integer() else round(float(value), 3)


def chapters_json(show: Show, episode: Episode, image_keys: dict[int, str]) -> str:
    """The Podcasting 2.0 JSON chapters document (deterministic text)."""
    chapters = []
    for n, ch in enumerate(sorted(episode.chapters, key=lambda c: c.start), start=1):
        item: dict = {"startTime": _seconds(ch.start), "title": ch.title}
        if n in image_keys:
            item["img"] = layout.public_url(show, image_keys[n])
        if ch.url:
            item["url"] = ch.url
        if not ch.toc:
            item["toc"] = False
        chapters.append(item)
    doc = {"version": CHAPTERS_VERSION, "chapters": chapters}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _chapter_image(episode: Episode, n: int, path: Path, where: str) -> tuple[str, bytes]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PodcastError(where, f"cannot be read ({exc.strerror})") from None
    ext = path.suffix.lower().lstrip(".")
    ext = "jpg" if ext == "jpeg" else ext
    key = f"{layout.episode_dir(episode)}chapter-{n}-{sha256_bytes(data)[:8]}.{ext}"
    return key, data


# ---- podcast check -----------------------------------------------------------------

def check_sources(show: Show, episodes: list[Episode]) -> list[Problem]:
    """What the assets step would refuse or change, found before building.

    Art that cannot be used is an error; art that will be converted is a
    warning (the published copy differs from the file). Transcripts must parse.
    """
    from PIL import Image, UnidentifiedImageError

    problems: list[Problem] = []

    def art(path: Path, where: str, fieldname: str) -> None:
        try:
            with Image.open(path) as img:
                w, h, mode, fmt = img.width, img.height, img.mode, img.format
        except FileNotFoundError:
            return  # reported by the show/episode validation
        except (UnidentifiedImageError, OSError) as exc:
            problems.append(Problem(where, fieldname, f"{_display(show, path)} is not a "
                                    f"readable image ({exc})", "Export it as JPEG or PNG"))
            return
        for issue in check_art(w, h, mode, fmt):
            fixable = w == h and w >= ART_MIN
            problems.append(Problem(
                where, fieldname, f"{_display(show, path)} {issue}",
                "A converted copy will be published; the file is left as it is" if fixable
                else f"Apple requires a square JPEG or PNG of {ART_MIN}-{ART_MAX} px",
                "warning" if fixable else "error"))

    art(show.artwork, "podcast.toml", "[show] artwork")
    for ep in episodes:
        where = _display(show, ep.source)
        if ep.image is not None:
            art(ep.image, where, "image")
        if ep.transcript is not None:
            try:
                transcripts.parse(ep.transcript)
            except PodcastError as exc:
                problems.append(Problem(_display(show, ep.transcript), "", exc.problem,
                                        exc.hint or ""))
    return problems


# ---- the step ----------------------------------------------------------------

def write_assets(show: Show, episodes: list[Episode], out: Path) -> Assets:
    """Write art, chapters and transcripts of ``episodes`` into ``out``.

    Raises ``ValidationError`` listing every unusable image or transcript, before
    anything is written.
    """
    out = Path(out)
    art_cache = show.cache_dir / "artwork"
    problems: list[Problem] = []
    files: dict[str, bytes] = {}

    artwork_key = ""
    try:
        cover = prepare_art(show.artwork, _display(show, show.artwork), art_cache)
        artwork_key = art_key("cover", cover)
        files[artwork_key] = cover.data
        if cover.converted:
            log.info("artwork: published %s as %dx%d RGB (%s left unchanged)",
                     artwork_key, *cover.size, _display(show, show.artwork))
    except PodcastError as exc:
        problems.append(Problem(exc.where or "podcast.toml", "[show] artwork", exc.problem,
                                exc.hint or ""))

    per_episode: dict[str, tuple[str | None, tuple[layout.Transcript, ...], str | None]] = {}
    for ep in episodes:
        where = _display(show, ep.source)
        image_key = None
        if ep.image is not None:
            try:
                art = prepare_art(ep.image, _display(show, ep.image), art_cache)
                image_key = art_key(ep.slug, art)
                files[image_key] = art.data
            except PodcastError as exc:
                problems.append(Problem(where, "image", exc.problem, exc.hint or ""))

        chapters_key = None
        if ep.chapters:
            images: dict[int, str] = {}
            ordered = sorted(ep.chapters, key=lambda c: c.start)
            for n, ch in enumerate(ordered, start=1):
                if ch.image is not None:
                    try:
                        key, data = _chapter_image(ep, n, ch.image, _display(show, ch.image))
                    except PodcastError as exc:
                        problems.append(Problem(where, f"chapters[{n}].image", exc.problem,
                                                exc.hint or ""))
                        continue
                    images[n] = key
                    files[key] = data
            chapters_key = layout.chapters_key(ep)
            files[chapters_key] = chapters_json(show, ep, images).encode()

        found: tuple[layout.Transcript, ...] = ()
        if ep.transcript is not None:
            try:
                cues = transcripts.parse(ep.transcript)
            except PodcastError as exc:
                problems.append(Problem(_display(show, ep.transcript), "", exc.problem,
                                        exc.hint or ""))
            else:
                vtt, srt = layout.transcript_key(ep, "vtt"), layout.transcript_key(ep, "srt")
                files[vtt] = transcripts.to_vtt(cues).encode()
                files[srt] = transcripts.to_srt(cues).encode()
                found = (layout.Transcript(vtt, VTT), layout.Transcript(srt, SRT))
        per_episode[ep.slug] = (chapters_key, found, image_key)

    if any(p.is_error for p in problems):
        raise ValidationError(problems)

    written = sum(write_if_changed(out / key, data) for key, data in sorted(files.items()))
    log.debug("assets: %d files, %d rewritten", len(files), written)
    return Assets(artwork_key=artwork_key, per_episode=per_episode, keys=set(files))
