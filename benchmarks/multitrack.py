"""Multitrack benchmark: a two-microphone interview through `podcast process`.

The session of tests/multitrack.py (host and guest on their own tracks, each
carrying the other's bleed 14 dB down and 8 ms late, the guest 12 dB quieter
with 50 Hz hum, one overlap), looped to ``--minutes`` (20), added with
``podcast add host.wav guest.wav --speaker Host --speaker Guest`` and processed
cold. Against the floor: a plain LAME encode of the tracks' plain mix, in the
episode's own format (mono tracks make a mono episode: 64 kbps), and at
128 kbps as the audio benchmark's floor is made (``-b:a 128k``).

Measured on the decoded MP3 against the plain mix, by the tests' meters: the
voice gap, the hum and room tone under the speech, loudness and true peak;
the bleed (over the first ``--bleed-minutes``: the difference against the
twin session, whose bleed has the other polarity, and against the same pair
processed with the crossgate holding nothing down); and, transcription aside
from the speed, the share of transcript words under the right speaker's
voice tag and the word error rate (``[transcripts] model``, base). Peak RSS of
the whole process tree, and on a 5-minute cut, to show it flat with length.

    .venv/bin/python benchmarks/multitrack.py [--minutes 20] [--bleed-minutes 3]
                                              [--no-transcribe]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work" / "multitrack"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from audio import timed  # noqa: E402  (benchmarks/audio.py: wall, CPU, peak RSS/PSS)

SPEAKERS = ["--speaker", "Host", "--speaker", "Guest", "--title", "Benchmark"]


def looped(session, minutes: float, name: str):
    """The session's tracks looped to ``minutes``, with its spans and lines over the length."""
    from tests.interview import Span

    length = session.seconds
    loops = max(1, int(minutes * 60 // length))
    folder = WORK / name
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for who in ("host", "guest"):
        paths[who] = folder / f"{who}.wav"
        if not paths[who].exists():
            tmp = paths[who].with_suffix(".tmp.wav")
            subprocess.run(_ff() + ["-stream_loop", str(loops - 1), "-i", str(getattr(session, who)),
                                    "-t", f"{loops * length:.3f}", "-c:a", "pcm_s24le", str(tmp)],
                           check=True)
            tmp.replace(paths[who])
    spans = [Span(s.kind, s.start + k * length, s.end + k * length)
             for k in range(loops) for s in session.spans]
    lines = [(t + k * length, who, text) for k in range(loops) for t, who, text in session.lines]
    return replace(session, host=paths["host"], guest=paths["guest"], spans=spans,
                   lines=lines), loops * length


def _ff() -> list[str]:
    from podcast.audio.ffmpeg import find_ffmpeg

    return [find_ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]


def show_for(session, name: str) -> Path:
    from tests.showfactory import make_raw_show

    root = WORK / name
    shutil.rmtree(root, ignore_errors=True)
    make_raw_show(root)
    subprocess.run([sys.executable, "-m", "podcast", "--root", str(root), "-q", "add",
                    str(session.host), str(session.guest), *SPEAKERS], check=True)
    return root


def mp3_of(root: Path) -> Path:
    return next((root / ".cache" / "audio").glob("*.mp3"))


def ungated(roots: list[Path]) -> list[Path]:
    """The pair processed again, in this process, with the crossgate holding nothing down."""
    from podcast.audio import crossgate
    from podcast.audio import process as run
    from podcast.show import load_project

    out = []
    saved, crossgate.RANGE = crossgate.RANGE, 0.0
    try:
        for root in roots:
            copy = root.with_name(root.name + "-ungated")
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".cache", "feed"))
            project = load_project(copy)
            run(project.show, project.episodes)
            out.append(mp3_of(copy))
    finally:
        crossgate.RANGE = saved
    return out


