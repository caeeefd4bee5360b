"""Tables and rules from outside standards that settings are checked against.

Apple's podcast categories, the Podcasting 2.0 namespace (podcast:guid, the
service slugs of podcast:block, podcast:medium values), RFC 5870 ``geo:`` URIs,
and the analytics services' enclosure prefixes. Data only: the converters that
use them are in ``podcast.show.fields``, and the feed's rules
(``podcast.feed.tagrules``) check the written feed against the same tables.
"""

from __future__ import annotations

import re
import uuid

# podcast:guid namespace, from the Podcasting 2.0 specification.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def podcast_guid(feed_url: str) -> str:
    """podcast:guid: UUIDv5 of the feed URL without scheme and trailing slashes."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


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

# podcast:block service slugs (the namespace's serviceslugs.txt, as of 2025).
SERVICE_SLUGS = frozenset("""acast amazon anchor apple audible audioboom backtracks bitcoin
blubrry buzzsprout captivate castos castopod facebook fireside fyyd google gpodder hypercatcher
kasts libsyn mastodon megafono megaphone omnystudio overcast paypal pinecast podbean podcastaddict
podcastguru podcastindex podcasts podchaser podcloud podfriend podiant podigee podnews podomatic
podserve podverse redcircle relay resonaterecordings rss simplecast snipsco soundcloud spotify
spreaker tiktok transistor twitter whooshkaa youtube zencast""".split())

# podcast:medium values a show (or a show it recommends) may have.
MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog")

# podcast:socialInteract protocols.
SOCIAL_PROTOCOLS = ("disabled", "activitypub", "twitter", "lightning", "atproto", "hive",
                    "matrix", "nostr", "bluesky")

# A geo: URI (RFC 5870) as podcast:location takes it: latitude, longitude, an optional
# altitude and uncertainty.
GEO_RE = re.compile(r"^geo:-?\d{1,2}(?:\.\d+)?,-?\d{1,3}(?:\.\d+)?(?:,-?\d+(?:\.\d+)?)?"
                    r"(?:;u=\d+(?:\.\d+)?)?$")

# Analytics services whose prefix a producer may name instead of writing it out.
# OP3's ``pg=`` form names the show by its podcast:guid, filled in by ``Show``.
ANALYTICS_PREFIXES = {
    "op3": "https://op3.dev/e,pg={guid}/",
    "podtrac": "https://dts.podtrac.com/redirect.mp3/",
}
