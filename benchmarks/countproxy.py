"""The counting reverse proxy of the publish benchmarks: tests/s3proxy.py's, quiet.

Forwards every request unchanged (the Host header too, so SigV4 signatures
still match) to one S3 endpoint and counts requests per method. Used only
for the no-op runs, which move little data: throughput is measured direct.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from s3proxy import CountingProxy  # noqa: E402

__all__ = ["CountingProxy"]
