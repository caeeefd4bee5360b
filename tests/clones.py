"""Helpers for the publish-from-anywhere tests: a show repository in git, clones of
it, Git LFS pointer masters and a spy ffmpeg that counts LAME runs across
processes (the shards run as separate `podcast` processes)."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from podcast.feed.reader import read_feed

REPO = Path(__file__).resolve().parents[1]
GITIGNORE = "/feed/\n/.cache/\n/.local-s3/\n"


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Producer", "GIT_AUTHOR_EMAIL": "p@example.org",
           "GIT_COMMITTER_NAME": "Producer", "GIT_COMMITTER_EMAIL": "p@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout


def make_repo(root: Path) -> Path:
    """Commit the show at ``root`` (made by showfactory) as a git repository."""
    shutil.copytree(REPO / "templates", root / "templates", dirs_exist_ok=True)
    (root / ".gitignore").write_text(GITIGNORE)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the show")
    return root


def clone(origin: Path, dest: Path) -> Path:
    """A fresh clone: the committed files only (no .cache/, no feed/)."""
    git(dest.parent, "clone", "-q", str(origin), dest.name)
    return dest


def pointer_text(path: Path) -> str:
    data = path.read_bytes()
    return (f"version https://git-lfs.github.com/spec/v1\n"
            f"oid sha256:{hashlib.sha256(data).hexdigest()}\nsize {len(data)}\n")


def to_pointers(root: Path) -> list[Path]:
    """Replace every master of the show by its Git LFS pointer, as a checkout that
    skips LFS leaves it."""
    masters = sorted(root.glob("episodes/*/master.*"))
    for path in masters:
        path.write_text(pointer_text(path))
    return masters


class SpyFFmpeg:
    """An executable that logs its arguments, then runs the real ffmpeg: set as
    PODCAST_FFMPEG, it counts the encodes of every process that runs it."""

    def __init__(self, folder: Path, real: str | None = None):
        folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / "ffmpeg-calls.log"
        self.path = folder / "ffmpeg-spy"
        real = real or shutil.which("ffmpeg")
        self.path.write_text(
            f"#!{sys.executable}\n"
            "import os, sys\n"
            f"with open({str(self.log)!r}, 'a') as f:\n"
            "    f.write(' '.join(sys.argv[1:]) + '\\n')\n"
            f"os.execv({real!r}, [{real!r}] + sys.argv[1:])\n")
        self.path.chmod(self.path.stat().st_mode | stat.S_IXUSR)

    def lame_runs(self) -> int:
        if not self.log.exists():
            return 0
        return sum("libmp3lame" in line for line in self.log.read_text().splitlines())

    def reset(self) -> None:
        self.log.unlink(missing_ok=True)


def enclosures(root: Path) -> dict[str, str]:
    """guid -> enclosure URL of the feed built at ``root``."""
    path = root / "feed" / "feed.xml"
    feed = read_feed(path.read_bytes(), str(path))
    return {item.guid: item.enclosure_url for item in feed.items}
