"""Hostile and odd input, one class at a time: `check` names the file and field,
`build` refuses the same input (never a traceback), and nothing from outside
the show's folder is read into a build."""

from __future__ import annotations

import os
import struct
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from podcast.cli import cli
from tests.showfactory import add_raw_episode as add_episode
from tests.showfactory import good, write_wav
from tests.showfactory import make_raw_show as make_show

SLUG = "hostile"
WHERE = f"episodes/{SLUG}/episode.md"


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def alias_bomb() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def lying_wav(path: Path, *, claim_seconds: float | None = None,
              claim_rate: int | None = None) -> None:
    """A real WAV whose header is then edited to lie about its length or rate."""
    write_wav(path, seconds=4.0)
    data = bytearray(path.read_bytes())
    if claim_rate is not None:
        data[24:28] = struct.pack("<I", claim_rate)
        data[28:32] = struct.pack("<I", claim_rate * 2)
    if claim_seconds is not None:
        at = data.index(b"data")
        data[at + 4:at + 8] = struct.pack("<I", int(claim_seconds * 8000 * 2))
    path.write_bytes(bytes(data))


def outside_file(root: Path, name: str, content: bytes = b"WEBVTT\n\n00:00.000 --> 00:01.000\n"
                 b"secret from elsewhere\n") -> Path:
    path = root.parent / "elsewhere" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


# id -> (set-up(root) -> front matter of the episode, fragments of the error line)
def _front(**extra: str) -> str:
    return good(1, guid=str(uuid.UUID(int=1)), **extra)


def case_alias_bomb(root):
    return _front() + alias_bomb()


def case_nan_start(root):
    return _front(chapters='[{start: .nan, title: A}]')


def case_inf_duration(root):
    return _front(soundbites='[{start: 1, duration: .inf}]')


def case_huge_number(root):
    return _front().replace("number: 1\n", "number: 1e400\n")


def case_master_absolute(root):
    target = outside_file(root, "master.wav", b"")
    write_wav(target)
    return _front(master=str(target))


def case_master_dotdot(root):
    write_wav(root / "episodes" / "other" / "master.wav")
    return _front(master="../other/master.wav")


def case_transcript_symlink(root):
    folder = root / "episodes" / SLUG
    folder.mkdir(parents=True, exist_ok=True)
    os.symlink(outside_file(root, "t.vtt"), folder / "transcript.vtt")
    return _front()


def case_transcript_named_outside(root):
    return _front(transcript=str(outside_file(root, "t2.vtt")))


def case_image_in_show_but_not_episode(root):
    return _front(image="../../artwork/cover.jpg")


def case_chapter_image_outside(root):
    outside_file(root, "c.jpg", (root / "artwork" / "cover.jpg").read_bytes())
    return _front(chapters='[{start: 0, title: A, image: ../../../elsewhere/c.jpg}]')


def case_chapter_image_not_an_image(root):
    folder = root / "episodes" / SLUG
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "c.jpg").write_bytes(b"this is text, not a JPEG" * 10)
    return _front(chapters='[{start: 0, title: A, image: c.jpg}]')


def case_wav_lies_about_length(root):
    lying_wav(root / "episodes" / SLUG / "master.wav", claim_seconds=600)
    return _front()


def case_wav_lies_about_rate(root):
    lying_wav(root / "episodes" / SLUG / "master.wav", claim_rate=3)
    return _front()


def case_huge_front_matter(root):
    return _front(summary='"' + "x" * 300_000 + '"')


def case_deep_nesting(root):
    return _front() + "deep: " + "[" * 5000 + "]" * 5000 + "\n"


