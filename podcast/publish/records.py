"""Build records in the bucket: what an input hash made, so any machine can publish.

Everything that makes a publish cheap used to live in one machine's ``.cache/``.
The records put the outcome next to the published files, under the prefix:

``.podcast-records/media/<audiohash>/<tagdigest>.json``
    one tagged MP3 and the alternates beside it: key, size, sha256, duration,
    the loudness report (audio/report.py's JSON) and the timeline.
``.podcast-records/transcripts/<key>.json``
    a transcript's text, by master content, model and options.

One small object per record, never a shared file, so CI shards and producers
that publish at once never race on one object (the same record written twice
holds the same facts). Records hold no secrets, no local paths, no hostnames:
keys are relative to the prefix.

A publish lists the prefix once (paginated: the record names carry the hashes),
then GETs only the records it needs, in parallel. A record is trusted only
while its objects are in that listing with the recorded sizes; anything else
is a ``RecordError`` and the episode is rebuilt. Records are written only after
their objects are in the bucket, and deleted only with those objects
(``forget``), so a prune never leaves a feed's object without its record.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from podcast.errors import RecordError
from podcast.fsutil import CHUNK
from podcast.model import MEDIA_KEY, Alternate, Cut, MediaRecord, Timeline
from podcast.publish.client import Target

log = logging.getLogger(__name__)

PREFIX = ".podcast-records/"
MEDIA = PREFIX + "media/"
TRANSCRIPTS = PREFIX + "transcripts/"
VERSION = 1
JOBS = 16  # parallel GETs and PUTs: small objects, so latency is all they cost


def media_name(audiohash: str, tagdigest: str) -> str:
    return f"{MEDIA}{audiohash}/{tagdigest}.json"


def transcript_name(key: str) -> str:
    return f"{TRANSCRIPTS}{key}.json"


# ---- the JSON form -------------------------------------------------------------------

_ALT_FIELDS = ("key", "size", "sha256", "integrity", "mime", "codecs", "bitrate", "title",
               "report")


def dumps_media(rec: MediaRecord) -> bytes:
    """The record as sorted JSON: the same record is the same bytes."""
    doc = {"version": VERSION, "audiohash": rec.audiohash, "tagdigest": rec.tagdigest,
           "key": rec.key, "size": rec.size, "sha256": rec.sha256, "duration": rec.duration,
           "report": rec.report,
           "timeline": {"offset": rec.timeline.offset,
                        "cuts": [[c.start, c.end] for c in rec.timeline.cuts]},
           "alternates": [{f: getattr(a, f) for f in _ALT_FIELDS} for a in rec.alternates]}
    return (json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=False)
            + "\n").encode()


def loads_media(data: bytes, name: str) -> MediaRecord:
    """Raises ``RecordError`` for a record this version cannot read."""
    try:
        doc = json.loads(data)
        if doc.get("version") != VERSION:
            raise ValueError(f"version {doc.get('version')!r}, this publisher reads {VERSION}")
        timeline = doc["timeline"]
        rec = MediaRecord(
            audiohash=str(doc["audiohash"]), tagdigest=str(doc["tagdigest"]),
            key=str(doc["key"]), size=int(doc["size"]), sha256=str(doc["sha256"]),
            duration=float(doc["duration"]), report=dict(doc["report"]),
            timeline=Timeline(float(timeline["offset"]),
                              tuple(Cut(float(a), float(b)) for a, b in timeline["cuts"])),
            alternates=tuple(Alternate(path=None, **{f: a[f] for f in _ALT_FIELDS})
                             for a in doc["alternates"]))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise RecordError(name, f"cannot be read ({exc})") from None
    if f"{MEDIA}{rec.audiohash}/{rec.tagdigest}.json" != name or not MEDIA_KEY.search(rec.key):
        raise RecordError(name, "does not describe what its name says")
    return rec


# ---- the listing -----------------------------------------------------------------------

@dataclass
class Listing:
    """One paginated listing of the prefix, split into the published objects and
    the record names (relative keys throughout)."""

    objects: dict[str, int] = field(default_factory=dict)  # key -> size
    media: dict[str, list[str]] = field(default_factory=dict)  # audiohash -> tagdigests, newest first
    transcripts: set[str] = field(default_factory=set)  # transcript record keys


def list_prefix(client, target: Target) -> Listing:
    listing = Listing()
    dated: dict[str, list[tuple]] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=target.bucket,
                                                                 Prefix=target.prefix):
        for obj in page.get("Contents", ()):
            key = obj["Key"][len(target.prefix):]
            if key.startswith(MEDIA) and key.endswith(".json") and key.count("/") == 3:
                audiohash, name = key[len(MEDIA):].split("/")
                dated.setdefault(audiohash, []).append((obj["LastModified"], name[:-5]))
            elif key.startswith(TRANSCRIPTS) and key.endswith(".json"):
                listing.transcripts.add(key[len(TRANSCRIPTS):-5])
            elif not key.startswith(PREFIX):
                listing.objects[key] = obj["Size"]
    listing.media = {h: [d for _, d in sorted(v, reverse=True)] for h, v in dated.items()}
    return listing


# ---- the lookup build hands to the audio and transcribe steps ------------------------

class Records:
    """The bucket's build records, as one publish (or shard) sees them.

    ``any_media``/``media``/``download``/``transcript`` are all the audio and
    transcribe steps call: they receive this object as a plain value and never
    import publish/.
    """

    def __init__(self, client, target: Target, listing: Listing):
        self.client = client
        self.target = target
        self.listing = listing
        self._got: dict[str, MediaRecord | RecordError] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, client, target: Target) -> "Records":
        return cls(client, target, list_prefix(client, target))

    @property
    def objects(self) -> dict[str, int]:
        return self.listing.objects

    def has(self, audiohash: str) -> bool:
        return audiohash in self.listing.media

    def prefetch(self, audiohashes: Iterable[str]) -> None:
        """GET the newest record of each audio, in parallel (most episodes need no more)."""
        names = sorted({media_name(h, self.listing.media[h][0]) for h in audiohashes
                        if h in self.listing.media} - self._got.keys())
        if names:
            with ThreadPoolExecutor(min(JOBS, len(names))) as pool:
                list(pool.map(self._record, names))

    def any_media(self, audiohash: str) -> MediaRecord | None:
        """A trusted record of this audio (the newest), None when there is none;
        ``RecordError`` when there are records but none can be trusted."""
        first: RecordError | None = None
        for digest in self.listing.media.get(audiohash, ()):
            try:
                return self._trusted(media_name(audiohash, digest))
            except RecordError as exc:
                first = first or exc
        if first is not None:
            raise first
        return None

    def media(self, audiohash: str, tagdigest: str) -> MediaRecord | None:
        """The trusted record of this audio with these tags; None when there is none;
        ``RecordError`` when it exists but cannot be trusted."""
        if tagdigest not in self.listing.media.get(audiohash, ()):
            return None
        return self._trusted(media_name(audiohash, tagdigest))

    def download(self, rec: MediaRecord, dest: Path) -> None:
        """The record's MP3 into ``dest``, checked against its sha256."""
        from podcast.publish.client import s3_errors

        digest = hashlib.sha256()
        with s3_errors(self.target), open(dest, "wb") as out:
            body = self.client.get_object(Bucket=self.target.bucket,
                                          Key=self.target.prefix + rec.key)["Body"]
            for block in body.iter_chunks(CHUNK):
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != rec.sha256:
            raise RecordError(rec.key, "in the bucket is not the file its record describes "
                              "(sha256 differs)")

    def transcript(self, key: str) -> str | None:
        """A transcript's text by its record key; None when there is none (or it is
        unreadable: it is made again)."""
        if key not in self.listing.transcripts:
            return None
        name = transcript_name(key)
        try:
            doc = json.loads(self._get(name))
            if doc.get("version") != VERSION or not isinstance(doc.get("text"), str):
                raise ValueError("no text")
            return doc["text"]
        except (ValueError, AttributeError, RecordError) as exc:
            log.warning("%s%s: cannot be read (%s); transcribing again", self.target.where,
                        name, exc)
            return None

    # ---- reads -------------------------------------------------------------------

    def _get(self, name: str) -> bytes:
        from botocore.exceptions import ClientError

        from podcast.publish.client import s3_errors

        with s3_errors(self.target):
            try:
                return self.client.get_object(Bucket=self.target.bucket,
                                              Key=self.target.prefix + name)["Body"].read()
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    raise RecordError(name, "vanished while publishing") from None
                raise

    def _record(self, name: str) -> MediaRecord | RecordError:
        with self._lock:
            if name in self._got:
                return self._got[name]
        try:
            got: MediaRecord | RecordError = loads_media(self._get(name), name)
        except RecordError as exc:
            got = exc
        with self._lock:
            self._got[name] = got
        return got

    def _trusted(self, name: str) -> MediaRecord:
        got = self._record(name)
        if isinstance(got, RecordError):
            raise got
        for key, size in [(got.key, got.size), *((a.key, a.size) for a in got.alternates)]:
            listed = self.objects.get(key)
            if listed != size:
                state = "is missing" if listed is None else f"has {listed} bytes, not {size}"
                raise RecordError(name, f"names {key}, which {state} in the bucket")
        return got

    # ---- writes --------------------------------------------------------------------

    def put(self, media: Iterable[MediaRecord] = (), transcripts: dict[str, str] | None = None
            ) -> int:
        """Write records (their objects must be in the bucket already); how many."""
        from podcast.publish.client import s3_errors

        bodies = {media_name(r.audiohash, r.tagdigest): dumps_media(r) for r in media}
        for key, text in (transcripts or {}).items():
            bodies[transcript_name(key)] = (json.dumps(
                {"version": VERSION, "text": text}, sort_keys=True) + "\n").encode()

        def put(name: str) -> None:
            self.client.put_object(Bucket=self.target.bucket, Key=self.target.prefix + name,
                                   Body=bodies[name], ContentType="application/json",
                                   CacheControl="no-store")
        if bodies:
            with s3_errors(self.target), ThreadPoolExecutor(min(JOBS, len(bodies))) as pool:
                list(pool.map(put, sorted(bodies)))
            log.debug("wrote %d build record(s)", len(bodies))
        return len(bodies)


def forget(client, target: Target, deleted: Iterable[str]) -> list[str]:
    """Delete the media records whose MP3 was just deleted (a prune); their names."""
    from podcast.publish.client import s3_errors

    audio = {found.group("audio").rsplit("-", 1)[1] for key in deleted
             if (found := MEDIA_KEY.search(key)) and key.endswith(".mp3")}
    if not audio:
        return []
    gone = set(deleted)
    records = Records.load(client, target)
    names = [media_name(h, d) for h, digests in records.listing.media.items()
             if h[:12] in audio for d in digests]
    forgotten = []
    with s3_errors(target):
        for name in names:
            got = records._record(name)
            if isinstance(got, MediaRecord) and got.key in gone:
                client.delete_object(Bucket=target.bucket, Key=target.prefix + name)
                forgotten.append(name)
    log.debug("deleted %d record(s) with their objects", len(forgotten))
    return forgotten
