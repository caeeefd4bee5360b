"""``podcast check`` on the show's templates: every one present and compiling.

A template with a syntax error would otherwise surface only at build time,
after the audio was processed. One of the checks ``podcast.check`` runs.
"""

from __future__ import annotations

import jinja2

from podcast.errors import Problem
from podcast.show.config import Show
from podcast.show.episodes import Episode
from podcast.site.env import PAGE_TEMPLATES, build_environment
from podcast.site.render import STATIC_FILES


def check_templates(show: Show, episodes: list[Episode]) -> list[Problem]:
    folder = show.templates_dir
    if not folder.is_dir():
        # A warning, not an error: the show itself is valid; `podcast build` then
        # stops with the same message before writing any page.
        return [Problem("templates/", "", "not found: the pages cannot be built",
                        "Restore the show's page templates from the repository", "warning")]
    env = build_environment(folder, strict=True)
    problems = []
    for name in PAGE_TEMPLATES:
        try:
            env.get_template(name)
        except jinja2.TemplateNotFound:
            problems.append(Problem(f"templates/{name}", "", "not found",
                                    "Restore it from the repository"))
        except jinja2.TemplateSyntaxError as exc:
            where = f"templates/{exc.name or name}"
            problems.append(Problem(where, f"line {exc.lineno}", exc.message or "syntax error",
                                    "Fix the template syntax"))
    for name in STATIC_FILES:
        if not (folder / name).is_file():
            problems.append(Problem(f"templates/{name}", "", "not found",
                                    "Restore it from the repository; the pages link to it"))
    return problems
