"""The loudness report a producer looks at: `podcast report` in the terminal, and the
producer page `podcast serve` shows under /_producer/ (drawn as SVG, never in feed/),
opened in headless Chromium with a screenshot in tests/artifacts/ to look at."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from docshots import save_for_docs
from interview import interview
from showfactory import make_show

from podcast.cli import cli
from podcast.serve import Preview

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="needs espeak-ng (make test installs it)")


@pytest.fixture(scope="module")
def show(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    root = make_show(tmp, [{"slug": "interview", "title": "The Interview"},
                           {"slug": "later", "title": "Later", "status": "draft"}])
    interview(root / "episodes" / "interview" / "master.wav", turns=4, hum=50)
    result = CliRunner().invoke(cli, ["--root", str(root), "-q", "process", "interview"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def preview(show):
    with Preview(show, port=0, build=False).start() as p:
        yield p


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers["Content-Type"], r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


@pytest.mark.slow
def test_report_command_prints_the_figures(show):
    result = CliRunner().invoke(cli, ["--root", str(show), "report", "interview"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("interview: episodes/interview/master.wav")
    for label in ("target", "loudness", "loudness range", "true peak", "gain", "limiter",
                  "leveler", "noise floor", "pauses", "hum"):
        assert f"\n  {label} " in out, label
    assert "-16.0 LUFS, true peak <= -1.0 dBTP" in out
    assert "50 Hz found" in out and "notched" in out
    not_yet = CliRunner().invoke(cli, ["--root", str(show), "report", "later"])
    assert not_yet.exit_code == 1
    assert "later: is not processed with its current master and settings. Run " \
           "`podcast process later` first" in not_yet.output


@pytest.mark.slow
def test_producer_pages_are_served_but_never_built_into_feed(preview, show):
    status, kind, body = _get(preview.url + "_producer/")
    assert status == 200 and kind.startswith("text/html")
    assert 'href="interview.html"' in body and "not processed" in body  # the draft
    status, _, body = _get(preview.url + "_producer/interview.html")
    assert status == 200 and "<svg" in body and 'class="mp3"' in body
    assert "50 Hz found" in body
    assert _get(preview.url + "_producer/nope.html")[0] == 404
    assert _get(preview.url + "_producer/../feed.xml")[0] == 404
    assert not any("_producer" in p.as_posix() for p in (show / "feed").rglob("*"))


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_producer_page_in_a_browser(preview):
    """At desktop and phone widths: the curves across the chart, axes with units,
    the legend drawing each line as the chart does (the target dashed), the
    figures readable; screenshots in tests/artifacts/ to look at."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            for name, viewport in (("desktop", {"width": 1000, "height": 900}),
                                   ("phone", {"width": 390, "height": 844})):
                page = browser.new_page(viewport=viewport)
                errors: list[str] = []
                page.on("console", lambda m: m.type == "error" and errors.append(m.text))
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(preview.url + "_producer/interview.html", wait_until="load")
                chart = page.locator("svg.chart")
                chart.locator("path.mp3").wait_for(state="visible")
                width = chart.bounding_box()["width"]
                for line in ("path.mp3", "path.master", "line.target"):
                    box = chart.locator(line).bounding_box()
                    assert box and box["width"] > 0.8 * width, (name, line)
                axes = chart.locator("text.axis").all_text_contents()
                assert axes == ["loudness (LUFS)", "time (m:ss)"]
                dash = "getComputedStyle(document.querySelector('{}')).strokeDasharray"
                assert page.evaluate(dash.format(".legend line.target")) == \
                    page.evaluate(dash.format("svg.chart line.target")) != "none"
                assert page.evaluate(dash.format(".legend line.mp3")) == "none"
                rows = page.locator("#figures th").all_inner_texts()
                assert {"target", "loudness range", "pauses", "hum"} <= set(rows)
                table = page.locator("#figures").bounding_box()
                assert table["x"] + table["width"] <= viewport["width"]  # no sideways scroll
                page.screenshot(path=str(ARTIFACTS / f"producer-report-{name}.png"),
                                full_page=True)
                if name == "desktop":
                    save_for_docs(page, "producer-report.png", full_page=True)
                assert errors == []
                page.close()
        finally:
            browser.close()
