"""Commands on the audio and the words: process, clip, report, transcribe."""

from __future__ import annotations

from pathlib import Path

import click

from podcast.cli.base import Options, cli, command, pass_options, say


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
    the decoded MP3 and writes ID3v2.3 tags and chapters. With [audio]
    max_pause or cut_fillers, cuts long pauses and fillers first, as listed in
    the episode's cuts.json (yours to edit). Cached: unchanged episodes are not
    encoded again; a metadata change only re-tags.

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
    after, intro and outro, and the automatic cutter's cuts with the time they
    saved. The same report, with the loudness over time drawn, is the producer
    page of `podcast serve` (/_producer/), never published.

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
    audio's hash. An episode with tracks is heard speaker by speaker, each on
    their own microphone, and every cue names its speaker (<v Name>).

    \b
    Example:
      podcast transcribe multiple-bombings
      podcast transcribe --force under-surveillance
    """
    from podcast.build import transcribe

    results = transcribe(opts.root, list(slugs), force=force, jobs=jobs,
                         progress=opts.show_progress)
    for r in results:
        where = r.path.relative_to(opts.root).as_posix() if r.path else r.slug
        if r.action == "kept":
            say(f"kept      {where} (exists; --force to redo it)")
        elif r.action == "silent":
            say(f"silent    {r.slug}: no speech heard, nothing written")
        else:
            say(f"{'written':9} {where}: {r.cues} cues, {r.seconds:.0f} s of audio"
                + (" (from the cache)" if r.action == "cached" else ""))
