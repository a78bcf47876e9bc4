"""`brief import`: Word drafts (made here with python-docx or pandoc, and
pandoc's own test documents in tests/import_docs/) become briefs that pass the
check and build; every paragraph of the draft is in the PDF, pictures keep
their alt text, footnotes and citations survive, and the report lists
exactly what was not carried over."""

import datetime
import json
import re
import sys
from pathlib import Path

import docx
import pikepdf
import pypandoc
import pytest
import yaml
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from pypdf import PdfReader

from briefgen.inputs.tabular import read_table
from briefgen.render.pdf_check import elements, structure_problems
from conftest import ROOT, SAMPLE, build_brief, check_brief, flat, run_cli
from test_pdfua import pdfua_findings
from word_drafts import HEAT_PARAGRAPHS, heat_draft, picture

DOCS = ROOT / "tests" / "import_docs"
FEATURES = ROOT / "tests" / "features" / "features.yaml"   # appendices, a cover picture, a wide table
CITED = re.compile(r"\([^()]*\b(1[89]|20)[0-9]{2}\b[^()]*\)")   # Word's printed citation: (Smith et al., 2013)
DATES = "in the document's properties: no date in the text: the file's creation date {} written"
NO_SUMMARY = "in the whole document: no 'Summary' section: the first paragraph is also the summary"
NO_KEY_POINTS = "in the whole document: no 'Key points' section: the summary's first paragraph is the one key point"
NO_SUMMARY_AT_ALL = "in the whole document: no 'Summary' section: the summary is '-'"
NO_KEY_POINT_AT_ALL = "in the whole document: no 'Key points' section: the one key point is '-'"
NO_TITLE = ("in the document's properties: no title in the properties or the first line: "
            "the file's name '{}' is the title")
ONE_SECTION = "in the whole document: no heading that starts a section: the text is one section, titled '{}'"


def import_draft(draft, brief, *options):
    result = run_cli("import", draft, "-o", brief, *options)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    report = [line for line in lines[2:] if line.startswith("  ")]
    return report if len(lines) > 1 and lines[1].startswith("Not carried over") else [], lines


def built_text(brief, out):
    [output] = build_brief(brief, ["full"], out_dir=out)
    return output.path, flat("\n".join(page.extract_text() for page in PdfReader(output.path).pages))


def appears(paragraph, text):
    """The paragraph's words in the PDF's, in order; footnote calls (numbers) may come between them."""
    words = flat(paragraph).split()
    return re.search(r"\b" + r"(?: [0-9]+)? ".join(map(re.escape, words)) + r"\b", text) is not None


def draft_paragraphs(path, until=None):
    """Every paragraph of a Word file's body, tables and text boxes included,
    as Word shows it with its changes accepted (inserted text in, deleted text out);
    until: a heading where the list stops (the reference list Word's citation tool made)."""
    found = []
    for paragraph in docx.Document(path).element.body.iter(qn("w:p")):
        text = "".join(node.text or "" for node in paragraph.iter(qn("w:t")))
        if until and text == until:
            break
        if text.strip() and text not in found:
            found.append(text)
    return found


def figure_alts(pdf):
    with pikepdf.open(pdf) as document:
        return [str(element.get("/Alt")) for element in elements(document.Root.StructTreeRoot)
                if str(element.S) == "/Figure"]


# --- a draft written with python-docx ---------------------------------------

@pytest.fixture(scope="module")
def heat(tmp_path_factory):
    folder = tmp_path_factory.mktemp("heat")
    draft = heat_draft(folder / "draft.docx")
    report, lines = import_draft(draft, folder / "briefs" / "heat.yaml")
    brief = folder / "briefs" / "heat.yaml"
    pdf, text = built_text(brief, folder / "out")
    return {"draft": draft, "brief": brief, "data": yaml.safe_load(brief.read_text()), "report": report,
            "lines": lines, "pdf": pdf, "text": text}


