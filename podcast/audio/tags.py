"""ID3v2.3 tags of the published MP3, through one mutagen wrapper.

The tags are a table of fields mapped to frames (``FIELDS``), built from a
``TagSet`` value whose digest tells the cache whether a re-tag is needed.
v2.3 is an explicit choice: several players mishandle v2.4, so tags are
converted with ``update_to_v23()`` and saved with ``v2_version=3``.
Every mutagen call goes through ``_mutagen`` so a failure names the file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

from podcast.audio import art
from podcast.model import Timeline, published_chapters
from podcast.show.config import Show
from podcast.show.episodes import Episode
from podcast.show.probe import mutagen_errors

UNSET = 0xFFFFFFFF  # CHAP byte offsets: not given (times only)


def _mutagen(path: Path, action: str):
    """The one wrapper (podcast.show.probe.mutagen_errors) with the published MP3's hints."""
    return mutagen_errors(path, action, missing_hint="Run `podcast process` again",
                          hint="Delete the file and run `podcast process --force`")


@dataclass(frozen=True)
class ArtRef:
    """A picture to embed, named by its content: the JPEG (art.jpeg, scaled and
    compressed) is made only when tags are written, never to decide whether to."""

    path: str
    sha256: str  # of the source file
    size: int = art.COVER_PX
    max_bytes: int = art.MAX_BYTES

    @classmethod
    def of(cls, path: Path, **kwargs) -> "ArtRef":
        return cls(str(path), art.source_sha256(path), **kwargs)

    def jpeg(self) -> bytes:
        return art.jpeg(Path(self.path), size=self.size, max_bytes=self.max_bytes)


@dataclass(frozen=True)
class ChapterTag:
    element_id: str
    start_ms: int
    end_ms: int
    title: str
    url: str | None = None
    image: ArtRef | None = None
    toc: bool = True


@dataclass(frozen=True)
class TagSet:
    """Everything written into the MP3; its ``digest`` keys the re-tag decision."""

    title: str
    artist: str
    album: str
    genre: str
    year: str
    date: str  # YYYY-MM-DD
    language: str  # the show's language tag (RFC 5646); COMM gets its ISO 639-2 code
    duration_ms: int
    guid: str
    feed_url: str
    cover: ArtRef
    track: int | None = None
    disc: int | None = None
    comment: str | None = None
    description: str | None = None
    chapters: tuple[ChapterTag, ...] = ()

    def digest(self) -> str:
        def plain(value):
            if isinstance(value, ArtRef):  # the picture by content, not by file name
                return [value.sha256, value.size, value.max_bytes, art.JPEG_VERSION]
            if isinstance(value, (list, tuple)):
                return [plain(v) for v in value]
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            return value
        data = {f.name: plain(getattr(self, f.name)) for f in fields(self)}
        data["chapters"] = [{f.name: plain(getattr(c, f.name)) for f in fields(c)}
                            for c in self.chapters]
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def iso639_2(language: str) -> str:
    """The ISO 639-2 code ID3 wants for COMM (en-gb -> eng, cy -> cym); "und"
    (undetermined) for a tag langcodes does not know."""
    import langcodes

    try:
        return langcodes.Language.get(language).to_alpha3()
    except (LookupError, ValueError):
        return "und"


def tag_set(show: Show, episode: Episode, duration: float, *,
            timeline: Timeline = Timeline(), decoder_delay: float = 0.0) -> TagSet:
    """The tags of ``episode``'s MP3 whose audio lasts ``duration`` seconds, the
    master placed in it by ``timeline`` (after an intro, which gets a chapter of its
    own). ``decoder_delay``: seconds a decoder drops at the start (``chapter_ms``)."""
    total_ms = int(round(duration * 1000))
    chapters = tuple(
        ChapterTag(element_id="intro" if ch.number is None else f"chp{ch.number - 1}",
                   start_ms=chapter_ms(ch.start, decoder_delay),
                   end_ms=chapter_ms(min(ch.end, duration), decoder_delay), title=ch.title,
                   url=ch.url, toc=ch.toc,
                   image=ArtRef.of(ch.image, size=art.CHAPTER_PX, max_bytes=200_000)
                   if ch.image else None)
        for ch in published_chapters(episode, timeline, duration))
    summary = episode.summary or _first_paragraph(episode.notes)
    return TagSet(
        title=episode.title, artist=show.author, album=show.title, genre="Podcast",
        year=f"{episode.date.year:04d}", date=episode.date.strftime("%Y-%m-%d"),
        language=show.language, duration_ms=total_ms,
        guid=episode.guid, feed_url=show.feed_url,
        cover=ArtRef.of(episode.image or show.artwork), track=episode.number,
        disc=episode.season, comment=summary or None, description=summary or None,
        chapters=chapters)


