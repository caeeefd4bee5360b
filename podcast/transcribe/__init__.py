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
    from podcast.transcribe.engine import Recognised
    from podcast.transcribe.models import ModelRef

log = logging.getLogger(__name__)

TRANSCRIPT_NAME = "transcript.vtt"
# Bump when what is written for the same audio, model and prompt changes (engine.OPTIONS,
# stream's blocks, the cues): transcripts in the bucket's build records are then made again.
RECORD_VERSION = 1
FROM_RECORDS = "from the bucket"  # Transcribed.action of a transcript a build record held


@dataclass(frozen=True)
class Transcribed:
    """One episode's outcome: ``action`` is written, kept (one exists) or cached."""

    slug: str
    action: str
    path: Path
    cues: int = 0
    seconds: float = 0.0
    record: str | None = None  # its build record's key (a publish)


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
          progress: bool = False, ref: "ModelRef | None" = None,
          activity: Callable[["Episode"], "SpeechActivity | None"] | None = None
          ) -> dict[str, "Recognised"]:
    """The words spoken in each episode, by slug (times relative to its audio).

    Cached by the audio's content, the model and the options (engine.py): the
    transcript (``transcribe``) and the automatic cutter's fillers ask for the
    same words with the same options, so the second to ask hears nothing again.
    ``ref``: the model, when the caller resolved it already. ``activity``: who
    talks when in a multitrack episode (the audio step's ``speech_activity``):
    each speaker is heard on their own track, over their own spans.
    """
    from podcast.progress import bar
    from podcast.show.lfs import episode_files, require_audio
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
    for path in (p for ep in episodes for p in episode_files(ep)):
        require_audio(path, show.where(path))  # a Git LFS pointer: one line, what to run
    lengths = {ep.slug: _length(ep) for ep in episodes}
    lock = threading.Lock()
    with bar(progress, int(sum(sum(v) for v in lengths.values()) * 1000),
             label="transcribing") as b:
        def one(ep: "Episode") -> "Recognised":
            done = {"s": 0.0}
            total = sum(lengths[ep.slug])

            def step(seconds: float) -> None:
                seconds = min(seconds, total)
                with lock:
                    b.update(int((seconds - done["s"]) * 1000), ep.slug)
                    done["s"] = max(done["s"], seconds)

            if ep.tracks:
                return _heard_tracks(show, ep, engine, language, step, activity,
                                     lengths[ep.slug][0])
            return engine.recognise(ep.master, language=language, prompt=vocabulary(show),
                                    where=show.where(ep.master), progress=step)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            return {ep.slug: words for ep, words in zip(episodes, pool.map(one, episodes))}


def _length(ep: "Episode") -> list[float]:
    """The episode's length, once per recording heard (each speech track, or the master)."""
    from podcast.show.probe import probe

    length = max(max(probe(f).duration for f in ep.audio_files), 0.001)
    return [length] * (sum(t.speaker is not None for t in ep.tracks) or 1)


def _heard_tracks(show: "Show", ep: "Episode", engine, language: str, step, activity,
                  length: float) -> "Recognised":
    """A multitrack episode's words: each speaker's track over their spans."""
    from podcast.transcribe.engine import Recognised
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
    return Recognised(tuple(words), length, cached)


