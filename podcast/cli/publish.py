"""Commands that build the feed and site and put them online: build, serve,
publish, move-feed and the local S3 server."""

from __future__ import annotations

import sys

import click

from podcast.cli.base import CONTEXT_SETTINGS, Options, cli, command, pass_options, say


# ---- build / serve (feed and site) -----------------------------------------------

@command(cli, "build")
@click.option("--public-url", help="Base URL the files are served from (default: [show] url); "
              "http://127.0.0.1 only for a local preview.")
@click.option("--jobs", type=click.IntRange(min=1), help="Episodes encoded in parallel.")
@click.option("--force", is_flag=True, help="Encode every episode again, ignoring the cache.")
@click.option("--strict", is_flag=True, help="Fail on undefined template variables.")
@click.option("--allow-feed-changes", is_flag=True,
              help="Build even if published episodes vanish, change guid or audio URL.")
@pass_options
def build_cmd(opts: Options, public_url, jobs, force, strict, allow_feed_changes):
    """Process audio as needed, then write feed, chapters, transcripts and pages.

    Writes feed/ (exactly the tree to upload) for the episodes that are live
    now: drafts and episodes dated in the future stay out until due.

    \b
    Example:
      podcast build --public-url http://127.0.0.1:8000/
    """
    from podcast.build import build

    result = build(opts.root, public_url=public_url, jobs=jobs, force=force,
                   progress=opts.show_progress, strict=strict,
                   allow_feed_changes=allow_feed_changes)
    n = len(result.site.episodes)
    removed = f", removed {len(result.removed)} stale" if result.removed else ""
    say(f"built {n} episode{'s' if n != 1 else ''}, {len(result.keys)} files{removed}: "
               f"{result.output / 'feed.xml'}")


@command(cli, "serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--no-build", is_flag=True,
              help="Serve feed/ as it is: no build first, no rebuilds on change.")
@pass_options
def serve_cmd(opts: Options, port, no_build):
    """Preview the pages and feed on http://127.0.0.1:PORT/ with byte ranges.

    Builds the show with the preview address as its public URL, then serves
    feed/ with the Content-Types the bucket will use and HTTP byte ranges (so
    seeking works). Edits to podcast.toml, episodes/ or templates/ are rebuilt
    on the next request. Only this machine can connect.

    \b
    Example:
      podcast serve --port 8080
    """
    from podcast.serve import Preview

    preview = Preview(opts.root, port=port, build=not no_build)
    click.echo(f"serving {preview.url} (feed: {preview.url}feed.xml); press Ctrl-C to stop")
    try:
        preview.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        preview.close()


# ---- publish -----------------------------------------------------------------------

def target_options(func):
    """The options that say where the show is published (publish and move-feed)."""
    for decorator in reversed([
        click.option("--bucket", help="Bucket name (overrides [publish] bucket)."),
        click.option("--endpoint-url", help="S3 endpoint for R2, B2, MinIO, SeaweedFS... "
                     "(default: [publish] endpoint_url, AWS_ENDPOINT_URL_S3, or AWS)."),
        click.option("--public-url", help="Where listeners fetch the files (default: "
                     "[publish] public_url, else [show] url)."),
        click.option("--local/--no-local", default=None, help="Publish to the local "
                     "SeaweedFS server (default: when no bucket is set)."),
        click.option("--no-verify", "verify", flag_value=False, default=True,
                     help="Skip the anonymous listener check."),
    ]):
        func = decorator(func)
    return func


# Each option is a field of PublishOptions, named alike: a new one is one line here.
@command(cli, "publish")
@target_options
@click.option("--prefix", help="Key prefix inside the bucket (overrides [publish] prefix).")
@click.option("--region", help="Region (R2: auto).")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--prune", is_flag=True, help="Delete stale objects no feed references.")
@click.option("--max-deletes", type=click.IntRange(min=0),
              help="Cap on deletes with --prune (default: [publish] max_deletes).")
@click.option("--break-lock", is_flag=True, help="Remove a lock left by a publish that died.")
@click.option("--allow-feed-changes", is_flag=True,
              help="Publish even if episodes vanish or enclosure URLs change.")
@click.option("--no-build", "build", flag_value=False, default=True,
              help="Upload feed/ as it is, without building.")
@click.option("--jobs", type=click.IntRange(min=1), help="Parallel transfers (default 16).")
@click.option("--shard", metavar="I/N", callback=lambda _c, _p, v: _shard(v),
              help="CI: make and upload share I of N of the episodes' media and their build "
              "records only (no feed, pages or prune); a plain publish follows.")
@click.option("--needed-masters", is_flag=True,
              help="Print the masters this publish (or --shard) must encode, one per line, "
              "for `git lfs pull --include`, and do nothing else.")
