"""The values the stages pass along, and where each artefact lives in ``feed/``.

``Media``, ``Transcript``, ``BuiltEpisode`` and ``Site`` are what audio and
assets hand to the feed and the site. The key functions are the one place
that knows the output tree and its public URLs; every stage asks them, so a
key never disagrees between the feed, the pages and the bucket.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from podcast.show.config import Show
from podcast.show.episodes import Episode

FEED = "feed.xml"
SUBSCRIBE_PAGE = "subscribe.html"  # how to follow the show: where the pages' feed links go


MEDIA_KEY = re.compile(r"(?:^|/)(?P<audio>[a-z0-9]+(?:-[a-z0-9]+)*-[0-9a-f]{12})"
                       r"-(?P<bytes>[0-9a-f]{8})\.(?P<ext>[a-z0-9]+)$")


def media_key(episode: Episode, audio_hash: str, file_sha256: str, ext: str = "mp3") -> str:
    """The key of a published audio file: ``media/<slug>-<audio12>-<bytes8>.<ext>``.

    ``audio12`` names the audio (master + settings): a re-mastered episode gets
    a new one. ``bytes8`` names the exact file, tags included: a re-tag (an edited
    title) publishes a new object, so the bytes behind a URL never change and the
    URL can be cached for a year as immutable.
    """
    return f"media/{episode.slug}-{audio_hash[:12]}-{file_sha256[:8]}.{ext}"


def audio_identity(url_or_key: str) -> str | None:
    """The audio a media URL or key holds (``<slug>-<audio12>``), whatever its host,
    analytics prefix or tags; None for a URL that is not one of our media keys.

    Subscriber protection treats two enclosures with the same identity as the
    same audio: a re-tag or a new prefix, not a re-master."""
    from urllib.parse import unquote, urlsplit

    path = unquote(urlsplit(url_or_key).path) if "://" in url_or_key else url_or_key
    found = MEDIA_KEY.search(path)
    return found.group("audio") if found else None


def with_prefix(prefix: str | None, url: str) -> str:
    """``url`` behind an analytics prefix, the way OP3, Podtrac and the others
    chain: an https target drops its scheme, an http one keeps it."""
    if not prefix:
        return url
    return prefix + (url[len("https://"):] if url.startswith("https://") else url)


def enclosure_url(show: Show, key: str) -> str:
    """The URL a feed gives apps for a media key: behind [publish] analytics_prefix
    when one is set (the prefix redirects to the object, counting the download)."""
    return with_prefix(show.analytics_prefix, public_url(show, key))


def episode_dir(episode: Episode) -> str:
    return f"episodes/{episode.slug}/"


def episode_page(episode: Episode) -> str:
    return episode_dir(episode) + "index.html"


def chapters_key(episode: Episode) -> str:
    return episode_dir(episode) + "chapters.json"


def transcript_key(episode: Episode, ext: str) -> str:
    return episode_dir(episode) + f"transcript.{ext}"


def transcript_page(episode: Episode) -> str:
    return episode_dir(episode) + "transcript.html"


def embed_page(episode: Episode) -> str:
    return episode_dir(episode) + "embed.html"


def public_url(show: Show, key: str) -> str:
    """Absolute URL of a key: every link to a page, feed and site alike, is made here.

    A page's URL ends in ``index.html``: a plain bucket (S3's REST endpoint, R2,
    SeaweedFS) serves exactly the key asked for, so ``episodes/x/`` would be a 404
    there. Only when the producer declares that the host serves index documents
    (``[publish] pretty_urls = true``: an S3 website endpoint, a CDN rule) is a
    page addressed by its folder.
    """
    if show.publish.pretty_urls:
        if key == "index.html":
            key = ""
        elif key.endswith("/index.html"):
            key = key[: -len("index.html")]
    return show.url + key


def home_url(show: Show) -> str:
    """The show's home page (the feed's channel link, the sitemap's first entry)."""
    return public_url(show, "index.html")


@dataclass(frozen=True)
class Alternate:
    """Another encoding of the published audio (podcast:alternateEnclosure)."""

    key: str  # e.g. media/multiple-bombings-0123456789ab-89abcdef.opus
    path: Path | None  # None: in the bucket, vouched for by a build record
    size: int
    mime: str  # audio/ogg, audio/mp4
    codecs: str  # RFC 6381: opus, mp4a.40.2
    bitrate: int  # bits per second
    title: str  # <= 32 characters, shown by apps
    integrity: str  # SRI: sha384-<base64> of the file's bytes
    report: dict = field(default_factory=dict)  # loudness of the decoded file
    sha256: str = ""


