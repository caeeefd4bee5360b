"""The one Jinja2 environment of the website, and its filters.

Templates come from the show's ``templates/`` folder. Autoescape is on for
every template (HTML and XML alike); the only strings marked safe are the
sanitiser's output (``podcast.show.notes.site_html``) and JSON-LD, which the
``jsonld`` filter escapes itself. ``strict`` builds use ``StrictUndefined``,
so a misspelt variable stops the build instead of rendering as nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from datetime import datetime
from pathlib import Path

import jinja2
from markupsafe import Markup

from podcast.errors import SiteError
from podcast.show.schema import clock

log = logging.getLogger(__name__)

PAGE_TEMPLATES = ("base.html", "index.html", "episode.html", "transcript.html", "embed.html",
                  "search.html", "subscribe.html")

# "</script>" or "<!--" inside a JSON string would end or confuse the <script>
# block: escape the characters that can start them (JSON allows \uXXXX anywhere).
_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                 ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def iso_duration(seconds: float | int, exact: bool = False) -> str:
    """ISO 8601 duration (schema.org, ``<time datetime>``): ``PT12M34S``.

    Whole seconds, rounded, unless ``exact``: then to the millisecond
    (``PT12M34.5S``), for a position such as a chapter's start.
    """
    ms = int(round(seconds * 1000)) if exact else int(round(seconds)) * 1000
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s = f"{rem // 1000}" + (f".{rem % 1000:03d}".rstrip("0") if rem % 1000 else "")
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + f"{s}S"


def moment(seconds: float | int) -> str:
    """A position in the episode as a player's clock shows it while that second plays:
    rounded down (``754.9`` -> ``12:34``). Durations round (``clock``); the search
    page's script follows the same rule for the moments it finds."""
    return clock(math.floor(seconds))


def long_date(value: datetime) -> str:
    """``9 March 2020``: unambiguous in every English locale, no locale lookup."""
    return f"{value.day} {value:%B %Y}"


def jsonld(data: object) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` block, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # C encoder: fast
    for char, escaped in _JSON_ESCAPES:  # str.replace: far faster than str.translate
        text = text.replace(char, escaped)
    return Markup(text)


FILTERS = {
    "clock": clock,
    "iso_duration": iso_duration,
    "moment": moment,
    "long_date": long_date,
    "jsonld": jsonld,
}


def build_environment(templates_dir: Path, *, strict: bool = False,
                      cache_dir: Path | None = None) -> jinja2.Environment:
    """The Jinja2 environment over ``templates_dir``; filters registered here only.

    With ``cache_dir``, compiled templates are kept there between builds (Jinja2
    checks each template's source, so an edited template is compiled again).
    """
    templates_dir = Path(templates_dir)
    if not templates_dir.is_dir():
        raise SiteError(f"{templates_dir.name}/", "not found",
                        "The show's page templates live in templates/ beside podcast.toml; "
                        "restore the folder from the repository")
    bytecode_cache = None
    if cache_dir is not None:
        # Compiled code also depends on the options below (trim_blocks...), which
        # Jinja2 does not check: a folder per version of this file keeps them apart.
        version = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
        folder = Path(cache_dir) / version
        folder.mkdir(parents=True, exist_ok=True)
        bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,  # every template, including sitemap-like XML ones
        undefined=jinja2.StrictUndefined if strict else jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates are compiled once per build
        cache_size=-1,
        bytecode_cache=bytecode_cache,
    )
    env.filters.update(FILTERS)
    return env


def load_templates(env: jinja2.Environment, names: tuple[str, ...] = PAGE_TEMPLATES) -> dict:
    """Compile every page template up front: a broken one fails before anything is written."""
    out = {}
    for name in names:
        try:
            out[name] = env.get_template(name)
        except jinja2.TemplateNotFound as exc:
            raise SiteError(f"templates/{exc.name}", "not found",
                            "Every show needs base, index, episode, transcript, embed, "
                            "search and subscribe templates; restore it from the repository") from None
        except jinja2.TemplateSyntaxError as exc:
            raise SiteError(f"templates/{exc.name or name}", f"line {exc.lineno}: {exc.message}",
                            "Fix the template syntax") from None
    return out


def render(template: jinja2.Template, context: dict, *, page: str) -> str:
    """Render one page; template errors become ``SiteError`` naming template, line and page."""
    try:
        return template.render(context)
    except jinja2.UndefinedError as exc:
        where, line = _template_frame(exc)
        raise SiteError(where or f"templates/{template.name}",
                        f"{line}{exc.message} (rendering {page})",
                        "Fix the variable name in the template; see the context in "
                        "podcast/site/context.py") from None
    except jinja2.TemplateError as exc:
        where, line = _template_frame(exc)
        raise SiteError(where or f"templates/{template.name}",
                        f"{line}{exc} (rendering {page})", "Fix the template") from None


def _template_frame(exc: BaseException) -> tuple[str | None, str]:
    """The innermost template file and line of a rendering error (Jinja2 rewrites
    tracebacks so template frames carry the template's file name and line)."""
    tb, found = exc.__traceback__, (None, "")
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".xml", ".xsl", ".txt", ".css")):
            found = (f"templates/{Path(name).name}", f"line {tb.tb_lineno}: ")
        tb = tb.tb_next
    return found
