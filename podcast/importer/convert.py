"""Turning a host's episode into ours: notes, chapters, transcripts, front matter.

Notes: the host's HTML becomes Markdown (markdownify), which our sanitiser
then renders like any notes; a plain-text description keeps its paragraphs.
Chapters come from JSON chapters, else Podlove Simple Chapters, else the
MP3's own ID3 CHAP frames. Transcripts: WebVTT or SRT as they are; a
Podcasting 2.0 JSON transcript becomes WebVTT (one cue per speaker turn, at
most 7 s long); HTML and plain text have no times and are left.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from podcast import captions
from podcast.feed.tagrules import npt_seconds
from podcast.jsonio import loads

MAX_CHAPTERS = 500


def notes_markdown(text: str) -> str:
    """A host's notes (HTML, escaped HTML or plain text) as Markdown."""
    text = (text or "").strip()
    if not text:
        return ""
    if not re.search(r"<\s*[a-zA-Z!/]", text):
        # Plain text: keep its paragraphs and line breaks, escape Markdown's syntax.
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", html.unescape(text)) if p.strip()]
        return "\n\n".join(_escape(p).replace("\n", "  \n") for p in paragraphs) + "\n"
    from markdownify import markdownify

    md = markdownify(text, heading_style="ATX", bullets="-", strip=["img", "iframe", "video",
                                                                      "audio", "object",
                                                                      "embed", "form"])
    md = re.sub(r"\n{3,}", "\n\n", md).strip()
    return md + "\n" if md else ""


def _escape(text: str) -> str:
    text = re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", text)
    return re.sub(r"^(\s*)([-+]|\d+\.)(\s)", r"\1\\\2\3", text, flags=re.M)


def chapters_from_json(data: bytes, where: str) -> list[dict]:
    """Podcasting 2.0 JSON chapters -> [{start, title, url?, img?, toc?}]; JSONError
    when the file is not JSON, too large or too deep."""
    doc = loads(data, where)
    out = []
    for ch in (doc.get("chapters") or [])[:MAX_CHAPTERS] if isinstance(doc, dict) else []:
        if not isinstance(ch, dict) or not isinstance(ch.get("startTime"), (int, float)):
            continue
        out.append({"start": float(ch["startTime"]), "title": str(ch.get("title") or ""),
                    "url": ch.get("url") if isinstance(ch.get("url"), str) else None,
                    "img": ch.get("img") if isinstance(ch.get("img"), str) else None,
                    "toc": ch.get("toc") is not False})
    return out


def chapters_from_psc(psc) -> list[dict]:
    out = []
    for ch in psc[:MAX_CHAPTERS]:
        start = npt_seconds(ch["start"])
        if start is not None:
            out.append({"start": start, "title": ch["title"], "url": ch["href"] or None,
                        "img": ch["image"] or None, "toc": True})
    return out


def chapters_from_id3(path: Path) -> list[dict]:
    """CHAP frames of an MP3 (title, WXXX link; embedded images are left out)."""
    from mutagen import MutagenError
    from mutagen.id3 import ID3, ID3NoHeaderError

    try:
        tags = ID3(path)
    except (ID3NoHeaderError, MutagenError, OSError):
        return []
    out = []
    for chap in tags.getall("CHAP")[:MAX_CHAPTERS]:
        title = next((str(f) for f in chap.sub_frames.getall("TIT2")), "")
        url = next((f.url for f in chap.sub_frames.getall("WXXX")), None)
        out.append({"start": chap.start_time / 1000, "title": title, "url": url, "img": None,
                    "toc": True})
    return out


def clean_chapters(chapters: list[dict], duration: float | None) -> list[dict]:
    """In order of time, one per start, inside the audio, every one titled."""
    out: list[dict] = []
    for ch in sorted(chapters, key=lambda c: c["start"]):
        if ch["start"] < 0 or (duration and ch["start"] >= duration):
            continue
        if out and ch["start"] <= out[-1]["start"]:
            continue
        out.append({**ch, "title": " ".join(ch["title"].split()) or f"Chapter {len(out) + 1}"})
    return out


def vtt_from_json(data: bytes, where: str) -> str:
    """A Podcasting 2.0 JSON transcript as WebVTT (``captions.parse_json`` groups its
    segments into cues); PodcastError when it is not JSON, too large or too deep, or
    holds no timed text."""
    return captions.to_vtt(captions.parse_json(data, where))


TRANSCRIPT_TYPES = {"text/vtt": "vtt", "application/x-subrip": "srt", "application/srt": "srt",
                    "text/srt": "srt", "application/x-srt": "srt", "application/json": "json"}


def pick_transcript(links) -> tuple[str, str] | None:
    """(url, kind) of the best transcript offered: vtt, then srt, then JSON."""
    ranked = []
    for link in links:
        kind = TRANSCRIPT_TYPES.get(link.type.lower())
        if kind is None:
            ext = link.url.rsplit("?", 1)[0].rsplit(".", 1)[-1].lower()
            kind = {"vtt": "vtt", "srt": "srt", "json": "json"}.get(ext)
        if kind:
            ranked.append(({"vtt": 0, "srt": 1, "json": 2}[kind], link.url, kind))
    return min(ranked)[1:] if ranked else None


def soundbites(items, duration: float | None) -> list[dict]:
    out = []
    for sb in items:
        try:
            start, length = float(sb["start"]), float(sb["duration"])
        except (TypeError, ValueError):
            continue
        if start < 0 or not 1 <= length <= 300 or (duration and start + length > duration):
            continue
        entry = {"start": round(start, 3), "duration": round(length, 3)}
        if sb.get("title"):
            entry["title"] = sb["title"][:128]
        out.append(entry)
    return out
