"""`podcast import`: feeds written the way seven hosts write them, served from 127.0.0.1.

Guids are kept exactly, dates to the second with their zone, titles, season,
number and type, notes as Markdown through our sanitiser, chapters from JSON,
Podlove or ID3, transcripts (SRT, VTT, JSON made WebVTT), persons,
soundbites, places. Enclosures are downloaded through prefixes and redirects,
resumed after a cut, and their size checked. A second run adds only new
episodes.
"""

from __future__ import annotations

import email.utils
import hashlib
from datetime import timezone

import pytest
import yaml
from click.testing import CliRunner
from showfactory import make_show

from podcast.cli import cli
from podcast.importer import import_feed
from podcast.importer.fetch import unwrap
from podcast.show import load_project
from podcast.show.config import load_show, podcast_guid


def front(root, slug):
    text = (root / "episodes" / slug / "episode.md").read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def episodes_by_guid(root):
    return {e.guid: e for e in load_project(root, probe_audio=False).episodes}


def test_unwrap_known_prefixes():
    direct = "https://cdn.example.org/show/ep1.mp3"
    for wrapped in [
        "https://op3.dev/e/cdn.example.org/show/ep1.mp3",
        "https://op3.dev/e,pg=9b024349-ccf0-5f69-a609-6b82873eab3c/cdn.example.org/show/ep1.mp3",
        "https://dts.podtrac.com/redirect.mp3/cdn.example.org/show/ep1.mp3",
        "https://chrt.fm/track/ABC123/op3.dev/e/dts.podtrac.com/redirect.mp3/"
        "cdn.example.org/show/ep1.mp3",
        "https://pdst.fm/e/cdn.example.org/show/ep1.mp3",
        "https://pdcn.co/e/cdn.example.org/show/ep1.mp3",
        "https://prfx.byspotify.com/e/cdn.example.org/show/ep1.mp3",
        "https://anchor.fm/s/4f1e2d3c/podcast/play/123/https%3A%2F%2Fcdn.example.org%2Fshow%2F"
        "ep1.mp3",
    ]:
        assert unwrap(wrapped) == direct, wrapped
    assert unwrap("https://op3.dev/e/http://127.0.0.1:9/x.mp3") == "http://127.0.0.1:9/x.mp3"
    assert unwrap(direct) == direct


@pytest.mark.parametrize("name", ["buzzsprout", "libsyn", "anchor", "transistor", "megaphone",
                                  "castopod", "podlove"])
def test_each_host_is_imported_as_published(tmp_path, world, name):
    host, media, shows = world
    source = shows[name]
    root = make_show(tmp_path, [])
    result = import_feed(root, source.feed_url)
    assert result.failed == [], result.failed
    assert len(result.added) == len(source.episodes)
    found = episodes_by_guid(root)
    for expected in source.episodes:
        ep = found[expected["guid"]]  # the guid, exactly as the host wrote it
        assert ep.title == expected["title"]
        when = email.utils.parsedate_to_datetime(expected["date"])
        if when.tzinfo is None:  # "-0000": UTC, local zone unknown (RFC 2822)
            when = when.replace(tzinfo=timezone.utc)
        assert ep.date == when and ep.date.utcoffset() == when.utcoffset()
        assert ep.number == expected.get("num")
        assert ep.type == expected.get("type", "full")
        assert ep.master.read_bytes() == media[expected["media"]].data  # intact, all of it
        assert ep.guid_permalink == expected.get("permalink", False)
        if expected.get("chapters"):
            assert len(ep.chapters) == expected["chapters"], ep.chapters
            assert ep.chapters[0].start == 0
        kind = expected.get("transcript")
        if kind:
            assert ep.transcript is not None and ep.transcript.suffix == (
                ".srt" if kind == "srt" else ".vtt")
    # Nothing half-made is left: no staging folders, no partial downloads.
    assert not list((root / "episodes").glob(".import-*"))
    assert not list((root / "episodes").rglob("*.part"))


def test_notes_become_markdown_through_our_sanitiser(tmp_path, world):
    host, media, shows = world
    root = make_show(tmp_path, [])
    import_feed(root, shows["buzzsprout"].feed_url)
    import_feed(root, shows["libsyn"].feed_url)
    import_feed(root, shows["anchor"].feed_url)
    _, body = front(root, "the-evidence")
    assert "Notes for **The Evidence**." in body
    assert "[gov.uk/ACT](https://www.gov.uk/ACT)" in body
    assert "alert" not in body and "<" not in body  # the script went, with its content
    _, body = front(root, "ep-zero-introduction")  # plain text: paragraphs, escaped
    assert body == "Plain text notes.\n\nA second paragraph with \\*stars\\* and 2 \\< 3.\n"
    _, body = front(root, "anchor-episode")  # escaped HTML, not CDATA
    assert body.strip() == ("Escaped **HTML** notes, with a "
                            "[link](https://example.org/link).")
    from podcast.show.notes import feed_html
    assert feed_html(body) == ('<p>Escaped HTML notes, with a <a href="https://example.org/link" '
                               'rel="noopener noreferrer">link</a>.</p>')


