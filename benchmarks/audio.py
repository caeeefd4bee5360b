"""Audio benchmark: `podcast process` on a generated 60-minute stereo master.

In one run, on the same master and with the same ffmpeg:

- ours: `podcast process` (measure, gain/limiter, encode, verify, tag), cold cache
- floor: a plain LAME 128k CBR encode (`ffmpeg -i master -c:a libmp3lame -b:a 128k`),
  the work that cannot be avoided
- ffmpeg-normalize: two-pass EBU R128 to the podcast target (-16 LUFS, -1 dBTP),
  128k MP3

For each: wall time, x real time, peak RSS of the whole process tree (sampled
from /proc, summed over concurrent processes), and the loudness and true peak
of the output measured on the decoded file. ours is also run on a 6-minute
master to show that its memory does not grow with episode length.

    .venv/bin/python benchmarks/audio.py [--minutes 60]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work" / "audio"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))



def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


def _tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes summed over ``pid`` and its descendants."""
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            continue
        todo += _children(p)
    return rss, pss


def timed(argv: list[str], env: dict | None = None) -> tuple[float, float, float, float]:
    """Run ``argv``; return wall seconds, CPU seconds (user+sys, all descendants) and the
    peak memory of its process tree in MB: RSS summed over processes, and PSS summed
    (shared library pages split between the ffmpeg processes that map them)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0, 0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            rss, pss = _tree_memory(proc.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            done.wait(0.1)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"failed: {' '.join(argv)}\n{err.decode(errors='replace')[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak[0] / 1e6, peak[1] / 1e6


def make_master(path: Path, minutes: int) -> Path:
    """Speech-like stereo, 48 kHz 24-bit WAV, level drifting slowly over the hour."""
    from audio_helpers import ffmpeg, speech_like

    if path.exists():
        return path
    minute = speech_like(WORK / "minute.wav", seconds=60.0, gain_db=-4.0, rate=48000,
                         codec="pcm_f32le")
    tmp = path.with_suffix(".tmp.wav")
    ffmpeg("-stream_loop", "-1", "-i", str(minute), "-t", str(minutes * 60),
           "-af", "volume='1+0.25*sin(2*PI*t/1500)':eval=frame", "-c:a", "pcm_s24le",
           str(tmp))
    tmp.replace(path)
    return path


def make_show(master: Path, name: str) -> Path:
    from showfactory import make_show as factory

    root = WORK / name
    shutil.rmtree(root, ignore_errors=True)
    factory(WORK / name / "tmp", [{"slug": "benchmark", "title": "Benchmark",
                                   "chapters": [{"start": 0, "title": "Start"}]}])
    shutil.move(str(WORK / name / "tmp" / "show"), str(root / "show"))
    folder = root / "show" / "episodes" / "benchmark"
    (folder / "master.wav").unlink()
    os.link(master, folder / "master.wav")  # no copy of a gigabyte
    return root / "show"


def loudness(path: Path) -> tuple[float, float]:
    from podcast.audio.measure import measure

    loud = measure(path).loudness
    return loud.integrated, loud.true_peak


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=60)
    args = parser.parse_args(argv if argv is not None else [])
    from podcast.audio.ffmpeg import find_ffmpeg

    WORK.mkdir(parents=True, exist_ok=True)
    ff = find_ffmpeg()
    seconds = args.minutes * 60
    print(f"generating a {args.minutes}-minute stereo 48 kHz 24-bit master...", flush=True)
    master = make_master(WORK / f"master-{args.minutes}min.wav", args.minutes)
    short = make_master(WORK / "master-6min.wav", 6)
    version = subprocess.run([ff, "-version"], capture_output=True, text=True).stdout.split()[2]
    podcast = [sys.executable, "-m", "podcast"]
    load = os.getloadavg()
    rows = []

    def row(name, measured, out, length=seconds, check=True):
        wall, cpu, rss, pss = measured
        integrated, peak = loudness(out)
        ok = (abs(integrated + 16.0) <= 0.5 and peak <= -1.0) if check else None
        rows.append((name, wall, cpu, length / wall, rss, pss, integrated, peak, ok))
        print(f"  {name}: {wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MB RSS", flush=True)
        return wall

    print("floor: plain LAME 128k encode...", flush=True)
    floor_out = WORK / "floor.mp3"
    floor_wall = row("LAME 128k encode only (floor)",
                     timed([ff, "-nostdin", "-y", "-i", str(master), "-c:a", "libmp3lame",
                            "-b:a", "128k", "-ar", "44100", str(floor_out)]),
                     floor_out, check=False)

    print("ours: podcast process (cold cache)...", flush=True)
    show = make_show(master, "ours")
    ours = row("podcast process", timed(podcast + ["--root", str(show), "-q", "process"]),
               next((show / "feed" / "media").glob("*.mp3")))
    report = next(p for p in (show / ".cache" / "audio").glob("*.json")
                  if p.name != "masters.json")

    print("ours again (cached)...", flush=True)
    wall2 = timed(podcast + ["--root", str(show), "-q", "process"])[0]

    print("ours on a 6-minute master (memory vs length)...", flush=True)
    show6 = make_show(short, "ours6")
    row("podcast process, 6-minute master", timed(podcast + ["--root", str(show6), "-q",
                                                             "process"]),
        next((show6 / "feed" / "media").glob("*.mp3")), length=360)

    print("ffmpeg-normalize -16 LUFS / -1 dBTP...", flush=True)
    norm = shutil.which("ffmpeg-normalize", path=str(Path(sys.executable).parent)) or \
        shutil.which("ffmpeg-normalize")
    if norm:
        out = WORK / "ffmpeg-normalize.mp3"
        env = dict(os.environ, FFMPEG_PATH=ff)
        wall_n = row("ffmpeg-normalize (EBU, -16/-1)",
                     timed([norm, str(master), "-o", str(out), "-f", "-nt", "ebu", "-t", "-16",
                            "-tp", "-1", "-c:a", "libmp3lame", "-b:a", "128k", "-ar", "44100"],
                           env=env), out)
    else:
        wall_n = None
        print("  ffmpeg-normalize not installed: pip install -e '.[bench]'")

    import json
    data = json.loads(report.read_text())
    print(f"\nffmpeg {version}; {args.minutes}-minute speech-like stereo master "
          f"({data['input']['integrated']} LUFS, LRA {data['input']['lra']} LU, "
          f"{data['input']['true_peak']} dBTP); ours: gain {data['gain']:+.1f} dB, "
          f"limiter {'engaged' if data['limiter']['engaged'] else 'not needed'}, "
          f"{data['attempts']} encode(s)\n")
    print("| method | wall s | CPU s | x real time | wall vs floor | peak RSS MB (sum) | "
          "peak PSS MB (sum) | out LUFS | out dBTP | in tolerance |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, wall, cpu, speed, rss, pss, integrated, peak, ok in rows:
        ratio = f"{wall / floor_wall:.2f}x" if "6-minute" not in name else "-"
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {speed:.0f}x | {ratio} | {rss:.0f} | "
              f"{pss:.0f} | {integrated:.1f} | {peak:.1f} | "
              f"{'-' if ok is None else 'yes' if ok else 'NO'} |")
    print(f"| podcast process, second run (cached) | {wall2:.1f} | | | | | | | | |")
    rss60, rss6 = rows[1][4], rows[2][4]
    print(f"\nours / floor = {ours / floor_wall:.2f} (target <= 1.5); "
          + (f"ffmpeg-normalize / ours = {wall_n / ours:.1f} (target >= 3); " if wall_n else "")
          + f"peak RSS {rss60:.0f} MB at {args.minutes} min vs {rss6:.0f} MB at 6 min "
          "(target < 150 MB, flat); load average before the run: "
          + " ".join(f"{x:.1f}" for x in load))


if __name__ == "__main__":
    main(sys.argv[1:])
