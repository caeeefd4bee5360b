"""What a listener sees of a published show, checked over anonymous HTTP, and the
edits the publish tests make between runs."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

from podcast.feed.reader import read_feed
from tests.showfactory import make_show

ROOT = Path(__file__).resolve().parents[1]


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


def two_episode_show(tmp_path: Path, bucket: str, prefix: str, endpoint: str,
                     public_url: str) -> Path:
    """The show the publish tests edit: two short episodes, one with chapters and a
    transcript, the project's templates, publishing to ``endpoint``."""
    root = make_show(tmp_path, episodes=[
        {"title": "Multiple Bombings", "master_seconds": 6.0,
         "chapters": [{"start": "0:00", "title": "Cold open"}],
         "transcript": ("vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nAct.\n")},
        {"title": "Under Surveillance", "master_seconds": 6.0}],
        publish={"bucket": bucket, "prefix": prefix.strip("/"), "endpoint_url": endpoint,
                 "public_url": public_url})
    shutil.copytree(ROOT / "templates", root / "templates")
    return root
