"""Audio mastering: masters -> loudness-normalised, verified, tagged MP3s.

The public API; heavy modules (ffmpeg runner, mutagen, Pillow, pydub) are
imported only when a function is called, so ``podcast --help`` stays fast.

measure (ebur128) -> gain + limiter only if needed -> encode CBR MP3 ->
decode and verify -> cache -> ID3v2.3 tags in the output.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from podcast.audio.deliver import ProcessResult
    from podcast.audio.report import AudioReport
    from podcast.model import Media, SpeechActivity
    from podcast.show.config import Show
    from podcast.show.episodes import Episode


def publish_media(show: "Show", episodes: list["Episode"], out_dir: Path, *,
                  jobs: int | None = None, force: bool = False, progress: bool = False,
                  records=None) -> dict[str, "Media"]:
    """Tagged MP3s at ``out_dir/<media key>`` for ``episodes`` (encoding what's needed).

    ``records``: the bucket's build records (publish/records.py, handed over by
    build.py): media they vouch for stays in the bucket (``Media.path`` None)."""
    import logging

    from podcast.audio.pipeline import run

    results = run(show, episodes, out_dir, jobs=jobs, force=force, progress=progress,
                  records=records)
    if records is not None:
        from collections import Counter
        counts = Counter(r.action for r in results)
        logging.getLogger(__name__).info(
            "audio: %s", ", ".join(f"{n} {action}" for action, n in sorted(counts.items())))
    return {r.slug: r.media for r in results}


def process(show: "Show", episodes: list["Episode"], *, jobs: int | None = None,
            force: bool = False, progress: bool = False) -> list["ProcessResult"]:
    """``podcast process``: like ``publish_media`` into ``show.output_dir``, with reports."""
    from podcast.audio.pipeline import run

    return run(show, episodes, show.output_dir, jobs=jobs, force=force, progress=progress)


def cached_report(show: "Show", episode: "Episode") -> "AudioReport | None":
    """The cached report for ``episode``'s current master and settings, or None.

    Cheap: it never hashes a master; a master not hashed since it last changed
    counts as not processed.
    """
    from podcast.audio.identity import cached_report as found

    return found(show, episode)


def report_text(show: "Show", episode: "Episode") -> str:
    """``podcast report``: the loudness report's figures for the terminal."""
    from podcast.audio.producer import text
    from podcast.errors import AudioError

    report = cached_report(show, episode)
    if report is None:
        raise AudioError(episode.slug, "is not processed with its current master and settings",
                         f"Run `podcast process {episode.slug}` first")
    return text(episode.slug, report)


def producer_page(show: "Show", episodes: list["Episode"], slug: str | None) -> str | None:
    """The producer page for ``slug`` (None: the index), or None for an unknown slug."""
    from podcast.audio.producer import index_page, page

    if slug is None:
        return index_page(show.title, [(e.slug, e.title, cached_report(show, e))
                                       for e in episodes])
    found = next((e for e in episodes if e.slug == slug), None)
    if found is None:
        return None
    return page(show.title, found.slug, found.title, cached_report(show, found))


def speech_activity(show: "Show", episode: "Episode") -> "SpeechActivity | None":
    """Who talks when in a multitrack episode (None for one with a master):
    tracks.speech_activity."""
    from podcast.audio.tracks import speech_activity as found

    return found(show, episode)


def clip(show: "Show", episode: "Episode", *, start: float, duration: float,
         out: Path | None = None) -> Path:
    """A promo MP3 of ``duration`` seconds from ``start``, with fades, tagged."""
    from podcast.audio.promo import make_clip

    return make_clip(show, episode, start=start, duration=duration, out=out)


__all__ = ["cached_report", "clip", "process", "producer_page", "publish_media", "report_text",
           "speech_activity"]
