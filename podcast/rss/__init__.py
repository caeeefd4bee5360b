"""The RSS feed: ``feed.xml`` for Apple Podcasts, Spotify and Podcasting 2.0 apps.

``writer`` builds it with feedgen and ``ext`` (our extension for what feedgen
lacks), ``protect`` refuses a feed that would break subscribers, ``check``
applies the directories' rules to a built feed for ``podcast check``.
"""

from podcast.rss.writer import render_feed, write_feed

__all__ = ["render_feed", "write_feed"]
