"""What each episode's audio is: its masters' content hashes, then its audio hash.

The audio hash (audio/cache.py) names the local cache's entries and the bucket's
build records alike. It covers the cuts the automatic cutter applies, so each
cutting episode's ``cuts.json`` is brought up to date first (audio/cutting.py).
A master that is a Git LFS pointer gives the hash it names; the cutter cannot
hear it, so its edit list must be the one committed beside it (an episode whose
edit list is out of date then needs its master: ``podcast publish
--needed-masters`` lists it).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from podcast.audio.cache import Cache, episode_hash, sources_sha
from podcast.errors import AudioError
from podcast.model import Cut
from podcast.show.config import Show
from podcast.show.episodes import Episode
from podcast.show.lfs import is_pointer


def master_shas(show: Show, cache: Cache, episodes: list[Episode], jobs: int) -> list[str]:
    """The content hash of each episode's master, or of its tracks together
    (memoised by the cache)."""
    def master_sha(ep: Episode) -> str:
        try:
            return sources_sha(cache, ep)  # type: ignore[return-value]
        except FileNotFoundError as exc:
            missing = Path(exc.filename) if exc.filename else ep.source
            raise AudioError(show.where(missing), "does not exist",
                             "Copy the " + ("track" if ep.tracks else "master")
                             + " into the episode folder") from None

    with ThreadPoolExecutor(jobs) as pool:
        return list(pool.map(master_sha, episodes))


def audio_hashes(show: Show, cache: Cache, episodes: list[Episode], jobs: int, *,
                 progress: bool = False) -> tuple[list[str], list[str], list[tuple[Cut, ...]]]:
    """(master content hashes, audio hashes, the cuts each applies) of ``episodes``: the
    hashes are the cache's keys, and the build records'."""
    from podcast.audio.cutting import applied_cuts, prepare

    shas = master_shas(show, cache, episodes, jobs)
    audible = [(ep, sha) for ep, sha in zip(episodes, shas) if not any(map(is_pointer, ep.audio_files))]
    prepare(show, [ep for ep, _ in audible], [sha for _, sha in audible], cache, jobs=jobs,
            progress=progress)
    cuts = [applied_cuts(show, ep, sha) or () for ep, sha in zip(episodes, shas)]
    hashes = [episode_hash(cache, show, ep, sha, cuts=c)  # type: ignore[misc]
              for ep, sha, c in zip(episodes, shas, cuts)]
    cache.save_memo()  # masters' and stings' hashes: `podcast report` reads them
    return shas, hashes, cuts


def cached_report(show: Show, episode: Episode):
    """The cached report (``AudioReport``) for ``episode``'s current audio, settings and
    edit list, or None. Cheap: it never hashes a master or track; one not hashed
    since it last changed counts as not processed."""
    from podcast.audio.cutting import applied_cuts

    cache = Cache(show)
    try:
        sha = sources_sha(cache, episode, compute=False)
    except OSError:
        return None
    cuts = applied_cuts(show, episode, sha) if sha else None
    if cuts is None:  # not hashed since it changed, or its edit list is not up to date
        return None
    audiohash = episode_hash(cache, show, episode, sha, compute=False, cuts=cuts)
    return cache.report(audiohash) if audiohash else None
