"""The cached MP3, tagged, at its media key in the output; re-tagged only when needed.

The key holds a hash of the tagged file's bytes, so a re-tag (an edited title)
is a new file under a new key: the bytes behind a published URL never change.
A no-op build decides "unchanged" from small records only: the episode's
record (``.cache/episodes/<slug>.json``), the tags' digest (which names
pictures by their source's hash and never encodes them) and the output file's
size, mtime and inode.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

from podcast import model
from podcast.audio.cache import Cache, EpisodeRecord
from podcast.audio.report import AudioReport
from podcast.errors import AudioError
from podcast.fsutil import sha256_file, staged
from podcast.model import Media, Timeline
from podcast.show.config import Show
from podcast.show.episodes import Episode, past_the_end


@dataclass(frozen=True)
class ProcessResult:
    """One episode's outcome: ``action`` is encoded, as is, retagged or unchanged."""

    slug: str
    action: str
    media: Media
    report: AudioReport


def check_chapters(show: Show, ep: Episode, duration: float) -> None:
    """Every chapter must start inside the audio (checked on each encode and re-tag)."""
    for i, problem in past_the_end(ep.chapters, duration):
        raise AudioError(show.where(ep.source), f"chapters[{i + 1}].start: {problem}",
                         "Fix the time or the master")


def timeline_of(report: AudioReport) -> Timeline:
    """Where the master plays in the MP3 this report describes (offset and cuts)."""
    return report.timeline


def decoder_delay(report: AudioReport, cache: Cache) -> float:
    """Seconds a decoder drops at the start of the MP3 (tags.chapter_ms); read from
    the cached file for a report written before it was recorded."""
    samples = report.output.decoder_delay
    if samples is None:
        from podcast.audio.tags import mp3_info
        samples = mp3_info(cache.mp3(report.audiohash)).decoder_delay
    return samples / report.output.sample_rate


def episode_tags(show: Show, ep: Episode, report: AudioReport, cache: Cache):
    """The tags (a TagSet) of ``ep``'s MP3 made as ``report`` says; its chapters are
    first checked against the audio."""
    from podcast.audio.tags import tag_set

    check_chapters(show, ep, report.input.duration or report.duration)
    return tag_set(show, ep, report.duration, timeline=timeline_of(report),
                   decoder_delay=decoder_delay(report, cache))


def publish_episode(show: Show, ep: Episode, report: AudioReport, out_dir: Path, cache: Cache,
                    *, force: bool, encoded: bool) -> ProcessResult:
    """Put the tagged MP3 at ``out_dir/<media key>``, re-tagging only when needed."""
    from podcast.audio.tags import write_tags

    report = _with_decoder_delay(report, cache)
    tags = episode_tags(show, ep, report, cache)
    digest = tags.digest()
    rec = cache.record(ep.slug)
    if (not force and not encoded and rec and rec.audiohash == report.audiohash
            and rec.tag_digest == digest and model.audio_identity(rec.key) is not None
            and _matches(out_dir / rec.key, rec)):
        dest = out_dir / rec.key
        if rec.stamp != _stamp(dest):  # same content, touched (or an older record): remember
            rec = replace(rec, stamp=_stamp(dest))
            cache.save_record(ep.slug, rec)
        return ProcessResult(ep.slug, "unchanged", _media(rec.key, dest, rec, report), report)
    with staged(out_dir / "media", ".mp3") as tmp:
        shutil.copyfile(cache.mp3(report.audiohash), tmp)
        write_tags(tmp, tags)
        size, sha = tmp.stat().st_size, sha256_file(tmp)
        key = model.media_key(ep, report.audiohash, sha)
        dest = out_dir / key
        os.replace(tmp, dest)
    rec = EpisodeRecord(report.audiohash, digest, key, size, sha, report.duration,
                        stamp=_stamp(dest))
    cache.save_record(ep.slug, rec)
    action = "retagged" if not encoded else "as is" if report.output.passthrough else "encoded"
    return ProcessResult(ep.slug, action, _media(key, dest, rec, report), report)


def _with_decoder_delay(report: AudioReport, cache: Cache) -> AudioReport:
    """``report`` with the decoder delay filled in (a report written before it was
    recorded): a build record carries it, for machines without the MP3."""
    if report.output.decoder_delay is not None:
        return report
    from podcast.audio.tags import mp3_info

    samples = mp3_info(cache.mp3(report.audiohash)).decoder_delay
    return replace(report, output=replace(report.output, decoder_delay=samples))


def _stamp(path: Path) -> tuple[int, ...]:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def _matches(path: Path, rec: EpisodeRecord) -> bool:
    """Is ``path`` still the file ``rec`` describes? Untouched since written (same
    size, mtime and inode): yes without reading it; otherwise compare content."""
    try:
        stamp = _stamp(path)
        if rec.stamp and stamp == rec.stamp:
            return True
        return stamp[0] == rec.size and sha256_file(path) == rec.sha256
    except OSError:
        return False


def _media(key: str, path: Path, rec: EpisodeRecord, report: AudioReport) -> Media:
    return Media(key=key, path=path, size=rec.size, duration=rec.duration, sha256=rec.sha256,
                 report=report, timeline=timeline_of(report), tags=rec.tag_digest)
