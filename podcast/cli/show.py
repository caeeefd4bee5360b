"""Commands that change or read the show's own files: add, check, list, import."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from podcast.cli.base import Options, cli, command, pass_options, say


# ---- add / check / list -------------------------------------------------------

def _parse_date(ctx, param, value):
    from datetime import datetime

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
@click.argument("audio", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--title", required=True, help="Plain-text title, without the number.")
@click.option("--speaker", "speakers", multiple=True, metavar="NAME",
              help="Who speaks on each AUDIO file, in order: the files are the tracks of "
              "one session, one microphone each. Repeat once per file.")
@click.option("--music", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A music bed track beside the speakers' (ducked under speech, never "
              "levelled). Repeatable.")
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
def add_cmd(opts: Options, audio, title, speakers, music, number, season, type_, date, notes,
            summary, slug, draft):
    """Create an episode from a master (or one track per speaker) and its metadata.

    Copies AUDIO into episodes/<slug>/ (the originals are never modified), writes
    episode.md with a new permanent guid, and refuses to overwrite an episode.
    With --speaker, each AUDIO file is one speaker's microphone: the episode gets
    tracks: instead of master:, mixed with a crossgate and each voice levelled.

    \b
    Example:
      podcast add ~/masters/ep3.wav --title "The Informant" --date 2026-12-01T07:00:00+00:00
      podcast add host.wav guest.wav --speaker Host --speaker Guest --title "The Witness"
    """
    from podcast.build import add_episode

    ep = add_episode(opts.root, list(audio), title=title, number=number, season=season,
                     type=type_, date=date, notes=notes, slug=slug, summary=summary,
                     speakers=speakers, music=music,
                     status="draft" if draft else "published")
    say(f"created {ep.source.relative_to(opts.root)}"
        + (f" ({len(ep.tracks)} tracks)" if ep.tracks else ""))
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
        if p.is_error or not opts.quiet:
            click.echo(f"{p.severity}: {p}", err=True)
    if errors:
        click.echo(f"{len(errors)} error{'s' if len(errors) != 1 else ''} found", err=True)
        sys.exit(1)
    warnings = [p for p in problems if p.severity == "warning"]
    if not opts.quiet:
        click.echo("ok: show and episodes are valid"
                   + (f" ({len(warnings)} warnings)" if warnings else ""))


@command(cli, "list")
@pass_options
def list_cmd(opts: Options):
    """List episodes: number, title, status, date, master (or tracks), processed or not.

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


# ---- import: a show published elsewhere --------------------------------------------

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
    from podcast.progress import size
    from podcast.show.config import find_root

    # With --show, a new show may be started here (or in --root): it writes podcast.toml.
    root = find_root(opts.root_option, new_show=take_show)
    result = import_feed(root, source, take_show=take_show, url=url, jobs=jobs,
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
