"""Changing ``podcast.toml`` from a command, keeping the producer's comments and layout.

``podcast import --show`` and ``podcast move-feed`` write keys into ``[show]``
with tomlkit (a style-preserving TOML editor: comments, order and spacing
survive). The result is validated before it replaces the file, atomically;
a change that would make the show invalid is refused and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from podcast.errors import ConfigError, ValidationError
from podcast.fsutil import atomic_write_text
from podcast.show.config import CONFIG_NAME


def edit_show(root: Path, changes: dict[str, Any], *, section: str = "show",
              create: bool = False) -> Path:
    """Set (value) or remove (None) keys of ``[section]``; returns the file's path.

    ``create``: write a new podcast.toml when there is none.
    """
    import tomlkit

    path = Path(root) / CONFIG_NAME
    try:
        old = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if not create:
            raise ConfigError(CONFIG_NAME, "not found",
                              "Run inside the show's repository or pass --root DIR") from None
        old = ""
    try:
        doc = tomlkit.parse(old)
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(CONFIG_NAME, f"is not valid TOML ({exc})",
                          "Fix the syntax at the line named") from None
    table = doc.get(section)
    if table is None:
        table = tomlkit.table()
        doc[section] = table
    for key, value in changes.items():
        if value is None:
            table.pop(key, None)
        else:
            table[key] = _toml(value)
    text = tomlkit.dumps(doc)
    if text == old:
        return path
    atomic_write_text(path, text)
    from podcast.show.config import load_show
    try:
        load_show(root)
    except (ValidationError, ConfigError):
        if old:
            atomic_write_text(path, old)
        else:
            path.unlink()
        raise
    return path


def _toml(value: Any):
    """Lists of tables as inline tables (one line each), as the docs show them."""
    import tomlkit

    if isinstance(value, dict):
        inline = tomlkit.inline_table()
        inline.update({k: _toml(v) for k, v in value.items() if v is not None})
        return inline
    if isinstance(value, (list, tuple)):
        arr = tomlkit.array()
        arr.extend(_toml(v) for v in value)
        if any(isinstance(v, dict) for v in value):
            arr.multiline(True)
        return arr
    return value
