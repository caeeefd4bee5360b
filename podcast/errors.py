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
    severity: str = "error"  # "error" | "warning"

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


class ConfigError(PodcastError):
    """podcast.toml or an episode is missing or cannot be read at all."""


class AudioError(PodcastError):
    """A master cannot be processed, or the output failed verification."""


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
