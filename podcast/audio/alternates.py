"""``[audio] alternates``: Opus and AAC beside the MP3 (podcast:alternateEnclosure).

Every alternate comes from the master, never from the MP3 (that would be a
second lossy pass): the render that made the MP3 (the report's ``render``:
speech chain, intro and outro, gain, limiter) runs again into one ffmpeg that
splits it into one encoder per format. A master published as it is
(an MP3 that already met the targets) is itself the source, unfiltered.

Each file is decoded and measured again, like the MP3: integrated loudness
within the tolerance of the MP3's target and true peak under the ceiling.
One that misses is encoded again on its own with the measured error
corrected (gain, and a limiter lowered by the overshoot when the peak was
over), up to three attempts; then it is an error with the figures.

Alternates are cached by audio hash and format (``.cache/audio/``) and
published content-addressed, ``media/<slug>-<audio12>-<bytes8>.<ext>``,
with their SRI hash (``sha384-``) for podcast:integrity. They carry no tags:
apps take titles and art from the feed.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from podcast import model
from podcast.audio import ffmpeg
from podcast.audio.cache import AudioReport, Cache
from podcast.audio.measure import Loudness, measure
from podcast.errors import AudioError
from podcast.fsutil import atomic_write_text, sha256_file, sri, staged
from podcast.show.config import Show
from podcast.show.episodes import Episode
from podcast.show.lfs import episode_files, require_audio

log = logging.getLogger(__name__)

# Bump when an encoder setting changes: cached alternates are then made again.
ALT_VERSION = "2"  # 2: from the speech chain's render
LIMIT_MARGIN = 1.5  # dB under the ceiling for the corrective limiter, as for the MP3
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Format:
    name: str
    ext: str
    mime: str  # Content-Type and the feed's type (RFC 7845: Opus files are audio/ogg)
    codecs: str  # RFC 6381
    title: str
    stereo_kbps: int
    mono_kbps: int
    args: tuple[str, ...]  # encoder and muxer options after -c:a

    def kbps(self, channels: int) -> int:
        return self.mono_kbps if channels == 1 else self.stereo_kbps


FORMATS = {
    # Opus at 64/48 kbps, constrained VBR (plain VBR ran to 120 kbps on harmonic-rich
    # material): half the MP3's size. At 48 kbps stereo its decoded peaks were
    # measured 2.7 dB over the input on harmonic-rich material; at 64, 0.7 (the retry
    # loop below absorbs that).
    "opus": Format("opus", "opus", "audio/ogg", "opus", "Opus", 64, 48,
                   ("libopus", "-vbr", "constrained", "-application", "audio", "-ar", "48000",
                    "-f", "ogg")),
    # AAC-LC in MP4 (.m4a): what every Apple device plays natively.
    "aac": Format("aac", "m4a", "audio/mp4", "mp4a.40.2", "AAC", 96, 64,
                  ("aac", "-ar", "44100", "-movflags", "+faststart", "-f", "ipod")),
}


def render_of(report: AudioReport):
    """The render that made the MP3 (chain.Render), or None for a master published as
    it is: that MP3 is then the alternates' source, unfiltered."""
    if report.output.passthrough:
        return None
    return report.render


def _cached(cache: Cache, audiohash: str, fmt: Format) -> Path:
    return cache.audio_dir / f"{audiohash}.alt{ALT_VERSION}.{fmt.ext}"


def _reports_path(cache: Cache, audiohash: str) -> Path:
    return cache.audio_dir / f"{audiohash}.alternates.json"


def encode(root: Path, source: Path, render, channels: int, formats: list[Format],
           dests: list[Path], *, where: str, extra: str = "") -> None:
    """The audio the MP3 was made of, split into one encoder per format, each writing
    its ``dests`` file: the same render (speech chain, intro, outro, gain, limiter)
    streamed into this run's encoders, or ``source`` itself when there is no render.
    ``extra``: a correction after it."""
    from podcast.audio.processes import ProcessGroup, pcm_input, start_render, tail

    labels = "".join(f"[a{i}]" for i in range(len(formats)))
    outputs: list[str] = []
    for i, (fmt, dest) in enumerate(zip(formats, dests)):
        outputs += ["-map", f"[a{i}]", "-map_metadata", "-1", "-map_chapters", "-1",
                    "-ac", str(channels), "-c:a", fmt.args[0], "-b:a",
                    f"{fmt.kbps(channels)}k", *fmt.args[1:], str(dest)]
    if render is None:
        graph = f"[0:a:0]{extra or 'anull'},asplit={len(formats)}{labels}"
        ffmpeg.run(ffmpeg.base_args() + ["-i", str(Path(source).resolve()),
                                         "-filter_complex", graph] + outputs, where=where)
        return
    graph = f"[0:a:0]{tail(render, extra)},asplit={len(formats)}{labels}"
    group = ProcessGroup()
    pcm = start_render(group, render, root, where=where)
    try:
        group.add(ffmpeg.Process(ffmpeg.base_args() + pcm_input(render) + [
            "-filter_complex", graph] + outputs, where=where, stdin=pcm))
    finally:
        os.close(pcm)
    group.wait()


def _check(loud: Loudness, target: float, ceiling: float, tolerance: float) -> str | None:
    if abs(loud.integrated - target) > tolerance:
        return f"{loud.integrated:.1f} LUFS, not {target:.1f} +/- {tolerance}"
    if not loud.true_peak <= ceiling:
        return f"true peak {loud.true_peak:.1f} dBTP, over {ceiling:.1f}"
    return None


