"""``tracks:`` in episode.md: one file per microphone instead of one mixed master.

Interview shows record one track per speaker (Riverside, Zencastr, SquadCast
deliver them so). Each track is ``{ file, speaker }``, or ``{ file, music: true }``
for a music bed; the tracks start together. The rules, beside the schema:

- an episode gives ``master:`` or ``tracks:``, never both;
- every track is a speaker's or music, never both; at least one is a speaker's;
  each speaker's name is used once (it names their words in the transcript);
- the files lie in the episode folder and are formats we read (as a master);
- their lengths, read from the headers, differ by at most ``MAX_SKEW`` seconds:
  tracks that start together end together, give or take a recorder's tail; more
  means a file from another session, or one that was trimmed.

Each speaker also becomes a ``podcast:person`` of the episode (``persons_with``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podcast.show import schema as s
from podcast.show.folder import EpisodeFolder
from podcast.show.formats import audio_problem
from podcast.show.schema import Invalid, Option, described

MAX_TRACKS = 8
MAX_SKEW = 2.0  # seconds the tracks' lengths may differ by
MAX_NAME = 64


@described("a name, as transcripts' voice tags show it")
def speaker_name(value: Any) -> str:
    """A speaker's name: it becomes a WebVTT voice tag (``<v Name>``) and a
    podcast:person, so it holds no tag characters and stays on one line."""
    value = s.text(value, limit=MAX_NAME)
    if any(c in value for c in "<>&") or any(ord(c) < 32 for c in value):
        raise Invalid(f"{s.shown(value)} contains <, >, & or a control character",
                      "Write the name as listeners should read it, e.g. Jane Doe")
    return value


TRACK = [
    Option("file", s.text, "the track's audio file, in the episode folder", required=True,
           kind="file name in the episode folder"),
    Option("speaker", speaker_name, "who speaks into this microphone: the name on their "
           "words in the transcript, and their podcast:person"),
    Option("music", s.boolean, "true: a music bed, ducked under the speech and never "
           "levelled", default=False),
]


@dataclass(frozen=True)
class Track:
    """One track of a multitrack episode: a speaker's microphone or a music bed."""

    file: Path  # inside the episode folder
    speaker: str | None = None  # None for music
    music: bool = False

    @property
    def label(self) -> str:
        """How reports name the track: the speaker, or "music"."""
        return self.speaker or "music"


def check_tracks(v: dict[str, Any], ctx: s.Context) -> None:
    """The rules about ``master:`` and ``tracks:`` that the schema cannot say (``v``:
    the front matter as validated)."""
    if v["master"] and v["tracks"]:
        ctx.error("tracks", "is given beside master", "Give master (one mixed file) or "
                  "tracks (one file per microphone), not both")
    elif not v["master"] and not v["tracks"] and not any(
            p.is_error and p.field.startswith(("master", "tracks")) for p in ctx.problems):
        ctx.error("master", "missing", "Add master: FILE (relative to the folder), or "
                  "tracks: [{ file: host.wav, speaker: Host }, ...]")
    raw = v["tracks"] or s.Items()
    seen: dict[str, int] = {}
    for pos, t in zip(raw.positions, raw):
        where = f"tracks[{pos}]"
        if t.get("speaker") and t["music"]:
            ctx.error(where, "names a speaker and is music", "A track is a speaker's "
                      "microphone ({ file, speaker }) or a music bed ({ file, music: true })")
        elif not t.get("speaker") and not t["music"]:
            ctx.error(where, "names no speaker", "Add speaker: NAME (who speaks into it), or "
                      "music: true for a music bed")
        name = t.get("speaker")
        if name and name.casefold() in seen:
            ctx.error(f"{where}.speaker", f"{name} is also the speaker of tracks"
                      f"[{seen[name.casefold()]}]", "Give each speaker one track, and each "
                      "track its own name")
        elif name:
            seen[name.casefold()] = pos
    if raw and not any(t.get("speaker") for t in raw):
        ctx.error("tracks", "has no speaker's track", "Add the microphones: "
                  "{ file: host.wav, speaker: Host }")


def length_problem(lengths: list[tuple[str, float]]) -> str | None:
    """Why tracks of these (name, seconds) lengths cannot have started together."""
    if len(lengths) < 2:
        return None
    shortest = min(lengths, key=lambda n: n[1])
    longest = max(lengths, key=lambda n: n[1])
    if longest[1] - shortest[1] <= MAX_SKEW:
        return None
    return (f"{longest[0]} lasts {longest[1]:.1f}s but {shortest[0]} {shortest[1]:.1f}s: "
            f"tracks that start together differ by at most {MAX_SKEW:g}s")


def resolve_tracks(raw: s.Items, files: EpisodeFolder, ctx: s.Context) -> tuple[Track, ...]:
    """The tracks with their files found in the folder (a track whose file is missing,
    outside the folder or of a format we do not read is left out, reported)."""
    out = []
    for pos, t in zip(raw.positions, raw):
        path = files.named(t["file"], f"tracks[{pos}].file", "Copy the track into the "
                           "folder, or run `podcast add AUDIO... --speaker NAME...`")
        problem = path and audio_problem(path)
        if problem:
            ctx.error(f"tracks[{pos}].file", *problem)
        elif path:
            out.append(Track(path, t.get("speaker"), t["music"]))
    return tuple(out)


HOST, GUEST = "host", "guest"


def persons_with(tracks: tuple[Track, ...], listed: tuple[dict, ...],
                 show_persons: tuple[dict, ...]) -> tuple[dict, ...]:
    """The episode's podcast:person credits with every speaker in them.

    A speaker already listed (by the episode, or else by the show) keeps that
    entry. Another is added: the first track's speaker as host, the others as
    guests. An episode's persons replace the show's in apps, so when the episode
    lists none the show's are kept in front of the speakers."""
    base = list(listed or show_persons)
    known = {p.get("name", "").casefold() for p in base}
    shown = {p.get("name", "").casefold(): p for p in show_persons}
    speakers = [t.speaker for t in tracks if t.speaker]
    for i, name in enumerate(speakers):
        if name.casefold() in known:
            continue
        base.append(dict(shown.get(name.casefold()) or {
            "name": name, "role": HOST if i == 0 else GUEST, "group": "cast"}))
        known.add(name.casefold())
    return tuple(base)
