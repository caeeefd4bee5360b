"""``podcast process``: masters -> verified, tagged MP3s, cached and in parallel.

Per episode: hash the master (memoised) -> on a cache miss measure, check,
encode and verify into ``.cache/audio/`` -> copy into the output and tag it,
unless the tagged file there is already what the tags and audio say it
should be. Nothing is written for a master that fails its checks.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from podcast import model
from podcast.audio.cache import (
    AudioReport,
    Cache,
    EpisodeRecord,
    episode_hash,
    settings_dict,
)
from podcast.errors import AudioError, PodcastError
from podcast.fsutil import atomic_path, sha256_file, staged
from podcast.model import Media
from podcast.show.config import Show
from podcast.show.episodes import Episode
from podcast.show.formats import audio_problem

log = logging.getLogger(__name__)

TRUNCATION_SLACK = 0.5  # seconds the decoded audio may fall short of the header's length


@dataclass(frozen=True)
class ProcessResult:
    """One episode's outcome: ``action`` is encoded, retagged or unchanged."""

    slug: str
    action: str
    media: Media
    report: AudioReport


# ---- progress -------------------------------------------------------------------

class RunProgress:
    """One bar for the run, in seconds of audio decoded; shows episode, phase and speed."""

    def __init__(self, bar, lock: threading.Lock):
        self.bar = bar
        self.lock = lock

    def callback(self, slug: str, phase: str, budget: float) -> Callable:
        """A ffmpeg progress callback that advances the bar by at most ``budget`` seconds."""
        state = {"done": 0.0}

        def update(seconds: float, speed: float | None) -> None:
            seconds = min(seconds, budget)
            step = seconds - state["done"]
            if step <= 0:
                return
            state["done"] = seconds
            label = f"{slug} {phase}" + (f" {speed:.0f}x" if speed else "")
            with self.lock:
                self.bar.update(int(step * 1000), label)
        return update


# ---- one episode ------------------------------------------------------------------

def analysis_of(show: Show, ep: Episode, master_sha: str, settings, cache: Cache, *,
                where: str, progress=None):
    """The measuring pass over the master, from the cache when it was made before
    (by master content and the options it depends on: a new intro never re-measures),
    and the name it is kept under (saved once the master passed its checks)."""
    from podcast.audio.analysis import ANALYSIS_VERSION, Analysis, analyse

    name = (f"analysis-{master_sha[:32]}-v{ANALYSIS_VERSION}"
            f"-hp{settings.highpass}-l{int(settings.leveler)}")
    data = cache.measured(name)
    if data:
        try:
            return Analysis.from_dict(data), name
        except TypeError:
            pass
    return analyse(ep.master, where=where, highpass=settings.highpass,
                   leveler=settings.leveler, progress=progress), name


def sting_of(show: Show, cache: Cache, name: str | None, target: float, bitrate: int,
             channels: int | None):
    """An intro or outro measured (cached by content) and matched to ``target``. A
    stereo sting before a mono master is measured after the chain's downmix: what
    that takes off depends on how alike its channels are (nothing for dual mono,
    3 dB for unrelated channels)."""
    from podcast.audio import chain
    from podcast.audio.master import cbr_loss
    from podcast.audio.measure import measure

    path = show.sting(name)
    if path is None:
        return None
    where = show.where(path)
    if not path.is_file():
        raise AudioError(where, "does not exist", "Fix [audio] intro/outro or the episode's "
                         "audio: override")
    sha = cache.master_sha(path)
    mono = channels == 1
    name = f"sting-{sha[:32]}" + ("-mono" if mono else "")
    data = cache.measured(name)
    if not data:
        m = measure(path, where=where, peak="sample",
                    before=chain.downmix_to(1) if mono else "")
        if not m.loudness.integrated > -70 or m.duration < 0.5:
            raise AudioError(where, "is silent or shorter than half a second",
                             "Export the intro/outro again")
        data = {"integrated": m.loudness.integrated, "duration": m.duration}
        cache.save_measured(name, data)
    return chain.Sting(show.where(path),
                       round(target + cbr_loss(bitrate) - data["integrated"], 3),
                       data["duration"])


