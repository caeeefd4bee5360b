"""The master as a stream of blocks of 16 kHz mono audio, each cut in a pause.

faster-whisper given a file decodes all of it, runs the voice-activity filter
over all of it and computes the log-mel features of all of it at once: about
60 MB per minute of audio with base, 1.7 GB for 20 minutes. Here the master is
decoded frame by frame (PyAV, with the resampler faster-whisper itself uses,
so the samples are the same) and handed to the model a block at a time, so
peak memory is set by the block, not by the episode: 720 MB for those 20
minutes with base, 682 MB for 60 minutes with tiny.en (4.5 GB before).

A block ends at the quietest moment of its last ``SEARCH`` seconds (the
lowest energy over 0.4 s): between words, so no word is cut in half. The next
block starts with the last ``LEAD`` seconds of it again (from a pause too):
Whisper hears the first sentence of a block worse without the one before it
(base, 30 s blocks of the benchmark's dialogue: WER 17 % without, against 8 %
for the whole), and the words heard in that lead, heard already, are dropped,
so no word is heard twice. Blocks never cross a span's edge: per-track
transcription hands only the spans where a speaker talks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16_000
BLOCK = 240.0  # seconds of audio per model call: eight of Whisper's 30 s windows
SEARCH = 20.0  # the cut is looked for in the block's last seconds
LEAD = 10.0  # seconds of the block before given again as context (5 to 10, from a pause)
QUIET = 0.4  # seconds over which the energy of a pause is measured


def decode(path: Path, rate: int = SAMPLE_RATE) -> Iterator[np.ndarray]:
    """The first audio stream of ``path`` as float32 mono at ``rate``, in pieces of a
    few seconds (PyAV, resampled to s16 as faster-whisper does, then scaled)."""
    import av

    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=rate)
    with av.open(str(path), mode="r", metadata_errors="ignore") as container:
        frames = container.decode(audio=0)
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                break
            except av.error.InvalidDataError:  # a damaged packet: skipped, as players do
                continue
            for out in resampler.resample(frame):
                yield out.to_ndarray().reshape(-1).astype(np.float32) / 32768.0
        for out in resampler.resample(None):  # what the resampler still holds
            yield out.to_ndarray().reshape(-1).astype(np.float32) / 32768.0


def quietest(audio: np.ndarray, lo: int, hi: int, rate: int = SAMPLE_RATE) -> int:
    """The sample in ``audio[lo:hi]`` at the middle of its quietest ``QUIET`` seconds."""
    hop = rate // 100  # 10 ms frames
    window = max(1, int(QUIET * 100))
    frames = (hi - lo) // hop
    if frames <= window:
        return hi
    energy = np.square(audio[lo:lo + frames * hop].astype(np.float64)).reshape(frames, hop)
    smooth = np.convolve(energy.sum(axis=1), np.ones(window), mode="valid")
    return lo + (int(np.argmin(smooth)) + window // 2) * hop


def blocks(pieces: Iterable[np.ndarray], spans: Sequence[tuple[float, float | None]] = ((0.0,
           None),), *, rate: int = SAMPLE_RATE, block: float = BLOCK, search: float = SEARCH,
           lead: float = LEAD) -> Iterator[tuple[int, np.ndarray, int]]:
    """(first sample, audio, fresh) of each block of the decoded ``pieces`` within
    ``spans`` (seconds, in order, not overlapping; an end of None runs to the end).

    ``audio[fresh:]`` is new; ``audio[:fresh]`` is the end of the block before (at
    most ``lead`` seconds, from a pause), given again so the recogniser starts the
    new part in context; what it hears there was heard before and is dropped."""
    size, look, lead_n = int(block * rate), int(search * rate), int(lead * rate)
    edges = [(int(round(a * rate)), None if b is None else int(round(b * rate)))
             for a, b in spans]
    span = 0
    held: list[np.ndarray] = []  # audio of the current span not yet handed on
    held_len = 0
    first = edges[0][0] if edges else 0  # the sample at held[0][0]
    tail = np.zeros(0, np.float32)  # the lead for the next block of this span

    def emit(audio: np.ndarray) -> tuple[int, np.ndarray, int]:
        nonlocal tail
        out = (first - len(tail), np.concatenate([tail, audio]) if len(tail) else audio,
               len(tail))
        if lead_n and len(audio) > lead_n:
            start = quietest(audio, len(audio) - lead_n, len(audio) - lead_n // 2, rate)
            tail = audio[start:].copy()
        return out

    position = 0  # the sample at the start of the next piece
    for piece in pieces:
        while span < len(edges) and len(piece):
            a, b = edges[span]
            lo = max(a - position, 0)
            hi = len(piece) if b is None else min(b - position, len(piece))
            if hi > lo:
                held.append(piece[lo:hi])
                held_len += hi - lo
                while held_len >= size + look:
                    audio = np.concatenate(held)
                    cut = quietest(audio, size - look, size, rate)
                    yield emit(audio[:cut])
                    held, held_len, first = [audio[cut:]], len(audio) - cut, first + cut
            if b is not None and position + len(piece) >= b:  # the span ends in this piece
                if held_len:
                    yield emit(np.concatenate(held))
                held, held_len, tail = [], 0, np.zeros(0, np.float32)
                span += 1
                first = edges[span][0] if span < len(edges) else 0
                continue
            break
        position += len(piece)
    if held_len and span < len(edges):
        yield emit(np.concatenate(held))
