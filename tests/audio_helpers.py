"""Generated test signals for the audio tests (real ffmpeg lavfi, a few seconds each).

``speech_like`` is a voiced tone (harmonics of 160 Hz and two formant-ish
partials) gated into syllables and phrases, so loudness gating and LRA behave
like speech; ``peaky=True`` adds sparse, loud clicks like plosives, so the
peak-to-loudness ratio is that of raw dialogue and the gain to -16 LUFS needs
the limiter.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

from podcast.audio.ffmpeg import find_ffmpeg

VOICE = ("0.25*(sin(2*PI*160*t)+0.6*sin(2*PI*320*t)+0.4*sin(2*PI*480*t)"
         "+0.25*sin(2*PI*730*t)+0.15*sin(2*PI*1250*t)+0.08*sin(2*PI*2600*t))"
         "*gt(sin(2*PI*3.1*t),0.1)*(0.55+0.45*sin(2*PI*0.37*t))*gt(mod(t,4),0.35)")
CLICKS = "+0.95*sin(2*PI*2100*t)*lt(mod(t,0.9),0.002)"


def ffmpeg(*args: str) -> None:
    subprocess.run([find_ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                    *args], check=True)


def speech_like(path: Path, *, seconds: float = 6.0, gain_db: float = 0.0,
                rate: int = 48000, channels: int = 2, peaky: bool = False,
                codec: str | None = None) -> Path:
    """A speech-like master at ``path`` (format from the suffix; ``codec`` for WAV depth)."""
    expr = VOICE + (CLICKS if peaky else "")
    right = expr.replace("160*t", "161*t") if channels == 2 else None
    exprs = f"{expr}|{right}" if right else expr
    layout = "stereo" if channels == 2 else "mono"
    args = ["-f", "lavfi", "-i",
            f"aevalsrc=exprs='{exprs}':s={rate}:d={seconds}:c={layout}",
            "-af", f"volume={gain_db}dB:precision=float"]
    if codec:
        args += ["-c:a", codec]
    path.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg(*args, str(path))
    return path


def sine(path: Path, *, seconds: float, level_dbfs: float, freq: float = 1000.0,
         rate: int = 48000, phase: float = 0.0, fade: float = 0.0) -> Path:
    """A stereo sine with peak amplitude ``level_dbfs`` (32-bit float WAV)."""
    amp = 10 ** (level_dbfs / 20)
    expr = f"{amp}*sin(2*PI*{freq}*t+{phase})"
    source = f"aevalsrc=exprs='{expr}|{expr}':s={rate}:d={seconds}"
    if fade:
        source += f",afade=t=in:d={fade},afade=t=out:st={seconds - fade}:d={fade}"
    ffmpeg("-f", "lavfi", "-i", source, "-c:a", "pcm_f32le", str(path))
    return path


def sine_sequence(path: Path, parts: list[tuple[float, float]], rate: int = 48000) -> Path:
    """Stereo 1 kHz sines of (seconds, dBFS) one after another, like EBU Tech 3341 case 3."""
    pieces, t0 = [], 0.0
    for seconds, level in parts:
        amp = 10 ** (level / 20)
        pieces.append(f"{amp}*between(t,{t0},{t0 + seconds})")
        t0 += seconds
    expr = f"({'+'.join(pieces)})*sin(2*PI*1000*t)"
    ffmpeg("-f", "lavfi", "-i", f"aevalsrc=exprs='{expr}|{expr}':s={rate}:d={t0}",
           "-c:a", "pcm_f32le", str(path))
    return path


def silence(path: Path, seconds: float = 5.0) -> Path:
    ffmpeg("-f", "lavfi", "-i", f"anullsrc=r=44100:cl=stereo:d={seconds}", "-t", str(seconds),
           str(path))
    return path


def ffprobe() -> str | None:
    return shutil.which("ffprobe")


def decoded_loudness(path: Path):
    """Integrated loudness and true peak of ``path`` decoded, via the project's meter."""
    from podcast.audio.measure import measure

    return measure(path).loudness


def db(x: float) -> float:
    return 20 * math.log10(x)


# ---- a show whose episode has a generated master ------------------------------------

# [audio] without the speech chain: one linear gain (and a limiter only when needed).
# The tests of plain loudness normalisation use it; the chain has its own tests.
PLAIN = {"leveler": False, "highpass": 0, "dehum": "off", "denoise": "off"}

def show_with_master(tmp_path: Path, name: str = "master.wav", *, spec: dict | None = None,
                     audio: dict | None = None, **signal) -> Path:
    """A show (tests/showfactory) whose one episode's master is ``speech_like(**signal)``."""
    from showfactory import make_show

    spec = dict(spec or {})
    spec.setdefault("slug", "multiple-bombings")
    spec.setdefault("title", "Multiple Bombings")
    spec["master"] = name
    root = make_show(tmp_path, [spec], audio=audio)
    folder = root / "episodes" / spec["slug"]
    if name != "master.wav":
        (folder / "master.wav").unlink()
    speech_like(folder / name, **signal)
    return root


def load(root: Path, *, probe_audio: bool = True):
    from podcast.show import load_project

    return load_project(root, probe_audio=probe_audio)


def process(root: Path, *, probe_audio: bool = True, **kwargs):
    """``podcast process`` through the library: the list of ProcessResult."""
    from podcast.audio import process as run

    project = load(root, probe_audio=probe_audio)
    return run(project.show, project.episodes, **kwargs)


class FFmpegSpy:
    """Counts ffmpeg processes started (the real ones still run)."""

    def __init__(self, monkeypatch):
        from podcast.audio import ffmpeg as module

        self.argvs: list[list[str]] = []
        real = module.Process.__init__

        def spy(this, argv, **kwargs):
            self.argvs.append([str(a) for a in argv])
            real(this, argv, **kwargs)
        monkeypatch.setattr(module.Process, "__init__", spy)

    @property
    def encodes(self) -> int:
        return sum("libmp3lame" in argv for argv in self.argvs)
