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
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            errors: list[str] = []
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(preview.url + "_producer/interview.html", wait_until="load")
            curve = page.locator("svg path.mp3")
            curve.wait_for(state="visible")
            box = curve.bounding_box()
            assert box and box["width"] > 600  # drawn across the figure, not a dot
            page.screenshot(path=str(ARTIFACTS / "producer-report.png"), full_page=True)
            assert page.locator("svg path.master").bounding_box()["width"] > 600
            target = page.locator("svg line.target").bounding_box()
            assert target and target["width"] > 600
            rows = page.locator("#figures th").all_inner_texts()
            assert {"target", "loudness range", "pauses", "hum"} <= set(rows)
            assert errors == []
        finally:
            browser.close()
