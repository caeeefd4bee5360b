"""Publishing against a real SeaweedFS server with authentication on.

Each test publishes a synthetic built tree under its own prefix, then looks
at the bucket as the admin and at the public URL as an anonymous listener.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from podcast.errors import FeedError, LockHeldError, PublishError
from podcast.publish import manifest as mf
from podcast.publish import PublishOptions, publish_tree
from podcast.publish.client import Target
from tests.s3server import S3Server, make_tree, media_name, wait_until_older

pytestmark = pytest.mark.s3

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def site(s3_server, tmp_path):
    """(target, public base URL, tree folder, publish function) on a fresh prefix."""
    target = s3_server.target()
    base = s3_server.public_url(target)
    out = make_tree(tmp_path / "feed", base)

    def run(target=target, on_bytes=None, **options):
        return publish_tree(out, target, PublishOptions(**options), public_url=base,
                            cache_dir=tmp_path / "cache", on_bytes=on_bytes)
    return target, base, out, run


def anon(url: str, method: str = "GET", headers: dict | None = None):
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, b""


def stamps(server: S3Server, target: Target) -> dict[str, tuple]:
    return {k: (h["ETag"], h["LastModified"]) for k, h in server.objects(target).items()}


def test_first_publish_uploads_everything_and_listeners_get_it(s3_server, site):
    target, base, out, run = site
    result = run()
    local = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert sorted(result.applied.uploaded) == local
    assert {u.reason for u in result.plan.uploads} == {"new"}
    assert result.verified and result.problems == []
    # feed.xml went up after everything it references, the manifest after it.
    assert result.applied.uploaded[-1] == "feed.xml"
    assert result.applied.uploaded[0].startswith("media/")

    heads = s3_server.objects(target)
    assert set(heads) == set(local) | {mf.NAME}  # the lock is gone

    status, headers, body = anon(base + "feed.xml")
    assert status == 200
    assert headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert "max-age=300" in headers["Cache-Control"]
    assert body == (out / "feed.xml").read_bytes()
    for n in (1, 2, 3):
        url = base + media_name(n)
        size = (out / media_name(n)).stat().st_size
        status, headers, _ = anon(url, "HEAD")
        assert status == 200
        assert headers["Content-Length"] == str(size)
        assert headers["Content-Type"] == "audio/mpeg"
        assert "immutable" in headers["Cache-Control"]
        status, headers, part = anon(url, headers={"Range": "bytes=100-199"})
        assert status == 206 and len(part) == 100
        assert headers["Content-Range"] == f"bytes 100-199/{size}"
        assert part == (out / media_name(n)).read_bytes()[100:200]
    assert anon(base + "episodes/ep1/chapters.json", "HEAD")[1]["Content-Type"] == \
        "application/json+chapters"
    assert anon(base + "episodes/ep1/transcript.vtt", "HEAD")[1]["Content-Type"] == "text/vtt"
    assert anon(base + "episodes/ep1/index.html", "HEAD")[1]["Content-Type"] == \
        "text/html; charset=utf-8"
    # Listeners may read, never write.
    assert anon(base + "feed.xml", "PUT")[0] == 403


def test_second_publish_uploads_nothing(s3_server, site, monkeypatch):
    target, base, out, run = site
    run()
    before = stamps(s3_server, target)
    import podcast.publish as publish_module
    calls = []
    real = publish_module.make_client

    def counting_client(*a, **kw):
        client = real(*a, **kw)
        client.meta.events.register(
            "before-call.s3", lambda model, **_: calls.append(model.name))
        return client
    monkeypatch.setattr(publish_module, "make_client", counting_client)
    result = run()
    # No lock, no manifest: only reads (manifest GET, one listing).
    assert sorted(calls) == ["GetObject", "ListObjectsV2"]
    assert result.applied.uploaded == [] and result.plan.uploads == ()
    assert len(result.plan.unchanged) == len(before) - 1
    assert stamps(s3_server, target) == before  # not even the manifest was rewritten


def test_editing_notes_reuploads_that_page_the_feed_and_the_manifest(s3_server, site):
    target, base, out, run = site
    run()
    before = stamps(s3_server, target)
    make_tree(out, base, notes={2: "Act on your instincts."})
    result = run()
    assert {u.key: u.reason for u in result.plan.uploads} == {
        "episodes/ep2/index.html": "changed", "feed.xml": "changed"}
    after = stamps(s3_server, target)
    assert {k for k in after if after[k] != before.get(k)} == {
        "episodes/ep2/index.html", "feed.xml", mf.NAME, mf.REPLACED_FEED}


def test_dry_run_changes_nothing(s3_server, site):
    target, base, out, run = site
    result = run(dry_run=True)
    assert len(result.plan.uploads) == 17 and result.applied.uploaded == []
    assert s3_server.objects(target) == {}
    run()
    before = stamps(s3_server, target)
    make_tree(out, base, notes={1: "New notes."}, versions={3: 1})
    result = run(dry_run=True, prune=True, allow_feed_changes=True)
    assert {u.key for u in result.plan.uploads} == {
        "episodes/ep1/index.html", "feed.xml", media_name(3, 1)}
    assert stamps(s3_server, target) == before


def test_listener_check_reports_a_wrong_length(s3_server, site):
    target, base, out, run = site
    feed = out / "feed.xml"
    size = (out / media_name(2)).stat().st_size
    feed.write_bytes(feed.read_bytes().replace(f'length="{size}"'.encode(),
                                               f'length="{size + 1}"'.encode()))
    result = run()
    assert len(result.problems) == 1
    assert media_name(2) in result.problems[0]
    assert f"Content-Length is {size}, the feed says {size + 1}" in result.problems[0]


def test_listener_check_opens_every_page_link_of_feed_and_sitemap(s3_server, site):
    """SeaweedFS, like S3's REST endpoint, serves no index documents: folder links fail."""
    target, base, out, run = site
    result = run()
    assert result.problems == []
    make_tree(out, base, pretty=True)  # links as [publish] pretty_urls would write them
    result = run()
    folders = [base] + [f"{base}episodes/ep{n}/" for n in (1, 2, 3)]
    assert sorted(p.split(": ")[0] for p in result.problems) == sorted(folders)
    # SeaweedFS answers a folder 200 with application/x-directory, S3 a 404 or 403.
    assert all("a page link answered" in p and "pretty_urls = true only for" in p
               for p in result.problems)
    make_tree(out, base)
    (out / "episodes/ep2/index.html").unlink()  # a page feed and sitemap name is missing
    result = run(prune=True)
    assert [p.split(": ")[0] for p in result.problems] == [f"{base}episodes/ep2/index.html"]


