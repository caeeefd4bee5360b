"""`podcast publish` and `podcast local-s3` through the CLI, credentials from the AWS chain."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from podcast.cli import cli
from tests.s3server import make_tree
from tests.showfactory import make_show

pytestmark = pytest.mark.s3


@pytest.fixture
def show(tmp_path, s3_server, monkeypatch):
    """A show whose [publish] names the test server; feed/ already built."""
    target = s3_server.target()
    root = make_show(tmp_path, publish={"bucket": s3_server.bucket,
                                        "prefix": target.prefix.strip("/"),
                                        "endpoint_url": s3_server.endpoint,
                                        "public_url": s3_server.public_url(target)})
    make_tree(root / "feed", s3_server.public_url(target))
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.credentials[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.credentials[1])
    return root, target


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def test_dry_run_prints_the_plan_and_changes_nothing(show, s3_server):
    root, target = show
    result = run(root, "publish", "--no-build", "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["key", "size", "content-type", "cache-control", "reason"]
    row = next(line for line in lines if line.startswith("media/ep1-"))
    assert "audio/mpeg" in row and "immutable" in row and row.endswith("new")
    assert any(line.startswith("feed.xml") and "application/rss+xml" in line for line in lines)
    assert "dry run: 17 to upload" in result.output and "nothing was changed" in result.output
    assert s3_server.objects(target) == {}


def test_dry_run_shows_a_retag_as_an_allowed_change(show, s3_server):
    root, target = show
    assert run(root, "publish", "--no-build").exit_code == 0
    make_tree(root / "feed", s3_server.public_url(target), retags={1: 1})
    result = run(root, "publish", "--no-build", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "allowed feed changes" in result.output
    assert '"Episode 1": same audio at a new URL' in result.output
    assert "1 re-tagged (same audio at a new URL)" in result.output
    result = run(root, "publish", "--no-build")  # no --allow-feed-changes needed
    assert result.exit_code == 0, result.output
    assert "uploaded 2 files" in result.output  # the new MP3 and the feed


def test_publish_then_nothing_to_do(show, s3_server):
    root, target = show
    result = run(root, "publish", "--no-build")
    assert result.exit_code == 0, result.output
    assert "uploaded 17 files" in result.output and "skipped 0, deleted 0" in result.output
    assert "verified:" in result.output
    assert f"feed: {s3_server.public_url(target)}feed.xml" in result.output
    result = run(root, "publish", "--no-build")
    assert result.exit_code == 0, result.output
    assert "uploaded 0 files (0 B), skipped 17, deleted 0" in result.output


@pytest.mark.parametrize("verbose", [[], ["-v"], ["-vv"]])
def test_wrong_credentials_say_so_change_nothing_and_print_no_secret(
        show, s3_server, monkeypatch, verbose, caplog):
    root, target = show
    bad_secret = "wrong-" + s3_server.credentials[1][::-1]
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", bad_secret)
    result = CliRunner().invoke(cli, ["--root", str(root), *verbose, "publish", "--no-build"])
    assert result.exit_code == 1
    assert "refused the credentials (SignatureDoesNotMatch)" in result.output
    assert "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE" in result.output
    logged = caplog.text + result.output
    for secret in (bad_secret, s3_server.credentials[1]):
        assert secret not in logged
    assert s3_server.objects(target) == {}


def test_no_credentials(show, s3_server, monkeypatch):
    root, target = show
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = run(root, "publish", "--no-build")
    assert result.exit_code == 1
    assert "no credentials found" in result.output and "AWS_PROFILE" in result.output


def test_cli_overrides_the_config(show, s3_server, tmp_path):
    root, target = show
    other = s3_server.target()
    make_tree(root / "feed", s3_server.public_url(other))
    result = run(root, "publish", "--no-build", "--prefix", other.prefix,
                 "--public-url", s3_server.public_url(other))
    assert result.exit_code == 0, result.output
    assert "feed.xml" in s3_server.objects(other)
    assert s3_server.objects(target) == {}


def test_commands_have_help_with_an_example():
    for args in (["publish"], ["local-s3"], ["local-s3", "start"], ["local-s3", "stop"]):
        result = CliRunner().invoke(cli, [*args, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output
