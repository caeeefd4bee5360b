"""The publish planner as tables: local/remote states -> uploads with reasons, deletes."""

from __future__ import annotations

import pytest

from podcast.feed.reader import keys_for, read_feed
from podcast.publish import manifest as mf
from podcast.publish.kinds import kind_of
from podcast.publish.plan import (
    CHANGED,
    HEADERS,
    MISSING,
    NEW,
    RESIZED,
    UNKNOWN,
    LocalFile,
    make_plan,
    needs_probe,
)

A, B = "a" * 64, "b" * 64


def entry(key: str, sha: str = A, size: int = 10) -> mf.Entry:
    k = kind_of(key)
    return mf.Entry(sha, size, k.content_type, k.cache_control)


# (local {key: (size, sha)}, manifest {key: (size, sha)}, remote {key: size}, expected reason)
CASES = [
    ("new everywhere", {"x.html": (10, A)}, {}, {}, NEW),
    ("identical", {"x.html": (10, A)}, {"x.html": (10, A)}, {"x.html": 10}, None),
    ("content changed", {"x.html": (10, B)}, {"x.html": (10, A)}, {"x.html": 10}, CHANGED),
    ("deleted by hand", {"x.html": (10, A)}, {"x.html": (10, A)}, {}, MISSING),
    ("truncated remotely", {"x.html": (10, A)}, {"x.html": (10, A)}, {"x.html": 7}, RESIZED),
    ("no manifest, object there", {"x.html": (10, A)}, {}, {"x.html": 10}, UNKNOWN),
    ("no manifest, object absent", {"x.html": (10, A)}, {}, {}, NEW),
]


@pytest.mark.parametrize("name,local,manifest,remote,reason", CASES, ids=[c[0] for c in CASES])
def test_reasons(name, local, manifest, remote, reason):
    plan = make_plan({k: LocalFile(*v) for k, v in local.items()},
                     {k: entry(k, v[1], v[0]) for k, v in manifest.items()}, remote)
    got = {u.key: u.reason for u in plan.uploads}
    assert got == ({} if reason is None else {"x.html": reason})
    assert plan.unchanged == (() if reason else ("x.html",))


def test_headers_changed_is_an_upload():
    stale = mf.Entry(A, 10, "text/html", "no-cache")
    plan = make_plan({"x.html": LocalFile(10, A)}, {"x.html": stale}, {"x.html": 10})
    assert [(u.key, u.reason) for u in plan.uploads] == [("x.html", HEADERS)]


def test_probed_hash_beats_a_stale_manifest():
    """A run that died before writing the manifest: the object's own hash says it is there."""
    local = {"media/e.mp3": LocalFile(10, B), "feed.xml": LocalFile(5, A)}
    manifest = {"media/e.mp3": entry("media/e.mp3", A)}
    remote = {"media/e.mp3": 10}
    assert needs_probe(local, manifest, remote) == ["media/e.mp3"]
    plan = make_plan(local, manifest, remote, probed={"media/e.mp3": entry("media/e.mp3", B)})
    assert [(u.key, u.reason) for u in plan.uploads] == [("feed.xml", NEW)]
    plan = make_plan(local, manifest, remote, probed={"media/e.mp3": None})
    assert {u.key: u.reason for u in plan.uploads} == {"media/e.mp3": UNKNOWN,
                                                       "feed.xml": NEW}


def test_order_media_assets_pages_feed():
    keys = ["feed.xml", "index.html", "episodes/a/index.html", "episodes/a/chapters.json",
            "episodes/a/transcript.vtt", "artwork/c.jpg", "media/a.mp3", "style.css",
            "sitemap.xml", "pagefind/pagefind-entry.json", "pagefind/index/en_1.pf_index"]
    plan = make_plan({k: LocalFile(1, A) for k in keys}, {}, {})
    order = [u.key for u in plan.uploads]
    assert order[0] == "media/a.mp3" and order[-1] == "feed.xml"
    assert [g for g, _ in plan.groups()] == ["media", "assets", "pages", "feed"]
    pos = {k: i for i, k in enumerate(order)}
    for asset in ("episodes/a/chapters.json", "episodes/a/transcript.vtt", "artwork/c.jpg",
                  "style.css", "pagefind/index/en_1.pf_index"):
        assert pos["media/a.mp3"] < pos[asset] < pos["index.html"]
    # The search entry names the index files: after them, and cached like a page.
    assert pos["pagefind/index/en_1.pf_index"] < pos["pagefind/pagefind-entry.json"]
    assert kind_of("pagefind/pagefind-entry.json").cache_control == "public, max-age=300"


# (remote stale keys, referenced keys, prune, cap, expected deletes, over cap)
DELETES = [
    ("no prune: nothing deleted", ["old.mp3"], [], False, 25, (), False),
    ("prune deletes stale", ["old.mp3"], [], True, 25, ("old.mp3",), False),
    ("referenced never deleted", ["old.mp3", "x.mp3"], ["old.mp3"], True, 25, ("x.mp3",), False),
    ("over the cap", ["a", "b", "c"], [], True, 2, ("a", "b", "c"), True),
    ("at the cap", ["a", "b"], [], True, 2, ("a", "b"), False),
]


