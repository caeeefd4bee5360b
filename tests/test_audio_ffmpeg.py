"""The ffmpeg runner: locating the binary, progress, errors with command and stderr tail."""

from __future__ import annotations

import pytest

from podcast.audio import ffmpeg
from podcast.errors import AudioError, FFmpegError


def test_find_order_env_then_path_then_wheel(monkeypatch, tmp_path):
    monkeypatch.delenv(ffmpeg.ENV_VAR, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no ffmpeg on PATH
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    assert ffmpeg.find_ffmpeg() == imageio_ffmpeg.get_ffmpeg_exe()
    fake = tmp_path / "ffmpeg"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert ffmpeg.find_ffmpeg() == str(fake)
    monkeypatch.setenv(ffmpeg.ENV_VAR, imageio_ffmpeg.get_ffmpeg_exe())
    assert ffmpeg.find_ffmpeg() == imageio_ffmpeg.get_ffmpeg_exe()
    monkeypatch.setenv(ffmpeg.ENV_VAR, str(tmp_path / "missing"))
    with pytest.raises(AudioError, match=r"^PODCAST_FFMPEG: .*missing is not an executable"):
        ffmpeg.find_ffmpeg()


def test_progress_is_reported_from_pipe(tmp_path):
    seen = []
    result = ffmpeg.run(ffmpeg.base_args() + ["-f", "lavfi", "-i", "sine=d=3", "-f", "null",
                                              "-"],
                        where="sine", progress=lambda s, speed: seen.append((s, speed)))
    assert result.returncode == 0
    assert seen and seen[-1][0] == pytest.approx(3.0, abs=0.05)
    assert result.seconds == pytest.approx(3.0, abs=0.05)


def test_failure_carries_command_and_stderr_tail(tmp_path):
    missing = tmp_path / "nothing here.wav"
    argv = ffmpeg.base_args() + ["-i", str(missing), "-f", "null", "-"]
    with pytest.raises(FFmpegError) as err:
        ffmpeg.run(argv, where="episodes/x/master.wav")
    exc = err.value
    assert str(exc).startswith("episodes/x/master.wav: does not exist.")
    assert exc.command == argv  # a list: the path with a space is one argument
    assert "No such file or directory" in exc.stderr_tail


def test_stderr_is_kept_as_a_bounded_tail(monkeypatch):
    # Only the last TAIL_LINES lines are kept (memory stays flat however chatty
    # ffmpeg is), and they are the end, where ebur128 writes its summary.
    monkeypatch.setattr(ffmpeg, "TAIL_LINES", 12)
    argv = ffmpeg.base_args() + ["-loglevel", "debug", "-f", "lavfi", "-i", "sine=d=3",
                                 "-af", "ebur128", "-f", "null", "-"]
    result = ffmpeg.run(argv, where="sine")
    assert len(result.stderr) == 12
    assert result.stderr[-1].strip().startswith("LRA high:")
