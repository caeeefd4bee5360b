"""The loudness report: what the speech chain found and did, measured before and after.

``speech_figures`` turns the measuring pass (the master) and the verifier (the
decoded MP3) into the report's ``speech`` block:

- pauses: the momentary loudness in the pauses the measuring pass found in
  the master, and in the MP3 at the same moments (shifted by the intro),
  each relative to its integrated loudness: how much further under the
  speech the room tone, rumble and hum sit now, as a listener hears them;
- the noise floor and the hum (frequency, level) the measuring pass found;
- leveler action: how far the short-term loudness moved from a plain linear
  gain, second by second over the speech (5th and 95th percentile), and the
  loudness range before and after.

``text`` is what ``podcast report`` prints; ``svg`` draws the short-term
loudness of master and MP3 against the target for the producer page.
"""

from __future__ import annotations

import html
import math

from podcast.audio.analysis import Analysis, pause_level

FRAME = 0.1  # seconds per room-tone frame
SPEECH_RANGE = 20.0  # LU under the loud seconds that still count as speech


def _energy(values) -> float | None:
    values = [v for v in values if v > -150]
    if not values:
        return None
    return 10 * math.log10(sum(10 ** (v / 10) for v in values) / len(values))


def room_and_hum(a: Analysis, momentary_after: list[float], integrated_after: float,
                 offset: float, alone: tuple[float, float] = (0.0, math.inf)) -> dict:
    """What the measuring pass found, and the pauses re speech, master and MP3, at the
    same moments; ``alone``: the seconds of the MP3 where only the master plays."""
    out: dict = {"noise_floor": a.noise_floor, "speech_level": a.speech_level,
                 "hum": a.hum, "hum_excess": a.hum_excess, "hum_level": a.hum_level}
    if a.pause_level is None or not a.quiet:
        return out
    step = round(offset / FRAME)
    first, last = round(alone[0] / FRAME), round(alone[1] / FRAME) \
        if math.isfinite(alone[1]) else 10 ** 9
    kept = [[max(s, first - step), min(e, last - step)] for s, e in a.quiet]
    after = pause_level(momentary_after, [r for r in kept if r[1] > r[0]], offset,
                        integrated_after)
    if after is not None:
        out["room_tone"] = {"before": a.pause_level, "after": after,
                            "reduction": round(a.pause_level - after, 1)}
    return out


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def leveler_action(master: list, mp3: list, offset: float, linear_gain: float,
                   alone: tuple[float, float] = (0.0, math.inf)) -> dict | None:
    """How far each second of speech moved from a plain linear gain (dB)."""
    step = round(offset)
    moved = []
    spoken = [v for v in master if v is not None]
    if not spoken:
        return None
    floor = _percentile(spoken, 90) - SPEECH_RANGE  # seconds of speech, not of pauses
    for i, before in enumerate(master):
        j = i + step
        if before is None or before < floor or not 0 <= j < len(mp3) or mp3[j] is None \
                or not alone[0] + 3 <= j + 1 <= alone[1]:  # S: the 3 s ending at j + 1
            continue
        moved.append(mp3[j] - before - linear_gain)
    if len(moved) < 5:
        return None
    return {"low": round(_percentile(moved, 5), 1), "high": round(_percentile(moved, 95), 1)}


def speech_figures(a: Analysis, render_steps: dict, verified, offset: float,
                   target: float) -> dict:
    intro = render_steps.get("intro", {}).get("crossfade", 0.0)
    outro = render_steps.get("outro", {}).get("crossfade", 0.0)
    alone = (offset + intro, offset + a.duration - outro)
    figures = room_and_hum(a, verified.momentary, verified.loudness.integrated, offset, alone)
    figures["steps"] = render_steps
    action = leveler_action(a.short_term, verified.short_term, offset,
                            target - a.integrated, alone)
    if action is not None:
        figures["leveler_action"] = action
    return figures


# ---- showing it -----------------------------------------------------------------

def _fmt(value, unit: str = "", signed: bool = False) -> str:
    if value is None:
        return "-"
    return (f"{value:+.1f}" if signed else f"{value:.1f}") + (f" {unit}" if unit else "")