def test_the_drafts_fields_sections_table_and_figure_become_the_briefs(heat):
    data = heat["data"]
    assert (data["title"], data["subtitle"], data["date"]) == (
        "Heat and outdoor work", "Why heat plans matter for outdoor workers", datetime.date(2026, 6, 1))
    assert data["authors"] == [{"name": "Ana Ruiz"}, {"name": "Ben Okafor"}]
    assert data["key_points"] == HEAT_PARAGRAPHS[:2]
    assert data["summary"] == HEAT_PARAGRAPHS[2]
    assert data["recommendations"] == [{"text": HEAT_PARAGRAPHS[8]}, {"text": HEAT_PARAGRAPHS[9]}]
    [section] = data["sections"]
    text, table, figure, loose_picture = section["content"]
    assert section["title"] == "Background"
    assert text.split("\n\n") == [
        "Construction and farm workers face the **hottest hours** of the day *without shade or water*.",
        "The [national weather service](https://example.org/weather) publishes heat warnings.",
        "Employers rarely have a plan for the days it warns of.",
        "### Outdoor work in the heat",
        "> Nobody should die of heat at work."]
    assert table == {"table": {"caption": "Working hours lost to heat (illustrative)", "columns": ["Sector", "Hours lost"],
                               "rows": [["Construction", "120"], ["Farming", "95"]]}}
    assert figure == {"figure": {"image": "figures/heat-1.png", "caption": "The midday sun",
                                 "alt": "An orange square standing for the midday sun"}}
    assert loose_picture == "![No alt text in the draft: describe this picture](figures/heat-2.png)"
    assert heat["lines"][0].endswith("heat.yaml (1 sections, 1 tables, 1 figures, 2 pictures, 0 references)")


def test_the_report_lists_the_comment_the_changes_and_the_missing_alt_text(heat):
    assert heat["report"] == [
        "  under 'Background': a comment by Reviewer One: 'Source for this?': left out",
        "  under 'Background': a tracked insertion by Reviewer Two: 'rarely': accepted: the text is in the brief",
        "  under 'Background': a tracked deletion by Reviewer Two: 'always': accepted: the text is left out",
        "  " + DATES.format("2026-06-01"),
        "  under 'Outdoor work in the heat': a picture (image2.png) without alt text: its alt text says "
        "'No alt text in the draft: describe this picture' until you write one",
    ]


def test_a_placeholder_alt_text_is_a_warning_at_import_and_at_every_build(heat, tmp_path):
    placeholder = ("heat.yaml:41: sections[0].content[3]: image 'figures/heat-2.png': "
                   "alt text is brief import's placeholder; describe what the image shows")
    [warning] = [line for line in heat["lines"] if line.startswith("warning:")]
    assert warning == f"warning: {heat['brief']}".removesuffix("heat.yaml") + placeholder
    build = run_cli("build", heat["brief"], "-v", "summary", "--out", tmp_path)
    assert build.exit_code == 0 and placeholder in build.output


def test_every_paragraph_of_the_draft_is_in_the_pdf(heat):
    paragraphs = draft_paragraphs(heat["draft"])
    assert "Employers rarely have a plan for the days it warns of." in paragraphs
    missing = [paragraph for paragraph in paragraphs if not appears(paragraph, heat["text"])]
    assert missing == []
    assert not appears("always", heat["text"])   # the tracked deletion, accepted


def test_pictures_go_to_figures_with_their_alt_text_into_the_pdf(heat):
    folder = heat["brief"].parent
    blobs = [shape._inline.graphic.graphicData.pic.blipFill.blip.embed for shape in
             docx.Document(heat["draft"]).inline_shapes]
    parts = docx.Document(heat["draft"]).part.related_parts
    assert (folder / "figures" / "heat-1.png").read_bytes() == parts[blobs[0]].blob
    assert (folder / "figures" / "heat-2.png").read_bytes() == parts[blobs[1]].blob
    assert figure_alts(heat["pdf"]) == ["An orange square standing for the midday sun",
                                        "No alt text in the draft: describe this picture"]


