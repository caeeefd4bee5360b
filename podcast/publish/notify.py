"""Telling apps that the feed changed, once it is live: WebSub, Podcast Index, Podping.

* every ``[publish] websub_hubs`` entry gets a WebSub publish ping: a form POST
  of ``hub.mode=publish`` with the feed's URL as both ``hub.url`` (what Google's
  hub reads) and ``hub.topic`` (what Switchboard and the spec's later drafts read);
* Podcast Index's ``pubnotify`` (no key needed) for a public https feed, never
  for a local preview or an http address (``podcastindex_notify = false`` stops it);
* a Podping gateway (``podping_url``, e.g. https://podping.cloud/) with the token
  in ``PODPING_TOKEN`` (a secret: never in podcast.toml, never printed).

A ping that fails is a warning: the feed is already published, and apps poll
anyway. Nothing here raises.
"""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from podcast.show.config import PublishSettings
from podcast.show.schema import is_loopback

log = logging.getLogger(__name__)

PUBNOTIFY = "https://api.podcastindex.org/api/1.0/hub/pubnotify"
TOKEN_VAR = "PODPING_TOKEN"
TIMEOUT = 15
USER_AGENT = "podcast-publish/1 (+https://podcastindex.org/namespace/1.0)"


@dataclass(frozen=True)
class Ping:
    service: str  # "WebSub hub https://...", "Podcast Index", "Podping"
    ok: bool
    detail: str  # the answer, or why it was not sent

    def __str__(self) -> str:
        return f"{self.service}: {self.detail}"


def is_public_https(url: str) -> bool:
    """An https URL on a host other apps can reach (no loopback, no bare name)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    return parts.scheme == "https" and "." in host and not is_loopback(host)


def _send(req: urllib.request.Request) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            body = resp.read(500).decode("utf-8", "replace").strip()
            return 200 <= resp.status < 300, f"{resp.status}" + (f" {body}" if body else "")
    except urllib.error.HTTPError as exc:
        body = exc.read(300).decode("utf-8", "replace").strip() if exc.fp else ""
        return False, f"answered {exc.code}" + (f": {body}" if body else "")
    except (urllib.error.URLError, OSError) as exc:
        return False, f"cannot be reached ({getattr(exc, 'reason', exc)})"


def websub(hub: str, feed_url: str) -> Ping:
    form = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": feed_url,
                                   "hub.topic": feed_url}).encode()
    req = urllib.request.Request(hub, data=form, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT})
    ok, detail = _send(req)
    return Ping(f"WebSub hub {hub}", ok, detail)


def pubnotify(feed_url: str, endpoint: str = PUBNOTIFY) -> Ping:
    url = endpoint + "?" + urllib.parse.urlencode({"url": feed_url})
    ok, detail = _send(urllib.request.Request(url, headers={"User-Agent": USER_AGENT}))
    return Ping("Podcast Index", ok, detail)


def podping(gateway: str, feed_url: str, token: str | None) -> Ping:
    if not token:
        return Ping("Podping", False, f"not sent: set {TOKEN_VAR} to the gateway's token")
    query = urllib.parse.urlencode({"url": feed_url, "reason": "update", "medium": "podcast"})
    url = gateway + ("&" if "?" in gateway else "?") + query
    ok, detail = _send(urllib.request.Request(url, headers={"Authorization": token,
                                                            "User-Agent": USER_AGENT}))
    return Ping("Podping", ok, detail)


def notify(settings: PublishSettings, feed_url: str, *,
           pubnotify_endpoint: str = PUBNOTIFY) -> list[Ping]:
    """Ping everything configured for ``feed_url``; failures are logged as warnings."""
    pings = [websub(hub, feed_url) for hub in settings.websub_hubs]
    if settings.podcastindex_notify and is_public_https(feed_url):
        pings.append(pubnotify(feed_url, pubnotify_endpoint))
    if settings.podping_url:
        pings.append(podping(settings.podping_url, feed_url, os.environ.get(TOKEN_VAR)))
    for ping in pings:
        if ping.ok:
            log.info("notified %s", ping)
        else:
            log.warning("%s (the feed is published; apps will still find the update)", ping)
    return pings
