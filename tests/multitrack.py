"""Generated multitrack interviews: one microphone per speaker, each hearing the other.

``two_mics(folder)`` writes what a remote or studio interview recorder delivers:
``host.wav`` and ``guest.wav`` (48 kHz mono, 24-bit), starting together. Each
track holds its speaker's espeak-ng voice, the other speaker's voice as bleed
(``bleed_db`` under that voice on its own microphone, ``delay`` seconds late),
its own room tone (independent pink noise) and rumble; the guest speaks
``gap_db`` quieter than the host and their track has mains hum. Optionally a
``overlap``: the guest says a few words while the host is still talking.

It returns the exact spans (host, guest, pause, overlap) on the tracks' clock,
so a test measures each speaker, the bleed and the pauses of the decoded MP3
(``interview.measure`` does the voices, pauses and hum), and the reference
text each speaker said, for transcript attribution and WER.

``bleed(path, spans, dry)``: how far under the direct voice the other
microphone's copy of it sits in ``path``, per speaker: a least-squares fit of
the file against the dry voice and the same voice ``delay`` later (the
bleed's path), over the spans where only that speaker talks.
"""

from __future__ import annotations

import math
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.interview import ESPEAK, HUM_LEVELS, RATE, SENTENCES, Span, _clip, _rms, _run

VOICES = {"host": "en-gb", "guest": "en-us+f3"}


@dataclass(frozen=True)
class Session:
    host: Path
    guest: Path
    spans: list[Span]  # kinds: host, guest, pause, overlap
    said: dict[str, list[str]]  # speaker -> sentences, in order
    dry: dict[str, Path]  # speaker -> the dry voice alone (f32le mono at RATE), as placed
    delay: float

    @property
    def seconds(self) -> float:
        return self.spans[-1].end + 2.0


def _place(total: int, parts: list[tuple[int, bytes]]) -> bytearray:
    out = bytearray(b"\0" * (4 * total))
    for at, data in parts:
        out[4 * at:4 * at + len(data)] = data
    return out


