"""Locating ffmpeg and running it: the one subprocess runner of the audio step.

argv is always a list (logged with ``shlex.join``). Progress comes from
``-progress pipe:1`` (key=value blocks on stdout); stderr is kept only as a
bounded tail, so memory stays constant however long the episode is. A failure
raises ``FFmpegError`` carrying the command and that tail.
"""

from __future__ import annotations

import collections
import logging
import os
import shlex
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from podcast.errors import AudioError, FFmpegError

log = logging.getLogger(__name__)

ENV_VAR = "PODCAST_FFMPEG"
TAIL_LINES = 400  # enough for ebur128's summary plus any warnings before it

# callback(seconds_done, speed) - speed is ffmpeg's "x real time", or None
ProgressCallback = Callable[[float, float | None], None]


def find_ffmpeg() -> str:
    """$PODCAST_FFMPEG, then ``ffmpeg`` on PATH, then the imageio-ffmpeg binary."""
    env = os.environ.get(ENV_VAR)
    if env:
        path = shutil.which(env) or (env if Path(env).is_file() else None)
        if not path:
            raise AudioError(ENV_VAR, f"{env} is not an executable",
                             "Point it at an ffmpeg binary or unset it")
        return path
    path = shutil.which("ffmpeg")
    if path:
        return path
    try:
        import imageio_ffmpeg
        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        raise AudioError("ffmpeg", "not found",
                         "Install ffmpeg (apt install ffmpeg) or `pip install imageio-ffmpeg`, "
                         f"or set {ENV_VAR}") from None


# One filter thread per graph: ffmpeg 5.1 slices biquads across threads by default,
# which made five hum notches cost 5x their single-threaded CPU time (measured).
# Our parallelism is across processes (analysis beside prediction, filters beside
# the encoder, the verifier beside both), not inside a graph.
THREADS = ["-filter_threads", "1", "-filter_complex_threads", "1"]


def quiet_args() -> list[str]:
    """The start of a command whose stdout is not progress (a pipe of audio, or none)."""
    return [find_ffmpeg(), "-nostdin", "-hide_banner", "-nostats", "-y", *THREADS]


def base_args() -> list[str]:
    """The start of every command: quiet banner, no stdin, machine-readable progress."""
    return quiet_args() + ["-progress", "pipe:1"]


@dataclass
class Result:
    argv: list[str]
    returncode: int
    stderr: list[str]  # the last TAIL_LINES lines
    seconds: float | None  # media time reached (out_time), None if never reported

    @property
    def tail(self) -> str:
        return "\n".join(self.stderr[-20:])


class Process:
    """One running ffmpeg; ``wait()`` returns a ``Result`` or raises ``FFmpegError``."""

    def __init__(self, argv: Sequence[str], *, where: str,
                 progress: ProgressCallback | None = None, stdin: int | None = None,
                 stdout: int | None = None, pass_fds: Sequence[int] = (),
                 cwd: Path | None = None, on_line: Callable[[str], bool] | None = None):
        """``stdout``: a file descriptor for the process's output (a pipe of audio);
        then there is no progress. ``on_line`` sees every stderr line first and
        returns True for lines it consumed (kept out of the bounded tail)."""
        self.argv = [str(a) for a in argv]
        self.where = where
        self.progress = progress
        self.on_line = on_line
        self.seconds: float | None = None
        self._stderr: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        log.debug("%s", shlex.join(self.argv))
        try:
            self.proc = subprocess.Popen(
                self.argv, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                stdout=stdout if stdout is not None else subprocess.PIPE,
                stderr=subprocess.PIPE, pass_fds=tuple(pass_fds), cwd=cwd)
        except OSError as exc:
            raise FFmpegError(where, f"cannot start ffmpeg ({exc.strerror})",
                              f"Check the ffmpeg installation or {ENV_VAR}",
                              command=self.argv) from None
        self._threads = [threading.Thread(target=self._read_stderr, daemon=True)]
        if stdout is None:
            self._threads.append(threading.Thread(target=self._read_progress, daemon=True))
        for t in self._threads:
            t.start()

    def _read_progress(self) -> None:
        block: dict[str, str] = {}
        for raw in self.proc.stdout:  # type: ignore[union-attr]
            key, _, value = raw.decode("utf-8", "replace").strip().partition("=")
            block[key] = value
            if key != "progress":
                continue
            us = block.get("out_time_us") or block.get("out_time_ms")
            if us and us.lstrip("-").isdigit() and int(us) >= 0:
                self.seconds = int(us) / 1e6
                speed = block.get("speed", "").rstrip("x").strip()
                try:
                    speed_value: float | None = float(speed)
                except ValueError:
                    speed_value = None
                if self.progress:
                    self.progress(self.seconds, speed_value)
            block = {}

    def _read_stderr(self) -> None:
        for raw in self.proc.stderr:  # type: ignore[union-attr]
            line = raw.decode("utf-8", "replace").rstrip()
            if self.on_line is not None and self.on_line(line):
                continue
            self._stderr.append(line)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def wait(self, *, check: bool = True) -> Result:
        try:
            code = self.proc.wait()
        except BaseException:
            self.kill()
            raise
        for t in self._threads:
            t.join()
        result = Result(self.argv, code, list(self._stderr), self.seconds)
        if code != 0 and check:
            raise error_for(result, self.where)
        return result


def error_for(result: Result, where: str) -> FFmpegError:
    """Turn a failed run into a message a producer can act on."""
    text = "\n".join(result.stderr)
    if "matches no streams" in text or "does not contain any stream" in text:
        problem, hint = "has no audio stream", "Export the master with its audio track"
    elif "Invalid data found when processing input" in text:
        problem, hint = ("is corrupt or not an audio format ffmpeg can read",
                         "Export the master again as WAV, FLAC or MP3")
    elif "No such file or directory" in text:
        problem, hint = "does not exist", "Check the master: field of the episode"
    else:
        last = next((line for line in reversed(result.stderr) if line.strip()), "")
        problem = f"ffmpeg failed (exit {result.returncode}): {last.strip()}"
        hint = "Run with -v to see the ffmpeg command"
    log.debug("ffmpeg stderr tail for %s:\n%s", where, result.tail)
    return FFmpegError(where, problem, hint, command=result.argv, stderr_tail=result.tail)


def run(argv: Sequence[str], *, where: str, progress: ProgressCallback | None = None,
        check: bool = True, on_line: Callable[[str], bool] | None = None) -> Result:
    """Run ffmpeg to completion; raise ``FFmpegError`` (command + stderr tail) on failure."""
    return Process(argv, where=where, progress=progress, on_line=on_line).wait(check=check)
