"""A small declarative schema for TOML tables and YAML front matter.

Each option is declared once with its type, default and a one-line doc;
``validate`` collects every problem (never stops at the first) so one run of
``podcast check`` reports everything. Unknown keys are warnings.
"""

from __future__ import annotations

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


def setting(convert: Callable[[Any], Any], doc: str, default: Any = None, *,
            required: bool = False, hint: str = "") -> Any:
    """A dataclass field that is also a schema ``Option``: a settings table is
    declared once, as a frozen dataclass, and ``options_of`` reads the schema off it."""
    return field(default=default, metadata={"option": (convert, doc, required, hint)})


def options_of(cls: type) -> list[Option]:
    """The ``Option``s of a dataclass whose fields were declared with ``setting``."""
    from dataclasses import fields

    out = []
    for f in fields(cls):
        convert, doc, required, hint = f.metadata["option"]
        out.append(Option(f.name, convert, doc, required=required, default=f.default,
                          hint=hint))
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


def validate(data: Mapping[str, Any], options: list[Option], ctx: Context,
             *, path: str = "") -> dict[str, Any]:
    """Convert ``data`` by ``options``; problems go to ``ctx``; bad values become defaults."""
    known = {o.name for o in options}
    out: dict[str, Any] = {}
    for key in data:
        if key not in known:
            ctx.warn(path + str(key), "unknown key, ignored",
                     "Check the spelling against the README's configuration reference")
    for opt in options:
        raw = data.get(opt.name, _MISSING)
        if raw is _MISSING or raw is None or raw == "":
            if opt.required:
                ctx.error(path + opt.name, "missing" if raw is _MISSING else "is empty",
                          opt.hint or f"Add {opt.name}: {opt.doc}")
            out[opt.name] = opt.default() if callable(opt.default) else opt.default
            continue
        if isinstance(opt.convert, table):
            if not isinstance(raw, Mapping):
                ctx.error(path + opt.name, f"expected a table, got {type(raw).__name__}")
                out[opt.name] = validate({}, opt.convert.options, Context("x"))
            else:
                out[opt.name] = validate(raw, opt.convert.options, ctx, path=f"{path}{opt.name}.")
            continue
        try:
            out[opt.name] = opt.convert(raw)
        except Invalid as exc:
            ctx.error(path + opt.name, exc.message, exc.hint)
            out[opt.name] = opt.default() if callable(opt.default) else opt.default
    return out


# ---- converters -----------------------------------------------------------

def text(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected text, got {type(value).__name__} {value!r}", "Quote the value")
    value = value.strip()
    if not value:
        raise Invalid("is empty", "Write a value or remove the key")
    return value


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise Invalid(f"expected true or false, got {value!r}", "Write true or false (not yes/no)")


def integer(minimum: int | None = None, maximum: int | None = None) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"expected a whole number, got {value!r}")
        if minimum is not None and value < minimum:
            raise Invalid(f"{value} is below the minimum {minimum}")
        if maximum is not None and value > maximum:
            raise Invalid(f"{value} is above the maximum {maximum}")
        return value
    return convert


def number(minimum: float | None = None, maximum: float | None = None) -> Callable[[Any], float]:
    def convert(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(f"expected a number, got {value!r}")
        if minimum is not None and value < minimum or maximum is not None and value > maximum:
            raise Invalid(f"{value} is outside {minimum} to {maximum}")
        return float(value)
    return convert


def choice(*choices: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if value not in choices:
            raise Invalid(f"{value!r} is not one of {', '.join(choices)}",
                          f"Use one of: {', '.join(choices)}")
        return value
    return convert


def url(*, https: bool = True) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        value = text(value)
        from urllib.parse import urlsplit
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Invalid(f"{value!r} is not an absolute URL", "Write a full https:// address")
        if https and parts.scheme != "https" and not is_loopback(parts.hostname or ""):
            raise Invalid(f"{value!r} is not https", "Podcast apps require https:// addresses")
        return value
    return convert


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def email(value: Any) -> str:
    value = text(value)
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value:
        raise Invalid(f"{value!r} is not an email address")
    return value


def list_of(convert: Callable[[Any], Any]) -> Callable[[Any], list]:
    def conv(value: Any) -> list:
        if not isinstance(value, list):
            raise Invalid(f"expected a list, got {type(value).__name__}")
        out = []
        for i, item in enumerate(value):
            try:
                out.append(convert(item))
            except Invalid as exc:
                raise Invalid(f"item {i + 1}: {exc.message}", exc.hint) from None
        return out
    return conv


class table:
    """A nested table: its fields are validated in place, reported as ``outer.inner``."""

    def __init__(self, options: list[Option]):
        self.options = options

    def __call__(self, value: Any) -> dict:
        if not isinstance(value, Mapping):
            raise Invalid(f"expected a table, got {type(value).__name__}")
        ctx = Context("")
        out = validate(value, self.options, ctx)
        errors = [p for p in ctx.problems if p.is_error]
        if errors:
            raise Invalid(f"{errors[0].field}: {errors[0].message}", errors[0].hint)
        return out


# ---- formatting -------------------------------------------------------------

def clock(seconds: float | int | None) -> str:
    """``754`` -> ``12:34``; ``3754`` -> ``1:02:34`` (how players show times)."""
    if seconds is None:
        return ""
    s = int(round(seconds))  # as itunes:duration: a 7.99 s file is "0:08"
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