@pass_options
def publish_cmd(opts: Options, **options):
    """Build what changed and upload feed/ to S3-compatible storage.

    Media, chapters, transcripts and art go first, then pages, then feed.xml,
    so listeners never see an episode whose file is missing. Only files whose
    content changed are uploaded. Credentials come from the standard AWS
    chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance
    role), never from podcast.toml. With no bucket configured it publishes to
    a local SeaweedFS server on 127.0.0.1.

    Any machine publishes cheaply: the bucket keeps build records of what was
    encoded, so a fresh clone (masters as Git LFS pointers, another ffmpeg)
    encodes and uploads nothing that is already published.

    \b
    Example:
      podcast publish --dry-run
      AWS_PROFILE=podcast podcast publish --bucket code-severe --prune
      podcast publish --shard 1/4 --needed-masters
    """
    from podcast.build import needed_masters, publish, publish_shard
    from podcast.publish import PublishOptions
    from podcast.publish.report import plan_notes, plan_summary, plan_table, summary

    options = PublishOptions(**options, progress=opts.show_progress)
    if options.needed_masters:
        for path in needed_masters(opts.root, options):
            click.echo(path)
        return
    if options.shard:
        from podcast.publish.report import shard_summary
        say(shard_summary(publish_shard(opts.root, options)))
        return
    result = publish(opts.root, options)
    if result.dry_run:
        for line in plan_table(result.plan) + plan_notes(result.plan):
            click.echo(line)
        click.echo(f"dry run: {plan_summary(result.plan)}; nothing was changed")
        return
    say(summary(result))
    _listener_problems(result)
    if result.verified:
        say("verified: the feed, every enclosure and the artwork answer as apps expect")
    say(f"feed: {result.feed_url}")
    server = result.local_server
    if server is not None:
        from podcast.publish.local import stop_command

        say(f"local server: SeaweedFS on {server.endpoint} (pid {server.pid}); "
            "subscribe to the feed URL above in a podcast app on this machine")
        say(f"stop it with: {stop_command(opts.root if opts.root_option else None)}")


def _shard(value: str | None):
    from podcast.errors import OptionError
    from podcast.publish.shards import parse

    try:
        return parse(value)
    except OptionError as exc:
        raise click.BadParameter(exc.format()) from None


def _listener_problems(result) -> None:
    """Print what the listener check found; exit 1 if anything."""
    for problem in result.problems:
        click.echo(f"error: listener check: {problem}", err=True)
    if result.problems:
        click.echo(f"{len(result.problems)} listener check(s) failed: fix them and publish "
                   "again", err=True)
        sys.exit(1)


@command(cli, "move-feed")
@click.argument("new_url", required=False)
@click.option("--undo", is_flag=True, help="The feed did not move after all: remove "
              "itunes:new-feed-url and the redirect.")
@target_options
@pass_options
def move_feed_cmd(opts: Options, new_url, undo, **options):
    """Tell apps the feed moved to NEW_URL: itunes:new-feed-url plus a 301 where possible.

    Stores new_feed_url in podcast.toml ([show]), publishes the feed at its
    current place with <itunes:new-feed-url>, asks the storage for a website
    redirect (x-amz-website-redirect-location), checks whether the old URL
    answers 301, and prints the CDN or server rule to add where it does not.
    Pings the WebSub hubs and Podcast Index so directories re-read the feed.

    \b
    Example:
      podcast move-feed https://feeds.example.org/code-severe.xml
      podcast move-feed --undo
    """
    from podcast.build import move_feed
    from podcast.publish import PublishOptions

    if bool(new_url) == bool(undo):
        raise click.UsageError("give NEW_URL, or --undo")
    move = move_feed(opts.root, None if undo else new_url,
                     PublishOptions(**options, progress=opts.show_progress))
    for problem in move.publish.problems:
        click.echo(f"error: listener check: {problem}", err=True)
    if undo:
        say(f"{move.old_feed} no longer says it moved (new_feed_url removed)")
        return
    say(f"{move.old_feed} now carries <itunes:new-feed-url>{new_url}</itunes:new-feed-url>")
    if move.live:
        say(f"verified: {move.old_feed} answers 301 to {new_url}")
    elif move.stored:
        say("the website redirect is stored on feed.xml (the S3 website endpoint answers "
            "301); the public URL does not answer it yet:")
    else:
        say("this storage does not serve website redirects (the header was not kept):")
    for line in move.steps:
        say(line)
    if move.publish.problems:
        sys.exit(1)


@cli.group("local-s3", context_settings=CONTEXT_SETTINGS)
def local_s3_group():
    """Manage the local SeaweedFS server that `podcast publish` uses without a bucket.

    \b
    Example:
      podcast local-s3 stop
    """


@command(local_s3_group, "start")
@pass_options
def local_s3_start(opts: Options):
    """Start the show's local S3 server (data in .local-s3/), if it is not running.

    \b
    Example:
      podcast local-s3 start
    """
    from podcast.publish.local import ensure_running

    server = ensure_running(opts.root)
    say(f"{'started' if server.started else 'already running'}: {server.endpoint} "
               f"(pid {server.pid}), bucket {server.bucket}, public read at "
               f"{server.public_url}")


@command(local_s3_group, "stop")
@pass_options
def local_s3_stop(opts: Options):
    """Stop the show's local S3 server; its data stays in .local-s3/.

    \b
    Example:
      podcast local-s3 stop
    """
    from podcast.publish.local import stop

    pid = stop(opts.root)
    say(f"stopped the local S3 server (pid {pid})" if pid else
               "no local S3 server was running")
