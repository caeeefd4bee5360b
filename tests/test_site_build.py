"""Site build behaviour: deterministic bytes, nothing rewritten needlessly, template errors."""

from __future__ import annotations

import pytest
from showfactory import make_show, make_site, stamp
from sitekit import built_site, copy_templates, parse_html5

from podcast.errors import SiteError
from podcast.site import write_pages

EPISODES = [
    {"slug": "one", "title": "One", "chapters": [{"start": 0, "title": "Start"}],
     "transcript": ("srt", "1\n00:00:00,000 --> 00:00:00,900\nHello.\n")},
    {"slug": "two", "title": "Two", "notes": "First notes.\n"},
    {"slug": "three", "title": "Three"},
]


def tree_bytes(out, keys):
    return {k: (out / k).read_bytes() for k in sorted(keys) if k != "feed.xml"}


def test_same_inputs_same_bytes_in_another_checkout(tmp_path):
    a = built_site(tmp_path / "a", EPISODES)
    b = built_site(tmp_path / "b", EPISODES)
    assert a.keys == b.keys
    assert tree_bytes(a.out, a.keys) == tree_bytes(b.out, b.keys)


def test_rebuild_rewrites_nothing(tmp_path):
    built = built_site(tmp_path, EPISODES)
    before = {k: stamp(built.out / k) for k in built.keys}
    content = tree_bytes(built.out, built.keys)
    keys = write_pages(built.site, built.out, strict=True)
    assert keys <= built.keys
    assert {k: stamp(built.out / k) for k in built.keys} == before
    assert tree_bytes(built.out, built.keys) == content


def test_an_edit_rewrites_only_the_pages_that_show_it(tmp_path):
    built = built_site(tmp_path, EPISODES)
    before = {k: stamp(built.out / k) for k in built.keys}
    source = built.root / "episodes/two/episode.md"
    source.write_text(source.read_text().replace("First notes.", "Second notes."))
    site = make_site(built.root)
    write_pages(site, built.out, strict=True)
    pages = {k for k in built.keys if not k.startswith("pagefind/")}
    changed = {k for k in pages if stamp(built.out / k) != before[k]}
    assert changed == {"index.html", "episodes/two/index.html"}
    # The notes are searchable: the search index was made again (and only it).
    assert (built.out / "pagefind").is_dir() and any(
        not (built.out / k).exists() or stamp(built.out / k) != before[k]
        for k in built.keys - pages)


def test_transcript_from_srt_gets_a_page(tmp_path):
    built = built_site(tmp_path, EPISODES)
    page = built.read("episodes/one/transcript.html")
    assert "Hello." in page
    assert 'src="../../episodes/one/transcript.vtt"' in built.read("episodes/one/index.html")


def test_a_show_without_episodes_still_has_a_home_page(tmp_path):
    built = built_site(tmp_path, [])
    parse_html5(built.read("index.html"))
    assert "No episodes yet" in built.read("index.html")


def test_preview_asks_crawlers_to_stay_away(tmp_path):
    built = built_site(tmp_path, EPISODES[:1], public_url="http://127.0.0.1:8000/")
    assert built.read("robots.txt") == "User-agent: *\nDisallow: /\n"
    assert '<link rel="canonical" href="http://127.0.0.1:8000/episodes/one/index.html">' in built.read(
        "episodes/one/index.html")


@pytest.fixture
def show(tmp_path):
    root = make_show(tmp_path, EPISODES[:1])
    copy_templates(root)
    return root


def edit(root, name, old, new):
    path = root / "templates" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_undefined_variable_fails_a_strict_build(show):
    edit(show, "episode.html", "{{ episode.title }}</h1>", "{{ episode.titel }}</h1>")
    site = make_site(show)
    with pytest.raises(SiteError) as info:
        write_pages(site, site.show.output_dir, strict=True)
    message = str(info.value)
    assert message.startswith("templates/episode.html: line ")
    assert "titel" in message and "episodes/one/index.html" in message
    # A lenient build renders it as nothing.
    write_pages(site, site.show.output_dir, strict=False)
    page = (site.show.output_dir / "episodes/one/index.html").read_text()
    assert '<h1 data-pagefind-meta="title"></h1>' in page


def test_undefined_name_in_base_template_names_that_template(show):
    edit(show, "base.html", "<title>{{ page.title }}</title>", "<title>{{ page_title }}</title>")
    site = make_site(show)
    with pytest.raises(SiteError, match=r"^templates/base.html: line \d+: 'page_title' is "
                                        r"undefined \(rendering index.html\)"):
        write_pages(site, site.show.output_dir, strict=True)


def test_template_syntax_error_names_file_and_line(show):
    edit(show, "index.html", "{% for link in show.subscribe %}", "{% for link in %}")
    site = make_site(show)
    with pytest.raises(SiteError, match=r"^templates/index.html: line \d+: "):
        write_pages(site, site.show.output_dir, strict=False)
    assert not (site.show.output_dir / "index.html").exists()  # nothing half-written


