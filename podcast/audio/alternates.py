"""``[audio] alternates``: Opus and AAC beside the MP3 (podcast:alternateEnclosure).

Every alternate comes from the master, never from the MP3 (that would be a
second lossy pass): one ffmpeg run decodes the master once, sends it through
the exact filters the MP3 had (the report's ``chain``: gain, limiter...) and
splits the result into one encoder per format. A master published as it is
(an MP3 that already met the targets) is itself the source, unfiltered.

Each file is decoded and measured again, like the MP3: integrated loudness
within the tolerance of the MP3's target and true peak under the ceiling.
One that misses is encoded once more with the measured error corrected (and
a limiter when the peak was over); a second miss is an error with figures.

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

log = logging.getLogger(__name__)

# Bump when an encoder setting changes: cached alternates are then made again.
ALT_VERSION = "1"
LIMIT_MARGIN = 1.5  # dB under the ceiling for the corrective limiter, as for the MP3


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
    # Opus at 48/32 kbps is transparent for speech at a third of the MP3's size.
    "opus": Format("opus", "opus", "audio/ogg", "opus", "Opus", 48, 32,
                   ("libopus", "-vbr", "on", "-application", "audio", "-ar", "48000",
                    "-f", "ogg")),
    # AAC-LC in MP4 (.m4a): what every Apple device plays natively.
    "aac": Format("aac", "m4a", "audio/mp4", "mp4a.40.2", "AAC", 96, 64,
                  ("aac", "-ar", "44100", "-movflags", "+faststart", "-f", "ipod")),
}


def chain_of(report: AudioReport) -> str:
    """The filters that made the MP3, for the alternates: the report's own record;
    for reports written before it kept one, rebuilt from the gain and limiter."""
    if report.chain or report.output.get("passthrough"):
        return report.chain
    from podcast.audio.master import Plan

    out = report.output
    limit = report.limiter.get("ceiling") if report.limiter.get("engaged") else None
    return Plan(channels=int(out.get("channels") or 2), bitrate=0, target=out["target"],
                ceiling=out["ceiling"], gain=report.gain, limit=limit,
                predicted_peak=0.0).filters()


def _cached(cache: Cache, audiohash: str, fmt: Format) -> Path:
    return cache.audio_dir / f"{audiohash}.alt{ALT_VERSION}.{fmt.ext}"


def _reports_path(cache: Cache, audiohash: str) -> Path:
    return cache.audio_dir / f"{audiohash}.alternates.json"


def encode(source: Path, chain: str, channels: int, formats: list[Format],
           dests: list[Path], *, where: str, extra: str = "") -> None:
    """One decode of ``source`` through ``chain`` (+ ``extra``), split into one
    encoder per format, each writing its ``dests`` file."""
    filters = ",".join(f for f in (chain, extra) if f) or "anull"
    labels = "".join(f"[a{i}]" for i in range(len(formats)))
    argv = ffmpeg.base_args() + ["-i", str(Path(source).resolve()), "-filter_complex",
                                 f"[0:a:0]{filters},asplit={len(formats)}{labels}"]
    for i, (fmt, dest) in enumerate(zip(formats, dests)):
        argv += ["-map", f"[a{i}]", "-map_metadata", "-1", "-map_chapters", "-1",
                 "-ac", str(channels), "-c:a", fmt.args[0], "-b:a", f"{fmt.kbps(channels)}k",
                 *fmt.args[1:], str(dest)]
    ffmpeg.run(argv, where=where)


def _check(loud: Loudness, target: float, ceiling: float, tolerance: float) -> str | None:
    if abs(loud.integrated - target) > tolerance:
        return f"{loud.integrated:.1f} LUFS, not {target:.1f} +/- {tolerance}"
    if not loud.true_peak <= ceiling:
        return f"true peak {loud.true_peak:.1f} dBTP, over {ceiling:.1f}"
    return None


def make(show: Show, ep: Episode, report: AudioReport, cache: Cache,
         formats: list[Format]) -> dict[str, dict]:
    """Encode and verify ``formats`` into the cache; their records by format name."""
    where = show.where(ep.master)
    out = report.output
    channels = int(out.get("channels") or 2)
    target, ceiling = float(out["target"]), float(out["ceiling"])
    chain = chain_of(report)
    records: dict[str, dict] = {}
    todo, extra = list(formats), ""
    for attempt in (1, 2):
        dests = [_cached(cache, report.audiohash, f) for f in todo]
        with contextlib.ExitStack() as stack:
            tmps = [stack.enter_context(staged(d.parent, d.suffix)) for d in dests]
            encode(ep.master, chain, channels, todo, tmps, where=f"{where} (alternates)",
                   extra=extra)
            with ThreadPoolExecutor(len(todo)) as pool:
                measured = list(pool.map(lambda t: measure(t, where=f"{where} ({t.suffix})",
                                                           peak="true").loudness, tmps))
            misses = []
            for fmt, tmp, dest, loud in zip(todo, tmps, dests, measured):
                problem = _check(loud, target, ceiling, show.audio.tolerance)
                if problem:
                    misses.append((fmt, loud, problem))
                    continue
                os.replace(tmp, dest)
                records[fmt.name] = {
                    "size": dest.stat().st_size, "sha256": sha256_file(dest),
                    "integrity": sri(dest), "bitrate": fmt.kbps(channels) * 1000,
                    "integrated": round(loud.integrated, 2),
                    "true_peak": round(loud.true_peak, 2), "attempts": attempt}
        if not misses:
            break
        if attempt == 2:
            detail = "; ".join(f"{f.name}: {p}" for f, _, p in misses)
            raise AudioError(where, f"the alternates missed the targets twice ({detail})",
                             "Remove the format from [audio] alternates, or check the master")
        # Correct by the measured error (the mean over the misses: one run serves all).
        todo = [f for f, _, _ in misses]
        error = sum(target - loud.integrated for _, loud, _ in misses) / len(misses)
        extra = f"volume={error:.2f}dB:precision=float"
        if any(not loud.true_peak <= ceiling for _, loud, _ in misses):
            limit = 10 ** ((ceiling - LIMIT_MARGIN) / 20)
            extra += (f",alimiter=limit={limit:.6f}:attack=5:release=100:level=disabled"
                      ":latency=enabled:asc=disabled")
        log.info("%s: %s missed the targets (%s); correcting", where,
                 ", ".join(f.name for f in todo), "; ".join(p for _, _, p in misses))
    return records


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
            integrity=rec["integrity"],
            report={"integrated": rec["integrated"], "true_peak": rec["true_peak"]}))
    return replace(result, media=replace(result.media, alternates=tuple(alternates)))
