"""Cutter benchmark: `podcast process` with `max_pause` and `cut_fillers`, against the
same episode without the cutter and against a plain LAME encode (the floor).

The master is tests/cutspeech.py's generated speech (six fillers, three 4 s
pauses, five 0.8 s ones in 40 s, over -60 dBFS pink room tone) looped to
``--minutes``, so where every filler and every word lies is known. In one run:

- floor: a plain LAME 128k CBR encode of the master;
- ours, the cutter off: `podcast process`, cold cache;
- the words: `podcast transcribe` (Whisper base), timed on its own: the
  transcription is the same the build makes for the transcript, and the
  cutter reads it from the cache ("transcription aside");
- ours, the cutter on (`max_pause = 1.5`, `cut_fillers = true`): `podcast
  process`, cold audio cache, then again (cached).

Reported: wall and CPU time, time over the floor, peak RSS of the process tree
(benchmarks/audio.py's sampler), fillers found and cut (a filler counts as cut
when cuts cover 80 % of it), cuts that touch a word that is not a filler, the
longest pause left and the time saved, and the loudness of the decoded MP3.

    .venv/bin/python benchmarks/cut.py [--minutes 20]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work" / "cut"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))


def make_master(minutes: int):
    """The looped master and every piece of it, (text, start, end, filler)."""
    from audio_helpers import ffmpeg
    from cutspeech import script

    one = WORK / "one.wav"
    spoken = script(one)
    with wave.open(str(one)) as w:
        length = w.getnframes() / w.getframerate()
    loops = max(1, int(minutes * 60 // length))
    path = WORK / f"master-{minutes}min.wav"
    if not path.exists():
        ffmpeg("-stream_loop", str(loops - 1), "-i", str(one), "-c:a", "pcm_s16le",
               str(path.with_suffix(".tmp.wav")))
        path.with_suffix(".tmp.wav").replace(path)
    pieces = [(p.text, p.start + k * length, p.end + k * length, p.filler)
              for k in range(loops) for p in spoken.pieces]
    return path, pieces, loops * length


def make_show(master: Path, name: str, audio: dict | None) -> Path:
    from showfactory import make_show as factory

    root = WORK / name
    shutil.rmtree(root, ignore_errors=True)
    show = factory(root, [{"slug": "benchmark", "title": "Benchmark"}], audio=audio)
    folder = show / "episodes" / "benchmark"
    (folder / "master.wav").unlink()
    os.link(master, folder / "master.wav")
    return show


def judged(show: Path, pieces) -> dict:
    """What the cuts did to the known pieces, from the report and cuts.json."""
    from podcast.audio.report import AudioReport

    report = next(AudioReport.from_json(p.read_text())
                  for p in (show / ".cache" / "audio").glob("*.json")
                  if len(p.stem) == 64)
    cuts = report.cuts

    def covered(a: float, b: float) -> float:
        return sum(max(0.0, min(c.end, b) - max(c.start, a)) for c in cuts)

    fillers = [p for p in pieces if p[3]]
    cut = sum(covered(a, b) >= 0.8 * (b - a) for _, a, b, _ in fillers)
    wrong = sum(covered(a + 0.01, b - 0.01) > 0 for _, a, b, f in pieces if not f)
    doc = json.loads((show / "episodes" / "benchmark" / "cuts.json").read_text())
    found = sum(c["kind"] == "filler" for c in doc["cuts"])
    return {"fillers": len(fillers), "found": found, "cut": cut, "words_touched": wrong,
            "cuts": len(cuts), "saved": report.timeline.removed, "report": report}


def longest_pause(path: Path) -> float:
    from cutspeech import gaps

    return max(length for _, length in gaps(path))


def main(argv: list[str] | None = None) -> None:
    from audio import loudness, timed

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=20)
    args = parser.parse_args(argv if argv is not None else [])
    from podcast.audio.ffmpeg import find_ffmpeg

    WORK.mkdir(parents=True, exist_ok=True)
    ff = find_ffmpeg()
    version = subprocess.run([ff, "-version"], capture_output=True, text=True).stdout.split()[2]
    load = os.getloadavg()
    podcast = [sys.executable, "-m", "podcast"]
    env = dict(os.environ, HF_HUB_OFFLINE="1",
               PODCAST_MODEL_CACHE=str(WORK / "models"))
    print(f"generating {args.minutes} minutes of speech with fillers and pauses...", flush=True)
    master, pieces, seconds = make_master(args.minutes)
    rows = []

    def row(name, measured, out=None):
        wall, cpu, rss, _ = measured
        lufs, peak = loudness(out) if out else (None, None)
        rows.append((name, wall, cpu, rss, lufs, peak))
        print(f"  {name}: {wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MB RSS", flush=True)
        return wall

    floor_out = WORK / "floor.mp3"
    floor = row("LAME 128k encode only (floor)", timed(
        [ff, "-nostdin", "-y", "-i", str(master), "-c:a", "libmp3lame", "-b:a", "128k", "-ar",
         "44100", str(floor_out)]), floor_out)
    plain = make_show(master, "plain", None)
    off = row("podcast process, the cutter off", timed(
        podcast + ["--root", str(plain), "-q", "process"], env=env),
        next((plain / "feed" / "media").glob("*.mp3")))
    show = make_show(master, "cut", {"max_pause": 1.5, "cut_fillers": True})
    words = row("podcast transcribe (the words, Whisper base)", timed(
        podcast + ["--root", str(show), "-q", "transcribe"], env=env))
    measured = timed(podcast + ["--root", str(show), "-q", "process"], env=env)
    mp3 = next((show / "feed" / "media").glob("*.mp3"))
    on = row("podcast process, the cutter on (words cached)", measured, mp3)
    again = timed(podcast + ["--root", str(show), "-q", "process"], env=env)[0]
    result = judged(show, pieces)
    report = result["report"]

    print(f"\nffmpeg {version}, {os.cpu_count()} cores, load average before the run "
          + " ".join(f"{x:.1f}" for x in load) + f"; a {seconds / 60:.1f}-minute mono "
          "44.1 kHz master.")
    print("\n| run | wall s | CPU s | x real time | peak RSS MB (sum) | out LUFS | out dBTP |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, wall, cpu, rss, lufs, peak in rows:
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {seconds / wall:.0f}x | {rss:.0f} | "
              + (f"{lufs:.1f} | {peak:.1f} |" if lufs is not None else " | |"))
    print(f"| podcast process, the cutter on, second run (cached) | {again:.1f} | | | | | |")
    print(f"\ncutter on / floor = {on / floor:.2f} (transcription aside); cutter off / floor "
          f"= {off / floor:.2f}; with the words: {(on + words) / floor:.2f}")
    print(f"fillers: {result['fillers']} said, {result['found']} found, {result['cut']} cut; "
          f"cuts touching another word: {result['words_touched']}; {result['cuts']} cuts in "
          f"all; {result['saved']:.1f} s saved of {seconds:.1f} s "
          f"({100 * result['saved'] / seconds:.0f} %); longest pause left "
          f"{longest_pause(mp3):.2f} s; {report.attempts} encode(s), "
          f"{report.output.integrated:.1f} LUFS (target {report.output.target:.1f})")


if __name__ == "__main__":
    main(sys.argv[1:])
