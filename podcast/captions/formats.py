"""Transcripts: read WebVTT, SRT or Podcasting 2.0 JSON; write WebVTT, SRT and JSON.

Podcasting 2.0 apps prefer WebVTT (``text/vtt``); some want SRT or the JSON
transcript format. The producer supplies (or ``podcast transcribe`` writes)
one file; the build publishes all three, converted from it. Voice tags
(``<v Name>``) are kept as each cue's speaker through every format.

Reading and writing WebVTT is webvtt-py's: its strict parser refuses what a
browser would drop (bad timestamps, a cue line holding ``-->``, unknown cue
settings), strips cue tags in linear time, reads voice spans, and its writer
refuses text that would not read back. What it leaves to us, and this module
does:

* escaping: it writes cue text and voice names as given, so ``&``, ``<``,
  ``>`` are escaped here (and decoded on reading, which it does not do), and a
  name's last ``-`` is written ``&#45;`` so ``<v Mallory -->`` can never be
  written (a browser reads that line as a timing line and the cue as empty);
* SRT: its reader skips a malformed cue silently, so every line with ``-->``
  is checked here first; its writer strips anything between ``<`` and ``>``
  and copies ``-->`` through, so SRT is written here (four lines a cue);
* Podcasting 2.0 JSON, which it does not know.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path

from podcast import jsonio
from podcast.captions.model import Cue
from podcast.captions.timecode import PATTERN, stamp
from podcast.errors import PodcastError

JSON_VERSION = "1.0.0"
JSON_CUE_SECONDS = 7.0  # word-level JSON segments are grouped into cues this long at most
_SRT_TIMING = re.compile(rf"\s*{PATTERN}\s*-->\s*{PATTERN}\s*$")
_BREAKS = re.compile(r"\r\n|\r|\n")
_TIMINGS = re.compile(r"(\s*[0-9:.]+[ \t]+-->[ \t]+[0-9:.]+)(?=[ \t]|$)")
_LOOSE_STAMP = re.compile(r"\d+:\d+:\d+[.,]\d")  # what lenient SRT readers take for a time


# ---- reading ------------------------------------------------------------------------

def read(path: Path) -> list[Cue]:
    """Cues of a .vtt or .srt file, in the file's order; PodcastError naming the file
    (and the cue or line) if it is malformed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PodcastError(str(path), "is not UTF-8 text", "Save the transcript as UTF-8") from None
    except OSError as exc:
        raise PodcastError(str(path), f"cannot be read ({exc.strerror})") from None
    return parse_text(text, str(path), vtt=path.suffix.lower() == ".vtt")


