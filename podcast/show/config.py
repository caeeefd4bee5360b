"""The show: ``podcast.toml`` loaded and validated into a typed ``Show``.

The schema below is the configuration reference (docs/settings.md is generated from it).
Every problem is collected and raised once as a ``ValidationError``.
"""

from __future__ import annotations

import re
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from podcast.errors import ConfigError, Problem, ValidationError
from podcast.fsutil import inside
from podcast.show import schema as s
from podcast.show.schema import Invalid, Option

CONFIG_NAME = "podcast.toml"

# podcast:guid namespace, from the Podcasting 2.0 specification.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")

# Apple Podcasts categories and their sub-categories (Apple's published list).
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing",
                 "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": ("Alternative Health", "Fitness", "Medicine", "Mental Health",
                         "Nutrition", "Sexuality"),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": ("Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies",
                "Home & Garden", "Video Games"),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": ("Business News", "Daily News", "Entertainment News", "News Commentary",
             "Politics", "Sports News", "Tech News"),
    "Religion & Spirituality": ("Buddhism", "Christianity", "Hinduism", "Islam", "Judaism",
                                "Religion", "Spirituality"),
    "Science": ("Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics",
                "Natural Sciences", "Nature", "Physics", "Social Sciences"),
    "Society & Culture": ("Documentary", "Personal Journals", "Philosophy",
                          "Places & Travel", "Relationships"),
    "Sports": ("Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf",
               "Hockey", "Rugby", "Running", "Soccer", "Swimming", "Tennis", "Volleyball",
               "Wilderness", "Wrestling"),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews",
                  "TV Reviews"),
}

PERSON_ROLES_HINT = "See the Podcasting 2.0 taxonomy: host, guest, narrator, producer..."


