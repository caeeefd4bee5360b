"""What reads the edit list besides the encode: `podcast check`, the feed's soundbites,
and promo clips (fast: no transcription, short real masters)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner
from showfactory import make_show, make_site

from podcast.audio.editlist import dumps, EditList, Entry, FoundWith
from podcast.cli import cli
from podcast.model import Cut, Timeline

SHA = "ab" * 32


def _show(tmp_path, cuts, *, master_seconds=10.0, sha=SHA, **spec):
    root = make_show(tmp_path, [{"slug": "witness", "title": "The Witness",
                                 "master_seconds": master_seconds, **spec}],
                     audio={"max_pause": 1.5})
    path = root / "episodes/witness/cuts.json"
    path.write_text(dumps(EditList("master.wav", sha, FoundWith(1.5, False), tuple(cuts))),
                    encoding="utf-8")
    return root, path


def test_check_names_each_broken_field_of_cuts_json(tmp_path):
    root, path = _show(tmp_path, [])
    doc = json.loads(path.read_text())
    doc["cuts"] = [{"start": 4, "end": 3, "kind": "pause"}, {"start": 1, "end": 2,
                                                            "kind": "cough"}]
    path.write_text(json.dumps(doc))
    result = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert result.exit_code == 1
    assert "episodes/witness/cuts.json: cuts[1].end: 3 is not after start 4" in result.output
    assert "episodes/witness/cuts.json: cuts[2].kind:" in result.output
    assert "Traceback" not in result.output


def test_check_refuses_a_list_made_for_another_master(tmp_path):
    from podcast.audio.cache import Cache
    from podcast.show import load_project

    root, _ = _show(tmp_path, [Entry(2.0, 3.0, "edit")])
    project = load_project(root)
    cache = Cache(project.show)
    cache.master_sha(project.episodes[0].master)  # hashed, as a build leaves it
    cache.save_memo()
    result = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert result.exit_code == 1
    assert "cuts.json: master_sha256: was made for another master" in result.output


def test_soundbites_move_and_shrink_through_the_cuts(tmp_path):
    from lxml import etree

    from podcast.feed.writer import render_feed

    root = make_show(tmp_path, [{"slug": "witness", "title": "The Witness",
                                 "master_seconds": 30.0,
                                 "soundbites": [{"start": 10, "duration": 5, "title": "Quote"},
                                                {"start": 20, "duration": 2}]}])
    site = make_site(root, durations={"witness": 60.0})
    built = site.episodes[0]
    timeline = Timeline(offset=4.0, cuts=(Cut(2.0, 3.0, "pause"), Cut(12.0, 13.5, "filler"),
                                          Cut(19.0, 23.0, "edit")))
    site = replace(site, episodes=(replace(built, media=replace(built.media,
                                                                timeline=timeline)),))
    item = etree.fromstring(render_feed(site)).find("channel/item")
    bites = item.findall("{https://podcastindex.org/namespace/1.0}soundbite")
    # 10 s in the master plays at 13 s (a 1 s cut before it, a 4 s intro); 1.5 s of
    # its 5 s were cut; the second soundbite lies wholly inside a cut: left out.
    assert [(b.get("startTime"), b.get("duration"), b.text) for b in bites] == [
        ("13", "3.5", "Quote")]


def test_a_promo_clip_plays_the_cuts_inside_its_span(tmp_path):
    from podcast.audio.tags import mp3_info
    from podcast.clips import make_clips

    root, _ = _show(tmp_path, [Entry(3.0, 5.0, "edit"), Entry(8.5, 9.0, "pause"),
                               Entry(5.5, 6.0, "pause", keep=True)])
    (clip,) = make_clips(root, "witness", start=2.0, duration=6.0)
    # 6 s of the master less the 2 s cut inside it (the vetoed one plays, the other
    # cut lies after the span).
    assert abs(mp3_info(clip).duration - 4.0) < 0.06


def test_the_report_keeps_the_cuts_and_gives_the_timeline():
    from test_audio_report_model import _report

    from podcast.audio.report import AudioReport

    cuts = (Cut(2.0, 3.0, "pause"), Cut(12.0, 12.5, "filler", "um,"))
    report = replace(_report(), cuts=cuts, offset=4.0)
    again = AudioReport.from_json(report.to_json())
    assert again == report and again.cuts == cuts
    assert again.timeline == Timeline(4.0, cuts)
    assert again.timeline.to_published(20.0) == 22.5 and again.timeline.removed == 1.5
    assert AudioReport.from_json(_report().to_json()).cuts == ()


def test_cuts_that_leave_nothing_are_refused_with_the_file_named(tmp_path):
    from audio_helpers import process

    from podcast.clips import make_clips
    from podcast.errors import AudioError

    root, path = _show(tmp_path, [Entry(2.0, 8.5, "edit")])
    with pytest.raises(AudioError, match="witness clip: cuts.json takes 6.0 s of these 6 s"):
        make_clips(root, "witness", start=2.0, duration=6.0)
    text = path.read_text().replace(SHA, _sha(root))
    path.write_text(text.replace('"start": 2.0', '"start": 0.5'))
    with pytest.raises(AudioError, match=r"episodes/witness/cuts.json: leaves 2.0 s of the "
                                         r"10.0 s master. Remove or shorten its cuts"):
        process(root)


def _sha(root) -> str:
    from podcast.fsutil import sha256_file

    return sha256_file(root / "episodes/witness/master.wav")


def test_the_report_compares_master_and_mp3_at_the_same_moments_through_the_cuts():
    from podcast.audio.figures import moved, published_runs

    # Room tone in master frames 10-30 (1-3 s); a cut takes 1.5-2.0 s out.
    timeline = Timeline(offset=1.0, cuts=(Cut(1.5, 2.0, "pause"),))
    assert published_runs([[10, 30]], timeline, (0.0, float("inf"))) == [[20, 25], [25, 35]]
    assert published_runs([[10, 30]], Timeline(offset=1.0), (0.0, 3.0)) == [[20, 30]]
    # A second of speech is compared where it plays, unless a cut fell in its window.
    assert moved(timeline, 3.0, 6.0) == 6.5 and moved(timeline, 0.0, 3.0) is None
