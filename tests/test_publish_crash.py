"""`podcast publish` SIGKILLed at random moments against the real SeaweedFS.

Each round edits an episode's title (a re-tag: same audio, new bytes, new media
key), starts the real CLI in a subprocess and kills it after a random delay
drawn from a seeded RNG (the seed is printed; PODCAST_CRASH_SEED replays one).
After every kill, as a listener would over anonymous HTTP: everything the live
feed references exists, each enclosure with exactly the length the feed states,
and every page it links opens. Then a re-run completes, and a third run uploads
nothing.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.listener import listener_view, set_title, two_episode_show

pytestmark = [pytest.mark.s3, pytest.mark.slow]

KILLS = 12
ATTEMPTS = 4  # runs per round at most, until one is killed


def test_publish_killed_at_random_moments_leaves_listeners_whole(tmp_path, s3_server, capsys):
    seed = int(os.environ.get("PODCAST_CRASH_SEED") or random.randrange(1 << 32))
    rng = random.Random(seed)
    target = s3_server.target()
    public = s3_server.public_url(target)
    root = two_episode_show(tmp_path, s3_server.bucket, target.prefix, s3_server.endpoint,
                            public)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=s3_server.credentials[0],
               AWS_SECRET_ACCESS_KEY=s3_server.credentials[1],
               AWS_CONFIG_FILE=str(tmp_path / "none"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    argv = [sys.executable, "-m", "podcast", "--root", str(root), "publish"]

    def publish() -> str:
        done = subprocess.run(argv, env=env, cwd=root, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    class Run:
        """A publish in a subprocess; ``planned`` is set when it logs its plan (the
        uploads start right after)."""

        def __init__(self):
            self.started = time.monotonic()
            self.proc = subprocess.Popen(argv, env=env, cwd=root, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, text=True)
            self.planned = threading.Event()
            self.planned_at = None
            self.reader = threading.Thread(target=self._read, daemon=True)
            self.reader.start()

        def _read(self):
            for line in self.proc.stderr:
                if line.startswith("plan:") and not self.planned.is_set():
                    self.planned_at = time.monotonic()
                    self.planned.set()

        def wait(self, timeout=None):
            self.proc.wait(timeout)
            self.reader.join(10)

    publish()  # encodes once
    set_title(root, "episode-1", "Multiple Bombings (warm-up)")
    warm = Run()  # a re-tag publish: the windows the kills are drawn from
    warm.wait(120)
    assert warm.proc.returncode == 0 and warm.planned_at
    ended = time.monotonic()
    window, upload_window = ended - warm.started, ended - warm.planned_at

    client = s3_server.client()

    def bucket() -> dict[str, str]:
        listing = client.list_objects_v2(Bucket=target.bucket, Prefix=target.prefix)
        return {o["Key"]: o["ETag"] for o in listing.get("Contents", ())}

    kills = finished = checks = 0
    moments = {"before any upload": 0, "mid-upload, old feed live": 0, "new feed live": 0}
    for n in range(KILLS):
        # A run may beat its kill (the machine got faster than the warm-up): the windows
        # are then re-measured on it, and the round goes on with another edit.
        for attempt in range(ATTEMPTS):
            set_title(root, f"episode-{n % 2 + 1}", f"Title edit {n}.{attempt}")
            before = bucket()
            run = Run()
            # Start-up and build take most of a run: every other kill comes at a random
            # moment of the whole run, the others at a random moment after the plan is
            # logged, when the uploads, the feed and the manifest happen.
            if n % 2:
                deadline = run.started + rng.uniform(0.0, window)
            else:
                run.planned.wait(60)
                deadline = (run.planned_at or time.monotonic()) + rng.uniform(
                    0.0, upload_window * 0.9)
            try:
                run.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                break
            finished += 1  # it beat the kill
            assert run.proc.returncode == 0
            ended = time.monotonic()
            window = ended - run.started
            upload_window = ended - (run.planned_at or run.started)
        else:
            continue  # every attempt finished first: nothing to kill this round
        os.kill(run.proc.pid, signal.SIGKILL)
        run.wait(10)
        kills += 1
        after = bucket()
        feed_key = target.prefix + "feed.xml"
        if after.get(feed_key) != before.get(feed_key):
            moments["new feed live"] += 1
        elif {k: v for k, v in after.items() if not k.endswith(".podcast-lock.json")} \
                != before:
            moments["mid-upload, old feed live"] += 1
        else:
            moments["before any upload"] += 1
        checks += listener_view(public + "feed.xml")
        out = publish()  # the re-run completes (taking over the dead run's lock)
        assert "verified:" in out
        checks += listener_view(public + "feed.xml")
        out = publish()
        assert "uploaded 0 files" in out, out
    with capsys.disabled():
        print(f"\ncrash test: seed {seed}; {KILLS} rounds (last re-tag publish measured "
              f"{window:.2f} s, {upload_window:.2f} s after its plan): {kills} SIGKILLed "
              f"({moments}), {finished} run(s) finished first; {checks} listener checks "
              "(enclosure lengths, art, chapters, transcripts, pages) passed")
    assert kills >= KILLS - 2