def parse_text(text: str, where: str, *, vtt: bool) -> list[Cue]:
    """Cues of WebVTT (``vtt``) or SRT text; ``where`` names it in errors."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    text = text.lstrip("\ufeff")
    try:
        if vtt:
            doc = webvtt.WebVTT.from_string(_layout_dropped(text), strict=True)
        else:
            _check_srt_timings(text, where)
            doc = webvtt.WebVTT.from_buffer(io.StringIO(text.lstrip()), format="srt")
    except MalformedFileError:
        if vtt:
            raise PodcastError(where, "does not start with WEBVTT",
                               "A WebVTT file must begin with the line WEBVTT") from None
        if "-->" not in text:
            raise PodcastError(where, "has no cues",
                               "Check the file is a WebVTT or SRT transcript") from None
        raise PodcastError(where, "does not start with a numbered SRT cue",
                           "An SRT file begins with 1, then a HH:MM:SS,mmm --> HH:MM:SS,mmm "
                           "line") from None
    except MalformedCaptionError as exc:
        raise PodcastError(where, f"{_line_of(text, str(exc))}is not valid WebVTT "
                           f"({str(exc)[:200]})", "Fix that cue: a browser drops it") from None
    cues: list[Cue] = []
    for n, caption in enumerate(doc.captions, start=1):
        start = caption.start_time.in_milliseconds() / 1000
        end = caption.end_time.in_milliseconds() / 1000
        if end < start:
            raise PodcastError(where, f"cue {n} ({caption.start}) ends before it starts",
                               "Fix its timing line")
        lines = (line.strip() for line in caption.text.split("\n"))
        if vtt:  # WebVTT text holds character references; SRT has none
            lines = (html.unescape(line).strip() for line in lines)
        clean = "\n".join(line for line in lines if line)
        if clean:
            speaker = _name(html.unescape(caption.voice)) if vtt and caption.voice else None
            cues.append(Cue(start, end, clean, speaker))
    if not cues:
        raise PodcastError(where, "has no cues", "Check the file is a WebVTT or SRT transcript")
    return cues


def _layout_dropped(text: str) -> str:
    """WebVTT without cue settings and regions, which we neither keep nor publish: a
    browser ignores one it does not know (``align:middle`` of older files) where the
    strict parser refuses it, while it drops a cue whose times are malformed, as the
    strict parser does."""
    out: list[str] = []  # one line for each line of the text: errors keep their numbers
    in_region = seen_cue = False
    for line in _BREAKS.split(text):
        if in_region or (not seen_cue and line.rstrip() == "REGION"):
            in_region = bool(line.strip())
            out.append("")
            continue
        if "-->" in line:
            seen_cue = True
            m = _TIMINGS.match(line)
            line = m.group(1) if m else line
        out.append(line)
    return "\n".join(out)


def _check_srt_timings(text: str, where: str) -> None:
    """Every line holding ``-->`` is a well-formed timing line after a cue number (the
    reader would skip the cue silently)."""
    lines = _BREAKS.split(text)
    for i, line in enumerate(lines):
        if "-->" not in line:
            continue
        if not _SRT_TIMING.fullmatch(line):
            raise PodcastError(where, f"line {i + 1}: {line[:80]!r} is not an SRT timing line",
                               "Write HH:MM:SS,mmm --> HH:MM:SS,mmm (a cue's text may not "
                               "hold -->)")
        if i == 0 or not lines[i - 1].strip().isdigit():
            raise PodcastError(where, f"line {i + 1}: the cue has no number before its timing",
                               "Put the cue's number on the line before it")


def _line_of(text: str, message: str) -> str:
    """``line N: `` for the first line of the block webvtt-py quotes in ``message``."""
    for i, line in enumerate(_BREAKS.split(text)):
        if line.strip() and repr(line) in message:
            return f"line {i + 1}: "
    return ""


def _name(text: str | None) -> str | None:
    """A speaker's name on one line, spaces collapsed; None when blank."""
    name = " ".join((text or "").split())
    return name or None


def parse_json(data: bytes | str, where: str) -> list[Cue]:
    """Cues of a Podcasting 2.0 JSON transcript: consecutive segments of one speaker
    (often one word each) grouped into cues of at most ``JSON_CUE_SECONDS``."""
    doc = jsonio.loads(data, where)  # size, depth and UTF-8 checked before parsing
    segments = doc.get("segments") if isinstance(doc, dict) else None
    if not isinstance(segments, list):
        raise PodcastError(where, "has no segments list", "See the Podcasting 2.0 JSON format")
    groups: list[list] = []  # [start, end, speaker, [body...]]
    for seg in segments:
        if not isinstance(seg, dict):
            continue
        start, end, body = seg.get("startTime"), seg.get("endTime"), seg.get("body")
        if not all(isinstance(t, (int, float)) and not isinstance(t, bool)
                   and 0 <= t < 1e7 for t in (start, end)) \
                or not isinstance(body, str) or not body.strip() or end < start:
            continue
        speaker = _name(seg.get("speaker")) if isinstance(seg.get("speaker"), str) else None
        last = groups[-1] if groups else None
        if (last and last[2] == speaker and end - last[0] <= JSON_CUE_SECONDS
                and start >= last[1] - 0.01):
            last[1] = end
            last[3].append(body.strip())
        else:
            groups.append([float(start), float(end), speaker, [body.strip()]])
    cues = [Cue(round(s, 3), round(max(e, s + 0.001), 3), " ".join(" ".join(b).split()), who)
            for s, e, who, b in groups]
    if not cues:
        raise PodcastError(where, "holds no timed text")
    return cues