@dataclass(frozen=True)
class Cut:
    """A stretch of the master left out of the published audio, in master seconds.

    ``kind`` and ``word`` say what it took out (cuts.json: pause, filler or edit;
    the filler's word as recognised): a filler's word also leaves the published
    transcript (``captions.retimed``)."""

    start: float
    end: float
    kind: str = ""
    word: str | None = None


@dataclass(frozen=True)
class Timeline:
    """Where a time written against the master plays in the published audio.

    Chapters, soundbites and transcript cues are written against the master;
    the published MP3 plays the master's time 0 at ``offset`` (an intro's
    length less its crossfade), and #17's edit list takes ``cuts`` out of it.
    ``to_published`` is the one place that maps a time: through the cuts
    first (each cut that ends at or before ``t`` takes its length off), then
    the offset. A time inside a cut moves to where the cut was made: the
    moment the audio after it starts playing. So a cue or soundbite wholly
    inside a cut shrinks to nothing, and one across a cut ends where it was
    made.
    """

    offset: float = 0.0
    cuts: tuple[Cut, ...] = ()  # in order of time, not overlapping

    def to_published(self, t: float) -> float:
        i = bisect.bisect_left(self._starts, t)  # the cuts that start before t
        removed = 0.0
        if i:
            last = self.cuts[i - 1]
            removed = self._lengths[i - 1] + min(t, last.end) - last.start
        return t - removed + self.offset

    @functools.cached_property
    def _starts(self) -> list[float]:
        return [c.start for c in self.cuts]

    @functools.cached_property
    def _lengths(self) -> list[float]:
        """Seconds the cuts before each cut took out (summed once, for bisecting)."""
        out, total = [], 0.0
        for cut in self.cuts:
            out.append(total)
            total += cut.end - cut.start
        return out

    @property
    def fillers(self) -> tuple[Cut, ...]:
        """The cuts that took a word out (whose text leaves the transcript too)."""
        return tuple(c for c in self.cuts if c.word)

    @property
    def removed(self) -> float:
        """Seconds of the master the cuts took out."""
        return sum(c.end - c.start for c in self.cuts)


@dataclass(frozen=True)
class SpeakerSpans:
    """One speech track of a multitrack episode and where its own speaker talks."""

    speaker: str
    file: Path
    spans: tuple[tuple[float, float], ...]  # master seconds, in order, not overlapping


@dataclass(frozen=True)
class SpeechActivity:
    """Who talks when in a multitrack episode, as the crossgate found it (audio/):
    each track's spans of its own speech, and, every ``frame`` seconds, how far
    each track's level stands over the bleed the other voices leave on it (dB).

    Transcription hears each track over its own spans and, when a word is heard
    on two tracks at once, keeps the track that dominates; the automatic
    cutter finds pauses where nobody talks (``union``)."""

    tracks: tuple[SpeakerSpans, ...]
    excess: tuple[tuple[float, ...], ...] = ()  # per track, per frame
    frame: float = 0.1

    def union(self) -> tuple[tuple[float, float], ...]:
        """Where anyone talks: the tracks' spans merged, in master seconds."""
        merged: list[list[float]] = []
        for a, b in sorted(s for t in self.tracks for s in t.spans):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        return tuple((a, b) for a, b in merged)

    def dominant(self, start: float, end: float) -> int | None:
        """The track (its index) whose own voice stands out most over [start, end):
        the one whose microphone a sound heard on several tracks came from."""
        if not self.excess:
            return None
        lo = max(0, int(start / self.frame))
        hi = max(lo + 1, int(end / self.frame + 0.999))

        def mean(values: tuple[float, ...]) -> float:
            part = values[lo:hi]
            return sum(part) / len(part) if part else float("-inf")
        return max(range(len(self.excess)), key=lambda i: mean(self.excess[i]))


@dataclass(frozen=True)
class Media:
    """The published MP3 of one episode, as the audio step reports it."""

    key: str  # e.g. media/multiple-bombings-0123456789ab-89abcdef.mp3
    path: Path | None  # the file in feed/; None: in the bucket, vouched for by a build record
    size: int  # exact bytes: the enclosure length
    duration: float  # seconds, measured on the encoded file
    sha256: str
    report: Any = None  # the audio.report.AudioReport it was made with
    # Master time -> time in this file (the intro's offset; #17: cuts): chapters,
    # soundbites and transcript cues are written against the master.
    timeline: Timeline = Timeline()
    alternates: tuple[Alternate, ...] = ()  # [audio] alternates, in the order configured
    tags: str = ""  # the digest of the ID3 tags written into it (audio.tags.TagSet.digest)


@dataclass(frozen=True)
class MediaRecord:
    """A build record (publish/records.py): one published MP3 and the alternates
    beside it, by the inputs that made them. Any machine that works out the same
    ``audiohash`` (master content, effective settings, stings, pipeline version) and
    ``tagdigest`` publishes this object instead of encoding."""

    audiohash: str
    tagdigest: str
    key: str
    size: int
    sha256: str
    duration: float
    report: dict  # the AudioReport's JSON object (audio/report.py)
    timeline: Timeline = Timeline()
    alternates: tuple[Alternate, ...] = ()  # paths None


