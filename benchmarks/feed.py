"""Feed (and site) build for 1,000 generated episodes, against a bare feedgen loop.

The floor is feedgen itself producing the same 1,000 items: the same channel,
the same item elements and attributes (the Podcasting 2.0 ones through the
thinnest possible extension), the same pretty-printed bytes written to a file
- but with every string prepared beforehand, notes already rendered to HTML.
Ours is ``podcast.feed.write_feed`` on the ``model.Site``, doing everything:
Markdown -> sanitised feed HTML with the 4000-byte cut, control-character
stripping, ordering, our extension, the write-if-changed. Timed twice: a
first build (no notes cache: every note goes through markdown-it-py) and a
rebuild (the notes cache the previous build left in ``.cache/``).

When the website package exists, its full build and a no-op rebuild of the
same 1,000 episodes are timed too.

    .venv/bin/python benchmarks/feed.py [--episodes N] [--repeat R]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import statistics
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work" / "feed"
sys.path.insert(0, str(REPO))

from podcast import model  # noqa: E402
from podcast.model import BuiltEpisode, Media, Site, Transcript  # noqa: E402
from podcast.show import notes  # noqa: E402
from podcast.show.config import load_show  # noqa: E402
from podcast.show.episodes import Chapter, Episode  # noqa: E402

NOTES = """A former Special Branch officer races to secure evidence right under a
suspect's nose, while a member of the public who acted on her instincts helps
to locate the ingredients for a large bomb (episode {n}).

In this episode:

- how detectives gathered evidence without alerting the suspect;
- the deliveries that did not feel right, and the call that followed;
- what was found, and how close it came.

This story is told by the people who were there. It is part of the ACT
(Action Counters Terrorism) campaign & its partners.