# ---- writing ------------------------------------------------------------------------

def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _lines(cue: Cue) -> list[str]:
    """The cue's lines, split where WebVTT and SRT break a line (CR too), none blank."""
    return [line.strip() for line in _BREAKS.split(cue.text) if line.strip()]


def _no_arrow(text: str) -> str:
    while "-->" in text:  # "--->" -> "-->" in one pass: repeat
        text = text.replace("-->", "->")
    return text


def _srt_line(text: str) -> str:
    """A line of SRT text no reader takes for a timing line: no ``-->``, and not two
    timestamps (pysubs2 reads any such line as one), whose colons become U+2236,
    which looks the same."""
    text = _no_arrow(text)
    if len(_LOOSE_STAMP.findall(text)) >= 2:
        text = _LOOSE_STAMP.sub(lambda m: m.group().replace(":", "\u2236"), text)
    return text


def voice_tag(speaker: str) -> str:
    """``<v Name>``, escaped; a name's last ``-`` as ``&#45;``, so the line can never
    hold ``-->`` (Chromium keeps the spaces of a name, so a space before the ``>``,
    which the spec trims, would show)."""
    name = _escape(_name(speaker) or "")
    return f"<v {name[:-1]}&#45;>" if name.endswith("-") else f"<v {name}>"


def to_vtt(cues: Iterable[Cue], note: str | None = None) -> str:
    """WebVTT with a voice tag per named cue and an optional NOTE block."""
    import webvtt

    captions = []
    for cue in cues:
        lines = [_escape(line) for line in _lines(cue)]
        if not lines:
            continue
        if _name(cue.speaker):
            lines[0] = voice_tag(cue.speaker) + lines[0]
        captions.append(webvtt.Caption(stamp(cue.start), stamp(cue.end), lines))
    comments = []
    if note:
        # A NOTE block may not hold "-->" nor a blank line.
        comments.append("\n".join(_no_arrow(line.strip()) for line in note.strip().splitlines()
                                  if line.strip()))
    text = webvtt.WebVTT(captions=captions, header_comments=comments).content
    return text if text.endswith("\n") else text + "\n"


def to_srt(cues: Iterable[Cue]) -> str:
    """SubRip: numbered cues, ``Name: `` before a named cue's text. SRT has no escapes,
    so text that readers would take for a timing line is changed (``_srt_line``)."""
    out: list[str] = []
    n = 0
    for cue in cues:
        lines = [_srt_line(line) for line in _lines(cue)]
        if not lines:
            continue
        n += 1
        if _name(cue.speaker):
            lines[0] = _srt_line(f"{_name(cue.speaker)}: {lines[0]}")
        out += [str(n), f"{stamp(cue.start, ',')} --> {stamp(cue.end, ',')}", *lines, ""]
    return "\n".join(out)


def to_json(cues: Iterable[Cue]) -> str:
    """The Podcasting 2.0 JSON transcript: one segment per cue, with its speaker."""
    segments = []
    for cue in cues:
        body = " ".join(cue.text.split())
        if not body:
            continue
        segment: dict = {}
        if _name(cue.speaker):
            segment["speaker"] = _name(cue.speaker)
        segment.update(startTime=round(cue.start, 3), endTime=round(cue.end, 3), body=body)
        segments.append(segment)
    return json.dumps({"version": JSON_VERSION, "segments": segments}, ensure_ascii=False,
                      indent=1) + "\n"