def test_the_imported_brief_passes_both_pdf_ua_checkers(heat):
    assert structure_problems(heat["pdf"]) == []
    assert pdfua_findings(heat["pdf"]) == ""


# --- pandoc's own test documents ---------------------------------------------

OUTSIDE = {
    "notes": [NO_TITLE.format("Notes"), DATES.format("2014-06-12"), NO_SUMMARY, NO_KEY_POINTS],
    "tables": [
        NO_TITLE.format("Tables"), DATES.format("2014-06-12"),
        "under 'A table, with and without a header row': table 1: no caption: its caption says 'No caption in the draft'",
        "under 'A table, with and without a header row': table 2: no header row: its first row is the header row",
        "under 'A table, with and without a header row': table 2: no caption: its caption says 'No caption in the draft'",
        "under 'A table, with and without a header row': table 3: no header row: its first row is the header row",
        "under 'A table, with and without a header row': table 3: no caption: its caption says 'No caption in the draft'",
        NO_SUMMARY_AT_ALL, NO_KEY_POINT_AT_ALL],
    "image": [DATES.format("2014-07-31"), ONE_SECTION.format("An image:"), NO_SUMMARY_AT_ALL, NO_KEY_POINT_AT_ALL],
    "zotero_citations": [
        NO_TITLE.format("Zotero citations"), DATES.format("2022-01-18"),
        "under 'Reference list': the draft's list of references: left out: the brief prints its references "
        "from the citations", ONE_SECTION.format("Zotero citations"), NO_SUMMARY, NO_KEY_POINTS],
    "mendeley_citations": [
        NO_TITLE.format("Mendeley citations"), DATES.format("2022-02-03"),
        "under 'References': the draft's list of references: left out: the brief prints its references "
        "from the citations", ONE_SECTION.format("Mendeley citations"), NO_SUMMARY, NO_KEY_POINTS],
    "comments": [
        *(f"before the first heading: a comment by Jesse Rosenthal: '{text}': left out" for text in
          ("I left a comment.", "A comment across paragraphs.", "This one has multiple paragraphs. See?",
           "Do something.", "Do something else.")),
        NO_TITLE.format("Comments"), DATES.format("2016-05-09"), ONE_SECTION.format("Comments"), NO_SUMMARY,
        NO_KEY_POINTS],
    "track_changes_insertion": [
        "before the first heading: a tracked insertion by eng-dept: 'two exciting': accepted: the text is in the brief",
        NO_TITLE.format("Track changes insertion"), DATES.format("2014-06-25"),
        ONE_SECTION.format("Track changes insertion"), NO_SUMMARY, NO_KEY_POINTS],
    "diagram": [
        NO_TITLE.format("Diagram"), DATES.format("2021-09-29"),
        NO_SUMMARY_AT_ALL, NO_KEY_POINT_AT_ALL,
        "under 'Diagram after:': a heading with no text after it: the section says "
        "'(This section has no text in the draft.)'",
        "under 'Diagram after:': a SmartArt diagram: left out: save it as a picture and add it as a figure"],
    "links": [
        NO_TITLE.format("Links"), DATES.format("2014-06-12"),
        "under 'An internal link and an external link': a link inside the document on 'internal link': "
        "kept as text without the link", NO_SUMMARY, NO_KEY_POINTS],
    "textbox_image": [
        DATES.format("2025-02-26"), "in the document's properties: the property 'subject' (<%DESCRIPTION%>): not imported",
        "in the document's properties: the property 'comments' (<%PublishDate%>): not imported",
        ONE_SECTION.format("<%AcceptAction::Approve%>"), NO_SUMMARY, NO_KEY_POINTS,
        "before the first heading: a text box (no text): its text left out; the picture in it left out"],
}
REFERENCE_LISTS = {"zotero_citations": "Reference list", "mendeley_citations": "References"}


