"""Running a render: its stages, the encoder and the verifier as processes joined by pipes.

chain.py says what a render is (stages of filter graphs); this module starts
them. Every process's argv is a list (ffmpeg.Process); a ``ProcessGroup``
waits for all of them and, when one fails, kills the rest and raises the
first error. Float PCM flows between stages through pipes enlarged to
``PIPE_SIZE`` (fewer wake-ups); the encoder tees the MP3 into a seekable file
(so ffmpeg writes its Info header) and into the verifier's pipe.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from podcast.audio import ffmpeg
from podcast.audio.chain import Render, Stage
from podcast.audio.filters import OUTPUT_RATE
from podcast.audio.measure import (
    EBUR128,
    Loudness,
    SecondLog,
    ebur128,
    ebur128_info,
    summary_of,
)

PIPE_SIZE = 1 << 20  # bytes: fewer wake-ups between the processes


# Bytes of a filter graph passed on the command line; a longer one (an edit list of
# several hundred cuts) goes through a file: Linux refuses an argument over 128 KiB.
LONGEST_ARGUMENT = 100_000


def stage_argv(stage: Stage, root: Path, *, previous: Stage | None,
               scratch: Path | None = None) -> list[str]:
    """The command of one stage (its stdout is float PCM); ``scratch``: a folder for a
    graph too long for the command line."""
    if stage.kind == "dfn":
        return [sys.executable, "-m", "podcast.audio.dfn", "--channels", str(stage.channels)]
    argv = ffmpeg.quiet_args()
    if previous is not None:
        argv += ["-f", "f32le", "-ar", str(previous.rate), "-ac", str(previous.channels),
                 "-i", "pipe:0"]
    for name in stage.inputs:
        argv += ["-i", str((Path(root) / name).resolve())]
    if len(stage.graph) > LONGEST_ARGUMENT and scratch is not None:
        script = scratch / f"graph-{len(list(scratch.iterdir()))}.txt"
        script.write_text(stage.graph, encoding="utf-8")
        argv += ["-filter_complex_script", str(script)]
    else:
        argv += ["-filter_complex", stage.graph]
    return argv + ["-map", "[out]", "-f", "f32le", "-ar", str(stage.rate), "-ac",
                   str(stage.channels), "pipe:1"]


def _pipe() -> tuple[int, int]:
    r, w = os.pipe()
    try:
        import fcntl
        fcntl.fcntl(w, 1031, PIPE_SIZE)  # F_SETPIPE_SZ (Linux)
    except (ImportError, OSError):
        pass
    return r, w


class ProcessGroup:
    """Processes joined by pipes; ``wait`` returns their results, and any failure
    kills the rest and raises the first process's error."""

    def __init__(self):
        self.procs: list[ffmpeg.Process] = []
        self._scratch: tempfile.TemporaryDirectory | None = None

    def add(self, proc: ffmpeg.Process) -> ffmpeg.Process:
        self.procs.append(proc)
        return proc

    def scratch(self) -> Path:
        """A temporary folder for the processes' files, removed when they are done."""
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="podcast-render-")
        return Path(self._scratch.name)

    def _clean(self) -> None:
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def kill(self) -> None:
        for p in self.procs:
            p.kill()
        self._clean()

    def wait(self) -> list[ffmpeg.Result]:
        results = []
        try:
            # The last process first: it ends when its input does, or fails first.
            for p in reversed(self.procs):
                results.append(p.wait())
        except BaseException:
            self.kill()
            raise
        self._clean()
        return list(reversed(results))


# The master's figures for the report, measured by the first stage as it reads the
# master: a 16 kHz copy into ebur128 (within 0.1-0.2 LU of full rate on speech).
METER = ("[0:a:0]asplit=2[meter][master];[meter]aresample=16000,{},anullsink;"
         "[master]")


def start_render(group: ProcessGroup, render: Render, root: Path, *, where: str,
                 meter: SecondLog | None = None) -> int:
    """Start the render's stages; return the read end of the last one's PCM. With
    ``meter``, the first stage (``group.procs[0]`` of those added here) also
    measures the master, its 100 ms log going into ``meter``."""
    fd_in: int | None = None
    previous = None
    for stage in render.stages:
        if meter is not None and previous is None:
            stage = replace(stage, graph=METER.format(ebur128_info("sample"))
                            + stage.graph.removeprefix("[0:a:0]"))
        r, w = _pipe()
        name = "DeepFilterNet" if stage.kind == "dfn" else "speech chain"
        try:
            long = len(stage.graph) > LONGEST_ARGUMENT
            group.add(ffmpeg.Process(
                stage_argv(stage, root, previous=previous,
                           scratch=group.scratch() if long else None),
                where=f"{where} ({name})",
                stdin=fd_in, stdout=w,
                on_line=meter.feed if meter is not None and previous is None else None))
        finally:
            os.close(w)
            if fd_in is not None:
                os.close(fd_in)
        fd_in, previous = r, stage
    return fd_in  # type: ignore[return-value]


