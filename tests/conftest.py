"""Fixtures every test module may use without importing them (ruff's F811 then
has no redefinition to report): the session's SeaweedFS server, and the podcast
hosts of other platforms on 127.0.0.1 (``world``) that import and reach tests use."""

pytest_plugins = ("tests.s3server", "tests.hostfeeds")
