"""Fixtures every test module may use without importing them (ruff's F811 then
has no redefinition to report): the session's SeaweedFS server, the podcast
hosts of other platforms on 127.0.0.1 (``world``) that import and reach tests use,
and Whisper kept offline (``whisper_offline``)."""

pytest_plugins = ("tests.s3server", "tests.hostfeeds", "tests.speech")
