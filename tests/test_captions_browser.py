"""Chromium reads every cue we write: the WebVTT parser of a real browser, not ours.

A ``<track>`` of the VTT that ``podcast.captions.to_vtt`` writes for hostile
speaker names and text (``Mallory --``, ``-->`` in the text, ``<``, ``&``, CRs)
is loaded from a local server; the browser's cue list must hold every cue,
with its times, its text and its voice, as our own reader reads them.
"""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from test_browser import ARGS, CHROMIUM
from test_captions import HOSTILE

from podcast import captions
from podcast.captions import Cue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at "
                       "/usr/bin/chromium (make test installs it)"),
]

CUES = [*HOSTILE, Cue(5.5, 7.0, "Cross-talk over the last one.", "Mallory --")]
READ_CUES = """async () => {
  const el = document.querySelector("track");
  if (el.readyState !== 2) await new Promise((ok, fail) => {
    el.addEventListener("load", ok); el.addEventListener("error", fail); });
  return Array.from(el.track.cues).map(c => {
    const html = c.getCueAsHTML();
    const voice = html.querySelector ? html.querySelector("span[title]") : null;
    return [c.startTime, c.endTime, html.textContent, voice ? voice.title : null];
  });
}"""


@pytest.fixture
def served(tmp_path):
    (tmp_path / "t.vtt").write_text(captions.to_vtt(CUES, note="made --> here"),
                                    encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<!doctype html><video src="nothing.mp4"><track kind="captions" src="t.vtt" '
        'srclang="en" default></video>', encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".vtt": "text/vtt"}

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


def test_chromium_reads_every_cue_with_its_text_and_voice(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            page = browser.new_page()
            page.goto(served)
            read = page.evaluate(READ_CUES)
        finally:
            browser.close()
    ours = captions.parse_text(captions.to_vtt(CUES), "t.vtt", vtt=True)  # as meant: see
    assert len(ours) == len(CUES)                                         # test_captions.py
    assert [(s, e) for s, e, _, _ in read] == [(c.start, c.end) for c in ours]
    assert [text for _, _, text, _ in read] == [c.text for c in ours]
    assert [voice for _, _, _, voice in read] == [c.speaker for c in ours]
