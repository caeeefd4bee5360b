"""``episodes/<slug>/cuts.json``: the edit list of automatic cuts, the producer's to edit.

The cutter writes every cut it proposes here, one per line, with what a
producer needs to judge it: a filler's word and the recogniser's confidence,
a pause's length as found and what is left of it. A filler that runs into a
word comes with ``"keep": true``: listed, not cut, until the producer checks it. The producer reviews and
edits the file: moves a cut's ``start``/``end``, vetoes one with
``"keep": true``, confirms one with ``"keep": false``, deletes one, or adds
their own (``"kind": "edit"``). Times are master seconds (or ``M:SS.s``).

The merge rule, when the cutter runs again:

1. No file: what the cutter finds is written.
2. ``found_with`` (the settings it was found with) equals the episode's
   ``max_pause`` and ``cut_fillers``: the file is used as it is and never
   written. Every edit holds, deletions included.
3. A setting changed: the entries of that kind which are exactly as the
   cutter proposed them under the old setting (same start, end; no ``keep``)
   are replaced by what it finds now, except where a new cut would overlap an
   entry the producer kept, changed, added or vetoed, or a proposal they
   deleted. Turning a kind off leaves its entries in the file; they are not
   applied.
4. The file was made for another master (``master_sha256``): refused, since
   its times would cut the wrong words.

Applied: entries without ``keep: true`` of the kinds switched on (``pause``
with ``max_pause`` > 0, ``filler`` with ``cut_fillers``; ``edit`` always,
while either is on). They are part of the audio hash: a changed list
re-encodes, a reformatted file does not.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path

from podcast.errors import AudioError, ValidationError
from podcast.fsutil import atomic_write_text
from podcast.model import Cut
from podcast.show import schema as s
from podcast.show.fields import parse_timecode
from podcast.show.schema import Option

CUTS_NAME = "cuts.json"
KINDS = ("pause", "filler", "edit")
MAX_CUTS = 20_000
NOTE = ("Automatic cuts, found by `podcast process`, master seconds. Yours to edit: move a "
        "start or end, add \"keep\": true to keep what a cut would take out (or false to "
        "confirm it), delete a cut, or add your own with \"kind\": \"edit\". Fillers that run "
        "into a word (\"joined\") come with \"keep\": true: check them and set false to "
        "cut. The cutter never overwrites your edits: docs/cutting.md.")

# A list whose master_sha256 is not the master's: (problem, what to do).
ANOTHER_MASTER = ("was made for another master (its master_sha256 differs), so its cuts "
                  "would land on the wrong words", "Delete it (or rename it to keep your "
                  "notes) to find the cuts in the new master")

ENTRY = [
    Option("start", parse_timecode, "where the cut starts, master seconds or M:SS.s",
           required=True),
    Option("end", parse_timecode, "where it ends", required=True),
    Option("kind", s.choice(*KINDS), "pause, filler or edit (your own)", required=True),
    Option("keep", s.boolean, "true: keep this audio (the cut is vetoed); false: cut, as "
           "reviewed"),
    Option("word", s.text, "the filler as recognised"),
    Option("probability", s.number(0, 1), "the recogniser's confidence in that word"),
    Option("joined", s.boolean, "the filler runs into a word without a pause: check the cut"),
    Option("pause", s.number(0), "seconds of the pause as found"),
    Option("kept", s.number(0), "seconds of the pause left"),
    Option("note", s.text, "your note"),
]
FOUND_WITH = [
    Option("max_pause", s.number(0), "max_pause the cuts were found with", default=0.0),
    Option("cut_fillers", s.boolean, "cut_fillers the cuts were found with", default=False),
]
FILE = [
    Option("note", s.text, "what this file is"),
    Option("master", s.text, "the master the cuts were found in"),
    Option("master_sha256", s.text, "its content hash", required=True),
    Option("found_with", s.table(FOUND_WITH), "the settings the cuts were found with",
           required=True),
    Option("cuts", s.list_of(s.table(ENTRY), max_items=MAX_CUTS), "the cuts", list),
]


@dataclass(frozen=True)
class Entry:
    """One cut of the list (module doc)."""

    start: float
    end: float
    kind: str
    keep: bool | None = None  # True: vetoed; False: reviewed and cut; None: as proposed
    word: str | None = None
    probability: float | None = None
    joined: bool | None = None
    pause: float | None = None
    kept: float | None = None
    note: str | None = None

    @property
    def key(self) -> tuple:
        return (round(self.start, 3), round(self.end, 3), self.kind)

    def overlaps(self, other: "Entry") -> bool:
        return self.start < other.end and other.start < self.end

    def as_dict(self) -> dict:
        out = {"start": round(self.start, 3), "end": round(self.end, 3), "kind": self.kind}
        for f in fields(self)[3:]:
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = value
        return out


@dataclass(frozen=True)
class FoundWith:
    max_pause: float = 0.0
    cut_fillers: bool = False

    @classmethod
    def of(cls, settings) -> "FoundWith":
        return cls(float(settings.max_pause), bool(settings.cut_fillers))

    @property
    def on(self) -> bool:
        return self.max_pause > 0 or self.cut_fillers


@dataclass(frozen=True)
class EditList:
    master: str
    master_sha256: str
    found_with: FoundWith
    cuts: tuple[Entry, ...]


def path_of(episode) -> Path:
    return episode.folder / CUTS_NAME


def read(path: Path, where: str) -> EditList | None:
    """The list at ``path`` (None when there is none); ``ValidationError`` names every
    problem with its field (``cuts[3].end``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise AudioError(where, f"cannot be read ({exc})", "Check the file") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise AudioError(where, f"is not valid JSON ({exc})",
                         "Fix the syntax at the line named, or delete the file to find "
                         "the cuts again") from None
    ctx = s.Context(where)
    if not isinstance(data, dict):
        raise AudioError(where, "is not a JSON object", "Delete it to find the cuts again")
    values = s.validate(data, FILE, ctx)
    entries = []
    for pos, raw in zip(getattr(values["cuts"], "positions", ()), values["cuts"] or ()):
        entry = Entry(**{k: v for k, v in raw.items() if v is not None})
        if entry.end <= entry.start:
            ctx.error(f"cuts[{pos}].end", f"{entry.end:g} is not after start {entry.start:g}",
                      "Give a cut a start before its end")
        entries.append(entry)
    if any(p.is_error for p in ctx.problems):
        raise ValidationError(ctx.problems)
    found = values["found_with"] or {}
    return EditList(values["master"] or "", values["master_sha256"],
                    FoundWith(float(found.get("max_pause") or 0.0),
                              bool(found.get("cut_fillers"))),
                    tuple(sorted(entries, key=lambda e: (e.start, e.end))))


def dumps(edits: EditList) -> str:
    """The file's text: a header, then one cut per line (easy to review and to diff)."""
    head = {"note": NOTE, "master": edits.master, "master_sha256": edits.master_sha256,
            "found_with": {"max_pause": edits.found_with.max_pause,
                           "cut_fillers": edits.found_with.cut_fillers}}
    lines = ["{"] + [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in
                     head.items()]
    cuts = [f"  {json.dumps(e.as_dict(), ensure_ascii=False)}" for e in edits.cuts]
    lines += [' "cuts": [' + ("" if cuts else "]")]
    if cuts:
        lines += [",\n".join(cuts), " ]"]
    return "\n".join(lines + ["}"]) + "\n"


def write(path: Path, edits: EditList) -> None:
    atomic_write_text(path, dumps(edits))


def merged(existing: EditList | None, found: Sequence[Entry], now: FoundWith, *, master: str,
           master_sha: str, where: str,
           proposed_before: Callable[[FoundWith], Sequence[Entry]]) -> EditList:
    """The list after a run of the cutter (the rule in the module doc). ``found``: what
    the cutter finds with ``now``; ``proposed_before(settings)``: what it found with
    the settings the file records (called only for a kind still on whose setting
    changed)."""
    if existing is None:
        return EditList(master, master_sha, now, tuple(sorted(found, key=_order)))
    if existing.master_sha256 != master_sha:
        raise AudioError(where, *ANOTHER_MASTER)
    if existing.found_with == now:
        return existing
    before = existing.found_with
    changed = {k for k, on_before, on_now in (
        ("pause", before.max_pause, now.max_pause),
        ("filler", before.cut_fillers, now.cut_fillers)) if on_before != on_now}
    renewed = {k for k in changed if (now.max_pause if k == "pause" else now.cut_fillers)}
    old = [e for e in (proposed_before(before) if "pause" in renewed and before.max_pause
                       else ()) if e.kind in renewed]
    old_keys = {e.key for e in old}
    untouched = [e for e in existing.cuts
                 if e.kind in renewed and e.keep is None and e.key in old_keys]
    kept = [e for e in existing.cuts if e not in untouched]
    present = {e.key for e in existing.cuts}
    reviewed = kept + [e for e in old if e.key not in present]  # deleted proposals count
    new = [e for e in found if e.kind in renewed
           and not any(e.overlaps(r) for r in reviewed)]
    return replace(existing, found_with=now, master=master,
                   cuts=tuple(sorted(kept + new, key=_order)))


def _order(e: Entry) -> tuple:
    return (e.start, e.end, e.kind)


def applied(edits: EditList | None, settings) -> tuple[Cut, ...]:
    """The cuts to make for ``settings`` (module doc), in order (not yet ``normalised``)."""
    now = FoundWith.of(settings)
    if edits is None or not now.on:
        return ()
    kinds = {"edit"} | ({"pause"} if now.max_pause > 0 else set()) \
        | ({"filler"} if now.cut_fillers else set())
    return tuple(Cut(e.start, e.end, e.kind, e.word if e.kind == "filler" else None)
                 for e in edits.cuts if e.keep is not True and e.kind in kinds)


def fingerprint(cuts: Sequence[Cut]) -> list:
    """The applied cuts as the audio hash takes them."""
    return [[round(c.start, 3), round(c.end, 3), c.kind, c.word] for c in cuts]
