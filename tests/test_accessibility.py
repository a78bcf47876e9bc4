"""Accessible and archival PDFs: tagged structure in every variant and theme,
the author checks, and PDF/A."""

import colorsys

import pikepdf
import pytest

from briefgen.content.access import _channels, contrast, passing_shade
from conftest import MINIMAL_BRIEF, SAMPLE, build_brief, run_cli, write_brief
from briefgen.render.pdf_check import elements, structure_problems, tags_of

FIGURE = """  - title: Figures
    content:
      - figure:
          image: box.svg
          caption: {caption}
          alt: {alt}
"""
BOX = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>'


@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory):
    out = tmp_path_factory.mktemp("accessible")
    return {(theme, output.variant): output.path for theme in ("default", "cedarbay")
            for output in build_brief(SAMPLE, theme=theme, out_dir=out / theme)}


def test_every_variant_of_both_themes_passes_the_structure_checks(sample_pdfs):
    assert len(sample_pdfs) == 6
    assert {key: structure_problems(pdf) for key, pdf in sample_pdfs.items()} == {key: [] for key in sample_pdfs}


def test_pdfs_declare_pdf_ua_and_their_language(sample_pdfs):
    for pdf in sample_pdfs.values():
        with pikepdf.open(pdf) as document:
            assert str(document.Root.Lang) == "en-GB"
            assert document.open_metadata().get("pdfuaid:part") == "1"


def test_the_full_brief_tags_headings_tables_figures_and_lists(sample_pdfs):
    tags = tags_of(sample_pdfs[("default", "full")])
    assert tags.count("/H1") == 1 and tags.count("/Table") == 2 and tags.count("/Figure") == 3  # a figure, two charts
    assert {"/TH", "/TD", "/L", "/LI", "/Link", "/Caption", "/BlockQuote"} <= set(tags)
    with pikepdf.open(sample_pdfs[("default", "full")]) as document:
        figures = [e for e in elements(document.Root.StructTreeRoot) if str(e.S) == "/Figure"]
        assert [str(figure.Alt)[:30] for figure in figures] == [
            "A ladder of four horizontal ba", "A line chart of the DPRK's tie", "A chart in three columns: insi"]
        contents = {str(a.get("/Contents")) for page in document.pages for a in page.get("/Annots", [])}
        assert {"footnote-1", "reference-tip-report", "designation"} <= contents  # links say where they go


def test_the_checker_catches_an_untagged_pdf(tmp_path):
    from weasyprint import HTML
    HTML(string="<h1>Untagged</h1><p>Text.</p>").write_pdf(tmp_path / "plain.pdf")
    problems = structure_problems(tmp_path / "plain.pdf")
    assert "not marked as tagged (/MarkInfo /Marked true)" in problems
    assert "no structure tree (/StructTreeRoot)" in problems


def brief_with_figure(tmp_path, caption, alt):
    (tmp_path / "box.svg").write_text(BOX, encoding="utf-8")
    return write_brief(tmp_path, MINIMAL_BRIEF + FIGURE.format(caption=caption, alt=alt))


def test_alt_text_that_repeats_the_caption_is_a_warning(tmp_path):
    brief = brief_with_figure(tmp_path, "The four tiers.", "The four tiers")
    result = run_cli("check", brief)
    assert result.exit_code == 0
    assert result.stderr.strip() == (f"warning: {brief}:13: sections[1].content[0].figure.alt: "
                                     "alt text repeats the caption; describe what the image shows instead")


def test_the_alt_text_placeholder_of_brief_import_is_a_warning(tmp_path):
    brief = brief_with_figure(tmp_path, "The four tiers.", '"No alt text in the draft: describe this picture"')
    result = run_cli("check", brief)
    assert result.exit_code == 0
    assert result.stderr.strip() == (f"warning: {brief}:13: sections[1].content[0].figure.alt: "
                                     "alt text is brief import's placeholder; describe what the image shows")


def test_alt_text_that_is_a_file_name_is_an_error(tmp_path):
    brief = brief_with_figure(tmp_path, "The four tiers.", "box.svg")
    result = run_cli("check", brief)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"{brief}:13: sections[1].content[0].figure.alt: "
                                     "alt text 'box.svg' is a file name; describe what the image shows")


def test_markdown_images_need_alt_text(tmp_path):
    (tmp_path / "box.svg").write_text(BOX, encoding="utf-8")
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("Some text.", '"![](box.svg)"'))
    result = run_cli("check", brief)
    assert result.stderr.strip() == f"{brief}:7: sections[0].content[0]: image 'box.svg' needs alt text: ![what it shows](box.svg)"


