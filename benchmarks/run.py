"""`make bench`: run every benchmark and print their tables.

Each benchmark module measures our pipeline against the reference tools in
the same run and prints ratios; figures are never asserted in tests.

    .venv/bin/python benchmarks/run.py            # all
    .venv/bin/python benchmarks/run.py feed audio # some
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["feed", "pages", "noop", "audio", "publish", "transcribe", "reach", "cut", "anywhere", "multitrack"]


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    names = argv or ORDER
    unknown = [n for n in names if n not in ORDER]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(ORDER)}")
        return 2
    for name in names:
        print(f"\n## {name}\n", flush=True)
        start = time.perf_counter()
        module = importlib.import_module(name)
        module.main()
        print(f"\n({name}: {time.perf_counter() - start:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
