"""Git LFS pointer masters: known by their oid, accepted by check and list, and a
clear one-line error where the sound itself is needed."""

from __future__ import annotations

import hashlib
import shutil

from click.testing import CliRunner

from clones import REPO, pointer_text, to_pointers
from podcast.cli import cli
from podcast.show.lfs import GITATTRIBUTES, is_pointer, pointer_oid
from showfactory import make_show

CHAPTERS = [{"start": "0:00", "title": "Cold open"}, {"start": "0:02", "title": "The call"}]


def test_a_pointer_names_the_real_files_sha256(tmp_path):
    master = make_show(tmp_path) / "episodes/episode-1/master.wav"
    sha = hashlib.sha256(master.read_bytes()).hexdigest()
    (tmp_path / "pointer.wav").write_text(pointer_text(master))
    assert pointer_oid(tmp_path / "pointer.wav") == sha
    assert pointer_oid(master) is None and not is_pointer(tmp_path / "missing.wav")


def test_near_misses_are_not_pointers(tmp_path):
    good = pointer_text(make_show(tmp_path) / "episodes/episode-1/master.wav")
    for name, text in {
        "other spec": good.replace("git-lfs.github.com", "example.org"),
        "short oid": good.replace("oid sha256:", "oid sha256:0"[:-1] + "x"),
        "no size": "\n".join(good.splitlines()[:2]) + "\n",
        "too long": good + "x " * 600 + "\n",
        "audio": "RIFF....WAVEfmt ",
    }.items():
        path = tmp_path / f"{name}.wav"
        path.write_text(text)
        assert pointer_oid(path) is None, name
    extension = good.replace("oid ", "ext-0-foo sha256:" + "0" * 64 + "\noid ")
    (tmp_path / "ext.wav").write_text(extension)
    assert pointer_oid(tmp_path / "ext.wav") is not None  # extension lines are allowed


def test_check_and_list_accept_pointer_masters(tmp_path):
    root = make_show(tmp_path, episodes=[{"title": "Multiple Bombings", "chapters": CHAPTERS},
                                         {"title": "Under Surveillance"}])
    shutil.copytree(REPO / "templates", root / "templates")
    to_pointers(root)
    result = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert result.exit_code == 0, result.output
    assert ("info: episodes/: 2 masters are Git LFS pointers: not probed (length, chapter "
            "times)") in result.output
    assert "ok: show and episodes are valid\n" in result.output  # an info is not a warning
    listing = CliRunner().invoke(cli, ["--root", str(root), "list"])
    assert listing.exit_code == 0, listing.output
    assert listing.output.count("master.wav (LFS pointer)") == 2


def test_building_a_pointer_master_says_which_file_to_pull(tmp_path):
    root = make_show(tmp_path)
    to_pointers(root)
    result = CliRunner().invoke(cli, ["--root", str(root), "build"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "error: episodes/episode-1/master.wav: is a Git LFS pointer, not audio. "
        "Run: git lfs pull --include=episodes/episode-1/master.wav")
    assert "Traceback" not in result.output


def test_the_cache_key_of_a_pointer_is_the_real_masters(tmp_path):
    from podcast.audio.cache import Cache
    from podcast.audio.identity import audio_hashes
    from podcast.show import load_project

    root = make_show(tmp_path)
    project = load_project(root)
    real = audio_hashes(project.show, Cache(project.show), project.episodes, 1)
    to_pointers(root)
    project = load_project(root)
    assert audio_hashes(project.show, Cache(project.show), project.episodes, 1) == real


def test_the_readme_shows_the_gitattributes_line():
    assert GITATTRIBUTES in (REPO / "README.md").read_text()
    assert GITATTRIBUTES in (REPO / "docs/ci.md").read_text()
