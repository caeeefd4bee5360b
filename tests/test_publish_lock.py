"""The publish lock against the real SeaweedFS: at most one holder in every interleaving.

Many takers race for a lock left by a dead run (or broken on request); the
storage's conditional writes must let exactly one through, every round, and
every loser must name the winner and since when.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import threading
import uuid

import pytest

from podcast.errors import LockHeldError
from podcast.publish.client import make_client
from podcast.publish.lock import Lock
from tests.s3server import wait_until_older

pytestmark = pytest.mark.s3

ROUNDS = 30
TAKERS = 8


def dead_pid() -> int:
    """The pid of a process of ours that has exited (and been reaped)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def write_lock(client, bucket: str, key: str, *, pid: int, host: str | None = None,
               holder: str = "ops@build-7 (pid 4242)") -> str:
    body = {"holder": holder, "host": host or socket.gethostname(), "pid": pid,
            "since": "2026-01-01T00:00:00+00:00", "token": uuid.uuid4().hex}
    return client.put_object(Bucket=bucket, Key=key, Body=json.dumps(body).encode())["ETag"]


def race(client, bucket: str, key: str, *, break_lock: bool = False):
    """TAKERS threads call acquire() at once; returns (winners, refusals)."""
    barrier = threading.Barrier(TAKERS)
    winners: list[Lock] = []
    refusals: list[str] = []
    errors: list[BaseException] = []

    def take():
        lock = Lock(client, bucket, key)
        barrier.wait()
        try:
            lock.acquire(break_lock=break_lock)
        except LockHeldError as exc:
            refusals.append(str(exc))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        else:
            winners.append(lock)

    threads = [threading.Thread(target=take) for _ in range(TAKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    return winners, refusals


@pytest.fixture
def lock_env(s3_server):
    target = s3_server.target()
    client = make_client(target, max_pool=2 * TAKERS)
    return client, target.bucket, target.prefix + ".podcast-lock.json"


def check_round(client, bucket, key, winners, refusals):
    assert len(winners) == 1, f"{len(winners)} holders"
    (winner,) = winners
    assert len(refusals) == TAKERS - 1
    held = json.loads(client.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert held["token"] == json.loads(winner.body)["token"]  # the lock is the winner's
    for message in refusals:
        assert f"another publish holds the lock: {held['holder']} since {held['since']}" \
            in message
        assert "unknown" not in message
    winner.release()
    assert client.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount", 0) == 0


@pytest.mark.slow
def test_concurrent_takers_of_a_dead_lock_exactly_one_wins(lock_env, capsys):
    client, bucket, key = lock_env
    pid = dead_pid()
    tally = []
    for _ in range(ROUNDS):
        write_lock(client, bucket, key, pid=pid)
        winners, refusals = race(client, bucket, key)
        tally.append(len(winners))
        check_round(client, bucket, key, winners, refusals)
    with capsys.disabled():
        print(f"\nlock race: {ROUNDS} rounds x {TAKERS} takers of a dead lock; winners per "
              f"round: {sorted(set(tally))}")
    assert tally == [1] * ROUNDS


@pytest.mark.slow
def test_concurrent_break_lock_breaks_only_the_lock_it_found(lock_env, caplog):
    """Several producers pass --break-lock at once: the lock each saw is replaced
    once; a lock another run took after they arrived is left alone. Should the
    server's clock tick between the winner's write and a late run's first request,
    that run breaks the winner's lock in turn: then the superseded winner is told at
    release and leaves the newer lock in place."""
    client, bucket, key = lock_env
    tally = []
    for _ in range(10):
        # A live holder on another machine: only --break-lock takes it.
        write_lock(client, bucket, key, pid=1, host="build-7")
        wait_until_older(client, bucket, key)
        winners, refusals = race(client, bucket, key, break_lock=True)
        tally.append(len(winners))
        assert winners and len(winners) + len(refusals) == TAKERS
        for message in refusals:
            assert "so --break-lock left it alone" in message
        held = json.loads(client.get_object(Bucket=bucket, Key=key)["Body"].read())
        (last,) = [w for w in winners if json.loads(w.body)["token"] == held["token"]]
        for w in winners:
            if w is not last:
                w.release()
                assert client.head_object(Bucket=bucket, Key=key)  # still there
        last.release()
        assert client.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount", 0) == 0
    print(f"break-lock race: winners per round {tally}")


def test_a_live_lock_is_refused_naming_its_holder(lock_env):
    client, bucket, key = lock_env
    write_lock(client, bucket, key, pid=1, host="build-7")
    with pytest.raises(LockHeldError, match=r"ops@build-7 \(pid 4242\) since "
                                            r"2026-01-01T00:00:00\+00:00.*--break-lock"):
        Lock(client, bucket, key).acquire()


def test_an_unreadable_lock_says_so(lock_env):
    client, bucket, key = lock_env
    client.put_object(Bucket=bucket, Key=key, Body=b"\x00garbage{")
    with pytest.raises(LockHeldError) as info:
        Lock(client, bucket, key).acquire()
    message = str(info.value)
    assert "a lock whose content cannot be read (written 20" in message
    assert "unknown since unknown" not in message
    wait_until_older(client, bucket, key)
    lock = Lock(client, bucket, key)
    lock.acquire(break_lock=True)  # breakable like any other
    lock.release()


def test_release_leaves_a_lock_taken_over_meanwhile(lock_env, caplog):
    client, bucket, key = lock_env
    first = Lock(client, bucket, key)
    first.acquire()
    wait_until_older(client, bucket, key)
    second = Lock(client, bucket, key)
    second.acquire(break_lock=True)
    with caplog.at_level(logging.WARNING, logger="podcast"):
        first.release()
    assert "taken over while this publish ran" in caplog.text
    held = json.loads(client.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert held["token"] == json.loads(second.body)["token"]
    second.release()
    assert client.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount", 0) == 0


def test_the_server_honours_the_conditions_the_lock_relies_on(lock_env):
    """What the lock's design assumes of the storage, asked of the real server (AWS
    documents the same): a failed condition is 412 and changes nothing."""
    from botocore.exceptions import ClientError

    client, bucket, key = lock_env

    def status(call, **kw):
        try:
            return call(Bucket=bucket, Key=key, **kw)["ResponseMetadata"]["HTTPStatusCode"]
        except ClientError as exc:
            return exc.response["ResponseMetadata"]["HTTPStatusCode"]

    def body():
        return client.get_object(Bucket=bucket, Key=key)["Body"].read()

    assert status(client.put_object, Body=b"a", IfNoneMatch="*") == 200
    assert status(client.put_object, Body=b"b", IfNoneMatch="*") == 412 and body() == b"a"
    etag = client.head_object(Bucket=bucket, Key=key)["ETag"]
    assert status(client.put_object, Body=b"c", IfMatch='"0123"') == 412 and body() == b"a"
    assert status(client.put_object, Body=b"d", IfMatch=etag) == 200 and body() == b"d"
    assert status(client.put_object, Body=b"e", IfMatch=etag) == 412 and body() == b"d"
    etag = client.head_object(Bucket=bucket, Key=key)["ETag"]
    assert status(client.delete_object, IfMatch='"0123"') == 412 and body() == b"d"
    assert status(client.delete_object, IfMatch=etag) == 204
    assert status(client.put_object, Body=b"f", IfMatch=etag) == 412  # gone: no match
