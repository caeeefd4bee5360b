"""The measuring pass: what the speech chain needs to know before it runs.

Two ffmpeg processes decode the master side by side (one per core):

- the room tone (and, without the leveler, the master's loudness: ``ebur128``
  at full rate, since the gain comes from it): a mono downmix at 8 kHz in
  100 ms frames (cheap to filter), its RMS after the rumble filter and
  notches at both hum families (so hum is not counted as room tone), and, at
  1 kHz, the RMS of the 40-400 Hz band as it is, without the 50 Hz family and
  without the 60 Hz family (five narrow notches each);
- the loudness predictor (only with the leveler, on a 16 kHz copy): the
  master through the high-pass and the leveler, into ``ebur128``. Its
  integrated loudness is the loudness of the levelled speech, so the final
  gain is known before the encode (the MP3 is verified anyway); and at two
  trial gains through the limiter, what the limiter will take of it.

With the leveler, the master's own loudness, range and short-term curve (for
the report) are measured during the encode, by the process that reads the
master for the chain (master.encode), on the core the encoder leaves.

From the frames (python, after the run):

- pauses: runs of at least half a second of frames within ``PAUSE_SPREAD``
  of the 10th percentile (digital silence excepted): steady room tone, not
  the gaps between words nor the decays of words;
- noise floor: the energy mean of the pauses (dBFS of the downmix). It is
  trusted only when it lies at least ``MIN_SNR`` under the speech (the 90th
  percentile): a master without pauses has no room tone to measure, and
  nothing is then denoised or gated. The report measures the room tone and
  hum in the same pauses of the MP3;
- hum: how much of the low band a family's notches take away during the
  pauses (the median over frames). Narrow notches take a fraction of a dB of
  room tone; hum makes it several dB. A family whose notches take at least
  ``HUM_MIN_DB`` hums; if both do, the one that takes more.

An earlier design measured hum with a bank of 18 narrow band-passes; ffmpeg
spends a fixed cost per filter branch and per frame, and that bank cost more
than the rest of the pass together. The notch difference needs three.
Everything is kept in constant memory: the frame values go to files in a
temporary folder (about 2 MB an hour) and are read once after the run.
"""

from __future__ import annotations

import logging
import math
import statistics
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from podcast.audio import ffmpeg
from podcast.audio.filters import LEVELER, hum_freqs, limiter, notches, surround_downmix
from podcast.audio.measure import (
    SecondLog,
    ebur128_info,
    parse_stream,
    stats_frames,
    summary_of,
)
from podcast.errors import AudioError

log = logging.getLogger(__name__)

ANALYSIS_VERSION = "11"  # 10: the momentary loudness the gain is planned from; 11: tracks'
ANALYSIS_RATE = 8000
HUM_RATE = 1000
FAMILIES = (50, 60)
HUM_MIN_DB = 1.0  # dB the notches of one family take from the 40-400 Hz band in pauses
QUIET_PERCENTILE = 10
MIN_SNR = 15.0  # dB the room tone must lie under the speech to be trusted
MIN_QUIET_FRAMES = 10
PAUSE_FRAMES = 5  # 100 ms frames: a pause, not a gap between words
PAUSE_SPREAD = 4.0  # dB over the floor that room tone's frames scatter within
ASTATS = "astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=RMS_level"


def floor_graph(channels: int, folder: Path, *, rate: int = ANALYSIS_RATE,
                highpass: int = 80) -> str:
    """The mono branch from ``[m]``: 100 ms frames of broadband RMS into
    ``folder/frames.txt``, and of the low band as it is (``low.txt``) and without
    each hum family (``low50.txt``, ``low60.txt``)."""
    mono = "pan=mono|c0=0.5*c0+0.5*c1" if channels == 2 else "anull"
    both = sorted({f for f0 in FAMILIES for f in hum_freqs(f0, rate)})
    broad = ([f"highpass=f={highpass}"] if highpass else []) + notches(both, rate)

    def out(name: str) -> str:
        return f"{ASTATS},ametadata=mode=print:file={folder / name}"
    # Frames are cut once, before the split: ffmpeg's cost is per frame and branch.
    # A short resampling filter: these are energy measurements, not audio.
    return ";".join([
        f"[m]{mono},aresample={rate}:filter_size=8,asetnsamples=n={rate // 10},asplit=2[f][h]",
        f"[f]{','.join(broad)},{out('frames.txt')},anullsink",
        f"[h]aresample={HUM_RATE}:filter_size=8,highpass=f=40,lowpass=f=400,asetnsamples=n="
        f"{HUM_RATE // 10},asplit=3[h0][h50][h60]",
        f"[h0]{out('low.txt')},anullsink",
        *(f"[h{f0}]{','.join(notches(hum_freqs(f0, HUM_RATE), HUM_RATE))},"
          f"{out(f'low{f0}.txt')},anullsink" for f0 in FAMILIES)])


