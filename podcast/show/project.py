"""The show repository loaded as a whole: ``podcast.toml`` and every episode.

``load_project`` is the first step of every command that works on the
show: it validates everything and raises once, listing every problem.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from podcast.errors import PodcastError, Problem, ValidationError
from podcast.show.config import Show, load_show
from podcast.show.episodes import Episode, load_episodes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Project:
    show: Show
    episodes: list[Episode]

    def live(self, now: datetime | None = None) -> list[Episode]:
        return [e for e in self.episodes if e.is_live(now)]

    def select(self, slugs: tuple[str, ...] | list[str]) -> list[Episode]:
        """The named episodes (all when none named); unknown slugs are an error."""
        if not slugs:
            return list(self.episodes)
        by_slug = {e.slug: e for e in self.episodes}
        unknown = [s for s in slugs if s not in by_slug]
        if unknown:
            raise PodcastError(", ".join(unknown), "no such episode",
                               "Run `podcast list` to see the slugs")
        return [by_slug[s] for s in slugs]


def load_project(root: Path, *, probe_audio: bool = True) -> Project:
    """Load and validate everything; raise ``ValidationError`` listing every problem."""
    problems: list[Problem] = []
    show = load_show(root, collect=problems)
    episodes = load_episodes(show, collect=problems, probe_audio=probe_audio)
    for p in problems:
        if not p.is_error:
            log.warning("warning: %s", p)
    if any(p.is_error for p in problems):
        raise ValidationError(problems)
    return Project(show, episodes)
