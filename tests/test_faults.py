"""Real faults at the CLI's edge: one clear `error: <file>: <problem>. <what to do>`.

The faults are produced for real: a read-only file system and a full one
(small tmpfs mounts when the tests run as root, as CI does; a read-only
folder otherwise), a folder even root may not write to (chattr +i), a corrupt
credentials file, a pid file naming a process that is not our server.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from podcast.cli import cli
from podcast.publish import local
from tests.showfactory import make_show

ROOT = Path(__file__).resolve().parents[1]
IS_ROOT = os.geteuid() == 0


def _can_mount() -> bool:
    if not IS_ROOT or not shutil.which("mount"):
        return False
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", folder],
                              capture_output=True)
        if done.returncode != 0:
            return False
        subprocess.run(["umount", folder], check=True)
        return True


CAN_MOUNT = _can_mount()


@contextlib.contextmanager
def tmpfs(folder: Path, options: str):
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def show(tmp_path: Path) -> Path:
    root = make_show(tmp_path)
    shutil.copytree(ROOT / "templates", root / "templates")
    return root


def podcast(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def assert_clear(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert lines, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[-1], lines[-1]


@pytest.mark.slow
def test_a_read_only_feed_folder(tmp_path):
    root = show(tmp_path)
    feed = root / "feed"
    if CAN_MOUNT:
        with tmpfs(feed, "ro,size=64k"):
            result = podcast(root, "build")
            verbose = podcast(root, "-v", "build")
        assert_clear(result, f"{feed}/", "read-only file system",
                     "work in a writable copy of the show")
    else:
        feed.mkdir()
        feed.chmod(0o555)
        try:
            result = podcast(root, "build")
            verbose = podcast(root, "-v", "build")
        finally:
            feed.chmod(0o755)
        assert_clear(result, f"{feed}/", "permission denied", "Check its permissions")
    assert "Traceback" in verbose.output  # only with -v


@pytest.mark.slow
@pytest.mark.skipif(not CAN_MOUNT, reason="a full disk needs a small tmpfs (root)")
def test_a_full_disk(tmp_path):
    root = show(tmp_path)
    with tmpfs(root / "feed", "size=16k"):
        result = podcast(root, "build")
        leftovers = [p for p in (root / "feed").rglob(".*") if p.is_file()]
    assert_clear(result, "/feed/", "no space left on device", "Free some disk space")
    assert leftovers == []  # no temp file left behind


@pytest.mark.slow
def test_a_folder_nobody_may_write(tmp_path):
    """chattr +i stops even root; chmod stops anyone else."""
    root = show(tmp_path)
    feed = root / "feed"
    feed.mkdir()
    if IS_ROOT:
        if subprocess.run(["chattr", "+i", str(feed)], capture_output=True).returncode:
            pytest.skip("chattr +i is not supported here")
        undo = ["chattr", "-i", str(feed)]
        expected = "operation not permitted"
    else:
        feed.chmod(0o500)
        undo = ["chmod", "755", str(feed)]
        expected = "permission denied"
    try:
        result = podcast(root, "build")
    finally:
        subprocess.run(undo, check=True)
    assert_clear(result, str(feed), expected, "Check its permissions")


@pytest.mark.skipif(IS_ROOT, reason="root reads any file whatever its mode")
def test_an_unreadable_template(tmp_path):
    root = show(tmp_path)
    template = root / "templates" / "episode.html"
    template.chmod(0)
    try:
        result = podcast(root, "check")
    finally:
        template.chmod(0o644)
    assert "episode.html" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("content", [b'{"access_key": 5', b"\xff\xfe\x00", b'["a", "b"]',
                                     b'{"access_key": "", "secret_key": "x"}'])
def test_corrupt_local_credentials(tmp_path, content):
    root = make_show(tmp_path)
    creds = root / ".local-s3" / "credentials"
    creds.parent.mkdir()
    creds.write_bytes(content)
    result = podcast(root, "local-s3", "start")
    assert_clear(result, ".local-s3/credentials: is damaged",
                 "podcast local-s3 stop), delete the file and publish again")
    assert not (root / ".local-s3" / "server.pid").exists()  # nothing was started


def test_stop_signals_only_our_server(tmp_path):
    """A pid file naming another process (a reused pid, a copied folder): not killed."""
    root = make_show(tmp_path)
    (root / ".local-s3").mkdir()
    # Another program that says when it runs: Popen can return while the child is still
    # in exec, its command line not yet set; once it has printed, it is running.
    sleeper = subprocess.Popen(["sleeper", "-c", "print('up', flush=True); input()"],
                               executable=sys.executable, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert sleeper.stdout.readline() == "up\n"
    try:
        (root / ".local-s3" / "server.pid").write_text(f"{sleeper.pid} 18333\n")
        result = podcast(root, "local-s3", "stop")
        assert result.exit_code == 0, result.output
        assert f"names pid {sleeper.pid}, which is not this show's SeaweedFS (it runs: " \
               "sleeper -c print('up', flush=True); input()): left alone" in result.output
        assert "no local S3 server was running" in result.output
        assert sleeper.poll() is None  # still alive
        assert not (root / ".local-s3" / "server.pid").exists()
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.s3
@pytest.mark.slow
def test_stop_stops_our_server(tmp_path, monkeypatch):
    root = make_show(tmp_path)
    base = local.Ports.free().s3
    monkeypatch.setenv(local.PORT_ENV, str(base))
    result = podcast(root, "local-s3", "start")
    assert result.exit_code == 0, result.output
    pid = int((root / ".local-s3" / "server.pid").read_text().split()[0])
    assert local._ours(pid, root / ".local-s3")
    result = podcast(root, "local-s3", "stop")
    assert f"stopped the local S3 server (pid {pid})" in result.output
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.slow
def test_ctrl_c_is_one_line(tmp_path):
    """SIGINT a real `podcast build` while it encodes: a message, exit 130."""
    root = make_show(tmp_path, episodes=[{"master_seconds": 120.0}])
    shutil.copytree(ROOT / "templates", root / "templates")
    proc = subprocess.Popen([sys.executable, "-m", "podcast", "--root", str(root), "build"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    seen = []
    for line in proc.stderr:  # wait for the encode to start, not a fixed time
        seen.append(line)
        if "encoding" in line:
            break
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    out, err = proc.communicate(timeout=60)
    err = "".join(seen) + err
    assert proc.returncode == 130, err
    assert "interrupted: nothing half-written was left behind" in err
    assert "Traceback" not in err


def test_free_ports_are_outside_the_ephemeral_range():
    """Test servers get ports no outgoing connection can take before they bind."""
    low, _ = local.ephemeral_ports()
    ports = local.Ports.free()
    numbers = [getattr(ports, f.name) for f in dataclasses.fields(ports)]
    assert numbers == list(range(ports.s3, ports.s3 + len(numbers)))
    assert local.FREE_FROM <= ports.s3 and numbers[-1] < low
    assert not ports.busy()
