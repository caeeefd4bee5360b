"""Finding the cuts (audio/cutfind.py, audio/activity.py) on plain values, and a
filler's word leaving the published transcript (captions)."""

from __future__ import annotations

from array import array

import pytest

from podcast.audio.activity import RATE, SILENCE, Envelope, gaps
from podcast.audio.cutfind import find_fillers, find_pauses
from podcast.captions import Cue, Word, retimed
from podcast.captions.fillers import is_filler, without
from podcast.model import Cut, Timeline


def _envelope(speech: list[tuple[float, float]], length: float, *, floor: float = -70.0,
              loud: float = -20.0) -> Envelope:
    values = array("f", [floor] * int(length * RATE))
    for a, b in speech:
        for k in range(round(a * RATE), round(b * RATE)):
            values[k] = loud
    return Envelope(values)


def test_speech_spans_join_the_gaps_inside_words_and_drop_clicks():
    env = _envelope([(1.0, 1.5), (1.55, 2.0), (3.0, 3.02), (4.0, 5.0)], 6.0)
    threshold = env.threshold([(2.2, 2.9)])
    assert threshold == pytest.approx(-60.0, abs=0.01)  # 10 dB over the room tone
    assert env.spans(threshold) == [(1.0, 2.0), (4.0, 5.0)]
    # No room tone measured (digital silence): 35 dB under the speech level.
    silent = Envelope(array("f", [SILENCE] * 100 + [-20.0] * 100))
    assert silent.threshold() == pytest.approx(-55.0)


def test_pauses_longer_than_max_pause_keep_it_half_each_side():
    speech = [(0.5, 2.0), (6.0, 8.0), (8.8, 10.0), (11.58, 12.0)]
    assert gaps(speech) == [(2.0, 6.0), (8.0, 8.8), (10.0, 11.58)]
    cuts = find_pauses(speech, 1.5)
    # 4 s -> 1.5 s; 0.8 s kept; 1.58 s is under max_pause + MIN_CUT and kept too.
    assert [(c.start, c.end, c.pause, c.kept) for c in cuts] == [(2.75, 5.25, 4.0, 1.5)]
    assert find_pauses(speech, 0) == []


def test_the_union_of_several_speakers_spans_makes_the_pauses():
    host, guest = [(0.0, 2.0), (7.0, 9.0)], [(2.5, 4.0)]
    assert [(c.start, c.end) for c in find_pauses(host + guest, 1.0)] == [(4.5, 6.5)]


@pytest.mark.parametrize("text, filler", [
    ("um", True), ("Um,", True), ("umm...", True), ("UH", True), ("er,", True),
    ("erm", True), ("Ah.", True), ("hmm?", True), ("Hm", True),
    ("a", False), ("her", False), ("hum", False), ("umbrella", False), ("um-hm", False),
])
def test_is_filler(text, filler):
    assert is_filler(text) is filler


def test_a_filler_is_cut_at_the_quiet_round_it_keeping_the_longer_pause():
    # "So, [0.25] um, [0.4] I saw": Whisper's times for "um" are 0.1 s off the sound.
    speech = [(0.5, 0.9), (1.15, 1.45), (1.85, 3.0)]
    env = _envelope(speech, 4.0)
    words = [Word(0.4, 0.95, "So,"), Word(1.05, 1.3, "um,", 0.7), Word(1.8, 2.0, "I"),
             Word(2.0, 3.0, "saw")]
    (cut,) = find_fillers(words, env, env.spans(-60.0))
    assert (cut.kind, cut.word, cut.probability, cut.joined) == ("filler", "um,", 0.7, None)
    # The filler's sound and half the shorter gap (0.25 s) on each side go:
    assert (cut.start, cut.end) == pytest.approx((1.025, 1.575))
    # what is left between "So," and "I" is as long as the longer gap was.
    assert (1.85 - 0.9) - (cut.end - cut.start) == pytest.approx(0.4)