def test_concurrent_publish_is_refused(s3_server, site):
    target, base, out, run = site
    make_tree(out, base, big={1: 20 << 20})
    started, release = threading.Event(), threading.Event()
    errors = []

    def slow(n):  # the first publish pauses mid-upload
        started.set()
        release.wait(30)

    def first():
        try:
            run(on_bytes=slow, verify=False)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert started.wait(30)
        with pytest.raises(LockHeldError) as info:
            run()
        message = str(info.value)
        assert "another publish holds the lock" in message and "since" in message
        assert f"(pid {os.getpid()})" in message and "--break-lock" in message
    finally:
        release.set()
        thread.join(60)
    assert errors == []
    assert run().applied.uploaded == []


def test_a_stale_lock_is_broken_only_on_request(s3_server, site):
    target, base, out, run = site
    client = s3_server.client()
    client.put_object(Bucket=target.bucket, Key=target.prefix + mf.LOCK_NAME,
                      Body=json.dumps({"holder": "ops@build-7 (pid 4242)", "host": "build-7",
                                       "pid": 4242, "since": "2026-01-01T00:00:00+00:00"}))
    with pytest.raises(LockHeldError, match=r"ops@build-7 \(pid 4242\) since 2026-01-01"):
        run()
    assert set(s3_server.objects(target)) == {mf.LOCK_NAME}
    wait_until_older(client, target.bucket, target.prefix + mf.LOCK_NAME)
    result = run(break_lock=True)
    assert "feed.xml" in result.applied.uploaded
    assert mf.LOCK_NAME not in s3_server.objects(target)


def test_prune_keeps_what_the_live_or_the_replaced_feed_references(s3_server, site):
    target, base, out, run = site
    run()
    client = s3_server.client()
    client.put_object(Bucket=target.bucket, Key=target.prefix + "junk.html", Body=b"old")
    make_tree(out, base, versions={1: 1})  # episode 1 re-mastered: a new media key
    result = run(prune=True, allow_feed_changes=True)
    assert media_name(1, 1) in result.applied.uploaded
    # The replaced feed still points at the old file (apps and caches hold it): kept.
    assert result.applied.deleted == ["junk.html"]
    assert media_name(1, 0) in result.plan.kept
    kept_feed = client.get_object(Bucket=target.bucket,
                                  Key=target.prefix + mf.REPLACED_FEED)["Body"].read()
    assert media_name(1, 0).encode() in kept_feed and media_name(1, 1).encode() not in kept_feed
    # Nothing changed since: the feed the live one replaced still names it.
    result = run(prune=True)
    assert result.applied.deleted == [] and media_name(1, 0) in result.plan.kept
    make_tree(out, base, versions={1: 2})  # re-mastered again
    result = run(prune=True, allow_feed_changes=True)
    # Named neither by the live feed (v2) nor by the feed it replaced (v1): gone.
    assert result.applied.deleted == [media_name(1, 0)]
    objects = set(s3_server.objects(target))
    assert {media_name(1, 1), media_name(1, 2), mf.REPLACED_FEED} <= objects
    assert media_name(1, 0) not in objects
    for n in (2, 3):
        assert media_name(n) in objects


