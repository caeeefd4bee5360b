"""The render of a multitrack episode, as a value: which process does what."""

from __future__ import annotations

from dataclasses import replace

from podcast.audio.analysis import Analysis
from podcast.audio.mix import TrackPlan, tracks_render
from podcast.show.settings import AudioSettings


def analysis(**changes) -> Analysis:
    base = Analysis(integrated=None, threshold=None, lra=None, sample_peak=None, duration=60.0,
                    codec="pcm_s24le", sample_rate=48000, channels=1, short_term=[],
                    noise_floor=-64.0, speech_level=-22.0, speech_energy=-24.0, hum=None)
    return replace(base, **changes)


PLANS = [
    TrackPlan("episodes/x/host.wav", ".cache/audio/gate-a.wav", analysis(), 0.0, "Host"),
    TrackPlan("episodes/x/guest.wav", ".cache/audio/gate-b.wav",
              analysis(hum=50, speech_level=-34.0), 0.5, "Guest"),
    TrackPlan("episodes/x/bed.wav", ".cache/audio/gate-c.wav", analysis(channels=2), 3.0),
]


def test_each_track_has_its_own_chain_then_one_mix_and_the_edit_point():
    render = tracks_render(AudioSettings(), PLANS, duration=60.0, gain=2.0, limit=-2.5,
                           channels=2, edit="atrim=0:50")
    (stage,) = render.stages
    assert stage.inputs == ("episodes/x/host.wav", "episodes/x/guest.wav", "episodes/x/bed.wav",
                            ".cache/audio/gate-a.wav", ".cache/audio/gate-b.wav",
                            ".cache/audio/gate-c.wav")
    chains = stage.graph.split(";")
    host, guest, bed = chains[0], chains[1], chains[2]
    assert "bandreject" not in host and "bandreject=f=50" in guest  # each its own hum
    # Each its own denoiser: the host's room tone lies 42 dB under the speech, which the
    # gate and the crossgate keep inaudible; the guest's, 30 dB, is taken down.
    assert "afftdn" not in host and "afftdn=nr=12:nf=-53" in guest and "dynaudnorm" in host
    assert "42 dB under the speech" in render.steps["tracks"][0]["steps"]["denoise_skipped"]
    assert "volume=0.500dB" in guest
    assert "dynaudnorm" not in bed and "afftdn" not in bed and "volume=3.000dB" in bed
    assert stage.graph.count("amultiply") == 3
    # The one point the whole mix passes before the gain: the edit list goes there.
    assert "amix=inputs=3:normalize=0:duration=longest,atrim=0:50,volume=2.000dB" in stage.graph
    assert render.tail.startswith("alimiter") and render.steps["edit"] == "atrim=0:50"
    assert [t["speaker"] for t in render.steps["tracks"]] == ["Host", "Guest", None]


def test_strong_denoise_runs_one_deepfilternet_with_a_channel_per_speaker():
    render = tracks_render(replace(AudioSettings(), denoise="strong"), PLANS, duration=60.0,
                           gain=0.0, limit=None, channels=2)
    first, dfn, last = render.stages
    assert first.inputs == ("episodes/x/host.wav", "episodes/x/guest.wav")
    assert "join=inputs=2:channel_layout=stereo" in first.graph and first.channels == 2
    assert (dfn.kind, dfn.channels, dfn.rate) == ("dfn", 2, 48000)
    # The music bed is never denoised: it joins after DeepFilterNet, beside the envelopes.
    assert last.inputs[0] == "episodes/x/bed.wav"
    assert "pan=mono|c0=c1" in last.graph and render.tail == ""
