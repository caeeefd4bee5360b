"""One master into the cache: check, measure, master, encode, verify, report.

``encode_episode`` runs the jobs in order, each a function of its own:

1. the master's format and header (``probe``: an implausible header fails here,
   as in ``podcast check``);
2. an MP3 already on target is published as it is (passthrough.py): no speech
   chain, no second lossy pass;
3. the denoiser's extra, when ``denoise = "strong"`` asks for it;
4. the measuring pass (analysis.py), from the cache when this master was
   measured before; the master's checks; the chapters against its length; the
   edit list's cuts (cutting.py) made to fit it;
5. the intro and outro, measured and matched to the target;
6. mastering and encoding (master.py) into a temp file, whose stream is checked
   (CBR, 44.1 kHz, Info header) before it takes its place in the cache;
7. the report (report.py), written last: its presence marks a cache hit.

Nothing is written for a master that fails its checks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from podcast.audio import chain, ffmpeg
from podcast.audio import master as mastering
from podcast.audio.analysis import Analysis
from podcast.audio.cache import PIPELINE_VERSION, Cache, settings_dict
from podcast.audio.deliver import check_chapters
from podcast.audio.report import (
    AudioReport,
    Curves,
    InputFigures,
    LimiterAction,
    OutputFigures,
)
from podcast.audio.tags import MP3Info
from podcast.errors import AudioError
from podcast.fsutil import atomic_path, sha256_file
from podcast.model import Cut, Timeline
from podcast.show.config import AudioSettings, Show
from podcast.show.episodes import Episode
from podcast.show.formats import audio_problem
from podcast.show.lfs import episode_files, require_audio

log = logging.getLogger(__name__)

TRUNCATION_SLACK = 0.5  # seconds the decoded audio may fall short of the header's length


@dataclass(frozen=True)
class Job:
    """One episode's encode: what every step needs, worked out once."""

    show: Show
    ep: Episode
    settings: AudioSettings
    master_sha: str
    audiohash: str
    cache: Cache
    where: str  # the master, relative to the show's folder
    header_duration: float  # seconds, from the master's header
    progress: object = None  # pipeline.RunProgress or None

    def callback(self, phase: str) -> ffmpeg.ProgressCallback | None:
        if self.progress is None:
            return None
        return self.progress.callback(self.ep.slug, phase, self.header_duration)


def encode_episode(show: Show, ep: Episode, master_sha: str, audiohash: str, cache: Cache,
                   progress=None, cuts: Sequence[Cut] = ()) -> AudioReport:
    """Measure, check, encode and verify one master into the cache; return its report.
    ``cuts``: the edit list's cuts (cutting.applied_cuts), applied in the render."""
    from podcast.show.probe import probe

    where = show.where(ep.master)
    check_format(ep.master, where)
    for path in episode_files(ep):
        require_audio(path, show.where(path))
    job = Job(show, ep, ep.audio_settings(show), master_sha, audiohash, cache, where,
              probe(ep.master, where).duration, progress)
    started = time.monotonic()
    if ep.master.suffix.lower() == ".mp3" and not cuts:
        as_is = published_as_is(job)
        if as_is is not None:
            return as_is
    require_denoiser(job)
    a = measured(job)
    cuts = fitted_cuts(show, ep, cuts, a.duration)
    target = mastering.target_of(job.settings, a.channels)
    bitrate = job.settings.mono_bitrate if a.channels == 1 else job.settings.bitrate
    intro = sting_of(show, cache, job.settings.intro, target, bitrate, a.channels)
    outro = sting_of(show, cache, job.settings.outro, target, bitrate, a.channels)
    with atomic_path(cache.mp3(audiohash)) as tmp:
        outcome = mastering.master_to(show.root, ep.master, tmp, mastering.planned(a, cuts),
                                      job.settings, where=where, intro=intro, outro=outro,
                                      cuts=cuts, progress=job.callback("encoding"))
        info = checked_stream(tmp, where)
        size, sha = tmp.stat().st_size, sha256_file(tmp)
    report = report_of(job, metered(a, outcome.verified), outcome, info, size, sha, cuts)
    cache.save_report(report)
    log.debug("%s: %.1f -> %.1f LUFS, %.1f dBTP, %s in %.1fs", ep.slug,
              report.input.integrated, report.output.integrated, report.output.true_peak,
              "limited" if report.limiter.engaged else "gain only",
              time.monotonic() - started)
    return report


def check_format(master: Path, where: str) -> None:
    problem = audio_problem(master)
    if problem:
        raise AudioError(where, *problem)


def published_as_is(job: Job) -> AudioReport | None:
    """The report of an MP3 master published as it is, or None when it must be
    mastered. A cheap loudness pass decides it first."""
    from podcast.audio.measure import measure
    from podcast.audio.passthrough import publish_as_is

    m = measure(job.ep.master, where=job.where, peak="sample",
                progress=job.callback("measuring"))
    check_chapters(job.show, job.ep, m.duration)
    return publish_as_is(job.show, job.ep, m, job.master_sha, job.audiohash, job.cache,
                         where=job.where, progress=job.callback("checking"))


def require_denoiser(job: Job) -> None:
    if job.settings.denoise == "strong":
        from podcast.audio.dfn import require
        require(job.show.where(job.ep.source) + " (denoise)"
                if dict(job.ep.audio).get("denoise") else "podcast.toml [audio] denoise")


