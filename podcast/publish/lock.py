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


def _holder() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()} (pid {os.getpid()})"


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
        body = json.dumps({"holder": _holder(),
                           "since": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.key, Body=body.encode(),
                                   ContentType="application/json", IfNoneMatch="*")
        except ClientError as exc:
            if _status(exc) not in (412, 409):
                raise
            info = self.read() or {}
            raise LockHeldError(
                f"s3://{self.bucket}/{self.key}",
                f"another publish holds the lock: {info.get('holder', 'unknown')} "
                f"since {info.get('since', 'unknown')}",
                "Wait for it to finish; if that run died, publish again with --break-lock",
            ) from None
        self.held = True

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

