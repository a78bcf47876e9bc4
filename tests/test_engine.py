"""The adapter to WeasyPrint's layout internals (briefgen/render/engine.py): one test
per function, on small documents laid out by WeasyPrint itself, so that a
WeasyPrint upgrade that changes its boxes fails here first."""

import pytest
from weasyprint import HTML

from briefgen.render import engine
from pagetext import text_lines

MM = 96 / 25.4   # CSS px per mm
PAGE = "@page { size: 100mm 100mm; margin: 10mm; } body { margin: 0; font-family: serif; }"


def render(body, css=""):
    return HTML(string=f"<style>{PAGE}{css}</style><body>{body}</body>").render()


def test_text_runs_tells_text_on_the_sheet_from_text_cut_off_and_body_from_margins():
    document = render('<p>Inside</p><p style="position: absolute; left: 150mm">Outside</p>',
                      "@page { @top-center { content: 'Running head' } } p { font-family: monospace, serif; }")
    runs = {run.text: run for run in engine.text_runs(document)}
    assert runs["Inside"].on_sheet and runs["Inside"].in_flow
    assert not runs["Outside"].on_sheet
    assert runs["Running head"].on_sheet and not runs["Running head"].in_flow
    assert runs["Inside"].families == ("monospace", "serif")


def test_table_fits_counts_the_columns_past_the_text_area():
    cells = "".join(f"<th><div>h{index}</div></th>" for index in range(8))
    document = render(f"<table><thead><tr>{cells}</tr></thead><tbody><tr>{cells}</tr></tbody></table>",
                      "table { border-collapse: collapse; } th { padding: 0; } th div { width: 30mm; }")
    # the text area is 80 mm wide: two 30 mm columns fit, six do not
    assert engine.table_fits(document) == [engine.TableFit(tuple(f"h{i}" for i in range(8)), 8, 6)]
    assert engine.table_fits(render("<table><tr><td>a</td><td>b</td></tr></table>")) == [
        engine.TableFit(("a", "b"), 2, 0)]


def test_page_height_is_the_height_of_the_text_area():
    assert engine.page_height(render("<p>x</p>")) == pytest.approx(80 * MM)


def test_used_height_counts_the_body_and_its_footnotes():
    block = '<div style="height: 30mm"></div>'
    empty = render(block).pages[0]
    plain = render(block + '<p style="margin: 0">Text</p>').pages[0]
    noted = render(block + '<p style="margin: 0">Text<span style="float: footnote">A note.</span></p>').pages[0]
    assert engine.used_height(empty) == pytest.approx(30 * MM)
    assert engine.used_height(noted) > engine.used_height(plain) + 10   # the footnote area: a line and more


def test_displaced_footnotes_names_a_note_printed_on_another_page_than_its_call():
    document = render('<p><a href="#footnote-1">1</a> <a href="#footnote-2">2</a></p>'
                      '<p id="footnote-2">Beside its call.</p>'
                      '<p id="footnote-1" style="break-before: page">On the next page.</p>')
    assert engine.displaced_footnotes(document) == [("1", 1, 2)]


def test_chart_height_adds_up_the_chart_figures_only():
    document = render('<figure class="figure chart" style="height: 20mm; margin: 0"></figure>'
                      '<figure class="figure" style="height: 30mm; margin: 0"></figure>'
                      '<figure class="chart" style="height: 5mm; margin: 2mm 0"></figure>')
    assert engine.chart_height(document) == pytest.approx(29 * MM)


def test_a_passage_in_another_language_gets_its_own_lang_in_the_structure_tree(tmp_path):
    import pikepdf
    from briefgen.render.pdf_check import elements
    engine.complete_pdf_tags()
    target = tmp_path / "lang.pdf"
    HTML(string='<html lang="en"><body><p>The Workers\' Party (<span lang="ko">조선로동당</span>)</p></body></html>'
         ).write_pdf(target, pdf_variant="pdf/ua-1", pdf_tags=True)
    with pikepdf.open(target) as pdf:
        languages = {str(element.Lang) for element in elements(pdf.Root.StructTreeRoot) if "/Lang" in element}
    assert languages == {"ko"}


def test_text_runs_take_a_fixed_box_out_of_the_flow():
    document = render('<p>Flow</p><div style="position: fixed; top: 0">Mark</div>')
    runs = {run.text: run for run in engine.text_runs(document)}
    assert runs["Flow"].in_flow and not runs["Mark"].in_flow


