"""`podcast transcribe` on generated speech (espeak-ng) with the packaged Whisper models.

Real faster-whisper, real weights from the transcribe extra (sha256-checked),
no network (HF_HUB_OFFLINE=1): the word error rate is bounded, the cues obey
the caption rules, an existing transcript is never overwritten, --force keeps
the speakers a producer named, and `build` with `[transcripts] auto` publishes
the new transcript in the feed and on the page.
"""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner
from showfactory import make_show
from sitekit import copy_templates
from speech import ESPEAK, dialogue, wer

from podcast.cli import cli
from podcast import captions as cuelib
from podcast.captions.layout import LINE
from podcast.transcribe.models import ENV_CACHE

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(ESPEAK is None, reason="needs espeak-ng (make test installs it)"),
]
faster_whisper = pytest.importorskip("faster_whisper", reason="needs the transcribe extra")


@pytest.fixture(scope="module", autouse=True)
def offline(tmp_path_factory):
    """No network, and one joined copy of the packaged base model for the whole session."""
    saved = {k: os.environ.get(k) for k in (ENV_CACHE, "HF_HUB_OFFLINE")}
    os.environ[ENV_CACHE] = str(tmp_path_factory.getbasetemp() / "whisper-models")
    os.environ["HF_HUB_OFFLINE"] = "1"
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


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