def read_low(folder: Path) -> dict:
    return {key: stats_frames(folder / f"low{key or ''}.txt") for key in (0, *FAMILIES)}


def _power(db: float) -> float:
    return 10 ** (db / 10)


def hum_power(low: dict, family: int, frames: list[int]) -> list[float]:
    """Per frame, the power the family's notches took from the low band."""
    full, without = low[0], low[family]
    return [max(0.0, _power(full[i]) - _power(without[i])) for i in frames
            if i < len(full) and i < len(without)]


def hum_level(low: dict, family: int, frames: list[int], speech_db: float | None
              ) -> float | None:
    """dB of the hum (what the family's notches take) in ``frames``, re speech."""
    if speech_db is None:
        return None
    taken = hum_power(low, family, frames)
    if not taken or sum(taken) <= 0:
        return None
    return round(10 * math.log10(sum(taken) / len(taken)) - speech_db, 1)


@dataclass
class Analysis:
    """What the measuring pass found (cached in ``.cache/audio/`` by master content)."""

    # The master's loudness (with the leveler: of a 16 kHz copy, for the report).
    integrated: float | None  # LUFS
    threshold: float | None
    lra: float | None  # LU
    sample_peak: float | None  # dBFS (not measured with the leveler: it sets the peaks)
    duration: float  # seconds decoded
    codec: str | None
    sample_rate: int | None
    channels: int | None
    short_term: list  # one value a second (LUFS or None), the master's
    noise_floor: float | None  # dBFS of the mono downmix; None: no room tone found
    speech_level: float | None  # dBFS: 90th percentile of the 100 ms frames
    speech_energy: float | None  # dBFS: energy mean of the loud frames (>= 70th pct)
    hum: int | None  # 50 or 60 when found
    hum_excess: dict = field(default_factory=dict)  # 50, 60 -> dB its notches take in pauses
    hum_level: float | None = None  # dB of the hum re speech, in the pauses
    pause_level: float | None = None  # LU of the pauses (momentary) re the integrated
    true_peak: float | None = None  # dBTP of the master, when measured (not by this pass)
    levelled: float | None = None  # LUFS of the master through high-pass and leveler
    levelled_peak: float | None = None  # dBFS sample peak of that
    # (gain dB, loudness the limiter took at that gain, LU), measured after the leveler
    limiter_loss: list = field(default_factory=list)
    quiet: list = field(default_factory=list)  # [start, end) 100 ms frame runs of room tone
    loud: list = field(default_factory=list)  # the same for speech (>= 70th percentile)
    # Momentary loudness (400 ms, every 100 ms) of what the gain is planned from: the
    # levelled speech with the leveler, the master without. The automatic cutter's plan
    # leaves out the blocks its cuts take away (master.planned); a multitrack episode's
    # speakers are levelled to one another from it.
    momentary: list = field(default_factory=list)
    # Kept for a multitrack episode's track (``analyse(keep=True)``), every 100 ms: the
    # level of the frames above (dBFS), and the momentary loudness of the track as it
    # is (LUFS, 400 ms ending there; at 16 kHz with the leveler).
    frames: list = field(default_factory=list)
    raw_momentary: list = field(default_factory=list)
    version: str = ANALYSIS_VERSION

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Analysis":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def _runs(flags: list[bool]) -> list[list[int]]:
    """[start, end) index runs where ``flags`` is true (compact in the cache)."""
    runs, start = [], None
    for i, flag in enumerate(flags + [False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append([start, i])
            start = None
    return runs


def indices(runs: list) -> list[int]:
    return [i for a, b in runs for i in range(a, b)]


def energy_db(values) -> float | None:
    values = [v for v in values if v > -150]
    if not values:
        return None
    return 10 * math.log10(sum(10 ** (v / 10) for v in values) / len(values))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


PREDICTOR_RATE = 16000  # the leveler's outcome measured at a third of the work
PREDICTOR_BIAS = 0.0  # LU: at 16 kHz the levelled speech reads 0.1 louder, the trials 0.1 more loss
TRIAL_GAINS = (2.0, 5.0)  # dB: the limiter tried after the leveler at these gains


def momentary_log(path: Path) -> str:
    """ebur128 that writes its momentary loudness, every 100 ms, into ``path``."""
    return f"ebur128=metadata=1,ametadata=mode=print:key=lavfi.r128.M:file={path}"


def read_momentary(path: Path) -> list[float]:
    """The values ``momentary_log`` wrote, rounded to 0.1 (silence as -120)."""
    values = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("lavfi.r128.M="):
                value = line.split("=", 1)[1].strip()
                values.append(-120.0 if "inf" in value else max(-120.0, round(float(value), 1)))
    return values


def predictor_graph(source: str, highpass: int, limit: float, log: Path | None = None) -> str:
    """From ``source`` (a 16 kHz copy): the high-pass and the leveler into ebur128
    (the graph's output ``[o]``); and at two trial gains through the limiter into
    ebur128: the levelled loudness and what the limiter will take of it. With
    ``log`` (a folder), the momentary loudness of the copy as it is goes into
    ``raw.txt`` there."""
    pre = ([f"highpass=f={highpass}"] if highpass else []) + [LEVELER]
    g = []
    if log is not None:
        g.append(f"{source}asplit=2[raw][in]")
        g.append(f"[raw]{momentary_log(log / 'raw.txt')},anullsink")
        source = "[in]"
    g += [f"{source}{','.join(pre)},asplit={1 + len(TRIAL_GAINS)}[lev]"
          + "".join(f"[t{i}]" for i in range(len(TRIAL_GAINS))),
          "[lev]ebur128=peak=sample:framelog=info[o]"]
    for i, gain in enumerate(TRIAL_GAINS):
        g.append(f"[t{i}]volume={gain}dB:precision=float,{limiter(limit)},"
                 "ebur128=framelog=verbose,anullsink")
    return ";".join(g)


def analyse(master: Path, *, where: str, highpass: int, leveler: bool, limit: float = -2.5,
            progress: ffmpeg.ProgressCallback | None = None, keep: bool = False) -> Analysis:
    """Run the measuring pass over ``master``; raise ``FFmpegError`` if it can't be read.

    Without the leveler the gain comes from the master's loudness, measured here
    at full rate. With it, the prediction works on a 16 kHz copy (a third of the
    work; the levelled loudness reads within 0.1-0.2 LU of full rate on speech,
    measured) beside the room tone's process, and the master's own figures (for
    the report) are left to the encode: this pass is what stands between the
    producer and the encode, so it does only what the chain needs first.
    ``keep``: the frame levels and momentary loudness are kept (a track's, which
    the crossgate and the levelling of speakers work from)."""
    from podcast.audio.measure import summaries
    from podcast.show.probe import probe

    source = str(Path(master).resolve())
    seconds = SecondLog()
    with tempfile.TemporaryDirectory(prefix="podcast-analysis-") as tmp:
        folder = Path(tmp)
        # The channel count decides the downmix: read it from the header first. A
        # master of more than two channels is measured as the chain makes it:
        # downmixed to stereo (surround_downmix), or the gain would be set
        # from loudness the MP3 never has.
        found = probe(master, where).channels or 2
        channels = min(found, 2)
        first = surround_downmix(found)
        # Without the leveler the master's loudness sets the gain: measured here, at
        # full rate. With it, the master's figures are only for the report: they
        # are measured while the chain reads the master (master.encode's meter).
        meter = "anull" if leveler else first + ebur128_info("sample")
        graph = f"[0:a:0]asplit=2[l][m];[l]{meter}[o];" + floor_graph(channels, folder)
        main = ffmpeg.Process(ffmpeg.base_args() + ["-i", source, "-filter_complex", graph,
                                                   "-map", "[o]", "-f", "null", "-"],
                              where=where, progress=progress, on_line=seconds.feed)
        predictor = None
        levelled = SecondLog()  # the levelled speech's momentary loudness
        if leveler:
            predictor = ffmpeg.Process(ffmpeg.quiet_args() + [
                "-i", source, "-filter_complex",
                predictor_graph(f"[0:a:0]{first}aresample={PREDICTOR_RATE},", highpass,
                                limit, folder if keep else None),
                "-map", "[o]", "-f", "null", "-"], where=where, on_line=levelled.feed)
        try:
            result = main.wait()
        except BaseException:
            if predictor is not None:
                predictor.kill()
            raise
        trials = summaries(predictor.wait().stderr) if predictor else []
        trials = trials[1:] if keep and trials else trials  # the first: the copy as it is
        loud = None if leveler else summary_of(result, where, "Parsed_ebur128_")
        frames = stats_frames(folder / "frames.txt")
        low = read_low(folder)
        raw = read_momentary(folder / "raw.txt") if keep and leveler else None
    if leveler and len(trials) != 1 + len(TRIAL_GAINS):
        raise AudioError(where, "the loudness prediction gave no result",
                         "Run with -v to see the ffmpeg output")
    stream = parse_stream(result.stderr)
    a = Analysis(
        integrated=loud.integrated if loud else None,
        threshold=loud.threshold if loud else None, lra=loud.lra if loud else None,
        sample_peak=loud.sample_peak if loud else None, duration=result.seconds or 0.0,
        codec=stream.codec if stream else None,
        sample_rate=stream.sample_rate if stream else None,
        channels=stream.channels if stream else None, short_term=seconds.values,
        noise_floor=None, speech_level=None, speech_energy=None, hum=None,
        momentary=[round(v, 2) for v in (levelled if leveler else seconds).momentary])
    if trials:
        levelled = trials[0].integrated - PREDICTOR_BIAS
        a.levelled, a.levelled_peak = round(levelled, 2), trials[0].sample_peak
        a.limiter_loss = [[g, round(max(0.0, trials[0].integrated + g - t.integrated), 2)]
                          for g, t in zip(TRIAL_GAINS, trials[1:])]
    _room_and_hum(a, frames, low)
    a.pause_level = pause_level(seconds.momentary, a.quiet, 0.0, a.integrated)
    if keep:
        a.frames = [round(v, 1) for v in frames]
        a.raw_momentary = raw or [round(v, 1) for v in seconds.momentary]
    return a


def pause_level(momentary: list[float], quiet: list, offset: float,
                integrated: float | None) -> float | None:
    """The energy mean of the momentary loudness over the pauses (``quiet`` runs of
    100 ms frames of the master, their file ``offset`` s later), re ``integrated``:
    how far under the speech the pauses sit, as a listener hears them (LU)."""
    step = round(offset * 10)
    # M value k (1-based) covers [0.1 k - 0.4, 0.1 k]: inside a run [s, e) for k in
    # [s + 4, e].
    values = [momentary[k - 1] for s, e in quiet for k in range(s + 4 + step, e + 1 + step)
              if 0 < k <= len(momentary)]
    level = energy_db(v for v in values if v > -120)
    if level is None or integrated is None or not math.isfinite(integrated):
        return None
    return round(level - integrated, 1)


def limiter_loss(a: Analysis, gain: float) -> float:
    """The loudness the limiter takes at ``gain``: the trials, interpolated (and
    extrapolated along their line, never below zero)."""
    if len(a.limiter_loss) < 2:
        return 0.0
    (g0, l0), (g1, l1) = a.limiter_loss[:2]
    return max(0.0, l0 + (l1 - l0) * (gain - g0) / (g1 - g0))


def _room_and_hum(a: Analysis, frames: list[float], low: dict) -> None:
    """Noise floor, pauses, speech level and hum from the frame values (module doc)."""
    sound = [v for v in frames if v > -150]
    if len(sound) < MIN_QUIET_FRAMES * 3:
        return
    a.speech_level = round(percentile(sound, 90), 1)
    speech = percentile(sound, 70)
    loud = [v >= speech for v in frames]
    a.loud = _runs(loud)
    a.speech_energy = energy_db(v for v, flag in zip(frames, loud) if flag)
    # Room tone is steady: pauses of at least half a second whose frames stay within
    # PAUSE_SPREAD of the quietest tenth (not the gaps between words, which the
    # leveler raises with the voice they belong to; not the decays of words, nor
    # digital silence). Their first 200 ms are left out.
    cut = percentile(frames, QUIET_PERCENTILE)
    near = [-150 < v <= cut + PAUSE_SPREAD for v in frames]
    a.quiet = [[s + 2, e] for s, e in _runs(near) if e - s >= PAUSE_FRAMES]
    floor = energy_db(frames[i] for i in indices(a.quiet))
    if sum(e - s for s, e in a.quiet) < MIN_QUIET_FRAMES or floor is None \
            or floor > a.speech_level - MIN_SNR:
        log.debug("no room tone found (speech %.1f dBFS)", a.speech_level)
        a.quiet = []
        return
    a.noise_floor = round(floor, 1)
    pauses = indices(a.quiet)
    found = []
    for f0 in FAMILIES:
        full, without = low[0], low[f0]
        taken = [full[i] - without[i] for i in pauses if i < len(full) and i < len(without)
                 and full[i] > -150 and without[i] > -150]
        if len(taken) < MIN_QUIET_FRAMES:
            return
        a.hum_excess[str(f0)] = round(statistics.median(taken), 1)
        if a.hum_excess[str(f0)] >= HUM_MIN_DB:
            found.append((a.hum_excess[str(f0)], f0))
    if found:
        a.hum = max(found)[1]
        a.hum_level = hum_level(low, a.hum, pauses, a.speech_energy)
