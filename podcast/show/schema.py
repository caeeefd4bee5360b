"""A small declarative schema for TOML tables and YAML front matter.

Each option is declared once with its type, default and a one-line doc;
``validate`` collects every problem (never stops at the first) so one run of
``podcast check`` reports everything. Unknown keys are warnings.

A settings table is a frozen dataclass whose fields are declared with
``setting``; ``options_of`` reads its schema off it and ``reference`` lists
every option (nested tables included) for the configuration reference.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from podcast.errors import Problem

_MISSING = object()


class Invalid(ValueError):
    """Raised by a converter: the message says what is wrong, the hint what to do."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Option:
    name: str
    convert: Callable[[Any], Any]
    doc: str
    required: bool = False
    default: Any = None
    hint: str = ""  # what to write when the value is missing
    kind: str = ""  # the type as the reference names it; default: the converter's

    @property
    def type_name(self) -> str:
        return self.kind or kind_of(self.convert)


def setting(convert: Callable[[Any], Any], doc: str, default: Any = None, *,
            required: bool = False, hint: str = "", kind: str = "") -> Any:
    """A dataclass field that is also a schema ``Option``: a settings table is
    declared once, as a frozen dataclass, and ``options_of`` reads the schema off it.
    A callable ``default`` (``list``, ``dict``) makes a fresh value each time."""
    meta = {"option": (convert, doc, required, hint, kind)}
    if callable(default):
        return field(default_factory=default, metadata=meta)
    return field(default=default, metadata=meta)


def options_of(cls: type) -> list[Option]:
    """The ``Option``s of a dataclass, from its fields declared with ``setting``
    (plain fields, such as values worked out on load, are not options)."""
    from dataclasses import MISSING, fields

    out = []
    for f in fields(cls):
        if "option" not in f.metadata:
            continue
        convert, doc, required, hint, kind = f.metadata["option"]
        default = f.default if f.default_factory is MISSING else f.default_factory
        out.append(Option(f.name, convert, doc, required=required, default=default,
                          hint=hint, kind=kind))
    return out


def kind_of(convert: Callable[[Any], Any]) -> str:
    """The short type name of a converter (``described`` gives it one)."""
    return getattr(convert, "kind", "") or "value"


def described(kind: str) -> Callable[[Callable], Callable]:
    """Decorator: name a converter's type for the configuration reference."""
    def mark(convert: Callable) -> Callable:
        convert.kind = kind
        return convert
    return mark


@dataclass(frozen=True)
class Entry:
    """One line of the configuration reference."""

    table: str  # where it is written: "show", "show.owner", "episode.chapters[]"
    name: str
    kind: str
    default: Any
    required: bool
    doc: str


def reference(options: list[Option], where: str) -> list[Entry]:
    """Every option of ``options`` written under ``where``, nested tables after
    their parent (``show.owner``; a list of tables as ``episode.chapters[]``)."""
    out = []
    for opt in options:
        out.append(Entry(where, opt.name, opt.type_name, _default(opt), opt.required, opt.doc))
        inner, suffix = opt.convert, ""
        if isinstance(inner, list_of):
            inner, suffix = inner.item, "[]"
        if isinstance(inner, table):
            out += reference(inner.options, f"{where}.{opt.name}{suffix}")
    return out


@dataclass
class Context:
    """Where problems are reported: a file and a field prefix such as ``[show] ``."""

    where: str
    prefix: str = ""
    problems: list[Problem] = field(default_factory=list)

    def error(self, fieldname: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.where, self.prefix + fieldname, message, hint))

    def warn(self, fieldname: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.where, self.prefix + fieldname, message, hint, "warning"))


def _default(opt: Option) -> Any:
    return opt.default() if callable(opt.default) else opt.default


