"""cuts.json, the producer's edit list: read and checked like every other file, written
one cut a line, merged by a rule that never undoes the producer's edits, and
applied per the settings. Pure values: table tests."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from podcast.audio import editlist
from podcast.audio.cache import audio_hash
from podcast.audio.editlist import EditList, Entry, FoundWith, applied, merged
from podcast.errors import AudioError, ValidationError
from podcast.model import Cut
from podcast.show.settings import AudioSettings

SHA = "ab" * 32
PAUSES_15 = [Entry(10.0, 12.5, "pause", pause=4.0, kept=1.5),
             Entry(30.0, 31.0, "pause", pause=2.5, kept=1.5)]
FILLERS = [Entry(3.1, 3.6, "filler", word="um,", probability=0.8),
           Entry(20.0, 20.4, "filler", word="uh", probability=0.6)]


def _list(cuts, found=FoundWith(1.5, True)) -> EditList:
    return EditList("master.wav", SHA, found, tuple(sorted(cuts, key=lambda e: e.start)))


def _merge(existing, found, now, before=PAUSES_15):
    return merged(existing, found, now, master="master.wav", master_sha=SHA,
                  where="episodes/x/cuts.json",
                  proposed_before=lambda settings: before if settings.max_pause == 1.5 else [])


def test_written_one_cut_a_line_and_read_back(tmp_path):
    path = tmp_path / "cuts.json"
    edits = _list(PAUSES_15 + FILLERS)
    editlist.write(path, edits)
    text = path.read_text()
    assert json.loads(text)["found_with"] == {"max_pause": 1.5, "cut_fillers": True}
    assert '  {"start": 3.1, "end": 3.6, "kind": "filler", "word": "um,", ' \
           '"probability": 0.8}' in [line.rstrip(",") for line in text.splitlines()]
    assert editlist.read(path, "cuts.json") == edits
    assert editlist.read(tmp_path / "none.json", "none.json") is None


def test_a_producer_may_write_times_as_minutes_and_seconds(tmp_path):
    path = tmp_path / "cuts.json"
    path.write_text(json.dumps({"master_sha256": SHA, "found_with": {"max_pause": 1.5},
                                "cuts": [{"start": "1:02.5", "end": "1:03", "kind": "edit"}]}))
    assert editlist.read(path, "cuts.json").cuts == (Entry(62.5, 63.0, "edit"),)


def test_every_problem_is_named_with_its_field(tmp_path):
    path = tmp_path / "cuts.json"
    path.write_text(json.dumps({"master_sha256": SHA, "found_with": {"max_pause": 1.5},
                                "cuts": [{"start": 5, "end": 4, "kind": "pause"},
                                         {"start": "soon", "end": 4, "kind": "cough"},
                                         {"start": 1, "end": 2, "kind": "edit", "keep": "yes"}]}))
    with pytest.raises(ValidationError) as err:
        editlist.read(path, "episodes/x/cuts.json")
    fields = {p.field for p in err.value.problems if p.is_error}
    assert fields == {"cuts[1].end", "cuts[2].start", "cuts[2].kind", "cuts[3].keep"}
    assert all(p.where == "episodes/x/cuts.json" for p in err.value.problems)
    path.write_text("{not json")
    with pytest.raises(AudioError, match="cuts.json: is not valid JSON"):
        editlist.read(path, "episodes/x/cuts.json")


def test_first_run_writes_what_was_found():
    found = PAUSES_15 + FILLERS
    assert _merge(None, found, FoundWith(1.5, True)).cuts == tuple(sorted(found,
                                                                          key=lambda e: e.start))


def test_the_same_settings_leave_the_file_as_the_producer_left_it():
    # Times moved, a cut vetoed, one deleted, one added: all of it stays.
    edited = _list([replace(PAUSES_15[0], start=10.5), replace(FILLERS[0], keep=True),
                    Entry(40.0, 41.0, "edit", note="a cough")])
    assert _merge(edited, PAUSES_15 + FILLERS, FoundWith(1.5, True)) is edited


def test_a_new_max_pause_renews_only_the_untouched_pauses():
    vetoed = replace(PAUSES_15[1], keep=True)
    existing = _list([PAUSES_15[0], vetoed] + FILLERS)
    found_now = [Entry(10.5, 12.0, "pause", pause=4.0, kept=2.5),
                 Entry(30.5, 30.5001, "pause"), Entry(50.0, 52.0, "pause")]
    out = _merge(existing, found_now + FILLERS, FoundWith(2.5, True))
    assert out.found_with == FoundWith(2.5, True)
    # The untouched pause is found again; the vetoed one stays (a new cut over it is not
    # added), the fillers are untouched, and a pause found only now is added.
    assert [e for e in out.cuts if e.kind == "pause"] == [found_now[0], vetoed, found_now[2]]
    assert [e for e in out.cuts if e.kind == "filler"] == FILLERS


def test_a_deleted_proposal_stays_deleted_when_the_settings_change():
    existing = _list([PAUSES_15[1]])  # the producer deleted the first pause
    out = _merge(existing, [Entry(10.5, 12.0, "pause"), Entry(30.5, 30.7, "pause")],
                 FoundWith(2.5, False), before=PAUSES_15)
    assert [(e.start, e.end) for e in out.cuts] == [(30.5, 30.7)]


def test_turning_a_kind_on_adds_it_where_nothing_was_reviewed():
    existing = _list(PAUSES_15 + [Entry(19.9, 20.5, "edit")], FoundWith(1.5, False))
    out = _merge(existing, PAUSES_15 + FILLERS, FoundWith(1.5, True))
    assert out.cuts == tuple(sorted([FILLERS[0]] + PAUSES_15 + [Entry(19.9, 20.5, "edit")],
                                    key=lambda e: e.start))


def test_turning_a_kind_off_keeps_its_entries_but_does_not_apply_them():
    existing = _list(PAUSES_15 + FILLERS)
    out = _merge(existing, PAUSES_15, FoundWith(1.5, False))
    assert out.cuts == existing.cuts
    assert {c.kind for c in applied(out, AudioSettings(max_pause=1.5))} == {"pause"}


def test_another_master_is_refused():
    with pytest.raises(AudioError, match="made for another master"):
        merged(_list(PAUSES_15), PAUSES_15, FoundWith(1.5, True), master="master.wav",
               master_sha="cd" * 32, where="cuts.json", proposed_before=lambda s: [])


def test_applied_leaves_out_vetoes_and_kinds_switched_off():
    edits = _list([PAUSES_15[0], replace(PAUSES_15[1], keep=True), replace(FILLERS[0],
                   keep=False), FILLERS[1], Entry(40.0, 41.0, "edit")])
    on = AudioSettings(max_pause=1.5, cut_fillers=True)
    assert applied(edits, on) == (Cut(3.1, 3.6, "filler", "um,"), Cut(10.0, 12.5, "pause"),
                                  Cut(20.0, 20.4, "filler", "uh"), Cut(40.0, 41.0, "edit"))
    assert [c.kind for c in applied(edits, replace(on, cut_fillers=False))] == ["pause", "edit"]
    assert applied(edits, AudioSettings()) == ()  # the cutter off: the file is not read


def test_the_hash_takes_the_cuts_not_the_settings():
    plain = audio_hash(SHA, AudioSettings())
    on = AudioSettings(max_pause=1.5, cut_fillers=True)
    # Turning the cutter on changes nothing until it cuts: no episode re-encodes for it.
    assert audio_hash(SHA, on) == plain
    cuts = (Cut(10.0, 12.5, "pause"),)
    assert audio_hash(SHA, on, cuts=cuts) != plain
    assert audio_hash(SHA, on, cuts=cuts) == audio_hash(SHA, replace(on, max_pause=2.0),
                                                        cuts=cuts)
    assert audio_hash(SHA, on, cuts=(Cut(10.0, 12.6, "pause"),)) != \
        audio_hash(SHA, on, cuts=cuts)
