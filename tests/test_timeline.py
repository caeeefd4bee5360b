"""Master time -> published time, in one place (model.Timeline), and the one list of
published chapters that ID3 tags, JSON and Podlove chapters and pages all use."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcast.model import (
    INTRO_CHAPTER,
    Cut,
    Timeline,
    listed_chapters,
    published_chapters,
)
from podcast.show.episodes import Chapter, Episode


@pytest.mark.parametrize("timeline, master, published", [
    (Timeline(), 12.5, 12.5),
    (Timeline(offset=4.0), 0.0, 4.0),
    (Timeline(offset=4.0), 12.5, 16.5),
    # Cuts first: each cut wholly before the time takes its length off...
    (Timeline(cuts=(Cut(2.0, 3.0), Cut(5.0, 5.5))), 10.0, 8.5),
    # ...a cut after it changes nothing, and the offset comes after the cuts...
    (Timeline(offset=4.0, cuts=(Cut(20.0, 30.0),)), 10.0, 14.0),
    (Timeline(offset=4.0, cuts=(Cut(2.0, 3.0),)), 10.0, 13.0),
    # ...and a time inside a cut moves to where the cut was made.
    (Timeline(cuts=(Cut(2.0, 3.0),)), 2.5, 2.0),
    (Timeline(offset=1.0, cuts=(Cut(2.0, 3.0),)), 3.0, 3.0),
    (Timeline(cuts=(Cut(2.0, 3.0),)), 2.0, 2.0),
])
def test_to_published(timeline, master, published):
    assert timeline.to_published(master) == pytest.approx(published)


def _episode(*chapters: Chapter) -> Episode:
    from datetime import datetime, timezone

    return Episode(slug="one", folder=Path("/show/episodes/one"), title="One",
                   date=datetime(2020, 3, 9, tzinfo=timezone.utc), guid="g",
                   master=Path("/show/episodes/one/master.wav"), chapters=chapters)


def test_published_chapters_after_an_intro():
    ep = _episode(Chapter(0.0, "Cold open"), Chapter(5.0, "Hidden", toc=False),
                  Chapter(14.0, "The witness", url="https://www.gov.uk/ACT"))
    chapters = published_chapters(ep, Timeline(offset=4.0), duration=40.0)
    assert [(c.start, c.end, c.title, c.number) for c in chapters] == [
        (0.0, 4.0, INTRO_CHAPTER, None), (4.0, 9.0, "Cold open", 1),
        (9.0, 18.0, "Hidden", 2), (18.0, 40.0, "The witness", 3)]
    assert chapters[3].url == "https://www.gov.uk/ACT"
    assert [c.title for c in listed_chapters(chapters)] == [INTRO_CHAPTER, "Cold open",
                                                            "The witness"]


def test_no_intro_chapter_without_an_intro_nor_a_list_of_the_intro_alone():
    ep = _episode(Chapter(0.0, "Cold open"), Chapter(5.0, "Next"))
    assert [c.title for c in published_chapters(ep, Timeline(), 10.0)] == ["Cold open",
                                                                           "Next"]
    hidden = _episode(Chapter(0.0, "Hidden", toc=False))
    chapters = published_chapters(hidden, Timeline(offset=2.0), 10.0)
    assert [c.title for c in chapters] == [INTRO_CHAPTER, "Hidden"]
    assert listed_chapters(chapters) == ()
    assert published_chapters(_episode(), Timeline(offset=2.0), 10.0) == ()


def test_a_chapter_cut_out_entirely_is_dropped():
    ep = _episode(Chapter(0.0, "A"), Chapter(5.0, "Gone"), Chapter(6.0, "B"))
    chapters = published_chapters(ep, Timeline(cuts=(Cut(4.0, 7.0),)), 20.0)
    assert [(c.title, c.start, c.end) for c in chapters] == [("A", 0.0, 4.0),
                                                             ("B", 4.0, 20.0)]
