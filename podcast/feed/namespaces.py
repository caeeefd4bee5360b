"""The XML namespaces of a podcast feed: one table for writer, reader and rules.

``ITUNES`` etc. are the URIs; ``tag(prefix, name)`` gives lxml's Clark
notation (``{uri}name``). The itunes URI is case-sensitive. gPodder's
podcastparser reads ``podcast:*`` only under the namespace's old GitHub URL,
so the reader accepts both forms; the writer always uses the official one.
"""

from __future__ import annotations

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
PODCAST_GITHUB = "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
ATOM = "http://www.w3.org/2005/Atom"
PSC = "http://podlove.org/simple-chapters"

# prefix -> URI, as the feed declares them on <rss>.
PREFIXES: dict[str, str] = {"itunes": ITUNES, "podcast": PODCAST, "content": CONTENT,
                            "atom": ATOM, "psc": PSC}


def tag(prefix: str, name: str) -> str:
    """``tag("itunes", "image")`` -> ``{http://www.itunes.com/dtds/podcast-1.0.dtd}image``."""
    return f"{{{PREFIXES[prefix]}}}{name}"


def podcast_tags(name: str) -> tuple[str, str]:
    """Both Clark names a reader accepts for ``podcast:<name>``."""
    return f"{{{PODCAST}}}{name}", f"{{{PODCAST_GITHUB}}}{name}"
