"""Publishing from the bucket's build records: no encode where another machine encoded.

A publish hands the audio step the bucket's records as a plain value (build.py
asks publish/records.py for them; this module only calls ``any_media``,
``media`` and ``download`` on it). Per episode, before the local cache:

1. a record of the same audio (``audiohash``) gives its report, hence the tags
   this episode's MP3 gets now (their digest);
2. a record of that audio with those tags: its object is the episode's media as
   it is: no encode, no download, the same URL (``Media.path`` is None);
3. a record of that audio with other tags (a retitle on a machine without the
   master): its MP3 is downloaded and its ID3 tag cut off, which leaves the
   untagged MP3 byte for byte (checked against the report's sha256); that goes
   into the local cache and is tagged as any cached MP3 is: frames untouched,
   one new key;
4. no record: None, and the pipeline uses the local cache or encodes.

The bucket's audio wins over a local cache of the same audio hash: machines
with different ffmpeg builds would otherwise take turns publishing their own
bytes under new URLs. A record that cannot be trusted is reported (one line
per episode) and the episode rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import replace
from pathlib import Path

from podcast.audio.cache import Cache
from podcast.audio.identity import audio_hashes
from podcast.audio.deliver import ProcessResult, episode_tags, publish_episode
from podcast.audio.report import AudioReport, ReportFormatError, from_dict
from podcast.errors import RecordError
from podcast.fsutil import CHUNK, atomic_path, staged
from podcast.model import Media, MediaRecord
from podcast.show.config import Show
from podcast.show.episodes import Episode

log = logging.getLogger(__name__)

IN_BUCKET = "in the bucket"  # ProcessResult.action of media published as its record says


def reuse(show: Show, ep: Episode, audiohash: str, records, cache: Cache,
          out_dir: Path) -> ProcessResult | None:
    """``ep``'s media from the bucket's records (``records``: publish.records.Records),
    or None when the pipeline must make it here."""
    try:
        source = records.any_media(audiohash)
        if source is None:
            return None
        report = _report(source)
    except RecordError as exc:
        log.warning("%s: %s: rebuilding it", ep.slug, exc)
        return None
    digest = episode_tags(show, ep, report, cache).digest()
    try:
        exact = source if source.tagdigest == digest else records.media(audiohash, digest)
    except RecordError as exc:
        log.warning("%s: %s: re-tagging %s instead", ep.slug, exc, source.key)
        exact = None
    if exact is not None:
        media = Media(key=exact.key, path=None, size=exact.size, duration=exact.duration,
                      sha256=exact.sha256, report=report, timeline=exact.timeline, tags=digest)
        result = ProcessResult(ep.slug, IN_BUCKET, media, report)
    else:
        try:
            _untagged_into_cache(records, source, report, cache)
        except RecordError as exc:
            log.warning("%s: %s: rebuilding it", ep.slug, exc)
            return None
        result = publish_episode(show, ep, report, out_dir, cache, force=False, encoded=False)
        log.info("%s: re-tagged the published audio (%s), not encoded", ep.slug, source.key)
    return _with_alternates(show, ep, result, source, out_dir, cache)


def _report(rec: MediaRecord) -> AudioReport:
    try:
        report = from_dict(rec.report)
    except (ReportFormatError, TypeError, ValueError) as exc:
        raise RecordError(f"the record of {rec.key}", f"has a report this version cannot read "
                          f"({exc})") from None
    if report.audiohash != rec.audiohash or report.output.decoder_delay is None:
        raise RecordError(f"the record of {rec.key}", "has a report of other audio")
    return report


def _untagged_into_cache(records, source: MediaRecord, report: AudioReport,
                         cache: Cache) -> None:
    """The untagged MP3 of ``report`` in the local cache, cut from ``source``'s
    object unless the cache holds exactly those frames already."""
    from podcast.audio.tags import _audio_start

    have = cache.report(report.audiohash)
    if have is not None and have.output.sha256 == report.output.sha256:
        return
    with staged(cache.audio_dir, ".mp3") as tagged:
        records.download(source, tagged)
        with atomic_path(cache.mp3(report.audiohash)) as tmp:
            digest = hashlib.sha256()
            with open(tagged, "rb") as src, open(tmp, "wb") as dst:
                src.seek(_audio_start(src.read(10)))
                while block := src.read(CHUNK):
                    digest.update(block)
                    dst.write(block)
            if digest.hexdigest() != report.output.sha256:
                raise RecordError(source.key, "holds other audio frames than its record's "
                                  "report describes")
    cache.save_report(report)
    log.debug("%s: untagged MP3 from the bucket, %d bytes", report.audiohash[:12],
              os.path.getsize(cache.mp3(report.audiohash)))


def _with_alternates(show: Show, ep: Episode, result: ProcessResult, source: MediaRecord,
                     out_dir: Path, cache: Cache) -> ProcessResult:
    """The record's alternates (they carry no tags: any record of the audio has
    them), or, when it lacks a format now configured, the alternates made here."""
    names = show.audio.alternates
    if not names:
        return result
    from podcast.audio.alternates import FORMATS, publish_alternates

    by_ext = {Path(a.key).suffix: a for a in source.alternates}
    found = [by_ext.get("." + FORMATS[name].ext) for name in names]
    if _covers(source, names):
        return replace(result, media=replace(result.media, alternates=tuple(found)))
    return publish_alternates(show, ep, result, out_dir, cache)


def needs_audio(show: Show, episodes: list[Episode], records) -> list[Path]:
    """The audio files that publishing ``episodes`` must read on this machine: those
    of each episode that neither the bucket's records nor the local cache cover
    (MP3 and alternates), with the intro and outro it plays."""
    from podcast.audio.alternates import cached
    from podcast.show.lfs import episode_files

    cache = Cache(show)
    names = show.audio.alternates
    _, hashes, _ = audio_hashes(show, cache, episodes, os.cpu_count() or 1)
    records.prefetch(hashes)
    needed: list[Path] = []
    for ep, audiohash in zip(episodes, hashes):
        try:
            rec = records.any_media(audiohash)
        except RecordError:
            rec = None
        if rec is not None and _covers(rec, names):
            continue
        if cache.report(audiohash) is not None and cached(cache, audiohash, names):
            continue
        settings = ep.audio_settings(show)
        needed += episode_files(ep)
        needed += [show.sting(getattr(settings, s)) for s in ("intro", "outro")
                   if getattr(settings, s)]
    return needed


def _covers(rec: MediaRecord, names) -> bool:
    from podcast.audio.alternates import FORMATS

    have = {Path(a.key).suffix for a in rec.alternates}
    return all("." + FORMATS[name].ext in have for name in names)
