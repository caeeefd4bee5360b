"""MkDocs hook: the reference tables, generated at build time from the code.

A page asks for a table with an HTML comment on a line of its own:

    <!-- reference: settings show -->     one podcast.toml table ([show], [audio]...)
    <!-- reference: episode -->           the front matter of episode.md
    <!-- reference: commands -->          `podcast COMMAND --help` for every command

Each table is read from the one declaration of each setting (the
``schema.setting`` fields of podcast/show/, listed by ``config.reference()`` and
``episodes.reference()`` with their type, default and help) and each command's
text from Click itself, so the documentation cannot drift from the code: a key
that is added, renamed or re-documented there changes the page on the next
``mkdocs build``.
"""

from __future__ import annotations

import re
from typing import Any

MARKER = re.compile(r"^<!-- reference: ([\w-]+)(?: ([\w-]+))? -->$", re.MULTILINE)
HELP_WIDTH = 100  # the CLI's max_content_width: the pages show what a wide terminal shows


# ---- what is declared ---------------------------------------------------------------

def declared_settings(table: str) -> list:
    """The ``schema.Entry`` of every setting of one podcast.toml table ([show], [audio]...),
    nested tables after their key, as ``podcast.show.config.reference()`` lists them."""
    from podcast.show import config

    if table not in config.TABLES:
        raise ValueError(f"reference: settings {table}: no such table; known: "
                         f"{', '.join(config.TABLES)}")
    return [e for e in config.reference() if e.table.split(".")[0] == table]


def declared_episode_fields() -> list:
    """The ``schema.Entry`` of every field of episode.md's front matter."""
    from podcast.show import episodes

    return episodes.reference()


# ---- how an entry reads -----------------------------------------------------------------

def _toml(value: Any) -> str:
    if value is True or value is False:
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, (list, tuple)):
        return "`[]`" if not value else "`[" + ", ".join(_toml(v).strip("`") for v in value) + "]`"
    if isinstance(value, dict):
        return "`{}`" if not value else f"`{value}`"
    return f"`{value!r}`"


def _default(entry: Any) -> str:
    if entry.required:
        return "required"
    if entry.default is None or entry.kind.startswith(("table", "list of tables")):
        return ""
    return _toml(entry.default)


def _cell(text: str) -> str:
    """Table-cell text: declarations are plain text, so <path> is shown, not parsed."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", " ")


def entries_table(entries: list) -> str:
    """A Markdown table: key, value, default, meaning; nested keys as ``outer.inner``
    (``chapters[].start`` inside a list of tables)."""
    rows = ["| key | value | default | meaning |", "|---|---|---|---|"]
    for e in entries:
        inner = e.table.partition(".")[2]
        key = f"{inner}.{e.name}" if inner else e.name
        rows.append(f"| `{key}` | {_cell(e.kind)} | {_default(e)} | {_cell(e.doc)} |")
    return "\n".join(rows)


# ---- commands ---------------------------------------------------------------------------

def all_commands(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    import click

    out = []
    for name, cmd in sorted(group.commands.items()):
        out.append((prefix + name, cmd))
        if isinstance(cmd, click.Group):
            out.extend(all_commands(cmd, f"{prefix}{name} "))
    return out


def command_help(args: list[str]) -> str:
    """Exactly what ``podcast ARGS --help`` prints on a terminal ``HELP_WIDTH`` wide."""
    from click.testing import CliRunner

    from podcast.cli import cli

    result = CliRunner().invoke(cli, [*args, "--help"], prog_name="podcast",
                                terminal_width=HELP_WIDTH)
    if result.exit_code != 0:
        raise RuntimeError(f"podcast {' '.join(args)} --help failed: {result.output}")
    return result.output.rstrip()


def commands_reference() -> str:
    from podcast.cli import cli

    parts = ["## podcast", "", "```text", command_help([]), "```"]
    for name, cmd in all_commands(cli):
        parts += ["", f"## podcast {name}", "", "```text", command_help(name.split()), "```"]
    return "\n".join(parts)


# ---- the hook ------------------------------------------------------------------------------

def reference(kind: str, arg: str | None) -> str:
    if kind == "settings":
        return entries_table(declared_settings(arg or ""))
    if kind == "episode":
        return entries_table(declared_episode_fields())
    if kind == "commands":
        return commands_reference()
    raise ValueError(f"reference: {kind}: unknown; use settings TABLE, episode or commands")


def render(markdown: str) -> str:
    return MARKER.sub(lambda m: reference(m.group(1), m.group(2)), markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return render(markdown)
