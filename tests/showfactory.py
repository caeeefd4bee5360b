"""The one test show factory: a show repository on disk, and a built ``model.Site``
without the audio step.

``make_show(tmp_path, episodes=[{...}], **show_overrides)`` writes podcast.toml,
a Pillow-made 1400x1400 JPEG cover and one folder per episode (episode.md, a
short real WAV master, optional transcript and cover art).

``make_raw_show(root)`` and ``add_raw_episode(root, slug, front)`` write a show
and episodes as raw text (front matter as written, or bytes), for the tests
that feed validation broken input.

``make_site(root)`` loads that show, writes a *silent but valid* CBR MP3 per
live episode into ``feed/media/`` (built frame by frame, no encoder, so it is
instant), runs the real assets step and returns the ``model.Site`` that the
feed and the pages render. Tests of the feed and the pages use it so they do
not depend on the speed of the audio pipeline.
"""

from __future__ import annotations

import hashlib
import struct
import uuid
import wave
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

DEFAULT_SHOW: dict[str, Any] = {
    "title": "Code Severe",
    "url": "https://podcast.example.org/code-severe/",
    "description": "Previously untold stories of how attacks on UK soil were prevented.",
    "language": "en-gb",
    "author": "Counter Terrorism Policing",
    "owner": {"name": "Counter Terrorism Policing", "email": "podcast@example.org"},
    "artwork": "artwork/cover.jpg",
    "categories": [["Government"], ["True Crime"]],
    "explicit": False,
    "type": "serial",
    "copyright": "© Crown copyright 2020",
    "guid": "8a1f5f6e-34c7-5b7e-9d4e-1f6b3a0c2d11",
    "call_to_action": "Act on your instincts: [gov.uk/ACT](https://www.gov.uk/ACT) "
                      "or 0800 789 321.",
}

BASE_DATE = datetime(2020, 3, 9, 10, 0, tzinfo=timezone.utc)


# ---- small real media ---------------------------------------------------------

def write_wav(path: Path, seconds: float = 4.0, rate: int = 8000) -> Path:
    """A quiet 440 Hz mono WAV (stdlib only): a real, probe-able master (4 s by default:
    the audio step refuses masters under 3 s)."""
    import math

    frames = int(seconds * rate)
    data = b"".join(struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * i / rate)))
                    for i in range(frames))
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data)
    return path


_BITRATE_INDEX = {32: 1, 40: 2, 48: 3, 56: 4, 64: 5, 80: 6, 96: 7, 112: 8, 128: 9, 160: 10,
                  192: 11, 224: 12, 256: 13, 320: 14}


def silent_mp3(seconds: float, kbps: int = 128) -> bytes:
    """A CBR MPEG-1 Layer III stream of silence, 44.1 kHz joint stereo.

    Each frame is a header followed by zeroed side information and main data,
    which decoders play as digital silence. 1152 samples per frame.
    """
    frame_len = 144 * kbps * 1000 // 44100  # no padding bit
    header = struct.pack(">I", 0xFFFB0000 | _BITRATE_INDEX[kbps] << 12 | 0 << 10 | 0b01 << 6)
    frame = header + bytes(frame_len - 4)
    count = max(1, round(seconds * 44100 / 1152))
    return frame * count


def mp3_seconds(data_or_size: bytes | int, kbps: int = 128) -> float:
    """Duration of a ``silent_mp3`` stream from its size."""
    size = data_or_size if isinstance(data_or_size, int) else len(data_or_size)
    return size // (144 * kbps * 1000 // 44100) * 1152 / 44100


