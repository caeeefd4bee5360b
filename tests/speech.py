"""Generated speech for the transcription tests: espeak-ng voices, joined by ffmpeg.

``dialogue(path, LINES)`` speaks each (voice, text) line, one after another with
a short pause, into one WAV; it returns the reference text. ``wer`` is the word
error rate of a hypothesis against it (lower case, hyphens as spaces, only
letters, digits and apostrophes; word-level Levenshtein distance). The
``whisper_offline`` fixture keeps the recogniser off the network.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from podcast.audio.ffmpeg import find_ffmpeg

ESPEAK = shutil.which("espeak-ng")


@pytest.fixture(scope="module")
def whisper_offline(tmp_path_factory):
    """No network, and one joined copy of the packaged Whisper models for the session's
    modules (a plugin of conftest.py: ``pytest.mark.usefixtures("whisper_offline")``)."""
    import os

    from podcast.transcribe.models import ENV_CACHE

    saved = {k: os.environ.get(k) for k in (ENV_CACHE, "HF_HUB_OFFLINE")}
    os.environ[ENV_CACHE] = str(tmp_path_factory.getbasetemp() / "whisper-models")
    os.environ["HF_HUB_OFFLINE"] = "1"
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v

# Two voices, about 25 s: a narrator and a witness.
LINES = [
    ("en-gb", "March two thousand and twenty. A quiet street in the north of England."),
    ("en-us+f3", "I noticed a van parked outside the house every night. "
                 "Something did not feel right."),
    ("en-gb", "She called the confidential hotline and reported what she had seen."),
    ("en-us+f3", "I was worried I was wasting their time. "
                 "But they told me to act on my instincts."),
]


def dialogue(path: Path, lines=LINES, *, pause: float = 0.6, rate: int = 44100) -> str:
    """Speak ``lines`` into ``path`` (WAV); returns the reference text."""
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for i, (voice, text) in enumerate(lines):
            wav = Path(tmp) / f"{i}.wav"
            subprocess.run([ESPEAK, "-v", voice, "-s", "150", "-w", str(wav), text], check=True)
            parts.append(wav)
        inputs = [a for p in parts for a in ("-i", str(p))]
        chain = "".join(f"[{i}:a]aresample={rate},apad=pad_dur={pause}[p{i}];"
                        for i in range(len(parts)))
        chain += "".join(f"[p{i}]" for i in range(len(parts)))
        chain += f"concat=n={len(parts)}:v=0:a=1,adelay=500:all=1[out]"
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([find_ffmpeg(), "-nostdin", "-loglevel", "error", "-y", *inputs,
                        "-filter_complex", chain, "-map", "[out]", "-ac", "1", str(path)],
                       check=True)
    return " ".join(text for _, text in lines)


def words(text: str) -> list[str]:
    text = text.lower().replace("-", " ")
    return re.sub(r"[^a-z0-9' ]+", " ", text).split()


def wer(reference: str, hypothesis: str) -> float:
    r, h = words(reference), words(hypothesis)
    prev = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        cur = [i] + [0] * len(h)
        for j in range(1, len(h) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r[i - 1] != h[j - 1]))
        prev = cur
    return prev[-1] / max(1, len(r))
