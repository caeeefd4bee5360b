"""Build records: their JSON contract, the lookup's trust rule and requests (on the
real SeaweedFS), the plan's view of media that stays in the bucket, and shards."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from podcast.errors import OptionError, RecordError
from podcast.model import Alternate, Cut, MediaRecord, Timeline
from podcast.publish import manifest as mf
from podcast.publish.kinds import IMMUTABLE
from podcast.publish.plan import LocalFile, make_plan
from podcast.publish.records import (
    Records,
    dumps_media,
    forget,
    loads_media,
    media_name,
)
from podcast.publish.shards import parse, share

H1, H2, H3 = "1" * 64, "2" * 64, "3" * 64
T1, T2 = "a" * 64, "b" * 64


def record(audiohash=H1, tagdigest=T1, key=None, size=100, alternates=()) -> MediaRecord:
    key = key or f"media/ep-{audiohash[:12]}-{'c' * 8}.mp3"
    return MediaRecord(audiohash, tagdigest, key, size, "c" * 64, 4.2,
                       {"format": 1, "audiohash": audiohash, "master": "episodes/ep/master.wav"},
                       Timeline(1.5, (Cut(10.0, 12.0),)), alternates)


OPUS = Alternate(key=f"media/ep-{H1[:12]}-dddddddd.opus", path=None, size=50, mime="audio/ogg",
                 codecs="opus", bitrate=64000, title="Opus 64 kbps", integrity="sha384-x",
                 report={"integrated": -16.0, "true_peak": -1.2}, sha256="d" * 64)


def test_a_record_round_trips_as_the_same_bytes():
    rec = record(alternates=(OPUS,))
    data = dumps_media(rec)
    assert loads_media(data, media_name(H1, T1)) == rec
    assert dumps_media(loads_media(data, media_name(H1, T1))) == data
    doc = json.loads(data)
    assert doc["version"] == 1 and doc["timeline"] == {"offset": 1.5, "cuts": [[10.0, 12.0]]}


@pytest.mark.parametrize("change,problem", [
    (lambda d: d.update(version=2), "version 2"),
    (lambda d: d.pop("sha256"), "sha256"),
    (lambda d: d.update(tagdigest=T2), "does not describe what its name says"),
    (lambda d: d.update(key="/etc/passwd"), "does not describe what its name says"),
])
def test_a_record_this_version_cannot_trust_is_an_error(change, problem):
    doc = json.loads(dumps_media(record()))
    change(doc)
    with pytest.raises(RecordError, match=problem):
        loads_media(json.dumps(doc).encode(), media_name(H1, T1))


# ---- on the real server ---------------------------------------------------------------

@pytest.fixture
def bucket(s3_server):
    """(target, admin client, put(key, body)) on a fresh prefix."""
    target = s3_server.target()
    client = s3_server.client()

    def put(key: str, body: bytes) -> None:
        client.put_object(Bucket=s3_server.bucket, Key=target.prefix + key, Body=body)
    return target, client, put


def counted(client) -> list[str]:
    calls: list[str] = []
    client.meta.events.register("before-call.s3", lambda model, **_: calls.append(model.name))
    return calls


@pytest.mark.s3
def test_one_listing_then_only_the_records_needed(bucket):
    target, client, put = bucket
    for h in (H1, H2, H3):
        rec = record(h)
        put(rec.key, bytes(100))
        put(media_name(h, T1), dumps_media(rec))
    put("feed.xml", b"<rss/>")
    calls = counted(client)
    records = Records.load(client, target)
    assert calls == ["ListObjectsV2"]
    assert set(records.objects) == {"feed.xml"} | {record(h).key for h in (H1, H2, H3)}
    records.prefetch([H1, H2, "9" * 64])
    assert records.any_media(H1) == record(H1) and records.media(H2, T1) == record(H2)
    assert records.media(H2, T2) is None and records.any_media("9" * 64) is None
    assert sorted(calls) == ["GetObject", "GetObject", "ListObjectsV2"]


@pytest.mark.s3
def test_a_record_is_trusted_only_while_its_objects_are_listed_with_its_sizes(bucket):
    target, client, put = bucket
    missing, resized, fine = record(H1), record(H2), record(H3, alternates=())
    put(resized.key, bytes(99))
    put(fine.key, bytes(100))
    for rec in (missing, resized, fine):
        put(media_name(rec.audiohash, rec.tagdigest), dumps_media(rec))
    put(media_name(H3, T2), b"{not json")
    records = Records.load(client, target)
    with pytest.raises(RecordError, match=f"names {missing.key}, which is missing"):
        records.any_media(H1)
    with pytest.raises(RecordError, match="has 99 bytes, not 100"):
        records.any_media(H2)
    assert records.any_media(H3) == fine  # the newest can't be read: the next one serves
    with pytest.raises(RecordError, match="cannot be read"):
        records.media(H3, T2)


@pytest.mark.s3
def test_a_prune_forgets_only_the_records_of_deleted_media(bucket):
    target, client, put = bucket
    kept, gone = record(H1), record(H2)
    for rec in (kept, gone):
        put(media_name(rec.audiohash, rec.tagdigest), dumps_media(rec))
    assert forget(client, target, [gone.key, "episodes/ep/index.html"]) == [
        media_name(H2, T1)]
    left = Records.load(client, target).listing.media
    assert set(left) == {H1}


# ---- the plan: media that stays in the bucket -------------------------------------

def test_vouched_media_is_unchanged_kept_in_the_manifest_and_never_stale():
    key = f"media/ep-{H1[:12]}-{'c' * 8}.mp3"
    vouched = {key: LocalFile(100, "c" * 64)}
    local = {"feed.xml": LocalFile(5, T1)}
    remote = {key: 100, "feed.xml": 5, "media/old-000000000000-00000000.mp3": 7}
    plan = make_plan(local, {}, remote, prune=True, vouched=vouched)
    assert key in plan.unchanged and key not in plan.deletes + plan.kept
    assert [u.key for u in plan.uploads] == ["feed.xml"]
    assert plan.deletes == ("media/old-000000000000-00000000.mp3",)
    assert plan.manifest[key] == mf.Entry("c" * 64, 100, "audio/mpeg", IMMUTABLE)


# ---- shards ------------------------------------------------------------------------

def test_shards_split_the_episodes_stably_and_without_overlap():
    episodes = [SimpleNamespace(guid=f"guid-{n}") for n in range(40)]
    parts = [share(episodes, (i, 3)) for i in (1, 2, 3)]
    assert sorted(e.guid for p in parts for e in p) == sorted(e.guid for e in episodes)
    assert all(parts)  # 40 episodes leave no share empty
    # An episode stays in its share whatever else comes or goes.
    assert share(episodes[:10], (2, 3)) == [e for e in parts[1] if e in episodes[:10]]
    assert parse("2/3") == (2, 3) and parse(None) is None
    for bad in ("0/3", "4/3", "1", "a/b", "1/0"):
        with pytest.raises(OptionError, match="is not I/N"):
            parse(bad)
