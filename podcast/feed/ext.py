"""Our feedgen extension: what feedgen 1.0.0 lacks or gets wrong.

* ``itunes:explicit`` as ``true``/``false`` (feedgen only accepts yes/no/clean,
  which Apple no longer documents);
* the channel's ``itunes:image`` (feedgen's setter silently drops a URL it does
  not like instead of failing);
* the Podcasting 2.0 ``podcast:`` namespace (podcastindex.org/namespace/1.0),
  which feedgen does not know at all;
* ``cdata()`` for ``description`` (feedgen only offers CDATA for
  ``content:encoded``, and fails on text containing ``]]>``).

Register with ``fg.register_extension(NAME, PodcastIndexExtension,
PodcastIndexEntryExtension)``; setters are then on ``fg.podcastindex`` and
``entry.podcastindex``. Elements are written in the order the setters were
called, so the same calls give the same bytes.
"""

from __future__ import annotations

from datetime import datetime

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

from podcast.feed.namespaces import ITUNES as ITUNES_NS
from podcast.feed.namespaces import PODCAST as PODCAST_NS

NAME = "podcastindex"
CHAPTERS_TYPE = "application/json+chapters"
TRANSCRIPT_TYPES = ("text/vtt", "application/x-subrip", "text/html", "application/json",
                    "text/plain", "application/srt")
MEDIUMS = ("podcast", "music", "video", "film", "audiobook", "newsletter", "blog")


def rfc2822(date: datetime) -> str:
    """RFC 2822 date with a numeric zone, independent of the locale."""
    if date.tzinfo is None or date.utcoffset() is None:
        raise ValueError(f"{date.isoformat()} has no time zone")
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")
    return (f"{days[date.weekday()]}, {date.day:02d} {months[date.month - 1]} {date.year} "
            f"{date:%H:%M:%S} {date:%z}")


def _bool(value: bool) -> str:
    if not isinstance(value, bool):
        raise ValueError(f"expected True or False, got {value!r}")
    return "true" if value else "false"


def _number(value: float) -> str:
    """Seconds as the shortest exact decimal (no exponent, no trailing zeros)."""
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return text or "0"


def cdata(text: str):
    """``text`` as a CDATA section for feedgen's setters (lxml writes it verbatim);
    plain text, escaped as usual, when it contains ``]]>``, which CDATA cannot hold."""
    return etree.CDATA(text) if "]]>" not in text else text


class _Elements:
    """An ordered list of (tag, attributes, text) appended to a parent element."""

    def __init__(self) -> None:
        self._items: list[tuple[str, dict[str, str], str | None]] = []

    def add(self, tag: str, attrs: dict[str, object] | None = None,
            text: str | None = None) -> None:
        clean = {k: str(v) for k, v in (attrs or {}).items() if v is not None}
        self._items.append((tag, clean, text))

    def write(self, parent) -> None:
        for tag, attrs, text in self._items:
            el = etree.SubElement(parent, tag, attrs)
            if text is not None:
                el.text = text


class _Common(_Elements):
    """Setters shared by channel and item."""

    def itunes_explicit(self, explicit: bool) -> None:
        self.add(f"{{{ITUNES_NS}}}explicit", text=_bool(explicit))

    def person(self, name: str, role: str | None = None, group: str | None = None,
               href: str | None = None, img: str | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}person",
                 {"role": role, "group": group, "href": href, "img": img}, name)

    def season(self, number: int, name: str | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}season", {"name": name}, str(int(number)))


class PodcastIndexExtension(BaseExtension, _Common):
    """Channel-level elements."""

    def __init__(self) -> None:
        _Common.__init__(self)
        self._stylesheet: str | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"itunes": ITUNES_NS, "podcast": PODCAST_NS}

    def extend_rss(self, rss_feed):
        self.write(rss_feed[0])
        if self._stylesheet:
            rss_feed.addprevious(etree.ProcessingInstruction(
                "xml-stylesheet", f'type="text/xsl" href="{self._stylesheet}"'))
        return rss_feed

    def stylesheet(self, href: str) -> None:
        """An XSL stylesheet, so a browser shows the feed as a page (relative href)."""
        if any(c in href for c in '"<>&?'):
            raise ValueError(f"{href!r} cannot be a stylesheet href")
        self._stylesheet = href

    def itunes_image(self, url: str) -> None:
        if not url.lower().endswith((".jpg", ".png")):
            raise ValueError(f"{url}: itunes:image must end in .jpg or .png")
        self.add(f"{{{ITUNES_NS}}}image", {"href": url})

    def guid(self, guid: str) -> None:
        self.add(f"{{{PODCAST_NS}}}guid", text=guid)

    def locked(self, locked: bool, owner: str | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}locked", {"owner": owner}, "yes" if locked else "no")

    def funding(self, url: str, text: str) -> None:
        self.add(f"{{{PODCAST_NS}}}funding", {"url": url}, text)

    def license(self, text: str, url: str | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}license", {"url": url}, text)

    def medium(self, medium: str) -> None:
        if medium not in MEDIUMS:
            raise ValueError(f"podcast:medium {medium!r} is not one of {', '.join(MEDIUMS)}")
        self.add(f"{{{PODCAST_NS}}}medium", text=medium)

    def update_frequency(self, text: str, complete: bool | None = None) -> None:
        attrs = {"complete": None if complete is None else _bool(complete)}
        self.add(f"{{{PODCAST_NS}}}updateFrequency", attrs, text)

    def trailer(self, title: str, url: str, pubdate: datetime, length: int | None = None,
                type: str | None = None, season: int | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}trailer",
                 {"pubdate": rfc2822(pubdate), "url": url, "length": length, "type": type,
                  "season": season}, title)


class PodcastIndexEntryExtension(BaseEntryExtension, _Common):
    """Item-level elements."""

    def __init__(self) -> None:
        _Common.__init__(self)

    def extend_rss(self, entry):
        self.write(entry)
        return entry

    def transcript(self, url: str, type: str, language: str | None = None,
                   rel: str | None = None) -> None:
        if type not in TRANSCRIPT_TYPES:
            raise ValueError(f"podcast:transcript type {type!r} is not a transcript type")
        self.add(f"{{{PODCAST_NS}}}transcript",
                 {"url": url, "type": type, "language": language, "rel": rel})

    def chapters(self, url: str, type: str = CHAPTERS_TYPE) -> None:
        self.add(f"{{{PODCAST_NS}}}chapters", {"url": url, "type": type})

    def episode(self, number: int | float, display: str | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}episode", {"display": display}, _number(number))

    def soundbite(self, start: float, duration: float, title: str | None = None) -> None:
        self.add(f"{{{PODCAST_NS}}}soundbite",
                 {"startTime": _number(start), "duration": _number(duration)}, title)
