"""Cues from timed words (caption rules), and the three published formats parsed back."""

from __future__ import annotations

import json

import pytest

from podcast.model import Cut, Timeline
from podcast import captions as cuelib
from podcast.captions import Cue, Word
from podcast.captions.layout import LINE, wrap
from podcast.transcribe.segment import build_cues, speakers_from

TEXT = ("March two thousand and twenty. A quiet street in the north of England. Detectives "
        "from Counter Terrorism Policing opened an investigation that same afternoon, and "
        "within a week officers had found the chemicals needed to make a very large bomb, "
        "hidden in a lock-up garage. Yes. Go on.")


def timed(text: str, step: float = 0.32, start: float = 0.5) -> list[Word]:
    out, t = [], start
    for w in text.split():
        out.append(Word(round(t, 3), round(t + step - 0.05, 3), w))
        t += step
    return out


def test_cues_are_caption_sized_ordered_and_inside_the_audio():
    words = timed(TEXT)
    duration = words[-1].end + 0.2
    cues = build_cues(words, duration)
    assert " ".join(" ".join(c.text.split()) for c in cues) == TEXT  # every word, in order
    for cue in cues:
        lines = cue.text.split("\n")
        assert 1 <= len(lines) <= 2 and all(len(line) <= LINE for line in lines), cue
        assert cue.end - cue.start <= 7.0 + 1e-9
        assert 0 <= cue.start < cue.end <= duration
    for a, b in zip(cues, cues[1:]):
        assert a.end <= b.start  # ordered, never overlapping


def test_a_sentence_starts_a_cue_and_no_cue_ends_on_an_orphan():
    cues = build_cues(timed(TEXT))
    texts = [" ".join(c.text.split()) for c in cues]
    # Two sentences that each fit a line share a cue, one per line.
    assert cues[0].text == "March two thousand and twenty.\nA quiet street in the north of England."
    assert any(t.startswith("Detectives") for t in texts)
    assert all(len(t.split()) >= 2 for t in texts[:-1])
    assert cues[-1].text == "Yes.\nGo on."


def test_a_long_pause_or_a_new_speaker_ends_a_cue():
    words = timed("we waited and then", start=0) + timed("the door opened slowly", start=5)
    assert [c.text for c in build_cues(words)] == ["we waited and then",
                                                  "the door opened slowly"]
    named = [Cue(0, 2.2, "x", "Narrator"), Cue(2.2, 9, "y", "Witness")]
    cues = build_cues(timed("one two three four five six seven eight", start=1),
                      speaker_at=speakers_from(named))
    assert [(c.speaker, c.text) for c in cues] == [("Narrator", "one two three four"),
                                                   ("Witness", "five six seven eight")]


def test_a_cue_is_readable_for_a_second_but_never_runs_into_the_next():
    words = [Word(0.0, 0.2, "Yes."), Word(0.6, 0.9, "Right."), Word(5.0, 5.2, "Go.")]
    cues = build_cues(words, duration=5.5)
    assert [(c.start, c.end) for c in cues] == [(0.0, 1.0), (5.0, 5.5)]


def test_wrap_balances_two_lines_and_refuses_what_does_not_fit():
    assert wrap("short line") == ["short line"]
    lines = wrap("Within a week, officers had found the chemicals needed to make it")
    assert len(lines) == 2 and all(len(line) <= LINE for line in lines)
    assert wrap("word " * 40) is None


def test_retimed_maps_cues_onto_the_published_timeline():
    cues = [Cue(0.0, 1.0, "intro overlap"), Cue(2.0, 3.0, "a"), Cue(9.5, 11.0, "tail")]
    after_intro = Timeline(offset=5.0).to_published
    assert cuelib.retimed(cues, after_intro, duration=15.0) == [
        Cue(5.0, 6.0, "intro overlap"), Cue(7.0, 8.0, "a"), Cue(14.5, 15.0, "tail")]
    # An MP3 timed transcript, less an intro, drops what ends before 0.
    assert [c.text for c in cuelib.retimed(cues, lambda t: t - 1.5)] == ["a", "tail"]
    # A cut (#17) takes out what lies inside it and closes the gap.
    cut = Timeline(cuts=(Cut(1.5, 3.0),)).to_published
    assert cuelib.retimed(cues, cut) == [Cue(0.0, 1.0, "intro overlap"),
                                         Cue(8.0, 9.5, "tail")]


CUES = [Cue(0.5, 2.25, "A member of the public\nacted on her instincts.", "Narrator"),
        Cue(2.5, 4.0, "We moved quickly & <quietly>.", "Detective Sergeant"),
        Cue(4.0, 5.0, "No speaker here.")]


def test_vtt_round_trip_keeps_voice_tags_lines_and_note(tmp_path):
    text = cuelib.to_vtt(CUES, note="Made by a machine --> check it.\n\nTwice.")
    assert text.startswith("WEBVTT\n\nNOTE\nMade by a machine -> check it.\nTwice.\n\n")
    path = tmp_path / "t.vtt"
    path.write_text(text, encoding="utf-8")
    assert cuelib.read(path) == CUES
    assert "<v Detective Sergeant>We moved quickly &amp; &lt;quietly&gt;." in text


def test_srt_names_the_speaker_and_parses(tmp_path):
    text = cuelib.to_srt(CUES)
    assert "1\n00:00:00,500 --> 00:00:02,250\nNarrator: A member of the public\n" in text
    path = tmp_path / "t.srt"
    path.write_text(text, encoding="utf-8")
    parsed = cuelib.read(path)
    assert [(c.start, c.end) for c in parsed] == [(c.start, c.end) for c in CUES]


def test_json_is_the_podcasting_2_0_transcript_format():
    doc = json.loads(cuelib.to_json(CUES))
    assert doc["version"] == "1.0.0"
    assert doc["segments"][0] == {"speaker": "Narrator", "startTime": 0.5, "endTime": 2.25,
                                  "body": "A member of the public acted on her instincts."}
    assert "speaker" not in doc["segments"][2]
    for seg in doc["segments"]:
        assert isinstance(seg["startTime"], (int, float)) and seg["endTime"] >= seg["startTime"]


@pytest.mark.parametrize("value", ["tiny.en", "base"])
def test_packaged_models_are_pinned_by_sha256(value):
    from podcast.transcribe.models import PACKAGED

    spec = PACKAGED[value]
    assert len(spec.sha256) == 64 and spec.size > 10_000_000


def test_a_model_file_that_is_not_the_pinned_one_is_refused(tmp_path):
    from podcast.errors import PodcastError
    from podcast.transcribe.models import verify

    model = tmp_path / "model.bin"
    model.write_bytes(b"\0" * 1000)
    digest = "0" * 64
    with pytest.raises(PodcastError, match="is not the pinned model file"):
        verify(model, digest, 1000, "[transcripts] model = 'base'")
    with pytest.raises(PodcastError, match="size differs"):
        verify(model, digest, 999, "[transcripts] model = 'base'")


def test_a_model_folder_must_hold_a_whisper_model(tmp_path):
    from podcast.errors import PodcastError
    from podcast.transcribe.models import resolve

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "model.bin").write_bytes(b"x")
    with pytest.raises(PodcastError, match="has no config.json, tokenizer.json"):
        resolve("mine", tmp_path, tmp_path / ".cache")
    with pytest.raises(PodcastError, match="neither a Whisper size name nor a folder"):
        resolve("./nowhere", tmp_path, tmp_path / ".cache")