def validate(data: Mapping[str, Any], options: list[Option], ctx: Context,
             *, path: str = "") -> dict[str, Any]:
    """Convert ``data`` by ``options``; problems go to ``ctx``; bad values become defaults.

    Nested tables and lists of tables are validated in place: each problem
    names its full path (``chapters[3].start``), and unknown keys are warned
    about at every level.
    """
    known = {o.name for o in options}
    out: dict[str, Any] = {}
    for key in data:
        if key not in known:
            ctx.warn(path + str(key), "unknown key, ignored",
                     "Check the spelling against the settings reference, docs/settings.md")
    for opt in options:
        raw = data.get(opt.name, _MISSING)
        if raw is _MISSING or raw is None or raw == "":
            if opt.required:
                ctx.error(path + opt.name, "missing" if raw is _MISSING else "is empty",
                          opt.hint or f"Add {opt.name}: {opt.doc}")
            out[opt.name] = _default(opt)
            continue
        if isinstance(opt.convert, Nested):
            value = opt.convert.check(raw, ctx, path + opt.name)
            out[opt.name] = _default(opt) if value is None else value
            continue
        try:
            out[opt.name] = opt.convert(raw)
        except Invalid as exc:
            ctx.error(path + opt.name, exc.message, exc.hint)
            out[opt.name] = _default(opt)
    return out


class Nested:
    """A converter of a structure: validates in place, reporting into ``ctx``
    under ``path``; returns None when the value is unusable."""

    def check(self, value: Any, ctx: Context, path: str) -> Any:  # pragma: no cover
        raise NotImplementedError

    def __call__(self, value: Any) -> Any:
        """Standalone use: raise ``Invalid`` with the first error."""
        ctx = Context("")
        out = self.check(value, ctx, "")
        errors = [p for p in ctx.problems if p.is_error]
        if errors:
            where = errors[0].field.lstrip(".")
            raise Invalid(f"{where}: {errors[0].message}" if where else errors[0].message,
                          errors[0].hint)
        return out


class table(Nested):
    """A nested table: its fields are validated in place, reported as ``outer.inner``."""

    kind = "table"

    def __init__(self, options: list[Option]):
        self.options = options

    def check(self, value: Any, ctx: Context, path: str) -> dict | None:
        if not isinstance(value, Mapping):
            ctx.error(path, f"expected a table of fields, got {_kind(value)}",
                      "Write { key: value, ... }")
            return None
        before = sum(p.is_error for p in ctx.problems)
        out = validate(value, self.options, ctx, path=f"{path}." if path else "")
        return None if sum(p.is_error for p in ctx.problems) > before else out


class list_of(Nested):
    """A list whose items are each converted (or validated, for tables); every bad
    item is reported with its 1-based position, and left out of the result."""

    def __init__(self, item: Callable[[Any], Any], *, max_items: int = 1000):
        self.item = item
        self.max_items = max_items
        self.kind = f"list of {kind_of(item)}s" if isinstance(item, table) else \
            f"list of {kind_of(item)}"

    def check(self, value: Any, ctx: Context, path: str) -> list | None:
        if not isinstance(value, list):
            ctx.error(path, f"expected a list, got {_kind(value)}", "Write [item, item, ...]")
            return None
        if len(value) > self.max_items:
            ctx.error(path, f"has {len(value)} items, more than {self.max_items}",
                      "Shorten the list")
            return None
        out = Items()
        for i, raw in enumerate(value, start=1):
            where = f"{path}[{i}]"
            if isinstance(self.item, Nested):
                item = self.item.check(raw, ctx, where)
            else:
                try:
                    item = self.item(raw)
                except Invalid as exc:
                    ctx.error(where, exc.message, exc.hint)
                    item = None
            if item is not None:
                out.append(item)
                out.positions.append(i)
        return out


