"""Notifying apps after a publish: WebSub hubs, Podcast Index, Podping (a hub on 127.0.0.1).

A failed ping warns and never fails the publish; pubnotify is sent only for a
public https feed; Podping only with a gateway and its token.
"""

from __future__ import annotations

import logging

import pytest
from hosts import Host

from podcast.publish.notify import is_public_https, notify
from podcast.show.config import PublishSettings


@pytest.fixture
def host():
    h = Host().start()
    yield h
    h.stop()


def test_websub_hubs_get_a_publish_ping(host):
    settings = PublishSettings(websub_hubs=(host.base + "/hub",))
    pings = notify(settings, "http://127.0.0.1:18333/podcast/feed.xml")
    assert [p.ok for p in pings] == [True]
    assert host.pings == [{"hub.mode": ["publish"],
                           "hub.url": ["http://127.0.0.1:18333/podcast/feed.xml"],
                           "hub.topic": ["http://127.0.0.1:18333/podcast/feed.xml"]}]


def test_pubnotify_only_for_a_public_https_feed(host):
    settings = PublishSettings()
    assert notify(settings, "http://127.0.0.1:8000/feed.xml", pubnotify_endpoint=host.base +
                  "/pubnotify") == []
    assert notify(settings, "https://localhost/feed.xml",
                  pubnotify_endpoint=host.base + "/pubnotify") == []
    (ping,) = notify(settings, "https://cdn.example.org/show/feed.xml",
                     pubnotify_endpoint=host.base + "/pubnotify")
    assert ping.ok and ping.service == "Podcast Index"
    assert host.pings == [{"url": ["https://cdn.example.org/show/feed.xml"]}]
    assert notify(PublishSettings(podcastindex_notify=False),
                  "https://cdn.example.org/show/feed.xml",
                  pubnotify_endpoint=host.base + "/pubnotify") == []
    assert is_public_https("https://feeds.example.org/x.xml")
    assert not is_public_https("https://127.0.0.1/x.xml")


def test_a_failed_ping_warns(host, caplog, monkeypatch):
    dead = Host().start()
    dead_url = dead.base + "/hub"
    dead.stop()  # nobody listens there any more
    settings = PublishSettings(websub_hubs=(dead_url, host.base + "/not-a-hub"),
                               podping_url=host.base + "/podping")
    monkeypatch.delenv("PODPING_TOKEN", raising=False)
    with caplog.at_level(logging.WARNING, logger="podcast.publish.notify"):
        pings = notify(settings, "http://127.0.0.1:1/feed.xml")
    assert [p.ok for p in pings] == [False, False, False]
    assert "cannot be reached" in pings[0].detail
    assert "answered 404" in pings[1].detail
    assert "set PODPING_TOKEN" in pings[2].detail
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 3
    assert all("the feed is published" in r.message for r in caplog.records)


def test_podping_sends_the_token(host, monkeypatch):
    monkeypatch.setenv("PODPING_TOKEN", "secret-token")
    settings = PublishSettings(podping_url=host.base + "/hub")  # any GET endpoint records
    (ping,) = notify(settings, "https://cdn.example.org/show/feed.xml".replace(
        "https://cdn.example.org", "http://127.0.0.1:9"))
    assert ping.ok
    assert host.headers[-1]["Authorization"] == "secret-token"
    assert host.pings == [{"url": ["http://127.0.0.1:9/show/feed.xml"], "reason": ["update"],
                           "medium": ["podcast"]}]


def test_website_redirects_are_not_sent_where_unsupported():
    from podcast.publish import redirects_supported
    from podcast.publish.client import Target
    from podcast.publish.move import cdn_steps

    assert redirects_supported(Target("b"))  # AWS: stored, served by the website endpoint
    assert redirects_supported(Target("b", endpoint_url="http://127.0.0.1:8333"))
    assert not redirects_supported(Target(
        "b", endpoint_url="https://0123abcd.r2.cloudflarestorage.com"))
    steps = cdn_steps("https://cdn.example.org/show/feed.xml", "https://new.example.org/f.xml")
    assert "location = /show/feed.xml { return 301 https://new.example.org/f.xml; }" in \
        "\n".join(steps)
