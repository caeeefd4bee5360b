"""A multitrack episode's report: each track's figures in the JSON contract, and as
the producer reads them."""

from __future__ import annotations

from dataclasses import replace

from podcast.audio import producer
from podcast.audio.report import AudioReport, ChainSteps, GateStep, TrackFigures
from tests.test_audio_report_model import _report

TRACKS = (
    TrackFigures(file="episodes/one/host.wav", sha256="aa" * 32, speaker="Host",
                 duration=600.0, steps=ChainSteps(highpass=80, denoise="light",
                                                  gate=GateStep(-53.8, -12.0)),
                 noise_floor=-63.8, gain=0.0, speech=300.5,
                 spans=((0.8, 9.3), (21.7, 29.6)), bleed=13.9, held_down=30.0,
                 level_before=-23.1, level_after=-19.6),
    TrackFigures(file="episodes/one/guest.wav", sha256="bb" * 32, speaker="Guest",
                 duration=600.2, steps=ChainSteps(highpass=80, dehum=50, denoise="light"),
                 noise_floor=-63.9, hum=50, hum_level=-11.5, gain=0.55, speech=280.0,
                 spans=((11.0, 20.0),), bleed=13.9, held_down=30.0,
                 level_before=-34.9, level_after=-19.2),
    TrackFigures(file="episodes/one/bed.wav", sha256="cc" * 32, speaker=None,
                 duration=601.0, gain=3.4, speech=590.0, held_down=12.0),
)


def test_tracks_survive_the_json_round_trip():
    report = _report(tracks=TRACKS)
    again = AudioReport.from_json(report.to_json())
    assert again == report
    assert again.tracks[0].spans == ((0.8, 9.3), (21.7, 29.6))  # pairs as tuples
    assert again.tracks[1].steps.dehum == 50
    # A report without tracks (a master's, or one written before them) reads as before.
    assert AudioReport.from_json(_report().to_json()).tracks == ()


def test_the_producer_reads_each_track_and_the_voice_gap():
    text = producer.text("one", _report(tracks=TRACKS))
    assert "tracks          3, mixed after a crossgate" in text
    assert "Guest           episodes/one/guest.wav: gain +0.6 dB" in text
    assert "hum 50 Hz found, 11.5 dB under the speech" in text
    assert "held down 30 dB more where only they talk" in text
    assert "alone: -34.9 LUFS as recorded -> -19.2 LUFS in the MP3" in text
    assert "voice gap       11.8 -> 0.4 LU" in text
    assert "music           episodes/one/bed.wav: gain +3.4 dB (never levelled), ducked 12 dB" \
        in text
    # The master's own chain rows give way to the tracks' (each says its own).
    assert "noise floor" not in text
    single = producer.text("one", replace(_report(), tracks=()))
    assert "noise floor" in single and "voice gap" not in single
