"""The show as the producer wrote it: ``podcast.toml`` and ``episodes/``.

Load and validate (``schema``, ``config``, ``episodes``, ``probe``), the
show notes' Markdown (``notes``), and the commands that change or list the
show (``manage``). Every later stage takes a ``Show`` and its ``Episode``s.
"""

from podcast.show.project import Project, load_project

__all__ = ["Project", "load_project"]
