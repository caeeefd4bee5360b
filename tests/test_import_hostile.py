"""`podcast import` against hosts that misbehave, for real, on 127.0.0.1.

Each case ends in a clear one-line failure for that episode or a correct
import, never a traceback, a hang, another address fetched, or stale data
reused: HTML served as audio, a 206 from the wrong offset, a staged file from
another feed, bodies cut short with and without a length, redirects to ftp://
and to another port, a local SOURCE of endless bytes, guids YAML would
change, decompression bombs, JSON nested 100,000 deep, and an import --show
that fails half-way.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
import yaml
from audio_helpers import ffmpeg
from badserver import BadServer, answer, chunked, redirect
from click.testing import CliRunner
from showfactory import make_show, write_image

from podcast.cli import cli
from podcast.importer import import_feed
from podcast.show import load_project


@pytest.fixture(scope="module")
def mp3(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("media") / "tone.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=4", "-c:a", "libmp3lame",
           "-b:a", "64k", str(path))
    return path.read_bytes()


@pytest.fixture
def server():
    s = BadServer().start()
    yield s
    s.stop()


def bomb_png() -> bytes:
    """A PNG header claiming 30000x30000 px, about 100 KB: decoding it would need GBs."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 10_000_000, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + \
        chunk(b"IEND", b"")


def feed(server, items: list[dict], channel: str = "") -> str:
    """Serve an RSS feed of ``items`` (guid, title, url, length?, extra?) at /feed."""
    xml = ['<?xml version="1.0"?><rss version="2.0" '
           'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
           'xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>'
           f'<title>Hostile</title>{channel}']
    for n, it in enumerate(items):
        xml.append(f"<item><title>{it['title']}</title><guid>{it['guid']}</guid>"
                   f"<pubDate>Mon, 0{n + 1} Jun 2020 10:00:00 +0000</pubDate>"
                   f"<enclosure url=\"{it['url']}\" length=\"{it.get('length', 0)}\" "
                   f"type=\"audio/mpeg\"/>{it.get('extra', '')}</item>")
    xml.append("</channel></rss>")
    body = "".join(xml).encode("utf-8")
    server.routes["/feed"] = lambda r: answer(200, body, {"Content-Type": "application/rss+xml"})
    return server.base + "/feed"