def chapter_ms(t: float, decoder_delay: float) -> int:
    """A CHAP frame's time for ``t`` seconds into the audio as listeners hear it.

    ID3 counts a chapter's milliseconds from the first sample the decoder puts
    out, before gapless playback drops the encoder's delay (the LAME tag's
    delay plus the decoder's 529 samples: 25 ms at 44.1 kHz). ffmpeg reports the
    stream as starting there and the chapter as written, so mpv (which shows
    times from the stream's start) listed every chapter 25 ms early until the
    delay was added here.
    """
    return int(round((t + decoder_delay) * 1000))


def _first_paragraph(markdown: str) -> str:
    for block in markdown.strip().split("\n\n"):
        text = " ".join(block.split())
        if text and not text.startswith(("#", "<", "!", "|", "```")):
            return text[:1000]
    return ""


def _text(frame: str) -> Callable:
    def build(value, _t: TagSet):
        from mutagen import id3
        return getattr(id3, frame)(encoding=id3.Encoding.UTF16, text=[str(value)])
    return build


def _comment(t: TagSet):
    from mutagen import id3
    return id3.COMM(encoding=id3.Encoding.UTF16, lang=iso639_2(t.language), desc="",
                    text=[t.comment])


def _cover(t: TagSet):
    from mutagen import id3
    return id3.APIC(encoding=id3.Encoding.LATIN1, mime="image/jpeg",
                    type=id3.PictureType.COVER_FRONT, desc="Cover", data=t.cover.jpeg())


def _flag(_t: TagSet):
    from mutagen import id3
    return id3.PCST(value=1)


def _feed(t: TagSet):
    from mutagen import id3
    return id3.WFED(url=t.feed_url)


# frame id, the value it takes from a TagSet (None: frame omitted), how it's built
FIELDS: list[tuple[str, Callable[[TagSet], object], Callable]] = [
    ("TIT2", lambda t: t.title, _text("TIT2")),
    ("TPE1", lambda t: t.artist, _text("TPE1")),
    ("TALB", lambda t: t.album, _text("TALB")),
    ("TRCK", lambda t: t.track, _text("TRCK")),
    ("TPOS", lambda t: t.disc, _text("TPOS")),
    ("TCON", lambda t: t.genre, _text("TCON")),
    ("TDRC", lambda t: t.date, _text("TDRC")),  # update_to_v23: TYER + TDAT
    ("TLEN", lambda t: t.duration_ms, _text("TLEN")),
    ("COMM", lambda t: t.comment, lambda v, t: _comment(t)),
    ("TDES", lambda t: t.description, _text("TDES")),
    ("TGID", lambda t: t.guid, _text("TGID")),
    ("WFED", lambda t: t.feed_url, lambda v, t: _feed(t)),
    ("PCST", lambda t: True, lambda v, t: _flag(t)),
    ("APIC", lambda t: t.cover, lambda v, t: _cover(t)),
]


def _frames(t: TagSet) -> list:
    from mutagen import id3

    frames = []
    for _frame_id, get, build in FIELDS:
        value = get(t)
        if value is None or value == "":
            continue
        frames.append(build(value, t))
    for ch in t.chapters:
        sub = [id3.TIT2(encoding=id3.Encoding.UTF16, text=[ch.title])]
        if ch.url:
            sub.append(id3.WXXX(encoding=id3.Encoding.LATIN1, desc="", url=ch.url))
        if ch.image:
            sub.append(id3.APIC(encoding=id3.Encoding.LATIN1, mime="image/jpeg",
                                type=id3.PictureType.OTHER, desc="Chapter",
                                data=ch.image.jpeg()))
        frames.append(id3.CHAP(element_id=ch.element_id, start_time=ch.start_ms,
                               end_time=ch.end_ms, start_offset=UNSET, end_offset=UNSET,
                               sub_frames=sub))
    if t.chapters:
        frames.append(id3.CTOC(
            element_id="toc", flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
            child_element_ids=[c.element_id for c in t.chapters if c.toc],
            sub_frames=[id3.TIT2(encoding=id3.Encoding.UTF16, text=["Chapters"])]))
    return frames


