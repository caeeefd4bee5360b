"""Write the website into ``feed/``: pages, search index, sitemap, robots.txt, stylesheets.

Every file goes through ``write_if_changed``: a rebuild with the same inputs
rewrites nothing, keeps mtimes (and the publisher's hashes) stable, and the
output is byte-for-byte deterministic (no clock, no random ids, fixed order).
"""

from __future__ import annotations

import hashlib
import json
import logging
import xml.etree.ElementTree as ET
from pathlib import Path

from podcast import model
from podcast.errors import SiteError
from podcast.fsutil import sha256_bytes, write_if_changed
from podcast.model import SUBSCRIBE_PAGE, Site
from podcast.site.context import (
    PLAYER_SCRIPT,
    ROBOTS,
    SEARCH_PAGE,
    SITEMAP,
    STYLESHEET,
    build_context,
    site_model,
)
from podcast.site.env import build_environment, load_templates, render

log = logging.getLogger(__name__)

# Copied from the show's templates/ as they are (no template syntax inside).
STATIC_FILES = (STYLESHEET, PLAYER_SCRIPT)
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
CACHE_VERSION = 1  # bump when the cache's meaning changes
ICON_SIZE = 180  # apple-touch-icon size; browsers scale it down for tabs
FAVICON = "favicon.ico"


def write_pages(site: Site, out: Path, *, strict: bool = False) -> set[str]:
    """Render every page of ``site`` into ``out``; return the keys of all files written or kept."""
    out = Path(out)
    templates_dir = site.show.templates_dir
    env = build_environment(templates_dir, strict=strict,
                            cache_dir=site.show.cache_dir / "templates")
    templates = load_templates(env)
    written: dict[str, bool] = {}

    static = {name: _read_static(templates_dir / name) for name in STATIC_FILES}
    for name, data in static.items():
        written[name] = write_if_changed(out / name, data)
    # A version query makes browsers and CDNs fetch a changed stylesheet or script at once.
    versioned = {name: f"{name}?v={sha256_bytes(data)[:10]}" for name, data in static.items()}
    icon, favicon = _write_icons(site, out)
    written[icon] = written[favicon] = False
    model = site_model(site, out, stylesheet=versioned[STYLESHEET],
                       player_script=versioned[PLAYER_SCRIPT], icon=icon)
    cache = PageCache(out, _salt(templates_dir, strict))
    base = _digest(repr(site.show), site.artwork_key, site.preview, icon, *versioned.values())
    episode_prints = [_digest(repr(ep.source), _transcript_stamp(ep)) for ep in model.episodes]

    def page(kind: str, key: str, fingerprint: str, episode=None) -> None:
        if cache.fresh(key, fingerprint):
            written[key] = False
            return
        context = build_context(model, kind, key, episode)
        html = render(templates[f"{kind}.html"], context, page=key)
        written[key] = write_if_changed(out / key, html)
        cache.record(key, fingerprint)

    page("index", "index.html", _digest(base, *episode_prints))
    for i, ep in enumerate(model.episodes):
        # An episode page also shows its neighbours' titles (previous/next links).
        own = _digest(base, episode_prints[i])
        around = _digest(own, *(f"{n.slug}\0{n.title}"
                                for n in model.episodes[max(0, i - 1):i + 2]))
        page("episode", ep.page, around, ep)
        page("embed", ep.embed, own, ep)
        if ep.transcript_page:
            page("transcript", ep.transcript_page, own, ep)

    page("search", SEARCH_PAGE, base)
    page("subscribe", SUBSCRIBE_PAGE, base)
    from podcast.site.search import write_search_index
    for key in write_search_index(out, [ep.page for ep in model.episodes], site.show.language):
        written[key] = False

    written[SITEMAP] = write_if_changed(out / SITEMAP, sitemap(site, model))
    written[ROBOTS] = write_if_changed(out / ROBOTS, robots(site))
    cache.save(written)
    changed = sum(written.values())
    log.info("pages: %d file%s, %d changed", len(written), "" if len(written) == 1 else "s",
             changed)
    return set(written)


