"""The package's one HTTP client (``client.py``) and where it may go (``policy.py``).

Import, the listener check, notify and move-feed all fetch through it: one
place for deadlines, size caps, retries, redirects, credentials and the
address rule. See docs/network.md for what each command fetches.
"""

from podcast.net.client import KINDS, Client, Kind, Response, status_error
from podcast.net.policy import Policy, parse_allow

__all__ = ["KINDS", "Client", "Kind", "Policy", "Response", "parse_allow", "status_error"]
