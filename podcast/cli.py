"""The ``podcast`` command line: a thin skin over the library.

Each command parses options, makes one library call and prints. Library
errors (``PodcastError``) become one clear message and exit code 1; a
traceback only with ``--verbose``. No ffmpeg, boto3 or mutagen at import.
"""

from __future__ import annotations

import logging
import sys
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
        from podcast.config import find_root
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
    """``group.command`` whose library errors become clean messages and exit codes."""
    def decorator(func):
        @wraps(func)
        def wrapper(*a, **kw):
            opts: Options = click.get_current_context().find_object(Options)
            try:
                return func(*a, **kw)
            except PodcastError as exc:
                if opts and opts.verbose:
                    log.exception("traceback:")
                click.echo(("" if exc.format().startswith("error") else "error: ")
                           + exc.format(), err=True)
                sys.exit(exc.exit_code)
            except KeyboardInterrupt:
                click.echo("interrupted: nothing half-written was left behind", err=True)
                sys.exit(130)
        return group.command(*args, **kwargs)(wrapper)
    return decorator


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
    from podcast.project import add_episode

    if slug is not None:
        from podcast.episodes import SLUG_RE
        if not SLUG_RE.match(slug):
            raise click.BadParameter("use lowercase letters, digits and hyphens",
                                     param_hint="--slug")
    ep = add_episode(opts.root, audio, title=title, number=number, season=season, type=type_,
                     date=date, notes=notes, slug=slug, summary=summary,
                     status="draft" if draft else "published")
    click.echo(f"created {ep.source.relative_to(opts.root)}")
    click.echo(f"guid {ep.guid} (never change it: apps use it to know the episode)")


@command(cli, "check")
@pass_options
def check_cmd(opts: Options):
    """Validate podcast.toml, every episode and the built feed; report every problem.

    Exits 1 when there is any error; warnings alone exit 0.

    \b
    Example:
      podcast check
    """
    from podcast.project import check

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
    from podcast.project import episode_rows

    rows = episode_rows(opts.root)
    headers = ("#", "slug", "title", "status", "date", "duration", "master", "processed")
    table = [headers] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    for i, r in enumerate(table):
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        if i == 0:
            click.echo("  ".join("-" * w for w in widths))


# ---- process / clip (audio) ------------------------------------------------------


# ---- build / serve (feed and site) -----------------------------------------------


# ---- publish -----------------------------------------------------------------------


def main() -> None:
    cli(prog_name="podcast")


if __name__ == "__main__":
    main()
