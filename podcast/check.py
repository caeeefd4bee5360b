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

    return (check_sources, check_edit_lists, check_templates, check_feed)


def check(root: Path) -> list[Problem]:
    """Every problem with the show, its episodes and (if built) its feed, in one run."""
    problems: list[Problem] = []
    show = load_show(root, collect=problems)
    episodes = load_episodes(show, collect=problems)
    for step in _checks():
        problems.extend(step(show, episodes))
    return problems
