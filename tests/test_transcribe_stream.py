"""The master streamed to the recogniser in blocks cut in pauses (transcribe/stream.py).

Pure numpy over generated signals: every sample is new in exactly one block, in
order; each cut lands in the quietest stretch near the block's end; a block
starts with at most ``lead`` seconds of the one before, never more than
``lead + block + search`` in all; spans are honoured to the sample.
"""

from __future__ import annotations

import pytest

np = pytest.importorskip("numpy", reason="needs the transcribe extra")

from podcast.transcribe.stream import blocks, decode, quietest  # noqa: E402

RATE = 1000  # a low rate keeps the arrays small; the logic is rate-independent


def bursts(seconds: float, pauses: list[tuple[float, float]], seed: int = 7) -> np.ndarray:
    """Noise ("speech") everywhere but in ``pauses`` (near-silence)."""
    rng = np.random.default_rng(seed)
    audio = rng.uniform(-0.5, 0.5, int(seconds * RATE)).astype(np.float32)
    for a, b in pauses:
        audio[int(a * RATE):int(b * RATE)] *= 0.001
    return audio


def pieces(audio: np.ndarray, size: int = 333):
    for i in range(0, len(audio), size):
        yield audio[i:i + size]


def test_every_sample_is_new_once_in_order_and_blocks_are_bounded():
    audio = bursts(100.0, [])
    out = list(blocks(pieces(audio), rate=RATE, block=10.0, search=2.0, lead=3.0))
    assert np.array_equal(np.concatenate([a[fresh:] for _, a, fresh in out]), audio)
    for first, a, fresh in out:
        assert np.array_equal(a, audio[first:first + len(a)])  # the lead is the audio before
        assert fresh <= 3 * RATE and len(a) - fresh <= 12 * RATE
    assert out[0][2] == 0 and all(fresh >= 1.5 * RATE for _, _, fresh in out[1:])
    assert all(len(a) - fresh >= 8 * RATE for _, a, fresh in out[:-1])


def test_a_block_ends_in_the_pause_before_its_end_and_its_lead_starts_in_one():
    pauses = [(6.0, 6.5), (8.6, 9.2), (16.2, 16.6), (18.1, 18.9), (27.0, 27.5)]
    out = list(blocks(pieces(bursts(38.0, pauses)), rate=RATE, block=10.0, search=2.0,
                      lead=3.0))
    cuts = [(f + len(a)) / RATE for f, a, _ in out[:-1]]
    assert len(cuts) == 3
    for cut, (a, b) in zip(cuts, [pauses[1], pauses[3], pauses[4]]):
        assert a <= cut <= b, (cut, a, b)
    leads = [f / RATE for f, _, fresh in out[1:]]
    for start, (a, b) in zip(leads, [pauses[0], pauses[2]]):
        assert a <= start <= b, (start, a, b)


def test_quietest_finds_the_pause_and_falls_back_to_the_end():
    audio = bursts(10.0, [(4.0, 4.6)])
    assert 4.0 * RATE <= quietest(audio, 2 * RATE, 8 * RATE, RATE) <= 4.6 * RATE
    assert quietest(audio, 0, 100, RATE) == 100  # too short to judge: cut where asked


def test_spans_are_honoured_to_the_sample_and_never_crossed():
    audio = np.arange(60 * RATE, dtype=np.float32)  # each sample says where it came from
    spans = [(1.0, 10.0), (30.5, 41.25), (55.0, None)]
    out = list(blocks(pieces(audio), spans, rate=RATE, block=4.0, search=1.0, lead=1.0))
    got = np.concatenate([a[fresh:] for _, a, fresh in out])
    want = np.concatenate([audio[1000:10000], audio[30500:41250], audio[55000:]])
    assert np.array_equal(got, want)
    for first, a, fresh in out:
        assert a[0] == first  # the block's first sample is where it says
        assert any(s * RATE <= a[0] and (e is None or a[-1] < e * RATE) for s, e in spans)
    assert [first for first, _, fresh in out if fresh == 0] == [1000, 30500, 55000]


def test_decode_gives_the_samples_faster_whisper_would(tmp_path):
    faster_whisper = pytest.importorskip("faster_whisper")
    from showfactory import write_wav

    path = write_wav(tmp_path / "tone.wav", seconds=3.3, rate=44100)
    streamed = np.concatenate(list(decode(path)))
    assert np.array_equal(streamed, faster_whisper.decode_audio(str(path), sampling_rate=16000))
