"""Publish from anywhere (issue 16): a 200-episode show, published first by its
producer, then by fresh clones that have no .cache/ of their own.

One local SeaweedFS (authentication on); ffmpeg is a spy that counts LAME
runs. Rows:

1. the producer's first publish: every master encoded;
2. a fresh clone of the same commit: records say what is published;
3. the same with the masters as Git LFS pointer files (a CI checkout);
4. a fresh clone that edits one episode's notes, then publishes.

Each fresh-clone row is timed directly against the server (the best of
ROUNDS, each on a new clone: the machine is shared), then run once more on
a new clone with ``--endpoint-url`` pointing at a counting proxy, which
counts the S3 requests by kind and the bytes they brought back.

    .venv/bin/python benchmarks/anywhere.py

The masters are short synthetic tones (EPISODE_SECONDS), so the first publish
measures the pipeline's per-episode work on a large show, not hours of LAME.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work" / "anywhere"
EPISODES = 200
EPISODE_SECONDS = 6.0
BUCKET = "bench-anywhere"
ROUNDS = 3  # fresh-clone runs: the best of three counts

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from countproxy import CountingProxy  # noqa: E402

from podcast.publish import local  # noqa: E402


def make_origin(endpoint: str, public: str) -> Path:
    """The show's repository: EPISODES episodes, committed."""
    from clones import make_repo
    from showfactory import make_show

    specs = [{"title": f"Episode {n}", "master_seconds": EPISODE_SECONDS,
              "notes": f"What happened in part {n}.\n\nAct on your instincts.\n"}
             for n in range(1, EPISODES + 1)]
    shutil.rmtree(WORK / "origin", ignore_errors=True)
    root = make_show(WORK / "origin", episodes=specs, publish={
        "bucket": BUCKET, "endpoint_url": endpoint, "public_url": public})
    return make_repo(root)


def run(root: Path, env: dict, spy, *args: str) -> dict:
    """`podcast publish` at ``root`` in its own process: seconds, LAME runs, its output."""
    spy.reset()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([str(ROOT / ".venv" / "bin" / "podcast"), "--root", str(root),
                           "publish", *args], env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"publish failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    uploaded = next((line for line in proc.stdout.splitlines() if line.startswith("uploaded")),
                    "")
    verified = next((line.split(": ", 1)[1] for line in proc.stderr.splitlines()
                     if line.startswith("verified ")), "")
    return {"seconds": took, "cpu": cpu, "lame": spy.lame_runs(), "uploaded": uploaded,
            "load": os.getloadavg()[0], "verified": verified}


def start_server():
    """SeaweedFS on free ports of 127.0.0.1, authentication on: (process, ports, keys)."""
    ports = local.Ports.free()
    server_dir = WORK / "server"
    shutil.rmtree(server_dir, ignore_errors=True)
    keys = ("BENCH" + os.urandom(6).hex().upper(), os.urandom(24).hex())
    config = server_dir / "s3.json"
    local.write_private(config, json.dumps(local.s3_config(BUCKET, *keys)).encode())
    log_path = server_dir / "server.log"
    proc = local.spawn(server_dir / "data", ports, config, BUCKET, log_path)
    local.wait_ready(proc, f"http://127.0.0.1:{ports.s3}", BUCKET, keys, log_path)
    return proc, ports, keys


def fresh_clone(origin: Path, edit: str | None, edits) -> Path:
    """A fresh clone of ``origin``: as it is, with LFS pointer masters, or with a new
    correction to one episode's notes."""
    from clones import clone, to_pointers

    fresh = WORK / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    clone(origin, fresh)
    if edit == "pointers":
        to_pointers(fresh)
    elif edit == "notes":
        page = fresh / "episodes" / "episode-100" / "episode.md"
        page.write_text(page.read_text() + f"\nCorrection {next(edits)}.\n")
    return fresh


def measure_all(s3, direct: str, keys, spy) -> list[tuple]:
    """Every row: the first publish (counted), then each fresh clone: the best of ROUNDS
    direct runs, and one more run counted through the proxy."""
    origin = make_origin(direct, f"{direct}/{BUCKET}/")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=keys[0], AWS_SECRET_ACCESS_KEY=keys[1],
               AWS_CONFIG_FILE=str(WORK / "none"), PODCAST_FFMPEG=str(spy.path),
               AWS_SHARED_CREDENTIALS_FILE=str(WORK / "none"))
    edits = itertools.count(1)
    counted = ("--endpoint-url", s3.endpoint)
    rows = []
    for name, edit in (("first publish (every master encoded)", "first"),
                       ("fresh clone", None), ("fresh clone, LFS pointer masters", "pointers"),
                       ("fresh clone, one episode's notes edited", "notes")):
        best = None
        for _ in range(0 if edit == "first" else ROUNDS):
            got = run(fresh_clone(origin, edit, edits), env, spy)
            best = got if best is None or got["seconds"] < best["seconds"] else best
        s3.reset()
        got = run(origin if edit == "first" else fresh_clone(origin, edit, edits), env, spy,
                  *counted)
        best = best or got
        rows.append((name, best, got, dict(s3.counts), s3.received))
        print(f"{name}: {best['seconds']:.1f} s ({best['cpu']:.1f} s CPU, load "
              f"{best['load']:.1f}), {best['lame']} LAME runs; counted: {got['lame']} LAME "
              f"runs, S3 {dict(s3.counts)} ({s3.received} bytes back); {got['uploaded']}; "
              f"{got['verified']}", flush=True)
    return rows


def report(rows: list[tuple]) -> None:
    print()
    print(f"{EPISODES} episodes of {EPISODE_SECONDS:g} s, SeaweedFS on 127.0.0.1 (auth on), "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; each run is "
          f"`podcast publish` in a fresh process; fresh clones: best of {ROUNDS}")
    print()
    print("| run | time | CPU | LAME runs | S3 requests | S3 bytes down | uploaded |")
    print("|---|---:|---:|---:|---|---:|---|")
    for name, best, got, counts, down in rows:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        print(f"| {name} | {best['seconds']:.1f} s | {best['cpu']:.1f} s | {got['lame']} "
              f"| {sum(counts.values())} ({kinds}) | {down / 1e3:.0f} kB "
              f"| {got['uploaded'] or '-'} |")
    _, best, got, counts, down = rows[1]
    goal = got["lame"] == 0 and best["seconds"] < 5 and not counts.get("GET (media)")
    print()
    print(f"listener check of each: {rows[1][2]['verified']}")
    print(f"fresh clone: {best['seconds']:.1f} s, {got['lame']} encodes, "
          f"{counts.get('GET (media)', 0)} media GETs, {down / 1e3:.0f} kB of records and "
          f"listings from S3 ({'met' if goal else 'NOT met'}: 0 encodes, no media bytes, "
          "under 5 s)")


def main() -> None:
    from clones import SpyFFmpeg

    WORK.mkdir(parents=True, exist_ok=True)
    spy = SpyFFmpeg(WORK / "spy")
    proc, ports, keys = start_server()
    try:
        with CountingProxy(ports.s3) as s3:
            print(f"generating {EPISODES} episodes ...", flush=True)
            rows = measure_all(s3, f"http://127.0.0.1:{ports.s3}", keys, spy)
    finally:
        proc.terminate()
        proc.wait(30)
    report(rows)


if __name__ == "__main__":
    main()
