"""The CI workflow a show repository publishes with (.github/workflows/publish.yml):
valid for GitHub (actionlint, with shellcheck over its scripts), and shaped as
issue 16 asks: push to main and a schedule, a matrix of shards, then one publish,
credentials from secrets or an OIDC role, only the needed LFS masters pulled."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / ".github" / "workflows" / "publish.yml"
BIN = Path(sys.executable).parent


def actionlint(path: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("actionlint", path=str(BIN)) or shutil.which("actionlint")
    if exe is None:
        pytest.fail("actionlint is not installed: it comes with the test extra "
                    "(pip install -e '.[test]')")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([exe, "-no-color", str(path)], capture_output=True, text=True,
                          env=env, cwd=path.parent, timeout=60)


def test_actionlint_finds_nothing_wrong():
    assert shutil.which("shellcheck", path=str(BIN)), "shellcheck comes with the test extra"
    run = actionlint(WORKFLOW)
    assert run.returncode == 0, run.stdout + run.stderr


def test_actionlint_would_catch_a_mistake(tmp_path):
    """The check above can fail: an unquoted expansion and an unknown input are found."""
    text = WORKFLOW.read_text().replace('--include="$(paste -sd, needed.txt)"',
                                        "--include=$(paste -sd, needed.txt)")
    text = text.replace("lfs: false", "lfs-please: false")
    broken = tmp_path / "publish.yml"
    broken.write_text(text)
    run = actionlint(broken)
    assert run.returncode == 1
    assert "SC2046" in run.stdout and 'input "lfs-please" is not defined' in run.stdout


def test_the_workflow_shards_then_publishes_with_secrets_or_oidc():
    doc = yaml.safe_load(WORKFLOW.read_text())
    on = doc[True]  # YAML 1.1 reads the key `on` as true
    assert on["push"]["branches"] == ["main"] and on["schedule"][0]["cron"]
    media, final = doc["jobs"]["media"], doc["jobs"]["publish"]
    shards = media["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1)) and len(shards) > 1
    assert final["needs"] == "media"
    assert doc["permissions"]["id-token"] == "write"

    text = WORKFLOW.read_text()
    assert f"${{{{ matrix.shard }}}}/{len(shards)}" in text  # every share, once
    assert "--needed-masters" in text and "git lfs pull --include=" in text
    for job in (media, final):
        steps = job["steps"]
        checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
        assert checkout["with"]["lfs"] is False
        creds = next(s for s in steps if "configure-aws-credentials" in s.get("uses", ""))
        assert creds["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
        assert creds["with"]["aws-access-key-id"] == "${{ secrets.AWS_ACCESS_KEY_ID }}"
        runs = [s["run"] for s in steps if "run" in s]
        assert any(r.strip().endswith(("podcast publish", 'podcast publish --shard "$SHARD"'))
                   for r in runs)
    # Nothing that looks like a key is written into the repository.
    assert not re.search(r"AKIA[0-9A-Z]{16}", text)


def test_make_install_exists_for_the_workflow():
    run = subprocess.run(["make", "-n", "install"], cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
