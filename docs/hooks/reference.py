"""MkDocs hook: the reference tables, generated at build time from the code.

A page asks for a table with an HTML comment on a line of its own:

    <!-- reference: settings show -->     one podcast.toml table ([show], [audio]...)
    <!-- reference: episode -->           the front matter of episode.md
    <!-- reference: commands -->          `podcast COMMAND --help` for every command

Each table is read from the one declaration of each setting (``schema.Option``
lists and ``schema.setting`` dataclasses in podcast/show/) and each command's
text from Click itself, so the documentation cannot drift from the code: a key
that is added, renamed or re-documented there changes the page on the next
``mkdocs build``.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import is_dataclass
from typing import Any

MARKER = re.compile(r"^<!-- reference: ([\w-]+)(?: ([\w-]+))? -->$", re.MULTILINE)
HELP_WIDTH = 100  # the CLI's max_content_width: the pages show what a wide terminal shows


# ---- what is declared ---------------------------------------------------------------

def declared_sections() -> dict[str, list]:
    """podcast.toml's tables and their ``Option``s, in file order.

    A table is declared either as a list of ``Option``s (``SHOW_OPTIONS``) or as a
    frozen dataclass of ``schema.setting`` fields (``AudioSettings``); both are read.
    """
    from podcast.show import config, schema

    def options(declaration: Any) -> list:
        return schema.options_of(declaration) if is_dataclass(declaration) else list(declaration)

    show = getattr(config, "ShowSettings", None) or config.SHOW_OPTIONS
    return {"show": options(show), "audio": options(config.AudioSettings),
            "publish": options(config.PublishSettings),
            "transcripts": options(config.TranscriptSettings)}


def declared_episode_fields() -> list:
    from podcast.show import episodes
    return list(episodes.EPISODE_OPTIONS)


# ---- how a declaration reads ----------------------------------------------------------

def _inner(convert: Any) -> tuple[str, list | None]:
    """(words for the value, the nested ``Option``s of a table or list of tables)."""
    from podcast.show import schema

    if isinstance(convert, schema.list_of):
        kind, nested = _inner(convert.item)
        if nested is not None:
            return "table or list of tables" if type(convert).__name__ == "one_or_list" \
                else "list of tables", nested
        return f"list of {kind or 'values'}", None
    if isinstance(convert, schema.table):
        return "table", convert.options
    return _kind(convert), None


def _kind(convert: Any) -> str:
    """Words for what a plain converter accepts, from its name and its bound limits."""
    from podcast.show import schema

    if convert is schema.text:
        return "text"
    if convert is schema.boolean:
        return "true or false"
    if convert is schema.email:
        return "email address"
    name = getattr(convert, "__qualname__", "").split(".<locals>")[0]
    try:
        bound = inspect.getclosurevars(convert).nonlocals
    except (TypeError, ValueError):
        bound = {}
    low, high = bound.get("minimum"), bound.get("maximum")
    span = (f" from {low:g} to {high:g}" if low is not None and high is not None else
            f", at least {low:g}" if low is not None else
            f", at most {high:g}" if high is not None else "")
    if name == "integer":
        return "whole number" + span
    if name == "number":
        return "number" + span
    if name == "choice":
        return "one of " + ", ".join(f'`"{c}"`' for c in bound.get("choices", ()))
    if name == "url":
        return "https URL" if bound.get("https", True) else "URL"
    if name == "_short":
        return f"text, at most {bound.get('limit')} characters"
    return WORDS.get(name, "")


# Words for the show's own converters (a converter without an entry gets none: its
# meaning column still says what it takes).
WORDS = {
    "_artwork_path": "path to a .jpg or .png", "_uuid": "UUID", "_feed_guid": "UUID",
    "_category": '`["Category"]` or `["Category", "Sub-category"]`',
    "block": "true, false or list of service slugs", "_geo": "`geo:` URI",
    "_country": "two-letter country code", "_osm": "OpenStreetMap id",
    "audio_file": "path to an audio file", "dehum": '`"auto"`, `"off"`, `50` or `60`',
    "sting_override": "false, or path to an audio file", "parse_timecode":
    "`H:MM:SS`, `M:SS` or seconds", "parse_date": "ISO 8601 date and time with zone",
    "_guid": "text, kept exactly", "analytics_prefix": '`"op3"`, `"podtrac"` or URL ending in /',
}


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


def _default(option: Any) -> str:
    if option.required:
        return "required"
    value = option.default() if callable(option.default) else option.default
    return "" if value is None else _toml(value)


def _cell(text: str) -> str:
    """Table-cell text: declarations are plain text, so <path> is shown, not parsed."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", " ")


def options_table(options: list, *, prefix: str = "") -> str:
    """A Markdown table: key, value, default, meaning; nested keys as ``outer.inner``."""
    rows = ["| key | value | default | meaning |", "|---|---|---|---|"]

    def add(opts: list, path: str) -> None:
        for opt in opts:
            kind, nested = _inner(opt.convert)
            key = f"{path}{opt.name}"
            rows.append(f"| `{key}` | {_cell(kind)} | {_default(opt)} | {_cell(opt.doc)} |")
            if nested is not None:
                add(nested, key + ("[]." if kind.startswith(("list", "table or")) else "."))

    add(options, prefix)
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
        sections = declared_sections()
        if arg not in sections:
            raise ValueError(f"reference: settings {arg}: no such table; known: "
                             f"{', '.join(sections)}")
        return options_table(sections[arg])
    if kind == "episode":
        return options_table(declared_episode_fields())
    if kind == "commands":
        return commands_reference()
    raise ValueError(f"reference: {kind}: unknown; use settings TABLE, episode or commands")


def render(markdown: str) -> str:
    return MARKER.sub(lambda m: reference(m.group(1), m.group(2)), markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return render(markdown)
