"""Speech to text: ``episodes/<slug>/transcript.vtt`` where an episode has none.

The public API. The engine (faster-whisper, CTranslate2, onnxruntime, numpy)
is an optional extra and is imported only when a master really has to be
transcribed: ``podcast --help``, a build whose transcripts all exist, and the
transcript formats (``podcast.captions``) never load it.

A written transcript is the producer's: it is never overwritten (``force``
redoes it, keeping the speakers its voice tags named). Times are relative to
the master, like chapters; the assets step shifts them onto the published MP3.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from podcast.errors import PodcastError

if TYPE_CHECKING:
    from podcast.model import SpeechActivity
    from podcast.show.config import Show
    from podcast.show.episodes import Episode

log = logging.getLogger(__name__)

TRANSCRIPT_NAME = "transcript.vtt"


@dataclass(frozen=True)
class Transcribed:
    """One episode's outcome: ``action`` is written, kept (one exists) or cached."""

    slug: str
    action: str
    path: Path
    cues: int = 0
    seconds: float = 0.0


def vocabulary(show: "Show") -> str:
    """The prompt given to Whisper: ``[transcripts] vocabulary``, else none.

    Measured on the test dialogue, a prompt built from the show's own names
    (title, episode title, people) doubled the word error rate of both models
    (base 9.9 % -> 21 %, tiny.en 9.9 % -> 25 %) and made base 3x slower: Whisper
    continues a prompt's style and invents words to fit it. So the prompt is
    the producer's explicit choice, for names the model keeps misspelling.
    """
    return show.transcripts.vocabulary or ""


def language_of(show: "Show") -> str:
    return show.language.split("-")[0].lower()


def note(label: str) -> str:
    import textwrap

    return textwrap.fill(f"Transcribed automatically by `podcast transcribe` with {label} "
            "(faster-whisper, int8). Check names and numbers: this is where machines err. "
            "This file is yours: edit it freely, add voice tags such as <v Narrator> to name "
            "the speakers; it is never overwritten (`podcast transcribe --force` redoes it "
            "and keeps the speakers named).", 78)


def transcribe(show: "Show", episodes: list["Episode"], *, force: bool = False,
               jobs: int | None = None, progress: bool = False,
               activity: Callable[["Episode"], "SpeechActivity | None"] | None = None
               ) -> list[Transcribed]:
    """Write ``transcript.vtt`` for each episode that has no transcript (all with
    ``force``). ``activity``: who talks when in a multitrack episode (the audio
    step's ``speech_activity``): each speaker is heard on their own track."""
    from podcast.fsutil import atomic_write_text
    from podcast.progress import bar
    from podcast import captions
    from podcast.transcribe.segment import build_cues

    todo = [ep for ep in episodes if force or ep.transcript is None]
    results = {ep.slug: Transcribed(ep.slug, "kept", ep.transcript)
               for ep in episodes if ep not in todo}
    if todo:
        from podcast.transcribe.engine import Engine
        from podcast.transcribe.models import resolve

        language = language_of(show)
        ref = resolve(show.transcripts.model, show.root, show.cache_dir)
        if ref.english_only and language != "en":
            raise PodcastError(f"[transcripts] model = {ref.source!r}",
                               f"is English-only but the show's language is {show.language}",
                               "Use base or a multilingual model")
        cores = os.cpu_count() or 1
        workers = max(1, min(jobs or cores, len(todo), cores))
        engine = Engine(ref, show.cache_dir / "transcripts", workers=workers,
                        threads=max(1, cores // workers))
        lengths = {ep.slug: _length(ep) for ep in todo}
        lock = threading.Lock()
        with bar(progress, int(sum(sum(v) for v in lengths.values()) * 1000),
                 label="transcribing") as b:
            def one(ep: "Episode") -> Transcribed:
                done = {"s": 0.0}
                total = sum(lengths[ep.slug])

                def step(seconds: float) -> None:
                    seconds = min(seconds, total)
                    with lock:
                        b.update(int((seconds - done["s"]) * 1000), ep.slug)
                        done["s"] = max(done["s"], seconds)

                words, duration, cached, speakers = _heard(
                    show, ep, engine, language, step, activity, lengths[ep.slug][0])
                cues = build_cues(words, duration, speaker_at=speakers)
                if not cues:
                    log.warning("warning: %s: no speech was heard; no transcript written",
                                show.where(ep.master or ep.source))
                    return Transcribed(ep.slug, "silent", ep.folder / TRANSCRIPT_NAME)
                path = ep.folder / TRANSCRIPT_NAME
                if ep.transcript is not None and ep.transcript != path:
                    log.warning("warning: %s: wrote %s beside %s, which episode.md or its name "
                                "makes the one published; remove it to publish the new one",
                                ep.slug, path.name, ep.transcript.name)
                atomic_write_text(path, captions.to_vtt(cues, note=note(ref.label)))
                return Transcribed(ep.slug, "cached" if cached else "written", path,
                                   len(cues), duration)

            with ThreadPoolExecutor(max_workers=workers) as pool:
                for result in pool.map(one, todo):
                    results[result.slug] = result
    return [results[ep.slug] for ep in episodes]


def _length(ep: "Episode") -> list[float]:
    """The episode's length, once per recording heard (each speech track, or the master)."""
    from podcast.show.probe import probe

    length = max(max(probe(f).duration for f in ep.audio_files), 0.001)
    return [length] * (sum(t.speaker is not None for t in ep.tracks) or 1)


def _heard(show: "Show", ep: "Episode", engine, language: str, step, activity,
           length: float):
    """(words, seconds, from the cache, speaker_at) of one episode: its master heard
    whole (with ``--force``, the speakers its transcript named are kept), or each
    speaker's track over their spans."""
    from podcast import captions
    from podcast.transcribe.segment import speakers_from

    if ep.tracks:
        from podcast.transcribe.tracks import recognise_tracks

        found = activity(ep) if activity is not None else None
        if found is None:
            raise PodcastError(show.where(ep.source), "has tracks, and hearing each speaker "
                               "on their own needs the audio step's crossgate",
                               "Run `podcast transcribe` or `podcast build`, which measure "
                               "the tracks first")
        words, cached = recognise_tracks(engine, ep, found, language=language,
                                         prompt=vocabulary(show), where=show.where,
                                         length=length, progress=step)
        return words, length, cached, (lambda t: None)
    heard = engine.recognise(ep.master, language=language, prompt=vocabulary(show),
                             where=show.where(ep.master), progress=step)
    speakers = (speakers_from(captions.read(ep.transcript))
                if ep.transcript is not None else (lambda t: None))
    return heard.words, heard.duration, heard.cached, speakers


def transcribe_missing(show: "Show", episodes: list["Episode"], *, jobs: int | None = None,
                       progress: bool = False,
                       activity: Callable[["Episode"], "SpeechActivity | None"] | None = None
                       ) -> list["Episode"]:
    """``[transcripts] auto``: transcribe the episodes without a transcript, and return
    the episodes as they now are (with their new transcript files)."""
    missing = [ep for ep in episodes if ep.transcript is None]
    if not missing:
        return episodes
    done = {r.slug: r for r in transcribe(show, missing, jobs=jobs, progress=progress,
                                          activity=activity)}
    for r in done.values():
        if r.action in ("written", "cached"):
            log.info("transcribed %s: %d cues (%s)", r.slug, r.cues, show.where(r.path))
    return [replace(ep, transcript=done[ep.slug].path)
            if ep.slug in done and done[ep.slug].action in ("written", "cached") else ep
            for ep in episodes]


__all__ = ["Transcribed", "transcribe", "transcribe_missing"]
