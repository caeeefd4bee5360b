"""The RSS feed: ``feed.xml`` for Apple Podcasts, Spotify and Podcasting 2.0 apps.

``writer`` builds it with feedgen and ``ext`` (our extension for what feedgen
lacks); ``namespaces`` is the one table of XML namespaces; ``reader`` is the
one parser of feeds (ours and live ones); ``rules`` are the directories'
rules, applied by the writer before it writes and by ``podcast check``;
``protect`` refuses a feed that would break subscribers.
"""

from podcast.feed.writer import render_feed, write_feed

__all__ = ["render_feed", "write_feed"]