def test_chapters_transcripts_persons_and_more(tmp_path, world):
    host, media, shows = world
    root = make_show(tmp_path, [])
    for name in ("transistor", "castopod", "podlove", "buzzsprout"):
        assert import_feed(root, shows[name].feed_url).failed == []
    call, _ = front(root, "the-call")  # JSON chapters with a link, an image, a hidden one
    assert [(c["start"], c["title"]) for c in call["chapters"]] == [
        (0, "Cold open"), (2.5, "The call"), (4, "Hidden")]
    assert call["chapters"][1]["url"] == "https://www.gov.uk/ACT"
    assert (root / "episodes" / "the-call" / call["chapters"][1]["image"]).is_file()
    assert call["chapters"][2]["toc"] is False
    assert call["season"] == 2 and call["number"] == 1
    assert call["summary"] == "The Call: a short summary."
    # An insecure img URL is dropped from the person, not the person.
    assert call["persons"] == [{"name": "Mark Strong", "role": "host",
                                "href": "https://example.org/strong"},
                               {"name": "A Witness", "role": "guest"}]
    assert (root / "episodes" / "the-call" / "cover.jpg").is_file()  # its own art
    assert (root / "episodes" / "the-call" / "transcript.srt").read_text().startswith("1\n")
    stakeout = (root / "episodes" / "the-stakeout" / "transcript.vtt").read_text()
    assert "<v Narrator>Act on your instincts." in stakeout  # JSON words joined into cues
    assert "00:00:02.000 --> 00:00:03.000\n<v Detective>We listened." in stakeout
    factory, _ = front(root, "the-bomb-factory")
    assert factory["soundbites"] == [{"start": 1.5, "duration": 3.0, "title": "The call"}]
    assert factory["location"] == [{"name": "Birmingham", "geo": "geo:52.4862,-1.8904",
                                    "osm": "R162378"}]
    assert factory["guid_permalink"] is True
    chaptered, _ = front(root, "chaptered")  # Podlove Simple Chapters
    assert [(c["start"], c["title"]) for c in chaptered["chapters"]] == [
        (0, "Anfang"), (3.25, "Mitte")]
    evidence, _ = front(root, "the-evidence")  # the MP3's own ID3 chapters
    assert [(c["start"], c["title"]) for c in evidence["chapters"]] == [
        (0, "Cold open"), (2.5, "The evidence"), (5, "Act")]
    # Every imported episode passes `podcast check`'s episode rules.
    load_project(root)


def test_the_show_is_taken_with_its_guid(tmp_path, world):
    host, media, shows = world
    folder = tmp_path / "new-show"
    folder.mkdir()
    result = CliRunner().invoke(cli, ["--root", str(folder), "import", shows["castopod"].feed_url,
                                      "--show", "--url", "https://cdn.example.org/castopod/"])
    assert result.exit_code == 0, result.output
    assert "imported 2 episodes of \"Castopod Show\"" in result.output
    show = load_show(folder)
    assert show.title == "Castopod Show" and show.url == "https://cdn.example.org/castopod/"
    assert show.guid == "b6a3d6a2-8c1e-5d0f-9e3b-2a1c4d5e6f70" and show.guid_stored
    assert show.type == "serial" and show.locked is True and show.language == "en-gb"
    assert show.categories == (("True Crime",),)
    assert (show.owner_name, show.owner_email) == ("CTP", "castopod@example.org")
    assert show.description == "A show hosted the **Castopod** way."
    assert show.artwork.read_bytes() == host.files["/art/cover.jpg"][0]
    assert show.location[0]["name"] == "London" and show.license == "cc-by-4.0"
    assert show.persons[0]["name"] == "Counter Terrorism Policing"
    again = CliRunner().invoke(cli, ["--root", str(folder), "import",
                                     shows["castopod"].feed_url])
    assert again.exit_code == 0 and "imported 0 episodes" in again.output
    assert "2 already here" in again.output


