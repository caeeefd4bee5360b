"""The publish lock: one object written only if absent.

``put_object(IfNoneMatch="*")`` is answered 412 when the key exists, so two
publishes to the same prefix cannot interleave their uploads. The lock names
who holds it and since when; a lock left by a killed run is broken only on
explicit request (``--break-lock``).
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import socket
from datetime import datetime, timezone

from podcast.errors import LockHeldError

log = logging.getLogger(__name__)


def _holder() -> dict:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    host = socket.gethostname()
    return {"holder": f"{user}@{host} (pid {os.getpid()})", "host": host, "pid": os.getpid(),
            "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def _dead_here(info: dict) -> bool:
    """The lock was taken on this machine by a process that no longer exists."""
    if info.get("host") != socket.gethostname() or not isinstance(info.get("pid"), int):
        return False
    try:
        os.kill(info["pid"], 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _status(exc) -> int | None:
    response = getattr(exc, "response", None) or {}
    return response.get("ResponseMetadata", {}).get("HTTPStatusCode")


class Lock:
    """Held from ``acquire()`` until ``release()``; a context manager."""

    def __init__(self, client, bucket: str, key: str):
        self.client, self.bucket, self.key = client, bucket, key
        self.held = False

    def read(self) -> dict | None:
        from botocore.exceptions import ClientError
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.key)["Body"].read()
        except ClientError as exc:
            if _status(exc) == 404:
                return None
            raise
        try:
            return json.loads(body)
        except ValueError:
            return {"holder": "unreadable lock", "since": "unknown"}

    def acquire(self, *, break_lock: bool = False) -> None:
        from botocore.exceptions import ClientError

        if break_lock:
            old = self.read()
            if old:
                log.warning("breaking the lock held by %s since %s", old.get("holder"),
                            old.get("since"))
                self.client.delete_object(Bucket=self.bucket, Key=self.key)
        body = json.dumps(_holder()).encode()
        try:
            self._put(body)
        except ClientError as exc:
            if _status(exc) == 501 or exc.response.get("Error", {}).get("Code") in (
                    "NotImplemented", "InvalidArgument"):
                # Older MinIO, B2 and some gateways refuse conditional writes: go on
                # without a lock rather than not at all, and say so.
                log.warning("s3://%s/%s: this storage does not support conditional writes "
                            "(If-None-Match); publishing without a lock: do not run two "
                            "publishes at once", self.bucket, self.key)
                return
            if _status(exc) not in (412, 409):
                raise
            info = self.read() or {}
            if _dead_here(info):
                # A run on this machine died holding it (killed, or its server went away).
                log.warning("removing the lock left by %s since %s: that process is gone",
                            info.get("holder"), info.get("since"))
                self.client.delete_object(Bucket=self.bucket, Key=self.key)
                self._put(body)
                self.held = True
                return
            raise LockHeldError(
                f"s3://{self.bucket}/{self.key}",
                f"another publish holds the lock: {info.get('holder', 'unknown')} "
                f"since {info.get('since', 'unknown')}",
                "Wait for it to finish; if that run died, publish again with --break-lock",
            ) from None
        self.held = True

    def _put(self, body: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.key, Body=body,
                               ContentType="application/json", IfNoneMatch="*")

    def release(self) -> None:
        if self.held:
            self.client.delete_object(Bucket=self.bucket, Key=self.key)
            self.held = False

    def __enter__(self) -> "Lock":
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.release()
        except Exception as err:  # the server may be the reason we are leaving
            log.warning("could not remove the lock s3://%s/%s (%s): the next publish needs "
                        "--break-lock", self.bucket, self.key, type(err).__name__)

