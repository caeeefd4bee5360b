"""Transcription: time over real time, peak memory and word error rate, tiny.en vs base.

Generated episodes (espeak-ng, two voices taking turns, as in the tests) of
each length asked are transcribed by each packaged model through the
project's engine (int8, beam 5, voice-activity filter, word timestamps,
streamed in blocks), each in its own process so its peak RSS is its own, with
an empty cache. Reported per model and length: wall seconds, x real time
(audio seconds per wall second), wall/real time (the issue's "0.1x" figure),
peak RSS of the process, word error rate. The engine streams the audio, so
peak RSS should not grow with the episode: compare the rows of one model.

    .venv/bin/python benchmarks/transcribe.py [--minutes 2 20] [--models tiny.en base]
"""

from __future__ import annotations

import argparse
import json
import os
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
    parser.add_argument("--minutes", type=float, nargs="+", default=[2.0, 20.0])
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    args = parser.parse_args(argv if argv is not None else [])
    from speech import wer

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-transcribe-") as tmp:
        for minutes in args.minutes:
            audio = Path(tmp) / f"episode-{minutes:g}.wav"
            reference = episode(audio, minutes)
            for name in args.models:
                cache = Path(tmp) / f"{name}-{minutes:g}"
                env = dict(os.environ, HF_HUB_OFFLINE="1")
                start = time.perf_counter()
                out = subprocess.run([sys.executable, "-c", CHILD, name, str(audio), str(cache)],
                                     capture_output=True, text=True, env=env, cwd=str(REPO),
                                     check=True)
                wall = time.perf_counter() - start
                data = json.loads(out.stdout.strip().splitlines()[-1])
                rows.append((name, data["duration"], wall, data["load"], data["transcribe"],
                             data["rss_mb"], wer(reference, data["text"])))
            audio.unlink()
    print(f"cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; "
          f"int8, beam 5, VAD, word timestamps, streamed")
    print("| model | audio s | wall s | load s | x real time | wall / real time | "
          "peak RSS MB | WER |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, dur, wall, load, tr, rss, error in sorted(rows, key=lambda r: (r[0], r[1])):
        print(f"| {name} | {dur:.0f} | {wall:.1f} | {load:.1f} | {dur / wall:.1f}x | "
              f"{wall / dur:.3f} | {rss:.0f} | {error * 100:.1f} % |")
    for name in args.models:
        mine = sorted((r for r in rows if r[0] == name), key=lambda r: r[1])
        if len(mine) > 1:
            short, long = mine[0], mine[-1]  # (name, audio s, ..., peak RSS, WER)
            print(f"{name}: peak RSS {short[5]:.0f} MB for {short[1] / 60:.1f} min of audio, "
                  f"{long[5]:.0f} MB for {long[1] / 60:.1f} min "
                  f"({(long[5] - short[5]) / max(long[1] - short[1], 1) * 60:+.1f} MB per "
                  "minute)")


if __name__ == "__main__":
    main(sys.argv[1:])
