"""What every command shares: the ``podcast`` group, its options, how a failure
becomes one message and an exit code, and ``say`` for status lines."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
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
