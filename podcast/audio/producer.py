"""The report shown to the producer: ``podcast report`` in the terminal, and the
producer pages ``podcast serve`` draws under ``/_producer/`` (never published).

``lines`` turns an ``AudioReport`` into (label, value) rows in the order a
producer reads them; ``text`` prints them. The pages are Jinja2 templates in
this package (``templates/``: they belong to the tool, not to the show, and are
never uploaded), rendered with autoescape on; ``chart`` computes the geometry
of the short-term loudness curves (master and MP3 against the target) that the
episode template draws as SVG.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from podcast.audio.report import AudioReport

TEMPLATES = Path(__file__).parent / "templates"
LOUDNESS_RANGE = (-50.0, -5.0)  # LUFS drawn on the chart's vertical axis


def _fmt(value, unit: str = "", signed: bool = False) -> str:
    if value is None:
        return "-"
    return (f"{value:+.1f}" if signed else f"{value:.1f}") + (f" {unit}" if unit else "")


def target_text(report: AudioReport) -> str:
    """The target, and why a mono episode's is lower (it is not a failure)."""
    out = report.output
    text = f"{out.target:.1f} LUFS, true peak <= {out.ceiling:.1f} dBTP"
    show = report.settings.get("loudness")
    if out.channels == 1 and show is not None and show != out.target:
        text += (f" (mono: {show - out.target:.0f} LU under the show's {show:.1f} LUFS, "
                 "so it plays as loud as stereo on two speakers)")
    return text


def lines(report: AudioReport) -> list[tuple[str, str]]:
    """The figures as (label, value) rows, in the order a producer reads them."""
    inp, out, sp = report.input, report.output, report.speech
    steps = sp.steps
    rows = [
        ("target", target_text(report)),
        ("loudness", f"{_fmt(inp.integrated, 'LUFS')} -> {_fmt(out.integrated, 'LUFS')} "
                     "(MP3, decoded)"),
        ("loudness range", f"{_fmt(inp.lra, 'LU')} -> {_fmt(out.lra, 'LU')}"),
        ("true peak", (f"{_fmt(inp.true_peak, 'dBTP')} (master) -> "
                       if inp.true_peak is not None else "")
         + f"{_fmt(out.true_peak, 'dBTP')} (MP3, decoded)"),
        ("gain", f"{report.gain:+.1f} dB" + (" after the leveler" if steps.leveler else "")),
    ]
    lim = report.limiter
    rows.append(("limiter", f"peaks down by up to {lim.reduction:.1f} dB (ceiling "
                            f"{lim.ceiling:.1f} dBFS)" if lim.engaged else "not needed"))
    if out.passthrough:
        rows.append(("processing", "none: the MP3 was already on target (published as is)"))
        return rows
    if report.tracks:
        rows += track_lines(report)
    act = sp.leveler_action
    rows.append(("leveler", "off" if not steps.leveler and not report.tracks else
                 f"on; speech moved {act.low:+.1f} to {act.high:+.1f} dB from a plain "
                 "gain (5th-95th percentile)" if act else "on"))
    if not report.tracks:  # a multitrack episode's tracks say these for themselves
        rows.append(("high-pass", f"{steps.highpass} Hz" if steps.highpass else "off"))
        rows.append(("noise floor", f"{sp.noise_floor:.1f} dBFS in the pauses (mono)"
                     if sp.noise_floor is not None else "no room tone found"))
    if sp.room_tone:
        room = sp.room_tone
        rows.append(("pauses", f"{-room.before:.1f} -> {-room.after:.1f} LU under the "
                               f"speech ({room.reduction:.1f} LU further down)"))
    if not report.tracks:
        rows.append(("denoise", _denoise(steps)))
        rows.append(("hum", _hum(sp.hum, sp.hum_level, steps.dehum)))
    for kind, s in (("intro", steps.intro), ("outro", steps.outro)):
        if s:
            rows.append((kind, f"{s.file} ({s.gain:+.1f} dB, {s.crossfade:g} s crossfade)"))
    if report.offset:
        rows.append(("offset", f"the master starts at {report.offset:.2f} s"))
    if report.cuts:
        rows.append(("cuts", cuts_summary(report)))
    rows.append(("encodes", str(report.attempts)))
    return rows


