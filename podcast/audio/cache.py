"""The audio cache and its reports, under ``.cache/``.

``audio/<audiohash>.mp3``   encoded and verified, untagged
``audio/<audiohash>.json``  its ``AudioReport`` (report.py; written last: its presence
                            marks a hit)
``episodes/<slug>.json``    the tagged file last written to the output: audiohash,
                            tag digest, key, size, sha256, duration
``audio/masters.json``      master content hashes keyed by (size, mtime_ns, inode), so a
                            re-run does not re-read gigabytes of unchanged masters

``audio/analysis-<master>-<options>.json``  the measuring pass (analysis.py), kept by
                            master content: a changed intro re-encodes, never re-measures
``audio/sting-<sha>.json``  an intro's or outro's loudness and length

audiohash = sha256(master content hash + the episode's effective audio settings
+ the intro's and outro's content hashes + the cuts its cuts.json applies +
PIPELINE_VERSION): change any of them and the episode is encoded again, under a
new media key. A renamed intro with the same bytes changes nothing. A multitrack
episode's "master content hash" covers every track's content and its role
(speaker or music), in order (``sources_sha``): renaming a speaker re-encodes,
renaming a file does not.
``audio/activity-<master>-...f32``  the automatic cutter's 10 ms envelope (activity.py)
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from podcast.audio.report import AudioReport, ReportFormatError
from podcast.fsutil import atomic_write_text, sha256_file
from podcast.model import Cut
from podcast.show.config import AudioSettings, Show
from podcast.show.lfs import MAX_POINTER_BYTES, pointer_oid

log = logging.getLogger(__name__)

# Bump when the processing changes in a way that changes the output.
PIPELINE_VERSION = "3"  # 2: the speech chain; 3: limiter gain by secant, mono stings, surround


@dataclass
class EpisodeRecord:
    """The tagged MP3 last written for an episode (``.cache/episodes/<slug>.json``)."""

    audiohash: str
    tag_digest: str
    key: str
    size: int
    sha256: str
    duration: float
    # (size, mtime_ns, inode) of the file as written: a no-op build trusts an
    # untouched file instead of reading every published MP3 again.
    stamp: tuple[int, ...] = ()


# [audio] settings that do not change the MP3 (alternates are encoded beside it):
# left out of its audio hash, so adding one never re-encodes or re-keys an episode.
MP3_NEUTRAL = ("alternates",)


def settings_dict(settings: AudioSettings) -> dict:
    data = asdict(settings)
    for name in MP3_NEUTRAL:
        data.pop(name, None)
    return data


# The cutter's settings: what they cut is in the hash instead (the applied edit list),
# so turning the cutter on changes no hash until it finds something to cut.
CUTTER = ("max_pause", "cut_fillers")


def audio_hash(master_sha: str, settings: AudioSettings,
               stings: dict[str, str | None] | None = None, cuts: Sequence[Cut] = (), *,
               music: bool = False) -> str:
    """``stings``: the intro's and outro's content hashes (their paths are left out:
    a renamed file with the same sound is the same episode); ``cuts``: the edit list
    applied (cutting.applied_cuts); ``music``: the episode has a music track, the
    only audio ``duck`` changes."""
    from podcast.audio.editlist import fingerprint

    data = settings_dict(settings)
    if not music:
        data.pop("duck", None)
    stings = stings or {}
    for name in ("intro", "outro"):
        data[name] = stings.get(name) if data.get(name) else None
    for name in CUTTER:
        data.pop(name, None)
    if cuts:
        data["cuts"] = fingerprint(cuts)
    text = json.dumps({"master": master_sha, "settings": data,
                       "pipeline": PIPELINE_VERSION}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def episode_hash(cache: "Cache", show: Show, episode, master_sha: str, *,
                 compute: bool = True, cuts: Sequence[Cut] = ()) -> str | None:
    """The audio hash of ``episode``: its master, its effective [audio] settings (the
    show's with the episode's overrides), the content of its intro and outro and the
    ``cuts`` its edit list applies. None when ``compute`` is false and a sting was not
    hashed since it changed."""
    settings = episode.audio_settings(show)
    stings: dict[str, str | None] = {}
    for name in ("intro", "outro"):
        path = show.sting(getattr(settings, name))
        if path is not None:
            try:
                stings[name] = cache.master_sha(path, compute=compute)
            except OSError:
                stings[name] = "missing"
            if stings[name] is None:
                return None
    return audio_hash(master_sha, settings, stings, cuts,
                      music=any(t.music for t in getattr(episode, "tracks", ())))


def sources_sha(cache: "Cache", episode, *, compute: bool = True) -> str | None:
    """The content hash of what ``episode`` is made from: its master's, or one over
    each track's content hash and role (speaker name or music), in order. None when
    ``compute`` is false and a file was not hashed since it changed; ``OSError``
    when a file is missing."""
    if not episode.tracks:
        return cache.master_sha(episode.master, compute=compute)
    parts = []
    for track in episode.tracks:
        sha = cache.master_sha(track.file, compute=compute)
        if sha is None:
            return None
        parts.append([sha, track.speaker, track.music])
    return hashlib.sha256(json.dumps({"tracks": parts}).encode()).hexdigest()


class Cache:
    """File locations and JSON records of one show's audio cache."""

    def __init__(self, show: Show):
        self.show = show
        self.audio_dir = show.cache_dir / "audio"
        self.episodes_dir = show.cache_dir / "episodes"
        self._memo_path = self.audio_dir / "masters.json"
        self._memo: dict | None = None
        self._lock = threading.Lock()
        self._memo_dirty = False

    def mp3(self, audiohash: str) -> Path:
        return self.audio_dir / f"{audiohash}.mp3"

    def report_path(self, audiohash: str) -> Path:
        return self.audio_dir / f"{audiohash}.json"

    # ---- master hashes -----------------------------------------------------

    def _memo_data(self) -> dict:
        if self._memo is None:
            self._memo = _read_json(self._memo_path) or {}
        return self._memo

    def master_sha(self, path: Path, *, compute: bool = True) -> str | None:
        """Content hash of a master, from the memo when size, mtime and inode match (a
        Git LFS pointer file: the hash it names)."""
        st = path.stat()
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        name = str(path.resolve())
        with self._lock:
            hit = self._memo_data().get(name)
        if hit and hit.get("stat") == stamp:
            return hit["sha256"]
        # A Git LFS pointer names the real file's sha256: the same key, no audio needed.
        sha = pointer_oid(path) if st.st_size < MAX_POINTER_BYTES else None
        if sha is None:
            if not compute:
                return None
            log.debug("hashing %s", path)
            sha = sha256_file(path)
        with self._lock:
            self._memo_data()[name] = {"stat": stamp, "sha256": sha}
            self._memo_dirty = True
        return sha

    def save_memo(self) -> None:
        with self._lock:
            if self._memo_dirty and self._memo is not None:
                atomic_write_text(self._memo_path, json.dumps(self._memo, indent=1))
                self._memo_dirty = False

    # ---- reports -------------------------------------------------------------

    def report(self, audiohash: str) -> AudioReport | None:
        """The report of a cached encode, or None when it or its MP3 is missing, or it
        was made by another pipeline version."""
        try:
            report = AudioReport.from_json(self.report_path(audiohash).read_bytes())
            if report.pipeline != PIPELINE_VERSION:
                return None
            if self.mp3(audiohash).stat().st_size != report.output.size:
                return None
        except (OSError, ReportFormatError):
            return None
        return report

    def save_report(self, report: AudioReport) -> None:
        atomic_write_text(self.report_path(report.audiohash), report.to_json())

    # ---- measurements kept by content (the measuring pass, stings) ----------

    def measured(self, name: str) -> dict | None:
        return _read_json(self.audio_dir / f"{name}.json")

    def save_measured(self, name: str, data: dict) -> None:
        atomic_write_text(self.audio_dir / f"{name}.json",
                          json.dumps(data, indent=1, sort_keys=True))

    def record(self, slug: str) -> EpisodeRecord | None:
        data = _read_json(self.episodes_dir / f"{slug}.json")
        try:
            if data and "stamp" in data:
                data["stamp"] = tuple(data["stamp"])
            return EpisodeRecord(**data) if data else None
        except TypeError:
            return None

    def save_record(self, slug: str, record: EpisodeRecord) -> None:
        atomic_write_text(self.episodes_dir / f"{slug}.json",
                          json.dumps(asdict(record), indent=1, sort_keys=True))


def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None

