"""The one factory for the S3 client, and botocore errors made plain.

Credentials come only from the standard AWS chain (environment, profile,
instance role), or, for the local SeaweedFS server, from its own file handed
over for this process only. They are never read from podcast.toml, never
logged and never printed.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from podcast.errors import PublishError

log = logging.getLogger(__name__)

CREDENTIALS_HINT = ("Check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE "
                    "(credentials never go in podcast.toml)")


@dataclass(frozen=True)
class Target:
    """Where to publish: the [publish] settings after CLI overrides."""

    bucket: str
    prefix: str = ""  # "" or "show/" (always ends with "/" when set)
    endpoint_url: str | None = None
    region: str = "us-east-1"
    addressing_style: str = "auto"
    checksum: str = "auto"
    credentials: tuple[str, str] | None = None  # local server only; never printed

    def __repr__(self) -> str:  # keep secrets out of tracebacks and logs
        return (f"Target(bucket={self.bucket!r}, prefix={self.prefix!r}, "
                f"endpoint_url={self.endpoint_url!r}, region={self.region!r})")

    @property
    def endpoint(self) -> str | None:
        """The endpoint in force: configured, or the standard AWS variables."""
        return (self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3")
                or os.environ.get("AWS_ENDPOINT_URL") or None)

    @property
    def is_aws(self) -> bool:
        host = urlsplit(self.endpoint).hostname if self.endpoint else None
        return host is None or host.endswith(".amazonaws.com")

    @property
    def where(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def make_client(target: Target, *, max_pool: int = 10):
    """An S3 client for ``target``.

    Custom endpoints get path-style addressing (MinIO, SeaweedFS, B2 and R2
    all accept it; virtual hosts need DNS) and checksums only when required:
    boto3 >= 1.36 sends CRC32 trailers by default, which R2, B2, MinIO and
    older SeaweedFS reject. Retries use the standard mode.
    """
    # botocore directly: boto3's import adds ~0.2 s to every run for nothing we use.
    import botocore.session
    from botocore.config import Config

    style = target.addressing_style
    if style == "auto":
        style = "auto" if target.is_aws else "path"
    checksum = target.checksum
    if checksum == "auto":
        checksum = "when_supported" if target.is_aws else "when_required"
    config = Config(
        s3={"addressing_style": style},
        request_checksum_calculation=checksum,
        response_checksum_validation=checksum,
        retries={"mode": "standard", "max_attempts": 3},
        max_pool_connections=max_pool,
        connect_timeout=10,
        read_timeout=60,
    )
    keys = {}
    if target.credentials:
        keys = {"aws_access_key_id": target.credentials[0],
                "aws_secret_access_key": target.credentials[1]}
    log.debug("S3 client: endpoint %s, region %s, addressing %s, checksums %s",
              target.endpoint or "AWS", target.region, style, checksum)
    # The session's own chain: environment, AWS_PROFILE/config files, instance role.
    session = botocore.session.get_session()
    # A new session would read botocore's service models again (0.2 s per client):
    # they are the same files, so one loader serves every session.
    session.register_component("data_loader", _loader())
    # botocore parses every listed object's date with dateutil: 0.7 ms each, 1.4 s for
    # a 200-episode show's listing. The ISO 8601 form S3 lists is read directly.
    session.get_component("response_parser_factory").set_parser_defaults(
        timestamp_parser=_timestamp)
    return session.create_client(
        "s3", endpoint_url=target.endpoint_url or None, region_name=target.region or None,
        config=config, **keys)


@functools.lru_cache(maxsize=1)
def _loader():
    from botocore.loaders import create_loader

    return create_loader()


def _timestamp(value):
    """An ISO 8601 time as S3 lists it, read by the standard library; anything else
    (an HTTP date, an epoch) by botocore's own parser."""
    from datetime import datetime

    if isinstance(value, str) and value[:4].isdigit():
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    from botocore.utils import parse_timestamp
    return parse_timestamp(value)


def translate(exc: Exception, target: Target) -> PublishError:
    """A botocore exception as a PublishError that says what to do."""
    from botocore import exceptions as be

    where = target.where
    endpoint = target.endpoint or "AWS S3"
    if isinstance(exc, be.NoCredentialsError):
        return PublishError(where, "no credentials found", CREDENTIALS_HINT)
    if isinstance(exc, be.ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken",
                    "ExpiredToken", "AuthorizationHeaderMalformed", "InvalidClientTokenId"):
            return PublishError(where, f"the storage refused the credentials ({code})",
                                CREDENTIALS_HINT)
        if code == "NoSuchBucket" or (code in ("404", "NotFound")
                                      and getattr(exc, "operation_name", "") == "HeadBucket"):
            return PublishError(where, f"the bucket {target.bucket!r} does not exist at "
                                f"{endpoint}", "Create it, or fix [publish] bucket / --bucket")
        if code in ("AccessDenied", "403", "AllAccessDisabled"):
            return PublishError(where, "access denied",
                                "Give these credentials read, write and list on the bucket, "
                                "or check AWS_PROFILE")
        return PublishError(where, f"the storage answered {code or status}: "
                            f"{err.get('Message') or exc}",
                            "Run again with -v for details; a re-run uploads only what "
                            "is missing")
    if isinstance(exc, (be.EndpointConnectionError, be.ConnectionClosedError,
                        be.ReadTimeoutError, be.ConnectTimeoutError,
                        be.HTTPClientError)):
        return PublishError(where, f"cannot reach {endpoint} ({type(exc).__name__})",
                            "Check the endpoint URL and that the server is up, then run "
                            "publish again: only what is missing is uploaded")
    if isinstance(exc, be.BotoCoreError):
        return PublishError(where, f"{type(exc).__name__}: {exc}",
                            "Check [publish] and the AWS configuration, then run again")
    # A wrapped failure: explain its cause.
    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, Exception) and cause is not exc:
        return translate(cause, target)
    return PublishError(where, f"upload failed: {exc}",
                        "Run publish again: only what is missing is uploaded")


@contextlib.contextmanager
def s3_errors(target: Target) -> Iterator[None]:
    """Turn botocore failures inside the block into PublishError."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        raise translate(exc, target) from exc
