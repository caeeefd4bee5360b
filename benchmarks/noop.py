"""A no-op ``podcast build``: the time and memory of a build that has nothing to do.

A producer runs ``make publish`` far more often than an episode changes, and
CI rebuilds on every push: the build with nothing to do is the common one.
Two shows, each built once for real first (not timed), then rebuilt unchanged:

- this repository's show (3 episodes, chapters, transcripts);
- a synthetic show of 200 episodes: the same master under 200 names (hard
  links: one encode, then 199 cache hits), each with its own episode.md,
  chapters and transcript, so every per-episode step runs 200 times.

Each no-op is ``podcast -q build`` in a fresh process, as a producer runs it:
wall seconds, CPU seconds (user + system: what the machine's other work does
not inflate) and peak RSS of that process (``wait4``), best and median of R.
Python may write its bytecode cache (``PYTHONDONTWRITEBYTECODE`` is unset for
the builds): a user's installation keeps compiled modules, so the figures do
not include compiling the package on every run. Targets (issue #18): at most
0.3 s and 100 MB for the show, at most 1 s for 200 episodes.

    .venv/bin/python benchmarks/noop.py [--episodes N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work" / "noop"
SHOW_FILES = ("podcast.toml", "artwork", "templates", "episodes")


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(REPO)
    return env


def build(root: Path, *, quiet: bool = True) -> tuple[float, float, int]:
    """One ``podcast build`` of ``root`` in a fresh process: (wall s, CPU s, peak RSS
    bytes)."""
    argv = [sys.executable, "-m", "podcast", "--root", str(root)] + (["-q"] if quiet else [])
    start = time.perf_counter()
    proc = subprocess.Popen(argv + ["build"], env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode:
        raise SystemExit(f"podcast build failed in {root}:\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def copy_show(dest: Path) -> Path:
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for name in SHOW_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        else:
            shutil.copy2(src, dest / name)
    return dest


def synthetic_show(dest: Path, count: int) -> Path:
    """This show's first episode under ``count`` names (its master hard-linked)."""
    copy_show(dest)
    source = dest / "episodes" / "multiple-bombings"
    text = (source / "episode.md").read_text(encoding="utf-8")
    folder = dest / "episodes"
    keep = folder / ".source"
    source.rename(keep)
    for other in [p for p in folder.iterdir() if p.is_dir() and p != keep]:
        shutil.rmtree(other)
    for n in range(1, count + 1):
        ep = folder / f"episode-{n:03d}"
        ep.mkdir()
        for name in ("master.flac", "transcript.vtt"):
            os.link(keep / name, ep / name)
        day = f"{2020 + n // 300:04d}-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}"
        body = re.sub(r'(?m)^title: .*$', f'title: "Episode {n}"', text)
        body = re.sub(r'(?m)^number: .*$', f"number: {n}", body)
        body = re.sub(r'(?m)^date: .*$', f'date: "{day}T07:00:00+00:00"', body)
        body = re.sub(r'(?m)^guid: .*$', f"guid: {uuid.uuid5(uuid.NAMESPACE_URL, str(n))}",
                      body)
        (ep / "episode.md").write_text(body, encoding="utf-8")
    shutil.rmtree(keep)
    return dest


def measure(name: str, root: Path, repeat: int) -> str:
    start = time.perf_counter()
    build(root, quiet=False)  # the real build: encodes, tags, pages
    first = time.perf_counter() - start
    build(root)  # settles anything a first build leaves for later (bytecode, memos)
    runs = [build(root) for _ in range(repeat)]
    walls, cpus = [w for w, _, _ in runs], [c for _, c, _ in runs]
    peak = max(r for _, _, r in runs) / 1e6
    return (f"| {name} | {first:.1f} | {min(walls):.2f} | {statistics.median(walls):.2f} "
            f"| {min(cpus):.2f} | {peak:.0f} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv if argv is not None else [])
    print(f"no-op `podcast build`, best and median of {args.repeat}, each a fresh process; "
          "targets: the show <= 0.3 s and 100 MB, 200 episodes <= 1 s\n")
    print("| show | first build s | no-op best s | no-op median s | no-op CPU s | "
          "peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    print(measure("this show (3 episodes)", copy_show(WORK / "show"), args.repeat), flush=True)
    print(measure(f"synthetic ({args.episodes} episodes)",
                  synthetic_show(WORK / "many", args.episodes), args.repeat), flush=True)
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
