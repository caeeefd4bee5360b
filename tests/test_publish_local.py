"""`make publish` with nothing configured: a local SeaweedFS on 127.0.0.1, then stop."""

from __future__ import annotations

import json
import os
import stat
import urllib.request

import pytest
from click.testing import CliRunner

from podcast.cli import cli
from podcast.publish import local
from tests.s3server import make_tree
from tests.showfactory import make_show

pytestmark = [pytest.mark.s3, pytest.mark.slow]


def free_block() -> int:
    return local.Ports.free().s3


def test_no_bucket_publishes_to_a_local_server(tmp_path, monkeypatch):
    root = make_show(tmp_path)
    base = free_block()
    monkeypatch.setenv(local.PORT_ENV, str(base))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    public = f"http://127.0.0.1:{base}/podcast/"
    make_tree(root / "feed", public)
    runner = CliRunner()
    try:
        result = runner.invoke(cli, ["--root", str(root), "publish", "--no-build"])
        assert result.exit_code == 0, result.output
        assert f"feed: {public}feed.xml" in result.output
        assert f"podcast --root {root} local-s3 stop" in result.output
        creds = root / ".local-s3" / "credentials"
        assert stat.S_IMODE(creds.stat().st_mode) == 0o600
        keys = json.loads(creds.read_text())
        assert keys["secret_key"] not in result.output
        assert keys["access_key"] not in result.output
        with urllib.request.urlopen(public + "feed.xml", timeout=10) as resp:  # anonymous
            assert resp.headers["Content-Type"].startswith("application/rss+xml")
        # The server keeps running for the podcast app; a second publish reuses it.
        result = runner.invoke(cli, ["--root", str(root), "publish", "--no-build"])
        assert result.exit_code == 0, result.output
        assert "uploaded 0 files" in result.output
    finally:
        result = runner.invoke(cli, ["--root", str(root), "local-s3", "stop"])
    assert "stopped the local S3 server" in result.output
    # stop returns once the server is gone (and reaped): its ports are free at once.
    assert not local.Ports.block(base).busy()
    assert "no local S3 server" in runner.invoke(
        cli, ["--root", str(root), "local-s3", "stop"]).output
    assert os.listdir(root / ".local-s3" / "data")  # the data stays
