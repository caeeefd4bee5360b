"""A real browser on a real preview: headless Chromium (Debian's) driven by Playwright.

``podcast serve`` builds a show whose master is a 20 s tone (the real audio
pipeline encodes it), then Chromium opens the episode page: nothing is
downloaded before the listener asks, the metadata's duration matches the
MP3, the player's own controls show the length before anything loads,
chapter links and ``#t=`` addresses seek the player, the Subscribe link leads
to a page that copies the feed address, and the console stays clean.
Screenshots of each page at desktop and phone widths go to tests/artifacts/
for a human to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docshots import save_for_docs
from showfactory import make_show
from sitekit import copy_templates

from podcast.serve import Preview

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        # Lets the test press "play" from script for the #t= case (a listener would click).
        "--autoplay-policy=no-user-gesture-required"]
VTT = """WEBVTT

00:00:00.000 --> 00:00:04.000
<v Narrator>March 2020. A quiet street in the north of England.

00:00:06.500 --> 00:00:09.000
<v Narrator>A member of the public noticed something, and acted on her instincts.

00:00:10.000 --> 00:00:14.000
<v Detective>We had minutes to secure the evidence.
"""
NOTES = """A former Special Branch officer races to secure evidence under a suspect's nose,
and a member of the public who acted on her instincts helps locate the ingredients
for a large bomb.

## In this episode

- The tip-off
- The search
- The arrest
"""

# The lowest text/background contrast ratio on the page (WCAG 2 relative luminance),
# the background found by walking up to the first opaque ancestor.
CONTRAST_JS = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const c = [r, g, b].map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]; };
  const bg = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el)
    .backgroundColor); if (c.length === 3 || c[3] > 0) return c.slice(0, 3); }
    return [255, 255, 255]; };
  let worst = {ratio: 99};
  for (const el of document.querySelectorAll("body *")) {
    const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent)
      .join("").trim();
    if (!text || !el.getClientRects().length) continue;
    const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < worst.ratio) worst = {ratio, tag: el.tagName, text: text.slice(0, 40)};
  }
  return worst;
}"""

# Desktop and phone (an iPhone 14's CSS viewport), for the screenshots a person looks at.
WIDTHS = {"desktop": {"width": 1100, "height": 900},
          "phone": {"width": 390, "height": 844}}


def shoot(page, name: str) -> None:
    """A full-page screenshot in tests/artifacts/, after checking that nothing on the page
    is wider than the screen (on a phone that means sideways scrolling)."""
    ARTIFACTS.mkdir(exist_ok=True)
    overflow = page.evaluate("""() => {
      const width = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll("body *")].filter(el => {
        const r = el.getBoundingClientRect(); return r.width && r.right > width + 1; });
      return {scroll: document.documentElement.scrollWidth, width,
              wide: wide.slice(0, 3).map(el => el.tagName + "." + el.className)};
    }""")
    assert overflow["scroll"] <= overflow["width"] and not overflow["wide"], (name, overflow)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at "
                       "/usr/bin/chromium (make test installs it)"),
]


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    root = make_show(tmp_path_factory.mktemp("browser"), [
        {"slug": "multiple-bombings", "title": "Multiple Bombings", "master_seconds": 20,
         "notes": NOTES, "transcript": ("vtt", VTT),
         "chapters": [{"start": "0:00", "title": "Cold open"},
                      {"start": "0:10", "title": "The search"},
                      {"start": "0:15", "title": "The arrest"}]},
        {"slug": "the-informant", "title": "The Informant", "master_seconds": 4},
    ], subscribe={"apple": "https://podcasts.apple.com/gb/podcast/code-severe/id1",
                  "spotify": "https://open.spotify.com/show/code-severe"})
    copy_templates(root)
    with Preview(root, port=0).start() as p:
        yield p


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


