"""Masters at many levels and in every input format come out at the target, measured
on the decoded MP3, as CBR 44.1 kHz with an Info header. The level cases run
without the speech chain (PLAIN: a linear gain, a limiter only when needed);
the default chain is held to the same guarantees in test_audio_speech.py."""

from __future__ import annotations

import pytest
from audio_helpers import PLAIN, decoded_loudness, process, show_with_master

from podcast.audio import master as mastering
from podcast.audio.analysis import Analysis
from podcast.audio.tags import mp3_info
from podcast.show.config import AudioSettings

CASES = {
    # name: (signal, expected target, limiter expected)
    "very quiet": (dict(gain_db=-24.0), -16.0, False),
    "over 0 dBTP (float)": (dict(gain_db=+6.0, codec="pcm_f32le"), -16.0, False),
    "peaky speech": (dict(peaky=True, gain_db=-6.0), -16.0, True),
    "mono 48 kHz 24-bit": (dict(channels=1, rate=48000, codec="pcm_s24le", gain_db=-8.0),
                           -19.0, False),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_levels_reach_target_on_decoded_mp3(tmp_path, case):
    signal, target, limited = CASES[case]
    root = show_with_master(tmp_path, audio=PLAIN, **signal)
    (result,) = process(root, jobs=1)
    path = result.media.path
    loud = decoded_loudness(path)  # decode the published (tagged) file and measure again
    assert loud.integrated == pytest.approx(target, abs=0.5)
    assert loud.true_peak <= -1.0
    report = result.report
    assert report.limiter.engaged is limited
    if "over 0" in case:  # a float master may exceed full scale; the gain brings it down
        assert report.input.true_peak > 0.0 and report.gain < 0
    assert report.output.target == target
    assert report.output.integrated == pytest.approx(loud.integrated, abs=0.1)
    info = mp3_info(path)
    assert info.cbr and info.sample_rate == 44100 and info.has_info_header
    assert info.channels == (1 if "mono" in case else 2)
    assert info.bitrate == (64000 if "mono" in case else 128000)
    assert info.duration == pytest.approx(6.0, abs=0.06)
    assert result.media.duration == report.duration == pytest.approx(info.duration, abs=0.001)


@pytest.mark.slow
@pytest.mark.parametrize("name,codec,rate", [
    ("master.flac", None, 96000),
    ("master.mp3", None, 44100),
    ("master.m4a", None, 48000),
    ("master.aiff", None, 44100),
    ("master.wav", "pcm_s16le", 44100),
])
def test_input_formats(tmp_path, name, codec, rate):
    root = show_with_master(tmp_path, name, rate=rate, codec=codec, gain_db=-10.0)
    (result,) = process(root, jobs=1)
    loud = decoded_loudness(result.media.path)
    assert loud.integrated == pytest.approx(-16.0, abs=0.5) and loud.true_peak <= -1.0
    assert result.report.input.sample_rate == rate
    assert mp3_info(result.media.path).sample_rate == 44100  # never 192 kHz


@pytest.mark.slow
def test_imageio_ffmpeg_binary_works(tmp_path, monkeypatch):
    """The pipeline needs only ffmpeg; the wheel's ffmpeg (a newer major) must do."""
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    monkeypatch.setenv("PODCAST_FFMPEG", imageio_ffmpeg.get_ffmpeg_exe())
    root = show_with_master(tmp_path, peaky=True, gain_db=-3.0)
    (result,) = process(root, jobs=1)
    loud = decoded_loudness(result.media.path)
    assert loud.integrated == pytest.approx(-16.0, abs=0.5) and loud.true_peak <= -1.0
    assert mp3_info(result.media.path).has_info_header


def _analysis(integrated: float, peak: float, channels: int = 2,
              levelled: float | None = None) -> Analysis:
    return Analysis(integrated=integrated, threshold=integrated - 10, lra=5.0,
                    sample_peak=peak, duration=60.0, codec="pcm_s16le", sample_rate=48000,
                    channels=channels, short_term=[], noise_floor=None, speech_level=None,
                    speech_energy=None, hum=None, levelled=levelled,
                    levelled_peak=-0.9 if levelled is not None else None)


def test_plan_is_linear_gain_unless_peaks_would_break_the_ceiling():
    settings = AudioSettings(**PLAIN)
    quiet = mastering.plan_gain(_analysis(-26.0, -14.0), settings)
    assert quiet.limit is None
    assert quiet.gain == pytest.approx(10.0 + mastering.cbr_loss(128))
    peaky = mastering.plan_gain(_analysis(-26.0, -3.0), settings)
    assert peaky.limit is not None and peaky.limit < settings.true_peak
    assert peaky.limiter_reduction == pytest.approx(peaky.predicted_peak - peaky.limit)
    chain = peaky.filters().split(",")
    assert chain[1] == "aresample=44100" and chain[2].startswith("alimiter=")
    assert "level=disabled" in chain[2]  # no hidden make-up gain
    assert "loudnorm" not in peaky.filters()
    mono = mastering.plan_gain(_analysis(-26.0, -12.0, channels=1), settings)
    assert (mono.target, mono.bitrate, mono.channels) == (-19.0, 64, 1)


def test_plan_with_the_leveler_aims_the_levelled_loudness_and_always_limits():
    """After the leveler every passage peaks near full scale: the gain comes from the
    predicted levelled loudness, and the limiter is always there."""
    p = mastering.plan_gain(_analysis(-30.0, -12.0, levelled=-17.5), AudioSettings())
    assert p.leveler and p.limit is not None
    assert p.gain == pytest.approx(-16.0 + 17.5 + mastering.cbr_loss(128))
    assert p.predicted_peak == pytest.approx(-0.9 + p.gain)


def test_plan_settles_the_gain_against_the_limiters_measured_loss():
    """The trials say the limiter takes 0.3 LU at +2 dB and 1.5 at +5: the gain must
    make up for the loss at that same gain (two rounds of the fixed point left it
    0.28 dB short)."""
    from podcast.audio.analysis import limiter_loss

    a = _analysis(-30.0, -12.0, levelled=-21.2)
    a.limiter_loss = [[2.0, 0.3], [5.0, 1.5]]
    p = mastering.plan_gain(a, AudioSettings())
    base = -16.0 + 21.2 + mastering.cbr_loss(128)
    assert p.gain == pytest.approx(base + limiter_loss(a, p.gain), abs=0.02)
    assert p.gain == pytest.approx((base + 0.3 - 0.4 * 2.0) / 0.6, abs=0.02)  # closed form


def test_verification_failure_reports_and_leaves_nothing(tmp_path, monkeypatch):
    """When the decoded MP3 cannot be brought into tolerance, fail with the figures."""
    monkeypatch.setattr(mastering, "MAX_ATTEMPTS", 1)
    monkeypatch.setattr(mastering, "cbr_loss", lambda bitrate: 3.0)  # a wrong compensation
    root = show_with_master(tmp_path, gain_db=-10.0)
    from podcast.errors import AudioError
    with pytest.raises(AudioError) as err:
        process(root, jobs=1)
    message = str(err.value)
    assert message.startswith("episodes/multiple-bombings/master.wav: the MP3 missed -16.0 LUFS")
    assert "LUFS" in message and "dBTP" in message
    assert not list((root / ".cache" / "audio").glob("*.mp3"))
    assert not list((root / ".cache" / "audio").glob(".*"))
    assert not (root / "feed").exists()


def test_the_correction_slope_never_overshoots():
    """Through a limiter the loudness grows ever slower with the gain: a rise is
    divided by the secant of the last two tries (steeper than the curve at the
    target), a fall by 1 (no slope is steeper)."""
    from podcast.audio.master import slope

    points = [(8.5, -17.2), (9.7, -16.7)]  # measured: 0.42 LU per dB near the target
    assert slope(points, +0.7) == pytest.approx(0.5 / 1.2)
    assert slope(points, -0.7) == 1.0  # lowering the gain: by the error itself
    assert slope(points[:1], +0.7) == 1.0  # one point: nothing to draw a secant from
    assert slope([(1.0, -20.0), (2.0, -20.0)], +1.0) == 0.25  # bounded
    assert slope([(1.0, -20.0), (2.0, -18.0)], +1.0) == 1.0