def _denoise(steps) -> str:
    return steps.denoise or ("off" if not steps.denoise_skipped
                             else f"skipped ({steps.denoise_skipped})")


def track_lines(report: AudioReport) -> list[tuple[str, str]]:
    """A multitrack episode's rows: each track's chain and crossgate, and the voices'
    levels where each talks alone, as recorded and in the MP3."""
    rows = [("tracks", f"{len(report.tracks)}, mixed after a crossgate (the input above "
                       "is their plain mix)")]
    for tr in report.tracks:
        head = f"{tr.file}: gain {tr.gain:+.1f} dB"
        if tr.speaker is None:
            rows.append(("music", f"{head} (never levelled), ducked {tr.held_down or 0:g} dB "
                                  f"under speech for {clock_text(tr.speech)}"))
            continue
        floor = f"floor {tr.noise_floor:.1f} dBFS" if tr.noise_floor is not None \
            else "no room tone found"
        rows.append((tr.speaker, f"{head}, {floor}, hum {_hum(tr.hum, tr.hum_level, tr.steps.dehum)}"
                                 f", denoise {_denoise(tr.steps)}"))
        rows.append(("", f"speaks {clock_text(tr.speech)}"
                     + (f"; the other voices arrive {tr.bleed:.1f} dB under themselves, held "
                        f"down {tr.held_down:g} dB more where only they talk"
                        if tr.bleed is not None and tr.held_down else "")))
        rows.append(("", f"alone: {_fmt(tr.level_before, 'LUFS')} as recorded -> "
                         f"{_fmt(tr.level_after, 'LUFS')} in the MP3"))
    voiced = [tr for tr in report.tracks if tr.speaker is not None
              and tr.level_before is not None and tr.level_after is not None]
    if len(voiced) > 1:
        def spread(key) -> float:
            values = [getattr(tr, key) for tr in voiced]
            return max(values) - min(values)
        rows.append(("voice gap", f"{spread('level_before'):.1f} -> {spread('level_after'):.1f}"
                                  " LU (loudest speaker to quietest)"))
    return rows


def clock_text(seconds: float) -> str:
    from podcast.show.schema import clock
    return clock(seconds)


KINDS = (("pause", "pause", "pauses"), ("filler", "filler", "fillers"), ("edit", "edit", "edits"))


def cuts_summary(report: AudioReport) -> str:
    """How many cuts of each kind, and the time they saved."""
    counts = [(sum(c.kind == kind for c in report.cuts), one, many) for kind, one, many in KINDS]
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
    return (f"{', '.join(parts)} cut (cuts.json): {report.timeline.removed:.1f} s saved, "
            f"{report.input.duration:.1f} -> "
            f"{report.input.duration - report.timeline.removed:.1f} s of the master")


@dataclass(frozen=True)
class CutView:
    """One cut as the producer reviews it: where, what, how long."""

    master: str  # m:ss.s in the master (where cuts.json has it)
    mp3: str  # where it was made in the MP3
    kind: str
    length: float  # seconds taken out
    what: str  # the filler's word, or ""


def cut_views(report: AudioReport) -> list[CutView]:
    timeline = report.timeline
    return [CutView(_clock(c.start), _clock(timeline.to_published(c.start)), c.kind,
                    round(c.end - c.start, 2), c.word or "") for c in report.cuts]


def _clock(t: float) -> str:
    minutes, seconds = divmod(max(t, 0.0), 60)
    return f"{int(minutes)}:{seconds:04.1f}"


def _hum(found: int | None, level: float | None, notched: int | None) -> str:
    if found:
        return (f"{found} Hz found"
                + (f", {-level:.1f} dB under the speech in the pauses" if level is not None
                   else "")
                + (", notched at 5 harmonics" if notched else ", not notched"))
    return "none found" if not notched else f"none found; notched at {notched} Hz as set"


def text(slug: str, report: AudioReport) -> str:
    rows = lines(report)
    width = max(len(k) for k, _ in rows)
    head = f"{slug}: {report.master}"
    out = [head] + [f"  {k:<{width}}  {v}" for k, v in rows]
    if report.cuts:
        out.append("  cuts (master -> MP3, kind, seconds taken out):")
        out += [f"    {c.master:>8} -> {c.mp3:>8}  {c.kind:<6} {c.length:5.2f}"
                + (f"  {c.what}" if c.what else "") for c in cut_views(report)]
    return "\n".join(out)


