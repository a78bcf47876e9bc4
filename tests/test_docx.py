"""The Word edition (`--format docx`, briefgen/writers/docx/): built through
the command line, read back with python-docx (styles, footnotes, tables,
pictures, properties, language), and opened by LibreOffice headless, whose
PDF must hold every paragraph of the brief.

The composed HTML (--html, beside each file) is what the edition is made
from, so it is the test's account of what each file must hold."""

import re
import shutil
import sys
import subprocess
import unicodedata
import zipfile
from copy import deepcopy
from datetime import datetime

import lxml.etree
import lxml.html
import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from conftest import MINIMAL_BRIEF, ROOT, SAMPLE, run_cli

FEATURES = ROOT / "tests" / "features" / "features.yaml"   # a cover image, a wide table, appendices
KOREAN = ROOT / "briefs" / "north-korea-trafficking.ko.yaml"
ARABIC = ROOT / "briefs" / "north-korea-trafficking.ar.yaml"
POSIT = ROOT / "tests" / "brands" / "posit"
BRIEFS = {"north-korea-trafficking": SAMPLE, "features": FEATURES}
VARIANTS = ("full", "memo", "summary")
FOOTNOTES = "word/footnotes.xml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample brief and the features brief, every variant, as Word files."""
    out = tmp_path_factory.mktemp("docx")
    result = run_cli("build", SAMPLE, FEATURES, "--format", "docx", "--html", "--out", out)
    assert result.exit_code == 0, result.output
    return out, result