@pytest.fixture(scope="module")
def outside(tmp_path_factory):
    """Each of pandoc's documents imported and its full brief built, once."""
    folder = tmp_path_factory.mktemp("outside")
    done = {}
    for name in OUTSIDE:
        brief = folder / name / f"{name}.yaml"
        report, _ = import_draft(DOCS / f"{name}.docx", brief)
        check_brief(brief)
        pdf, text = built_text(brief, folder / name / "out")
        done[name] = {"brief": brief, "data": yaml.safe_load(brief.read_text()), "report": report, "pdf": pdf,
                      "text": text}
    return done


@pytest.mark.parametrize("name", sorted(OUTSIDE))
def test_the_report_of_a_document_nobody_here_wrote_lists_exactly_what_was_left_out(outside, name):
    assert outside[name]["report"] == [f"  {line}" for line in OUTSIDE[name]]


@pytest.mark.parametrize("name", sorted(OUTSIDE))
def test_every_paragraph_of_a_document_nobody_here_wrote_is_in_its_pdf(outside, name):
    paragraphs = draft_paragraphs(DOCS / f"{name}.docx", until=REFERENCE_LISTS.get(name))
    assert paragraphs
    # Word's printed citations "(Smith et al., 2013)" are the brief's own citations now (tested below)
    missing = [paragraph for paragraph in paragraphs if not appears(CITED.sub(" ", paragraph), outside[name]["text"])]
    assert missing == []


def test_footnotes_and_endnotes_stay_notes(outside):
    notes = outside["notes"]
    assert notes["data"]["sections"][0]["content"] == [
        "Test footnote.^[My note.] Test endnote.^[This is an endnote at the end of the document.]"]
    assert "test footnote 1 test endnote 2" in notes["text"]
    assert "1 my note" in notes["text"] and "2 this is an endnote at the end of the document" in notes["text"]


def test_a_picture_keeps_its_alt_text(outside):
    image = outside["image"]
    alt = "He realizes he's making the file-size too big."
    assert image["data"]["sections"][0]["content"] == [f"![{alt}](figures/image-1.jpg)"]
    assert figure_alts(image["pdf"]) == [alt]


@pytest.mark.parametrize("name, keys, titles", [
    ("zotero_citations", ["smith2013", "boer2016", "smith2013", "bellomo2016"],
     ["A comparison of full-field and anomaly initialization", "The Decadal Climate Prediction Project",
      "New observational evidence for a positive cloud feedback"]),
    ("mendeley_citations", ["hadwenbennett2018", "seo2019", "lee2011", "koh2015"],
     ["Making Programming Accessible to Learners", "Is the Maker Movement Inclusive",
      "Future of library and museum services", "Computational Thinking for Youth in Practice"]),
])
def test_zotero_and_mendeley_citations_become_a_bibliography_and_citations(outside, name, keys, titles):
    found = outside[name]
    bibliography = found["brief"].parent / f"{name}.json"
    assert found["data"]["bibliography"] == bibliography.name
    items = json.loads(bibliography.read_text())
    text = "\n".join(found["data"]["sections"][0]["content"])
    assert re.findall(r"@([a-z0-9]+)", text) == keys
    assert {item["id"] for item in items} >= set(keys)
    for title in titles:     # the references list of the PDF
        assert flat(title) in found["text"]


# --- footnotes and an equation in a docx pandoc writes -----------------------

def test_a_pandoc_made_docx_keeps_its_footnote_and_reports_its_equation(tmp_path):
    draft = tmp_path / "made.docx"
    pypandoc.convert_text("---\ntitle: Made by pandoc\ndate: 2026-03-04\n---\n\n# Findings\n\n"
                          "Costs grow with the square of the heat, $c = h^2$.^[Illustrative.]\n",
                          "docx", format="markdown", outputfile=str(draft))
    report, _ = import_draft(draft, tmp_path / "made.yaml")
    data = yaml.safe_load((tmp_path / "made.yaml").read_text())
    assert data["sections"] == [{"title": "Findings", "content": [
        "Costs grow with the square of the heat, `c = h^{2}`.^[Illustrative.]"]}]
    assert report == ["  under 'Findings': an equation 'c = h^{2}': kept as its TeX, as code",
                      "  " + NO_SUMMARY, "  " + NO_KEY_POINTS]