def test_show_import_keeps_comments_and_computes_a_missing_guid(tmp_path, world):
    host, media, shows = world
    root = make_show(tmp_path, [])
    config = root / "podcast.toml"
    config.write_text("# our notes about the show\n" + config.read_text()
                      + "\n[audio]\nloudness = -16.0  # Apple's target\n")
    result = import_feed(root, shows["transistor"].feed_url, take_show=True)
    assert result.failed == []
    text = config.read_text()
    assert text.startswith("# our notes about the show\n") and "# Apple's target" in text
    show = load_show(root)
    assert show.title == "Transistor Show"
    # No podcast:guid in the feed: the one Podcast Index computed from its URL.
    assert show.guid == podcast_guid(shows["transistor"].feed_url)
    assert show.categories == (("Government",), ("News", "Politics"))
    assert show.funding == ({"url": "https://www.gov.uk/ACT", "text": "Act"},)
    assert any("no podcast:guid" in w for w in result.warnings)


def test_a_second_run_adds_only_new_episodes(tmp_path, world):
    host, media, shows = world
    root = make_show(tmp_path, [])
    source = shows["megaphone"]
    first = import_feed(root, source.feed_url)
    assert len(first.added) == 1
    # Megaphone's length="0" means "unknown": the server's size is taken, silently. Its
    # 300 px episode art is below Apple's minimum: left out, with a warning.
    assert [w for w in first.warnings if "bytes" in w] == []
    assert any("300x300 px" in w and "left out" in w for w in first.warnings)
    before = {p: p.stat().st_mtime_ns for p in (root / "episodes").rglob("*")}
    feed, ctype = host.files["/megaphone/feed"]
    item = feed[feed.index(b"<item>"):feed.index(b"</item>") + 7]
    newer = (item.replace(b"7c9e6679-7425-11ee-b962-0242ac120002",
                          b"8d0f7780-7425-11ee-b962-0242ac120002")
             .replace(b"Bonus: Behind the Scenes", b"Bonus: The Sequel")
             .replace(b"Wed, 20 May 2020", b"Wed, 27 May 2020"))
    host.files["/megaphone/feed"] = (feed.replace(b"<item>", newer + b"\n<item>", 1), ctype)
    try:
        second = import_feed(root, source.feed_url)
    finally:
        host.files["/megaphone/feed"] = (feed, ctype)
    assert second.added == ["bonus-the-sequel"] and second.skipped == 1
    assert all(p.stat().st_mtime_ns == t for p, t in before.items())  # untouched


def test_a_cut_download_resumes(tmp_path, world):
    host, media, shows = world
    root = make_show(tmp_path, [])
    path = "/audio/@codesevere/the-bomb-factory.mp3"
    host.break_after[path] = 20_000
    first = import_feed(root, shows["castopod"].feed_url, jobs=1)
    assert len(first.failed) == 1 and "resumes where it stopped" in first.failed[0]
    assert first.added == ["the-arrest"]
    part = root / "episodes" / ".import-the-bomb-factory" / "master.mp3.part"
    assert part.stat().st_size == 20_000
    del host.requests[:]
    second = import_feed(root, shows["castopod"].feed_url)
    assert second.added == ["the-bomb-factory"] and second.failed == []
    assert ("GET", path + "?_from=example.org", "bytes=20000-") in host.requests
    master = root / "episodes" / "the-bomb-factory" / "master.mp3"
    assert hashlib.sha256(master.read_bytes()).hexdigest() == \
        hashlib.sha256(media["quiet.mp3"].data).hexdigest()


def test_an_unreachable_feed_or_enclosure_is_explained(tmp_path, world):
    host, media, shows = world
    root = make_show(tmp_path, [])
    result = CliRunner().invoke(cli, ["--root", str(root), "import", host.base + "/nope.xml"])
    assert result.exit_code == 1
    assert f"{host.base}/nope.xml: answered HTTP 404" in result.output
    feed, ctype = host.files["/libsyn/rss"]
    host.files["/libsyn/broken"] = (feed.replace(b"/secure/codesevere/ep1_final.mp3",
                                                 b"/secure/gone.mp3"), ctype)
    result = CliRunner().invoke(cli, ["--root", str(root), "import", host.base + "/libsyn/broken"])
    assert result.exit_code == 1
    assert "answered HTTP 404" in result.output and "1 episode(s) not imported" in result.output


def test_an_edit_that_breaks_podcast_toml_is_refused(tmp_path):
    from podcast.errors import ValidationError
    from podcast.show.tomledit import edit_show

    root = make_show(tmp_path, [])
    config = root / "podcast.toml"
    config.write_text("# keep me\n" + config.read_text())
    before = config.read_text()
    with pytest.raises(ValidationError, match="new_feed_url"):
        edit_show(root, {"new_feed_url": "ftp://nowhere"})
    assert config.read_text() == before  # nothing written
    edit_show(root, {"new_feed_url": "https://new.example.org/feed.xml"})
    assert config.read_text().startswith("# keep me\n")
    assert load_show(root).new_feed_url == "https://new.example.org/feed.xml"
    edit_show(root, {"new_feed_url": None})
    assert config.read_text() == before
