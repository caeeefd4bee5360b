"""The one exception tree of the project.

Every message reads ``<file or key>: <problem>. <what to do>``. The CLI turns
these into a one-line message and an exit code; tracebacks only with
``--verbose``.
"""

from __future__ import annotations

from dataclasses import dataclass


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


class PodcastError(Exception):
    """Base class: a problem the user can act on."""

    exit_code = 1

    def __init__(self, where: str | None, problem: str, hint: str | None = None):
        self.where = where
        self.problem = problem
        self.hint = hint
        super().__init__(self.format())

    def format(self) -> str:
        text = _sentence(self.problem)
        if self.where:
            text = f"{self.where}: {text}"
        if self.hint:
            text = f"{text} {_sentence(self.hint)}"
        return text


@dataclass(frozen=True)
class Problem:
    """One finding of a validation: an error or a warning about one field."""

    where: str  # file (relative to the show root) or key
    field: str  # e.g. "[show] owner.email" or "chapters[2].start"; may be ""
    message: str
    hint: str = ""
    severity: str = "error"  # "error" | "warning" | "info" (a note: nothing to fix)

    def __str__(self) -> str:
        head = f"{self.where}: {self.field}: " if self.field else f"{self.where}: "
        text = head + _sentence(self.message)
        return f"{text} {_sentence(self.hint)}" if self.hint else text

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class ValidationError(PodcastError):
    """Several problems found in one pass; raised once, after gathering all."""

    def __init__(self, problems: list[Problem]):
        self.problems = [p for p in problems if p.is_error]
        self.warnings = [p for p in problems if not p.is_error]
        count = len(self.problems)
        super().__init__(
            None,
            f"{count} problem{'s' if count != 1 else ''} found",
            "Fix the fields named above and run the command again",
        )

    def format(self) -> str:
        lines = [str(p) for p in self.problems]
        lines.append(super().format())
        return "\n".join(lines)


class OptionError(PodcastError):
    """A value given to a command (a slug, a public URL) that cannot be used: exit
    code 2, as for the command line's own usage errors."""

    exit_code = 2


class ConfigError(PodcastError):
    """podcast.toml or an episode is missing or cannot be read at all."""


class AudioError(PodcastError):
    """A master cannot be processed, or the output failed verification."""


class PointerError(AudioError):
    """A Git LFS pointer file where the sound itself is needed (show/lfs.py). The hint
    is a command to copy, so no full stop is added after it."""

    def format(self) -> str:
        return f"{self.where}: {_sentence(self.problem)} {self.hint}"


class RecordError(PodcastError):
    """A build record in the bucket cannot be trusted (publish/records.py): the
    episode it describes is rebuilt."""


class FFmpegError(AudioError):
    """ffmpeg failed: carries the command and the tail of its stderr."""

    def __init__(self, where: str | None, problem: str, hint: str | None = None,
                 *, command: list[str] | None = None, stderr_tail: str = ""):
        self.command = command or []
        self.stderr_tail = stderr_tail
        super().__init__(where, problem, hint)


class TagError(PodcastError):
    """mutagen could not read or write a file's tags."""


class FeedError(PodcastError):
    """The feed cannot be built, or would break subscribers."""


class SiteError(PodcastError):
    """A page template failed to render."""


class PublishError(PodcastError):
    """Upload to the bucket failed or was refused."""


class LockHeldError(PublishError):
    """Another publish holds the bucket's lock."""


class NetworkError(PodcastError):
    """A fetch failed or was refused (podcast/net/): names the URL, says what to do."""


# ---- failures from below the library: one clear message at the CLI's edge -----------

_OS_HINTS = {
    "EACCES": "Check its permissions (ls -l) and that you own the show's folder",
    "EPERM": "Check its permissions (ls -l) and that you own the show's folder",
    "ENOSPC": "Free some disk space, then run the command again (nothing half-written "
              "was kept)",
    "EDQUOT": "Your disk quota is full: free some space, then run the command again",
    "EROFS": "That file system is read-only: work in a writable copy of the show",
    "ENOENT": "Check the path; restore the file if it was deleted",
    "EISDIR": "A folder is where a file was expected: move it aside",
    "ENOTDIR": "A file is where a folder was expected: move it aside",
    "EMFILE": "Too many files are open: raise the limit (ulimit -n) or use fewer --jobs",
    "ENFILE": "The system has too many files open: close other programs and run again",
    "EIO": "The disk reported an input/output error: check it, then run again",
    "ENAMETOOLONG": "Use a shorter path for the show's folder",
    "EEXIST": "Something is already where a file or folder was to be made: move it aside",
}
# Errors of the side written to: a copy names its destination, not its source.
_WRITE_SIDE = {"ENOSPC", "EDQUOT", "EROFS", "EFBIG"}


def _named_file(exc: BaseException) -> str | None:
    """The file being read when ``exc`` was raised, from the innermost frame that
    names one in a ``path``-like local (a decoding error does not carry it)."""
    from pathlib import PurePath

    tb, found = exc.__traceback__, None
    while tb is not None:
        for name in ("path", "file", "source", "filename", "src", "dest"):
            value = tb.tb_frame.f_locals.get(name)
            if isinstance(value, (str, PurePath)) and str(value):
                found = str(value)
                break
        tb = tb.tb_next
    return found


def from_failure(exc: BaseException) -> PodcastError | None:
    """An OSError, UnicodeError or MemoryError as a message that says what to do;
    None for anything else (a bug: the caller reports it as one)."""
    import errno
    import os

    if isinstance(exc, OSError):
        from pathlib import Path

        code = errno.errorcode.get(exc.errno or 0, "")
        where = (exc.filename2 if code in _WRITE_SIDE and exc.filename2 else exc.filename
                 or exc.filename2 or _named_file(exc))
        if where and Path(os.fsdecode(where)).name.startswith("."):
            where = str(Path(os.fsdecode(where)).parent) + "/"  # a temp file: its folder
        problem = (exc.strerror or str(exc) or type(exc).__name__).rstrip(".")
        hint = _OS_HINTS.get(code, "Run again with -v for details")
        return PodcastError(os.fsdecode(where) if where else None,
                            problem[0].lower() + problem[1:], hint)
    if isinstance(exc, UnicodeError):
        reason = getattr(exc, "reason", str(exc))
        return PodcastError(_named_file(exc), f"is not valid UTF-8 text ({reason})",
                            "Save it as UTF-8 in your editor, then run the command again")
    if isinstance(exc, MemoryError):
        return PodcastError(None, "ran out of memory",
                            "Close other programs, or process fewer episodes at once "
                            "(--jobs 1), then run again")
    return None
