"""``podcast serve``: Content-Types, HEAD, byte ranges, safety, and rebuilds on change.

A real server on 127.0.0.1 (port 0: a free one) over a real built tree,
queried with http.client as a browser would.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys

import pytest
from showfactory import make_show
from sitekit import built_site, copy_templates

from podcast.errors import PodcastError
from podcast.serve import Preview, RangeNotSatisfiable, byte_range, inputs_signature

VTT = "WEBVTT\n\n00:00.000 --> 00:01.000\n<v Host>Hello.\n"


@pytest.mark.parametrize("header, size, expected", [
    (None, 100, None),
    ("bytes=0-9", 100, (0, 9)),
    ("bytes=10-", 100, (10, 99)),
    ("bytes=-10", 100, (90, 99)),
    ("bytes=-500", 100, (0, 99)),
    ("bytes=90-500", 100, (90, 99)),
    ("bytes=99-99", 100, (99, 99)),
])
def test_byte_range(header, size, expected):
    assert byte_range(header, size) == expected


ABSURD = ["bytes=" + "9" * 5000, "bytes=0-" + "9" * 5000, "bytes=-" + "1" * 19,
          "bytes=5-2", "bytes=0-0,5-9", "bytes=0-1, 2-3", "items=0-9", "bytes=x-y", "bytes=-",
          "bytes=", "", "garbage", "bytes=1-2-3", "bytes=\u00b9-2", "bytes=--5"]


@pytest.mark.parametrize("header, size", [
    ("bytes=100-", 100), ("bytes=200-300", 100), ("bytes=-0", 100), ("bytes=5-2", 100),
    ("bytes=0-", 0), *((h, 100) for h in ABSURD),
])
def test_byte_range_not_satisfiable(header, size):
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, size)


def request(preview: Preview, method: str, path: str, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    built = built_site(tmp_path_factory.mktemp("serve"), [
        {"slug": "first", "title": "First", "transcript": ("vtt", VTT),
         "chapters": [{"start": 0, "title": "Start"}]},
        {"slug": "second", "title": "Second"},
    ], durations={"first": 3.0})
    with Preview(built.root, port=0, build=False).start() as preview:
        yield built, preview


def test_listens_on_loopback_only(served):
    _, preview = served
    assert preview.server.server_address[0] == "127.0.0.1"
    assert preview.url == f"http://127.0.0.1:{preview.port}/"


@pytest.mark.parametrize("path, content_type", [
    ("/", "text/html; charset=utf-8"),
    ("/index.html", "text/html; charset=utf-8"),
    ("/episodes/first/", "text/html; charset=utf-8"),
    ("/episodes/first/embed.html", "text/html; charset=utf-8"),
    ("/feed.xml", "application/rss+xml; charset=utf-8"),
    ("/episodes/first/chapters.json", "application/json+chapters"),
    ("/episodes/first/transcript.vtt", "text/vtt"),
    ("/episodes/first/transcript.srt", "application/x-subrip"),
    ("/style.css", "text/css; charset=utf-8"),
    ("/subscribe.html", "text/html; charset=utf-8"),
    ("/sitemap.xml", "application/xml; charset=utf-8"),
    ("/robots.txt", "text/plain; charset=utf-8"),
])
def test_content_types(served, path, content_type):
    built, preview = served
    status, headers, body = request(preview, "GET", path)
    assert status == 200
    assert headers["content-type"] == content_type
    assert int(headers["content-length"]) == len(body) > 0
    assert headers["accept-ranges"] == "bytes"


def test_media_and_art_types(served):
    built, preview = served
    media = built.site.episodes[0].media
    status, headers, body = request(preview, "GET", "/" + media.key)
    assert (status, headers["content-type"]) == (200, "audio/mpeg")
    assert body == media.path.read_bytes() and len(body) == media.size
    status, headers, _ = request(preview, "GET", "/" + built.site.artwork_key)
    assert (status, headers["content-type"]) == (200, "image/jpeg")


def test_byte_ranges_on_audio(served):
    built, preview = served
    media = built.site.episodes[0].media
    data = media.path.read_bytes()
    size = len(data)
    path = "/" + media.key
    status, headers, body = request(preview, "GET", path, {"Range": "bytes=0-99"})
    assert status == 206 and body == data[:100]
    assert headers["content-range"] == f"bytes 0-99/{size}"
    assert headers["content-length"] == "100"
    assert headers["content-type"] == "audio/mpeg"
    status, headers, body = request(preview, "GET", path, {"Range": "bytes=1000-"})
    assert status == 206 and body == data[1000:]
    assert headers["content-range"] == f"bytes 1000-{size - 1}/{size}"
    status, headers, body = request(preview, "GET", path, {"Range": "bytes=-417"})
    assert status == 206 and body == data[-417:]
    status, headers, body = request(preview, "GET", path, {"Range": f"bytes={size}-"})
    assert status == 416 and headers["content-range"] == f"bytes */{size}" and body == b""
    status, headers, body = request(preview, "GET", path, {"Range": "bytes=0-1,5-6"})
    assert status == 416 and headers["content-range"] == f"bytes */{size}"


def test_absurd_ranges_get_416_and_the_connection_stays_open(served):
    """Malformed, multi-range and absurdly long headers: a 416 on a connection that
    still answers the next request (no traceback, no dropped connection)."""
    built, preview = served
    path = "/" + built.site.episodes[0].media.key
    conn = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=30)
    try:
        for header in ABSURD:
            if not header.isascii():
                continue  # http.client refuses to send it; byte_range's table covers it
            conn.request("GET", path, headers={"Range": header})
            response = conn.getresponse()
            assert response.read() == b""
            assert response.status == 416, header[:40]
            assert response.getheader("Content-Range").startswith("bytes */")
        conn.request("GET", path, headers={"Range": "bytes=0-9"})
        response = conn.getresponse()
        assert response.status == 206 and len(response.read()) == 10
    finally:
        conn.close()


def test_an_idle_connection_is_closed(served):
    """A client that connects and sends nothing does not hold a thread forever."""
    import socket

    built, _ = served
    with Preview(built.root, port=0, build=False, idle_timeout=0.5).start() as preview:
        with socket.create_connection(("127.0.0.1", preview.port), timeout=30) as sock:
            assert sock.recv(1024) == b""  # the server closed it; no request was sent


def test_head_sends_headers_without_body(served):
    built, preview = served
    media = built.site.episodes[0].media
    status, headers, body = request(preview, "HEAD", "/" + media.key)
    assert status == 200 and body == b""
    assert int(headers["content-length"]) == media.size
    status, headers, body = request(preview, "HEAD", "/" + media.key, {"Range": "bytes=10-19"})
    assert status == 206 and body == b"" and headers["content-length"] == "10"


def test_folders_redirect_and_missing_files_404(served):
    _, preview = served
    status, headers, _ = request(preview, "GET", "/episodes/first")
    assert status == 301 and headers["location"] == "/episodes/first/"
    assert request(preview, "GET", "/nope.html")[0] == 404
    assert request(preview, "GET", "/episodes/first/index.html?x=1#t=3")[0] == 200


@pytest.mark.parametrize("path", [
    "/../podcast.toml", "/%2e%2e/podcast.toml", "/episodes/../../podcast.toml",
    "/..%2fpodcast.toml", "/.hidden", "/episodes/%2e%2e/%2e%2e/podcast.toml",
])
def test_nothing_outside_feed_is_served(served, path):
    _, preview = served
    status, _, body = request(preview, "GET", path)
    assert status == 404 and b"[show]" not in body


def test_inputs_signature_sees_every_build_input(tmp_path):
    root = make_show(tmp_path, [{"slug": "one"}], artwork="art/cover.jpg")
    copy_templates(root)
    art = root / "art/cover.jpg"
    before = inputs_signature(root, (art,))
    assert inputs_signature(root, (art,)) == before
    for path in (root / "podcast.toml", root / "episodes/one/episode.md",
                 root / "templates/base.html", art):
        path.write_bytes(path.read_bytes() + b"\n")
        after = inputs_signature(root, (art,))
        assert after != before, path
        before = after
    (root / "episodes/one/transcript.vtt").write_text(VTT)  # a new file counts too
    assert inputs_signature(root, (art,)) != before


def test_busy_port_is_a_clear_error(tmp_path):
    root = make_show(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(PodcastError, match=rf"127.0.0.1:{port}: is already in use"):
            Preview(root, port=port, build=False)


@pytest.mark.slow
def test_builds_for_the_preview_url_and_rebuilds_on_change(tmp_path):
    root = make_show(tmp_path, [{"slug": "one", "title": "First title", "master_seconds": 4}])
    copy_templates(root)
    with Preview(root, port=0, interval=0).start() as preview:
        status, _, body = request(preview, "GET", "/episodes/one/")
        assert status == 200
        assert f'<link rel="canonical" href="{preview.url}episodes/one/index.html">'.encode() in body
        assert b"First title" in body
        feed = request(preview, "GET", "/feed.xml")[2]
        assert f'url="{preview.url}media/one-'.encode() in feed
        builds = preview.builds

        # Unchanged inputs: no rebuild.
        request(preview, "GET", "/")
        assert preview.builds == builds

        source = root / "episodes/one/episode.md"
        text = source.read_text()
        source.write_text(text.replace("First title", "Second title"))
        body = request(preview, "GET", "/episodes/one/")[2]
        assert b"Second title" in body and preview.builds == builds + 1

        # A broken input: the page says why; the media still play.
        source.write_text(text.replace("title: First title", "title: [unclosed"))
        status, _, body = request(preview, "GET", "/episodes/one/")
        assert status == 500 and b"episode.md" in body and b"YAML" in body
        assert request(preview, "HEAD", "/style.css")[0] == 200

        # Template edits count too.
        source.write_text(text)
        base = root / "templates/base.html"
        base.write_text(base.read_text().replace("<main id=\"main\">",
                                                 "<main id=\"main\" data-edited=\"yes\">"))
        status, _, body = request(preview, "GET", "/episodes/one/")
        assert status == 200 and b'data-edited="yes"' in body and b"First title" in body


def test_cli_serve_prints_its_address_and_serves(served):
    built, _ = served
    proc = subprocess.Popen([sys.executable, "-m", "podcast", "--root", str(built.root),
                             "serve", "--no-build", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("serving http://127.0.0.1:"), line
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        # The socket listens before the address is printed: no retry is needed.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/feed.xml")
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type") == "application/rss+xml; charset=utf-8"
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
