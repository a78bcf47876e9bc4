"""Print craft (issue 16): tables across page breaks, numeric columns, wide
tables; no hyphens where a reader scans; full pages; the balanced one-pager;
paper sizes; logo sizes; status watermark, appendices and the cover picture.
Positions and text are read from the PDFs (tests/pagetext.py)."""

import re
import shutil
from collections import Counter

import cssselect2
import pikepdf
import pytest
import tinyhtml5
from pypdf import PdfReader

from briefgen.build.document import Options, plan_brief
from briefgen.compose.html import _no_lone_word
from conftest import MINIMAL_BRIEF, ROOT, SAMPLE, build_brief, run_cli, write_brief
from pagetext import MM, page_sizes, text_lines
from briefgen.render.pdf_check import elements

FEATURES = ROOT / "tests" / "features" / "features.yaml"
TEST_THEMES = ROOT / "tests" / "themes"
A5 = (419.5, 595.3)
LEGAL = (612.0, 1008.0)
FILLER = ("Harbour work is seasonal, and its peaks pass before any count is made; "
          "the ports that report do so in different ways and at different times. ") * 4


def table_brief(rows, fillers, short_paragraphs=0):
    """A brief whose one table, of `rows` rows (Item n, a count, a rate), follows
    `fillers` long paragraphs and `short_paragraphs` one-line ones."""
    paragraphs = [f"{FILLER.strip()} ({number})" for number in range(fillers)]
    paragraphs += ["A short paragraph to move the table down a line."] * short_paragraphs
    body = "\n".join(f'      - "{text}"' for text in paragraphs)
    cells = "\n".join(f"          - [Item {n}, {n * 97}, {n * 1.25}]" for n in range(1, rows + 1))
    return f"""title: A table near the foot of a page
date: 2025-11-15
summary: The summary.
key_points: [The only point.]
sections:
  - title: Background
    content:
{body}
      - table:
          caption: Items counted.
          columns: [Item, Count, Rate]
          rows:
{cells}
      - "The text after the table."
"""


def rows_per_page(lines):
    return Counter(line.page for line in lines if re.fullmatch(r"Item \d+", line.text))


# --- tables -------------------------------------------------------------------

def test_a_short_table_near_the_foot_of_a_page_moves_whole(tmp_path):
    [output] = build_brief(write_brief(tmp_path, table_brief(7, fillers=12)), ["full"], out_dir=tmp_path)
    lines = text_lines(output.path)
    before = [line for line in lines if "(11)" in line.text][-1]   # the last paragraph before the table
    height = page_sizes(output.path)[0][1]
    # the table starts near the foot: room for its caption, header and rows, not for all of it
    assert height - 20 * MM - before.bottom > 35 * MM
    pages = rows_per_page(lines)
    assert pages == {before.page + 1: 7}
    caption = next(line for line in lines if line.text.endswith("Items counted."))
    assert caption.page == before.page + 1


# the table starts with room for one row on its first page; it ends with one or two rows on its last
@pytest.mark.parametrize("fillers, short_paragraphs", [(12, 2), (11, 4), (12, 0)])
def test_a_long_table_leaves_three_rows_on_either_side_with_the_header_on_each_page(tmp_path, fillers,
                                                                                   short_paragraphs):
    brief = write_brief(tmp_path, table_brief(40, fillers=fillers, short_paragraphs=short_paragraphs))
    [output] = build_brief(brief, ["full"], out_dir=tmp_path)
    lines = text_lines(output.path)
    pages = rows_per_page(lines)
    assert sum(pages.values()) == 40 and len(pages) >= 2
    assert min(pages.values()) >= 3, pages
    headers = Counter(line.page for line in lines if line.text == "Count")
    assert set(headers) == set(pages)   # the header row repeats on every page the table spans