def record_of(media: Media) -> MediaRecord:
    """The build record of media made on this machine."""
    import json

    return MediaRecord(media.report.audiohash, media.tags, media.key, media.size, media.sha256,
                       media.duration, json.loads(media.report.to_json()), media.timeline,
                       tuple(replace(a, path=None) for a in media.alternates))


def remote_media(media: Media) -> dict[str, tuple[int, str]]:
    """key -> (size, sha256) of the files of ``media`` that are only in the bucket."""
    files = [media] if media.path is None else []
    files += [a for a in media.alternates if a.path is None]
    return {f.key: (f.size, f.sha256) for f in files}


# feed/'s note of the media it names that stay in the bucket (hidden: never uploaded).
REMOTE = ".podcast-remote.json"


def write_remote(out: Path, entries: dict[str, tuple[int, str]]) -> None:
    """Remember which keys of the build are vouched for by build records (read by the
    feed rules and the publish plan: present, unchanged, not stale)."""
    import json

    from podcast.fsutil import write_if_changed

    path = Path(out) / REMOTE
    if not entries:
        path.unlink(missing_ok=True)
        return
    write_if_changed(path, json.dumps({k: list(v) for k, v in sorted(entries.items())},
                                      separators=(",", ":")))


def read_remote(out: Path) -> dict[str, tuple[int, str]]:
    """What ``write_remote`` wrote for ``out`` (empty: every file is in feed/)."""
    import json

    try:
        data = json.loads((Path(out) / REMOTE).read_text(encoding="utf-8"))
        return {str(k): (int(v[0]), str(v[1])) for k, v in data.items()}
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return {}


# The chapter every published chapter list starts with when an intro plays before
# the master.
INTRO_CHAPTER = "Intro"


@dataclass(frozen=True)
class PublishedChapter:
    """A chapter as listeners get it, timed to the published audio."""

    start: float  # seconds into the published audio
    end: float  # the next chapter's start, or the end of the audio
    title: str
    url: str | None = None
    image: Path | None = None  # the episode's image file for it
    toc: bool = True  # listed in tables of contents
    number: int | None = None  # 1-based place among the episode's chapters; None: the intro


def published_chapters(episode: Episode, timeline: Timeline, duration: float
                       ) -> tuple[PublishedChapter, ...]:
    """The episode's chapters as ID3 tags, JSON chapters, Podlove chapters and pages
    all publish them: through ``timeline``, with an "Intro" chapter first when an
    intro plays before the master. A chapter left without audio (its start cut
    out up to the next one's) is dropped."""
    starts = [timeline.to_published(ch.start) for ch in episode.chapters]
    ends = starts[1:] + [duration]
    out = [PublishedChapter(s, e, ch.title, ch.url, ch.image, ch.toc, n)
           for n, (ch, s, e) in enumerate(zip(episode.chapters, starts, ends), start=1)
           if e > s]
    if out and timeline.offset > 0:
        out.insert(0, PublishedChapter(0.0, out[0].start, INTRO_CHAPTER))
    return tuple(out)


def listed_chapters(chapters: tuple[PublishedChapter, ...]) -> tuple[PublishedChapter, ...]:
    """The chapters a table of contents lists: ``toc`` ones, and the intro only in
    front of at least one of the episode's own."""
    listed = tuple(c for c in chapters if c.toc)
    return listed if any(c.number is not None for c in listed) else ()


@dataclass(frozen=True)
class Transcript:
    key: str
    mime: str  # text/vtt | application/x-subrip | application/json (Podcasting 2.0)


@dataclass(frozen=True)
class BuiltEpisode:
    """An episode with everything published beside it: what feed and pages render."""

    episode: Episode
    media: Media
    chapters_key: str | None = None
    transcripts: tuple[Transcript, ...] = ()
    image_key: str | None = None  # episode art; None: the show's
    chapter_images: tuple[tuple[int, str], ...] = ()  # (1-based chapter in time order, key)


@dataclass(frozen=True)
class Image:
    """One size of the show's art, published beside it (podcast:image)."""

    key: str
    width: int
    height: int


@dataclass(frozen=True)
class Site:
    """The whole build model: the show and its live episodes, newest last."""

    show: Show
    episodes: tuple[BuiltEpisode, ...]
    artwork_key: str  # the show's art in feed/
    build_date: datetime  # newest episode's date: deterministic lastBuildDate
    preview: bool = False  # http://127.0.0.1 previews may use http URLs
    artwork_sizes: tuple[Image, ...] = ()  # the art in several sizes, largest first