@pytest.fixture(scope="module")
def translations(tmp_path_factory):
    out = tmp_path_factory.mktemp("docx-languages")
    result = run_cli("build", KOREAN, ARABIC, "--format", "docx", "-v", "full", "-v", "memo", "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def branded(tmp_path_factory):
    """The sample in posit's brand (tests/brands/posit): its blue and near-black,
    and, for its web fonts (not fetched), two system families of its own."""
    folder = tmp_path_factory.mktemp("docx-posit")
    theme = folder / "theme"
    shutil.copytree(POSIT, theme)
    brand = theme / "styles" / "_brand.yml"
    fonts = ("  fonts:\n"
             "    - {family: Noto Sans, source: system, package: fonts-noto-core, files: "
             "[{path: /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf, weight: 400}]}\n"
             "    - {family: Noto Serif, source: system, package: fonts-noto-core, files: "
             "[{path: /usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf, weight: 400}]}\n")
    text = re.sub(r"  fonts:\n(?:    .*\n)+", fonts, brand.read_text(encoding="utf-8"))
    text = text.replace("  base: Open Sans\n", "  base: Noto Sans\n").replace("  monospace: Source Code Pro\n", "")
    brand.write_text(text.replace("  headings:\n", "  headings:\n    family: Noto Serif\n"), encoding="utf-8")
    result = run_cli("build", SAMPLE, "--theme", theme, "-v", "full", "--format", "docx", "--out", folder / "out")
    assert result.exit_code == 0, result.output
    return folder / "out" / "north-korea-trafficking-full.docx"


def files(out, variants=VARIANTS):
    return [out / f"{stem}-{variant}.docx" for stem in BRIEFS for variant in variants]


def composed(docx_file):
    return lxml.html.parse(str(docx_file.with_suffix(".html"))).getroot()


def words(element):
    return " ".join(element.text_content().split())


def body_elements(html, path):
    """Elements of the composed HTML but the printed contents list (a field replaces it)."""
    return [element for element in html.xpath(path) if not element.xpath("ancestor::nav")]


def test_each_variant_of_each_brief_is_a_word_file(built):
    out, result = built
    for file in files(out):
        assert zipfile.is_zipfile(file), file
        assert str(file) in result.output   # the closing table names it
    assert not list(out.glob("*.pdf"))       # the Word edition alone, no PDF beside it


def test_headings_are_words_heading_styles_at_their_level(built):
    """h2 (a section) is Heading 1, h3 Heading 2: Word's navigation pane lists them."""
    out, _ = built
    for file in files(out):
        expected = [(int(element.tag[1]) - 1, words(element))
                    for element in body_elements(composed(file), "//h2 | //h3 | //h4 | //h5 | //h6")]
        document = Document(file)
        found = [(int(paragraph.style.style_id.removeprefix("Heading")), paragraph.text.strip())
                 for paragraph in document.paragraphs if paragraph.style.style_id.startswith("Heading")]
        assert found == expected, file.name
        for level in {level for level, _ in found}:
            style = document.styles[f"Heading {level}"]
            assert style.element.name_val == f"heading {level}"   # Word's built-in heading, not a look-alike
            assert style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == str(level - 1)


def test_the_full_brief_has_its_sections_and_actions_as_headings(built):
    out, _ = built
    found = [(paragraph.style.name, paragraph.text) for paragraph in
             Document(out / "north-korea-trafficking-full.docx").paragraphs if paragraph.style.name.startswith("Heading")]
    assert ("Heading 1", "The designation and its frameworks") in found
    assert ("Heading 2", "Keep forced labour on the security agenda") in found
    assert found.index(("Heading 1", "Recommendations")) < found.index(
        ("Heading 2", "Keep forced labour on the security agenda"))


def footnote_texts(file):
    """The footnotes' texts in the order the document calls them."""
    with zipfile.ZipFile(file) as archive:
        if FOOTNOTES not in archive.namelist():
            return []
        notes = lxml.etree.fromstring(archive.read(FOOTNOTES))
        body = lxml.etree.fromstring(archive.read("word/document.xml"))
    texts = {note.get(f"{W}id"): " ".join("".join(note.itertext()).split()) for note in notes.iter(f"{W}footnote")}
    return [texts[call.get(f"{W}id")] for call in body.iter(f"{W}footnoteReference")]


def test_footnotes_are_words_footnotes_with_their_text(built):
    out, _ = built
    counted = 0
    for file in files(out):
        expected = [words(note) for note in composed(file).xpath("//span[@class='footnote']")]
        assert footnote_texts(file) == expected, file.name
        counted += len(expected)
    assert footnote_texts(out / "north-korea-trafficking-full.docx")[0].startswith("This brief uses “the DPRK”")
    assert counted >= 7


def test_each_tables_header_row_repeats_on_every_page(built):
    """A table's header row (thead) is marked to repeat (w:tblHeader); a table
    without one (the memo's to/from lines) has none."""
    out, _ = built
    headers = 0
    for file in files(out):
        expected = [[words(cell) for cell in table.xpath("thead/tr[1]/th")] or None
                    for table in body_elements(composed(file), "//table")]
        found = []
        for table in Document(file).tables:
            first = table.rows[0]._tr
            repeats = first.trPr is not None and first.trPr.find(qn("w:tblHeader")) is not None
            found.append([cell.text.strip() for cell in table.rows[0].cells] if repeats else None)
        assert found == expected, file.name
        headers += sum(header is not None for header in found)
    assert headers >= 4


def test_every_picture_has_its_alt_text_and_charts_are_pictures(built):
    out, _ = built
    charts = 0
    for file in files(out):
        images = body_elements(composed(file), "//img")
        charts += sum("/charts/" in image.get("src") for image in images)
        body = Document(file).element.body
        described = [frame.get("descr") for frame in body.iter(qn("wp:docPr"))]
        assert described == [image.get("alt") for image in images], file.name
        assert all(described), file.name
        assert len(list(body.iter(qn("pic:pic")))) == len(images)
    assert charts >= 2   # the sample's charts, drawn by vl-convert, are pictures too


def test_the_table_of_contents_is_a_field_where_the_contents_list_was(built):
    out, _ = built
    xml = Document(out / "north-korea-trafficking-full.docx").element.body.xml
    assert re.search(r'<w:instrText[^>]*>\s*TOC \\o "1-2" \\h', xml)
    field = xml.index("TOC \\o")
    assert xml.index(">Executive summary<") < xml.index(">Contents<") < field < xml.index(
        ">The designation and its frameworks<")   # where the print edition has its contents
    assert "instrText" not in Document(out / "north-korea-trafficking-memo.docx").element.body.xml   # none printed


def test_the_cover_fields_are_words_title_block(built):
    out, _ = built
    paragraphs = {paragraph.style.name: paragraph.text for paragraph in
                  reversed(Document(out / "north-korea-trafficking-full.docx").paragraphs)}
    assert paragraphs["Title"] == "Tier 3 by design: North Korea’s human trafficking designation"
    assert paragraphs["Subtitle"].startswith("Why the DPRK sits at the bottom")
    assert paragraphs["Date"] == "20 November 2026"
    assert paragraphs["Author"].startswith("Eleanor Marsh\nSenior Policy Analyst\nNortheast Asia Rights Observatory")


def test_core_properties_and_the_document_language(built):
    out, _ = built
    document = Document(out / "north-korea-trafficking-full.docx")
    properties = document.core_properties
    assert properties.title == "Tier 3 by design: North Korea’s human trafficking designation"
    assert properties.author == "Eleanor Marsh; Samuel Adeyemi"
    assert properties.language == "en-GB"
    assert properties.created.replace(tzinfo=None) == datetime(2026, 11, 20)
    assert default_run(document).find(qn("w:lang")).get(qn("w:val")) == "en-GB"
    assert Document(out / "features-full.docx").core_properties.author == "Ada Example"


def default_run(document):
    return document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))


