"""``podcast check``: every problem with the show, in one run.

The checks, in the order data flows; each takes the show and its episodes
and returns ``Problem``s. What ``build`` would refuse, ``check`` reports:
the show and episode fields (with master headers probed, no decoding), the
art and transcripts the assets step will publish, the automatic cutter's edit
lists (cuts.json), the page templates, and
the built feed (when there is one) against the directories' rules.
"""

from __future__ import annotations

from pathlib import Path

from podcast.errors import Problem
from podcast.show.config import load_show
from podcast.show.episodes import load_episodes


def _checks():
    from podcast.assets import check_sources
    from podcast.audio.cutting import check_edit_lists
    from podcast.feed.rules import check_feed
    from podcast.site.check import check_templates

    return (check_sources, check_edit_lists, lfs_pointers, check_templates, check_feed)


def lfs_pointers(show, episodes) -> list[Problem]:
    """One note when masters are Git LFS pointer files: accepted, but their headers
    (length, chapters against it) could not be read here."""
    from podcast.show.lfs import episode_files, is_pointer

    pointers = [show.where(p) for ep in episodes for p in episode_files(ep) if is_pointer(p)]
    if not pointers:
        return []
    return [Problem(pointers[0] if len(pointers) == 1 else "episodes/", "",
                    f"{len(pointers)} master{'s are' if len(pointers) != 1 else ' is a'} Git "
                    f"LFS pointer{'s' if len(pointers) != 1 else ''}: not probed (length, "
                    "chapter times); publishing takes them from the bucket's build records",
                    "Run `git lfs pull` to check the audio itself", "info")]


def check(root: Path) -> list[Problem]:
    """Every problem with the show, its episodes and (if built) its feed, in one run."""
    problems: list[Problem] = []
    show = load_show(root, collect=problems)
    episodes = load_episodes(show, collect=problems)
    for step in _checks():
        problems.extend(step(show, episodes))
    return problems