def test_numeric_columns_are_right_aligned_text_columns_left(tmp_path):
    [output] = build_brief(write_brief(tmp_path, table_brief(7, fillers=0)), ["full"], out_dir=tmp_path)
    lines = [line for line in text_lines(output.path) if line.page == 2]
    items = [line for line in lines if re.fullmatch(r"Item \d+", line.text)]
    counts = [line for line in lines if re.fullmatch(r"\d{2,3}", line.text)]
    assert len(items) == 7 and len(counts) == 7
    assert max(line.left for line in items) - min(line.left for line in items) < 0.5
    assert max(line.right for line in counts) - min(line.right for line in counts) < 0.5
    assert max(line.left for line in counts) - min(line.left for line in counts) > 3   # 97 and 679 differ in width
    header = next(line for line in lines if line.text == "Count")
    assert abs(header.right - counts[0].right) < 0.5


def test_align_and_widths_are_the_authors_when_given(tmp_path):
    text = table_brief(7, fillers=0).replace("          columns: [Item, Count, Rate]",
                                             "          columns: [Item, Count, Rate]\n"
                                             "          align: [right, left, left]\n"
                                             "          widths: ['50%', '25%', '25%']")
    [output] = build_brief(write_brief(tmp_path, text), ["full"], out_dir=tmp_path)
    lines = [line for line in text_lines(output.path) if line.page == 2]
    items = [line for line in lines if re.fullmatch(r"Item \d+", line.text)]
    counts = [line for line in lines if re.fullmatch(r"\d{2,3}", line.text)]
    assert max(line.right for line in items) - min(line.right for line in items) < 0.5
    assert max(line.left for line in counts) - min(line.left for line in counts) < 1   # side bearings differ
    # the text width is 172 mm: the second column starts half-way across it
    table_left = 19 * MM
    assert abs(counts[0].left - (table_left + 0.5 * 172 * MM)) < 3 * MM


@pytest.mark.parametrize("table, message", [
    ("          align: [right, left]\n", "align: has 2 entries; the table has 3 columns"),
    ("          widths: ['60%', '30%', '20%']\n", "widths: adds up to 110%; at most 100% of the text width"),
    ("          widths: ['60', '30%', '10%']\n", "widths[0]: '60' is not a percentage of the text width such as 30%"),
    ("          align: [right, middle, left]\n", "align[1]: 'middle' is not one of: left, right, center"),
])
def test_table_layout_errors_name_the_field(tmp_path, table, message):
    text = table_brief(7, fillers=0).replace("          columns: [Item, Count, Rate]\n",
                                             "          columns: [Item, Count, Rate]\n" + table)
    result = run_cli("check", write_brief(tmp_path, text))
    assert result.exit_code == 1
    line = text.splitlines().index(table.splitlines()[0]) + 1
    assert result.stderr.strip() == f"{tmp_path / 'brief.yaml'}:{line}: sections[0].content[0].table.{message}"


@pytest.fixture(scope="module")
def features(tmp_path_factory):
    """The features brief (status: draft, appendices, cover picture, wide table)
    in both built-in themes, every variant."""
    built = {}
    for theme in ("default", "cedarbay"):
        out = tmp_path_factory.mktemp(f"features-{theme}")
        built[theme] = {output.variant: output for output in build_brief(FEATURES, theme=theme, out_dir=out,
                                                                          keep_html=True)}
    return built


@pytest.mark.parametrize("theme", ["default", "cedarbay"])
def test_a_wide_table_has_a_landscape_page_with_running_head_and_number(features, theme):
    full = features[theme]["full"]
    lines = text_lines(full.path)
    sizes = page_sizes(full.path)
    [page] = {line.page for line in lines if line.text.startswith("Province 1")}
    width, height = sizes[page - 1]
    assert width > height                                   # landscape
    assert all(w < h for w, h in sizes[:page - 1] + sizes[page:])
    on_page = [line.text for line in lines if line.page == page]
    assert f"Page {page} of {len(sizes)}" in on_page        # its page number ...
    assert "BACKGROUND" in on_page                          # ... and running head
    # the text after the table is back on a portrait page
    after = next(line for line in lines if line.text.startswith("After the wide table"))
    assert after.page == page + 1


