"""`podcast clip --video`: captioned MP4s for social posts, made with the real ffmpeg.

Duration, streams and frame size are read back with ffprobe; that the captions
are really drawn is shown by rendering the same frame without them.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from audio_helpers import ffprobe
from click.testing import CliRunner
from showfactory import make_show
from speech import ESPEAK, dialogue

from podcast.audio.ffmpeg import find_ffmpeg
from podcast.cli import cli

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(ESPEAK is None or ffprobe() is None,
                       reason="needs espeak-ng and ffprobe (make test installs them)"),
    pytest.mark.skipif(not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").is_file(),
                       reason="needs fonts-dejavu-core (make test installs it)"),
]

VTT = """WEBVTT

00:00:00.500 --> 00:00:04.000
<v Narrator>March two thousand and twenty. A quiet street in the north of England.

00:00:04.600 --> 00:00:09.000
<v Witness>I noticed a van parked outside the house every night.
"""


@pytest.fixture(scope="module")
def show(tmp_path_factory):
    root = make_show(tmp_path_factory.mktemp("clips"), [{
        "slug": "multiple-bombings", "title": "Multiple Bombings",
        "transcript": ("vtt", VTT),
        "soundbites": [{"start": 1, "duration": 4, "title": "A quiet street"}]}])
    dialogue(root / "episodes/multiple-bombings/master.wav")
    return root


def probe(path: Path) -> dict:
    out = subprocess.run([ffprobe(), "-v", "error", "-show_streams", "-show_format", "-of",
                          "json", str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def frame(path: Path, at: float, dest: Path):
    from PIL import Image

    subprocess.run([find_ffmpeg(), "-nostdin", "-v", "error", "-y", "-ss", str(at), "-i",
                    str(path), "-frames:v", "1", str(dest)], check=True)
    return Image.open(dest).convert("RGB")


def test_video_clips_are_h264_aac_square_and_vertical(show):
    result = CliRunner().invoke(cli, ["--root", str(show), "clip", "multiple-bombings",
                                      "--start", "2", "--duration", "5", "--video"])
    assert result.exit_code == 0, result.output
    clips = show / "clips"
    for name, size in (("square", (1080, 1080)), ("vertical", (1080, 1920))):
        path = clips / f"multiple-bombings-2s-5s-{name}.mp4"
        info = probe(path)
        video = [s for s in info["streams"] if s["codec_type"] == "video"]
        audio = [s for s in info["streams"] if s["codec_type"] == "audio"]
        assert [s["codec_name"] for s in video] == ["h264"]
        assert [s["codec_name"] for s in audio] == ["aac"]
        assert (video[0]["width"], video[0]["height"]) == size
        assert video[0]["pix_fmt"] == "yuv420p"
        assert abs(float(info["format"]["duration"]) - 5.0) < 0.15
        assert f"wrote {path}" in result.output


def test_captions_are_really_drawn_and_the_sound_is_at_the_show_loudness(show, tmp_path):
    from PIL import ImageChops

    from podcast.audio.measure import measure
    from podcast.audio.video import LAYOUTS, render
    from podcast.captions import read
    from podcast.captions.layout import recut
    from podcast.show import load_project

    project = load_project(show)
    (episode,) = project.episodes
    cues = read(episode.transcript)
    common = dict(start=0.0, duration=4.0, fmt="square", art=project.show.artwork)
    with_captions = render(project.show, episode, out=tmp_path / "with.mp4",
                           captions=recut(cues, 0.0, 4.0), **common)
    without = render(project.show, episode, out=tmp_path / "without.mp4", captions=None,
                     **common)
    a = frame(with_captions, 2.0, tmp_path / "a.png")
    b = frame(without, 2.0, tmp_path / "b.png")
    box = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 40 else 0)
    bbox = box.getbbox()
    assert bbox is not None, "the captioned frame is the same as the one without captions"
    # The difference is the caption: wide, in the lower part, below the waveform.
    left, top, right, bottom = bbox
    wave_bottom = LAYOUTS["square"].wave[1] + LAYOUTS["square"].wave[3]
    assert top >= wave_bottom and right - left > 300
    assert sum(box.histogram()[255:]) > 5000  # thousands of pixels of text and box

    loudness = measure(with_captions).loudness
    target = project.show.audio.loudness
    assert target - 3.0 <= loudness.integrated <= target + 1.0
    assert loudness.true_peak <= project.show.audio.true_peak + 0.5


def test_soundbites_become_clips_with_one_command(show):
    result = CliRunner().invoke(cli, ["--root", str(show), "clip", "multiple-bombings",
                                      "--soundbites", "--video", "--format", "square"])
    assert result.exit_code == 0, result.output
    path = show / "clips/multiple-bombings-1s-4s-square.mp4"
    assert path.is_file() and abs(float(probe(path)["format"]["duration"]) - 4.0) < 0.15


def test_a_video_without_a_transcript_says_what_to_do(tmp_path):
    root = make_show(tmp_path, [{"slug": "plain", "title": "Plain"}])
    result = CliRunner().invoke(cli, ["--root", str(root), "clip", "plain", "--start", "0",
                                      "--duration", "2", "--video"])
    assert result.exit_code == 1
    assert "has no transcript" in result.output and "podcast transcribe plain" in result.output
