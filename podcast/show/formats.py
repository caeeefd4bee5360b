"""Which audio files the show reads: one list of formats, one check, one message.

A master, a sting (intro, outro) and a file given to ``podcast add`` are all
judged here, so every command accepts and refuses the same files with the
same words.
"""

from __future__ import annotations

from pathlib import PurePath

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".aac", ".aif", ".aiff", ".ogg", ".opus")
AUDIO_HINT = "Export WAV, FLAC, MP3, M4A or AIFF"


def audio_problem(name: str | PurePath) -> tuple[str, str] | None:
    """``(problem, what to do)`` when ``name`` is not a format we read, else None."""
    suffix = PurePath(name).suffix
    if suffix.lower() in AUDIO_SUFFIXES:
        return None
    return f"{suffix or 'no extension'} is not a supported audio format", AUDIO_HINT
