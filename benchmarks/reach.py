"""Reach benchmark: importing a show, publishing MP3s as they are, alternates.

In one run, with a host on 127.0.0.1 serving a feed written the Transistor way
(enclosures behind a redirecting prefix):

- import: a feed of ``--long`` 60-minute episodes (the same on-target MP3 under
  different guids) and ``--short`` 7-second ones; wall time and MB/s; then the
  same import again (nothing new: only the feed is read);
- process: the imported 60-minute MP3, on target, published as it is (copy +
  one true-peak pass), against the same audio 6 dB quieter, which is mastered
  (measure, encode, verify), and against a plain LAME encode (the floor);
- alternates: Opus and AAC of the 60-minute episode from one decode.

    .venv/bin/python benchmarks/reach.py [--minutes 60] [--long 3] [--short 30]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work" / "reach"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def timed(fn, *args, **kw):
    start = time.perf_counter()
    out = fn(*args, **kw)
    return time.perf_counter() - start, out


def feed_xml(base: str, episodes: list[tuple[str, str, int, float]]) -> bytes:
    items = "".join(f"""<item><title>{title}</title><guid isPermaLink="false">{guid}</guid>
<pubDate>Mon, {1 + i % 28:02d} Jun 2020 07:00:00 +0000</pubDate>
<enclosure url="{base}/e/{base}{path}" length="{size}" type="audio/mpeg"/>
<itunes:duration>{round(secs)}</itunes:duration><itunes:episode>{i + 1}</itunes:episode>
<description><![CDATA[<p>Notes of <b>{title}</b>.</p>]]></description></item>
""" for i, (guid, title, size, secs, path) in enumerate(episodes))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>Bench</title><description>Bench</description>
{items}</channel></rss>""".encode()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--long", type=int, default=3)
    parser.add_argument("--short", type=int, default=30)
    args = parser.parse_args(argv if argv is not None else [])
    long_mp3, short_mp3, quiet_mp3 = make_mp3s(args.minutes * 60, args.minutes)
    root, t_import, t_again, mb = import_runs(long_mp3, short_mp3, args.long, args.short)
    t_as_is, t_master, t_floor, t_alt, r_alt = process_runs(root, long_mp3, quiet_mp3)
    sizes = ", ".join(f"{a.key.rsplit('.', 1)[1]} {a.size / 1e6:.1f} MB" for a in
                      r_alt.media.alternates)

    rt = args.minutes * 60
    print()
    print("| step | wall s | x real time | notes |")
    print("|---|---:|---:|---|")
    print(f"| import {args.long} x {args.minutes:g} min + {args.short} x 7 s episodes "
          f"({mb:.0f} MB, through a prefix) | {t_import:.1f} | | {mb / t_import:.0f} MB/s, "
          f"4 at once |")
    print(f"| import again (nothing new) | {t_again:.2f} | | reads the feed only |")
    print(f"| process: on-target MP3 published as it is | {t_as_is:.1f} | {rt / t_as_is:.0f}x "
          f"| copy + one true-peak pass; PCM unchanged |")
    print(f"| process: the same audio 6 dB quieter, mastered | {t_master:.1f} | "
          f"{rt / t_master:.0f}x | measure, encode, verify |")
    print(f"| LAME 128k encode only (the floor) | {t_floor:.1f} | {rt / t_floor:.0f}x | |")
    print(f"| alternates: Opus + AAC from one decode | {t_alt:.1f} | {rt / t_alt:.0f}x | "
          f"{sizes}; MP3 {r_alt.media.size / 1e6:.1f} MB |")