def encode_episode(show: Show, ep: Episode, master_sha: str, audiohash: str, cache: Cache,
                   progress: RunProgress | None) -> AudioReport:
    """Measure, check, encode and verify one master into the cache; return its report."""
    from podcast.audio import master as mastering
    from podcast.audio.passthrough import publish_as_is
    from podcast.audio.report import speech_figures
    from podcast.audio.tags import mp3_info
    from podcast.show.probe import probe

    where = show.where(ep.master)
    if audio_problem(ep.master):
        raise AudioError(where, *audio_problem(ep.master))
    settings = ep.audio_settings(show)
    budget = probe(ep.master, where).duration  # an implausible header fails here, as in check
    cb = (lambda phase: progress.callback(ep.slug, phase, budget)) if progress else (
        lambda phase: None)
    started = time.monotonic()
    if ep.master.suffix.lower() == ".mp3":
        # An MP3 already on target is published as it is: no speech chain, no second
        # lossy pass. A cheap loudness pass decides it first.
        from podcast.audio.measure import measure
        m = measure(ep.master, where=where, peak="sample", progress=cb("measuring"))
        check_chapters(show, ep, m.duration)
        as_is = publish_as_is(show, ep, m, master_sha, audiohash, cache, where=where,
                              progress=cb("checking"))
        if as_is is not None:
            return as_is
    if settings.denoise == "strong":
        from podcast.audio.dfn import require
        require(show.where(ep.source) + " (denoise)" if dict(ep.audio).get("denoise")
                else "podcast.toml [audio] denoise")
    a, name = analysis_of(show, ep, master_sha, settings, cache, where=where,
                          progress=cb("measuring"))
    mastering.check_master(a, where)
    if budget and a.duration < budget - TRUNCATION_SLACK:  # a header that still lied
        raise AudioError(where, f"is truncated: its header says {budget:.1f}s but only "
                         f"{a.duration:.1f}s of audio could be decoded",
                         "Export or copy the master again")
    check_chapters(show, ep, a.duration)
    cache.save_measured(name, a.as_dict())  # nothing is written for a refused master
    target = mastering.target_of(settings, a.channels)
    bitrate = settings.mono_bitrate if a.channels == 1 else settings.bitrate
    intro = sting_of(show, cache, settings.intro, target, bitrate, a.channels)
    outro = sting_of(show, cache, settings.outro, target, bitrate, a.channels)
    dest = cache.mp3(audiohash)
    with atomic_path(dest) as tmp:
        outcome = mastering.master_to(show.root, ep.master, tmp, a, settings, where=where,
                                      intro=intro, outro=outro, progress=cb("encoding"))
        info = mp3_info(tmp)
        if not (info.cbr and info.sample_rate == mastering.OUTPUT_RATE
                and info.has_info_header):
            raise AudioError(where, f"the encoded MP3 is not CBR 44.1 kHz with an Info header "
                             f"({info})", "Check the ffmpeg build (libmp3lame)")
        size, sha = tmp.stat().st_size, sha256_file(tmp)
    p = outcome.plan
    offset = outcome.render.offset
    v = outcome.verified
    if v.master is not None and v.master_log is not None:  # metered during the encode
        from podcast.audio.analysis import pause_level
        a = replace(a, integrated=v.master.integrated, threshold=v.master.threshold,
                    lra=v.master.lra, short_term=v.master_log.values,
                    pause_level=pause_level(v.master_log.momentary, a.quiet, 0.0,
                                            v.master.integrated))
    report = AudioReport(
        audiohash=audiohash, master=where, master_sha256=master_sha,
        input={"integrated": a.integrated, "threshold": a.threshold, "lra": a.lra,
               "true_peak": outcome.input_true_peak, "sample_peak": a.sample_peak,
               "duration": round(a.duration, 3), "codec": a.codec,
               "sample_rate": a.sample_rate, "channels": a.channels},
        gain=p.gain,
        limiter={"engaged": p.limit is not None, "ceiling": p.limit,
                 "reduction": round(p.limiter_reduction, 2)},
        output={**outcome.output.as_dict(), "target": p.target, "ceiling": p.ceiling,
                "duration": round(info.duration, 3), "size": size, "sha256": sha,
                "bitrate": info.bitrate, "sample_rate": info.sample_rate,
                "channels": info.channels},
        settings=settings_dict(settings), attempts=outcome.attempts,
        render=outcome.render.as_dict(), offset=offset,
        speech=speech_figures(a, outcome.render.steps, outcome.verified, offset, p.target),
        short_term={"master": a.short_term, "mp3": outcome.verified.short_term})
    cache.save_report(report)
    log.debug("%s: %.1f -> %.1f LUFS, %.1f dBTP, %s in %.1fs", ep.slug,
              a.integrated, outcome.output.integrated, outcome.output.true_peak,
              "limited" if p.limit is not None else "gain only", time.monotonic() - started)
    return report


