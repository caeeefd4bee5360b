"""What the CLI relies on lives in the library: a Python caller gets the same rules.

The public URL of a build, where `podcast import` puts a show, the publish
options every layer passes along, and the upload bar fed from many threads.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from podcast.build import build
from podcast.cli import cli
from podcast.errors import ConfigError, OptionError
from podcast.progress import NullBar, byte_bar
from podcast.publish import PublishOptions
from podcast.show.config import find_root
from tests.showfactory import make_raw_show as make_show


@pytest.mark.parametrize("url,problem", [
    ("http://example.org/", "is not https"),
    ("javascript:alert(1)", "is not an absolute URL"),
    ("/relative/", "is not an absolute URL"),
    ("https://example.org/a b/", "contains spaces"),
])
def test_build_refuses_a_public_url_apps_cannot_use(tmp_path: Path, url: str, problem: str):
    root = make_show(tmp_path / "show")
    with pytest.raises(OptionError, match=problem) as info:
        build(root, public_url=url)
    assert info.value.exit_code == 2 and info.value.where == "public_url"
    assert not (root / "feed").exists()  # refused before anything was written


def test_the_import_root_rule(tmp_path: Path, monkeypatch):
    show = make_show(tmp_path / "show")
    inner = show / "episodes"
    inner.mkdir()
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    # an import into an existing show: the show around here (or --root), as any command
    with pytest.raises(ConfigError, match="podcast.toml: not found"):
        find_root(None)
    assert find_root(inner) == show
    # --show may start a new show: in --root as given, else here when no show is around
    assert find_root(None, new_show=True) == empty
    assert find_root(empty / "new", new_show=True) == empty / "new"
    monkeypatch.chdir(inner)
    assert find_root(None, new_show=True) == show


def test_every_publish_option_is_a_command_line_option():
    """PublishOptions is the one list: each field is a `podcast publish` option of the
    same name (adding one is a field and a click option), except progress (-q, tty)."""
    publish = cli.commands["publish"]
    params = {p.name for p in publish.params}
    fields = {f.name for f in dataclasses.fields(PublishOptions)}
    assert fields - params == {"progress"}
    assert params - fields == set()
    move = {p.name for p in cli.commands["move-feed"].params} - {"new_url", "undo"}
    assert move <= fields
    # the negative flags keep their meaning
    defaults = {p.name: p.default for p in publish.params}
    assert defaults["verify"] is True and defaults["build"] is True
    assert PublishOptions().verify and PublishOptions().build


def test_publish_cli_passes_the_options_through(tmp_path: Path, monkeypatch):
    seen = []

    def fake_publish(root, options):
        seen.append(options)
        raise OptionError("publish", "stopped by the test")

    monkeypatch.setattr("podcast.build.publish", fake_publish)
    root = make_show(tmp_path / "show")
    result = CliRunner().invoke(cli, ["--root", str(root), "publish", "--no-verify",
                                      "--no-build", "--prune", "--max-deletes", "3",
                                      "--bucket", "b", "--jobs", "2"])
    assert result.exit_code == 2 and "stopped by the test" in result.output
    assert seen == [PublishOptions(bucket="b", prune=True, max_deletes=3, verify=False,
                                   build=False, jobs=2)]


def test_byte_bar_counts_every_byte_from_many_threads():
    with byte_bar(False, 8 * 1000 * 7, "uploading") as sent:
        threads = [threading.Thread(target=lambda: [sent.add(7) for _ in range(1000)])
                   for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sent.sent == 8 * 1000 * 7
    assert isinstance(sent._bar, NullBar)  # quiet: nothing drawn, nothing to branch on
    with byte_bar(True, 0, "uploading") as nothing:  # nothing to send: no bar either
        assert isinstance(nothing._bar, NullBar)


def test_the_configuration_reference_lists_every_setting_with_type_and_help():
    """podcast.toml's and episode.md's reference is generated from the declarations:
    each entry names its table, a type and a help text; the tables are the ones
    load_show reads, and a known key of each is there."""
    from podcast.show.config import TABLES, reference
    from podcast.show.episodes import reference as episode_reference

    entries = reference() + episode_reference()
    assert all(e.kind != "value" and e.doc for e in entries), \
        [e for e in entries if e.kind == "value" or not e.doc]
    where = {(e.table, e.name) for e in entries}
    assert {("show", "title"), ("show.owner", "email"), ("audio", "loudness"),
            ("publish", "bucket"), ("transcripts", "model"), ("episode", "master"),
            ("episode.chapters[]", "start"), ("episode.audio", "intro")} <= where
    assert {e.table.split(".")[0] for e in reference()} == set(TABLES)
    loudness = next(e for e in entries if (e.table, e.name) == ("audio", "loudness"))
    assert (loudness.kind, loudness.default, loudness.required) == \
        ("number, -36 to -9", -16.0, False)