def test_a_wide_table_in_a_right_to_left_brief_keeps_the_mirrored_running_head(tmp_path):
    text = MINIMAL_BRIEF.replace("title: A minimal brief", "title: موجز\nlanguage: ar").replace(
        "  - title: Background\n    content: [Some text.]",
        "  - title: الخلفية\n    content:\n      - نص.\n      - table: {caption: جدول., wide: true, "
        "columns: [أ, ب], rows: [[1, 2]]}")
    [output] = build_brief(write_brief(tmp_path, text), ["full"], out_dir=tmp_path)
    lines = text_lines(output.path)
    [page] = {line.page for line in lines if line.text == "أ"}   # the first column's header
    width, height = page_sizes(output.path)[page - 1]
    assert width > height
    head = next(line for line in lines if line.page == page and line.text == "الخلفية" and line.top < 22 * MM)
    assert head.left > width / 2              # the running head at the top right, as on every rtl page


def test_a_wide_table_in_a_short_variant_points_to_the_full_brief(tmp_path):
    """The built-in memo prints each section by its summary; a theme whose memo
    prints the blocks gets the note in the wide table's place."""
    partials = tmp_path / "theme" / "templates" / "partials"
    partials.mkdir(parents=True)
    (partials / "section_summary.html").write_text(
        '<section class="section" id="{{ section.id }}"><h2>{{ section.title }}</h2>'
        '{% for block in section.content %}{% include "blocks/" ~ block.type ~ ".html" %}{% endfor %}</section>',
        encoding="utf-8")
    [memo] = build_brief(FEATURES, ["memo"], theme=str(tmp_path / "theme"), out_dir=tmp_path)
    text = " ".join(line.text for line in text_lines(memo.path))
    assert "Table 1. Harbour workers by province, 2015-2025." in text
    assert "This table is printed in the full brief. example.org/briefs/harbour" in text
    assert "Province 1" not in text
    assert all(width < height for width, height in page_sizes(memo.path))


# --- hyphenation and breaks ---------------------------------------------------

@pytest.fixture(scope="module")
def sample_builds(tmp_path_factory):
    built = {}
    for theme in ("default", "cedarbay"):
        out = tmp_path_factory.mktemp(f"sample-{theme}")
        built[theme] = {output.variant: output for output in build_brief(SAMPLE, theme=theme, out_dir=out,
                                                                          keep_html=True)}
    return built


SCANNED = ("h1, h2, h3, .subtitle, .key-points li, .one-pager-points li, .one-pager-actions li, "
           ".authors .name, .author .name, th, caption, .organisation")


def scanned_texts(html_file):
    """Texts of the titles, headings, key points, names and table headers: the
    lines of the PDF that belong to them are looked up by these."""
    tree = tinyhtml5.parse(html_file.read_text(encoding="utf-8"), namespace_html_elements=False)
    matcher = cssselect2.Matcher()
    for selector in cssselect2.compile_selector_list(SCANNED):
        matcher.add_selector(selector, None)
    wrapper = cssselect2.ElementWrapper.from_html_root(tree)
    return {" ".join("".join(element.etree_element.itertext()).split())
            for element in wrapper.iter_subtree() if matcher.match(element)}


def hyphenated_lines(pdf, texts):
    """Lines of the PDF ending in a hyphen inside a word, whose text is part of one of `texts`."""
    ending = [line for line in text_lines(pdf) if re.search(r"\w[-\u2010]$", line.text)]
    return [line.text for line in ending if any(line.text[:-1] in text for text in texts)]


@pytest.mark.parametrize("theme", ["default", "cedarbay"])
@pytest.mark.parametrize("variant", ["full", "memo", "summary"])
def test_no_title_heading_key_point_or_name_line_ends_in_a_hyphen(sample_builds, theme, variant):
    output = sample_builds[theme][variant]
    texts = scanned_texts(output.path.with_suffix(".html"))
    assert len(texts) > 10
    assert hyphenated_lines(output.path, texts) == []


def hyphen_runs(pdf):
    """The longest run of consecutive lines, within one column of one page, ending in a hyphen."""
    longest, run, previous = 0, 0, None
    for line in text_lines(pdf):
        if previous and (line.page != previous.page or abs(line.left - previous.left) > 30):
            run = 0
        run = run + 1 if re.search(r"\w[-\u2010]$", line.text) else 0
        longest, previous = max(longest, run), line
    return longest