def test_a_retag_is_shown_and_allowed_and_served_as_immutable(s3_server, site):
    target, base, out, run = site
    run()
    make_tree(out, base, retags={2: 1})  # an edited title: same audio, new bytes, new key
    result = run(dry_run=True)
    (moved,) = result.plan.moved
    assert "same audio at a new URL" in moved
    assert f"{base}{media_name(2)} -> {base}{media_name(2, retag=1)}" in moved
    result = run()  # no --allow-feed-changes needed
    assert media_name(2, retag=1) in result.applied.uploaded and result.problems == []
    status, headers, _ = anon(base + media_name(2, retag=1), "HEAD")
    assert status == 200 and "immutable" in headers["Cache-Control"]
    # Stays until a prune finds it named by neither feed (the replaced feed names it).
    assert media_name(2) in s3_server.objects(target)


def test_a_feed_that_would_break_subscribers_is_refused(s3_server, site):
    target, base, out, run = site
    run()
    before = stamps(s3_server, target)
    make_tree(out, base, episodes=2)  # episode 3 vanished from the feed
    with pytest.raises(FeedError, match="would break subscribers.*--allow-feed-changes"):
        run()
    assert stamps(s3_server, target) == before
    result = run(allow_feed_changes=True)
    assert "feed.xml" in result.applied.uploaded


def test_max_deletes_caps_prune(s3_server, site):
    target, base, out, run = site
    run()
    client = s3_server.client()
    for i in range(3):
        client.put_object(Bucket=target.bucket, Key=f"{target.prefix}old{i}.html", Body=b"x")
    result = run(prune=True, max_deletes=2)
    assert result.applied.deleted == [] and result.plan.over_cap
    assert {f"old{i}.html" for i in range(3)} <= set(s3_server.objects(target))
    assert run(prune=True, max_deletes=3).applied.deleted == [f"old{i}.html" for i in range(3)]


def test_missing_bucket_and_unreachable_endpoint(s3_server, site, tmp_path):
    target, base, out, run = site
    nobucket = Target(bucket="no-such-bucket", endpoint_url=s3_server.endpoint,
                      credentials=s3_server.credentials)
    with pytest.raises(PublishError, match="bucket 'no-such-bucket' does not exist"):
        run(target=nobucket)
    from podcast.publish.local import Ports
    dead = Target(bucket="podcast", endpoint_url=f"http://127.0.0.1:{Ports.free().s3}",
                  credentials=s3_server.credentials)
    with pytest.raises(PublishError, match="cannot reach .*run publish again"):
        run(target=dead)


KILLER = r"""
import os, signal, sys
from pathlib import Path
from podcast.errors import PodcastError
from podcast.publish import PublishOptions, publish_tree
from podcast.publish.client import Target, make_client
out, endpoint, bucket, prefix, base, cache, pid = sys.argv[1:8]
access, secret = os.environ["TEST_KEYS"].split(":", 1)
target = Target(bucket=bucket, prefix=prefix, endpoint_url=endpoint, credentials=(access, secret))
watcher = make_client(target)
sent, due = [0], [20 << 20]
def on_bytes(n):
    sent[0] += n
    if sent[0] > due[0] and pid:
        due[0] = sent[0] + (1 << 20)  # look again after another MB
        # Once a small file has really arrived (stored, listed), the server dies in the
        # middle of the big one: a loaded machine must not kill it before anything landed.
        listed = watcher.list_objects_v2(Bucket=bucket, Prefix=prefix + "media/")
        if listed.get("KeyCount", 0) >= 1:
            os.kill(int(pid), signal.SIGKILL)
            globals()["pid"] = ""
try:
    publish_tree(Path(out), target, PublishOptions(jobs=2), public_url=base,
                 cache_dir=Path(cache), on_bytes=on_bytes)
except PodcastError as exc:
    print(exc.format(), file=sys.stderr)
    sys.exit(1)
"""


@pytest.mark.slow
def test_server_killed_mid_publish_then_rerun_completes(tmp_path):
    server = S3Server(tmp_path / "srv").start()
    try:
        target = server.target()
        base = server.public_url(target)
        out = make_tree(tmp_path / "feed", base, episodes=3, big={2: 60 << 20})
        env = {**os.environ, "TEST_KEYS": ":".join(server.credentials)}
        proc = subprocess.run([sys.executable, "-c", KILLER, str(out), server.endpoint,
                               server.bucket, target.prefix, base, str(tmp_path / "cache"),
                               str(server.proc.pid)], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 1, proc.stderr
        assert "cannot reach http://127.0.0.1:" in proc.stderr
        assert "run publish again: only what is missing is uploaded" in proc.stderr
        assert server.credentials[1] not in proc.stderr + proc.stdout
        server.proc.wait(10)

        server.start()  # same data folder, same ports
        there = set(server.objects(target))
        assert "feed.xml" not in there  # listeners never saw a feed without its media
        assert mf.LOCK_NAME in there  # left by the dead run
        result = publish_tree(out, target, public_url=base, cache_dir=tmp_path / "cache")
        uploaded = set(result.applied.uploaded)
        assert "feed.xml" in uploaded and not (uploaded & there)
        assert result.problems == []
        assert result.plan.unchanged  # what arrived before the crash was kept
        assert publish_tree(out, target, public_url=base,
                            cache_dir=tmp_path / "cache").applied.uploaded == []
    finally:
        server.stop()