def test_korean_sets_the_east_asian_language_and_font(translations):
    document = Document(translations / "north-korea-trafficking.ko-full.docx")
    assert document.core_properties.language == "ko"
    run = default_run(document)
    assert run.find(qn("w:lang")).get(qn("w:eastAsia")) == "ko"
    assert run.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "Noto Serif CJK KR"


def test_arabic_paragraphs_run_right_to_left(translations):
    document = Document(translations / "north-korea-trafficking.ar-full.docx")
    assert document.core_properties.language == "ar"
    run = default_run(document)
    assert run.find(qn("w:lang")).get(qn("w:bidi")) == "ar"
    assert "Arabic" in run.find(qn("w:rFonts")).get(qn("w:cs"))
    paragraphs = [paragraph for paragraph in document.paragraphs if paragraph.text.strip()]
    assert len(paragraphs) > 50
    assert all(paragraph._p.pPr is not None and paragraph._p.pPr.find(qn("w:bidi")) is not None
               for paragraph in paragraphs)
    memo = Document(translations / "north-korea-trafficking.ar-memo.docx")   # its to/from lines are a table
    assert memo.tables and all(table._tbl.tblPr.find(qn("w:bidiVisual")) is not None for table in memo.tables)


def style_colour(style):
    return style.font.color.rgb and str(style.font.color.rgb)


def header_fill(document):
    table = document.styles["Table"].element
    first = next(part for part in table.findall(qn("w:tblStylePr")) if part.get(qn("w:type")) == "firstRow")
    return first.find(qn("w:tcPr")).find(qn("w:shd")).get(qn("w:fill"))


def test_the_styles_take_the_brands_fonts_and_colours(built, branded):
    document = Document(branded)
    heading = document.styles["Heading 1"]
    assert style_colour(heading) == "447099"                     # posit's primary (blue)
    assert heading.element.rPr.find(qn("w:rFonts")).get(qn("w:ascii")) == "Noto Serif"
    assert default_run(document).find(qn("w:rFonts")).get(qn("w:ascii")) == "Noto Sans"
    assert default_run(document).find(qn("w:color")).get(qn("w:val")) == "151515"   # its foreground
    assert header_fill(document) == "447099"
    default = Document(built[0] / "north-korea-trafficking-full.docx")   # the default theme's, for contrast
    assert style_colour(default.styles["Heading 1"]) == "1F3A5F" and header_fill(default) == "1F3A5F"
    assert default.styles["Heading 1"].font.size.pt == 15 and default.styles["Heading 2"].font.size.pt == 11.5


def normal(text):
    """Words only, lower case, compatibility forms folded (ligatures), hyphens
    dropped: LibreOffice breaks a line after a word's own hyphen."""
    text = re.sub(r"[-\u2010\u2011\u00ad]\s*", "", unicodedata.normalize("NFKC", text))
    return re.sub(r"[\W_]+", " ", text).lower().strip()


