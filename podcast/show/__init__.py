"""The show as the producer wrote it: ``podcast.toml`` and ``episodes/``.

Load and validate: ``schema`` (the declarative schema), ``standards`` (Apple
and Podcasting 2.0 tables), ``fields`` (shared converters and tables),
``settings`` ([audio] [publish] [transcripts]), ``config`` (``Show``,
``load_show``), ``frontmatter`` and ``episodes`` (``Episode``,
``load_episodes``), ``formats`` and ``probe`` (the audio files), ``project``
(both at once). The show notes' Markdown (``notes``), and the commands that
change or list the show (``manage``). Every later stage takes a ``Show`` and
its ``Episode``s.
"""

from podcast.show.project import Project, load_project

__all__ = ["Project", "load_project"]
