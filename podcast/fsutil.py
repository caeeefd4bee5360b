"""Small file-system helpers: atomic writes and content hashes.

Every output of the pipeline is written to a temporary file in the
destination folder and then ``os.replace``d, so a killed run never leaves a
half-written file where the next step would pick it up.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

CHUNK = 1 << 20


@contextlib.contextmanager
def atomic_path(dest: Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temp path beside ``dest``; replace ``dest`` with it on success.

    The temp file keeps ``dest``'s suffix (ffmpeg picks the muxer from it).
    On any exception the temp file is removed and ``dest`` is untouched.
    """
    dest = Path(dest)
    options = {"prefix": f".{dest.name}.", "suffix": suffix or dest.suffix or ".tmp",
               "dir": dest.parent}
    try:
        fd, name = tempfile.mkstemp(**options)
    except FileNotFoundError:  # create the folder only when missing: one syscall less per file
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(**options)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def staged(folder: Path, suffix: str) -> Iterator[Path]:
    """A temp path in ``folder`` for a file whose final name depends on its content
    (the caller ``os.replace``s it there); removed if still present on the way out."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=".staged.", suffix=suffix, dir=folder)
    os.close(fd)
    os.chmod(name, 0o644)
    try:
        yield Path(name)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


_SEQUENCE = itertools.count()


def atomic_write_bytes(dest: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``dest``, then ``os.replace`` it.

    The hot path of a site build (thousands of small pages): a unique name
    from pid + counter opened with O_EXCL costs fewer syscalls than mkstemp
    followed by chmod, and the folder is created only when missing.
    """
    dest = Path(dest)
    tmp = dest.parent / f".{dest.name}.{os.getpid()}.{next(_SEQUENCE)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags, 0o644)
    except FileNotFoundError:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, flags, 0o644)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def atomic_write_text(dest: Path, text: str) -> None:
    atomic_write_bytes(dest, text.encode("utf-8"))


def write_if_changed(dest: Path, data: bytes | str) -> bool:
    """Write atomically unless ``dest`` already holds exactly ``data``.

    Returns True when the file was (re)written. Keeping unchanged files
    untouched keeps rebuilds cheap and mtimes meaningful.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    dest = Path(dest)
    try:
        if dest.stat().st_size == len(data) and dest.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    atomic_write_bytes(dest, data)
    return True


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sri(data_or_path: bytes | Path | str, algorithm: str = "sha384") -> str:
    """Subresource Integrity of bytes or a file, ``sha384-<base64>`` (podcast:integrity)."""
    import base64

    h = hashlib.new(algorithm)
    if isinstance(data_or_path, (bytes, bytearray)):
        h.update(data_or_path)
    else:
        with open(data_or_path, "rb") as f:
            while chunk := f.read(CHUNK):
                h.update(chunk)
    return f"{algorithm}-{base64.b64encode(h.digest()).decode()}"


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path``, symbolic links followed, lies inside ``folder`` (resolved).

    A link loop or an unreadable name counts as outside.
    """
    try:
        return Path(path).resolve().is_relative_to(Path(folder).resolve())
    except (OSError, RuntimeError, ValueError):
        return False


@contextlib.contextmanager
def restored_on_failure(*paths: Path) -> Iterator[None]:
    """Every file in ``paths`` as it was if the block raises: rewritten atomically, or
    removed when it did not exist before. For commands that change several files."""
    saved = {Path(p): Path(p).read_bytes() if Path(p).is_file() else None for p in paths}
    try:
        yield
    except BaseException:
        for path, data in saved.items():
            if data is None:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            elif not path.is_file() or path.read_bytes() != data:
                atomic_write_bytes(path, data)
        raise