@pytest.mark.parametrize("theme", ["default", "cedarbay"])
@pytest.mark.parametrize("variant", ["full", "memo", "summary"])
def test_at_most_two_hyphenated_lines_in_a_row(sample_builds, theme, variant):
    assert hyphen_runs(sample_builds[theme][variant].path) <= 2


def test_a_paragraph_never_ends_three_lines_in_a_row_with_a_hyphen(tmp_path):
    [output] = build_brief(ROOT / "tests" / "features" / "hyphens.yaml", ["full"], out_dir=tmp_path)
    hyphenated = [line for line in text_lines(output.path) if re.search(r"\w-$", line.text)]
    assert len(hyphenated) > 10          # hyphenation is on ...
    assert hyphen_runs(output.path) <= 2  # ... two lines in a row at most
    assert output.layouts == 2           # the paragraphs that had more were laid out again


def body_area(pdf):
    """(top, bottom) of the default theme's text area, points from the top of an A4 page."""
    return 22 * MM, page_sizes(pdf)[0][1] - 20 * MM


def test_no_page_of_the_sample_full_brief_is_less_than_half_filled(sample_builds):
    full = sample_builds["default"]["full"]
    lines = text_lines(full.path)
    top, bottom = body_area(full.path)
    # the sample's one `pagebreak` ends section 6: the page before section 7 may be short
    section_7 = next(line.page for line in lines if line.text == "International efforts and the way forward")
    for page in range(2, full.pages):   # the cover and the back page are whole pages by design
        if page == section_7 - 1:
            continue
        body = [line for line in lines if line.page == page and top - 2 <= line.top and line.bottom <= bottom
                and line.size > 11]   # text of the flow; footnotes (7.5pt, 10 px) aside
        filled = (max(line.bottom for line in body) - top) / (bottom - top)
        assert filled >= 0.5, f"page {page} is {filled:.0%} filled"


def numbered_paragraphs(count, words, lead_words):
    """Paragraphs whose every word names its paragraph (`p3w12`), after a first one of `lead_words` words."""
    paragraphs = [" ".join(f"p0w{w}" for w in range(lead_words))]
    paragraphs += [" ".join(f"p{p}w{w}" for w in range(words)) for p in range(1, count)]
    return "\n".join(f'      - "{text}"' for text in paragraphs)


def test_no_paragraph_leaves_a_single_line_at_a_page_foot_or_head(tmp_path):
    splits = 0
    for lead_words in (10, 25, 40, 55, 70, 85):   # page breaks fall at each line of a paragraph in turn
        text = MINIMAL_BRIEF.replace("    content: [Some text.]",
                                     "    content:\n" + numbered_paragraphs(14, 75, lead_words))
        [output] = build_brief(write_brief(tmp_path, text), ["full"], out_dir=tmp_path / str(lead_words))
        lines = Counter()
        for line in text_lines(output.path):
            found = re.findall(r"\bp(\d+)w", line.text)
            if found:
                lines[(int(found[0]), line.page)] += 1
        for paragraph, page in [key for key in lines if (key[0], key[1] + 1) in lines]:   # broken by a page
            splits += 1
            for side in (page, page + 1):
                assert lines[(paragraph, side)] >= 2, \
                    f"lead of {lead_words} words: paragraph {paragraph} has one line on page {side}"
    assert splits >= 3   # paragraphs did run over page breaks


@pytest.mark.parametrize("theme", ["default", "cedarbay"])
def test_the_recommendations_follow_the_last_section_on_its_page(sample_builds, theme):
    lines = text_lines(sample_builds[theme]["full"].path)
    heading = next(line for line in lines if line.text == "Recommendations" and line.size > 15)
    above = [line for line in lines if line.page == heading.page and 25 * MM < line.top < heading.top]
    assert len(above) > 5   # the last section's text, on the same page


def test_a_heading_is_never_the_last_line_of_a_page(sample_builds):
    for theme in ("default", "cedarbay"):
        full = sample_builds[theme]["full"]
        lines = text_lines(full.path)
        height = page_sizes(full.path)[0][1]
        for page in range(2, full.pages):
            flow = [line for line in lines if line.page == page and 18 * MM < line.top < height - 18 * MM
                    and line.size > 11]
            if flow:
                last = max(flow, key=lambda line: line.bottom)
                assert last.size < 15, f"{theme}, page {page}: ends with the heading {last.text!r}"


