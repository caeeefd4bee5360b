"""Check the published show as a listener's app would: anonymously, over HTTP.

GET the feed from its public URL, then HEAD every enclosure and artwork:
200, Content-Length equal to the feed's length attribute, the right
Content-Type, and a byte range answered with 206 (apps seek and resume with
ranges). Then every page the feed (channel and item links) and the sitemap
name must open: 200 and text/html (a plain bucket serves no index documents,
so a folder URL there is a 404). Returns problems as sentences; an empty list
means all is well.

Everything goes through the package's one client (``podcast/net/``): the
origins the feed names are ours and trusted; a redirect from them into a
private address is refused like any other.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from podcast.errors import FeedError, NetworkError
from podcast.feed.reader import PARSER, read_feed, unprefixed
from podcast.net import Client, Policy

log = logging.getLogger(__name__)

USER_AGENT = "podcast-publish-verify/1 (like a podcast app)"


def _fetch(client: Client, url: str, kind: str = "feed"
           ) -> tuple[int | None, dict, bytes, str | None]:
    """(status, headers, body of a 200, error) of a GET."""
    try:
        with client.request(url, kind=kind) as resp:
            return resp.status, resp.headers, resp.read() if resp.status == 200 else b"", None
    except NetworkError as exc:
        return None, {}, b"", exc.problem


def _head(client: Client, url: str, method: str = "HEAD", headers: dict | None = None):
    """(status, headers, error) of a HEAD, or a GET whose body is left unread."""
    try:
        with client.request(url, method=method, kind="page", headers=headers) as resp:
            return resp.status, resp.headers, None
    except NetworkError as exc:
        return None, None, exc.problem


def _get_header(headers, name: str) -> str | None:
    return (headers or {}).get(name.lower())


def _check_object(client: Client, url: str, length: int | None,
                  type_prefix: str) -> list[str]:
    problems = []
    status, headers, err = _head(client, url)
    if status != 200:
        return [f"{url}: HEAD answered {status or err}, not 200"]
    got_len = _get_header(headers, "Content-Length")
    if length is not None and got_len != str(length):
        problems.append(f"{url}: Content-Length is {got_len}, the feed says {length}")
    got_type = (_get_header(headers, "Content-Type") or "").split(";")[0].strip()
    if not got_type.startswith(type_prefix):
        problems.append(f"{url}: Content-Type is {got_type or 'missing'}, "
                        f"expected {type_prefix}")
    status, headers, err = _head(client, url, "GET", {"Range": "bytes=0-1"})
    if status != 206:
        problems.append(f"{url}: a byte-range request answered {status or err}, not 206")
    return problems


SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PAGE_HINT = ("a page link must name its file (index.html) unless the host serves index "
             "documents: set [publish] pretty_urls = true only for such a host")


def _check_page(client: Client, url: str) -> list[str]:
    status, headers, err = _head(client, url, "GET")
    if status != 200:
        return [f"{url}: a page link answered {status or err}, not 200; {PAGE_HINT}"]
    got_type = (_get_header(headers, "Content-Type") or "").split(";")[0].strip()
    if got_type != "text/html":
        # SeaweedFS answers a folder with 200 and application/x-directory.
        return [f"{url}: a page link answered Content-Type {got_type or 'missing'}, "
                f"not text/html; {PAGE_HINT}"]
    return []


def _sitemap_pages(client: Client, feed_url: str) -> tuple[list[str], list[str]]:
    """(page URLs, problems) of the sitemap.xml beside the feed; none if there is none."""
    from lxml import etree

    url = feed_url.rsplit("/", 1)[0] + "/sitemap.xml"
    status, _, body, err = _fetch(client, url)
    if status == 404:
        return [], []
    if status != 200:
        return [], [f"{url}: anonymous GET answered {status or err}, not 200"]
    try:
        root = etree.fromstring(body, PARSER)
    except etree.XMLSyntaxError as exc:
        return [], [f"{url}: is not well-formed XML ({exc})"]
    return [(loc.text or "").strip() for loc in root.iter(f"{SITEMAP_NS}loc")
            if (loc.text or "").strip()], []


def _check_prefixed(client: Client, url: str, direct: str, length: int | None) -> list[str]:
    """An enclosure behind an analytics prefix: follow the prefix's redirects where it
    can be reached; the object behind it is checked directly either way."""
    status, headers, err = _head(client, url)
    if status is None:  # the prefix service is out of reach from here: say so, no more
        log.warning("%s: cannot reach the analytics prefix (%s); checked the file behind "
                    "it directly", url, err)
        return []
    if status != 200:
        return [f"{url}: the analytics prefix answered {status}, not a redirect to the file; "
                "check [publish] analytics_prefix"]
    got_len = _get_header(headers, "Content-Length")
    if length is not None and got_len is not None and got_len != str(length):
        return [f"{url}: through the analytics prefix, Content-Length is {got_len}, the feed "
                f"says {length}"]
    return []


def _check(client: Client, url: str, length: int | None, type_prefix: str,
           base: str) -> list[str]:
    direct = unprefixed(url, base)
    if direct is None or direct == url:
        return _check_object(client, url, length, type_prefix)
    return (_check_object(client, direct, length, type_prefix)
            + _check_prefixed(client, url, direct, length))


def verify(feed_url: str, *, jobs: int = 8) -> list[str]:
    """Fetch ``feed_url`` anonymously; check every enclosure (alternates included),
    image and page; an enclosure behind an analytics prefix is followed through it."""
    with Client(Policy.of([feed_url]), user_agent=USER_AGENT) as client:
        status, headers, body, err = _fetch(client, feed_url)
    if status != 200:
        return [f"{feed_url}: anonymous GET answered {status or err}, not 200; listeners "
                "cannot subscribe (is the bucket publicly readable?)"]
    problems = []
    ctype = _get_header(headers, "Content-Type") or ""
    if not ctype.startswith(("application/rss+xml", "application/xml", "text/xml")):
        problems.append(f"{feed_url}: Content-Type is {ctype or 'missing'}, "
                        "expected application/rss+xml")
    try:
        refs = read_feed(body, feed_url)
    except FeedError as exc:
        return problems + [exc.format()]
    base = feed_url.rsplit("/", 1)[0] + "/"
    checks = [(e.url, e.length, e.type or "audio/") for e in refs.enclosures + refs.alternates]
    checks += [(url, None, "image/") for url in refs.all_images]
    named = [feed_url, *(c[0] for c in checks), *refs.pages]  # our own feed's origins
    with Client(Policy.of(named), user_agent=USER_AGENT) as client, \
            ThreadPoolExecutor(max_workers=jobs) as pool:
        pages, found = _sitemap_pages(client, feed_url)
        problems += found
        pages = list(dict.fromkeys([*refs.pages, *pages]))
        for found in pool.map(lambda c: _check(client, *c, base), checks):
            problems.extend(found)
        for found in pool.map(lambda page: _check_page(client, page), pages):
            problems.extend(found)
    log.info("verified %s: %d enclosure(s), %d image(s), %d page(s), %d problem(s)",
             feed_url, len(refs.enclosures), len(refs.all_images), len(pages), len(problems))
    return problems
