"""The automatic cutter: each episode's ``cuts.json`` brought up to date before it is hashed.

``[audio] max_pause`` and ``cut_fillers`` (or an episode's ``audio:``) switch it
on. For each such episode, before its audio hash is taken (the applied cuts
are part of it), ``prepare``:

1. reads ``cuts.json``; one found with the episode's settings for this master
   is used as it is (nothing below runs: a no-op build reads one small file);
2. otherwise measures what the cutter needs, each cached by the master's
   content: the measuring pass (the room tone's pauses, shared with the
   encode), the 10 ms envelope (activity.py) and, for fillers, the master's
   words (``podcast.transcribe.heard``: the same words, from the same cache,
   as the transcript the build writes later);
3. finds the pauses and fillers (cutfind.py) and merges them into the file by
   editlist.py's rule (the producer's edits always win), written atomically.

The encode then applies ``applied_cuts``: the same list, read again.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from podcast.audio import editlist
from podcast.audio.activity import RATE, Envelope, Span, measure_envelope
from podcast.audio.cache import Cache, sources_sha
from podcast.audio.cutfind import find_fillers, find_pauses
from podcast.audio.editlist import EditList, Entry, FoundWith
from podcast.errors import Problem
from podcast.model import Cut
from podcast.show.config import Show
from podcast.show.episodes import Episode

log = logging.getLogger(__name__)

ACTIVITY_VERSION = "1"
FRAME = 0.1  # seconds: the measuring pass's frames (its room-tone runs)


def cutting(show: Show, episode: Episode) -> bool:
    return FoundWith.of(episode.audio_settings(show)).on


def edit_list(show: Show, episode: Episode) -> EditList | None:
    """The episode's cuts.json as it stands (None: none), validated."""
    path = editlist.path_of(episode)
    return editlist.read(path, show.where(path))


def current(show: Show, episode: Episode, master_sha: str) -> EditList | None:
    """The edit list when it is up to date for these settings and this master, else None."""
    edits = edit_list(show, episode)
    if edits is not None and edits.found_with == FoundWith.of(episode.audio_settings(show)) \
            and edits.master_sha256 == master_sha:
        return edits
    return None


def applied_cuts(show: Show, episode: Episode, master_sha: str) -> tuple[Cut, ...] | None:
    """The cuts the episode's audio gets (``()`` with the cutter off); None when its
    edit list is missing or out of date (``prepare`` has not run since)."""
    if not cutting(show, episode):
        return ()
    settings = episode.audio_settings(show)
    edits = current(show, episode, master_sha)
    return None if edits is None else editlist.applied(edits, settings)


def episode_cuts(show: Show, episode: Episode) -> tuple[Cut, ...]:
    """The cuts the published audio has, for what is made from the master beside it
    (promo clips): cuts.json as it stands, normalised to the master's length."""
    from podcast.audio.cuts import normalised
    from podcast.show.probe import probe

    settings = episode.audio_settings(show)
    edits = edit_list(show, episode) if cutting(show, episode) else None
    if edits is None:
        return ()
    if edits.found_with != FoundWith.of(settings):
        log.warning("warning: %s: found with other settings; run `podcast process %s` to "
                    "bring it up to date", show.where(editlist.path_of(episode)), episode.slug)
    return normalised(editlist.applied(edits, settings),
                      max(probe(f).duration for f in episode.audio_files))


def within(cuts: tuple[Cut, ...], start: float, duration: float) -> tuple[Cut, ...]:
    """The ``cuts`` inside ``[start, start + duration)``, on that span's own time."""
    from podcast.audio.cuts import normalised

    return normalised([Cut(max(c.start, start) - start, min(c.end, start + duration) - start,
                           c.kind, c.word) for c in cuts
                       if c.end > start and c.start < start + duration], duration)


def check_edit_lists(show: Show, episodes: list[Episode]) -> list[Problem]:
    """``podcast check``: every cuts.json that the build would refuse (its fields; one
    made for another master, when the master's hash is known without reading it)."""
    from podcast.errors import PodcastError, ValidationError

    problems: list[Problem] = []
    cache = Cache(show)
    for ep in episodes:
        if not cutting(show, ep):
            continue
        path = editlist.path_of(ep)
        try:
            edits = edit_list(show, ep)
            sha = sources_sha(cache, ep, compute=False) if edits else None
        except ValidationError as exc:
            problems += exc.problems
            continue
        except (PodcastError, OSError) as exc:
            problems.append(Problem(show.where(path), "", str(getattr(exc, "problem", exc)),
                                    getattr(exc, "hint", "") or ""))
            continue
        if sha and edits.master_sha256 != sha:
            problems.append(Problem(show.where(path), "master_sha256", *editlist.ANOTHER_MASTER))
    return problems