# --- the one-page summary -----------------------------------------------------

def test_the_one_pager_shares_its_spare_space_out(features):
    summary = features["default"]["summary"]
    lines = text_lines(summary.path)
    height = page_sizes(summary.path)[0][1]
    footer_top = min(line.top for line in lines if line.top > height - 30 * MM)
    first_point = next(line for line in lines if line.text.startswith("Harbour employment"))
    last_point = next(line for line in lines if line.text.startswith("The survey"))
    action = next(line for line in lines if line.text == "Count harbour work every year")
    # as designed (unbalanced), the two key points sit 10 mm apart and 138 mm stay empty above the footer;
    # balanced (spacing at its 2x cap for this little content): 14 mm and 80 mm
    assert last_point.top - first_point.top > 12 * MM
    assert footer_top - action.bottom < 100 * MM


BALANCED_POINTS = MINIMAL_BRIEF.replace(
    "key_points: [The only point.]",
    "key_points: ['Harbour work doubled.', 'The [survey](https://example.org/survey) counts it.']")


def test_the_balanced_one_pager_moves_backgrounds_and_links_with_its_text(tmp_path, monkeypatch):
    import pypdfium2
    brief = write_brief(tmp_path, BALANCED_POINTS)
    monkeypatch.setattr("briefgen.writers.pdf.balance", lambda *args: 1.0)
    [designed] = build_brief(brief, ["summary"], out_dir=tmp_path / "designed")
    monkeypatch.undo()
    [balanced] = build_brief(brief, ["summary"], out_dir=tmp_path / "balanced")
    assert balanced.layouts == 1   # shared out without laying the page out again (balance.py)
    was, point = (next(line for line in text_lines(output.path) if line.text == "counts it.")
                  for output in (designed, balanced))
    assert point.top - was.top > 10 * MM
    # the link's area is where its words now are
    height = page_sizes(balanced.path)[0][1]
    [link] = [annotation.get_object() for annotation in PdfReader(balanced.path).pages[0]["/Annots"]
              if "survey" in str(annotation.get_object().get("/A", {}).get("/URI", ""))]
    top, bottom = sorted(height - float(y) for y in link["/Rect"][1::2])
    assert top < point.top < point.bottom < bottom and bottom - top < 20
    # the key points' box (its surface colour) still holds the point: its background moved too
    image = pypdfium2.PdfDocument(str(balanced.path))[0].render(scale=1).to_pil().convert("RGB")
    middle = (point.top + point.bottom) / 2
    assert image.getpixel((round(19 * MM), round(middle))) == (0xED, 0xF1, 0xF6)


def test_a_contact_line_never_ends_on_a_lone_word(tmp_path):
    contact = ("For questions about this brief, to ask for a briefing or to order printed copies, write to "
               "the publications office of the institute, who answer within the week")
    brief = write_brief(tmp_path, MINIMAL_BRIEF + f"contact: {contact}\n")
    [output] = build_brief(brief, ["summary"], out_dir=tmp_path)
    height = page_sizes(output.path)[0][1]
    footer = [line.text for line in text_lines(output.path) if line.top > height - 30 * MM]
    assert any("For questions" in line for line in footer)
    assert all(len(line.split()) > 1 for line in footer if not re.search(r"\d|brief|example", line)), footer


def test_lone_words_are_tied_at_each_line_end_across_inline_markup():
    tied = _no_lone_word('<p>Write to <a href="mailto:a@b.org">the office</a>.\nOr call us</p><p>One</p>')
    assert tied == '<p>Write to <a href="mailto:a@b.org">the\u00a0office</a>.\nOr call\u00a0us</p><p>One</p>'


# --- paper sizes and logos ----------------------------------------------------

def final_features(folder):
    """The features brief with `status: final` (no watermark across the text)."""
    shutil.copy(FEATURES.parent / "harbour.png", folder / "harbour.png")
    return write_brief(folder, FEATURES.read_text(encoding="utf-8").replace("status: draft", "status: final"))


