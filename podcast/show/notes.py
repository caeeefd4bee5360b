"""Show notes: Markdown -> sanitised HTML, in two profiles.

markdown-it-py passes raw HTML through by default, so it runs with
``html: False`` (raw tags become text), and nh3 then sanitises the result:

* the *site* profile keeps ordinary prose markup for the pages;
* the *feed* profile keeps only ``<p> <ol> <ul> <li> <a>`` (what Apple
  renders) and fits a byte budget by dropping whole blocks from the end.

Only strings returned from here may be marked safe in templates.
"""

from __future__ import annotations

import functools
import html
import re

import nh3
from markdown_it import MarkdownIt

URL_SCHEMES = {"http", "https", "mailto", "tel"}
SITE_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "h2", "h3",
             "h4", "h5", "h6", "code", "pre", "hr"}
FEED_TAGS = {"p", "ol", "ul", "li", "a"}
# Tags whose content is dropped with them, not kept as text.
DROP_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript"}
FEED_LIMIT = 4000  # bytes, Apple's limit for description / content:encoded
# Characters XML 1.0 cannot carry, plus DEL and the C1 controls (U+0080-U+009F),
# which XML allows but which apps show as garbage: one table for the text the
# build writes and for the rules that check a feed.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# HTML's own whitespace; not \s, which would also fold a no-break space (text, not layout).
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.S | re.I)


def strip_control(text: str) -> str:
    """Remove the ``CONTROL`` characters."""
    return CONTROL.sub("", text)


# Raw HTML in notes is never rendered (``html: False``), and it is not shown as
# literal text either: a pasted <script>, <iframe> or onerror= would otherwise
# appear verbatim on the page and in apps. Tags are removed from the source of
# each paragraph before inline parsing (code spans are kept as written), and
# these elements go with their content.
_RAW_ELEMENT = re.compile(r"<(script|style|iframe|object|embed|template|noscript|textarea)\b"
                          r"[^>]*>.*?</\1\s*>", re.I | re.S)
_RAW_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>", re.S)
_CODE_SPAN = re.compile(r"(`+).+?(?<!`)\1(?!`)", re.S)


def _drop_raw_html(source: str) -> str:
    out, pos = [], 0
    for m in _CODE_SPAN.finditer(source):
        out.append(_RAW_TAG.sub("", _RAW_ELEMENT.sub("", source[pos:m.start()])))
        out.append(m.group(0))
        pos = m.end()
    out.append(_RAW_TAG.sub("", _RAW_ELEMENT.sub("", source[pos:])))
    return "".join(out)


def _strip_raw_html_rule(state) -> None:
    for tok in state.tokens:
        if tok.type == "inline" and "<" in tok.content:
            tok.content = _drop_raw_html(tok.content)


@functools.cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.disable("image")  # images in notes would be hot-linked; art has its own place
    md.core.ruler.before("inline", "drop_raw_html", _strip_raw_html_rule)
    # Links with any scheme become <a>; nh3 then removes an href whose scheme is not
    # allowed (javascript:, data:...), so the link text stays and the URL leaves no trace.
    md.validateLink = lambda url: True
    return md


@functools.lru_cache(maxsize=4096)
def _blocks(markdown: str) -> tuple[str, ...]:
    """Render each top-level block separately; headings demoted (h1 -> h2).

    Cached: one build renders the same notes for the feed and for the pages,
    and Markdown parsing is the costly part of both.
    """
    md = _markdown()
    tokens = md.parse(strip_control(markdown))
    for tok in tokens:
        if tok.type in ("heading_open", "heading_close"):
            tok.tag = f"h{min(int(tok.tag[1]) + 1, 6)}"
    blocks, start = [], 0
    for i, tok in enumerate(tokens):
        if tok.level == 0 and tok.nesting <= 0:
            rendered = md.renderer.render(tokens[start:i + 1], md.options, {})
            if rendered.strip() != "<p></p>":  # a paragraph that was only raw HTML
                blocks.append(rendered)
            start = i + 1
    return tuple(blocks)