class PageCache:
    """Which pages in ``out`` were rendered from which inputs (``out/.site-cache.json``).

    A page whose fingerprint (templates, code, show, episode, neighbours) is
    unchanged and whose file is still the one we wrote (same size and mtime)
    is kept without rendering, so a no-op rebuild parses no Markdown and
    renders no template. The file is hidden: never uploaded, never served.
    """

    NAME = ".site-cache.json"

    def __init__(self, out: Path, salt: str):
        self.out = out
        self.salt = salt
        self.pages: dict[str, list] = {}
        try:
            data = json.loads((out / self.NAME).read_text(encoding="utf-8"))
            if data.get("salt") == salt:
                self.pages = data["pages"]
        except (OSError, ValueError, KeyError, AttributeError):
            pass  # no cache, or an unreadable one: render everything

    def fresh(self, key: str, fingerprint: str) -> bool:
        entry = self.pages.get(key)
        if not entry or entry[0] != fingerprint:
            return False
        try:
            st = (self.out / key).stat()
        except FileNotFoundError:
            return False
        return [st.st_size, st.st_mtime_ns] == entry[1:]

    def record(self, key: str, fingerprint: str) -> None:
        st = (self.out / key).stat()
        self.pages[key] = [fingerprint, st.st_size, st.st_mtime_ns]

    def save(self, keys) -> None:
        pages = {k: v for k, v in self.pages.items() if k in keys}
        data = json.dumps({"salt": self.salt, "pages": pages}, sort_keys=True, indent=0)
        write_if_changed(self.out / self.NAME, data)


def _digest(*parts) -> str:
    return hashlib.sha256("\0".join(map(str, parts)).encode("utf-8", "surrogatepass")).hexdigest()


def _salt(templates_dir: Path, strict: bool) -> str:
    """What every page depends on besides the show: templates, this code, library versions."""
    import jinja2
    import markdown_it
    import nh3

    import podcast
    from podcast.show import notes
    from podcast import captions

    h = hashlib.sha256(f"{CACHE_VERSION} {podcast.__version__} {jinja2.__version__} "
                       f"{markdown_it.__version__} {getattr(nh3, '__version__', '')} "
                       f"{strict}".encode())
    code = sorted(Path(__file__).parent.glob("*.py"))  # every module of the site step
    code += [Path(notes.__file__), *sorted(Path(captions.__file__).parent.glob("*.py"))]
    # Every file under templates/, partials in sub-folders included.
    for path in sorted(p for p in templates_dir.rglob("*") if p.is_file()) + code:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _transcript_stamp(ep) -> str:
    source = ep.source.episode.transcript
    if ep.transcript_page is None or source is None:
        return ""
    try:
        st = source.stat()
    except OSError:
        return ""
    return f"{source}:{st.st_size}:{st.st_mtime_ns}"


def _write_icons(site: Site, out: Path) -> tuple[str, str]:
    """A small square PNG of the show's art (page icon, home-screen icon) and
    ``favicon.ico`` (what browsers fetch for pages without a link, e.g. feed.xml).

    Without them every visit logs a 404. The PNG's name derives from the art's
    content-hashed key, so both are made once per artwork.
    """
    key = f"artwork/icon-{sha256_bytes(site.artwork_key.encode())[:10]}.png"
    if (out / key).is_file() and (out / FAVICON).is_file():
        return key, FAVICON
    from io import BytesIO

    from PIL import Image

    from podcast.images import open_image

    try:
        with open_image(out / site.artwork_key, site.artwork_key) as img:
            img.draft("RGB", (ICON_SIZE * 2, ICON_SIZE * 2))  # JPEG: decode at 1/2..1/8 size
            small = img.convert("RGB").resize((ICON_SIZE, ICON_SIZE), Image.LANCZOS)
    except OSError as exc:
        raise SiteError(site.artwork_key, f"cannot be read to make the icon ({exc})",
                        "Run the build again; the assets step writes the art") from None
    png, ico = BytesIO(), BytesIO()
    small.save(png, "PNG", optimize=True)
    small.save(ico, "ICO", sizes=[(32, 32), (16, 16)])
    write_if_changed(out / key, png.getvalue())
    write_if_changed(out / FAVICON, ico.getvalue())
    return key, FAVICON


def _read_static(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SiteError(f"templates/{path.name}", "not found",
                        "Restore it from the repository; the pages link to it") from None


def sitemap(site: Site, model) -> bytes:
    """sitemap.xml: the home and subscribe pages, every episode page and transcript page."""
    ET.register_namespace("", SITEMAP_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")

    def add(url: str, lastmod) -> None:
        node = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(node, f"{{{SITEMAP_NS}}}loc").text = url
        ET.SubElement(node, f"{{{SITEMAP_NS}}}lastmod").text = lastmod.date().isoformat()

    add(model.show.url, site.build_date)  # the home page, as model.home_url addresses it
    add(model.show.subscribe_url, site.build_date)
    for ep in model.episodes:
        add(ep.url, ep.date)
        if ep.transcript_url:
            add(ep.transcript_url, ep.date)
    ET.indent(urlset, space=" ")
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


def robots(site: Site) -> str:
    """Crawlers welcome on the public site; a local preview asks them to stay away."""
    if site.preview:
        return "User-agent: *\nDisallow: /\n"
    return f"User-agent: *\nAllow: /\n\nSitemap: {model.public_url(site.show, SITEMAP)}\n"