@pytest.mark.parametrize("theme, size", [("a5", A5), ("legal", LEGAL)])
def test_a5_and_legal_themes_build_every_variant_with_a_one_page_cover_and_summary(tmp_path, theme, size):
    outputs = {output.variant: output for output in
               build_brief(final_features(tmp_path), theme=str(TEST_THEMES / theme), out_dir=tmp_path)}
    assert set(outputs) == {"full", "memo", "summary"}
    for output in outputs.values():
        assert all(abs(w - size[0]) < 1 and abs(h - size[1]) < 1 or abs(w - size[1]) < 1 and abs(h - size[0]) < 1
                   for w, h in page_sizes(output.path))
    lines = text_lines(outputs["full"].path)
    cover = {line.text for line in lines if line.page == 1}
    assert {"Harbour labour in a test brief", "January 15, 2026"} <= cover   # title to date on one page
    assert next(line for line in lines if line.text == "Key points").page == 2
    assert outputs["summary"].pages == 1
    assert outputs["memo"].pages <= 2


def test_the_sample_on_legal_paper_keeps_a_one_page_cover(tmp_path):
    outputs = {output.variant: output for output in
               build_brief(SAMPLE, theme=str(TEST_THEMES / "legal"), out_dir=tmp_path)}
    lines = text_lines(outputs["full"].path)
    assert next(line for line in lines if line.text == "20 November 2026").page == 1
    assert next(line for line in lines if line.text == "Key points").page == 2
    assert outputs["summary"].pages == 1


@pytest.mark.parametrize("paper, size", [("B5", (498.9, 708.7)), ("'170mm 240mm'", (481.9, 680.3)),
                                         ("{width: 6in, height: 9in}", (432.0, 648.0))])
def test_paper_takes_named_sizes_and_dimensions(tmp_path, paper, size):
    styles = tmp_path / "theme" / "styles"
    styles.mkdir(parents=True)
    (styles / "_brand.yml").write_text(f"defaults:\n  policy-brief:\n    paper: {paper}\n", encoding="utf-8")
    [output] = build_brief(write_brief(tmp_path), ["full"], theme=str(tmp_path / "theme"), out_dir=tmp_path)
    width, height = page_sizes(output.path)[0]
    assert abs(width - size[0]) < 0.5 and abs(height - size[1]) < 0.5


