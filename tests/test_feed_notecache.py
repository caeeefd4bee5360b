"""The feed's notes cache: same bytes as rendering afresh, only changed notes re-rendered."""

from __future__ import annotations

import json

from showfactory import make_episode, make_show, make_site, rich_episodes

from podcast.feed import render_feed, write_feed
from podcast.feed.notecache import FILE_NAME, NotesCache, version
from podcast.show import notes


def test_cached_feed_is_identical_and_only_changes_are_rendered(tmp_path):
    root = make_show(tmp_path, rich_episodes())
    site = make_site(root)
    path = site.show.cache_dir / FILE_NAME
    write_feed(site, site.show.output_dir)
    fresh = (site.show.output_dir / "feed.xml").read_bytes()
    assert fresh == render_feed(site)  # no cache at all: same bytes
    doc = json.loads(path.read_text(encoding="utf-8"))
    # The 3 episodes' notes (the channel's description is plain text, not cached HTML).
    assert doc["version"] == version() and len(doc["entries"]) == 3

    cache = NotesCache.load(path)
    assert render_feed(site, cache) == fresh
    assert (cache.hits, cache.misses) == (3, 0)

    make_episode(root, dict(slug="extra", title="Extra", notes="Brand new notes.\n"), 9)
    cache = NotesCache.load(path)
    render_feed(make_site(root), cache)
    assert (cache.hits, cache.misses) == (3, 1)


def test_stale_or_broken_cache_is_ignored(tmp_path):
    path = tmp_path / FILE_NAME
    path.write_text(json.dumps({"version": "old", "entries": {"x": "<p>wrong</p>"}}))
    assert NotesCache.load(path).feed_html("Right.") == notes.feed_html("Right.")
    path.write_text("{not json")
    cache = NotesCache.load(path)
    assert cache.feed_html("Right.") == "<p>Right.</p>"
    cache.save()
    assert json.loads(path.read_text())["version"] == version()


def test_unused_entries_are_dropped(tmp_path):
    path = tmp_path / FILE_NAME
    cache = NotesCache.load(path)
    cache.feed_html("One.")
    cache.feed_html("Two.")
    cache.save()
    cache = NotesCache.load(path)
    cache.feed_html("Two.")
    cache.save()
    assert list(json.loads(path.read_text())["entries"].values()) == ["<p>Two.</p>"]