def prepare(show: Show, episodes: list[Episode], shas: list[str], cache: Cache, *,
            jobs: int | None = None, progress: bool = False) -> list[str]:
    """Bring the cuts.json of every cutting episode up to date; the slugs written."""
    todo = [(ep, sha) for ep, sha in zip(episodes, shas)
            if cutting(show, ep) and current(show, ep, sha) is None]
    if not todo:
        return []
    fillers = [ep for ep, _ in todo if ep.audio_settings(show).cut_fillers]
    words = {}
    if fillers:
        from podcast.audio.tracks import speech_activity
        from podcast.transcribe import heard  # the crossing: docs/architecture.md
        log.info("hearing %d episode%s for fillers", len(fillers), "" if len(fillers) == 1
                 else "s")
        words = heard(show, fillers, jobs=jobs, progress=progress,
                      activity=lambda ep: speech_activity(show, ep))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    with ThreadPoolExecutor(workers) as pool:  # the measuring and envelope passes
        changed = list(pool.map(lambda item: _update(show, *item, cache,
                                                     words.get(item[0].slug)), todo))
    return [ep.slug for (ep, _), written in zip(todo, changed) if written]


def _update(show: Show, ep: Episode, sha: str, cache: Cache, heard) -> bool:
    settings = ep.audio_settings(show)
    now = FoundWith.of(settings)
    path = editlist.path_of(ep)
    where = show.where(path)
    existing = editlist.read(path, where)
    envelope, speech = speech_of(show, ep, sha, cache)
    found: list[Entry] = find_pauses(speech, now.max_pause)
    if now.cut_fillers and heard is not None:
        found += find_fillers(heard.words, envelope, speech)
    edits = editlist.merged(
        existing, found, now, master=master_name(ep), master_sha=sha, where=where,
        proposed_before=lambda before: find_pauses(speech, before.max_pause))
    if edits == existing:
        return False
    editlist.write(path, edits)
    counts = {k: sum(e.kind == k for e in edits.cuts) for k in ("pause", "filler")}
    log.info("%s: %d pause%s and %d filler%s to cut", where, counts["pause"],
             "" if counts["pause"] == 1 else "s", counts["filler"],
             "" if counts["filler"] == 1 else "s")
    return True


def master_name(ep: Episode) -> str:
    """What cuts.json names as its master: the file, or a multitrack episode's tracks."""
    return " + ".join(f.name for f in ep.audio_files)


def speech_of(show: Show, ep: Episode, sha: str, cache: Cache) -> tuple[Envelope, list[Span]]:
    """The master's envelope and speech spans (module doc, step 2); a multitrack
    episode's, from its tracks (``tracks_speech``)."""
    from podcast.audio.encode import Job, measured
    from podcast.show.probe import probe

    if ep.tracks:
        return tracks_speech(show, ep, cache)
    where = show.where(ep.master)
    settings = ep.audio_settings(show)
    job = Job(show, ep, settings, sha, "", cache, where, probe(ep.master, where).duration)
    a = measured(job)
    envelope = envelope_of(cache, ep.master, sha, where=where, channels=a.channels,
                           highpass=settings.highpass)
    return envelope, _spans(envelope, a.quiet)


def tracks_speech(show: Show, ep: Episode, cache: Cache) -> tuple[Envelope, list[Span]]:
    """A multitrack episode's speech: each speech track's envelope over its own room
    tone (its measuring pass, shared with the encode), the spans of all of them
    together (someone talks: a pause is where nobody does; bleed lies inside the
    other voice's own spans), and the loudest envelope of each 10 ms for the
    fillers' edges."""
    from podcast.audio.activity import merged_spans
    from podcast.audio.tracks import measured_tracks

    settings = ep.audio_settings(show)
    envelopes, spans = [], []
    for m in measured_tracks(show, ep, settings, cache):
        if m.track.speaker is None:
            continue  # a music bed is not speech
        envelope = envelope_of(cache, m.track.file, m.sha, where=m.where,
                               channels=m.analysis.channels, highpass=settings.highpass)
        envelopes.append(envelope)
        spans.append(_spans(envelope, m.analysis.quiet))
    return Envelope.loudest(envelopes), merged_spans(spans)


def _spans(envelope: Envelope, quiet: list) -> list[Span]:
    room_tone = [(s * FRAME, e * FRAME) for s, e in quiet]
    threshold = envelope.threshold(room_tone)
    return envelope.spans(threshold) if threshold is not None else []


def envelope_of(cache: Cache, master: Path, sha: str, *, where: str, channels: int | None,
                highpass: int) -> Envelope:
    """``measure_envelope``, kept in the cache by the master's content."""
    from podcast.fsutil import atomic_write_bytes

    path = cache.audio_dir / f"activity-{sha[:32]}-v{ACTIVITY_VERSION}-hp{highpass}.f32"
    try:
        return Envelope.from_bytes(path.read_bytes())
    except OSError:
        pass
    envelope = measure_envelope(master, where=where, channels=channels, highpass=highpass)
    atomic_write_bytes(path, envelope.to_bytes())
    log.debug("%s: envelope of %.0f s at %d Hz", where, envelope.duration, RATE)
    return envelope
