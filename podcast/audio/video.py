"""Captioned video clips for social posts: an MP4 people can watch with the sound off.

H.264 + AAC (what every social network takes), 25 fps, in two shapes:
square 1080x1080 (feeds) and vertical 1080x1920 (stories, reels, shorts).
One still layer is drawn once with Pillow (the cover art over a blurred,
darkened copy of itself, the show's and the episode's titles); ffmpeg then
adds a moving waveform of the clip's audio and burns the captions in with
libass, at the show's loudness with short fades.

Captions come from the caller, already cut for a phone (``podcast.clips``
reads the transcript and re-cuts it to two lines of about 30 characters);
``podcast.captions.ass`` writes them for libass. They are drawn large, on a
translucent box, with the speaker's name in colour when the speaker changes.

Determinism: x264 with pinned threads and ffmpeg's bitexact flags, no
metadata, so the same inputs give the same bytes.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from podcast.audio import ffmpeg
from podcast.audio.measure import EBUR128, summary_of
from podcast.captions.ass import AssStyle, to_ass
from podcast.captions.model import Cue
from podcast.errors import AudioError
from podcast.fsutil import atomic_path
from podcast.show.config import Show
from podcast.show.episodes import Episode

log = logging.getLogger(__name__)

FPS = 25
FONTS_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT, FONT_BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
FADE_IN, FADE_OUT = 0.5, 1.5
PEAK_HEADROOM = 1.5  # dB under the ceiling: AAC moves peaks, as LAME does
X264_THREADS = "2"  # pinned: x264 writes its thread count into the stream


@dataclass(frozen=True)
class Layout:
    size: tuple[int, int]
    cover: tuple[int, int, int]  # x, y, side
    titles_y: int
    title_sizes: tuple[int, int]  # show, episode (px)
    wave: tuple[int, int, int, int]  # x, y, w, h
    caption_size: int
    caption_margin: int  # px from the bottom edge to the captions' baseline box


LAYOUTS = {
    "square": Layout((1080, 1080), (330, 48, 420), 500, (32, 46), (60, 660, 960, 110), 50, 56),
    "vertical": Layout((1080, 1920), (160, 170, 760), 980, (40, 62), (60, 1240, 960, 170), 60,
                       300),
}
FORMATS = tuple(LAYOUTS)


def font(name: str) -> Path:
    path = FONTS_DIR / name
    if not path.is_file():
        raise AudioError(str(path), "not found: video clips draw their text with DejaVu Sans",
                         "Install it: apt-get install fonts-dejavu-core "
                         "(scripts/system-packages.sh)")
    return path


def still(layout: Layout, art: Path, show_title: str, episode_title: str, dest: Path) -> None:
    """The clip's still layer as a PNG: blurred art behind, the art, the titles."""
    from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

    from podcast.images import open_image

    w, h = layout.size
    with open_image(art, str(art)) as img:
        cover = img.convert("RGB")
    side = max(w, h)
    back = cover.resize((side, side), Image.LANCZOS).filter(ImageFilter.GaussianBlur(side // 30))
    back = ImageEnhance.Brightness(back).enhance(0.35)
    left, top = (side - w) // 2, (side - h) // 2
    canvas = back.crop((left, top, left + w, top + h))
    x, y, s = layout.cover
    canvas.paste(cover.resize((s, s), Image.LANCZOS), (x, y))
    draw = ImageDraw.Draw(canvas)
    small = ImageFont.truetype(str(font(FONT)), layout.title_sizes[0])
    big = ImageFont.truetype(str(font(FONT_BOLD)), layout.title_sizes[1])
    ty = layout.titles_y
    draw.text((w // 2, ty), show_title.upper(), font=small, fill=(215, 218, 224), anchor="mt")
    ty += int(layout.title_sizes[0] * 1.6)
    for line in _title_lines(episode_title, big, w - 120, draw)[:2]:
        draw.text((w // 2, ty), line, font=big, fill=(255, 255, 255), anchor="mt")
        ty += int(layout.title_sizes[1] * 1.2)
    canvas.save(dest, "PNG")


def _title_lines(text: str, face, width: int, draw) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=face) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
        while draw.textlength(lines[1] + "…", font=face) > width and " " in lines[1]:
            lines[1] = lines[1].rsplit(" ", 1)[0]
        lines[1] += "…"
    return lines


def ass(captions: Sequence[Cue], layout: Layout) -> str:
    """The captions as an ASS script for this layout (white on a translucent box)."""
    return to_ass(captions, AssStyle(layout.size, "DejaVu Sans", layout.caption_size,
                                     layout.caption_margin))


def render(show: Show, episode: Episode, *, start: float, duration: float, fmt: str,
           out: Path, art: Path, captions: Sequence[Cue] | None) -> Path:
    """Write the MP4 clip of ``[start, start + duration)`` of the master to ``out``.

    ``captions`` (on the clip's timeline) are burned in; None draws none.
    """
    from podcast.audio.promo import check_span

    if fmt not in LAYOUTS:
        raise AudioError(f"{episode.slug} clip", f"--format {fmt} is not one of "
                         f"{', '.join(FORMATS)}")
    from podcast.audio.promo import span_edit

    source = check_span(show, episode, start, duration)
    where = source.where
    layout = LAYOUTS[fmt]
    fonts = font(FONT).parent
    edit, length = span_edit(show, episode, start, duration, 48000)  # length: after cuts

    with tempfile.TemporaryDirectory(prefix="podcast-video-") as tmpdir:
        tmp = Path(tmpdir)
        # The span's loudness: the gain that brings it to the show's target, capped so
        # its true peak stays under the ceiling (no limiter colours a short promo).
        measured = ffmpeg.run(ffmpeg.base_args() + [
            "-ss", f"{source.start:.3f}", "-t", f"{duration:.3f}", "-i", str(source.path),
            "-filter_complex", f"[0:a:0]aresample=48000,{edit}aformat=channel_layouts=stereo,"
                               f"{EBUR128}", "-f", "null", "-"], where=str(source.path))
        loud = summary_of(measured, where, "Parsed_ebur128_")
        gain = show.audio.loudness - loud.integrated
        gain = min(gain, show.audio.true_peak - PEAK_HEADROOM - loud.true_peak)

        still(layout, art, show.title, episode.title, tmp / "still.png")
        (tmp / "captions.ass").write_text(ass(captions or (), layout),
                                          encoding="utf-8")
        wx, wy, ww, wh = layout.wave
        fade_out = max(length - FADE_OUT, 0)
        graph = (
            f"[1:a:0]aresample=48000,{edit}aformat=channel_layouts=stereo,"
            f"volume={gain:.2f}dB:precision=float,afade=t=in:d={min(FADE_IN, length / 4):.2f},"
            f"afade=t=out:st={fade_out:.2f}:d={min(FADE_OUT, length / 4):.2f},asplit[a][w];"
            f"[w]showwaves=s={ww}x{wh}:mode=cline:rate={FPS}:scale=sqrt:"
            f"colors=white,format=rgba,colorchannelmixer=aa=0.85[wave];"
            f"[0:v][wave]overlay={wx}:{wy}:shortest=1"
            + (f",ass=captions.ass:fontsdir={fonts}" if captions is not None else "")
            + ",format=yuv420p[v]")
        with atomic_path(out) as dest:
            ffmpeg.Process(ffmpeg.base_args() + [
                "-loop", "1", "-framerate", str(FPS), "-i", "still.png",
                "-ss", f"{source.start:.3f}", "-t", f"{duration:.3f}", "-i", str(source.path),
                "-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-t", f"{length:.3f}",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-r", str(FPS),
                "-g", str(FPS * 2), "-threads", X264_THREADS, "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "160k", "-ar", "48000",
                "-movflags", "+faststart", "-map_metadata", "-1", "-fflags", "+bitexact",
                "-flags:v", "+bitexact", "-flags:a", "+bitexact", str(dest.resolve())],
                where=str(out), cwd=tmp).wait()
    log.info("clip %s: %s %.1fs from %.1fs, gain %+.1f dB", out, fmt, duration, start, gain)
    return out