def two_mics(folder: Path, *, turns: int = 6, gap_db: float = 12.0, bleed_db: float = 14.0,
             delay: float = 0.008, hum: int | None = 50, room_db: float = -60.0,
             level: float = -23.0, overlap: bool = False, sign: int = 1) -> Session:
    """Write ``folder/host.wav`` and ``folder/guest.wav``; return the session."""
    assert ESPEAK, "espeak-ng is needed (scripts/system-packages.sh installs it)"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        voice: dict[str, list[tuple[int, bytes]]] = {"host": [], "guest": []}
        said: dict[str, list[str]] = {"host": [], "guest": []}
        spans: list[Span] = []
        at, n = RATE, 0
        for k in range(turns):
            who = "host" if k % 2 == 0 else "guest"
            target = level - (gap_db if who == "guest" else 0.0)
            start = at
            for j in range(2):
                if j:
                    at += RATE // 4
                text = SENTENCES[n % len(SENTENCES)]
                data = _clip(tmp, n, VOICES[who], text, target)
                n += 1
                voice[who].append((at, data))
                said[who].append(text)
                at += len(data) // 4
            spans.append(Span(who, start / RATE, at / RATE))
            if overlap and who == "host" and k == 2:
                # The guest cuts in over the end of this turn.
                text = "Yes, exactly that."
                data = _clip(tmp, n, VOICES["guest"], text, level - gap_db)
                n += 1
                begin = at - len(data) // 4 - RATE // 5
                voice["guest"].append((begin, data))
                said["guest"].append(text)
                spans.append(Span("overlap", begin / RATE, (begin + len(data) // 4) / RATE))
            pause = round(2.0 * RATE) if k < turns - 1 else RATE
            if k < turns - 1:
                spans.append(Span("pause", at / RATE, (at + pause) / RATE))
            at += pause
        total = at + RATE
        dry = {}
        for who in ("host", "guest"):
            dry[who] = folder / f".dry-{who}.f32"
            dry[who].write_bytes(bytes(_place(total, voice[who])))
        shift = round(delay * RATE)
        for who, other in (("host", "guest"), ("guest", "host")):
            _track(folder / f"{who}.wav", dry[who], dry[other], total, tmp,
                   bleed=-bleed_db, shift=shift, room_db=room_db, sign=sign,
                   hum=hum if who == "guest" else None, seed=11 if who == "host" else 12)
    spans.sort(key=lambda s: s.start)
    return Session(folder / "host.wav", folder / "guest.wav", spans, said, dry, delay)


def _track(path: Path, own: Path, other: Path, total: int, tmp: Path, *, bleed: float,
           shift: int, room_db: float, hum: int | None, seed: int, sign: int = 1) -> None:
    seconds = total / RATE
    pink = _rms(f"anoisesrc=color=pink:r={RATE}:a=0.5:seed={seed}", seconds)
    brown = _rms(f"anoisesrc=color=brown:r={RATE}:a=0.5:seed={seed + 10},lowpass=f=40,"
                 "lowpass=f=40", seconds)
    hum_expr = "+".join(
        f"{10 ** (db / 20) * math.sqrt(2):.6f}*sin(2*PI*{hum * h}*t+{h * 0.7})"
        for h, db in enumerate(HUM_LEVELS, start=1)) if hum else "0"
    raw = ["-f", "f32le", "-ar", str(RATE), "-ac", "1"]
    graph = ";".join([
        f"[1:a]adelay={shift}S,volume={sign * 10 ** (bleed / 20):.8f}:precision=float,"
        f"atrim=end_sample={total}[b]",
        f"aevalsrc=exprs='{hum_expr}':s={RATE}:d={seconds}[h]",
        f"anoisesrc=color=pink:r={RATE}:a=0.5:seed={seed}:d={seconds},"
        f"volume={room_db - pink:.2f}dB[p]",
        f"anoisesrc=color=brown:r={RATE}:a=0.5:seed={seed + 10}:d={seconds},lowpass=f=40,"
        f"lowpass=f=40,volume={room_db + 7 - brown:.2f}dB[r]",
        "[0:a][b][h][p][r]amix=inputs=5:normalize=0:duration=first[out]"])
    _run("-y", "-loglevel", "error", *raw, "-i", str(own), *raw, "-i", str(other),
         "-filter_complex", graph, "-map", "[out]", "-c:a", "pcm_s24le", str(path))


def plain_mix(session: Session, dest: Path) -> Path:
    """The tracks summed as they are: what a producer hears before any processing."""
    _run("-y", "-loglevel", "error", "-i", str(session.host), "-i", str(session.guest),
         "-filter_complex", "[0:a][1:a]amix=inputs=2:normalize=0[out]", "-map", "[out]",
         "-c:a", "pcm_s24le", str(dest))
    return dest


# ---- bleed, by a least-squares fit against the dry voices ------------------------------

def _pcm(path: Path, offset: float) -> "np.ndarray":  # noqa: F821
    import numpy as np

    out = subprocess.run([*_ffmpeg(), "-i", str(path), "-af",
                          f"atrim=start={offset},asetpts=PTS-STARTPTS,aresample={RATE}",
                          "-ac", "1", "-f", "f32le", "-"], check=True, capture_output=True)
    return np.frombuffer(out.stdout, np.float32).astype(np.float64)


def _ffmpeg() -> list[str]:
    from podcast.audio.ffmpeg import find_ffmpeg

    return [find_ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error"]


def bleed(path: Path, session: Session, offset: float = 0.0, *, block: float = 0.5
          ) -> dict[str, float]:
    """Per speaker, dB of their bleed (the copy ``delay`` late) under their direct voice in
    ``path`` (master time 0 at ``offset``), over the spans where only they talk (the
    first and last half second of each left out: gates open and close there).

    In blocks of ``block`` seconds the file is fitted as ``a * dry(t) + b * dry(t -
    delay)`` (plus whatever else): a is the direct path's gain, b the bleed's. The
    energy-weighted ratio b/a, in dB, is the bleed under the voice."""
    import numpy as np

    audio = _pcm(path, offset)
    shift = round(session.delay * RATE)
    out = {}
    for who in ("host", "guest"):
        dry = np.frombuffer(session.dry[who].read_bytes(), np.float32).astype(np.float64)
        direct = bled = 0.0
        for span in (s for s in session.spans if s.kind == who):
            a0, b0 = round((span.start + 0.5) * RATE), round((span.end - 0.5) * RATE)
            for lo in range(a0, b0 - round(block * RATE), round(block * RATE)):
                hi = lo + round(block * RATE)
                x0, x1 = dry[lo:hi], dry[lo - shift:hi - shift]
                y = audio[lo:hi]
                if len(y) < hi - lo or not x0.any():
                    continue
                coef, *_ = np.linalg.lstsq(np.stack([x0, x1], axis=1), y, rcond=None)
                weight = float(np.dot(x0, x0))
                direct += weight * coef[0] ** 2
                bled += weight * coef[1] ** 2
        out[who] = 10 * math.log10(bled / direct) if bled > 0 and direct > 0 else -200.0
    return out