def record_key(show: "Show", ep: "Episode",
               sha_of: "Callable[[Path], str] | None" = None) -> str:
    """The key of ``ep``'s transcript among the bucket's build records: the content of
    its audio (a Git LFS pointer names it), the model, the language and the prompt;
    not the engine's version (another build of faster-whisper reuses it). ``sha_of``:
    a file's content hash, when the caller knows it already (the audio cache's memo:
    build hashed the masters before it transcribes); else each file is read."""
    import hashlib
    import json

    from podcast.fsutil import sha256_file
    from podcast.show.lfs import episode_files, pointer_oid
    from podcast.transcribe.models import identity

    sha_of = sha_of or (lambda p: pointer_oid(p) or sha256_file(p))
    audio = [sha_of(p) for p in episode_files(ep)]
    data = {"version": RECORD_VERSION, "audio": audio, "language": language_of(show),
            "model": identity(show.transcripts.model, show.root), "prompt": vocabulary(show)}
    if ep.tracks:  # the speakers' names are in the transcript's voice tags
        data["speakers"] = [t.speaker for t in ep.tracks]
    text = json.dumps(data, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _from_records(show: "Show", todo: list["Episode"], records,
                  results: dict[str, Transcribed], sha_of=None
                  ) -> tuple[list["Episode"], dict[str, str]]:
    """Write the transcripts the bucket's build records hold; (the episodes left to
    transcribe, their record keys)."""
    from podcast.fsutil import atomic_write_text

    left, keys = [], {}
    for ep in todo:
        key = keys[ep.slug] = record_key(show, ep, sha_of)
        text = records.transcript(key)
        if text is None:
            left.append(ep)
            continue
        path = ep.folder / TRANSCRIPT_NAME
        atomic_write_text(path, text)
        results[ep.slug] = Transcribed(ep.slug, FROM_RECORDS, path, record=key)
    return left, keys


def transcribe(show: "Show", episodes: list["Episode"], *, force: bool = False,
               jobs: int | None = None, progress: bool = False,
               records=None,
               activity: Callable[["Episode"], "SpeechActivity | None"] | None = None,
               sha_of: Callable[[Path], str] | None = None) -> list[Transcribed]:
    """Write ``transcript.vtt`` for each episode that has no transcript (all with ``force``).

    ``records``: the bucket's build records (a publish): a transcript they hold for
    the same audio, model and prompt is written instead of transcribing.
    ``activity``: who talks when in a multitrack episode (see ``heard``); ``sha_of``:
    see ``record_key``."""
    from podcast import captions
    from podcast.fsutil import atomic_write_text
    from podcast.transcribe.models import resolve
    from podcast.transcribe.segment import build_cues, speakers_from

    todo = [ep for ep in episodes if force or ep.transcript is None]
    results = {ep.slug: Transcribed(ep.slug, "kept", ep.transcript)
               for ep in episodes if ep not in todo}
    keys: dict[str, str] = {}
    if records is not None and not force:
        todo, keys = _from_records(show, todo, records, results, sha_of)
    if not todo:
        return [results[ep.slug] for ep in episodes]
    ref = resolve(show.transcripts.model, show.root, show.cache_dir)
    words = heard(show, todo, jobs=jobs, progress=progress, ref=ref, activity=activity)
    for ep in todo:
        where = show.where(ep.master or ep.source)
        found = words[ep.slug]
        speakers = (speakers_from(captions.read(ep.transcript))
                    if ep.transcript is not None and not ep.tracks else (lambda t: None))
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
                                       len(cues), found.duration, keys.get(ep.slug))
    return [results[ep.slug] for ep in episodes]


def transcribe_missing(show: "Show", episodes: list["Episode"], *, jobs: int | None = None,
                       progress: bool = False, records=None,
                       made: dict[str, str] | None = None,
                       activity: Callable[["Episode"], "SpeechActivity | None"] | None = None,
                       sha_of: Callable[[Path], str] | None = None) -> list["Episode"]:
    """``[transcripts] auto``: transcribe the episodes without a transcript, and return
    the episodes as they now are (with their new transcript files).

    ``records``: the bucket's build records (see ``transcribe``); ``made`` is then
    given record key -> text of each transcript made here, for a record."""
    missing = [ep for ep in episodes if ep.transcript is None]
    if not missing:
        return episodes
    done = {r.slug: r for r in transcribe(show, missing, jobs=jobs, progress=progress,
                                          records=records, activity=activity,
                                          sha_of=sha_of)}
    written = ("written", "cached", FROM_RECORDS)
    for r in done.values():
        if r.action in ("written", "cached"):
            log.info("transcribed %s: %d cues (%s)", r.slug, r.cues, show.where(r.path))
            if made is not None and r.record:
                made[r.record] = r.path.read_text(encoding="utf-8")
        elif r.action == FROM_RECORDS:
            log.info("%s: transcript from the bucket's build records (%s)", r.slug,
                     show.where(r.path))
    return [replace(ep, transcript=done[ep.slug].path)
            if ep.slug in done and done[ep.slug].action in written else ep
            for ep in episodes]


__all__ = ["Transcribed", "heard", "transcribe", "transcribe_missing"]