def test_hyphen_runs_names_the_paragraphs_with_too_many_hyphenated_lines():
    long_words = " ".join(["internationalisation institutionalisation"] * 6)
    document = render(f'<section><p>Short words only.</p><p lang="en">{long_words}</p></section>',
                      "p { hyphens: auto; hyphenate-character: '-'; width: 24mm; font-size: 9pt; }")
    assert engine.hyphen_runs(document, 2) == ["html > body:nth-child(2) > section:nth-child(1) > p:nth-child(2)"]
    assert engine.hyphen_runs(document, 50) == []


def test_every_table_header_cell_gets_a_scope_by_its_attribute_or_position(tmp_path):
    import pikepdf
    from briefgen.render.pdf_check import elements
    engine.complete_pdf_tags()
    target = tmp_path / "table.pdf"
    HTML(string='<html lang="en"><body><table><thead><tr><th>Year</th><th scope="col">Tier</th></tr></thead>'
                '<tbody><tr><th>2023</th><td>3</td></tr><tr><th scope="col">Odd</th><td>3</td></tr></tbody>'
                '</table></body></html>').write_pdf(target, pdf_variant="pdf/ua-1", pdf_tags=True)
    with pikepdf.open(target) as pdf:
        scopes = [str(element.A.Scope) for element in elements(pdf.Root.StructTreeRoot) if str(element.S) == "/TH"]
    assert scopes == ["/Column", "/Column", "/Row", "/Column"]


def test_empty_below_is_the_space_under_the_last_line_above_the_footnotes():
    plain = render('<p style="margin: 0; line-height: 10mm">Text</p>').pages[0]
    assert engine.empty_below(plain) == pytest.approx(70 * MM, abs=1)
    noted = render('<p style="margin: 0; line-height: 10mm">Text<span style="float: footnote">A note.</span></p>')
    assert engine.empty_below(noted.pages[0]) < 70 * MM - 10


def test_figure_gaps_names_a_marked_block_that_moved_on_and_the_text_that_fills_its_gap():
    text = '<div class="text"><p style="margin: 0; height: 10mm">x</p><p style="margin: 0; height: 10mm">y</p></div>'
    document = render(f'<section><div style="height: 30mm"></div>'
                      f'<figure data-float="7" style="height: 60mm; margin: 0; break-inside: avoid"></figure>'
                      f'{text}<figure data-float="8" style="height: 5mm; margin: 0"></figure>{text}</section>')
    # 50 mm left empty on page 1: both paragraphs after figure 7 (20 mm) fill it; figure 8 is not passed
    assert engine.figure_gaps(document, 1 / 3, "data-float") == [(7, 2)]
    assert engine.figure_gaps(render('<section><div style="height: 70mm"></div><figure data-float="1" '
                                     'style="height: 60mm; margin: 0"></figure>' + text + '</section>'),
                              1 / 3, "data-float") == []   # 10 mm empty: no gap


def svg_text_pdf(tmp_path, texts, name="svg"):
    """A page with an SVG image holding the texts; returns the PDF."""
    engine.draw_svg_text_in_runs()
    image = tmp_path / f"{name}.svg"
    image.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="300" height="90">{texts}</svg>')
    target = tmp_path / f"{name}.pdf"
    HTML(string=f'<style>{PAGE}</style><img src="{image.as_uri()}">').write_pdf(target)
    return target


def text_shows(target):
    """How many text-showing operators the page and its form XObjects hold."""
    import pikepdf
    with pikepdf.open(target) as pdf:
        page = pdf.pages[0]
        streams = [page, *(page.Resources.get("/XObject") or {}).values()]
        return sum(1 for stream in streams for _, operator in pikepdf.parse_content_stream(stream)
                   if str(operator) in ("Tj", "TJ"))


def test_svg_text_is_drawn_in_one_run_unless_its_letters_are_placed_one_by_one(tmp_path):
    runs = svg_text_pdf(tmp_path, '<text x="10" y="20" font-family="Source Sans Pro">AVATAR</text>'
                                  '<text transform="translate(10,40)" dy="2">Office</text>', "runs")
    assert text_shows(runs) == 2
    placed = svg_text_pdf(tmp_path, '<text x="10 30 50 70 90 110" y="20">AVATAR</text>'
                                    '<text x="10" y="40" rotate="10">Office</text>', "placed")
    assert text_shows(placed) == 12
    assert [line.text for line in text_lines(runs)] == ["AVATAR", "Office"]


def test_svg_text_with_values_written_together_is_still_placed_letter_by_letter(tmp_path):
    """x="10-30" is two values (10 and -30), as SVG and WeasyPrint read it."""
    assert text_shows(svg_text_pdf(tmp_path, '<text x="10-30" y="20">AB</text>')) == 2


