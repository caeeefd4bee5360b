"""Speech to timed words with faster-whisper, streamed, cached by the audio's hash.

Decoding options (measured in docs/benchmarks.md, Transcription): int8 on
the CPU, beam search of 5, the Silero voice-activity filter that ships in
faster-whisper's wheel (silence is skipped, so it cannot be "transcribed" into
invented words), word timestamps (cues are cut from them), the show's language,
and a prompt with the names the show uses, so they are spelt as the show
spells them. The master is streamed to the model in blocks of about four
minutes cut in pauses (``stream.py``), so memory is flat in the episode's
length; each starts with the end of the one before again, as context. Given
the text before it as a prompt instead (as Whisper prompts its 30 s windows),
base skipped and repeated whole sentences of the benchmark's dialogue (WER 31 %
against 8 % in 30 s blocks), so only the show's vocabulary prompt, when set, is
given, to every block.
The words of one master (or of some spans of it) under one model and these
options are cached in ``.cache/transcripts/<key>.json``: a second run, or
``--force`` on an unchanged master, costs nothing.

Only this module and ``stream.py`` import faster-whisper (and numpy,
CTranslate2, onnxruntime, PyAV through it), and only when a transcription
actually has to run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from podcast.errors import PodcastError
from podcast.fsutil import atomic_write_text, sha256_file
from podcast.captions.model import Word
from podcast.transcribe.models import ModelRef
from podcast.transcribe import stream

log = logging.getLogger(__name__)

CACHE_VERSION = 3  # bump when what is cached changes meaning
Span = tuple[float, float | None]  # seconds; an end of None runs to the end of the audio
OPTIONS = dict(beam_size=5, vad_filter=True, word_timestamps=True,
               condition_on_previous_text=True)


@dataclass(frozen=True)
class Recognised:
    words: tuple[Word, ...]
    duration: float  # seconds of audio decoded
    cached: bool


def cache_key(master_sha: str, ref: ModelRef, language: str, prompt: str,
              spans: tuple[Span, ...] | None = None) -> str:
    try:
        from importlib.metadata import version
        engine = f"faster-whisper {version('faster-whisper')} ctranslate2 {version('ctranslate2')}"
    except Exception:  # noqa: BLE001 (metadata missing: still a usable key)
        engine = "faster-whisper ?"
    text = json.dumps([CACHE_VERSION, master_sha, ref.identity, language, prompt, OPTIONS,
                       engine, [stream.BLOCK, stream.SEARCH, stream.LEAD], spans], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class Engine:
    """One model shared by the worker threads (CTranslate2 runs ``workers`` at once)."""

    def __init__(self, ref: ModelRef, cache_dir: Path, *, workers: int, threads: int):
        self.ref = ref
        self.cache_dir = Path(cache_dir)
        self.workers = workers
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()

    def model(self):
        with self._lock:
            if self._model is None:
                from podcast.transcribe.models import load
                log.info("loading %s (%s)", self.ref.label, self.ref.path or self.ref.name)
                self._model = load(self.ref, threads=self.threads, workers=self.workers)
            return self._model

    def _cached(self, key: str) -> Recognised | None:
        path = self.cache_dir / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            words = tuple(Word(float(s), float(e), str(t), None if p is None else float(p))
                          for s, e, t, p in data["words"])
            return Recognised(words, float(data["duration"]), True)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("warning: %s is unreadable; transcribing again", path)
            return None

    def recognise(self, master: Path, *, language: str, prompt: str, where: str,
                  progress: Callable[[float], None] | None = None,
                  spans: Sequence[Span] | None = None, speaker: str | None = None) -> Recognised:
        """The words spoken in ``master`` (times relative to it), or only in ``spans``
        (in order, not overlapping: a speaker's active spans on their own track),
        each word named ``speaker`` when given."""
        spans = tuple((float(a), None if b is None else float(b)) for a, b in spans) \
            if spans is not None else None
        key = cache_key(sha256_file(master), self.ref, language, prompt, spans)
        heard = self._cached(key)
        if heard is not None:
            log.debug("%s: words from the cache (%s)", where, key[:12])
        else:
            heard = self._hear(master, language, prompt, where, progress, spans)
            data = {"words": [[w.start, w.end, w.text, w.probability] for w in heard.words],
                    "duration": heard.duration, "model": self.ref.label}
            atomic_write_text(self.cache_dir / f"{key}.json", json.dumps(data))
        if speaker is not None:
            heard = replace(heard, words=tuple(replace(w, speaker=speaker) for w in heard.words))
        return heard

    def _hear(self, master: Path, language: str, prompt: str, where: str,
              progress: Callable[[float], None] | None,
              spans: tuple[Span, ...] | None) -> Recognised:
        model = self.model()  # first: it says what to install when the extra is missing
        import av

        words: list[Word] = []
        duration = 0.0
        try:
            for first, audio, fresh in stream.blocks(
                    stream.decode(master), spans or ((0.0, None),), block=stream.BLOCK,
                    search=stream.SEARCH, lead=stream.LEAD):
                rate = stream.SAMPLE_RATE
                offset, length = first / rate, len(audio) / rate
                segments, _info = model.transcribe(audio, language=language,
                                                   initial_prompt=prompt or None, **OPTIONS)
                words += _words(segments, offset, length, fresh / rate, progress)
                duration = max(duration, offset + length)
        except av.error.FFmpegError as exc:
            raise PodcastError(where, f"cannot be decoded ({type(exc).__name__}: {exc})",
                               "Export the master again as WAV or FLAC") from None
        except (RuntimeError, ValueError) as exc:
            raise PodcastError(where, f"transcription failed ({exc})",
                               "Run with -v for details") from None
        if progress:
            progress(duration)
        return Recognised(tuple(words), duration, False)


def _words(segments, offset: float, length: float, fresh: float,
           progress: Callable[[float], None] | None) -> list[Word]:
    """The words of one block's segments, on the master's timeline (``offset``), kept
    inside the block; those in its lead (the middle of the word before ``fresh``
    seconds) were heard with the block before, and are left out."""
    words: list[Word] = []
    for segment in segments:
        for w in segment.words or ():
            if not w.word.strip() or (float(w.start) + float(w.end)) / 2 < fresh:
                continue
            start = offset + min(max(float(w.start), 0.0), length)
            end = offset + min(max(float(w.end), float(w.start), 0.0), length)
            if words and not w.word[:1].isspace():
                # A piece of the word before ("counter" + "-terrorism", "gov" + ".uk"):
                # Whisper marks a new word with a leading space. Never across blocks.
                last = words[-1]
                words[-1] = Word(last.start, round(end, 3), last.text + w.word.strip(),
                                 min(last.probability, round(float(w.probability), 3)))
            else:
                words.append(Word(round(start, 3), round(end, 3), w.word.strip(),
                                  round(float(w.probability), 3)))
        if progress:
            progress(offset + min(float(segment.end), length))
    return words
