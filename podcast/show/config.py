"""The show: ``podcast.toml`` loaded and validated into a typed ``Show``.

Every setting is declared once, as a field with ``schema.setting`` (type,
default, help text, validation): [show] on ``Show`` below, [audio],
[publish] and [transcripts] in ``podcast.show.settings``. ``TABLES`` names
the class of each TOML table and ``reference()`` lists every setting, nested
tables included: the configuration reference is generated from it. Every
problem is collected and raised once as a ``ValidationError``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from podcast.errors import ConfigError, Problem, ValidationError
from podcast.fsutil import inside
from podcast.show import schema as s
from podcast.show.fields import (
    LOCATION,
    PERSON,
    PUBLISHER,
    REMOTE_ITEM,
    SOCIAL,
    TXT,
    artwork_path,
    block,
    category,
    one_or_list,
    uuid_text,
)
from podcast.show.schema import Option
from podcast.show.settings import AudioSettings, PublishSettings, TranscriptSettings
from podcast.show.standards import ANALYTICS_PREFIXES, MEDIUMS, podcast_guid

CONFIG_NAME = "podcast.toml"


@s.described("https URL")
def _base_url(value: Any) -> str:
    """The public base URL, always ending in "/" (feed/<path> is served at url + path)."""
    value = s.url()(value)
    return value if value.endswith("/") else value + "/"


OWNER = [
    Option("name", s.text, "the owner's name", required=True),
    Option("email", s.email, "the address Apple and Spotify write to", required=True),
]

SUBSCRIBE = [
    Option("apple", s.url(), "Apple Podcasts page"),
    Option("spotify", s.url(), "Spotify page"),
    Option("podcastindex", s.url(), "Podcast Index page"),
]

FUNDING = [
    Option("url", s.url(), "where to give", required=True),
    Option("text", s.text, "what to show", required=True),
]


@dataclass(frozen=True)
class Show:
    """``[show]``, plus the show's folder and its other tables.

    A field declared with ``s.setting`` is a [show] key; the plain fields are
    worked out on load (``root``, ``guid_stored``) or are the other tables.
    """

    root: Path  # the folder holding podcast.toml
    title: str = s.setting(s.text, "the show's name", "", required=True)
    url: str = s.setting(_base_url, "public base URL; feed/<path> is served at url + <path>",
                         "https://example.invalid/", required=True)
    description: str = s.setting(s.text, "what the show is about (<= 4000 bytes)", "",
                                 required=True)
    summary: str | None = s.setting(s.text, "one line for page descriptions and social cards")
    language: str = s.setting(s.described("text")(lambda v: s.text(v).lower()),
                              "RFC 5646 language code, e.g. en-gb", "en", required=True)
    author: str = s.setting(s.text, "who makes the show", "", required=True)
    owner: dict = s.setting(s.table(OWNER), "itunes:owner: name and email", dict,
                            required=True)
    # The path as written, relative to the root; ``load_show`` makes it absolute.
    artwork: Path = s.setting(artwork_path, "square JPEG/PNG, 1400-3000 px, relative to the "
                              "root", required=True)
    categories: tuple[tuple[str, ...], ...] = s.setting(
        s.list_of(category), "Apple categories, e.g. [[\"Government\"]]", (), required=True)
    explicit: bool = s.setting(s.boolean, "true or false", False)
    type: str = s.setting(s.choice("episodic", "serial"), "episodic or serial", "episodic")
    copyright: str = s.setting(s.text, "copyright line", "", required=True)
    # Empty: computed from the feed URL (and `podcast check` asks to store it).
    guid: str = s.setting(uuid_text, "podcast:guid; computed from the feed URL once, then kept",
                          "")
    locked: bool = s.setting(s.boolean, "podcast:locked: refuse imports by other hosts", True)
    medium: str = s.setting(s.choice(*MEDIUMS), "podcast:medium", "podcast")
    license: str | None = s.setting(s.text, "podcast:license, e.g. an SPDX identifier")
    update_frequency: str | None = s.setting(s.text, "podcast:updateFrequency text, e.g. "
                                             "'Monthly'")
    funding: tuple[dict, ...] = s.setting(s.list_of(s.table(FUNDING)),
                                          "podcast:funding links", ())
    persons: tuple[dict, ...] = s.setting(s.list_of(s.table(PERSON)),
                                          "podcast:person credits for the show", ())
    subscribe: dict = s.setting(s.table(SUBSCRIBE), "subscribe links shown on the pages", dict)
    call_to_action: str | None = s.setting(s.text, "Markdown appended to every episode's notes")
    # ---- reach: moving the feed, directories, the Podcasting 2.0 tags apps read ----
    new_feed_url: str | None = s.setting(s.url(), "itunes:new-feed-url: where the feed moved "
                                         "(set by `podcast move-feed`)")
    license_url: str | None = s.setting(s.url(), "podcast:license url, for a licence not in "
                                        "the SPDX list")
    txt: tuple[dict, ...] = s.setting(s.list_of(s.table(TXT)), "podcast:txt, e.g. a "
                                      "directory's verify code", ())
    podroll: tuple[dict, ...] = s.setting(s.list_of(s.table(REMOTE_ITEM)),
                                          "podcast:podroll: shows you recommend", ())
    publisher: dict | None = s.setting(s.table(PUBLISHER), "podcast:publisher: the "
                                       "publisher's own feed")
    location: tuple[dict, ...] = s.setting(one_or_list(s.table(LOCATION)), "podcast:location: "
                                           "what the show is about (or where it is made)", ())
    social: tuple[dict, ...] = s.setting(s.list_of(s.table(SOCIAL)), "podcast:socialInteract: "
                                         "where to comment", ())
    block: tuple[str, ...] = s.setting(block, "podcast:block: true blocks every directory, "
                                       "or a list of service slugs", ())
    # ---- worked out on load, and the other tables ----
    guid_stored: bool = True  # False: computed now; `podcast check` asks to store it
    audio: AudioSettings = field(default_factory=AudioSettings)
    publish: PublishSettings = field(default_factory=PublishSettings)
    transcripts: TranscriptSettings = field(default_factory=TranscriptSettings)

    @property
    def owner_name(self) -> str:
        return self.owner.get("name") or ""

    @property
    def owner_email(self) -> str:
        return self.owner.get("email") or ""

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
        return replace(self, url=url if url.endswith("/") else url + "/")


# Each table of podcast.toml and the class that declares its settings.
TABLES: dict[str, type] = {"show": Show, "audio": AudioSettings, "publish": PublishSettings,
                           "transcripts": TranscriptSettings}
SHOW_OPTIONS = s.options_of(Show)  # [show]'s schema, read off the declaration


def reference() -> list[s.Entry]:
    """Every setting of podcast.toml, table by table (nested tables after their key)."""
    return [entry for name, cls in TABLES.items()
            for entry in s.reference(s.options_of(cls), name)]


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


def find_root(start: Path | None = None, *, new_show: bool = False) -> Path:
    """The folder holding podcast.toml: ``start`` (default: here) or one of its parents.

    ``new_show`` (``podcast import --show``, which writes podcast.toml): a ``start``
    given is the show's folder as it is, and with none, here when no folder up
    from here holds a show.
    """
    if new_show and start is not None:
        return Path(start).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    if new_show:
        return here
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
        if key not in TABLES:
            ctx.warn(f"[{key}]", "unknown section, ignored",
                     "Sections: " + " ".join(f"[{name}]" for name in TABLES))
    values = {name: _section(data, name, cls, ctx) for name, cls in TABLES.items()}
    show = values.pop("show")
    _check(root, show, values["audio"], values["publish"], ctx)
    if collect is not None:
        collect.extend(ctx.problems)
    elif any(p.is_error for p in ctx.problems):
        raise ValidationError(ctx.problems)
    resolved = {
        "root": root, "artwork": root / (show["artwork"] or "artwork/cover.jpg"),
        "guid": show["guid"] or podcast_guid(show["url"] + "feed.xml"),
        "guid_stored": bool(show["guid"]),
        "subscribe": {k: v for k, v in show["subscribe"].items() if v}}
    tables = {name: TABLES[name](**_frozen(table)) for name, table in values.items()}
    return Show(**{**_frozen(show), **resolved, **tables})


def _section(data: dict, name: str, cls: type, ctx: s.Context) -> dict:
    """One table of podcast.toml validated by its class's settings; bad or missing
    values become their defaults (the problems are in ``ctx``)."""
    raw = data.get(name, {})
    ctx.prefix = f"[{name}] "
    if not isinstance(raw, dict):
        ctx.error("", "is not a table")
        raw = {}
    return s.validate(raw, s.options_of(cls), ctx)


def _frozen(values: dict) -> dict:
    """Validated values as a frozen settings class holds them: lists become tuples."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}