def check_chapters(show: Show, ep: Episode, duration: float) -> None:
    """Every chapter must start inside the audio (checked again on a re-tag)."""
    for i, ch in enumerate(ep.chapters):
        if ch.start >= duration:
            raise AudioError(show.where(ep.source),
                             f"chapters[{i + 1}].start: {ch.start:g}s is past the end of the "
                             f"audio ({duration:.1f}s)", "Fix the time or the master")


def _header_duration(path: Path) -> float | None:
    """The length the file's header claims (mutagen, no decoding); None if unknown."""
    from podcast.show.probe import probe

    try:
        return probe(path).duration or None
    except PodcastError:
        return None


def publish_episode(show: Show, ep: Episode, report: AudioReport, out_dir: Path, cache: Cache,
                    *, force: bool, encoded: bool) -> ProcessResult:
    """Put the tagged MP3 at ``out_dir/<media key>``, re-tagging only when needed.

    The key holds a hash of the tagged file's bytes, so a re-tag (an edited
    title) is a new file under a new key: the bytes behind a published URL
    never change.
    """
    from podcast.audio.tags import tag_set, write_tags

    # Chapters are written against the master; the MP3 plays them ``offset`` later.
    check_chapters(show, ep, report.input.get("duration") or report.duration)
    tags = tag_set(show, ep, report.duration, offset=report.offset)
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
    action = "retagged" if not encoded else \
        "as is" if report.output.get("passthrough") else "encoded"
    return ProcessResult(ep.slug, action, _media(key, dest, rec, report), report)


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
                 report=report.as_dict(), offset=report.offset)


# ---- the run ------------------------------------------------------------------------

def run(show: Show, episodes: list[Episode], out_dir: Path, *, jobs: int | None = None,
        force: bool = False, progress: bool = False) -> list[ProcessResult]:
    """Process ``episodes`` (cached, ``jobs`` at a time) into ``out_dir``; results in order."""
    from podcast.progress import bar

    cache = Cache(show)
    jobs = max(1, jobs or os.cpu_count() or 1)
    out_dir = Path(out_dir)

    def master_sha(ep: Episode) -> str:
        try:
            return cache.master_sha(ep.master)  # type: ignore[return-value]
        except FileNotFoundError:
            raise AudioError(show.where(ep.master), "does not exist",
                             "Copy the master into the episode folder") from None

    with ThreadPoolExecutor(jobs) as pool:
        shas = list(pool.map(master_sha, episodes))
    hashes = [episode_hash(cache, show, ep, sha) for ep, sha in zip(episodes, shas)]
    cache.save_memo()  # masters' and stings' hashes: `podcast report` reads them
    reports = [None if force else cache.report(h) for h in hashes]
    todo = [ep for ep, r in zip(episodes, reports) if r is None]
    total = sum((_header_duration(ep.master) or 0.0) * 2 for ep in todo)
    if todo:
        log.info("encoding %d of %d episode%s", len(todo), len(episodes),
                 "" if len(episodes) == 1 else "s")

    lock = threading.Lock()
    with bar(progress and bool(todo), max(1, int(total * 1000)), label="audio",
             item_show_func=lambda item: item or "") as b:
        run_progress = RunProgress(b, lock)

        def one(i: int) -> ProcessResult:
            ep, report = episodes[i], reports[i]
            encoded = report is None
            if report is None:
                report = encode_episode(show, ep, shas[i], hashes[i], cache, run_progress)
            result = publish_episode(show, ep, report, out_dir, cache, force=force,
                                     encoded=encoded)
            if show.audio.alternates:  # [audio] alternates: Opus, AAC beside the MP3
                from podcast.audio.alternates import publish_alternates
                result = publish_alternates(show, ep, result, out_dir, cache, force=force)
            return result

        with ThreadPoolExecutor(jobs) as pool:
            futures = [pool.submit(one, i) for i in range(len(episodes))]
            results, errors = [], []
            for future in futures:
                try:
                    results.append(future.result())
                except PodcastError as exc:
                    errors.append(exc)
    if errors:
        for exc in errors[1:]:
            log.error("%s", exc)
        raise errors[0]
    return results