def headline(report: AudioReport) -> str:
    """One line for the index: where it landed against its target."""
    out = report.output
    mono = ", mono" if out.channels == 1 else ""
    return (f"{out.integrated:.1f} LUFS (target {out.target:.1f}{mono}), "
            f"{out.true_peak:.1f} dBTP, LRA {report.input.lra or 0:.1f} -> "
            f"{out.lra or 0:.1f} LU")


# ---- the chart ------------------------------------------------------------------

@dataclass(frozen=True)
class Chart:
    """Short-term loudness over time, in the SVG's own units (the template draws it)."""

    width: int
    height: int
    left: int  # the plot area's edges
    right: int
    top: int
    bottom: int
    y_ticks: tuple[tuple[float, str], ...]  # (y, label in LUFS; "" for a grid line only)
    x_ticks: tuple[tuple[float, str], ...]  # (x, label in m:ss)
    target_y: float
    target: float
    master: str  # SVG path data
    mp3: str
    cuts: tuple[tuple[float, str, str], ...] = ()  # (x, kind, label): where each cut was made


def chart(report: AudioReport, *, width: int = 720, height: int = 300) -> Chart:
    """The curves on the MP3's time: the master's through the timeline (its seconds
    inside a cut are not drawn), and a mark where each cut was made."""
    curves = report.short_term
    master, mp3 = curves.master, curves.mp3
    timeline = report.timeline
    seconds = max(len(mp3), timeline.to_published(len(master)), 1)
    lo, hi = LOUDNESS_RANGE
    left, right, top, bottom = 74, width - 12, 12, height - 56
    w, h = right - left, bottom - top

    def x(t: float) -> float:
        return left + w * t / seconds

    def y(v: float) -> float:
        return top + h * (hi - min(max(v, lo), hi)) / (hi - lo)

    def path(values, to_time) -> str:
        parts, pen = [], False
        for i, v in enumerate(values):
            t = to_time(i + 1.0)
            if v is None or t is None:
                pen = False
                continue
            parts.append(f"{'L' if pen else 'M'}{x(t):.1f},{y(v):.1f}")
            pen = True
        return " ".join(parts)

    def through(t: float) -> float | None:  # a master second, where it plays (or None)
        if any(c.start < t < c.end for c in timeline.cuts):
            return None
        return timeline.to_published(t)

    step = next(s for s in (10, 30, 60, 120, 300, 600, 900, 1800, 3600)
                if seconds / s <= 8)
    return Chart(
        width, height, left, right, top, bottom,
        y_ticks=tuple((round(y(v), 1), f"{v:g}" if v % 10 == 0 else "")
                      for v in range(int(lo), int(hi) + 1, 5)),
        x_ticks=tuple((round(x(t), 1), f"{t // 60}:{t % 60:02d}")
                      for t in range(0, int(seconds) + 1, step)),
        target_y=round(y(report.output.target), 1), target=report.output.target,
        master=path(master, through), mp3=path(mp3, lambda t: t),
        cuts=tuple((round(x(timeline.to_published(c.start)), 1), c.kind,
                    f"{c.kind} {c.end - c.start:.2f} s cut at {_clock(c.start)} of the master"
                    + (f" ({c.word})" if c.word else "")) for c in report.cuts))


# ---- the pages --------------------------------------------------------------------

@functools.cache
def _env():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True)


def page(show_title: str, slug: str, title: str, report: AudioReport | None) -> str:
    """One episode's loudness report as a page: the curve and the figures."""
    return _env().get_template("producer-episode.html").render(
        show_title=show_title, slug=slug, title=title, report=report,
        rows=lines(report) if report else (), chart=chart(report) if report else None,
        mono=bool(report and report.output.channels == 1),
        cuts=cut_views(report) if report else ())


def index_page(show_title: str, episodes: list[tuple[str, str, AudioReport | None]]) -> str:
    """The list of episodes with their headline figures."""
    rows = [(slug, title, headline(report) if report else "not processed")
            for slug, title, report in episodes]
    return _env().get_template("producer-index.html").render(show_title=show_title,
                                                             rows=rows)
