"""Tags read back by mutagen and by ffprobe; the cache re-encodes nothing on a second
run and only re-tags after a metadata change."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess

import pytest
from audio_helpers import FFmpegSpy, ffprobe, load, process, show_with_master
from showfactory import stamp

from podcast.audio import cached_report, publish_media
from podcast.audio.tags import mp3_info, read_tags
from podcast.model import audio_identity

CHAPTERS = [{"start": "0:00", "title": "Cold open"},
            {"start": "0:02.5", "title": "The call", "url": "https://www.gov.uk/ACT",
             "image": "call.png"},
            {"start": "0:04", "title": "Credits", "toc": False}]


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tags")
    root = show_with_master(tmp, gain_db=-12.0, spec={
        "summary": "A detective races to secure evidence under a suspect's nose.",
        "chapters": CHAPTERS, "chapter_images": {"call.png": (800, 600)}, "cover": True,
        "number": 2, "season": 1})
    (result,) = process(root, jobs=1)
    return root, result


def test_id3v23_frames_read_back_by_mutagen(processed):
    root, result = processed
    tags = read_tags(result.media.path, as_stored=True)
    assert tags.version == (2, 3, 0)
    assert str(tags["TDAT"]) == "0903" and "TDRC" not in tags  # v2.3 has no TDRC
    text = {k: str(tags[k]) for k in ("TIT2", "TPE1", "TALB", "TRCK", "TPOS", "TCON", "TYER",
                                       "TLEN", "TDES", "TGID")}
    assert text == {"TIT2": "Multiple Bombings", "TPE1": "Counter Terrorism Policing",
                    "TALB": "Code Severe", "TRCK": "2", "TPOS": "1", "TCON": "Podcast",
                    "TYER": "2020", "TLEN": str(round(result.media.duration * 1000)),
                    "TDES": "A detective races to secure evidence under a suspect's nose.",
                    "TGID": load(root).episodes[0].guid}
    assert tags["WFED"].url == "https://podcast.example.org/code-severe/feed.xml"
    assert tags["PCST"].value == 1
    (comm,) = tags.getall("COMM")
    assert comm.lang == "eng" and comm.text == [
        "A detective races to secure evidence under a suspect's nose."]
    (apic,) = [f for f in tags.getall("APIC")]
    assert apic.type == 3 and apic.mime == "image/jpeg"
    assert len(apic.data) <= 500_000
    from io import BytesIO

    from PIL import Image
    with Image.open(BytesIO(apic.data)) as img:
        assert img.format == "JPEG" and img.size == (1400, 1400)


def test_chapters_ctoc_and_chap(processed):
    _, result = processed
    tags = read_tags(result.media.path)
    (toc,) = tags.getall("CTOC")
    assert toc.flags & 0x03 == 0x03  # top-level and ordered
    assert toc.child_element_ids == ["chp0", "chp1"]  # toc: false is left out of the TOC
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    # CHAP counts from the first sample decoded, before the encoder delay is dropped
    # (LAME's 576 samples + the decoder's 529 = 25 ms; tags.chapter_ms).
    assert result.report.output.decoder_delay == 1105

    def ms(t: float) -> int:
        return round((t + 1105 / 44100) * 1000)
    assert [(c.start_time, c.end_time) for c in chaps] == [
        (ms(0), ms(2.5)), (ms(2.5), ms(4)), (ms(4), ms(result.media.duration))]
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == ["Cold open", "The call", "Credits"]
    assert chaps[1].sub_frames["WXXX:"].url == "https://www.gov.uk/ACT"
    assert chaps[1].sub_frames.getall("APIC")[0].mime == "image/jpeg"


@pytest.mark.skipif(not ffprobe(), reason="ffprobe is installed by scripts/system-packages.sh")
def test_ffprobe_reads_chapters_and_tags(processed):
    _, result = processed
    out = subprocess.run([ffprobe(), "-v", "error", "-of", "json", "-show_chapters",
                          "-show_format", "-show_streams", str(result.media.path)],
                         capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    audio = [s for s in data["streams"] if s["codec_type"] == "audio"][0]
    # ffmpeg starts the stream after the encoder delay it skips (25 ms) and places
    # chapters as written: players built on it show chapter less stream start.
    start = float(audio["start_time"])
    assert start == pytest.approx(1105 / 44100, abs=1e-4)
    chapters = [(c["tags"]["title"], float(c["start_time"]) - start,
                 float(c["end_time"]) - start) for c in data["chapters"]]
    within = lambda t: pytest.approx(t, abs=0.005)  # noqa: E731
    assert chapters == [("Cold open", within(0.0), within(2.5)),
                        ("The call", within(2.5), within(4.0)),
                        ("Credits", within(4.0), within(result.media.duration))]
    fmt = data["format"]["tags"]
    assert fmt["title"] == "Multiple Bombings" and fmt["album"] == "Code Severe"
    assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == ("mp3", "44100", 2)
    assert audio["bit_rate"] == "128000"
    # ffprobe counts whole frames, encoder delay and padding included
    assert float(data["format"]["duration"]) == pytest.approx(result.media.duration, abs=0.06)


def test_media_facts_match_the_file(processed):
    root, result = processed
    media = result.media
    import hashlib
    digest = hashlib.sha256(media.path.read_bytes()).hexdigest()
    assert media.key == (f"media/multiple-bombings-{result.report.audiohash[:12]}-"
                         f"{digest[:8]}.mp3")
    assert media.path == root / "feed" / media.key
    assert media.size == media.path.stat().st_size
    import hashlib
    assert media.sha256 == hashlib.sha256(media.path.read_bytes()).hexdigest()
    assert mp3_info(media.path).has_info_header
    report = cached_report(load(root).show, load(root).episodes[0])
    assert report is not None and report.duration == media.duration


@pytest.mark.slow
def test_second_run_encodes_nothing_and_metadata_change_only_retags(tmp_path, monkeypatch):
    root = show_with_master(tmp_path, gain_db=-10.0, seconds=12.0,
                            spec={"chapters": CHAPTERS[:1]})
    (first,) = process(root, jobs=1)
    assert first.action == "encoded"
    before = stamp(first.media.path)

    spy = FFmpegSpy(monkeypatch)
    (second,) = process(root, jobs=1)
    assert second.action == "unchanged" and spy.argvs == []
    assert stamp(first.media.path) == before

    source = root / "episodes" / "multiple-bombings" / "episode.md"
    source.write_text(source.read_text().replace("title: Multiple Bombings",
                                                 "title: Multiple Bombings (revised)"))
    (third,) = process(root, jobs=1)
    assert third.action == "retagged" and spy.argvs == []  # no ffmpeg at all
    # A new file under a new key; the published one keeps its bytes (same inode too).
    assert third.media.key != first.media.key and third.media.sha256 != first.media.sha256
    assert audio_identity(third.media.key) == audio_identity(first.media.key) is not None
    assert stamp(first.media.path) == before
    assert hashlib.sha256(first.media.path.read_bytes()).hexdigest() == first.media.sha256
    assert str(read_tags(third.media.path)["TIT2"]) == "Multiple Bombings (revised)"

    (forced,) = process(root, jobs=1, force=True)
    assert forced.action == "encoded" and spy.encodes == 1


def test_unchanged_run_reads_no_mp3_but_a_tampered_one_is_rewritten(tmp_path, monkeypatch):
    """A no-op run trusts the published file by its stat; one edited in place is replaced."""
    import podcast.audio.deliver as deliver

    root = show_with_master(tmp_path, gain_db=-10.0)
    (first,) = process(root, jobs=1)
    hashed = []
    real = deliver.sha256_file
    monkeypatch.setattr(deliver, "sha256_file", lambda p: hashed.append(p) or real(p))
    (second,) = process(root, jobs=1)
    assert second.action == "unchanged" and hashed == []

    os.utime(first.media.path)  # touched, same bytes: read once, then trusted again
    assert process(root, jobs=1)[0].action == "unchanged" and len(hashed) == 1
    assert process(root, jobs=1)[0].action == "unchanged" and len(hashed) == 1

    data = bytearray(first.media.path.read_bytes())
    data[-200] ^= 0xFF  # same size, other bytes, new mtime
    first.media.path.write_bytes(bytes(data))
    (third,) = process(root, jobs=1)
    assert third.action == "retagged"
    assert third.media.path.read_bytes() != bytes(data)
    assert third.media.sha256 == first.media.sha256


@pytest.mark.slow
def test_settings_change_encodes_under_a_new_key(tmp_path):
    root = show_with_master(tmp_path, gain_db=-10.0)
    (first,) = process(root, jobs=1)
    toml = root / "podcast.toml"
    toml.write_text(toml.read_text() + "\n[audio]\nloudness = -18.0\n")
    project = load(root)
    assert cached_report(project.show, project.episodes[0]) is None  # stale: settings changed
    media = publish_media(project.show, project.episodes, root / "feed", jobs=1)
    new = media["multiple-bombings"]
    assert new.key != first.media.key
    assert new.report.output.integrated == pytest.approx(-18.0, abs=0.5)


@pytest.mark.slow
def test_parallel_run_of_several_episodes(tmp_path):
    from audio_helpers import speech_like
    from showfactory import make_show

    specs = [{"slug": f"ep-{i}", "title": f"Episode {i}"} for i in range(3)]
    root = make_show(tmp_path, specs)
    for i, level in enumerate((-20.0, -8.0, -3.0)):
        speech_like(root / "episodes" / f"ep-{i}" / "master.wav", seconds=4, gain_db=level)
    results = process(root, jobs=3)
    assert [r.slug for r in results] == ["ep-0", "ep-1", "ep-2"]
    assert all(r.action == "encoded" for r in results)
    for r in results:
        assert r.report.output.integrated == pytest.approx(-16.0, abs=0.5)
        assert r.report.output.true_peak <= -1.0


def test_progress_advances_per_phase_within_budget():
    import threading

    from podcast.audio.pipeline import RunProgress

    class Bar:
        def __init__(self):
            self.steps = []

        def update(self, n, item=None):
            self.steps.append((n, item))

    bar = Bar()
    progress = RunProgress(bar, threading.Lock())
    measuring = progress.callback("ep-1", "measuring", budget=10.0)
    measuring(4.0, 120.0)
    measuring(4.0, 120.0)  # no movement, no update
    measuring(25.0, 130.0)  # clamped to the budget
    assert bar.steps == [(4000, "ep-1 measuring 120x"), (6000, "ep-1 measuring 130x")]
    progress.callback("ep-1", "encoding", budget=10.0)(2.5, None)
    assert bar.steps[-1] == (2500, "ep-1 encoding")


@pytest.mark.slow
def test_cover_art_resized_to_1400_jpeg_under_500_kb(tmp_path):
    from io import BytesIO

    from PIL import Image

    from podcast.audio import art

    noisy = Image.effect_noise((3000, 3000), 90).convert("RGB")  # hard to compress
    noisy.save(tmp_path / "cover.png")
    data = art.jpeg(tmp_path / "cover.png")
    assert len(data) <= 500_000
    with Image.open(BytesIO(data)) as img:
        assert img.format == "JPEG" and img.size == (1400, 1400) and img.mode == "RGB"
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    from podcast.errors import TagError
    with pytest.raises(TagError, match="broken.jpg: cannot be read as an image"):
        art.jpeg(tmp_path / "broken.jpg")


@pytest.mark.parametrize("language, code", [
    ("en-gb", "eng"), ("cy", "cym"), ("gd", "gla"), ("fr", "fra"), ("de-AT", "deu"),
    ("zh-Hant", "zho"), ("pt-BR", "por"), ("xx", "und"), ("", "und")])
def test_comm_language_is_iso_639_2(language, code):
    """COMM's language comes from the show's tag through langcodes (the terminology
    codes: fra, deu); one it does not know is "und", not a guess of English."""
    from podcast.audio.tags import iso639_2

    assert iso639_2(language) == code
