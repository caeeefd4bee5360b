"""The files of one episode folder.

Each file an episode names (its master, transcript, cover, chapter images), or
that is found by its default name, must lie inside the episode's folder once
symbolic links are followed: nothing outside the show is read into a build.
A file that breaks the rule, or is missing, is reported under its field.
"""

from __future__ import annotations

from pathlib import Path

from podcast.fsutil import inside
from podcast.show import schema as s


class EpisodeFolder:
    """The files of one episode folder: each inside it once symbolic links are
    followed (files found by their default names are held to the same rule)."""

    def __init__(self, folder: Path, ctx: s.Context):
        self.folder, self.home, self.ctx = folder, folder.resolve(), ctx

    def named(self, name: str, fieldname: str,
              missing_hint: str = "Put the file there or fix the name") -> Path | None:
        """The file ``name`` (as written in ``fieldname``), or None, reported."""
        path = self.folder / name
        if not inside(path, self.home):
            self.ctx.error(fieldname, f"{s.shown(name)} is outside the episode folder "
                           f"{self.folder.name}/", "Copy the file into the episode folder "
                           "and give its name only")
            return None
        if not path.is_file():
            self.ctx.error(fieldname, f"{name} does not exist in {self.folder.name}/",
                           missing_hint)
            return None
        return path

    def found(self, name: str | None, fieldname: str, defaults: tuple[str, ...]) -> Path | None:
        """The file named, else the first of ``defaults`` there, else None."""
        if name:
            return self.named(name, fieldname)
        for candidate in defaults:
            path = self.folder / candidate
            if path.is_file() or path.is_symlink():
                if not inside(path, self.home):
                    self.ctx.error(fieldname, f"{candidate} leads outside the episode folder "
                                   f"{self.folder.name}/ (a symbolic link)",
                                   "Replace the link with the file itself")
                    return None
                return path if path.is_file() else None
        return None
