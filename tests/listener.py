"""What a listener sees of a published show, checked over anonymous HTTP, and the
edits the publish tests make between runs."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from podcast.feed.reader import read_feed


def anon(url: str, method: str = "GET"):
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read() if method == "GET" else b""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, b""


def listener_view(feed_url: str) -> int:
    """Check the live feed as an app would; returns how many URLs were checked."""
    status, _, body = anon(feed_url)
    assert status == 200, f"{feed_url}: {status}"
    feed = read_feed(body, feed_url)
    checked = 0
    for enc in feed.enclosures:
        status, headers, _ = anon(enc.url, "HEAD")
        assert status == 200, f"{enc.url}: {status}"
        assert headers["Content-Length"] == str(enc.length), enc.url
        checked += 1
    for url in (*feed.all_images, *feed.others):
        assert anon(url, "HEAD")[0] == 200, url
        checked += 1
    for url in feed.pages:
        status, headers, _ = anon(url)
        assert status == 200 and headers["Content-Type"].startswith("text/html"), url
        checked += 1
    return checked


def set_title(root: Path, slug: str, title: str) -> None:
    path = root / "episodes" / slug / "episode.md"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [f"title: {title}\n" if line.startswith("title:") else line for line in lines]
    path.write_text("".join(lines), encoding="utf-8")
