"""`tracks:` in episode.md: one file per microphone, read and checked like a master."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from podcast.cli import cli
from podcast.errors import Problem
from tests.showfactory import add_raw_episode, good, make_raw_show, write_wav

TWO = '[{file: host.wav, speaker: Host}, {file: guest.wav, speaker: Guest}]'


def episode_with(root: Path, slug: str, tracks: str | None, *, files=("host.wav", "guest.wav"),
                 seconds=(4.0, 4.0), **extra) -> Path:
    add_raw_episode(root, slug, good(1, master=None, tracks=tracks, **extra), master=False)
    folder = root / "episodes" / slug
    for name, length in zip(files, seconds):
        write_wav(folder / name, length)
    return folder


def problems_of(root: Path) -> list[Problem]:
    from podcast.show.config import load_show
    from podcast.show.episodes import load_episodes

    found: list[Problem] = []
    load_episodes(load_show(root), collect=found)
    return found


def errors_of(root: Path) -> list[str]:
    return [str(p) for p in problems_of(root) if p.is_error]


def test_tracks_are_read_with_their_speakers(tmp_path: Path):
    root = make_raw_show(tmp_path)
    folder = episode_with(root, "interview", TWO + "\n", files=("host.wav", "guest.wav", "bed.wav"))
    from podcast.show import load_project

    (ep,) = load_project(root).episodes
    assert ep.master is None
    assert [(t.file, t.speaker, t.music) for t in ep.tracks] == [
        (folder / "host.wav", "Host", False), (folder / "guest.wav", "Guest", False)]
    assert ep.audio_files == (folder / "host.wav", folder / "guest.wav")
    # Each speaker is a podcast:person: the first track's the host, the others guests.
    assert [(p["name"], p["role"]) for p in ep.persons] == [("Host", "host"), ("Guest", "guest")]


def test_a_music_bed_and_persons_the_episode_lists(tmp_path: Path):
    root = make_raw_show(tmp_path)
    tracks = '[{file: host.wav, speaker: Ann}, {file: guest.wav, speaker: Bo}, ' \
             '{file: bed.wav, music: true}]\n'
    episode_with(root, "interview", tracks, files=("host.wav", "guest.wav", "bed.wav"),
                 seconds=(4, 4, 4), persons='[{name: Bo, role: interviewer}]\n')
    from podcast.show import load_project

    (ep,) = load_project(root).episodes
    assert [t.label for t in ep.tracks] == ["Ann", "Bo", "music"]
    # Bo keeps the role the episode gave; Ann, not listed, is added as the host.
    assert [(p["name"], p["role"]) for p in ep.persons] == [("Bo", "interviewer"),
                                                              ("Ann", "host")]


BROKEN = [
    ("both", dict(master="master.wav", tracks=TWO),
     "tracks: is given beside master. Give master (one mixed file) or tracks"),
    ("neither", dict(master=None), "master: missing. Add master: FILE"),
    ("no-speaker", dict(tracks='[{file: host.wav}, {file: guest.wav, speaker: G}]'),
     "tracks[1]: names no speaker. Add speaker: NAME"),
    ("speaker-and-music", dict(tracks='[{file: host.wav, speaker: H, music: true}]'),
     "tracks[1]: names a speaker and is music"),
    ("music-only", dict(tracks='[{file: host.wav, music: true}]'),
     "tracks: has no speaker's track"),
    ("same-speaker", dict(tracks='[{file: host.wav, speaker: Ann}, {file: guest.wav, '
                          'speaker: ann}]'),
     "tracks[2].speaker: ann is also the speaker of tracks[1]"),
    ("tag-in-name", dict(tracks='[{file: host.wav, speaker: "<b>Ann"}]'),
     "tracks[1].speaker: '<b>Ann' contains <, >, & or a control character"),
    ("missing-file", dict(tracks='[{file: host.wav, speaker: A}, {file: gone.wav, speaker: B}]'),
     "tracks[2].file: gone.wav does not exist in missing-file/"),
    ("outside", dict(tracks='[{file: ../other/host.wav, speaker: A}]'),
     "tracks[1].file: '../other/host.wav' is outside the episode folder"),
    ("not-audio", dict(tracks='[{file: host.txt, speaker: A}]'),
     "tracks[1].file: .txt is not a supported audio format"),
    ("not-a-list", dict(tracks='host.wav'), "tracks: expected a list, got text"),
]


@pytest.mark.parametrize("slug, fields, expected", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_tracks_are_reported_with_their_field(tmp_path: Path, slug, fields, expected):
    root = make_raw_show(tmp_path)
    fields = dict(fields)
    add_raw_episode(root, slug, good(1, **{"master": None, **fields}), master=False)
    folder = root / "episodes" / slug
    for name in ("master.wav", "host.wav", "guest.wav", "host.txt"):
        write_wav(folder / name)
    errors = errors_of(root)
    assert any(f"episodes/{slug}/episode.md: {expected}" in e for e in errors), errors


def test_tracks_of_different_lengths_are_an_error_naming_the_files(tmp_path: Path):
    root = make_raw_show(tmp_path)
    episode_with(root, "skewed", TWO, seconds=(4.0, 7.5))
    assert errors_of(root) == [
        "episodes/skewed/episode.md: tracks: guest.wav lasts 7.5s but host.wav 4.0s: tracks "
        "that start together differ by at most 2s. Export every track of the session from "
        "the same start to the same end."]
    # Within 2 s they are one session: the longest sets the episode's length.
    root2 = make_raw_show(tmp_path / "b")
    episode_with(root2, "fine", TWO, seconds=(4.0, 5.9),
                 chapters='[{start: "0:00", title: A}, {start: "0:05.5", title: B}]')
    assert errors_of(root2) == []


def test_check_and_list_understand_tracks(tmp_path: Path):
    root = make_raw_show(tmp_path)
    episode_with(root, "interview", TWO)
    runner = CliRunner()
    result = runner.invoke(cli, ["--root", str(root), "check"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["--root", str(root), "list"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "interview" in line)
    assert "2 tracks" in row and "0:04" in row


# ---- podcast add host.wav guest.wav --speaker Host --speaker Guest -----------------

def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def test_add_writes_a_multitrack_episode_and_copies_each_file(tmp_path: Path):
    import hashlib

    root = make_raw_show(tmp_path / "show")
    host = write_wav(tmp_path / "in" / "Mic 1.wav")
    guest = write_wav(tmp_path / "in" / "Mic 2.WAV", 4.5)
    bed = write_wav(tmp_path / "in" / "bed.flac.wav", 4.2)
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
              for p in (host, guest, bed)}
    result = run(root, "add", str(host), str(guest), "--speaker", "Jane Doe", "--speaker",
                 "Sam", "--music", str(bed), "--title", "The Witness")
    assert result.exit_code == 0, result.output
    assert "created episodes/the-witness/episode.md (3 tracks)" in result.output
    folder = root / "episodes" / "the-witness"
    text = (folder / "episode.md").read_text()
    assert "master:" not in text
    assert ("tracks:\n- file: jane-doe.wav\n  speaker: Jane Doe\n- file: sam.wav\n  speaker: Sam\n"
            "- file: music.wav\n  music: true\n") in text
    for src, copy in ((host, "jane-doe.wav"), (guest, "sam.wav"), (bed, "music.wav")):
        assert hashlib.sha256((folder / copy).read_bytes()).hexdigest() == before[src][0]
        assert src.stat().st_mtime_ns == before[src][1]  # the originals: only read
    assert run(root, "check").exit_code == 0


@pytest.mark.parametrize("args, expected", [
    (["a.wav", "b.wav"], "--speaker: is needed for tracks"),
    (["a.wav", "b.wav", "--speaker", "A"], "--speaker: is given 1 times for 2 audio files"),
    (["a.wav", "--music", "b.wav"], "--speaker: is needed for tracks"),
    (["a.wav", "b.wav", "--speaker", "A", "--speaker", "a"],
     "tracks[2].speaker: a is also the speaker of tracks[1]"),
    (["a.wav", "long.wav", "--speaker", "A", "--speaker", "B"],
     "podcast add: long.wav lasts 9.0s but a.wav 4.0s"),
])
def test_add_refuses_tracks_it_cannot_use_and_leaves_nothing(tmp_path: Path, args, expected):
    root = make_raw_show(tmp_path / "show")
    for name, seconds in (("a.wav", 4), ("b.wav", 4), ("long.wav", 9)):
        write_wav(tmp_path / name, seconds)
    args = [str(tmp_path / a) if a.endswith(".wav") else a for a in args]
    result = run(root, "add", *args, "--title", "Refused")
    assert result.exit_code != 0
    assert expected in result.output, result.output
    assert "Traceback" not in result.output
    assert not (root / "episodes" / "refused").exists()


# ---- what the audio hash covers -----------------------------------------------------

def _hash(root: Path) -> str:
    from podcast.audio.cache import Cache, episode_hash, sources_sha
    from podcast.show import load_project

    project = load_project(root)
    (ep,) = project.episodes
    cache = Cache(project.show)
    return episode_hash(cache, project.show, ep, sources_sha(cache, ep))


def test_the_audio_hash_covers_each_track_and_its_role(tmp_path: Path):
    root = make_raw_show(tmp_path)
    folder = episode_with(root, "interview", TWO)
    md = folder / "episode.md"
    first = _hash(root)
    # A track's file renamed: the same sound, the same hash.
    (folder / "guest.wav").rename(folder / "mic-2.wav")
    md.write_text(md.read_text().replace("file: guest.wav", "file: mic-2.wav"))
    assert _hash(root) == first
    # A speaker renamed: the words are named differently, so it is another episode.
    md.write_text(md.read_text().replace("speaker: Guest", "speaker: Jane"))
    renamed = _hash(root)
    assert renamed != first
    # The content of a track.
    write_wav(folder / "mic-2.wav", 4.1)
    assert _hash(root) != renamed
    # duck changes only an episode with a music bed.
    before = _hash(root)
    with (root / "podcast.toml").open("a") as f:
        f.write("\n[audio]\nduck = 20\n")
    assert _hash(root) == before
    md.write_text(md.read_text().replace(
        "speaker: Jane}]", "speaker: Jane}, {file: bed.wav, music: true}]"))
    write_wav(folder / "bed.wav")
    with_bed = _hash(root)
    text = (root / "podcast.toml").read_text()
    (root / "podcast.toml").write_text(text.replace("duck = 20", "duck = 10"))
    assert _hash(root) != with_bed


def test_tracks_that_are_git_lfs_pointers_keep_the_episode_s_hash(tmp_path: Path):
    """A checkout that skips LFS (a CI runner) finds the same audio hash, and so the
    same build record and media key, from the pointers' oids."""
    from podcast.audio.cache import Cache
    from podcast.audio.identity import audio_hashes
    from podcast.show import load_project
    from tests.clones import pointer_text

    root = make_raw_show(tmp_path)
    folder = episode_with(root, "interview", TWO)
    real = _hash(root)
    for name in ("host.wav", "guest.wav"):
        (folder / name).write_text(pointer_text(folder / name))
    shutil.rmtree(root / ".cache", ignore_errors=True)  # a fresh clone: no memo of the hashes
    project = load_project(root)
    _, hashes, cuts = audio_hashes(project.show, Cache(project.show), list(project.episodes), 1)
    assert hashes == [real] and cuts == [()]
    result = run(root, "check")
    assert result.exit_code == 0, result.output
    assert "2 masters are Git LFS pointers" in result.output