class Items(list):
    """A validated list; ``positions`` are the 1-based places of its items in the
    source (bad items are left out, so later messages still name the right one)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.positions: list[int] = list(range(1, len(self) + 1))


def _kind(value: Any) -> str:
    return {dict: "a table", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


# ---- converters -----------------------------------------------------------

MAX_TEXT = 100_000  # characters in one field: far beyond any real title or note


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut short: an error message never repeats a huge value."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 5] + "...'" if text[0] in "'\"" \
        else text[:limit - 3] + "..."


@described("text")
def text(value: Any, *, limit: int = MAX_TEXT, keep: str | None = None) -> str:
    """Non-empty text, stripped, at most ``limit`` characters. ``keep``: the one
    hint for every problem, for a value that must be written exactly as it was
    (a guid) rather than changed."""
    if not isinstance(value, str):
        raise Invalid(f"expected text, got {_kind(value)} {shown(value)}",
                      keep or "Quote the value")
    value = value.strip()
    if not value:
        raise Invalid("is empty", keep or "Write a value or remove the key")
    if len(value) > limit:
        raise Invalid(f"is {len(value)} characters long, more than {limit}",
                      keep or "Shorten it; long text belongs in the notes")
    return value


@described("true or false")
def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise Invalid(f"expected true or false, got {value!r}", "Write true or false (not yes/no)")


def integer(minimum: int | None = None, maximum: int | None = None) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"expected a whole number, got {shown(value)}")
        if minimum is not None and value < minimum:
            raise Invalid(f"{value} is below the minimum {minimum}")
        if maximum is not None and value > maximum:
            raise Invalid(f"{value} is above the maximum {maximum}")
        return value
    return described("whole number" + _range(minimum, maximum))(convert)


def _range(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f", {minimum:g} to {maximum:g}"
    return f", at least {minimum:g}" if minimum is not None else \
        f", at most {maximum:g}" if maximum is not None else ""


def number(minimum: float | None = None, maximum: float | None = None) -> Callable[[Any], float]:
    def convert(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(f"expected a number, got {shown(value)}")
        if not math.isfinite(value):
            raise Invalid(f"{value} is not a finite number", "Write a plain number")
        if minimum is not None and value < minimum or maximum is not None and value > maximum:
            raise Invalid(f"{shown(value)} is outside {minimum:g} to {maximum:g}"
                          if minimum is not None and maximum is not None else
                          f"{shown(value)} is below the minimum {minimum:g}"
                          if minimum is not None and value < minimum else
                          f"{shown(value)} is above the maximum {maximum:g}")
        return float(value)
    return described("number" + _range(minimum, maximum))(convert)


def choice(*choices: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if isinstance(value, bool) or value not in choices:
            raise Invalid(f"{shown(value)} is not one of {', '.join(choices)}",
                          f"Use one of: {', '.join(choices)}")
        return value
    return described("one of " + ", ".join(choices))(convert)


def url(*, https: bool = True) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        value = text(value)
        from urllib.parse import urlsplit
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018  (raises on a malformed port)
        except ValueError:
            raise Invalid(f"{shown(value)} is not a valid URL", "Write a full https:// address") \
                from None
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Invalid(f"{shown(value)} is not an absolute URL",
                          "Write a full https:// address")
        if any(c.isspace() or ord(c) < 32 for c in value):
            raise Invalid(f"{shown(value)} contains spaces or control characters",
                          "Percent-encode them (%20)")
        if https and parts.scheme != "https" and not is_loopback(parts.hostname or ""):
            raise Invalid(f"{shown(value)} is not https",
                          "Podcast apps require https:// addresses")
        return value
    return described("https URL" if https else "URL")(convert)


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


@described("email address")
def email(value: Any) -> str:
    value = text(value)
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value:
        raise Invalid(f"{shown(value)} is not an email address")
    return value


# ---- formatting -------------------------------------------------------------

def clock(seconds: float | int | None) -> str:
    """``754`` -> ``12:34``; ``3754`` -> ``1:02:34`` (how players show times)."""
    if seconds is None:
        return ""
    s = int(round(seconds))  # as itunes:duration: a 7.99 s file is "0:08"
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
