"""Publishing a master as it is: an MP3 that already meets the targets is not
encoded again (a second lossy pass only loses quality).

An imported show's enclosures are usually finished MP3s. One qualifies when
its integrated loudness is within the tolerance of the target (-16 LUFS, or
-19 for mono), its true peak is at or under the ceiling, and it is CBR at
44.1 kHz: Apple's player seeks VBR inaccurately (chapters and transcripts
drift), so a VBR or 48 kHz file is mastered into CBR instead, and the
report says why. The frames are copied untouched into a fresh file with an
Info header (ffmpeg ``-c:a copy``) and no tags; the pipeline then tags it as
it tags every episode.

The checks run cheapest first: the loudness is already measured; the stream
copy takes a second and tells CBR from VBR for certain (ffmpeg writes
``Info`` only when every frame has the same bitrate); the 4x true peak runs
last, on the file that would be published.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

from podcast.audio import ffmpeg
from podcast.audio.cache import PIPELINE_VERSION, Cache, settings_dict
from podcast.audio.filters import OUTPUT_RATE
from podcast.audio.master import target_of
from podcast.audio.measure import Measurement, measure
from podcast.audio.report import (
    AudioReport,
    InputFigures,
    LimiterAction,
    OutputFigures,
)
from podcast.fsutil import atomic_path, sha256_file
from podcast.show.config import AudioSettings, Show
from podcast.show.episodes import Episode

log = logging.getLogger(__name__)


def why_not(ep: Episode, settings: AudioSettings, m: Measurement) -> str | None:
    """Why the master must be mastered rather than published as it is (None: it may
    qualify; the stream and true peak are checked by ``publish_as_is``). The
    episode's own ``settings`` count: an intro or outro has to be mixed in."""
    stream = m.stream
    if ep.master.suffix.lower() != ".mp3" or stream is None or stream.codec != "mp3":
        return "not an MP3"
    stings = [name for name in ("intro", "outro") if getattr(settings, name)]
    if stings:
        return f"the {' and '.join(stings)} must be mixed in"
    target = target_of(settings, stream.channels)
    loudness = m.loudness.integrated
    if not math.isfinite(loudness) or abs(loudness - target) > settings.tolerance:
        return f"{loudness:.1f} LUFS, not {target:.1f} +/- {settings.tolerance}"
    if stream.sample_rate != OUTPUT_RATE:
        return f"{stream.sample_rate} Hz, not 44.1 kHz"
    return None


def publish_as_is(show: Show, ep: Episode, m: Measurement, master_sha: str, audiohash: str,
                  cache: Cache, *, where: str,
                  progress: ffmpeg.ProgressCallback | None = None) -> AudioReport | None:
    """Copy a qualifying MP3 master into the cache and return its report; None (and
    nothing written) when it does not qualify."""
    from podcast.audio.tags import mp3_info

    settings = ep.audio_settings(show)
    reason = why_not(ep, settings, m)
    if reason:
        if reason != "not an MP3":
            log.info("%s: mastered (%s)", where, reason)
        return None
    dest = cache.mp3(audiohash)
    with atomic_path(dest) as tmp:
        ffmpeg.run(ffmpeg.base_args() + [
            "-i", str(Path(ep.master).resolve()), "-map", "0:a:0", "-c:a", "copy",
            "-map_metadata", "-1", "-map_chapters", "-1", "-id3v2_version", "0",
            "-write_id3v1", "0", "-write_xing", "1", "-f", "mp3", str(tmp)], where=where)
        info = mp3_info(tmp)
        if not (info.cbr and info.has_info_header and info.sample_rate == OUTPUT_RATE):
            log.info("%s: mastered (VBR: apps seek VBR MP3s inaccurately, so it becomes CBR)",
                     where)
            return None
        peak = measure(tmp, where=where, peak="true", progress=progress).loudness
        if not peak.true_peak <= settings.true_peak:
            log.info("%s: mastered (true peak %.1f dBTP, over %.1f)", where, peak.true_peak,
                     settings.true_peak)
            return None
        size, sha = tmp.stat().st_size, sha256_file(tmp)
    stream = m.stream
    target = target_of(settings, stream.channels if stream else None)
    report = AudioReport(
        audiohash=audiohash, master=where, master_sha256=master_sha,
        input=InputFigures(**{**m.loudness.as_dict(), "true_peak": peak.true_peak},
                           duration=round(m.duration, 3), codec="mp3",
                           sample_rate=stream.sample_rate if stream else None,
                           channels=stream.channels if stream else None),
        gain=0.0, limiter=LimiterAction(engaged=False),
        output=OutputFigures(**peak.as_dict(), target=target, ceiling=settings.true_peak,
                             duration=round(info.duration, 3), size=size, sha256=sha,
                             bitrate=info.bitrate, sample_rate=info.sample_rate,
                             channels=info.channels, passthrough=True,
                             decoder_delay=info.decoder_delay),
        settings=settings_dict(settings), pipeline=PIPELINE_VERSION, attempts=0)
    cache.save_report(report)
    log.info("%s: already %.1f LUFS, %.1f dBTP, CBR %d kbps: published as it is (re-tagged, "
             "not re-encoded)", where, peak.integrated, peak.true_peak, info.bitrate // 1000)
    return report
