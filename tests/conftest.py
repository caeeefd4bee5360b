"""Fixtures every test module may use without importing them (ruff's F811 then
has no redefinition to report): the session's SeaweedFS server."""

pytest_plugins = ("tests.s3server",)