def _clean(fragment: str, tags: set[str]) -> str:
    return nh3.clean(fragment, tags=tags, clean_content_tags=DROP_CONTENT,
                     attributes={"a": {"href", "title"}}, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer").strip()


def site_html(markdown: str) -> str:
    """Notes for the web pages (sanitised in one call: nh3's per-call cost dominates)."""
    return _clean("\n".join(b.strip() for b in _blocks(markdown)), SITE_TAGS)


def fold_whitespace(fragment: str) -> str:
    """Every run of whitespace in ``fragment`` as one space, except inside ``<pre>``.

    A browser folds whitespace anyway; some apps do not render the HTML but
    strip its tags and then delete line breaks (castero), which glued the last
    word of a source line to the first of the next ("asuspect's").
    """
    parts = _PRE.split(fragment)
    return "".join(part if i % 2 else _HTML_SPACE.sub(" ", part)
                   for i, part in enumerate(parts)).strip()


def feed_html(markdown: str, limit: int = FEED_LIMIT) -> str:
    """Notes for description/content:encoded: feed profile, at most ``limit`` UTF-8 bytes.

    Cut after sanitising, on a block boundary; a first block that alone is too
    long is shortened on a word boundary with an ellipsis. One line: whitespace
    folded inside blocks and a space between them (``fold_whitespace``).
    """
    out: list[str] = []
    size = 0
    for block in _blocks(markdown):
        cleaned = fold_whitespace(_clean(block, FEED_TAGS))
        # Headings, quotes and code become plain paragraphs in the feed.
        if cleaned and not cleaned.startswith(("<p>", "<ul>", "<ol>")):
            cleaned = f"<p>{cleaned}</p>"
        if not cleaned:
            continue
        extra = len(cleaned.encode()) + (1 if out else 0)
        if size + extra > limit:
            if not out:
                out.append(_shorten_paragraph(plain_text(block), limit))
            break
        out.append(cleaned)
        size += extra
    return " ".join(out)


def _cut_words(text: str, budget: int) -> str:
    """``text`` cut on a word boundary to at most ``budget`` UTF-8 bytes."""
    cut = text.encode()[:budget].decode("utf-8", "ignore")
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip()


def _shorten_paragraph(text: str, limit: int) -> str:
    cut = _cut_words(html.escape(text, quote=False), limit - len("<p>…</p>".encode()))
    cut = re.sub(r"&[a-zA-Z0-9#]*$", "", cut)  # never split an entity
    return f"<p>{cut.rstrip()}…</p>"


# Between the paragraphs of plain feed text: a blank line for apps that keep line
# breaks, and still a space for one that deletes them (castero).
PARAGRAPH_BREAK = " \n\n"


def feed_text(markdown: str, limit: int = FEED_LIMIT) -> str:
    """The channel's description: plain text, at most ``limit`` UTF-8 bytes.

    RSS gives the channel description no HTML: the W3C validator warns
    (ContainsHTML) and apps show the tags (`gpo info`). Each block becomes one
    folded paragraph; cut on a paragraph, or a long first one on a word.
    """
    out: list[str] = []
    size = 0
    for block in _blocks(markdown):
        text = text_of(block)
        if not text:
            continue
        extra = len(text.encode()) + (len(PARAGRAPH_BREAK) if out else 0)
        if size + extra > limit:
            if not out:
                out.append(_cut_words(text, limit - len("…".encode())) + "…")
            break
        out.append(text)
        size += extra
    return PARAGRAPH_BREAK.join(out)


def text_of(fragment: str) -> str:
    """The text of an HTML fragment, whitespace folded."""
    text = nh3.clean(fragment, tags=set(), clean_content_tags=DROP_CONTENT)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def plain_text(markdown_or_html: str) -> str:
    """Text only, whitespace folded: for summaries, meta descriptions, ID3 comments."""
    return text_of("".join(_blocks(markdown_or_html)))


def shorten(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters: cut on a word, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(",;:.") + "…"


def summary(markdown: str, limit: int = 300) -> str:
    """The first ``limit`` characters of the notes as text, cut on a word."""
    return shorten(plain_text(markdown), limit)