def measured(job: Job) -> Analysis:
    """The measuring pass over the master, from the cache when it was made before (by
    master content and the options it depends on: a new intro never re-measures);
    kept once the master passed its checks."""
    from podcast.audio.analysis import ANALYSIS_VERSION, analyse

    name = (f"analysis-{job.master_sha[:32]}-v{ANALYSIS_VERSION}"
            f"-hp{job.settings.highpass}-l{int(job.settings.leveler)}")
    a = None
    data = job.cache.measured(name)
    if data:
        try:
            a = Analysis.from_dict(data)
        except TypeError:
            a = None
    if a is None:
        a = analyse(job.ep.master, where=job.where, highpass=job.settings.highpass,
                    leveler=job.settings.leveler, progress=job.callback("measuring"))
    mastering.check_master(a, job.where)
    budget = job.header_duration
    if budget and a.duration < budget - TRUNCATION_SLACK:  # a header that still lied
        raise AudioError(job.where, f"is truncated: its header says {budget:.1f}s but only "
                         f"{a.duration:.1f}s of audio could be decoded",
                         "Export or copy the master again")
    check_chapters(job.show, job.ep, a.duration)
    job.cache.save_measured(name, a.as_dict())  # nothing is written for a refused master
    return a


def sting_of(show: Show, cache: Cache, name: str | None, target: float, bitrate: int,
             channels: int | None) -> chain.Sting | None:
    """An intro or outro measured (cached by content) and matched to ``target``. A
    stereo sting before a mono master is measured after the chain's downmix: what
    that takes off depends on how alike its channels are (nothing for dual mono,
    3 dB for unrelated channels)."""
    from podcast.audio.filters import downmix_to
    from podcast.audio.measure import measure

    path = show.sting(name)
    if path is None:
        return None
    where = show.where(path)
    if not path.is_file():
        raise AudioError(where, "does not exist", "Fix [audio] intro/outro or the episode's "
                         "audio: override")
    require_audio(path, where)
    sha = cache.master_sha(path)
    mono = channels == 1
    key = f"sting-{sha[:32]}" + ("-mono" if mono else "")
    data = cache.measured(key)
    if not data:
        m = measure(path, where=where, peak="sample", before=downmix_to(1) if mono else "")
        if not m.loudness.integrated > -70 or m.duration < 0.5:
            raise AudioError(where, "is silent or shorter than half a second",
                             "Export the intro/outro again")
        data = {"integrated": m.loudness.integrated, "duration": m.duration}
        cache.save_measured(key, data)
    return chain.Sting(where, round(target + mastering.cbr_loss(bitrate) - data["integrated"],
                                    3), data["duration"])


def checked_stream(tmp: Path, where: str) -> MP3Info:
    """The encoded file's stream facts, refused unless CBR 44.1 kHz with an Info header."""
    from podcast.audio.tags import mp3_info

    info = mp3_info(tmp)
    if not (info.cbr and info.sample_rate == mastering.OUTPUT_RATE and info.has_info_header):
        raise AudioError(where, f"the encoded MP3 is not CBR 44.1 kHz with an Info header "
                         f"({info})", "Check the ffmpeg build (libmp3lame)")
    return info


def metered(a: Analysis, verified) -> Analysis:
    """The analysis with the master's figures the encode metered as it read it."""
    if verified.master is None or verified.master_log is None:
        return a
    from podcast.audio.analysis import pause_level

    m = verified.master
    return replace(a, integrated=m.integrated, threshold=m.threshold, lra=m.lra,
                   short_term=verified.master_log.values,
                   pause_level=pause_level(verified.master_log.momentary, a.quiet, 0.0,
                                           m.integrated))


def fitted_cuts(show: Show, ep: Episode, cuts: Sequence[Cut], duration: float
                ) -> tuple[Cut, ...]:
    """``cuts`` normalised to the audio's ``duration``; refused when they leave too
    little of it to master."""
    from podcast.audio.cuts import normalised

    cuts = normalised(cuts, duration)
    left = duration - sum(c.end - c.start for c in cuts)
    if cuts and left < mastering.MIN_DURATION:
        raise AudioError(show.where(ep.folder / "cuts.json"), f"leaves {left:.1f} s of the "
                         f"{duration:.1f} s master", "Remove or shorten its cuts")
    return tuple(cuts)


def report_of(job: Job, a: Analysis, outcome: mastering.Outcome, info: MP3Info, size: int,
              sha: str, cuts: Sequence[Cut] = ()) -> AudioReport:
    from podcast.audio.figures import speech_figures

    p, render, out = outcome.plan, outcome.render, outcome.output
    timeline = Timeline(render.offset, tuple(cuts))
    return AudioReport(
        audiohash=job.audiohash, master=job.where, master_sha256=job.master_sha,
        input=InputFigures(duration=round(a.duration, 3), integrated=a.integrated,
                           threshold=a.threshold, lra=a.lra,
                           true_peak=outcome.input_true_peak, sample_peak=a.sample_peak,
                           codec=a.codec, sample_rate=a.sample_rate, channels=a.channels),
        gain=p.gain,
        limiter=LimiterAction(engaged=p.limit is not None, ceiling=p.limit,
                              reduction=round(p.limiter_reduction, 2)),
        output=OutputFigures(
            **out.as_dict(), target=p.target, ceiling=p.ceiling,
            duration=round(info.duration, 3), size=size, sha256=sha, bitrate=info.bitrate,
            sample_rate=info.sample_rate, channels=info.channels,
            decoder_delay=info.decoder_delay),
        settings=settings_dict(job.settings), pipeline=PIPELINE_VERSION,
        attempts=outcome.attempts, render=render, offset=render.offset, cuts=tuple(cuts),
        speech=speech_figures(a, render.steps, outcome.verified, timeline, p.target),
        short_term=Curves(master=tuple(a.short_term),
                          mp3=tuple(outcome.verified.short_term)))
