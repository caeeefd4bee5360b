"""The ``podcast`` command line: a thin skin over the library.

Each command parses options, makes one library call and prints. Library
errors (``PodcastError``) become one clear message and exit code 1; a
traceback only with ``--verbose``. No ffmpeg, boto3 or mutagen at import.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from pathlib import Path

import click

from podcast import __version__
from podcast.errors import PodcastError

log = logging.getLogger("podcast")


@dataclass
class Options:
    root_option: Path | None
    verbose: int
    quiet: bool

    @property
    def root(self) -> Path:
        from podcast.show.config import find_root
        return find_root(self.root_option)

    @property
    def show_progress(self) -> bool:
        return not self.quiet and sys.stderr.isatty()


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        msg = super().format(record)
        if record.levelno >= logging.ERROR and not msg.startswith("error:"):
            return "error: " + msg
        if record.levelno == logging.WARNING and not msg.startswith("warning:"):
            return "warning: " + msg
        return msg


def _setup_logging(verbose: int, quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter("%(message)s"))
    root = logging.getLogger("podcast")
    root.handlers[:] = [handler]
    root.propagate = False
    root.setLevel(logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO)
    # Third-party chatter (boto, urllib3) only at -vv; never anything with secrets.
    if verbose < 2:
        for name in ("botocore", "boto3", "urllib3", "s3transfer"):
            logging.getLogger(name).setLevel(logging.WARNING)


def command(group, *args, **kwargs):
    """``group.command`` whose failures become one clear message and an exit code.

    Library errors, and what the operating system throws at any step (a file that
    cannot be read, a full or read-only disk, text that is not UTF-8, no memory,
    Ctrl-C) read ``error: <file>: <problem>. <what to do>``; the traceback only
    with -v. Anything else is a bug and says so.
    """
    def decorator(func):
        @wraps(func)
        def wrapper(*a, **kw):
            opts: Options = click.get_current_context().find_object(Options)
            try:
                return func(*a, **kw)
            except KeyboardInterrupt:
                click.echo("interrupted: nothing half-written was left behind", err=True)
                sys.exit(130)
            except (click.exceptions.Exit, click.ClickException, SystemExit):
                raise
            except BrokenPipeError:  # `podcast list | head`: the reader left; so do we
                sys.stderr.close()
                sys.exit(141)
            except Exception as exc:
                from podcast.errors import from_failure
                err = exc if isinstance(exc, PodcastError) else from_failure(exc)
                if opts and opts.verbose:
                    log.exception("traceback:")
                if err is None:
                    click.echo(f"error: internal error ({type(exc).__name__}: {exc}). This is "
                               "a bug: run again with -v and report the traceback", err=True)
                    sys.exit(2)
                text = err.format()
                click.echo(("" if text.startswith("error") else "error: ") + text, err=True)
                sys.exit(err.exit_code)
        return group.command(*args, **kwargs)(wrapper)
    return decorator


def say(message: str) -> None:
    """A status line on stdout; silent under --quiet (errors and warnings still show)."""
    opts = click.get_current_context().find_object(Options)
    if not (opts and opts.quiet):
        click.echo(message)


CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT_SETTINGS)
@click.option("--root", type=click.Path(file_okay=False, path_type=Path),
              help="The show's folder (holding podcast.toml). Default: here or a parent.")
@click.option("-v", "--verbose", count=True, help="More detail; -vv adds library debug output.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors; no progress bars.")
@click.version_option(__version__, prog_name="podcast")
@click.pass_context
def cli(ctx: click.Context, root: Path | None, verbose: int, quiet: bool) -> None:
    """Produce and publish the Code Severe podcast.

    \b
    Typical use:
      podcast add master.wav --title "Multiple Bombings" --number 1
      podcast check
      podcast publish
    """
    _setup_logging(verbose, quiet)
    ctx.obj = Options(root, verbose, quiet)


pass_options = click.make_pass_decorator(Options)


# ---- add / check / list -------------------------------------------------------

def _parse_date(ctx, param, value):
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not ISO 8601, e.g. 2026-01-05T09:00:00+00:00")
    if parsed.tzinfo is None:
        raise click.BadParameter(f"{value!r} has no time zone; add e.g. +00:00")
    return parsed


@command(cli, "add")
@click.argument("audio", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--title", required=True, help="Plain-text title, without the number.")
@click.option("--number", type=click.IntRange(min=1), help="Episode number (default: next).")
@click.option("--season", type=click.IntRange(min=1), help="Season number.")
@click.option("--type", "type_", type=click.Choice(["full", "trailer", "bonus"]),
              default="full", show_default=True, help="Episode type.")
@click.option("--date", callback=_parse_date, help="Publication time with zone (default: now).")
@click.option("--notes", type=click.Path(dir_okay=False, path_type=Path),
              help="Markdown file with the show notes.")
@click.option("--summary", help="One or two sentences for apps and social cards.")
@click.option("--slug", help="Folder name (default: from the title).")
@click.option("--draft", is_flag=True, help="Add as a draft: never published until changed.")
@pass_options
def add_cmd(opts: Options, audio, title, number, season, type_, date, notes, summary, slug,
            draft):
    """Create an episode from a master and its metadata.

    Copies AUDIO into episodes/<slug>/ (the original is never modified), writes
    episode.md with a new permanent guid, and refuses to overwrite an episode.

    \b
    Example:
      podcast add ~/masters/ep3.wav --title "The Informant" --date 2026-12-01T07:00:00+00:00
    """
    from podcast.build import add_episode

    if slug is not None:
        from podcast.show.episodes import slug_problem
        if slug_problem(slug):
            raise click.BadParameter(f"{slug_problem(slug)}: use lowercase letters, digits "
                                     "and hyphens, not a device name", param_hint="--slug")
    ep = add_episode(opts.root, audio, title=title, number=number, season=season, type=type_,
                     date=date, notes=notes, slug=slug, summary=summary,
                     status="draft" if draft else "published")
    say(f"created {ep.source.relative_to(opts.root)}")
    say(f"guid {ep.guid} (never change it: apps use it to know the episode)")


@command(cli, "check")
@pass_options
def check_cmd(opts: Options):
    """Validate podcast.toml, every episode and the built feed; report every problem.

    Exits 1 when there is any error; warnings alone exit 0.

    \b
    Example:
      podcast check
    """
    from podcast.check import check

    problems = check(opts.root)
    errors = [p for p in problems if p.is_error]
    for p in problems:
        if p.is_error:
            click.echo(f"error: {p}", err=True)
        elif not opts.quiet:
            click.echo(f"warning: {p}", err=True)
    if errors:
        click.echo(f"{len(errors)} error{'s' if len(errors) != 1 else ''} found", err=True)
        sys.exit(1)
    if not opts.quiet:
        click.echo("ok: show and episodes are valid"
                   + (f" ({len(problems)} warnings)" if problems else ""))


@command(cli, "list")
@pass_options
def list_cmd(opts: Options):
    """List episodes: number, title, status, date, master, processed or not.

    \b
    Example:
      podcast list
    """
    from podcast.build import episode_list

    rows = episode_list(opts.root)
    headers = ("#", "slug", "title", "status", "date", "duration", "master", "processed")
    table = [headers] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    for i, r in enumerate(table):
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if i == 0:
            click.echo("  ".join("-" * w for w in widths))


# ---- process / clip (audio) ------------------------------------------------------

@command(cli, "process")
@click.argument("slugs", nargs=-1)
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Episodes processed at once (default: number of cores).")
@click.option("--force", is_flag=True, help="Encode and tag again even when cached.")
@pass_options
def process_cmd(opts: Options, slugs, jobs, force):
    """Master episodes into loudness-normalised, verified, tagged MP3s.

    Measures each master, applies gain (and a true-peak limiter only when
    needed), encodes CBR MP3 into feed/media/, verifies loudness and peak on
    the decoded MP3 and writes ID3v2.3 tags and chapters. Cached: unchanged
    episodes are not encoded again; a metadata change only re-tags.

    \b
    Example:
      podcast process multiple-bombings --jobs 2
    """
    from podcast.audio import process
    from podcast.show import load_project

    project = load_project(opts.root)
    results = process(project.show, project.select(slugs), jobs=jobs, force=force,
                      progress=opts.show_progress)
    for r in results:
        out, lim = r.report.output, r.report.limiter
        limiter = f", limiter -{lim.reduction:.1f} dB" if lim.engaged else ""
        say(f"{r.action:9} {r.media.key}  {r.report.input.integrated:.1f} -> "
            f"{out.integrated:.1f} LUFS, {out.true_peak:.1f} dBTP, "
            f"gain {r.report.gain:+.1f} dB{limiter}")


def _seconds(ctx, param, value):
    if value is None:
        return None
    from podcast.show.episodes import parse_timecode
    from podcast.show.schema import Invalid

    try:
        return parse_timecode(value)
    except Invalid as exc:
        raise click.BadParameter(exc.message) from None


@command(cli, "clip")
@click.argument("slug")
@click.option("--start", callback=_seconds, help="Start: H:MM:SS, M:SS or seconds.")
@click.option("--duration", callback=_seconds, help="Length: M:SS or seconds.")
@click.option("--soundbites", is_flag=True,
              help="One clip per soundbites: entry of episode.md (instead of --start).")
@click.option("--video", is_flag=True,
              help="A captioned MP4 (cover art, waveform, titles) instead of an MP3.")
@click.option("--format", "formats", type=click.Choice(["square", "vertical", "both"]),
              default="both", show_default=True,
              help="Video shape: square 1080x1080, vertical 1080x1920, or both.")
@click.option("--no-captions", is_flag=True, help="A video without burned-in captions.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write one clip (default: clips/<slug>-<start>s-<duration>s...).")
@pass_options
def clip_cmd(opts: Options, slug, start, duration, soundbites, video, formats, no_captions,
             out):
    """Cut promo clips for social posts: an MP3, or a captioned video with --video.

    Clips have fades and the show's loudness. Videos (H.264 + AAC) show the
    cover art, a moving waveform, the show and episode titles, and captions
    burned in from the episode's transcript, for people watching with the
    sound off. --soundbites makes one clip per soundbite of episode.md.

    \b
    Example:
      podcast clip multiple-bombings --start 12:30 --duration 45
      podcast clip multiple-bombings --start 0:14 --duration 20 --video --format vertical
      podcast clip multiple-bombings --soundbites --video
    """
    from podcast.clips import make_clips

    shapes = ("square", "vertical") if formats == "both" else (formats,)
    for path in make_clips(opts.root, slug, start=start, duration=duration,
                           soundbites=soundbites, video=video, formats=shapes,
                           captions=not no_captions, out=out):
        say(f"wrote {path}")


# ---- report (the speech chain's loudness report) -------------------------------------

@command(cli, "report")
@click.argument("slug")
@pass_options
def report_cmd(opts: Options, slug):
    """Print an episode's loudness report: what the speech chain found and did.

    Loudness before and after (on the decoded MP3), loudness range, true peak,
    gain, limiter and leveler action, noise floor, room tone and hum before and
    after, intro and outro. The same report, with the loudness over time drawn,
    is the producer page of `podcast serve` (/_producer/), never published.

    \b
    Example:
      podcast report multiple-bombings
    """
    from podcast.audio import report_text
    from podcast.show import load_project

    project = load_project(opts.root, probe_audio=False)
    (episode,) = project.select([slug])
    click.echo(report_text(project.show, episode))


# ---- transcribe / video clips (words from the audio) ----------------------------------

@command(cli, "transcribe")
@click.argument("slugs", nargs=-1)
@click.option("--force", is_flag=True,
              help="Transcribe again even where a transcript exists (speakers named by its "
                   "voice tags are kept).")
@click.option("-j", "--jobs", type=click.IntRange(min=1),
              help="Episodes transcribed at once (default: number of cores).")
@pass_options
def transcribe_cmd(opts: Options, slugs, force, jobs):
    """Write episodes/<slug>/transcript.vtt where an episode has none.

    Whisper ([transcripts] model; default base, installed offline by the
    transcribe extra) on the CPU, with a voice-activity filter. Cues are
    caption-sized (two lines of about 42 characters, split at sentences) and
    timed to the master; the build shifts them onto the published MP3. An
    existing transcript is never overwritten unless --force. Cached by the
    audio's hash.

    \b
    Example:
      podcast transcribe multiple-bombings
      podcast transcribe --force under-surveillance
    """
    from podcast.show import load_project
    from podcast.transcribe import transcribe

    project = load_project(opts.root)
    results = transcribe(project.show, project.select(slugs), force=force, jobs=jobs,
                         progress=opts.show_progress)
    for r in results:
        where = project.show.where(r.path) if r.path else r.slug
        if r.action == "kept":
            say(f"kept      {where} (exists; --force to redo it)")
        elif r.action == "silent":
            say(f"silent    {r.slug}: no speech heard, nothing written")
        else:
            say(f"{'written':9} {where}: {r.cues} cues, {r.seconds:.0f} s of audio"
                + (" (from the cache)" if r.action == "cached" else ""))


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
    from podcast.show.schema import Invalid, url

    if public_url:
        try:
            url(https=True)(public_url)
        except Invalid as exc:
            raise click.BadParameter(f"{exc.message}. {exc.hint}", param_hint="--public-url")
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

@command(cli, "publish")
@click.option("--bucket", help="Bucket name (overrides [publish] bucket).")
@click.option("--prefix", help="Key prefix inside the bucket (overrides [publish] prefix).")
@click.option("--endpoint-url", help="S3 endpoint for R2, B2, MinIO, SeaweedFS... "
              "(default: [publish] endpoint_url, AWS_ENDPOINT_URL_S3, or AWS).")
@click.option("--public-url", help="Where listeners fetch the files (default: [publish] "
              "public_url, else [show] url).")
@click.option("--region", help="Region (R2: auto).")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--prune", is_flag=True, help="Delete stale objects no feed references.")
@click.option("--max-deletes", type=click.IntRange(min=0),
              help="Cap on deletes with --prune (default: [publish] max_deletes).")
@click.option("--no-verify", is_flag=True, help="Skip the anonymous listener check.")
@click.option("--break-lock", is_flag=True, help="Remove a lock left by a publish that died.")
@click.option("--allow-feed-changes", is_flag=True,
              help="Publish even if episodes vanish or enclosure URLs change.")
@click.option("--local/--no-local", default=None,
              help="Publish to the local SeaweedFS server (default: when no bucket is set).")
@click.option("--no-build", is_flag=True, help="Upload feed/ as it is, without building.")
@click.option("--jobs", type=click.IntRange(min=1), help="Parallel transfers (default 16).")
@pass_options
def publish_cmd(opts: Options, bucket, prefix, endpoint_url, public_url, region, dry_run, prune,
                max_deletes, no_verify, break_lock, allow_feed_changes, local, no_build, jobs):
    """Build what changed and upload feed/ to S3-compatible storage.

    Media, chapters, transcripts and art go first, then pages, then feed.xml,
    so listeners never see an episode whose file is missing. Only files whose
    content changed are uploaded. Credentials come from the standard AWS
    chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance
    role), never from podcast.toml. With no bucket configured it publishes to
    a local SeaweedFS server on 127.0.0.1.

    \b
    Example:
      podcast publish --dry-run
      AWS_PROFILE=podcast podcast publish --bucket code-severe --prune
    """
    from podcast.build import publish
    from podcast.progress import bar
    from podcast.publish.report import (
        plan_notes,
        plan_summary,
        plan_table,
        size,
        summary,
    )

    state = {"sent": 0, "lock": threading.Lock()}

    with contextlib.ExitStack() as stack:
        def on_plan(plan):
            if dry_run:
                for line in plan_table(plan) + plan_notes(plan):
                    click.echo(line)
                return
            log.info("plan: %s", plan_summary(plan))
            for line in plan_notes(plan):
                log.info("%s", line)
            if opts.show_progress and plan.uploads:
                start = time.monotonic()

                def speed(sent):
                    rate = size(int((sent or 0) / max(time.monotonic() - start, 1e-3)))
                    return sent and f"{size(sent)} of {size(plan.upload_bytes)}, {rate}/s"
                state["bar"] = stack.enter_context(
                    bar(True, plan.upload_bytes, label="uploading", item_show_func=speed))

        def on_bytes(n):  # called from the transfer threads
            if "bar" in state:
                with state["lock"]:
                    state["sent"] += n
                    state["bar"].update(n, state["sent"])

        result = publish(opts.root, bucket=bucket, prefix=prefix, endpoint_url=endpoint_url,
                         public_url=public_url, region=region, dry_run=dry_run, prune=prune,
                         max_deletes=max_deletes, verify=not no_verify, break_lock=break_lock,
                         allow_feed_changes=allow_feed_changes, progress=opts.show_progress,
                         jobs=jobs, local=local, build=not no_build, on_plan=on_plan,
                         on_bytes=on_bytes)
    if dry_run:
        click.echo(f"dry run: {plan_summary(result.plan)}; nothing was changed")
        return
    say(summary(result))
    for problem in result.problems:
        click.echo(f"error: listener check: {problem}", err=True)
    if result.problems:
        click.echo(f"{len(result.problems)} listener check(s) failed: fix them and publish "
                   "again", err=True)
        sys.exit(1)
    if result.verified:
        say("verified: the feed, every enclosure and the artwork answer as apps expect")
    say(f"feed: {result.feed_url}")
    server = result.local_server
    if server is not None:
        say(f"local server: SeaweedFS on {server.endpoint} (pid {server.pid}); "
                   "subscribe to the feed URL above in a podcast app on this machine")
        # The command as this run was typed: `make publish` runs .venv/bin/podcast.
        prog = sys.argv[0] if Path(sys.argv[0]).name == "podcast" else "podcast"
        root_arg = f" --root {opts.root}" if opts.root_option else ""
        say(f"stop it with: {prog}{root_arg} local-s3 stop")


# ---- reach: importing a show, moving the feed -------------------------------------

@command(cli, "import")
@click.argument("source")
@click.option("--show", "take_show", is_flag=True,
              help="Also take the channel into podcast.toml: title, description, art, "
              "categories, owner, podcast:guid, type (created if missing).")
@click.option("--url", help="With --show: the public https base URL this pipeline will "
              "publish the show at ([show] url).")
@click.option("--jobs", type=click.IntRange(min=1), default=4, show_default=True,
              help="Episodes downloaded at once.")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="HOST:PORT",
              help="Also fetch from this host:port although its address is loopback or "
              "private (the feed's own origin always may). Repeatable.")
@pass_options
def import_cmd(opts: Options, source, take_show, url, jobs, allow_hosts):
    """Import every episode of an existing feed (URL or file) into episodes/.

    Keeps each guid exactly as published, the dates, titles, season, number
    and type, the notes (as Markdown), chapters (JSON, Podlove or ID3),
    transcripts, persons and soundbites; downloads each enclosure as the
    master (through analytics prefixes and redirects, resumable, size
    checked). Running it again adds only new episodes. An MP3 already at
    the loudness target is later published as it is, never re-encoded.

    \b
    Example:
      podcast import https://feeds.example.com/show.xml --show --url https://cdn.example.org/show/
      podcast import old-feed.xml
    """
    from podcast.importer import import_feed
    from podcast.publish.report import size
    from podcast.show.config import CONFIG_NAME

    root = opts.root_option
    if root is None:
        try:
            root = opts.root
        except PodcastError:
            if not take_show:
                raise
            root = Path.cwd()  # a new show: --show writes its podcast.toml here
    if not take_show and not (Path(root) / CONFIG_NAME).is_file():
        opts.root  # noqa: B018  (raises the usual "podcast.toml not found")
    result = import_feed(Path(root), source, take_show=take_show, url=url, jobs=jobs,
                         progress=opts.show_progress, allow_hosts=allow_hosts)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for failure in result.failed:
        click.echo(f"error: {failure}", err=True)
    if result.show_updated:
        say(f"podcast.toml: [show] taken from \"{result.title}\"")
    say(f"imported {len(result.added)} episode{'s' if len(result.added) != 1 else ''} of "
        f"\"{result.title}\" ({size(result.bytes)} in {result.seconds:.1f}s); "
        f"{result.skipped} already here")
    for slug in result.added:
        say(f"  episodes/{slug}/")
    if result.failed:
        click.echo(f"{len(result.failed)} episode(s) not imported: fix and run the import "
                   "again (what is there is kept)", err=True)
        sys.exit(1)


@command(cli, "move-feed")
@click.argument("new_url", required=False)
@click.option("--undo", is_flag=True, help="The feed did not move after all: remove "
              "itunes:new-feed-url and the redirect.")
@click.option("--bucket", help="Bucket of the old feed (overrides [publish] bucket).")
@click.option("--endpoint-url", help="S3 endpoint of the old feed's storage.")
@click.option("--public-url", help="Where the old feed is served (default: [publish] "
              "public_url, else [show] url).")
@click.option("--local/--no-local", default=None,
              help="The old feed is on the local SeaweedFS server (default: no bucket set).")
@click.option("--no-verify", is_flag=True, help="Skip the anonymous listener check.")
@pass_options
def move_feed_cmd(opts: Options, new_url, undo, bucket, endpoint_url, public_url, local,
                  no_verify):
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

    if bool(new_url) == bool(undo):
        raise click.UsageError("give NEW_URL, or --undo")
    move = move_feed(opts.root, None if undo else new_url, bucket=bucket,
                     endpoint_url=endpoint_url, public_url=public_url, local=local,
                     verify=not no_verify, progress=opts.show_progress)
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



def main() -> None:
    cli(prog_name="podcast")


if __name__ == "__main__":
    main()