def _extra(fix: dict) -> str:
    """The correction after the chain: a gain, and a limiter once a peak was over."""
    extra = f"volume={fix['gain']:.2f}dB:precision=float" if fix["gain"] else ""
    if fix["limit"] is not None:
        from podcast.audio.filters import limiter
        extra += ("," if extra else "") + limiter(fix["limit"])
    return extra


def make(show: Show, ep: Episode, report: AudioReport, cache: Cache,
         formats: list[Format]) -> dict[str, dict]:
    """Encode and verify ``formats`` into the cache; their records by format name.

    All formats come from one decode. A format that misses is encoded again on
    its own, corrected by what was measured: the loudness error as gain, and a
    peak over the ceiling as a limiter lowered by the overshoot (low-bitrate
    codecs overshoot: see FORMATS).
    """
    where = show.where(ep.master or ep.source)
    for path in episode_files(ep):
        require_audio(path, show.where(path))
    out = report.output
    channels = out.channels or 2
    target, ceiling = out.target, out.ceiling
    render = render_of(report)
    records: dict[str, dict] = {}
    fixes = {f.name: {"gain": 0.0, "limit": None} for f in formats}
    todo = list(formats)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        runs = [todo] if attempt == 1 else [[f] for f in todo]
        misses = []
        for group in runs:
            dests = [_cached(cache, report.audiohash, f) for f in group]
            with contextlib.ExitStack() as stack:
                tmps = [stack.enter_context(staged(d.parent, d.suffix)) for d in dests]
                encode(show.root, ep.master, render, channels, group, tmps,
                       where=f"{where} (alternates)",
                       extra=_extra(fixes[group[0].name]) if attempt > 1 else "")
                with ThreadPoolExecutor(len(group)) as pool:
                    measured = list(pool.map(
                        lambda t: measure(t, where=f"{where} ({t.suffix})", peak="true").loudness,
                        tmps))
                for fmt, tmp, dest, loud in zip(group, tmps, dests, measured):
                    problem = _check(loud, target, ceiling, show.audio.tolerance)
                    if problem:
                        misses.append((fmt, loud, problem))
                        continue
                    os.replace(tmp, dest)
                    records[fmt.name] = {
                        "size": dest.stat().st_size, "sha256": sha256_file(dest),
                        "integrity": sri(dest), "bitrate": fmt.kbps(channels) * 1000,
                        "integrated": round(loud.integrated, 2),
                        "true_peak": round(loud.true_peak, 2), "attempts": attempt,
                        "correction": _extra(fixes[fmt.name]) if attempt > 1 else ""}
        if not misses:
            break
        if attempt == MAX_ATTEMPTS:
            detail = "; ".join(f"{f.name}: {p}" for f, _, p in misses)
            raise AudioError(where, f"the alternates missed the targets after {attempt} "
                             f"attempts ({detail})",
                             "Remove the format from [audio] alternates, or check the master")
        for fmt, loud, problem in misses:
            fix = fixes[fmt.name]
            fix["gain"] = round(fix["gain"] + target - loud.integrated, 2)
            if not loud.true_peak <= ceiling:
                start = fix["limit"] if fix["limit"] is not None else ceiling - LIMIT_MARGIN
                fix["limit"] = round(start - (loud.true_peak - ceiling) - 0.3, 2)
            log.info("%s: %s missed the targets (%s); correcting with %s", where, fmt.name,
                     problem, _extra(fix))
        todo = [f for f, _, _ in misses]
    return records


def cached(cache: Cache, audiohash: str, names: tuple[str, ...] | list[str]) -> bool:
    """Whether every format of ``names`` is in the cache for this audio."""
    if not names:
        return True
    try:
        records = json.loads(_reports_path(cache, audiohash).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return records.get("version") == ALT_VERSION and all(
        name in records and _cached(cache, audiohash, FORMATS[name]).is_file()
        for name in names)


def publish_alternates(show: Show, ep: Episode, result, out_dir: Path, cache: Cache, *,
                       force: bool = False):
    """``result`` (a pipeline ProcessResult) with its media's alternates: made when
    missing from the cache, copied into ``out_dir`` under content-addressed keys."""
    report: AudioReport = result.report
    formats = [FORMATS[name] for name in show.audio.alternates]
    path = _reports_path(cache, report.audiohash)
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        records = {}
    if records.get("version") != ALT_VERSION or force:
        records = {"version": ALT_VERSION}
    missing = [f for f in formats if f.name not in records
               or not _cached(cache, report.audiohash, f).is_file()
               or _cached(cache, report.audiohash, f).stat().st_size != records[f.name]["size"]]
    if missing:
        records.update(make(show, ep, report, cache, missing))
        atomic_write_text(path, json.dumps(records, indent=1, sort_keys=True))
    alternates = []
    for fmt in formats:
        rec = records[fmt.name]
        key = model.media_key(ep, report.audiohash, rec["sha256"], fmt.ext)
        dest = out_dir / key
        if not (dest.is_file() and dest.stat().st_size == rec["size"]):
            with staged(out_dir / "media", "." + fmt.ext) as tmp:
                shutil.copyfile(_cached(cache, report.audiohash, fmt), tmp)
                os.replace(tmp, dest)
        alternates.append(model.Alternate(
            key=key, path=dest, size=rec["size"], mime=fmt.mime, codecs=fmt.codecs,
            bitrate=rec["bitrate"], title=f"{fmt.title} {rec['bitrate'] // 1000} kbps",
            integrity=rec["integrity"], sha256=rec["sha256"],
            report={"integrated": rec["integrated"], "true_peak": rec["true_peak"]}))
    return replace(result, media=replace(result.media, alternates=tuple(alternates)))
