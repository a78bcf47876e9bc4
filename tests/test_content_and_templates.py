"""Markdown, content as data, template search path and fonts."""

import pytest
from pypdf import PdfReader

from briefgen.content.citations import Citer, format_citations, style_path
from briefgen.compose.html import compose_html, template_environment
from briefgen.content.markdown import Markdown
from briefgen.theme.resolve import resolve_theme
from briefgen.brief.variant import select_variant
from conftest import MINIMAL_BRIEF, ROOT, load_brief, run_cli, validate_brief, write_brief


def pdf_text(pdf):
    return " ".join(page.extract_text() for page in PdfReader(pdf).pages)


def build_text(tmp_path, brief_text, *args):
    brief = write_brief(tmp_path, brief_text)
    result = run_cli("build", brief, "--out", tmp_path / "out", *args)
    assert result.exit_code == 0, result.output
    return result, pdf_text(tmp_path / "out" / "brief-full.pdf")


def test_content_is_data_never_a_template(tmp_path):
    text = MINIMAL_BRIEF.replace("The summary.", "'{{ 7*7 }} and {% include \"base.html\" %} stay as written.'")
    _, text = build_text(tmp_path, text)
    assert "{{ 7*7 }}" in text and '{% include "base.html" %}' in text.replace("”", '"').replace("“", '"')
    assert "49" not in text


def test_raw_html_is_printed_as_text(tmp_path):
    text = MINIMAL_BRIEF.replace("Some text.", "'<b>bold</b> <script>x()</script>'")
    _, text = build_text(tmp_path, text)
    assert "<b>bold</b>" in text and "<script>x()</script>" in text


def test_markdown_footnotes_citations_and_quotes():
    text = 'A "quoted" claim^[A *note* [@ilo].] [@tip; @ilo].'
    recorder = Citer()
    Markdown(recorder).block(text)   # the first render records the clusters in reading order
    items = [{"id": "tip", "type": "report", "title": "TIP"}, {"id": "ilo", "type": "report", "title": "ILO"}]
    markdown = Markdown(Citer(format_citations(items, recorder.recorded, style_path("ieee", None), "en")))
    html = markdown.block(text)
    assert "“quoted”" in html
    assert '<a class="footnote-call" href="#footnote-1">1</a>' in html
    assert '<span class="footnote" id="footnote-1" data-number="1">A <em>note</em>' in html
    # IEEE numbers by first citation: the note's [@ilo] comes first in reading order
    assert 'A <em>note</em> <span class="citation"><a class="citation-link" href="#reference-ilo">[1]</a></span>.' in html
    assert ('<span class="citation"><a class="citation-link" href="#reference-ilo">[1]</a>, '
            '<a class="citation-link" href="#reference-tip">[2]</a></span>') in html   # in the style's order
    assert 'href="#footnote-2"' in markdown.block("Second^[note].")  # numbered across the document


def test_text_fields_get_typography_but_no_markup():
    assert Markdown().text("North Korea's *designation* <b>") == "North Korea’s *designation* &lt;b&gt;"


def test_korean_is_drawn_by_the_themes_hangul_font(tmp_path):
    result, _ = build_text(tmp_path, MINIMAL_BRIEF.replace("Some text.", "Seoul (서울)."))
    assert result.exit_code == 0 and "warning: " not in result.stderr


OVERRIDE = """{% extends "default/partials/cover.html" %}
{% block cover_title %}<p class="kicker">Override kicker</p>{{ super() }}{% endblock %}
"""


@pytest.fixture
def outside_theme(tmp_path):
    theme = tmp_path / "acme-theme"
    (theme / "templates" / "partials").mkdir(parents=True)
    (theme / "templates" / "partials" / "cover.html").write_text(OVERRIDE, encoding="utf-8")
    (theme / "styles").mkdir()
    (theme / "styles" / "brief.css").write_text(".kicker { color: rgb(1, 2, 3); }", encoding="utf-8")
    return theme


def test_theme_partial_wins_over_default(outside_theme):
    theme = resolve_theme(outside_theme)
    template = template_environment(theme).get_template("partials/cover.html")
    assert template.filename == str(outside_theme / "templates" / "partials" / "cover.html")
    contents = template_environment(theme).get_template("partials/contents.html")
    assert contents.filename == str(ROOT / "templates" / "default" / "partials" / "contents.html")


def test_block_override_calls_super(outside_theme, tmp_path):
    brief = validate_brief(load_brief(write_brief(tmp_path)))
    theme = resolve_theme(outside_theme)
    html = compose_html(select_variant(brief, "full", tmp_path), theme, theme.variant_spec("full"))
    kicker, title = html.index("Override kicker"), html.index('<h1 class="title">A minimal brief</h1>')
    assert kicker < title


def test_theme_css_cascades_after_default(outside_theme):
    sheets = resolve_theme(outside_theme).stylesheets("full")
    assert sheets[0] == (ROOT / "styles" / "default" / "brief.css").as_uri()
    assert sheets[-1] == (outside_theme / "styles" / "brief.css").as_uri()


def test_theme_folder_given_on_the_command_line(outside_theme, tmp_path):
    _, text = build_text(tmp_path, MINIMAL_BRIEF, "--theme", str(outside_theme))
    assert "Override kicker" in text


def test_unknown_theme_in_the_brief_names_its_line(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF + "theme: nowhere\n")
    result = run_cli("check", brief)
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.startswith(f"{brief}:8: theme: unknown theme 'nowhere'") and "themes: cedarbay, default" in line


LONG_TABLE = MINIMAL_BRIEF.replace("    content: [Some text.]", """    content:
      - table:
          caption: A long table
          columns: [Country, Finding]
          rows:
""" + "".join(f"            - [Country {n}, 'Finding number {n}, long enough to need some room on the line']\n" for n in range(1, 90)))


def test_long_tables_repeat_their_header_and_keep_rows_whole(tmp_path):
    build_text(tmp_path, LONG_TABLE)
    pages = [page.extract_text() for page in PdfReader(tmp_path / "out" / "brief-full.pdf").pages]
    table_pages = [text for text in pages if "Finding number" in text]
    assert len(table_pages) >= 2
    for text in table_pages:
        assert "Country Finding" in text.replace("\n", " ")
    rows = [line for text in table_pages for line in text.splitlines() if line.startswith("Country ")]
    assert [int(line.split()[1]) for line in rows if line.split()[1].isdigit()] == list(range(1, 90))
    assert "Table 1. A long table" in table_pages[0]


def test_figures_and_tables_are_numbered(sample_full):
    text = " ".join(page.extract_text() for page in PdfReader(sample_full.path).pages)
    assert "Figure 1. " in text and "Table 1. " in text and "Table 2. " in text


def test_content_limited_to_other_variants_stays_out(tmp_path):
    text = MINIMAL_BRIEF + """  - title: Memo only
    variants: [memo]
    content: [Hidden section text.]
  - title: Visible
    content:
      - text: Hidden block text.
        variants: [summary]
      - Shown block text.
variants:
  full:
    summary: The full brief's own summary.
"""
    _, text = build_text(tmp_path, text)
    assert "Shown block text." in text and "The full brief’s own summary." in text
    assert "Memo only" not in text and "Hidden" not in text and "The summary." not in text


def test_dates_follow_the_language(tmp_path):
    _, text = build_text(tmp_path, MINIMAL_BRIEF + "language: fr\n")
    assert "15 novembre 2025" in text
