"""Site search in a real browser, from a real plain bucket under a path prefix.

The show is published with `podcast publish` to the session's SeaweedFS
server (static objects, no server-side logic, no folder index pages); headless
Chromium opens the search page there, types a word spoken in one episode,
gets that episode and the moment, clicks it, and the player plays from there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from showfactory import make_show
from test_browser import (  # noqa: F401  (the module's Chromium fixture)
    CHROMIUM,
    WIDTHS,
    browser,
    shoot,
)

pytestmark = [
    pytest.mark.browser, pytest.mark.slow, pytest.mark.s3,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at "
                       "/usr/bin/chromium (make test installs it)"),
]

BOMBINGS = """WEBVTT

00:00:00.000 --> 00:00:04.000
<v Narrator>March 2020. A quiet street in the north of England.

00:00:06.500 --> 00:00:09.000
<v Witness>I noticed the deliveries, far too many for one flat.

00:00:12.000 --> 00:00:15.000
<v Officer>The fertiliser was hidden under the floorboards.
"""
SURVEILLANCE = """WEBVTT

00:00:01.000 --> 00:00:05.000
<v Officer>Bomb disposal is slow, careful work. Every wire tells you something.
"""


@pytest.fixture(scope="module")
def published(tmp_path_factory, s3_server):  # noqa: F811
    from podcast.build import publish

    target = s3_server.target()
    public = s3_server.public_url(target)
    root = make_show(tmp_path_factory.mktemp("search"), [
        {"slug": "multiple-bombings", "title": "Multiple Bombings", "master_seconds": 20,
         "transcript": ("vtt", BOMBINGS)},
        {"slug": "under-surveillance", "title": "Under Surveillance", "master_seconds": 8,
         "transcript": ("vtt", SURVEILLANCE)},
    ], publish={"bucket": s3_server.bucket, "prefix": target.prefix.strip("/"),
                "endpoint_url": s3_server.endpoint, "public_url": public})
    shutil.copytree(Path(__file__).resolve().parents[1] / "templates", root / "templates")
    mp = pytest.MonkeyPatch()
    mp.setenv("AWS_ACCESS_KEY_ID", s3_server.credentials[0])
    mp.setenv("AWS_SECRET_ACCESS_KEY", s3_server.credentials[1])
    mp.delenv("AWS_PROFILE", raising=False)
    try:
        result = publish(root)
    finally:
        mp.undo()
    assert result.problems == []
    assert any(k.startswith("pagefind/") for k in result.applied.uploaded)
    return public


def test_a_spoken_word_finds_the_episode_and_the_moment_and_seeks_there(published,
                                                                        browser):  # noqa: F811
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(published + "index.html", wait_until="load")
    page.get_by_role("link", name="Search").click()
    page.wait_for_load_state("load")
    assert page.url == published + "search.html"

    page.get_by_label("Words to find").fill("fertiliser")
    page.wait_for_selector("#results li")
    page.wait_for_function("document.getElementById('status').textContent.includes('found')")
    results = page.locator("#results > li")
    assert results.count() == 1
    assert results.locator("h3").inner_text() == "Multiple Bombings"
    moment = results.locator(".moments a")
    assert moment.count() == 1
    assert moment.inner_text().startswith("0:12")
    assert "fertiliser was hidden" in moment.inner_text()
    href = moment.get_attribute("href")
    assert href.endswith("episodes/multiple-bombings/index.html#t=12")
    assert "?q=fertiliser" in page.url  # the search can be shared or bookmarked
    shoot(page, "search-desktop")
    page.set_viewport_size(WIDTHS["phone"])
    shoot(page, "search-phone")
    page.set_viewport_size({"width": 1000, "height": 900})

    moment.click()
    page.wait_for_load_state("load")
    assert page.url == published + "episodes/multiple-bombings/index.html#t=12"
    # The moment is shown: the cue is marked as the current one, in view.
    page.wait_for_function("document.getElementById('t=12').classList.contains('now')")
    assert page.locator("[id='t=12']").is_visible()
    # The listener presses play: it starts at the moment found.
    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("document.getElementById('player').currentTime >= 12", timeout=15000)
    assert page.evaluate("document.getElementById('player').currentTime") < 16

    # A word only in the other episode finds only that one; a word in none, nothing.
    page.goto(published + "search.html?q=wire", wait_until="load")
    page.wait_for_selector("#results li")
    assert page.locator("#results h3").all_inner_texts() == ["Under Surveillance"]
    page.goto(published + "search.html?q=zeppelin", wait_until="load")
    page.wait_for_function("document.getElementById('status').textContent.includes('No episode')")
    page.close()
    assert errors == []


def test_snippets_are_the_content_and_moments_read_as_the_page_does(published,
                                                                    browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    # A word of the title: the snippet is the episode's words, not its labels, date,
    # duration or chapter list (page furniture is left out of the index).
    page.goto(published + "search.html?q=bombings", wait_until="load")
    page.wait_for_selector("#results li .excerpt")
    excerpt = page.locator("#results > li .excerpt").first.inner_text()
    # (The label and the date line are the only places with a middle dot.)
    for furniture in ("·", "Season 1", "Chapters", "Show notes", "Transcript"):
        assert furniture not in excerpt, excerpt
    assert excerpt.startswith("Multiple Bombings. Notes for Multiple Bombings."), excerpt

    # The witness starts speaking at 6.5 s: the page's stamp and the search's moment both
    # say 0:06 (the player's clock reads 0:06 there), not 0:07.
    page.goto(published + "search.html?q=deliveries", wait_until="load")
    moment = page.locator("#results .moments a")
    moment.wait_for()
    assert moment.locator("time").inner_text() == "0:06"
    assert moment.locator("time").get_attribute("datetime") == "PT6.5S"
    # No underlined blank between the time and the words: a flex row with a gap.
    assert moment.evaluate("a => getComputedStyle(a).display") == "inline-flex"
    moment.click()
    page.wait_for_load_state("load")
    stamp = page.locator("a.stamp", has_text="0:06")
    assert stamp.count() == 1 and stamp.get_attribute("href") == "#t=6.5"
    page.close()