class Watch:
    """Console errors, page errors and requests of one page."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.media: list[tuple[str, int, str | None]] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("response", self._response)

    def _response(self, response):
        if response.url.endswith(".mp3"):
            self.media.append((response.url, response.status,
                               response.request.headers.get("range")))


def media_duration(preview) -> float:
    from mutagen.mp3 import MP3

    (mp3,) = (preview.out / "media").glob("multiple-bombings-*.mp3")
    return MP3(mp3).info.length


def test_episode_page_plays_seeks_and_has_no_errors(preview, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    watch = Watch(page)
    page.goto(preview.url + "episodes/multiple-bombings/", wait_until="load")

    player = page.locator("audio#player")
    assert player.get_attribute("preload") == "none"
    # Wait until the page has settled (no request for 500 ms), not for a fixed time: a
    # preload would have started by then.
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.getElementById('player').readyState") == 0
    assert watch.media == []  # preload="none": no audio fetched before the listener asks

    save_for_docs(page, "episode-page.png")

    page.evaluate("document.getElementById('player').load()")
    page.wait_for_function("document.getElementById('player').readyState >= 1", timeout=15000)
    duration = page.evaluate("document.getElementById('player').duration")
    assert abs(duration - media_duration(preview)) < 1.0
    assert abs(duration - 20) < 1.0

    page.get_by_role("link", name="0:10 The search").click()
    page.wait_for_function("document.getElementById('player').currentTime >= 10", timeout=15000)
    t = page.evaluate("document.getElementById('player').currentTime")
    assert 10 <= t < 13
    assert page.url.endswith("#t=10")

    # A transcript time stamp seeks too (backwards this time), and so does a line of it.
    page.locator("a.stamp", has_text="0:06").click()
    page.wait_for_function("(() => { const t = document.getElementById('player').currentTime;"
                           " return t >= 6 && t < 9; })()", timeout=15000)
    page.get_by_text("We had minutes to secure the evidence.").click()
    page.wait_for_function("(() => { const t = document.getElementById('player').currentTime;"
                           " return t >= 10 && t < 13; })()", timeout=15000)
    assert page.locator("[id='t=10']").get_attribute("aria-current") == "time"

    assert any(status == 206 for _, status, _ in watch.media), watch.media
    page.close()
    assert watch.errors == []


def test_player_shows_the_length_before_loading_and_plays_from_its_controls(preview, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    watch = Watch(page)
    page.goto(preview.url + "episodes/multiple-bombings/", wait_until="networkidle")
    # The length is on the page before any audio is fetched (the browser's own controls,
    # now hidden, read 0:00 / 0:00 until played).
    assert page.locator("#controls .clock").inner_text() == "0:00 / 0:20"
    assert page.evaluate("document.getElementById('player').controls") is False
    assert watch.media == []
    # Choosing a position before playing fetches nothing either, and shows the position.
    page.get_by_label("Position in the episode").fill("15")
    assert page.locator("#controls .clock").inner_text() == "0:15 / 0:20"
    assert page.get_by_label("Position in the episode").get_attribute(
        "aria-valuetext") == "0:15 of 0:20"
    assert watch.media == []
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function("document.getElementById('player').currentTime >= 15",
                           timeout=15000)
    # The button's label follows the media's play/pause events, which come after
    # currentTime and paused change: wait for it, as a listener's eye would.
    page.get_by_role("button", name="Pause", exact=True).wait_for(state="visible",
                                                                  timeout=5000)
    page.get_by_role("button", name="Playback speed").click()
    assert page.evaluate("document.getElementById('player').playbackRate") == 1.25
    page.get_by_role("button", name="Pause", exact=True).click()
    page.wait_for_function("document.getElementById('player').paused")
    page.get_by_role("button", name="Play", exact=True).wait_for(state="visible", timeout=5000)
    page.close()
    assert watch.errors == []


def test_address_with_t_seeks_when_played(preview, browser):
    page = browser.new_page()
    watch = Watch(page)
    page.goto(preview.url + "episodes/multiple-bombings/#t=15", wait_until="load")
    assert watch.media == []
    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("document.getElementById('player').currentTime >= 15",
                           timeout=15000)
    assert page.evaluate("document.getElementById('player').currentTime") < 18
    page.close()
    assert watch.errors == []


def test_index_and_embed_pages_render_cleanly(preview, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    watch = Watch(page)
    page.goto(preview.url, wait_until="load")
    assert page.locator("h1").inner_text() == "Code Severe"
    assert page.locator("img.cover").evaluate("img => img.naturalWidth") > 0
    page.get_by_role("link", name="Multiple Bombings").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Multiple Bombings"

    page.set_viewport_size({"width": 480, "height": 200})
    page.goto(preview.url + "episodes/multiple-bombings/embed.html", wait_until="load")
    assert page.locator("audio").count() == 1
    shoot(page, "embed")

    # Text is readable: WCAG AA contrast (4.5:1) for every text element on the page.
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(preview.url + "episodes/multiple-bombings/", wait_until="load")
    worst = page.evaluate(CONTRAST_JS)
    assert worst["ratio"] >= 4.5, worst

    # The feed opened in a browser: no errors (it asks for /favicon.ico, too), and the
    # first words a person reads there say where to go.
    page.goto(preview.url + "feed.xml", wait_until="load")
    assert "How: " + preview.url + "subscribe.html" in page.locator("body").inner_text()

    # Keyboard users see where they are.
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(preview.url + "episodes/multiple-bombings/", wait_until="load")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    assert outline != "none"
    page.close()
    assert watch.errors == []


def test_subscribe_link_leads_to_a_page_that_copies_the_feed_address(preview, browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=preview.url[:-1])
    page = context.new_page()
    watch = Watch(page)
    page.goto(preview.url + "episodes/multiple-bombings/", wait_until="load")
    page.get_by_role("link", name="Subscribe", exact=True).click()
    page.wait_for_load_state("load")
    assert page.url == preview.url + "subscribe.html"
    assert page.locator("h1").inner_text() == "Follow Code Severe"
    assert page.get_by_label("Feed address").input_value() == preview.url + "feed.xml"
    assert [a.inner_text() for a in page.locator("ul.buttons a").all()] == [
        "Apple Podcasts", "Spotify"]
    page.get_by_role("button", name="Copy").click()
    page.wait_for_function("document.getElementById('copied').textContent.startsWith('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == preview.url + "feed.xml"
    context.close()
    assert watch.errors == []


@pytest.mark.parametrize("device", WIDTHS)
def test_pages_fit_the_screen_and_are_shot_for_a_person_to_look_at(preview, browser, device):
    phone = device == "phone"
    context = browser.new_context(viewport=WIDTHS[device], is_mobile=phone, has_touch=phone)
    page = context.new_page()
    watch = Watch(page)
    for name, path in (("index", ""), ("episode", "episodes/multiple-bombings/"),
                       ("subscribe", "subscribe.html")):
        page.goto(preview.url + path, wait_until="networkidle")
        shoot(page, f"{name}-{device}")
    context.close()
    assert watch.errors == [] and watch.media == []