def lines(report: dict) -> list[tuple[str, str]]:
    """The figures as (label, value) rows, in the order a producer reads them."""
    inp, out, sp = report["input"], report["output"], report.get("speech") or {}
    steps = sp.get("steps", {})
    rows = [
        ("target", f"{out['target']:.1f} LUFS, true peak <= {out['ceiling']:.1f} dBTP"),
        ("loudness", f"{_fmt(inp.get('integrated'), 'LUFS')} -> "
                     f"{_fmt(out.get('integrated'), 'LUFS')} (MP3, decoded)"),
        ("loudness range", f"{_fmt(inp.get('lra'), 'LU')} -> {_fmt(out.get('lra'), 'LU')}"),
        ("true peak", (f"{_fmt(inp.get('true_peak'), 'dBTP')} (master) -> "
                       if inp.get("true_peak") is not None else "")
         + f"{_fmt(out.get('true_peak'), 'dBTP')} (MP3, decoded)"),
        ("gain", f"{report['gain']:+.1f} dB" + (" after the leveler" if steps.get("leveler")
                                               else "")),
    ]
    lim = report["limiter"]
    rows.append(("limiter", f"peaks down by up to {lim['reduction']:.1f} dB (ceiling "
                            f"{lim['ceiling']:.1f} dBFS)" if lim["engaged"] else "not needed"))
    if report["output"].get("passthrough"):
        rows.append(("processing", "none: the MP3 was already on target (published as is)"))
        return rows
    act = sp.get("leveler_action")
    rows.append(("leveler", "off" if not steps.get("leveler") else
                 f"on; speech moved {act['low']:+.1f} to {act['high']:+.1f} dB from a plain "
                 "gain (5th-95th percentile)" if act else "on"))
    rows.append(("high-pass", f"{steps['highpass']} Hz" if steps.get("highpass") else "off"))
    rows.append(("noise floor", f"{sp['noise_floor']:.1f} dBFS in the pauses (mono)"
                 if sp.get("noise_floor") is not None else "no room tone found"))
    room = sp.get("room_tone")
    if room:
        rows.append(("pauses", f"{-room['before']:.1f} -> {-room['after']:.1f} LU under the "
                               f"speech ({room['reduction']:.1f} LU further down)"))
    denoise = steps.get("denoise") or ("off" if not steps.get("denoise_skipped")
                                       else f"skipped ({steps['denoise_skipped']})")
    rows.append(("denoise", denoise))
    hum = sp.get("hum")
    level = sp.get("hum_level")
    rows.append(("hum", (f"{hum} Hz found" + (f", {-level:.1f} dB under the speech in the "
                                            "pauses" if level is not None else "")
                         + (", notched at 5 harmonics" if steps.get("dehum")
                            else ", not notched"))
                 if hum else ("none found" if not steps.get("dehum")
                              else f"none found; notched at {steps['dehum']} Hz as set")))
    for kind in ("intro", "outro"):
        if steps.get(kind):
            s = steps[kind]
            rows.append((kind, f"{s['file']} ({s['gain']:+.1f} dB, {s['crossfade']:g} s "
                               "crossfade)"))
    if report.get("offset"):
        rows.append(("offset", f"the master starts at {report['offset']:.2f} s"))
    rows.append(("encodes", str(report.get("attempts", 1))))
    return rows


def text(slug: str, report: dict) -> str:
    rows = lines(report)
    width = max(len(k) for k, _ in rows)
    head = f"{slug}: {report['master']}"
    return "\n".join([head] + [f"  {k:<{width}}  {v}" for k, v in rows])


