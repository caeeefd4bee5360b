"""Helpers for the website tests: a built site on disk, and readers for its pages.

``built_site(tmp_path, episodes=[...], **show)`` makes a show with
``showfactory``, copies the repository's real ``templates/`` into it, runs the
real assets, feed and page steps (media are silent MP3s) and returns a
``Built`` with the root, the ``model.Site``, ``feed/`` and the keys written.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import html5lib
from showfactory import make_show, make_site

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
LINK_ATTRS = {"a": "href", "link": "href", "img": "src", "audio": "src", "source": "src",
              "track": "src", "script": "src", "iframe": "src"}
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass
class Built:
    root: Path
    site: object  # model.Site
    out: Path
    keys: set[str]

    def html_keys(self) -> list[str]:
        return sorted(k for k in self.keys if k.endswith(".html"))

    def read(self, key: str) -> str:
        return (self.out / key).read_text(encoding="utf-8")


def copy_templates(root: Path) -> Path:
    dest = root / "templates"
    if not dest.exists():
        shutil.copytree(TEMPLATES, dest)
    return dest


def built_site(tmp_path: Path, episodes=None, *, public_url: str | None = None,
               strict: bool = True, durations=None, **show) -> Built:
    from podcast.feed import write_feed
    from podcast.site import write_pages

    root = make_show(tmp_path, episodes, **show)
    copy_templates(root)
    site = make_site(root, public_url=public_url, durations=durations)
    out = site.show.output_dir
    keys = set(write_feed(site, out)) | write_pages(site, out, strict=strict)
    return Built(root, site, out, keys)


def parse_html5(data: str | bytes, where: str = "page"):
    """Parse with html5lib in strict mode: any HTML5 parse error raises."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    try:
        return parser.parse(data)
    except html5lib.html5parser.ParseError as exc:
        raise AssertionError(f"{where}: not valid HTML5: {exc}") from None


def elements(tree, tag: str):
    return tree.iter(f"{XHTML}{tag}")


def all_elements(tree):
    for el in tree.iter():
        if isinstance(el.tag, str):
            yield el.tag.replace(XHTML, ""), el


def meta(tree, name: str) -> str | None:
    """The content of <meta name=...> or <meta property=...>."""
    for el in elements(tree, "meta"):
        if el.get("name") == name or el.get("property") == name:
            return el.get("content")
    return None


def json_ld(tree) -> list[dict]:
    return [json.loads(el.text) for el in elements(tree, "script")
            if el.get("type") == "application/ld+json"]


def text_of(el) -> str:
    return " ".join("".join(el.itertext()).split())


def links(tree) -> list[tuple[str, str]]:
    """(tag, url) of every link or embedded resource in a page."""
    found = []
    for tag, el in all_elements(tree):
        attr = LINK_ATTRS.get(tag)
        if attr and el.get(attr):
            found.append((tag, el.get(attr)))
    return found


def key_of(url: str, base_url: str, page_key: str) -> str | None:
    """The feed/ key a link on ``page_key`` points at; None when it leaves the site."""
    absolute = urljoin(urljoin(base_url, page_key), url)
    parts = urlsplit(absolute)
    if not absolute.startswith(base_url):
        return None
    path = unquote(parts.path)[len(urlsplit(base_url).path):]
    if path == "" or path.endswith("/"):
        path += "index.html"
    return path
