"""One multitrack episode into the cache: measure each track, crossgate, level, mix,
then the master's loudness plan, limiter, stings, encode and verify, report.

The steps of encode.py, for ``tracks:`` instead of ``master:``:

1. each track's format and header (probe), the denoiser's extra when asked;
2. the measuring pass of each track (tracks.py; cached by content), each
   checked as a master (silence, length, truncation); the chapters against
   the longest;
3. the session: crossgate, envelopes (written into the cache), the speakers'
   gains, the mix's predicted loudness (tracks.py);
4. the intro and outro, as for a master;
5. one render (mix.py; the edit list's cuts taken out after the mix) into the encoder and the verifier, as for a master
   (master.master_to): the same gain plan, limiter, retries and checks;
6. the report, with a ``TrackFigures`` per track, written last.

One encode, streamed: every process reads and writes pipes, the envelopes
are read as files, and memory does not grow with the episode's length.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace

from podcast.audio import crossgate
from podcast.audio import master as mastering
from podcast.audio.cache import Cache
from podcast.audio.cuts import edit_filters
from podcast.audio.deliver import check_chapters
from podcast.audio.encode import (
    Job,
    check_format,
    checked_stream,
    fitted_cuts,
    report_of,
    require_denoiser,
    sting_of,
)
from podcast.audio.figures import chain_steps
from podcast.audio.mix import TrackPlan, tracks_render
from podcast.audio.report import AudioReport, TrackFigures
from podcast.audio.tracks import (
    Session,
    gated,
    measured_tracks,
    mix_analysis,
    mix_momentary,
    plan,
    write_envelopes,
)
from podcast.audio.filters import OUTPUT_RATE
from podcast.fsutil import atomic_path, sha256_file
from podcast.model import Cut, Timeline
from podcast.show.config import Show
from podcast.show.episodes import Episode

log = logging.getLogger(__name__)


def encode_tracks(show: Show, ep: Episode, sources_sha: str, audiohash: str, cache: Cache,
                  progress=None, cuts: Sequence[Cut] = ()) -> AudioReport:
    """Measure, crossgate, mix, encode and verify one multitrack episode into the cache.
    ``cuts``: the edit list's cuts (cutting.applied_cuts), taken out of the mix."""
    from podcast.show.probe import probe

    where = show.where(ep.source)
    lengths = []
    for track in ep.tracks:
        check_format(track.file, show.where(track.file))
        lengths.append(probe(track.file, show.where(track.file)).duration)
    job = Job(show, ep, ep.audio_settings(show), sources_sha, audiohash, cache, where,
              max(lengths), progress)
    started = time.monotonic()
    require_denoiser(job)
    settings = job.settings
    session = plan(measured_tracks(show, ep, settings, cache, job.callback("measuring")),
                   settings)
    check_chapters(show, ep, session.duration)
    cuts = fitted_cuts(show, ep, cuts, session.duration)
    edit = edit_filters(cuts, OUTPUT_RATE, duration=session.duration)
    mix = mix_analysis(session, settings)
    target = mastering.target_of(settings, session.channels)
    bitrate = settings.mono_bitrate if session.channels == 1 else settings.bitrate
    intro = sting_of(show, cache, settings.intro, target, bitrate, session.channels)
    outro = sting_of(show, cache, settings.outro, target, bitrate, session.channels)
    plans = [TrackPlan(m.where, env, m.analysis, gain, m.track.speaker)
             for m, env, gain in zip(session.measured, write_envelopes(session, cache),
                                     session.gains)]

    def render_of(p: mastering.GainPlan):
        return tracks_render(settings, plans, duration=session.duration, gain=p.gain,
                             limit=p.limit, channels=p.channels, intro=intro, outro=outro,
                             edit=edit)

    with atomic_path(cache.mp3(audiohash)) as tmp:
        outcome = mastering.master_to(show.root, None, tmp, mastering.planned(mix, cuts),
                                      settings, where=where,
                                      render_of=render_of, progress=job.callback("encoding"))
        info = checked_stream(tmp, where)
        size, sha = tmp.stat().st_size, sha256_file(tmp)
    plain = mix_momentary(session, levelled=False, gate=False)
    as_recorded = replace(mix, integrated=gated(plain))
    report = report_of(job, as_recorded, outcome, info, size, sha, cuts)
    report = replace(report, tracks=track_figures(session, outcome, settings, cuts))
    cache.save_report(report)
    log.debug("%s: %d tracks, %.1f -> %.1f LUFS, %.1f dBTP in %.1fs", ep.slug,
              len(ep.tracks), report.input.integrated or 0, report.output.integrated,
              report.output.true_peak, time.monotonic() - started)
    return report


def track_figures(session: Session, outcome: mastering.Outcome, settings,
                  cuts: Sequence[Cut] = ()) -> tuple[TrackFigures, ...]:
    """Each track's figures: its chain, its gain, the crossgate or ducking, and its
    speaker's level where they talk alone, as recorded and in the MP3 (found there
    through the intro and the cuts)."""
    from podcast.audio.tracks import alone

    steps = {s["file"]: s for s in outcome.render.steps.get("tracks", [])}
    speech = session.speech
    active = list(session.gate.active)
    momentary = outcome.verified.momentary
    timeline = Timeline(outcome.render.offset, tuple(cuts))

    def in_mp3(t: int) -> int:  # the MP3's momentary value for the tracks' frame t
        return round(timeline.to_published(t * crossgate.FRAME) / crossgate.FRAME)
    out = []
    for i, m in enumerate(session.measured):
        a, own = m.analysis, steps.get(m.where, {})
        figures = TrackFigures(
            file=m.where, sha256=m.sha, speaker=m.track.speaker, duration=round(a.duration, 3),
            steps=chain_steps(own.get("steps", {})), noise_floor=a.noise_floor, hum=a.hum,
            hum_level=a.hum_level, gain=session.gains[i])
        if m.track.speaker is None:
            ducked = crossgate.duck_flags(session.gate.speech())
            out.append(replace(figures, speech=round(sum(ducked) * crossgate.FRAME, 1),
                               held_down=settings.duck))
            continue
        k = speech.index(i)
        frames = alone(active, k)
        others = [session.gate.coupling[j][k] for j in range(len(speech)) if j != k]
        out.append(replace(
            figures, speech=round(sum(active[k]) * crossgate.FRAME, 1),
            spans=crossgate.spans(active[k]),
            bleed=min(others) if others else None,
            held_down=-crossgate.RANGE if len(speech) > 1 else None,
            level_before=session.levels[i][0],
            level_after=gated(momentary[k] for k in map(in_mp3, frames)
                              if 0 <= k < len(momentary))))
    return tuple(out)
