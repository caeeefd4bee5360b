"""``podcast process``: masters -> verified, tagged MP3s, cached and in parallel.

Per episode: hash the master (memoised) -> bring the automatic cutter's edit
list up to date (cutting.py; only where it is on) -> on a cache miss measure, check,
encode and verify into ``.cache/audio/`` (encode.py) -> copy into the output
and tag it, unless the tagged file there is already what the tags and audio
say it should be (deliver.py). Nothing is written for a master that fails
its checks.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from podcast.audio.cache import Cache, episode_hash
from podcast.audio.deliver import ProcessResult, publish_episode
from podcast.errors import AudioError, PodcastError
from podcast.show.config import Show
from podcast.show.episodes import Episode

log = logging.getLogger(__name__)


# ---- progress -------------------------------------------------------------------

class RunProgress:
    """One bar for the run, in seconds of audio decoded; shows episode, phase and speed."""

    def __init__(self, bar, lock: threading.Lock):
        self.bar = bar
        self.lock = lock

    def callback(self, slug: str, phase: str, budget: float) -> Callable:
        """A ffmpeg progress callback that advances the bar by at most ``budget`` seconds."""
        state = {"done": 0.0}

        def update(seconds: float, speed: float | None) -> None:
            seconds = min(seconds, budget)
            step = seconds - state["done"]
            if step <= 0:
                return
            state["done"] = seconds
            label = f"{slug} {phase}" + (f" {speed:.0f}x" if speed else "")
            with self.lock:
                self.bar.update(int(step * 1000), label)
        return update


# ---- the run ------------------------------------------------------------------------

def run(show: Show, episodes: list[Episode], out_dir: Path, *, jobs: int | None = None,
        force: bool = False, progress: bool = False) -> list[ProcessResult]:
    """Process ``episodes`` (cached, ``jobs`` at a time) into ``out_dir``; results in order."""
    from podcast.progress import bar

    cache = Cache(show)
    jobs = max(1, jobs or os.cpu_count() or 1)
    out_dir = Path(out_dir)

    def master_sha(ep: Episode) -> str:
        try:
            return cache.master_sha(ep.master)  # type: ignore[return-value]
        except FileNotFoundError:
            raise AudioError(show.where(ep.master), "does not exist",
                             "Copy the master into the episode folder") from None

    with ThreadPoolExecutor(jobs) as pool:
        shas = list(pool.map(master_sha, episodes))
    # The automatic cutter's edit lists first: the cuts they apply are in the hash.
    from podcast.audio.cutting import applied_cuts, prepare
    prepare(show, episodes, shas, cache, jobs=jobs, progress=progress)
    cuts = [applied_cuts(show, ep, sha) or () for ep, sha in zip(episodes, shas)]
    hashes = [episode_hash(cache, show, ep, sha, cuts=c)
              for ep, sha, c in zip(episodes, shas, cuts)]
    cache.save_memo()  # masters' and stings' hashes: `podcast report` reads them
    reports = [None if force else cache.report(h) for h in hashes]
    todo = [ep for ep, r in zip(episodes, reports) if r is None]
    total = sum((_header_duration(ep.master) or 0.0) * 2 for ep in todo)
    if todo:
        log.info("encoding %d of %d episode%s", len(todo), len(episodes),
                 "" if len(episodes) == 1 else "s")

    lock = threading.Lock()
    with bar(progress and bool(todo), max(1, int(total * 1000)), label="audio",
             item_show_func=lambda item: item or "") as b:
        run_progress = RunProgress(b, lock)

        def one(i: int) -> ProcessResult:
            ep, report = episodes[i], reports[i]
            encoded = report is None
            if report is None:
                from podcast.audio.encode import encode_episode
                report = encode_episode(show, ep, shas[i], hashes[i], cache, run_progress,
                                        cuts=cuts[i])
            result = publish_episode(show, ep, report, out_dir, cache, force=force,
                                     encoded=encoded)
            if show.audio.alternates:  # [audio] alternates: Opus, AAC beside the MP3
                from podcast.audio.alternates import publish_alternates
                result = publish_alternates(show, ep, result, out_dir, cache, force=force)
            return result

        with ThreadPoolExecutor(jobs) as pool:
            futures = [pool.submit(one, i) for i in range(len(episodes))]
            results, errors = [], []
            for future in futures:
                try:
                    results.append(future.result())
                except PodcastError as exc:
                    errors.append(exc)
    if errors:
        for exc in errors[1:]:
            log.error("%s", exc)
        raise errors[0]
    return results


def _header_duration(path: Path) -> float | None:
    """The length the file's header claims (mutagen, no decoding); None if unknown."""
    from podcast.show.probe import probe

    try:
        return probe(path).duration or None
    except PodcastError:
        return None