def test_arabic_svg_text_is_joined_as_it_is_in_html(tmp_path):
    """Drawn letter by letter, Arabic letters come out in their isolated
    forms, and the word is wider than the same text set in the page."""
    words = "عدد الأيام الحارة"
    style = 'font-family="Noto Naskh Arabic" font-size="20"'
    image = svg_text_pdf(tmp_path, f'<text x="10" y="40" {style}>{words}</text>')
    page = tmp_path / "page.pdf"
    HTML(string=f'<style>{PAGE}</style><p style="font: 15pt \'Noto Naskh Arabic\'" dir="rtl">{words}</p>'
         ).write_pdf(page)
    assert ink_width(image) == pytest.approx(ink_width(page), rel=0.02)


def ink_width(target):
    lines = text_lines(target)
    return max(line.right for line in lines) - min(line.left for line in lines)


TRANSFORMED_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120" viewBox="0 0 100 60">
<g transform="translate(10.3,7.7) scale(1.1)"><g transform="rotate(33.3 20 20) skewX(7)">
<rect x="1.5" y="2.25" width="30%" height="2em" stroke-width="0.75mm" stroke="#333" fill="#789"/>
<path d="M0.1,0.2L40.7,13.3 l-3.3e1,9" transform="matrix(0.3 0.1 -0.2 0.9 3.7 1.1)" stroke="#000" fill="none"/>
<circle cx="12.5" cy="8.25" r="3.3" transform="scale(0.7,1.3) translate(-1.25)" fill="#a00"/>
</g></g></svg>"""
RAW_PDF = "import sys; from weasyprint import HTML; HTML(string=sys.argv[1]).write_pdf(sys.argv[2])"


def test_the_quicker_svg_painting_writes_the_very_bytes_of_weasyprints_own(tmp_path):
    """Nested, rotated, skewed and scaled transforms, percentages, em and mm,
    an image without a <style> and one with: the same PDF as a process that
    never ran engine.quicker_svg_arithmetic nor engine.match_no_selectors_at_once."""
    import subprocess
    import sys
    from weasyprint.svg import utils
    plain, styled = tmp_path / "transformed.svg", tmp_path / "styled.svg"
    plain.write_text(TRANSFORMED_SVG, encoding="utf-8")
    styled.write_text(TRANSFORMED_SVG.replace("<g ", "<style>rect { fill: #0a0 } .ring { stroke: #00f }</style><g ", 1)
                      .replace("<circle ", '<circle class="ring" ', 1), encoding="utf-8")
    html = "".join(f'<img src="{image.as_uri()}" style="width: 70mm">' for image in (plain, styled))
    html = f"<style>{PAGE}</style>{html}"
    subprocess.run([sys.executable, "-c", RAW_PDF, html, str(tmp_path / "own.pdf")], check=True)
    engine.quicker_svg_arithmetic()
    engine.match_no_selectors_at_once()
    HTML(string=html).write_pdf(tmp_path / "quicker.pdf")
    assert (tmp_path / "quicker.pdf").read_bytes() == (tmp_path / "own.pdf").read_bytes()
    assert utils.size.cache_info().hits and utils.normalize.cache_info().hits   # in use


TOKENS_PAGE = """<style>@page { size: 100mm 60mm; margin: 5mm; }
:root { --ink: #1c4f7a; --face: 600 11pt serif; --gap: 3mm; --rule: 0.5mm solid var(--ink); }
p { font: var(--face); color: var(--ink); border-block-end: var(--rule); margin: var(--gap) 0 calc(var(--gap) * 2);
    padding-inline: var(--gap); }
.other { --ink: #7a1c1c; --face: italic 400 9pt monospace; }
.broken { color: var(--face); }</style>
<p>One</p><p class="other">Two, with its own tokens</p><p class="broken">Three</p><p>Four</p>"""


def test_remembered_var_declarations_write_the_very_bytes_of_weasyprints_own_and_still_warn(tmp_path, caplog):
    """engine.remember_solved_custom_properties: shorthands and longhands with
    var(), tokens redefined on an element, a declaration that fails: laid out
    twice in this process (the second time from what it remembered), the PDF
    of a process that never ran it, and the failure's warning both times."""
    import logging
    import subprocess
    import sys
    subprocess.run([sys.executable, "-c", RAW_PDF, TOKENS_PAGE, str(tmp_path / "own.pdf")], check=True)
    engine.remember_solved_custom_properties()
    for attempt in ("first", "second"):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="weasyprint"):
            HTML(string=TOKENS_PAGE).write_pdf(tmp_path / f"{attempt}.pdf")
        assert [record.getMessage().split(",")[0] for record in caplog.records] == [
            "Ignored `color: 600 11pt serif` at 6:18"], attempt
        assert (tmp_path / f"{attempt}.pdf").read_bytes() == (tmp_path / "own.pdf").read_bytes(), attempt
