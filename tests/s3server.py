"""A real SeaweedFS S3 server for the tests, on 127.0.0.1 with free ports.

Authentication is on: an admin identity with random keys, and an
``anonymous`` identity that may only read the bucket (listeners). One
server serves the whole session (``s3_server`` fixture); tests that kill the
server start their own with ``S3Server(tmp_path).start()``.
"""

from __future__ import annotations

import atexit
import json
import secrets
import time
import uuid
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from podcast.publish import local
from podcast.publish.client import Target, make_client


class S3Server:
    def __init__(self, folder: Path, bucket: str = "podcast"):
        self.folder = Path(folder)
        self.bucket = bucket
        self.credentials = ("TEST" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30))
        self.ports = local.Ports.free()
        self.proc = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports.s3}"

    def start(self) -> "S3Server":
        config = self.folder / "s3.json"
        local.write_private(config, json.dumps(
            local.s3_config(self.bucket, *self.credentials)).encode())
        log_path = self.folder / "server.log"
        self.proc = local.spawn(self.folder / "data", self.ports, config, self.bucket, log_path)
        local.wait_ready(self.proc, self.endpoint, self.bucket, self.credentials, log_path)
        return self

    def kill(self) -> None:
        """SIGKILL: the server dies as a crashed host would."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except Exception:
                self.kill()

    def target(self, prefix: str | None = None, **kw) -> Target:
        """A fresh prefix per test keeps tests independent on one server."""
        if prefix is None:
            prefix = f"t-{uuid.uuid4().hex[:8]}/"
        return Target(bucket=self.bucket, prefix=prefix, endpoint_url=self.endpoint,
                      credentials=self.credentials, **kw)

    def public_url(self, target: Target) -> str:
        return f"{self.endpoint}/{self.bucket}/{target.prefix}"

    def client(self):
        return make_client(self.target(""))

    def objects(self, target: Target) -> dict[str, dict]:
        """key (relative to the prefix) -> head_object answer."""
        c = self.client()
        out = {}
        for page in c.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                              Prefix=target.prefix):
            for obj in page.get("Contents", ()):
                out[obj["Key"][len(target.prefix):]] = c.head_object(Bucket=self.bucket,
                                                                     Key=obj["Key"])
        return out


_SHARED: dict[str, S3Server] = {}


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> S3Server:
    """The session's server (started once even if several modules import this)."""
    if "server" not in _SHARED:
        server = S3Server(tmp_path_factory.mktemp("seaweedfs")).start()
        atexit.register(server.stop)
        _SHARED["server"] = server
    return _SHARED["server"]


def wait_until_older(client, bucket: str, key: str) -> None:
    """Until the server's clock has passed the second the lock was written in:
    --break-lock leaves alone a lock written when or after a run arrived.

    The one wait in the tests: SeaweedFS's clock, in another process, reads in whole
    seconds (Last-Modified, Date) and cannot be frozen from here. It polls the
    server's own Date header, so it ends as soon as the second turns."""
    written = client.head_object(Bucket=bucket, Key=key)["LastModified"]
    for _ in range(100):
        answer = client.list_objects_v2(Bucket=bucket, Prefix=key, MaxKeys=1)
        if parsedate_to_datetime(answer["ResponseMetadata"]["HTTPHeaders"]["date"]) > written:
            return
        time.sleep(0.05)
    raise AssertionError("the server's clock did not move")


# ---- a synthetic built tree (no audio pipeline needed) ----------------------------

FEED_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel><title>Code Severe</title><link>{base}{home}</link>
<itunes:image href="{base}artwork/cover-1a2b3c.jpg"/>
<image><url>{base}artwork/cover-1a2b3c.jpg</url><title>Code Severe</title><link>{base}{home}</link></image>
{items}
</channel></rss>
"""

ITEM_TEMPLATE = """<item><title>Episode {n}</title><guid isPermaLink="false">{guid}</guid>
<link>{base}episodes/ep{n}/{home}</link>
<description>{notes}</description>
<enclosure url="{base}{media}" length="{size}" type="audio/mpeg"/>
<podcast:chapters url="{base}episodes/ep{n}/chapters.json" type="application/json+chapters"/>
<podcast:transcript url="{base}episodes/ep{n}/transcript.vtt" type="text/vtt"/>
</item>"""


MEDIA_BYTES = 40_000


def _media_bytes(n: int, version: int = 0, retag: int = 0, size: int | None = None) -> bytes:
    """Episode ``n``'s audio file: ``version`` names the audio, ``retag`` its tags."""
    import random

    rng = random.Random(f"{n}-{version}-{retag}")
    return rng.randbytes(MEDIA_BYTES + n if size is None else size)


def media_name(n: int, version: int = 0, retag: int = 0, size: int | None = None) -> str:
    """Its content-addressed key, as model.media_key forms it: the audio, then the bytes."""
    import hashlib

    digest = hashlib.sha256(_media_bytes(n, version, retag, size)).hexdigest()
    return f"media/ep{n}-{version:012x}-{digest[:8]}.mp3"


def make_tree(out: Path, base: str, episodes: int = 3, media_bytes: int = MEDIA_BYTES,
              versions: dict[int, int] | None = None, notes: dict[int, str] | None = None,
              big: dict[int, int] | None = None, retags: dict[int, int] | None = None,
              pretty: bool = False) -> Path:
    """Write a built-looking feed/ tree whose feed.xml points at ``base``.

    ``versions``: episode -> media version (a re-mastered file gets a new key);
    ``retags``: episode -> tag version (same audio, new bytes: a new key too);
    ``notes``: episode -> page text; ``big``: episode -> media size in bytes;
    ``pretty``: page links by their folder (as with [publish] pretty_urls).
    """
    home = "" if pretty else "index.html"
    versions, notes, big, retags = versions or {}, notes or {}, big or {}, retags or {}
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {
        "artwork/cover-1a2b3c.jpg": b"\xff\xd8\xff\xe0" + bytes(2000),
        "style.css": b"body { font-family: sans-serif }\n",
        "index.html": b"<!doctype html><title>Code Severe</title>\n",
        "sitemap.xml": b"<?xml version='1.0'?><urlset/>\n",
    }
    items = []
    for n in range(1, episodes + 1):
        size = big.get(n, media_bytes + n)
        args = (n, versions.get(n, 0), retags.get(n, 0), size)
        media = media_name(*args)
        files[media] = _media_bytes(*args)
        files[f"episodes/ep{n}/index.html"] = (
            f"<!doctype html><title>Episode {n}</title><p>{notes.get(n, 'Notes.')}</p>\n"
        ).encode()
        files[f"episodes/ep{n}/chapters.json"] = (
            b'{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Open"}]}')
        files[f"episodes/ep{n}/transcript.vtt"] = b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"
        items.append(ITEM_TEMPLATE.format(n=n, base=base, media=media, size=size,
                                          notes=notes.get(n, "Notes."), home=home,
                                          guid=uuid.uuid5(uuid.NAMESPACE_URL, f"ep{n}")))
    locs = [f"{base}{home}"] + [f"{base}episodes/ep{n}/{home}" for n in range(1, episodes + 1)]
    files["sitemap.xml"] = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{loc}</loc></url>" for loc in locs) + "</urlset>\n").encode()
    files["feed.xml"] = FEED_TEMPLATE.format(base=base, items="\n".join(items),
                                             home=home).encode()
    for key, data in files.items():
        path = out / key
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    # Like podcast build: nothing else stays in the tree.
    for path in sorted(out.rglob("*"), reverse=True):
        key = path.relative_to(out).as_posix()
        if path.is_file() and key not in files:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return out