def make_mp3s(seconds: float, minutes: float) -> tuple[Path, Path, Path]:
    """An on-target MP3 of ``minutes`` (kept between runs: it takes minutes), a 7 s one,
    and the long one 6 dB quieter."""
    from audio_helpers import ffmpeg, show_with_master

    from podcast.audio import process
    from podcast.show import load_project

    long_mp3 = WORK / f"long-{minutes:g}.mp3"
    for old in WORK.glob("*") if WORK.is_dir() else ():
        if old != long_mp3:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    WORK.mkdir(parents=True, exist_ok=True)
    if not long_mp3.is_file():
        print(f"making a {minutes:g}-minute master and its on-target MP3 ...", flush=True)
        maker = show_with_master(WORK / "maker", gain_db=-9.0, seconds=seconds)
        project = load_project(maker)
        (done,) = process(project.show, project.episodes, jobs=1)
        shutil.copyfile(done.media.path, long_mp3)
        shutil.rmtree(WORK / "maker")
    short = show_with_master(WORK / "short", gain_db=-9.0, seconds=7.2)
    project = load_project(short)
    (done,) = process(project.show, project.episodes, jobs=1)
    short_mp3 = WORK / "short.mp3"
    shutil.copyfile(done.media.path, short_mp3)
    quiet_mp3 = WORK / "quiet.mp3"
    ffmpeg("-i", str(long_mp3), "-af", "volume=-6dB", "-c:a", "libmp3lame", "-b:a", "128k",
           str(quiet_mp3))
    return long_mp3, short_mp3, quiet_mp3


def import_runs(long_mp3: Path, short_mp3: Path, n_long: int, n_short: int):
    """A feed of the long and short MP3s served from 127.0.0.1, imported, then again."""
    from hosts import Host
    from showfactory import make_show

    from podcast.importer import import_feed
    from podcast.show.probe import probe

    host = Host().start()
    try:
        long_data, short_data = long_mp3.read_bytes(), short_mp3.read_bytes()
        host.add("/m/long.mp3", long_data, "audio/mpeg")
        host.add("/m/short.mp3", short_data, "audio/mpeg")
        eps = [(f"long-{i}", f"Long {i}", len(long_data), probe(long_mp3).duration,
                "/m/long.mp3") for i in range(n_long)]
        eps += [(f"short-{i}", f"Short {i}", len(short_data), probe(short_mp3).duration,
                 "/m/short.mp3") for i in range(n_short)]
        url = host.add("/feed.xml", feed_xml(host.base, eps), "application/rss+xml")
        root = make_show(WORK / "imported", [])
        t_import, result = timed(import_feed, root, url, jobs=4)
        assert not result.failed, result.failed
        t_again, again = timed(import_feed, root, url)
        assert not again.added
    finally:
        host.stop()
    return root, t_import, t_again, result.bytes / 1e6


def process_runs(root: Path, long_mp3: Path, quiet_mp3: Path):
    """Publishing an on-target MP3 as it is, mastering a quieter one, the LAME floor,
    and the Opus and AAC alternates."""
    from audio_helpers import ffmpeg, show_with_master

    from podcast.audio import process
    from podcast.show import load_project

    project = load_project(root)
    one = [e for e in project.episodes if e.slug == "long-0"]
    t_as_is, (r_as_is,) = timed(process, project.show, one, jobs=1)
    assert r_as_is.action == "as is", r_as_is.action
    quiet_root = show_with_master(WORK / "quiet", "master.mp3", seconds=4.0)
    shutil.copyfile(quiet_mp3, quiet_root / "episodes" / "multiple-bombings" / "master.mp3")
    project = load_project(quiet_root)
    t_master, (r_master,) = timed(process, project.show, project.episodes, jobs=1)
    assert r_master.action == "encoded"
    t_floor, _ = timed(ffmpeg, "-i", str(long_mp3), "-c:a", "libmp3lame", "-b:a", "128k",
                       str(WORK / "floor.mp3"))
    text = (quiet_root / "podcast.toml").read_text()
    (quiet_root / "podcast.toml").write_text(text + '\n[audio]\nalternates = ["opus", "aac"]\n')
    project = load_project(quiet_root)
    t_alt, (r_alt,) = timed(process, project.show, project.episodes, jobs=1)
    return t_as_is, t_master, t_floor, t_alt, r_alt


if __name__ == "__main__":
    main(sys.argv[1:])
