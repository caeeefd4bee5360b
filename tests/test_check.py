"""`podcast check` over a corpus of broken shows: every problem, one run, no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from podcast.cli import cli
from tests.showfactory import REPO, SHOW_TOML, good
from tests.showfactory import add_raw_episode as add_episode
from tests.showfactory import make_raw_show as make_show

BROKEN = [
    ("no-title", good(10, title=None), ["episodes/no-title/episode.md: title: missing"]),
    ("impossible-date", good(11, date="2024-02-30T10:00:00+00:00"),
     ["episodes/impossible-date/episode.md: date:", "not a valid date"]),
    ("no-zone", good(12, date="2024-01-12T10:00:00"),
     ["episodes/no-zone/episode.md: date:", "no time zone"]),
    ("dup-number", good(1, date="2024-03-01T10:00:00+00:00"), ["episodes/dup-number/episode.md: number: 1 is already used"]),
    ("dup-guid", good(13, guid="11111111-1111-4111-8111-111111111111"),
     ["episodes/dup-guid/episode.md: guid: 11111111-1111-4111-8111-111111111111 is also "
      "the guid of good-one"]),
    ("no-master", good(14, master="gone.wav"),
     ["episodes/no-master/episode.md: master: gone.wav does not exist"]),
    ("bad-type", good(15, type="special"),
     ["episodes/bad-type/episode.md: type: 'special' is not one of full, trailer, bonus"]),
    ("broken-yaml", 'title: "unclosed\nnumber: [1\n',
     ["episodes/broken-yaml/episode.md:", "not valid YAML"]),
    ("chapters-order", good(16, chapters='[{start: "0:02", title: A}, {start: "0:01", title: B}]'),
     ["episodes/chapters-order/episode.md: chapters[2].start:", "not after the previous"]),
    ("chapters-past-end", good(17, chapters='[{start: "0:00", title: A}, {start: "5:00", title: B}]'),
     ["episodes/chapters-past-end/episode.md: chapters[2].start: 300s is past the end"]),
    ("not-utf8", b"---\ntitle: caf\xe9\n---\n", ["episodes/not-utf8/episode.md:", "not UTF-8"]),
    # Any text is a guid (imported shows keep theirs), but an unquoted number is not.
    ("bad-guid", good(18, guid="18"),
     ["episodes/bad-guid/episode.md: guid: expected text, got a number 18. Quote the guid"]),
]


@pytest.fixture
def broken_show(tmp_path: Path) -> Path:
    root = make_show(tmp_path)
    add_episode(root, "good-one", good(1, guid="11111111-1111-4111-8111-111111111111"))
    for slug, front, _ in BROKEN:
        if isinstance(front, bytes):
            add_episode(root, slug, "", raw=front)
        else:
            add_episode(root, slug, front)
    # an unreadable master: text pretending to be audio
    folder = root / "episodes" / "unreadable-master"
    add_episode(root, "unreadable-master", good(19), master=False)
    (folder / "master.wav").write_bytes(b"this is not audio at all" * 10)
    return root


def test_check_reports_every_broken_episode_once(broken_show: Path):
    result = CliRunner().invoke(cli, ["--root", str(broken_show), "check"])
    out = result.output
    assert result.exit_code == 1, out
    assert "Traceback" not in out
    for slug, _, fragments in BROKEN:
        for fragment in fragments:
            assert fragment in out, f"{slug}: {fragment!r} not in:\n{out}"
    assert "episodes/unreadable-master/episode.md: master:" in out
    assert "episodes/good-one" not in out
    # the count line agrees with the lines printed
    errors = [line for line in out.splitlines() if line.startswith("error: episodes/")]
    assert f"{len(errors)} errors found" in out


def test_check_passes_on_the_committed_show(tmp_path: Path):
    """The show as committed: a copy of its tracked inputs, so a developer's own
    feed/ (built, perhaps for a preview URL) cannot decide the outcome."""
    for name in ("podcast.toml", "episodes", "artwork", "templates"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name)
        else:
            shutil.copy(src, tmp_path / name)
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "check"])
    assert result.exit_code == 0, result.output
    assert "error" not in result.output


def test_show_config_problems_are_all_reported(tmp_path: Path):
    toml = SHOW_TOML.replace('owner = { name = "Tester", email = "tester@example.org" }',
                             'owner = { name = "Tester" }')
    toml = toml.replace('categories = [["Government"]]', 'categories = [["Gardening"]]')
    toml = toml.replace('url = "https://example.org/show/"', 'url = "http://example.org/"')
    toml += 'explicit = "no"\ncolour = "red"\n[audio]\nloudness = -3\n'
    root = make_show(tmp_path, toml)
    result = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert result.exit_code == 1
    out = result.output
    assert "podcast.toml: [show] owner.email: missing." in out
    assert "podcast.toml: [show] categories[1]: 'Gardening' is not an Apple Podcasts category" in out
    assert "podcast.toml: [show] url: 'http://example.org/' is not https" in out
    assert "podcast.toml: [show] explicit: expected true or false" in out
    assert "podcast.toml: [audio] loudness: -3 is outside" in out
    assert "warning: podcast.toml: [show] colour: unknown key, ignored" in out
    assert "Traceback" not in out


def test_broken_toml_names_the_file(tmp_path: Path):
    root = make_show(tmp_path, "[show\ntitle = 1\n")
    result = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert result.exit_code == 1
    assert "podcast.toml: is not valid TOML" in result.output
    assert "Traceback" not in result.output


def test_no_show_here(tmp_path: Path):
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "check"])
    assert result.exit_code == 1
    assert "podcast.toml: not found" in result.output
