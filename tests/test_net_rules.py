"""Secrets, schemes and smaller promises around the network and the masters.

A Podping token never travels in clear text nor to another origin; check
refuses what build refuses (an http analytics prefix); move-feed refuses a
loopback address and leaves podcast.toml as it was when its publish fails;
`podcast add` refuses the masters the build would; messages say what is true.
"""

from __future__ import annotations

import pytest
from audio_helpers import ffmpeg
from badserver import BadServer, answer, redirect
from click.testing import CliRunner
from showfactory import make_show

from podcast.cli import cli
from podcast.errors import AudioError, PodcastError
from podcast.publish import PublishOptions
from podcast.publish.notify import notify
from podcast.show.config import PublishSettings


def check(root):
    return CliRunner().invoke(cli, ["--root", str(root), "check"])


@pytest.mark.parametrize("key, value", [
    ("podping_url", "http://podping.example.org/"),
    ("analytics_prefix", "http://prefix.example.org/e/"),
])
def test_check_refuses_cleartext_where_build_would(tmp_path, key, value):
    root = make_show(tmp_path, publish={key: value})
    result = check(root)
    assert result.exit_code == 1, result.output
    assert f"[publish] {key}" in result.output and "is not https" in result.output


def test_a_gateway_redirecting_elsewhere_gets_no_token_and_the_ping_fails(monkeypatch):
    gateway, elsewhere = BadServer().start(), BadServer().start()
    try:
        elsewhere.routes["/steal"] = lambda r: answer(200, b"thanks")
        gateway.routes["/ping"] = lambda r: redirect(elsewhere.base + "/steal")
        monkeypatch.setenv("PODPING_TOKEN", "secret-token")
        (ping,) = notify(PublishSettings(podping_url=gateway.base + "/ping",
                                         podcastindex_notify=False),
                         "https://cdn.example.org/show/feed.xml")
        assert not ping.ok and "redirect to " + elsewhere.base in ping.detail
        assert gateway.requests[0].headers["authorization"] == "secret-token"
        assert elsewhere.requests == []  # neither the token nor the ping went there
        # An http gateway off this machine is never sent the token.
        (ping,) = notify(PublishSettings(podping_url="http://podping.example.org/",
                                         podcastindex_notify=False),
                         "https://cdn.example.org/show/feed.xml")
        assert not ping.ok and "clear text" in ping.detail
    finally:
        gateway.stop()
        elsewhere.stop()


def test_move_feed_refuses_loopback_and_restores_the_config_on_failure(tmp_path):
    from podcast.build import move_feed

    root = make_show(tmp_path)
    config = root / "podcast.toml"
    before = config.read_bytes()
    result = CliRunner().invoke(cli, ["--root", str(root), "move-feed",
                                      "http://127.0.0.1/feed.xml"])
    assert result.exit_code == 1 and "not a public https address" in result.output
    with pytest.raises(PodcastError, match="bucket"):
        move_feed(root, "https://new.example.org/feed.xml",
                  PublishOptions(local=False))  # publish fails: no bucket
    assert config.read_bytes() == before  # no new_feed_url left to be announced later


def test_add_refuses_what_build_refuses(tmp_path):
    root = make_show(tmp_path, [])
    silent, tiny = tmp_path / "silent.wav", tmp_path / "tiny.wav"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "5", str(silent))
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-frames:a", "1",
           str(tiny))
    for master, words in ((silent, "digital silence"), (tiny, "shorter than 3s")):
        result = CliRunner().invoke(cli, ["--root", str(root), "add", str(master),
                                          "--title", "Nothing"])
        assert result.exit_code == 1 and words in result.output, result.output
        assert not (root / "episodes" / "nothing").exists()


def test_a_short_master_is_described_truly():
    from podcast.audio.master import _check

    with pytest.raises(AudioError, match=r"is 2\.970s long, shorter than 3s"):
        _check(2.97, -20.0, -3.0, "master.wav")
    with pytest.raises(AudioError, match=r"is 1\.2s long"):
        _check(1.2, -20.0, -3.0, "master.wav")
