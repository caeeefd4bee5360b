"""``podcast clip``: promo clips of an episode, as MP3s or captioned videos.

Where the audio step (the clip's sound and picture) meets the transcript (its
captions), like ``build.py`` for the whole show. One span (``--start``,
``--duration``) or every ``soundbites:`` entry of episode.md; for video, each
in the formats asked (square, vertical), with the transcript's cues on the
clip's timeline, re-cut to what reads on a phone (``captions.layout.recut``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from podcast.errors import PodcastError
from podcast.show import load_project
from podcast.show.episodes import Episode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Span:
    start: float
    duration: float
    title: str | None = None


def default_path(root: Path, episode: Episode, span: Span, suffix: str) -> Path:
    return root / "clips" / f"{episode.slug}-{int(span.start)}s-{int(span.duration)}s{suffix}"


def make_clips(root: Path, slug: str, *, start: float | None = None,
               duration: float | None = None, soundbites: bool = False, video: bool = False,
               formats: Sequence[str] = ("square",), captions: bool = True,
               out: Path | None = None) -> list[Path]:
    """Write the clips and return their paths: MP3s, or MP4s with ``video``."""
    project = load_project(root)
    (episode,) = project.select([slug])
    show = project.show
    where = show.where(episode.source)
    if soundbites:
        spans = [Span(sb.start, sb.duration, sb.title) for sb in episode.soundbites]
        if not spans:
            raise PodcastError(where, "has no soundbites",
                               "Add soundbites: [{start, duration, title}] to episode.md, or "
                               "give --start and --duration")
    elif start is None or duration is None:
        raise PodcastError("podcast clip", "needs --start and --duration, or --soundbites",
                           "e.g. podcast clip SLUG --start 12:30 --duration 45")
    else:
        spans = [Span(start, duration)]
    many = len(spans) * (len(formats) if video else 1) > 1
    if out is not None and many:
        raise PodcastError(str(out), "names one file, but this makes several clips",
                           "Leave out --out: clips are named after the episode and span")

    if video and out is not None and out.suffix.lower() != ".mp4":
        raise PodcastError(str(out), "is not an .mp4 path", "Name the video something.mp4")
    if not video:
        from podcast.audio import clip
        return [clip(show, episode, start=s.start, duration=s.duration,
                     out=out or default_path(show.root, episode, s, ".mp3")) for s in spans]

    from podcast.audio.cutting import episode_cuts
    from podcast.audio.video import render
    from podcast.captions.layout import recut
    from podcast.model import Timeline

    # The clip plays the master with the episode's cuts inside its span (as the MP3
    # does): its captions move through them, and lose the fillers they took out.
    timeline = Timeline(cuts=episode_cuts(show, episode))
    cues = None
    if captions:
        if episode.transcript is None:
            raise PodcastError(where, "has no transcript to caption the video with",
                               f"Run `podcast transcribe {slug}` first (or pass --no-captions)")
        from podcast.captions import publishable, read, retimed
        # Timed to the master, like the spans; in the order a player shows them.
        cues = publishable(retimed(read(episode.transcript), timeline.to_published,
                                   removed=timeline.fillers))
    art = episode.image or show.artwork
    paths = []
    for span in spans:
        start = timeline.to_published(span.start)
        length = timeline.to_published(span.start + span.duration) - start
        for fmt in formats:
            path = out or default_path(show.root, episode, span, f"-{fmt}.mp4")
            caps = recut(cues, start, length) if cues is not None else None
            paths.append(render(show, episode, start=span.start, duration=span.duration,
                                fmt=fmt, out=path, art=art, captions=caps))
    return paths
