"""Transcript formats, below every stage that reads or writes them.

Cues (``Cue``, with their ``Word``s when recognised) are read from WebVTT,
SRT or Podcasting 2.0 JSON, put in the order published, shifted onto the
published MP3's timeline, and written as WebVTT, SRT, JSON, or ASS for the
captions burned into video clips. Nothing here imports the optional
transcribe extra: reading a transcript needs no speech recogniser.
"""

from podcast.captions.formats import parse_json, parse_text, read, to_json, to_srt, to_vtt
from podcast.captions.model import Cue, Word
from podcast.captions.timing import Finding, findings, merged, publishable, retimed

__all__ = ["Cue", "Finding", "Word", "findings", "merged", "parse_json", "parse_text",
           "publishable", "read", "retimed", "to_json", "to_srt", "to_vtt"]
