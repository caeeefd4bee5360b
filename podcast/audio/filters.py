"""The ffmpeg filters that the measuring pass and the speech chain share.

Both must run the same filter where one predicts what the other does (the
leveler, the limiter, the downmix of a surround master), so each is written
once here, below both: analysis.py and chain.py import from this module and
never from each other.
"""

from __future__ import annotations

OUTPUT_RATE = 44100

# The leveler: 200 ms frames, gaussian over 3 s, never its t option (it pumps).
LEVELER = "dynaudnorm=f=200:g=15:p=0.9:m=10:r=0.16"


def lin(db: float) -> float:
    return 10 ** (db / 20)


def notches(freqs, rate: int, q: float = 20.0) -> list[str]:
    return [f"bandreject=f={f:g}:width_type=q:width={q:g}" for f in freqs if f < rate / 2]


def hum_freqs(f0: int, rate: int, harmonics: int = 5) -> list[int]:
    return [f0 * h for h in range(1, harmonics + 1) if f0 * h < rate / 2]


def surround_downmix(channels: int | None) -> str:
    """The filter (with its comma) that first brings a master of more than two
    channels to stereo, in the measuring pass and in the chain alike; "" otherwise."""
    return "aformat=channel_layouts=stereo," if (channels or 2) > 2 else ""


def downmix_to(channels: int) -> str:
    """The output format of every branch (the master, the intro, the outro): the
    sting's loudness is measured after this too when the master is mono."""
    layout = "mono" if channels == 1 else "stereo"
    return f"aformat=sample_fmts=fltp:sample_rates={OUTPUT_RATE}:channel_layouts={layout}"


def limiter(limit: float) -> str:
    """alimiter at ``limit`` dBFS. level=disabled: no auto make-up gain;
    latency=enabled: its look-ahead is compensated, so chapters stay in sync."""
    return (f"alimiter=limit={lin(limit):.6f}:attack=5:release=100:level=disabled"
            ":latency=enabled:asc=disabled")
