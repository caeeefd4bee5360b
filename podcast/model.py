"""The values the stages pass along, and where each artefact lives in ``feed/``.

``Media``, ``Transcript``, ``BuiltEpisode`` and ``Site`` are what audio and
assets hand to the feed and the site. The key functions are the one place
that knows the output tree and its public URLs; every stage asks them, so a
key never disagrees between the feed, the pages and the bucket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from podcast.show.config import Show
from podcast.show.episodes import Episode

FEED = "feed.xml"


def media_key(episode: Episode, audio_hash: str) -> str:
    """The MP3's key. The hash covers master + audio settings: a re-mastered
    episode gets a new key (its guid stays), so the key can be cached forever."""
    return f"media/{episode.slug}-{audio_hash[:12]}.mp3"


def episode_dir(episode: Episode) -> str:
    return f"episodes/{episode.slug}/"


def episode_page(episode: Episode) -> str:
    return episode_dir(episode) + "index.html"


def chapters_key(episode: Episode) -> str:
    return episode_dir(episode) + "chapters.json"


def transcript_key(episode: Episode, ext: str) -> str:
    return episode_dir(episode) + f"transcript.{ext}"


def transcript_page(episode: Episode) -> str:
    return episode_dir(episode) + "transcript.html"


def embed_page(episode: Episode) -> str:
    return episode_dir(episode) + "embed.html"


def public_url(show: Show, key: str) -> str:
    """Absolute URL of a key; ``index.html`` is addressed by its folder."""
    if key == "index.html":
        key = ""
    elif key.endswith("/index.html"):
        key = key[: -len("index.html")]
    return show.url + key


@dataclass(frozen=True)
class Media:
    """The published MP3 of one episode, as the audio step reports it."""

    key: str  # e.g. media/multiple-bombings-0123456789ab.mp3
    path: Path  # the file in feed/
    size: int  # exact bytes: the enclosure length
    duration: float  # seconds, measured on the encoded file
    sha256: str
    report: dict = field(default_factory=dict)  # loudness figures etc.


@dataclass(frozen=True)
class Transcript:
    key: str
    mime: str  # text/vtt | application/x-subrip


@dataclass(frozen=True)
class BuiltEpisode:
    """An episode with everything published beside it: what feed and pages render."""

    episode: Episode
    media: Media
    chapters_key: str | None = None
    transcripts: tuple[Transcript, ...] = ()
    image_key: str | None = None  # episode art; None: the show's


@dataclass(frozen=True)
class Site:
    """The whole build model: the show and its live episodes, newest last."""

    show: Show
    episodes: tuple[BuiltEpisode, ...]
    artwork_key: str  # the show's art in feed/
    build_date: datetime  # newest episode's date: deterministic lastBuildDate
    preview: bool = False  # http://127.0.0.1 previews may use http URLs
