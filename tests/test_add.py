"""`podcast add`: a master and metadata become a valid episode; nothing else changes."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from podcast.cli import cli
from podcast.show.config import load_show
from podcast.show.episodes import load_episodes
from tests.showfactory import make_raw_show as make_show
from tests.showfactory import write_wav


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def test_add_round_trip(tmp_path: Path):
    root = make_show(tmp_path / "show")
    master = write_wav(tmp_path / "incoming" / "My Master.wav")
    before, mtime = sha(master), master.stat().st_mtime_ns
    notes = tmp_path / "notes.md"
    notes.write_text("Notes with a [link](https://www.gov.uk/ACT).\n", encoding="utf-8")

    result = run(root, "add", str(master), "--title", "Multiple Bombings & More",
                 "--season", "1", "--date", "2024-05-01T09:00:00+01:00", "--notes", str(notes))
    assert result.exit_code == 0, result.output
    assert "created episodes/multiple-bombings-more/episode.md" in result.output

    # the original is untouched, the copy identical
    assert sha(master) == before and master.stat().st_mtime_ns == mtime
    folder = root / "episodes" / "multiple-bombings-more"
    assert sha(folder / "master.wav") == before

    episodes = load_episodes(load_show(root))
    (ep,) = episodes
    assert uuid.UUID(ep.guid).version == 4
    assert ep.title == "Multiple Bombings & More"
    assert ep.number == 1 and ep.season == 1 and ep.type == "full"
    assert ep.date.isoformat() == "2024-05-01T09:00:00+01:00"
    assert "gov.uk/ACT" in ep.notes
    assert run(root, "check").exit_code == 0

    # the next one gets the next number and its own guid
    second = write_wav(tmp_path / "incoming" / "two.wav")
    assert run(root, "add", str(second), "--title", "Second", "--season", "1").exit_code == 0
    eps = {e.slug: e for e in load_episodes(load_show(root))}
    assert eps["second"].number == 2
    assert eps["second"].guid != ep.guid


def test_add_refuses_to_overwrite(tmp_path: Path):
    root = make_show(tmp_path / "show")
    master = write_wav(tmp_path / "a.wav")
    assert run(root, "add", str(master), "--title", "Same").exit_code == 0
    text = (root / "episodes" / "same" / "episode.md").read_text()
    result = run(root, "add", str(master), "--title", "Same")
    assert result.exit_code == 1
    assert "episodes/same: already exists" in result.output
    assert (root / "episodes" / "same" / "episode.md").read_text() == text


def test_add_rejects_bad_input_and_creates_nothing(tmp_path: Path):
    root = make_show(tmp_path / "show")
    fake = tmp_path / "fake.wav"
    fake.write_bytes(b"not audio" * 100)
    result = run(root, "add", str(fake), "--title", "Fake")
    assert result.exit_code == 1
    assert f"{fake}: is corrupt or not an audio format" in result.output
    assert not (root / "episodes" / "fake").exists()

    text = tmp_path / "notes.txt"
    text.write_text("hello")
    result = run(root, "add", str(text), "--title", "Text")
    assert result.exit_code == 1 and "is not a supported audio format" in result.output

    master = write_wav(tmp_path / "ok.wav")
    result = run(root, "add", str(master), "--title", "No zone", "--date", "2024-05-01T09:00")
    assert result.exit_code == 2 and "has no time zone" in result.output
    assert not (root / "episodes").exists() or not any((root / "episodes").iterdir())


def test_add_draft(tmp_path: Path):
    root = make_show(tmp_path / "show")
    master = write_wav(tmp_path / "a.wav")
    assert run(root, "add", str(master), "--title", "Later", "--draft").exit_code == 0
    (ep,) = load_episodes(load_show(root))
    assert ep.status == "draft" and ep.state() == "draft"


def test_quiet_prints_nothing_on_success_but_still_reports_errors(tmp_path: Path):
    root = make_show(tmp_path / "show")
    master = write_wav(tmp_path / "a.wav")
    result = CliRunner().invoke(cli, ["--root", str(root), "-q", "add", str(master),
                                      "--title", "Quiet"])
    assert result.exit_code == 0 and result.output == ""
    result = CliRunner().invoke(cli, ["--root", str(root), "-q", "add", str(master),
                                      "--title", "Quiet"])
    assert result.exit_code == 1 and "episodes/quiet: already exists" in result.output


def test_the_library_refuses_a_slug_that_leaves_episodes(tmp_path: Path):
    """The slug rule lives in the library: a Python caller gets it too, before anything
    is written (from the CLI it is a usage error, exit 2)."""
    from podcast.errors import OptionError
    from podcast.show.manage import add_episode

    root = make_show(tmp_path / "show")
    master = write_wav(tmp_path / "a.wav")
    for slug in ("../x", "a/b", "Upper", "-x", ""):
        with pytest.raises(OptionError, match="is not a slug of lowercase letters, digits and hyphens"):
            add_episode(root, master, title="Escape", slug=slug)
    assert not (tmp_path / "x").exists() and not (root / "episodes").exists()
    result = run(root, "add", str(master), "--title", "Escape", "--slug", "../x")
    assert result.exit_code == 2 and "slug: '../x' is not a slug of lowercase" in result.output
    assert add_episode(root, master, title="Fine", slug="fine-1").slug == "fine-1"
