"""The loudness meter: ffmpeg's ebur128 against signals of known level (EBU Tech 3341 style)."""

from __future__ import annotations

import math

import pytest
from audio_helpers import sine, sine_sequence, speech_like

from podcast.audio.measure import measure, parse_stream, parse_summary


@pytest.mark.parametrize("level", [-23.0, -33.0])
def test_stereo_1k_sine_reads_its_level(tmp_path, level):
    # Tech 3341 cases 1 and 2: a stereo 1 kHz sine at L dBFS reads L LUFS.
    m = measure(sine(tmp_path / "s.wav", seconds=4, level_dbfs=level))
    assert m.loudness.integrated == pytest.approx(level, abs=0.1)
    assert m.loudness.lra == pytest.approx(0.0, abs=0.1)
    assert m.duration == pytest.approx(4.0, abs=0.05)
    assert m.stream.channels == 2 and m.stream.sample_rate == 48000


@pytest.mark.slow
def test_gated_sequence_ignores_quiet_parts(tmp_path):
    # Tech 3341 case 3: 10 s at -36, 60 s at -23, 10 s at -36 dBFS reads -23 LUFS:
    # the relative gate drops the quiet parts.
    m = measure(sine_sequence(tmp_path / "seq.wav", [(10, -36.0), (60, -23.0), (10, -36.0)]))
    assert m.loudness.integrated == pytest.approx(-23.0, abs=0.1)


def test_true_peak_finds_the_peak_between_samples(tmp_path):
    # Tech 3341 true-peak style case: fs/4 sine at 45 degrees. Samples reach only
    # cos(45) of the amplitude (-9 dBFS), the waveform itself -6 dBFS. Faded in and
    # out: an abrupt start would ring in the oversampling filter and read high.
    path = sine(tmp_path / "tp.wav", seconds=3, level_dbfs=-6.0, freq=12000,
                phase=math.pi / 4, fade=0.5)
    m = measure(path)
    assert -6.4 <= m.loudness.true_peak <= -5.8  # Tech 3341: +0.2 / -0.4 dB


def test_mono_24bit_stream_facts(tmp_path):
    m = measure(speech_like(tmp_path / "m.wav", seconds=4, channels=1, codec="pcm_s24le"))
    assert m.stream.channels == 1
    assert m.stream.codec == "pcm_s24le"


SUMMARY = """\
[Parsed_ebur128_0 @ 0x55] Summary:

  Integrated loudness:
    I:         -19.4 LUFS
    Threshold: -29.9 LUFS

  Loudness range:
    LRA:         6.1 LU
    Threshold: -39.9 LUFS
    LRA low:   -24.0 LUFS
    LRA high:  -17.9 LUFS

  True peak:
    Peak:       -0.7 dBFS
[out#0/null @ 0x56] video:0KiB audio:11250KiB subtitle:0KiB
size=N/A time=00:01:00.00 bitrate=N/A speed= 343x"""


def test_summary_parsed_by_section_not_by_position():
    noise = ["[Parsed_ebur128_0 @ 0x55] t: 1.2 M: -20 S: -21 I: -99.0 LUFS LRA: 0 LU",
             "    I:         -99.0 LUFS", "Threshold: -1.0 LUFS"]
    lines = noise + SUMMARY.splitlines()
    loud = parse_summary(lines)
    assert (loud.integrated, loud.threshold, loud.lra, loud.true_peak) == (-19.4, -29.9, 6.1,
                                                                           -0.7)


def test_summary_of_the_named_instance_and_silence():
    second = SUMMARY.replace("Parsed_ebur128_0", "Parsed_ebur128_1").replace(
        "-19.4", "-70.0").replace("-0.7", "-inf")
    lines = SUMMARY.splitlines() + second.splitlines()
    assert parse_summary(lines).integrated == -19.4
    other = parse_summary(lines, "Parsed_ebur128_1")
    assert other.integrated == -70.0 and other.true_peak == -math.inf
    with pytest.raises(ValueError):
        parse_summary(["no summary here"])


def test_stream_line_layouts():
    assert parse_stream(["  Stream #0:0: Audio: flac, 96000 Hz, stereo, s32 (24 bit)"]).channels \
        == 2
    info = parse_stream(["  Stream #0:1(und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, "
                         "mono, fltp, 69 kb/s (default)"])
    assert (info.codec, info.sample_rate, info.channels) == ("aac", 44100, 1)
