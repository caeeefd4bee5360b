"""The documentation: it builds strictly, it is whole, and its references are the code's.

``mkdocs build --strict`` fails on a broken link or anchor, a missing image and a
page left out of the navigation; the built pages are then read back: the
generated settings and command references must say what the code declares, and
no page may load anything from another host. The shell examples of the pages are
run by tests/test_docs_examples.py.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "hooks"))
import reference  # noqa: E402  (docs/hooks/reference.py, the generator under test)

MAX_PAGE_LINES = 400
MAX_README_LINES = 150


def pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def nav_files(nav) -> list[str]:
    out = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        out += nav_files(value) if isinstance(value, list) else [value]
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                             "--site-dir", str(out)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def text_of(page: Path) -> str:
    """A built page's text, tags dropped and entities decoded."""
    body = page.read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def shown(doc: str) -> str:
    """A declaration's doc as the built page shows it: `code` marks become <code>."""
    return doc.replace("`", "")


def test_the_site_builds_strictly(site):
    for page in pages():
        assert (site / page.with_suffix(".html").name).is_file(), page.name


def test_built_pages_load_nothing_from_another_host(site):
    """No web fonts, no scripts or styles from a CDN: the site works offline."""
    remote = re.compile(r"""<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)=["']?"""
                        r"""(?:https?:)?//""", re.IGNORECASE)
    for page in site.rglob("*.html"):
        found = remote.findall(page.read_text(encoding="utf-8"))
        assert not found, f"{page.name} loads {found} from another host"
    css = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "@import url(http" not in css


def test_every_page_is_in_the_navigation():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    listed = nav_files(config["nav"])
    assert sorted(listed) == sorted(p.name for p in pages())
    assert len(listed) == len(set(listed)), "a page is listed twice"


def test_pages_and_readme_stay_short():
    for page in pages():
        lines = page.read_text(encoding="utf-8").count("\n")
        assert lines <= MAX_PAGE_LINES, f"{page.name}: {lines} lines; split it by task"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count("\n") < MAX_README_LINES
    top = "\n".join(readme.splitlines()[:20])
    assert "make publish" in top and "make test" in top


def test_the_settings_reference_is_every_declared_setting(site):
    page = text_of(site / "settings.html")
    from podcast.show import config

    for section in config.TABLES:
        assert f"[{section}]" in page
        for entry in reference.declared_settings(section):
            inner = entry.table.partition(".")[2]
            key = f"{inner}.{entry.name}" if inner else entry.name
            row = re.search(rf"^{re.escape(key)}\s*$", page, re.MULTILINE)
            assert row, f"[{section}] {key} is not in settings.html"
            assert shown(entry.doc) in " ".join(page.split()), key
    assert "-16.0" in page and "us-east-1" in page  # defaults come from the code


def test_the_episode_reference_is_every_declared_field(site):
    page = " ".join(text_of(site / "episodes.html").split())
    for opt in reference.declared_episode_fields():
        assert f"{opt.name} " in page and shown(opt.doc) in page, opt.name
    assert "chapters[].start" in page and "audio.leveler" in page  # nested tables too


def test_the_commands_reference_is_what_help_prints(site):
    """`podcast COMMAND --help` and the page agree, word for word."""
    from podcast.cli import cli

    page = text_of(site / "commands.html")
    for name, _ in [("", cli), *reference.all_commands(cli)]:
        help_text = reference.command_help(name.split())
        assert help_text in page, f"podcast {name} --help differs from commands.html"


def test_every_command_is_documented_on_a_task_page():
    """Beside the generated reference, each command is explained where its task is."""
    from podcast.cli import cli

    task_pages = "\n".join(p.read_text(encoding="utf-8") for p in pages()
                           if p.name != "commands.md")
    table = (DOCS / "commands.md").read_text(encoding="utf-8")
    for name, _ in reference.all_commands(cli):
        assert f"podcast {name}" in task_pages, f"`podcast {name}` is on no task page"
        if " " not in name:
            assert f"| `podcast {name}` |" in table, f"`podcast {name}` is not in the table"


def test_the_reference_markers_are_checked():
    """A misspelt marker fails the build instead of leaving a hole in the page."""
    with pytest.raises(ValueError, match="no such table"):
        reference.render("<!-- reference: settings audoi -->")
    with pytest.raises(ValueError, match="unknown"):
        reference.render("<!-- reference: setting audio -->")
    table = reference.render("<!-- reference: settings audio -->")
    assert "| `loudness` | number, -36 to -9 | `-16.0` |" in table
    assert "| `denoise` | one of off, light, strong | `\"light\"` |" in table


def test_a_new_setting_reaches_the_reference(monkeypatch):
    """The table is read from the declaration: a setting added there is documented."""
    from dataclasses import make_dataclass

    from podcast.show import config, schema

    extra = make_dataclass("TranscriptSettings", [
        ("language_hint", str, schema.setting(schema.choice("en", "cy"),
                                              "the spoken language", "en")),
    ], bases=(config.TranscriptSettings,), frozen=True)
    monkeypatch.setitem(config.TABLES, "transcripts", extra)
    table = reference.render("<!-- reference: settings transcripts -->")
    assert '| `language_hint` | one of en, cy | `"en"` | the spoken language |' in table
