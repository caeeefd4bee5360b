"""Transcripts: read WebVTT or SRT; write WebVTT, SRT and Podcasting 2.0 JSON.

Podcasting 2.0 apps prefer WebVTT (``text/vtt``); some want SRT or the JSON
transcript format. The producer supplies (or ``podcast transcribe`` writes)
one file; the build publishes all three, converted from it, shifted onto the
published MP3's timeline, and the pages render the cues as text. Voice tags
(``<v Name>``) are kept as each cue's speaker through every format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from podcast.errors import PodcastError

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
_VOICE = re.compile(r"^<v(?:\.[^ >]*)?\s+([^>]+)>")
_TAGS = re.compile(r"</?[a-zA-Z][^>]*>|<\d[^>]*>")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str  # plain text, tags removed, lines joined with "\n"
    speaker: str | None = None


def _seconds(h, m, s, ms) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def parse(path: Path) -> list[Cue]:
    """Cues of a .vtt or .srt file; PodcastError naming the file and line if malformed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PodcastError(str(path), "is not UTF-8 text", "Save the transcript as UTF-8") from None
    except OSError as exc:
        raise PodcastError(str(path), f"cannot be read ({exc.strerror})") from None
    return parse_text(text, str(path), vtt=path.suffix.lower() == ".vtt")


def parse_text(text: str, where: str, *, vtt: bool) -> list[Cue]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if vtt:
        if not lines or not lines[0].startswith("WEBVTT"):
            raise PodcastError(where, "does not start with WEBVTT",
                               "A WebVTT file must begin with the line WEBVTT")
    cues: list[Cue] = []
    i = 0
    while i < len(lines):
        m = _TIMING.match(lines[i])
        if not m:
            if vtt and lines[i].startswith(("NOTE", "STYLE", "REGION")):
                while i < len(lines) and lines[i].strip():
                    i += 1
            i += 1
            continue
        g = m.groups()
        start, end = _seconds(*g[:4]), _seconds(*g[4:])
        if end < start:
            raise PodcastError(where, f"line {i + 1}: cue ends before it starts",
                               "Fix the timing line")
        i += 1
        body = []
        while i < len(lines) and lines[i].strip():
            body.append(lines[i].strip())
            i += 1
        speaker = None
        if body:
            v = _VOICE.match(body[0])
            if v:
                speaker = v.group(1).strip()
        clean = "\n".join(_TAGS.sub("", line) for line in body).strip()
        clean = (clean.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u00a0")
                 .replace("&amp;", "&"))
        if clean:
            cues.append(Cue(start, end, clean, speaker))
    if not cues:
        raise PodcastError(where, "has no cues", "Check the file is a WebVTT or SRT transcript")
    return cues


def _stamp(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def _escape_vtt(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shifted(cues: Iterable[Cue], offset: float, duration: float | None = None) -> list[Cue]:
    """Cues moved ``offset`` seconds later (an intro before the master's time 0), or
    earlier for a negative one; cues left wholly outside ``[0, duration]`` are
    dropped and the others clipped to it."""
    out = []
    for cue in cues:
        start, end = cue.start + offset, cue.end + offset
        if duration is not None:
            end = min(end, duration)
        start = max(start, 0.0)
        if end <= start:
            continue
        out.append(replace(cue, start=round(start, 3), end=round(end, 3)))
    return out


def to_vtt(cues: list[Cue], note: str | None = None) -> str:
    out = ["WEBVTT", ""]
    if note:
        # A NOTE block may not hold "-->" nor a blank line.
        lines = [line.replace("-->", "->") for line in note.strip().splitlines() if line.strip()]
        out += ["NOTE", *lines, ""]
    for cue in cues:
        out.append(f"{_stamp(cue.start, '.')} --> {_stamp(cue.end, '.')}")
        text = _escape_vtt(cue.text)
        out.append(f"<v {cue.speaker}>{text}" if cue.speaker else text)
        out.append("")
    return "\n".join(out)


def to_srt(cues: list[Cue]) -> str:
    out = []
    for n, cue in enumerate(cues, start=1):
        out.append(str(n))
        out.append(f"{_stamp(cue.start, ',')} --> {_stamp(cue.end, ',')}")
        out.append(f"{cue.speaker}: {cue.text}" if cue.speaker else cue.text)
        out.append("")
    return "\n".join(out)


JSON_VERSION = "1.0.0"


def to_json(cues: list[Cue]) -> str:
    """The Podcasting 2.0 JSON transcript: one segment per cue, with its speaker."""
    segments = []
    for cue in cues:
        segment: dict = {}
        if cue.speaker:
            segment["speaker"] = cue.speaker
        segment.update(startTime=round(cue.start, 3), endTime=round(cue.end, 3),
                       body=" ".join(cue.text.split()))
        segments.append(segment)
    return json.dumps({"version": JSON_VERSION, "segments": segments}, ensure_ascii=False,
                      indent=1) + "\n"
