"""Show notes for the pages: Markdown in, sanitised HTML out, raw HTML gone without trace."""

from __future__ import annotations

import pytest

from podcast.show import notes
from podcast.show.schema import clock
from podcast.site.env import iso_duration, jsonld, moment


@pytest.mark.parametrize("source, expected", [
    ("Hello <script>alert(1)</script> there", "<p>Hello  there</p>"),
    ("<style>\nbody { display: none }\n</style>", ""),
    ('<iframe src="https://evil.example/"></iframe>', ""),
    ('Look <img src=x onerror="alert(1)"> here', "<p>Look  here</p>"),
    ("[x](javascript:alert(1))", '<p><a rel="noopener noreferrer">x</a></p>'),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", '<p><a rel="noopener noreferrer">x</a></p>'),
    ('<p onclick="alert(1)">Styled</p>', "<p>Styled</p>"),
    ("<!-- a comment -->Text", "<p>Text</p>"),
])
def test_raw_html_leaves_no_trace(source, expected):
    assert notes.site_html(source) == expected
    assert "alert" not in notes.feed_html(source)
    assert "alert" not in notes.plain_text(source)


@pytest.mark.parametrize("source, expected", [
    ("Code `<b>bold</b>` stays", "<p>Code <code>&lt;b&gt;bold&lt;/b&gt;</code> stays</p>"),
    ("See <https://www.gov.uk/ACT>",
     '<p>See <a href="https://www.gov.uk/ACT" rel="noopener noreferrer">'
     "https://www.gov.uk/ACT</a></p>"),
    ("If x < y and y > z", "<p>If x &lt; y and y &gt; z</p>"),
    ("Fish & chips", "<p>Fish &amp; chips</p>"),
    ("```\n<script>shown as code</script>\n```",
     "<pre><code>&lt;script&gt;shown as code&lt;/script&gt;\n</code></pre>"),
    ("# Heading", "<h2>Heading</h2>"),
    ("Call [0800 789 321](tel:0800789321)",
     '<p>Call <a href="tel:0800789321" rel="noopener noreferrer">0800 789 321</a></p>'),
])
def test_markdown_that_is_not_html_survives(source, expected):
    assert notes.site_html(source) == expected


def test_feed_html_folds_source_line_breaks_into_spaces():
    """Apps that strip tags and then delete line breaks (castero) must not glue words:
    the feed profile is one line, a space wherever the source broke a line or a block."""
    source = ("A suspect's\nnose, and she\nhelps to [find\nit](https://x.org/a).\n\n"
              "- one\n- two\n\nNo-break\u00a0space, hard  \nbreak.")
    assert notes.feed_html(source) == (
        "<p>A suspect's nose, and she helps to "
        '<a href="https://x.org/a" rel="noopener noreferrer">find it</a>.</p> '
        "<ul> <li>one</li> <li>two</li> </ul> <p>No-break&nbsp;space, hard break.</p>")
    # Preformatted text keeps its lines (the feed profile has none; the helper is general).
    assert notes.fold_whitespace("<p>a\n b</p>\n<pre>x\n  y</pre>\n") == (
        "<p>a b</p> <pre>x\n  y</pre>")


def test_feed_text_is_plain_paragraphs_within_the_limit():
    source = "**Code Severe** is a\n[podcast](https://x.org/) & more.\n\n- one\n- two\n"
    # A blank line between paragraphs, and a space before it for apps that delete breaks.
    assert notes.feed_text(source) == "Code Severe is a podcast & more. \n\none two"
    assert notes.feed_text(source, limit=40) == "Code Severe is a podcast & more."
    long = notes.feed_text("word " * 1000, limit=100)
    assert long.endswith("word…") and len(long.encode()) <= 100
    assert notes.feed_text("<script>x</script>") == ""


def test_clock_and_iso_duration():
    assert [clock(s) for s in (0, 7.99, 59.4, 754, 3754)] == [
        "0:00", "0:08", "0:59", "12:34", "1:02:34"]
    assert clock(None) == ""
    assert [iso_duration(s) for s in (5, 754, 3754)] == ["PT5S", "PT12M34S", "PT1H2M34S"]
    assert [iso_duration(s, exact=True) for s in (0, 13.2, 754.5, 59.9996)] == [
        "PT0S", "PT13.2S", "PT12M34.5S", "PT1M0S"]
    # Positions round down, like a player's clock: 7.99 s into the episode reads 0:07.
    assert [moment(s) for s in (0, 7.99, 59.4, 754.9, 3754)] == [
        "0:00", "0:07", "0:59", "12:34", "1:02:34"]


def test_jsonld_is_safe_inside_a_script_block():
    text = str(jsonld({"name": "</script><script>alert(1)</script> & <!--"}))
    assert "<" not in text and ">" not in text and "&" not in text
    import json
    assert json.loads(text) == {"name": "</script><script>alert(1)</script> & <!--"}
