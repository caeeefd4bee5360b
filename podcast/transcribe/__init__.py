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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from podcast.errors import PodcastError

if TYPE_CHECKING:
    from podcast.show.config import Show
    from podcast.show.episodes import Episode
    from podcast.transcribe.engine import Recognised
    from podcast.transcribe.models import ModelRef

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


def heard(show: "Show", episodes: list["Episode"], *, jobs: int | None = None,
          progress: bool = False, ref: "ModelRef | None" = None) -> dict[str, "Recognised"]:
    """The words spoken in each episode's master, by slug (times relative to it).

    Cached by the master's content, the model and the options (engine.py): the
    transcript (``transcribe``) and the automatic cutter's fillers ask for the
    same words with the same options, so the second to ask hears nothing again.
    ``ref``: the model, when the caller resolved it already.
    """
    from podcast.progress import bar
    from podcast.show.probe import probe
    from podcast.transcribe.engine import Engine
    from podcast.transcribe.models import resolve

    if not episodes:
        return {}
    language = language_of(show)
    ref = ref or resolve(show.transcripts.model, show.root, show.cache_dir)
    if ref.english_only and language != "en":
        raise PodcastError(f"[transcripts] model = {ref.source!r}",
                           f"is English-only but the show's language is {show.language}",
                           "Use base or a multilingual model")
    cores = os.cpu_count() or 1
    workers = max(1, min(jobs or cores, len(episodes), cores))
    engine = Engine(ref, show.cache_dir / "transcripts", workers=workers,
                    threads=max(1, cores // workers))
    lengths = {ep.slug: max(probe(ep.master).duration, 0.001) for ep in episodes}
    lock = threading.Lock()
    with bar(progress, int(sum(lengths.values()) * 1000), label="transcribing") as b:
        def one(ep: "Episode") -> "Recognised":
            done = {"s": 0.0}

            def step(seconds: float) -> None:
                seconds = min(seconds, lengths[ep.slug])
                with lock:
                    b.update(int((seconds - done["s"]) * 1000), ep.slug)
                    done["s"] = max(done["s"], seconds)

            return engine.recognise(ep.master, language=language, prompt=vocabulary(show),
                                    where=show.where(ep.master), progress=step)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            return {ep.slug: words for ep, words in zip(episodes, pool.map(one, episodes))}


def transcribe(show: "Show", episodes: list["Episode"], *, force: bool = False,
               jobs: int | None = None, progress: bool = False) -> list[Transcribed]:
    """Write ``transcript.vtt`` for each episode that has no transcript (all with ``force``)."""
    from podcast import captions
    from podcast.fsutil import atomic_write_text
    from podcast.transcribe.models import resolve
    from podcast.transcribe.segment import build_cues, speakers_from

    todo = [ep for ep in episodes if force or ep.transcript is None]
    results = {ep.slug: Transcribed(ep.slug, "kept", ep.transcript)
               for ep in episodes if ep not in todo}
    if not todo:
        return [results[ep.slug] for ep in episodes]
    ref = resolve(show.transcripts.model, show.root, show.cache_dir)
    words = heard(show, todo, jobs=jobs, progress=progress, ref=ref)
    for ep in todo:
        where = show.where(ep.master)
        found = words[ep.slug]
        speakers = (speakers_from(captions.read(ep.transcript))
                    if ep.transcript is not None else (lambda t: None))
        cues = build_cues(found.words, found.duration, speaker_at=speakers)
        if not cues:
            log.warning("warning: %s: no speech was heard; no transcript written", where)
            results[ep.slug] = Transcribed(ep.slug, "silent", ep.folder / TRANSCRIPT_NAME)
            continue
        path = ep.folder / TRANSCRIPT_NAME
        if ep.transcript is not None and ep.transcript != path:
            log.warning("warning: %s: wrote %s beside %s, which episode.md or its name "
                        "makes the one published; remove it to publish the new one",
                        ep.slug, path.name, ep.transcript.name)
        atomic_write_text(path, captions.to_vtt(cues, note=note(ref.label)))
        results[ep.slug] = Transcribed(ep.slug, "cached" if found.cached else "written", path,
                                       len(cues), found.duration)
    return [results[ep.slug] for ep in episodes]


def transcribe_missing(show: "Show", episodes: list["Episode"], *, jobs: int | None = None,
                       progress: bool = False) -> list["Episode"]:
    """``[transcripts] auto``: transcribe the episodes without a transcript, and return
    the episodes as they now are (with their new transcript files)."""
    missing = [ep for ep in episodes if ep.transcript is None]
    if not missing:
        return episodes
    done = {r.slug: r for r in transcribe(show, missing, jobs=jobs, progress=progress)}
    for r in done.values():
        if r.action in ("written", "cached"):
            log.info("transcribed %s: %d cues (%s)", r.slug, r.cues, show.where(r.path))
    return [replace(ep, transcript=done[ep.slug].path)
            if ep.slug in done and done[ep.slug].action in ("written", "cached") else ep
            for ep in episodes]


__all__ = ["Transcribed", "heard", "transcribe", "transcribe_missing"]
