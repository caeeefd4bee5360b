"""Generated interview masters and the measurements the speech-chain tests assert.

``interview(path)`` writes what an outside interview master sounds like: two
espeak-ng voices taking turns, the second ``gap_db`` quieter than the first,
pauses between turns (one of 8 s), pink room tone (independent per channel),
low rumble and, optionally, mains hum at 50 or 60 Hz with four harmonics.
It returns the exact spans (voice A, voice B, pause), so a test can measure
each speaker and each pause of the decoded MP3.

``measure(path, spans, offset)`` is one streaming ffmpeg pass over any file:

- voice gap: each speaker's BS.1770 loudness from the 100 ms momentary
  values whose 400 ms window lies inside that speaker's turns (absolute gate
  -70 LUFS, relative gate -10 LU within the set), A minus B;
- pause level: the energy mean of the momentary values inside pauses,
  relative to the loudness of all speech (LU);
- hum: narrow bands (Q 30, at 4 kHz) during pauses, the first 0.6 s of each
  skipped (ringing of the speech before it), relative to the speech's RMS,
  summed over the five harmonics;
- movement inside turns: the standard deviation of short-term loudness over
  the windows inside each turn, averaged (pumping raises it).

Only ffmpeg and espeak-ng: no numpy.
"""

from __future__ import annotations

import math
import re
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from podcast.audio.ffmpeg import find_ffmpeg

ESPEAK = shutil.which("espeak-ng")
RATE = 48000

SENTENCES = [
    "Welcome back to the show, today we are talking about the history of public radio.",
    "Thanks for having me, it is a real pleasure to be here again.",
    "So let us start at the beginning, how did you first get into broadcasting?",
    "Well, it was quite by accident, I was studying engineering at the time.",
    "A friend asked me to help with the transmitter at the campus station.",
    "And that turned into a career that has lasted more than thirty years.",
    "That is remarkable, what changed the most during those years?",
    "Honestly, the equipment became smaller while the audience became larger.",
    "We used to carry tape machines that weighed as much as a suitcase.",
    "Now a phone in your pocket records better sound than we ever had.",
    "Do you think the craft of interviewing has changed as well?",
    "The craft is the same, you listen carefully and you ask the next question.",
    "But people expect a faster pace today, and shorter answers.",
    "Let us talk about the night the power failed during the election broadcast.",
    "Oh, that was a long night, we ran the whole studio from a small generator.",
    "The lights flickered, but the signal stayed on the air until morning.",
    "What advice would you give to someone starting a podcast this year?",
    "Start simple, use one good microphone, and record in a quiet room.",
    "Edit less than you think, because listeners forgive small mistakes.",
    "And publish on a regular schedule so people can find you.",
    "That is great advice, thank you so much for joining us today.",
    "Thank you, it was a lot of fun, I hope we can do it again soon.",
    "Before we finish, tell us what you are working on next.",
    "I am writing a book about small radio stations in rural areas.",
]
VOICES = {"A": "en-gb", "B": "en-us+f3"}
PAUSES = [1.5, 2.0, 8.0, 1.2, 2.5, 1.8, 2.2, 3.5, 1.5, 2.8, 2.0]
HUM_LEVELS = (-48, -52, -50, -60, -58)  # dBFS RMS of f0 .. 5 f0


@dataclass(frozen=True)
class Span:
    kind: str  # A, B or pause
    start: float
    end: float


def _run(*args: str, capture: bool = False) -> str:
    r = subprocess.run([find_ffmpeg(), "-nostdin", "-hide_banner", *args], check=True,
                       capture_output=True, text=True)
    return r.stderr if capture else ""


def _loudness(path: Path, fmt: list[str]) -> float:
    err = _run(*fmt, "-i", str(path), "-af", "ebur128=framelog=verbose", "-f", "null", "-",
               capture=True)
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", err)[-1])


def _rms(source: str, seconds: float) -> float:
    err = _run("-f", "lavfi", "-i", source, "-t", str(seconds), "-af",
               "astats=measure_perchannel=none:measure_overall=RMS_level", "-f", "null", "-",
               capture=True)
    return float(re.findall(r"RMS level dB:\s*(-?[\d.]+)", err)[-1])


def _clip(tmp: Path, i: int, voice: str, text: str, target: float) -> bytes:
    """One sentence, trimmed, 48 kHz mono float, at ``target`` LUFS."""
    wav, raw = tmp / f"s{i}.wav", tmp / f"s{i}.f32"
    subprocess.run([ESPEAK, "-v", voice, "-s", "165", "-w", str(wav), text], check=True)
    trim = "silenceremove=start_periods=1:start_threshold=-50dB"
    _run("-y", "-i", str(wav), "-af", f"aresample={RATE},{trim},areverse,{trim},areverse",
         "-f", "f32le", "-ac", "1", str(raw))
    raw_fmt = ["-f", "f32le", "-ar", str(RATE), "-ac", "1"]
    gain = target - _loudness(raw, raw_fmt)
    out = tmp / f"s{i}.g.f32"
    _run("-y", *raw_fmt, "-i", str(raw), "-af", f"volume={gain:.3f}dB:precision=float",
         "-f", "f32le", str(out))
    return out.read_bytes()