def test_a_table_column_without_a_header_is_an_error(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("    content: [Some text.]", (
        "    content:\n      - table:\n          caption: Gaps\n          columns: [Country, '']\n"
        "          rows: [[A, B]]\n")))
    result = run_cli("check", brief)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"{brief}:10: sections[0].content[0].table.columns[1]: "
                                     "a column needs a header, for readers who cannot see the table")


def test_a_low_contrast_brand_colour_builds_with_the_nearest_passing_shade_and_one_warning(tmp_path):
    # A real brand file must build as it is (issue 24): the text takes the shade, the warning names it.
    styles = tmp_path / "theme" / "styles"
    styles.mkdir(parents=True)
    (styles / "_brand.yml").write_text('color:\n  secondary: "#f0a040"\n', encoding="utf-8")
    result = run_cli("build", write_brief(tmp_path), "--theme", tmp_path / "theme", "--out", tmp_path / "out")
    assert result.exit_code == 0
    assert result.stderr.strip() == (
        f"warning: {styles / '_brand.yml'}:2: color.secondary: #f0a040 on #ffffff (numbers and labels) has a "
        "contrast of 2.14:1, under the 4.5:1 of WCAG AA: that text is set in the nearest shade that passes, "
        "#ad650e (4.52:1)")
    assert (tmp_path / "out" / "brief-full.pdf").is_file()


def test_the_suggested_shade_is_the_nearest_that_passes():
    original_hue, original_lightness, saturation = colorsys.rgb_to_hls(*_channels("#f0a040"))
    shade, ratio = passing_shade("#f0a040", "#ffffff")
    hue, lightness, _ = colorsys.rgb_to_hls(*_channels(shade))
    assert ratio == contrast(shade, "#ffffff") >= 4.5 and abs(hue - original_hue) < 0.01
    # a shade a little nearer the original fails: the suggestion changes no more than it must
    nearer = "#" + "".join(f"{round(c * 255):02x}" for c in colorsys.hls_to_rgb(hue, lightness + 0.005, saturation))
    assert contrast(nearer, "#ffffff") < 4.5


def test_a_theme_override_that_skips_a_heading_level_is_an_error(tmp_path):
    partials = tmp_path / "theme" / "templates" / "partials"
    partials.mkdir(parents=True)
    (partials / "section.html").write_text(
        '{% extends "default/partials/section.html" %}\n'
        '{% block section_heading %}<h4 class="section-title">{{ section.title }}</h4>{% endblock %}\n',
        encoding="utf-8")
    result = run_cli("build", write_brief(tmp_path), "--theme", tmp_path / "theme", "-v", "full",
                     "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"theme '{tmp_path / 'theme'}', variant 'full': heading h4 'Background' "
                                     "follows h2: a heading level is skipped")


def test_pdf_a_3b_identifies_itself_and_is_reproducible(tmp_path):
    for out in ("first", "second"):
        assert run_cli("build", SAMPLE, "-v", "full", "--pdf-standard", "a-3b", "--out", tmp_path / out).exit_code == 0
    first = tmp_path / "first" / "north-korea-trafficking-full.pdf"
    assert first.read_bytes() == (tmp_path / "second" / "north-korea-trafficking-full.pdf").read_bytes()
    with pikepdf.open(first) as document:
        metadata = document.open_metadata()
        assert metadata.get("pdfaid:part") == "3" and metadata.get("pdfaid:conformance") == "B"
        assert metadata.get("dc:title") == "Tier 3 by design: North Korea's human trafficking designation"
        assert "Eleanor Marsh" in str(metadata.get("dc:creator"))
        assert "/OutputIntents" in document.Root
    assert structure_problems(first, pdf_ua=False) == []  # archived copies stay tagged


TWO_TABLES = """  - title: Tables
    content:
      - table: {caption: First., columns: [A, B], rows: [[1, 2]]}
      - table: {caption: Second., columns: [C, D], rows: [[3, 4]]}
"""


def test_the_structure_checker_finds_one_table_without_headers_among_others(tmp_path):
    [output] = build_brief(write_brief(tmp_path, MINIMAL_BRIEF + TWO_TABLES), ["full"], out_dir=tmp_path)
    assert structure_problems(output.path) == []
    with pikepdf.open(output.path) as pdf:  # the second table's header cells become data cells
        second = [element for element in elements(pdf.Root.StructTreeRoot) if str(element.S) == "/Table"][1]
        for cell in elements(second):
            if str(cell.S) == "/TH":
                cell.S = pikepdf.Name.TD
        pdf.save(tmp_path / "one-without.pdf")
    assert structure_problems(tmp_path / "one-without.pdf") == ["a table without header cells (TH)"]
