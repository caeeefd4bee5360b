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

from podcast.audio.cache import Cache
from podcast.audio.deliver import ProcessResult, publish_episode
from podcast.audio.identity import audio_hashes
from podcast.errors import PodcastError
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
        force: bool = False, progress: bool = False, records=None) -> list[ProcessResult]:
    """Process ``episodes`` (cached, ``jobs`` at a time) into ``out_dir``; results in order.

    ``records``: the bucket's build records (a publish): an episode they cover is
    published from them (reuse.py) before the local cache is asked."""
    from podcast.progress import bar

    cache = Cache(show)
    jobs = max(1, jobs or os.cpu_count() or 1)
    out_dir = Path(out_dir)
    shas, hashes, cuts = audio_hashes(show, cache, episodes, jobs, progress=progress)
    reports = [None if force else cache.report(h) for h in hashes]
    records = None if force else records
    if records is not None:
        records.prefetch(hashes)
    todo = [ep for ep, r, h in zip(episodes, reports, hashes)
            if r is None and not (records is not None and records.has(h))]
    total = sum(max(_header_duration(f) or 0.0 for f in ep.audio_files) * 2 for ep in todo)
    if todo:
        log.info("encoding %d of %d episode%s", len(todo), len(episodes),
                 "" if len(episodes) == 1 else "s")

    lock = threading.Lock()
    with bar(progress and bool(todo), max(1, int(total * 1000)), label="audio",
             item_show_func=lambda item: item or "") as b:
        run_progress = RunProgress(b, lock)

        def one(i: int) -> ProcessResult:
            ep, report = episodes[i], reports[i]
            if records is not None:
                from podcast.audio.reuse import reuse
                reused = reuse(show, ep, hashes[i], records, cache, out_dir)
                if reused is not None:
                    return reused
            encoded = report is None
            if report is None:
                if ep.tracks:
                    from podcast.audio.multitrack import encode_tracks
                    report = encode_tracks(show, ep, shas[i], hashes[i], cache, run_progress,
                                           cuts=cuts[i])
                else:
                    from podcast.audio.encode import encode_episode
                    report = encode_episode(show, ep, shas[i], hashes[i], cache,
                                            run_progress, cuts=cuts[i])
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
