"""Captions as an ASS script, the format libass burns into video clips.

pysubs2 writes the file: the script info, a typed style (colours, box,
alignment) instead of a hand-typed 23-field ``Style:`` line, and the
``H:MM:SS.cc`` event times. It writes event text as given, where ``{...}``
is an override block and a backslash starts a command, so text and speaker
names are made inert here, and capped: libass lays out whatever it is
given, and a megabyte of text in one event costs it a minute and 700 MB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podcast.captions.model import Cue

MAX_TEXT = 200  # characters of one event: two phone lines are 60
MAX_NAME = 40
SPEAKER_COLOUR = (255, 225, 92)  # the speaker's name, in yellow


@dataclass(frozen=True)
class AssStyle:
    size: tuple[int, int]  # the video's width and height, px
    font: str  # family name, as fontconfig knows it
    font_size: int
    margin_v: int  # px from the bottom edge
    margin_h: int = 60
    box: int = 14  # padding of the translucent box behind the text


def _inert(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return text.replace("\\", "/").replace("{", "(").replace("}", ")")


def to_ass(cues: Sequence[Cue], style: AssStyle) -> str:
    """White text on a translucent black box, bottom centre; a speaker's name (when
    given) in colour before the text."""
    import pysubs2

    doc = pysubs2.SSAFile()
    w, h = style.size
    doc.info.update({"PlayResX": str(w), "PlayResY": str(h), "WrapStyle": "2",
                     "ScaledBorderAndShadow": "yes"})
    white, shade = pysubs2.Color(255, 255, 255, 0), pysubs2.Color(0, 0, 0, 0x3A)
    doc.styles = {"Caption": pysubs2.SSAStyle(
        fontname=style.font, fontsize=style.font_size, primarycolor=white,
        secondarycolor=white, outlinecolor=shade, backcolor=shade, bold=True,
        borderstyle=3, outline=style.box, shadow=0,
        alignment=pysubs2.Alignment.BOTTOM_CENTER, marginl=style.margin_h,
        marginr=style.margin_h, marginv=style.margin_v)}
    r, g, b = SPEAKER_COLOUR
    name_colour = f"&H{b:02X}{g:02X}{r:02X}&"
    for cue in cues:
        text = r"\N".join(_inert(line, MAX_TEXT) for line in cue.text.split("\n")[:4])
        if cue.speaker:
            text = (f"{{\\c{name_colour}}}{_inert(cue.speaker, MAX_NAME)}:{{\\c&HFFFFFF&}} "
                    + text)
        doc.append(pysubs2.SSAEvent(start=round(cue.start * 1000), end=round(cue.end * 1000),
                                    text=text, style="Caption"))
    return doc.to_string("ass")
