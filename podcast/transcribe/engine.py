"""Speech to timed words with faster-whisper, cached by the audio's hash.

Decoding options (measured in the README's transcription benchmark): int8 on
the CPU, beam search of 5, the Silero voice-activity filter that ships in
faster-whisper's wheel (silence is skipped, so it cannot be "transcribed" into
invented words), word timestamps (cues are cut from them), the show's language,
and a prompt with the names the show uses, so they are spelt as the show
spells them. The words of one master under one model and these options are
cached in ``.cache/transcripts/<key>.json``: a second run, or ``--force`` on an
unchanged master, costs nothing.

Only this module imports faster-whisper (and numpy, CTranslate2, onnxruntime,
PyAV through it), and only when a transcription actually has to run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from podcast.errors import PodcastError
from podcast.fsutil import atomic_write_text, sha256_file
from podcast.captions.model import Word
from podcast.transcribe.models import ModelRef

log = logging.getLogger(__name__)

CACHE_VERSION = 2  # bump when what is cached changes meaning
SAMPLE_RATE = 16_000
OPTIONS = dict(beam_size=5, vad_filter=True, word_timestamps=True,
               condition_on_previous_text=True)


@dataclass(frozen=True)
class Recognised:
    words: tuple[Word, ...]
    duration: float  # seconds of audio decoded
    cached: bool


def cache_key(master_sha: str, ref: ModelRef, language: str, prompt: str) -> str:
    try:
        from importlib.metadata import version
        engine = f"faster-whisper {version('faster-whisper')} ctranslate2 {version('ctranslate2')}"
    except Exception:  # noqa: BLE001 (metadata missing: still a usable key)
        engine = "faster-whisper ?"
    text = json.dumps([CACHE_VERSION, master_sha, ref.identity, language, prompt, OPTIONS,
                       engine], sort_keys=True)
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
            words = tuple(Word(float(s), float(e), str(t)) for s, e, t in data["words"])
            return Recognised(words, float(data["duration"]), True)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("warning: %s is unreadable; transcribing again", path)
            return None

    def recognise(self, master: Path, *, language: str, prompt: str, where: str,
                  progress: Callable[[float], None] | None = None) -> Recognised:
        """The words spoken in ``master`` (times relative to it)."""
        key = cache_key(sha256_file(master), self.ref, language, prompt)
        hit = self._cached(key)
        if hit is not None:
            log.debug("%s: words from the cache (%s)", where, key[:12])
            return hit
        audio = decode(master, where)
        duration = len(audio) / SAMPLE_RATE
        segments, _info = self.model().transcribe(
            audio, language=language, initial_prompt=prompt or None, **OPTIONS)
        words: list[Word] = []
        try:
            for segment in segments:
                for w in segment.words or ():
                    if not w.word.strip():
                        continue
                    if words and not w.word[:1].isspace():
                        # A piece of the word before ("counter" + "-terrorism", "gov" +
                        # ".uk"): Whisper marks a new word with a leading space.
                        last = words[-1]
                        words[-1] = Word(last.start, round(w.end, 3), last.text + w.word.strip())
                    else:
                        words.append(Word(round(w.start, 3), round(w.end, 3), w.word.strip()))
                if progress:
                    progress(min(segment.end, duration))
        except (RuntimeError, ValueError) as exc:
            raise PodcastError(where, f"transcription failed ({exc})",
                               "Run with -v for details") from None
        if progress:
            progress(duration)
        data = {"words": [[w.start, w.end, w.text] for w in words], "duration": duration,
                "model": self.ref.label}
        atomic_write_text(self.cache_dir / f"{key}.json", json.dumps(data))
        return Recognised(tuple(words), duration, False)


def decode(master: Path, where: str):
    """The master as 16 kHz mono float32 (PyAV, as faster-whisper decodes it)."""
    try:
        from faster_whisper import decode_audio
    except ImportError:
        from podcast.transcribe.models import INSTALL_HINT
        raise PodcastError("podcast transcribe", "faster-whisper is not installed",
                           INSTALL_HINT) from None
    try:
        return decode_audio(str(master), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # PyAV raises its own error classes
        raise PodcastError(where, f"cannot be decoded ({type(exc).__name__}: {exc})",
                           "Export the master again as WAV or FLAC") from None