**Act on your instincts.** If you see or hear something that could be
terrorist-related, report it in confidence at
[gov.uk/ACT](https://www.gov.uk/ACT) or call 0800 789 321.
"""


def generate_site(count: int, root: Path) -> Site:
    """A show with ``count`` episodes: notes, chapters, a person, transcripts, media."""
    show = dataclasses.replace(load_show(REPO), root=root)
    cover = REPO / "artwork" / "cover.jpg"
    from podcast.assets.artwork import art_key, prepare_art
    art = prepare_art(cover, str(cover))
    artwork_key = art_key("cover", art)
    out = root / "feed"
    (out / artwork_key).parent.mkdir(parents=True, exist_ok=True)
    (out / artwork_key).write_bytes(art.data)
    start = datetime(2020, 3, 9, 7, 0, tzinfo=timezone.utc)
    built = []
    for i in range(count):
        n = i + 1
        slug = f"episode-{n:04d}"
        ep = Episode(
            slug=slug, folder=root / "episodes" / slug,
            title=f"Episode {n}: Multiple Bombings & the witness",
            date=start + timedelta(days=7 * i), guid=str(uuid.uuid5(uuid.NAMESPACE_URL, slug)),
            master=root / "episodes" / slug / "master.flac", number=n, season=1 + i // 100,
            summary="A former officer races to secure evidence under a suspect's nose.",
            chapters=tuple(Chapter(float(s), t) for s, t in
                           ((0, "Cold open"), (300, "The witness"), (900, "The find"),
                            (1500, "Act on your instincts"))),
            persons=({"name": "Mark Strong", "role": "narrator", "group": "cast",
                      "href": None, "img": None},),
            notes=NOTES.format(n=n), status="published",
        )
        key = model.media_key(ep, f"{n:064x}", f"{n:064x}")
        media = Media(key=key, path=out / key, size=28_000_000 + n, duration=1800.4 + n,
                      sha256=f"{n:064x}")
        built.append(BuiltEpisode(ep, media, model.chapters_key(ep),
                                  (Transcript(model.transcript_key(ep, "vtt"), "text/vtt"),
                                   Transcript(model.transcript_key(ep, "srt"),
                                              "application/x-subrip")), None))
        # The files the feed names, as the feed rules check them: sparse media of the
        # stated size, chapters and transcripts (their content is not what is timed).
        (out / key).parent.mkdir(parents=True, exist_ok=True)
        with open(out / key, "wb") as f:
            f.truncate(media.size)
        chapters = {"version": "1.2.0", "chapters": [{"startTime": c.start, "title": c.title}
                                                     for c in ep.chapters]}
        (out / model.chapters_key(ep)).parent.mkdir(parents=True, exist_ok=True)
        (out / model.chapters_key(ep)).write_text(json.dumps(chapters), encoding="utf-8")
        for ext in ("vtt", "srt"):
            (out / model.transcript_key(ep, ext)).write_text(
                "WEBVTT\n" if ext == "vtt" else "", encoding="utf-8")
    return Site(show=show, episodes=tuple(built), artwork_key=artwork_key,
                build_date=max(b.episode.date for b in built))


# ---- the floor: feedgen alone, strings prepared beforehand -----------------------

def prepare_floor(site: Site) -> list[dict]:
    """Everything the bare loop needs, as plain values (not timed)."""
    show = site.show
    url = lambda key: model.public_url(show, key)  # noqa: E731
    rows = []
    for b in sorted(site.episodes, key=lambda b: b.episode.date, reverse=True):
        ep = b.episode
        rows.append(dict(
            title=ep.title, guid=ep.guid, link=url(model.episode_page(ep)),
            html=notes.feed_html(ep.notes), date=ep.date, url=url(b.media.key),
            size=str(b.media.size), duration=int(round(b.media.duration)), number=ep.number,
            season=ep.season, type=ep.type, image=url(site.artwork_key),
            subtitle=ep.summary, extra=[
                ("transcript", {"url": url(t.key), "type": t.mime, "language": show.language,
                                "rel": "captions"}, None) for t in b.transcripts] + [
                ("chapters", {"url": url(b.chapters_key), "type": "application/json+chapters"},
                 None),
                ("season", {}, str(ep.season)), ("episode", {}, str(ep.number)),
                ("person", {"role": "narrator", "group": "cast"}, "Mark Strong")],
        ))
    return rows


def floor_feed(site: Site, rows: list[dict], path: Path) -> None:
    """Bare feedgen: the same channel and items, nothing computed."""
    from feedgen.ext.base import BaseEntryExtension, BaseExtension
    from feedgen.feed import FeedGenerator
    from lxml import etree

    ns = "{https://podcastindex.org/namespace/1.0}"

    class Feed(BaseExtension):
        def extend_ns(self):
            return {"podcast": ns[1:-1]}

    class Entry(BaseEntryExtension):
        elements: list = []

        def extend_rss(self, entry):
            for tag, attrs, text in self.elements:
                etree.SubElement(entry, ns + tag, attrs).text = text
            return entry

    show = site.show
    art = model.public_url(show, site.artwork_key)
    fg = FeedGenerator()
    fg.load_extension("podcast", atom=False)
    fg.register_extension("p20", Feed, Entry, atom=False)
    fg.title(show.title)
    fg.link(href=show.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=show.url, rel="alternate")
    fg.description(show.description)
    fg.language(show.language)
    fg.copyright(show.copyright)
    fg.lastBuildDate(site.build_date)
    fg.image(url=art, title=show.title, link=show.url)
    fg.podcast.itunes_author(show.author)
    fg.podcast.itunes_owner(name=show.owner_name, email=show.owner_email)
    fg.podcast.itunes_category([{"cat": c[0]} for c in show.categories])
    fg.podcast.itunes_image(art)
    fg.podcast.itunes_type(show.type)
    for r in rows:
        fe = fg.add_entry(order="append")
        fe.title(r["title"])
        fe.guid(r["guid"], permalink=False)
        fe.link(href=r["link"])
        fe.description(etree.CDATA(r["html"]))
        fe.content(r["html"], type="CDATA")
        fe.pubDate(r["date"])
        fe.enclosure(r["url"], r["size"], "audio/mpeg")
        fe.podcast.itunes_duration(r["duration"])
        fe.podcast.itunes_episode(r["number"])
        fe.podcast.itunes_season(r["season"])
        fe.podcast.itunes_episode_type(r["type"])
        fe.podcast.itunes_image(r["image"])
        fe.podcast.itunes_subtitle(r["subtitle"])
        fe.p20.elements = r["extra"]
    path.write_bytes(fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True))


# ---- timing ------------------------------------------------------------------------

def forget_rendered_notes() -> None:
    """Empty any in-process memo of rendered Markdown, so a "first build" run really
    renders every note (repeated runs in one process would otherwise hit it)."""
    clear = getattr(notes._blocks, "cache_clear", None)
    if clear is not None:
        clear()


def interleaved(repeat: int, runs: dict) -> dict[str, tuple[float, float]]:
    """(best, median) wall seconds per run; rounds interleave the runs so that load
    from other processes on a shared machine hits them all alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, func in runs.items():
            start = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - start)
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


