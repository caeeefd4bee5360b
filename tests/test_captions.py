"""Transcript formats (podcast.captions): valid WebVTT and SRT out whatever the text,
strict reading, the order published and what check says, bounded re-cutting.

The formats are read back by real parsers: webvtt-py and pysubs2 here, and
Chromium itself in tests/test_captions_browser.py.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from showfactory import make_show

from podcast import captions
from podcast.captions import Cue, Word
from podcast.captions.ass import AssStyle, to_ass
from podcast.captions.layout import PHONE_LINE, chunks, recut, wrap
from podcast.captions.timecode import parse, stamp
from podcast.cli import cli
from podcast.errors import PodcastError

HOSTILE = [
    Cue(0.5, 2.0, "He said --> run.\nThen --->", "Mallory -- "),
    Cue(2.0, 3.0, "a < b && c > d\n\n  \nlast line", "Eve <admin> & co"),
    Cue(3.0, 4.0, "00:00:09,000 --> 00:00:10,000\n2", "Trent-"),
    Cue(4.0, 5.0, "&amp; stays as typed", None),
    Cue(5.0, 6.0, "carriage\r\rreturns\r\n", "Line\nBreak"),
]
TIMING = re.compile(r"^\d{2,}:\d{2}:\d{2}[.,]\d{3} --> \d{2,}:\d{2}:\d{2}[.,]\d{3}$")


def test_timecode_is_one_format_both_ways():
    assert stamp(3725.5) == "01:02:05.500" and stamp(3725.5, ",") == "01:02:05,500"
    assert stamp(0.0004) == "00:00:00.000" and stamp(-1) == "00:00:00.000"
    assert stamp(100 * 3600 + 0.9996) == "100:00:01.000"
    assert parse("01:02:05,500") == parse(stamp(3725.5)) == 3725.5
    for bad in ("1:02:05.500", "01:62:05.500", "01:02:05.5", "01:02:05.5000", "x"):
        with pytest.raises(ValueError):
            parse(bad)


def test_vtt_is_valid_and_reads_back_whatever_the_names_and_text(tmp_path):
    text = captions.to_vtt(HOSTILE, note="machine --> made\n\nsecond --->")
    for line in text.splitlines():
        assert "-->" not in line or TIMING.match(line), line
    assert "<v Mallory -&#45;>He said --&gt; run." in text  # not "<v Mallory -->"
    assert "<v Eve &lt;admin&gt; &amp; co>a &lt; b &amp;&amp; c &gt; d" in text
    path = tmp_path / "t.vtt"
    path.write_text(text, encoding="utf-8")
    back = captions.read(path)
    assert [(c.start, c.end, c.speaker) for c in back] == [
        (0.5, 2.0, "Mallory --"), (2.0, 3.0, "Eve <admin> & co"), (3.0, 4.0, "Trent-"),
        (4.0, 5.0, None), (5.0, 6.0, "Line Break")]
    assert [c.text for c in back] == ["He said --> run.\nThen --->", "a < b && c > d\nlast line",
                                     "00:00:09,000 --> 00:00:10,000\n2", "&amp; stays as typed",
                                     "carriage\nreturns"]


def test_srt_is_valid_and_reads_back(tmp_path):
    text = captions.to_srt(HOSTILE)
    blocks = text.strip("\n").split("\n\n")
    assert len(blocks) == len(HOSTILE)  # no blank line inside a cue
    for n, block in enumerate(blocks, start=1):
        lines = block.split("\n")
        assert lines[0] == str(n) and TIMING.match(lines[1])
        assert all("-->" not in line for line in lines[2:]), block
    assert blocks[0].split("\n")[2:] == ["Mallory --: He said -> run.", "Then ->"]
    assert blocks[2].split("\n")[2] == "Trent-: 00\u223600\u223609,000 -> 00\u223600\u223610,000"
    path = tmp_path / "t.srt"
    path.write_text(text, encoding="utf-8")
    assert [(c.start, c.end) for c in captions.read(path)] == [(c.start, c.end) for c in HOSTILE]
    import pysubs2

    assert len(pysubs2.SSAFile.from_string(text, format_="srt")) == len(HOSTILE)


@pytest.mark.parametrize("text, problem", [
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\n\n00:00:03.5000 --> 00:00:04.000\nbad\n",
     "line 6: is not valid WebVTT"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Mallory -->hi\n", "line 3: is not valid"),
    ("WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nbackwards\n", "cue 1 (00:00:02.000) ends before"),
    ("no header\n", "does not start with WEBVTT"),
])
def test_vtt_a_browser_would_drop_is_refused_naming_the_line(text, problem):
    with pytest.raises(PodcastError, match=re.escape(problem)):
        captions.parse_text(text, "t.vtt", vtt=True)


@pytest.mark.parametrize("text, problem", [
    ("1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 --> 00:00:4,000\nbad\n",
     "line 6: '00:00:03,000 --> 00:00:4,000' is not an SRT timing line"),
    ("1\n00:00:01,000 --> 00:00:02,000\nsays --> this\n", "line 3:"),
    ("1\n00:00:01,000 --> 00:00:02,000\nok\n\n00:00:03,000 --> 00:00:04,000\nno number\n",
     "line 5: the cue has no number"),
    ("just words\n", "has no cues"),
])
def test_srt_that_readers_disagree_on_is_refused_naming_the_line(text, problem):
    with pytest.raises(PodcastError, match=re.escape(problem)):
        captions.parse_text(text, "t.srt", vtt=False)


def test_findings_name_out_of_order_zero_length_and_one_speakers_overlaps():
    cues = [Cue(0.0, 2.0, "a", "Host"), Cue(1.5, 3.0, "cross-talk", "Guest"),
            Cue(1.8, 4.0, "b", "Host"), Cue(1.0, 1.2, "late", "Guest"),
            Cue(5.0, 5.0, "flash", None)]
    found = {f.cue: (f.label, f.problem) for f in captions.findings(cues)}
    assert set(found) == {3, 4, 5}  # cue 2 overlaps another speaker: allowed
    assert found[3] == ("cue 3 (00:00:01.800)", "overlaps cue 1, also Host's, by 0.200 s")
    assert found[4][1] == "starts before cue 3 (00:00:01.800)"
    assert found[5][1].startswith("has no length")
    assert [c.text for c in captions.publishable(cues)] == ["a", "late", "cross-talk", "b"]


def test_a_transcript_written_backwards_gives_a_bounded_report():
    cues = [Cue(100.0 - n, 100.5 - n, f"cue {n}") for n in range(100)]
    found = captions.findings(cues)
    assert len(found) == 21 and found[-1].problem.startswith("79 more cues")


def test_merged_tracks_keep_cross_talk_in_time_order():
    host = [Cue(0.0, 2.0, "So what happened?", "Host"), Cue(4.0, 5.0, "Go on.", "Host")]
    guest = [Cue(1.5, 4.5, "I saw the van.", "Guest")]
    merged = captions.merged(host, guest)
    assert [c.speaker for c in merged] == ["Host", "Guest", "Host"]
    assert captions.findings(merged) == []
    assert "<v Guest>I saw the van." in captions.to_vtt(merged)


def test_check_reports_cue_problems_and_build_publishes_them_in_order(tmp_path):
    vtt = ("WEBVTT\n\n00:00:02.000 --> 00:00:03.000\n<v Host>second\n\n"
           "00:00:00.500 --> 00:00:01.500\n<v Host>first\n\n"
           "00:00:03.000 --> 00:00:03.000\n<v Host>flash\n")
    root = make_show(tmp_path, [dict(slug="ep", transcript=("vtt", vtt))])
    result = CliRunner().invoke(cli, ["--root", str(root), "check"])
    out = result.output
    assert "warning: episodes/ep/transcript.vtt: cue 2 (00:00:00.500): starts before cue 1 " \
           "(00:00:02.000)." in out, out
    assert "warning: episodes/ep/transcript.vtt: cue 3 (00:00:03.000): has no length" in out

    from podcast.assets import write_assets
    from podcast.show import load_project

    project = load_project(root)
    write_assets(project.show, project.episodes, project.show.output_dir)
    (published,) = project.show.output_dir.glob("**/transcript.vtt")
    assert [c.text for c in captions.read(published)] == ["first", "second"]


def test_json_transcript_groups_words_and_refuses_deep_nesting():
    doc = {"version": "1.0.0", "segments": [
        {"speaker": "Mallory --", "startTime": 0.0, "endTime": 0.4, "body": "Hello"},
        {"speaker": "Mallory --", "startTime": 0.4, "endTime": 0.9, "body": "there."},
        {"speaker": "Bob", "startTime": 1.0, "endTime": 1.5, "body": "Hi <b>"},
        {"startTime": True, "endTime": 2, "body": "not a time"}]}
    cues = captions.parse_json(json.dumps(doc).encode(), "t.json")
    assert cues == [Cue(0.0, 0.9, "Hello there.", "Mallory --"), Cue(1.0, 1.5, "Hi <b>", "Bob")]
    assert json.loads(captions.to_json(cues))["segments"][1] == {
        "speaker": "Bob", "startTime": 1.0, "endTime": 1.5, "body": "Hi <b>"}
    deep = b'{"segments": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(PodcastError, match="nested 100,001 levels deep, more than 64"):
        captions.parse_json(deep, "t.json")


def test_imported_json_transcript_becomes_valid_vtt():
    from podcast.importer.convert import vtt_from_json

    data = json.dumps({"segments": [{"speaker": "Mallory --", "startTime": 1, "endTime": 2,
                                     "body": "a --> b"}]}).encode()
    text = vtt_from_json(data, "t.json")
    assert captions.parse_text(text, "t.vtt", vtt=True) == [Cue(1.0, 2.0, "a --> b",
                                                                "Mallory --")]
    with pytest.raises(PodcastError, match="more than 64"):
        vtt_from_json(b"[" * 100_000, "deep.json")


def test_wrap_and_recut_are_bounded_by_the_screen_not_the_text():
    huge = "x" * 1_000_000  # a 1 MB cue with no spaces
    assert wrap(huge) is None
    pieces = chunks(huge, PHONE_LINE, 2, limit=3)
    assert len(pieces) == 3 and all(len(p) <= 2 * PHONE_LINE + 1 for p in pieces)
    assert pieces[-1].endswith("…")
    cut = recut([Cue(0.0, 10.0, huge, "Mallory")], 1.0, 3.0)
    assert 1 <= len(cut) <= 3  # at least 0.8 s each in a 3 s clip
    assert cut[0].speaker == "Mallory" and cut[-1].end == 3.0
    for cue in cut:
        assert all(len(line) <= PHONE_LINE for line in cue.text.split("\n"))
    script = to_ass(cut, AssStyle((1080, 1080), "DejaVu Sans", 50, 56))
    assert len(script) < 4000


def test_recut_shares_a_cue_between_captions_in_order():
    cue = Cue(0.0, 6.0, "A member of the public acted on her instincts and called the "
              "hotline that same night.", "Narrator")
    cut = recut([cue, Cue(6.0, 8.0, "Yes.", "Detective")], 0.0, 8.0)
    assert " ".join(" ".join(c.text.split()) for c in cut[:-1]) == cue.text
    assert [c.speaker for c in cut] == ["Narrator"] + [None] * (len(cut) - 2) + ["Detective"]
    assert all(a.end == b.start for a, b in zip(cut, cut[1:]))


def test_ass_text_cannot_become_override_tags():
    import pysubs2

    cues = [Cue(0.0, 1.5, "{\\pos(0,0)}moved?\nback\\slash", "Eve {\\c&H0000FF&}"),
            Cue(1.5, 3.0, "plain")]
    script = to_ass(cues, AssStyle((1080, 1920), "DejaVu Sans", 60, 300))
    doc = pysubs2.SSAFile.from_string(script)
    assert doc.info["PlayResY"] == "1920" and doc.styles["Caption"].marginv == 300
    first, second = doc.events
    assert (first.start, first.end, second.text) == (0, 1500, "plain")
    # Only our two colour tags; the speaker's and the text's braces are inert.
    assert re.findall(r"\{[^}]*\}", first.text) == ["{\\c&H5CE1FF&}", "{\\c&HFFFFFF&}"]
    assert "(/pos(0,0))moved?\\Nback/slash" in first.text


def test_cues_keep_their_words_and_shift_them():
    words = (Word(1.0, 1.4, "Hello", 0.91, "Host"), Word(1.5, 1.9, "there.", 0.88, "Host"))
    cue = Cue(1.0, 1.9, "Hello there.", "Host", words)
    (moved,) = captions.retimed([cue], lambda t: t + 2.0)
    assert [(w.start, w.end, w.probability) for w in moved.words] == [
        (3.0, 3.4, 0.91), (3.5, 3.9, 0.88)]


def test_vtt_layout_a_browser_ignores_is_read_not_refused():
    text = ("WEBVTT\n\nREGION\nid:fred\nwidth:40%\nscroll:sideways\n\n"
            "00:00:01.000 --> 00:00:02.000 align:middle position:50%,middle region:fred\n"
            "<v Host>older files say middle\n")
    assert captions.parse_text(text, "t.vtt", vtt=True) == [
        Cue(1.0, 2.0, "older files say middle", "Host")]
