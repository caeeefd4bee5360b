"""Telling apps that the feed changed, once it is live: WebSub, Podcast Index, Podping.

* every ``[publish] websub_hubs`` entry gets a WebSub publish ping: a form POST
  of ``hub.mode=publish`` with the feed's URL as both ``hub.url`` (what Google's
  hub reads) and ``hub.topic`` (what Switchboard and the spec's later drafts read);
* Podcast Index's ``pubnotify`` (no key needed) for a public https feed, never
  for a local preview or an http address (``podcastindex_notify = false`` stops it);
* a Podping gateway (``podping_url``, e.g. https://podping.cloud/) with the token
  in ``PODPING_TOKEN`` (a secret: never in podcast.toml, never printed).

A ping that fails is a warning: the feed is already published, and apps poll
anyway. Nothing here raises. Pings go through the package's one client, to
the services podcast.toml names (trusted), and follow no redirect: an answer
that sends the ping elsewhere is a failure that names where, and the token
never leaves for another address.
"""

from __future__ import annotations

import logging
import os
import urllib.parse
from dataclasses import dataclass

from podcast.errors import NetworkError
from podcast.net import Client, Policy
from podcast.show.config import PublishSettings
from podcast.show.schema import is_loopback

log = logging.getLogger(__name__)

PUBNOTIFY = "https://api.podcastindex.org/api/1.0/hub/pubnotify"
TOKEN_VAR = "PODPING_TOKEN"
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


def _send(client: Client, url: str, *, method: str = "GET", body: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[bool, str]:
    try:
        with client.request(url, method=method, kind="ping", body=body, headers=headers,
                            follow=False) as resp:
            text = resp.read()[:500].decode("utf-8", "replace").strip()
            if 300 <= resp.status < 400:
                return False, (f"answered {resp.status}, a redirect to "
                               f"{resp.header('location') or 'nowhere'}: not followed (a ping "
                               "and its token go only where podcast.toml says); write the "
                               "final address in podcast.toml")
            if not 200 <= resp.status < 300:
                return False, f"answered {resp.status}" + (f": {text[:300]}" if text else "")
            return True, f"{resp.status}" + (f" {text}" if text else "")
    except NetworkError as exc:
        return False, exc.problem


def websub(client: Client, hub: str, feed_url: str) -> Ping:
    form = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": feed_url,
                                   "hub.topic": feed_url}).encode()
    ok, detail = _send(client, hub, method="POST", body=form,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    return Ping(f"WebSub hub {hub}", ok, detail)


def pubnotify(client: Client, feed_url: str, endpoint: str = PUBNOTIFY) -> Ping:
    url = endpoint + "?" + urllib.parse.urlencode({"url": feed_url})
    ok, detail = _send(client, url)
    return Ping("Podcast Index", ok, detail)


def podping(client: Client, gateway: str, feed_url: str, token: str | None) -> Ping:
    if not token:
        return Ping("Podping", False, f"not sent: set {TOKEN_VAR} to the gateway's token")
    parts = urllib.parse.urlsplit(gateway)
    if parts.scheme != "https" and not is_loopback(parts.hostname or ""):
        return Ping("Podping", False, f"not sent: {gateway} is not https, and the token "
                    "would travel in clear text; use the gateway's https:// address")
    query = urllib.parse.urlencode({"url": feed_url, "reason": "update", "medium": "podcast"})
    url = gateway + ("&" if "?" in gateway else "?") + query
    ok, detail = _send(client, url, headers={"Authorization": token})
    return Ping("Podping", ok, detail)


def notify(settings: PublishSettings, feed_url: str, *,
           pubnotify_endpoint: str = PUBNOTIFY) -> list[Ping]:
    """Ping everything configured for ``feed_url``; failures are logged as warnings."""
    services = [*settings.websub_hubs, pubnotify_endpoint, settings.podping_url]
    with Client(Policy.of(services), user_agent=USER_AGENT) as client:
        pings = [websub(client, hub, feed_url) for hub in settings.websub_hubs]
        if settings.podcastindex_notify and is_public_https(feed_url):
            pings.append(pubnotify(client, feed_url, pubnotify_endpoint))
        if settings.podping_url:
            pings.append(podping(client, settings.podping_url, feed_url,
                                 os.environ.get(TOKEN_VAR)))
    for ping in pings:
        if ping.ok:
            log.info("notified %s", ping)
        else:
            log.warning("%s (the feed is published; apps will still find the update)", ping)
    return pings