@pytest.mark.parametrize("setting, message", [
    ("    paper: A7\n", "3: defaults.policy-brief.paper: 'A7' is not a paper size: A4, A5, B5, Letter, Legal, "
                        "or two lengths such as '170mm 240mm'"),
    ("    logo-size: {cover: big}\n", "3: defaults.policy-brief.logo-size.cover: 'big' is not a length "
                                      "such as 18mm, 1.5cm, 0.5in or 24pt"),
    ("    logo-size: {footer: 5mm}\n", "3: defaults.policy-brief.logo-size.footer: unknown logo size; "
                                       "expected one of: cover, running-head, summary"),
])
def test_paper_and_logo_size_errors(tmp_path, setting, message):
    styles = tmp_path / "theme" / "styles"
    styles.mkdir(parents=True)
    (styles / "_brand.yml").write_text("defaults:\n  policy-brief:\n" + setting, encoding="utf-8")
    result = run_cli("build", write_brief(tmp_path), "--theme", tmp_path / "theme", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{styles / '_brand.yml'}:{message}"


def logo_height_mm(pdf, colour=(0xA3, 0x54, 0x1A)):
    """Height of the rust disc of the Cedar Bay logo in the cover's masthead (its top 70 mm), mm."""
    import pypdfium2
    document = pypdfium2.PdfDocument(str(pdf))
    image = document[0].render(scale=100 / 72).to_pil().convert("RGB")
    document.close()
    rows = [y for y in range(int(70 / 25.4 * 100))
            if any(max(abs(a - b) for a, b in zip(image.getpixel((x, y)), colour)) < 20
                   for x in range(0, image.width // 2, 2))]
    return (rows[-1] - rows[0]) * 25.4 / 100 if rows else 0


@pytest.mark.parametrize("sizes, expected", [("", 16), ("    logo-size: {cover: 30mm}\n", 30)])
def test_the_default_cover_logo_is_seen_across_a_room(tmp_path, sizes, expected):
    styles = tmp_path / "theme" / "styles"
    styles.mkdir(parents=True)
    shutil.copy(ROOT / "styles" / "cedarbay" / "logo.svg", styles / "logo.svg")
    (styles / "_brand.yml").write_text("logo: logo.svg\ndefaults:\n  policy-brief:\n" + (sizes or "    {}\n"),
                                       encoding="utf-8")
    [output] = build_brief(write_brief(tmp_path), ["full"], theme=str(tmp_path / "theme"), out_dir=tmp_path)
    # the disc is most of the logo's height
    assert expected * 0.6 < logo_height_mm(output.path) <= expected + 1


def test_the_running_head_carries_the_logo_at_its_size(sample_builds):
    """Cedar Bay's logo (logo-size: running-head: 6mm) at the right of the running head, not on the cover."""
    import pypdfium2
    full = sample_builds["cedarbay"]["full"]
    document = pypdfium2.PdfDocument(str(full.path))
    scale = 100 / 72

    def rust_rows(index):
        image = document[index].render(scale=scale).to_pil().convert("RGB")
        head = image.crop((image.width - int(40 * MM * scale), 0, image.width, int(22 * MM * scale)))
        return [y for y in range(head.height) if any(
            max(abs(a - b) for a, b in zip(head.getpixel((x, y)), (0xA3, 0x54, 0x1A))) < 20 for x in range(head.width))]

    rows = rust_rows(2)
    cover = rust_rows(0)
    document.close()
    assert 4.5 < (rows[-1] - rows[0]) * 25.4 / 100 <= 6.5   # the disc is most of the logo's 6 mm
    assert cover == []


# --- status ---------------------------------------------------------------------

def watermark_pages(pdf):
    """Pages carrying the large diagonal DRAFT: text drawn rotated and large."""
    pages = set()
    for number, page in enumerate(PdfReader(pdf).pages, 1):
        def visit(text, cm, tm, font, size, number=number):
            if "DRAFT" in text.replace(" ", "") and abs(cm[1]) > 0.1 and size > 40:   # turned, and large
                pages.add(number)
        page.extract_text(visitor_text=visit)
    return pages


@pytest.fixture(scope="module")
def draft_sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("draft")
    shutil.copytree(SAMPLE.parent, folder / "briefs", ignore=shutil.ignore_patterns("previews", "*.*.yaml"))
    brief = folder / "briefs" / SAMPLE.name
    brief.write_text(SAMPLE.read_text(encoding="utf-8").replace("\ndate:", "\nstatus: draft\ndate:", 1),
                     encoding="utf-8")
    return brief, {output.variant: output for output in build_brief(brief, out_dir=folder / "out")}


def test_the_sample_as_a_draft_has_the_watermark_on_every_page(draft_sample):
    _, outputs = draft_sample
    for output in outputs.values():
        assert watermark_pages(output.path) == set(range(1, output.pages + 1)), output.variant
    full = outputs["full"]
    assert PdfReader(full.path).metadata["/status"] == "draft"   # WeasyPrint lower-cases meta names
    lines = text_lines(full.path)
    heads = [line for line in lines if line.text.replace(" ", "") == "DRAFT" and line.top < 22 * MM]
    assert {line.page for line in heads} == set(range(2, full.pages))   # the running head, cover and back aside


def test_a_final_brief_has_no_watermark_and_no_status(sample_builds):
    full = sample_builds["default"]["full"]
    assert watermark_pages(full.path) == set()
    assert "/status" not in PdfReader(full.path).metadata


def test_pdf_a_refuses_a_draft_in_one_line(draft_sample, tmp_path):
    brief, _ = draft_sample
    result = run_cli("build", brief, "--pdf-standard", "a-2b", "--out", tmp_path)
    assert result.exit_code == 1
    line = brief.read_text(encoding="utf-8").splitlines().index("status: draft") + 1
    assert result.stderr.strip().splitlines()[0] == (
        f"{brief}:{line}: status: a brief in draft is not archived: PDF/A (--pdf-standard a-2b) needs 'status: final'")
    assert not list(tmp_path.glob("*.pdf"))


def test_an_unknown_status_is_an_error(tmp_path):
    result = run_cli("check", write_brief(tmp_path, MINIMAL_BRIEF + "status: drafty\n"))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{tmp_path / 'brief.yaml'}:8: status: 'drafty' is not one of: draft, review, final"


# --- appendices -----------------------------------------------------------------

@pytest.mark.parametrize("theme", ["default", "cedarbay"])
def test_appendices_follow_the_references_lettered_with_their_own_numbers(features, theme):
    full = features[theme]["full"]
    pages = [page.extract_text().replace("\u00a0", " ") for page in PdfReader(full.path).pages]
    whole = "\n".join(pages)
    assert re.search(r"Appendix A\s+The survey\s*\.[ .]*\d", whole)       # in the contents, with its page
    assert re.search(r"Appendix B\s+Definitions\s*\.[ .]*\d", whole)
    survey = next(number for number, text in enumerate(pages) if "APPENDIX A" in text and "The survey" in text)
    recommendations = next(number for number, text in enumerate(pages) if "Count harbour work every year" in text)
    assert survey > recommendations
    assert "APPENDIX A · THE SURVEY DRAFT" in pages[survey]                   # its running head
    assert "Table A.1. Sources of the survey." in pages[survey]
    assert "Table A.1 lists them" in pages[survey]                             # @tbl-sources
    assert "The survey in Appendix A explains" in " ".join(whole.split())   # @app-survey
    outline = [item.title for item in PdfReader(full.path).outline if not isinstance(item, list)]
    assert any("The survey" in title for title in outline)


def test_a_reference_to_an_unknown_appendix_is_an_error(tmp_path):
    text = MINIMAL_BRIEF.replace("summary: The summary.", "summary: See @app-methods.") + \
        "appendices:\n  - title: Method\n    content: [How.]\n"
    result = run_cli("check", write_brief(tmp_path, text))
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"{tmp_path / 'brief.yaml'}:3: summary: unknown cross-reference "
                                     "'@app-methods': no appendix has the id 'methods'")


def test_a_table_id_used_in_a_section_and_an_appendix_is_an_error(tmp_path):
    text = MINIMAL_BRIEF.replace("    content: [Some text.]",
                                 "    content:\n      - table: {id: t, caption: A., columns: [a], rows: [[1]]}") + \
        "appendices:\n  - title: Method\n    content:\n      - table: {id: t, caption: B., columns: [a], rows: [[2]]}\n"
    result = run_cli("check", write_brief(tmp_path, text))
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"{tmp_path / 'brief.yaml'}:12: appendices[0].content[0].table.id: "
                                     "id 't' is already used by sections[0].content[0].table")


# --- the cover picture ----------------------------------------------------------

@pytest.mark.parametrize("theme", ["default", "cedarbay"])
def test_the_cover_picture_is_on_the_cover_with_its_alt_text_and_credit(features, theme):
    full = features[theme]["full"]
    with pikepdf.open(full.path) as pdf:
        cover = pdf.pages[0]
        images = [name for name, xobject in cover.Resources.get("/XObject", {}).items()
                  if xobject.get("/Subtype") == "/Image"]
        assert images
        figures = [element for element in elements(pdf.Root.StructTreeRoot) if str(element.S) == "/Figure"]
        assert "A harbour at dusk under a low sun." in [str(figure.get("/Alt")) for figure in figures]
    cover_text = {line.text for line in text_lines(full.path) if line.page == 1}
    assert "Illustration: the test suite" in cover_text


def test_the_cover_picture_is_an_input_of_the_build_and_must_exist(tmp_path):
    shutil.copy(FEATURES.parent / "harbour.png", tmp_path / "harbour.png")
    text = MINIMAL_BRIEF + "cover: {image: harbour.png, alt: A harbour.}\n"
    plan = plan_brief(write_brief(tmp_path, text), Options(out_dir=tmp_path / "out"))
    assert tmp_path / "harbour.png" in plan.inputs                # an incremental build sees it change
    (tmp_path / "harbour.png").unlink()
    result = run_cli("check", tmp_path / "brief.yaml")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith(f"{tmp_path / 'brief.yaml'}:8: cover.image: ")
    assert "harbour.png" in result.stderr