CASES = [
    (case_alias_bomb, ["aliases (*name) are not allowed"]),
    (case_nan_start, [f"{WHERE}: chapters[1].start: nan is not a time"]),
    (case_inf_duration, [f"{WHERE}: soundbites[1].duration: inf is not a finite number"]),
    (case_huge_number, [f"{WHERE}: number: expected a whole number"]),
    (case_master_absolute, [f"{WHERE}: master:", "is outside the episode folder"]),
    (case_master_dotdot, [f"{WHERE}: master: '../other/master.wav' is outside"]),
    (case_transcript_symlink, [f"{WHERE}: transcript: transcript.vtt leads outside"]),
    (case_transcript_named_outside, [f"{WHERE}: transcript:", "is outside the episode"]),
    (case_image_in_show_but_not_episode, [f"{WHERE}: image: '../../artwork/cover.jpg' is "
                                          "outside the episode folder"]),
    (case_chapter_image_outside, [f"{WHERE}: chapters[1].image:", "is outside the episode"]),
    (case_chapter_image_not_an_image, [f"{WHERE}: chapters[1].image:",
                                       "is not a readable image"]),
    (case_wav_lies_about_length, [f"{WHERE}: master:", "is truncated: its header says 600.0s"]),
    (case_wav_lies_about_rate, [f"{WHERE}: master:", "its header says 3 Hz"]),
    (case_huge_front_matter, [WHERE, "front matter is larger than 256 KB"]),
    (case_deep_nesting, [WHERE, "nested too deeply"]),
]


@pytest.mark.parametrize("setup, fragments", CASES, ids=[c[0].__name__[5:] for c in CASES])
def test_check_names_it_and_build_refuses_it(tmp_path, setup, fragments):
    root = make_show(tmp_path / "show")
    front = setup(root)
    master = not (root / "episodes" / SLUG / "master.wav").exists() \
        and "master: " not in front.replace("master: master.wav", "")
    add_episode(root, SLUG, front, master=master)

    checked = run(root, "check")
    assert checked.exit_code == 1, checked.output
    assert "Traceback" not in checked.output
    line = next((x for x in checked.output.splitlines() if fragments[0] in x), "")
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in:\n{checked.output}"

    built = run(root, "build")
    assert built.exit_code == 1, built.output
    assert "Traceback" not in built.output and fragments[-1] in built.output
    assert not (root / "feed" / "feed.xml").exists()


def test_three_broken_chapters_are_three_problems_and_a_misspelt_key_is_named(tmp_path):
    root = make_show(tmp_path / "show")
    add_episode(root, SLUG, _front(chapters='[{start: "zero", title: A}, {title: B}, '
                                            '{start: "0:02", titel: C}]'))
    out = run(root, "check").output
    assert f"error: {WHERE}: chapters[1].start: 'zero' is not a time" in out
    assert f"error: {WHERE}: chapters[2].start: missing" in out
    assert f"error: {WHERE}: chapters[3].title: missing" in out
    assert f"warning: {WHERE}: chapters[3].titel: unknown key, ignored" in out
    assert "3 errors found" in out


def test_show_artwork_outside_the_show_is_refused(tmp_path):
    root = make_show(tmp_path / "show")
    outside_file(root, "cover.jpg", (root / "artwork" / "cover.jpg").read_bytes())
    toml = (root / "podcast.toml").read_text().replace(
        'artwork = "artwork/cover.jpg"', 'artwork = "../elsewhere/cover.jpg"')
    (root / "podcast.toml").write_text(toml)
    out = run(root, "check").output
    assert ("podcast.toml: [show] artwork: ../elsewhere/cover.jpg is outside the show's "
            "folder") in out


def test_an_episode_folder_linked_from_outside_is_refused(tmp_path):
    root = make_show(tmp_path / "show")
    elsewhere = tmp_path / "elsewhere" / "ep"
    elsewhere.mkdir(parents=True)
    write_wav(elsewhere / "master.wav")
    (elsewhere / "episode.md").write_text(f"---\n{_front()}---\nNotes\n")
    (root / "episodes").mkdir()
    os.symlink(elsewhere, root / "episodes" / SLUG)
    out = run(root, "check").output
    assert f"{WHERE}: leads outside the show's folder" in out


def test_c1_control_characters_never_reach_the_feed(tmp_path):
    """build strips what the feed rules reject: what build writes, check accepts."""
    from showfactory import make_show as factory_show
    from showfactory import make_site

    from podcast.feed.rules import check_feed_bytes
    from podcast.feed.writer import write_feed

    root = factory_show(tmp_path, [{"title": "Bad\u0085title\u009f here",
                                    "notes": "Text with \u0080 a C1 control."}])
    site = make_site(root)
    out = root / "feed"
    write_feed(site, out)
    xml = (out / "feed.xml").read_bytes()
    assert "\u0085".encode() not in xml and "\u009f".encode() not in xml
    assert [p for p in check_feed_bytes(xml, out) if p.is_error] == []
