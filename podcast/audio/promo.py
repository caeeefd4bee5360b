"""`podcast clip`: a short promo MP3 for social posts, with fades, tagged.

ffmpeg cuts just the span out of the master, with the cuts the episode's edit
list makes inside it (and measures it in the same pass), so pydub - which holds whole files in memory - only ever sees a few
seconds. The clip is brought to the show's loudness target, its gain capped
so peaks stay under the ceiling, faded in and out, encoded like the episodes
and tagged from the episode.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
import tempfile
from pathlib import Path

from podcast.audio import ffmpeg
from podcast.audio.measure import EBUR128, summary_of
from podcast.errors import AudioError
from podcast.fsutil import atomic_path
from podcast.show.config import Show
from podcast.show.episodes import Episode

log = logging.getLogger(__name__)

MAX_SECONDS = 300.0
FADE_IN_MS = 500
FADE_OUT_MS = 1500
PEAK_HEADROOM = 1.0  # dB below the ceiling: pydub has no limiter, so the gain is capped


def default_path(show: Show, episode: Episode, start: float, duration: float) -> Path:
    return show.root / "clips" / f"{episode.slug}-{int(start)}s-{int(duration)}s.mp3"


@dataclass(frozen=True)
class ClipSource:
    """Where a clip's audio comes from: ``path``, from ``start`` (its own seconds)."""

    where: str  # how messages name the clip
    path: Path
    start: float


def check_span(show: Show, episode: Episode, start: float, duration: float) -> ClipSource:
    """Refuse a span that is not inside the audio (MP3 and video clips alike); return
    where the clip's audio is. A master is cut as it is; a multitrack episode's
    tracks are microphones, not a mix, so its clips are cut from its processed mix
    (the cached MP3 before tagging), at the span's place in it."""
    from podcast.show.lfs import episode_files, require_audio
    from podcast.show.probe import probe

    where = f"{episode.slug} clip"
    if start < 0 or not 0 < duration <= MAX_SECONDS:
        raise AudioError(where, f"--start {start:g} --duration {duration:g} is not a span of up "
                         f"to {MAX_SECONDS:g}s", "Give a start >= 0 and a duration in seconds")
    for file in episode_files(episode):
        require_audio(file, show.where(file))
    path, at = episode.master, start
    if episode.tracks:
        path, at = _mix(show, episode, start, where)
    length = probe(path).duration
    if at + duration > length + 0.05:
        raise AudioError(where, f"{start:g}s + {duration:g}s ends past the end of the audio "
                         f"({length:.1f}s)", "Choose an earlier start or a shorter clip")
    return ClipSource(where, path, at)


def _mix(show: Show, episode: Episode, start: float, where: str) -> tuple[Path, float]:
    from podcast.audio.cache import Cache
    from podcast.audio.deliver import timeline_of
    from podcast.audio.identity import cached_report

    report = cached_report(show, episode)  # its edit list's cuts included
    if report is None:
        raise AudioError(where, "is from a multitrack episode whose tracks are not processed "
                         "with their current settings", f"Run `podcast process "
                         f"{episode.slug}` first: its clips are cut from the mix")
    return Cache(show).mp3(report.audiohash), timeline_of(report).to_published(start)


def span_edit(show: Show, episode: Episode, start: float, duration: float,
              rate: int) -> tuple[str, float]:
    """The edit list's cuts inside the span as filters (with a trailing comma; "" for
    none), and the clip's length after them: a clip sounds as the episode does."""
    from podcast.audio.cuts import edit_filters
    from podcast.audio.cutting import episode_cuts, within

    if episode.tracks:  # its clips come from the processed mix, cut already
        return "", duration
    cuts = within(episode_cuts(show, episode), start, duration)
    length = duration - sum(c.end - c.start for c in cuts)
    if length < 1.0:
        raise AudioError(f"{episode.slug} clip", f"cuts.json takes {duration - length:.1f} s "
                         f"of these {duration:g} s out", "Choose a span the cuts leave")
    edit = edit_filters(cuts, rate, duration=duration, label="clip")
    return (edit + "," if edit else ""), length


def make_clip(show: Show, episode: Episode, *, start: float, duration: float,
              out: Path | None = None) -> Path:
    """Write the clip to ``out`` (default ``clips/<slug>-<start>s-<duration>s.mp3``)."""
    from pydub import AudioSegment

    from podcast.audio import master as mastering
    from podcast.audio.tags import mp3_info, tag_set, write_tags

    source = check_span(show, episode, start, duration)
    where = source.where
    out = Path(out) if out else default_path(show, episode, start, duration)
    if out.suffix.lower() != ".mp3":
        raise AudioError(str(out), "is not an .mp3 path", "Name the clip something.mp3")
    AudioSegment.converter = ffmpeg.find_ffmpeg()
    edit, _ = span_edit(show, episode, start, duration, mastering.OUTPUT_RATE)

    with tempfile.TemporaryDirectory(prefix="podcast-clip-") as tmpdir:
        span = Path(tmpdir) / "span.wav"
        argv = ffmpeg.base_args() + [
            "-ss", f"{source.start:.3f}", "-t", f"{duration:.3f}", "-i", str(source.path),
            "-filter_complex", f"[0:a:0]aresample={mastering.OUTPUT_RATE},{edit}asplit[out][m];"
                               f"[m]{EBUR128},anullsink",
            "-map", "[out]", "-c:a", "pcm_s16le", str(span)]
        result = ffmpeg.run(argv, where=str(source.path))
        loud = summary_of(result, where, "Parsed_ebur128_")
        segment = AudioSegment.from_wav(str(span))
        mono = segment.channels == 1
        target = show.audio.loudness + (mastering.MONO_OFFSET if mono else 0.0)
        gain = target - loud.integrated + mastering.cbr_loss(show.audio.bitrate)
        gain = min(gain, show.audio.true_peak - PEAK_HEADROOM - loud.true_peak)
        segment = segment.apply_gain(gain)
        edge = int(len(segment) / 4)
        segment = segment.fade_in(min(FADE_IN_MS, edge)).fade_out(min(FADE_OUT_MS, edge))
        faded = Path(tmpdir) / "faded.wav"
        segment.export(str(faded), format="wav")
        bitrate = show.audio.mono_bitrate if mono else show.audio.bitrate
        with atomic_path(out) as tmp:
            ffmpeg.run(ffmpeg.base_args() + [
                "-i", str(faded), "-map_metadata", "-1", "-c:a", "libmp3lame",
                "-b:a", f"{bitrate}k", "-id3v2_version", "0", str(tmp)], where=str(out))
            info = mp3_info(tmp)
            tags = dataclasses.replace(tag_set(show, episode, info.duration),
                                       title=f"{episode.title} (clip)", chapters=())
            write_tags(tmp, tags)
    log.info("clip %s: %.1fs from %.1fs, gain %+.1f dB", out, duration, start, gain)
    return out