def paragraphs_of(html):
    """Every paragraph of the composed brief (but the printed contents list),
    in pieces: a footnote is its own paragraph, and a cross-reference (whose
    number Word's edition writes in) or a cover's author field ends a piece."""
    pieces = []
    for element in body_elements(html, "//p | //li | //th | //td | //h1 | //h2 | //h3 | //h4 | //caption"
                                       " | //figcaption | //span[@class='footnote']"):
        copy = deepcopy(element)
        for part in copy.xpath(".//span[@class='footnote'] | .//a[@class='footnote-call']"):
            part.text, part[:], part.tail = "\u2063", [], "\u2063" + (part.tail or "")   # the note: a piece of its own
        for part in copy.xpath(".//br"):
            part.tail = "\u2063" + (part.tail or "")
        for part in copy.xpath(".//a[contains(@class, 'xref')] | .//span[@class='name' or @class='role' or @class='affiliation' or @class='organisation']"):
            part.text, part.tail = "\u2063" + (part.text or ""), "\u2063" + (part.tail or "")
        pieces += [normal(piece) for piece in copy.text_content().split("\u2063") if normal(piece)]
    return pieces


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_it_to_a_pdf_with_every_paragraph(built, tmp_path):
    out, _ = built
    documents = [*files(out, ("full",)), out / "north-korea-trafficking-memo.docx",
                 out / "north-korea-trafficking-summary.docx"]
    done = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, documents)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr and "error" not in done.stdout.lower(), done.stdout + done.stderr
    for document in documents:
        pdf = tmp_path / document.with_suffix(".pdf").name
        text = normal(" ".join(page.extract_text() for page in PdfReader(pdf).pages))
        html = composed(document)
        notes = [normal(words(note)) for note in html.xpath("//span[@class='footnote']")]
        for note in notes:   # at the foot of a page, maybe inside a paragraph that goes on over the page
            assert note in text, (document.name, note)
            text = re.sub(r"(?:\b\d+ )?" + re.escape(note), " ", text, count=1)
        text = " ".join(text.split())
        missing = [piece for piece in paragraphs_of(html) if piece not in text and piece not in notes]
        # A row whose cells wrap is extracted line by line across its cells: a cell's words, then.
        cells = {piece for element in body_elements(html, "//th | //td") for piece in [normal(words(element))]}
        present = set(text.split())
        missing = [piece for piece in missing if not (piece in cells and set(piece.split()) <= present)]
        assert missing == [], (document.name, missing)


def labelled(paragraph):
    """(the caption's number, in its own character style; the rest of its text)"""
    label = "".join(run.text for run in paragraph.runs if run.style.name == "Caption Label")
    return label, paragraph.text[len(label):]


def test_captions_and_references_carry_the_numbers_print_counts(built):
    """'Table A.1.' in an appendix, as in print; the number in a style of its
    own, the figure's source and the table's source in theirs."""
    out, _ = built
    features = Document(out / "features-full.docx").paragraphs
    captions = [labelled(paragraph) for paragraph in features if paragraph.style.name == "Table Caption"]
    assert captions == [("Table 1. ", "Harbour workers by province, 2015-2025."),
                        ("Table A.1. ", "Sources of the survey.")]
    text = "\n".join(paragraph.text for paragraph in features)
    assert "(Table\u00a01). The sources are counted in Table\u00a0A.1." in text and "in Appendix\u00a0A." in text
    sample = Document(out / "north-korea-trafficking-full.docx").paragraphs
    figures = [paragraph for paragraph in sample if paragraph.style.name == "Image Caption"]
    assert [labelled(paragraph)[0] for paragraph in figures] == ["Figure 1. ", "Figure 2. ", "Figure 3. "]
    assert all(paragraph.runs[-1].style.name == "Figure Source" and paragraph.runs[-1].text.startswith("Source:")
               for paragraph in figures)
    assert [paragraph.text.split(":")[0] for paragraph in sample if paragraph.style.name == "Table Source"] == [
        "Source", "Source"]


def test_without_the_word_extra_the_build_says_what_to_install(tmp_path, monkeypatch, in_root):
    """python-docx and pypandoc-binary are the `word` extra: without them a
    --format docx build fails in one line naming it (and `brief check`, which
    loads every writer, still works)."""
    for name in [name for name in sys.modules if name.startswith("briefgen.writers.docx.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "docx", None)
    monkeypatch.setitem(sys.modules, "pypandoc", None)
    brief = tmp_path / "brief.yaml"
    brief.write_text(MINIMAL_BRIEF, encoding="utf-8")
    result = run_cli("build", brief, "-v", "full", "--format", "docx", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert (f"{brief}:1: the Word edition needs pypandoc-binary and python-docx: "
            "pip install 'policy-brief-generator[word]'") in result.output
    assert not (tmp_path / "out" / "brief-full.docx").exists()
    assert run_cli("check", brief).exit_code == 0