def first(session, seconds: float):
    """The session's first ``seconds``: its tracks cut there, its spans and lines before."""
    paths = {}
    for who in ("host", "guest"):
        path = getattr(session, who)
        paths[who] = path.with_name(f"{path.stem}-{seconds:.0f}s.wav")
        if not paths[who].exists():
            subprocess.run(_ff() + ["-i", str(path), "-t", f"{seconds:.3f}", "-c:a",
                                    "pcm_s24le", str(paths[who])], check=True)
    dry = {}
    for who, path in session.dry.items():  # the dry voices, looped as the tracks are
        dry[who] = path.with_name(f"{path.stem}-{seconds:.0f}s.f32")
        if not dry[who].exists():
            one = path.read_bytes()
            need = 4 * round(seconds * 48000)
            dry[who].write_bytes((one * (need // len(one) + 1))[:need])
    return replace(session, host=paths["host"], guest=paths["guest"], dry=dry,
                   spans=[s for s in session.spans if s.end <= seconds],
                   lines=[x for x in session.lines if x[0] < seconds])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--bleed-minutes", type=float, default=3)
    parser.add_argument("--no-transcribe", action="store_true")
    args = parser.parse_args(argv if argv is not None else [])
    from tests.interview import Span, measure
    from tests.multitrack import bleed, plain_mix, solo, two_mics

    WORK.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print("generating the session and its twin...", flush=True)
    sessions = []
    for name, sign in (("one", 1), ("twin", -1)):
        one = two_mics(WORK / f"session-{name}", overlap=True, sign=sign)
        sessions.append(looped(one, args.minutes, f"{name}-{args.minutes:g}min"))
    (session, length), (twin, _) = sessions
    plain = plain_mix(session, WORK / "plain.wav")
    rows = []

    def floor(label: str, extra: list[str]) -> float:
        out = WORK / f"floor-{label}.mp3"
        wall, cpu, rss, _ = timed(_ff() + ["-i", str(plain), "-c:a", "libmp3lame", *extra,
                                           "-ar", "44100", str(out)])
        rows.append((f"LAME encode of the plain mix, {label} (floor)", wall, cpu, rss))
        return wall

    floor_mono = floor("64k mono, the episode's format", ["-b:a", "64k", "-ac", "1"])
    floor_128 = floor("128k, as the audio benchmark's floor", ["-b:a", "128k"])
    root = show_for(session, "show")
    podcast = [sys.executable, "-m", "podcast"]
    wall, cpu, rss, pss = timed(podcast + ["--root", str(root), "-q", "process"])
    rows.append(("podcast process (2 tracks, cold)", wall, cpu, rss))
    again = timed(podcast + ["--root", str(root), "-q", "process"])
    rows.append(("podcast process, second run (cached)", again[0], again[1], again[2]))
    rss5 = timed(podcast + ["--root", str(show_for(first(session, 300), "short")), "-q",
                            "process"])[2]

    spans = [Span({"host": "A", "guest": "B"}[s.kind], a, b)
             for s in session.spans if s.kind in ("host", "guest")
             for a, b in solo(session, s.kind, edge=0.0) if s.start <= a < s.end]
    spans += [Span("pause", s.start, s.end) for s in session.spans if s.kind == "pause"]
    before, after = measure(plain, spans), measure(mp3_of(root), spans)

    print(f"measuring the bleed on the first {args.bleed_minutes:g} minutes...", flush=True)
    pair = [first(s, args.bleed_minutes * 60) for s in (session, twin)]
    roots = [show_for(s, f"bleed-{n}") for s, n in zip(pair, ("one", "twin"))]
    for r in roots:
        timed(podcast + ["--root", str(r), "-q", "process"])
    in_plain = bleed(*(plain_mix(s, r / "plain.wav") for s, r in zip(pair, roots)), pair[0])
    in_mp3 = bleed(*(mp3_of(r) for r in roots), pair[0])
    without = bleed(*ungated(roots), pair[0])

    print(f"\nffmpeg, {os.cpu_count()} cores, load average before the run "
          + " ".join(f"{x:.1f}" for x in load) + f"; {length / 60:.1f}-minute tracks.\n")
    print("| run | wall s | CPU s | x real time | peak RSS MB (sum) |")
    print("|---|---:|---:|---:|---:|")
    for name, w, c, r in rows:
        print(f"| {name} | {w:.1f} | {c:.1f} | {length / w:.0f}x | {r:.0f} |")
    print(f"\nours / floor: {wall / floor_mono:.2f} against the 64k mono encode of the mix, "
          f"{wall / floor_128:.2f} against 128k (goal <= 2); peak RSS {rss:.0f} MB "
          f"(PSS {pss:.0f}); {rss5:.0f} MB on a 5-minute cut")
    print("\n| measured on the decoded file | voice gap LU | room tone under speech LU | "
          "hum under speech dB | LUFS | dBTP |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, f in (("plain mix of the tracks", before), ("ours", after)):
        print(f"| {name} | {f.gap:.1f} | {-f.pause:.1f} | {-f.hum[50]:.1f} | "
              f"{f.integrated:.1f} | {f.true_peak:.1f} |")
    print("\n| bleed under the voice, dB | host's voice | guest's voice |")
    print("|---|---:|---:|")
    for name, b in (("plain mix", in_plain), ("ours without the crossgate", without),
                    ("ours", in_mp3)):
        print(f"| {name} | {b['host']:.1f} | {b['guest']:.1f} |")
    print("held down by the crossgate: "
          + ", ".join(f"{who} {without[who] - in_mp3[who]:.1f} dB" for who in in_mp3))
    if not args.no_transcribe:
        transcribed(root, session)


def transcribed(root: Path, session) -> None:
    from podcast import captions
    from tests.multitrack import attribution

    print("\ntranscribing (podcast transcribe, the show's model: base)...", flush=True)
    wall, cpu, rss, _ = timed([sys.executable, "-m", "podcast", "--root", str(root), "-q",
                               "transcribe"])
    cues = captions.read(next((root / "episodes").glob("*/transcript.vtt")))
    right, error, matched = attribution(cues, session)
    print(f"transcription: {wall:.0f} s wall, {cpu:.0f} s CPU, peak RSS {rss:.0f} MB; "
          f"{right:.1%} of {matched} matched words under the right voice tag; WER {error:.1%}")


if __name__ == "__main__":
    main(sys.argv[1:])
