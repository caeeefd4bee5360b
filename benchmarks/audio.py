"""Audio benchmark: `podcast process` against a plain LAME encode and ffmpeg-normalize.

In one run, on the same masters and with the same ffmpeg:

- ours: `podcast process` with the default speech chain (measure, clean up, level,
  gain/limiter, encode, verify, tag), cold cache, then again (cached)
- floor: a plain LAME 128k CBR encode (`ffmpeg -i master -c:a libmp3lame -b:a 128k`),
  the work that cannot be avoided
- ffmpeg-normalize: two-pass EBU R128 to the podcast target (-16 LUFS, -1 dBTP),
  128k MP3

For each: wall time, x real time, peak RSS of the whole process tree (sampled
from /proc, summed over concurrent processes), and the loudness and true peak
of the output measured on the decoded file. Masters: a typical one (speech-like
tones at a steady level), a peaky one (raw dialogue: the limiter works hard,
ffmpeg-normalize turns dynamic), both 60 minutes, and an interview (two
espeak-ng voices 12 dB apart, room tone, rumble, 50 Hz hum; tests/interview.py)
looped to 20 minutes, processed side by side by ours (default chain, and with
`denoise = "strong"`) and by ffmpeg-normalize in its dynamic (levelling) mode:
voice gap, loudness range, room tone and hum under the speech, measured on the
decoded MP3 at the voices' known spans. ours is also run on a 6-minute master
to show that its memory does not grow with episode length.

    .venv/bin/python benchmarks/audio.py [--minutes 60] [--masters typical,peaky,interview]
                                         [--interview-minutes 20]
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


MASTERS = {
    # kind: speech_like() arguments for the one-minute loop
    "typical": dict(gain_db=-4.0),  # about -21 LUFS, -8 dBTP (PLR 13 dB): gain only
    "peaky": dict(gain_db=-7.0, peaky=True),  # raw dialogue, PLR ~19 dB: needs the limiter
}


def make_master(path: Path, minutes: int, kind: str = "typical") -> Path:
    """Speech-like stereo, 48 kHz 24-bit WAV, level drifting slowly (+/-0.8 dB) over the hour."""
    from audio_helpers import ffmpeg, speech_like

    if path.exists():
        return path
    minute = speech_like(WORK / f"minute-{kind}.wav", seconds=60.0, rate=48000,
                         codec="pcm_f32le", **MASTERS[kind])
    tmp = path.with_suffix(".tmp.wav")
    ffmpeg("-stream_loop", "-1", "-i", str(minute), "-t", str(minutes * 60),
           "-af", "volume='1+0.1*sin(2*PI*t/1500)':eval=frame", "-c:a", "pcm_s24le",
           str(tmp))
    tmp.replace(path)
    return path


def make_interview(minutes: int):
    """An interview master looped to ``minutes``, and its spans over the whole length."""
    from audio_helpers import ffmpeg
    from interview import Span, interview

    one = WORK / "interview-one.wav"
    spans = interview(one, turns=6, hum=50)
    length = spans[-1].end + 2.0  # the 2 s tail after the last turn
    path = WORK / f"master-interview-{minutes}min.wav"
    loops = int(minutes * 60 // length)
    if not path.exists():
        tmp = path.with_suffix(".tmp.wav")
        ffmpeg("-stream_loop", str(loops - 1), "-i", str(one), "-c:a", "pcm_s24le", str(tmp))
        tmp.replace(path)
    every = [Span(s.kind, s.start + k * length, s.end + k * length)
             for k in range(loops) for s in spans]
    return path, every


def make_show(master: Path, name: str, audio: dict | None = None) -> Path:
    from showfactory import make_show as factory

    root = WORK / name
    shutil.rmtree(root, ignore_errors=True)
    factory(WORK / name / "tmp", [{"slug": "benchmark", "title": "Benchmark",
                                   "chapters": [{"start": 0, "title": "Start"}]}], audio=audio)
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
    parser.add_argument("--masters", default="typical,peaky,interview",
                        help="comma-separated: " + ", ".join([*MASTERS, "interview"]))
    parser.add_argument("--interview-minutes", type=int, default=20)
    args = parser.parse_args(argv if argv is not None else [])
    from podcast.audio.ffmpeg import find_ffmpeg

    WORK.mkdir(parents=True, exist_ok=True)
    ff = find_ffmpeg()
    version = subprocess.run([ff, "-version"], capture_output=True, text=True).stdout.split()[2]
    podcast = [sys.executable, "-m", "podcast"]
    norm = shutil.which("ffmpeg-normalize", path=str(Path(sys.executable).parent)) or \
        shutil.which("ffmpeg-normalize")
    load = os.getloadavg()
    run = Runs(args.minutes * 60)

    kinds = args.masters.split(",")
    for kind in [k for k in kinds if k != "interview"]:
        synthetic_runs(kind, args.minutes, ff, podcast, norm, run)
    speech_rows = []
    if "interview" in kinds:
        speech_rows = interview_runs(args.interview_minutes, ff, podcast, norm, run.row,
                                     run.summary)

    print("ours on a 6-minute master (memory vs length)...", flush=True)
    show6 = make_show(make_master(WORK / "master-typical-6min.wav", 6), "ours-6min")
    _, rss6 = run.row("typical, 6 minutes: podcast process", timed(
        podcast + ["--root", str(show6), "-q", "process"]),
        next((show6 / "feed" / "media").glob("*.mp3")), length=360)

    print(f"\nffmpeg {version}, {os.cpu_count()} cores, load average before the run "
          + " ".join(f"{x:.1f}" for x in load) + f"; {args.minutes}-minute masters.")
    run.print_tables(rss6, speech_rows)


class Runs:
    """The rows of the result table, the notes on each master and the summary lines."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.rows: list[tuple] = []
        self.notes: list[str] = []
        self.summary: list[str] = []

    def row(self, name, measured, out, length=None, check=True):
        wall, cpu, rss, pss = measured
        length = self.seconds if length is None else length
        integrated, peak = loudness(out)
        ok = (abs(integrated + 16.0) <= 0.5 and peak <= -1.0) if check else None
        self.rows.append((name, wall, cpu, length / wall, rss, pss, integrated, peak, ok))
        print(f"  {name}: {wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MB RSS", flush=True)
        return wall, rss

    def print_tables(self, rss6: float, speech_rows: list) -> None:
        for note in self.notes:
            print(f"- {note}")
        print("\n| run | wall s | CPU s | x real time | peak RSS MB (sum) | peak PSS MB (sum) | "
              "out LUFS | out dBTP | in tolerance |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for name, wall, cpu, speed, rss, pss, integrated, peak, ok in self.rows:
            if cpu is None:
                print(f"| {name} | {wall:.1f} | | | | | | | |")
                continue
            print(f"| {name} | {wall:.1f} | {cpu:.1f} | {speed:.0f}x | {rss:.0f} | {pss:.0f} | "
                  f"{integrated:.1f} | {peak:.1f} | "
                  f"{'-' if ok is None else 'yes' if ok else 'NO'} |")
        print()
        for line in self.summary:
            print(line)
        print(f"peak RSS on a 6-minute master: {rss6:.0f} MB (target < 150 MB, flat with "
              "length; RSS summed over concurrent processes counts shared libraries twice, "
              "PSS does not)")
        if speech_rows:
            print("\n| interview, measured on the decoded file | voice gap LU | LRA LU | room "
                  "tone under speech LU | hum under speech dB | movement in turns LU | LUFS | "
                  "dBTP |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|")
            for name, f in speech_rows:
                print(f"| {name} | {f.gap:.1f} | {f.lra:.1f} | {-f.pause:.1f} | "
                      f"{-f.hum[50]:.1f} | {f.movement:.2f} | {f.integrated:.1f} | "
                      f"{f.true_peak:.1f} |")


def synthetic_runs(kind: str, minutes: int, ff: str, podcast: list[str], norm: str | None,
                   run: Runs) -> None:
    """One generated master: the LAME floor, ours (and again, cached), ffmpeg-normalize."""
    print(f"{kind}: generating a {minutes}-minute stereo 48 kHz 24-bit master...", flush=True)
    master = make_master(WORK / f"master-{kind}-{minutes}min.wav", minutes, kind)
    floor_out = WORK / f"floor-{kind}.mp3"
    floor_wall, _ = run.row(f"{kind}: LAME 128k encode only (floor)",
                            timed([ff, "-nostdin", "-y", "-i", str(master), "-c:a",
                                   "libmp3lame", "-b:a", "128k", "-ar", "44100",
                                   str(floor_out)]), floor_out, check=False)
    show = make_show(master, f"ours-{kind}")
    ours, rss = run.row(f"{kind}: podcast process", timed(
        podcast + ["--root", str(show), "-q", "process"]),
        next((show / "feed" / "media").glob("*.mp3")))
    wall2 = timed(podcast + ["--root", str(show), "-q", "process"])[0]
    run.rows.append((f"{kind}: podcast process, second run (cached)", wall2, None, None, None,
                     None, None, None, None))
    data = report_of(show)
    steps = data.speech.steps
    run.notes.append(f"{kind} master: {data.input.integrated} LUFS, LRA "
                     f"{data.input.lra} -> {data.output.lra} LU; ours: "
                     + ", ".join(k for k in ("highpass", "dehum", "denoise", "gate", "leveler")
                                 if getattr(steps, k))
                     + f", gain {data.gain:+.1f} dB, limiter "
                     + (f"engaged (peaks -{data.limiter.reduction} dB)"
                        if data.limiter.engaged else "not needed")
                     + f", {data.attempts} encode(s)")
    line = f"{kind}: ours / floor = {ours / floor_wall:.2f} (target <= 1.5)"
    if norm:
        out = WORK / f"ffmpeg-normalize-{kind}.mp3"
        wall_n, _ = run.row(f"{kind}: ffmpeg-normalize (EBU, -16 LUFS, -1 dBTP)", timed(
            [norm, str(master), "-o", str(out), "-f", "-nt", "ebu", "-t", "-16", "-tp",
             "-1", "-c:a", "libmp3lame", "-b:a", "128k", "-ar", "44100"],
            env=dict(os.environ, FFMPEG_PATH=ff)), out)
        line += f"; ffmpeg-normalize / ours = {wall_n / ours:.1f} (target >= 3)"
    else:
        print("  ffmpeg-normalize not installed: pip install -e '.[bench]'")
    run.summary.append(line + f"; peak RSS {rss:.0f} MB")


def report_of(show: Path):
    """The audio report of the show's one episode (named by its 64-hex audio hash)."""
    from podcast.audio.report import AudioReport

    return AudioReport.from_json(next(p for p in (show / ".cache" / "audio").glob("*.json")
                                      if len(p.stem) == 64).read_bytes())


def interview_runs(minutes, ff, podcast, norm, row, summary) -> list:
    """The interview master side by side: ours (light, strong), ffmpeg-normalize dynamic."""
    from interview import measure

    print(f"interview: generating a {minutes}-minute interview master...", flush=True)
    master, spans = make_interview(minutes)
    length = spans[-1].end + 2.0
    figures = [("master", measure(master, spans))]
    floor_out = WORK / "floor-interview.mp3"
    floor_wall, _ = row("interview: LAME 128k encode only (floor)",
                        timed([ff, "-nostdin", "-y", "-i", str(master), "-c:a", "libmp3lame",
                               "-b:a", "128k", "-ar", "44100", str(floor_out)]),
                        floor_out, length=length, check=False)
    line = "interview:"
    for label, audio in (("default chain", None), ("denoise = strong", {"denoise": "strong"})):
        show = make_show(master, f"ours-interview-{'strong' if audio else 'light'}", audio)
        wall, rss = row(f"interview: podcast process ({label})",
                        timed(podcast + ["--root", str(show), "-q", "process"]),
                        next((show / "feed" / "media").glob("*.mp3")), length=length)
        out = next((show / "feed" / "media").glob("*.mp3"))
        figures.append((f"ours, {label}", measure(out, spans)))
        line += f" ours ({label}) / floor = {wall / floor_wall:.2f}, peak RSS {rss:.0f} MB;"
    if norm:
        out = WORK / "ffmpeg-normalize-interview.mp3"
        row("interview: ffmpeg-normalize --dynamic (EBU, -16 LUFS, -1 dBTP)", timed(
            [norm, str(master), "-o", str(out), "-f", "-nt", "ebu", "-t", "-16", "-tp", "-1",
             "--dynamic", "-c:a", "libmp3lame", "-b:a", "128k", "-ar", "44100"],
            env=dict(os.environ, FFMPEG_PATH=ff)), out, length=length)
        figures.append(("ffmpeg-normalize --dynamic", measure(out, spans)))
    summary.append(line)
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