def test_a_filler_run_into_a_word_is_cut_at_the_quietest_moment_and_marked():
    values = array("f", [-70.0] * 400)
    for k in range(50, 300):  # "and-uh-I" with no pause: a dip at 1.4 s and 1.9 s
        values[k] = -20.0 if not (138 <= k <= 141 or 188 <= k <= 191) else -35.0
    env = Envelope(values)
    words = [Word(0.5, 1.4, "and"), Word(1.42, 1.88, "uh"), Word(1.9, 3.0, "I")]
    (cut,) = find_fillers(words, env, env.spans(-60.0))
    assert cut.joined is True and cut.keep is True  # listed, kept until checked
    assert 1.37 <= cut.start <= 1.42 and 1.87 <= cut.end <= 1.92


def test_a_filler_heard_with_little_confidence_is_cut_when_quiet_surrounds_it():
    speech = [(0.5, 0.9), (1.15, 1.45), (1.85, 3.0)]
    env = _envelope(speech, 4.0)
    words = [Word(0.4, 0.95, "So,"), Word(1.05, 1.3, "erm,", 0.04), Word(1.8, 3.0, "I")]
    (cut,) = find_fillers(words, env, env.spans(-60.0))
    assert cut.keep is None and cut.joined is None and cut.probability == 0.04


def test_words_without_sound_under_them_are_not_cut():
    env = _envelope([(0.5, 1.0)], 3.0)
    assert find_fillers([Word(2.0, 2.3, "um")], env, env.spans(-60.0)) == []


def test_without_takes_the_word_out_and_mends_the_sentence():
    assert without("So, um, I saw the van", "um,", 0.2) == "So, I saw the van"
    assert without("Um, so I called.", "Um,", 0.0) == "So I called."
    assert without("I thought, and, uh.", "uh.", 0.9) == "I thought, and."
    assert without("um, yes um, no", "um,", 0.8) == "um, yes no"  # the one nearest
    assert without("Two lines\nUm, here.", "umm", 0.6) == "Two lines\nhere."
    assert without("Nothing to take", "um", 0.5) == "Nothing to take"


def test_published_cues_lose_the_words_that_were_cut():
    cues = [Cue(1.0, 4.0, "So, um, I saw the van.", "Witness"),
            Cue(5.0, 5.4, "Uh."),
            Cue(6.0, 9.0, "And then I called.")]
    timeline = Timeline(offset=2.0, cuts=(Cut(1.8, 2.3, "filler", "um,"),
                                          Cut(4.9, 5.5, "filler", "Uh."),
                                          Cut(7.0, 8.0, "pause")))
    out = retimed(cues, timeline.to_published, removed=timeline.fillers)
    assert [(c.start, c.end, c.text, c.speaker) for c in out] == [
        (3.0, 5.5, "So, I saw the van.", "Witness"), (6.9, 8.9, "And then I called.", None)]


def test_a_filler_whisper_put_beside_its_sound_is_cut_where_no_word_was_heard():
    # As in the benchmark: "And," [5.0, 5.35], the filler [5.6, 5.8], "I" from 6.05.
    # Whisper: "And," 4.46-5.06, "er," at 5.06 with no length, "I" at 6.0.
    speech = [(5.0, 5.35), (5.6, 5.8), (6.05, 7.5)]
    env = _envelope(speech, 9.0)
    words = [Word(4.46, 5.06, "And,", 0.36), Word(5.06, 5.06, "er,", 0.0),
             Word(6.0, 6.16, "I", 0.86), Word(6.16, 7.5, "thought", 0.95)]
    (cut,) = find_fillers(words, env, env.spans(-60.0))
    assert 5.35 < cut.start < 5.6 and 5.8 < cut.end < 6.05  # not "And", not "I"
    assert cut.keep is None


def test_a_filler_heard_over_the_start_of_words_is_listed_but_kept():
    # Whisper wrote "um" over the start of "Then they thanked me" (one long span).
    env = _envelope([(37.39, 39.31)], 41.0)
    words = [Word(37.27, 37.68, "um,", 0.0), Word(37.64, 37.86, "They"),
             Word(37.86, 38.2, "thanked"), Word(38.2, 39.2, "me")]
    (cut,) = find_fillers(words, env, env.spans(-60.0))
    assert cut.keep is True and cut.joined is True
