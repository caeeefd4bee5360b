"""episode.md as text: YAML front matter between ``---`` lines, then Markdown.

``split_front_matter`` reads it (safely: no aliases, timestamps kept as text,
size-limited); ``front_matter_text`` writes it, for ``podcast add`` and
``podcast import`` alike.
"""

from __future__ import annotations

from typing import Any

import yaml

from podcast.errors import PodcastError

MAX_FRONT_MATTER = 256 * 1024  # the YAML block alone


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as text (we parse and judge dates ourselves)
    and refuses aliases: an alias bomb (``&a [*a, *a, ...]`` nested) would expand
    to gigabytes, and hand-written front matter has no use for them."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed; write the value out", mark)
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _CLoader(yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):
    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


MAX_DEPTH = 64  # nested lists and tables in front matter


def _load_yaml(head: str):
    """The front matter's values: with libyaml (six times faster: it is read on every
    build) after one pass over its events that refuses aliases and deep nesting, as
    ``_Loader`` does in pure Python (libyaml's composer recurses in C)."""
    if not yaml.__with_libyaml__:
        return yaml.load(head, Loader=_Loader)
    depth = 0
    try:
        for event in yaml.parse(head, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not allowed; write the value out",
                    event.start_mark)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            if depth > MAX_DEPTH:
                raise RecursionError
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in (exc.problem or ""):  # libyaml's own limit
            raise RecursionError from None
        raise
    return yaml.load(head, Loader=_CLoader)


def split_front_matter(text: str, where: str) -> tuple[dict, str]:
    """Split ``---\\nYAML\\n---\\nMarkdown``; raise PodcastError on a broken file."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise PodcastError(where, "does not start with a '---' front matter block",
                           "Begin the file with ---, the YAML fields, then --- and the notes")
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            head, body = "".join(lines[1:i]), "".join(lines[i + 1:])
            break
    else:
        raise PodcastError(where, "front matter is not closed",
                           "Add a line with --- after the YAML fields")
    if len(head.encode("utf-8", "surrogatepass")) > MAX_FRONT_MATTER:
        raise PodcastError(where, f"front matter is larger than {MAX_FRONT_MATTER // 1024} KB",
                           "Keep the fields short; long text belongs in the notes below")
    try:
        data = _load_yaml(head) or {}
    except RecursionError:
        raise PodcastError(where, "front matter is nested too deeply",
                           "Write plain fields, lists and tables") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 2}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PodcastError(where, f"front matter is not valid YAML{at} ({problem})",
                           "Fix the YAML; quote titles that contain ':' or '#'") from None
    if not isinstance(data, dict):
        raise PodcastError(where, "front matter is not a mapping of fields",
                           "Write one 'field: value' per line")
    return data, body.lstrip("\n")


def front_matter_text(front: dict[str, Any], notes: str = "") -> str:
    """episode.md's text: the fields in the order given, then the notes (ending in a
    newline)."""
    head = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100)
    if notes and not notes.endswith("\n"):
        notes += "\n"
    return f"---\n{head}---\n{notes}"
