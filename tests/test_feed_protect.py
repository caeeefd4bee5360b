"""Subscriber protection: a feed that would drop, duplicate or re-download episodes is refused."""

from __future__ import annotations

import dataclasses

import pytest
import yaml
from showfactory import make_episode, make_show, make_site

from podcast.errors import FeedError
from podcast.feed import render_feed, write_feed
from podcast.feed.protect import compare_feeds, last_published, record_published

EPISODES = [dict(slug="one", title="One"), dict(slug="two", title="Two"),
            dict(slug="three", title="Three")]


@pytest.fixture
def show_root(tmp_path):
    return make_show(tmp_path, EPISODES)


def edit_front(root, slug: str, **changes) -> None:
    path = root / "episodes" / slug / "episode.md"
    _, head, body = path.read_text(encoding="utf-8").split("---\n", 2)
    front = yaml.safe_load(head)
    front.update(changes)
    path.write_text("---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n" + body,
                    encoding="utf-8")


def test_same_feed_and_additions_are_fine(show_root):
    old = render_feed(make_site(show_root))
    assert compare_feeds(old, old) == []
    # New episode, edited title and notes: all fine for subscribers.
    make_episode(show_root, dict(slug="four", title="Four"), 3)
    edit_front(show_root, "two", title="Two, retitled")
    notes = show_root / "episodes" / "one" / "episode.md"
    notes.write_text(notes.read_text(encoding="utf-8") + "\nMore notes.\n", encoding="utf-8")
    assert compare_feeds(old, render_feed(make_site(show_root))) == []


def test_vanished_episode_is_named(show_root):
    old = render_feed(make_site(show_root))
    edit_front(show_root, "two", status="draft")
    problems = compare_feeds(old, render_feed(make_site(show_root)))
    assert len(problems) == 1
    assert problems[0].startswith('"Two" (guid ')
    assert "missing from the new feed" in problems[0]


def test_changed_guid_for_the_same_episode_is_named(show_root):
    site = make_site(show_root)
    old = render_feed(site)
    edit_front(show_root, "three", guid="0b9e3c5e-2d62-4f0f-8d5c-3f0f2b7a9e11")
    problems = compare_feeds(old, render_feed(make_site(show_root)))
    assert len(problems) == 1
    assert problems[0].startswith('"Three" changed its guid from ')
    assert "to 0b9e3c5e-2d62-4f0f-8d5c-3f0f2b7a9e11" in problems[0]


def test_changed_enclosure_url_is_named(show_root):
    site = make_site(show_root)
    old = render_feed(site)
    one = site.episodes[0]
    moved = dataclasses.replace(one, media=dataclasses.replace(
        one.media, key="media/one-remastered000.mp3"))
    new = render_feed(dataclasses.replace(site, episodes=(moved,) + site.episodes[1:]))
    problems = compare_feeds(old, new)
    assert len(problems) == 1
    assert problems[0].startswith('"One" has a new audio URL (')
    assert "media/one-remastered000.mp3" in problems[0]


@pytest.mark.parametrize("new_url, allowed", [
    # re-tagged: same audio (slug + audio hash), new bytes hash
    ("BASE/media/one-0123456789ab-ffffffff.mp3", True),
    # the same file behind an analytics prefix, or on another host
    ("https://op3.dev/e,pg=x/HOST/media/one-0123456789ab-aaaaaaaa.mp3", True),
    ("https://cdn.example.net/media/one-0123456789ab-aaaaaaaa.mp3", True),
    # re-mastered: other audio
    ("BASE/media/one-ba9876543210-aaaaaaaa.mp3", False),
    ("BASE/media/other-name.mp3", False),
])
def test_same_audio_at_a_new_url_is_allowed_and_reported(show_root, new_url, allowed):
    from podcast.feed.protect import moved_media

    site = make_site(show_root)
    one = site.episodes[0]
    base = site.show.url.rstrip("/")
    new_url = new_url.replace("BASE", base).replace("HOST", base.split("://")[1])

    def with_url(url):
        key = url.split("/media/", 1)[1]
        media = dataclasses.replace(one.media, key="media/" + key)
        return render_feed(dataclasses.replace(site, episodes=(
            dataclasses.replace(one, media=media),) + site.episodes[1:])).replace(
            (f"{base}/media/{key}").encode(), url.encode())

    old = with_url(f"{base}/media/one-0123456789ab-aaaaaaaa.mp3")
    new = with_url(new_url)
    problems, moved = compare_feeds(old, new), moved_media(old, new)
    assert (problems == [] and len(moved) == 1) if allowed else (len(problems) == 1
                                                                 and moved == [])
    if allowed:
        assert moved[0].startswith('"One": same audio at a new URL') and new_url in moved[0]


def test_not_a_feed_is_an_error():
    with pytest.raises(FeedError, match="the published feed: is not well-formed XML"):
        compare_feeds(b"<html><body>oops", b"<rss><channel/></rss>")
    with pytest.raises(FeedError, match="the new feed: is not an RSS feed"):
        compare_feeds(b"<rss><channel/></rss>", b"<html/>")


def test_build_refuses_against_the_record_unless_allowed(show_root):
    site = make_site(show_root)
    out = site.show.output_dir
    assert last_published(site.show) is None
    write_feed(site, out, guard=True)  # no record yet: nothing to compare with
    published = (out / "feed.xml").read_bytes()
    record_published(site.show, published)
    assert last_published(site.show) == published

    edit_front(show_root, "one", status="draft")
    smaller = make_site(show_root)
    with pytest.raises(FeedError) as err:
        write_feed(smaller, out, guard=True)
    message = str(err.value)
    assert message.startswith("feed.xml: would break subscribers")
    assert '"One"' in message and "--allow-feed-changes" in message
    assert (out / "feed.xml").read_bytes() == published  # the old feed is untouched

    write_feed(smaller, out, guard=False)  # --allow-feed-changes
    assert (out / "feed.xml").read_bytes() != published


def test_the_record_is_kept_per_feed_url(show_root):
    site = make_site(show_root)
    record_published(site.show, render_feed(site))
    preview = make_site(show_root, public_url="http://127.0.0.1:8000/")
    # A preview build goes to another URL: the published record does not apply to it.
    assert last_published(preview.show) is None
    edit_front(show_root, "one", status="draft")
    write_feed(make_site(show_root, public_url="http://127.0.0.1:8000/"),
               preview.show.output_dir, guard=True)


def test_changed_podcast_guid_is_named(show_root, tmp_path):
    old = render_feed(make_site(show_root))
    moved = make_show(tmp_path / "moved", EPISODES, guid="5c1f0d7e-9a3b-5e2f-8c4d-2b6a1e0f9d33")
    problems = compare_feeds(old, render_feed(make_site(moved)))
    assert len(problems) == 1
    assert problems[0].startswith("the show's podcast:guid changed from ")
    assert "to 5c1f0d7e-9a3b-5e2f-8c4d-2b6a1e0f9d33" in problems[0]
