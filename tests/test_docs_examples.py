"""Every command the documentation shows works today.

The shell examples are the ``sh`` fenced blocks of README.md and docs/*.md. Each
page's blocks run in order, with bash (``set -e``), in a copy of the sample show
that has been built once, with the project's ``podcast`` on PATH and ``.venv``
beside it, a home folder holding the ``~/masters/ep3.flac``, ``~/masters/host.flac``,
``~/masters/guest.flac`` and ``~/notes/ep3.md`` the examples name, and no network. A block that cannot run offline, or runs
until stopped, is marked on the line before it, with the reason:

    <!-- docs-test: skip: REASON -->

Output and file examples use other languages (``text``, ``toml``, ``yaml``...),
which are not run; a shell example under another name (``bash``, ``console``)
is refused, so no command escapes the test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOW_FILES = ("podcast.toml", "episodes", "artwork", "templates")
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[^\s`]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                   re.MULTILINE | re.DOTALL)
SKIP = re.compile(r"^\s*<!-- docs-test: skip: (?P<why>\S.*?) -->\s*$")
OTHER_SHELLS = {"bash", "shell", "console", "zsh", "shell-session", "sh-session", "terminal"}
NETWORK_FREE_ENV = {"HF_HUB_OFFLINE": "1", "EDITOR": "true", "NO_COLOR": "1"}


@dataclass(frozen=True)
class Example:
    page: str
    line: int
    lang: str
    code: str
    skip: str | None


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def examples(path: Path) -> list[Example]:
    text = path.read_text(encoding="utf-8")
    found = []
    for m in FENCE.finditer(text):
        before = text[:m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = SKIP.match(before)
        found.append(Example(path.relative_to(ROOT).as_posix(),
                             text.count("\n", 0, m.start()) + 1, m["lang"],
                             re.sub(rf"(?m)^{m['indent']}", "", m["body"]),
                             skip["why"] if skip else None))
    return found


def shell_examples(path: Path) -> list[Example]:
    return [e for e in examples(path) if e.lang == "sh"]


PAGES = [p for p in documents() if any(e.skip is None for e in shell_examples(p))]


def test_examples_are_found():
    """The extraction itself: the getting-started page has runnable and skipped blocks."""
    found = shell_examples(ROOT / "docs" / "getting-started.md")
    assert any(e.skip is None and "podcast add" in e.code for e in found)
    assert any(e.skip and "make publish" in e.code for e in found)
    assert len(PAGES) >= 6


def test_every_code_block_names_its_language():
    """A bare ``` block could hide a command from the test; shell is always `sh`."""
    for doc in documents():
        for e in examples(doc):
            assert e.lang, f"{e.page}:{e.line}: name the block's language (sh, text, toml...)"
            assert e.lang not in OTHER_SHELLS, f"{e.page}:{e.line}: write shell as ```sh"


def test_a_skip_marks_a_shell_block():
    for doc in documents():
        lines = doc.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if line.lstrip().startswith("<!-- docs-test"):
                assert SKIP.match(line), f"{doc.name}:{i + 1}: write <!-- docs-test: skip: WHY -->"
                assert i + 1 < len(lines) and lines[i + 1].strip() == "```sh", \
                    f"{doc.name}:{i + 1}: a skip marker goes on the line before a ```sh block"


# ---- running them ---------------------------------------------------------------------

@pytest.fixture(scope="session")
def built_show(tmp_path_factory) -> Path:
    """The sample show, built once (its audio is then cached for every page's copy)."""
    show = tmp_path_factory.mktemp("docs-show") / "show"
    show.mkdir()
    for name in SHOW_FILES:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, show / name)
    (show / ".venv").symlink_to(Path(sys.executable).parent.parent)
    run(show, "podcast build", env=shell_env(show, show.parent / "home"))
    return show


def shell_env(show: Path, home: Path) -> dict[str, str]:
    from test_publish_local import free_block

    home.mkdir(exist_ok=True)
    (home / "masters").mkdir(exist_ok=True)
    shutil.copy2(ROOT / "episodes" / "trailer" / "master.flac", home / "masters" / "ep3.flac")
    (home / "notes").mkdir(exist_ok=True)
    (home / "notes" / "ep3.md").write_text("How an informant's tip became evidence.\n",
                                           encoding="utf-8")
    # Two microphones of one session (docs/multitrack.md): the trailer's master, and the
    # same backwards, 12 dB quieter: another voice, as long.
    trailer = ROOT / "episodes" / "trailer" / "master.flac"
    shutil.copy2(trailer, home / "masters" / "host.flac")
    from podcast.audio.ffmpeg import find_ffmpeg
    subprocess.run([find_ffmpeg(), "-nostdin", "-loglevel", "error", "-y", "-i", str(trailer),
                    "-af", "areverse,volume=-12dB", str(home / "masters" / "guest.flac")],
                   check=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "PODCAST_", "VIRTUAL_ENV"))}
    return {**env, **NETWORK_FREE_ENV, "HOME": str(home),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "PODCAST_LOCAL_S3_PORT": str(free_block())}


def run(show: Path, code: str, *, env: dict[str, str], where: str = "") -> str:
    result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", code], cwd=show, env=env,
                            capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, (f"{where} failed (exit {result.returncode}):\n{code}\n"
                                    f"--- stdout\n{result.stdout[-3000:]}\n"
                                    f"--- stderr\n{result.stderr[-3000:]}")
    return result.stdout


@pytest.mark.slow
@pytest.mark.s3
@pytest.mark.parametrize("doc", PAGES, ids=[p.name for p in PAGES])
def test_the_shell_examples_run(doc: Path, built_show: Path, tmp_path: Path):
    show = tmp_path / "show"
    shutil.copytree(built_show, show, symlinks=True)
    env = shell_env(show, tmp_path / "home")
    try:
        for e in shell_examples(doc):
            if e.skip is None:
                run(show, e.code, env=env, where=f"{e.page}:{e.line}")
    finally:
        if (show / ".local-s3").exists():
            subprocess.run([sys.executable, "-m", "podcast", "--root", str(show), "local-s3",
                            "stop"], env=env, capture_output=True, timeout=120)
