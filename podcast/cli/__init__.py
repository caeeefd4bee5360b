"""The ``podcast`` command line: a thin skin over the library.

Each command parses options, makes one library call and prints. Library
errors (``PodcastError``) become one clear message and an exit code; a
traceback only with ``--verbose``. No ffmpeg, boto3 or mutagen at import.

``base`` holds the group and what every command shares; the commands live by
what they work on: ``show`` (add, check, list, import), ``audio`` (process,
clip, report, transcribe) and ``publish`` (build, serve, publish, move-feed,
local-s3).
"""

from podcast.cli import audio, publish, show  # noqa: F401  (each registers its commands)
from podcast.cli.base import cli


def main() -> None:
    cli(prog_name="podcast")


__all__ = ["cli", "main"]
