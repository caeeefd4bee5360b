"""The CLI surface: help with an example for every command (documented: tests/test_docs.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from podcast import __version__
from podcast.cli import cli


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        out.append((f"{prefix}{name}", cmd))
        if isinstance(cmd, click.Group):
            out.extend(all_commands(cmd, f"{prefix}{name} "))
    return out


COMMANDS = all_commands(cli)


def test_the_pipeline_commands_exist():
    names = {name for name, _ in COMMANDS}
    assert {"add", "check", "list"} <= names


@pytest.mark.parametrize("name,cmd", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_has_help_with_an_example(name: str, cmd: click.Command):
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    summary = cmd.get_short_help_str(limit=200)
    assert summary and not summary.endswith("..."), f"{name}: no one-line summary"
    if not isinstance(cmd, click.Group):
        assert "Example" in result.output, f"`podcast {name} --help` shows no example"
    # -h works as well as --help
    assert CliRunner().invoke(cli, [*name.split(), "-h"]).exit_code == 0


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_cli_import_is_light():
    """The CLI imports no ffmpeg, boto3 or mutagen code at module level: --help is instant."""
    code = ("import sys, podcast.cli; heavy = [m for m in ('boto3', 'botocore', 'mutagen', "
            "'feedgen', 'jinja2', 'PIL', 'pydub') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_errors_are_messages_not_tracebacks(tmp_path: Path):
    result = CliRunner().invoke(cli, ["--root", str(tmp_path), "list"])
    assert result.exit_code == 1
    assert "error: " in result.output and "Traceback" not in result.output
    verbose = CliRunner().invoke(cli, ["--root", str(tmp_path), "-v", "list"])
    assert verbose.exit_code == 1 and "Traceback" in verbose.output
