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

from tests.interview import ESPEAK, RATE, SENTENCES, Span, _clip, _run, mains, noise_levels

VOICES = {"host": "en-gb", "guest": "en-us+f3"}


@dataclass(frozen=True)
class Session:
    host: Path
    guest: Path
    spans: list[Span]  # kinds: host, guest, pause, overlap
    lines: list[tuple[float, str, str]]  # (start, speaker, sentence), in time order
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
             level: float = -23.0, overlap: bool = False, sign: int = 1,
             pause: float = 2.0) -> Session:
    """Write ``folder/host.wav`` and ``folder/guest.wav``; return the session."""
    assert ESPEAK, "espeak-ng is needed (scripts/system-packages.sh installs it)"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        voice: dict[str, list[tuple[int, bytes]]] = {"host": [], "guest": []}
        lines: list[tuple[float, str, str]] = []
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
                lines.append((at / RATE, who, text))
                at += len(data) // 4
            spans.append(Span(who, start / RATE, at / RATE))
            if overlap and who == "host" and k == 2:
                # The guest cuts in over the end of this turn.
                text = "Yes, exactly that."
                data = _clip(tmp, n, VOICES["guest"], text, level - gap_db)
                n += 1
                begin = at - len(data) // 4 - RATE // 5
                voice["guest"].append((begin, data))
                lines.append((begin / RATE, "guest", text))
                spans.append(Span("overlap", begin / RATE, (begin + len(data) // 4) / RATE))
            gap = round(pause * RATE) if k < turns - 1 else RATE
            if k < turns - 1:
                spans.append(Span("pause", at / RATE, (at + gap) / RATE))
            at += gap
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
    return Session(folder / "host.wav", folder / "guest.wav", spans, sorted(lines), dry, delay)


def _track(path: Path, own: Path, other: Path, total: int, tmp: Path, *, bleed: float,
           shift: int, room_db: float, hum: int | None, seed: int, sign: int = 1) -> None:
    seconds = total / RATE
    pink, brown = noise_levels(seconds, seed, seed + 10)
    hum_expr = mains(hum)
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


def music_bed(session: Session, dest: Path, *, level: float = -26.0, sign: int = 1) -> Path:
    """A stereo music bed as long as the session (``sign`` -1: in the other polarity)."""
    from tests.interview import music

    music(dest, seconds=session.seconds, level=level)
    if sign < 0:
        flipped = dest.with_suffix(".flip.wav")
        _run("-y", "-loglevel", "error", "-i", str(dest), "-af", "volume=-1",
             "-c:a", "pcm_s16le", str(flipped))
        flipped.replace(dest)
    return dest


def halves(a: Path, b: Path, dest: Path) -> tuple[Path, Path]:
    """(a + b) / 2 and (a - b) / 2 of two files made from twins, as WAVs in ``dest``:
    what they share, and what has the other polarity in ``b``."""
    out = []
    for name, sign in (("same", 1), ("diff", -1)):
        path = dest / f"{name}.wav"
        _run("-y", "-loglevel", "error", "-i", str(a), "-i", str(b), "-filter_complex",
             f"[1:a]volume={sign}[b];[0:a][b]amix=inputs=2:normalize=0,volume=0.5[out]",
             "-map", "[out]", "-c:a", "pcm_f32le", str(path))
        out.append(path)
    return out[0], out[1]


def plain_mix(session: Session, dest: Path) -> Path:
    """The tracks summed as they are: what a producer hears before any processing."""
    _run("-y", "-loglevel", "error", "-i", str(session.host), "-i", str(session.guest),
         "-filter_complex", "[0:a][1:a]amix=inputs=2:normalize=0[out]", "-map", "[out]",
         "-c:a", "pcm_s24le", str(dest))
    return dest


# ---- bleed, by the twin with the other polarity -------------------------------------

FIT_RATE = 16000  # Hz: the fits below run on 16 kHz copies (speech's energy lies there)
TAPS = 24  # samples either side of a path's delay (1.5 ms): each path's own filtering


def _pcm(path: Path, raw: bool = False):
    import numpy as np

    fmt = ["-f", "f32le", "-ar", str(RATE), "-ac", "1"] if raw else []
    out = subprocess.run([*_ffmpeg(), *fmt, "-i", str(path), "-af", f"aresample={FIT_RATE}",
                          "-ac", "1", "-f", "f32le", "-"], check=True, capture_output=True)
    return np.frombuffer(out.stdout, np.float32).astype(np.float64)


def _ffmpeg() -> list[str]:
    from podcast.audio.ffmpeg import find_ffmpeg

    return [find_ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error"]


def _fitted(y, dry, lo: int, hi: int, delay: int) -> float:
    """The energy of the part of ``y[lo:hi]`` that is ``dry`` ``delay`` samples late
    through some short filter (a least-squares fit over ``TAPS`` either side)."""
    import numpy as np

    cols = [dry[lo - delay - k:hi - delay - k] for k in range(-TAPS, TAPS + 1)]
    if any(len(c) != hi - lo for c in cols):
        return 0.0
    x = np.stack(cols, axis=1)
    h, *_ = np.linalg.lstsq(x, y[lo:hi], rcond=None)
    return float(np.sum((x @ h) ** 2))


def solo(session: Session, who: str, offset: float = 0.0, edge: float = 0.5
         ) -> list[tuple[float, float]]:
    """The spans where only ``who`` talks (overlaps cut out), less ``edge`` s each side,
    on a file whose time 0 is at ``offset``."""
    cross = [s for s in session.spans if s.kind == "overlap"]
    out = []
    for s in session.spans:
        if s.kind != who:
            continue
        a, b = s.start + edge, s.end - edge
        for o in cross:
            if o.start < b and o.end > a:
                b = min(b, o.start - edge)
        if b > a:
            out.append((a + offset, b + offset))
    return out


def bleed(a: Path, b: Path, session: Session, offset: float = 0.0, *, block: float = 0.5
          ) -> dict[str, float]:
    """Per speaker, dB of their bleed (the other microphone's copy of their voice) under
    their direct voice, where only they talk. ``a`` was made from ``session`` and ``b``
    the same way from its twin whose bleed has the other polarity
    (``two_mics(sign=-1)``): the bleed is in (a - b) / 2 only, the direct voice in
    (a + b) / 2. Each is measured as the part of those that is the dry voice (late by
    the bleed's delay, or on time) through a short filter, fitted in blocks: what
    else differs between the two files (an MP3's coding noise, about -26 dB) is not
    the voice, and is not counted."""
    x, y = _pcm(a), _pcm(b)
    n = min(len(x), len(y))
    diff, same = (x[:n] - y[:n]) / 2, (x[:n] + y[:n]) / 2
    delay, step = round(session.delay * FIT_RATE), round(block * FIT_RATE)
    out = {}
    for who in ("host", "guest"):
        dry = _pcm(session.dry[who], raw=True)
        d = s = 0.0
        for lo_s, hi_s in solo(session, who, offset):
            for lo in range(round(lo_s * FIT_RATE), round(hi_s * FIT_RATE) - step, step):
                shift = round(offset * FIT_RATE)
                d += _fitted(diff, dry, lo, lo + step, delay + shift)
                s += _fitted(same, dry, lo, lo + step, shift)
        out[who] = 10 * math.log10(d / s) if d > 0 and s > 0 else -200.0
    return out


# ---- the transcript: speakers and words ------------------------------------------------

def attribution(cues, session: Session) -> tuple[float, float, int]:
    """(share of the recognised words that match the reference and stand under their
    speaker's voice tag, the word error rate, words matched). The reference is what
    each speaker said, in time order; the transcript's words in time order are
    aligned to it (Levenshtein, as ``speech.wer``)."""
    from tests.speech import words

    ref = [(w, who) for _, who, text in session.lines for w in words(text)]
    hyp = [(w, (c.speaker or "").lower()) for c in sorted(cues, key=lambda c: c.start)
           for w in words(c.text)]
    rows, cols = len(ref) + 1, len(hyp) + 1
    cost = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        cost[i][0] = i
    for j in range(cols):
        cost[0][j] = j
    for i in range(1, rows):
        for j in range(1, cols):
            cost[i][j] = min(cost[i - 1][j] + 1, cost[i][j - 1] + 1,
                             cost[i - 1][j - 1] + (ref[i - 1][0] != hyp[j - 1][0]))
    i, j, matched, right = len(ref), len(hyp), 0, 0
    while i and j:
        if ref[i - 1][0] == hyp[j - 1][0] and cost[i][j] == cost[i - 1][j - 1]:
            matched += 1
            right += ref[i - 1][1] == hyp[j - 1][1]
            i, j = i - 1, j - 1
        elif cost[i][j] == cost[i - 1][j - 1] + 1:
            i, j = i - 1, j - 1
        elif cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return right / max(1, matched), cost[-1][-1] / max(1, len(ref)), matched