@pytest.mark.parametrize("name,stale,referenced,prune,cap,deletes,over", DELETES,
                         ids=[d[0] for d in DELETES])
def test_deletes(name, stale, referenced, prune, cap, deletes, over):
    local = {"feed.xml": LocalFile(5, A)}
    remote = {"feed.xml": 5, **{k: 1 for k in stale}}
    plan = make_plan(local, {"feed.xml": entry("feed.xml", A, 5)}, remote, prune=prune,
                     max_deletes=cap, referenced=set(referenced))
    assert plan.deletes == deletes
    assert plan.over_cap is over
    assert set(plan.kept) == set(stale) - set(deletes)
    assert plan.uploads == ()


def test_manifest_after_apply_keeps_kept_stale_entries():
    manifest = {"feed.xml": entry("feed.xml"), "old.mp3": entry("old.mp3")}
    plan = make_plan({"feed.xml": LocalFile(10, B)}, manifest, {"feed.xml": 10, "old.mp3": 10})
    assert set(plan.manifest) == {"feed.xml", "old.mp3"}
    assert plan.manifest["feed.xml"].sha256 == B
    pruned = make_plan({"feed.xml": LocalFile(10, B)}, manifest,
                       {"feed.xml": 10, "old.mp3": 10}, prune=True)
    assert set(pruned.manifest) == {"feed.xml"}


def test_manifest_round_trip_and_damage():
    entries = {"feed.xml": entry("feed.xml"), "media/a.mp3": entry("media/a.mp3", B, 99)}
    assert mf.loads(mf.dumps(entries), "m") == entries
    assert mf.loads(None, "m") == {}
    with pytest.raises(mf.PublishError, match="manifest cannot be read.*Delete that object"):
        mf.loads(b'{"version": 99}', "s3://b/.podcast-manifest.json")


SHA = "89abcdef" + "0" * 56
KEYED = "media/multiple-bombings-0123456789ab-89abcdef.mp3"  # names the bytes SHA


@pytest.mark.parametrize("key,ctype,immutable", [
    (KEYED, "audio/mpeg", True),
    ("media/ep1-0123.mp3", "audio/mpeg", False),  # no content hash in the name
    ("media/multiple-bombings-0123456789ab-00000000.mp3", "audio/mpeg", False),  # wrong one
    ("feed.xml", "application/rss+xml; charset=utf-8", False),
    ("episodes/a/index.html", "text/html; charset=utf-8", False),
    ("episodes/a/chapters.json", "application/json+chapters", False),
    ("episodes/a/transcript.vtt", "text/vtt", False),
    ("episodes/a/transcript.srt", "application/x-subrip", False),
    ("artwork/cover-12ab.jpg", "image/jpeg", False),
    ("artwork/cover.png", "image/png", False),
    ("style.css", "text/css; charset=utf-8", False),
    ("feed.xsl", "text/xsl; charset=utf-8", False),
    ("sitemap.xml", "application/xml; charset=utf-8", False),
])
def test_kinds(key, ctype, immutable):
    """Only a key that names its exact bytes is immutable; the rest a day at most,
    the feed and pages five minutes."""
    kind = kind_of(key, SHA)
    assert kind.content_type == ctype
    assert ("immutable" in kind.cache_control) is immutable
    max_age = int(kind.cache_control.split("max-age=")[1].split(",")[0])
    assert max_age == 31536000 if immutable else max_age <= 86400
    if key == "feed.xml" or key.endswith(".html"):
        assert max_age == 300
    assert "immutable" not in kind_of(key).cache_control  # no hash given: never


def test_feed_references_become_keys():
    xml = b"""<rss xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
      xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>
      <itunes:image href="https://cdn.example.org/show/art/c.jpg"/>
      <item><enclosure url="https://cdn.example.org/show/media/a%20b.mp3" length="12"
        type="audio/mpeg"/><podcast:chapters url="https://cdn.example.org/show/e/ch.json"/>
        <podcast:transcript url="http://other.example.org/show/e/t.vtt"/></item>
      <item><enclosure url="https://elsewhere.example.org/x.mp3" length="1" type="audio/mpeg"/>
      </item></channel></rss>"""
    refs = read_feed(xml)
    assert refs.enclosures[0].length == 12
    assert keys_for(refs.urls, "https://cdn.example.org/show/") == {
        "art/c.jpg", "media/a b.mp3", "e/ch.json", "e/t.vtt"}


def test_storage_without_conditional_writes_publishes_without_a_lock(caplog):
    """Older MinIO/B2 answer 501 to If-None-Match: SeaweedFS cannot, so botocore's Stubber."""
    from botocore.stub import Stubber

    from podcast.publish.client import Target, make_client
    from podcast.publish.lock import Lock

    client = make_client(Target(bucket="b", endpoint_url="http://127.0.0.1:9",
                                credentials=("AK", "SK")))
    with Stubber(client) as stub:
        stub.add_client_error("put_object", service_error_code="NotImplemented",
                              http_status_code=501)
        lock = Lock(client, "b", "show/.podcast-lock.json")
        lock.acquire()
        assert not lock.held
        lock.release()  # nothing to remove
    assert "does not support conditional writes" in caplog.text
