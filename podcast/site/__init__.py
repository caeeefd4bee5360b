"""The show's website, rendered into ``feed/`` beside the feed.

``write_pages(site, out, strict=...)`` is what ``podcast build`` calls.
``env.build_environment`` is the one Jinja2 environment (over the show's
``templates/``), ``context.build_context`` the one template context.
"""

from podcast.site.context import build_context, site_model
from podcast.site.env import build_environment
from podcast.site.render import write_pages

__all__ = ["build_context", "build_environment", "site_model", "write_pages"]