def media_route(data: bytes, *, honour_ranges=True, range_from_zero=False):
    """Serve ``data`` like a CDN (ETag, ranges), or answering every range from byte 0."""
    def route(r):
        rng = r.headers.get("range", "")
        head = {"Content-Type": "audio/mpeg", "ETag": '"v1"', "Accept-Ranges": "bytes"}
        if rng.startswith("bytes=") and honour_ranges:
            start = 0 if range_from_zero else int(rng[6:].split("-")[0])
            head["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
            return answer(206, data[start:], head)
        return answer(200, data, head)
    return route


def staging(root: Path) -> list[Path]:
    return sorted((root / "episodes").glob(".import-*"))


def test_html_served_as_audio_is_refused_and_never_reused(tmp_path, server, mp3):
    root = make_show(tmp_path, [])
    page = b"<!DOCTYPE html><html><body>Rate limited</body></html>"
    server.routes["/ep.mp3"] = lambda r: answer(200, page, {"Content-Type": "audio/mpeg"})
    url = feed(server, [{"guid": "g1", "title": "One", "url": server.base + "/ep.mp3"}])
    first = import_feed(root, url)
    assert first.added == [] and "served a web page, not audio" in first.failed[0]
    assert staging(root) == []  # nothing left to be taken for audio later
    server.routes["/ep.mp3"] = media_route(mp3)
    second = import_feed(root, url)
    assert second.added == ["one"]
    assert (root / "episodes" / "one" / "master.mp3").read_bytes() == mp3
    assert not list((root / "episodes" / "one").glob("*.json"))  # no sidecar left


def test_a_206_from_the_wrong_offset_starts_over(tmp_path, server, mp3):
    root = make_show(tmp_path, [])
    cut = len(mp3) // 3
    server.routes["/ep.mp3"] = lambda r: [answer(200, mp3, {"ETag": '"v1"'},
                                                 length=len(mp3))[:-(len(mp3) - cut)]]
    url = feed(server, [{"guid": "g1", "title": "One", "url": server.base + "/ep.mp3"}])
    first = import_feed(root, url)
    assert "resumes where it stopped" in first.failed[0]
    part = root / "episodes" / ".import-one" / "master.mp3.part"
    assert part.stat().st_size == cut  # kept: it can resume
    server.routes["/ep.mp3"] = media_route(mp3, range_from_zero=True)
    second = import_feed(root, url)
    assert second.added == ["one"], second.failed
    assert (root / "episodes" / "one" / "master.mp3").read_bytes() == mp3  # not appended
    assert [r.headers.get("range") for r in server.requests if r.path == "/ep.mp3"][1:] == \
        [f"bytes={cut}-", None]


def test_a_staged_file_from_another_feed_is_not_reused(tmp_path, server, mp3):
    root = make_show(tmp_path, [])
    other = root / "episodes" / ".import-one"
    other.mkdir(parents=True)
    (other / "master.mp3").write_bytes(b"ID3" + b"feed A's audio" * 100)
    (other / "master.mp3.json").write_text('{"url": "https://a.example/ep.mp3", "guid": "A",'
                                           ' "done": true, "size": 1403}')
    server.routes["/ep.mp3"] = media_route(mp3)
    url = feed(server, [{"guid": "B", "title": "One", "url": server.base + "/ep.mp3"}])
    assert import_feed(root, url).added == ["one"]
    assert (root / "episodes" / "one" / "master.mp3").read_bytes() == mp3


@pytest.mark.parametrize("route, words", [
    (lambda mp3: answer(200, mp3[:2000], length=-1), "looks cut off"),  # no length, cut
    (lambda mp3: chunked(mp3[:3000], end=b"400\r\nabc"), "broken HTTP"),  # chunked, cut
    (lambda mp3: b"HTTP/1.1 2OO OK\r\n\r\n", "broken HTTP"),
    (lambda mp3: redirect("ftp://127.0.0.1/ep.mp3"), "not an http(s) address"),
])
def test_bodies_cut_short_or_broken_fail_clearly(tmp_path, server, mp3, route, words):
    root = make_show(tmp_path, [])
    server.routes["/ep.mp3"] = lambda r: route(mp3)
    server.routes["/ok.mp3"] = media_route(mp3)
    url = feed(server, [{"guid": "g1", "title": "One", "url": server.base + "/ep.mp3",
                         "length": len(mp3)},
                        {"guid": "g2", "title": "Two", "url": server.base + "/ok.mp3"}])
    result = CliRunner().invoke(cli, ["--root", str(root), "import", url])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert words in result.output and "1 episode(s) not imported" in result.output
    assert "imported 1 episode" in result.output  # the other worker's episode is reported
    assert [e.slug for e in load_project(root, probe_audio=False).episodes] == ["two"]


def test_another_address_is_refused_unless_allowed(tmp_path, server, mp3):
    inside = BadServer().start()
    try:
        inside.routes["/secret.mp3"] = media_route(mp3)
        server.routes["/ep.mp3"] = lambda r: redirect(inside.base + "/secret.mp3")
        root = make_show(tmp_path, [])
        url = feed(server, [{"guid": "g1", "title": "One", "url": server.base + "/ep.mp3"},
                            {"guid": "g2", "title": "Two", "url": inside.base + "/secret.mp3"}])
        result = CliRunner().invoke(cli, ["--root", str(root), "import", url])
        assert result.exit_code == 1 and result.output.count("loopback") == 2
        assert f"--allow-host 127.0.0.1:{inside.port}" in result.output
        assert inside.requests == [] and staging(root) == []  # nothing fetched, nothing kept
        result = CliRunner().invoke(cli, ["--root", str(root), "import", url, "--allow-host",
                                          f"127.0.0.1:{inside.port}"])
        assert result.exit_code == 0, result.output
        assert "imported 2 episodes" in result.output
    finally:
        inside.stop()


def test_a_local_source_of_endless_bytes_is_refused(tmp_path):
    root = make_show(tmp_path, [])
    result = CliRunner().invoke(cli, ["--root", str(root), "import", "/dev/zero"])
    assert result.exit_code == 1
    assert "error: /dev/zero: is not a regular file" in result.output


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029", "\x80", "\x9f", "\ufeff", "\t",
                                  "\n", "\u200b"])  # each legal in XML 1.0