def _chronological(data: bytes) -> bytes:
    """ID3v2.3 frame data with the CHAP frames put in order of start time.

    mutagen orders frames by size; the CTOC gives the order to readers that
    follow it, but ffmpeg (and so every player built on it) lists CHAP frames
    in file order. Frames keep their bytes; only CHAP slots are permuted.
    """
    frames, pos = [], 0
    while pos + 10 <= len(data) and data[pos:pos + 4].strip(b"\0"):
        size = int.from_bytes(data[pos + 4:pos + 8], "big")  # v2.3: plain 32-bit sizes
        frames.append(bytes(data[pos:pos + 10 + size]))
        pos += 10 + size
    if pos != len(data):
        return data  # not what we expected: leave mutagen's order

    def start(frame: bytes) -> int:
        body = frame[10:]
        end = body.index(b"\0")
        return int.from_bytes(body[end + 1:end + 5], "big")
    chaps = iter(sorted((f for f in frames if f[:4] == b"CHAP"), key=start))
    return b"".join(next(chaps) if f[:4] == b"CHAP" else f for f in frames)


def write_tags(path: Path, tags: TagSet) -> None:
    """Replace all tags of ``path`` with ``tags``, as ID3v2.3 (no ID3v1)."""
    from mutagen import id3

    class ChronologicalID3(id3.ID3):
        def _write(self, config):
            data = super()._write(config)
            return bytearray(_chronological(data)) if config.v2_version == 3 else data

    with _mutagen(path, "write ID3 tags to"):
        frame_set = ChronologicalID3()
        for frame in _frames(tags):
            frame_set.add(frame)
        frame_set.update_to_v23()
        frame_set.save(path, v2_version=3, v1=id3.ID3v1SaveOptions.REMOVE)


def read_tags(path: Path, *, as_stored: bool = False):
    """The ID3 tags of ``path`` (a mutagen ``ID3``); ``as_stored`` keeps v2.3 frames
    (TYER/TDAT) instead of mutagen's upgrade to v2.4 on load."""
    from mutagen import id3

    with _mutagen(path, "read ID3 tags from"):
        return id3.ID3(path, translate=not as_stored)


# Decoders drop these samples after the encoder's delay (ffmpeg's mp3dec: 528 + 1).
DECODER_DELAY = 529
# The Info tag's LAME extension, as ffmpeg's MP3 demuxer trusts it (by its version
# string): only then does it skip the delay, and only then do we count it.
LAME_VERSIONS = (b"LAME", b"Lavf", b"Lavc")


@dataclass(frozen=True)
class MP3Info:
    duration: float  # seconds, from the Xing/Info and LAME headers
    bitrate: int  # bps, rounded to whole kbps
    sample_rate: int
    channels: int
    cbr: bool
    has_info_header: bool  # Xing or Info frame present
    # Samples a gapless decoder drops before the first one listeners hear: the
    # encoder delay in the LAME extension plus DECODER_DELAY; 0 without one.
    decoder_delay: int = 0


def mp3_info(path: Path) -> MP3Info:
    """Stream facts of an encoded MP3, read from its headers (no decoding).

    The duration is exact: frames x 1152 from the Info header, minus the encoder
    delay and padding recorded in its LAME extension (ffmpeg writes them, but
    mutagen only honours them when the encoder string says "LAME").
    """
    from mutagen.mp3 import MP3, BitrateMode

    with _mutagen(path, "read the MP3 stream of"):
        info = MP3(path).info
        with open(path, "rb") as f:
            f.seek(_audio_start(f.read(10)))
            frame = f.read(400)
    length = float(info.length)
    at = max(frame.find(b"Info", 0, 64), frame.find(b"Xing", 0, 64))  # after the side info
    delay = 0
    raw = frame[at + 141:at + 144] if at >= 0 else b""
    if len(raw) == 3 and frame[at + 120:at + 124] in LAME_VERSIONS:
        delay, padding = raw[0] << 4 | raw[1] >> 4, (raw[1] & 0x0F) << 8 | raw[2]
        if not (info.encoder_info or "").startswith("LAME"):
            length = max(0.0, length - (delay + padding) / info.sample_rate)
        delay += DECODER_DELAY
    return MP3Info(duration=length, bitrate=int(round(info.bitrate / 1000)) * 1000,
                   sample_rate=int(info.sample_rate), channels=int(info.channels),
                   cbr=info.bitrate_mode in (BitrateMode.CBR, BitrateMode.UNKNOWN),
                   has_info_header=at >= 0, decoder_delay=delay)


def _audio_start(head: bytes) -> int:
    """Offset of the first MPEG frame, after an ID3v2 tag if any."""
    if head[:3] == b"ID3" and len(head) >= 10:  # syncsafe size, plus the 10-byte header
        size = 0
        for b in head[6:10]:
            size = (size << 7) | (b & 0x7F)
        return 10 + size
    return 0