def pcm_input(render: Render) -> list[str]:
    last = render.stages[-1]
    return ["-f", "f32le", "-ar", str(last.rate), "-ac", str(last.channels), "-i", "pipe:0"]


def tail(render: Render, extra: str = "") -> str:
    """What the PCM's reader runs first: the render's tail (the limiter) and ``extra``."""
    return ",".join(f for f in (render.tail, extra) if f) or "anull"


@dataclass
class Verified:
    """The decoded MP3 as the verifier measured it (and the master, when metered)."""

    loudness: Loudness
    short_term: list = field(default_factory=list)  # S once a second
    momentary: list = field(default_factory=list)  # M every 100 ms
    master: Loudness | None = None
    master_log: SecondLog | None = None


def encode(root: Path, render: Render, dest: Path, bitrate: int, *, where: str,
           master: Path | None = None, meter: bool = False,
           progress: ffmpeg.ProgressCallback | None = None) -> tuple[Verified, Loudness | None]:
    """Render and encode into ``dest`` (a temp path) while the verifier measures the
    decoded MP3; with ``meter`` the render measures the master as it reads it; with
    ``master``, one more process measures its true peak."""
    group = ProcessGroup()
    seconds = SecondLog()
    master_log = SecondLog() if meter else None
    pcm = mp3_r = mp3_w = -1
    peak = None
    try:
        mp3_r, mp3_w = _pipe()
        verifier = group.add(ffmpeg.Process(
            ffmpeg.quiet_args() + ["-f", "mp3", "-i", "pipe:0", "-map", "0:a",
                                   "-af", ebur128_info("true"), "-f", "null", "-"],
            where=f"{where} (verifying)", stdin=mp3_r, on_line=seconds.feed))
        os.close(mp3_r)
        mp3_r = -1
        if master is not None:
            peak = ffmpeg.Process(
                ffmpeg.quiet_args() + ["-i", str(master.resolve()), "-map", "0:a:0",
                                       "-af", EBUR128, "-f", "null", "-"], where=where)
        first = len(group.procs)
        pcm = start_render(group, render, root, where=where, meter=master_log)
        reader = group.procs[first]  # the process that reads the master
        # The temp name is plain ([.A-Za-z0-9_]) and ffmpeg runs in its folder, so
        # nothing in the show's path can be misread by the tee muxer's syntax.
        tee = (f"[f=mp3:id3v2_version=0:write_id3v1=0]{dest.name}"
               f"|[f=mp3:id3v2_version=0:write_xing=0]pipe:{mp3_w}")
        # The encoder's process also runs the limiter (render.tail): that balances the
        # work of the two cores. 100 ms frames: ffmpeg's cost is per frame and filter.
        group.add(ffmpeg.Process(
            ffmpeg.base_args() + pcm_input(render) + [
                "-af", f"asetnsamples=n={OUTPUT_RATE // 10}:p=0,{tail(render)}",
                "-map", "0:a", "-map_metadata", "-1", "-c:a", "libmp3lame",
                "-b:a", f"{bitrate}k", "-f", "tee", tee],
            where=where, progress=progress, stdin=pcm, pass_fds=(mp3_w,), cwd=dest.parent))
        for fd in (pcm, mp3_w):
            os.close(fd)
        pcm = mp3_w = -1
        group.wait()
        master_loudness = summary_of(peak.wait(), where) if peak else None
    finally:
        for fd in (pcm, mp3_r, mp3_w):
            if fd >= 0:
                os.close(fd)
        group.kill()
        if peak is not None:
            peak.kill()
    out = summary_of(verifier.wait(), f"{where} (verifying)", "Parsed_ebur128_")
    metered = summary_of(reader.wait(), where, "Parsed_ebur128_") if meter else None
    return Verified(out, seconds.values, seconds.momentary, metered, master_log), \
        master_loudness


def predict(root: Path, render: Render, *, where: str) -> Loudness:
    """Loudness of the render's output (no encode): the limiter's loss, measured."""
    group = ProcessGroup()
    pcm = start_render(group, render, root, where=where)
    try:
        group.add(ffmpeg.Process(ffmpeg.quiet_args() + pcm_input(render) + [
            "-af", f"{tail(render)},{ebur128('none')}", "-f", "null", "-"], where=where,
            stdin=pcm))
    finally:
        os.close(pcm)
    return summary_of(group.wait()[-1], where, "Parsed_ebur128_")
