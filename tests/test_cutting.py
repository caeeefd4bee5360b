"""The automatic cutter end to end, on generated speech with six fillers, three 4 s
pauses and five 0.8 s ones (tests/cutspeech.py), with ``max_pause = 1.5`` and
``cut_fillers = true``, as issue 17's outside check sets them.

One ``podcast build`` (speech chain, cutter, transcript, feed, pages) makes the
show the first tests read; the MP3 is decoded and transcribed again to see
what a listener gets. The last tests work on copies: a producer's edits to
cuts.json, and a run that changes nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cutspeech import ESPEAK, gaps, script, speech_spans
from showfactory import make_show
from sitekit import copy_templates
from speech import wer, words

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(ESPEAK is None, reason="needs espeak-ng (make test installs it)"),
    pytest.mark.usefixtures("whisper_offline"),
]
pytest.importorskip("faster_whisper", reason="needs the transcribe extra")

SLUG = "witness"
MAX_PAUSE = 1.5


@pytest.fixture(scope="module")
def built(tmp_path_factory, whisper_offline):
    """(root, script, build result) of a show whose one episode the cutter edits."""
    from podcast.build import build

    tmp = tmp_path_factory.mktemp("cutting")
    master = tmp / "master.wav"
    spoken = script(master)
    call, police = spoken.starting("I called"), spoken.starting("the police")
    root = make_show(tmp, [{"slug": SLUG, "title": "The Witness", "chapters": [
        {"start": 0, "title": "The van"}, {"start": call.start, "title": "The call"},
        {"start": police.start, "title": "The police"}]}],
        audio={"max_pause": MAX_PAUSE, "cut_fillers": True})
    shutil.copy(master, root / "episodes" / SLUG / "master.wav")
    copy_templates(root)
    with open(root / "podcast.toml", "a", encoding="utf-8") as f:
        f.write("\n[transcripts]\nauto = true\n")
    result = build(root)
    return root, spoken, result


def _media(result):
    return result.site.episodes[0].media


def _heard(path: Path, tmp: Path):
    from podcast.transcribe.engine import Engine
    from podcast.transcribe.models import resolve

    engine = Engine(resolve("base", tmp, tmp / ".cache"), tmp / "words", workers=1, threads=2)
    return engine.recognise(path, language="en", prompt="", where=path.name).words


def test_cuts_json_is_written_with_what_a_producer_needs(built):
    root, spoken, _ = built
    doc = json.loads((root / "episodes" / SLUG / "cuts.json").read_text(encoding="utf-8"))
    assert doc["found_with"] == {"max_pause": MAX_PAUSE, "cut_fillers": True}
    kinds = [c["kind"] for c in doc["cuts"]]
    assert kinds.count("pause") == 3 and kinds.count("filler") >= 5
    assert all({"word", "probability"} <= c.keys() for c in doc["cuts"] if c["kind"] == "filler")
    assert all(c["pause"] > 3.5 and c["kept"] == MAX_PAUSE
               for c in doc["cuts"] if c["kind"] == "pause")


def test_fillers_are_cut_and_no_other_speech_is_lost(built, tmp_path):
    root, spoken, result = built
    media = _media(result)
    cuts = media.timeline.cuts
    fillers = [p for p in spoken.pieces if p.filler]
    cut = [p for p in fillers
           if sum(max(0.0, min(c.end, p.end) - max(c.start, p.start)) for c in cuts)
           >= 0.8 * (p.end - p.start)]
    assert len(cut) >= 5, [p.text for p in fillers if p not in cut]
    for piece in spoken.pieces:  # never inside a word that is not a filler
        if not piece.filler:
            assert not any(c.start < piece.end - 0.01 and c.end > piece.start + 0.01
                           for c in cuts), piece.text
    # Every other piece plays whole in the MP3, where the timeline puts it.
    spans = speech_spans(media.path)
    timeline = media.timeline
    for piece in spoken.pieces:
        if piece.filler:
            continue
        a, b = timeline.to_published(piece.start), timeline.to_published(piece.end)
        sounding = sum(max(0.0, min(e, b) - max(s, a)) for s, e in spans)
        assert sounding >= 0.8 * (b - a), piece.text
    # And Whisper hears no filler in it, and every other word (give or take its own
    # slips on generated speech: "van" heard as "man").
    from podcast.captions.fillers import is_filler
    heard = _heard(media.path, tmp_path)
    assert [w.text for w in heard if is_filler(w.text)] == []
    text = " ".join(w.text for w in heard)
    assert wer(spoken.reference, text) <= 0.15
    assert abs(len(words(text)) - len(words(spoken.reference))) <= 2


def test_long_pauses_are_shortened_and_normal_ones_kept(built):
    root, spoken, result = built
    media = _media(result)
    assert max(length for _, length in gaps(media.path)) <= MAX_PAUSE + 0.2
    before = gaps(root / "episodes" / SLUG / "master.wav")
    after = gaps(media.path)
    timeline = media.timeline
    normal = [p for p in spoken.pieces if p.gap == 0.8]
    assert len(normal) == 5
    for piece in normal:
        (_, length), = [g for g in before if abs(g[0] - piece.end) < 0.15]
        moved = timeline.to_published(piece.end)
        (_, now), = [g for g in after if abs(g[0] - moved) < 0.2]
        assert abs(now - length) <= 0.25 and abs(now - 0.8) <= 0.25, piece.text


def test_a_chapter_lands_on_its_sentence_through_the_cuts(built):
    root, spoken, result = built
    media = _media(result)
    doc = json.loads((root / "feed/episodes" / SLUG / "chapters.json").read_text())
    chapter = next(c for c in doc["chapters"] if c["title"] == "The call")
    # Where "I called the hotline" starts in the MP3: the speech after a pause.
    onsets = [a for (a, _), (_, end) in zip(speech_spans(media.path)[1:],
                                           speech_spans(media.path)) if a - end >= 0.5]
    nearest = min(onsets, key=lambda t: abs(t - chapter["startTime"]))
    assert abs(nearest - chapter["startTime"]) <= 0.3
    # Several cuts come before it: without them it would be seconds late.
    assert spoken.starting("I called").start - chapter["startTime"] > 2.0
    from mutagen.id3 import ID3
    chap = next(f for f in ID3(media.path).getall("CHAP") if str(f.sub_frames["TIT2"]) ==
                "The call")
    assert chap.start_time / 1000 == pytest.approx(chapter["startTime"], abs=0.05)


def test_the_loudness_target_is_met(built):
    from audio_helpers import decoded_loudness

    _, _, result = built
    report = _media(result).report
    loud = decoded_loudness(_media(result).path)
    assert abs(loud.integrated - report.output.target) <= 0.5
    assert loud.true_peak <= report.output.ceiling
    assert report.attempts == 1


def test_the_words_are_heard_once_and_published_without_the_fillers(built):
    from podcast import captions
    from podcast.captions.fillers import is_filler

    root, _, result = built
    # The cutter and the transcript asked the same question: one transcription.
    assert len(list((root / ".cache/transcripts").glob("*.json"))) == 1
    written = captions.read(root / "episodes" / SLUG / "transcript.vtt")
    assert any(is_filler(w) for c in written for w in c.text.split())  # master-timed, as said
    published = captions.read(root / "feed/episodes" / SLUG / "transcript.vtt")
    assert not any(is_filler(w) for c in published for w in c.text.split())
    call = next(c for c in published if "called" in c.text)
    chapters = json.loads((root / "feed/episodes" / SLUG / "chapters.json").read_text())
    start = next(c["startTime"] for c in chapters["chapters"] if c["title"] == "The call")
    assert abs(call.start - start) <= 0.5
    page = (root / "feed/episodes" / SLUG / "transcript.html").read_text(encoding="utf-8")
    assert " um," not in page.lower() and " uh," not in page.lower()


def test_the_report_lists_the_cuts_and_the_page_draws_them(built):
    from podcast.audio import producer_page, report_text
    from podcast.show import load_project

    root, _, _ = built
    project = load_project(root, probe_audio=False)
    text = report_text(project.show, project.episodes[0])
    assert "3 pauses" in text and "fillers cut (cuts.json)" in text and "s saved" in text
    assert text.count(" pause ") == 3
    page = producer_page(project.show, project.episodes, SLUG)
    assert page.count('class="cut pause"') >= 3 and 'class="cut filler"' in page
    assert '<table id="cuts">' in page


def _copy(built, tmp_path) -> Path:
    root = tmp_path / "show"
    shutil.copytree(built[0], root, ignore=shutil.ignore_patterns("feed"))
    return root


def test_a_second_run_changes_nothing(built, tmp_path, monkeypatch):
    from audio_helpers import FFmpegSpy, process

    root = _copy(built, tmp_path)
    before = (root / "episodes" / SLUG / "cuts.json").read_bytes()
    spy = FFmpegSpy(monkeypatch)
    process(root)
    assert spy.encodes == 0 and spy.argvs == []  # no encode, and nothing measured again
    assert (root / "episodes" / SLUG / "cuts.json").read_bytes() == before


def test_a_producers_keep_is_honoured_and_never_overwritten(built, tmp_path):
    from audio_helpers import process

    root = _copy(built, tmp_path)
    path = root / "episodes" / SLUG / "cuts.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    kept = next(c for c in doc["cuts"] if c["kind"] == "filler" and c["start"] > 5)
    kept["keep"] = True
    pause = next(c for c in doc["cuts"] if c["kind"] == "pause")
    pause["end"] = round(pause["end"] - 0.5, 3)  # keep half a second more of this pause
    edited = json.dumps(doc, indent=1)
    path.write_text(edited, encoding="utf-8")

    (result,) = process(root)
    assert result.action == "encoded"
    assert path.read_text(encoding="utf-8") == edited  # not one byte rewritten
    cuts = result.media.timeline.cuts
    assert not any(c.start < kept["end"] and c.end > kept["start"] for c in cuts)
    assert any(c.kind == "pause" and c.end == pytest.approx(pause["end"]) for c in cuts)
    # The filler is back where it was said.
    from podcast.captions.fillers import is_filler
    heard = _heard(result.media.path, tmp_path)
    at = result.media.timeline.to_published(kept["start"])
    assert any(is_filler(w.text) and abs(w.start - at) < 0.6 for w in heard)

    # A new max_pause finds the pauses again, and the producer's entries stay.
    toml = root / "podcast.toml"
    toml.write_text(toml.read_text().replace(f"max_pause = {MAX_PAUSE}", "max_pause = 2.5"))
    (result,) = process(root)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["found_with"]["max_pause"] == 2.5
    assert kept in doc["cuts"] and pause in doc["cuts"]
    assert sum(c["kind"] == "pause" and c.get("kept") == 2.5 for c in doc["cuts"]) == 2


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium")
def test_the_producer_page_draws_each_cut_on_the_timeline(built):
    """In Chromium: one mark per cut, inside the plot and in time order, the legend
    drawing them as the chart does, the cuts table; the picture goes to the docs."""
    from docshots import save_for_docs
    from playwright.sync_api import sync_playwright

    from podcast.audio import producer_page
    from podcast.show import load_project

    root, _, result = built
    project = load_project(root, probe_audio=False)
    html = producer_page(project.show, project.episodes, SLUG)
    cuts = _media(result).timeline.cuts
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.set_content(html, wait_until="load")
            chart = page.locator("svg.chart").bounding_box()
            marks = page.locator("svg.chart line.cut")
            assert marks.count() == len(cuts)
            xs = [marks.nth(i).bounding_box()["x"] for i in range(marks.count())]
            assert xs == sorted(xs) and chart["x"] < xs[0] and xs[-1] < chart["x"] + \
                chart["width"]
            titles = marks.locator("title").all_text_contents()
            assert sum(t.startswith("pause") for t in titles) == 3
            dash = "getComputedStyle(document.querySelector('{}')).strokeDasharray"
            assert page.evaluate(dash.format(".legend line.cut.filler")) == \
                page.evaluate(dash.format("svg.chart line.cut.filler")) != "none"
            assert page.locator("#cuts tr").count() == len(cuts) + 1
            save_for_docs(page, "producer-cuts.png", full_page=True)
        finally:
            browser.close()