def test_missing_template_or_folder(show):
    (show / "templates" / "embed.html").unlink()
    site = make_site(show)
    with pytest.raises(SiteError, match=r"^templates/embed.html: not found\. "):
        write_pages(site, site.show.output_dir)
    import shutil
    shutil.rmtree(show / "templates")
    with pytest.raises(SiteError, match=r"^templates/: not found\. "):
        write_pages(site, site.show.output_dir)


def test_stylesheet_link_changes_when_the_stylesheet_does(show):
    site = make_site(show)
    out = site.show.output_dir
    write_pages(site, out)
    first = (out / "index.html").read_text()
    (show / "templates/style.css").write_text("body { color: #000; }\n")
    write_pages(site, out)
    second = (out / "index.html").read_text()
    ref = lambda html: html.split('rel="stylesheet" href="')[1].split('"')[0]  # noqa: E731
    assert ref(first) != ref(second) and ref(second).startswith("style.css?v=")
    assert (out / "style.css").read_text() == "body { color: #000; }\n"


def test_a_title_edit_reaches_the_neighbours_pages(tmp_path):
    built = built_site(tmp_path, EPISODES)
    source = built.root / "episodes/two/episode.md"
    source.write_text(source.read_text().replace("title: Two", "title: Two, renamed"))
    write_pages(make_site(built.root), built.out, strict=True)
    for key in ("index.html", "episodes/one/index.html", "episodes/two/index.html",
                "episodes/two/embed.html", "episodes/three/index.html"):
        assert "Two, renamed" in built.read(key), key
    assert "Two, renamed" not in built.read("episodes/one/embed.html")


def test_kept_pages_are_checked_against_the_files_on_disk(tmp_path):
    built = built_site(tmp_path, EPISODES)
    page = built.out / "episodes/three/index.html"
    good = page.read_bytes()
    page.write_bytes(b"edited by hand")
    (built.out / "episodes/one/embed.html").unlink()
    write_pages(built.site, built.out, strict=True)
    assert page.read_bytes() == good
    assert (built.out / "episodes/one/embed.html").is_file()


def test_template_and_transcript_edits_invalidate_kept_pages(tmp_path):
    built = built_site(tmp_path, EPISODES)
    edit(built.root, "embed.html", "<main>", '<main data-v="2">')
    (built.root / "episodes/one/transcript.srt").write_text(
        "1\n00:00:00,000 --> 00:00:00,900\nGoodbye.\n")
    write_pages(make_site(built.root), built.out, strict=True)
    for slug in ("one", "two", "three"):
        assert 'data-v="2"' in built.read(f"episodes/{slug}/embed.html")
    assert "Goodbye." in built.read("episodes/one/transcript.html")
    assert "Goodbye." in built.read("episodes/one/index.html")


def test_page_cache_is_hidden_from_upload_and_preview(tmp_path):
    built = built_site(tmp_path, EPISODES[:1])
    assert (built.out / ".site-cache.json").is_file()
    assert ".site-cache.json" not in built.keys
    from podcast.publish.tree import scan
    assert ".site-cache.json" not in scan(built.out)


def test_podcast_check_reports_template_problems(show):
    from podcast.check import check

    assert [p for p in check(show) if p.where.startswith("templates/")] == []
    edit(show, "episode.html", "{% if episode.chapters %}", "{% if episode.chapters %")
    (show / "templates/style.css").unlink()
    found = {(p.where, p.message) for p in check(show) if p.where.startswith("templates/")}
    assert ("templates/style.css", "not found") in found
    (syntax,) = [p for p in check(show) if p.where == "templates/episode.html"]
    assert syntax.field.startswith("line ") and syntax.is_error


def test_an_included_partial_in_a_subfolder_invalidates_kept_pages(tmp_path):
    root = make_show(tmp_path, EPISODES[:1])
    copy_templates(root)
    (root / "templates/partials").mkdir(exist_ok=True)
    partial = root / "templates/partials/credit.html"
    partial.write_text("<p>Produced by CTP</p>\n")
    edit(root, "episode.html", "</article>\n{% endblock %}",
         '{% include "partials/credit.html" %}\n</article>\n{% endblock %}')
    site = make_site(root)
    write_pages(site, site.show.output_dir, strict=True)
    partial.write_text("<p>Produced by Counter Terrorism Policing</p>\n")
    write_pages(site, site.show.output_dir, strict=True)
    page = (site.show.output_dir / "episodes/one/index.html").read_text()
    assert "Produced by Counter Terrorism Policing" in page


def test_show_credits_apply_to_episodes_without_their_own(tmp_path):
    built = built_site(tmp_path, [{"slug": "one"}],
                       persons=[{"name": "Mark Strong", "role": "narrator"}])
    page = built.read("episodes/one/index.html")
    assert "<span data-pagefind-ignore>Narrator:</span> Mark Strong</li>" in page
    assert "By Counter Terrorism Policing · narrator Mark Strong" in built.read("index.html")


def test_compiled_templates_are_cached_but_edits_still_count(show):
    site = make_site(show)
    out = site.show.output_dir
    write_pages(site, out)
    cached = list((show / ".cache/templates").rglob("*.cache"))
    assert len(cached) >= 5
    edit(show, "embed.html", "<main>", '<main data-edit="1">')
    write_pages(site, out)
    assert 'data-edit="1"' in (out / "episodes/one/embed.html").read_text()