def test_a_guid_survives_byte_for_byte_or_is_refused(tmp_path, server, mp3, char):
    root = make_show(tmp_path, [])
    guid = f"tag:host,2020:ep{char}1"
    server.routes["/ep.mp3"] = media_route(mp3)
    url = feed(server, [{"guid": guid, "title": "One", "url": server.base + "/ep.mp3"}])
    result = import_feed(root, url)
    if result.added:
        (ep,) = load_project(root, probe_audio=False).episodes
        assert ep.guid == guid  # exactly as published
    else:
        assert "guid" in result.failed[0] and staging(root) == []
    text = (root / "podcast.toml").read_text()
    assert "Traceback" not in text


def test_decompression_bombs_and_deep_json_are_left_out_with_a_warning(tmp_path, server, mp3):
    root = make_show(tmp_path, [])
    server.routes["/ep.mp3"] = media_route(mp3)
    server.routes["/bomb.png"] = lambda r: answer(200, bomb_png(), {"Content-Type": "image/png"})
    deep = b'{"version": "1.2.0", "chapters": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    server.routes["/chapters.json"] = lambda r: answer(200, deep)
    extra = (f'<itunes:image href="{server.base}/bomb.png"/>'
             f'<podcast:chapters url="{server.base}/chapters.json" '
             'type="application/json+chapters"/>')
    url = feed(server, [{"guid": "g1", "title": "One", "url": server.base + "/ep.mp3",
                         "extra": extra}])
    result = import_feed(root, url)
    assert result.added == ["one"] and result.failed == []
    warnings = "\n".join(result.warnings)
    assert "900 megapixels, more than the 50 read" in warnings
    assert "nested 100,001 levels deep" in warnings


def test_a_bomb_as_show_art_is_one_clear_error_in_check_and_build(tmp_path):
    root = make_show(tmp_path, [])
    (root / "artwork" / "cover.jpg").unlink()
    (root / "artwork" / "cover.png").write_bytes(bomb_png())
    config = root / "podcast.toml"
    config.write_text(config.read_text().replace("artwork/cover.jpg", "artwork/cover.png"))
    for command in ("check", "build"):
        result = CliRunner().invoke(cli, ["--root", str(root), command])
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and "DecompressionBomb" not in result.output
        assert "900 megapixels" in result.output, result.output


def test_import_show_that_fails_changes_no_file(tmp_path, server, mp3):
    root = make_show(tmp_path, [])
    art = root / "artwork" / "cover.jpg"
    before = {p: p.read_bytes() for p in (root / "podcast.toml", art)}
    write_image(tmp_path / "new.jpg", (1400, 1400), colour=(10, 200, 10))
    new_art = (tmp_path / "new.jpg").read_bytes()
    server.routes["/art.jpg"] = lambda r: answer(200, new_art, {"Content-Type": "image/jpeg"})
    channel = (f'<itunes:image href="{server.base}/art.jpg"/>'
               "<podcast:guid>not-a-uuid</podcast:guid>")
    url = feed(server, [], channel)
    result = CliRunner().invoke(cli, ["--root", str(root), "import", url, "--show"])
    assert result.exit_code == 1 and "guid" in result.output, result.output
    assert {p: p.read_bytes() for p in before} == before  # podcast.toml and the art
    assert not (root / "artwork" / "cover.png").exists()


def test_reserved_names_make_safe_slugs(tmp_path, server, mp3):
    from podcast.show.manage import slugify

    for title in ("CON", "nul", "Prn", "AUX", "COM1", "lpt9", "CON.txt", "NUL ", "aux...",
                  "com¹"):
        slug = slugify(title)
        assert slug not in ("con", "nul", "prn", "aux", "com1", "lpt9"), (title, slug)
    root = make_show(tmp_path, [])
    server.routes["/ep.mp3"] = media_route(mp3)
    url = feed(server, [{"guid": "g1", "title": "CON", "url": server.base + "/ep.mp3"}])
    assert import_feed(root, url).added == ["con-episode"]
    master = root / "episodes" / "con-episode" / "master.mp3"
    result = CliRunner().invoke(cli, ["--root", str(root), "add", str(master), "--title",
                                      "Console", "--slug", "con"])
    assert result.exit_code == 2 and "reserves for a device" in result.output


def test_front_matter_keeps_the_guid_yaml_would_fold(tmp_path):
    """The check above relies on this: PyYAML folds U+0085 in a plain scalar."""
    text = yaml.safe_dump({"guid": "a\x85b"}, allow_unicode=True)
    assert yaml.safe_load(text)["guid"] != "a\x85b"
