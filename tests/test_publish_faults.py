"""Publishing through storage that fails a fifth of its requests, on the real SeaweedFS.

Between the publisher and the server sits a proxy (tests/s3proxy.py) that answers
20 % of requests with 503, 500, a dropped connection (before the server saw the
request, or after it carried it out: the answer is lost) or a 3 s stall, from a
seeded RNG (the seed is printed; PODCAST_FAULT_SEED replays one). Each round edits a
title (a re-tag: new bytes under a new media key) and publishes until a publish
succeeds. After every attempt, failed or not, a listener (straight to the server,
anonymously) finds everything the live feed references, each enclosure with the
length the feed states. At the end the proxy is quiet and one more publish uploads
nothing.
"""

from __future__ import annotations

import os
import random
from urllib.parse import urlsplit

import pytest

from podcast.build import publish
from podcast.errors import PodcastError
from podcast.feed.reader import read_feed
from podcast.publish import PublishOptions
from tests.listener import anon, listener_view, set_title, two_episode_show
from tests.s3proxy import KINDS, S3Proxy

pytestmark = [pytest.mark.s3, pytest.mark.slow]

ROUNDS = 6
ATTEMPTS = 8  # publishes per round at most, until one succeeds


def test_publishes_through_failing_storage_keep_listeners_whole(tmp_path, s3_server, monkeypatch,
                                                                 capsys):
    seed = int(os.environ.get("PODCAST_FAULT_SEED") or random.randrange(1 << 32))
    with capsys.disabled():
        print(f"\nfault seed {seed} (PODCAST_FAULT_SEED={seed} replays it)")
    target = s3_server.target()
    public = s3_server.public_url(target)
    feed_url = public + "feed.xml"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3_server.credentials[0])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3_server.credentials[1])
    monkeypatch.delenv("AWS_PROFILE", raising=False)

    with S3Proxy(urlsplit(s3_server.endpoint).port, seed=seed, rate=0.2) as proxy:
        root = two_episode_show(tmp_path, s3_server.bucket, target.prefix, proxy.endpoint,
                                public)

        failed = checks = 0
        errors: list[str] = []
        for n in range(ROUNDS):
            title = f"Title edit {n}"
            if n:
                set_title(root, f"episode-{n % 2 + 1}", title)
            for _ in range(ATTEMPTS):
                try:
                    result = publish(root, PublishOptions())
                except PodcastError as exc:  # the storage failed past the retries: run again
                    failed += 1
                    errors.append(exc.format())
                    result = None
                if anon(feed_url)[0] == 200:
                    checks += listener_view(feed_url)  # the invariant, after every attempt
                if result is not None and result.ok:
                    break
            else:
                pytest.fail(f"seed {seed}: round {n} never published: {errors[-3:]}")
            if n:
                live = read_feed(anon(feed_url)[2], feed_url)
                assert title in [item.title for item in live.items]

        proxy.enabled = False
        again = publish(root, PublishOptions())
        assert again.ok and again.applied.uploaded == []

    with capsys.disabled():
        print(f"fault seed {seed}: {proxy.requests} requests, faults {dict(proxy.faults)}; "
              f"{failed} publishes failed and were run again; {checks} listener checks")
    # Every kind of fault was met, so the run proved something about each.
    assert set(proxy.faults) == set(KINDS), f"seed {seed}: {dict(proxy.faults)}"
