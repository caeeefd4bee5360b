"""The assets step: content-hashed art (checked, converted when needed), chapters, transcripts."""

from __future__ import annotations

import json

import pytest
from PIL import Image
from showfactory import VTT, make_show, stamp, write_image

from podcast.assets import write_assets
from podcast.errors import ValidationError
from podcast.fsutil import sha256_file
from podcast.show import load_project


def run(root):
    project = load_project(root)
    show = project.show
    return show, project.episodes, write_assets(show, project.episodes, show.output_dir)


def test_cover_is_copied_byte_for_byte_under_a_hashed_name(tmp_path):
    root = make_show(tmp_path)
    show, _, assets = run(root)
    src = root / "artwork" / "cover.jpg"
    assert assets.artwork_key == f"artwork/cover-{sha256_file(src)[:8]}.jpg"
    assert (show.output_dir / assets.artwork_key).read_bytes() == src.read_bytes()
    # The cover, and the smaller squares apps pick from (podcast:image).
    assert assets.keys == {i.key for i in assets.artwork_sizes}
    assert [(i.width, i.height) for i in assets.artwork_sizes] == [
        (1400, 1400), (600, 600), (300, 300), (150, 150)]
    assert assets.artwork_sizes[0].key == assets.artwork_key
    assert assets.per_episode == {"episode-1": (None, (), None, ())}


def test_new_art_gets_a_new_name(tmp_path):
    root = make_show(tmp_path)
    _, _, first = run(root)
    write_image(root / "artwork" / "cover.jpg", (1400, 1400), colour=(10, 200, 10))
    _, _, second = run(root)
    assert first.artwork_key != second.artwork_key
    assert second.artwork_key.startswith("artwork/cover-")


@pytest.mark.parametrize("size, mode, fmt", [((3600, 3600), "RGB", "jpg"),
                                             ((1500, 1500), "RGBA", "png"),
                                             ((1500, 1500), "CMYK", "jpg"),
                                             ((1500, 1500), "L", "png")])
def test_art_outside_the_rules_is_converted_and_the_source_kept(tmp_path, size, mode, fmt):
    root = make_show(tmp_path, [dict(cover=(*size, mode, fmt))])
    src = root / "episodes" / "episode-1" / f"cover.{fmt}"
    before = src.read_bytes()
    show, _, assets = run(root)
    key = assets.per_episode["episode-1"][2]
    assert key.startswith("artwork/episode-1-") and key.endswith("." + fmt)
    with Image.open(show.output_dir / key) as img:
        assert img.mode == "RGB"
        assert img.size == (min(size[0], 3000),) * 2
        assert img.format == ("PNG" if fmt == "png" else "JPEG")
    assert src.read_bytes() == before
    # The conversion is cached: a second run writes the same bytes without redoing it.
    data = (show.output_dir / key).read_bytes()
    assert run(root)[2].per_episode["episode-1"][2] == key
    assert (show.output_dir / key).read_bytes() == data


def test_unusable_art_is_reported_for_every_episode_at_once(tmp_path):
    root = make_show(tmp_path, [dict(slug="small", cover=(1000, 1000)),
                                dict(slug="wide", cover=(1600, 1400))])
    with pytest.raises(ValidationError) as err:
        run(root)
    text = str(err.value)
    assert "episodes/small/episode.md: image: is 1000x1000 px, smaller than 1400x1400" in text
    assert "episodes/wide/episode.md: image: is 1600x1400 px, not square" in text
    assert not (root / "feed").exists() or not any((root / "feed").rglob("*.jpg"))