def _category(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not 1 <= len(value) <= 2 or not all(
            isinstance(v, str) for v in value):
        raise Invalid(f"{value!r} is not [\"Category\"] or [\"Category\", \"Sub-category\"]")
    top = value[0]
    if top not in APPLE_CATEGORIES:
        raise Invalid(f"{top!r} is not an Apple Podcasts category",
                      "Use one of: " + ", ".join(APPLE_CATEGORIES))
    if len(value) == 2 and value[1] not in APPLE_CATEGORIES[top]:
        subs = ", ".join(APPLE_CATEGORIES[top]) or "none"
        raise Invalid(f"{value[1]!r} is not a sub-category of {top!r}",
                      f"Sub-categories of {top}: {subs}")
    return tuple(value)


def _artwork_path(value: Any) -> str:
    value = s.text(value)
    if not value.lower().endswith((".jpg", ".jpeg", ".png")):
        raise Invalid(f"{value!r} is not a .jpg or .png file",
                      "Apple requires JPEG or PNG artwork")
    return value


def _uuid(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise Invalid(f"{value!r} is not a UUID") from None


PERSON = [
    Option("name", s.text, "the person's name", required=True),
    Option("role", s.text, "role from the Podcasting 2.0 taxonomy", default="host"),
    Option("group", s.text, "group from the taxonomy", default="cast"),
    Option("href", s.url(), "a page about the person"),
    Option("img", s.url(), "a picture of the person"),
]


def _feed_guid(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise Invalid(f"{s.shown(value)} is not a UUID",
                      "Copy the show's podcast:guid from its feed or podcastindex.org") from None


def _geo(value: Any) -> str:
    value = s.text(value)
    if not GEO_RE.match(value):
        raise Invalid(f"{s.shown(value)} is not a geo: URI",
                      'Write "geo:LATITUDE,LONGITUDE", e.g. "geo:51.5072,-0.1276"')
    return value


def _country(value: Any) -> str:
    value = s.text(value)
    if not re.fullmatch(r"[A-Za-z]{2}", value):
        raise Invalid(f"{s.shown(value)} is not a two-letter country code", 'e.g. "GB"')
    return value.upper()


def _short(limit: int) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        value = s.text(value)
        if len(value) > limit:
            raise Invalid(f"is {len(value)} characters long, more than {limit}",
                          "Shorten it")
        return value
    return convert


class one_or_list(s.list_of):
    """A table, or a list of them (``location = { ... }`` or ``[{ ... }, { ... }]``)."""

    def check(self, value: Any, ctx: s.Context, path: str) -> list | None:
        if isinstance(value, dict):
            item = self.item.check(value, ctx, path)
            return None if item is None else s.Items([item])
        return super().check(value, ctx, path)


# podcast:block service slugs (the namespace's serviceslugs.txt, as of 2025).
SERVICE_SLUGS = frozenset("""acast amazon anchor apple audible audioboom backtracks bitcoin
blubrry buzzsprout captivate castos castopod facebook fireside fyyd google gpodder hypercatcher
kasts libsyn mastodon megafono megaphone omnystudio overcast paypal pinecast podbean podcastaddict
podcastguru podcastindex podcasts podchaser podcloud podfriend podiant podigee podnews podomatic
podserve podverse redcircle relay resonaterecordings rss simplecast snipsco soundcloud spotify
spreaker tiktok transistor twitter whooshkaa youtube zencast""".split())


def block(value: Any) -> tuple[str, ...]:
    """``true``: block every service (``("*",)``); a list: those services."""
    if isinstance(value, bool):
        return ("*",) if value else ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{s.shown(value)} is not true, false or a list of service slugs",
                      'e.g. block = ["google"] or block = true')
    unknown = [v for v in value if v not in SERVICE_SLUGS]
    if unknown:
        raise Invalid(f"{', '.join(map(repr, unknown))} is not a Podcasting 2.0 service slug",
                      "See podcast-namespace/serviceslugs.txt (e.g. apple, spotify, google)")
    return tuple(dict.fromkeys(value))


GEO_RE = re.compile(r"^geo:-?\d{1,2}(?:\.\d+)?,-?\d{1,3}(?:\.\d+)?(?:,-?\d+(?:\.\d+)?)?"
                    r"(?:;u=\d+(?:\.\d+)?)?$")

TXT = [
    Option("text", _short(4000), "the text, e.g. a verification code", required=True),
    Option("purpose", _short(128), "what it is for, e.g. verify", default="verify"),
]

REMOTE_ITEM = [
    Option("feed_guid", _feed_guid, "the other show's podcast:guid", required=True),
    Option("feed_url", s.url(), "the other show's feed URL"),
    Option("title", _short(128), "its name, for apps that cannot look it up"),
    Option("medium", s.choice("podcast", "music", "video", "film", "audiobook", "newsletter",
                              "blog"), "its podcast:medium"),
]

PUBLISHER = [
    Option("feed_guid", _feed_guid, "the publisher feed's podcast:guid", required=True),
    Option("feed_url", s.url(), "the publisher feed's URL"),
]

LOCATION = [
    Option("name", _short(128), "a human-readable place, e.g. London", required=True),
    Option("geo", _geo, "geo:latitude,longitude"),
    Option("osm", lambda v: _osm(v), "OpenStreetMap id, e.g. R65606"),
    Option("country", _country, "ISO 3166-1 alpha-2 code, e.g. GB"),
    Option("rel", s.choice("subject", "creator"), "subject (what it is about) or creator "
           "(where it is made)", default="subject"),
]

SOCIAL = [
    Option("protocol", s.choice("disabled", "activitypub", "twitter", "lightning", "atproto",
                                "hive", "matrix", "nostr", "bluesky"),
           "activitypub, atproto, nostr... or disabled", required=True),
    Option("uri", s.text, "the post (or account) where comments go", required=True),
    Option("account_id", _short(256), "the account, e.g. @show@mastodon.social"),
    Option("account_url", s.url(), "the account's page"),
    Option("priority", s.integer(1, 100), "lower first"),
]


def _osm(value: Any) -> str:
    value = s.text(value)
    if not re.fullmatch(r"[NWR]\d+(?:#\d+)?", value):
        raise Invalid(f"{s.shown(value)} is not an OpenStreetMap id",
                      'Write its type letter and number, e.g. "R65606"')
    return value


SHOW_OPTIONS = [
    Option("title", s.text, "the show's name", required=True),
    Option("url", s.url(), "public base URL; feed/<path> is served at url + <path>",
           required=True),
    Option("description", s.text, "what the show is about (<= 4000 bytes)", required=True),
    Option("summary", s.text, "one line for page descriptions and social cards"),
    Option("language", s.text, "RFC 5646 language code, e.g. en-gb", required=True),
    Option("author", s.text, "who makes the show", required=True),
    Option("owner", s.table([
        Option("name", s.text, "the owner's name", required=True),
        Option("email", s.email, "the address Apple and Spotify write to", required=True),
    ]), "itunes:owner: name and email", required=True),
    Option("artwork", _artwork_path, "square JPEG/PNG, 1400-3000 px, relative to the root",
           required=True),
    Option("categories", s.list_of(_category), "Apple categories, e.g. [[\"Government\"]]",
           required=True, default=list),
    Option("explicit", s.boolean, "true or false", default=False),
    Option("type", s.choice("episodic", "serial"), "episodic or serial", default="episodic"),
    Option("copyright", s.text, "copyright line", required=True),
    Option("guid", _uuid, "podcast:guid; computed from the feed URL once, then kept"),
    Option("locked", s.boolean, "podcast:locked: refuse imports by other hosts", default=True),
    Option("medium", s.choice("podcast", "music", "video", "film", "audiobook", "newsletter",
                              "blog"), "podcast:medium", default="podcast"),
    Option("license", s.text, "podcast:license, e.g. an SPDX identifier"),
    Option("update_frequency", s.text, "podcast:updateFrequency text, e.g. 'Monthly'"),
    Option("funding", s.list_of(s.table([
        Option("url", s.url(), "where to give", required=True),
        Option("text", s.text, "what to show", required=True),
    ])), "podcast:funding links", default=list),
    Option("persons", s.list_of(s.table(PERSON)), "podcast:person credits for the show", default=list),
    Option("subscribe", s.table([
        Option("apple", s.url(), "Apple Podcasts page"),
        Option("spotify", s.url(), "Spotify page"),
        Option("podcastindex", s.url(), "Podcast Index page"),
    ]), "subscribe links shown on the pages", default=dict),
    Option("call_to_action", s.text, "Markdown appended to every episode's notes"),
    # ---- reach: moving the feed, directories, the Podcasting 2.0 tags apps read ----
    Option("new_feed_url", s.url(), "itunes:new-feed-url: where the feed moved "
           "(set by `podcast move-feed`)"),
    Option("license_url", s.url(), "podcast:license url, for a licence not in the SPDX list"),
    Option("txt", s.list_of(s.table(TXT)), "podcast:txt, e.g. a directory's verify code",
           default=list),
    Option("podroll", s.list_of(s.table(REMOTE_ITEM)), "podcast:podroll: shows you recommend",
           default=list),
    Option("publisher", s.table(PUBLISHER), "podcast:publisher: the publisher's own feed"),
    Option("location", one_or_list(s.table(LOCATION)), "podcast:location: what the show is "
           "about (or where it is made)", default=list),
    Option("social", s.list_of(s.table(SOCIAL)), "podcast:socialInteract: where to comment",
           default=list),
    Option("block", block, "podcast:block: true blocks every directory, or a list of "
           "service slugs", default=()),
]

ALTERNATE_FORMATS = ("opus", "aac")


def dehum(value: Any) -> str | int:
    """``"auto"`` (notch only the hum the measuring pass finds), ``"off"``, 50 or 60."""
    if value in ("auto", "off") or (value in (50, 60) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and value.strip() in ("50", "60"):
        return int(value)
    raise Invalid(f"{s.shown(value)} is not auto, off, 50 or 60",
                  'Write dehum = "auto" (found by measuring), "off", 50 or 60 (Hz)')


def audio_file(value: Any) -> str:
    """A sting's path relative to the show's folder (checked to exist inside it on load)."""
    from podcast.show.episodes import MASTER_SUFFIXES

    value = s.text(value)
    if not value.lower().endswith(MASTER_SUFFIXES):
        raise Invalid(f"{s.shown(value)} is not an audio file",
                      "Give a WAV, FLAC, MP3, M4A or AIFF file")
    return value


@dataclass(frozen=True)
class AudioSettings:
    """``[audio]``: the loudness targets and the encoding."""

    loudness: float = s.setting(s.number(-36, -9), "integrated loudness target, LUFS", -16.0)
    true_peak: float = s.setting(s.number(-9, 0), "true-peak ceiling on the decoded MP3, dBTP",
                                 -1.0)
    bitrate: int = s.setting(s.integer(64, 320), "CBR kbps for stereo", 128)
    mono_bitrate: int = s.setting(s.integer(32, 192), "CBR kbps for mono", 64)
    tolerance: float = s.setting(s.number(0.1, 1.0), "allowed loudness error, LU", 0.5)
    # The speech chain (audio/chain.py). Defaults are what a speech podcast needs.
    leveler: bool = s.setting(s.boolean, "level speakers and passages to each other "
                              "(gated dynaudnorm); false: one linear gain", True)
    highpass: int = s.setting(s.integer(0, 300), "rumble high-pass, Hz; 0: off", 80)
    dehum: str | int = s.setting(dehum, '"auto" (notch the hum measured), "off", 50 or 60',
                                 "auto")
    denoise: str = s.setting(s.choice("off", "light", "strong"), '"light" (afftdn set from '
                             'the measured noise floor), "strong" (DeepFilterNet3, the '
                             'denoise extra) or "off"', "light")
    intro: str | None = s.setting(audio_file, "audio played before every episode, relative "
                                  "to the show's folder (loudness-matched, crossfaded)")
    outro: str | None = s.setting(audio_file, "audio played after every episode")
    # Not part of the MP3's audio hash (cache.MP3_NEUTRAL): adding one never re-encodes it.
    alternates: tuple[str, ...] = s.setting(
        lambda v: tuple(dict.fromkeys(s.list_of(s.choice(*ALTERNATE_FORMATS))(v))),
        "podcast:alternateEnclosure formats beside the MP3: opus, aac", ())


@dataclass(frozen=True)
class PublishSettings:
    """``[publish]``: where the show is uploaded (credentials never live here)."""

    bucket: str | None = s.setting(s.text, "bucket name; empty: a local SeaweedFS server")
    prefix: str = s.setting(lambda v: s.text(v).strip("/"), "key prefix inside the bucket", "")
    endpoint_url: str | None = s.setting(s.url(https=False),
                                         "S3 endpoint; empty: AWS or AWS_ENDPOINT_URL_S3")
    region: str = s.setting(s.text, "region (R2: auto)", "us-east-1")
    public_url: str | None = s.setting(s.url(https=False),
                                       "where listeners fetch the bucket; default: show url")
    addressing_style: str = s.setting(s.choice("auto", "path", "virtual"),
                                      "path-style is used for custom endpoints under auto",
                                      "auto")
    checksum: str = s.setting(s.choice("auto", "when_required", "when_supported"),
                              "request checksums; auto: when_required for non-AWS endpoints",
                              "auto")
    max_deletes: int = s.setting(s.integer(0), "cap on deletes with --prune", 25)
    pretty_urls: bool = s.setting(
        s.boolean, "page links end in the folder (episodes/x/) rather than index.html: "
        "only for a host that serves index documents (S3 website endpoint, CDN rule)", False)
    websub_hubs: tuple[str, ...] = s.setting(
        lambda v: tuple(s.list_of(s.url(https=False))(v)),
        "WebSub hubs: listed in the feed, pinged after each publish", ())
    analytics_prefix: str | None = s.setting(
        lambda v: analytics_prefix(v), "a redirecting prefix for enclosure URLs: op3, "
        "podtrac or a URL ending in /")
    podcastindex_notify: bool = s.setting(
        s.boolean, "tell Podcast Index (pubnotify) when a public https feed changed", True)
    podping_url: str | None = s.setting(
        s.url(), "a Podping gateway (https://podping.cloud/); its token comes from "
        "PODPING_TOKEN, so the address must be https (http only on this machine)")


@dataclass(frozen=True)
class TranscriptSettings:
    """``[transcripts]``: automatic transcripts (``podcast transcribe``)."""

    auto: bool = s.setting(s.boolean, "build transcribes episodes that have no transcript",
                           False)
    model: str = s.setting(s.text, "Whisper model: base, tiny.en, a size name fetched where "
                           "a network allows, or a local model folder", "base")
    vocabulary: str | None = s.setting(s.text, "a prompt for Whisper: names it keeps misspelling, "
                                       "spelt right (none by default: prompts can add errors)")


# Analytics services whose prefix a producer may name instead of writing it out.
# OP3's ``pg=`` form names the show by its podcast:guid, filled in by ``prefix_for``.
ANALYTICS_PREFIXES = {
    "op3": "https://op3.dev/e,pg={guid}/",
    "podtrac": "https://dts.podtrac.com/redirect.mp3/",
}


def analytics_prefix(value: Any) -> str:
    """A shorthand of ``ANALYTICS_PREFIXES`` or a URL: an https prefix ending in /."""
    value = s.text(value)
    if value in ANALYTICS_PREFIXES:
        return value
    s.url()(value)  # the feed's enclosure URLs start with it: https, as build requires
    if not value.endswith("/"):
        raise Invalid(f"{s.shown(value)} does not end in /",
                      "The enclosure's address is appended to the prefix, after a /")
    return value


AUDIO_OPTIONS = s.options_of(AudioSettings)
TRANSCRIPT_OPTIONS = s.options_of(TranscriptSettings)
PUBLISH_OPTIONS = s.options_of(PublishSettings)


@dataclass(frozen=True)
class Show:
    root: Path
    title: str
    url: str  # always ends with "/"
    description: str
    language: str
    author: str
    owner_name: str
    owner_email: str
    artwork: Path  # absolute path of the source artwork
    categories: tuple[tuple[str, ...], ...]
    explicit: bool
    type: str
    copyright: str
    guid: str  # podcast:guid
    guid_stored: bool  # False: computed now; `podcast check` asks to store it
    locked: bool
    medium: str
    summary: str | None = None
    license: str | None = None
    update_frequency: str | None = None
    funding: tuple[dict, ...] = ()
    persons: tuple[dict, ...] = ()
    subscribe: dict = field(default_factory=dict)
    call_to_action: str | None = None
    new_feed_url: str | None = None
    license_url: str | None = None
    txt: tuple[dict, ...] = ()
    podroll: tuple[dict, ...] = ()
    publisher: dict | None = None
    location: tuple[dict, ...] = ()
    social: tuple[dict, ...] = ()
    block: tuple[str, ...] = ()
    audio: AudioSettings = AudioSettings()
    publish: PublishSettings = PublishSettings()
    transcripts: TranscriptSettings = TranscriptSettings()

    def sting(self, name: str | None) -> Path | None:
        """An intro or outro path from the settings, resolved in the show's folder."""
        return self.root / name if name else None

    @property
    def feed_url(self) -> str:
        return self.url + "feed.xml"

    @property
    def episodes_dir(self) -> Path:
        return self.root / "episodes"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def output_dir(self) -> Path:
        return self.root / "feed"

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache"

    def contains(self, path: Path) -> bool:
        """Whether ``path``, symbolic links followed, lies inside the show's folder:
        nothing outside it is ever read into a build."""
        return inside(path, self.root)

    def where(self, path: Path) -> str:
        """How messages name a file: relative to the show's root when inside it."""
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    @property
    def analytics_prefix(self) -> str | None:
        """The enclosure prefix in force: [publish] analytics_prefix with a shorthand
        (op3, podtrac) written out and OP3's podcast guid filled in."""
        prefix = self.publish.analytics_prefix
        if prefix in ANALYTICS_PREFIXES:
            return ANALYTICS_PREFIXES[prefix].format(guid=self.guid)
        return prefix

    def with_url(self, url: str) -> "Show":
        """The same show served from another base URL (local preview/publish)."""
        from dataclasses import replace
        return replace(self, url=url if url.endswith("/") else url + "/")


def check_sting(root: Path, name: str | None, fieldname: str, ctx: s.Context) -> bool:
    """An intro/outro must be a file inside the show's folder (nothing outside it is
    read into a build); report it under ``fieldname`` otherwise."""
    if not name:
        return True
    path = root / name
    if not inside(path, root):
        ctx.error(fieldname, f"{name} is outside the show's folder",
                  "Copy the file into the show (e.g. audio/intro.wav) and give that path")
        return False
    if not path.is_file():
        ctx.error(fieldname, f"{name} does not exist",
                  "Give a path relative to the folder holding podcast.toml")
        return False
    return True


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: UUIDv5 of the feed URL without scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def find_root(start: Path | None = None) -> Path:
    """The folder holding podcast.toml: ``start`` or one of its parents."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ConfigError(str(here / CONFIG_NAME), "not found",
                      "Run the command inside the show's repository, or pass --root DIR")


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path.name, "not found",
                          "Run inside the show's repository or pass --root DIR") from None
    except UnicodeDecodeError:
        raise ConfigError(path.name, "is not UTF-8 text", "Save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path.name, f"is not valid TOML ({exc})",
                          "Fix the syntax at the line named") from None


def load_show(root: Path, *, collect: list[Problem] | None = None) -> Show:
    """Load and validate podcast.toml.

    With ``collect`` the problems are appended there (for ``podcast check``,
    which goes on to the episodes); otherwise errors raise ``ValidationError``.
    """
    root = Path(root).resolve()
    data = read_toml(root / CONFIG_NAME)
    ctx = s.Context(CONFIG_NAME)
    for key in data:
        if key not in ("show", "audio", "publish", "transcripts"):
            ctx.warn(f"[{key}]", "unknown section, ignored",
                     "Sections: [show] [audio] [publish] [transcripts]")

    def section(name: str, options: list[Option]) -> dict:
        raw = data.get(name, {})
        ctx.prefix = f"[{name}] "
        if not isinstance(raw, dict):
            ctx.error("", "is not a table")
            raw = {}
        return s.validate(raw, options, ctx)

    show = section("show", SHOW_OPTIONS)
    audio = section("audio", AUDIO_OPTIONS)
    publish = section("publish", PUBLISH_OPTIONS)
    transcripts = section("transcripts", TRANSCRIPT_OPTIONS)
    ctx.prefix = "[show] "

    base_url = show["url"] or "https://example.invalid/"
    if not base_url.endswith("/"):
        base_url += "/"
    artwork = root / (show["artwork"] or "artwork/cover.jpg")
    if show["artwork"] and not inside(artwork, root):
        ctx.error("artwork", f"{show['artwork']} is outside the show's folder",
                  "Copy the art into the show (e.g. artwork/cover.jpg) and give that path")
    elif show["artwork"] and not artwork.is_file():
        ctx.error("artwork", f"{show['artwork']} does not exist",
                  "Put the square cover art there or fix the path")
    ctx.prefix = "[audio] "
    for name in ("intro", "outro"):
        check_sting(root, audio[name], name, ctx)
    ctx.prefix = "[show] "
    if len((show["description"] or "").encode()) > 4000:
        ctx.error("description", "is longer than 4000 bytes", "Apple truncates it: shorten it")
    if show["new_feed_url"] and show["new_feed_url"].rstrip("/") == \
            (base_url + "feed.xml").rstrip("/"):
        ctx.error("new_feed_url", "is this feed's own URL",
                  "It names where the feed moved to; remove it if the feed did not move")
    if not show["guid"]:
        ctx.warn("guid", "not set; computed from the feed URL",
                 f'Add guid = "{podcast_guid(base_url + "feed.xml")}" so it never changes')

    guid = show["guid"] or podcast_guid(base_url + "feed.xml")
    named = re.search(r"[,/]pg=([0-9a-fA-F-]{36})", publish["analytics_prefix"] or "")
    if named and named.group(1).lower() != guid.lower():
        ctx.prefix = "[publish] "
        ctx.warn("analytics_prefix", f"names the show {named.group(1)}, not its podcast:guid "
                 f"{guid}", 'Write analytics_prefix = "op3" to have it filled in')
    problems = ctx.problems
    if collect is not None:
        collect.extend(problems)
    elif any(p.is_error for p in problems):
        raise ValidationError(problems)

    owner = show["owner"] or {}
    return Show(
        root=root,
        title=show["title"] or "",
        url=base_url,
        description=show["description"] or "",
        language=(show["language"] or "en").lower(),
        author=show["author"] or "",
        owner_name=owner.get("name") or "",
        owner_email=owner.get("email") or "",
        artwork=artwork,
        categories=tuple(show["categories"] or ()),
        explicit=show["explicit"],
        type=show["type"],
        copyright=show["copyright"] or "",
        guid=guid,
        guid_stored=bool(show["guid"]),
        locked=show["locked"],
        medium=show["medium"],
        summary=show["summary"],
        license=show["license"],
        update_frequency=show["update_frequency"],
        funding=tuple(show["funding"] or ()),
        persons=tuple(show["persons"] or ()),
        subscribe={k: v for k, v in (show["subscribe"] or {}).items() if v},
        call_to_action=show["call_to_action"],
        new_feed_url=show["new_feed_url"],
        license_url=show["license_url"],
        txt=tuple(show["txt"] or ()),
        podroll=tuple(show["podroll"] or ()),
        publisher=show["publisher"],
        location=tuple(show["location"] or ()),
        social=tuple(show["social"] or ()),
        block=tuple(show["block"] or ()),
        audio=AudioSettings(**audio),
        publish=PublishSettings(**publish),
        transcripts=TranscriptSettings(**transcripts),
    )