def _check(root: Path, show: dict, audio: dict, publish: dict, ctx: s.Context) -> None:
    """What no single value shows: files exist inside the show, the feed did not
    move onto itself, the guid is stored, the analytics prefix names this show."""
    ctx.prefix = "[show] "
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
    if len(show["description"].encode()) > 4000:
        ctx.error("description", "is longer than 4000 bytes", "Apple truncates it: shorten it")
    feed_url = show["url"] + "feed.xml"
    if show["new_feed_url"] and show["new_feed_url"].rstrip("/") == feed_url.rstrip("/"):
        ctx.error("new_feed_url", "is this feed's own URL",
                  "It names where the feed moved to; remove it if the feed did not move")
    if not show["guid"]:
        ctx.warn("guid", "not set; computed from the feed URL",
                 f'Add guid = "{podcast_guid(feed_url)}" so it never changes')
    guid = show["guid"] or podcast_guid(feed_url)
    named = re.search(r"[,/]pg=([0-9a-fA-F-]{36})", publish["analytics_prefix"] or "")
    if named and named.group(1).lower() != guid.lower():
        ctx.prefix = "[publish] "
        ctx.warn("analytics_prefix", f"names the show {named.group(1)}, not its podcast:guid "
                 f"{guid}", 'Write analytics_prefix = "op3" to have it filled in')