# --- headings in other languages, and named on the command line ---------------

def test_headings_in_another_language_and_named_with_heading_fill_the_fields(tmp_path):
    document = docx.Document()
    document.core_properties.title = "Chaleur et travail"
    for heading, text in [("Points clés", "La chaleur coûte des heures de travail."),
                          ("Synthèse", "Un plan canicule protège les travailleurs."),
                          ("Contexte", "Les chantiers sont exposés."),
                          ("Ce que nous demandons", "Publier un plan avant l'été.")]:
        document.add_heading(heading, 1)
        document.add_paragraph(text)
    document.save(tmp_path / "fr.docx")
    import_draft(tmp_path / "fr.docx", tmp_path / "fr.yaml", "--heading", "recommendations=Ce que nous demandons")
    data = yaml.safe_load((tmp_path / "fr.yaml").read_text())
    assert data["key_points"] == ["La chaleur coûte des heures de travail."]
    assert data["summary"] == "Un plan canicule protège les travailleurs."
    assert data["recommendations"] == [{"text": "Publier un plan avant l'été."}]
    assert [section["title"] for section in data["sections"]] == ["Contexte"]


# --- Markdown and OpenDocument drafts ---------------------------------------

MARKDOWN_DRAFT = """\
---
title: Heat and outdoor work
author: [Ana Ruiz]
date: 2026-06-01
---

# Key points

- Heat stress cuts working hours.

# Summary

A heat plan keeps outdoor workers safe.^[Illustrative.]

# Background

Workers face the *hottest* hours. ![A red square](red.png)
"""


NO_ALT = ("  under 'Background': a picture (0.png) without alt text: its alt text says "
          "'No alt text in the draft: describe this picture' until you write one")


# pandoc's ODT writer keeps no alt text (no svg:desc): the .odt draft's picture has none
@pytest.mark.parametrize("suffix, alt, expected_report", [(".md", "A red square", []),
                                                          (".odt", "No alt text in the draft: describe this picture",
                                                           [NO_ALT])])
def test_markdown_and_opendocument_drafts_are_imported_too(tmp_path, suffix, alt, expected_report):
    (tmp_path / "red.png").write_bytes(picture("red").getvalue())
    (tmp_path / "draft.md").write_text(MARKDOWN_DRAFT)
    draft = tmp_path / "draft.md"
    if suffix == ".odt":
        draft = tmp_path / "draft.odt"
        pypandoc.convert_file(str(tmp_path / "draft.md"), "odt", outputfile=str(draft), cworkdir=str(tmp_path))
    report, _ = import_draft(draft, tmp_path / "out" / "heat.yaml")
    data = yaml.safe_load((tmp_path / "out" / "heat.yaml").read_text())
    assert data["key_points"] == ["Heat stress cuts working hours."]
    assert data["summary"] == "A heat plan keeps outdoor workers safe.^[Illustrative.]"
    assert data["sections"][0]["content"] == [f"Workers face the *hottest* hours. ![{alt}](figures/heat-1.png)"]
    assert (tmp_path / "out" / "figures" / "heat-1.png").read_bytes() == (tmp_path / "red.png").read_bytes()
    assert (data["title"], data["authors"], data["date"]) == (
        "Heat and outdoor work", [{"name": "Ana Ruiz"}], datetime.date(2026, 6, 1))
    assert report == expected_report


# --- bad input: one line, a non-zero exit, nothing written --------------------

