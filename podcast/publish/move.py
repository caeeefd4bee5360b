"""Moving the feed (``podcast move-feed NEW_URL``, ``podcast.build.move_feed``):
what tells apps and directories the feed moved.

Apple, Spotify, Podcast Index and the apps follow ``itunes:new-feed-url`` in
the feed at the *old* address, and an HTTP 301 from it. So the command:

1. stores ``new_feed_url`` in ``[show]`` (kept, so a later publish does not
   undo the move; ``--undo`` removes it);
2. publishes as usual to the current target: the feed there now carries
   ``<itunes:new-feed-url>``, and ``feed.xml`` is stored with
   ``x-amz-website-redirect-location`` where the storage may honour it (AWS
   answers 301 on its website endpoint; R2 does not support it and is not sent
   it; SeaweedFS accepts and ignores it);
3. looks: is the redirect stored on the object, does the public URL answer
   301? Where it does not, it returns the steps for a CDN or web-server rule.

Hubs and Podcast Index are pinged by the publish, so directories re-read the
old feed and find the move.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from podcast.errors import NetworkError
from podcast.net import Client, Policy

log = logging.getLogger(__name__)


@dataclass
class MoveResult:
    old_feed: str
    new_feed: str | None  # None: the move was undone
    publish: object  # PublishResult
    stored: bool = False  # the object carries the website redirect
    live: bool = False  # the public URL answers 301 to the new feed
    steps: list[str] = field(default_factory=list)


def answers_redirect(url: str, to: str) -> bool:
    """Whether ``url`` answers a permanent redirect (301/308) to ``to`` (one HEAD, through
    the package's one client, the redirect itself not followed)."""
    try:
        with Client(Policy.of([url])) as client, \
                client.request(url, method="HEAD", kind="page", follow=False) as resp:
            return resp.status in (301, 308) and (resp.header("location") or "") == to
    except NetworkError:
        return False


def cdn_steps(old: str, new: str) -> list[str]:
    """How to make ``old`` answer 301 where the storage cannot (by host)."""
    path = urlsplit(old).path or "/"
    return [
        f"Make {old} answer a permanent redirect (301) to {new}, where it is served:",
        f"  Cloudflare (R2 custom domain or any proxied site): Rules > Redirect Rules > "
        f"static redirect, when URL equals {old}, to {new}, status 301, preserve query off",
        f"  CloudFront: a viewer-request CloudFront Function that returns statusCode 301 "
        f"with headers.location = {new} when request.uri == '{path}'",
        f"  nginx: location = {path} {{ return 301 {new}; }}",
        f"  Apache: Redirect permanent {path} {new}",
        f"  Netlify or Cloudflare Pages: a _redirects line '{path} {new} 301'",
        "  S3 website endpoint: nothing to do once x-amz-website-redirect-location is on "
        "feed.xml (AWS stores it; this storage did not)",
        "Keep the old feed published for at least four weeks: apps that poll it read "
        "itunes:new-feed-url and move themselves.",
    ]