def write_image(path: Path, size: tuple[int, int] = (1400, 1400), mode: str = "RGB",
                colour: Any = (180, 30, 40)) -> Path:
    """A picture with some structure (not one flat colour) in the format of its suffix."""
    from PIL import Image, ImageDraw

    img = Image.new(mode, size, colour if mode != "L" else 90)
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.rectangle((w // 8, h // 8, w * 7 // 8, h * 7 // 8), outline=(255, 255, 255)
                   if mode in ("RGB", "RGBA") else 255, width=max(1, w // 100))
    path.parent.mkdir(parents=True, exist_ok=True)
    fmt = "PNG" if path.suffix.lower() == ".png" else "JPEG"
    if fmt == "JPEG" and mode not in ("RGB", "L", "CMYK"):
        img = img.convert("RGB")
    img.save(path, fmt)
    return path


def stamp(path: Path) -> tuple[int, int]:
    """(inode, mtime) of a file: whether it was rewritten. Atomic writes replace the
    inode, which no clock granularity can hide (a rewrite within the same coarse
    kernel tick keeps the mtime)."""
    st = Path(path).stat()
    return st.st_ino, st.st_mtime_ns


# ---- TOML and YAML writers (just what the fixtures need) --------------------

def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def write_toml(path: Path, sections: dict[str, dict[str, Any]]) -> Path:
    lines = []
    for name, table in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in table.items() if v is not None]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


# ---- the show ---------------------------------------------------------------

def episode_guid(slug: str) -> str:
    """A stable UUID per slug, so fixtures are deterministic."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "test-episode:" + slug))


def make_episode(root: Path, spec: dict[str, Any], index: int = 0) -> Path:
    """Write ``episodes/<slug>/`` from a spec; returns the folder.

    Spec keys: ``slug``, ``title``, ``number``, ``season``, ``type``, ``date``
    (datetime or text), ``guid``, ``status``, ``notes`` (Markdown), ``chapters``,
    ``persons``, ``soundbites``, ``summary``, ``explicit`` as in episode.md;
    ``master_seconds`` (WAV length, default 4: the audio step refuses masters under
    3 s); ``transcript`` = ("vtt"|"srt", text);
    ``cover`` = True or (w, h[, mode[, "png"]]) for episode art; ``chapter_images``
    = {file name: (w, h)} written into the folder. Any other key goes into the
    front matter as is.
    """
    import yaml

    spec = dict(spec)
    number = spec.pop("number", index + 1)
    slug = spec.pop("slug", f"episode-{index + 1}")
    folder = root / "episodes" / slug
    folder.mkdir(parents=True, exist_ok=True)
    date = spec.pop("date", BASE_DATE + timedelta(days=7 * index))
    front: dict[str, Any] = {"title": spec.pop("title", f"Episode {index + 1}")}
    if number is not None:
        front["number"] = number
    season = spec.pop("season", 1)
    if season is not None:
        front["season"] = season
    front["type"] = spec.pop("type", "full")
    front["date"] = date.isoformat() if isinstance(date, datetime) else str(date)
    front["guid"] = spec.pop("guid", episode_guid(slug))
    front["master"] = "master.wav"
    front["status"] = spec.pop("status", "published")
    write_wav(folder / "master.wav", spec.pop("master_seconds", 4.0))

    transcript = spec.pop("transcript", None)
    if transcript:
        ext, text = transcript
        (folder / f"transcript.{ext}").write_text(text, encoding="utf-8")
    cover = spec.pop("cover", None)
    if cover:
        w, h, mode, fmt = ((1400, 1400, "RGB", "jpg") if cover is True
                           else (tuple(cover) + (None, None))[:4])
        write_image(folder / f"cover.{fmt or 'jpg'}", (w, h), mode or "RGB", (20, 60, 120))
    for name, size in spec.pop("chapter_images", {}).items():
        write_image(folder / name, tuple(size), "RGB", (40, 120, 40))
    notes = spec.pop("notes", f"Notes for {front['title']}.\n")
    front.update(spec)
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + notes
    (folder / "episode.md").write_text(text, encoding="utf-8")
    return folder


def make_show(tmp_path: Path, episodes: list[dict[str, Any]] | None = None, *,
              audio: dict[str, Any] | None = None, publish: dict[str, Any] | None = None,
              cover: tuple[int, int] = (1400, 1400), **show_overrides: Any) -> Path:
    """A show repository in ``tmp_path/show``; returns its root.

    ``show_overrides`` replace keys of [show] (None removes one). ``episodes``
    are specs for ``make_episode``; by default one published episode.
    """
    root = Path(tmp_path) / "show"
    root.mkdir(parents=True, exist_ok=True)
    show = dict(DEFAULT_SHOW)
    show.update(show_overrides)
    show = {k: v for k, v in show.items() if v is not None}
    sections: dict[str, dict[str, Any]] = {"show": show}
    if audio:
        sections["audio"] = audio
    if publish:
        sections["publish"] = publish
    write_toml(root / "podcast.toml", sections)
    art = show.get("artwork", "artwork/cover.jpg")
    write_image(root / art, cover)
    for i, spec in enumerate([{}] if episodes is None else episodes):
        make_episode(root, spec, i)
    return root


# ---- a built site without the audio pipeline ------------------------------------

def fake_media(show, episode, out: Path, seconds: float | None = None, kbps: int = 128):
    """A silent CBR MP3 at the episode's media key in ``out``, as a ``model.Media``."""
    from podcast.model import Media, media_key

    if seconds is None:
        seconds = 2.0
    data = silent_mp3(seconds, kbps)
    digest = hashlib.sha256(data + episode.slug.encode()).hexdigest()
    key = media_key(episode, digest, hashlib.sha256(data).hexdigest())
    path = out / key
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.stat().st_size != len(data):
        path.write_bytes(data)
    return Media(key=key, path=path, size=len(data), duration=mp3_seconds(data, kbps),
                 sha256=hashlib.sha256(data).hexdigest(),
                 report={"integrated": -16.0, "true_peak": -1.5, "fake": True})


def make_site(root_or_show, *, now: datetime | None = None, public_url: str | None = None,
              durations: dict[str, float] | None = None, out: Path | None = None):
    """Load the show at ``root`` and return a ``model.Site`` as ``podcast build`` would.

    Media are silent MP3s written by ``fake_media`` (``durations`` per slug, default
    2 s); art, chapters and transcripts come from the real ``podcast.assets`` step.
    Nothing under feed/ other than those files is written.
    """
    from podcast.assets import write_assets
    from podcast.model import BuiltEpisode, Site
    from podcast.show import load_project
    from podcast.show.config import Show

    if isinstance(root_or_show, Show):
        root = root_or_show.root
    else:
        root = Path(root_or_show)
    project = load_project(root)
    show = project.show.with_url(public_url) if public_url else project.show
    now = now or datetime.now(timezone.utc)
    live = project.live(now)
    out = out or show.output_dir
    out.mkdir(parents=True, exist_ok=True)
    durations = durations or {}
    media = {ep.slug: fake_media(show, ep, out, durations.get(ep.slug)) for ep in live}
    assets = write_assets(show, live, out, media)
    built = tuple(BuiltEpisode(ep, media[ep.slug], *assets.per_episode[ep.slug]) for ep in live)
    build_date = max((ep.date for ep in live), default=datetime(2000, 1, 1, tzinfo=timezone.utc))
    return Site(show=show, episodes=built, artwork_key=assets.artwork_key, build_date=build_date,
                preview=bool(public_url and public_url.startswith("http://")),
                artwork_sizes=assets.artwork_sizes)


VTT = """WEBVTT

00:00:00.000 --> 00:00:00.800
<v Narrator>A member of the public acted on her instincts.

00:00:00.800 --> 00:00:01.600
<v Detective>We had to move quickly & quietly.
"""


def rich_episodes(now: datetime | None = None) -> list[dict[str, Any]]:
    """A trailer, two full episodes using every feature, a draft and a scheduled one."""
    now = now or datetime.now(timezone.utc)
    return [
        dict(slug="trailer", title="Introducing Code Severe", number=None, type="trailer",
             date=BASE_DATE - timedelta(days=7), notes="Start with episode 1.\n"),
        dict(slug="multiple-bombings", title="Multiple Bombings", number=1,
             date=BASE_DATE, summary="Evidence secured under a suspect's nose.",
             notes="A former officer races to secure evidence.\n\n- one\n- two\n\n"
                   "Report at [gov.uk/ACT](https://www.gov.uk/ACT).\n",
             chapters=[{"start": "0:00", "title": "Cold open"},
                       {"start": "0:00.5", "title": "The witness", "url": "https://www.gov.uk/ACT",
                        "image": "witness.jpg"},
                       {"start": 0.8, "title": "Hidden", "toc": False}],
             chapter_images={"witness.jpg": (800, 800)},
             persons=[{"name": "Mark Strong", "role": "narrator", "group": "cast"}],
             soundbites=[{"start": 0.2, "duration": 1, "title": "The call"}],
             transcript=("vtt", VTT), cover=True, master_seconds=4.0),
        dict(slug="under-surveillance", title='Under Surveillance: "Wires" & <Watchers> 🎧',
             number=2, date=BASE_DATE + timedelta(days=7), explicit=True,
             transcript=("srt", "1\n00:00:00,000 --> 00:00:00,900\nEvery wire tells you "
                                "something.\n")),
        dict(slug="draft-episode", title="Not Ready", number=3, status="draft",
             date=BASE_DATE + timedelta(days=14)),
        dict(slug="scheduled", title="Coming Soon", number=4, date=now + timedelta(days=30)),
    ]


# ---- a show as raw text (validation tests feed it broken input) ---------------------

REPO = Path(__file__).resolve().parent.parent

SHOW_TOML = """\
[show]
title = "Test Show"
url = "https://example.org/show/"
description = "A show for tests."
language = "en-gb"
author = "Tester"
owner = { name = "Tester", email = "tester@example.org" }
artwork = "artwork/cover.jpg"
categories = [["Government"]]
copyright = "(c) Tester"
guid = "9b024349-ccf0-5f69-a609-6b82873eab3c"
"""


def make_raw_show(root: Path, toml: str = SHOW_TOML) -> Path:
    """podcast.toml as given and the repository's cover art, in ``root``."""
    import shutil

    (root / "artwork").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "artwork" / "cover.jpg", root / "artwork" / "cover.jpg")
    (root / "podcast.toml").write_text(toml, encoding="utf-8")
    return root


def add_raw_episode(root: Path, slug: str, front: str, *, body: str = "Notes.\n",
                    master: bool = True, raw: bytes | None = None) -> None:
    """``episodes/<slug>/`` with episode.md written as given (``raw``: these bytes)."""
    folder = root / "episodes" / slug
    folder.mkdir(parents=True, exist_ok=True)
    if master:
        write_wav(folder / "master.wav")
    data = raw if raw is not None else f"---\n{front}---\n{body}".encode()
    (folder / "episode.md").write_bytes(data)


def good(number: int, guid: str | None = None, **extra: str) -> str:
    """Valid front matter as text; ``extra`` replaces fields (None leaves one out)."""
    fields = {
        "title": f'"Episode {number}"', "number": str(number), "season": "1",
        "date": f"2024-01-{number:02d}T10:00:00+00:00", "guid": guid or str(uuid.uuid4()),
        "master": "master.wav", "status": "published",
    }
    fields.update(extra)
    return "".join(f"{k}: {v}\n" for k, v in fields.items() if v is not None)
