"""Generated speech with fillers and long pauses, for the automatic cutter's tests.

``script(path)`` speaks ``PIECES`` with espeak-ng one piece at a time, trims
each piece's own silence, and lays them end to end with the gaps written
beside them, over pink room tone (-60 dBFS RMS). It returns a
``Script``: where every piece starts and ends in the master, which ones are
fillers, and the gaps. Six fillers ("um", "uh", "er", "hmm", "erm", "ah"),
three 4 s pauses and five 0.8 s ones, as in issue 17's outside check.

``onsets(path)`` and ``gaps(path)`` read speech back from any file with numpy
(10 ms RMS against the quietest tenth), independently of the cutter's own
envelope.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from podcast.audio.ffmpeg import find_ffmpeg

ESPEAK = shutil.which("espeak-ng")
RATE = 44100
VOICE = "en-gb"
FILLER_GAP = 0.25  # seconds around a filler, as a speaker pauses round "um"

# (text, gap after it in seconds, filler?)
PIECES = [
    ("So,", FILLER_GAP, False), ("um,", FILLER_GAP, True),
    ("I saw the van parked outside the house.", 0.8, False),
    ("And,", FILLER_GAP, False), ("uh,", FILLER_GAP, True),
    ("I thought something was wrong.", 4.0, False),
    ("I called the hotline the next morning.", 0.8, False),
    ("They told me,", FILLER_GAP, False), ("er,", FILLER_GAP, True),
    ("to act on my instincts.", 4.0, False),
    ("Hmm,", 0.3, True), ("I was not sure at first.", 0.8, False),
    ("But,", FILLER_GAP, False), ("erm,", FILLER_GAP, True),
    ("I did it anyway.", 4.0, False),
    ("Ah,", 0.3, True), ("the police were very kind to me.", 0.8, False),
    ("They listened to every word I said.", 0.8, False),
    ("Then they thanked me for calling.", 0.0, False),
]
LEAD = 0.6  # seconds of room tone before the first word


@dataclass(frozen=True)
class Piece:
    text: str
    start: float  # seconds in the master
    end: float
    filler: bool
    gap: float  # seconds of room tone after it


@dataclass(frozen=True)
class Script:
    pieces: tuple[Piece, ...]
    duration: float

    @property
    def reference(self) -> str:
        """What is said, fillers left out."""
        return " ".join(p.text for p in self.pieces if not p.filler)

    def starting(self, text: str) -> Piece:
        return next(p for p in self.pieces if p.text.startswith(text))


def _run(*args: str) -> None:
    subprocess.run([find_ffmpeg(), "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def _seconds(path: Path) -> float:
    import wave

    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


PINK_RMS = -14.4  # dBFS: anoisesrc's pink noise at amplitude 1 (measured)


def script(path: Path, pieces=PIECES, *, noise_db: float = -60.0) -> Script:
    """Write the master to ``path`` (WAV, mono, 44.1 kHz) and return its script."""
    out: list[Piece] = []
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        t = LEAD
        for i, (text, gap, filler) in enumerate(pieces):
            raw, trimmed = Path(tmp) / f"{i}.wav", Path(tmp) / f"{i}t.wav"
            subprocess.run([ESPEAK, "-v", VOICE, "-s", "150", "-w", str(raw), text], check=True)
            trim = "silenceremove=start_periods=1:start_threshold=-55dB"
            _run("-i", str(raw), "-af", f"aresample={RATE},{trim},areverse,{trim},areverse",
                 "-ac", "1", str(trimmed))
            length = _seconds(trimmed)
            out.append(Piece(text, round(t, 4), round(t + length, 4), filler, gap))
            files.append((trimmed, t))
            t += length + gap
        duration = t + LEAD
        inputs = [a for f, _ in files for a in ("-i", str(f))]
        delays = "".join(f"[{i}:a]adelay={round(start * 1000, 3)}:all=1[d{i}];"
                         for i, (_, start) in enumerate(files))
        mix = "".join(f"[d{i}]" for i in range(len(files)))
        n = len(files)
        graph = (delays + f"anoisesrc=c=pink:r={RATE}:a=1:seed=7:d={duration:.3f},"
                 f"volume={noise_db - PINK_RMS:.1f}dB[noise];{mix}[noise]amix=inputs={n + 1}:"
                 f"normalize=0:duration=longest,atrim=0:{duration:.3f}[out]")
        path.parent.mkdir(parents=True, exist_ok=True)
        _run(*inputs, "-filter_complex", graph, "-map", "[out]", "-ac", "1", "-ar", str(RATE),
             "-c:a", "pcm_s16le", str(path))
    return Script(tuple(out), round(duration, 4))


# ---- reading speech back, independently of the cutter ---------------------------

def envelope(path: Path):
    """dB of 10 ms RMS frames of ``path`` (mono mix, 8 kHz, 80 Hz high-pass)."""
    import numpy as np

    pcm = subprocess.run([find_ffmpeg(), "-nostdin", "-loglevel", "error", "-i", str(path),
                          "-af", "aresample=8000,highpass=f=80", "-ac", "1", "-f", "f32le",
                          "-"], stdout=subprocess.PIPE, check=True).stdout
    x = np.frombuffer(pcm, np.float32).astype(np.float64)
    n = len(x) // 80
    return 10 * np.log10(np.mean(x[:n * 80].reshape(n, 80) ** 2, axis=1) + 1e-20)


def speech_spans(path: Path, over_floor: float = 15.0, join: float = 0.15) -> list[tuple]:
    """(start, end) seconds where ``path`` is speech: over its quietest tenth by
    ``over_floor`` dB, gaps shorter than ``join`` closed."""
    import numpy as np

    e = envelope(path)
    floor = float(np.percentile(e, 10))
    on = e > floor + over_floor
    spans: list[list[float]] = []
    start = None
    for k, flag in enumerate(list(on) + [False]):
        if flag and start is None:
            start = k
        elif not flag and start is not None:
            if spans and (start / 100 - spans[-1][1]) < join:
                spans[-1][1] = k / 100
            else:
                spans.append([start / 100, k / 100])
            start = None
    return [(a, b) for a, b in spans if b - a >= 0.05]


def gaps(path: Path) -> list[tuple[float, float]]:
    """(where, length) of every silence between speech in ``path``."""
    spans = speech_spans(path)
    return [(spans[i][1], spans[i + 1][0] - spans[i][1]) for i in range(len(spans) - 1)]