def test_a_missing_draft_a_file_that_is_no_draft_and_a_wrong_output_are_one_line_each(tmp_path):
    (tmp_path / "notes.txt").write_text("plain text")
    (tmp_path / "fake.docx").write_text("not a zip file")
    cases = {
        (tmp_path / "missing.docx", tmp_path / "a.yaml"): f"Error: {tmp_path / 'missing.docx'}: does not exist",
        (tmp_path / "notes.txt", tmp_path / "a.yaml"): f"Error: {tmp_path / 'notes.txt'}: not a .docx, .odt or .md file",
        (tmp_path / "fake.docx", tmp_path / "a.yaml"): f"Error: {tmp_path / 'fake.docx'}: not a readable document "
        "(couldn't unpack docx container: Did not find end of central directory signature)",
        (DOCS / "notes.docx", tmp_path / "a.json"): f"Error: {tmp_path / 'a.json'}: the brief must be a .yaml file",
    }
    for (draft, brief), message in cases.items():
        result = run_cli("import", draft, "-o", brief)
        assert (result.exit_code, result.output) == (1, message + "\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["fake.docx", "notes.txt"]


def test_an_existing_brief_or_picture_is_replaced_only_with_force(tmp_path):
    brief = tmp_path / "image.yaml"
    brief.write_text("the author's own brief\n")
    result = run_cli("import", DOCS / "image.docx", "-o", brief)
    assert (result.exit_code, result.output) == (1, f"Error: {brief}: already exists (--force replaces it)\n")
    assert brief.read_text() == "the author's own brief\n"
    brief.unlink()
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "image-1.jpg").write_bytes(b"an earlier picture")
    result = run_cli("import", DOCS / "image.docx", "-o", brief)
    picture_path = tmp_path / "figures" / "image-1.jpg"
    assert (result.exit_code, result.output) == (1, f"Error: {picture_path}: already exists (--force replaces it)\n")
    assert picture_path.read_bytes() == b"an earlier picture" and not brief.exists()
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".")] == []
    assert run_cli("import", DOCS / "image.docx", "-o", brief, "--force").exit_code == 0
    assert picture_path.read_bytes()[:2] == b"\xff\xd8" and check_brief(brief)


def test_the_command_is_in_the_help():
    result = run_cli("import", "--help")
    assert result.exit_code == 0 and "--heading FIELD=HEADING" in result.output


# --- the round trip: our own Word edition imported back --------------------

CITATION = re.compile(r"\[(-?@[^\]]+)\]")
CROSS_REFERENCE = re.compile(r"@((?:fig|tbl|app|sec)-[A-Za-z0-9_-]+)")


def words_of(markdown):
    """A markdown text's words, without its citations, cross-references and link targets
    (they are compared on their own) and markup."""
    text = CROSS_REFERENCE.sub(" ", CITATION.sub(" ", str(markdown or "")))
    return flat(re.sub(r"\]\([^)]*\)", "]", text))


def cited(markdown):
    return [key for group in CITATION.findall(str(markdown)) for key in re.findall(r"@([\w.:-]*\w)", group)]


def table_view(table, folder):
    if "csv" in table:
        columns, *rows = read_table(folder, table)
    else:
        columns, rows = table["columns"], table["rows"]
    return {"caption": words_of(table["caption"]), "columns": [words_of(column) for column in columns],
            "rows": [[words_of(cell) for cell in row] for row in rows], "source": words_of(table.get("source")),
            "notes": words_of(table.get("notes")), "id": table.get("id")}


def section_view(section, folder):
    """What a section says: its title, its text's words in order, its tables
    and figures (a chart is a picture in Word), its citations and cross-references."""
    view = {"title": section["title"], "text": [], "tables": [], "figures": [], "citations": [], "crossrefs": [],
            "blocks": []}   # the kinds of block other than text, in order
    for block in section["content"]:
        kind, value = ("text", block) if isinstance(block, str) else \
            next((key, item) for key, item in block.items() if key != "variants")
        if kind == "pagebreak":   # the full brief's, a page break in Word
            continue
        view["citations"] += cited(value)
        view["crossrefs"] += CROSS_REFERENCE.findall(str(value))
        if kind != "text":
            view["blocks"].append("figure" if kind == "chart" else kind)
        if kind == "table":
            view["tables"].append(table_view(value, folder))
        elif kind in ("figure", "chart"):
            view["figures"].append((words_of(value["caption"]), value["alt"], words_of(value.get("source")),
                                    value.get("id")))
        else:   # text, a call-out (its title and text), a quote (its text and source)
            view["text"] += [words_of(value)] if kind == "text" else [
                words_of(value.get(key)) for key in ("title", "text", "source") if value.get(key)]
    view["text"] = " ".join(view["text"]).split()
    return view


