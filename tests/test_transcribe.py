"""`podcast transcribe` on generated speech (espeak-ng) with the packaged Whisper models.

Real faster-whisper, real weights from the transcribe extra (sha256-checked),
no network (HF_HUB_OFFLINE=1): the word error rate is bounded, the cues obey
the caption rules, an existing transcript is never overwritten, --force keeps
the speakers a producer named, and `build` with `[transcripts] auto` publishes
the new transcript in the feed and on the page.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from showfactory import make_show
from sitekit import copy_templates
from speech import ESPEAK, dialogue, wer

from podcast.cli import cli
from podcast import captions as cuelib
from podcast.captions.layout import LINE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(ESPEAK is None, reason="needs espeak-ng (make test installs it)"),
    pytest.mark.usefixtures("whisper_offline"),
]
faster_whisper = pytest.importorskip("faster_whisper", reason="needs the transcribe extra")


def spoken_show(tmp_path, **show):
    root = make_show(tmp_path, [{"slug": "multiple-bombings", "title": "Multiple Bombings"}],
                     **show)
    reference = dialogue(root / "episodes/multiple-bombings/master.wav")
    return root, reference


def transcribe(root, *args):
    result = CliRunner().invoke(cli, ["--root", str(root), "transcribe", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_transcribe_writes_caption_cues_and_never_overwrites(tmp_path):
    root, reference = spoken_show(tmp_path)
    path = root / "episodes/multiple-bombings/transcript.vtt"
    out = transcribe(root)
    assert "written   episodes/multiple-bombings/transcript.vtt" in out

    text = path.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n\nNOTE\nTranscribed automatically by `podcast transcribe` "
                           "with Whisper base")
    cues = cuelib.read(path)
    hypothesis = " ".join(c.text for c in cues)
    assert wer(reference, hypothesis) <= 0.20, hypothesis
    from podcast.show.probe import probe
    duration = probe(root / "episodes/multiple-bombings/master.wav").duration
    for cue in cues:
        assert 0 <= cue.start < cue.end <= duration + 0.01
        lines = cue.text.split("\n")
        assert len(lines) <= 2 and all(len(line) <= LINE for line in lines), cue
    assert all(a.end <= b.start for a, b in zip(cues, cues[1:]))

    # Never overwritten: not by a second run, not after the producer edits it.
    assert "kept      episodes/multiple-bombings/transcript.vtt" in transcribe(root)
    edited = text.replace(cues[0].text.split("\n")[0], "<v Narrator>" +
                          cues[0].text.split("\n")[0], 1)
    path.write_text(edited, encoding="utf-8")
    transcribe(root, "multiple-bombings")
    assert path.read_text(encoding="utf-8") == edited

    # --force redoes it, from the cache (same audio, same model), keeping the speaker.
    out = transcribe(root, "--force")
    assert "(from the cache)" in out
    redone = cuelib.read(path)
    assert redone[0].speaker == "Narrator"
    assert [c.text for c in redone] == [c.text for c in cues]


def test_the_packaged_tiny_en_model_works_offline(tmp_path):
    root, reference = spoken_show(tmp_path)
    with open(root / "podcast.toml", "a", encoding="utf-8") as f:
        f.write('\n[transcripts]\nmodel = "tiny.en"\n')
    transcribe(root)
    path = root / "episodes/multiple-bombings/transcript.vtt"
    assert "with Whisper tiny.en" in path.read_text(encoding="utf-8")
    assert wer(reference, " ".join(c.text for c in cuelib.read(path))) <= 0.30


def test_build_with_auto_transcribes_and_publishes_every_format(tmp_path):
    from lxml import etree

    root, reference = spoken_show(tmp_path)
    copy_templates(root)
    with open(root / "podcast.toml", "a", encoding="utf-8") as f:
        f.write("\n[transcripts]\nauto = true\n")
    result = CliRunner().invoke(cli, ["--root", str(root), "build"])
    assert result.exit_code == 0, result.output
    assert (root / "episodes/multiple-bombings/transcript.vtt").is_file()

    out = root / "feed"
    ns = {"podcast": "https://podcastindex.org/namespace/1.0"}
    item = etree.parse(str(out / "feed.xml")).find("channel/item")
    found = [(t.get("type"), t.get("url").rsplit("/", 1)[1])
             for t in item.findall("podcast:transcript", ns)]
    assert found == [("text/vtt", "transcript.vtt"), ("application/x-subrip", "transcript.srt"),
                     ("application/json", "transcript.json")]
    folder = out / "episodes/multiple-bombings"
    assert cuelib.read(folder / "transcript.vtt") and cuelib.read(folder / "transcript.srt")
    doc = json.loads((folder / "transcript.json").read_text(encoding="utf-8"))
    assert wer(reference, " ".join(s["body"] for s in doc["segments"])) <= 0.20
    page = (folder / "index.html").read_text(encoding="utf-8")
    first = doc["segments"][0]
    assert f'id="t={first["startTime"]:g}"' in page and 'class="cue"' in page


def engine_for(tmp_path):
    from podcast.transcribe.engine import Engine
    from podcast.transcribe.models import resolve

    return Engine(resolve("base", tmp_path, tmp_path / ".cache"), tmp_path / "words",
                  workers=1, threads=2)


def test_streaming_in_small_blocks_loses_no_words(tmp_path, monkeypatch):
    """Blocks of 8 s (three cuts in 25 s of dialogue) are cut between words: none is
    lost, halved or heard twice, and the text is as good as the tests ask of one block
    (Whisper's guesses differ a little with what else is in its window, cut or not)."""
    from podcast.transcribe import stream

    master = tmp_path / "dialogue.wav"
    reference = dialogue(master)
    engine = engine_for(tmp_path)
    whole = engine.recognise(master, language="en", prompt="", where="whole")
    monkeypatch.setattr(stream, "BLOCK", 8.0)
    monkeypatch.setattr(stream, "SEARCH", 3.0)
    cut = engine.recognise(master, language="en", prompt="", where="cut")
    assert not cut.cached and cut.duration == whole.duration
    text = " ".join(w.text for w in cut.words)
    assert wer(reference, text) <= 0.20, text
    for a, b in zip(cut.words, cut.words[1:]):
        assert a.start <= a.end <= b.start + 0.05 and b.end <= cut.duration
        assert a.text.lower() != b.text.lower(), (a, b)  # the script has no doubled words
    assert all(0 < w.probability <= 1 for w in cut.words)


def test_only_the_spans_given_are_heard_and_named(tmp_path):
    """Per-track transcription: only a speaker's active spans, each word named."""
    from podcast.show.probe import probe
    from speech import LINES

    lengths = []
    for i, line in enumerate(LINES):
        lengths.append(probe(dialogue(tmp_path / f"{i}.wav", [line]) and
                             tmp_path / f"{i}.wav").duration - 1.1)  # 0.5 s delay, 0.6 s pad
    master = tmp_path / "dialogue.wav"
    dialogue(master)
    starts = [0.5 + sum(length + 0.6 for length in lengths[:i]) for i in range(len(LINES))]
    spans = [(starts[i] - 0.5, starts[i] + lengths[i] + 0.5) for i in (1, 3)]  # the witness
    heard = engine_for(tmp_path).recognise(master, language="en", prompt="", where="spans",
                                           spans=spans, speaker="Witness")
    assert {w.speaker for w in heard.words} == {"Witness"}
    assert all(any(a - 0.001 <= w.start and w.end <= b + 0.001 for a, b in spans)
               for w in heard.words)
    witness = " ".join(LINES[i][1] for i in (1, 3))
    assert wer(witness, " ".join(w.text for w in heard.words)) <= 0.15