def svg(report: dict, *, width: int = 900, height: int = 260) -> str:
    """Short-term loudness over time: master (grey), MP3 (blue), the target (red)."""
    curves = report.get("short_term") or {}
    master, mp3 = curves.get("master") or [], curves.get("mp3") or []
    offset = report.get("offset") or 0.0
    target = report["output"]["target"]
    seconds = max(len(mp3), len(master) + offset, 1)
    lo, hi = -50.0, -5.0
    left, right, top, bottom = 48, 10, 10, 28
    w, h = width - left - right, height - top - bottom

    def x(t: float) -> float:
        return left + w * t / seconds

    def y(v: float) -> float:
        v = min(max(v, lo), hi)
        return top + h * (hi - v) / (hi - lo)

    def path(values, shift: float) -> str:
        parts, pen = [], False
        for i, v in enumerate(values):
            if v is None:
                pen = False
                continue
            parts.append(f"{'L' if pen else 'M'}{x(i + 1 + shift):.1f},{y(v):.1f}")
            pen = True
        return " ".join(parts)

    grid = []
    for level in range(-50, -4, 5):
        grid.append(f'<line x1="{left}" x2="{width - right}" y1="{y(level):.1f}" '
                    f'y2="{y(level):.1f}" class="grid"/><text x="{left - 6}" '
                    f'y="{y(level) + 4:.1f}" text-anchor="end">{level}</text>')
    step = next(s for s in (10, 30, 60, 120, 300, 600, 900, 1800) if seconds / s <= 12)
    for t in range(0, int(seconds) + 1, step):
        label = f"{t // 60}:{t % 60:02d}"
        grid.append(f'<text x="{x(t):.1f}" y="{height - 8}" text-anchor="middle">{label}</text>')
    title = html.escape(f"Short-term loudness (3 s), LUFS: master and MP3; target {target:g}")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{title}">'
            f"<title>{title}</title><style>text{{font:11px sans-serif;fill:#444}}"
            ".grid{stroke:#ddd}.master{fill:none;stroke:#999;stroke-width:1.2}"
            ".mp3{fill:none;stroke:#1f5fbf;stroke-width:1.6}"
            ".target{stroke:#c0392b;stroke-dasharray:6 4}</style>"
            + "".join(grid)
            + f'<line class="target" x1="{left}" x2="{width - right}" y1="{y(target):.1f}" '
              f'y2="{y(target):.1f}"/>'
            + f'<path class="master" d="{path(master, offset)}"/>'
            + f'<path class="mp3" d="{path(mp3, 0.0)}"/></svg>')


# ---- the producer page (served by `podcast serve` under /_producer/, never in feed/) ----

ICON = '<link rel="icon" href="data:,">'  # no favicon request to a server that has none
PAGE_STYLE = """body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;
color:#222}h1{font-size:1.4em}table{border-collapse:collapse;margin:1em 0}
th,td{text-align:left;padding:.25em .8em;border-bottom:1px solid #eee;vertical-align:top}
th{font-weight:600;white-space:nowrap}.note{color:#666}.legend span{margin-right:1.5em}
.swatch{display:inline-block;width:1.5em;height:3px;vertical-align:middle;margin-right:.4em}"""


def page(show_title: str, slug: str, title: str, report: dict | None) -> str:
    """One episode's loudness report as a page: the curve and the figures."""
    esc = html.escape
    head = (f'<!doctype html><html lang="en"><meta charset="utf-8">{ICON}'
            f"<title>{esc(title)}: loudness report</title><style>{PAGE_STYLE}</style>"
            f'<p class="note"><a href="./">{esc(show_title)}: producer pages</a> '
            "(not published)</p>")
    if report is None:
        return (head + f"<h1>{esc(title)}</h1><p>Not processed with the current master and "
                f"settings. Run <code>podcast process {esc(slug)}</code>.</p></html>\n")
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in lines(report))
    legend = ('<p class="legend"><span><i class="swatch" style="background:#999"></i>master'
              '</span><span><i class="swatch" style="background:#1f5fbf"></i>MP3 (decoded)'
              '</span><span><i class="swatch" style="background:#c0392b"></i>target</span></p>')
    return (head + f"<h1>{esc(title)}</h1><figure id=\"loudness\">{svg(report)}"
            f"<figcaption>{legend}</figcaption></figure>"
            f'<table id="figures">{rows}</table></html>\n')


def index_page(show_title: str, episodes: list[tuple[str, str, dict | None]]) -> str:
    """The list of episodes with their headline figures."""
    esc = html.escape
    rows = []
    for slug, title, report in episodes:
        if report is None:
            figures = "not processed"
        else:
            out = report["output"]
            figures = (f"{out['integrated']:.1f} LUFS, {out['true_peak']:.1f} dBTP, LRA "
                       f"{report['input'].get('lra') or 0:.1f} -> {out.get('lra') or 0:.1f} LU")
        rows.append(f'<tr><th><a href="{esc(slug)}.html">{esc(title)}</a></th>'
                    f"<td>{esc(figures)}</td></tr>")
    return (f'<!doctype html><html lang="en"><meta charset="utf-8">{ICON}<title>'
            f"{esc(show_title)}: producer pages</title><style>{PAGE_STYLE}</style>"
            f"<h1>{esc(show_title)}: loudness reports</h1><p class=\"note\">For the producer: "
            "served by <code>podcast serve</code>, never published.</p>"
            f"<table>{''.join(rows)}</table></html>\n")