def brief_view(path):
    data, folder = yaml.safe_load(Path(path).read_text()), Path(path).parent
    return {
        "title": (words_of(data["title"]), words_of(data.get("subtitle")), data["date"], data.get("series"),
                  str(data.get("number")), data.get("audience"), data.get("url"), data.get("status")),
        "authors": [(a["name"], a.get("role"), a.get("affiliation")) for a in data.get("authors", [])],
        "summary": words_of(data["summary"]), "key_points": [words_of(point) for point in data["key_points"]],
        "sections": [section_view(section, folder) for section in data["sections"]],
        "appendices": [section_view(section, folder) for section in data.get("appendices", [])],
        "recommendations": [(r.get("title"), words_of(r["text"]), r.get("audience"))
                            for r in data.get("recommendations", [])],
        # the full brief's citations outside sections (a variant's own texts are not in the full edition)
        "citations": cited(data["summary"]) + cited(data["key_points"]) + cited(data.get("recommendations", [])),
    }


@pytest.mark.parametrize("brief", [SAMPLE, FEATURES], ids=["sample", "features"])
def test_our_word_edition_imports_back_to_the_same_text_sections_tables_and_citations(tmp_path, brief):
    assert run_cli("build", brief, "--format", "docx", "--variant", "full", "--out", tmp_path).exit_code == 0
    imported = tmp_path / "briefs" / brief.name
    import_draft(tmp_path / f"{brief.stem}-full.docx", imported)
    original, back = brief_view(brief), brief_view(imported)
    assert back == original
    assert original["citations"] if brief == SAMPLE else original["appendices"]   # each has what it is here for
    check_brief(imported)


def test_a_theme_that_is_not_there_is_said_not_ignored(tmp_path, in_root):
    result = run_cli("import", DOCS / "notes.docx", "-o", tmp_path / "notes.yaml", "--theme", "nosuch")
    assert result.exit_code == 1 and result.output.startswith("--theme: unknown theme 'nosuch'")
    assert list(tmp_path.iterdir()) == []


def test_paragraphs_styled_as_key_points_summary_and_recommendations_fill_those_fields(tmp_path):
    document = docx.Document()
    document.core_properties.title = "Heat and outdoor work"
    for style in ("Key Point", "Summary", "Recommendation"):
        document.styles.add_style(style, WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Heat stress cuts working hours.", style="Key Point")
    document.add_paragraph("Shade keeps the work going.", style="Key Point")
    document.add_paragraph("A heat plan keeps outdoor workers safe.", style="Summary")
    document.add_heading("Background", 1)
    document.add_paragraph("Farm workers face the hottest hours.")
    document.add_paragraph("Publish a heat plan before the summer.", style="Recommendation")
    document.save(tmp_path / "styled.docx")
    report, _ = import_draft(tmp_path / "styled.docx", tmp_path / "styled.yaml")
    data = yaml.safe_load((tmp_path / "styled.yaml").read_text())
    assert data["key_points"] == ["Heat stress cuts working hours.", "Shade keeps the work going."]
    assert data["summary"] == "A heat plan keeps outdoor workers safe."
    assert data["recommendations"] == [{"text": "Publish a heat plan before the summer."}]
    assert data["sections"] == [{"title": "Background", "content": ["Farm workers face the hottest hours."]}]


def test_without_the_word_extra_the_command_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pypandoc", None)   # import pypandoc raises ImportError
    for name in [name for name in sys.modules if name.startswith(("briefgen.inputs.word", "briefgen.build.importing"))]:
        monkeypatch.delitem(sys.modules, name)
    result = run_cli("import", DOCS / "notes.docx", "-o", "never-written.yaml")
    assert (result.exit_code, result.output) == (1, "Error: brief import needs pypandoc-binary and python-docx: "
                                                    "pip install 'policy-brief-generator[word]'\n")
    assert not Path("never-written.yaml").exists()
