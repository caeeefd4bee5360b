"""The website for 1,000 generated episodes: where the time of a page build goes.

benchmarks/feed.py times the site inside the feed benchmark (full build and
no-op rebuild). This one separates what the code costs from what the disk
costs, because on a shared machine file creation dominates and varies:

- full build, cold: fresh output folder, Markdown not parsed yet;
- full build in a build: fresh folder, notes already parsed by the feed step
  of the same ``podcast build`` (what ``podcast build`` actually does);
- no-op rebuild: same inputs again (nothing rendered, nothing written);
- each on the working disk and, when /dev/shm exists, in memory (tmpfs).

Wall and CPU seconds (CPU includes the kernel's file-system work), best of R.

    .venv/bin/python benchmarks/pages.py [--episodes N] [--repeat R]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))


def _time(func, repeat: int, prepare=None) -> tuple[float, float]:
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        if prepare:
            prepare()
        wall, cpu = time.perf_counter(), time.process_time()
        func()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best


def measure(work: Path, count: int, repeat: int) -> list[tuple[str, float, float]]:
    from feed import generate_site  # the feed benchmark's 1,000 episodes

    from podcast.feed import write_feed
    from podcast.show import notes
    from podcast.site import write_pages

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copytree(REPO / "templates", work / "templates")
    site = generate_site(count, work)
    out = work / "feed"
    art = (out / site.artwork_key).read_bytes()

    def fresh(cold: bool):
        def prepare():
            shutil.rmtree(out, ignore_errors=True)
            (out / site.artwork_key).parent.mkdir(parents=True)
            (out / site.artwork_key).write_bytes(art)
            notes._blocks.cache_clear()
            if not cold:
                write_feed(site, out)  # the feed step parses every note first
        return prepare

    build = lambda: write_pages(site, out, strict=True)  # noqa: E731
    rows = [("full build, cold", *_time(build, repeat, fresh(True))),
            ("full build, after the feed step", *_time(build, repeat, fresh(False))),
            ("no-op rebuild", *_time(build, repeat))]
    pages = sum(1 for _ in out.rglob("*.html"))
    shutil.rmtree(work, ignore_errors=True)
    return [(f"{name} ({pages} pages)", wall, cpu) for name, wall, cpu in rows]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv if argv is not None else [])
    places = [("disk", HERE / ".work" / "site")]
    if Path("/dev/shm").is_dir():
        places.append(("tmpfs", Path("/dev/shm") / "podcast-bench-site"))
    print(f"{args.episodes} episodes, best of {args.repeat}; targets: full < 2 s, "
          "no-op < 0.5 s\n")
    print("| where | what | wall s | CPU s |")
    print("|---|---|---:|---:|")
    for where, work in places:
        for name, wall, cpu in measure(work, args.episodes, args.repeat):
            print(f"| {where} | {name} | {wall:.3f} | {cpu:.3f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