def test_chapters_json(tmp_path):
    root = make_show(tmp_path, [dict(
        master_seconds=3.0,
        chapters=[{"start": "0:00", "title": "Cold open & <intro>"},
                  {"start": 1.25, "title": "Witness 🎧", "url": "https://www.gov.uk/ACT",
                   "image": "w.png"},
                  {"start": "0:02", "title": "Hidden", "toc": False}],
        chapter_images={"w.png": (600, 600)})])
    show, _, assets = run(root)
    chapters_key = assets.per_episode["episode-1"][0]
    assert chapters_key == "episodes/episode-1/chapters.json"
    text = (show.output_dir / chapters_key).read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["version"] == "1.2.0"
    assert doc["chapters"] == [
        {"startTime": 0, "title": "Cold open & <intro>"},
        {"startTime": 1.25, "title": "Witness 🎧",
         "img": doc["chapters"][1]["img"], "url": "https://www.gov.uk/ACT"},
        {"startTime": 2, "title": "Hidden", "toc": False}]
    img_key = doc["chapters"][1]["img"][len(show.url):]
    assert img_key.startswith("episodes/episode-1/chapter-2-") and img_key.endswith(".png")
    assert (show.output_dir / img_key).read_bytes() == \
        (root / "episodes" / "episode-1" / "w.png").read_bytes()
    assert {chapters_key, img_key} <= assets.keys
    assert "🎧" in text  # UTF-8, not \\u escapes


@pytest.mark.parametrize("ext, text", [
    ("vtt", VTT),
    ("srt", "1\n00:00:00,000 --> 00:00:00,800\nNarrator: acted & reported.\n\n"
            "2\n00:00:00,800 --> 00:00:01,600\nWe moved.\n"),
])
def test_transcripts_are_published_as_vtt_srt_and_json(tmp_path, ext, text):
    root = make_show(tmp_path, [dict(transcript=(ext, text))])
    show, _, assets = run(root)
    _, transcripts, *_ = assets.per_episode["episode-1"]
    assert [(t.key, t.mime) for t in transcripts] == [
        ("episodes/episode-1/transcript.vtt", "text/vtt"),
        ("episodes/episode-1/transcript.srt", "application/x-subrip"),
        ("episodes/episode-1/transcript.json", "application/json")]
    vtt = (show.output_dir / transcripts[0].key).read_text(encoding="utf-8")
    srt = (show.output_dir / transcripts[1].key).read_text(encoding="utf-8")
    doc = json.loads((show.output_dir / transcripts[2].key).read_text(encoding="utf-8"))
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:00.800\n")
    assert srt.startswith("1\n00:00:00,000 --> 00:00:00,800\n")
    assert "&amp;" in vtt and "& " in srt
    assert doc["version"] == "1.0.0"
    assert [s["startTime"] for s in doc["segments"]] == [0, 0.8]
    assert doc["segments"][0]["body"] in ("Narrator: acted & reported.",
                                          "A member of the public acted on her instincts.")


def test_a_broken_transcript_is_an_error_naming_the_file(tmp_path):
    root = make_show(tmp_path, [dict(transcript=("vtt", "not a transcript\n"))])
    with pytest.raises(ValidationError, match="episodes/episode-1/transcript.vtt: does not "
                                              "start with WEBVTT"):
        run(root)


def test_unchanged_files_are_not_rewritten_and_output_is_deterministic(tmp_path):
    root = make_show(tmp_path, [dict(transcript=("vtt", VTT),
                                     chapters=[{"start": 0, "title": "A"}])])
    show, _, first = run(root)
    stamps = {k: stamp(show.output_dir / k) for k in first.keys}
    _, _, second = run(root)
    assert second == first
    assert {k: stamp(show.output_dir / k) for k in second.keys} == stamps


def test_podcast_check_reports_art_and_transcripts_before_building(tmp_path):
    from click.testing import CliRunner

    from podcast.cli import cli

    root = make_show(tmp_path, [dict(slug="small", cover=(1000, 1000)),
                                dict(slug="big", cover=(3200, 3200)),
                                dict(slug="text", transcript=("srt", "no cues here\n"))],
                     cover=(1400, 1200))
    result = CliRunner().invoke(cli, ["--root", str(root), "check"])
    assert result.exit_code == 1
    out = result.output
    assert "error: podcast.toml: [show] artwork: artwork/cover.jpg is 1400x1200 px, not " \
           "square." in out
    assert "error: episodes/small/episode.md: image: episodes/small/cover.jpg is 1000x1000 px, " \
           "smaller than 1400x1400." in out
    assert "warning: episodes/big/episode.md: image: episodes/big/cover.jpg is 3200x3200 px, " \
           "larger than 3000x3000. A converted copy will be published" in out
    assert "error: episodes/text/transcript.srt: has no cues." in out
    assert not (root / "feed").exists()  # checking builds nothing
