"""``podcast import --show``: the channel of an existing feed into podcast.toml.

Title, description (as Markdown), summary, language, author, owner, art
(downloaded to ``artwork/``), Apple categories, explicit, type, copyright,
``podcast:guid`` (kept; computed from the old feed's URL when the host never
wrote one, as Podcast Index did), locked, medium, funding, persons, place and
licence. The show's public ``url`` is where *this* pipeline will publish it:
``--url``, or the one already in podcast.toml. Comments and the other
sections of podcast.toml are kept (tomlkit). It is one transaction: when any
part fails, podcast.toml and the art are as they were.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from podcast.errors import PodcastError
from podcast.feed.source import SourceShow
from podcast.fsutil import restored_on_failure
from podcast.importer.convert import notes_markdown
from podcast.importer.media import image_file, keep_valid
from podcast.net import Client
from podcast.show.config import CONFIG_NAME, read_toml
from podcast.show.fields import LOCATION, PERSON
from podcast.show.schema import url as url_option
from podcast.show.standards import APPLE_CATEGORIES, MEDIUMS, podcast_guid
from podcast.show.tomledit import edit_show


def _description(markdown: str) -> str:
    """At most 4000 bytes (Apple's limit), cut between paragraphs."""
    out = []
    for para in markdown.strip().split("\n\n"):
        if len("\n\n".join(out + [para]).encode()) > 4000:
            break
        out.append(para)
    return "\n\n".join(out) or markdown.encode()[:3990].decode("utf-8", "ignore")


def take_channel(client: Client, root: Path, feed: SourceShow, source_url: str | None,
                 public_url: str | None) -> list[str]:
    """Write the channel into ``root/podcast.toml`` (created if missing) and its art into
    ``artwork/``; warnings. On failure every file it touched is restored."""
    art = root / "artwork"
    with restored_on_failure(root / CONFIG_NAME, art / "cover.jpg", art / "cover.png"):
        return _take_channel(client, root, feed, source_url, public_url)


def _take_channel(client: Client, root: Path, feed: SourceShow, source_url: str | None,
                  public_url: str | None) -> list[str]:
    warnings: list[str] = []
    config = root / CONFIG_NAME
    current = read_toml(config).get("show", {}) if config.is_file() else {}
    if public_url:
        url_option()(public_url)
    elif not current.get("url"):
        raise PodcastError("--url", "is needed: podcast.toml has no [show] url yet",
                           "Pass --url https://... (where this show will be published)")
    changes: dict = {"title": feed.title or current.get("title")}
    if public_url:
        changes["url"] = public_url
    description = _description(notes_markdown(feed.description_html)) or feed.title
    changes["description"] = description
    if feed.summary:
        changes["summary"] = " ".join(feed.summary.split())
    changes["language"] = (feed.language or current.get("language") or "en").lower()
    changes["author"] = feed.author or feed.owner_name or feed.title
    owner = dict(current.get("owner") or {})
    if feed.owner_name:
        owner["name"] = feed.owner_name
    if feed.owner_email:
        owner["email"] = feed.owner_email
    if not owner.get("email"):
        warnings.append("the feed has no itunes:owner email: set [show] owner.email "
                        "(Apple and Spotify write to it)")
        owner.setdefault("email", "owner@example.invalid")
    owner.setdefault("name", changes["author"])
    changes["owner"] = owner
    art = None
    if feed.image:
        (root / "artwork").mkdir(parents=True, exist_ok=True)
        art = image_file(client, feed.image, root / "artwork" / "cover", warnings,
                         "the show's art", cover=True)
    if art is not None:
        changes["artwork"] = art.relative_to(root).as_posix()
    elif not current.get("artwork"):
        why = f" ({warnings[-1]})" if feed.image and warnings else ""
        raise PodcastError(feed.image or "itunes:image", f"the show's art cannot be used{why}",
                           "Put a 1400-3000 px square JPEG at artwork/cover.jpg, set "
                           "[show] artwork, then import again")
    categories = []
    for cat in feed.categories:
        if cat[0] in APPLE_CATEGORIES:
            categories.append([cat[0]] + [c for c in cat[1:] if c in APPLE_CATEGORIES[cat[0]]])
        else:
            warnings.append(f"category {cat[0]!r} is not an Apple category: left out")
    changes["categories"] = categories or current.get("categories") or [["Society & Culture"]]
    if feed.explicit is not None:
        changes["explicit"] = feed.explicit
    changes["type"] = feed.type if feed.type in ("episodic", "serial") else "episodic"
    changes["copyright"] = feed.copyright or current.get("copyright") or \
        f"© {datetime.now(timezone.utc).year} {changes['author']}"
    old_url = feed.self_url or source_url
    guid = feed.podcast_guid or (podcast_guid(old_url) if old_url else None)
    if guid:
        changes["guid"] = guid
    if not feed.podcast_guid:
        warnings.append(f"the feed has no podcast:guid; {guid} was computed from its URL "
                        "and stored" if guid else "the feed has no podcast:guid")
    if feed.locked is not None:
        changes["locked"] = feed.locked
    if feed.medium in MEDIUMS:
        changes["medium"] = feed.medium
    if feed.license:
        changes["license"] = feed.license[0]
        if feed.license[1].startswith("https://"):
            changes["license_url"] = feed.license[1]
    funding = [f for f in feed.funding if f["url"].startswith("https://")]
    if funding:
        changes["funding"] = [{"url": f["url"], "text": f["text"][:128]} for f in funding]
    persons = keep_valid(list(feed.persons), PERSON, "persons", warnings)
    if persons:
        changes["persons"] = persons
    locations = keep_valid(list(feed.locations), LOCATION, "location", warnings)
    if locations:
        changes["location"] = locations
    edit_show(root, changes, create=True)
    return warnings