def site_runs(site, out: Path, repeat: int) -> list[tuple[str, float, float]]:
    """The pages of the same show: a full build and a no-op rebuild (best, median)."""
    try:
        from podcast.site import write_pages
    except ImportError:
        return []
    pages = WORK / "pages"

    def full():
        forget_rendered_notes()
        shutil.rmtree(pages, ignore_errors=True)
        (pages / site.artwork_key).parent.mkdir(parents=True)
        shutil.copy(out / site.artwork_key, pages / site.artwork_key)
        write_pages(site, pages, strict=True)

    full()
    st = interleaved(max(1, repeat // 2), {"full": full})
    st |= interleaved(repeat, {"noop": lambda: write_pages(site, pages, strict=True)})
    count = sum(1 for _ in pages.rglob("*.html"))
    return [(f"site: full build ({count} pages)", *st["full"]),
            ("site: no-op rebuild", *st["noop"])]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv if argv is not None else [])

    from podcast.feed import write_feed
    from podcast.feed.notecache import FILE_NAME

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    shutil.copytree(REPO / "templates", WORK / "templates")
    site = generate_site(args.episodes, WORK)
    out = WORK / "feed"
    floor_path = WORK / "floor.xml"
    cache_file = site.show.cache_dir / FILE_NAME
    rows = prepare_floor(site)

    floor_feed(site, rows, floor_path)  # warm imports for both
    write_feed(site, out)
    items = (out / "feed.xml").read_bytes().count(b"<item>")
    assert items == floor_path.read_bytes().count(b"<item>") == args.episodes

    def floor_with_markdown():
        forget_rendered_notes()
        for r, b in zip(rows, sorted(site.episodes, key=lambda b: b.episode.date,
                                     reverse=True)):
            r["html"] = notes.feed_html(b.episode.notes)
        floor_feed(site, rows, floor_path)

    def ours_cold():
        forget_rendered_notes()
        (out / "feed.xml").unlink()
        cache_file.unlink(missing_ok=True)
        write_feed(site, out)

    def ours_warm():  # the notes cache of the previous build is there
        (out / "feed.xml").unlink()
        write_feed(site, out)

    names = {
        "floor": "bare feedgen loop, notes pre-rendered (the floor)",
        "floor_md": "bare feedgen loop + Markdown->HTML of each note in the loop",
        "cold": "write_feed, first build (renders all notes)",
        "warm": "write_feed, rebuild (notes cache from the last build)",
    }
    t = interleaved(args.repeat, {"floor": lambda: floor_feed(site, rows, floor_path),
                                  "floor_md": floor_with_markdown,
                                  "cold": ours_cold, "warm": ours_warm})
    size_ours = (out / "feed.xml").stat().st_size
    size_floor = floor_path.stat().st_size

    site_rows = site_runs(site, out, args.repeat)

    n = args.episodes
    print(f"{n} episodes; best and median of {args.repeat} interleaved runs; one process\n")
    print("| what | best s | median s | per episode ms |")
    print("|---|---:|---:|---:|")
    for key, name in names.items():
        best, med = t[key]
        print(f"| {name} | {best:.3f} | {med:.3f} | {best / n * 1000:.2f} |")
    for name, best, med in site_rows:
        print(f"| {name} | {best:.3f} | {med:.3f} | {best / n * 1000:.2f} |")
    floor = t["floor"][0]
    print(f"\nfeed.xml: ours {size_ours:,} bytes, floor {size_floor:,} bytes")
    print(f"rebuild / floor = {t['warm'][0] / floor:.2f}x (target <= 1.5x)")
    print(f"first build / floor = {t['cold'][0] / floor:.2f}x; first build / (floor + the same "
          f"Markdown rendering) = {t['cold'][0] / t['floor_md'][0]:.2f}x")
    if site_rows:
        print(f"site full build {site_rows[0][1]:.2f} s (target < 2 s), no-op "
              f"{site_rows[1][1]:.2f} s (target < 0.5 s)")


if __name__ == "__main__":
    main(sys.argv[1:])
