"""Transcription: time over real time, peak memory and word error rate, tiny.en vs base.

A generated 10-minute episode (espeak-ng, two voices taking turns, as in the
tests) is transcribed by each packaged model through the project's engine
(int8, beam 5, voice-activity filter, word timestamps), each in its own
process so its peak RSS is its own, with an empty cache. Reported: wall
seconds, x real time (audio seconds per wall second), wall/real time (the
issue's "0.1x" figure), peak RSS of the process, word error rate.

    .venv/bin/python benchmarks/transcribe.py [--minutes 10] [--models tiny.en base]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

SENTENCES = [
    ("en-gb", "The call came in just after nine in the morning."),
    ("en-us+f3", "I had seen the same car outside the flats three nights running."),
    ("en-gb", "Officers from the regional counter terrorism unit were told within the hour."),
    ("en-us+f3", "I did not want to make a fuss, but something about it was wrong."),
    ("en-gb", "By the afternoon a team was watching the address around the clock."),
    ("en-us+f3", "They asked me to write down everything I could remember."),
    ("en-gb", "The search began at dawn, and it took the whole day to finish."),
    ("en-us+f3", "When I heard what they found, I could not sleep for a week."),
    ("en-gb", "Act on your instincts, and report anything suspicious in confidence."),
    ("en-us+f3", "If I had kept quiet, I do not like to think what might have happened."),
]

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from podcast.transcribe.engine import Engine
from podcast.transcribe.models import resolve
name, audio, cache = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
t0 = time.perf_counter()
ref = resolve(name, cache, cache)
engine = Engine(ref, cache / "words", workers=1, threads=0)
engine.model()
loaded = time.perf_counter() - t0
t1 = time.perf_counter()
heard = engine.recognise(audio, language="en", prompt="", where=str(audio))
print(json.dumps({"load": loaded, "transcribe": time.perf_counter() - t1,
                  "duration": heard.duration, "text": " ".join(w.text for w in heard.words),
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def episode(path: Path, minutes: float) -> str:
    """A generated episode of about ``minutes``: the sentences in turn, repeated."""
    from speech import dialogue

    lines, seconds = [], 0.0
    while seconds < minutes * 60:
        lines += SENTENCES
        seconds += 4.0 * len(SENTENCES)  # about 4 s a sentence with its pause
    return dialogue(path, lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    args = parser.parse_args(argv if argv is not None else [])
    from speech import wer

    with tempfile.TemporaryDirectory(prefix="bench-transcribe-") as tmp:
        audio = Path(tmp) / "episode.wav"
        reference = episode(audio, args.minutes)
        rows = []
        for name in args.models:
            cache = Path(tmp) / name
            env = dict(os.environ, HF_HUB_OFFLINE="1")
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", CHILD, name, str(audio), str(cache)],
                                 capture_output=True, text=True, env=env, cwd=str(REPO),
                                 check=True)
            wall = time.perf_counter() - start
            data = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append((name, data["duration"], wall, data["load"], data["transcribe"],
                         data["rss_mb"], wer(reference, data["text"])))
    print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; "
          f"int8, beam 5, VAD, word timestamps")
    print("| model | audio s | wall s | load s | x real time | wall / real time | "
          "peak RSS MB | WER |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, dur, wall, load, tr, rss, error in rows:
        print(f"| {name} | {dur:.0f} | {wall:.1f} | {load:.1f} | {dur / wall:.1f}x | "
              f"{wall / dur:.3f} | {rss:.0f} | {error * 100:.1f} % |")
    print(f"(children's peak RSS: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f}"
          " MB max)")


if __name__ == "__main__":
    main(sys.argv[1:])