def noise_levels(seconds: float, pink_seed: int, brown_seed: int) -> tuple[float, float]:
    """dBFS RMS of the pink room tone and the (low-passed) brown rumble these seeds give:
    what their gain is worked out from."""
    return (_rms(f"anoisesrc=color=pink:r={RATE}:a=0.5:seed={pink_seed}", seconds),
            _rms(f"anoisesrc=color=brown:r={RATE}:a=0.5:seed={brown_seed},lowpass=f=40,"
                 "lowpass=f=40", seconds))


def mains(hum: int | None, hum_db: float = 0.0) -> str:
    """An aevalsrc expression of mains hum at ``hum`` Hz and four harmonics (HUM_LEVELS)."""
    if not hum:
        return "0"
    return "+".join(
        f"{10 ** ((db + hum_db) / 20) * math.sqrt(2):.6f}*sin(2*PI*{hum * h}*t+{h * 0.7})"
        for h, db in enumerate(HUM_LEVELS, start=1))


def interview(path: Path, *, turns: int = 6, gap_db: float = 12.0, hum: int | None = 50,
              hum_db: float = 0.0, room_db: float = -57.0, rumble_db: float = -50.0,
              level_a: float = -23.0, channels: int = 2) -> list[Span]:
    """Write the master (24-bit WAV, 48 kHz) and return its spans."""
    assert ESPEAK, "espeak-ng is needed (scripts/system-packages.sh installs it)"
    zero = struct.pack("<f", 0.0)
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        speech = bytearray(zero * RATE)  # 1 s lead
        spans: list[Span] = []
        at = RATE
        for k in range(turns):
            voice = "A" if k % 2 == 0 else "B"
            level = level_a - (gap_db if voice == "B" else 0.0)
            start = at
            for j in range(2):  # two sentences per turn, 0.25 s apart
                if j:
                    speech += zero * (RATE // 4)
                    at += RATE // 4
                data = _clip(tmp, 2 * k + j, VOICES[voice], SENTENCES[(2 * k + j)
                                                                     % len(SENTENCES)], level)
                speech += data
                at += len(data) // 4
            spans.append(Span(voice, start / RATE, at / RATE))
            pause = round((PAUSES[k % len(PAUSES)] if k < turns - 1 else 2.0) * RATE)
            if k < turns - 1:
                spans.append(Span("pause", at / RATE, (at + pause) / RATE))
            speech += zero * pause
            at += pause
        raw = tmp / "speech.f32"
        raw.write_bytes(bytes(speech))
        seconds = at / RATE
        pink, brown = noise_levels(seconds, 11, 21)
        hum_expr = mains(hum, hum_db)
        inputs = ["-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", str(raw)]
        graph = [f"aevalsrc=exprs='{hum_expr}':s={RATE}:d={seconds}[hum]",
                 f"[0:a][hum]amix=inputs=2:normalize=0,asplit={channels}"
                 + "".join(f"[s{c}]" for c in range(channels))]
        for c in range(channels):
            graph.append(f"anoisesrc=color=pink:r={RATE}:a=0.5:seed={11 + c}:d={seconds},"
                         f"volume={room_db - pink:.2f}dB[p{c}]")
            graph.append(f"anoisesrc=color=brown:r={RATE}:a=0.5:seed={21 + c}:d={seconds},"
                         f"lowpass=f=40,lowpass=f=40,volume={rumble_db - brown:.2f}dB[b{c}]")
            graph.append(f"[s{c}][p{c}][b{c}]amix=inputs=3:normalize=0[c{c}]")
        if channels == 2:
            graph.append("[c0][c1]join=inputs=2:channel_layout=stereo[out]")
        else:
            graph.append("[c0]anull[out]")
        path.parent.mkdir(parents=True, exist_ok=True)
        _run("-y", "-loglevel", "error", *inputs, "-filter_complex", ";".join(graph),
             "-map", "[out]", "-c:a", "pcm_s24le", str(path))
    return spans


def music(path: Path, *, seconds: float = 6.0, level: float = -20.0, rate: int = 44100) -> Path:
    """A music-like sting (chords with a slow tremolo) at about ``level`` LUFS."""
    chord = "+".join(f"sin(2*PI*{f}*t)" for f in (220, 277.2, 329.6, 440, 659.3))
    expr = f"0.1*({chord})*(0.7+0.3*sin(2*PI*2*t))"
    tmp = path.with_suffix(".raw.wav")
    path.parent.mkdir(parents=True, exist_ok=True)
    _run("-y", "-loglevel", "error", "-f", "lavfi", "-i",
         f"aevalsrc=exprs='{expr}|{expr}':s={rate}:d={seconds}", "-c:a", "pcm_f32le", str(tmp))
    gain = level - _loudness(tmp, [])
    _run("-y", "-loglevel", "error", "-i", str(tmp), "-af", f"volume={gain:.2f}dB",
         "-c:a", "pcm_s16le", str(path))
    tmp.unlink()
    return path


# ---- measuring --------------------------------------------------------------------

HUM_BANDS = {50: (50, 100, 150, 200, 250), 60: (60, 120, 180, 240, 300)}
_FRAME = re.compile(r"t:\s*([\d.]+)\s+TARGET:\S+ LUFS\s+M:\s*(-?[\d.]+)\s+S:\s*(-?[\d.]+)")


@dataclass(frozen=True)
class Figures:
    integrated: float
    lra: float
    true_peak: float
    level_a: float
    level_b: float
    speech: float  # LUFS of all speech
    pause: float  # LU relative to the speech
    hum: dict  # f0 -> dB of the five harmonics in pauses, re speech RMS
    movement: float  # mean std of short-term loudness inside turns, LU

    @property
    def gap(self) -> float:
        return self.level_a - self.level_b


def _power(values) -> float:
    values = list(values)
    return sum(10 ** (v / 10) for v in values) / len(values) if values else 0.0


def _db(p: float) -> float:
    return 10 * math.log10(p) if p > 0 else -200.0


def _gated(values) -> float:
    kept = [v for v in values if v > -70]
    if not kept:
        return -200.0
    rel = _db(_power(kept)) - 10
    return _db(_power(v for v in kept if v > rel))


def _inside(end: float, window: float, spans) -> bool:
    return any(end - window >= a - 1e-3 and end <= b + 1e-3 for a, b in spans)


def _stats(path: Path) -> list[float]:
    values = []
    for line in path.read_text().splitlines():
        if "RMS_level=" in line:
            text = line.split("=", 1)[1].strip()
            values.append(-200.0 if "inf" in text else float(text))
    return values


def measure(path: Path, spans: list[Span], offset: float = 0.0) -> Figures:
    """Figures of ``path`` (master or decoded MP3) whose master time 0 is at ``offset``."""
    bands = [f for fs in HUM_BANDS.values() for f in fs]
    st = "astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=RMS_level"
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        mono = "pan=mono|c0=0.5*c0+0.5*c1" if _channels(path) == 2 else "anull"
        graph = [f"[0:a]aresample={RATE},asplit=3[e][r][h]",
                 "[e]ebur128=framelog=info:peak=true[o]",
                 f"[r]{mono},asetnsamples=n={RATE // 10},{st},"
                 f"ametadata=mode=print:file={tmp}/rms.txt,anullsink",
                 f"[h]{mono},aresample=4000,asplit={len(bands)}"
                 + "".join(f"[h{i}]" for i in range(len(bands)))]
        for i, f in enumerate(bands):
            graph.append(f"[h{i}]bandpass=f={f}:width_type=q:w=30,asetnsamples=n=400,{st},"
                         f"ametadata=mode=print:file={tmp}/b{i}.txt,anullsink")
        err = _run("-i", str(path), "-filter_complex", ";".join(graph), "-map", "[o]",
                   "-f", "null", "-", capture=True)
        rms = _stats(tmp / "rms.txt")
        band = {f: _stats(tmp / f"b{i}.txt") for i, f in enumerate(bands)}
    frames = [(round(float(m.group(1)), 1), float(m.group(2)), float(m.group(3)))
              for m in _FRAME.finditer(err)]
    summary = err[err.rindex("Summary:"):]
    by = {k: [(s.start + offset, s.end + offset) for s in spans if s.kind == k]
          for k in ("A", "B", "pause")}
    speech = by["A"] + by["B"]
    level = {k: _gated(m for t, m, _ in frames if _inside(t, 0.4, v))
             for k, v in (("A", by["A"]), ("B", by["B"]), ("S", speech))}
    pause = _db(_power(m for t, m, _ in frames if _inside(t, 0.4, by["pause"]))) - level["S"]
    speech_rms = _db(_power(v for i, v in enumerate(rms) if _inside((i + 1) / 10, 0.1,
                                                                    speech)))
    skip = [(a, a + 0.6) for a, _ in by["pause"]]
    hum = {}
    for f0, fs in HUM_BANDS.items():
        total = 0.0
        for f in fs:
            total += _power(v for i, v in enumerate(band[f])
                            if _inside((i + 1) / 10, 0.1, by["pause"])
                            and not _inside((i + 1) / 10, 0.1, skip))
        hum[f0] = _db(total) - speech_rms
    movement = []
    for a, b in speech:
        inside = [s for t, _, s in frames if _inside(t, 3.0, [(a, b)])]
        if len(inside) >= 5:
            mean = sum(inside) / len(inside)
            movement.append(math.sqrt(sum((s - mean) ** 2 for s in inside) / len(inside)))
    return Figures(
        integrated=float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)),
        lra=float(re.search(r"LRA:\s+([\d.]+) LU", summary).group(1)),
        true_peak=float(re.search(r"Peak:\s+(-?[\d.inf]+) dBFS", summary).group(1)),
        level_a=level["A"], level_b=level["B"], speech=level["S"], pause=pause, hum=hum,
        movement=sum(movement) / len(movement) if movement else 0.0)


def _channels(path: Path) -> int:
    err = _run("-i", str(path), "-t", "0.01", "-f", "null", "-", capture=True)
    return 1 if re.search(r"Audio: [^\n]*\bmono\b", err) else 2
