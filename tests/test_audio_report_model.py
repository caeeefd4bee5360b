"""The audio report as a value: its JSON contract (#16 stores it in the bucket and
reads it back elsewhere), and what the producer is told about it."""

from __future__ import annotations

import json

import pytest

from podcast.audio import producer
from podcast.audio.chain import Render, Stage
from podcast.audio.report import (
    REPORT_FORMAT,
    AudioReport,
    ChainSteps,
    Curves,
    InputFigures,
    LevelerAction,
    LimiterAction,
    OutputFigures,
    ReportFormatError,
    RoomTone,
    SpeechFigures,
    StingStep,
)


def _report(channels: int = 2, **changes) -> AudioReport:
    target = -16.0 if channels == 2 else -19.0
    report = AudioReport(
        audiohash="ab" * 32, master="episodes/one/master.flac", master_sha256="cd" * 32,
        input=InputFigures(duration=60.0, integrated=-24.5, threshold=-35.0, lra=9.1,
                           codec="flac", sample_rate=48000, channels=channels),
        gain=3.2, limiter=LimiterAction(engaged=True, ceiling=-2.5, reduction=1.25),
        output=OutputFigures(integrated=target - 0.1, true_peak=-1.9, target=target,
                             ceiling=-1.0, duration=61.5, size=980_000, sha256="ef" * 32,
                             bitrate=128_000 if channels == 2 else 64_000,
                             sample_rate=44100, channels=channels, lra=4.0,
                             decoder_delay=1105),
        settings={"loudness": -16.0, "intro": "audio/intro.wav", "leveler": True},
        pipeline="3", attempts=1,
        render=Render((Stage("ffmpeg", "[0:a:0]anull[out]", ("episodes/one/master.flac",)),),
                      {"highpass": 80}, 1.5, channels, "alimiter=limit=0.75"),
        offset=1.5,
        speech=SpeechFigures(steps=ChainSteps(highpass=80, leveler="dynaudnorm",
                                              intro=StingStep("audio/intro.wav", 2.1, 1.5)),
                             noise_floor=-62.0, hum=50, hum_excess={"50": 3.0, "60": 0.2},
                             room_tone=RoomTone(-20.0, -38.5, 18.5),
                             leveler_action=LevelerAction(-2.0, 3.5)),
        short_term=Curves(master=(None, -20.5, -21.0), mp3=(None, None, -16.0, -15.8)))
    return AudioReport(**{**report.__dict__, **changes})


def test_json_round_trip_is_exact_and_stable():
    report = _report()
    text = report.to_json()
    again = AudioReport.from_json(text)
    assert again == report  # every nested value typed again, tuples as tuples
    assert again.to_json() == text  # same report, same bytes
    data = json.loads(text)
    assert data["format"] == REPORT_FORMAT and data["pipeline"] == "3"
    assert list(data) == sorted(data)


def test_json_names_no_local_path(tmp_path):
    text = _report().to_json()
    assert "/work/" not in text and str(tmp_path) not in text
    paths = [v for v in json.loads(text)["render"]["stages"][0]["inputs"]]
    assert paths == ["episodes/one/master.flac"]


def test_unmeasured_figures_are_null_not_nan():
    report = _report(input=InputFigures(duration=3.0, true_peak=float("nan")))
    assert json.loads(report.to_json())["input"]["true_peak"] is None


def test_reads_the_format_before_this_one():
    """Format 0: the dicts cache.py wrote before; a cache upgraded in place needs no
    re-encode."""
    old = json.loads(_report().to_json())
    del old["format"]
    old["version"] = old.pop("pipeline")
    old["speech"].pop("steps")
    old["render"]["steps"] = {"highpass": 80, "intro": {"file": "audio/intro.wav",
                                                       "gain": 2.1, "crossfade": 1.5}}
    del old["output"]["decoder_delay"]
    report = AudioReport.from_json(json.dumps(old))
    assert report.pipeline == "3" and report.output.decoder_delay is None
    assert report.speech.steps.intro == StingStep("audio/intro.wav", 2.1, 1.5)
    passthrough = {**old, "render": {}, "speech": {}}
    assert AudioReport.from_json(json.dumps(passthrough)).render is None


@pytest.mark.parametrize("change, problem", [
    (lambda d: d.update(format=REPORT_FORMAT + 1), "newer"),
    (lambda d: d["output"].pop("size"), "report.output.size: missing"),
    (lambda d: d.update(limiter=[1, 2]), "report.limiter: not an object"),
])
def test_refuses_what_it_cannot_read(change, problem):
    data = json.loads(_report().to_json())
    change(data)
    with pytest.raises(ReportFormatError, match=problem):
        AudioReport.from_json(json.dumps(data))
    with pytest.raises(ReportFormatError):
        AudioReport.from_json("{not json")


def test_a_mono_target_is_explained_not_shown_as_a_miss():
    rows = dict(producer.lines(_report(channels=1)))
    assert rows["target"].startswith("-19.0 LUFS, true peak <= -1.0 dBTP (mono: 3 LU under "
                                     "the show's -16.0 LUFS, so it plays as loud as stereo")
    assert dict(producer.lines(_report()))["target"] == "-16.0 LUFS, true peak <= -1.0 dBTP"
    assert producer.headline(_report(channels=1)).startswith("-19.1 LUFS (target -19.0, mono)")
    page = producer.page("Show", "one", "One", _report(channels=1))
    assert "target, -19.0 LUFS (mono: see below)" in page


def test_pages_escape_what_they_show():
    report = _report(master="episodes/<b>/master.flac")
    page = producer.page("Show & <Co>", "one", "<script>alert(1)</script>", report)
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "Show &amp; &lt;Co&gt;" in page
    assert '<meta name="viewport"' in page
    index = producer.index_page("Show", [("one", "<i>One</i>", report), ("two", "Two", None)])
    assert "&lt;i&gt;One&lt;/i&gt;" in index and "not processed" in index


def test_chart_places_the_curves_on_one_time_axis():
    chart = producer.chart(_report())
    # The master's second 1 plays at offset + 1 = 2.5 s; the MP3's at 1 s.
    first_master = float(chart.master.split()[0][1:].split(",")[0])
    first_mp3 = float(chart.mp3.split()[0][1:].split(",")[0])
    seconds = 3 + 1.5  # the master ends 1.5 s later than its own length
    per_second = (chart.right - chart.left) / seconds
    assert first_mp3 == pytest.approx(chart.left + 3 * per_second, abs=0.1)
    assert first_master == pytest.approx(chart.left + 3.5 * per_second, abs=0.1)
    assert [label for _, label in chart.y_ticks if label] == ["-50", "-40", "-30", "-20",
                                                               "-10"]
